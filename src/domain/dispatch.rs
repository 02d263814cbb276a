//! Running a call: the one dispatch from a domain `Call` to the `Scope` operation that serves
//! it, with ClientToken handling for creates and status changes.

use super::call::{Answer, Call, Target};
use super::clock::Lifecycle;
use super::disk::{DiskStatus, NewDisk};
use super::op::Op;
use super::tokens::RetryKey;
use super::world::Scope;
use super::{Error, Kind, Result};

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
        let key = call.retry_key();
        let key = key.as_ref();
        match call {
            Call::CreateInstances {
                spec,
                amount,
                dry_run,
                ..
            } => {
                let room = |s: &Self| {
                    s.ensure_room(Kind::Instance, amount)?;
                    let disks = amount.saturating_mul(1 + spec.data_disks.len());
                    s.ensure_room(Kind::Disk, disks)
                };
                if dry_run {
                    self.check_new_instance(&spec)?;
                    room(self)?;
                    return Err(Error::DryRun);
                }
                let ids = self.idempotent(op, key, |s| {
                    s.check_new_instance(&spec)?;
                    room(s)?;
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
                ..
            } => one(self.create_disk_call(&region_id, instance_id, spec, key)?),
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
            Call::ListDisks(q) => {
                let (page, paired) = self.list_disks(&q)?;
                Ok(Answer::DiskList { page, paired })
            }
            Call::ExtendDisk { id, size } => done(self.extend_disk(&id, size)),
            Call::ReadCatalog(_) => Ok(Answer::Catalog(self.catalog)),
            Call::CreatePair { spec, .. } => one(self.idempotent(op, key, |s| {
                s.ensure_room(Kind::ReplicaPair, 1)?;
                s.create_replica_pair(&spec).map(|id| vec![id])
            })?),
            Call::StartPair { target, one_shot } => self.once(op, key, &target, |s, r, id| {
                s.start_replica_pair(r, id, one_shot)
            }),
            Call::StopPair(t) => self.once(op, key, &t, |s, r, id| s.stop_replica_pair(r, id)),
            Call::ModifyPair { target, changes } => self.once(op, key, &target, |s, r, id| {
                s.modify_replica_pair(r, id, &changes)
            }),
            Call::DeletePair(t) => self.once(op, key, &t, |s, r, id| s.delete_replica_pair(r, id)),
            Call::FailoverPair(t) => {
                self.once(op, key, &t, |s, r, id| s.failover_replica_pair(r, id))
            }
            Call::ReprotectPair { target, reverse } => self.once(op, key, &target, |s, r, id| {
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
            Call::CreateGroup { spec, .. } => one(self.idempotent(op, key, |s| {
                s.ensure_room(Kind::ReplicaGroup, 1)?;
                s.create_replica_group(&spec).map(|id| vec![id])
            })?),
            Call::ModifyGroup { target, changes } => self.once(op, key, &target, |s, r, id| {
                s.modify_replica_group(r, id, &changes)
            }),
            Call::DeleteGroup(t) => {
                self.once(op, key, &t, |s, r, id| s.delete_replica_group(r, id))
            }
            Call::AddPairToGroup { target, pair_id } => self.once(op, key, &target, |s, r, id| {
                s.add_replica_pair(r, id, &pair_id)
            }),
            Call::RemovePairFromGroup { target, pair_id } => {
                self.once(op, key, &target, |s, r, id| {
                    s.remove_replica_pair(r, id, &pair_id)
                })
            }
            Call::StartGroup { target, one_shot } => self.once(op, key, &target, |s, r, id| {
                s.start_replica_group(r, id, one_shot)
            }),
            Call::StopGroup(t) => self.once(op, key, &t, |s, r, id| s.stop_replica_group(r, id)),
            Call::FailoverGroup(t) => {
                self.once(op, key, &t, |s, r, id| s.failover_replica_group(r, id))
            }
            Call::ReprotectGroup { target, reverse } => self.once(op, key, &target, |s, r, id| {
                s.reprotect_replica_group(r, id, reverse)
            }),
            Call::DescribeGroups(q) => self.describe_replica_groups(&q).map(Answer::Groups),
            Call::UpdateGroup {
                target,
                changes,
                add,
                remove,
            } => self.once(op, key, &target, |s, r, id| {
                s.update_replica_group(r, id, &changes, &add, &remove)
            }),
            Call::ReverseGroup(t) => {
                self.once(op, key, &t, |s, r, id| s.reverse_replica_group(r, id))
            }
            Call::ExtendGroup { target, sizes } => self.once(op, key, &target, |s, r, id| {
                s.extend_replica_group(r, id, &sizes)
            }),
            net @ (Call::CreateVpc { .. }
            | Call::DeleteVpc { .. }
            | Call::DescribeVpcs(_)
            | Call::DescribeVpcAttribute(_)
            | Call::DescribeVSwitchAttributes(_)
            | Call::CreateVSwitch { .. }
            | Call::DeleteVSwitch { .. }
            | Call::DescribeVSwitches(_)
            | Call::CreateSecurityGroup { .. }
            | Call::DeleteSecurityGroup { .. }
            | Call::AuthorizeSecurityGroup { .. }
            | Call::DescribeSecurityGroups(_)
            | Call::DescribeSecurityGroupAttribute { .. }) => self.apply_network(net, key),
            Call::ModifyInstanceAttribute { id, changes } => {
                done(self.modify_instance_attribute(&id, &changes))
            }
            Call::DescribeInstanceAttribute { id } => {
                let catalog = self.catalog;
                let instance = self.instance(&id)?;
                Ok(Answer::Instance { instance, catalog })
            }
            Call::DescribeUserData { region, id } => {
                let catalog = self.catalog;
                let instance = self.instance_in(&region, &id)?;
                Ok(Answer::Instance { instance, catalog })
            }
            Call::ModifyDiskAttribute { ids, changes } => {
                done(self.modify_disk_attribute(&ids, &changes))
            }
            Call::TagResources { target, tags } => done(self.tag_resources(&target, &tags)),
            Call::UntagResources { target, keys, all } => {
                done(self.untag_resources(&target, &keys, all))
            }
            Call::ListTagResources(q) => self.list_tag_resources(&q).map(Answer::TagRows),
        }
    }

    /// Runs `change` on the target once per ClientToken: a retry with the same parameters
    /// answers success again without repeating the change.
    fn once(
        &mut self,
        op: Op,
        key: Option<&RetryKey>,
        target: &Target,
        change: impl FnOnce(&mut Self, &str, &str) -> Result<()>,
    ) -> Result<Answer<'static>> {
        self.idempotent(op, key, |s| {
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
        key: Option<&RetryKey>,
    ) -> Result<Vec<String>> {
        self.catalog.region(region_id)?;
        if let Some(inst) = &instance_id {
            spec.zone_id = self.instance_mut(inst)?.zone_id.clone();
        }
        if self.catalog.zone(&spec.zone_id)?.0.id != region_id {
            return Err(Error::not_found(Kind::Zone, &spec.zone_id));
        }
        self.idempotent(Op::CreateDisk, key, |s| {
            s.ensure_room(Kind::Disk, 1)?;
            let id = s.create_disk(&spec)?;
            if let Some(inst) = &instance_id {
                let now = s.now;
                s.disk_mut(&id)?.life = Lifecycle::new(DiskStatus::Available, now);
                s.attach_disk(inst, &id, None)?;
            }
            Ok(vec![id])
        })
    }
}

fn done(r: Result<()>) -> Result<Answer<'static>> {
    r.map(|()| Answer::Done)
}
