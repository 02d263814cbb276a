//! The built-in catalog: regions, zones, instance types, public images, and disk categories with
//! their size limits and performance levels.

use serde::Deserialize;

use super::{Denial, Error, Kind, Result};

/// The catalog shipped in `fixtures/catalog.json`.
pub const BUILTIN: &str = include_str!("../../fixtures/catalog.json");

/// Everything the cloud offers, independent of accounts.
#[derive(Debug, Clone, Deserialize)]
pub struct Catalog {
    /// Regions in display order.
    pub regions: Vec<Region>,
    /// Instance types.
    pub instance_types: Vec<InstanceType>,
    /// Public images, offered in every region.
    pub images: Vec<Image>,
    /// Disk categories accepted for new disks.
    pub disk_categories: Vec<DiskCategory>,
    /// What a request that names nothing gets.
    pub defaults: Defaults,
}

/// Values a new resource gets when its request leaves them out.
#[derive(Debug, Clone, Deserialize)]
pub struct Defaults {
    /// The category of a disk created without one.
    pub disk_category: String,
    /// The size of a system disk created without one, GiB.
    pub system_disk_size: u32,
}

/// A disk category, its sizes and performance levels.
#[derive(Debug, Clone, Deserialize)]
pub struct DiskCategory {
    /// e.g. `cloud_essd`.
    pub id: String,
    /// Smallest size, GiB (without a performance level).
    pub min_size: u32,
    /// Largest size, GiB.
    pub max_size: u32,
    /// Performance levels, each with its own sizes; empty when the category has none.
    #[serde(default)]
    pub levels: Vec<PerformanceLevel>,
    /// The level a disk gets when none is asked for.
    #[serde(default)]
    pub default_level: Option<String>,
    /// Disks of this category can be replicated.
    #[serde(default)]
    pub replicable: bool,
    /// The dialects whose clients may create disks of this category (opaque to the domain).
    pub dialects: Vec<String>,
}

/// A performance level of a disk category.
#[derive(Debug, Clone, Deserialize)]
pub struct PerformanceLevel {
    /// e.g. `PL1`.
    pub id: String,
    /// Smallest size, GiB.
    pub min_size: u32,
    /// Largest size, GiB.
    pub max_size: u32,
}

impl DiskCategory {
    /// The sizes allowed at `level` (the default level when `None`; any level is accepted, and
    /// changes nothing, for a category without levels).
    ///
    /// # Errors
    /// `PerformanceLevelNotSupported` for a level the category does not have.
    pub fn sizes(&self, level: Option<&str>) -> Result<(u32, u32)> {
        if self.levels.is_empty() {
            return Ok((self.min_size, self.max_size));
        }
        let wanted = level.or(self.default_level.as_deref());
        match wanted {
            None => Ok((self.min_size, self.max_size)),
            Some(w) => self
                .levels
                .iter()
                .find(|l| l.id == w)
                .map(|l| (l.min_size, l.max_size))
                .ok_or(Error::Denied(Denial::PerformanceLevelNotSupported)),
        }
    }
}

/// A region.
#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    /// e.g. `cn-hangzhou`.
    pub id: String,
    /// Chinese name.
    pub local_name: String,
    /// English name.
    pub local_name_en: String,
    /// The region flavour of resource ids (`bp1` in `i-bp1…`).
    pub id_prefix: String,
    /// Its zones.
    pub zones: Vec<Zone>,
    /// The dialects that offer the region (opaque to the domain: each dialect filters its
    /// listings and its creates by its own tag).
    pub dialects: Vec<String>,
}

impl Region {
    /// True when `dialect` offers this region.
    pub fn offered_by(&self, dialect: &str) -> bool {
        self.dialects.iter().any(|d| d == dialect)
    }
}

impl DiskCategory {
    /// True when `dialect` offers this category.
    pub fn offered_by(&self, dialect: &str) -> bool {
        self.dialects.iter().any(|d| d == dialect)
    }
}

/// A zone.
#[derive(Debug, Clone, Deserialize)]
pub struct Zone {
    /// e.g. `cn-hangzhou-h`.
    pub id: String,
    /// English name.
    pub local_name_en: String,
}

/// An instance type.
#[derive(Debug, Clone, Deserialize)]
pub struct InstanceType {
    /// e.g. `ecs.g7.large`.
    pub id: String,
    /// e.g. `ecs.g7`.
    pub family: String,
    /// vCPUs.
    pub cpu: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
}

/// A public image.
#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    /// Image id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `linux` or `windows`.
    pub os_type: String,
    /// Distribution.
    pub platform: String,
    /// `x86_64`.
    pub architecture: String,
    /// Size in GiB (the smallest system disk).
    pub size: u32,
}

impl Catalog {
    /// The built-in catalog.
    ///
    /// # Errors
    /// Only if the embedded JSON is broken (a build defect, caught by a unit test).
    pub fn builtin() -> Result<Self> {
        serde_json::from_str(BUILTIN).map_err(|e| Error::Internal(format!("catalog: {e}")))
    }

    /// The region, or `InvalidRegionId.NotFound`.
    pub fn region(&self, id: &str) -> Result<&Region> {
        self.regions
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::not_found(Kind::Region, id))
    }

    /// The zone and its region, or `InvalidZoneId.NotFound`.
    pub fn zone(&self, id: &str) -> Result<(&Region, &Zone)> {
        self.regions
            .iter()
            .find_map(|r| r.zones.iter().find(|z| z.id == id).map(|z| (r, z)))
            .ok_or_else(|| Error::not_found(Kind::Zone, id))
    }

    /// The instance type, or `InvalidInstanceType.ValueNotSupported`.
    pub fn instance_type(&self, id: &str) -> Result<&InstanceType> {
        self.instance_types
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| Error::not_found(Kind::InstanceType, id))
    }

    /// The image, or `InvalidImageId.NotFound`.
    pub fn image(&self, id: &str) -> Result<&Image> {
        self.images
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(|| Error::not_found(Kind::Image, id))
    }

    /// The disk category, if offered.
    pub fn disk_category(&self, id: &str) -> Option<&DiskCategory> {
        self.disk_categories.iter().find(|d| d.id == id)
    }

    /// True when the disk category is offered.
    pub fn has_disk_category(&self, id: &str) -> bool {
        self.disk_category(id).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_promised_regions() {
        let c = Catalog::builtin().unwrap();
        for r in [
            "cn-hangzhou",
            "cn-beijing",
            "cn-shanghai",
            "cn-shenzhen",
            "ap-southeast-1",
            "eu-central-1",
            "us-west-1",
        ] {
            assert!(c.region(r).unwrap().zones.len() >= 2, "{r}");
        }
        assert_eq!(c.zone("cn-hangzhou-h").unwrap().0.id, "cn-hangzhou");
        assert!(c.image("nope").is_err());
        let essd = c.disk_category("cloud_essd").unwrap();
        assert_eq!(essd.sizes(None), Ok((20, 65_536)));
        assert_eq!(essd.sizes(Some("PL0")), Ok((1, 65_536)));
        assert!(essd.sizes(Some("PL9")).is_err());
        assert_eq!(
            c.disk_category("cloud").unwrap().sizes(Some("PL3")),
            Ok((5, 2_000))
        );
    }

    #[test]
    fn every_region_and_category_names_its_dialects() {
        let c = Catalog::builtin().unwrap();
        for r in &c.regions {
            let otc = r.id.starts_with("eu-de") || r.id.starts_with("eu-nl");
            assert_eq!(r.offered_by("otc"), otc, "{}", r.id);
            assert_eq!(r.offered_by("alibaba"), !otc, "{}", r.id);
        }
        for t in ["SSD", "SAS", "SATA"] {
            let cat = c.disk_category(t).unwrap();
            assert!(cat.offered_by("otc") && !cat.offered_by("alibaba") && cat.replicable);
            assert_eq!(cat.sizes(None), Ok((10, 32_768)));
        }
        assert!(!c.disk_category("cloud_essd").unwrap().offered_by("otc"));
        assert_eq!(c.zone("eu-nl-03").unwrap().0.id, "eu-nl");
    }
}
