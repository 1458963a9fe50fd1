//! Versions: history, deploying a version, gradual deployments, rollback and re-upload.

use super::*;

impl Service {
    // ------------------------------------------------------------ versions

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
    pub(super) async fn gradual_arm(
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
                sample_gate: Default::default(),
                webhook: None,
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

    pub(super) async fn deploy_gradually_once(
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
        if record.url.is_some() || version.url.is_some() {
            return Err(ServiceError::invalid(
                "version",
                "an HTTP function's versions are URLs: deploy one to every call instead of gradually",
            ));
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
    pub(super) async fn deploy_as(
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
        self.save(record, artifact).await
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

    pub(super) async fn rollback_once(
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
    /// a `Conflict` naming the version when it does not compile. `None` for
    /// an HTTP function's version (a URL: nothing to compile).
    pub(crate) async fn compile_version(
        &self,
        record: &mut FunctionRecord,
        number: u64,
    ) -> Result<Option<Artifact>, ServiceError> {
        if record.url.is_some() {
            self.compile_into(record, None).await;
            return Ok(None);
        }
        let packages = self.resolve_dependencies(&record.dependencies).await?;
        self.compile_into(record, packages.as_ref())
            .await
            .map(Some)
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

    pub(super) async fn reupload_once(
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
}
