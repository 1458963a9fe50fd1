//! The sled database behind a typed API.

use crate::codec::{decode, encode};
use crate::model::*;
use crate::{StoreError, new_id, now_micros, rfc3339};
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Transactional, Tree};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Separates key parts; never valid inside an id, scene or env key.
const SEP: u8 = 0;

fn key(parts: &[&str]) -> Vec<u8> {
    let mut k = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(SEP);
        }
        k.extend_from_slice(p.as_bytes());
    }
    k
}

/// Prefix for every key under `parts` (with the trailing separator, so
/// tenant "a" never matches tenant "ab").
fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut k = key(parts);
    k.push(SEP);
    k
}

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
        Some(bytes) => match decode(&bytes) {
            Ok(v) => Ok(Some(v)),
            Err(e) => abort(e),
        },
        None => Ok(None),
    }
}

fn tx_put<T: serde::Serialize>(tree: &TransactionalTree, k: &[u8], v: &T) -> TxResult<()> {
    match encode(v) {
        Ok(bytes) => {
            tree.insert(k, bytes)?;
            Ok(())
        }
        Err(e) => abort(e),
    }
}

/// hookbox's database. Cheap to clone. Every method blocks: call it off the
/// async workers (`spawn_blocking`).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    tenants: Tree,
    keys: Tree,
    functions: Tree,
    artifacts: Tree,
    orders: Tree,
    env: Tree,
    logs: Tree,
    log_times: Tree,
    jobs: Tree,
    job_index: Tree,
}

/// Makes log ids unique within a microsecond.
static LOG_SEQ: AtomicU64 = AtomicU64::new(0);

impl Store {
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::from_db(sled::open(path)?)
    }

    /// A store that lives in a temp dir and vanishes when dropped (tests).
    pub fn open_temporary() -> Result<Self, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            tenants: db.open_tree("tenants")?,
            keys: db.open_tree("keys")?,
            functions: db.open_tree("functions")?,
            artifacts: db.open_tree("artifacts")?,
            orders: db.open_tree("orders")?,
            env: db.open_tree("env")?,
            logs: db.open_tree("logs")?,
            log_times: db.open_tree("log_times")?,
            jobs: db.open_tree("jobs")?,
            job_index: db.open_tree("job_index")?,
            db,
        })
    }

    /// Makes everything written so far durable. Callers flush before they
    /// acknowledge a write.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    // ------------------------------------------------------------ tenants and keys

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.tenants.is_empty())
    }

    pub fn create_tenant(&self, id: Option<&str>, name: &str) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: id.map(str::to_string).unwrap_or_else(new_id),
            name: name.to_string(),
            created_at: rfc3339(now_micros()),
        };
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

    pub fn get_tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        self.tenants
            .get(id.as_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    pub fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.tenants.iter().values().map(|v| decode(&v?)).collect()
    }

    /// Creates a key pair. The secret is returned once; only a salted hash is kept.
    pub fn create_key(
        &self,
        tenant_id: &str,
        role: Role,
    ) -> Result<(AccessKey, String), StoreError> {
        if self.get_tenant(tenant_id)?.is_none() {
            return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
        }
        let secret = hex::encode(rand::random::<[u8; 32]>());
        let salt = hex::encode(rand::random::<[u8; 16]>());
        let key = AccessKey {
            access_key_id: new_id(),
            tenant_id: tenant_id.to_string(),
            role,
            created_at: rfc3339(now_micros()),
        };
        let stored = StoredKey {
            hash: secret_hash(&salt, &secret),
            salt,
            key: key.clone(),
        };
        self.keys
            .insert(key.access_key_id.as_bytes(), encode(&stored)?)?;
        Ok((key, secret))
    }

    pub fn verify_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<Option<AccessKey>, StoreError> {
        let Some(bytes) = self.keys.get(access_key_id.as_bytes())? else {
            return Ok(None);
        };
        let stored: StoredKey = decode(&bytes)?;
        let presented = secret_hash(&stored.salt, secret);
        Ok(constant_time_eq(presented.as_bytes(), stored.hash.as_bytes()).then_some(stored.key))
    }

    pub fn get_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, StoreError> {
        Ok(self
            .keys
            .get(access_key_id.as_bytes())?
            .map(|b| decode::<StoredKey>(&b))
            .transpose()?
            .map(|s| s.key))
    }

    // ------------------------------------------------------------ functions

    /// Writes a function, its artifact and its place in the scene order in one
    /// transaction. New functions go to the end of their scene; a function that
    /// changed scene moves to the end of the new one.
    pub fn put_function(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let fkey = key(&[&record.tenant_id, &record.func_id]);
        (&self.functions, &self.artifacts, &self.orders)
            .transaction(|(functions, artifacts, orders)| {
                let old: Option<FunctionRecord> = tx_get(functions, &fkey)?;
                tx_put(functions, &fkey, record)?;
                match artifact {
                    Some(bytes) => {
                        artifacts.insert(fkey.as_slice(), bytes)?;
                    }
                    None => {
                        artifacts.remove(fkey.as_slice())?;
                    }
                }
                let moved = old.as_ref().map(|o| o.scene.as_str()) != Some(record.scene.as_str());
                if moved {
                    if let Some(old) = &old {
                        let okey = key(&[&record.tenant_id, &old.scene]);
                        let mut order: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                        order.retain(|id| id != &record.func_id);
                        tx_put(orders, &okey, &order)?;
                    }
                    let nkey = key(&[&record.tenant_id, &record.scene]);
                    let mut order: Vec<String> = tx_get(orders, &nkey)?.unwrap_or_default();
                    order.push(record.func_id.clone());
                    tx_put(orders, &nkey, &order)?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    pub fn get_function(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<FunctionRecord>, StoreError> {
        self.functions
            .get(key(&[tenant_id, func_id]))?
            .map(|b| decode(&b))
            .transpose()
    }

    pub fn get_artifact(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .artifacts
            .get(key(&[tenant_id, func_id]))?
            .map(|b| b.to_vec()))
    }

    /// One tenant's functions: a scene's in its order, or every scene's (each
    /// in order, scenes sorted by name).
    pub fn list_functions(
        &self,
        tenant_id: &str,
        scene: Option<&str>,
    ) -> Result<Vec<FunctionRecord>, StoreError> {
        let scenes = match scene {
            Some(s) => vec![s.to_string()],
            None => self
                .orders
                .scan_prefix(prefix(&[tenant_id]))
                .keys()
                .map(|k| {
                    let k = k?;
                    Ok(String::from_utf8_lossy(&k[tenant_id.len() + 1..]).into_owned())
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
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

    /// Removes a function, its artifact and its order entry atomically, then its logs.
    pub fn delete_function(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError> {
        let fkey = key(&[tenant_id, func_id]);
        let existed = (&self.functions, &self.artifacts, &self.orders)
            .transaction(|(functions, artifacts, orders)| {
                let Some(old) = tx_get::<FunctionRecord>(functions, &fkey)? else {
                    return Ok(false);
                };
                functions.remove(fkey.as_slice())?;
                artifacts.remove(fkey.as_slice())?;
                let okey = key(&[tenant_id, &old.scene]);
                let mut order: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                order.retain(|id| id != func_id);
                tx_put(orders, &okey, &order)?;
                Ok(true)
            })
            .map_err(tx_error)?;
        if existed {
            for entry in self.logs.scan_prefix(prefix(&[tenant_id, func_id])) {
                let (k, v) = entry?;
                let record: LogRecord = decode(&v)?;
                self.remove_log(&k, record.at_micros)?;
            }
        }
        Ok(existed)
    }

    pub fn scene_order(&self, tenant_id: &str, scene: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .orders
            .get(key(&[tenant_id, scene]))?
            .map(|b| decode(&b))
            .transpose()?
            .unwrap_or_default())
    }

    /// `order` must list exactly the scene's functions, each once.
    pub fn set_scene_order(
        &self,
        tenant_id: &str,
        scene: &str,
        order: &[String],
    ) -> Result<(), StoreError> {
        let okey = key(&[tenant_id, scene]);
        self.orders
            .transaction(|orders| {
                let current: Vec<String> = tx_get(orders, &okey)?.unwrap_or_default();
                let mut seen = std::collections::HashSet::new();
                for id in order {
                    if !current.contains(id) {
                        return abort(StoreError::Invalid(format!(
                            "function {id} is not in scene {scene}"
                        )));
                    }
                    if !seen.insert(id) {
                        return abort(StoreError::Invalid(format!(
                            "function {id} is listed twice"
                        )));
                    }
                }
                if let Some(missing) = current.iter().find(|id| !seen.contains(id)) {
                    return abort(StoreError::Invalid(format!(
                        "the order must list every function of scene {scene}; {missing} is missing"
                    )));
                }
                tx_put(orders, &okey, &order.to_vec())
            })
            .map_err(tx_error)
    }

    pub fn all_functions(&self) -> Result<Vec<FunctionRecord>, StoreError> {
        self.functions
            .iter()
            .values()
            .map(|v| decode(&v?))
            .collect()
    }

    // ------------------------------------------------------------ env

    pub fn env(&self, tenant_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
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

    pub fn set_env(&self, tenant_id: &str, name: &str, value: &str) -> Result<(), StoreError> {
        self.env.insert(key(&[tenant_id, name]), encode(&value)?)?;
        Ok(())
    }

    pub fn delete_env(&self, tenant_id: &str, name: &str) -> Result<bool, StoreError> {
        Ok(self.env.remove(key(&[tenant_id, name]))?.is_some())
    }

    // ------------------------------------------------------------ logs

    pub fn append_log(&self, record: &LogRecord) -> Result<(), StoreError> {
        let mut record = record.clone();
        if record.id.is_empty() {
            let seq = LOG_SEQ.fetch_add(1, Ordering::Relaxed) % 10_000_000_000;
            record.id = format!("{:020}{seq:010}", record.at_micros);
        }
        let lkey = key(&[&record.tenant_id, &record.func_id, &record.id]);
        let tkey = time_key(record.at_micros, &lkey);
        (&self.logs, &self.log_times)
            .transaction(|(logs, times)| {
                tx_put(logs, &lkey, &record)?;
                times.insert(tkey.as_slice(), &[] as &[u8])?;
                Ok(())
            })
            .map_err(tx_error)
    }

    /// A function's logs, newest first; `page` is 1-based. Returns the page and the total.
    pub fn list_logs(
        &self,
        tenant_id: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError> {
        let p = prefix(&[tenant_id, func_id]);
        let total = self.logs.scan_prefix(&p).count();
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

    /// Deletes every log written before `cutoff_micros`. Returns how many.
    pub fn purge_logs_before(&self, cutoff_micros: u64) -> Result<usize, StoreError> {
        let end = format!("{cutoff_micros:020}");
        let mut n = 0;
        for entry in self.log_times.range(..end.as_bytes()) {
            let (tkey, _) = entry?;
            let lkey = &tkey[21..];
            self.logs.remove(lkey)?;
            self.log_times.remove(&tkey)?;
            n += 1;
        }
        Ok(n)
    }

    fn remove_log(&self, lkey: &[u8], at_micros: u64) -> Result<(), StoreError> {
        self.logs.remove(lkey)?;
        self.log_times.remove(time_key(at_micros, lkey))?;
        Ok(())
    }

    // ------------------------------------------------------------ the queue

    pub fn enqueue(&self, job: &Job) -> Result<(), StoreError> {
        let jkey = job_key(job);
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                tx_put(jobs, &jkey, job)?;
                index.insert(job.id.as_bytes(), jkey.as_slice())?;
                Ok(())
            })
            .map_err(tx_error)
    }

    /// Jobs due at `now_micros`, soonest first.
    pub fn due_jobs(&self, now_micros: u64, limit: usize) -> Result<Vec<Job>, StoreError> {
        let mut end = format!("{now_micros:020}").into_bytes();
        end.push(SEP + 1);
        self.jobs
            .range(..end)
            .take(limit)
            .map(|e| decode(&e?.1))
            .collect()
    }

    /// Stores a job's new attempt count and due time.
    pub fn reschedule_job(&self, job: &Job) -> Result<(), StoreError> {
        let jkey = job_key(job);
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                if let Some(old) = index.get(job.id.as_bytes())? {
                    jobs.remove(old)?;
                }
                tx_put(jobs, &jkey, job)?;
                index.insert(job.id.as_bytes(), jkey.as_slice())?;
                Ok(())
            })
            .map_err(tx_error)
    }

    pub fn complete_job(&self, job_id: &str) -> Result<(), StoreError> {
        (&self.jobs, &self.job_index)
            .transaction(|(jobs, index)| {
                if let Some(old) = index.remove(job_id.as_bytes())? {
                    jobs.remove(old)?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    pub fn queue_depth(&self) -> Result<usize, StoreError> {
        Ok(self.job_index.len())
    }
}

fn time_key(at_micros: u64, lkey: &[u8]) -> Vec<u8> {
    let mut k = format!("{at_micros:020}").into_bytes();
    k.push(SEP);
    k.extend_from_slice(lkey);
    k
}

fn job_key(job: &Job) -> Vec<u8> {
    let mut k = format!("{:020}", job.next_at_micros).into_bytes();
    k.push(SEP);
    k.extend_from_slice(job.id.as_bytes());
    k
}

fn secret_hash(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
