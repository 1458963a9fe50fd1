//! Functions: create, update, drafts, tests of drafts, listing, deletion, scene order, compilation and saving.

use super::*;

impl Service {
    // ------------------------------------------------------------ functions

    /// Validates, compiles and stores a new function. A compile error still
    /// stores it, as `failed` with `uploadErrMsg` (Authing does the same).
    pub async fn deploy(
        &self,
        tenant: &str,
        spec: NewFunction,
    ) -> Result<FunctionRecord, ServiceError> {
        Ok(self.deploy_inner(tenant, spec, false, None).await?.record)
    }

    /// [`Service::deploy`], with an HTTP function's new secrets (shown only
    /// in this answer).
    pub async fn create_function(
        &self,
        tenant: &str,
        spec: NewFunction,
    ) -> Result<Deployed, ServiceError> {
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
        Ok(self.deploy_inner(tenant, spec, true, None).await?.record)
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
        Ok(self
            .deploy_inner(tenant, spec, true, Some(secrets))
            .await?
            .record)
    }

    pub(super) async fn deploy_inner(
        &self,
        tenant: &str,
        spec: NewFunction,
        refuse_failed: bool,
        action_secrets: Option<BTreeMap<String, String>>,
    ) -> Result<Deployed, ServiceError> {
        spec.validate()?;
        let events = self.resolve_events(tenant, &spec.events).await?;
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
            events,
            url: spec.url,
            webhook_secrets: None,
            created_at: at.clone(),
            updated_at: at,
        };
        let webhook_secrets = match record.url {
            Some(_) => {
                let secrets = crate::events::WebhookSecrets::generate();
                record.webhook_secrets = Some(self.seal_webhook_secrets(&record, &secrets).await?);
                Some(secrets)
            }
            None => None,
        };
        let packages = self.resolve_dependencies(&record.dependencies).await?;
        let artifact = self.compile_into(&mut record, packages.as_ref()).await;
        if refuse_failed {
            refuse_if_failed(&record)?;
        }
        let record = if let Some(secrets) = action_secrets {
            let sealed = self.seal_secrets(&record, secrets).await?;
            self.save_undeployed(record, artifact, spec.saved_by, sealed)
                .await?
        } else {
            self.save_version(record, artifact, spec.saved_by).await?
        };
        Ok(Deployed {
            record,
            webhook_secrets,
        })
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

    pub(super) async fn update_inner(
        &self,
        tenant: &str,
        func_id: &str,
        patch: FunctionPatch,
        refuse_failed: bool,
    ) -> Result<FunctionRecord, ServiceError> {
        redo(|| self.update_once(tenant, func_id, patch.clone(), refuse_failed)).await
    }

    pub(super) async fn update_once(
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
            .is_some_and(|s| *s != record.source_code || record.url.is_some())
            || patch
                .url
                .as_ref()
                .is_some_and(|u| record.url.as_ref() != Some(u))
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
            record.url = None;
        }
        if let Some(v) = patch.url {
            if !record.dependencies.is_empty()
                && patch.dependencies.as_ref().is_none_or(|d| !d.is_empty())
            {
                return Err(ServiceError::invalid(
                    "url",
                    "an HTTP function has no npm dependencies: give \"dependencies\": {} with the url",
                ));
            }
            record.url = Some(v);
            record.source_code = String::new();
            if record.webhook_secrets.is_none() {
                // Shown by rotating them (POST /v1/functions/{id}/webhook-secrets).
                let secrets = crate::events::WebhookSecrets::generate();
                record.webhook_secrets = Some(self.seal_webhook_secrets(&record, &secrets).await?);
            }
        }
        if let Some(v) = &patch.events {
            record.events = self.resolve_events(tenant, v).await?;
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
    pub(super) async fn save_draft(
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
            sample_gate: Default::default(),
            webhook: live.webhook.clone(),
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
        let outcome = match (&artifact, &loaded.record.url) {
            (Some(artifact), _) => {
                self.run_one(&loaded, artifact, input, request_id, 1, false)
                    .await?
            }
            // An HTTP function's version: its URL is called as a scene
            // would call it (not logged, like any test).
            (None, Some(url)) => {
                self.call_in_scene(
                    &loaded,
                    url,
                    &input.user,
                    &input.context,
                    input.event.as_ref(),
                )
                .await
            }
            (None, None) => {
                return Err(ServiceError::Conflict(format!(
                    "version {number} has no code to run"
                )));
            }
        };
        Ok((number, outcome))
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
                s.delete_deliveries(&t, &f)?;
                s.flush()?;
                Ok(existed)
            })
            .await?;
        self.forget(tenant, func_id);
        self.inner.recent.forget(tenant, func_id);
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

    pub(super) async fn reorder(
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

    pub(super) async fn compile_into(
        &self,
        record: &mut FunctionRecord,
        packages: Option<&crate::packages::Bundle>,
    ) -> Option<Artifact> {
        if record.url.is_some() {
            // An HTTP function runs no code: nothing to compile.
            record.status = FunctionStatus::Success;
            record.upload_err_msg = None;
            record.plugin = None;
            return None;
        }
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

    pub(super) async fn stored_artifact(
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
    pub(super) async fn save_version(
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
    pub(super) async fn save_undeployed(
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
    pub(super) async fn save_kept(
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

    pub(super) async fn save(
        &self,
        record: FunctionRecord,
        artifact: Option<Artifact>,
    ) -> Result<FunctionRecord, ServiceError> {
        self.save_with(record, artifact, None).await
    }

    pub(super) async fn save_with(
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
                s.put_function_based(&stored, wasm.as_deref(), version.as_ref(), &|other| {
                    kind.is_some() && auth0_kind(other) == kind
                })?;
                s.flush()?;
                let secrets = s.hook_secrets(&stored.tenant_id, &stored.func_id)?;
                let webhook = Self::open_webhook_secrets(s, &stored)?;
                Ok((stored, (secrets, webhook)))
            })
            .await?;
        let (secrets, webhook) = secrets;
        let key = (record.tenant_id.clone(), record.func_id.clone());
        let gradual = self.gradual_arm(&record, &secrets).await;
        let loaded = Arc::new(Loaded {
            limits: limits_of(&record),
            by_version: gradual.is_some(),
            sample_gate: Default::default(),
            record: record.clone(),
            artifact,
            secrets,
            gradual,
            webhook,
        });
        self.inner.functions.replace(ticket, key, loaded);
        // A function may have moved between scenes: the tenant's orders are
        // read again, or served as they were while the database is down (as
        // after another node's change), so that a deploy just before an
        // outage does not stop the tenant's scene runs.
        self.inner.orders.demote_tenant(&record.tenant_id);
        Ok(record)
    }
}

/// For fronts that refuse what does not compile (Auth0): the compile error as
/// a 400 naming the source.
pub(super) fn refuse_if_failed(record: &FunctionRecord) -> Result<(), ServiceError> {
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
