//! Function versions: each change of a function's code, dependencies or
//! limits is kept as an immutable [`FunctionVersion`], keyed
//! `tenant \0 func \0 number` (zero-padded, so keys sort by number). The
//! function's record says which one is deployed; the store writes a version
//! in the same transaction as the record that deploys it
//! ([`FunctionStore::put_function_versioned`]) and keeps the newest ones.

use super::{SledStore, key, prefix};
use crate::codec::{decode, encode};
use crate::storage::*;
use crate::{FunctionRecord, FunctionVersion, StoreError};

/// Marks a database whose functions all have versions. No version key
/// starts with a NUL (a tenant id is never empty), so no listing meets it.
const VERSIONS_BUILT: &[u8] = b"\0built";

/// Digits of a version number in its key.
const NUMBER_DIGITS: usize = 20;

/// Versions kept per function unless the server says otherwise (Auth0
/// Actions keep the last 50 too); the deployed one is kept whatever its age.
pub const DEFAULT_VERSIONS_KEPT: usize = 50;

pub(super) fn version_key(tenant_id: &str, func_id: &str, number: u64) -> Vec<u8> {
    key(&[tenant_id, func_id, &format!("{number:0NUMBER_DIGITS$}")])
}

impl VersionStore for SledStore {
    fn list_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Vec<FunctionVersion>, StoreError> {
        self.versions
            .scan_prefix(prefix(&[tenant_id, func_id]))
            .values()
            .rev()
            .map(|v| decode(&v?))
            .collect()
    }

    fn get_version(
        &self,
        tenant_id: &str,
        func_id: &str,
        number: u64,
    ) -> Result<Option<FunctionVersion>, StoreError> {
        self.versions
            .get(version_key(tenant_id, func_id, number))?
            .map(|b| decode(&b))
            .transpose()
    }

    fn prune_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
        pinned: &[u64],
        keep: usize,
    ) -> Result<usize, StoreError> {
        let keys = self
            .versions
            .scan_prefix(prefix(&[tenant_id, func_id]))
            .keys()
            .rev()
            .collect::<Result<Vec<_>, _>>()?;
        let pinned: Vec<Vec<u8>> = pinned
            .iter()
            .map(|n| version_key(tenant_id, func_id, *n))
            .collect();
        let mut dropped = 0;
        for k in keys.iter().skip(keep.max(1)) {
            if !pinned.iter().any(|p| p.as_slice() == k.as_ref()) {
                self.versions.remove(k)?;
                dropped += 1;
            }
        }
        Ok(dropped)
    }
}

impl SledStore {
    /// Removes every version of a function (after its deletion).
    pub(super) fn delete_versions_of(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<(), StoreError> {
        for k in self
            .versions
            .scan_prefix(prefix(&[tenant_id, func_id]))
            .keys()
        {
            self.versions.remove(k?)?;
        }
        Ok(())
    }

    /// Gives every function stored before versions existed its version 1
    /// (its current code and settings, deployed), once per database: a marker
    /// written last skips the scan at every later open. Idempotent, so a
    /// crash halfway is finished at the next open.
    pub(super) fn build_versions(&self) -> Result<(), StoreError> {
        if self.versions.contains_key(VERSIONS_BUILT)? {
            return Ok(());
        }
        for entry in self.functions.iter() {
            let (k, v) = entry?;
            let mut record: FunctionRecord = decode(&v)?;
            if record.deployed_version != 0 {
                continue;
            }
            let version = FunctionVersion::of(&record, 1, None);
            record.deployed_version = 1;
            record.latest_version = record.latest_version.max(1);
            self.versions.insert(
                version_key(&record.tenant_id, &record.func_id, 1),
                encode(&version)?,
            )?;
            self.functions.insert(k, encode(&record)?)?;
        }
        self.versions.insert(VERSIONS_BUILT, &[] as &[u8])?;
        Ok(())
    }
}
