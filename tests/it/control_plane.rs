//! The control plane over TCP: info, reset (all, one account, seeded), state export and import
//! (also as a seed file), the clock (advance, pause, resume, refusals), fault rules, the request
//! log and its stream, deterministic ids, the access rules, and the CLI subcommands.

use serde_json::{json, Value};

use crate::common::replica::{new_pair, HZ, SH};
use crate::common::{default_server, spawn, Opts, Server, EBS, ECS};
use ecs_emulator::config::{ClockMode, Timing};

const STOPPED: &str = "i-bp1seedstopped000001";
const OTHER: &str = "1000000000000002";

async fn disk_ids(s: &Server, region: &str) -> Vec<String> {
    let v = s
        .ecs(
            "DescribeDisks",
            &[("RegionId", region), ("PageSize", "100")],
        )
        .await
        .ok();
    v["Disks"]["Disk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DiskId"].as_str().unwrap().to_owned())
        .collect()
}

async fn create_disk(s: &Server) -> String {
    s.ecs(
        "CreateDisk",
        &[
            ("RegionId", "cn-hangzhou"),
            ("ZoneId", "cn-hangzhou-h"),
            ("Size", "20"),
        ],
    )
    .await
    .ok()["DiskId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn info_lists_dialects_operations_clock_and_accounts() {
    let s = default_server().await;
    let info = s.control_ok("GET", "/_emulator/info", None).await;
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["timing"], "instant");
    assert_eq!(info["clock"]["mode"], "manual");
    let accounts: Vec<&str> = info["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["1000000000000001", OTHER]);
    let alibaba = &info["dialects"][0];
    assert_eq!(alibaba["name"], "alibaba");
    let ebs = alibaba["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == "ebs")
        .unwrap();
    assert_eq!(ebs["version"], EBS);
    assert!(ebs["operations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "FailoverDiskReplicaGroup"));
}

#[tokio::test]
async fn reset_of_one_account_leaves_the_others() {
    let s = default_server().await;
    let mine = create_disk(&s).await;
    let theirs = s
        .signed(
            (crate::common::OTHER_ID, crate::common::OTHER_SECRET),
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "20"),
            ],
        )
        .await
        .ok()["DiskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = s
        .control_ok(
            "POST",
            "/_emulator/reset",
            Some(&json!({ "account": OTHER }).to_string()),
        )
        .await;
    assert_eq!(
        (v["reset"].clone(), v["account"].clone()),
        (json!(true), json!(OTHER))
    );
    assert!(disk_ids(&s, "cn-hangzhou").await.contains(&mine));
    let other = s
        .signed(
            (crate::common::OTHER_ID, crate::common::OTHER_SECRET),
            "DescribeDisks",
            &[("RegionId", "cn-hangzhou")],
        )
        .await
        .ok();
    assert!(
        !other["Disks"]["Disk"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["DiskId"] == theirs.as_str()),
        "{theirs} survived its account's reset"
    );
    s.control_ok("POST", "/_emulator/reset", None).await;
    assert!(!disk_ids(&s, "cn-hangzhou").await.contains(&mine));
}

/// A create and a start: their bodies.
async fn two_calls(s: &Server) -> (String, String) {
    let a = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "20"),
            ],
        )
        .await;
    let b = s.ecs("StartInstance", &[("InstanceId", STOPPED)]).await;
    (a.body, b.body)
}

/// The pair as Describe shows it, with every disk of the region.
async fn pair_and_disks(s: &Server, pair: &str) -> Value {
    let p = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", "cn-hangzhou"), ("PairIds", pair)],
        )
        .await
        .ok();
    let d = s
        .ecs(
            "DescribeDisks",
            &[("RegionId", "cn-hangzhou"), ("PageSize", "100")],
        )
        .await
        .ok();
    json!({ "pairs": p["ReplicaPairs"], "disks": d["Disks"] })
}

/// Twenty DescribeRegions: `.` answered, `x` faulted.
async fn throttle_pattern(s: &Server) -> String {
    let mut hits = String::new();
    for _ in 0..20 {
        let r = s.ecs("DescribeRegions", &[]).await;
        hits.push(if r.status == 200 { '.' } else { 'x' });
    }
    hits
}

/// With the same seed, the same calls give the same bodies: resource ids and request ids.
#[tokio::test]
async fn a_seed_makes_ids_and_bodies_reproducible() {
    let s = default_server().await;
    s.control_ok("POST", "/_emulator/reset", Some(r#"{"seed": 42}"#))
        .await;
    let first = two_calls(&s).await;
    s.control_ok("POST", "/_emulator/reset", Some(r#"{"seed": 42}"#))
        .await;
    let second = two_calls(&s).await;
    assert_eq!(first, second);
    s.control_ok("POST", "/_emulator/reset", Some(r#"{"seed": 43}"#))
        .await;
    assert_ne!(two_calls(&s).await.0, first.0);
    // A plain reset goes back to the --seed sequence.
    s.control_ok("POST", "/_emulator/reset", None).await;
    let a = two_calls(&s).await;
    s.control_ok("POST", "/_emulator/reset", None).await;
    assert_eq!(two_calls(&s).await, a);
}

#[tokio::test]
async fn state_export_and_import_round_trip() {
    let s = default_server().await;
    let (pair, ..) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let disk = create_disk(&s).await;
    let doc = s.control_ok("GET", "/_emulator/state", None).await;
    assert_eq!(doc["format_version"], 2);
    let before = pair_and_disks(&s, &pair).await;
    s.control_ok("POST", "/_emulator/reset", None).await;
    assert!(!disk_ids(&s, "cn-hangzhou").await.contains(&disk));
    s.control_ok("PUT", "/_emulator/state", Some(&doc.to_string()))
        .await;
    // The same world exports the same document.
    let again = s.control_ok("GET", "/_emulator/state", None).await;
    assert!(
        again == doc,
        "the re-export differs from the imported document"
    );
    assert_eq!(pair_and_disks(&s, &pair).await, before);
    // One account only.
    let one = s
        .control_ok("GET", &format!("/_emulator/state?account={OTHER}"), None)
        .await;
    assert_eq!(
        one["accounts"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        [OTHER]
    );
}

#[tokio::test]
async fn a_bad_document_is_refused_and_changes_nothing() {
    let s = default_server().await;
    let disk = create_disk(&s).await;
    let mut doc = s.control_ok("GET", "/_emulator/state", None).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"format_version": 1}), "missing field"),
        (json!([1, 2]), "invalid type"),
        (
            {
                let mut d = doc.clone();
                d["format_version"] = json!(99);
                d
            },
            "newer than this build",
        ),
        (
            {
                let acc = doc["accounts"]["1000000000000001"]["disks"]
                    .as_object_mut()
                    .unwrap();
                let (_, d) = acc.iter_mut().next().unwrap();
                d["zone_id"] = json!("mars-1a");
                doc.clone()
            },
            "mars-1a",
        ),
    ];
    for (body, needle) in cases {
        let (status, _, v) = s
            .control("PUT", "/_emulator/state", Some(&body.to_string()), &[])
            .await;
        assert_eq!(status, 400, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    let (status, _, _) = s
        .control("PUT", "/_emulator/state", Some("{not json"), &[])
        .await;
    assert_eq!(status, 400);
    assert!(disk_ids(&s, "cn-hangzhou").await.contains(&disk));
}

/// An export can be a seed: a server started from it has the same resources, pairs included.
#[tokio::test]
async fn an_exported_state_is_a_seed() {
    let s = default_server().await;
    let (pair, ..) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let doc = s.control_ok("GET", "/_emulator/state", None).await;
    let path = std::env::temp_dir().join(format!("ecs-emulator-seed-{}.json", std::process::id()));
    std::fs::write(&path, doc.to_string()).unwrap();
    let t = spawn(Opts {
        fixtures: Some(path.clone()),
        ..Opts::default()
    })
    .await;
    std::fs::remove_file(&path).ok();
    let v = t
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", "cn-hangzhou"), ("PairIds", &pair)],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 1);
    t.ebs(
        "StartDiskReplicaPair",
        &[("RegionId", "cn-hangzhou"), ("ReplicaPairId", &pair)],
    )
    .await
    .ok();
}

#[tokio::test]
async fn the_clock_advances_pauses_and_resumes_and_refuses_nonsense() {
    let s = spawn(Opts {
        clock: ClockMode::Manual,
        ..Opts::default()
    })
    .await;
    let now = |v: &Value| v["now_ms"].as_i64().unwrap();
    let t0 = now(&s.control_ok("GET", "/_emulator/clock", None).await);
    for bad in [
        r#"{"advance_seconds": -1}"#,
        r#"{"advance_seconds": 1e300}"#,
        r#"{"advance_ms": 9223372036854775807}"#,
        r#"{"advance_ms": -5}"#,
        r#"{"advance_seconds": 1, "advance_ms": 1}"#,
        r#"{"advance_seconds": "soon"}"#,
        r#"{"advance_days": 1}"#,
        r#"{"mode": "backwards"}"#,
        r#"{}"#,
    ] {
        let (status, _, v) = s.control("POST", "/_emulator/clock", Some(bad), &[]).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
    assert_eq!(
        now(&s.control_ok("GET", "/_emulator/clock", None).await),
        t0
    );
    let v = s
        .control_ok("POST", "/_emulator/clock", Some(r#"{"advance_ms": 2500}"#))
        .await;
    assert_eq!(now(&v), t0 + 2500);
    let v = s
        .control_ok("POST", "/_emulator/clock", Some(r#"{"mode": "system"}"#))
        .await;
    assert_eq!(v["mode"], "system");
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    let moving = now(&s.control_ok("GET", "/_emulator/clock", None).await);
    assert!(
        moving >= t0 + 2550,
        "a resumed clock follows the wall clock"
    );
    let v = s
        .control_ok("POST", "/_emulator/clock", Some(r#"{"mode": "manual"}"#))
        .await;
    let paused = now(&v);
    assert!(paused >= moving, "pausing never goes back");
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    assert_eq!(
        now(&s.control_ok("GET", "/_emulator/clock", None).await),
        paused
    );
}

/// A pair's whole lifecycle on realistic timing, driven by the clock alone (no sleeping).
#[tokio::test]
async fn a_pair_lifecycle_without_sleeping() {
    let s = spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await;
    let (pair, ..) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let status = |region: &'static str| {
        let pair = pair.clone();
        let s = &s;
        async move {
            s.ebs(
                "DescribeDiskReplicaPairs",
                &[("RegionId", region), ("PairIds", &pair)],
            )
            .await
            .ok()["ReplicaPairs"][0]["Status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(status("cn-hangzhou").await, "creating");
    s.advance(2.0).await;
    assert_eq!(status("cn-hangzhou").await, "created");
    let target = [
        ("RegionId", "cn-hangzhou"),
        ("ReplicaPairId", pair.as_str()),
    ];
    s.ebs("StartDiskReplicaPair", &target).await.ok();
    assert_eq!(status("cn-hangzhou").await, "initial_syncing");
    s.advance(5.0).await;
    assert_eq!(status("cn-hangzhou").await, "normal");
    s.ebs("StopDiskReplicaPair", &target).await.ok();
    s.advance(2.0).await;
    let dr = [
        ("RegionId", "cn-shanghai"),
        ("ReplicaPairId", pair.as_str()),
    ];
    s.ebs("FailoverDiskReplicaPair", &dr).await.ok();
    assert_eq!(status("cn-shanghai").await, "failovering");
    s.advance(3.0).await;
    assert_eq!(status("cn-shanghai").await, "failovered");
    s.ebs("ReprotectDiskReplicaPair", &dr).await.ok();
    s.advance(3.0).await;
    assert_eq!(status("cn-shanghai").await, "stopped");
}

#[tokio::test]
async fn fault_rules_answer_errors_delay_and_count_down() {
    let s = default_server().await;
    let rule = json!({
        "action": "StartInstance", "resource_id": STOPPED,
        "code": "Throttling", "http_status": 400, "message": "Request was denied due to request throttling.",
        "retry_after": 2, "count": 1
    });
    let added = s
        .control_ok("POST", "/_emulator/faults", Some(&rule.to_string()))
        .await;
    let id = added["id"].as_str().unwrap().to_owned();
    let r = s.ecs("StartInstance", &[("InstanceId", STOPPED)]).await;
    r.err(400, "Throttling");
    assert_eq!(
        r.json()["Message"],
        "Request was denied due to request throttling."
    );
    // A faulted call changes nothing: the instance is still stopped, and starts next time.
    assert_eq!(s.instance_status("cn-hangzhou", STOPPED).await, "Stopped");
    s.ecs("StartInstance", &[("InstanceId", STOPPED)])
        .await
        .ok();
    let listed = s.control_ok("GET", "/_emulator/faults", None).await;
    assert_eq!(listed["faults"][0]["fired"], 1);
    let (status, _, _) = s
        .control("DELETE", &format!("/_emulator/faults/{id}"), None, &[])
        .await;
    assert_eq!(status, 200);
    let (status, _, _) = s
        .control("DELETE", &format!("/_emulator/faults/{id}"), None, &[])
        .await;
    assert_eq!(status, 404);
    // Latency, on one region only.
    s.control_ok(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action": "DescribeDisks", "region": "cn-beijing", "latency_ms": 300}"#),
    )
    .await;
    let t = std::time::Instant::now();
    s.ecs("DescribeDisks", &[("RegionId", "cn-hangzhou")])
        .await
        .ok();
    assert!(t.elapsed().as_millis() < 300);
    let t = std::time::Instant::now();
    s.ecs("DescribeDisks", &[("RegionId", "cn-beijing")])
        .await
        .ok();
    assert!(t.elapsed().as_millis() >= 300);
    s.control_ok("DELETE", "/_emulator/faults", None).await;
    assert_eq!(
        s.control_ok("GET", "/_emulator/faults", None).await["faults"],
        json!([])
    );
    // EBS calls get the EBS error body from the same rule shape.
    s.control_ok(
        "POST",
        "/_emulator/faults",
        Some(r#"{"version": "2021-07-30", "code": "ServiceUnavailable", "http_status": 503}"#),
    )
    .await;
    s.ebs("DescribeDiskReplicaPairs", &[("RegionId", "cn-hangzhou")])
        .await
        .err(503, "ServiceUnavailable");
}

#[tokio::test]
async fn seeded_probabilities_repeat_and_retry_after_is_sent() {
    let s = default_server().await;
    let rule = r#"{"action": "DescribeRegions", "code": "Throttling", "http_status": 400, "probability": 0.5, "seed": 7, "retry_after": 3}"#;
    s.control_ok("POST", "/_emulator/faults", Some(rule)).await;
    let first = throttle_pattern(&s).await;
    assert!(first.contains('x') && first.contains('.'), "{first}");
    s.control_ok("DELETE", "/_emulator/faults", None).await;
    s.control_ok("POST", "/_emulator/faults", Some(rule)).await;
    assert_eq!(throttle_pattern(&s).await, first);
    let (status, headers, _) = loop {
        let r = s
            .control(
                "GET",
                "/?Action=DescribeRegions&Version=2014-05-26",
                None,
                &[],
            )
            .await;
        if r.0 != 200 {
            break r;
        }
    };
    assert_eq!(status, 400);
    assert_eq!(headers["x-acs-retry-after"], "3");
}

#[tokio::test]
async fn faults_are_checked() {
    let s = default_server().await;
    for bad in [
        r#"{"action": "StartInstance"}"#,
        r#"{"code": "X"}"#,
        r#"{"code": "X", "http_status": 200}"#,
        r#"{"code": "X", "http_status": 500, "drop_connection": true}"#,
        r#"{"latency_ms": 999999}"#,
        r#"{"latency_ms": 1, "probability": 1.5}"#,
        r#"{"latency_ms": 1, "colour": "red"}"#,
    ] {
        let (status, _, v) = s.control("POST", "/_emulator/faults", Some(bad), &[]).await;
        assert_eq!(status, 400, "{bad}: {v}");
    }
}

#[tokio::test]
async fn the_request_log_records_calls_without_secrets() {
    let s = spawn(Opts {
        request_log_size: 5,
        ..Opts::default()
    })
    .await;
    s.signed(
        (crate::common::KEY_ID, crate::common::KEY_SECRET),
        "StartInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .ok();
    let junk = "j".repeat(5_000);
    s.ecs(
        "StartInstance",
        &[("InstanceId", "i-nope"), ("Junk", &junk)],
    )
    .await;
    s.call(ECS, "LaunchRocket", &[]).await;
    s.control_ok(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action": "DescribeRegions", "code": "Throttling", "http_status": 400, "count": 1}"#),
    )
    .await;
    s.ecs("DescribeRegions", &[]).await;
    let log = s.control_ok("GET", "/_emulator/requests", None).await;
    let entries = log["requests"].as_array().unwrap();
    assert_eq!(log["capacity"], 5);
    assert_eq!(entries.len(), 4);
    let start = &entries[0];
    assert_eq!(start["action"], "StartInstance");
    assert_eq!(start["status"], 200);
    assert_eq!(start["resource_ids"], json!([STOPPED]));
    assert_eq!(start["params"]["InstanceId"], STOPPED);
    assert!(start["params"].get("Signature").is_none());
    assert!(start["params"].get("AccessKeyId").is_some());
    assert_eq!(start["request_id"].as_str().unwrap().len(), 36);
    assert!(start["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(entries[1]["code"], "InvalidInstanceId.NotFound");
    let kept = entries[1]["params"]["Junk"].as_str().unwrap();
    assert_eq!(kept, format!("{}…(5000 bytes)", &junk[..1024]));
    assert_eq!(
        (entries[2]["action"].clone(), entries[2]["status"].clone()),
        (json!("LaunchRocket"), json!(404))
    );
    assert_eq!(
        (entries[3]["faulted"].clone(), entries[3]["code"].clone()),
        (json!(true), json!("Throttling"))
    );
    let only = s
        .control_ok("GET", "/_emulator/requests?status=404", None)
        .await;
    assert_eq!(only["requests"].as_array().unwrap().len(), 2);
    for _ in 0..4 {
        s.ecs("DescribeRegions", &[]).await.ok();
    }
    let log = s.control_ok("GET", "/_emulator/requests", None).await;
    let seqs: Vec<i64> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [4, 5, 6, 7, 8], "bounded, newest last");
}

#[tokio::test]
async fn the_request_stream_sends_new_calls() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = default_server().await;
    let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(
        b"GET /_emulator/requests/stream?action=StartInstance HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    s.ecs("DescribeRegions", &[]).await.ok();
    s.ecs("StartInstance", &[("InstanceId", STOPPED)])
        .await
        .ok();
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !got.contains("event: request") && std::time::Instant::now() < deadline {
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), conn.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(got.contains("text/event-stream"), "{got}");
    assert!(got.contains("\"action\":\"StartInstance\""), "{got}");
    assert!(!got.contains("DescribeRegions"), "filtered: {got}");
}

#[tokio::test]
async fn a_web_page_cannot_drive_the_control_plane() {
    let s = default_server().await;
    let evil = [("origin", "http://evil.example")];
    let (status, _, _) = s.control("POST", "/_emulator/reset", None, &evil).await;
    assert_eq!(status, 403);
    let (status, _, _) = s
        .control(
            "POST",
            "/_emulator/reset",
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(status, 415);
    let (status, _, _) = s
        .control(
            "GET",
            "/_emulator/state",
            None,
            &[("host", "rebound.example:18090")],
        )
        .await;
    assert_eq!(status, 403);
    let own = format!("http://{}", s.addr);
    let (status, _, _) = s
        .control("POST", "/_emulator/reset", None, &[("origin", &own)])
        .await;
    assert_eq!(status, 200);
    // Health stays open to probes.
    let (status, _, _) = s
        .control("GET", "/_emulator/health", None, &[("host", "anything")])
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_admin_token_guards_every_control_endpoint() {
    let s = spawn(Opts {
        admin_token: Some("s3cret".into()),
        ..Opts::default()
    })
    .await;
    for (method, path) in [
        ("GET", "/_emulator/info"),
        ("GET", "/_emulator/state"),
        ("POST", "/_emulator/reset"),
        ("GET", "/_emulator/requests"),
        ("DELETE", "/_emulator/faults"),
    ] {
        let (status, _, _) = s.control(method, path, None, &[]).await;
        assert_eq!(status, 401, "{method} {path}");
        let (status, _, _) = s
            .control(method, path, None, &[("authorization", "Bearer wrong")])
            .await;
        assert_eq!(status, 401, "{method} {path}");
    }
    let disk = create_disk(&s).await;
    let (status, _, _) = s.control("POST", "/_emulator/reset", None, &[]).await;
    assert_eq!(status, 401);
    assert!(
        disk_ids(&s, "cn-hangzhou").await.contains(&disk),
        "nothing changed"
    );
    let (status, _, v) = s
        .control(
            "GET",
            "/_emulator/info",
            None,
            &[("authorization", "Bearer s3cret")],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, _, _) = s.control("GET", "/_emulator/health", None, &[]).await;
    assert_eq!(status, 200);
}

#[test]
fn a_public_listener_needs_an_admin_token() {
    let mut args = ecs_emulator::config::ServeArgs::for_listen("0.0.0.0:0".parse().unwrap());
    let err = ecs_emulator::AppState::from_args(&args).err().unwrap();
    assert!(err.contains("--admin-token"), "{err}");
    args.admin_token = Some("t".into());
    assert!(ecs_emulator::AppState::from_args(&args).is_ok());
}

fn cli(s: &Server, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecs-emulator"))
        .args(args)
        .env("ECS_EMULATOR_URL", &s.base)
        .output()
        .expect("run the binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_drives_every_endpoint() {
    let s = default_server().await;
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let (ok, out, _) = tokio::task::block_in_place(|| cli(&s, &["info"]));
    assert!(ok);
    assert_eq!(json(&out)["clock"]["mode"], "manual");
    let disk = create_disk(&s).await;
    let (ok, exported, _) = tokio::task::block_in_place(|| cli(&s, &["state", "export"]));
    assert!(ok);
    assert!(exported.contains(&disk));
    let (ok, _, _) = tokio::task::block_in_place(|| cli(&s, &["reset", "--seed", "5"]));
    assert!(ok);
    assert!(!disk_ids(&s, "cn-hangzhou").await.contains(&disk));
    let file = std::env::temp_dir().join(format!("ecs-emulator-cli-{}.json", std::process::id()));
    std::fs::write(&file, &exported).unwrap();
    let (ok, _, err) =
        tokio::task::block_in_place(|| cli(&s, &["state", "import", file.to_str().unwrap()]));
    std::fs::remove_file(&file).ok();
    assert!(ok, "{err}");
    assert!(disk_ids(&s, "cn-hangzhou").await.contains(&disk));
    let (ok, out, _) = tokio::task::block_in_place(|| cli(&s, &["clock", "--advance", "1.5"]));
    assert!(ok);
    assert!(json(&out)["now_ms"].is_i64());
    let (ok, out, _) = tokio::task::block_in_place(|| {
        cli(
            &s,
            &[
                "faults",
                "add",
                r#"{"action":"DescribeRegions","code":"Throttling","http_status":400}"#,
            ],
        )
    });
    assert!(ok);
    let id = json(&out)["id"].as_str().unwrap().to_owned();
    s.ecs("DescribeRegions", &[]).await.err(400, "Throttling");
    let (ok, out, _) = tokio::task::block_in_place(|| cli(&s, &["faults", "list"]));
    assert!(ok && out.contains(&id));
    let (ok, _, _) = tokio::task::block_in_place(|| cli(&s, &["faults", "delete", &id]));
    assert!(ok);
    let (ok, _, err) = tokio::task::block_in_place(|| cli(&s, &["faults", "delete", &id]));
    assert!(!ok && err.contains("404"));
    let (ok, _, _) = tokio::task::block_in_place(|| cli(&s, &["faults", "clear"]));
    assert!(ok);
    let (ok, out, _) = tokio::task::block_in_place(|| {
        cli(
            &s,
            &["requests", "--action", "DescribeRegions", "--limit", "1"],
        )
    });
    assert!(ok);
    assert_eq!(json(&out)["requests"][0]["code"], "Throttling");
}

/// While the persisted state loads, health says `starting` (503) and every call is 503 in its
/// dialect; once loaded, both serve.
#[tokio::test]
async fn nothing_is_served_before_the_state_is_loaded() {
    let s = default_server().await;
    s.state
        .ready
        .store(false, std::sync::atomic::Ordering::Release);
    let (status, _, v) = s.control("GET", "/_emulator/health", None, &[]).await;
    assert_eq!((status, v["status"].as_str()), (503, Some("starting")));
    s.ecs("DescribeRegions", &[])
        .await
        .err(503, "ServiceUnavailable");
    let (status, _, _) = s.control("GET", "/_emulator/info", None, &[]).await;
    assert_eq!(status, 503);
    s.state
        .ready
        .store(true, std::sync::atomic::Ordering::Release);
    s.ecs("DescribeRegions", &[]).await.ok();
    let (status, _, _) = s.control("GET", "/_emulator/health", None, &[]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_dropped_connection_closes_without_an_answer() {
    let s = default_server().await;
    let (status, _, v) = s
        .control(
            "POST",
            "/_emulator/faults",
            Some(r#"{"action": "DescribeRegions", "drop_connection": true, "count": 1}"#),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let request = format!(
        "GET /?Action=DescribeRegions&Version={ECS} HTTP/1.1\r\nHost: {}\r\n\r\n",
        s.addr
    );
    let started = std::time::Instant::now();
    let answer = s.raw(request.as_bytes()).await;
    assert_eq!(answer, "", "a dropped call sends nothing");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "the connection is closed, not left to time out"
    );
    // The rule is spent: the next call on a new connection is answered.
    let answer = s
        .raw(
            request
                .replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_state_document_of_many_megabytes_imports() {
    let disks: Vec<Value> = (0..8_000)
        .map(|i| {
            json!({"id": format!("d-bp1bulk{i:012}"), "region_id": "cn-hangzhou",
                   "zone_id": "cn-hangzhou-h", "size": 40, "name": format!("bulk-{i}")})
        })
        .collect();
    let seed = json!({"accounts": [{"id": "1000000000000001", "disks": disks}]});
    let s = spawn(Opts {
        fixtures: Some(crate::common::seed_file(&seed.to_string())),
        ..Opts::default()
    })
    .await;
    let doc = s
        .control_ok("GET", "/_emulator/state", None)
        .await
        .to_string();
    assert!(doc.len() > 5 * 1024 * 1024 / 2, "{} bytes", doc.len());
    let gone = "d-bp1bulk000000000007";
    s.ecs("DeleteDisk", &[("DiskId", gone)]).await.ok();
    let after_delete = s
        .control_ok("GET", "/_emulator/state", None)
        .await
        .to_string();
    assert!(!after_delete.contains(gone));
    s.control_ok("PUT", "/_emulator/state", Some(&doc)).await;
    let again = s
        .control_ok("GET", "/_emulator/state", None)
        .await
        .to_string();
    assert!(again == doc, "the imported document is not the world");
}
