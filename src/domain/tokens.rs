//! What ClientTokens remember, and for how long: per account and operation, a fixed-size digest
//! of the call and the ids it created, kept for a window and within a bound, oldest first out.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::clock::Millis;
use super::op::Op;

/// How long (virtual time) a ClientToken is remembered. The reference names no period; a day
/// covers any retry a client makes.
pub const TOKEN_WINDOW_MS: Millis = 24 * 60 * 60 * 1000;

/// At most this many ClientTokens are remembered per account; past it the oldest is forgotten.
pub const MAX_TOKENS_PER_ACCOUNT: usize = 10_000;

/// A SHA-256 digest of a call: all a token keeps of the request it came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&text, &mut bytes).map_err(serde::de::Error::custom)?;
        Ok(Self(bytes))
    }
}

/// A ClientToken as a call carries it, with the digest of that call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryKey {
    /// The token.
    pub token: String,
    /// The call's digest.
    pub fingerprint: Fingerprint,
}

/// What a ClientToken remembers: the call it came with and what that call created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The digest of the first call.
    pub fingerprint: Fingerprint,
    /// The ids the first call created.
    pub ids: Vec<String>,
    /// When it was first used (virtual time).
    #[serde(default)]
    pub at: Millis,
}

/// One account's remembered ClientTokens, by operation and token. Serializes as that map; the
/// age order is derived and rebuilt on load ([`Tokens::rebuild_order`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tokens {
    records: BTreeMap<Op, BTreeMap<String, TokenRecord>>,
    /// (first use, operation, token), oldest first.
    #[serde(skip)]
    order: BTreeSet<(Millis, Op, String)>,
}

impl PartialEq for Tokens {
    fn eq(&self, other: &Self) -> bool {
        self.records == other.records
    }
}

impl Tokens {
    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when none is.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The record of `token` for `op`, unless it has expired by `now`.
    pub fn recall(&mut self, op: Op, token: &str, now: Millis) -> Option<&TokenRecord> {
        self.expire(now);
        self.records.get(&op)?.get(token)
    }

    /// Remembers a first use of `token` for `op` at `now`, forgetting the oldest tokens when the
    /// account is at its bound.
    pub fn remember(&mut self, op: Op, key: &RetryKey, ids: Vec<String>, now: Millis) {
        self.expire(now);
        while self.order.len() >= MAX_TOKENS_PER_ACCOUNT {
            self.forget_oldest();
        }
        let record = TokenRecord {
            fingerprint: key.fingerprint,
            ids,
            at: now,
        };
        let old = self
            .records
            .entry(op)
            .or_default()
            .insert(key.token.clone(), record);
        if let Some(old) = old {
            self.order.remove(&(old.at, op, key.token.clone()));
        }
        self.order.insert((now, op, key.token.clone()));
    }

    /// Rebuilds the age order from the records (after loading a snapshot).
    pub fn rebuild_order(&mut self) {
        self.order = self
            .records
            .iter()
            .flat_map(|(op, by_token)| by_token.iter().map(|(t, r)| (r.at, *op, t.clone())))
            .collect();
    }

    /// Forgets every token first used a whole window before `now`.
    fn expire(&mut self, now: Millis) {
        while self
            .order
            .first()
            .is_some_and(|(at, _, _)| now.saturating_sub(*at) >= TOKEN_WINDOW_MS)
        {
            self.forget_oldest();
        }
    }

    fn forget_oldest(&mut self) {
        let Some((_, op, token)) = self.order.pop_first() else {
            return;
        };
        if let Some(by_token) = self.records.get_mut(&op) {
            by_token.remove(&token);
            if by_token.is_empty() {
                self.records.remove(&op);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(token: &str, byte: u8) -> RetryKey {
        RetryKey {
            token: token.to_owned(),
            fingerprint: Fingerprint([byte; 32]),
        }
    }

    #[test]
    fn tokens_expire_after_the_window() {
        let mut t = Tokens::default();
        t.remember(Op::CreateDisk, &key("a", 1), vec!["d-1".into()], 1_000);
        assert!(t
            .recall(Op::CreateDisk, "a", 1_000 + TOKEN_WINDOW_MS - 1)
            .is_some());
        assert!(t.recall(Op::CreateInstances, "a", 1_000).is_none());
        assert!(t
            .recall(Op::CreateDisk, "a", 1_000 + TOKEN_WINDOW_MS)
            .is_none());
        assert!(t.is_empty());
    }

    #[test]
    fn the_oldest_token_goes_first_at_the_bound() {
        let mut t = Tokens::default();
        for i in 0..MAX_TOKENS_PER_ACCOUNT + 5 {
            let now = Millis::try_from(i).unwrap_or_default();
            t.remember(Op::CreateDisk, &key(&format!("t{i}"), 0), Vec::new(), now);
        }
        assert_eq!(t.len(), MAX_TOKENS_PER_ACCOUNT);
        let now = 1_000_000;
        assert!(t.recall(Op::CreateDisk, "t4", now).is_none());
        assert!(t.recall(Op::CreateDisk, "t5", now).is_some());
    }

    #[test]
    fn round_trips_through_json_with_its_order() {
        let mut t = Tokens::default();
        t.remember(Op::CreateDisk, &key("a", 7), vec!["d-1".into()], 5);
        t.remember(Op::CreatePair, &key("b", 8), Vec::new(), 9);
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains(&hex::encode([7u8; 32])), "{text}");
        let mut back: Tokens = serde_json::from_str(&text).unwrap();
        assert_eq!(back, t);
        back.rebuild_order();
        assert_eq!(back.len(), 2);
        assert!(back
            .recall(Op::CreateDisk, "a", 5 + TOKEN_WINDOW_MS)
            .is_none());
        assert!(back
            .recall(Op::CreatePair, "b", 5 + TOKEN_WINDOW_MS)
            .is_some());
    }
}
