//! The OTC error bodies: `{<faultName>: {"message", "code"}}` with the HTTP status the fault
//! name stands for (the EVS pages' shape, with EVS's string codes), and Keystone's own
//! `{"error": {"code", "title", "message"}}` for the identity endpoints.
//!
//! Policy: every refusal a client can see is an `OtcError`; a domain error becomes one in
//! exactly one place, `vocab::from_domain`, keyed by (operation, error).

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error as an EVS client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtcError {
    /// HTTP status.
    pub status: u16,
    /// The top-level key (Cinder's fault name).
    pub fault: &'static str,
    /// The EVS error code.
    pub code: Cow<'static, str>,
    /// Human-readable text.
    pub message: Cow<'static, str>,
    /// Keystone's shape instead of EVS's.
    pub keystone: bool,
    /// Seconds sent in `Retry-After` (injected throttling).
    pub retry_after: Option<u32>,
    /// Answer nothing and close the connection (an injected fault).
    pub drop_connection: bool,
}

impl OtcError {
    fn new(
        status: u16,
        fault: &'static str,
        code: &'static str,
        m: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            fault,
            code: Cow::Borrowed(code),
            message: m.into(),
            keystone: false,
            retry_after: None,
            drop_connection: false,
        }
    }

    /// 400 `badRequest` `EVS.5400`: a malformed body, URL or value, or a refused state.
    pub fn bad_request(m: impl Into<Cow<'static, str>>) -> Self {
        Self::new(400, "badRequest", "EVS.5400", m)
    }

    /// 413 `overLimit` `EVS.5413`: a quota would be exceeded.
    pub fn over_quota() -> Self {
        Self::new(413, "overLimit", "EVS.5413", "Quota exceeded.")
    }

    /// 400 `badRequest` with a specific EVS code.
    pub fn bad_request_code(code: &'static str, m: impl Into<Cow<'static, str>>) -> Self {
        Self::new(400, "badRequest", code, m)
    }

    /// 401 `unauthorized` `EVS.5401`: no token, or one that is unknown or expired.
    pub fn unauthorized() -> Self {
        Self::new(401, "unauthorized", "EVS.5401", "Authentication required")
    }

    /// 400 `Common.0018`: the token belongs to another project than the URL names.
    pub fn foreign_project() -> Self {
        Self::new(
            400,
            "badRequest",
            "Common.0018",
            "The project ID in the URL does not match the project of the token.",
        )
    }

    /// 404 `itemNotFound` `EVS.5404`.
    pub fn not_found(m: impl Into<Cow<'static, str>>) -> Self {
        Self::new(404, "itemNotFound", "EVS.5404", m)
    }

    /// 405 `badMethod`: a method the path does not serve.
    pub fn bad_method() -> Self {
        Self::new(
            405,
            "badMethod",
            "EVS.5400",
            "The method is not allowed on this resource.",
        )
    }

    /// 413 `overLimit` `EVS.5413`: the body is larger than the limit.
    pub fn too_large() -> Self {
        Self::new(
            413,
            "overLimit",
            "EVS.5413",
            "The request body is too large.",
        )
    }

    /// 500 `computeFault` `EVS.5500`: a bug (logged) or an injected fault.
    #[track_caller]
    pub fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!(location = %std::panic::Location::caller(), "internal error: {what}");
        Self::new(
            500,
            "computeFault",
            "EVS.5500",
            "The server has an internal error.",
        )
    }

    /// Keystone's 401 for credentials or a token it does not accept.
    pub fn keystone_unauthorized(m: impl Into<Cow<'static, str>>) -> Self {
        Self {
            keystone: true,
            ..Self::new(401, "unauthorized", "Unauthorized", m)
        }
    }

    /// Keystone's 400 for a malformed request.
    pub fn keystone_bad_request(m: impl Into<Cow<'static, str>>) -> Self {
        Self {
            keystone: true,
            ..Self::new(400, "badRequest", "Bad Request", m)
        }
    }

    /// The HTTP status as an axum type.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for OtcError {
    fn into_response(self) -> Response {
        let body = if self.keystone {
            json!({ "error": { "code": self.status, "title": self.code, "message": self.message } })
        } else {
            json!({ self.fault: { "message": self.message, "code": self.code } })
        };
        let mut res = (self.status_code(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        if self.drop_connection {
            res.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            res.extensions_mut().insert(crate::server::DropConnection);
        }
        res
    }
}

/// The fault name Cinder gives an HTTP status.
pub fn fault_name(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        415 => "badMediaType",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    }
}
