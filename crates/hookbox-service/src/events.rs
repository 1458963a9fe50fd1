//! Events and HTTP functions: what does not depend on the service's state.
//!
//! - **Events** are numbered, as on schmuckliCloud (`seeds/004`): the
//!   platform's five ([`PLATFORM_EVENTS`]) and each tenant's own
//!   ([`MIN_TENANT_EVENT`]–[`MAX_TENANT_EVENT`]). `POST /v1/events` queues
//!   one delivery per subscribed function; each function's deliveries go out
//!   in order, at least once, retried with backoff.
//! - **HTTP functions** are a URL instead of code. hookbox POSTs JSON to it,
//!   signed as the Standard Webhooks specification says ([`sign`]): headers
//!   `webhook-id`, `webhook-timestamp` (unix seconds) and
//!   `webhook-signature` (`v1,` then base64 of HMAC-SHA256 over
//!   `id.timestamp.body`, keyed by the `whsec_` secret's base64-decoded bytes).
//! - **Function sessions** ([`SessionKeys`]): the `_function_session` an event
//!   payload carries, an ES256 JWT standing for the user who caused the
//!   event, valid 10–20 minutes, verifiable with the keys at
//!   `/.well-known/jwks.json`. It grants nothing inside hookbox.

use crate::model::ServiceError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// One of the platform's events: its number, name and the fields its data
/// must hold (schmuckliCloud's event table, `seeds/004`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformEvent {
    pub number: u32,
    pub name: &'static str,
    pub fields: &'static [&'static str],
}

/// The platform's events, as schmuckliCloud numbers them.
pub const PLATFORM_EVENTS: &[PlatformEvent] = &[
    PlatformEvent {
        number: 1000,
        name: "STORAGE_INSERT",
        fields: &["row_id", "container", "bucket", "dataset"],
    },
    PlatformEvent {
        number: 1001,
        name: "STORAGE_UPDATE",
        fields: &["row_id", "container", "bucket", "dataset"],
    },
    PlatformEvent {
        number: 1002,
        name: "STORAGE_DELETE",
        fields: &["row_id", "container", "bucket", "dataset"],
    },
    PlatformEvent {
        number: 2000,
        name: "AUTH_LOGIN",
        fields: &["user_id", "email"],
    },
    PlatformEvent {
        number: 2001,
        name: "AUTH_REGISTER",
        fields: &["user_id", "email", "lang"],
    },
];

/// The lowest number a tenant's own event may have.
pub const MIN_TENANT_EVENT: u32 = 10_000;
/// The highest number a tenant's own event may have.
pub const MAX_TENANT_EVENT: u32 = 999_999;
/// A tenant's own events, at most.
pub const MAX_TENANT_EVENT_TYPES: usize = 100;
/// Events one function may handle, at most.
pub const MAX_SUBSCRIPTIONS: usize = 100;
/// Longest event name, in characters (`A`–`Z`, digits, `_`).
pub const MAX_EVENT_NAME_CHARS: usize = 64;
/// Largest event (`data` and `user`, as JSON).
pub const MAX_EVENT_BYTES: usize = 64 * 1024;
/// Deliveries one function may hold (pending and failed): past it, an event
/// it handles is refused with a 429 until some are delivered or replayed.
pub const MAX_DELIVERIES_PER_FUNCTION: usize = 10_000;
/// Longest URL of an HTTP function.
pub const MAX_URL_CHARS: usize = 2048;
/// How much of a receiver's answer a delivery's log keeps.
pub const LOGGED_RESPONSE_BYTES: usize = 1024;
/// How long a `_function_session` is valid unless configured (10–20 minutes,
/// as schmuckliCloud's).
pub const DEFAULT_FUNCTION_SESSION_TTL: Duration = Duration::from_secs(15 * 60);
/// The shortest configurable function session.
pub const MIN_FUNCTION_SESSION_TTL: Duration = Duration::from_secs(10 * 60);
/// The longest configurable function session.
pub const MAX_FUNCTION_SESSION_TTL: Duration = Duration::from_secs(20 * 60);
/// The `aud` of every function session: nothing inside hookbox accepts it.
pub const FUNCTION_SESSION_AUDIENCE: &str = "hookbox:function-session";
/// How far apart a receiver should accept `webhook-timestamp` (the Standard
/// Webhooks libraries' default tolerance).
pub const SIGNATURE_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A platform event by number or name.
pub fn platform_event(number: Option<u32>, name: Option<&str>) -> Option<&'static PlatformEvent> {
    PLATFORM_EVENTS
        .iter()
        .find(|e| Some(e.number) == number || Some(e.name) == name)
}

/// Refuses an event name that is not `A`–`Z`, then `A`–`Z`, digits and `_`.
pub fn check_event_name(field: &str, name: &str) -> Result<(), ServiceError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_EVENT_NAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid(
            field,
            format!(
                "{name:?} is not an event name: A–Z first, then A–Z, digits and _, at most {MAX_EVENT_NAME_CHARS} characters"
            ),
        ))
    }
}

/// Refuses an HTTP function's URL that hookbox would not call: it must be
/// an absolute `http:` or `https:` URL with a host, without credentials or a
/// fragment, at most [`MAX_URL_CHARS`]. Whether its host may be reached is
/// the tenant's allow-list's business, checked at every call (as for
/// functions' own requests), never here.
pub fn check_url(url: &str) -> Result<(), ServiceError> {
    let bad = |why: &str| Err(ServiceError::invalid("url", why.to_string()));
    if url.len() > MAX_URL_CHARS {
        return bad(&format!("is longer than {MAX_URL_CHARS} characters"));
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return bad("is not an absolute URL");
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return bad("must be an http: or https: URL");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return bad("has no host");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return bad(
            "must not hold credentials (user:password@); sign requests with the function's signing secret instead",
        );
    }
    if parsed.fragment().is_some() {
        return bad("must not have a #fragment");
    }
    Ok(())
}

/// An HTTP function's two secrets: `secret`, sent in every event payload as
/// `_secret` (schmuckliCloud's), and `signing_secret` (`whsec_` and base64
/// of 32 random bytes), which signs every request and is never sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecrets {
    pub secret: String,
    pub signing_secret: String,
}

impl WebhookSecrets {
    const SECRET: &str = "secret";
    const SIGNING: &str = "signingSecret";

    /// Two new random secrets.
    pub fn generate() -> Self {
        Self {
            secret: hex::encode(rand::random::<[u8; 32]>()),
            signing_secret: format!("whsec_{}", STANDARD.encode(rand::random::<[u8; 32]>())),
        }
    }

    /// As a map, for sealing.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (Self::SECRET.to_string(), self.secret.clone()),
            (Self::SIGNING.to_string(), self.signing_secret.clone()),
        ])
    }

    /// From a map that [`WebhookSecrets::to_map`] made.
    pub fn from_map(map: &BTreeMap<String, String>) -> Option<Self> {
        Some(Self {
            secret: map.get(Self::SECRET)?.clone(),
            signing_secret: map.get(Self::SIGNING)?.clone(),
        })
    }
}

/// The `webhook-signature` header's value for one request: `v1,` and the
/// base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed by the bytes that
/// `signing_secret` (`whsec_` + base64) encodes. Standard Webhooks,
/// "Signature scheme".
pub fn sign(signing_secret: &str, id: &str, timestamp: u64, body: &[u8]) -> String {
    let encoded = signing_secret
        .strip_prefix("whsec_")
        .unwrap_or(signing_secret);
    let key = STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| encoded.as_bytes().to_vec());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// What a function session says (an ES256 JWT's claims).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionClaims {
    /// `hookbox`.
    pub iss: &'static str,
    /// [`FUNCTION_SESSION_AUDIENCE`].
    pub aud: &'static str,
    /// The user who caused the event (its `user_id`), or `""` when the event
    /// named none.
    pub sub: String,
    /// The tenant.
    pub tenant: String,
    /// The event's number and name, and the delivery it came with.
    pub event: u32,
    pub event_name: String,
    pub delivery: String,
    /// Unix seconds.
    pub iat: u64,
    pub exp: u64,
}

/// The key pair that signs function sessions, derived from the server's
/// key file so that every node of a cluster signs alike, and its public half
/// as a JWKS.
pub struct SessionKeys {
    encoding: EncodingKey,
    kid: String,
    jwks: Value,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SessionKeys {
    /// The P-256 key whose scalar is `seed` (hashed again in the negligible
    /// case that it is not a valid scalar).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        use p256::pkcs8::EncodePrivateKey;
        use sha2::Digest;
        let mut bytes = *seed;
        let secret = loop {
            match p256::SecretKey::from_slice(&bytes) {
                Ok(k) => break k,
                Err(_) => bytes = sha2::Sha256::digest(bytes).into(),
            }
        };
        let der = secret
            .to_pkcs8_der()
            .expect("a P-256 key encodes as PKCS#8");
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, Algorithm::ES256)
            .expect("an ES256 key has a JWK");
        let kid = jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let jwks = serde_json::json!({ "keys": [jwk] });
        Self {
            encoding,
            kid,
            jwks,
        }
    }

    /// The public key, as `/.well-known/jwks.json` serves it.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// A signed function session.
    pub fn issue(&self, claims: &SessionClaims) -> Result<String, ServiceError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| ServiceError::Internal(format!("signing a function session: {e}")))
    }
}

/// `s` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncated(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The user id an event names: `data.user_id`, else the `user`'s
/// `user_id`, `userId`, `id` or `sub`.
pub(crate) fn user_id_of(data: &Value, user: Option<&Value>) -> String {
    let id = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    id(data.get("user_id"))
        .or_else(|| {
            user.and_then(|u| {
                ["user_id", "userId", "id", "sub"]
                    .iter()
                    .find_map(|k| id(u.get(k)))
            })
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference
    /// implementations (their test vectors): this secret, id, timestamp and
    /// body sign to this value.
    #[test]
    fn signatures_match_the_specifications_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn urls_hookbox_would_not_call_are_refused_by_rule() {
        for (url, rule) in [
            ("ftp://a.example/x", "http: or https:"),
            ("/relative", "absolute"),
            ("https://u:p@a.example/", "credentials"),
            ("https://a.example/#x", "fragment"),
        ] {
            let e = check_url(url).unwrap_err().to_string();
            assert!(e.starts_with("url: ") && e.contains(rule), "{url}: {e}");
        }
        check_url("https://hooks.example/events?tenant=1").unwrap();
        check_url("http://127.0.0.1:9000/").unwrap();
    }

    #[test]
    fn event_names_are_upper_snake_case() {
        check_event_name("name", "ORDER_PAID_2").unwrap();
        for bad in ["", "order", "1ABC", "A-B", &"A".repeat(65)] {
            assert!(check_event_name("name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sessions_are_es256_with_the_jwks_key_id() {
        let keys = SessionKeys::from_seed(&[7; 32]);
        let token = keys
            .issue(&SessionClaims {
                iss: "hookbox",
                aud: FUNCTION_SESSION_AUDIENCE,
                sub: "u1".into(),
                tenant: "t".into(),
                event: 2000,
                event_name: "AUTH_LOGIN".into(),
                delivery: "d".into(),
                iat: 1,
                exp: 901,
            })
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        let jwk = &keys.jwks()["keys"][0];
        assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
        assert_eq!(
            (jwk["kty"].as_str(), jwk["crv"].as_str()),
            (Some("EC"), Some("P-256"))
        );
        assert!(
            jwk.get("d").is_none(),
            "the private scalar is never published"
        );
        let same = SessionKeys::from_seed(&[7; 32]);
        assert_eq!(same.jwks(), keys.jwks(), "every node derives the same key");
    }
}
