//! The cache of loaded functions and scene orders: what a warm call reads instead of the store.

use super::*;

/// A node's state, for `/healthz` (liveness: it answers at all) and
/// `/readyz` (it can serve calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub database: DatabaseState,
    /// Functions and database connections this node can call without the
    /// database: loaded, with what their calls read besides (a function's
    /// tenant's env vars, domain and, where functions may reach the network,
    /// outbound allow-list; a connection's allow-list).
    pub cached_functions: usize,
    /// Whether the node can serve calls: its database answers, or it can
    /// call at least one function without it.
    pub ready: bool,
}

/// The database as a node sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseState {
    /// sled in the data dir: reachable as long as the process runs.
    Embedded,
    /// PostgreSQL answered the last ping.
    Reachable,
    /// PostgreSQL has not answered for `for_ms` milliseconds: calls of cached
    /// functions run, their logs are held, management answers 503.
    Unreachable { for_ms: u64 },
}

/// How often a node of a cluster compares tenants' generations when no
/// notification woke it: a notification it missed costs at most this.
pub const CHANGE_POLL: Duration = Duration::from_secs(1);

impl Service {
    /// Reloads everything cached of `tenant` at its next use (another node
    /// changed it); what cannot be reloaded because the database is
    /// unreachable is served as it was ([`crate::cache::Cache::stale_or`]).
    pub(super) fn forget_tenant(&self, tenant: &str) {
        let inner = &self.inner;
        inner.functions.demote_tenant(tenant);
        inner.orders.demote_tenant(tenant);
        inner.envs.demote_tenant(tenant);
        inner.allow_lists.demote_tenant(tenant);
        inner.connections.demote_tenant(tenant);
        inner.domains.demote_tenant(tenant);
        inner.action_caches.demote_tenant(tenant);
    }

    /// Cluster mode: follows the changes other nodes make, so that what one
    /// node acknowledged is what every node runs. Wakes on the database's
    /// notification, or after [`CHANGE_POLL`] without one; a failed look is
    /// retried at the next wake-up (the generations it compares are kept in
    /// the database, so nothing is lost while it is unreachable).
    pub(super) async fn follow_changes(self, mut stopped: watch::Receiver<bool>) {
        let signal = self.inner.store.change_signal();
        let mut cursor = hookbox_store::ChangeCursor::default();
        // Failures during an outage are logged once, not every second.
        let mut failing = false;
        loop {
            let taken = std::mem::take(&mut cursor);
            match self
                .blocking(move |s| {
                    let mut cursor = taken;
                    let changed = s.changed_tenants(&mut cursor);
                    Ok((cursor, changed))
                })
                .await
            {
                Ok((next, Ok(changed))) => {
                    cursor = next;
                    failing = false;
                    for tenant in &changed {
                        self.forget_tenant(tenant);
                    }
                    self.inner
                        .metrics
                        .changes_followed
                        .inc_by(changed.len() as u64);
                    if !changed.is_empty() {
                        tracing::debug!(tenants = changed.len(), "followed other nodes' changes");
                    }
                }
                Ok((next, Err(e))) => {
                    cursor = next;
                    self.log_failure(&mut failing, &e, "reading other nodes' changes failed");
                }
                Err(e) => self.log_failure(&mut failing, &e, "reading other nodes' changes failed"),
            }
            tokio::select! {
                _ = stopped.changed() => return,
                _ = async {
                    match &signal {
                        Some(signal) => signal.notified().await,
                        None => std::future::pending().await,
                    }
                } => {}
                _ = tokio::time::sleep(CHANGE_POLL) => {}
            }
        }
    }

    /// Cluster mode: pings the database every [`CHANGE_POLL`], for
    /// [`Service::health`] and `hookbox_database_up`.
    pub(super) async fn watch_database(self, mut stopped: watch::Receiver<bool>) {
        use std::sync::atomic::Ordering;
        loop {
            let up = self.blocking(|s| s.ping()).await.is_ok();
            let since = &self.inner.database_down_since;
            if up {
                if since.swap(0, Ordering::Relaxed) != 0 {
                    tracing::warn!("the database answers again");
                }
            } else if since
                .compare_exchange(
                    0,
                    hookbox_store::now_micros(),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
            {
                tracing::warn!("the database is unreachable: serving cached functions only");
            }
            self.inner.metrics.database_up.set(i64::from(up));
            if up {
                self.queue_held_jobs().await;
            }
            tokio::select! {
                _ = stopped.changed() => {
                    // Held jobs get a last chance while the database returns.
                    for _ in 0..10 {
                        if self.queue_held_jobs().await {
                            return;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    let lost = self.inner.held_jobs.lock().expect("held jobs lock").len();
                    tracing::error!(jobs = lost, "stopping with async jobs the unreachable database never took: they are lost");
                    return;
                }
                _ = tokio::time::sleep(CHANGE_POLL) => {}
            }
        }
    }

    /// What `/healthz` and `/readyz` report.
    pub fn health(&self) -> Health {
        let since = self
            .inner
            .database_down_since
            .load(std::sync::atomic::Ordering::Relaxed);
        let cached_functions = self.callable_without_database();
        let database = if !self.inner.store.shared() {
            DatabaseState::Embedded
        } else if since == 0 {
            DatabaseState::Reachable
        } else {
            DatabaseState::Unreachable {
                for_ms: hookbox_store::now_micros().saturating_sub(since) / 1000,
            }
        };
        Health {
            ready: !matches!(database, DatabaseState::Unreachable { .. }) || cached_functions > 0,
            database,
            cached_functions,
        }
    }

    /// How many loaded functions and database connections a call could run
    /// without the database. A function's call also reads its tenant's env
    /// vars, domain and allow-list ([`Service::run_one`]), a connection's
    /// script the allow-list only, so one whose tenant lacks them in the
    /// caches (a function loaded by a deploy, never called here) does not
    /// count.
    fn callable_without_database(&self) -> usize {
        let inner = &self.inner;
        let reaches_out =
            |tenant: &str| inner.outbound.is_none() || inner.allow_lists.holds(&tenant.to_string());
        let functions: usize = inner
            .functions
            .per_tenant()
            .into_iter()
            .filter(|(tenant, _)| {
                inner.envs.holds(tenant) && inner.domains.holds(tenant) && reaches_out(tenant)
            })
            .map(|(_, functions)| functions)
            .sum();
        let connections: usize = inner
            .connections
            .per_tenant()
            .into_iter()
            .filter(|(tenant, _)| reaches_out(tenant))
            .map(|(_, connections)| connections)
            .sum();
        functions + connections
    }

    /// [`crate::cache::Cache::get`], except that while the database is known
    /// to be unreachable ([`Service::watch_database`]) a value marked for
    /// reloading is served at once (counted in `hookbox_stale_served_total`)
    /// rather than after a reload that would wait for a connection in vain.
    pub(crate) fn cached<K, V>(
        &self,
        cache: &crate::cache::Cache<K, V>,
        key: &K,
    ) -> Result<V, crate::cache::Ticket>
    where
        K: crate::cache::TenantKey + std::hash::Hash + Eq + Clone,
        V: Clone,
    {
        let ticket = match cache.get(key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let down = self
            .inner
            .database_down_since
            .load(std::sync::atomic::Ordering::Relaxed)
            != 0;
        match down.then(|| cache.kept(key)).flatten() {
            Some(kept) => {
                self.inner.metrics.stale_served.inc();
                Ok(kept)
            }
            None => Err(ticket),
        }
    }

    /// [`crate::cache::Cache::stale_or`], each value served counted in
    /// `hookbox_stale_served_total`.
    pub(crate) fn stale<K, V>(
        &self,
        cache: &crate::cache::Cache<K, V>,
        key: &K,
        error: ServiceError,
    ) -> Result<V, ServiceError>
    where
        K: crate::cache::TenantKey + std::hash::Hash + Eq + Clone,
        V: Clone,
    {
        let served = cache.stale_or(key, error);
        if served.is_ok() {
            self.inner.metrics.stale_served.inc();
        }
        served
    }

    /// After a function's deletion.
    pub(super) fn forget(&self, tenant: &str, func_id: &str) {
        let key = (tenant.to_string(), func_id.to_string());
        self.inner.functions.invalidate(&key);
        self.inner.action_caches.invalidate(&key);
        // Read again, or served as they were while the database is down.
        self.inner.orders.demote_tenant(tenant);
    }

    /// A function ready to run: from the cache, or loaded from the store. An
    /// artifact built by another plugin is rebuilt from source, never run.
    pub(super) async fn load(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<Arc<Loaded>, ServiceError> {
        let key = (tenant.to_string(), func_id.to_string());
        let ticket = match self.cached(&self.inner.functions, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (t, f) = key.clone();
        let read = self
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
                let webhook = match &record {
                    Some(r) => Self::open_webhook_secrets(s, r)?,
                    None => None,
                };
                Ok((record, bytes, (secrets, webhook)))
            })
            .await;
        let (record, bytes, (secrets, webhook)) = match read {
            Ok(read) => read,
            Err(e) => return self.stale(&self.inner.functions, &key, e),
        };
        let Some(mut record) = record else {
            self.inner.functions.absent(&key);
            return Err(ServiceError::NotFound(format!("function {func_id}")));
        };
        let mut artifact = bytes.and_then(|b| Artifact::from_wasm(&b).ok());
        let stale = record.status == FunctionStatus::Success
            && record.url.is_none()
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
            sample_gate: Default::default(),
            record,
            artifact,
            secrets,
            gradual,
            webhook,
        });
        self.inner.functions.fill(ticket, key, loaded.clone());
        Ok(loaded)
    }

    pub(super) async fn scene_order(
        &self,
        tenant: &str,
        scene: &str,
    ) -> Result<Arc<Vec<String>>, ServiceError> {
        let key = (tenant.to_string(), scene.to_string());
        let ticket = match self.cached(&self.inner.orders, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (t, s) = key.clone();
        let order = match self.blocking(move |st| st.scene_order(&t, &s)).await {
            Ok(order) => Arc::new(order),
            Err(e) => return self.stale(&self.inner.orders, &key, e),
        };
        self.inner.orders.fill(ticket, key, order.clone());
        Ok(order)
    }
}

impl Service {
    /// Logs a background loop's failed look at its store. A cluster node's
    /// database comes and goes: a warning the first time, then only at debug
    /// level until `failing` is cleared by a success, so that an outage is one
    /// line per loop rather than one per retry (the outage itself is logged by
    /// [`Service::watch_database`]). An embedded store that fails is news
    /// every time: an error each time.
    pub(super) fn log_failure(
        &self,
        failing: &mut bool,
        error: &dyn std::fmt::Display,
        what: &str,
    ) {
        if !self.inner.store.shared() {
            tracing::error!(error = %error, "{what}");
        } else if std::mem::replace(failing, true) {
            tracing::debug!(error = %error, "{what}");
        } else {
            tracing::warn!(error = %error, "{what}; trying again until it answers");
        }
    }
}
