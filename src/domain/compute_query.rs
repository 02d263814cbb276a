//! Describe for instances and disks: the filters, and the page in creation order.
//!
//! A Describe reads the region's index, not the account: without filters it counts the region
//! and walks only the page; an id filter looks the ids up; other filters test each of the
//! region's resources on its stored fields and its status *at* the call's time, without
//! settling. Only the returned page is settled.

use super::billing::ChargeType;
use super::disk::{Disk, DiskStatus};
use super::instance::{Condition, Instance, InstanceStatus};
use std::collections::BTreeMap;

use super::clock::Millis;
use super::compute_index::ByRegion;
use super::query::{has_tags, wildcard, Page, PageRequest};
use super::world::{Account, Scope};
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
    /// True when no filter but the region (and ids, which pick the candidates) applies.
    fn region_only(&self) -> bool {
        self.zone_id.is_none()
            && self.status.is_none()
            && self.name.is_none()
            && self.instance_type.is_none()
            && self.family.is_none()
            && self.image_id.is_none()
            && self.vpc_id.is_none()
            && self.vswitch_id.is_none()
            && self.security_group_id.is_none()
            && self.charge_type.is_none()
            && self.lock.is_none()
            && self.private_ips.is_none()
            && self.tags.is_empty()
    }

    fn keeps(&self, i: &Instance, now: Millis) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        i.region_id == self.region_id
            && self.ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && eq(&self.zone_id, &i.zone_id)
            && self.status.is_none_or(|s| s == i.life.status_at(now))
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
    /// True when no filter but the region (and ids) applies.
    fn region_only(&self) -> bool {
        self.zone_id.is_none()
            && self.instance_id.is_none()
            && self.kind.is_none()
            && self.category.is_none()
            && self.status.is_none()
            && self.name.is_none()
            && self.portable.is_none()
            && self.delete_with_instance.is_none()
            && self.encrypted.is_none()
            && self.tags.is_empty()
    }

    fn keeps(&self, d: &Disk, now: Millis) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let attached_to = d
            .attachment_at(now)
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
            && self.status.is_none_or(|s| s == d.status_at(now))
            && eq(&self.name, &d.name)
            && self.portable.is_none_or(|p| p != d.is_system())
            && self
                .delete_with_instance
                .is_none_or(|w| w == d.delete_with_instance)
            && self.encrypted.is_none_or(|e| e == d.encrypted)
            && has_tags(&d.tags, &self.tags)
    }
}

/// A disk listing in creation order with a marker (the REST style), or one disk by id.
#[derive(Debug, Clone, Default)]
pub struct DiskListing {
    /// Region (required).
    pub region_id: String,
    /// One disk: NotFound when it is not in the region.
    pub id: Option<String>,
    /// Exact name.
    pub name: Option<String>,
    /// Status.
    pub status: Option<DiskStatus>,
    /// Newest first (else oldest first).
    pub newest_first: bool,
    /// Start after this disk (NotFound when it is not in the region).
    pub marker: Option<String>,
    /// Skip this many after the marker.
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
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

/// A record filed by region in creation order.
trait Placed {
    fn region(&self) -> &str;
    fn seq(&self) -> u64;
}

impl Placed for Instance {
    fn region(&self) -> &str {
        &self.region_id
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl Placed for Disk {
    fn region(&self) -> &str {
        &self.region_id
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// The listed ids that exist in `region`, in creation order.
fn listed<'a, T: Placed>(
    records: &BTreeMap<String, T>,
    region: &str,
    ids: &'a [String],
) -> Vec<&'a str> {
    let mut found: Vec<(u64, &str)> = ids
        .iter()
        .filter_map(|id| {
            let r = records.get(id)?;
            (r.region() == region).then_some((r.seq(), id.as_str()))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    found.into_iter().map(|(_, id)| id).collect()
}

/// The page a Describe returns and how many match: the candidates are the listed ids, or the
/// whole region from its index; `keep` tests each (no test: every candidate matches).
fn select_ids<'a, T: Placed>(
    index: &'a ByRegion,
    records: &BTreeMap<String, T>,
    region: &str,
    ids: Option<&'a [String]>,
    page: &PageRequest,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> (Vec<&'a str>, usize) {
    match ids {
        Some(ids) => {
            let found = listed(records, region, ids);
            let known = found.len();
            pick(found.into_iter(), known, page, keep)
        }
        None => pick(index.ids(region), index.count(region), page, keep),
    }
}

/// The page of `candidates` that `keep` accepts (all of them with no test), and how many match.
fn pick<'a>(
    candidates: impl Iterator<Item = &'a str>,
    known: usize,
    page: &PageRequest,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> (Vec<&'a str>, usize) {
    let (offset, size) = (page.offset(), page.size());
    match keep {
        None => (candidates.skip(offset).take(size).collect(), known),
        Some(keep) => {
            let mut total = 0;
            let mut ids = Vec::new();
            for id in candidates.filter(|id| keep(id)) {
                if total >= offset && ids.len() < size {
                    ids.push(id);
                }
                total += 1;
            }
            (ids, total)
        }
    }
}

impl Scope<'_> {
    /// Instances matching `q`, one page in creation order; only the page is settled.
    ///
    /// # Errors
    /// NotFound(Region); `DryRun` when the request is valid.
    pub fn describe_instances(&mut self, q: &InstanceQuery) -> Result<Page<&Instance>> {
        self.catalog.region(&q.region_id)?;
        if q.dry_run {
            return Err(Error::DryRun);
        }
        let now = self.now;
        let Account {
            index, instances, ..
        } = &mut *self.account;
        let records = &*instances;
        let keep = |id: &str| records.get(id).is_some_and(|i| q.keeps(i, now));
        let test: Option<&dyn Fn(&str) -> bool> = (!q.region_only()).then_some(&keep);
        let (ids, total) = select_ids(
            &index.instances,
            records,
            &q.region_id,
            q.ids.as_deref(),
            &q.page,
            test,
        );
        Ok(settled(instances, &ids, total, now, Instance::settle))
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
        let now = self.now;
        let Account {
            index, instances, ..
        } = &mut *self.account;
        let records = &*instances;
        let keep = |id: &str| {
            records
                .get(id)
                .is_some_and(|i| q.zone_id.as_ref().is_none_or(|z| *z == i.zone_id))
        };
        let test: Option<&dyn Fn(&str) -> bool> = q.zone_id.is_some().then_some(&keep);
        let listed = (!q.ids.is_empty()).then_some(q.ids.as_slice());
        let (ids, total) = select_ids(
            &index.instances,
            records,
            &q.region_id,
            listed,
            &q.page,
            test,
        );
        Ok(settled(instances, &ids, total, now, Instance::settle))
    }

    /// A disk listing: the region's disks in creation order (reversed when asked), filtered,
    /// after the marker; and for each disk whether a pair holds it.
    ///
    /// # Errors
    /// NotFound(Region); NotFound(Disk) for an unknown `id` or marker.
    pub fn list_disks(&mut self, q: &DiskListing) -> Result<(Page<&Disk>, Vec<bool>)> {
        self.catalog.region(&q.region_id)?;
        let now = self.now;
        let in_region = |acc: &super::world::Account, id: &str| {
            acc.disks
                .get(id)
                .is_some_and(|d| d.region_id == q.region_id)
        };
        if let Some(id) = &q.id {
            if !in_region(self.account, id) {
                return Err(Error::not_found(Kind::Disk, id));
            }
        }
        if let Some(m) = &q.marker {
            if !in_region(self.account, m) {
                return Err(Error::not_found(Kind::Disk, m));
            }
        }
        let mut ids: Vec<String> = match &q.id {
            Some(id) => vec![id.clone()],
            None => self
                .account
                .index
                .disks
                .ids(&q.region_id)
                .map(str::to_owned)
                .collect(),
        };
        if q.newest_first {
            ids.reverse();
        }
        for id in &ids {
            if let Some(d) = self.account.disks.get_mut(id) {
                d.settle(now);
            }
        }
        let start = q
            .marker
            .as_ref()
            .and_then(|m| ids.iter().position(|i| i == m))
            .map_or(0, |at| at + 1);
        let disks = &self.account.disks;
        let matching: Vec<&Disk> = ids[start..]
            .iter()
            .filter_map(|id| disks.get(id))
            .filter(|d| q.name.as_ref().is_none_or(|n| *n == d.name))
            .filter(|d| q.status.is_none_or(|s| s == d.status()))
            .collect();
        let total = matching.len();
        let items: Vec<&Disk> = matching.into_iter().skip(q.offset).take(q.limit).collect();
        let pairs = &self.account.replication.pair_of_disk;
        let paired = items.iter().map(|d| pairs.contains_key(&d.id)).collect();
        let page = Page {
            items,
            next_token: String::new(),
            total,
        };
        Ok((page, paired))
    }

    /// Disks matching `q`, one page in creation order; only the page is settled.
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
        let now = self.now;
        let Account { index, disks, .. } = &mut *self.account;
        let records = &*disks;
        let keep = |id: &str| records.get(id).is_some_and(|d| q.keeps(d, now));
        let test: Option<&dyn Fn(&str) -> bool> = (!q.region_only()).then_some(&keep);
        let (ids, total) = select_ids(
            &index.disks,
            records,
            &q.region_id,
            q.ids.as_deref(),
            &q.page,
            test,
        );
        Ok(settled(disks, &ids, total, now, Disk::settle))
    }
}

/// The page of `ids`, each settled to `now` (only these: a Describe settles what it returns).
fn settled<'s, T>(
    records: &'s mut BTreeMap<String, T>,
    ids: &[&str],
    total: usize,
    now: Millis,
    settle: fn(&mut T, Millis),
) -> Page<&'s T> {
    for id in ids {
        if let Some(r) = records.get_mut(*id) {
            settle(r, now);
        }
    }
    let records = &*records;
    Page {
        items: ids.iter().filter_map(|id| records.get(*id)).collect(),
        next_token: String::new(),
        total,
    }
}
