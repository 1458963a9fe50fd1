//! How the database uses memory and the disk.

use std::time::Duration;

/// sled's page cache, by default: enough for the hot working set (functions,
/// artifacts, orders, env, the queue's head) of thousands of tenants. sled's
/// own default is 1 GiB, which a busy server fills with log pages it will
/// not read again: resident memory then grows towards it.
pub const DEFAULT_CACHE_MB: u64 = 64;

/// How often sled writes unsynced changes to disk in the background, by
/// default (sled's own default). It is a safety net: every write the server
/// acknowledges is synced before the answer, and invocation logs by the
/// service's log writer on its own schedule.
pub const DEFAULT_FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Settings for [`crate::Store::open_with`]. `Default` holds the production
/// values; setters chain.
///
/// ```
/// use hookbox_store::{Store, StoreConfig};
///
/// let dir = tempfile::tempdir()?;
/// let mut config = StoreConfig::default();
/// config.cache_mb(16).flush_every(None);
/// let store = Store::open_with(dir.path(), &config)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    pub(crate) cache_bytes: u64,
    pub(crate) flush_every: Option<Duration>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            cache_bytes: DEFAULT_CACHE_MB * 1024 * 1024,
            flush_every: Some(DEFAULT_FLUSH_EVERY),
        }
    }
}

impl StoreConfig {
    /// The page cache's size in MiB (at least 1): the bound on the memory
    /// the database keeps of what it read or wrote. A smaller cache costs
    /// disk reads of cold functions and log pages, nothing else.
    pub fn cache_mb(&mut self, mb: u64) -> &mut Self {
        self.cache_bytes = mb.max(1).saturating_mul(1024 * 1024);
        self
    }

    /// The background sync interval; `None` turns the background sync off,
    /// so that only explicit [`crate::Store::flush`] calls reach the disk.
    /// A duration under a millisecond counts as one.
    pub fn flush_every(&mut self, every: Option<Duration>) -> &mut Self {
        self.flush_every = every.map(|d| d.max(Duration::from_millis(1)));
        self
    }
}
