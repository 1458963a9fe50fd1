//! hookbox's persistence, on sled: tenants and their access keys (secrets
//! only as salted hashes), functions with their source and compiled artifact,
//! the order of functions per scene, per-tenant environment variables,
//! invocation logs with expiry, and the durable queue of asynchronous jobs.
//!
//! Keys start with the tenant id, so one tenant's data is one prefix and no
//! lookup can reach another's. Values are `[version][JSON]`. Every multi-key
//! change is one transaction. Every method blocks: call it off async workers.
//!
//! ```
//! use hookbox_store::{Role, Store};
//!
//! let store = Store::open_temporary()?;
//! let tenant = store.create_tenant(Some("acme"), "Acme")?;
//! let (key, secret) = store.create_key(&tenant.id, Role::Admin)?;
//! assert!(store.verify_key(&key.access_key_id, &secret)?.is_some());
//! # Ok::<(), hookbox_store::StoreError>(())
//! ```

mod codec;
mod model;
mod store;

pub use codec::ENCODING_VERSION;
pub use model::{
    AccessKey, FunctionRecord, FunctionStatus, Job, LogRecord, Role, Tenant, TenantId,
};
pub use store::Store;

/// What can go wrong; callers branch on `NotFound`, `Conflict` and `Invalid`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// A value this version cannot read.
    #[error("corrupt or unknown data: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(#[from] sled::Error),
}

/// Unix time in microseconds.
pub fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-23T08:14:23.123Z`.
pub fn rfc3339(micros: u64) -> String {
    let secs = micros / 1_000_000;
    let millis = (micros % 1_000_000) / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A random 24-hex-character id, like Authing's function ids.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

#[cfg(test)]
mod tests;
