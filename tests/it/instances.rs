//! ECS instance operations over the wire: the StartInstance error table, the status machine in
//! both timing modes, RunInstances, DeleteInstance, Describe filters and pagination.

use crate::common::{default_server, spawn, Opts, ECS};
use ecs_emulator::config::Timing;

const HZ: &str = "cn-hangzhou";

#[tokio::test]
async fn start_instance_reproduces_every_documented_error() {
    let s = default_server().await;
    let cases = [
        ("i-doesnotexist00000001", 404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist."),
        ("i-bp1seedrunning000001", 403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation."),
        ("i-bp1seedlocked0000001", 403, "InstanceLockedForSecurity", "The specified operation is denied as your instance is locked for security reasons."),
        ("i-bp1seedbalance000001", 403, "InsufficientBalance", "Your account does not have enough balance."),
        ("i-bp1seedexpired000001", 403, "InstanceExpired", "The postPaid instance has been expired.Please ensure your account have enough balance."),
        ("i-bp1seedexpiredpre001", 403, "InstanceExpired", "The prePaid instance has been expired."),
        ("i-bp1seednotready00001", 403, "InstanceNotReady", "The specified instance is not ready for use."),
        ("i-bp1seeddiskerror0001", 403, "DiskError", "IncorrectDiskStatus."),
        ("i-bp1seeddiskarrears01", 403, "DiskInArrears", "The specified operation is denied as your disk has expired."),
        ("i-bp1seednostock000001", 403, "OperationDenied.NoStock", "The requested resource is sold out in the specified zone; try other types of resources or other regions and zones."),
        ("i-bp1seedspotprice0001", 403, "OperationDenied.SpotPriceLowerThanPublicPrice", "The spot instance price is lower than public price."),
        ("i-bp1seedkms0000000001", 403, "InvalidParameter.KMSKeyId.KMSUnauthorized", "ECS service have no right to access your KMS."),
        ("i-bp1seedinternal00001", 500, "InternalError", "The request processing has failed due to some unknown error."),
        ("i-bp1otheraccount00001", 404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist."),
    ];
    for (id, status, code, message) in cases {
        let v = s
            .ecs("StartInstance", &[("InstanceId", id)])
            .await
            .err(status, code);
        assert_eq!(v["Message"], message, "{id}");
    }
    // Every refused instance is still Stopped (or Running for the running one).
    assert_eq!(
        s.instance_status(HZ, "i-bp1seedlocked0000001").await,
        "Stopped"
    );
    assert_eq!(
        s.instance_status(HZ, "i-bp1seedrunning000001").await,
        "Running"
    );
}

#[tokio::test]
async fn dry_run_checks_without_acting() {
    let s = default_server().await;
    let v = s
        .ecs(
            "StartInstance",
            &[("InstanceId", "i-bp1seedstopped000001"), ("DryRun", "True")],
        )
        .await
        .err(400, "DryRunOperation");
    assert_eq!(
        v["Message"],
        "Request validation has been passed with DryRun flag set."
    );
    assert_eq!(
        s.instance_status(HZ, "i-bp1seedstopped000001").await,
        "Stopped"
    );
    // A failing check wins over DryRunOperation.
    s.ecs(
        "StartInstance",
        &[("InstanceId", "i-bp1seedlocked0000001"), ("DryRun", "true")],
    )
    .await
    .err(403, "InstanceLockedForSecurity");
    s.ecs(
        "StopInstance",
        &[("InstanceId", "i-bp1seedstopped000001"), ("DryRun", "true")],
    )
    .await
    .err(403, "IncorrectInstanceStatus");
    s.ecs(
        "StopInstance",
        &[("InstanceId", "i-bp1seedrunning000001"), ("DryRun", "TRUE")],
    )
    .await
    .err(400, "DryRunOperation");
    assert_eq!(
        s.instance_status(HZ, "i-bp1seedrunning000001").await,
        "Running"
    );
}

#[tokio::test]
async fn realistic_timing_shows_transitional_states_on_the_virtual_clock() {
    let s = spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await;
    let id = "i-bp1seedstopped000001";
    s.ecs("StartInstance", &[("InstanceId", id)]).await.ok();
    assert_eq!(s.instance_status(HZ, id).await, "Starting");
    s.ecs("StopInstance", &[("InstanceId", id)])
        .await
        .err(403, "IncorrectInstanceStatus");
    s.advance(2.9).await;
    assert_eq!(s.instance_status(HZ, id).await, "Starting");
    s.advance(0.2).await;
    assert_eq!(s.instance_status(HZ, id).await, "Running");

    s.ecs("RebootInstance", &[("InstanceId", id)]).await.ok();
    assert_eq!(s.instance_status(HZ, id).await, "Stopping");
    s.advance(3.0).await;
    assert_eq!(s.instance_status(HZ, id).await, "Starting");
    s.advance(3.0).await;
    assert_eq!(s.instance_status(HZ, id).await, "Running");

    s.ecs(
        "StopInstance",
        &[("InstanceId", id), ("StoppedMode", "StopCharging")],
    )
    .await
    .ok();
    assert_eq!(s.instance_status(HZ, id).await, "Stopping");
    s.advance(3.0).await;
    let ids = format!("[\"{id}\"]");
    let v = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceIds", &ids)],
        )
        .await
        .ok();
    assert_eq!(v["Instances"]["Instance"][0]["Status"], "Stopped");
    assert_eq!(v["Instances"]["Instance"][0]["StoppedMode"], "StopCharging");
}

#[tokio::test]
async fn instant_timing_completes_within_the_call() {
    let s = default_server().await;
    let id = "i-bp1seedstopped000001";
    s.ecs("StartInstance", &[("InstanceId", id)]).await.ok();
    assert_eq!(s.instance_status(HZ, id).await, "Running");
    s.ecs("StartInstance", &[("InstanceId", id)])
        .await
        .err(403, "IncorrectInstanceStatus");
    s.ecs("RebootInstance", &[("InstanceId", id)]).await.ok();
    assert_eq!(s.instance_status(HZ, id).await, "Running");
    s.ecs("StopInstance", &[("InstanceId", id)]).await.ok();
    assert_eq!(s.instance_status(HZ, id).await, "Stopped");
    s.ecs("RebootInstance", &[("InstanceId", id)])
        .await
        .err(403, "IncorrectInstanceStatus");
}

#[tokio::test]
async fn run_instances_creates_running_instances_with_disks() {
    let s = spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await;
    let v = s
        .ecs(
            "RunInstances",
            &[
                ("RegionId", "cn-beijing"),
                ("ZoneId", "cn-beijing-h"),
                ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
                ("InstanceType", "ecs.c7.large"),
                ("Amount", "3"),
                ("InstanceName", "web"),
                ("SystemDisk.Category", "cloud_essd"),
                ("SystemDisk.Size", "60"),
                ("DataDisk.1.Category", "cloud_essd"),
                ("DataDisk.1.Size", "100"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "test"),
            ],
        )
        .await
        .ok();
    let ids: Vec<String> = v["InstanceIdSets"]["InstanceIdSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|i| i.starts_with("i-2ze") && i.len() == 22),
        "{ids:?}"
    );
    assert_eq!(s.instance_status("cn-beijing", &ids[0]).await, "Pending");
    s.advance(2.0).await;
    assert_eq!(s.instance_status("cn-beijing", &ids[0]).await, "Starting");
    s.advance(3.0).await;
    let list = format!("[\"{}\"]", ids[1]);
    let d = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", "cn-beijing"), ("InstanceIds", &list)],
        )
        .await
        .ok();
    let inst = &d["Instances"]["Instance"][0];
    assert_eq!(inst["Status"], "Running");
    assert_eq!(inst["InstanceName"], "web");
    assert_eq!(inst["ZoneId"], "cn-beijing-h");
    assert_eq!(inst["Cpu"], 2);
    assert_eq!(inst["Memory"], 4096);
    assert_eq!(inst["Tags"]["Tag"][0]["TagKey"], "env");
    let disks = s
        .ecs(
            "DescribeDisks",
            &[("RegionId", "cn-beijing"), ("InstanceId", &ids[1])],
        )
        .await
        .ok();
    assert_eq!(disks["TotalCount"], 2);
    let sys = disks["Disks"]["Disk"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["Type"] == "system")
        .unwrap()
        .clone();
    assert_eq!(
        (
            sys["Size"].as_u64(),
            sys["Category"].as_str(),
            sys["Status"].as_str()
        ),
        (Some(60), Some("cloud_essd"), Some("In_use"))
    );
}

#[tokio::test]
async fn run_instances_validates_and_honours_client_token() {
    let s = default_server().await;
    let base = [
        ("RegionId", HZ),
        ("ImageId", "aliyun_3_x64_20G_alibase_20240819.vhd"),
        ("InstanceType", "ecs.g7.large"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        base.iter().chain(extra).copied().collect::<Vec<_>>()
    };
    s.ecs(
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "nope"),
            ("InstanceType", "ecs.g7.large"),
        ],
    )
    .await
    .err(404, "InvalidImageId.NotFound");
    s.ecs(
        "RunInstances",
        &[
            ("RegionId", HZ),
            ("ImageId", "aliyun_3_x64_20G_alibase_20240819.vhd"),
            ("InstanceType", "ecs.x9"),
        ],
    )
    .await
    .err(400, "InvalidInstanceType.ValueNotSupported");
    s.ecs("RunInstances", &with(&[("ZoneId", "cn-beijing-h")]))
        .await
        .err(404, "InvalidZoneId.NotFound");
    s.ecs("RunInstances", &with(&[("Amount", "0")]))
        .await
        .err(400, "InvalidParameter");
    s.ecs(
        "RunInstances",
        &[("RegionId", HZ), ("InstanceType", "ecs.g7.large")],
    )
    .await
    .err(400, "MissingImageId");
    s.ecs("RunInstances", &with(&[("DryRun", "true")]))
        .await
        .err(400, "DryRunOperation");

    let first = s
        .ecs(
            "RunInstances",
            &with(&[("ClientToken", "tok-1"), ("Amount", "2")]),
        )
        .await
        .ok();
    let again = s
        .ecs(
            "RunInstances",
            &with(&[("ClientToken", "tok-1"), ("Amount", "2")]),
        )
        .await
        .ok();
    assert_eq!(first["InstanceIdSets"], again["InstanceIdSets"]);
    s.ecs(
        "RunInstances",
        &with(&[("ClientToken", "tok-1"), ("Amount", "1")]),
    )
    .await
    .err(400, "IdempotentParameterMismatch");
    let all = s
        .ecs(
            "DescribeInstances",
            &[
                ("RegionId", HZ),
                ("InstanceName", "i-*"),
                ("PageSize", "100"),
            ],
        )
        .await
        .ok();
    assert_eq!(
        all["TotalCount"], 2,
        "the repeated token must not create more instances"
    );
}

#[tokio::test]
async fn delete_instance_releases_its_disks() {
    let s = default_server().await;
    let id = "i-bp1seedrunning000001";
    s.ecs("DeleteInstance", &[("InstanceId", id)])
        .await
        .err(403, "IncorrectInstanceStatus");
    let disk = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "20"),
                ("DiskCategory", "cloud_essd"),
            ],
        )
        .await
        .ok();
    let disk_id = disk["DiskId"].as_str().unwrap();
    s.ecs("AttachDisk", &[("InstanceId", id), ("DiskId", disk_id)])
        .await
        .ok();
    s.ecs("DeleteInstance", &[("InstanceId", id), ("Force", "true")])
        .await
        .ok();
    assert_eq!(s.instance_status(HZ, id).await, "<absent>");
    s.ecs("StartInstance", &[("InstanceId", id)])
        .await
        .err(404, "InvalidInstanceId.NotFound");
    let d = s.disk(HZ, disk_id).await;
    assert_eq!(
        (d["Status"].as_str(), d["InstanceId"].as_str()),
        (Some("Available"), Some(""))
    );
    let sys = s
        .ecs("DescribeDisks", &[("RegionId", HZ), ("InstanceId", id)])
        .await
        .ok();
    assert_eq!(
        sys["TotalCount"], 0,
        "the system disk goes with its instance"
    );
}

#[tokio::test]
async fn describe_instances_filters_and_pages() {
    let s = default_server().await;
    let total = s.ecs("DescribeInstances", &[("RegionId", HZ)]).await.ok();
    assert_eq!(total["TotalCount"], 13);
    assert_eq!(total["PageSize"], 10);
    assert_eq!(total["Instances"]["Instance"].as_array().unwrap().len(), 10);

    let running = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("Status", "Running")],
        )
        .await
        .ok();
    assert_eq!(running["TotalCount"], 1);
    s.ecs(
        "DescribeInstances",
        &[("RegionId", HZ), ("Status", "Sleeping")],
    )
    .await
    .err(404, "InvalidStatus.NotFound");
    let two = s
        .ecs(
            "DescribeInstances",
            &[
                ("RegionId", HZ),
                (
                    "InstanceIds",
                    r#"["i-bp1seedrunning000001","i-bp1seedlocked0000001","i-nope"]"#,
                ),
            ],
        )
        .await
        .ok();
    assert_eq!(two["TotalCount"], 2);
    let none = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceIds", "[]")],
        )
        .await
        .ok();
    assert_eq!(
        none["TotalCount"], 0,
        "an explicit empty array matches nothing"
    );
    s.ecs(
        "DescribeInstances",
        &[("RegionId", HZ), ("InstanceIds", "i-abc")],
    )
    .await
    .err(400, "InvalidParameter");
    s.ecs(
        "DescribeInstances",
        &[("RegionId", HZ), ("Tag.1.Value", "x")],
    )
    .await
    .err(400, "InvalidTag.Mismatch");
    let locked = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("LockReason", "security")],
        )
        .await
        .ok();
    assert_eq!(
        locked["Instances"]["Instance"][0]["OperationLocks"]["LockReason"][0]["LockReason"],
        "security"
    );
    let named = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceName", "seed-*")],
        )
        .await
        .ok();
    assert_eq!(named["TotalCount"], 2);
    s.ecs("DescribeInstances", &[("RegionId", "xx-nowhere-1")])
        .await
        .err(404, "InvalidRegionId.NotFound");

    // PageNumber/PageSize
    let p2 = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("PageSize", "5"), ("PageNumber", "3")],
        )
        .await
        .ok();
    assert_eq!(
        (
            p2["PageNumber"].as_u64(),
            p2["Instances"]["Instance"].as_array().unwrap().len()
        ),
        (Some(3), 3)
    );
    s.ecs(
        "DescribeInstances",
        &[("RegionId", HZ), ("PageSize", "101")],
    )
    .await
    .err(400, "InvalidParameter");

    // NextToken/MaxResults: walk to the end, every instance exactly once, empty token last.
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let mut params = vec![("RegionId", HZ), ("MaxResults", "10")];
        if !token.is_empty() {
            params.push(("NextToken", token.as_str()));
        }
        let page = s.ecs("DescribeInstances", &params).await.ok();
        for i in page["Instances"]["Instance"].as_array().unwrap() {
            seen.push(i["InstanceId"].as_str().unwrap().to_owned());
        }
        token = page["NextToken"].as_str().unwrap().to_owned();
        if token.is_empty() {
            break;
        }
    }
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (13, 13));
}

#[tokio::test]
async fn describe_instance_status_lists_by_region() {
    let s = default_server().await;
    let v = s
        .ecs("DescribeInstanceStatus", &[("RegionId", "cn-beijing")])
        .await
        .ok();
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(
        v["InstanceStatuses"]["InstanceStatus"][0]["InstanceId"],
        "i-2zeseedbeijing000001"
    );
    assert_eq!(
        v["InstanceStatuses"]["InstanceStatus"][0]["Status"],
        "Running"
    );
    let picked = s
        .ecs(
            "DescribeInstanceStatus",
            &[
                ("RegionId", HZ),
                ("InstanceId.1", "i-bp1seedrunning000001"),
                ("InstanceId.2", "i-bp1seedstopped000001"),
            ],
        )
        .await
        .ok();
    assert_eq!(picked["TotalCount"], 2);
    s.ecs(
        "DescribeInstanceStatus",
        &[("RegionId", HZ), ("PageSize", "51")],
    )
    .await
    .err(400, "InvalidParameter");
    s.ecs("DescribeInstanceStatus", &[])
        .await
        .err(400, "MissingRegionId");
}

#[tokio::test]
async fn xml_format_wraps_lists() {
    let s = default_server().await;
    let r = s
        .call(
            ECS,
            "DescribeInstanceStatus",
            &[("RegionId", "cn-beijing"), ("Format", "XML")],
        )
        .await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (200, "text/xml;charset=utf-8")
    );
    assert!(r.body.starts_with("<?xml"), "{}", r.body);
    assert!(
        r.body
            .contains("<DescribeInstanceStatusResponse><RequestId>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<InstanceStatuses><InstanceStatus><InstanceId>i-2zeseedbeijing000001</InstanceId><Status>Running</Status></InstanceStatus></InstanceStatuses>"), "{}", r.body);
    let e = s
        .call(
            ECS,
            "StartInstance",
            &[("InstanceId", "i-nope"), ("Format", "xml")],
        )
        .await;
    assert_eq!(
        (e.status, e.content_type.as_str()),
        (404, "text/xml;charset=utf-8")
    );
    assert!(
        e.body.contains("<Error><RequestId>")
            && e.body.contains("<Code>InvalidInstanceId.NotFound</Code>"),
        "{}",
        e.body
    );
}

#[tokio::test]
async fn concurrent_starts_on_one_instance_have_exactly_one_winner() {
    let s = std::sync::Arc::new(
        spawn(Opts {
            timing: Timing::Realistic,
            ..Opts::default()
        })
        .await,
    );
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.ecs("StartInstance", &[("InstanceId", "i-bp1seedstopped000001")])
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        if r.status == 200 {
            ok += 1;
        } else {
            r.err(403, "IncorrectInstanceStatus");
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        s.instance_status(HZ, "i-bp1seedstopped000001").await,
        "Starting"
    );
}
