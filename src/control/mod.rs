//! The emulator's own endpoints under `/_emulator/`: health, reset, clock, and the action list.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::aliyun::actions;
use crate::state::AppState;

/// The routes, to be merged into the app.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/health", get(health).head(health))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/clock", get(clock).post(advance))
        .route("/_emulator/actions", get(list_actions))
}

/// Ready: the state (catalog and seed) is loaded before the listener accepts anything.
async fn health(State(app): State<AppState>) -> impl IntoResponse {
    Json(json!({
        "status": "ready",
        "version": env!("CARGO_PKG_VERSION"),
        "services": { "ecs": actions::ECS_VERSION, "ebs": actions::EBS_VERSION },
        "settings": *app.settings,
    }))
}

async fn reset(State(app): State<AppState>) -> impl IntoResponse {
    app.world.reset();
    tracing::info!("state reset to start-up seed");
    Json(json!({ "reset": true }))
}

fn clock_view(app: &AppState) -> serde_json::Value {
    let now = app.world.clock().now();
    let iso = time::OffsetDateTime::from_unix_timestamp(now.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    json!({ "now_ms": now, "now": iso, "mode": format!("{:?}", app.world.clock().mode()).to_lowercase() })
}

async fn clock(State(app): State<AppState>) -> impl IntoResponse {
    Json(clock_view(&app))
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
    app.world.clock().advance(ms);
    Json(clock_view(&app)).into_response()
}

async fn list_actions() -> impl IntoResponse {
    let list: Vec<_> = actions::all()
        .into_iter()
        .map(|(v, a)| json!({ "version": v, "action": a }))
        .collect();
    Json(json!({ "actions": list }))
}
