//! Alibaba Cloud's spelling of the domain: status names, billing and site names, parameter
//! names of domain fields, the id formats (`i-bp1…`, `pair-cn-…`), and the one mapping from a
//! domain error to a wire code, keyed by (dialect, operation).

use crate::domain::billing::ChargeType;
use crate::domain::catalog::{Region, Zone};
use crate::domain::disk::DiskStatus;
use crate::domain::ids::IdGen;
use crate::domain::instance::{InstanceStatus, StopMode};
use crate::domain::replica_index::Site;
use crate::domain::replica_pair::StatusCause;
use crate::domain::replica_sync::ReplicaStatus;
use crate::domain::{self, Denial, Field, Kind, Naming, Op};

use super::error::{ApiError, Dialect, ErrorCode};
use crate::domain::call::Call;
use crate::domain::catalog::Catalog;
use crate::engine::Fault;

/// This dialect's tag on the catalog's regions and disk categories.
pub const DIALECT: &str = "alibaba";

/// The region, if this dialect offers it (other dialects' regions are unknown here).
///
/// # Errors
/// NotFound(Region).
pub fn offered_region<'c>(catalog: &'c Catalog, id: &str) -> domain::Result<&'c Region> {
    catalog
        .region(id)
        .ok()
        .filter(|r| r.offered_by(DIALECT))
        .ok_or_else(|| domain::Error::not_found(Kind::Region, id))
}

/// Refuses a call that would create something in a region, or of a disk category, this dialect
/// does not offer, or filter by such a category, as if the catalog had no such entry. Reads
/// and operations on what exists already are served in every region (another dialect's disks
/// and pairs are visible here).
///
/// # Errors
/// NotFound(Region), InvalidField(DestinationRegion), DiskCategoryNotSupported,
/// SystemDiskCategoryNotSupported.
pub fn offered(call: &Call, catalog: &Catalog) -> domain::Result<()> {
    let region = |id: &str| offered_region(catalog, id).map(|_| ());
    let destination =
        |id: &str| region(id).map_err(|_| domain::Error::InvalidField(Field::DestinationRegion));
    let category = |c: &Option<String>, refusal: Denial| match c
        .as_deref()
        .and_then(|c| catalog.disk_category(c))
    {
        Some(cat) if !cat.offered_by(DIALECT) => Err(domain::Error::Denied(refusal)),
        _ => Ok(()),
    };
    match call {
        Call::CreateInstances { spec, .. } => {
            region(&spec.region_id)?;
            category(&spec.system_disk.0, Denial::SystemDiskCategoryNotSupported)?;
            for d in &spec.data_disks {
                category(&d.category, Denial::DiskCategoryNotSupported)?;
            }
            Ok(())
        }
        Call::CreateDisk {
            region_id, spec, ..
        } => {
            region(region_id)?;
            category(&spec.category, Denial::DiskCategoryNotSupported)
        }
        Call::DescribeDisks(q) => category(&q.category, Denial::DiskCategoryNotSupported),
        Call::CreatePair { spec, .. } => {
            region(&spec.region_id)?;
            destination(&spec.destination_region_id)
        }
        Call::CreateGroup { spec, .. } => {
            region(&spec.region_id)?;
            destination(&spec.destination_region_id)
        }
        Call::CreateVpc { spec, .. } => region(&spec.region_id),
        Call::CreateVSwitch { spec, .. } => region(&spec.region_id),
        Call::CreateSecurityGroup { spec, .. } => region(&spec.region_id),
        _ => Ok(()),
    }
}

/// The resource types ECS tag calls serve here (`instance`, `disk`).
pub fn parse_ecs_tag_resource(s: &str) -> Option<Kind> {
    match s {
        "instance" => Some(Kind::Instance),
        "disk" => Some(Kind::Disk),
        _ => None,
    }
}

/// The resource types EBS tag calls serve here (`diskreplicapair`, `diskreplicagroup`), in any
/// letter case: the SDK documents lower case, Terraform sends `DiskReplicaPair`.
pub fn parse_ebs_tag_resource(s: &str) -> Option<Kind> {
    if s.eq_ignore_ascii_case("diskreplicapair") {
        Some(Kind::ReplicaPair)
    } else if s.eq_ignore_ascii_case("diskreplicagroup") {
        Some(Kind::ReplicaGroup)
    } else {
        None
    }
}

/// A tagged resource's type as both products' tag listings spell it.
pub fn tag_resource(k: Kind) -> &'static str {
    match k {
        Kind::Instance => "instance",
        Kind::Disk => "disk",
        Kind::ReplicaPair => "diskreplicapair",
        Kind::ReplicaGroup => "diskreplicagroup",
        _ => "",
    }
}

/// The status names of ECS instances.
pub fn instance_status(s: InstanceStatus) -> &'static str {
    match s {
        InstanceStatus::Pending => "Pending",
        InstanceStatus::Starting => "Starting",
        InstanceStatus::Running => "Running",
        InstanceStatus::Stopping => "Stopping",
        InstanceStatus::Stopped => "Stopped",
    }
}

/// An instance status by its wire name.
pub fn parse_instance_status(s: &str) -> Option<InstanceStatus> {
    InstanceStatus::ALL
        .into_iter()
        .find(|st| instance_status(*st) == s)
}

/// The status names of ECS disks.
pub fn disk_status(s: DiskStatus) -> &'static str {
    match s {
        DiskStatus::Creating => "Creating",
        DiskStatus::Available => "Available",
        DiskStatus::Attaching => "Attaching",
        DiskStatus::InUse => "In_use",
        DiskStatus::Detaching => "Detaching",
    }
}

/// A disk status by its wire name.
pub fn parse_disk_status(s: &str) -> Option<DiskStatus> {
    DiskStatus::ALL.into_iter().find(|st| disk_status(*st) == s)
}

/// The status names of replica pairs and groups (both dialects).
pub fn replica_status(s: ReplicaStatus) -> &'static str {
    use ReplicaStatus as S;
    match s {
        S::Invalid => "invalid",
        S::Creating => "creating",
        S::Created => "created",
        S::CreateFailed => "create_failed",
        S::InitialSyncing => "initial_syncing",
        S::ManualSyncing => "manual_syncing",
        S::Syncing => "syncing",
        S::Normal => "normal",
        S::Stopping => "stopping",
        S::Stopped => "stopped",
        S::StopFailed => "stop_failed",
        S::Failovering => "failovering",
        S::Failovered => "failovered",
        S::FailoverFailed => "failover_failed",
        S::Reprotecting => "reprotecting",
        S::ReprotectFailed => "reprotect_failed",
        S::Deleting => "deleting",
        S::Deleted => "deleted",
        S::DeleteFailed => "delete_failed",
        // Only synchronous (OTC) groups pass these; Alibaba has no word for them.
        S::Reversing => "reversing",
        S::Updating => "updating",
    }
}

/// `StatusMessage` of a pair.
pub fn status_cause(c: StatusCause) -> &'static str {
    match c {
        StatusCause::DeviceRemoved => "DeviceRemoved",
        StatusCause::DeviceSizeChanged => "DeviceSizeChanged",
        // Creates accepted and then failed (synchronous pairs of another dialect).
        StatusCause::SourceDiskMissing => "SourceDiskNotFound",
        StatusCause::DestinationDiskMissing => "DestinationDiskNotFound",
        StatusCause::SizeMismatch => "DiskSizeMismatch",
        StatusCause::SourceDiskPaired => "SourceDiskInAnotherPair",
        StatusCause::DestinationDiskPaired => "DestinationDiskInAnotherPair",
        StatusCause::DestinationDiskAttached => "DestinationDiskAttached",
    }
}

/// `Site` of a pair or group.
pub fn site(s: Site) -> &'static str {
    match s {
        Site::Production => "production",
        Site::Backup => "backup",
    }
}

/// A site by its wire name.
pub fn parse_site(s: &str) -> Option<Site> {
    [Site::Production, Site::Backup]
        .into_iter()
        .find(|x| site(*x) == s)
}

/// ECS `InstanceChargeType`.
pub fn instance_charge_type(c: ChargeType) -> &'static str {
    match c {
        ChargeType::PayAsYouGo => "PostPaid",
        ChargeType::Subscription => "PrePaid",
    }
}

/// An ECS charge type by its wire name.
pub fn parse_instance_charge_type(s: &str) -> Option<ChargeType> {
    [ChargeType::PayAsYouGo, ChargeType::Subscription]
        .into_iter()
        .find(|c| instance_charge_type(*c) == s)
}

/// EBS `ChargeType` of a replica pair.
pub fn replica_charge_type(c: ChargeType) -> &'static str {
    match c {
        ChargeType::PayAsYouGo => "POSTPAY",
        ChargeType::Subscription => "PREPAY",
    }
}

/// ECS `StoppedMode`.
pub fn stop_mode(m: StopMode) -> &'static str {
    match m {
        StopMode::KeepCharging => "KeepCharging",
        StopMode::StopCharging => "StopCharging",
    }
}

/// A stop mode by its wire name.
pub fn parse_stop_mode(s: &str) -> Option<StopMode> {
    [StopMode::KeepCharging, StopMode::StopCharging]
        .into_iter()
        .find(|m| stop_mode(*m) == s)
}

/// The request parameter a domain field comes from.
pub fn field(f: Field) -> &'static str {
    match f {
        Field::DestinationRegion => "DestinationRegionId",
        Field::SourceZone => "SourceZoneId",
        Field::DestinationZone => "DestinationZoneId",
    }
}

/// Characters of the random part of an id.
const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Alibaba Cloud's id formats: `i-bp1…`, `d-2ze…` (20 characters after the dash, starting
/// with the region's prefix), `pair-cn-…`, `pg-…`; host names `iZ…Z`; `/dev/xvd?` devices.
#[derive(Debug, Clone, Copy)]
pub struct AliyunNaming;

impl Naming for AliyunNaming {
    fn name(&self) -> &'static str {
        "alibaba"
    }

    fn id(&self, kind: Kind, region: &Region, ids: &mut IdGen) -> String {
        match kind {
            Kind::ReplicaPair => {
                let area = region.id.split('-').next().unwrap_or("cn");
                format!("pair-{area}-{}", ids.random_part(ALPHABET, 14))
            }
            Kind::ReplicaGroup => format!("pg-{}", ids.random_part(ALPHABET, 16)),
            Kind::Vpc | Kind::VSwitch | Kind::SecurityGroup => {
                let kind = match kind {
                    Kind::Vpc => "vpc",
                    Kind::VSwitch => "vsw",
                    _ => "sg",
                };
                let prefix = &region.id_prefix;
                let rest = 21usize.saturating_sub(prefix.len());
                format!("{kind}-{prefix}{}", ids.random_part(ALPHABET, rest))
            }
            _ => {
                let prefix = &region.id_prefix;
                let kind = if kind == Kind::Disk { "d" } else { "i" };
                let rest = 20usize.saturating_sub(prefix.len());
                format!("{kind}-{prefix}{}", ids.random_part(ALPHABET, rest))
            }
        }
    }

    fn host_name(&self, instance_id: &str) -> String {
        format!(
            "iZ{}Z",
            instance_id.strip_prefix("i-").unwrap_or(instance_id)
        )
    }

    fn network(&self, instance_id: &str, region: &Region, zone: &Zone) -> (String, String) {
        let prefix = &region.id_prefix;
        // The id's random part after `i-` and the region prefix (whatever those characters are).
        let rest = instance_id.get(2 + prefix.len()..).unwrap_or(instance_id);
        (
            format!("vpc-{prefix}{rest}"),
            format!("vsw-{}-default", zone.id),
        )
    }

    fn device(&self, index: usize) -> String {
        let letter = b'a' + u8::try_from(index % 26).unwrap_or(0);
        format!("/dev/xvd{}", char::from(letter))
    }

    /// A vSwitch id `vsw-<zone-id>…` (the ones this emulator hands out) names its zone; any
    /// other `vsw-` id is placed in the region's first zone; an id without `vsw-` in none.
    fn vswitch_zone<'r>(&self, vswitch_id: &str, region: &'r Region) -> Option<&'r Zone> {
        let rest = vswitch_id.strip_prefix("vsw-")?;
        region
            .zones
            .iter()
            .find(|z| rest.starts_with(&z.id))
            .or_else(|| region.zones.first())
    }
}

impl ApiError {
    /// The only mapping from domain errors to the wire. The operation is needed because the
    /// vendor words some codes differently per operation (e.g. RunInstances' "does not exist in
    /// our records"), and the seed documents' disk-replica operations use ECS codes.
    pub fn from_domain(err: domain::Error, dialect: Dialect, op: Op) -> Self {
        use domain::Error as E;
        match err {
            E::NotFound { kind, .. } => not_found(kind, dialect, op),
            E::IncorrectStatus { kind, .. } => incorrect_status(kind, dialect, op).into(),
            E::Denied(d) => denial(d, dialect, op).into(),
            E::InvalidField(f) => Self::invalid(dialect, field(f)),
            E::IdempotentParameterMismatch => ErrorCode::IdempotentParameterMismatch.into(),
            E::DryRun => ErrorCode::DryRunOperation.into(),
            E::Internal(what) => Self::internal(what),
        }
    }

    /// The answer to a call an injected fault stops.
    pub fn from_fault(fault: Fault, dialect: Dialect) -> Self {
        match fault {
            Fault::InternalError => match dialect {
                Dialect::Ecs | Dialect::Vpc => ErrorCode::InternalError.into(),
                Dialect::Ebs => ErrorCode::InternalErrorEbs.into(),
            },
            Fault::Error(e) => {
                Self {
                    code: std::borrow::Cow::Owned(e.code.unwrap_or_else(|| "InternalError".into())),
                    status: e.http_status.unwrap_or(500),
                    message: std::borrow::Cow::Owned(e.message.unwrap_or_else(|| {
                        "The request failed because of an injected fault.".into()
                    })),
                    retry_after: e.retry_after,
                    drop_connection: false,
                }
            }
            Fault::DropConnection => Self {
                drop_connection: true,
                ..ErrorCode::InternalError.into()
            },
        }
    }
}

fn not_found(kind: Kind, dialect: Dialect, op: Op) -> ApiError {
    use ErrorCode as C;
    let code = match (kind, dialect) {
        (Kind::Instance | Kind::Disk, Dialect::Ecs)
            if matches!(op, Op::TagResources | Op::UntagResources) =>
        {
            C::ResourceIdNotFound
        }
        (Kind::Instance, _) if op == Op::CreateDisk => C::InstanceNotFoundInRecords,
        (Kind::Instance, _) => C::InstanceNotFound,
        (Kind::Disk, Dialect::Ecs) => C::DiskNotFound,
        (Kind::Image, _) => C::ImageNotFound,
        // The disk-replica operations check RegionId as a parameter: the seed documents give
        // ECS `InvalidRegionId.MalFormed`; EBS answers its own invalid-parameter wording.
        (Kind::Region, Dialect::Ecs) if op.is_replication() => C::RegionMalformed,
        (Kind::Region, Dialect::Ebs) if op.is_replication() => {
            return ApiError::invalid(dialect, "RegionId")
        }
        (Kind::Region, _) if op == Op::CreateInstances => C::RegionNotFoundInRecords,
        (Kind::Region, _) => C::RegionNotFound,
        (Kind::Zone, _) if matches!(op, Op::CreateInstances | Op::DescribeInstanceStatus) => {
            C::ZoneNotFoundInRecords
        }
        (Kind::Zone, _) if op == Op::DescribeDisks => C::ZoneNotFoundDescribeDisks,
        (Kind::Zone, _) if op == Op::CreateVSwitch => C::VpcZoneNotFound,
        (Kind::Zone, _) => C::ZoneNotFound,
        (Kind::InstanceType, _) => C::InstanceTypeNotSupported,
        (Kind::VSwitch, _) => C::VSwitchNotFound,
        (Kind::Vpc, _) if op == Op::CreateSecurityGroup => C::SecurityGroupVpcNotFound,
        (Kind::Vpc, _) => C::VpcNotFound,
        (Kind::SecurityGroup, _) if op == Op::CreateInstances => C::SecurityGroupNotFoundInRecords,
        (Kind::SecurityGroup, _) if op == Op::DeleteSecurityGroup => C::SecurityGroupNotFoundDelete,
        (Kind::SecurityGroup, _) => C::SecurityGroupNotFound,
        (Kind::Disk | Kind::ReplicaPair | Kind::ReplicaGroup, _) => C::NoSuchResource,
    };
    code.into()
}

fn incorrect_status(kind: Kind, dialect: Dialect, op: Op) -> ErrorCode {
    use ErrorCode as C;
    match (kind, dialect) {
        (Kind::Instance, _) if op == Op::AttachDisk => C::IncorrectInstanceStatusAttach,
        (Kind::Instance, _) => C::IncorrectInstanceStatus,
        (Kind::Disk, Dialect::Ecs) if op.is_replication() => C::IncorrectDiskStatusReplica,
        (Kind::Disk, Dialect::Ecs) => C::IncorrectDiskStatus,
        _ => C::InvalidStatus,
    }
}

fn denial(d: Denial, dialect: Dialect, op: Op) -> ErrorCode {
    use Denial as D;
    use ErrorCode as C;
    match d {
        D::SecurityLock => C::InstanceLockedForSecurity,
        D::InsufficientBalance => C::InsufficientBalance,
        D::DiskError => C::DiskError,
        D::ExpiredPostPaid => C::InstanceExpiredPostPaid,
        D::ExpiredPrePaid => C::InstanceExpiredPrePaid,
        D::ExpiredOrInArrears => C::InstanceExpiredOrInArrears,
        D::NotReady => C::InstanceNotReady,
        D::DiskInArrears => C::DiskInArrears,
        D::NoStock => C::NoStock,
        D::SpotPriceTooLow => C::SpotPriceLowerThanPublicPrice,
        D::KmsUnauthorized => C::KmsUnauthorized,
        D::DiskNotPortable => C::DiskNotPortable,
        D::NotInSameZone => C::ResourcesNotInSameZone,
        D::InstanceDiskLimit => C::InstanceDiskLimitExceeded,
        D::DiskInUse => C::DiskInUse,
        D::DiskAlreadyDetached => C::DiskAlreadyDetached,
        D::NotAttachedHere => C::DependencyViolation,
        D::SystemDisk => C::DiskTypeViolation,
        D::DiskStillAttached => C::DiskStillAttached,
        D::SizeOrSnapshotMissing => C::SizeOrSnapshotMissing,
        D::ZoneIdAndInstanceIdConflict => C::ZoneIdAndInstanceIdConflict,
        D::SnapshotNotFound => C::SnapshotNotFound,
        D::DiskCategoryNotSupported if op == Op::DescribeDisks => C::CategoryNotSupported,
        D::DiskCategoryNotSupported => C::DiskCategoryNotSupported,
        D::SystemDiskCategoryNotSupported => C::SystemDiskCategoryNotSupported,
        D::SizeNotSupported => C::SizeNotSupported,
        D::PerformanceLevelNotSupported => C::PerformanceLevelMalformed,
        D::OperationDenied => C::OperationDenied,
        D::TagQuota if dialect == Dialect::Ecs => C::TagQuotaExceed,
        D::TagQuota => C::QuotaExceed,
        D::StandbyDeviceAttached => C::StandbyDeviceAttached,
        D::ManualSyncLimit => C::ManualSyncLimit,
        D::NotAllowedForPrimary => C::OperateNotAllowedForPrimary,
        D::NotAllowedForStandby => C::OperateNotAllowedForStandby,
        D::GroupHasPair => C::GroupHasPair,
        D::GroupStatusCannotAddPair => C::GroupStatusCannotAddPair,
        D::GroupStatusCannotRemovePair => C::GroupStatusCannotRemovePair,
        D::GroupTotalDiskCapacityLimit => C::GroupTotalDiskCapacityLimit,
        D::NoPairInGroup => C::NoPairInGroup,
        D::PairGroupZoneConflict => C::PairGroupAZoneConflict,
        D::PairGroupStatusConflict => C::PairGroupStatusConflict,
        D::PairInAnotherGroup => C::PairInAnotherGroup,
        D::PairInitializing => C::PairInitializing,
        D::PairNotInGroup => C::PairNotInGroup,
        D::PairStatusCannotAddToGroup => C::PairStatusCannotAddToGroup,
        D::PairStatusCannotRemoveFromGroup => C::PairStatusCannotRemoveFromGroup,
        D::PairsExceedInGroup => C::PairsExceedInGroup,
        D::QuotaExceed => C::QuotaExceed,
        D::Quota(Kind::Instance) => C::InstanceQuotaExceed,
        D::Quota(Kind::Disk) => C::DiskQuotaExceed,
        D::Quota(_) => C::QuotaExceed,
        D::TooMuchEmptyGroup => C::TooMuchEmptyGroup,
        D::DiskAlreadyPaired | D::DiskMismatch => match dialect {
            Dialect::Ecs | Dialect::Vpc => C::IncorrectDiskStatusReplica,
            Dialect::Ebs => C::OperationDenied,
        },
        D::NetworkQuota => match op {
            Op::CreateVpc => C::VpcQuotaExceeded,
            Op::CreateVSwitch => C::VSwitchQuotaExceeded,
            _ => C::SecurityGroupQuotaExceed,
        },
        D::VpcHasVSwitches => C::VpcHasVSwitches,
        D::VpcHasSecurityGroups => C::VpcHasSecurityGroups,
        D::NetworkInUse => match op {
            Op::DeleteVpc => C::VpcHasInstances,
            Op::DeleteVSwitch => C::VSwitchHasInstances,
            _ => C::SecurityGroupHasInstances,
        },
        D::GroupNamedByRule => C::SecurityGroupNamedByRule,
        D::CidrOutsideVpc => C::CidrOutsideVpc,
        D::CidrOverlap => C::CidrOverlapped,
        D::RuleLimit => C::AuthorizationLimitExceed,
        D::SourceGroupNotFound => C::SourceGroupNotFound,
        D::SourceGroupIsSelf => C::SourceGroupIsSelf,
        D::SourceGroupVpcMismatch => C::SourceGroupVpcMismatch,
        D::GroupVSwitchVpcMismatch => C::GroupVSwitchVpcMismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Catalog;

    #[test]
    fn ids_look_like_the_real_ones() {
        let catalog = Catalog::builtin().unwrap();
        let hz = catalog.region("cn-hangzhou").unwrap();
        let mut ids = IdGen::new(Some(7));
        let i = AliyunNaming.id(Kind::Instance, hz, &mut ids);
        assert!(i.starts_with("i-bp1") && i.len() == 22, "{i}");
        let d = AliyunNaming.id(Kind::Disk, hz, &mut ids);
        assert!(d.starts_with("d-bp1") && d.len() == 22, "{d}");
        let p = AliyunNaming.id(Kind::ReplicaPair, hz, &mut ids);
        assert!(
            p.starts_with("pair-cn-") && p.len() == "pair-cn-".len() + 14,
            "{p}"
        );
        let g = AliyunNaming.id(Kind::ReplicaGroup, hz, &mut ids);
        assert!(g.starts_with("pg-") && g.len() == 19, "{g}");
        assert_eq!(AliyunNaming.host_name("i-bp1abc"), "iZbp1abcZ");
        let zone = &hz.zones[0];
        assert_eq!(
            AliyunNaming.network("i-bp1abc", hz, zone),
            ("vpc-bp1abc".into(), format!("vsw-{}-default", zone.id))
        );
        // A malformed seed id gives a name, not a panic.
        assert_eq!(AliyunNaming.host_name("x"), "iZxZ");
        assert_eq!(AliyunNaming.network("i-1", hz, zone).0, "vpc-bp1i-1");
    }

    #[test]
    fn spellings_round_trip() {
        for s in InstanceStatus::ALL {
            assert_eq!(parse_instance_status(instance_status(s)), Some(s));
        }
        for s in DiskStatus::ALL {
            assert_eq!(parse_disk_status(disk_status(s)), Some(s));
        }
        assert_eq!(disk_status(DiskStatus::InUse), "In_use");
        for m in [StopMode::KeepCharging, StopMode::StopCharging] {
            assert_eq!(parse_stop_mode(stop_mode(m)), Some(m));
        }
    }
}
