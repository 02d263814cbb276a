//! Response shapes: every served ECS and EBS operation answers with exactly the documented field set (tests/fixtures/response-fields.json, generated from the Tea SDK models), recursively, list items included.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::replica::{essd, new_group, new_pair, pair_op, HZ, SH};
use crate::common::{default_server, Server, EBS};

/// The fixture: `product/Action` to the documented schema of its JSON body.
fn fixture() -> BTreeMap<String, Value> {
    let text = include_str!("../fixtures/response-fields.json");
    serde_json::from_str(text).expect("tests/fixtures/response-fields.json is JSON")
}

/// Operations served but absent from the Tea models: the ECS dialect of the disk-replica
/// operations exists only in the seed documents, whose examples the golden files pin.
fn not_in_the_models(product: &str, action: &str) -> bool {
    product == "ecs" && action.contains("DiskReplica")
}

/// Documented fields that are returned only in some cases, with why they are absent here.
const CONDITIONAL: &[(&str, &str)] = &[
    // Returned for subscriptions only (the test creates pay-as-you-go resources).
    ("ecs/CreateDisk", "OrderId"),
    ("ecs/RunInstances", "OrderId"),
    ("ecs/RunInstances", "TradePrice"),
    ("ebs/CreateDiskReplicaPair", "OrderId"),
    ("ebs/DescribeDiskReplicaPairs", "ReplicaPairs[].ExpiredTime"),
    // Absent until a copy has completed: Terraform waits on it (README, Replication).
    (
        "ebs/DescribeDiskReplicaPairs",
        "ReplicaPairs[].LastRecoverPoint",
    ),
    (
        "ebs/DescribeDiskReplicaGroups",
        "ReplicaGroups[].LastRecoverPoint",
    ),
    ("ebs/DescribeDiskReplicaPairProgress", "RecoverPoint"),
];

/// Fields served beyond the documented set (README says why).
const EXTRAS: &[(&str, &str)] = &[(
    "ebs/DescribeDiskReplicaPairs",
    "ReplicaPairs[].ReplicationProgress",
)];

/// Where `served` departs from `schema`, one line per field, paths like
/// `Instances.Instance[].EipAddress.IpAddress`. Lists are checked item by item; an empty list
/// is recorded in `unchecked` (its items' shape cannot be seen).
fn compare(
    schema: &Value,
    served: &Value,
    path: &str,
    out: &mut Vec<String>,
    unchecked: &mut Vec<String>,
) {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    };
    match schema {
        Value::Object(fields) => {
            let Value::Object(got) = served else {
                out.push(format!(
                    "{path}: documented object, served {}",
                    kind(served)
                ));
                return;
            };
            for (name, sub) in fields {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                match got.get(name) {
                    None => out.push(format!("missing {at}")),
                    Some(v) => compare(sub, v, &at, out, unchecked),
                }
            }
            for name in got.keys().filter(|k| !fields.contains_key(*k)) {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                out.push(format!("undocumented {at}"));
            }
        }
        Value::Array(item) => {
            let Value::Array(items) = served else {
                out.push(format!("{path}: documented list, served {}", kind(served)));
                return;
            };
            if items.is_empty() && item[0].is_object() {
                unchecked.push(path.to_owned());
            }
            for v in items {
                compare(&item[0], v, &format!("{path}[]"), out, unchecked);
            }
        }
        Value::String(scalar) => {
            let ok = match (scalar.as_str(), served) {
                ("map", _) => true,
                ("number", Value::Number(_)) => true,
                (want, v) => want == kind(v),
            };
            if !ok {
                out.push(format!(
                    "{path}: documented {scalar}, served {}",
                    kind(served)
                ));
            }
        }
        other => out.push(format!("{path}: bad fixture entry {other}")),
    }
}

/// Where an XML answer's element tree departs from `schema`. XML has no empty list (an empty
/// list is an element without children) and shows a list as its item element repeated, so a
/// list field may be absent and every element named like it is one item.
fn compare_xml(schema: &Value, node: roxmltree::Node<'_, '_>, path: &str, out: &mut Vec<String>) {
    match schema {
        Value::Object(fields) => {
            for child in node.children().filter(roxmltree::Node::is_element) {
                let name = child.tag_name().name();
                let at = if path.is_empty() {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                };
                match fields.get(name) {
                    None => out.push(format!("undocumented {at}")),
                    Some(Value::Array(item)) => {
                        compare_xml(&item[0], child, &format!("{at}[]"), out)
                    }
                    Some(sub) => compare_xml(sub, child, &at, out),
                }
            }
            for (name, sub) in fields {
                let present = node.children().any(|c| c.has_tag_name(name.as_str()));
                if !present && !sub.is_array() {
                    let at = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    out.push(format!("missing {at}"));
                }
            }
        }
        Value::String(kind) if kind == "map" => {}
        _ => {
            if node.children().any(|c| c.is_element()) {
                out.push(format!(
                    "{path}: documented scalar, served an element with children"
                ));
            }
        }
    }
}

/// A JSON document that refuses an object naming one key twice (serde_json's `Value` would keep
/// the last silently): a documented blank must never repeat a served field.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<NoDuplicateKeys, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> Result<NoDuplicateKeys, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<NoDuplicateKeys>()?;
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("the key {key} twice")));
            }
        }
        Ok(NoDuplicateKeys)
    }
}

/// One call per operation, in an order that leaves each one's list non-empty.
async fn answers(s: &Server) -> BTreeMap<String, Value> {
    let mut got = BTreeMap::new();
    let mut put = |product: &str, action: &str, body: Value| {
        got.insert(format!("{product}/{action}"), body);
    };
    let hz = [("RegionId", HZ.0)];
    for action in ["DescribeRegions"] {
        put("ecs", action, s.ecs(action, &[]).await.ok());
    }
    for action in ["DescribeZones", "DescribeImages", "DescribeInstanceStatus"] {
        put("ecs", action, s.ecs(action, &hz).await.ok());
    }
    put(
        "ecs",
        "DescribeInstanceTypes",
        s.ecs("DescribeInstanceTypes", &[]).await.ok(),
    );

    let run = s
        .ecs(
            "RunInstances",
            &[
                ("RegionId", HZ.0),
                ("ZoneId", HZ.1),
                ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
                ("InstanceType", "ecs.c7.large"),
                ("SystemDisk.Category", "cloud_essd"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "test"),
            ],
        )
        .await
        .ok();
    let instance = run["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .expect("an instance id")
        .to_owned();
    put("ecs", "RunInstances", run);
    s.advance(60.0).await;
    put(
        "ecs",
        "DescribeInstances",
        s.ecs("DescribeInstances", &hz).await.ok(),
    );

    let disk = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ.0),
                ("ZoneId", HZ.1),
                ("DiskCategory", "cloud_essd"),
                ("Size", "40"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "a"),
            ],
        )
        .await
        .ok();
    let disk_id = disk["DiskId"].as_str().expect("DiskId").to_owned();
    put("ecs", "CreateDisk", disk);
    s.advance(5.0).await;
    let on = [
        ("InstanceId", instance.as_str()),
        ("DiskId", disk_id.as_str()),
    ];
    put("ecs", "AttachDisk", s.ecs("AttachDisk", &on).await.ok());
    s.advance(5.0).await;
    put(
        "ecs",
        "DescribeDisks",
        s.ecs("DescribeDisks", &hz).await.ok(),
    );
    put(
        "ecs",
        "ModifyDiskAttribute",
        s.ecs(
            "ModifyDiskAttribute",
            &[("DiskId", disk_id.as_str()), ("DiskName", "renamed")],
        )
        .await
        .ok(),
    );
    put("ecs", "DetachDisk", s.ecs("DetachDisk", &on).await.ok());
    s.advance(5.0).await;
    put(
        "ecs",
        "DeleteDisk",
        s.ecs("DeleteDisk", &on[1..]).await.ok(),
    );

    let id = [("InstanceId", instance.as_str())];
    // Attributes, user data and tags of the instance.
    put(
        "ecs",
        "DescribeInstanceAttribute",
        s.ecs("DescribeInstanceAttribute", &id).await.ok(),
    );
    put(
        "ecs",
        "ModifyInstanceAttribute",
        s.ecs(
            "ModifyInstanceAttribute",
            &[
                ("InstanceId", instance.as_str()),
                ("InstanceName", "renamed"),
            ],
        )
        .await
        .ok(),
    );
    put(
        "ecs",
        "DescribeUserData",
        s.ecs(
            "DescribeUserData",
            &[("RegionId", HZ.0), ("InstanceId", instance.as_str())],
        )
        .await
        .ok(),
    );
    let tagged = [
        ("RegionId", HZ.0),
        ("ResourceType", "instance"),
        ("ResourceId.1", instance.as_str()),
    ];
    let mut tag = tagged.to_vec();
    tag.extend([("Tag.1.Key", "owner"), ("Tag.1.Value", "ci")]);
    put(
        "ecs",
        "TagResources",
        s.ecs("TagResources", &tag).await.ok(),
    );
    put(
        "ecs",
        "ListTagResources",
        s.ecs("ListTagResources", &tagged).await.ok(),
    );
    let mut untag = tagged.to_vec();
    untag.push(("TagKey.1", "owner"));
    put(
        "ecs",
        "UntagResources",
        s.ecs("UntagResources", &untag).await.ok(),
    );
    put(
        "ecs",
        "CreateInstance",
        s.ecs(
            "CreateInstance",
            &[
                ("RegionId", HZ.0),
                ("ZoneId", HZ.1),
                ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
                ("InstanceType", "ecs.c7.large"),
            ],
        )
        .await
        .ok(),
    );
    put(
        "ebs",
        "DescribeRegions",
        s.ebs("DescribeRegions", &[]).await.ok(),
    );
    put(
        "ecs",
        "RebootInstance",
        s.ecs("RebootInstance", &id).await.ok(),
    );
    s.advance(60.0).await;
    put("ecs", "StopInstance", s.ecs("StopInstance", &id).await.ok());
    s.advance(60.0).await;
    put(
        "ecs",
        "StartInstance",
        s.ecs("StartInstance", &id).await.ok(),
    );
    s.advance(60.0).await;
    put(
        "ecs",
        "DeleteInstance",
        s.ecs(
            "DeleteInstance",
            &[("InstanceId", instance.as_str()), ("Force", "true")],
        )
        .await
        .ok(),
    );

    // EBS: a pair and a group, driven through every state.
    let (pair, _, _) = new_pair(s, EBS, HZ, SH, &[("Tag.1.Key", "k"), ("Tag.1.Value", "v")]).await;
    let created = s
        .ebs(
            "CreateDiskReplicaPair",
            &[
                ("RegionId", HZ.0),
                ("SourceZoneId", HZ.1),
                ("DiskId", &essd(s, HZ).await),
                ("DestinationRegionId", SH.0),
                ("DestinationZoneId", SH.1),
                ("DestinationDiskId", &essd(s, SH).await),
            ],
        )
        .await
        .ok();
    put("ebs", "CreateDiskReplicaPair", created);
    s.advance(5.0).await;
    let group_created = s
        .ebs(
            "CreateDiskReplicaGroup",
            &[
                ("RegionId", HZ.0),
                ("SourceZoneId", HZ.1),
                ("DestinationRegionId", SH.0),
                ("DestinationZoneId", SH.1),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v"),
            ],
        )
        .await
        .ok();
    put("ebs", "CreateDiskReplicaGroup", group_created);
    let group = new_group(s, HZ, SH, &[]).await;
    s.advance(5.0).await;
    let p = |action: &'static str, region: &'static str| {
        let pair = pair.clone();
        async move { pair_op(s, action, region, &pair).await.ok() }
    };
    put(
        "ebs",
        "StartDiskReplicaPair",
        p("StartDiskReplicaPair", HZ.0).await,
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "DescribeDiskReplicaPairProgress",
        p("DescribeDiskReplicaPairProgress", HZ.0).await,
    );
    put(
        "ebs",
        "StopDiskReplicaPair",
        p("StopDiskReplicaPair", HZ.0).await,
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "ModifyDiskReplicaPair",
        s.ebs(
            "ModifyDiskReplicaPair",
            &[
                ("RegionId", HZ.0),
                ("ReplicaPairId", &pair),
                ("PairName", "renamed"),
            ],
        )
        .await
        .ok(),
    );
    put(
        "ebs",
        "FailoverDiskReplicaPair",
        p("FailoverDiskReplicaPair", SH.0).await,
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "ReprotectDiskReplicaPair",
        p("ReprotectDiskReplicaPair", SH.0).await,
    );
    s.advance(30.0).await;

    // A second pair in a group, driven through the group.
    let member = new_pair(s, EBS, HZ, SH, &[]).await.0;
    let on_group = [("RegionId", HZ.0), ("ReplicaGroupId", group.as_str())];
    let grouped = [
        ("RegionId", HZ.0),
        ("ReplicaGroupId", group.as_str()),
        ("ReplicaPairId", member.as_str()),
    ];
    put(
        "ebs",
        "AddDiskReplicaPair",
        s.ebs("AddDiskReplicaPair", &grouped).await.ok(),
    );
    let mut on_group_named = on_group.to_vec();
    on_group_named.push(("GroupName", "renamed"));
    put(
        "ebs",
        "ModifyDiskReplicaGroup",
        s.ebs("ModifyDiskReplicaGroup", &on_group_named).await.ok(),
    );
    put(
        "ebs",
        "StartDiskReplicaGroup",
        s.ebs("StartDiskReplicaGroup", &on_group).await.ok(),
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "DescribeDiskReplicaPairs",
        s.ebs("DescribeDiskReplicaPairs", &hz).await.ok(),
    );
    put(
        "ebs",
        "DescribeDiskReplicaGroups",
        s.ebs("DescribeDiskReplicaGroups", &hz).await.ok(),
    );
    put(
        "ebs",
        "StopDiskReplicaGroup",
        s.ebs("StopDiskReplicaGroup", &on_group).await.ok(),
    );
    s.advance(30.0).await;
    let on_group_sh = [("RegionId", SH.0), ("ReplicaGroupId", group.as_str())];
    put(
        "ebs",
        "FailoverDiskReplicaGroup",
        s.ebs("FailoverDiskReplicaGroup", &on_group_sh).await.ok(),
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "ReprotectDiskReplicaGroup",
        s.ebs("ReprotectDiskReplicaGroup", &on_group_sh).await.ok(),
    );
    s.advance(30.0).await;
    put(
        "ebs",
        "RemoveDiskReplicaPair",
        s.ebs("RemoveDiskReplicaPair", &grouped).await.ok(),
    );
    put(
        "ebs",
        "DeleteDiskReplicaGroup",
        s.ebs("DeleteDiskReplicaGroup", &on_group).await.ok(),
    );
    let pair_tagged = [
        ("RegionId", HZ.0),
        ("ResourceType", "diskreplicapair"),
        ("ResourceId.1", pair.as_str()),
    ];
    let mut pair_tag = pair_tagged.to_vec();
    pair_tag.extend([("Tag.1.Key", "owner"), ("Tag.1.Value", "ci")]);
    put(
        "ebs",
        "TagResources",
        s.ebs("TagResources", &pair_tag).await.ok(),
    );
    put(
        "ebs",
        "ListTagResources",
        s.ebs("ListTagResources", &pair_tagged).await.ok(),
    );
    let mut pair_untag = pair_tagged.to_vec();
    pair_untag.push(("TagKey.1", "owner"));
    put(
        "ebs",
        "UntagResources",
        s.ebs("UntagResources", &pair_untag).await.ok(),
    );
    put(
        "ebs",
        "DeleteDiskReplicaPair",
        p("DeleteDiskReplicaPair", HZ.0).await,
    );

    // Security groups.
    let sg = s
        .ecs(
            "CreateSecurityGroup",
            &[("RegionId", HZ.0), ("SecurityGroupName", "shapes")],
        )
        .await
        .ok();
    let sg_id = sg["SecurityGroupId"]
        .as_str()
        .expect("SecurityGroupId")
        .to_owned();
    put("ecs", "CreateSecurityGroup", sg);
    let on_sg = [("RegionId", HZ.0), ("SecurityGroupId", sg_id.as_str())];
    let mut rule = on_sg.to_vec();
    rule.extend([
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("SourceCidrIp", "0.0.0.0/0"),
    ]);
    put(
        "ecs",
        "AuthorizeSecurityGroup",
        s.ecs("AuthorizeSecurityGroup", &rule).await.ok(),
    );
    put(
        "ecs",
        "DescribeSecurityGroupAttribute",
        s.ecs("DescribeSecurityGroupAttribute", &on_sg).await.ok(),
    );
    put(
        "ecs",
        "DescribeSecurityGroups",
        s.ecs("DescribeSecurityGroups", &hz).await.ok(),
    );
    put(
        "ecs",
        "DeleteSecurityGroup",
        s.ecs("DeleteSecurityGroup", &on_sg).await.ok(),
    );

    // The VPC product: a VPC and a vSwitch, described and deleted.
    const VPC: &str = "2016-04-28";
    let vpc = s
        .call(
            VPC,
            "CreateVpc",
            &[("RegionId", HZ.0), ("CidrBlock", "10.0.0.0/16")],
        )
        .await
        .ok();
    let vpc_id = vpc["VpcId"].as_str().expect("VpcId").to_owned();
    put("vpc", "CreateVpc", vpc);
    let on_vpc = [("RegionId", HZ.0), ("VpcId", vpc_id.as_str())];
    let vsw = s
        .call(
            VPC,
            "CreateVSwitch",
            &[
                ("RegionId", HZ.0),
                ("VpcId", vpc_id.as_str()),
                ("ZoneId", HZ.1),
                ("CidrBlock", "10.0.1.0/24"),
            ],
        )
        .await
        .ok();
    let vsw_id = vsw["VSwitchId"].as_str().expect("VSwitchId").to_owned();
    put("vpc", "CreateVSwitch", vsw);
    let on_vsw = [("RegionId", HZ.0), ("VSwitchId", vsw_id.as_str())];
    for (action, params) in [
        ("DescribeVpcs", &hz[..]),
        ("DescribeVpcAttribute", &on_vpc[..]),
        ("DescribeVSwitches", &on_vpc[..]),
        ("DescribeVSwitchAttributes", &on_vsw[..]),
        ("DeleteVSwitch", &on_vsw[..]),
    ] {
        put("vpc", action, s.call(VPC, action, params).await.ok());
    }
    put(
        "vpc",
        "DeleteVpc",
        s.call(VPC, "DeleteVpc", &on_vpc).await.ok(),
    );
    got
}

#[tokio::test]
async fn every_served_operation_answers_the_documented_field_set() {
    let s = default_server().await;
    let fixture = fixture();
    let info = s.control_get("/_emulator/info").await;
    let mut problems = Vec::new();
    let mut listed = 0;
    for dialect in info["dialects"].as_array().expect("dialects") {
        if dialect["name"] != "alibaba" {
            continue;
        }
        for p in dialect["products"].as_array().expect("products") {
            let product = p["product"].as_str().expect("product");
            for action in p["operations"].as_array().expect("operations") {
                let action = action.as_str().expect("operation");
                listed += 1;
                if !not_in_the_models(product, action)
                    && !fixture.contains_key(&format!("{product}/{action}"))
                {
                    problems.push(format!("{product}/{action} is served but not in the fixture: add it to tests/fixtures/gen_response_fields.py and re-run it"));
                }
            }
        }
    }
    assert!(
        listed > 30,
        "the info document lists the Alibaba operations: {info}"
    );
    let answers = answers(&s).await;
    let mut unchecked = Vec::new();
    for (op, schema) in &fixture {
        let Some(body) = answers.get(op) else {
            problems.push(format!("{op}: no call in this test"));
            continue;
        };
        let mut out = Vec::new();
        compare(schema, body, "", &mut out, &mut unchecked);
        let allowed = |p: &String| {
            CONDITIONAL
                .iter()
                .any(|(o, f)| o == op && *p == format!("missing {f}"))
                || EXTRAS
                    .iter()
                    .any(|(o, f)| o == op && *p == format!("undocumented {f}"))
        };
        out.sort();
        out.dedup();
        problems.extend(
            out.into_iter()
                .filter(|p| !allowed(p))
                .map(|p| format!("{op}: {p}")),
        );
    }
    // The Describe calls once more: as JSON read by a parser that refuses repeated keys, and as
    // XML.
    for (product, action, params) in [
        ("ecs", "DescribeRegions", vec![]),
        ("ecs", "DescribeZones", vec![("RegionId", HZ.0)]),
        ("ecs", "DescribeImages", vec![("RegionId", HZ.0)]),
        ("ecs", "DescribeInstanceTypes", vec![]),
        ("ecs", "DescribeInstances", vec![("RegionId", HZ.0)]),
        ("ecs", "DescribeInstanceStatus", vec![("RegionId", HZ.0)]),
        ("ecs", "DescribeDisks", vec![("RegionId", HZ.0)]),
        ("ebs", "DescribeDiskReplicaPairs", vec![("RegionId", HZ.0)]),
        ("ebs", "DescribeDiskReplicaGroups", vec![("RegionId", HZ.0)]),
    ] {
        let op = format!("{product}/{action}");
        let version = if product == "ecs" {
            crate::common::ECS
        } else {
            EBS
        };
        let json = s.call(version, action, &params).await;
        if let Err(e) = serde_json::from_str::<NoDuplicateKeys>(&json.body) {
            problems.push(format!("{op}: {e}"));
        }
        let mut params = params;
        params.push(("Format", "XML"));
        let version = if product == "ecs" {
            crate::common::ECS
        } else {
            EBS
        };
        let r = s.call(version, action, &params).await;
        assert_eq!(r.status, 200, "{op}: {}", r.body);
        let doc = roxmltree::Document::parse(&r.body).unwrap_or_else(|e| panic!("{op}: {e}"));
        let mut out = Vec::new();
        compare_xml(&fixture[&op], doc.root_element(), "", &mut out);
        out.sort();
        out.dedup();
        let allowed = |p: &String| {
            CONDITIONAL
                .iter()
                .any(|(o, f)| *o == op && *p == format!("missing {f}"))
                || EXTRAS
                    .iter()
                    .any(|(o, f)| *o == op && *p == format!("undocumented {f}"))
        };
        problems.extend(
            out.into_iter()
                .filter(|p| !allowed(p))
                .map(|p| format!("{op} (XML): {p}")),
        );
    }
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // The lists the test itself fills must have been seen with items.
    for list in [
        "Instances.Instance",
        "Disks.Disk",
        "ReplicaPairs",
        "ReplicaGroups",
        "Regions.Region",
        "Zones.Zone",
        "Images.Image",
        "InstanceTypes.InstanceType",
        "InstanceStatuses.InstanceStatus",
    ] {
        assert!(
            !unchecked.iter().any(|u| u == list),
            "{list} was empty: {unchecked:?}"
        );
    }
}
