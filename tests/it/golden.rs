//! Golden bodies: the exact JSON and XML of documented examples (request ids masked), so a change
//! to the wire format shows up as a diff against `tests/it/golden/`.

use crate::common::{default_server, Resp, ECS};

/// Replaces the request id (body and Recommend link) and the port in HostId with fixed markers.
pub(crate) fn masked(r: &Resp) -> String {
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

/// Compares `actual` with `tests/it/golden/{name}` (or writes it when `UPDATE_GOLDEN` is set).
#[track_caller]
pub(crate) fn check(name: &str, actual: &str) {
    let path = format!("{}/tests/it/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).expect("create golden folder");
        }
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path}; run with UPDATE_GOLDEN=1"));
    if actual != expected {
        panic!(
            "{name} differs from its golden file {}",
            difference(&expected, actual)
        );
    }
}

/// Where two texts first differ: the line, the section it is in (the nearest `== ` label above
/// it) and both versions around the first differing character, since bodies are long lines.
fn difference(expected: &str, actual: &str) -> String {
    let (want, got): (Vec<&str>, Vec<&str>) =
        (expected.lines().collect(), actual.lines().collect());
    let Some(at) = (0..want.len().max(got.len())).find(|&i| want.get(i) != got.get(i)) else {
        return "only in line endings".into();
    };
    let section = got[..at.min(got.len())]
        .iter()
        .rev()
        .find(|l| l.starts_with("== "))
        .map_or(String::new(), |l| format!(" ({})", &l[3..]));
    let (want, got) = (want.get(at).copied(), got.get(at).copied());
    let (want, got) = (want.unwrap_or_default(), got.unwrap_or_default());
    let from = want
        .char_indices()
        .zip(got.chars())
        .find(|((_, w), g)| w != g)
        .map_or(want.len().min(got.len()), |((i, _), _)| i);
    format!(
        "at line {}{section}, character {from}:\nexpected: …{}…\nactual:   …{}…",
        at + 1,
        excerpt(want, from),
        excerpt(got, from),
    )
}

/// Up to 60 characters either side of byte `at` in `line`.
fn excerpt(line: &str, at: usize) -> &str {
    let start = line[..at.min(line.len())]
        .char_indices()
        .rev()
        .nth(59)
        .map_or(0, |(i, _)| i);
    let end = line[at.min(line.len())..]
        .char_indices()
        .nth(60)
        .map_or(line.len(), |(i, _)| at + i);
    &line[start..end]
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
    // One declaration for success and error XML alike, as the gateway writes it.
    let declaration = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
    for body in [&xml.body, &err_xml.body] {
        assert!(body.starts_with(declaration), "{body}");
    }
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
