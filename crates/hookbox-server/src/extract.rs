//! Extractors whose rejections come back in the envelope, naming the field.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, api_code};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// JSON body. Bad JSON, a wrong type or a missing field is a 400 that names
/// the field (`timeout: invalid type: string "3", expected u32`); an
/// oversize body is a 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("application/json") || ct.ends_with("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                api_code::INVALID,
                "expected a JSON body (content-type: application/json)",
            ));
        }
        let _ = state;
        let bytes = read_body(req.into_body()).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Bodies past the limit are still read (and dropped) up to this much, so the
/// client gets its 413 instead of a reset connection mid-upload.
const DRAIN_BYTES: usize = 64 * 1024 * 1024;

pub(crate) async fn read_body(body: axum::body::Body) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::invalid(format!("could not read the body: {e}")))?;
        seen += chunk.len();
        if seen <= crate::MAX_BODY_BYTES {
            buf.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > crate::MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            api_code::TOO_LARGE,
            format!(
                "request body is larger than {} bytes",
                crate::MAX_BODY_BYTES
            ),
        ));
    }
    Ok(buf)
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::invalid(format!("body is not valid JSON: {inner}"))
        } else if path == "." || path.starts_with('[') {
            ApiError::invalid(format!("body: must be a JSON object ({inner})"))
        } else {
            ApiError::invalid(format!("{path}: {inner}"))
        }
    })
}

/// Query string, with the same kind of errors.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_de(query);
        de.map(ApiQuery)
    }
}

fn serde_urlencoded_de<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| ApiError::invalid("bad query string"))?,
    )
    .map(|q| q.0)
    .map_err(|e| ApiError::invalid(format!("query: {}", e.body_text())))
}

/// The bearer token's caller. The Authing SDKs also send
/// `x-authing-userpool-id`, which must then match the token's tenant.
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // A signed request (Authing's node SDK), verified by the signature middleware.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let token = bearer(parts)?;
        if token.starts_with("authing ") {
            return Err(ApiError::unauthenticated(
                "signed requests (authorization: authing …) are accepted on the Authing /api/v3 routes; use a Bearer token here",
            ));
        }
        let caller = state.auth.verify(token)?;
        if let Some(pool) = parts
            .headers
            .get("x-authing-userpool-id")
            .and_then(|v| v.to_str().ok())
            && !pool.is_empty()
            && pool != caller.tenant
        {
            return Err(ApiError::forbidden(
                "x-authing-userpool-id does not match the token's tenant",
            ));
        }
        Ok(caller)
    }
}

pub(crate) fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthenticated("missing authorization header (Bearer token)"))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthenticated("authorization header is not text"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value)
        .trim();
    if token.is_empty() {
        return Err(ApiError::unauthenticated("empty bearer token"));
    }
    Ok(token)
}
