//! Bounded memory: ClientTokens (format, what they remember, how long), nonces, and
//! per-account quotas, with the documented codes.

use crate::common::{default_server, EBS};

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
