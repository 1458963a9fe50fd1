//! Invocation logs off the request path: a bounded queue from the calls to one
//! background writer, which writes them in batches, syncs them to disk on a
//! stated schedule and holds each tenant's logs under a size cap; and expiry.
//!
//! The durability bound: a call's log is queued before the call is answered;
//! the writer takes it within [`LogPolicy::linger`], writes its batch, and
//! syncs the disk at most [`LogPolicy::flush`] after that write. So a crash
//! (SIGKILL, power loss) loses at most the logs of the calls answered in the
//! last `linger + flush`, plus the time the disk takes to write and sync.

use crate::metrics::{Metrics, TenantLabels};
use hookbox_store::{LogRecord, Store, StoreError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// How long the writer gathers records before a write, by default: the calls
/// of those milliseconds share one storage transaction, which costs more
/// than a call.
pub const DEFAULT_LOG_LINGER: Duration = Duration::from_millis(20);
/// The default linger of a cluster node (PostgreSQL). Its writes are durable
/// when committed, so this is its whole exposure to a crash: the embedded
/// default's 50 ms (linger and sync). Each batch is a statement the database
/// server runs, on the node's machine or not: fewer of them leave the node's
/// calls a quieter tail (`make bench-cluster`, README "Cluster figures").
pub const DEFAULT_CLUSTER_LOG_LINGER: Duration = Duration::from_millis(50);
/// How long written logs may wait for a disk sync, by default. With the
/// linger, at most 50 ms of answered calls' logs are exposed to a crash.
pub const DEFAULT_LOG_FLUSH: Duration = Duration::from_millis(30);
/// A tenant's stored invocation logs, at most, by default (encoded bytes).
pub const DEFAULT_LOG_MAX_BYTES: u64 = 100 * 1024 * 1024;

/// Records waiting for the writer, at most; beyond, they are dropped (counted).
const LOG_BACKLOG: usize = 20_000;
/// Bytes waiting for the writer, at most (estimated): a record can carry up
/// to the console cap, so the record count alone would allow gigabytes.
const LOG_BACKLOG_BYTES: usize = 64 * 1024 * 1024;
/// Invocation logs written per storage write, at most.
const LOG_BATCH: usize = 1024;
/// Invocation logs held in memory while the database cannot be reached
/// (cluster mode), at most, by approximate size: past it the oldest are
/// dropped and counted (`hookbox_logs_dropped_unreachable_total`).
pub const LOG_HOLD_BYTES: usize = 64 * 1024 * 1024;
/// How long a stopping node keeps offering held logs to an unreachable
/// database before it gives them up (counted).
const LOG_STOP_WAIT: Duration = Duration::from_secs(10);
/// How often held logs are offered to the database again.
const LOG_RETRY: Duration = Duration::from_millis(500);
/// What [`approx_size`] adds per record and per JSON node for what is not text.
const RECORD_OVERHEAD: usize = 256;
const NODE_OVERHEAD: usize = 8;

/// When the log writer writes and syncs, and how much it keeps per tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPolicy {
    /// After the first record of a batch, how long the writer waits for more
    /// before it writes them in one transaction.
    pub linger: Duration,
    /// How long written logs may wait for a disk sync; zero syncs after
    /// every batch. Syncs are what make logs survive a crash.
    pub flush: Duration,
    /// A tenant's stored logs at most, in encoded bytes; beyond, its oldest
    /// logs are deleted (counted in `hookbox_invocation_logs_dropped_total`).
    pub max_bytes_per_tenant: u64,
}

impl Default for LogPolicy {
    fn default() -> Self {
        Self {
            linger: DEFAULT_LOG_LINGER,
            flush: DEFAULT_LOG_FLUSH,
            max_bytes_per_tenant: DEFAULT_LOG_MAX_BYTES,
        }
    }
}

/// The calls' end of the queue to the writer.
pub(crate) struct LogQueue {
    tx: mpsc::Sender<(LogRecord, usize)>,
    queued_bytes: Arc<AtomicUsize>,
}

/// The writer's end.
pub(crate) struct LogReceiver {
    rx: mpsc::Receiver<(LogRecord, usize)>,
    queued_bytes: Arc<AtomicUsize>,
}

pub(crate) fn queue() -> (LogQueue, LogReceiver) {
    let (tx, rx) = mpsc::channel(LOG_BACKLOG);
    let queued_bytes = Arc::new(AtomicUsize::new(0));
    (
        LogQueue {
            tx,
            queued_bytes: queued_bytes.clone(),
        },
        LogReceiver { rx, queued_bytes },
    )
}

impl LogQueue {
    /// Queues a record for the writer; false (and nothing queued) when the
    /// backlog is full, by count or by bytes.
    pub fn push(&self, record: LogRecord) -> bool {
        let size = approx_size(&record);
        let before = self.queued_bytes.fetch_add(size, Ordering::Relaxed);
        if before + size > LOG_BACKLOG_BYTES || self.tx.try_send((record, size)).is_err() {
            self.queued_bytes.fetch_sub(size, Ordering::Relaxed);
            return false;
        }
        true
    }
}

/// A record's size in memory, roughly: its text plus a little per value.
fn approx_size(record: &LogRecord) -> usize {
    fn value(v: &Value) -> usize {
        NODE_OVERHEAD
            + match v {
                Value::String(s) => s.len(),
                Value::Array(items) => items.iter().map(value).sum(),
                Value::Object(map) => map.iter().map(|(k, v)| k.len() + value(v)).sum(),
                _ => 0,
            }
    }
    RECORD_OVERHEAD
        + record.request_id.len()
        + record.error.as_ref().map_or(0, value)
        + value(&record.logs)
}

/// The background writer.
pub(crate) struct LogWriter {
    pub store: Store,
    pub policy: LogPolicy,
    pub metrics: Arc<Metrics>,
}

impl LogWriter {
    /// Writes queued records until `stopped`, then writes and syncs what is
    /// left and returns.
    pub async fn run(self, mut queue: LogReceiver, mut stopped: watch::Receiver<bool>) {
        let mut batch = Vec::with_capacity(LOG_BATCH);
        // When the written, unsynced logs must be synced by.
        let mut sync_by: Option<Instant> = None;
        // Logs the unreachable database could not take yet (cluster mode).
        let mut held = Held::default();
        loop {
            let retry_at = (!held.records.is_empty()).then(|| Instant::now() + LOG_RETRY);
            let open = tokio::select! {
                n = queue.rx.recv_many(&mut batch, LOG_BATCH) => n > 0,
                _ = stopped.changed() => false,
                _ = sleep_until(sync_by) => {
                    self.sync().await;
                    sync_by = None;
                    continue;
                }
                _ = sleep_until(retry_at) => {
                    let records = std::mem::take(&mut held.records);
                    held.bytes = 0;
                    self.write(records, &mut held).await;
                    continue;
                }
            };
            if open && batch.len() < LOG_BATCH {
                tokio::select! {
                    _ = tokio::time::sleep(self.policy.linger) => {}
                    _ = stopped.changed() => {}
                }
            }
            // What is queued now joins this batch (all of it, at shutdown).
            let stopping = !open || *stopped.borrow();
            while stopping || batch.len() < LOG_BATCH {
                match queue.rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            let bytes: usize = batch.iter().map(|(_, size)| size).sum();
            queue.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
            // Held logs go first: written in the order they were made.
            let mut records = std::mem::take(&mut held.records);
            held.bytes = 0;
            records.append(&mut batch);
            if !records.is_empty() {
                self.write(records, &mut held).await;
                sync_by.get_or_insert(Instant::now() + self.policy.flush);
            }
            if sync_by.is_some_and(|at| stopping || Instant::now() >= at) {
                self.sync().await;
                sync_by = None;
            }
            if stopping {
                // Held logs get a last chance while the database returns.
                let deadline = Instant::now() + LOG_STOP_WAIT;
                while !held.records.is_empty() && Instant::now() < deadline {
                    tokio::time::sleep(LOG_RETRY).await;
                    let records = std::mem::take(&mut held.records);
                    held.bytes = 0;
                    self.write(records, &mut held).await;
                }
                if !held.records.is_empty() {
                    tracing::error!(
                        dropped = held.records.len(),
                        "stopping with invocation logs the unreachable database never took: they are lost"
                    );
                    self.metrics
                        .logs_dropped_unreachable
                        .inc_by(held.records.len() as u64);
                }
                return;
            }
        }
    }

    /// Writes `records` (each with its approximate size), then trims their
    /// tenants to the cap. While the database cannot be reached they are
    /// held for the next try, up to [`LOG_HOLD_BYTES`]; any other failure
    /// drops them (logged).
    async fn write(&self, records: Vec<(LogRecord, usize)>, held: &mut Held) {
        let max = self.policy.max_bytes_per_tenant;
        let tenants: Vec<String> = records
            .iter()
            .map(|(r, _)| r.tenant_id.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows: Vec<LogRecord> = records.iter().map(|(r, _)| r.clone()).collect();
        match self.blocking(move |s| s.append_logs(rows)).await {
            Ok(()) => {
                if std::mem::take(&mut held.holding) {
                    tracing::info!("the database took the held invocation logs");
                }
            }
            Err(Failure::Unavailable(e)) => {
                if !held.holding {
                    tracing::warn!(error = %e, "the database is unreachable: holding invocation logs");
                    held.holding = true;
                }
                held.hold(records, &self.metrics);
                return;
            }
            Err(Failure::Other(e)) => {
                tracing::error!(error = %e, "writing invocation logs failed");
                return;
            }
        }
        self.metrics.logs_held.set(held.records.len() as i64);
        let trimmed = self
            .blocking(move |s| {
                let mut dropped = BTreeMap::new();
                for tenant in tenants {
                    let n = s.trim_logs(&tenant, max)?;
                    if n > 0 {
                        dropped.insert(tenant, n);
                    }
                }
                Ok(dropped)
            })
            .await;
        match trimmed {
            Ok(dropped) => {
                for (tenant, n) in dropped {
                    self.metrics
                        .invocation_logs_dropped
                        .get_or_create(&TenantLabels { tenant })
                        .inc_by(n as u64);
                }
            }
            Err(e) => tracing::warn!(error = %e, "trimming invocation logs to the cap failed"),
        }
    }

    async fn sync(&self) {
        if let Err(e) = self.blocking(|s| s.flush()).await {
            tracing::error!(error = %e, "syncing invocation logs failed");
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Failure> {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(StoreError::Unavailable(e))) => Err(Failure::Unavailable(e)),
            Ok(Err(e)) => Err(Failure::Other(e.to_string())),
            Err(e) => Err(Failure::Other(format!("storage task failed: {e}"))),
        }
    }
}

/// Why a write failed: the database was unreachable (try again), or not.
#[derive(Debug)]
enum Failure {
    Unavailable(String),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unavailable(e) | Failure::Other(e) => f.write_str(e),
        }
    }
}

/// Logs waiting for the database to come back, oldest first.
#[derive(Default)]
struct Held {
    records: Vec<(LogRecord, usize)>,
    bytes: usize,
    /// Since the first write the database refused, until one succeeds (one
    /// warning per outage, not one per retry).
    holding: bool,
}

impl Held {
    /// Puts back `records` that could not be written (the oldest logs:
    /// every write takes the held ones first), then drops the oldest beyond
    /// [`LOG_HOLD_BYTES`], counting them.
    fn hold(&mut self, records: Vec<(LogRecord, usize)>, metrics: &Metrics) {
        let mut all = records;
        all.append(&mut self.records);
        self.bytes = all.iter().map(|(_, size)| size).sum();
        let mut dropped = 0;
        while self.bytes > LOG_HOLD_BYTES && dropped < all.len() {
            self.bytes -= all[dropped].1;
            dropped += 1;
        }
        all.drain(..dropped);
        self.records = all;
        if dropped > 0 {
            metrics.logs_dropped_unreachable.inc_by(dropped as u64);
        }
        metrics.logs_held.set(self.records.len() as i64);
    }
}

/// Waits until `at`, or forever without one.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Deletes logs older than `retention` every `interval`, until `stopped`.
pub(crate) async fn expire(
    store: Store,
    retention: Duration,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let cutoff = hookbox_store::now_micros().saturating_sub(retention.as_micros() as u64);
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.purge_logs_before(cutoff)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(deleted = n, "expired invocation logs"),
            Ok(Err(e)) => tracing::error!(error = %e, "expiring logs failed"),
            Err(e) => tracing::error!(error = %e, "expiring logs failed"),
        }
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
