//! The dashboard's data: a compact view of the world (every account's instances, disks, pairs
//! and groups as of now, with counts, clock and fault rules), its live stream of changes, and
//! the pair and group actions a person takes from the page, run on the engine's one path.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{error, Refused};
use crate::aliyun::actions::{name_of, EBS_VERSION};
use crate::aliyun::error::{ApiError, Dialect};
use crate::aliyun::vocab::AliyunNaming;
use crate::domain::call::{Call, Target};
use crate::domain::clock::{wall_ms, ClockMode, Millis};
use crate::domain::disk::Disk;
use crate::domain::instance::Instance;
use crate::domain::replica_pair::Endpoint;
use crate::domain::replica_site::Place;
use crate::domain::replica_sync::{Mode, Track};
use crate::domain::status::{DiskStatus, InstanceStatus, ReplicaStatus};
use crate::domain::world::{Account, Cloud};
use crate::domain::Op;
use crate::engine::{Outcome, Refusal, RequestMeta, Source};
use crate::state::AppState;

/// How often a stream looks for changes: well inside the 250 ms an update may take to show.
const TICK: Duration = Duration::from_millis(100);
/// The least time between two looks, however many calls arrive.
const MIN_GAP: Duration = Duration::from_millis(40);

/// One row of the view, already encoded, by (kind, account/id).
type Rows = HashMap<(&'static str, String), String>;

/// Where a disk of a pair sits.
#[derive(Serialize)]
struct End<'a> {
    region: &'a str,
    zone: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    disk: &'a str,
}

/// A pair's or group's replication as of now.
#[derive(Serialize)]
struct Sync {
    status: ReplicaStatus,
    /// Percent of the copy under way.
    progress: u8,
    /// The last recovery point (virtual ms).
    rp: Option<Millis>,
}

fn sync_at(track: &Track, now: Millis) -> Sync {
    let mut t = track.clone();
    t.settle(now);
    Sync {
        status: t.status(),
        progress: t.progress(now),
        rp: t.recover_point(),
    }
}

/// The whole view as of now: rows by key, and the summary (accounts, regions, counts, clock).
struct View {
    rows: Rows,
    summary: String,
    clock: Clock,
}

/// The virtual clock as the page extrapolates it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Clock {
    now: Millis,
    wall: Millis,
    mode: ClockMode,
}

impl Clock {
    /// What changes only when someone moves or switches the clock.
    fn key(self) -> (ClockMode, Millis) {
        match self.mode {
            ClockMode::System => (self.mode, self.now - self.wall),
            ClockMode::Manual => (self.mode, self.now),
        }
    }

    fn json(self) -> String {
        json!({ "now_ms": self.now, "wall_ms": self.wall, "mode": self.mode }).to_string()
    }
}

/// An instance as the view shows it.
#[derive(Serialize)]
struct InstanceRow<'a> {
    t: &'static str,
    account: &'a str,
    id: &'a str,
    name: &'a str,
    region: &'a str,
    zone: &'a str,
    #[serde(rename = "type")]
    instance_type: &'a str,
    status: InstanceStatus,
    /// A transition is under way.
    busy: bool,
}

/// A disk as the view shows it.
#[derive(Serialize)]
struct DiskRow<'a> {
    t: &'static str,
    account: &'a str,
    id: &'a str,
    name: &'a str,
    region: &'a str,
    zone: &'a str,
    category: &'a str,
    size: u32,
    status: DiskStatus,
    busy: bool,
    instance: Option<&'a str>,
    device: Option<&'a str>,
    pair: Option<&'a str>,
}

/// A pair or a group as the view shows it (a group has no disks but members).
#[derive(Serialize)]
struct ReplicaRow<'a> {
    t: &'static str,
    account: &'a str,
    id: &'a str,
    name: &'a str,
    src: End<'a>,
    dst: End<'a>,
    primary: End<'a>,
    rpo: i64,
    mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<&'a [String]>,
    sync: Sync,
}

fn place(p: &Place) -> End<'_> {
    End {
        region: &p.region_id,
        zone: &p.zone_id,
        disk: "",
    }
}

fn end(e: &Endpoint) -> End<'_> {
    End {
        region: &e.region_id,
        zone: &e.zone_id,
        disk: &e.disk_id,
    }
}

fn encode(row: &impl Serialize) -> String {
    serde_json::to_string(row).unwrap_or_else(|_| "null".into())
}

/// How many records one hold of the world lock reads. The view of a large world is read in
/// slices, the lock released between them, so that a call waits behind at most one slice (about
/// a millisecond) however large the world is; a record changed while the view is read shows in
/// the next look.
const SLICE: usize = 1_000;

/// Where the last slice stopped: an account, a kind (instances, disks, pairs, groups), and the
/// last id read of that kind.
#[derive(Default)]
struct Cursor {
    account: Option<String>,
    kind: usize,
    after: Option<String>,
}

/// The records of `map` after `after` (all of them without one), in id order.
fn from<'m, V>(
    map: &'m BTreeMap<String, V>,
    after: Option<&str>,
) -> std::collections::btree_map::Range<'m, String, V> {
    use std::ops::Bound::{Excluded, Unbounded};
    match after {
        Some(id) => map.range::<str, _>((Excluded(id), Unbounded)),
        None => map.range::<str, _>(..),
    }
}

/// The rows and status counts of a view, filled slice by slice.
#[derive(Default)]
struct Reading {
    rows: Rows,
    counts: BTreeMap<(&'static str, String), u64>,
}

impl Reading {
    fn count(&mut self, kind: &'static str, status: String) {
        *self.counts.entry((kind, status)).or_default() += 1;
    }

    /// Reads at most `budget` records from `cursor` on; true once every account has been read.
    fn slice(&mut self, cloud: &Cloud, now: Millis, cursor: &mut Cursor, budget: usize) -> bool {
        use std::ops::Bound::{Included, Unbounded};
        let mut left = budget;
        let first = cursor.account.clone();
        let accounts = match &first {
            Some(a) => cloud
                .accounts
                .range::<str, _>((Included(a.as_str()), Unbounded)),
            None => cloud.accounts.range::<str, _>(..),
        };
        for (account, a) in accounts {
            if first.as_deref() != Some(account.as_str()) {
                cursor.kind = 0;
                cursor.after = None;
            }
            while cursor.kind < 4 {
                let after = cursor.after.take();
                let after = after.as_deref();
                let rep = &a.replication;
                let stopped = match cursor.kind {
                    0 => walk(&a.instances, after, &mut left, |i| {
                        self.instance(account, i, now);
                    }),
                    1 => walk(&a.disks, after, &mut left, |d| {
                        self.disk(account, a, d, now);
                    }),
                    2 => walk(&rep.pairs, after, &mut left, |p| {
                        self.replica(ReplicaRow {
                            t: "pair",
                            account,
                            id: &p.id,
                            name: &p.name,
                            src: end(&p.source),
                            dst: end(&p.destination),
                            primary: place(&p.primary),
                            rpo: p.rpo,
                            mode: p.mode(),
                            group: p.group_id.as_deref(),
                            pairs: None,
                            sync: sync_at(&p.track, now),
                        });
                    }),
                    _ => walk(&rep.groups, after, &mut left, |g| {
                        self.replica(ReplicaRow {
                            t: "group",
                            account,
                            id: &g.id,
                            name: &g.name,
                            src: place(&g.source),
                            dst: place(&g.destination),
                            primary: place(&g.primary),
                            rpo: g.rpo,
                            mode: g.mode(),
                            group: None,
                            pairs: Some(&g.pair_ids),
                            sync: sync_at(&g.track, now),
                        });
                    }),
                };
                if let Some(after) = stopped {
                    *cursor = Cursor {
                        account: Some(account.clone()),
                        kind: cursor.kind,
                        after,
                    };
                    return false;
                }
                cursor.kind += 1;
            }
        }
        true
    }

    fn instance(&mut self, account: &str, i: &Instance, now: Millis) {
        let status = i.life.status_at(now);
        self.count("instance", status_name(&status));
        let row = InstanceRow {
            t: "instance",
            account,
            id: &i.id,
            name: &i.name,
            region: &i.region_id,
            zone: &i.zone_id,
            instance_type: &i.instance_type,
            status,
            busy: busy(i.life.steps_end(), now),
        };
        self.rows
            .insert(("instance", format!("{account}/{}", i.id)), encode(&row));
    }

    fn disk(&mut self, account: &str, a: &Account, d: &Disk, now: Millis) {
        let status = d.status_at(now);
        self.count("disk", status_name(&status));
        let att = d.attachment_at(now);
        let row = DiskRow {
            t: "disk",
            account,
            id: &d.id,
            name: &d.name,
            region: &d.region_id,
            zone: &d.zone_id,
            category: &d.category,
            size: d.size,
            status,
            busy: busy(d.life.steps_end(), now),
            instance: att.map(|x| x.instance_id.as_str()),
            device: att.map(|x| x.device.as_str()),
            pair: a.replication.pair_of_disk.get(&d.id).map(String::as_str),
        };
        self.rows
            .insert(("disk", format!("{account}/{}", d.id)), encode(&row));
    }

    /// A pair or a group (a deleted one is not shown).
    fn replica(&mut self, row: ReplicaRow<'_>) {
        if row.sync.status == ReplicaStatus::Deleted {
            return;
        }
        self.count(row.t, status_name(&row.sync.status));
        self.rows
            .insert((row.t, format!("{}/{}", row.account, row.id)), encode(&row));
    }
}

/// Hands `map`'s records after `after` to `read` while `left` lasts: `Some(last id read)` when
/// the budget ran out before the end, `None` once every record was read.
fn walk<V>(
    map: &BTreeMap<String, V>,
    after: Option<&str>,
    left: &mut usize,
    mut read: impl FnMut(&V),
) -> Option<Option<String>> {
    let mut last = after.map(str::to_owned);
    for (id, v) in from(map, after) {
        if *left == 0 {
            return Some(last);
        }
        *left -= 1;
        last = Some(id.clone());
        read(v);
    }
    None
}

/// Whether a transition is still under way at `now`.
fn busy(end: Option<Millis>, now: Millis) -> bool {
    end.is_some_and(|end| end > now)
}

/// A status as the view shows it (the domain's own snake_case spelling).
fn status_name(status: &impl Serialize) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn view(app: &AppState) -> View {
    let wall = wall_ms();
    let mut reading = Reading::default();
    let mut cursor = Cursor::default();
    while !app.engine.world().read(wall_ms(), |cloud, now| {
        reading.slice(cloud, now, &mut cursor, SLICE)
    }) {}
    let Reading { rows, counts } = reading;
    let (clock, accounts, regions) = app.engine.world().read(wall, |cloud, now| {
        let regions: Vec<_> = cloud
            .catalog
            .regions
            .iter()
            .map(|r| json!({ "id": r.id, "zones": r.zones.iter().map(|z| &z.id).collect::<Vec<_>>() }))
            .collect();
        let clock = Clock {
            now,
            wall,
            mode: cloud.clock.mode,
        };
        let accounts: Vec<String> = cloud.accounts.keys().cloned().collect();
        (clock, accounts, regions)
    });
    let mut by_kind: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    for ((kind, status), n) in counts {
        by_kind.entry(kind).or_default().insert(status, n);
    }
    let summary = json!({
        "accounts": accounts,
        "regions": regions,
        "counts": by_kind,
        "timing": app.settings["timing"],
        "faults": app.engine.faults().list(),
        "log_capacity": app.engine.log().capacity(),
    })
    .to_string();
    View {
        rows,
        summary,
        clock,
    }
}

/// One `view` event: everything (`full`) or what changed since `before`.
fn delta(before: Option<&View>, now: &View) -> Option<String> {
    let mut out = String::from("{");
    let _ = write!(out, "\"full\":{}", before.is_none());
    let mut changed = false;
    if before.is_none_or(|b| b.clock.key() != now.clock.key()) {
        let _ = write!(out, ",\"clock\":{}", now.clock.json());
        changed = true;
    }
    if before.is_none_or(|b| b.summary != now.summary) {
        let _ = write!(out, ",\"summary\":{}", now.summary);
        changed = true;
    }
    out.push_str(",\"upsert\":[");
    let mut first = true;
    for (key, row) in &now.rows {
        if before.is_some_and(|b| b.rows.get(key) == Some(row)) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(row);
    }
    changed |= !first;
    out.push_str("],\"gone\":[");
    let mut first = true;
    if let Some(b) = before {
        for (kind, key) in b.rows.keys() {
            if now.rows.contains_key(&(*kind, key.clone())) {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{}", json!([kind, key]));
        }
    }
    changed |= !first;
    out.push_str("]}");
    (changed || before.is_none()).then_some(out)
}

/// `GET /_emulator/view`: the whole view (the first event of the stream).
pub async fn get(State(app): State<AppState>) -> Response {
    let body = tokio::task::spawn_blocking(move || delta(None, &view(&app)).unwrap_or_default())
        .await
        .unwrap_or_default();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `GET /_emulator/view/stream`: `event: view` with the whole view first, then what changed:
/// looked for right after each call and every 100 ms (the clock moves things on, and the
/// control plane changes the world without calls), at most every 40 ms (or four times as long
/// as the last look took), sent only when something did change.
pub async fn stream(State(app): State<AppState>) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(4);
    tokio::spawn(async move {
        let mut calls = Some(app.engine.log().subscribe());
        let mut last: Option<View> = None;
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut looked = tokio::time::Instant::now();
        let mut gap = MIN_GAP;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                got = next_call(&mut calls) => {
                    if got.is_err() {
                        calls = None;
                    }
                }
            }
            tokio::time::sleep_until(looked + gap).await;
            if tx.is_closed() {
                break;
            }
            looked = tokio::time::Instant::now();
            // Reading a large world is CPU work: on a blocking thread, so that it never holds
            // up the runtime's workers (and the API calls they serve).
            let (reader, before) = (app.clone(), last.take());
            let Ok((current, changes)) = tokio::task::spawn_blocking(move || {
                let current = view(&reader);
                let changes = delta(before.as_ref(), &current);
                (current, changes)
            })
            .await
            else {
                break;
            };
            // A very large world takes a while to read: an open page then costs at most a fifth
            // of a core (and of the world lock's time), however large the world.
            gap = MIN_GAP.max(looked.elapsed() * 4);
            if let Some(data) = changes {
                if tx
                    .send(Ok(Event::default().event("view").data(data)))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            last = Some(current);
        }
    });
    Sse::new(tokio_stream::wrappers::ReceiverStream::new(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The next logged call (any number missed counts as one); never, once the feed is gone.
async fn next_call(
    calls: &mut Option<tokio::sync::broadcast::Receiver<crate::engine::log::LogEntry>>,
) -> Result<(), ()> {
    use tokio::sync::broadcast::error::RecvError;
    match calls {
        Some(rx) => match rx.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => Ok(()),
            Err(RecvError::Closed) => Err(()),
        },
        None => std::future::pending().await,
    }
}

/// Body of `POST /_emulator/dashboard/act`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Act {
    account: String,
    kind: Kind,
    id: String,
    op: ActOp,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Pair,
    Group,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Self::Pair => "replica pair",
            Self::Group => "replica group",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActOp {
    Start,
    Stop,
    Failover,
    Reprotect,
    Delete,
}

/// Which side's region runs `op`: start and stop on the source, failover and reprotect on the
/// destination, delete on the primary (the cloud's own call-site rules).
fn call_region(op: ActOp, (src, dst, primary): (&str, &str, &str)) -> String {
    match op {
        ActOp::Start | ActOp::Stop => src,
        ActOp::Failover | ActOp::Reprotect => dst,
        ActOp::Delete => primary,
    }
    .to_owned()
}

fn call_of(kind: Kind, op: ActOp, target: Target) -> Call {
    match (kind, op) {
        (Kind::Pair, ActOp::Start) => Call::StartPair {
            target,
            one_shot: false,
        },
        (Kind::Pair, ActOp::Stop) => Call::StopPair(target),
        (Kind::Pair, ActOp::Failover) => Call::FailoverPair(target),
        (Kind::Pair, ActOp::Reprotect) => Call::ReprotectPair {
            target,
            reverse: true,
        },
        (Kind::Pair, ActOp::Delete) => Call::DeletePair(target),
        (Kind::Group, ActOp::Start) => Call::StartGroup {
            target,
            one_shot: false,
        },
        (Kind::Group, ActOp::Stop) => Call::StopGroup(target),
        (Kind::Group, ActOp::Failover) => Call::FailoverGroup(target),
        (Kind::Group, ActOp::Reprotect) => Call::ReprotectGroup {
            target,
            reverse: true,
        },
        (Kind::Group, ActOp::Delete) => Call::DeleteGroup(target),
    }
}

/// The longest account or resource id the dashboard passes on.
const MAX_ID: usize = 256;

/// A dashboard action's outcome, as the request log sees it.
struct Acted(Result<(), ApiError>);

impl Outcome for Acted {
    fn status(&self) -> u16 {
        self.0.as_ref().map_or_else(|e| e.status, |()| 200)
    }
    fn code(&self) -> Option<&str> {
        self.0.as_ref().err().map(|e| e.code.as_ref())
    }
}

/// `POST /_emulator/dashboard/act`: start, stop, fail over, reprotect or delete a pair or
/// group, as the equivalent EBS call on the engine's path (logged with `source: dashboard`).
/// Answers the call's action, region, request id and status, with the cloud's `code` and
/// `message` when it refused.
pub async fn act(State(app): State<AppState>, body: Bytes) -> Response {
    match act_on(&app, &body).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn act_on(app: &AppState, body: &Bytes) -> Result<serde_json::Value, Refused> {
    let a: Act = serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("bad action: {e}")))?;
    if a.account.len() > MAX_ID || a.id.len() > MAX_ID {
        return Err(error(StatusCode::BAD_REQUEST, "ids are at most 256 bytes"));
    }
    let regions = app.engine.world().read(wall_ms(), |cloud, _| {
        let r = &cloud.accounts.get(&a.account)?.replication;
        match a.kind {
            Kind::Pair => r.pairs.get(&a.id).map(|p| {
                let (s, d, pr) = p.regions();
                call_region(a.op, (s, d, pr))
            }),
            Kind::Group => r.groups.get(&a.id).map(|g| {
                call_region(
                    a.op,
                    (
                        &g.source.region_id,
                        &g.destination.region_id,
                        &g.primary.region_id,
                    ),
                )
            }),
        }
    });
    let Some(region) = regions else {
        return Err(error(
            StatusCode::NOT_FOUND,
            format!("no {} {:?} in account {:?}", a.kind.noun(), a.id, a.account),
        ));
    };
    let target = Target {
        region: region.clone(),
        id: a.id.clone(),
        token: None,
    };
    let call = call_of(a.kind, a.op, target);
    let op: Op = call.op();
    let action = name_of(EBS_VERSION, op).unwrap_or("Dashboard");
    let id_name = match a.kind {
        Kind::Pair => "ReplicaPairId",
        Kind::Group => "ReplicaGroupId",
    };
    let params = |f: &mut dyn FnMut(&str, &str)| {
        f("RegionId", &region);
        f(id_name, &a.id);
    };
    let request_id = app.engine.request_id();
    let meta = RequestMeta {
        dialect: "alibaba",
        product: Dialect::Ebs.id(),
        version: EBS_VERSION,
        action,
        account: &a.account,
        request_id: &request_id,
        arrived: std::time::Instant::now(),
        source: Source::Dashboard,
        params: &params,
    };
    let out = app
        .engine
        .apply(&meta, &AliyunNaming, call, |answer| {
            Acted(answer.map(|_| ()).map_err(|r| match r {
                Refusal::Domain(e) => ApiError::from_domain(e, Dialect::Ebs, op),
                Refusal::Fault(f) => ApiError::from_fault(f, Dialect::Ebs),
            }))
        })
        .await;
    // The cloud's refusal is the answer to relay, not a failure of this endpoint: 200 either
    // way, with the status and code the same call through the API would have had.
    Ok(match out.0 {
        Ok(()) => json!({
            "action": action, "region": region, "request_id": request_id, "status": 200,
        }),
        Err(e) => json!({
            "action": action, "region": region, "request_id": request_id,
            "status": e.status, "code": e.code, "message": e.message,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_is_called_in_the_region_the_cloud_wants() {
        let regions = ("source", "destination", "primary");
        for (op, want) in [
            (ActOp::Start, "source"),
            (ActOp::Stop, "source"),
            (ActOp::Failover, "destination"),
            (ActOp::Reprotect, "destination"),
            (ActOp::Delete, "primary"),
        ] {
            assert_eq!(call_region(op, regions), want, "{op:?}");
        }
    }

    fn view_of(rows: &[(&'static str, &str, &str)], summary: &str, now: Millis) -> View {
        View {
            rows: rows
                .iter()
                .map(|(kind, key, row)| ((*kind, (*key).to_owned()), (*row).to_owned()))
                .collect(),
            summary: summary.to_owned(),
            clock: Clock {
                now,
                wall: now,
                mode: ClockMode::Manual,
            },
        }
    }

    #[test]
    fn a_delta_holds_only_what_changed() {
        let before = view_of(&[("pair", "a/p1", "1"), ("pair", "a/p2", "2")], "{}", 5);
        let full: serde_json::Value = serde_json::from_str(&delta(None, &before).unwrap()).unwrap();
        assert_eq!(full["full"], true);
        assert_eq!(full["upsert"].as_array().unwrap().len(), 2);
        assert!(full["clock"].is_object() && full["summary"].is_object());

        assert_eq!(delta(Some(&before), &before), None, "nothing changed");

        let after = view_of(&[("pair", "a/p1", "10"), ("disk", "a/d1", "3")], "{}", 5);
        let d: serde_json::Value =
            serde_json::from_str(&delta(Some(&before), &after).unwrap()).unwrap();
        assert_eq!(d["full"], false);
        let mut upsert: Vec<_> = d["upsert"].as_array().unwrap().clone();
        upsert.sort_by_key(|v| v.as_i64());
        assert_eq!(upsert, vec![json!(3), json!(10)]);
        assert_eq!(d["gone"], json!([["pair", "a/p2"]]));
        assert!(d.get("clock").is_none() && d.get("summary").is_none());

        let moved = view_of(&[("pair", "a/p1", "1"), ("pair", "a/p2", "2")], "{}", 9);
        let d: serde_json::Value =
            serde_json::from_str(&delta(Some(&before), &moved).unwrap()).unwrap();
        assert_eq!(
            d["clock"]["now_ms"], 9,
            "an advance of a paused clock is sent"
        );
    }
}
