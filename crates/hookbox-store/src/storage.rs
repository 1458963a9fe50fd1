//! The storage interface: what hookbox keeps, whichever database keeps it.
//!
//! One trait per kind of data, and [`Storage`], all of them together, which
//! each backend implements: [`crate::SledStore`] (embedded, the default).
//! [`Store`] is the handle the service holds: cheap to clone, it derefs to
//! `dyn Storage`, whose methods need no import. Calling a backend type
//! directly needs the traits: `use hookbox_store::storage::*`.
//!
//! The contract every backend keeps:
//! - **Isolation.** Every lookup is by tenant; no call given one tenant's id
//!   reads or writes another's data. Ids, scenes and env keys holding `\0`
//!   are refused.
//! - **Atomicity.** Every method is all or nothing; the closures some methods
//!   take may run more than once (a transaction retried after a conflict),
//!   so they must only compute.
//! - **Durability.** A write is durable once [`Storage::flush`] returns;
//!   flush before acknowledging one.
//! - **Blocking.** Every method blocks: call it off async workers
//!   (`spawn_blocking`).
//! - **Errors.** [`StoreError`]: `NotFound`, `Conflict`, `Stale`,
//!   `NameTaken` and `Invalid` are the caller's; the others are the
//!   database's.

use crate::model::*;
use crate::{ConnectionWrite, NonceUse, SledStore, StoreConfig, StoreError};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Tenants and their access keys (secrets kept only as salted hashes, and sealed when request signatures need them).
pub trait TenantStore {
    /// True until the first tenant is created (first start).
    fn is_empty(&self) -> Result<bool, StoreError>;

    /// Creates a tenant with the given id, or a random one. `Conflict` if the
    /// id is taken.
    fn create_tenant(&self, id: Option<&str>, name: &str) -> Result<Tenant, StoreError>;

    fn get_tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError>;

    /// Every tenant, by id.
    fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Creates a key pair for a tenant (`NotFound` if there is none). The
    /// secret is returned once, as hex; only `SHA-256(salt || secret)` is kept.
    fn create_key(&self, tenant_id: &str, role: Role) -> Result<(AccessKey, String), StoreError>;

    /// Creates a tenant and its first key pair in one transaction: a crash
    /// or an error leaves neither, never a tenant nobody can reach. The id
    /// is `id` or a random one; `Conflict` if it is taken.
    fn create_tenant_with_key(
        &self,
        id: Option<&str>,
        name: &str,
        role: Role,
    ) -> Result<(Tenant, AccessKey, String), StoreError>;

    /// [`TenantStore::create_tenant_with_key`], with the tenant's settings (its
    /// Auth0 `domain`) written in the same transaction.
    fn create_tenant_with_settings(
        &self,
        id: Option<&str>,
        name: &str,
        domain: Option<&str>,
        role: Role,
    ) -> Result<(Tenant, AccessKey, String), StoreError>;

    /// The key, if `secret` is its secret. The comparison takes the same time
    /// wherever the hashes differ.
    fn verify_key(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<Option<AccessKey>, StoreError>;

    /// A key and its secret, for checking a request signature: `None` if
    /// there is no such key; a `None` secret if the key was created without a
    /// sealing key (before signatures were supported).
    fn signing_secret(
        &self,
        access_key_id: &str,
    ) -> Result<Option<(AccessKey, Option<String>)>, StoreError>;

    /// A key's metadata (never its secret).
    fn get_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, StoreError>;

    /// A tenant's keys (metadata only), oldest first.
    fn list_keys(&self, tenant_id: &str) -> Result<Vec<AccessKey>, StoreError>;

    /// Deletes one of a tenant's keys: it can no longer be exchanged for a
    /// token nor sign a request. `Ok(false)` when the tenant has no such key;
    /// `Conflict` when it is the tenant's last admin key (the tenant would be
    /// locked out). Checked and written atomically.
    fn revoke_key(&self, tenant_id: &str, access_key_id: &str) -> Result<bool, StoreError>;

    /// Changes a tenant atomically: `change` gets the stored record and
    /// edits it (it may run more than once). The id and creation time are
    /// kept whatever `change` does. `NotFound` if there is no such tenant.
    /// Returns the tenant as stored.
    fn update_tenant(
        &self,
        tenant_id: &str,
        change: &dyn Fn(&mut Tenant),
    ) -> Result<Tenant, StoreError>;
}

/// Tenants' environment variables and outbound allow-lists.
pub trait EnvStore {
    /// A tenant's environment variables, by name.
    fn env(&self, tenant_id: &str) -> Result<BTreeMap<String, String>, StoreError>;

    /// Sets (or replaces) one variable.
    fn set_env(&self, tenant_id: &str, key_name: &str, value: &str) -> Result<(), StoreError>;

    /// Sets (or replaces) several variables at once: all of them or, on any
    /// error, none.
    fn set_env_many(
        &self,
        tenant_id: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<(), StoreError>;

    /// Removes one variable; false if it was not set.
    fn delete_env(&self, tenant_id: &str, key_name: &str) -> Result<bool, StoreError>;

    /// A tenant's outbound allow-list (hosts its functions may call); empty
    /// when never set. The rules' syntax is the service's business.
    fn outbound_allow(&self, tenant_id: &str) -> Result<Vec<String>, StoreError>;

    /// Replaces a tenant's outbound allow-list; an empty one is removed.
    fn set_outbound_allow(&self, tenant_id: &str, rules: &[String]) -> Result<(), StoreError>;
}

/// Functions, their compiled artifacts and their order in each scene.
pub trait FunctionStore {
    /// Writes a function, its artifact and its place in the scene order in one
    /// transaction. A new function goes to the end of its scene; one whose
    /// scene changed moves to the end of the new scene; an update in place
    /// keeps its position. `artifact: None` deletes any stored artifact (a
    /// failed compile must not leave the previous version runnable).
    fn put_function(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
    ) -> Result<(), StoreError>;

    /// [`FunctionStore::put_function`], refusing with [`StoreError::NameTaken`] when
    /// another function of the tenant has the same `func_name` and
    /// `clashes(other)` says the two may not share it. The check and the
    /// write are one transaction, so of two concurrent writes taking one
    /// name, one fails. Checked only when the record is new or its name or
    /// scene changes: names shared before a rule existed do not block
    /// unrelated updates.
    fn put_function_unique(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError>;

    /// [`FunctionStore::put_function_versioned`] for a change based on what was
    /// read: the stored record must be at revision `record.version - 1`
    /// (absent when `record.version` is 1), else [`StoreError::Stale`] and
    /// nothing is written, so a change made meanwhile is never overwritten
    /// by one computed from the record before it.
    fn put_function_based(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError>;

    /// [`FunctionStore::put_function_unique`], also writing `version` (a new one,
    /// numbered as `record.latest_version`) in the same transaction. A
    /// version number already taken is a `Conflict`: two concurrent changes
    /// cannot both become version n.
    fn put_function_versioned(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
        version: Option<&FunctionVersion>,
        clashes: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<(), StoreError>;

    /// Stores a function rebuilt from its stored source (a new engine
    /// plugin) with its new artifact, only if the stored record is still the
    /// version it was rebuilt from: an update that landed meanwhile is newer
    /// and is kept. Returns whether it was written.
    fn rebuild_function(
        &self,
        record: &FunctionRecord,
        artifact: Option<&[u8]>,
    ) -> Result<bool, StoreError>;

    fn get_function(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<FunctionRecord>, StoreError>;

    fn get_artifact(&self, tenant_id: &str, func_id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// One tenant's functions; with a scene, only that scene's, in stored
    /// order; without, every scene's (each scene in order, scenes sorted by name).
    fn list_functions(
        &self,
        tenant_id: &str,
        scene: Option<&str>,
    ) -> Result<Vec<FunctionRecord>, StoreError>;

    /// Removes a function, its artifact and its order entry in one
    /// transaction, then its logs (a crash between the two leaves logs that
    /// expiry removes). False if there was no such function.
    fn delete_function(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError>;

    /// A scene's function ids in run order (empty if it has none).
    fn scene_order(&self, tenant_id: &str, scene: &str) -> Result<Vec<String>, StoreError>;

    /// Sets the order; `order` must be a permutation of exactly the scene's
    /// current functions, else `Invalid` naming the offending id.
    fn set_scene_order(
        &self,
        tenant_id: &str,
        scene: &str,
        order: &[String],
    ) -> Result<(), StoreError>;

    /// Puts `leading` first, in that order, and the scene's other functions
    /// after them in their current order (Authing's SDK may list only some).
    /// An id not in the scene, or listed twice, is `Invalid`.
    fn lead_scene_order(
        &self,
        tenant_id: &str,
        scene: &str,
        leading: &[String],
    ) -> Result<(), StoreError>;

    /// Binds exactly `bound` among the functions of `scene` that `selects`
    /// (Auth0's trigger bindings of Actions), in one transaction: they lead
    /// the scene's order in that order and are enabled, and the scene's
    /// other selected functions are disabled; the rest keep their places
    /// after them. An id listed twice, not in the scene, not selected, or
    /// with no deployed version is `Invalid` and nothing changes. Returns the
    /// records it changed, as stored.
    fn bind_scene(
        &self,
        tenant_id: &str,
        scene: &str,
        bound: &[String],
        selects: &dyn Fn(&FunctionRecord) -> bool,
    ) -> Result<Vec<FunctionRecord>, StoreError>;

    /// Every function of every tenant (used at start to rebuild stale artifacts).
    fn all_functions(&self) -> Result<Vec<FunctionRecord>, StoreError>;
}

/// Functions' immutable versions (written by [`FunctionStore::put_function_versioned`]).
pub trait VersionStore {
    /// A function's kept versions, newest first (empty for an unknown
    /// function).
    fn list_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Vec<FunctionVersion>, StoreError>;

    /// Version `number` of a function, if it is kept.
    fn get_version(
        &self,
        tenant_id: &str,
        func_id: &str,
        number: u64,
    ) -> Result<Option<FunctionVersion>, StoreError>;

    /// Drops a function's versions beyond the newest `keep`, never those
    /// numbered in `pinned` (the deployed one, one in a gradual deployment).
    /// Returns how many it dropped. Run after the write that added a
    /// version; a crash before it only leaves extra versions.
    fn prune_versions(
        &self,
        tenant_id: &str,
        func_id: &str,
        pinned: &[u64],
        keep: usize,
    ) -> Result<usize, StoreError>;
}

/// A change of a function's secrets: edits the map, or refuses with an
/// error that is returned as is.
pub type SecretsChange = dyn Fn(&mut BTreeMap<String, String>) -> Result<(), StoreError>;

/// Functions' secrets (Auth0 hook and Action secrets), sealed at rest.
pub trait SecretStore {
    /// A function's secrets (Auth0's hook secrets), by name; empty if none.
    fn hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<BTreeMap<String, String>, StoreError>;

    /// Changes a function's secrets atomically: `change` gets the current
    /// map and may refuse (its error is returned and nothing is written). It
    /// may run more than once (a transaction retried after a conflict).
    /// Returns the map as stored.
    fn update_hook_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &SecretsChange,
    ) -> Result<BTreeMap<String, String>, StoreError>;

    /// `secrets` sealed for function `func_id`, as its live secrets are:
    /// for a [`FunctionVersion`]'s `secrets`.
    fn seal_function_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        secrets: &BTreeMap<String, String>,
    ) -> Result<SealedSecrets, StoreError>;

    /// Opens secrets sealed for function `func_id` (a version's).
    fn open_function_secrets(
        &self,
        tenant_id: &str,
        func_id: &str,
        sealed: &SealedSecrets,
    ) -> Result<BTreeMap<String, String>, StoreError>;
}

/// Auth0 Actions' `api.cache`, one map per function.
pub trait ActionCacheStore {
    /// A function's Actions cache as stored (expired entries included);
    /// empty when it has none.
    fn action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Map<String, Value>, StoreError>;

    /// Changes a function's Actions cache atomically: `change` gets the
    /// stored map and edits it (it may run more than once, a transaction
    /// retried after a conflict). `NotFound` if the function is gone, so a
    /// call that ends after its function's deletion leaves nothing behind.
    /// An emptied map is removed. Returns the map as stored.
    fn update_action_cache(
        &self,
        tenant_id: &str,
        func_id: &str,
        change: &dyn Fn(&mut Map<String, Value>),
    ) -> Result<Map<String, Value>, StoreError>;
}

/// Custom database connections: record, sealed configuration and compiled scripts.
pub trait ConnectionStore {
    /// Writes a connection whole, in one transaction: its record, its
    /// configuration (sealed; an empty one is removed) and exactly the
    /// artifacts given (one per script; those of scripts it no longer has
    /// are removed). `expect` says whether it must be new or which version
    /// it replaces.
    fn put_connection(
        &self,
        record: &ConnectionRecord,
        configuration: &BTreeMap<String, String>,
        artifacts: &BTreeMap<String, Vec<u8>>,
        expect: ConnectionWrite,
    ) -> Result<(), StoreError>;

    /// Stores a connection's artifacts rebuilt from its stored sources (a new
    /// engine plugin), only if the stored record is still `record`'s version:
    /// an update that landed meanwhile is newer and is kept. Returns whether
    /// it was written.
    fn rebuild_connection(
        &self,
        record: &ConnectionRecord,
        artifacts: &BTreeMap<String, Vec<u8>>,
    ) -> Result<bool, StoreError>;

    /// One connection's record.
    fn get_connection(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError>;

    /// A connection's configuration, opened; empty if it has none.
    fn connection_configuration(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, String>, StoreError>;

    /// A connection's stored artifacts, by script name.
    fn connection_artifacts(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<BTreeMap<String, Vec<u8>>, StoreError>;

    /// A tenant's connections, by name.
    fn list_connections(&self, tenant_id: &str) -> Result<Vec<ConnectionRecord>, StoreError>;

    /// Removes a connection, its configuration and its artifacts in one
    /// transaction, then its invocation logs (a crash between the two leaves
    /// logs that expiry removes). False if there was no such connection.
    fn delete_connection(&self, tenant_id: &str, name: &str) -> Result<bool, StoreError>;
}

/// Invocation logs, with expiry and a per-tenant size cap.
pub trait LogStore {
    /// Stores one invocation record, and its entry in the expiry index, in one
    /// transaction. An empty `id` is filled with one that sorts by time.
    fn append_log(&self, record: &LogRecord) -> Result<(), StoreError>;

    /// Stores invocation records, each with its expiry index entry. Records
    /// are grouped into transactions of about [`LOG_BATCH_BYTES`]: each sled
    /// transaction seals an I/O buffer and costs a write, so one per call
    /// would cost more than the call itself.
    fn append_logs(&self, records: Vec<LogRecord>) -> Result<(), StoreError>;

    /// The encoded size, in bytes, of a tenant's stored invocation logs: what
    /// [`LogStore::trim_logs`] holds under its cap.
    fn log_bytes(&self, tenant_id: &str) -> Result<u64, StoreError>;

    /// Deletes a tenant's oldest invocation logs until their encoded size is
    /// at most `max_bytes`; returns how many were deleted.
    fn trim_logs(&self, tenant_id: &str, max_bytes: u64) -> Result<usize, StoreError>;

    /// A function's logs, newest first; `page` is 1-based (0 reads as 1).
    /// Returns the page and the total number of logs.
    fn list_logs(
        &self,
        tenant_id: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError>;

    /// A function's logs that match `filter`, newest first; `page` is
    /// 1-based (0 reads as 1). Returns the page and how many logs match.
    /// Reads every log of the function when a filter is given (they are
    /// bounded by the tenant's log cap).
    fn list_logs_matching(
        &self,
        tenant_id: &str,
        func_id: &str,
        filter: &LogFilter,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), StoreError>;

    /// The newest `max` of a function's logs at or after `since_micros`,
    /// newest first, as [`LogPoint`]s.
    fn log_points(
        &self,
        tenant_id: &str,
        func_id: &str,
        since_micros: u64,
        max: usize,
    ) -> Result<Vec<LogPoint>, StoreError>;

    /// Deletes every log older than `cutoff_micros` (and its index entry);
    /// returns how many. Walks only the expired part of each tenant's index.
    fn purge_logs_before(&self, cutoff_micros: u64) -> Result<usize, StoreError>;
}

/// The durable queue of asynchronous jobs.
pub trait QueueStore {
    /// Adds a job (or replaces the one with the same id).
    fn enqueue(&self, job: &Job) -> Result<(), StoreError>;

    /// Adds several jobs in one transaction: all of them are queued, or none.
    fn enqueue_many(&self, jobs: &[Job]) -> Result<(), StoreError>;

    /// Jobs with `next_at_micros <= now_micros`, soonest first, at most `limit`.
    fn due_jobs(&self, now_micros: u64, limit: usize) -> Result<Vec<Job>, StoreError>;

    /// Stores a queued job's new attempt count and due time (a lease before a
    /// run, a backoff after a failure). `NotFound` if it was completed: a
    /// finished job never comes back.
    fn reschedule_job(&self, job: &Job) -> Result<(), StoreError>;

    /// Removes a job; completing one that is gone is not an error (at-least-once).
    fn complete_job(&self, job_id: &str) -> Result<(), StoreError>;

    /// How many jobs are queued (due or not).
    fn queue_depth(&self) -> Result<usize, StoreError>;
}

/// Event deliveries: each subscribed function's queue of events, delivered
/// one at a time in order by a *lane*, a job of the durable queue (one per
/// function with pending deliveries; [`lane_job_id`]) that the worker runs
/// to deliver the function's oldest pending delivery.
pub trait DeliveryStore {
    /// Appends `deliveries` to their functions' queues (giving each its
    /// `seq`) and queues `lanes` where a lane is not queued already (an
    /// existing lane keeps its due time: it is leased, or backing off for the
    /// delivery before). One transaction. Returns the deliveries as stored.
    fn add_deliveries(
        &self,
        deliveries: &[Delivery],
        lanes: &[Job],
    ) -> Result<Vec<Delivery>, StoreError>;

    /// A function's oldest pending delivery.
    fn next_delivery(&self, tenant_id: &str, func_id: &str)
    -> Result<Option<Delivery>, StoreError>;

    /// Stores a delivery's attempts, due time, status and last error (found
    /// by tenant and id). `NotFound` if it was removed.
    fn update_delivery(&self, delivery: &Delivery) -> Result<(), StoreError>;

    /// Removes a delivery (delivered); removing one that is gone is not an
    /// error.
    fn remove_delivery(&self, tenant_id: &str, id: &str) -> Result<(), StoreError>;

    /// One of a tenant's deliveries.
    fn get_delivery(&self, tenant_id: &str, id: &str) -> Result<Option<Delivery>, StoreError>;

    /// A tenant's deliveries, oldest first, only those with `status` when
    /// given, at most `limit`.
    fn list_deliveries(
        &self,
        tenant_id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// How many deliveries a function holds (pending and failed).
    fn count_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError>;

    /// Puts a failed delivery back at the end of its function's queue,
    /// pending, its attempts reset, and queues `lane` as
    /// [`DeliveryStore::add_deliveries`] does. One transaction. `NotFound`
    /// if there is no such delivery; `Conflict` if it is not failed.
    fn requeue_delivery(
        &self,
        tenant_id: &str,
        id: &str,
        lane: &Job,
    ) -> Result<Delivery, StoreError>;

    /// Ends a lane whose function has no pending delivery: removes its job
    /// and returns `true`. If one was added meanwhile the lane stays queued
    /// (due now) and this returns `false`. Atomic with `add_deliveries`, so
    /// a delivery is never left without a lane.
    fn finish_lane(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError>;

    /// Removes every delivery of a function (deleted) and its lane.
    fn delete_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError>;
}

/// The id of the lane job that delivers function `func_id`'s events
/// ([`DeliveryStore`]): one per function, whatever the number of its
/// pending deliveries.
pub fn lane_job_id(tenant_id: &str, func_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(tenant_id.as_bytes())
        .chain_update([0])
        .chain_update(func_id.as_bytes())
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("lane-{hex}")
}

/// Nonces of signed requests, each accepted once per tenant until it expires.
pub trait NonceStore {
    /// Records that `tenant` used `nonce`, remembered until `expires_micros`
    /// (inclusive), unless it is already remembered ([`NonceUse::Replayed`])
    /// or the tenant holds `cap` unexpired nonces ([`NonceUse::TenantFull`]).
    /// The tenant's expired nonces are deleted first, so only live ones
    /// count. One transaction: of two concurrent uses of one nonce, one is
    /// `Recorded` and the other `Replayed`. Not flushed: call
    /// [`Storage::flush`] before acting on the request.
    fn use_nonce(
        &self,
        tenant: &str,
        nonce: &str,
        expires_micros: u64,
        now_micros: u64,
        cap: usize,
    ) -> Result<NonceUse, StoreError>;

    /// Deletes every tenant's nonces that expired before `now_micros`;
    /// returns how many. [`NonceStore::use_nonce`] does this for the tenant it
    /// records for; this is for tenants that stopped sending.
    fn purge_nonces_before(&self, now_micros: u64) -> Result<usize, StoreError>;
}

/// The operator's npm packages.
pub trait PackageStore {
    /// Adds a package; `Conflict` if that name and version is already there
    /// (a published version never changes, so neither does ours). Synced
    /// before it answers.
    fn put_package(&self, record: &PackageRecord) -> Result<(), StoreError>;

    /// One package, or `None`.
    fn get_package(&self, name: &str, version: &str) -> Result<Option<PackageRecord>, StoreError>;

    /// Every version of `name` in the catalogue, in key order.
    fn package_versions(&self, name: &str) -> Result<Vec<PackageRecord>, StoreError>;

    /// Every package in the catalogue, by name then version.
    fn list_packages(&self) -> Result<Vec<PackageRecord>, StoreError>;

    /// Removes a package; `NotFound` if it is not there. Synced before it answers.
    fn delete_package(&self, name: &str, version: &str) -> Result<(), StoreError>;
}

/// Everything hookbox stores: what a backend implements.
pub trait Storage:
    TenantStore
    + EnvStore
    + FunctionStore
    + VersionStore
    + SecretStore
    + ActionCacheStore
    + ConnectionStore
    + LogStore
    + QueueStore
    + DeliveryStore
    + NonceStore
    + PackageStore
    + Send
    + Sync
    + 'static
{
    /// Makes everything written so far durable. Backends that sync every
    /// write (PostgreSQL) return at once.
    fn flush(&self) -> Result<(), StoreError>;

    /// Whether other processes write this database too (cluster mode), so
    /// that what a node caches must follow [`Storage::changed_tenants`].
    fn shared(&self) -> bool {
        false
    }

    /// The tenants whose cached state (tenant, functions and their secrets,
    /// scene orders, env, allow-list, connections) any node changed since
    /// `cursor` last looked, advancing it. A fresh cursor lists every tenant
    /// that ever changed, so that what was cached before the first look is
    /// reloaded too. Always empty for a database only this process writes.
    fn changed_tenants(&self, cursor: &mut ChangeCursor) -> Result<Vec<String>, StoreError> {
        let _ = cursor;
        Ok(Vec::new())
    }

    /// Whether the database answers now: `Unavailable` when it cannot be
    /// reached. Always `Ok` for the embedded store.
    fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Notified when another node may have changed something: a hint to
    /// call [`Storage::changed_tenants`] now rather than at the next poll.
    /// `None` for a database only this process writes.
    fn change_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        None
    }
}

/// Where [`Storage::changed_tenants`] left off: each tenant's generation as
/// last seen; for PostgreSQL also the transaction that made it, and the
/// oldest transaction still running at the last poll (`pg_snapshot_xmin`, as
/// text: changes older than it were all seen).
#[derive(Debug, Default, Clone)]
pub struct ChangeCursor {
    pub(crate) generations: std::collections::HashMap<String, i64>,
    pub(crate) writers: std::collections::HashMap<String, String>,
    pub(crate) since: Option<String>,
}

/// hookbox's database, whichever backend holds it. Cheap to clone; derefs to
/// [`Storage`].
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Storage>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        &*self.backend
    }
}

impl Store {
    /// A handle on `backend`.
    pub fn new(backend: impl Storage) -> Self {
        Self {
            backend: Arc::new(backend),
        }
    }

    /// The embedded sled database in the directory `path` (created if
    /// needed), with the default [`StoreConfig`]. See [`SledStore::open`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        SledStore::open(path).map(Self::new)
    }

    /// The embedded sled database in `path` with `config`; see
    /// [`SledStore::open_with`].
    pub fn open_with(path: impl AsRef<Path>, config: &StoreConfig) -> Result<Self, StoreError> {
        SledStore::open_with(path, config).map(Self::new)
    }

    /// An embedded database in a temporary directory, removed when the last
    /// clone drops (tests).
    pub fn open_temporary() -> Result<Self, StoreError> {
        SledStore::open_temporary().map(Self::new)
    }
}
