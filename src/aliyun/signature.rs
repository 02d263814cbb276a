//! Request authentication: verification of both Alibaba Cloud signature schemes (RPC HMAC-SHA1, and ACS3 with HMAC-SHA256 or HMAC-SM3), strict mode's freshness and replay checks, and client-side signing helpers.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use base64::prelude::{Engine as _, BASE64_STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use sm3::Sm3;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::aliyun::encoding::push_pe;
use crate::aliyun::error::{ApiError, ErrorCode};
use crate::config::{AccessKey, AuthMode, Keyring};

/// How far (either way) a request's timestamp may be from the server's clock in strict mode,
/// and how long a used nonce is remembered.
pub const FRESHNESS_WINDOW_SECS: i64 = 15 * 60;

/// Upper bound on remembered nonces, so that a flood of requests cannot grow the cache without
/// limit inside one window. Past it the oldest are forgotten early: under such a flood a replay
/// of an old request could slip through, which is acceptable for an emulator, running out of
/// memory is not. Each is a 16-byte digest, so the cache stays under about 50 MB.
const MAX_REMEMBERED_NONCES: usize = 1 << 20;

/// The longest nonce accepted (strict mode). The SDKs send 32 or 64 hex digits or a UUID.
pub const MAX_NONCE_LEN: usize = 128;

/// Every `Authorization` value of the ACS3 family starts with this.
const ACS3_FAMILY_PREFIX: &str = "ACS3-";
/// The longest timestamp considered: `YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM` is 35 characters.
const MAX_TIMESTAMP_LEN: usize = 40;
const RPC_SIGNATURE_METHOD: &str = "HMAC-SHA1";
const RPC_SIGNATURE_VERSION: &str = "1.0";
/// The old Python SDK compares the text after the first `:` with its own string to sign, so the
/// wording up to that colon must stay exactly this.
const MISMATCH_PREFIX: &str =
    "Specified signature is not matched with our calculation. server string to sign is:";

const HEADER_DATE: &str = "x-acs-date";
const HEADER_NONCE: &str = "x-acs-signature-nonce";
const HEADER_CONTENT_SHA256: &str = "x-acs-content-sha256";
const HEADER_ACCESS_KEY_ID: &str = "x-acs-accesskey-id";
/// Every Alibaba header of the ACS3 scheme starts with this; all of them must be signed.
const ACS_HEADER_PREFIX: &str = "x-acs-";

type HmacSha1 = Hmac<Sha1>;
type HmacSha256 = Hmac<Sha256>;
type HmacSm3 = Hmac<Sm3>;

/// The ACS3 algorithms verified here: the Tea SDKs' default, and the SM3 one that
/// `@alicloud/openapi-client` and the Python Tea client offer as `signatureAlgorithm`. Both use
/// the same canonical request; the algorithm decides the hash (of the body, carried in
/// `x-acs-content-sha256` whatever the algorithm, and of the canonical request) and the HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acs3Algorithm {
    /// `ACS3-HMAC-SHA256`.
    HmacSha256,
    /// `ACS3-HMAC-SM3` (GM/T 0004-2012).
    HmacSm3,
}

impl Acs3Algorithm {
    /// Every algorithm, in the order error messages list them.
    const ALL: [Self; 2] = [Self::HmacSha256, Self::HmacSm3];

    /// The name in `Authorization` and as the first line of the string to sign.
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha256 => "ACS3-HMAC-SHA256",
            Self::HmacSm3 => "ACS3-HMAC-SM3",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Lower-case hex of the algorithm's hash of `bytes`.
    fn hash_hex(self, bytes: &[u8]) -> String {
        match self {
            Self::HmacSha256 => hex::encode(Sha256::digest(bytes)),
            Self::HmacSm3 => hex::encode(Sm3::digest(bytes)),
        }
    }

    /// The HMAC of `string_to_sign` keyed with the bare secret.
    fn mac(self, secret: &str, string_to_sign: &str) -> Vec<u8> {
        match self {
            Self::HmacSha256 => keyed_mac::<HmacSha256>(secret.as_bytes())
                .chain_update(string_to_sign)
                .finalize()
                .into_bytes()
                .to_vec(),
            Self::HmacSm3 => keyed_mac::<HmacSm3>(secret.as_bytes())
                .chain_update(string_to_sign)
                .finalize()
                .into_bytes()
                .to_vec(),
        }
    }

    /// Whether `claimed` (hex) is the HMAC of `string_to_sign`, compared in constant time.
    fn verify(self, secret: &str, string_to_sign: &str, claimed: &str) -> bool {
        let Ok(tag) = hex::decode(claimed) else {
            return false;
        };
        match self {
            Self::HmacSha256 => keyed_mac::<HmacSha256>(secret.as_bytes())
                .chain_update(string_to_sign)
                .verify_slice(&tag)
                .is_ok(),
            Self::HmacSm3 => keyed_mac::<HmacSm3>(secret.as_bytes())
                .chain_update(string_to_sign)
                .verify_slice(&tag)
                .is_ok(),
        }
    }
}

/// The parts of a request that signatures cover, already decoded by the caller.
#[derive(Debug, Clone, Copy)]
pub struct SignedParts<'a> {
    /// Upper-case HTTP method.
    pub method: &'a str,
    /// Request path (always `/` for these APIs).
    pub path: &'a str,
    /// Decoded query pairs, in wire order.
    pub query: &'a [(String, String)],
    /// Decoded form-body pairs (`[]` when the body is not `application/x-www-form-urlencoded`).
    pub form: &'a [(String, String)],
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Body bytes as received (already de-chunked).
    pub body: &'a [u8],
}

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Unsigned, or signed with a key the emulator does not know (permissive mode only).
    Anonymous,
    /// Correctly signed with a known key.
    Key {
        /// The AccessKeyId that signed.
        access_key_id: String,
        /// The account the key belongs to.
        account: String,
    },
}

/// Checks request signatures against the configured keys; in strict mode also rejects stale
/// timestamps and replayed nonces.
pub struct Verifier {
    mode: AuthMode,
    keyring: Keyring,
    // Shared by every request task. A std Mutex, not an async one: the critical section is a
    // handful of hash-set operations that never await, so blocking is brief and cheaper than
    // an async lock's bookkeeping.
    nonces: Mutex<NonceCache>,
}

impl fmt::Debug for Verifier {
    // Hand-written so that secrets in the keyring never reach a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// How a request claims to be signed.
enum Scheme<'a> {
    /// `Authorization: ACS3-...`; the header's value.
    Acs3(&'a str),
    /// A `Signature` parameter; its value.
    Rpc(&'a str),
    Unsigned,
}

/// The replay-protection inputs of one request, and what they are called in its scheme.
struct Freshness<'a> {
    timestamp: Option<&'a str>,
    timestamp_name: &'static str,
    nonce: Option<&'a str>,
    nonce_name: &'static str,
}

/// The fields of `Authorization: ACS3-<alg> Credential=..,SignedHeaders=..,Signature=..`.
struct Acs3Authorization<'a> {
    algorithm: &'a str,
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl Verifier {
    /// A verifier with an empty nonce cache.
    pub fn new(mode: AuthMode, keyring: Keyring) -> Self {
        Self {
            mode,
            keyring,
            nonces: Mutex::new(NonceCache::default()),
        }
    }

    /// The configured mode.
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// Authenticates one request.
    ///
    /// `now_unix`: the server's current time in Unix seconds (wall clock, passed in so tests
    /// control it). A nonce is remembered only once the signature has been verified, so a forged
    /// request cannot burn a legitimate client's nonce.
    pub fn verify(&self, parts: &SignedParts<'_>, now_unix: i64) -> Result<Identity, ApiError> {
        match detect_scheme(parts)? {
            Scheme::Acs3(authorization) => self.verify_acs3(parts, authorization, now_unix),
            Scheme::Rpc(signature) => self.verify_rpc(parts, signature, now_unix),
            Scheme::Unsigned => self.unsigned(parts),
        }
    }

    fn unsigned(&self, parts: &SignedParts<'_>) -> Result<Identity, ApiError> {
        match self.mode {
            AuthMode::Permissive => Ok(Identity::Anonymous),
            AuthMode::Strict => {
                let has_key_id = first_param(parts, "AccessKeyId").is_some_and(|v| !v.is_empty())
                    || header_str(parts.headers, HEADER_ACCESS_KEY_ID).is_some();
                Err(if has_key_id {
                    ErrorCode::MissingSignature
                } else {
                    ErrorCode::MissingAccessKeyId
                }
                .into())
            }
        }
    }

    fn verify_rpc(
        &self,
        parts: &SignedParts<'_>,
        signature: &str,
        now_unix: i64,
    ) -> Result<Identity, ApiError> {
        let Some(key) = self.resolve_key(first_param(parts, "AccessKeyId"))? else {
            return Ok(Identity::Anonymous);
        };
        if first_param(parts, "SignatureMethod") != Some(RPC_SIGNATURE_METHOD)
            || first_param(parts, "SignatureVersion") != Some(RPC_SIGNATURE_VERSION)
        {
            return Err(ErrorCode::InvalidSignatureMethod.into());
        }
        let freshness = Freshness {
            timestamp: first_param(parts, "Timestamp"),
            timestamp_name: "Timestamp",
            nonce: first_param(parts, "SignatureNonce"),
            nonce_name: "SignatureNonce",
        };
        self.check_fresh(&freshness, now_unix)?;

        let string_to_sign = rpc_string_to_sign(
            parts.method,
            parts
                .query
                .iter()
                .chain(parts.form)
                .filter(|(name, _)| name != "Signature"),
        );
        // A `+` left unescaped in a query string arrives decoded as a space; Base64 never
        // contains spaces, so turning them back is safe and spares such clients a mismatch.
        let claimed = BASE64_STANDARD.decode(signature.replace(' ', "+"));
        let mac = rpc_mac(&key.secret, &string_to_sign);
        if !claimed.is_ok_and(|tag| mac.verify_slice(&tag).is_ok()) {
            return Err(mismatch(&string_to_sign));
        }
        self.remember_nonce(key, &freshness, now_unix)?;
        Ok(identity(key))
    }

    fn verify_acs3(
        &self,
        parts: &SignedParts<'_>,
        authorization: &str,
        now_unix: i64,
    ) -> Result<Identity, ApiError> {
        let auth = parse_acs3_authorization(authorization)
            .ok_or_else(|| ApiError::from(ErrorCode::IncompleteSignature))?;
        let Some(key) = self.resolve_key(Some(auth.credential))? else {
            return Ok(Identity::Anonymous);
        };
        let Some(algorithm) = Acs3Algorithm::from_name(auth.algorithm) else {
            return Err(ApiError::with_message(
                ErrorCode::InvalidSignatureMethod,
                format!(
                    "Specified signature method is not valid: only {} and {} are supported.",
                    Acs3Algorithm::HmacSha256.name(),
                    Acs3Algorithm::HmacSm3.name()
                ),
            ));
        };
        let freshness = Freshness {
            timestamp: header_str(parts.headers, HEADER_DATE),
            timestamp_name: HEADER_DATE,
            nonce: header_str(parts.headers, HEADER_NONCE),
            nonce_name: HEADER_NONCE,
        };
        self.check_fresh(&freshness, now_unix)?;
        check_signed_scope(parts.headers, auth.signed_headers)?;

        let body_hash = algorithm.hash_hex(parts.body);
        if let Some(claimed) = header_str(parts.headers, HEADER_CONTENT_SHA256) {
            if !claimed.trim().eq_ignore_ascii_case(&body_hash) {
                let hash = match algorithm {
                    Acs3Algorithm::HmacSha256 => "SHA-256",
                    Acs3Algorithm::HmacSm3 => "SM3",
                };
                return Err(ApiError::with_message(
                    ErrorCode::SignatureDoesNotMatch,
                    format!(
                        "Specified signature is not matched with our calculation. \
                         The {HEADER_CONTENT_SHA256} header does not match the request body, \
                         whose {hash} is {body_hash}."
                    ),
                ));
            }
        }
        let string_to_sign = acs3_string_to_sign(
            algorithm,
            parts.method,
            parts.path,
            parts.query,
            auth.signed_headers,
            |name| {
                parts
                    .headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()))
                    .collect()
            },
            &body_hash,
        );
        if !algorithm.verify(&key.secret, &string_to_sign, auth.signature) {
            return Err(mismatch(&string_to_sign));
        }
        self.remember_nonce(key, &freshness, now_unix)?;
        Ok(identity(key))
    }

    /// The key a signed request names: `None` means "serve it anonymously" (permissive mode).
    fn resolve_key(&self, access_key_id: Option<&str>) -> Result<Option<&AccessKey>, ApiError> {
        let strict = self.mode == AuthMode::Strict;
        match access_key_id.filter(|id| !id.is_empty()) {
            None if strict => Err(ErrorCode::MissingAccessKeyId.into()),
            None => Ok(None),
            Some(id) => match self.keyring.get(id) {
                Some(key) => Ok(Some(key)),
                None if strict => Err(ErrorCode::AccessKeyNotFound.into()),
                None => Ok(None),
            },
        }
    }

    /// Strict mode: timestamp and nonce present, timestamp well-formed and within the window.
    fn check_fresh(&self, f: &Freshness<'_>, now_unix: i64) -> Result<(), ApiError> {
        if self.mode != AuthMode::Strict {
            return Ok(());
        }
        let Some(timestamp) = f.timestamp.filter(|t| !t.is_empty()) else {
            return Err(ApiError::with_message(
                ErrorCode::MissingTimestamp,
                format!("{} is mandatory for this action.", f.timestamp_name),
            ));
        };
        match f.nonce {
            None | Some("") => {
                return Err(ApiError::with_message(
                    ErrorCode::MissingSignatureNonce,
                    format!("{} is mandatory for this action.", f.nonce_name),
                ))
            }
            Some(nonce) if nonce.len() > MAX_NONCE_LEN => {
                return Err(ApiError::with_message(
                    ErrorCode::InvalidParameter,
                    format!(
                        "The specified parameter {} is not valid: it is longer than {MAX_NONCE_LEN} characters.",
                        f.nonce_name
                    ),
                ))
            }
            Some(_) => {}
        }
        let at = parse_timestamp(timestamp).ok_or(ErrorCode::TimestampFormat)?;
        if at.abs_diff(now_unix) > FRESHNESS_WINDOW_SECS.unsigned_abs() {
            return Err(ErrorCode::TimestampExpired.into());
        }
        Ok(())
    }

    /// Strict mode, after the signature verified: refuses a nonce this key used within the
    /// window, otherwise remembers it.
    fn remember_nonce(
        &self,
        key: &AccessKey,
        f: &Freshness<'_>,
        now_unix: i64,
    ) -> Result<(), ApiError> {
        if self.mode != AuthMode::Strict {
            return Ok(());
        }
        let nonce = f.nonce.unwrap_or_default();
        // Length-prefixed so that no (key, nonce) pair can collide with another.
        let entry = format!("{}:{}{}", key.id.len(), key.id, nonce);
        // A panic while the lock was held cannot leave the cache in a state that breaks the
        // next request (at worst one entry is remembered too long), so poisoning is shrugged off
        // rather than failing every later request.
        let mut cache = self.nonces.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.first_use(&entry, now_unix) {
            Ok(())
        } else {
            Err(ErrorCode::SignatureNonceUsed.into())
        }
    }
}

/// Nonces seen recently, each as a fixed-size digest: a set for lookups and a queue in arrival
/// order for expiry, so both checking and forgetting are amortised O(1) per request.
#[derive(Debug, Default)]
struct NonceCache {
    seen: HashSet<u128>,
    order: VecDeque<(i64, u128)>,
}

/// The first 128 bits of the entry's SHA-256: collisions are out of reach, and the size is the
/// same whatever the nonce's length.
fn nonce_digest(entry: &str) -> u128 {
    let hash = Sha256::digest(entry.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&hash[..16]);
    u128::from_be_bytes(first)
}

impl NonceCache {
    /// Forgets entries older than the window, then returns true and remembers `entry` if it was
    /// not known, false if it was.
    fn first_use(&mut self, entry: &str, now_unix: i64) -> bool {
        while let Some((at, _)) = self.order.front() {
            let expired = now_unix.saturating_sub(*at) >= FRESHNESS_WINDOW_SECS;
            if !expired && self.order.len() < MAX_REMEMBERED_NONCES {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        let digest = nonce_digest(entry);
        if !self.seen.insert(digest) {
            return false;
        }
        // The queue must stay ordered by time for the front-only expiry above; if the clock is
        // ever seen going backwards, the entry takes the latest time so far (it is then kept a
        // little longer, never dropped early).
        let at = self
            .order
            .back()
            .map_or(now_unix, |(last, _)| (*last).max(now_unix));
        self.order.push_back((at, digest));
        true
    }
}

/// ACS3, as the gateway requires: `host` and every `x-acs-*` header the request carries must be
/// among the SignedHeaders. Otherwise an unsigned header could choose the action or version
/// after signing, and unsigned date or nonce headers would defeat replay protection.
fn check_signed_scope(headers: &HeaderMap, signed_headers: &str) -> Result<(), ApiError> {
    let is_signed = |header: &str| {
        signed_headers
            .split(';')
            .any(|name| name.trim().eq_ignore_ascii_case(header))
    };
    // Header names arrive lower-cased from the HTTP layer.
    let sent = headers
        .keys()
        .map(axum::http::HeaderName::as_str)
        .filter(|name| name.starts_with(ACS_HEADER_PREFIX));
    match std::iter::once("host").chain(sent).find(|h| !is_signed(h)) {
        None => Ok(()),
        Some(unsigned) => Err(ApiError::with_message(
            ErrorCode::IncompleteSignature,
            format!(
                "{} host and every {ACS_HEADER_PREFIX}* header sent must be among the SignedHeaders; {unsigned} is not.",
                ErrorCode::IncompleteSignature.message()
            ),
        )),
    }
}

/// Whether the request carries an RPC signature (a `Signature` parameter and no ACS3
/// `Authorization` header). Such a request names its action and version only in signed
/// parameters: the `x-acs-action` and `x-acs-version` headers are outside its signature.
pub fn is_rpc_signed(parts: &SignedParts<'_>) -> bool {
    matches!(detect_scheme(parts), Ok(Scheme::Rpc(_)))
}

fn detect_scheme<'a>(parts: &SignedParts<'a>) -> Result<Scheme<'a>, ApiError> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        if value.as_bytes().starts_with(ACS3_FAMILY_PREFIX.as_bytes()) {
            let text = value
                .to_str()
                .map_err(|_| ApiError::from(ErrorCode::IncompleteSignature))?;
            return Ok(Scheme::Acs3(text));
        }
    }
    Ok(match first_param(parts, "Signature") {
        Some(signature) => Scheme::Rpc(signature),
        None => Scheme::Unsigned,
    })
}

/// The first value of `name` in the query, then in the form body.
fn first_param<'a>(parts: &SignedParts<'a>, name: &str) -> Option<&'a str> {
    parts
        .query
        .iter()
        .chain(parts.form)
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The first value of a header, if it is text.
fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn parse_acs3_authorization(value: &str) -> Option<Acs3Authorization<'_>> {
    let (algorithm, fields) = value.split_once([' ', '\t'])?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        let slot = match name.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            // Fields this version does not know are ignored, as a lenient gateway would.
            _ => continue,
        };
        *slot = Some(value.trim());
    }
    Some(Acs3Authorization {
        algorithm,
        credential: credential.filter(|c| !c.is_empty())?,
        signed_headers: signed_headers?,
        signature: signature.filter(|s| !s.is_empty())?,
    })
}

/// A request timestamp to Unix seconds (any fraction dropped). Accepted: the RFC 3339 profile
/// of ISO 8601, which is what the gateway's documented `YYYY-MM-DDThh:mm:ssZ` belongs to and
/// what published clients send: that form itself (the SDKs), with a fraction of a second of
/// any precision (`.708Z` from Node `aliyun-sdk`, nine digits from Rust's `time` ISO 8601
/// default), and with a numeric offset instead of `Z` (`+00:00`, as `isoformat()` and
/// `to_rfc3339()` write; another offset is converted). Refused: no seconds, no offset (a local
/// time would be ambiguous), ISO 8601's basic and week/ordinal forms (no client sends them).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if text.len() > MAX_TIMESTAMP_LEN {
        return None;
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

fn identity(key: &AccessKey) -> Identity {
    Identity::Key {
        access_key_id: key.id.clone(),
        account: key.account.clone(),
    }
}

fn mismatch(string_to_sign: &str) -> ApiError {
    ApiError::with_message(
        ErrorCode::SignatureDoesNotMatch,
        format!("{MISMATCH_PREFIX}{string_to_sign}"),
    )
}

/// `name=value` pairs sorted by name (byte order; a stable sort keeps repeated names in wire
/// order), each side `pe`-encoded, joined with `&`.
fn canonical_pairs<'p>(pairs: impl Iterator<Item = &'p (String, String)>) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_pe(&mut out, name);
        out.push('=');
        push_pe(&mut out, value);
    }
    out
}

/// RPC: `METHOD&%2F&pe(canonicalized parameters)`; `params` must not include `Signature`.
fn rpc_string_to_sign<'p>(
    method: &str,
    params: impl Iterator<Item = &'p (String, String)>,
) -> String {
    let canonical = canonical_pairs(params);
    let mut out = String::with_capacity(method.len() + 5 + canonical.len() * 5 / 4);
    out.push_str(method);
    out.push_str("&%2F&");
    push_pe(&mut out, &canonical);
    out
}

/// ACS3: the algorithm's name, `\n`, and the hex of its hash of the canonical request.
/// `header_values` returns every value of one header (looked up without regard to case).
fn acs3_string_to_sign<'v>(
    algorithm: Acs3Algorithm,
    method: &str,
    path: &str,
    query: &[(String, String)],
    signed_headers: &str,
    header_values: impl Fn(&str) -> Vec<Cow<'v, str>>,
    body_hash: &str,
) -> String {
    let mut canonical = String::new();
    canonical.push_str(method);
    canonical.push('\n');
    canonical.push_str(if path.is_empty() { "/" } else { path });
    canonical.push('\n');
    canonical.push_str(&canonical_pairs(query.iter()));
    canonical.push('\n');
    // Exactly the listed names, in the listed order: clients differ in what they sign (Python
    // Tea signs accept and user-agent, Node Tea does not), and the list is what they hashed.
    if !signed_headers.is_empty() {
        for name in signed_headers.split(';') {
            let mut values: Vec<Cow<'_, str>> = header_values(name);
            for value in &mut values {
                let trimmed = value.trim_matches([' ', '\t']);
                if trimmed.len() != value.len() {
                    *value = Cow::Owned(trimmed.to_owned());
                }
            }
            values.sort();
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(&values.join(","));
            canonical.push('\n');
        }
    }
    canonical.push('\n');
    canonical.push_str(signed_headers);
    canonical.push('\n');
    canonical.push_str(body_hash);
    format!(
        "{}\n{}",
        algorithm.name(),
        algorithm.hash_hex(canonical.as_bytes())
    )
}

/// An HMAC keyed with `key`.
fn keyed_mac<M: KeyInit>(key: &[u8]) -> M {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC hashes long keys and pads short ones, so it takes keys of every length; the
        // Result only exists because the trait also serves fixed-key algorithms.
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// RPC: HMAC-SHA1 keyed with `secret&`.
fn rpc_mac(secret: &str, string_to_sign: &str) -> HmacSha1 {
    let mut key = String::with_capacity(secret.len() + 1);
    key.push_str(secret);
    key.push('&');
    keyed_mac::<HmacSha1>(key.as_bytes()).chain_update(string_to_sign)
}

/// Signs an RPC request the way the classic SDKs do: replaces any of `AccessKeyId`,
/// `SignatureMethod`, `SignatureVersion`, `SignatureNonce`, `Timestamp` and `Signature` already
/// present, appends the first five (HMAC-SHA1, 1.0), then appends `Signature` computed over every
/// parameter. The parameters may then travel in the query, a form body, or both.
pub fn sign_rpc(
    method: &str,
    params: &mut Vec<(String, String)>,
    access_key_id: &str,
    secret: &str,
    nonce: &str,
    timestamp: &str,
) {
    const OWNED: [&str; 6] = [
        "AccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "Timestamp",
        "Signature",
    ];
    params.retain(|(name, _)| !OWNED.contains(&name.as_str()));
    params.extend(
        [
            ("AccessKeyId", access_key_id),
            ("SignatureMethod", RPC_SIGNATURE_METHOD),
            ("SignatureVersion", RPC_SIGNATURE_VERSION),
            ("SignatureNonce", nonce),
            ("Timestamp", timestamp),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned())),
    );
    let string_to_sign = rpc_string_to_sign(&method.to_ascii_uppercase(), params.iter());
    let signature =
        BASE64_STANDARD.encode(rpc_mac(secret, &string_to_sign).finalize().into_bytes());
    params.push(("Signature".to_owned(), signature));
}

/// Signs an ACS3-HMAC-SHA256 request to path `/` the way Node Tea does; see [`sign_acs3_with`].
pub fn sign_acs3(
    method: &str,
    query: &[(String, String)],
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    access_key_id: &str,
    secret: &str,
) {
    sign_acs3_with(
        Acs3Algorithm::HmacSha256,
        method,
        query,
        headers,
        body,
        access_key_id,
        secret,
    );
}

/// Signs an ACS3 request to path `/` the way Node Tea does. `headers` must already hold
/// `host`, `x-acs-action`, `x-acs-version`, `x-acs-date` and `x-acs-signature-nonce`; this
/// replaces any `x-acs-content-sha256` and `Authorization`, adds `x-acs-content-sha256` (the
/// algorithm's hash of `body`), then `Authorization` signing `host`, `content-type` (when
/// present) and every `x-acs-*` header.
pub fn sign_acs3_with(
    algorithm: Acs3Algorithm,
    method: &str,
    query: &[(String, String)],
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    access_key_id: &str,
    secret: &str,
) {
    headers.retain(|(name, _)| {
        !name.eq_ignore_ascii_case(HEADER_CONTENT_SHA256)
            && !name.eq_ignore_ascii_case("authorization")
    });
    let body_hash = algorithm.hash_hex(body);
    headers.push((HEADER_CONTENT_SHA256.to_owned(), body_hash.clone()));

    let mut names: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| name == "host" || name == "content-type" || name.starts_with("x-acs-"))
        .collect();
    names.sort();
    names.dedup();
    let signed_headers = names.join(";");

    let string_to_sign = {
        let headers = &*headers;
        acs3_string_to_sign(
            algorithm,
            &method.to_ascii_uppercase(),
            "/",
            query,
            &signed_headers,
            |name| {
                headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| Cow::Borrowed(v.as_str()))
                    .collect()
            },
            &body_hash,
        )
    };
    let signature = hex::encode(algorithm.mac(secret, &string_to_sign));
    headers.push((
        "Authorization".to_owned(),
        format!(
            "{} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}",
            algorithm.name()
        ),
    ));
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
