//! The virtual clock every transition is computed from, and how long each transitional state lasts.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, on the virtual clock.
pub type Millis = i64;

/// The longest single advance of the virtual clock: ten years.
pub const MAX_ADVANCE_MS: Millis = 10 * 366 * 24 * 3_600 * 1_000;

/// Where the virtual clock's time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// The wall clock, plus whatever was advanced.
    System,
    /// Stands still until advanced.
    Manual,
}

/// How long transitional states last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Short documented delays, observable through Describe calls.
    Realistic,
    /// Every transition completes within the call that starts it.
    Instant,
}

/// The emulator's clock, part of the world's state: the wall clock (or a frozen instant) plus
/// whatever was advanced. It never goes backwards: every reading is at least the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// Where time comes from.
    pub mode: ClockMode,
    /// The instant a manual clock stands at, before advances.
    pub frozen_at: Millis,
    /// Everything advanced so far.
    pub offset: Millis,
    /// The latest reading (the time of the call in progress while the world is locked).
    pub now: Millis,
}

/// The wall clock, in milliseconds since the Unix epoch.
pub fn wall_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Why an advance was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdvanceError {
    /// Negative, or longer than [`MAX_ADVANCE_MS`].
    #[error("an advance must be between 0 and {MAX_ADVANCE_MS} ms")]
    OutOfRange,
}

impl Clock {
    /// A clock in `mode` that reads `wall` now.
    pub fn new(mode: ClockMode, wall: Millis) -> Self {
        Self {
            mode,
            frozen_at: wall,
            offset: 0,
            now: wall,
        }
    }

    /// Reads the clock at wall time `wall`, never earlier than the last reading.
    pub fn read(&mut self, wall: Millis) -> Millis {
        let base = match self.mode {
            ClockMode::System => wall,
            ClockMode::Manual => self.frozen_at,
        };
        self.now = base.saturating_add(self.offset).max(self.now);
        self.now
    }

    /// Switches the mode; the clock goes on from where it is (a manual clock freezes at the
    /// current reading, a system clock resumes from it). Returns the reading.
    pub fn set_mode(&mut self, mode: ClockMode, wall: Millis) -> Millis {
        let now = self.read(wall);
        self.mode = mode;
        match mode {
            ClockMode::Manual => {
                self.frozen_at = now;
                self.offset = 0;
            }
            ClockMode::System => self.offset = now.saturating_sub(wall),
        }
        self.read(wall)
    }

    /// Moves the clock forward by `ms`.
    ///
    /// # Errors
    /// `OutOfRange` for a negative advance or one over [`MAX_ADVANCE_MS`]; nothing changes then.
    pub fn advance(&mut self, ms: Millis, wall: Millis) -> Result<Millis, AdvanceError> {
        if !(0..=MAX_ADVANCE_MS).contains(&ms) {
            return Err(AdvanceError::OutOfRange);
        }
        self.offset = self.offset.saturating_add(ms);
        self.now = self.now.saturating_add(ms);
        Ok(self.read(wall))
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
    /// The delays of a timing mode.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    /// The status at `now` without applying anything (a filter may look, only a read settles).
    pub fn status_at(&self, now: Millis) -> S {
        self.steps
            .iter()
            .take_while(|(at, _)| *at <= now)
            .last()
            .map_or(self.status, |(_, s)| *s)
    }

    /// When the current status was entered.
    pub fn since(&self) -> Millis {
        self.since
    }

    /// True while a scheduled step is still ahead.
    pub fn in_transition(&self) -> bool {
        !self.steps.is_empty()
    }

    /// When the last scheduled step happens, if one is ahead.
    pub fn steps_end(&self) -> Option<Millis> {
        self.steps.back().map(|(at, _)| *at)
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
        let mut c = Clock::new(ClockMode::Manual, 1_000);
        assert_eq!(c.read(5_000), 1_000);
        assert_eq!(c.advance(1_500, 9_000), Ok(2_500));
        assert_eq!(c.read(0), 2_500);
        assert_eq!(c.advance(-5, 0), Err(AdvanceError::OutOfRange));
        assert_eq!(
            c.advance(MAX_ADVANCE_MS + 1, 0),
            Err(AdvanceError::OutOfRange)
        );
        assert_eq!(c.read(0), 2_500);
    }

    #[test]
    fn pausing_and_resuming_go_on_from_now() {
        let mut c = Clock::new(ClockMode::System, 1_000);
        assert_eq!(c.advance(500, 1_000), Ok(1_500));
        assert_eq!(c.set_mode(ClockMode::Manual, 2_000), 2_500);
        assert_eq!(c.read(9_000), 2_500);
        assert_eq!(c.set_mode(ClockMode::System, 10_000), 2_500);
        assert_eq!(c.read(10_400), 2_900);
    }

    #[test]
    fn system_clock_never_goes_back() {
        let mut c = Clock::new(ClockMode::System, 1_000);
        assert_eq!(c.read(2_000), 2_000);
        assert_eq!(c.read(1_500), 2_000);
        assert_eq!(c.advance(500, 1_500), Ok(2_500));
        assert_eq!(c.read(3_000), 3_500);
    }
}
