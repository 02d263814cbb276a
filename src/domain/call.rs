//! Calls: every request a dialect can make of the cloud, as data, and the answers they get.
//! A call names its operation ([`Call::op`]), the resources it acts on and its region, so the
//! one path every call takes (logging, faults) needs no dialect to read it.

use super::catalog::Catalog;
use super::clock::Millis;
use super::compute_query::{DiskQuery, InstanceQuery, StatusQuery};
use super::disk::{Disk, DiskStatus, NewDisk};
use super::instance::{Instance, NewInstance, StopMode};
use super::op::Op;
use super::query::Page;
use super::replica_group::{GroupChanges, NewGroup};
use super::replica_pair::{NewPair, PairChanges};
use super::replica_query::{GroupQuery, GroupRow, PairQuery, PairRow};
use super::world::{ClientToken, Scope};
use super::{Error, Kind, Result};

/// A pair or group named by a call, the region the call is made in, and its ClientToken.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The call region.
    pub region: String,
    /// The pair or group.
    pub id: String,
    /// ClientToken.
    pub token: Option<ClientToken>,
}

/// One request to the cloud.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Call {
    CreateInstances {
        spec: NewInstance,
        amount: usize,
        token: Option<ClientToken>,
        dry_run: bool,
    },
    StartInstance {
        id: String,
        dry_run: bool,
    },
    StopInstance {
        id: String,
        mode: Option<StopMode>,
        dry_run: bool,
    },
    RebootInstance {
        id: String,
        dry_run: bool,
    },
    DeleteInstance {
        id: String,
        force: bool,
        dry_run: bool,
    },
    DescribeInstances(InstanceQuery),
    DescribeInstanceStatus(StatusQuery),
    /// A disk in a zone, or (with `instance_id`) in the instance's zone and attached to it.
    CreateDisk {
        region_id: String,
        instance_id: Option<String>,
        spec: NewDisk,
        token: Option<ClientToken>,
    },
    AttachDisk {
        instance_id: String,
        disk_id: String,
        delete_with_instance: Option<bool>,
    },
    DetachDisk {
        instance_id: String,
        disk_id: String,
    },
    DeleteDisk {
        id: String,
    },
    DescribeDisks(DiskQuery),
    /// A read of the catalog itself; the dialect picks what it shows.
    ReadCatalog(Op),
    CreatePair {
        spec: NewPair,
        token: Option<ClientToken>,
    },
    StartPair {
        target: Target,
        one_shot: bool,
    },
    StopPair(Target),
    ModifyPair {
        target: Target,
        changes: PairChanges,
    },
    DeletePair(Target),
    FailoverPair(Target),
    ReprotectPair {
        target: Target,
        reverse: bool,
    },
    DescribePairs(PairQuery),
    DescribePairProgress {
        region: String,
        id: String,
    },
    CreateGroup {
        spec: NewGroup,
        token: Option<ClientToken>,
    },
    ModifyGroup {
        target: Target,
        changes: GroupChanges,
    },
    DeleteGroup(Target),
    AddPairToGroup {
        target: Target,
        pair_id: String,
    },
    RemovePairFromGroup {
        target: Target,
        pair_id: String,
    },
    StartGroup {
        target: Target,
        one_shot: bool,
    },
    StopGroup(Target),
    FailoverGroup(Target),
    ReprotectGroup {
        target: Target,
        reverse: bool,
    },
    DescribeGroups(GroupQuery),
}

/// What a call answers. Describe pages borrow from the world: they are encoded before the
/// world is unlocked, so nothing large is copied.
#[derive(Debug)]
#[allow(missing_docs)]
pub enum Answer<'s> {
    /// Done; nothing to tell.
    Done,
    /// The ids of what was created.
    Created(Vec<String>),
    Instances {
        page: Page<&'s Instance>,
        catalog: &'s Catalog,
    },
    InstanceStatuses(Page<&'s Instance>),
    Disks(Page<&'s Disk>),
    Catalog(&'s Catalog),
    Pairs(Page<PairRow>),
    Groups(Page<GroupRow>),
    Progress {
        percent: u8,
        recover_point: Option<Millis>,
    },
}

impl Call {
    /// The operation.
    pub fn op(&self) -> Op {
        match self {
            Self::CreateInstances { .. } => Op::CreateInstances,
            Self::StartInstance { .. } => Op::StartInstance,
            Self::StopInstance { .. } => Op::StopInstance,
            Self::RebootInstance { .. } => Op::RebootInstance,
            Self::DeleteInstance { .. } => Op::DeleteInstance,
            Self::DescribeInstances(_) => Op::DescribeInstances,
            Self::DescribeInstanceStatus(_) => Op::DescribeInstanceStatus,
            Self::CreateDisk { .. } => Op::CreateDisk,
            Self::AttachDisk { .. } => Op::AttachDisk,
            Self::DetachDisk { .. } => Op::DetachDisk,
            Self::DeleteDisk { .. } => Op::DeleteDisk,
            Self::DescribeDisks(_) => Op::DescribeDisks,
            Self::ReadCatalog(op) => *op,
            Self::CreatePair { .. } => Op::CreatePair,
            Self::StartPair { .. } => Op::StartPair,
            Self::StopPair(_) => Op::StopPair,
            Self::ModifyPair { .. } => Op::ModifyPair,
            Self::DeletePair(_) => Op::DeletePair,
            Self::FailoverPair(_) => Op::FailoverPair,
            Self::ReprotectPair { .. } => Op::ReprotectPair,
            Self::DescribePairs(_) => Op::DescribePairs,
            Self::DescribePairProgress { .. } => Op::DescribePairProgress,
            Self::CreateGroup { .. } => Op::CreateGroup,
            Self::ModifyGroup { .. } => Op::ModifyGroup,
            Self::DeleteGroup(_) => Op::DeleteGroup,
            Self::AddPairToGroup { .. } => Op::AddPairToGroup,
            Self::RemovePairFromGroup { .. } => Op::RemovePairFromGroup,
            Self::StartGroup { .. } => Op::StartGroup,
            Self::StopGroup(_) => Op::StopGroup,
            Self::FailoverGroup(_) => Op::FailoverGroup,
            Self::ReprotectGroup { .. } => Op::ReprotectGroup,
            Self::DescribeGroups(_) => Op::DescribeGroups,
        }
    }

    /// The resources the call acts on (not those a Describe merely filters by).
    pub fn targets(&self) -> Vec<(Kind, &str)> {
        use Kind::{Disk, Instance, ReplicaGroup, ReplicaPair};
        match self {
            Self::StartInstance { id, .. }
            | Self::StopInstance { id, .. }
            | Self::RebootInstance { id, .. }
            | Self::DeleteInstance { id, .. } => vec![(Instance, id)],
            Self::CreateDisk {
                instance_id: Some(i),
                ..
            } => vec![(Instance, i)],
            Self::AttachDisk {
                instance_id,
                disk_id,
                ..
            }
            | Self::DetachDisk {
                instance_id,
                disk_id,
            } => vec![(Instance, instance_id), (Disk, disk_id)],
            Self::DeleteDisk { id } => vec![(Disk, id)],
            Self::CreatePair { spec, .. } => vec![
                (Disk, spec.disk_id.as_str()),
                (Disk, spec.destination_disk_id.as_str()),
            ],
            Self::StartPair { target, .. }
            | Self::ModifyPair { target, .. }
            | Self::ReprotectPair { target, .. }
            | Self::StopPair(target)
            | Self::DeletePair(target)
            | Self::FailoverPair(target) => vec![(ReplicaPair, &target.id)],
            Self::DescribePairProgress { id, .. } => vec![(ReplicaPair, id)],
            Self::AddPairToGroup { target, pair_id }
            | Self::RemovePairFromGroup { target, pair_id } => {
                vec![(ReplicaGroup, &target.id), (ReplicaPair, pair_id)]
            }
            Self::ModifyGroup { target, .. }
            | Self::StartGroup { target, .. }
            | Self::ReprotectGroup { target, .. }
            | Self::DeleteGroup(target)
            | Self::StopGroup(target)
            | Self::FailoverGroup(target) => vec![(ReplicaGroup, &target.id)],
            _ => Vec::new(),
        }
    }

    /// The region the call is made in, when it names one.
    pub fn region(&self) -> Option<&str> {
        match self {
            Self::CreateInstances { spec, .. } => Some(&spec.region_id),
            Self::DescribeInstances(q) => Some(&q.region_id),
            Self::DescribeInstanceStatus(q) => Some(&q.region_id),
            Self::CreateDisk { region_id, .. } => Some(region_id),
            Self::DescribeDisks(q) => Some(&q.region_id),
            Self::CreatePair { spec, .. } => Some(&spec.region_id),
            Self::CreateGroup { spec, .. } => Some(&spec.region_id),
            Self::DescribePairs(q) => Some(&q.region_id),
            Self::DescribeGroups(q) => Some(&q.region_id),
            Self::DescribePairProgress { region, .. } => Some(region),
            Self::StartPair { target, .. }
            | Self::ModifyPair { target, .. }
            | Self::ReprotectPair { target, .. }
            | Self::StopPair(target)
            | Self::DeletePair(target)
            | Self::FailoverPair(target)
            | Self::AddPairToGroup { target, .. }
            | Self::RemovePairFromGroup { target, .. }
            | Self::ModifyGroup { target, .. }
            | Self::StartGroup { target, .. }
            | Self::ReprotectGroup { target, .. }
            | Self::DeleteGroup(target)
            | Self::StopGroup(target)
            | Self::FailoverGroup(target) => Some(&target.region),
            _ => None,
        }
    }
}

/// The single id a create answered.
fn one(ids: Vec<String>) -> Result<Answer<'static>> {
    match ids.len() {
        1 => Ok(Answer::Created(ids)),
        n => Err(Error::Internal(format!("a create recorded {n} ids"))),
    }
}

impl<'a> Scope<'a> {
    /// Runs one call in this scope.
    ///
    /// # Errors
    /// Whatever the operation refuses with.
    pub fn apply(&mut self, call: Call) -> Result<Answer<'_>> {
        let op = call.op();
        match call {
            Call::CreateInstances {
                spec,
                amount,
                token,
                dry_run,
            } => {
                if dry_run {
                    self.check_new_instance(&spec)?;
                    return Err(Error::DryRun);
                }
                let ids = self.idempotent(op, token.as_ref(), |s| {
                    s.check_new_instance(&spec)?;
                    (0..amount).map(|_| s.run_instance(&spec)).collect()
                })?;
                Ok(Answer::Created(ids))
            }
            Call::StartInstance { id, dry_run } => done(self.start_instance(&id, dry_run)),
            Call::StopInstance { id, mode, dry_run } => {
                done(self.stop_instance(&id, mode, dry_run))
            }
            Call::RebootInstance { id, dry_run } => done(self.reboot_instance(&id, dry_run)),
            Call::DeleteInstance { id, force, dry_run } => {
                done(self.delete_instance(&id, force, dry_run))
            }
            Call::DescribeInstances(q) => {
                let catalog = self.catalog;
                let page = self.describe_instances(&q)?;
                Ok(Answer::Instances { page, catalog })
            }
            Call::DescribeInstanceStatus(q) => self
                .describe_instance_status(&q)
                .map(Answer::InstanceStatuses),
            Call::CreateDisk {
                region_id,
                instance_id,
                spec,
                token,
            } => one(self.create_disk_call(&region_id, instance_id, spec, token)?),
            Call::AttachDisk {
                instance_id,
                disk_id,
                delete_with_instance,
            } => done(self.attach_disk(&instance_id, &disk_id, delete_with_instance)),
            Call::DetachDisk {
                instance_id,
                disk_id,
            } => done(self.detach_disk(&instance_id, &disk_id)),
            Call::DeleteDisk { id } => done(self.delete_disk(&id)),
            Call::DescribeDisks(q) => self.describe_disks(&q).map(Answer::Disks),
            Call::ReadCatalog(_) => Ok(Answer::Catalog(self.catalog)),
            Call::CreatePair { spec, token } => one(self.idempotent(op, token.as_ref(), |s| {
                s.create_replica_pair(&spec).map(|id| vec![id])
            })?),
            Call::StartPair { target, one_shot } => self.once(op, &target, |s, r, id| {
                s.start_replica_pair(r, id, one_shot)
            }),
            Call::StopPair(t) => self.once(op, &t, |s, r, id| s.stop_replica_pair(r, id)),
            Call::ModifyPair { target, changes } => self.once(op, &target, |s, r, id| {
                s.modify_replica_pair(r, id, &changes)
            }),
            Call::DeletePair(t) => self.once(op, &t, |s, r, id| s.delete_replica_pair(r, id)),
            Call::FailoverPair(t) => self.once(op, &t, |s, r, id| s.failover_replica_pair(r, id)),
            Call::ReprotectPair { target, reverse } => self.once(op, &target, |s, r, id| {
                s.reprotect_replica_pair(r, id, reverse)
            }),
            Call::DescribePairs(q) => self.describe_replica_pairs(&q).map(Answer::Pairs),
            Call::DescribePairProgress { region, id } => {
                let (percent, recover_point) = self.replica_pair_progress(&region, &id)?;
                Ok(Answer::Progress {
                    percent,
                    recover_point,
                })
            }
            Call::CreateGroup { spec, token } => one(self.idempotent(op, token.as_ref(), |s| {
                s.create_replica_group(&spec).map(|id| vec![id])
            })?),
            Call::ModifyGroup { target, changes } => self.once(op, &target, |s, r, id| {
                s.modify_replica_group(r, id, &changes)
            }),
            Call::DeleteGroup(t) => self.once(op, &t, |s, r, id| s.delete_replica_group(r, id)),
            Call::AddPairToGroup { target, pair_id } => {
                self.once(op, &target, |s, r, id| s.add_replica_pair(r, id, &pair_id))
            }
            Call::RemovePairFromGroup { target, pair_id } => self.once(op, &target, |s, r, id| {
                s.remove_replica_pair(r, id, &pair_id)
            }),
            Call::StartGroup { target, one_shot } => self.once(op, &target, |s, r, id| {
                s.start_replica_group(r, id, one_shot)
            }),
            Call::StopGroup(t) => self.once(op, &t, |s, r, id| s.stop_replica_group(r, id)),
            Call::FailoverGroup(t) => self.once(op, &t, |s, r, id| s.failover_replica_group(r, id)),
            Call::ReprotectGroup { target, reverse } => self.once(op, &target, |s, r, id| {
                s.reprotect_replica_group(r, id, reverse)
            }),
            Call::DescribeGroups(q) => self.describe_replica_groups(&q).map(Answer::Groups),
        }
    }

    /// Runs `change` on the target once per ClientToken: a retry with the same parameters
    /// answers success again without repeating the change.
    fn once(
        &mut self,
        op: Op,
        target: &Target,
        change: impl FnOnce(&mut Self, &str, &str) -> Result<()>,
    ) -> Result<Answer<'static>> {
        self.idempotent(op, target.token.as_ref(), |s| {
            change(s, &target.region, &target.id).map(|()| Vec::new())
        })?;
        Ok(Answer::Done)
    }

    /// A disk create: in `spec`'s zone, or attached to `instance_id` in its zone.
    fn create_disk_call(
        &mut self,
        region_id: &str,
        instance_id: Option<String>,
        mut spec: NewDisk,
        token: Option<ClientToken>,
    ) -> Result<Vec<String>> {
        self.catalog.region(region_id)?;
        if let Some(inst) = &instance_id {
            spec.zone_id = self.instance_mut(inst)?.zone_id.clone();
        }
        if self.catalog.zone(&spec.zone_id)?.0.id != region_id {
            return Err(Error::not_found(Kind::Zone, &spec.zone_id));
        }
        self.idempotent(Op::CreateDisk, token.as_ref(), |s| {
            let id = s.create_disk(&spec)?;
            if let Some(inst) = &instance_id {
                let now = s.now;
                s.disk_mut(&id)?.life = super::clock::Lifecycle::new(DiskStatus::Available, now);
                s.attach_disk(inst, &id, None)?;
            }
            Ok(vec![id])
        })
    }
}

fn done(r: Result<()>) -> Result<Answer<'static>> {
    r.map(|()| Answer::Done)
}
