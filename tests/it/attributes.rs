//! The attribute calls over the wire: CreateInstance (created Stopped), DescribeUserData,
//! ModifyInstanceAttribute, DescribeInstanceAttribute and ModifyDiskAttribute, with their
//! documented errors, and the new fields in the state document.

use serde_json::{json, Value};

use crate::common::{default_server, Server};

const HZ: &str = "cn-hangzhou";

/// Request parameters.
type Params<'a> = Vec<(&'a str, &'a str)>;
const IMAGE: &str = "ubuntu_22_04_x64_20G_alibase_20240710.vhd";
/// `#!/bin/sh\necho hello\n` in Base64.
const SCRIPT: &str = "IyEvYmluL3NoCmVjaG8gaGVsbG8K";

async fn create_instance(s: &Server, extra: &[(&str, &str)]) -> String {
    let mut params = vec![
        ("RegionId", HZ),
        ("ZoneId", "cn-hangzhou-h"),
        ("ImageId", IMAGE),
        ("InstanceType", "ecs.g7.large"),
    ];
    params.extend_from_slice(extra);
    let v = s.ecs("CreateInstance", &params).await.ok();
    assert_eq!(v["OrderId"], "");
    assert_eq!(v["TradePrice"], 0.0);
    v["InstanceId"].as_str().expect("InstanceId").to_owned()
}

async fn attribute(s: &Server, id: &str) -> Value {
    s.ecs("DescribeInstanceAttribute", &[("InstanceId", id)])
        .await
        .ok()
}

#[tokio::test]
async fn create_instance_leaves_it_stopped_with_its_user_data() {
    let s = default_server().await;
    let id = create_instance(
        &s,
        &[
            ("InstanceName", "legacy-1"),
            ("HostName", "legacy-host"),
            ("UserData", SCRIPT),
            ("Password", "Passw0rd!x"),
            ("Tag.1.Key", "env"),
            ("Tag.1.Value", "test"),
        ],
    )
    .await;
    assert_eq!(s.instance_status(HZ, &id).await, "Stopped");
    let v = s
        .ecs("DescribeUserData", &[("RegionId", HZ), ("InstanceId", &id)])
        .await
        .ok();
    assert_eq!(
        (&v["RegionId"], &v["InstanceId"], &v["UserData"]),
        (&json!(HZ), &json!(id), &json!(SCRIPT))
    );
    let a = attribute(&s, &id).await;
    assert_eq!(a["InstanceName"], "legacy-1");
    assert_eq!(a["HostName"], "legacy-host");
    assert_eq!(a["Status"], "Stopped");
    // It starts like any stopped instance.
    s.ecs("StartInstance", &[("InstanceId", &id)]).await.ok();
    assert_eq!(s.instance_status(HZ, &id).await, "Running");
    // RunInstances keeps user data too; an instance without any answers the empty string.
    let v = s
        .ecs(
            "RunInstances",
            &[
                ("RegionId", HZ),
                ("ImageId", IMAGE),
                ("InstanceType", "ecs.g7.large"),
                ("UserData", SCRIPT),
            ],
        )
        .await
        .ok();
    let run = v["InstanceIdSets"]["InstanceIdSet"][0].as_str().unwrap();
    let v = s
        .ecs("DescribeUserData", &[("RegionId", HZ), ("InstanceId", run)])
        .await
        .ok();
    assert_eq!(v["UserData"], SCRIPT);
    let v = s
        .ecs(
            "DescribeUserData",
            &[("RegionId", HZ), ("InstanceId", "i-bp1seedrunning000001")],
        )
        .await
        .ok();
    assert_eq!(v["UserData"], "");
}

#[tokio::test]
async fn create_instance_refuses_what_run_instances_refuses() {
    let s = default_server().await;
    let base = [
        ("RegionId", HZ),
        ("ImageId", IMAGE),
        ("InstanceType", "ecs.g7.large"),
    ];
    let cases: Vec<(Params<'_>, u16, &str)> = vec![
        (vec![("ImageId", "nope")], 404, "InvalidImageId.NotFound"),
        (
            vec![("InstanceName", "1bad")],
            400,
            "InvalidInstanceName.Malformed",
        ),
        (
            vec![("Password", "short")],
            400,
            "InvalidPassword.Malformed",
        ),
        (
            vec![("UserData", "not base64!")],
            400,
            "InvalidUserData.Base64FormatInvalid",
        ),
        (vec![("DryRun", "true")], 400, "DryRunOperation"),
    ];
    for (extra, status, code) in &cases {
        let mut params: Vec<(&str, &str)> = base
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .copied()
            .collect();
        params.extend_from_slice(extra);
        s.ecs("CreateInstance", &params).await.err(*status, code);
    }
    s.ecs("CreateInstance", &[("RegionId", HZ), ("ImageId", IMAGE)])
        .await
        .err(400, "MissingInstanceType");
    // Nothing was created by the refused calls.
    let v = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceName", "1bad")],
        )
        .await
        .ok();
    assert_eq!(v["TotalCount"], 0);
}

#[tokio::test]
async fn modify_instance_attribute_changes_what_describe_shows() {
    let s = default_server().await;
    let id = "i-bp1seedstopped000001";
    s.ecs(
        "ModifyInstanceAttribute",
        &[
            ("InstanceId", id),
            ("InstanceName", "renamed"),
            ("Description", "a new description"),
            ("HostName", "new-host.local"),
            ("UserData", SCRIPT),
        ],
    )
    .await
    .ok();
    let a = attribute(&s, id).await;
    assert_eq!(a["InstanceName"], "renamed");
    assert_eq!(a["Description"], "a new description");
    assert_eq!(a["HostName"], "new-host.local");
    let d = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceIds", &format!("[\"{id}\"]"))],
        )
        .await
        .ok();
    let listed = &d["Instances"]["Instance"][0];
    assert_eq!(listed["InstanceName"], "renamed");
    for f in [
        "SerialNumber",
        "Cpu",
        "Memory",
        "InstanceType",
        "ZoneId",
        "VpcAttributes",
    ] {
        assert_eq!(a[f], listed[f], "{f}");
    }
    let v = s
        .ecs("DescribeUserData", &[("RegionId", HZ), ("InstanceId", id)])
        .await
        .ok();
    assert_eq!(v["UserData"], SCRIPT);
}

#[tokio::test]
async fn modify_instance_attribute_reproduces_its_errors() {
    let s = default_server().await;
    let stopped = "i-bp1seedstopped000001";
    let too_big = "A".repeat(43_692);
    let cases: Vec<(&str, Params<'_>, u16, &str)> = vec![
        (
            "i-nope",
            vec![("InstanceName", "ab")],
            404,
            "InvalidInstanceId.NotFound",
        ),
        (
            stopped,
            vec![("InstanceName", "-x")],
            400,
            "InvalidInstanceName.Malformed",
        ),
        (
            stopped,
            vec![("Description", "http://x")],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            stopped,
            vec![("HostName", "bad_host")],
            400,
            "InvalidHostName.Malformed",
        ),
        (
            stopped,
            vec![("UserData", "%%%")],
            400,
            "InvalidUserData.Base64FormatInvalid",
        ),
        (
            stopped,
            vec![("UserData", &too_big)],
            400,
            "InvalidUserData.SizeExceeded",
        ),
        (
            stopped,
            vec![("Password", "password")],
            400,
            "InvalidPassword.Malformed",
        ),
        (
            "i-bp1seedrunning000001",
            vec![("UserData", SCRIPT)],
            403,
            "IncorrectInstanceStatus",
        ),
        (
            "i-bp1seedlocked0000001",
            vec![("InstanceName", "ab")],
            403,
            "InstanceLockedForSecurity",
        ),
    ];
    for (id, extra, status, code) in cases {
        let mut params = vec![("InstanceId", id)];
        params.extend(extra);
        s.ecs("ModifyInstanceAttribute", &params)
            .await
            .err(status, code);
    }
    s.ecs("ModifyInstanceAttribute", &[("InstanceName", "ab")])
        .await
        .err(400, "MissingInstanceId");
    // Nothing changed on the refused instances.
    assert_eq!(attribute(&s, stopped).await["InstanceName"], "seed-stopped");
    // A running instance takes a new name and host name (effective at its next start).
    s.ecs(
        "ModifyInstanceAttribute",
        &[
            ("InstanceId", "i-bp1seedrunning000001"),
            ("HostName", "web-1"),
        ],
    )
    .await
    .ok();
    assert_eq!(
        attribute(&s, "i-bp1seedrunning000001").await["HostName"],
        "web-1"
    );
}

#[tokio::test]
async fn describe_calls_for_one_instance_answer_not_found() {
    let s = default_server().await;
    s.ecs("DescribeInstanceAttribute", &[("InstanceId", "i-nope")])
        .await
        .err(404, "InvalidInstanceId.NotFound");
    s.ecs(
        "DescribeUserData",
        &[
            ("RegionId", "cn-beijing"),
            ("InstanceId", "i-bp1seedstopped000001"),
        ],
    )
    .await
    .err(404, "InvalidInstanceId.NotFound");
    s.ecs(
        "DescribeUserData",
        &[("InstanceId", "i-bp1seedstopped000001")],
    )
    .await
    .err(400, "MissingRegionId");
    let a = attribute(&s, "i-bp1seedlocked0000001").await;
    assert_eq!(
        a["OperationLocks"]["LockReason"][0]["LockReason"],
        "security"
    );
    assert_eq!(a["EipAddress"]["IpAddress"], "");
    assert_eq!(a["PublicIpAddress"]["IpAddress"], json!([]));
}

async fn new_disk(s: &Server) -> String {
    let v = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                ("ZoneId", "cn-hangzhou-h"),
                ("DiskCategory", "cloud_essd"),
                ("Size", "40"),
            ],
        )
        .await
        .ok();
    v["DiskId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn modify_disk_attribute_changes_one_or_many_disks() {
    let s = default_server().await;
    let (a, b) = (new_disk(&s).await, new_disk(&s).await);
    s.ecs(
        "ModifyDiskAttribute",
        &[
            ("DiskId", &a),
            ("DiskName", "data-a"),
            ("Description", "the first disk"),
            ("DeleteWithInstance", "true"),
            ("DeleteAutoSnapshot", "false"),
        ],
    )
    .await
    .ok();
    let d = s.disk(HZ, &a).await;
    assert_eq!(d["DiskName"], "data-a");
    assert_eq!(d["Description"], "the first disk");
    assert_eq!(d["DeleteWithInstance"], true);
    assert_eq!(d["DeleteAutoSnapshot"], false);
    s.ecs(
        "ModifyDiskAttribute",
        &[
            ("DiskIds.1", &a),
            ("DiskIds.2", &b),
            ("DeleteWithInstance", "false"),
        ],
    )
    .await
    .ok();
    for id in [&a, &b] {
        assert_eq!(s.disk(HZ, id).await["DeleteWithInstance"], false, "{id}");
    }
    assert_eq!(s.disk(HZ, &a).await["DiskName"], "data-a");
}

#[tokio::test]
async fn modify_disk_attribute_reproduces_its_errors_and_changes_nothing() {
    let s = default_server().await;
    let a = new_disk(&s).await;
    let cases: Vec<(Params<'_>, u16, &str)> = vec![
        (
            vec![
                ("DiskIds.1", &a),
                ("DiskIds.2", "d-nope"),
                ("DiskName", "x-y"),
            ],
            404,
            "InvalidDiskId.NotFound",
        ),
        (
            vec![("DiskId", &a), ("DiskName", "1bad")],
            400,
            "InvalidDiskName.Malformed",
        ),
        (
            vec![("DiskId", &a), ("Description", "https://x")],
            400,
            "InvalidDescription.Malformed",
        ),
        (
            vec![("DiskId", &a), ("DeleteWithInstance", "maybe")],
            400,
            "InvalidParameter",
        ),
        (vec![("DiskName", "x-y")], 400, "MissingDiskId"),
    ];
    for (params, status, code) in cases {
        s.ecs("ModifyDiskAttribute", &params)
            .await
            .err(status, code);
    }
    let ids: Vec<(String, String)> = (1..=101)
        .map(|i| (format!("DiskIds.{i}"), a.clone()))
        .collect();
    let params: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.ecs("ModifyDiskAttribute", &params)
        .await
        .err(403, "InvalidDiskIds.Malformed");
    assert_eq!(s.disk(HZ, &a).await["DiskName"], "");
}

#[tokio::test]
async fn a_system_disk_kept_with_delete_with_instance_false_outlives_its_instance() {
    let s = default_server().await;
    let id = create_instance(&s, &[]).await;
    let v = s
        .ecs("DescribeDisks", &[("RegionId", HZ), ("InstanceId", &id)])
        .await
        .ok();
    let system = v["Disks"]["Disk"][0]["DiskId"].as_str().unwrap().to_owned();
    assert_eq!(v["Disks"]["Disk"][0]["Type"], "system");
    s.ecs(
        "ModifyDiskAttribute",
        &[("DiskId", &system), ("DeleteWithInstance", "false")],
    )
    .await
    .ok();
    s.ecs("DeleteInstance", &[("InstanceId", &id)]).await.ok();
    let d = s.disk(HZ, &system).await;
    assert_eq!(d["Status"], "Available");
    assert_eq!(d["Type"], "data");
    assert_eq!(d["InstanceId"], "");
}

#[tokio::test]
async fn the_state_document_carries_the_new_fields_and_version_1_still_loads() {
    let s = default_server().await;
    let id = create_instance(&s, &[("UserData", SCRIPT)]).await;
    let disk = new_disk(&s).await;
    s.ecs(
        "ModifyDiskAttribute",
        &[("DiskId", &disk), ("DeleteAutoSnapshot", "false")],
    )
    .await
    .ok();
    let doc = s.control_ok("GET", "/_emulator/state", None).await;
    assert_eq!(doc["format_version"], 2);
    s.control_ok("POST", "/_emulator/reset", None).await;
    s.control_ok("PUT", "/_emulator/state", Some(&doc.to_string()))
        .await;
    let v = s
        .ecs("DescribeUserData", &[("RegionId", HZ), ("InstanceId", &id)])
        .await
        .ok();
    assert_eq!(v["UserData"], SCRIPT);
    assert_eq!(s.disk(HZ, &disk).await["DeleteAutoSnapshot"], false);
    // A version 1 document (written before these fields existed) loads with their defaults.
    let mut old = doc.clone();
    old["format_version"] = json!(1);
    for acc in old["accounts"].as_object_mut().unwrap().values_mut() {
        for i in acc["instances"].as_object_mut().unwrap().values_mut() {
            i.as_object_mut().unwrap().remove("user_data");
        }
        for d in acc["disks"].as_object_mut().unwrap().values_mut() {
            d.as_object_mut().unwrap().remove("delete_auto_snapshot");
        }
    }
    s.control_ok("PUT", "/_emulator/state", Some(&old.to_string()))
        .await;
    let v = s
        .ecs("DescribeUserData", &[("RegionId", HZ), ("InstanceId", &id)])
        .await
        .ok();
    assert_eq!(v["UserData"], "");
    assert_eq!(s.disk(HZ, &disk).await["DeleteAutoSnapshot"], true);
    let exported = s.control_ok("GET", "/_emulator/state", None).await;
    assert_eq!(exported["format_version"], 2);
}

#[tokio::test]
async fn a_seed_sets_host_name_description_and_user_data() {
    let seed = json!({"accounts": [{"id": "1000000000000001", "instances": [{
        "id": "i-bp1seeduserdata00001", "region_id": HZ, "zone_id": "cn-hangzhou-h",
        "status": "Stopped", "host_name": "seeded-host", "description": "from the seed",
        "user_data": SCRIPT}]}]});
    let s = crate::common::spawn(crate::common::Opts {
        fixtures: Some(crate::common::seed_file(&seed.to_string())),
        ..crate::common::Opts::default()
    })
    .await;
    let a = attribute(&s, "i-bp1seeduserdata00001").await;
    assert_eq!(
        (&a["HostName"], &a["Description"]),
        (&json!("seeded-host"), &json!("from the seed"))
    );
    let v = s
        .ecs(
            "DescribeUserData",
            &[("RegionId", HZ), ("InstanceId", "i-bp1seeduserdata00001")],
        )
        .await
        .ok();
    assert_eq!(v["UserData"], SCRIPT);
}

#[tokio::test]
async fn with_realistic_timing_create_instance_passes_pending_then_stays_stopped() {
    let s = crate::common::spawn(crate::common::Opts {
        timing: ecs_emulator::config::Timing::Realistic,
        ..crate::common::Opts::default()
    })
    .await;
    let id = create_instance(&s, &[]).await;
    assert_eq!(s.instance_status(HZ, &id).await, "Pending");
    s.ecs("StartInstance", &[("InstanceId", &id)])
        .await
        .err(403, "IncorrectInstanceStatus");
    s.advance(2.1).await;
    assert_eq!(s.instance_status(HZ, &id).await, "Stopped");
    s.advance(60.0).await;
    assert_eq!(s.instance_status(HZ, &id).await, "Stopped");
}
