//! Describe for replica pairs and groups: the filters, the rows shown, and page selection that
//! touches (and settles) only the returned page.

use std::collections::BTreeSet;

use super::query::{has_tags, select, Page, PageRequest};
use super::replica_group::ReplicaGroup;
use super::replica_index::Site;
use super::replica_pair::ReplicaPair;
use super::replica_site::site_of;
use super::replica_sync::ReplicaStatus;
use super::world::Scope;
use super::Result;

static NO_IDS: BTreeSet<String> = BTreeSet::new();

/// Which pairs DescribeDiskReplicaPairs lists with `ReplicaGroupId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// Members of this group.
    In(String),
    /// Pairs in no group (`-` on the wire).
    Ungrouped,
}

/// The filters of DescribeDiskReplicaPairs.
#[derive(Debug, Clone)]
pub struct PairQuery {
    /// The call region.
    pub region_id: String,
    /// PairIds; unknown ids simply match nothing.
    pub pair_ids: Option<Vec<String>>,
    /// ReplicaGroupId.
    pub group: Option<GroupFilter>,
    /// Site; `None` lists both sides.
    pub site: Option<Site>,
    /// Part of the name.
    pub name: Option<String>,
    /// ResourceGroupId.
    pub resource_group_id: Option<String>,
    /// Tags that must all be present (an empty value matches any value).
    pub tags: Vec<(String, String)>,
    /// Which page.
    pub page: PageRequest,
}

impl PairQuery {
    fn keeps(&self, p: &ReplicaPair) -> bool {
        p.visible(&self.region_id, self.site)
            && self.pair_ids.as_ref().is_none_or(|ids| ids.contains(&p.id))
            && match &self.group {
                None => true,
                Some(GroupFilter::Ungrouped) => p.group_id.is_none(),
                Some(GroupFilter::In(g)) => p.group_id.as_ref() == Some(g),
            }
            && self
                .name
                .as_ref()
                .is_none_or(|n| p.name.contains(n.as_str()))
            && self
                .resource_group_id
                .as_ref()
                .is_none_or(|r| *r == p.resource_group_id)
            && has_tags(&p.tags, &self.tags)
    }

    /// True when the index alone answers the query (no per-pair test needed).
    fn index_only(&self) -> bool {
        self.pair_ids.is_none()
            && self.group.is_none()
            && self.name.is_none()
            && self.resource_group_id.is_none()
            && self.tags.is_empty()
    }
}

/// One pair as Describe shows it from the queried region.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// The pair, settled.
    pub pair: ReplicaPair,
    /// The side the queried region is on.
    pub site: Site,
    /// Its group's name.
    pub group_name: Option<String>,
    /// Percent of the copy in progress.
    pub progress: u8,
}

/// The filters of DescribeDiskReplicaGroups.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// The call region.
    pub region_id: String,
    /// GroupIds; unknown ids match nothing.
    pub group_ids: Option<Vec<String>>,
    /// Site; `None` lists both sides.
    pub site: Option<Site>,
    /// Part of the name.
    pub name: Option<String>,
    /// ResourceGroupId.
    pub resource_group_id: Option<String>,
    /// Tags that must all be present.
    pub tags: Vec<(String, String)>,
    /// Which page.
    pub page: PageRequest,
}

impl GroupQuery {
    fn keeps(&self, g: &ReplicaGroup) -> bool {
        g.visible(&self.region_id, self.site)
            && self
                .group_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&g.id))
            && self
                .name
                .as_ref()
                .is_none_or(|n| g.name.contains(n.as_str()))
            && self
                .resource_group_id
                .as_ref()
                .is_none_or(|r| *r == g.resource_group_id)
            && has_tags(&g.tags, &self.tags)
    }

    fn index_only(&self) -> bool {
        self.group_ids.is_none()
            && self.name.is_none()
            && self.resource_group_id.is_none()
            && self.tags.is_empty()
    }
}

/// One group as Describe shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// The group, settled.
    pub group: ReplicaGroup,
    /// Its status: `invalid` when a member is, else its own.
    pub status: ReplicaStatus,
    /// The side the queried region is on.
    pub site: Site,
}

impl Scope<'_> {
    /// DescribeDiskReplicaPairs: one page in id order. Only the returned pairs are settled.
    ///
    /// # Errors
    /// NotFound(Region).
    pub fn describe_replica_pairs(&mut self, q: &PairQuery) -> Result<Page<PairRow>> {
        self.purge_replicas();
        self.replica_region(&q.region_id)?;
        let rep = &self.account.replication;
        let listed: BTreeSet<String>;
        let set = if let Some(ids) = &q.pair_ids {
            listed = ids.iter().cloned().collect();
            &listed
        } else if let Some(GroupFilter::In(g)) = &q.group {
            listed = rep
                .groups
                .get(g)
                .map(|g| g.pair_ids.iter().cloned().collect())
                .unwrap_or_default();
            &listed
        } else {
            rep.pair_index.ids(&q.region_id, q.site).unwrap_or(&NO_IDS)
        };
        let keep = |id: &str| rep.pairs.get(id).is_some_and(|p| q.keeps(p));
        let keep: &dyn Fn(&str) -> bool = &keep;
        let page = select(set, &q.page, (!q.index_only()).then_some(keep));
        let ids: Vec<String> = page.items.iter().map(|s| (*s).to_owned()).collect();
        let (next_token, total) = (page.next_token, page.total);
        let items = ids
            .iter()
            .filter_map(|id| self.pair_row(id, &q.region_id, q.site))
            .collect();
        Ok(Page {
            items,
            next_token,
            total,
        })
    }

    fn pair_row(&mut self, id: &str, region: &str, site: Option<Site>) -> Option<PairRow> {
        let now = self.now;
        let rep = &mut self.account.replication;
        let pair = rep.pairs.get_mut(id)?;
        pair.settle(now);
        let group_name = pair
            .group_id
            .as_ref()
            .and_then(|g| rep.groups.get(g))
            .map(|g| g.name.clone());
        Some(PairRow {
            site: site.unwrap_or_else(|| site_of(region, &pair.source.region_id)),
            progress: pair.track.progress(now),
            pair: pair.clone(),
            group_name,
        })
    }

    /// DescribeDiskReplicaGroups: one page in id order; only the returned groups are settled.
    ///
    /// # Errors
    /// NotFound(Region).
    pub fn describe_replica_groups(&mut self, q: &GroupQuery) -> Result<Page<GroupRow>> {
        self.purge_replicas();
        self.replica_region(&q.region_id)?;
        let rep = &self.account.replication;
        let listed: BTreeSet<String>;
        let set = if let Some(ids) = &q.group_ids {
            listed = ids.iter().cloned().collect();
            &listed
        } else {
            rep.group_index.ids(&q.region_id, q.site).unwrap_or(&NO_IDS)
        };
        let keep = |id: &str| rep.groups.get(id).is_some_and(|g| q.keeps(g));
        let keep: &dyn Fn(&str) -> bool = &keep;
        let page = select(set, &q.page, (!q.index_only()).then_some(keep));
        let ids: Vec<String> = page.items.iter().map(|s| (*s).to_owned()).collect();
        let (next_token, total) = (page.next_token, page.total);
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let status = self.settle_group(&id)?;
            let g = self.group(&id)?;
            items.push(GroupRow {
                site: q
                    .site
                    .unwrap_or_else(|| site_of(&q.region_id, &g.source.region_id)),
                group: g.clone(),
                status,
            });
        }
        Ok(Page {
            items,
            next_token,
            total,
        })
    }
}
