//! The parameter decoder: form decoding of arbitrary bytes, its round trip with the signing
//! encoder, and every action's reading of hostile parameters through the router (always a
//! documented answer, never a 500).

use std::sync::{Mutex, OnceLock, PoisonError};

use ecs_emulator::aliyun::encoding::{form_decode, pe};
use proptest::prelude::*;
use serde_json::Value;

use crate::harness::{hostile_text, query_of, Emulator};

/// Names every action reads somewhere, so that generated requests reach the typed readers.
const NAMES: &[&str] = &[
    "RegionId",
    "ZoneId",
    "InstanceId",
    "InstanceId.1",
    "InstanceIds",
    "DiskId",
    "DiskIds",
    "Size",
    "Amount",
    "MinAmount",
    "PageSize",
    "PageNumber",
    "NextToken",
    "MaxResults",
    "Tag.1.Key",
    "Tag.1.Value",
    "Tag.21.Key",
    "ClientToken",
    "DryRun",
    "Force",
    "Format",
    "DiskCategory",
    "Category",
    "PerformanceLevel",
    "DiskName",
    "Description",
    "InstanceName",
    "HostName",
    "ImageId",
    "InstanceType",
    "SystemDisk.Size",
    "SystemDisk.Category",
    "DataDisk.1.Size",
    "DataDisk.1.Category",
    "DataDisk.1.DeleteWithInstance",
    "Status",
    "StoppedMode",
    "DeleteWithInstance",
    "ReplicaPairId",
    "ReplicaGroupId",
    "PairIds",
    "GroupIds",
    "DestinationRegionId",
    "DestinationZoneId",
    "DestinationDiskId",
    "SourceZoneId",
    "PairName",
    "GroupName",
    "RPO",
    "Bandwidth",
    "ChargeType",
    "Period",
    "OneShot",
    "ReverseReplicate",
    "Site",
    "LockReason",
    "AcceptLanguage",
    "ResourceType",
];

/// Values that sit on the edges of what the readers accept.
const VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "900",
    "40",
    "99999999999999999999",
    "true",
    "TRUE",
    "maybe",
    "[]",
    "[\"i-bp1fuzz000000000001\"]",
    "[1]",
    "cn-hangzhou",
    "cn-hangzhou-h",
    "cn-shanghai-e",
    "i-bp1fuzz000000000001",
    "d-bp1fuzz000000000001",
    "cloud_essd",
    "PL0",
    "PL9",
    "XML",
    "PREPAY",
    "production",
    "-",
    "a,b,,c",
    "ubuntu_22_04_x64_20G_alibase_20240710.vhd",
    "ecs.c7.large",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NAMES).prop_map(str::to_owned),
        1 => hostile_text(10),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(VALUES).prop_map(str::to_owned),
        2 => hostile_text(40),
    ]
}

/// One emulator for the whole run (building one per case would only measure start-up); it
/// starts from a seed without injected faults, so no answer may be a 500.
fn emulator() -> &'static Mutex<Emulator> {
    static EMULATOR: OnceLock<Mutex<Emulator>> = OnceLock::new();
    EMULATOR.get_or_init(|| {
        let seed = r#"{ "accounts": [ { "id": "1000000000000001",
          "instances": [ { "id": "i-bp1fuzz000000000001", "region_id": "cn-hangzhou",
                           "zone_id": "cn-hangzhou-h", "status": "Stopped" } ],
          "disks": [ { "id": "d-bp1fuzz000000000001", "region_id": "cn-hangzhou",
                       "zone_id": "cn-hangzhou-h", "size": 40 } ] } ] }"#;
        Mutex::new(Emulator::from_seed(seed).expect("seed"))
    })
}

proptest! {
    /// Any bytes: decoded or refused, never a panic; what decodes is text.
    #[test]
    fn form_decode_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = form_decode(&bytes);
    }

    /// What the signing encoder writes, the decoder reads back exactly, `+` for space included.
    #[test]
    fn decode_reads_back_what_pe_writes(
        pairs in prop::collection::vec((hostile_text(12), hostile_text(24)), 0..8),
        plus in any::<bool>(),
    ) {
        let wire: String = pairs
            .iter()
            .map(|(k, v)| {
                let (k, v) = (pe(k), pe(v));
                if plus { format!("{}={}", k, v.replace("%20", "+")) } else { format!("{k}={v}") }
            })
            .collect::<Vec<_>>()
            .join("&");
        let decoded = form_decode(wire.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(decoded, pairs);
    }

    /// Any action of either version with hostile parameters: a documented answer (a success,
    /// or an error body with a code and a 4xx status), never a 5xx.
    #[test]
    fn every_action_answers_hostile_parameters(
        action in prop::sample::select(ecs_emulator::aliyun::actions::all()),
        params in prop::collection::vec((name(), value()), 0..10),
    ) {
        let mut pairs: Vec<(&str, &str)> = vec![("Action", action.name), ("Version", action.version)];
        pairs.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let answer = emulator().lock().unwrap_or_else(PoisonError::into_inner).get(&query_of(&pairs));
        prop_assert!(answer.status < 500, "{} {}: {}", action.name, answer.status, answer.body);
        if answer.body.starts_with('<') {
            prop_assert!(roxmltree::Document::parse(&answer.body).is_ok(), "{}", answer.body);
        } else {
            let v: Value = serde_json::from_str(&answer.body)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", answer.body)))?;
            prop_assert!(v["RequestId"].is_string(), "{}", answer.body);
            prop_assert_eq!(v["Code"].is_string(), answer.status != 200, "{}", answer.body);
        }
    }
}
