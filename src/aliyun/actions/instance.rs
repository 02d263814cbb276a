//! ECS instance actions: Start/Stop/Reboot/Run/Delete and the two Describe calls.

use serde::Serialize;

use super::{ecs, ecs_minutes, has_tags, Action, EcsTime, Empty, Paging, RpcAction, TagSet};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::params::Params;
use crate::domain::catalog::Catalog;
use crate::domain::disk::NewDisk;
use crate::domain::instance::{ChargeType, Condition, Instance, InstanceStatus, NewInstance};
use crate::domain::{self, Error, Scope};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<StartInstance>("StartInstance"),
    ecs::<StopInstance>("StopInstance"),
    ecs::<RebootInstance>("RebootInstance"),
    ecs::<RunInstances>("RunInstances"),
    ecs::<DeleteInstance>("DeleteInstance"),
    ecs::<DescribeInstances>("DescribeInstances"),
    ecs::<DescribeInstanceStatus>("DescribeInstanceStatus"),
];

pub(super) struct StartInstance {
    instance_id: String,
    dry_run: bool,
}

impl RpcAction for StartInstance {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        p.bool("InitLocalDisk")?;
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .start_instance(&self.instance_id, self.dry_run)
            .map(|()| Empty {})
    }
}

pub(super) struct StopInstance {
    instance_id: String,
    stopped_mode: Option<String>,
    dry_run: bool,
}

impl RpcAction for StopInstance {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        for flag in ["ForceStop", "ConfirmStop", "Hibernate"] {
            p.bool(flag)?;
        }
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            stopped_mode: p.one_of("StoppedMode", &["StopCharging", "KeepCharging"])?,
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .stop_instance(
                &self.instance_id,
                self.stopped_mode.as_deref(),
                self.dry_run,
            )
            .map(|()| Empty {})
    }
}

pub(super) struct RebootInstance {
    instance_id: String,
    dry_run: bool,
}

impl RpcAction for RebootInstance {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        p.bool("ForceStop")?;
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .reboot_instance(&self.instance_id, self.dry_run)
            .map(|()| Empty {})
    }
}

pub(super) struct DeleteInstance {
    instance_id: String,
    force: bool,
    dry_run: bool,
}

impl RpcAction for DeleteInstance {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        p.bool("TerminateSubscription")?;
        Ok(Self {
            instance_id: p.required("InstanceId")?,
            force: p.bool("Force")?.unwrap_or(false),
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        scope
            .delete_instance(&self.instance_id, self.force, self.dry_run)
            .map(|()| Empty {})
    }
}

pub(super) struct RunInstances {
    spec: NewInstance,
    amount: usize,
    client_token: Option<String>,
    fingerprint: String,
    dry_run: bool,
}

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
    type Response<'s> = RunInstancesResponse;
    fn decode(p: &Params) -> Result<Self, ApiError> {
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
        let system_size = match p.int("SystemDisk.Size", 20, 2048)? {
            Some(n) => Some(u32::try_from(n).map_err(|_| p.invalid("SystemDisk.Size"))?),
            None => None,
        };
        let spec = NewInstance {
            region_id: p.required("RegionId")?,
            zone_id: p.string("ZoneId"),
            image_id: p.required("ImageId")?,
            instance_type: p.required("InstanceType")?,
            name: p.text("InstanceName", 128)?,
            host_name: p.text("HostName", 64)?,
            description: p.text("Description", 256)?.unwrap_or_default(),
            charge_type: p
                .one_of("InstanceChargeType", &["PostPaid", "PrePaid"])?
                .map(|c| {
                    if c == "PrePaid" {
                        ChargeType::PrePaid
                    } else {
                        ChargeType::PostPaid
                    }
                }),
            vswitch_id: p.string("VSwitchId"),
            security_group_ids,
            system_disk: (p.string("SystemDisk.Category"), system_size),
            data_disks: data_disks(p)?,
            tags: p.tags()?,
            ..NewInstance::default()
        };
        Ok(Self {
            spec,
            amount: usize::try_from(amount).unwrap_or(1),
            client_token: p.text("ClientToken", 64)?,
            fingerprint: p.fingerprint(),
            dry_run,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<RunInstancesResponse> {
        if self.dry_run {
            scope.check_new_instance(&self.spec)?;
            return Err(Error::DryRun);
        }
        let ids = scope.idempotent(
            "RunInstances",
            self.client_token.as_deref(),
            &self.fingerprint,
            |s| {
                s.check_new_instance(&self.spec)?;
                (0..self.amount)
                    .map(|_| s.run_instance(&self.spec))
                    .collect()
            },
        )?;
        Ok(RunInstancesResponse {
            instance_id_sets: InstanceIdSet { ids },
        })
    }
}

/// Filters of DescribeInstances, all optional and AND-ed.
#[derive(Default)]
pub(super) struct DescribeInstances {
    region_id: String,
    instance_ids: Option<Vec<String>>,
    zone_id: Option<String>,
    status: Option<InstanceStatus>,
    name: Option<String>,
    instance_type: Option<String>,
    family: Option<String>,
    image_id: Option<String>,
    vpc_id: Option<String>,
    vswitch_id: Option<String>,
    security_group_id: Option<String>,
    charge_type: Option<String>,
    lock_reason: Option<String>,
    private_ips: Option<Vec<String>>,
    tags: Vec<(String, String)>,
    paging: Option<Paging>,
    dry_run: bool,
}

/// `Name*` style wildcard match, as DescribeInstances' InstanceName allows.
fn wildcard(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((head, tail)) => {
            s.len() >= head.len() && s.starts_with(head) && {
                let rest = &s[head.len()..];
                if tail.contains('*') {
                    (0..=rest.len()).any(|i| rest.is_char_boundary(i) && wildcard(tail, &rest[i..]))
                } else {
                    rest.ends_with(tail)
                }
            }
        }
    }
}

impl DescribeInstances {
    fn matches(&self, i: &Instance) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        i.region_id == self.region_id
            && self
                .instance_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&i.id))
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
            && eq(&self.charge_type, i.charge_type.as_str())
            && self
                .lock_reason
                .as_deref()
                .is_none_or(|r| r == "security" && i.conditions.contains(&Condition::SecurityLock))
            && self
                .private_ips
                .as_ref()
                .is_none_or(|ips| ips.contains(&i.private_ip))
            && has_tags(&i.tags, &self.tags)
    }
}

impl RpcAction for DescribeInstances {
    type Response<'s> = DescribeInstancesResponse<'s>;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        let status = match p.get("Status") {
            None => None,
            Some(s) => Some(
                InstanceStatus::parse(s)
                    .ok_or_else(|| ApiError::from(ErrorCode::StatusNotFound))?,
            ),
        };
        Ok(Self {
            region_id: p.required("RegionId")?,
            instance_ids: p.json_list("InstanceIds", 100, || p.invalid("InstanceIds"))?,
            zone_id: p.string("ZoneId"),
            status,
            name: p.string("InstanceName"),
            instance_type: p.string("InstanceType"),
            family: p.string("InstanceTypeFamily"),
            image_id: p.string("ImageId"),
            vpc_id: p.string("VpcId"),
            vswitch_id: p.string("VSwitchId"),
            security_group_id: p.string("SecurityGroupId"),
            charge_type: p.one_of("InstanceChargeType", &["PostPaid", "PrePaid"])?,
            lock_reason: p.string("LockReason"),
            private_ips: p.json_list("PrivateIpAddresses", 100, || {
                p.invalid("PrivateIpAddresses")
            })?,
            tags: p.tags()?,
            paging: Some(Paging::read(p, 100, 100)?),
            dry_run: p.bool("DryRun")?.unwrap_or(false),
        })
    }
    fn apply<'s>(
        mut self,
        scope: &'s mut Scope<'_>,
    ) -> domain::Result<DescribeInstancesResponse<'s>> {
        scope.catalog.region(&self.region_id)?;
        if self.dry_run {
            return Err(Error::DryRun);
        }
        let paging = self.paging.take().unwrap_or(Paging {
            offset: 0,
            size: 10,
            page_number: 1,
            tokens: false,
        });
        let catalog: &'s Catalog = scope.catalog;
        let matched: Vec<&'s Instance> = scope
            .instances()
            .into_iter()
            .filter(|i| self.matches(i))
            .collect();
        let total = matched.len();
        let (page, next) = paging.page(matched);
        Ok(DescribeInstancesResponse {
            total_count: total,
            page_number: paging.page_number,
            page_size: paging.size,
            next_token: next,
            instances: InstanceSet {
                instance: page
                    .into_iter()
                    .map(|i| InstanceView::of(i, catalog))
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
    instance: Vec<InstanceView<'s>>,
}

#[derive(Serialize)]
struct IpSet<'s> {
    #[serde(rename = "IpAddress")]
    ip_address: &'s [String],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VpcAttributes<'s> {
    vpc_id: &'s str,
    #[serde(rename = "VSwitchId")]
    vswitch_id: &'s str,
    private_ip_address: IpSet<'s>,
    nat_ip_address: &'static str,
}

#[derive(Serialize)]
struct SecurityGroupIds<'s> {
    #[serde(rename = "SecurityGroupId")]
    security_group_id: &'s [String],
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
    stopped_mode: &'s str,
    instance_network_type: &'static str,
    io_optimized: bool,
    deletion_protection: bool,
    #[serde(serialize_with = "serialize_display")]
    serial_number: uuid::Uuid,
    vpc_attributes: VpcAttributes<'s>,
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
            status: i.status().as_str(),
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
            instance_charge_type: i.charge_type.as_str(),
            internet_charge_type: "PayByTraffic",
            stopped_mode: if i.status() == InstanceStatus::Stopped {
                i.stopped_mode.as_deref().unwrap_or("KeepCharging")
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
fn serial_number(id: &str) -> uuid::Uuid {
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
    region_id: String,
    zone_id: Option<String>,
    ids: Vec<String>,
    paging: Paging,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeInstanceStatusResponse {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    instance_statuses: StatusSet,
}

#[derive(Serialize)]
pub(super) struct StatusSet {
    #[serde(rename = "InstanceStatus")]
    instance_status: Vec<StatusView>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StatusView {
    instance_id: String,
    status: &'static str,
}

impl RpcAction for DescribeInstanceStatus {
    type Response<'s> = DescribeInstanceStatusResponse;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        let ids = p.repeated("InstanceId");
        if ids.len() > 100 {
            return Err(ErrorCode::TooManyInstanceIds.into());
        }
        let mut paging = Paging::read(p, 50, 50)?;
        paging.tokens = false;
        Ok(Self {
            region_id: p.required("RegionId")?,
            zone_id: p.string("ZoneId"),
            ids,
            paging,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<DescribeInstanceStatusResponse> {
        scope.catalog.region(&self.region_id)?;
        if let Some(z) = &self.zone_id {
            scope.catalog.zone(z)?;
        }
        let matched: Vec<StatusView> = scope
            .instances()
            .into_iter()
            .filter(|i| i.region_id == self.region_id)
            .filter(|i| self.zone_id.as_ref().is_none_or(|z| *z == i.zone_id))
            .filter(|i| self.ids.is_empty() || self.ids.contains(&i.id))
            .map(|i| StatusView {
                instance_id: i.id.clone(),
                status: i.status().as_str(),
            })
            .collect();
        let total = matched.len();
        let (page, _) = self.paging.page(matched);
        Ok(DescribeInstanceStatusResponse {
            total_count: total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            instance_statuses: StatusSet {
                instance_status: page,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("web*", "web-1"));
        assert!(wildcard("*-1", "web-1"));
        assert!(wildcard("w*b*1", "web-1"));
        assert!(!wildcard("web*", "db-1"));
        assert!(wildcard("exact", "exact"));
    }
}
