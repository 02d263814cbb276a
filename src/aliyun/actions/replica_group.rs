//! Disk replica group actions (replication pair-consistent groups), in EBS 2021-07-30 and the
//! ECS 2014-05-26 dialect; request helpers come from the pair actions.

use serde::Serialize;

use super::replica_pair::{
    bandwidth, client_token, description, id_list, name, need, paging, rpo, secs, site, tag_views,
    target_action, ExtraArg, Target,
};
use super::{ebs, ecs, Action, Empty, RpcAction, TagView};
use crate::aliyun::error::ApiError;
use crate::aliyun::params::Params;
use crate::domain::replica_group::{GroupChanges, NewGroup};
use crate::domain::replica_query::{GroupQuery, GroupRow};
use crate::domain::{self, Error, Scope};

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

pub(super) struct CreateDiskReplicaGroup {
    spec: NewGroup,
    token: Option<String>,
    fingerprint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDiskReplicaGroupResponse {
    replica_group_id: String,
}

impl RpcAction for CreateDiskReplicaGroup {
    type Response<'s> = CreateDiskReplicaGroupResponse;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
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
            },
            token: client_token(p)?,
            fingerprint: p.fingerprint(),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<CreateDiskReplicaGroupResponse> {
        let ids = scope.idempotent(
            "replica_group.create",
            self.token.as_deref(),
            &self.fingerprint,
            |s| s.create_replica_group(&self.spec).map(|id| vec![id]),
        )?;
        let replica_group_id = ids
            .into_iter()
            .next()
            .ok_or_else(|| Error::Internal("CreateDiskReplicaGroup recorded no id".into()))?;
        Ok(CreateDiskReplicaGroupResponse { replica_group_id })
    }
}

// ---- status changes ----

pub(super) struct ModifyDiskReplicaGroup {
    target: Target,
    changes: GroupChanges,
}

impl RpcAction for ModifyDiskReplicaGroup {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            target: Target::read(p, "ReplicaGroupId")?,
            changes: GroupChanges {
                name: name(p, "GroupName")?,
                description: description(p)?,
                rpo: rpo(p)?,
                bandwidth: bandwidth(p)?,
                enable_rtc: p.bool("EnableRtc")?,
            },
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        let changes = &self.changes;
        self.target.once(scope, "replica_group.modify", |s, r, id| {
            s.modify_replica_group(r, id, changes)
        })
    }
}

target_action!(
    DeleteDiskReplicaGroup,
    "ReplicaGroupId",
    "replica_group.delete",
    delete_replica_group
);

pub(super) struct StartDiskReplicaGroup {
    target: Target,
    one_shot: bool,
}

impl RpcAction for StartDiskReplicaGroup {
    type Response<'s> = Empty;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            target: Target::read(p, "ReplicaGroupId")?,
            one_shot: p.bool("OneShot")?.unwrap_or(false),
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<Empty> {
        let one_shot = self.one_shot;
        self.target.once(scope, "replica_group.start", |s, r, id| {
            s.start_replica_group(r, id, one_shot)
        })
    }
}

target_action!(
    StopDiskReplicaGroup,
    "ReplicaGroupId",
    "replica_group.stop",
    stop_replica_group
);

target_action!(
    FailoverDiskReplicaGroup,
    "ReplicaGroupId",
    "replica_group.failover",
    failover_replica_group
);

target_action!(
    ReprotectDiskReplicaGroup,
    "ReplicaGroupId",
    "replica_group.reprotect",
    reprotect_replica_group,
    bool = |p| p.bool("ReverseReplicate")?.unwrap_or(true)
);

// ---- membership ----

target_action!(
    AddDiskReplicaPair,
    "ReplicaGroupId",
    "replica_group.add_pair",
    add_replica_pair,
    String = |p| need(p, "ReplicaPairId")?
);

target_action!(
    RemoveDiskReplicaPair,
    "ReplicaGroupId",
    "replica_group.remove_pair",
    remove_replica_pair,
    String = |p| need(p, "ReplicaPairId")?
);

// ---- DescribeDiskReplicaGroups ----

pub(super) struct DescribeDiskReplicaGroups {
    query: GroupQuery,
    page_number: usize,
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
            status: row.status.as_str(),
            last_recover_point: g.track.recover_point().map(secs),
            site: row.site.as_str(),
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
    type Response<'s> = DescribeDiskReplicaGroupsResponse;
    fn decode(p: &Params) -> Result<Self, ApiError> {
        let region_id = need(p, "RegionId")?;
        let (page, page_number) = paging(p)?;
        Ok(Self {
            query: GroupQuery {
                region_id,
                group_ids: id_list(p, "GroupIds")?,
                site: site(p)?,
                name: p.string("Name"),
                resource_group_id: p.string("ResourceGroupId"),
                tags: p.tags()?,
                page,
            },
            page_number,
        })
    }
    fn apply(self, scope: &mut Scope<'_>) -> domain::Result<DescribeDiskReplicaGroupsResponse> {
        let page = scope.describe_replica_groups(&self.query)?;
        Ok(DescribeDiskReplicaGroupsResponse {
            next_token: page.next_token,
            page_number: self.page_number,
            page_size: self.query.page.size(),
            total_count: page.total,
            replica_groups: page.items.into_iter().map(GroupView::of).collect(),
        })
    }
}
