//! The limits one invocation runs under, and the constants they derive from.

use std::time::{Duration, SystemTime};

/// Wall-clock timeout when a function does not set one (Authing's default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Shortest timeout a function may ask for.
pub const MIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest timeout a function may ask for: a login flow cannot wait longer.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// Linear-memory cap when a function does not set one.
pub const DEFAULT_MEMORY_MB: u32 = 64;
/// Smallest memory cap accepted. A cap counts what a call grows the memory by
/// beyond the runtime image it starts from (QuickJS, the prelude, Intl's
/// tables and the npm catalogue, snapshotted: about 25 MiB).
pub const MIN_MEMORY_MB: u32 = 1;
/// Room for the runtime image in each memory slot, above the largest cap.
pub const MAX_IMAGE_MB: u32 = 64;
/// Largest memory cap accepted; also the pooling allocator's slot size.
pub const MAX_MEMORY_MB: u32 = 512;

/// Largest source accepted at upload (Webtask's limit, which scripts are written for).
pub const MAX_SOURCE_BYTES: usize = 100 * 1024;
/// Largest package bundle a function may carry beside its source
/// ([`crate::Engine::compile_with_packages`]): its operator packages' files,
/// in bytes. Their bytecode is read on every call, so this bounds that cost.
pub const MAX_PACKAGES_BYTES: usize = 8 * 1024 * 1024;
/// Largest input (user, context, event, env) and output JSON, in bytes.
pub const MAX_IO_BYTES: usize = 1024 * 1024;
/// Console output kept per invocation, counting [`LOG_LINE_OVERHEAD`] per
/// line beside its text; the rest is dropped behind a marker.
pub const MAX_LOG_BYTES: usize = 64 * 1024;
/// Most console lines kept per invocation, however short: the last one kept
/// carries the truncation marker.
pub const MAX_LOG_LINES: usize = 1_000;
/// What one console line costs against [`MAX_LOG_BYTES`] beyond its text
/// (its level, JSON framing and bookkeeping), so that empty lines are not free.
pub const LOG_LINE_OVERHEAD: usize = 32;
/// Longest error `name` or `code` kept, in bytes.
pub const MAX_ERROR_NAME_BYTES: usize = 256;
/// Longest error `message` kept, in bytes; the rest is cut behind a marker.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 8 * 1024;
/// Longest error `stack` kept, in bytes; the rest is cut behind a marker.
pub const MAX_ERROR_STACK_BYTES: usize = 8 * 1024;
/// Most extra fields an error keeps (`friendlyMessage`, `user_id`, …); each
/// holds at most [`MAX_ERROR_MESSAGE_BYTES`] of JSON.
pub const MAX_ERROR_FIELDS: usize = 16;
/// Largest request a guest may hand the `crypto` host call (key and data
/// with their JSON escaping): the same as a call's input or output.
pub const MAX_CRYPTO_REQUEST_BYTES: usize = MAX_IO_BYTES;
/// Most fuel one `crypto` host request may cost (about one second of host
/// work, see `crypto::cost`): PBKDF2 with 600,000 SHA-256 iterations (OWASP's
/// 2023 advice) fits, 10,000,000 does not. Host work is not interrupted by
/// the timeout, and engines without metering charge no fuel, so this bounds
/// how long one request can hold a worker whatever the budget.
pub const MAX_CRYPTO_REQUEST_FUEL: u64 = 10_000_000_000;

/// How often the ticker thread advances the epoch. It bounds how late a
/// timeout fires and how often a runaway yields its worker thread.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Fuel granted per second of timeout. One unit is roughly one Wasm
/// instruction; a tight JS loop burns 5–9e9 a second on the reference 2-core
/// machine, so with ~5x headroom a runaway hits its wall-clock timeout first
/// and fuel stays the deterministic CPU budget operators can lower.
pub const FUEL_PER_SECOND: u64 = 40_000_000_000;

/// Limits for one invocation, and the one thing of the host it may see
/// differently (its clock). `Default` is the safe configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    timeout: Duration,
    memory_mb: u32,
    fuel: Option<u64>,
    clock_start: Option<SystemTime>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            memory_mb: DEFAULT_MEMORY_MB,
            fuel: None,
            clock_start: None,
        }
    }
}

/// A limit outside its documented range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("timeout must be between 1 and 60 seconds, got {} s", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("memory must be between 1 and 512 MB, got {0}")]
    Memory(u32),
    #[error("fuel must be greater than 0")]
    Fuel,
}

impl Limits {
    /// Sets the wall-clock timeout (1–60 s).
    pub fn timeout(&mut self, timeout: Duration) -> Result<&mut Self, LimitError> {
        if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&timeout) {
            return Err(LimitError::Timeout(timeout));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// Sets the linear-memory cap in MiB (1–512).
    pub fn memory_mb(&mut self, mb: u32) -> Result<&mut Self, LimitError> {
        if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&mb) {
            return Err(LimitError::Memory(mb));
        }
        self.memory_mb = mb;
        Ok(self)
    }

    /// Overrides the fuel budget, which otherwise follows the timeout.
    pub fn fuel(&mut self, fuel: u64) -> Result<&mut Self, LimitError> {
        if fuel == 0 {
            return Err(LimitError::Fuel);
        }
        self.fuel = Some(fuel);
        Ok(self)
    }

    /// Starts the guest's wall clock (`Date`, `new Date()`) at `at` instead of
    /// the host's time: it reads `at` when the call starts and advances in
    /// real time from there. For tests and `hookbox run --now`, so that a
    /// script that depends on the date can be run at a chosen instant. The
    /// monotonic clock (`performance.now()`) and the host's deadlines are
    /// not affected.
    pub fn clock_start(&mut self, at: SystemTime) -> &mut Self {
        self.clock_start = Some(at);
        self
    }

    /// The instant set by [`Limits::clock_start`], if any.
    pub fn get_clock_start(&self) -> Option<SystemTime> {
        self.clock_start
    }

    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }

    pub fn get_memory_mb(&self) -> u32 {
        self.memory_mb
    }

    pub fn memory_bytes(&self) -> usize {
        self.memory_mb as usize * 1024 * 1024
    }

    /// The fuel budget: the override, or [`FUEL_PER_SECOND`] per second of timeout.
    pub fn get_fuel(&self) -> u64 {
        self.fuel
            .unwrap_or_else(|| FUEL_PER_SECOND.saturating_mul(self.timeout.as_secs().max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced() {
        let mut l = Limits::default();
        assert!(l.timeout(Duration::from_secs(0)).is_err());
        assert!(l.timeout(Duration::from_secs(61)).is_err());
        assert!(l.timeout(Duration::from_secs(60)).is_ok());
        assert!(l.memory_mb(0).is_err());
        assert!(l.memory_mb(513).is_err());
        assert!(l.memory_mb(1).is_ok());
        assert_eq!(l.get_fuel(), 60 * FUEL_PER_SECOND);
        assert_eq!(Limits::default().get_timeout(), DEFAULT_TIMEOUT);
    }
}
