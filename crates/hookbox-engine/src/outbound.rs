//! Outbound HTTP: the one way out of the sandbox. The guest has no sockets; it
//! hands the host a request (`hookbox.http`), and the host makes it through an
//! [`Outbound`] the embedder supplies per call (hookbox-service enforces the
//! tenant's allow-list and refuses private addresses), or refuses it when
//! there is none.
//!
//! The engine owns the bounds that belong to the call rather than to the
//! network: requests per call, request body size, and the call's own
//! wall-clock deadline, which also bounds a guest waiting on the host.

use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Requests one call may make (redirect hops are not counted here; see
/// [`MAX_OUTBOUND_REDIRECTS`]).
pub const MAX_OUTBOUND_REQUESTS: u32 = 10;
/// Largest request body a function may send.
pub const MAX_OUTBOUND_REQUEST_BYTES: usize = 256 * 1024;
/// Largest response body read; a larger one is refused while streaming.
pub const MAX_OUTBOUND_RESPONSE_BYTES: usize = 1024 * 1024;
/// Redirect hops followed per request, each re-checked like the first.
pub const MAX_OUTBOUND_REDIRECTS: u32 = 5;
/// Longest a single request may take, when the call's deadline is further.
pub const OUTBOUND_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A request as the guest describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    /// Redirect hops to follow (0: hand a 3xx back), capped at [`MAX_OUTBOUND_REDIRECTS`].
    #[serde(default = "default_redirects")]
    pub max_redirects: u32,
}

fn default_redirects() -> u32 {
    MAX_OUTBOUND_REDIRECTS
}

/// What the guest gets back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundResponse {
    pub status: u16,
    pub status_text: String,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The URL of the last hop.
    pub url: String,
    pub redirected: bool,
}

/// A request that was refused or failed. The message names the rule or the
/// failure and the host, never the path or query (which can hold secrets);
/// it becomes the JS exception's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outbound: {message}")]
pub struct OutboundError {
    /// Whether a rule refused it (as opposed to the network failing).
    pub refused: bool,
    /// Node-style error code the JS error carries (`EOUTBOUND`, `ETIMEDOUT`, …).
    pub code: &'static str,
    pub message: String,
}

impl OutboundError {
    /// A rule said no.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            refused: true,
            code: "EOUTBOUND",
            message: message.into(),
        }
    }

    /// The request was allowed but did not complete.
    pub fn failed(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            refused: false,
            code,
            message: message.into(),
        }
    }
}

pub type OutboundFuture =
    Pin<Box<dyn Future<Output = Result<OutboundResponse, OutboundError>> + Send>>;

/// Makes requests on a function's behalf, under the embedder's rules.
/// Implementations must enforce [`MAX_OUTBOUND_RESPONSE_BYTES`],
/// [`MAX_OUTBOUND_REDIRECTS`] and [`OUTBOUND_REQUEST_TIMEOUT`]; the engine has
/// already checked the count and the body size, and drops the future (so the
/// request) when the call's deadline passes.
pub trait Outbound: Send + Sync {
    fn send(&self, request: OutboundRequest) -> OutboundFuture;
}

/// The guest's view of an answer: the response, or `{error: {message, code}}`.
pub(crate) fn answer(result: &Result<OutboundResponse, OutboundError>) -> Vec<u8> {
    match result {
        Ok(response) => serde_json::to_vec(response).unwrap_or_default(),
        Err(e) => serde_json::to_vec(&serde_json::json!({
            "error": {"message": e.to_string(), "code": e.code}
        }))
        .unwrap_or_default(),
    }
}
