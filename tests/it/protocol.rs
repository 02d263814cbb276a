//! The RPC protocol over the wire: dispatch, formats, both signature schemes in both modes,
//! account isolation, and malformed input (every case a documented code, never a panic).

use crate::common::{
    default_server, nonce, spawn, timestamp_now, Opts, EBS, ECS, KEY_ID, KEY_SECRET, OTHER_ACCOUNT,
    OTHER_ID, OTHER_SECRET,
};
use ecs_emulator::config::AuthMode;

const STOPPED: &str = "i-bp1seedstopped000001";

#[tokio::test]
async fn dispatch_on_version_and_action() {
    let s = default_server().await;
    s.call(ECS, "NoSuchAction", &[])
        .await
        .err(404, "InvalidAction.NotFound");
    s.call("2099-01-01", "StartInstance", &[("InstanceId", STOPPED)])
        .await
        .err(400, "InvalidVersion");
    s.call(EBS, "StartInstance", &[("InstanceId", STOPPED)])
        .await
        .err(404, "InvalidAction.NotFound");
    let r = s
        .raw(b"GET /?Version=2014-05-26 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    assert!(
        r.starts_with("HTTP/1.1 400") && r.contains("\"Code\":\"MissingAction\""),
        "{r}"
    );
    let r = s
        .raw(b"GET /?Action=StartInstance HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    assert!(
        r.starts_with("HTTP/1.1 400") && r.contains("\"Code\":\"InvalidVersion\""),
        "{r}"
    );
    // Action and Version may come from the x-acs-* headers (Tea clients send nothing else).
    let r = s
        .raw(format!("POST /?InstanceId={STOPPED} HTTP/1.1\r\nHost: x\r\nx-acs-action: StartInstance\r\nx-acs-version: 2014-05-26\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())
        .await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // Other paths and methods get documented bodies too.
    let r = s
        .raw(b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    assert!(
        r.starts_with("HTTP/1.1 404") && r.contains("\"Code\":\"InvalidAction.NotFound\""),
        "{r}"
    );
    let r = s.raw(b"PUT /?Action=StartInstance&Version=2014-05-26 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
    assert!(
        r.starts_with("HTTP/1.1 403") && r.contains("UnsupportedHTTPMethod"),
        "{r}"
    );
}

#[tokio::test]
async fn form_bodies_plain_and_chunked() {
    let s = default_server().await;
    s.form(&[
        ("Action", "StartInstance"),
        ("Version", ECS),
        ("InstanceId", STOPPED),
    ])
    .await
    .ok();
    assert_eq!(s.instance_status("cn-hangzhou", STOPPED).await, "Running");
    let body = "Action=StopInstance&Version=2014-05-26&InstanceId=i-bp1seedstopped000001";
    let req = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        20,
        &body[..20],
        body.len() - 20,
        &body[20..]
    );
    let r = s.raw(req.as_bytes()).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert_eq!(s.instance_status("cn-hangzhou", STOPPED).await, "Stopped");
}

#[tokio::test]
async fn malformed_requests_get_documented_errors() {
    let s = spawn(Opts {
        max_body_bytes: 4096,
        request_timeout: std::time::Duration::from_millis(300),
        ..Opts::default()
    })
    .await;
    let send = |q: &str| format!("GET /?{q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    for (query, code) in [
        (
            "Action=StartInstance&Version=2014-05-26&InstanceId=%zz",
            "InvalidParameter",
        ),
        (
            "Action=StartInstance&Version=2014-05-26&InstanceId=%FF%FE",
            "InvalidParameter",
        ),
        (
            "Action=StartInstance&Version=2014-05-26&InstanceId=%4",
            "InvalidParameter",
        ),
        (
            "Action=StartInstance&Version=2014-05-26&InstanceId=i-a&InstanceId=i-b",
            "InvalidParameter",
        ),
        (
            "Action=StartInstance&Version=2014-05-26&InstanceId=i-a&DryRun=maybe",
            "InvalidParameter",
        ),
        (
            "Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&PageSize=ten",
            "InvalidParameter",
        ),
        (
            "Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&PageNumber=-1",
            "InvalidParameter",
        ),
        (
            "Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&NextToken=garbage",
            "InvalidParameter",
        ),
        (
            "Action=DescribeInstances&Version=2014-05-26&RegionId=cn-hangzhou&Tag.1.Value=x",
            "InvalidTag.Mismatch",
        ),
        (
            "Action=StopInstance&Version=2014-05-26&InstanceId=i-a&StoppedMode=Sleep",
            "InvalidParameter",
        ),
    ] {
        let r = s.raw(send(query).as_bytes()).await;
        assert!(
            r.starts_with("HTTP/1.1 400") && r.contains(&format!("\"Code\":\"{code}\"")),
            "{query}: {r}"
        );
    }
    // The same value twice is harmless.
    let r = s
        .raw(
            send(&format!(
                "Action=StartInstance&Version=2014-05-26&InstanceId={STOPPED}&InstanceId={STOPPED}"
            ))
            .as_bytes(),
        )
        .await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // Raw non-UTF-8 bytes in a form body.
    let mut req = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 24\r\nConnection: close\r\n\r\nAction=StartInstance&X=\xff".to_vec();
    req.truncate(req.len());
    let r = s.raw(&req).await;
    assert!(
        r.starts_with("HTTP/1.1 400") && r.contains("InvalidParameter"),
        "{r}"
    );
    // A body over the limit.
    let big = "A=".to_owned() + &"x".repeat(10_000);
    let r = s.raw(format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}", big.len()).as_bytes()).await;
    assert!(
        r.starts_with("HTTP/1.1 413") && r.contains("InvalidParameter.RequestTooLarge"),
        "{r}"
    );
    // A body that never arrives.
    let r = s.raw(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nConnection: close\r\n\r\nAction=").await;
    assert!(
        r.starts_with("HTTP/1.1 504") && r.contains("RequestTimeout"),
        "{r}"
    );
    // Still serving, state intact.
    assert_eq!(s.instance_status("cn-hangzhou", STOPPED).await, "Running");
    assert_eq!(s.control_get("/_emulator/health").await["status"], "ready");
}

#[tokio::test]
async fn permissive_mode_checks_only_known_keys() {
    let s = default_server().await;
    s.signed(
        (KEY_ID, KEY_SECRET),
        "StartInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .ok();
    // Unknown key: served (as the default account).
    s.signed(
        ("LTAIunknown", "whatever"),
        "StopInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .ok();
    // Known key, wrong secret: refused, with the server's string to sign.
    let v = s
        .signed(
            (KEY_ID, "wrong"),
            "StartInstance",
            &[("InstanceId", STOPPED)],
        )
        .await
        .err(400, "SignatureDoesNotMatch");
    let msg = v["Message"].as_str().unwrap();
    assert!(msg.starts_with("Specified signature is not matched with our calculation. server string to sign is:POST&%2F&"), "{msg}");
    s.acs3(
        (KEY_ID, KEY_SECRET),
        ECS,
        "StartInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .ok();
    s.acs3(
        (KEY_ID, "wrong"),
        ECS,
        "StopInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .err(400, "SignatureDoesNotMatch");
    assert_eq!(s.instance_status("cn-hangzhou", STOPPED).await, "Running");
}

#[tokio::test]
async fn strict_mode_refuses_bad_unknown_replayed_and_stale_requests() {
    let s = spawn(Opts {
        auth: AuthMode::Strict,
        ..Opts::default()
    })
    .await;
    let key = (KEY_ID, KEY_SECRET);
    s.ecs("StartInstance", &[("InstanceId", STOPPED)])
        .await
        .err(400, "MissingAccessKeyId");
    s.signed(
        ("LTAIunknown", "x"),
        "StartInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .err(404, "InvalidAccessKeyId.NotFound");
    s.signed(
        (KEY_ID, "wrong"),
        "StartInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .err(400, "SignatureDoesNotMatch");
    let n = nonce();
    let ts = timestamp_now();
    s.signed_with(key, "DescribeRegions", &[], &n, &ts)
        .await
        .ok();
    s.signed_with(key, "DescribeRegions", &[], &n, &ts)
        .await
        .err(400, "SignatureNonceUsed");
    s.signed_with(
        key,
        "DescribeRegions",
        &[],
        &nonce(),
        "2020-01-01T00:00:00Z",
    )
    .await
    .err(400, "InvalidTimeStamp.Expired");
    s.signed_with(key, "DescribeRegions", &[], &nonce(), "yesterday")
        .await
        .err(400, "InvalidTimeStamp.Format");
    s.acs3(key, ECS, "StartInstance", &[("InstanceId", STOPPED)])
        .await
        .ok();
    s.acs3(
        (KEY_ID, "wrong"),
        ECS,
        "StopInstance",
        &[("InstanceId", STOPPED)],
    )
    .await
    .err(400, "SignatureDoesNotMatch");
    assert_eq!(
        s.signed(
            key,
            "DescribeInstances",
            &[
                ("RegionId", "cn-hangzhou"),
                ("InstanceIds", &format!("[\"{STOPPED}\"]"))
            ]
        )
        .await
        .ok()["Instances"]["Instance"][0]["Status"],
        "Running"
    );
}

#[tokio::test]
async fn accounts_never_see_each_other() {
    let s = default_server().await;
    let mine = (KEY_ID, KEY_SECRET);
    let theirs = (OTHER_ID, OTHER_SECRET);
    let other_instance = "i-bp1otheraccount00001";
    s.signed(mine, "StartInstance", &[("InstanceId", other_instance)])
        .await
        .err(404, "InvalidInstanceId.NotFound");
    s.signed(theirs, "StartInstance", &[("InstanceId", STOPPED)])
        .await
        .err(404, "InvalidInstanceId.NotFound");
    s.signed(theirs, "StartInstance", &[("InstanceId", other_instance)])
        .await
        .ok();
    let listed = s
        .signed(theirs, "DescribeInstances", &[("RegionId", "cn-hangzhou")])
        .await
        .ok();
    assert_eq!(
        listed["TotalCount"], 1,
        "account {OTHER_ACCOUNT} owns exactly one instance"
    );
    let disk = s
        .signed(
            theirs,
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "20"),
            ],
        )
        .await
        .ok();
    let disk_id = disk["DiskId"].as_str().unwrap();
    s.signed(mine, "DeleteDisk", &[("DiskId", disk_id)])
        .await
        .err(404, "InvalidDiskId.NotFound");
    s.signed(
        mine,
        "AttachDisk",
        &[
            ("InstanceId", "i-bp1seedrunning000001"),
            ("DiskId", disk_id),
        ],
    )
    .await
    .err(404, "InvalidDiskId.NotFound");
    s.signed(theirs, "DeleteDisk", &[("DiskId", disk_id)])
        .await
        .ok();
}
