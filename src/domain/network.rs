//! Networks as records: VPCs, vSwitches and security groups (with their rules), each with a
//! real id, a status, an address block and Describe calls, but no traffic. Once an account has
//! made any of them in a region, instances created there are checked against them.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::call::{Answer, Call};
use super::clock::Millis;
use super::query::{slice, wildcard, Page, PageRequest};
use super::tokens::RetryKey;
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// VPCs one account may hold in one region.
pub const MAX_VPCS_PER_REGION: usize = 10;
/// vSwitches one VPC may hold (the documented limit).
pub const MAX_VSWITCHES_PER_VPC: usize = 24;
/// Security groups one account may hold in one region.
pub const MAX_SECURITY_GROUPS_PER_REGION: usize = 100;
/// Rules one security group may hold.
pub const MAX_RULES_PER_GROUP: usize = 200;

/// An IPv4 address block, base address aligned to its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr {
    base: u32,
    len: u8,
}

impl Cidr {
    /// `a.b.c.d/n`, with no host bits set; `None` otherwise.
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, len) = s.split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let len: u8 = len.parse().ok()?;
        if len > 32 {
            return None;
        }
        let c = Self {
            base: u32::from(addr),
            len,
        };
        (c.base & !c.mask() == 0).then_some(c)
    }

    fn mask(self) -> u32 {
        u32::MAX.checked_shl(32 - u32::from(self.len)).unwrap_or(0)
    }

    /// The prefix length.
    pub fn prefix_len(self) -> u8 {
        self.len
    }

    /// True when `other` lies wholly inside this block.
    pub fn contains(self, other: Cidr) -> bool {
        other.len >= self.len && other.base & self.mask() == self.base
    }

    /// True when the two blocks share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// How many addresses the block holds.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    /// The `n`-th address of the block (wrapping inside it), skipping the first, which the
    /// cloud reserves.
    pub fn host(self, n: u64) -> Ipv4Addr {
        let usable = self.size().saturating_sub(4).max(1);
        let offset = u32::try_from(n % usable + 1).unwrap_or(1);
        Ipv4Addr::from(self.base.wrapping_add(offset))
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.len)
    }
}

impl TryFrom<String> for Cidr {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("{s:?} is not an aligned IPv4 CIDR block"))
    }
}

impl From<Cidr> for String {
    fn from(c: Cidr) -> Self {
        c.to_string()
    }
}

/// A virtual private cloud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    /// Id.
    pub id: String,
    /// Creation order within the account.
    pub seq: u64,
    /// Region.
    pub region_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Address block.
    pub cidr: Cidr,
    /// Creation time.
    pub created_at: Millis,
}

/// A virtual switch: one zone's share of a VPC's addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VSwitch {
    /// Id.
    pub id: String,
    /// Creation order within the account.
    pub seq: u64,
    /// Region.
    pub region_id: String,
    /// The VPC it belongs to.
    pub vpc_id: String,
    /// Zone.
    pub zone_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Address block (inside the VPC's).
    pub cidr: Cidr,
    /// Creation time.
    pub created_at: Millis,
}

/// The two kinds of security group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// Basic.
    #[default]
    Normal,
    /// Advanced.
    Enterprise,
}

/// Which traffic a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Inbound.
    #[default]
    Ingress,
    /// Outbound.
    Egress,
}

/// The protocols a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Gre,
    All,
}

/// What a rule does with matching traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Let it through.
    #[default]
    Accept,
    /// Drop it.
    Drop,
}

/// One permission of a security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Inbound or outbound.
    pub direction: Direction,
    /// Protocol.
    pub protocol: Protocol,
    /// First and last port; (-1, -1) for protocols without ports.
    pub ports: (i32, i32),
    /// The peer's address block, empty when the peer is a group.
    pub peer_cidr: String,
    /// The peer security group, empty when the peer is an address block.
    pub peer_group: String,
    /// Accept or drop.
    pub policy: Policy,
    /// 1 (first) to 100.
    pub priority: u8,
    /// Internet or intranet side (classic network only).
    pub internet: bool,
    /// Description.
    pub description: String,
    /// When it was added.
    #[serde(default)]
    pub created_at: Millis,
}

impl Rule {
    /// Same rule, whatever its description and time.
    fn same(&self, other: &Rule) -> bool {
        let key = |r: &Rule| {
            (
                r.direction,
                r.protocol,
                r.ports,
                r.peer_cidr.clone(),
                r.peer_group.clone(),
                r.policy,
                r.priority,
                r.internet,
            )
        };
        key(self) == key(other)
    }
}

/// A security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Id.
    pub id: String,
    /// Creation order within the account.
    pub seq: u64,
    /// Region.
    pub region_id: String,
    /// The VPC it belongs to (empty: classic network).
    pub vpc_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Basic or advanced.
    pub kind: GroupKind,
    /// Rules in the order added.
    pub rules: Vec<Rule>,
    /// Creation time.
    pub created_at: Millis,
}

/// One account's network records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    /// VPCs by id.
    pub vpcs: BTreeMap<String, Vpc>,
    /// vSwitches by id.
    pub vswitches: BTreeMap<String, VSwitch>,
    /// Security groups by id.
    pub security_groups: BTreeMap<String, SecurityGroup>,
}

impl Network {
    /// True when the account has no network records (the document then leaves them out).
    pub fn is_empty(&self) -> bool {
        self.vpcs.is_empty() && self.vswitches.is_empty() && self.security_groups.is_empty()
    }

    /// True when instances created in `region` are checked against the records: once the
    /// account has any VPC or security group there. Until then a create names whatever
    /// vSwitch and groups it likes, as it always could.
    pub fn guards(&self, region: &str) -> bool {
        self.vpcs.values().any(|v| v.region_id == region)
            || self.security_groups.values().any(|g| g.region_id == region)
    }

    /// The vSwitches of a VPC, in creation order.
    pub fn vswitches_of<'s>(&'s self, vpc_id: &'s str) -> impl Iterator<Item = &'s VSwitch> + 's {
        let mut v: Vec<&VSwitch> = self
            .vswitches
            .values()
            .filter(|s| s.vpc_id == vpc_id)
            .collect();
        v.sort_by_key(|s| s.seq);
        v.into_iter()
    }

    /// Checks what deserializing cannot: ids under their keys, and every reference resolving.
    ///
    /// # Errors
    /// The first problem, naming the record and field.
    pub fn check(&self, zone_region: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
        for (k, v) in &self.vpcs {
            if *k != v.id {
                return Err(format!(
                    "network.vpcs[{k:?}].id: {:?} differs from its key",
                    v.id
                ));
            }
        }
        for (k, s) in &self.vswitches {
            if *k != s.id {
                return Err(format!(
                    "network.vswitches[{k:?}].id: {:?} differs from its key",
                    s.id
                ));
            }
            match self.vpcs.get(&s.vpc_id) {
                Some(v) if v.region_id == s.region_id && v.cidr.contains(s.cidr) => {}
                _ => {
                    return Err(format!(
                        "network.vswitches[{k:?}].vpc_id: no VPC {:?} of that region holding {}",
                        s.vpc_id, s.cidr
                    ))
                }
            }
            if zone_region(&s.zone_id).as_deref() != Some(s.region_id.as_str()) {
                return Err(format!(
                    "network.vswitches[{k:?}].zone_id: {:?} is not a zone of {:?}",
                    s.zone_id, s.region_id
                ));
            }
        }
        for (k, g) in &self.security_groups {
            if *k != g.id {
                return Err(format!(
                    "network.security_groups[{k:?}].id: {:?} differs from its key",
                    g.id
                ));
            }
            if !g.vpc_id.is_empty() && !self.vpcs.contains_key(&g.vpc_id) {
                return Err(format!(
                    "network.security_groups[{k:?}].vpc_id: no VPC {:?}",
                    g.vpc_id
                ));
            }
            if g.rules.len() > MAX_RULES_PER_GROUP {
                return Err(format!(
                    "network.security_groups[{k:?}].rules: more than {MAX_RULES_PER_GROUP}"
                ));
            }
        }
        Ok(())
    }
}

/// What CreateVpc asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVpc {
    /// Region.
    pub region_id: String,
    /// Address block (the cloud's default when none is given).
    pub cidr: Option<Cidr>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// What CreateVSwitch asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVSwitch {
    /// Region.
    pub region_id: String,
    /// VPC.
    pub vpc_id: String,
    /// Zone.
    pub zone_id: String,
    /// Address block.
    pub cidr: Cidr,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// What CreateSecurityGroup asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSecurityGroup {
    /// Region.
    pub region_id: String,
    /// VPC (empty: classic network).
    pub vpc_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Basic or advanced.
    pub kind: GroupKind,
}

/// The filters of the network Describe calls (all AND-ed; `None` = no filter).
#[derive(Debug, Clone, PartialEq)]
pub struct NetQuery {
    /// Region.
    pub region_id: String,
    /// Only these ids.
    pub ids: Option<Vec<String>>,
    /// Only records of this VPC.
    pub vpc_id: Option<String>,
    /// Only records in this zone (vSwitches).
    pub zone_id: Option<String>,
    /// Name (`*` wildcards).
    pub name: Option<String>,
    /// The page.
    pub page: PageRequest,
}

impl NetQuery {
    /// The one id a by-id query names.
    fn named(&self) -> String {
        self.ids
            .as_ref()
            .and_then(|ids| ids.first())
            .cloned()
            .unwrap_or_default()
    }

    fn keeps(&self, region: &str, id: &str, vpc: &str, zone: &str, name: &str) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        region == self.region_id
            && self
                .ids
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|i| i == id))
            && eq(&self.vpc_id, vpc)
            && eq(&self.zone_id, zone)
            && self.name.as_deref().is_none_or(|n| wildcard(n, name))
    }
}

/// The cloud's default VPC block.
const DEFAULT_VPC_CIDR: Cidr = Cidr {
    base: 0xAC10_0000,
    len: 12,
};

impl Scope<'_> {
    /// Runs a network call (the dispatch hands every one here).
    ///
    /// # Errors
    /// Whatever the operation refuses with.
    pub(super) fn apply_network(
        &mut self,
        call: Call,
        key: Option<&RetryKey>,
    ) -> Result<Answer<'_>> {
        let op = call.op();
        let created = |ids: Vec<String>| Ok(Answer::Created(ids));
        match call {
            Call::CreateVpc { spec, .. } => {
                created(self.idempotent(op, key, |s| s.create_vpc(&spec).map(|id| vec![id]))?)
            }
            Call::CreateVSwitch { spec, .. } => {
                created(self.idempotent(op, key, |s| s.create_vswitch(&spec).map(|id| vec![id]))?)
            }
            Call::CreateSecurityGroup { spec, .. } => created(self.idempotent(op, key, |s| {
                s.create_security_group(&spec).map(|id| vec![id])
            })?),
            Call::DeleteVpc { region_id, id } => {
                self.delete_vpc(&region_id, &id).map(|()| Answer::Done)
            }
            Call::DeleteVSwitch { region_id, id } => {
                self.delete_vswitch(&region_id, &id).map(|()| Answer::Done)
            }
            Call::DeleteSecurityGroup { region_id, id } => self
                .delete_security_group(&region_id, &id)
                .map(|()| Answer::Done),
            Call::AuthorizeSecurityGroup {
                region_id,
                id,
                rules,
            } => self
                .authorize_security_group(&region_id, &id, rules)
                .map(|()| Answer::Done),
            Call::DescribeVpcAttribute(q) => {
                let page = self.describe_vpcs(&q)?;
                if page.total == 0 {
                    return Err(Error::not_found(Kind::Vpc, &q.named()));
                }
                let net = &self.account.network;
                Ok(Answer::Vpcs(page_map(page, |v| {
                    (v, net.vswitches_of(&v.id).map(|s| s.id.as_str()).collect())
                })))
            }
            Call::DescribeVSwitchAttributes(q) => {
                let page = self.describe_vswitches(&q)?;
                if page.total == 0 {
                    return Err(Error::not_found(Kind::VSwitch, &q.named()));
                }
                Ok(Answer::VSwitches(page_map(page, |s| {
                    (s, self.instances_in_vswitch(&s.id))
                })))
            }
            Call::DescribeVpcs(q) => {
                let page = self.describe_vpcs(&q)?;
                let net = &self.account.network;
                Ok(Answer::Vpcs(page_map(page, |v| {
                    (v, net.vswitches_of(&v.id).map(|s| s.id.as_str()).collect())
                })))
            }
            Call::DescribeVSwitches(q) => {
                let page = self.describe_vswitches(&q)?;
                Ok(Answer::VSwitches(page_map(page, |s| {
                    (s, self.instances_in_vswitch(&s.id))
                })))
            }
            Call::DescribeSecurityGroups(q) => {
                let page = self.describe_security_groups(&q)?;
                Ok(Answer::SecurityGroups(page_map(page, |g| {
                    (g, self.instances_in_group(&g.id))
                })))
            }
            Call::DescribeSecurityGroupAttribute { region_id, id } => self
                .security_group_in(&region_id, &id)
                .map(Answer::SecurityGroup),
            other => Err(Error::Internal(format!(
                "not a network call: {:?}",
                other.op()
            ))),
        }
    }

    fn ensure_under(&self, held: usize, max: usize) -> Result<()> {
        if held >= max {
            return Err(Error::Denied(Denial::NetworkQuota));
        }
        Ok(())
    }

    /// Creates a VPC (Available at once); returns its id.
    ///
    /// # Errors
    /// Unknown region; the region's VPC quota reached.
    pub fn create_vpc(&mut self, spec: &NewVpc) -> Result<String> {
        let region = self.catalog.region(&spec.region_id)?;
        let held = (self.account.network.vpcs.values())
            .filter(|v| v.region_id == spec.region_id)
            .count();
        self.ensure_under(held, MAX_VPCS_PER_REGION)?;
        let id = self.naming.id(Kind::Vpc, region, &mut *self.ids);
        let vpc = Vpc {
            id: id.clone(),
            seq: self.next_seq(),
            region_id: spec.region_id.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            cidr: spec.cidr.unwrap_or(DEFAULT_VPC_CIDR),
            created_at: self.now,
        };
        self.account.network.vpcs.insert(id.clone(), vpc);
        Ok(id)
    }

    fn vpc_in(&self, region: &str, id: &str) -> Result<&Vpc> {
        self.account
            .network
            .vpcs
            .get(id)
            .filter(|v| v.region_id == region)
            .ok_or_else(|| Error::not_found(Kind::Vpc, id))
    }

    /// Deletes a VPC that holds nothing.
    ///
    /// # Errors
    /// NotFound; a vSwitch, security group or instance still in it.
    pub fn delete_vpc(&mut self, region: &str, id: &str) -> Result<()> {
        self.vpc_in(region, id)?;
        let net = &self.account.network;
        if net.vswitches.values().any(|s| s.vpc_id == id) {
            return Err(Error::Denied(Denial::VpcHasVSwitches));
        }
        if net.security_groups.values().any(|g| g.vpc_id == id) {
            return Err(Error::Denied(Denial::VpcHasSecurityGroups));
        }
        if self.account.instances.values().any(|i| i.vpc_id == id) {
            return Err(Error::Denied(Denial::NetworkInUse));
        }
        self.account.network.vpcs.remove(id);
        Ok(())
    }

    /// The VPCs of a region that match, in creation order.
    ///
    /// # Errors
    /// Unknown region.
    pub fn describe_vpcs(&self, q: &NetQuery) -> Result<Page<&Vpc>> {
        self.catalog.region(&q.region_id)?;
        let mut v: Vec<&Vpc> = (self.account.network.vpcs.values())
            .filter(|v| q.keeps(&v.region_id, &v.id, &v.id, "", &v.name))
            .collect();
        v.sort_by_key(|v| v.seq);
        Ok(slice(v, &q.page))
    }

    /// Creates a vSwitch in a VPC; returns its id.
    ///
    /// # Errors
    /// Unknown region, zone or VPC; a block outside the VPC's or overlapping a sibling's; the
    /// VPC's vSwitch quota reached.
    pub fn create_vswitch(&mut self, spec: &NewVSwitch) -> Result<String> {
        let region = self.catalog.region(&spec.region_id)?;
        let vpc = self.vpc_in(&spec.region_id, &spec.vpc_id)?;
        let (zone_region, _) = self.catalog.zone(&spec.zone_id)?;
        if zone_region.id != region.id {
            return Err(Error::not_found(Kind::Zone, &spec.zone_id));
        }
        if !vpc.cidr.contains(spec.cidr) {
            return Err(Error::Denied(Denial::CidrOutsideVpc));
        }
        let siblings: Vec<&VSwitch> = self.account.network.vswitches_of(&spec.vpc_id).collect();
        if siblings.iter().any(|s| s.cidr.overlaps(spec.cidr)) {
            return Err(Error::Denied(Denial::CidrOverlap));
        }
        self.ensure_under(siblings.len(), MAX_VSWITCHES_PER_VPC)?;
        let id = self.naming.id(Kind::VSwitch, region, &mut *self.ids);
        let vsw = VSwitch {
            id: id.clone(),
            seq: self.next_seq(),
            region_id: spec.region_id.clone(),
            vpc_id: spec.vpc_id.clone(),
            zone_id: spec.zone_id.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            cidr: spec.cidr,
            created_at: self.now,
        };
        self.account.network.vswitches.insert(id.clone(), vsw);
        Ok(id)
    }

    /// Deletes a vSwitch no instance uses.
    ///
    /// # Errors
    /// NotFound; an instance still in it.
    pub fn delete_vswitch(&mut self, region: &str, id: &str) -> Result<()> {
        self.vswitch_in(region, id)?;
        if self.account.instances.values().any(|i| i.vswitch_id == id) {
            return Err(Error::Denied(Denial::NetworkInUse));
        }
        self.account.network.vswitches.remove(id);
        Ok(())
    }

    /// The vSwitch, when it is in `region`.
    ///
    /// # Errors
    /// `NotFound` otherwise.
    pub fn vswitch_in(&self, region: &str, id: &str) -> Result<&VSwitch> {
        self.account
            .network
            .vswitches
            .get(id)
            .filter(|s| s.region_id == region)
            .ok_or_else(|| Error::not_found(Kind::VSwitch, id))
    }

    /// The vSwitches of a region that match, in creation order.
    ///
    /// # Errors
    /// Unknown region.
    pub fn describe_vswitches(&self, q: &NetQuery) -> Result<Page<&VSwitch>> {
        self.catalog.region(&q.region_id)?;
        let mut v: Vec<&VSwitch> = (self.account.network.vswitches.values())
            .filter(|s| q.keeps(&s.region_id, &s.id, &s.vpc_id, &s.zone_id, &s.name))
            .collect();
        v.sort_by_key(|s| s.seq);
        Ok(slice(v, &q.page))
    }

    /// How many instances a vSwitch holds (its used addresses).
    pub fn instances_in_vswitch(&self, id: &str) -> usize {
        (self.account.instances.values())
            .filter(|i| i.vswitch_id == id)
            .count()
    }

    /// Creates a security group; returns its id.
    ///
    /// # Errors
    /// Unknown region or VPC; the region's quota reached.
    pub fn create_security_group(&mut self, spec: &NewSecurityGroup) -> Result<String> {
        let region = self.catalog.region(&spec.region_id)?;
        if !spec.vpc_id.is_empty() {
            self.vpc_in(&spec.region_id, &spec.vpc_id)?;
        }
        let held = (self.account.network.security_groups.values())
            .filter(|g| g.region_id == spec.region_id)
            .count();
        self.ensure_under(held, MAX_SECURITY_GROUPS_PER_REGION)?;
        let id = self.naming.id(Kind::SecurityGroup, region, &mut *self.ids);
        let group = SecurityGroup {
            id: id.clone(),
            seq: self.next_seq(),
            region_id: spec.region_id.clone(),
            vpc_id: spec.vpc_id.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            kind: spec.kind,
            rules: Vec::new(),
            created_at: self.now,
        };
        self.account
            .network
            .security_groups
            .insert(id.clone(), group);
        Ok(id)
    }

    /// The security group, when it is in `region`.
    ///
    /// # Errors
    /// `NotFound` otherwise.
    pub fn security_group_in(&self, region: &str, id: &str) -> Result<&SecurityGroup> {
        self.account
            .network
            .security_groups
            .get(id)
            .filter(|g| g.region_id == region)
            .ok_or_else(|| Error::not_found(Kind::SecurityGroup, id))
    }

    /// Deletes a security group no instance is in and no other group's rule names.
    ///
    /// # Errors
    /// NotFound; an instance still in it, or a rule of another group naming it.
    pub fn delete_security_group(&mut self, region: &str, id: &str) -> Result<()> {
        self.security_group_in(region, id)?;
        let in_use =
            (self.account.instances.values()).any(|i| i.security_group_ids.iter().any(|g| g == id));
        if in_use {
            return Err(Error::Denied(Denial::NetworkInUse));
        }
        let named = (self.account.network.security_groups.values())
            .any(|g| g.id != id && g.rules.iter().any(|r| r.peer_group == id));
        if named {
            return Err(Error::Denied(Denial::GroupNamedByRule));
        }
        self.account.network.security_groups.remove(id);
        Ok(())
    }

    /// Adds rules to a security group; a rule it already has is left as it is.
    ///
    /// # Errors
    /// NotFound (the group); a peer group that is missing, the group itself or in another VPC;
    /// the group's rule limit reached.
    pub fn authorize_security_group(
        &mut self,
        region: &str,
        id: &str,
        rules: Vec<Rule>,
    ) -> Result<()> {
        let vpc = self.security_group_in(region, id)?.vpc_id.clone();
        for r in rules.iter().filter(|r| !r.peer_group.is_empty()) {
            if r.peer_group == id {
                return Err(Error::Denied(Denial::SourceGroupIsSelf));
            }
            let peer = self
                .security_group_in(region, &r.peer_group)
                .map_err(|_| Error::Denied(Denial::SourceGroupNotFound))?;
            if peer.vpc_id != vpc {
                return Err(Error::Denied(Denial::SourceGroupVpcMismatch));
            }
        }
        let now = self.now;
        let group = (self.account.network.security_groups.get_mut(id))
            .ok_or_else(|| Error::not_found(Kind::SecurityGroup, id))?;
        let mut fresh: Vec<Rule> = Vec::new();
        for mut r in rules {
            if !group.rules.iter().chain(&fresh).any(|have| have.same(&r)) {
                r.created_at = now;
                fresh.push(r);
            }
        }
        if group.rules.len() + fresh.len() > MAX_RULES_PER_GROUP {
            return Err(Error::Denied(Denial::RuleLimit));
        }
        group.rules.extend(fresh);
        Ok(())
    }

    /// The security groups of a region that match, in creation order.
    ///
    /// # Errors
    /// Unknown region.
    pub fn describe_security_groups(&self, q: &NetQuery) -> Result<Page<&SecurityGroup>> {
        self.catalog.region(&q.region_id)?;
        let mut v: Vec<&SecurityGroup> = (self.account.network.security_groups.values())
            .filter(|g| q.keeps(&g.region_id, &g.id, &g.vpc_id, "", &g.name))
            .collect();
        v.sort_by_key(|g| g.seq);
        Ok(slice(v, &q.page))
    }

    /// How many instances a security group holds.
    pub fn instances_in_group(&self, id: &str) -> usize {
        (self.account.instances.values())
            .filter(|i| i.security_group_ids.iter().any(|g| g == id))
            .count()
    }

    /// The recorded vSwitch a create names, when the region's creates are checked (see
    /// [`Network::guards`]); every named security group must exist then too.
    ///
    /// # Errors
    /// NotFound for a vSwitch or security group the account does not have in the region; a group
    /// of another VPC than the vSwitch's.
    pub fn network_of_new_instance(
        &self,
        region: &str,
        vswitch_id: Option<&str>,
        groups: &[String],
    ) -> Result<Option<&VSwitch>> {
        if !self.account.network.guards(region) {
            return Ok(None);
        }
        let vsw = vswitch_id
            .map(|id| self.vswitch_in(region, id))
            .transpose()?;
        for g in groups {
            let group = self.security_group_in(region, g)?;
            if vsw.is_some_and(|v| !group.vpc_id.is_empty() && group.vpc_id != v.vpc_id) {
                return Err(Error::Denied(Denial::GroupVSwitchVpcMismatch));
            }
        }
        Ok(vsw)
    }
}

fn page_map<T, U>(page: Page<T>, f: impl FnMut(T) -> U) -> Page<U> {
    Page {
        items: page.items.into_iter().map(f).collect(),
        next_token: page.next_token,
        total: page.total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks() {
        let vpc = Cidr::parse("172.16.0.0/12").unwrap();
        let a = Cidr::parse("172.16.1.0/24").unwrap();
        let b = Cidr::parse("172.16.1.128/25").unwrap();
        assert!(vpc.contains(a) && a.contains(b) && !b.contains(a));
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(Cidr::parse("172.16.2.0/24").unwrap()));
        assert!(!vpc.contains(Cidr::parse("10.0.0.0/24").unwrap()));
        assert_eq!(a.to_string(), "172.16.1.0/24");
        assert_eq!(a.host(0).to_string(), "172.16.1.1");
        assert_eq!(a.host(252).to_string(), "172.16.1.1");
        for bad in [
            "172.16.1.1/24",
            "172.16.0.0",
            "172.16.0.0/33",
            "x/8",
            "1.2.3.4/+8",
            "1.2.3.0/024",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
        assert_eq!(Cidr::parse("0.0.0.0/0").map(Cidr::size), Some(1 << 32));
        assert_eq!(DEFAULT_VPC_CIDR.to_string(), "172.16.0.0/12");
    }
}
