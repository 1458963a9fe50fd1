//! Custom database connections: Auth0's "custom database" action scripts,
//! which an identity gateway calls with its own arguments to log a user in,
//! find one, create one, verify an email, change a password or an email, or
//! delete a user in the tenant's own user store.
//!
//! A tenant's connection has a unique name, up to seven scripts
//! ([`DATABASE_SCRIPTS`]), a configuration (the scripts' `configuration`
//! global; sealed at rest like hook secrets, and never shown again) and a
//! timeout. Scripts are compiled when they are uploaded, so a script that
//! does not compile is refused with its line and column and nothing is
//! stored. A run ([`Service::run_script`]) calls the script's function with
//! the gateway's arguments and a callback; its `callback(err, value)` comes
//! back as the outcome (`result` = the value; `error` = the error class with
//! its fields, e.g. `WrongUsernameOrPasswordError` with `user_id`), under
//! the connection's timeout and the usual memory and fuel caps, and is
//! written to the connection's invocation log with the configuration's values
//! redacted.

use super::{Key, Redactor, Service, log_record};
use crate::hooks::{MAX_SECRET_BYTES, MAX_SECRETS};
use crate::metrics::{OutcomeLabels, SceneLabels};
use crate::model::{ServiceError, check_timeout};
use hookbox_engine::{
    Artifact, CallMeta, CompileError, Input, InvokeError, Limits, MAX_SOURCE_BYTES, Outcome,
};
use hookbox_store::{ConnectionRecord, ConnectionWrite, LogRecord, connection_log_id};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The scripts a connection may have: the names of Auth0's Management API
/// (`options.customScripts`). The guest calls the function each one's
/// templates declare: `login`, `getUser`/`getByEmail`, `create`, `verify`,
/// `changePassword`, `changeEmail`, `deleteUser`/`remove`.
pub const DATABASE_SCRIPTS: [&str; 7] = [
    "login",
    "get_user",
    "create",
    "verify",
    "change_password",
    "change_email",
    "delete",
];

/// A script run's timeout when the connection sets none, in seconds: Auth0
/// runs database scripts with "about 20 s" before it recycles the container
/// (the seed's custom database rules).
pub const DEFAULT_CONNECTION_TIMEOUT: u32 = 20;

/// Arguments one script run may pass, at most. Auth0's longest signature,
/// `changeEmail(email, newEmail, verified, callback)` with the Organizations
/// `context` before the callback, takes four; eight leaves room without
/// letting a caller build a call of thousands.
pub const MAX_SCRIPT_ARGS: usize = 8;

/// A connection to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewConnection {
    /// 1–128 characters, unique in the tenant (trimmed).
    pub name: String,
    /// Script name ([`DATABASE_SCRIPTS`]) → its source.
    pub scripts: BTreeMap<String, String>,
    /// The scripts' `configuration` global: at most 20 entries, names of
    /// letters, digits, `_` and `-`, values of at most 8 KB (a hook's
    /// secrets' rules).
    pub configuration: BTreeMap<String, String>,
    /// Seconds, 1–60; [`DEFAULT_CONNECTION_TIMEOUT`] when absent.
    pub timeout: Option<u32>,
}

/// A change to a connection, as a JSON merge patch (RFC 7396) of its scripts
/// and its configuration: a name with a value sets it, a name with `None`
/// removes it, a name left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionPatch {
    pub scripts: BTreeMap<String, Option<String>>,
    pub configuration: BTreeMap<String, Option<String>>,
    /// Seconds, 1–60.
    pub timeout: Option<u32>,
}

/// A connection as the API shows it: its configuration's names, never
/// their values.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub name: String,
    pub scripts: BTreeMap<String, String>,
    pub configuration: Vec<String>,
    pub timeout: u32,
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

impl Connection {
    fn new(record: ConnectionRecord, configuration: &BTreeMap<String, String>) -> Self {
        Self {
            name: record.name,
            scripts: record.scripts,
            configuration: configuration.keys().cloned().collect(),
            timeout: record.timeout,
            version: record.version,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// A connection ready to run.
pub(super) struct LoadedConnection {
    record: ConnectionRecord,
    artifacts: BTreeMap<String, Artifact>,
    configuration: BTreeMap<String, String>,
    limits: Limits,
}

impl Service {
    /// Validates and compiles every script, then stores the connection
    /// whole. A taken name is a conflict.
    pub async fn create_connection(
        &self,
        tenant: &str,
        spec: NewConnection,
    ) -> Result<Connection, ServiceError> {
        let name = check_connection_name(&spec.name)?;
        for (script, source) in &spec.scripts {
            check_script(script, source)?;
        }
        check_configuration(&spec.configuration)?;
        let timeout = spec.timeout.unwrap_or(DEFAULT_CONNECTION_TIMEOUT);
        check_timeout(timeout)?;
        let mut artifacts = BTreeMap::new();
        for (script, source) in &spec.scripts {
            artifacts.insert(script.clone(), self.compile_script(script, source).await?);
        }
        let at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let record = ConnectionRecord {
            tenant_id: tenant.to_string(),
            name,
            scripts: spec.scripts,
            timeout,
            version: 1,
            created_at: at.clone(),
            updated_at: at,
        };
        self.save_connection(
            record,
            spec.configuration,
            artifacts,
            ConnectionWrite::Create,
        )
        .await
    }

    /// One connection (configuration names only).
    pub async fn get_connection(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<Connection, ServiceError> {
        let (t, n) = (tenant.to_string(), name.to_string());
        let found = self
            .blocking(move |s| {
                let Some(record) = s.get_connection(&t, &n)? else {
                    return Ok(None);
                };
                let configuration = s.connection_configuration(&t, &n)?;
                Ok(Some(Connection::new(record, &configuration)))
            })
            .await?;
        found.ok_or_else(|| not_found(name))
    }

    /// The tenant's connections, by name (configuration names only).
    pub async fn list_connections(&self, tenant: &str) -> Result<Vec<Connection>, ServiceError> {
        let t = tenant.to_string();
        self.blocking(move |s| {
            s.list_connections(&t)?
                .into_iter()
                .map(|record| {
                    let configuration = s.connection_configuration(&t, &record.name)?;
                    Ok(Connection::new(record, &configuration))
                })
                .collect()
        })
        .await
    }

    /// Applies a patch: changed scripts are compiled before anything is
    /// written; the connection is then stored whole, over the version the
    /// patch was applied to (a concurrent update makes this one a conflict,
    /// never a mix of the two).
    pub async fn update_connection(
        &self,
        tenant: &str,
        name: &str,
        patch: ConnectionPatch,
    ) -> Result<Connection, ServiceError> {
        for (script, source) in &patch.scripts {
            match source {
                Some(source) => check_script(script, source)?,
                None => check_script_name(&format!("scripts.{script}"), script)?,
            }
        }
        for (key, value) in &patch.configuration {
            check_configuration_entry(key, value.as_deref().unwrap_or_default())?;
        }
        if let Some(timeout) = patch.timeout {
            check_timeout(timeout)?;
        }
        let current = self.load_connection(tenant, name).await?;
        let mut configuration = current.configuration.clone();
        for (key, value) in patch.configuration {
            match value {
                Some(value) => configuration.insert(key, value),
                None => configuration.remove(&key),
            };
        }
        check_configuration(&configuration)?;
        let mut record = current.record.clone();
        let mut artifacts: BTreeMap<String, Artifact> = current.artifacts.clone();
        for (script, source) in patch.scripts {
            match source {
                Some(source) => {
                    if record.scripts.get(&script) != Some(&source) {
                        let artifact = self.compile_script(&script, &source).await?;
                        artifacts.insert(script.clone(), artifact);
                    }
                    record.scripts.insert(script, source);
                }
                None => {
                    record.scripts.remove(&script);
                    artifacts.remove(&script);
                }
            }
        }
        if let Some(timeout) = patch.timeout {
            record.timeout = timeout;
        }
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let expect = ConnectionWrite::Update {
            version: current.record.version,
        };
        self.save_connection(record, configuration, artifacts, expect)
            .await
    }

    /// Deletes a connection with its artifacts, configuration and logs.
    pub async fn delete_connection(&self, tenant: &str, name: &str) -> Result<(), ServiceError> {
        let (t, n) = (tenant.to_string(), name.to_string());
        let existed = self
            .blocking(move |s| {
                let existed = s.delete_connection(&t, &n)?;
                s.flush()?;
                Ok(existed)
            })
            .await?;
        self.inner
            .connections
            .invalidate(&(tenant.to_string(), name.to_string()));
        if !existed {
            return Err(not_found(name));
        }
        Ok(())
    }

    /// Runs one of a connection's scripts once, as the gateway does at a
    /// login, sign-up or password change: `args` before the callback, the
    /// connection's configuration as `configuration`, its timeout, and the
    /// usual memory and fuel caps. A script that ends without calling back is
    /// `callback_not_called` at once; one that never ends is a `timeout`.
    pub async fn run_script(
        &self,
        tenant: &str,
        name: &str,
        script: &str,
        args: Vec<Value>,
        request_id: &str,
    ) -> Result<Outcome, ServiceError> {
        check_script_name("script", script)?;
        if args.len() > MAX_SCRIPT_ARGS {
            return Err(ServiceError::invalid(
                "args",
                format!(
                    "a script takes at most {MAX_SCRIPT_ARGS} arguments before its callback, got {}",
                    args.len()
                ),
            ));
        }
        let loaded = self.load_connection(tenant, name).await?;
        let Some(artifact) = loaded.artifacts.get(script) else {
            return Err(ServiceError::NotFound(format!(
                "script {script} of connection {name}"
            )));
        };
        let record = &loaded.record;
        let input = Input {
            args: Some(args),
            script: Some(script.to_string()),
            configuration: Some(loaded.configuration.clone()),
            meta: Some(CallMeta {
                request_id: request_id.to_string(),
                function_name: record.name.clone(),
                function_version: record.version.to_string(),
                memory_mb: loaded.limits.get_memory_mb(),
                timeout_ms: loaded.limits.get_timeout().as_millis() as u64,
                tenant_id: tenant.to_string(),
                domain: None,
            }),
            ..Input::default()
        };
        let outbound = self.outbound_for(tenant).await?;
        let outcome = self
            .inner
            .engine
            .invoke_with(artifact, &input, &loaded.limits, outbound)
            .await
            .map_err(|e| match e {
                InvokeError::InputTooLarge { size, limit } => ServiceError::invalid(
                    "args",
                    format!("the call's input is {size} bytes; the limit is {limit} bytes (1 MB)"),
                ),
                other => ServiceError::Internal(other.to_string()),
            })?;
        let label = format!("connection:{script}");
        let m = &self.inner.metrics;
        m.invocations
            .get_or_create(&OutcomeLabels {
                tenant: tenant.to_string(),
                scene: label.clone(),
                outcome: outcome.outcome.as_str().to_string(),
            })
            .inc();
        m.invocation_seconds
            .get_or_create(&SceneLabels { scene: label })
            .observe(outcome.duration_us as f64 / 1e6);
        let secrets = Redactor::new(loaded.configuration.iter());
        self.push_log(log_record(
            (tenant, &connection_log_id(name), Some(script)),
            &outcome,
            request_id,
            (false, 1),
            &secrets,
        ));
        Ok(outcome)
    }

    /// A connection's script runs, newest first: `page` from 1, `limit` 1–100.
    pub async fn connection_logs(
        &self,
        tenant: &str,
        name: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), ServiceError> {
        let (t, n) = (tenant.to_string(), name.to_string());
        let found = self
            .blocking(move |s| {
                if s.get_connection(&t, &n)?.is_none() {
                    return Ok(None);
                }
                let page = page.max(1);
                let limit = limit.clamp(1, super::MAX_LOGS_PAGE);
                s.list_logs(&t, &connection_log_id(&n), page, limit)
                    .map(Some)
            })
            .await?;
        found.ok_or_else(|| not_found(name))
    }

    /// Compiles one script; a syntax error is a 400 naming `scripts.<name>`
    /// with the line and column.
    async fn compile_script(&self, script: &str, source: &str) -> Result<Artifact, ServiceError> {
        let started = std::time::Instant::now();
        let compiled = self.inner.engine.compile(source).await;
        self.inner
            .metrics
            .compile_seconds
            .observe(started.elapsed().as_secs_f64());
        compiled.map_err(|e| {
            let field = format!("scripts.{script}");
            match e {
                CompileError::Syntax {
                    message,
                    line,
                    column,
                } => ServiceError::invalid(
                    &field,
                    format!("does not compile: {message} (line {line}, column {column})"),
                ),
                CompileError::TooLarge { size, limit } => ServiceError::invalid(
                    &field,
                    format!("is {size} bytes; the limit is {limit} bytes (100 KB)"),
                ),
                CompileError::Internal(detail) => ServiceError::Internal(detail),
            }
        })
    }

    /// Writes a connection whole, flushes (an acknowledged write survives a
    /// crash) and caches what it wrote.
    async fn save_connection(
        &self,
        record: ConnectionRecord,
        configuration: BTreeMap<String, String>,
        artifacts: BTreeMap<String, Artifact>,
        expect: ConnectionWrite,
    ) -> Result<Connection, ServiceError> {
        let wasm: BTreeMap<String, Vec<u8>> = artifacts
            .iter()
            .map(|(script, artifact)| (script.clone(), artifact.to_wasm()))
            .collect();
        let key: Key = (record.tenant_id.clone(), record.name.clone());
        let ticket = self.inner.connections.ticket(&record.tenant_id);
        let (stored, config) = (record.clone(), configuration.clone());
        self.blocking(move |s| {
            s.put_connection(&stored, &config, &wasm, expect)?;
            s.flush()
        })
        .await
        .map_err(|e| match (e, expect) {
            (ServiceError::Conflict(_), ConnectionWrite::Create) => ServiceError::Conflict(
                format!("name: a connection named {:?} already exists", record.name),
            ),
            (e, _) => e,
        })?;
        let shown = Connection::new(record.clone(), &configuration);
        let loaded = Arc::new(LoadedConnection {
            limits: connection_limits(record.timeout),
            record,
            artifacts,
            configuration,
        });
        self.inner.connections.replace(ticket, key, loaded);
        Ok(shown)
    }

    /// A connection ready to run: from the cache, or loaded from the store.
    /// Artifacts built by another engine plugin are rebuilt from their
    /// sources, never run, and written back only over the version they were
    /// rebuilt from.
    async fn load_connection(
        &self,
        tenant: &str,
        name: &str,
    ) -> Result<Arc<LoadedConnection>, ServiceError> {
        let key: Key = (tenant.to_string(), name.to_string());
        let ticket = match self.cached(&self.inner.connections, &key) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (t, n) = key.clone();
        let found = self
            .blocking(move |s| {
                let Some(record) = s.get_connection(&t, &n)? else {
                    return Ok(None);
                };
                let configuration = s.connection_configuration(&t, &n)?;
                let artifacts = s.connection_artifacts(&t, &n)?;
                Ok(Some((record, configuration, artifacts)))
            })
            .await;
        let found = match found {
            Ok(found) => found,
            Err(e) => return self.stale(&self.inner.connections, &key, e),
        };
        let Some((record, configuration, stored)) = found else {
            self.inner.connections.absent(&key);
            return Err(not_found(name));
        };
        let plugin = self.inner.engine.plugin_hash();
        let mut artifacts = BTreeMap::new();
        let mut rebuilt = false;
        for (script, source) in &record.scripts {
            let current = stored
                .get(script)
                .and_then(|bytes| Artifact::from_wasm(bytes).ok())
                .filter(|a| a.plugin() == plugin);
            let artifact = match current {
                Some(artifact) => artifact,
                None => {
                    tracing::info!(
                        tenant,
                        connection = name,
                        script,
                        "rebuilding a database script built for another engine plugin"
                    );
                    rebuilt = true;
                    self.compile_script(script, source).await.map_err(|e| {
                        ServiceError::Conflict(format!(
                            "script {script} of connection {name} does not compile with this engine: {e}"
                        ))
                    })?
                }
            };
            artifacts.insert(script.clone(), artifact);
        }
        if rebuilt {
            let wasm: BTreeMap<String, Vec<u8>> = artifacts
                .iter()
                .map(|(script, artifact)| (script.clone(), artifact.to_wasm()))
                .collect();
            let stored = record.clone();
            self.blocking(move |s| s.rebuild_connection(&stored, &wasm))
                .await?;
        }
        let loaded = Arc::new(LoadedConnection {
            limits: connection_limits(record.timeout),
            record,
            artifacts,
            configuration,
        });
        self.inner.connections.fill(ticket, key, loaded.clone());
        Ok(loaded)
    }
}

fn not_found(name: &str) -> ServiceError {
    ServiceError::NotFound(format!("connection {name}"))
}

/// A script run's limits: the connection's timeout (the fuel budget follows
/// it), the default memory cap.
fn connection_limits(timeout: u32) -> Limits {
    let mut limits = Limits::default();
    // Stored records were validated at write time; clamp anyway.
    let _ = limits.timeout(Duration::from_secs(timeout.clamp(1, 60) as u64));
    limits
}

/// The name, trimmed, if it is one: 1–128 characters, none hidden (a
/// function name's rules).
/// Auth0's rule for a connection's name (Management API, `ConnectionName`):
/// 1–128 ASCII letters and digits, with single `-` between them: it starts
/// and ends with a letter or digit and has no `--`. A name is never trimmed:
/// what is refused here could not be addressed in a path anyway.
fn check_connection_name(name: &str) -> Result<String, ServiceError> {
    let rule = "is 1–128 ASCII letters and digits with single '-' between them (Auth0's rule for a connection name)";
    let valid = !name.is_empty()
        && name.len() <= MAX_CONNECTION_NAME_CHARS
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !valid {
        let shown: String = name.chars().take(64).collect();
        return Err(ServiceError::invalid(
            "name",
            format!("{rule}, got {shown:?}"),
        ));
    }
    Ok(name.to_string())
}

/// Longest connection name, in characters (Auth0: 128).
pub const MAX_CONNECTION_NAME_CHARS: usize = 128;

fn check_script_name(field: &str, script: &str) -> Result<(), ServiceError> {
    if DATABASE_SCRIPTS.contains(&script) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        field,
        format!(
            "unknown database script {script:?}; expected one of {}",
            DATABASE_SCRIPTS.join(", ")
        ),
    ))
}

fn check_script(script: &str, source: &str) -> Result<(), ServiceError> {
    let field = format!("scripts.{script}");
    check_script_name(&field, script)?;
    if source.trim().is_empty() {
        return Err(ServiceError::invalid(&field, "must not be empty"));
    }
    if source.len() > MAX_SOURCE_BYTES {
        return Err(ServiceError::invalid(
            &field,
            format!(
                "is {} bytes; the limit is {MAX_SOURCE_BYTES} bytes (100 KB)",
                source.len()
            ),
        ));
    }
    Ok(())
}

fn check_configuration(configuration: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    if configuration.len() > MAX_SECRETS {
        return Err(ServiceError::invalid(
            "configuration",
            format!(
                "a connection holds at most {MAX_SECRETS} configuration values, got {}",
                configuration.len()
            ),
        ));
    }
    for (key, value) in configuration {
        check_configuration_entry(key, value)?;
    }
    Ok(())
}

/// A hook secret's rules: the name 1–128 letters, digits, `_` or `-` (what
/// `configuration.NAME` can reach), the value at most 8 KB.
fn check_configuration_entry(key: &str, value: &str) -> Result<(), ServiceError> {
    let valid = !key.is_empty()
        && key.len() <= 128
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(ServiceError::invalid(
            "configuration",
            format!("{key:?}: a name is 1–128 letters, digits, '_' or '-'"),
        ));
    }
    if value.len() > MAX_SECRET_BYTES {
        return Err(ServiceError::invalid(
            &format!("configuration.{key}"),
            format!("a value is at most {MAX_SECRET_BYTES} bytes (8 KB)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_scripts_and_configuration_are_checked_by_name() {
        for good in ["users", "Username-Password-Authentication", "a", "db-2"] {
            assert_eq!(check_connection_name(good).unwrap(), good);
        }
        for bad in [
            "",
            "   ",
            "users db",
            "a\u{202E}b",
            "tab\there",
            ".",
            "..",
            "a--b",
            "-a",
            "a-",
            "é",
        ] {
            let e = check_connection_name(bad).unwrap_err();
            assert!(e.to_string().starts_with("name: "), "{e}");
        }
        assert!(check_connection_name(&"n".repeat(129)).is_err());
        assert!(check_connection_name(&"n".repeat(128)).is_ok());

        let e = check_script("getUser", "function getUser() {}").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("scripts.getUser: unknown database script"),
            "{e}"
        );
        let e = check_script("login", &"x".repeat(MAX_SOURCE_BYTES + 1)).unwrap_err();
        assert!(e.to_string().contains("102400 bytes (100 KB)"), "{e}");
        assert!(check_script("login", &"x".repeat(MAX_SOURCE_BYTES)).is_ok());

        let many: BTreeMap<String, String> = (0..=MAX_SECRETS)
            .map(|i| (format!("K{i}"), "v".into()))
            .collect();
        let e = check_configuration(&many).unwrap_err();
        assert!(e.to_string().contains("at most 20"), "{e}");
        let e = check_configuration_entry("A KEY", "v").unwrap_err();
        assert!(e.to_string().starts_with("configuration: "), "{e}");
        let e = check_configuration_entry("K", &"v".repeat(MAX_SECRET_BYTES + 1)).unwrap_err();
        assert!(e.to_string().starts_with("configuration.K: "), "{e}");
        assert!(check_timeout(0).is_err() && check_timeout(61).is_err());
    }
}
