//! The PostgreSQL backend: cluster mode, many stateless nodes on one database.
//!
//! The schema is `migrations/` (refinery, run at [`PgStore::connect`]); a node
//! refuses a database whose schema has a migration it does not know (a newer
//! hookbox migrated it). Records are the same serde documents the embedded
//! store keeps, in `json` columns beside the keys lookups need.
//!
//! - **Concurrency.** Every read-modify-write runs in one transaction holding
//!   a transaction-scoped advisory lock on what it changes (a tenant's
//!   functions and scene orders; one function's secrets or cache; a tenant's
//!   nonces), so two nodes' changes serialize exactly as one sled
//!   transaction's retries do on one node.
//! - **The queue.** [`QueueStore::due_jobs`] claims jobs with
//!   `FOR UPDATE SKIP LOCKED` and pushes them [`CLAIM_LEASE`] ahead: no two
//!   nodes take the same job, and a job whose node died is due again after
//!   its lease (the service then leases it for its own timeout).
//! - **Logs.** One partition per UTC day, created as logs arrive; expiry
//!   drops the partitions of whole days before the cutoff, and deletes only
//!   the older rows of the day the cutoff falls in.
//! - **Blocking.** The trait is synchronous like the embedded store's; each
//!   call runs its queries on the backend's own small runtime and waits.
//!   Call it off async workers (`spawn_blocking`), as every store.

use crate::model::*;
use crate::rules::{bound_order, check_binding, rebound, reordered};
use crate::seal::Sealer;
use crate::sled_store::{
    check_part, key, key_matches, new_stored_key, new_tenant, open_key_secret, open_map, seal_map,
};
use crate::storage::*;
use crate::{ConnectionWrite, NonceUse, StoreError, now_micros, rfc3339};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{NoTls, Row};

mod deliveries;

mod migrations {
    refinery::embed_migrations!("migrations");
}

/// How long a claimed job stays invisible to other nodes: the service leases
/// it for its own run (its timeout and a margin) as soon as it starts it, so
/// this only covers a node that dies between the two.
pub const CLAIM_LEASE: Duration = Duration::from_secs(30);
/// Connections each node keeps to the database at most.
pub const DEFAULT_POOL_SIZE: usize = 16;
/// How long a call waits for a connection (or to open one) before it fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The session advisory lock migrations run under ("hookbox" in ASCII).
const MIGRATION_LOCK: i64 = 0x0068_6f6f_6b62_6f78;

/// One UTC day, in microseconds: a log partition's span.
const DAY_MICROS: i64 = 86_400_000_000;
/// Makes log ids written in the same microsecond distinct.
static LOG_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// Log rows deleted per statement when a tenant is trimmed to its cap.
const TRIM_CHUNK: i64 = 256;

type Param<'a> = &'a (dyn ToSql + Sync);

/// The runtime the backend's connections live on, shut down without
/// blocking whenever the last handle drops (even inside async code).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// hookbox's data in PostgreSQL. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Woken by other nodes' changes (see [`listen`]).
    changes: Arc<tokio::sync::Notify>,
    runtime: Arc<Runtime>,
    sealer: Option<Sealer>,
    /// A one-way digest of the sealing key (see [`PgStore::claim_sealing_key`]).
    key_check: Option<String>,
    /// The day partitions of `logs` this node has seen exist (see
    /// [`ensure_partition`]); forgotten when one turns out to be gone.
    partitions: Arc<std::sync::Mutex<HashSet<String>>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// A statement's error: the database's answer is `Postgres`; a connection
/// that failed or closed, or a transient answer, is `Unavailable`.
fn db(e: tokio_postgres::Error) -> StoreError {
    use tokio_postgres::error::SqlState;
    /// Answers that say "not now" rather than "no": the same call may work
    /// in a moment (a shutdown, a restart, a deadlock or lock wait broken).
    const TRANSIENT: [SqlState; 7] = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    match e.as_db_error() {
        Some(answer) if TRANSIENT.contains(answer.code()) => StoreError::Unavailable(format!(
            "{} {}: {}",
            answer.severity(),
            answer.code().code(),
            answer.message()
        )),
        Some(answer) => StoreError::Postgres(format!(
            "{} {}: {}",
            answer.severity(),
            answer.code().code(),
            answer.message()
        )),
        None => {
            // The cause (refused, unknown host, timeout) is in the source chain.
            StoreError::Unavailable(with_causes(&e))
        }
    }
}

/// `e` and every error in its source chain, `: `-separated: tokio-postgres
/// and refinery put the cause (PostgreSQL's own message, such as "permission
/// denied for schema public") in the chain, not in their own text.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    text
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`),
    /// with a pool of up to `pool_size` connections, and migrates the schema.
    /// Errors: a bad URL is `Invalid`; an unreachable database, or a schema a
    /// newer hookbox wrote, is `Postgres`.
    pub fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("database URL: {e}")))?;
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            // Refused at once rather than retried as an outage for a minute.
            return Err(StoreError::Invalid(
                "database URL: sslmode=require, but hookbox connects to PostgreSQL without TLS; \
                 reach the database over a private network (or a TLS tunnel) and leave sslmode \
                 out, or set sslmode=disable"
                    .into(),
            ));
        }
        let mut config = config;
        // A database that silently stops answering (a dropped network path)
        // is noticed instead of hanging calls.
        config
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .tcp_user_timeout(Duration::from_secs(20));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hookbox-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Postgres(format!("starting its runtime: {e}")))?;
        let mut migrate_config = config.clone();
        migrate_config.connect_timeout(CONNECT_TIMEOUT);
        runtime.block_on(async move {
            let (mut client, connection) = migrate_config.connect(NoTls).await.map_err(db)?;
            let driver = tokio::spawn(connection);
            // Nodes starting together migrate one at a time: the others wait
            // on this session lock, then find the schema up to date.
            client
                .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
                .await
                .map_err(db)?;
            let report = migrations::migrations::runner()
                .set_abort_missing(true)
                .set_abort_divergent(true)
                .run_async(&mut client)
                .await;
            drop(client);
            let _ = driver.await;
            report.map_err(|e| {
                let e = with_causes(&e);
                if e.contains("missing from the filesystem") {
                    StoreError::Postgres(format!(
                        "the database's schema is newer than this hookbox knows ({e}): a newer \
                         hookbox migrated it; run that version"
                    ))
                } else {
                    StoreError::Postgres(format!("migrating the schema: {e}"))
                }
            })?;
            Ok::<_, StoreError>(())
        })?;
        let changes = Arc::new(tokio::sync::Notify::new());
        let mut listen_config = config.clone();
        listen_config.connect_timeout(CONNECT_TIMEOUT);
        runtime.spawn(listen(listen_config, changes.clone()));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = {
            let _entered = runtime.enter();
            Pool::builder(manager)
                .max_size(pool_size.max(1))
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .wait_timeout(Some(CONNECT_TIMEOUT))
                .create_timeout(Some(CONNECT_TIMEOUT))
                .build()
                .map_err(|e| StoreError::Postgres(format!("building the pool: {e}")))?
        };
        Ok(Self {
            pool,
            changes,
            runtime: Arc::new(Runtime(Some(runtime))),
            sealer: None,
            key_check: None,
            partitions: Arc::default(),
        })
    }

    /// Seals secrets under `key` (see [`crate::SledStore::with_sealing_key`]);
    /// every node must be given the same key.
    pub fn with_sealing_key(mut self, key: &[u8; 32]) -> Self {
        use sha2::Digest;
        self.sealer = Some(Sealer::new(key));
        let mut digest = sha2::Sha256::new();
        digest.update(b"hookbox sealing key check v1\0");
        digest.update(key);
        self.key_check = Some(hex::encode(digest.finalize()));
        self
    }

    /// Checks that this node seals with the cluster's key: the first node to
    /// call it records a digest of its key; any other key is `Invalid`, so a
    /// node given the wrong key refuses to start rather than seal secrets the
    /// other nodes cannot open (and sign tokens they refuse). Without a
    /// sealing key it checks nothing.
    pub fn claim_sealing_key(&self) -> Result<(), StoreError> {
        let Some(check) = &self.key_check else {
            return Ok(());
        };
        let recorded: String = self.run(async {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO cluster_settings (name, value) VALUES ('sealing_key_check', $1)
                     ON CONFLICT DO NOTHING",
                    &[check],
                )
                .await
                .map_err(db)?;
            Ok(client
                .query_one(
                    "SELECT value FROM cluster_settings WHERE name = 'sealing_key_check'",
                    &[],
                )
                .await
                .map_err(db)?
                .get(0))
        })?;
        if &recorded != check {
            return Err(StoreError::Invalid(
                "this node's cluster key is not the one the database was first used with: give \
                 every node the same key (the nodes already running have it)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Migrates the database at `url` up to schema `version` only, as an older
    /// hookbox left it (tests of the migration from a previous schema).
    #[cfg(test)]
    pub(crate) fn migrate_to(url: &str, version: i32) -> Result<(), StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("database URL: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        runtime.block_on(async move {
            let (mut client, connection) = config.connect(NoTls).await.map_err(db)?;
            let driver = tokio::spawn(connection);
            let report = migrations::migrations::runner()
                .set_target(refinery::Target::Version(version))
                .run_async(&mut client)
                .await;
            drop(client);
            let _ = driver.await;
            report.map(|_| ()).map_err(|e| {
                StoreError::Postgres(format!("migrating the schema: {}", with_causes(&e)))
            })
        })
    }

    /// Whether the database answers now (`Unavailable` if not).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            client.simple_query("SELECT 1").await.map_err(db)?;
            Ok(())
        })
    }

    /// The newest schema version the database is at.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_one(
                    "SELECT coalesce(max(version), 0)::bigint FROM refinery_schema_history",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    /// Runs `fut` on the backend's runtime and waits for it.
    fn run<T>(&self, fut: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        let handle = self
            .runtime
            .0
            .as_ref()
            .expect("the runtime lives as long as the store")
            .handle();
        match tokio::runtime::Handle::try_current() {
            Ok(current)
                if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread =>
            {
                tokio::task::block_in_place(|| handle.block_on(fut))
            }
            _ => handle.block_on(fut),
        }
    }

    /// The `record` document of the one row `sql` finds, if any.
    async fn opt_record<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(sql, params)
            .await
            .map_err(db)?
            .map(|r| doc(&r, "record"))
            .transpose()
    }

    /// The `record` documents of the rows `sql` finds, in its order.
    async fn records<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, StoreError> {
        let client = self.client().await?;
        let rows = client.query(sql, params).await.map_err(db)?;
        docs(&rows, "record")
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))
    }
}

// ------------------------------------------------------------ helpers

/// Takes the transaction-scoped advisory lock named by `parts`.
async fn lock(tx: &deadpool_postgres::Transaction<'_>, parts: &[&str]) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&parts.join("\u{1}")],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Whether every part can be a key (a part with NUL is refused at writes, so
/// a read with one matches nothing).
fn clean(parts: &[&str]) -> bool {
    parts.iter().all(|p| !p.contains('\0'))
}

fn doc<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T, StoreError> {
    let Json(value): Json<T> = row
        .try_get(column)
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))?;
    Ok(value)
}

fn docs<T: serde::de::DeserializeOwned>(rows: &[Row], column: &str) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|r| doc(r, column)).collect()
}

fn micros(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

async fn get_function_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    func: &str,
) -> Result<Option<FunctionRecord>, StoreError> {
    tx.query_opt(
        "SELECT record FROM functions WHERE tenant_id = $1 AND func_id = $2",
        &[&tenant, &func],
    )
    .await
    .map_err(db)?
    .map(|r| doc(&r, "record"))
    .transpose()
}

async fn put_function_row(
    tx: &deadpool_postgres::Transaction<'_>,
    record: &FunctionRecord,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO functions (tenant_id, func_id, func_name, scene, revision, record)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, func_id) DO UPDATE SET func_name = $3, scene = $4,
             revision = $5, record = $6",
        &[
            &record.tenant_id,
            &record.func_id,
            &record.func_name,
            &record.scene,
            &micros(record.version),
            &Json(record),
        ],
    )
    .await
    .map_err(db)?;
    Ok(())
}

async fn get_order_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    scene: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT func_ids FROM scene_orders WHERE tenant_id = $1 AND scene = $2",
            &[&tenant, &scene],
        )
        .await
        .map_err(db)?
        .map(|r| r.get::<_, Vec<String>>(0))
        .unwrap_or_default())
}

async fn put_order_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    scene: &str,
    order: &[String],
) -> Result<(), StoreError> {
    if order.is_empty() {
        tx.execute(
            "DELETE FROM scene_orders WHERE tenant_id = $1 AND scene = $2",
            &[&tenant, &scene],
        )
        .await
        .map_err(db)?;
    } else {
        tx.execute(
            "INSERT INTO scene_orders (tenant_id, scene, func_ids) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, scene) DO UPDATE SET func_ids = $3",
            &[&tenant, &scene, &order],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

async fn remove_from_order(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    scene: &str,
    func: &str,
) -> Result<(), StoreError> {
    let mut order = get_order_tx(tx, tenant, scene).await?;
    order.retain(|id| id != func);
    put_order_tx(tx, tenant, scene, &order).await
}

async fn get_secrets_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    func: &str,
) -> Result<Option<SealedSecrets>, StoreError> {
    tx.query_opt(
        "SELECT sealed FROM function_secrets WHERE tenant_id = $1 AND func_id = $2",
        &[&tenant, &func],
    )
    .await
    .map_err(db)?
    .map(|r| doc(&r, "sealed"))
    .transpose()
}

async fn put_secrets_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    func: &str,
    sealed: Option<&SealedSecrets>,
) -> Result<(), StoreError> {
    let empty = match sealed {
        None => true,
        Some(SealedSecrets::Plain(map)) => map.is_empty(),
        Some(SealedSecrets::Sealed(_)) => false,
    };
    match sealed {
        _ if empty => {
            tx.execute(
                "DELETE FROM function_secrets WHERE tenant_id = $1 AND func_id = $2",
                &[&tenant, &func],
            )
            .await
            .map_err(db)?;
        }
        _ => {
            tx.execute(
                "INSERT INTO function_secrets (tenant_id, func_id, sealed) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, func_id) DO UPDATE SET sealed = $3",
                &[&tenant, &func, &Json(sealed)],
            )
            .await
            .map_err(db)?;
        }
    }
    Ok(())
}

/// Deletes `table`'s rows of one function (or connection) of a tenant.
async fn delete_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[Param<'_>],
) -> Result<u64, StoreError> {
    tx.execute(sql, params).await.map_err(db)
}

// ------------------------------------------------------------ Storage

impl Storage for PgStore {
    fn flush(&self) -> Result<(), StoreError> {
        // Every statement commits durably before it returns.
        Ok(())
    }

    fn shared(&self) -> bool {
        true
    }

    fn ping(&self) -> Result<(), StoreError> {
        PgStore::ping(self)
    }

    fn changed_tenants(&self, cursor: &mut ChangeCursor) -> Result<Vec<String>, StoreError> {
        // One statement, so the horizon and the rows come from one snapshot:
        // a transaction not committed in it has an id at or after its xmin,
        // and is read by the next poll. A horizon beyond every id the
        // database has given (it was restored from a backup, or a replica
        // that was behind took over) means another timeline: all is read
        // again, and a tenant whose generation or writing transaction differs
        // from what was seen is reported.
        let since = cursor.since.clone().unwrap_or_else(|| "0".to_string());
        let rows = self.run(async {
            let client = self.client().await?;
            client
                .query(
                    "WITH horizon AS (
                        SELECT pg_snapshot_xmin(snap.s) AS xmin, pg_snapshot_xmax(snap.s) AS xmax
                        FROM pg_current_snapshot() AS snap(s))
                     SELECT c.tenant_id, c.generation, c.changed_by::text, h.xmin::text
                     FROM horizon h LEFT JOIN tenant_changes c ON c.changed_by >= CASE
                        WHEN $1::text::xid8 > h.xmax THEN '0'::xid8 ELSE $1::text::xid8 END",
                    &[&since],
                )
                .await
                .map_err(db)
        })?;
        let mut changed = Vec::new();
        for row in rows {
            cursor.since = Some(row.get(3));
            let (Some(tenant), Some(generation), Some(writer)): (
                Option<String>,
                Option<i64>,
                Option<String>,
            ) = (row.get(0), row.get(1), row.get(2)) else {
                continue;
            };
            let seen = cursor.generations.insert(tenant.clone(), generation);
            let seen_writer = cursor.writers.insert(tenant.clone(), writer.clone());
            if seen != Some(generation) || seen_writer.as_ref() != Some(&writer) {
                changed.push(tenant);
            }
        }
        Ok(changed)
    }

    fn change_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        Some(self.changes.clone())
    }
}

/// Listens on `hookbox_changes` for as long as the runtime lives, waking
/// `signal` on every notification, and once after every reconnection (what
/// was sent while it was away is then found by a poll).
async fn listen(config: tokio_postgres::Config, signal: Arc<tokio::sync::Notify>) {
    // Retries during an outage are logged once, not twice a second.
    let mut failing = false;
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                failing = false;
                let listening = async {
                    client.batch_execute("LISTEN hookbox_changes").await?;
                    signal.notify_one();
                    std::future::pending::<Result<(), tokio_postgres::Error>>().await
                };
                let messages = async {
                    loop {
                        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                            Some(Ok(tokio_postgres::AsyncMessage::Notification(_))) => {
                                signal.notify_one();
                            }
                            Some(Ok(_)) => {}
                            Some(Err(e)) => return e.to_string(),
                            None => return "closed".to_string(),
                        }
                    }
                };
                tokio::select! {
                    e = listening => {
                        if let Err(e) = e {
                            tracing::warn!(error = %e, "listening for other nodes' changes failed");
                        }
                    }
                    e = messages => tracing::warn!(error = %e, "lost the connection that listens for other nodes' changes"),
                }
            }
            Err(e) if failing => {
                tracing::debug!(error = %e, "cannot listen for other nodes' changes")
            }
            Err(e) => {
                failing = true;
                tracing::warn!(error = %e, "cannot listen for other nodes' changes; trying again until it can")
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

impl TenantStore for PgStore {
    fn is_empty(&self) -> Result<bool, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_one("SELECT NOT EXISTS (SELECT 1 FROM tenants)", &[])
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    fn create_tenant(&self, id: Option<&str>, name: &str) -> Result<Tenant, StoreError> {
        let tenant = new_tenant(id, name, None)?;
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "INSERT INTO tenants (id, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&tenant.id, &Json(&tenant)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "tenant {} already exists",
                    tenant.id
                )));
            }
            Ok(tenant.clone())
        })
    }

    fn get_tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        if !clean(&[id]) {
            return Ok(None);
        }
        self.run(async {
            let client = self.client().await?;
            client
                .query_opt("SELECT record FROM tenants WHERE id = $1", &[&id])
                .await
                .map_err(db)?
                .map(|r| doc(&r, "record"))
                .transpose()
        })
    }

    fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query("SELECT record FROM tenants ORDER BY id COLLATE \"C\"", &[])
                .await
                .map_err(db)?;
            docs(&rows, "record")
        })
    }

    fn create_key(&self, tenant_id: &str, role: Role) -> Result<(AccessKey, String), StoreError> {
        let (stored, secret) = new_stored_key(self.sealer.as_ref(), tenant_id, role);
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "INSERT INTO access_keys (id, tenant_id, record)
                     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $2)",
                    &[&stored.key.access_key_id, &tenant_id, &Json(&stored)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
            }
            Ok(())
        })?;
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
        let (stored, secret) = new_stored_key(self.sealer.as_ref(), &tenant.id, role);
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "INSERT INTO tenants (id, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&tenant.id, &Json(&tenant)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "tenant {} already exists",
                    tenant.id
                )));
            }
            tx.execute(
                "INSERT INTO access_keys (id, tenant_id, record) VALUES ($1, $2, $3)",
                &[&stored.key.access_key_id, &tenant.id, &Json(&stored)],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)
        })?;
        Ok((tenant, stored.key, secret))
    }

    fn verify_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<Option<AccessKey>, StoreError> {
        Ok(self
            .stored_key(access_key_id)?
            .filter(|stored| key_matches(stored, secret))
            .map(|stored| stored.key))
    }

    fn signing_secret(
        &self,
        access_key_id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, StoreError> {
        let Some(stored) = self.stored_key(access_key_id)? else {
            return Ok(None);
        };
        let secret = open_key_secret(self.sealer.as_ref(), &stored)?;
        Ok(Some((stored.key, secret)))
    }

    fn get_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, StoreError> {
        Ok(self.stored_key(access_key_id)?.map(|s| s.key))
    }

    fn list_keys(&self, tenant_id: &str) -> Result<Vec<AccessKey>, StoreError> {
        if !clean(&[tenant_id]) {
            return Ok(Vec::new());
        }
        let mut keys = self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT record FROM access_keys WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?;
            docs::<StoredKey>(&rows, "record")
        })?;
        keys.sort_by(|a, b| {
            (&a.key.created_at, &a.key.access_key_id)
                .cmp(&(&b.key.created_at, &b.key.access_key_id))
        });
        Ok(keys.into_iter().map(|s| s.key).collect())
    }

    fn revoke_key(&self, tenant_id: &str, access_key_id: &str) -> Result<bool, StoreError> {
        if !clean(&[tenant_id, access_key_id]) {
            return Ok(false);
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            // The tenant's row is the lock: two revocations of a tenant's
            // keys run one after the other.
            let tenant = tx
                .query_opt(
                    "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?;
            if tenant.is_none() {
                return Ok(false);
            }
            let rows = tx
                .query(
                    "SELECT record FROM access_keys WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?;
            let keys: Vec<StoredKey> = docs(&rows, "record")?;
            let Some(target) = keys.iter().find(|k| k.key.access_key_id == access_key_id) else {
                return Ok(false);
            };
            if target.key.role == Role::Admin
                && keys.iter().filter(|k| k.key.role == Role::Admin).count() <= 1
            {
                return Err(StoreError::Conflict(format!(
                    "{access_key_id} is the tenant's last admin key; create another admin key first"
                )));
            }
            tx.execute(
                "DELETE FROM access_keys WHERE tenant_id = $1 AND id = $2",
                &[&tenant_id, &access_key_id],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn update_tenant(
        &self,
        tenant_id: &str,
        change: &dyn Fn(&mut Tenant),
    ) -> Result<Tenant, StoreError> {
        if !clean(&[tenant_id]) {
            return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            let Some(row) = tx
                .query_opt(
                    "SELECT record FROM tenants WHERE id = $1 FOR UPDATE",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?
            else {
                return Err(StoreError::NotFound(format!("tenant {tenant_id}")));
            };
            let mut tenant: Tenant = doc(&row, "record")?;
            let (id, created_at) = (tenant.id.clone(), tenant.created_at.clone());
            change(&mut tenant);
            tenant.id = id;
            tenant.created_at = created_at;
            tx.execute(
                "UPDATE tenants SET record = $2 WHERE id = $1",
                &[&tenant_id, &Json(&tenant)],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(tenant)
        })
    }
}

impl PgStore {
    fn stored_key(&self, access_key_id: &str) -> Result<Option<StoredKey>, StoreError> {
        if !clean(&[access_key_id]) {
            return Ok(None);
        }
        self.run(self.opt_record(
            "SELECT record FROM access_keys WHERE id = $1",
            &[&access_key_id],
        ))
    }
}

impl EnvStore for PgStore {
    fn env(&self, tenant_id: &str) -> Result<BTreeMap<String, String>, StoreError> {
        if !clean(&[tenant_id]) {
            return Ok(BTreeMap::new());
        }
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT name, value FROM env_vars WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn set_env(&self, tenant_id: &str, key_name: &str, value: &str) -> Result<(), StoreError> {
        self.set_env_many(
            tenant_id,
            &BTreeMap::from([(key_name.to_string(), value.to_string())]),
        )
    }

    fn set_env_many(
        &self,
        tenant_id: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        check_part("tenant id", tenant_id)?;
        for name in vars.keys() {
            check_part("env key", name)?;
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            for (name, value) in vars {
                tx.execute(
                    "INSERT INTO env_vars (tenant_id, name, value) VALUES ($1, $2, $3)
                     ON CONFLICT (tenant_id, name) DO UPDATE SET value = $3",
                    &[&tenant_id, name, value],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })
    }

    fn delete_env(&self, tenant_id: &str, key_name: &str) -> Result<bool, StoreError> {
        if !clean(&[tenant_id, key_name]) {
            return Ok(false);
        }
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM env_vars WHERE tenant_id = $1 AND name = $2",
                    &[&tenant_id, &key_name],
                )
                .await
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn outbound_allow(&self, tenant_id: &str) -> Result<Vec<String>, StoreError> {
        if !clean(&[tenant_id]) {
            return Ok(Vec::new());
        }
        self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT rules FROM outbound_allow WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?
                .map(|r| r.get::<_, Vec<String>>(0))
                .unwrap_or_default())
        })
    }

    fn set_outbound_allow(&self, tenant_id: &str, rules: &[String]) -> Result<(), StoreError> {
        check_part("tenant id", tenant_id)?;
        self.run(async {
            let client = self.client().await?;
            if rules.is_empty() {
                client
                    .execute(
                        "DELETE FROM outbound_allow WHERE tenant_id = $1",
                        &[&tenant_id],
                    )
                    .await
                    .map_err(db)?;
            } else {
                client
                    .execute(
                        "INSERT INTO outbound_allow (tenant_id, rules) VALUES ($1, $2)
                         ON CONFLICT (tenant_id) DO UPDATE SET rules = $2",
                        &[&tenant_id, &rules],
                    )
                    .await
                    .map_err(db)?;
            }
            Ok(())
        })
    }
}

impl FunctionStore for PgStore {
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
        self.put_function_versioned(record, artifact, None, clashes)
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
        let (tenant, func) = (record.tenant_id.as_str(), record.func_id.as_str());
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant]).await?;
            let current = get_function_tx(&tx, tenant, func).await?;
            let same = current.is_some_and(|c| {
                c.version == record.version
                    && c.source_code == record.source_code
                    && c.scene == record.scene
            });
            if !same {
                return Ok(false);
            }
            put_function_row(&tx, record).await?;
            tx.execute(
                "UPDATE functions SET artifact = $3 WHERE tenant_id = $1 AND func_id = $2",
                &[&tenant, &func, &artifact],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn get_function(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<FunctionRecord>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(None);
        }
        self.run(self.opt_record(
            "SELECT record FROM functions WHERE tenant_id = $1 AND func_id = $2",
            &[&tenant_id, &func_id],
        ))
    }

    fn get_artifact(&self, tenant_id: &str, func_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(None);
        }
        self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT artifact FROM functions WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .and_then(|r| r.get::<_, Option<Vec<u8>>>(0)))
        })
    }

    fn list_functions(
        &self,
        tenant_id: &str,
        scene: Option<&str>,
    ) -> Result<Vec<FunctionRecord>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let rows = match scene {
                // A scene's functions in its run order.
                Some(scene) => {
                    client
                        .query(
                            "SELECT f.record FROM scene_orders o
                             CROSS JOIN LATERAL unnest(o.func_ids) WITH ORDINALITY AS u(id, at)
                             JOIN functions f ON f.tenant_id = o.tenant_id AND f.func_id = u.id
                             WHERE o.tenant_id = $1 AND o.scene = $2 AND f.scene = $2
                             ORDER BY u.at",
                            &[&tenant_id, &scene],
                        )
                        .await
                }
                // Every scene's, scenes by name, each in its run order.
                None => {
                    client
                        .query(
                            "SELECT f.record FROM scene_orders o
                             CROSS JOIN LATERAL unnest(o.func_ids) WITH ORDINALITY AS u(id, at)
                             JOIN functions f ON f.tenant_id = o.tenant_id AND f.func_id = u.id
                             WHERE o.tenant_id = $1
                             ORDER BY o.scene COLLATE \"C\", u.at",
                            &[&tenant_id],
                        )
                        .await
                }
            }
            .map_err(db)?;
            docs(&rows, "record")
        })
    }

    fn delete_function(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(false);
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant_id]).await?;
            let Some(old) = get_function_tx(&tx, tenant_id, func_id).await? else {
                return Ok(false);
            };
            let both: [Param<'_>; 2] = [&tenant_id, &func_id];
            for table in [
                "functions",
                "function_versions",
                "function_secrets",
                "action_caches",
            ] {
                delete_rows(
                    &tx,
                    &format!("DELETE FROM {table} WHERE tenant_id = $1 AND func_id = $2"),
                    &both,
                )
                .await?;
            }
            remove_from_order(&tx, tenant_id, &old.scene, func_id).await?;
            tx.commit().await.map_err(db)?;
            // Then its logs, without the tenant's lock.
            delete_logs(&mut client, tenant_id, func_id).await?;
            Ok(true)
        })
    }

    fn scene_order(&self, tenant_id: &str, scene: &str) -> Result<Vec<String>, StoreError> {
        if !clean(&[tenant_id, scene]) {
            return Ok(Vec::new());
        }
        self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT func_ids FROM scene_orders WHERE tenant_id = $1 AND scene = $2",
                    &[&tenant_id, &scene],
                )
                .await
                .map_err(db)?
                .map(|r| r.get::<_, Vec<String>>(0))
                .unwrap_or_default())
        })
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
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant_id]).await?;
            let current = get_order_tx(&tx, tenant_id, scene).await?;
            let mut records = std::collections::HashMap::new();
            for id in &current {
                if let Some(record) = get_function_tx(&tx, tenant_id, id).await? {
                    records.insert(id.clone(), record);
                }
            }
            check_binding(
                scene,
                &current,
                bound,
                |id| records.get(id).cloned(),
                selects,
            )?;
            let now = rfc3339(now_micros());
            let mut changed = Vec::new();
            for id in &current {
                let Some(record) = records.remove(id) else {
                    continue;
                };
                if let Some(record) = rebound(record, bound, selects, &now) {
                    put_function_row(&tx, &record).await?;
                    changed.push(record);
                }
            }
            if !current.is_empty() {
                put_order_tx(&tx, tenant_id, scene, &bound_order(&current, bound)).await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(changed)
        })
    }

    fn all_functions(&self) -> Result<Vec<FunctionRecord>, StoreError> {
        self.run(self.records(
            "SELECT record FROM functions ORDER BY tenant_id COLLATE \"C\", func_id COLLATE \"C\"",
            &[],
        ))
    }
}

impl PgStore {
    fn put_function_inner(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
        based: bool,
    ) -> Result<(), StoreError> {
        check_part("tenant id", &record.tenant_id)?;
        check_part("funcId", &record.func_id)?;
        check_part("scene", &record.scene)?;
        let (tenant, func) = (record.tenant_id.as_str(), record.func_id.as_str());
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant]).await?;
            let old = get_function_tx(&tx, tenant, func).await?;
            if based && old.as_ref().map_or(0, |o| o.version) + 1 != record.version {
                return Err(StoreError::Stale {
                    func_id: func.to_string(),
                });
            }
            let mut version = version.cloned();
            if let Some(version) = version.as_mut() {
                if version.secrets.is_none() {
                    let live = get_secrets_tx(&tx, tenant, func).await?;
                    version.secrets = Some(live.unwrap_or(SealedSecrets::Plain(BTreeMap::new())));
                }
                let n = tx
                    .execute(
                        "INSERT INTO function_versions (tenant_id, func_id, number, record)
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        &[&tenant, &func, &micros(version.number), &Json(&*version)],
                    )
                    .await
                    .map_err(db)?;
                if n == 0 {
                    return Err(StoreError::VersionTaken {
                        func_id: func.to_string(),
                        number: version.number,
                    });
                }
            }
            // A version deployed brings its secrets with it.
            let deployed = record.deployed_version;
            if deployed != 0 && old.as_ref().map(|o| o.deployed_version) != Some(deployed) {
                let runs = match &version {
                    Some(v) if v.number == deployed => Some(v.clone()),
                    _ => tx
                        .query_opt(
                            "SELECT record FROM function_versions
                             WHERE tenant_id = $1 AND func_id = $2 AND number = $3",
                            &[&tenant, &func, &micros(deployed)],
                        )
                        .await
                        .map_err(db)?
                        .map(|r| doc::<FunctionVersion>(&r, "record"))
                        .transpose()?,
                };
                if let Some(sealed) = runs.and_then(|v| v.secrets) {
                    put_secrets_tx(&tx, tenant, func, Some(&sealed)).await?;
                }
            }
            let renamed = old.as_ref().map(|o| (&o.func_name, &o.scene))
                != Some((&record.func_name, &record.scene));
            if renamed {
                let rows = tx
                    .query(
                        "SELECT record FROM functions
                         WHERE tenant_id = $1 AND func_name = $2 AND func_id <> $3
                         ORDER BY func_id COLLATE \"C\"",
                        &[&tenant, &record.func_name, &func],
                    )
                    .await
                    .map_err(db)?;
                for other in docs::<FunctionRecord>(&rows, "record")? {
                    if clashes(&other) {
                        return Err(StoreError::NameTaken {
                            name: record.func_name.clone(),
                            holder: other.func_id,
                        });
                    }
                }
            }
            put_function_row(&tx, record).await?;
            tx.execute(
                "UPDATE functions SET artifact = $3 WHERE tenant_id = $1 AND func_id = $2",
                &[&tenant, &func, &artifact],
            )
            .await
            .map_err(db)?;
            let old_scene = old.as_ref().map(|o| o.scene.as_str());
            if old_scene != Some(record.scene.as_str()) {
                if let Some(old_scene) = old_scene {
                    remove_from_order(&tx, tenant, old_scene, func).await?;
                }
                let mut order = get_order_tx(&tx, tenant, &record.scene).await?;
                order.retain(|id| id != func);
                order.push(func.to_string());
                put_order_tx(&tx, tenant, &record.scene, &order).await?;
            }
            tx.commit().await.map_err(db)
        })
    }

    fn reorder_scene(
        &self,
        tenant_id: &str,
        scene: &str,
        order: &[String],
        partial: bool,
    ) -> Result<(), StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant_id]).await?;
            let current = get_order_tx(&tx, tenant_id, scene).await?;
            let Some(full) = reordered(scene, &current, order, partial)? else {
                return Ok(());
            };
            put_order_tx(&tx, tenant_id, scene, &full).await?;
            tx.commit().await.map_err(db)
        })
    }
}

impl VersionStore for PgStore {
    fn list_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Vec<FunctionVersion>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(Vec::new());
        }
        self.run(self.records(
            "SELECT record FROM function_versions WHERE tenant_id = $1 AND func_id = $2
                 ORDER BY number DESC",
            &[&tenant_id, &func_id],
        ))
    }

    fn get_version(
        &self,
        tenant_id: &str,
        func_id: &str,
        number: u64,
    ) -> Result<Option<FunctionVersion>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(None);
        }
        self.run(self.opt_record(
            "SELECT record FROM function_versions
                 WHERE tenant_id = $1 AND func_id = $2 AND number = $3",
            &[&tenant_id, &func_id, &micros(number)],
        ))
    }

    fn prune_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
        pinned: &[u64],
        keep: usize,
    ) -> Result<usize, StoreError> {
        let pinned: Vec<i64> = pinned.iter().map(|n| micros(*n)).collect();
        let keep = i64::try_from(keep.max(1)).unwrap_or(i64::MAX);
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM function_versions
                     WHERE tenant_id = $1 AND func_id = $2 AND NOT (number = ANY($3))
                       AND number < ALL (SELECT number FROM function_versions
                                         WHERE tenant_id = $1 AND func_id = $2
                                         ORDER BY number DESC LIMIT $4)",
                    &[&tenant_id, &func_id, &pinned, &keep],
                )
                .await
                .map_err(db)?;
            Ok(n as usize)
        })
    }
}

impl SecretStore for PgStore {
    fn hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(BTreeMap::new());
        }
        let stored = self.run(async {
            let client = self.client().await?;
            client
                .query_opt(
                    "SELECT sealed FROM function_secrets WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .map(|r| doc::<SealedSecrets>(&r, "sealed"))
                .transpose()
        })?;
        match stored {
            Some(sealed) => self.open_function_secrets(tenant_id, func_id, &sealed),
            None => Ok(BTreeMap::new()),
        }
    }

    fn update_hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &SecretsChange,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Err(StoreError::NotFound(format!("function {func_id}")));
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["functions", tenant_id]).await?;
            if get_function_tx(&tx, tenant_id, func_id).await?.is_none() {
                return Err(StoreError::NotFound(format!("function {func_id}")));
            }
            let mut map = match get_secrets_tx(&tx, tenant_id, func_id).await? {
                Some(stored) => self.open_function_secrets(tenant_id, func_id, &stored)?,
                None => BTreeMap::new(),
            };
            change(&mut map)?;
            let sealed = self.seal_function_secrets(tenant_id, func_id, &map)?;
            put_secrets_tx(&tx, tenant_id, func_id, Some(&sealed)).await?;
            tx.commit().await.map_err(db)?;
            Ok(map)
        })
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
        seal_map(self.sealer.as_ref(), &key(&[tenant_id, func_id]), secrets)
    }

    fn open_function_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        sealed: &SealedSecrets,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        open_map(self.sealer.as_ref(), &key(&[tenant_id, func_id]), sealed)
    }
}

impl ActionCacheStore for PgStore {
    fn action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Map<String, Value>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(Map::new());
        }
        self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT entries FROM action_caches WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .map(|r| doc::<Map<String, Value>>(&r, "entries"))
                .transpose()?
                .unwrap_or_default())
        })
    }

    fn update_action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &dyn Fn(&mut Map<String, Value>),
    ) -> Result<Map<String, Value>, StoreError> {
        check_part("tenant id", tenant_id)?;
        check_part("funcId", func_id)?;
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["action_cache", tenant_id, func_id]).await?;
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM functions WHERE tenant_id = $1 AND func_id = $2 FOR SHARE",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .is_some();
            if !exists {
                return Err(StoreError::NotFound(format!("function {func_id}")));
            }
            let mut map: Map<String, Value> = tx
                .query_opt(
                    "SELECT entries FROM action_caches WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .map(|r| doc(&r, "entries"))
                .transpose()?
                .unwrap_or_default();
            change(&mut map);
            if map.is_empty() {
                tx.execute(
                    "DELETE FROM action_caches WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?;
            } else {
                tx.execute(
                    "INSERT INTO action_caches (tenant_id, func_id, entries) VALUES ($1, $2, $3)
                     ON CONFLICT (tenant_id, func_id) DO UPDATE SET entries = $3",
                    &[&tenant_id, &func_id, &Json(&map)],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(map)
        })
    }
}

/// What a connection's configuration is sealed to (as the embedded store).
fn config_aad(tenant: &str, name: &str) -> Vec<u8> {
    key(&["connection", tenant, name])
}

impl ConnectionStore for PgStore {
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
        let sealed = if configuration.is_empty() {
            None
        } else {
            Some(seal_map(
                self.sealer.as_ref(),
                &config_aad(tenant, name),
                configuration,
            )?)
        };
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["connections", tenant, name]).await?;
            let old: Option<ConnectionRecord> = tx
                .query_opt(
                    "SELECT record FROM connections WHERE tenant_id = $1 AND name = $2",
                    &[&tenant, &name],
                )
                .await
                .map_err(db)?
                .map(|r| doc(&r, "record"))
                .transpose()?;
            match (expect, &old) {
                (ConnectionWrite::Create, Some(_)) => {
                    return Err(StoreError::Conflict(format!(
                        "connection {name:?} already exists"
                    )));
                }
                (ConnectionWrite::Update { .. }, None) => {
                    return Err(StoreError::NotFound(format!("connection {name}")));
                }
                (ConnectionWrite::Update { version }, Some(old)) if old.version != version => {
                    return Err(StoreError::Conflict(format!(
                        "connection {name:?} was changed by another request meanwhile; read it again and retry"
                    )));
                }
                _ => {}
            }
            tx.execute(
                "INSERT INTO connections (tenant_id, name, record, configuration)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, name) DO UPDATE SET record = $3, configuration = $4",
                &[&tenant, &name, &Json(record), &sealed.as_ref().map(Json)],
            )
            .await
            .map_err(db)?;
            replace_artifacts(&tx, tenant, name, artifacts).await?;
            tx.commit().await.map_err(db)
        })
    }

    fn rebuild_connection(
        &self,
        record: &ConnectionRecord,
        artifacts: &BTreeMap<String, Vec<u8>>,
    ) -> Result<bool, StoreError> {
        let (tenant, name) = (record.tenant_id.as_str(), record.name.as_str());
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["connections", tenant, name]).await?;
            let current: Option<ConnectionRecord> = tx
                .query_opt(
                    "SELECT record FROM connections WHERE tenant_id = $1 AND name = $2",
                    &[&tenant, &name],
                )
                .await
                .map_err(db)?
                .map(|r| doc(&r, "record"))
                .transpose()?;
            if current.is_none_or(|c| c.version != record.version) {
                return Ok(false);
            }
            replace_artifacts(&tx, tenant, name, artifacts).await?;
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn get_connection(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        if !clean(&[tenant_id, name]) {
            return Ok(None);
        }
        self.run(self.opt_record(
            "SELECT record FROM connections WHERE tenant_id = $1 AND name = $2",
            &[&tenant_id, &name],
        ))
    }

    fn connection_configuration(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        if !clean(&[tenant_id, name]) {
            return Ok(BTreeMap::new());
        }
        let sealed: Option<SealedSecrets> = self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT configuration FROM connections WHERE tenant_id = $1 AND name = $2",
                    &[&tenant_id, &name],
                )
                .await
                .map_err(db)?
                .map(|r| {
                    r.try_get::<_, Option<Json<SealedSecrets>>>(0)
                        .map_err(|e| StoreError::Corrupt(format!("configuration: {e}")))
                })
                .transpose()?
                .flatten()
                .map(|Json(s)| s))
        })?;
        match sealed {
            Some(sealed) => open_map(self.sealer.as_ref(), &config_aad(tenant_id, name), &sealed),
            None => Ok(BTreeMap::new()),
        }
    }

    fn connection_artifacts(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, Vec<u8>>, StoreError> {
        if !clean(&[tenant_id, name]) {
            return Ok(BTreeMap::new());
        }
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT script, artifact FROM connection_artifacts
                     WHERE tenant_id = $1 AND name = $2",
                    &[&tenant_id, &name],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn list_connections(&self, tenant_id: &str) -> Result<Vec<ConnectionRecord>, StoreError> {
        self.run(self.records(
            "SELECT record FROM connections WHERE tenant_id = $1 ORDER BY name COLLATE \"C\"",
            &[&tenant_id],
        ))
    }

    fn delete_connection(&self, tenant_id: &str, name: &str) -> Result<bool, StoreError> {
        if !clean(&[tenant_id, name]) {
            return Ok(false);
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["connections", tenant_id, name]).await?;
            let n = tx
                .execute(
                    "DELETE FROM connections WHERE tenant_id = $1 AND name = $2",
                    &[&tenant_id, &name],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM connection_artifacts WHERE tenant_id = $1 AND name = $2",
                &[&tenant_id, &name],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            delete_logs(&mut client, tenant_id, &crate::connection_log_id(name)).await?;
            Ok(true)
        })
    }
}

async fn replace_artifacts(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    name: &str,
    artifacts: &BTreeMap<String, Vec<u8>>,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM connection_artifacts WHERE tenant_id = $1 AND name = $2",
        &[&tenant, &name],
    )
    .await
    .map_err(db)?;
    for (script, bytes) in artifacts {
        tx.execute(
            "INSERT INTO connection_artifacts (tenant_id, name, script, artifact)
             VALUES ($1, $2, $3, $4)",
            &[&tenant, &name, script, bytes],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

// ------------------------------------------------------------ logs

/// The partition that holds logs written at `at_micros`: its name and range.
fn log_partition(at_micros: i64) -> (String, i64, i64) {
    let day = at_micros.div_euclid(DAY_MICROS);
    (
        format!("logs_d{day}"),
        day * DAY_MICROS,
        (day + 1) * DAY_MICROS,
    )
}

/// Takes `bytes` off `tenant`'s log usage (never below zero), inside `tx`.
async fn subtract_usage(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant: &str,
    bytes: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE log_usage SET bytes = greatest(bytes - $2, 0) WHERE tenant_id = $1",
        &[&tenant, &bytes],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Deletes one function's (or connection's) logs, with their bytes from the
/// tenant's usage, a bounded chunk per transaction.
async fn delete_logs(
    client: &mut deadpool_postgres::Object,
    tenant: &str,
    func: &str,
) -> Result<(), StoreError> {
    loop {
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_one(
                "WITH gone AS (
                    DELETE FROM logs WHERE tenant_id = $1 AND (func_id, at_micros, seq) IN (
                        SELECT func_id, at_micros, seq FROM logs
                        WHERE tenant_id = $1 AND func_id = $2 LIMIT $3)
                    RETURNING size)
                 SELECT count(*)::bigint, coalesce(sum(size), 0)::bigint FROM gone",
                &[&tenant, &func, &TRIM_CHUNK],
            )
            .await
            .map_err(db)?;
        let (count, bytes): (i64, i64) = (row.get(0), row.get(1));
        subtract_usage(&tx, tenant, bytes).await?;
        tx.commit().await.map_err(db)?;
        if count < TRIM_CHUNK {
            return Ok(());
        }
    }
}

impl LogStore for PgStore {
    fn append_log(&self, record: &LogRecord) -> Result<(), StoreError> {
        self.append_logs(vec![record.clone()])
    }

    fn append_logs(&self, records: Vec<LogRecord>) -> Result<(), StoreError> {
        for record in &records {
            check_part("tenant id", &record.tenant_id)?;
            check_part("funcId", &record.func_id)?;
        }
        if records.is_empty() {
            return Ok(());
        }
        // The batch as columns, each record encoded once (its size is the
        // length of that encoding, as in the embedded store).
        let mut columns = LogColumns::default();
        for mut record in records {
            if record.id.is_empty() {
                // As the embedded store: the time, then a counter.
                let seq =
                    LOG_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 10_000_000_000;
                record.id = format!("{:020}{seq:010}", record.at_micros);
            }
            let text = serde_json::to_string(&record)
                .map_err(|e| StoreError::Corrupt(format!("encoding a log: {e}")))?;
            columns.sizes.push(text.len() as i64);
            columns.records.push(text);
            columns.at.push(micros(record.at_micros));
            columns.tenants.push(record.tenant_id);
            columns.funcs.push(record.func_id);
        }
        let days: HashSet<(String, i64, i64)> =
            columns.at.iter().map(|at| log_partition(*at)).collect();
        self.run(async {
            let mut client = self.client().await?;
            for (name, from, to) in &days {
                self.ensure_partition(&mut client, name, *from, *to).await?;
            }
            match insert_logs(&mut client, &columns).await {
                Ok(_) => Ok(()),
                // A day partition another node's expiry dropped: make it again.
                Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION) => {
                    self.partitions.lock().unwrap().clear();
                    for (name, from, to) in &days {
                        self.ensure_partition(&mut client, name, *from, *to).await?;
                    }
                    insert_logs(&mut client, &columns).await.map_err(db)
                }
                Err(e) => Err(db(e)),
            }
        })
    }

    fn log_bytes(&self, tenant_id: &str) -> Result<u64, StoreError> {
        if !clean(&[tenant_id]) {
            return Ok(0);
        }
        self.run(async {
            let client = self.client().await?;
            Ok(client
                .query_opt(
                    "SELECT bytes FROM log_usage WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?
                .map(|r| r.get::<_, i64>(0).max(0) as u64)
                .unwrap_or(0))
        })
    }

    fn trim_logs(&self, tenant_id: &str, max_bytes: u64) -> Result<usize, StoreError> {
        if !clean(&[tenant_id]) {
            return Ok(0);
        }
        let cap = micros(max_bytes);
        self.run(async {
            // Most batches leave the tenant under its cap: one read, no lock.
            let usage = self
                .client()
                .await?
                .query_opt(
                    "SELECT bytes FROM log_usage WHERE tenant_id = $1",
                    &[&tenant_id],
                )
                .await
                .map_err(db)?;
            if usage.is_none_or(|r| r.get::<_, i64>(0) <= cap) {
                return Ok(0);
            }
            let mut n = 0;
            loop {
                let mut client = self.client().await?;
                let tx = client.transaction().await.map_err(db)?;
                lock(&tx, &["logs", tenant_id]).await?;
                let usage: i64 = tx
                    .query_opt(
                        "SELECT bytes FROM log_usage WHERE tenant_id = $1",
                        &[&tenant_id],
                    )
                    .await
                    .map_err(db)?
                    .map(|r| r.get(0))
                    .unwrap_or(0);
                if usage <= cap {
                    return Ok(n);
                }
                // The oldest logs that cover the excess, a bounded chunk at a time.
                let rows = tx
                    .query(
                        "WITH oldest AS (
                            SELECT at_micros, seq,
                                   (sum(size) OVER (ORDER BY at_micros, seq) - size)::bigint AS before
                            FROM logs WHERE tenant_id = $1 ORDER BY at_micros, seq LIMIT $2),
                         gone AS (
                            DELETE FROM logs WHERE tenant_id = $1 AND (at_micros, seq) IN (
                                SELECT at_micros, seq FROM oldest WHERE before < $3)
                            RETURNING size)
                         SELECT count(*)::bigint, coalesce(sum(size), 0)::bigint FROM gone",
                        &[&tenant_id, &TRIM_CHUNK, &(usage - cap)],
                    )
                    .await
                    .map_err(db)?;
                let (count, bytes): (i64, i64) = (rows[0].get(0), rows[0].get(1));
                if count == 0 {
                    // The counter is ahead of the logs: reset it.
                    tx.execute("DELETE FROM log_usage WHERE tenant_id = $1", &[&tenant_id])
                        .await
                        .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                    return Ok(n);
                }
                subtract_usage(&tx, tenant_id, bytes).await?;
                tx.commit().await.map_err(db)?;
                n += count as usize;
            }
        })
    }

    fn list_logs(
        &self,
        tenant_id: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok((Vec::new(), 0));
        }
        let skip = i64::try_from(page.saturating_sub(1).saturating_mul(limit)).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(async {
            let client = self.client().await?;
            let total: i64 = client
                .query_one(
                    "SELECT count(*)::bigint FROM logs WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .get(0);
            let rows = client
                .query(
                    "SELECT record FROM logs WHERE tenant_id = $1 AND func_id = $2
                     ORDER BY at_micros DESC, seq DESC OFFSET $3 LIMIT $4",
                    &[&tenant_id, &func_id, &skip, &limit],
                )
                .await
                .map_err(db)?;
            Ok((docs(&rows, "record")?, total as usize))
        })
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
        if !clean(&[tenant_id, func_id]) {
            return Ok((Vec::new(), 0));
        }
        let skip = i64::try_from(page.saturating_sub(1).saturating_mul(limit)).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let outcome = filter.outcome.clone();
        let version = filter.version.map(|v| i64::try_from(v).unwrap_or(i64::MAX));
        self.run(async {
            let client = self.client().await?;
            // Read from the record's text, not with `->>`: a `json` value
            // holding `\u0000` (a console line may) cannot be unescaped, and
            // the record's top-level `outcome` and `version` are written
            // before any nested object (`error`, `logs`), so the first match is
            // theirs (LogRecord's field order; strings escape their quotes).
            let matching = "tenant_id = $1 AND func_id = $2
                 AND ($3::text IS NULL OR substring(record::text from '\"outcome\":\"([^\"]*)\"') = $3)
                 AND ($4::bigint IS NULL OR substring(record::text from '\"version\":([0-9]+)')::bigint = $4)";
            let total: i64 = client
                .query_one(
                    &format!("SELECT count(*)::bigint FROM logs WHERE {matching}"),
                    &[&tenant_id, &func_id, &outcome, &version],
                )
                .await
                .map_err(db)?
                .get(0);
            let rows = client
                .query(
                    &format!(
                        "SELECT record FROM logs WHERE {matching}
                         ORDER BY at_micros DESC, seq DESC OFFSET $5 LIMIT $6"
                    ),
                    &[&tenant_id, &func_id, &outcome, &version, &skip, &limit],
                )
                .await
                .map_err(db)?;
            Ok((docs(&rows, "record")?, total as usize))
        })
    }

    fn log_points(
        &self,
        tenant_id: &str,
        func_id: &str,
        since_micros: u64,
        max: usize,
    ) -> Result<Vec<LogPoint>, StoreError> {
        if !clean(&[tenant_id, func_id]) {
            return Ok(Vec::new());
        }
        let since = micros(since_micros);
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT at_micros, substring(record::text from '\"outcome\":\"([^\"]*)\"') AS outcome,
                            COALESCE(substring(record::text from '\"durationUs\":([0-9]+)')::bigint, 0) AS duration_us
                     FROM logs WHERE tenant_id = $1 AND func_id = $2 AND at_micros >= $3
                     ORDER BY at_micros DESC, seq DESC LIMIT $4",
                    &[&tenant_id, &func_id, &since, &max],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| LogPoint {
                    at_micros: u64::try_from(r.get::<_, i64>(0)).unwrap_or(0),
                    outcome: r.get::<_, Option<String>>(1).unwrap_or_default(),
                    duration_us: u64::try_from(r.get::<_, i64>(2)).unwrap_or(0),
                })
                .collect())
        })
    }

    fn purge_logs_before(&self, cutoff_micros: u64) -> Result<usize, StoreError> {
        let cutoff = micros(cutoff_micros);
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT c.relname FROM pg_inherits i
                     JOIN pg_class c ON c.oid = i.inhrelid
                     JOIN pg_class p ON p.oid = i.inhparent
                     WHERE p.relname = 'logs'",
                    &[],
                )
                .await
                .map_err(db)?;
            drop(client);
            let mut n = 0;
            for row in rows {
                let name: String = row.get(0);
                let Some(day) = name
                    .strip_prefix("logs_d")
                    .and_then(|d| d.parse::<i64>().ok())
                else {
                    continue;
                };
                // Whole days before the cutoff only.
                if (day + 1) * DAY_MICROS > cutoff {
                    continue;
                }
                let mut client = self.client().await?;
                let tx = client.transaction().await.map_err(db)?;
                // The parent first: a write holding a row of log_usage and
                // waiting for the drop's lock on `logs` would deadlock it.
                tx.batch_execute(
                    "SET LOCAL lock_timeout = '5s'; LOCK TABLE logs IN ACCESS EXCLUSIVE MODE",
                )
                .await
                .map_err(db)?;
                let gone = tx
                    .query(
                        &format!(
                            "SELECT tenant_id, count(*)::bigint, sum(size)::bigint FROM {name}
                             GROUP BY tenant_id"
                        ),
                        &[],
                    )
                    .await;
                let Ok(gone) = gone else {
                    // Dropped by another node meanwhile.
                    continue;
                };
                for r in &gone {
                    let (tenant, count, bytes): (String, i64, i64) = (r.get(0), r.get(1), r.get(2));
                    n += count as usize;
                    subtract_usage(&tx, &tenant, bytes).await?;
                }
                tx.batch_execute(&format!("DROP TABLE {name}"))
                    .await
                    .map_err(db)?;
                tx.commit().await.map_err(db)?;
                self.partitions.lock().unwrap().remove(&name);
            }
            // The day the cutoff falls in: its older rows, a chunk at a time.
            loop {
                let mut client = self.client().await?;
                let tx = client.transaction().await.map_err(db)?;
                let rows = tx
                    .query(
                        "WITH gone AS (
                            DELETE FROM logs WHERE (tenant_id, at_micros, seq) IN (
                                SELECT tenant_id, at_micros, seq FROM logs
                                WHERE at_micros < $1 LIMIT $2)
                            RETURNING tenant_id, size)
                         SELECT tenant_id, count(*)::bigint, sum(size)::bigint FROM gone
                         GROUP BY tenant_id ORDER BY tenant_id COLLATE \"C\"",
                        &[&cutoff, &TRIM_CHUNK],
                    )
                    .await
                    .map_err(db)?;
                let mut removed = 0;
                for r in &rows {
                    let (tenant, count, bytes): (String, i64, i64) = (r.get(0), r.get(1), r.get(2));
                    removed += count;
                    subtract_usage(&tx, &tenant, bytes).await?;
                }
                tx.commit().await.map_err(db)?;
                n += removed as usize;
                if removed < TRIM_CHUNK {
                    return Ok(n);
                }
            }
        })
    }
}

/// Creates the day partition `name` for `[from, to)` unless it exists. Two
/// nodes creating it at once serialize on an advisory lock.
impl PgStore {
    /// Makes the day partition `name` of `logs` (`[from, to)` in
    /// microseconds) if it does not exist; remembered once seen.
    async fn ensure_partition(
        &self,
        client: &mut deadpool_postgres::Object,
        name: &str,
        from: i64,
        to: i64,
    ) -> Result<(), StoreError> {
        if self.partitions.lock().unwrap().contains(name) {
            return Ok(());
        }
        // In this session's schema, where the `CREATE TABLE` below makes it.
        let exists = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
            .await
            .map_err(db)?
            .get::<_, bool>(0);
        if !exists {
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["log_partitions"]).await?;
            tx.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {name} PARTITION OF logs FOR VALUES FROM ({from}) TO ({to})"
            ))
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
        }
        self.partitions.lock().unwrap().insert(name.to_string());
        Ok(())
    }
}

/// Writes a batch: its rows, and the bytes they add to each tenant's usage
/// (those rows locked in tenant order, as every writer does). A batch of at
/// most [`LOG_STATEMENT_ROWS`] is one statement; a larger one (a backlog held
/// through an outage can be tens of MiB) is one transaction of statements of
/// that many rows, then one usage update, so that it is written whole or not
/// at all and no statement's parameters grow with the backlog.
async fn insert_logs(
    client: &mut deadpool_postgres::Object,
    columns: &LogColumns,
) -> Result<(), tokio_postgres::Error> {
    let n = columns.at.len();
    if n <= LOG_STATEMENT_ROWS {
        return client
            .execute(
                "WITH added AS (
                    INSERT INTO logs (tenant_id, func_id, at_micros, size, record)
                    SELECT t, f, a, s, r::json FROM unnest(
                        $1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]
                    ) AS batch(t, f, a, s, r)
                    RETURNING tenant_id, size)
                 INSERT INTO log_usage (tenant_id, bytes)
                 SELECT tenant_id, sum(size)::bigint FROM added
                 GROUP BY tenant_id ORDER BY tenant_id COLLATE \"C\"
                 ON CONFLICT (tenant_id) DO UPDATE SET bytes = log_usage.bytes + EXCLUDED.bytes",
                &[
                    &columns.tenants,
                    &columns.funcs,
                    &columns.at,
                    &columns.sizes,
                    &columns.records,
                ],
            )
            .await
            .map(|_| ());
    }
    let tx = client.transaction().await?;
    let insert = tx
        .prepare(
            "INSERT INTO logs (tenant_id, func_id, at_micros, size, record)
             SELECT t, f, a, s, r::json FROM unnest(
                 $1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]
             ) AS batch(t, f, a, s, r)",
        )
        .await?;
    for start in (0..n).step_by(LOG_STATEMENT_ROWS) {
        let rows = start..(start + LOG_STATEMENT_ROWS).min(n);
        tx.execute(
            &insert,
            &[
                &&columns.tenants[rows.clone()],
                &&columns.funcs[rows.clone()],
                &&columns.at[rows.clone()],
                &&columns.sizes[rows.clone()],
                &&columns.records[rows],
            ],
        )
        .await?;
    }
    // Byte order is the "C" collation's: the order every writer locks in.
    let mut usage = BTreeMap::<&str, i64>::new();
    for (tenant, size) in columns.tenants.iter().zip(&columns.sizes) {
        *usage.entry(tenant).or_default() += size;
    }
    let (tenants, bytes): (Vec<&str>, Vec<i64>) = usage.into_iter().unzip();
    tx.execute(
        "INSERT INTO log_usage (tenant_id, bytes)
         SELECT t, b FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(t, b, n)
         ORDER BY n
         ON CONFLICT (tenant_id) DO UPDATE SET bytes = log_usage.bytes + EXCLUDED.bytes",
        &[&tenants, &bytes],
    )
    .await?;
    tx.commit().await
}

/// Most log rows one statement writes ([`insert_logs`]).
const LOG_STATEMENT_ROWS: usize = 1_000;

/// A batch of logs as the columns of one `INSERT … SELECT FROM unnest(…)`.
#[derive(Default)]
struct LogColumns {
    tenants: Vec<String>,
    funcs: Vec<String>,
    at: Vec<i64>,
    sizes: Vec<i64>,
    records: Vec<String>,
}

// ------------------------------------------------------------ the queue

impl QueueStore for PgStore {
    fn enqueue(&self, job: &Job) -> Result<(), StoreError> {
        self.enqueue_many(std::slice::from_ref(job))
    }

    fn enqueue_many(&self, jobs: &[Job]) -> Result<(), StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            for job in jobs {
                tx.execute(
                    "INSERT INTO jobs (id, next_at_micros, record) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET next_at_micros = $2, record = $3",
                    &[&job.id, &micros(job.next_at_micros), &Json(job)],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })
    }

    fn due_jobs(&self, now_micros: u64, limit: usize) -> Result<Vec<Job>, StoreError> {
        let now = micros(now_micros);
        let until = now.saturating_add(CLAIM_LEASE.as_micros() as i64);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "UPDATE jobs SET next_at_micros = $2 WHERE id IN (
                        SELECT id FROM jobs WHERE next_at_micros <= $1
                        ORDER BY next_at_micros, id COLLATE \"C\" LIMIT $3 FOR UPDATE SKIP LOCKED)
                     RETURNING record",
                    &[&now, &until, &limit],
                )
                .await
                .map_err(db)?;
            let mut jobs: Vec<Job> = docs(&rows, "record")?;
            jobs.sort_by(|a, b| (a.next_at_micros, &a.id).cmp(&(b.next_at_micros, &b.id)));
            Ok(jobs)
        })
    }

    fn reschedule_job(&self, job: &Job) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE jobs SET next_at_micros = $2, record = $3 WHERE id = $1",
                    &[&job.id, &micros(job.next_at_micros), &Json(job)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("job {}", job.id)));
            }
            Ok(())
        })
    }

    fn complete_job(&self, job_id: &str) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            client
                .execute("DELETE FROM jobs WHERE id = $1", &[&job_id])
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn queue_depth(&self) -> Result<usize, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n: i64 = client
                .query_one("SELECT count(*)::bigint FROM jobs", &[])
                .await
                .map_err(db)?
                .get(0);
            Ok(n as usize)
        })
    }
}

// ------------------------------------------------------------ nonces

impl NonceStore for PgStore {
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
        let (expires, now) = (micros(expires_micros), micros(now_micros));
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock(&tx, &["nonces", tenant]).await?;
            tx.execute(
                "DELETE FROM nonces WHERE tenant_id = $1 AND expires_micros < $2",
                &[&tenant, &now],
            )
            .await
            .map_err(db)?;
            let replayed = tx
                .query_opt(
                    "SELECT 1 FROM nonces WHERE tenant_id = $1 AND nonce = $2",
                    &[&tenant, &nonce],
                )
                .await
                .map_err(db)?
                .is_some();
            if replayed {
                return Ok(NonceUse::Replayed);
            }
            let held: i64 = tx
                .query_one(
                    "SELECT count(*)::bigint FROM nonces WHERE tenant_id = $1",
                    &[&tenant],
                )
                .await
                .map_err(db)?
                .get(0);
            if held >= cap {
                return Ok(NonceUse::TenantFull);
            }
            tx.execute(
                "INSERT INTO nonces (tenant_id, nonce, expires_micros) VALUES ($1, $2, $3)",
                &[&tenant, &nonce, &expires],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(NonceUse::Recorded)
        })
    }

    fn purge_nonces_before(&self, now_micros: u64) -> Result<usize, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM nonces WHERE expires_micros < $1",
                    &[&micros(now_micros)],
                )
                .await
                .map_err(db)?;
            Ok(n as usize)
        })
    }
}

// ------------------------------------------------------------ packages

impl PackageStore for PgStore {
    fn put_package(&self, record: &PackageRecord) -> Result<(), StoreError> {
        check_part("package name", &record.name)?;
        check_part("package version", &record.version)?;
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "INSERT INTO packages (name, version, record) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&record.name, &record.version, &Json(record)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "package {}@{} is already in the catalogue",
                    record.name, record.version
                )));
            }
            Ok(())
        })
    }

    fn get_package(&self, name: &str, version: &str) -> Result<Option<PackageRecord>, StoreError> {
        if !clean(&[name, version]) {
            return Ok(None);
        }
        self.run(self.opt_record(
            "SELECT record FROM packages WHERE name = $1 AND version = $2",
            &[&name, &version],
        ))
    }

    fn package_versions(&self, name: &str) -> Result<Vec<PackageRecord>, StoreError> {
        if !clean(&[name]) {
            return Ok(Vec::new());
        }
        self.run(self.records(
            "SELECT record FROM packages WHERE name = $1 ORDER BY version COLLATE \"C\"",
            &[&name],
        ))
    }

    fn list_packages(&self) -> Result<Vec<PackageRecord>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query("SELECT record FROM packages ORDER BY name COLLATE \"C\", version COLLATE \"C\"", &[])
                .await
                .map_err(db)?;
            docs(&rows, "record")
        })
    }

    fn delete_package(&self, name: &str, version: &str) -> Result<(), StoreError> {
        if !clean(&[name, version]) {
            return Err(StoreError::NotFound(format!("package {name}@{version}")));
        }
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "DELETE FROM packages WHERE name = $1 AND version = $2",
                    &[&name, &version],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("package {name}@{version}")));
            }
            Ok(())
        })
    }
}
