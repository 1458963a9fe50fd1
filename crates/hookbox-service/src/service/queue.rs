//! The durable async queue: enqueueing a scene run's jobs and the worker that runs them.

use super::*;

/// Async jobs a cluster node holds in memory while its database cannot be
/// reached, at most; scene runs that would hold more answer 503.
pub const MAX_HELD_JOBS: usize = 10_000;

impl Service {
    // ------------------------------------------------------------ the async queue

    /// Queues a scene run's async jobs in one transaction, durable before
    /// the answer. Cluster mode, while the database cannot be reached: they
    /// are held in this node's memory (up to [`MAX_HELD_JOBS`]) and queued
    /// when it returns, so the scene run still answers; past that bound the
    /// run is a 503.
    pub(super) async fn enqueue(&self, jobs: Vec<Job>) -> Result<(), ServiceError> {
        if jobs.is_empty() {
            return Ok(());
        }
        let kept = self.inner.store.shared().then(|| jobs.clone());
        let queued = self
            .blocking(move |s| {
                s.enqueue_many(&jobs)?;
                s.flush()
            })
            .await;
        match (queued, kept) {
            (Ok(()), _) => {}
            (Err(ServiceError::Unavailable(e)), Some(jobs)) => {
                let mut held = self.inner.held_jobs.lock().expect("held jobs lock");
                if held.len() + jobs.len() > MAX_HELD_JOBS {
                    return Err(ServiceError::Unavailable(e));
                }
                held.extend(jobs);
                self.inner.metrics.jobs_held.set(held.len() as i64);
            }
            (Err(e), _) => return Err(e),
        }
        self.inner.queue_wake.notify_one();
        Ok(())
    }

    /// Queues the jobs held while the database was unreachable; they stay
    /// held if it still is. Returns whether none is left.
    pub(super) async fn queue_held_jobs(&self) -> bool {
        let jobs = std::mem::take(&mut *self.inner.held_jobs.lock().expect("held jobs lock"));
        if jobs.is_empty() {
            return true;
        }
        let n = jobs.len();
        let kept = jobs.clone();
        let queued = self
            .blocking(move |s| {
                s.enqueue_many(&jobs)?;
                s.flush()
            })
            .await;
        let mut held = self.inner.held_jobs.lock().expect("held jobs lock");
        if let Err(e) = queued {
            tracing::warn!(error = %e, jobs = n, "queueing held async jobs failed; holding them");
            let newer = std::mem::replace(&mut *held, kept);
            held.extend(newer);
        } else {
            tracing::info!(jobs = n, "queued the async jobs held during the outage");
            self.inner.queue_wake.notify_one();
        }
        self.inner.metrics.jobs_held.set(held.len() as i64);
        held.is_empty()
    }

    pub(super) async fn work_queue(self, mut stopped: watch::Receiver<bool>) {
        let mut failing = false;
        loop {
            if *stopped.borrow() {
                return;
            }
            let now = hookbox_store::now_micros();
            // A node of a cluster claims one job at a time: a claimed job is
            // invisible to other nodes only until its claim lapses, so it
            // must be started (and leased for its run) at once.
            let limit = if self.inner.store.shared() { 1 } else { 16 };
            let jobs = match self.blocking(move |s| s.due_jobs(now, limit)).await {
                Ok(jobs) => {
                    failing = false;
                    jobs
                }
                Err(e) => {
                    self.log_failure(&mut failing, &e, "reading the job queue failed");
                    Vec::new()
                }
            };
            let full = jobs.len() == limit;
            // Each job is one function's (a lane delivers one function's
            // events in order), so a batch runs side by side: one slow
            // receiver does not hold up the others.
            let mut running = tokio::task::JoinSet::new();
            for job in jobs {
                if *stopped.borrow() {
                    break;
                }
                let service = self.clone();
                running.spawn(async move {
                    if let Err(e) = service.run_job(job).await {
                        tracing::error!(error = %e, "async job failed to run");
                    }
                });
            }
            while running.join_next().await.is_some() {}
            if *stopped.borrow() {
                return;
            }
            if full {
                // More may be due: look again at once.
                continue;
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
    pub(super) async fn run_job(&self, mut job: Job) -> Result<(), ServiceError> {
        if events::is_lane(&job) {
            return self.run_lane(job).await;
        }
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
        let lease =
            Duration::from_secs(loaded.record.timeout as u64) + self.inner.config.job_lease_grace;
        let mut leased = job.clone();
        leased.next_at_micros = hookbox_store::now_micros() + lease.as_micros() as u64;
        self.blocking(move |s| s.reschedule_job(&leased)).await?;

        let outcome = match (&loaded.artifact, &loaded.record.url) {
            (_, Some(url)) => {
                let outcome = self
                    .call_in_scene(
                        &loaded,
                        url,
                        job.input.get("user").unwrap_or(&Value::Null),
                        job.input.get("context").unwrap_or(&Value::Null),
                        job.input.get("event"),
                    )
                    .await;
                self.log_url_call(&loaded, &outcome, &job.request_id, job.attempts);
                Some(outcome)
            }
            (Some(artifact), None) => {
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
            (None, None) => None,
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
}

/// One queue entry: `record` to run with `input`.
pub(super) fn job_for(record: &FunctionRecord, input: &Input, request_id: &str) -> Job {
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
