//! Extractors whose rejections come back in the envelope, naming the field.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, api_code};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// JSON body. Bad JSON, a wrong type, a missing or unknown field and nesting
/// past [`MAX_JSON_DEPTH`] are a 400 that names the field and the rule
/// (`timeout: invalid type: string "3", expected u32`); an oversize body is
/// a 413; a content type that is not JSON is a 415.
pub struct ApiJson<T>(pub T);

/// Deepest nesting of arrays and objects a body may have: the JSON parser's
/// recursion limit, which keeps a hostile body from exhausting its stack.
pub const MAX_JSON_DEPTH: usize = 128;

/// Whether a `content-type` names JSON: `application/json` or a
/// `application/…+json` type, with any parameters (`; charset=utf-8`).
pub(crate) fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if let Some(ct) = req.headers().get(axum::http::header::CONTENT_TYPE) {
            let ct = String::from_utf8_lossy(ct.as_bytes());
            if !is_json_media_type(&ct) {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    api_code::INVALID,
                    format!("content-type: expected application/json, got {ct:?}"),
                ));
            }
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
    read_body_limited(body, crate::MAX_BODY_BYTES).await
}

/// [`read_body`] with its own limit, in bytes (a 413 past it).
pub(crate) async fn read_body_limited(
    body: axum::body::Body,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::invalid(format!("could not read the body: {e}")))?;
        seen += chunk.len();
        if seen <= limit {
            buf.extend_from_slice(&chunk);
        } else if seen > DRAIN_BYTES {
            break;
        }
    }
    if seen > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            api_code::TOO_LARGE,
            format!("request body is larger than {limit} bytes"),
        ));
    }
    Ok(buf)
}

/// Reads a body as `T`; see [`ApiJson`] for the errors.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde reads a struct from an array too (`["invoke"]` as `{role}`):
    // where an object is expected, an array is refused before that.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') && probe::expects_object::<T>() {
        return Err(ApiError::invalid(
            "body: must be a JSON object, not an array",
        ));
    }
    // A body that parses needs no path: serde_path_to_error records a
    // segment (an allocation per key) for every value it passes. Only a body
    // that fails is read again with it, to name the field in the error.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize(&mut *de);
    let error = match parsed {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(e) => return Err(ApiError::invalid(format!("body is not valid JSON: {e}"))),
        },
        Err(e) => e,
    };
    let path = error.path().clone();
    let inner = error.into_inner();
    if is_depth_error(&inner) {
        return Err(depth_error(&path));
    }
    if !(inner.is_syntax() || inner.is_eof()) {
        return Err(field_error(&path, &inner));
    }
    // A syntax error in a body that is valid JSON comes from a typed field
    // that would not even start on the value (an enum given a number): read
    // it again through a `Value`, whose errors name the type.
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return Err(ApiError::invalid(format!(
            "body is not valid JSON: {inner}"
        )));
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => from_value(value),
        Err(e) if is_depth_error(&e) => Err(depth_error(&path)),
        Err(_) => Err(ApiError::invalid(format!("{path}: has the wrong type"))),
    }
}

/// Reads a parsed JSON value as `T`, with [`parse_json`]'s errors.
pub(crate) fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().clone();
        field_error(&path, &e.into_inner())
    })
}

fn is_depth_error(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("recursion limit exceeded")
}

/// Nesting too deep, named by the top-level field it is in.
fn depth_error(path: &serde_path_to_error::Path) -> ApiError {
    let field = match path.iter().next() {
        Some(serde_path_to_error::Segment::Map { key }) => key.as_str(),
        _ => "body",
    };
    ApiError::invalid(format!(
        "{field}: nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects (the limit)"
    ))
}

/// A data error at `path`, naming the field: `timeout: invalid type: …`,
/// `funcNmae: unknown field, expected one of …`, `sourceCode: is required`.
fn field_error(path: &serde_path_to_error::Path, inner: &serde_json::Error) -> ApiError {
    let text = inner.to_string();
    // serde's own wording. An unknown key is the path's last segment; a
    // missing one was never visited, so the path is its parent.
    let at = |name: &str| {
        let last_is_name = matches!(
            path.iter().next_back(),
            Some(serde_path_to_error::Segment::Map { key }) if key == name
        );
        match path.to_string().as_str() {
            _ if last_is_name => path.to_string(),
            "." => name.to_string(),
            parent => format!("{parent}.{name}"),
        }
    };
    if let Some(rest) = text.strip_prefix("unknown field `")
        && let Some((name, expected)) = rest.split_once("`, ")
    {
        return ApiError::invalid(format!("{}: unknown field, {expected}", at(name)));
    }
    if let Some(rest) = text.strip_prefix("missing field `")
        && let Some((name, _)) = rest.split_once('`')
    {
        return ApiError::invalid(format!("{}: is required", at(name)));
    }
    let path = path.to_string();
    if path == "." {
        if text.contains("expected struct") || text.contains("expected a map") {
            ApiError::invalid(format!("body: must be a JSON object ({text})"))
        } else {
            ApiError::invalid(format!("body: {text}"))
        }
    } else if path.starts_with('[') {
        ApiError::invalid(format!("body{path}: {text}"))
    } else {
        ApiError::invalid(format!("{path}: {text}"))
    }
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
    let mut headers = parts
        .headers
        .get_all(axum::http::header::AUTHORIZATION)
        .iter();
    let header = headers
        .next()
        .ok_or_else(|| ApiError::unauthenticated("missing authorization header (Bearer token)"))?;
    if headers.next().is_some() {
        // Two credentials: which one a proxy or the server would read is a
        // guess; refuse rather than pick.
        return Err(ApiError::unauthenticated(
            "authorization header: give it once (two were sent)",
        ));
    }
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

/// Which JSON shape a type asks its deserializer for, found by asking a
/// deserializer that only records the request.
mod probe {
    use serde::Deserialize;
    use serde::de::{self, Visitor};
    use std::fmt;

    /// The shape asked for, carried out as the "error".
    #[derive(Debug)]
    struct Asked(bool);

    impl fmt::Display for Asked {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probe")
        }
    }

    impl std::error::Error for Asked {}

    impl de::Error for Asked {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Asked(false)
        }
    }

    struct Probe;

    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Asked;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked(false))
        }

        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked(true))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Asked> {
            Err(Asked(true))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct enum identifier ignored_any
        }
    }

    /// Whether `T` is read from a JSON object (a struct or a map).
    pub(super) fn expects_object<'de, T: Deserialize<'de>>() -> bool {
        matches!(T::deserialize(Probe), Err(Asked(true)))
    }
}

/// A JSON object of string values in which every key appears once
/// (`PUT /v1/env`): serde would keep the last of two equal keys silently.
#[derive(Debug, Default)]
pub struct UniqueStringMap(pub std::collections::BTreeMap<String, String>);

impl<'de> serde::Deserialize<'de> for UniqueStringMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Unique;
        impl<'de> serde::de::Visitor<'de> for Unique {
            type Value = UniqueStringMap;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of string values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = std::collections::BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, String>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key `{key}`: give each key once"
                        )));
                    }
                    out.insert(key, value);
                }
                Ok(UniqueStringMap(out))
            }
        }
        deserializer.deserialize_map(Unique)
    }
}
