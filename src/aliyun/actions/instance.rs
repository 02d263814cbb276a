//! ECS instance actions: Start/Stop/Reboot/Run/Delete and the two Describe calls.

use serde::Serialize;

use super::blanks;
use super::documented::{documented, Blank, WithBlanks};
use super::{ecs, ecs_minutes, unexpected, Action, EcsTime, Empty, Paging, RpcAction, TagSet};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::call::{Answer, Call};
use crate::domain::catalog::Catalog;
use crate::domain::compute_query::{InstanceQuery, LockFilter, StatusQuery};
use crate::domain::disk::NewDisk;
use crate::domain::instance::{Condition, Instance, InstanceStatus, NewInstance};
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<StartInstance>("StartInstance"),
    ecs::<StopInstance>("StopInstance"),
    ecs::<RebootInstance>("RebootInstance"),
    ecs::<RunInstances>("RunInstances"),
    ecs::<DeleteInstance>("DeleteInstance"),
    ecs::<DescribeInstances>("DescribeInstances"),
    ecs::<DescribeInstanceStatus>("DescribeInstanceStatus"),
];

/// An action answered with `RequestId` alone: `done_action!(Dto, Op, |p| call)`.
macro_rules! done_action {
    ($dto:ident, $op:expr, |$p:ident| $call:expr) => {
        pub(super) struct $dto;

        impl RpcAction for $dto {
            const OP: Op = $op;
            type Response<'s> = Empty;
            fn decode($p: &Params) -> Result<(Call, Self), ApiError> {
                Ok(($call, Self))
            }
            fn respond(self, answer: Answer<'_>) -> domain::Result<Empty> {
                match answer {
                    Answer::Done => Ok(Empty {}),
                    other => Err(unexpected(&other)),
                }
            }
        }
    };
}
pub(super) use done_action;

done_action!(StartInstance, Op::StartInstance, |p| {
    p.bool("InitLocalDisk")?;
    Call::StartInstance {
        id: p.required("InstanceId")?,
        dry_run: p.bool("DryRun")?.unwrap_or(false),
    }
});

done_action!(StopInstance, Op::StopInstance, |p| {
    for flag in ["ForceStop", "ConfirmStop", "Hibernate"] {
        p.bool(flag)?;
    }
    let mode = p
        .one_of("StoppedMode", &["StopCharging", "KeepCharging"])?
        .and_then(|m| vocab::parse_stop_mode(&m));
    Call::StopInstance {
        id: p.required("InstanceId")?,
        mode,
        dry_run: p.bool("DryRun")?.unwrap_or(false),
    }
});

done_action!(RebootInstance, Op::RebootInstance, |p| {
    p.bool("ForceStop")?;
    Call::RebootInstance {
        id: p.required("InstanceId")?,
        dry_run: p.bool("DryRun")?.unwrap_or(false),
    }
});

done_action!(DeleteInstance, Op::DeleteInstance, |p| {
    p.bool("TerminateSubscription")?;
    Call::DeleteInstance {
        id: p.required("InstanceId")?,
        force: p.bool("Force")?.unwrap_or(false),
        dry_run: p.bool("DryRun")?.unwrap_or(false),
    }
});

pub(super) struct RunInstances;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RunInstancesResponse {
    instance_id_sets: InstanceIdSet,
}

#[derive(Serialize)]
pub(super) struct InstanceIdSet {
    #[serde(rename = "InstanceIdSet")]
    ids: Vec<String>,
}

fn data_disks(p: &Params) -> Result<Vec<NewDisk>, ApiError> {
    p.indexed("DataDisk")
        .into_iter()
        .map(|(i, f)| {
            let field = |name: &str| f.get(name).filter(|v| !v.is_empty()).cloned();
            if field("DiskName").is_some_and(|n| !names::is_name(&n)) {
                return Err(ErrorCode::InstanceDiskNameMalformed.into());
            }
            if field("Description").is_some_and(|d| !names::is_description(&d)) {
                return Err(ErrorCode::InstanceDiskDescriptionMalformed.into());
            }
            let size = match field("Size") {
                None => None,
                Some(s) => Some(
                    s.parse::<u32>()
                        .map_err(|_| p.invalid(&format!("DataDisk.{i}.Size")))?,
                ),
            };
            let dwi = match field("DeleteWithInstance").as_deref() {
                None => true,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) if v.eq_ignore_ascii_case("false") => false,
                Some(_) => return Err(p.invalid(&format!("DataDisk.{i}.DeleteWithInstance"))),
            };
            Ok(NewDisk {
                category: field("Category"),
                size,
                snapshot_id: field("SnapshotId"),
                performance_level: field("PerformanceLevel"),
                name: field("DiskName"),
                description: field("Description").unwrap_or_default(),
                encrypted: field("Encrypted").is_some_and(|v| v.eq_ignore_ascii_case("true")),
                delete_with_instance: dwi,
                ..NewDisk::default()
            })
        })
        .collect()
}

impl RpcAction for RunInstances {
    const OP: Op = Op::CreateInstances;
    type Response<'s> = RunInstancesResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let amount = p.int("Amount", 1, 100)?.unwrap_or(1);
        let min_amount = p.int("MinAmount", 1, 100)?.unwrap_or(amount);
        let dry_run = p.bool("DryRun")?.unwrap_or(false);
        if min_amount > amount {
            return Err(if dry_run {
                ErrorCode::DryRunInvalidAmount.into()
            } else {
                p.invalid("MinAmount")
            });
        }
        let mut security_group_ids = p.repeated("SecurityGroupIds");
        if let Some(sg) = p.string("SecurityGroupId") {
            security_group_ids.insert(0, sg);
        }
        // The system disk's name and description are checked, though not kept: the emulated
        // system disk shows neither.
        p.checked("SystemDisk.DiskName", names::is_name, || {
            ErrorCode::InstanceDiskNameMalformed.into()
        })?;
        p.checked("SystemDisk.Description", names::is_description, || {
            ErrorCode::InstanceDiskDescriptionMalformed.into()
        })?;
        let system_size = match p.int("SystemDisk.Size", 20, 2048)? {
            Some(n) => Some(u32::try_from(n).map_err(|_| p.invalid("SystemDisk.Size"))?),
            None => None,
        };
        let spec = NewInstance {
            region_id: p.required("RegionId")?,
            zone_id: p.string("ZoneId"),
            image_id: p.required("ImageId")?,
            instance_type: p.required("InstanceType")?,
            name: p.checked("InstanceName", names::is_name, || {
                ErrorCode::InstanceNameMalformed.into()
            })?,
            host_name: p.checked("HostName", names::is_host_name, || {
                ErrorCode::HostNameMalformed.into()
            })?,
            description: p
                .checked("Description", names::is_description, || {
                    ErrorCode::InstanceDescriptionMalformed.into()
                })?
                .unwrap_or_default(),
            charge_type: p
                .one_of("InstanceChargeType", &["PostPaid", "PrePaid"])?
                .and_then(|c| vocab::parse_instance_charge_type(&c)),
            vswitch_id: p.string("VSwitchId"),
            security_group_ids,
            system_disk: (p.string("SystemDisk.Category"), system_size),
            data_disks: data_disks(p)?,
            tags: p.tags()?,
            user_data: super::attribute::user_data(p)?,
            ..NewInstance::default()
        };
        let call = Call::CreateInstances {
            spec,
            amount: usize::try_from(amount).unwrap_or(1),
            token: p.client_token()?,
            dry_run,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<RunInstancesResponse> {
        match answer {
            Answer::Created(ids) => Ok(RunInstancesResponse {
                instance_id_sets: InstanceIdSet { ids },
            }),
            other => Err(unexpected(&other)),
        }
    }
}

/// DescribeInstances: the filters go to the domain; paging is answered in ECS's shape.
pub(super) struct DescribeInstances {
    paging: Paging,
}

impl RpcAction for DescribeInstances {
    const OP: Op = Op::DescribeInstances;
    type Response<'s> = DescribeInstancesResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let status = match p.get("Status") {
            None => None,
            Some(s) => Some(
                vocab::parse_instance_status(s)
                    .ok_or_else(|| ApiError::from(ErrorCode::StatusNotFound))?,
            ),
        };
        // Read in the order the parameters were always checked, so the first error stays the same.
        let region_id = p.required("RegionId")?;
        let ids = p.json_list("InstanceIds", 100, || p.invalid("InstanceIds"))?;
        let charge_type = p
            .one_of("InstanceChargeType", &["PostPaid", "PrePaid"])?
            .and_then(|c| vocab::parse_instance_charge_type(&c));
        let lock = p.get("LockReason").map(|r| match r {
            "security" => LockFilter::Security,
            _ => LockFilter::Other,
        });
        let private_ips = p.json_list("PrivateIpAddresses", 100, || {
            p.invalid("PrivateIpAddresses")
        })?;
        let tags = p.tags()?;
        let paging = Paging::read(p, 100, 100)?;
        let query = InstanceQuery {
            region_id,
            ids,
            zone_id: p.string("ZoneId"),
            status,
            name: p.string("InstanceName"),
            instance_type: p.string("InstanceType"),
            family: p.string("InstanceTypeFamily"),
            image_id: p.string("ImageId"),
            vpc_id: p.string("VpcId"),
            vswitch_id: p.string("VSwitchId"),
            security_group_id: p.string("SecurityGroupId"),
            charge_type,
            lock,
            private_ips,
            tags,
            page: paging.request(),
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        };
        Ok((Call::DescribeInstances(query), Self { paging }))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeInstancesResponse<'_>> {
        let Answer::Instances { page, catalog } = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeInstancesResponse {
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            next_token: self.paging.next_token(page.total),
            instances: InstanceSet {
                instance: page
                    .items
                    .into_iter()
                    .map(|i| documented(InstanceView::of(i, catalog), blanks::INSTANCE))
                    .collect(),
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeInstancesResponse<'s> {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    next_token: String,
    instances: InstanceSet<'s>,
}

#[derive(Serialize)]
pub(super) struct InstanceSet<'s> {
    #[serde(rename = "Instance")]
    instance: Vec<WithBlanks<InstanceView<'s>>>,
}

/// `{"IpAddress": [...]}` (also DescribeInstanceAttribute's).
#[derive(Serialize)]
pub(super) struct IpSet<'s> {
    #[serde(rename = "IpAddress")]
    pub(super) ip_address: &'s [String],
}

/// An instance's VPC placement (also DescribeInstanceAttribute's).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VpcAttributes<'s> {
    pub(super) vpc_id: &'s str,
    #[serde(rename = "VSwitchId")]
    pub(super) vswitch_id: &'s str,
    pub(super) private_ip_address: IpSet<'s>,
    pub(super) nat_ip_address: &'static str,
}

/// `{"SecurityGroupId": [...]}` (also DescribeInstanceAttribute's).
#[derive(Serialize)]
pub(super) struct SecurityGroupIds<'s> {
    #[serde(rename = "SecurityGroupId")]
    pub(super) security_group_id: &'s [String],
}

#[derive(Serialize)]
struct LockReasons {
    #[serde(rename = "LockReason")]
    lock_reason: &'static [LockReason],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LockReason {
    lock_reason: &'static str,
    lock_msg: &'static str,
}

const SECURITY_LOCK: &[LockReason] = &[LockReason {
    lock_reason: "security",
    lock_msg: "",
}];

/// One instance as DescribeInstances shows it, borrowing from the instance and the catalog
/// (it is encoded under the world lock, so nothing is copied).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InstanceView<'s> {
    instance_id: &'s str,
    instance_name: &'s str,
    host_name: &'s str,
    description: &'s str,
    region_id: &'s str,
    zone_id: &'s str,
    status: &'static str,
    instance_type: &'s str,
    instance_type_family: &'s str,
    cpu: u32,
    memory: u64,
    image_id: &'s str,
    #[serde(rename = "OSType")]
    os_type: &'s str,
    #[serde(rename = "OSName")]
    os_name: &'s str,
    creation_time: EcsTime,
    start_time: EcsTime,
    expired_time: &'static str,
    instance_charge_type: &'static str,
    internet_charge_type: &'static str,
    stopped_mode: &'static str,
    instance_network_type: &'static str,
    io_optimized: bool,
    deletion_protection: bool,
    #[serde(serialize_with = "serialize_display")]
    serial_number: uuid::Uuid,
    vpc_attributes: VpcAttributes<'s>,
    /// Before `PublicIpAddress`: footmark (and so every Ansible alicloud module) reads the EIP
    /// while it stores the public address, field by field in the answer's order, and recurses
    /// without end when the EIP is not there yet.
    eip_address: &'static Blank,
    public_ip_address: IpSet<'static>,
    inner_ip_address: IpSet<'static>,
    security_group_ids: SecurityGroupIds<'s>,
    operation_locks: LockReasons,
    tags: TagSet<'s>,
}

impl<'s> InstanceView<'s> {
    fn of(i: &'s Instance, catalog: &'s Catalog) -> Self {
        // Instances were validated against the catalog when created; should an entry still be
        // missing, the view shows empty values rather than failing a Describe.
        let ty = catalog.instance_type(&i.instance_type).ok();
        let image = catalog.image(&i.image_id).ok();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let memory = ty.map_or(0, |t| (t.memory_gib * 1024.0) as u64);
        Self {
            instance_id: &i.id,
            instance_name: &i.name,
            host_name: &i.host_name,
            description: &i.description,
            region_id: &i.region_id,
            zone_id: &i.zone_id,
            status: vocab::instance_status(i.status()),
            instance_type: &i.instance_type,
            instance_type_family: ty.map_or("", |t| t.family.as_str()),
            cpu: ty.map_or(0, |t| t.cpu),
            memory,
            image_id: &i.image_id,
            os_type: image.map_or("", |m| m.os_type.as_str()),
            os_name: image.map_or("", |m| m.name.as_str()),
            creation_time: ecs_minutes(i.created_at),
            start_time: i.started_at.map(ecs_minutes).unwrap_or_default(),
            expired_time: "2099-12-31T15:59Z",
            instance_charge_type: vocab::instance_charge_type(i.charge_type),
            internet_charge_type: "PayByTraffic",
            stopped_mode: if i.status() == InstanceStatus::Stopped {
                vocab::stop_mode(i.stopped_mode.unwrap_or_default())
            } else {
                "Not-applicable"
            },
            instance_network_type: "vpc",
            io_optimized: true,
            deletion_protection: false,
            serial_number: serial_number(&i.id),
            vpc_attributes: VpcAttributes {
                vpc_id: &i.vpc_id,
                vswitch_id: &i.vswitch_id,
                private_ip_address: IpSet {
                    ip_address: std::slice::from_ref(&i.private_ip),
                },
                nat_ip_address: "",
            },
            eip_address: &blanks::EIP_ADDRESS,
            public_ip_address: IpSet { ip_address: &[] },
            inner_ip_address: IpSet { ip_address: &[] },
            security_group_ids: SecurityGroupIds {
                security_group_id: &i.security_group_ids,
            },
            operation_locks: LockReasons {
                lock_reason: if i.conditions.contains(&Condition::SecurityLock) {
                    SECURITY_LOCK
                } else {
                    &[]
                },
            },
            tags: TagSet(&i.tags),
        }
    }
}

/// A stable UUID serial number derived from the id (FNV-1a of the id, twice).
pub(super) fn serial_number(id: &str) -> uuid::Uuid {
    let fnv = |seed: u64| {
        id.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    uuid::Uuid::from_u64_pair(fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4))
}

fn serialize_display<S: serde::Serializer>(
    v: &impl std::fmt::Display,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub(super) struct DescribeInstanceStatus {
    paging: Paging,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeInstanceStatusResponse<'s> {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    instance_statuses: StatusSet<'s>,
}

#[derive(Serialize)]
pub(super) struct StatusSet<'s> {
    #[serde(rename = "InstanceStatus")]
    instance_status: Vec<StatusView<'s>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StatusView<'s> {
    instance_id: &'s str,
    status: &'static str,
}

impl RpcAction for DescribeInstanceStatus {
    const OP: Op = Op::DescribeInstanceStatus;
    type Response<'s> = DescribeInstanceStatusResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let ids = p.repeated("InstanceId");
        if ids.len() > 100 {
            return Err(ErrorCode::TooManyInstanceIds.into());
        }
        let mut paging = Paging::read(p, 50, 50)?;
        paging.tokens = false;
        let query = StatusQuery {
            region_id: p.required("RegionId")?,
            zone_id: p.string("ZoneId"),
            ids,
            page: paging.request(),
        };
        Ok((Call::DescribeInstanceStatus(query), Self { paging }))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeInstanceStatusResponse<'_>> {
        let Answer::InstanceStatuses(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeInstanceStatusResponse {
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            instance_statuses: StatusSet {
                instance_status: page
                    .items
                    .into_iter()
                    .map(|i| StatusView {
                        instance_id: &i.id,
                        status: vocab::instance_status(i.status()),
                    })
                    .collect(),
            },
        })
    }
}
