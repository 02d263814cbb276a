//! The Open Telekom Cloud dialect over REST, on the same listener: Keystone v3 (`/v3`), EVS
//! volumes, replication pairs and replication consistency groups (`/v2/{project_id}/…`), all
//! calling the same domain through `Engine::apply`. `vocab` holds every OTC spelling and the one
//! mapping from domain errors to OTC error bodies.

pub mod error;
pub mod groups;
pub mod identity;
pub mod keystone;
pub mod pairs;
pub mod vocab;
pub mod volumes;
pub mod wire;

use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::engine::Operation;
use crate::state::AppState;
use error::OtcError;

/// The OTC dialect's own state.
#[derive(Debug)]
pub struct Otc {
    /// Users, projects and tokens.
    pub identity: identity::Identity,
}

fn bad_method(r: MethodRouter<AppState>) -> MethodRouter<AppState> {
    r.fallback(|| async { OtcError::bad_method() })
}

/// The routes, to be merged into the app.
pub fn router() -> Router<AppState> {
    let p = "/v2/{project_id}";
    let g = format!("{p}/os-vendor-replication-consistency-groups");
    Router::new()
        .route("/v3", bad_method(get(keystone::v3)))
        .route("/v3/", bad_method(get(keystone::v3)))
        .route("/v3/auth/tokens", bad_method(post(keystone::issue)))
        .route(
            &format!("{p}/volumes"),
            bad_method(get(volumes::list).post(volumes::create)),
        )
        .route(
            &format!("{p}/volumes/detail"),
            bad_method(get(volumes::list_detail)),
        )
        .route(
            &format!("{p}/volumes/{{volume_id}}"),
            bad_method(get(volumes::show).delete(volumes::delete)),
        )
        .route(
            &format!("{p}/volumes/{{volume_id}}/action"),
            bad_method(post(volumes::action)),
        )
        .route(
            &format!("{p}/os-availability-zone"),
            bad_method(get(volumes::zones)),
        )
        .route(&format!("{p}/types"), bad_method(get(volumes::types)))
        .route(
            &format!("{p}/os-vendor-replications"),
            bad_method(get(pairs::list).post(pairs::create)),
        )
        .route(
            &format!("{p}/os-vendor-replications/{{replication_id}}"),
            bad_method(get(pairs::show).delete(pairs::delete)),
        )
        .route(&g, bad_method(get(groups::list).post(groups::create)))
        .route(
            &format!("{g}/{{group_id}}"),
            bad_method(get(groups::show).put(groups::update).delete(groups::delete)),
        )
        .route(
            &format!("{g}/{{group_id}}/action"),
            bad_method(post(groups::action)),
        )
}

/// Any other path under `/v2/` or `/v3`: `404 itemNotFound`.
pub async fn not_found() -> OtcError {
    OtcError::not_found("The resource could not be found.")
}

/// A handler that panicked, answered in this dialect: `500 computeFault`.
pub fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    axum::response::IntoResponse::into_response(OtcError::internal("a request handler panicked"))
}

/// Every operation of the OTC dialect, for the control plane's registry.
pub fn operations() -> Vec<Operation> {
    const IAM: &[(&str, bool)] = &[("GetVersion", false), ("CreateToken", false)];
    const EVS: &[(&str, bool)] = &[
        ("CreateVolume", true),
        ("ListVolumes", false),
        ("ListVolumesDetail", false),
        ("ShowVolume", false),
        ("DeleteVolume", true),
        ("ExtendVolume", true),
        ("ListAvailabilityZones", false),
        ("ListVolumeTypes", false),
        ("CreateReplication", true),
        ("DeleteReplication", true),
        ("ListReplications", false),
        ("ShowReplication", false),
        ("CreateReplicationConsistencyGroup", true),
        ("DeleteReplicationConsistencyGroup", true),
        ("ListReplicationConsistencyGroups", false),
        ("ShowReplicationConsistencyGroup", false),
        ("UpdateReplicationConsistencyGroup", true),
        ("FailoverReplicationConsistencyGroup", true),
        ("SyncReplicationConsistencyGroup", true),
        ("ReverseReplicationConsistencyGroup", true),
        ("StopReplicationConsistencyGroup", true),
        ("ReprotectReplicationConsistencyGroup", true),
        ("ExtendReplicationVolumes", true),
    ];
    let iam = IAM.iter().map(|(a, m)| ("iam", "v3", *a, *m));
    let evs = EVS.iter().map(|(a, m)| ("evs", "v2", *a, *m));
    iam.chain(evs)
        .map(|(product, version, action, mutates)| Operation {
            dialect: "otc",
            product,
            version,
            action,
            mutates,
        })
        .collect()
}
