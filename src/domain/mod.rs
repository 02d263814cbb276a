//! The simulated cloud: synchronous, and free of any wire's vocabulary — statuses, operations,
//! fields and refusals are enums here, and each dialect spells them on its own wire.
//!
//! `World` is the shared handle; a call locks it once, takes the caller's `Scope` and runs one
//! operation. Operations are `Scope` methods spread over the resource files; every status read
//! settles the resource against the virtual clock first (see `clock::Lifecycle`). The whole
//! state serializes as a [`Snapshot`].

pub mod attachment;
pub mod attributes;
pub mod billing;
pub mod call;
pub mod catalog;
pub mod clock;
pub mod compute_index;
pub mod compute_query;
pub mod disk;
pub mod dispatch;
pub mod error;
#[cfg(test)]
pub(crate) mod fixture;
pub mod ids;
pub mod instance;
pub mod journal;
#[cfg(test)]
mod mirror_tests;
pub mod network;
pub mod op;
pub mod query;
pub mod quota;
pub mod replica;
pub mod replica_group;
pub mod replica_index;
pub mod replica_pair;
pub mod replica_query;
pub mod replica_site;
pub mod replica_sync;
pub mod status;
pub mod tagging;
pub mod tokens;
pub mod world;

pub use error::{Denial, Error, Field, Kind, Result, Status};
pub use ids::Naming;
pub use op::Op;
pub use world::{Cloud, Scope, Snapshot, World};
