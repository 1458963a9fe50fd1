//! The server's package catalogue: the npm packages an operator added
//! (`hookbox packages add`), server-wide, by name and version. The default
//! catalogue is built into the engine plugin and is not stored.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `packages` | name `\0` version | [`PackageRecord`] |

use super::{Store, check_part, key, prefix};
use crate::StoreError;
use crate::codec::{decode, encode};
use crate::model::PackageRecord;

impl Store {
    /// Adds a package; `Conflict` if that name and version is already there
    /// (a published version never changes, so neither does ours). Synced
    /// before it answers.
    pub fn put_package(&self, record: &PackageRecord) -> Result<(), StoreError> {
        check_part("package name", &record.name)?;
        check_part("package version", &record.version)?;
        let k = key(&[&record.name, &record.version]);
        let value = encode(record)?;
        match self
            .packages
            .compare_and_swap(k, None as Option<&[u8]>, Some(value))?
        {
            Ok(()) => {
                self.packages.flush()?;
                Ok(())
            }
            Err(_) => Err(StoreError::Conflict(format!(
                "package {}@{} is already in the catalogue",
                record.name, record.version
            ))),
        }
    }

    /// One package, or `None`.
    pub fn get_package(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Option<PackageRecord>, StoreError> {
        self.packages
            .get(key(&[name, version]))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Every version of `name` in the catalogue, in key order.
    pub fn package_versions(&self, name: &str) -> Result<Vec<PackageRecord>, StoreError> {
        self.packages
            .scan_prefix(prefix(&[name]))
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    /// Every package in the catalogue, by name then version.
    pub fn list_packages(&self) -> Result<Vec<PackageRecord>, StoreError> {
        self.packages.iter().map(|kv| decode(&kv?.1)).collect()
    }

    /// Removes a package; `NotFound` if it is not there. Synced before it answers.
    pub fn delete_package(&self, name: &str, version: &str) -> Result<(), StoreError> {
        match self.packages.remove(key(&[name, version]))? {
            Some(_) => {
                self.packages.flush()?;
                Ok(())
            }
            None => Err(StoreError::NotFound(format!("package {name}@{version}"))),
        }
    }
}
