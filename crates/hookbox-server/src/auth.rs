//! Bearer tokens: Authing's key-pair exchange, role checks, the admin key.

use crate::error::ApiError;
use hookbox_store::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

pub struct Auth {
    encoding: EncodingKey,
    decoding: DecodingKey,
    admin_key_hash: Option<[u8; 32]>,
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

    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| ApiError::unauthenticated(format!("invalid token: {e}")))?;
        Ok(Caller {
            tenant: data.claims.scoped_userpool_id,
            role: data.claims.role,
            key_id: data.claims.sub,
        })
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
}
