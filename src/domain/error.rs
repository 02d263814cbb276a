//! Semantic errors of the simulated cloud; the wire layers decide how each is spelled.

/// The kinds of things the cloud holds or knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An ECS instance.
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
    /// A disk replica pair.
    ReplicaPair,
    /// A disk replica (consistency) group.
    ReplicaGroup,
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
    InjectedInternalError,
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
    /// The two disks of a pair differ in category, level or size, share a zone, or are not ESSD.
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
    #[error("{kind:?} {id} is {status}; {operation} not allowed")]
    IncorrectStatus {
        /// The resource kind.
        kind: Kind,
        /// Its id.
        id: String,
        /// Its current status, as the domain names it.
        status: &'static str,
        /// The refused operation.
        operation: &'static str,
    },
    /// Refused for a documented reason other than status.
    #[error("denied: {0:?}")]
    Denied(Denial),
    /// A value the domain cannot accept (wire-level checks happen before).
    #[error("invalid parameter {name}")]
    InvalidParameter {
        /// The parameter's wire name.
        name: &'static str,
    },
    /// A value the operation needs was not given.
    #[error("missing parameter {name}")]
    MissingParameter {
        /// The parameter's wire name.
        name: &'static str,
    },
    /// A DryRun request passed every check (the wire answers DryRunOperation).
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
}
