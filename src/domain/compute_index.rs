//! Where an account's instances and disks are, per region in creation order, so a Describe
//! reads only the region it asks for and walks only the page it returns. Derived from the
//! records, never stored.

use std::collections::BTreeMap;

/// Ids per region, keyed by creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByRegion {
    regions: BTreeMap<String, BTreeMap<u64, String>>,
}

impl ByRegion {
    /// Files `id`, created `seq`-th, under `region`.
    pub fn insert(&mut self, region: &str, seq: u64, id: &str) {
        self.regions
            .entry(region.to_owned())
            .or_default()
            .insert(seq, id.to_owned());
    }

    /// Forgets the resource created `seq`-th in `region`.
    pub fn remove(&mut self, region: &str, seq: u64) {
        if let Some(ids) = self.regions.get_mut(region) {
            ids.remove(&seq);
            if ids.is_empty() {
                self.regions.remove(region);
            }
        }
    }

    /// The ids in `region`, in creation order.
    pub fn ids<'a>(&'a self, region: &str) -> impl DoubleEndedIterator<Item = &'a str> + 'a {
        self.regions
            .get(region)
            .into_iter()
            .flat_map(|ids| ids.values().map(String::as_str))
    }

    /// How many resources `region` has.
    pub fn count(&self, region: &str) -> usize {
        self.regions.get(region).map_or(0, BTreeMap::len)
    }
}

/// An account's instance and disk indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComputeIndex {
    /// Instances.
    pub instances: ByRegion,
    /// Disks.
    pub disks: ByRegion,
}
