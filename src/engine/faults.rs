//! Fault injection: rules that make matching calls fail, slow down or lose their connection
//! before they reach the world, deterministically when seeded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::RequestMeta;
use crate::domain::call::Call;
use crate::domain::ids::IdGen;

/// The most rules kept at once.
pub const MAX_RULES: usize = 256;

/// What a rule does to a call it fires on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// An error answered instead: the dialect's error body with this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The HTTP status of that error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Its message (a generic one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Seconds sent as a retry-after hint with the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// A delay before the call goes on (or before the error is answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The connection is closed without an answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_connection: bool,
}

/// A rule as a client writes it: matchers (all optional, all must hold), an effect, and when it
/// fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// The action's wire name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The API version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The caller's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The call's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A resource the call acts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// The effect's fields, flattened into the rule.
    #[serde(flatten)]
    pub effect: Effect,
    /// Chance of firing on a matching call, 0 to 1 (always when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fire on the next `count` matching calls only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Seed of the rule's chances, for a reproducible sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl RuleSpec {
    /// Checks the rule makes sense.
    ///
    /// # Errors
    /// A message naming the problem.
    pub fn check(&self) -> Result<(), String> {
        let e = &self.effect;
        let error = e.code.is_some() || e.http_status.is_some();
        if !error && e.latency_ms.is_none() && !e.drop_connection {
            return Err(
                "a rule needs an effect: code and http_status, latency_ms, or drop_connection"
                    .into(),
            );
        }
        if error && (e.code.is_none() || e.http_status.is_none()) {
            return Err("an error effect needs both code and http_status".into());
        }
        if error && e.drop_connection {
            return Err("a rule either answers an error or drops the connection, not both".into());
        }
        if let Some(s) = e.http_status {
            if !(400..=599).contains(&s) {
                return Err("http_status must be between 400 and 599".into());
            }
        }
        let text = |v: &Option<String>, max: usize| v.as_ref().is_none_or(|s| s.len() <= max);
        if !text(&e.code, 128) || !text(&e.message, 1024) {
            return Err("code is at most 128 bytes and message at most 1024".into());
        }
        if e.latency_ms.is_some_and(|ms| ms > 60_000) {
            return Err("latency_ms is at most 60000".into());
        }
        if e.retry_after.is_some_and(|s| s > 3_600) {
            return Err("retry_after is at most 3600 seconds".into());
        }
        if self
            .probability
            .is_some_and(|p| !(0.0..=1.0).contains(&p) || p.is_nan())
        {
            return Err("probability must be between 0 and 1".into());
        }
        Ok(())
    }

    fn matches(&self, meta: &RequestMeta<'_>, call: Option<&Call>) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&self.action, meta.action)
            && eq(&self.version, meta.version)
            && eq(&self.account, meta.account)
            && self
                .region
                .as_deref()
                .is_none_or(|r| call.and_then(Call::region) == Some(r))
            && self
                .resource_id
                .as_deref()
                .is_none_or(|want| call.is_some_and(|c| c.targets().any(|(_, id)| id == want)))
    }
}

/// A rule in force.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// What it is.
    #[serde(flatten)]
    pub spec: RuleSpec,
    /// How many times it fired.
    pub fired: u64,
    #[serde(skip)]
    chance: IdGen,
}

/// What the faults decided for one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    /// Wait this long first.
    pub latency_ms: u64,
    /// Then answer this error, or drop the connection.
    pub stop: Option<Effect>,
    /// True when any rule fired.
    pub fired: bool,
}

/// The rules, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    next: Mutex<u64>,
    /// How many rules there are, read without the lock on every call.
    live: AtomicUsize,
}

impl Faults {
    fn rules(&self) -> std::sync::MutexGuard<'_, Vec<Rule>> {
        self.rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a rule; returns its id.
    ///
    /// # Errors
    /// A rule that makes no sense, or too many rules.
    pub fn add(&self, spec: RuleSpec) -> Result<Rule, String> {
        spec.check()?;
        let mut rules = self.rules();
        if rules.len() >= MAX_RULES {
            return Err(format!("at most {MAX_RULES} rules"));
        }
        let n = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *next += 1;
            *next
        };
        let rule = Rule {
            id: format!("fault-{n}"),
            chance: IdGen::new(Some(spec.seed.unwrap_or(n))),
            spec,
            fired: 0,
        };
        rules.push(rule.clone());
        self.live.store(rules.len(), Ordering::Release);
        Ok(rule)
    }

    /// Every rule.
    pub fn list(&self) -> Vec<Rule> {
        self.rules().clone()
    }

    /// Removes one rule; false when there was none with that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.rules();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        self.live.store(rules.len(), Ordering::Release);
        rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules().clear();
        self.live.store(0, Ordering::Release);
    }

    /// Decides what happens to a call: rules are tried in order; latencies add up, and the
    /// first rule that answers an error or drops the connection stops the call. A rule with a
    /// count that is used up no longer fires; chances come from the rule's own seeded sequence.
    pub fn decide(&self, meta: &RequestMeta<'_>, call: Option<&Call>) -> Verdict {
        let mut verdict = Verdict::default();
        if self.live.load(Ordering::Acquire) == 0 {
            return verdict;
        }
        let mut rules = self.rules();
        for rule in rules.iter_mut() {
            if rule.spec.count.is_some_and(|c| rule.fired >= u64::from(c)) {
                continue;
            }
            if !rule.spec.matches(meta, call) {
                continue;
            }
            if let Some(p) = rule.spec.probability {
                #[allow(clippy::cast_precision_loss)]
                let draw = (rule.chance.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                if draw >= p {
                    continue;
                }
            }
            rule.fired += 1;
            verdict.fired = true;
            let e = &rule.spec.effect;
            verdict.latency_ms = verdict.latency_ms.saturating_add(e.latency_ms.unwrap_or(0));
            if e.code.is_some() || e.drop_connection {
                verdict.stop = Some(e.clone());
                break;
            }
        }
        verdict
    }
}
