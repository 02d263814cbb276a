//! EVS replication consistency groups: create (with its pairs, all or none), delete, list,
//! show, update (`updating`, then back), and the six actions on `.../action`: failover, sync,
//! reverse (planned switchover), stop, reprotect and extend.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::OtcError;
use super::pairs::{listing, marker_error};
use super::vocab::{self, HYPERMETRO};
use super::wire::{self, authorize, reply, run, run_as, Caller, Part};
use crate::domain::call::{Answer, Call, Target};
use crate::domain::replica_group::{GroupChanges, NewGroup};
use crate::domain::replica_query::{GroupQuery, GroupRow, Order, SortKey};
use crate::domain::replica_sync::Mode;
use crate::state::AppState;

fn short(row: &GroupRow) -> Value {
    let g = &row.group;
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "status": vocab::group_status(row.status),
        "priority_station": g.serving().zone_id,
        "created_at": vocab::timestamp(g.created_at),
        "updated_at": g.updated_at().map(vocab::timestamp),
    })
}

fn full(row: &GroupRow) -> Value {
    let mut v = short(row);
    let rs = vocab::replication_status(row.status, row.group.track.recover_point().is_some());
    v["replication_model"] = json!(HYPERMETRO);
    v["replication_status"] = json!(rs);
    v["replication_ids"] = json!(row.group.pair_ids);
    v["failure_detail"] = Value::Null;
    v["fault_level"] = json!(if rs == "error" { "5" } else { "0" });
    v
}

async fn one(
    app: &AppState,
    caller: &Caller,
    id: &str,
    action: &'static str,
    part: Part,
) -> Result<GroupRow, OtcError> {
    let missing = || {
        OtcError::not_found(format!(
            "Replication consistency group {id} could not be found."
        ))
    };
    wire::short("replication_consistency_group_id", id).map_err(|_| missing())?;
    let q = GroupQuery {
        region_id: caller.project.region.clone(),
        group_ids: Some(vec![id.to_owned()]),
        order: Some(Order {
            key: SortKey::Id,
            descending: false,
            marker: None,
            offset: 0,
            limit: 1,
        }),
        ..GroupQuery::default()
    };
    let render = |a: Answer<'_>| match a {
        Answer::Groups(page) => page.items.into_iter().next().ok_or_else(missing),
        other => Err(wire::unexpected(&other)),
    };
    run_as(app, caller, action, Call::DescribeGroups(q), render, part).await
}

fn target(caller: &Caller, id: String) -> Target {
    Target {
        region: caller.project.region.clone(),
        id,
        token: None,
    }
}

#[derive(Deserialize)]
struct CreateBody {
    replication_consistency_group: NewConsistencyGroup,
}

#[derive(Deserialize)]
struct NewConsistencyGroup {
    name: Option<String>,
    description: Option<String>,
    replication_ids: Vec<String>,
    priority_station: String,
    replication_model: String,
}

/// `POST {p}/os-vendor-replication-consistency-groups`: 202 and the short group.
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
        let g = b.replication_consistency_group;
        wire::ids("replication_ids", &g.replication_ids, 1, wire::MAX_IDS)?;
        wire::short("priority_station", &g.priority_station)?;
        if g.replication_model != HYPERMETRO {
            return Err(OtcError::bad_request(
                "replication_model must be hypermetro.",
            ));
        }
        let region = caller.project.region.clone();
        let spec = NewGroup {
            region_id: region.clone(),
            source_zone_id: g.priority_station,
            destination_region_id: region,
            name: wire::text("name", g.name)?.unwrap_or_default(),
            description: wire::text("description", g.description)?.unwrap_or_default(),
            mode: Mode::Synchronous,
            pair_ids: g.replication_ids,
            ..NewGroup::default()
        };
        let id = run(
            &app,
            &caller,
            "CreateReplicationConsistencyGroup",
            Call::CreateGroup { spec, token: None },
            |a| match a {
                Answer::Created(mut ids) if ids.len() == 1 => Ok(ids.remove(0)),
                other => Err(wire::unexpected(&other)),
            },
        )
        .await?;
        let row = one(
            &app,
            &caller,
            &id,
            "CreateReplicationConsistencyGroup",
            Part::Look,
        )
        .await?;
        Ok((
            StatusCode::ACCEPTED,
            json!({ "replication_consistency_group": short(&row) }),
        ))
    }
    .await;
    reply("CreateReplicationConsistencyGroup", &rid, outcome)
}

/// `GET {g}`.
pub async fn show(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let row = one(
            &app,
            &caller,
            &id,
            "ShowReplicationConsistencyGroup",
            Part::Whole,
        )
        .await?;
        Ok((
            StatusCode::OK,
            json!({ "replication_consistency_group": full(&row) }),
        ))
    }
    .await;
    reply("ShowReplicationConsistencyGroup", &rid, outcome)
}

/// `GET {p}/os-vendor-replication-consistency-groups`.
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
        let (order, more) = listing(&q, vocab::group_status)?;
        let query = GroupQuery {
            region_id: caller.project.region.clone(),
            more,
            order: Some(order.clone()),
            ..GroupQuery::default()
        };
        let list = run(
            &app,
            &caller,
            "ListReplicationConsistencyGroups",
            Call::DescribeGroups(query),
            |a| match a {
                Answer::Groups(page) => Ok(page.items.iter().map(full).collect::<Vec<_>>()),
                other => Err(wire::unexpected(&other)),
            },
        )
        .await
        .map_err(|e| marker_error(&order, e))?;
        Ok((
            StatusCode::OK,
            json!({ "replication_consistency_groups": list }),
        ))
    }
    .await;
    reply("ListReplicationConsistencyGroups", &rid, outcome)
}

/// `DELETE {g}`: 202; `deleting`, then 404.
pub async fn delete(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        one(
            &app,
            &caller,
            &id,
            "DeleteReplicationConsistencyGroup",
            Part::Look,
        )
        .await?;
        let call = Call::DeleteGroup(target(&caller, id));
        run(
            &app,
            &caller,
            "DeleteReplicationConsistencyGroup",
            call,
            |_| Ok(()),
        )
        .await?;
        Ok((StatusCode::ACCEPTED, Value::Null))
    }
    .await;
    reply("DeleteReplicationConsistencyGroup", &rid, outcome)
}

#[derive(Deserialize)]
struct UpdateBody {
    replication_consistency_group: GroupUpdate,
}

#[derive(Deserialize)]
struct GroupUpdate {
    name: Option<String>,
    description: Option<String>,
    replication_model: Option<String>,
    #[serde(default)]
    add_replication_ids: Vec<String>,
    #[serde(default)]
    remove_replication_ids: Vec<String>,
}

/// `PUT {g}`: 202 and the short group, `updating`.
pub async fn update(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let rid = wire::request_id();
    let action = "UpdateReplicationConsistencyGroup";
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let b: UpdateBody = wire::read_body(&app, body).await?;
        let u = b.replication_consistency_group;
        if u.replication_model
            .as_deref()
            .is_some_and(|m| m != HYPERMETRO)
        {
            return Err(OtcError::bad_request(
                "replication_model must be hypermetro.",
            ));
        }
        wire::ids(
            "add_replication_ids",
            &u.add_replication_ids,
            0,
            wire::MAX_IDS,
        )?;
        wire::ids(
            "remove_replication_ids",
            &u.remove_replication_ids,
            0,
            wire::MAX_IDS,
        )?;
        one(&app, &caller, &id, action, Part::Look).await?;
        let call = Call::UpdateGroup {
            target: target(&caller, id.clone()),
            changes: GroupChanges {
                name: wire::text("name", u.name)?,
                description: wire::text("description", u.description)?,
                ..GroupChanges::default()
            },
            add: u.add_replication_ids,
            remove: u.remove_replication_ids,
        };
        run(&app, &caller, action, call, |_| Ok(())).await?;
        let row = one(&app, &caller, &id, action, Part::Look).await?;
        Ok((
            StatusCode::ACCEPTED,
            json!({ "replication_consistency_group": short(&row) }),
        ))
    }
    .await;
    reply(action, &rid, outcome)
}

#[derive(Deserialize)]
struct ExtendBody {
    replications: Vec<ExtendOne>,
}

#[derive(Deserialize)]
struct ExtendOne {
    id: String,
    new_size: u32,
}

/// The six actions, by the body's single key.
fn action_call(
    caller: &Caller,
    id: String,
    body: &Value,
) -> Result<(&'static str, Call), OtcError> {
    let obj = body.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        OtcError::bad_request("The action body must be an object with exactly one action key.")
    })?;
    let (key, value) = obj
        .iter()
        .next()
        .ok_or_else(|| OtcError::bad_request("No action."))?;
    let t = target(caller, id);
    let bare = || {
        if value.is_null() || value.as_object().is_some_and(serde_json::Map::is_empty) {
            Ok(())
        } else {
            Err(OtcError::bad_request(format!("{key} takes null or {{}}.")))
        }
    };
    Ok(match key.as_str() {
        "os-failover-replication-consistency-group" => {
            bare()?;
            (
                "FailoverReplicationConsistencyGroup",
                Call::FailoverGroup(t),
            )
        }
        "os-sync-replication-consistency-group" => {
            bare()?;
            (
                "SyncReplicationConsistencyGroup",
                Call::StartGroup {
                    target: t,
                    one_shot: false,
                },
            )
        }
        "os-reverse-replication-consistency-group" => {
            bare()?;
            ("ReverseReplicationConsistencyGroup", Call::ReverseGroup(t))
        }
        "os-stop-replication-consistency-group" => {
            bare()?;
            ("StopReplicationConsistencyGroup", Call::StopGroup(t))
        }
        "os-reprotect-replication-consistency-group" => {
            bare()?;
            (
                "ReprotectReplicationConsistencyGroup",
                Call::ReprotectGroup {
                    target: t,
                    reverse: true,
                },
            )
        }
        "os-extend-replication-volumes" => {
            let e: ExtendBody = serde_json::from_value(value.clone())
                .map_err(|e| OtcError::bad_request(format!("Invalid {key}: {e}.")))?;
            let ids: Vec<String> = e.replications.iter().map(|r| r.id.clone()).collect();
            wire::ids("replications", &ids, 1, wire::MAX_IDS)?;
            let sizes = e
                .replications
                .into_iter()
                .map(|r| (r.id, r.new_size))
                .collect();
            (
                "ExtendReplicationVolumes",
                Call::ExtendGroup { target: t, sizes },
            )
        }
        other => return Err(OtcError::bad_request(format!("Unknown action {other}."))),
    })
}

/// `POST {g}/action`: 200 with no body once accepted.
pub async fn action(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let rid = wire::request_id();
    let mut name = "ReplicationConsistencyGroupAction";
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let body = wire::read_json(&app, body).await?;
        let (action, call) = action_call(&caller, id.clone(), &body)?;
        name = action;
        one(&app, &caller, &id, action, Part::Look).await?;
        run(&app, &caller, action, call, |_| Ok(())).await?;
        Ok((StatusCode::OK, Value::Null))
    }
    .await;
    reply(name, &rid, outcome)
}
