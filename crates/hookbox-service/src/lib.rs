//! hookbox's domain layer: deploy (validate → compile → store), run a
//! function, run a scene's pipeline, the durable async worker and log
//! retention, functions' outbound HTTP under the tenant's allow-list, and
//! custom database connections (Auth0's database action scripts). It
//! owns the artifact cache; it knows nothing of the HTTP API.
//!
//! ```no_run
//! # async fn demo(engine: hookbox_engine::Engine, store: hookbox_store::Store) -> Result<(), hookbox_service::ServiceError> {
//! use hookbox_service::{Call, NewFunction, Service, ServiceConfig};
//!
//! let service = Service::new(engine, store, ServiceConfig::default());
//! let background = service.start();
//! let f = service
//!     .deploy("default", NewFunction {
//!         func_name: "allow all".into(),
//!         func_description: String::new(),
//!         scene: "PRE_REGISTER".into(),
//!         source_code: "async function pipe(u, c, cb) { cb(null, u, c) }".into(),
//!         url: None,
//!         events: Vec::new(),
//!         is_asynchronous: false,
//!         timeout: 3,
//!         terminate_on_timeout: false,
//!         enabled: true,
//!         memory_limit_mb: 64,
//!         dependencies: Default::default(),
//!         saved_by: None,
//!     })
//!     .await?;
//! let verdict = service.run_scene("default", "PRE_REGISTER", Call::default(), "req-1").await?;
//! assert_eq!(verdict.steps[0].func_id, f.func_id);
//! background.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod authorizer;
mod cache;
pub mod events;
mod hooks;
mod logs;
mod metrics;
mod model;
mod outbound;
pub mod packages;
mod scene;
mod service;

pub use authorizer::{
    INVALID_OUTPUT_ERROR, MAX_AUTHORIZER_RESULT_BYTES, MAX_CONTEXT_NAME_CHARS,
    check as check_authorizer_result,
};
pub use hooks::{MAX_SECRETS, TRIGGERS, is_trigger};
pub use logs::{
    DEFAULT_CLUSTER_LOG_LINGER, DEFAULT_LOG_FLUSH, DEFAULT_LOG_LINGER, DEFAULT_LOG_MAX_BYTES,
    LOG_HOLD_BYTES, LogPolicy,
};
pub use model::{
    Call, EventRef, FunctionPatch, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, NewFunction,
    SceneCommand, SceneResult, ServiceError, SourceCheck, Step, check_name_chars, is_hidden_char,
};
pub use outbound::{AllowList, MAX_ALLOW_RULES, PrivateAccess, check_reachable, forbidden};
pub use scene::{ACTION_TRIGGERS, AUTHORIZER, EVENTS, SCENES, action_trigger, is_scene};
pub use service::{
    Background, CHANGE_POLL, Connection, ConnectionPatch, DATABASE_SCRIPTS,
    DEFAULT_CONNECTION_TIMEOUT, DEFAULT_NONCES_PER_TENANT, DatabaseState, Deployed, EventType,
    FunctionStats, Health, MAX_CACHE_ENTRIES, MAX_CACHE_KEY_BYTES, MAX_CACHE_LIFETIME,
    MAX_CACHE_TOTAL_BYTES, MAX_CACHE_VALUE_BYTES, MAX_CONNECTION_NAME_CHARS, MAX_DOMAIN_CHARS,
    MAX_ENV_VALUE_BYTES, MAX_HELD_JOBS, MAX_LOGS_PAGE, MAX_RECENT_BYTES, MAX_RECENT_INPUT_BYTES,
    MAX_SCRIPT_ARGS, MAX_STATS_POINTS, MAX_TENANT_ID_CHARS, MAX_TENANT_NAME_CHARS,
    MIN_REDACTED_CHARS, NewConnection, NonceError, QueuedDelivery, RECENT_PER_FUNCTION,
    RECENT_SAMPLE_EVERY, RecentInput, STATS_BUCKET_SECONDS, STATS_WINDOW_SECONDS, Service,
    ServiceConfig, StatsBucket, TenantPatch, check_domain, check_secret_set,
};
pub use service::{
    MAX_DEPENDENCIES, MAX_FETCHED_PACKAGES, MAX_FUNCTION_PACKAGES, OWN_MODULES, PackageSummary,
    PackagesAdded,
};
