//! The server's package catalogue: the npm packages an operator added
//! (`hookbox packages add`), server-wide, by name and version. The default
//! catalogue is built into the engine plugin and is not stored.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `packages` | name `\0` version | [`PackageRecord`] |

use super::{SledStore, check_part, key, prefix};
use crate::StoreError;
use crate::codec::{decode, encode};
use crate::model::PackageRecord;
use crate::storage::*;

impl PackageStore for SledStore {
    fn put_package(&self, record: &PackageRecord) -> Result<(), StoreError> {
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

    fn get_package(&self, name: &str, version: &str) -> Result<Option<PackageRecord>, StoreError> {
        self.packages
            .get(key(&[name, version]))?
            .map(|b| decode(&b))
            .transpose()
    }

    fn package_versions(&self, name: &str) -> Result<Vec<PackageRecord>, StoreError> {
        self.packages
            .scan_prefix(prefix(&[name]))
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    fn list_packages(&self) -> Result<Vec<PackageRecord>, StoreError> {
        self.packages.iter().map(|kv| decode(&kv?.1)).collect()
    }

    fn delete_package(&self, name: &str, version: &str) -> Result<(), StoreError> {
        match self.packages.remove(key(&[name, version]))? {
            Some(_) => {
                self.packages.flush()?;
                Ok(())
            }
            None => Err(StoreError::NotFound(format!("package {name}@{version}"))),
        }
    }
}
