//! Replication fixtures shared by the workflow and golden tests: ESSD disks, pairs and groups
//! created over the wire, and the virtual clock read back.

use super::{Resp, Server};

/// A (region, zone) where replication can start or end.
pub(crate) type Place = (&'static str, &'static str);

/// Hangzhou, zone H (the seed's running instance lives here).
pub(crate) const HZ: Place = ("cn-hangzhou", "cn-hangzhou-h");
/// Shanghai, zone E.
pub(crate) const SH: Place = ("cn-shanghai", "cn-shanghai-e");

/// A new 40 GiB ESSD in `place`, Available (the clock is advanced past Creating).
pub(crate) async fn essd(s: &Server, place: Place) -> String {
    let v = s
        .ecs(
            "CreateDisk",
            &[
                ("RegionId", place.0),
                ("ZoneId", place.1),
                ("DiskCategory", "cloud_essd"),
                ("Size", "40"),
            ],
        )
        .await
        .ok();
    s.advance(2.0).await;
    v["DiskId"].as_str().expect("DiskId").to_owned()
}

/// CreateDiskReplicaPair in `version` between two new disks; returns (pair, source, destination).
pub(crate) async fn new_pair(
    s: &Server,
    version: &str,
    from: Place,
    to: Place,
    extra: &[(&str, &str)],
) -> (String, String, String) {
    let (src, dst) = (essd(s, from).await, essd(s, to).await);
    let mut params = vec![
        ("RegionId", from.0),
        ("SourceZoneId", from.1),
        ("DiskId", src.as_str()),
        ("DestinationRegionId", to.0),
        ("DestinationZoneId", to.1),
        ("DestinationDiskId", dst.as_str()),
        ("PairName", "pair-one"),
    ];
    params.extend_from_slice(extra);
    let v = s.call(version, "CreateDiskReplicaPair", &params).await.ok();
    let id = v["ReplicaPairId"]
        .as_str()
        .expect("ReplicaPairId")
        .to_owned();
    (id, src, dst)
}

/// CreateDiskReplicaGroup in EBS from `from` to `to`; returns the group id.
pub(crate) async fn new_group(
    s: &Server,
    from: Place,
    to: Place,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("RegionId", from.0),
        ("SourceZoneId", from.1),
        ("DestinationRegionId", to.0),
        ("DestinationZoneId", to.1),
    ];
    params.extend_from_slice(extra);
    let v = s.ebs("CreateDiskReplicaGroup", &params).await.ok();
    v["ReplicaGroupId"]
        .as_str()
        .expect("ReplicaGroupId")
        .to_owned()
}

/// AddDiskReplicaPair in EBS, asserting success; `region` is where the call is made.
pub(crate) async fn join_group(s: &Server, region: &str, group: &str, pair: &str) {
    s.ebs(
        "AddDiskReplicaPair",
        &[
            ("RegionId", region),
            ("ReplicaGroupId", group),
            ("ReplicaPairId", pair),
        ],
    )
    .await
    .ok();
}

/// `action` in EBS on one pair, called in `region`.
pub(crate) async fn pair_op(s: &Server, action: &str, region: &str, id: &str) -> Resp {
    s.ebs(action, &[("RegionId", region), ("ReplicaPairId", id)])
        .await
}

/// `action` in EBS on one group, called in `region`.
pub(crate) async fn group_op(s: &Server, action: &str, region: &str, id: &str) -> Resp {
    s.ebs(action, &[("RegionId", region), ("ReplicaGroupId", id)])
        .await
}

/// The virtual clock in Unix seconds.
pub(crate) async fn now_secs(s: &Server) -> i64 {
    s.control_get("/_emulator/clock").await["now_ms"]
        .as_i64()
        .expect("now_ms")
        / 1000
}
