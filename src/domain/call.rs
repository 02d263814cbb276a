//! Calls: every request a dialect can make of the cloud, as data, and the answers they get.
//! A call names its operation ([`Call::op`]), the resources it acts on and its region, so the
//! one path every call takes (logging, faults) needs no dialect to read it.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::attributes::{DiskChanges, InstanceChanges};
use super::catalog::Catalog;
use super::clock::Millis;
use super::compute_query::{DiskListing, DiskQuery, InstanceQuery, StatusQuery};
use super::disk::{Disk, NewDisk};
use super::instance::{Instance, NewInstance, StopMode};
use super::network::{
    NetQuery, NewSecurityGroup, NewVSwitch, NewVpc, Rule, SecurityGroup, VSwitch, Vpc,
};
use super::op::Op;
use super::query::Page;
use super::replica_group::{GroupChanges, NewGroup};
use super::replica_pair::{NewPair, PairChanges};
use super::replica_query::{GroupQuery, GroupRow, PairQuery, PairRow};
use super::tagging::{TagQuery, TagRow, TagTarget};
use super::tokens::{Fingerprint, RetryKey};
use super::Kind;

/// A ClientToken: the caller's name for one create or change, so that a retry is recognised.
/// What it is compared with on a retry is the call itself ([`Call::fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientToken {
    /// The token.
    pub token: String,
}

/// A pair or group named by a call, the region the call is made in, and its ClientToken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The call region.
    pub region: String,
    /// The pair or group.
    pub id: String,
    /// ClientToken.
    pub token: Option<ClientToken>,
}

/// One request to the cloud. Calls that change the world serialize (a write-ahead log keeps
/// them); reads do not need to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Call {
    CreateInstances {
        spec: NewInstance,
        amount: usize,
        token: Option<ClientToken>,
        dry_run: bool,
    },
    StartInstance {
        id: String,
        dry_run: bool,
    },
    StopInstance {
        id: String,
        mode: Option<StopMode>,
        dry_run: bool,
    },
    RebootInstance {
        id: String,
        dry_run: bool,
    },
    DeleteInstance {
        id: String,
        force: bool,
        dry_run: bool,
    },
    #[serde(skip)]
    DescribeInstances(InstanceQuery),
    #[serde(skip)]
    DescribeInstanceStatus(StatusQuery),
    /// A disk in a zone, or (with `instance_id`) in the instance's zone and attached to it.
    CreateDisk {
        region_id: String,
        instance_id: Option<String>,
        spec: NewDisk,
        token: Option<ClientToken>,
    },
    AttachDisk {
        instance_id: String,
        disk_id: String,
        delete_with_instance: Option<bool>,
    },
    DetachDisk {
        instance_id: String,
        disk_id: String,
    },
    DeleteDisk {
        id: String,
    },
    #[serde(skip)]
    DescribeDisks(DiskQuery),
    /// Disks of a region in creation order (newest first on request) after a marker, or one
    /// disk by id.
    #[serde(skip)]
    ListDisks(DiskListing),
    /// One disk grows (a pair it is in breaks).
    ExtendDisk {
        id: String,
        size: u32,
    },
    /// A read of the catalog itself; the dialect picks what it shows.
    #[serde(skip)]
    ReadCatalog(Op),
    CreatePair {
        spec: NewPair,
        token: Option<ClientToken>,
    },
    StartPair {
        target: Target,
        one_shot: bool,
    },
    StopPair(Target),
    ModifyPair {
        target: Target,
        changes: PairChanges,
    },
    DeletePair(Target),
    FailoverPair(Target),
    ReprotectPair {
        target: Target,
        reverse: bool,
    },
    #[serde(skip)]
    DescribePairs(PairQuery),
    #[serde(skip)]
    DescribePairProgress {
        region: String,
        id: String,
    },
    CreateGroup {
        spec: NewGroup,
        token: Option<ClientToken>,
    },
    ModifyGroup {
        target: Target,
        changes: GroupChanges,
    },
    DeleteGroup(Target),
    AddPairToGroup {
        target: Target,
        pair_id: String,
    },
    RemovePairFromGroup {
        target: Target,
        pair_id: String,
    },
    StartGroup {
        target: Target,
        one_shot: bool,
    },
    StopGroup(Target),
    FailoverGroup(Target),
    ReprotectGroup {
        target: Target,
        reverse: bool,
    },
    #[serde(skip)]
    DescribeGroups(GroupQuery),
    /// Settings and membership of a group in one step.
    UpdateGroup {
        target: Target,
        changes: GroupChanges,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Planned switchover of a synchronous group.
    ReverseGroup(Target),
    /// Grow both disks of some members: (pair, new size in GiB).
    ExtendGroup {
        target: Target,
        sizes: Vec<(String, u32)>,
    },
    CreateVpc {
        spec: NewVpc,
        token: Option<ClientToken>,
    },
    DeleteVpc {
        region_id: String,
        id: String,
    },
    #[serde(skip)]
    DescribeVpcs(NetQuery),
    /// One VPC by id (the query names it); NotFound when there is none.
    #[serde(skip)]
    DescribeVpcAttribute(NetQuery),
    CreateVSwitch {
        spec: NewVSwitch,
        token: Option<ClientToken>,
    },
    DeleteVSwitch {
        region_id: String,
        id: String,
    },
    #[serde(skip)]
    DescribeVSwitches(NetQuery),
    /// One vSwitch by id (the query names it); NotFound when there is none.
    #[serde(skip)]
    DescribeVSwitchAttributes(NetQuery),
    CreateSecurityGroup {
        spec: NewSecurityGroup,
        token: Option<ClientToken>,
    },
    DeleteSecurityGroup {
        region_id: String,
        id: String,
    },
    AuthorizeSecurityGroup {
        region_id: String,
        id: String,
        rules: Vec<Rule>,
    },
    #[serde(skip)]
    DescribeSecurityGroups(NetQuery),
    #[serde(skip)]
    DescribeSecurityGroupAttribute {
        region_id: String,
        id: String,
    },
    ModifyInstanceAttribute {
        id: String,
        changes: InstanceChanges,
    },
    #[serde(skip)]
    DescribeInstanceAttribute {
        id: String,
    },
    #[serde(skip)]
    DescribeUserData {
        region: String,
        id: String,
    },
    /// One or more disks change alike.
    ModifyDiskAttribute {
        ids: Vec<String>,
        changes: DiskChanges,
    },
    TagResources {
        target: TagTarget,
        tags: Vec<(String, String)>,
    },
    /// Removes the tags with these keys, or every tag with `all`.
    UntagResources {
        target: TagTarget,
        keys: Vec<String>,
        all: bool,
    },
    #[serde(skip)]
    ListTagResources(TagQuery),
}

/// What a call answers. Describe pages borrow from the world: they are encoded before the
/// world is unlocked, so nothing large is copied.
#[derive(Debug)]
#[allow(missing_docs)]
pub enum Answer<'s> {
    /// Done; nothing to tell.
    Done,
    /// The ids of what was created.
    Created(Vec<String>),
    Instances {
        page: Page<&'s Instance>,
        catalog: &'s Catalog,
    },
    InstanceStatuses(Page<&'s Instance>),
    Disks(Page<&'s Disk>),
    /// A disk listing, and for each disk whether a pair holds it.
    DiskList {
        page: Page<&'s Disk>,
        paired: Vec<bool>,
    },
    Catalog(&'s Catalog),
    Pairs(Page<PairRow>),
    Groups(Page<GroupRow>),
    Progress {
        percent: u8,
        recover_point: Option<Millis>,
    },
    /// VPCs, with each one's vSwitch ids.
    Vpcs(Page<(&'s Vpc, Vec<&'s str>)>),
    /// vSwitches, with how many instances each holds.
    VSwitches(Page<(&'s VSwitch, usize)>),
    /// Security groups, with how many instances each holds.
    SecurityGroups(Page<(&'s SecurityGroup, usize)>),
    SecurityGroup(&'s SecurityGroup),
    /// One instance.
    Instance {
        instance: &'s Instance,
        catalog: &'s Catalog,
    },
    TagRows(Page<TagRow<'s>>),
}

impl Call {
    /// The operation.
    pub fn op(&self) -> Op {
        match self {
            Self::CreateInstances { .. } => Op::CreateInstances,
            Self::StartInstance { .. } => Op::StartInstance,
            Self::StopInstance { .. } => Op::StopInstance,
            Self::RebootInstance { .. } => Op::RebootInstance,
            Self::DeleteInstance { .. } => Op::DeleteInstance,
            Self::DescribeInstances(_) => Op::DescribeInstances,
            Self::DescribeInstanceStatus(_) => Op::DescribeInstanceStatus,
            Self::CreateDisk { .. } => Op::CreateDisk,
            Self::AttachDisk { .. } => Op::AttachDisk,
            Self::DetachDisk { .. } => Op::DetachDisk,
            Self::DeleteDisk { .. } => Op::DeleteDisk,
            Self::DescribeDisks(_) | Self::ListDisks(_) => Op::DescribeDisks,
            Self::ExtendDisk { .. } => Op::ExtendDisk,
            Self::ReadCatalog(op) => *op,
            Self::CreatePair { .. } => Op::CreatePair,
            Self::StartPair { .. } => Op::StartPair,
            Self::StopPair(_) => Op::StopPair,
            Self::ModifyPair { .. } => Op::ModifyPair,
            Self::DeletePair(_) => Op::DeletePair,
            Self::FailoverPair(_) => Op::FailoverPair,
            Self::ReprotectPair { .. } => Op::ReprotectPair,
            Self::DescribePairs(_) => Op::DescribePairs,
            Self::DescribePairProgress { .. } => Op::DescribePairProgress,
            Self::CreateGroup { .. } => Op::CreateGroup,
            Self::ModifyGroup { .. } => Op::ModifyGroup,
            Self::DeleteGroup(_) => Op::DeleteGroup,
            Self::AddPairToGroup { .. } => Op::AddPairToGroup,
            Self::RemovePairFromGroup { .. } => Op::RemovePairFromGroup,
            Self::StartGroup { .. } => Op::StartGroup,
            Self::StopGroup(_) => Op::StopGroup,
            Self::FailoverGroup(_) => Op::FailoverGroup,
            Self::ReprotectGroup { .. } => Op::ReprotectGroup,
            Self::DescribeGroups(_) => Op::DescribeGroups,
            Self::UpdateGroup { .. } => Op::UpdateGroup,
            Self::ReverseGroup(_) => Op::ReverseGroup,
            Self::ExtendGroup { .. } => Op::ExtendGroup,
            Self::CreateVpc { .. } => Op::CreateVpc,
            Self::DeleteVpc { .. } => Op::DeleteVpc,
            Self::DescribeVpcs(_) => Op::DescribeVpcs,
            Self::DescribeVpcAttribute(_) => Op::DescribeVpcAttribute,
            Self::DescribeVSwitchAttributes(_) => Op::DescribeVSwitchAttributes,
            Self::CreateVSwitch { .. } => Op::CreateVSwitch,
            Self::DeleteVSwitch { .. } => Op::DeleteVSwitch,
            Self::DescribeVSwitches(_) => Op::DescribeVSwitches,
            Self::CreateSecurityGroup { .. } => Op::CreateSecurityGroup,
            Self::DeleteSecurityGroup { .. } => Op::DeleteSecurityGroup,
            Self::AuthorizeSecurityGroup { .. } => Op::AuthorizeSecurityGroup,
            Self::DescribeSecurityGroups(_) => Op::DescribeSecurityGroups,
            Self::DescribeSecurityGroupAttribute { .. } => Op::DescribeSecurityGroupAttribute,
            Self::ModifyInstanceAttribute { .. } => Op::ModifyInstanceAttribute,
            Self::DescribeInstanceAttribute { .. } => Op::DescribeInstanceAttribute,
            Self::DescribeUserData { .. } => Op::DescribeUserData,
            Self::ModifyDiskAttribute { .. } => Op::ModifyDiskAttribute,
            Self::TagResources { .. } => Op::TagResources,
            Self::UntagResources { .. } => Op::UntagResources,
            Self::ListTagResources(_) => Op::ListTagResources,
        }
    }

    /// The resources the call acts on (not those a Describe merely filters by): at most two.
    pub fn targets(&self) -> impl Iterator<Item = (Kind, &str)> {
        use Kind::{Disk, Instance, ReplicaGroup, ReplicaPair, SecurityGroup, VSwitch, Vpc};
        fn one(a: (Kind, &str)) -> [Option<(Kind, &str)>; 2] {
            [Some(a), None]
        }
        fn two<'a>(a: (Kind, &'a str), b: (Kind, &'a str)) -> [Option<(Kind, &'a str)>; 2] {
            [Some(a), Some(b)]
        }
        let list: [Option<(Kind, &str)>; 2] = match self {
            Self::StartInstance { id, .. }
            | Self::StopInstance { id, .. }
            | Self::RebootInstance { id, .. }
            | Self::DeleteInstance { id, .. }
            | Self::ModifyInstanceAttribute { id, .. }
            | Self::DescribeInstanceAttribute { id }
            | Self::DescribeUserData { id, .. } => one((Instance, id)),
            Self::ModifyDiskAttribute { ids, .. } => match ids.first() {
                Some(id) => one((Disk, id)),
                None => [None, None],
            },
            Self::TagResources { target, .. } | Self::UntagResources { target, .. } => {
                match target.ids.first() {
                    Some(id) => one((target.kind, id)),
                    None => [None, None],
                }
            }
            Self::CreateDisk {
                instance_id: Some(i),
                ..
            } => one((Instance, i)),
            Self::AttachDisk {
                instance_id,
                disk_id,
                ..
            }
            | Self::DetachDisk {
                instance_id,
                disk_id,
            } => two((Instance, instance_id), (Disk, disk_id)),
            Self::DeleteDisk { id } | Self::ExtendDisk { id, .. } => one((Disk, id)),
            Self::CreatePair { spec, .. } => two(
                (Disk, spec.disk_id.as_str()),
                (Disk, spec.destination_disk_id.as_str()),
            ),
            Self::StartPair { target, .. }
            | Self::ModifyPair { target, .. }
            | Self::ReprotectPair { target, .. }
            | Self::StopPair(target)
            | Self::DeletePair(target)
            | Self::FailoverPair(target) => one((ReplicaPair, &target.id)),
            Self::DescribePairProgress { id, .. } => one((ReplicaPair, id)),
            Self::AddPairToGroup { target, pair_id }
            | Self::RemovePairFromGroup { target, pair_id } => {
                two((ReplicaGroup, &target.id), (ReplicaPair, pair_id))
            }
            Self::ModifyGroup { target, .. }
            | Self::StartGroup { target, .. }
            | Self::ReprotectGroup { target, .. }
            | Self::DeleteGroup(target)
            | Self::StopGroup(target)
            | Self::FailoverGroup(target)
            | Self::UpdateGroup { target, .. }
            | Self::ReverseGroup(target)
            | Self::ExtendGroup { target, .. } => one((ReplicaGroup, &target.id)),
            Self::CreateVSwitch { spec, .. } => one((Vpc, &spec.vpc_id)),
            Self::DeleteVpc { id, .. } => one((Vpc, id)),
            Self::DeleteVSwitch { id, .. } => one((VSwitch, id)),
            Self::DeleteSecurityGroup { id, .. }
            | Self::AuthorizeSecurityGroup { id, .. }
            | Self::DescribeSecurityGroupAttribute { id, .. } => one((SecurityGroup, id)),
            _ => [None, None],
        };
        list.into_iter().flatten()
    }

    /// The ClientToken the call carries, if any.
    pub fn token(&self) -> Option<&ClientToken> {
        match self {
            Self::CreateInstances { token, .. }
            | Self::CreateDisk { token, .. }
            | Self::CreatePair { token, .. }
            | Self::CreateGroup { token, .. }
            | Self::CreateVpc { token, .. }
            | Self::CreateVSwitch { token, .. }
            | Self::CreateSecurityGroup { token, .. } => token.as_ref(),
            Self::StartPair { target, .. }
            | Self::ModifyPair { target, .. }
            | Self::ReprotectPair { target, .. }
            | Self::StopPair(target)
            | Self::DeletePair(target)
            | Self::FailoverPair(target)
            | Self::AddPairToGroup { target, .. }
            | Self::RemovePairFromGroup { target, .. }
            | Self::ModifyGroup { target, .. }
            | Self::StartGroup { target, .. }
            | Self::ReprotectGroup { target, .. }
            | Self::DeleteGroup(target)
            | Self::StopGroup(target)
            | Self::FailoverGroup(target) => target.token.as_ref(),
            _ => None,
        }
    }

    /// A fixed-size digest of everything the call asks for, token included (a retry carries the
    /// same one). It is taken from the decoded call, never the raw request, so parameters the
    /// operation does not read (unknown ones, nonces, signatures) neither count nor are kept.
    ///
    /// The digest is of the call's `Debug` rendering, streamed into SHA-256: every call type
    /// derives `Debug` over all its fields (ordered collections only), so a field added later
    /// is covered without a second list to keep in step.
    pub fn fingerprint(&self) -> Fingerprint {
        struct Hashing(Sha256);
        impl std::fmt::Write for Hashing {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.update(s.as_bytes());
                Ok(())
            }
        }
        let mut h = Hashing(Sha256::new());
        // Writing into a hasher cannot fail.
        let _ = write!(h, "{self:?}");
        Fingerprint(h.0.finalize().into())
    }

    /// The token with the call's fingerprint, when the call carries a token.
    pub fn retry_key(&self) -> Option<RetryKey> {
        self.token().map(|t| RetryKey {
            token: t.token.clone(),
            fingerprint: self.fingerprint(),
        })
    }

    /// The region the call is made in, when it names one.
    pub fn region(&self) -> Option<&str> {
        match self {
            Self::CreateInstances { spec, .. } => Some(&spec.region_id),
            Self::DescribeInstances(q) => Some(&q.region_id),
            Self::DescribeInstanceStatus(q) => Some(&q.region_id),
            Self::CreateDisk { region_id, .. } => Some(region_id),
            Self::DescribeDisks(q) => Some(&q.region_id),
            Self::ListDisks(q) => Some(&q.region_id),
            Self::CreatePair { spec, .. } => Some(&spec.region_id),
            Self::CreateGroup { spec, .. } => Some(&spec.region_id),
            Self::DescribePairs(q) => Some(&q.region_id),
            Self::DescribeGroups(q) => Some(&q.region_id),
            Self::DescribePairProgress { region, .. } => Some(region),
            Self::DescribeUserData { region, .. } => Some(region),
            Self::TagResources { target, .. } | Self::UntagResources { target, .. } => {
                Some(&target.region_id)
            }
            Self::ListTagResources(q) => Some(&q.region_id),
            Self::StartPair { target, .. }
            | Self::ModifyPair { target, .. }
            | Self::ReprotectPair { target, .. }
            | Self::StopPair(target)
            | Self::DeletePair(target)
            | Self::FailoverPair(target)
            | Self::AddPairToGroup { target, .. }
            | Self::RemovePairFromGroup { target, .. }
            | Self::ModifyGroup { target, .. }
            | Self::StartGroup { target, .. }
            | Self::ReprotectGroup { target, .. }
            | Self::DeleteGroup(target)
            | Self::StopGroup(target)
            | Self::FailoverGroup(target)
            | Self::UpdateGroup { target, .. }
            | Self::ReverseGroup(target)
            | Self::ExtendGroup { target, .. } => Some(&target.region),
            Self::CreateVpc { spec, .. } => Some(&spec.region_id),
            Self::CreateVSwitch { spec, .. } => Some(&spec.region_id),
            Self::CreateSecurityGroup { spec, .. } => Some(&spec.region_id),
            Self::DescribeVpcs(q)
            | Self::DescribeVSwitches(q)
            | Self::DescribeSecurityGroups(q) => Some(&q.region_id),
            Self::DeleteVpc { region_id, .. }
            | Self::DeleteVSwitch { region_id, .. }
            | Self::DeleteSecurityGroup { region_id, .. }
            | Self::AuthorizeSecurityGroup { region_id, .. }
            | Self::DescribeSecurityGroupAttribute { region_id, .. } => Some(region_id),
            _ => None,
        }
    }
}
