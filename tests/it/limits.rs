//! Bounded memory: ClientTokens (format, what they remember, how long), nonces, and
//! per-account quotas, with the documented codes.

use crate::common::process::Process;
use crate::common::{
    default_server, nonce, seed_file, spawn, timestamp_now, Opts, EBS, ECS, KEY_ID, KEY_SECRET,
    OTHER_ID, OTHER_SECRET,
};
use ecs_emulator::aliyun::encoding::pe;

const TOKEN: &str = "123e4567-e89b-12d3-a456-426655440000";

fn disk(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut p = vec![
        ("RegionId", "cn-hangzhou"),
        ("ZoneId", "cn-hangzhou-h"),
        ("Size", "40"),
        ("ClientToken", TOKEN),
    ];
    p.extend_from_slice(extra);
    p
}

#[tokio::test]
async fn a_client_token_compares_the_decoded_call_not_the_raw_request() {
    let s = default_server().await;
    let first = s.ecs("CreateDisk", &disk(&[("Junk", "a")])).await.ok();
    // Parameters the operation does not read neither count nor are kept.
    let again = s
        .ecs(
            "CreateDisk",
            &disk(&[("OtherJunk", "b"), ("UserAgentNote", "x")]),
        )
        .await
        .ok();
    assert_eq!(again["DiskId"], first["DiskId"]);
    // Parameters it does read do count.
    let mut p = disk(&[]);
    p[2] = ("Size", "41");
    s.ecs("CreateDisk", &p)
        .await
        .err(400, "IdempotentParameterMismatch");
    let mut p = disk(&[]);
    p.push(("DiskName", "renamed"));
    s.ecs("CreateDisk", &p)
        .await
        .err(400, "IdempotentParameterMismatch");
    // Tokens are per operation.
    let v = s
        .ecs(
            "RunInstances",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
                ("InstanceType", "ecs.c7.large"),
                ("ClientToken", TOKEN),
            ],
        )
        .await
        .ok();
    assert!(v["InstanceIdSets"]["InstanceIdSet"][0].is_string());
}

#[tokio::test]
async fn client_tokens_are_at_most_64_ascii_characters() {
    let s = default_server().await;
    let long = "t".repeat(65);
    for bad in [long.as_str(), "tökén"] {
        let mut p = disk(&[]);
        p[3] = ("ClientToken", bad);
        let v = s
            .ecs("CreateDisk", &p)
            .await
            .err(400, "InvalidClientToken.ValueNotSupported");
        assert_eq!(v["Message"], "The ClientToken provided is invalid.");
        let v = s
            .call(
                EBS,
                "CreateDiskReplicaGroup",
                &[
                    ("RegionId", "cn-hangzhou"),
                    ("SourceZoneId", "cn-hangzhou-h"),
                    ("DestinationRegionId", "cn-shanghai"),
                    ("DestinationZoneId", "cn-shanghai-e"),
                    ("ClientToken", bad),
                ],
            )
            .await
            .err(400, "InvalidParameter");
        assert_eq!(v["Message"], "The parameter ClientToken is invalid.");
    }
    let max = "t".repeat(64);
    let mut p = disk(&[]);
    p[3] = ("ClientToken", max.as_str());
    s.ecs("CreateDisk", &p).await.ok();
}

#[tokio::test]
async fn client_tokens_are_forgotten_after_a_day() {
    let s = default_server().await;
    let first = s.ecs("CreateDisk", &disk(&[])).await.ok();
    s.advance(24.0 * 3600.0 - 1.0).await;
    let retry = s.ecs("CreateDisk", &disk(&[])).await.ok();
    assert_eq!(retry["DiskId"], first["DiskId"]);
    s.advance(1.0).await;
    let later = s.ecs("CreateDisk", &disk(&[])).await.ok();
    assert_ne!(later["DiskId"], first["DiskId"]);
    // A new window starts with the new use.
    let mut p = disk(&[]);
    p[2] = ("Size", "41");
    s.ecs("CreateDisk", &p)
        .await
        .err(400, "IdempotentParameterMismatch");
}

/// A form-body POST (pop-core style) of `params`, RPC-signed with the test key and `nonce`.
fn signed_form(params: &[(&str, &str)], nonce: &str) -> Vec<u8> {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ecs_emulator::aliyun::signature::sign_rpc(
        "POST",
        &mut all,
        KEY_ID,
        KEY_SECRET,
        nonce,
        &timestamp_now(),
    );
    let body: String = all
        .iter()
        .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn nonces_are_bounded_in_length_and_kept_as_digests() {
    let key = format!("{KEY_ID}:{KEY_SECRET}");
    let p = Process::start(&["--auth", "strict", "--access-key", &key]);
    let regions = [("Action", "DescribeRegions"), ("Version", ECS)];
    for _ in 0..5 {
        let r = p.raw(&signed_form(&regions, &nonce())).await;
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    }
    let before = p.rss_kib();
    // 60 requests with 500 KB nonces (30 MB): refused at once, and nothing of them is kept.
    for i in 0..60 {
        let huge = format!("{i}-{}", "n".repeat(500_000));
        let r = p.raw(&signed_form(&regions, &huge)).await;
        assert!(
            r.starts_with("HTTP/1.1 400") && r.contains("SignatureNonce is not valid"),
            "{}",
            &r[..r.len().min(300)]
        );
    }
    // Nonces at the limit are served and remembered (a replay is refused).
    let at_limit = "m".repeat(128);
    let r = p.raw(&signed_form(&regions, &at_limit)).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let r = p.raw(&signed_form(&regions, &at_limit)).await;
    assert!(r.contains("SignatureNonceUsed"), "{r}");
    let grown = p.rss_kib().saturating_sub(before);
    assert!(grown < 12 * 1024, "RSS grew {grown} KiB");
}

#[tokio::test]
async fn client_tokens_keep_nothing_of_the_raw_request() {
    let p = Process::start(&["--timing", "instant"]);
    let call = |i: usize, junk: &str| {
        let body = format!(
            "Action=CreateDisk&Version=2014-05-26&RegionId=cn-hangzhou&ZoneId=cn-hangzhou-h&Size=40&ClientToken=tok-{i}&Junk={junk}"
        );
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    for i in 0..5 {
        p.raw(call(1_000 + i, "warm").as_bytes()).await;
    }
    let before = p.rss_kib();
    let junk = "j".repeat(500_000);
    for i in 0..100 {
        let r = p.raw(call(i, &junk).as_bytes()).await;
        assert!(r.starts_with("HTTP/1.1 200"), "{}", &r[..r.len().min(300)]);
    }
    let grown = p.rss_kib().saturating_sub(before);
    assert!(grown < 12 * 1024, "RSS grew {grown} KiB");
}

/// Account 1 may hold 2 instances and 3 disks; account 2, one replica group and no pair.
const QUOTA_SEED: &str = r#"{ "accounts": [
  { "id": "1000000000000001", "quotas": { "instances": 2, "disks": 3 } },
  { "id": "1000000000000002", "quotas": { "replica_pairs": 0, "replica_groups": 1 } } ] }"#;

#[tokio::test]
async fn quotas_refuse_creates_past_them_with_the_cloud_codes() {
    let s = spawn(Opts {
        fixtures: Some(seed_file(QUOTA_SEED)),
        ..Opts::default()
    })
    .await;
    let run = |amount: &'static str| {
        vec![
            ("RegionId", "cn-hangzhou"),
            ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
            ("InstanceType", "ecs.c7.large"),
            ("Amount", amount),
        ]
    };
    let v = s
        .ecs("RunInstances", &run("3"))
        .await
        .err(400, "QuotaExceed.AfterpayInstance");
    assert_eq!(v["Message"], "Living afterpay instances quota exceeded.");
    let mut dry = run("3");
    dry.push(("DryRun", "true"));
    s.ecs("RunInstances", &dry)
        .await
        .err(400, "QuotaExceed.AfterpayInstance");
    s.ecs("RunInstances", &run("1")).await.ok(); // an instance and its system disk
    let new_disk = [
        ("RegionId", "cn-hangzhou"),
        ("ZoneId", "cn-hangzhou-h"),
        ("Size", "40"),
    ];
    s.ecs("CreateDisk", &new_disk).await.ok();
    let last = s.ecs("CreateDisk", &new_disk).await.ok();
    let v = s
        .ecs("CreateDisk", &new_disk)
        .await
        .err(403, "QuotaExceed.PostPaidDisk");
    assert_eq!(v["Message"], "Living postPaid disks quota exceeded.");
    // A second instance would bring a fourth disk.
    s.ecs("RunInstances", &run("1"))
        .await
        .err(403, "QuotaExceed.PostPaidDisk");
    // Deleting makes room again.
    s.advance(5.0).await;
    s.ecs(
        "DeleteDisk",
        &[("DiskId", last["DiskId"].as_str().unwrap())],
    )
    .await
    .ok();
    s.ecs("CreateDisk", &new_disk).await.ok();

    // Replication quotas, in account 2; other accounts keep the flags' quotas.
    let other = (OTHER_ID, OTHER_SECRET);
    let group = [
        ("RegionId", "cn-hangzhou"),
        ("SourceZoneId", "cn-hangzhou-h"),
        ("DestinationRegionId", "cn-shanghai"),
        ("DestinationZoneId", "cn-shanghai-e"),
    ];
    s.acs3(other, EBS, "CreateDiskReplicaGroup", &group)
        .await
        .ok();
    let v = s
        .acs3(other, EBS, "CreateDiskReplicaGroup", &group)
        .await
        .err(403, "OperationDenied.QuotaExceed");
    assert_eq!(
        v["Message"],
        "The operation is not allowed due to quota exceed."
    );
    s.acs3(
        other,
        EBS,
        "CreateDiskReplicaPair",
        &[
            ("RegionId", "cn-hangzhou"),
            ("SourceZoneId", "cn-hangzhou-h"),
            ("DiskId", "d-bp1nosuchdisk0000001"),
            ("DestinationRegionId", "cn-shanghai"),
            ("DestinationZoneId", "cn-shanghai-e"),
            ("DestinationDiskId", "d-uf6nosuchdisk0000001"),
        ],
    )
    .await
    .err(403, "OperationDenied.QuotaExceed");
    s.acs3((KEY_ID, KEY_SECRET), EBS, "CreateDiskReplicaGroup", &group)
        .await
        .ok();
}
