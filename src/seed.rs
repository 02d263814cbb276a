//! Seed files (`--fixtures`): either the short seed format (accounts with instances, disks and
//! failure conditions, in the Alibaba vocabulary) or a state document as `GET /_emulator/state`
//! exports it; checked and loaded into the world at start-up.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::aliyun::names;
use crate::aliyun::vocab::{self, AliyunNaming};
use crate::domain::attributes::MAX_USER_DATA;
use crate::domain::billing::ChargeType;
use crate::domain::disk::{DiskStatus, NewDisk};
use crate::domain::instance::{Condition, InstanceStatus, NewInstance};
use crate::domain::quota::Quotas;
use crate::domain::{Cloud, Snapshot};
use crate::engine::BrokenInstance;

/// The category of a seeded disk that names none.
const SEED_DISK_CATEGORY: &str = "cloud_essd";

/// A seed file in either format.
#[derive(Debug, Clone)]
pub enum SeedFile {
    /// The short seed format.
    Seed(Seed),
    /// An exported state document.
    State(Box<Snapshot>),
}

impl SeedFile {
    /// Reads a seed file; a document with a `format_version` is a state document.
    ///
    /// # Errors
    /// Unreadable file, invalid JSON, or a malformed id, naming the file and the field.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if value.get("format_version").is_some() {
            let snapshot: Snapshot =
                serde_json::from_value(value).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(Self::State(Box::new(snapshot)));
        }
        let seed: Seed =
            serde_json::from_value(value).map_err(|e| format!("{}: {e}", path.display()))?;
        seed.check()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self::Seed(seed))
    }

    /// Loads the seed into `cloud`; returns the instances whose calls must fail.
    ///
    /// # Errors
    /// A document the catalog does not match, described.
    pub fn apply(&self, cloud: &mut Cloud) -> Result<Vec<BrokenInstance>, String> {
        match self {
            Self::Seed(seed) => seed.apply(cloud),
            Self::State(snapshot) => {
                snapshot.check(&cloud.catalog).map_err(|e| e.to_string())?;
                let clock = cloud.clock.clone();
                cloud
                    .restore((**snapshot).clone())
                    .map_err(|e| e.to_string())?;
                // The clock is the server's own (its mode and start); a seed sets the world.
                cloud.clock = clock;
                Ok(Vec::new())
            }
        }
    }
}

/// A whole seed file in the short format.
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
    /// This account's quotas, where they differ from the `--quota-*` flags.
    #[serde(default)]
    pub quotas: Option<SeedQuotas>,
}

/// Per-account quotas in a seed; an absent number keeps the flag's.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedQuotas {
    /// Instances.
    pub instances: Option<usize>,
    /// Disks, system disks included.
    pub disks: Option<usize>,
    /// Disk replica pairs.
    pub replica_pairs: Option<usize>,
    /// Disk replica groups.
    pub replica_groups: Option<usize>,
}

impl SeedQuotas {
    /// These quotas over `defaults`.
    pub fn over(self, defaults: Quotas) -> Quotas {
        Quotas {
            instances: self.instances.unwrap_or(defaults.instances),
            disks: self.disks.unwrap_or(defaults.disks),
            replica_pairs: self.replica_pairs.unwrap_or(defaults.replica_pairs),
            replica_groups: self.replica_groups.unwrap_or(defaults.replica_groups),
        }
    }
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
    pub charge_type: Option<SeedChargeType>,
    /// Failure conditions.
    #[serde(default)]
    pub conditions: BTreeSet<SeedCondition>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<SeedTag>,
    /// Host name (default: derived from the id).
    #[serde(default)]
    pub host_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// User data, Base64 text as `DescribeUserData` answers it.
    #[serde(default)]
    pub user_data: Option<String>,
}

/// How a seeded instance is billed, as ECS spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SeedChargeType {
    /// Pay-as-you-go.
    PostPaid,
    /// Subscription.
    PrePaid,
}

/// A condition a seed puts on an instance, making operations fail as the real cloud would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum SeedCondition {
    SecurityLock,
    Expired,
    InsufficientBalance,
    NotReady,
    DiskError,
    DiskInArrears,
    NoStock,
    SpotPriceTooLow,
    KmsUnauthorized,
    /// Every lifecycle operation on it fails with InternalError: a fault on the call path, not
    /// a state of the instance.
    InternalError,
}

impl SeedCondition {
    fn domain(self) -> Option<Condition> {
        Some(match self {
            Self::SecurityLock => Condition::SecurityLock,
            Self::Expired => Condition::Expired,
            Self::InsufficientBalance => Condition::InsufficientBalance,
            Self::NotReady => Condition::NotReady,
            Self::DiskError => Condition::DiskError,
            Self::DiskInArrears => Condition::DiskInArrears,
            Self::NoStock => Condition::NoStock,
            Self::SpotPriceTooLow => Condition::SpotPriceTooLow,
            Self::KmsUnauthorized => Condition::KmsUnauthorized,
            Self::InternalError => return None,
        })
    }
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

/// True for an id of `prefix` followed by 8 to 30 lowercase letters or digits, the shape of
/// ECS ids old and new.
fn well_formed_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        (8..=30).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

impl Seed {
    /// Checks what JSON parsing cannot: the shape of every id.
    ///
    /// # Errors
    /// The first malformed id, with its field path.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for (a, acc) in self.accounts.iter().enumerate() {
            let ids = acc.instances.iter().map(|i| ("instances", &i.id));
            for (n, (field, id)) in ids
                .chain(acc.disks.iter().map(|d| ("disks", &d.id)))
                .enumerate()
            {
                if !seen.insert((acc.id.as_str(), id.as_str())) {
                    return Err(format!(
                        "accounts[{a}].{field}: id {id:?} appears twice (entry {n} of the account)"
                    ));
                }
            }
            for (i, inst) in acc.instances.iter().enumerate() {
                if !well_formed_id(&inst.id, "i-") {
                    return Err(format!(
                        "accounts[{a}].instances[{i}].id: {:?} is not an instance id (i- and 8 to 30 lowercase letters or digits)",
                        inst.id
                    ));
                }
            }
            for (i, disk) in acc.disks.iter().enumerate() {
                if !well_formed_id(&disk.id, "d-") {
                    return Err(format!(
                        "accounts[{a}].disks[{i}].id: {:?} is not a disk id (d- and 8 to 30 lowercase letters or digits)",
                        disk.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Creates everything the seed describes; returns the instances whose calls must fail.
    ///
    /// # Errors
    /// A region, zone, image, type or status the catalog does not know, described.
    pub fn apply(&self, cloud: &mut Cloud) -> Result<Vec<BrokenInstance>, String> {
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
        let mut broken = Vec::new();
        let default_quotas = cloud.quotas;
        for acc in &self.accounts {
            let account = cloud.accounts.entry(acc.id.clone()).or_default();
            account.insufficient_balance = acc.insufficient_balance;
            account.quotas = acc.quotas.map(|q| q.over(default_quotas));
            let mut scope = cloud.scope(&acc.id, &AliyunNaming);
            for i in &acc.instances {
                let status = match i.status.as_deref() {
                    None => InstanceStatus::Running,
                    Some(s) => vocab::parse_instance_status(s)
                        .filter(|s| matches!(s, InstanceStatus::Running | InstanceStatus::Stopped))
                        .ok_or_else(|| format!("seed instance {}: status {s}", i.id))?,
                };
                let zone_region = catalog
                    .zone(&i.zone_id)
                    .map_err(|e| format!("seed instance {}: {e}", i.id))?
                    .0
                    .id
                    .clone();
                if zone_region != i.region_id {
                    return Err(format!(
                        "seed instance {}: zone {} is not in {}",
                        i.id, i.zone_id, i.region_id
                    ));
                }
                if i.conditions.contains(&SeedCondition::InternalError) {
                    broken.push(BrokenInstance {
                        account: acc.id.clone(),
                        instance_id: i.id.clone(),
                    });
                }
                let bad =
                    |field: &str| Err(format!("seed instance {}: {field} is not valid", i.id));
                if i.user_data
                    .as_ref()
                    .is_some_and(|u| u.len() > MAX_USER_DATA.div_ceil(3) * 4)
                {
                    return bad("user_data (at most 32 KiB once decoded)");
                }
                if i.host_name
                    .as_deref()
                    .is_some_and(|h| !names::is_host_name(h))
                {
                    return bad("host_name");
                }
                if i.description
                    .as_deref()
                    .is_some_and(|d| !names::is_description(d))
                {
                    return bad("description");
                }
                scope
                    .run_instance(&NewInstance {
                        id: Some(i.id.clone()),
                        host_name: i.host_name.clone(),
                        description: i.description.clone().unwrap_or_default(),
                        user_data: i.user_data.clone(),
                        region_id: i.region_id.clone(),
                        zone_id: Some(i.zone_id.clone()),
                        image_id: i.image_id.clone().unwrap_or_else(|| default_image.clone()),
                        instance_type: i
                            .instance_type
                            .clone()
                            .unwrap_or_else(|| default_type.clone()),
                        name: i.name.clone(),
                        charge_type: i.charge_type.map(|c| match c {
                            SeedChargeType::PostPaid => ChargeType::PayAsYouGo,
                            SeedChargeType::PrePaid => ChargeType::Subscription,
                        }),
                        conditions: i.conditions.iter().filter_map(|c| c.domain()).collect(),
                        status: Some(status),
                        tags: i
                            .tags
                            .iter()
                            .map(|t| (t.key.clone(), t.value.clone()))
                            .collect(),
                        ..NewInstance::default()
                    })
                    .map_err(|e| format!("seed instance {}: {e}", i.id))?;
            }
            for d in &acc.disks {
                let zone_region = catalog
                    .zone(&d.zone_id)
                    .map_err(|e| format!("seed disk {}: {e}", d.id))?
                    .0
                    .id
                    .clone();
                if zone_region != d.region_id {
                    return Err(format!(
                        "seed disk {}: zone {} is not in {}",
                        d.id, d.zone_id, d.region_id
                    ));
                }
                scope
                    .create_disk_record(
                        &NewDisk {
                            id: Some(d.id.clone()),
                            zone_id: d.zone_id.clone(),
                            category: Some(
                                d.category
                                    .clone()
                                    .unwrap_or_else(|| SEED_DISK_CATEGORY.to_owned()),
                            ),
                            size: Some(d.size),
                            name: d.name.clone(),
                            performance_level: d.performance_level.clone(),
                            ..NewDisk::default()
                        },
                        DiskStatus::Available,
                    )
                    .map_err(|e| format!("seed disk {}: {e}", d.id))?;
            }
        }
        Ok(broken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_named() {
        let seed: Seed = serde_json::from_str(
            r#"{"accounts":[{"id":"1","instances":[{"id":"i-1","region_id":"cn-hangzhou","zone_id":"cn-hangzhou-h"}]}]}"#,
        )
        .unwrap();
        let err = seed.check().unwrap_err();
        assert!(
            err.starts_with("accounts[0].instances[0].id: \"i-1\""),
            "{err}"
        );
        assert!(well_formed_id("i-bp1seedstopped000001", "i-"));
        assert!(well_formed_id("d-2ze0123456789abcdefgh", "d-"));
        assert!(!well_formed_id("d-BIG12345", "d-"));
        assert!(!well_formed_id("i-bp1seed", "d-"));
        let twice: Seed = serde_json::from_str(
            r#"{"accounts":[{"id":"1","disks":[
                {"id":"d-bp1seedessd000000001","region_id":"cn-hangzhou","zone_id":"cn-hangzhou-h","size":40},
                {"id":"d-bp1seedessd000000001","region_id":"cn-hangzhou","zone_id":"cn-hangzhou-h","size":40}]}]}"#,
        )
        .unwrap();
        assert!(twice.check().unwrap_err().contains("appears twice"));
    }
}
