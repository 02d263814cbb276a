//! The request log: the most recent calls, bounded, with secrets removed, and a live feed of
//! new entries for server-sent events.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::broadcast;

/// Parameters whose values never reach the log (matched without regard to case).
const SECRET_NAMES: &[&str] = &["signature", "securitytoken", "password", "secret"];

/// Shows each of a request's parameters (name, value) to the function it is given.
pub type VisitParams<'a> = dyn Fn(&mut dyn FnMut(&str, &str)) + Sync + 'a;

/// A call's parameters, secrets already dropped, packed in one allocation (names and values
/// alternate, each ended by a NUL); serialized as a JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(String);

/// What a packed parameter list starts with: enough for a typical call, so that packing one
/// allocates once (and is never shrunk: the slack is bounded by this).
const PARAMS_START_BYTES: usize = 256;

/// The longest value the log keeps whole; longer ones are cut, with the length they had.
const MAX_VALUE_BYTES: usize = 1024;
/// What one entry keeps of its parameters at most; the rest are counted, not kept.
const MAX_PARAMS_BYTES: usize = 16 * 1024;

impl Params {
    /// Packs what `visit` hands over, dropping secret parameters, cutting long values and
    /// stopping at `MAX_PARAMS_BYTES` (a hostile request cannot make the log large).
    pub fn capture(visit: &VisitParams<'_>) -> Self {
        let mut packed = String::with_capacity(PARAMS_START_BYTES);
        let mut left_out = 0usize;
        visit(&mut |k, v| {
            if is_secret(k) {
                return;
            }
            if packed.len() + k.len().min(MAX_VALUE_BYTES) + v.len().min(MAX_VALUE_BYTES)
                > MAX_PARAMS_BYTES
            {
                left_out += 1;
                return;
            }
            push_part(&mut packed, k);
            push_part(&mut packed, v);
        });
        if left_out > 0 {
            push_part(&mut packed, "…");
            push_part(&mut packed, &format!("{left_out} more parameters not kept"));
        }
        Self(packed)
    }

    /// The (name, value) pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self.0.split('\0');
        std::iter::from_fn(move || Some((parts.next()?, parts.next()?)))
    }
}

/// Appends one name or value, ended by a NUL: at most `MAX_VALUE_BYTES` of it (then the length
/// it had), any NUL in it shown as U+FFFD.
fn push_part(packed: &mut String, text: &str) {
    let mut cut = text.len().min(MAX_VALUE_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let kept = &text[..cut];
    if kept.contains('\0') {
        packed.push_str(&kept.replace('\0', "\u{fffd}"));
    } else {
        packed.push_str(kept);
    }
    if cut < text.len() {
        packed.push_str(&format!("…({} bytes)", text.len()));
    }
    packed.push('\0');
}

impl Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.pairs())
    }
}

/// True for a parameter the log must not keep (compared without allocating).
fn is_secret(name: &str) -> bool {
    let name = name.as_bytes();
    SECRET_NAMES.iter().any(|secret| {
        name.windows(secret.len())
            .any(|w| w.eq_ignore_ascii_case(secret.as_bytes()))
    })
}

/// At most 128 bytes of a short field the client chose (an action or version name).
pub fn clip(text: &str) -> String {
    let mut cut = text.len().min(128);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}

/// Milliseconds since the epoch, shown as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallTime(pub i64);

impl Serialize for WallTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        s.serialize_str(&t)
    }
}

/// One call as the log keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// Position in the log since start-up (or the last clear).
    pub seq: u64,
    /// Wall-clock time the call arrived, RFC 3339.
    pub time: WallTime,
    /// The virtual time of the call, milliseconds since the epoch (when it reached the world).
    pub virtual_time_ms: Option<i64>,
    /// The caller's account.
    pub account: String,
    /// Dialect family.
    pub dialect: &'static str,
    /// Product within it.
    pub product: &'static str,
    /// The action's wire name (`-` when the request named none).
    pub action: String,
    /// The API version.
    pub version: String,
    /// The call's region.
    pub region: Option<String>,
    /// The resources it acted on.
    pub resource_ids: Vec<String>,
    /// Its parameters, secrets and signatures removed.
    pub params: Params,
    /// HTTP status answered.
    pub status: u16,
    /// Error code answered, if any.
    pub code: Option<String>,
    /// Time from arrival to answer, milliseconds.
    pub latency_ms: f64,
    /// The request id.
    pub request_id: String,
    /// True when an injected fault decided the answer.
    pub faulted: bool,
    /// `api`, or `dashboard` for calls made from the dashboard.
    pub source: &'static str,
}

/// The log itself: a ring of the last `capacity` entries and a broadcast of new ones.
#[derive(Debug)]
pub struct RequestLog {
    capacity: usize,
    entries: Mutex<(u64, VecDeque<LogEntry>)>,
    feed: broadcast::Sender<LogEntry>,
}

/// A filter on the log.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only this action.
    pub action: Option<String>,
    /// Only this HTTP status.
    pub status: Option<u16>,
    /// Only this account.
    pub account: Option<String>,
    /// Only entries after this sequence number.
    pub after: Option<u64>,
    /// At most this many (the newest).
    pub limit: Option<usize>,
}

impl LogFilter {
    /// True when `e` passes.
    pub fn keeps(&self, e: &LogEntry) -> bool {
        self.action.as_ref().is_none_or(|a| *a == e.action)
            && self.status.is_none_or(|s| s == e.status)
            && self.account.as_ref().is_none_or(|a| *a == e.account)
            && self.after.is_none_or(|s| e.seq > s)
    }
}

impl RequestLog {
    /// A log keeping `capacity` entries (0 keeps none and costs nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))),
            feed: broadcast::channel(1024).0,
        }
    }

    /// True when calls are logged.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The configured size.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends an entry (its `seq` is set here), dropping the oldest beyond the capacity.
    pub fn push(&self, mut entry: LogEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut guard = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (next, entries) = &mut *guard;
        *next += 1;
        entry.seq = *next;
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        if self.feed.receiver_count() > 0 {
            let _ = self.feed.send(entry.clone());
        }
        entries.push_back(entry);
    }

    /// The entries passing `filter`, oldest first (the newest `limit` of them).
    pub fn query(&self, filter: &LogFilter) -> Vec<LogEntry> {
        let guard = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let kept: Vec<&LogEntry> = guard.1.iter().filter(|e| filter.keeps(e)).collect();
        let skip = filter.limit.map_or(0, |n| kept.len().saturating_sub(n));
        kept.into_iter().skip(skip).cloned().collect()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut guard = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.1.clear();
    }

    /// New entries as they are logged.
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.feed.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> LogEntry {
        LogEntry {
            seq: 0,
            time: WallTime(0),
            virtual_time_ms: None,
            account: "a".into(),
            dialect: "alibaba",
            product: "ecs",
            action: action.into(),
            version: "v".into(),
            region: None,
            resource_ids: Vec::new(),
            params: Params::default(),
            status: 200,
            code: None,
            latency_ms: 0.0,
            request_id: String::new(),
            faulted: false,
            source: "api",
        }
    }

    #[test]
    fn bounded_newest_last_and_filtered() {
        let log = RequestLog::new(3);
        for a in ["A", "B", "A", "C"] {
            log.push(entry(a));
        }
        let all = log.query(&LogFilter::default());
        assert_eq!(
            all.iter()
                .map(|e| (e.seq, e.action.as_str()))
                .collect::<Vec<_>>(),
            [(2, "B"), (3, "A"), (4, "C")]
        );
        let a = LogFilter {
            action: Some("A".into()),
            ..LogFilter::default()
        };
        assert_eq!(log.query(&a).len(), 1);
        let last = LogFilter {
            limit: Some(1),
            ..LogFilter::default()
        };
        assert_eq!(log.query(&last)[0].action, "C");
    }

    #[test]
    fn hostile_parameters_are_kept_small_and_intact() {
        let long = "é".repeat(5000);
        let p = Params::capture(&|f| {
            f("", "empty name");
            f("Nul\0Name", "a\0b");
            f("Long", &long);
            for i in 0..100 {
                f(&format!("P{i:03}"), &"x".repeat(900));
            }
        });
        let pairs: Vec<_> = p.pairs().collect();
        assert_eq!(pairs[0], ("", "empty name"));
        assert_eq!(pairs[1], ("Nul\u{fffd}Name", "a\u{fffd}b"));
        assert_eq!(pairs[2].0, "Long");
        assert!(pairs[2].1.ends_with("…(10000 bytes)"), "{}", pairs[2].1);
        assert!(pairs[2].1.len() <= MAX_VALUE_BYTES + 20);
        let (last_name, last_value) = pairs[pairs.len() - 1];
        assert_eq!(last_name, "…");
        let kept = pairs.len() - 4;
        assert_eq!(
            last_value,
            format!("{} more parameters not kept", 100 - kept)
        );
        assert!(p.0.len() <= MAX_PARAMS_BYTES + 64, "{}", p.0.len());
    }

    #[test]
    fn secrets_are_removed() {
        let p = Params::capture(&|f: &mut dyn FnMut(&str, &str)| {
            for (k, v) in [
                ("AccessKeyId", "AK"),
                ("Signature", "x"),
                ("SecurityToken", "x"),
                ("InstanceId", "i-1"),
                ("password", "x"),
                ("AccessKeySecret", "x"),
                ("Empty", ""),
            ] {
                f(k, v);
            }
        });
        assert_eq!(
            p.pairs().collect::<Vec<_>>(),
            [("AccessKeyId", "AK"), ("InstanceId", "i-1"), ("Empty", "")]
        );
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"AccessKeyId":"AK","InstanceId":"i-1","Empty":""}"#
        );
    }
}
