//! Region indexes for replica pairs and groups, so a Describe call costs O(page) rather than
//! O(all resources).
//!
//! A pair or group is visible in both of its regions. The index keeps, per region, the ids of
//! everything visible there and, per (region, site), the ids seen from that side; ids are sorted,
//! so a page is a range scan starting after the previous page's last id (see `query::select`).

use std::collections::{BTreeMap, BTreeSet};

/// Which side of a replication relationship a region is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Site {
    /// The region replicated from (the current source).
    Production,
    /// The region replicated to (the current destination).
    Backup,
}

/// Ids by region and by (region, site). Derived from the records, never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionIndex {
    by_region: BTreeMap<String, BTreeSet<String>>,
    by_site: BTreeMap<(String, Site), BTreeSet<String>>,
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

    /// The index with empty sets dropped (an incrementally kept index keeps them), so two
    /// indexes of the same records compare equal.
    pub fn compact(mut self) -> Self {
        self.by_region.retain(|_, s| !s.is_empty());
        self.by_site.retain(|_, s| !s.is_empty());
        self
    }

    /// The sorted ids visible in `region`, from one side or (no site) from either.
    pub fn ids(&self, region: &str, site: Option<Site>) -> Option<&BTreeSet<String>> {
        match site {
            None => self.by_region.get(region),
            Some(s) => self.by_site.get(&(region.to_owned(), s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
