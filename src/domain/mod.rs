//! The simulated cloud: synchronous, knows nothing of HTTP or wire names.
//!
//! `World` is the shared handle; a call locks it once, takes the caller's `Scope` and runs one
//! operation. Operations are `Scope` methods spread over the resource files; every status read
//! settles the resource against the virtual clock first (see `clock::Lifecycle`).

pub mod catalog;
pub mod clock;
pub mod disk;
pub mod error;
pub mod ids;
pub mod instance;
pub mod replica;
pub mod replica_group;
pub mod replica_index;
pub mod replica_pair;
pub mod replica_query;
pub mod replica_sync;
pub mod seed;
pub mod world;

pub use error::{Denial, Error, Kind, Result};
pub use world::{Cloud, Scope, World};
