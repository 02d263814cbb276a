//! The seed loader: any bytes are loaded or refused with a message, never a panic; any seed it
//! loads starts an emulator whose every region answers DescribeInstances and DescribeDisks.

use ecs_emulator::seed::SeedFile;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::harness::{hostile_text, query_of, Emulator};

/// Something seed-shaped: valid and invalid ids, regions, zones, statuses, sizes and quotas.
fn seed_document() -> impl Strategy<Value = Value> {
    let id = |prefix: &'static str| {
        prop_oneof![
            3 => "[a-z0-9]{8,30}".prop_map(move |r| format!("{prefix}{r}")),
            1 => hostile_text(12),
        ]
    };
    let region = prop::sample::select(vec!["cn-hangzhou", "cn-beijing", "us-west-1", "mars-1", ""]);
    let zone = prop::sample::select(vec![
        "cn-hangzhou-h",
        "cn-beijing-h",
        "us-west-1a",
        "cn-hangzhou-z",
        "",
    ]);
    let instance = (
        id("i-"),
        region.clone(),
        zone.clone(),
        prop::option::of(prop::sample::select(vec![
            "Running", "Stopped", "Pending", "bogus",
        ])),
        prop::option::of(hostile_text(16)),
        prop::collection::vec(
            prop::sample::select(vec![
                "security_lock",
                "expired",
                "internal_error",
                "no_stock",
            ]),
            0..3,
        ),
    )
        .prop_map(|(id, region, zone, status, name, conditions)| {
            json!({
                "id": id, "region_id": region, "zone_id": zone, "status": status, "name": name,
                "conditions": conditions,
            })
        });
    let disk = (
        id("d-"),
        region,
        zone,
        prop_oneof![Just(40u64), 0u64..100_000],
        prop::option::of(prop::sample::select(vec![
            "cloud_essd",
            "cloud_ssd",
            "floppy",
        ])),
    )
        .prop_map(|(id, region, zone, size, category)| {
            json!({
                "id": id, "region_id": region, "zone_id": zone, "size": size, "category": category,
            })
        });
    let quotas = prop::option::of((prop::option::of(0usize..5), prop::option::of(0usize..5)))
        .prop_map(|q| q.map(|(i, d)| json!({ "instances": i, "disks": d })));
    let account = (
        "[0-9]{1,16}",
        prop::collection::vec(instance, 0..4),
        prop::collection::vec(disk, 0..4),
        quotas,
    )
        .prop_map(|(id, instances, disks, quotas)| {
            let mut a = json!({ "id": id, "instances": instances, "disks": disks });
            if let Some(q) = quotas {
                a["quotas"] = q;
            }
            a
        });
    prop::collection::vec(account, 0..3).prop_map(|accounts| json!({ "accounts": accounts }))
}

proptest! {
    /// Any bytes as a seed file: loaded or refused with a message naming the file.
    #[test]
    fn any_bytes_load_or_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let path = std::env::temp_dir().join(format!("ecs-emulator-fuzz-bytes-{}.json", std::process::id()));
        std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(message) = SeedFile::load(&path) {
            prop_assert!(message.contains(&path.display().to_string()), "{message}");
        }
        let _ = std::fs::remove_file(&path);
    }

    /// Seed-shaped documents: refused with a message, or loaded into an emulator that answers.
    #[test]
    fn seed_shaped_documents_start_an_emulator_or_are_refused(doc in seed_document()) {
        let Ok(mut emu) = Emulator::from_seed(&doc.to_string()) else {
            return Ok(());
        };
        for region in ["cn-hangzhou", "cn-beijing", "us-west-1"] {
            for action in ["DescribeInstances", "DescribeDisks"] {
                let a = emu.get(&query_of(&[("Action", action), ("Version", "2014-05-26"), ("RegionId", region)]));
                prop_assert_eq!(a.status, 200, "{}", a.body);
            }
        }
    }
}
