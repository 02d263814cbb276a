//! Catalog actions: ECS DescribeRegions, DescribeZones, DescribeImages, DescribeInstanceTypes,
//! and EBS DescribeRegions (the regions and zones that offer replication).

use serde::Serialize;

use super::blanks;
use super::documented::{documented, WithBlanks};
use super::{ebs, ecs, unexpected, Action, Paging, RpcAction};
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::call::{Answer, Call};
use crate::domain::catalog::Catalog;
use crate::domain::{self, Op};

/// The catalog of a catalog read's answer.
fn catalog<'s>(answer: &Answer<'s>) -> domain::Result<&'s Catalog> {
    match answer {
        Answer::Catalog(c) => Ok(c),
        other => Err(unexpected(other)),
    }
}

pub(super) const ACTIONS: &[Action] = &[
    ecs::<DescribeRegions>("DescribeRegions"),
    ecs::<DescribeZones>("DescribeZones"),
    ecs::<DescribeImages>("DescribeImages"),
    ecs::<DescribeInstanceTypes>("DescribeInstanceTypes"),
    ebs::<DescribeEbsRegions>("DescribeRegions"),
];

fn accept_language(p: &Params) -> Result<bool, ApiError> {
    match p.get("AcceptLanguage") {
        None | Some("zh-CN") => Ok(true),
        Some("en-US" | "ja") => Ok(false),
        Some(_) => Err(ErrorCode::AcceptLanguageNotFound.into()),
    }
}

pub(super) struct DescribeRegions {
    chinese: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeRegionsResponse {
    regions: RegionSet,
}

#[derive(Serialize)]
pub(super) struct RegionSet {
    #[serde(rename = "Region")]
    region: Vec<RegionView>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RegionView {
    region_id: String,
    local_name: String,
    region_endpoint: String,
    status: &'static str,
}

impl RpcAction for DescribeRegions {
    const OP: Op = Op::DescribeRegions;
    type Response<'s> = DescribeRegionsResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        if p.get("InstanceChargeType").is_some_and(|c| {
            !["PrePaid", "PostPaid", "SpotWithPriceLimit", "SpotAsPriceGo"].contains(&c)
        }) {
            return Err(ErrorCode::InstanceChargeTypeInvalid.into());
        }
        let types = [
            "instance",
            "disk",
            "reservedinstance",
            "scu",
            "dedicatedhost",
        ];
        if p.get("ResourceType").is_some_and(|t| !types.contains(&t)) {
            return Err(ErrorCode::ResourceTypeNotFound.into());
        }
        Ok((
            Call::ReadCatalog(Self::OP),
            Self {
                chinese: accept_language(p)?,
            },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeRegionsResponse> {
        let catalog = catalog(&answer)?;
        let region = catalog
            .regions
            .iter()
            .filter(|r| r.offered_by(vocab::DIALECT))
            .map(|r| RegionView {
                region_id: r.id.clone(),
                local_name: if self.chinese {
                    r.local_name.clone()
                } else {
                    r.local_name_en.clone()
                },
                region_endpoint: format!("ecs.{}.aliyuncs.com", r.id),
                status: "available",
            })
            .collect();
        Ok(DescribeRegionsResponse {
            regions: RegionSet { region },
        })
    }
}

pub(super) struct DescribeZones {
    region_id: String,
    verbose: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeZonesResponse {
    zones: ZoneSet,
}

#[derive(Serialize)]
pub(super) struct ZoneSet {
    #[serde(rename = "Zone")]
    zone: Vec<WithBlanks<ZoneView>>,
}

#[derive(Serialize)]
struct ResourceTypes {
    #[serde(rename = "ResourceTypes")]
    resource_types: Vec<&'static str>,
}

#[derive(Serialize)]
struct DiskCategories {
    #[serde(rename = "DiskCategories")]
    disk_categories: Vec<String>,
}

#[derive(Serialize)]
struct InstanceTypes {
    #[serde(rename = "InstanceTypes")]
    instance_types: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ZoneView {
    zone_id: String,
    local_name: String,
    zone_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_resource_creation: Option<ResourceTypes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_disk_categories: Option<DiskCategories>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_instance_types: Option<InstanceTypes>,
}

impl RpcAction for DescribeZones {
    const OP: Op = Op::DescribeZones;
    type Response<'s> = DescribeZonesResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        accept_language(p)?;
        if p.get("SpotStrategy")
            .is_some_and(|s| !["NoSpot", "SpotWithPriceLimit", "SpotAsPriceGo"].contains(&s))
        {
            return Err(ErrorCode::SpotStrategyInvalid.into());
        }
        p.one_of("InstanceChargeType", &["PrePaid", "PostPaid"])?;
        Ok((
            Call::ReadCatalog(Self::OP),
            Self {
                region_id: p.required("RegionId")?,
                verbose: p.bool("Verbose")?.unwrap_or(true),
            },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeZonesResponse> {
        let catalog = catalog(&answer)?;
        let region = vocab::offered_region(catalog, &self.region_id)?;
        // Verbose=false leaves out the Available* lists, the documented ones included.
        let zone_blanks = if self.verbose { blanks::ZONE } else { &[] };
        let zone = region
            .zones
            .iter()
            .map(|z| ZoneView {
                zone_id: z.id.clone(),
                local_name: z.local_name_en.clone(),
                zone_type: "AvailabilityZone",
                available_resource_creation: self.verbose.then(|| ResourceTypes {
                    resource_types: vec!["Instance", "Disk", "DedicatedHost"],
                }),
                available_disk_categories: self.verbose.then(|| DiskCategories {
                    disk_categories: catalog
                        .disk_categories
                        .iter()
                        .filter(|c| c.offered_by(vocab::DIALECT))
                        .map(|c| c.id.clone())
                        .collect(),
                }),
                available_instance_types: self.verbose.then(|| InstanceTypes {
                    instance_types: catalog
                        .instance_types
                        .iter()
                        .map(|t| t.id.clone())
                        .collect(),
                }),
            })
            .map(|view| documented(view, zone_blanks))
            .collect();
        Ok(DescribeZonesResponse {
            zones: ZoneSet { zone },
        })
    }
}

pub(super) struct DescribeImages {
    region_id: String,
    image_ids: Option<Vec<String>>,
    name: Option<String>,
    owner: Option<String>,
    os_type: Option<String>,
    architecture: Option<String>,
    paging: Paging,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeImagesResponse {
    region_id: String,
    total_count: usize,
    page_number: usize,
    page_size: usize,
    images: ImageSet,
}

#[derive(Serialize)]
pub(super) struct ImageSet {
    #[serde(rename = "Image")]
    image: Vec<WithBlanks<ImageView>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageView {
    image_id: String,
    image_name: String,
    image_owner_alias: &'static str,
    #[serde(rename = "OSType")]
    os_type: String,
    #[serde(rename = "OSName")]
    os_name: String,
    #[serde(rename = "OSNameEn")]
    os_name_en: String,
    platform: String,
    architecture: String,
    size: u32,
    status: &'static str,
    usage: &'static str,
    is_support_io_optimized: bool,
    is_support_cloudinit: bool,
    creation_time: &'static str,
    description: String,
}

impl RpcAction for DescribeImages {
    const OP: Op = Op::DescribeImages;
    type Response<'s> = DescribeImagesResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let mut paging = Paging::read(p, 100, 100)?;
        paging.tokens = false;
        Ok((
            Call::ReadCatalog(Self::OP),
            Self {
                region_id: p.required("RegionId")?,
                image_ids: p.comma_list("ImageId"),
                name: p.string("ImageName"),
                owner: p.one_of(
                    "ImageOwnerAlias",
                    &["system", "self", "others", "marketplace"],
                )?,
                os_type: p.one_of("OSType", &["linux", "windows"])?,
                architecture: p.one_of("Architecture", &["i386", "x86_64", "arm64"])?,
                paging,
            },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeImagesResponse> {
        let catalog = catalog(&answer)?;
        vocab::offered_region(catalog, &self.region_id)?;
        let matched: Vec<WithBlanks<ImageView>> = catalog
            .images
            .iter()
            .filter(|i| {
                self.image_ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&i.id))
            })
            .filter(|i| {
                self.name
                    .as_ref()
                    .is_none_or(|n| i.name.contains(n.trim_end_matches('*')))
            })
            .filter(|_| self.owner.as_deref().is_none_or(|o| o == "system"))
            .filter(|i| self.os_type.as_ref().is_none_or(|o| *o == i.os_type))
            .filter(|i| {
                self.architecture
                    .as_ref()
                    .is_none_or(|a| *a == i.architecture)
            })
            .map(|i| ImageView {
                image_id: i.id.clone(),
                image_name: i.name.clone(),
                image_owner_alias: "system",
                os_type: i.os_type.clone(),
                os_name: i.name.clone(),
                os_name_en: i.name.clone(),
                platform: i.platform.clone(),
                architecture: i.architecture.clone(),
                size: i.size,
                status: "Available",
                usage: "instance",
                is_support_io_optimized: true,
                is_support_cloudinit: true,
                creation_time: "2024-08-19T00:00:00Z",
                description: String::new(),
            })
            .map(|view| documented(view, blanks::IMAGE))
            .collect();
        let total = matched.len();
        let (page, _) = self.paging.page(matched);
        Ok(DescribeImagesResponse {
            region_id: self.region_id,
            total_count: total,
            page_number: self.paging.page_number,
            page_size: self.paging.size,
            images: ImageSet { image: page },
        })
    }
}

pub(super) struct DescribeInstanceTypes {
    types: Vec<String>,
    family: Option<String>,
    paging: Paging,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeInstanceTypesResponse {
    next_token: String,
    instance_types: TypeSet,
}

#[derive(Serialize)]
pub(super) struct TypeSet {
    #[serde(rename = "InstanceType")]
    instance_type: Vec<WithBlanks<TypeView>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TypeView {
    instance_type_id: String,
    instance_type_family: String,
    cpu_core_count: u32,
    memory_size: f64,
    cpu_architecture: &'static str,
    disk_quantity: u32,
    eni_quantity: u32,
}

impl RpcAction for DescribeInstanceTypes {
    const OP: Op = Op::DescribeInstanceTypes;
    type Response<'s> = DescribeInstanceTypesResponse;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let mut paging = Paging::read(p, 100, 1600)?;
        paging.tokens = true;
        if p.get("MaxResults").is_none() && p.get("NextToken").is_none() {
            paging.size = 1600;
        }
        Ok((
            Call::ReadCatalog(Self::OP),
            Self {
                types: p.repeated("InstanceTypes"),
                family: p.string("InstanceTypeFamily"),
                paging,
            },
        ))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeInstanceTypesResponse> {
        let catalog = catalog(&answer)?;
        let matched: Vec<WithBlanks<TypeView>> = catalog
            .instance_types
            .iter()
            .filter(|t| self.types.is_empty() || self.types.contains(&t.id))
            .filter(|t| self.family.as_ref().is_none_or(|f| *f == t.family))
            .map(|t| TypeView {
                instance_type_id: t.id.clone(),
                instance_type_family: t.family.clone(),
                cpu_core_count: t.cpu,
                memory_size: t.memory_gib,
                cpu_architecture: "X86",
                disk_quantity: 17,
                eni_quantity: 3,
            })
            .map(|view| documented(view, blanks::INSTANCE_TYPE))
            .collect();
        let (page, next) = self.paging.page(matched);
        Ok(DescribeInstanceTypesResponse {
            next_token: next,
            instance_types: TypeSet {
                instance_type: page,
            },
        })
    }
}

/// EBS DescribeRegions: every region of this dialect with its zones, each offering
/// asynchronous replication (`ear`), the only EBS resource type emulated.
pub(super) struct DescribeEbsRegions {
    chinese: bool,
    replication: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeEbsRegionsResponse<'s> {
    regions: Vec<EbsRegionView<'s>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EbsRegionView<'s> {
    region_id: &'s str,
    local_name: &'s str,
    region_endpoint: String,
    zones: Vec<EbsZoneView<'s>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EbsZoneView<'s> {
    zone_id: &'s str,
    local_name: &'s str,
    resource_types: &'static [&'static str],
}

impl RpcAction for DescribeEbsRegions {
    const OP: Op = Op::DescribeRegions;
    type Response<'s> = DescribeEbsRegionsResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let replication = match p.get("ResourceType") {
            None | Some("ear") => true,
            Some("lens" | "dbsc") => false,
            Some(_) => return Err(p.invalid("ResourceType")),
        };
        let chinese = match p.get("AcceptLanguage") {
            None | Some("zh-CN") => true,
            Some("en-US" | "ja") => false,
            Some(_) => return Err(p.invalid("AcceptLanguage")),
        };
        let me = Self {
            chinese,
            replication,
        };
        Ok((Call::ReadCatalog(Self::OP), me))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<DescribeEbsRegionsResponse<'_>> {
        let catalog = catalog(&answer)?;
        let regions = catalog
            .regions
            .iter()
            .filter(|r| self.replication && r.offered_by(vocab::DIALECT))
            .map(|r| EbsRegionView {
                region_id: &r.id,
                local_name: if self.chinese {
                    &r.local_name
                } else {
                    &r.local_name_en
                },
                region_endpoint: format!("ebs.{}.aliyuncs.com", r.id),
                zones: r
                    .zones
                    .iter()
                    .map(|z| EbsZoneView {
                        zone_id: &z.id,
                        local_name: &z.local_name_en,
                        resource_types: &["ear"],
                    })
                    .collect(),
            })
            .collect();
        Ok(DescribeEbsRegionsResponse { regions })
    }
}
