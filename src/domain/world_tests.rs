//! Unit tests of the world as data: the snapshot round trip, stable bytes, and the derived
//! indexes kept incrementally against a rebuild after random operations.

use super::*;
use crate::domain::call::{Answer, Call, Target};
use crate::domain::clock::{ClockMode, Millis, Timing};
use crate::domain::compute_query::{DiskQuery, InstanceQuery, StatusQuery};
use crate::domain::fixture::{Lab, TestNaming, HZ, SH};
use crate::domain::query::PageRequest;
use crate::domain::replica_group::NewGroup;
use crate::domain::replica_query::{GroupQuery, PairQuery};

fn all_pages() -> PageRequest {
    PageRequest::Offset {
        offset: 0,
        size: 10_000,
    }
}

fn after() -> PageRequest {
    PageRequest::After {
        after: None,
        size: 500,
    }
}

/// Every Describe the cloud offers, in both replication regions, as one comparable text.
fn describe_everything(cloud: &mut Cloud) -> String {
    let mut out = String::new();
    for account in cloud.accounts.keys().cloned().collect::<Vec<_>>() {
        for region in ["cn-hangzhou", "cn-shanghai", "cn-beijing"] {
            let calls = [
                Call::DescribeInstances(InstanceQuery {
                    region_id: region.into(),
                    page: all_pages(),
                    ..InstanceQuery::default()
                }),
                Call::DescribeInstanceStatus(StatusQuery {
                    region_id: region.into(),
                    page: all_pages(),
                    ..StatusQuery::default()
                }),
                Call::DescribeDisks(DiskQuery {
                    region_id: region.into(),
                    page: all_pages(),
                    ..DiskQuery::default()
                }),
                Call::DescribePairs(PairQuery {
                    region_id: region.into(),
                    pair_ids: None,
                    group: None,
                    site: None,
                    name: None,
                    resource_group_id: None,
                    tags: Vec::new(),
                    page: after(),
                    ..Default::default()
                }),
                Call::DescribeGroups(GroupQuery {
                    region_id: region.into(),
                    group_ids: None,
                    site: None,
                    name: None,
                    resource_group_id: None,
                    tags: Vec::new(),
                    page: after(),
                    ..Default::default()
                }),
            ];
            for call in calls {
                let mut scope = cloud.scope(&account, &TestNaming);
                let text = match scope.apply(call) {
                    Ok(Answer::Instances { page, .. }) => format!("{page:?}"),
                    Ok(answer) => format!("{answer:?}"),
                    Err(e) => format!("{e:?}"),
                };
                out.push_str(&format!("{account} {region}: {text}\n"));
            }
        }
    }
    out
}

/// A world with instances, disks, pairs and groups in assorted states, some mid-transition.
fn busy_lab() -> Lab {
    let mut lab = Lab::new(Timing::Realistic);
    let inst = lab.instance(HZ.0, HZ.1);
    let spare = lab.disk(HZ.1, 40);
    lab.scope().attach_disk(&inst, &spare, Some(false)).unwrap();
    let running = lab.pair();
    lab.scope()
        .start_replica_pair(HZ.0, &running, false)
        .unwrap();
    let failed_over = lab.pair();
    lab.scope()
        .failover_replica_pair(SH.0, &failed_over)
        .unwrap();
    let g = lab
        .scope()
        .create_replica_group(&NewGroup {
            region_id: HZ.0.into(),
            source_zone_id: HZ.1.into(),
            destination_region_id: SH.0.into(),
            destination_zone_id: SH.1.into(),
            name: "group".into(),
            rpo: 900,
            ..NewGroup::default()
        })
        .unwrap();
    lab.advance(10_000);
    let member = lab.pair();
    lab.scope().add_replica_pair(HZ.0, &g, &member).unwrap();
    lab.scope().start_replica_group(HZ.0, &g, false).unwrap();
    lab.scope().stop_replica_pair(HZ.0, &running).unwrap_or(());
    // Synchronous state: a group created with its pair, in sync, and a create that failed.
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk("cn-hangzhou-i", 40));
    let mirror = |src: &str, dst: &str| crate::domain::replica_pair::NewPair {
        region_id: HZ.0.into(),
        source_zone_id: Some(HZ.1.into()),
        disk_id: src.into(),
        destination_region_id: HZ.0.into(),
        destination_disk_id: dst.into(),
        mode: crate::domain::replica_sync::Mode::Synchronous,
        ..Default::default()
    };
    let m = lab.scope().create_replica_pair(&mirror(&a, &b)).unwrap();
    lab.scope()
        .create_replica_pair(&mirror(&a, "d-nope"))
        .unwrap();
    lab.advance(2_000);
    let mg = lab
        .scope()
        .create_replica_group(&NewGroup {
            region_id: HZ.0.into(),
            source_zone_id: HZ.1.into(),
            destination_region_id: HZ.0.into(),
            mode: crate::domain::replica_sync::Mode::Synchronous,
            pair_ids: vec![m],
            ..NewGroup::default()
        })
        .unwrap();
    lab.advance(2_000);
    lab.scope().start_replica_group(HZ.0, &mg, false).unwrap();
    lab.advance(1_500);
    lab
}

#[test]
fn a_snapshot_round_trip_answers_every_describe_alike() {
    let mut lab = busy_lab();
    let json = serde_json::to_string(&lab.cloud.snapshot()).unwrap();
    let mut copy = Lab::new(Timing::Realistic);
    copy.cloud
        .restore(serde_json::from_str(&json).unwrap())
        .unwrap();
    assert_eq!(
        serde_json::to_string(&copy.cloud.snapshot()).unwrap(),
        json,
        "the same world serializes to the same bytes"
    );
    for step in [0, 700, 2_000, 9_000, 60_000] {
        lab.advance(step);
        copy.advance(step);
        assert_eq!(
            describe_everything(&mut lab.cloud),
            describe_everything(&mut copy.cloud),
            "after {step} ms"
        );
    }
}

#[test]
fn a_snapshot_of_another_version_is_refused() {
    let lab = busy_lab();
    let mut snap = lab.cloud.snapshot();
    snap.format_version = FORMAT_VERSION + 1;
    let mut other = Lab::new(Timing::Instant);
    assert!(other.cloud.restore(snap).is_err());
    assert!(other.cloud.accounts.is_empty());
}

/// Random operations on random resources; after each, the indexes kept incrementally equal a
/// rebuild from the records.
#[test]
fn incremental_indexes_equal_a_rebuild() {
    for seed in 1..=6 {
        let mut lab = Lab::new(Timing::Realistic);
        let mut rng = IdGen::new(Some(seed));
        let mut pick = |n: usize| usize::try_from(rng.next_u64() % n.max(1) as u64).unwrap_or(0);
        let mut pairs: Vec<String> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for step in 0..400 {
            let pair = pairs.get(pick(pairs.len())).cloned().unwrap_or_default();
            let group = groups.get(pick(groups.len())).cloned().unwrap_or_default();
            let target = |id: &str, region: &str| Target {
                region: region.into(),
                id: id.into(),
                token: None,
            };
            let (hz, sh) = (HZ.0, SH.0);
            let call = match pick(17) {
                0 => {
                    pairs.push(lab.pair());
                    continue;
                }
                14 => {
                    lab.instance(HZ.0, HZ.1);
                    continue;
                }
                15 => Call::DeleteInstance {
                    id: lab.cloud.accounts["acct"]
                        .instances
                        .keys()
                        .next()
                        .cloned()
                        .unwrap_or_default(),
                    force: true,
                    dry_run: false,
                },
                16 => Call::CreateDisk {
                    region_id: SH.0.into(),
                    instance_id: None,
                    spec: crate::domain::disk::NewDisk {
                        zone_id: SH.1.into(),
                        size: Some(40),
                        ..Default::default()
                    },
                    token: None,
                },
                1 => Call::CreateGroup {
                    spec: NewGroup {
                        region_id: hz.into(),
                        source_zone_id: HZ.1.into(),
                        destination_region_id: sh.into(),
                        destination_zone_id: SH.1.into(),
                        rpo: 900,
                        ..NewGroup::default()
                    },
                    token: None,
                },
                2 => Call::StartPair {
                    target: target(&pair, hz),
                    one_shot: pick(2) == 0,
                },
                3 => Call::StopPair(target(&pair, hz)),
                4 => Call::FailoverPair(target(&pair, sh)),
                5 => Call::ReprotectPair {
                    target: target(&pair, sh),
                    reverse: pick(2) == 0,
                },
                6 => Call::DeletePair(target(&pair, hz)),
                7 => Call::AddPairToGroup {
                    target: target(&group, hz),
                    pair_id: pair.clone(),
                },
                8 => Call::RemovePairFromGroup {
                    target: target(&group, hz),
                    pair_id: pair.clone(),
                },
                9 => Call::StartGroup {
                    target: target(&group, hz),
                    one_shot: false,
                },
                10 => Call::FailoverGroup(target(&group, sh)),
                11 => Call::DeleteGroup(target(&group, hz)),
                12 => {
                    let disk = lab
                        .cloud
                        .accounts
                        .get("acct")
                        .and_then(|a| a.replication.pairs.get(&pair))
                        .map(|p| p.source.disk_id.clone())
                        .unwrap_or_default();
                    Call::DeleteDisk { id: disk }
                }
                _ => {
                    lab.advance(i64::try_from(pick(20_000)).unwrap_or(0));
                    continue;
                }
            };
            let is_group = matches!(call, Call::CreateGroup { .. });
            let created = match lab.scope().apply(call) {
                Ok(Answer::Created(ids)) if is_group => ids,
                _ => Vec::new(),
            };
            groups.extend(created);
            let account = lab.cloud.accounts.get_mut("acct").unwrap();
            let mut rebuilt = account.clone();
            rebuilt.rebuild_indexes();
            assert_eq!(
                account.replication.indexes(),
                rebuilt.replication.indexes(),
                "seed {seed}, step {step}"
            );
            assert_eq!(account.index, rebuilt.index, "seed {seed}, step {step}");
        }
    }
}

/// Random control inputs — advances in and out of range, pauses and resumes, wall clocks that
/// jump forward and back — never move the virtual clock backwards or stop it for good: after
/// them a pair still goes through its transitions.
#[test]
fn no_control_input_stops_or_reverses_time() {
    for seed in 1..=20 {
        let mut rng = IdGen::new(Some(seed));
        let mut lab = Lab::new(Timing::Realistic);
        let pair = lab.pair();
        let mut wall: Millis = 1_700_000_000_000;
        let mut last = lab.cloud.clock.read(wall);
        for _ in 0..300 {
            let r = rng.next_u64();
            wall += i64::try_from(r % 5_000).unwrap_or(0) - 1_000;
            match r % 7 {
                0 => {
                    let ms = i64::from_le_bytes(rng.next_u64().to_le_bytes());
                    let before = lab.cloud.clock.clone();
                    if lab.cloud.clock.advance(ms, wall).is_err() {
                        assert_eq!(
                            lab.cloud.clock, before,
                            "a refused advance changed the clock"
                        );
                    }
                }
                1 => {
                    let ms = i64::try_from(rng.next_u64() % 100_000).unwrap_or(0);
                    lab.cloud.clock.advance(ms, wall).unwrap();
                }
                2 => {
                    lab.cloud.clock.set_mode(ClockMode::Manual, wall);
                }
                3 => {
                    lab.cloud.clock.set_mode(ClockMode::System, wall);
                }
                _ => {}
            }
            let now = lab.cloud.clock.read(wall);
            assert!(
                now >= last,
                "seed {seed}: time went back from {last} to {now}"
            );
            last = now;
        }
        lab.cloud.clock.set_mode(ClockMode::Manual, wall);
        lab.scope()
            .start_replica_pair(HZ.0, &pair, false)
            .unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
        lab.advance(60_000);
        let status = {
            let now = lab.now();
            let p = lab
                .scope()
                .account
                .replication
                .pairs
                .get_mut(&pair)
                .cloned();
            let mut p = p.unwrap();
            p.settle(now);
            p.status()
        };
        assert!(
            matches!(
                status,
                crate::domain::replica_sync::ReplicaStatus::Normal
                    | crate::domain::replica_sync::ReplicaStatus::Syncing
            ),
            "seed {seed}: {status:?}"
        );
    }
}
