//! Request-signature nonces: each one accepted once per tenant while its
//! request could still be replayed, bounded per tenant.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `nonces` | tenant `\0` nonce | when it expires (unix µs) |
//! | `nonce_times` | tenant `\0` expiry `\0` nonce | empty: the tenant's expiry index |
//! | `nonce_counts` | tenant | how many `nonces` entries the tenant has |
//!
//! The count is kept in the same transaction as the entries, so a tenant's
//! cap is checked without scanning its nonces, and two uses of one nonce
//! cannot both be recorded: the second transaction sees the first's entry.

use super::{
    REMOVE_CHUNK, SEP, SledStore, TxResult, abort, check_part, key, prefix, time_digits, tx_error,
    tx_get, tx_put,
};
use crate::StoreError;
use crate::storage::*;
use sled::Transactional;
use sled::transaction::TransactionalTree;

/// What became of a nonce offered to [`NonceStore::use_nonce`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum NonceUse {
    /// First use within its window: recorded until it expires.
    Recorded,
    /// Already recorded for this tenant and not expired: a replay.
    Replayed,
    /// The tenant already holds `cap` unexpired nonces: refused, nothing
    /// written, and no other nonce forgotten.
    TenantFull,
}

/// The three trees of this module.
#[derive(Clone)]
pub(super) struct NonceTrees {
    nonces: sled::Tree,
    times: sled::Tree,
    counts: sled::Tree,
}

impl NonceTrees {
    pub(super) fn open(db: &sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            nonces: db.open_tree("nonces")?,
            times: db.open_tree("nonce_times")?,
            counts: db.open_tree("nonce_counts")?,
        })
    }
}

/// `tenant \0 expiry \0 nonce`: the tenant's expired entries are one range.
fn time_key(tenant: &str, expires_micros: u64, nonce: &str) -> Vec<u8> {
    key(&[tenant, &time_digits(expires_micros), nonce])
}

fn add_count(counts: &TransactionalTree, tenant: &str, delta: i64) -> TxResult<u64> {
    let current: u64 = tx_get(counts, tenant.as_bytes())?.unwrap_or(0);
    let next = current.saturating_add_signed(delta);
    if next == 0 {
        counts.remove(tenant.as_bytes())?;
    } else {
        tx_put(counts, tenant.as_bytes(), &next)?;
    }
    Ok(next)
}

impl NonceStore for SledStore {
    fn use_nonce(
        &self,
        tenant: &str,
        nonce: &str,
        expires_micros: u64,
        now_micros: u64,
        cap: usize,
    ) -> Result<NonceUse, StoreError> {
        check_part("tenant id", tenant)?;
        check_part("nonce", nonce)?;
        self.purge_tenant_nonces(tenant, now_micros)?;
        let t = &self.nonce_trees;
        let nkey = key(&[tenant, nonce]);
        let new_time = time_key(tenant, expires_micros, nonce);
        (&t.nonces, &t.times, &t.counts)
            .transaction(|(nonces, times, counts)| {
                match tx_get::<u64>(nonces, &nkey)? {
                    Some(old) if old >= now_micros => return Ok(NonceUse::Replayed),
                    // Expired but not yet purged: reuse its place in the count.
                    Some(old) => {
                        times.remove(time_key(tenant, old, nonce))?;
                    }
                    None => {
                        let held: u64 = tx_get(counts, tenant.as_bytes())?.unwrap_or(0);
                        if held >= cap as u64 {
                            return Ok(NonceUse::TenantFull);
                        }
                        add_count(counts, tenant, 1)?;
                    }
                }
                tx_put(nonces, &nkey, &expires_micros)?;
                times.insert(new_time.as_slice(), &[] as &[u8])?;
                Ok(NonceUse::Recorded)
            })
            .map_err(tx_error)
    }

    fn purge_nonces_before(&self, now_micros: u64) -> Result<usize, StoreError> {
        let tenants = self
            .nonce_trees
            .counts
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut n = 0;
        for tenant in tenants {
            n += self.purge_tenant_nonces(&tenant, now_micros)?;
        }
        Ok(n)
    }
}

impl SledStore {
    /// How many nonces `tenant` holds, expired or not.
    #[cfg(test)]
    fn nonce_count(&self, tenant: &str) -> Result<u64, StoreError> {
        Ok(self
            .nonce_trees
            .counts
            .get(tenant.as_bytes())?
            .map(|b| crate::codec::decode(&b))
            .transpose()?
            .unwrap_or(0))
    }

    /// Deletes `tenant`'s nonces that expired before `now_micros`, in
    /// transactions of at most [`REMOVE_CHUNK`].
    fn purge_tenant_nonces(&self, tenant: &str, now_micros: u64) -> Result<usize, StoreError> {
        let t = &self.nonce_trees;
        let start = prefix(&[tenant]);
        // Every expired entry's key is `tenant \0 <expiry below now> \0 …`.
        let end = key(&[tenant, &time_digits(now_micros)]);
        let mut n = 0;
        loop {
            let chunk = t
                .times
                .range(start.as_slice()..end.as_slice())
                .keys()
                .take(REMOVE_CHUNK)
                .map(|k| k.map(|k| k.to_vec()))
                .collect::<Result<Vec<_>, _>>()?;
            if chunk.is_empty() {
                return Ok(n);
            }
            n += (&t.nonces, &t.times, &t.counts)
                .transaction(|(nonces, times, counts)| {
                    let mut removed = 0;
                    for tkey in &chunk {
                        // Gone already (a concurrent purge or reuse): skip.
                        if times.remove(tkey.as_slice())?.is_none() {
                            continue;
                        }
                        let rest = &tkey[start.len()..];
                        let Some(nonce) = rest
                            .iter()
                            .position(|&b| b == SEP)
                            .map(|at| &rest[at + 1..])
                        else {
                            return abort(StoreError::Corrupt(
                                "nonce time key without a nonce".into(),
                            ));
                        };
                        let mut nkey = start.clone();
                        nkey.extend_from_slice(nonce);
                        nonces.remove(nkey)?;
                        removed += 1;
                    }
                    if removed > 0 {
                        add_count(counts, tenant, -(removed as i64))?;
                    }
                    Ok(removed)
                })
                .map_err(tx_error)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000_000;

    #[test]
    fn a_nonce_is_accepted_once_per_tenant_until_it_expires() {
        let s = SledStore::open_temporary().unwrap();
        let now = 1_000 * MIN;
        assert_eq!(
            s.use_nonce("a", "n1", now + 15 * MIN, now, 10).unwrap(),
            NonceUse::Recorded
        );
        assert_eq!(
            s.use_nonce("a", "n1", now + 15 * MIN, now + MIN, 10)
                .unwrap(),
            NonceUse::Replayed
        );
        // The last instant of the window is still inside it.
        assert_eq!(
            s.use_nonce("a", "n1", now + 15 * MIN, now + 15 * MIN, 10)
                .unwrap(),
            NonceUse::Replayed
        );
        // Another tenant's nonce of the same text is its own.
        assert_eq!(
            s.use_nonce("b", "n1", now + 15 * MIN, now, 10).unwrap(),
            NonceUse::Recorded
        );
        // Past its window it is forgotten (and may be recorded anew).
        let later = now + 16 * MIN;
        assert_eq!(
            s.use_nonce("a", "n1", later + 15 * MIN, later, 10).unwrap(),
            NonceUse::Recorded
        );
        assert_eq!(s.nonce_count("a").unwrap(), 1);
    }

    #[test]
    fn a_full_tenant_is_refused_without_forgetting_anything() {
        let s = SledStore::open_temporary().unwrap();
        let now = 1_000 * MIN;
        let exp = now + 15 * MIN;
        assert_eq!(
            s.use_nonce("b", "b1", exp, now, 3).unwrap(),
            NonceUse::Recorded
        );
        for n in 0..3 {
            assert_eq!(
                s.use_nonce("a", &format!("a{n}"), exp, now, 3).unwrap(),
                NonceUse::Recorded
            );
        }
        assert_eq!(
            s.use_nonce("a", "a3", exp, now, 3).unwrap(),
            NonceUse::TenantFull
        );
        assert_eq!(s.nonce_count("a").unwrap(), 3);
        // Nothing was evicted, in either tenant.
        assert_eq!(
            s.use_nonce("a", "a0", exp, now, 3).unwrap(),
            NonceUse::Replayed
        );
        assert_eq!(
            s.use_nonce("b", "b1", exp, now, 3).unwrap(),
            NonceUse::Replayed
        );
        assert_eq!(
            s.use_nonce("b", "b2", exp, now, 3).unwrap(),
            NonceUse::Recorded
        );
        // Once the window has passed, the tenant's expired nonces make room.
        let later = exp + 1;
        assert_eq!(
            s.use_nonce("a", "a3", later + 15 * MIN, later, 3).unwrap(),
            NonceUse::Recorded
        );
        assert_eq!(s.nonce_count("a").unwrap(), 1);
    }

    #[test]
    fn expired_nonces_of_idle_tenants_are_purged() {
        let s = SledStore::open_temporary().unwrap();
        let now = 1_000 * MIN;
        for n in 0..(REMOVE_CHUNK + 10) {
            let _ = s
                .use_nonce("idle", &format!("n{n}"), now + MIN, now, 10_000)
                .unwrap();
        }
        let _ = s.use_nonce("busy", "x", now + 30 * MIN, now, 10).unwrap();
        assert_eq!(s.purge_nonces_before(now + MIN).unwrap(), 0);
        assert_eq!(
            s.purge_nonces_before(now + MIN + 1).unwrap(),
            REMOVE_CHUNK + 10
        );
        assert_eq!(s.nonce_count("idle").unwrap(), 0);
        assert_eq!(s.nonce_count("busy").unwrap(), 1);
        let t = &s.nonce_trees;
        assert_eq!((t.nonces.len(), t.times.len(), t.counts.len()), (1, 1, 1));
    }

    #[test]
    fn concurrent_uses_of_one_nonce_record_it_once() {
        let s = SledStore::open_temporary().unwrap();
        let now = 1_000 * MIN;
        for round in 0..20 {
            let nonce = format!("race{round}");
            let outcomes: Vec<NonceUse> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| s.use_nonce("a", &nonce, now + MIN, now, 1_000).unwrap())
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let recorded = outcomes
                .iter()
                .filter(|o| **o == NonceUse::Recorded)
                .count();
            assert_eq!(recorded, 1, "round {round}: {outcomes:?}");
        }
        assert_eq!(s.nonce_count("a").unwrap(), 20);
    }

    #[test]
    fn nonces_survive_reopening_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_000 * MIN;
        {
            let s = SledStore::open(dir.path()).unwrap();
            assert_eq!(
                s.use_nonce("a", "n1", now + MIN, now, 10).unwrap(),
                NonceUse::Recorded
            );
            s.flush().unwrap();
        }
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(
            s.use_nonce("a", "n1", now + MIN, now, 10).unwrap(),
            NonceUse::Replayed
        );
    }

    #[test]
    fn separators_in_nonces_are_refused() {
        let s = SledStore::open_temporary().unwrap();
        assert!(matches!(
            s.use_nonce("a", "x\0y", 1, 0, 10),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.use_nonce("a", "", 1, 0, 10),
            Err(StoreError::Invalid(_))
        ));
    }
}
