//! Authing's signed requests: `authing-node-sdk` 4 sends no bearer token but
//! `authorization: authing <accessKeyId>:<signature>` on every call, where the
//! signature is `base64(HMAC-SHA1(accessKeySecret, stringToSign))` and
//!
//! ```text
//! stringToSign = METHOD "\n"
//!                (name ":" trimmed value "\n") for `date` and every `x-authing-*` header, by name
//!                path ["?" key "=" value ("&" key "=" value)*]
//! ```
//!
//! with the query parameters (GET) or the JSON body's top-level fields (other
//! methods) sorted by key, unencoded; a string is its text, anything else
//! its compact JSON. hookbox checks the signature against the key's sealed
//! secret, refuses a `date` more than [`MAX_SKEW`] away, and refuses a nonce
//! it has seen within that window (a replay).

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::read_body;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How far a request's `date` may be from the server's clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
/// Nonces remembered for replay detection (per process; the oldest go first).
const NONCES_KEPT: usize = 100_000;

type HmacSha1 = Hmac<sha1::Sha1>;

/// Nonces seen recently, with when they were seen.
pub struct Nonces(Mutex<lru::LruCache<String, SystemTime>>);

impl Default for Nonces {
    fn default() -> Self {
        Self(Mutex::new(lru::LruCache::new(
            std::num::NonZeroUsize::new(NONCES_KEPT).expect("non-zero"),
        )))
    }
}

impl Nonces {
    /// False if `nonce` was seen within [`MAX_SKEW`] (a replay).
    fn first_use(&self, nonce: &str, now: SystemTime) -> bool {
        let mut seen = self.0.lock().expect("nonce cache lock");
        if let Some(at) = seen.get(nonce)
            && now.duration_since(*at).unwrap_or_default() < 2 * MAX_SKEW
        {
            return false;
        }
        seen.put(nonce.to_string(), now);
        true
    }
}

/// Middleware for the Authing routes: a signed request is verified here and
/// its [`Caller`] handed to the handler; any other request passes through
/// (to bearer-token auth).
pub async fn verify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(presented) = signed_by(req.headers()) else {
        return next.run(req).await;
    };
    match check(&state, presented, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The `<accessKeyId>:<signature>` of an `authing` authorization header.
fn signed_by(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let rest = value
        .strip_prefix("authing ")
        .or_else(|| value.strip_prefix("Authing "))?;
    Some(rest.trim().to_string())
}

async fn check(state: &AppState, presented: String, req: Request) -> Result<Request, ApiError> {
    let (key_id, signature) = presented.split_once(':').ok_or_else(|| {
        ApiError::unauthenticated("authorization: expected `authing <accessKeyId>:<signature>`")
    })?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .map_err(|_| ApiError::unauthenticated("authorization: the signature is not base64"))?;
    let headers = req.headers();
    if let Some(method) = header(headers, "x-authing-signature-method")
        && !method.eq_ignore_ascii_case("HMAC-SHA1")
    {
        return Err(ApiError::unauthenticated(format!(
            "x-authing-signature-method: {method} is not supported (HMAC-SHA1 is)"
        )));
    }
    let now = SystemTime::now();
    let date = header(headers, "date")
        .ok_or_else(|| ApiError::unauthenticated("date: a signed request needs a date header"))?;
    let sent = httpdate::parse_http_date(date).map_err(|_| {
        ApiError::unauthenticated("date: not an HTTP date (e.g. Mon, 23 Nov 2026 10:00:00 GMT)")
    })?;
    let skew = now
        .duration_since(sent)
        .or_else(|_| sent.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(ApiError::unauthenticated(format!(
            "date: {date} is more than {} minutes from the server's clock",
            MAX_SKEW.as_secs() / 60
        )));
    }

    let (parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    let params = params(&parts, &bytes)?;
    let canonical_headers = canonical_headers(&parts.headers);

    let store = state.service.store().clone();
    let id = key_id.to_string();
    let (key, secret) = tokio::task::spawn_blocking(move || store.signing_secret(&id))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(hookbox_service::ServiceError::from)?
        .ok_or_else(|| ApiError::unauthenticated("invalid accessKeyId"))?;
    let secret = secret.ok_or_else(|| {
        ApiError::unauthenticated(
            "this access key has no sealed secret (it predates signed requests): create a new key pair",
        )
    })?;

    let path = parts.uri.path();
    let mut resources = vec![resource(path, &params)];
    // The SDK signs `path?` when it passed only undefined parameters.
    if params.is_empty() {
        resources.push(format!("{path}?"));
    }
    let valid = resources.iter().any(|resource| {
        let to_sign = format!("{}\n{canonical_headers}{resource}", parts.method);
        let mut mac = HmacSha1::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(to_sign.as_bytes());
        mac.verify_slice(&signature).is_ok()
    });
    if !valid {
        return Err(ApiError::unauthenticated(
            "signature mismatch: check the accessKeySecret and the clock",
        ));
    }
    if let Some(nonce) = header(&parts.headers, "x-authing-signature-nonce")
        && !state
            .auth
            .nonces()
            .first_use(&format!("{key_id}:{nonce}"), now)
    {
        return Err(ApiError::unauthenticated(
            "x-authing-signature-nonce: this nonce was used already (a replayed request)",
        ));
    }
    let caller = Caller {
        tenant: key.tenant_id,
        role: key.role,
        key_id: key.access_key_id,
    };
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(caller);
    Ok(req)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `date` and the `x-authing-*` headers, by name, as `name:value\n`.
fn canonical_headers(headers: &HeaderMap) -> String {
    let mut picked: BTreeMap<&str, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str();
        if (name.starts_with("x-authing-") || name == "date")
            && let Ok(value) = value.to_str()
        {
            let value = value.replace(['\t', '\n', '\r', '\x0c'], " ");
            picked
                .entry(name)
                .or_insert_with(|| value.trim().to_string());
        }
    }
    picked
        .into_iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect()
}

/// What was signed besides the path: query parameters for GET, the JSON
/// body's top-level fields otherwise; sorted by key.
fn params(
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<BTreeMap<String, String>, ApiError> {
    if parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid(format!("query: {e}")))?;
        return Ok(pairs.into_iter().collect());
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    let fields: BTreeMap<String, &RawValue> = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid(format!("body: a signed body must be a JSON object ({e})"))
    })?;
    fields
        .into_iter()
        .map(|(k, raw)| {
            let text = match serde_json::from_str::<String>(raw.get()) {
                Ok(s) => s,
                Err(_) => raw.get().to_string(),
            };
            Ok((k, text))
        })
        .collect()
}

fn resource(path: &str, params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return path.to_string();
    }
    let joined: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{path}?{}", joined.join("&"))
}

#[cfg(test)]
#[path = "signature_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_matches_the_sdks_construction() {
        let mut headers = HeaderMap::new();
        headers.insert("x-authing-lang", " zh-CN ".parse().unwrap());
        headers.insert("date", "Mon, 23 Nov 2026 10:00:00 GMT".parse().unwrap());
        headers.insert(
            "x-authing-sdk-version",
            "authing-node-sdk:4.0.1".parse().unwrap(),
        );
        headers.insert("content-type", "application/json".parse().unwrap());
        assert_eq!(
            canonical_headers(&headers),
            "date:Mon, 23 Nov 2026 10:00:00 GMT\nx-authing-lang:zh-CN\nx-authing-sdk-version:authing-node-sdk:4.0.1\n"
        );
        let req = Request::post("/api/v3/update-pipeline-order")
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        let body =
            br#"{"scene":"PRE_REGISTER","order":["b","a"],"timeout":3,"enabled":true,"x":null}"#;
        let p = params(&parts, body).unwrap();
        assert_eq!(
            resource(parts.uri.path(), &p),
            r#"/api/v3/update-pipeline-order?enabled=true&order=["b","a"]&scene=PRE_REGISTER&timeout=3&x=null"#
        );
        let (parts, ()) = Request::get("/api/v3/get-pipeline-logs?limit=10&funcId=a%20b&page=1")
            .body(())
            .unwrap()
            .into_parts();
        let p = params(&parts, b"").unwrap();
        assert_eq!(
            resource(parts.uri.path(), &p),
            "/api/v3/get-pipeline-logs?funcId=a b&limit=10&page=1"
        );
    }

    #[test]
    fn a_nonce_is_accepted_once_within_the_window() {
        let nonces = Nonces::default();
        let now = SystemTime::now();
        assert!(nonces.first_use("k:n1", now));
        assert!(!nonces.first_use("k:n1", now + Duration::from_secs(60)));
        assert!(nonces.first_use("k:n2", now));
        assert!(nonces.first_use("k:n1", now + 3 * MAX_SKEW));
    }
}
