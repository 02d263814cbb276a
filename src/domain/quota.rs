//! Per-account resource quotas: how many instances, disks, replica pairs and replica groups an
//! account may hold at once. Creates past a quota are refused; seeded resources count, but a
//! seed itself is never refused for them.

use serde::{Deserialize, Serialize};

use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// How many resources of each kind one account may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotas {
    /// Instances.
    pub instances: usize,
    /// Disks, system disks included.
    pub disks: usize,
    /// Disk replica pairs.
    pub replica_pairs: usize,
    /// Disk replica groups.
    pub replica_groups: usize,
}

impl Default for Quotas {
    /// Generous for any test suite, finite so that a runaway client cannot exhaust memory.
    fn default() -> Self {
        Self {
            instances: 20_000,
            disks: 100_000,
            replica_pairs: 20_000,
            replica_groups: 5_000,
        }
    }
}

impl Quotas {
    /// The quota of `kind`; kinds without one are unlimited.
    pub fn of(&self, kind: Kind) -> usize {
        match kind {
            Kind::Instance => self.instances,
            Kind::Disk => self.disks,
            Kind::ReplicaPair => self.replica_pairs,
            Kind::ReplicaGroup => self.replica_groups,
            _ => usize::MAX,
        }
    }
}

impl Scope<'_> {
    /// How many resources of `kind` the account holds.
    fn held(&self, kind: Kind) -> usize {
        match kind {
            Kind::Instance => self.account.instances.len(),
            Kind::Disk => self.account.disks.len(),
            Kind::ReplicaPair => self.account.replication.pairs.len(),
            Kind::ReplicaGroup => self.account.replication.groups.len(),
            _ => 0,
        }
    }

    /// Refuses a create that would take the account past its quota of `kind` with `more` new
    /// resources.
    ///
    /// # Errors
    /// `Denied(Quota(kind))`.
    pub fn ensure_room(&self, kind: Kind, more: usize) -> Result<()> {
        let quota = self.account.quotas.unwrap_or(self.quotas).of(kind);
        if self.held(kind).saturating_add(more) > quota {
            return Err(Error::Denied(Denial::Quota(kind)));
        }
        Ok(())
    }
}
