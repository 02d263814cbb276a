//! Describe for instances and disks: the filters, and the page in creation order.

use super::billing::ChargeType;
use super::disk::{Disk, DiskStatus};
use super::instance::{Condition, Instance, InstanceStatus};
use super::query::{has_tags, slice, wildcard, Page, PageRequest};
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// Which lock an instance filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockFilter {
    /// Locked for security reasons.
    Security,
    /// A reason the cloud never sets: matches nothing.
    Other,
}

/// The filters of an instance Describe, all optional and AND-ed.
#[derive(Debug, Clone, Default)]
pub struct InstanceQuery {
    /// Region (required).
    pub region_id: String,
    /// Only these ids (an empty list matches nothing).
    pub ids: Option<Vec<String>>,
    /// Zone.
    pub zone_id: Option<String>,
    /// Status.
    pub status: Option<InstanceStatus>,
    /// Name, `*` matching any run of characters.
    pub name: Option<String>,
    /// Instance type.
    pub instance_type: Option<String>,
    /// Instance type family.
    pub family: Option<String>,
    /// Image.
    pub image_id: Option<String>,
    /// VPC.
    pub vpc_id: Option<String>,
    /// vSwitch.
    pub vswitch_id: Option<String>,
    /// A security group the instance is in.
    pub security_group_id: Option<String>,
    /// Billing method.
    pub charge_type: Option<ChargeType>,
    /// Lock.
    pub lock: Option<LockFilter>,
    /// Private addresses.
    pub private_ips: Option<Vec<String>>,
    /// Tags that must all be present (an empty value matches any value).
    pub tags: Vec<(String, String)>,
    /// Which page.
    pub page: PageRequest,
    /// Only check the request.
    pub dry_run: bool,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::Offset {
            offset: 0,
            size: 10,
        }
    }
}

impl InstanceQuery {
    fn keeps(&self, i: &Instance) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        i.region_id == self.region_id
            && self.ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && eq(&self.zone_id, &i.zone_id)
            && self.status.is_none_or(|s| s == i.status())
            && self.name.as_deref().is_none_or(|n| wildcard(n, &i.name))
            && eq(&self.instance_type, &i.instance_type)
            && self
                .family
                .as_deref()
                .is_none_or(|f| i.instance_type.starts_with(&format!("{f}.")))
            && eq(&self.image_id, &i.image_id)
            && eq(&self.vpc_id, &i.vpc_id)
            && eq(&self.vswitch_id, &i.vswitch_id)
            && self
                .security_group_id
                .as_ref()
                .is_none_or(|g| i.security_group_ids.contains(g))
            && self.charge_type.is_none_or(|c| c == i.charge_type)
            && self
                .lock
                .is_none_or(|l| l == LockFilter::Security && i.has(Condition::SecurityLock))
            && self
                .private_ips
                .as_ref()
                .is_none_or(|ips| ips.contains(&i.private_ip))
            && has_tags(&i.tags, &self.tags)
    }
}

/// Disks of which kind a disk Describe lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskKind {
    /// System disks.
    System,
    /// Data disks.
    Data,
}

/// The filters of a disk Describe, all optional and AND-ed.
#[derive(Debug, Clone, Default)]
pub struct DiskQuery {
    /// Region (required).
    pub region_id: String,
    /// Zone (must be in the region).
    pub zone_id: Option<String>,
    /// Only these ids.
    pub ids: Option<Vec<String>>,
    /// Attached to this instance.
    pub instance_id: Option<String>,
    /// System or data disks; both when `None`.
    pub kind: Option<DiskKind>,
    /// A catalog category; every category when `None`.
    pub category: Option<String>,
    /// Status.
    pub status: Option<DiskStatus>,
    /// Exact name.
    pub name: Option<String>,
    /// Portable (data) disks.
    pub portable: Option<bool>,
    /// Released with their instance.
    pub delete_with_instance: Option<bool>,
    /// Encrypted.
    pub encrypted: Option<bool>,
    /// Tags that must all be present.
    pub tags: Vec<(String, String)>,
    /// Which page.
    pub page: PageRequest,
    /// Only check the request.
    pub dry_run: bool,
}

impl DiskQuery {
    fn keeps(&self, d: &Disk) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let attached_to = d
            .attachment
            .as_ref()
            .map(|a| a.instance_id.as_str())
            .unwrap_or_default();
        let kind = if d.is_system() {
            DiskKind::System
        } else {
            DiskKind::Data
        };
        d.region_id == self.region_id
            && eq(&self.zone_id, &d.zone_id)
            && self.ids.as_ref().is_none_or(|ids| ids.contains(&d.id))
            && eq(&self.instance_id, attached_to)
            && self.kind.is_none_or(|k| k == kind)
            && eq(&self.category, &d.category)
            && self.status.is_none_or(|s| s == d.status())
            && eq(&self.name, &d.name)
            && self.portable.is_none_or(|p| p != d.is_system())
            && self
                .delete_with_instance
                .is_none_or(|w| w == d.delete_with_instance)
            && self.encrypted.is_none_or(|e| e == d.encrypted)
            && has_tags(&d.tags, &self.tags)
    }
}

/// The filters of an instance-status Describe.
#[derive(Debug, Clone, Default)]
pub struct StatusQuery {
    /// Region (required).
    pub region_id: String,
    /// Zone.
    pub zone_id: Option<String>,
    /// Only these ids (none: every instance).
    pub ids: Vec<String>,
    /// Which page.
    pub page: PageRequest,
}

impl Scope<'_> {
    /// Instances matching `q`, one page in creation order.
    ///
    /// # Errors
    /// NotFound(Region); `DryRun` when the request is valid.
    pub fn describe_instances(&mut self, q: &InstanceQuery) -> Result<Page<&Instance>> {
        self.catalog.region(&q.region_id)?;
        if q.dry_run {
            return Err(Error::DryRun);
        }
        let matched: Vec<&Instance> = self
            .instances()
            .into_iter()
            .filter(|i| q.keeps(i))
            .collect();
        Ok(slice(matched, &q.page))
    }

    /// Instance statuses matching `q`, one page in creation order.
    ///
    /// # Errors
    /// NotFound(Region or Zone).
    pub fn describe_instance_status(&mut self, q: &StatusQuery) -> Result<Page<&Instance>> {
        self.catalog.region(&q.region_id)?;
        if let Some(z) = &q.zone_id {
            self.catalog.zone(z)?;
        }
        let matched: Vec<&Instance> = self
            .instances()
            .into_iter()
            .filter(|i| i.region_id == q.region_id)
            .filter(|i| q.zone_id.as_ref().is_none_or(|z| *z == i.zone_id))
            .filter(|i| q.ids.is_empty() || q.ids.contains(&i.id))
            .collect();
        Ok(slice(matched, &q.page))
    }

    /// Disks matching `q`, one page in creation order.
    ///
    /// # Errors
    /// NotFound(Region or Zone), an unknown category; `DryRun` when the request is valid.
    pub fn describe_disks(&mut self, q: &DiskQuery) -> Result<Page<&Disk>> {
        self.catalog.region(&q.region_id)?;
        if let Some(z) = &q.zone_id {
            if self.catalog.zone(z)?.0.id != q.region_id {
                return Err(Error::not_found(Kind::Zone, z));
            }
        }
        if let Some(c) = &q.category {
            if !self.catalog.has_disk_category(c) {
                return Err(Error::Denied(Denial::DiskCategoryNotSupported));
            }
        }
        if q.dry_run {
            return Err(Error::DryRun);
        }
        let matched: Vec<&Disk> = self.disks().into_iter().filter(|d| q.keeps(d)).collect();
        Ok(slice(matched, &q.page))
    }
}
