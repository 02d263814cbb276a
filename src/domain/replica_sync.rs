//! The replication timeline shared by replica pairs and groups: statuses, sync windows and RPO cycles.
//!
//! Nothing runs in the background. A [`Track`] holds a [`Lifecycle`] for the one-step transitions
//! (creating → created, stopping → stopped, …) and, once continuous replication has reached
//! `normal`, a [`Cycle`] from which the current phase is *computed*: cycle `k ≥ 1` starts at
//! `anchor + k·period`, is `syncing` for `sync` milliseconds, then `normal` again. Every sync makes
//! the data as of its start time recoverable, so the last recovery point is the start of the last
//! completed sync. The same clock readings therefore always give the same history.

use serde::{Deserialize, Serialize};

use super::clock::{Durations, Lifecycle, Millis};

pub use super::status::ReplicaStatus;

/// How data reaches the destination.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Copies every RPO cycle: `normal` and `syncing` alternate, the recovery point lags.
    #[default]
    Asynchronous,
    /// Every write reaches both disks: once in sync a pair stays `normal`, never `syncing`, and
    /// its data is recoverable as of now.
    Synchronous,
}

/// Which replication modes a state-table row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modes {
    /// Both.
    Any,
    /// Only asynchronous pairs and groups.
    Asynchronous,
    /// Only synchronous ones.
    Synchronous,
}

impl Modes {
    /// True when a row for `self` applies to `mode`.
    pub fn include(self, mode: Mode) -> bool {
        matches!(
            (self, mode),
            (Self::Any, _)
                | (Self::Asynchronous, Mode::Asynchronous)
                | (Self::Synchronous, Mode::Synchronous)
        )
    }
}

/// Which configured delay a transitional status lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dwell {
    /// creating, stopping, deleting.
    Short,
    /// failovering, reprotecting.
    Switch,
    /// A full copy: initial sync, or a one-shot sync without an earlier recovery point.
    FullSync,
    /// An incremental copy (resume after stop, one-shot with a recovery point).
    IncrementalSync,
    /// A copy that is full without a recovery point and incremental with one; the operation
    /// decides ([`Effect::resolve`]) so that a group and all its members take the same time.
    Copy,
}

impl Dwell {
    fn millis(self, d: &Durations) -> Millis {
        match self {
            Self::Short => d.replica_short,
            Self::Switch => d.replica_switch,
            Self::FullSync | Self::Copy => d.replica_full_sync,
            Self::IncrementalSync => d.replica_incremental_sync,
        }
    }
}

/// What an allowed operation does to the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Enter the first status now, then the second once the dwell has passed.
    Go(ReplicaStatus, Dwell, ReplicaStatus),
    /// Allowed, and the status stays as it is.
    Keep,
}

impl Effect {
    /// Fixes a [`Dwell::Copy`] to an incremental copy when every copy involved already has a
    /// recovery point, else to a full one.
    pub fn resolve(self, has_point: bool) -> Self {
        match self {
            Self::Go(first, Dwell::Copy, next) => {
                let dwell = if has_point {
                    Dwell::IncrementalSync
                } else {
                    Dwell::FullSync
                };
                Self::Go(first, dwell, next)
            }
            other => other,
        }
    }
}

/// Continuous replication after the first `normal`: the phase at any time follows from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Cycle {
    /// When `normal` was first reached.
    anchor: Millis,
    /// Time between cycle starts (the scaled RPO).
    period: Millis,
    /// How long each cycle stays `syncing`.
    sync: Millis,
    /// The recovery point made by the sync that led to `anchor`.
    base: Option<Millis>,
}

/// What happens when the scheduled step completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Completion {
    Nothing,
    /// A one-shot sync: its start becomes the recovery point.
    Point,
    /// A continuous start: recovery point, then cycles of this period and sync length.
    PointAndCycle {
        period: Millis,
        sync: Millis,
    },
    /// A synchronous start: in sync from `normal` on (the recovery point follows the clock).
    Mirror,
}

/// The replication state of one pair or group, settled lazily against the virtual clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    mirror: bool,
    life: Lifecycle<ReplicaStatus>,
    cycle: Option<Cycle>,
    completion: Completion,
    window: Option<(Millis, Millis)>,
    recover_point: Option<Millis>,
    last_one_shot: Option<Millis>,
}

/// The cycle period and per-cycle sync length for an RPO. The sync never takes more than half a
/// period, so a cycle always shows both phases even when `--rpo-scale` is tiny.
pub fn cycle_lengths(d: &Durations, rpo_secs: i64) -> (Millis, Millis) {
    let period = d.rpo_cycle(rpo_secs);
    (period, d.replica_incremental_sync.min(period / 2))
}

impl Track {
    /// A track that is `creating` from `now` and `created` after the short delay.
    pub fn creating(now: Millis, d: &Durations) -> Self {
        Self::new(now, d, Mode::Asynchronous, ReplicaStatus::Created)
    }

    /// A track in `mode` that is `creating` from `now` and reaches `outcome` (`created`, or
    /// `create_failed` for a create accepted but bound to fail) after the short delay.
    pub fn new(now: Millis, d: &Durations, mode: Mode, outcome: ReplicaStatus) -> Self {
        let mut t = Self {
            mode,
            mirror: false,
            life: Lifecycle::new(ReplicaStatus::Creating, now),
            cycle: None,
            completion: Completion::Nothing,
            window: None,
            recover_point: None,
            last_one_shot: None,
        };
        t.begin(
            now,
            Effect::Go(ReplicaStatus::Creating, Dwell::Short, outcome),
            d,
            0,
        );
        t
    }

    /// How data is replicated.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The status as of the last settle.
    pub fn status(&self) -> ReplicaStatus {
        self.life.status()
    }

    /// When the current status (or cycle phase) began.
    pub fn since(&self) -> Millis {
        self.life.since()
    }

    /// The start of the last completed sync, if any sync has completed.
    pub fn recover_point(&self) -> Option<Millis> {
        self.recover_point
    }

    /// When the track reaches (or reached) `deleted`, if a deletion is under way.
    pub fn deleted_at(&self) -> Option<Millis> {
        if self.life.status() == ReplicaStatus::Deleted {
            return Some(self.life.since());
        }
        (self.life.target() == ReplicaStatus::Deleted)
            .then(|| self.life.steps_end())
            .flatten()
    }

    /// When the last one-shot sync was started.
    pub fn last_one_shot(&self) -> Option<Millis> {
        self.last_one_shot
    }

    /// Records a one-shot start (for the ManualSyncLimit rule).
    pub fn mark_one_shot(&mut self, now: Millis) {
        self.last_one_shot = Some(now);
    }

    /// Drops the recovery point: after the direction is reversed, the old one protects nothing.
    pub fn forget_recover_point(&mut self) {
        self.recover_point = None;
    }

    /// Percent of the copy in progress; 100 once a copy completed and none is running, else 0.
    pub fn progress(&self, now: Millis) -> u8 {
        match self.window {
            Some((start, end)) if self.status().is_syncing() => {
                if end <= start {
                    return 100;
                }
                let pct = ((now - start).clamp(0, end - start) * 100) / (end - start);
                u8::try_from(pct).unwrap_or(100)
            }
            _ if self.recover_point.is_some() => 100,
            _ => 0,
        }
    }

    /// Applies everything due at `now`: the scheduled step, then the cycle phase.
    pub fn settle(&mut self, now: Millis) {
        if let Some(&done) = self.life.settle(now).last() {
            self.complete(done);
        }
        self.tick(now);
    }

    fn complete(&mut self, reached: ReplicaStatus) {
        let at = self.life.since();
        let started = self.window.take().map(|(s, _)| s);
        match (self.completion, reached) {
            (Completion::Point, ReplicaStatus::Stopped) => self.recover_point = started,
            (Completion::Mirror, ReplicaStatus::Normal) => {
                self.recover_point = Some(at);
                self.mirror = true;
            }
            (Completion::PointAndCycle { period, sync }, ReplicaStatus::Normal) => {
                self.recover_point = started;
                self.cycle = Some(Cycle {
                    anchor: at,
                    period,
                    sync,
                    base: started,
                });
            }
            _ => {}
        }
        self.completion = Completion::Nothing;
    }

    /// Recomputes the phase of continuous replication (a no-op when none is running).
    fn tick(&mut self, now: Millis) {
        if self.mirror {
            self.recover_point = Some(now.max(self.life.since()));
            return;
        }
        let Some(c) = self.cycle else { return };
        let k = (now - c.anchor).div_euclid(c.period.max(1));
        if k <= 0 {
            return;
        }
        let start = c.anchor + k * c.period;
        let previous = if k == 1 {
            c.base
        } else {
            Some(start - c.period)
        };
        let (status, since, point, window) = if now < start + c.sync {
            let w = Some((start, start + c.sync));
            (ReplicaStatus::Syncing, start, previous, w)
        } else {
            (ReplicaStatus::Normal, start + c.sync, Some(start), None)
        };
        self.life = Lifecycle::new(status, since);
        self.recover_point = point;
        self.window = window;
    }

    /// Starts `effect` at `now` (settling at once, so zero delays complete within the call).
    /// `rpo_secs` sets the cycle period when the path leads into continuous replication.
    pub fn begin(&mut self, now: Millis, effect: Effect, d: &Durations, rpo_secs: i64) {
        let Effect::Go(first, dwell, next) = effect else {
            return;
        };
        let len = dwell.millis(d);
        self.cycle = None;
        self.mirror = false;
        self.completion = match (first, next, self.mode) {
            (_, ReplicaStatus::Normal, Mode::Synchronous) => Completion::Mirror,
            (ReplicaStatus::InitialSyncing | ReplicaStatus::Syncing, _, _) => {
                let (period, sync) = cycle_lengths(d, rpo_secs);
                Completion::PointAndCycle { period, sync }
            }
            (ReplicaStatus::ManualSyncing, _, _) => Completion::Point,
            _ => Completion::Nothing,
        };
        self.window = first.is_syncing().then_some((now, now + len));
        self.life.begin(now, first, &[(len, next)]);
        self.settle(now);
    }

    /// Breaks the track: `invalid` from `now`, nothing scheduled, no cycle.
    pub fn invalidate(&mut self, now: Millis) {
        self.force(ReplicaStatus::Invalid, now);
    }

    /// Sets the recovery point directly (table tests start from every status, with or without one).
    #[cfg(test)]
    pub(crate) fn set_recover_point(&mut self, point: Option<Millis>) {
        self.recover_point = point;
    }

    /// Puts the track in `status` from `now` with nothing scheduled (seeds, tests, invalidation).
    pub fn force(&mut self, status: ReplicaStatus, now: Millis) {
        self.cycle = None;
        self.mirror = false;
        self.window = None;
        self.completion = Completion::Nothing;
        self.life = Lifecycle::new(status, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::Timing;
    use ReplicaStatus as S;

    fn realistic() -> Durations {
        Durations::for_timing(Timing::Realistic, 0.01)
    }

    fn started(d: &Durations) -> Track {
        let mut t = Track::creating(0, d);
        t.settle(2_000);
        assert_eq!(t.status(), S::Created);
        t.begin(
            10_000,
            Effect::Go(S::InitialSyncing, Dwell::FullSync, S::Normal),
            d,
            900,
        );
        t
    }

    #[test]
    fn initial_sync_then_rpo_cycles() {
        let d = realistic();
        let mut t = started(&d);
        assert_eq!((t.status(), t.recover_point()), (S::InitialSyncing, None));
        assert_eq!(t.progress(10_000), 0);
        assert_eq!(t.progress(12_500), 50);
        t.settle(15_000);
        // The full copy took 5 s and captured the data as of its start.
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(10_000)));
        assert_eq!(t.progress(15_000), 100);
        // RPO 900 s × 0.01 = a cycle every 9 s, each syncing for 1 s.
        t.settle(23_999);
        assert_eq!(t.status(), S::Normal);
        t.settle(24_000);
        assert_eq!((t.status(), t.recover_point()), (S::Syncing, Some(10_000)));
        assert_eq!(t.progress(24_500), 50);
        t.settle(25_000);
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(24_000)));
        t.settle(33_500);
        assert_eq!((t.status(), t.recover_point()), (S::Syncing, Some(24_000)));
        t.settle(90_001);
        // 90_001 - 15_000 = 75_001 → k = 8, cycle started at 87_000 and ended at 88_000.
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(87_000)));
        assert_eq!(t.since(), 88_000);
    }

    #[test]
    fn settling_is_path_independent() {
        let d = realistic();
        let (mut a, mut b) = (started(&d), started(&d));
        for now in (10_000..200_000).step_by(777) {
            a.settle(now);
        }
        a.settle(200_000);
        b.settle(200_000);
        assert_eq!(a, b);
    }

    #[test]
    fn instant_timing_still_cycles() {
        let d = Durations::for_timing(Timing::Instant, 0.01);
        let mut t = Track::creating(0, &d);
        assert_eq!(t.status(), S::Created);
        t.begin(
            0,
            Effect::Go(S::InitialSyncing, Dwell::FullSync, S::Normal),
            &d,
            900,
        );
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(0)));
        t.settle(9_000);
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(9_000)));
        t.settle(26_999);
        assert_eq!(t.recover_point(), Some(18_000));
    }

    #[test]
    fn stop_discards_the_cycle_in_flight() {
        let d = realistic();
        let mut t = started(&d);
        t.settle(24_500);
        assert_eq!(t.status(), S::Syncing);
        t.begin(
            24_500,
            Effect::Go(S::Stopping, Dwell::Short, S::Stopped),
            &d,
            900,
        );
        t.settle(100_000);
        assert_eq!((t.status(), t.recover_point()), (S::Stopped, Some(10_000)));
        assert_eq!(t.since(), 26_500);
    }

    #[test]
    fn one_shot_returns_to_stopped_with_a_point() {
        let d = realistic();
        let mut t = Track::creating(0, &d);
        t.begin(
            3_000,
            Effect::Go(S::ManualSyncing, Dwell::FullSync, S::Stopped),
            &d,
            900,
        );
        assert_eq!(t.status(), S::ManualSyncing);
        t.settle(8_000);
        assert_eq!((t.status(), t.recover_point()), (S::Stopped, Some(3_000)));
        // No cycle follows a one-shot.
        t.settle(1_000_000);
        assert_eq!(t.status(), S::Stopped);
    }

    #[test]
    fn synchronous_replication_stays_normal_and_current() {
        let d = realistic();
        let mut t = Track::new(0, &d, Mode::Synchronous, S::Created);
        t.settle(2_000);
        assert_eq!(t.status(), S::Created);
        t.begin(
            10_000,
            Effect::Go(S::InitialSyncing, Dwell::FullSync, S::Normal),
            &d,
            0,
        );
        t.settle(15_000);
        assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(15_000)));
        // No cycle: normal for good, and the data is recoverable as of the last reading.
        for now in (15_000..200_000).step_by(333) {
            t.settle(now);
            assert_eq!((t.status(), t.recover_point()), (S::Normal, Some(now)));
        }
        assert_eq!(t.progress(200_000), 100);
        t.settle(200_000);
        t.begin(
            200_000,
            Effect::Go(S::Stopping, Dwell::Short, S::Stopped),
            &d,
            0,
        );
        t.settle(900_000);
        assert_eq!((t.status(), t.recover_point()), (S::Stopped, Some(200_000)));
    }

    #[test]
    fn a_create_bound_to_fail_fails_after_the_delay() {
        let d = realistic();
        let mut t = Track::new(0, &d, Mode::Synchronous, S::CreateFailed);
        assert_eq!(t.status(), S::Creating);
        t.settle(2_000);
        assert_eq!(t.status(), S::CreateFailed);
    }

    #[test]
    fn sync_never_exceeds_half_a_period() {
        let d = Durations::for_timing(Timing::Realistic, 0.0001);
        assert_eq!(cycle_lengths(&d, 900), (90, 45));
    }
}
