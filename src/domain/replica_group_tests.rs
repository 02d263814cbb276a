//! Unit tests of replica groups: the full state table, membership rules, lockstep of members.

use super::*;
use crate::domain::clock::Timing;
use crate::domain::fixture::{Lab, HZ, SH};
use crate::domain::query::PageRequest;
use crate::domain::replica_query::GroupQuery;
use crate::domain::replica_sync::{Mode, ReplicaStatus as S};
use crate::domain::Status;

fn new_group() -> NewGroup {
    NewGroup {
        region_id: HZ.0.into(),
        source_zone_id: HZ.1.into(),
        destination_region_id: SH.0.into(),
        destination_zone_id: SH.1.into(),
        name: "group".into(),
        rpo: 900,
        ..NewGroup::default()
    }
}

/// A created group with `n` created member pairs.
fn group_with(lab: &mut Lab, n: usize) -> (String, Vec<String>) {
    let g = lab.scope().create_replica_group(&new_group()).unwrap();
    let pairs: Vec<String> = (0..n).map(|_| lab.pair()).collect();
    for p in &pairs {
        lab.scope().add_replica_pair(HZ.0, &g, p).unwrap();
    }
    (g, pairs)
}

/// (group status, member statuses) now.
fn statuses(lab: &mut Lab, g: &str) -> (S, Vec<S>) {
    let mut s = lab.scope();
    let status = s.settle_group(g).unwrap();
    let rep = &s.account.replication;
    let members = rep.groups[g]
        .pair_ids
        .iter()
        .map(|m| rep.pairs[m].status())
        .collect();
    (status, members)
}

fn force(lab: &mut Lab, g: &str, status: S, point: Option<Millis>) {
    let now = lab.now();
    let s = lab.scope();
    let rep = &mut s.account.replication;
    let group = rep.groups.get_mut(g).unwrap();
    group.track.force(status, now);
    group.track.set_recover_point(point);
    for m in &group.pair_ids {
        let p = rep.pairs.get_mut(m).unwrap();
        p.track.force(status, now);
        p.track.set_recover_point(point);
    }
}

fn apply(lab: &mut Lab, op: GroupOp, g: &str, spare: &str) -> Result<()> {
    let mut s = lab.scope();
    match op {
        GroupOp::Start | GroupOp::Resume => s.start_replica_group(HZ.0, g, false),
        GroupOp::OneShot => s.start_replica_group(HZ.0, g, true),
        GroupOp::Stop => s.stop_replica_group(HZ.0, g),
        GroupOp::Modify => s.modify_replica_group(HZ.0, g, &GroupChanges::default()),
        GroupOp::Failover => s.failover_replica_group(SH.0, g),
        GroupOp::Reprotect => s.reprotect_replica_group(SH.0, g, true),
        GroupOp::CancelFailover => s.reprotect_replica_group(SH.0, g, false),
        GroupOp::Delete => s.delete_replica_group(HZ.0, g),
        GroupOp::AddPair => s.add_replica_pair(HZ.0, g, spare),
        GroupOp::RemovePair => {
            let member = s.account.replication.groups[g].pair_ids[0].clone();
            s.remove_replica_pair(HZ.0, g, &member)
        }
        GroupOp::Update => s.update_replica_group(HZ.0, g, &GroupChanges::default(), &[], &[]),
        GroupOp::Reverse => s.reverse_replica_group(HZ.0, g),
        GroupOp::Extend => s.extend_replica_group(HZ.0, g, &[]),
    }
}

/// Every (status, operation) pair with instant timing, on a group of two pairs (an empty group
/// for Delete, which needs one). Allowed operations move the group and both members to the
/// table's end status together; refused ones answer the table's refusal and change nothing.
#[test]
fn state_table_every_status_and_operation() {
    for op in GroupOp::ALL {
        for from in S::ALL {
            let mut lab = Lab::new(Timing::Instant);
            let members = if op == GroupOp::Delete { 0 } else { 2 };
            let (g, _) = group_with(&mut lab, members);
            let spare = lab.pair();
            let earlier = Some(lab.now() - 1_000);
            let point = match op {
                GroupOp::Start => None,
                GroupOp::Resume => earlier,
                _ => earlier.filter(|_| from != S::Created),
            };
            force(&mut lab, &g, from, point);
            let got = apply(&mut lab, op, &g, &spare);
            let ctx = format!("{op:?} from {from:?}: {got:?}");
            match (effect(op, Mode::Asynchronous, from), op.refusal()) {
                (None, Some(d)) => assert_eq!(got, Err(Error::Denied(d)), "{ctx}"),
                (None, None) => assert!(
                    matches!(got, Err(Error::IncorrectStatus { kind: Kind::ReplicaGroup, status, .. }) if status == Status::Replica(from)),
                    "{ctx}"
                ),
                (Some(Effect::Keep), _) => {
                    assert_eq!(got, Ok(()), "{ctx}");
                    assert_eq!(statuses(&mut lab, &g).0, from, "{ctx}");
                }
                (Some(Effect::Go(_, _, next)), _) => {
                    assert_eq!(got, Ok(()), "{ctx}");
                    if next == S::Deleted {
                        assert!(!lab.scope().account.replication.groups.contains_key(&g));
                    } else {
                        let (gs, ms) = statuses(&mut lab, &g);
                        assert_eq!(gs, next, "{ctx}");
                        assert!(ms.iter().all(|m| *m == next), "{ctx} {ms:?}");
                    }
                }
            }
            if got.is_err() && lab.scope().account.replication.groups.contains_key(&g) {
                let (gs, ms) = statuses(&mut lab, &g);
                let expect = if from == S::Invalid { S::Invalid } else { from };
                assert_eq!(gs, expect, "{ctx}");
                assert!(ms.iter().all(|m| *m == from), "{ctx}");
            }
        }
    }
}

/// The group table against the reference (section 4.4), written out independently of `MACHINE`:
/// for every operation, the statuses it is allowed from and what it does from each.
#[test]
fn table_rows_match_the_reference() {
    use Dwell as D;
    use Effect::{Go, Keep};
    let full = Go(S::InitialSyncing, D::FullSync, S::Normal);
    let resume = Go(S::Syncing, D::IncrementalSync, S::Normal);
    let one_shot = Go(S::ManualSyncing, D::Copy, S::Stopped);
    let stop = Go(S::Stopping, D::Short, S::Stopped);
    let failover = Go(S::Failovering, D::Switch, S::Failovered);
    let reprotect = Go(S::Reprotecting, D::Switch, S::Stopped);
    let delete = Go(S::Deleting, D::Short, S::Deleted);
    let expected: &[(GroupOp, &[(S, Effect)])] = &[
        (
            GroupOp::Start,
            &[
                (S::Created, full),
                (S::InitialSyncing, Keep),
                (S::Syncing, Keep),
                (S::Normal, Keep),
                (S::Stopped, full),
            ],
        ),
        (
            GroupOp::Resume,
            &[
                (S::InitialSyncing, Keep),
                (S::Syncing, Keep),
                (S::Normal, Keep),
                (S::Stopped, resume),
            ],
        ),
        (
            GroupOp::OneShot,
            &[
                (S::Created, one_shot),
                (S::ManualSyncing, one_shot),
                (S::Stopped, one_shot),
            ],
        ),
        (
            GroupOp::Stop,
            &[
                (S::InitialSyncing, stop),
                (S::ManualSyncing, stop),
                (S::Syncing, stop),
                (S::Normal, stop),
                (S::Stopping, Keep),
                (S::Stopped, Keep),
                (S::StopFailed, stop),
            ],
        ),
        (GroupOp::Modify, &[(S::Created, Keep), (S::Stopped, Keep)]),
        (
            GroupOp::Failover,
            &[
                (S::ManualSyncing, failover),
                (S::Syncing, failover),
                (S::Normal, failover),
                (S::Stopping, failover),
                (S::Stopped, failover),
                (S::StopFailed, failover),
                (S::Failovering, failover),
                (S::Failovered, failover),
                (S::FailoverFailed, failover),
            ],
        ),
        (GroupOp::Reprotect, &[(S::Failovered, reprotect)]),
        (GroupOp::CancelFailover, &[(S::Failovered, reprotect)]),
        (
            GroupOp::Delete,
            &[
                (S::Invalid, delete),
                (S::Created, delete),
                (S::CreateFailed, delete),
                (S::Stopped, delete),
                (S::Failovered, delete),
                (S::Deleting, Keep),
                (S::DeleteFailed, delete),
            ],
        ),
        (GroupOp::AddPair, &[(S::Created, Keep), (S::Stopped, Keep)]),
        (
            GroupOp::RemovePair,
            &[(S::Invalid, Keep), (S::Created, Keep), (S::Stopped, Keep)],
        ),
        (
            GroupOp::Update,
            &[
                (S::Created, Go(S::Updating, D::Short, S::Created)),
                (S::Stopped, Go(S::Updating, D::Short, S::Stopped)),
            ],
        ),
        (GroupOp::Reverse, &[]),
        (
            GroupOp::Extend,
            &[(S::Created, Keep), (S::Normal, Keep), (S::Stopped, Keep)],
        ),
    ];
    assert_eq!(expected.len(), GroupOp::ALL.len());
    for (op, rows) in expected {
        let actual: Vec<(S, Effect)> = S::ALL
            .into_iter()
            .filter_map(|s| effect(*op, Mode::Asynchronous, s).map(|e| (s, e)))
            .collect();
        assert_eq!(actual, *rows, "{op:?}");
    }
}

#[test]
fn members_move_in_lockstep_through_a_workflow() {
    let mut lab = Lab::new(Timing::Realistic);
    let (g, pairs) = group_with(&mut lab, 3);
    assert_eq!(statuses(&mut lab, &g), (S::Created, vec![S::Created; 3]));
    // Pair-level status changes are refused for members.
    assert_eq!(
        lab.scope().start_replica_pair(HZ.0, &pairs[0], false),
        Err(Error::Denied(Denial::OperationDenied))
    );
    let t0 = lab.now();
    lab.scope().start_replica_group(SH.0, &g, false).unwrap();
    assert_eq!(
        statuses(&mut lab, &g),
        (S::InitialSyncing, vec![S::InitialSyncing; 3])
    );
    // Starting a running group changes nothing.
    lab.scope().start_replica_group(HZ.0, &g, false).unwrap();
    for step in [5_000, 9_000, 500, 500, 7_777] {
        lab.advance(step);
        let (gs, ms) = statuses(&mut lab, &g);
        assert!(ms.iter().all(|m| *m == gs), "{gs:?} {ms:?}");
    }
    let s = lab.scope();
    let rep = &s.account.replication;
    let point = rep.groups[&g].track.recover_point();
    assert_eq!(point, Some(t0 + 14_000));
    assert!(pairs
        .iter()
        .all(|p| rep.pairs[p].track.recover_point() == point));

    lab.scope().stop_replica_group(HZ.0, &g).unwrap();
    lab.advance(2_000);
    assert_eq!(
        lab.scope().failover_replica_group(HZ.0, &g),
        Err(Error::Denied(Denial::NotAllowedForPrimary))
    );
    lab.scope().failover_replica_group(SH.0, &g).unwrap();
    lab.advance(3_000);
    assert_eq!(
        statuses(&mut lab, &g),
        (S::Failovered, vec![S::Failovered; 3])
    );
    lab.scope().reprotect_replica_group(SH.0, &g, true).unwrap();
    lab.advance(3_000);
    assert_eq!(statuses(&mut lab, &g), (S::Stopped, vec![S::Stopped; 3]));
    let s = lab.scope();
    let rep = &s.account.replication;
    assert_eq!(rep.groups[&g].source.region_id, SH.0);
    assert_eq!(rep.groups[&g].primary.region_id, HZ.0);
    assert!(pairs.iter().all(|p| rep.pairs[p].source.region_id == SH.0));

    lab.scope().start_replica_group(SH.0, &g, false).unwrap();
    lab.advance(5_000);
    assert_eq!(statuses(&mut lab, &g).0, S::Normal);
    lab.scope().stop_replica_group(SH.0, &g).unwrap();
    lab.advance(2_000);
    assert_eq!(
        lab.scope().delete_replica_group(HZ.0, &g),
        Err(Error::Denied(Denial::GroupHasPair))
    );
    for p in &pairs {
        lab.scope().remove_replica_pair(HZ.0, &g, p).unwrap();
    }
    lab.scope().delete_replica_group(HZ.0, &g).unwrap();
    lab.advance(2_000);
    assert_eq!(
        lab.scope().stop_replica_group(HZ.0, &g),
        Err(Error::not_found(Kind::ReplicaGroup, &g))
    );
    // The former members are ordinary pairs again.
    lab.scope().delete_replica_pair(HZ.0, &pairs[0]).unwrap();
}

#[test]
fn membership_rules() {
    let mut lab = Lab::new(Timing::Instant);
    let (g, pairs) = group_with(&mut lab, 1);
    let other = lab.scope().create_replica_group(&new_group()).unwrap();
    assert_eq!(
        lab.scope().add_replica_pair(HZ.0, &other, &pairs[0]),
        Err(Error::Denied(Denial::PairInAnotherGroup))
    );
    assert_eq!(lab.scope().add_replica_pair(HZ.0, &g, &pairs[0]), Ok(()));
    assert_eq!(
        lab.scope().remove_replica_pair(HZ.0, &other, &pairs[0]),
        Err(Error::Denied(Denial::NoPairInGroup))
    );
    // A running pair cannot join.
    let running = lab.pair();
    lab.scope()
        .start_replica_pair(HZ.0, &running, false)
        .unwrap();
    assert_eq!(
        lab.scope().add_replica_pair(HZ.0, &g, &running),
        Err(Error::Denied(Denial::PairStatusCannotAddToGroup))
    );
    // A pair on another route cannot join.
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk("cn-shanghai-f", 40));
    let mut spec = lab.new_pair(&a, &b);
    spec.destination_zone_id = None;
    let elsewhere = lab.scope().create_replica_pair(&spec).unwrap();
    assert_eq!(
        lab.scope().add_replica_pair(HZ.0, &g, &elsewhere),
        Err(Error::Denied(Denial::PairGroupZoneConflict))
    );
    // At most 17 pairs.
    for _ in 1..MAX_PAIRS {
        let p = lab.pair();
        lab.scope().add_replica_pair(HZ.0, &g, &p).unwrap();
    }
    let one_more = lab.pair();
    assert_eq!(
        lab.scope().add_replica_pair(HZ.0, &g, &one_more),
        Err(Error::Denied(Denial::PairsExceedInGroup))
    );
    assert_eq!(
        lab.scope().remove_replica_pair(HZ.0, &g, &one_more),
        Err(Error::Denied(Denial::PairNotInGroup))
    );
    // A running group refuses membership changes.
    lab.scope().start_replica_group(HZ.0, &g, false).unwrap();
    assert_eq!(
        lab.scope().remove_replica_pair(HZ.0, &g, &pairs[0]),
        Err(Error::Denied(Denial::GroupStatusCannotRemovePair))
    );
    assert_eq!(
        lab.scope().add_replica_pair(HZ.0, &g, &one_more),
        Err(Error::Denied(Denial::GroupStatusCannotAddPair))
    );
}

#[test]
fn an_invalid_member_makes_the_group_invalid_until_removed() {
    let mut lab = Lab::new(Timing::Instant);
    let (g, pairs) = group_with(&mut lab, 2);
    let src = lab.scope().account.replication.pairs[&pairs[0]]
        .source
        .disk_id
        .clone();
    lab.scope().delete_disk(&src).unwrap();
    assert_eq!(
        statuses(&mut lab, &g),
        (S::Invalid, vec![S::Invalid, S::Created])
    );
    assert!(matches!(
        lab.scope().start_replica_group(HZ.0, &g, false),
        Err(Error::IncorrectStatus { .. })
    ));
    lab.scope()
        .remove_replica_pair(HZ.0, &g, &pairs[0])
        .unwrap();
    assert_eq!(statuses(&mut lab, &g), (S::Created, vec![S::Created]));
}

#[test]
fn group_start_refuses_attached_standbys_and_empty_groups() {
    let mut lab = Lab::new(Timing::Instant);
    let (empty, _) = group_with(&mut lab, 0);
    assert_eq!(
        lab.scope().start_replica_group(HZ.0, &empty, false),
        Err(Error::Denied(Denial::NoPairInGroup))
    );
    let vm = lab.instance(SH.0, SH.1);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    lab.scope().attach_disk(&vm, &b, None).unwrap();
    let spec = lab.new_pair(&a, &b);
    let p = lab.scope().create_replica_pair(&spec).unwrap();
    let (g, _) = group_with(&mut lab, 1);
    lab.scope().add_replica_pair(HZ.0, &g, &p).unwrap();
    assert_eq!(
        lab.scope().start_replica_group(HZ.0, &g, false),
        Err(Error::Denied(Denial::StandbyDeviceAttached))
    );
    assert_eq!(statuses(&mut lab, &g), (S::Created, vec![S::Created; 2]));
}

#[test]
fn describe_groups_by_site_and_id() {
    let mut lab = Lab::new(Timing::Instant);
    let (g, pairs) = group_with(&mut lab, 2);
    let q = |region: &str, site| GroupQuery {
        region_id: region.into(),
        group_ids: None,
        site,
        name: None,
        resource_group_id: None,
        tags: Vec::new(),
        page: PageRequest::After {
            after: None,
            size: 10,
        },
        ..GroupQuery::default()
    };
    let mut s = lab.scope();
    let page = s.describe_replica_groups(&q(SH.0, None)).unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].site, Site::Backup);
    assert_eq!(page.items[0].group.pair_ids, pairs);
    assert_eq!(
        s.describe_replica_groups(&q(SH.0, Some(Site::Production)))
            .unwrap()
            .total,
        0
    );
    let mut by_id = q(HZ.0, None);
    by_id.group_ids = Some(vec!["pg-none".into()]);
    assert_eq!(s.describe_replica_groups(&by_id).unwrap().total, 0);
    by_id.group_ids = Some(vec![g.clone()]);
    assert_eq!(
        s.describe_replica_groups(&by_id).unwrap().items[0].status,
        S::Created
    );
}
