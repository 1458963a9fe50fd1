//! Auth0 Actions' `api.cache`, one map per function: key →
//! `{"value": string, "expires_at": ms since the epoch}`. The store keeps
//! what it is given; the service decides what a write may hold (Auth0's
//! limits) and drops expired entries.

use super::{SledStore, abort, check_part, key, tx_error, tx_get, tx_put};
use crate::StoreError;
use crate::codec::decode;
use crate::storage::*;
use serde_json::{Map, Value};
use sled::Transactional;

impl ActionCacheStore for SledStore {
    fn action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Map<String, Value>, StoreError> {
        self.action_cache
            .get(key(&[tenant_id, func_id]))?
            .map(|b| decode(&b))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    fn update_action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &dyn Fn(&mut Map<String, Value>),
    ) -> Result<Map<String, Value>, StoreError> {
        check_part("tenant id", tenant_id)?;
        check_part("funcId", func_id)?;
        let fkey = key(&[tenant_id, func_id]);
        (&self.functions, &self.action_cache)
            .transaction(|(functions, cache)| {
                if functions.get(fkey.as_slice())?.is_none() {
                    return abort(StoreError::NotFound(format!("function {func_id}")));
                }
                let mut map: Map<String, Value> = tx_get(cache, &fkey)?.unwrap_or_default();
                change(&mut map);
                if map.is_empty() {
                    cache.remove(fkey.as_slice())?;
                } else {
                    tx_put(cache, &fkey, &map)?;
                }
                Ok(map)
            })
            .map_err(tx_error)
    }
}
