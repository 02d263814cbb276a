//! ECS disk actions: CreateDisk, DescribeDisks, AttachDisk, DetachDisk, DeleteDisk.

use serde::Serialize;

use super::blanks;
use super::documented::{documented, WithBlanks};
use super::instance::done_action;
use super::{ecs, ecs_seconds, unexpected, Action, EcsTime, Empty, Paging, RpcAction, TagSet};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::call::{Answer, Call};
use crate::domain::compute_query::{DiskKind, DiskQuery};
use crate::domain::disk::{Disk, NewDisk};
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<CreateDisk>("CreateDisk"),
    ecs::<DescribeDisks>("DescribeDisks"),
    ecs::<AttachDisk>("AttachDisk"),
    ecs::<DetachDisk>("DetachDisk"),
    ecs::<DeleteDisk>("DeleteDisk"),
];

pub(super) struct CreateDisk;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDiskResponse {
    disk_id: String,
}

impl RpcAction for CreateDisk {
    const OP: Op = Op::CreateDisk;
    type Response<'s> = CreateDiskResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let zone = p.string("ZoneId");
        let instance_id = p.string("InstanceId");
        if zone.is_some() && instance_id.is_some() {
            return Err(ErrorCode::ZoneIdAndInstanceIdConflict.into());
        }
        let name = p.checked("DiskName", names::is_name, || {
            ErrorCode::DiskNameMalformed.into()
        })?;
        let description = p
            .checked("Description", names::is_description, || {
                ErrorCode::DescriptionMalformed.into()
            })?
            .unwrap_or_default();
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
        let call = Call::CreateDisk {
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
            token: p.client_token()?,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateDiskResponse> {
        match answer {
            Answer::Created(mut ids) if ids.len() == 1 => Ok(CreateDiskResponse {
                disk_id: ids.remove(0),
            }),
            other => Err(unexpected(&other)),
        }
    }
}

pub(super) struct DescribeDisks {
    paging: Paging,
}

impl RpcAction for DescribeDisks {
    const OP: Op = Op::DescribeDisks;
    type Response<'s> = DescribeDisksResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let ids = match p.get("DiskIds") {
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
        let kind = match p.get("DiskType") {
            None | Some("all") => None,
            Some("system") => Some(DiskKind::System),
            Some("data") => Some(DiskKind::Data),
            Some(_) => return Err(ErrorCode::DiskTypeNotSupported.into()),
        };
        let category = p.get("Category").filter(|c| *c != "all").map(str::to_owned);
        let status = match p.get("Status") {
            None | Some("All") => None,
            Some(s) => Some(
                vocab::parse_disk_status(s)
                    .ok_or_else(|| ApiError::from(ErrorCode::DiskStatusNotSupported))?,
            ),
        };
        // Read in the order the parameters were always checked, so the first error stays the same.
        let region_id = p.required("RegionId")?;
        let zone_id = p.string("ZoneId");
        let instance_id = p.string("InstanceId");
        let name = p.string("DiskName");
        let portable = p.bool("Portable")?;
        let delete_with_instance = p.bool("DeleteWithInstance")?;
        let encrypted = p.bool("Encrypted")?;
        let tags = p.tags()?;
        let paging = Paging::read(p, 100, 500)?;
        let query = DiskQuery {
            region_id,
            zone_id,
            ids,
            instance_id,
            kind,
            category,
            status,
            name,
            portable,
            delete_with_instance,
            encrypted,
            tags,
            page: paging.request(),
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        };
        Ok((Call::DescribeDisks(query), Self { paging }))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeDisksResponse<'_>> {
        let Answer::Disks(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeDisksResponse {
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            next_token: self.paging.next_token(page.total),
            disks: DiskSet {
                disk: page
                    .items
                    .into_iter()
                    .map(|d| documented(DiskView::of(d), blanks::DISK))
                    .collect(),
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
    disk: Vec<WithBlanks<DiskView<'s>>>,
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
    /// Empty for the categories that have no performance levels.
    performance_level: &'s str,
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
            status: vocab::disk_status(d.status()),
            kind: if d.is_system() { "system" } else { "data" },
            category: &d.category,
            size: d.size,
            performance_level: d.performance_level.as_deref().unwrap_or_default(),
            instance_id: att.map_or("", |a| a.instance_id.as_str()),
            device: att.map_or("", |a| a.device.as_str()),
            portable: !d.is_system(),
            delete_with_instance: d.delete_with_instance,
            delete_auto_snapshot: d.delete_auto_snapshot,
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

done_action!(AttachDisk, Op::AttachDisk, |p| {
    p.bool("Bootable")?;
    p.bool("Force")?;
    Call::AttachDisk {
        instance_id: p.required("InstanceId")?,
        disk_id: p.required("DiskId")?,
        delete_with_instance: p.bool("DeleteWithInstance")?,
    }
});

done_action!(DetachDisk, Op::DetachDisk, |p| {
    p.bool("DeleteWithInstance")?;
    Call::DetachDisk {
        instance_id: p.required("InstanceId")?,
        disk_id: p.required("DiskId")?,
    }
});

done_action!(DeleteDisk, Op::DeleteDisk, |p| Call::DeleteDisk {
    id: p.required("DiskId")?,
});
