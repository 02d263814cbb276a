//! Golden bodies of every disk-replication operation: a success and a typical error, in both
//! dialects (EBS 2021-07-30, ECS 2014-05-26) and both formats, one sectioned file per operation
//! under `tests/it/golden/replication/`.

use std::ops::AsyncFn;

use crate::common::replica::{
    essd, group_op, join_group, new_group, new_pair, now_secs, pair_op, Place, HZ, SH,
};
use crate::common::{default_server, Server, EBS, ECS};
use crate::golden::{check, masked};

/// The dialects, with the name their sections carry.
const DIALECTS: [(&str, &str); 2] = [("EBS", EBS), ("ECS", ECS)];
/// The answer formats, as `Format` names them.
const FORMATS: [&str; 2] = ["JSON", "XML"];
/// A group route whose destination zone differs from [`SH`]'s.
const SH_F: Place = ("cn-shanghai", "cn-shanghai-f");
/// A pair id nothing has.
const UNKNOWN_PAIR: &str = "pair-cn-doesnotexist0";
/// A group id nothing has.
const UNKNOWN_GROUP: &str = "pg-doesnotexist0";

/// One call to record: its label (`success: …` or `error: …`) and parameters (`Format` is added).
struct Call {
    label: &'static str,
    params: Vec<(String, String)>,
}

fn call(label: &'static str, params: &[(&str, &str)]) -> Call {
    Call {
        label,
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// Records `action` in every dialect and format, each on a fresh server so every section sees
/// the same ids and times: `prepare` builds the state (in EBS) and returns the calls to record.
async fn golden(action: &'static str, prepare: impl AsyncFn(&Server) -> Vec<Call>) {
    let mut text = format!(
        "# {action}: exact bodies; request ids, ports and Unix times (as <T0+seconds> from the \
         frozen clock's start) are masked.\n"
    );
    for (dialect, version) in DIALECTS {
        for format in FORMATS {
            let s = default_server().await;
            let t0 = now_secs(&s).await;
            for c in prepare(&s).await {
                let mut params: Vec<(&str, &str)> = c
                    .params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                params.push(("Format", format));
                let r = s.call(version, action, &params).await;
                assert_eq!(
                    r.status == 200,
                    c.label.starts_with("success"),
                    "{action} {dialect} {format} {}: HTTP {} {}",
                    c.label,
                    r.status,
                    r.body
                );
                assert!(!r.request_id_header.is_empty(), "no x-acs-request-id");
                text.push_str(&format!(
                    "\n== {dialect} {version} {format} {}\nHTTP {} {}\n{}\n",
                    c.label,
                    r.status,
                    r.content_type,
                    times_masked(&masked(&r), t0)
                ));
            }
        }
    }
    check(&format!("replication/{}.txt", snake(action)), &text);
}

/// `CreateDiskReplicaPair` → `create_disk_replica_pair`.
fn snake(action: &str) -> String {
    let mut out = String::new();
    for (i, c) in action.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Replaces every Unix time in seconds (a run of exactly 10 digits within ten years of `t0`)
/// with `<T0+n>`: the manual clock starts at the wall-clock time the server was started. It only
/// moves here in whole seconds, so `n` does not depend on that start's milliseconds.
fn times_masked(body: &str, t0: i64) -> String {
    const TEN_YEARS: i64 = 10 * 366 * 24 * 3600;
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + len];
        match run.parse::<i64>() {
            Ok(t) if len == 10 && (t - t0).abs() < TEN_YEARS => {
                out.push_str(&format!("<T0{:+}>", t - t0));
            }
            _ => out.push_str(run),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// A pair from Hangzhou to Shanghai, started (Instant timing: its first copy is complete).
async fn started_pair(s: &Server) -> String {
    let (id, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
    pair_op(s, "StartDiskReplicaPair", HZ.0, &id).await.ok();
    id
}

/// A Hangzhou-to-Shanghai group holding one new pair, started when `start` is set.
async fn group_with_pair(s: &Server, start: bool) -> (String, String) {
    let g = new_group(s, HZ, SH, &[("GroupName", "group-one")]).await;
    let (p, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
    join_group(s, HZ.0, &g, &p).await;
    if start {
        group_op(s, "StartDiskReplicaGroup", HZ.0, &g).await.ok();
    }
    (g, p)
}

/// The parameters naming one pair in `region`.
fn on_pair<'a>(region: &'a str, id: &'a str) -> [(&'a str, &'a str); 2] {
    [("RegionId", region), ("ReplicaPairId", id)]
}

/// The parameters naming one group in `region`.
fn on_group<'a>(region: &'a str, id: &'a str) -> [(&'a str, &'a str); 2] {
    [("RegionId", region), ("ReplicaGroupId", id)]
}

// ---- pairs ----

#[tokio::test]
async fn create_disk_replica_pair() {
    golden("CreateDiskReplicaPair", async |s: &Server| {
        let (src, dst) = (essd(s, HZ).await, essd(s, SH).await);
        let create = |label, disk: &str| {
            call(
                label,
                &[
                    ("RegionId", HZ.0),
                    ("SourceZoneId", HZ.1),
                    ("DiskId", disk),
                    ("DestinationRegionId", SH.0),
                    ("DestinationZoneId", SH.1),
                    ("DestinationDiskId", &dst),
                    ("PairName", "pair-one"),
                ],
            )
        };
        vec![
            create("success: two available ESSDs", &src),
            create("error: unknown source disk", "d-bp1doesnotexist000000"),
        ]
    })
    .await;
}

#[tokio::test]
async fn start_disk_replica_pair() {
    golden("StartDiskReplicaPair", async |s: &Server| {
        let (id, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
        vec![
            call("success: a created pair", &on_pair(HZ.0, &id)),
            call("error: started again (normal)", &on_pair(HZ.0, &id)),
        ]
    })
    .await;
}

#[tokio::test]
async fn stop_disk_replica_pair() {
    golden("StopDiskReplicaPair", async |s: &Server| {
        let id = started_pair(s).await;
        vec![
            call("success: a normal pair", &on_pair(HZ.0, &id)),
            call("error: no ReplicaPairId", &[("RegionId", HZ.0)]),
        ]
    })
    .await;
}

#[tokio::test]
async fn modify_disk_replica_pair() {
    golden("ModifyDiskReplicaPair", async |s: &Server| {
        let (created, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
        let running = started_pair(s).await;
        let rename = |label, id: &str| {
            call(
                label,
                &[
                    ("RegionId", HZ.0),
                    ("ReplicaPairId", id),
                    ("PairName", "renamed"),
                    ("Description", "changed"),
                ],
            )
        };
        vec![
            rename("success: a created pair", &created),
            rename("error: a normal pair", &running),
        ]
    })
    .await;
}

#[tokio::test]
async fn delete_disk_replica_pair() {
    golden("DeleteDiskReplicaPair", async |s: &Server| {
        let mut stopped = Vec::new();
        for _ in 0..2 {
            let id = started_pair(s).await;
            pair_op(s, "StopDiskReplicaPair", HZ.0, &id).await.ok();
            stopped.push(id);
        }
        vec![
            call("success: a stopped pair", &on_pair(HZ.0, &stopped[0])),
            call(
                "error: called in the secondary's region",
                &on_pair(SH.0, &stopped[1]),
            ),
        ]
    })
    .await;
}

#[tokio::test]
async fn describe_disk_replica_pairs() {
    golden("DescribeDiskReplicaPairs", async |s: &Server| {
        let (tagged, _, _) = new_pair(
            s,
            EBS,
            HZ,
            SH,
            &[
                ("Description", "tagged"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "storage"),
            ],
        )
        .await;
        pair_op(s, "StartDiskReplicaPair", HZ.0, &tagged).await.ok();
        new_pair(s, EBS, HZ, SH, &[]).await;
        vec![
            call(
                "success: a normal tagged pair and a created one",
                &[("RegionId", HZ.0)],
            ),
            call(
                "error: MaxResults above 500",
                &[("RegionId", HZ.0), ("MaxResults", "501")],
            ),
        ]
    })
    .await;
}

#[tokio::test]
async fn describe_disk_replica_pair_progress() {
    golden("DescribeDiskReplicaPairProgress", async |s: &Server| {
        let id = started_pair(s).await;
        vec![
            call("success: a normal pair", &on_pair(HZ.0, &id)),
            call("error: unknown pair", &on_pair(HZ.0, UNKNOWN_PAIR)),
        ]
    })
    .await;
}

#[tokio::test]
async fn failover_disk_replica_pair() {
    golden("FailoverDiskReplicaPair", async |s: &Server| {
        let (a, b) = (started_pair(s).await, started_pair(s).await);
        vec![
            call("success: from the secondary's region", &on_pair(SH.0, &a)),
            call("error: from the primary's region", &on_pair(HZ.0, &b)),
        ]
    })
    .await;
}

#[tokio::test]
async fn reprotect_disk_replica_pair() {
    golden("ReprotectDiskReplicaPair", async |s: &Server| {
        let id = started_pair(s).await;
        pair_op(s, "FailoverDiskReplicaPair", SH.0, &id).await.ok();
        vec![
            call("success: a failovered pair", &on_pair(SH.0, &id)),
            call(
                "error: reprotected again from the new secondary (stopped)",
                &on_pair(HZ.0, &id),
            ),
        ]
    })
    .await;
}

// ---- groups ----

#[tokio::test]
async fn create_disk_replica_group() {
    golden("CreateDiskReplicaGroup", async |_: &Server| {
        let params = [
            ("RegionId", HZ.0),
            ("SourceZoneId", HZ.1),
            ("DestinationRegionId", SH.0),
            ("DestinationZoneId", SH.1),
            ("GroupName", "group-one"),
        ];
        vec![
            call("success: Hangzhou to Shanghai", &params),
            call(
                "error: no DestinationZoneId",
                &[params[0], params[1], params[2], params[4]],
            ),
        ]
    })
    .await;
}

#[tokio::test]
async fn modify_disk_replica_group() {
    golden("ModifyDiskReplicaGroup", async |s: &Server| {
        let empty = new_group(s, HZ, SH, &[]).await;
        let (running, _) = group_with_pair(s, true).await;
        let rename = |label, id: &str| {
            call(
                label,
                &[
                    ("RegionId", HZ.0),
                    ("ReplicaGroupId", id),
                    ("GroupName", "renamed"),
                    ("Description", "changed"),
                ],
            )
        };
        vec![
            rename("success: a created group", &empty),
            rename("error: a normal group", &running),
        ]
    })
    .await;
}

#[tokio::test]
async fn delete_disk_replica_group() {
    golden("DeleteDiskReplicaGroup", async |s: &Server| {
        let empty = new_group(s, HZ, SH, &[]).await;
        let (full, _) = group_with_pair(s, false).await;
        vec![
            call("success: an empty group", &on_group(HZ.0, &empty)),
            call("error: a group with a pair", &on_group(HZ.0, &full)),
        ]
    })
    .await;
}

#[tokio::test]
async fn describe_disk_replica_groups() {
    golden("DescribeDiskReplicaGroups", async |s: &Server| {
        let g = new_group(
            s,
            HZ,
            SH,
            &[
                ("GroupName", "group-one"),
                ("Description", "tagged"),
                ("Tag.1.Key", "team"),
                ("Tag.1.Value", "storage"),
            ],
        )
        .await;
        for _ in 0..2 {
            let (p, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
            join_group(s, HZ.0, &g, &p).await;
        }
        group_op(s, "StartDiskReplicaGroup", HZ.0, &g).await.ok();
        new_group(s, HZ, SH_F, &[]).await;
        vec![
            call(
                "success: a normal group of two pairs and an empty one",
                &[("RegionId", HZ.0)],
            ),
            call("error: no RegionId", &[]),
        ]
    })
    .await;
}

#[tokio::test]
async fn add_disk_replica_pair() {
    golden("AddDiskReplicaPair", async |s: &Server| {
        let (g, other) = (
            new_group(s, HZ, SH, &[]).await,
            new_group(s, HZ, SH, &[]).await,
        );
        let (p, _, _) = new_pair(s, EBS, HZ, SH, &[]).await;
        let add = |label, g: &str| {
            call(
                label,
                &[
                    ("RegionId", HZ.0),
                    ("ReplicaGroupId", g),
                    ("ReplicaPairId", &p),
                ],
            )
        };
        vec![
            add("success: a created pair into a created group", &g),
            add("error: the pair is in another group", &other),
        ]
    })
    .await;
}

#[tokio::test]
async fn remove_disk_replica_pair() {
    golden("RemoveDiskReplicaPair", async |s: &Server| {
        let (g, p) = group_with_pair(s, false).await;
        let remove = [
            ("RegionId", HZ.0),
            ("ReplicaGroupId", &g),
            ("ReplicaPairId", &p),
        ];
        vec![
            call("success: the group's only pair", &remove),
            call("error: removed again", &remove),
        ]
    })
    .await;
}

#[tokio::test]
async fn start_disk_replica_group() {
    golden("StartDiskReplicaGroup", async |s: &Server| {
        let (g, _) = group_with_pair(s, false).await;
        let empty = new_group(s, HZ, SH, &[]).await;
        vec![
            call("success: a created group with a pair", &on_group(HZ.0, &g)),
            call("error: an empty group", &on_group(HZ.0, &empty)),
        ]
    })
    .await;
}

#[tokio::test]
async fn stop_disk_replica_group() {
    golden("StopDiskReplicaGroup", async |s: &Server| {
        let (g, _) = group_with_pair(s, true).await;
        vec![
            call("success: a normal group", &on_group(HZ.0, &g)),
            call("error: unknown group", &on_group(HZ.0, UNKNOWN_GROUP)),
        ]
    })
    .await;
}

#[tokio::test]
async fn failover_disk_replica_group() {
    golden("FailoverDiskReplicaGroup", async |s: &Server| {
        let (a, _) = group_with_pair(s, true).await;
        let (b, _) = group_with_pair(s, true).await;
        vec![
            call("success: from the secondary's region", &on_group(SH.0, &a)),
            call("error: from the primary's region", &on_group(HZ.0, &b)),
        ]
    })
    .await;
}

#[tokio::test]
async fn reprotect_disk_replica_group() {
    golden("ReprotectDiskReplicaGroup", async |s: &Server| {
        let (g, _) = group_with_pair(s, true).await;
        group_op(s, "FailoverDiskReplicaGroup", SH.0, &g).await.ok();
        vec![
            call("success: a failovered group", &on_group(SH.0, &g)),
            call(
                "error: reprotected again from the new secondary (stopped)",
                &on_group(HZ.0, &g),
            ),
        ]
    })
    .await;
}
