//! The operations the cloud offers, named once and independently of any dialect: dialects map
//! their actions onto these, and errors are worded per (dialect, operation).

use serde::{Deserialize, Serialize};

/// Every operation of the simulated cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Op {
    // compute
    CreateInstances,
    StartInstance,
    StopInstance,
    RebootInstance,
    DeleteInstance,
    DescribeInstances,
    DescribeInstanceStatus,
    CreateDisk,
    AttachDisk,
    DetachDisk,
    DeleteDisk,
    DescribeDisks,
    ExtendDisk,
    // catalog
    DescribeRegions,
    DescribeZones,
    DescribeImages,
    DescribeInstanceTypes,
    // replica pairs
    CreatePair,
    StartPair,
    StopPair,
    ModifyPair,
    DeletePair,
    FailoverPair,
    ReprotectPair,
    DescribePairs,
    DescribePairProgress,
    // replica groups
    CreateGroup,
    ModifyGroup,
    DeleteGroup,
    DescribeGroups,
    AddPairToGroup,
    RemovePairFromGroup,
    StartGroup,
    StopGroup,
    FailoverGroup,
    ReprotectGroup,
    UpdateGroup,
    ReverseGroup,
    ExtendGroup,
    // networks
    CreateVpc,
    DeleteVpc,
    DescribeVpcs,
    DescribeVpcAttribute,
    CreateVSwitch,
    DeleteVSwitch,
    DescribeVSwitches,
    DescribeVSwitchAttributes,
    CreateSecurityGroup,
    DeleteSecurityGroup,
    AuthorizeSecurityGroup,
    DescribeSecurityGroups,
    DescribeSecurityGroupAttribute,
    // attributes
    ModifyInstanceAttribute,
    DescribeInstanceAttribute,
    DescribeUserData,
    ModifyDiskAttribute,
    // tags
    TagResources,
    UntagResources,
    ListTagResources,
}

impl Op {
    /// True when the operation can change the world (reads only settle time-driven transitions).
    pub fn mutates(self) -> bool {
        !matches!(
            self,
            Self::DescribeInstances
                | Self::DescribeInstanceStatus
                | Self::DescribeDisks
                | Self::DescribeRegions
                | Self::DescribeZones
                | Self::DescribeImages
                | Self::DescribeInstanceTypes
                | Self::DescribePairs
                | Self::DescribePairProgress
                | Self::DescribeGroups
                | Self::DescribeVpcs
                | Self::DescribeVpcAttribute
                | Self::DescribeVSwitches
                | Self::DescribeVSwitchAttributes
                | Self::DescribeSecurityGroups
                | Self::DescribeSecurityGroupAttribute
                | Self::DescribeInstanceAttribute
                | Self::DescribeUserData
                | Self::ListTagResources
        )
    }

    /// True for the disk-replication family (pairs and groups).
    pub fn is_replication(self) -> bool {
        matches!(
            self,
            Self::CreatePair
                | Self::StartPair
                | Self::StopPair
                | Self::ModifyPair
                | Self::DeletePair
                | Self::FailoverPair
                | Self::ReprotectPair
                | Self::DescribePairs
                | Self::DescribePairProgress
                | Self::CreateGroup
                | Self::ModifyGroup
                | Self::DeleteGroup
                | Self::DescribeGroups
                | Self::AddPairToGroup
                | Self::RemovePairFromGroup
                | Self::StartGroup
                | Self::StopGroup
                | Self::FailoverGroup
                | Self::ReprotectGroup
                | Self::UpdateGroup
                | Self::ReverseGroup
                | Self::ExtendGroup
        )
    }
}
