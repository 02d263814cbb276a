//! Disk replica pair actions, in EBS 2021-07-30 and in the ECS 2014-05-26 dialect of the seed
//! documents, plus the request helpers the group actions share.
//!
//! Both dialects call the same domain operations. They differ in required parameters (ECS
//! CreateDiskReplicaPair needs PairName but no zones), in the missing-parameter error
//! (`IncompleteParamter` vs `Missing<Name>`) and in CreateDiskReplicaPair's answer, which carries
//! the seed's `PairId` next to `ReplicaPairId` in ECS.

use serde::Serialize;

use super::instance::done_action;
use super::{ebs, ecs, unexpected, Action, Empty, RpcAction, TagView};
use crate::aliyun::error::{ApiError, Dialect};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::billing::ChargeType;
use crate::domain::call::{Answer, Call, Target};
use crate::domain::query::PageRequest;
use crate::domain::replica_index::Site;
use crate::domain::replica_pair::{NewPair, PairChanges};
use crate::domain::replica_query::{GroupFilter, PairQuery, PairRow};
use crate::domain::replica_sync::Mode;
use crate::domain::{self, Op};

pub(super) const ACTIONS: &[Action] = &[
    ebs::<CreateDiskReplicaPair>("CreateDiskReplicaPair"),
    ecs::<CreateDiskReplicaPair>("CreateDiskReplicaPair"),
    ebs::<StartDiskReplicaPair>("StartDiskReplicaPair"),
    ecs::<StartDiskReplicaPair>("StartDiskReplicaPair"),
    ebs::<StopDiskReplicaPair>("StopDiskReplicaPair"),
    ecs::<StopDiskReplicaPair>("StopDiskReplicaPair"),
    ebs::<ModifyDiskReplicaPair>("ModifyDiskReplicaPair"),
    ecs::<ModifyDiskReplicaPair>("ModifyDiskReplicaPair"),
    ebs::<DeleteDiskReplicaPair>("DeleteDiskReplicaPair"),
    ecs::<DeleteDiskReplicaPair>("DeleteDiskReplicaPair"),
    ebs::<FailoverDiskReplicaPair>("FailoverDiskReplicaPair"),
    ecs::<FailoverDiskReplicaPair>("FailoverDiskReplicaPair"),
    ebs::<ReprotectDiskReplicaPair>("ReprotectDiskReplicaPair"),
    ecs::<ReprotectDiskReplicaPair>("ReprotectDiskReplicaPair"),
    ebs::<DescribeDiskReplicaPairs>("DescribeDiskReplicaPairs"),
    ecs::<DescribeDiskReplicaPairs>("DescribeDiskReplicaPairs"),
    ebs::<DescribeDiskReplicaPairProgress>("DescribeDiskReplicaPairProgress"),
    ecs::<DescribeDiskReplicaPairProgress>("DescribeDiskReplicaPairProgress"),
];

// ---- request helpers shared with the group actions ----

/// A required parameter, missing in the dialect's way.
pub(super) fn need(p: &Params, name: &str) -> Result<String, ApiError> {
    p.string(name)
        .ok_or_else(|| ApiError::replica_missing(p.dialect, name))
}

/// CreateDiskReplicaPair's region: `RegionId`, or in EBS `SourceRegionId`, which the first
/// EBS Tea SDK (alibabacloud-ebs20210730 1.0.x) sends instead of it. Both given must agree.
fn source_region(p: &Params) -> Result<String, ApiError> {
    let alias = if p.dialect == Dialect::Ebs {
        p.string("SourceRegionId")
    } else {
        None
    };
    match (p.string("RegionId"), alias) {
        (Some(region), Some(alias)) if region != alias => Err(p.invalid("SourceRegionId")),
        (Some(region), _) | (None, Some(region)) => Ok(region),
        (None, None) => need(p, "RegionId"),
    }
}

/// RPO: only 900 seconds is offered.
pub(super) fn rpo(p: &Params) -> Result<Option<i64>, ApiError> {
    p.int("RPO", 900, 900)
}

/// Bandwidth in Kbit/s: one of the documented steps (0 = dynamic).
pub(super) fn bandwidth(p: &Params) -> Result<Option<i64>, ApiError> {
    match p.int("Bandwidth", 0, 102_400)? {
        Some(b) if ![0, 10_240, 20_480, 51_200, 102_400].contains(&b) => {
            Err(p.invalid("Bandwidth"))
        }
        b => Ok(b),
    }
}

/// A name (`PairName`, `GroupName`): see [`names::is_name`].
pub(super) fn name(p: &Params, param: &str) -> Result<Option<String>, ApiError> {
    p.checked(param, names::is_name, || p.invalid(param))
}

/// A description: see [`names::is_description`].
pub(super) fn description(p: &Params) -> Result<Option<String>, ApiError> {
    p.checked("Description", names::is_description, || {
        p.invalid("Description")
    })
}

/// `Site`: `production` or `backup`; absent lists both sides.
pub(super) fn site(p: &Params) -> Result<Option<Site>, ApiError> {
    Ok(p.one_of("Site", &["production", "backup"])?
        .and_then(|s| vocab::parse_site(&s)))
}

/// A comma list of at most 100 ids.
pub(super) fn id_list(p: &Params, param: &str) -> Result<Option<Vec<String>>, ApiError> {
    match p.comma_list(param) {
        Some(ids) if ids.len() > 100 => Err(p.invalid(param)),
        ids => Ok(ids),
    }
}

/// The page asked for and the PageNumber to report. NextToken or MaxResults select token
/// paging (MaxResults 1-500, default 10); PageNumber/PageSize alone select numbered pages
/// (PageSize 1-100); with neither, the first 10.
pub(super) fn paging(p: &Params) -> Result<(PageRequest, usize), ApiError> {
    let token = p.string("NextToken");
    let max = p.int("MaxResults", 1, 500)?;
    let number = p.int("PageNumber", 1, i64::from(u32::MAX))?;
    let size = p.int("PageSize", 1, 100)?;
    let to_usize = |n: i64| usize::try_from(n).unwrap_or(1);
    let reported = number.map_or(1, to_usize);
    if token.is_some() || max.is_some() || (number.is_none() && size.is_none()) {
        let size = to_usize(max.unwrap_or(10));
        return Ok((PageRequest::After { after: token, size }, reported));
    }
    let size = to_usize(size.unwrap_or(10));
    Ok((
        PageRequest::Number {
            number: reported,
            size,
        },
        reported,
    ))
}

/// Unix seconds, as EBS shows times.
pub(super) fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// Tags as EBS lists them: a bare array of `{TagKey, TagValue}`.
pub(super) fn tag_views(tags: &[(String, String)]) -> Vec<TagView> {
    tags.iter()
        .map(|(k, v)| TagView {
            tag_key: k.clone(),
            tag_value: v.clone(),
        })
        .collect()
}

/// RegionId, the pair or group named by `id_param`, and ClientToken: what every status change
/// of a pair or group carries.
pub(super) fn target(p: &Params, id_param: &str) -> Result<Target, ApiError> {
    Ok(Target {
        region: need(p, "RegionId")?,
        id: need(p, id_param)?,
        token: p.client_token()?,
    })
}

// ---- CreateDiskReplicaPair ----

pub(super) struct CreateDiskReplicaPair {
    dialect: Dialect,
    subscription: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateDiskReplicaPairResponse {
    /// The seed documents' name for the id (ECS dialect only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pair_id: Option<String>,
    replica_pair_id: String,
    /// Subscriptions only: the order that bought it.
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
}

/// A 15-digit order number derived from the pair id, so a ClientToken retry answers the same one.
fn order_id(pair_id: &str) -> String {
    let h = pair_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}", 200_000_000_000_000 + h % 100_000_000_000_000)
}

impl RpcAction for CreateDiskReplicaPair {
    const OP: Op = Op::CreatePair;
    type Response<'s> = CreateDiskReplicaPairResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let ecs = p.dialect == Dialect::Ecs;
        // ECS (the seed) names no zones but requires PairName; EBS requires both zones.
        let zone = |name| {
            if ecs {
                Ok(p.string(name))
            } else {
                need(p, name).map(Some)
            }
        };
        let region_id = source_region(p)?;
        let source_zone_id = zone("SourceZoneId")?;
        let disk_id = need(p, "DiskId")?;
        let destination_region_id = need(p, "DestinationRegionId")?;
        let destination_zone_id = zone("DestinationZoneId")?;
        let destination_disk_id = need(p, "DestinationDiskId")?;
        if ecs {
            need(p, "PairName")?;
        }
        let charge_type = p
            .one_of("ChargeType", &["PREPAY", "POSTPAY"])?
            .unwrap_or_else(|| "POSTPAY".to_owned());
        let prepay = charge_type == "PREPAY";
        let period_months = match p.int("Period", 1, 60)? {
            Some(m) if ![1, 2, 3, 6, 12, 24, 36, 60].contains(&m) => {
                return Err(p.invalid("Period"))
            }
            None if prepay => return Err(ApiError::replica_missing(p.dialect, "Period")),
            m => m.filter(|_| prepay),
        };
        p.one_of("PeriodUnit", &["Month"])?;
        let default_bandwidth = if prepay { 10_240 } else { 0 };
        let charge_type = if prepay {
            ChargeType::Subscription
        } else {
            ChargeType::PayAsYouGo
        };
        let spec = NewPair {
            region_id,
            source_zone_id,
            disk_id,
            destination_region_id,
            destination_zone_id,
            destination_disk_id,
            name: name(p, "PairName")?.unwrap_or_default(),
            description: description(p)?.unwrap_or_default(),
            charge_type,
            period_months,
            bandwidth: bandwidth(p)?.unwrap_or(default_bandwidth),
            rpo: rpo(p)?.unwrap_or(900),
            enable_rtc: p.bool("EnableRtc")?.unwrap_or(false),
            resource_group_id: p.string("ResourceGroupId").unwrap_or_default(),
            tags: p.tags()?,
            mode: Mode::Asynchronous,
        };
        let call = Call::CreatePair {
            spec,
            token: p.client_token()?,
        };
        let request = Self {
            dialect: p.dialect,
            subscription: prepay,
        };
        Ok((call, request))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<CreateDiskReplicaPairResponse> {
        let Answer::Created(mut ids) = answer else {
            return Err(unexpected(&answer));
        };
        let id = ids
            .pop()
            .ok_or_else(|| unexpected(&Answer::Created(Vec::new())))?;
        Ok(CreateDiskReplicaPairResponse {
            pair_id: (self.dialect == Dialect::Ecs).then(|| id.clone()),
            order_id: self.subscription.then(|| order_id(&id)),
            replica_pair_id: id,
        })
    }
}

// ---- status changes ----

done_action!(StartDiskReplicaPair, Op::StartPair, |p| Call::StartPair {
    target: target(p, "ReplicaPairId")?,
    one_shot: p.bool("OneShot")?.unwrap_or(false),
});

done_action!(StopDiskReplicaPair, Op::StopPair, |p| Call::StopPair(
    target(p, "ReplicaPairId")?
));

done_action!(DeleteDiskReplicaPair, Op::DeletePair, |p| Call::DeletePair(
    target(p, "ReplicaPairId")?
));

done_action!(FailoverDiskReplicaPair, Op::FailoverPair, |p| {
    Call::FailoverPair(target(p, "ReplicaPairId")?)
});

done_action!(ReprotectDiskReplicaPair, Op::ReprotectPair, |p| {
    Call::ReprotectPair {
        target: target(p, "ReplicaPairId")?,
        reverse: p.bool("ReverseReplicate")?.unwrap_or(true),
    }
});

done_action!(ModifyDiskReplicaPair, Op::ModifyPair, |p| {
    Call::ModifyPair {
        target: target(p, "ReplicaPairId")?,
        changes: PairChanges {
            name: name(p, "PairName")?,
            description: description(p)?,
            rpo: rpo(p)?,
            bandwidth: bandwidth(p)?,
            enable_rtc: p.bool("EnableRtc")?,
        },
    }
});

// ---- DescribeDiskReplicaPairs ----

pub(super) struct DescribeDiskReplicaPairs {
    page_number: usize,
    page_size: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDiskReplicaPairsResponse {
    next_token: String,
    page_number: usize,
    page_size: usize,
    total_count: usize,
    replica_pairs: Vec<PairView>,
}

/// One pair as EBS lists it. Source*/Destination* are the current direction, Primary*/Standby*
/// the one at creation; `LastRecoverPoint` is absent until a copy has completed.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PairView {
    replica_pair_id: String,
    pair_name: String,
    description: String,
    status: &'static str,
    status_message: String,
    source_region: String,
    source_zone_id: String,
    source_disk_id: String,
    destination_region: String,
    destination_zone_id: String,
    destination_disk_id: String,
    primary_region: String,
    primary_zone: String,
    standby_region: String,
    standby_zone: String,
    #[serde(rename = "RPO")]
    rpo: i64,
    bandwidth: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_recover_point: Option<i64>,
    replication_progress: u8,
    create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_time: Option<i64>,
    charge_type: String,
    enable_rtc: bool,
    replica_group_id: String,
    replica_group_name: String,
    site: &'static str,
    resource_group_id: String,
    tags: Vec<TagView>,
}

impl PairView {
    fn of(row: PairRow) -> Self {
        let p = row.pair;
        Self {
            status: vocab::replica_status(p.status()),
            status_message: p
                .status_message
                .map(vocab::status_cause)
                .unwrap_or_default()
                .to_owned(),
            last_recover_point: p.track.recover_point().map(secs),
            create_time: secs(p.created_at),
            expired_time: p.expires_at.map(secs),
            replication_progress: row.progress,
            site: vocab::site(row.site),
            replica_group_name: row.group_name.unwrap_or_default(),
            replica_group_id: p.group_id.unwrap_or_default(),
            tags: tag_views(&p.tags),
            replica_pair_id: p.id,
            pair_name: p.name,
            description: p.description,
            source_region: p.source.region_id,
            source_zone_id: p.source.zone_id,
            source_disk_id: p.source.disk_id,
            destination_region: p.destination.region_id,
            destination_zone_id: p.destination.zone_id,
            destination_disk_id: p.destination.disk_id,
            primary_region: p.primary.region_id,
            primary_zone: p.primary.zone_id,
            standby_region: p.standby.region_id,
            standby_zone: p.standby.zone_id,
            rpo: p.rpo,
            bandwidth: p.bandwidth,
            charge_type: vocab::replica_charge_type(p.charge_type).to_owned(),
            enable_rtc: p.enable_rtc,
            resource_group_id: p.resource_group_id,
        }
    }
}

impl RpcAction for DescribeDiskReplicaPairs {
    const OP: Op = Op::DescribePairs;
    type Response<'s> = DescribeDiskReplicaPairsResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = need(p, "RegionId")?;
        let group = p.string("ReplicaGroupId").map(|g| {
            if g == "-" {
                GroupFilter::Ungrouped
            } else {
                GroupFilter::In(g)
            }
        });
        let (page, page_number) = paging(p)?;
        let request = Self {
            page_number,
            page_size: page.size(),
        };
        let query = PairQuery {
            region_id,
            pair_ids: id_list(p, "PairIds")?,
            group,
            site: site(p)?,
            name: p.string("Name"),
            resource_group_id: p.string("ResourceGroupId"),
            tags: p.tags()?,
            page,
            ..PairQuery::default()
        };
        Ok((Call::DescribePairs(query), request))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeDiskReplicaPairsResponse> {
        let Answer::Pairs(page) = answer else {
            return Err(unexpected(&answer));
        };
        Ok(DescribeDiskReplicaPairsResponse {
            next_token: page.next_token,
            page_number: self.page_number,
            page_size: self.page_size,
            total_count: page.total,
            replica_pairs: page.items.into_iter().map(PairView::of).collect(),
        })
    }
}

// ---- DescribeDiskReplicaPairProgress ----

pub(super) struct DescribeDiskReplicaPairProgress;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDiskReplicaPairProgressResponse {
    progress: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    recover_point: Option<i64>,
}

impl RpcAction for DescribeDiskReplicaPairProgress {
    const OP: Op = Op::DescribePairProgress;
    type Response<'s> = DescribeDiskReplicaPairProgressResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let call = Call::DescribePairProgress {
            region: need(p, "RegionId")?,
            id: need(p, "ReplicaPairId")?,
        };
        Ok((call, Self))
    }
    fn respond(
        self,
        answer: Answer<'_>,
    ) -> domain::Result<DescribeDiskReplicaPairProgressResponse> {
        match answer {
            Answer::Progress {
                percent,
                recover_point,
            } => Ok(DescribeDiskReplicaPairProgressResponse {
                progress: percent,
                recover_point: recover_point.map(secs),
            }),
            other => Err(unexpected(&other)),
        }
    }
}
