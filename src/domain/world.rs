//! The shared world: the clock, the id generator and every account's resources behind one lock,
//! the per-call `Scope`, and the serializable snapshot of it all.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::{Deserialize, Serialize};

use super::call::{Answer, Call};
use super::catalog::Catalog;
use super::clock::{AdvanceError, Clock, ClockMode, Durations, Millis, MAX_ADVANCE_MS};
use super::compute_index::ComputeIndex;
use super::disk::Disk;
use super::ids::{IdGen, Naming};
use super::instance::Instance;
use super::journal::{Entry, Journal};
use super::network::Network;
use super::op::Op;
use super::quota::Quotas;
use super::replica::Replication;
use super::tokens::{RetryKey, Tokens};
use super::{Error, Result};

/// The version of the [`Snapshot`] document this build writes. Version 2 added user data, tag
/// and attribute fields (all optional), so version 1 documents are read as well.
pub const FORMAT_VERSION: u32 = 2;

/// The oldest document version this build reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

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
    /// VPCs, vSwitches and security groups (left out of the document while there are none).
    #[serde(skip_serializing_if = "Network::is_empty")]
    pub network: Network,
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

/// Why a document cannot be imported, in words naming the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImportError(pub String);

impl Snapshot {
    /// Checks what deserializing cannot: the version, that every record sits under its own id,
    /// and that regions, zones, categories, images and types are the catalog's.
    ///
    /// # Errors
    /// The first problem, naming the account, the record and the field.
    pub fn check(&self, catalog: &Catalog) -> Result<(), ImportError> {
        let bad = |what: String| Err(ImportError(what));
        if self.format_version > FORMAT_VERSION {
            return bad(format!(
                "format_version {} is newer than this build's {FORMAT_VERSION}",
                self.format_version
            ));
        }
        if self.format_version < OLDEST_FORMAT_VERSION {
            return bad(format!(
                "format_version {} is older than {OLDEST_FORMAT_VERSION}, the oldest this build reads",
                self.format_version
            ));
        }
        for (acc_id, acc) in &self.accounts {
            let at = |kind: &str, id: &str, field: &str| {
                format!("accounts[{acc_id:?}].{kind}[{id:?}].{field}")
            };
            for (id, i) in &acc.instances {
                if *id != i.id {
                    return bad(format!(
                        "{}: {:?} differs from its key",
                        at("instances", id, "id"),
                        i.id
                    ));
                }
                if catalog
                    .zone(&i.zone_id)
                    .map(|(r, _)| r.id != i.region_id)
                    .unwrap_or(true)
                {
                    return bad(format!(
                        "{}: {:?} is not a zone of {:?}",
                        at("instances", id, "zone_id"),
                        i.zone_id,
                        i.region_id
                    ));
                }
                if catalog.instance_type(&i.instance_type).is_err() {
                    return bad(format!(
                        "{}: unknown {:?}",
                        at("instances", id, "instance_type"),
                        i.instance_type
                    ));
                }
                if catalog.image(&i.image_id).is_err() {
                    return bad(format!(
                        "{}: unknown {:?}",
                        at("instances", id, "image_id"),
                        i.image_id
                    ));
                }
            }
            for (id, d) in &acc.disks {
                if *id != d.id {
                    return bad(format!(
                        "{}: {:?} differs from its key",
                        at("disks", id, "id"),
                        d.id
                    ));
                }
                if catalog
                    .zone(&d.zone_id)
                    .map(|(r, _)| r.id != d.region_id)
                    .unwrap_or(true)
                {
                    return bad(format!(
                        "{}: {:?} is not a zone of {:?}",
                        at("disks", id, "zone_id"),
                        d.zone_id,
                        d.region_id
                    ));
                }
                if !catalog.has_disk_category(&d.category) {
                    return bad(format!(
                        "{}: unknown {:?}",
                        at("disks", id, "category"),
                        d.category
                    ));
                }
                if let Some(a) = &d.attachment {
                    if !acc.instances.contains_key(&a.instance_id) {
                        return bad(format!(
                            "{}: no instance {:?}",
                            at("disks", id, "attachment"),
                            a.instance_id
                        ));
                    }
                }
            }
            acc.replication
                .check(acc_id, &acc.disks)
                .map_err(ImportError)?;
            let zone_region = |z: &str| catalog.zone(z).ok().map(|(r, _)| r.id.clone());
            acc.network
                .check(&zone_region)
                .map_err(|e| ImportError(format!("accounts[{acc_id:?}].{e}")))?;
        }
        Ok(())
    }
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
    /// A document of a format version this build does not read.
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<()> {
        if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&snapshot.format_version) {
            return Err(Error::Internal(format!(
                "format_version {} is not one this build reads ({OLDEST_FORMAT_VERSION} to {FORMAT_VERSION})",
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
/// never awaits (the world does no I/O), which is what std's mutex is best at. Every change
/// is handed to the journal, when there is one, under the same lock.
#[derive(Debug, Clone)]
pub struct World {
    inner: Arc<Mutex<Cloud>>,
    initial: Arc<Cloud>,
    /// Set once, when persistence is on (after the persisted state is loaded).
    journal: Arc<OnceLock<Arc<dyn Journal>>>,
}

/// A sequence number of the journal, to wait on; `None` without a journal.
pub type Recorded = Option<u64>;

impl World {
    /// A world starting from `cloud`; [`World::reset`] returns to this state.
    pub fn new(cloud: Cloud) -> Self {
        Self {
            initial: Arc::new(cloud.clone()),
            inner: Arc::new(Mutex::new(cloud)),
            journal: Arc::new(OnceLock::new()),
        }
    }

    /// Records every change in `journal` from now on (once; later calls are ignored).
    pub fn set_journal(&self, journal: Arc<dyn Journal>) {
        let _ = self.journal.set(journal);
    }

    fn lock(&self) -> MutexGuard<'_, Cloud> {
        // A panic inside a critical section cannot leave a half-applied operation visible in a
        // way worse than refusing every later request would, so recover the guard.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, entry: impl FnOnce() -> Entry) -> Recorded {
        self.journal.get().map(|j| j.record(&entry()))
    }

    /// The one entry for calls: locks the world, reads the clock at `wall`, records a changing
    /// call in the journal, runs `call` in `account`'s scope and hands the call's virtual time
    /// and answer to `render` before unlocking (answers borrow from the state, so a large page is
    /// encoded without being copied).
    pub fn apply<R>(
        &self,
        account: &str,
        naming: &dyn Naming,
        wall: Millis,
        call: Call,
        render: impl FnOnce(Millis, Result<Answer<'_>>) -> R,
    ) -> (R, Recorded) {
        let mut cloud = self.lock();
        let now = cloud.clock.read(wall);
        let recorded = if call.op().mutates() {
            self.record(|| Entry::Call {
                account: account.to_owned(),
                naming: naming.name().to_owned(),
                now,
                call: Box::new(call.clone()),
            })
        } else {
            None
        };
        let mut scope = cloud.scope(account, naming);
        (render(now, scope.apply(call)), recorded)
    }

    /// The world as a document.
    pub fn snapshot(&self) -> Snapshot {
        self.lock().snapshot()
    }

    /// The world as a document, and what `also` reads while the world is still locked (the
    /// journal's position, so the two agree).
    pub fn snapshot_with<T>(&self, also: impl FnOnce() -> T) -> (Snapshot, T) {
        let cloud = self.lock();
        (cloud.snapshot(), also())
    }

    /// The catalog (immutable: readable without the lock, e.g. by a dialect filtering what it
    /// offers before a call).
    pub fn catalog(&self) -> &Catalog {
        &self.initial.catalog
    }

    /// Restores the start-up state (catalog, seed, id sequence), keeping the clock where it is.
    pub fn reset(&self) -> Recorded {
        self.reset_to(None, None)
    }

    /// Restores the start-up state of every account, or of one; the clock stays where it is.
    /// A whole reset also restarts the id sequence (from `seed` when given); a reset of one
    /// account leaves the sequence alone unless `seed` is given.
    pub fn reset_to(&self, account: Option<&str>, seed: Option<u64>) -> Recorded {
        let mut cloud = self.lock();
        let recorded = self.record(|| Entry::Reset {
            account: account.map(str::to_owned),
            seed,
        });
        self.reset_locked(&mut cloud, account, seed);
        recorded
    }

    fn reset_locked(&self, cloud: &mut Cloud, account: Option<&str>, seed: Option<u64>) {
        match account {
            None => {
                let clock = cloud.clock.clone();
                *cloud = (*self.initial).clone();
                cloud.clock = clock;
            }
            Some(id) => match self.initial.accounts.get(id) {
                Some(a) => {
                    cloud.accounts.insert(id.to_owned(), a.clone());
                }
                None => {
                    cloud.accounts.remove(id);
                }
            },
        }
        if let Some(seed) = seed {
            cloud.ids = IdGen::new(Some(seed));
        }
    }

    /// The world, or one account of it, as a document.
    pub fn export(&self, account: Option<&str>) -> Snapshot {
        let cloud = self.lock();
        match account {
            None => cloud.snapshot(),
            Some(id) => Snapshot {
                format_version: FORMAT_VERSION,
                clock: cloud.clock.clone(),
                id_sequence: cloud.ids.clone(),
                accounts: cloud
                    .accounts
                    .get(id)
                    .map(|a| (id.to_owned(), a.clone()))
                    .into_iter()
                    .collect(),
            },
        }
    }

    /// Replaces the world's accounts (every one, or just `account`) and id sequence with a
    /// checked document's. The clock never goes back: it moves forward to the document's time
    /// when that is later.
    ///
    /// # Errors
    /// The first problem found in the document; nothing changes then.
    pub fn import(
        &self,
        snapshot: Snapshot,
        account: Option<&str>,
        wall: Millis,
    ) -> Result<(Recorded, Retired), ImportError> {
        let mut cloud = self.lock();
        snapshot.check(&cloud.catalog)?;
        if let Some(id) = account {
            if snapshot.accounts.keys().any(|a| a != id) {
                return Err(ImportError(format!(
                    "the document holds accounts other than {id:?}"
                )));
            }
        }
        // The entry owns the document while the journal writes it; the import then takes it
        // back, so a large document is never copied.
        let entry = Entry::Import {
            account: account.map(str::to_owned),
            wall,
            snapshot: Box::new(snapshot),
        };
        let recorded = self.journal.get().map(|j| j.record(&entry));
        let retired = match entry {
            Entry::Import { snapshot, .. } => import_locked(&mut cloud, *snapshot, account, wall),
            _ => Retired(Vec::new()),
        };
        Ok((recorded, retired))
    }

    /// Switches the clock between following the wall clock and standing still; either way it
    /// goes on from where it is.
    pub fn set_clock_mode(&self, mode: ClockMode, wall: Millis) -> (Millis, Recorded) {
        let mut cloud = self.lock();
        let recorded = self.record(|| Entry::ClockMode { mode, wall });
        (cloud.clock.set_mode(mode, wall), recorded)
    }

    /// Reads the world without changing it: `f` sees the cloud and the virtual time read at
    /// `wall` (records are not settled; a reader computes what is due itself).
    pub fn read<T>(&self, wall: Millis, f: impl FnOnce(&Cloud, Millis) -> T) -> T {
        let mut cloud = self.lock();
        let now = cloud.clock.read(wall);
        f(&cloud, now)
    }

    /// The accounts that exist now, by id.
    pub fn accounts(&self) -> Vec<String> {
        self.lock().accounts.keys().cloned().collect()
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
    pub fn advance(&self, ms: Millis, wall: Millis) -> Result<(Millis, Recorded), AdvanceError> {
        let mut cloud = self.lock();
        if !(0..=MAX_ADVANCE_MS).contains(&ms) {
            return Err(AdvanceError::OutOfRange);
        }
        let recorded = self.record(|| Entry::Advance { ms, wall });
        Ok((cloud.clock.advance(ms, wall)?, recorded))
    }

    /// Replaces the whole state with a document (loading persisted state; no journal entry).
    ///
    /// # Errors
    /// A document that does not fit the catalog.
    pub fn load(&self, snapshot: Snapshot) -> Result<()> {
        let mut cloud = self.lock();
        snapshot
            .check(&cloud.catalog)
            .map_err(|e| Error::Internal(e.0))?;
        cloud.restore(snapshot)
    }

    /// Replays a journal entry (loading persisted state; no new entry). `naming` finds the
    /// naming style a call was recorded with.
    ///
    /// # Errors
    /// An entry that cannot apply: an unknown naming style, or a document that does not fit.
    pub fn replay(
        &self,
        entry: Entry,
        naming: impl Fn(&str) -> Option<&'static dyn Naming>,
    ) -> Result<()> {
        let mut cloud = self.lock();
        match entry {
            Entry::Call {
                account,
                naming: name,
                now,
                call,
            } => {
                let style = naming(&name)
                    .ok_or_else(|| Error::Internal(format!("unknown naming style {name:?}")))?;
                cloud.clock.now = cloud.clock.now.max(now);
                // The outcome was the client's; replaying reproduces its effects, refused or not.
                let _ = cloud.scope(&account, style).apply(*call);
            }
            Entry::Reset { account, seed } => {
                self.reset_locked(&mut cloud, account.as_deref(), seed)
            }
            Entry::Import {
                account,
                wall,
                snapshot,
            } => drop(import_locked(
                &mut cloud,
                *snapshot,
                account.as_deref(),
                wall,
            )),
            Entry::Advance { ms, wall } => {
                let _ = cloud.clock.advance(ms, wall);
            }
            Entry::ClockMode { mode, wall } => {
                cloud.clock.set_mode(mode, wall);
            }
        }
        Ok(())
    }
}

/// The accounts an import replaced: dropping a large world takes a while, so the caller decides
/// where (after the lock is released, off the answering thread).
#[must_use = "the replaced accounts are dropped wherever this value is"]
pub struct Retired(Vec<Account>);

impl Retired {
    /// Whether nothing was replaced.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The import itself, on a checked document; returns what it replaced.
fn import_locked(
    cloud: &mut Cloud,
    snapshot: Snapshot,
    account: Option<&str>,
    wall: Millis,
) -> Retired {
    let mut accounts = snapshot.accounts;
    for a in accounts.values_mut() {
        a.rebuild_indexes();
    }
    let retired = match account {
        None => std::mem::replace(&mut cloud.accounts, accounts)
            .into_values()
            .collect(),
        Some(id) => match accounts.remove(id) {
            Some(a) => cloud
                .accounts
                .insert(id.to_owned(), a)
                .into_iter()
                .collect(),
            None => cloud.accounts.remove(id).into_iter().collect(),
        },
    };
    cloud.ids = snapshot.id_sequence;
    let now = cloud.clock.read(wall);
    let ahead = snapshot.clock.now.saturating_sub(now);
    if ahead > 0 {
        // Never back, and never by more than an advance may move it.
        let _ = cloud.clock.advance(ahead.min(MAX_ADVANCE_MS), wall);
    }
    Retired(retired)
}

#[cfg(test)]
#[path = "world_tests.rs"]
mod tests;
