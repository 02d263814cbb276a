//! Unit tests of replica pairs: the full state table, creation rules, sites, disk hooks, paging.

use super::*;
use crate::domain::clock::Timing;
use crate::domain::fixture::{Lab, HZ, SH};
use crate::domain::query::PageRequest;
use crate::domain::replica_query::PairQuery;
use crate::domain::replica_sync::{Mode, ReplicaStatus as S};
use crate::domain::{Field, Status};

fn pair(lab: &mut Lab, id: &str) -> ReplicaPair {
    let now = lab.now();
    let p = lab.scope().account.replication.pairs.get_mut(id).cloned();
    let mut p = p.unwrap_or_else(|| panic!("{id} is gone"));
    p.settle(now);
    p
}

fn force(lab: &mut Lab, id: &str, status: S, point: Option<Millis>) {
    let now = lab.now();
    let s = lab.scope();
    let p = s.account.replication.pairs.get_mut(id).unwrap();
    p.track.force(status, now);
    p.track.set_recover_point(point);
}

/// Runs `op` the way its wire call does, from the region the call must come from.
fn apply(s: &mut Scope<'_>, op: PairOp, id: &str) -> Result<()> {
    match op {
        PairOp::Start | PairOp::Resume => s.start_replica_pair(HZ.0, id, false),
        PairOp::OneShot => s.start_replica_pair(HZ.0, id, true),
        PairOp::Stop => s.stop_replica_pair(HZ.0, id),
        PairOp::Modify => s.modify_replica_pair(HZ.0, id, &PairChanges::default()),
        PairOp::Failover => s.failover_replica_pair(SH.0, id),
        PairOp::Reprotect => s.reprotect_replica_pair(SH.0, id, true),
        PairOp::CancelFailover => s.reprotect_replica_pair(SH.0, id, false),
        PairOp::Delete => s.delete_replica_pair(HZ.0, id),
    }
}

/// Every (status, operation) pair, in both timings: allowed ones land where the table says
/// (at once with instant timing, in the first status with realistic timing), the rest are
/// InvalidStatus and change nothing.
#[test]
fn state_table_every_status_and_operation() {
    for timing in [Timing::Instant, Timing::Realistic] {
        for op in PairOp::ALL {
            for from in S::ALL {
                let mut lab = Lab::new(timing);
                let id = lab.pair();
                let point = matches!(op, PairOp::Resume).then_some(lab.now() - 1_000);
                force(&mut lab, &id, from, point);
                let got = apply(&mut lab.scope(), op, &id);
                let ctx = format!("{timing:?} {op:?} from {from:?}: {got:?}");
                match effect(op, Mode::Asynchronous, from) {
                    None => {
                        assert!(
                            matches!(got, Err(Error::IncorrectStatus { kind: Kind::ReplicaPair, status, .. }) if status == Status::Replica(from)),
                            "{ctx}"
                        );
                        assert_eq!(pair(&mut lab, &id).status(), from, "{ctx}");
                    }
                    Some(Effect::Keep) => {
                        assert_eq!(got, Ok(()), "{ctx}");
                        assert_eq!(pair(&mut lab, &id).status(), from, "{ctx}");
                    }
                    Some(Effect::Go(first, _, next)) => {
                        assert_eq!(got, Ok(()), "{ctx}");
                        let gone = !lab.scope().account.replication.pairs.contains_key(&id);
                        match (timing, next) {
                            (Timing::Instant, S::Deleted) => assert!(gone, "{ctx}"),
                            (Timing::Instant, _) => {
                                assert_eq!(pair(&mut lab, &id).status(), next, "{ctx}");
                            }
                            (Timing::Realistic, _) => {
                                assert_eq!(pair(&mut lab, &id).status(), first, "{ctx}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn table_rows_match_the_reference() {
    let allowed = |op| {
        S::ALL
            .into_iter()
            .filter(|s| effect(op, Mode::Asynchronous, *s).is_some())
            .collect::<Vec<_>>()
    };
    assert_eq!(allowed(PairOp::Start), [S::Created, S::Stopped]);
    assert_eq!(
        allowed(PairOp::Stop),
        [S::InitialSyncing, S::ManualSyncing, S::Syncing, S::Normal]
    );
    assert_eq!(
        allowed(PairOp::Delete),
        [S::Invalid, S::Stopped, S::Failovered]
    );
    assert_eq!(allowed(PairOp::Reprotect), [S::Failovered]);
    let failover = allowed(PairOp::Failover);
    assert_eq!(failover.len(), S::ALL.len() - 3);
    for s in [S::Invalid, S::Deleted, S::Deleting] {
        assert!(!failover.contains(&s));
    }
}

#[test]
fn create_checks_the_disks() {
    let mut lab = Lab::new(Timing::Instant);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    let (big, near) = (lab.disk(SH.1, 80), lab.disk("cn-hangzhou-i", 40));
    let same_zone = lab.disk(HZ.1, 40);
    let base = lab.new_pair(&a, &b);
    let try_create = |lab: &mut Lab, f: &dyn Fn(&mut NewPair)| {
        let mut spec = base.clone();
        f(&mut spec);
        lab.scope().create_replica_pair(&spec)
    };
    let denied = Err(Error::Denied(Denial::DiskMismatch));
    assert_eq!(
        try_create(&mut lab, &|s| s.disk_id = "d-nope".into()),
        Err(Error::not_found(Kind::Disk, "d-nope"))
    );
    assert_eq!(
        try_create(&mut lab, &|s| s.region_id = "cn-beijing".into()),
        Err(Error::not_found(Kind::Disk, &a))
    );
    assert_eq!(
        try_create(&mut lab, &|s| s.region_id = "xx-nowhere".into()),
        Err(Error::not_found(Kind::Region, "xx-nowhere"))
    );
    assert_eq!(
        try_create(&mut lab, &|s| s.destination_region_id = "xx".into()),
        Err(Error::InvalidField(Field::DestinationRegion))
    );
    assert_eq!(
        try_create(&mut lab, &|s| s.source_zone_id =
            Some("cn-hangzhou-i".into())),
        Err(Error::InvalidField(Field::SourceZone))
    );
    assert_eq!(
        try_create(&mut lab, &|s| s.destination_disk_id.clone_from(&big)),
        denied
    );
    let same = |s: &mut NewPair| {
        s.destination_region_id = HZ.0.into();
        s.destination_zone_id = None;
        s.destination_disk_id.clone_from(&same_zone);
    };
    assert_eq!(try_create(&mut lab, &same), denied);
    // Cross-zone in one region is allowed.
    let cross_zone = |s: &mut NewPair| {
        s.destination_region_id = HZ.0.into();
        s.destination_zone_id = None;
        s.destination_disk_id.clone_from(&near);
    };
    let id = try_create(&mut lab, &cross_zone).unwrap();
    assert!(lab.scope().account.replication.pairs.contains_key(&id));
    // Disk `a` is now paired; so is `near`.
    assert_eq!(
        try_create(&mut lab, &|_| {}),
        Err(Error::Denied(Denial::DiskAlreadyPaired))
    );
}

#[test]
fn non_essd_disks_cannot_pair() {
    let mut lab = Lab::new(Timing::Instant);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    for d in [&a, &b] {
        lab.scope().disk_mut(d).unwrap().category = "cloud_ssd".into();
    }
    let spec = lab.new_pair(&a, &b);
    assert_eq!(
        lab.scope().create_replica_pair(&spec),
        Err(Error::Denied(Denial::DiskMismatch))
    );
}

#[test]
fn full_workflow_with_realistic_timing() {
    let mut lab = Lab::new(Timing::Realistic);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    let spec = lab.new_pair(&a, &b);
    let id = lab.scope().create_replica_pair(&spec).unwrap();
    assert_eq!(pair(&mut lab, &id).status(), S::Creating);
    lab.advance(2_000);
    assert_eq!(pair(&mut lab, &id).status(), S::Created);

    let t0 = lab.now();
    lab.scope().start_replica_pair(SH.0, &id, false).unwrap();
    assert_eq!(pair(&mut lab, &id).status(), S::InitialSyncing);
    lab.advance(2_500);
    assert_eq!(lab.scope().replica_pair_progress(HZ.0, &id), Ok((50, None)));
    lab.advance(2_500);
    let p = pair(&mut lab, &id);
    assert_eq!((p.status(), p.track.recover_point()), (S::Normal, Some(t0)));
    lab.advance(9_000);
    assert_eq!(pair(&mut lab, &id).status(), S::Syncing);
    lab.advance(1_000);
    let p = pair(&mut lab, &id);
    assert_eq!(
        (p.status(), p.track.recover_point()),
        (S::Normal, Some(t0 + 14_000))
    );

    lab.scope().stop_replica_pair(HZ.0, &id).unwrap();
    assert_eq!(pair(&mut lab, &id).status(), S::Stopping);
    lab.advance(2_000);
    assert_eq!(pair(&mut lab, &id).status(), S::Stopped);

    assert_eq!(
        lab.scope().failover_replica_pair(HZ.0, &id),
        Err(Error::Denied(Denial::NotAllowedForPrimary))
    );
    lab.scope().failover_replica_pair(SH.0, &id).unwrap();
    lab.advance(3_000);
    assert_eq!(pair(&mut lab, &id).status(), S::Failovered);

    lab.scope().reprotect_replica_pair(SH.0, &id, true).unwrap();
    let p = pair(&mut lab, &id);
    assert_eq!(p.status(), S::Reprotecting);
    assert_eq!(
        (p.source.disk_id.as_str(), p.destination.disk_id.as_str()),
        (b.as_str(), a.as_str())
    );
    assert_eq!(
        (p.primary.region_id.as_str(), p.standby.region_id.as_str()),
        (HZ.0, SH.0)
    );
    lab.advance(3_000);
    assert_eq!(pair(&mut lab, &id).status(), S::Stopped);

    // The direction is reversed: the first copy back is a full one again.
    lab.scope().start_replica_pair(SH.0, &id, false).unwrap();
    assert_eq!(pair(&mut lab, &id).status(), S::InitialSyncing);
    lab.advance(5_000);
    lab.scope().stop_replica_pair(SH.0, &id).unwrap();
    lab.advance(2_000);
    assert_eq!(
        lab.scope().delete_replica_pair(SH.0, &id),
        Err(Error::Denied(Denial::NotAllowedForStandby))
    );
    lab.scope().delete_replica_pair(HZ.0, &id).unwrap();
    assert_eq!(pair(&mut lab, &id).status(), S::Deleting);
    lab.advance(2_000);
    assert_eq!(
        lab.scope().stop_replica_pair(HZ.0, &id),
        Err(Error::not_found(Kind::ReplicaPair, &id))
    );
    // Both disks stay, unpaired: they can pair again.
    let again = lab.new_pair(&a, &b);
    assert!(lab.scope().create_replica_pair(&again).is_ok());
}

#[test]
fn the_secondary_cannot_be_attached_until_failover() {
    let mut lab = Lab::new(Timing::Instant);
    let vm = lab.instance(SH.0, SH.1);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    let spec = lab.new_pair(&a, &b);
    let id = lab.scope().create_replica_pair(&spec).unwrap();
    let refused = lab.scope().attach_disk(&vm, &b, None);
    assert!(
        matches!(&refused, Err(Error::IncorrectStatus { kind: Kind::Disk, id, .. }) if *id == b),
        "{refused:?}"
    );
    lab.scope().start_replica_pair(HZ.0, &id, false).unwrap();
    lab.scope().failover_replica_pair(SH.0, &id).unwrap();
    lab.scope().attach_disk(&vm, &b, None).unwrap();
    // Cancelling the failover needs the secondary detached again.
    assert_eq!(
        lab.scope().reprotect_replica_pair(SH.0, &id, false),
        Err(Error::Denied(Denial::StandbyDeviceAttached))
    );
}

#[test]
fn start_refuses_an_attached_standby() {
    let mut lab = Lab::new(Timing::Instant);
    let vm = lab.instance(SH.0, SH.1);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(SH.1, 40));
    lab.scope().attach_disk(&vm, &b, None).unwrap();
    let spec = lab.new_pair(&a, &b);
    let id = lab.scope().create_replica_pair(&spec).unwrap();
    assert_eq!(
        lab.scope().start_replica_pair(HZ.0, &id, false),
        Err(Error::Denied(Denial::StandbyDeviceAttached))
    );
    lab.scope().detach_disk(&vm, &b).unwrap();
    assert_eq!(lab.scope().start_replica_pair(HZ.0, &id, false), Ok(()));
}

#[test]
fn removing_a_disk_invalidates_the_pair() {
    let mut lab = Lab::new(Timing::Instant);
    let id = lab.pair();
    lab.scope().start_replica_pair(HZ.0, &id, false).unwrap();
    let src = pair(&mut lab, &id).source.disk_id;
    lab.scope().delete_disk(&src).unwrap();
    let p = pair(&mut lab, &id);
    assert_eq!(
        (p.status(), p.status_message),
        (S::Invalid, Some(StatusCause::DeviceRemoved))
    );
    lab.scope().delete_replica_pair(HZ.0, &id).unwrap();
    assert!(!lab.scope().account.replication.pairs.contains_key(&id));
}

#[test]
fn one_shots_are_rate_limited() {
    let mut lab = Lab::new(Timing::Instant);
    let id = lab.pair();
    lab.scope().start_replica_pair(HZ.0, &id, true).unwrap();
    let p = pair(&mut lab, &id);
    assert_eq!(
        (p.status(), p.track.recover_point()),
        (S::Stopped, Some(lab.now()))
    );
    assert_eq!(
        lab.scope().start_replica_pair(HZ.0, &id, true),
        Err(Error::Denied(Denial::ManualSyncLimit))
    );
    lab.advance(4_500);
    assert_eq!(lab.scope().start_replica_pair(HZ.0, &id, true), Ok(()));
}

fn query(region: &str, page: PageRequest) -> PairQuery {
    PairQuery {
        region_id: region.to_owned(),
        pair_ids: None,
        group: None,
        site: None,
        name: None,
        resource_group_id: None,
        tags: Vec::new(),
        page,
        ..PairQuery::default()
    }
}

#[test]
fn describe_settles_only_the_page() {
    let mut lab = Lab::new(Timing::Instant);
    let ids: Vec<String> = (0..2_000).map(|_| lab.pair()).collect();
    lab.advance(1_000);
    SETTLES.with(|n| n.set(0));
    let page = lab
        .scope()
        .describe_replica_pairs(&query(
            HZ.0,
            PageRequest::After {
                after: None,
                size: 50,
            },
        ))
        .unwrap();
    assert_eq!((page.items.len(), page.total), (50, 2_000));
    assert_eq!(SETTLES.with(std::cell::Cell::get), 50);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(page.next_token, sorted[49]);
}

#[test]
fn describe_filters_sites_and_pages() {
    let mut lab = Lab::new(Timing::Instant);
    let ids: Vec<String> = (0..25).map(|_| lab.pair()).collect();
    let mut s = lab.scope();
    let mut walk = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .describe_replica_pairs(&query(SH.0, PageRequest::After { after, size: 10 }))
            .unwrap();
        assert!(page.items.iter().all(|r| r.site == Site::Backup));
        walk.extend(page.items.into_iter().map(|r| r.pair.id));
        if page.next_token.is_empty() {
            break;
        }
        after = Some(page.next_token);
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(walk, sorted);

    let mut q = query(
        SH.0,
        PageRequest::Number {
            number: 3,
            size: 10,
        },
    );
    assert_eq!(s.describe_replica_pairs(&q).unwrap().items.len(), 5);
    q.site = Some(Site::Production);
    assert_eq!(s.describe_replica_pairs(&q).unwrap().total, 0);
    let mut q = query(
        HZ.0,
        PageRequest::Number {
            number: 1,
            size: 10,
        },
    );
    q.pair_ids = Some(vec![ids[3].clone(), "pair-cn-missing".into()]);
    let page = s.describe_replica_pairs(&q).unwrap();
    assert_eq!(
        (page.total, page.items[0].pair.id.as_str()),
        (1, ids[3].as_str())
    );
    q.pair_ids = Some(vec!["pair-cn-missing".into()]);
    assert_eq!(s.describe_replica_pairs(&q).unwrap().total, 0);
    let q = query(
        "cn-beijing",
        PageRequest::Number {
            number: 1,
            size: 10,
        },
    );
    assert_eq!(s.describe_replica_pairs(&q).unwrap().total, 0);
}
