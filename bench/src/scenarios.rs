//! The scenario list: what each load run launches, how it prepares state and requests, and what it is held to.
//!
//! # Adding a scenario
//! Push a [`Scenario`] in [`all`]: a `launch` building the server's command line (a fresh
//! process per scenario), a `prepare` that may seed state through the running server (untimed)
//! and returns the pre-built requests per connection, and optionally a [`Target`] comparing it
//! with another scenario of the same run. `requires_action` skips the scenario, with a note in
//! the report, when the emulator's `GET /_emulator/actions` does not list that action yet.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::control;
use crate::http;
use crate::load::{ok_200, Outcome, Workload};
use crate::scale;
use crate::server::{Launch, Running};
use crate::sign::{Signer, EBS, ECS};

/// The account unsigned requests and the default key use (the example seed's first account).
pub const ACCOUNT: &str = "1000000000000001";
/// The key every emulator scenario configures and signs with.
pub const ACCESS_KEY_ID: &str = "LTAI5tBENCHKEY000000001";
/// Its secret.
pub const ACCESS_KEY_SECRET: &str = "bench-secret-0000000000000001";
/// Requests pre-signed per connection; connections replay their list when they reach its end.
pub const REQUESTS_PER_CONNECTION: usize = 256;

/// Scenario names that targets refer to.
pub const CEILING: &str = "ceiling: fixed JSON";
/// Signed DescribeInstances.
pub const DESCRIBE: &str = "emulator: DescribeInstances";
/// Signed StartInstance/StopInstance in memory, the request log on (the default).
pub const START_STOP: &str = "emulator: StartInstance/StopInstance";
/// Replication listing at the small size.
pub const REPLICA_SMALL: &str = "emulator: DescribeDiskReplicaPairs, 500 pairs";

/// Settings every scenario sees.
pub struct Env {
    /// The emulator binary.
    pub emulator: PathBuf,
    /// The ceiling binary.
    pub ceiling: PathBuf,
    /// The seed DescribeInstances runs against.
    pub fixtures: PathBuf,
    /// A scratch directory for generated seed files.
    pub workdir: PathBuf,
    /// Default number of connections.
    pub connections: usize,
}

/// What a scenario is held to: relative to another scenario of the same run, or absolute.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Throughput at least `fraction` of scenario `of`'s.
    ThroughputAtLeast {
        /// The reference scenario.
        of: &'static str,
        /// Required share of its throughput.
        fraction: f64,
    },
    /// Median latency at most `factor` times scenario `of`'s.
    P50AtMost {
        /// The reference scenario.
        of: &'static str,
        /// Allowed ratio.
        factor: f64,
    },
    /// Median latency (the median of the per-round p50s) under `limit`.
    P50Under {
        /// The bound.
        limit: std::time::Duration,
    },
}

type LaunchFn = Box<dyn Fn(&Env) -> Result<Launch, String>>;
type PrepareFn = Box<dyn Fn(&Env, &Running, usize) -> Result<Workload, String>>;

/// One load run.
pub struct Scenario {
    /// Name in the report (also what targets refer to).
    pub name: &'static str,
    /// One line on what is sent.
    pub what: &'static str,
    /// The server's command line.
    pub launch: LaunchFn,
    /// Skip unless the emulator lists this action.
    pub requires_action: Option<&'static str>,
    /// Connections, when not the run's default.
    pub connections: Option<usize>,
    /// Seeds state (untimed) and builds the requests.
    pub prepare: PrepareFn,
    /// What the scenario is held to (none, one, or several).
    pub targets: Vec<Target>,
    /// Which runs include it.
    pub group: Group,
}

/// Which runs include a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Every run.
    Main,
    /// Only with `--diagnostics`: variations that tell where a scenario's time goes.
    Diagnostic,
    /// Only with `--scale`: Describe calls on a large seeded world against a small one.
    Scale,
    /// Only with `--control`: persistence, reset and state import.
    Control,
}

impl Group {
    /// The command-line flag that includes the group, if it needs one.
    pub fn flag(self) -> Option<&'static str> {
        match self {
            Self::Main => None,
            Self::Diagnostic => Some("--diagnostics"),
            Self::Scale => Some("--scale"),
            Self::Control => Some("--control"),
        }
    }
}

/// The ceiling's command line.
pub fn ceiling(env: &Env) -> Launch {
    Launch {
        name: "ceiling",
        program: env.ceiling.clone(),
        args: vec!["--listen".into(), "127.0.0.1:0".into()],
        env: Vec::new(),
        health_path: "/_emulator/health",
        owned_dir: None,
    }
}

/// The emulator's command line: permissive auth, the bench key, `extra` flags, per-request
/// logging off unless `log` says otherwise.
pub fn emulator(env: &Env, log: &str, extra: &[&str]) -> Launch {
    let mut args: Vec<String> = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--auth",
        "permissive",
        "--access-key",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.push(format!("{ACCESS_KEY_ID}:{ACCESS_KEY_SECRET}:{ACCOUNT}"));
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Launch {
        name: "emulator",
        program: env.emulator.clone(),
        args,
        env: vec![("ECS_EMULATOR_LOG".into(), log.into())],
        health_path: "/_emulator/health",
        owned_dir: None,
    }
}

/// The emulator as DescribeInstances runs it (also what cold start and idle memory measure).
pub fn emulator_describe(env: &Env, log: &str) -> Launch {
    let fixtures = env.fixtures.display().to_string();
    emulator(env, log, &["--fixtures", &fixtures])
}

/// A signer with the bench key for `server`.
pub fn signer(server: &Running) -> Signer {
    Signer::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET, server.addr)
}

fn describe_instances(_: &Env, server: &Running, connections: usize) -> Result<Workload, String> {
    let signer = signer(server);
    let lanes = (0..connections)
        .map(|_| {
            (0..REQUESTS_PER_CONNECTION)
                .map(|_| signer.request(ECS, "DescribeInstances", &[("RegionId", "cn-hangzhou")]))
                .collect()
        })
        .collect();
    Ok(Workload {
        lanes,
        classify: ok_200,
        note: None,
    })
}

fn pool_instance(i: usize) -> String {
    format!("i-bp1benchpool{i:08}")
}

/// A seed with one stopped instance per connection, so that every connection alternates
/// StartInstance and StopInstance on its own instance.
fn pool_seed(env: &Env, connections: usize) -> Result<PathBuf, String> {
    let instances: Vec<Value> = (0..connections)
        .map(|i| {
            json!({
                "id": pool_instance(i),
                "region_id": "cn-hangzhou",
                "zone_id": "cn-hangzhou-h",
                "status": "Stopped",
                "name": format!("bench-pool-{i}"),
            })
        })
        .collect();
    let seed = json!({ "accounts": [{ "id": ACCOUNT, "instances": instances }] });
    write_json(&env.workdir.join("pool-seed.json"), &seed)
}

/// Writes `value` to `path` (a generated seed) and returns the path.
pub fn write_json(path: &Path, value: &Value) -> Result<PathBuf, String> {
    std::fs::write(path, value.to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.to_owned())
}

/// The emulator as StartInstance/StopInstance runs it: one stopped instance per connection,
/// `--timing instant`, then `extra` flags.
pub fn start_stop_launch(env: &Env, extra: &[&str]) -> Result<Launch, String> {
    let seed = pool_seed(env, env.connections)?.display().to_string();
    let mut flags = vec!["--timing", "instant", "--fixtures", &seed];
    flags.extend_from_slice(extra);
    Ok(emulator(env, "warn", &flags))
}

/// StartInstance and StopInstance alternating, each connection on its own pool instance.
pub fn start_stop(_: &Env, server: &Running, connections: usize) -> Result<Workload, String> {
    let signer = signer(server);
    let lanes = (0..connections)
        .map(|c| {
            let id = pool_instance(c);
            (0..REQUESTS_PER_CONNECTION)
                .map(|i| {
                    let action = if i % 2 == 0 {
                        "StartInstance"
                    } else {
                        "StopInstance"
                    };
                    signer.request(ECS, action, &[("InstanceId", &id)])
                })
                .collect()
        })
        .collect();
    Ok(Workload {
        lanes,
        classify: start_stop_outcome,
        note: None,
    })
}

/// 200, or 403 IncorrectInstanceStatus (the instance was in the other state), both count.
fn start_stop_outcome(status: u16, body: &[u8]) -> Outcome {
    let contains = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    match status {
        200 => Outcome {
            label: "200",
            served: true,
        },
        403 if contains(b"IncorrectInstanceStatus") => Outcome {
            label: "403 IncorrectInstanceStatus",
            served: true,
        },
        _ => Outcome {
            label: "other",
            served: false,
        },
    }
}

// ---- disk replication (EBS 2021-07-30) ----

/// Accounts the replication pairs are spread over, each with its own key.
const REPLICA_ACCOUNTS: usize = 4;
/// (region, zone, disk id prefix) of the two sites; pairs alternate direction between them.
const SITES: [(&str, &str, &str); 2] = [
    ("cn-hangzhou", "cn-hangzhou-h", "d-bp1bench"),
    ("cn-shanghai", "cn-shanghai-f", "d-uf6bench"),
];

fn replica_account(a: usize) -> String {
    format!("{}", 1_000_000_000_000_101 + a)
}

fn replica_key(a: usize) -> (String, String) {
    (
        format!("LTAI5tBENCHREPL{a:08}"),
        format!("bench-replica-secret-{a}"),
    )
}

/// Pair `i`: its account, and (source site, destination site) indices into [`SITES`].
fn replica_layout(i: usize) -> (usize, usize, usize) {
    let account = i % REPLICA_ACCOUNTS;
    let source = (i / REPLICA_ACCOUNTS) % 2;
    (account, source, 1 - source)
}

fn replica_disk(site: usize, i: usize, role: &str) -> String {
    format!("{}{role}{i:010}", SITES[site].2)
}

/// Both disks of every pair as free-standing ESSDs in a seed file: much faster than CreateDisk
/// over the API at 100,000 disks, and the disks are all that CreateDiskReplicaPair needs.
fn replica_seed(env: &Env, pairs: usize) -> Result<PathBuf, String> {
    let mut disks: Vec<Vec<Value>> = vec![Vec::new(); REPLICA_ACCOUNTS];
    for i in 0..pairs {
        let (account, source, destination) = replica_layout(i);
        for (site, role) in [(source, "s"), (destination, "d")] {
            disks[account].push(json!({
                "id": replica_disk(site, i, role),
                "region_id": SITES[site].0,
                "zone_id": SITES[site].1,
                "category": "cloud_essd",
                "size": 20,
            }));
        }
    }
    let accounts: Vec<Value> = disks
        .into_iter()
        .enumerate()
        .map(|(a, disks)| json!({ "id": replica_account(a), "disks": disks }))
        .collect();
    write_json(
        &env.workdir.join(format!("replica-seed-{pairs}.json")),
        &json!({ "accounts": accounts }),
    )
}

fn replica_launch(env: &Env, pairs: usize) -> Result<Launch, String> {
    let seed = replica_seed(env, pairs)?.display().to_string();
    let mut launch = emulator(env, "warn", &["--timing", "instant", "--fixtures", &seed]);
    for a in 0..REPLICA_ACCOUNTS {
        let (id, secret) = replica_key(a);
        launch.args.push("--access-key".into());
        launch
            .args
            .push(format!("{id}:{secret}:{}", replica_account(a)));
    }
    Ok(launch)
}

/// Creates `pairs` replication pairs through CreateDiskReplicaPair (untimed), then builds
/// DescribeDiskReplicaPairs MaxResults=50 calls in cn-hangzhou as the first account.
fn replica_prepare(server: &Running, pairs: usize, connections: usize) -> Result<Workload, String> {
    let signers: Vec<Signer> = (0..REPLICA_ACCOUNTS)
        .map(|a| {
            let (id, secret) = replica_key(a);
            Signer::new(&id, &secret, server.addr)
        })
        .collect();
    let creates: Vec<Vec<u8>> = (0..pairs)
        .map(|i| {
            let (account, s, d) = replica_layout(i);
            let (source, destination) = (replica_disk(s, i, "s"), replica_disk(d, i, "d"));
            let name = format!("bench-pair-{i}");
            signers[account].request(
                EBS,
                "CreateDiskReplicaPair",
                &[
                    ("RegionId", SITES[s].0),
                    ("SourceZoneId", SITES[s].1),
                    ("DiskId", &source),
                    ("DestinationRegionId", SITES[d].0),
                    ("DestinationZoneId", SITES[d].1),
                    ("DestinationDiskId", &destination),
                    ("ChargeType", "POSTPAY"),
                    ("RPO", "900"),
                    ("PairName", &name),
                ],
            )
        })
        .collect();
    let answers = http::call_all(server.addr, creates, 32).map_err(|e| e.to_string())?;
    if let Some((status, body)) = answers.iter().find(|(s, _)| *s != 200) {
        return Err(format!(
            "seeding replication pairs: CreateDiskReplicaPair answered {status}: {}",
            String::from_utf8_lossy(body)
        ));
    }
    let describe = |signer: &Signer| {
        signer.request(
            EBS,
            "DescribeDiskReplicaPairs",
            &[("RegionId", "cn-hangzhou"), ("MaxResults", "50")],
        )
    };
    let probe =
        http::call_all(server.addr, vec![describe(&signers[0])], 1).map_err(|e| e.to_string())?;
    let (status, body) = &probe[0];
    let page: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let total = page["TotalCount"].as_u64().unwrap_or(0);
    let listed = page["ReplicaPairs"].as_array().map_or(0, Vec::len) as u64;
    if *status != 200 || total == 0 || listed != total.min(50) {
        return Err(format!(
            "DescribeDiskReplicaPairs after seeding answered {status} with TotalCount {total} and {listed} pairs: {}",
            String::from_utf8_lossy(body)
        ));
    }
    let lanes = (0..connections)
        .map(|_| {
            (0..REQUESTS_PER_CONNECTION)
                .map(|_| describe(&signers[0]))
                .collect()
        })
        .collect();
    Ok(Workload {
        lanes,
        classify: ok_200,
        note: Some(format!(
            "{pairs} pairs in all; the query matches {total}, answers list {listed} in {} bytes",
            body.len()
        )),
    })
}

fn replica_scenario(name: &'static str, pairs: usize, targets: Vec<Target>) -> Scenario {
    Scenario {
        name,
        what: "signed DescribeDiskReplicaPairs RegionId=cn-hangzhou MaxResults=50, one account of four, pairs split between cn-hangzhou and cn-shanghai; one connection (per-call latency)",
        launch: Box::new(move |env| replica_launch(env, pairs)),
        requires_action: Some("DescribeDiskReplicaPairs"),
        connections: Some(1),
        prepare: Box::new(move |_, server, connections| {
            replica_prepare(server, pairs, connections)
        }),
        targets,
        group: Group::Main,
    }
}

/// Every scenario, in run order.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            name: CEILING,
            what: "any path, fixed 67-byte JSON body",
            launch: Box::new(|env| Ok(ceiling(env))),
            requires_action: None,
            connections: None,
            prepare: Box::new(|_, server, connections| {
                let request = http::get_request(server.addr, "/");
                Ok(Workload {
                    lanes: vec![vec![request]; connections],
                    classify: ok_200,
                    note: None,
                })
            }),
            targets: Vec::new(),
            group: Group::Main,
        },
        Scenario {
            name: DESCRIBE,
            what: "signed DescribeInstances RegionId=cn-hangzhou on the example seed (13 instances, page of 10, ~27 KB body)",
            launch: Box::new(|env| Ok(emulator_describe(env, "warn"))),
            requires_action: None,
            connections: None,
            prepare: Box::new(describe_instances),
            targets: vec![Target::ThroughputAtLeast {
                of: CEILING,
                fraction: 0.5,
            }],
            group: Group::Main,
        },
        Scenario {
            name: START_STOP,
            what: "signed StartInstance and StopInstance alternating, one instance per connection, --timing instant",
            launch: Box::new(|env| start_stop_launch(env, &[])),
            requires_action: None,
            connections: None,
            prepare: Box::new(start_stop),
            targets: vec![
                Target::ThroughputAtLeast {
                    of: CEILING,
                    fraction: 0.5,
                },
                Target::ThroughputAtLeast {
                    of: control::LOG_OFF,
                    fraction: control::LOG_FRACTION,
                },
            ],
            group: Group::Main,
        },
        control::log_off(),
        Scenario {
            name: "emulator: DescribeInstances, info logging",
            what: "as DescribeInstances, with the default ECS_EMULATOR_LOG=info (one log line per request, stderr to /dev/null)",
            launch: Box::new(|env| Ok(emulator_describe(env, "info"))),
            requires_action: None,
            connections: None,
            prepare: Box::new(describe_instances),
            targets: Vec::new(),
            group: Group::Main,
        },
        replica_scenario(REPLICA_SMALL, 500, Vec::new()),
        replica_scenario(
            "emulator: DescribeDiskReplicaPairs, 50,000 pairs",
            50_000,
            vec![Target::P50AtMost {
                of: REPLICA_SMALL,
                factor: 2.0,
            }],
        ),
        Scenario {
            name: "diag: ceiling, 27 KB body",
            what: "the ceiling answering a fixed body as long as DescribeInstances' (26,931 bytes): what the body size alone costs",
            launch: Box::new(|env| {
                let mut launch = ceiling(env);
                launch.args.extend(["--body-bytes".into(), "26931".into()]);
                Ok(launch)
            }),
            requires_action: None,
            connections: None,
            prepare: Box::new(|_, server, connections| {
                Ok(Workload {
                    lanes: vec![vec![http::get_request(server.addr, "/")]; connections],
                    classify: ok_200,
                    note: None,
                })
            }),
            targets: Vec::new(),
            group: Group::Diagnostic,
        },
        diagnostic("diag: emulator GET /_emulator/health", "the emulator's health endpoint: routing and a small JSON body, no RPC", |server| {
            http::get_request(server.addr, "/_emulator/health")
        }),
        diagnostic("diag: DescribeInstances unsigned", "DescribeInstances RegionId=cn-hangzhou without a signature (permissive mode serves it as the default account): the cost of verification", |server| {
            http::get_request(
                server.addr,
                "/?Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou",
            )
        }),
        diagnostic("diag: DescribeInstances unsigned, PageSize=1", "as above with PageSize=1 (one instance in the body): the cost per listed instance", |server| {
            http::get_request(
                server.addr,
                "/?Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&PageSize=1",
            )
        }),
        diagnostic("diag: DescribeInstances unsigned, InstanceName filter", "as above filtered by InstanceName to the one matching instance: with PageSize=1 (same body size) this separates building the views of all matches from serializing the page", |server| {
            http::get_request(
                server.addr,
                "/?Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&InstanceName=seed-running",
            )
        }),
        diagnostic("diag: DescribeRegions unsigned", "DescribeRegions: an RPC answered from the catalog", |server| {
            http::get_request(server.addr, "/?Action=DescribeRegions&Version=2014-05-26")
        }),
    ]
    .into_iter()
    .chain(scale::scenarios())
    .chain(control::scenarios())
    .collect()
}

/// A diagnostic scenario: the DescribeInstances server, one fixed unsigned request.
fn diagnostic(
    name: &'static str,
    what: &'static str,
    request: fn(&Running) -> Vec<u8>,
) -> Scenario {
    Scenario {
        name,
        what,
        launch: Box::new(|env| Ok(emulator_describe(env, "warn"))),
        requires_action: None,
        connections: None,
        prepare: Box::new(move |_, server, connections| {
            Ok(Workload {
                lanes: vec![vec![request(server)]; connections],
                classify: ok_200,
                note: None,
            })
        }),
        targets: Vec::new(),
        group: Group::Diagnostic,
    }
}

/// Actions the emulator lists on `GET /_emulator/actions`.
pub fn emulator_actions(addr: SocketAddr) -> Result<Vec<String>, String> {
    let (status, body) = http::blocking_get(
        addr,
        "/_emulator/actions",
        std::time::Duration::from_secs(5),
    )
    .map_err(|e| format!("GET /_emulator/actions: {e}"))?;
    if status != 200 {
        return Err(format!("GET /_emulator/actions answered {status}"));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok(v["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["action"].as_str().map(str::to_owned))
        .collect())
}
