//! Semantic errors of the simulated cloud; every dialect decides how each is spelled on its wire.

use serde::{Deserialize, Serialize};

pub use super::status::Status;

/// The kinds of things the cloud holds or knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A compute instance.
    Instance,
    /// A block-storage disk.
    Disk,
    /// A public image.
    Image,
    /// A region.
    Region,
    /// A zone.
    Zone,
    /// An instance type.
    InstanceType,
    /// A virtual switch.
    VSwitch,
    /// A virtual private cloud.
    Vpc,
    /// A security group.
    SecurityGroup,
    /// A disk replica pair.
    ReplicaPair,
    /// A disk replica (consistency) group.
    ReplicaGroup,
}

/// The fields of a request the domain itself judges (everything else is checked by the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The destination region of a pair or group.
    DestinationRegion,
    /// The source zone of a pair or group.
    SourceZone,
    /// The destination zone of a pair or group.
    DestinationZone,
}

/// Why an operation is refused although the resource exists and is in a fitting status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Denial {
    // instances
    SecurityLock,
    InsufficientBalance,
    DiskError,
    ExpiredPostPaid,
    ExpiredPrePaid,
    ExpiredOrInArrears,
    NotReady,
    DiskInArrears,
    NoStock,
    SpotPriceTooLow,
    KmsUnauthorized,
    // disks
    DiskNotPortable,
    NotInSameZone,
    InstanceDiskLimit,
    DiskInUse,
    DiskAlreadyDetached,
    NotAttachedHere,
    SystemDisk,
    DiskStillAttached,
    SizeOrSnapshotMissing,
    ZoneIdAndInstanceIdConflict,
    SnapshotNotFound,
    DiskCategoryNotSupported,
    SystemDiskCategoryNotSupported,
    SizeNotSupported,
    PerformanceLevelNotSupported,
    // replication
    OperationDenied,
    DiskAlreadyPaired,
    /// The two disks of a pair differ in category, level or size, share a zone, or are of a
    /// category that does not replicate.
    DiskMismatch,
    StandbyDeviceAttached,
    ManualSyncLimit,
    NotAllowedForPrimary,
    NotAllowedForStandby,
    GroupHasPair,
    GroupStatusCannotAddPair,
    GroupStatusCannotRemovePair,
    GroupTotalDiskCapacityLimit,
    NoPairInGroup,
    PairGroupZoneConflict,
    PairGroupStatusConflict,
    PairInAnotherGroup,
    PairInitializing,
    PairNotInGroup,
    PairStatusCannotAddToGroup,
    PairStatusCannotRemoveFromGroup,
    PairsExceedInGroup,
    QuotaExceed,
    TooMuchEmptyGroup,
    /// The account holds as many resources of this kind as its quota allows.
    Quota(Kind),
    // networks
    /// A region's VPCs, a VPC's vSwitches or a region's security groups are at their limit.
    NetworkQuota,
    VpcHasVSwitches,
    VpcHasSecurityGroups,
    /// An instance is still in the VPC, vSwitch or security group.
    NetworkInUse,
    /// Another group's rule names the security group.
    GroupNamedByRule,
    CidrOutsideVpc,
    CidrOverlap,
    /// The security group holds as many rules as it may.
    RuleLimit,
    /// A rule's peer group does not exist.
    SourceGroupNotFound,
    /// A rule names its own group as the peer.
    SourceGroupIsSelf,
    /// A rule's peer group is in another VPC.
    SourceGroupVpcMismatch,
    /// An instance's security group and vSwitch are in different VPCs.
    GroupVSwitchVpcMismatch,
    // tags
    /// A resource would carry more tags than allowed.
    TagQuota,
}

/// Everything a domain operation can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No such resource in the caller's account.
    #[error("{kind:?} {id} not found")]
    NotFound {
        /// What was looked for.
        kind: Kind,
        /// The id asked for.
        id: String,
    },
    /// The resource's status does not allow the operation.
    #[error("{kind:?} {id} is {status:?}; not allowed")]
    IncorrectStatus {
        /// The resource kind.
        kind: Kind,
        /// Its id.
        id: String,
        /// Its current status.
        status: Status,
    },
    /// Refused for a documented reason other than status.
    #[error("denied: {0:?}")]
    Denied(Denial),
    /// A value the domain cannot accept (wire-level checks happen before).
    #[error("invalid {0:?}")]
    InvalidField(Field),
    /// A DryRun request passed every check (the wire answers its dry-run code).
    #[error("dry run passed")]
    DryRun,
    /// A ClientToken reused with different parameters.
    #[error("client token reused with other parameters")]
    IdempotentParameterMismatch,
    /// A broken invariant: a bug.
    #[error("internal: {0}")]
    Internal(String),
}

/// Result of a domain operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(kind: Kind, id: &str) -> Self {
        Self::NotFound {
            kind,
            id: id.to_owned(),
        }
    }

    /// Shorthand for [`Error::IncorrectStatus`].
    pub fn status(kind: Kind, id: &str, status: Status) -> Self {
        Self::IncorrectStatus {
            kind,
            id: id.to_owned(),
            status,
        }
    }
}
