//! The one path every call to the simulated cloud takes, whichever dialect it came in: what the
//! call is (`RequestMeta` + the domain `Call`), the faults that may stop it before it reaches the
//! world, and the world itself, locked once.
//!
//! Whatever must see every call (fault injection, a request log, a write-ahead log) hooks in
//! here, once; dialects only decode before and encode after.

use std::sync::Arc;

use serde::Serialize;

use crate::domain::call::{Answer, Call};
use crate::domain::clock::wall_ms;
use crate::domain::{self, Kind, Naming, Op, World};

/// What travels with a call besides the call itself: who made it, in which dialect and action.
/// The region and the resources it acts on are read off the call ([`Call::region`],
/// [`Call::targets`]).
#[derive(Debug, Clone, Copy)]
pub struct RequestMeta<'a> {
    /// The dialect family, e.g. `alibaba`.
    pub dialect: &'static str,
    /// The product within it, e.g. `ecs`.
    pub product: &'static str,
    /// The API version.
    pub version: &'static str,
    /// The action's wire name.
    pub action: &'static str,
    /// The caller's account.
    pub account: &'a str,
    /// This request's id.
    pub request_id: &'a str,
}

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

/// Why a call did not reach the world, or what the world refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The domain's own refusal.
    Domain(domain::Error),
    /// A fault injected on the path.
    Fault(Fault),
}

/// An injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The service's internal error.
    InternalError,
}

/// A seeded instance on which every lifecycle operation fails with an internal error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenInstance {
    /// Its account.
    pub account: String,
    /// The instance.
    pub instance_id: String,
}

/// The world and what stands in front of it.
#[derive(Debug, Clone)]
pub struct Engine {
    world: World,
    broken: Arc<Vec<BrokenInstance>>,
}

impl Engine {
    /// The path to `world`, with the seed's broken instances.
    pub fn new(world: World, broken: Vec<BrokenInstance>) -> Self {
        Self {
            world,
            broken: Arc::new(broken),
        }
    }

    /// The world (for the control plane: reset, clock).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Runs `call` for `meta`'s account and hands the outcome to `render`, which encodes it
    /// while the world is still locked (answers borrow from the state). Asynchronous because
    /// an injected fault may delay the call; the world itself is locked only synchronously.
    pub async fn apply<R>(
        &self,
        meta: &RequestMeta<'_>,
        naming: &dyn Naming,
        call: Call,
        render: impl FnOnce(Result<Answer<'_>, Refusal>) -> R,
    ) -> R {
        if let Some(fault) = self.fault(meta, &call) {
            return render(Err(Refusal::Fault(fault)));
        }
        self.world
            .apply(meta.account, naming, wall_ms(), call, |answer| {
                render(answer.map_err(Refusal::Domain))
            })
    }

    fn fault(&self, meta: &RequestMeta<'_>, call: &Call) -> Option<Fault> {
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
