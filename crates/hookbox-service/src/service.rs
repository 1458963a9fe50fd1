//! The service: deploy, invoke, run scenes; owns the caches and background tasks.
//!
//! It is the only door to storage: the HTTP layer calls [`Service`], never the
//! store. This file holds the shared state ([`Service`], its caches and
//! tunables); each responsibility is a child module adding its methods:
//!
//! | module | what |
//! | --- | --- |
//! | `tenants`, `signing` | tenants, access keys, request-signature nonces |
//! | `functions`, `versions`, `actions` | functions, drafts, versions, gradual deployments, rollback, Auth0 Actions |
//! | `env` | env vars, outbound allow-lists, hook secrets |
//! | `loading` | the caches a warm call reads instead of the store |
//! | `runs` | single invocations, dry runs, scene runs |
//! | `queue` | the durable async queue and its worker |
//! | `log_records` | invocation log records and secret redaction |
//! | `stats` | a function's last hour from its logs |
//! | `recent` | the newest inputs each function was called with, in memory |
//! | `connections`, `packages`, `action_cache` | custom databases, npm packages, the Actions cache |

use crate::authorizer;
use crate::cache::Cache;
use crate::hooks::{self, is_trigger};
use crate::logs::{self, LogPolicy, LogQueue, LogReceiver, LogWriter};
use crate::metrics::{Metrics, OutcomeLabels, SceneLabels, VersionLabels};
use crate::model::{
    Call, FunctionPatch, NewFunction, SceneCommand, SceneResult, ServiceError, SourceCheck, Step,
    check_scene,
};
use crate::outbound::{AllowList, OutboundClient, PrivateAccess, check_reachable};
use crate::scene::{AUTHORIZER, action_trigger};
use hookbox_engine::{
    Artifact, CallMeta, CompileError, Engine, ErrorInfo, Input, InvokeError, Limits, Metadata,
    Outbound, Outcome, OutcomeKind, Tokens,
};
use hookbox_store::{
    AccessKey, FunctionRecord, FunctionStatus, FunctionVersion, Job, LogFilter, LogRecord, Role,
    SealedSecrets, Store, StoreError, Tenant,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

mod action_cache;
mod actions;
mod env;
mod events;
mod functions;
mod loading;
mod log_records;
mod packages;
mod queue;
mod recent;
mod runs;
mod signing;
mod stats;
mod tenants;
mod versions;
pub use action_cache::{
    MAX_CACHE_ENTRIES, MAX_CACHE_KEY_BYTES, MAX_CACHE_LIFETIME, MAX_CACHE_TOTAL_BYTES,
    MAX_CACHE_VALUE_BYTES,
};
pub use env::{MAX_ENV_VALUE_BYTES, check_secret_set};
pub use events::{Deployed, EventType, QueuedDelivery};
pub use loading::{CHANGE_POLL, DatabaseState, Health};
pub use log_records::MIN_REDACTED_CHARS;
pub(crate) use packages::check_dependencies;
pub use packages::{
    MAX_DEPENDENCIES, MAX_FETCHED_PACKAGES, MAX_FUNCTION_PACKAGES, OWN_MODULES, PackageSummary,
    PackagesAdded,
};
pub use queue::MAX_HELD_JOBS;
pub use recent::{
    MAX_RECENT_BYTES, MAX_RECENT_INPUT_BYTES, RECENT_PER_FUNCTION, RECENT_SAMPLE_EVERY, RecentInput,
};
pub use signing::{DEFAULT_NONCES_PER_TENANT, NonceError};
pub use stats::{
    FunctionStats, MAX_STATS_POINTS, STATS_BUCKET_SECONDS, STATS_WINDOW_SECONDS, StatsBucket,
};
pub use tenants::{MAX_DOMAIN_CHARS, TenantPatch, check_domain};
use {log_records::*, queue::*};
#[path = "connections.rs"]
mod connections;
pub use connections::{
    Connection, ConnectionPatch, DATABASE_SCRIPTS, DEFAULT_CONNECTION_TIMEOUT,
    MAX_CONNECTION_NAME_CHARS, MAX_SCRIPT_ARGS, NewConnection,
};

/// Tunables. `Default` holds the production values.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// How long invocation logs are kept (Authing keeps them at least 7 days).
    pub log_retention: Duration,
    /// How often expired logs are deleted.
    pub purge_interval: Duration,
    /// How invocation logs are batched, synced to disk and capped per tenant.
    pub logs: LogPolicy,
    /// Entries per cache: loaded functions, scene orders, tenants' env vars
    /// and allow-lists, each kept up to this many. A function miss costs a
    /// sled read and an artifact parse: the cold start.
    pub cache_capacity: usize,
    /// Whether this process runs the async-function worker.
    pub run_worker: bool,
    /// Attempts per async job before it is given up (each one logged).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles per attempt.
    pub retry_base: Duration,
    /// An async job's lease beyond its function's timeout: a job whose node
    /// died mid-run is run again (by any node) this long after its timeout.
    pub job_lease_grace: Duration,
    /// How often the worker looks for due jobs when nobody wakes it.
    pub queue_poll: Duration,
    /// Which non-public addresses functions' outbound requests may reach:
    /// none, except in tests and development.
    pub outbound_private: PrivateAccess,
    /// Unexpired signed-request nonces a tenant may hold; its signed
    /// requests past it are refused (see [`DEFAULT_NONCES_PER_TENANT`]).
    pub nonces_per_tenant: usize,
    /// The npm registry operators add packages from by name (its base URL,
    /// ending in `/`); `None`: only tarballs.
    pub npm_registry: Option<reqwest::Url>,
    /// Versions kept per function (at least 1); the deployed one is kept
    /// whatever its age. Default [`hookbox_store::DEFAULT_VERSIONS_KEPT`].
    pub versions_kept: usize,
    /// The 32 bytes function sessions' signing key is made from; every node
    /// of a cluster must be given the same (the server derives them from
    /// its key file). `None`: a random key per process.
    pub function_session_seed: Option<[u8; 32]>,
    /// How long a `_function_session` is valid (10–20 minutes).
    pub function_session_ttl: Duration,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            log_retention: Duration::from_secs(7 * 24 * 3600),
            purge_interval: Duration::from_secs(3600),
            logs: LogPolicy::default(),
            cache_capacity: 10_000,
            run_worker: true,
            max_attempts: 5,
            retry_base: Duration::from_secs(1),
            job_lease_grace: Duration::from_secs(30),
            queue_poll: Duration::from_secs(1),
            outbound_private: PrivateAccess::Deny,
            nonces_per_tenant: DEFAULT_NONCES_PER_TENANT,
            npm_registry: None,
            versions_kept: hookbox_store::DEFAULT_VERSIONS_KEPT,
            function_session_seed: None,
            function_session_ttl: crate::events::DEFAULT_FUNCTION_SESSION_TTL,
        }
    }
}

/// Most invocation records one page of logs holds.
pub const MAX_LOGS_PAGE: usize = 100;
/// Longest tenant name, in characters.
pub const MAX_TENANT_NAME_CHARS: usize = 128;
/// Longest tenant id (letters, digits, `-`, `_`).
pub const MAX_TENANT_ID_CHARS: usize = 64;

/// A function ready to run.
struct Loaded {
    record: FunctionRecord,
    /// `None` when the upload failed to compile.
    artifact: Option<Artifact>,
    limits: Limits,
    /// Its secrets (the Auth0 front's hook secrets): `event.secrets` of an
    /// Action, `context.webtask.secrets` of a hook, and redacted from its
    /// logs whatever it is.
    secrets: BTreeMap<String, String>,
    /// The version in a gradual deployment, ready to run beside this one.
    gradual: Option<GradualArm>,
    /// Counted by version (`hookbox_gradual_invocations_total`): both arms
    /// of a gradual deployment are.
    by_version: bool,
    /// Whether a call may be kept as a recent input: checked lock-free on
    /// every call, so only the sampled ones reach `RecentInputs`' lock.
    sample_gate: recent::SampleGate,
    /// An HTTP function's secrets, opened.
    webhook: Option<crate::events::WebhookSecrets>,
}

/// The other arm of a gradual deployment.
struct GradualArm {
    percent: u8,
    loaded: Arc<Loaded>,
}

impl Loaded {
    /// What one call runs: the gradual deployment's version for its share of
    /// users, else this. A call's user is the first non-empty string or
    /// number of `user.user_id`, `userId`, `id`, `sub`, `email` (lower-cased)
    /// and `event.user.user_id`; a call with none is placed by its request id.
    fn arm(self: &Arc<Self>, user: &Value, event: Option<&Value>, request_id: &str) -> Arc<Loaded> {
        let Some(gradual) = &self.gradual else {
            return self.clone();
        };
        let id_of = |v: Option<&Value>| match v {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let who = ["user_id", "userId", "id", "sub"]
            .iter()
            .find_map(|k| id_of(user.get(k)))
            .or_else(|| id_of(user.get("email")).map(|e| e.to_lowercase()))
            .or_else(|| id_of(event.and_then(|e| e.pointer("/user/user_id"))))
            .unwrap_or_else(|| request_id.to_string());
        let version = gradual.loaded.record.deployed_version;
        if gradual_bucket(&self.record.func_id, version, &who) < gradual.percent {
            gradual.loaded.clone()
        } else {
            self.clone()
        }
    }
}

/// A user's bucket (0–99) for one gradual deployment: stable for the
/// function, the version and the user, independent between functions.
fn gradual_bucket(func_id: &str, version: u64, who: &str) -> u8 {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(func_id.as_bytes())
        .chain_update([0])
        .chain_update(version.to_string().as_bytes())
        .chain_update([0])
        .chain_update(who.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % 100) as u8
}

/// Which of Auth0's name-unique kinds a function is: an Action, a hook
/// (a function of a hook trigger), or neither.
fn auth0_kind(record: &FunctionRecord) -> Option<&'static str> {
    if record.action {
        Some("action")
    } else if is_trigger(&record.scene) {
        Some("hook")
    } else {
        None
    }
}

/// Runs `change` again while it is `Stale` (another change of the function
/// landed while it was computed), at most [`MAX_REDOS`] times: so racing
/// changes each land, in some order, and none is lost.
async fn redo<T, F, Fut>(mut change: F) -> Result<T, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ServiceError>>,
{
    let mut last = String::new();
    for _ in 0..MAX_REDOS {
        match change().await {
            Err(ServiceError::Stale(message)) => last = message,
            other => return other,
        }
    }
    Err(ServiceError::Conflict(format!(
        "{last}, {MAX_REDOS} times over; try again"
    )))
}

/// `live` with `changed`'s metadata (name, description, scene, switch,
/// revision): what a draft leaves the running function.
fn with_metadata(live: FunctionRecord, changed: &FunctionRecord) -> FunctionRecord {
    FunctionRecord {
        func_name: changed.func_name.clone(),
        func_description: changed.func_description.clone(),
        scene: changed.scene.clone(),
        enabled: changed.enabled,
        events: changed.events.clone(),
        version: changed.version,
        updated_at: changed.updated_at.clone(),
        ..live
    }
}

/// `record` with version `v`'s code and settings, as the function runs it.
fn with_version(record: &FunctionRecord, v: &FunctionVersion) -> FunctionRecord {
    FunctionRecord {
        source_code: v.source_code.clone(),
        url: v.url.clone(),
        dependencies: v.dependencies.clone(),
        is_asynchronous: v.is_asynchronous,
        timeout: v.timeout,
        terminate_on_timeout: v.terminate_on_timeout,
        memory_limit_mb: v.memory_limit_mb,
        deployed_version: v.number,
        ..record.clone()
    }
}

type Key = (String, String);

/// The domain API. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    store: Store,
    config: ServiceConfig,
    /// Every cache is generation-checked (see `cache.rs`): once a write is
    /// acknowledged, no call reads what it replaced.
    functions: Cache<Key, Arc<Loaded>>,
    orders: Cache<Key, Arc<Vec<String>>>,
    envs: Cache<String, Arc<BTreeMap<String, String>>>,
    /// Tenants' parsed outbound allow-lists.
    allow_lists: Cache<String, Arc<AllowList>>,
    /// Database connections ready to run.
    connections: Cache<Key, Arc<connections::LoadedConnection>>,
    /// Tenants' Auth0 domains (`CallMeta::domain`).
    domains: Cache<String, Arc<Option<String>>>,
    /// Functions' Actions caches, as stored.
    action_caches: Cache<Key, action_cache::Entries>,
    /// `None` if the HTTP client could not be built: every request is refused.
    outbound: Option<Arc<OutboundClient>>,
    logs: LogQueue,
    log_rx: Mutex<Option<LogReceiver>>,
    queue_wake: Notify,
    /// Whether the database answered its last ping (cluster mode), and since
    /// when (unix µs) it has not.
    database_down_since: std::sync::atomic::AtomicU64,
    /// Async jobs of scene runs answered while the database was unreachable
    /// (cluster mode), queued when it returns.
    held_jobs: Mutex<Vec<Job>>,
    metrics: Arc<Metrics>,
    /// What the console's test bench offers (memory only, this node).
    recent: recent::RecentInputs,
    /// Signs the `_function_session` of event deliveries.
    sessions: crate::events::SessionKeys,
}

/// Handles of the background tasks; [`Background::shutdown`] stops them
/// cleanly (the current job finishes, pending logs are written).
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// How many times a change is numbered again when concurrent changes take
/// its version number first.
/// How many times a change is redone when other changes of the function
/// keep landing while it is computed, before it is a 409.
const MAX_REDOS: usize = 16;

/// SHA-256 (hex) of an artifact as stored, for its version's record.
fn artifact_sha256(artifact: Option<&Artifact>) -> Option<String> {
    use sha2::Digest;
    artifact.map(|a| hex::encode(sha2::Sha256::digest(a.to_wasm())))
}

fn limits_of(record: &FunctionRecord) -> Limits {
    let mut limits = Limits::default();
    // Stored records were validated at write time; clamp anyway.
    let _ = limits.timeout(Duration::from_secs(record.timeout.clamp(1, 60) as u64));
    let _ = limits.memory_mb(
        record
            .memory_limit_mb
            .clamp(1, hookbox_engine::MAX_MEMORY_MB),
    );
    limits
}

impl Service {
    pub fn new(engine: Engine, store: Store, config: ServiceConfig) -> Self {
        let (logs, log_rx) = logs::queue();
        let capacity = config.cache_capacity;
        let outbound = match OutboundClient::new(config.outbound_private) {
            Ok(client) => Some(Arc::new(client)),
            Err(e) => {
                tracing::error!(error = %e, "outbound HTTP disabled");
                None
            }
        };
        let sessions = crate::events::SessionKeys::from_seed(
            &config
                .function_session_seed
                .unwrap_or_else(rand::random::<[u8; 32]>),
        );
        Self {
            inner: Arc::new(Inner {
                engine,
                store,
                config,
                functions: Cache::new(capacity),
                orders: Cache::new(capacity),
                envs: Cache::new(capacity),
                allow_lists: Cache::new(capacity),
                connections: Cache::new(capacity),
                domains: Cache::new(capacity),
                action_caches: Cache::new(capacity),
                outbound,
                logs,
                log_rx: Mutex::new(Some(log_rx)),
                queue_wake: Notify::new(),
                database_down_since: std::sync::atomic::AtomicU64::new(0),
                held_jobs: Mutex::new(Vec::new()),
                metrics: Arc::new(Metrics::new()),
                recent: Default::default(),
                sessions,
            }),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Prometheus text for `/metrics`.
    pub async fn metrics_text(&self) -> String {
        if let Ok(depth) = self.blocking(|s| s.queue_depth()).await {
            self.inner.metrics.queue_depth.set(depth as i64);
        }
        self.inner.metrics.render(self.inner.engine.long_calls())
    }

    /// Starts the log writer, the log and nonce expiry tasks and (if
    /// configured) the async worker. Call once.
    pub fn start(&self) -> Background {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let rx = self
            .inner
            .log_rx
            .lock()
            .expect("log receiver lock")
            .take()
            .expect("Service::start is called once");
        let writer = LogWriter {
            store: self.inner.store.clone(),
            policy: self.inner.config.logs,
            metrics: self.inner.metrics.clone(),
        };
        tasks.push(tokio::spawn(writer.run(rx, stopped.clone())));
        tasks.push(tokio::spawn(logs::expire(
            self.inner.store.clone(),
            self.inner.config.log_retention,
            self.inner.config.purge_interval,
            stopped.clone(),
        )));
        tasks.push(tokio::spawn(self.clone().expire_nonces(stopped.clone())));
        if self.inner.store.shared() {
            tasks.push(tokio::spawn(self.clone().follow_changes(stopped.clone())));
            tasks.push(tokio::spawn(self.clone().watch_database(stopped.clone())));
        }
        if self.inner.config.run_worker {
            tasks.push(tokio::spawn(self.clone().work_queue(stopped)));
        }
        Background { stop, tasks }
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| ServiceError::Internal(format!("storage task failed: {e}")))?
            .map_err(ServiceError::from)
    }

    // ------------------------------------------------------------ tenants

    /// Creates a tenant (with `id`, or a random one, and its Auth0 `domain`
    /// if given, see [`check_domain`]) and its first admin key pair, in one
    /// transaction: never a tenant without a key. Returns the tenant, the key
    /// and its secret (shown once). `Conflict` if the id is taken.
    pub async fn create_tenant(
        &self,
        id: Option<String>,
        name: &str,
        domain: Option<String>,
    ) -> Result<(Tenant, AccessKey, String), ServiceError> {
        let name = tenants::check_tenant_name(name)?;
        let domain = domain.as_deref().map(check_domain).transpose()?;
        if let Some(id) = &id {
            let valid = (1..=MAX_TENANT_ID_CHARS).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(ServiceError::invalid(
                    "id",
                    format!("must be 1–{MAX_TENANT_ID_CHARS} letters, digits, '-' or '_'"),
                ));
            }
        }
        self.blocking(move |s| {
            let created = s.create_tenant_with_settings(
                id.as_deref(),
                &name,
                domain.as_deref(),
                Role::Admin,
            )?;
            s.flush()?;
            Ok(created)
        })
        .await
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
