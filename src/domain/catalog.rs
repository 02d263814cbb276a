//! The built-in catalog: regions, zones, instance types, public images and disk categories.

use serde::Deserialize;

use super::{Error, Kind, Result};

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
    /// Disk categories accepted by CreateDisk and RunInstances.
    pub disk_categories: Vec<String>,
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

    /// True when the disk category is offered.
    pub fn has_disk_category(&self, c: &str) -> bool {
        self.disk_categories.iter().any(|d| d == c)
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
    }
}
