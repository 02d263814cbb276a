//! ECS attribute actions: CreateInstance (the older single create, which leaves the instance
//! Stopped), ModifyInstanceAttribute, DescribeInstanceAttribute, DescribeUserData and
//! ModifyDiskAttribute.

use base64::Engine as _;
use serde::Serialize;

use super::instance::{
    done_action, serial_number, IpSet, RunInstances, SecurityGroupIds, VpcAttributes,
};
use super::{ecs, ecs_minutes, unexpected, Action, EcsTime, Empty, RpcAction};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::attributes::{DiskChanges, InstanceChanges, MAX_USER_DATA};
use crate::domain::call::{Answer, Call};
use crate::domain::catalog::Catalog;
use crate::domain::instance::{Condition, Instance, InstanceStatus};
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<CreateInstance>("CreateInstance"),
    ecs::<ModifyInstanceAttribute>("ModifyInstanceAttribute"),
    ecs::<DescribeInstanceAttribute>("DescribeInstanceAttribute"),
    ecs::<DescribeUserData>("DescribeUserData"),
    ecs::<ModifyDiskAttribute>("ModifyDiskAttribute"),
];

/// The most disks one ModifyDiskAttribute changes (`DiskIds.N`).
const MAX_DISK_IDS: usize = 100;

/// `UserData`: Base64 text whose decoded bytes fit [`MAX_USER_DATA`]; kept as sent.
///
/// # Errors
/// `InvalidUserData.SizeExceeded`, `InvalidUserData.Base64FormatInvalid`.
pub(super) fn user_data(p: &Params) -> Result<Option<String>, ApiError> {
    let Some(text) = p.get("UserData") else {
        return Ok(None);
    };
    // Longer text cannot decode to 32 KiB or less: refused before decoding anything.
    if text.len() > MAX_USER_DATA.div_ceil(3) * 4 {
        return Err(ErrorCode::UserDataSizeExceeded.into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ApiError::from(ErrorCode::UserDataNotBase64))?;
    if bytes.len() > MAX_USER_DATA {
        return Err(ErrorCode::UserDataSizeExceeded.into());
    }
    Ok(Some(text.to_owned()))
}

/// `Password`: checked against the documented rules, never kept.
fn password(p: &Params) -> Result<(), ApiError> {
    p.checked("Password", names::is_password, || {
        ErrorCode::PasswordMalformed.into()
    })
    .map(drop)
}

/// CreateInstance: RunInstances' parameters for one instance, which is created Stopped.
pub(super) struct CreateInstance;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateInstanceResponse {
    instance_id: String,
    order_id: &'static str,
    trade_price: f64,
}

impl RpcAction for CreateInstance {
    const OP: Op = Op::CreateInstances;
    type Response<'s> = CreateInstanceResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        password(p)?;
        let (call, _) = RunInstances::decode(p)?;
        let Call::CreateInstances {
            mut spec,
            token,
            dry_run,
            ..
        } = call
        else {
            return Err(ApiError::internal("RunInstances decoded to another call"));
        };
        spec.stay_stopped = true;
        let call = Call::CreateInstances {
            spec,
            amount: 1,
            token,
            dry_run,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateInstanceResponse> {
        match answer {
            Answer::Created(mut ids) if ids.len() == 1 => Ok(CreateInstanceResponse {
                instance_id: ids.remove(0),
                order_id: "",
                trade_price: 0.0,
            }),
            other => Err(unexpected(&other)),
        }
    }
}

done_action!(ModifyInstanceAttribute, Op::ModifyInstanceAttribute, |p| {
    password(p)?;
    p.bool("DeletionProtection")?;
    let changes = InstanceChanges {
        name: p.checked("InstanceName", names::is_name, || {
            ErrorCode::InstanceNameMalformed.into()
        })?,
        description: p.checked("Description", names::is_description, || {
            ErrorCode::InstanceDescriptionMalformed.into()
        })?,
        host_name: p.checked("HostName", names::is_host_name, || {
            ErrorCode::HostNameMalformed.into()
        })?,
        user_data: user_data(p)?,
    };
    Call::ModifyInstanceAttribute {
        id: p.required("InstanceId")?,
        changes,
    }
});

done_action!(ModifyDiskAttribute, Op::ModifyDiskAttribute, |p| {
    let mut ids = p.repeated("DiskIds");
    if ids.len() > MAX_DISK_IDS {
        return Err(ErrorCode::DiskIdsMalformed.into());
    }
    if let Some(id) = p.string("DiskId") {
        ids.insert(0, id);
    }
    if ids.is_empty() {
        return Err(ApiError::missing("DiskId"));
    }
    for flag in ["EnableAutoSnapshot", "BurstingEnabled"] {
        p.bool(flag)?;
    }
    let changes = DiskChanges {
        name: p.checked("DiskName", names::is_name, || {
            ErrorCode::DiskNameMalformed.into()
        })?,
        description: p.checked("Description", names::is_description, || {
            ErrorCode::DescriptionMalformed.into()
        })?,
        delete_with_instance: p.bool("DeleteWithInstance")?,
        delete_auto_snapshot: p.bool("DeleteAutoSnapshot")?,
    };
    Call::ModifyDiskAttribute { ids, changes }
});

/// DescribeUserData: the user data an instance was given, as Base64 text.
pub(super) struct DescribeUserData;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeUserDataResponse<'s> {
    region_id: &'s str,
    instance_id: &'s str,
    user_data: &'s str,
}

impl RpcAction for DescribeUserData {
    const OP: Op = Op::DescribeUserData;
    type Response<'s> = DescribeUserDataResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let call = Call::DescribeUserData {
            region: p.required("RegionId")?,
            id: p.required("InstanceId")?,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeUserDataResponse<'_>> {
        let Answer::Instance { instance, .. } = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeUserDataResponse {
            region_id: &instance.region_id,
            instance_id: &instance.id,
            user_data: &instance.user_data,
        })
    }
}

/// DescribeInstanceAttribute: one instance, in the flat shape of that call.
pub(super) struct DescribeInstanceAttribute;

impl RpcAction for DescribeInstanceAttribute {
    const OP: Op = Op::DescribeInstanceAttribute;
    type Response<'s> = InstanceAttribute<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let call = Call::DescribeInstanceAttribute {
            id: p.required("InstanceId")?,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<InstanceAttribute<'_>> {
        match answer {
            Answer::Instance { instance, catalog } => Ok(InstanceAttribute::of(instance, catalog)),
            other => Err(unexpected(&other)),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EipAddress {
    allocation_id: &'static str,
    ip_address: &'static str,
    bandwidth: u32,
    internet_charge_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DedicatedHostAttribute {
    dedicated_host_id: &'static str,
    dedicated_host_name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct NetworkOptions {
    bandwidth_weighting: &'static str,
    enable_jumbo_frame: bool,
    enable_network_encryption: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SecurityOptions {
    enable_secure_boot: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LockReason {
    lock_reason: &'static str,
}

#[derive(Serialize)]
struct OperationLocks {
    #[serde(rename = "LockReason")]
    lock_reason: &'static [LockReason],
}

/// One instance as DescribeInstanceAttribute shows it (every field of the documented response;
/// what the emulator does not model shows the documented empty value).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InstanceAttribute<'s> {
    instance_id: &'s str,
    instance_name: &'s str,
    description: &'s str,
    host_name: &'s str,
    region_id: &'s str,
    zone_id: &'s str,
    status: &'static str,
    image_id: &'s str,
    instance_type: &'s str,
    cpu: u32,
    memory: u64,
    creation_time: EcsTime,
    expired_time: &'static str,
    instance_charge_type: &'static str,
    internet_charge_type: &'static str,
    internet_max_bandwidth_in: i32,
    internet_max_bandwidth_out: i32,
    instance_network_type: &'static str,
    io_optimized: &'static str,
    stopped_mode: &'static str,
    serial_number: String,
    cluster_id: &'static str,
    credit_specification: &'static str,
    vlan_id: &'static str,
    enable_jumbo_frame: bool,
    enable_network_encryption: bool,
    vpc_attributes: VpcAttributes<'s>,
    eip_address: EipAddress,
    dedicated_host_attribute: DedicatedHostAttribute,
    network_options: NetworkOptions,
    security_options: SecurityOptions,
    public_ip_address: IpSet<'static>,
    inner_ip_address: IpSet<'static>,
    security_group_ids: SecurityGroupIds<'s>,
    operation_locks: OperationLocks,
}

const SECURITY_LOCK: &[LockReason] = &[LockReason {
    lock_reason: "security",
}];

impl<'s> InstanceAttribute<'s> {
    fn of(i: &'s Instance, catalog: &'s Catalog) -> Self {
        let ty = catalog.instance_type(&i.instance_type).ok();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let memory = ty.map_or(0, |t| (t.memory_gib * 1024.0) as u64);
        Self {
            instance_id: &i.id,
            instance_name: &i.name,
            description: &i.description,
            host_name: &i.host_name,
            region_id: &i.region_id,
            zone_id: &i.zone_id,
            status: vocab::instance_status(i.status()),
            image_id: &i.image_id,
            instance_type: &i.instance_type,
            cpu: ty.map_or(0, |t| t.cpu),
            memory,
            creation_time: ecs_minutes(i.created_at),
            expired_time: "2099-12-31T15:59Z",
            instance_charge_type: vocab::instance_charge_type(i.charge_type),
            internet_charge_type: "PayByTraffic",
            internet_max_bandwidth_in: -1,
            internet_max_bandwidth_out: 0,
            instance_network_type: "vpc",
            io_optimized: "optimized",
            stopped_mode: if i.status() == InstanceStatus::Stopped {
                vocab::stop_mode(i.stopped_mode.unwrap_or_default())
            } else {
                "Not-applicable"
            },
            serial_number: serial_number(&i.id).to_string(),
            cluster_id: "",
            credit_specification: "",
            vlan_id: "",
            enable_jumbo_frame: false,
            enable_network_encryption: false,
            vpc_attributes: VpcAttributes {
                vpc_id: &i.vpc_id,
                vswitch_id: &i.vswitch_id,
                private_ip_address: IpSet {
                    ip_address: std::slice::from_ref(&i.private_ip),
                },
                nat_ip_address: "",
            },
            eip_address: EipAddress {
                allocation_id: "",
                ip_address: "",
                bandwidth: 0,
                internet_charge_type: "",
            },
            dedicated_host_attribute: DedicatedHostAttribute {
                dedicated_host_id: "",
                dedicated_host_name: "",
            },
            network_options: NetworkOptions {
                bandwidth_weighting: "",
                enable_jumbo_frame: false,
                enable_network_encryption: false,
            },
            security_options: SecurityOptions {
                enable_secure_boot: false,
            },
            public_ip_address: IpSet { ip_address: &[] },
            inner_ip_address: IpSet { ip_address: &[] },
            security_group_ids: SecurityGroupIds {
                security_group_id: &i.security_group_ids,
            },
            operation_locks: OperationLocks {
                lock_reason: if i.has(Condition::SecurityLock) {
                    SECURITY_LOCK
                } else {
                    &[]
                },
            },
        }
    }
}
