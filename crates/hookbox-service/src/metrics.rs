//! Prometheus metrics: what an operator graphs and alerts on.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Mutex;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct OutcomeLabels {
    pub tenant: String,
    pub scene: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct SceneLabels {
    pub scene: String,
}

/// A call of a function in a gradual deployment, by the version it ran.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct VersionLabels {
    pub tenant: String,
    pub function: String,
    pub version: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct TenantLabels {
    pub tenant: String,
}

/// An event delivery attempt's result: `delivered`, `retrying` (it failed
/// and will be tried again) or `failed` (its last attempt failed).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct DeliveryLabels {
    pub tenant: String,
    pub outcome: String,
}

pub(crate) struct Metrics {
    registry: Mutex<Registry>,
    pub invocations: Family<OutcomeLabels, Counter>,
    pub scene_runs: Family<OutcomeLabels, Counter>,
    pub invocation_seconds: Family<SceneLabels, Histogram>,
    pub scene_seconds: Family<SceneLabels, Histogram>,
    pub compile_seconds: Histogram,
    pub queue_depth: Gauge,
    pub logs_dropped: Counter,
    /// Invocation logs held because the database was unreachable, and
    /// dropped when the hold was full (cluster mode).
    pub logs_held: Gauge,
    pub logs_dropped_unreachable: Counter,
    /// Async jobs held in memory until the unreachable database returns.
    pub jobs_held: Gauge,
    /// Tenants whose cached state was marked for reloading because a node
    /// (this one or another) changed it (cluster mode).
    pub changes_followed: Counter,
    /// Loads answered from state marked for reloading, because the reload
    /// could not reach the database (cluster mode).
    pub stale_served: Counter,
    /// 1 while the database answers, 0 while it cannot be reached.
    pub database_up: Gauge,
    /// Mirrors the engine's own count; brought up to date at each render.
    long_calls: Counter,
    pub invocation_logs_dropped: Family<TenantLabels, Counter>,
    pub gradual_invocations: Family<VersionLabels, Counter>,
    pub deliveries: Family<DeliveryLabels, Counter>,
    pub events: Family<TenantLabels, Counter>,
}

impl Metrics {
    pub fn new() -> Self {
        // 20 µs .. ~20 s
        let latency = || Histogram::new(exponential_buckets(0.00002, 2.0, 21));
        let invocations = Family::<OutcomeLabels, Counter>::default();
        let scene_runs = Family::<OutcomeLabels, Counter>::default();
        let invocation_seconds = Family::<SceneLabels, Histogram>::new_with_constructor(latency);
        let scene_seconds = Family::<SceneLabels, Histogram>::new_with_constructor(latency);
        let compile_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 14));
        let queue_depth = Gauge::default();
        let logs_dropped = Counter::default();
        let logs_held = Gauge::default();
        let logs_dropped_unreachable = Counter::default();
        let jobs_held = Gauge::default();
        let changes_followed = Counter::default();
        let stale_served = Counter::default();
        let database_up = Gauge::default();
        database_up.set(1);
        let long_calls = Counter::default();
        let invocation_logs_dropped = Family::<TenantLabels, Counter>::default();
        let gradual_invocations = Family::<VersionLabels, Counter>::default();
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        let events = Family::<TenantLabels, Counter>::default();

        let mut registry = Registry::with_prefix("hookbox");
        registry.register(
            "invocations",
            "Function invocations by tenant, scene and outcome",
            invocations.clone(),
        );
        registry.register(
            "scene_runs",
            "Scene pipeline runs by tenant, scene and outcome",
            scene_runs.clone(),
        );
        registry.register(
            "invocation_duration_seconds",
            "Server time of one function invocation",
            invocation_seconds.clone(),
        );
        registry.register(
            "scene_duration_seconds",
            "Server time of one scene run",
            scene_seconds.clone(),
        );
        registry.register(
            "compile_duration_seconds",
            "Time to compile a function at upload",
            compile_seconds.clone(),
        );
        registry.register(
            "queue_depth",
            "Asynchronous jobs waiting in the durable queue",
            queue_depth.clone(),
        );
        registry.register(
            "logs_dropped",
            "Invocation log records dropped because the log writer fell behind",
            logs_dropped.clone(),
        );
        registry.register(
            "logs_held",
            "Invocation log records held in memory until the unreachable database returns",
            logs_held.clone(),
        );
        registry.register(
            "logs_dropped_unreachable",
            "Invocation log records dropped because the database stayed unreachable past the hold",
            logs_dropped_unreachable.clone(),
        );
        registry.register(
            "changes_followed",
            "Tenants whose cached state was marked for reloading because a node of the cluster changed it",
            changes_followed.clone(),
        );
        registry.register(
            "stale_served",
            "Loads answered from cached state marked for reloading, because the database could not be reached to reload it",
            stale_served.clone(),
        );
        registry.register(
            "jobs_held",
            "Async jobs held in memory until the unreachable database returns",
            jobs_held.clone(),
        );
        registry.register(
            "database_up",
            "1 while the database answers, 0 while it cannot be reached",
            database_up.clone(),
        );
        registry.register(
            "long_calls",
            "Calls that burnt 20 million fuel (a few ms of CPU) and finished on the low-priority long-call pool",
            long_calls.clone(),
        );
        registry.register(
            "invocation_logs_dropped",
            "Stored invocation logs deleted, oldest first, to hold a tenant's logs under the size cap",
            invocation_logs_dropped.clone(),
        );
        registry.register(
            "gradual_invocations",
            "Calls of functions in a gradual deployment, by function id, the version that ran and outcome",
            gradual_invocations.clone(),
        );
        registry.register(
            "event_deliveries",
            "Event delivery attempts by tenant and outcome (delivered, retrying, failed)",
            deliveries.clone(),
        );
        registry.register(
            "events",
            "Events accepted by POST /v1/events, by tenant",
            events.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            invocations,
            scene_runs,
            invocation_seconds,
            scene_seconds,
            compile_seconds,
            queue_depth,
            logs_dropped,
            logs_held,
            logs_dropped_unreachable,
            jobs_held,
            changes_followed,
            stale_served,
            database_up,
            long_calls,
            invocation_logs_dropped,
            gradual_invocations,
            deliveries,
            events,
        }
    }

    /// The Prometheus text exposition. `long_calls` is the engine's count of
    /// calls moved to its long-call pool.
    pub fn render(&self, long_calls: u64) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().expect("metrics registry lock");
        // Under the lock, so that two renders cannot both add the difference.
        self.long_calls
            .inc_by(long_calls.saturating_sub(self.long_calls.get()));
        prometheus_client::encoding::text::encode(&mut out, &registry)
            .expect("writing to a String cannot fail");
        out
    }
}
