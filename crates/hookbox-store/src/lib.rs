//! hookbox's persistence, on sled: tenants and their access keys (secrets
//! only as salted hashes), functions with their source and compiled artifact,
//! the order of functions per scene, per-tenant environment variables,
//! invocation logs with expiry and a per-tenant size cap, the durable queue
//! of asynchronous jobs, the nonces of signed requests (each accepted once
//! per tenant), and custom database connections (scripts, artifacts and a
//! sealed configuration).
//!
//! - **Isolation.** Keys start with the tenant id and a `\0` separator, so one
//!   tenant's data is one prefix and no lookup can reach another's; ids,
//!   scenes and env keys containing `\0` are refused.
//! - **Versioned values.** Every record is `[ENCODING_VERSION][JSON]`; a value
//!   with an unknown version is [`StoreError::Corrupt`], never misread.
//! - **Atomicity.** Every multi-key change is one sled transaction: a crash
//!   leaves the old state or the new one, never half.
//! - **Durability.** Writes are durable after [`Storage::flush`]; flush before
//!   acknowledging a write. sled also syncs in the background
//!   ([`StoreConfig::flush_every`]).
//! - **Bounded memory.** sled's page cache is sized by
//!   [`StoreConfig::cache_mb`], not left at sled's 1 GiB.
//! - **Blocking.** Every method blocks: call it off async workers
//!   (`spawn_blocking`). [`Store`] is cheap to clone.
//!
//! ```
//! use hookbox_store::{Role, Store};
//!
//! let store = Store::open_temporary()?;
//! let tenant = store.create_tenant(Some("acme"), "Acme")?;
//! let (key, secret) = store.create_key(&tenant.id, Role::Admin)?;
//! assert_eq!(store.verify_key(&key.access_key_id, &secret)?, Some(key));
//! assert_eq!(store.verify_key(&tenant.id, "guess")?, None);
//! # Ok::<(), hookbox_store::StoreError>(())
//! ```

mod clock;
mod codec;
mod config;
mod error;
mod model;
mod postgres;
mod rules;
mod seal;
mod sled_store;
pub mod storage;

pub use clock::{now_micros, rfc3339};
pub use codec::ENCODING_VERSION;
pub use config::{DEFAULT_CACHE_MB, DEFAULT_FLUSH_EVERY, StoreConfig};
pub use error::StoreError;
pub use model::{
    AccessKey, ConnectionRecord, Delivery, DeliveryStatus, FunctionRecord, FunctionStatus,
    FunctionVersion, GradualDeployment, Job, LogFilter, LogPoint, LogRecord, MAX_DEPLOY_HISTORY,
    PackageRecord, Role, SealedSecrets, Tenant, TenantId,
};
pub use postgres::{CLAIM_LEASE, DEFAULT_POOL_SIZE, PgStore};
pub use seal::Sealer;
pub use sled_store::{
    ConnectionWrite, DEFAULT_VERSIONS_KEPT, LOCK_WAIT, NonceUse, SledStore, connection_log_id,
    new_id,
};
pub use storage::{ChangeCursor, Storage, Store, lane_job_id};

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;
