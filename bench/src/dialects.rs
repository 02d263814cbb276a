//! The dialect scenarios (`--dialects`): a replication pair create and a group action through the Open Telekom Cloud dialect, next to the same calls through Alibaba's EBS API, one connection each.
//!
//! Every create pairs two fresh disks from a generated seed; the lane ends with a reset to the
//! seed, so that its creates succeed again when it starts over. The group actions alternate stop
//! and start on one group of one pair, with `--timing instant` so that each start completes at
//! once.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::http;
use crate::load::{ok_200, Outcome, Workload};
use crate::scenarios::{self, Env, Group, Scenario, Target, ACCOUNT};
use crate::server::{Launch, Running};
use crate::sign::{Signer, EBS};

/// Alibaba: signed CreateDiskReplicaPair.
pub const ALIBABA_CREATE: &str = "dialects: Alibaba CreateDiskReplicaPair";
/// Alibaba: signed StopDiskReplicaGroup / StartDiskReplicaGroup.
pub const ALIBABA_GROUP: &str = "dialects: Alibaba Stop/StartDiskReplicaGroup";
/// OTC: `POST os-vendor-replications`.
const OTC_CREATE: &str = "dialects: OTC create replication pair";
/// OTC: `os-stop-…` / `os-sync-…` group actions.
const OTC_GROUP: &str = "dialects: OTC stop/sync replication consistency group";

/// Creates a lane holds before its reset: well under the default quota of 20,000 pairs per
/// account (a reset of this world takes a few milliseconds, so one call in 10,001 changes no
/// figure but the slowest).
const CREATES: usize = 10_000;
/// The group actions a lane replays (stop, start, stop, …).
const ACTIONS: usize = 256;

/// Alibaba's pair sites: (region, zone).
const SOURCE: (&str, &str) = ("cn-hangzhou", "cn-hangzhou-h");
const DESTINATION: (&str, &str) = ("cn-shanghai", "cn-shanghai-f");
/// The OTC project of the default configuration and its two zones.
const PROJECT: &str = "eu-de";
const OTC_ZONES: (&str, &str) = ("eu-de-01", "eu-de-02");

/// An OTC answer of `status` counts as served; anything else does not.
fn accepted(status: u16, _: &[u8]) -> Outcome {
    match status {
        202 => Outcome {
            label: "202",
            served: true,
        },
        200 => Outcome {
            label: "200",
            served: true,
        },
        _ => Outcome {
            label: "other",
            served: false,
        },
    }
}

/// The four scenarios, Alibaba's first.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        scenario(
            ALIBABA_CREATE,
            "signed CreateDiskReplicaPair (EBS 2021-07-30), cn-hangzhou-h -> cn-shanghai-f, each call on two fresh seeded ESSDs; one connection",
            Dialect::Alibaba,
            Vec::new(),
            alibaba_create,
        ),
        scenario(
            OTC_CREATE,
            "POST /v2/{project}/os-vendor-replications (X-Auth-Token), eu-de-01 -> eu-de-02, each call on two fresh seeded SSD volumes; one connection",
            Dialect::Otc,
            vec![Target::P50AtMost {
                of: ALIBABA_CREATE,
                factor: 2.0,
            }],
            otc_create,
        ),
        scenario(
            ALIBABA_GROUP,
            "signed StopDiskReplicaGroup and StartDiskReplicaGroup alternating on one group of one pair, --timing instant; one connection",
            Dialect::Alibaba,
            Vec::new(),
            alibaba_group,
        ),
        scenario(
            OTC_GROUP,
            "POST .../os-vendor-replication-consistency-groups/{id}/action, os-stop-… and os-sync-… alternating on one group of one pair, --timing instant; one connection",
            Dialect::Otc,
            vec![Target::P50AtMost {
                of: ALIBABA_GROUP,
                factor: 2.0,
            }],
            otc_group,
        ),
    ]
}

type Prepare = fn(&Running) -> Result<Workload, String>;

fn scenario(
    name: &'static str,
    what: &'static str,
    dialect: Dialect,
    targets: Vec<Target>,
    prepare: Prepare,
) -> Scenario {
    Scenario {
        name,
        what,
        launch: Box::new(move |env| launch(env, dialect)),
        requires_action: Some("CreateDiskReplicaPair"),
        connections: Some(1),
        prepare: Box::new(move |_, server, _| prepare(server)),
        targets,
        group: Group::Dialects,
    }
}

fn alibaba_disk(role: &str, i: usize) -> String {
    format!("d-bench{role}{i:010}")
}

fn otc_volume(role: &str, i: usize) -> String {
    format!("d-otcbench{role}{i:010}")
}

/// The seed: per create, a source and a destination disk in the dialect's regions, in the default
/// account (which both the bench key and the default OTC projects use).
fn seed(env: &Env, dialect: Dialect) -> Result<PathBuf, String> {
    let path = env.workdir.join(format!("dialects-seed-{dialect:?}.json"));
    if path.exists() {
        return Ok(path);
    }
    let mut disks = Vec::with_capacity(CREATES * 2 + 2);
    let disk = |id: String, (region, zone): (&str, &str), category: &str| json!({ "id": id, "region_id": region, "zone_id": zone, "category": category, "size": 20 });
    for i in 0..=CREATES {
        match dialect {
            Dialect::Alibaba => {
                disks.push(disk(alibaba_disk("s", i), SOURCE, "cloud_essd"));
                disks.push(disk(alibaba_disk("d", i), DESTINATION, "cloud_essd"));
            }
            Dialect::Otc => {
                disks.push(disk(otc_volume("s", i), (PROJECT, OTC_ZONES.0), "SSD"));
                disks.push(disk(otc_volume("d", i), (PROJECT, OTC_ZONES.1), "SSD"));
            }
        }
    }
    scenarios::write_json(
        &path,
        &json!({ "accounts": [{ "id": ACCOUNT, "disks": disks }] }),
    )
}

/// Whose disks a seed holds.
#[derive(Debug, Clone, Copy)]
enum Dialect {
    Alibaba,
    Otc,
}

fn launch(env: &Env, dialect: Dialect) -> Result<Launch, String> {
    let seed = seed(env, dialect)?.display().to_string();
    Ok(scenarios::emulator(
        env,
        "warn",
        &["--timing", "instant", "--fixtures", &seed],
    ))
}

/// `POST /_emulator/reset`: the world back to the seed (pairs gone, every disk free again); the
/// Keystone token survives it.
fn reset(addr: SocketAddr) -> Vec<u8> {
    http::request("POST", addr, "/_emulator/reset", None)
}

/// Sends `request` once and insists on `want`; the parsed JSON answer.
fn call(addr: SocketAddr, request: Vec<u8>, want: u16, what: &str) -> Result<Value, String> {
    let answers = http::call_all(addr, vec![request], 1).map_err(|e| format!("{what}: {e}"))?;
    let (status, body) = &answers[0];
    if *status != want {
        return Err(format!(
            "{what} answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    if body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| format!("{what}: not JSON: {e}"))
}

fn alibaba_pair(signer: &Signer, i: usize) -> Vec<u8> {
    let name = format!("bench-pair-{i}");
    signer.request(
        EBS,
        "CreateDiskReplicaPair",
        &[
            ("RegionId", SOURCE.0),
            ("SourceZoneId", SOURCE.1),
            ("DiskId", &alibaba_disk("s", i)),
            ("DestinationRegionId", DESTINATION.0),
            ("DestinationZoneId", DESTINATION.1),
            ("DestinationDiskId", &alibaba_disk("d", i)),
            ("ChargeType", "POSTPAY"),
            ("RPO", "900"),
            ("PairName", &name),
        ],
    )
}

fn alibaba_create(server: &Running) -> Result<Workload, String> {
    let signer = scenarios::signer(server);
    call(
        server.addr,
        alibaba_pair(&signer, 0),
        200,
        "CreateDiskReplicaPair",
    )?;
    let mut lane: Vec<Vec<u8>> = (1..=CREATES).map(|i| alibaba_pair(&signer, i)).collect();
    lane.push(reset(server.addr));
    Ok(Workload {
        lanes: vec![lane],
        classify: ok_200,
        note: Some(format!(
            "{CREATES} distinct creates, then a reset to the seed, in the lane"
        )),
    })
}

fn alibaba_group(server: &Running) -> Result<Workload, String> {
    let signer = scenarios::signer(server);
    let ebs = |action: &str, params: &[(&str, &str)]| {
        let mut all = vec![("RegionId", SOURCE.0)];
        all.extend_from_slice(params);
        call(server.addr, signer.request(EBS, action, &all), 200, action)
    };
    let pair = call(
        server.addr,
        alibaba_pair(&signer, 0),
        200,
        "CreateDiskReplicaPair",
    )?;
    let pair = pair["ReplicaPairId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let group = ebs(
        "CreateDiskReplicaGroup",
        &[
            ("SourceZoneId", SOURCE.1),
            ("DestinationRegionId", DESTINATION.0),
            ("DestinationZoneId", DESTINATION.1),
            ("RPO", "900"),
            ("GroupName", "bench-group"),
        ],
    )?;
    let group = group["ReplicaGroupId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ebs(
        "AddDiskReplicaPair",
        &[("ReplicaGroupId", &group), ("ReplicaPairId", &pair)],
    )?;
    ebs("StartDiskReplicaGroup", &[("ReplicaGroupId", &group)])?;
    let lane = (0..ACTIONS)
        .map(|i| {
            let action = if i % 2 == 0 {
                "StopDiskReplicaGroup"
            } else {
                "StartDiskReplicaGroup"
            };
            signer.request(
                EBS,
                action,
                &[("RegionId", SOURCE.0), ("ReplicaGroupId", &group)],
            )
        })
        .collect();
    Ok(Workload {
        lanes: vec![lane],
        classify: ok_200,
        note: Some(format!("group {group} of pair {pair}")),
    })
}

/// A Keystone token of the default user scoped to [`PROJECT`], and the project's id.
fn token(addr: SocketAddr) -> Result<(String, String), String> {
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "password": "admin", "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": PROJECT, "domain": {"name": "Default"}}}
    }});
    let request = http::request(
        "POST",
        addr,
        "/v3/auth/tokens?nocatalog",
        Some(body.to_string().as_bytes()),
    );
    let (status, head, body) =
        http::send_with_head(addr, &request).map_err(|e| format!("POST /v3/auth/tokens: {e}"))?;
    if status != 201 {
        return Err(format!(
            "POST /v3/auth/tokens answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let token = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("x-subject-token")
                .then(|| value.trim().to_owned())
        })
        .ok_or("POST /v3/auth/tokens: no X-Subject-Token")?;
    let parsed: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let project = parsed["token"]["project"]["id"]
        .as_str()
        .ok_or("POST /v3/auth/tokens: no project id")?
        .to_owned();
    Ok((token, project))
}

/// A request to the EVS API with the token.
fn otc(addr: SocketAddr, token: &str, method: &str, path: &str, body: &Value) -> Vec<u8> {
    let request = http::request(method, addr, path, Some(body.to_string().as_bytes()));
    with_header(request, "X-Auth-Token", token)
}

/// Inserts a header after the request line.
fn with_header(request: Vec<u8>, name: &str, value: &str) -> Vec<u8> {
    let line_end = request
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(0, |p| p + 2);
    let mut out = Vec::with_capacity(request.len() + name.len() + value.len() + 4);
    out.extend_from_slice(&request[..line_end]);
    out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    out.extend_from_slice(&request[line_end..]);
    out
}

fn otc_pair(addr: SocketAddr, token: &str, project: &str, i: usize) -> Vec<u8> {
    otc(
        addr,
        token,
        "POST",
        &format!("/v2/{project}/os-vendor-replications"),
        &json!({"replication": {
            "name": format!("bench-pair-{i}"),
            "volume_ids": [otc_volume("s", i), otc_volume("d", i)],
            "priority_station": OTC_ZONES.0,
            "replication_model": "hypermetro",
        }}),
    )
}

fn otc_create(server: &Running) -> Result<Workload, String> {
    let (token, project) = token(server.addr)?;
    let first = call(
        server.addr,
        otc_pair(server.addr, &token, &project, 0),
        202,
        "POST os-vendor-replications",
    )?;
    let pair = first["replication"]["id"].as_str().unwrap_or_default();
    let shown = call(
        server.addr,
        http_get(
            server.addr,
            &token,
            &format!("/v2/{project}/os-vendor-replications/{pair}"),
        ),
        200,
        "GET os-vendor-replications/{id}",
    )?;
    if shown["replication"]["status"] != "available" {
        return Err(format!(
            "the first pair is {} (want available): {shown}",
            shown["replication"]["status"]
        ));
    }
    let mut lane: Vec<Vec<u8>> = (1..=CREATES)
        .map(|i| otc_pair(server.addr, &token, &project, i))
        .collect();
    lane.push(reset(server.addr));
    Ok(Workload {
        lanes: vec![lane],
        classify: accepted,
        note: Some(format!(
            "{CREATES} distinct creates, then a reset to the seed, in the lane"
        )),
    })
}

fn http_get(addr: SocketAddr, token: &str, path: &str) -> Vec<u8> {
    with_header(http::get_request(addr, path), "X-Auth-Token", token)
}

fn otc_group(server: &Running) -> Result<Workload, String> {
    let (token, project) = token(server.addr)?;
    let addr = server.addr;
    let first = call(
        addr,
        otc_pair(addr, &token, &project, 0),
        202,
        "POST os-vendor-replications",
    )?;
    let pair = first["replication"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let groups = format!("/v2/{project}/os-vendor-replication-consistency-groups");
    let group = call(
        addr,
        otc(
            addr,
            &token,
            "POST",
            &groups,
            &json!({"replication_consistency_group": {
                "name": "bench-group", "replication_ids": [pair],
                "priority_station": OTC_ZONES.0, "replication_model": "hypermetro"}}),
        ),
        202,
        "POST os-vendor-replication-consistency-groups",
    )?;
    let group = group["replication_consistency_group"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let action = |name: &str| {
        otc(
            addr,
            &token,
            "POST",
            &format!("{groups}/{group}/action"),
            &json!({ name: null }),
        )
    };
    call(
        addr,
        action("os-sync-replication-consistency-group"),
        200,
        "os-sync-replication-consistency-group",
    )?;
    let lane = (0..ACTIONS)
        .map(|i| {
            action(if i % 2 == 0 {
                "os-stop-replication-consistency-group"
            } else {
                "os-sync-replication-consistency-group"
            })
        })
        .collect();
    Ok(Workload {
        lanes: vec![lane],
        classify: accepted,
        note: Some(format!("group {group} of pair {pair}")),
    })
}
