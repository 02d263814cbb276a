//! Disk replication's place in an account: the store of pairs and groups with its indexes, the
//! lazy removal of deleted ones, where each operation may be called, and the disk hooks.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::clock::Millis;
use super::replica_group::ReplicaGroup;
use super::replica_index::{RegionIndex, Site};
use super::replica_pair::ReplicaPair;
use super::replica_sync::ReplicaStatus;
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// `StatusMessage` of a pair whose disk was released.
pub const DEVICE_REMOVED: &str = "DeviceRemoved";

/// A region and zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Region id.
    pub region_id: String,
    /// Zone id.
    pub zone_id: String,
}

/// One account's replica pairs and groups.
#[derive(Debug, Clone, Default)]
pub struct Replication {
    /// Pairs by id.
    pub pairs: BTreeMap<String, ReplicaPair>,
    /// Groups by id.
    pub groups: BTreeMap<String, ReplicaGroup>,
    /// Pair ids by region and site.
    pub pair_index: RegionIndex,
    /// Group ids by region and site.
    pub group_index: RegionIndex,
    /// The pair each paired disk belongs to (both its disks).
    pub pair_of_disk: HashMap<String, String>,
    /// Deletions in progress: (when `deleted` is reached, id). Removed on the next call after that.
    pub deletions: BTreeSet<(Millis, String)>,
}

/// Where an operation must be called from, relative to the resource's regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallSite {
    /// Either region (Describe, Start, Stop, Modify, group membership).
    Either,
    /// The current destination (DR) region: Failover, Reprotect.
    Destination,
    /// The original primary region: Delete.
    Primary,
}

/// Checks that `region` may run an operation on a resource replicating `source` → `destination`
/// whose original primary region is `primary`. A region that is neither side does not see the
/// resource at all (NotFound).
///
/// # Errors
/// NotFound, `OperateNotAllowedForPrimary`, `OperateNotAllowedForStandby`.
pub fn check_site(
    region: &str,
    (source, destination, primary): (&str, &str, &str),
    rule: CallSite,
    not_found: impl FnOnce() -> Error,
) -> Result<()> {
    if region != source && region != destination {
        return Err(not_found());
    }
    match rule {
        CallSite::Either => Ok(()),
        CallSite::Destination if region == destination => Ok(()),
        CallSite::Destination => Err(Error::Denied(Denial::NotAllowedForPrimary)),
        CallSite::Primary if region == primary => Ok(()),
        CallSite::Primary => Err(Error::Denied(Denial::NotAllowedForStandby)),
    }
}

/// The side `region` is on, preferring production when both disks share a region.
pub fn site_of(region: &str, source: &str) -> Site {
    if region == source {
        Site::Production
    } else {
        Site::Backup
    }
}

impl Scope<'_> {
    /// Removes pairs and groups whose deletion completed by now. Every replication entry point
    /// calls this first, so a deleted resource is gone from every index before anything reads them.
    pub(crate) fn purge_replicas(&mut self) {
        let now = self.now;
        let rep = &mut self.account.replication;
        while let Some((at, id)) = rep.deletions.first().cloned() {
            if at > now {
                break;
            }
            rep.deletions.pop_first();
            if let Some(p) = rep.pairs.remove(&id) {
                rep.pair_index
                    .remove(&id, &p.source.region_id, &p.destination.region_id);
                for disk in [&p.source.disk_id, &p.destination.disk_id] {
                    if rep.pair_of_disk.get(disk) == Some(&id) {
                        rep.pair_of_disk.remove(disk);
                    }
                }
                if let Some(g) = p.group_id.and_then(|g| rep.groups.get_mut(&g)) {
                    g.pair_ids.retain(|m| *m != id);
                }
            } else if let Some(g) = rep.groups.remove(&id) {
                rep.group_index
                    .remove(&id, &g.source.region_id, &g.destination.region_id);
            }
        }
    }

    /// Checks the call region exists.
    ///
    /// # Errors
    /// NotFound(Region): the wire answers with its RegionId error.
    pub(crate) fn replica_region(&self, region: &str) -> Result<()> {
        self.catalog.region(region).map(|_| ())
    }

    /// Called after a disk disappeared: a pair using it becomes `invalid` (DeviceRemoved).
    pub(crate) fn on_disk_removed(&mut self, disk_id: &str) {
        self.purge_replicas();
        let now = self.now;
        let rep = &mut self.account.replication;
        let Some(pair) = rep
            .pair_of_disk
            .get(disk_id)
            .and_then(|id| rep.pairs.get_mut(id))
        else {
            return;
        };
        pair.settle(now);
        if pair.status() != ReplicaStatus::Deleting {
            pair.track.invalidate(now);
            pair.status_message = Some(DEVICE_REMOVED);
        }
    }

    /// Refuses attaching a disk that is the secondary of a pair still protecting it (anything but
    /// `failovered`, `invalid`, `create_failed`).
    ///
    /// The refusal is `IncorrectStatus` on the disk, which ECS AttachDisk answers as
    /// `403 IncorrectDiskStatus` — the code AttachDisk documents for a disk that cannot be attached
    /// in its current state — rather than an EBS-only `OperationDenied`.
    pub(crate) fn replication_attach_guard(&mut self, disk_id: &str) -> Result<()> {
        self.purge_replicas();
        let now = self.now;
        let rep = &mut self.account.replication;
        let Some(pair) = rep
            .pair_of_disk
            .get(disk_id)
            .and_then(|id| rep.pairs.get_mut(id))
        else {
            return Ok(());
        };
        pair.settle(now);
        if pair.destination.disk_id != disk_id || !pair.protects_destination() {
            return Ok(());
        }
        let status = self.disk_mut(disk_id)?.status().as_str();
        Err(Error::IncorrectStatus {
            kind: Kind::Disk,
            id: disk_id.to_owned(),
            status,
            operation: "AttachDisk",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_sites() {
        let nf = || Error::not_found(Kind::ReplicaPair, "p");
        let dirs = ("cn-hangzhou", "cn-shanghai", "cn-hangzhou");
        assert!(check_site("cn-hangzhou", dirs, CallSite::Either, nf).is_ok());
        assert!(check_site("cn-shanghai", dirs, CallSite::Either, nf).is_ok());
        assert_eq!(
            check_site("cn-beijing", dirs, CallSite::Either, nf),
            Err(nf())
        );
        assert_eq!(
            check_site("cn-hangzhou", dirs, CallSite::Destination, nf),
            Err(Error::Denied(Denial::NotAllowedForPrimary))
        );
        assert!(check_site("cn-shanghai", dirs, CallSite::Destination, nf).is_ok());
        assert_eq!(
            check_site("cn-shanghai", dirs, CallSite::Primary, nf),
            Err(Error::Denied(Denial::NotAllowedForStandby))
        );
        // Both disks in one region (cross-zone): every rule passes there.
        let same = ("cn-hangzhou", "cn-hangzhou", "cn-hangzhou");
        for rule in [CallSite::Either, CallSite::Destination, CallSite::Primary] {
            assert!(check_site("cn-hangzhou", same, rule, nf).is_ok());
        }
    }
}

/// A small cloud for the replication unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use std::sync::Arc;

    use crate::config::Timing;
    use crate::domain::catalog::Catalog;
    use crate::domain::clock::{Durations, Millis};
    use crate::domain::disk::NewDisk;
    use crate::domain::instance::NewInstance;
    use crate::domain::replica_pair::NewPair;
    use crate::domain::{Cloud, Scope};

    /// The primary region and zone of every fixture pair.
    pub const HZ: (&str, &str) = ("cn-hangzhou", "cn-hangzhou-h");
    /// The standby region and zone.
    pub const SH: (&str, &str) = ("cn-shanghai", "cn-shanghai-e");

    /// A cloud and a clock reading.
    pub struct Lab {
        pub cloud: Cloud,
    }

    impl Lab {
        pub fn new(timing: Timing) -> Self {
            let catalog = Arc::new(Catalog::builtin().unwrap());
            let mut cloud = Cloud::new(catalog, Durations::for_timing(timing, 0.01), Some(7));
            cloud.now = 1_700_000_000_000;
            Self { cloud }
        }

        pub fn now(&self) -> Millis {
            self.cloud.now
        }

        pub fn advance(&mut self, ms: Millis) {
            self.cloud.now += ms;
        }

        pub fn scope(&mut self) -> Scope<'_> {
            self.cloud.scope("acct")
        }

        /// An Available ESSD of `size` GiB in `zone`.
        pub fn disk(&mut self, zone: &str, size: u32) -> String {
            let spec = NewDisk {
                zone_id: zone.to_owned(),
                category: Some("cloud_essd".to_owned()),
                size: Some(size),
                ..NewDisk::default()
            };
            let mut s = self.scope();
            s.create_disk_record(&spec, crate::domain::disk::DiskStatus::Available)
                .unwrap()
        }

        /// A running instance in `zone`.
        pub fn instance(&mut self, region: &str, zone: &str) -> String {
            let spec = NewInstance {
                region_id: region.to_owned(),
                zone_id: Some(zone.to_owned()),
                image_id: "aliyun_3_x64_20G_alibase_20240819.vhd".to_owned(),
                instance_type: "ecs.g7.large".to_owned(),
                status: Some(crate::domain::instance::InstanceStatus::Running),
                ..NewInstance::default()
            };
            self.scope().run_instance(&spec).unwrap()
        }

        /// The CreateDiskReplicaPair request for two disks on the fixture route.
        pub fn new_pair(&self, src: &str, dst: &str) -> NewPair {
            NewPair {
                region_id: HZ.0.to_owned(),
                source_zone_id: Some(HZ.1.to_owned()),
                disk_id: src.to_owned(),
                destination_region_id: SH.0.to_owned(),
                destination_zone_id: Some(SH.1.to_owned()),
                destination_disk_id: dst.to_owned(),
                name: "pair".to_owned(),
                charge_type: "POSTPAY".to_owned(),
                rpo: 900,
                ..NewPair::default()
            }
        }

        /// A new pair (fresh disks) on the fixture route, settled past `creating`.
        pub fn pair(&mut self) -> String {
            let (src, dst) = (self.disk(HZ.1, 40), self.disk(SH.1, 40));
            let spec = self.new_pair(&src, &dst);
            let id = self.scope().create_replica_pair(&spec).unwrap();
            self.advance(60_000);
            id
        }
    }
}
