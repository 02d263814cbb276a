//! Compute instances: their status machine, the conditions that block them, and their operations.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use super::billing::ChargeType;
use super::clock::{Lifecycle, Millis};
use super::disk::{Disk, DiskStatus, NewDisk};
use super::error::Status;
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

pub use super::status::InstanceStatus;

/// Operations that move an instance through its status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceOp {
    /// Start.
    Start,
    /// Stop.
    Stop,
    /// Reboot.
    Reboot,
    /// Delete (only when stopped).
    Delete,
    /// Delete whatever the status.
    ForceDelete,
}

use InstanceStatus as S;

/// The instance state machine: (operation, statuses it is allowed from, statuses it passes
/// through). An empty path means the instance is removed.
pub const MACHINE: &[(InstanceOp, &[InstanceStatus], &[InstanceStatus])] = &[
    (InstanceOp::Start, &[S::Stopped], &[S::Starting, S::Running]),
    (InstanceOp::Stop, &[S::Running], &[S::Stopping, S::Stopped]),
    (
        InstanceOp::Reboot,
        &[S::Running],
        &[S::Stopping, S::Starting, S::Running],
    ),
    (InstanceOp::Delete, &[S::Stopped], &[]),
    (
        InstanceOp::ForceDelete,
        &[S::Stopped, S::Running, S::Pending, S::Starting, S::Stopping],
        &[],
    ),
];

/// The path `op` takes from `from`, or `None` when the machine forbids it.
pub fn path(op: InstanceOp, from: InstanceStatus) -> Option<&'static [InstanceStatus]> {
    MACHINE
        .iter()
        .find(|(o, allowed, _)| *o == op && allowed.contains(&from))
        .map(|(_, _, p)| *p)
}

/// A condition set by a seed, making operations fail as the real cloud would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Locked for security reasons.
    SecurityLock,
    /// The instance (pay-as-you-go or subscription) has expired.
    Expired,
    /// The account cannot pay for it.
    InsufficientBalance,
    /// Not ready for use.
    NotReady,
    /// Its system disk is in a bad state.
    DiskError,
    /// A disk of it is in arrears.
    DiskInArrears,
    /// Its zone has no stock left.
    NoStock,
    /// A spot instance whose price limit is too low.
    SpotPriceTooLow,
    /// Its encrypted disk's key is not accessible to the compute service.
    KmsUnauthorized,
}

/// How a stop treats billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopMode {
    /// Billing goes on while stopped.
    #[default]
    KeepCharging,
    /// Billing of compute stops while stopped.
    StopCharging,
}

/// A compute instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Id.
    pub id: String,
    /// Creation order within the account.
    pub seq: u64,
    /// Region.
    pub region_id: String,
    /// Zone.
    pub zone_id: String,
    /// Name.
    pub name: String,
    /// Host name.
    pub host_name: String,
    /// Description.
    pub description: String,
    /// Instance type id.
    pub instance_type: String,
    /// Image id.
    pub image_id: String,
    /// Status and scheduled transitions.
    pub life: Lifecycle<InstanceStatus>,
    /// Creation time.
    pub created_at: Millis,
    /// Last time it reached Running.
    pub started_at: Option<Millis>,
    /// Billing method.
    pub charge_type: ChargeType,
    /// How the last stop treated billing, once stopped.
    pub stopped_mode: Option<StopMode>,
    /// VPC and vSwitch.
    pub vpc_id: String,
    /// vSwitch.
    pub vswitch_id: String,
    /// Private IPv4 address.
    pub private_ip: String,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// Tags in the order given.
    pub tags: Vec<(String, String)>,
    /// Seeded failure conditions.
    pub conditions: BTreeSet<Condition>,
    /// User data, as the Base64 text the caller sent (empty when none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user_data: String,
}

impl Instance {
    /// The current status (after settling).
    pub fn status(&self) -> InstanceStatus {
        self.life.status()
    }

    /// Applies due transitions.
    pub fn settle(&mut self, now: Millis) {
        for s in self.life.settle(now) {
            if s == S::Running {
                self.started_at = Some(self.life.since());
            }
        }
    }

    /// True when a seed set condition `c`.
    pub fn has(&self, c: Condition) -> bool {
        self.conditions.contains(&c)
    }
}

/// What a create asks for (one instance; creating several is a loop around it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewInstance {
    /// Region.
    pub region_id: String,
    /// Zone; when empty, the region's first zone (or the vSwitch's zone).
    pub zone_id: Option<String>,
    /// Image.
    pub image_id: String,
    /// Instance type.
    pub instance_type: String,
    /// Name.
    pub name: Option<String>,
    /// Host name.
    pub host_name: Option<String>,
    /// Description.
    pub description: String,
    /// Billing method.
    pub charge_type: Option<ChargeType>,
    /// vSwitch; when it names a zone (see [`super::ids::Naming::vswitch_zone`]), it must be
    /// the chosen zone.
    pub vswitch_id: Option<String>,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// System disk category and size.
    pub system_disk: (Option<String>, Option<u32>),
    /// Data disks.
    pub data_disks: Vec<NewDisk>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Seeded conditions.
    pub conditions: BTreeSet<Condition>,
    /// Initial status: `None` runs the normal Pending → Starting → Running path.
    pub status: Option<InstanceStatus>,
    /// A fixed id (seeds); otherwise generated.
    pub id: Option<String>,
    /// User data (Base64 text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// Created Stopped (Pending → Stopped) rather than started (the older single create).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stay_stopped: bool,
}

impl Scope<'_> {
    /// The instance, settled to now, or NotFound.
    ///
    /// # Errors
    /// `NotFound` when the caller's account has no such instance.
    pub fn instance_mut(&mut self, id: &str) -> Result<&mut Instance> {
        let now = self.now;
        let inst = self
            .account
            .instances
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::Instance, id))?;
        inst.settle(now);
        Ok(inst)
    }

    /// The path `op` takes for this instance now, or `IncorrectStatus`.
    fn allowed(&mut self, id: &str, op: InstanceOp) -> Result<&'static [InstanceStatus]> {
        let from = self.instance_mut(id)?.status();
        path(op, from).ok_or_else(|| incorrect(id, from))
    }

    fn transition(&mut self, id: &str, op: InstanceOp) -> Result<()> {
        let path = self.allowed(id, op)?;
        let (now, d) = (self.now, *self.durations);
        let dwell = |s: InstanceStatus| match s {
            S::Pending => d.instance_pending,
            S::Starting => d.instance_starting,
            S::Stopping => d.instance_stopping,
            S::Running | S::Stopped => 0,
        };
        let inst = self.instance_mut(id)?;
        if let Some((&first, rest)) = path.split_first() {
            let mut steps = Vec::with_capacity(rest.len());
            let mut prev = first;
            for &s in rest {
                steps.push((dwell(prev), s));
                prev = s;
            }
            inst.life.begin(now, first, &steps);
            inst.settle(now);
        }
        Ok(())
    }

    /// The checks a start makes, in the order the real service reports them.
    fn start_blockers(&mut self, id: &str) -> Result<()> {
        let balance = self.account.insufficient_balance;
        let inst = self.instance_mut(id)?;
        let blocked_by = [
            (Condition::SecurityLock, Denial::SecurityLock),
            (Condition::InsufficientBalance, Denial::InsufficientBalance),
        ];
        for (c, d) in blocked_by {
            if inst.has(c) {
                return Err(Error::Denied(d));
            }
        }
        if balance {
            return Err(Error::Denied(Denial::InsufficientBalance));
        }
        if inst.has(Condition::Expired) {
            return Err(Error::Denied(match inst.charge_type {
                ChargeType::PayAsYouGo => Denial::ExpiredPostPaid,
                ChargeType::Subscription => Denial::ExpiredPrePaid,
            }));
        }
        if inst.status() != S::Stopped {
            return Err(incorrect(id, inst.status()));
        }
        let later = [
            (Condition::NotReady, Denial::NotReady),
            (Condition::DiskError, Denial::DiskError),
            (Condition::DiskInArrears, Denial::DiskInArrears),
            (Condition::NoStock, Denial::NoStock),
            (Condition::SpotPriceTooLow, Denial::SpotPriceTooLow),
            (Condition::KmsUnauthorized, Denial::KmsUnauthorized),
        ];
        match later.into_iter().find(|(c, _)| inst.has(*c)) {
            Some((_, d)) => Err(Error::Denied(d)),
            None => Ok(()),
        }
    }

    /// Start: Stopped → Starting → Running. With `dry_run`, only checks.
    ///
    /// # Errors
    /// NotFound, a seeded condition, IncorrectStatus; `DryRun` when every check passed.
    pub fn start_instance(&mut self, id: &str, dry_run: bool) -> Result<()> {
        self.start_blockers(id)?;
        if dry_run {
            return Err(Error::DryRun);
        }
        self.transition(id, InstanceOp::Start)
    }

    /// Checks shared by stop, reboot and delete: failure conditions and expiry.
    fn common_blockers(&mut self, id: &str) -> Result<()> {
        let inst = self.instance_mut(id)?;
        if inst.has(Condition::SecurityLock) {
            return Err(Error::Denied(Denial::SecurityLock));
        }
        if inst.has(Condition::Expired) {
            return Err(Error::Denied(Denial::ExpiredOrInArrears));
        }
        Ok(())
    }

    /// Stop: Running → Stopping → Stopped.
    ///
    /// # Errors
    /// NotFound, a seeded condition, IncorrectStatus; `DryRun` when every check passed.
    pub fn stop_instance(&mut self, id: &str, mode: Option<StopMode>, dry_run: bool) -> Result<()> {
        self.common_blockers(id)?;
        if dry_run {
            self.allowed(id, InstanceOp::Stop)?;
            return Err(Error::DryRun);
        }
        self.transition(id, InstanceOp::Stop)?;
        let inst = self.instance_mut(id)?;
        inst.stopped_mode = Some(mode.unwrap_or_default());
        Ok(())
    }

    /// Reboot: Running → Stopping → Starting → Running.
    ///
    /// # Errors
    /// NotFound, a seeded condition, IncorrectStatus; `DryRun` when every check passed.
    pub fn reboot_instance(&mut self, id: &str, dry_run: bool) -> Result<()> {
        self.common_blockers(id)?;
        if dry_run {
            self.allowed(id, InstanceOp::Reboot)?;
            return Err(Error::DryRun);
        }
        self.transition(id, InstanceOp::Reboot)
    }

    /// Delete: a Stopped instance (any status with `force`) is removed; the disks marked
    /// delete-with-instance (the system disk unless changed) go with it, the others become
    /// Available data disks.
    ///
    /// # Errors
    /// NotFound, a seeded condition, IncorrectStatus; `DryRun` when every check passed.
    pub fn delete_instance(&mut self, id: &str, force: bool, dry_run: bool) -> Result<()> {
        self.common_blockers(id)?;
        let op = if force {
            InstanceOp::ForceDelete
        } else {
            InstanceOp::Delete
        };
        self.allowed(id, op)?;
        if dry_run {
            return Err(Error::DryRun);
        }
        if let Some(i) = self.account.instances.remove(id) {
            self.account.index.instances.remove(&i.region_id, i.seq);
        }
        let now = self.now;
        let attached: Vec<String> = self.disks_of(id).map(|d| d.id.clone()).collect();
        for disk_id in attached {
            let gone = self
                .account
                .disks
                .get(&disk_id)
                .is_some_and(|d| d.delete_with_instance);
            if gone {
                self.remove_disk(&disk_id);
            } else if let Some(d) = self.account.disks.get_mut(&disk_id) {
                d.system_for = None;
                d.attachment = None;
                d.detached_at = Some(now);
                d.life = Lifecycle::new(DiskStatus::Available, now);
            }
        }
        Ok(())
    }

    /// Creates one instance; returns its id. Validation of region, zone, image, type and disk
    /// categories happens here so a dry run can share it (see [`Scope::check_new_instance`]).
    ///
    /// # Errors
    /// Unknown region, zone, image, type, vSwitch zone or disk category.
    pub fn run_instance(&mut self, spec: &NewInstance) -> Result<String> {
        let zone_id = self.check_new_instance(spec)?;
        let (region, zone) = self.catalog.zone(&zone_id)?;
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.naming.id(Kind::Instance, region, &mut *self.ids),
        };
        let (mut vpc_id, default_vswitch) = self.naming.network(&id, region, zone);
        let recorded = spec
            .vswitch_id
            .as_deref()
            .and_then(|v| self.vswitch_in(&spec.region_id, v).ok())
            .map(|v| (v.vpc_id.clone(), v.cidr));
        let host_name = spec
            .host_name
            .clone()
            .unwrap_or_else(|| self.naming.host_name(&id));
        let now = self.now;
        let seq = self.next_seq();
        let n = seq % 250 + 2;
        let private_ip = match recorded {
            Some((vpc, cidr)) => {
                vpc_id = vpc;
                cidr.host(seq).to_string()
            }
            None => format!("172.16.{}.{}", n / 250, n % 250),
        };
        let mut life = Lifecycle::new(S::Pending, now);
        match spec.status {
            Some(s) => life = Lifecycle::new(s, now),
            None if spec.stay_stopped => {
                life.begin(
                    now,
                    S::Pending,
                    &[(self.durations.instance_pending, S::Stopped)],
                );
            }
            None => life.begin(
                now,
                S::Pending,
                &[
                    (self.durations.instance_pending, S::Starting),
                    (self.durations.instance_starting, S::Running),
                ],
            ),
        }
        let mut inst = Instance {
            id: id.clone(),
            seq,
            region_id: spec.region_id.clone(),
            zone_id: zone_id.clone(),
            name: spec.name.clone().unwrap_or_else(|| id.clone()),
            host_name,
            description: spec.description.clone(),
            instance_type: spec.instance_type.clone(),
            image_id: spec.image_id.clone(),
            life,
            created_at: now,
            started_at: None,
            charge_type: spec.charge_type.unwrap_or_default(),
            stopped_mode: None,
            vpc_id,
            vswitch_id: spec.vswitch_id.clone().unwrap_or(default_vswitch),
            private_ip,
            security_group_ids: spec.security_group_ids.clone(),
            tags: spec.tags.clone(),
            conditions: spec.conditions.clone(),
            user_data: spec.user_data.clone().unwrap_or_default(),
        };
        inst.settle(now);
        if inst.status() == S::Running {
            inst.started_at.get_or_insert(now);
        }
        let system = NewDisk {
            zone_id: zone_id.clone(),
            category: spec.system_disk.0.clone(),
            size: Some(
                spec.system_disk
                    .1
                    .unwrap_or(self.catalog.defaults.system_disk_size),
            ),
            system_for: Some(id.clone()),
            delete_with_instance: true,
            ..NewDisk::default()
        };
        self.account
            .index
            .instances
            .insert(&inst.region_id, seq, &id);
        self.account.instances.insert(id.clone(), inst);
        self.insert_attached_disk(&system, &id, 0)?;
        for (i, dd) in spec.data_disks.iter().enumerate() {
            let spec = NewDisk {
                zone_id: zone_id.clone(),
                ..dd.clone()
            };
            self.insert_attached_disk(&spec, &id, i + 1)?;
        }
        Ok(id)
    }

    /// Validates a create request; returns the zone the instance will be placed in.
    ///
    /// # Errors
    /// Unknown region, zone, image, type, disk category; a vSwitch in another zone.
    pub fn check_new_instance(&self, spec: &NewInstance) -> Result<String> {
        let region = self.catalog.region(&spec.region_id)?;
        // Once the account has network records in the region, the vSwitch and groups named
        // must be among them, and the vSwitch's record places the instance.
        let recorded = self.network_of_new_instance(
            &spec.region_id,
            spec.vswitch_id.as_deref(),
            &spec.security_group_ids,
        )?;
        let vsw_zone = |vsw: &str| match recorded {
            Some(r) => Some(r.zone_id.clone()),
            None => self.naming.vswitch_zone(vsw, region).map(|z| z.id.clone()),
        };
        let zone_id = match (&spec.zone_id, &spec.vswitch_id) {
            (Some(z), _) => z.clone(),
            (None, Some(vsw)) => {
                vsw_zone(vsw).ok_or_else(|| Error::not_found(Kind::VSwitch, vsw))?
            }
            (None, None) => region
                .zones
                .first()
                .map(|z| z.id.clone())
                .unwrap_or_default(),
        };
        let (zone_region, _) = self.catalog.zone(&zone_id)?;
        if zone_region.id != region.id {
            return Err(Error::not_found(Kind::Zone, &zone_id));
        }
        if let Some(vsw) = &spec.vswitch_id {
            if vsw_zone(vsw).is_some_and(|z| z != zone_id) {
                return Err(Error::not_found(Kind::VSwitch, vsw));
            }
        }
        self.catalog.image(&spec.image_id)?;
        self.catalog.instance_type(&spec.instance_type)?;
        if let Some(c) = &spec.system_disk.0 {
            if !self.catalog.has_disk_category(c) {
                return Err(Error::Denied(Denial::SystemDiskCategoryNotSupported));
            }
        }
        for d in &spec.data_disks {
            d.check_category(self.catalog)?;
        }
        Ok(zone_id)
    }

    /// Creates a disk already attached to `instance_id` as its `index`-th device.
    fn insert_attached_disk(
        &mut self,
        spec: &NewDisk,
        instance_id: &str,
        index: usize,
    ) -> Result<()> {
        let id = self.create_disk_record(spec, DiskStatus::InUse)?;
        let (now, device) = (self.now, self.naming.device(index));
        if let Some(d) = self.account.disks.get_mut(&id) {
            d.attach_record(instance_id, &device, now);
        }
        Ok(())
    }

    /// Disks attached to an instance (for deletion and the disk limit).
    pub fn disks_of<'s>(&'s self, instance_id: &'s str) -> impl Iterator<Item = &'s Disk> + 's {
        self.account.disks.values().filter(move |d| {
            d.attachment
                .as_ref()
                .is_some_and(|a| a.instance_id == instance_id)
        })
    }
}

/// The refusal of an operation the instance's status does not allow.
pub(super) fn incorrect(id: &str, status: InstanceStatus) -> Error {
    Error::status(Kind::Instance, id, Status::Instance(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented machine, cell by cell: every (operation, status) → path, or refused.
    #[test]
    fn machine_table() {
        use InstanceOp as O;
        let start: &[S] = &[S::Starting, S::Running];
        let stop: &[S] = &[S::Stopping, S::Stopped];
        let reboot: &[S] = &[S::Stopping, S::Starting, S::Running];
        let gone: &[S] = &[];
        #[rustfmt::skip]
        let expect: [(O, [Option<&[S]>; 5]); 5] = [
            //              Pending     Starting    Running       Stopping    Stopped
            (O::Start,       [None,       None,       None,         None,       Some(start)]),
            (O::Stop,        [None,       None,       Some(stop),   None,       None]),
            (O::Reboot,      [None,       None,       Some(reboot), None,       None]),
            (O::Delete,      [None,       None,       None,         None,       Some(gone)]),
            (O::ForceDelete, [Some(gone), Some(gone), Some(gone),   Some(gone), Some(gone)]),
        ];
        let mut cells = 0;
        for (op, row) in expect {
            for (from, want) in S::ALL.into_iter().zip(row) {
                assert_eq!(path(op, from), want, "{op:?} from {from:?}");
                cells += 1;
            }
        }
        assert_eq!(cells, 25);
    }
}
