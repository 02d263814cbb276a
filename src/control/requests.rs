//! The request log over HTTP: the most recent calls, filtered, and a live stream of new ones
//! as server-sent events.

use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::engine::log::LogFilter;
use crate::state::AppState;

/// Query of `GET /_emulator/requests` (and of the stream).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    after: Option<u64>,
    #[serde(default)]
    limit: Option<usize>,
}

impl From<Filter> for LogFilter {
    fn from(f: Filter) -> Self {
        Self {
            action: f.action,
            status: f.status,
            account: f.account,
            after: f.after,
            limit: f.limit,
        }
    }
}

/// The most recent calls passing the filter, newest last.
pub async fn list(State(app): State<AppState>, Query(f): Query<Filter>) -> Response {
    let log = app.engine.log();
    let entries = log.query(&f.into());
    Json(json!({ "capacity": log.capacity(), "requests": entries })).into_response()
}

/// New calls passing the filter, as `event: request` server-sent events with the entry as JSON.
pub async fn stream(State(app): State<AppState>, Query(f): Query<Filter>) -> Response {
    let filter: LogFilter = f.into();
    let mut feed = app.engine.log().subscribe();
    let events = async_stream(move |tx| async move {
        loop {
            match feed.recv().await {
                Ok(entry) if filter.keeps(&entry) => {
                    let event = Event::default()
                        .event("request")
                        .id(entry.seq.to_string())
                        .json_data(&entry)
                        .unwrap_or_else(|_| Event::default().comment("unencodable entry"));
                    if tx.send(Ok(event)).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    let note = Event::default().event("lagged").data(n.to_string());
                    if tx.send(Ok(note)).await.is_err() {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A stream fed by a task: `produce` sends items until the receiver goes away.
fn async_stream<F, Fut>(
    produce: F,
) -> tokio_stream::wrappers::ReceiverStream<Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(tx));
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
