//! The dashboard's endpoints over the wire: its embedded page, the view and its live stream of
//! changes, and pair and group actions on the engine's path, logged as the dashboard's.

use serde_json::{json, Value};

use crate::common::replica::{join_group, new_group, new_pair, pair_op, HZ, SH};
use crate::common::{default_server, spawn, Opts, Server, EBS};

fn rows<'a>(view: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    view["upsert"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |r| r["t"] == kind)
}

fn row(view: &Value, kind: &str, id: &str) -> Value {
    rows(view, kind)
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn act(s: &Server, kind: &str, id: &str, op: &str) -> (u16, Value) {
    let account = "1000000000000001";
    let body = json!({ "account": account, "kind": kind, "id": id, "op": op }).to_string();
    let (status, _, v) = s
        .control("POST", "/_emulator/dashboard/act", Some(&body), &[])
        .await;
    (status, v)
}

#[tokio::test]
async fn the_page_and_its_assets_are_embedded_with_a_strict_policy() {
    let s = default_server().await;
    for (path, ty) in [
        ("/_emulator/ui/", "text/html"),
        ("/_emulator/ui/app.js", "text/javascript"),
        ("/_emulator/ui/app.css", "text/css"),
        ("/_emulator/ui/icon.svg", "image/svg+xml"),
    ] {
        let res = reqwest::get(format!("{}{path}", s.base)).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let h = res.headers();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(ty),
            "{path}"
        );
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h["x-frame-options"], "DENY");
        let body = res.text().await.unwrap();
        // Nothing from elsewhere (the SVG namespace is a name, not a load).
        let outside = body
            .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
            .contains("://");
        assert!(!outside, "{path} names another origin");
    }
    let (status, _, v) = s.control("GET", "/_emulator/ui/nope.js", None, &[]).await;
    assert_eq!(status, 404);
    assert!(v["error"].is_string());
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/_emulator/ui", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/_emulator/ui/");
}

#[tokio::test]
async fn the_view_shows_pairs_groups_disks_counts_and_the_clock() {
    let s = default_server().await;
    let (pair, src, dst) = new_pair(&s, EBS, HZ, SH, &[("RPO", "900")]).await;
    let group = new_group(&s, HZ, SH, &[]).await;
    join_group(&s, HZ.0, &group, &pair).await;
    let v = s.control_get("/_emulator/view").await;
    assert_eq!(v["full"], true);
    assert_eq!(v["clock"]["mode"], "manual");
    let p = row(&v, "pair", &pair);
    assert_eq!(
        p["src"],
        json!({ "region": HZ.0, "zone": HZ.1, "disk": src })
    );
    assert_eq!(
        p["dst"],
        json!({ "region": SH.0, "zone": SH.1, "disk": dst })
    );
    assert_eq!(p["primary"]["region"], HZ.0);
    assert_eq!(p["rpo"], 900);
    assert_eq!(p["group"], group.as_str());
    assert_eq!(p["sync"]["status"], "created");
    let g = row(&v, "group", &group);
    assert_eq!(g["pairs"], json!([pair]));
    let d = row(&v, "disk", &src);
    assert_eq!(d["pair"], pair.as_str());
    assert_eq!(d["status"], "available");
    assert_eq!(v["summary"]["counts"]["pair"]["created"], 1);
    assert_eq!(v["summary"]["timing"], "instant");
    assert!(v["summary"]["accounts"]
        .as_array()
        .unwrap()
        .contains(&json!("1000000000000001")));
}

#[tokio::test]
async fn dashboard_actions_take_the_engine_path_and_are_logged_as_the_dashboards() {
    let s = default_server().await;
    let (pair, src, dst) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let (status, v) = act(&s, "pair", &pair, "start").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["action"], "StartDiskReplicaPair");
    assert_eq!(v["region"], HZ.0);
    assert_eq!(v["status"], 200);
    let (_, v) = act(&s, "pair", &pair, "failover").await;
    assert_eq!(
        (v["status"].clone(), v["region"].clone()),
        (json!(200), json!(SH.0))
    );
    let (_, v) = act(&s, "pair", &pair, "reprotect").await;
    assert_eq!(v["status"], 200, "{v}");
    // Reprotected: the direction is reversed, as the API shows it.
    let listed = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", SH.0), ("PairIds", pair.as_str())],
        )
        .await
        .ok();
    assert_eq!(listed["ReplicaPairs"][0]["SourceDiskId"], dst.as_str());
    assert_eq!(listed["ReplicaPairs"][0]["DestinationDiskId"], src.as_str());

    // The cloud's refusal is relayed with the API's code (reprotect needs failovered).
    let (status, v) = act(&s, "pair", &pair, "reprotect").await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], 403);
    assert_eq!(v["code"], "OperationDenied.InvalidStatus");

    let log = s
        .control_get("/_emulator/requests?action=FailoverDiskReplicaPair")
        .await;
    let entry = &log["requests"][0];
    assert_eq!(entry["source"], "dashboard");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["version"], EBS);
    assert_eq!(entry["region"], SH.0);
    assert_eq!(
        entry["params"],
        json!({ "RegionId": SH.0, "ReplicaPairId": pair })
    );
    let refused = s
        .control_get("/_emulator/requests?action=ReprotectDiskReplicaPair&status=403")
        .await;
    assert_eq!(refused["requests"][0]["source"], "dashboard");
    assert_eq!(
        refused["requests"][0]["code"],
        "OperationDenied.InvalidStatus"
    );
}

#[tokio::test]
async fn a_fault_rule_stops_a_dashboard_action_too() {
    let s = default_server().await;
    let (pair, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    s.control_ok(
        "POST",
        "/_emulator/faults",
        Some(r#"{"action": "StartDiskReplicaPair", "code": "Throttling", "http_status": 400, "count": 1}"#),
    )
    .await;
    let (_, v) = act(&s, "pair", &pair, "start").await;
    assert_eq!(
        (v["status"].clone(), v["code"].clone()),
        (json!(400), json!("Throttling"))
    );
    let log = s
        .control_get("/_emulator/requests?action=StartDiskReplicaPair")
        .await;
    assert_eq!(log["requests"][0]["faulted"], true);
    assert_eq!(log["requests"][0]["source"], "dashboard");
    // Nothing changed: the pair is still created, and starts now that the rule is spent.
    let (_, v) = act(&s, "pair", &pair, "start").await;
    assert_eq!(v["status"], 200);
}

#[tokio::test]
async fn bad_actions_get_documented_refusals() {
    let s = default_server().await;
    let (pair, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let group = new_group(&s, HZ, SH, &[]).await;
    join_group(&s, HZ.0, &group, &pair).await;
    for (body, status) in [
        (
            r#"{"account":"1000000000000001","kind":"disk","id":"d","op":"start"}"#,
            400,
        ),
        (
            r#"{"account":"1000000000000001","kind":"pair","id":"p","op":"explode"}"#,
            400,
        ),
        (
            r#"{"account":"1000000000000001","kind":"pair","id":"p","op":"start","x":1}"#,
            400,
        ),
        (r#"{"account":"1000000000000001","kind":"pair"}"#, 400),
        (r#"not json"#, 400),
        (
            r#"{"account":"1000000000000001","kind":"pair","id":"pair-none","op":"start"}"#,
            404,
        ),
        (
            r#"{"account":"nobody","kind":"group","id":"g","op":"stop"}"#,
            404,
        ),
    ] {
        let (got, _, v) = s
            .control("POST", "/_emulator/dashboard/act", Some(body), &[])
            .await;
        assert_eq!(got, status, "{body}: {v}");
        assert!(v["error"].is_string(), "{body}");
    }
    let long = "p".repeat(300);
    let (status, _) = act(&s, "pair", &long, "start").await;
    assert_eq!(status, 400);
    // A group member moves with its group: the pair-level start is refused as the API does.
    let (_, v) = act(&s, "pair", &pair, "start").await;
    assert_eq!(v["status"], 403, "{v}");
    let (_, v) = act(&s, "group", &group, "start").await;
    assert_eq!(v["status"], 200, "{v}");
    assert_eq!(v["action"], "StartDiskReplicaGroup");
}

#[tokio::test]
async fn the_control_rules_guard_the_view_and_the_actions() {
    let s = spawn(Opts {
        admin_token: Some("sesame".into()),
        ..Opts::default()
    })
    .await;
    // The page itself loads (it holds nothing), so that it can ask for the token.
    let page = reqwest::get(format!("{}/_emulator/ui/", s.base))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    for path in ["/_emulator/view", "/_emulator/view/stream"] {
        let (status, _, _) = s.control("GET", path, None, &[]).await;
        assert_eq!(status, 401, "{path}");
    }
    let body = r#"{"account":"a","kind":"pair","id":"p","op":"delete"}"#;
    let (status, _, _) = s
        .control("POST", "/_emulator/dashboard/act", Some(body), &[])
        .await;
    assert_eq!(status, 401);
    let auth = [("authorization", "Bearer sesame")];
    let (status, _, v) = s.control("GET", "/_emulator/view", None, &auth).await;
    assert_eq!(status, 200);
    assert_eq!(v["full"], true);

    let open = default_server().await;
    let evil = [("origin", "http://evil.example")];
    let (status, _, _) = open
        .control("POST", "/_emulator/dashboard/act", Some(body), &evil)
        .await;
    assert_eq!(status, 403);
}

/// Reads server-sent events until `n` `view` events arrived; their data as JSON.
async fn view_events(res: &mut reqwest::Response, n: usize) -> Vec<Value> {
    let mut buf = String::new();
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), res.chunk())
            .await
            .expect("an event within 5 s")
            .expect("chunk")
            .expect("stream open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.lines().any(|l| l == "event: view") {
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                out.push(serde_json::from_str(&data).expect("JSON data"));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_stream_sends_everything_once_then_only_what_changed() {
    let s = default_server().await;
    let (pair, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let (other, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let mut res = reqwest::get(format!("{}/_emulator/view/stream", s.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let first = view_events(&mut res, 1).await.remove(0);
    assert_eq!(first["full"], true);
    assert_eq!(row(&first, "pair", &pair)["sync"]["status"], "created");

    pair_op(&s, "StartDiskReplicaPair", HZ.0, &pair).await.ok();
    let next = view_events(&mut res, 1).await.remove(0);
    assert_eq!(next["full"], false);
    let changed: Vec<_> = rows(&next, "pair").map(|r| r["id"].clone()).collect();
    assert_eq!(changed, vec![json!(pair)], "only the started pair: {next}");
    assert!(row(&next, "pair", &other).is_null());
    assert!(next["clock"].is_null(), "the clock did not move");

    s.advance(5.0).await;
    pair_op(&s, "StopDiskReplicaPair", HZ.0, &other).await;
    let after = view_events(&mut res, 1).await.remove(0);
    assert!(
        after["clock"]["now_ms"].is_i64(),
        "an advance is sent: {after}"
    );

    s.reset().await;
    let gone = view_events(&mut res, 1).await.remove(0);
    let gone_ids: Vec<_> = gone["gone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g[1].as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        gone_ids.contains(&pair) && gone_ids.contains(&other),
        "{gone}"
    );
}

#[tokio::test]
async fn a_world_larger_than_one_read_slice_is_shown_whole() {
    // 2,300 disks and 700 instances (each with its system disk) in one account and 1,200 disks
    // in another: several slices of the world lock, across kinds and accounts.
    let disks = |prefix: &str, n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                json!({"id": format!("d-bp1{prefix}{i:010}"), "region_id": "cn-hangzhou",
                "zone_id": "cn-hangzhou-h", "category": "cloud_essd", "size": 20})
            })
            .collect()
    };
    let instances: Vec<Value> = (0..700)
        .map(|i| {
            json!({"id": format!("i-bp1slice{i:010}"), "region_id": "cn-hangzhou",
            "zone_id": "cn-hangzhou-h", "status": "Stopped"})
        })
        .collect();
    let seed = json!({"accounts": [
        {"id": "1000000000000001", "instances": instances, "disks": disks("first", 2_300)},
        {"id": "1000000000000002", "disks": disks("second", 1_200)},
    ]});
    let s = spawn(Opts {
        fixtures: Some(crate::common::seed_file(&seed.to_string())),
        ..Opts::default()
    })
    .await;
    let (status, _, view) = s.control("GET", "/_emulator/view", None, &[]).await;
    assert_eq!(status, 200);
    let count = |kind: &str, account: &str| {
        rows(&view, kind)
            .filter(|r| r["account"] == account)
            .count()
    };
    assert_eq!(count("instance", "1000000000000001"), 700);
    assert_eq!(count("disk", "1000000000000001"), 3_000);
    assert_eq!(count("disk", "1000000000000002"), 1_200);
    let ids: std::collections::BTreeSet<&str> = rows(&view, "disk")
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 4_200, "no disk twice, none missing");
}
