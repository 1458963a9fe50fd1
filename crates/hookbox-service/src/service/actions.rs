//! Auth0 Actions on top of versions: the revert that copies a version, and
//! a trigger's bindings (which Actions run there, in which order).
//!
//! An Action is a function with `action: true` whose scene is its trigger.
//! Bound means enabled; the bindings' order is the scene's order of its
//! Actions (rules, hooks and pipeline functions of the scene keep their
//! places after them).

use super::Service;
use crate::ServiceError;
use hookbox_store::{FunctionRecord, FunctionStatus};

impl Service {
    /// Auth0's rollback (`POST /actions/actions/{id}/versions/{n}/deploy`):
    /// a new version, a copy of version `number`, deployed at once; the
    /// function's pending draft stays the draft unless `update_draft`. Source: Auth0's "Roll back to a previous
    /// action version" ("Creates a new, deployed action version that is
    /// identical to the specified version"). `NotFound` for an unknown
    /// version; `Conflict` when it does not compile.
    pub async fn revert_action(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
        update_draft: bool,
        saved_by: Option<String>,
    ) -> Result<FunctionRecord, ServiceError> {
        super::redo(|| self.revert_once(tenant, func_id, number, update_draft, saved_by.clone()))
            .await
    }

    async fn revert_once(
        &self,
        tenant: &str,
        func_id: &str,
        number: u64,
        update_draft: bool,
        saved_by: Option<String>,
    ) -> Result<FunctionRecord, ServiceError> {
        let target = self.version(tenant, func_id, number).await?;
        if target.status != FunctionStatus::Success {
            return Err(ServiceError::Conflict(format!(
                "version {number} does not compile: {}",
                target.upload_err_msg.as_deref().unwrap_or("no artifact")
            )));
        }
        let current = self.get(tenant, func_id).await?;
        let mut record = super::with_version(&current, &target);
        record.deployed_version = current.deployed_version;
        // The pending draft stays the draft, unless the copy replaces it.
        if update_draft {
            record.draft_version = None;
        }
        record.version += 1;
        record.updated_at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let artifact = self.compile_version(&mut record, number).await?;
        // The copy runs with the target's secrets (Auth0: secrets belong to
        // versions).
        self.save_version_with(record, artifact, saved_by, target.secrets.clone())
            .await
    }

    /// The Actions bound to `trigger`, in the order they run.
    pub async fn action_bindings(
        &self,
        tenant: &str,
        trigger: &str,
    ) -> Result<Vec<FunctionRecord>, ServiceError> {
        let mut bound = self.list(tenant, Some(trigger)).await?;
        bound.retain(|f| f.action && f.enabled);
        Ok(bound)
    }

    /// Replaces `trigger`'s bindings: the Actions `ids`, in that order, run
    /// first in the scene, and its other Actions are unbound, in one write
    /// (of two concurrent calls, one's bindings win whole). Each must be an
    /// Action of that trigger with a deployed version (Auth0: "Before an
    /// Action can be bound to a flow, the Action must be deployed"), and
    /// appear once; otherwise `Invalid` naming `bindings` and nothing
    /// changes. Returns the bindings as stored.
    pub async fn bind_actions(
        &self,
        tenant: &str,
        trigger: &str,
        ids: Vec<String>,
    ) -> Result<Vec<FunctionRecord>, ServiceError> {
        let (t, s) = (tenant.to_string(), trigger.to_string());
        let changed = self
            .blocking(move |st| {
                let changed = st.bind_scene(&t, &s, &ids, &|f| f.action)?;
                st.flush()?;
                Ok(changed)
            })
            .await
            .map_err(|e| match e {
                ServiceError::Invalid { message, .. } => ServiceError::invalid("bindings", message),
                other => other,
            })?;
        // The cached functions carry their switch: reload them.
        for record in &changed {
            let key = (tenant.to_string(), record.func_id.clone());
            self.inner.functions.invalidate(&key);
        }
        self.inner
            .orders
            .invalidate(&(tenant.to_string(), trigger.to_string()));
        self.action_bindings(tenant, trigger).await
    }
}

/// How many of each Action's newest log records an execution lookup reads.
pub const EXECUTION_SCAN_PER_ACTION: usize = 2_000;

impl Service {
    /// One run of a trigger (Auth0's execution), by the request id the scene
    /// run answered with: the log records of the tenant's Actions that ran
    /// in it, in the order they ran, each with its Action. Read from each
    /// Action's newest [`EXECUTION_SCAN_PER_ACTION`] log records, once the
    /// log batch holding them is written. `NotFound` when none matches.
    pub async fn execution(
        &self,
        tenant: &str,
        request_id: &str,
    ) -> Result<Vec<(FunctionRecord, hookbox_store::LogRecord)>, ServiceError> {
        let actions: Vec<FunctionRecord> = self
            .list(tenant, None)
            .await?
            .into_iter()
            .filter(|f| f.action)
            .collect();
        let (t, r) = (tenant.to_string(), request_id.to_string());
        let mut found = self
            .blocking(move |s| {
                let mut found = Vec::new();
                for action in actions {
                    let (logs, _) =
                        s.list_logs(&t, &action.func_id, 1, EXECUTION_SCAN_PER_ACTION)?;
                    found.extend(
                        logs.into_iter()
                            .filter(|l| l.request_id == r)
                            .map(|l| (action.clone(), l)),
                    );
                }
                Ok(found)
            })
            .await?;
        if found.is_empty() {
            return Err(ServiceError::NotFound(format!("execution {request_id}")));
        }
        found.sort_by_key(|(_, l)| l.at_micros);
        Ok(found)
    }
}
