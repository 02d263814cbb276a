//! Network actions: VPC 2016-04-28 CreateVpc, DescribeVpcs, DescribeVpcAttribute, DeleteVpc,
//! CreateVSwitch, DescribeVSwitches, DescribeVSwitchAttributes, DeleteVSwitch; ECS CreateSecurityGroup, DescribeSecurityGroups,
//! DescribeSecurityGroupAttribute, AuthorizeSecurityGroup, DeleteSecurityGroup.

use std::net::Ipv4Addr;

use serde::Serialize;

use super::documented::{documented, Blank, WithBlanks};
use super::{ecs, ecs_seconds, unexpected, vpc, Action, EcsTime, Empty, Paging, RpcAction};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::domain::call::{Answer, Call};
use crate::domain::network::{
    Cidr, Direction, GroupKind, NetQuery, NewSecurityGroup, NewVSwitch, NewVpc, Policy, Protocol,
    Rule, SecurityGroup, VSwitch, Vpc,
};
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    vpc::<CreateVpc>("CreateVpc"),
    vpc::<DescribeVpcs>("DescribeVpcs"),
    vpc::<DescribeVpcAttribute>("DescribeVpcAttribute"),
    vpc::<DeleteVpc>("DeleteVpc"),
    vpc::<CreateVSwitch>("CreateVSwitch"),
    vpc::<DescribeVSwitches>("DescribeVSwitches"),
    vpc::<DescribeVSwitchAttributes>("DescribeVSwitchAttributes"),
    vpc::<DeleteVSwitch>("DeleteVSwitch"),
    ecs::<CreateSecurityGroup>("CreateSecurityGroup"),
    ecs::<DescribeSecurityGroups>("DescribeSecurityGroups"),
    ecs::<DescribeSecurityGroupAttribute>("DescribeSecurityGroupAttribute"),
    ecs::<AuthorizeSecurityGroup>("AuthorizeSecurityGroup"),
    ecs::<DeleteSecurityGroup>("DeleteSecurityGroup"),
];

/// The most ids one DescribeVpcs may name (`VpcId=a,b,…`).
const MAX_VPC_IDS: usize = 20;
/// The most permissions one AuthorizeSecurityGroup may carry.
const MAX_PERMISSIONS: usize = 100;

/// The answer to a create: its one id.
fn created(answer: Answer<'_>) -> domain::Result<String> {
    match answer {
        Answer::Created(mut ids) if ids.len() == 1 => Ok(ids.remove(0)),
        other => Err(unexpected(&other)),
    }
}

fn done(answer: Answer<'_>) -> domain::Result<Empty> {
    match answer {
        Answer::Done => Ok(Empty {}),
        other => Err(unexpected(&other)),
    }
}

/// The id's part after its `vpc-` prefix, for the router and route table born with a VPC.
fn vpc_suffix(vpc_id: &str) -> &str {
    vpc_id.strip_prefix("vpc-").unwrap_or(vpc_id)
}

fn name(p: &Params, field: &str, malformed: ErrorCode) -> Result<String, ApiError> {
    Ok(p.checked(field, names::is_name, || malformed.into())?
        .unwrap_or_default())
}

fn description(p: &Params, malformed: ErrorCode) -> Result<String, ApiError> {
    Ok(
        p.checked("Description", names::is_description, || malformed.into())?
            .unwrap_or_default(),
    )
}

/// A `CidrBlock` whose prefix length lies in `lengths`.
fn cidr(p: &Params, lengths: std::ops::RangeInclusive<u8>) -> Result<Option<Cidr>, ApiError> {
    let Some(raw) = p.get("CidrBlock") else {
        return Ok(None);
    };
    let c = Cidr::parse(raw).ok_or(ErrorCode::CidrMalformed)?;
    if !lengths.contains(&c.prefix_len()) {
        return Err(if *lengths.start() == 8 {
            ErrorCode::CidrMalformed.into()
        } else {
            ErrorCode::CidrMaskLength.into()
        });
    }
    Ok(Some(c))
}

// ---- VPCs ----

pub(super) struct CreateVpc;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateVpcResponse {
    vpc_id: String,
    #[serde(rename = "VRouterId")]
    vrouter_id: String,
    route_table_id: String,
    resource_group_id: &'static str,
}

impl RpcAction for CreateVpc {
    const OP: Op = Op::CreateVpc;
    type Response<'s> = CreateVpcResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let spec = NewVpc {
            cidr: cidr(p, 8..=28)?,
            name: name(p, "VpcName", ErrorCode::VpcNameMalformed)?,
            description: description(p, ErrorCode::VpcDescriptionMalformed)?,
            region_id,
        };
        let token = p.client_token()?;
        Ok((Call::CreateVpc { spec, token }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateVpcResponse> {
        let vpc_id = created(answer)?;
        let rest = vpc_suffix(&vpc_id);
        Ok(CreateVpcResponse {
            vrouter_id: format!("vrt-{rest}"),
            route_table_id: format!("vtb-{rest}"),
            resource_group_id: "",
            vpc_id,
        })
    }
}

pub(super) struct DeleteVpc;

impl RpcAction for DeleteVpc {
    const OP: Op = Op::DeleteVpc;
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let id = p.required("VpcId")?;
        let region_id = p.required("RegionId")?;
        Ok((Call::DeleteVpc { region_id, id }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<Empty> {
        done(answer)
    }
}

/// Page sizes of the VPC product's Describe calls: 1 to 50, 10 by default.
fn net_paging(p: &Params) -> Result<Paging, ApiError> {
    Paging::read(p, 50, 100)
}

pub(super) struct DescribeVpcs {
    paging: Paging,
}

impl RpcAction for DescribeVpcs {
    const OP: Op = Op::DescribeVpcs;
    type Response<'s> = DescribeVpcsResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let ids = p.comma_list("VpcId");
        if ids.as_ref().is_some_and(|v| v.len() > MAX_VPC_IDS) {
            return Err(p.invalid("VpcId"));
        }
        // Every VPC made here is a custom one: asking for default VPCs only finds none.
        let only_default = p.bool("IsDefault")? == Some(true) && p.get("VpcId").is_none();
        let paging = net_paging(p)?;
        let query = NetQuery {
            region_id,
            ids: if only_default { Some(Vec::new()) } else { ids },
            vpc_id: None,
            zone_id: None,
            name: p.string("VpcName"),
            page: paging.request(),
        };
        Ok((Call::DescribeVpcs(query), Self { paging }))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeVpcsResponse<'_>> {
        let Answer::Vpcs(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeVpcsResponse {
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            vpcs: VpcSet {
                vpc: page
                    .items
                    .into_iter()
                    .map(|(v, vsw)| documented(VpcView::of(v, vsw, true), VPC_LISTED))
                    .collect(),
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeVpcsResponse<'s> {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    vpcs: VpcSet<'s>,
}

#[derive(Serialize)]
pub(super) struct VpcSet<'s> {
    #[serde(rename = "Vpc")]
    vpc: Vec<WithBlanks<VpcView<'s>>>,
}

/// `{"<name>": [...]}`: how the VPC product wraps a list.
struct Wrapped<T> {
    name: &'static str,
    items: Vec<T>,
}

impl<T: Serialize> Serialize for Wrapped<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Wrapped", 1)?;
        st.serialize_field(self.name, &self.items)?;
        st.end()
    }
}

fn wrapped<T>(name: &'static str, items: Vec<T>) -> Wrapped<T> {
    Wrapped { name, items }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VpcView<'s> {
    vpc_id: &'s str,
    region_id: &'s str,
    status: &'static str,
    vpc_name: &'s str,
    description: &'s str,
    creation_time: EcsTime,
    cidr_block: String,
    ipv6_cidr_block: &'static str,
    #[serde(rename = "VRouterId")]
    vrouter_id: String,
    is_default: bool,
    resource_group_id: &'static str,
    #[serde(rename = "VSwitchIds")]
    vswitch_ids: Wrapped<&'s str>,
    user_cidrs: Wrapped<&'static str>,
    /// Listed by DescribeVpcs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    nat_gateway_ids: Option<Wrapped<&'static str>>,
    /// Listed by DescribeVpcs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    router_table_ids: Option<Wrapped<String>>,
    tags: Wrapped<&'static str>,
}

impl<'s> VpcView<'s> {
    /// The VPC as DescribeVpcs lists it (`listed`) or DescribeVpcAttribute shows it.
    fn of(v: &'s Vpc, vswitches: Vec<&'s str>, listed: bool) -> Self {
        let rest = vpc_suffix(&v.id);
        Self {
            vpc_id: &v.id,
            region_id: &v.region_id,
            status: "Available",
            vpc_name: &v.name,
            description: &v.description,
            creation_time: ecs_seconds(v.created_at),
            cidr_block: v.cidr.to_string(),
            ipv6_cidr_block: "",
            vrouter_id: format!("vrt-{rest}"),
            is_default: false,
            resource_group_id: "",
            vswitch_ids: wrapped("VSwitchId", vswitches),
            user_cidrs: wrapped("UserCidr", Vec::new()),
            nat_gateway_ids: listed.then(|| wrapped("NatGatewayIds", Vec::new())),
            router_table_ids: listed
                .then(|| wrapped("RouterTableIds", vec![format!("vtb-{rest}")])),
            tags: wrapped("Tag", Vec::new()),
        }
    }
}

/// A by-id query: the region and the one id.
fn by_id(p: &Params, field: &str) -> Result<NetQuery, ApiError> {
    let id = p.required(field)?;
    Ok(NetQuery {
        region_id: p.required("RegionId")?,
        ids: Some(vec![id]),
        vpc_id: None,
        zone_id: None,
        name: None,
        page: crate::domain::query::PageRequest::Offset { offset: 0, size: 1 },
    })
}

pub(super) struct DescribeVpcAttribute;

impl RpcAction for DescribeVpcAttribute {
    const OP: Op = Op::DescribeVpcAttribute;
    type Response<'s> = WithBlanks<VpcView<'s>>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        Ok((Call::DescribeVpcAttribute(by_id(p, "VpcId")?), Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<WithBlanks<VpcView<'_>>> {
        match answer {
            Answer::Vpcs(page) => match page.items.into_iter().next() {
                Some((v, vsw)) => Ok(documented(VpcView::of(v, vsw, false), VPC_ATTRIBUTE)),
                None => Err(domain::Error::Internal("an empty by-id answer".into())),
            },
            other => Err(unexpected(&other)),
        }
    }
}

// ---- vSwitches ----

pub(super) struct DescribeVSwitchAttributes;

impl RpcAction for DescribeVSwitchAttributes {
    const OP: Op = Op::DescribeVSwitchAttributes;
    type Response<'s> = WithBlanks<VSwitchView<'s>>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        Ok((
            Call::DescribeVSwitchAttributes(by_id(p, "VSwitchId")?),
            Self,
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<WithBlanks<VSwitchView<'_>>> {
        match answer {
            Answer::VSwitches(page) => match page.items.into_iter().next() {
                Some((s, used)) => Ok(documented(VSwitchView::of(s, used), VSWITCH)),
                None => Err(domain::Error::Internal("an empty by-id answer".into())),
            },
            other => Err(unexpected(&other)),
        }
    }
}

pub(super) struct CreateVSwitch;

#[derive(Serialize)]
pub(super) struct CreateVSwitchResponse {
    #[serde(rename = "VSwitchId")]
    vswitch_id: String,
}

impl RpcAction for CreateVSwitch {
    const OP: Op = Op::CreateVSwitch;
    type Response<'s> = CreateVSwitchResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let cidr = cidr(p, 16..=29)?;
        let spec = NewVSwitch {
            region_id: p.required("RegionId")?,
            vpc_id: p.required("VpcId")?,
            zone_id: p.required("ZoneId")?,
            cidr: cidr.ok_or_else(|| ApiError::missing("CidrBlock"))?,
            name: name(p, "VSwitchName", ErrorCode::VSwitchNameMalformed)?,
            description: description(p, ErrorCode::VSwitchDescriptionMalformed)?,
        };
        let token = p.client_token()?;
        Ok((Call::CreateVSwitch { spec, token }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateVSwitchResponse> {
        Ok(CreateVSwitchResponse {
            vswitch_id: created(answer)?,
        })
    }
}

pub(super) struct DeleteVSwitch;

impl RpcAction for DeleteVSwitch {
    const OP: Op = Op::DeleteVSwitch;
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let id = p.required("VSwitchId")?;
        let region_id = p.required("RegionId")?;
        Ok((Call::DeleteVSwitch { region_id, id }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<Empty> {
        done(answer)
    }
}

pub(super) struct DescribeVSwitches {
    paging: Paging,
}

impl RpcAction for DescribeVSwitches {
    const OP: Op = Op::DescribeVSwitches;
    type Response<'s> = DescribeVSwitchesResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let only_default = p.bool("IsDefault")? == Some(true) && p.get("VSwitchId").is_none();
        let ids = p.string("VSwitchId").map(|id| vec![id]);
        let paging = net_paging(p)?;
        let query = NetQuery {
            region_id,
            ids: if only_default { Some(Vec::new()) } else { ids },
            vpc_id: p.string("VpcId"),
            zone_id: p.string("ZoneId"),
            name: p.string("VSwitchName"),
            page: paging.request(),
        };
        Ok((Call::DescribeVSwitches(query), Self { paging }))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeVSwitchesResponse<'_>> {
        let Answer::VSwitches(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeVSwitchesResponse {
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            vswitches: VSwitchSet {
                vswitch: page
                    .items
                    .into_iter()
                    .map(|(s, used)| documented(VSwitchView::of(s, used), VSWITCH))
                    .collect(),
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeVSwitchesResponse<'s> {
    total_count: usize,
    page_number: usize,
    page_size: usize,
    #[serde(rename = "VSwitches")]
    vswitches: VSwitchSet<'s>,
}

#[derive(Serialize)]
pub(super) struct VSwitchSet<'s> {
    #[serde(rename = "VSwitch")]
    vswitch: Vec<WithBlanks<VSwitchView<'s>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RouteTableView {
    route_table_id: String,
    route_table_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VSwitchView<'s> {
    #[serde(rename = "VSwitchId")]
    vswitch_id: &'s str,
    vpc_id: &'s str,
    status: &'static str,
    cidr_block: String,
    ipv6_cidr_block: &'static str,
    zone_id: &'s str,
    available_ip_address_count: u64,
    description: &'s str,
    #[serde(rename = "VSwitchName")]
    vswitch_name: &'s str,
    creation_time: EcsTime,
    is_default: bool,
    resource_group_id: &'static str,
    network_acl_id: &'static str,
    route_table: RouteTableView,
    tags: Wrapped<&'static str>,
}

impl<'s> VSwitchView<'s> {
    fn of(s: &'s VSwitch, used: usize) -> Self {
        // The first and the last three addresses of a block are the cloud's.
        let usable = s.cidr.size().saturating_sub(4);
        Self {
            vswitch_id: &s.id,
            vpc_id: &s.vpc_id,
            status: "Available",
            cidr_block: s.cidr.to_string(),
            ipv6_cidr_block: "",
            zone_id: &s.zone_id,
            available_ip_address_count: usable.saturating_sub(used as u64),
            description: &s.description,
            vswitch_name: &s.name,
            creation_time: ecs_seconds(s.created_at),
            is_default: false,
            resource_group_id: "",
            network_acl_id: "",
            route_table: RouteTableView {
                route_table_id: format!("vtb-{}", vpc_suffix(&s.vpc_id)),
                route_table_type: "System",
            },
            tags: wrapped("Tag", Vec::new()),
        }
    }
}

// ---- security groups ----

pub(super) struct CreateSecurityGroup;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateSecurityGroupResponse {
    security_group_id: String,
}

impl RpcAction for CreateSecurityGroup {
    const OP: Op = Op::CreateSecurityGroup;
    type Response<'s> = CreateSecurityGroupResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let kind = match p.get("SecurityGroupType") {
            None | Some("normal") => GroupKind::Normal,
            Some("enterprise") => GroupKind::Enterprise,
            Some(_) => return Err(ErrorCode::SecurityGroupTypeInvalid.into()),
        };
        let spec = NewSecurityGroup {
            region_id,
            vpc_id: p.string("VpcId").unwrap_or_default(),
            name: name(
                p,
                "SecurityGroupName",
                ErrorCode::SecurityGroupNameMalformed,
            )?,
            description: description(p, ErrorCode::SecurityGroupDescriptionMalformed)?,
            kind,
        };
        let token = p.client_token()?;
        Ok((Call::CreateSecurityGroup { spec, token }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateSecurityGroupResponse> {
        Ok(CreateSecurityGroupResponse {
            security_group_id: created(answer)?,
        })
    }
}

pub(super) struct DeleteSecurityGroup;

impl RpcAction for DeleteSecurityGroup {
    const OP: Op = Op::DeleteSecurityGroup;
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let id = p.required("SecurityGroupId")?;
        Ok((Call::DeleteSecurityGroup { region_id, id }, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<Empty> {
        done(answer)
    }
}

pub(super) struct DescribeSecurityGroups {
    paging: Paging,
    region_id: String,
}

impl RpcAction for DescribeSecurityGroups {
    const OP: Op = Op::DescribeSecurityGroups;
    type Response<'s> = DescribeSecurityGroupsResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let mut ids = p.json_list("SecurityGroupIds", 100, || p.invalid("SecurityGroupIds"))?;
        if let Some(one) = p.string("SecurityGroupId") {
            ids = Some(match ids {
                Some(list) => list.into_iter().filter(|i| *i == one).collect(),
                None => vec![one],
            });
        }
        let paging = Paging::read(p, 50, 100)?;
        let query = NetQuery {
            region_id: region_id.clone(),
            ids,
            vpc_id: p.string("VpcId"),
            zone_id: None,
            name: p.string("SecurityGroupName"),
            page: paging.request(),
        };
        Ok((
            Call::DescribeSecurityGroups(query),
            Self { paging, region_id },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeSecurityGroupsResponse<'_>> {
        let Answer::SecurityGroups(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeSecurityGroupsResponse {
            region_id: self.region_id,
            total_count: page.total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            next_token: self.paging.next_token(page.total),
            security_groups: GroupSet {
                security_group: page
                    .items
                    .into_iter()
                    .map(|(g, n)| GroupView::of(g, n))
                    .collect(),
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeSecurityGroupsResponse<'s> {
    region_id: String,
    total_count: usize,
    page_number: usize,
    page_size: usize,
    next_token: String,
    security_groups: GroupSet<'s>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupSet<'s> {
    security_group: Vec<GroupView<'s>>,
}

/// Instances one basic security group may hold.
const GROUP_CAPACITY: usize = 2000;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GroupView<'s> {
    security_group_id: &'s str,
    security_group_name: &'s str,
    description: &'s str,
    security_group_type: &'static str,
    vpc_id: &'s str,
    creation_time: EcsTime,
    resource_group_id: &'static str,
    service_managed: bool,
    #[serde(rename = "ServiceID")]
    service_id: u64,
    ecs_count: usize,
    available_instance_amount: usize,
    rule_count: usize,
    group_to_group_rule_count: usize,
    tags: Wrapped<&'static str>,
}

impl<'s> GroupView<'s> {
    fn of(g: &'s SecurityGroup, instances: usize) -> Self {
        Self {
            security_group_id: &g.id,
            security_group_name: &g.name,
            description: &g.description,
            security_group_type: group_kind(g.kind),
            vpc_id: &g.vpc_id,
            creation_time: ecs_seconds(g.created_at),
            resource_group_id: "",
            service_managed: false,
            service_id: 0,
            ecs_count: instances,
            available_instance_amount: GROUP_CAPACITY.saturating_sub(instances),
            rule_count: g.rules.len(),
            group_to_group_rule_count: g.rules.iter().filter(|r| !r.peer_group.is_empty()).count(),
            tags: wrapped("Tag", Vec::new()),
        }
    }
}

fn group_kind(k: GroupKind) -> &'static str {
    match k {
        GroupKind::Normal => "normal",
        GroupKind::Enterprise => "enterprise",
    }
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Icmp => "ICMP",
        Protocol::Icmpv6 => "ICMPv6",
        Protocol::Gre => "GRE",
        Protocol::All => "ALL",
    }
}

fn parse_protocol(s: &str) -> Option<Protocol> {
    [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Icmp,
        Protocol::Icmpv6,
        Protocol::Gre,
        Protocol::All,
    ]
    .into_iter()
    .find(|p| protocol_name(*p).eq_ignore_ascii_case(s))
}

pub(super) struct DescribeSecurityGroupAttribute {
    region_id: String,
    direction: Option<Direction>,
}

impl RpcAction for DescribeSecurityGroupAttribute {
    const OP: Op = Op::DescribeSecurityGroupAttribute;
    type Response<'s> = GroupAttributeResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let id = p.required("SecurityGroupId")?;
        let direction = match p.get("Direction") {
            None | Some("all") => None,
            Some("ingress") => Some(Direction::Ingress),
            Some("egress") => Some(Direction::Egress),
            Some(_) => return Err(p.invalid("Direction")),
        };
        let call = Call::DescribeSecurityGroupAttribute {
            region_id: region_id.clone(),
            id,
        };
        Ok((
            call,
            Self {
                region_id,
                direction,
            },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<GroupAttributeResponse<'_>> {
        let Answer::SecurityGroup(g) = answer else {
            return Err(unexpected(&answer));
        };
        let permission = (g.rules.iter().enumerate())
            .filter(|(_, r)| self.direction.is_none_or(|d| d == r.direction))
            .map(|(i, r)| documented(PermissionView::of(g, i, r), PERMISSION_BLANKS))
            .collect();
        Ok(GroupAttributeResponse {
            region_id: self.region_id,
            security_group_id: &g.id,
            security_group_name: &g.name,
            description: &g.description,
            vpc_id: &g.vpc_id,
            inner_access_policy: "Accept",
            next_token: "",
            snapshot_policy_ids: SnapshotPolicyIds {
                snapshot_policy_id: [],
            },
            permissions: Permissions { permission },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupAttributeResponse<'s> {
    region_id: String,
    security_group_id: &'s str,
    security_group_name: &'s str,
    description: &'s str,
    vpc_id: &'s str,
    inner_access_policy: &'static str,
    next_token: &'static str,
    snapshot_policy_ids: SnapshotPolicyIds,
    permissions: Permissions<'s>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SnapshotPolicyIds {
    snapshot_policy_id: [&'static str; 0],
}

/// The documented fields of a permission about peers and lists the emulator does not keep.
const PERMISSION_BLANKS: &[(&str, Blank)] = &[
    ("DestGroupName", Blank::Str),
    ("DestGroupOwnerAccount", Blank::Str),
    ("DestPrefixListId", Blank::Str),
    ("DestPrefixListName", Blank::Str),
    ("Ipv6DestCidrIp", Blank::Str),
    ("Ipv6SourceCidrIp", Blank::Str),
    ("PortRangeListId", Blank::Str),
    ("PortRangeListName", Blank::Str),
    ("SourceGroupName", Blank::Str),
    ("SourceGroupOwnerAccount", Blank::Str),
    ("SourcePortRange", Blank::Str),
    ("SourcePrefixListId", Blank::Str),
    ("SourcePrefixListName", Blank::Str),
];

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Permissions<'s> {
    permission: Vec<WithBlanks<PermissionView<'s>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PermissionView<'s> {
    security_group_rule_id: String,
    direction: &'static str,
    ip_protocol: &'static str,
    port_range: String,
    source_cidr_ip: &'s str,
    source_group_id: &'s str,
    dest_cidr_ip: &'s str,
    dest_group_id: &'s str,
    policy: &'static str,
    priority: String,
    nic_type: &'static str,
    description: &'s str,
    create_time: EcsTime,
}

impl<'s> PermissionView<'s> {
    fn of(g: &SecurityGroup, index: usize, r: &'s Rule) -> Self {
        let ingress = r.direction == Direction::Ingress;
        let (cidr, group) = (r.peer_cidr.as_str(), r.peer_group.as_str());
        Self {
            security_group_rule_id: format!(
                "sgr-{}{index:04}",
                g.id.strip_prefix("sg-").unwrap_or(&g.id)
            ),
            direction: if ingress { "ingress" } else { "egress" },
            ip_protocol: protocol_name(r.protocol),
            port_range: format!("{}/{}", r.ports.0, r.ports.1),
            source_cidr_ip: if ingress { cidr } else { "" },
            source_group_id: if ingress { group } else { "" },
            dest_cidr_ip: if ingress { "" } else { cidr },
            dest_group_id: if ingress { "" } else { group },
            policy: match r.policy {
                Policy::Accept => "Accept",
                Policy::Drop => "Drop",
            },
            priority: r.priority.to_string(),
            nic_type: if r.internet { "internet" } else { "intranet" },
            description: &r.description,
            create_time: ecs_seconds(r.created_at),
        }
    }
}

pub(super) struct AuthorizeSecurityGroup;

impl RpcAction for AuthorizeSecurityGroup {
    const OP: Op = Op::AuthorizeSecurityGroup;
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let id = p.required("SecurityGroupId")?;
        let listed = p.indexed("Permissions");
        if listed.len() > MAX_PERMISSIONS {
            return Err(p.invalid("Permissions"));
        }
        let mut rules = Vec::new();
        for fields in listed.values() {
            let get = |k: &str| fields.get(k).map(String::as_str).filter(|v| !v.is_empty());
            rules.push(rule(&get)?);
        }
        if rules.is_empty() {
            rules.push(rule(&|k: &str| p.get(k))?);
        }
        Ok((
            Call::AuthorizeSecurityGroup {
                region_id,
                id,
                rules,
            },
            Self,
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<Empty> {
        done(answer)
    }
}

/// One inbound permission from its fields (top-level, or one `Permissions.N`).
fn rule<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<Rule, ApiError> {
    let protocol = get("IpProtocol").ok_or_else(|| ApiError::missing("IpProtocol"))?;
    let protocol = parse_protocol(protocol).ok_or(ErrorCode::IpProtocolMalformed)?;
    let ports = ports(protocol, get("PortRange"))?;
    let peer_cidr = match get("SourceCidrIp") {
        None => String::new(),
        Some(c) if Cidr::parse(c).is_some() || c.parse::<Ipv4Addr>().is_ok() => c.to_owned(),
        Some(_) => return Err(ErrorCode::SourceCidrIpMalformed.into()),
    };
    let peer_group = get("SourceGroupId").unwrap_or_default().to_owned();
    if peer_cidr.is_empty() && peer_group.is_empty() {
        return Err(ErrorCode::SourceGroupMissing.into());
    }
    let policy = match get("Policy") {
        None => Policy::Accept,
        Some(v) if v.eq_ignore_ascii_case("accept") => Policy::Accept,
        Some(v) if v.eq_ignore_ascii_case("drop") => Policy::Drop,
        Some(_) => return Err(ErrorCode::PolicyMalformed.into()),
    };
    let priority = match get("Priority") {
        None => 1,
        Some(v) => v
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or(ErrorCode::PriorityInvalid)?,
    };
    let internet = match get("NicType") {
        None | Some("internet") => true,
        Some("intranet") => false,
        Some(_) => return Err(ErrorCode::NicTypeInvalid.into()),
    };
    let description = match get("Description") {
        None => String::new(),
        Some(d) if names::is_description(d) => d.to_owned(),
        Some(_) => return Err(ErrorCode::RuleDescriptionMalformed.into()),
    };
    Ok(Rule {
        direction: Direction::Ingress,
        protocol,
        ports,
        peer_cidr,
        peer_group,
        policy,
        priority,
        internet,
        description,
        created_at: 0,
    })
}

/// `PortRange`: `from/to` within 1–65535 for TCP and UDP, `-1/-1` for the others (a range of
/// the wrong kind for the protocol is `OperationDenied`, as documented).
fn ports(protocol: Protocol, raw: Option<&str>) -> Result<(i32, i32), ApiError> {
    let raw = raw.ok_or_else(|| ApiError::missing("PortRange"))?;
    let (a, b) = raw.split_once('/').ok_or(ErrorCode::PortRangeMalformed)?;
    let parse = |s: &str| s.trim().parse::<i32>().ok();
    let (Some(a), Some(b)) = (parse(a), parse(b)) else {
        return Err(ErrorCode::PortRangeMalformed.into());
    };
    let ported = matches!(protocol, Protocol::Tcp | Protocol::Udp);
    if (a, b) == (-1, -1) {
        // No ports: right for the protocols without them, a mismatch for TCP and UDP.
        return if ported {
            Err(ErrorCode::ProtocolPortMismatch.into())
        } else {
            Ok((a, b))
        };
    }
    if !((1..=65535).contains(&a) && (a..=65535).contains(&b)) {
        return Err(ErrorCode::PortRangeMalformed.into());
    }
    if ported {
        Ok((a, b))
    } else {
        Err(ErrorCode::ProtocolPortMismatch.into())
    }
}

/// DescribeVpcs: the documented fields of a VPC the records do not hold, as documented empty values.
const VPC_LISTED: &[(&str, Blank)] = &[
    ("CenStatus", Blank::Str),
    ("DhcpOptionsSetId", Blank::Str),
    ("DhcpOptionsSetStatus", Blank::Str),
    ("DnsHostnameStatus", Blank::Str),
    ("EnabledIpv6", Blank::Bool),
    (
        "Ipv6CidrBlocks",
        Blank::Obj(&[("Ipv6CidrBlock", Blank::List)]),
    ),
    ("OwnerId", Blank::Int),
    (
        "SecondaryCidrBlocks",
        Blank::Obj(&[("SecondaryCidrBlock", Blank::List)]),
    ),
];

/// DescribeVpcAttribute: the same for its own field set.
const VPC_ATTRIBUTE: &[(&str, Blank)] = &[
    (
        "AssociatedCens",
        Blank::Obj(&[("AssociatedCen", Blank::List)]),
    ),
    (
        "AssociatedPropagationSources",
        Blank::Obj(&[("AssociatedPropagationSources", Blank::List)]),
    ),
    ("ClassicLinkEnabled", Blank::Bool),
    (
        "CloudResources",
        Blank::Obj(&[("CloudResourceSetType", Blank::List)]),
    ),
    ("DhcpOptionsSetId", Blank::Str),
    ("DhcpOptionsSetStatus", Blank::Str),
    ("DnsHostnameStatus", Blank::Str),
    ("EnabledIpv6", Blank::Bool),
    ("Ipv4GatewayId", Blank::Str),
    (
        "Ipv6CidrBlocks",
        Blank::Obj(&[("Ipv6CidrBlock", Blank::List)]),
    ),
    ("OwnerId", Blank::Int),
    (
        "SecondaryCidrBlocks",
        Blank::Obj(&[("SecondaryCidrBlock", Blank::List)]),
    ),
    ("SupportIpv4Gateway", Blank::Bool),
];

/// DescribeVSwitches and DescribeVSwitchAttributes: a vSwitch's.
const VSWITCH: &[(&str, Blank)] = &[
    ("EnabledIpv6", Blank::Bool),
    ("OwnerId", Blank::Int),
    ("ShareType", Blank::Str),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges() {
        assert_eq!(ports(Protocol::Tcp, Some("22/22")).unwrap(), (22, 22));
        assert_eq!(ports(Protocol::All, Some("-1/-1")).unwrap(), (-1, -1));
        for (p, bad, code) in [
            (Protocol::Tcp, "0/22", "InvalidPortRange.Malformed"),
            (Protocol::Tcp, "80/22", "InvalidPortRange.Malformed"),
            (Protocol::Udp, "1/65536", "InvalidPortRange.Malformed"),
            (Protocol::Tcp, "22", "InvalidPortRange.Malformed"),
            (Protocol::Tcp, "a/b", "InvalidPortRange.Malformed"),
            (Protocol::Icmp, "1/1", "OperationDenied"),
            (Protocol::Tcp, "-1/-1", "OperationDenied"),
        ] {
            assert_eq!(ports(p, Some(bad)).unwrap_err().code, code, "{bad}");
        }
        assert_eq!(parse_protocol("tcp"), Some(Protocol::Tcp));
        assert_eq!(parse_protocol("ALL"), Some(Protocol::All));
        assert_eq!(parse_protocol("sctp"), None);
    }
}
