//! Every response is the envelope `{statusCode, message, apiCode?, requestId, data}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hookbox_service::ServiceError;
use serde::Serialize;
use serde_json::Value;

/// The request id of the request being served (set by the request-id middleware).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Segment codes for errors (`apiCode`), stable for clients to branch on.
pub mod api_code {
    pub const INVALID: u32 = 40001;
    pub const UNAUTHENTICATED: u32 = 40101;
    pub const FORBIDDEN: u32 = 40301;
    pub const NOT_FOUND: u32 = 40401;
    pub const METHOD_NOT_ALLOWED: u32 = 40501;
    pub const CONFLICT: u32 = 40901;
    pub const TOO_LARGE: u32 = 41301;
    pub const TOO_MANY_REQUESTS: u32 = 42901;
    pub const INTERNAL: u32 = 50001;
    pub const UNAVAILABLE: u32 = 50301;
}

/// An error answer. The request id is filled in by the middleware, which
/// owns it, so handlers can return `ApiError` with `?`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub api_code: u32,
    pub message: String,
    /// Auth0's `errorCode` (e.g. `inexistent_hook`); derived from the status
    /// when not set.
    pub error_code: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, api_code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            api_code,
            message: message.into(),
            error_code: None,
        }
    }

    /// Sets the Auth0 `errorCode`.
    pub fn with_error_code(mut self, code: &'static str) -> Self {
        self.error_code = Some(code);
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, api_code::INVALID, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, api_code::UNAUTHENTICATED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, api_code::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, api_code::NOT_FOUND, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            api_code::INTERNAL,
            "internal error",
        )
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => Self::not_found(format!("{what} not found")),
            ServiceError::Invalid { field, message } => {
                Self::invalid(format!("{field}: {message}"))
            }
            ServiceError::Conflict(message) | ServiceError::Stale(message) => {
                Self::new(StatusCode::CONFLICT, api_code::CONFLICT, message)
            }
            ServiceError::NameTaken { name } => Self::new(
                StatusCode::CONFLICT,
                api_code::CONFLICT,
                format!(
                    "funcName: {name:?} is already the name of another of this tenant's hooks or Actions (Auth0 finds them by name)"
                ),
            ),
            ServiceError::TooMany(message) => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                api_code::TOO_MANY_REQUESTS,
                message,
            ),
            ServiceError::Internal(detail) => {
                // The detail goes to the log, never to the client.
                tracing::error!(error = %detail, "internal error");
                Self::internal()
            }
            ServiceError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "the database is unreachable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    api_code::UNAVAILABLE,
                    "the database is unreachable; retry shortly (calls of functions this node \
                     has loaded keep running)",
                )
            }
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, T = Value> {
    status_code: u16,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_code: Option<u32>,
    request_id: &'a str,
    data: T,
}

/// Marker left in an error response for the middleware to stamp the request id in.
#[derive(Clone)]
pub(crate) struct PendingError(pub ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// How a route family renders its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorStyle {
    /// The native envelope, with the HTTP status.
    Envelope,
    /// Authing's V3 API: the envelope with HTTP 200. The Authing SDKs read the
    /// body's `statusCode`; the node SDK's axios would throw on a 4xx and
    /// hide the body from its caller.
    AuthingBody,
    /// Auth0's Management API: `{statusCode, error, message, errorCode}`.
    Auth0,
}

impl ErrorStyle {
    pub(crate) fn for_path(path: &str) -> Self {
        if path.starts_with("/api/v2/") || path == "/api/v2" {
            Self::Auth0
        } else if path.starts_with("/api/v3/") && path != "/api/v3/get-management-token" {
            Self::AuthingBody
        } else {
            Self::Envelope
        }
    }
}

/// Renders an error in the style of the route it answers.
pub(crate) fn error_body(error: &ApiError, request_id: &str, style: ErrorStyle) -> Response {
    if style == ErrorStyle::Auth0 {
        let body = serde_json::json!({
            "statusCode": error.status.as_u16(),
            "error": error.status.canonical_reason().unwrap_or("Error"),
            "message": error.message,
            "errorCode": error.error_code.unwrap_or_else(|| auth0_code(error.status)),
        });
        return (error.status, Json(body)).into_response();
    }
    let body = Envelope {
        status_code: error.status.as_u16(),
        message: &error.message,
        api_code: Some(error.api_code),
        request_id,
        data: Value::Null,
    };
    let status = match style {
        ErrorStyle::AuthingBody => StatusCode::OK,
        _ => error.status,
    };
    (status, Json(body)).into_response()
}

/// Auth0's `errorCode` for a status, when the handler named none.
fn auth0_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid_body",
        401 => "invalid_token",
        403 => "insufficient_scope",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "too_many_requests",
        _ => "internal_error",
    }
}

/// A successful envelope.
pub fn ok(request_id: &RequestId, data: impl Serialize) -> Response {
    let body = Envelope {
        status_code: 200,
        message: "success",
        api_code: None,
        request_id: &request_id.0,
        data,
    };
    // Written straight to bytes: objects keep their key order either way
    // (serde_json's preserve_order), and no tree of the answer is built.
    match serde_json::to_vec(&body) {
        Ok(bytes) => (
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "response serialisation failed");
            ApiError::internal().into_response()
        }
    }
}
