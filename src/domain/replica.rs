//! Disk replication's place in an account: the store of pairs and groups with its derived
//! indexes, the lazy removal of deleted ones, and the hooks disks call.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::clock::Millis;
use super::error::Status;
use super::replica_group::ReplicaGroup;
use super::replica_index::RegionIndex;
use super::replica_pair::{ReplicaPair, StatusCause};
use super::replica_sync::ReplicaStatus;
use super::world::Scope;
use super::{Error, Kind, Result};

/// One account's replica pairs and groups. Only the records are state; the indexes are derived
/// from them ([`Replication::rebuild_indexes`]) and never serialized.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Replication {
    /// Pairs by id.
    pub pairs: BTreeMap<String, ReplicaPair>,
    /// Groups by id.
    pub groups: BTreeMap<String, ReplicaGroup>,
    /// Counter giving every pair and group its creation order.
    pub next_seq: u64,
    /// Pair ids by region and site.
    #[serde(skip)]
    pub pair_index: RegionIndex,
    /// Group ids by region and site.
    #[serde(skip)]
    pub group_index: RegionIndex,
    /// The pair each paired disk belongs to (both its disks).
    #[serde(skip)]
    pub pair_of_disk: BTreeMap<String, String>,
    /// Deletions in progress: (when `deleted` is reached, id). Removed on the next call after that.
    #[serde(skip)]
    pub deletions: BTreeSet<(Millis, String)>,
}

/// The derived part of [`Replication`], for comparing an incrementally kept index with a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexes {
    /// Pair ids by region and site.
    pub pair_index: RegionIndex,
    /// Group ids by region and site.
    pub group_index: RegionIndex,
    /// The pair of each paired disk.
    pub pair_of_disk: BTreeMap<String, String>,
    /// Deletions in progress.
    pub deletions: BTreeSet<(Millis, String)>,
}

impl Replication {
    /// Recomputes every index from the pairs and groups.
    pub fn rebuild_indexes(&mut self) {
        let mut ix = Indexes {
            pair_index: RegionIndex::default(),
            group_index: RegionIndex::default(),
            pair_of_disk: BTreeMap::new(),
            deletions: BTreeSet::new(),
        };
        for (id, p) in &self.pairs {
            ix.pair_index
                .insert(id, &p.source.region_id, &p.destination.region_id);
            if p.holds_disks() {
                for disk in [&p.source.disk_id, &p.destination.disk_id] {
                    ix.pair_of_disk.insert(disk.clone(), id.clone());
                }
            }
            if let Some(at) = p.track.deleted_at() {
                ix.deletions.insert((at, id.clone()));
            }
        }
        for (id, g) in &self.groups {
            ix.group_index
                .insert(id, &g.source.region_id, &g.destination.region_id);
            if let Some(at) = g.track.deleted_at() {
                ix.deletions.insert((at, id.clone()));
            }
        }
        self.pair_index = ix.pair_index;
        self.group_index = ix.group_index;
        self.pair_of_disk = ix.pair_of_disk;
        self.deletions = ix.deletions;
    }

    /// Checks that every pair and group sits under its own id, that a pair's disks exist and
    /// belong to no other pair, and that a group's members exist and point back at it.
    ///
    /// # Errors
    /// The first problem, naming the record and field.
    pub fn check(
        &self,
        account: &str,
        disks: &BTreeMap<String, super::disk::Disk>,
    ) -> Result<(), String> {
        let mut paired = BTreeSet::new();
        for (id, p) in &self.pairs {
            let at =
                |field: &str| format!("accounts[{account:?}].replication.pairs[{id:?}].{field}");
            if *id != p.id {
                return Err(format!("{}: {:?} differs from its key", at("id"), p.id));
            }
            for disk in [&p.source.disk_id, &p.destination.disk_id] {
                let removed = p.status_message.is_some();
                if !disks.contains_key(disk) && !removed {
                    return Err(format!("{}: no disk {disk:?}", at("disks")));
                }
                if !paired.insert(disk.clone()) {
                    return Err(format!("{}: disk {disk:?} is in another pair", at("disks")));
                }
            }
            if let Some(g) = &p.group_id {
                if self.groups.get(g).is_none_or(|g| !g.pair_ids.contains(id)) {
                    return Err(format!(
                        "{}: group {g:?} does not list the pair",
                        at("group_id")
                    ));
                }
            }
        }
        for (id, g) in &self.groups {
            let at =
                |field: &str| format!("accounts[{account:?}].replication.groups[{id:?}].{field}");
            if *id != g.id {
                return Err(format!("{}: {:?} differs from its key", at("id"), g.id));
            }
            for m in &g.pair_ids {
                if self
                    .pairs
                    .get(m)
                    .is_none_or(|p| p.group_id.as_ref() != Some(id))
                {
                    return Err(format!("{}: pair {m:?} is not a member", at("pair_ids")));
                }
            }
        }
        Ok(())
    }

    /// The indexes as kept now, with empty sets dropped.
    pub fn indexes(&self) -> Indexes {
        Indexes {
            pair_index: self.pair_index.clone().compact(),
            group_index: self.group_index.clone().compact(),
            pair_of_disk: self.pair_of_disk.clone(),
            deletions: self.deletions.clone(),
        }
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
    /// NotFound(Region): the wire answers with its region error.
    pub(crate) fn replica_region(&self, region: &str) -> Result<()> {
        self.catalog.region(region).map(|_| ())
    }

    /// Called after a disk disappeared: a pair using it becomes `invalid` (device removed).
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
            pair.status_message = Some(StatusCause::DeviceRemoved);
        }
    }

    /// Called after a disk grew on its own: a pair using it becomes `invalid` (size changed).
    pub(crate) fn on_disk_resized(&mut self, disk_id: &str) {
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
            pair.status_message = Some(StatusCause::DeviceSizeChanged);
            pair.touched_at = Some(now);
        }
    }

    /// Refuses attaching a disk that is the secondary of a pair still protecting it (anything but
    /// `failovered`, `invalid`, `create_failed`).
    ///
    /// The refusal is `IncorrectStatus` on the disk: the code a compute dialect documents for a
    /// disk that cannot be attached in its current state.
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
        let status = self.disk_mut(disk_id)?.status();
        Err(Error::status(Kind::Disk, disk_id, Status::Disk(status)))
    }
}
