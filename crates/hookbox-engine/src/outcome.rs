//! What one invocation returns: the object of DESIGN §7, the same for the
//! engine, `hookbox run` and the HTTP API.

use serde::{Deserialize, Serialize};
use serde_json::Value;
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
}

impl ErrorInfo {
    pub fn new(name: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            message: message.into(),
            stack: None,
            code: None,
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

/// Token claims a function added (a value) or removed (`null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    #[serde(default)]
    pub id_token: BTreeMap<String, Value>,
    #[serde(default)]
    pub access_token: BTreeMap<String, Value>,
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
    pub custom_data: BTreeMap<String, Value>,
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
            custom_data: BTreeMap::new(),
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
    /// hooks; defaults to `[user, context]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Value>>,
}
