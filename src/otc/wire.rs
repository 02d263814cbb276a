//! What every EVS call shares: the caller (token → project), bounded body and query reading,
//! the engine path with the dialect's `RequestMeta`, and answers carrying a request id.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::OtcError;
use super::identity::Project;
use super::vocab::{self, OtcNaming};
use crate::domain::call::{Answer, Call};
use crate::domain::clock::wall_ms;
use crate::domain::Op;
pub use crate::engine::Part;
use crate::engine::{Outcome, Refusal, RequestMeta, Source};
use crate::state::AppState;

/// The most characters of a name or description (the documented 255 bytes).
pub const MAX_TEXT: usize = 255;
/// The most characters of an id, a zone or a type.
pub const MAX_ID: usize = 64;
/// The most entries of an id list in a body.
pub const MAX_IDS: usize = 100;
/// The largest `limit` of a listing (and its default).
pub const MAX_LIMIT: usize = 1000;
/// The largest `offset` of a listing.
pub const MAX_OFFSET: usize = 1_000_000;

/// The caller of an EVS call: a valid token's project, the one the URL names.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The project.
    pub project: Project,
    /// The token's user id.
    pub user_id: String,
    /// This request's id (`X-Openstack-Request-Id`).
    pub request_id: String,
}

/// `http://HOST:PORT` as the client addressed the emulator.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255)
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Checks `X-Auth-Token` against the project in the URL.
///
/// # Errors
/// 401 without a valid token; `Common.0018` for a token of another project (or of none).
pub fn authorize(
    app: &AppState,
    headers: &HeaderMap,
    project_id: &str,
    request_id: &str,
) -> Result<Caller, OtcError> {
    let id = &app.otc.identity;
    let now = app.engine.world().now(wall_ms()).0;
    let token = headers
        .get("x-auth-token")
        .and_then(|t| t.to_str().ok())
        .filter(|t| t.len() <= 4096)
        .and_then(|t| id.token(t, now))
        .ok_or_else(OtcError::unauthorized)?;
    let project = token
        .project
        .map(|p| &id.projects[p])
        .filter(|p| p.id == project_id)
        .ok_or_else(OtcError::foreign_project)?;
    Ok(Caller {
        project: project.clone(),
        user_id: id.users[token.user].id.clone(),
        request_id: request_id.to_owned(),
    })
}

/// A fresh request id.
pub fn request_id() -> String {
    format!("req-{}", uuid::Uuid::new_v4())
}

/// Reads a JSON body within the body-size and time limits.
///
/// # Errors
/// 413 over the limit; 400 for a body that is not JSON or not received in time.
pub async fn read_json(app: &AppState, body: axum::body::Body) -> Result<Value, OtcError> {
    let read = axum::body::to_bytes(body, app.limits.max_body_bytes);
    let bytes = match tokio::time::timeout(app.limits.request_timeout, read).await {
        Err(_) => {
            return Err(OtcError::bad_request(
                "The request body was not received in time.",
            ))
        }
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return Err(if too_large {
                OtcError::too_large()
            } else {
                OtcError::bad_request("The request body could not be read.")
            });
        }
        Ok(Ok(b)) => b,
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| OtcError::bad_request(format!("The request body is not valid JSON: {e}.")))
}

/// Reads a JSON body into `T` (unknown keys are tolerated; wrong types and missing keys are 400).
///
/// # Errors
/// As [`read_json`], and 400 for a body of another shape.
pub async fn read_body<T: DeserializeOwned>(
    app: &AppState,
    body: axum::body::Body,
) -> Result<T, OtcError> {
    let v = read_json(app, body).await?;
    serde_json::from_value(v)
        .map_err(|e| OtcError::bad_request(format!("Invalid request body: {e}.")))
}

/// A name or description: at most 255 bytes.
///
/// # Errors
/// 400 naming the field.
pub fn text(field: &str, v: Option<String>) -> Result<Option<String>, OtcError> {
    match v {
        Some(s) if s.len() > MAX_TEXT => Err(OtcError::bad_request(format!(
            "{field} must be at most {MAX_TEXT} bytes."
        ))),
        v => Ok(v),
    }
}

/// An id, zone or type: 1 to 64 characters.
///
/// # Errors
/// 400 naming the field.
pub fn short(field: &str, v: &str) -> Result<(), OtcError> {
    if v.is_empty() || v.len() > MAX_ID {
        return Err(OtcError::bad_request(format!(
            "{field} must be 1 to {MAX_ID} characters."
        )));
    }
    Ok(())
}

/// A list of ids: 1 to `max` distinct, well-formed ids.
///
/// # Errors
/// 400 naming the field.
pub fn ids(field: &str, v: &[String], min: usize, max: usize) -> Result<(), OtcError> {
    if v.len() < min || v.len() > max {
        return Err(OtcError::bad_request(format!(
            "{field} must hold {min} to {max} ids."
        )));
    }
    for (i, id) in v.iter().enumerate() {
        short(field, id)?;
        if v[..i].contains(id) {
            return Err(OtcError::bad_request(format!("{field} names {id} twice.")));
        }
    }
    Ok(())
}

/// The query string as a map (the last value of a repeated key wins).
///
/// # Errors
/// 400 for a malformed query or a value over 255 characters.
pub fn query(uri: &axum::http::Uri) -> Result<HashMap<String, String>, OtcError> {
    let raw = uri.query().unwrap_or_default();
    let pairs = crate::aliyun::encoding::form_decode(raw.as_bytes())
        .map_err(|e| OtcError::bad_request(format!("The query string is malformed: {e}.")))?;
    let mut map = HashMap::new();
    for (k, v) in pairs {
        if v.len() > MAX_TEXT {
            return Err(OtcError::bad_request(format!(
                "The query parameter {k} is too long."
            )));
        }
        map.insert(k, v);
    }
    Ok(map)
}

/// A numeric query parameter in `min..=max`.
///
/// # Errors
/// 400 naming the parameter.
pub fn number(
    q: &HashMap<String, String>,
    key: &str,
    min: usize,
    max: usize,
) -> Result<Option<usize>, OtcError> {
    match q.get(key) {
        None => Ok(None),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(OtcError::bad_request(format!(
                "{key} must be an integer from {min} to {max}."
            ))),
        },
    }
}

/// Runs `call` on the engine path as `action` for the caller's project, rendering the answer
/// with `render` (or a domain refusal through the vocabulary).
///
/// # Errors
/// The domain's refusal (or an injected fault) in OTC words.
pub async fn run<R>(
    app: &AppState,
    caller: &Caller,
    action: &'static str,
    call: Call,
    render: impl FnOnce(Answer<'_>) -> Result<R, OtcError>,
) -> Result<R, OtcError> {
    run_as(app, caller, action, call, render, Part::Whole).await
}

/// [`run`], as a whole request's call or as a read that serves one.
///
/// # Errors
/// The domain's refusal (or an injected fault) in OTC words.
pub async fn run_as<R>(
    app: &AppState,
    caller: &Caller,
    action: &'static str,
    call: Call,
    render: impl FnOnce(Answer<'_>) -> Result<R, OtcError>,
    part: Part,
) -> Result<R, OtcError> {
    let op: Op = call.op();
    let params = |_: &mut dyn FnMut(&str, &str)| {};
    let meta = RequestMeta {
        dialect: "otc",
        product: "evs",
        version: "v2",
        action,
        account: &caller.project.account,
        request_id: &caller.request_id,
        arrived: std::time::Instant::now(),
        source: Source::Api,
        params: &params,
    };
    let render = |answer: Result<Answer<'_>, Refusal>| {
        Logged(
            match answer {
                Ok(a) => render(a),
                Err(Refusal::Domain(e)) => Err(vocab::from_domain(e, op)),
                Err(Refusal::Fault(f)) => Err(vocab::from_fault(f)),
            },
            op,
        )
    };
    app.engine
        .apply_as(&meta, &OtcNaming, call, render, part)
        .await
        .0
}

/// An OTC outcome as the request log sees it: a success with the status its operation answers
/// (see `vocab::success_status`), an error its own status and code.
struct Logged<R>(Result<R, OtcError>, Op);

impl<R> Outcome for Logged<R> {
    fn status(&self) -> u16 {
        self.0
            .as_ref()
            .map_or_else(|e| e.status, |_| vocab::success_status(self.1))
    }
    fn code(&self) -> Option<&str> {
        self.0.as_ref().err().map(|e| e.code.as_ref())
    }
}

/// An answer: status, JSON body (none for `Value::Null`), request id header, and one log line.
pub fn reply(
    action: &str,
    request_id: &str,
    outcome: Result<(StatusCode, Value), OtcError>,
) -> Response {
    let mut res = match outcome {
        Ok((status, body)) => {
            tracing::info!(request_id, "evs.{action} => {}", status.as_u16());
            if body.is_null() {
                status.into_response()
            } else {
                (status, axum::Json(body)).into_response()
            }
        }
        Err(e) => {
            tracing::info!(request_id, "evs.{action} => {} ({})", e.status, e.code);
            e.into_response()
        }
    };
    if let Ok(v) = request_id.parse() {
        res.headers_mut().insert("x-openstack-request-id", v);
    }
    res
}

/// An answer that is not the shape the call gives: a bug.
pub fn unexpected(answer: &Answer<'_>) -> OtcError {
    OtcError::internal(format!("unexpected answer {answer:?}"))
}
