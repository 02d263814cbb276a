//! ecs-emulator: a local emulator of Alibaba Cloud's ECS (2014-05-26) and EBS (2021-07-30) APIs, with the
//! VPC (2016-04-28) calls that create what instances need.
//!
//! # Layout
//! Four bands, each knowing only the ones below it:
//! - **wire** — one module per dialect: [`aliyun`] (the RPC endpoint on `/`: parameters,
//!   signatures, JSON/XML replies, the closed error-code set, and `aliyun::vocab`, the one place
//!   Alibaba's spellings and id formats live); [`otc`] (Open Telekom Cloud over REST: Keystone
//!   on `/v3`, EVS volumes and replication on `/v2/{project_id}`, spellings in `otc::vocab`);
//!   and [`control`] (the emulator's own
//!   `/_emulator/*` endpoints, which list operations from the dialect-neutral registry in
//!   [`state`]);
//! - **dispatch** — [`aliyun::actions`]: one table row per (Version, Action), declaring the
//!   domain `Op` it is (and so whether it mutates);
//! - **the path** — [`engine`]: every call of every dialect passes `Engine::apply` with a
//!   `RequestMeta`; faults (and later the request log and persistence) hook in there, once;
//! - **domain** — [`domain`]: the simulated cloud, synchronous, no HTTP, no wire names; calls
//!   are data (`domain::call::Call`), the whole state serializes as a `domain::Snapshot`.
//!
//! A request flows:
//! 1. the dialect decodes it (query + form, signature) and finds its row;
//! 2. the row turns the parameters into a domain `Call` and a `RequestMeta`;
//! 3. `Engine::apply` checks faults, then `World::apply` locks the world once, reads the
//!    virtual clock and runs the call in the caller's account scope;
//! 4. the row encodes the domain's `Answer` before the world is unlocked (answers borrow from
//!    the state, so a large Describe page is never copied); a domain error becomes a wire code
//!    in one place per dialect (`ApiError::from_domain`, keyed by dialect and `Op`);
//! 5. the world is unlocked and the reply is sent.
//!
//! [`server`] owns the connections: header-read and idle timeouts, the cap on open
//! connections, and the bounded drain at shutdown.
//!
//! # Adding an action
//! 1. Domain logic as a `Scope` method in `domain/<family>.rs`, with a state-table test; a
//!    `Call` variant and its `Op` in `domain/call.rs` and `domain/op.rs`, dispatched in
//!    `domain/dispatch.rs`.
//! 2. A request DTO implementing `RpcAction` (decode to a `Call`, respond from an `Answer`) and
//!    its response type in `aliyun/actions/<family>.rs`; new spellings in `aliyun/vocab.rs`.
//! 3. One row in that family's `ACTIONS` table: `ecs::<Dto>("Name")` or `ebs::<Dto>("Name")`.
//! 4. An integration test in `tests/it/` and an SDK test in `tests/sdk/`.

pub mod aliyun;
pub mod cli;
pub mod client;
pub mod config;
pub mod control;
pub mod domain;
pub mod engine;
pub mod otc;
pub mod persist;
pub mod seed;
pub mod server;
pub mod state;

use std::future::Future;

use axum::extract::Request;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

pub use state::AppState;

/// The whole HTTP surface on one listener: the Alibaba RPC endpoint on `/`, the control
/// endpoints under `/_emulator/`, and for anything else a documented error in the dialect the
/// path belongs to. A panicking handler is answered in its own dialect too.
pub fn app(state: AppState) -> Router {
    // The control plane catches its own panics first; everything else is the RPC endpoint's.
    let control = control::router(state.clone()).layer(CatchPanicLayer::custom(control::on_panic));
    let otc = otc::router().layer(CatchPanicLayer::custom(otc::on_panic));
    Router::new()
        .route("/", any(root))
        .merge(control)
        .merge(otc)
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            until_ready,
        ))
        .layer(CatchPanicLayer::custom(aliyun::rpc::on_panic))
        .with_state(state)
}

/// While the persisted state loads, everything but the health endpoint answers 503 in its
/// dialect.
async fn until_ready(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    if app.ready.load(std::sync::atomic::Ordering::Acquire)
        || req.uri().path() == "/_emulator/health"
    {
        return next.run(req).await;
    }
    if req.uri().path().starts_with("/_emulator/") {
        control::error(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the emulator is loading its persisted state",
        )
        .into_response()
    } else {
        aliyun::rpc::unavailable().await.into_response()
    }
}

/// `/`: the RPC endpoint when the request carries an `Action` (in the query, the
/// `x-acs-action` header, or a POST body). Without one, `/` is where other dialects' discovery
/// documents live; until one claims it, the RPC endpoint answers (`MissingAction`).
async fn root(state: axum::extract::State<AppState>, req: Request) -> Response {
    if carries_action(&req) {
        aliyun::rpc::handle_request(state, req)
            .await
            .into_response()
    } else {
        without_action(state, req).await
    }
}

/// `/` without an `Action`: a bare `GET /` (no query, no `x-acs-*` header) is Keystone's
/// version list; anything else the RPC endpoint answers as a request missing its action.
async fn without_action(state: axum::extract::State<AppState>, req: Request) -> Response {
    let bare = req.method() == axum::http::Method::GET
        && req.uri().query().is_none()
        && !req
            .headers()
            .keys()
            .any(|k| k.as_str().starts_with("x-acs-"));
    if bare {
        return otc::keystone::root(req.headers().clone()).await;
    }
    aliyun::rpc::handle_request(state, req)
        .await
        .into_response()
}

fn carries_action(req: &Request) -> bool {
    let in_query = req.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.split('=').next() == Some("Action"))
    });
    in_query
        || req.headers().contains_key("x-acs-action")
        || req.method() == axum::http::Method::POST
}

/// Any other path: `/_emulator/…` answers as the control plane does, `/v2/…` and `/v3…` as
/// the OTC dialect (`404 itemNotFound`), everything else as the RPC endpoint
/// (`404 InvalidAction.NotFound`).
async fn fallback(axum::extract::State(app): axum::extract::State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/_emulator/") {
        control::not_found().await.into_response()
    } else if uri.path().starts_with("/v2/") || uri.path().starts_with("/v3") {
        otc::not_found().await.into_response()
    } else {
        aliyun::rpc::not_found(&app, &uri).await.into_response()
    }
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then drains open requests for
/// at most the grace period (see [`server`] for the connection limits it applies).
///
/// # Errors
/// I/O errors of the listener.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits.connections;
    server::serve(listener, app(state), limits, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, uri: &str, header: Option<&str>) -> Request {
        let mut b = axum::http::Request::builder().method(method).uri(uri);
        if let Some(h) = header {
            b = b.header(h, "DescribeRegions");
        }
        b.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn which_requests_carry_an_action() {
        assert!(carries_action(&req("GET", "/?Action=X&Version=1", None)));
        assert!(carries_action(&req("GET", "/?Version=1&Action", None)));
        assert!(carries_action(&req("GET", "/", Some("x-acs-action"))));
        assert!(carries_action(&req("POST", "/", None)));
        assert!(!carries_action(&req("GET", "/", None)));
        assert!(!carries_action(&req("GET", "/?Actions=1", None)));
    }
}
