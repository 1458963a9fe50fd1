//! Authing's signed requests: `authing-node-sdk` 4 sends no bearer token but
//! `authorization: authing <accessKeyId>:<signature>` on every call, where the
//! signature is `base64(HMAC-SHA1(accessKeySecret, stringToSign))` and
//!
//! ```text
//! stringToSign = METHOD "\n"
//!                (name ":" value "\n") for `date` and every `x-authing-*` header, sorted by name
//!                path ["?" key "=" value ("&" key "=" value)*]
//! ```
//!
//! exactly as the SDK builds it (`buildStringToSign` in its
//! `utils/buildSignature`): a header value has tabs and line breaks turned
//! into spaces and is trimmed; the parameters are the query's (GET) or the
//! JSON body's top-level fields (other methods), keys sorted as JavaScript's
//! `Array.prototype.sort` does (by UTF-16 code units), joined **without any
//! escaping**; a string value is its text, `null` is `null`, anything else
//! its compact JSON. With no parameters the SDK signs the bare path, or
//! `path?` when it was given only `undefined` ones.
//!
//! Because nothing is escaped, one string to sign can stand for several
//! bodies: `{"funcName": "n&isAsynchronous=true"}` signs like
//! `{"funcName": "n", "isAsynchronous": true}`. A signature cannot tell them
//! apart, so hookbox makes every signature single-use and refuses the
//! bodies whose canonical form reads as another's:
//!
//! 1. The SDK's headers must all be there ([`REQUIRED_HEADERS`]), each once,
//!    with `date` within [`MAX_SKEW`] of the server's clock.
//! 2. Structure the SDK never produces is refused before anything else: a
//!    body that is not one JSON object, a field or query parameter given
//!    twice, a query on a non-GET request, a body on a GET.
//! 3. The signature is checked against the key's sealed secret.
//! 4. The nonce is recorded through the service (durable, per tenant, until
//!    the `date` leaves the window): a second use is a replay, refused, after
//!    a restart too. It is recorded before step 5, so an ambiguous request
//!    that step 5 refuses cannot be replayed as the other reading.
//! 5. What cannot be canonicalised unambiguously is refused (400): a field
//!    name with `&` or `=`; a value containing `&K=` where `K` sorts after
//!    the value's own key (it would read as a later field `K`); a `null`
//!    field (signed like the string `"null"`; leave the field out instead).
//!    Whatever passes has exactly one reading: split at each `&K=` whose `K`
//!    sorts after the current key. A value's JSON type is not in the signed
//!    text (`"3"` and `3` sign alike); every field of the Authing routes
//!    takes one JSON type only, so the other reading is refused by the route.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, api_code};
use crate::extract::read_body;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use hookbox_service::NonceError;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// How far a request's `date` may be from the server's clock. A nonce is
/// remembered until its request's `date` is this far in the past.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Headers every signed request must carry: `authing-node-sdk` 4 sends each
/// of them with every request (`x-authing-app-id` only when configured).
pub const REQUIRED_HEADERS: [&str; 6] = [
    "date",
    "x-authing-lang",
    "x-authing-sdk-version",
    "x-authing-signature-method",
    "x-authing-signature-nonce",
    "x-authing-signature-version",
];

const NONCE: &str = "x-authing-signature-nonce";

/// Longest nonce accepted, in bytes (the SDK's are 32 hex digits).
const MAX_NONCE_BYTES: usize = 128;

type HmacSha1 = Hmac<sha1::Sha1>;

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

    let signed = signed_headers(req.headers())?;
    let nonce = check_required(&signed)?;
    let now = SystemTime::now();
    let date = &signed["date"];
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
    let params = Params::of(&parts, &bytes)?;

    let (key, secret) = state
        .service
        .signing_secret(key_id)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("invalid accessKeyId"))?;
    let secret = secret.ok_or_else(|| {
        ApiError::unauthenticated(
            "this access key has no sealed secret (it predates signed requests): create a new key pair",
        )
    })?;
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let valid = params.resources(parts.uri.path()).iter().any(|resource| {
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

    // Recorded before the ambiguity check: a refused ambiguous request must
    // not leave its signature usable for the other reading.
    state
        .service
        .use_nonce(&key.tenant_id, &nonce, sent + MAX_SKEW)
        .await
        .map_err(|e| match e {
            NonceError::Replayed => ApiError::unauthenticated(format!(
                "{NONCE}: this nonce was used already (a replayed request)"
            )),
            NonceError::TenantFull { cap } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                api_code::TOO_MANY_REQUESTS,
                format!(
                    "{NONCE}: this tenant has {cap} signed requests within the last {} minutes, \
                     the limit; retry later, or use a token from /api/v3/get-management-token",
                    MAX_SKEW.as_secs() / 60
                ),
            ),
            NonceError::Service(e) => e.into(),
        })?;
    if let Some(why) = params.ambiguity {
        return Err(ApiError::invalid(why));
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

/// `date` and the `x-authing-*` headers, by name, with the values the SDK
/// signs (tabs and line breaks as spaces, trimmed). One that is sent twice,
/// or is not text, is refused.
fn signed_headers(headers: &HeaderMap) -> Result<BTreeMap<String, String>, ApiError> {
    let mut picked = BTreeMap::new();
    for name in headers.keys() {
        let name = name.as_str();
        if !(name.starts_with("x-authing-") || name == "date") {
            continue;
        }
        let mut values = headers.get_all(name).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(ApiError::invalid(format!(
                "{name}: sent more than once; a signed request carries each signed header once"
            )));
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::invalid(format!("{name}: must be visible ASCII text")))?;
        let value = value.replace(['\t', '\n', '\r', '\x0c'], " ");
        picked.insert(name.to_string(), value.trim().to_string());
    }
    Ok(picked)
}

/// Refuses a request without one of [`REQUIRED_HEADERS`] or with a scheme
/// other than the SDK's; returns the nonce.
fn check_required(signed: &BTreeMap<String, String>) -> Result<String, ApiError> {
    for name in REQUIRED_HEADERS {
        if signed.get(name).is_none_or(String::is_empty) {
            return Err(ApiError::unauthenticated(format!(
                "{name}: a signed request must carry this header (authing-node-sdk sends it with \
                 every request; without a nonce a request could be replayed)"
            )));
        }
    }
    let method = &signed["x-authing-signature-method"];
    if method != "HMAC-SHA1" {
        return Err(ApiError::unauthenticated(format!(
            "x-authing-signature-method: {method} is not supported (HMAC-SHA1 is)"
        )));
    }
    let version = &signed["x-authing-signature-version"];
    if version != "1.0" {
        return Err(ApiError::unauthenticated(format!(
            "x-authing-signature-version: {version} is not supported (1.0 is)"
        )));
    }
    let nonce = &signed[NONCE];
    if nonce.len() > MAX_NONCE_BYTES {
        return Err(ApiError::invalid(format!(
            "{NONCE}: at most {MAX_NONCE_BYTES} characters"
        )));
    }
    Ok(nonce.clone())
}

/// The signed parameters of a request, as the SDK canonicalises them.
#[derive(Debug)]
struct Params {
    /// Key and signed text, sorted by key as JavaScript sorts strings.
    pairs: Vec<(String, String)>,
    /// Why these parameters have more than one reading (a 400 once the
    /// nonce is spent), if they do.
    ambiguity: Option<String>,
}

impl Params {
    /// Query parameters for GET and HEAD, the JSON body's top-level fields
    /// otherwise. Structure the SDK never sends is refused here.
    fn of(parts: &axum::http::request::Parts, body: &[u8]) -> Result<Self, ApiError> {
        let blank = body.iter().all(u8::is_ascii_whitespace);
        let pairs = if parts.method == Method::GET || parts.method == Method::HEAD {
            if !blank {
                return Err(ApiError::invalid(format!(
                    "body: a signed {} request has no body; its parameters go in the query",
                    parts.method
                )));
            }
            let query = parts.uri.query().unwrap_or("");
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
                .map_err(|e| ApiError::invalid(format!("query: {e}")))?;
            pairs
        } else {
            if parts.uri.query().is_some_and(|q| !q.is_empty()) {
                return Err(ApiError::invalid(format!(
                    "query: a signed {} request carries its parameters in the JSON body, not the query",
                    parts.method
                )));
            }
            if blank {
                Vec::new()
            } else {
                body_fields(body)?
            }
        };
        Self::from_pairs(pairs)
    }

    fn from_pairs(mut pairs: Vec<(String, String)>) -> Result<Self, ApiError> {
        pairs.sort_by(|a, b| js_cmp(&a.0, &b.0));
        if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(ApiError::invalid(format!(
                "{}: given twice; a signed request names each parameter once",
                w[0].0
            )));
        }
        let ambiguity = pairs.iter().find_map(|(k, v)| ambiguity(k, v));
        Ok(Self { pairs, ambiguity })
    }

    /// The resources the signature may cover: `path?k=v&…`, or with no
    /// parameters the bare path and `path?`.
    fn resources(&self, path: &str) -> Vec<String> {
        if self.pairs.is_empty() {
            return vec![path.to_string(), format!("{path}?")];
        }
        let joined: Vec<String> = self.pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        vec![format!("{path}?{}", joined.join("&"))]
    }
}

/// JavaScript's default string order: by UTF-16 code units (not code points).
fn js_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Why `key=value` has another reading in a canonical string, if it does.
fn ambiguity(key: &str, value: &str) -> Option<String> {
    if key.contains(['&', '=']) {
        return Some(format!(
            "{key}: a field name with & or = cannot be signed unambiguously \
             (authing-node-sdk does not escape it)"
        ));
    }
    for (at, _) in value.match_indices('&') {
        let rest = &value[at + 1..];
        let Some(end) = rest.find(['&', '=']) else {
            break;
        };
        let later = &rest[..end];
        if rest[end..].starts_with('=') && js_cmp(later, key) == Ordering::Greater {
            return Some(format!(
                "{key}: the value contains \"&{later}=\", which a signature cannot tell from a \
                 separate field {later:?} (authing-node-sdk signs values unescaped); change the \
                 value, or use a token from /api/v3/get-management-token"
            ));
        }
    }
    None
}

/// A JSON object's fields in document order, duplicates kept (so they can be
/// refused rather than silently resolved).
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The body's top-level fields with the text the SDK signs for each.
fn body_fields(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let fields: Fields = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid(format!("body: a signed body must be a JSON object ({e})"))
    })?;
    fields
        .0
        .into_iter()
        .map(|(key, raw)| {
            let raw = raw.get();
            if raw == "null" {
                return Err(ApiError::invalid(format!(
                    "{key}: null in a signed body signs like the string \"null\"; \
                     leave the field out instead"
                )));
            }
            let text = if raw.starts_with('"') {
                serde_json::from_str::<String>(raw).map_err(|e| {
                    ApiError::invalid(format!("{key}: not a valid JSON string ({e})"))
                })?
            } else {
                raw.to_string()
            };
            Ok((key, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(req: Request<()>) -> axum::http::request::Parts {
        req.into_parts().0
    }

    #[test]
    fn string_to_sign_matches_the_sdks_construction() {
        let mut headers = HeaderMap::new();
        headers.insert("x-authing-lang", " zh-CN ".parse().unwrap());
        headers.insert("date", "Mon, 23 Nov 2026 10:00:00 GMT".parse().unwrap());
        headers.insert(
            "x-authing-sdk-version",
            "authing-node-sdk:4.0.1".parse().unwrap(),
        );
        headers.insert("x-authing-signature-nonce", "a\tb".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let signed = signed_headers(&headers).unwrap();
        assert_eq!(
            signed
                .iter()
                .map(|(k, v)| format!("{k}:{v}\n"))
                .collect::<String>(),
            "date:Mon, 23 Nov 2026 10:00:00 GMT\nx-authing-lang:zh-CN\n\
             x-authing-sdk-version:authing-node-sdk:4.0.1\nx-authing-signature-nonce:a b\n"
        );
        let post = parts(
            Request::post("/api/v3/update-pipeline-order")
                .body(())
                .unwrap(),
        );
        let body = br#"{"scene":"PRE_REGISTER","order":["b","a"],"timeout":3,"enabled":true,"d":"x\"y\u00e9"}"#;
        let p = Params::of(&post, body).unwrap();
        assert_eq!(
            p.resources(post.uri.path()),
            [
                r#"/api/v3/update-pipeline-order?d=x"yé&enabled=true&order=["b","a"]&scene=PRE_REGISTER&timeout=3"#
            ]
        );
        assert!(p.ambiguity.is_none());
        let get = parts(
            Request::get("/api/v3/get-pipeline-logs?limit=10&funcId=a%20b+%26+c&page=1")
                .body(())
                .unwrap(),
        );
        let p = Params::of(&get, b"").unwrap();
        assert_eq!(
            p.resources(get.uri.path()),
            ["/api/v3/get-pipeline-logs?funcId=a b & c&limit=10&page=1"]
        );
        assert!(p.ambiguity.is_none(), "{p:?}");
        let empty = parts(Request::post("/api/v3/x").body(()).unwrap());
        assert_eq!(
            Params::of(&empty, b" ").unwrap().resources("/api/v3/x"),
            ["/api/v3/x", "/api/v3/x?"]
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units_as_in_javascript() {
        // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit
        // (0xD83D < 0xFF5E): JavaScript's sort, which the SDK uses, says after.
        let p = Params::from_pairs(vec![
            ("\u{FF5E}".into(), "1".into()),
            ("\u{1F600}".into(), "2".into()),
            ("B".into(), "3".into()),
            ("a".into(), "4".into()),
        ])
        .unwrap();
        let keys: Vec<&str> = p.pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["B", "a", "\u{1F600}", "\u{FF5E}"]);
    }

    #[test]
    fn bodies_with_two_readings_are_flagged() {
        let post = parts(
            Request::post("/api/v3/create-pipeline-function")
                .body(())
                .unwrap(),
        );
        let flagged = |body: &str| Params::of(&post, body.as_bytes()).unwrap().ambiguity;
        // The reported case, and a value that would read as a later field.
        let why = flagged(r#"{"funcName": "n&isAsynchronous=true", "scene": "S"}"#).unwrap();
        assert!(
            why.starts_with("funcName:") && why.contains("&isAsynchronous="),
            "{why}"
        );
        assert!(flagged(r#"{"a": "x&zzz=1"}"#).is_some());
        assert!(flagged(r#"{"a=b": 1}"#).is_some());
        assert!(flagged(r#"{"a&b": 1}"#).is_some());
        // Its other reading is itself unambiguous: that is the one accepted.
        assert!(flagged(r#"{"funcName": "n", "isAsynchronous": true, "scene": "S"}"#).is_none());
        // `&K=` with K before the key cannot be a later field; `&` alone is text.
        assert!(flagged(r#"{"sourceCode": "if (a&&b==c) x&&(y=1)"}"#).is_none());
        assert!(flagged(r#"{"zzz": "x&a=1"}"#).is_none());
        assert!(flagged(r#"{"funcId": "no such/id & más"}"#).is_none());
        assert!(flagged(r#"{"order": ["a&z=1"]}"#).is_some());
    }

    #[test]
    fn structure_the_sdk_never_sends_is_refused() {
        let post = parts(Request::post("/api/v3/x").body(()).unwrap());
        for body in [
            r#"{"a": 1, "a": 2}"#,
            r#"[1]"#,
            r#""x""#,
            r#"{"a": null}"#,
            r#"{"a": "\ud800"}"#,
            r#"{"a": 1"#,
        ] {
            let e = Params::of(&post, body.as_bytes()).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{body}: {e}");
        }
        let e = Params::of(&post, br#"{"a": null}"#).unwrap_err();
        assert!(e.message.starts_with("a: null"), "{e}");
        let post_query = parts(Request::post("/api/v3/x?a=1").body(()).unwrap());
        assert!(Params::of(&post_query, b"{}").is_err());
        let get_twice = parts(Request::get("/api/v3/x?a=1&a=2").body(()).unwrap());
        assert!(
            Params::of(&get_twice, b"")
                .unwrap_err()
                .message
                .starts_with("a: given twice")
        );
        let get = parts(Request::get("/api/v3/x?a=1").body(()).unwrap());
        assert!(Params::of(&get, b"{}").is_err());
        let mut headers = HeaderMap::new();
        headers.append(NONCE, "n1".parse().unwrap());
        headers.append(NONCE, "n2".parse().unwrap());
        assert!(
            signed_headers(&headers)
                .unwrap_err()
                .message
                .starts_with(NONCE)
        );
    }

    #[test]
    fn every_header_the_sdk_sends_is_required() {
        let complete: BTreeMap<String, String> = REQUIRED_HEADERS
            .iter()
            .map(|h| (h.to_string(), "v".to_string()))
            .chain([
                ("x-authing-signature-method".into(), "HMAC-SHA1".into()),
                ("x-authing-signature-version".into(), "1.0".into()),
            ])
            .collect();
        assert_eq!(check_required(&complete).unwrap(), "v");
        for name in REQUIRED_HEADERS {
            let mut missing = complete.clone();
            missing.remove(name);
            let e = check_required(&missing).unwrap_err();
            assert!(e.message.starts_with(name), "{e}");
            assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        }
        let mut sha256 = complete.clone();
        sha256.insert("x-authing-signature-method".into(), "HMAC-SHA256".into());
        assert!(check_required(&sha256).is_err());
    }
}
