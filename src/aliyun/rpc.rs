//! The RPC front door: reads one request (query + form body, signature, Action/Version/Format),
//! finds its row in the action table, runs it and encodes the answer — errors included.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Uri};

use super::actions::{self, Ctx};
use super::encoding::{form_decode, DecodeError};
use super::error::{ApiError, Dialect, ErrorCode};
use super::params::Params;
use super::reply::{Format, Reply};
use super::signature::{self, Identity, SignedParts};
use crate::config::DEFAULT_ACCOUNT;
use crate::state::AppState;

/// What an answer (and the request log) needs to know about the request even when decoding
/// failed half-way.
struct Envelope {
    request_id: String,
    host: String,
    format: Format,
    dialect: Dialect,
    /// The action's name as the request gave it.
    action: Option<String>,
    version: Option<String>,
    account: Option<String>,
    arrived: std::time::Instant,
    /// True once the call reached the engine, which logs it.
    logged: bool,
}

/// A fresh request id: an upper-case UUID, as the gateway gives.
fn request_id() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_upper(&mut uuid::Uuid::encode_buffer())
        .to_owned()
}

/// Any path the emulator does not serve, in this dialect: `404 InvalidAction.NotFound`, logged
/// (and kept in the request log) under the `Action` the query names, or else the path, so that
/// what a client wanted can be seen.
pub async fn not_found(app: &AppState, uri: &Uri) -> Reply {
    let query = form_decode(uri.query().unwrap_or_default().as_bytes()).unwrap_or_default();
    let named = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let version = named("Version");
    let env = Envelope {
        request_id: app.engine.request_id(),
        host: "ecs.aliyuncs.com".to_owned(),
        format: Format::from_param(named("Format").as_deref()),
        dialect: version
            .as_deref()
            .and_then(actions::dialect_of)
            .unwrap_or(Dialect::Ecs),
        action: Some(named("Action").unwrap_or_else(|| uri.path().to_owned())),
        version,
        account: None,
        arrived: std::time::Instant::now(),
        logged: false,
    };
    let outcome: Result<Reply, ApiError> = Err(ErrorCode::InvalidActionNotFound.into());
    log_answer(&env, &outcome);
    log_refused(app, &env, uri, &outcome);
    match outcome {
        Ok(reply) => reply,
        Err(err) => Reply::error(env.format, env.dialect, &env.request_id, &env.host, &err),
    }
}

/// The one log line of an answered request: `Product.Action => status (code)`; a request
/// that names no action shows `<no Action>`.
fn log_answer(env: &Envelope, outcome: &Result<Reply, ApiError>) {
    let action = env.action.as_deref().unwrap_or("<no Action>");
    let product = env.dialect.product();
    match outcome {
        Ok(reply) => {
            tracing::info!(request_id = %env.request_id, "{product}.{action} => {}", reply.status().as_u16());
        }
        Err(err) => {
            tracing::info!(request_id = %env.request_id, "{product}.{action} => {} ({})", err.status, err.code);
        }
    }
}

/// The server is not ready yet: `503 ServiceUnavailable`.
pub async fn unavailable() -> Reply {
    let err = ApiError::from(ErrorCode::ServiceUnavailable);
    Reply::error(
        Format::Json,
        Dialect::Ecs,
        &request_id(),
        "ecs.aliyuncs.com",
        &err,
    )
}

/// A handler that panicked, answered in this dialect: `500 InternalError`.
pub fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let err = ApiError::internal("a request handler panicked");
    axum::response::IntoResponse::into_response(Reply::error(
        Format::Json,
        Dialect::Ecs,
        &request_id(),
        "ecs.aliyuncs.com",
        &err,
    ))
}

/// `GET|POST /` with its parts taken apart.
pub async fn handle_request(app: State<AppState>, req: axum::extract::Request) -> Reply {
    let (parts, body) = req.into_parts();
    handle(app, parts.method, parts.uri, parts.headers, body).await
}

/// `GET|POST /`: one RPC call. Every outcome, including a malformed request, is a documented body.
pub async fn handle(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Reply {
    let mut env = Envelope {
        request_id: app.engine.request_id(),
        host: headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("ecs.aliyuncs.com")
            .to_owned(),
        format: Format::Json,
        dialect: Dialect::Ecs,
        action: None,
        version: None,
        account: None,
        arrived: std::time::Instant::now(),
        logged: false,
    };
    let outcome = serve(&app, &mut env, &method, &uri, &headers, body).await;
    log_answer(&env, &outcome);
    if !env.logged {
        log_refused(&app, &env, &uri, &outcome);
    }
    match outcome {
        Ok(reply) => reply,
        Err(err) => Reply::error(env.format, env.dialect, &env.request_id, &env.host, &err),
    }
}

/// Logs a request answered before it reached the engine, with its query parameters.
fn log_refused(app: &AppState, env: &Envelope, uri: &Uri, outcome: &Result<Reply, ApiError>) {
    let query = uri.query().unwrap_or_default().to_owned();
    let params = move |f: &mut dyn FnMut(&str, &str)| {
        for (k, v) in form_decode(query.as_bytes()).unwrap_or_default() {
            f(&k, &v);
        }
    };
    let meta = crate::engine::RequestMeta {
        dialect: "alibaba",
        product: env.dialect.id(),
        version: env.version.as_deref().unwrap_or("-"),
        action: env.action.as_deref().unwrap_or("-"),
        account: env.account.as_deref().unwrap_or(DEFAULT_ACCOUNT),
        request_id: &env.request_id,
        arrived: env.arrived,
        source: crate::engine::Source::Api,
        params: &params,
    };
    app.engine.record_refused(&meta, outcome);
}

fn decode_error(e: &DecodeError) -> ApiError {
    ApiError::with_message(
        ErrorCode::InvalidParameter,
        format!("The request could not be decoded: {e}."),
    )
}

async fn read_body(app: &AppState, body: Body) -> Result<axum::body::Bytes, ApiError> {
    // Most SDK calls carry everything in the query with `Content-Length: 0`: no timer needed.
    if axum::body::HttpBody::size_hint(&body).exact() == Some(0) {
        return Ok(axum::body::Bytes::new());
    }
    let limit = app.limits.max_body_bytes;
    // A declared length over the limit is refused before reading a byte: no 30 s wait for a
    // body that will be refused anyway, and no `100 Continue` for a client that asked first
    // (the HTTP layer sends it only once the body is read).
    let declared = axum::body::HttpBody::size_hint(&body).lower();
    if usize::try_from(declared).map_or(true, |n| n > limit) {
        return Err(ErrorCode::RequestTooLarge.into());
    }
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(app.limits.request_timeout, read).await {
        Err(_) => Err(ErrorCode::RequestTimeout.into()),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                Err(ErrorCode::RequestTooLarge.into())
            } else {
                Err(ApiError::with_message(
                    ErrorCode::InvalidParameter,
                    "The request body could not be read.",
                ))
            }
        }
    }
}

fn is_form(headers: &HeaderMap, body: &[u8]) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(ct) => ct
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded"),
        None => !body.is_empty(),
    }
}

/// Merges query and form pairs; a name given twice with different values is refused.
fn merge(
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in query.into_iter().chain(form) {
        if let Some(old) = map.get(&k) {
            if *old != v {
                return Err(ApiError::with_message(
                    ErrorCode::InvalidParameter,
                    format!(
                        "The parameter \"{k}\" is specified more than once with different values."
                    ),
                ));
            }
        } else {
            map.insert(k, v);
        }
    }
    Ok(map)
}

async fn serve(
    app: &AppState,
    env: &mut Envelope,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Reply, ApiError> {
    if method != Method::GET && method != Method::POST {
        return Err(ErrorCode::UnsupportedHttpMethod.into());
    }
    let body = read_body(app, body).await?;
    let query =
        form_decode(uri.query().unwrap_or_default().as_bytes()).map_err(|e| decode_error(&e))?;
    let form = if is_form(headers, &body) {
        form_decode(&body).map_err(|e| decode_error(&e))?
    } else {
        Vec::new()
    };
    // The few protocol parameters are looked up before merging, so the merge can move the
    // decoded strings instead of copying them after the signature check has borrowed them.
    let param = |name: &str| {
        query
            .iter()
            .chain(&form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let parts = SignedParts {
        method: method.as_str(),
        path: uri.path(),
        query: &query,
        form: &form,
        headers,
        body: &body,
    };
    // An RPC signature covers parameters only, so its action and version come from them alone;
    // ACS3 signs the x-acs-* headers, and an unsigned request may use either.
    let rpc_signed = signature::is_rpc_signed(&parts);
    let header_str = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|_| !rpc_signed)
    };
    env.format = Format::from_param(param("Format"));
    let version = param("Version")
        .or_else(|| header_str("x-acs-version"))
        .map(str::to_owned);
    let action = param("Action")
        .or_else(|| header_str("x-acs-action"))
        .map(str::to_owned);
    if let Some(d) = version.as_deref().and_then(actions::dialect_of) {
        env.dialect = d;
    }
    env.action.clone_from(&action);
    env.version.clone_from(&version);

    let now_unix = time::OffsetDateTime::now_utc().unix_timestamp();
    let account = match app.aliyun.verifier.verify(&parts, now_unix)? {
        Identity::Anonymous => DEFAULT_ACCOUNT.to_owned(),
        Identity::Key { account, .. } => account,
    };
    env.account = Some(account.clone());

    let action = action
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::missing("Action"))?;
    let version = version
        .filter(|v| !v.is_empty())
        .ok_or(ErrorCode::InvalidVersion)?;
    let row = actions::find(&version, &action)?;
    let params = Params::new(merge(query, form)?, row.dialect);
    let ctx = Ctx {
        account: &account,
        params: &params,
        format: env.format,
        request_id: &env.request_id,
        arrived: env.arrived,
        reached_engine: std::sync::atomic::AtomicBool::new(false),
    };
    tracing::debug!(request_id = %env.request_id, action = row.name, version = row.version, account = %account, "dispatch");
    let reply = (row.handler)(&app.engine, row, &ctx).await;
    env.logged = ctx.reached_engine.into_inner();
    reply
}
