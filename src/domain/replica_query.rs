//! Describe for replica pairs and groups: the filters, the rows shown, and page selection that
//! touches (and settles) only the returned page.

use std::collections::BTreeSet;

use super::clock::Millis;
use super::query::{has_tags, select, Page, PageRequest};
use super::replica_group::ReplicaGroup;
use super::replica_index::Site;
use super::replica_pair::ReplicaPair;
use super::replica_site::site_of;
use super::replica_sync::ReplicaStatus;
use super::world::Scope;
use super::{Error, Kind, Result};

/// What a sorted listing sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Creation time (then creation order).
    Created,
    /// Last change (creation time when never changed).
    Updated,
    /// Id.
    Id,
    /// Name (then id).
    Name,
}

/// A sorted listing (the REST style): key, direction, and the page after a marker id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Sort key.
    pub key: SortKey,
    /// Largest first.
    pub descending: bool,
    /// Start after this id (NotFound when it is not listed).
    pub marker: Option<String>,
    /// Then skip this many.
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
}

/// The filters only a sorted listing uses (all optional, AND-ed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoreFilters {
    /// In one of these statuses (a group's effective status).
    pub statuses: Option<Vec<ReplicaStatus>>,
    /// Exactly this name.
    pub exact_name: Option<String>,
    /// The zone written to now.
    pub serving_zone: Option<String>,
    /// Holding every one of these disks (a group: through a member).
    pub disk_ids: Vec<String>,
    /// Changed (or created) at or after this time.
    pub changed_since: Option<Millis>,
}

impl MoreFilters {
    fn keeps(&self, status: ReplicaStatus, name: &str, zone: &str, changed: Millis) -> bool {
        self.statuses.as_ref().is_none_or(|s| s.contains(&status))
            && self.exact_name.as_deref().is_none_or(|n| n == name)
            && self.serving_zone.as_deref().is_none_or(|z| z == zone)
            && self.changed_since.is_none_or(|t| changed >= t)
    }
}

/// Sort keys of one record.
struct Keys<'a> {
    id: &'a str,
    name: &'a str,
    created: (Millis, u64),
    updated: Millis,
}

fn sort_and_page<'a>(
    mut rows: Vec<Keys<'a>>,
    order: &Order,
    kind: Kind,
) -> Result<(Vec<&'a str>, usize)> {
    rows.sort_by(|a, b| {
        let ord = match order.key {
            SortKey::Created => a.created.cmp(&b.created),
            SortKey::Updated => (a.updated, a.created).cmp(&(b.updated, b.created)),
            SortKey::Id => a.id.cmp(b.id),
            SortKey::Name => (a.name, a.id).cmp(&(b.name, b.id)),
        };
        if order.descending {
            ord.reverse()
        } else {
            ord
        }
    });
    let start = match &order.marker {
        None => 0,
        Some(m) => {
            rows.iter()
                .position(|r| r.id == m)
                .ok_or_else(|| Error::not_found(kind, m))?
                + 1
        }
    };
    let total = rows.len() - start;
    let ids = rows
        .into_iter()
        .skip(start.saturating_add(order.offset))
        .take(order.limit)
        .map(|r| r.id)
        .collect();
    Ok((ids, total))
}

static NO_IDS: BTreeSet<String> = BTreeSet::new();

/// Which pairs DescribeDiskReplicaPairs lists with `ReplicaGroupId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// Members of this group.
    In(String),
    /// Pairs in no group (`-` on the wire).
    Ungrouped,
}

/// The filters of DescribeDiskReplicaPairs, and of a sorted listing.
#[derive(Debug, Clone, Default)]
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
    /// Filters of a sorted listing.
    pub more: MoreFilters,
    /// A sorted listing (its own page) instead of a page in id order.
    pub order: Option<Order>,
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
    /// The category and size of its source disk, while it exists.
    pub disk: Option<(String, u32)>,
}

/// The filters of DescribeDiskReplicaGroups, and of a sorted listing.
#[derive(Debug, Clone, Default)]
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
    /// Filters of a sorted listing.
    pub more: MoreFilters,
    /// A sorted listing instead of a page in id order.
    pub order: Option<Order>,
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
        if let Some(order) = &q.order {
            return self.sorted_pairs(q, order);
        }
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

    /// A sorted listing of pairs: every pair visible in the region is settled and tested.
    fn sorted_pairs(&mut self, q: &PairQuery, order: &Order) -> Result<Page<PairRow>> {
        let now = self.now;
        let rep = &mut self.account.replication;
        let ids = candidates(
            rep.pair_index.ids(&q.region_id, q.site),
            q.pair_ids.as_deref(),
        );
        for id in &ids {
            if let Some(p) = rep.pairs.get_mut(id) {
                p.settle(now);
            }
        }
        let rows = ids
            .iter()
            .filter_map(|id| rep.pairs.get(id))
            .filter(|p| {
                let changed = p.updated_at().unwrap_or(p.created_at);
                q.keeps(p)
                    && q.more
                        .keeps(p.status(), &p.name, &p.serving().zone_id, changed)
                    && q.more
                        .disk_ids
                        .iter()
                        .all(|d| *d == p.source.disk_id || *d == p.destination.disk_id)
            })
            .map(|p| Keys {
                id: &p.id,
                name: &p.name,
                created: (p.created_at, p.seq),
                updated: p.updated_at().unwrap_or(p.created_at),
            })
            .collect();
        let (page, total) = sort_and_page(rows, order, Kind::ReplicaPair)?;
        let page: Vec<String> = page.into_iter().map(str::to_owned).collect();
        let items = page
            .iter()
            .filter_map(|id| self.pair_row(id, &q.region_id, q.site))
            .collect();
        Ok(Page {
            items,
            next_token: String::new(),
            total,
        })
    }

    /// A sorted listing of groups, tested on their effective status.
    fn sorted_groups(&mut self, q: &GroupQuery, order: &Order) -> Result<Page<GroupRow>> {
        let ids = candidates(
            self.account
                .replication
                .group_index
                .ids(&q.region_id, q.site),
            q.group_ids.as_deref(),
        );
        let mut statuses = Vec::with_capacity(ids.len());
        for id in &ids {
            statuses.push(self.settle_group(id)?);
        }
        let rep = &self.account.replication;
        let holds = |g: &ReplicaGroup, disk: &str| {
            g.pair_ids
                .iter()
                .filter_map(|m| rep.pairs.get(m))
                .any(|p| p.source.disk_id == disk || p.destination.disk_id == disk)
        };
        let rows = ids
            .iter()
            .zip(&statuses)
            .filter_map(|(id, st)| rep.groups.get(id).map(|g| (g, *st)))
            .filter(|(g, st)| {
                let changed = g.updated_at().unwrap_or(g.created_at);
                q.keeps(g)
                    && q.more.keeps(*st, &g.name, &g.serving().zone_id, changed)
                    && q.more.disk_ids.iter().all(|d| holds(g, d))
            })
            .map(|(g, _)| Keys {
                id: &g.id,
                name: &g.name,
                created: (g.created_at, g.seq),
                updated: g.updated_at().unwrap_or(g.created_at),
            })
            .collect();
        let (page, total) = sort_and_page(rows, order, Kind::ReplicaGroup)?;
        let page: Vec<String> = page.into_iter().map(str::to_owned).collect();
        let mut items = Vec::with_capacity(page.len());
        for id in page {
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
            next_token: String::new(),
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
        let disk = self
            .account
            .disks
            .get(&pair.source.disk_id)
            .or_else(|| self.account.disks.get(&pair.destination.disk_id))
            .map(|d| (d.category.clone(), d.size));
        Some(PairRow {
            site: site.unwrap_or_else(|| site_of(region, &pair.source.region_id)),
            progress: pair.track.progress(now),
            pair: pair.clone(),
            group_name,
            disk,
        })
    }

    /// DescribeDiskReplicaGroups: one page in id order; only the returned groups are settled.
    ///
    /// # Errors
    /// NotFound(Region).
    pub fn describe_replica_groups(&mut self, q: &GroupQuery) -> Result<Page<GroupRow>> {
        self.purge_replicas();
        self.replica_region(&q.region_id)?;
        if let Some(order) = &q.order {
            return self.sorted_groups(q, order);
        }
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

/// The ids a sorted listing settles and tests: the region's, or only those of them a query names
/// (a show by id costs one record, not the region).
fn candidates(region: Option<&BTreeSet<String>>, named: Option<&[String]>) -> Vec<String> {
    let Some(region) = region else {
        return Vec::new();
    };
    match named {
        Some(named) => named
            .iter()
            .filter(|id| region.contains(*id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect(),
        None => region.iter().cloned().collect(),
    }
}
