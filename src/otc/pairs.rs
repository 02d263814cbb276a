//! EVS replication pairs (`os-vendor-replications`): create (accepted, then `available` or
//! `error` with a `failure_detail`), delete, list (full objects, filtered and sorted) and show.
//! A pair is a synchronous ("hypermetro") domain pair between two zones of the project's region.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::OtcError;
use super::vocab::{self, HYPERMETRO};
use super::wire::{self, authorize, reply, run, run_as, Caller, Part};
use crate::domain::call::{Answer, Call, Target};
use crate::domain::replica_pair::NewPair;
use crate::domain::replica_query::{GroupFilter, MoreFilters, Order, PairQuery, PairRow, SortKey};
use crate::domain::replica_sync::Mode;
use crate::state::AppState;

/// The pair as the create answer shows it; `sep` joins `volume_ids` (the create example uses
/// `", "`, list and show use `","`).
fn short(row: &PairRow, sep: &str) -> Value {
    let p = &row.pair;
    json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "status": vocab::pair_status(p.status()),
        "replication_consistency_group_id": p.group_id,
        "volume_ids": format!("{}{sep}{}", p.source.disk_id, p.destination.disk_id),
        "priority_station": p.serving().zone_id,
        "created_at": vocab::timestamp(p.created_at),
        "updated_at": p.updated_at().map(vocab::timestamp),
    })
}

/// The pair as list and show give it.
fn full(row: &PairRow) -> Value {
    let p = &row.pair;
    let mut v = short(row, ",");
    let point = p.track.recover_point().is_some();
    let rs = vocab::replication_status(p.status(), point);
    v["replication_model"] = json!(HYPERMETRO);
    v["replication_status"] = json!(rs);
    v["progress"] = if point || rs == "copying" {
        json!(row.progress.to_string())
    } else {
        Value::Null
    };
    if let Some(c) = p.status_message {
        v["failure_detail"] = json!(vocab::failure_detail(c));
    }
    let (kind, size) = row.disk.clone().unwrap_or_default();
    // The examples send record_metadata as a JSON-encoded string; so does the emulator.
    v["record_metadata"] = json!(
        json!({ "volume_type": kind, "multiattach": false, "volume_size": size }).to_string()
    );
    v["fault_level"] = json!(if rs == "error" { "5" } else { "0" });
    v
}

#[derive(Deserialize)]
struct CreateBody {
    replication: NewReplication,
}

#[derive(Deserialize)]
struct NewReplication {
    name: Option<String>,
    description: Option<String>,
    volume_ids: Vec<String>,
    priority_station: String,
    replication_model: String,
}

/// Reads one pair (or none) by id as the caller's project sees it.
pub(super) async fn one(
    app: &AppState,
    caller: &Caller,
    id: &str,
    action: &'static str,
    part: Part,
) -> Result<PairRow, OtcError> {
    if wire::short("replication_id", id).is_err() {
        return Err(not_found(id));
    }
    let q = PairQuery {
        region_id: caller.project.region.clone(),
        pair_ids: Some(vec![id.to_owned()]),
        order: Some(Order {
            key: SortKey::Id,
            descending: false,
            marker: None,
            offset: 0,
            limit: 1,
        }),
        ..PairQuery::default()
    };
    let render = |a: Answer<'_>| match a {
        Answer::Pairs(page) => page.items.into_iter().next().ok_or_else(|| not_found(id)),
        other => Err(wire::unexpected(&other)),
    };
    run_as(app, caller, action, Call::DescribePairs(q), render, part).await
}

fn not_found(id: &str) -> OtcError {
    OtcError::not_found(format!("Replication {id} could not be found."))
}

/// `POST {p}/os-vendor-replications`: 202 and the short pair.
pub async fn create(
    State(app): State<AppState>,
    Path(pid): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let b: CreateBody = wire::read_body(&app, body).await?;
        let r = b.replication;
        wire::ids("volume_ids", &r.volume_ids, 2, 2)?;
        wire::short("priority_station", &r.priority_station)?;
        if r.replication_model != HYPERMETRO {
            return Err(OtcError::bad_request(
                "replication_model must be hypermetro.",
            ));
        }
        let region = caller.project.region.clone();
        let spec = NewPair {
            region_id: region.clone(),
            source_zone_id: Some(r.priority_station),
            disk_id: r.volume_ids[0].clone(),
            destination_region_id: region,
            destination_zone_id: None,
            destination_disk_id: r.volume_ids[1].clone(),
            name: wire::text("name", r.name)?.unwrap_or_default(),
            description: wire::text("description", r.description)?.unwrap_or_default(),
            mode: Mode::Synchronous,
            ..NewPair::default()
        };
        let id = run(
            &app,
            &caller,
            "CreateReplication",
            Call::CreatePair { spec, token: None },
            |a| match a {
                Answer::Created(mut ids) if ids.len() == 1 => Ok(ids.remove(0)),
                other => Err(wire::unexpected(&other)),
            },
        )
        .await?;
        let row = one(&app, &caller, &id, "CreateReplication", Part::Look).await?;
        Ok((
            StatusCode::ACCEPTED,
            json!({ "replication": short(&row, ", ") }),
        ))
    }
    .await;
    reply("CreateReplication", &rid, outcome)
}

/// `GET {p}/os-vendor-replications/{id}`.
pub async fn show(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let row = one(&app, &caller, &id, "ShowReplication", Part::Whole).await?;
        Ok((StatusCode::OK, json!({ "replication": full(&row) })))
    }
    .await;
    reply("ShowReplication", &rid, outcome)
}

/// `DELETE {p}/os-vendor-replications/{id}`: 202; `deleting`, then 404.
pub async fn delete(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        one(&app, &caller, &id, "DeleteReplication", Part::Look).await?;
        let target = Target {
            region: caller.project.region.clone(),
            id,
            token: None,
        };
        run(
            &app,
            &caller,
            "DeleteReplication",
            Call::DeletePair(target),
            |_| Ok(()),
        )
        .await?;
        Ok((StatusCode::ACCEPTED, Value::Null))
    }
    .await;
    reply("DeleteReplication", &rid, outcome)
}

/// The sort, page and shared filters of a replication or group listing.
pub(super) fn listing(
    q: &HashMap<String, String>,
    status_of: fn(crate::domain::replica_sync::ReplicaStatus) -> &'static str,
) -> Result<(Order, MoreFilters), OtcError> {
    let key = match q.get("sort_key").map(String::as_str) {
        None | Some("created_at") => SortKey::Created,
        Some("updated_at") => SortKey::Updated,
        Some("id") => SortKey::Id,
        Some("name") => SortKey::Name,
        Some(_) => {
            return Err(OtcError::bad_request(
                "sort_key must be created_at, updated_at, id or name.",
            ))
        }
    };
    let descending = match q.get("sort_dir").map(String::as_str) {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(OtcError::bad_request("sort_dir must be asc or desc.")),
    };
    let order = Order {
        key,
        descending,
        marker: q.get("marker").cloned(),
        offset: wire::number(q, "offset", 0, wire::MAX_OFFSET)?.unwrap_or(0),
        limit: wire::number(q, "limit", 1, wire::MAX_LIMIT)?.unwrap_or(wire::MAX_LIMIT),
    };
    let statuses = match q.get("status") {
        None => None,
        Some(s) => Some(
            vocab::statuses_named(s, status_of)
                .ok_or_else(|| OtcError::bad_request(format!("Unknown status {s}.")))?,
        ),
    };
    let changed_since = match q.get("changes-since") {
        None => None,
        Some(t) => Some(vocab::parse_time(t).ok_or_else(|| {
            OtcError::bad_request("changes-since must be a time like 2017-09-28T05:08:32.839953.")
        })?),
    };
    let mut disk_ids: Vec<String> = q.get("volume_id").into_iter().cloned().collect();
    if let Some(list) = q.get("volume_ids") {
        disk_ids.extend(
            list.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        );
    }
    if disk_ids.len() > 2 {
        return Err(OtcError::bad_request(
            "volume_ids names at most two volumes.",
        ));
    }
    let more = MoreFilters {
        statuses,
        exact_name: q.get("name").cloned(),
        serving_zone: q.get("priority_station").cloned(),
        disk_ids,
        changed_since,
    };
    Ok((order, more))
}

/// Marker errors are the request's fault: 400, not 404.
pub(super) fn marker_error(order: &Order, e: OtcError) -> OtcError {
    match (&order.marker, e.status) {
        (Some(m), 404) => OtcError::bad_request(format!("Marker {m} could not be found.")),
        _ => e,
    }
}

/// `GET {p}/os-vendor-replications`: full objects, newest first by default.
pub async fn list(
    State(app): State<AppState>,
    Path(pid): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let q = wire::query(&uri)?;
        let (order, more) = listing(&q, vocab::pair_status)?;
        let query = PairQuery {
            region_id: caller.project.region.clone(),
            group: q
                .get("replication_consistency_group_id")
                .map(|g| GroupFilter::In(g.clone())),
            more,
            order: Some(order.clone()),
            ..PairQuery::default()
        };
        let list = run(
            &app,
            &caller,
            "ListReplications",
            Call::DescribePairs(query),
            |a| match a {
                Answer::Pairs(page) => Ok(page.items.iter().map(full).collect::<Vec<_>>()),
                other => Err(wire::unexpected(&other)),
            },
        )
        .await
        .map_err(|e| marker_error(&order, e))?;
        Ok((StatusCode::OK, json!({ "replications": list })))
    }
    .await;
    reply("ListReplications", &rid, outcome)
}
