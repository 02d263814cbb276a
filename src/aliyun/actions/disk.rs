//! ECS disk actions: CreateDisk, DescribeDisks, AttachDisk, DetachDisk, DeleteDisk.

use serde::Serialize;

use super::{ecs, ecs_seconds, has_tags, Action, EcsTime, Empty, Paging, RpcAction, TagSet};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::params::Params;
use crate::domain::disk::{Disk, DiskStatus, NewDisk};
use crate::domain::{self, Denial, Error, Kind, Scope};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<CreateDisk>("CreateDisk"),
    ecs::<DescribeDisks>("DescribeDisks"),
    ecs::<AttachDisk>("AttachDisk"),
    ecs::<DetachDisk>("DetachDisk"),
    ecs::<DeleteDisk>("DeleteDisk"),
];

/// Names: 2-128 characters, starting with a letter (or CJK), not with `http://`/`https://`.
fn well_formed_name(s: &str, max: usize) -> bool {
    let n = s.chars().count();
    (2..=max).contains(&n)
        && s.chars().next().is_some_and(|c| c.is_alphabetic())
        && !s.starts_with("http://")
        && !s.starts_with("https://")
}

pub(super) struct CreateDisk {
    region_id: String,
    instance_id: Option<String>,
    spec: NewDisk,
    client_token: Option<String>,
    fingerprint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDiskResponse {
    disk_id: String,
}

impl RpcAction for CreateDisk {
    type Response<'s> = CreateDiskResponse;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        let zone = p.string("ZoneId");
        let instance_id = p.string("InstanceId");
        if zone.is_some() && instance_id.is_some() {
            return Err(ErrorCode::ZoneIdAndInstanceIdConflict.into());
        }
        let name = p.string("DiskName");
        if name.as_deref().is_some_and(|n| !well_formed_name(n, 128)) {
            return Err(ErrorCode::DiskNameMalformed.into());
        }
        let description = p.string("Description").unwrap_or_default();
        if !description.is_empty()
            && (description.chars().count() > 256 || description.starts_with("http"))
        {
            return Err(ErrorCode::DescriptionMalformed.into());
        }
        let size = match p.get("Size") {
            None => None,
            Some(s) => Some(
                s.parse::<u32>()
                    .map_err(|_| ApiError::from(ErrorCode::SizeNotSupported))?,
            ),
        };
        let performance_level = p.get("PerformanceLevel").map(str::to_owned);
        if performance_level
            .as_deref()
            .is_some_and(|l| !["PL0", "PL1", "PL2", "PL3"].contains(&l))
        {
            return Err(ErrorCode::PerformanceLevelMalformed.into());
        }
        if zone.is_none() && instance_id.is_none() {
            return Err(ApiError::missing("ZoneId"));
        }
        Ok(Self {
            region_id: p.required("RegionId")?,
            instance_id,
            spec: NewDisk {
                zone_id: zone.unwrap_or_default(),
                category: p.string("DiskCategory"),
                size,
                snapshot_id: p.string("SnapshotId"),
                performance_level,
                name,
                description,
                encrypted: p.bool("Encrypted")?.unwrap_or(false),
                tags: p.tags()?,
                ..NewDisk::default()
            },
            client_token: p.text("ClientToken", 64)?,
            fingerprint: p.fingerprint(),
        })
    }
    fn apply(mut self, scope: &mut Scope<'_>) -> domain::Result<CreateDiskResponse> {
        scope.catalog.region(&self.region_id)?;
        if let Some(inst) = &self.instance_id {
            self.spec.zone_id = scope.instance_mut(inst)?.zone_id.clone();
        }
        if scope.catalog.zone(&self.spec.zone_id)?.0.id != self.region_id {
            return Err(Error::not_found(Kind::Zone, &self.spec.zone_id));
        }
        let ids = scope.idempotent(
            "CreateDisk",
            self.client_token.as_deref(),
            &self.fingerprint,
            |s| {
                let id = s.create_disk(&self.spec)?;
                if let Some(inst) = &self.instance_id {
                    s.disk_mut(&id)?.life =
                        crate::domain::clock::Lifecycle::new(DiskStatus::Available, s.now);
                    s.attach_disk(inst, &id, None)?;
                }
                Ok(vec![id])
            },
        )?;
        let disk_id = ids
            .into_iter()
            .next()
            .ok_or_else(|| Error::Internal("CreateDisk recorded no id".into()))?;
        Ok(CreateDiskResponse { disk_id })
    }
}

#[derive(Default)]
pub(super) struct DescribeDisks {
    region_id: String,
    zone_id: Option<String>,
    disk_ids: Option<Vec<String>>,
    instance_id: Option<String>,
    disk_type: Option<String>,
    category: Option<String>,
    status: Option<DiskStatus>,
    name: Option<String>,
    portable: Option<bool>,
    delete_with_instance: Option<bool>,
    encrypted: Option<bool>,
    tags: Vec<(String, String)>,
    paging: Option<Paging>,
    dry_run: bool,
}

impl DescribeDisks {
    fn matches(&self, d: &Disk) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let attached_to = d
            .attachment
            .as_ref()
            .map(|a| a.instance_id.as_str())
            .unwrap_or_default();
        let kind = if d.is_system() { "system" } else { "data" };
        d.region_id == self.region_id
            && eq(&self.zone_id, &d.zone_id)
            && self.disk_ids.as_ref().is_none_or(|ids| ids.contains(&d.id))
            && eq(&self.instance_id, attached_to)
            && self
                .disk_type
                .as_deref()
                .is_none_or(|t| t == "all" || t == kind)
            && self
                .category
                .as_deref()
                .is_none_or(|c| c == "all" || c == d.category)
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

impl RpcAction for DescribeDisks {
    type Response<'s> = DescribeDisksResponse<'s>;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        let disk_ids = match p.get("DiskIds") {
            None => None,
            Some(raw) => {
                let ids: Vec<String> = serde_json::from_str(raw)
                    .map_err(|_| ApiError::from(ErrorCode::DiskIdsInvalid))?;
                if ids.len() > 100 {
                    return Err(ErrorCode::DiskIdsMalformed.into());
                }
                Some(ids)
            }
        };
        let disk_type = p.get("DiskType").map(str::to_owned);
        if disk_type
            .as_deref()
            .is_some_and(|t| !["all", "system", "data"].contains(&t))
        {
            return Err(ErrorCode::DiskTypeNotSupported.into());
        }
        let category = p.get("Category").map(str::to_owned);
        let status = match p.get("Status") {
            None | Some("All") => None,
            Some(s) => Some(
                DiskStatus::parse(s)
                    .ok_or_else(|| ApiError::from(ErrorCode::DiskStatusNotSupported))?,
            ),
        };
        Ok(Self {
            region_id: p.required("RegionId")?,
            zone_id: p.string("ZoneId"),
            disk_ids,
            instance_id: p.string("InstanceId"),
            disk_type,
            category,
            status,
            name: p.string("DiskName"),
            portable: p.bool("Portable")?,
            delete_with_instance: p.bool("DeleteWithInstance")?,
            encrypted: p.bool("Encrypted")?,
            tags: p.tags()?,
            paging: Some(Paging::read(p, 100, 500)?),
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply<'s>(mut self, scope: &'s mut Scope<'_>) -> domain::Result<DescribeDisksResponse<'s>> {
        scope.catalog.region(&self.region_id)?;
        if let Some(z) = &self.zone_id {
            if scope.catalog.zone(z)?.0.id != self.region_id {
                return Err(Error::not_found(Kind::Zone, z));
            }
        }
        if let Some(c) = &self.category {
            if c != "all" && !scope.catalog.has_disk_category(c) {
                return Err(Error::Denied(Denial::DiskCategoryNotSupported));
            }
        }
        if self.dry_run {
            return Err(Error::DryRun);
        }
        let paging = self.paging.take().unwrap_or(Paging {
            offset: 0,
            size: 10,
            page_number: 1,
            tokens: false,
        });
        let matched: Vec<&'s Disk> = scope
            .disks()
            .into_iter()
            .filter(|d| self.matches(d))
            .collect();
        let total = matched.len();
        let (page, next) = paging.page(matched);
        Ok(DescribeDisksResponse {
            total_count: total,
            page_number: paging.page_number,
            page_size: paging.size,
            next_token: next,
            disks: DiskSet {
                disk: page.into_iter().map(DiskView::of).collect(),
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDisksResponse<'s> {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    next_token: String,
    disks: DiskSet<'s>,
}

#[derive(Serialize)]
pub(super) struct DiskSet<'s> {
    #[serde(rename = "Disk")]
    disk: Vec<DiskView<'s>>,
}

#[derive(Serialize)]
struct Attachments<'s> {
    #[serde(rename = "Attachment")]
    attachment: Vec<AttachmentView<'s>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AttachmentView<'s> {
    instance_id: &'s str,
    device: &'s str,
    attached_time: EcsTime,
}

#[derive(Serialize)]
struct OperationLocks {
    #[serde(rename = "OperationLock")]
    operation_lock: &'static [String],
}

/// One disk as DescribeDisks shows it, borrowing from the disk (encoded under the lock).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DiskView<'s> {
    disk_id: &'s str,
    disk_name: &'s str,
    description: &'s str,
    region_id: &'s str,
    zone_id: &'s str,
    status: &'static str,
    #[serde(rename = "Type")]
    kind: &'static str,
    category: &'s str,
    size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    performance_level: Option<&'s str>,
    instance_id: &'s str,
    device: &'s str,
    portable: bool,
    delete_with_instance: bool,
    delete_auto_snapshot: bool,
    disk_charge_type: &'static str,
    encrypted: bool,
    #[serde(rename = "KMSKeyId")]
    kms_key_id: &'static str,
    creation_time: EcsTime,
    attached_time: EcsTime,
    detached_time: EcsTime,
    expired_time: &'static str,
    source_snapshot_id: &'static str,
    image_id: &'static str,
    #[serde(rename = "IOPS")]
    iops: u32,
    multi_attach: &'static str,
    serial_number: &'s str,
    attachments: Attachments<'s>,
    operation_locks: OperationLocks,
    tags: TagSet<'s>,
}

impl<'s> DiskView<'s> {
    fn of(d: &'s Disk) -> Self {
        let att = d.attachment.as_ref();
        Self {
            disk_id: &d.id,
            disk_name: &d.name,
            description: &d.description,
            region_id: &d.region_id,
            zone_id: &d.zone_id,
            status: d.status().as_str(),
            kind: if d.is_system() { "system" } else { "data" },
            category: &d.category,
            size: d.size,
            performance_level: d.performance_level.as_deref(),
            instance_id: att.map_or("", |a| a.instance_id.as_str()),
            device: att.map_or("", |a| a.device.as_str()),
            portable: !d.is_system(),
            delete_with_instance: d.delete_with_instance,
            delete_auto_snapshot: true,
            disk_charge_type: "PostPaid",
            encrypted: d.encrypted,
            kms_key_id: "",
            creation_time: ecs_seconds(d.created_at),
            attached_time: att.map(|a| ecs_seconds(a.attached_at)).unwrap_or_default(),
            detached_time: d.detached_at.map(ecs_seconds).unwrap_or_default(),
            expired_time: "2999-09-08T16:00Z",
            source_snapshot_id: "",
            image_id: "",
            iops: 1800 + 50 * d.size.min(1000),
            multi_attach: "Disabled",
            serial_number: d.id.trim_start_matches("d-"),
            attachments: Attachments {
                attachment: att
                    .map(|a| AttachmentView {
                        instance_id: &a.instance_id,
                        device: &a.device,
                        attached_time: ecs_seconds(a.attached_at),
                    })
                    .into_iter()
                    .collect(),
            },
            operation_locks: OperationLocks {
                operation_lock: &[],
            },
            tags: TagSet(&d.tags),
        }
    }
}

pub(super) struct AttachDisk {
    instance_id: String,
    disk_id: String,
    delete_with_instance: Option<bool>,
}

impl RpcAction for AttachDisk {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        p.bool("Bootable")?;
        p.bool("Force")?;
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            disk_id: p.required("DiskId")?,
            delete_with_instance: p.bool("DeleteWithInstance")?,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .attach_disk(&self.instance_id, &self.disk_id, self.delete_with_instance)
            .map(|()| Empty {})
    }
}

pub(super) struct DetachDisk {
    instance_id: String,
    disk_id: String,
}

impl RpcAction for DetachDisk {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        p.bool("DeleteWithInstance")?;
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            disk_id: p.required("DiskId")?,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .detach_disk(&self.instance_id, &self.disk_id)
            .map(|()| Empty {})
    }
}

pub(super) struct DeleteDisk {
    disk_id: String,
}

impl RpcAction for DeleteDisk {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            disk_id: p.required("DiskId")?,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope.delete_disk(&self.disk_id).map(|()| Empty {})
    }
}
