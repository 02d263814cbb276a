//! Tag calls over the wire: ECS TagResources/UntagResources/ListTagResources on instances and
//! disks (limits, errors, paging, Describe filters), the EBS ones on replica pairs and groups,
//! and EBS DescribeRegions.

use serde_json::{json, Value};

use crate::common::replica::{new_group, new_pair, HZ as HZ_PLACE, SH};
use crate::common::{default_server, Server, EBS};

const HZ: &str = "cn-hangzhou";
const RUNNING: &str = "i-bp1seedrunning000001";
const STOPPED: &str = "i-bp1seedstopped000001";

/// `Tag.N.Key` / `Tag.N.Value` parameters for `pairs`, numbered from `first`.
fn tag_params(first: usize, pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .enumerate()
        .flat_map(|(i, (k, v))| {
            [
                (format!("Tag.{}.Key", first + i), k.clone()),
                (format!("Tag.{}.Value", first + i), v.clone()),
            ]
        })
        .collect()
}

fn borrowed(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn numbered(n: usize, prefix: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{prefix}{i}"), format!("v{i}")))
        .collect()
}

async fn tag(
    s: &Server,
    kind: &str,
    ids: &[&str],
    tags: &[(String, String)],
) -> crate::common::Resp {
    let mut owned = vec![
        ("RegionId".to_owned(), HZ.to_owned()),
        ("ResourceType".to_owned(), kind.to_owned()),
    ];
    for (i, id) in ids.iter().enumerate() {
        owned.push((format!("ResourceId.{}", i + 1), (*id).to_owned()));
    }
    owned.extend(tag_params(1, tags));
    s.ecs("TagResources", &borrowed(&owned)).await
}

async fn list(s: &Server, version: &str, params: &[(&str, &str)]) -> Value {
    s.call(version, "ListTagResources", params).await.ok()
}

fn t(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[tokio::test]
async fn ecs_tags_are_set_listed_filtered_and_removed() {
    let s = default_server().await;
    tag(
        &s,
        "instance",
        &[RUNNING, STOPPED],
        &[t("env", "prod"), t("team", "web")],
    )
    .await
    .ok();
    // A second call overwrites a value and adds a key.
    tag(
        &s,
        "instance",
        &[RUNNING],
        &[t("env", "staging"), t("tier", "")],
    )
    .await
    .ok();
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
        ],
    )
    .await;
    assert_eq!(v["NextToken"], "");
    assert_eq!(
        v["TagResources"]["TagResource"],
        json!([
            {"ResourceType": "instance", "ResourceId": RUNNING, "TagKey": "env", "TagValue": "staging"},
            {"ResourceType": "instance", "ResourceId": RUNNING, "TagKey": "team", "TagValue": "web"},
            {"ResourceType": "instance", "ResourceId": RUNNING, "TagKey": "tier", "TagValue": ""},
        ])
    );
    // DescribeInstances shows them and filters by them.
    let d = s
        .ecs(
            "DescribeInstances",
            &[
                ("RegionId", HZ),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
            ],
        )
        .await
        .ok();
    assert_eq!(d["TotalCount"], 1);
    let inst = &d["Instances"]["Instance"][0];
    assert_eq!(inst["InstanceId"], STOPPED);
    assert_eq!(
        inst["Tags"]["Tag"],
        json!([{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "web"}])
    );
    // Listing by tag finds the resources carrying it.
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "web"),
        ],
    )
    .await;
    assert_eq!(
        v["TagResources"]["TagResource"].as_array().unwrap().len(),
        5
    );
    // TagFilter: the key with one of the values, or the key alone.
    let rows = |v: &Value| v["TagResources"]["TagResource"].as_array().unwrap().len();
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("TagFilter.1.TagKey", "env"),
            ("TagFilter.1.TagValues.1", "prod"),
            ("TagFilter.1.TagValues.2", "qa"),
        ],
    )
    .await;
    assert_eq!(v["TagResources"]["TagResource"][0]["ResourceId"], STOPPED);
    assert_eq!(rows(&v), 2);
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("TagFilter.1.TagKey", "tier"),
        ],
    )
    .await;
    assert_eq!(rows(&v), 3);
    s.ecs(
        "ListTagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("TagFilter.1.TagValues.1", "x"),
        ],
    )
    .await
    .err(400, "InvalidParameter");
    // UntagResources by key, then All.
    s.ecs(
        "UntagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
            ("TagKey.1", "team"),
            ("TagKey.2", "absent"),
        ],
    )
    .await
    .ok();
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
        ],
    )
    .await;
    let keys: Vec<&str> = v["TagResources"]["TagResource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["TagKey"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["env", "tier"]);
    s.ecs(
        "UntagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
            ("All", "true"),
        ],
    )
    .await
    .ok();
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
        ],
    )
    .await;
    assert_eq!(v["TagResources"]["TagResource"], json!([]));
    // Disks are tagged alike and DescribeDisks shows it.
    let disk = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", HZ),
                ("ZoneId", "cn-hangzhou-h"),
                ("Size", "20"),
            ],
        )
        .await
        .ok()["DiskId"]
        .as_str()
        .unwrap()
        .to_owned();
    tag(&s, "disk", &[&disk], &[t("backup", "daily")])
        .await
        .ok();
    assert_eq!(
        s.disk(HZ, &disk).await["Tags"]["Tag"],
        json!([{"TagKey": "backup", "TagValue": "daily"}])
    );
}

#[tokio::test]
async fn ecs_tag_calls_reproduce_their_errors() {
    let s = default_server().await;
    let one = [t("k", "v")];
    tag(&s, "snapshotx", &[RUNNING], &one)
        .await
        .err(404, "InvalidResourceType.NotFound");
    tag(&s, "instance", &["i-nope"], &one)
        .await
        .err(404, "InvalidResourceId.NotFound");
    tag(&s, "disk", &[RUNNING], &one)
        .await
        .err(404, "InvalidResourceId.NotFound");
    tag(&s, "instance", &[RUNNING], &[t("aliyun-x", "v")])
        .await
        .err(400, "InvalidTagKey.Malformed");
    tag(&s, "instance", &[RUNNING], &[t("k", &"v".repeat(129))])
        .await
        .err(400, "InvalidTagValue.Malformed");
    tag(&s, "instance", &[RUNNING], &[t("k", "1"), t("k", "2")])
        .await
        .err(400, "Duplicate.TagKey");
    tag(&s, "instance", &[RUNNING], &numbered(21, "k"))
        .await
        .err(400, "NumberExceed.Tags");
    tag(&s, "instance", &[RUNNING], &[])
        .await
        .err(404, "MissingParameter.Tags");
    let many: Vec<String> = (0..51).map(|_| RUNNING.to_owned()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    tag(&s, "instance", &many, &one)
        .await
        .err(400, "NumberExceed.ResourceIds");
    // The instance lives in Hangzhou: named from Beijing it is not found.
    s.ecs(
        "TagResources",
        &[
            ("RegionId", "cn-beijing"),
            ("ResourceType", "instance"),
            ("ResourceId.1", RUNNING),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .err(404, "InvalidResourceId.NotFound");
    s.ecs(
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .err(400, "MissingResourceId");
    // 20 tags fit; a 21st on the same resource is over the quota, and nothing of that call stays.
    tag(&s, "instance", &[RUNNING], &numbered(20, "k"))
        .await
        .ok();
    tag(&s, "instance", &[STOPPED, RUNNING], &[t("one-more", "")])
        .await
        .err(400, "OperationDenied.QuotaExceed");
    let v = list(
        &s,
        crate::common::ECS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", STOPPED),
        ],
    )
    .await;
    assert_eq!(v["TagResources"]["TagResource"], json!([]));
    // Overwriting an existing key is not a new tag.
    tag(&s, "instance", &[RUNNING], &[t("k0", "changed")])
        .await
        .ok();
    s.ecs(
        "ListTagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("NextToken", "x"),
        ],
    )
    .await
    .err(400, "InvalidParameter");
}

#[tokio::test]
async fn list_tag_resources_pages_by_next_token() {
    let s = default_server().await;
    let v = s
        .ecs(
            "RunInstances",
            &[
                ("RegionId", "cn-beijing"),
                ("ImageId", "ubuntu_22_04_x64_20G_alibase_20240710.vhd"),
                ("InstanceType", "ecs.g7.large"),
                ("Amount", "3"),
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
    let mut owned = vec![
        ("RegionId".to_owned(), "cn-beijing".to_owned()),
        ("ResourceType".to_owned(), "instance".to_owned()),
    ];
    for (i, id) in ids.iter().enumerate() {
        owned.push((format!("ResourceId.{}", i + 1), id.clone()));
    }
    owned.extend(tag_params(1, &numbered(20, "key")));
    s.ecs("TagResources", &borrowed(&owned)).await.ok();
    let base = [("RegionId", "cn-beijing"), ("ResourceType", "instance")];
    let first = list(&s, crate::common::ECS, &base).await;
    assert_eq!(
        first["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    assert_eq!(first["NextToken"], "50");
    let mut next = base.to_vec();
    next.push(("NextToken", "50"));
    let second = list(&s, crate::common::ECS, &next).await;
    assert_eq!(
        second["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(second["NextToken"], "");
}

#[tokio::test]
async fn ebs_tags_on_pairs_and_groups() {
    let s = default_server().await;
    let (pair, ..) = new_pair(&s, EBS, HZ_PLACE, SH, &[]).await;
    let group = new_group(&s, HZ_PLACE, SH, &[]).await;
    for (kind, id) in [("diskreplicapair", &pair), ("diskreplicagroup", &group)] {
        s.ebs(
            "TagResources",
            &[
                ("RegionId", HZ),
                ("ResourceType", kind),
                ("ResourceId.1", id),
                ("Tag.1.Key", "app"),
                ("Tag.1.Value", "db"),
            ],
        )
        .await
        .ok();
        // Seen from the destination region as well.
        let v = list(
            &s,
            EBS,
            &[
                ("RegionId", SH.0),
                ("ResourceType", kind),
                ("ResourceId.1", id),
            ],
        )
        .await;
        assert_eq!(
            v["TagResources"],
            json!([{"ResourceType": kind, "ResourceId": id, "TagKey": "app", "TagValue": "db"}]),
            "{kind}"
        );
    }
    // Terraform spells the type `DiskReplicaGroup`; listings answer the documented lower case.
    s.ebs(
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "DiskReplicaGroup"),
            ("ResourceId.1", &group),
            ("Tag.1.Key", "tf"),
        ],
    )
    .await
    .ok();
    let v = list(
        &s,
        EBS,
        &[
            ("RegionId", HZ),
            ("ResourceType", "DiskReplicaGroup"),
            ("ResourceId.1", &group),
        ],
    )
    .await;
    assert_eq!(v["TagResources"][1]["ResourceType"], "diskreplicagroup");
    assert_eq!(v["TagResources"][1]["TagKey"], "tf");
    // DescribeDiskReplicaPairs shows the tag.
    let v = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ), ("PairIds", &pair)],
        )
        .await
        .ok();
    assert_eq!(
        v["ReplicaPairs"][0]["Tags"],
        json!([{"TagKey": "app", "TagValue": "db"}])
    );
    s.ebs(
        "UntagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "diskreplicapair"),
            ("ResourceId.1", &pair),
            ("All", "true"),
        ],
    )
    .await
    .ok();
    let v = list(
        &s,
        EBS,
        &[("RegionId", HZ), ("ResourceType", "diskreplicapair")],
    )
    .await;
    assert_eq!(v["TagResources"], json!([]));
    // Errors in EBS's words.
    s.ebs(
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "instance"),
            ("ResourceId.1", &pair),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .err(400, "InvalidParameter");
    s.ebs(
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "diskreplicapair"),
            ("ResourceId.1", "pair-nope"),
            ("Tag.1.Key", "k"),
        ],
    )
    .await
    .err(404, "NoSuchResource");
    s.ebs(
        "TagResources",
        &[
            ("RegionId", HZ),
            ("ResourceType", "diskreplicapair"),
            ("ResourceId.1", &pair),
            ("Tag.1.Key", "acs:x"),
        ],
    )
    .await
    .err(400, "InvalidParameter");
}

#[tokio::test]
async fn ebs_describe_regions_lists_the_replication_regions() {
    let s = default_server().await;
    let v = s
        .ebs("DescribeRegions", &[("AcceptLanguage", "en-US")])
        .await
        .ok();
    let regions = v["Regions"].as_array().unwrap();
    let hz = regions
        .iter()
        .find(|r| r["RegionId"] == HZ)
        .expect("cn-hangzhou");
    assert_eq!(hz["RegionEndpoint"], "ebs.cn-hangzhou.aliyuncs.com");
    assert_eq!(hz["LocalName"], "China (Hangzhou)");
    assert_eq!(
        hz["Zones"][0],
        json!({"ZoneId": "cn-hangzhou-h", "LocalName": "Hangzhou Zone H", "ResourceTypes": ["ear"]})
    );
    // Only the Alibaba regions: the OTC ones are another product's.
    assert!(regions
        .iter()
        .all(|r| !r["RegionId"].as_str().unwrap().starts_with("eu-de")));
    let v = s
        .ebs("DescribeRegions", &[("ResourceType", "ear")])
        .await
        .ok();
    assert_eq!(v["Regions"].as_array().unwrap().len(), regions.len());
    let v = s
        .ebs("DescribeRegions", &[("ResourceType", "dbsc")])
        .await
        .ok();
    assert_eq!(v["Regions"], json!([]));
    s.ebs("DescribeRegions", &[("ResourceType", "nope")])
        .await
        .err(400, "InvalidParameter");
}
