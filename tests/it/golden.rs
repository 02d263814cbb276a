//! Golden bodies: the exact JSON and XML of documented examples (request ids masked), so a change
//! to the wire format shows up as a diff against `tests/it/golden/`.

use crate::common::{default_server, Resp, ECS};

/// Replaces the request id (body and Recommend link) and the port in HostId with fixed markers.
fn masked(r: &Resp) -> String {
    let body = r.body.replace(&r.request_id_header, "<REQUEST-ID>");
    match body.find("127.0.0.1:") {
        Some(at) => {
            let port_end = body[at + 10..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(body.len(), |e| at + 10 + e);
            format!("{}127.0.0.1:<PORT>{}", &body[..at], &body[port_end..])
        }
        None => body,
    }
}

#[track_caller]
fn check(name: &str, actual: &str) {
    let path = format!("{}/tests/it/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path}; run with UPDATE_GOLDEN=1"));
    assert_eq!(actual, expected, "{name} differs from its golden file");
}

#[tokio::test]
async fn start_instance_bodies_match_the_documented_examples() {
    let s = default_server().await;
    let ok = s
        .call(
            ECS,
            "StartInstance",
            &[("InstanceId", "i-bp1seedstopped000001")],
        )
        .await;
    check("start_instance.json", &masked(&ok));
    s.ecs("StopInstance", &[("InstanceId", "i-bp1seedstopped000001")])
        .await
        .ok();
    let xml = s
        .call(
            ECS,
            "StartInstance",
            &[("InstanceId", "i-bp1seedstopped000001"), ("Format", "XML")],
        )
        .await;
    check("start_instance.xml", &masked(&xml));
    let err = s
        .call(
            ECS,
            "StartInstance",
            &[("InstanceId", "i-bp1seedlocked0000001")],
        )
        .await;
    check("start_instance_locked.json", &masked(&err));
    let err_xml = s
        .call(
            ECS,
            "StartInstance",
            &[("InstanceId", "i-nope"), ("Format", "XML")],
        )
        .await;
    check("start_instance_not_found.xml", &masked(&err_xml));
}

#[tokio::test]
async fn list_wrapping_in_json_and_xml() {
    let s = default_server().await;
    let json = s
        .call(ECS, "DescribeInstanceStatus", &[("RegionId", "cn-beijing")])
        .await;
    check("describe_instance_status.json", &masked(&json));
    let xml = s
        .call(
            ECS,
            "DescribeZones",
            &[
                ("RegionId", "us-west-1"),
                ("Verbose", "false"),
                ("Format", "XML"),
            ],
        )
        .await;
    check("describe_zones.xml", &masked(&xml));
}
