//! hookbox's HTTP front: the native API of DESIGN §7 (with custom database
//! connections), the Authing V3 pipeline front, auth, request ids, the
//! envelope and metrics.
//!
//! [`app`] builds the router (testable without a socket); [`serve`] runs it on
//! a listener until `shutdown` resolves, finishing in-flight requests.
//!
//! ```no_run
//! # async fn demo(state: hookbox_server::AppState) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! hookbox_server::serve(listener, state, std::future::pending()).await
//! # }
//! ```

mod auth;
mod auth0;
mod auth0_actions;
mod auth0_connections;
mod authing;
mod connections;
mod console;
mod error;
mod events;
mod extract;
mod native;
mod packages;
mod secrets;
mod signature;
mod tenants;
mod versions;

pub use auth::{Auth, Caller, Claims, TOKEN_TTL, function_session_seed, sealing_key};
pub use error::{ApiError, RequestId, api_code};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use error::{ErrorStyle, PendingError, error_body};
use hookbox_service::{DatabaseState, Service};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use tracing::Instrument;

/// Largest request body: 1 MB of user/context/event plus the JSON around it.
/// Larger bodies get a 413 before they are read whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024 + 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub auth: Arc<Auth>,
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(native::routes())
        .merge(versions::routes())
        .merge(connections::routes())
        .merge(
            authing::routes().route_layer(middleware::from_fn_with_state(
                state.clone(),
                signature::verify,
            )),
        )
        .merge(auth0::routes())
        .merge(auth0_actions::routes())
        .merge(auth0_connections::routes())
        .merge(tenants::routes())
        .merge(secrets::routes())
        .merge(events::routes())
        .merge(packages::routes())
        .merge(console::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // ApiJson enforces MAX_BODY_BYTES itself, draining what is over it.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(request_context))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }))
        .with_state(state)
}

/// How long connections accepted before a shutdown may still send their
/// request: the listening socket is closed at once (new connections are
/// refused, so clients go elsewhere), but a connection the kernel accepted a
/// moment earlier may not have been read yet, and graceful shutdown closes a
/// connection it has read nothing from.
pub const SHUTDOWN_READ_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Serves `app(state)` on `listener` until `shutdown` completes; then closes
/// the listening socket at once (new connections are refused), lets the
/// connections already accepted send their requests for
/// [`SHUTDOWN_READ_GRACE`], and waits for every in-flight request.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closing, closed) = tokio::sync::watch::channel(false);
    let listener = ClosingListener {
        addr: listener.local_addr().ok(),
        inner: Some(listener),
        closed,
        drained: Default::default(),
    };
    let drained = async move {
        shutdown.await;
        let _ = closing.send(true);
        tokio::time::sleep(SHUTDOWN_READ_GRACE).await;
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(drained)
        .await
}

/// A listener that closes its socket (refusing new connections) as soon as
/// `closed` says so, after taking every connection the kernel had already
/// accepted for it: those are served, not reset.
struct ClosingListener {
    inner: Option<tokio::net::TcpListener>,
    closed: tokio::sync::watch::Receiver<bool>,
    addr: Option<std::net::SocketAddr>,
    /// Connections taken from the backlog at closing, still to hand out.
    drained: std::collections::VecDeque<(tokio::net::TcpStream, std::net::SocketAddr)>,
}

impl ClosingListener {
    /// Takes what the backlog holds, then closes the socket.
    async fn close(&mut self) {
        if let Some(inner) = self.inner.take() {
            while let Some(accepted) = std::future::poll_fn(|cx| match inner.poll_accept(cx) {
                std::task::Poll::Ready(r) => std::task::Poll::Ready(Some(r)),
                std::task::Poll::Pending => std::task::Poll::Ready(None),
            })
            .await
            {
                if let Ok(conn) = accepted {
                    self.drained.push_back(conn);
                }
            }
        }
    }
}

impl axum::serve::Listener for ClosingListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Some(conn) = self.drained.pop_front() {
                return conn;
            }
            let Some(inner) = &mut self.inner else {
                return std::future::pending().await;
            };
            if *self.closed.borrow() {
                self.close().await;
                continue;
            }
            tokio::select! {
                accepted = axum::serve::Listener::accept(inner) => return accepted,
                _ = self.closed.changed() => self.close().await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        match (&self.inner, self.addr) {
            (Some(inner), _) => inner.local_addr(),
            (None, Some(addr)) => Ok(addr),
            (None, None) => Err(std::io::Error::other("the listener is closed")),
        }
    }
}

/// Liveness: 200 while the process answers, with the state it serves in.
/// `database` is `embedded`, `ok` or `unreachable` (cluster mode), and
/// `serving` says what works.
async fn healthz(State(state): State<AppState>) -> Response {
    let health = state.service.health();
    let (status, database, serving, down_ms) = match health.database {
        DatabaseState::Embedded => ("ok", "embedded", "everything", None),
        DatabaseState::Reachable => ("ok", "ok", "everything", None),
        DatabaseState::Unreachable { for_ms } => (
            "degraded",
            "unreachable",
            "calls of cached functions (their logs held until the database returns); management answers 503",
            Some(for_ms),
        ),
    };
    let mut body = serde_json::json!({
        "status": status,
        "database": database,
        "serving": serving,
        "cachedFunctions": health.cached_functions,
        "plugin": state.service.engine().plugin_hash(),
    });
    if let Some(ms) = down_ms {
        body["databaseUnreachableMs"] = ms.into();
    }
    axum::Json(body).into_response()
}

/// Readiness: 200 when the node can serve calls, 503 when it cannot (its
/// database is unreachable and it has no function or connection it can call
/// without it, see `Health::cached_functions`).
async fn readyz(State(state): State<AppState>) -> Response {
    let health = state.service.health();
    let code = if health.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        axum::Json(serde_json::json!({ "ready": health.ready })),
    )
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let text = state.service.metrics_text().await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        api_code::METHOD_NOT_ALLOWED,
        "method not allowed on this route",
    )
}

fn request_id_from(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .unwrap_or_else(hookbox_store::new_id)
}

/// Microseconds a request spent in sandboxes (instantiation and the guest's
/// run: the outcomes' `durationUs`, summed over a scene's functions). A route
/// that runs guests puts it in its response's extensions; the request's
/// Server-Timing header then says it as `sandbox;dur=MS` beside `app`.
#[derive(Clone, Copy, Debug)]
pub struct SandboxTime(pub u64);

impl SandboxTime {
    /// `response`, carrying `us` for the Server-Timing header.
    pub fn on(us: u64, mut response: Response) -> Response {
        response.extensions_mut().insert(SandboxTime(us));
        response
    }
}

/// Gives every request an id (the caller's `x-request-id`, or a new one), a
/// tracing span carrying it, the id in the response header, and renders
/// errors as envelopes with that id.
async fn request_context(mut req: Request, next: Next) -> Response {
    let request_id = request_id_from(&req);
    let style = ErrorStyle::for_path(req.uri().path());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %req.uri().path());
    async move {
        let started = std::time::Instant::now();
        let mut response = next.run(req).await;
        if let Some(PendingError(error)) = response.extensions_mut().remove::<PendingError>() {
            response = error_body(&error, &request_id, style);
        } else if response.status() == StatusCode::INTERNAL_SERVER_ERROR
            && response
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .is_none()
        {
            response = error_body(&ApiError::internal(), &request_id, style);
        }
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        // Server time, as browsers' and load tools' Server-Timing
        // (milliseconds): `app`, the whole request; `sandbox`, the part of
        // it the guests ran, where the route ran any.
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut timing = format!("app;dur={elapsed_ms:.3}");
        if let Some(SandboxTime(us)) = response.extensions().get::<SandboxTime>() {
            let _ = write!(timing, ", sandbox;dur={:.3}", *us as f64 / 1000.0);
        }
        if let Ok(value) = HeaderValue::from_str(&timing) {
            response.headers_mut().insert("server-timing", value);
        }
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "served"
        );
        response
    }
    .instrument(span)
    .await
}
