//! The statuses of every resource kind, and their union for errors that carry one.

use serde::{Deserialize, Serialize};

/// Instance status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Being created.
    Pending,
    /// Starting or restarting.
    Starting,
    /// Running.
    Running,
    /// Stopping.
    Stopping,
    /// Stopped.
    Stopped,
}

impl InstanceStatus {
    /// Every status, for validating filters.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Starting,
        Self::Running,
        Self::Stopping,
        Self::Stopped,
    ];
}

/// Disk status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiskStatus {
    /// Being created.
    Creating,
    /// Not attached.
    Available,
    /// Being attached.
    Attaching,
    /// Attached.
    InUse,
    /// Being detached.
    Detaching,
}

impl DiskStatus {
    /// Every status, for validating filters.
    pub const ALL: [Self; 5] = [
        Self::Creating,
        Self::Available,
        Self::Attaching,
        Self::InUse,
        Self::Detaching,
    ];
}

/// Status of a replica pair or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ReplicaStatus {
    Invalid,
    Creating,
    Created,
    CreateFailed,
    InitialSyncing,
    ManualSyncing,
    Syncing,
    Normal,
    Stopping,
    Stopped,
    StopFailed,
    Failovering,
    Failovered,
    FailoverFailed,
    Reprotecting,
    ReprotectFailed,
    Deleting,
    Deleted,
    DeleteFailed,
    /// A planned switchover of a synchronous group: the direction turns, no data is lost.
    Reversing,
    /// A group's membership or settings are being changed.
    Updating,
}

impl ReplicaStatus {
    /// Every status, for exhaustive table tests.
    pub const ALL: [Self; 21] = [
        Self::Invalid,
        Self::Creating,
        Self::Created,
        Self::CreateFailed,
        Self::InitialSyncing,
        Self::ManualSyncing,
        Self::Syncing,
        Self::Normal,
        Self::Stopping,
        Self::Stopped,
        Self::StopFailed,
        Self::Failovering,
        Self::Failovered,
        Self::FailoverFailed,
        Self::Reprotecting,
        Self::ReprotectFailed,
        Self::Deleting,
        Self::Deleted,
        Self::DeleteFailed,
        Self::Reversing,
        Self::Updating,
    ];

    /// True while data is being copied (progress moves from 0 to 100).
    pub fn is_syncing(self) -> bool {
        matches!(
            self,
            Self::InitialSyncing | Self::Syncing | Self::ManualSyncing
        )
    }
}

/// A resource's status, whichever kind of resource it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An instance's.
    Instance(InstanceStatus),
    /// A disk's.
    Disk(DiskStatus),
    /// A replica pair's or group's.
    Replica(ReplicaStatus),
}
