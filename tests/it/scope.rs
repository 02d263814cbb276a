//! Signature scope over the wire: what chooses the action and version of a signed request is
//! itself signed (RPC: parameters only; ACS3: every x-acs-* header and host in SignedHeaders).

use crate::common::{nonce, spawn, timestamp_now, Opts, Server, ECS, KEY_ID, KEY_SECRET};
use ecs_emulator::aliyun::encoding::pe;
use ecs_emulator::aliyun::signature::{sign_acs3, sign_rpc};
use ecs_emulator::config::AuthMode;

const STOPPED: &str = "i-bp1seedstopped000001";

fn query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An RPC-signed POST with `params` (no Action unless given) and extra unsigned headers.
async fn rpc_signed(s: &Server, params: &[(&str, &str)], headers: &str) -> String {
    let mut all: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    sign_rpc(
        "POST",
        &mut all,
        KEY_ID,
        KEY_SECRET,
        &nonce(),
        &timestamp_now(),
    );
    let req = format!(
        "POST /?{} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n",
        query(&all),
        s.addr
    );
    s.raw(req.as_bytes()).await
}

/// An ACS3-signed POST whose SignedHeaders cover the headers present when signing; `late`
/// headers are added after signing (so they are sent but not signed).
async fn acs3_with_late_headers(
    s: &Server,
    params: &[(&str, &str)],
    signed: &[(&str, &str)],
    late: &[(&str, &str)],
) -> String {
    let query_pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), s.addr.to_string()),
        ("x-acs-date".into(), timestamp_now()),
        ("x-acs-signature-nonce".into(), nonce()),
    ];
    headers.extend(
        signed
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    sign_acs3("POST", &query_pairs, &mut headers, b"", KEY_ID, KEY_SECRET);
    headers.extend(late.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let lines: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let req = format!(
        "POST /?{} HTTP/1.1\r\n{lines}Content-Length: 0\r\nConnection: close\r\n\r\n",
        query(&query_pairs)
    );
    s.raw(req.as_bytes()).await
}

/// The instance's status, asked with a signed call (strict mode refuses unsigned ones).
async fn status_of(s: &Server, id: &str) -> String {
    let ids = format!("[\"{id}\"]");
    let v = s
        .signed(
            (KEY_ID, KEY_SECRET),
            "DescribeInstances",
            &[("RegionId", "cn-hangzhou"), ("InstanceIds", &ids)],
        )
        .await
        .ok();
    v["Instances"]["Instance"][0]["Status"]
        .as_str()
        .unwrap_or("<absent>")
        .to_owned()
}

fn status_and_code(raw: &str) -> (String, String) {
    let status = raw.get(9..12).unwrap_or_default().to_owned();
    let code = raw
        .split("\"Code\":\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("<none>")
        .to_owned();
    (status, code)
}

#[tokio::test]
async fn rpc_signed_requests_take_the_action_only_from_signed_parameters() {
    for auth in [AuthMode::Permissive, AuthMode::Strict] {
        let s = spawn(Opts {
            auth,
            ..Opts::default()
        })
        .await;
        // No Action parameter: the unsigned x-acs-action header must not supply one.
        let r = rpc_signed(
            &s,
            &[("Version", ECS), ("InstanceId", STOPPED)],
            "x-acs-action: StartInstance\r\n",
        )
        .await;
        assert_eq!(
            status_and_code(&r),
            ("400".into(), "MissingAction".into()),
            "{auth:?}: {r}"
        );
        // No Version parameter: nor does x-acs-version supply the version.
        let r = rpc_signed(
            &s,
            &[("Action", "StartInstance"), ("InstanceId", STOPPED)],
            "x-acs-version: 2014-05-26\r\n",
        )
        .await;
        assert_eq!(
            status_and_code(&r),
            ("400".into(), "InvalidVersion".into()),
            "{auth:?}: {r}"
        );
        // A signed Action wins over a different header.
        let r = rpc_signed(
            &s,
            &[("Action", "DescribeRegions"), ("Version", ECS)],
            "x-acs-action: StartInstance\r\n",
        )
        .await;
        assert!(
            r.starts_with("HTTP/1.1 200") && r.contains("Regions"),
            "{r}"
        );
        assert_eq!(status_of(&s, STOPPED).await, "Stopped");
    }
}

#[tokio::test]
async fn acs3_refuses_unsigned_acs_headers_and_host() {
    for auth in [AuthMode::Permissive, AuthMode::Strict] {
        let s = spawn(Opts {
            auth,
            ..Opts::default()
        })
        .await;
        // The action header added after signing: whatever it names must not run.
        let r = acs3_with_late_headers(
            &s,
            &[("InstanceId", STOPPED)],
            &[("x-acs-version", ECS)],
            &[("x-acs-action", "StartInstance")],
        )
        .await;
        assert_eq!(
            status_and_code(&r),
            ("400".into(), "IncompleteSignature".into()),
            "{auth:?}: {r}"
        );
        assert!(r.contains("x-acs-action is not"), "{r}");
        // Any other x-acs-* header sent unsigned, too.
        let r = acs3_with_late_headers(
            &s,
            &[("InstanceId", STOPPED)],
            &[("x-acs-version", ECS), ("x-acs-action", "StartInstance")],
            &[("x-acs-security-token", "t")],
        )
        .await;
        assert_eq!(
            status_and_code(&r),
            ("400".into(), "IncompleteSignature".into()),
            "{auth:?}: {r}"
        );
        assert_eq!(status_of(&s, STOPPED).await, "Stopped");
        // Everything signed: served.
        let r = acs3_with_late_headers(
            &s,
            &[("InstanceId", STOPPED)],
            &[("x-acs-version", ECS), ("x-acs-action", "StartInstance")],
            &[],
        )
        .await;
        assert!(r.starts_with("HTTP/1.1 200"), "{auth:?}: {r}");
        assert_eq!(status_of(&s, STOPPED).await, "Running");
    }
}
