//! Attaching and detaching disks: the operations that need both an instance and a disk.

use super::disk::{Attachment, DiskOp};
use super::instance::{incorrect, Condition, InstanceStatus};
use super::world::Scope;
use super::{Denial, Error, Result};

/// The most disks one instance can have attached (its system disk included).
pub const MAX_DISKS_PER_INSTANCE: usize = 17;

impl Scope<'_> {
    /// Attach: an Available data disk joins an instance in its zone.
    ///
    /// # Errors
    /// NotFound (instance or disk), disk in use, wrong zone, instance status, disk limit, a
    /// disk that replication protects.
    pub fn attach_disk(
        &mut self,
        instance_id: &str,
        disk_id: &str,
        delete_with_instance: Option<bool>,
    ) -> Result<()> {
        let inst = self.instance_mut(instance_id)?;
        let (zone, status, locked) = (
            inst.zone_id.clone(),
            inst.status(),
            inst.has(Condition::SecurityLock),
        );
        let disk = self.disk_mut(disk_id)?;
        if disk.attachment.is_some() {
            return Err(Error::Denied(Denial::DiskInUse));
        }
        if disk.zone_id != zone {
            return Err(Error::Denied(Denial::NotInSameZone));
        }
        if locked {
            return Err(Error::Denied(Denial::SecurityLock));
        }
        if !matches!(status, InstanceStatus::Running | InstanceStatus::Stopped) {
            return Err(incorrect(instance_id, status));
        }
        self.replication_attach_guard(disk_id)?;
        let path = self.disk_path(disk_id, DiskOp::Attach)?;
        let used = self.disks_of(instance_id).count();
        if used >= MAX_DISKS_PER_INSTANCE {
            return Err(Error::Denied(Denial::InstanceDiskLimit));
        }
        let device = self.naming.device(used);
        let (now, dwell) = (self.now, self.durations.disk_attaching);
        let disk = self.disk_mut(disk_id)?;
        disk.attachment = Some(Attachment {
            instance_id: instance_id.to_owned(),
            device,
            attached_at: now,
        });
        if let Some(dwi) = delete_with_instance {
            disk.delete_with_instance = dwi;
        }
        disk.life.begin(now, path[0], &[(dwell, path[1])]);
        Ok(())
    }

    /// Detach: an attached data disk leaves its instance (Detaching → Available).
    ///
    /// # Errors
    /// NotFound, not attached there, system disk, status.
    pub fn detach_disk(&mut self, instance_id: &str, disk_id: &str) -> Result<()> {
        let status = self.instance_mut(instance_id)?.status();
        let disk = self.disk_mut(disk_id)?;
        let Some(att) = &disk.attachment else {
            return Err(Error::Denied(Denial::DiskAlreadyDetached));
        };
        if att.instance_id != instance_id {
            return Err(Error::Denied(Denial::NotAttachedHere));
        }
        if disk.is_system() && status != InstanceStatus::Stopped {
            return Err(Error::Denied(Denial::SystemDisk));
        }
        if !matches!(status, InstanceStatus::Running | InstanceStatus::Stopped) {
            return Err(incorrect(instance_id, status));
        }
        let path = self.disk_path(disk_id, DiskOp::Detach)?;
        let (now, dwell) = (self.now, self.durations.disk_detaching);
        let disk = self.disk_mut(disk_id)?;
        disk.life.begin(now, path[0], &[(dwell, path[1])]);
        disk.settle(now);
        Ok(())
    }
}
