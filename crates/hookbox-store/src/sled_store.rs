//! The sled database behind a typed API.
//!
//! Layout, one sled tree each (`\0` is [`SEP`], times are zero-padded to
//! [`TIME_DIGITS`] so byte order is time order):
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `tenants` | tenant | [`Tenant`] |
//! | `keys` | access key id | `StoredKey` (salted hash; the secret only sealed) |
//! | `functions` | tenant `\0` func | [`FunctionRecord`] |
//! | `names` | tenant `\0` funcName | `[funcId…]`: the functions with that name (see [`FunctionStore::put_function_unique`]) |
//! | `artifacts` | tenant `\0` func | the artifact's bytes, as given |
//! | `orders` | tenant `\0` scene | `[funcId…]` |
//! | `env` | tenant `\0` name | the value |
//! | `secrets` | tenant `\0` func | a hook's secrets, sealed |
//! | `action_cache` | tenant `\0` func | a function's Auth0 Actions cache: key → `{value, expires_at}` |
//! | `outbound` | tenant | the outbound allow-list, `[rule…]` |
//! | `logs` | tenant `\0` func `\0` at counter | [`LogRecord`] |
//! | `log_index` | tenant `\0` at counter | the record's size (8 bytes, big-endian) and func: the tenant's logs oldest first, for expiry and the size cap |
//! | `log_usage` | tenant | the encoded size of the tenant's logs (8 bytes, big-endian) |
//! | `jobs` | next_at `\0` job id | [`Job`] |
//! | `job_index` | job id | its `jobs` key |
//! | `nonces`, `nonce_times`, `nonce_counts` | see [`nonces`] | request-signature nonces |
//! | `deliveries`, `failed_deliveries`, `delivery_index` | see [`deliveries`] | event deliveries |
//! | `connections`, `connection_config`, `connection_artifacts` | see [`connections`] | custom database connections |
//!
//! Access keys are not tenant-prefixed because a login presents only the key
//! id; the stored key names its tenant. Artifacts are the one value stored
//! without the `[version][JSON]` envelope: they are Wasm, which carries its
//! own magic and version, and JSON would quadruple them; so are the log
//! index and usage counters, which are the store's own bookkeeping.
//!
//! Stores written before the per-tenant log index had a global expiry index
//! (`log_times`: at `\0` the `logs` key); opening one moves it over.

use crate::codec::{decode, encode};
use crate::config::StoreConfig;
use crate::model::*;
use crate::rules::{bound_order, check_binding, rebound, reordered};
use crate::seal::Sealer;
use crate::storage::*;
use crate::{StoreError, now_micros, rfc3339};
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Transactional, Tree};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

mod action_cache;
mod connections;
mod deliveries;
mod nonces;
mod packages;
mod versions;

pub use connections::{ConnectionWrite, connection_log_id};
pub use nonces::NonceUse;
pub use versions::DEFAULT_VERSIONS_KEPT;

// ------------------------------------------------------------ constants

/// Separates key parts. Refused inside any part, so `("a", "b\0c")` can
/// never alias `("a\0b", "c")` and one tenant's prefix never covers another's.
const SEP: u8 = 0;
/// Random bytes in an id from [`new_id`]: 24 hex characters like Authing's
/// funcIds; 96 bits make a collision negligible.
const ID_BYTES: usize = 12;
/// Random bytes in an access key secret, shown once as 64 hex characters.
const SECRET_BYTES: usize = 32;
/// Random salt per key: equal secrets hash differently and precomputed
/// tables are useless.
const SALT_BYTES: usize = 16;
/// Width of a zero-padded `u64` (its maximum has 20 digits).
const TIME_DIGITS: usize = 20;
/// Digits of the counter after a log's time: logs written in the same
/// microsecond stay distinct and in write order.
const LOG_SEQ_DIGITS: usize = 10;
/// The key in `names` that says the index was built (every real key starts
/// with a tenant id, never with [`SEP`]).
const NAMES_BUILT: &[u8] = b"\0built";
/// Bulk log deletions (expiry, a deleted function) run as transactions of at
/// most this many logs, so one transaction's memory stays bounded.
const REMOVE_CHUNK: usize = 256;

/// Encoded log bytes per write transaction in [`LogStore::append_logs`]; far
/// below sled's I/O buffer, which one transaction must fit in.
pub const LOG_BATCH_BYTES: usize = 1 << 20;

/// The log counter, shared by every store in the process (it only has to be
/// unique within one microsecond).
static LOG_SEQ: AtomicU64 = AtomicU64::new(0);

/// A random id of 24 lowercase hex characters.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; ID_BYTES]>())
}

/// hookbox's database. Cheap to clone (sled's handles are shared). Every
/// method blocks: call it off the async workers (`spawn_blocking`).
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    tenants: Tree,
    keys: Tree,
    functions: Tree,
    /// Function names per tenant, so that a write can check a name is free
    /// in the same transaction that takes it.
    names: Tree,
    artifacts: Tree,
    /// Function versions ([`versions`]).
    versions: Tree,
    orders: Tree,
    env: Tree,
    logs: Tree,
    log_index: Tree,
    log_usage: Tree,
    jobs: Tree,
    job_index: Tree,
    secrets: Tree,
    action_cache: Tree,
    outbound: Tree,
    /// The operator's npm packages ([`packages`]).
    packages: Tree,
    nonce_trees: nonces::NonceTrees,
    connection_trees: connections::ConnectionTrees,
    delivery_trees: deliveries::DeliveryTrees,
    /// Serialises adding deliveries with ending lanes ([`deliveries`]).
    lanes: std::sync::Arc<std::sync::Mutex<()>>,
    sealer: Option<Sealer>,
    /// Serialises key revocations, so that two of them cannot each leave
    /// the other as a tenant's last admin key (one process owns the Db).
    key_revocation: std::sync::Arc<std::sync::Mutex<()>>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore").finish_non_exhaustive()
    }
}

/// How long [`SledStore::open_with`] waits for a lock that a just-dropped store
/// (in this process or one that is exiting) still holds.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

impl SledStore {
    /// Opens the database in the directory `path`, creating it if needed,
    /// with the default [`StoreConfig`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, &StoreConfig::default())
    }

    /// Opens the database in the directory `path`, creating it if needed.
    ///
    /// sled's lock on the directory outlives a dropped `Db` by a moment (its
    /// background writers let go last), so a lock held at open is retried for
    /// up to [`LOCK_WAIT`] before the error, which then says the directory is
    /// in use, is returned.
    pub fn open_with(path: impl AsRef<Path>, config: &StoreConfig) -> Result<Self, StoreError> {
        let sled_config = sled::Config::new()
            .path(path.as_ref())
            .cache_capacity(config.cache_bytes)
            .flush_every_ms(config.flush_every.map(|d| d.as_millis() as u64));
        let started = std::time::Instant::now();
        let db = loop {
            match sled_config.open() {
                Err(sled::Error::Io(e)) if e.to_string().starts_with("could not acquire lock") => {
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(StoreError::Db(sled::Error::Io(std::io::Error::other(
                            format!(
                                "the data directory {} is in use by another process ({e})",
                                path.as_ref().display()
                            ),
                        ))));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other?,
            }
        };
        Self::from_db(db)
    }

    /// A store in a temporary directory, removed when the last clone drops (tests).
    pub fn open_temporary() -> Result<Self, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Self, StoreError> {
        let store = Self {
            tenants: db.open_tree("tenants")?,
            keys: db.open_tree("keys")?,
            functions: db.open_tree("functions")?,
            names: db.open_tree("names")?,
            artifacts: db.open_tree("artifacts")?,
            versions: db.open_tree("versions")?,
            orders: db.open_tree("orders")?,
            env: db.open_tree("env")?,
            logs: db.open_tree("logs")?,
            log_index: db.open_tree("log_index")?,
            log_usage: db.open_tree("log_usage")?,
            jobs: db.open_tree("jobs")?,
            job_index: db.open_tree("job_index")?,
            secrets: db.open_tree("secrets")?,
            action_cache: db.open_tree("action_cache")?,
            outbound: db.open_tree("outbound")?,
            packages: db.open_tree("packages")?,
            nonce_trees: nonces::NonceTrees::open(&db)?,
            connection_trees: connections::ConnectionTrees::open(&db)?,
            delivery_trees: deliveries::DeliveryTrees::open(&db)?,
            lanes: Default::default(),
            sealer: None,
            key_revocation: Default::default(),
            db,
        };
        let store = store.migrated()?;
        store.build_name_index()?;
        store.build_versions()?;
        Ok(store)
    }

    /// Moves a store written before the per-tenant log index over to it, in
    /// bounded transactions that each take their entries out of the old
    /// index: a crash midway resumes where it stopped.
    fn migrated(self) -> Result<Self, StoreError> {
        const OLD: &[u8] = b"log_times";
        if !self.db.tree_names().iter().any(|n| n == OLD) {
            return Ok(self);
        }
        let old = self.db.open_tree(OLD)?;
        loop {
            let chunk = old
                .iter()
                .keys()
                .take(REMOVE_CHUNK)
                .collect::<Result<Vec<_>, _>>()?;
            if chunk.is_empty() {
                break;
            }
            (&old, &self.logs, &self.log_index, &self.log_usage)
                .transaction(|(old, logs, index, usage)| {
                    let mut added: HashMap<&[u8], u64> = HashMap::new();
                    for tkey in &chunk {
                        old.remove(tkey)?;
                        let Some(lkey) = tkey.get(TIME_DIGITS + 1..) else {
                            continue;
                        };
                        let mut parts = lkey.splitn(3, |b| *b == SEP);
                        let (Some(tenant), Some(func), Some(stamp)) =
                            (parts.next(), parts.next(), parts.next())
                        else {
                            continue;
                        };
                        let Some(value) = logs.get(lkey)? else {
                            continue;
                        };
                        let size = value.len() as u64;
                        index.insert(index_key(tenant, stamp), index_value(size, func))?;
                        *added.entry(tenant).or_default() += size;
                    }
                    for (tenant, size) in added {
                        tx_add_usage(usage, tenant, size as i64)?;
                    }
                    Ok(())
                })
                .map_err(tx_error)?;
        }
        self.db.drop_tree(OLD)?;
        Ok(self)
    }

    /// Builds the `names` index from the functions once (a database written
    /// before it existed). Idempotent, so a crash halfway is repaired at the
    /// next open: the marker goes in last.
    fn build_name_index(&self) -> Result<(), StoreError> {
        if self.names.contains_key(NAMES_BUILT)? {
            return Ok(());
        }
        self.names.clear()?;
        let mut index: BTreeMap<Vec<u8>, Vec<String>> = BTreeMap::new();
        for value in self.functions.iter().values() {
            let f: FunctionRecord = decode(&value?)?;
            index
                .entry(key(&[&f.tenant_id, &f.func_name]))
                .or_default()
                .push(f.func_id);
        }
        for (k, ids) in index {
            self.names.insert(k, encode(&ids)?)?;
        }
        self.names.insert(NAMES_BUILT, &[] as &[u8])?;
        self.db.flush()?;
        Ok(())
    }

    /// Seals secrets the server must read back (access key secrets, hook
    /// secrets) under `key`, which the caller keeps outside the database.
    /// Without it, keys get no sealed secret (no request signatures) and hook
    /// secrets are stored in the clear.
    pub fn with_sealing_key(mut self, key: &[u8; 32]) -> Self {
        self.sealer = Some(Sealer::new(key));
        self
    }
}

/// sled syncs only every few hundred milliseconds unless flushed.
impl Storage for SledStore {
    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

impl TenantStore for SledStore {
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.tenants.is_empty())
    }

    fn create_tenant(&self, id: Option<&str>, name: &str) -> Result<Tenant, StoreError> {
        let tenant = new_tenant(id, name, None)?;
        let created = self.tenants.compare_and_swap(
            tenant.id.as_bytes(),
            None as Option<&[u8]>,
            Some(encode(&tenant)?),
        )?;
        if created.is_err() {
            return Err(StoreError::Conflict(format!(
                "tenant {} already exists",
                tenant.id
            )));
        }
        Ok(tenant)
    }

    fn get_tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        self.tenants
            .get(id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.tenants.iter().values().map(|v| decode(&v?)).collect()
    }

    fn create_key(&self, tenant_id: &str, role: Role) -> Result<(AccessKey, String), StoreError> {
        let (stored, secret) = self.new_key(tenant_id, role);
        let id = stored.key.access_key_id.as_bytes();
        (&self.tenants, &self.keys)
            .transaction(|(tenants, keys)| {
                if tenants.get(tenant_id.as_bytes())?.is_none() {
                    return abort(StoreError::NotFound(format!("tenant {tenant_id}")));
                }
                tx_put_new_key(keys, id, &stored)
            })
            .map_err(tx_error)?;
        Ok((stored.key, secret))
    }

    fn create_tenant_with_key(
        &self,
        id: Option<&str>,
        name: &str,
        role: Role,
    ) -> Result<(Tenant, AccessKey, String), StoreError> {
        self.create_tenant_with_settings(id, name, None, role)
    }

    fn create_tenant_with_settings(
        &self,
        id: Option<&str>,
        name: &str,
        domain: Option<&str>,
        role: Role,
    ) -> Result<(Tenant, AccessKey, String), StoreError> {
        let tenant = new_tenant(id, name, domain)?;
        let (stored, secret) = self.new_key(&tenant.id, role);
        let key_id = stored.key.access_key_id.as_bytes();
        (&self.tenants, &self.keys)
            .transaction(|(tenants, keys)| {
                if tenants.get(tenant.id.as_bytes())?.is_some() {
                    return abort(StoreError::Conflict(format!(
                        "tenant {} already exists",
                        tenant.id
                    )));
                }
                tx_put(tenants, tenant.id.as_bytes(), &tenant)?;
                tx_put_new_key(keys, key_id, &stored)
            })
            .map_err(tx_error)?;
        Ok((tenant, stored.key, secret))
    }

    fn verify_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<Option<AccessKey>, StoreError> {
        let Some(bytes) = self.keys.get(access_key_id.as_bytes())? else {
            return Ok(None);
        };
        let stored: StoredKey = decode(&bytes)?;
        Ok(key_matches(&stored, secret).then_some(stored.key))
    }

    fn signing_secret(
        &self,
        access_key_id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, StoreError> {
        let Some(bytes) = self.keys.get(access_key_id.as_bytes())? else {
            return Ok(None);
        };
        let stored: StoredKey = decode(&bytes)?;
        let secret = open_key_secret(self.sealer.as_ref(), &stored)?;
        Ok(Some((stored.key, secret)))
    }

    fn get_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, StoreError> {
        Ok(self
            .keys
            .get(access_key_id.as_bytes())?
            .map(|b| decode::<StoredKey>(&b))
            .transpose()?
            .map(|s| s.key))
    }

    fn list_keys(&self, tenant_id: &str) -> Result<Vec<AccessKey>, StoreError> {
        let mut keys = Vec::new();
        for entry in self.keys.iter() {
            let stored: StoredKey = decode(&entry?.1)?;
            if stored.key.tenant_id == tenant_id {
                keys.push(stored.key);
            }
        }
        keys.sort_by(|a, b| {
            (&a.created_at, &a.access_key_id).cmp(&(&b.created_at, &b.access_key_id))
        });
        Ok(keys)
    }

    fn revoke_key(&self, tenant_id: &str, access_key_id: &str) -> Result<bool, StoreError> {
        let _serial = self
            .key_revocation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(key) = self.get_key(access_key_id)? else {
            return Ok(false);
        };
        if key.tenant_id != tenant_id {
            return Ok(false);
        }
        if key.role == Role::Admin {
            let admins = self
                .list_keys(tenant_id)?
                .into_iter()
                .filter(|k| k.role == Role::Admin)
                .count();
            if admins <= 1 {
                return Err(StoreError::Conflict(format!(
                    "{access_key_id} is the tenant's last admin key; create another admin key first"
                )));
            }
        }
        Ok(self.keys.remove(access_key_id.as_bytes())?.is_some())
    }

    fn update_tenant(
        &self,
        tenant_id: &str,
        change: &dyn Fn(&mut Tenant),
    ) -> Result<Tenant, StoreError> {
        self.tenants
            .transaction(|tenants| {
                let Some(mut tenant) = tx_get::<Tenant>(tenants, tenant_id.as_bytes())? else {
                    return abort(StoreError::NotFound(format!("tenant {tenant_id}")));
                };
                let (id, created_at) = (tenant.id.clone(), tenant.created_at.clone());
                change(&mut tenant);
                tenant.id = id;
                tenant.created_at = created_at;
                tx_put(tenants, tenant_id.as_bytes(), &tenant)?;
                Ok(tenant)
            })
            .map_err(tx_error)
    }
}

impl SledStore {
    /// A fresh key pair for `tenant_id`, as stored, and its secret.
    fn new_key(&self, tenant_id: &str, role: Role) -> (StoredKey, String) {
        new_stored_key(self.sealer.as_ref(), tenant_id, role)
    }
}

impl FunctionStore for SledStore {
    fn put_function(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.put_function_unique(record, artifact, &|_| false)
    }

    fn put_function_unique(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError> {
        self.put_function_versioned(record, artifact, None, &clashes)
    }

    fn put_function_based(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError> {
        self.put_function_inner(record, artifact, version, clashes, true)
    }

    fn put_function_versioned(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError> {
        self.put_function_inner(record, artifact, version, clashes, false)
    }

    fn rebuild_function(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        let fkey = key(&[&record.tenant_id, &record.func_id]);
        (&self.functions, &self.artifacts)
            .transaction(|(functions, artifacts)| {
                let current: Option<FunctionRecord> = tx_get(functions, &fkey)?;
                let same = current.is_some_and(|c| {
                    c.version == record.version
                        && c.source_code == record.source_code
                        && c.scene == record.scene
                });
                if !same {
                    return Ok(false);
                }
                tx_put(functions, &fkey, record)?;
                match artifact {
                    Some(bytes) => artifacts.insert(fkey.as_slice(), bytes)?,
                    None => artifacts.remove(fkey.as_slice())?,
                };
                Ok(true)
            })
            .map_err(tx_error)
    }

    fn get_function(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<FunctionRecord>, StoreError> {
        self.functions
            .get(key(&[tenant_id, func_id]))?
            .map(|b| decode(&b))
            .transpose()
    }

    fn get_artifact(&self, tenant_id: &str, func_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .artifacts
            .get(key(&[tenant_id, func_id]))?
            .map(|b| b.to_vec()))
    }

    fn list_functions(
        &self,
        tenant_id: &str,
        scene: Option<&str>,
    ) -> Result<Vec<FunctionRecord>, StoreError> {
        let scenes = match scene {
            Some(s) => vec![s.to_string()],
            None => {
                let p = prefix(&[tenant_id]);
                self.orders
                    .scan_prefix(&p)
                    .keys()
                    .map(|k| Ok(String::from_utf8_lossy(&k?[p.len()..]).into_owned()))
                    .collect::<Result<Vec<_>, StoreError>>()?
            }
        };
        let mut out = Vec::new();
        for scene in scenes {
            for id in self.scene_order(tenant_id, &scene)? {
                if let Some(f) = self.get_function(tenant_id, &id)? {
                    out.push(f);
                }
            }
        }
        Ok(out)
    }

    fn delete_function(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError> {
        let fkey = key(&[tenant_id, func_id]);
        let existed = (
            &self.functions,
            &self.artifacts,
            &self.orders,
            &self.secrets,
            &self.names,
            &self.action_cache,
        )
            .transaction(|(functions, artifacts, orders, secrets, names, cache)| {
                let Some(old) = tx_get::<FunctionRecord>(functions, &fkey)? else {
                    return Ok(false);
                };
                functions.remove(fkey.as_slice())?;
                artifacts.remove(fkey.as_slice())?;
                secrets.remove(fkey.as_slice())?;
                cache.remove(fkey.as_slice())?;
                tx_remove_from_list(orders, key(&[tenant_id, &old.scene]), func_id)?;
                tx_remove_from_list(names, key(&[tenant_id, &old.func_name]), func_id)?;
                Ok(true)
            })
            .map_err(tx_error)?;
        if existed {
            self.delete_versions_of(tenant_id, func_id)?;
            self.delete_logs_of(tenant_id, func_id)?;
        }
        Ok(existed)
    }

    fn scene_order(&self, tenant_id: &str, scene: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .orders
            .get(key(&[tenant_id, scene]))?
            .map(|b| decode(&b))
            .transpose()?
            .unwrap_or_default())
    }

    fn set_scene_order(
        &self,
        tenant_id: &str,
        scene: &str,
        order: &[String],
    ) -> Result<(), StoreError> {
        self.reorder_scene(tenant_id, scene, order, false)
    }

    fn lead_scene_order(
        &self,
        tenant_id: &str,
        scene: &str,
        leading: &[String],
    ) -> Result<(), StoreError> {
        self.reorder_scene(tenant_id, scene, leading, true)
    }

    fn bind_scene(
        &self,
        tenant_id: &str,
        scene: &str,
        bound: &[String],
        selects: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<Vec<FunctionRecord>, StoreError> {
        let okey = key(&[tenant_id, scene]);
        (&self.functions, &self.orders)
            .transaction(|(functions, orders)| {
                let current: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                let mut records = HashMap::new();
                for id in &current {
                    if let Some(record) =
                        tx_get::<FunctionRecord>(functions, &key(&[tenant_id, id]))?
                    {
                        records.insert(id.clone(), record);
                    }
                }
                check_binding(
                    scene,
                    &current,
                    bound,
                    |id| records.get(id).cloned(),
                    selects,
                )
                .or_else(abort)?;
                let now = rfc3339(now_micros());
                let mut changed = Vec::new();
                for id in &current {
                    let Some(record) = records.get(id).cloned() else {
                        continue;
                    };
                    if let Some(record) = rebound(record, bound, selects, &now) {
                        tx_put(functions, &key(&[tenant_id, id]), &record)?;
                        changed.push(record);
                    }
                }
                if !current.is_empty() {
                    tx_put(orders, &okey, &bound_order(&current, bound))?;
                }
                Ok(changed)
            })
            .map_err(tx_error)
    }

    fn all_functions(&self) -> Result<Vec<FunctionRecord>, StoreError> {
        self.functions
            .iter()
            .values()
            .map(|v| decode(&v?))
            .collect()
    }
}

impl SledStore {
    fn put_function_inner<F>(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: F,
        based: bool,
    ) -> Result<(), StoreError>
    where
        F: Fn(&FunctionRecord) -> bool,
    {
        check_part("tenant id", &record.tenant_id)?;
        check_part("funcId", &record.func_id)?;
        check_part("scene", &record.scene)?;
        let (tenant, func) = (record.tenant_id.as_str(), record.func_id.as_str());
        let fkey = key(&[tenant, func]);
        let nkey = key(&[tenant, &record.func_name]);
        let vkey = version.map(|v| versions::version_key(tenant, func, v.number));
        (
            &self.functions,
            &self.artifacts,
            &self.orders,
            &self.names,
            &self.versions,
            &self.secrets,
        )
            .transaction(|(functions, artifacts, orders, names, versions, secrets)| {
                let old: Option<FunctionRecord> = tx_get(functions, &fkey)?;
                if based && old.as_ref().map_or(0, |o| o.version) + 1 != record.version {
                    return abort(StoreError::Stale {
                        func_id: func.to_string(),
                    });
                }
                let mut version = version.cloned();
                if let (Some(version), Some(vkey)) = (version.as_mut(), &vkey) {
                    if versions.get(vkey.as_slice())?.is_some() {
                        return abort(StoreError::VersionTaken {
                            func_id: func.to_string(),
                            number: version.number,
                        });
                    }
                    if version.secrets.is_none() {
                        let live = tx_get::<SealedSecrets>(secrets, &fkey)?;
                        version.secrets =
                            Some(live.unwrap_or(SealedSecrets::Plain(BTreeMap::new())));
                    }
                    tx_put(versions, vkey, &*version)?;
                }
                // A version deployed brings its secrets with it.
                let deployed = record.deployed_version;
                if deployed != 0 && old.as_ref().map(|o| o.deployed_version) != Some(deployed) {
                    let runs = match &version {
                        Some(v) if v.number == deployed => Some(v.clone()),
                        _ => tx_get::<FunctionVersion>(
                            versions,
                            &versions::version_key(tenant, func, deployed),
                        )?,
                    };
                    match runs.and_then(|v| v.secrets) {
                        Some(SealedSecrets::Plain(map)) if map.is_empty() => {
                            secrets.remove(fkey.as_slice())?;
                        }
                        Some(sealed) => tx_put(secrets, &fkey, &sealed)?,
                        None => {}
                    }
                }
                let renamed = old.as_ref().map(|o| (&o.func_name, &o.scene))
                    != Some((&record.func_name, &record.scene));
                if renamed {
                    if let Some(old) = &old {
                        tx_remove_from_list(names, key(&[tenant, &old.func_name]), func)?;
                    }
                    let mut holders: Vec<String> = tx_get(names, &nkey)?.unwrap_or_default();
                    let mut live = Vec::with_capacity(holders.len() + 1);
                    for id in holders.drain(..) {
                        if id == func {
                            continue;
                        }
                        let Some(other) =
                            tx_get::<FunctionRecord>(functions, &key(&[tenant, &id]))?
                        else {
                            continue;
                        };
                        if clashes(&other) {
                            return abort(StoreError::NameTaken {
                                name: record.func_name.clone(),
                                holder: id,
                            });
                        }
                        live.push(id);
                    }
                    live.push(func.to_string());
                    tx_put(names, &nkey, &live)?;
                }
                tx_put(functions, &fkey, record)?;
                match artifact {
                    Some(bytes) => artifacts.insert(fkey.as_slice(), bytes)?,
                    None => artifacts.remove(fkey.as_slice())?,
                };
                let old_scene = old.as_ref().map(|o| o.scene.as_str());
                if old_scene != Some(record.scene.as_str()) {
                    if let Some(old_scene) = old_scene {
                        tx_remove_from_list(orders, key(&[tenant, old_scene]), func)?;
                    }
                    let okey = key(&[tenant, &record.scene]);
                    let mut order: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                    // Never listed twice, even if an order was left inconsistent.
                    order.retain(|id| id != func);
                    order.push(func.to_string());
                    tx_put(orders, &okey, &order)?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    fn reorder_scene(
        &self,
        tenant_id: &str,
        scene: &str,
        order: &[String],
        partial: bool,
    ) -> Result<(), StoreError> {
        let okey = key(&[tenant_id, scene]);
        self.orders
            .transaction(|orders| {
                let current: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                let Some(full) = reordered(scene, &current, order, partial).or_else(abort)? else {
                    return Ok(());
                };
                tx_put(orders, &okey, &full)
            })
            .map_err(tx_error)
    }
}

impl EnvStore for SledStore {
    fn env(&self, tenant_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
        let p = prefix(&[tenant_id]);
        self.env
            .scan_prefix(&p)
            .map(|e| {
                let (k, v) = e?;
                Ok((
                    String::from_utf8_lossy(&k[p.len()..]).into_owned(),
                    decode(&v)?,
                ))
            })
            .collect()
    }

    fn set_env(&self, tenant_id: &str, key_name: &str, value: &str) -> Result<(), StoreError> {
        check_part("tenant id", tenant_id)?;
        check_part("env key", key_name)?;
        self.env
            .insert(key(&[tenant_id, key_name]), encode(value)?)?;
        Ok(())
    }

    fn set_env_many(
        &self,
        tenant_id: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        check_part("tenant id", tenant_id)?;
        let mut batch = sled::Batch::default();
        for (name, value) in vars {
            check_part("env key", name)?;
            batch.insert(key(&[tenant_id, name]), encode(value.as_str())?);
        }
        self.env.apply_batch(batch)?;
        Ok(())
    }

    fn delete_env(&self, tenant_id: &str, key_name: &str) -> Result<bool, StoreError> {
        Ok(self.env.remove(key(&[tenant_id, key_name]))?.is_some())
    }

    fn outbound_allow(&self, tenant_id: &str) -> Result<Vec<String>, StoreError> {
        match self.outbound.get(tenant_id.as_bytes())? {
            Some(v) => decode(&v),
            None => Ok(Vec::new()),
        }
    }

    fn set_outbound_allow(&self, tenant_id: &str, rules: &[String]) -> Result<(), StoreError> {
        check_part("tenant id", tenant_id)?;
        if rules.is_empty() {
            self.outbound.remove(tenant_id.as_bytes())?;
        } else {
            self.outbound.insert(tenant_id.as_bytes(), encode(rules)?)?;
        }
        Ok(())
    }
}

impl SecretStore for SledStore {
    fn hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let fkey = key(&[tenant_id, func_id]);
        match self.secrets.get(&fkey)? {
            Some(bytes) => self.open_secrets(&fkey, &decode(&bytes)?),
            None => Ok(BTreeMap::new()),
        }
    }

    fn update_hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &SecretsChange,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let fkey = key(&[tenant_id, func_id]);
        (&self.functions, &self.secrets)
            .transaction(|(functions, secrets)| {
                if functions.get(fkey.as_slice())?.is_none() {
                    return abort(StoreError::NotFound(format!("function {func_id}")));
                }
                let mut map = match tx_get::<SealedSecrets>(secrets, &fkey)? {
                    Some(stored) => self.open_secrets(&fkey, &stored).or_else(abort)?,
                    None => BTreeMap::new(),
                };
                change(&mut map).or_else(abort)?;
                if map.is_empty() {
                    secrets.remove(fkey.as_slice())?;
                } else {
                    let stored = self.seal_secrets(&fkey, &map).or_else(abort)?;
                    tx_put(secrets, &fkey, &stored)?;
                }
                Ok(map)
            })
            .map_err(tx_error)
    }

    fn seal_function_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        secrets: &BTreeMap<String, String>,
    ) -> Result<SealedSecrets, StoreError> {
        if secrets.is_empty() {
            return Ok(SealedSecrets::Plain(BTreeMap::new()));
        }
        self.seal_secrets(&key(&[tenant_id, func_id]), secrets)
    }

    fn open_function_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        sealed: &SealedSecrets,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        self.open_secrets(&key(&[tenant_id, func_id]), sealed)
    }
}

impl SledStore {
    fn seal_secrets(
        &self,
        aad: &[u8],
        map: &BTreeMap<String, String>,
    ) -> Result<SealedSecrets, StoreError> {
        seal_map(self.sealer.as_ref(), aad, map)
    }

    fn open_secrets(
        &self,
        aad: &[u8],
        stored: &SealedSecrets,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        open_map(self.sealer.as_ref(), aad, stored)
    }
}

impl LogStore for SledStore {
    fn append_log(&self, record: &LogRecord) -> Result<(), StoreError> {
        self.append_logs(vec![record.clone()])
    }

    fn append_logs(&self, records: Vec<LogRecord>) -> Result<(), StoreError> {
        let mut rows = Vec::with_capacity(records.len());
        for mut record in records {
            check_part("tenant id", &record.tenant_id)?;
            check_part("funcId", &record.func_id)?;
            let seq = LOG_SEQ.fetch_add(1, Ordering::Relaxed) % 10u64.pow(LOG_SEQ_DIGITS as u32);
            let stamp = format!(
                "{:0tw$}{seq:0sw$}",
                record.at_micros,
                tw = TIME_DIGITS,
                sw = LOG_SEQ_DIGITS
            );
            let lkey = key(&[&record.tenant_id, &record.func_id, &stamp]);
            let ikey = index_key(record.tenant_id.as_bytes(), stamp.as_bytes());
            if record.id.is_empty() {
                record.id = stamp;
            }
            let value = encode(&record)?;
            let ivalue = index_value(value.len() as u64, record.func_id.as_bytes());
            rows.push(LogRow {
                tenant: record.tenant_id,
                lkey,
                value,
                ikey,
                ivalue,
            });
        }
        let mut rest = rows.as_slice();
        while !rest.is_empty() {
            let mut bytes = 0;
            let n = rest
                .iter()
                .take_while(|row| {
                    bytes += row.value.len();
                    bytes <= LOG_BATCH_BYTES
                })
                .count()
                .max(1);
            let (chunk, tail) = rest.split_at(n);
            let mut added: HashMap<&str, u64> = HashMap::new();
            for row in chunk {
                *added.entry(&row.tenant).or_default() += row.value.len() as u64;
            }
            (&self.logs, &self.log_index, &self.log_usage)
                .transaction(|(logs, index, usage)| {
                    for row in chunk {
                        logs.insert(row.lkey.as_slice(), row.value.as_slice())?;
                        index.insert(row.ikey.as_slice(), row.ivalue.as_slice())?;
                    }
                    for (tenant, size) in &added {
                        tx_add_usage(usage, tenant.as_bytes(), *size as i64)?;
                    }
                    Ok(())
                })
                .map_err(tx_error)?;
            rest = tail;
        }
        Ok(())
    }

    fn log_bytes(&self, tenant_id: &str) -> Result<u64, StoreError> {
        Ok(self
            .log_usage
            .get(tenant_id.as_bytes())?
            .map(|v| read_u64(&v))
            .transpose()?
            .unwrap_or(0))
    }

    fn trim_logs(&self, tenant_id: &str, max_bytes: u64) -> Result<usize, StoreError> {
        let p = prefix(&[tenant_id]);
        let mut n = 0;
        loop {
            let excess = self.log_bytes(tenant_id)?.saturating_sub(max_bytes);
            if excess == 0 {
                return Ok(n);
            }
            // The oldest entries that cover the excess, in one bounded transaction.
            let mut covered = 0;
            let mut chunk = Vec::new();
            for entry in self.log_index.scan_prefix(&p) {
                let (ikey, ivalue) = entry?;
                let (size, func) = read_index_value(&ivalue)?;
                chunk.push(pair_of(&p, &ikey, func));
                covered += size;
                if covered >= excess || chunk.len() == REMOVE_CHUNK {
                    break;
                }
            }
            if chunk.is_empty() {
                // The counter is ahead of the index (it cannot be, but a
                // counter that never drops must not spin here): reset it.
                self.log_usage.remove(tenant_id.as_bytes())?;
                return Ok(n);
            }
            n += self.remove_logs(&chunk)?;
        }
    }

    fn list_logs(
        &self,
        tenant_id: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError> {
        let p = prefix(&[tenant_id, func_id]);
        let total = self.logs.scan_prefix(&p).keys().count();
        let skip = page.saturating_sub(1).saturating_mul(limit);
        let list = self
            .logs
            .scan_prefix(&p)
            .rev()
            .skip(skip)
            .take(limit)
            .map(|e| decode(&e?.1))
            .collect::<Result<_, _>>()?;
        Ok((list, total))
    }

    fn list_logs_matching(
        &self,
        tenant_id: &str,
        func_id: &str,
        filter: &LogFilter,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError> {
        if filter.is_empty() {
            return self.list_logs(tenant_id, func_id, page, limit);
        }
        let skip = page.saturating_sub(1).saturating_mul(limit);
        let mut matched = 0usize;
        let mut list = Vec::new();
        for entry in self.logs.scan_prefix(prefix(&[tenant_id, func_id])).rev() {
            let record: LogRecord = decode(&entry?.1)?;
            if !filter.matches(&record) {
                continue;
            }
            if matched >= skip && list.len() < limit {
                list.push(record);
            }
            matched += 1;
        }
        Ok((list, matched))
    }

    fn log_points(
        &self,
        tenant_id: &str,
        func_id: &str,
        since_micros: u64,
        max: usize,
    ) -> Result<Vec<LogPoint>, StoreError> {
        let mut points = Vec::new();
        for entry in self.logs.scan_prefix(prefix(&[tenant_id, func_id])).rev() {
            if points.len() >= max {
                break;
            }
            let point: LogPoint = decode(&entry?.1)?;
            if point.at_micros < since_micros {
                break;
            }
            points.push(point);
        }
        Ok(points)
    }

    fn purge_logs_before(&self, cutoff_micros: u64) -> Result<usize, StoreError> {
        let tenants = self
            .log_usage
            .iter()
            .keys()
            .collect::<Result<Vec<_>, _>>()?;
        let mut n = 0;
        for tenant in tenants {
            let p = index_key(&tenant, b"");
            let mut end = p.clone();
            end.extend_from_slice(time_digits(cutoff_micros).as_bytes());
            loop {
                let chunk = self
                    .log_index
                    .range(p.as_slice()..end.as_slice())
                    .take(REMOVE_CHUNK)
                    .map(|entry| {
                        let (ikey, ivalue) = entry?;
                        Ok(pair_of(&p, &ikey, read_index_value(&ivalue)?.1))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                if chunk.is_empty() {
                    break;
                }
                n += self.remove_logs(&chunk)?;
            }
        }
        Ok(n)
    }
}

impl SledStore {
    /// Every log of one function, in bounded transactions.
    fn delete_logs_of(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError> {
        let p = prefix(&[tenant_id, func_id]);
        let mut n = 0;
        loop {
            let chunk = self
                .logs
                .scan_prefix(&p)
                .keys()
                .take(REMOVE_CHUNK)
                .map(|lkey| {
                    let lkey = lkey?;
                    // The stamp is in the key itself: no need to decode (or
                    // trust) the record to find its index entry.
                    let stamp = &lkey[p.len()..];
                    Ok((lkey.to_vec(), index_key(tenant_id.as_bytes(), stamp)))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            if chunk.is_empty() {
                return Ok(n);
            }
            n += self.remove_logs(&chunk)?;
        }
    }

    /// Removes `(logs key, log_index key)` pairs in one transaction, with
    /// their size from their tenants' usage; returns how many logs existed.
    fn remove_logs(&self, pairs: &[(Vec<u8>, Vec<u8>)]) -> Result<usize, StoreError> {
        (&self.logs, &self.log_index, &self.log_usage)
            .transaction(|(logs, index, usage)| {
                let mut n = 0;
                let mut removed: HashMap<&[u8], u64> = HashMap::new();
                for (lkey, ikey) in pairs {
                    if let Some(old) = logs.remove(lkey.as_slice())? {
                        n += 1;
                        let tenant = lkey.split(|b| *b == SEP).next().unwrap_or_default();
                        *removed.entry(tenant).or_default() += old.len() as u64;
                    }
                    index.remove(ikey.as_slice())?;
                }
                for (tenant, size) in removed {
                    tx_add_usage(usage, tenant, -(size as i64))?;
                }
                Ok(n)
            })
            .map_err(tx_error)
    }
}

impl QueueStore for SledStore {
    fn enqueue(&self, job: &Job) -> Result<(), StoreError> {
        self.put_job(job, false)
    }

    fn enqueue_many(&self, jobs: &[Job]) -> Result<(), StoreError> {
        let rows = jobs
            .iter()
            .map(|job| Ok((job.id.as_bytes(), job_key(job), encode(job)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                for (id, jkey, value) in &rows {
                    if let Some(old) = index.get(id)? {
                        jobs.remove(old)?;
                    }
                    jobs.insert(jkey.as_slice(), value.as_slice())?;
                    index.insert(*id, jkey.as_slice())?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    fn due_jobs(&self, now_micros: u64, limit: usize) -> Result<Vec<Job>, StoreError> {
        // Every key of a job due at `now` is `now \0 id`, below `now \x01`.
        let mut end = time_digits(now_micros).into_bytes();
        end.push(SEP + 1);
        self.jobs
            .range(..end)
            .values()
            .take(limit)
            .map(|v| decode(&v?))
            .collect()
    }

    fn reschedule_job(&self, job: &Job) -> Result<(), StoreError> {
        self.put_job(job, true)
    }

    fn complete_job(&self, job_id: &str) -> Result<(), StoreError> {
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                if let Some(old) = index.remove(job_id.as_bytes())? {
                    jobs.remove(old)?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    fn queue_depth(&self) -> Result<usize, StoreError> {
        Ok(self.job_index.len())
    }
}

impl SledStore {
    /// Writes a job under its due time, replacing its previous entry so a job
    /// is never queued twice.
    fn put_job(&self, job: &Job, must_exist: bool) -> Result<(), StoreError> {
        let jkey = job_key(job);
        let value = encode(job)?;
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                match index.get(job.id.as_bytes())? {
                    Some(old) => {
                        jobs.remove(old)?;
                    }
                    None if must_exist => {
                        return abort(StoreError::NotFound(format!("job {}", job.id)));
                    }
                    None => {}
                }
                jobs.insert(jkey.as_slice(), value.as_slice())?;
                index.insert(job.id.as_bytes(), jkey.as_slice())?;
                Ok(())
            })
            .map_err(tx_error)
    }

    /// Raw access for tests that plant bad values.
    #[cfg(test)]
    pub(crate) fn tree(&self, name: &str) -> Tree {
        self.db.open_tree(name).expect("open tree")
    }

    /// The names of the trees on disk (tests).
    #[cfg(test)]
    pub(crate) fn tree_names(&self) -> Vec<String> {
        self.db
            .tree_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect()
    }
}

// ------------------------------------------------------------ keys

/// `parts` joined by [`SEP`].
pub(crate) fn key(parts: &[&str]) -> Vec<u8> {
    let mut k = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(SEP);
        }
        k.extend_from_slice(p.as_bytes());
    }
    k
}

/// Prefix of every key under `parts`, with the trailing separator so tenant
/// `a` never matches tenant `ab`.
fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut k = key(parts);
    k.push(SEP);
    k
}

/// Refuses a key part that would break the layout. Only writes check: with
/// no separator inside stored parts, a read with one matches nothing.
pub(crate) fn check_part(what: &str, part: &str) -> Result<(), StoreError> {
    if part.is_empty() {
        return Err(StoreError::Invalid(format!("{what} must not be empty")));
    }
    if part.as_bytes().contains(&SEP) {
        return Err(StoreError::Invalid(format!(
            "{what} must not contain a NUL character"
        )));
    }
    Ok(())
}

fn time_digits(micros: u64) -> String {
    format!("{micros:0w$}", w = TIME_DIGITS)
}

/// A `log_index` key: tenant `\0` stamp (the log's time and counter).
fn index_key(tenant: &[u8], stamp: &[u8]) -> Vec<u8> {
    let mut k = tenant.to_vec();
    k.push(SEP);
    k.extend_from_slice(stamp);
    k
}

/// A `log_index` value: the record's encoded size, then its func id.
fn index_value(size: u64, func: &[u8]) -> Vec<u8> {
    let mut v = size.to_be_bytes().to_vec();
    v.extend_from_slice(func);
    v
}

fn read_index_value(v: &[u8]) -> Result<(u64, &[u8]), StoreError> {
    let size = read_u64(v.get(..8).unwrap_or_default())?;
    Ok((size, &v[8..]))
}

fn read_u64(v: &[u8]) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = v
        .try_into()
        .map_err(|_| StoreError::Corrupt("a log size is not 8 bytes".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

/// The `(logs key, log_index key)` of an index entry of the tenant whose
/// prefix is `tenant_prefix`.
fn pair_of(tenant_prefix: &[u8], ikey: &[u8], func: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let stamp = &ikey[tenant_prefix.len()..];
    let mut lkey = tenant_prefix.to_vec();
    lkey.extend_from_slice(func);
    lkey.push(SEP);
    lkey.extend_from_slice(stamp);
    (lkey, ikey.to_vec())
}

/// One invocation record, encoded, with its index entry.
struct LogRow {
    tenant: String,
    lkey: Vec<u8>,
    value: Vec<u8>,
    ikey: Vec<u8>,
    ivalue: Vec<u8>,
}

fn job_key(job: &Job) -> Vec<u8> {
    let mut k = time_digits(job.next_at_micros).into_bytes();
    k.push(SEP);
    k.extend_from_slice(job.id.as_bytes());
    k
}

// ------------------------------------------------------------ transactions

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort<T>(e: StoreError) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(e))
}

fn tx_error(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Db(e),
    }
}

fn tx_get<T: serde::de::DeserializeOwned>(
    tree: &TransactionalTree,
    k: &[u8],
) -> TxResult<Option<T>> {
    match tree.get(k)? {
        Some(bytes) => decode(&bytes).map(Some).or_else(abort),
        None => Ok(None),
    }
}

fn tx_put<T: serde::Serialize + ?Sized>(tree: &TransactionalTree, k: &[u8], v: &T) -> TxResult<()> {
    let bytes = encode(v).or_else(abort)?;
    tree.insert(k, bytes)?;
    Ok(())
}

/// Adds `delta` (negative: subtracts) to a tenant's log usage; a usage that
/// reaches zero is removed, so expiry visits only tenants with logs.
fn tx_add_usage(usage: &TransactionalTree, tenant: &[u8], delta: i64) -> TxResult<()> {
    let current = match usage.get(tenant)? {
        Some(v) => read_u64(&v).or_else(abort)?,
        None => 0,
    };
    let next = current.saturating_add_signed(delta);
    if next == 0 {
        usage.remove(tenant)?;
    } else {
        usage.insert(tenant, &next.to_be_bytes())?;
    }
    Ok(())
}

/// Takes `func_id` off the id list stored at `list_key` (a scene's order, or
/// the holders of a function name); an emptied list is removed, so listing
/// every scene or name does not visit dead ones.
fn tx_remove_from_list(tree: &TransactionalTree, list_key: Vec<u8>, func_id: &str) -> TxResult<()> {
    let mut ids: Vec<String> = tx_get(tree, &list_key)?.unwrap_or_default();
    ids.retain(|id| id != func_id);
    if ids.is_empty() {
        tree.remove(list_key)?;
        Ok(())
    } else {
        tx_put(tree, &list_key, &ids)
    }
}

/// Stores a new key; never overwrites another, however unlikely the collision.
fn tx_put_new_key(keys: &TransactionalTree, id: &[u8], stored: &StoredKey) -> TxResult<()> {
    if keys.get(id)?.is_some() {
        return abort(StoreError::Conflict("access key id collision".into()));
    }
    tx_put(keys, id, stored)
}

// ------------------------------------------------------------ secrets

fn secret_hash(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Equal-length comparison without an early exit, so timing does not reveal
/// how much of a guess matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new tenant's record: `id`, or a random one (`Invalid` if `id` breaks
/// the key rules), created now.
pub(crate) fn new_tenant(
    id: Option<&str>,
    name: &str,
    domain: Option<&str>,
) -> Result<Tenant, StoreError> {
    if let Some(id) = id {
        check_part("tenant id", id)?;
    }
    Ok(Tenant {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        name: name.to_string(),
        created_at: rfc3339(now_micros()),
        domain: domain.map(str::to_string),
        event_types: Default::default(),
    })
}

/// A fresh key pair for `tenant_id`, as stored (its secret sealed when there
/// is a `sealer`), and its secret.
pub(crate) fn new_stored_key(
    sealer: Option<&Sealer>,
    tenant_id: &str,
    role: Role,
) -> (StoredKey, String) {
    let secret = hex::encode(rand::random::<[u8; SECRET_BYTES]>());
    let salt = hex::encode(rand::random::<[u8; SALT_BYTES]>());
    let key = AccessKey {
        access_key_id: new_id(),
        tenant_id: tenant_id.to_string(),
        role,
        created_at: rfc3339(now_micros()),
    };
    let stored = StoredKey {
        hash: secret_hash(&salt, &secret),
        salt,
        sealed: sealer.map(|s| s.seal(key.access_key_id.as_bytes(), secret.as_bytes())),
        key,
    };
    (stored, secret)
}

/// Whether `secret` is the one `stored` was made with.
pub(crate) fn key_matches(stored: &StoredKey, secret: &str) -> bool {
    let presented = secret_hash(&stored.salt, secret);
    constant_time_eq(presented.as_bytes(), stored.hash.as_bytes())
}

/// The secret of `stored`, opened, when it was sealed and there is a sealer.
pub(crate) fn open_key_secret(
    sealer: Option<&Sealer>,
    stored: &StoredKey,
) -> Result<Option<String>, StoreError> {
    let id = &stored.key.access_key_id;
    match (sealer, &stored.sealed) {
        (Some(sealer), Some(sealed)) => {
            let plain = sealer.open(id.as_bytes(), sealed)?;
            Ok(Some(String::from_utf8(plain).map_err(|_| {
                StoreError::Corrupt(format!("key {id}: secret is not text"))
            })?))
        }
        _ => Ok(None),
    }
}

/// `map` sealed to `aad` (in the clear without a sealer).
pub(crate) fn seal_map(
    sealer: Option<&Sealer>,
    aad: &[u8],
    map: &BTreeMap<String, String>,
) -> Result<SealedSecrets, StoreError> {
    Ok(match sealer {
        Some(sealer) => {
            let json = serde_json::to_vec(map).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            SealedSecrets::Sealed(sealer.seal(aad, &json))
        }
        None => SealedSecrets::Plain(map.clone()),
    })
}

/// A map [`seal_map`] sealed to `aad`, opened.
pub(crate) fn open_map(
    sealer: Option<&Sealer>,
    aad: &[u8],
    stored: &SealedSecrets,
) -> Result<BTreeMap<String, String>, StoreError> {
    match (stored, sealer) {
        (SealedSecrets::Plain(map), _) => Ok(map.clone()),
        (SealedSecrets::Sealed(sealed), Some(sealer)) => {
            serde_json::from_slice(&sealer.open(aad, sealed)?)
                .map_err(|e| StoreError::Corrupt(format!("hook secrets: {e}")))
        }
        (SealedSecrets::Sealed(_), None) => Err(StoreError::Corrupt(
            "hook secrets are sealed but this store has no sealing key".into(),
        )),
    }
}
