//! Tag actions of both products: TagResources, UntagResources and ListTagResources, for ECS
//! instances and disks (2014-05-26) and EBS replica pairs and groups (2021-07-30).

use serde::Serialize;

use super::instance::done_action;
use super::{ebs, ecs, unexpected, Action, Empty, RpcAction};
use crate::aliyun::error::{ApiError, Dialect, ErrorCode};
use crate::aliyun::names;
use crate::aliyun::params::Params;
use crate::aliyun::vocab;
use crate::domain::call::{Answer, Call};
use crate::domain::query::PageRequest;
use crate::domain::tagging::{TagQuery, TagRow, TagTarget, MAX_TAGS_PER_RESOURCE};
use crate::domain::{self, Kind, Op};

pub(super) const ACTIONS: &[Action] = &[
    ecs::<TagResources>("TagResources"),
    ecs::<UntagResources>("UntagResources"),
    ecs::<ListTagResources>("ListTagResources"),
    ebs::<TagResources>("TagResources"),
    ebs::<UntagResources>("UntagResources"),
    ebs::<ListTagResources>("ListTagResources"),
];

/// The most resources one call names (`ResourceId.N`).
const MAX_RESOURCE_IDS: usize = 50;
/// Rows per ListTagResources page.
const PAGE_SIZE: usize = 50;

/// `ResourceType`, as the request's product spells it.
fn resource_type(p: &Params) -> Result<Kind, ApiError> {
    let raw = p.required("ResourceType")?;
    let kind = match p.dialect {
        Dialect::Ecs | Dialect::Vpc => vocab::parse_ecs_tag_resource(&raw),
        Dialect::Ebs => vocab::parse_ebs_tag_resource(&raw),
    };
    kind.ok_or_else(|| match p.dialect {
        Dialect::Ecs | Dialect::Vpc => ErrorCode::ResourceTypeNotFound.into(),
        Dialect::Ebs => p.invalid("ResourceType"),
    })
}

/// `ResourceId.N`, at most 50.
fn resource_ids(p: &Params) -> Result<Vec<String>, ApiError> {
    let ids = p.repeated("ResourceId");
    if ids.len() > MAX_RESOURCE_IDS {
        return Err(match p.dialect {
            Dialect::Ecs | Dialect::Vpc => ErrorCode::NumberExceedResourceIds.into(),
            Dialect::Ebs => p.invalid("ResourceId"),
        });
    }
    Ok(ids)
}

/// The error for a bad tag in this product: ECS's own code, or EBS's invalid `name`.
fn bad_tag(p: &Params, ecs: ErrorCode, name: &str) -> ApiError {
    match p.dialect {
        Dialect::Ecs | Dialect::Vpc => ecs.into(),
        Dialect::Ebs => p.invalid(name),
    }
}

/// `Tag.N.Key` / `Tag.N.Value`: at most 20, keys well formed and distinct.
fn tags(p: &Params) -> Result<Vec<(String, String)>, ApiError> {
    let indexed = p.indexed("Tag");
    if indexed.len() > MAX_TAGS_PER_RESOURCE {
        return Err(bad_tag(p, ErrorCode::NumberExceedTags, "Tag"));
    }
    let mut out: Vec<(String, String)> = Vec::with_capacity(indexed.len());
    for (i, fields) in indexed {
        let key = fields.get("Key").cloned().unwrap_or_default();
        let value = fields.get("Value").cloned().unwrap_or_default();
        if !names::is_tag_key(&key) {
            return Err(bad_tag(
                p,
                ErrorCode::TagKeyMalformed,
                &format!("Tag.{i}.Key"),
            ));
        }
        if !names::is_tag_value(&value) {
            return Err(bad_tag(
                p,
                ErrorCode::TagValueMalformed,
                &format!("Tag.{i}.Value"),
            ));
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(bad_tag(
                p,
                ErrorCode::DuplicateTagKey,
                &format!("Tag.{i}.Key"),
            ));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// ECS `TagFilter.N.TagKey` with `TagFilter.N.TagValues.N`: at most 5 filters of at most 5
/// values each.
fn tag_filters(p: &Params) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    const MAX: usize = 5;
    let indexed = p.indexed("TagFilter");
    if indexed.len() > MAX {
        return Err(p.invalid("TagFilter"));
    }
    indexed
        .into_iter()
        .map(|(i, fields)| {
            let key = fields
                .get("TagKey")
                .filter(|k| names::is_tag_key(k))
                .cloned()
                .ok_or_else(|| p.invalid(&format!("TagFilter.{i}.TagKey")))?;
            let values: Vec<String> = fields
                .iter()
                .filter(|(f, v)| f.starts_with("TagValues.") && !v.is_empty())
                .map(|(_, v)| v.clone())
                .collect();
            if values.len() > MAX {
                return Err(p.invalid(&format!("TagFilter.{i}.TagValues")));
            }
            Ok((key, values))
        })
        .collect()
}

/// The region, resource type and resources of a tag change.
fn target(p: &Params) -> Result<TagTarget, ApiError> {
    let region_id = p.required("RegionId")?;
    let kind = resource_type(p)?;
    let ids = resource_ids(p)?;
    if ids.is_empty() {
        return Err(ApiError::missing("ResourceId"));
    }
    Ok(TagTarget {
        region_id,
        kind,
        ids,
    })
}

done_action!(TagResources, Op::TagResources, |p| {
    p.client_token()?;
    let target = target(p)?;
    let tags = tags(p)?;
    if tags.is_empty() {
        return Err(match p.dialect {
            Dialect::Ecs | Dialect::Vpc => ErrorCode::MissingTags.into(),
            Dialect::Ebs => ApiError::missing("Tag.1.Key"),
        });
    }
    Call::TagResources { target, tags }
});

done_action!(UntagResources, Op::UntagResources, |p| {
    p.client_token()?;
    let target = target(p)?;
    let keys = p.repeated("TagKey");
    if keys.len() > MAX_TAGS_PER_RESOURCE {
        return Err(bad_tag(p, ErrorCode::NumberExceedTags, "TagKey"));
    }
    Call::UntagResources {
        target,
        all: keys.is_empty() && p.bool("All")?.unwrap_or(false),
        keys,
    }
});

/// ListTagResources: pages of 50 rows; `NextToken` is the position of the next row.
pub(super) struct ListTagResources {
    dialect: Dialect,
    offset: usize,
}

impl RpcAction for ListTagResources {
    const OP: Op = Op::ListTagResources;
    type Response<'s> = ListTagResourcesResponse<'s>;
    fn decode(p: &Params) -> Result<(Call, Self), ApiError> {
        let region_id = p.required("RegionId")?;
        let kind = resource_type(p)?;
        let ids = resource_ids(p)?;
        let tags = tags(p)?;
        let key_filters = tag_filters(p)?;
        let offset = match p.get("NextToken") {
            None => 0,
            Some(t) => t.parse::<usize>().map_err(|_| p.invalid("NextToken"))?,
        };
        let query = TagQuery {
            region_id,
            kind,
            ids,
            tags,
            key_filters,
            page: PageRequest::Offset {
                offset,
                size: PAGE_SIZE,
            },
        };
        let me = Self {
            dialect: p.dialect,
            offset,
        };
        Ok((Call::ListTagResources(query), me))
    }
    fn respond(self, answer: Answer<'_>) -> domain::Result<ListTagResourcesResponse<'_>> {
        let Answer::TagRows(page) = answer else {
            return Err(unexpected(&answer));
        };
        let end = self.offset.saturating_add(PAGE_SIZE);
        Ok(ListTagResourcesResponse {
            next_token: if end < page.total {
                end.to_string()
            } else {
                String::new()
            },
            tag_resources: Rows {
                rows: page.items,
                wrapped: self.dialect == Dialect::Ecs,
            },
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListTagResourcesResponse<'s> {
    next_token: String,
    tag_resources: Rows<'s>,
}

/// The rows: ECS wraps them (`{"TagResource": [...]}`), EBS lists them bare.
pub(super) struct Rows<'s> {
    rows: Vec<TagRow<'s>>,
    wrapped: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RowView<'s> {
    resource_type: &'static str,
    resource_id: &'s str,
    tag_key: &'s str,
    tag_value: &'s str,
}

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let views: Vec<RowView<'_>> = self
            .rows
            .iter()
            .map(|r| RowView {
                resource_type: vocab::tag_resource(r.kind),
                resource_id: r.id,
                tag_key: r.key,
                tag_value: r.value,
            })
            .collect();
        if self.wrapped {
            let mut st = s.serialize_struct("TagResources", 1)?;
            st.serialize_field("TagResource", &views)?;
            st.end()
        } else {
            views.serialize(s)
        }
    }
}
