//! What checking a signed request needs from storage: the access key's
//! secret, and each nonce accepted once per tenant while its request could
//! still be replayed.

use super::Service;
use crate::model::ServiceError;
use hookbox_store::{AccessKey, NonceUse};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Unexpired nonces a tenant may hold by default: this many signed requests
/// within one replay window (a nonce is kept until its request's `date` is
/// too old to be accepted, at most 30 minutes). Past it the tenant's new
/// signed requests are refused, rather than another nonce, its own or
/// another tenant's, being forgotten. About 200 bytes of storage each.
pub const DEFAULT_NONCES_PER_TENANT: usize = 10_000;

/// How often the expired nonces of tenants that stopped sending signed
/// requests are deleted (a tenant's own are deleted at its next one).
const NONCE_PURGE_INTERVAL: Duration = Duration::from_secs(60);

/// Why [`Service::use_nonce`] refused a nonce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    /// The tenant used this nonce already, within its window: a replay.
    #[error("this nonce was used already")]
    Replayed,
    /// The tenant holds `cap` unexpired nonces
    /// ([`crate::ServiceConfig::nonces_per_tenant`]).
    #[error("this tenant has {cap} signed requests within the replay window, the limit")]
    TenantFull { cap: usize },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

impl Service {
    /// An access key and its secret, for checking a request signature:
    /// `None` if there is no such key; a `None` secret if the key was made
    /// without a sealing key (it cannot sign).
    pub async fn signing_secret(
        &self,
        access_key_id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, ServiceError> {
        let id = access_key_id.to_string();
        self.blocking(move |s| s.signing_secret(&id)).await
    }

    /// Records that `tenant` sent a signed request with `nonce`, which must
    /// be refused if seen again until `expires` (inclusive). Durable before
    /// it returns, so a replay is refused after a restart or a crash too.
    /// Of two concurrent uses of one nonce, exactly one succeeds.
    ///
    /// Errors: [`NonceError::Replayed`]; [`NonceError::TenantFull`] when the
    /// tenant holds [`crate::ServiceConfig::nonces_per_tenant`] unexpired
    /// nonces; `Invalid` (field `nonce`) for an empty nonce or one with a NUL.
    pub async fn use_nonce(
        &self,
        tenant: &str,
        nonce: &str,
        expires: SystemTime,
    ) -> Result<(), NonceError> {
        let cap = self.inner.config.nonces_per_tenant;
        let (tenant, nonce) = (tenant.to_string(), nonce.to_string());
        let expires = micros(expires);
        let used = self
            .blocking(move |s| {
                let used =
                    s.use_nonce(&tenant, &nonce, expires, hookbox_store::now_micros(), cap)?;
                if used == NonceUse::Recorded {
                    s.flush()?;
                }
                Ok(used)
            })
            .await
            .map_err(|e| match e {
                ServiceError::Invalid { message, .. } => ServiceError::invalid("nonce", message),
                other => other,
            })?;
        match used {
            NonceUse::Recorded => Ok(()),
            NonceUse::Replayed => Err(NonceError::Replayed),
            NonceUse::TenantFull => Err(NonceError::TenantFull { cap }),
        }
    }

    /// Deletes expired nonces every [`NONCE_PURGE_INTERVAL`] until stopped.
    pub(super) async fn expire_nonces(self, mut stopped: watch::Receiver<bool>) {
        let mut failing = false;
        loop {
            let now = hookbox_store::now_micros();
            match self.blocking(move |s| s.purge_nonces_before(now)).await {
                Ok(n) => {
                    failing = false;
                    if n > 0 {
                        tracing::debug!(deleted = n, "expired signature nonces");
                    }
                }
                Err(e) => self.log_failure(&mut failing, &e, "expiring signature nonces failed"),
            }
            tokio::select! {
                _ = stopped.changed() => return,
                _ = tokio::time::sleep(NONCE_PURGE_INTERVAL) => {}
            }
        }
    }
}
