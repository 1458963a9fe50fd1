//! The service's caches of stored state (loaded functions, scene orders, env
//! vars, outbound allow-lists), and the generation check that keeps a cache
//! from serving a value older than an acknowledged write.
//!
//! The race it closes: a call misses the cache and reads the store; a write
//! lands, is flushed and clears the cache; then the call puts back the value
//! it read before the write. Without a check, every later call would run the
//! old code (or order, env, allow-list) until the entry is evicted.
//!
//! The check: each tenant has a generation (one of [`STRIPES`] counters,
//! chosen by hashing the tenant), which every write bumps, after its store
//! write and before it answers, under the cache's lock. A loader takes a
//! [`Ticket`] (the generation) *before* it reads the store and may cache what
//! it read only if the generation is still the same: if a write bumped it,
//! the value may predate that write and is used for this call only.

use crate::ServiceError;
use lru::LruCache;
use std::hash::{BuildHasher, Hash};
use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard};

/// Generation counters per cache. A write bumps its tenant's stripe, which
/// only stops concurrent loads of tenants sharing that stripe from caching
/// (they read the store again next time): 256 stripes keep that rare while
/// the table stays a fixed 2 KB, however many tenants there are.
const STRIPES: usize = 256;

/// A cache key that belongs to one tenant.
pub(crate) trait TenantKey {
    fn tenant(&self) -> &str;
}

/// Keyed by tenant (env vars, allow-lists).
impl TenantKey for String {
    fn tenant(&self) -> &str {
        self
    }
}

/// Keyed by tenant and a name within it (functions, scene orders).
impl TenantKey for (String, String) {
    fn tenant(&self) -> &str {
        &self.0
    }
}

/// What a loader saw before it read the store: a value read under it may be
/// cached only if no write to the tenant happened since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    stripe: usize,
    generation: u64,
}

/// A bounded LRU cache with per-tenant write generations.
pub(crate) struct Cache<K, V> {
    state: Mutex<State<K, V>>,
    /// Hashes a tenant to its stripe (fixed per process).
    hasher: std::collections::hash_map::RandomState,
    /// Runs in [`Cache::fill`] before the check, so that a test can hold a
    /// loader between its store read and its insert.
    #[cfg(test)]
    fill_hook: Mutex<Option<std::sync::Arc<dyn Fn() + Send + Sync>>>,
}

struct State<K, V> {
    entries: LruCache<K, Slot<V>>,
    generations: Box<[u64; STRIPES]>,
}

/// A cached value; `stale` once another node changed its tenant
/// ([`Cache::demote_tenant`]): reloaded by the next call, and served only if
/// that reload cannot reach the database ([`Cache::stale_or`]).
struct Slot<V> {
    value: V,
    stale: bool,
}

impl<V> Slot<V> {
    fn fresh(value: V) -> Self {
        Self {
            value,
            stale: false,
        }
    }
}

impl<K: TenantKey + Hash + Eq + Clone, V: Clone> Cache<K, V> {
    /// A cache of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                entries: LruCache::new(NonZeroUsize::new(capacity.max(1)).expect("non-zero")),
                generations: Box::new([0; STRIPES]),
            }),
            hasher: Default::default(),
            #[cfg(test)]
            fill_hook: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<K, V>> {
        // A panic while holding the lock cannot leave the map half-changed
        // in a way that matters here: keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stripe(&self, tenant: &str) -> usize {
        (self.hasher.hash_one(tenant) % STRIPES as u64) as usize
    }

    /// The cached value, or the ticket to load it under: take it before
    /// reading the store, and hand it to [`Cache::fill`].
    pub fn get(&self, key: &K) -> Result<V, Ticket> {
        let stripe = self.stripe(key.tenant());
        let mut state = self.lock();
        if let Some(hit) = state.entries.get(key).filter(|slot| !slot.stale) {
            return Ok(hit.value.clone());
        }
        Err(Ticket {
            stripe,
            generation: state.generations[stripe],
        })
    }

    /// A ticket for a writer that will cache the value it writes
    /// ([`Cache::replace`]): take it before the store write.
    pub fn ticket(&self, tenant: &str) -> Ticket {
        let stripe = self.stripe(tenant);
        Ticket {
            stripe,
            generation: self.lock().generations[stripe],
        }
    }

    /// Caches `value`, read from the store under `ticket`, unless a write to
    /// its tenant has happened since. Returns whether it was cached.
    pub fn fill(&self, ticket: Ticket, key: K, value: V) -> bool {
        #[cfg(test)]
        if let Some(hook) = self.fill_hook.lock().expect("hook lock").clone() {
            hook();
        }
        let mut state = self.lock();
        if state.generations[ticket.stripe] != ticket.generation {
            return false;
        }
        state.entries.put(key, Slot::fresh(value));
        true
    }

    /// After a store write of `key` whose new value is at hand (a deploy):
    /// caches it if no other write to the tenant happened since `ticket`
    /// (taken before the write), else drops the entry, whose order against
    /// that other write is unknown. Either way the tenant's generation moves
    /// on, so no load that started before this write can cache its value.
    pub fn replace(&self, ticket: Ticket, key: K, value: V) {
        let mut state = self.lock();
        let current = &mut state.generations[ticket.stripe];
        let unchanged = *current == ticket.generation;
        *current += 1;
        if unchanged {
            state.entries.put(key, Slot::fresh(value));
        } else {
            state.entries.pop(&key);
        }
    }

    /// After a store write of `key`: drops it, and no load that started
    /// before now can cache what it read.
    pub fn invalidate(&self, key: &K) {
        let stripe = self.stripe(key.tenant());
        let mut state = self.lock();
        state.generations[stripe] += 1;
        state.entries.pop(key);
    }

    /// After another node changed `tenant` (cluster mode): its entries are
    /// reloaded by their next use, and no load that started before now can
    /// cache what it read; until a reload succeeds they are kept, to be
    /// served by [`Cache::stale_or`] while the database cannot be reached.
    pub fn demote_tenant(&self, tenant: &str) {
        let stripe = self.stripe(tenant);
        let mut state = self.lock();
        state.generations[stripe] += 1;
        for (k, slot) in state.entries.iter_mut() {
            if k.tenant() == tenant {
                slot.stale = true;
            }
        }
    }

    /// After a failed load of `key`: its demoted value if the failure is the
    /// database being unreachable (the best a node cut off from the others
    /// can run: what it ran before), else the error.
    pub fn stale_or(&self, key: &K, error: ServiceError) -> Result<V, ServiceError> {
        if let ServiceError::Unavailable(_) = error
            && let Some(slot) = self.lock().entries.peek(key)
        {
            return Ok(slot.value.clone());
        }
        Err(error)
    }

    /// The value marked for reloading under `key`, if any, without a ticket:
    /// for a caller that knows the database cannot be reached.
    pub fn kept(&self, key: &K) -> Option<V> {
        let state = self.lock();
        state
            .entries
            .peek(key)
            .filter(|slot| slot.stale)
            .map(|slot| slot.value.clone())
    }

    /// After a load that found no `key` (another node deleted it): forgets
    /// the copy kept for an outage, so that a later outage cannot bring
    /// back what was deleted.
    pub fn absent(&self, key: &K) {
        let mut state = self.lock();
        if state.entries.peek(key).is_some_and(|slot| slot.stale) {
            state.entries.pop(key);
        }
    }

    /// Whether it holds a value under `key`, current or marked for
    /// reloading (a value an outage would still serve), without touching
    /// the LRU order.
    pub fn holds(&self, key: &K) -> bool {
        self.lock().entries.contains(key)
    }

    /// How many values it holds per tenant.
    pub fn per_tenant(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for (key, _) in self.lock().entries.iter() {
            *counts.entry(key.tenant().to_string()).or_insert(0) += 1;
        }
        counts
    }

    /// Runs `hook` inside every later [`Cache::fill`], before its check.
    #[cfg(test)]
    pub fn set_fill_hook(&self, hook: Option<std::sync::Arc<dyn Fn() + Send + Sync>>) {
        *self.fill_hook.lock().expect("hook lock") = hook;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str, n: &str) -> (String, String) {
        (t.into(), n.into())
    }

    #[test]
    fn a_load_that_straddles_a_write_is_not_cached() {
        let cache = Cache::<(String, String), u32>::new(8);
        let ticket = cache.get(&key("t", "f")).unwrap_err();
        // The loader read version 1; a write of version 2 lands and clears.
        cache.invalidate(&key("t", "f"));
        assert!(!cache.fill(ticket, key("t", "f"), 1));
        assert!(cache.get(&key("t", "f")).is_err(), "nothing stale cached");
        // A load after the write caches.
        let ticket = cache.get(&key("t", "f")).unwrap_err();
        assert!(cache.fill(ticket, key("t", "f"), 2));
        assert_eq!(cache.get(&key("t", "f")).unwrap(), 2);
    }

    #[test]
    fn a_replace_after_a_stale_fill_wins_and_a_stale_fill_after_it_loses() {
        let cache = Cache::<(String, String), u32>::new(8);
        let load = cache.get(&key("t", "f")).unwrap_err();
        let write = cache.ticket("t");
        // The loader puts back what it read before the write...
        assert!(cache.fill(load, key("t", "f"), 1));
        // ...and the writer's value replaces it.
        cache.replace(write, key("t", "f"), 2);
        assert_eq!(cache.get(&key("t", "f")).unwrap(), 2);
        assert!(!cache.fill(load, key("t", "f"), 1));
        assert_eq!(cache.get(&key("t", "f")).unwrap(), 2);
    }

    #[test]
    fn of_two_racing_writers_neither_is_cached() {
        let cache = Cache::<(String, String), u32>::new(8);
        let (w1, w2) = (cache.ticket("t"), cache.ticket("t"));
        // Store order unknown: w1 may have written after w2.
        cache.replace(w2, key("t", "f"), 2);
        cache.replace(w1, key("t", "f"), 1);
        assert!(cache.get(&key("t", "f")).is_err());
    }

    #[test]
    fn a_demoted_entry_is_reloaded_and_served_only_while_the_database_is_unreachable() {
        let cache = Cache::<(String, String), u32>::new(8);
        for (t, n) in [("a", "x"), ("b", "x")] {
            let ticket = cache.get(&key(t, n)).unwrap_err();
            assert!(cache.fill(ticket, key(t, n), 1));
        }
        let load = cache.get(&key("a", "y")).unwrap_err();
        cache.demote_tenant("a");
        assert!(!cache.fill(load, key("a", "y"), 1), "a load from before");
        let ticket = cache.get(&key("a", "x")).unwrap_err();
        assert_eq!(cache.get(&key("b", "x")).unwrap(), 1, "other tenants kept");
        let unreachable = ServiceError::Unavailable("down".into());
        assert_eq!(cache.stale_or(&key("a", "x"), unreachable.clone()), Ok(1));
        assert_eq!(
            cache.stale_or(&key("a", "y"), unreachable.clone()),
            Err(unreachable.clone())
        );
        let gone = ServiceError::NotFound("function x".into());
        assert_eq!(cache.stale_or(&key("a", "x"), gone.clone()), Err(gone));
        // A reload replaces it; a write's invalidation drops it for good.
        assert!(cache.fill(ticket, key("a", "x"), 2));
        assert_eq!(cache.get(&key("a", "x")).unwrap(), 2);
        cache.demote_tenant("a");
        cache.invalidate(&key("a", "x"));
        assert!(cache.stale_or(&key("a", "x"), unreachable.clone()).is_err());
        // A reload that finds it deleted forgets it too; a fresh entry stays.
        let ticket = cache.get(&key("a", "z")).unwrap_err();
        assert!(cache.fill(ticket, key("a", "z"), 1));
        cache.absent(&key("a", "z"));
        assert_eq!(cache.get(&key("a", "z")).unwrap(), 1);
        assert_eq!(cache.kept(&key("a", "z")), None, "only what is marked");
        cache.demote_tenant("a");
        assert_eq!(cache.kept(&key("a", "z")), Some(1));
        cache.absent(&key("a", "z"));
        assert!(cache.stale_or(&key("a", "z"), unreachable).is_err());
    }

    #[test]
    fn what_it_holds_counts_values_marked_for_reloading() {
        let cache = Cache::<(String, String), u32>::new(8);
        for (t, n) in [("a", "x"), ("a", "y"), ("b", "x")] {
            let ticket = cache.get(&key(t, n)).unwrap_err();
            assert!(cache.fill(ticket, key(t, n), 1));
        }
        cache.demote_tenant("a");
        assert!(cache.holds(&key("a", "x")), "kept for an outage");
        assert!(!cache.holds(&key("c", "x")));
        let counts = cache.per_tenant();
        assert_eq!(counts.get("a"), Some(&2));
        assert_eq!(counts.get("b"), Some(&1));
        cache.invalidate(&key("a", "x"));
        cache.invalidate(&key("a", "y"));
        assert_eq!(cache.per_tenant().get("a"), None);
    }
}
