//! Disk replication over the wire: pair and group workflows in both dialects, the documented
//! errors, realistic timing on a manual clock, ClientToken, paging, filters and concurrency.

use serde_json::Value;

use crate::common::replica::{essd, join_group, new_group, new_pair, now_secs, pair_op, HZ, SH};
use crate::common::{
    default_server, spawn, Opts, Server, EBS, ECS, KEY_ID, KEY_SECRET, OTHER_ID, OTHER_SECRET,
};
use ecs_emulator::config::Timing;

/// The seed's running instance, in cn-hangzhou-h.
const RUNNING: &str = "i-bp1seedrunning000001";

async fn realistic() -> Server {
    spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await
}

/// The pair as DescribeDiskReplicaPairs shows it from `region` (Null when not listed).
async fn view(s: &Server, version: &str, region: &str, id: &str) -> Value {
    let v = s
        .call(
            version,
            "DescribeDiskReplicaPairs",
            &[("RegionId", region), ("PairIds", id)],
        )
        .await
        .ok();
    v["ReplicaPairs"][0].clone()
}

async fn status(s: &Server, id: &str) -> String {
    view(s, EBS, HZ.0, id).await["Status"]
        .as_str()
        .unwrap_or("<gone>")
        .to_owned()
}

async fn group_status(s: &Server, id: &str) -> String {
    let v = s
        .ebs(
            "DescribeDiskReplicaGroups",
            &[("RegionId", HZ.0), ("GroupIds", id)],
        )
        .await
        .ok();
    v["ReplicaGroups"][0]["Status"]
        .as_str()
        .unwrap_or("<gone>")
        .to_owned()
}

#[tokio::test]
async fn pair_workflow_in_realistic_time() {
    let s = realistic().await;
    let (id, src, dst) = new_pair(&s, EBS, HZ, SH, &[]).await;
    assert!(id.starts_with("pair-cn-") && id.len() == 22, "{id}");
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(p["Status"], "creating");
    assert_eq!(
        (p["SourceDiskId"].as_str(), p["DestinationDiskId"].as_str()),
        (Some(src.as_str()), Some(dst.as_str()))
    );
    assert_eq!(
        (p["SourceRegion"].as_str(), p["DestinationRegion"].as_str()),
        (Some(HZ.0), Some(SH.0))
    );
    assert_eq!(
        (p["RPO"].as_i64(), p["Bandwidth"].as_i64()),
        (Some(900), Some(0))
    );
    assert!(
        p["CreateTime"].is_i64() && p.get("LastRecoverPoint").is_none(),
        "{p}"
    );
    s.advance(2.0).await;
    assert_eq!(status(&s, &id).await, "created");

    let started = now_secs(&s).await;
    pair_op(&s, "StartDiskReplicaPair", SH.0, &id).await.ok();
    assert_eq!(status(&s, &id).await, "initial_syncing");
    s.advance(2.5).await;
    let progress = pair_op(&s, "DescribeDiskReplicaPairProgress", HZ.0, &id)
        .await
        .ok();
    assert_eq!(progress["Progress"], 50);
    assert!(progress.get("RecoverPoint").is_none());
    assert_eq!(view(&s, EBS, HZ.0, &id).await["ReplicationProgress"], 50);
    s.advance(2.5).await;
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(
        (p["Status"].as_str(), p["LastRecoverPoint"].as_i64()),
        (Some("normal"), Some(started))
    );
    // RPO 900 s × --rpo-scale 0.01: a 1 s incremental sync every 9 s.
    s.advance(9.0).await;
    assert_eq!(status(&s, &id).await, "syncing");
    s.advance(1.0).await;
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(
        (p["Status"].as_str(), p["LastRecoverPoint"].as_i64()),
        (Some("normal"), Some(started + 14))
    );
    s.advance(8.5).await;
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(
        (p["Status"].as_str(), p["LastRecoverPoint"].as_i64()),
        (Some("syncing"), Some(started + 14))
    );
    s.advance(0.5).await;
    assert_eq!(
        view(&s, EBS, HZ.0, &id).await["LastRecoverPoint"],
        started + 23
    );

    pair_op(&s, "StopDiskReplicaPair", HZ.0, &id).await.ok();
    assert_eq!(status(&s, &id).await, "stopping");
    s.advance(2.0).await;
    assert_eq!(status(&s, &id).await, "stopped");

    pair_op(&s, "FailoverDiskReplicaPair", HZ.0, &id)
        .await
        .err(403, "OperationDenied.OperateNotAllowedForPrimary");
    pair_op(&s, "FailoverDiskReplicaPair", SH.0, &id).await.ok();
    assert_eq!(status(&s, &id).await, "failovering");
    s.advance(3.0).await;
    assert_eq!(status(&s, &id).await, "failovered");

    pair_op(&s, "ReprotectDiskReplicaPair", SH.0, &id)
        .await
        .ok();
    assert_eq!(status(&s, &id).await, "reprotecting");
    s.advance(3.0).await;
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(p["Status"], "stopped");
    assert_eq!(
        (p["SourceRegion"].as_str(), p["SourceDiskId"].as_str()),
        (Some(SH.0), Some(dst.as_str()))
    );
    assert_eq!(
        (
            p["DestinationRegion"].as_str(),
            p["DestinationDiskId"].as_str()
        ),
        (Some(HZ.0), Some(src.as_str()))
    );
    assert_eq!(
        (p["PrimaryRegion"].as_str(), p["StandbyRegion"].as_str()),
        (Some(HZ.0), Some(SH.0))
    );
    assert_eq!(
        (p["PrimaryZone"].as_str(), p["StandbyZone"].as_str()),
        (Some(HZ.1), Some(SH.1))
    );
    assert!(p.get("LastRecoverPoint").is_none(), "{p}");

    pair_op(&s, "StartDiskReplicaPair", SH.0, &id).await.ok();
    s.advance(5.0).await;
    assert_eq!(status(&s, &id).await, "normal");
    pair_op(&s, "StopDiskReplicaPair", SH.0, &id).await.ok();
    s.advance(2.0).await;
    pair_op(&s, "DeleteDiskReplicaPair", SH.0, &id)
        .await
        .err(403, "OperationDenied.OperateNotAllowedForStandby");
    pair_op(&s, "DeleteDiskReplicaPair", HZ.0, &id).await.ok();
    assert_eq!(status(&s, &id).await, "deleting");
    s.advance(2.0).await;
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("PairIds", &id)],
        )
        .await
        .ok();
    assert_eq!(
        (
            v["TotalCount"].as_u64(),
            v["ReplicaPairs"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    pair_op(&s, "StopDiskReplicaPair", HZ.0, &id)
        .await
        .err(404, "NoSuchResource");
}

#[tokio::test]
async fn group_workflow_moves_every_member() {
    let s = realistic().await;
    let g = new_group(&s, HZ, SH, &[("GroupName", "group-one"), ("RPO", "900")]).await;
    assert!(g.starts_with("pg-"), "{g}");
    assert_eq!(group_status(&s, &g).await, "creating");
    let mut pairs = Vec::new();
    for _ in 0..3 {
        pairs.push(new_pair(&s, EBS, HZ, SH, &[]).await.0);
    }
    s.advance(2.0).await;
    s.ebs(
        "StartDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .err(403, "OperationDenied.NoPairInGroup");
    for p in &pairs {
        join_group(&s, HZ.0, &g, p).await;
    }
    let members = |want: &'static str| {
        let s = &s;
        let g = g.clone();
        async move {
            let v = s
                .ebs(
                    "DescribeDiskReplicaPairs",
                    &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
                )
                .await
                .ok();
            let list = v["ReplicaPairs"].as_array().cloned().unwrap_or_default();
            assert_eq!(list.len(), 3, "{v}");
            for p in &list {
                assert_eq!(p["Status"], want, "{p}");
                assert_eq!(p["ReplicaGroupId"], g.as_str());
                assert_eq!(p["ReplicaGroupName"], "group-one");
            }
            list
        }
    };
    let v = s
        .ebs(
            "DescribeDiskReplicaGroups",
            &[("RegionId", SH.0), ("GroupIds", &g)],
        )
        .await
        .ok();
    let grp = &v["ReplicaGroups"][0];
    assert_eq!(
        (grp["PairNumber"].as_u64(), grp["Site"].as_str()),
        (Some(3), Some("backup"))
    );
    assert_eq!(grp["PairIds"], serde_json::json!(pairs));
    assert_eq!(
        (
            grp["SourceRegionId"].as_str(),
            grp["DestinationRegionId"].as_str()
        ),
        (Some(HZ.0), Some(SH.0))
    );
    members("created").await;

    // A member cannot be driven on its own.
    pair_op(&s, "StartDiskReplicaPair", HZ.0, &pairs[0])
        .await
        .err(403, "OperationDenied");
    let started = now_secs(&s).await;
    s.ebs(
        "StartDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .ok();
    assert_eq!(group_status(&s, &g).await, "initial_syncing");
    members("initial_syncing").await;
    s.advance(5.0).await;
    assert_eq!(group_status(&s, &g).await, "normal");
    for p in members("normal").await {
        assert_eq!(p["LastRecoverPoint"], started);
    }
    s.advance(9.5).await;
    members("syncing").await;
    s.advance(0.5).await;
    for p in members("normal").await {
        assert_eq!(p["LastRecoverPoint"], started + 14);
    }

    for (action, region, during, after, secs) in [
        ("StopDiskReplicaGroup", HZ.0, "stopping", "stopped", 2.0),
        (
            "FailoverDiskReplicaGroup",
            SH.0,
            "failovering",
            "failovered",
            3.0,
        ),
        (
            "ReprotectDiskReplicaGroup",
            SH.0,
            "reprotecting",
            "stopped",
            3.0,
        ),
        (
            "StartDiskReplicaGroup",
            SH.0,
            "initial_syncing",
            "normal",
            5.0,
        ),
        ("StopDiskReplicaGroup", SH.0, "stopping", "stopped", 2.0),
    ] {
        s.ebs(action, &[("RegionId", region), ("ReplicaGroupId", &g)])
            .await
            .ok();
        assert_eq!(group_status(&s, &g).await, during, "{action}");
        members(during).await;
        s.advance(secs).await;
        assert_eq!(group_status(&s, &g).await, after, "{action}");
        members(after).await;
    }
    for p in members("stopped").await {
        assert_eq!(p["SourceRegion"], SH.0);
        assert_eq!(p["PrimaryRegion"], HZ.0);
    }
    s.ebs(
        "DeleteDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .err(403, "OperationDenied.GroupHasPair");
    for p in &pairs {
        s.ebs(
            "RemoveDiskReplicaPair",
            &[
                ("RegionId", HZ.0),
                ("ReplicaGroupId", &g),
                ("ReplicaPairId", p),
            ],
        )
        .await
        .ok();
    }
    s.ebs(
        "DeleteDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .ok();
    s.advance(2.0).await;
    assert_eq!(group_status(&s, &g).await, "<gone>");
    // The former members remain, ungrouped.
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("ReplicaGroupId", "-")],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 3);
}

#[tokio::test]
async fn ecs_dialect_follows_the_seed_documents() {
    let s = default_server().await;
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let create = |extra: &[(&'static str, &'static str)]| {
        let mut p = vec![
            ("RegionId", HZ.0),
            ("DiskId", src.as_str()),
            ("DestinationRegionId", SH.0),
            ("DestinationDiskId", dst.as_str()),
        ];
        p.extend_from_slice(extra);
        p
    };
    // PairName is required in the seed's CreateDiskReplicaPair; zones are not.
    s.ecs("CreateDiskReplicaPair", &create(&[]))
        .await
        .err(400, "IncompleteParamter");
    let bad_region = vec![
        ("RegionId", "cn-nowhere"),
        ("DiskId", src.as_str()),
        ("DestinationRegionId", SH.0),
        ("DestinationDiskId", dst.as_str()),
        ("PairName", "pair1"),
    ];
    let e = s
        .ecs("CreateDiskReplicaPair", &bad_region)
        .await
        .err(400, "InvalidRegionId.MalFormed");
    assert_eq!(
        e["Message"],
        "The specified parameter RegionId is not valid."
    );
    let missing_disk = vec![
        ("RegionId", HZ.0),
        ("DiskId", "d-bp1doesnotexist000000"),
        ("DestinationRegionId", SH.0),
        ("DestinationDiskId", dst.as_str()),
        ("PairName", "pair1"),
    ];
    let e = s
        .ecs("CreateDiskReplicaPair", &missing_disk)
        .await
        .err(404, "InvalidDiskId.NotFound");
    assert_eq!(e["Message"], "The specified disk does not exist.");

    let v = s
        .ecs(
            "CreateDiskReplicaPair",
            &create(&[("PairName", "pair1"), ("Description", "from ECS")]),
        )
        .await
        .ok();
    let id = v["PairId"].as_str().expect("PairId").to_owned();
    assert_eq!(v["ReplicaPairId"], id.as_str());
    let e = s
        .ecs("CreateDiskReplicaPair", &create(&[("PairName", "pair2")]))
        .await
        .err(403, "IncorrectDiskStatus");
    assert_eq!(
        e["Message"],
        "The operation is not supported in this status."
    );

    let start = [("RegionId", HZ.0), ("ReplicaPairId", id.as_str())];
    let e = s
        .ecs("StartDiskReplicaPair", &start[..1])
        .await
        .err(400, "IncompleteParamter");
    assert_eq!(
        e["Message"],
        "Some fields can not be null in this request. ReplicaPairId is null."
    );
    let e = s
        .ecs("StartDiskReplicaPair", &start[1..])
        .await
        .err(400, "IncompleteParamter");
    assert_eq!(
        e["Message"],
        "Some fields can not be null in this request. RegionId is null."
    );
    s.ecs(
        "StartDiskReplicaPair",
        &[("RegionId", "xx"), ("ReplicaPairId", &id)],
    )
    .await
    .err(400, "InvalidRegionId.MalFormed");
    s.ecs(
        "StartDiskReplicaPair",
        &[("RegionId", HZ.0), ("ReplicaPairId", "pair-cn-nothere")],
    )
    .await
    .err(404, "NoSuchResource");
    // The seed's "Inactive"/"Paused" are created/stopped; a running pair cannot start again.
    s.ecs("StartDiskReplicaPair", &start).await.ok();
    s.ecs("StartDiskReplicaPair", &start)
        .await
        .err(403, "OperationDenied.InvalidStatus");
    s.ecs("StopDiskReplicaPair", &start).await.ok();
    s.ecs("StartDiskReplicaPair", &start).await.ok();

    // Seed 002: StopDiskReplicaGroup's errors in the ECS dialect.
    s.ecs(
        "StopDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", "pg-none")],
    )
    .await
    .err(404, "NoSuchResource");
    s.ecs("StopDiskReplicaGroup", &[("RegionId", HZ.0)])
        .await
        .err(400, "IncompleteParamter");
}

#[tokio::test]
async fn one_pair_seen_and_driven_from_both_dialects() {
    let s = default_server().await;
    let (id, _, _) = new_pair(&s, ECS, HZ, SH, &[]).await;
    let e = view(&s, EBS, SH.0, &id).await;
    let c = view(&s, ECS, SH.0, &id).await;
    assert_eq!(e, c);
    assert_eq!(
        (e["Site"].as_str(), e["Status"].as_str()),
        (Some("backup"), Some("created"))
    );
    assert_eq!(view(&s, EBS, HZ.0, &id).await["Site"], "production");
    s.ebs(
        "StartDiskReplicaPair",
        &[("RegionId", HZ.0), ("ReplicaPairId", &id)],
    )
    .await
    .ok();
    assert_eq!(view(&s, ECS, HZ.0, &id).await["Status"], "normal");
    s.ecs(
        "StopDiskReplicaPair",
        &[("RegionId", SH.0), ("ReplicaPairId", &id)],
    )
    .await
    .ok();
    assert_eq!(view(&s, EBS, HZ.0, &id).await["Status"], "stopped");
    s.ecs(
        "DeleteDiskReplicaPair",
        &[("RegionId", HZ.0), ("ReplicaPairId", &id)],
    )
    .await
    .ok();
    assert!(view(&s, EBS, HZ.0, &id).await.is_null());
    // Site selects one side.
    let (id2, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    for (region, site, listed) in [
        (HZ.0, "production", true),
        (HZ.0, "backup", false),
        (SH.0, "backup", true),
        (SH.0, "production", false),
        ("cn-beijing", "production", false),
    ] {
        let v = s
            .ebs(
                "DescribeDiskReplicaPairs",
                &[("RegionId", region), ("Site", site)],
            )
            .await
            .ok();
        let found = v["ReplicaPairs"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["ReplicaPairId"] == id2.as_str()));
        assert_eq!(found, listed, "{region} {site}");
    }
}

#[tokio::test]
async fn ebs_errors_match_the_reference() {
    let s = default_server().await;
    let e = s
        .ebs("DescribeDiskReplicaPairs", &[])
        .await
        .err(400, "MissingRegionId");
    assert_eq!(e["Message"], "RegionId is mandatory for this action.");
    let e = s
        .ebs("DescribeDiskReplicaPairs", &[("RegionId", "xx-nowhere")])
        .await
        .err(400, "InvalidParameter");
    assert_eq!(e["Message"], "The parameter RegionId is invalid.");
    s.ebs(
        "DescribeDiskReplicaPairs",
        &[("RegionId", HZ.0), ("MaxResults", "501")],
    )
    .await
    .err(400, "InvalidParameter");
    s.ebs(
        "DescribeDiskReplicaPairs",
        &[("RegionId", HZ.0), ("Site", "moon")],
    )
    .await
    .err(400, "InvalidParameter");
    let e = pair_op(&s, "StartDiskReplicaPair", HZ.0, "pair-cn-none")
        .await
        .err(404, "NoSuchResource");
    assert_eq!(e["Message"], "The specified resource does not exist.");

    // Disks: missing, mismatched, already paired.
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let params =
        |src: &str, dst: &str, extra: Vec<(&'static str, &'static str)>| -> Vec<(String, String)> {
            let mut p = vec![
                ("RegionId", HZ.0.to_owned()),
                ("SourceZoneId", HZ.1.to_owned()),
                ("DiskId", src.to_owned()),
                ("DestinationRegionId", SH.0.to_owned()),
                ("DestinationZoneId", SH.1.to_owned()),
                ("DestinationDiskId", dst.to_owned()),
            ];
            for (k, v) in extra {
                p.retain(|(have, _)| *have != k);
                p.push((k, v.to_owned()));
            }
            p.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
        };
    let call = |ps: Vec<(String, String)>| {
        let s = &s;
        async move {
            let refs: Vec<(&str, &str)> =
                ps.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            s.ebs("CreateDiskReplicaPair", &refs).await
        }
    };
    call(params(&src, &dst, vec![("SourceZoneId", "")]))
        .await
        .err(400, "MissingSourceZoneId");
    call(params("d-bp1none0000000000000", &dst, vec![]))
        .await
        .err(404, "NoSuchResource");
    call(params(&src, &dst, vec![("RPO", "600")]))
        .await
        .err(400, "InvalidParameter");
    call(params(&src, &dst, vec![("ChargeType", "PREPAY")]))
        .await
        .err(400, "MissingPeriod");
    call(params(
        &src,
        &dst,
        vec![("ChargeType", "PREPAY"), ("Period", "5")],
    ))
    .await
    .err(400, "InvalidParameter");
    let big = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", SH.0),
                ("ZoneId", SH.1),
                ("DiskCategory", "cloud_essd"),
                ("Size", "80"),
            ],
        )
        .await
        .ok()["DiskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = call(params(&src, &big, vec![]))
        .await
        .err(403, "OperationDenied");
    assert_eq!(e["Message"], "The operation is not allowed.");
    let created = call(params(&src, &dst, vec![])).await.ok();
    assert!(
        created.get("OrderId").is_none() && created.get("PairId").is_none(),
        "{created}"
    );
    let id = created["ReplicaPairId"].as_str().unwrap().to_owned();
    call(params(&src, &dst, vec![]))
        .await
        .err(403, "OperationDenied");

    // Status table: a created pair cannot stop or be deleted.
    let e = pair_op(&s, "StopDiskReplicaPair", HZ.0, &id)
        .await
        .err(403, "OperationDenied.InvalidStatus");
    assert_eq!(
        e["Message"],
        "The operation is not allowed in current status."
    );
    pair_op(&s, "DeleteDiskReplicaPair", HZ.0, &id)
        .await
        .err(403, "OperationDenied.InvalidStatus");
    pair_op(&s, "ReprotectDiskReplicaPair", SH.0, &id)
        .await
        .err(403, "OperationDenied.InvalidStatus");
    // One-shot copies are rate-limited (two must be more than half a cycle apart).
    let one_shot = [
        ("RegionId", HZ.0),
        ("ReplicaPairId", id.as_str()),
        ("OneShot", "True"),
    ];
    s.ebs("StartDiskReplicaPair", &one_shot).await.ok();
    assert_eq!(status(&s, &id).await, "stopped");
    let e = s
        .ebs("StartDiskReplicaPair", &one_shot)
        .await
        .err(403, "OperationDenied.ManualSyncLimit");
    assert_eq!(
        e["Message"],
        "One shot start manual syncing too frequently, please try again later."
    );
    s.advance(5.0).await;
    s.ebs("StartDiskReplicaPair", &one_shot).await.ok();
    assert!(view(&s, EBS, HZ.0, &id).await["LastRecoverPoint"].is_i64());
}

#[tokio::test]
async fn the_secondary_must_stay_detached() {
    let s = default_server().await;
    // Replicate from Shanghai into Hangzhou, where the seed's running instance lives.
    let (id, src, dst) = new_pair(&s, EBS, SH, HZ, &[]).await;
    let attach = [("InstanceId", RUNNING), ("DiskId", dst.as_str())];
    s.ecs("AttachDisk", &attach)
        .await
        .err(403, "IncorrectDiskStatus");
    pair_op(&s, "StartDiskReplicaPair", SH.0, &id).await.ok();
    pair_op(&s, "FailoverDiskReplicaPair", HZ.0, &id).await.ok();
    assert_eq!(view(&s, EBS, HZ.0, &id).await["Status"], "failovered");
    // After failover the secondary is usable.
    s.ecs("AttachDisk", &attach).await.ok();
    // Cancelling the failover needs it detached again.
    s.ebs(
        "ReprotectDiskReplicaPair",
        &[
            ("RegionId", HZ.0),
            ("ReplicaPairId", &id),
            ("ReverseReplicate", "false"),
        ],
    )
    .await
    .err(400, "OperationDenied.StandbyDeviceAttached");
    // Reversing is fine: the attached disk becomes the new source.
    pair_op(&s, "ReprotectDiskReplicaPair", HZ.0, &id)
        .await
        .ok();
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(
        (p["SourceDiskId"].as_str(), p["Status"].as_str()),
        (Some(dst.as_str()), Some("stopped"))
    );
    pair_op(&s, "StartDiskReplicaPair", HZ.0, &id).await.ok();

    // A disk attached before pairing blocks the start.
    let (id2, _, dst2) = new_pair(&s, EBS, SH, HZ, &[]).await;
    let _ = src;
    s.ecs("DetachDisk", &[("InstanceId", RUNNING), ("DiskId", &dst)])
        .await
        .ok();
    s.ecs("AttachDisk", &[("InstanceId", RUNNING), ("DiskId", &dst2)])
        .await
        .err(403, "IncorrectDiskStatus");
    let (a, b) = (essd(&s, SH).await, essd(&s, HZ).await);
    s.ecs("AttachDisk", &[("InstanceId", RUNNING), ("DiskId", &b)])
        .await
        .ok();
    let v = s
        .ebs(
            "CreateDiskReplicaPair",
            &[
                ("RegionId", SH.0),
                ("SourceZoneId", SH.1),
                ("DiskId", &a),
                ("DestinationRegionId", HZ.0),
                ("DestinationZoneId", HZ.1),
                ("DestinationDiskId", &b),
            ],
        )
        .await
        .ok();
    let id3 = v["ReplicaPairId"].as_str().unwrap();
    let e = pair_op(&s, "StartDiskReplicaPair", SH.0, id3)
        .await
        .err(400, "OperationDenied.StandbyDeviceAttached");
    assert_eq!(e["Message"], "The secondary disk is attached.");
    let _ = id2;
}

#[tokio::test]
async fn deleting_a_paired_disk_invalidates_the_pair() {
    let s = default_server().await;
    let (id, src, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    pair_op(&s, "StartDiskReplicaPair", HZ.0, &id).await.ok();
    s.ecs("DeleteDisk", &[("DiskId", &src)]).await.ok();
    let p = view(&s, EBS, HZ.0, &id).await;
    assert_eq!(
        (p["Status"].as_str(), p["StatusMessage"].as_str()),
        (Some("invalid"), Some("DeviceRemoved"))
    );
    pair_op(&s, "StartDiskReplicaPair", HZ.0, &id)
        .await
        .err(403, "OperationDenied.InvalidStatus");
    pair_op(&s, "DeleteDiskReplicaPair", HZ.0, &id).await.ok();
    assert!(view(&s, EBS, HZ.0, &id).await.is_null());
}

#[tokio::test]
async fn client_token_makes_calls_idempotent() {
    let s = default_server().await;
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let mut params = vec![
        ("RegionId", HZ.0),
        ("SourceZoneId", HZ.1),
        ("DiskId", src.as_str()),
        ("DestinationRegionId", SH.0),
        ("DestinationZoneId", SH.1),
        ("DestinationDiskId", dst.as_str()),
        ("ClientToken", "token-1"),
    ];
    let first = s.ebs("CreateDiskReplicaPair", &params).await.ok();
    let again = s.ebs("CreateDiskReplicaPair", &params).await.ok();
    assert_eq!(first["ReplicaPairId"], again["ReplicaPairId"]);
    let listed = s
        .ebs("DescribeDiskReplicaPairs", &[("RegionId", HZ.0)])
        .await
        .ok();
    assert_eq!(listed["TotalCount"], 1);
    params.push(("Description", "changed"));
    let e = s
        .ebs("CreateDiskReplicaPair", &params)
        .await
        .err(400, "IdempotentParameterMismatch");
    assert_eq!(
        e["Message"],
        "The specified parameter has changed while using an already used clientToken."
    );

    let id = first["ReplicaPairId"].as_str().unwrap();
    let start = [
        ("RegionId", HZ.0),
        ("ReplicaPairId", id),
        ("ClientToken", "start-1"),
    ];
    s.ebs("StartDiskReplicaPair", &start).await.ok();
    // The retry answers success instead of InvalidStatus, and changes nothing.
    s.ebs("StartDiskReplicaPair", &start).await.ok();
    pair_op(&s, "StartDiskReplicaPair", HZ.0, id)
        .await
        .err(403, "OperationDenied.InvalidStatus");
}

#[tokio::test]
async fn paging_and_filters() {
    let s = default_server().await;
    let mut ids = Vec::new();
    for i in 0..23 {
        let tag = if i % 2 == 0 { "even" } else { "odd" };
        let name = format!("pair-{i:02}");
        let (id, _, _) = new_pair(
            &s,
            EBS,
            HZ,
            SH,
            &[("Tag.1.Key", "parity"), ("Tag.1.Value", tag)],
        )
        .await;
        s.ebs(
            "ModifyDiskReplicaPair",
            &[
                ("RegionId", HZ.0),
                ("ReplicaPairId", &id),
                ("PairName", &name),
            ],
        )
        .await
        .ok();
        ids.push(id);
    }
    ids.sort();
    let mut walked = Vec::new();
    let mut token = String::new();
    loop {
        let mut q = vec![("RegionId", HZ.0), ("MaxResults", "10")];
        if !token.is_empty() {
            q.push(("NextToken", &token));
        }
        let v = s.ebs("DescribeDiskReplicaPairs", &q).await.ok();
        assert_eq!(
            (v["TotalCount"].as_u64(), v["PageSize"].as_u64()),
            (Some(23), Some(10))
        );
        for p in v["ReplicaPairs"].as_array().unwrap() {
            walked.push(p["ReplicaPairId"].as_str().unwrap().to_owned());
        }
        token = v["NextToken"]
            .as_str()
            .expect("NextToken always present")
            .to_owned();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(walked, ids);

    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", SH.0), ("PageNumber", "3"), ("PageSize", "10")],
        )
        .await
        .ok();
    assert_eq!(
        (
            v["PageNumber"].as_u64(),
            v["ReplicaPairs"].as_array().map(Vec::len)
        ),
        (Some(3), Some(3))
    );
    assert_eq!(v["NextToken"], "");
    let default = s
        .ebs("DescribeDiskReplicaPairs", &[("RegionId", HZ.0)])
        .await
        .ok();
    assert_eq!(default["ReplicaPairs"].as_array().map(Vec::len), Some(10));

    let wanted = format!("{},pair-cn-missing,{}", ids[0], ids[5]);
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("PairIds", &wanted)],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 2);
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[
                ("RegionId", HZ.0),
                ("Tag.1.Key", "parity"),
                ("Tag.1.Value", "odd"),
                ("MaxResults", "50"),
            ],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 11);
    let p = &v["ReplicaPairs"][0];
    assert_eq!(
        p["Tags"],
        serde_json::json!([{"TagKey": "parity", "TagValue": "odd"}])
    );
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("Name", "pair-1")],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 10);
    let v = s
        .ebs("DescribeDiskReplicaPairs", &[("RegionId", "cn-beijing")])
        .await
        .ok();
    assert_eq!(
        (v["TotalCount"].as_u64(), v["NextToken"].as_str()),
        (Some(0), Some(""))
    );

    // XML lists each item as an element named after the array.
    let xml = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("PairIds", &ids[0]), ("Format", "XML")],
        )
        .await;
    assert_eq!(xml.status, 200);
    assert!(
        xml.body.contains("<ReplicaPairs><ReplicaPairId>"),
        "{}",
        xml.body
    );
}

#[tokio::test]
async fn accounts_do_not_see_each_other() {
    let s = default_server().await;
    let (id, src, dst) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let other = (OTHER_ID, OTHER_SECRET);
    let v = s
        .acs3(
            other,
            EBS,
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0)],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 0);
    s.acs3(
        other,
        EBS,
        "StartDiskReplicaPair",
        &[("RegionId", HZ.0), ("ReplicaPairId", &id)],
    )
    .await
    .err(404, "NoSuchResource");
    s.acs3(
        other,
        EBS,
        "CreateDiskReplicaPair",
        &[
            ("RegionId", HZ.0),
            ("SourceZoneId", HZ.1),
            ("DiskId", &src),
            ("DestinationRegionId", SH.0),
            ("DestinationZoneId", SH.1),
            ("DestinationDiskId", &dst),
        ],
    )
    .await
    .err(404, "NoSuchResource");
    // The owner, signing with ACS3 like the Tea SDK, sees it.
    let v = s
        .acs3(
            (KEY_ID, KEY_SECRET),
            EBS,
            "DescribeDiskReplicaPairs",
            &[("RegionId", SH.0)],
        )
        .await
        .ok();
    assert_eq!(v["ReplicaPairs"][0]["ReplicaPairId"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_exactly_one_wins() {
    let s = realistic().await;
    let (id, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    s.advance(2.0).await;
    let url = format!(
        "{}/?Action=StartDiskReplicaPair&Version={EBS}&RegionId={}&ReplicaPairId={id}",
        s.base, HZ.0
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let url = url.clone();
        tasks.spawn(async move {
            let res = reqwest::Client::new().post(url).send().await.expect("send");
            let status = res.status().as_u16();
            let body: Value =
                serde_json::from_str(&res.text().await.expect("body")).unwrap_or(Value::Null);
            (status, body["Code"].as_str().unwrap_or_default().to_owned())
        });
    }
    let mut outcomes = Vec::new();
    while let Some(r) = tasks.join_next().await {
        outcomes.push(r.expect("task"));
    }
    let wins = outcomes.iter().filter(|(st, _)| *st == 200).count();
    assert_eq!(wins, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .filter(|(st, _)| *st != 200)
            .all(|(st, code)| *st == 403 && code == "OperationDenied.InvalidStatus"),
        "{outcomes:?}"
    );
    assert_eq!(status(&s, &id).await, "initial_syncing");
}

#[tokio::test]
async fn group_membership_errors() {
    let s = default_server().await;
    let g = new_group(&s, HZ, SH, &[]).await;
    let other_route = new_group(&s, HZ, (SH.0, "cn-shanghai-f"), &[]).await;
    let (p, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    let add = |g: &str, p: &str| {
        let (s, g, p) = (&s, g.to_owned(), p.to_owned());
        async move {
            s.ebs(
                "AddDiskReplicaPair",
                &[
                    ("RegionId", HZ.0),
                    ("ReplicaGroupId", &g),
                    ("ReplicaPairId", &p),
                ],
            )
            .await
        }
    };
    add(&other_route, &p)
        .await
        .err(403, "OperationDenied.PairGroupAZoneConflict");
    add(&g, &p).await.ok();
    add(&other_route, &p)
        .await
        .err(403, "OperationDenied.PairInAnotherGroup");
    add(&g, "pair-cn-none").await.err(404, "NoSuchResource");
    s.ebs(
        "RemoveDiskReplicaPair",
        &[
            ("RegionId", HZ.0),
            ("ReplicaGroupId", &other_route),
            ("ReplicaPairId", &p),
        ],
    )
    .await
    .err(403, "OperationDenied.NoPairInGroup");
    s.ebs(
        "StartDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .ok();
    let (late, _, _) = new_pair(&s, EBS, HZ, SH, &[]).await;
    add(&g, &late)
        .await
        .err(403, "OperationDenied.GroupStatusCannotAddPair");
    s.ebs(
        "RemoveDiskReplicaPair",
        &[
            ("RegionId", HZ.0),
            ("ReplicaGroupId", &g),
            ("ReplicaPairId", &p),
        ],
    )
    .await
    .err(403, "OperationDenied.GroupStatusCannotRemovePair");
    s.ebs(
        "FailoverDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &g)],
    )
    .await
    .err(403, "OperationDenied.OperateNotAllowedForPrimary");
    s.ebs(
        "ModifyDiskReplicaGroup",
        &[
            ("RegionId", HZ.0),
            ("ReplicaGroupId", &g),
            ("GroupName", "renamed"),
        ],
    )
    .await
    .err(403, "OperationDenied.InvalidStatus");
    s.ebs(
        "DeleteDiskReplicaGroup",
        &[("RegionId", HZ.0), ("ReplicaGroupId", &other_route)],
    )
    .await
    .ok();
    assert_eq!(group_status(&s, &other_route).await, "<gone>");
}

#[tokio::test]
async fn prepaid_pairs_have_an_order_and_an_expiry() {
    let s = default_server().await;
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let v = s
        .ebs(
            "CreateDiskReplicaPair",
            &[
                ("RegionId", HZ.0),
                ("SourceZoneId", HZ.1),
                ("DiskId", &src),
                ("DestinationRegionId", SH.0),
                ("DestinationZoneId", SH.1),
                ("DestinationDiskId", &dst),
                ("ChargeType", "PREPAY"),
                ("Period", "1"),
                ("PeriodUnit", "Month"),
            ],
        )
        .await
        .ok();
    assert_eq!(v["OrderId"].as_str().map(str::len), Some(15), "{v}");
    let p = view(&s, EBS, HZ.0, v["ReplicaPairId"].as_str().unwrap()).await;
    assert_eq!(
        (p["ChargeType"].as_str(), p["Bandwidth"].as_i64()),
        (Some("PREPAY"), Some(10_240))
    );
    let created = p["CreateTime"].as_i64().unwrap();
    assert_eq!(p["ExpiredTime"].as_i64(), Some(created + 30 * 24 * 3600));
}
