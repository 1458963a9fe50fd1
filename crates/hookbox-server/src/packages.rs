//! The server's package catalogue (`/v1/packages`): the npm packages
//! functions can `require` and declare as `dependencies`. Any key may list
//! it; only the server admin key (`HOOKBOX_ADMIN_KEY`) adds or removes.
//!
//! - `GET /v1/packages`: built-in packages, then added ones.
//! - `POST /v1/packages` with a package tarball (`application/gzip` or
//!   `application/octet-stream`, what `npm pack` writes), or JSON
//!   `{"name": "left-pad", "version": "^1.3.0"}` to fetch it, and the
//!   dependencies the catalogue lacks, from the server's npm registry.
//! - `DELETE /v1/packages/{name}/{version}` (a scoped name's `/` as `%2F`).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{bearer, parse_json, read_body_limited};
use axum::Router;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{delete, get};
use hookbox_service::packages::MAX_TARBALL_BYTES;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/packages", get(list).post(add))
        .route("/v1/packages/{name}/{version}", delete(remove))
}

/// The server admin key.
struct ServerAdmin;

impl FromRequestParts<AppState> for ServerAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.auth.is_admin_key(bearer(parts)?)?;
        Ok(Self)
    }
}

/// The server admin key, or any tenant's token.
struct Reader;

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.auth.is_admin_key(bearer(parts)?).is_ok() {
            return Ok(Self);
        }
        Caller::from_request_parts(parts, state).await?;
        Ok(Self)
    }
}

/// `POST /v1/packages` as JSON: a package to fetch by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByName {
    name: String,
    /// A version, an npm range or `latest` (the default).
    #[serde(default = "latest")]
    version: String,
}

fn latest() -> String {
    "latest".into()
}

async fn list(
    State(state): State<AppState>,
    _: Reader,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    Ok(ok(&rid, state.service.packages().await?))
}

async fn add(
    State(state): State<AppState>,
    _: ServerAdmin,
    rid: axum::Extension<RequestId>,
    req: Request,
) -> Result<Response, ApiError> {
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let added = match essence {
        "application/json" => {
            let body = read_body_limited(req.into_body(), crate::MAX_BODY_BYTES).await?;
            let by: ByName = parse_json(&body)?;
            state
                .service
                .add_package_from_registry(&by.name, &by.version)
                .await?
        }
        "application/gzip"
        | "application/x-gzip"
        | "application/octet-stream"
        | "application/x-tar"
        | "application/tar+gzip" => {
            let body = read_body_limited(req.into_body(), MAX_TARBALL_BYTES).await?;
            state.service.add_package(body).await?
        }
        other => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                crate::error::api_code::INVALID,
                format!(
                    "content-type: expected application/gzip (a package tarball) or \
                     application/json ({{\"name\", \"version\"}}), got {other:?}"
                ),
            ));
        }
    };
    Ok(ok(&rid, added))
}

async fn remove(
    State(state): State<AppState>,
    _: ServerAdmin,
    rid: axum::Extension<RequestId>,
    Path((name, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    state.service.remove_package(&name, &version).await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "name": name, "version": version }),
    ))
}
