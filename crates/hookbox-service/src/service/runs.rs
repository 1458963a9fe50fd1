//! Running: single invocations, dry runs and scene runs.

use super::*;

impl Service {
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
        if let Some(url) = &loaded.record.url {
            // An HTTP function: called as a scene would call it, and logged.
            let outcome = self
                .call_in_scene(&loaded, url, &call.user, &call.context, call.event.as_ref())
                .await;
            self.log_url_call(&loaded, &outcome, request_id, 1);
            return Ok(outcome);
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

    /// Compiles a source and keeps nothing (`POST /v1/compile`): what an
    /// editor checks before saving. A syntax error is an answer, not an
    /// error: [`SourceCheck::Failed`] with the 1-based line and column in the
    /// given source. Errors: an oversize source (invalid `sourceCode`), or
    /// the compiler itself failing (internal).
    pub async fn check_source(&self, source: &str) -> Result<SourceCheck, ServiceError> {
        let limit = hookbox_engine::MAX_SOURCE_BYTES;
        if source.len() > limit {
            return Err(ServiceError::invalid(
                "sourceCode",
                format!("the limit is {limit} bytes ({} KB)", limit / 1024),
            ));
        }
        match self.inner.engine.compile(source).await {
            Ok(_) => Ok(SourceCheck::Success),
            Err(CompileError::Syntax {
                message,
                line,
                column,
            }) => Ok(SourceCheck::Failed {
                message,
                line,
                column,
            }),
            Err(CompileError::TooLarge { limit, .. }) => Err(ServiceError::invalid(
                "sourceCode",
                format!("the limit is {limit} bytes"),
            )),
            Err(CompileError::Internal(e)) => Err(ServiceError::Internal(e)),
        }
    }

    /// Runs a source once without storing anything (`POST /v1/run`). With a
    /// `scene`, an Action runs as on that scene (its trigger picks which
    /// `exports.onExecute…` runs); an unknown scene is invalid.
    pub async fn dry_run(
        &self,
        tenant: &str,
        source: &str,
        call: Call,
        timeout: Option<u32>,
        scene: Option<&str>,
    ) -> Result<Outcome, ServiceError> {
        call.validate()?;
        call.refuse_continue_at()?;
        if let Some(scene) = scene {
            check_scene(scene)?;
        }
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
            trigger: scene.and_then(action_trigger).map(str::to_string),
            ..Input::default()
        };
        self.inner
            .engine
            .invoke_with(&artifact, &input, &limits, outbound)
            .await
            .map_err(invoke_error)
    }

    /// Keeps a sample of what a function is really called with (see
    /// `recent.rs`): `user`, `context`, `event` and `args`, nothing the
    /// sandbox adds.
    fn capture_input(&self, loaded: &Loaded, input: &Input, request_id: &str) {
        let now = Instant::now();
        if !loaded.sample_gate.open(now) {
            return;
        }
        let (record, recent) = (&loaded.record, &self.inner.recent);
        let mut taken = serde_json::Map::new();
        taken.insert("user".into(), input.user.clone());
        taken.insert("context".into(), input.context.clone());
        if let Some(event) = &input.event {
            taken.insert("event".into(), event.clone());
        }
        if let Some(args) = &input.args {
            taken.insert("args".into(), Value::Array(args.clone()));
        }
        recent.record(
            &record.tenant_id,
            &record.func_id,
            now,
            RecentInput {
                at: hookbox_store::rfc3339(hookbox_store::now_micros()),
                request_id: request_id.to_string(),
                input: Value::Object(taken),
                version: record.deployed_version,
            },
        );
    }

    /// The newest inputs `func_id` was called with on this node, newest
    /// first (`GET /v1/functions/{id}/recent-inputs`).
    pub async fn recent_inputs(
        &self,
        tenant: &str,
        func_id: &str,
    ) -> Result<Vec<RecentInput>, ServiceError> {
        self.get(tenant, func_id).await?;
        Ok(self.inner.recent.list(tenant, func_id))
    }

    /// Runs one function with what every call of it gets besides the
    /// caller's input: its scene's Actions trigger, its secrets, its live
    /// Actions cache and the facts of the call ([`CallMeta`]). Afterwards: an
    /// authorizer's result is checked, cache writes are stored, the call is
    /// counted and logged (secrets redacted). A test run (`live: false`)
    /// stores nothing: no cache write, no count, no log record.
    pub(super) async fn run_one(
        &self,
        loaded: &Loaded,
        artifact: &Artifact,
        mut input: Input,
        request_id: &str,
        attempt: u32,
        live: bool,
    ) -> Result<Outcome, ServiceError> {
        let record = &loaded.record;
        if live {
            // Before any secret is added to the input.
            self.capture_input(loaded, &input, request_id);
        }
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

    /// Runs a scene's pipeline: the gateway's call, once per login stage.
    pub async fn run_scene(
        &self,
        tenant: &str,
        scene: &str,
        call: Call,
        request_id: &str,
    ) -> Result<SceneResult, ServiceError> {
        check_scene(scene)?;
        if scene == crate::scene::EVENTS {
            return Err(ServiceError::invalid(
                "scene",
                "the events scene's functions run for events (POST /v1/events), never in a scene run",
            ));
        }
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
            if !runs || (record.url.is_none() && loaded.artifact.is_none()) {
                continue;
            }
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
            let mut outcome = match (&record.url, &loaded.artifact) {
                (Some(url), _) => {
                    let outcome = self
                        .call_in_scene(
                            &loaded,
                            url,
                            &input.user,
                            &input.context,
                            input.event.as_ref(),
                        )
                        .await;
                    self.log_url_call(&loaded, &outcome, request_id, 1);
                    outcome
                }
                (None, Some(artifact)) => {
                    self.run_one(&loaded, artifact, input, request_id, 1, true)
                        .await?
                }
                (None, None) => continue,
            };
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
}

/// The Actions command that pauses a scene run until the user comes back.
pub(super) const REDIRECT_COMMAND: &str = "redirect.sendUserTo";

/// Turns an `ok` outcome with a `redirect.sendUserTo` whose URL is not an
/// absolute `http:`/`https:` URL into `invalid_output`: the gateway sends a
/// user's browser there, so a `javascript:` or relative URL from a hostile
/// function must never reach it. Auth0 redirects to the URL as given.
pub(super) fn check_redirects(outcome: &mut Outcome) {
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
pub(super) fn is_clean_web_url(url: &str) -> bool {
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
pub(super) const RESUMABLE_SCENE: &str = "post-login";

/// Merges one function's metadata changes into the scene's user, the
/// gateway's event's user (so the next function sees them) and the changes
/// the gateway persists.
pub(super) fn merge_metadata(
    result: &mut SceneResult,
    event: Option<&mut Value>,
    metadata: Metadata,
) {
    if metadata.is_empty() {
        return;
    }
    metadata.apply_to(&mut result.user);
    if let Some(user) = event.and_then(|e| e.get_mut("user")) {
        metadata.apply_to(user);
    }
    result.metadata.extend(metadata);
}

pub(super) fn invoke_error(e: InvokeError) -> ServiceError {
    match e {
        InvokeError::InputTooLarge { size, limit } => ServiceError::invalid(
            "user",
            format!("input is {size} bytes; the limit is {limit} bytes (1 MB)"),
        ),
        other => ServiceError::Internal(other.to_string()),
    }
}
