//! Block-storage disks: their status machine, attachments, and create and delete (attaching is
//! in `attachment`, which knows instances too).

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use super::clock::{Lifecycle, Millis};
use super::error::Status;
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

pub use super::status::DiskStatus;

/// Operations that move a disk through its status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskOp {
    /// Attach to an instance.
    Attach,
    /// Detach from its instance.
    Detach,
    /// Delete.
    Delete,
}

/// The disk state machine: (operation, allowed from, path). An empty path removes the disk.
pub const MACHINE: &[(DiskOp, &[DiskStatus], &[DiskStatus])] = &[
    (
        DiskOp::Attach,
        &[DiskStatus::Available],
        &[DiskStatus::Attaching, DiskStatus::InUse],
    ),
    (
        DiskOp::Detach,
        &[DiskStatus::InUse],
        &[DiskStatus::Detaching, DiskStatus::Available],
    ),
    (DiskOp::Delete, &[DiskStatus::Available], &[]),
];

/// The path `op` takes from `from`, or `None`.
pub fn path(op: DiskOp, from: DiskStatus) -> Option<&'static [DiskStatus]> {
    MACHINE
        .iter()
        .find(|(o, allowed, _)| *o == op && allowed.contains(&from))
        .map(|(_, _, p)| *p)
}

/// Where a disk is attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The instance.
    pub instance_id: String,
    /// Device name, e.g. `/dev/xvdb`.
    pub device: String,
    /// When the attach began.
    pub attached_at: Millis,
}

/// A cloud disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disk {
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
    /// Description.
    pub description: String,
    /// A catalog disk category.
    pub category: String,
    /// A performance level of the category, for categories that have them.
    pub performance_level: Option<String>,
    /// GiB.
    pub size: u32,
    /// Status and scheduled transitions.
    pub life: Lifecycle<DiskStatus>,
    /// Set for a system disk: the instance it was created for.
    pub system_for: Option<String>,
    /// Current attachment (kept while Detaching).
    pub attachment: Option<Attachment>,
    /// Released together with its instance.
    pub delete_with_instance: bool,
    /// Its automatic snapshots are released with it.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub delete_auto_snapshot: bool,
    /// Encrypted.
    pub encrypted: bool,
    /// Creation time.
    pub created_at: Millis,
    /// Last detach time.
    pub detached_at: Option<Millis>,
    /// Tags in the order given.
    pub tags: Vec<(String, String)>,
    /// The last change made by a call (attach, detach, growth).
    #[serde(default)]
    pub touched_at: Option<Millis>,
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_true(b: &bool) -> bool {
    *b
}

impl Disk {
    /// The last change, or `None` while nothing changed since the creation.
    pub fn updated_at(&self) -> Option<Millis> {
        super::replica_pair::changed_after(self.created_at, self.touched_at, self.life.since())
    }

    /// The current status (after settling).
    pub fn status(&self) -> DiskStatus {
        self.life.status()
    }

    /// The status at `now`, without settling.
    pub fn status_at(&self, now: Millis) -> DiskStatus {
        self.life.status_at(now)
    }

    /// The attachment at `now`, without settling (a finished detach has dropped it).
    pub fn attachment_at(&self, now: Millis) -> Option<&Attachment> {
        match self.status_at(now) {
            DiskStatus::Available => None,
            _ => self.attachment.as_ref(),
        }
    }

    /// True for a system disk.
    pub fn is_system(&self) -> bool {
        self.system_for.is_some()
    }

    /// Applies due transitions; a finished detach drops the attachment.
    pub fn settle(&mut self, now: Millis) {
        for s in self.life.settle(now) {
            if s == DiskStatus::Available && self.attachment.take().is_some() {
                self.detached_at = Some(self.life.since());
            }
        }
    }

    /// Records an attachment that is complete at `now`.
    pub fn attach_record(&mut self, instance_id: &str, device: &str, now: Millis) {
        self.attachment = Some(Attachment {
            instance_id: instance_id.to_owned(),
            device: device.to_owned(),
            attached_at: now,
        });
        self.life = Lifecycle::new(DiskStatus::InUse, now);
    }
}

/// What a disk create (or an instance's data disk, or a seed) asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDisk {
    /// Zone (its region follows).
    pub zone_id: String,
    /// Category; the catalog's default when `None`.
    pub category: Option<String>,
    /// Size in GiB (required unless a snapshot is given).
    pub size: Option<u32>,
    /// Snapshot to create from (snapshots are not emulated: any id is NotFound).
    pub snapshot_id: Option<String>,
    /// Performance level, for categories that have them.
    pub performance_level: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: String,
    /// Encrypted.
    pub encrypted: bool,
    /// Released with its instance.
    pub delete_with_instance: bool,
    /// For a system disk: its instance.
    pub system_for: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// A fixed id (seeds); otherwise generated.
    pub id: Option<String>,
}

impl NewDisk {
    /// Rejects a category the catalog does not offer.
    ///
    /// # Errors
    /// `DiskCategoryNotSupported`.
    pub fn check_category(&self, catalog: &Catalog) -> Result<()> {
        match &self.category {
            Some(c) if !catalog.has_disk_category(c) => {
                Err(Error::Denied(Denial::DiskCategoryNotSupported))
            }
            _ => Ok(()),
        }
    }

    /// Size and performance-level rules of a create, from the catalog.
    fn check_size(&self, catalog: &Catalog, category: &str) -> Result<u32> {
        if let Some(s) = &self.snapshot_id {
            return Err(Error::Denied(if s.is_empty() {
                Denial::SizeOrSnapshotMissing
            } else {
                Denial::SnapshotNotFound
            }));
        }
        let size = self
            .size
            .ok_or(Error::Denied(Denial::SizeOrSnapshotMissing))?;
        let category = catalog
            .disk_category(category)
            .ok_or(Error::Denied(Denial::DiskCategoryNotSupported))?;
        let (min, max) = category.sizes(self.performance_level.as_deref())?;
        if size < min || size > max {
            return Err(Error::Denied(Denial::SizeNotSupported));
        }
        Ok(size)
    }
}

impl Scope<'_> {
    /// The disk, settled to now, or NotFound.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn disk_mut(&mut self, id: &str) -> Result<&mut Disk> {
        let now = self.now;
        let d = self
            .account
            .disks
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::Disk, id))?;
        d.settle(now);
        Ok(d)
    }

    /// Stores a new disk in `status` (Creating runs its delay, then Available); returns its id.
    pub(crate) fn create_disk_record(
        &mut self,
        spec: &NewDisk,
        status: DiskStatus,
    ) -> Result<String> {
        spec.check_category(self.catalog)?;
        let category = spec
            .category
            .clone()
            .unwrap_or_else(|| self.catalog.defaults.disk_category.clone());
        let size = if spec.system_for.is_some() {
            spec.size.unwrap_or(self.catalog.defaults.system_disk_size)
        } else {
            spec.check_size(self.catalog, &category)?
        };
        let (region, _) = self.catalog.zone(&spec.zone_id)?;
        let id = match &spec.id {
            Some(id) => id.clone(),
            None => self.naming.id(Kind::Disk, region, &mut *self.ids),
        };
        let region_id = region.id.clone();
        let (now, creating) = (self.now, self.durations.disk_creating);
        let mut life = Lifecycle::new(status, now);
        if status == DiskStatus::Creating {
            life.begin(
                now,
                DiskStatus::Creating,
                &[(creating, DiskStatus::Available)],
            );
        }
        let seq = self.next_seq();
        let performance_level = spec.performance_level.clone().or_else(|| {
            self.catalog
                .disk_category(&category)
                .and_then(|c| c.default_level.clone())
        });
        let disk = Disk {
            id: id.clone(),
            seq,
            region_id,
            zone_id: spec.zone_id.clone(),
            name: spec.name.clone().unwrap_or_default(),
            description: spec.description.clone(),
            category,
            performance_level,
            size,
            life,
            system_for: spec.system_for.clone(),
            attachment: None,
            delete_with_instance: spec.delete_with_instance,
            delete_auto_snapshot: true,
            encrypted: spec.encrypted,
            created_at: now,
            detached_at: None,
            tags: spec.tags.clone(),
            touched_at: None,
        };
        self.account.index.disks.insert(&disk.region_id, seq, &id);
        self.account.disks.insert(id.clone(), disk);
        Ok(id)
    }

    /// Create: a new data disk, Creating → Available.
    ///
    /// # Errors
    /// Unknown zone, category, size or snapshot.
    pub fn create_disk(&mut self, spec: &NewDisk) -> Result<String> {
        self.create_disk_record(spec, DiskStatus::Creating)
    }

    /// The path `op` takes for this disk now, or `IncorrectStatus`.
    pub(super) fn disk_path(&mut self, id: &str, op: DiskOp) -> Result<&'static [DiskStatus]> {
        let from = self.disk_mut(id)?.status();
        path(op, from).ok_or_else(|| incorrect(id, from))
    }

    /// Delete: an Available disk is released.
    ///
    /// # Errors
    /// NotFound, still attached, status.
    pub fn delete_disk(&mut self, id: &str) -> Result<()> {
        let disk = self.disk_mut(id)?;
        if disk.attachment.is_some() && disk.status() == DiskStatus::InUse {
            return Err(Error::Denied(Denial::DiskStillAttached));
        }
        self.disk_path(id, DiskOp::Delete)?;
        self.remove_disk(id);
        Ok(())
    }

    /// Checks that the disk may grow to `size` GiB now.
    ///
    /// # Errors
    /// NotFound; IncorrectStatus unless Available or In_use; SizeNotSupported for a size not
    /// larger than today's or over the category's limit.
    pub(crate) fn check_growth(&mut self, id: &str, size: u32) -> Result<()> {
        let catalog = self.catalog;
        let disk = self.disk_mut(id)?;
        if !matches!(disk.status(), DiskStatus::Available | DiskStatus::InUse) {
            return Err(incorrect(id, disk.status()));
        }
        let max = catalog
            .disk_category(&disk.category)
            .map_or(u32::MAX, |c| c.max_size);
        if size <= disk.size || size > max {
            return Err(Error::Denied(Denial::SizeNotSupported));
        }
        Ok(())
    }

    /// Sets a checked disk's size (the caller keeps its pair whole, or breaks it).
    pub(crate) fn grow_disk(&mut self, id: &str, size: u32) {
        let now = self.now;
        if let Ok(d) = self.disk_mut(id) {
            d.size = size;
            d.touched_at = Some(now);
        }
    }

    /// Extend: one disk grows; a pair it belongs to becomes `invalid` (its sizes differ now).
    ///
    /// # Errors
    /// As [`Scope::check_growth`].
    pub fn extend_disk(&mut self, id: &str, size: u32) -> Result<()> {
        self.check_growth(id, size)?;
        self.grow_disk(id, size);
        self.on_disk_resized(id);
        Ok(())
    }

    /// Removes a disk record; every place a disk disappears goes through here so that
    /// resources depending on it (replica pairs) can react.
    pub(crate) fn remove_disk(&mut self, id: &str) {
        if let Some(d) = self.account.disks.remove(id) {
            self.account.index.disks.remove(&d.region_id, d.seq);
        }
        self.on_disk_removed(id);
    }
}

/// The refusal of an operation the disk's status does not allow.
pub(super) fn incorrect(id: &str, status: DiskStatus) -> Error {
    Error::status(Kind::Disk, id, Status::Disk(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_table() {
        use DiskStatus as D;
        for from in D::ALL {
            assert_eq!(
                path(DiskOp::Attach, from).is_some(),
                from == D::Available,
                "attach from {from:?}"
            );
            assert_eq!(
                path(DiskOp::Detach, from).is_some(),
                from == D::InUse,
                "detach from {from:?}"
            );
            assert_eq!(
                path(DiskOp::Delete, from).is_some(),
                from == D::Available,
                "delete from {from:?}"
            );
        }
        assert_eq!(
            path(DiskOp::Attach, D::Available),
            Some(&[D::Attaching, D::InUse][..])
        );
    }

    /// Attach, Detach and Delete through `Scope`, from every disk status, with a running
    /// instance in the disk's zone: what each answers and the status it leaves.
    #[test]
    fn operations_from_every_status() {
        use crate::domain::clock::Timing;
        use crate::domain::fixture::{Lab, HZ};
        use DiskStatus as D;

        #[derive(Debug, PartialEq)]
        enum Want {
            Ok(Option<D>),
            Status,
            Denied(Denial),
        }
        /// A disk in `status`, and the instance it is (or was being) attached to.
        fn disk_in(lab: &mut Lab, status: D) -> (String, String) {
            let inst = lab.instance(HZ.0, HZ.1);
            let id = match status {
                D::Creating => lab
                    .scope()
                    .create_disk(&NewDisk {
                        zone_id: HZ.1.into(),
                        category: Some("cloud_essd".into()),
                        size: Some(40),
                        ..NewDisk::default()
                    })
                    .unwrap(),
                _ => lab.disk(HZ.1, 40),
            };
            if matches!(status, D::Attaching | D::InUse | D::Detaching) {
                lab.scope().attach_disk(&inst, &id, None).unwrap();
            }
            if matches!(status, D::InUse | D::Detaching) {
                lab.advance(1_000);
            }
            if status == D::Detaching {
                lab.scope().detach_disk(&inst, &id).unwrap();
            }
            assert_eq!(lab.scope().disk_mut(&id).unwrap().status(), status);
            (id, inst)
        }
        let in_use = || Want::Denied(Denial::DiskInUse);
        let detached = || Want::Denied(Denial::DiskAlreadyDetached);
        #[rustfmt::skip]
        let expect: [(D, [Want; 3]); 5] = [
            //              Attach                       Detach                       Delete
            (D::Creating,  [Want::Status,               detached(),                  Want::Status]),
            (D::Available, [Want::Ok(Some(D::Attaching)), detached(),                Want::Ok(None)]),
            (D::Attaching, [in_use(),                   Want::Status,                Want::Status]),
            (D::InUse,     [in_use(),                   Want::Ok(Some(D::Detaching)), Want::Denied(Denial::DiskStillAttached)]),
            (D::Detaching, [in_use(),                   Want::Status,                Want::Status]),
        ];
        for (from, row) in expect {
            for (op, want) in ["attach", "detach", "delete"].into_iter().zip(row) {
                let mut lab = Lab::new(Timing::Realistic);
                let (id, inst) = disk_in(&mut lab, from);
                let mut s = lab.scope();
                let got = match op {
                    "attach" => s.attach_disk(&inst, &id, None),
                    "detach" => s.detach_disk(&inst, &id),
                    _ => s.delete_disk(&id),
                };
                let after = s.disk_mut(&id).ok().map(|d| d.status());
                let got = match got {
                    Ok(()) => Want::Ok(after),
                    Err(Error::IncorrectStatus {
                        kind: Kind::Disk, ..
                    }) => Want::Status,
                    Err(Error::Denied(d)) => Want::Denied(d),
                    Err(e) => panic!("{op} from {from:?}: {e:?}"),
                };
                assert_eq!(got, want, "{op} from {from:?}");
                if !matches!(got, Want::Ok(_)) {
                    assert_eq!(after, Some(from), "{op} from {from:?} changed the disk");
                }
            }
        }
    }
}
