//! The hookbox sandbox: JavaScript hooks compiled to Wasm once, run many times,
//! each call in a fresh wasmtime instance under hard limits.
//!
//! - [`Engine::compile`] turns a function's source into an [`Artifact`]: its
//!   QuickJS bytecode in a Wasm module that imports the engine plugin (QuickJS
//!   built for `wasm32-wasip1`, pre-initialised with the JS prelude).
//! - [`Engine::invoke`] runs an artifact in a fresh instance taken from the
//!   pooling allocator (copy-on-write memory from the plugin's snapshot), with
//!   fuel, an epoch deadline and a memory cap, and returns an [`Outcome`]. Every
//!   limit hit is an [`OutcomeKind`], never a panic and never a poisoned pool.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use hookbox_engine::{Engine, EngineConfig, Input, Limits};
//!
//! let engine = Engine::new(&EngineConfig::default())?;
//! let artifact = engine
//!     .compile("async function pipe(user, context, callback) { callback(null, user, context) }")
//!     .await?;
//! let input = Input { user: serde_json::json!({"email": "a@example.com"}), ..Input::default() };
//! let outcome = engine.invoke(&artifact, &input, &Limits::default()).await?;
//! assert!(outcome.is_ok());
//! # Ok(())
//! # }
//! ```
//!
//! This crate knows nothing of HTTP, tenants or storage.

mod artifact;
mod crypto;
mod engine;
mod limits;
mod outbound;
mod outcome;
mod plugin;
mod schedule;
mod tz;

pub use artifact::{Artifact, ArtifactError, PLUGIN_NAMESPACE};
pub use crypto::{CryptoRequest, MAX_PBKDF2_KEYLEN, MAX_RANDOM_BYTES};
pub use engine::{CompileError, Engine, EngineConfig, InvokeError};
pub use limits::{
    DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, EPOCH_TICK, FUEL_PER_SECOND, LOG_LINE_OVERHEAD, LimitError,
    Limits, MAX_CRYPTO_REQUEST_BYTES, MAX_CRYPTO_REQUEST_FUEL, MAX_ERROR_MESSAGE_BYTES,
    MAX_ERROR_NAME_BYTES, MAX_ERROR_STACK_BYTES, MAX_IO_BYTES, MAX_LOG_BYTES, MAX_LOG_LINES,
    MAX_MEMORY_MB, MAX_PACKAGES_BYTES, MAX_SOURCE_BYTES, MAX_TIMEOUT, MIN_MEMORY_MB, MIN_TIMEOUT,
};
pub use outbound::{
    MAX_OUTBOUND_REDIRECTS, MAX_OUTBOUND_REQUEST_BYTES, MAX_OUTBOUND_REQUESTS,
    MAX_OUTBOUND_RESPONSE_BYTES, OUTBOUND_REQUEST_TIMEOUT, Outbound, OutboundError, OutboundFuture,
    OutboundRequest, OutboundResponse,
};
pub use outcome::{
    CallMeta, Command, ErrorInfo, Input, LogLevel, LogLine, Metadata, Outcome, OutcomeKind, Tokens,
};
pub use plugin::{BUNDLED_PLUGIN, DEFAULT_CATALOGUE, plugin_hash};
pub use schedule::LONG_CALL_FUEL;
