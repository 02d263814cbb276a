//! Fault rules: add, list, remove one, remove all.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::error;
use crate::engine::faults::RuleSpec;
use crate::state::AppState;

/// Every rule, in the order they are tried.
pub async fn list(State(app): State<AppState>) -> Response {
    Json(json!({ "faults": app.engine.faults().list() })).into_response()
}

/// Adds a rule; answers it with its `id`.
pub async fn add(State(app): State<AppState>, body: Bytes) -> Response {
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let spec: RuleSpec = match serde_path_to_error::deserialize(de) {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("{}: {}", e.path(), e.inner()),
            )
            .into_response()
        }
    };
    match app.engine.faults().add(spec) {
        Ok(rule) => {
            tracing::info!(id = %rule.id, "fault rule added");
            (StatusCode::CREATED, Json(json!(rule))).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e).into_response(),
    }
}

/// Removes one rule.
pub async fn remove(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    if app.engine.faults().remove(&id) {
        Json(json!({ "deleted": id })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, format!("no fault rule {id:?}")).into_response()
    }
}

/// Removes every rule.
pub async fn clear(State(app): State<AppState>) -> Response {
    app.engine.faults().clear();
    Json(json!({ "deleted": "all" })).into_response()
}
