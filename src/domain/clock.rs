//! The virtual clock every transition is computed from, and how long each transitional state lasts.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{ClockMode, Timing};

/// Milliseconds since the Unix epoch, on the virtual clock.
pub type Millis = i64;

/// The emulator's clock: the wall clock (or a frozen start instant) plus whatever was advanced.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    frozen_at: Millis,
    offset: AtomicI64,
}

fn wall_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Clock {
    /// A clock in the given mode, starting now.
    pub fn new(mode: ClockMode) -> Self {
        Self {
            mode,
            frozen_at: wall_ms(),
            offset: AtomicI64::new(0),
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Millis {
        let base = match self.mode {
            ClockMode::System => wall_ms(),
            ClockMode::Manual => self.frozen_at,
        };
        base + self.offset.load(Ordering::SeqCst)
    }

    /// Moves the clock forward (never backward) by `ms`.
    pub fn advance(&self, ms: Millis) {
        self.offset.fetch_add(ms.max(0), Ordering::SeqCst);
    }

    /// The mode it was started in.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }
}

/// How long each transitional state lasts, in virtual milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Durations {
    /// Instance `Pending` after RunInstances.
    pub instance_pending: Millis,
    /// Instance `Starting`.
    pub instance_starting: Millis,
    /// Instance `Stopping`.
    pub instance_stopping: Millis,
    /// Disk `Creating`.
    pub disk_creating: Millis,
    /// Disk `Attaching`.
    pub disk_attaching: Millis,
    /// Disk `Detaching`.
    pub disk_detaching: Millis,
    /// Short replica transitions: creating, stopping, deleting.
    pub replica_short: Millis,
    /// Replica failover and reprotect.
    pub replica_switch: Millis,
    /// A replica full copy (initial sync, one-shot sync).
    pub replica_full_sync: Millis,
    /// An incremental replication cycle (`syncing`).
    pub replica_incremental_sync: Millis,
    /// Virtual seconds per RPO second: a pair with RPO 900 starts a cycle every `900 * rpo_scale` s.
    pub rpo_scale: f64,
}

impl Durations {
    /// The documented delays of a timing mode.
    pub fn for_timing(timing: Timing, rpo_scale: f64) -> Self {
        match timing {
            Timing::Realistic => Self {
                instance_pending: 2_000,
                instance_starting: 3_000,
                instance_stopping: 3_000,
                disk_creating: 2_000,
                disk_attaching: 1_000,
                disk_detaching: 1_000,
                replica_short: 2_000,
                replica_switch: 3_000,
                replica_full_sync: 5_000,
                replica_incremental_sync: 1_000,
                rpo_scale,
            },
            Timing::Instant => Self {
                instance_pending: 0,
                instance_starting: 0,
                instance_stopping: 0,
                disk_creating: 0,
                disk_attaching: 0,
                disk_detaching: 0,
                replica_short: 0,
                replica_full_sync: 0,
                replica_switch: 0,
                replica_incremental_sync: 0,
                rpo_scale,
            },
        }
    }

    /// The length of one replication cycle for an RPO in seconds (at least one millisecond).
    pub fn rpo_cycle(&self, rpo_secs: i64) -> Millis {
        // Float is fine here: RPO values are small and the result is rounded to whole milliseconds.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let ms = (rpo_secs as f64 * 1000.0 * self.rpo_scale).round() as Millis;
        ms.max(1)
    }
}

/// A status together with the statuses it is scheduled to pass through, each at a virtual time.
///
/// Transitions are lazy: nothing runs in the background; every read first calls
/// [`Lifecycle::settle`] with the current virtual time, so the same clock gives the same history.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle<S> {
    status: S,
    since: Millis,
    steps: VecDeque<(Millis, S)>,
}

impl<S: Copy + PartialEq> Lifecycle<S> {
    /// A resource that is in `status` from `now` on, with nothing scheduled.
    pub fn new(status: S, now: Millis) -> Self {
        Self {
            status,
            since: now,
            steps: VecDeque::new(),
        }
    }

    /// The status as of the last settle.
    pub fn status(&self) -> S {
        self.status
    }

    /// When the current status was entered.
    pub fn since(&self) -> Millis {
        self.since
    }

    /// True while a scheduled step is still ahead.
    pub fn in_transition(&self) -> bool {
        !self.steps.is_empty()
    }

    /// The final status once every scheduled step has happened.
    pub fn target(&self) -> S {
        self.steps.back().map_or(self.status, |(_, s)| *s)
    }

    /// Applies every step that is due at `now`; returns the statuses passed through, in order.
    pub fn settle(&mut self, now: Millis) -> Vec<S> {
        let mut passed = Vec::new();
        while let Some(&(at, s)) = self.steps.front() {
            if at > now {
                break;
            }
            self.steps.pop_front();
            self.status = s;
            self.since = at;
            passed.push(s);
        }
        passed
    }

    /// Enters `first` now, then each `(dwell, next)` after the previous status lasted `dwell`.
    /// Nothing is applied yet: the owner settles, so it sees every status passed (zero dwells
    /// complete at the first settle).
    pub fn begin(&mut self, now: Millis, first: S, then: &[(Millis, S)]) {
        self.status = first;
        self.since = now;
        self.steps.clear();
        let mut at = now;
        for &(dwell, s) in then {
            at += dwell;
            self.steps.push_back((at, s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_steps_through_time() {
        let mut l = Lifecycle::new("stopped", 0);
        l.begin(100, "starting", &[(50, "running")]);
        assert_eq!(l.status(), "starting");
        assert!(l.in_transition());
        assert_eq!(l.target(), "running");
        assert!(l.settle(149).is_empty());
        assert_eq!(l.settle(150), vec!["running"]);
        assert_eq!((l.status(), l.since()), ("running", 150));
    }

    #[test]
    fn zero_dwell_completes_at_once() {
        let mut l = Lifecycle::new(1, 0);
        l.begin(10, 2, &[(0, 3), (0, 4)]);
        assert_eq!(l.settle(10), vec![3, 4]);
        assert_eq!(l.status(), 4);
        assert!(!l.in_transition());
    }

    #[test]
    fn manual_clock_only_moves_when_advanced() {
        let c = Clock::new(ClockMode::Manual);
        let t = c.now();
        assert_eq!(c.now(), t);
        c.advance(1500);
        assert_eq!(c.now(), t + 1500);
        c.advance(-5);
        assert_eq!(c.now(), t + 1500);
    }
}
