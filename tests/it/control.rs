//! The emulator's own endpoints: health, reset (back to the seed), the virtual clock, catalog calls.

use crate::common::{default_server, spawn, Opts};
use ecs_emulator::config::Timing;

#[tokio::test]
async fn health_reports_ready_and_settings() {
    let s = default_server().await;
    let h = s.control_get("/_emulator/health").await;
    assert_eq!(h["status"], "ready");
    assert_eq!(h["services"]["ebs"], "2021-07-30");
    assert_eq!(h["settings"]["timing"], "instant");
    let actions = s.control_get("/_emulator/actions").await;
    assert!(actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "StartInstance" && a["version"] == "2014-05-26"));
}

#[tokio::test]
async fn reset_restores_the_seed() {
    let s = default_server().await;
    s.ecs("StartInstance", &[("InstanceId", "i-bp1seedstopped000001")])
        .await
        .ok();
    s.ecs(
        "DeleteInstance",
        &[("InstanceId", "i-bp1seedlocked0000001"), ("Force", "true")],
    )
    .await
    .err(403, "InstanceLockedForSecurity");
    s.ecs(
        "DeleteInstance",
        &[("InstanceId", "i-bp1seedrunning000001"), ("Force", "true")],
    )
    .await
    .ok();
    s.reset().await;
    assert_eq!(
        s.instance_status("cn-hangzhou", "i-bp1seedstopped000001")
            .await,
        "Stopped"
    );
    assert_eq!(
        s.instance_status("cn-hangzhou", "i-bp1seedrunning000001")
            .await,
        "Running"
    );
}

#[tokio::test]
async fn clock_moves_only_when_advanced_in_manual_mode() {
    let s = spawn(Opts {
        timing: Timing::Realistic,
        ..Opts::default()
    })
    .await;
    let t0 = s.control_get("/_emulator/clock").await["now_ms"]
        .as_i64()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        s.control_get("/_emulator/clock").await["now_ms"]
            .as_i64()
            .unwrap(),
        t0
    );
    s.advance(1.5).await;
    assert_eq!(
        s.control_get("/_emulator/clock").await["now_ms"]
            .as_i64()
            .unwrap(),
        t0 + 1500
    );
}

#[tokio::test]
async fn catalog_calls() {
    let s = default_server().await;
    let r = s
        .ecs("DescribeRegions", &[("AcceptLanguage", "en-US")])
        .await
        .ok();
    let regions = r["Regions"]["Region"].as_array().unwrap();
    assert_eq!(regions.len(), 7);
    let hz = regions
        .iter()
        .find(|x| x["RegionId"] == "cn-hangzhou")
        .unwrap();
    assert_eq!(
        (hz["LocalName"].as_str(), hz["RegionEndpoint"].as_str()),
        (
            Some("China (Hangzhou)"),
            Some("ecs.cn-hangzhou.aliyuncs.com")
        )
    );
    s.ecs("DescribeRegions", &[("AcceptLanguage", "fr")])
        .await
        .err(404, "InvalidAcceptLanguage.NotFound");
    let z = s
        .ecs("DescribeZones", &[("RegionId", "eu-central-1")])
        .await
        .ok();
    let zones = z["Zones"]["Zone"].as_array().unwrap();
    assert_eq!(zones[0]["ZoneId"], "eu-central-1a");
    assert!(zones[0]["AvailableDiskCategories"]["DiskCategories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "cloud_essd"));
    s.ecs("DescribeZones", &[("RegionId", "mars-1")])
        .await
        .err(404, "InvalidRegionId.NotFound");
    s.ecs("DescribeZones", &[])
        .await
        .err(400, "MissingRegionId");
    let i = s
        .ecs(
            "DescribeImages",
            &[("RegionId", "us-west-1"), ("OSType", "windows")],
        )
        .await
        .ok();
    assert_eq!(i["TotalCount"], 1);
    assert_eq!(i["Images"]["Image"][0]["Platform"], "Windows Server 2022");
    let t = s
        .ecs("DescribeInstanceTypes", &[("InstanceTypeFamily", "ecs.g7")])
        .await
        .ok();
    assert_eq!(
        t["InstanceTypes"]["InstanceType"].as_array().unwrap().len(),
        3
    );
    assert_eq!(t["InstanceTypes"]["InstanceType"][0]["CpuCoreCount"], 2);
}
