//! Function versions in the native API: list them, read one (with its
//! source), deploy one (a rollback or a roll forward), and roll back to the
//! one before the deployed one.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, ApiQuery};
use crate::native::FunctionDto;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use hookbox_service::Call;
use hookbox_store::FunctionVersion;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/functions/{func_id}/versions", get(list_versions))
        .route(
            "/v1/functions/{func_id}/versions/{number}",
            get(get_version),
        )
        .route(
            "/v1/functions/{func_id}/versions/{number}/deploy",
            post(deploy_version),
        )
        .route("/v1/functions/{func_id}/rollback", post(rollback))
        .route("/v1/functions/{func_id}/test", post(test_version))
}

/// A version as listed: everything but its source.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionSummary {
    number: u64,
    /// Whether the function runs this version now.
    deployed: bool,
    status: hookbox_store::FunctionStatus,
    upload_err_msg: Option<String>,
    is_asynchronous: bool,
    timeout: u32,
    terminate_on_timeout: bool,
    memory_limit_mb: u32,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    dependencies: std::collections::BTreeMap<String, String>,
    artifact_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<String>,
    created_at: String,
}

impl VersionSummary {
    fn of(v: FunctionVersion, deployed: u64) -> Self {
        Self {
            number: v.number,
            deployed: v.number == deployed,
            status: v.status,
            upload_err_msg: v.upload_err_msg,
            is_asynchronous: v.is_asynchronous,
            timeout: v.timeout,
            terminate_on_timeout: v.terminate_on_timeout,
            memory_limit_mb: v.memory_limit_mb,
            dependencies: v.dependencies,
            artifact_sha256: v.artifact_sha256,
            created_by: v.created_by,
            created_at: v.created_at,
        }
    }
}

/// A version number from the path or the query: a positive integer in
/// plain digits (no sign, no leading zero), or a 400 naming it.
fn number(text: &str) -> Result<u64, ApiError> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    match text.parse::<u64>() {
        Ok(n) if canonical => Ok(n),
        _ => Err(ApiError::invalid(format!(
            "version: must be a positive integer in plain digits, at most {}, not {text:?}",
            u64::MAX
        ))),
    }
}

/// Routes that take no query string refuse one, as every route refuses
/// what it does not document.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoQuery {}

/// The body of a route that takes an optional JSON body: empty (or only
/// whitespace) is `T::default()`; a `content-type` other than JSON is a 415.
pub(crate) async fn optional_body<T: serde::de::DeserializeOwned + Default>(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<T, ApiError> {
    let bytes = crate::extract::read_body(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE) {
        let ct = String::from_utf8_lossy(ct.as_bytes());
        if !crate::extract::is_json_media_type(&ct) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                crate::error::api_code::INVALID,
                format!("content-type: expected application/json, got {ct:?}"),
            ));
        }
    }
    crate::extract::parse_json(&bytes)
}

async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let record = state.service.get(&caller.tenant, &func_id).await?;
    let list: Vec<_> = state
        .service
        .versions(&caller.tenant, &func_id)
        .await?
        .into_iter()
        .map(|v| VersionSummary::of(v, record.deployed_version))
        .collect();
    Ok(ok(
        &rid,
        serde_json::json!({
            "funcId": func_id,
            "deployedVersion": record.deployed_version,
            "gradual": record.gradual,
            "list": list,
        }),
    ))
}

async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path((func_id, n)): Path<(String, String)>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let n = number(&n)?;
    let record = state.service.get(&caller.tenant, &func_id).await?;
    let version = state.service.version(&caller.tenant, &func_id, n).await?;
    let source = version.source_code.clone();
    let mut body = serde_json::to_value(VersionSummary::of(version, record.deployed_version))
        .map_err(|_| ApiError::internal())?;
    body["sourceCode"] = serde_json::Value::String(source);
    Ok(ok(&rid, body))
}

/// `POST …/versions/{n}/deploy`'s optional body.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeployBody {
    /// Deploy to this share of calls (1–99), by user, beside the deployed
    /// version: a gradual deployment.
    percent: Option<serde_json::Value>,
}

/// `percent` as the service takes it: an integer from 1 to 99.
fn percent(value: &serde_json::Value) -> Result<u8, ApiError> {
    value
        .as_u64()
        .filter(|p| (1..=99).contains(p))
        .map(|p| p as u8)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "percent: must be an integer from 1 to 99 (deploy without it to run the version for every call), got {value}"
            ))
        })
}

async fn deploy_version(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path((func_id, n)): Path<(String, String)>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let n = number(&n)?;
    let body: DeployBody = optional_body(&headers, body).await?;
    let record = match body.percent.as_ref().map(percent).transpose()? {
        Some(percent) => {
            state
                .service
                .deploy_gradually(&caller.tenant, &func_id, n, percent)
                .await?
        }
        None => {
            state
                .service
                .deploy_version(&caller.tenant, &func_id, n)
                .await?
        }
    };
    Ok(ok(&rid, FunctionDto::from(record)))
}

async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let NoBody {} = optional_body(&headers, body).await?;
    let record = state.service.rollback(&caller.tenant, &func_id).await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

/// A body with no fields (`{}` or nothing).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoBody {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestQuery {
    /// The version to run; default the newest (the draft, when there is one).
    version: Option<String>,
}

/// `POST /v1/functions/{id}/test[?version=N]`: runs a version against the
/// body's input (`user`, `context`, `event`, `args`) without deploying it or
/// logging the call; the answer is the call's outcome with `version`.
async fn test_version(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiQuery(q): ApiQuery<TestQuery>,
    ApiJson(call): ApiJson<Call>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let n = q.version.as_deref().map(number).transpose()?;
    let (n, outcome) = state
        .service
        .test_version(&caller.tenant, &func_id, n, call, &rid.0.0)
        .await?;
    let mut body = serde_json::to_value(outcome).map_err(|_| ApiError::internal())?;
    body["version"] = serde_json::json!(n);
    Ok(ok(&rid, body))
}
