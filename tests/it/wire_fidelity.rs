//! Wire fidelity over the front door: unknown actions logged by name, timestamps with fractions and offsets in strict mode, ACS3-HMAC-SM3, and EBS CreateDiskReplicaPair's SourceRegionId.

use ecs_emulator::aliyun::signature::{sign_acs3_with, Acs3Algorithm};
use ecs_emulator::config::AuthMode;
use serde_json::Value;

use crate::common::replica::{essd, HZ, SH};
use crate::common::{default_server, nonce, spawn, Opts, Server, EBS, ECS, KEY_ID, KEY_SECRET};

const STOPPED: &str = "i-bp1seedstopped000001";

async fn strict() -> Server {
    spawn(Opts {
        auth: AuthMode::Strict,
        ..Opts::default()
    })
    .await
}

/// Now, in `format` (a `time` description), offset by `skew` seconds.
fn now_as(format: &[time::format_description::BorrowedFormatItem<'_>], skew: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(skew))
        .format(format)
        .expect("format")
}

fn millis(skew: i64) -> String {
    now_as(
        time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ),
        skew,
    )
}

/// The status and JSON body of a raw HTTP answer.
fn parse_raw(answer: &str) -> (u16, Value) {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn unknown_actions_are_logged_with_their_name() {
    let s = default_server().await;
    s.call(ECS, "DescribeKeyPairs", &[("RegionId", HZ.0)])
        .await
        .err(404, "InvalidAction.NotFound");
    // Through a proxy (absolute form, as HTTP_PROXY clients send), and on a path the RPC
    // endpoint does not serve.
    for target in [
        "http://ecs.aliyuncs.com/?Action=DescribeKeyPairs&Version=2014-05-26",
        "/ecs/?Action=DescribeKeyPairs&Version=2014-05-26",
        "/nowhere",
    ] {
        let raw = s
            .raw(
                format!(
                    "GET {target} HTTP/1.1\r\nHost: ecs.aliyuncs.com\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            )
            .await;
        let (status, body) = parse_raw(&raw);
        assert_eq!(
            (status, body["Code"].as_str()),
            (404, Some("InvalidAction.NotFound")),
            "{raw}"
        );
    }
    let log = s.control_get("/_emulator/requests").await;
    let actions: Vec<&str> = log["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "DescribeKeyPairs",
            "DescribeKeyPairs",
            "DescribeKeyPairs",
            "/nowhere"
        ]
    );
}

#[tokio::test]
async fn strict_mode_accepts_fractional_seconds_and_offsets() {
    let s = strict().await;
    let key = (KEY_ID, KEY_SECRET);
    let forms = [
        millis(0),
        now_as(
            time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
            ),
            0,
        ),
        now_as(
            time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]+00:00"
            ),
            0,
        ),
    ];
    for ts in &forms {
        let n = nonce();
        s.signed_with(key, "StartInstance", &[("InstanceId", STOPPED)], &n, ts)
            .await
            .ok();
        s.signed_with(
            key,
            "StopInstance",
            &[("InstanceId", STOPPED)],
            &nonce(),
            ts,
        )
        .await
        .ok();
        // The replay and skew checks are those of the plain form.
        s.signed_with(key, "StartInstance", &[("InstanceId", STOPPED)], &n, ts)
            .await
            .err(400, "SignatureNonceUsed");
    }
    s.signed_with(
        key,
        "StartInstance",
        &[("InstanceId", STOPPED)],
        &nonce(),
        &millis(-16 * 60),
    )
    .await
    .err(400, "InvalidTimeStamp.Expired");
    s.signed_with(
        key,
        "StartInstance",
        &[("InstanceId", STOPPED)],
        &nonce(),
        "2026-11-22T03:24Z",
    )
    .await
    .err(400, "InvalidTimeStamp.Format");
}

/// An ACS3 POST to `/` signed with `algorithm`, sent as raw HTTP; `edit` may change the
/// headers after signing.
async fn acs3_raw(
    s: &Server,
    algorithm: Acs3Algorithm,
    action: &str,
    query: &[(&str, &str)],
    edit: impl Fn(&mut Vec<(String, String)>),
) -> (u16, Value) {
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut headers: Vec<(String, String)> = [
        ("host", s.addr.to_string()),
        ("x-acs-action", action.to_owned()),
        ("x-acs-version", ECS.to_owned()),
        ("x-acs-date", millis(0)),
        ("x-acs-signature-nonce", nonce()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    sign_acs3_with(
        algorithm,
        "POST",
        &query,
        &mut headers,
        b"",
        KEY_ID,
        KEY_SECRET,
    );
    edit(&mut headers);
    let qs: Vec<String> = query
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                ecs_emulator::aliyun::encoding::pe(k),
                ecs_emulator::aliyun::encoding::pe(v)
            )
        })
        .collect();
    let mut req = format!("POST /?{} HTTP/1.1\r\n", qs.join("&"));
    for (k, v) in &headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("content-length: 0\r\nconnection: close\r\n\r\n");
    parse_raw(&s.raw(req.as_bytes()).await)
}

/// The seed's stopped instance's status, read with a signed call (strict mode needs one).
async fn instance_status(s: &Server) -> String {
    let v = s
        .signed(
            (KEY_ID, KEY_SECRET),
            "DescribeInstanceStatus",
            &[("RegionId", HZ.0), ("InstanceId.1", STOPPED)],
        )
        .await
        .ok();
    v["InstanceStatuses"]["InstanceStatus"][0]["Status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn acs3_hmac_sm3_is_verified_in_both_modes() {
    for auth in [AuthMode::Strict, AuthMode::Permissive] {
        let s = spawn(Opts {
            auth,
            ..Opts::default()
        })
        .await;
        let id = [("InstanceId", STOPPED)];
        let (status, body) =
            acs3_raw(&s, Acs3Algorithm::HmacSm3, "StartInstance", &id, |_| {}).await;
        assert_eq!(status, 200, "{auth:?} {body}");
        assert_eq!(instance_status(&s).await, "Running");
        // The same request with its action header changed after signing.
        let (status, body) = acs3_raw(&s, Acs3Algorithm::HmacSm3, "StopInstance", &id, |h| {
            for (k, v) in h.iter_mut() {
                if k == "x-acs-action" {
                    *v = "RebootInstance".into();
                }
            }
        })
        .await;
        assert_eq!(
            (status, body["Code"].as_str()),
            (400, Some("SignatureDoesNotMatch")),
            "{auth:?}"
        );
        assert!(
            body["Message"]
                .as_str()
                .unwrap_or_default()
                .contains("ACS3-HMAC-SM3\n"),
            "{body}"
        );
        // An SM3 signature presented as SHA-256 does not verify.
        let (status, body) = acs3_raw(&s, Acs3Algorithm::HmacSm3, "StopInstance", &id, |h| {
            for (k, v) in h.iter_mut() {
                if k == "Authorization" {
                    *v = v.replacen("ACS3-HMAC-SM3", "ACS3-HMAC-SHA256", 1);
                }
            }
        })
        .await;
        assert_eq!(
            (status, body["Code"].as_str()),
            (400, Some("SignatureDoesNotMatch")),
            "{auth:?}"
        );
        assert_eq!(instance_status(&s).await, "Running");
    }
}

#[tokio::test]
async fn ebs_create_pair_takes_source_region_id_for_region_id() {
    let s = default_server().await;
    let create = |region: Vec<(&'static str, &'static str)>, src: String, dst: String| {
        let mut p: Vec<(String, String)> = region
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for (k, v) in [
            ("SourceZoneId", HZ.1),
            ("DestinationRegionId", SH.0),
            ("DestinationZoneId", SH.1),
        ] {
            p.push((k.to_owned(), v.to_owned()));
        }
        p.push(("DiskId".into(), src));
        p.push(("DestinationDiskId".into(), dst));
        p
    };
    let call = |params: Vec<(String, String)>| {
        let s = &s;
        async move {
            let refs: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            s.call(EBS, "CreateDiskReplicaPair", &refs).await
        }
    };
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let e = call(create(vec![], src.clone(), dst.clone()))
        .await
        .err(400, "MissingRegionId");
    assert_eq!(e["Message"], "RegionId is mandatory for this action.");
    call(create(
        vec![("RegionId", SH.0), ("SourceRegionId", HZ.0)],
        src.clone(),
        dst.clone(),
    ))
    .await
    .err(400, "InvalidParameter");
    let v = call(create(
        vec![("SourceRegionId", HZ.0)],
        src.clone(),
        dst.clone(),
    ))
    .await
    .ok();
    let id = v["ReplicaPairId"]
        .as_str()
        .expect("ReplicaPairId")
        .to_owned();
    let listed = s
        .ebs(
            "DescribeDiskReplicaPairs",
            &[("RegionId", HZ.0), ("PairIds", &id)],
        )
        .await
        .ok();
    let pair = &listed["ReplicaPairs"][0];
    assert_eq!(
        (pair["SourceRegion"].as_str(), pair["SourceDiskId"].as_str()),
        (Some(HZ.0), Some(src.as_str()))
    );
    // ECS has no such alias: the seed documents name RegionId only.
    let (src, dst) = (essd(&s, HZ).await, essd(&s, SH).await);
    let mut ecs: Vec<(String, String)> = create(vec![("SourceRegionId", HZ.0)], src, dst);
    ecs.push(("PairName".into(), "p".into()));
    let refs: Vec<(&str, &str)> = ecs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    s.call(ECS, "CreateDiskReplicaPair", &refs)
        .await
        .err(400, "IncompleteParamter");
}

/// footmark (the library of the Ansible alicloud modules) stores an instance's fields one by one
/// in the answer's order, objects first, and reads `EipAddress` while it stores
/// `PublicIpAddress`: without the EIP already there it recurses until `RecursionError`.
#[tokio::test]
async fn describe_instances_sends_the_eip_before_the_public_address() {
    let s = default_server().await;
    let r = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ.0), ("PageSize", "100")],
        )
        .await;
    let items: Vec<&str> = r.body.split(r#"{"InstanceId":"#).skip(1).collect();
    assert!(items.len() > 10, "{}", r.body);
    for item in items {
        let eip = item.find(r#""EipAddress":{"#).expect("EipAddress");
        let public = item
            .find(r#""PublicIpAddress":{"#)
            .expect("PublicIpAddress");
        assert!(eip < public, "{item}");
    }
}
