//! The journal: every change to the world, as data, in the order the world made them — calls
//! with the virtual time they ran at, resets, imports and clock moves. The world hands each to
//! its journal while it is still locked; replaying the same entries on the same start state
//! gives the same world (ids come from the world's own generator, times from the entries).

use serde::{Deserialize, Serialize};

use super::call::Call;
use super::clock::{ClockMode, Millis};
use super::world::Snapshot;

/// One change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// A call that can change the world (recorded whether it succeeded or not: a refused call
    /// may still have settled what it read).
    Call {
        /// The caller's account.
        account: String,
        /// The naming style it ran with.
        naming: String,
        /// The virtual time it ran at.
        now: Millis,
        /// The call.
        call: Box<Call>,
    },
    /// A reset of everything or of one account.
    Reset {
        /// The account, when only one.
        account: Option<String>,
        /// The id seed given.
        seed: Option<u64>,
    },
    /// An imported document.
    Import {
        /// The account, when only one.
        account: Option<String>,
        /// The wall time of the import.
        wall: Millis,
        /// The document.
        snapshot: Box<Snapshot>,
    },
    /// A clock advance.
    Advance {
        /// Milliseconds.
        ms: Millis,
        /// The wall time of the advance.
        wall: Millis,
    },
    /// A switch of the clock's mode.
    ClockMode {
        /// The new mode.
        mode: ClockMode,
        /// The wall time of the switch.
        wall: Millis,
    },
}

/// Where the world records its changes.
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Records `entry` (called with the world locked, so entries are in the world's order);
    /// returns its sequence number, which the caller may wait on to be durable.
    fn record(&self, entry: &Entry) -> u64;
}
