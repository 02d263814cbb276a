//! ecs-emulator: a local emulator of Alibaba Cloud's ECS (2014-05-26) and EBS (2021-07-30) APIs.
//!
//! # Layout
//! Three bands, each knowing only the one below it:
//! - **wire** — [`aliyun`] (the RPC endpoint on `/`: parameters, signatures, JSON/XML replies,
//!   the closed error-code set) and [`control`] (the emulator's own `/_emulator/*` endpoints);
//! - **dispatch** — [`aliyun::actions`]: one table row per (Version, Action);
//! - **domain** — [`domain`]: the simulated cloud, synchronous, no HTTP, no wire names.
//!
//! A request flows: decode (query + form, signature) → find the row → lock the world once,
//! apply in the caller's account scope and encode the answer (responses borrow from the state, so
//! a large Describe page is never copied; encoding is synchronous and short) → unlock. Domain
//! errors become wire codes in one place, `aliyun::error::ApiError::from_domain`.
//!
//! # Adding an action
//! 1. Domain logic as a `Scope` method in `domain/<family>.rs`, with a state-table test.
//! 2. A request DTO implementing `RpcAction` (decode + apply) and its response type in
//!    `aliyun/actions/<family>.rs`.
//! 3. One row in that family's `ACTIONS` table: `ecs::<Dto>("Name")` or `ebs::<Dto>("Name")`.
//! 4. An integration test in `tests/it/` and an SDK test in `tests/sdk/`.

pub mod aliyun;
pub mod config;
pub mod control;
pub mod domain;
pub mod engine;
pub mod seed;
pub mod state;

use std::future::Future;

use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tokio::net::TcpListener;

use aliyun::error::{ApiError, Dialect, ErrorCode};
use aliyun::reply::{Format, Reply};
pub use state::AppState;

/// The whole HTTP surface: RPC on `/`, control endpoints, and documented errors elsewhere.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", any(aliyun::rpc::handle))
        .merge(control::router())
        .fallback(not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
        .with_state(state)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

async fn not_found() -> Reply {
    let err = ApiError::from(ErrorCode::InvalidActionNotFound);
    Reply::error(
        Format::Json,
        Dialect::Ecs,
        &request_id(),
        "ecs.aliyuncs.com",
        &err,
    )
}

fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let err = ApiError::internal("a request handler panicked");
    Reply::error(
        Format::Json,
        Dialect::Ecs,
        &request_id(),
        "ecs.aliyuncs.com",
        &err,
    )
    .into_response()
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then drains open requests.
///
/// # Errors
/// I/O errors of the listener.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
