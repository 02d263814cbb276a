//! Replica pairs: the pair state table and the pair operations (create, start, stop, modify,
//! failover, reprotect, delete, describe, progress).

use serde::{Deserialize, Serialize};

use super::billing::ChargeType;
use super::catalog::Region;
use super::clock::Millis;
use super::disk::{self, DiskStatus};
use super::error::{Field, Status};
use super::replica_index::Site;
use super::replica_site::{check_site, CallSite, Place};
use super::replica_sync::{Dwell, Effect, Mode, Modes, ReplicaStatus as S, Track};
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// Why a pair is `invalid`, or why a create that was accepted ended `create_failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCause {
    /// One of its disks was released.
    DeviceRemoved,
    /// One of its disks was resized on its own (not through its group).
    DeviceSizeChanged,
    /// Create: the source (production) disk does not exist.
    SourceDiskMissing,
    /// Create: the destination (DR) disk does not exist.
    DestinationDiskMissing,
    /// Create: the two disks differ in size.
    SizeMismatch,
    /// Create: the source disk is already in another pair.
    SourceDiskPaired,
    /// Create: the destination disk is already in another pair.
    DestinationDiskPaired,
    /// Create: the destination disk is attached to an instance that is not stopped.
    DestinationDiskAttached,
}

impl StatusCause {
    /// True for the causes of a failed create (the pair never held its disks).
    pub fn failed_creation(self) -> bool {
        !matches!(self, Self::DeviceRemoved | Self::DeviceSizeChanged)
    }
}

/// One end of a replication: where the disk is, and which disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Region id.
    pub region_id: String,
    /// Zone id.
    pub zone_id: String,
    /// Disk id.
    pub disk_id: String,
}

impl Endpoint {
    /// Its region and zone.
    pub fn place(&self) -> Place {
        Place {
            region_id: self.region_id.clone(),
            zone_id: self.zone_id.clone(),
        }
    }
}

/// A replica pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaPair {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Where data is replicated from now.
    pub source: Endpoint,
    /// Where data is replicated to now.
    pub destination: Endpoint,
    /// The source at creation (kept across reprotects).
    pub primary: Place,
    /// The destination at creation (kept across reprotects).
    pub standby: Place,
    /// Recovery point objective, seconds.
    pub rpo: i64,
    /// Kbit/s; 0 = dynamic (pay-as-you-go).
    pub bandwidth: i64,
    /// Billing method.
    pub charge_type: ChargeType,
    /// Real-time copy enabled.
    pub enable_rtc: bool,
    /// Resource group.
    pub resource_group_id: String,
    /// Tags in the order given.
    pub tags: Vec<(String, String)>,
    /// The group it belongs to.
    pub group_id: Option<String>,
    /// Creation order within the account.
    #[serde(default)]
    pub seq: u64,
    /// Creation time.
    pub created_at: Millis,
    /// The last change made by a call (status changes over time are read off the track).
    #[serde(default)]
    pub touched_at: Option<Millis>,
    /// End of a subscription.
    pub expires_at: Option<Millis>,
    /// Why it is `invalid`.
    pub status_message: Option<StatusCause>,
    /// Status, syncs and recovery point.
    pub track: Track,
}

#[cfg(test)]
thread_local! {
    /// How many times a pair was settled on this thread (lets tests check Describe settles
    /// only a page).
    pub(crate) static SETTLES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl ReplicaPair {
    /// The status as of the last settle.
    pub fn status(&self) -> S {
        self.track.status()
    }

    /// Applies what is due at `now`.
    pub fn settle(&mut self, now: Millis) {
        self.track.settle(now);
        #[cfg(test)]
        SETTLES.with(|n| n.set(n.get() + 1));
    }

    /// True while the destination disk must stay detached (and unwritable).
    pub fn protects_destination(&self) -> bool {
        !matches!(
            self.status(),
            S::Failovered | S::Invalid | S::CreateFailed | S::Deleted
        )
    }

    /// (source region, destination region, primary region), for call-site checks.
    pub fn regions(&self) -> (&str, &str, &str) {
        (
            &self.source.region_id,
            &self.destination.region_id,
            &self.primary.region_id,
        )
    }

    /// True when `region` sees the pair from `site` (from either side when `None`).
    pub fn visible(&self, region: &str, site: Option<Site>) -> bool {
        let (src, dst) = (&self.source.region_id, &self.destination.region_id);
        match site {
            None => src == region || dst == region,
            Some(Site::Production) => src == region,
            Some(Site::Backup) => dst == region,
        }
    }

    /// Reverses the direction: Source* and Destination* swap, Primary*/Standby* stay.
    fn reverse(&mut self) {
        std::mem::swap(&mut self.source, &mut self.destination);
    }

    /// How it replicates.
    pub fn mode(&self) -> Mode {
        self.track.mode()
    }

    /// True when the pair claims its disks (a create that failed never did).
    pub fn holds_disks(&self) -> bool {
        self.status_message.is_none_or(|c| !c.failed_creation())
    }

    /// The side whose disk is written to now: the destination once failed over, else the source.
    pub fn serving(&self) -> &Endpoint {
        match self.status() {
            S::Failovered => &self.destination,
            _ => &self.source,
        }
    }

    /// The last change, or `None` while nothing changed since the creation.
    pub fn updated_at(&self) -> Option<Millis> {
        changed_after(self.created_at, self.touched_at, self.track.since())
    }
}

/// The last change of a record created at `created`, touched by calls at `touched` and in its
/// current status since `since`; `None` while that is the creation itself.
pub fn changed_after(created: Millis, touched: Option<Millis>, since: Millis) -> Option<Millis> {
    let last = touched.unwrap_or(created).max(since);
    (last > created).then_some(last)
}

/// Operations on a pair's status. `Start` and `Resume` are the two shapes of a start: the first
/// copy is full, later ones (once a recovery point exists) are incremental. `Reprotect` reverses
/// the direction; `CancelFailover` is a reprotect that keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum PairOp {
    Start,
    Resume,
    OneShot,
    Stop,
    Modify,
    Failover,
    Reprotect,
    CancelFailover,
    Delete,
}

impl PairOp {
    /// Every operation, for exhaustive table tests.
    pub const ALL: [Self; 9] = [
        Self::Start,
        Self::Resume,
        Self::OneShot,
        Self::Stop,
        Self::Modify,
        Self::Failover,
        Self::Reprotect,
        Self::CancelFailover,
        Self::Delete,
    ];
}

/// Failover is refused only from `invalid` and `deleted` (as documented) and from `deleting`:
/// a pair on its way out cannot be switched.
const FAILOVER_FROM: &[S] = &[
    S::Creating,
    S::Created,
    S::CreateFailed,
    S::InitialSyncing,
    S::ManualSyncing,
    S::Syncing,
    S::Normal,
    S::Stopping,
    S::Stopped,
    S::StopFailed,
    S::Failovering,
    S::Failovered,
    S::FailoverFailed,
    S::Reprotecting,
    S::ReprotectFailed,
    S::DeleteFailed,
    S::Reversing,
    S::Updating,
];

/// The pair state table: (operation, modes, allowed from, effect). Anything else is
/// InvalidStatus. Synchronous pairs resume mirroring after a reprotect (no separate start), have
/// no one-shot copy, and can be deleted before they ever replicated.
pub const MACHINE: &[(PairOp, Modes, &[S], Effect)] = &[
    (
        PairOp::Start,
        Modes::Any,
        &[S::Created, S::Stopped],
        Effect::Go(S::InitialSyncing, Dwell::FullSync, S::Normal),
    ),
    (
        PairOp::Resume,
        Modes::Any,
        &[S::Stopped],
        Effect::Go(S::Syncing, Dwell::IncrementalSync, S::Normal),
    ),
    (
        PairOp::OneShot,
        Modes::Asynchronous,
        &[S::Created, S::Stopped],
        Effect::Go(S::ManualSyncing, Dwell::Copy, S::Stopped),
    ),
    (
        PairOp::Stop,
        Modes::Any,
        &[S::InitialSyncing, S::Syncing, S::ManualSyncing, S::Normal],
        Effect::Go(S::Stopping, Dwell::Short, S::Stopped),
    ),
    (
        PairOp::Modify,
        Modes::Any,
        &[S::Created, S::Stopped],
        Effect::Keep,
    ),
    (
        PairOp::Failover,
        Modes::Any,
        FAILOVER_FROM,
        Effect::Go(S::Failovering, Dwell::Switch, S::Failovered),
    ),
    (
        PairOp::Reprotect,
        Modes::Asynchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::Switch, S::Stopped),
    ),
    (
        PairOp::CancelFailover,
        Modes::Asynchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::Switch, S::Stopped),
    ),
    (
        PairOp::Reprotect,
        Modes::Synchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::FullSync, S::Normal),
    ),
    (
        PairOp::CancelFailover,
        Modes::Synchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::FullSync, S::Normal),
    ),
    (
        PairOp::Delete,
        Modes::Asynchronous,
        &[S::Stopped, S::Invalid, S::Failovered],
        Effect::Go(S::Deleting, Dwell::Short, S::Deleted),
    ),
    (
        PairOp::Delete,
        Modes::Synchronous,
        &[
            S::Created,
            S::CreateFailed,
            S::Stopped,
            S::Invalid,
            S::Failovered,
        ],
        Effect::Go(S::Deleting, Dwell::Short, S::Deleted),
    ),
];

/// What `op` does to a pair in `mode` from `from`, or `None` when the table refuses it.
pub fn effect(op: PairOp, mode: Mode, from: S) -> Option<Effect> {
    MACHINE
        .iter()
        .find(|(o, modes, allowed, _)| *o == op && modes.include(mode) && allowed.contains(&from))
        .map(|(_, _, _, e)| *e)
}

/// What a pair create asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPair {
    /// The call region: the source disk's region.
    pub region_id: String,
    /// The source disk's zone, when the caller states it.
    pub source_zone_id: Option<String>,
    /// The source (primary) disk.
    pub disk_id: String,
    /// The destination disk's region.
    pub destination_region_id: String,
    /// The destination disk's zone, when the caller states it.
    pub destination_zone_id: Option<String>,
    /// The destination (secondary) disk.
    pub destination_disk_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Billing method.
    pub charge_type: ChargeType,
    /// Subscription length in months.
    pub period_months: Option<i64>,
    /// Kbit/s.
    pub bandwidth: i64,
    /// Seconds.
    pub rpo: i64,
    /// Real-time copy.
    pub enable_rtc: bool,
    /// Resource group.
    pub resource_group_id: String,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// How it replicates. A synchronous pair spans two zones of the call region; the checks a
    /// synchronous create makes after accepting it end in `create_failed` with a cause.
    #[serde(default)]
    pub mode: Mode,
}

/// What a pair modify changes (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairChanges {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// RPO seconds.
    pub rpo: Option<i64>,
    /// Bandwidth.
    pub bandwidth: Option<i64>,
    /// Real-time copy.
    pub enable_rtc: Option<bool>,
}

impl Scope<'_> {
    /// The pair seen from `region` under `rule`, settled to now.
    ///
    /// # Errors
    /// NotFound (region or pair, or a region that is neither side), wrong site.
    pub(crate) fn pair_at(
        &mut self,
        region: &str,
        id: &str,
        rule: CallSite,
    ) -> Result<&mut ReplicaPair> {
        self.purge_replicas();
        self.replica_region(region)?;
        let now = self.now;
        let not_found = || Error::not_found(Kind::ReplicaPair, id);
        let pair = self
            .account
            .replication
            .pairs
            .get_mut(id)
            .ok_or_else(not_found)?;
        pair.settle(now);
        check_site(region, pair.regions(), rule, not_found)?;
        Ok(pair)
    }

    /// The effect of `op` on this pair now, or the documented refusal.
    fn pair_effect(pair: &ReplicaPair, op: PairOp) -> Result<Effect> {
        effect(op, pair.mode(), pair.status()).ok_or_else(|| {
            Error::status(Kind::ReplicaPair, &pair.id, Status::Replica(pair.status()))
        })
    }

    /// Refuses a pair-level status change on a group member: its group moves it.
    fn ungrouped(pair: &ReplicaPair) -> Result<()> {
        match pair.group_id {
            Some(_) => Err(Error::Denied(Denial::OperationDenied)),
            None => Ok(()),
        }
    }

    /// True when the disk exists and is attached (or attaching/detaching) to an instance.
    pub(crate) fn disk_attached(&mut self, id: &str) -> bool {
        self.disk_mut(id).is_ok_and(|d| d.attachment.is_some())
    }

    /// Create: pairs two disks of the same category, level and size, in two
    /// regions or two zones of one region, neither already paired. Returns the pair id.
    /// A synchronous pair is checked as [`Scope::create_mirror_pair`] says.
    ///
    /// # Errors
    /// NotFound (region, disks), InvalidField (destination region, zones), IncorrectStatus
    /// (a disk still creating), OperationDenied (mismatched disks), DiskAlreadyPaired.
    pub fn create_replica_pair(&mut self, spec: &NewPair) -> Result<String> {
        self.purge_replicas();
        if spec.mode == Mode::Synchronous {
            return self.create_mirror_pair(spec);
        }
        let region = self.catalog.region(&spec.region_id)?;
        self.catalog
            .region(&spec.destination_region_id)
            .map_err(|_| Error::InvalidField(Field::DestinationRegion))?;
        let source = self.pair_end(
            &spec.disk_id,
            &spec.region_id,
            spec.source_zone_id.as_deref(),
            Field::SourceZone,
        )?;
        let destination = self.pair_end(
            &spec.destination_disk_id,
            &spec.destination_region_id,
            spec.destination_zone_id.as_deref(),
            Field::DestinationZone,
        )?;
        self.check_pairable(&source, &destination)?;
        Ok(self.insert_pair(region, spec, source, destination, None))
    }

    /// Create of a synchronous pair: two disks in two zones of the call region, the source in
    /// `source_zone_id`. Refused at once: an unknown zone, a destination in another region,
    /// disks of different categories (or one that does not replicate), the same zone twice, a
    /// disk still creating. Accepted, then `create_failed` with a cause: a missing disk,
    /// different sizes, a disk already paired, a destination attached to an instance that is
    /// not stopped.
    ///
    /// # Errors
    /// NotFound (region), InvalidField (zones, destination region), IncorrectStatus,
    /// OperationDenied (DiskMismatch).
    pub fn create_mirror_pair(&mut self, spec: &NewPair) -> Result<String> {
        let region = self.catalog.region(&spec.region_id)?;
        if spec.destination_region_id != region.id {
            return Err(Error::InvalidField(Field::DestinationRegion));
        }
        let zone = spec.source_zone_id.clone().unwrap_or_default();
        if !region.zones.iter().any(|z| z.id == zone) {
            return Err(Error::InvalidField(Field::SourceZone));
        }
        let src = self.mirror_end(&spec.disk_id, &spec.region_id);
        let dst = self.mirror_end(&spec.destination_disk_id, &spec.region_id);
        let cause = match (&src, &dst) {
            (None, _) => Some(StatusCause::SourceDiskMissing),
            (_, None) => Some(StatusCause::DestinationDiskMissing),
            (Some(a), Some(b)) => {
                self.check_mirrorable(a, b, &zone)?;
                self.deferred_failure(a, b)
            }
        };
        let or_missing = |end: Option<Endpoint>, disk_id: &str, zone: &str| {
            end.unwrap_or_else(|| Endpoint {
                region_id: spec.region_id.clone(),
                zone_id: zone.to_owned(),
                disk_id: disk_id.to_owned(),
            })
        };
        let source = or_missing(src, &spec.disk_id, &zone);
        let destination = or_missing(dst, &spec.destination_disk_id, "");
        Ok(self.insert_pair(region, spec, source, destination, cause))
    }

    /// The end of a synchronous pair, if its disk exists in `region`.
    fn mirror_end(&mut self, disk_id: &str, region: &str) -> Option<Endpoint> {
        let disk = self.disk_mut(disk_id).ok()?;
        (disk.region_id == region).then(|| Endpoint {
            region_id: disk.region_id.clone(),
            zone_id: disk.zone_id.clone(),
            disk_id: disk_id.to_owned(),
        })
    }

    /// The refusals of a synchronous create that are answered at once.
    fn check_mirrorable(&mut self, src: &Endpoint, dst: &Endpoint, zone: &str) -> Result<()> {
        if src.zone_id != zone {
            return Err(Error::InvalidField(Field::SourceZone));
        }
        let mut kinds = Vec::with_capacity(2);
        for end in [src, dst] {
            let disk = self.disk_mut(&end.disk_id)?;
            if disk.status() == DiskStatus::Creating {
                return Err(disk::incorrect(&end.disk_id, disk.status()));
            }
            kinds.push(disk.category.clone());
        }
        let replicable = self
            .catalog
            .disk_category(&kinds[0])
            .is_some_and(|c| c.replicable);
        if kinds[0] != kinds[1] || !replicable || src.zone_id == dst.zone_id {
            return Err(Error::Denied(Denial::DiskMismatch));
        }
        Ok(())
    }

    /// The first check a synchronous create fails after accepting it, if any.
    fn deferred_failure(&mut self, src: &Endpoint, dst: &Endpoint) -> Option<StatusCause> {
        let size = |s: &mut Self, id: &str| s.disk_mut(id).map(|d| d.size).ok();
        if size(self, &src.disk_id) != size(self, &dst.disk_id) {
            return Some(StatusCause::SizeMismatch);
        }
        let paired = &self.account.replication.pair_of_disk;
        if paired.contains_key(&src.disk_id) {
            return Some(StatusCause::SourceDiskPaired);
        }
        if paired.contains_key(&dst.disk_id) {
            return Some(StatusCause::DestinationDiskPaired);
        }
        self.attached_to_live_instance(&dst.disk_id)
            .then_some(StatusCause::DestinationDiskAttached)
    }

    /// True when the disk is attached to an instance that is not stopped.
    pub(crate) fn attached_to_live_instance(&mut self, disk_id: &str) -> bool {
        let instance = self
            .disk_mut(disk_id)
            .ok()
            .and_then(|d| d.attachment.as_ref().map(|a| a.instance_id.clone()));
        instance.is_some_and(|i| {
            self.instance_mut(&i)
                .is_ok_and(|i| i.status() != super::instance::InstanceStatus::Stopped)
        })
    }

    /// True when `disk_id` may not be the destination of a start: attached at all for an
    /// asynchronous pair; attached to an instance that is not stopped for a synchronous one.
    pub(crate) fn standby_blocked(&mut self, disk_id: &str, mode: Mode) -> bool {
        match mode {
            Mode::Asynchronous => self.disk_attached(disk_id),
            Mode::Synchronous => self.attached_to_live_instance(disk_id),
        }
    }

    /// Stores a new pair (claiming its disks unless `cause` fails it) and returns its id.
    fn insert_pair(
        &mut self,
        region: &Region,
        spec: &NewPair,
        source: Endpoint,
        destination: Endpoint,
        cause: Option<StatusCause>,
    ) -> String {
        let id = self.naming.id(Kind::ReplicaPair, region, &mut *self.ids);
        let now = self.now;
        let outcome = if cause.is_some() {
            S::CreateFailed
        } else {
            S::Created
        };
        let rep = &mut self.account.replication;
        rep.next_seq += 1;
        let pair = ReplicaPair {
            id: id.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            primary: source.place(),
            standby: destination.place(),
            source,
            destination,
            rpo: spec.rpo,
            bandwidth: spec.bandwidth,
            charge_type: spec.charge_type,
            enable_rtc: spec.enable_rtc,
            resource_group_id: spec.resource_group_id.clone(),
            tags: spec.tags.clone(),
            group_id: None,
            seq: rep.next_seq,
            created_at: now,
            touched_at: None,
            expires_at: spec
                .period_months
                .map(|m| now + m * 30 * 24 * 3_600 * 1_000),
            status_message: cause,
            track: Track::new(now, self.durations, spec.mode, outcome),
        };
        rep.pair_index
            .insert(&id, &pair.source.region_id, &pair.destination.region_id);
        if pair.holds_disks() {
            for disk in [&pair.source.disk_id, &pair.destination.disk_id] {
                rep.pair_of_disk.insert(disk.clone(), id.clone());
            }
        }
        rep.pairs.insert(id.clone(), pair);
        id
    }

    /// One end of a new pair: the disk must exist in `region` (and `zone` when given) and be ready.
    fn pair_end(
        &mut self,
        disk_id: &str,
        region: &str,
        zone: Option<&str>,
        zone_field: Field,
    ) -> Result<Endpoint> {
        let disk = self.disk_mut(disk_id)?;
        if disk.region_id != region {
            return Err(Error::not_found(Kind::Disk, disk_id));
        }
        if zone.is_some_and(|z| z != disk.zone_id) {
            return Err(Error::InvalidField(zone_field));
        }
        if disk.status() == DiskStatus::Creating {
            return Err(disk::incorrect(disk_id, disk.status()));
        }
        Ok(Endpoint {
            region_id: disk.region_id.clone(),
            zone_id: disk.zone_id.clone(),
            disk_id: disk_id.to_owned(),
        })
    }

    /// Same category (one that replicates), level and size; different zones; neither disk paired.
    fn check_pairable(&mut self, src: &Endpoint, dst: &Endpoint) -> Result<()> {
        let spec = |s: &mut Self, id: &str| {
            s.disk_mut(id)
                .map(|d| (d.category.clone(), d.performance_level.clone(), d.size))
        };
        let (a, b) = (spec(self, &src.disk_id)?, spec(self, &dst.disk_id)?);
        let replicable = self
            .catalog
            .disk_category(&a.0)
            .is_some_and(|c| c.replicable);
        if a != b || !replicable || src.place() == dst.place() {
            return Err(Error::Denied(Denial::DiskMismatch));
        }
        let paired = &self.account.replication.pair_of_disk;
        if paired.contains_key(&src.disk_id) || paired.contains_key(&dst.disk_id) {
            return Err(Error::Denied(Denial::DiskAlreadyPaired));
        }
        Ok(())
    }

    /// Start: continuous replication, or one copy with `one_shot`.
    ///
    /// # Errors
    /// NotFound, OperationDenied (group member), InvalidStatus, ManualSyncLimit,
    /// StandbyDeviceAttached.
    pub fn start_replica_pair(&mut self, region: &str, id: &str, one_shot: bool) -> Result<()> {
        let (now, d) = (self.now, *self.durations);
        let pair = self.pair_at(region, id, CallSite::Either)?;
        Self::ungrouped(pair)?;
        let has_point = pair.track.recover_point().is_some();
        let op = match (one_shot, has_point) {
            (true, _) => PairOp::OneShot,
            (false, true) => PairOp::Resume,
            (false, false) => PairOp::Start,
        };
        let eff = Self::pair_effect(pair, op)?.resolve(has_point);
        let (rpo, standby, mode) = (pair.rpo, pair.destination.disk_id.clone(), pair.mode());
        if one_shot && too_soon(pair.track.last_one_shot(), now, d.rpo_cycle(rpo)) {
            return Err(Error::Denied(Denial::ManualSyncLimit));
        }
        if self.standby_blocked(&standby, mode) {
            return Err(Error::Denied(Denial::StandbyDeviceAttached));
        }
        let pair = self.pair_at(region, id, CallSite::Either)?;
        pair.track.begin(now, eff, &d, rpo);
        pair.touched_at = Some(now);
        if one_shot {
            pair.track.mark_one_shot(now);
        }
        Ok(())
    }

    /// Runs a plain table transition (`op` needs nothing but the right status and site).
    fn pair_transition(
        &mut self,
        region: &str,
        id: &str,
        op: PairOp,
        rule: CallSite,
    ) -> Result<()> {
        let (now, d) = (self.now, *self.durations);
        let pair = self.pair_at(region, id, rule)?;
        Self::ungrouped(pair)?;
        let eff = Self::pair_effect(pair, op)?;
        let rpo = pair.rpo;
        pair.track.begin(now, eff, &d, rpo);
        pair.touched_at = Some(now);
        Ok(())
    }

    /// Stop: the copy in flight is dropped; the last recovery point stays.
    ///
    /// # Errors
    /// NotFound, OperationDenied (group member), InvalidStatus.
    pub fn stop_replica_pair(&mut self, region: &str, id: &str) -> Result<()> {
        self.pair_transition(region, id, PairOp::Stop, CallSite::Either)
    }

    /// Failover, called in the destination region: the secondary becomes usable.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForPrimary, OperationDenied (group member), InvalidStatus.
    pub fn failover_replica_pair(&mut self, region: &str, id: &str) -> Result<()> {
        self.pair_transition(region, id, PairOp::Failover, CallSite::Destination)
    }

    /// Modify: name, description, RPO, bandwidth, RTC; status unchanged.
    ///
    /// # Errors
    /// NotFound, InvalidStatus.
    pub fn modify_replica_pair(&mut self, region: &str, id: &str, c: &PairChanges) -> Result<()> {
        let now = self.now;
        let pair = self.pair_at(region, id, CallSite::Either)?;
        Self::pair_effect(pair, PairOp::Modify)?;
        if let Some(v) = &c.name {
            pair.name.clone_from(v);
        }
        if let Some(v) = &c.description {
            pair.description.clone_from(v);
        }
        pair.rpo = c.rpo.unwrap_or(pair.rpo);
        pair.bandwidth = c.bandwidth.unwrap_or(pair.bandwidth);
        pair.enable_rtc = c.enable_rtc.unwrap_or(pair.enable_rtc);
        pair.touched_at = Some(now);
        Ok(())
    }

    /// Reprotect, called in the destination region on a failed-over pair. With
    /// `reverse` the direction flips (the old source, which must be detached, becomes the
    /// destination); without it the failover is cancelled (the destination must be detached).
    /// Either way the pair ends `stopped`.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForPrimary, OperationDenied (group member), InvalidStatus,
    /// StandbyDeviceAttached.
    pub fn reprotect_replica_pair(&mut self, region: &str, id: &str, reverse: bool) -> Result<()> {
        let (now, d) = (self.now, *self.durations);
        let pair = self.pair_at(region, id, CallSite::Destination)?;
        Self::ungrouped(pair)?;
        let op = if reverse {
            PairOp::Reprotect
        } else {
            PairOp::CancelFailover
        };
        let eff = Self::pair_effect(pair, op)?;
        let new_standby = if reverse {
            pair.source.disk_id.clone()
        } else {
            pair.destination.disk_id.clone()
        };
        let mode = pair.mode();
        if self.standby_blocked(&new_standby, mode) {
            return Err(Error::Denied(Denial::StandbyDeviceAttached));
        }
        let rep = &mut self.account.replication;
        let pair = rep
            .pairs
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaPair, id))?;
        if reverse {
            rep.pair_index
                .swap(id, &pair.source.region_id, &pair.destination.region_id);
            pair.reverse();
            pair.track.forget_recover_point();
        }
        pair.track.begin(now, eff, &d, pair.rpo);
        pair.touched_at = Some(now);
        Ok(())
    }

    /// Delete, called in the primary region: `deleting`, then gone. Both disks stay.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForStandby, OperationDenied (group member), InvalidStatus.
    pub fn delete_replica_pair(&mut self, region: &str, id: &str) -> Result<()> {
        self.pair_transition(region, id, PairOp::Delete, CallSite::Primary)?;
        let gone_at = self.now + self.durations.replica_short;
        self.account
            .replication
            .deletions
            .insert((gone_at, id.to_owned()));
        self.purge_replicas();
        Ok(())
    }

    /// Progress: (percent of the current copy, last recovery point).
    ///
    /// # Errors
    /// NotFound.
    pub fn replica_pair_progress(
        &mut self,
        region: &str,
        id: &str,
    ) -> Result<(u8, Option<Millis>)> {
        let now = self.now;
        let pair = self.pair_at(region, id, CallSite::Either)?;
        Ok((pair.track.progress(now), pair.track.recover_point()))
    }
}

/// True when a one-shot started at `last` is less than half a cycle ago (ManualSyncLimit).
pub(crate) fn too_soon(last: Option<Millis>, now: Millis, period: Millis) -> bool {
    last.is_some_and(|t| now - t < period / 2)
}

#[cfg(test)]
#[path = "replica_pair_tests.rs"]
mod tests;
