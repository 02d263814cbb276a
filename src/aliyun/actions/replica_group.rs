//! Disk replica group actions (replication pair-consistent groups), in EBS 2021-07-30 and the
//! ECS 2014-05-26 dialect; request helpers come from the pair actions.

use serde::Serialize;

use super::instance::done_action;
use super::replica_pair::{
    bandwidth, description, id_list, name, need, paging, rpo, secs, site, tag_views, target,
};
use super::{ebs, ecs, unexpected, Action, Empty, RpcAction, TagView};
use crate::aliyun::error::ApiError;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::call::{Answer, Call};
use crate::domain::replica_group::{GroupChanges, NewGroup};
use crate::domain::replica_query::{GroupQuery, GroupRow};
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    ebs::<CreateDiskReplicaGroup>("CreateDiskReplicaGroup"),
    ecs::<CreateDiskReplicaGroup>("CreateDiskReplicaGroup"),
    ebs::<ModifyDiskReplicaGroup>("ModifyDiskReplicaGroup"),
    ecs::<ModifyDiskReplicaGroup>("ModifyDiskReplicaGroup"),
    ebs::<DeleteDiskReplicaGroup>("DeleteDiskReplicaGroup"),
    ecs::<DeleteDiskReplicaGroup>("DeleteDiskReplicaGroup"),
    ebs::<DescribeDiskReplicaGroups>("DescribeDiskReplicaGroups"),
    ecs::<DescribeDiskReplicaGroups>("DescribeDiskReplicaGroups"),
    ebs::<AddDiskReplicaPair>("AddDiskReplicaPair"),
    ecs::<AddDiskReplicaPair>("AddDiskReplicaPair"),
    ebs::<RemoveDiskReplicaPair>("RemoveDiskReplicaPair"),
    ecs::<RemoveDiskReplicaPair>("RemoveDiskReplicaPair"),
    ebs::<StartDiskReplicaGroup>("StartDiskReplicaGroup"),
    ecs::<StartDiskReplicaGroup>("StartDiskReplicaGroup"),
    ebs::<StopDiskReplicaGroup>("StopDiskReplicaGroup"),
    ecs::<StopDiskReplicaGroup>("StopDiskReplicaGroup"),
    ebs::<FailoverDiskReplicaGroup>("FailoverDiskReplicaGroup"),
    ecs::<FailoverDiskReplicaGroup>("FailoverDiskReplicaGroup"),
    ebs::<ReprotectDiskReplicaGroup>("ReprotectDiskReplicaGroup"),
    ecs::<ReprotectDiskReplicaGroup>("ReprotectDiskReplicaGroup"),
];

// ---- CreateDiskReplicaGroup ----

pub(super) struct CreateDiskReplicaGroup;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDiskReplicaGroupResponse {
    replica_group_id: String,
}

impl RpcAction for CreateDiskReplicaGroup {
    const OP: Op = Op::CreateGroup;
    type Response<'s> = CreateDiskReplicaGroupResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let call = Call::CreateGroup {
            spec: NewGroup {
                region_id: need(p, "RegionId")?,
                source_zone_id: need(p, "SourceZoneId")?,
                destination_region_id: need(p, "DestinationRegionId")?,
                destination_zone_id: need(p, "DestinationZoneId")?,
                name: name(p, "GroupName")?.unwrap_or_default(),
                description: description(p)?.unwrap_or_default(),
                rpo: rpo(p)?.unwrap_or(900),
                bandwidth: bandwidth(p)?.unwrap_or(0),
                enable_rtc: p.bool("EnableRtc")?.unwrap_or(false),
                resource_group_id: p.string("ResourceGroupId").unwrap_or_default(),
                tags: p.tags()?,
                ..NewGroup::default()
            },
            token: p.client_token()?,
        };
        Ok((call, Self))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateDiskReplicaGroupResponse> {
        match answer {
            Answer::Created(mut ids) if ids.len() == 1 => Ok(CreateDiskReplicaGroupResponse {
                replica_group_id: ids.remove(0),
            }),
            other => Err(unexpected(&other)),
        }
    }
}

// ---- status changes ----

done_action!(ModifyDiskReplicaGroup, Op::ModifyGroup, |p| {
    Call::ModifyGroup {
        target: target(p, "ReplicaGroupId")?,
        changes: GroupChanges {
            name: name(p, "GroupName")?,
            description: description(p)?,
            rpo: rpo(p)?,
            bandwidth: bandwidth(p)?,
            enable_rtc: p.bool("EnableRtc")?,
        },
    }
});

done_action!(DeleteDiskReplicaGroup, Op::DeleteGroup, |p| {
    Call::DeleteGroup(target(p, "ReplicaGroupId")?)
});

done_action!(StartDiskReplicaGroup, Op::StartGroup, |p| {
    Call::StartGroup {
        target: target(p, "ReplicaGroupId")?,
        one_shot: p.bool("OneShot")?.unwrap_or(false),
    }
});

done_action!(StopDiskReplicaGroup, Op::StopGroup, |p| Call::StopGroup(
    target(p, "ReplicaGroupId")?
));

done_action!(FailoverDiskReplicaGroup, Op::FailoverGroup, |p| {
    Call::FailoverGroup(target(p, "ReplicaGroupId")?)
});

done_action!(ReprotectDiskReplicaGroup, Op::ReprotectGroup, |p| {
    Call::ReprotectGroup {
        target: target(p, "ReplicaGroupId")?,
        reverse: p.bool("ReverseReplicate")?.unwrap_or(true),
    }
});

// ---- membership ----

done_action!(AddDiskReplicaPair, Op::AddPairToGroup, |p| {
    Call::AddPairToGroup {
        target: target(p, "ReplicaGroupId")?,
        pair_id: need(p, "ReplicaPairId")?,
    }
});

done_action!(RemoveDiskReplicaPair, Op::RemovePairFromGroup, |p| {
    Call::RemovePairFromGroup {
        target: target(p, "ReplicaGroupId")?,
        pair_id: need(p, "ReplicaPairId")?,
    }
});

// ---- DescribeDiskReplicaGroups ----

pub(super) struct DescribeDiskReplicaGroups {
    page_number: usize,
    page_size: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDiskReplicaGroupsResponse {
    next_token: String,
    page_number: usize,
    page_size: usize,
    total_count: usize,
    replica_groups: Vec<GroupView>,
}

/// One group as EBS lists it (note `SourceRegionId`, unlike the pair's `SourceRegion`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupView {
    replica_group_id: String,
    group_name: String,
    description: String,
    status: &'static str,
    #[serde(rename = "RPO")]
    rpo: i64,
    bandwidth: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_recover_point: Option<i64>,
    site: &'static str,
    pair_ids: Vec<String>,
    pair_number: usize,
    source_region_id: String,
    source_zone_id: String,
    destination_region_id: String,
    destination_zone_id: String,
    primary_region: String,
    primary_zone: String,
    standby_region: String,
    standby_zone: String,
    enable_rtc: bool,
    resource_group_id: String,
    tags: Vec<TagView>,
}

impl GroupView {
    fn of(row: GroupRow) -> Self {
        let g = row.group;
        Self {
            status: vocab::replica_status(row.status),
            last_recover_point: g.track.recover_point().map(secs),
            site: vocab::site(row.site),
            pair_number: g.pair_ids.len(),
            tags: tag_views(&g.tags),
            replica_group_id: g.id,
            group_name: g.name,
            description: g.description,
            rpo: g.rpo,
            bandwidth: g.bandwidth,
            pair_ids: g.pair_ids,
            source_region_id: g.source.region_id,
            source_zone_id: g.source.zone_id,
            destination_region_id: g.destination.region_id,
            destination_zone_id: g.destination.zone_id,
            primary_region: g.primary.region_id,
            primary_zone: g.primary.zone_id,
            standby_region: g.standby.region_id,
            standby_zone: g.standby.zone_id,
            enable_rtc: g.enable_rtc,
            resource_group_id: g.resource_group_id,
        }
    }
}

impl RpcAction for DescribeDiskReplicaGroups {
    const OP: Op = Op::DescribeGroups;
    type Response<'s> = DescribeDiskReplicaGroupsResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = need(p, "RegionId")?;
        let (page, page_number) = paging(p)?;
        let request = Self {
            page_number,
            page_size: page.size(),
        };
        let query = GroupQuery {
            region_id,
            group_ids: id_list(p, "GroupIds")?,
            site: site(p)?,
            name: p.string("Name"),
            resource_group_id: p.string("ResourceGroupId"),
            tags: p.tags()?,
            page,
            ..GroupQuery::default()
        };
        Ok((Call::DescribeGroups(query), request))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeDiskReplicaGroupsResponse> {
        let Answer::Groups(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeDiskReplicaGroupsResponse {
            next_token: page.next_token,
            page_number: self.page_number,
            page_size: self.page_size,
            total_count: page.total,
            replica_groups: page.items.into_iter().map(GroupView::of).collect(),
        })
    }
}
