//! Custom database connections (Auth0's "custom database" action scripts):
//! per tenant, by name, each with its scripts' sources, their compiled
//! artifacts and its configuration, sealed like hook secrets.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `connections` | tenant `\0` name | [`ConnectionRecord`] |
//! | `connection_config` | tenant `\0` name | its configuration, sealed (bound to `connection \0` tenant `\0` name) |
//! | `connection_artifacts` | tenant `\0` name `\0` script | the script's artifact (Wasm bytes, as given) |
//!
//! A connection's record, configuration and artifacts change together, in
//! one transaction. Its invocation logs sit in the `logs` tree under
//! [`connection_log_id`], beside functions' (whose ids never hold a `:`).

use super::{SledStore, TxResult, abort, check_part, key, prefix, tx_error, tx_get, tx_put};
use crate::StoreError;
use crate::codec::decode;
use crate::model::{ConnectionRecord, SealedSecrets};
use crate::storage::*;
use sled::Transactional;
use sled::transaction::TransactionalTree;
use std::collections::BTreeMap;

/// The three trees of this module.
#[derive(Clone)]
pub(super) struct ConnectionTrees {
    records: sled::Tree,
    config: sled::Tree,
    artifacts: sled::Tree,
}

impl ConnectionTrees {
    pub(super) fn open(db: &sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            records: db.open_tree("connections")?,
            config: db.open_tree("connection_config")?,
            artifacts: db.open_tree("connection_artifacts")?,
        })
    }
}

/// What a [`ConnectionStore::put_connection`] expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionWrite {
    /// No connection of that name: a create (`Conflict` if there is one).
    Create,
    /// The connection at this version: an update (`NotFound` if there is
    /// none, `Conflict` if another write changed it since it was read).
    Update { version: u64 },
}

/// The id a connection's invocation logs are kept under, in place of a
/// function id: `connection:NAME`. Function ids are hex, so never clash.
pub fn connection_log_id(name: &str) -> String {
    format!("connection:{name}")
}

/// What a connection's configuration is sealed to: not its record key alone,
/// which could equal a function's key (`tenant \0 id`) and so open as that
/// function's hook secrets.
fn config_aad(tenant: &str, name: &str) -> Vec<u8> {
    key(&["connection", tenant, name])
}

impl ConnectionStore for SledStore {
    fn put_connection(
        &self,
        record: &ConnectionRecord,
        configuration: &BTreeMap<String, String>,
        artifacts: &BTreeMap<String, Vec<u8>>,
        expect: ConnectionWrite,
    ) -> Result<(), StoreError> {
        check_part("tenant id", &record.tenant_id)?;
        check_part("connection name", &record.name)?;
        for script in artifacts.keys() {
            check_part("script name", script)?;
        }
        let (tenant, name) = (record.tenant_id.as_str(), record.name.as_str());
        let ckey = key(&[tenant, name]);
        let sealed = if configuration.is_empty() {
            None
        } else {
            Some(self.seal_secrets(&config_aad(tenant, name), configuration)?)
        };
        let trees = &self.connection_trees;
        (&trees.records, &trees.config, &trees.artifacts)
            .transaction(|(records, config, stored)| {
                let old: Option<ConnectionRecord> = tx_get(records, &ckey)?;
                match (expect, &old) {
                    (ConnectionWrite::Create, Some(_)) => {
                        return abort(StoreError::Conflict(format!(
                            "connection {name:?} already exists"
                        )));
                    }
                    (ConnectionWrite::Update { .. }, None) => {
                        return abort(StoreError::NotFound(format!("connection {name}")));
                    }
                    (ConnectionWrite::Update { version }, Some(old)) if old.version != version => {
                        return abort(StoreError::Conflict(format!(
                            "connection {name:?} was changed by another request meanwhile; read it again and retry"
                        )));
                    }
                    _ => {}
                }
                if let Some(old) = &old {
                    remove_artifacts(stored, tenant, name, old.scripts.keys())?;
                }
                tx_put(records, &ckey, record)?;
                match &sealed {
                    Some(sealed) => tx_put(config, &ckey, sealed)?,
                    None => {
                        config.remove(ckey.as_slice())?;
                    }
                }
                for (script, bytes) in artifacts {
                    stored.insert(key(&[tenant, name, script]), bytes.as_slice())?;
                }
                Ok(())
            })
            .map_err(tx_error)?;
        Ok(())
    }

    fn rebuild_connection(
        &self,
        record: &ConnectionRecord,
        artifacts: &BTreeMap<String, Vec<u8>>,
    ) -> Result<bool, StoreError> {
        let (tenant, name) = (record.tenant_id.as_str(), record.name.as_str());
        let ckey = key(&[tenant, name]);
        let trees = &self.connection_trees;
        (&trees.records, &trees.artifacts)
            .transaction(|(records, stored)| {
                let current: Option<ConnectionRecord> = tx_get(records, &ckey)?;
                if current.is_none_or(|c| c.version != record.version) {
                    return Ok(false);
                }
                remove_artifacts(stored, tenant, name, record.scripts.keys())?;
                for (script, bytes) in artifacts {
                    stored.insert(key(&[tenant, name, script]), bytes.as_slice())?;
                }
                Ok(true)
            })
            .map_err(tx_error)
    }

    fn get_connection(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        self.connection_trees
            .records
            .get(key(&[tenant_id, name]))?
            .map(|b| decode(&b))
            .transpose()
    }

    fn connection_configuration(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        match self.connection_trees.config.get(key(&[tenant_id, name]))? {
            Some(bytes) => self.open_secrets(
                &config_aad(tenant_id, name),
                &decode::<SealedSecrets>(&bytes)?,
            ),
            None => Ok(BTreeMap::new()),
        }
    }

    fn connection_artifacts(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        let p = prefix(&[tenant_id, name]);
        self.connection_trees
            .artifacts
            .scan_prefix(&p)
            .map(|entry| {
                let (k, v) = entry?;
                Ok((
                    String::from_utf8_lossy(&k[p.len()..]).into_owned(),
                    v.to_vec(),
                ))
            })
            .collect()
    }

    fn list_connections(&self, tenant_id: &str) -> Result<Vec<ConnectionRecord>, StoreError> {
        self.connection_trees
            .records
            .scan_prefix(prefix(&[tenant_id]))
            .values()
            .map(|v| decode(&v?))
            .collect()
    }

    fn delete_connection(&self, tenant_id: &str, name: &str) -> Result<bool, StoreError> {
        let ckey = key(&[tenant_id, name]);
        let trees = &self.connection_trees;
        let existed = (&trees.records, &trees.config, &trees.artifacts)
            .transaction(|(records, config, stored)| {
                let Some(old) = tx_get::<ConnectionRecord>(records, &ckey)? else {
                    return Ok(false);
                };
                records.remove(ckey.as_slice())?;
                config.remove(ckey.as_slice())?;
                remove_artifacts(stored, tenant_id, name, old.scripts.keys())?;
                Ok(true)
            })
            .map_err(tx_error)?;
        if existed {
            self.delete_logs_of(tenant_id, &connection_log_id(name))?;
        }
        Ok(existed)
    }
}

/// Removes the artifacts of `scripts` (a record lists every script it has an
/// artifact for, so no scan is needed inside the transaction).
fn remove_artifacts<'a>(
    stored: &TransactionalTree,
    tenant: &str,
    name: &str,
    scripts: impl Iterator<Item = &'a String>,
) -> TxResult<()> {
    for script in scripts {
        stored.remove(key(&[tenant, name, script]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{now_micros, rfc3339};

    fn record(name: &str, scripts: &[&str], version: u64) -> ConnectionRecord {
        ConnectionRecord {
            tenant_id: "t".into(),
            name: name.into(),
            scripts: scripts
                .iter()
                .map(|s| (s.to_string(), format!("function {s}() {{}}")))
                .collect(),
            timeout: 20,
            version,
            created_at: rfc3339(now_micros()),
            updated_at: rfc3339(now_micros()),
        }
    }

    fn artifacts(scripts: &[&str]) -> BTreeMap<String, Vec<u8>> {
        scripts
            .iter()
            .map(|s| (s.to_string(), s.as_bytes().to_vec()))
            .collect()
    }

    fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_connection_is_written_whole_and_its_name_taken_once() {
        let s = SledStore::open_temporary()
            .unwrap()
            .with_sealing_key(&[5; 32]);
        let first = record("db", &["login", "get_user"], 1);
        s.put_connection(
            &first,
            &config(&[("API_KEY", "s3cret-value")]),
            &artifacts(&["login", "get_user"]),
            ConnectionWrite::Create,
        )
        .unwrap();
        let again = s.put_connection(
            &record("db", &["login"], 1),
            &BTreeMap::new(),
            &artifacts(&["login"]),
            ConnectionWrite::Create,
        );
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        // The refused create changed nothing.
        assert_eq!(s.get_connection("t", "db").unwrap(), Some(first.clone()));
        assert_eq!(
            s.connection_configuration("t", "db").unwrap(),
            config(&[("API_KEY", "s3cret-value")])
        );
        assert_eq!(
            s.connection_artifacts("t", "db").unwrap(),
            artifacts(&["login", "get_user"])
        );
        // Sealed at rest: neither the value nor its name in the clear.
        let raw = s
            .tree("connection_config")
            .iter()
            .next()
            .unwrap()
            .unwrap()
            .1;
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains("s3cret") && !raw.contains("API_KEY"), "{raw}");
        // Another tenant sees nothing.
        assert_eq!(s.get_connection("u", "db").unwrap(), None);
        assert!(s.list_connections("u").unwrap().is_empty());
    }

    #[test]
    fn an_update_replaces_artifacts_and_configuration_at_the_version_it_read() {
        let s = SledStore::open_temporary()
            .unwrap()
            .with_sealing_key(&[5; 32]);
        let missing = s.put_connection(
            &record("db", &["login"], 2),
            &BTreeMap::new(),
            &artifacts(&["login"]),
            ConnectionWrite::Update { version: 1 },
        );
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{missing:?}"
        );
        s.put_connection(
            &record("db", &["login", "delete"], 1),
            &config(&[("A", "1")]),
            &artifacts(&["login", "delete"]),
            ConnectionWrite::Create,
        )
        .unwrap();
        s.put_connection(
            &record("db", &["login", "verify"], 2),
            &BTreeMap::new(),
            &artifacts(&["login", "verify"]),
            ConnectionWrite::Update { version: 1 },
        )
        .unwrap();
        assert_eq!(
            s.connection_artifacts("t", "db").unwrap(),
            artifacts(&["login", "verify"]),
            "the removed script's artifact is gone"
        );
        assert!(s.connection_configuration("t", "db").unwrap().is_empty());
        assert!(s.tree("connection_config").is_empty());
        // A writer that read version 1 lost the race: refused, nothing written.
        let stale = s.put_connection(
            &record("db", &["create"], 2),
            &BTreeMap::new(),
            &artifacts(&["create"]),
            ConnectionWrite::Update { version: 1 },
        );
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        assert_eq!(s.get_connection("t", "db").unwrap().unwrap().version, 2);
        // A rebuild of an older version is not written either.
        assert!(
            !s.rebuild_connection(
                &record("db", &["login", "verify"], 1),
                &artifacts(&["login"])
            )
            .unwrap()
        );
        let rebuilt: BTreeMap<_, _> = [("login".to_string(), b"new".to_vec())].into();
        let mut both = rebuilt.clone();
        both.insert("verify".into(), b"new".to_vec());
        assert!(
            s.rebuild_connection(&record("db", &["login", "verify"], 2), &both)
                .unwrap()
        );
        assert_eq!(s.connection_artifacts("t", "db").unwrap(), both);
    }

    #[test]
    fn deleting_a_connection_removes_its_artifacts_configuration_and_logs() {
        let s = SledStore::open_temporary()
            .unwrap()
            .with_sealing_key(&[5; 32]);
        for name in ["db", "db2"] {
            s.put_connection(
                &record(name, &["login"], 1),
                &config(&[("K", "value-1")]),
                &artifacts(&["login"]),
                ConnectionWrite::Create,
            )
            .unwrap();
        }
        let at = now_micros();
        s.append_log(&crate::LogRecord {
            id: String::new(),
            tenant_id: "t".into(),
            func_id: connection_log_id("db"),
            script: Some("login".into()),
            request_id: "r".into(),
            at: rfc3339(at),
            at_micros: at,
            outcome: "ok".into(),
            duration_us: 10,
            is_async: false,
            attempt: 1,
            version: None,
            error: None,
            logs: serde_json::json!([]),
        })
        .unwrap();
        assert_eq!(
            s.list_logs("t", &connection_log_id("db"), 1, 10).unwrap().1,
            1
        );
        assert!(s.delete_connection("t", "db").unwrap());
        assert!(!s.delete_connection("t", "db").unwrap());
        assert_eq!(s.get_connection("t", "db").unwrap(), None);
        assert!(s.connection_artifacts("t", "db").unwrap().is_empty());
        assert!(s.connection_configuration("t", "db").unwrap().is_empty());
        assert_eq!(
            s.list_logs("t", &connection_log_id("db"), 1, 10).unwrap().1,
            0
        );
        assert_eq!(s.log_bytes("t").unwrap(), 0);
        // The other connection is untouched.
        assert_eq!(s.connection_artifacts("t", "db2").unwrap().len(), 1);
        assert_eq!(s.connection_configuration("t", "db2").unwrap().len(), 1);
        let names: Vec<String> = s
            .list_connections("t")
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["db2"]);
    }
}
