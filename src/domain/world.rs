//! The shared world: the clock, the id generator and every account's resources behind one lock,
//! the per-call `Scope`, and the serializable snapshot of it all.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use super::call::{Answer, Call};
use super::catalog::Catalog;
use super::clock::{AdvanceError, Clock, ClockMode, Durations, Millis};
use super::compute_index::ComputeIndex;
use super::disk::Disk;
use super::ids::{IdGen, Naming};
use super::instance::Instance;
use super::op::Op;
use super::quota::Quotas;
use super::replica::Replication;
use super::tokens::{RetryKey, Tokens};
use super::{Error, Result};

/// The version of the [`Snapshot`] document this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// One account's resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    /// Instances by id.
    pub instances: BTreeMap<String, Instance>,
    /// Disks by id.
    pub disks: BTreeMap<String, Disk>,
    /// ClientToken records, per operation and token, bounded and expiring.
    pub tokens: Tokens,
    /// Counter giving every resource its creation order (Describe lists in that order).
    pub next_seq: u64,
    /// StartInstance answers InsufficientBalance for every instance of the account.
    pub insufficient_balance: bool,
    /// Disk replica pairs and groups.
    pub replication: Replication,
    /// This account's quotas, when a seed set them (otherwise the cloud's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Quotas>,
    /// Instances and disks per region (derived).
    #[serde(skip)]
    pub index: ComputeIndex,
}

impl Account {
    /// Rebuilds every derived index from the records (after loading a snapshot).
    pub fn rebuild_indexes(&mut self) {
        self.replication.rebuild_indexes();
        self.tokens.rebuild_order();
        let mut index = ComputeIndex::default();
        for i in self.instances.values() {
            index.instances.insert(&i.region_id, i.seq, &i.id);
        }
        for d in self.disks.values() {
            index.disks.insert(&d.region_id, d.seq, &d.id);
        }
        self.index = index;
    }
}

/// The whole simulated cloud.
#[derive(Debug, Clone)]
pub struct Cloud {
    /// What is on offer.
    pub catalog: Arc<Catalog>,
    /// How long transitions last.
    pub durations: Durations,
    /// The virtual clock.
    pub clock: Clock,
    /// Id generator.
    pub ids: IdGen,
    /// Accounts by id, created on first use.
    pub accounts: BTreeMap<String, Account>,
    /// Every account's quotas, unless its own are set.
    pub quotas: Quotas,
}

/// The world as data: everything a restart or an import needs, in a versioned document.
/// Derived indexes are left out and rebuilt on load; maps are ordered, so the same world always
/// serializes to the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// [`FORMAT_VERSION`] of the build that wrote it.
    pub format_version: u32,
    /// The virtual clock.
    pub clock: Clock,
    /// The id generator's state.
    pub id_sequence: IdGen,
    /// Accounts by id.
    pub accounts: BTreeMap<String, Account>,
}

/// One call's view of the cloud: the caller's account plus the shared catalog, ids and time.
/// Domain operations are methods on it, spread over the resource files.
pub struct Scope<'a> {
    pub(super) account: &'a mut Account,
    pub(super) catalog: &'a Catalog,
    pub(super) ids: &'a mut IdGen,
    pub(super) naming: &'a dyn Naming,
    pub(super) durations: &'a Durations,
    pub(super) now: Millis,
    pub(super) quotas: Quotas,
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").field("now", &self.now).finish()
    }
}

impl Cloud {
    /// An empty cloud whose clock starts at `wall`.
    pub fn new(
        catalog: Arc<Catalog>,
        durations: Durations,
        clock: ClockMode,
        wall: Millis,
        seed: Option<u64>,
    ) -> Self {
        Self {
            catalog,
            durations,
            clock: Clock::new(clock, wall),
            ids: IdGen::new(seed),
            accounts: BTreeMap::new(),
            quotas: Quotas::default(),
        }
    }

    /// The caller's view; the account is created on first use.
    pub fn scope<'a>(&'a mut self, account: &str, naming: &'a dyn Naming) -> Scope<'a> {
        let account = self.accounts.entry(account.to_owned()).or_default();
        Scope {
            account,
            catalog: &self.catalog,
            ids: &mut self.ids,
            naming,
            durations: &self.durations,
            now: self.clock.now,
            quotas: self.quotas,
        }
    }

    /// The world as a document.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format_version: FORMAT_VERSION,
            clock: self.clock.clone(),
            id_sequence: self.ids.clone(),
            accounts: self.accounts.clone(),
        }
    }

    /// Replaces the world's state with a document's, rebuilding every index.
    ///
    /// # Errors
    /// A document of another format version.
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<()> {
        if snapshot.format_version != FORMAT_VERSION {
            return Err(Error::Internal(format!(
                "format_version {} is not {FORMAT_VERSION}",
                snapshot.format_version
            )));
        }
        self.clock = snapshot.clock;
        self.ids = snapshot.id_sequence;
        self.accounts = snapshot.accounts;
        for account in self.accounts.values_mut() {
            account.rebuild_indexes();
        }
        Ok(())
    }
}

impl Scope<'_> {
    /// The virtual time of this call.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        self.catalog
    }

    /// The next creation-order number.
    pub(super) fn next_seq(&mut self) -> u64 {
        self.account.next_seq += 1;
        self.account.next_seq
    }

    /// Runs `create` once per (operation, ClientToken): a repeat with the same call returns the
    /// first result; another call under the same token is `IdempotentParameterMismatch`. Tokens
    /// are remembered for [`super::tokens::TOKEN_WINDOW_MS`], at most
    /// [`super::tokens::MAX_TOKENS_PER_ACCOUNT`] per account.
    ///
    /// # Errors
    /// `IdempotentParameterMismatch`, or whatever `create` fails with (nothing is recorded then).
    pub fn idempotent(
        &mut self,
        op: Op,
        key: Option<&RetryKey>,
        create: impl FnOnce(&mut Self) -> Result<Vec<String>>,
    ) -> Result<Vec<String>> {
        let Some(key) = key else {
            return create(self);
        };
        let now = self.now;
        if let Some(seen) = self.account.tokens.recall(op, &key.token, now) {
            return if seen.fingerprint == key.fingerprint {
                Ok(seen.ids.clone())
            } else {
                Err(Error::IdempotentParameterMismatch)
            };
        }
        let ids = create(self)?;
        self.account.tokens.remember(op, key, ids.clone(), now);
        Ok(ids)
    }
}

/// The cheap, cloneable handle every request goes through.
///
/// A std `Mutex` rather than an async one: every critical section is short, synchronous and
/// never awaits (the world does no I/O), which is what std's mutex is best at.
#[derive(Debug, Clone)]
pub struct World {
    inner: Arc<Mutex<Cloud>>,
    initial: Arc<Cloud>,
}

impl World {
    /// A world starting from `cloud`; [`World::reset`] returns to this state.
    pub fn new(cloud: Cloud) -> Self {
        Self {
            initial: Arc::new(cloud.clone()),
            inner: Arc::new(Mutex::new(cloud)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cloud> {
        // A panic inside a critical section cannot leave a half-applied operation visible in a
        // way worse than refusing every later request would, so recover the guard.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The one entry for calls: locks the world, reads the clock at `wall`, runs `call` in
    /// `account`'s scope and hands the answer to `render` before unlocking (answers borrow from
    /// the state, so a large page is encoded without being copied).
    pub fn apply<R>(
        &self,
        account: &str,
        naming: &dyn Naming,
        wall: Millis,
        call: Call,
        render: impl FnOnce(Result<Answer<'_>>) -> R,
    ) -> R {
        let mut cloud = self.lock();
        cloud.clock.read(wall);
        let mut scope = cloud.scope(account, naming);
        render(scope.apply(call))
    }

    /// The world as a document.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().snapshot()
    }

    /// Restores the start-up state (catalog, seed, id sequence), keeping the clock where it is.
    pub fn reset(&self) {
        let mut cloud = self.lock();
        let clock = cloud.clock.clone();
        *cloud = (*self.initial).clone();
        cloud.clock = clock;
    }

    /// Reads the virtual clock: (now, mode).
    pub fn now(&self, wall: Millis) -> (Millis, ClockMode) {
        let mut cloud = self.lock();
        (cloud.clock.read(wall), cloud.clock.mode)
    }

    /// Moves the virtual clock forward by `ms`, under the world lock.
    ///
    /// # Errors
    /// An advance out of range; nothing changes then.
    pub fn advance(&self, ms: Millis, wall: Millis) -> Result<Millis, AdvanceError> {
        self.lock().clock.advance(ms, wall)
    }
}

#[cfg(test)]
#[path = "world_tests.rs"]
mod tests;
