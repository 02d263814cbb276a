//! EVS volumes, a Cinder v2 subset: create, list (short and detail), show, delete, extend, and
//! the availability zones and volume types of the project's region. Volumes are the domain's
//! disks: the Alibaba dialect sees the same ones in the same account and region.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::OtcError;
use super::vocab::{self, DEFAULT_VOLUME_TYPE, DIALECT};
use super::wire::{self, authorize, base_url, reply, run, run_as, Caller, Part};
use crate::domain::call::{Answer, Call};
use crate::domain::compute_query::DiskListing;
use crate::domain::disk::{Disk, NewDisk};
use crate::domain::Op;
use crate::state::AppState;

/// One volume as Cinder v2 shows it (detail form).
pub fn view(d: &Disk, paired: bool, caller: &Caller, base: &str) -> Value {
    let pid = &caller.project.id;
    let metadata: Map<String, Value> = d
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let attachments: Vec<Value> = d
        .attachment
        .iter()
        .map(|a| {
            json!({
                "server_id": a.instance_id, "attachment_id": format!("{}-{}", d.id, a.instance_id),
                "attached_at": vocab::timestamp(a.attached_at), "host_name": null,
                "volume_id": d.id, "device": a.device, "id": d.id
            })
        })
        .collect();
    json!({
        "id": d.id,
        "name": d.name,
        "description": d.description,
        "status": vocab::volume_status(d.status()),
        "size": d.size,
        "availability_zone": d.zone_id,
        "volume_type": d.category,
        "bootable": "false",
        "multiattach": false,
        "shareable": "false",
        "encrypted": d.encrypted,
        "metadata": metadata,
        "links": links(base, pid, &d.id),
        "attachments": attachments,
        "created_at": vocab::timestamp(d.created_at),
        "updated_at": d.updated_at().map(vocab::timestamp),
        "replication_status": if paired { "enabled" } else { "disabled" },
        "consistencygroup_id": null,
        "snapshot_id": null,
        "source_volid": null,
        "user_id": caller.user_id,
        "os-vol-tenant-attr:tenant_id": pid,
        "os-vol-host-attr:host": format!("{}#{}", d.zone_id, d.category),
        "os-vol-mig-status-attr:migstat": null,
        "os-vol-mig-status-attr:name_id": null,
        "os-volume-replication:extended_status": null
    })
}

fn links(base: &str, pid: &str, id: &str) -> Value {
    json!([
        { "href": format!("{base}/v2/{pid}/volumes/{id}"), "rel": "self" },
        { "href": format!("{base}/{pid}/volumes/{id}"), "rel": "bookmark" }
    ])
}

#[derive(Deserialize)]
struct CreateBody {
    volume: NewVolume,
}

#[derive(Deserialize)]
struct NewVolume {
    size: u32,
    availability_zone: String,
    volume_type: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    metadata: std::collections::BTreeMap<String, String>,
    multiattach: Option<bool>,
    snapshot_id: Option<String>,
    #[serde(rename = "imageRef")]
    image_ref: Option<String>,
    source_volid: Option<String>,
    count: Option<u32>,
}

/// `POST {p}/volumes`: 202 and the volume, `creating`.
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
        let v = b.volume;
        let kind = v
            .volume_type
            .unwrap_or_else(|| DEFAULT_VOLUME_TYPE.to_owned());
        wire::short("availability_zone", &v.availability_zone)?;
        wire::short("volume_type", &kind)?;
        let offered = app
            .engine
            .world()
            .catalog()
            .disk_category(&kind)
            .is_some_and(|c| c.offered_by(DIALECT));
        if !offered {
            return Err(OtcError::bad_request_code(
                "EVS.1020",
                format!("Volume type {kind} is not supported."),
            ));
        }
        if v.multiattach == Some(true)
            || v.image_ref.is_some()
            || v.source_volid.is_some()
            || v.count.is_some_and(|c| c != 1)
        {
            return Err(OtcError::bad_request(
                "multiattach, imageRef, source_volid and count other than 1 are not supported.",
            ));
        }
        if v.metadata.len() > 50
            || v.metadata
                .iter()
                .any(|(k, val)| k.len() > MAX_KEY || val.len() > wire::MAX_TEXT)
        {
            return Err(OtcError::bad_request(
                "metadata: at most 50 keys of 255 characters.",
            ));
        }
        let call = Call::CreateDisk {
            region_id: caller.project.region.clone(),
            instance_id: None,
            spec: NewDisk {
                zone_id: v.availability_zone,
                category: Some(kind),
                size: Some(v.size),
                snapshot_id: v.snapshot_id,
                name: wire::text("name", v.name)?,
                description: wire::text("description", v.description)?.unwrap_or_default(),
                tags: v.metadata.into_iter().collect(),
                ..NewDisk::default()
            },
            token: None,
        };
        let id = run(&app, &caller, "CreateVolume", call, |a| match a {
            Answer::Created(mut ids) if ids.len() == 1 => Ok(ids.remove(0)),
            other => Err(wire::unexpected(&other)),
        })
        .await?;
        let v = show_one(&app, &caller, &headers, &id, "CreateVolume", Part::Look).await?;
        Ok((StatusCode::ACCEPTED, json!({ "volume": v })))
    }
    .await;
    reply("CreateVolume", &rid, outcome)
}

const MAX_KEY: usize = 255;

async fn show_one(
    app: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    action: &'static str,
    part: Part,
) -> Result<Value, OtcError> {
    wire::short("volume_id", id)
        .map_err(|_| OtcError::not_found(format!("Volume {id} could not be found.")))?;
    let base = base_url(headers);
    let call = Call::ListDisks(DiskListing {
        region_id: caller.project.region.clone(),
        id: Some(id.to_owned()),
        limit: 1,
        ..DiskListing::default()
    });
    let render = |a: Answer<'_>| match a {
        Answer::DiskList { page, paired } => page
            .items
            .first()
            .map(|d| view(d, paired.first().copied().unwrap_or(false), caller, &base))
            .ok_or_else(|| OtcError::not_found(format!("Volume {id} could not be found."))),
        other => Err(wire::unexpected(&other)),
    };
    run_as(app, caller, action, call, render, part).await
}

/// `GET {p}/volumes/{id}`.
pub async fn show(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let v = show_one(&app, &caller, &headers, &id, "ShowVolume", Part::Whole).await?;
        Ok((StatusCode::OK, json!({ "volume": v })))
    }
    .await;
    reply("ShowVolume", &rid, outcome)
}

/// `GET {p}/volumes` (id, name, links) and `GET {p}/volumes/detail` (full).
pub async fn list(
    app: State<AppState>,
    path: Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    listing(app, path, headers, uri, false).await
}

/// `GET {p}/volumes/detail`.
pub async fn list_detail(
    app: State<AppState>,
    path: Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    listing(app, path, headers, uri, true).await
}

async fn listing(
    State(app): State<AppState>,
    Path(pid): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    detail: bool,
) -> Response {
    let rid = wire::request_id();
    let action = if detail {
        "ListVolumesDetail"
    } else {
        "ListVolumes"
    };
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let q = wire::query(&uri)?;
        let newest_first = match q.get("sort_dir").map(String::as_str) {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(OtcError::bad_request("sort_dir must be asc or desc.")),
        };
        if q.get("sort_key").is_some_and(|k| k != "created_at") {
            return Err(OtcError::bad_request("sort_key must be created_at."));
        }
        let status = match q.get("status") {
            None => None,
            Some(s) => Some(vocab::parse_volume_status(s).ok_or_else(|| OtcError::bad_request(format!("Unknown status {s}.")))?),
        };
        let marker = q.get("marker").cloned();
        let call = Call::ListDisks(DiskListing {
            region_id: caller.project.region.clone(),
            id: None,
            name: q.get("name").cloned(),
            status,
            newest_first,
            marker: marker.clone(),
            offset: wire::number(&q, "offset", 0, wire::MAX_OFFSET)?.unwrap_or(0),
            limit: wire::number(&q, "limit", 1, wire::MAX_LIMIT)?.unwrap_or(wire::MAX_LIMIT),
        });
        let base = base_url(&headers);
        let volumes = run(&app, &caller, action, call, |a| match a {
            Answer::DiskList { page, paired } => Ok(page
                .items
                .iter()
                .zip(paired)
                .map(|(d, p)| {
                    if detail {
                        view(d, p, &caller, &base)
                    } else {
                        json!({ "id": d.id, "name": d.name, "links": links(&base, &caller.project.id, &d.id) })
                    }
                })
                .collect::<Vec<_>>()),
            other => Err(wire::unexpected(&other)),
        })
        .await
        .map_err(|e| match (&marker, e.status) {
            (Some(m), 404) => OtcError::bad_request(format!("Marker {m} could not be found.")),
            _ => e,
        })?;
        Ok((StatusCode::OK, json!({ "volumes": volumes })))
    }
    .await;
    reply(action, &rid, outcome)
}

/// `DELETE {p}/volumes/{id}`: 202; the volume is gone at once (then 404).
pub async fn delete(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        show_one(&app, &caller, &headers, &id, "DeleteVolume", Part::Look).await?;
        run(
            &app,
            &caller,
            "DeleteVolume",
            Call::DeleteDisk { id },
            |_| Ok(()),
        )
        .await?;
        Ok((StatusCode::ACCEPTED, Value::Null))
    }
    .await;
    reply("DeleteVolume", &rid, outcome)
}

#[derive(Deserialize)]
struct Extend {
    #[serde(rename = "os-extend")]
    extend: NewSize,
}

#[derive(Deserialize)]
struct NewSize {
    new_size: u32,
}

/// `POST {p}/volumes/{id}/action` with `{"os-extend": {"new_size": N}}`: 202. A volume in a
/// replication pair breaks the pair (use the group's extend to grow both disks).
pub async fn action(
    State(app): State<AppState>,
    Path((pid, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let rid = wire::request_id();
    let outcome = async {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let b: Extend = wire::read_body(&app, body).await?;
        show_one(&app, &caller, &headers, &id, "ExtendVolume", Part::Look).await?;
        let call = Call::ExtendDisk {
            id,
            size: b.extend.new_size,
        };
        run(&app, &caller, "ExtendVolume", call, |_| Ok(())).await?;
        Ok((StatusCode::ACCEPTED, Value::Null))
    }
    .await;
    reply("ExtendVolume", &rid, outcome)
}

/// `GET {p}/os-availability-zone`: the zones of the project's region.
pub async fn zones(
    State(app): State<AppState>,
    Path(pid): Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = (|| {
        let caller = authorize(&app, &headers, &pid, &rid)?;
        let catalog = app.engine.world().catalog();
        let region = catalog
            .region(&caller.project.region)
            .map_err(|e| vocab::from_domain(e, Op::DescribeZones))?;
        let info: Vec<Value> = region
            .zones
            .iter()
            .map(|z| json!({ "zoneName": z.id, "zoneState": { "available": true } }))
            .collect();
        Ok((StatusCode::OK, json!({ "availabilityZoneInfo": info })))
    })();
    reply("ListAvailabilityZones", &rid, outcome)
}

/// `GET {p}/types`: the volume types this dialect offers.
pub async fn types(
    State(app): State<AppState>,
    Path(pid): Path<String>,
    headers: HeaderMap,
) -> Response {
    let rid = wire::request_id();
    let outcome = (|| {
        authorize(&app, &headers, &pid, &rid)?;
        let types: Vec<Value> = app
            .engine
            .world()
            .catalog()
            .disk_categories
            .iter()
            .filter(|c| c.offered_by(DIALECT))
            .map(|c| {
                json!({
                    "id": c.id, "name": c.id, "description": null, "is_public": true,
                    "extra_specs": { "volume_backend_name": c.id, "availability-zone": "" }
                })
            })
            .collect();
        Ok((StatusCode::OK, json!({ "volume_types": types })))
    })();
    reply("ListVolumeTypes", &rid, outcome)
}
