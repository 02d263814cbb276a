//! Replica (consistency) groups: the group state table and the group operations. A group
//! operation moves the group and every member pair through the same path at the same instant,
//! so they settle identically: that is the atomicity the API promises. The file is long because
//! the table and all eleven operations read best side by side; Describe lives in `replica_query`.

use serde::{Deserialize, Serialize};

use super::clock::Millis;
use super::error::{Field, Status};
use super::replica_index::Site;
use super::replica_pair::changed_after;
use super::replica_pair::too_soon;
use super::replica_site::{check_site, CallSite, Place};
use super::replica_sync::{Dwell, Effect, Mode, Modes, ReplicaStatus as S, Track};
use super::world::Scope;
use super::{Denial, Error, Kind, Result};

/// At most this many pairs in one group (documented limit).
pub const MAX_PAIRS: usize = 17;

/// Total source-disk capacity a group may hold, GiB. The limit exists but its value is not
/// published; this one can only be reached with very large disks.
pub const CAPACITY_LIMIT_GIB: u64 = 1 << 20;

/// Empty groups an account may hold before CreateDiskReplicaGroup answers TooMuchEmptyGroup
/// (the real limit is not published).
pub const EMPTY_GROUP_LIMIT: usize = 100;

/// A replica group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaGroup {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Where members replicate from now.
    pub source: Place,
    /// Where members replicate to now.
    pub destination: Place,
    /// The source at creation.
    pub primary: Place,
    /// The destination at creation.
    pub standby: Place,
    /// Seconds; members take it.
    pub rpo: i64,
    /// Documented as not yet available: always 0 unless given.
    pub bandwidth: i64,
    /// Real-time copy; members follow.
    pub enable_rtc: bool,
    /// Resource group.
    pub resource_group_id: String,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Member pairs in the order added.
    pub pair_ids: Vec<String>,
    /// Creation order within the account.
    #[serde(default)]
    pub seq: u64,
    /// Creation time.
    pub created_at: Millis,
    /// The last change made by a call.
    #[serde(default)]
    pub touched_at: Option<Millis>,
    /// The group's own status, syncs and recovery point (members move in lockstep).
    pub track: Track,
}

impl ReplicaGroup {
    fn regions(&self) -> (&str, &str, &str) {
        (
            &self.source.region_id,
            &self.destination.region_id,
            &self.primary.region_id,
        )
    }

    /// True when `region` sees the group from `site` (from either side when `None`).
    pub fn visible(&self, region: &str, site: Option<Site>) -> bool {
        let (src, dst) = (&self.source.region_id, &self.destination.region_id);
        match site {
            None => src == region || dst == region,
            Some(Site::Production) => src == region,
            Some(Site::Backup) => dst == region,
        }
    }

    /// How its members replicate.
    pub fn mode(&self) -> Mode {
        self.track.mode()
    }

    /// The side written to now: the destination once failed over, else the source.
    pub fn serving(&self) -> &Place {
        match self.track.status() {
            S::Failovered => &self.destination,
            _ => &self.source,
        }
    }

    /// The last change, or `None` while nothing changed since the creation.
    pub fn updated_at(&self) -> Option<Millis> {
        changed_after(self.created_at, self.touched_at, self.track.since())
    }
}

/// Operations on a group's status (see `PairOp` for Start/Resume and Reprotect/CancelFailover).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum GroupOp {
    Start,
    Resume,
    OneShot,
    Stop,
    Modify,
    Failover,
    Reprotect,
    CancelFailover,
    Delete,
    AddPair,
    RemovePair,
    /// Settings and membership changed in one step (`updating`, then back).
    Update,
    /// A planned switchover of a synchronous group: the direction turns without data loss.
    Reverse,
    /// Every disk of some members grows.
    Extend,
}

impl GroupOp {
    /// Every operation, for exhaustive table tests.
    pub const ALL: [Self; 14] = [
        Self::Start,
        Self::Resume,
        Self::OneShot,
        Self::Stop,
        Self::Modify,
        Self::Failover,
        Self::Reprotect,
        Self::CancelFailover,
        Self::Delete,
        Self::AddPair,
        Self::RemovePair,
        Self::Update,
        Self::Reverse,
        Self::Extend,
    ];

    /// The refusal when the group's status does not allow the operation.
    pub fn refusal(self) -> Option<Denial> {
        match self {
            Self::AddPair => Some(Denial::GroupStatusCannotAddPair),
            Self::RemovePair => Some(Denial::GroupStatusCannotRemovePair),
            _ => None,
        }
    }
}

const RUNNING: &[S] = &[S::InitialSyncing, S::Syncing, S::Normal];

/// The group state table: (operation, modes, allowed from, effect); the first matching row
/// wins. Start is allowed while already running (documented) and then changes nothing; groups
/// report `initial_syncing` during their first copy, like pairs. A synchronous group that never
/// replicated counts as paused, has no one-shot copy, mirrors again right after a reprotect, and
/// can switch direction while in sync (`Reverse`).
pub const MACHINE: &[(GroupOp, Modes, &[S], Effect)] = &[
    (
        GroupOp::Start,
        Modes::Any,
        &[S::Created, S::Stopped],
        Effect::Go(S::InitialSyncing, Dwell::FullSync, S::Normal),
    ),
    (GroupOp::Start, Modes::Any, RUNNING, Effect::Keep),
    (
        GroupOp::Resume,
        Modes::Any,
        &[S::Stopped],
        Effect::Go(S::Syncing, Dwell::IncrementalSync, S::Normal),
    ),
    (GroupOp::Resume, Modes::Any, RUNNING, Effect::Keep),
    (
        GroupOp::OneShot,
        Modes::Asynchronous,
        &[S::Created, S::ManualSyncing, S::Stopped],
        Effect::Go(S::ManualSyncing, Dwell::Copy, S::Stopped),
    ),
    (
        GroupOp::Stop,
        Modes::Any,
        &[
            S::InitialSyncing,
            S::ManualSyncing,
            S::Syncing,
            S::Normal,
            S::StopFailed,
        ],
        Effect::Go(S::Stopping, Dwell::Short, S::Stopped),
    ),
    (
        GroupOp::Stop,
        Modes::Any,
        &[S::Stopping, S::Stopped],
        Effect::Keep,
    ),
    (
        GroupOp::Stop,
        Modes::Synchronous,
        &[S::Created],
        Effect::Keep,
    ),
    (
        GroupOp::Modify,
        Modes::Any,
        &[S::Created, S::Stopped],
        Effect::Keep,
    ),
    (
        GroupOp::Failover,
        Modes::Any,
        &[
            S::ManualSyncing,
            S::Syncing,
            S::Normal,
            S::Stopping,
            S::StopFailed,
            S::Stopped,
            S::Failovering,
            S::FailoverFailed,
            S::Failovered,
        ],
        Effect::Go(S::Failovering, Dwell::Switch, S::Failovered),
    ),
    (
        GroupOp::Reprotect,
        Modes::Asynchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::Switch, S::Stopped),
    ),
    (
        GroupOp::CancelFailover,
        Modes::Asynchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::Switch, S::Stopped),
    ),
    (
        GroupOp::Reprotect,
        Modes::Synchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::FullSync, S::Normal),
    ),
    (
        GroupOp::CancelFailover,
        Modes::Synchronous,
        &[S::Failovered],
        Effect::Go(S::Reprotecting, Dwell::FullSync, S::Normal),
    ),
    (
        GroupOp::Delete,
        Modes::Any,
        &[
            S::Created,
            S::CreateFailed,
            S::Stopped,
            S::Failovered,
            S::DeleteFailed,
            S::Invalid,
        ],
        Effect::Go(S::Deleting, Dwell::Short, S::Deleted),
    ),
    (GroupOp::Delete, Modes::Any, &[S::Deleting], Effect::Keep),
    (
        GroupOp::AddPair,
        Modes::Any,
        &[S::Created, S::Stopped],
        Effect::Keep,
    ),
    (
        GroupOp::RemovePair,
        Modes::Any,
        &[S::Created, S::Stopped, S::Invalid],
        Effect::Keep,
    ),
    (
        GroupOp::Update,
        Modes::Any,
        &[S::Created],
        Effect::Go(S::Updating, Dwell::Short, S::Created),
    ),
    (
        GroupOp::Update,
        Modes::Any,
        &[S::Stopped],
        Effect::Go(S::Updating, Dwell::Short, S::Stopped),
    ),
    (
        GroupOp::Reverse,
        Modes::Synchronous,
        &[S::Normal],
        Effect::Go(S::Reversing, Dwell::Switch, S::Normal),
    ),
    (
        GroupOp::Extend,
        Modes::Any,
        &[S::Created, S::Stopped, S::Normal],
        Effect::Keep,
    ),
];

/// What `op` does to a group in `mode` from `from`, or `None` when the table refuses it.
pub fn effect(op: GroupOp, mode: Mode, from: S) -> Option<Effect> {
    MACHINE
        .iter()
        .find(|(o, modes, allowed, _)| *o == op && modes.include(mode) && allowed.contains(&from))
        .map(|(_, _, _, e)| *e)
}

/// What a group create asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewGroup {
    /// The call (production) region.
    pub region_id: String,
    /// SourceZoneId.
    pub source_zone_id: String,
    /// DestinationRegionId.
    pub destination_region_id: String,
    /// DestinationZoneId.
    pub destination_zone_id: String,
    /// GroupName.
    pub name: String,
    /// Description.
    pub description: String,
    /// RPO seconds.
    pub rpo: i64,
    /// Bandwidth.
    pub bandwidth: i64,
    /// EnableRtc.
    pub enable_rtc: bool,
    /// ResourceGroupId.
    pub resource_group_id: String,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// How its members replicate.
    #[serde(default)]
    pub mode: Mode,
    /// Pairs that join at creation, all or none. With members, an empty destination zone means
    /// the members' destination zone.
    #[serde(default)]
    pub pair_ids: Vec<String>,
}

/// What a group modify changes (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupChanges {
    /// GroupName.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// RPO seconds (members follow).
    pub rpo: Option<i64>,
    /// Bandwidth.
    pub bandwidth: Option<i64>,
    /// EnableRtc (members follow).
    pub enable_rtc: Option<bool>,
}

/// True when a member in `pair` may follow a group in `group` status.
fn in_step(group: S, pair: S) -> bool {
    let idle = |s| matches!(s, S::Created | S::Stopped);
    group == pair || (idle(group) && idle(pair))
}

impl Scope<'_> {
    /// Settles the group and its members; returns its effective status.
    pub(crate) fn settle_group(&mut self, id: &str) -> Result<S> {
        let now = self.now;
        let rep = &mut self.account.replication;
        let g = rep
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))?;
        g.track.settle(now);
        let mut status = g.track.status();
        for m in &g.pair_ids {
            if let Some(p) = rep.pairs.get_mut(m) {
                p.settle(now);
                if p.status() == S::Invalid {
                    status = S::Invalid;
                }
            }
        }
        Ok(status)
    }

    /// The group seen from `region` under `rule`, settled; returns its effective status.
    fn group_at(&mut self, region: &str, id: &str, rule: CallSite) -> Result<S> {
        self.purge_replicas();
        self.replica_region(region)?;
        let status = self.settle_group(id)?;
        let g = self.group(id)?;
        check_site(region, g.regions(), rule, || {
            Error::not_found(Kind::ReplicaGroup, id)
        })?;
        Ok(status)
    }

    pub(crate) fn group(&self, id: &str) -> Result<&ReplicaGroup> {
        self.account
            .replication
            .groups
            .get(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))
    }

    fn group_mut(&mut self, id: &str) -> Result<&mut ReplicaGroup> {
        self.account
            .replication
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))
    }

    /// The effect of `op` on a group in `status`, or the documented refusal.
    fn group_effect(&self, id: &str, status: S, op: GroupOp) -> Result<Effect> {
        let mode = self.group(id)?.mode();
        effect(op, mode, status).ok_or_else(|| match op.refusal() {
            Some(d) => Error::Denied(d),
            None => Error::status(Kind::ReplicaGroup, id, Status::Replica(status)),
        })
    }

    /// The members, refusing an empty group (NoPairInGroup) or a member out of step.
    fn members_in_step(&self, id: &str, status: S) -> Result<Vec<String>> {
        let g = self.group(id)?;
        if g.pair_ids.is_empty() {
            return Err(Error::Denied(Denial::NoPairInGroup));
        }
        let pairs = &self.account.replication.pairs;
        for m in &g.pair_ids {
            if pairs.get(m).is_none_or(|p| !in_step(status, p.status())) {
                return Err(Error::Denied(Denial::PairGroupStatusConflict));
            }
        }
        Ok(g.pair_ids.clone())
    }

    /// Moves the group and every member through `eff` at the same instant.
    fn group_begin(&mut self, id: &str, eff: Effect) -> Result<()> {
        let (now, d) = (self.now, *self.durations);
        let rep = &mut self.account.replication;
        let g = rep
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))?;
        g.track.begin(now, eff, &d, g.rpo);
        g.touched_at = Some(now);
        for m in &g.pair_ids {
            if let Some(p) = rep.pairs.get_mut(m) {
                p.track.begin(now, eff, &d, g.rpo);
                p.touched_at = Some(now);
            }
        }
        Ok(())
    }

    /// The destination disks of the members (or their sources, with `sources`) that may not be
    /// the destination of a copy now.
    fn blocked_standby(&mut self, members: &[String], sources: bool) -> bool {
        let rep = &self.account.replication;
        let disks: Vec<(String, Mode)> = members
            .iter()
            .filter_map(|m| rep.pairs.get(m))
            .map(|p| {
                let end = if sources { &p.source } else { &p.destination };
                (end.disk_id.clone(), p.mode())
            })
            .collect();
        disks.iter().any(|(d, mode)| self.standby_blocked(d, *mode))
    }

    /// Create: a group for one (source zone, destination zone) route, empty or with its first
    /// pairs (all join, or the create is refused and nothing changes).
    ///
    /// # Errors
    /// NotFound(Region), InvalidField (zones, destination region), OperationDenied (same
    /// zone twice), TooMuchEmptyGroup; for the pairs, what adding each would answer.
    pub fn create_replica_group(&mut self, spec: &NewGroup) -> Result<String> {
        self.purge_replicas();
        let region = self.catalog.region(&spec.region_id)?;
        self.catalog
            .region(&spec.destination_region_id)
            .map_err(|_| Error::InvalidField(Field::DestinationRegion))?;
        let source = self.place(&spec.region_id, &spec.source_zone_id, Field::SourceZone)?;
        let destination_zone = match (spec.destination_zone_id.as_str(), spec.pair_ids.first()) {
            ("", Some(first)) => self
                .account
                .replication
                .pairs
                .get(first)
                .map(|p| p.destination.zone_id.clone())
                .unwrap_or_default(),
            (zone, _) => zone.to_owned(),
        };
        let destination = self.place(
            &spec.destination_region_id,
            &destination_zone,
            Field::DestinationZone,
        )?;
        if source == destination {
            return Err(Error::Denied(Denial::OperationDenied));
        }
        let rep = &self.account.replication;
        let empty = rep
            .groups
            .values()
            .filter(|g| g.pair_ids.is_empty())
            .count();
        if spec.pair_ids.is_empty() && empty >= EMPTY_GROUP_LIMIT {
            return Err(Error::Denied(Denial::TooMuchEmptyGroup));
        }
        let route = (source.clone(), destination.clone());
        self.check_joining(&spec.region_id, None, &route, &[], &spec.pair_ids)?;
        let id = self.naming.id(Kind::ReplicaGroup, region, &mut *self.ids);
        let now = self.now;
        let rep = &mut self.account.replication;
        rep.next_seq += 1;
        let group = ReplicaGroup {
            id: id.clone(),
            name: spec.name.clone(),
            description: spec.description.clone(),
            primary: source.clone(),
            standby: destination.clone(),
            source,
            destination,
            rpo: spec.rpo,
            bandwidth: spec.bandwidth,
            enable_rtc: spec.enable_rtc,
            resource_group_id: spec.resource_group_id.clone(),
            tags: spec.tags.clone(),
            pair_ids: Vec::new(),
            seq: rep.next_seq,
            created_at: now,
            touched_at: None,
            track: Track::new(now, self.durations, spec.mode, S::Created),
        };
        rep.group_index
            .insert(&id, &group.source.region_id, &group.destination.region_id);
        rep.groups.insert(id.clone(), group);
        self.join(&id, &spec.pair_ids)?;
        Ok(id)
    }

    /// Checks that `joining` may join a group on `route` (`group`: an existing one, whose
    /// `leaving` members go at the same time), before anything changes.
    fn check_joining(
        &mut self,
        region: &str,
        group: Option<&str>,
        route: &(Place, Place),
        leaving: &[String],
        joining: &[String],
    ) -> Result<()> {
        let mut members: Vec<String> = match group {
            Some(g) => self.group(g)?.pair_ids.clone(),
            None => Vec::new(),
        };
        members.retain(|m| !leaving.contains(m));
        for pair_id in joining {
            let pair = self.pair_at(region, pair_id, CallSite::Either)?;
            match pair.group_id.as_deref() {
                Some(g) if Some(g) == group && !leaving.contains(pair_id) => continue,
                Some(_) => return Err(Error::Denied(Denial::PairInAnotherGroup)),
                None => {}
            }
            match pair.status() {
                S::Creating | S::InitialSyncing => {
                    return Err(Error::Denied(Denial::PairInitializing))
                }
                S::Created | S::Stopped => {}
                _ => return Err(Error::Denied(Denial::PairStatusCannotAddToGroup)),
            }
            if pair.source.place() != route.0 || pair.destination.place() != route.1 {
                return Err(Error::Denied(Denial::PairGroupZoneConflict));
            }
            if !members.contains(pair_id) {
                members.push(pair_id.clone());
            }
        }
        if members.len() > MAX_PAIRS {
            return Err(Error::Denied(Denial::PairsExceedInGroup));
        }
        if self.group_capacity(&members) > CAPACITY_LIMIT_GIB {
            return Err(Error::Denied(Denial::GroupTotalDiskCapacityLimit));
        }
        Ok(())
    }

    /// Makes checked pairs members of `group_id`, taking its RPO and RTC setting.
    fn join(&mut self, group_id: &str, joining: &[String]) -> Result<()> {
        let now = self.now;
        let rep = &mut self.account.replication;
        let g = rep
            .groups
            .get_mut(group_id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, group_id))?;
        for pair_id in joining {
            let Some(p) = rep.pairs.get_mut(pair_id) else {
                continue;
            };
            if !g.pair_ids.contains(pair_id) {
                g.pair_ids.push(pair_id.clone());
            }
            p.group_id = Some(group_id.to_owned());
            p.rpo = g.rpo;
            p.enable_rtc = g.enable_rtc;
            p.touched_at = Some(now);
        }
        Ok(())
    }

    fn place(&self, region: &str, zone: &str, field: Field) -> Result<Place> {
        match self.catalog.zone(zone) {
            Ok((r, z)) if r.id == region => Ok(Place {
                region_id: region.to_owned(),
                zone_id: z.id.clone(),
            }),
            _ => Err(Error::InvalidField(field)),
        }
    }

    /// Modify: name, description, RPO, bandwidth, RTC (members follow RPO and RTC).
    ///
    /// # Errors
    /// NotFound, InvalidStatus.
    pub fn modify_replica_group(&mut self, region: &str, id: &str, c: &GroupChanges) -> Result<()> {
        let now = self.now;
        let status = self.group_at(region, id, CallSite::Either)?;
        self.group_effect(id, status, GroupOp::Modify)?;
        let rep = &mut self.account.replication;
        let g = rep
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))?;
        if let Some(v) = &c.name {
            g.name.clone_from(v);
        }
        if let Some(v) = &c.description {
            g.description.clone_from(v);
        }
        g.rpo = c.rpo.unwrap_or(g.rpo);
        g.bandwidth = c.bandwidth.unwrap_or(g.bandwidth);
        g.enable_rtc = c.enable_rtc.unwrap_or(g.enable_rtc);
        g.touched_at = Some(now);
        for m in &g.pair_ids {
            if let Some(p) = rep.pairs.get_mut(m) {
                p.rpo = g.rpo;
                p.enable_rtc = g.enable_rtc;
            }
        }
        Ok(())
    }

    /// Delete, called in the primary region, on an empty group.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForStandby, InvalidStatus, GroupHasPair.
    pub fn delete_replica_group(&mut self, region: &str, id: &str) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Primary)?;
        let eff = self.group_effect(id, status, GroupOp::Delete)?;
        if !self.group(id)?.pair_ids.is_empty() {
            return Err(Error::Denied(Denial::GroupHasPair));
        }
        if eff == Effect::Keep {
            return Ok(());
        }
        self.group_begin(id, eff)?;
        let gone_at = self.now + self.durations.replica_short;
        self.account
            .replication
            .deletions
            .insert((gone_at, id.to_owned()));
        self.purge_replicas();
        Ok(())
    }

    /// Add a pair: a created or stopped pair on the group's route joins a created or
    /// stopped group and takes its RPO and RTC setting.
    ///
    /// # Errors
    /// NotFound, GroupStatusCannotAddPair, PairInAnotherGroup, PairInitializing,
    /// PairStatusCannotAddToGroup, PairGroupAZoneConflict, PairsExceedInGroup,
    /// GroupTotalDiskCapacityLimit.
    pub fn add_replica_pair(&mut self, region: &str, group_id: &str, pair_id: &str) -> Result<()> {
        let status = self.group_at(region, group_id, CallSite::Either)?;
        self.group_effect(group_id, status, GroupOp::AddPair)?;
        let pair = self.pair_at(region, pair_id, CallSite::Either)?;
        match pair.group_id.as_deref() {
            Some(g) if g == group_id => return Ok(()),
            Some(_) => return Err(Error::Denied(Denial::PairInAnotherGroup)),
            None => {}
        }
        match pair.status() {
            S::Creating | S::InitialSyncing => return Err(Error::Denied(Denial::PairInitializing)),
            S::Created | S::Stopped => {}
            _ => return Err(Error::Denied(Denial::PairStatusCannotAddToGroup)),
        }
        let pair = pair.clone();
        let g = self.group(group_id)?;
        if pair.source.region_id != g.source.region_id
            || pair.source.zone_id != g.source.zone_id
            || pair.destination.region_id != g.destination.region_id
            || pair.destination.zone_id != g.destination.zone_id
        {
            return Err(Error::Denied(Denial::PairGroupZoneConflict));
        }
        if g.pair_ids.len() >= MAX_PAIRS {
            return Err(Error::Denied(Denial::PairsExceedInGroup));
        }
        let mut members = g.pair_ids.clone();
        members.push(pair_id.to_owned());
        if self.group_capacity(&members) > CAPACITY_LIMIT_GIB {
            return Err(Error::Denied(Denial::GroupTotalDiskCapacityLimit));
        }
        let now = self.now;
        let g = self.group_mut(group_id)?;
        g.pair_ids = members;
        g.touched_at = Some(now);
        let (rpo, rtc) = (g.rpo, g.enable_rtc);
        let p = self.pair_at(region, pair_id, CallSite::Either)?;
        p.group_id = Some(group_id.to_owned());
        p.rpo = rpo;
        p.enable_rtc = rtc;
        p.touched_at = Some(now);
        Ok(())
    }

    fn group_capacity(&self, members: &[String]) -> u64 {
        let rep = &self.account.replication;
        members
            .iter()
            .filter_map(|m| rep.pairs.get(m))
            .filter_map(|p| self.account.disks.get(&p.source.disk_id))
            .map(|d| u64::from(d.size))
            .sum()
    }

    /// Remove a pair: the pair leaves the group (and keeps existing).
    ///
    /// # Errors
    /// NotFound, GroupStatusCannotRemovePair, NoPairInGroup, PairNotInGroup,
    /// PairStatusCannotRemoveFromGroup.
    pub fn remove_replica_pair(
        &mut self,
        region: &str,
        group_id: &str,
        pair_id: &str,
    ) -> Result<()> {
        let status = self.group_at(region, group_id, CallSite::Either)?;
        self.group_effect(group_id, status, GroupOp::RemovePair)?;
        if self.group(group_id)?.pair_ids.is_empty() {
            return Err(Error::Denied(Denial::NoPairInGroup));
        }
        let now = self.now;
        let pair = self.pair_at(region, pair_id, CallSite::Either)?;
        if pair.group_id.as_deref() != Some(group_id) {
            return Err(Error::Denied(Denial::PairNotInGroup));
        }
        if !matches!(pair.status(), S::Created | S::Stopped | S::Invalid) {
            return Err(Error::Denied(Denial::PairStatusCannotRemoveFromGroup));
        }
        pair.group_id = None;
        pair.touched_at = Some(now);
        let g = self.group_mut(group_id)?;
        g.pair_ids.retain(|m| m != pair_id);
        g.touched_at = Some(now);
        Ok(())
    }

    /// Start: every member starts (or copies once with `one_shot`) together.
    ///
    /// # Errors
    /// NotFound, InvalidStatus, NoPairInGroup, PairGroupStatusConflict, ManualSyncLimit,
    /// StandbyDeviceAttached.
    pub fn start_replica_group(&mut self, region: &str, id: &str, one_shot: bool) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Either)?;
        let rep = &self.account.replication;
        let g = self.group(id)?;
        let members = &g.pair_ids;
        let has_point = g.track.recover_point().is_some()
            && members.iter().all(|m| {
                rep.pairs
                    .get(m)
                    .is_some_and(|p| p.track.recover_point().is_some())
            });
        let op = match (one_shot, has_point) {
            (true, _) => GroupOp::OneShot,
            (false, true) => GroupOp::Resume,
            (false, false) => GroupOp::Start,
        };
        let eff = self.group_effect(id, status, op)?.resolve(has_point);
        let period = self.durations.rpo_cycle(g.rpo);
        if one_shot && too_soon(g.track.last_one_shot(), self.now, period) {
            return Err(Error::Denied(Denial::ManualSyncLimit));
        }
        if eff == Effect::Keep {
            return Ok(());
        }
        let members = self.members_in_step(id, status)?;
        if self.blocked_standby(&members, false) {
            return Err(Error::Denied(Denial::StandbyDeviceAttached));
        }
        self.group_begin(id, eff)?;
        if one_shot {
            let now = self.now;
            self.group_mut(id)?.track.mark_one_shot(now);
        }
        Ok(())
    }

    /// Stop: every member stops together.
    ///
    /// # Errors
    /// NotFound, InvalidStatus, NoPairInGroup, PairGroupStatusConflict.
    pub fn stop_replica_group(&mut self, region: &str, id: &str) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Either)?;
        let eff = self.group_effect(id, status, GroupOp::Stop)?;
        if eff == Effect::Keep {
            return Ok(());
        }
        self.members_in_step(id, status)?;
        self.group_begin(id, eff)
    }

    /// Failover, called in the destination region, once the first copy is done.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForPrimary, InvalidStatus, NoPairInGroup,
    /// PairGroupStatusConflict.
    pub fn failover_replica_group(&mut self, region: &str, id: &str) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Destination)?;
        let eff = self.group_effect(id, status, GroupOp::Failover)?;
        if self.group(id)?.track.recover_point().is_none() && status != S::Failovered {
            return Err(Error::status(
                Kind::ReplicaGroup,
                id,
                Status::Replica(status),
            ));
        }
        self.members_in_step(id, status)?;
        self.group_begin(id, eff)
    }

    /// Reprotect, called in the destination region on a failed-over group: with
    /// `reverse` every member's direction flips (old sources must be detached); without it the
    /// failover is cancelled (destinations must be detached). Ends `stopped`.
    ///
    /// # Errors
    /// NotFound, OperateNotAllowedForPrimary, InvalidStatus, NoPairInGroup,
    /// PairGroupStatusConflict, StandbyDeviceAttached.
    pub fn reprotect_replica_group(&mut self, region: &str, id: &str, reverse: bool) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Destination)?;
        let op = if reverse {
            GroupOp::Reprotect
        } else {
            GroupOp::CancelFailover
        };
        let eff = self.group_effect(id, status, op)?;
        let members = self.members_in_step(id, status)?;
        if self.blocked_standby(&members, reverse) {
            return Err(Error::Denied(Denial::StandbyDeviceAttached));
        }
        if reverse {
            self.reverse_group(id, &members)?;
        }
        self.group_begin(id, eff)
    }

    /// Update: settings, members leaving and members joining, in one step; the group is
    /// `updating` for the short delay. Needs a paused (or never started) group; every check
    /// passes before anything changes.
    ///
    /// # Errors
    /// NotFound, InvalidStatus, PairNotInGroup, PairStatusCannotRemoveFromGroup, and what adding
    /// each joining pair would answer.
    pub fn update_replica_group(
        &mut self,
        region: &str,
        id: &str,
        changes: &GroupChanges,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Either)?;
        let eff = self.group_effect(id, status, GroupOp::Update)?;
        for pair_id in remove {
            let pair = self.pair_at(region, pair_id, CallSite::Either)?;
            if pair.group_id.as_deref() != Some(id) {
                return Err(Error::Denied(Denial::PairNotInGroup));
            }
            if !matches!(pair.status(), S::Created | S::Stopped | S::Invalid) {
                return Err(Error::Denied(Denial::PairStatusCannotRemoveFromGroup));
            }
        }
        let g = self.group(id)?;
        let route = (g.source.clone(), g.destination.clone());
        self.check_joining(region, Some(id), &route, remove, add)?;
        let (now, d) = (self.now, *self.durations);
        let rep = &mut self.account.replication;
        for pair_id in remove {
            if let Some(p) = rep.pairs.get_mut(pair_id) {
                p.group_id = None;
                p.touched_at = Some(now);
            }
        }
        let g = rep
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))?;
        g.pair_ids.retain(|m| !remove.contains(m));
        if let Some(v) = &changes.name {
            g.name.clone_from(v);
        }
        if let Some(v) = &changes.description {
            g.description.clone_from(v);
        }
        g.touched_at = Some(now);
        g.track.begin(now, eff, &d, g.rpo);
        self.join(id, add)
    }

    /// Reverse (planned switchover) of a synchronous group in sync: every member's direction
    /// turns at once, `reversing` for the switch delay, then in sync again the other way.
    ///
    /// # Errors
    /// NotFound, InvalidStatus, NoPairInGroup, PairGroupStatusConflict.
    pub fn reverse_replica_group(&mut self, region: &str, id: &str) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Either)?;
        let eff = self.group_effect(id, status, GroupOp::Reverse)?;
        let members = self.members_in_step(id, status)?;
        self.reverse_group(id, &members)?;
        self.group_begin(id, eff)
    }

    /// Extend: both disks of each listed member grow to its new size, together, so the pairs
    /// stay whole; statuses do not change.
    ///
    /// # Errors
    /// NotFound, InvalidStatus, PairNotInGroup, SizeNotSupported (not larger, or over the
    /// category's limit), IncorrectStatus (a disk neither available nor in use).
    pub fn extend_replica_group(
        &mut self,
        region: &str,
        id: &str,
        sizes: &[(String, u32)],
    ) -> Result<()> {
        let status = self.group_at(region, id, CallSite::Either)?;
        self.group_effect(id, status, GroupOp::Extend)?;
        let mut disks = Vec::with_capacity(sizes.len() * 2);
        for (pair_id, size) in sizes {
            let pair = self.pair_at(region, pair_id, CallSite::Either)?;
            if pair.group_id.as_deref() != Some(id) {
                return Err(Error::Denied(Denial::PairNotInGroup));
            }
            for disk in [
                pair.source.disk_id.clone(),
                pair.destination.disk_id.clone(),
            ] {
                self.check_growth(&disk, *size)?;
                disks.push((disk, *size));
            }
        }
        let now = self.now;
        for (disk, size) in &disks {
            self.grow_disk(disk, *size);
        }
        for (pair_id, _) in sizes {
            if let Some(p) = self.account.replication.pairs.get_mut(pair_id) {
                p.touched_at = Some(now);
            }
        }
        self.group_mut(id)?.touched_at = Some(now);
        Ok(())
    }

    fn reverse_group(&mut self, id: &str, members: &[String]) -> Result<()> {
        let rep = &mut self.account.replication;
        let g = rep
            .groups
            .get_mut(id)
            .ok_or_else(|| Error::not_found(Kind::ReplicaGroup, id))?;
        rep.group_index
            .swap(id, &g.source.region_id, &g.destination.region_id);
        std::mem::swap(&mut g.source, &mut g.destination);
        g.track.forget_recover_point();
        for m in members {
            if let Some(p) = rep.pairs.get_mut(m) {
                rep.pair_index
                    .swap(m, &p.source.region_id, &p.destination.region_id);
                std::mem::swap(&mut p.source, &mut p.destination);
                p.track.forget_recover_point();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "replica_group_tests.rs"]
mod tests;
