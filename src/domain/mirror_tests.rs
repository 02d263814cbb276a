//! Unit tests of synchronous replication: the mode's own table rows, creates accepted and then
//! failed with a cause, groups created with their pairs, switchover, update, disk growth, and
//! the sorted listings with `changes-since`.

use crate::domain::clock::Timing;
use crate::domain::fixture::{Lab, HZ};
use crate::domain::instance::InstanceStatus;
use crate::domain::replica_group::{self, GroupChanges, GroupOp, NewGroup};
use crate::domain::replica_pair::{self, NewPair, PairOp, StatusCause};
use crate::domain::replica_query::{GroupQuery, MoreFilters, Order, PairQuery, SortKey};
use crate::domain::replica_sync::{Dwell, Effect, Mode, ReplicaStatus as S};
use crate::domain::{Denial, Error, Field};

/// The second zone of the fixture region.
const HZ_I: &str = "cn-hangzhou-i";

fn mirror(src: &str, dst: &str) -> NewPair {
    NewPair {
        region_id: HZ.0.into(),
        source_zone_id: Some(HZ.1.into()),
        disk_id: src.into(),
        destination_region_id: HZ.0.into(),
        destination_disk_id: dst.into(),
        name: "mirror".into(),
        mode: Mode::Synchronous,
        ..NewPair::default()
    }
}

/// A synchronous pair of two new disks, settled past `creating`.
fn mirror_pair(lab: &mut Lab) -> String {
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(HZ_I, 40));
    let id = lab.scope().create_replica_pair(&mirror(&a, &b)).unwrap();
    lab.advance(2_000);
    id
}

fn group_spec(pairs: Vec<String>) -> NewGroup {
    NewGroup {
        region_id: HZ.0.into(),
        source_zone_id: HZ.1.into(),
        destination_region_id: HZ.0.into(),
        name: "mirrors".into(),
        mode: Mode::Synchronous,
        pair_ids: pairs,
        ..NewGroup::default()
    }
}

fn pair_status(lab: &mut Lab, id: &str) -> (S, Option<StatusCause>) {
    let now = lab.now();
    let p = lab.cloud.accounts.get_mut("acct").unwrap();
    let p = p.replication.pairs.get_mut(id).unwrap();
    p.settle(now);
    (p.status(), p.status_message)
}

fn group_status(lab: &mut Lab, id: &str) -> S {
    lab.scope().settle_group(id).unwrap()
}

#[test]
fn synchronous_rows_differ_where_the_mode_does() {
    use Effect::{Go, Keep};
    let sync = Mode::Synchronous;
    assert_eq!(
        replica_group::effect(GroupOp::Stop, sync, S::Created),
        Some(Keep)
    );
    assert_eq!(
        replica_group::effect(GroupOp::Stop, Mode::Asynchronous, S::Created),
        None
    );
    assert_eq!(
        replica_group::effect(GroupOp::OneShot, sync, S::Created),
        None
    );
    assert_eq!(
        replica_group::effect(GroupOp::Reprotect, sync, S::Failovered),
        Some(Go(S::Reprotecting, Dwell::FullSync, S::Normal))
    );
    assert_eq!(
        replica_group::effect(GroupOp::Reverse, sync, S::Normal),
        Some(Go(S::Reversing, Dwell::Switch, S::Normal))
    );
    for from in S::ALL {
        let reverse = replica_group::effect(GroupOp::Reverse, sync, from);
        assert_eq!(reverse.is_some(), from == S::Normal, "{from:?}");
    }
    let deletable: Vec<S> = S::ALL
        .into_iter()
        .filter(|s| replica_pair::effect(PairOp::Delete, sync, *s).is_some())
        .collect();
    assert_eq!(
        deletable,
        [
            S::Invalid,
            S::Created,
            S::CreateFailed,
            S::Stopped,
            S::Failovered
        ]
    );
}

#[test]
fn a_create_is_refused_at_once_or_accepted_and_failed_with_a_cause() {
    let mut lab = Lab::new(Timing::Realistic);
    let (a, b) = (lab.disk(HZ.1, 40), lab.disk(HZ_I, 40));
    let (big, same_zone) = (lab.disk(HZ_I, 80), lab.disk(HZ.1, 40));
    let refused = |lab: &mut Lab, spec: NewPair| lab.scope().create_replica_pair(&spec);
    let mut wrong_zone = mirror(&a, &b);
    wrong_zone.source_zone_id = Some(HZ_I.into());
    assert_eq!(
        refused(&mut lab, wrong_zone),
        Err(Error::InvalidField(Field::SourceZone))
    );
    assert_eq!(
        refused(&mut lab, mirror(&a, &same_zone)),
        Err(Error::Denied(Denial::DiskMismatch))
    );
    assert!(lab.cloud.accounts["acct"].replication.pairs.is_empty());
    // Accepted: `creating`, then `create_failed` with the cause; the disks stay free.
    let inst = lab.instance(HZ.0, HZ_I);
    let attached = lab.disk(HZ_I, 40);
    lab.scope().attach_disk(&inst, &attached, None).unwrap();
    lab.advance(1_000);
    let cases = [
        (mirror("d-nope", &b), StatusCause::SourceDiskMissing),
        (mirror(&a, "d-nope"), StatusCause::DestinationDiskMissing),
        (mirror(&a, &big), StatusCause::SizeMismatch),
        (mirror(&a, &attached), StatusCause::DestinationDiskAttached),
    ];
    for (spec, cause) in cases {
        let id = lab.scope().create_replica_pair(&spec).unwrap();
        assert_eq!(pair_status(&mut lab, &id), (S::Creating, Some(cause)));
        lab.advance(2_000);
        assert_eq!(pair_status(&mut lab, &id), (S::CreateFailed, Some(cause)));
    }
    let good = lab.scope().create_replica_pair(&mirror(&a, &b)).unwrap();
    let again = lab.scope().create_replica_pair(&mirror(&a, &b)).unwrap();
    lab.advance(2_000);
    assert_eq!(pair_status(&mut lab, &good), (S::Created, None));
    assert_eq!(
        pair_status(&mut lab, &again),
        (S::CreateFailed, Some(StatusCause::SourceDiskPaired))
    );
    // A stopped instance may hold the destination.
    lab.scope().stop_instance(&inst, None, false).unwrap();
    lab.advance(5_000);
    let free = lab.disk(HZ.1, 40);
    let ok = lab
        .scope()
        .create_replica_pair(&mirror(&free, &attached))
        .unwrap();
    lab.advance(2_000);
    assert_eq!(pair_status(&mut lab, &ok), (S::Created, None));
    let _ = lab
        .cloud
        .accounts
        .get_mut("acct")
        .unwrap()
        .instances
        .get(&inst)
        .map(|i| assert_eq!(i.status(), InstanceStatus::Stopped));
}

#[test]
fn a_mirror_group_syncs_switches_fails_over_and_reprotects() {
    let mut lab = Lab::new(Timing::Realistic);
    let pairs = vec![mirror_pair(&mut lab), mirror_pair(&mut lab)];
    // All or nothing: one pair that cannot join refuses the whole create.
    let mut spec = group_spec(vec![pairs[0].clone(), "pair-nope".into()]);
    assert!(lab.scope().create_replica_group(&spec).is_err());
    assert!(lab.cloud.accounts["acct"].replication.groups.is_empty());
    spec.pair_ids = pairs.clone();
    let g = lab.scope().create_replica_group(&spec).unwrap();
    lab.advance(2_000);
    assert_eq!(group_status(&mut lab, &g), S::Created);
    lab.scope().start_replica_group(HZ.0, &g, false).unwrap();
    assert_eq!(group_status(&mut lab, &g), S::InitialSyncing);
    lab.advance(5_000);
    // In sync from now on: never `syncing`, and recoverable as of now.
    for _ in 0..30 {
        lab.advance(7_000);
        assert_eq!(group_status(&mut lab, &g), S::Normal);
        let now = lab.now();
        let group = &lab.cloud.accounts["acct"].replication.groups[&g];
        assert_eq!(group.track.recover_point(), Some(now));
    }
    let before = lab.cloud.accounts["acct"].replication.groups[&g]
        .source
        .clone();
    lab.scope().reverse_replica_group(HZ.0, &g).unwrap();
    assert_eq!(group_status(&mut lab, &g), S::Reversing);
    lab.advance(3_000);
    assert_eq!(group_status(&mut lab, &g), S::Normal);
    let group = &lab.cloud.accounts["acct"].replication.groups[&g];
    assert_eq!(group.destination, before);
    assert_eq!(pair_status(&mut lab, &pairs[0]).0, S::Normal);
    // Update needs a pause; it is `updating` for a moment.
    let changes = GroupChanges {
        name: Some("renamed".into()),
        ..GroupChanges::default()
    };
    let remove = [pairs[1].clone()];
    assert!(lab
        .scope()
        .update_replica_group(HZ.0, &g, &changes, &[], &remove)
        .is_err());
    lab.scope().stop_replica_group(HZ.0, &g).unwrap();
    lab.advance(2_000);
    lab.scope()
        .update_replica_group(HZ.0, &g, &changes, &[], &remove)
        .unwrap();
    assert_eq!(group_status(&mut lab, &g), S::Updating);
    lab.advance(2_000);
    assert_eq!(group_status(&mut lab, &g), S::Stopped);
    let group = &lab.cloud.accounts["acct"].replication.groups[&g];
    assert_eq!((group.name.as_str(), group.pair_ids.len()), ("renamed", 1));
    assert!(group.updated_at().is_some());
    // Failover: the destination serves; reprotect mirrors back the other way.
    lab.scope().start_replica_group(HZ.0, &g, false).unwrap();
    lab.advance(2_000);
    lab.scope().failover_replica_group(HZ.0, &g).unwrap();
    lab.advance(3_000);
    assert_eq!(group_status(&mut lab, &g), S::Failovered);
    let group = &lab.cloud.accounts["acct"].replication.groups[&g];
    assert_eq!(group.serving(), &group.destination);
    lab.scope().reprotect_replica_group(HZ.0, &g, true).unwrap();
    assert_eq!(group_status(&mut lab, &g), S::Reprotecting);
    lab.advance(5_000);
    assert_eq!(group_status(&mut lab, &g), S::Normal);
}

#[test]
fn growth_through_the_group_keeps_pairs_and_alone_breaks_them() {
    let mut lab = Lab::new(Timing::Instant);
    let pairs = vec![mirror_pair(&mut lab), mirror_pair(&mut lab)];
    let g = lab
        .scope()
        .create_replica_group(&group_spec(pairs.clone()))
        .unwrap();
    let disks = |lab: &Lab, p: &str| {
        let acct = &lab.cloud.accounts["acct"];
        let p = &acct.replication.pairs[p];
        [&p.source.disk_id, &p.destination.disk_id].map(|d| acct.disks[d.as_str()].size)
    };
    let too_small = [(pairs[0].clone(), 40)];
    assert_eq!(
        lab.scope().extend_replica_group(HZ.0, &g, &too_small),
        Err(Error::Denied(Denial::SizeNotSupported))
    );
    lab.scope()
        .extend_replica_group(HZ.0, &g, &[(pairs[0].clone(), 60)])
        .unwrap();
    assert_eq!(disks(&lab, &pairs[0]), [60, 60]);
    assert_eq!(disks(&lab, &pairs[1]), [40, 40]);
    assert_eq!(pair_status(&mut lab, &pairs[0]), (S::Created, None));
    let outsider = mirror_pair(&mut lab);
    assert_eq!(
        lab.scope()
            .extend_replica_group(HZ.0, &g, &[(outsider.clone(), 60)]),
        Err(Error::Denied(Denial::PairNotInGroup))
    );
    let alone = lab.cloud.accounts["acct"].replication.pairs[&outsider]
        .source
        .disk_id
        .clone();
    lab.scope().extend_disk(&alone, 50).unwrap();
    assert_eq!(
        pair_status(&mut lab, &outsider),
        (S::Invalid, Some(StatusCause::DeviceSizeChanged))
    );
}

#[test]
fn sorted_listings_page_after_a_marker_and_filter_changes() {
    let mut lab = Lab::new(Timing::Instant);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(mirror_pair(&mut lab));
    }
    let created = lab.cloud.accounts["acct"].replication.pairs[&ids[2]].created_at;
    let order = |marker: Option<String>| Order {
        key: SortKey::Created,
        descending: true,
        marker,
        offset: 0,
        limit: 2,
    };
    let list = |lab: &mut Lab, order: Order, more: MoreFilters| {
        let q = PairQuery {
            region_id: HZ.0.into(),
            order: Some(order),
            more,
            ..PairQuery::default()
        };
        let page = lab.scope().describe_replica_pairs(&q).unwrap();
        let got: Vec<String> = page.items.into_iter().map(|r| r.pair.id).collect();
        (got, page.total)
    };
    let (first, total) = list(&mut lab, order(None), MoreFilters::default());
    assert_eq!(
        (first.clone(), total),
        (vec![ids[4].clone(), ids[3].clone()], 5)
    );
    let (next, _) = list(
        &mut lab,
        order(first.last().cloned()),
        MoreFilters::default(),
    );
    assert_eq!(next, vec![ids[2].clone(), ids[1].clone()]);
    let q = PairQuery {
        region_id: HZ.0.into(),
        order: Some(order(Some("pair-nope".into()))),
        ..PairQuery::default()
    };
    assert!(lab.scope().describe_replica_pairs(&q).is_err());
    let since = MoreFilters {
        changed_since: Some(created),
        ..MoreFilters::default()
    };
    let mut all = order(None);
    all.limit = 10;
    all.descending = false;
    let (changed, _) = list(&mut lab, all, since);
    assert_eq!(changed, ids[2..].to_vec());
    let g = lab
        .scope()
        .create_replica_group(&group_spec(vec![ids[0].clone()]))
        .unwrap();
    let q = GroupQuery {
        region_id: HZ.0.into(),
        order: Some(order(None)),
        more: MoreFilters {
            statuses: Some(vec![S::Created]),
            ..MoreFilters::default()
        },
        ..GroupQuery::default()
    };
    let page = lab.scope().describe_replica_groups(&q).unwrap();
    assert_eq!(page.items[0].group.id, g);
}
