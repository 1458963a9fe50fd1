//! The records hookbox keeps. Field names are camelCase on disk as on the wire.

use serde::{Deserialize, Serialize};

pub type TenantId = String;

/// What a key may do: `admin` manages and runs; `invoke` only runs (a gateway's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Invoke,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: String,
    /// The tenant's Auth0 domain (`acme.eu.auth0.com`), which rules read as
    /// `auth0.domain` and `auth0.baseUrl`; unset by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The tenant's own events (number → `NAME`), beside the platform's
    /// (`POST /v1/event-types`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub event_types: std::collections::BTreeMap<u32, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    pub access_key_id: String,
    pub tenant_id: TenantId,
    pub role: Role,
    pub created_at: String,
}

/// A key as stored: the secret only as a salted hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredKey {
    pub key: AccessKey,
    pub salt: String,
    pub hash: String,
    /// The secret, sealed (see [`crate::Sealer`]): request signatures are
    /// checked against it. Absent for keys made without a sealing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
}

/// A function's secrets as stored: opaque outside the store (open them with
/// [`crate::Store::open_function_secrets`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SealedSecrets {
    Sealed(String),
    /// Only in a store without a sealing key (tests, tools).
    Plain(std::collections::BTreeMap<String, String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionStatus {
    Uploading,
    Success,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionRecord {
    pub tenant_id: TenantId,
    pub func_id: String,
    pub func_name: String,
    pub func_description: String,
    pub scene: String,
    pub source_code: String,
    pub is_asynchronous: bool,
    /// Seconds.
    pub timeout: u32,
    pub terminate_on_timeout: bool,
    pub enabled: bool,
    pub status: FunctionStatus,
    pub upload_err_msg: Option<String>,
    pub memory_limit_mb: u32,
    /// npm dependencies declared through the Auth0 front (name → version);
    /// only modules hookbox provides are accepted.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub dependencies: std::collections::BTreeMap<String, String>,
    /// Bumped on every write of the record (a revision, for
    /// [`crate::Store::rebuild_function`]'s check); not a version number.
    pub version: u64,
    /// The number of the [`FunctionVersion`] the function runs: its source
    /// and settings are that version's. 0 only in a record written before
    /// versions existed (the store gives it version 1 when it opens).
    #[serde(default)]
    pub deployed_version: u64,
    /// The highest version number given so far (numbers are never reused,
    /// even after retention drops a version).
    #[serde(default)]
    pub latest_version: u64,
    /// A version deployed to a share of calls beside the deployed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradual: Option<GradualDeployment>,
    /// The versions deployed before the deployed one, oldest first (at most
    /// [`MAX_DEPLOY_HISTORY`]): what a rollback goes back to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deploy_history: Vec<u64>,
    /// The pending draft: the version saved without deploying it that the
    /// next change builds on, until it is deployed (Auth0's draft). Kept by
    /// retention. `None`: the deployed version is the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_version: Option<u64>,
    /// Hash of the engine plugin the stored artifact was built for.
    pub plugin: Option<String>,
    /// Made through the Auth0 Actions front: listed there and never among
    /// hooks, bound to its trigger by `enabled`, and runnable only once a
    /// version is deployed (until then `deployed_version` is 0 and the
    /// record holds the draft, which nothing runs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub action: bool,
    /// The events the function handles (numbers: the platform's `1000`…`2001`
    /// and the tenant's own): each `POST /v1/events` of one is delivered to
    /// it. Metadata, like `scene`: not part of a version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<u32>,
    /// An HTTP function: the `http:`/`https:` URL hookbox POSTs to in place of
    /// running code (`source_code` is then empty and there is no artifact).
    /// Part of a version, as code is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// An HTTP function's two secrets, sealed for it (see
    /// [`crate::Store::seal_function_secrets`]): `secret`, sent as the
    /// payload's `_secret`, and `signingSecret` (`whsec_…`), which signs each
    /// request (Standard Webhooks). Never part of a version, so a rollback
    /// never brings back a rotated secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secrets: Option<SealedSecrets>,
    pub created_at: String,
    pub updated_at: String,
}

/// How many earlier deployments a function remembers for rollbacks.
pub const MAX_DEPLOY_HISTORY: usize = 100;

impl FunctionRecord {
    /// Deploys version `number` (already the record's code and settings):
    /// the version it replaces joins the history.
    pub fn mark_deployed(&mut self, number: u64) {
        if self.deployed_version != 0 && self.deployed_version != number {
            self.deploy_history.push(self.deployed_version);
            let over = self.deploy_history.len().saturating_sub(MAX_DEPLOY_HISTORY);
            self.deploy_history.drain(..over);
        }
        self.deployed_version = number;
    }
}

/// A gradual deployment: `version` runs for `percent` of calls (1–99), the
/// rest run the deployed version. Which one a call runs is decided by its
/// user, so one user sees one version throughout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GradualDeployment {
    pub version: u64,
    pub percent: u8,
    pub started_at: String,
}

/// One immutable version of a function: what a change of its code,
/// dependencies or limits saved. Metadata (name, description, scene,
/// enabled) is the function's, not a version's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionVersion {
    /// 1, 2, …: per function, in the order they were saved.
    pub number: u64,
    pub source_code: String,
    /// An HTTP function's URL (see [`FunctionRecord::url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub dependencies: std::collections::BTreeMap<String, String>,
    pub is_asynchronous: bool,
    /// Seconds.
    pub timeout: u32,
    pub terminate_on_timeout: bool,
    pub memory_limit_mb: u32,
    /// `success`, or `failed` when the source did not compile (it is kept,
    /// as the function is, so that the history is whole).
    pub status: FunctionStatus,
    pub upload_err_msg: Option<String>,
    /// SHA-256 (hex) of the artifact compiled from it, with the plugin it
    /// was compiled by; absent for a failed compile.
    pub artifact_sha256: Option<String>,
    /// The access key that saved it, when the request was made with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The function's secrets as this version runs them, sealed as the live
    /// ones are: deploying the version makes them the live secrets. Left
    /// `None` when saved, the store records the live secrets; `None` as
    /// read only in versions saved before secrets were versioned (deploying
    /// one leaves the live secrets as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<SealedSecrets>,
    pub created_at: String,
}

impl FunctionVersion {
    /// The version `record`'s code and settings make, numbered `number`.
    pub fn of(record: &FunctionRecord, number: u64, artifact_sha256: Option<String>) -> Self {
        Self {
            number,
            source_code: record.source_code.clone(),
            url: record.url.clone(),
            dependencies: record.dependencies.clone(),
            is_asynchronous: record.is_asynchronous,
            timeout: record.timeout,
            terminate_on_timeout: record.terminate_on_timeout,
            memory_limit_mb: record.memory_limit_mb,
            status: record.status,
            upload_err_msg: record.upload_err_msg.clone(),
            artifact_sha256,
            created_by: None,
            secrets: None,
            created_at: record.updated_at.clone(),
        }
    }

    /// Whether `record`'s code and settings are this version's.
    pub fn matches(&self, record: &FunctionRecord) -> bool {
        self.source_code == record.source_code
            && self.url == record.url
            && self.dependencies == record.dependencies
            && self.is_asynchronous == record.is_asynchronous
            && self.timeout == record.timeout
            && self.terminate_on_timeout == record.terminate_on_timeout
            && self.memory_limit_mb == record.memory_limit_mb
    }
}

/// One invocation, as its function's log shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    /// Unique. Left empty, the store assigns one that sorts by time
    /// (`{at_micros:020}{counter:010}`); listing order never depends on it,
    /// since logs are keyed by `at_micros` and a counter.
    pub id: String,
    pub tenant_id: TenantId,
    /// The function's id, or [`crate::connection_log_id`] for a database
    /// connection's script runs.
    pub func_id: String,
    /// The database script that ran (`login`, `get_user`, …), for a
    /// connection's log; absent for a function's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    pub request_id: String,
    pub at: String,
    /// Unix microseconds, for expiry.
    pub at_micros: u64,
    pub outcome: String,
    pub duration_us: u64,
    pub is_async: bool,
    pub attempt: u32,
    /// The function version that ran (absent for a connection's script, and
    /// in records written before versions existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub error: Option<serde_json::Value>,
    pub logs: serde_json::Value,
}

/// Which of a function's logs a listing keeps (`GET /v1/functions/{id}/logs?outcome=&version=`):
/// every field given must match; none given keeps every log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// The outcome, as logged (`ok`, `error`, `timeout`, …).
    pub outcome: Option<String>,
    /// The function version that ran.
    pub version: Option<u64>,
}

impl LogFilter {
    pub fn is_empty(&self) -> bool {
        self.outcome.is_none() && self.version.is_none()
    }

    pub fn matches(&self, record: &LogRecord) -> bool {
        self.outcome.as_ref().is_none_or(|o| *o == record.outcome)
            && self.version.is_none_or(|v| record.version == Some(v))
    }
}

/// What a function's statistics read of one log: when, how it ended, how
/// long it took (the fields of [`LogRecord`] by the same names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPoint {
    /// Unix microseconds.
    pub at_micros: u64,
    pub outcome: String,
    pub duration_us: u64,
}

/// A custom database connection (Auth0's): its scripts' sources and its
/// run settings. Its configuration is kept apart, sealed (see
/// `Store::connection_configuration`), and so are its scripts' artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRecord {
    pub tenant_id: TenantId,
    /// Unique within the tenant: the key it is found by.
    pub name: String,
    /// Script name (`login`, `get_user`, `create`, `verify`,
    /// `change_password`, `change_email`, `delete`) → its source.
    pub scripts: std::collections::BTreeMap<String, String>,
    /// Seconds each script run may take.
    pub timeout: u32,
    /// 1 when created, bumped on every update.
    pub version: u64,
    pub created_at: String,
    pub updated_at: String,
}

/// A durable queue entry: one asynchronous function to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub tenant_id: TenantId,
    pub func_id: String,
    pub request_id: String,
    /// What the function gets (user, context, event, ...).
    pub input: serde_json::Value,
    /// Runs started so far (a lease counts: at-least-once).
    pub attempts: u32,
    /// When it may run (next), unix microseconds.
    pub next_at_micros: u64,
    pub enqueued_at_micros: u64,
}

/// Where an event delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Queued, or being retried: its function gets it after every older one.
    Pending,
    /// Every attempt failed: kept to be listed and replayed, no longer
    /// holding up the deliveries after it.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
        }
    }
}

/// One event on its way to one subscribed function (`POST /v1/events`).
/// A function's pending deliveries go out one at a time in `seq` order;
/// a delivered one is removed (its attempts stay in the function's log).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Unique; the `webhook-id` of every attempt, so a receiver can drop
    /// a redelivery it already handled.
    pub id: String,
    pub tenant_id: TenantId,
    pub func_id: String,
    /// Its place in the function's queue, given by the store when it is
    /// added (increasing; 0 before).
    #[serde(default)]
    pub seq: u64,
    /// The event's number (`2000`) and name (`AUTH_LOGIN`).
    pub event: u32,
    pub event_name: String,
    /// The event's own data (`user_id`, `email`, …).
    pub data: serde_json::Value,
    /// The user who caused the event, as the caller gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<serde_json::Value>,
    pub request_id: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, unix microseconds.
    pub next_at_micros: u64,
    pub status: DeliveryStatus,
    /// The last attempt's failure, and its HTTP status when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    pub created_at: String,
    pub created_at_micros: u64,
}

/// An npm package an operator added to the server's catalogue: what its
/// tarball held that a function can run (JavaScript and JSON files), with
/// the metadata `require` and dependency resolution need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRecord {
    /// The package's name (`lodash`, `@scope/name`).
    pub name: String,
    /// Its exact version (`4.17.21`).
    pub version: String,
    /// Its `license` field, as published.
    #[serde(default)]
    pub license: Option<String>,
    /// The file `require(name)` loads, relative to the package (`index.js`).
    pub main: String,
    /// Its `dependencies` (name → npm version range), each of which the
    /// catalogue must satisfy when a function uses it.
    #[serde(default)]
    pub dependencies: std::collections::BTreeMap<String, String>,
    /// Path relative to the package → text, for its `.js`, `.cjs` and
    /// `.json` files.
    pub files: std::collections::BTreeMap<String, String>,
    /// The tarball's digest, as npm writes it (`sha512-<base64>`).
    pub integrity: String,
    /// Sum of the kept files' sizes, in bytes.
    pub size: u64,
    /// RFC 3339, when it was added.
    pub added_at: String,
}
