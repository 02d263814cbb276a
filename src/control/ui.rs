//! The dashboard's page and assets, embedded in the binary and served under `/_emulator/ui/`.
//!
//! The page holds no data and no secret, so it is served without the control plane's checks
//! (it must load before it can ask for a token); everything it shows comes from guarded
//! endpoints. It may not be framed by another site, and it loads nothing from elsewhere.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// (file name, content type, bytes).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../ui/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../ui/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../ui/app.js"),
    ),
    ("icon.svg", "image/svg+xml", include_str!("../ui/icon.svg")),
];

/// Content security policy: own origin only, no inline script, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn serve(name: &str) -> Response {
    let Some((_, ty, body)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return super::error(StatusCode::NOT_FOUND, "no such dashboard asset").into_response();
    };
    let mut res = (*body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `GET /_emulator/ui/`: the page.
pub async fn index() -> Response {
    serve("index.html")
}

/// `GET /_emulator/ui/{asset}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    serve(&name)
}

/// `GET /_emulator/ui`: to the page.
pub async fn redirect() -> Response {
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, "/_emulator/ui/")],
    )
        .into_response()
}
