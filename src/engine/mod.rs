//! The one path every call to the simulated cloud takes, whichever dialect it came in: what the
//! call is (`RequestMeta` + the domain `Call`), the faults that may stop or slow it before it
//! reaches the world, the world itself (locked once), and the request log that records it.
//!
//! Whatever must see every call hooks in here, once; dialects only decode before and encode
//! after.

pub mod faults;
pub mod log;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::domain::call::{Answer, Call};
use crate::domain::clock::wall_ms;
use crate::domain::ids::IdGen;
use crate::domain::world::Recorded;
use crate::domain::{self, Kind, Naming, Op, World};
use crate::persist::Store;
use faults::{Effect, Faults};
use log::{LogEntry, RequestLog};

/// One operation a dialect serves, as the control plane lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// Dialect family, e.g. `alibaba`.
    pub dialect: &'static str,
    /// Product, e.g. `ecs`.
    pub product: &'static str,
    /// API version.
    pub version: &'static str,
    /// Wire name.
    pub action: &'static str,
    /// True when it can change state.
    pub mutates: bool,
}

/// Who sent a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A client of the emulated cloud.
    Api,
    /// The emulator's dashboard.
    Dashboard,
}

/// How a call stands to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The call that answers the request: fault rules apply, and it is logged.
    Whole,
    /// A read that serves a request another call answers: checking that a resource exists
    /// before changing it, or reading back what a create made. No fault rule applies to it,
    /// and it is logged only when it refuses (its refusal is then the request's answer), so
    /// one request is one log entry and one fault decision.
    Look,
}

/// What travels with a call besides the call itself: who made it, in which dialect and action.
/// The region and the resources it acts on are read off the call ([`Call::region`],
/// [`Call::targets`]).
#[derive(Clone, Copy)]
pub struct RequestMeta<'a> {
    /// The dialect family, e.g. `alibaba`.
    pub dialect: &'static str,
    /// The product within it, e.g. `ecs`.
    pub product: &'static str,
    /// The API version.
    pub version: &'a str,
    /// The action's wire name.
    pub action: &'a str,
    /// The caller's account.
    pub account: &'a str,
    /// This request's id.
    pub request_id: &'a str,
    /// When the request arrived.
    pub arrived: Instant,
    /// Who sent it.
    pub source: Source,
    /// The request's parameters, visited only when the request log keeps them.
    pub params: &'a log::VisitParams<'a>,
}

impl std::fmt::Debug for RequestMeta<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMeta")
            .field("dialect", &self.dialect)
            .field("action", &self.action)
            .field("account", &self.account)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// Why a call did not reach the world, or what the world refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The domain's own refusal.
    Domain(domain::Error),
    /// A fault injected on the path.
    Fault(Fault),
}

/// An injected failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The service's internal error (a seeded broken instance).
    InternalError,
    /// An error a fault rule answers: its code, status, message and retry hint.
    Error(Effect),
    /// A fault rule drops the connection; the dialect answers nothing.
    DropConnection,
}

/// What the request log needs to know of an answer.
pub trait Outcome {
    /// The HTTP status.
    fn status(&self) -> u16;
    /// The error code, if the answer is an error.
    fn code(&self) -> Option<&str>;
}

/// A seeded instance on which every lifecycle operation fails with an internal error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenInstance {
    /// Its account.
    pub account: String,
    /// The instance.
    pub instance_id: String,
}

/// Request ids: random, or from a seeded sequence so that the same calls give the same bodies.
#[derive(Debug)]
struct RequestIds {
    seeded: Mutex<Option<IdGen>>,
    /// True while `seeded` holds a generator: unseeded ids take no lock.
    is_seeded: std::sync::atomic::AtomicBool,
    /// The `--seed` the sequence starts from (and restarts from at a reset).
    initial: Option<u64>,
}

impl RequestIds {
    fn next(&self) -> String {
        let mut buf = uuid::Uuid::encode_buffer();
        let id = if self.is_seeded.load(std::sync::atomic::Ordering::Acquire) {
            let mut seeded = self
                .seeded
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match seeded.as_mut() {
                Some(gen) => uuid::Uuid::from_u64_pair(gen.next_u64(), gen.next_u64()),
                None => uuid::Uuid::new_v4(),
            }
        } else {
            uuid::Uuid::new_v4()
        };
        id.hyphenated().encode_upper(&mut buf).to_owned()
    }

    fn restart(&self, seed: Option<u64>) {
        let mut seeded = self
            .seeded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *seeded = seed.map(|s| IdGen::new(Some(s ^ 0x5eed)));
        self.is_seeded
            .store(seed.is_some(), std::sync::atomic::Ordering::Release);
    }
}

/// The world and what stands in front of it.
#[derive(Debug, Clone)]
pub struct Engine {
    world: World,
    /// Set once persistence is loaded.
    store: Arc<std::sync::OnceLock<Arc<Store>>>,
    broken: Arc<Vec<BrokenInstance>>,
    faults: Arc<Faults>,
    log: Arc<RequestLog>,
    request_ids: Arc<RequestIds>,
}

impl Engine {
    /// The path to `world`, with the seed's broken instances, a request log of `log_size`
    /// entries, and request ids from `seed` when given.
    pub fn new(
        world: World,
        broken: Vec<BrokenInstance>,
        log_size: usize,
        seed: Option<u64>,
    ) -> Self {
        Self {
            world,
            store: Arc::new(std::sync::OnceLock::new()),
            broken: Arc::new(broken),
            faults: Arc::new(Faults::default()),
            log: Arc::new(RequestLog::new(log_size)),
            request_ids: Arc::new(RequestIds {
                seeded: Mutex::new(seed.map(|s| IdGen::new(Some(s ^ 0x5eed)))),
                is_seeded: std::sync::atomic::AtomicBool::new(seed.is_some()),
                initial: seed,
            }),
        }
    }

    /// From now on the world records every change in `store` (persistence), and calls wait
    /// for their change to be durable before they are answered.
    pub fn set_store(&self, store: Arc<Store>) {
        self.world.set_journal(store.clone());
        let _ = self.store.set(store);
    }

    /// The persistence store, when there is one.
    pub fn store(&self) -> Option<&Arc<Store>> {
        self.store.get()
    }

    /// The world (for the control plane: reading the clock and state).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The fault rules.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The request log.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// A new request id (upper-case UUID).
    pub fn request_id(&self) -> String {
        self.request_ids.next()
    }

    /// Restarts the request-id sequence from `seed`, or from the start-up seed (random ids
    /// when there is neither).
    pub fn restart_request_ids(&self, seed: Option<u64>) {
        self.request_ids.restart(seed.or(self.request_ids.initial));
    }

    /// Runs `call` for `meta`'s account and hands the outcome to `render`, which encodes it
    /// while the world is still locked (answers borrow from the state). Faults are decided
    /// first: a faulted call never reaches the world. Every call is logged.
    pub async fn apply<R: Outcome>(
        &self,
        meta: &RequestMeta<'_>,
        naming: &dyn Naming,
        call: Call,
        render: impl FnOnce(Result<Answer<'_>, Refusal>) -> R,
    ) -> R {
        self.apply_as(meta, naming, call, render, Part::Whole).await
    }

    /// [`Engine::apply`] for a request's whole work, or for a read that serves a request
    /// another call answers ([`Part::Look`]).
    pub async fn apply_as<R: Outcome>(
        &self,
        meta: &RequestMeta<'_>,
        naming: &dyn Naming,
        call: Call,
        render: impl FnOnce(Result<Answer<'_>, Refusal>) -> R,
        part: Part,
    ) -> R {
        let verdict = match part {
            Part::Whole => self.faults.decide(meta, Some(&call)),
            Part::Look => faults::Verdict::default(),
        };
        if verdict.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(verdict.latency_ms)).await;
        }
        let fault = match verdict.stop {
            Some(e) if e.drop_connection => Some(Fault::DropConnection),
            Some(e) => Some(Fault::Error(e)),
            None => self.broken_instance(meta, &call),
        };
        let logged = self.log.enabled().then(|| {
            let region = call.region().map(str::to_owned);
            let targets = call.targets().map(|(_, id)| id.to_owned()).collect();
            (region, targets)
        });
        let mut when = None;
        let out = match fault {
            Some(f) => render(Err(Refusal::Fault(f))),
            None => {
                let (out, recorded) =
                    self.world
                        .apply(meta.account, naming, wall_ms(), call, |now, answer| {
                            when = Some(now);
                            render(answer.map_err(Refusal::Domain))
                        });
                self.durable(recorded).await;
                out
            }
        };
        if let Some((region, resource_ids)) = logged {
            if part == Part::Whole || out.status() >= 400 {
                self.record(meta, &out, region, resource_ids, when, verdict.fired);
            }
        }
        out
    }

    /// Waits until a journal entry is durable (at once without persistence).
    pub async fn durable(&self, recorded: Recorded) {
        if let (Some(seq), Some(store)) = (recorded, self.store.get()) {
            store.wait_durable(seq).await;
        }
    }

    /// Resets everything or one account (see `World::reset_to`); durable when it returns.
    pub async fn reset(&self, account: Option<&str>, seed: Option<u64>) {
        let recorded = self.world.reset_to(account, seed);
        if account.is_none() || seed.is_some() {
            self.restart_request_ids(seed);
        }
        self.durable(recorded).await;
    }

    /// Imports a document (see `World::import`); durable when it returns.
    ///
    /// # Errors
    /// The document's first problem; nothing changes then.
    pub async fn import(
        &self,
        snapshot: domain::Snapshot,
        account: Option<&str>,
    ) -> Result<(), domain::world::ImportError> {
        let (recorded, retired) = self.world.import(snapshot, account, wall_ms())?;
        // The old world goes away on a blocking thread, not in the answer's time.
        if !retired.is_empty() {
            tokio::task::spawn_blocking(move || drop(retired));
        }
        self.durable(recorded).await;
        Ok(())
    }

    /// Advances the clock; durable when it returns.
    ///
    /// # Errors
    /// An advance out of range.
    pub async fn advance(&self, ms: i64) -> Result<(), domain::clock::AdvanceError> {
        let (_, recorded) = self.world.advance(ms, wall_ms())?;
        self.durable(recorded).await;
        Ok(())
    }

    /// Switches the clock's mode; durable when it returns.
    pub async fn set_clock_mode(&self, mode: domain::clock::ClockMode) {
        let (_, recorded) = self.world.set_clock_mode(mode, wall_ms());
        self.durable(recorded).await;
    }

    /// Logs a call that was answered before it reached the engine (a request the dialect
    /// could not read, or whose signature it refused).
    pub fn record_refused(&self, meta: &RequestMeta<'_>, out: &impl Outcome) {
        if self.log.enabled() {
            self.record(meta, out, None, Vec::new(), None, false);
        }
    }

    fn record(
        &self,
        meta: &RequestMeta<'_>,
        out: &impl Outcome,
        region: Option<String>,
        resource_ids: Vec<String>,
        virtual_time_ms: Option<i64>,
        faulted: bool,
    ) {
        let elapsed = meta.arrived.elapsed();
        self.log.push(LogEntry {
            seq: 0,
            time: log::WallTime(wall_ms()),
            virtual_time_ms,
            account: meta.account.to_owned(),
            dialect: meta.dialect,
            product: meta.product,
            action: log::clip(meta.action),
            version: log::clip(meta.version),
            region,
            resource_ids,
            params: log::Params::capture(meta.params),
            status: out.status(),
            code: out.code().map(str::to_owned),
            latency_ms: elapsed.as_secs_f64() * 1000.0,
            request_id: meta.request_id.to_owned(),
            faulted,
            source: match meta.source {
                Source::Api => "api",
                Source::Dashboard => "dashboard",
            },
        });
    }

    fn broken_instance(&self, meta: &RequestMeta<'_>, call: &Call) -> Option<Fault> {
        let lifecycle = matches!(
            call.op(),
            Op::StartInstance | Op::StopInstance | Op::RebootInstance | Op::DeleteInstance
        );
        if !lifecycle || self.broken.is_empty() {
            return None;
        }
        let hit = call.targets().any(|(kind, id)| {
            kind == Kind::Instance
                && self
                    .broken
                    .iter()
                    .any(|b| b.account == meta.account && b.instance_id == id)
        });
        hit.then_some(Fault::InternalError)
    }
}
