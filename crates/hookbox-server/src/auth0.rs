//! The Auth0 Management API v2 hooks front: the paths, shapes and errors the
//! `auth0` npm package's `ManagementClient().hooks` speaks, on the same
//! tenants and pipelines as the native API. A hook is a function whose scene
//! is one of Auth0's trigger ids; its secrets reach the script as
//! `context.webtask.secrets`.
//!
//! Where Auth0 and hookbox differ: several hooks may be enabled on one
//! trigger (they run in order, as a pipeline); a script that does not compile
//! is refused at create/update time (400 naming line and column); declared
//! `dependencies` must be in the server's package catalogue (resolved at
//! upload; a 400 names the one it lacks).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, api_code};
use crate::extract::{ApiJson, ApiQuery};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hookbox_service::{FunctionPatch, NewFunction, ServiceError, TRIGGERS, is_trigger};
use hookbox_store::FunctionRecord;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Hooks run with Webtask's limit of 20 seconds rather than hookbox's 3.
const HOOK_TIMEOUT_SECS: u32 = 20;
/// Auth0 shows secret names, never their values.
const MASKED: &str = "_VALUE_NOT_SHOWN_";
const MAX_PER_PAGE: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v2/hooks", get(list).post(create))
        .route(
            "/api/v2/hooks/{id}",
            get(get_one).patch(update).delete(delete),
        )
        .route(
            "/api/v2/hooks/{id}/secrets",
            get(get_secrets)
                .post(add_secrets)
                .patch(update_secrets)
                .delete(delete_secrets),
        )
}

/// A hook as Auth0 shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Hook {
    id: String,
    name: String,
    script: String,
    trigger_id: String,
    enabled: bool,
    dependencies: BTreeMap<String, String>,
}

impl From<FunctionRecord> for Hook {
    fn from(r: FunctionRecord) -> Self {
        Self {
            id: r.func_id,
            name: r.func_name,
            script: r.source_code,
            trigger_id: r.scene,
            enabled: r.enabled,
            dependencies: r.dependencies,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HookCreate {
    name: String,
    script: String,
    trigger_id: String,
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HookUpdate {
    name: Option<String>,
    script: Option<String>,
    enabled: Option<bool>,
    dependencies: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<usize>,
    per_page: Option<usize>,
    include_totals: Option<bool>,
    enabled: Option<bool>,
    fields: Option<String>,
    include_fields: Option<bool>,
    #[serde(rename = "triggerId")]
    trigger_id: Option<String>,
}

/// `?fields=&include_fields=` on a get.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldsQuery {
    pub fields: Option<String>,
    pub include_fields: Option<bool>,
}

/// Auth0's hook name rule: letters, digits, spaces and hyphens, starting and
/// ending with a letter or digit.
fn check_name(name: &str) -> Result<(), ApiError> {
    let bytes = name.as_bytes();
    let edge = |b: &u8| b.is_ascii_alphanumeric();
    let inner = |b: &u8| b.is_ascii_alphanumeric() || *b == b' ' || *b == b'-';
    let valid = bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(inner)
        && name.len() <= 128;
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "Payload validation error: 'String does not match pattern ^[a-zA-Z0-9]([ -a-zA-Z0-9]*[a-zA-Z0-9])?$: {name}' on property name (Name of this hook)."
        )))
    }
}

fn check_trigger(trigger: &str) -> Result<(), ApiError> {
    if is_trigger(trigger) {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "Payload validation error: 'No enum match for: \"{trigger}\"' on property triggerId (expected one of {}).",
        TRIGGERS.join(", ")
    )))
}

/// Service errors, with hookbox's field names replaced by Auth0's.
fn auth0_error(e: ServiceError) -> ApiError {
    service_error(
        e,
        &[
            ("funcName", "name"),
            ("sourceCode", "script"),
            ("scene", "triggerId"),
        ],
        inexistent_hook,
        name_conflict,
    )
}

/// A service error as an Auth0 front answers it: an invalid field renamed by
/// `fields` (hookbox's name → the front's), a function not found as
/// `missing()`, a taken name as `name_taken()`.
pub(crate) fn service_error(
    e: ServiceError,
    fields: &[(&str, &str)],
    missing: fn() -> ApiError,
    name_taken: fn() -> ApiError,
) -> ApiError {
    match e {
        ServiceError::Invalid { field, message } => {
            let field = fields
                .iter()
                .find(|(ours, _)| *ours == field)
                .map_or(field.as_str(), |(_, theirs)| theirs);
            ApiError::invalid(format!("{field}: {message}"))
        }
        ServiceError::NameTaken { .. } => name_taken(),
        ServiceError::NotFound(what) if what.starts_with("function ") => missing(),
        ServiceError::NotFound(what) => {
            ApiError::not_found(format!("The {what} does not exist.")).with_error_code("not_found")
        }
        other => other.into(),
    }
}

fn inexistent_hook() -> ApiError {
    ApiError::not_found("The hook does not exist.").with_error_code("inexistent_hook")
}

/// A hook of the caller's tenant; an Authing pipeline function or an Action
/// is not one.
async fn load_hook(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<FunctionRecord, ApiError> {
    load_function(
        state,
        caller,
        id,
        |r| is_trigger(&r.scene) && !r.action,
        auth0_error,
        inexistent_hook,
    )
    .await
}

/// A function of the caller's tenant of the front's kind (`is_kind`); any
/// other is `missing()`, as one that does not exist. Admin only.
pub(crate) async fn load_function(
    state: &AppState,
    caller: &Caller,
    id: &str,
    is_kind: fn(&FunctionRecord) -> bool,
    error: fn(ServiceError) -> ApiError,
    missing: fn() -> ApiError,
) -> Result<FunctionRecord, ApiError> {
    caller.require_admin()?;
    let record = state.service.get(&caller.tenant, id).await.map_err(error)?;
    if !is_kind(&record) {
        return Err(missing());
    }
    Ok(record)
}

/// Keeps (or, with `include_fields=false`, drops) the comma-separated
/// `fields` of an Auth0 object (Auth0's `fields`/`include_fields` query).
pub(crate) fn select_fields(
    mut value: Value,
    fields: Option<&str>,
    include: Option<bool>,
) -> Value {
    let Some(fields) = fields.filter(|f| !f.trim().is_empty()) else {
        return value;
    };
    let named: Vec<&str> = fields.split(',').map(str::trim).collect();
    let include = include.unwrap_or(true);
    if let Value::Object(map) = &mut value {
        map.retain(|k, _| named.contains(&k.as_str()) == include);
    }
    value
}

fn name_conflict() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        api_code::CONFLICT,
        "A hook with the same name already exists.",
    )
    .with_error_code("hook_conflict")
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<HookCreate>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    check_name(&body.name)?;
    check_trigger(&body.trigger_id)?;
    if body.script.is_empty() {
        return Err(ApiError::invalid(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property script.",
        ));
    }
    let spec = NewFunction {
        func_name: body.name,
        func_description: String::new(),
        scene: body.trigger_id,
        source_code: body.script,
        url: None,
        events: Vec::new(),
        is_asynchronous: false,
        timeout: HOOK_TIMEOUT_SECS,
        terminate_on_timeout: true,
        enabled: body.enabled,
        memory_limit_mb: hookbox_engine::DEFAULT_MEMORY_MB,
        dependencies: body.dependencies,
        saved_by: Some(caller.key_id.clone()),
    };
    let record = state
        .service
        .deploy_compiled(&caller.tenant, spec)
        .await
        .map_err(auth0_error)?;
    Ok((StatusCode::CREATED, Json(Hook::from(record))).into_response())
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    if let Some(t) = &q.trigger_id {
        check_trigger(t)?;
    }
    let hooks: Vec<FunctionRecord> = state
        .service
        .list(&caller.tenant, q.trigger_id.as_deref())
        .await
        .map_err(auth0_error)?
        .into_iter()
        .filter(|f| is_trigger(&f.scene) && !f.action)
        .filter(|f| q.enabled.is_none_or(|e| f.enabled == e))
        .collect();
    let items: Vec<Value> = hooks
        .into_iter()
        .map(|f| select_fields(hook_json(f), q.fields.as_deref(), q.include_fields))
        .collect();
    offset_page(items, q.page, q.per_page, q.include_totals, "hooks")
}

fn hook_json(record: FunctionRecord) -> Value {
    serde_json::to_value(Hook::from(record)).unwrap_or(Value::Null)
}

/// An Auth0 list with offset paging: `per_page` (1–100) items from page
/// `page` (0-based), or all of them without `per_page`; a bare array, or
/// with `include_totals` `{<key>: [...], start, limit, total}`.
pub(crate) fn offset_page(
    items: Vec<Value>,
    page: Option<usize>,
    per_page: Option<usize>,
    include_totals: Option<bool>,
    key: &str,
) -> Result<Response, ApiError> {
    let total = items.len();
    let (start, limit, items): (usize, usize, Vec<Value>) = match per_page {
        Some(per_page) => {
            if !(1..=MAX_PER_PAGE).contains(&per_page) {
                return Err(ApiError::invalid(format!(
                    "Query validation error: per_page must be from 1 to {MAX_PER_PAGE}"
                )));
            }
            let start = page.unwrap_or(0).saturating_mul(per_page);
            let items = items.into_iter().skip(start).take(per_page).collect();
            (start, per_page, items)
        }
        None => (0, total, items),
    };
    if include_totals.unwrap_or(false) {
        let mut body = json!({ "start": start, "limit": limit, "total": total });
        body[key] = Value::Array(items);
        return Ok(Json(body).into_response());
    }
    Ok(Json(items).into_response())
}

async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<FieldsQuery>,
) -> Result<Response, ApiError> {
    let record = load_hook(&state, &caller, &id).await?;
    Ok(Json(select_fields(
        hook_json(record),
        q.fields.as_deref(),
        q.include_fields,
    ))
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HookUpdate>,
) -> Result<Response, ApiError> {
    load_hook(&state, &caller, &id).await?;
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    if body.script.as_deref() == Some("") {
        return Err(ApiError::invalid(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property script.",
        ));
    }
    let patch = FunctionPatch {
        func_name: body.name,
        source_code: body.script,
        enabled: body.enabled,
        dependencies: body.dependencies,
        saved_by: Some(caller.key_id.clone()),
        ..FunctionPatch::default()
    };
    let record = state
        .service
        .update_compiled(&caller.tenant, &id, patch)
        .await
        .map_err(auth0_error)?;
    Ok(Json(Hook::from(record)).into_response())
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    load_hook(&state, &caller, &id).await?;
    state
        .service
        .delete(&caller.tenant, &id)
        .await
        .map_err(auth0_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    load_hook(&state, &caller, &id).await?;
    let secrets = state
        .service
        .hook_secrets(&caller.tenant, &id)
        .await
        .map_err(auth0_error)?;
    let masked: Map<String, Value> = secrets
        .into_keys()
        .map(|k| (k, Value::String(MASKED.into())))
        .collect();
    Ok(Json(masked).into_response())
}

/// A `{name: value}` object of string values.
fn secrets_body(body: Map<String, Value>) -> Result<BTreeMap<String, String>, ApiError> {
    body.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) if s == MASKED => Err(ApiError::invalid(format!(
                "secrets: {k}: {MASKED} is the placeholder GET shows, not a value"
            ))),
            Value::String(s) => Ok((k, s)),
            other => Err(ApiError::invalid(format!(
                "secrets: {k}: must be a string, got {other}"
            ))),
        })
        .collect()
}

async fn add_secrets(
    state: State<AppState>,
    caller: Caller,
    id: Path<String>,
    body: ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    write_secrets(state, caller, id, body, SecretsWrite::Add).await
}

async fn update_secrets(
    state: State<AppState>,
    caller: Caller,
    id: Path<String>,
    body: ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    write_secrets(state, caller, id, body, SecretsWrite::Update).await
}

enum SecretsWrite {
    /// New names only (`POST`).
    Add,
    /// Existing names only (`PATCH`).
    Update,
}

/// Auth0 answers both with 201 and no body.
async fn write_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
    how: SecretsWrite,
) -> Result<Response, ApiError> {
    load_hook(&state, &caller, &id).await?;
    let secrets = secrets_body(body)?;
    let service = &state.service;
    let by = Some(caller.key_id.clone());
    match how {
        SecretsWrite::Add => {
            service
                .add_hook_secrets(&caller.tenant, &id, secrets, by)
                .await
        }
        SecretsWrite::Update => {
            service
                .update_hook_secrets(&caller.tenant, &id, secrets, by)
                .await
        }
    }
    .map_err(auth0_error)?;
    Ok(StatusCode::CREATED.into_response())
}

async fn delete_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(names): ApiJson<Vec<String>>,
) -> Result<Response, ApiError> {
    load_hook(&state, &caller, &id).await?;
    if names.is_empty() {
        return Err(ApiError::invalid(
            "secrets: name at least one secret to delete",
        ));
    }
    state
        .service
        .delete_hook_secrets(&caller.tenant, &id, names, Some(caller.key_id.clone()))
        .await
        .map_err(auth0_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ------------------------------------------------------------ /oauth/token

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// An OAuth error, as Auth0's authentication API writes it.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// Auth0's client-credentials exchange: `client_id`/`client_secret` are a
/// hookbox access key pair; the answer is the same token the native API
/// issues. Form-encoded (what the SDK sends) or JSON.
async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if body.len() > 64 * 1024 {
        return oauth_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "request body too large",
        );
    }
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let parsed: Result<TokenRequest, String> = if is_json {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    } else {
        std::str::from_utf8(&body)
            .map_err(|e| e.to_string())
            .and_then(|s| serde_urlencoded::from_str(s).map_err(|e| e.to_string()))
    };
    let request = match parsed {
        Ok(r) => r,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    };
    if request.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type: only client_credentials is supported",
        );
    }
    let (Some(id), Some(secret)) = (request.client_id, request.client_secret) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    let key = match state.service.verify_key(&id, &secret).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
        }
        Err(_) => {
            tracing::error!("verifying a client secret failed");
            return oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error",
            );
        }
    };
    match state
        .auth
        .issue(&key.access_key_id, &key.tenant_id, key.role)
    {
        Ok((token, expires_in)) => Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": "read:hooks create:hooks update:hooks delete:hooks",
        }))
        .into_response(),
        Err(_) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal error",
        ),
    }
}
