//! A small cloud for the domain's unit tests: a clock reading, one account, a plain naming
//! style, and shortcuts for the disks, instances and pairs most tests start from.

use std::sync::Arc;

use crate::domain::catalog::{Catalog, Region, Zone};
use crate::domain::clock::{ClockMode, Durations, Millis, Timing};
use crate::domain::disk::{DiskStatus, NewDisk};
use crate::domain::ids::{IdGen, Naming};
use crate::domain::instance::{InstanceStatus, NewInstance};
use crate::domain::replica_pair::NewPair;
use crate::domain::{Cloud, Kind, Scope};

/// The primary region and zone of every fixture pair.
pub const HZ: (&str, &str) = ("cn-hangzhou", "cn-hangzhou-h");
/// The standby region and zone.
pub const SH: (&str, &str) = ("cn-shanghai", "cn-shanghai-e");

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Ids `<kind>-<16 random characters>`, and plain derived names.
pub struct TestNaming;

impl Naming for TestNaming {
    fn name(&self) -> &'static str {
        "test"
    }

    fn id(&self, kind: Kind, _region: &Region, ids: &mut IdGen) -> String {
        let prefix = match kind {
            Kind::Instance => "i",
            Kind::Disk => "d",
            Kind::ReplicaPair => "pair",
            Kind::ReplicaGroup => "pg",
            _ => "x",
        };
        format!("{prefix}-{}", ids.random_part(ALPHABET, 16))
    }
    fn host_name(&self, instance_id: &str) -> String {
        format!("host-{instance_id}")
    }
    fn network(&self, instance_id: &str, _region: &Region, zone: &Zone) -> (String, String) {
        (format!("vpc-{instance_id}"), format!("vsw-{}", zone.id))
    }
    fn device(&self, index: usize) -> String {
        format!("/dev/disk{index}")
    }
    fn vswitch_zone<'r>(&self, vswitch_id: &str, region: &'r Region) -> Option<&'r Zone> {
        let rest = vswitch_id.strip_prefix("vsw-")?;
        region.zones.iter().find(|z| z.id == rest)
    }
}

/// A cloud and a clock reading.
pub struct Lab {
    pub cloud: Cloud,
}

impl Lab {
    pub fn new(timing: Timing) -> Self {
        let catalog = Arc::new(Catalog::builtin().unwrap());
        let durations = Durations::for_timing(timing, 0.01);
        let cloud = Cloud::new(
            catalog,
            durations,
            ClockMode::Manual,
            1_700_000_000_000,
            Some(7),
        );
        Self { cloud }
    }

    pub fn now(&self) -> Millis {
        self.cloud.clock.now
    }

    pub fn advance(&mut self, ms: Millis) {
        self.cloud.clock.advance(ms, 0).unwrap();
    }

    pub fn scope(&mut self) -> Scope<'_> {
        self.cloud.scope("acct", &TestNaming)
    }

    /// An Available ESSD of `size` GiB in `zone`.
    pub fn disk(&mut self, zone: &str, size: u32) -> String {
        let spec = NewDisk {
            zone_id: zone.to_owned(),
            category: Some("cloud_essd".to_owned()),
            size: Some(size),
            ..NewDisk::default()
        };
        let mut s = self.scope();
        s.create_disk_record(&spec, DiskStatus::Available).unwrap()
    }

    /// A running instance in `zone`.
    pub fn instance(&mut self, region: &str, zone: &str) -> String {
        let spec = NewInstance {
            region_id: region.to_owned(),
            zone_id: Some(zone.to_owned()),
            image_id: "aliyun_3_x64_20G_alibase_20240819.vhd".to_owned(),
            instance_type: "ecs.g7.large".to_owned(),
            status: Some(InstanceStatus::Running),
            ..NewInstance::default()
        };
        self.scope().run_instance(&spec).unwrap()
    }

    /// The pair-create request for two disks on the fixture route.
    pub fn new_pair(&self, src: &str, dst: &str) -> NewPair {
        NewPair {
            region_id: HZ.0.to_owned(),
            source_zone_id: Some(HZ.1.to_owned()),
            disk_id: src.to_owned(),
            destination_region_id: SH.0.to_owned(),
            destination_zone_id: Some(SH.1.to_owned()),
            destination_disk_id: dst.to_owned(),
            name: "pair".to_owned(),
            rpo: 900,
            ..NewPair::default()
        }
    }

    /// A new pair (fresh disks) on the fixture route, settled past `creating`.
    pub fn pair(&mut self) -> String {
        let (src, dst) = (self.disk(HZ.1, 40), self.disk(SH.1, 40));
        let spec = self.new_pair(&src, &dst);
        let id = self.scope().create_replica_pair(&spec).unwrap();
        self.advance(60_000);
        id
    }
}
