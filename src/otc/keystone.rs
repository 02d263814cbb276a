//! Keystone v3, as much as clients need: the version documents (`GET /v3`, and `GET /` for a
//! request that carries nothing of the RPC endpoint's) and `POST /v3/auth/tokens` (password
//! or token), whose catalog points the volume service back at this emulator.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::error::OtcError;
use super::identity::{domain_id, Token};
use super::wire::{self, base_url};
use crate::domain::clock::wall_ms;
use crate::state::AppState;

fn version(base: &str) -> Value {
    json!({
        "id": "v3.0",
        "status": "stable",
        "updated": "2018-02-28T00:00:00Z",
        "links": [{ "rel": "self", "href": format!("{base}/v3/") }],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.identity-v3+json"
        }]
    })
}

/// `GET /v3`: the identity version document (never a 401: clients would loop on it).
pub async fn v3(headers: HeaderMap) -> Response {
    Json(json!({ "version": version(&base_url(&headers)) })).into_response()
}

/// `GET /`: the list of identity versions (`300 Multiple Choices`, as Keystone answers).
pub async fn root(headers: HeaderMap) -> Response {
    let body = json!({ "versions": { "values": [version(&base_url(&headers))] } });
    (StatusCode::MULTIPLE_CHOICES, Json(body)).into_response()
}

/// `POST /v3/auth/tokens`: `201`, the token in `X-Subject-Token`, the catalog in the body
/// (left out with `?nocatalog`).
pub async fn issue(
    State(app): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: axum::body::Body,
) -> Response {
    match issue_token(&app, &headers, &uri, body).await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!("iam.CreateToken => {} ({})", e.status, e.code);
            e.into_response()
        }
    }
}

async fn issue_token(
    app: &AppState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    body: axum::body::Body,
) -> Result<Response, OtcError> {
    let body = wire::read_json(app, body)
        .await
        .map_err(|e| OtcError::keystone_bad_request(e.message))?;
    let id = &app.otc.identity;
    let now = app.engine.world().now(wall_ms()).0;
    let auth = &body["auth"];
    let methods = auth["identity"]["methods"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let method = methods.first().and_then(Value::as_str).unwrap_or_default();
    let (user, inherited, method) = match method {
        "password" => {
            let u = &auth["identity"]["password"]["user"];
            let name = u["name"].as_str().or_else(|| {
                let uid = u["id"].as_str()?;
                id.users
                    .iter()
                    .find(|x| x.id == uid)
                    .map(|x| x.name.as_str())
            });
            let password = u["password"].as_str().unwrap_or_default();
            let domain = u["domain"]["name"].as_str().or(u["domain"]["id"].as_str());
            let user = name
                .and_then(|n| id.user(n, password, domain))
                .ok_or_else(|| {
                    OtcError::keystone_unauthorized(
                        "The request you have made requires authentication.",
                    )
                })?;
            (user, None, "password")
        }
        "token" => {
            let t = auth["identity"]["token"]["id"].as_str().unwrap_or_default();
            let t = id.token(t, now).ok_or_else(|| {
                OtcError::keystone_unauthorized("The token is unknown or expired.")
            })?;
            (t.user, t.project, "token")
        }
        _ => {
            return Err(OtcError::keystone_bad_request(
                "auth.identity.methods must be [\"password\"] or [\"token\"].",
            ))
        }
    };
    let scope = &auth["scope"]["project"];
    let project = if scope.is_object() {
        let p = id.project(scope["id"].as_str(), scope["name"].as_str());
        Some(p.ok_or_else(|| {
            OtcError::keystone_unauthorized("The project in the scope is unknown.")
        })?)
    } else {
        inherited
    };
    let (token, record) = id.issue(user, project, now);
    let catalog = !uri.query().is_some_and(|q| q.contains("nocatalog"));
    let body = token_body(app, &record, method, &base_url(headers), catalog);
    tracing::info!("iam.CreateToken => 201");
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = token.parse() {
        res.headers_mut().insert("x-subject-token", v);
    }
    Ok(res)
}

fn token_body(app: &AppState, t: &Token, method: &str, base: &str, catalog: bool) -> Value {
    use super::vocab::keystone_time;
    let id = &app.otc.identity;
    let user = &id.users[t.user];
    let domain = json!({ "id": domain_id(&user.domain), "name": user.domain });
    let mut token = json!({
        "methods": [method],
        "expires_at": keystone_time(t.expires_at),
        "issued_at": keystone_time(t.issued_at),
        "user": { "id": user.id, "name": user.name, "domain": domain, "password_expires_at": null },
        "roles": [{ "id": "a8e0d3bf6f5b4f1c9d3e2b1a0f9e8d7c", "name": "admin" }],
    });
    if let Some(p) = t.project.map(|p| &id.projects[p]) {
        token["project"] = json!({ "id": p.id, "name": p.name, "domain": domain });
        if catalog {
            let endpoint = |service: &str, url: String| {
                json!({
                    "id": format!("{service}-{}", p.region),
                    "interface": "public",
                    "region": p.region,
                    "region_id": p.region,
                    "url": url
                })
            };
            token["catalog"] = json!([
                {
                    "type": "identity", "name": "keystone", "id": "identity",
                    "endpoints": [endpoint("identity", format!("{base}/v3"))]
                },
                {
                    "type": "volumev2", "name": "cinderv2", "id": "volumev2",
                    "endpoints": [endpoint("volumev2", format!("{base}/v2/{}", p.id))]
                }
            ]);
        }
    } else if catalog {
        token["catalog"] = json!([]);
    }
    json!({ "token": token })
}
