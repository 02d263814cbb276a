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
        seed_file: Some(seed_file(CONTROL_SEED)),
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
