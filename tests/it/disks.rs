//! ECS disk operations over the wire: create, attach, detach, delete, Describe, and their errors.

use crate::common::{default_server, spawn, Opts};
use ecs_emulator::config::Timing;

const HZ: &str = "cn-hangzhou";
const RUNNING: &str = "i-bp1seedrunning000001";

#[tokio::test]
async fn disk_lifecycle_in_realistic_time() {
    let s = spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await;
    let v = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                ("ZoneId", "cn-hangzhou-h"),
                ("DiskCategory", "cloud_essd"),
                ("Size", "40"),
                ("DiskName", "data1"),
                ("Tag.1.Key", "team"),
            ],
        )
        .await
        .ok();
    let id = v["DiskId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("d-bp1") && id.len() == 22, "{id}");
    assert_eq!(s.disk(HZ, &id).await["Status"], "Creating");
    s.ecs("AttachDisk", &[("InstanceId", RUNNING), ("DiskId", &id)])
        .await
        .err(403, "IncorrectDiskStatus");
    s.advance(2.0).await;
    let d = s.disk(HZ, &id).await;
    assert_eq!(
        (
            d["Status"].as_str(),
            d["DiskName"].as_str(),
            d["Category"].as_str(),
            d["Size"].as_u64()
        ),
        (
            Some("Available"),
            Some("data1"),
            Some("cloud_essd"),
            Some(40)
        )
    );
    assert_eq!(d["PerformanceLevel"], "PL1");
    assert_eq!(d["Tags"]["Tag"][0]["TagKey"], "team");

    s.ecs("AttachDisk", &[("InstanceId", RUNNING), ("DiskId", &id)])
        .await
        .ok();
    let d = s.disk(HZ, &id).await;
    assert_eq!(
        (d["Status"].as_str(), d["InstanceId"].as_str()),
        (Some("Attaching"), Some(RUNNING))
    );
    s.advance(1.0).await;
    let d = s.disk(HZ, &id).await;
    assert_eq!(d["Status"], "In_use");
    assert_eq!(d["Attachments"]["Attachment"][0]["InstanceId"], RUNNING);
    assert!(!d["AttachedTime"].as_str().unwrap().is_empty());
    s.ecs("DeleteDisk", &[("DiskId", &id)])
        .await
        .err(403, "DiskStillAttached");

    s.ecs("DetachDisk", &[("InstanceId", RUNNING), ("DiskId", &id)])
        .await
        .ok();
    assert_eq!(s.disk(HZ, &id).await["Status"], "Detaching");
    s.advance(1.0).await;
    let d = s.disk(HZ, &id).await;
    assert_eq!(
        (d["Status"].as_str(), d["InstanceId"].as_str()),
        (Some("Available"), Some(""))
    );
    assert!(!d["DetachedTime"].as_str().unwrap().is_empty());
    s.ecs("DetachDisk", &[("InstanceId", RUNNING), ("DiskId", &id)])
        .await
        .err(404, "InvalidDisk.AlreadyDetached");

    s.ecs("DeleteDisk", &[("DiskId", &id)]).await.ok();
    assert!(s.disk(HZ, &id).await.is_null());
    s.ecs("DeleteDisk", &[("DiskId", &id)])
        .await
        .err(404, "InvalidDiskId.NotFound");
}

/// Parameters of a call and the status and code it must be refused with.
type Refusal<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);

#[tokio::test]
async fn create_disk_errors() {
    let s = default_server().await;
    let z = ("ZoneId", "cn-hangzhou-h");
    let region = ("RegionId", HZ);
    let refused: &[Refusal] = &[
        (&[region, z], 400, "MissingParameter"),
        (
            &[region, z, ("Size", "10"), ("DiskCategory", "cloud_essd")],
            400,
            "InvalidSize.ValueNotSupported",
        ),
        (
            &[region, z, ("Size", "40"), ("DiskCategory", "floppy")],
            400,
            "InvalidDiskCategory.ValueNotSupported",
        ),
        (
            &[region, z, ("Size", "40"), ("PerformanceLevel", "PL9")],
            400,
            "InvalidPerformanceLevel.Malformed",
        ),
        (
            &[region, z, ("Size", "40"), ("DiskName", "1bad")],
            400,
            "InvalidDiskName.Malformed",
        ),
        (
            &[region, z, ("Size", "abc")],
            400,
            "InvalidSize.ValueNotSupported",
        ),
        (
            &[region, z, ("InstanceId", RUNNING), ("Size", "40")],
            403,
            "InvalidParam.ZoneIdAndInstanceId.Conflict",
        ),
        (
            &[region, ("ZoneId", "cn-beijing-h"), ("Size", "40")],
            404,
            "InvalidZoneId.NotFound",
        ),
        (
            &[region, z, ("SnapshotId", "s-bp1nothere")],
            404,
            "InvalidSnapshotId.NotFound",
        ),
        (
            &[("RegionId", "xx-nowhere-1"), z, ("Size", "40")],
            404,
            "InvalidRegionId.NotFound",
        ),
    ];
    for (params, status, code) in refused {
        s.ecs("CreateDisk", params).await.err(*status, code);
    }
    let created = s
        .ecs("DescribeDisks", &[region, ("DiskType", "data")])
        .await
        .ok();
    assert_eq!(
        created["TotalCount"], 1,
        "a refused CreateDisk created a disk"
    );

    let a = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                z,
                ("Size", "40"),
                ("ClientToken", "disk-tok"),
            ],
        )
        .await
        .ok();
    let b = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                z,
                ("Size", "40"),
                ("ClientToken", "disk-tok"),
            ],
        )
        .await
        .ok();
    assert_eq!(a["DiskId"], b["DiskId"]);
    s.ecs(
        "CreateDisk",
        &[
            ("RegionId", HZ),
            z,
            ("Size", "50"),
            ("ClientToken", "disk-tok"),
        ],
    )
    .await
    .err(400, "IdempotentParameterMismatch");

    // InstanceId instead of ZoneId: created in the instance's zone and attached to it.
    let c = s
        .ecs(
            "CreateDisk",
            &[("RegionId", HZ), ("InstanceId", RUNNING), ("Size", "40")],
        )
        .await
        .ok();
    let d = s.disk(HZ, c["DiskId"].as_str().unwrap()).await;
    assert_eq!(
        (
            d["ZoneId"].as_str(),
            d["InstanceId"].as_str(),
            d["Status"].as_str()
        ),
        (Some("cn-hangzhou-h"), Some(RUNNING), Some("In_use"))
    );
}

#[tokio::test]
async fn attach_and_detach_errors() {
    let s = default_server().await;
    let seeded = "d-bp1seedessd000000001";
    let other_zone = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                ("ZoneId", "cn-hangzhou-i"),
                ("Size", "40"),
            ],
        )
        .await
        .ok();
    let other_zone = other_zone["DiskId"].as_str().unwrap();
    s.ecs(
        "AttachDisk",
        &[("InstanceId", RUNNING), ("DiskId", other_zone)],
    )
    .await
    .err(403, "ResourcesNotInSameZone");
    s.ecs(
        "AttachDisk",
        &[("InstanceId", "i-nope"), ("DiskId", seeded)],
    )
    .await
    .err(404, "InvalidInstanceId.NotFound");
    s.ecs(
        "AttachDisk",
        &[("InstanceId", RUNNING), ("DiskId", "d-nope")],
    )
    .await
    .err(404, "InvalidDiskId.NotFound");
    s.ecs("AttachDisk", &[("InstanceId", RUNNING)])
        .await
        .err(400, "MissingDiskId");
    s.ecs(
        "AttachDisk",
        &[("InstanceId", "i-bp1seedlocked0000001"), ("DiskId", seeded)],
    )
    .await
    .err(403, "InstanceLockedForSecurity");

    s.ecs("AttachDisk", &[("InstanceId", RUNNING), ("DiskId", seeded)])
        .await
        .ok();
    s.ecs(
        "AttachDisk",
        &[("InstanceId", "i-bp1seedstopped000001"), ("DiskId", seeded)],
    )
    .await
    .err(404, "InvalidDisk.InUse");
    s.ecs(
        "DetachDisk",
        &[("InstanceId", "i-bp1seedstopped000001"), ("DiskId", seeded)],
    )
    .await
    .err(403, "DependencyViolation");
    let sys = s
        .ecs(
            "DescribeDisks",
            &[
                ("RegionId", HZ),
                ("InstanceId", RUNNING),
                ("DiskType", "system"),
            ],
        )
        .await
        .ok();
    let sys_id = sys["Disks"]["Disk"][0]["DiskId"]
        .as_str()
        .unwrap()
        .to_owned();
    s.ecs(
        "DetachDisk",
        &[("InstanceId", RUNNING), ("DiskId", &sys_id)],
    )
    .await
    .err(403, "DiskTypeViolation");
    s.ecs("DeleteDisk", &[("DiskId", &sys_id)])
        .await
        .err(403, "DiskStillAttached");
}

#[tokio::test]
async fn describe_disks_filters_and_pages() {
    let s = default_server().await;
    let all = s
        .ecs("DescribeDisks", &[("RegionId", HZ), ("PageSize", "100")])
        .await
        .ok();
    assert_eq!(
        all["TotalCount"], 14,
        "13 system disks and one seeded data disk"
    );
    let data = s
        .ecs("DescribeDisks", &[("RegionId", HZ), ("DiskType", "data")])
        .await
        .ok();
    assert_eq!(data["Disks"]["Disk"][0]["DiskId"], "d-bp1seedessd000000001");
    let avail = s
        .ecs(
            "DescribeDisks",
            &[("RegionId", HZ), ("Status", "Available")],
        )
        .await
        .ok();
    assert_eq!(avail["TotalCount"], 1);
    let ids = s
        .ecs(
            "DescribeDisks",
            &[
                ("RegionId", "cn-shanghai"),
                ("DiskIds", r#"["d-uf6seedessd000000001"]"#),
            ],
        )
        .await
        .ok();
    assert_eq!(ids["Disks"]["Disk"][0]["ZoneId"], "cn-shanghai-f");
    s.ecs("DescribeDisks", &[("RegionId", HZ), ("DiskType", "floppy")])
        .await
        .err(400, "InvalidDiskType.ValueNotSupported");
    s.ecs("DescribeDisks", &[("RegionId", HZ), ("Status", "Broken")])
        .await
        .err(400, "InvalidStatus.ValueNotSupported");
    s.ecs("DescribeDisks", &[("RegionId", HZ), ("DiskIds", "d-1")])
        .await
        .err(400, "InvalidParameter.DiskIds");
    let many = format!(
        "[{}]",
        (0..101)
            .map(|i| format!("\"d-{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    s.ecs("DescribeDisks", &[("RegionId", HZ), ("DiskIds", &many)])
        .await
        .err(403, "InvalidDiskIds.Malformed");
    s.ecs("DescribeDisks", &[("RegionId", HZ), ("DryRun", "true")])
        .await
        .err(400, "DryRunOperation");
    let first = s
        .ecs("DescribeDisks", &[("RegionId", HZ), ("MaxResults", "10")])
        .await
        .ok();
    let token = first["NextToken"].as_str().unwrap();
    assert!(!token.is_empty());
    let second = s
        .ecs(
            "DescribeDisks",
            &[("RegionId", HZ), ("MaxResults", "10"), ("NextToken", token)],
        )
        .await
        .ok();
    assert_eq!(
        (
            second["Disks"]["Disk"].as_array().unwrap().len(),
            second["NextToken"].as_str()
        ),
        (4, Some(""))
    );
}
