//! What one invocation returns: the object of DESIGN §7, the same for the
//! engine, `hookbox run` and the HTTP API.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// How an invocation ended. Every limit hit has its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The function called back (or resolved) without an error.
    Ok,
    /// The function denied: `callback(err)`, a throw or a rejected promise.
    Error,
    /// The wall-clock timeout passed.
    Timeout,
    /// The CPU (fuel) budget ran out.
    OutOfFuel,
    /// The function tried to grow memory past its cap.
    MemoryLimit,
    /// Recursion too deep for the guest's stack.
    StackOverflow,
    /// Nothing was pending any more and the callback was never called.
    CallbackNotCalled,
    /// The result was too large or not serialisable.
    InvalidOutput,
}

impl OutcomeKind {
    /// Every kind, in declaration order.
    pub const ALL: [OutcomeKind; 8] = [
        Self::Ok,
        Self::Error,
        Self::Timeout,
        Self::OutOfFuel,
        Self::MemoryLimit,
        Self::StackOverflow,
        Self::CallbackNotCalled,
        Self::InvalidOutput,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Timeout => "timeout",
            Self::OutOfFuel => "out_of_fuel",
            Self::MemoryLimit => "memory_limit",
            Self::StackOverflow => "stack_overflow",
            Self::CallbackNotCalled => "callback_not_called",
            Self::InvalidOutput => "invalid_output",
        }
    }
}

/// The error a function stopped with, or the limit it hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub name: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error object's other own fields, as the error classes of the
    /// source platforms define them (`friendlyMessage` of Auth0's
    /// `PreUserRegistrationError`, `user_id` of `WrongUsernameOrPasswordError`,
    /// `userMessage` of an Action's `api.access.deny`, a script's own
    /// `statusCode`, …): at most 16, each at most 8 KB of JSON.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl ErrorInfo {
    pub fn new(name: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            stack: None,
            code: None,
            fields: Map::new(),
        }
    }
}

/// Console level of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Info,
    Debug,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

/// Token claims a function added (a value) or removed (`null`), in the
/// order it set them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    #[serde(default)]
    pub id_token: Map<String, Value>,
    #[serde(default)]
    pub access_token: Map<String, Value>,
}

/// Auth0 user metadata a function changed: Actions' `api.user.setAppMetadata`
/// / `setUserMetadata` and rules' `auth0.users.updateAppMetadata` /
/// `updateUserMetadata`. Top-level keys to merge into the user's metadata; a
/// `null` value deletes the key (the Management API's merge).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
    #[serde(default)]
    pub user_metadata: Map<String, Value>,
}

impl Metadata {
    pub fn is_empty(&self) -> bool {
        self.app_metadata.is_empty() && self.user_metadata.is_empty()
    }

    /// Adds `later`'s changes on top of these: a later value for a key wins.
    pub fn extend(&mut self, later: Metadata) {
        self.app_metadata.extend(later.app_metadata);
        self.user_metadata.extend(later.user_metadata);
    }

    /// Merges the changes into `user.app_metadata` / `user.user_metadata`
    /// (created as objects where missing; `null` deletes a key), so that the
    /// next function sees them. A `user` that is not an object is left alone.
    pub fn apply_to(&self, user: &mut Value) {
        let Value::Object(user) = user else { return };
        for (field, changes) in [
            ("app_metadata", &self.app_metadata),
            ("user_metadata", &self.user_metadata),
        ] {
            if changes.is_empty() {
                continue;
            }
            let target = user
                .entry(field)
                .or_insert_with(|| Value::Object(Map::new()));
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let target = target.as_object_mut().expect("made an object above");
            for (key, value) in changes {
                if value.is_null() {
                    target.shift_remove(key);
                } else {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// One Auth0 Actions `api` call that only the gateway can carry out
/// (`multifactor.enable`, `redirect.sendUserTo`, `accessToken.addScope`,
/// `samlResponse.setAttribute`, …), as the function made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The method's path under `api`, for example `"multifactor.enable"`.
    pub method: String,
    /// Its arguments, as JSON.
    pub args: Vec<Value>,
}

/// The result of one invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub outcome: OutcomeKind,
    /// The user the callback passed back (`null` unless `ok`).
    #[serde(default)]
    pub user: Value,
    #[serde(default)]
    pub context: Value,
    /// A handler's return value, or an Auth0 hook's callback payload.
    #[serde(default)]
    pub result: Value,
    #[serde(default)]
    pub tokens: Tokens,
    #[serde(default)]
    pub custom_data: Map<String, Value>,
    /// User metadata changes (Actions, rules' `auth0.users`), kept whatever
    /// the outcome: Auth0 does not roll them back when a login is denied.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Actions `api` calls for the gateway, in call order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<Command>,
    /// Actions cache writes: key → `{"value": string, "expires_at": ms since
    /// the epoch}`, or `null` for a deleted key.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub cache: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    #[serde(default)]
    pub logs: Vec<LogLine>,
    /// Server time for the call: instantiate, run, read the result.
    #[serde(default)]
    pub duration_us: u64,
    /// Fuel the call used: deterministic for a given script and input.
    #[serde(default)]
    pub fuel_used: u64,
}

impl Outcome {
    /// An outcome that is not `ok`, with nothing but the error.
    pub fn failed(kind: OutcomeKind, error: ErrorInfo) -> Self {
        Self {
            outcome: kind,
            user: Value::Null,
            context: Value::Null,
            result: Value::Null,
            tokens: Tokens::default(),
            custom_data: Map::new(),
            metadata: Metadata::default(),
            commands: Vec::new(),
            cache: Map::new(),
            error: Some(error),
            logs: Vec::new(),
            duration_us: 0,
            fuel_used: 0,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.outcome == OutcomeKind::Ok
    }
}

/// What a call passes to the function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Input {
    #[serde(default)]
    pub user: Value,
    #[serde(default)]
    pub context: Value,
    /// A handler's event; defaults to `{}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Value>,
    /// The tenant's environment variables (`env`, `configuration`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Arguments before the callback for `module.exports = function (…, cb)`
    /// hooks (defaults to `[user, context]`) and database scripts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Value>>,
    /// The Auth0 Actions trigger id ("post-login", "pre-user-registration",
    /// "post-user-registration", "credentials-exchange",
    /// "post-change-password", "send-phone-message"): which
    /// `exports.onExecute<Trigger>` runs. Without it a script's only
    /// `onExecute*` export runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Run `exports.onContinuePostLogin`: the login resumes after a redirect.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resume: bool,
    /// The function's own secrets: Actions' `event.secrets`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
    /// Replaces the `configuration` global (otherwise the tenant's
    /// environment): a database connection's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<BTreeMap<String, String>>,
    /// Call a custom database script: the Auth0 script name ("login",
    /// "get_user", "create", "verify", "change_password", "change_email",
    /// "delete"), or "" for a script that is one function. Its function gets
    /// `args` and a callback; the callback's value is the `result`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// The function's live Actions cache: key → `{"value", "expires_at"}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub cache: Map<String, Value>,
    /// Facts about this call, for FunctionGraph's `context.get…()` and the
    /// rules' `auth0.domain`. Not part of the input JSON: the guest asks for
    /// them when a script first uses one. Without it, the limits' timeout and
    /// memory cap are still given.
    #[serde(skip)]
    pub meta: Option<CallMeta>,
}

/// What a function may learn about its own call (FunctionGraph's `context`
/// methods, the rules' `auth0` global).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallMeta {
    /// `context.getRequestID()`.
    pub request_id: String,
    /// `context.getFunctionName()`.
    pub function_name: String,
    /// `context.getVersion()`: the function's version number, as text.
    pub function_version: String,
    /// `context.getMemorySize()`, in MB.
    pub memory_mb: u32,
    /// `context.getRunningTimeInSeconds()` × 1000, and the base of
    /// `getRemainingTimeInMilliSeconds()`: the timeout, in ms.
    pub timeout_ms: u64,
    /// `context.getProjectID()`: the tenant id.
    pub tenant_id: String,
    /// The tenant's Auth0 domain, for the rules' `auth0.domain` and
    /// `auth0.baseUrl` (`https://{domain}/api/v2`); absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}
