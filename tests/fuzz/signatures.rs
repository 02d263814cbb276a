//! Both signature verifiers: whatever the signing helpers sign verifies (in strict mode, with
//! parameters split between query and form at random), any edit of a signed part is caught,
//! and no input makes either verifier panic or answer outside the documented codes.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use ecs_emulator::aliyun::signature::{sign_acs3, sign_rpc, Identity, SignedParts, Verifier};
use ecs_emulator::config::{AccessKey, AuthMode, Keyring};
use proptest::prelude::*;

use crate::harness::hostile_text;

const AK: &str = "LTAI5tFUZZKEY00000001";
const SECRET: &str = "FuzzSecret0000000000000000000A";
const T0: &str = "2026-11-22T03:24:31Z";
const T0_UNIX: i64 = 1_795_317_871;

fn verifier(mode: AuthMode) -> Verifier {
    Verifier::new(
        mode,
        Keyring::new([AccessKey {
            id: AK.into(),
            secret: SECRET.into(),
            account: "7".into(),
        }]),
    )
}

fn known() -> Identity {
    Identity::Key {
        access_key_id: AK.into(),
        account: "7".into(),
    }
}

/// Text a header value may carry: visible ASCII and spaces (no leading or trailing blank,
/// which HTTP strips).
fn header_text() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,30}[!-~])?"
}

fn headers(pairs: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// The codes a refused request may carry, and their statuses.
const DOCUMENTED: &[(&str, u16)] = &[
    ("SignatureDoesNotMatch", 400),
    ("IncompleteSignature", 400),
    ("InvalidSignatureMethod", 400),
    ("InvalidAccessKeyId.NotFound", 404),
    ("MissingAccessKeyId", 400),
    ("MissingSignature", 400),
    ("MissingTimestamp", 400),
    ("MissingSignatureNonce", 400),
    ("InvalidTimeStamp.Format", 400),
    ("InvalidTimeStamp.Expired", 400),
    ("SignatureNonceUsed", 400),
    ("InvalidParameter", 400),
];

proptest! {
    /// RPC: any parameters, signed, verify wherever they travel; an edit is caught.
    #[test]
    fn rpc_signatures_verify_and_catch_edits(
        params in prop::collection::vec((hostile_text(10), hostile_text(20)), 0..8),
        split in any::<prop::sample::Index>(),
        nonce in "[0-9a-f]{32}",
        edit in any::<prop::sample::Index>(),
    ) {
        let mut all = params;
        sign_rpc("POST", &mut all, AK, SECRET, &nonce, T0);
        let at = split.index(all.len() + 1);
        let (query, form) = all.split_at(at);
        let empty = HeaderMap::new();
        let parts = SignedParts { method: "POST", path: "/", query, form, headers: &empty, body: b"" };
        prop_assert_eq!(verifier(AuthMode::Strict).verify(&parts, T0_UNIX), Ok(known()));
        prop_assert_eq!(verifier(AuthMode::Permissive).verify(&parts, T0_UNIX), Ok(known()));

        let mut edited = all.clone();
        let i = edit.index(edited.len());
        edited[i].1.push('x');
        let (query, form) = edited.split_at(at);
        let parts = SignedParts { method: "POST", path: "/", query, form, headers: &empty, body: b"" };
        // Strict mode, so that an edited AccessKeyId is an unknown key, not an anonymous caller.
        let err = verifier(AuthMode::Strict).verify(&parts, T0_UNIX);
        prop_assert!(err.is_err(), "an edit of {:?} passed", edited[i].0);
    }

    /// ACS3: any query, body and extra x-acs-* headers, signed, verify; a body edit is caught.
    #[test]
    fn acs3_signatures_verify_and_catch_edits(
        query in prop::collection::vec((hostile_text(10), hostile_text(20)), 0..6),
        extra in prop::collection::vec(("x-acs-[a-z]{1,8}", header_text()), 0..3),
        body in prop::collection::vec(any::<u8>(), 0..64),
        nonce in "[0-9a-f]{32}",
    ) {
        let mut sent: Vec<(String, String)> = vec![
            ("host".into(), "127.0.0.1:18090".into()),
            ("x-acs-action".into(), "DescribeRegions".into()),
            ("x-acs-version".into(), "2014-05-26".into()),
            ("x-acs-date".into(), T0.into()),
            ("x-acs-signature-nonce".into(), nonce),
        ];
        sent.extend(extra);
        sign_acs3("POST", &query, &mut sent, &body, AK, SECRET);
        let map = headers(&sent);
        let parts = SignedParts { method: "POST", path: "/", query: &query, form: &[], headers: &map, body: &body };
        prop_assert_eq!(verifier(AuthMode::Strict).verify(&parts, T0_UNIX), Ok(known()));

        let mut edited = body.clone();
        edited.push(b'x');
        let parts = SignedParts { method: "POST", path: "/", query: &query, form: &[], headers: &map, body: &edited };
        prop_assert!(verifier(AuthMode::Permissive).verify(&parts, T0_UNIX).is_err());
    }

    /// Garbage in any signature field, either mode: an identity or a documented refusal.
    #[test]
    fn verifiers_answer_garbage_with_documented_codes(
        params in prop::collection::vec(
            (prop::sample::select(vec!["Signature", "AccessKeyId", "SignatureMethod",
                "SignatureVersion", "SignatureNonce", "Timestamp", "Action", "Other"]),
             prop_oneof![hostile_text(30), Just(AK.to_owned()), Just("HMAC-SHA1".to_owned()),
                         Just("1.0".to_owned()), Just(T0.to_owned())]),
            0..8),
        header_pairs in prop::collection::vec(
            (prop::sample::select(vec!["authorization", "x-acs-date", "x-acs-signature-nonce",
                "x-acs-content-sha256", "x-acs-action", "host", "x-acs-accesskey-id"]),
             prop_oneof![header_text(),
                         header_text().prop_map(|t| format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={t},Signature=00")),
                         header_text().prop_map(|t| format!("ACS3-{t}"))]),
            0..5),
        strict in any::<bool>(),
    ) {
        let params: Vec<(String, String)> = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let map = headers(&header_pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Vec<_>>());
        let parts = SignedParts { method: "GET", path: "/", query: &params, form: &[], headers: &map, body: b"" };
        let mode = if strict { AuthMode::Strict } else { AuthMode::Permissive };
        if let Err(e) = verifier(mode).verify(&parts, T0_UNIX) {
            prop_assert!(
                DOCUMENTED.contains(&(e.code.as_ref(), e.status)),
                "undocumented refusal {} {}", e.code, e.status
            );
        }
    }
}
