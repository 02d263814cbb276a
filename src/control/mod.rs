//! The emulator's own endpoints under `/_emulator/`, JSON in and out: health and info, reset,
//! state export and import, the virtual clock, fault rules, the request log, the dashboard (its
//! page and its live view) — and the rules that keep a web page (or a stranger on the network)
//! from driving them.
//!
//! Access policy, applied to every control endpoint but `health`:
//! - with `--admin-token`, a request must carry `Authorization: Bearer <token>` (401 otherwise);
//!   the server refuses to start on a non-loopback address without one;
//! - without a valid token, the `Host` must be a loopback name, the listen address, or a name
//!   given with `--allowed-host` (403: DNS rebinding), and an `Origin`, when sent, must be the
//!   emulator's own (403: another site's page);
//! - a state-changing request (POST, PUT, DELETE) that declares a body type must declare
//!   `application/json`, and a body needs one (415): a page cannot send JSON across origins
//!   without the browser asking first, which the emulator never answers.

mod dashboard;
mod faults;
mod requests;
mod ui;
mod world;

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

/// Who may use the control plane.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// The bearer token every request must carry, when set.
    pub admin_token: Option<String>,
    /// Host names accepted besides loopback names and the listen address.
    pub allowed_hosts: Vec<String>,
    /// The address the server listens on.
    pub listen: Option<SocketAddr>,
}

/// The largest state document `PUT /_emulator/state` reads (other control bodies: 2 MiB).
pub const MAX_STATE_BYTES: usize = 256 * 1024 * 1024;

/// The routes, to be merged into the app.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/_emulator/info", get(world::info))
        .route("/_emulator/actions", get(world::list_actions))
        .route("/_emulator/reset", post(world::reset))
        .route(
            "/_emulator/state",
            get(world::export)
                .put(world::import)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_STATE_BYTES)),
        )
        .route("/_emulator/clock", get(world::clock).post(world::set_clock))
        .route(
            "/_emulator/faults",
            get(faults::list).post(faults::add).delete(faults::clear),
        )
        .route("/_emulator/faults/{id}", delete(faults::remove))
        .route("/_emulator/requests", get(requests::list))
        .route("/_emulator/requests/stream", get(requests::stream))
        .route("/_emulator/view", get(dashboard::get))
        .route("/_emulator/view/stream", get(dashboard::stream))
        .route("/_emulator/dashboard/act", post(dashboard::act))
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
        .route("/_emulator/health", get(world::health).head(world::health))
        .route("/_emulator/ui", get(ui::redirect))
        .route("/_emulator/ui/", get(ui::index))
        .route("/_emulator/ui/{asset}", get(ui::asset))
}

/// A control-plane error: answered as `{"error": message}` with its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// A control-plane error: `{"error": message}` with `status`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Refused {
    Refused(status, message.into())
}

/// An unknown control path.
pub async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such control endpoint; see the README",
    )
    .into_response()
}

/// A control handler that panicked.
pub fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a control handler panicked");
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// Applies the access policy (see the module documentation).
async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(refusal) = admit(&app.access, req.method(), req.headers()) {
        return refusal.into_response();
    }
    next.run(req).await
}

fn admit(access: &Access, method: &Method, headers: &HeaderMap) -> Result<(), Refused> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let trusted = match &access.admin_token {
        Some(token) if bearer == Some(token.as_str()) => true,
        Some(_) => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "the control plane needs Authorization: Bearer <admin token>",
            ))
        }
        None => false,
    };
    if !trusted {
        check_host(access, headers)?;
        check_origin(access, headers)?;
    }
    if matches!(*method, Method::POST | Method::PUT | Method::DELETE) {
        check_body_type(headers)?;
    }
    Ok(())
}

fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

fn is_allowed_host(access: &Access, host: &str) -> bool {
    let name = host_name(host).to_ascii_lowercase();
    let loopback = matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback
        || access
            .listen
            .is_some_and(|a| name == a.ip().to_string().to_ascii_lowercase())
        || access
            .allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&name))
}

fn check_host(access: &Access, headers: &HeaderMap) -> Result<(), Refused> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if is_allowed_host(access, host) {
        Ok(())
    } else {
        Err(error(
            StatusCode::FORBIDDEN,
            format!("host {host:?} is not allowed for the control plane (--allowed-host)"),
        ))
    }
}

fn check_origin(access: &Access, headers: &HeaderMap) -> Result<(), Refused> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default();
    let own = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|authority| {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            authority.eq_ignore_ascii_case(host) && is_allowed_host(access, authority)
        });
    if own {
        Ok(())
    } else {
        Err(error(
            StatusCode::FORBIDDEN,
            format!("origin {origin:?} may not use the control plane"),
        ))
    }
}

fn check_body_type(headers: &HeaderMap) -> Result<(), Refused> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let has_body = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|n| n.trim() != "0")
        || headers.contains_key(header::TRANSFER_ENCODING);
    match declared {
        Some(ct) if is_json(ct) => Ok(()),
        None if !has_body => Ok(()),
        _ => Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "control requests take Content-Type: application/json",
        )),
    }
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn hosts_origins_and_body_types() {
        let access = Access::default();
        let ok =
            |pairs: &[(&'static str, &str)], m: Method| admit(&access, &m, &headers(pairs)).is_ok();
        assert!(ok(&[("host", "127.0.0.1:18090")], Method::GET));
        assert!(ok(&[("host", "localhost:18090")], Method::GET));
        assert!(ok(&[("host", "[::1]:18090")], Method::GET));
        assert!(!ok(&[("host", "evil.example:18090")], Method::GET));
        let same = [
            ("host", "127.0.0.1:18090"),
            ("origin", "http://127.0.0.1:18090"),
        ];
        assert!(ok(&same, Method::GET));
        let other = [
            ("host", "127.0.0.1:18090"),
            ("origin", "http://evil.example"),
        ];
        assert!(!ok(&other, Method::POST));
        let text = [("host", "127.0.0.1:1"), ("content-type", "text/plain")];
        assert!(!ok(&text, Method::POST));
        let json = [
            ("host", "127.0.0.1:1"),
            ("content-type", "application/json; charset=utf-8"),
        ];
        assert!(ok(&json, Method::POST));
        assert!(ok(&[("host", "127.0.0.1:1")], Method::POST));
        let untyped_body = [("host", "127.0.0.1:1"), ("content-length", "2")];
        assert!(!ok(&untyped_body, Method::PUT));
    }

    #[test]
    fn a_token_is_required_when_configured() {
        let access = Access {
            admin_token: Some("t0ken".into()),
            ..Access::default()
        };
        let h = headers(&[("host", "10.0.0.5:18090")]);
        assert!(admit(&access, &Method::GET, &h).is_err());
        let h = headers(&[
            ("host", "10.0.0.5:18090"),
            ("authorization", "Bearer t0ken"),
        ]);
        assert!(admit(&access, &Method::GET, &h).is_ok());
        let h = headers(&[("host", "127.0.0.1"), ("authorization", "Bearer nope")]);
        assert!(admit(&access, &Method::GET, &h).is_err());
    }
}
