//! Tags on instances, disks, replica pairs and replica groups: adding, removing and listing
//! them, with the per-resource limit.

use serde::{Deserialize, Serialize};

use super::query::{has_tags, slice, Page, PageRequest};
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// The most tags one resource carries.
pub const MAX_TAGS_PER_RESOURCE: usize = 20;

/// The resources a tag call acts on: all of one kind, in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagTarget {
    /// The region the call is made in.
    pub region_id: String,
    /// Instance, Disk, ReplicaPair or ReplicaGroup.
    pub kind: Kind,
    /// The resources.
    pub ids: Vec<String>,
}

/// A tag listing: resources of one kind in a region, narrowed by ids and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagQuery {
    /// The region.
    pub region_id: String,
    /// The kind of resource.
    pub kind: Kind,
    /// Only these resources (all when empty).
    pub ids: Vec<String>,
    /// Only resources carrying every one of these tags (an empty value matches any value).
    pub tags: Vec<(String, String)>,
    /// Only resources that, for each (key, values), carry the key with one of the values (any
    /// value when there are none).
    pub key_filters: Vec<(String, Vec<String>)>,
    /// Which page of rows.
    pub page: PageRequest,
}

/// One tag of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagRow<'s> {
    /// The kind of resource.
    pub kind: Kind,
    /// The resource.
    pub id: &'s str,
    /// Tag key.
    pub key: &'s str,
    /// Tag value.
    pub value: &'s str,
}

/// `tags` after setting `new` (a key already present takes the new value).
fn merged(tags: &[(String, String)], new: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = tags.to_vec();
    for (k, v) in new {
        match out.iter_mut().find(|(ok, _)| ok == k) {
            Some(slot) => slot.1.clone_from(v),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

impl Scope<'_> {
    /// The tags of a resource of `kind` seen from `region`.
    fn tags_mut(
        &mut self,
        region: &str,
        kind: Kind,
        id: &str,
    ) -> Result<&mut Vec<(String, String)>> {
        let acc = &mut *self.account;
        let tags = match kind {
            Kind::Instance => acc
                .instances
                .get_mut(id)
                .filter(|i| i.region_id == region)
                .map(|i| &mut i.tags),
            Kind::Disk => acc
                .disks
                .get_mut(id)
                .filter(|d| d.region_id == region)
                .map(|d| &mut d.tags),
            Kind::ReplicaPair => acc
                .replication
                .pairs
                .get_mut(id)
                .filter(|p| p.visible(region, None))
                .map(|p| &mut p.tags),
            Kind::ReplicaGroup => acc
                .replication
                .groups
                .get_mut(id)
                .filter(|g| g.visible(region, None))
                .map(|g| &mut g.tags),
            _ => None,
        };
        tags.ok_or_else(|| Error::not_found(kind, id))
    }

    /// Sets `tags` on every target resource, all or none.
    ///
    /// # Errors
    /// `NotFound` (region or a resource); `TagQuota` when a resource would carry more than
    /// [`MAX_TAGS_PER_RESOURCE`].
    pub fn tag_resources(&mut self, target: &TagTarget, tags: &[(String, String)]) -> Result<()> {
        self.catalog.region(&target.region_id)?;
        for id in &target.ids {
            let have = self.tags_mut(&target.region_id, target.kind, id)?;
            if merged(have, tags).len() > MAX_TAGS_PER_RESOURCE {
                return Err(Error::Denied(Denial::TagQuota));
            }
        }
        for id in &target.ids {
            let have = self.tags_mut(&target.region_id, target.kind, id)?;
            *have = merged(have, tags);
        }
        Ok(())
    }

    /// Removes the tags with `keys` (every tag with `all`) from every target resource, all or
    /// none; keys a resource does not carry are ignored.
    ///
    /// # Errors
    /// `NotFound` (region or a resource).
    pub fn untag_resources(
        &mut self,
        target: &TagTarget,
        keys: &[String],
        all: bool,
    ) -> Result<()> {
        self.catalog.region(&target.region_id)?;
        for id in &target.ids {
            self.tags_mut(&target.region_id, target.kind, id)?;
        }
        for id in &target.ids {
            let have = self.tags_mut(&target.region_id, target.kind, id)?;
            have.retain(|(k, _)| !all && !keys.contains(k));
        }
        Ok(())
    }

    /// The tags of the matching resources, one row per (resource, tag), resources in id order
    /// and tags in the order they were set.
    ///
    /// # Errors
    /// `NotFound` for an unknown region.
    pub fn list_tag_resources(&self, q: &TagQuery) -> Result<Page<TagRow<'_>>> {
        self.catalog.region(&q.region_id)?;
        let region = q.region_id.as_str();
        let acc = &*self.account;
        let resources: Vec<(&str, &[(String, String)])> = match q.kind {
            Kind::Instance => acc
                .instances
                .values()
                .filter(|i| i.region_id == region)
                .map(|i| (i.id.as_str(), i.tags.as_slice()))
                .collect(),
            Kind::Disk => acc
                .disks
                .values()
                .filter(|d| d.region_id == region)
                .map(|d| (d.id.as_str(), d.tags.as_slice()))
                .collect(),
            Kind::ReplicaPair => acc
                .replication
                .pairs
                .values()
                .filter(|p| p.visible(region, None))
                .map(|p| (p.id.as_str(), p.tags.as_slice()))
                .collect(),
            Kind::ReplicaGroup => acc
                .replication
                .groups
                .values()
                .filter(|g| g.visible(region, None))
                .map(|g| (g.id.as_str(), g.tags.as_slice()))
                .collect(),
            _ => Vec::new(),
        };
        let rows: Vec<TagRow<'_>> = resources
            .into_iter()
            .filter(|(id, tags)| {
                (q.ids.is_empty() || q.ids.iter().any(|w| w == id))
                    && has_tags(tags, &q.tags)
                    && q.key_filters.iter().all(|(key, values)| {
                        tags.iter()
                            .any(|(k, v)| k == key && (values.is_empty() || values.contains(v)))
                    })
            })
            .flat_map(|(id, tags)| {
                tags.iter().map(move |(k, v)| TagRow {
                    kind: q.kind,
                    id,
                    key: k,
                    value: v,
                })
            })
            .collect();
        Ok(slice(rows, &q.page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn merging_overwrites_values_and_keeps_order() {
        let have = vec![t("a", "1"), t("b", "2")];
        assert_eq!(
            merged(&have, &[t("b", "3"), t("c", "")]),
            vec![t("a", "1"), t("b", "3"), t("c", "")]
        );
    }
}
