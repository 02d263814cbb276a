//! Seed files (`--fixtures`): accounts with instances, disks and failure conditions, loaded at start-up.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::disk::{DiskStatus, NewDisk};
use super::instance::{ChargeType, Condition, InstanceStatus, NewInstance};
use super::world::Cloud;
use super::{Error, Result};

/// A whole seed file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Accounts and what they own.
    pub accounts: Vec<SeedAccount>,
}

/// One account in a seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// Account id (what `--access-key ID:SECRET:ACCOUNT` names).
    pub id: String,
    /// Every StartInstance in this account answers InsufficientBalance.
    #[serde(default)]
    pub insufficient_balance: bool,
    /// Instances.
    #[serde(default)]
    pub instances: Vec<SeedInstance>,
    /// Free-standing data disks.
    #[serde(default)]
    pub disks: Vec<SeedDisk>,
}

/// An instance in a seed; omitted fields take the catalog's first image and type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInstance {
    /// Fixed id.
    pub id: String,
    /// Region.
    pub region_id: String,
    /// Zone.
    pub zone_id: String,
    /// `Running` or `Stopped` (default Running).
    #[serde(default)]
    pub status: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Instance type.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// Image.
    #[serde(default)]
    pub image_id: Option<String>,
    /// PostPaid (default) or PrePaid.
    #[serde(default)]
    pub charge_type: Option<ChargeType>,
    /// Failure conditions.
    #[serde(default)]
    pub conditions: BTreeSet<Condition>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<SeedTag>,
}

/// A tag.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTag {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: String,
}

/// A free-standing data disk in a seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDisk {
    /// Fixed id.
    pub id: String,
    /// Region (checked against the zone).
    pub region_id: String,
    /// Zone.
    pub zone_id: String,
    /// Category (default cloud_essd).
    #[serde(default)]
    pub category: Option<String>,
    /// GiB.
    pub size: u32,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Performance level.
    #[serde(default)]
    pub performance_level: Option<String>,
}

impl Seed {
    /// Reads and parses a seed file.
    ///
    /// # Errors
    /// Unreadable file or invalid JSON, with the reason.
    pub fn load(path: &Path) -> std::result::Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Creates everything the seed describes.
    ///
    /// # Errors
    /// A region, zone, image, type or status the catalog does not know.
    pub fn apply(&self, cloud: &mut Cloud) -> Result<()> {
        let catalog = cloud.catalog.clone();
        let default_image = catalog
            .images
            .first()
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let default_type = catalog
            .instance_types
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_default();
        for acc in &self.accounts {
            let mut scope = cloud.scope(&acc.id);
            scope.account.insufficient_balance = acc.insufficient_balance;
            for i in &acc.instances {
                let status = match i.status.as_deref() {
                    None => InstanceStatus::Running,
                    Some(s) => InstanceStatus::parse(s)
                        .filter(|s| matches!(s, InstanceStatus::Running | InstanceStatus::Stopped))
                        .ok_or_else(|| {
                            Error::Internal(format!("seed instance {}: status {s}", i.id))
                        })?,
                };
                let zone_region = catalog.zone(&i.zone_id)?.0.id.clone();
                if zone_region != i.region_id {
                    return Err(Error::Internal(format!(
                        "seed instance {}: zone {} is not in {}",
                        i.id, i.zone_id, i.region_id
                    )));
                }
                scope.run_instance(&NewInstance {
                    id: Some(i.id.clone()),
                    region_id: i.region_id.clone(),
                    zone_id: Some(i.zone_id.clone()),
                    image_id: i.image_id.clone().unwrap_or_else(|| default_image.clone()),
                    instance_type: i
                        .instance_type
                        .clone()
                        .unwrap_or_else(|| default_type.clone()),
                    name: i.name.clone(),
                    charge_type: i.charge_type,
                    conditions: i.conditions.clone(),
                    status: Some(status),
                    tags: i
                        .tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect(),
                    ..NewInstance::default()
                })?;
            }
            for d in &acc.disks {
                let zone_region = catalog.zone(&d.zone_id)?.0.id.clone();
                if zone_region != d.region_id {
                    return Err(Error::Internal(format!(
                        "seed disk {}: zone {} is not in {}",
                        d.id, d.zone_id, d.region_id
                    )));
                }
                scope.create_disk_record(
                    &NewDisk {
                        id: Some(d.id.clone()),
                        zone_id: d.zone_id.clone(),
                        category: Some(
                            d.category
                                .clone()
                                .unwrap_or_else(|| "cloud_essd".to_owned()),
                        ),
                        size: Some(d.size),
                        name: d.name.clone(),
                        performance_level: d.performance_level.clone(),
                        ..NewDisk::default()
                    },
                    DiskStatus::Available,
                )?;
            }
        }
        Ok(())
    }
}
