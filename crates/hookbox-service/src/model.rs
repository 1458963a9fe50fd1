//! What callers send and get back: function specs, calls, scene results, errors.

use hookbox_engine::{ErrorInfo, MAX_MEMORY_MB, MAX_SOURCE_BYTES, Metadata, OutcomeKind, Tokens};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Longest function name accepted.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest description accepted.
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// Why a request could not be served. Callers map these to 4xx/5xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// Unknown function, scene entry, key or tenant (also: another tenant's).
    #[error("{0} not found")]
    NotFound(String),
    /// A field breaks a rule; `field` names it for the caller.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// The function changed while a change of it was computed; the service
    /// redoes the change on the new state (a 409 only if that keeps
    /// happening).
    #[error("{0}")]
    Stale(String),
    /// A hook's name is already another hook's (names are unique among a
    /// tenant's hooks, checked atomically with the write).
    #[error("the name {name:?} is already taken")]
    NameTaken { name: String },
    /// A bound on what the tenant holds is reached (a function's queued
    /// deliveries): try again once some are gone. A 429.
    #[error("{0}")]
    TooMany(String),
    /// hookbox failed; logged with detail, reported without.
    #[error("internal error: {0}")]
    Internal(String),
    /// The database cannot be reached now (cluster mode): nothing was
    /// changed; retry shortly. Calls of cached functions still run.
    #[error("the database is unreachable: {0}")]
    Unavailable(String),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl From<hookbox_store::StoreError> for ServiceError {
    fn from(e: hookbox_store::StoreError) -> Self {
        use hookbox_store::StoreError as E;
        match e {
            E::NotFound(what) => Self::NotFound(what),
            E::Invalid(message) => Self::invalid("order", message),
            E::Conflict(message) => Self::Conflict(message),
            E::NameTaken { name, .. } => Self::NameTaken { name },
            e @ E::VersionTaken { .. } => Self::Conflict(e.to_string()),
            e @ E::Stale { .. } => Self::Stale(e.to_string()),
            E::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// An event named by its number (`2000`) or its name (`"AUTH_LOGIN"`):
/// the platform's (see [`crate::events::PLATFORM_EVENTS`]) or the tenant's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventRef {
    Number(u32),
    Name(String),
}

fn default_timeout() -> u32 {
    3
}

fn default_enabled() -> bool {
    true
}

fn default_memory() -> u32 {
    hookbox_engine::DEFAULT_MEMORY_MB
}

/// A function to create: Authing's `create-pipeline-function` fields plus
/// hookbox's `memoryLimitMb`. Any other field is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewFunction {
    pub func_name: String,
    #[serde(default)]
    pub func_description: String,
    pub scene: String,
    /// The code; empty (or absent) for an HTTP function, which has a `url`.
    #[serde(default)]
    pub source_code: String,
    /// An HTTP function's endpoint, in place of `sourceCode` (see
    /// [`crate::events`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The events it handles, by number or name (`[2000, "AUTH_REGISTER"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventRef>,
    #[serde(default)]
    pub is_asynchronous: bool,
    /// Seconds, 1–60.
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    #[serde(default)]
    pub terminate_on_timeout: bool,
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// MiB, 1–512.
    #[serde(default = "default_memory")]
    pub memory_limit_mb: u32,
    /// npm dependencies (name → version or npm range, as Auth0 hooks declare
    /// them), resolved at upload against the package catalogue: built-in
    /// packages cost nothing; added ones are compiled into the artifact.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, String>,
    /// The access key saving it, recorded with its version; set by the
    /// server from the caller, never read from a body.
    #[serde(skip)]
    pub saved_by: Option<String>,
}

/// A partial update: absent (or null) fields keep their value; any other
/// field is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionPatch {
    pub func_name: Option<String>,
    pub func_description: Option<String>,
    pub scene: Option<String>,
    /// New code; an HTTP function given code becomes a JS function.
    pub source_code: Option<String>,
    /// A new endpoint; a JS function given one becomes an HTTP function.
    pub url: Option<String>,
    /// The events it handles from now on (`[]`: none).
    pub events: Option<Vec<EventRef>>,
    pub is_asynchronous: Option<bool>,
    pub timeout: Option<u32>,
    pub terminate_on_timeout: Option<bool>,
    pub enabled: Option<bool>,
    pub memory_limit_mb: Option<u32>,
    pub dependencies: Option<BTreeMap<String, String>>,
    /// `true`: save the change of code, dependencies or limits as a new
    /// version without deploying it (metadata in the same patch applies at
    /// once). Absent or `false`: the change is deployed, as it always was.
    pub draft: Option<bool>,
    /// The access key saving it (see [`NewFunction::saved_by`]).
    #[serde(skip)]
    pub saved_by: Option<String>,
    /// The secrets the new version runs with, replacing the ones it would
    /// carry over (the Auth0 Actions front's `secrets`); never read from a
    /// body: the native API changes secrets at `/v1/functions/{id}/secrets`.
    #[serde(skip)]
    pub secrets: Option<BTreeMap<String, String>>,
}

impl NewFunction {
    /// Checks every field; the error names the first one that is wrong.
    pub fn validate(&self) -> Result<(), ServiceError> {
        check_name(&self.func_name)?;
        check_description(&self.func_description)?;
        check_scene(&self.scene)?;
        match &self.url {
            Some(_) if !self.source_code.is_empty() => {
                return Err(ServiceError::invalid(
                    "url",
                    "an HTTP function has a url and no sourceCode; give one of the two",
                ));
            }
            Some(url) => crate::events::check_url(url)?,
            None if self.source_code.is_empty() => {
                return Err(ServiceError::invalid(
                    "sourceCode",
                    "is required (an HTTP function gives url instead)",
                ));
            }
            None => check_source(&self.source_code)?,
        }
        if self.url.is_some() && !self.dependencies.is_empty() {
            return Err(ServiceError::invalid(
                "dependencies",
                "an HTTP function runs no code, so it has no npm dependencies",
            ));
        }
        check_timeout(self.timeout)?;
        check_memory(self.memory_limit_mb)?;
        crate::service::check_dependencies(&self.dependencies)
    }
}

impl FunctionPatch {
    /// Whether the patch names anything a version holds (code,
    /// dependencies, limits, secrets), changed or not.
    pub fn is_versioned(&self) -> bool {
        self.source_code.is_some()
            || self.url.is_some()
            || self.dependencies.is_some()
            || self.is_asynchronous.is_some()
            || self.timeout.is_some()
            || self.terminate_on_timeout.is_some()
            || self.memory_limit_mb.is_some()
            || self.secrets.is_some()
    }

    pub fn validate(&self) -> Result<(), ServiceError> {
        if let Some(v) = &self.func_name {
            check_name(v)?;
        }
        if let Some(v) = &self.func_description {
            check_description(v)?;
        }
        if let Some(v) = &self.scene {
            check_scene(v)?;
        }
        if let Some(v) = &self.source_code {
            check_source(v)?;
        }
        if let Some(v) = &self.url {
            if self.source_code.is_some() {
                return Err(ServiceError::invalid(
                    "url",
                    "give sourceCode (a JS function) or url (an HTTP function), not both",
                ));
            }
            crate::events::check_url(v)?;
        }
        if let Some(v) = self.timeout {
            check_timeout(v)?;
        }
        if let Some(v) = self.memory_limit_mb {
            check_memory(v)?;
        }
        if let Some(v) = &self.dependencies {
            crate::service::check_dependencies(v)?;
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), ServiceError> {
    if name.trim().is_empty() {
        return Err(ServiceError::invalid("funcName", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ServiceError::invalid(
            "funcName",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    check_name_chars("funcName", name)
}

fn check_description(d: &str) -> Result<(), ServiceError> {
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ServiceError::invalid(
            "funcDescription",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    check_text_chars("funcDescription", d)
}

/// Whether `c` may not appear in a name: it would make the name display as
/// something it is not. Every control (Cc), format (Cf: soft hyphen,
/// zero-width spaces and joiners, word joiner, BOM, the bidirectional
/// controls, …) and line or paragraph separator (Zl, Zp) character, and the
/// letters that render as blank space (the Hangul fillers U+115F, U+1160,
/// U+3164, U+FFA0, and U+2800, the blank Braille pattern).
pub fn is_hidden_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
    )
}

/// Refuses a name-like field (`funcName`, a tenant's `name`, …) holding a
/// character [`is_hidden_char`] rejects; the error names the field and the
/// character.
pub fn check_name_chars(field: &str, value: &str) -> Result<(), ServiceError> {
    match value.chars().find(|&c| is_hidden_char(c)) {
        Some(c) => Err(hidden_char_error(field, c)),
        None => Ok(()),
    }
}

/// Like [`check_name_chars`] for free text, which may hold tabs and line breaks.
fn check_text_chars(field: &str, value: &str) -> Result<(), ServiceError> {
    match value
        .chars()
        .find(|&c| is_hidden_char(c) && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(hidden_char_error(field, c)),
        None => Ok(()),
    }
}

fn hidden_char_error(field: &str, c: char) -> ServiceError {
    ServiceError::invalid(
        field,
        format!(
            "must not contain control or bidirectional formatting characters (found U+{:04X})",
            c as u32
        ),
    )
}

pub(crate) fn check_scene(scene: &str) -> Result<(), ServiceError> {
    if !crate::scene::is_scene(scene) {
        return Err(ServiceError::invalid(
            "scene",
            format!(
                "unknown scene {scene:?}; expected one of {}",
                crate::scene::SCENES.join(", ")
            ),
        ));
    }
    Ok(())
}

fn check_source(source: &str) -> Result<(), ServiceError> {
    if source.trim().is_empty() {
        return Err(ServiceError::invalid("sourceCode", "must not be empty"));
    }
    if source.len() > MAX_SOURCE_BYTES {
        return Err(ServiceError::invalid(
            "sourceCode",
            format!(
                "is {} bytes; the limit is {MAX_SOURCE_BYTES} bytes (100 KB)",
                source.len()
            ),
        ));
    }
    Ok(())
}

/// A timeout in whole seconds, 1–60 (functions and database connections).
pub(crate) fn check_timeout(timeout: u32) -> Result<(), ServiceError> {
    if !(1..=60).contains(&timeout) {
        return Err(ServiceError::invalid(
            "timeout",
            format!("must be an integer number of seconds from 1 to 60, got {timeout}"),
        ));
    }
    Ok(())
}

fn check_memory(mb: u32) -> Result<(), ServiceError> {
    if !(1..=MAX_MEMORY_MB).contains(&mb) {
        return Err(ServiceError::invalid(
            "memoryLimitMb",
            format!("must be from 1 to {MAX_MEMORY_MB}, got {mb}"),
        ));
    }
    Ok(())
}

/// One call of one function. `user`, `context` and `event` are JSON
/// objects; null or absent reads as `{}`. Any other field is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    #[serde(default)]
    pub user: Value,
    #[serde(default)]
    pub context: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Value>>,
    /// `"continue": true`: the login resumes after an Action's redirect, so
    /// Actions run `exports.onContinuePostLogin` (Auth0's `/continue`).
    #[serde(
        default,
        rename = "continue",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub resume: bool,
    /// With `"continue": true` on a scene run: the function to resume at,
    /// the `redirectedBy` of the paused run. Functions before it are skipped
    /// (they ran before the redirect), it runs `onContinuePostLogin`, and the
    /// ones after it run `onExecutePostLogin`, as Auth0 resumes a flow at the
    /// Action that redirected.
    #[serde(
        default,
        rename = "continueAt",
        skip_serializing_if = "Option::is_none"
    )]
    pub continue_at: Option<String>,
}

impl Call {
    /// Refuses `continueAt` outside a scene run: one function has nothing
    /// to skip to.
    pub fn refuse_continue_at(&self) -> Result<(), ServiceError> {
        match self.continue_at {
            Some(_) => Err(ServiceError::invalid(
                "continueAt",
                "is only read on a scene run (POST /v1/scenes/{scene}/run); one function resumes with \"continue\": true alone",
            )),
            None => Ok(()),
        }
    }

    /// Refuses a `user`, `context` or `event` that is neither an object nor
    /// null: a function would otherwise silently get `{}` in its place.
    pub fn validate(&self) -> Result<(), ServiceError> {
        let fields = [
            ("user", Some(&self.user)),
            ("context", Some(&self.context)),
            ("event", self.event.as_ref()),
        ];
        for (field, value) in fields {
            let kind = match value {
                None | Some(Value::Null | Value::Object(_)) => continue,
                Some(Value::Bool(_)) => "a boolean",
                Some(Value::Number(_)) => "a number",
                Some(Value::String(_)) => "a string",
                Some(Value::Array(_)) => "an array",
            };
            return Err(ServiceError::invalid(
                field,
                format!("must be a JSON object (or null for {{}}), got {kind}"),
            ));
        }
        let max = crate::MAX_SCRIPT_ARGS;
        match &self.args {
            Some(args) if args.len() > max => Err(ServiceError::invalid(
                "args",
                format!(
                    "a function takes at most {max} arguments before its callback, got {}",
                    args.len()
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// What ran of a scene, per function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub func_id: String,
    pub func_name: String,
    pub outcome: OutcomeKind,
    pub duration_us: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// The verdict of one scene run: what the gateway acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneResult {
    /// `ok`, or the outcome of the function that stopped the flow.
    pub outcome: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// The user and context after the last function that completed.
    pub user: Value,
    pub context: Value,
    pub tokens: Tokens,
    pub custom_data: serde_json::Map<String, Value>,
    /// The function that stopped the flow, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
    pub steps: Vec<Step>,
    /// Asynchronous functions handed to the queue (they never change the result).
    pub queued: Vec<String>,
    /// The last Auth0 hook's callback payload or handler's return value, as given.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub result: Value,
    /// Every user metadata change the functions made (Actions'
    /// `api.user.setAppMetadata`, rules' `auth0.users.updateAppMetadata`),
    /// merged in call order: what the gateway persists. Also merged into
    /// `user`. A denying function's changes are kept, as Auth0 keeps them.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// The Actions `api` calls the gateway carries out, in call order, each
    /// with the function that made it; only from functions that completed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<SceneCommand>,
    /// The Action that called `api.redirect.sendUserTo`: the run paused after
    /// it (the functions after it did not run). The gateway redirects the
    /// user, and when the user comes back it runs the scene again with
    /// `"continue": true, "continueAt": <this id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirected_by: Option<String>,
}

/// One Actions `api` call of a scene run ([`hookbox_engine::Command`]),
/// with the function that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SceneCommand {
    pub func_id: String,
    /// The method's path under `api` (`"multifactor.enable"`).
    pub method: String,
    /// Its arguments, as JSON.
    pub args: Vec<Value>,
}

/// The answer of [`crate::Service::check_source`]: whether a source compiles,
/// serialised as `{"status": "success"}` or `{"status": "failed", "message",
/// "line", "column"}` (1-based, in the source as given; the message is the
/// compiler's, e.g. `SyntaxError: unexpected token in expression: ')'`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum SourceCheck {
    Success,
    Failed {
        message: String,
        line: u32,
        column: u32,
    },
}
