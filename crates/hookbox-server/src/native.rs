//! The native API (DESIGN §7): tenant-scoped, bearer-authenticated.

use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, ApiQuery, UniqueStringMap, bearer};
use crate::{AppState, SandboxTime};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post, put};
use hookbox_service::{Call, FunctionPatch, NewFunction};
use hookbox_store::{FunctionRecord, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v3/get-management-token", post(management_token))
        .route("/v1/tenants", post(create_tenant))
        .route("/v1/keys", post(create_key).get(list_keys))
        .route("/v1/keys/{key_id}", axum::routing::delete(revoke_key))
        .route("/v1/functions", post(create_function).get(list_functions))
        .route(
            "/v1/functions/{func_id}",
            get(get_function)
                .patch(update_function)
                .delete(delete_function),
        )
        .route("/v1/functions/{func_id}/invoke", post(invoke_function))
        .route("/v1/functions/{func_id}/logs", get(function_logs))
        .route("/v1/functions/{func_id}/stats", get(function_stats))
        .route("/v1/functions/{func_id}/recent-inputs", get(recent_inputs))
        .route("/v1/scenes/{scene}/run", post(run_scene))
        .route("/v1/scenes/{scene}/order", put(set_order))
        .route("/v1/env", get(list_env).put(put_env_many))
        .route(
            "/v1/env/{key}",
            get(get_env).put(put_env).delete(delete_env),
        )
        .route("/v1/outbound", get(get_outbound).put(put_outbound))
        .route("/v1/run", post(dry_run))
        .route("/v1/compile", post(compile_check))
}

/// A function as the API shows it (Authing's `PipelineFunctionDto` plus
/// hookbox's `memoryLimitMb`, `dependencies` and `version`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionDto {
    pub func_id: String,
    pub func_name: String,
    pub func_description: String,
    pub scene: String,
    pub source_code: String,
    /// An HTTP function's endpoint (it has no `sourceCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The events it handles, by number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<u32>,
    pub is_asynchronous: bool,
    pub timeout: u32,
    pub terminate_on_timeout: bool,
    pub enabled: bool,
    pub status: hookbox_store::FunctionStatus,
    pub upload_err_msg: Option<String>,
    pub memory_limit_mb: u32,
    /// npm dependencies (name → version or range), when it declares any.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub dependencies: std::collections::BTreeMap<String, String>,
    /// A revision counter, bumped on every write of the function.
    pub version: u64,
    /// The version the function runs (`GET /v1/functions/{id}/versions`).
    pub deployed_version: u64,
    /// The highest version number given so far.
    pub latest_version: u64,
    /// The pending draft (saved with `draft: true`, not deployed yet), which
    /// the next draft builds on; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft_version: Option<u64>,
    /// A version running for a share of calls beside the deployed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gradual: Option<hookbox_store::GradualDeployment>,
    /// `true` for an Auth0 Action (made through `/api/v2/actions`): it runs
    /// once a version is deployed and it is bound (enabled). Absent
    /// otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub action: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<FunctionRecord> for FunctionDto {
    fn from(r: FunctionRecord) -> Self {
        Self {
            func_id: r.func_id,
            func_name: r.func_name,
            func_description: r.func_description,
            scene: r.scene,
            source_code: r.source_code,
            url: r.url,
            events: r.events,
            is_asynchronous: r.is_asynchronous,
            timeout: r.timeout,
            terminate_on_timeout: r.terminate_on_timeout,
            enabled: r.enabled,
            status: r.status,
            upload_err_msg: r.upload_err_msg,
            memory_limit_mb: r.memory_limit_mb,
            dependencies: r.dependencies,
            version: r.version,
            deployed_version: r.deployed_version,
            latest_version: r.latest_version,
            draft_version: r.draft_version,
            gradual: r.gradual,
            action: r.action,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRequest {
    access_key_id: String,
    access_key_secret: String,
}

async fn management_token(
    State(state): State<AppState>,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    let key = state
        .service
        .verify_key(&body.access_key_id, &body.access_key_secret)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("invalid accessKeyId or accessKeySecret"))?;
    let (token, expires_in) = state
        .auth
        .issue(&key.access_key_id, &key.tenant_id, key.role)?;
    Ok(ok(
        &rid,
        serde_json::json!({ "access_token": token, "expires_in": expires_in }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTenant {
    name: String,
    #[serde(default)]
    id: Option<String>,
    /// The tenant's Auth0 domain, for rules' `auth0.domain`.
    #[serde(default)]
    domain: Option<String>,
}

/// The server admin key, not a tenant token.
struct Admin;

impl axum::extract::FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.auth.is_admin_key(bearer(parts)?)?;
        Ok(Admin)
    }
}

async fn create_tenant(
    State(state): State<AppState>,
    _: Admin,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<NewTenant>,
) -> Result<Response, ApiError> {
    let (tenant, key, secret) = state
        .service
        .create_tenant(body.id, &body.name, body.domain)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({
            "tenant": tenant,
            "accessKeyId": key.access_key_id,
            "accessKeySecret": secret,
            "role": key.role,
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    role: Role,
}

async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (key, secret) = state.service.create_key(&caller.tenant, body.role).await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "accessKeyId": key.access_key_id, "accessKeySecret": secret, "role": key.role }),
    ))
}

/// `GET /v1/keys`: the caller's tenant's keys, `{list: [{accessKeyId, role,
/// createdAt, current}]}` (`current`: the key the caller's token came from).
async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let keys = state.service.list_keys(&caller.tenant).await?;
    let list: Vec<Value> = keys
        .into_iter()
        .map(|k| {
            serde_json::json!({
                "accessKeyId": k.access_key_id,
                "role": k.role,
                "createdAt": k.created_at,
                "current": k.access_key_id == caller.key_id,
            })
        })
        .collect();
    Ok(ok(
        &rid,
        serde_json::json!({ "totalCount": list.len(), "list": list }),
    ))
}

/// `DELETE /v1/keys/{id}`: revokes a key (404 for one the tenant does not
/// have, 409 for its last admin key).
async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(key_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.service.revoke_key(&caller.tenant, &key_id).await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "accessKeyId": key_id, "revoked": true }),
    ))
}

async fn create_function(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(mut spec): ApiJson<NewFunction>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    spec.saved_by = Some(caller.key_id.clone());
    let created = state.service.create_function(&caller.tenant, spec).await?;
    let mut body = serde_json::to_value(FunctionDto::from(created.record))
        .map_err(|_| ApiError::internal())?;
    if let Some(secrets) = created.webhook_secrets {
        // Shown this once; POST /v1/functions/{id}/webhook-secrets makes new ones.
        body["webhookSecrets"] = serde_json::to_value(secrets).map_err(|_| ApiError::internal())?;
    }
    Ok(ok(&rid, body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SceneFilter {
    scene: Option<String>,
}

async fn list_functions(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiQuery(q): ApiQuery<SceneFilter>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    Ok(ok(&rid, function_list(&state, &caller, q.scene).await?))
}

/// `{list, totalCount}` of the caller's functions, one scene's (in run
/// order) or all; Authing's paginated shape, shared with its front.
pub(crate) async fn function_list(
    state: &AppState,
    caller: &Caller,
    scene: Option<String>,
) -> Result<Value, ApiError> {
    let scene = scene.filter(|s| !s.is_empty());
    let list: Vec<FunctionDto> = state
        .service
        .list(&caller.tenant, scene.as_deref())
        .await?
        .into_iter()
        .map(FunctionDto::from)
        .collect();
    Ok(serde_json::json!({ "totalCount": list.len(), "list": list }))
}

async fn get_function(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let record = state.service.get(&caller.tenant, &func_id).await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

async fn update_function(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiJson(mut patch): ApiJson<FunctionPatch>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    // `draft` alone changes nothing.
    let fields = FunctionPatch {
        draft: None,
        ..patch.clone()
    };
    if fields == FunctionPatch::default() {
        return Err(ApiError::invalid(
            "body: a PATCH must set at least one field (a null field counts as absent)",
        ));
    }
    patch.saved_by = Some(caller.key_id.clone());
    let record = state
        .service
        .update(&caller.tenant, &func_id, patch)
        .await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

async fn delete_function(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.service.delete(&caller.tenant, &func_id).await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "funcId": func_id, "deleted": true }),
    ))
}

async fn invoke_function(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiJson(call): ApiJson<Call>,
) -> Result<Response, ApiError> {
    let outcome = state
        .service
        .invoke(&caller.tenant, &func_id, call, &rid.0.0)
        .await?;
    let sandbox = outcome.duration_us;
    Ok(SandboxTime::on(sandbox, ok(&rid, outcome)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogsQuery {
    page: Option<usize>,
    limit: Option<usize>,
    /// Only logs with this outcome (`ok`, `error`, `timeout`, …).
    outcome: Option<String>,
    /// Only logs of this function version.
    version: Option<u64>,
}

async fn function_logs(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiQuery(q): ApiQuery<LogsQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (page, limit) = page_and_limit(q.page, q.limit, hookbox_service::MAX_LOGS_PAGE)?;
    let kinds = hookbox_engine::OutcomeKind::ALL.map(|k| k.as_str());
    if let Some(o) = q.outcome.as_deref()
        && !kinds.contains(&o)
    {
        return Err(ApiError::invalid(format!(
            "outcome: must be one of {}, got {o:?}",
            kinds.join(", ")
        )));
    }
    if q.version == Some(0) {
        return Err(ApiError::invalid("version: versions count from 1"));
    }
    let filter = hookbox_store::LogFilter {
        outcome: q.outcome,
        version: q.version,
    };
    let (list, total) = state
        .service
        .logs_matching(&caller.tenant, &func_id, filter, page, limit)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "list": list, "totalCount": total, "page": page, "limit": limit }),
    ))
}

/// `GET /v1/functions/{id}/recent-inputs`: `{list: [{at, requestId,
/// version, input: {user, context, event?, args?}}]}`, the newest calls this
/// node saw, newest first (see [`hookbox_service::RecentInput`]).
async fn recent_inputs(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let list = state
        .service
        .recent_inputs(&caller.tenant, &func_id)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "totalCount": list.len(), "list": list }),
    ))
}

/// `GET /v1/functions/{id}/stats`: calls, errors and p50/p99 over the last
/// hour, a bucket per minute (see [`hookbox_service::FunctionStats`]).
async fn function_stats(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let stats = state
        .service
        .stats(&caller.tenant, &func_id, hookbox_store::now_micros())
        .await?;
    Ok(ok(&rid, stats))
}

/// Default page size of paginated routes.
const DEFAULT_PAGE_SIZE: usize = 10;

/// A paginated route's `page` (counted from 1; default 1) and `limit` (1 to
/// `max`; default [`DEFAULT_PAGE_SIZE`]): out of range is a 400 naming it.
pub(crate) fn page_and_limit(
    page: Option<usize>,
    limit: Option<usize>,
    max: usize,
) -> Result<(usize, usize), ApiError> {
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page: pages are counted from 1, got 0"));
    }
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid(format!(
            "limit: must be from 1 to {max}, got {limit}"
        )));
    }
    Ok((page, limit))
}

async fn run_scene(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(scene): Path<String>,
    ApiJson(call): ApiJson<Call>,
) -> Result<Response, ApiError> {
    let result = state
        .service
        .run_scene(&caller.tenant, &scene, call, &rid.0.0)
        .await?;
    let sandbox = result.steps.iter().map(|s| s.duration_us).sum();
    Ok(SandboxTime::on(sandbox, ok(&rid, result)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Order {
    order: Vec<String>,
}

async fn set_order(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(scene): Path<String>,
    ApiJson(body): ApiJson<Order>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let order = state
        .service
        .set_order(&caller.tenant, &scene, body.order)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "scene": scene, "order": order }),
    ))
}

async fn list_env(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let env = state.service.env(&caller.tenant).await?;
    Ok(ok(&rid, &*env))
}

async fn put_env_many(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(UniqueStringMap(vars)): ApiJson<UniqueStringMap>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.service.set_env_many(&caller.tenant, vars).await?;
    let env = state.service.env(&caller.tenant).await?;
    Ok(ok(&rid, &*env))
}

async fn get_env(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let env = state.service.env(&caller.tenant).await?;
    let value = env
        .get(&key)
        .ok_or_else(|| ApiError::not_found(format!("environment variable {key} not found")))?;
    Ok(ok(&rid, serde_json::json!({ "key": key, "value": value })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvValue {
    value: String,
}

async fn put_env(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<EnvValue>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state
        .service
        .set_env(&caller.tenant, &key, &body.value)
        .await?;
    Ok(ok(&rid, serde_json::json!({ "key": key })))
}

async fn delete_env(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.service.delete_env(&caller.tenant, &key).await?;
    Ok(ok(&rid, serde_json::json!({ "key": key, "deleted": true })))
}

/// The tenant's outbound allow-list.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct OutboundRules {
    allow: Vec<String>,
}

async fn get_outbound(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let allow = state.service.outbound_allow(&caller.tenant).await?;
    Ok(ok(&rid, OutboundRules { allow }))
}

async fn put_outbound(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<OutboundRules>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let allow = state
        .service
        .set_outbound_allow(&caller.tenant, body.allow)
        .await?;
    Ok(ok(&rid, OutboundRules { allow }))
}

/// `POST /v1/run`: the documented fields only (a function's `memoryLimitMb`,
/// for one, is refused rather than silently ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DryRun {
    source_code: String,
    #[serde(default)]
    user: Value,
    #[serde(default)]
    context: Value,
    #[serde(default)]
    event: Option<Value>,
    #[serde(default)]
    timeout: Option<u32>,
    /// The scene to run as (an Action's trigger).
    #[serde(default)]
    scene: Option<String>,
}

async fn dry_run(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<DryRun>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let call = Call {
        user: body.user,
        context: body.context,
        event: body.event,
        ..Call::default()
    };
    let outcome = state
        .service
        .dry_run(
            &caller.tenant,
            &body.source_code,
            call,
            body.timeout,
            body.scene.as_deref(),
        )
        .await?;
    Ok(ok(&rid, outcome))
}

/// `POST /v1/compile`: `{sourceCode}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CompileCheck {
    source_code: String,
}

/// Compiles a source and stores nothing → `{status: "success"}` or
/// `{status: "failed", message, line, column}` (the console's editor marks
/// the error before saving). Admin keys only, as for `POST /v1/run`.
async fn compile_check(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<CompileCheck>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let check = state.service.check_source(&body.source_code).await?;
    Ok(ok(&rid, check))
}
