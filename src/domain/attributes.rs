//! Changing what a caller may set on instances and disks after creation (names, descriptions,
//! host names, user data, release flags) and reading single instances back.

use serde::{Deserialize, Serialize};

use super::instance::{incorrect, Condition, Instance, InstanceStatus};
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// The most bytes of user data an instance carries (before Base64 encoding).
pub const MAX_USER_DATA: usize = 32 * 1024;

/// An instance attribute change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceChanges {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New host name.
    pub host_name: Option<String>,
    /// New user data (the Base64 text as sent; only a Stopped instance takes it).
    pub user_data: Option<String>,
}

/// A disk attribute change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiskChanges {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Released together with its instance.
    pub delete_with_instance: Option<bool>,
    /// Its automatic snapshots are released with it.
    pub delete_auto_snapshot: Option<bool>,
}

impl Scope<'_> {
    /// The instance, settled to now, for reading.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn instance(&mut self, id: &str) -> Result<&Instance> {
        self.instance_mut(id).map(|i| &*i)
    }

    /// The instance in `region`, settled to now; one in another region is not found.
    ///
    /// # Errors
    /// `NotFound` (region or instance).
    pub fn instance_in(&mut self, region: &str, id: &str) -> Result<&Instance> {
        self.catalog.region(region)?;
        let inst = self.instance_mut(id)?;
        if inst.region_id != region {
            return Err(Error::not_found(Kind::Instance, id));
        }
        Ok(inst)
    }

    /// Changes an instance's name, description, host name or user data. New user data is taken
    /// only while the instance is Stopped (it is read at the next start).
    ///
    /// # Errors
    /// `NotFound`; a security lock; `IncorrectStatus` for user data on an instance not Stopped.
    pub fn modify_instance_attribute(&mut self, id: &str, changes: &InstanceChanges) -> Result<()> {
        let inst = self.instance_mut(id)?;
        if inst.has(Condition::SecurityLock) {
            return Err(Error::Denied(Denial::SecurityLock));
        }
        if changes.user_data.is_some() && inst.status() != InstanceStatus::Stopped {
            return Err(incorrect(id, inst.status()));
        }
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                field.clone_from(v);
            }
        };
        set(&mut inst.name, &changes.name);
        set(&mut inst.description, &changes.description);
        set(&mut inst.host_name, &changes.host_name);
        set(&mut inst.user_data, &changes.user_data);
        Ok(())
    }

    /// Changes the attributes of one or more disks, all or none: every disk must exist first.
    ///
    /// # Errors
    /// `NotFound` for the first unknown disk.
    pub fn modify_disk_attribute(&mut self, ids: &[String], changes: &DiskChanges) -> Result<()> {
        for id in ids {
            self.disk_mut(id)?;
        }
        for id in ids {
            let d = self.disk_mut(id)?;
            if let Some(n) = &changes.name {
                d.name.clone_from(n);
            }
            if let Some(s) = &changes.description {
                d.description.clone_from(s);
            }
            if let Some(b) = changes.delete_with_instance {
                d.delete_with_instance = b;
            }
            if let Some(b) = changes.delete_auto_snapshot {
                d.delete_auto_snapshot = b;
            }
        }
        Ok(())
    }
}
