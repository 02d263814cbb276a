//! The shared world: accounts and their resources behind one lock, and the per-call `Scope`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use super::catalog::Catalog;
use super::clock::{Clock, Durations, Millis};
use super::disk::Disk;
use super::ids::IdGen;
use super::instance::Instance;
use super::replica::Replication;
use super::seed::Seed;
use super::{Error, Result};

/// One account's resources.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Instances by id.
    pub instances: BTreeMap<String, Instance>,
    /// Disks by id.
    pub disks: BTreeMap<String, Disk>,
    /// ClientToken records: (operation, token) → (fingerprint, ids created).
    pub tokens: HashMap<(&'static str, String), (String, Vec<String>)>,
    /// Counter giving every resource its creation order (Describe lists in that order).
    pub next_seq: u64,
    /// Set by a seed: StartInstance answers InsufficientBalance for every instance.
    pub insufficient_balance: bool,
    /// Disk replica pairs and groups, with their indexes.
    pub replication: Replication,
}

/// The whole simulated cloud.
#[derive(Debug, Clone)]
pub struct Cloud {
    /// What is on offer.
    pub catalog: Arc<Catalog>,
    /// How long transitions last.
    pub durations: Durations,
    /// Id generator.
    pub ids: IdGen,
    /// Accounts by id, created on first use.
    pub accounts: BTreeMap<String, Account>,
    /// Virtual time of the call in progress (set when the lock is taken).
    pub now: Millis,
}

/// One call's view of the cloud: the caller's account plus the shared catalog, ids and time.
/// Domain operations are methods on it, spread over the resource files.
#[derive(Debug)]
pub struct Scope<'a> {
    /// The caller's account.
    pub account: &'a mut Account,
    /// The caller's account id.
    pub account_id: &'a str,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// Id generator.
    pub ids: &'a mut IdGen,
    /// Transition lengths.
    pub durations: &'a Durations,
    /// Virtual time of this call.
    pub now: Millis,
}

impl Cloud {
    /// An empty cloud.
    pub fn new(catalog: Arc<Catalog>, durations: Durations, seed: Option<u64>) -> Self {
        Self {
            catalog,
            durations,
            ids: IdGen::new(seed),
            accounts: BTreeMap::new(),
            now: 0,
        }
    }

    /// The caller's view; the account is created on first use.
    pub fn scope<'a>(&'a mut self, account_id: &'a str) -> Scope<'a> {
        let account = self.accounts.entry(account_id.to_owned()).or_default();
        Scope {
            account,
            account_id,
            catalog: &self.catalog,
            ids: &mut self.ids,
            durations: &self.durations,
            now: self.now,
        }
    }
}

impl Scope<'_> {
    /// The next creation-order number.
    pub fn next_seq(&mut self) -> u64 {
        self.account.next_seq += 1;
        self.account.next_seq
    }

    /// Runs `create` once per (operation, ClientToken): a repeat with the same fingerprint
    /// returns the first result; a different fingerprint is `IdempotentParameterMismatch`.
    ///
    /// # Errors
    /// `IdempotentParameterMismatch`, or whatever `create` fails with (nothing is recorded then).
    pub fn idempotent(
        &mut self,
        operation: &'static str,
        token: Option<&str>,
        fingerprint: &str,
        create: impl FnOnce(&mut Self) -> Result<Vec<String>>,
    ) -> Result<Vec<String>> {
        let Some(token) = token else {
            return create(self);
        };
        let key = (operation, token.to_owned());
        if let Some((fp, ids)) = self.account.tokens.get(&key) {
            return if fp == fingerprint {
                Ok(ids.clone())
            } else {
                Err(Error::IdempotentParameterMismatch)
            };
        }
        let ids = create(self)?;
        self.account
            .tokens
            .insert(key, (fingerprint.to_owned(), ids.clone()));
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
    clock: Arc<Clock>,
}

impl World {
    /// A world starting from `cloud` with `seed` applied; [`World::reset`] returns to this state.
    ///
    /// # Errors
    /// A seed that refers to unknown regions, zones, images or types.
    pub fn new(mut cloud: Cloud, seed: Option<&Seed>, clock: Clock) -> Result<Self> {
        cloud.now = clock.now();
        if let Some(seed) = seed {
            seed.apply(&mut cloud)?;
        }
        Ok(Self {
            initial: Arc::new(cloud.clone()),
            inner: Arc::new(Mutex::new(cloud)),
            clock: Arc::new(clock),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Cloud> {
        // A panic inside a critical section cannot leave a half-applied operation visible in a
        // way worse than refusing every later request would, so recover the guard.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on the cloud under the lock, with the virtual time of this call set.
    pub fn with<R>(&self, f: impl FnOnce(&mut Cloud) -> R) -> R {
        let mut cloud = self.lock();
        cloud.now = self.clock.now().max(cloud.now);
        f(&mut cloud)
    }

    /// Runs `f` in one account's scope.
    pub fn in_scope<R>(&self, account: &str, f: impl FnOnce(&mut Scope<'_>) -> R) -> R {
        self.with(|cloud| f(&mut cloud.scope(account)))
    }

    /// Restores the start-up state (catalog and seed), keeping the clock where it is.
    pub fn reset(&self) {
        let mut cloud = self.lock();
        *cloud = (*self.initial).clone();
    }

    /// The virtual clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}
