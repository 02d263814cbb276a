//! Names and text: what the API accepts as a name or description, and answers that stay
//! well-formed XML whatever a resource stores.

use crate::common::{seed_file, spawn, Opts, ECS};

/// A seed whose names carry characters XML 1.0 forbids (seeds are not held to the API's rules).
const CONTROL_SEED: &str = r#"{ "accounts": [ { "id": "1000000000000001",
  "instances": [ { "id": "i-bp1control000000001", "region_id": "cn-hangzhou",
                   "zone_id": "cn-hangzhou-h", "name": "bell\u0007name",
                   "tags": [ { "key": "k\u0001", "value": "v\uffff" } ] } ],
  "disks": [ { "id": "d-bp1control000000001", "region_id": "cn-hangzhou",
               "zone_id": "cn-hangzhou-h", "size": 40, "name": "nul\u0000and\u001bescape" } ] } ] }"#;

#[track_caller]
fn well_formed(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {xml}"))
}

/// The texts of every `tag` element.
fn texts(doc: &roxmltree::Document<'_>, tag: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn xml_answers_stay_well_formed_whatever_is_stored() {
    let s = spawn(Opts {
        fixtures: Some(seed_file(CONTROL_SEED)),
        ..Opts::default()
    })
    .await;
    let r = s
        .call(
            ECS,
            "DescribeDisks",
            &[("RegionId", "cn-hangzhou"), ("Format", "XML")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = well_formed(&r.body);
    assert!(texts(&doc, "DiskName").contains(&"nul\u{fffd}and\u{fffd}escape".to_owned()));
    let r = s
        .call(
            ECS,
            "DescribeInstances",
            &[("RegionId", "cn-hangzhou"), ("Format", "XML")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = well_formed(&r.body);
    assert_eq!(texts(&doc, "InstanceName"), ["bell\u{fffd}name"]);
    assert_eq!(texts(&doc, "TagKey"), ["k\u{fffd}"]);
    assert_eq!(texts(&doc, "TagValue"), ["v\u{fffd}"]);
    // JSON carries the stored text exactly.
    let v = s
        .ecs("DescribeDisks", &[("RegionId", "cn-hangzhou")])
        .await
        .ok();
    let names: Vec<&str> = v["Disks"]["Disk"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["DiskName"].as_str())
        .collect();
    assert!(names.contains(&"nul\u{0}and\u{1b}escape"), "{names:?}");
    // Error bodies too: a parameter name is echoed in a message.
    let r = s
        .raw(b"GET /?Action=DescribeRegions&Version=2014-05-26&Format=XML&%01x=1&%01x=2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        .await;
    let body = r.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    well_formed(body);
}

#[tokio::test]
async fn create_disk_names_and_descriptions_follow_the_reference() {
    let s = spawn(Opts::default()).await;
    let base = [
        ("RegionId", "cn-hangzhou"),
        ("ZoneId", "cn-hangzhou-h"),
        ("Size", "40"),
    ];
    let with = |extra: (&'static str, &'static str)| {
        let mut p = base.to_vec();
        p.push(extra);
        p
    };
    for name in [
        "bad\u{1}name",
        "esc\u{1b}[31m",
        "has space",
        "1starts-with-digit",
        "x",
        "http://example",
    ] {
        let v = s
            .ecs("CreateDisk", &with(("DiskName", name)))
            .await
            .err(400, "InvalidDiskName.Malformed");
        assert_eq!(v["Message"], "The specified disk name is wrongly formed.");
    }
    let long = "d".repeat(257);
    for description in ["bad\u{0}text", "x", "https://example", long.as_str()] {
        let mut p = base.to_vec();
        p.push(("Description", description));
        s.ecs("CreateDisk", &p)
            .await
            .err(400, "InvalidDescription.Malformed");
    }
    // What the reference allows: letters of any script, digits, ':' '_' '.' '-'; descriptions
    // with spaces and punctuation.
    let v = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", "cn-hangzhou"),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "40"),
                ("DiskName", "数据盘:data_1.a-b"),
                ("Description", "line one\nline two & <more>"),
            ],
        )
        .await
        .ok();
    let disk = s.disk("cn-hangzhou", v["DiskId"].as_str().unwrap()).await;
    assert_eq!(disk["DiskName"], "数据盘:data_1.a-b");
    assert_eq!(disk["Description"], "line one\nline two & <more>");
}

#[tokio::test]
async fn run_instances_names_and_descriptions_follow_the_reference() {
    let s = spawn(Opts::default()).await;
    let base = [
        ("RegionId", "cn-hangzhou"),
        ("ZoneId", "cn-hangzhou-h"),
        ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
        ("InstanceType", "ecs.c7.large"),
    ];
    for (param, value, code, message) in [
        ("InstanceName", "web\u{7}", "InvalidInstanceName.Malformed", "The specified parameter \"InstanceName\" is not valid."),
        ("InstanceName", "-web", "InvalidInstanceName.Malformed", "The specified parameter \"InstanceName\" is not valid."),
        ("HostName", "web..01", "InvalidHostName.Malformed", "The specified parameter \"HostName\" is not valid."),
        ("HostName", "under_score", "InvalidHostName.Malformed", "The specified parameter \"HostName\" is not valid."),
        ("Description", "http://x", "InvalidDescription.Malformed", "The specified parameter \"Description\" is not valid."),
        ("Description", "nul\u{0}", "InvalidDescription.Malformed", "The specified parameter \"Description\" is not valid."),
        ("DataDisk.1.DiskName", "bad name", "InvalidDiskName.Malformed", "The specified parameter \"SystemDisk.DiskName or DataDisk.n.DiskName\" is not valid."),
        ("SystemDisk.DiskName", "9lives", "InvalidDiskName.Malformed", "The specified parameter \"SystemDisk.DiskName or DataDisk.n.DiskName\" is not valid."),
        ("DataDisk.1.Description", "\u{1f}", "InvalidDiskDescription.Malformed", "The specified parameter \"SystemDisk.DiskDescription or DataDisk.n.Description\" is not valid."),
        ("SystemDisk.Description", "https://x", "InvalidDiskDescription.Malformed", "The specified parameter \"SystemDisk.DiskDescription or DataDisk.n.Description\" is not valid."),
    ] {
        let mut p = base.to_vec();
        p.push((param, value));
        if param.starts_with("DataDisk") {
            p.push(("DataDisk.1.Size", "40"));
        }
        let v = s.ecs("RunInstances", &p).await.err(400, code);
        assert_eq!(v["Message"], message, "{param}={value:?}");
    }
    let mut p = base.to_vec();
    p.extend([
        ("InstanceName", "web:01_a.b-c"),
        ("HostName", "web-01.example"),
        ("Description", "a web server, tab\tseparated"),
    ]);
    s.ecs("RunInstances", &p).await.ok();
}

#[tokio::test]
async fn replica_names_and_descriptions_follow_the_reference() {
    let s = spawn(Opts::default()).await;
    for (version, name_message) in [
        (crate::common::EBS, "The parameter GroupName is invalid."),
        (ECS, "The specified parameter \"GroupName\" is not valid."),
    ] {
        let base = [
            ("RegionId", "cn-hangzhou"),
            ("SourceZoneId", "cn-hangzhou-h"),
            ("DestinationRegionId", "cn-shanghai"),
            ("DestinationZoneId", "cn-shanghai-e"),
        ];
        for bad in ["group\u{8}", "two words", "http://g"] {
            let mut p = base.to_vec();
            p.push(("GroupName", bad));
            let v = s
                .call(version, "CreateDiskReplicaGroup", &p)
                .await
                .err(400, "InvalidParameter");
            assert_eq!(v["Message"], name_message);
        }
        let mut p = base.to_vec();
        p.push(("Description", "ctl\u{2}"));
        s.call(version, "CreateDiskReplicaGroup", &p)
            .await
            .err(400, "InvalidParameter");
        let mut p = base.to_vec();
        p.extend([
            ("GroupName", "组-one"),
            ("Description", "two words are fine"),
        ]);
        s.call(version, "CreateDiskReplicaGroup", &p).await.ok();
    }
}
