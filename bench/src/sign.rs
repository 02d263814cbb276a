//! Building signed RPC requests ahead of the timed window, each with its own nonce.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use ecs_emulator::aliyun::encoding::pe;
use ecs_emulator::aliyun::signature::sign_rpc;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::http;

/// ECS API version.
pub const ECS: &str = "2014-05-26";
/// EBS API version (disk replication).
pub const EBS: &str = "2021-07-30";

/// Nonces are unique across every signer of a run.
static NONCES: AtomicU64 = AtomicU64::new(0);

/// An access key and the server it signs for.
#[derive(Debug, Clone)]
pub struct Signer {
    /// AccessKeyId.
    pub access_key_id: String,
    /// AccessKeySecret.
    pub secret: String,
    host: SocketAddr,
    timestamp: String,
    run: String,
}

impl Signer {
    /// A signer for requests to `host`; every request carries the same, current timestamp.
    pub fn new(access_key_id: &str, secret: &str, host: SocketAddr) -> Self {
        let timestamp = OffsetDateTime::now_utc()
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .expect("a UTC date formats");
        let run = OffsetDateTime::now_utc().unix_timestamp_nanos().to_string();
        Self {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            host,
            timestamp,
            run,
        }
    }

    /// A complete `GET /?...` request for `action` of `version` with `params`, freshly signed
    /// (RPC HMAC-SHA1) with a nonce no other request of the run uses.
    pub fn request(&self, version: &str, action: &str, params: &[(&str, &str)]) -> Vec<u8> {
        let nonce = self.fresh_nonce();
        self.request_with_nonce(version, action, params, &nonce)
    }

    /// A nonce no other request of the run uses.
    pub fn fresh_nonce(&self) -> String {
        format!(
            "bench-{}-{}",
            self.run,
            NONCES.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Like [`Signer::request`] with a chosen nonce.
    pub fn request_with_nonce(
        &self,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
        nonce: &str,
    ) -> Vec<u8> {
        let mut pairs: Vec<(String, String)> = [("Action", action), ("Version", version)]
            .iter()
            .chain(params)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        sign_rpc(
            "GET",
            &mut pairs,
            &self.access_key_id,
            &self.secret,
            nonce,
            &self.timestamp,
        );
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", pe(k), pe(v)))
            .collect();
        http::get_request(self.host, &format!("/?{}", query.join("&")))
    }
}
