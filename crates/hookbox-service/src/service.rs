//! The service: deploy, invoke, run scenes; owns the caches and background tasks.

use crate::authorizer;
use crate::cache::Cache;
use crate::hooks::{self, is_trigger};
use crate::logs::{self, LogPolicy, LogQueue, LogReceiver, LogWriter};
use crate::metrics::{Metrics, OutcomeLabels, SceneLabels, VersionLabels};
use crate::model::{
    Call, FunctionPatch, NewFunction, SceneCommand, SceneResult, ServiceError, Step, check_scene,
};
use crate::outbound::{AllowList, OutboundClient, PrivateAccess, check_reachable};
use crate::scene::{AUTHORIZER, action_trigger};
use hookbox_engine::{
    Artifact, CallMeta, CompileError, Engine, ErrorInfo, Input, InvokeError, Limits, Metadata,
    Outbound, Outcome, OutcomeKind, Tokens,
};
use hookbox_store::{
    AccessKey, FunctionRecord, FunctionStatus, FunctionVersion, Job, LogRecord, Role,
    SealedSecrets, Store, StoreError, Tenant,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

mod action_cache;
mod actions;
mod packages;
mod signing;
mod tenants;
pub use action_cache::{
    MAX_CACHE_ENTRIES, MAX_CACHE_KEY_BYTES, MAX_CACHE_LIFETIME, MAX_CACHE_TOTAL_BYTES,
    MAX_CACHE_VALUE_BYTES,
};
pub(crate) use packages::check_dependencies;
pub use packages::{
    MAX_DEPENDENCIES, MAX_FETCHED_PACKAGES, MAX_FUNCTION_PACKAGES, OWN_MODULES, PackageSummary,
    PackagesAdded,
};
pub use signing::{DEFAULT_NONCES_PER_TENANT, NonceError};
pub use tenants::{MAX_DOMAIN_CHARS, TenantPatch, check_domain};
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
            queue_poll: Duration::from_secs(1),
            outbound_private: PrivateAccess::Deny,
            nonces_per_tenant: DEFAULT_NONCES_PER_TENANT,
            npm_registry: None,
            versions_kept: hookbox_store::DEFAULT_VERSIONS_KEPT,
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
        version: changed.version,
        updated_at: changed.updated_at.clone(),
        ..live
    }
}

/// `record` with version `v`'s code and settings, as the function runs it.
fn with_version(record: &FunctionRecord, v: &FunctionVersion) -> FunctionRecord {
    FunctionRecord {
        source_code: v.source_code.clone(),
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
    metrics: Arc<Metrics>,
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
                metrics: Arc::new(Metrics::new()),
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

    // ------------------------------------------------------------ functions

    /// Validates, compiles and stores a new function. A compile error still
    /// stores it, as `failed` with `uploadErrMsg` (Authing does the same).
    pub async fn deploy(
        &self,
        tenant: &str,
        spec: NewFunction,
    ) -> Result<FunctionRecord, ServiceError> {
        self.deploy_inner(tenant, spec, false, None).await
    }

    /// Like [`Service::deploy`], but a source that does not compile is
    /// refused (`sourceCode` names the error) and nothing is stored: Auth0's
    /// behaviour.
    pub async fn deploy_compiled(
        &self,
        tenant: &str,
        spec: NewFunction,
    ) -> Result<FunctionRecord, ServiceError> {
        self.deploy_inner(tenant, spec, true, None).await
    }

    /// Creates an Auth0 Action: like [`Service::deploy_compiled`], but its
    /// code is saved as version 1 without deploying it, and it is unbound
    /// (`enabled: false`) until a version is deployed and it is bound to
    /// its trigger. Source: Auth0's "Create an action" ("it must be
    /// deployed, and then bound to a trigger before it will be executed").
    pub async fn create_action(
        &self,
        tenant: &str,
        spec: NewFunction,
        secrets: BTreeMap<String, String>,
    ) -> Result<FunctionRecord, ServiceError> {
        check_secret_set(&secrets)?;
        self.deploy_inner(tenant, spec, true, Some(secrets)).await
    }

    async fn deploy_inner(
        &self,
        tenant: &str,
        spec: NewFunction,
        refuse_failed: bool,
        action_secrets: Option<BTreeMap<String, String>>,
    ) -> Result<FunctionRecord, ServiceError> {
        spec.validate()?;
        let action = action_secrets.is_some();
        let now = hookbox_store::now_micros();
        let at = hookbox_store::rfc3339(now);
        let mut record = FunctionRecord {
            tenant_id: tenant.to_string(),
            func_id: hookbox_store::new_id(),
            func_name: spec.func_name.trim().to_string(),
            func_description: spec.func_description,
            scene: spec.scene,
            source_code: spec.source_code,
            is_asynchronous: spec.is_asynchronous,
            timeout: spec.timeout,
            terminate_on_timeout: spec.terminate_on_timeout,
            enabled: spec.enabled && !action,
            status: FunctionStatus::Uploading,
            upload_err_msg: None,
            memory_limit_mb: spec.memory_limit_mb,
            dependencies: spec.dependencies,
            version: 1,
            // save_version numbers it.
            deployed_version: 0,
            latest_version: 0,
            gradual: None,
            deploy_history: Vec::new(),
            plugin: None,
            draft_version: None,
            action,
            created_at: at.clone(),
            updated_at: at,
        };
        let packages = self.resolve_dependencies(&record.dependencies).await?;
        let artifact = self.compile_into(&mut record, packages.as_ref()).await;
        if refuse_failed {
            refuse_if_failed(&record)?;
        }
        if let Some(secrets) = action_secrets {
            let sealed = self.seal_secrets(&record, secrets).await?;
            return self
                .save_undeployed(record, artifact, spec.saved_by, sealed)
                .await;
        }
        self.save_version(record, artifact, spec.saved_by).await
    }

    /// Applies a patch; a new source is recompiled before the answer (and
    /// stored as `failed` if it does not compile).
    pub async fn update(
        &self,
        tenant: &str,
        func_id: &str,
        patch: FunctionPatch,
    ) -> Result<FunctionRecord, ServiceError> {
        self.update_inner(tenant, func_id, patch, false).await
    }

    /// Like [`Service::update`], but a new source that does not compile is
    /// refused and the function stays as it was.
    pub async fn update_compiled(
        &self,
        tenant: &str,
        func_id: &str,
        patch: FunctionPatch,
    ) -> Result<FunctionRecord, ServiceError> {
        self.update_inner(tenant, func_id, patch, true).await
    }

    async fn update_inner(
        &self,
        tenant: &str,
        func_id: &str,
        patch: FunctionPatch,
        refuse_failed: bool,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| self.update_once(tenant, func_id, patch.clone(), refuse_failed)).await
    }

    async fn update_once(
        &self,
        tenant: &str,
        func_id: &str,
        patch: FunctionPatch,
        refuse_failed: bool,
    ) -> Result<FunctionRecord, ServiceError> {
        patch.validate()?;
        if let Some(secrets) = &patch.secrets {
            check_secret_set(secrets)?;
        }
        let mut record = self.get(tenant, func_id).await?;
        let before = record.clone();
        if before.action
            && let Some(scene) = patch.scene.as_ref().filter(|s| **s != before.scene)
        {
            return Err(ServiceError::invalid(
                "scene",
                format!(
                    "an Action's trigger cannot change (it is {}, not {scene}); create another Action",
                    before.scene
                ),
            ));
        }
        // A function never deployed (an Action before its first deploy)
        // takes every change of code, secrets or limits as a draft: only a
        // deploy makes it runnable.
        let explicit_draft = patch.draft == Some(true);
        let draft = explicit_draft || (before.deployed_version == 0 && patch.is_versioned());
        // The secrets the new version runs with: the patch's, or, for a
        // draft on a draft, the newest version's (None: the live ones).
        let mut secrets = match patch.secrets.clone() {
            Some(map) => Some(self.seal_secrets(&record, map).await?),
            None => None,
        };
        // A draft builds on the pending draft, if there is one, not on the
        // deployed version.
        if draft && let Some(pending) = record.draft_version {
            let newest = self.version(tenant, func_id, pending).await?;
            if secrets.is_none() {
                secrets = newest.secrets.clone();
            }
            record = with_version(&record, &newest);
        }
        let recompile = patch
            .source_code
            .as_ref()
            .is_some_and(|s| *s != record.source_code)
            || patch
                .dependencies
                .as_ref()
                .is_some_and(|d| *d != record.dependencies);
        let settings_changed = patch
            .is_asynchronous
            .is_some_and(|v| v != record.is_asynchronous)
            || patch.timeout.is_some_and(|v| v != record.timeout)
            || patch
                .terminate_on_timeout
                .is_some_and(|v| v != record.terminate_on_timeout)
            || patch
                .memory_limit_mb
                .is_some_and(|v| v != record.memory_limit_mb)
            || patch.secrets.is_some();
        if let Some(v) = patch.func_name {
            record.func_name = v.trim().to_string();
        }
        if let Some(v) = patch.func_description {
            record.func_description = v;
        }
        if let Some(v) = patch.scene {
            record.scene = v;
        }
        if let Some(v) = patch.source_code {
            record.source_code = v;
        }
        if let Some(v) = patch.is_asynchronous {
            record.is_asynchronous = v;
        }
        if let Some(v) = patch.timeout {
            record.timeout = v;
        }
        if let Some(v) = patch.terminate_on_timeout {
            record.terminate_on_timeout = v;
        }
        if let Some(v) = patch.enabled {
            if v && before.deployed_version == 0 {
                return Err(ServiceError::invalid(
                    "enabled",
                    "the function has no deployed version yet; deploy one before enabling it",
                ));
            }
            record.enabled = v;
        }
        if let Some(v) = patch.memory_limit_mb {
            record.memory_limit_mb = v;
        }
        if let Some(v) = patch.dependencies {
            record.dependencies = v;
        }
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        if draft {
            if !recompile && !settings_changed {
                if explicit_draft {
                    return Err(ServiceError::invalid(
                        "draft",
                        "a draft saves a change of sourceCode, dependencies or limits, and this patch changes none of them",
                    ));
                }
                // Nothing versioned changed: the metadata alone.
                let live = with_metadata(before, &record);
                let artifact = self.stored_artifact(&live).await?;
                return self.save(live, artifact).await;
            }
            return self
                .save_draft(before, record, refuse_failed, patch.saved_by, secrets)
                .await;
        }
        let saved = if recompile {
            let packages = self.resolve_dependencies(&record.dependencies).await?;
            let artifact = self.compile_into(&mut record, packages.as_ref()).await;
            if refuse_failed {
                refuse_if_failed(&record)?;
            }
            self.save_version_with(record, artifact, patch.saved_by, secrets)
                .await?
        } else if settings_changed {
            let artifact = self.stored_artifact(&record).await?;
            self.save_version_with(record, artifact, patch.saved_by, secrets)
                .await?
        } else {
            let artifact = self.stored_artifact(&record).await?;
            return self.save(record, artifact).await;
        };
        Ok(saved)
    }

    /// Saves `candidate`'s code and settings as a new version without
    /// deploying it: the function keeps running what it ran (`before`), with
    /// the patch's metadata (name, description, scene, switch) applied.
    async fn save_draft(
        &self,
        before: FunctionRecord,
        mut candidate: FunctionRecord,
        refuse_failed: bool,
        saved_by: Option<String>,
        secrets: Option<SealedSecrets>,
    ) -> Result<FunctionRecord, ServiceError> {
        let packages = self.resolve_dependencies(&candidate.dependencies).await?;
        let compiled = self.compile_into(&mut candidate, packages.as_ref()).await;
        if refuse_failed {
            refuse_if_failed(&candidate)?;
        }
        let number = before.latest_version + 1;
        let mut version =
            FunctionVersion::of(&candidate, number, artifact_sha256(compiled.as_ref()));
        version.created_by = saved_by;
        version.secrets = secrets;
        let live = FunctionRecord {
            latest_version: number,
            draft_version: Some(number),
            ..with_metadata(before, &candidate)
        };
        let artifact = self.stored_artifact(&live).await?;
        self.save_kept(live, artifact, version).await
    }

    /// Runs a version of a function once, as a call of it would run, without
    /// deploying it and without storing anything (no log record, no count,
    /// no Actions cache write): `number`, or the newest version (the draft,
    /// when there is one). The function's secrets, the tenant's env and
    /// allow-list are the live ones. A version that does not compile is a
    /// `Conflict`.
    pub async fn test_version(
        &self,
        tenant: &str,
        func_id: &str,
        number: Option<u64>,
        call: Call,
        request_id: &str,
    ) -> Result<(u64, Outcome), ServiceError> {
        call.validate()?;
        call.refuse_continue_at()?;
        let live = self.load(tenant, func_id).await?;
        let number = number.unwrap_or(
            live.record
                .draft_version
                .unwrap_or(live.record.latest_version),
        );
        let version = self.version(tenant, func_id, number).await?;
        let mut record = with_version(&live.record, &version);
        record.gradual = None;
        let artifact = self.compile_version(&mut record, number).await?;
        let env = self.env(tenant).await?;
        let secrets = match &version.secrets {
            Some(_) => self.version_secrets(tenant, func_id, &version).await?,
            None => live.secrets.clone(),
        };
        let loaded = Loaded {
            limits: limits_of(&record),
            record,
            artifact: None,
            secrets,
            gradual: None,
            by_version: false,
        };
        let input = Input {
            user: call.user,
            context: call.context,
            event: call.event,
            env: (*env).clone(),
            args: call.args,
            resume: call.resume,
            ..Input::default()
        };
        let outcome = self
            .run_one(&loaded, &artifact, input, request_id, 1, false)
            .await?;
        Ok((number, outcome))
    }

    /// A function's kept versions, newest first. `NotFound` for an unknown
    /// function.
    pub async fn versions(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<Vec<FunctionVersion>, ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.list_versions(&t, &f)).await
    }

    /// Version `number` of a function. `NotFound` for an unknown function,
    /// or a version never given or no longer kept.
    pub async fn version(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
    ) -> Result<FunctionVersion, ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.get_version(&t, &f, number))
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound(format!("version {number} of function {func_id}"))
            })
    }

    /// Deploys version `number` of a function (a rollback, or a roll
    /// forward): its code and settings become the function's, compiled
    /// again with the running plugin, for every call that starts after the
    /// answer. The function's name, scene and switch are unchanged, and no
    /// version is added. A version whose source does not compile any more
    /// (a failed one, or a plugin that refuses it now) is refused (409) and
    /// nothing changes.
    pub async fn deploy_version(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| async {
            let current = self.get(tenant, func_id).await?;
            self.deploy_as(current, number, None).await
        })
        .await
    }

    /// The version of `record`'s gradual deployment, compiled and ready to
    /// run; `None` without one, or when its version is gone or no longer
    /// compiles (then every call runs the deployed version, and the reason
    /// is logged).
    async fn gradual_arm(
        &self,
        record: &FunctionRecord,
        secrets: &BTreeMap<String, String>,
    ) -> Option<GradualArm> {
        let gradual = record.gradual.as_ref()?;
        let (t, f, n) = (
            record.tenant_id.clone(),
            record.func_id.clone(),
            gradual.version,
        );
        let version = match self.blocking(move |s| s.get_version(&t, &f, n)).await {
            Ok(Some(v)) => v,
            other => {
                tracing::warn!(func_id = %record.func_id, version = n, ?other, "gradual deployment's version is gone");
                return None;
            }
        };
        // The version runs with its own secrets.
        let secrets = match &version.secrets {
            Some(_) => {
                let opened = self
                    .version_secrets(&record.tenant_id, &record.func_id, &version)
                    .await;
                opened.ok()?
            }
            None => secrets.clone(),
        };
        let mut arm = with_version(record, &version);
        arm.gradual = None;
        let packages = self.resolve_dependencies(&arm.dependencies).await.ok()?;
        let artifact = self.compile_into(&mut arm, packages.as_ref()).await;
        if artifact.is_none() {
            tracing::warn!(func_id = %record.func_id, version = n, "gradual deployment's version does not compile");
            return None;
        }
        Some(GradualArm {
            percent: gradual.percent,
            loaded: Arc::new(Loaded {
                limits: limits_of(&arm),
                record: arm,
                artifact,
                secrets,
                gradual: None,
                by_version: true,
            }),
        })
    }

    /// Deploys version `number` to `percent` (1–99) of calls, by user, beside
    /// the deployed version; replaces a gradual deployment already running.
    /// Promote it with [`Service::deploy_version`], end it with
    /// [`Service::rollback`]. `Invalid` for a percent outside 1–99 or the
    /// deployed version itself; `Conflict` when the version does not compile.
    pub async fn deploy_gradually(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
        percent: u8,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| self.deploy_gradually_once(tenant, func_id, number, percent)).await
    }

    async fn deploy_gradually_once(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
        percent: u8,
    ) -> Result<FunctionRecord, ServiceError> {
        if !(1..=99).contains(&percent) {
            return Err(ServiceError::invalid(
                "percent",
                format!(
                    "must be from 1 to 99 (deploy without it to run the version for every call), got {percent}"
                ),
            ));
        }
        let version = self.version(tenant, func_id, number).await?;
        let mut record = self.get(tenant, func_id).await?;
        if record.deployed_version == 0 {
            return Err(ServiceError::Conflict(format!(
                "function {func_id} has no deployed version yet; a gradual deployment runs beside one"
            )));
        }
        if number == record.deployed_version {
            return Err(ServiceError::invalid(
                "version",
                format!(
                    "version {number} is the deployed one; a gradual deployment runs another beside it"
                ),
            ));
        }
        if version.status != FunctionStatus::Success {
            return Err(ServiceError::Conflict(format!(
                "version {number} does not compile: {}",
                version.upload_err_msg.as_deref().unwrap_or("no artifact")
            )));
        }
        record.gradual = Some(hookbox_store::GradualDeployment {
            version: number,
            percent,
            started_at: hookbox_store::rfc3339(hookbox_store::now_micros()),
        });
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let artifact = self.stored_artifact(&record).await?;
        self.save(record, artifact).await
    }

    /// Deploys version `number`: its code and settings become the
    /// function's, compiled with the running plugin, and any gradual
    /// deployment ends. `rollback_history: None` (a deploy): the version it
    /// replaces joins the deploy history; `Some(h)` (a rollback): the history
    /// becomes `h`, what preceded `number`. A version that does not compile
    /// is a `Conflict` and nothing changes.
    async fn deploy_as(
        &self,
        current: FunctionRecord,
        number: u64,
        rollback_history: Option<Vec<u64>>,
    ) -> Result<FunctionRecord, ServiceError> {
        let version = self
            .version(&current.tenant_id, &current.func_id, number)
            .await?;
        let mut record = with_version(&current, &version);
        // Deploying the draft makes it a draft no longer.
        if record.draft_version == Some(number) {
            record.draft_version = None;
        }
        match rollback_history {
            Some(history) => record.deploy_history = history,
            None => {
                record.deployed_version = current.deployed_version;
                record.mark_deployed(number);
            }
        }
        record.gradual = None;
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let artifact = self.compile_version(&mut record, number).await?;
        self.save(record, Some(artifact)).await
    }

    /// Deploys the version deployed before this one: the newest entry of the
    /// deploy history that is still kept and compiled (the entries after it
    /// are dropped, so rollbacks walk the history back), or, with none, the
    /// newest older version that compiled. `Conflict` when there is none.
    /// During a gradual deployment it ends that instead: every call runs the
    /// deployed version again.
    pub async fn rollback(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| self.rollback_once(tenant, func_id)).await
    }

    async fn rollback_once(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<FunctionRecord, ServiceError> {
        let current = self.get(tenant, func_id).await?;
        if current.gradual.is_some() {
            let mut record = current;
            record.gradual = None;
            record.version += 1;
            record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
            let artifact = self.stored_artifact(&record).await?;
            return self.save(record, artifact).await;
        }
        // The version deployed before this one (the history, newest first),
        // skipping what retention dropped and what does not compile; a
        // function with no history goes to the newest older version.
        let deployed = current.deployed_version;
        let kept = self.versions(tenant, func_id).await?;
        let usable = |n: u64| {
            n != deployed
                && kept
                    .iter()
                    .any(|v| v.number == n && v.status == FunctionStatus::Success)
        };
        let from_history = current.deploy_history.iter().rposition(|n| usable(*n));
        let (target, history) = match from_history {
            // Walking the history back: what came after the target goes.
            Some(at) => (
                current.deploy_history[at],
                current.deploy_history[..at].to_vec(),
            ),
            None => {
                let older = kept
                    .iter()
                    .find(|v| v.number < deployed && v.status == FunctionStatus::Success)
                    .ok_or_else(|| {
                        ServiceError::Conflict(format!(
                            "function {func_id} has no kept version before {deployed} that compiled"
                        ))
                    })?;
                (older.number, Vec::new())
            }
        };
        self.deploy_as(current, target, Some(history)).await
    }

    /// Compiles `record` (version `number`'s code) with the running plugin;
    /// a `Conflict` naming the version when it does not compile.
    pub(crate) async fn compile_version(
        &self,
        record: &mut FunctionRecord,
        number: u64,
    ) -> Result<Artifact, ServiceError> {
        let packages = self.resolve_dependencies(&record.dependencies).await?;
        self.compile_into(record, packages.as_ref())
            .await
            .ok_or_else(|| {
                ServiceError::Conflict(format!(
                    "version {number} does not compile: {}",
                    record.upload_err_msg.as_deref().unwrap_or("no artifact")
                ))
            })
    }

    /// Recompiles a function from its stored source (Authing's reupload).
    pub async fn reupload(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| self.reupload_once(tenant, func_id)).await
    }

    async fn reupload_once(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<FunctionRecord, ServiceError> {
        let mut record = self.get(tenant, func_id).await?;
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let packages = self.resolve_dependencies(&record.dependencies).await?;
        let artifact = self.compile_into(&mut record, packages.as_ref()).await;
        self.save(record, artifact).await
    }

    pub async fn get(&self, tenant: &str, func_id: &str) -> Result<FunctionRecord, ServiceError> {
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.get_function(&t, &f))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("function {func_id}")))
    }

    pub async fn list(
        &self,
        tenant: &str,
        scene: Option<&str>,
    ) -> Result<Vec<FunctionRecord>, ServiceError> {
        if let Some(scene) = scene {
            check_scene(scene)?;
        }
        let (t, s) = (tenant.to_string(), scene.map(str::to_string));
        self.blocking(move |st| st.list_functions(&t, s.as_deref()))
            .await
    }

    pub async fn delete(&self, tenant: &str, func_id: &str) -> Result<(), ServiceError> {
        let (t, f) = (tenant.to_string(), func_id.to_string());
        let existed = self
            .blocking(move |s| {
                let existed = s.delete_function(&t, &f)?;
                s.flush()?;
                Ok(existed)
            })
            .await?;
        self.forget(tenant, func_id);
        if !existed {
            return Err(ServiceError::NotFound(format!("function {func_id}")));
        }
        Ok(())
    }

    /// Sets a scene's run order: `order` lists each of its functions once.
    /// Returns the order as stored.
    pub async fn set_order(
        &self,
        tenant: &str,
        scene: &str,
        order: Vec<String>,
    ) -> Result<Vec<String>, ServiceError> {
        self.reorder(tenant, scene, order, false).await
    }

    /// Puts `leading` first in a scene's run order, in that order, and the
    /// scene's other functions after them in their current order (Authing's
    /// `update-pipeline-order` with only some of them). An id not in the
    /// scene, or listed twice, is refused. Returns the order as stored.
    pub async fn lead_order(
        &self,
        tenant: &str,
        scene: &str,
        leading: Vec<String>,
    ) -> Result<Vec<String>, ServiceError> {
        self.reorder(tenant, scene, leading, true).await
    }

    async fn reorder(
        &self,
        tenant: &str,
        scene: &str,
        order: Vec<String>,
        partial: bool,
    ) -> Result<Vec<String>, ServiceError> {
        check_scene(scene)?;
        let (t, s) = (tenant.to_string(), scene.to_string());
        let stored = self
            .blocking(move |st| {
                if partial {
                    st.lead_scene_order(&t, &s, &order)?;
                } else {
                    st.set_scene_order(&t, &s, &order)?;
                }
                st.flush()?;
                st.scene_order(&t, &s)
            })
            .await?;
        self.inner
            .orders
            .invalidate(&(tenant.to_string(), scene.to_string()));
        Ok(stored)
    }

    async fn compile_into(
        &self,
        record: &mut FunctionRecord,
        packages: Option<&crate::packages::Bundle>,
    ) -> Option<Artifact> {
        let started = Instant::now();
        let compiled = self
            .inner
            .engine
            .compile_with_packages(&record.source_code, packages.map(|p| p.text.as_str()))
            .await;
        self.inner
            .metrics
            .compile_seconds
            .observe(started.elapsed().as_secs_f64());
        match compiled {
            Ok(artifact) => {
                record.status = FunctionStatus::Success;
                record.upload_err_msg = None;
                record.plugin = Some(artifact.plugin().to_string());
                Some(artifact)
            }
            Err(e) => {
                record.status = FunctionStatus::Failed;
                record.upload_err_msg = Some(match &e {
                    CompileError::Syntax { message, line, .. }
                        if message.starts_with("in the function's packages:") =>
                    {
                        let described = packages
                            .map(|p| p.describe(message, *line))
                            .unwrap_or_else(|| message.clone());
                        format!("in the function's packages: {described}")
                    }
                    CompileError::Syntax {
                        message,
                        line,
                        column,
                    } => format!("{message} (line {line}, column {column})"),
                    other => other.to_string(),
                });
                record.plugin = None;
                None
            }
        }
    }

    async fn stored_artifact(
        &self,
        record: &FunctionRecord,
    ) -> Result<Option<Artifact>, ServiceError> {
        let (t, f) = (record.tenant_id.clone(), record.func_id.clone());
        let bytes = self.blocking(move |s| s.get_artifact(&t, &f)).await?;
        Ok(bytes.and_then(|b| Artifact::from_wasm(&b).ok()))
    }

    /// Writes a record and its artifact atomically, flushes (an acknowledged
    /// upload survives a crash) and refreshes the caches.
    /// Saves `record` as a new version of its function, deployed: numbered
    /// after the highest one given so far, and kept with the newest
    /// [`ServiceConfig::versions_kept`].
    async fn save_version(
        &self,
        record: FunctionRecord,
        artifact: Option<Artifact>,
        saved_by: Option<String>,
    ) -> Result<FunctionRecord, ServiceError> {
        self.save_version_with(record, artifact, saved_by, None)
            .await
    }

    /// [`Service::save_version`], the version running with `secrets` (which
    /// become the live ones); `None`: the live secrets, as they are.
    pub(crate) async fn save_version_with(
        &self,
        mut record: FunctionRecord,
        artifact: Option<Artifact>,
        saved_by: Option<String>,
        secrets: Option<SealedSecrets>,
    ) -> Result<FunctionRecord, ServiceError> {
        let number = record.latest_version + 1;
        record.latest_version = number;
        record.mark_deployed(number);
        // A version deployed to every call ends a gradual deployment.
        record.gradual = None;
        let mut version = FunctionVersion::of(&record, number, artifact_sha256(artifact.as_ref()));
        version.created_by = saved_by;
        version.secrets = secrets;
        self.save_kept(record, artifact, version).await
    }

    /// `secrets` sealed for `record`'s function.
    pub(crate) async fn seal_secrets(
        &self,
        record: &FunctionRecord,
        secrets: BTreeMap<String, String>,
    ) -> Result<SealedSecrets, ServiceError> {
        let (t, f) = (record.tenant_id.clone(), record.func_id.clone());
        self.blocking(move |s| s.seal_function_secrets(&t, &f, &secrets))
            .await
    }

    /// The secrets version `v` runs with: its own, or, for a version saved
    /// before secrets were versioned, the function's live ones.
    pub async fn version_secrets(
        &self,
        tenant: &str,
        func_id: &str,
        v: &FunctionVersion,
    ) -> Result<BTreeMap<String, String>, ServiceError> {
        let (t, f, sealed) = (tenant.to_string(), func_id.to_string(), v.secrets.clone());
        self.blocking(move |s| match sealed {
            Some(sealed) => s.open_function_secrets(&t, &f, &sealed),
            None => s.hook_secrets(&t, &f),
        })
        .await
    }

    /// Saves a new function's first version without deploying it
    /// (`deployed_version` stays 0, so nothing runs it).
    async fn save_undeployed(
        &self,
        mut record: FunctionRecord,
        artifact: Option<Artifact>,
        saved_by: Option<String>,
        secrets: SealedSecrets,
    ) -> Result<FunctionRecord, ServiceError> {
        let number = record.latest_version + 1;
        record.latest_version = number;
        record.draft_version = Some(number);
        let mut version = FunctionVersion::of(&record, number, artifact_sha256(artifact.as_ref()));
        version.created_by = saved_by;
        version.secrets = Some(secrets);
        self.save_kept(record, artifact, version).await
    }

    /// Saves `record` (with `artifact`) and the new `version` together,
    /// then drops the versions beyond what is kept.
    async fn save_kept(
        &self,
        record: FunctionRecord,
        artifact: Option<Artifact>,
        version: FunctionVersion,
    ) -> Result<FunctionRecord, ServiceError> {
        let saved = self.save_with(record, artifact, Some(version)).await?;
        let (t, f) = (saved.tenant_id.clone(), saved.func_id.clone());
        // The deployed version, and one in a gradual deployment, stay.
        let mut pinned = vec![saved.deployed_version];
        pinned.extend(saved.gradual.as_ref().map(|g| g.version));
        pinned.extend(saved.draft_version);
        let keep = self.inner.config.versions_kept;
        self.blocking(move |s| s.prune_versions(&t, &f, &pinned, keep))
            .await?;
        Ok(saved)
    }

    async fn save(
        &self,
        record: FunctionRecord,
        artifact: Option<Artifact>,
    ) -> Result<FunctionRecord, ServiceError> {
        self.save_with(record, artifact, None).await
    }

    async fn save_with(
        &self,
        record: FunctionRecord,
        artifact: Option<Artifact>,
        version: Option<FunctionVersion>,
    ) -> Result<FunctionRecord, ServiceError> {
        let wasm = artifact.as_ref().map(Artifact::to_wasm);
        let stored = record.clone();
        let ticket = self.inner.functions.ticket(&record.tenant_id);
        // A hook's name is unique among the tenant's hooks, and an Action's
        // among its Actions (Auth0 finds both by name): checked in the
        // write's own transaction.
        let kind = auth0_kind(&record);
        let (record, secrets) = self
            .blocking(move |s| {
                // Written only over the revision it was computed from: a
                // change that landed meanwhile makes this one `Stale`, and
                // the caller redoes it on the new state.
                s.put_function_based(&stored, wasm.as_deref(), version.as_ref(), |other| {
                    kind.is_some() && auth0_kind(other) == kind
                })?;
                s.flush()?;
                let secrets = s.hook_secrets(&stored.tenant_id, &stored.func_id)?;
                Ok((stored, secrets))
            })
            .await?;
        let key = (record.tenant_id.clone(), record.func_id.clone());
        let gradual = self.gradual_arm(&record, &secrets).await;
        let loaded = Arc::new(Loaded {
            limits: limits_of(&record),
            by_version: gradual.is_some(),
            record: record.clone(),
            artifact,
            secrets,
            gradual,
        });
        self.inner.functions.replace(ticket, key, loaded);
        // A function may have moved between scenes: drop the tenant's orders.
        self.inner.orders.invalidate_tenant(&record.tenant_id);
        Ok(record)
    }

    /// After a function's deletion.
    fn forget(&self, tenant: &str, func_id: &str) {
        let key = (tenant.to_string(), func_id.to_string());
        self.inner.functions.invalidate(&key);
        self.inner.action_caches.invalidate(&key);
        self.inner.orders.invalidate_tenant(tenant);
    }

    /// A function ready to run: from the cache, or loaded from the store. An
    /// artifact built by another plugin is rebuilt from source, never run.
    async fn load(&self, tenant: &str, func_id: &str) -> Result<Arc<Loaded>, ServiceError> {
        let key = (tenant.to_string(), func_id.to_string());
        let ticket = match self.inner.functions.get(&key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (t, f) = key.clone();
        let (record, bytes, secrets) = self
            .blocking(move |s| {
                let record = s.get_function(&t, &f)?;
                let bytes = match &record {
                    Some(r) if r.status == FunctionStatus::Success => s.get_artifact(&t, &f)?,
                    _ => None,
                };
                let secrets = match &record {
                    Some(_) => s.hook_secrets(&t, &f)?,
                    None => BTreeMap::new(),
                };
                Ok((record, bytes, secrets))
            })
            .await?;
        let mut record =
            record.ok_or_else(|| ServiceError::NotFound(format!("function {func_id}")))?;
        let mut artifact = bytes.and_then(|b| Artifact::from_wasm(&b).ok());
        let stale = record.status == FunctionStatus::Success
            && artifact
                .as_ref()
                .is_none_or(|a| a.plugin() != self.inner.engine.plugin_hash());
        if stale {
            tracing::info!(
                tenant,
                func_id,
                "rebuilding an artifact built for another engine plugin"
            );
            artifact = match self.resolve_dependencies(&record.dependencies).await {
                Ok(packages) => self.compile_into(&mut record, packages.as_ref()).await,
                Err(e) => {
                    record.status = FunctionStatus::Failed;
                    record.upload_err_msg = Some(e.to_string());
                    record.plugin = None;
                    None
                }
            };
            let wasm = artifact.as_ref().map(Artifact::to_wasm);
            let stored = record.clone();
            // Only over the version it was rebuilt from: an update that
            // landed meanwhile is newer, and stays.
            self.blocking(move |s| s.rebuild_function(&stored, wasm.as_deref()))
                .await?;
        }
        let gradual = self.gradual_arm(&record, &secrets).await;
        let loaded = Arc::new(Loaded {
            limits: limits_of(&record),
            by_version: gradual.is_some(),
            record,
            artifact,
            secrets,
            gradual,
        });
        self.inner.functions.fill(ticket, key, loaded.clone());
        Ok(loaded)
    }

    async fn scene_order(
        &self,
        tenant: &str,
        scene: &str,
    ) -> Result<Arc<Vec<String>>, ServiceError> {
        let key = (tenant.to_string(), scene.to_string());
        let ticket = match self.inner.orders.get(&key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (t, s) = key.clone();
        let order = Arc::new(self.blocking(move |st| st.scene_order(&t, &s)).await?);
        self.inner.orders.fill(ticket, key, order.clone());
        Ok(order)
    }

    // ------------------------------------------------------------ env

    pub async fn env(&self, tenant: &str) -> Result<Arc<BTreeMap<String, String>>, ServiceError> {
        let key = tenant.to_string();
        let ticket = match self.inner.envs.get(&key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let t = tenant.to_string();
        let env = Arc::new(self.blocking(move |s| s.env(&t)).await?);
        self.inner.envs.fill(ticket, key, env.clone());
        Ok(env)
    }

    pub async fn set_env(&self, tenant: &str, key: &str, value: &str) -> Result<(), ServiceError> {
        check_env_key(key)?;
        check_env_value("value", value)?;
        let (t, k, v) = (tenant.to_string(), key.to_string(), value.to_string());
        self.blocking(move |s| {
            s.set_env(&t, &k, &v)?;
            s.flush()
        })
        .await?;
        self.inner.envs.invalidate(&tenant.to_string());
        Ok(())
    }

    /// Sets several variables: every key and value is checked first, then all
    /// are written in one transaction, so a bad one leaves nothing changed.
    pub async fn set_env_many(
        &self,
        tenant: &str,
        vars: BTreeMap<String, String>,
    ) -> Result<(), ServiceError> {
        for (key, value) in &vars {
            let field = format!("{key:?}");
            check_env_key(key).map_err(|e| match e {
                ServiceError::Invalid { message, .. } => {
                    ServiceError::invalid(&field, format!("a variable's name {message}"))
                }
                other => other,
            })?;
            check_env_value(&field, value)?;
        }
        let t = tenant.to_string();
        self.blocking(move |s| {
            s.set_env_many(&t, &vars)?;
            s.flush()
        })
        .await?;
        self.inner.envs.invalidate(&tenant.to_string());
        Ok(())
    }

    pub async fn delete_env(&self, tenant: &str, key: &str) -> Result<(), ServiceError> {
        let (t, k) = (tenant.to_string(), key.to_string());
        let existed = self
            .blocking(move |s| {
                let existed = s.delete_env(&t, &k)?;
                s.flush()?;
                Ok(existed)
            })
            .await?;
        self.inner.envs.invalidate(&tenant.to_string());
        if !existed {
            return Err(ServiceError::NotFound(format!(
                "environment variable {key}"
            )));
        }
        Ok(())
    }

    // ------------------------------------------------------------ outbound

    /// A tenant's outbound allow-list (normalised rules); empty by default.
    pub async fn outbound_allow(&self, tenant: &str) -> Result<Vec<String>, ServiceError> {
        let t = tenant.to_string();
        self.blocking(move |s| s.outbound_allow(&t)).await
    }

    /// Replaces a tenant's outbound allow-list after validating every rule;
    /// returns the rules as stored. Takes effect for the next call.
    pub async fn set_outbound_allow(
        &self,
        tenant: &str,
        rules: Vec<String>,
    ) -> Result<Vec<String>, ServiceError> {
        let (_, normalised) =
            AllowList::parse(&rules).map_err(|e| ServiceError::invalid("allow", e))?;
        // A rule naming an address functions may never reach is a mistake
        // to report now, not at the first call.
        check_reachable(&rules, self.inner.config.outbound_private)
            .map_err(|e| ServiceError::invalid("allow", e))?;
        let (t, stored) = (tenant.to_string(), normalised.clone());
        self.blocking(move |s| {
            s.set_outbound_allow(&t, &stored)?;
            s.flush()
        })
        .await?;
        self.inner.allow_lists.invalidate(&tenant.to_string());
        Ok(normalised)
    }

    /// How this tenant's functions reach the network.
    async fn outbound_for(&self, tenant: &str) -> Result<Option<Arc<dyn Outbound>>, ServiceError> {
        let Some(client) = &self.inner.outbound else {
            return Ok(None);
        };
        Ok(Some(client.for_tenant(self.allow_list(tenant).await?)))
    }

    /// A tenant's parsed allow-list, cached.
    async fn allow_list(&self, tenant: &str) -> Result<Arc<AllowList>, ServiceError> {
        let key = tenant.to_string();
        let ticket = match self.inner.allow_lists.get(&key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let rules = self.outbound_allow(tenant).await?;
        // Stored rules were validated on the way in; a rule this version no
        // longer accepts allows nothing.
        let allow = Arc::new(AllowList::parse(&rules).map(|(l, _)| l).unwrap_or_default());
        self.inner.allow_lists.fill(ticket, key, allow.clone());
        Ok(allow)
    }

    // ------------------------------------------------------------ hook secrets

    /// A hook's secrets (Auth0's `GET /hooks/{id}/secrets`).
    pub async fn hook_secrets(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<BTreeMap<String, String>, ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.hook_secrets(&t, &f)).await
    }

    /// Adds new secrets; a name that exists already is a conflict, and a hook
    /// holds at most [`crate::MAX_SECRETS`].
    pub async fn add_hook_secrets(
        &self,
        tenant: &str,
        func_id: &str,
        add: BTreeMap<String, String>,
        saved_by: Option<String>,
    ) -> Result<(), ServiceError> {
        check_secrets(&add)?;
        self.change_secrets(tenant, func_id, saved_by, move |map| {
            if let Some(name) = add.keys().find(|k| map.contains_key(*k)) {
                return Err(StoreError::Conflict(format!(
                    "secret {name} already exists; update it instead"
                )));
            }
            if map.len() + add.len() > hooks::MAX_SECRETS {
                return Err(StoreError::Invalid(format!(
                    "a hook holds at most {} secrets; it has {} and {} were added",
                    hooks::MAX_SECRETS,
                    map.len(),
                    add.len()
                )));
            }
            map.extend(add.clone());
            Ok(())
        })
        .await
    }

    /// Replaces the values of existing secrets; an unknown name is not found.
    pub async fn update_hook_secrets(
        &self,
        tenant: &str,
        func_id: &str,
        update: BTreeMap<String, String>,
        saved_by: Option<String>,
    ) -> Result<(), ServiceError> {
        check_secrets(&update)?;
        self.change_secrets(tenant, func_id, saved_by, move |map| {
            if let Some(name) = update.keys().find(|k| !map.contains_key(*k)) {
                return Err(StoreError::NotFound(format!("secret {name}")));
            }
            map.extend(update.clone());
            Ok(())
        })
        .await
    }

    /// Removes secrets by name; an unknown name is not found (nothing removed).
    pub async fn delete_hook_secrets(
        &self,
        tenant: &str,
        func_id: &str,
        names: Vec<String>,
        saved_by: Option<String>,
    ) -> Result<(), ServiceError> {
        self.change_secrets(tenant, func_id, saved_by, move |map| {
            if let Some(name) = names.iter().find(|k| !map.contains_key(*k)) {
                return Err(StoreError::NotFound(format!("secret {name}")));
            }
            for name in &names {
                map.remove(name);
            }
            Ok(())
        })
        .await
    }

    /// Replaces a function's secrets whole (the native API's
    /// `PUT /v1/functions/{id}/secrets`): every name and value is checked
    /// before anything is written, and an empty map removes them all. At
    /// most [`crate::MAX_SECRETS`]. Returns their names.
    pub async fn replace_secrets(
        &self,
        tenant: &str,
        func_id: &str,
        secrets: BTreeMap<String, String>,
        saved_by: Option<String>,
    ) -> Result<Vec<String>, ServiceError> {
        check_secret_set(&secrets)?;
        let names = secrets.keys().cloned().collect();
        self.change_secrets(tenant, func_id, saved_by, move |map| {
            *map = secrets.clone();
            Ok(())
        })
        .await?;
        Ok(names)
    }

    async fn change_secrets<F>(
        &self,
        tenant: &str,
        func_id: &str,
        saved_by: Option<String>,
        change: F,
    ) -> Result<(), ServiceError>
    where
        F: Fn(&mut BTreeMap<String, String>) -> Result<(), StoreError> + Send + 'static,
    {
        let (t, f) = (tenant.to_string(), func_id.to_string());
        let changed = self
            .blocking(move |s| {
                s.update_hook_secrets(&t, &f, &change)?;
                s.flush()
            })
            .await;
        // The cached function carries its secrets: reload on next use.
        self.inner
            .functions
            .invalidate(&(tenant.to_string(), func_id.to_string()));
        changed.map_err(|e| match e {
            ServiceError::Invalid { message, .. } => ServiceError::invalid("secrets", message),
            other => other,
        })?;
        redo(|| self.version_secrets_change(tenant, func_id, saved_by.clone())).await
    }

    /// A change of the live secrets is a version: the deployed code and
    /// settings with the new secrets, deployed (a gradual deployment goes
    /// on). A function never deployed gets an undeployed version instead.
    async fn version_secrets_change(
        &self,
        tenant: &str,
        func_id: &str,
        saved_by: Option<String>,
    ) -> Result<(), ServiceError> {
        let before = self.get(tenant, func_id).await?;
        if before.deployed_version == 0 {
            // Never deployed: the newest version (the draft) with the new
            // secrets, as a new draft.
            let draft = before.draft_version.unwrap_or(before.latest_version);
            let newest = self.version(tenant, func_id, draft).await?;
            let mut candidate = with_version(&before, &newest);
            candidate.version += 1;
            candidate.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
            self.save_draft(before, candidate, false, saved_by, None)
                .await?;
            return Ok(());
        }
        let mut record = before.clone();
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let artifact = self.stored_artifact(&record).await?;
        // The store records the live (new) secrets in the version; a
        // gradual deployment ends, as for any version deployed to all.
        let saved = self
            .save_version_with(record, artifact, saved_by.clone(), None)
            .await?;
        // A pending draft takes the new secrets too: deploying it later must
        // not bring back the ones just replaced (a rotated key, say).
        if let Some(pending) = saved.draft_version {
            let draft = self.version(tenant, func_id, pending).await?;
            let mut candidate = with_version(&saved, &draft);
            candidate.version += 1;
            candidate.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
            self.save_draft(saved, candidate, false, saved_by, None)
                .await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ running

    /// Runs one function once (`POST /v1/functions/{id}/invoke`).
    pub async fn invoke(
        &self,
        tenant: &str,
        func_id: &str,
        call: Call,
        request_id: &str,
    ) -> Result<Outcome, ServiceError> {
        call.validate()?;
        call.refuse_continue_at()?;
        let loaded =
            self.load(tenant, func_id)
                .await?
                .arm(&call.user, call.event.as_ref(), request_id);
        if loaded.record.deployed_version == 0 {
            return Err(ServiceError::Conflict(format!(
                "function {func_id} has no deployed version yet; deploy one (or test the draft) first"
            )));
        }
        if call.resume && loaded.record.scene != RESUMABLE_SCENE {
            return Err(ServiceError::invalid(
                "continue",
                format!(
                    "only a function of the {RESUMABLE_SCENE} scene resumes after a redirect (exports.onContinuePostLogin); {func_id} is in {}",
                    loaded.record.scene
                ),
            ));
        }
        let env = self.env(tenant).await?;
        let Some(artifact) = &loaded.artifact else {
            return Err(ServiceError::Conflict(format!(
                "function {func_id} failed to compile: {}",
                loaded
                    .record
                    .upload_err_msg
                    .as_deref()
                    .unwrap_or("no artifact")
            )));
        };
        let input = Input {
            user: call.user,
            context: call.context,
            event: call.event,
            env: (*env).clone(),
            args: call.args,
            resume: call.resume,
            ..Input::default()
        };
        self.run_one(&loaded, artifact, input, request_id, 1, true)
            .await
    }

    /// Runs a source once without storing anything (`POST /v1/run`).
    pub async fn dry_run(
        &self,
        tenant: &str,
        source: &str,
        call: Call,
        timeout: Option<u32>,
    ) -> Result<Outcome, ServiceError> {
        call.validate()?;
        call.refuse_continue_at()?;
        if source.len() > hookbox_engine::MAX_SOURCE_BYTES {
            return Err(ServiceError::invalid(
                "sourceCode",
                "the limit is 102400 bytes (100 KB)",
            ));
        }
        let mut limits = Limits::default();
        if let Some(t) = timeout {
            limits
                .timeout(Duration::from_secs(t as u64))
                .map_err(|e| ServiceError::invalid("timeout", e.to_string()))?;
        }
        let artifact = self
            .inner
            .engine
            .compile(source)
            .await
            .map_err(|e| match e {
                CompileError::Syntax {
                    message,
                    line,
                    column,
                } => ServiceError::invalid(
                    "sourceCode",
                    format!("{message} (line {line}, column {column})"),
                ),
                other => ServiceError::invalid("sourceCode", other.to_string()),
            })?;
        let env = self.env(tenant).await?;
        let outbound = self.outbound_for(tenant).await?;
        let input = Input {
            user: call.user,
            context: call.context,
            event: call.event,
            env: (*env).clone(),
            args: call.args,
            resume: call.resume,
            ..Input::default()
        };
        self.inner
            .engine
            .invoke_with(&artifact, &input, &limits, outbound)
            .await
            .map_err(invoke_error)
    }

    /// Runs one function with what every call of it gets besides the
    /// caller's input: its scene's Actions trigger, its secrets, its live
    /// Actions cache and the facts of the call ([`CallMeta`]). Afterwards: an
    /// authorizer's result is checked, cache writes are stored, the call is
    /// counted and logged (secrets redacted). A test run (`live: false`)
    /// stores nothing: no cache write, no count, no log record.
    async fn run_one(
        &self,
        loaded: &Loaded,
        artifact: &Artifact,
        mut input: Input,
        request_id: &str,
        attempt: u32,
        live: bool,
    ) -> Result<Outcome, ServiceError> {
        let record = &loaded.record;
        let hook = is_trigger(&record.scene);
        if hook {
            hooks::inject_secrets(&mut input, &loaded.secrets);
        }
        input.trigger = action_trigger(&record.scene).map(str::to_string);
        input.secrets = loaded.secrets.clone();
        input.cache = self.action_cache(&record.tenant_id, &record.func_id).await;
        input.meta = Some(CallMeta {
            request_id: request_id.to_string(),
            function_name: record.func_name.clone(),
            function_version: record.deployed_version.to_string(),
            memory_mb: record.memory_limit_mb,
            timeout_ms: u64::from(record.timeout.clamp(1, 60)) * 1000,
            tenant_id: record.tenant_id.clone(),
            domain: (*self.domain(&record.tenant_id).await?).clone(),
        });
        let outbound = self.outbound_for(&record.tenant_id).await?;
        let mut outcome = self
            .inner
            .engine
            .invoke_with(artifact, &input, &loaded.limits, outbound)
            .await
            .map_err(invoke_error)?;
        if hook {
            hooks::strip_secrets(&mut outcome.context);
        }
        check_redirects(&mut outcome);
        if record.scene == AUTHORIZER {
            authorizer::enforce(&mut outcome);
        }
        if !live {
            return Ok(outcome);
        }
        if !outcome.cache.is_empty() {
            self.save_action_cache(&record.tenant_id, &record.func_id, outcome.cache.clone())
                .await;
        }
        let m = &self.inner.metrics;
        m.invocations
            .get_or_create(&OutcomeLabels {
                tenant: record.tenant_id.clone(),
                scene: record.scene.clone(),
                outcome: outcome.outcome.as_str().to_string(),
            })
            .inc();
        if loaded.by_version {
            m.gradual_invocations
                .get_or_create(&VersionLabels {
                    tenant: record.tenant_id.clone(),
                    function: record.func_id.clone(),
                    version: record.deployed_version.to_string(),
                    outcome: outcome.outcome.as_str().to_string(),
                })
                .inc();
        }
        m.invocation_seconds
            .get_or_create(&SceneLabels {
                scene: record.scene.clone(),
            })
            .observe(outcome.duration_us as f64 / 1e6);
        let secrets = Redactor::new(input.env.iter().chain(&loaded.secrets));
        self.record_log(record, &outcome, request_id, attempt, &secrets);
        Ok(outcome)
    }

    fn record_log(
        &self,
        record: &FunctionRecord,
        outcome: &Outcome,
        request_id: &str,
        attempt: u32,
        secrets: &Redactor,
    ) {
        let mut log = log_record(
            (&record.tenant_id, &record.func_id, None),
            outcome,
            request_id,
            (record.is_asynchronous, attempt),
            secrets,
        );
        log.version = Some(record.deployed_version);
        self.push_log(log);
    }

    /// Hands an invocation record to the log writer (counted when dropped).
    fn push_log(&self, log: LogRecord) {
        if !self.inner.logs.push(log) {
            self.inner.metrics.logs_dropped.inc();
        }
    }

    /// Runs a scene's pipeline: the gateway's call, once per login stage.
    pub async fn run_scene(
        &self,
        tenant: &str,
        scene: &str,
        call: Call,
        request_id: &str,
    ) -> Result<SceneResult, ServiceError> {
        check_scene(scene)?;
        call.validate()?;
        if call.resume && scene != RESUMABLE_SCENE {
            return Err(ServiceError::invalid(
                "continue",
                format!(
                    "only the {RESUMABLE_SCENE} scene resumes after a redirect (exports.onContinuePostLogin), not {scene}"
                ),
            ));
        }
        let mut resume_at = match (call.resume, call.continue_at.as_deref()) {
            (true, Some(id)) => Some(id.to_string()),
            (true, None) => {
                return Err(ServiceError::invalid(
                    "continueAt",
                    "is required with \"continue\": true on a scene run: the redirectedBy of the run that paused",
                ));
            }
            (false, Some(_)) => {
                return Err(ServiceError::invalid(
                    "continueAt",
                    "is only read with \"continue\": true",
                ));
            }
            (false, None) => None,
        };
        let started = Instant::now();
        let order = self.scene_order(tenant, scene).await?;
        let env = self.env(tenant).await?;
        let mut result = SceneResult {
            outcome: OutcomeKind::Ok,
            error: None,
            user: if call.user.is_null() {
                Value::Object(Default::default())
            } else {
                call.user
            },
            context: if call.context.is_null() {
                Value::Object(Default::default())
            } else {
                call.context
            },
            tokens: Tokens::default(),
            custom_data: serde_json::Map::new(),
            stopped_by: None,
            steps: Vec::new(),
            queued: Vec::new(),
            result: Value::Null,
            metadata: Metadata::default(),
            commands: Vec::new(),
            redirected_by: None,
        };
        // The gateway's event, if it sent one: metadata changes reach the
        // next function through its `user` too.
        let mut event = call.event;
        // Async functions are queued together after the loop: all or none.
        let mut jobs = Vec::new();
        for func_id in order.iter() {
            let loaded = match self.load(tenant, func_id).await {
                Ok(l) => l.arm(&result.user, event.as_ref(), request_id),
                // Deleted between reading the order and loading it.
                Err(ServiceError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let record = &loaded.record;
            let runs = record.enabled && record.deployed_version != 0;
            let Some(artifact) = loaded.artifact.as_ref().filter(|_| runs) else {
                continue;
            };
            // Resuming: the functions before the one that redirected ran
            // before the redirect; it runs onContinuePostLogin.
            let resume = match resume_at.as_deref() {
                Some(id) if id == record.func_id => {
                    resume_at = None;
                    true
                }
                Some(_) => continue,
                None => false,
            };
            let input = Input {
                user: result.user.clone(),
                context: result.context.clone(),
                event: event.clone(),
                env: (*env).clone(),
                args: call.args.clone(),
                resume,
                ..Input::default()
            };
            if record.is_asynchronous {
                jobs.push(job_for(record, &input, request_id));
                result.queued.push(record.func_id.clone());
                continue;
            }
            let mut outcome = self
                .run_one(&loaded, artifact, input, request_id, 1, true)
                .await?;
            let metadata = std::mem::take(&mut outcome.metadata);
            result.steps.push(Step {
                func_id: record.func_id.clone(),
                func_name: record.func_name.clone(),
                outcome: outcome.outcome,
                duration_us: outcome.duration_us,
                error: outcome.error.clone(),
            });
            match outcome.outcome {
                OutcomeKind::Ok => {
                    if outcome.user.is_object() {
                        result.user = outcome.user;
                    }
                    if outcome.context.is_object() {
                        result.context = outcome.context;
                    }
                    result.tokens.id_token.extend(outcome.tokens.id_token);
                    result
                        .tokens
                        .access_token
                        .extend(outcome.tokens.access_token);
                    result.custom_data.extend(outcome.custom_data);
                    if is_trigger(scene) {
                        hooks::apply_payload(
                            scene,
                            &outcome.result,
                            &mut result.user,
                            &mut result.tokens,
                        );
                        // A registration hook's metadata is the gateway's to
                        // persist too, beside the Actions' (`metadata`).
                        merge_metadata(
                            &mut result,
                            event.as_mut(),
                            hooks::payload_metadata(scene, &outcome.result),
                        );
                    }
                    if !outcome.result.is_null() {
                        result.result = outcome.result;
                    }
                    merge_metadata(&mut result, event.as_mut(), metadata);
                    let redirected = outcome
                        .commands
                        .iter()
                        .any(|c| c.method == REDIRECT_COMMAND);
                    result
                        .commands
                        .extend(outcome.commands.into_iter().map(|c| SceneCommand {
                            func_id: record.func_id.clone(),
                            method: c.method,
                            args: c.args,
                        }));
                    // Auth0 redirects once the Action finishes and runs the
                    // rest of the flow only after the user comes back.
                    if redirected {
                        result.redirected_by = Some(record.func_id.clone());
                        break;
                    }
                }
                // A timeout only stops the flow when the function says so;
                // otherwise the flow goes on with the user and context unchanged.
                OutcomeKind::Timeout if !record.terminate_on_timeout => {}
                kind => {
                    // Auth0 keeps a denied login's metadata changes.
                    merge_metadata(&mut result, event.as_mut(), metadata);
                    result.outcome = kind;
                    result.error = outcome.error;
                    result.stopped_by = Some(record.func_id.clone());
                    break;
                }
            }
        }
        if let Some(id) = resume_at {
            return Err(ServiceError::invalid(
                "continueAt",
                format!("{id} is not an enabled function of the {scene} scene"),
            ));
        }
        self.enqueue(jobs).await?;
        let m = &self.inner.metrics;
        m.scene_runs
            .get_or_create(&OutcomeLabels {
                tenant: tenant.to_string(),
                scene: scene.to_string(),
                outcome: result.outcome.as_str().to_string(),
            })
            .inc();
        m.scene_seconds
            .get_or_create(&SceneLabels {
                scene: scene.to_string(),
            })
            .observe(started.elapsed().as_secs_f64());
        Ok(result)
    }

    // ------------------------------------------------------------ the async queue

    /// Queues a scene run's async jobs in one transaction, durable before
    /// the answer.
    async fn enqueue(&self, jobs: Vec<Job>) -> Result<(), ServiceError> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.blocking(move |s| {
            s.enqueue_many(&jobs)?;
            s.flush()
        })
        .await?;
        self.inner.queue_wake.notify_one();
        Ok(())
    }

    async fn work_queue(self, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            let now = hookbox_store::now_micros();
            let jobs = match self.blocking(move |s| s.due_jobs(now, 16)).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "reading the job queue failed");
                    Vec::new()
                }
            };
            for job in jobs {
                if *stopped.borrow() {
                    return;
                }
                if let Err(e) = self.run_job(job).await {
                    tracing::error!(error = %e, "async job failed to run");
                }
            }
            tokio::select! {
                _ = stopped.changed() => {}
                _ = self.inner.queue_wake.notified() => {}
                _ = tokio::time::sleep(self.inner.config.queue_poll) => {}
            }
        }
    }

    /// Runs one job. Before running it is leased (pushed into the future), so
    /// a crash mid-run makes it due again later: at-least-once.
    async fn run_job(&self, mut job: Job) -> Result<(), ServiceError> {
        job.attempts += 1;
        let loaded = match self.load(&job.tenant_id, &job.func_id).await {
            Ok(l) => l.arm(
                job.input.get("user").unwrap_or(&Value::Null),
                job.input.get("event"),
                &job.request_id,
            ),
            Err(ServiceError::NotFound(_)) => {
                let id = job.id.clone();
                return self.blocking(move |s| s.complete_job(&id)).await;
            }
            Err(e) => return Err(e),
        };
        let lease = Duration::from_secs(loaded.record.timeout as u64 + 30);
        let mut leased = job.clone();
        leased.next_at_micros = hookbox_store::now_micros() + lease.as_micros() as u64;
        self.blocking(move |s| s.reschedule_job(&leased)).await?;

        let outcome = match &loaded.artifact {
            Some(artifact) => {
                let env = self.env(&job.tenant_id).await?;
                let input = Input {
                    user: job.input.get("user").cloned().unwrap_or(Value::Null),
                    context: job.input.get("context").cloned().unwrap_or(Value::Null),
                    event: job.input.get("event").cloned().filter(|v| !v.is_null()),
                    env: (*env).clone(),
                    args: job
                        .input
                        .get("args")
                        .and_then(|a| serde_json::from_value(a.clone()).ok()),
                    resume: job.input.get("continue").and_then(Value::as_bool) == Some(true),
                    ..Input::default()
                };
                Some(
                    self.run_one(
                        &loaded,
                        artifact,
                        input,
                        &job.request_id,
                        job.attempts,
                        true,
                    )
                    .await?,
                )
            }
            None => None,
        };
        let succeeded = outcome.as_ref().is_some_and(Outcome::is_ok);
        if succeeded || job.attempts >= self.inner.config.max_attempts || outcome.is_none() {
            if !succeeded {
                tracing::warn!(func_id = %job.func_id, attempts = job.attempts, "async job given up");
            }
            let id = job.id.clone();
            return self.blocking(move |s| s.complete_job(&id)).await;
        }
        let backoff = self.inner.config.retry_base * 2u32.saturating_pow(job.attempts - 1);
        job.next_at_micros = hookbox_store::now_micros() + backoff.as_micros() as u64;
        self.blocking(move |s| s.reschedule_job(&job)).await
    }

    // ------------------------------------------------------------ logs

    pub async fn logs(
        &self,
        tenant: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.list_logs(&t, &f, page.max(1), limit.clamp(1, MAX_LOGS_PAGE)))
            .await
    }
}

/// Values shorter than this are not redacted: they would blank out common
/// words and numbers rather than hide a secret.
pub const MIN_REDACTED_CHARS: usize = 6;

/// `s` as Node 20's `util.inspect` writes a string between its quotes (its
/// `strEscape`, lib/internal/util/inspect.js): `\`, control characters and
/// C1 controls escaped, and `'` too when `s` also holds `"` and a backtick or
/// `${` (otherwise Node picks quotes `s` does not hold).
fn inspect_escaped(s: &str) -> String {
    let escape_quote = s.contains('\'') && s.contains('"') && (s.contains('`') || s.contains("${"));
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' if escape_quote => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Replaces the tenant's env values and the hook's secrets in text bound for
/// the invocation log with `[redacted: NAME]`. Longest values first, so a
/// value containing another is hidden whole.
struct Redactor {
    values: Vec<(String, String)>,
}

impl Redactor {
    fn new<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> Self {
        let mut values: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs.filter(|(_, v)| v.chars().count() >= MIN_REDACTED_CHARS) {
            let mark = format!("[redacted: {k}]");
            // As `JSON.stringify` writes it into a logged object, too.
            let quoted = serde_json::to_string(v).unwrap_or_default();
            let escaped = &quoted[1..quoted.len().saturating_sub(1).max(1)];
            if escaped != v {
                values.push((escaped.to_string(), mark.clone()));
            }
            // As `console.log` (Node's `util.inspect`) writes it into a logged
            // object; a long value is written one quoted line at a time, so
            // each line of one that has line breaks is a secret too.
            let inspected = inspect_escaped(v);
            if inspected != *v && inspected != escaped {
                values.push((inspected, mark.clone()));
            }
            if v.contains('\n') {
                for line in v.split_inclusive('\n') {
                    if line.chars().count() >= MIN_REDACTED_CHARS {
                        values.push((inspect_escaped(line), mark.clone()));
                    }
                }
            }
            values.push((v.clone(), mark));
        }
        values.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        Self { values }
    }

    /// `text` with every secret value replaced by its mark, at most half as
    /// long again as `text` plus 64 bytes: a short secret repeated all over a
    /// line would otherwise grow the stored record many times over the
    /// engine's bounds.
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, mark) in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), mark);
            }
        }
        let limit = text.len() + text.len() / 2 + 64;
        if out.len() > limit {
            let mut cut = limit;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(" … [truncated]");
        }
        out
    }

    /// Redacts every string inside `value`, keys included.
    fn redact_value(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.redact(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_value(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    self.redact_value(&mut v);
                    map.insert(self.redact(&k), v);
                }
            }
            _ => {}
        }
    }
}

/// The invocation record of one call of `(tenant, log id, script)`: its
/// error and console lines with every secret value redacted.
fn log_record(
    (tenant_id, func_id, script): (&str, &str, Option<&str>),
    outcome: &Outcome,
    request_id: &str,
    (is_async, attempt): (bool, u32),
    secrets: &Redactor,
) -> LogRecord {
    let mut error = outcome.error.clone();
    if let Some(e) = &mut error {
        e.message = secrets.redact(&e.message);
        e.stack = e.stack.as_deref().map(|s| secrets.redact(s));
        e.code = e.code.as_deref().map(|s| secrets.redact(s));
        // An error class's own fields (`user_id`, `friendlyMessage`, …) are
        // the script's values too.
        for value in e.fields.values_mut() {
            secrets.redact_value(value);
        }
    }
    let mut lines = outcome.logs.clone();
    for line in &mut lines {
        line.message = secrets.redact(&line.message);
    }
    let at_micros = hookbox_store::now_micros();
    LogRecord {
        id: String::new(),
        tenant_id: tenant_id.to_string(),
        func_id: func_id.to_string(),
        script: script.map(str::to_string),
        request_id: request_id.to_string(),
        at: hookbox_store::rfc3339(at_micros),
        at_micros,
        outcome: outcome.outcome.as_str().to_string(),
        duration_us: outcome.duration_us,
        is_async,
        attempt,
        version: None,
        error: error.as_ref().and_then(|e| serde_json::to_value(e).ok()),
        logs: serde_json::to_value(&lines).unwrap_or(Value::Null),
    }
}

/// Checks a function's whole set of secrets before it is written: each
/// name and value by a hook secret's rules, and at most
/// [`crate::MAX_SECRETS`] of them. `Invalid` naming `secrets`.
pub fn check_secret_set(secrets: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    for (name, value) in secrets {
        hooks::check_secret_name(name)?;
        hooks::check_secret_value(name, value)?;
    }
    if secrets.len() > hooks::MAX_SECRETS {
        return Err(ServiceError::invalid(
            "secrets",
            format!(
                "a function holds at most {} secrets, got {}",
                hooks::MAX_SECRETS,
                secrets.len()
            ),
        ));
    }
    Ok(())
}

fn check_secrets(secrets: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    if secrets.is_empty() {
        return Err(ServiceError::invalid("secrets", "name at least one secret"));
    }
    for (name, value) in secrets {
        hooks::check_secret_name(name)?;
        hooks::check_secret_value(name, value)?;
    }
    Ok(())
}

/// The Actions command that pauses a scene run until the user comes back.
const REDIRECT_COMMAND: &str = "redirect.sendUserTo";

/// Turns an `ok` outcome with a `redirect.sendUserTo` whose URL is not an
/// absolute `http:`/`https:` URL into `invalid_output`: the gateway sends a
/// user's browser there, so a `javascript:` or relative URL from a hostile
/// function must never reach it. Auth0 redirects to the URL as given.
fn check_redirects(outcome: &mut Outcome) {
    if outcome.outcome != OutcomeKind::Ok {
        return;
    }
    let bad = outcome
        .commands
        .iter()
        .filter(|c| c.method == REDIRECT_COMMAND)
        .find_map(|c| {
            let url = c.args.first().and_then(Value::as_str).unwrap_or_default();
            (!is_clean_web_url(url)).then(|| url.chars().take(200).collect::<String>())
        });
    if let Some(url) = bad {
        outcome.outcome = OutcomeKind::InvalidOutput;
        outcome.error = Some(ErrorInfo::new(
            authorizer::INVALID_OUTPUT_ERROR,
            format!(
                "api.redirect.sendUserTo: the URL must be an absolute http or https URL, got {url:?}"
            ),
        ));
        outcome.commands.clear();
    }
}

/// Whether `url` is an absolute `http:`/`https:` URL exactly as a browser
/// would read it, so that the gateway can put it in a `Location` header as
/// given: `scheme://host…`, no whitespace, control characters or backslashes
/// (a WHATWG parser forgives those, a header does not), and no user name or
/// password (`https://good.example@evil.example` misleads the user).
fn is_clean_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return false;
    }
    match reqwest::Url::parse(url) {
        Ok(u) => u.has_host() && u.username().is_empty() && u.password().is_none(),
        Err(_) => false,
    }
}

/// The scene whose Actions resume after a redirect (`"continue": true`).
const RESUMABLE_SCENE: &str = "post-login";

/// Merges one function's metadata changes into the scene's user, the
/// gateway's event's user (so the next function sees them) and the changes
/// the gateway persists.
fn merge_metadata(result: &mut SceneResult, event: Option<&mut Value>, metadata: Metadata) {
    if metadata.is_empty() {
        return;
    }
    metadata.apply_to(&mut result.user);
    if let Some(user) = event.and_then(|e| e.get_mut("user")) {
        metadata.apply_to(user);
    }
    result.metadata.extend(metadata);
}

/// One queue entry: `record` to run with `input`.
fn job_for(record: &FunctionRecord, input: &Input, request_id: &str) -> Job {
    let now = hookbox_store::now_micros();
    Job {
        id: hookbox_store::new_id(),
        tenant_id: record.tenant_id.clone(),
        func_id: record.func_id.clone(),
        request_id: request_id.to_string(),
        input: serde_json::json!({
            "user": input.user, "context": input.context, "event": input.event, "args": input.args,
            "continue": input.resume,
        }),
        attempts: 0,
        next_at_micros: now,
        enqueued_at_micros: now,
    }
}

/// Largest environment variable value, in bytes.
pub const MAX_ENV_VALUE_BYTES: usize = 32 * 1024;

fn check_env_value(field: &str, value: &str) -> Result<(), ServiceError> {
    if value.len() > MAX_ENV_VALUE_BYTES {
        return Err(ServiceError::invalid(
            field,
            format!("must be at most {MAX_ENV_VALUE_BYTES} bytes (32 KB)"),
        ));
    }
    Ok(())
}

fn check_env_key(key: &str) -> Result<(), ServiceError> {
    let valid = !key.is_empty()
        && key.len() <= 128
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    if !valid {
        return Err(ServiceError::invalid(
            "key",
            "must be 1–128 characters of letters, digits, '_', '-' or '.'",
        ));
    }
    Ok(())
}

/// For fronts that refuse what does not compile (Auth0): the compile error as
/// a 400 naming the source.
fn refuse_if_failed(record: &FunctionRecord) -> Result<(), ServiceError> {
    if record.status == FunctionStatus::Failed {
        return Err(ServiceError::invalid(
            "sourceCode",
            record
                .upload_err_msg
                .clone()
                .unwrap_or_else(|| "does not compile".into()),
        ));
    }
    Ok(())
}

fn invoke_error(e: InvokeError) -> ServiceError {
    match e {
        InvokeError::InputTooLarge { size, limit } => ServiceError::invalid(
            "user",
            format!("input is {size} bytes; the limit is {limit} bytes (1 MB)"),
        ),
        other => ServiceError::Internal(other.to_string()),
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
