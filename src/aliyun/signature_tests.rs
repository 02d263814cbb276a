//! Unit tests of request authentication: SDK captures of both schemes, strict mode, client signing.

use super::*;
use crate::aliyun::encoding::{form_decode, pe};
use axum::http::{HeaderName, HeaderValue};

const AK: &str = "LTAI5tTESTKEYID00000001";
const SECRET: &str = "TestSecretKey0000000000000000A";
const ACCOUNT: &str = "1234567890123456";
const OTHER_AK: &str = "LTAI5tOTHERKEY000000002";
const OTHER_SECRET: &str = "OtherSecret";

// ---- requests copied byte for byte from the SDK captures (header lines end in "\n" there) ----

// Python classic StartInstance: POST, every parameter in the query, `SignatureType=` empty (capture python-classic, request 1).
const PY_CLASSIC_START: &str = r#"POST /?InstanceId=i-test1&Version=2014-05-26&Action=StartInstance&Format=JSON&RegionId=cn-beijing&Timestamp=2026-11-22T03%3A24%3A31Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=682f2e4cc899296cf47ebc6cf0e76c2a&AccessKeyId=LTAI5tTESTKEYID00000001&Signature=cFFWJ2lc52C%2Fw0t%2Fs4STvnwWoJ0%3D HTTP/1.1
Host: 127.0.0.1:18091
User-Agent: AlibabaCloud (Linux 6.18.44-fc-v669;x86_64) Python/3.11.7 Core/2.16.1 python-requests/2.18.3
Accept-Encoding: identity
Accept: */*
Connection: keep-alive
x-acs-action: StartInstance
x-acs-version: 2014-05-26
x-sdk-invoke-type: normal
x-sdk-client: python/2.0.0
Content-Length: 0

"#;

// Python classic CommonRequest with a body parameter: query and form body both signed (capture python-classic, request 14).
const PY_CLASSIC_BODY: &str = r#"POST /?InstanceId=i-test1&Version=2014-05-26&Action=StartInstance&Format=JSON&RegionId=cn-beijing&Timestamp=2026-11-22T03%3A24%3A32Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=bc03073776c1d8a7a07c358bed697fe5&AccessKeyId=LTAI5tTESTKEYID00000001&Signature=t0eydC%2FMhVY4nUL1HayDNrp6Arw%3D HTTP/1.1
Host: 127.0.0.1:18091
User-Agent: AlibabaCloud (Linux 6.18.44-fc-v669;x86_64) Python/3.11.7 Core/2.16.1 python-requests/2.18.3
Accept-Encoding: identity
Accept: */*
Connection: keep-alive
x-acs-action: StartInstance
x-acs-version: 2014-05-26
x-sdk-invoke-type: common
Content-Type: application/x-www-form-urlencoded
x-sdk-client: python/2.0.0
Content-MD5: /T65LqONsG+rrJbX+MyU3A==
Content-Length: 27

UserData=aGVsbG8gd29ybGQ%3D"#;

// Node pop-core POST: everything, Signature included, in the form body (capture node-popcore, request 2).
const POPCORE_POST_FORM: &str = r#"POST / HTTP/1.1
x-sdk-client: Node.js(v20.20.2), @alicloud/pop-core: 1.8.0
user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.8.0
x-acs-action: StartInstance
x-acs-version: 2014-05-26
content-type: application/x-www-form-urlencoded
Host: 127.0.0.1:18093
Connection: keep-alive
Content-Length: 277

AccessKeyId=LTAI5tTESTKEYID00000001&Action=StartInstance&Format=JSON&InstanceId=i-test1&SignatureMethod=HMAC-SHA1&SignatureNonce=a0323736f818a147f99b0a2bc43f16e6&SignatureVersion=1.0&Timestamp=2026-11-22T03%3A24%3A42Z&Version=2014-05-26&Signature=iyX0Ix61HEOxRMEU9brcDwHDUyw%3D"#;

// Node pop-core GET with spaces, sub-delimiters and UTF-8 in a value (capture node-popcore, request 3).
const POPCORE_GET_UTF8: &str = r#"GET /?AccessKeyId=LTAI5tTESTKEYID00000001&Action=CreateDiskReplicaPair&Bandwidth=10240&Description=desc%20with%20spaces%20%26%20symbols%20%2A~%27%28%29%21%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D&DestinationDiskId=d-dst&DestinationRegionId=cn-shanghai&DiskId=d-src&Format=JSON&PairName=mypair&RPO=900&RegionId=cn-beijing&SignatureMethod=HMAC-SHA1&SignatureNonce=6235828a455de046cd1b215ecb023e43&SignatureVersion=1.0&Timestamp=2026-11-22T03%3A24%3A42Z&Version=2014-05-26&Signature=RDiEthn6vUGmTV5uyAabX1ugaTQ%3D HTTP/1.1
x-sdk-client: Node.js(v20.20.2), @alicloud/pop-core: 1.8.0
user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.8.0
x-acs-action: CreateDiskReplicaPair
x-acs-version: 2014-05-26
Host: 127.0.0.1:18093
Connection: keep-alive

"#;

// Python Tea ACS3 StartInstance, empty body, accept and user-agent signed (capture python-tea, request 1).
const PY_TEA_START: &str = r#"POST /?InstanceId=i-test1 HTTP/1.1
Accept-Encoding: identity
host: 127.0.0.1:18092
x-acs-version: 2014-05-26
x-acs-action: StartInstance
user-agent: AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2
x-acs-date: 2026-11-22T03:24:39Z
x-acs-signature-nonce: 6c38a4c13fa8eb3901ea8563f48bf014
accept: application/json
x-acs-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-credentials-provider: static_ak
Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=c71e03b15d9d3de27b7b54b021a7c8f1b5b6ec11a9fe252a445a1f4fc2d28965
Content-Length: 0

"#;

// Python Tea ACS3 with `+` for space in the query (capture python-tea, request 2).
const PY_TEA_PLUS_QUERY: &str = r#"POST /?RegionId=cn-beijing&DiskId=d-src&DestinationDiskId=d-dst&DestinationRegionId=cn-shanghai&PairName=mypair&Description=desc+with+spaces+%26+symbols+%2A~%27%28%29%21%2F+%E4%B8%AD%E6%96%87+%C3%BC%2B%3D&Bandwidth=10240&RPO=900 HTTP/1.1
Accept-Encoding: identity
host: 127.0.0.1:18092
x-acs-version: 2014-05-26
x-acs-action: CreateDiskReplicaPair
user-agent: AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2
x-acs-date: 2026-11-22T03:24:39Z
x-acs-signature-nonce: e729e711ee695e97ee3bf6ef69be3cf9
accept: application/json
x-acs-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-credentials-provider: static_ak
Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=c723f511f5b830a246934ff35f0e31435e036239a2da8ee0c04edb21eae9b3ad
Content-Length: 0

"#;

// Python Tea ACS3 with a form body; content-type signed (capture python-tea, request 15).
const PY_TEA_FORM: &str = r#"POST /?RegionId=cn-beijing HTTP/1.1
Accept-Encoding: identity
host: 127.0.0.1:18092
x-acs-version: 2014-05-26
x-acs-action: StartInstance
user-agent: AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2
x-acs-date: 2026-11-22T03:24:39Z
x-acs-signature-nonce: 0ee5a2d2a906594aeacb93fff81c5a93
accept: application/json
content-type: application/x-www-form-urlencoded
x-acs-content-sha256: 333b37e5d15fff35771b0734f2a1250dae21fdcadd697660a54aa63a829f2b8c
x-acs-credentials-provider: static_ak
Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=d64b01d56dbf1909066f742eaa9a9e3f03d5b438bee5182ede9761f7f4e2f065
Content-Length: 50

InstanceId=i-test1&Tag.1.Key=a+b&Tag.1.Value=x%2Ay"#;

// Python Tea in v2 mode (RPC HMAC-SHA1), `Format=json`, `+` for space (capture python-tea, request 18).
const PY_TEA_V2: &str = r#"POST /?Action=CreateDiskReplicaPair&Format=json&Version=2014-05-26&Timestamp=2026-11-22T03%3A24%3A39Z&SignatureNonce=5c6e893555798a156171269f74614d76&RegionId=cn-beijing&DiskId=d-src&DestinationDiskId=d-dst&DestinationRegionId=cn-shanghai&PairName=mypair&Description=desc+with+spaces+%26+symbols+%2A~%27%28%29%21%2F+%E4%B8%AD%E6%96%87+%C3%BC%2B%3D&Bandwidth=10240&RPO=900&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=LTAI5tTESTKEYID00000001&Signature=fSOHqbJ9KE6lct336nzNU2ChxMM%3D HTTP/1.1
Accept-Encoding: identity
host: 127.0.0.1:18092
x-acs-version: 2014-05-26
x-acs-action: CreateDiskReplicaPair
user-agent: AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2
x-acs-credentials-provider: static_ak
Content-Length: 0

"#;

// Node Tea ACS3 with `*'()!` left raw in the query (capture node-tea, request 2).
const NODE_TEA_RAW_SUBDELIMS: &str = r#"POST /?RegionId=cn-beijing&DiskId=d-src&DestinationDiskId=d-dst&DestinationRegionId=cn-shanghai&PairName=mypair&Description=desc%20with%20spaces%20%26%20symbols%20*~%27()!%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D&Bandwidth=10240&RPO=900 HTTP/1.1
host: 127.0.0.1:18094
x-acs-version: 2014-05-26
x-acs-action: CreateDiskReplicaPair
user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2
x-acs-date: 2026-11-22T03:24:45Z
x-acs-signature-nonce: 5a5db1bade0f1dace4b20e6bec9d3534bdacee8a063021c1dfc32e1e09b4d53c
accept: application/json
x-acs-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-credentials-provider: static_ak
Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=0e52be38b6467191504dfa6404ad6ff133d2eb0835f618664332dac03cb6db65
Connection: keep-alive
Content-Length: 0

"#;

// Node Tea ACS3 with a chunked form body (shown de-chunked) (capture node-tea, request 11).
const NODE_TEA_CHUNKED_FORM: &str = r#"POST /?RegionId=cn-beijing HTTP/1.1
host: 127.0.0.1:18094
x-acs-version: 2014-05-26
x-acs-action: StartInstance
user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2
x-acs-date: 2026-11-22T03:24:46Z
x-acs-signature-nonce: 80c83779ad6a2d6dcb8e292948bab2249a032cdcd648d71037f8b3ecbdce7b50
accept: application/json
content-type: application/x-www-form-urlencoded
x-acs-content-sha256: 3fe112a1a635806829b086f7356337428d262777ae81d98eef94e537ea1d382d
x-acs-credentials-provider: static_ak
Authorization: ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=ba940272503b54bb94004d2ed951277f75c078ae1100d08a654db60bdf659065
Connection: keep-alive
Transfer-Encoding: chunked

InstanceId=i-test1&Tag.1.Key=a%20b&Tag.1.Value=x*y"#;

// Node Tea in v2 mode (RPC HMAC-SHA1), 64-hex nonce (capture node-tea, request 14).
const NODE_TEA_V2: &str = r#"POST /?Action=CreateDiskReplicaPair&Format=json&Version=2014-05-26&Timestamp=2026-11-22T03%3A24%3A46Z&SignatureNonce=c949ade2edad77c3c2ff94803b3e6142ef37db7e32aed12845dade5edc96c4cb&RegionId=cn-beijing&DiskId=d-src&DestinationDiskId=d-dst&DestinationRegionId=cn-shanghai&PairName=mypair&Description=desc%20with%20spaces%20%26%20symbols%20*~%27()!%2F%20%E4%B8%AD%E6%96%87%20%C3%BC%2B%3D&Bandwidth=10240&RPO=900&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=LTAI5tTESTKEYID00000001&Signature=ZIb97lZEMkjg43G%2F2PpvzEeq41g%3D HTTP/1.1
host: 127.0.0.1:18094
x-acs-version: 2014-05-26
x-acs-action: CreateDiskReplicaPair
user-agent: AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2
x-acs-credentials-provider: static_ak
Connection: keep-alive
Content-Length: 0

"#;

/// A captured request and when it was signed (its Timestamp / x-acs-date, Unix seconds,
/// computed independently of the code under test).
struct Case {
    name: &'static str,
    raw: &'static str,
    signed_at: i64,
    acs3: bool,
}

const CASES: [Case; 11] = [
    Case {
        name: "python-classic StartInstance",
        raw: PY_CLASSIC_START,
        signed_at: 1_795_317_871,
        acs3: false,
    },
    Case {
        name: "python-classic query + form body",
        raw: PY_CLASSIC_BODY,
        signed_at: 1_795_317_872,
        acs3: false,
    },
    Case {
        name: "node-popcore POST form",
        raw: POPCORE_POST_FORM,
        signed_at: 1_795_317_882,
        acs3: false,
    },
    Case {
        name: "node-popcore GET utf-8",
        raw: POPCORE_GET_UTF8,
        signed_at: 1_795_317_882,
        acs3: false,
    },
    Case {
        name: "python-tea ACS3 StartInstance",
        raw: PY_TEA_START,
        signed_at: 1_795_317_879,
        acs3: true,
    },
    Case {
        name: "python-tea ACS3 plus in query",
        raw: PY_TEA_PLUS_QUERY,
        signed_at: 1_795_317_879,
        acs3: true,
    },
    Case {
        name: "python-tea ACS3 form body",
        raw: PY_TEA_FORM,
        signed_at: 1_795_317_879,
        acs3: true,
    },
    Case {
        name: "python-tea v2",
        raw: PY_TEA_V2,
        signed_at: 1_795_317_879,
        acs3: false,
    },
    Case {
        name: "node-tea ACS3 raw sub-delims",
        raw: NODE_TEA_RAW_SUBDELIMS,
        signed_at: 1_795_317_885,
        acs3: true,
    },
    Case {
        name: "node-tea ACS3 chunked form",
        raw: NODE_TEA_CHUNKED_FORM,
        signed_at: 1_795_317_886,
        acs3: true,
    },
    Case {
        name: "node-tea v2",
        raw: NODE_TEA_V2,
        signed_at: 1_795_317_886,
        acs3: false,
    },
];

/// A request decoded the way the HTTP layer decodes it.
#[derive(Clone)]
struct Req {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Req {
    /// Parses "request line \n headers \n\n body".
    fn parse(raw: &str) -> Self {
        let (head, body) = raw
            .split_once("\n\n")
            .expect("blank line after the headers");
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap().split(' ');
        let method = request_line.next().unwrap().to_owned();
        let target = request_line.next().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.trim().to_owned(), value.trim().to_owned())
            })
            .collect();
        Self::new(
            &method,
            path,
            form_decode(query.as_bytes()).unwrap(),
            &headers,
            body.as_bytes(),
        )
    }

    /// Builds a request; the body is decoded as a form when the content-type says so.
    fn new(
        method: &str,
        path: &str,
        query: Vec<(String, String)>,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Self {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let is_form = map.get("content-type").is_some_and(|v| {
            v.to_str()
                .unwrap()
                .starts_with("application/x-www-form-urlencoded")
        });
        let form = if is_form {
            form_decode(body).unwrap()
        } else {
            Vec::new()
        };
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query,
            form,
            headers: map,
            body: body.to_vec(),
        }
    }

    fn parts(&self) -> SignedParts<'_> {
        SignedParts {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            form: &self.form,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn verify(&self, verifier: &Verifier, now: i64) -> Result<Identity, ApiError> {
        verifier.verify(&self.parts(), now)
    }

    /// Sets the first `name` parameter (query, then form) to `value`.
    fn set_param(&mut self, name: &str, value: &str) {
        let pair = self
            .query
            .iter_mut()
            .chain(self.form.iter_mut())
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no parameter {name}"));
        pair.1 = value.to_owned();
    }

    fn set_header(&mut self, name: &'static str, value: &str) {
        self.headers
            .insert(name, HeaderValue::from_str(value).unwrap());
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn keyring() -> Keyring {
    Keyring::new([
        AccessKey {
            id: AK.into(),
            secret: SECRET.into(),
            account: ACCOUNT.into(),
        },
        AccessKey {
            id: OTHER_AK.into(),
            secret: OTHER_SECRET.into(),
            account: "2".into(),
        },
    ])
}

fn strict() -> Verifier {
    Verifier::new(AuthMode::Strict, keyring())
}

fn permissive() -> Verifier {
    Verifier::new(AuthMode::Permissive, keyring())
}

fn known() -> Identity {
    Identity::Key {
        access_key_id: AK.into(),
        account: ACCOUNT.into(),
    }
}

#[track_caller]
fn assert_code(result: Result<Identity, ApiError>, code: ErrorCode) -> ApiError {
    let err = result.expect_err("expected an error");
    assert_eq!(
        (err.code.as_ref(), err.status),
        (code.code(), code.status()),
        "{err:?}"
    );
    err
}

/// Changes something every case signs: the version for RPC, the action header for ACS3.
fn tamper(case: &Case, req: &mut Req) {
    if case.acs3 {
        req.set_header("x-acs-action", "StopInstance");
    } else {
        req.set_param("Version", "2021-07-30");
    }
}

// ---- known answers from the captures ----

#[test]
fn captured_requests_verify_in_both_modes() {
    for case in &CASES {
        let req = Req::parse(case.raw);
        assert_eq!(
            req.verify(&permissive(), case.signed_at),
            Ok(known()),
            "{}",
            case.name
        );
        assert_eq!(
            req.verify(&strict(), case.signed_at + 30),
            Ok(known()),
            "{}",
            case.name
        );
    }
}

#[test]
fn captured_requests_fail_after_an_edit() {
    for case in &CASES {
        let mut req = Req::parse(case.raw);
        tamper(case, &mut req);
        for verifier in [permissive(), strict()] {
            let err = assert_code(
                req.verify(&verifier, case.signed_at),
                ErrorCode::SignatureDoesNotMatch,
            );
            assert!(
                err.message.starts_with(MISMATCH_PREFIX),
                "{}: {}",
                case.name,
                err.message
            );
        }
    }
}

#[test]
fn captured_requests_fail_with_a_wrong_secret() {
    let wrong = Keyring::new([AccessKey {
        id: AK.into(),
        secret: "nope".into(),
        account: ACCOUNT.into(),
    }]);
    for case in &CASES {
        let req = Req::parse(case.raw);
        for mode in [AuthMode::Permissive, AuthMode::Strict] {
            let verifier = Verifier::new(mode, wrong.clone());
            assert_code(
                req.verify(&verifier, case.signed_at),
                ErrorCode::SignatureDoesNotMatch,
            );
        }
    }
}

#[test]
fn mismatch_message_carries_the_rpc_string_to_sign() {
    let mut req = Req::parse(PY_CLASSIC_START);
    req.set_param("Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let err = assert_code(
        req.verify(&permissive(), 0),
        ErrorCode::SignatureDoesNotMatch,
    );
    assert_eq!(
        err.message,
        format!(
            "{MISMATCH_PREFIX}POST&%2F&AccessKeyId%3DLTAI5tTESTKEYID00000001%26Action%3DStartInstance\
                 %26Format%3DJSON%26InstanceId%3Di-test1%26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1\
                 %26SignatureNonce%3D682f2e4cc899296cf47ebc6cf0e76c2a%26SignatureType%3D%26SignatureVersion%3D1.0\
                 %26Timestamp%3D2026-11-22T03%253A24%253A31Z%26Version%3D2014-05-26"
        )
    );
}

#[test]
fn mismatch_message_carries_the_acs3_string_to_sign() {
    for (raw, hash) in [
        (
            PY_TEA_START,
            "3f46d994079a63cad7d33e8447d329fdf6893763f3fd0c511767822b9dbb1f1a",
        ),
        (
            NODE_TEA_CHUNKED_FORM,
            "48aeaf0658dc064c7cda6ffe0388fe028d9b3125b2fa4c6169945b7fcfc022a3",
        ),
    ] {
        let mut req = Req::parse(raw);
        let auth = req.headers["authorization"].to_str().unwrap();
        let forged = format!("{}{}", &auth[..auth.len() - 64], "0".repeat(64));
        req.set_header("authorization", &forged);
        let err = assert_code(
            req.verify(&permissive(), 0),
            ErrorCode::SignatureDoesNotMatch,
        );
        assert_eq!(
            err.message,
            format!("{MISMATCH_PREFIX}ACS3-HMAC-SHA256\n{hash}")
        );
    }
}

#[test]
fn acs3_body_edit_is_caught_by_the_body_hash() {
    for raw in [PY_TEA_FORM, NODE_TEA_CHUNKED_FORM] {
        let mut req = Req::parse(raw);
        req.body = b"InstanceId=i-other".to_vec();
        req.form = form_decode(&req.body).unwrap();
        let err = assert_code(
            req.verify(&permissive(), 0),
            ErrorCode::SignatureDoesNotMatch,
        );
        assert!(
            err.message.contains("x-acs-content-sha256"),
            "{}",
            err.message
        );
    }
}

#[test]
fn acs3_query_edit_and_unsigned_header_edit() {
    let mut req = Req::parse(PY_TEA_START);
    req.set_param("InstanceId", "i-test2");
    assert_code(
        req.verify(&permissive(), 0),
        ErrorCode::SignatureDoesNotMatch,
    );

    let mut req = Req::parse(NODE_TEA_RAW_SUBDELIMS);
    req.query.push(("Extra".into(), "1".into()));
    assert_code(
        req.verify(&permissive(), 0),
        ErrorCode::SignatureDoesNotMatch,
    );

    // Node Tea does not sign user-agent or accept; a proxy may change them freely.
    let mut req = Req::parse(NODE_TEA_RAW_SUBDELIMS);
    req.set_header("user-agent", "something else");
    req.set_header("accept", "*/*");
    assert_eq!(req.verify(&permissive(), 0), Ok(known()));
    // Python Tea does sign them.
    let mut req = Req::parse(PY_TEA_START);
    req.set_header("user-agent", "something else");
    assert_code(
        req.verify(&permissive(), 0),
        ErrorCode::SignatureDoesNotMatch,
    );
}

#[test]
fn rpc_form_parameters_are_signed() {
    // In pop-core's POST and the classic body request, editing the body breaks the signature.
    for raw in [POPCORE_POST_FORM, PY_CLASSIC_BODY] {
        let mut req = Req::parse(raw);
        let last = req.form.len() - 1;
        req.form[last].1.push('x');
        assert_code(
            req.verify(&permissive(), 0),
            ErrorCode::SignatureDoesNotMatch,
        );
    }
}

// ---- strict mode ----

#[test]
fn strict_refuses_a_replay() {
    for case in &CASES {
        let verifier = strict();
        let req = Req::parse(case.raw);
        assert_eq!(
            req.verify(&verifier, case.signed_at),
            Ok(known()),
            "{}",
            case.name
        );
        assert_code(
            req.verify(&verifier, case.signed_at + 60),
            ErrorCode::SignatureNonceUsed,
        );
    }
}

#[test]
fn strict_refuses_stale_and_future_timestamps() {
    for case in &CASES {
        let req = Req::parse(case.raw);
        assert_code(
            req.verify(&strict(), case.signed_at + 15 * 60 + 1),
            ErrorCode::TimestampExpired,
        );
        assert_code(
            req.verify(&strict(), case.signed_at - 15 * 60 - 1),
            ErrorCode::TimestampExpired,
        );
        assert_eq!(
            req.verify(&strict(), case.signed_at + 15 * 60),
            Ok(known()),
            "{}",
            case.name
        );
        assert_eq!(
            req.verify(&strict(), case.signed_at - 15 * 60),
            Ok(known()),
            "{}",
            case.name
        );
    }
}

#[test]
fn strict_refuses_an_unknown_key_with_404() {
    let ring = Keyring::new([AccessKey {
        id: OTHER_AK.into(),
        secret: OTHER_SECRET.into(),
        account: "2".into(),
    }]);
    for case in &CASES {
        let req = Req::parse(case.raw);
        let err = assert_code(
            req.verify(
                &Verifier::new(AuthMode::Strict, ring.clone()),
                case.signed_at,
            ),
            ErrorCode::AccessKeyNotFound,
        );
        assert_eq!(
            (err.code.as_ref(), err.status),
            ("InvalidAccessKeyId.NotFound", 404)
        );
    }
}

#[test]
fn strict_refuses_unsigned_requests() {
    let req = Req::parse("POST /?InstanceId=i-test1 HTTP/1.1\nhost: 127.0.0.1:1\n\n");
    let err = assert_code(req.verify(&strict(), 0), ErrorCode::MissingAccessKeyId);
    assert_eq!(err.status, 400);
    let req = Req::parse(
        "GET /?InstanceId=i-test1&AccessKeyId=LTAI5tTESTKEYID00000001 HTTP/1.1\nhost: h\n\n",
    );
    assert_code(req.verify(&strict(), 0), ErrorCode::MissingSignature);
    // A non-ACS3 Authorization header is not a signature.
    let req = Req::parse("POST / HTTP/1.1\nAuthorization: Bearer x\n\n");
    assert_code(req.verify(&strict(), 0), ErrorCode::MissingAccessKeyId);
}

#[test]
fn strict_rpc_requires_a_signed_key_id() {
    let mut params = pairs(&[("Action", "StartInstance")]);
    sign_rpc("GET", &mut params, AK, SECRET, "n1", "2026-11-22T03:24:31Z");
    params.retain(|(k, _)| k != "AccessKeyId");
    let req = Req::new("GET", "/", params, &[], b"");
    assert_code(
        req.verify(&strict(), 1_795_317_871),
        ErrorCode::MissingAccessKeyId,
    );
    assert_eq!(
        req.verify(&permissive(), 1_795_317_871),
        Ok(Identity::Anonymous)
    );
}

/// Recomputes `Signature` over the current parameters (to build requests sign_rpc would not).
fn resign_rpc(params: &mut Vec<(String, String)>, secret: &str) {
    params.retain(|(k, _)| k != "Signature");
    let sts = rpc_string_to_sign("GET", params.iter());
    let sig = BASE64_STANDARD.encode(rpc_mac(secret, &sts).finalize().into_bytes());
    params.push(("Signature".into(), sig));
}

fn signed_rpc(nonce: &str, timestamp: &str) -> Vec<(String, String)> {
    let mut params = pairs(&[
        ("Action", "StartInstance"),
        ("InstanceId", "i-1"),
        ("Version", "2014-05-26"),
    ]);
    sign_rpc("GET", &mut params, AK, SECRET, nonce, timestamp);
    params
}

const T0: &str = "2026-11-22T03:24:31Z";
const T0_UNIX: i64 = 1_795_317_871;

#[test]
fn strict_rpc_missing_or_malformed_freshness_fields() {
    let cases: [(&str, Option<&str>, ErrorCode); 5] = [
        ("Timestamp", None, ErrorCode::MissingTimestamp),
        ("SignatureNonce", None, ErrorCode::MissingSignatureNonce),
        (
            "Timestamp",
            Some("2026-11-22 03:24:31"),
            ErrorCode::TimestampFormat,
        ),
        (
            "Timestamp",
            Some("2026-11-22T03:24Z"),
            ErrorCode::TimestampFormat,
        ),
        ("Timestamp", Some("1795317871"), ErrorCode::TimestampFormat),
    ];
    for (name, value, code) in cases {
        let mut params = signed_rpc("n-fresh", T0);
        match value {
            None => params.retain(|(k, _)| k != name),
            Some(v) => params
                .iter_mut()
                .filter(|(k, _)| k == name)
                .for_each(|p| p.1 = v.to_owned()),
        }
        resign_rpc(&mut params, SECRET);
        let req = Req::new("GET", "/", params, &[], b"");
        assert_code(req.verify(&strict(), T0_UNIX), code);
        // Permissive mode does not look at freshness at all.
        assert_eq!(req.verify(&permissive(), T0_UNIX), Ok(known()));
    }
}

#[test]
fn strict_refuses_an_overlong_nonce_before_remembering_it() {
    let at_limit = "n".repeat(MAX_NONCE_LEN);
    let req = Req::new("GET", "/", signed_rpc(&at_limit, T0), &[], b"");
    let verifier = strict();
    assert_eq!(req.verify(&verifier, T0_UNIX), Ok(known()));
    let over = "n".repeat(MAX_NONCE_LEN + 1);
    let req = Req::new("GET", "/", signed_rpc(&over, T0), &[], b"");
    let err = assert_code(req.verify(&verifier, T0_UNIX), ErrorCode::InvalidParameter);
    assert_eq!(
        err.message,
        "The specified parameter SignatureNonce is not valid: it is longer than 128 characters."
    );
    assert_eq!(verifier.nonces.lock().unwrap().seen.len(), 1);
    // ACS3 names its header.
    let mut headers = acs3_headers(&over);
    sign_acs3("POST", &[], &mut headers, b"", AK, SECRET);
    let req = Req::new("POST", "/", Vec::new(), &headers, b"");
    let err = assert_code(req.verify(&verifier, T0_UNIX), ErrorCode::InvalidParameter);
    assert!(
        err.message.contains("x-acs-signature-nonce"),
        "{}",
        err.message
    );
    // Permissive mode keeps no nonces, so it has no reason to refuse one.
    let req = Req::new("GET", "/", signed_rpc(&over, T0), &[], b"");
    assert_eq!(req.verify(&permissive(), T0_UNIX), Ok(known()));
}

#[test]
fn remembered_nonces_are_fixed_size_digests() {
    let mut cache = NonceCache::default();
    let long = "x".repeat(100_000);
    assert!(cache.first_use(&long, 1000));
    assert!(!cache.first_use(&long, 1001));
    assert!(cache.first_use(&long[1..], 1001));
    assert_eq!(std::mem::size_of_val(cache.seen.iter().next().unwrap()), 16);
}

#[test]
fn rpc_refuses_other_signature_methods() {
    for (name, value) in [
        ("SignatureMethod", "HMAC-SHA256"),
        ("SignatureVersion", "2.0"),
    ] {
        let mut params = signed_rpc("n-method", T0);
        params
            .iter_mut()
            .filter(|(k, _)| k == name)
            .for_each(|p| p.1 = value.to_owned());
        resign_rpc(&mut params, SECRET);
        let req = Req::new("GET", "/", params, &[], b"");
        for verifier in [permissive(), strict()] {
            assert_code(
                req.verify(&verifier, T0_UNIX),
                ErrorCode::InvalidSignatureMethod,
            );
        }
    }
}

#[test]
fn a_forged_request_does_not_burn_the_nonce() {
    let verifier = strict();
    let genuine = signed_rpc("shared-nonce", T0);
    let mut forged = genuine.clone();
    forged
        .iter_mut()
        .filter(|(k, _)| k == "InstanceId")
        .for_each(|p| p.1 = "i-victim".into());
    let forged = Req::new("GET", "/", forged, &[], b"");
    assert_code(
        forged.verify(&verifier, T0_UNIX),
        ErrorCode::SignatureDoesNotMatch,
    );
    let genuine = Req::new("GET", "/", genuine, &[], b"");
    assert_eq!(genuine.verify(&verifier, T0_UNIX), Ok(known()));
}

#[test]
fn nonces_are_per_key() {
    let verifier = strict();
    let mine = Req::new("GET", "/", signed_rpc("same", T0), &[], b"");
    let mut theirs = pairs(&[("Action", "StartInstance")]);
    sign_rpc("GET", &mut theirs, OTHER_AK, OTHER_SECRET, "same", T0);
    let theirs = Req::new("GET", "/", theirs, &[], b"");
    assert_eq!(mine.verify(&verifier, T0_UNIX), Ok(known()));
    assert!(matches!(
        theirs.verify(&verifier, T0_UNIX),
        Ok(Identity::Key { .. })
    ));
    assert_code(
        mine.verify(&verifier, T0_UNIX),
        ErrorCode::SignatureNonceUsed,
    );
}

#[test]
fn concurrent_replays_admit_exactly_one() {
    let verifier = strict();
    let req = Req::parse(PY_TEA_START);
    let admitted = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| req.verify(&verifier, 1_795_317_879).is_ok()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count()
    });
    assert_eq!(admitted, 1);
}

#[test]
fn nonce_cache_forgets_after_the_window() {
    let mut cache = NonceCache::default();
    assert!(cache.first_use("a", 1000));
    assert!(!cache.first_use("a", 1000 + FRESHNESS_WINDOW_SECS - 1));
    assert!(cache.first_use("b", 1000 + FRESHNESS_WINDOW_SECS - 1));
    assert!(cache.first_use("a", 1000 + FRESHNESS_WINDOW_SECS));
    assert_eq!(cache.seen.len(), 2);
    // Everything goes once the window has passed for all of it.
    assert!(cache.first_use("c", 1000 + 3 * FRESHNESS_WINDOW_SECS));
    assert_eq!((cache.seen.len(), cache.order.len()), (1, 1));
}

#[test]
fn nonce_cache_tolerates_a_clock_going_backwards() {
    let mut cache = NonceCache::default();
    assert!(cache.first_use("a", 5000));
    assert!(cache.first_use("b", 100));
    assert!(!cache.first_use("b", 100 + FRESHNESS_WINDOW_SECS));
    assert!(cache.first_use("b", 5000 + FRESHNESS_WINDOW_SECS));
}

#[test]
fn strict_acs3_missing_or_malformed_freshness_headers() {
    let cases: [(&str, Option<&str>, ErrorCode, &str); 3] = [
        (
            "x-acs-date",
            None,
            ErrorCode::MissingTimestamp,
            "x-acs-date is mandatory for this action.",
        ),
        (
            "x-acs-signature-nonce",
            None,
            ErrorCode::MissingSignatureNonce,
            "x-acs-signature-nonce is mandatory for this action.",
        ),
        (
            "x-acs-date",
            Some("Sun, 22 Nov 2026 03:24:31 GMT"),
            ErrorCode::TimestampFormat,
            ErrorCode::TimestampFormat.message(),
        ),
    ];
    for (name, value, code, message) in cases {
        let mut headers = acs3_headers("n-acs3");
        headers.retain(|(k, _)| k != name);
        if let Some(v) = value {
            headers.push((name.to_owned(), v.to_owned()));
        }
        sign_acs3("POST", &[], &mut headers, b"", AK, SECRET);
        let req = Req::new("POST", "/", Vec::new(), &headers, b"");
        let err = assert_code(req.verify(&strict(), T0_UNIX), code);
        assert_eq!(err.message, message);
        assert_eq!(req.verify(&permissive(), T0_UNIX), Ok(known()));
    }
}

// ---- permissive mode ----

#[test]
fn permissive_serves_unsigned_and_unknown_keys_anonymously() {
    let req = Req::parse("POST /?InstanceId=i-test1 HTTP/1.1\nhost: 127.0.0.1:1\n\n");
    assert_eq!(req.verify(&permissive(), 0), Ok(Identity::Anonymous));
    let nobody = Verifier::new(AuthMode::Permissive, Keyring::default());
    for case in &CASES {
        let req = Req::parse(case.raw);
        assert_eq!(
            req.verify(&nobody, case.signed_at),
            Ok(Identity::Anonymous),
            "{}",
            case.name
        );
        // Even a broken signature is not checked for a key the emulator does not know.
        let mut edited = req.clone();
        tamper(case, &mut edited);
        assert_eq!(
            edited.verify(&nobody, case.signed_at),
            Ok(Identity::Anonymous)
        );
    }
}

#[test]
fn permissive_skips_freshness_and_replay_checks() {
    let verifier = permissive();
    for case in &CASES {
        let req = Req::parse(case.raw);
        assert_eq!(req.verify(&verifier, case.signed_at), Ok(known()));
        assert_eq!(
            req.verify(&verifier, case.signed_at + 86_400),
            Ok(known()),
            "{}",
            case.name
        );
    }
}

// ---- ACS3 header parsing ----

#[test]
fn malformed_acs3_authorization_is_incomplete() {
    for auth in [
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 ",
        "ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,Signature=00",
        "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=00",
        "ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=host",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=00",
        "ACS3-HMAC-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=host,Signature",
    ] {
        let req = Req::new(
            "POST",
            "/",
            Vec::new(),
            &pairs(&[("authorization", auth)]),
            b"",
        );
        for verifier in [permissive(), strict()] {
            assert_code(req.verify(&verifier, 0), ErrorCode::IncompleteSignature);
        }
    }
}

#[test]
fn acs3_authorization_tolerates_blanks_after_commas() {
    let mut req = Req::parse(PY_TEA_START);
    let spaced = req.headers["authorization"]
        .to_str()
        .unwrap()
        .replace(',', ", ");
    req.set_header("authorization", &spaced);
    assert_eq!(req.verify(&strict(), 1_795_317_879), Ok(known()));
}

#[test]
fn other_acs3_algorithms_are_refused_for_known_keys() {
    let auth = "ACS3-RSA-SHA256 Credential=LTAI5tTESTKEYID00000001,SignedHeaders=host,Signature=00";
    let req = Req::new(
        "POST",
        "/",
        Vec::new(),
        &pairs(&[("authorization", auth), ("host", "h")]),
        b"",
    );
    assert_code(
        req.verify(&permissive(), 0),
        ErrorCode::InvalidSignatureMethod,
    );
    let nobody = Verifier::new(AuthMode::Permissive, Keyring::default());
    assert_eq!(req.verify(&nobody, 0), Ok(Identity::Anonymous));
}

/// Signs by hand with exactly `signed` as SignedHeaders and no x-acs-content-sha256 header
/// (requests the helpers would never produce).
fn manual_acs3(signed: &str, body: &[u8]) -> Req {
    let mut headers = acs3_headers("n-manual");
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let sts = acs3_string_to_sign(
        Acs3Algorithm::HmacSha256,
        "POST",
        "/",
        &[],
        signed,
        |name| {
            headers
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| Cow::Borrowed(v.as_str()))
                .collect()
        },
        &Acs3Algorithm::HmacSha256.hash_hex(body),
    );
    let sig = hex::encode(Acs3Algorithm::HmacSha256.mac(SECRET, &sts));
    headers.push((
        "Authorization".into(),
        format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={signed},Signature={sig}"),
    ));
    Req::new("POST", "/", Vec::new(), &headers, body)
}

#[test]
fn acs3_without_a_content_sha256_header_hashes_the_body() {
    let signed = "content-type;host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version";
    let req = manual_acs3(signed, b"InstanceId=i-1&Tag.1.Key=a+b");
    assert_eq!(req.verify(&strict(), T0_UNIX), Ok(known()));
    let mut edited = req.clone();
    edited.body.push(b'x');
    assert_code(
        edited.verify(&strict(), T0_UNIX),
        ErrorCode::SignatureDoesNotMatch,
    );
}

#[test]
fn acs3_requires_date_and_nonce_to_be_signed() {
    for signed in [
        "host;x-acs-action;x-acs-date;x-acs-version",
        "host;x-acs-action;x-acs-signature-nonce;x-acs-version",
    ] {
        let req = manual_acs3(signed, b"");
        for verifier in [strict(), permissive()] {
            let err = assert_code(
                req.verify(&verifier, T0_UNIX),
                ErrorCode::IncompleteSignature,
            );
            assert!(
                err.message.contains("must be among the SignedHeaders"),
                "{}",
                err.message
            );
        }
    }
}

#[test]
fn acs3_host_and_every_acs_header_must_be_signed() {
    let all = "content-type;host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version";
    assert_eq!(
        manual_acs3(all, b"").verify(&strict(), T0_UNIX),
        Ok(known())
    );
    for (signed, unsigned) in [
        (
            "content-type;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version",
            "host",
        ),
        (
            "content-type;host;x-acs-date;x-acs-signature-nonce;x-acs-version",
            "x-acs-action",
        ),
        (
            "content-type;host;x-acs-action;x-acs-date;x-acs-signature-nonce",
            "x-acs-version",
        ),
    ] {
        let req = manual_acs3(signed, b"");
        for verifier in [strict(), permissive()] {
            let err = assert_code(
                req.verify(&verifier, T0_UNIX),
                ErrorCode::IncompleteSignature,
            );
            assert!(
                err.message.ends_with(&format!("{unsigned} is not.")),
                "{}",
                err.message
            );
        }
        // An unknown key in permissive mode is served anonymously, unchecked.
        let nobody = Verifier::new(AuthMode::Permissive, Keyring::default());
        assert_eq!(req.verify(&nobody, T0_UNIX), Ok(Identity::Anonymous));
    }
    // A header added after signing, whatever its case on the wire.
    let mut req = manual_acs3(all, b"");
    req.headers.insert(
        HeaderName::from_static("x-acs-security-token"),
        HeaderValue::from_static("t"),
    );
    assert_code(
        req.verify(&permissive(), T0_UNIX),
        ErrorCode::IncompleteSignature,
    );
}

#[test]
fn captured_rpc_requests_are_recognised_as_rpc_signed() {
    for case in &CASES {
        let req = Req::parse(case.raw);
        assert_eq!(is_rpc_signed(&req.parts()), !case.acs3, "{}", case.name);
    }
    let unsigned = Req::parse("POST /?Action=StartInstance HTTP/1.1\nhost: h\n\n");
    assert!(!is_rpc_signed(&unsigned.parts()));
}

#[test]
fn acs3_odd_signed_header_names_do_not_panic() {
    // Names that are not valid header names, or absent headers, sign as empty values.
    let signed = "bad name;content-type;host;x-absent;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version";
    let req = manual_acs3(signed, b"");
    assert_eq!(req.verify(&strict(), T0_UNIX), Ok(known()));
}

// ---- round trips through the client helpers ----

const TRICKY: &str = "desc with spaces & symbols *~'()!/ 中文 ü+=%";

/// What a client puts on the wire: `pe` on both sides (`plus` writes spaces as `+`).
fn wire(pairs: &[(String, String)], plus: bool) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
        .collect();
    let joined = encoded.join("&");
    if plus {
        joined.replace("%20", "+")
    } else {
        joined
    }
}

#[test]
fn sign_rpc_round_trips_through_query_and_form() {
    let mut params = pairs(&[
        ("Action", "CreateDiskReplicaPair"),
        ("Description", TRICKY),
        ("Tag.1.Key", "a b"),
        ("Empty", ""),
        ("AccessKeyId", "replaced"),
    ]);
    sign_rpc("post", &mut params, AK, SECRET, "n-round", T0);
    assert_eq!(params.iter().filter(|(k, _)| k == "AccessKeyId").count(), 1);
    assert_eq!(params.last().map(|(k, _)| k.as_str()), Some("Signature"));

    for plus in [false, true] {
        // All in the query.
        let query = form_decode(wire(&params, plus).as_bytes()).unwrap();
        let req = Req::new("POST", "/", query, &[], b"");
        assert_eq!(req.verify(&strict(), T0_UNIX), Ok(known()));

        // Split between the query and a form body.
        let (front, back) = params.split_at(3);
        let query = form_decode(wire(front, plus).as_bytes()).unwrap();
        let headers = pairs(&[("content-type", "application/x-www-form-urlencoded")]);
        let req = Req::new("POST", "/", query, &headers, wire(back, plus).as_bytes());
        assert_eq!(req.verify(&permissive(), T0_UNIX), Ok(known()));
    }
    // GET signs differently from POST.
    let req = Req::new("GET", "/", params, &[], b"");
    assert_code(
        req.verify(&permissive(), T0_UNIX),
        ErrorCode::SignatureDoesNotMatch,
    );
}

fn acs3_headers(nonce: &str) -> Vec<(String, String)> {
    pairs(&[
        ("host", "127.0.0.1:18090"),
        ("x-acs-action", "CreateDiskReplicaPair"),
        ("x-acs-version", "2021-07-30"),
        ("x-acs-date", T0),
        ("x-acs-signature-nonce", nonce),
        ("user-agent", "test"),
    ])
}

#[test]
fn sign_acs3_round_trips() {
    let query = pairs(&[
        ("RegionId", "cn-beijing"),
        ("Description", TRICKY),
        ("A", ""),
    ]);
    let body = wire(&pairs(&[("InstanceId", "i-1"), ("Name", TRICKY)]), true);
    let mut headers = acs3_headers("n-acs3-round");
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    headers.push(("x-acs-content-sha256".into(), "stale".into()));
    sign_acs3("POST", &query, &mut headers, body.as_bytes(), AK, SECRET);
    let auth = &headers.last().unwrap().1;
    assert!(auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=")), "{auth}");

    let wire_query = form_decode(wire(&query, false).as_bytes()).unwrap();
    let req = Req::new("POST", "/", wire_query, &headers, body.as_bytes());
    assert_eq!(req.verify(&strict(), T0_UNIX + 5), Ok(known()));
    assert_eq!(req.verify(&permissive(), T0_UNIX), Ok(known()));
}

#[test]
fn sign_acs3_repeated_headers_are_sorted_and_trimmed() {
    let mut headers = acs3_headers("n-repeat");
    headers.push(("x-acs-extra".into(), "b".into()));
    headers.push(("X-Acs-Extra".into(), "a".into()));
    sign_acs3("GET", &[], &mut headers, b"", AK, SECRET);
    // The server sees the repeated header in the opposite order, with blanks around one value.
    let mut reordered: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("x-acs-extra"))
        .cloned()
        .collect();
    reordered.push(("x-acs-extra".into(), "a ".into()));
    reordered.push(("x-acs-extra".into(), "b".into()));
    let req = Req::new("GET", "/", Vec::new(), &reordered, b"");
    assert_eq!(req.verify(&strict(), T0_UNIX), Ok(known()));
}

#[test]
fn verifier_debug_hides_secrets() {
    let shown = format!("{:?}", strict());
    assert!(!shown.contains(SECRET), "{shown}");
}

#[path = "signature_forms_tests.rs"]
mod forms;
