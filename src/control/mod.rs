//! The emulator's own endpoints under `/_emulator/`: health, reset, clock, and the action list.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::domain::clock::{wall_ms, Millis};
use crate::state::AppState;

/// The routes, to be merged into the app.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/health", get(health).head(health))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/clock", get(clock).post(advance))
        .route("/_emulator/actions", get(list_actions))
}

/// An unknown control path.
pub async fn not_found() -> impl IntoResponse {
    let body =
        json!({ "error": "no such control endpoint; see GET /_emulator/actions and the README" });
    (StatusCode::NOT_FOUND, Json(body))
}

/// A control handler that panicked.
pub fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a control handler panicked");
    let body = json!({ "error": "internal error" });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// Ready: the state (catalog and seed) is loaded before the listener accepts anything.
async fn health(State(app): State<AppState>) -> impl IntoResponse {
    let mut services = serde_json::Map::new();
    for op in app.registry.iter() {
        services.insert(op.product.to_lowercase(), json!(op.version));
    }
    Json(json!({
        "status": "ready",
        "version": env!("CARGO_PKG_VERSION"),
        "services": services,
        "settings": *app.settings,
    }))
}

async fn reset(State(app): State<AppState>) -> impl IntoResponse {
    app.engine.world().reset();
    tracing::info!("state reset to start-up seed");
    Json(json!({ "reset": true }))
}

fn clock_view(now: Millis, mode: crate::domain::clock::ClockMode) -> serde_json::Value {
    let iso = time::OffsetDateTime::from_unix_timestamp(now.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    json!({ "now_ms": now, "now": iso, "mode": format!("{mode:?}").to_lowercase() })
}

async fn clock(State(app): State<AppState>) -> impl IntoResponse {
    let (now, mode) = app.engine.world().now(wall_ms());
    Json(clock_view(now, mode))
}

/// Body of `POST /_emulator/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    #[serde(default)]
    advance_seconds: Option<f64>,
    #[serde(default)]
    advance_ms: Option<i64>,
}

async fn advance(State(app): State<AppState>, body: axum::body::Bytes) -> impl IntoResponse {
    let parsed: Result<Advance, _> = serde_json::from_slice(&body);
    let ms = match parsed {
        #[allow(clippy::cast_possible_truncation)]
        Ok(Advance {
            advance_seconds: Some(s),
            advance_ms: None,
        }) if s.is_finite() && s >= 0.0 => (s * 1000.0).round() as i64,
        Ok(Advance {
            advance_seconds: None,
            advance_ms: Some(ms),
        }) if ms >= 0 => ms,
        _ => {
            let msg =
                "expected a JSON body {\"advance_seconds\": N} or {\"advance_ms\": N} with N >= 0";
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response();
        }
    };
    let world = app.engine.world();
    if world.advance(ms, wall_ms()).is_err() {
        let msg = "advance_seconds/advance_ms must be at most ten years";
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response();
    }
    let (now, mode) = world.now(wall_ms());
    Json(clock_view(now, mode)).into_response()
}

async fn list_actions(State(app): State<AppState>) -> impl IntoResponse {
    let list: Vec<_> = app
        .registry
        .iter()
        .map(|op| json!({ "version": op.version, "action": op.action }))
        .collect();
    Json(json!({ "actions": list }))
}
