//! Auth0 Actions' `api.cache`, per function, persisted in the store: what a
//! call reads (its function's live entries, [`hookbox_engine::Input::cache`])
//! and what it wrote ([`hookbox_engine::Outcome::cache`]).
//!
//! The guest enforces Auth0's limits as `api.cache.set` answers, but a
//! function's answer is untrusted: the host enforces them again on every
//! write, so a hostile guest cannot grow its cache past them. Source:
//! Auth0's "Actions limitations" page (20 entries per trigger, keys at most
//! 64 bytes, values at most 4 KB, keys and values together at most 8 KB, a
//! lifetime of at most 24 hours).

use super::{Key, Service};
use crate::model::ServiceError;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Entries one function's cache holds at most (Auth0: 20 per trigger).
pub const MAX_CACHE_ENTRIES: usize = 20;
/// Longest cache key, in UTF-8 bytes (Auth0: 64 bytes).
pub const MAX_CACHE_KEY_BYTES: usize = 64;
/// Longest cache value, in UTF-8 bytes (Auth0: 4 KB).
pub const MAX_CACHE_VALUE_BYTES: usize = 4096;
/// Keys and values of one function's cache together, in UTF-8 bytes
/// (Auth0: 8 KB).
pub const MAX_CACHE_TOTAL_BYTES: usize = 8192;
/// Longest lifetime of an entry (Auth0: 24 hours); a later `expires_at` is
/// brought forward to it.
pub const MAX_CACHE_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A function's cache as cached in memory: key → `{value, expires_at}`.
pub(super) type Entries = Arc<Map<String, Value>>;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// When an entry expires (ms since the epoch), if it is a well-formed
/// `{value: string, expires_at: number}`.
fn expiry(entry: &Value) -> Option<u64> {
    let entry = entry.as_object()?;
    entry.get("value")?.as_str()?;
    entry
        .get("expires_at")?
        .as_f64()
        .map(|ms| ms.max(0.0) as u64)
}

/// The entries still alive at `now` (ms).
pub(crate) fn live(entries: &Map<String, Value>, now: u64) -> Map<String, Value> {
    entries
        .iter()
        .filter(|(_, e)| expiry(e).is_some_and(|at| at > now))
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect()
}

fn size(key: &str, entry: &Value) -> usize {
    key.len() + entry["value"].as_str().map_or(0, str::len)
}

/// Applies a call's writes to the stored entries at `now` (ms): expired
/// entries go first; `null` deletes; a write that breaks a limit is dropped
/// (counted in the return value), and an expiry past the longest lifetime is
/// brought forward to it. Writes apply in the order the function made them.
pub(crate) fn apply(
    entries: &mut Map<String, Value>,
    writes: &Map<String, Value>,
    now: u64,
) -> usize {
    entries.retain(|_, e| expiry(e).is_some_and(|at| at > now));
    let latest = now.saturating_add(MAX_CACHE_LIFETIME.as_millis() as u64);
    let mut dropped = 0;
    for (key, write) in writes {
        if key.len() > MAX_CACHE_KEY_BYTES {
            dropped += 1;
            continue;
        }
        if write.is_null() {
            entries.shift_remove(key);
            continue;
        }
        let (Some(value), Some(at)) = (write.get("value").and_then(Value::as_str), expiry(write))
        else {
            dropped += 1;
            continue;
        };
        if value.len() > MAX_CACHE_VALUE_BYTES {
            dropped += 1;
            continue;
        }
        let at = at.min(latest);
        if at <= now {
            entries.shift_remove(key);
            continue;
        }
        let entry = serde_json::json!({ "value": value, "expires_at": at });
        let others = entries.iter().filter(|(k, _)| *k != key);
        let count = others.clone().count() + 1;
        let total: usize = others.map(|(k, e)| size(k, e)).sum::<usize>() + size(key, &entry);
        if count > MAX_CACHE_ENTRIES || total > MAX_CACHE_TOTAL_BYTES {
            dropped += 1;
            continue;
        }
        entries.insert(key.clone(), entry);
    }
    dropped
}

impl Service {
    /// A function's live cache entries, for its next call: from memory, or
    /// loaded from the store (an unreadable stored cache reads as empty).
    pub(super) async fn action_cache(&self, tenant: &str, func_id: &str) -> Map<String, Value> {
        let key: Key = (tenant.to_string(), func_id.to_string());
        let entries = match self.cached(&self.inner.action_caches, &key) {
            Ok(hit) => hit,
            Err(ticket) => {
                let (t, f) = key.clone();
                let entries = match self.blocking(move |s| s.action_cache(&t, &f)).await {
                    Ok(map) => Arc::new(live(&map, now_ms())),
                    Err(e) => match self.stale(&self.inner.action_caches, &key, e) {
                        Ok(stale) => return live(&stale, now_ms()),
                        // An outage is logged once, by the database watcher:
                        // not again at every call it lasts.
                        Err(e @ ServiceError::Unavailable(_)) => {
                            tracing::debug!(tenant, func_id, error = %e, "reading an Actions cache failed");
                            return Map::new();
                        }
                        Err(e) => {
                            tracing::error!(tenant, func_id, error = %e, "reading an Actions cache failed");
                            return Map::new();
                        }
                    },
                };
                self.inner.action_caches.fill(ticket, key, entries.clone());
                entries
            }
        };
        if entries.is_empty() {
            return Map::new();
        }
        live(&entries, now_ms())
    }

    /// Persists a call's cache writes. A call's answer does not wait on this
    /// failing: a write that cannot be stored is logged and dropped (Auth0
    /// promises a cache entry only within one execution).
    pub(super) async fn save_action_cache(
        &self,
        tenant: &str,
        func_id: &str,
        writes: Map<String, Value>,
    ) {
        let key: Key = (tenant.to_string(), func_id.to_string());
        let ticket = self.inner.action_caches.ticket(tenant);
        let (t, f) = key.clone();
        let saved = self
            .blocking(move |s| {
                let dropped = std::sync::atomic::AtomicUsize::new(0);
                let map = s.update_action_cache(&t, &f, &|entries| {
                    let n = apply(entries, &writes, now_ms());
                    dropped.store(n, std::sync::atomic::Ordering::Relaxed);
                })?;
                Ok((map, dropped.into_inner()))
            })
            .await;
        match saved {
            Ok((map, dropped)) => {
                if dropped > 0 {
                    tracing::warn!(
                        tenant,
                        func_id,
                        dropped,
                        "Actions cache writes over Auth0's limits were dropped"
                    );
                }
                self.inner.action_caches.replace(ticket, key, Arc::new(map));
            }
            // Deleted while it ran: its cache went with it.
            Err(ServiceError::NotFound(_)) => self.inner.action_caches.invalidate(&key),
            Err(e) => {
                tracing::error!(tenant, func_id, error = %e, "storing an Actions cache failed");
                self.inner.action_caches.invalidate(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: u64 = 1_800_000_000_000;

    fn entry(value: &str, at: u64) -> Value {
        json!({"value": value, "expires_at": at})
    }

    fn writes(pairs: &[(&str, Value)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn writes_set_delete_and_drop_expired_entries() {
        let mut stored = writes(&[("old", entry("x", NOW - 1)), ("keep", entry("k", NOW + 5))]);
        let dropped = apply(
            &mut stored,
            &writes(&[
                ("a", entry("1", NOW + 10)),
                ("keep", Value::Null),
                ("b", entry("2", NOW + 20)),
            ]),
            NOW,
        );
        assert_eq!(dropped, 0);
        assert_eq!(
            Value::Object(stored),
            json!({"a": entry("1", NOW + 10), "b": entry("2", NOW + 20)})
        );
    }

    #[test]
    fn a_hostile_write_is_held_to_auth0s_limits() {
        let day = MAX_CACHE_LIFETIME.as_millis() as u64;
        let mut stored = Map::new();
        let far = apply(
            &mut stored,
            &writes(&[("k", entry("v", u64::MAX / 2))]),
            NOW,
        );
        assert_eq!(far, 0);
        assert_eq!(
            stored["k"]["expires_at"],
            NOW + day,
            "brought forward to 24 h"
        );

        let bad = writes(&[
            (&"k".repeat(MAX_CACHE_KEY_BYTES + 1), entry("v", NOW + 1)),
            (
                "big",
                entry(&"v".repeat(MAX_CACHE_VALUE_BYTES + 1), NOW + 1),
            ),
            ("number", json!({"value": 1, "expires_at": NOW + 1})),
            ("no expiry", json!({"value": "v"})),
            ("text", json!("v")),
        ]);
        assert_eq!(apply(&mut stored, &bad, NOW), 5);
        assert_eq!(stored.len(), 1);

        let many: Vec<(String, Value)> = (0..30)
            .map(|i| (format!("k{i}"), entry("v", NOW + 1000)))
            .collect();
        let many: Map<String, Value> = many.into_iter().collect();
        let mut stored = Map::new();
        assert_eq!(apply(&mut stored, &many, NOW), 10);
        assert_eq!(stored.len(), MAX_CACHE_ENTRIES);

        // Three 3 KB values: the third would pass 8 KB.
        let mut stored = Map::new();
        let v = "v".repeat(3000);
        let dropped = apply(
            &mut stored,
            &writes(&[
                ("a", entry(&v, NOW + 1)),
                ("b", entry(&v, NOW + 1)),
                ("c", entry(&v, NOW + 1)),
            ]),
            NOW,
        );
        assert_eq!((dropped, stored.len()), (1, 2));
        // Replacing a key counts its new size, not both.
        let dropped = apply(&mut stored, &writes(&[("a", entry(&v, NOW + 2))]), NOW);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn live_entries_are_the_unexpired_well_formed_ones() {
        let stored = writes(&[
            ("a", entry("1", NOW + 1)),
            ("b", entry("2", NOW)),
            ("c", json!({"value": 3, "expires_at": NOW + 1})),
        ]);
        assert_eq!(
            Value::Object(live(&stored, NOW)),
            json!({"a": entry("1", NOW + 1)})
        );
    }
}
