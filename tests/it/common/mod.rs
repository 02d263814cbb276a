//! Test harness: a real server on 127.0.0.1:0, typed request helpers (unsigned, RPC-signed,
//! ACS3-signed, raw TCP) and `#[track_caller]` assertions on the answers.

#![allow(dead_code)]

pub mod process;
pub mod replica;

use std::net::SocketAddr;

use ecs_emulator::aliyun::signature::{sign_acs3, sign_rpc};
use ecs_emulator::config::{AccessKey, AuthMode, ClockMode, ConnectionArgs, ServeArgs, Timing};
use ecs_emulator::server::ConnectionLimits;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The key the tests sign with (account `1000000000000001`, the default).
pub const KEY_ID: &str = "LTAI5tTESTKEYID00000001";
/// Its secret.
pub const KEY_SECRET: &str = "TestSecretKey0000000000000000A";
/// A key of a second account.
pub const OTHER_ID: &str = "LTAI5tOTHERACCOUNT0001";
/// Its secret.
pub const OTHER_SECRET: &str = "OtherSecret000000000000000000B";
/// The second account.
pub const OTHER_ACCOUNT: &str = "1000000000000002";

/// ECS version.
pub const ECS: &str = "2014-05-26";
/// EBS version.
pub const EBS: &str = "2021-07-30";

/// A running emulator; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    client: reqwest::Client,
    /// The server's state (to flip readiness, say).
    pub state: ecs_emulator::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Options most tests vary.
#[derive(Clone)]
pub struct Opts {
    /// Instant or realistic.
    pub timing: Timing,
    /// System or manual clock.
    pub clock: ClockMode,
    /// Permissive or strict.
    pub auth: AuthMode,
    /// Load fixtures/example-seed.json.
    pub seeded: bool,
    /// Id seed.
    pub seed: Option<u64>,
    /// Body limit.
    pub max_body_bytes: usize,
    /// Time allowed to receive a body.
    pub request_timeout: std::time::Duration,
    /// A seed file instead of the example seed.
    pub fixtures: Option<std::path::PathBuf>,
    /// Size of the request log.
    pub request_log_size: u64,
    /// The control plane's bearer token.
    pub admin_token: Option<String>,
    /// Connection timeouts, cap and grace period.
    pub connections: ConnectionLimits,
}

impl Default for Opts {
    fn default() -> Self {
        Self {
            timing: Timing::Instant,
            clock: ClockMode::Manual,
            auth: AuthMode::Permissive,
            seeded: true,
            seed: Some(1),
            max_body_bytes: 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(2),
            fixtures: None,
            request_log_size: 1000,
            admin_token: None,
            connections: ConnectionArgs::default().limits(),
        }
    }
}

/// Starts a server with `opts`, both test keys known.
pub async fn spawn(opts: Opts) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut args = ServeArgs::for_listen(addr);
    args.timing = opts.timing;
    args.clock = opts.clock;
    args.auth = opts.auth;
    args.seed = opts.seed;
    args.max_body_bytes = opts.max_body_bytes;
    if opts.seeded {
        args.fixtures =
            Some(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example-seed.json").into());
    }
    if opts.fixtures.is_some() {
        args.fixtures.clone_from(&opts.fixtures);
    }
    args.request_log_size = opts.request_log_size;
    args.admin_token.clone_from(&opts.admin_token);
    args.access_keys = vec![
        AccessKey {
            id: KEY_ID.into(),
            secret: KEY_SECRET.into(),
            account: "1000000000000001".into(),
        },
        AccessKey {
            id: OTHER_ID.into(),
            secret: OTHER_SECRET.into(),
            account: OTHER_ACCOUNT.into(),
        },
    ];
    let mut state = ecs_emulator::AppState::from_args(&args).expect("state");
    state.limits.request_timeout = opts.request_timeout;
    state.limits.connections = opts.connections;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let kept = state.clone();
    let task = tokio::spawn(ecs_emulator::run(listener, state, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://{addr}"),
        addr,
        client: reqwest::Client::new(),
        state: kept,
        stop: Some(tx),
        task,
    }
}

/// Writes `json` to a fresh seed file in the temp directory and returns its path (the server
/// reads it once, at start-up).
pub fn seed_file(json: &str) -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("ecs-emulator-it-{}-{n}.json", std::process::id()));
    std::fs::write(&path, json).expect("write seed");
    path
}

/// Starts a seeded, instant, manual-clock, permissive server.
pub async fn default_server() -> Server {
    spawn(Opts::default()).await
}

/// An answer.
#[derive(Debug)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Content-Type.
    pub content_type: String,
    /// `x-acs-request-id`.
    pub request_id_header: String,
    /// Body text.
    pub body: String,
}

impl Resp {
    /// The body as JSON (Null when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Asserts a 200 JSON success without a top-level Code; returns the body.
    #[track_caller]
    pub fn ok(&self) -> Value {
        assert_eq!(
            self.status, 200,
            "expected success, got {} {}",
            self.status, self.body
        );
        let v = self.json();
        assert!(
            v.get("Code").is_none(),
            "success carries Code: {}",
            self.body
        );
        let rid = v["RequestId"].as_str().expect("RequestId");
        assert_eq!(
            rid, self.request_id_header,
            "RequestId header and body differ"
        );
        assert_eq!(rid, rid.to_uppercase(), "RequestId must be upper case");
        assert_eq!(rid.len(), 36);
        v
    }

    /// Asserts an error with this status and code; returns the body.
    #[track_caller]
    pub fn err(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            (
                self.status,
                self.json()["Code"].as_str().unwrap_or("<none>")
            ),
            (status, code),
            "body: {}",
            self.body
        );
        let v = self.json();
        for f in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
            assert!(v[f].is_string(), "error body lacks {f}: {}", self.body);
        }
        v
    }
}

fn owned(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn query_string(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                ecs_emulator::aliyun::encoding::pe(k),
                ecs_emulator::aliyun::encoding::pe(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Current UTC time as the SDKs send it.
pub fn timestamp_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("format")
}

/// A fresh nonce.
pub fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Server {
    /// Starts a graceful shutdown (as SIGTERM would).
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    /// True when the server has stopped within `limit` of this call.
    pub async fn stopped_within(&mut self, limit: std::time::Duration) -> bool {
        tokio::time::timeout(limit, &mut self.task).await.is_ok()
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, request_id_header) =
            (header("content-type"), header("x-acs-request-id"));
        let body = res.text().await.expect("body");
        Resp {
            status,
            content_type,
            request_id_header,
            body,
        }
    }

    /// An unsigned GET with Action and Version in the query.
    pub async fn call(&self, version: &str, action: &str, params: &[(&str, &str)]) -> Resp {
        let mut all = owned(&[("Action", action), ("Version", version)]);
        all.extend(owned(params));
        self.send(
            self.client
                .get(format!("{}/?{}", self.base, query_string(&all))),
        )
        .await
    }

    /// An unsigned ECS call.
    pub async fn ecs(&self, action: &str, params: &[(&str, &str)]) -> Resp {
        self.call(ECS, action, params).await
    }

    /// An unsigned EBS call.
    pub async fn ebs(&self, action: &str, params: &[(&str, &str)]) -> Resp {
        self.call(EBS, action, params).await
    }

    /// An RPC (HMAC-SHA1) signed POST with every parameter in the query, like the classic SDK.
    pub async fn signed(&self, key: (&str, &str), action: &str, params: &[(&str, &str)]) -> Resp {
        self.signed_with(key, action, params, &nonce(), &timestamp_now())
            .await
    }

    /// Like [`Server::signed`] with a chosen nonce and timestamp.
    pub async fn signed_with(
        &self,
        key: (&str, &str),
        action: &str,
        params: &[(&str, &str)],
        nonce: &str,
        ts: &str,
    ) -> Resp {
        let mut all = owned(&[("Action", action), ("Version", ECS), ("Format", "JSON")]);
        all.extend(owned(params));
        sign_rpc("POST", &mut all, key.0, key.1, nonce, ts);
        self.send(
            self.client
                .post(format!("{}/?{}", self.base, query_string(&all))),
        )
        .await
    }

    /// An ACS3-HMAC-SHA256 signed POST (Tea style: action and version in headers only).
    pub async fn acs3(
        &self,
        key: (&str, &str),
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Resp {
        let query = owned(params);
        let mut headers = owned(&[
            ("host", &self.addr.to_string()),
            ("x-acs-action", action),
            ("x-acs-version", version),
            ("x-acs-date", &timestamp_now()),
            ("x-acs-signature-nonce", &nonce()),
        ]);
        sign_acs3("POST", &query, &mut headers, b"", key.0, key.1);
        let mut req = self
            .client
            .post(format!("{}/?{}", self.base, query_string(&query)));
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            req = req.header(k, v);
        }
        self.send(req).await
    }

    /// A POST whose parameters travel in a form body (pop-core style), unsigned.
    pub async fn form(&self, params: &[(&str, &str)]) -> Resp {
        let body = query_string(&owned(params));
        let req = self
            .client
            .post(format!("{}/", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    /// Sends raw bytes and returns the raw answer (status line, headers, body).
    pub async fn raw(&self, bytes: &[u8]) -> String {
        let mut s = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        s.write_all(bytes).await.expect("write");
        let mut out = Vec::new();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    /// GET on a control endpoint.
    pub async fn control_get(&self, path: &str) -> Value {
        let text = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A control request with a JSON body (or none) and extra headers: (status, headers, JSON).
    pub async fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_owned());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("control request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    /// A control request that must succeed; its JSON answer.
    pub async fn control_ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let (status, _, v) = self.control(method, path, body, &[]).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    /// Advances the virtual clock.
    pub async fn advance(&self, seconds: f64) {
        let res = self
            .client
            .post(format!("{}/_emulator/clock", self.base))
            .header("content-type", "application/json")
            .body(format!("{{\"advance_seconds\": {seconds}}}"))
            .send()
            .await
            .expect("advance");
        assert_eq!(res.status(), 200);
    }

    /// Resets to the seed.
    pub async fn reset(&self) {
        let res = self
            .client
            .post(format!("{}/_emulator/reset", self.base))
            .send()
            .await
            .expect("reset");
        assert_eq!(res.status(), 200);
    }

    /// The status DescribeInstances reports for one instance.
    pub async fn instance_status(&self, region: &str, id: &str) -> String {
        let ids = format!("[\"{id}\"]");
        let v = self
            .ecs(
                "DescribeInstances",
                &[("RegionId", region), ("InstanceIds", &ids)],
            )
            .await
            .ok();
        v["Instances"]["Instance"][0]["Status"]
            .as_str()
            .unwrap_or("<absent>")
            .to_owned()
    }

    /// One disk as DescribeDisks reports it.
    pub async fn disk(&self, region: &str, id: &str) -> Value {
        let ids = format!("[\"{id}\"]");
        let v = self
            .ecs("DescribeDisks", &[("RegionId", region), ("DiskIds", &ids)])
            .await
            .ok();
        v["Disks"]["Disk"][0].clone()
    }
}
