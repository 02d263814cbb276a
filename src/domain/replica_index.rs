//! Region indexes and id-ordered paging for replica pairs and groups, so a Describe call costs
//! O(page) rather than O(all resources).
//!
//! A pair or group is visible in both of its regions. The index keeps, per region, the ids of
//! everything visible there and, per (region, site), the ids seen from that side; ids are sorted,
//! so a page is a range scan starting after the NextToken (the last id of the previous page).

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;

/// Which side of a replication relationship a region is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// The region replicated from (the current source).
    Production,
    /// The region replicated to (the current destination).
    Backup,
}

impl Site {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Backup => "backup",
        }
    }
}

/// Ids by region and by (region, site).
#[derive(Debug, Clone, Default)]
pub struct RegionIndex {
    by_region: HashMap<String, BTreeSet<String>>,
    by_site: HashMap<(String, Site), BTreeSet<String>>,
}

impl RegionIndex {
    /// Indexes `id`, replicating from `source` to `destination` region.
    pub fn insert(&mut self, id: &str, source: &str, destination: &str) {
        for region in [source, destination] {
            self.by_region
                .entry(region.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
        self.set_sites(id, source, destination, true);
    }

    /// Forgets `id`.
    pub fn remove(&mut self, id: &str, source: &str, destination: &str) {
        for region in [source, destination] {
            if let Some(set) = self.by_region.get_mut(region) {
                set.remove(id);
            }
        }
        self.set_sites(id, source, destination, false);
    }

    /// Re-files `id` after its direction was reversed (the regions stay, the sites swap).
    pub fn swap(&mut self, id: &str, old_source: &str, old_destination: &str) {
        self.set_sites(id, old_source, old_destination, false);
        self.set_sites(id, old_destination, old_source, true);
    }

    fn set_sites(&mut self, id: &str, source: &str, destination: &str, present: bool) {
        for key in [
            (source.to_owned(), Site::Production),
            (destination.to_owned(), Site::Backup),
        ] {
            let set = self.by_site.entry(key).or_default();
            if present {
                set.insert(id.to_owned());
            } else {
                set.remove(id);
            }
        }
    }

    /// The sorted ids visible in `region`, from one side or (no site) from either.
    pub fn ids(&self, region: &str, site: Option<Site>) -> Option<&BTreeSet<String>> {
        match site {
            None => self.by_region.get(region),
            Some(s) => self.by_site.get(&(region.to_owned(), s)),
        }
    }
}

/// Which page a Describe call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    /// NextToken/MaxResults: up to `size` ids after `after` (the previous page's last id).
    After {
        /// The NextToken, if any.
        after: Option<String>,
        /// MaxResults.
        size: usize,
    },
    /// PageNumber/PageSize (1-based).
    Number {
        /// PageNumber.
        number: usize,
        /// PageSize.
        size: usize,
    },
}

impl PageRequest {
    /// Items per page.
    pub fn size(&self) -> usize {
        match self {
            Self::After { size, .. } | Self::Number { size, .. } => *size,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The last id of this page when more follow, else empty.
    pub next_token: String,
    /// How many items match in all.
    pub total: usize,
}

/// Selects a page of ids from `set`. Without a filter (`keep` = None) it walks only the page; with
/// one it must test every id to count the matches (a cheap test on stored fields, no settling).
pub fn select<'a>(
    set: &'a BTreeSet<String>,
    req: &PageRequest,
    keep: Option<&dyn Fn(&str) -> bool>,
) -> Page<&'a str> {
    let size = req.size();
    let (mut items, total): (Vec<&str>, usize) = match keep {
        None => {
            let items = match req {
                PageRequest::After { after, .. } => {
                    after_token(set, after.as_deref()).take(size + 1).collect()
                }
                PageRequest::Number { number, .. } => set
                    .iter()
                    .map(String::as_str)
                    .skip(number.saturating_sub(1).saturating_mul(size))
                    .take(size + 1)
                    .collect(),
            };
            (items, set.len())
        }
        Some(keep) => {
            let all: Vec<&str> = set
                .iter()
                .map(String::as_str)
                .filter(|id| keep(id))
                .collect();
            let total = all.len();
            let start = match req {
                PageRequest::After { after: None, .. } => 0,
                PageRequest::After { after: Some(t), .. } => {
                    all.partition_point(|id| *id <= t.as_str())
                }
                PageRequest::Number { number, .. } => number.saturating_sub(1).saturating_mul(size),
            };
            let items = all.into_iter().skip(start).take(size + 1).collect();
            (items, total)
        }
    };
    let more = items.len() > size;
    items.truncate(size);
    let next_token = if more {
        items.last().map(|s| (*s).to_owned()).unwrap_or_default()
    } else {
        String::new()
    };
    Page {
        items,
        next_token,
        total,
    }
}

fn after_token<'a>(
    set: &'a BTreeSet<String>,
    after: Option<&str>,
) -> impl Iterator<Item = &'a str> + 'a {
    let lower = after.map_or(Bound::Unbounded, |t| Bound::Excluded(t.to_owned()));
    set.range::<String, _>((lower, Bound::Unbounded))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(n: usize) -> BTreeSet<String> {
        (0..n).map(|i| format!("pair-{i:04}")).collect()
    }

    #[test]
    fn token_walk_covers_everything_once() {
        let s = set(25);
        let mut after = None;
        let mut seen = Vec::new();
        loop {
            let page = select(&s, &PageRequest::After { after, size: 10 }, None);
            assert_eq!(page.total, 25);
            seen.extend(page.items.iter().map(|i| (*i).to_owned()));
            if page.next_token.is_empty() {
                break;
            }
            after = Some(page.next_token);
        }
        assert_eq!(seen, s.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn numbered_pages_and_filters() {
        let s = set(25);
        let p = select(
            &s,
            &PageRequest::Number {
                number: 3,
                size: 10,
            },
            None,
        );
        assert_eq!((p.items.len(), p.next_token.as_str()), (5, ""));
        let even = |id: &str| id.ends_with(['0', '2', '4', '6', '8']);
        let p = select(
            &s,
            &PageRequest::Number {
                number: 1,
                size: 10,
            },
            Some(&even),
        );
        assert_eq!((p.total, p.items.len()), (13, 10));
        assert_eq!(p.next_token, "pair-0018");
        let p = select(
            &s,
            &PageRequest::After {
                after: Some(p.next_token),
                size: 10,
            },
            Some(&even),
        );
        assert_eq!(p.items, vec!["pair-0020", "pair-0022", "pair-0024"]);
        assert!(p.next_token.is_empty());
    }

    #[test]
    fn sites_follow_the_direction() {
        let mut ix = RegionIndex::default();
        ix.insert("p1", "cn-hangzhou", "cn-shanghai");
        let prod = |ix: &RegionIndex, r: &str| ix.ids(r, Some(Site::Production)).map(BTreeSet::len);
        assert_eq!(prod(&ix, "cn-hangzhou"), Some(1));
        assert_eq!(prod(&ix, "cn-shanghai"), None);
        ix.swap("p1", "cn-hangzhou", "cn-shanghai");
        assert_eq!(prod(&ix, "cn-hangzhou"), Some(0));
        assert_eq!(prod(&ix, "cn-shanghai"), Some(1));
        assert_eq!(ix.ids("cn-hangzhou", None).map(BTreeSet::len), Some(1));
        ix.remove("p1", "cn-shanghai", "cn-hangzhou");
        assert_eq!(ix.ids("cn-hangzhou", None).map(BTreeSet::len), Some(0));
        assert_eq!(prod(&ix, "cn-shanghai"), Some(0));
    }
}
