//! The JSON and XML encoders: whatever text a resource stores, XML answers are well-formed
//! (characters XML 1.0 forbids become U+FFFD) and JSON answers carry the text unchanged.

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::harness::{hostile_text, query_of, Emulator};

/// What an XML parser reads for stored text: the text, with characters XML 1.0 forbids
/// replaced by U+FFFD.
fn as_xml_reads_it(stored: &str) -> String {
    stored
        .chars()
        .map(|c| {
            if ecs_emulator::aliyun::reply::forbidden_in_xml(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn xml_texts(xml: &str, tag: &str) -> Result<Vec<String>, TestCaseError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| TestCaseError::fail(format!("not well-formed ({e}): {xml}")))?;
    Ok(doc
        .descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect())
}

fn seed(instance_name: &str, tag: (&str, &str), disk_name: &str) -> String {
    json!({ "accounts": [ { "id": "1000000000000001",
        "instances": [ { "id": "i-bp1fuzz000000000001", "region_id": "cn-hangzhou",
                         "zone_id": "cn-hangzhou-h", "name": instance_name,
                         "tags": [ { "key": tag.0, "value": tag.1 } ] } ],
        "disks": [ { "id": "d-bp1fuzz000000000001", "region_id": "cn-hangzhou",
                     "zone_id": "cn-hangzhou-h", "size": 40, "name": disk_name } ] } ] })
    .to_string()
}

proptest! {
    /// Stored names and tags: well-formed XML with the text as a parser reads it; JSON exact.
    #[test]
    fn stored_text_renders_to_well_formed_xml_and_exact_json(
        instance_name in hostile_text(24),
        key in hostile_text(12),
        value in hostile_text(12),
        disk_name in hostile_text(24),
    ) {
        let mut emu = Emulator::from_seed(&seed(&instance_name, (&key, &value), &disk_name))
            .map_err(TestCaseError::fail)?;
        let region = [("Action", "DescribeInstances"), ("Version", "2014-05-26"), ("RegionId", "cn-hangzhou")];
        let xml = emu.get(&format!("{}&Format=XML", query_of(&region)));
        prop_assert_eq!(xml.status, 200, "{}", xml.body);
        prop_assert_eq!(xml_texts(&xml.body, "InstanceName")?, vec![as_xml_reads_it(&instance_name)]);
        let tags = xml_texts(&xml.body, "TagKey")?;
        prop_assert_eq!(tags, vec![as_xml_reads_it(&key)]);
        prop_assert_eq!(xml_texts(&xml.body, "TagValue")?, vec![as_xml_reads_it(&value)]);

        let js = emu.get(&query_of(&region));
        let v: Value = serde_json::from_str(&js.body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let inst = &v["Instances"]["Instance"][0];
        prop_assert_eq!(inst["InstanceName"].as_str(), Some(instance_name.as_str()));
        prop_assert_eq!(inst["Tags"]["Tag"][0]["TagKey"].as_str(), Some(key.as_str()));
        prop_assert_eq!(inst["Tags"]["Tag"][0]["TagValue"].as_str(), Some(value.as_str()));

        let disks = [("Action", "DescribeDisks"), ("Version", "2014-05-26"), ("RegionId", "cn-hangzhou"),
                     ("DiskIds", "[\"d-bp1fuzz000000000001\"]")];
        let xml = emu.get(&format!("{}&Format=XML", query_of(&disks)));
        prop_assert_eq!(xml_texts(&xml.body, "DiskName")?, vec![as_xml_reads_it(&disk_name)]);
        let js = emu.get(&query_of(&disks));
        let v: Value = serde_json::from_str(&js.body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(v["Disks"]["Disk"][0]["DiskName"].as_str(), Some(disk_name.as_str()));
    }

    /// Error bodies echo request text (a parameter given twice names it): still well-formed
    /// XML, and JSON that parses.
    #[test]
    fn error_bodies_stay_well_formed(name in hostile_text(16)) {
        let mut emu = Emulator::from_seed(r#"{"accounts":[]}"#).map_err(TestCaseError::fail)?;
        let twice = format!(
            "{}&{}&{}",
            query_of(&[("Action", "DescribeRegions"), ("Version", "2014-05-26")]),
            query_of(&[(name.as_str(), "1")]),
            query_of(&[(name.as_str(), "2")]),
        );
        for format in ["XML", "JSON"] {
            let r = emu.get(&format!("{twice}&Format={format}"));
            prop_assert!(r.status >= 400, "{}", r.body);
            if format == "XML" {
                let codes = xml_texts(&r.body, "Code")?;
                prop_assert_eq!(codes.len(), 1);
            } else {
                let v: Value = serde_json::from_str(&r.body).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(v["Code"].is_string());
            }
        }
    }
}
