//! The OTC dialect over HTTP: Keystone, volumes, pairs (the seed's example pinned as golden
//! bodies), groups, the bad-input table, and a pair seen through the Alibaba dialect.

use serde_json::{json, Value};

use crate::common::{spawn, Opts, Server, EBS};
use crate::golden::check;
use ecs_emulator::config::{ClockMode, Timing};

/// An OTC client: a token for project `eu-de` and its base URL.
struct Otc {
    client: reqwest::Client,
    base: String,
    token: String,
    project: String,
}

async fn token(s: &Server, project: &str) -> (String, String) {
    let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "password": "admin", "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}});
    let r = reqwest::Client::new()
        .post(format!("{}/v3/auth/tokens", s.base))
        .body(body.to_string())
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 201);
    let t = r.headers()["x-subject-token"].to_str().unwrap().to_owned();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    (t, v["token"]["project"]["id"].as_str().unwrap().to_owned())
}

impl Otc {
    async fn new(s: &Server) -> Self {
        let (token, project) = token(s, "eu-de").await;
        Self {
            client: reqwest::Client::new(),
            base: s.base.clone(),
            token,
            project,
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let url = format!("{}/v2/{}{path}", self.base, self.project);
        let mut req = self.client.request(method.parse().unwrap(), url);
        if let Some(t) = token {
            req = req.header("x-auth-token", t);
        }
        if let Some(b) = body {
            req = req.body(b.to_owned());
        }
        let r = req.send().await.expect("send");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let b = body.map(|b| b.to_string());
        self.send(method, path, b.as_deref(), Some(&self.token.clone()))
            .await
    }

    async fn volume(&self, zone: &str, size: u32) -> String {
        let (st, v) = self
            .call("POST", "/volumes", Some(json!({"volume": {"size": size, "availability_zone": zone, "volume_type": "SSD"}})))
            .await;
        assert_eq!(st, 202, "{v}");
        v["volume"]["id"].as_str().unwrap().to_owned()
    }
}

fn instant() -> Opts {
    Opts {
        seeded: false,
        ..Opts::default()
    }
}

#[tokio::test]
async fn keystone_versions_and_tokens() {
    let s = spawn(instant()).await;
    let c = reqwest::Client::new();
    let v3 = c
        .get(format!("{}/v3", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let v3: Value = serde_json::from_str(&v3).unwrap();
    assert_eq!(v3["version"]["id"], "v3.0");
    let root = c.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(root.status(), 300);
    let bad = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "password": "x"}}}}});
    let r = c
        .post(format!("{}/v3/auth/tokens", s.base))
        .body(bad.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (t, pid) = token(&s, "eu-de").await;
    assert_eq!(pid.len(), 32);
    let again = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": t}}}});
    let r = c
        .post(format!("{}/v3/auth/tokens", s.base))
        .body(again.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // The RPC endpoint keeps `/` for anything that carries its parameters.
    s.ecs("DescribeRegions", &[]).await.ok();
}

#[tokio::test]
async fn the_seed_example_request_and_answer() {
    let s = spawn(Opts {
        seeded: false,
        timing: Timing::Realistic,
        clock: ClockMode::Manual,
        ..Opts::default()
    })
    .await;
    let o = Otc::new(&s).await;
    let (a, b) = (
        o.volume("eu-de-01", 40).await,
        o.volume("eu-de-02", 40).await,
    );
    s.advance(2.0).await;
    let request = include_str!("golden/otc/create_replication_request.json")
        .replace("18aa67ea-c7cb-4826-800d-50e67f0de75b", &a)
        .replace("375d23be-3658-498f-8b50-d3b950a890ec", &b)
        .replace("az2.dc2", "eu-de-01");
    let (st, v) = o
        .send(
            "POST",
            "/os-vendor-replications",
            Some(&request),
            Some(&o.token.clone()),
        )
        .await;
    assert_eq!(st, 202, "{v}");
    let id = v["replication"]["id"].as_str().unwrap().to_owned();
    let created = v["replication"]["created_at"].as_str().unwrap().to_owned();
    let text = serde_json::to_string_pretty(&v)
        .unwrap()
        .replace(&id, "91085433-9499-4a68-b2c6-35072467ccd2")
        .replace(&a, "18aa67ea-c7cb-4826-800d-50e67f0de75b")
        .replace(&b, "375d23be-3658-498f-8b50-d3b950a890ec")
        .replace(&created, "2017-09-28T05:08:32.839953");
    check("otc/create_replication_response.json", &format!("{text}\n"));
    s.advance(2.0).await;
    let (_, v) = o
        .call("GET", &format!("/os-vendor-replications/{id}"), None)
        .await;
    assert_eq!(v["replication"]["status"], "available");
    assert!(v["replication"]["updated_at"].is_string());
}

/// (method, path, body, token, status, fault name).
type Case<'a> = (
    &'a str,
    &'a str,
    Option<String>,
    Option<&'a str>,
    u16,
    &'a str,
);

#[tokio::test]
async fn bad_input_gets_a_documented_answer_and_changes_nothing() {
    let s = spawn(instant()).await;
    let o = Otc::new(&s).await;
    let (a, b) = (
        o.volume("eu-de-01", 40).await,
        o.volume("eu-de-02", 40).await,
    );
    let (nl, _) = token(&s, "eu-nl").await;
    let long = "x".repeat(256);
    let pair = |ids: Value, station: &str, model: &str| {
        json!({"replication": {"volume_ids": ids, "priority_station": station, "replication_model": model}}).to_string()
    };
    let ok_ids = json!([a, b]);
    let cases: Vec<Case> = vec![
        ("POST", "/os-vendor-replications", Some("{not json".into()), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(json!({"replication": {"volume_ids": "x"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "eu-de-01", "async")), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(json!([a, a]), "eu-de-01", "hypermetro")), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(json!([a]), "eu-de-01", "hypermetro")), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "eu-de-02", "hypermetro")), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "mars-1", "hypermetro")), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(json!({"replication": {"volume_ids": [a, b], "priority_station": "eu-de-01", "replication_model": "hypermetro", "name": long}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "eu-de-01", "hypermetro")), None, 401, "unauthorized"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "eu-de-01", "hypermetro")), Some("nope"), 401, "unauthorized"),
        ("POST", "/os-vendor-replications", Some(pair(ok_ids.clone(), "eu-de-01", "hypermetro")), Some(&nl), 400, "badRequest"),
        ("GET", "/os-vendor-replications/nope", None, Some(&o.token), 404, "itemNotFound"),
        ("DELETE", "/os-vendor-replications/nope", None, Some(&o.token), 404, "itemNotFound"),
        ("GET", "/os-vendor-replications?limit=0", None, Some(&o.token), 400, "badRequest"),
        ("GET", "/os-vendor-replications?limit=abc", None, Some(&o.token), 400, "badRequest"),
        ("GET", "/os-vendor-replications?marker=nope", None, Some(&o.token), 400, "badRequest"),
        ("GET", "/os-vendor-replications?sort_key=size", None, Some(&o.token), 400, "badRequest"),
        ("GET", "/os-vendor-replications?changes-since=yesterday", None, Some(&o.token), 400, "badRequest"),
        ("GET", "/os-vendor-replications?status=sleeping", None, Some(&o.token), 400, "badRequest"),
        ("PATCH", "/os-vendor-replications", None, Some(&o.token), 405, "badMethod"),
        ("GET", "/os-vendor-replication-consistency-groups/nope", None, Some(&o.token), 404, "itemNotFound"),
        ("POST", "/os-vendor-replication-consistency-groups", Some(json!({"replication_consistency_group": {"replication_ids": [], "priority_station": "eu-de-01", "replication_model": "hypermetro"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replication-consistency-groups", Some(json!({"replication_consistency_group": {"replication_ids": ["nope"], "priority_station": "eu-de-01", "replication_model": "hypermetro"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/os-vendor-replication-consistency-groups/nope/action", Some(json!({"os-sync-replication-consistency-group": null}).to_string()), Some(&o.token), 404, "itemNotFound"),
        ("POST", "/volumes", Some(json!({"volume": {"size": 40, "availability_zone": "eu-de-01", "volume_type": "cloud_essd"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/volumes", Some(json!({"volume": {"size": 40, "availability_zone": "cn-hangzhou-h"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/volumes", Some(json!({"volume": {"size": 5, "availability_zone": "eu-de-01"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("POST", "/volumes", Some(json!({"volume": {"size": -1, "availability_zone": "eu-de-01"}}).to_string()), Some(&o.token), 400, "badRequest"),
        ("GET", "/volumes/nope", None, Some(&o.token), 404, "itemNotFound"),
        ("GET", "/nothing-here", None, Some(&o.token), 404, "itemNotFound"),
    ];
    for (method, path, body, tok, status, fault) in cases {
        let (st, v) = o.send(method, path, body.as_deref(), tok).await;
        assert_eq!(
            (st, v.get(fault).is_some()),
            (status, true),
            "{method} {path} {body:?}: {v}"
        );
        assert!(
            v[fault]["code"].is_string() && v[fault]["message"].is_string(),
            "{v}"
        );
    }
    let (_, v) = o.call("GET", "/os-vendor-replications", None).await;
    assert_eq!(
        v["replications"],
        json!([]),
        "a refused call changed something"
    );
    let big = "x".repeat(2 * 1024 * 1024);
    let (st, _) = o
        .send("POST", "/volumes", Some(&big), Some(&o.token.clone()))
        .await;
    assert_eq!(st, 413);
}

#[tokio::test]
async fn a_pair_made_here_is_an_alibaba_pair_in_eu_de() {
    let s = spawn(instant()).await;
    let o = Otc::new(&s).await;
    let (a, b) = (
        o.volume("eu-de-01", 40).await,
        o.volume("eu-de-02", 40).await,
    );
    let body = json!({"replication": {"volume_ids": [a, b], "priority_station": "eu-de-01", "replication_model": "hypermetro"}});
    let (_, v) = o.call("POST", "/os-vendor-replications", Some(body)).await;
    let id = v["replication"]["id"].as_str().unwrap().to_owned();
    let v = s
        .ebs("DescribeDiskReplicaPairs", &[("RegionId", "eu-de")])
        .await
        .ok();
    let p = &v["ReplicaPairs"][0];
    assert_eq!(
        (p["ReplicaPairId"].as_str(), p["Status"].as_str()),
        (Some(id.as_str()), Some("created"))
    );
    assert_eq!(
        (p["SourceDiskId"].as_str(), p["DestinationZoneId"].as_str()),
        (Some(a.as_str()), Some("eu-de-02"))
    );
    let d = s.disk("eu-de", &a).await;
    assert_eq!(d["Category"], "SSD");
    // Alibaba does not offer eu-de or SSD for its own creates and listings.
    s.ecs(
        "CreateDisk",
        &[
            ("RegionId", "eu-de"),
            ("ZoneId", "eu-de-01"),
            ("Size", "40"),
        ],
    )
    .await
    .err(404, "InvalidRegionId.NotFound");
    s.ecs(
        "CreateDisk",
        &[
            ("RegionId", "cn-hangzhou"),
            ("ZoneId", "cn-hangzhou-h"),
            ("Size", "40"),
            ("DiskCategory", "SSD"),
        ],
    )
    .await
    .err(400, "InvalidDiskCategory.ValueNotSupported");
    let regions = s.ecs("DescribeRegions", &[]).await.ok().to_string();
    assert!(!regions.contains("eu-de"));
    // A lone resize of a paired volume breaks the pair: DeviceSizeChanged.
    let (st, _) = o
        .call(
            "POST",
            &format!("/volumes/{a}/action"),
            Some(json!({"os-extend": {"new_size": 50}})),
        )
        .await;
    assert_eq!(st, 202);
    let v = s
        .call(EBS, "DescribeDiskReplicaPairs", &[("RegionId", "eu-de")])
        .await
        .ok();
    assert_eq!(
        (
            v["ReplicaPairs"][0]["Status"].as_str(),
            v["ReplicaPairs"][0]["StatusMessage"].as_str()
        ),
        (Some("invalid"), Some("DeviceSizeChanged"))
    );
    let (_, v) = o
        .call("GET", &format!("/os-vendor-replications/{id}"), None)
        .await;
    assert_eq!(
        (
            v["replication"]["status"].as_str(),
            v["replication"]["failure_detail"].as_str()
        ),
        (Some("error"), Some("37100041"))
    );
}

#[tokio::test]
async fn a_create_past_the_quota_is_over_limit() {
    let seed = r#"{ "accounts": [ { "id": "1000000000000001", "quotas": { "disks": 1 } } ] }"#;
    let s = spawn(Opts {
        fixtures: Some(crate::common::seed_file(seed)),
        ..instant()
    })
    .await;
    let o = Otc::new(&s).await;
    o.volume("eu-de-01", 40).await;
    let body = json!({"volume": {"size": 40, "availability_zone": "eu-de-01"}});
    let (st, v) = o.call("POST", "/volumes", Some(body)).await;
    assert_eq!(st, 413, "{v}");
    assert_eq!(v["overLimit"]["code"], "EVS.5413");
    let (_, v) = o.call("GET", "/volumes", None).await;
    assert_eq!(v["volumes"].as_array().map(Vec::len), Some(1), "{v}");
}

/// The request log's OTC actions, oldest first, with their statuses.
async fn logged(s: &Server) -> Vec<(String, u64, bool)> {
    let log = s.control_ok("GET", "/_emulator/requests", None).await;
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["dialect"] == "otc")
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
                e["faulted"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn one_request_is_one_log_entry_and_one_fault_decision() {
    let s = spawn(instant()).await;
    let o = Otc::new(&s).await;
    let (a, b) = (
        o.volume("eu-de-01", 40).await,
        o.volume("eu-de-02", 40).await,
    );
    let body = json!({"replication": {"volume_ids": [a, b], "priority_station": "eu-de-01",
        "replication_model": "hypermetro"}});
    let (st, v) = o.call("POST", "/os-vendor-replications", Some(body)).await;
    assert_eq!(st, 202, "{v}");
    let pair = v["replication"]["id"].as_str().unwrap().to_owned();
    // A rule for the delete fires on the delete itself, not on the check that the pair exists.
    s.control_ok(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action": "DeleteReplication", "code": "Busy", "http_status": 409, "count": 1}"#),
    )
    .await;
    let path = format!("/os-vendor-replications/{pair}");
    let (st, _) = o.call("DELETE", &path, None).await;
    assert_eq!(st, 409);
    let (st, v) = o.call("GET", &path, None).await;
    assert_eq!(
        (st, v["replication"]["id"].as_str()),
        (200, Some(pair.as_str()))
    );
    let (st, _) = o.call("DELETE", &path, None).await;
    assert_eq!(st, 202);
    let (st, _) = o.call("DELETE", &path, None).await;
    assert_eq!(st, 404);
    // Each entry's status is the one the client got.
    let want = [
        ("CreateVolume", 202, false),
        ("CreateVolume", 202, false),
        ("CreateReplication", 202, false),
        ("DeleteReplication", 409, true),
        ("ShowReplication", 200, false),
        ("DeleteReplication", 202, false),
        ("DeleteReplication", 404, false),
    ];
    let want: Vec<(String, u64, bool)> = want
        .iter()
        .map(|(a, st, f)| ((*a).to_owned(), *st, *f))
        .collect();
    assert_eq!(logged(&s).await, want);
}

#[tokio::test]
async fn users_and_projects_come_from_the_seed_file_too() {
    let seed = r#"{ "accounts": [],
        "openstack": {
          "users": [ { "name": "ops", "password": "s3cret", "domain": "Team" } ],
          "projects": [ { "name": "lab", "region": "eu-nl", "account": "ACCOUNT" } ] } }"#
        .replace("ACCOUNT", crate::common::OTHER_ACCOUNT);
    let s = spawn(Opts {
        fixtures: Some(crate::common::seed_file(&seed)),
        ..instant()
    })
    .await;
    let auth = |user: &str, password: &str, domain: &str, project: &str| {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": {"name": project, "domain": {"name": domain}}}}})
    };
    let client = reqwest::Client::new();
    let url = format!("{}/v3/auth/tokens", s.base);
    // The seed's lists replace the defaults: admin/admin and eu-de are gone.
    let r = client
        .post(&url)
        .body(auth("admin", "admin", "Default", "eu-de").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .post(&url)
        .body(auth("ops", "s3cret", "Team", "lab").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.headers()["x-subject-token"].to_str().unwrap().to_owned();
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    let project = v["token"]["project"]["id"].as_str().unwrap().to_owned();
    let r = client
        .post(format!("{}/v2/{project}/volumes", s.base))
        .header("x-auth-token", &token)
        .body(json!({"volume": {"size": 10, "availability_zone": "eu-nl-01"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // The project is the seed's account in eu-nl: an Alibaba call of that account sees the volume.
    let key = (crate::common::OTHER_ID, crate::common::OTHER_SECRET);
    let disks = s
        .signed(key, "DescribeDisks", &[("RegionId", "eu-nl")])
        .await
        .ok();
    assert_eq!(disks["TotalCount"], 1, "{disks}");
    let mine = s.ecs("DescribeDisks", &[("RegionId", "eu-nl")]).await.ok();
    assert_eq!(mine["TotalCount"], 0, "{mine}");
}

#[test]
fn a_seed_naming_an_unknown_region_for_a_project_is_refused_at_start() {
    let seed = crate::common::seed_file(
        r#"{ "accounts": [], "openstack": { "projects": [ { "name": "x", "region": "mars-1" } ] } }"#,
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-emulator"))
        .args(["serve", "--listen", "127.0.0.1:0", "--fixtures"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("openstack.projects") && err.contains("mars-1"),
        "{err}"
    );
}
