//! Every response is the envelope `{statusCode, message, apiCode?, requestId, data}`.

use axum::Json;
use axum::http::StatusCode;
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
    pub const INTERNAL: u32 = 50001;
}

/// An error answer. The request id is filled in by the middleware, which
/// owns it, so handlers can return `ApiError` with `?`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub api_code: u32,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, api_code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            api_code,
            message: message.into(),
        }
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
            ServiceError::Conflict(message) => {
                Self::new(StatusCode::CONFLICT, api_code::CONFLICT, message)
            }
            ServiceError::Internal(detail) => {
                // The detail goes to the log, never to the client.
                tracing::error!(error = %detail, "internal error");
                Self::internal()
            }
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    status_code: u16,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_code: Option<u32>,
    request_id: &'a str,
    data: Value,
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

/// Renders an error envelope.
pub(crate) fn error_body(error: &ApiError, request_id: &str) -> Response {
    let body = Envelope {
        status_code: error.status.as_u16(),
        message: &error.message,
        api_code: Some(error.api_code),
        request_id,
        data: Value::Null,
    };
    (error.status, Json(body)).into_response()
}

/// A successful envelope.
pub fn ok(request_id: &RequestId, data: impl Serialize) -> Response {
    let data = match serde_json::to_value(data) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "response serialisation failed");
            return error_body(&ApiError::internal(), &request_id.0);
        }
    };
    let body = Envelope {
        status_code: 200,
        message: "success",
        api_code: None,
        request_id: &request_id.0,
        data,
    };
    Json(body).into_response()
}
