//! Control of the world itself: health and info, reset, state export and import, the clock.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::{error, Refused};
use crate::domain::clock::{wall_ms, ClockMode, Millis, MAX_ADVANCE_MS};
use crate::domain::Snapshot;
use crate::state::AppState;

/// 200 once the seed (and persisted state) are loaded; 503 before.
pub async fn health(State(app): State<AppState>) -> Response {
    let ready = app.ready.load(Ordering::Acquire);
    let mut services = serde_json::Map::new();
    for op in app.registry.iter() {
        services.insert(op.product.to_owned(), json!(op.version));
    }
    let body = json!({
        "status": if ready { "ready" } else { "starting" },
        "version": env!("CARGO_PKG_VERSION"),
        "services": services,
        "settings": *app.settings,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// The version, the dialects with their operations, the timing and clock, and the accounts.
pub async fn info(State(app): State<AppState>) -> Response {
    let mut dialects: BTreeMap<&str, BTreeMap<(&str, &str), Vec<&str>>> = BTreeMap::new();
    for op in app.registry.iter() {
        dialects
            .entry(op.dialect)
            .or_default()
            .entry((op.product, op.version))
            .or_default()
            .push(op.action);
    }
    let dialects: Vec<_> = dialects
        .into_iter()
        .map(|(name, products)| {
            let products: Vec<_> = products
                .into_iter()
                .map(|((product, version), operations)| {
                    json!({ "product": product, "version": version, "operations": operations })
                })
                .collect();
            json!({ "name": name, "products": products })
        })
        .collect();
    let world = app.engine.world();
    let (now, mode) = world.now(wall_ms());
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "dialects": dialects,
        "timing": app.settings["timing"],
        "limits": app.settings["limits"],
        "clock": clock_view(now, mode),
        "accounts": world.accounts(),
        "request_log_size": app.engine.log().capacity(),
        "fault_rules": app.engine.faults().list().len(),
    }))
    .into_response()
}

/// Every (version, action) served.
pub async fn list_actions(State(app): State<AppState>) -> Response {
    let list: Vec<_> = app
        .registry
        .iter()
        .map(|op| json!({ "version": op.version, "action": op.action }))
        .collect();
    Json(json!({ "actions": list })).into_response()
}

/// Body of `POST /_emulator/reset`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reset {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
}

/// A JSON body, or the default when there is none.
fn json_body<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    // The plain parser first (a large state document parses several times faster), on text
    // checked as UTF-8 once rather than string by string; the path-tracking one only to say
    // where a bad document went wrong.
    if let Ok(text) = std::str::from_utf8(body) {
        if let Ok(v) = serde_json::from_str(text) {
            return Ok(v);
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let msg = if at == "." {
            e.inner().to_string()
        } else {
            format!("{at}: {}", e.inner())
        };
        error(StatusCode::BAD_REQUEST, msg)
    })
}

/// Back to the seeded state: everything, or one account; `seed` restarts the id sequences.
pub async fn reset(State(app): State<AppState>, body: Bytes) -> Response {
    let r: Reset = match json_body(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    app.engine.reset(r.account.as_deref(), r.seed).await;
    tracing::info!(account = ?r.account, seed = ?r.seed, "state reset to the start-up seed");
    Json(json!({ "reset": true, "account": r.account, "seed": r.seed })).into_response()
}

/// `?account=`: one account only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountParam {
    #[serde(default)]
    account: Option<String>,
}

/// The world, or one account, as a versioned document.
pub async fn export(State(app): State<AppState>, Query(q): Query<AccountParam>) -> Response {
    let snapshot = app.engine.world().export(q.account.as_deref());
    match serde_json::to_vec(&snapshot) {
        Ok(bytes) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Replaces the world (or one account) with a document; a bad document changes nothing.
pub async fn import(
    State(app): State<AppState>,
    Query(q): Query<AccountParam>,
    body: Bytes,
) -> Response {
    if body.iter().all(u8::is_ascii_whitespace) {
        return error(StatusCode::BAD_REQUEST, "the body must be a state document").into_response();
    }
    let snapshot: Snapshot = match json_body::<Option<Snapshot>>(&body) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return error(StatusCode::BAD_REQUEST, "the body must be a state document")
                .into_response()
        }
        Err(e) => return e.into_response(),
    };
    match app.engine.import(snapshot, q.account.as_deref()).await {
        Ok(()) => {
            tracing::info!(account = ?q.account, "state imported");
            Json(json!({ "imported": true, "account": q.account })).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

fn clock_view(now: Millis, mode: ClockMode) -> serde_json::Value {
    let iso = time::OffsetDateTime::from_unix_timestamp(now.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    json!({ "now_ms": now, "now": iso, "mode": mode })
}

/// The virtual clock.
pub async fn clock(State(app): State<AppState>) -> Response {
    let (now, mode) = app.engine.world().now(wall_ms());
    Json(clock_view(now, mode)).into_response()
}

/// Body of `POST /_emulator/clock`: exactly one of the fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    #[serde(default)]
    advance_seconds: Option<f64>,
    #[serde(default)]
    advance_ms: Option<i64>,
    #[serde(default)]
    mode: Option<ClockMode>,
}

impl ClockChange {
    /// The milliseconds to advance, checked.
    fn advance(&self) -> Result<Option<Millis>, String> {
        let limit = "an advance must be a number of seconds from 0 to ten years";
        match (self.advance_seconds, self.advance_ms) {
            (Some(s), None) => {
                let ms = s * 1000.0;
                #[allow(clippy::cast_precision_loss)]
                let max = MAX_ADVANCE_MS as f64;
                if !ms.is_finite() || !(0.0..=max).contains(&ms) {
                    return Err(limit.into());
                }
                #[allow(clippy::cast_possible_truncation)]
                Ok(Some(ms.round() as Millis))
            }
            (None, Some(ms)) if (0..=MAX_ADVANCE_MS).contains(&ms) => Ok(Some(ms)),
            (None, Some(_)) => Err(limit.into()),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err("give advance_seconds or advance_ms, not both".into()),
        }
    }
}

/// Advances the clock (every transition that falls due happens, in order), or switches it
/// between `manual` (paused) and `system` (following the wall clock from the current time).
pub async fn set_clock(State(app): State<AppState>, body: Bytes) -> Response {
    let change: ClockChange = match json_body(&body) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let advance = match change.advance() {
        Ok(a) => a,
        Err(e) => return error(StatusCode::BAD_REQUEST, e).into_response(),
    };
    match (advance, change.mode) {
        (Some(ms), None) => {
            if let Err(e) = app.engine.advance(ms).await {
                return error(StatusCode::BAD_REQUEST, e.to_string()).into_response();
            }
        }
        (None, Some(mode)) => app.engine.set_clock_mode(mode).await,
        _ => {
            let msg = "expected one of {\"advance_seconds\": N}, {\"advance_ms\": N}, {\"mode\": \"manual\"|\"system\"}";
            return error(StatusCode::BAD_REQUEST, msg).into_response();
        }
    }
    let (now, mode) = app.engine.world().now(wall_ms());
    Json(clock_view(now, mode)).into_response()
}
