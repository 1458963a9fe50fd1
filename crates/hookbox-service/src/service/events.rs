//! Events, their deliveries, and HTTP functions (see [`crate::events`]).

use super::*;
use crate::events::{
    LOGGED_RESPONSE_BYTES, MAX_DELIVERIES_PER_FUNCTION, MAX_EVENT_BYTES, MAX_SUBSCRIPTIONS,
    MAX_TENANT_EVENT, MAX_TENANT_EVENT_TYPES, MIN_TENANT_EVENT, PLATFORM_EVENTS, SessionClaims,
    WebhookSecrets, check_event_name, platform_event, sign, truncated, user_id_of,
};
use crate::model::EventRef;
use hookbox_engine::{LogLevel, LogLine, OutboundRequest};
use hookbox_store::{Delivery, DeliveryStatus, Job, lane_job_id};
use serde::Serialize;

/// An event type, as `GET /v1/event-types` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    pub number: u32,
    pub name: String,
    /// The fields its `data` must hold (the platform's events; none for a
    /// tenant's own).
    pub fields: Vec<String>,
    /// One of the platform's five, or the tenant's own.
    pub platform: bool,
}

/// One delivery `POST /v1/events` queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedDelivery {
    pub id: String,
    pub func_id: String,
}

/// A function created: the record, and an HTTP function's secrets, shown
/// this once.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub record: FunctionRecord,
    pub webhook_secrets: Option<WebhookSecrets>,
}

/// How one request to an HTTP function went.
pub(super) struct UrlAnswer {
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub body: String,
    /// Why it failed before an answer came: the outcome (`timeout`, or
    /// `error` when refused or unreachable) and the reason.
    pub failure: Option<(OutcomeKind, String)>,
    pub duration_us: u64,
}

/// Deliveries one lane makes in a row before it is queued again behind
/// the other due jobs.
const LANE_BATCH: usize = 100;
/// How long one lane delivers in a row, at most, before it is queued again.
const LANE_SLICE: Duration = Duration::from_secs(1);

/// The id a delivery's webhook id and a scene call's are made from:
/// `msg_` and 24 hex characters, as Standard Webhooks' examples look.
fn message_id(id: &str) -> String {
    format!("msg_{id}")
}

/// The sealing binding of an HTTP function's secrets: its id and `:webhook`
/// (function ids never hold a `:`), so they can never open as its hook
/// secrets or the other way round.
fn webhook_binding(func_id: &str) -> String {
    format!("{func_id}:webhook")
}

impl Service {
    // ------------------------------------------------------------ event types

    /// The platform's events, then the tenant's own, by number.
    pub async fn event_types(&self, tenant: &str) -> Result<Vec<EventType>, ServiceError> {
        let own = self.own_event_types(tenant).await?;
        let mut all: Vec<EventType> = PLATFORM_EVENTS
            .iter()
            .map(|e| EventType {
                number: e.number,
                name: e.name.to_string(),
                fields: e.fields.iter().map(|f| f.to_string()).collect(),
                platform: true,
            })
            .collect();
        all.extend(own.into_iter().map(|(number, name)| EventType {
            number,
            name,
            fields: Vec::new(),
            platform: false,
        }));
        Ok(all)
    }

    async fn own_event_types(&self, tenant: &str) -> Result<BTreeMap<u32, String>, ServiceError> {
        let t = tenant.to_string();
        let record = self.blocking(move |s| s.get_tenant(&t)).await?;
        Ok(record
            .ok_or_else(|| ServiceError::NotFound(format!("tenant {tenant}")))?
            .event_types)
    }

    /// Defines (or renames) one of the tenant's own events: `number` within
    /// [`MIN_TENANT_EVENT`]–[`MAX_TENANT_EVENT`], a `NAME` no other event
    /// of the tenant has, at most [`MAX_TENANT_EVENT_TYPES`] of them.
    pub async fn define_event_type(
        &self,
        tenant: &str,
        number: u32,
        name: &str,
    ) -> Result<EventType, ServiceError> {
        if !(MIN_TENANT_EVENT..=MAX_TENANT_EVENT).contains(&number) {
            return Err(ServiceError::invalid(
                "number",
                format!(
                    "a tenant's own events are numbered {MIN_TENANT_EVENT}–{MAX_TENANT_EVENT} (the platform's are {})",
                    PLATFORM_EVENTS
                        .iter()
                        .map(|e| e.number.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        check_event_name("name", name)?;
        if platform_event(None, Some(name)).is_some() {
            return Err(ServiceError::invalid(
                "name",
                format!("{name} is one of the platform's events"),
            ));
        }
        let (t, n) = (tenant.to_string(), name.to_string());
        let refused = Arc::new(Mutex::new(None));
        let seen = refused.clone();
        let stored = self
            .blocking(move |s| {
                let stored = s.update_tenant(&t, &|record| {
                    *seen.lock().expect("lock") = None;
                    if let Some((other, _)) = record
                        .event_types
                        .iter()
                        .find(|(k, v)| **v == n && **k != number)
                    {
                        *seen.lock().expect("lock") =
                            Some(format!("{n} is already event {other} of this tenant"));
                        return;
                    }
                    if !record.event_types.contains_key(&number)
                        && record.event_types.len() >= MAX_TENANT_EVENT_TYPES
                    {
                        *seen.lock().expect("lock") = Some(format!(
                            "a tenant has at most {MAX_TENANT_EVENT_TYPES} events of its own"
                        ));
                        return;
                    }
                    record.event_types.insert(number, n.clone());
                })?;
                s.flush()?;
                Ok(stored)
            })
            .await?;
        if let Some(message) = refused.lock().expect("lock").take() {
            return Err(ServiceError::invalid("name", message));
        }
        let _ = stored;
        Ok(EventType {
            number,
            name: name.to_string(),
            fields: Vec::new(),
            platform: false,
        })
    }

    /// Removes one of the tenant's own events; `Conflict` while a function
    /// handles it.
    pub async fn delete_event_type(&self, tenant: &str, number: u32) -> Result<(), ServiceError> {
        if let Some(f) = self
            .list(tenant, None)
            .await?
            .into_iter()
            .find(|f| f.events.contains(&number))
        {
            return Err(ServiceError::Conflict(format!(
                "function {} ({}) handles event {number}; unsubscribe it first",
                f.func_id, f.func_name
            )));
        }
        let own = self.own_event_types(tenant).await?;
        if !own.contains_key(&number) {
            return Err(ServiceError::NotFound(format!("event type {number}")));
        }
        let t = tenant.to_string();
        self.blocking(move |s| {
            s.update_tenant(&t, &|record| {
                record.event_types.remove(&number);
            })?;
            s.flush()
        })
        .await
    }

    /// An event's number and name, and the fields its data must hold.
    async fn resolve_event(
        &self,
        tenant: &str,
        field: &str,
        event: &EventRef,
        own: &BTreeMap<u32, String>,
    ) -> Result<(u32, String, &'static [&'static str]), ServiceError> {
        let _ = tenant;
        let platform = match event {
            EventRef::Number(n) => platform_event(Some(*n), None),
            EventRef::Name(name) => platform_event(None, Some(name)),
        };
        if let Some(e) = platform {
            return Ok((e.number, e.name.to_string(), e.fields));
        }
        let found = match event {
            EventRef::Number(n) => own.get(n).map(|name| (*n, name.clone())),
            EventRef::Name(name) => own
                .iter()
                .find(|(_, v)| *v == name)
                .map(|(k, v)| (*k, v.clone())),
        };
        found.map(|(n, name)| (n, name, &[][..])).ok_or_else(|| {
            let shown = match event {
                EventRef::Number(n) => n.to_string(),
                EventRef::Name(name) => format!("{name:?}"),
            };
            ServiceError::invalid(
                field,
                format!(
                    "{shown} is not an event: the platform's are 1000–1002 and 2000–2001, and this tenant defines its own at /v1/event-types"
                ),
            )
        })
    }

    /// The numbers of the events a function is to handle, each once.
    pub(crate) async fn resolve_events(
        &self,
        tenant: &str,
        events: &[EventRef],
    ) -> Result<Vec<u32>, ServiceError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        if events.len() > MAX_SUBSCRIPTIONS {
            return Err(ServiceError::invalid(
                "events",
                format!("a function handles at most {MAX_SUBSCRIPTIONS} events"),
            ));
        }
        let own = self.own_event_types(tenant).await?;
        let mut numbers = Vec::new();
        for e in events {
            let (n, _, _) = self.resolve_event(tenant, "events", e, &own).await?;
            if !numbers.contains(&n) {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }

    // ------------------------------------------------------------ publishing

    /// Accepts an event and queues one delivery for every enabled function
    /// of the tenant that handles it, durably, before it answers. The data
    /// of a platform event must hold its fields; `data` and `user` together
    /// are at most [`MAX_EVENT_BYTES`] of JSON. A function already holding
    /// [`MAX_DELIVERIES_PER_FUNCTION`] refuses it (`TooMany`, nothing
    /// queued).
    pub async fn publish_event(
        &self,
        tenant: &str,
        event: &EventRef,
        data: Value,
        user: Option<Value>,
        request_id: &str,
    ) -> Result<Vec<QueuedDelivery>, ServiceError> {
        let own = self.own_event_types(tenant).await?;
        let (number, name, fields) = self.resolve_event(tenant, "event", event, &own).await?;
        let Value::Object(map) = &data else {
            return Err(ServiceError::invalid("data", "must be an object"));
        };
        if let Some(missing) = fields.iter().find(|f| !map.contains_key(**f)) {
            return Err(ServiceError::invalid(
                "data",
                format!("{name} carries {}; {missing} is missing", fields.join(", ")),
            ));
        }
        if let Some(u) = &user
            && !u.is_object()
        {
            return Err(ServiceError::invalid("user", "must be an object"));
        }
        let size = serde_json::to_vec(&data).map(|v| v.len()).unwrap_or(0)
            + user
                .as_ref()
                .and_then(|u| serde_json::to_vec(u).ok())
                .map_or(0, |v| v.len());
        if size > MAX_EVENT_BYTES {
            return Err(ServiceError::invalid(
                "data",
                format!("data and user are {size} bytes of JSON; the limit is {MAX_EVENT_BYTES}"),
            ));
        }
        let handlers: Vec<FunctionRecord> = self
            .list(tenant, None)
            .await?
            .into_iter()
            .filter(|f| f.enabled && f.events.contains(&number))
            .collect();
        self.inner
            .metrics
            .events
            .get_or_create(&crate::metrics::TenantLabels {
                tenant: tenant.to_string(),
            })
            .inc();
        if handlers.is_empty() {
            return Ok(Vec::new());
        }
        for f in &handlers {
            let (t, id) = (tenant.to_string(), f.func_id.clone());
            let held = self.blocking(move |s| s.count_deliveries(&t, &id)).await?;
            if held >= MAX_DELIVERIES_PER_FUNCTION {
                return Err(ServiceError::TooMany(format!(
                    "function {} holds {held} deliveries, the most it may; replay or wait for them before sending more events it handles",
                    f.func_id
                )));
            }
        }
        let now = hookbox_store::now_micros();
        let deliveries: Vec<Delivery> = handlers
            .iter()
            .map(|f| Delivery {
                id: hookbox_store::new_id(),
                tenant_id: tenant.to_string(),
                func_id: f.func_id.clone(),
                seq: 0,
                event: number,
                event_name: name.clone(),
                data: data.clone(),
                user: user.clone(),
                request_id: request_id.to_string(),
                attempts: 0,
                next_at_micros: now,
                status: DeliveryStatus::Pending,
                last_error: None,
                last_status: None,
                created_at: hookbox_store::rfc3339(now),
                created_at_micros: now,
            })
            .collect();
        let lanes: Vec<Job> = handlers
            .iter()
            .map(|f| lane_for(tenant, &f.func_id, now))
            .collect();
        let stored = self
            .blocking(move |s| {
                let stored = s.add_deliveries(&deliveries, &lanes)?;
                s.flush()?;
                Ok(stored)
            })
            .await?;
        self.inner.queue_wake.notify_one();
        Ok(stored
            .into_iter()
            .map(|d| QueuedDelivery {
                id: d.id,
                func_id: d.func_id,
            })
            .collect())
    }

    /// A tenant's deliveries, oldest first: every pending one, or only
    /// those with `status`; at most `limit` (1–1000).
    pub async fn deliveries(
        &self,
        tenant: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, ServiceError> {
        let t = tenant.to_string();
        let limit = limit.clamp(1, 1000);
        self.blocking(move |s| s.list_deliveries(&t, status, limit))
            .await
    }

    /// One of a tenant's deliveries that is pending or failed (a delivered
    /// one is gone: its attempts are in its function's log).
    pub async fn delivery(&self, tenant: &str, id: &str) -> Result<Delivery, ServiceError> {
        let (t, i) = (tenant.to_string(), id.to_string());
        self.blocking(move |s| s.get_delivery(&t, &i))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("delivery {id}")))
    }

    /// Replays a failed delivery: back at the end of its function's queue,
    /// its attempts counted from zero. `Conflict` if it is not failed.
    pub async fn retry_delivery(&self, tenant: &str, id: &str) -> Result<Delivery, ServiceError> {
        let d = self.delivery(tenant, id).await?;
        let lane = lane_for(tenant, &d.func_id, hookbox_store::now_micros());
        let (t, i) = (tenant.to_string(), id.to_string());
        let d = self
            .blocking(move |s| {
                let d = s.requeue_delivery(&t, &i, &lane)?;
                s.flush()?;
                Ok(d)
            })
            .await?;
        self.inner.queue_wake.notify_one();
        Ok(d)
    }

    // ------------------------------------------------------------ HTTP functions' secrets

    /// New secrets for an HTTP function, replacing the old ones at once
    /// (shown this once). `Invalid` for a JS function.
    pub async fn rotate_webhook_secrets(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<WebhookSecrets, ServiceError> {
        redo(|| async {
            let mut record = self.get(tenant, func_id).await?;
            if record.url.is_none() {
                return Err(ServiceError::invalid(
                    "url",
                    "only an HTTP function (one with a url) has webhook secrets",
                ));
            }
            let secrets = WebhookSecrets::generate();
            record.webhook_secrets = Some(self.seal_webhook_secrets(&record, &secrets).await?);
            record.version += 1;
            record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
            let artifact = self.stored_artifact(&record).await?;
            self.save(record, artifact).await?;
            Ok(secrets)
        })
        .await
    }

    pub(super) async fn seal_webhook_secrets(
        &self,
        record: &FunctionRecord,
        secrets: &WebhookSecrets,
    ) -> Result<SealedSecrets, ServiceError> {
        let (t, f, map) = (
            record.tenant_id.clone(),
            webhook_binding(&record.func_id),
            secrets.to_map(),
        );
        self.blocking(move |s| s.seal_function_secrets(&t, &f, &map))
            .await
    }

    /// Opens an HTTP function's secrets (in `load`'s storage read).
    pub(super) fn open_webhook_secrets(
        store: &Store,
        record: &FunctionRecord,
    ) -> Result<Option<WebhookSecrets>, StoreError> {
        let Some(sealed) = &record.webhook_secrets else {
            return Ok(None);
        };
        let map = store.open_function_secrets(
            &record.tenant_id,
            &webhook_binding(&record.func_id),
            sealed,
        )?;
        Ok(WebhookSecrets::from_map(&map))
    }

    /// The public keys function sessions are signed with (a JWKS).
    pub fn function_session_jwks(&self) -> &Value {
        self.inner.sessions.jwks()
    }

    // ------------------------------------------------------------ delivering

    /// Runs a function's lane: delivers its pending deliveries in order,
    /// one at a time, for as long as they go through (at most
    /// [`LANE_BATCH`] of them or [`LANE_SLICE`], then the lane is queued
    /// again at once, so that other lanes get their turn); after a failure
    /// the lane waits for the retry's time. It ends when the queue is empty.
    /// The lane is leased before each attempt, so a crash mid-delivery
    /// delivers again: at least once.
    pub(super) async fn run_lane(&self, mut job: Job) -> Result<(), ServiceError> {
        let started = Instant::now();
        for _ in 0..LANE_BATCH {
            if !self.lane_step(&mut job).await? {
                return Ok(());
            }
            if started.elapsed() >= LANE_SLICE {
                break;
            }
        }
        job.next_at_micros = hookbox_store::now_micros();
        self.blocking(move |s| s.reschedule_job(&job)).await?;
        self.inner.queue_wake.notify_one();
        Ok(())
    }

    /// One step of a lane: `true` when the next delivery may go at once (this
    /// one was delivered, or failed its last attempt); `false` when the lane
    /// was queued for later (a retry, or a delivery not yet due) or ended.
    async fn lane_step(&self, job: &mut Job) -> Result<bool, ServiceError> {
        let (t, f) = (job.tenant_id.clone(), job.func_id.clone());
        let next = self.blocking(move |s| s.next_delivery(&t, &f)).await?;
        let Some(mut d) = next else {
            let (t, f) = (job.tenant_id.clone(), job.func_id.clone());
            if !self.blocking(move |s| s.finish_lane(&t, &f)).await? {
                self.inner.queue_wake.notify_one();
            }
            return Ok(false);
        };
        let now = hookbox_store::now_micros();
        if d.next_at_micros > now {
            job.next_at_micros = d.next_at_micros;
            let later = job.clone();
            self.blocking(move |s| s.reschedule_job(&later)).await?;
            return Ok(false);
        }
        let loaded = match self.load(&job.tenant_id, &job.func_id).await {
            Ok(l) => l.arm(d.user.as_ref().unwrap_or(&Value::Null), None, &d.id),
            Err(ServiceError::NotFound(_)) => {
                let (t, f) = (job.tenant_id.clone(), job.func_id.clone());
                self.blocking(move |s| s.delete_deliveries(&t, &f)).await?;
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let lease = Duration::from_secs(u64::from(loaded.record.timeout.clamp(1, 60)))
            + self.inner.config.job_lease_grace;
        job.next_at_micros = now + lease.as_micros() as u64;
        let leased = job.clone();
        self.blocking(move |s| s.reschedule_job(&leased)).await?;

        d.attempts += 1;
        let failure = self.attempt(&loaded, &d).await;
        let last = d.attempts >= self.inner.config.max_attempts;
        let label = match &failure {
            None => "delivered",
            Some(_) if last => "failed",
            Some(_) => "retrying",
        };
        self.inner
            .metrics
            .deliveries
            .get_or_create(&crate::metrics::DeliveryLabels {
                tenant: d.tenant_id.clone(),
                outcome: label.to_string(),
            })
            .inc();
        let Some((message, status)) = failure else {
            let (t, id) = (d.tenant_id.clone(), d.id.clone());
            self.blocking(move |s| s.remove_delivery(&t, &id)).await?;
            return Ok(true);
        };
        d.last_error = Some(message);
        d.last_status = status;
        let go_on = if last {
            tracing::warn!(func_id = %d.func_id, delivery = %d.id, attempts = d.attempts, "event delivery failed");
            d.status = DeliveryStatus::Failed;
            true
        } else {
            let backoff = self.inner.config.retry_base * 2u32.saturating_pow(d.attempts - 1);
            d.next_at_micros = hookbox_store::now_micros() + backoff.as_micros() as u64;
            job.next_at_micros = d.next_at_micros;
            false
        };
        let (stored, later) = (d.clone(), job.clone());
        self.blocking(move |s| {
            s.update_delivery(&stored)?;
            if !go_on {
                s.reschedule_job(&later)?;
            }
            s.flush()
        })
        .await?;
        Ok(go_on)
    }

    /// One attempt at a delivery: `None` when delivered, else why not and
    /// the receiver's HTTP status if it answered. Logged in the function's
    /// log either way.
    async fn attempt(&self, loaded: &Loaded, d: &Delivery) -> Option<(String, Option<u16>)> {
        let record = &loaded.record;
        let now = hookbox_store::now_micros();
        let mut event = serde_json::json!({
            "type": d.event_name,
            "event": d.event,
            "id": d.id,
            "timestamp": hookbox_store::rfc3339(now),
            "data": d.data,
        });
        if let Some(user) = &d.user {
            event["user"] = user.clone();
        }
        if let Some(url) = &record.url {
            let Some(secrets) = &loaded.webhook else {
                return Some((
                    "the HTTP function has no secrets; make them with POST /v1/functions/{id}/webhook-secrets".into(),
                    None,
                ));
            };
            let iat = now / 1_000_000;
            let session = match self.inner.sessions.issue(&SessionClaims {
                iss: "hookbox",
                aud: crate::events::FUNCTION_SESSION_AUDIENCE,
                sub: user_id_of(&d.data, d.user.as_ref()),
                tenant: d.tenant_id.clone(),
                event: d.event,
                event_name: d.event_name.clone(),
                delivery: d.id.clone(),
                iat,
                exp: iat + self.inner.config.function_session_ttl.as_secs(),
            }) {
                Ok(token) => token,
                Err(e) => return Some((e.to_string(), None)),
            };
            event["_secret"] = Value::String(secrets.secret.clone());
            event["_function_session"] = Value::String(session);
            let body = serde_json::to_vec(&event).unwrap_or_default();
            let answer = self.call_url(loaded, url, &body, &d.id).await;
            let mut outcome = delivery_outcome(&answer, d, url);
            let ok = outcome.is_ok();
            outcome.duration_us = answer.duration_us;
            self.log_url_call(loaded, &outcome, &d.id, d.attempts);
            return (!ok).then(|| {
                (
                    outcome
                        .error
                        .map(|e| e.message)
                        .unwrap_or_else(|| "failed".into()),
                    answer.status,
                )
            });
        }
        let Some(artifact) = loaded
            .artifact
            .as_ref()
            .filter(|_| record.deployed_version != 0)
        else {
            return Some((
                "the function has no deployed version that runs".into(),
                None,
            ));
        };
        let env = match self.env(&record.tenant_id).await {
            Ok(env) => env,
            Err(e) => return Some((e.to_string(), None)),
        };
        let input = Input {
            user: d
                .user
                .clone()
                .unwrap_or_else(|| Value::Object(Default::default())),
            context: Value::Object(Default::default()),
            event: Some(event),
            env: (*env).clone(),
            ..Input::default()
        };
        match self
            .run_one(loaded, artifact, input, &d.id, d.attempts, true)
            .await
        {
            Ok(outcome) if outcome.is_ok() => None,
            Ok(outcome) => Some((
                outcome.error.map(|e| e.message).unwrap_or_else(|| {
                    format!("the function ended with {}", outcome.outcome.as_str())
                }),
                None,
            )),
            Err(e) => Some((e.to_string(), None)),
        }
    }

    /// POSTs `body` to an HTTP function, signed (Standard Webhooks, with
    /// `webhook-id` `msg_{id}`), through the tenant's outbound rules, within
    /// the function's timeout.
    pub(super) async fn call_url(
        &self,
        loaded: &Loaded,
        url: &str,
        body: &[u8],
        id: &str,
    ) -> UrlAnswer {
        let started = Instant::now();
        let failed = |kind, message: String| UrlAnswer {
            status: None,
            body: String::new(),
            failure: Some((kind, message)),
            duration_us: started.elapsed().as_micros() as u64,
        };
        let record = &loaded.record;
        let outbound = match self.outbound_for(&record.tenant_id).await {
            Ok(Some(o)) => o,
            Ok(None) => {
                return failed(
                    OutcomeKind::Error,
                    "outbound HTTP is unavailable on this server".into(),
                );
            }
            Err(e) => return failed(OutcomeKind::Error, e.to_string()),
        };
        let msg_id = message_id(id);
        let timestamp = hookbox_store::now_micros() / 1_000_000;
        let mut headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            (
                "user-agent".to_string(),
                format!("hookbox/{}", env!("CARGO_PKG_VERSION")),
            ),
            ("webhook-id".to_string(), msg_id.clone()),
            ("webhook-timestamp".to_string(), timestamp.to_string()),
        ];
        if let Some(secrets) = &loaded.webhook {
            headers.push((
                "webhook-signature".to_string(),
                sign(&secrets.signing_secret, &msg_id, timestamp, body),
            ));
        }
        let request = OutboundRequest {
            method: "POST".into(),
            url: url.to_string(),
            headers,
            body: Some(String::from_utf8_lossy(body).into_owned()),
            // A redirect would replay a signed body elsewhere: hand 3xx back.
            max_redirects: 0,
        };
        let timeout = Duration::from_secs(u64::from(record.timeout.clamp(1, 60)));
        match tokio::time::timeout(timeout, outbound.send(request)).await {
            Err(_) => failed(
                OutcomeKind::Timeout,
                format!(
                    "no answer within the function's timeout of {} s",
                    timeout.as_secs()
                ),
            ),
            Ok(Err(e)) => failed(OutcomeKind::Error, e.message),
            Ok(Ok(response)) => UrlAnswer {
                status: Some(response.status),
                body: response.body,
                failure: None,
                duration_us: started.elapsed().as_micros() as u64,
            },
        }
    }

    /// Calls an HTTP function as a scene does (`{type: "scene", …}`, signed)
    /// and reads its answer as the outcome a JS function would have.
    /// Neither logs nor counts: callers that are live do
    /// ([`Service::log_url_call`]).
    pub(super) async fn call_in_scene(
        &self,
        loaded: &Loaded,
        url: &str,
        user: &Value,
        context: &Value,
        event: Option<&Value>,
    ) -> Outcome {
        let body = scene_request(&loaded.record.scene, user, context, event);
        let answer = self
            .call_url(loaded, url, &body, &hookbox_store::new_id())
            .await;
        url_outcome(answer, url)
    }

    /// Logs and counts one request to an HTTP function as a call of it.
    pub(super) fn log_url_call(
        &self,
        loaded: &Loaded,
        outcome: &Outcome,
        request_id: &str,
        attempt: u32,
    ) {
        let record = &loaded.record;
        self.inner
            .metrics
            .invocations
            .get_or_create(&OutcomeLabels {
                tenant: record.tenant_id.clone(),
                scene: record.scene.clone(),
                outcome: outcome.outcome.as_str().to_string(),
            })
            .inc();
        let mut hidden: Vec<(&String, &String)> = loaded.secrets.iter().collect();
        let names = [String::from("secret"), String::from("signingSecret")];
        if let Some(w) = &loaded.webhook {
            hidden.push((&names[0], &w.secret));
            hidden.push((&names[1], &w.signing_secret));
        }
        let secrets = Redactor::new(hidden.into_iter());
        self.record_log(record, outcome, request_id, attempt, &secrets);
    }
}

/// The lane job that delivers a function's events, due at `now`.
fn lane_for(tenant: &str, func_id: &str, now: u64) -> Job {
    Job {
        id: lane_job_id(tenant, func_id),
        tenant_id: tenant.to_string(),
        func_id: func_id.to_string(),
        request_id: String::new(),
        input: serde_json::json!({ "lane": true }),
        attempts: 0,
        next_at_micros: now,
        enqueued_at_micros: now,
    }
}

/// Whether a queue job is a delivery lane.
pub(super) fn is_lane(job: &Job) -> bool {
    job.input.get("lane").and_then(Value::as_bool) == Some(true)
}

/// The host and path of `url`, for logs (never its query, which may hold
/// secrets).
pub(super) fn shown_url(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| {
            format!(
                "{}://{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.path()
            )
        })
        .unwrap_or_default()
}

/// A delivery attempt as its function's log shows it: `ok` for a 2xx
/// answer, else `error` (or `timeout`) with the status and the first KB of
/// the answer.
fn delivery_outcome(answer: &UrlAnswer, d: &Delivery, url: &str) -> Outcome {
    let what = format!(
        "event {} {} (delivery {}, attempt {})",
        d.event, d.event_name, d.id, d.attempts
    );
    let response = truncated(&answer.body, LOGGED_RESPONSE_BYTES).to_string();
    match (&answer.failure, answer.status) {
        (Some((kind, message)), _) => {
            let mut error = ErrorInfo::new(
                "DeliveryError",
                format!("POST {}: {message}", shown_url(url)),
            );
            error.fields.insert("event".into(), Value::from(d.event));
            let mut o = Outcome::failed(*kind, error);
            o.logs.push(LogLine {
                level: LogLevel::Info,
                message: what,
            });
            o
        }
        (None, Some(status)) if (200..300).contains(&status) => {
            let mut o = Outcome::failed(OutcomeKind::Ok, ErrorInfo::new("", ""));
            o.error = None;
            o.logs.push(LogLine {
                level: LogLevel::Info,
                message: format!(
                    "{what}: POST {} answered {status}; response: {response}",
                    shown_url(url)
                ),
            });
            o
        }
        (None, status) => {
            let status = status.unwrap_or(0);
            let mut error = ErrorInfo::new(
                "DeliveryError",
                format!("POST {} answered {status}", shown_url(url)),
            );
            error
                .fields
                .insert("statusCode".into(), Value::from(status));
            error
                .fields
                .insert("response".into(), Value::String(response));
            error.fields.insert("event".into(), Value::from(d.event));
            let mut o = Outcome::failed(OutcomeKind::Error, error);
            o.logs.push(LogLine {
                level: LogLevel::Info,
                message: what,
            });
            o
        }
    }
}

/// An outcome that is `ok` and holds nothing yet.
fn ok_outcome() -> Outcome {
    let mut o = Outcome::failed(OutcomeKind::Ok, ErrorInfo::new("", ""));
    o.error = None;
    o
}

/// What an HTTP function in a scene is sent: `{"type": "scene", scene,
/// timestamp, user, context, event?}`.
pub(super) fn scene_request(
    scene: &str,
    user: &Value,
    context: &Value,
    event: Option<&Value>,
) -> Vec<u8> {
    let mut body = serde_json::json!({
        "type": "scene",
        "scene": scene,
        "timestamp": hookbox_store::rfc3339(hookbox_store::now_micros()),
        "user": user,
        "context": context,
    });
    if let Some(event) = event.filter(|e| !e.is_null()) {
        body["event"] = event.clone();
    }
    serde_json::to_vec(&body).unwrap_or_default()
}

/// An HTTP function's answer in a scene, as a JS function's outcome: a 2xx
/// JSON object continues the flow with its `user` and `context` (each
/// optional: what it leaves out is unchanged), or stops it when it holds
/// an `error` (a string, or an object with a `message`); any other status
/// is an `error`; a body that is not a JSON object is `invalid_output`; no
/// answer within the timeout is `timeout`.
pub(super) fn url_outcome(answer: UrlAnswer, url: &str) -> Outcome {
    let shown = shown_url(url);
    let mut o = match (answer.failure, answer.status) {
        (Some((kind, message)), _) => Outcome::failed(
            kind,
            ErrorInfo::new("HttpFunctionError", format!("POST {shown}: {message}")),
        ),
        (None, Some(status)) if (200..300).contains(&status) => {
            match serde_json::from_str::<Value>(&answer.body) {
                Ok(Value::Object(mut answer)) => {
                    match answer.remove("error").filter(|e| !e.is_null()) {
                        Some(error) => {
                            let mut info = ErrorInfo::new("Error", "");
                            match error {
                                Value::String(message) => info.message = message,
                                Value::Object(mut fields) => {
                                    if let Some(Value::String(m)) = fields.remove("message") {
                                        info.message = m;
                                    }
                                    if let Some(Value::String(n)) = fields.remove("name") {
                                        info.name = n;
                                    }
                                    if let Some(Value::String(c)) = fields.remove("code") {
                                        info.code = Some(c);
                                    }
                                    info.fields = fields.into_iter().take(16).collect();
                                }
                                other => info.message = other.to_string(),
                            }
                            Outcome::failed(OutcomeKind::Error, info)
                        }
                        None => {
                            let mut o = ok_outcome();
                            if let Some(user) = answer.remove("user").filter(Value::is_object) {
                                o.user = user;
                            }
                            if let Some(context) = answer.remove("context").filter(Value::is_object)
                            {
                                o.context = context;
                            }
                            o
                        }
                    }
                }
                _ => Outcome::failed(
                    OutcomeKind::InvalidOutput,
                    ErrorInfo::new(
                        "HttpFunctionError",
                        format!(
                            "POST {shown} answered {status} with a body that is not a JSON object ({{user, context}} or {{error}})"
                        ),
                    ),
                ),
            }
        }
        (None, status) => {
            let status = status.unwrap_or(0);
            let mut info = ErrorInfo::new(
                "HttpFunctionError",
                format!("POST {shown} answered {status}"),
            );
            info.fields.insert("statusCode".into(), Value::from(status));
            info.fields.insert(
                "response".into(),
                Value::String(truncated(&answer.body, LOGGED_RESPONSE_BYTES).to_string()),
            );
            Outcome::failed(OutcomeKind::Error, info)
        }
    };
    o.duration_us = answer.duration_us;
    o
}
