//! Tenants' env vars, outbound allow-lists and hook secrets, and the rules they are checked by.

use super::*;

impl Service {
    // ------------------------------------------------------------ env

    pub async fn env(&self, tenant: &str) -> Result<Arc<BTreeMap<String, String>>, ServiceError> {
        let key = tenant.to_string();
        let ticket = match self.cached(&self.inner.envs, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let t = tenant.to_string();
        let env = match self.blocking(move |s| s.env(&t)).await {
            Ok(env) => Arc::new(env),
            Err(e) => return self.stale(&self.inner.envs, &key, e),
        };
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
    pub(super) async fn outbound_for(
        &self,
        tenant: &str,
    ) -> Result<Option<Arc<dyn Outbound>>, ServiceError> {
        let Some(client) = &self.inner.outbound else {
            return Ok(None);
        };
        Ok(Some(client.for_tenant(self.allow_list(tenant).await?)))
    }

    /// A tenant's parsed allow-list, cached.
    pub(super) async fn allow_list(&self, tenant: &str) -> Result<Arc<AllowList>, ServiceError> {
        let key = tenant.to_string();
        let ticket = match self.cached(&self.inner.allow_lists, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let rules = match self.outbound_allow(tenant).await {
            Ok(rules) => rules,
            Err(e) => return self.stale(&self.inner.allow_lists, &key, e),
        };
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

    pub(super) async fn change_secrets<F>(
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
    pub(super) async fn version_secrets_change(
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

pub(super) fn check_secrets(secrets: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    if secrets.is_empty() {
        return Err(ServiceError::invalid("secrets", "name at least one secret"));
    }
    for (name, value) in secrets {
        hooks::check_secret_name(name)?;
        hooks::check_secret_value(name, value)?;
    }
    Ok(())
}

/// Largest environment variable value, in bytes.
pub const MAX_ENV_VALUE_BYTES: usize = 32 * 1024;

pub(super) fn check_env_value(field: &str, value: &str) -> Result<(), ServiceError> {
    if value.len() > MAX_ENV_VALUE_BYTES {
        return Err(ServiceError::invalid(
            field,
            format!("must be at most {MAX_ENV_VALUE_BYTES} bytes (32 KB)"),
        ));
    }
    Ok(())
}

pub(super) fn check_env_key(key: &str) -> Result<(), ServiceError> {
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
