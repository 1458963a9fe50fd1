//! Bearer tokens: Authing's key-pair exchange, role checks, the admin key.

use crate::error::ApiError;
use hookbox_store::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How long a management token is valid (Authing's is 2 hours too).
pub const TOKEN_TTL: Duration = Duration::from_secs(7200);

/// What a token says: the key, its tenant (`scoped_userpool_id`, which the
/// Authing SDKs read) and its role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub scoped_userpool_id: String,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
    /// Filler, see [`Auth::issue`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pad: String,
}

/// The authenticated caller of a tenant-scoped route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: String,
    pub role: Role,
    pub key_id: String,
}

impl Caller {
    /// Management routes need an admin key; invoke keys only run things.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Invoke => Err(ApiError::forbidden(
                "this key has the invoke role: it may only run functions and scenes",
            )),
        }
    }
}

/// The key that seals stored secrets (see `hookbox_store::Sealer`), derived
/// from the server's key file so that one file guards both.
pub fn sealing_key(master: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"hookbox sealing key v1\0");
    h.update(master);
    h.finalize().into()
}

/// The seed of the key that signs event deliveries' function sessions
/// (`hookbox_service::events::SessionKeys`), derived from the same key file,
/// so that every node of a cluster signs with the same key and publishes the
/// same JWKS.
pub fn function_session_seed(master: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"hookbox function session key v1\0");
    h.update(master);
    h.finalize().into()
}

/// Seconds of clock skew a token's `exp` is allowed.
const LEEWAY_SECS: u64 = 5;

/// Tokens verified recently, at most this many; the cache is emptied when it
/// is full (only tokens this server signed get in, so it fills only as fast
/// as keys are exchanged).
const VERIFIED_CAPACITY: usize = 4096;

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    admin_key_hash: Option<[u8; 32]>,
    /// Token text → what it says and its `exp` (Unix seconds). A gateway
    /// presents the same token on every call for up to [`TOKEN_TTL`]; the
    /// signature check and claims parse then run once per token, not once
    /// per request. Keyed by the whole token, so a token that differs in any
    /// byte is verified in full.
    verified: Mutex<HashMap<Box<str>, (Caller, u64)>>,
}

impl Auth {
    /// `secret` signs tokens (persisted by the caller so tokens survive a
    /// restart); `admin_key` guards `POST /v1/tenants` (none: that route is off).
    pub fn new(secret: &[u8], admin_key: Option<&str>) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            admin_key_hash: admin_key
                .filter(|k| !k.is_empty())
                .map(|k| Sha256::digest(k.as_bytes()).into()),
            verified: Mutex::new(HashMap::new()),
        }
    }

    pub fn issue(&self, key_id: &str, tenant: &str, role: Role) -> Result<(String, u64), ApiError> {
        let now = hookbox_store::now_micros() / 1_000_000;
        let mut claims = Claims {
            sub: key_id.to_string(),
            scoped_userpool_id: tenant.to_string(),
            role,
            iat: now,
            exp: now + TOKEN_TTL.as_secs(),
            pad: String::new(),
        };
        // The Authing Python SDK decodes the payload with standard base64,
        // which silently drops the URL-safe '-' and '_': grow a filler claim
        // until the payload has neither.
        for _ in 0..64 {
            let token =
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                    .map_err(|e| {
                        tracing::error!(error = %e, "signing a token failed");
                        ApiError::internal()
                    })?;
            let payload = token.split('.').nth(1).unwrap_or_default();
            if !payload.contains(['-', '_']) {
                return Ok((token, TOKEN_TTL.as_secs()));
            }
            claims.pad.push('x');
        }
        tracing::error!("could not issue a token with a standard-base64-safe payload");
        Err(ApiError::internal())
    }

    /// The caller a bearer token stands for: HS256 with this server's key,
    /// not expired (with [`LEEWAY_SECS`] of skew). Errors: 401 naming why.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let now = hookbox_store::now_micros() / 1_000_000;
        let fresh = |exp: u64| exp.saturating_add(LEEWAY_SECS) >= now;
        if let Some((caller, exp)) = self.verified_cache().get(token)
            && fresh(*exp)
        {
            return Ok(caller.clone());
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| ApiError::unauthenticated(format!("invalid token: {e}")))?;
        let caller = Caller {
            tenant: data.claims.scoped_userpool_id,
            role: data.claims.role,
            key_id: data.claims.sub,
        };
        let mut verified = self.verified_cache();
        if verified.len() >= VERIFIED_CAPACITY {
            verified.retain(|_, (_, exp)| fresh(*exp));
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(token.into(), (caller.clone(), data.claims.exp));
        Ok(caller)
    }

    fn verified_cache(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, (Caller, u64)>> {
        // A panic while holding it cannot leave the map inconsistent.
        self.verified.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Compares in constant time (over hashes, so lengths leak nothing either).
    pub fn is_admin_key(&self, presented: &str) -> Result<(), ApiError> {
        let Some(expected) = self.admin_key_hash else {
            return Err(ApiError::forbidden(
                "the server admin key is not configured (set HOOKBOX_ADMIN_KEY)",
            ));
        };
        let got: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let diff = got
            .iter()
            .zip(expected.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff != 0 {
            return Err(ApiError::unauthenticated("invalid admin key"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_payloads_survive_standard_base64_decoding() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef", None);
        for n in 0..300 {
            let (token, _) = auth
                .issue(&format!("key{n:05}"), &format!("tenant-{n}"), Role::Admin)
                .unwrap();
            let payload = token.split('.').nth(1).unwrap();
            assert!(!payload.contains(['-', '_']), "{payload}");
            let caller = auth.verify(&token).unwrap();
            assert_eq!(caller.tenant, format!("tenant-{n}"));
        }
    }

    fn token_with(auth: &Auth, exp: u64) -> String {
        let claims = Claims {
            sub: "key1".into(),
            scoped_userpool_id: "t1".into(),
            role: Role::Invoke,
            iat: exp.saturating_sub(7200),
            exp,
            pad: String::new(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &auth.encoding).unwrap()
    }

    #[test]
    fn a_cached_token_is_still_checked_for_expiry_and_for_every_byte() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef", None);
        let (token, _) = auth.issue("key1", "t1", Role::Admin).unwrap();
        for _ in 0..2 {
            let caller = auth.verify(&token).unwrap();
            assert_eq!(
                (caller.tenant.as_str(), caller.key_id.as_str()),
                ("t1", "key1")
            );
        }
        assert_eq!(auth.verified_cache().len(), 1);
        // A hit answers from the cache: what it holds for the token comes back.
        let exp = auth.verified_cache()[token.as_str()].1;
        let seeded = Caller {
            tenant: "from-the-cache".into(),
            role: Role::Invoke,
            key_id: "key1".into(),
        };
        auth.verified_cache()
            .insert(token.as_str().into(), (seeded, exp));
        assert_eq!(auth.verify(&token).unwrap().tenant, "from-the-cache");
        // One byte of the signature changed: verified in full, refused.
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert!(auth.verify(&forged).is_err());

        // An expired token that is in the cache (as if it had been verified
        // while it was fresh) is refused like any expired token.
        let expired = token_with(&auth, 1_000_000);
        let caller = Caller {
            tenant: "t1".into(),
            role: Role::Invoke,
            key_id: "key1".into(),
        };
        auth.verified_cache()
            .insert(expired.as_str().into(), (caller, 1_000_000));
        let err = auth.verify(&expired).unwrap_err();
        assert!(format!("{err:?}").contains("ExpiredSignature"), "{err:?}");
    }

    #[test]
    fn the_verified_cache_stays_bounded() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef", None);
        let far = hookbox_store::now_micros() / 1_000_000 + 3600;
        for n in 0..VERIFIED_CAPACITY as u64 + 10 {
            let token = token_with(&auth, far + n);
            auth.verify(&token).unwrap();
            assert!(auth.verified_cache().len() <= VERIFIED_CAPACITY);
        }
    }
}
