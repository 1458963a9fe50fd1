//! The newest inputs each function was really called with, kept in memory on
//! this node only, for the console's test bench to offer
//! (`GET /v1/functions/{id}/recent-inputs`).
//!
//! What is kept is the call's `user`, `context`, `event` and `args` as the
//! function received them (in a scene, after the functions before it), never
//! the secrets or env vars the sandbox adds. Bounded three ways: at most
//! [`RECENT_PER_FUNCTION`] per function, inputs over [`MAX_RECENT_INPUT_BYTES`]
//! are skipped, and all of them together stay under [`MAX_RECENT_BYTES`] (the
//! function captured longest ago is dropped first). At most one call per
//! function per [`RECENT_SAMPLE_EVERY`] is captured, so a busy function costs
//! one clone and one serialisation per interval, not one per call.

use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Inputs kept per function.
pub const RECENT_PER_FUNCTION: usize = 10;
/// The largest input kept, serialised (bytes).
pub const MAX_RECENT_INPUT_BYTES: usize = 16 * 1024;
/// All kept inputs together (bytes, serialised).
pub const MAX_RECENT_BYTES: usize = 8 * 1024 * 1024;
/// At most one call per function is captured per this interval.
pub const RECENT_SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// A loaded function's gate in front of [`RecentInputs`]: opens at most
/// once per [`RECENT_SAMPLE_EVERY`], with one atomic load on the calls it
/// turns away, so the per-call path takes no lock.
#[derive(Debug, Default)]
pub struct SampleGate {
    /// Milliseconds since the process's first check, when it opens next.
    next_ms: AtomicU64,
}

impl SampleGate {
    /// Whether this call (at `now`) may be kept; `true` for at most one
    /// caller per interval.
    pub fn open(&self, now: Instant) -> bool {
        static START: OnceLock<Instant> = OnceLock::new();
        let now_ms = now
            .saturating_duration_since(*START.get_or_init(Instant::now))
            .as_millis() as u64;
        let next = self.next_ms.load(Ordering::Relaxed);
        now_ms >= next
            && self
                .next_ms
                .compare_exchange(
                    next,
                    now_ms + RECENT_SAMPLE_EVERY.as_millis() as u64,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

/// One captured call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentInput {
    /// RFC 3339, when the call started.
    pub at: String,
    pub request_id: String,
    /// `{user, context, event?, args?}` as the function received them.
    pub input: Value,
    /// The function version that ran.
    pub version: u64,
}

struct Ring {
    entries: VecDeque<(RecentInput, usize)>,
    bytes: usize,
    last: Instant,
}

#[derive(Default)]
struct State {
    /// Tenant → function → its ring: looked up by `&str`, so the check
    /// every call makes allocates nothing.
    by_function: HashMap<String, HashMap<String, Ring>>,
    bytes: usize,
}

impl State {
    fn ring(&self, tenant: &str, func: &str) -> Option<&Ring> {
        self.by_function.get(tenant)?.get(func)
    }

    /// Whether a call at `now` may be kept: the function's first, then one
    /// per [`RECENT_SAMPLE_EVERY`].
    #[cfg(test)]
    fn wants(&self, tenant: &str, func: &str, now: Instant) -> bool {
        self.ring(tenant, func)
            .is_none_or(|ring| now.duration_since(ring.last) >= RECENT_SAMPLE_EVERY)
    }

    fn remove(&mut self, tenant: &str, func: &str) -> Option<Ring> {
        let functions = self.by_function.get_mut(tenant)?;
        let ring = functions.remove(func);
        if functions.is_empty() {
            self.by_function.remove(tenant);
        }
        ring
    }
}

/// See the module's documentation.
#[derive(Default)]
pub struct RecentInputs {
    state: Mutex<State>,
}

impl RecentInputs {
    /// Whether a call of `(tenant, func)` at `now` is to be captured: the
    /// first call always, then one per [`RECENT_SAMPLE_EVERY`].
    #[cfg(test)]
    fn wants(&self, tenant: &str, func: &str, now: Instant) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.wants(tenant, func, now)
    }

    /// Keeps `input` (already built) for `(tenant, func)`; skipped when it
    /// is larger than [`MAX_RECENT_INPUT_BYTES`]. The rate is the caller's:
    /// [`SampleGate`] (a function loaded anew may be sampled once early).
    pub fn record(&self, tenant: &str, func: &str, now: Instant, entry: RecentInput) {
        let size = serde_json::to_vec(&entry.input)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_RECENT_INPUT_BYTES {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ring = state
            .by_function
            .entry(tenant.to_string())
            .or_default()
            .entry(func.to_string())
            .or_insert_with(|| Ring {
                entries: VecDeque::new(),
                bytes: 0,
                last: now,
            });
        ring.last = now;
        ring.entries.push_front((entry, size));
        ring.bytes += size;
        let mut freed = 0;
        while ring.entries.len() > RECENT_PER_FUNCTION {
            if let Some((_, n)) = ring.entries.pop_back() {
                ring.bytes -= n;
                freed += n;
            }
        }
        state.bytes = state.bytes + size - freed;
        while state.bytes > MAX_RECENT_BYTES {
            let Some((t, f)) = state
                .by_function
                .iter()
                .flat_map(|(t, functions)| functions.iter().map(move |(f, r)| (t, f, r.last)))
                .filter(|(t, f, _)| (t.as_str(), f.as_str()) != (tenant, func))
                .min_by_key(|(_, _, last)| *last)
                .map(|(t, f, _)| (t.clone(), f.clone()))
            else {
                break;
            };
            if let Some(r) = state.remove(&t, &f) {
                state.bytes -= r.bytes;
            }
        }
    }

    /// `(tenant, func)`'s captured calls, newest first.
    pub fn list(&self, tenant: &str, func: &str) -> Vec<RecentInput> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .ring(tenant, func)
            .map(|r| r.entries.iter().map(|(e, _)| e.clone()).collect())
            .unwrap_or_default()
    }

    /// Forgets a function's captured calls (it was deleted).
    pub fn forget(&self, tenant: &str, func: &str) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = state.remove(tenant, func) {
            state.bytes -= r.bytes;
        }
    }

    /// All kept inputs' size, serialised (bytes).
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(n: usize, pad: usize) -> RecentInput {
        RecentInput {
            at: format!("t{n}"),
            request_id: format!("r{n}"),
            input: json!({"user": {"n": n, "pad": "x".repeat(pad)}}),
            version: 1,
        }
    }

    #[test]
    fn recent_inputs_keep_the_newest_ten_per_function() {
        let r = RecentInputs::default();
        let t0 = Instant::now();
        assert!(r.wants("t", "f", t0), "the first call is always taken");
        for n in 0..12 {
            r.record("t", "f", t0, entry(n, 0));
        }
        let list = r.list("t", "f");
        assert_eq!(list.len(), RECENT_PER_FUNCTION);
        assert_eq!(list[0].request_id, "r11");
        assert_eq!(list[9].request_id, "r2");
        assert!(!r.wants("t", "f", t0), "sampled");
        assert!(r.wants("t", "f", t0 + RECENT_SAMPLE_EVERY));
        assert!(r.list("u", "f").is_empty() && r.list("t", "g").is_empty());
        let before = r.bytes();
        r.forget("t", "f");
        assert!(r.list("t", "f").is_empty());
        assert!(before > 0 && r.bytes() == 0);
    }

    #[test]
    fn recent_inputs_stay_under_their_byte_caps() {
        let r = RecentInputs::default();
        let t0 = Instant::now();
        r.record("t", "big", t0, entry(0, MAX_RECENT_INPUT_BYTES));
        assert!(
            r.list("t", "big").is_empty(),
            "an input over the cap is skipped"
        );
        let each = 15 * 1024;
        let functions = MAX_RECENT_BYTES / (each * RECENT_PER_FUNCTION) + 3;
        for f in 0..functions {
            for n in 0..RECENT_PER_FUNCTION {
                r.record(
                    "t",
                    &format!("f{f}"),
                    t0 + Duration::from_secs(f as u64),
                    entry(n, each),
                );
            }
        }
        assert!(r.bytes() <= MAX_RECENT_BYTES, "{}", r.bytes());
        assert!(
            r.list("t", "f0").is_empty(),
            "the function captured longest ago went first"
        );
        assert_eq!(
            r.list("t", &format!("f{}", functions - 1)).len(),
            RECENT_PER_FUNCTION
        );
    }
}
