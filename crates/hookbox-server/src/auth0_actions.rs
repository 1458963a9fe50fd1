//! The Auth0 Management API v2 Actions front: the paths, shapes and errors
//! the `auth0` npm package's `ManagementClient().actions` speaks, on
//! hookbox's functions and versions.
//!
//! An Action is a function made here (`action: true`) whose scene is its
//! trigger. Creating one saves its code as a version without deploying it;
//! `PATCH` saves a draft (a new version, not deployed); `…/deploy` deploys
//! the newest version; `…/versions/{id}/deploy` (Auth0's rollback) deploys
//! a new copy of an older version. A trigger's bindings are the Actions that
//! run there, in order: binding enables an Action and puts it in the
//! scene's order; only a deployed Action can be bound.
//!
//! Where hookbox differs from Auth0: version numbers count every saved
//! change (drafts too), not only deploys; an Action's secrets belong to the
//! Action, not to each version; the runtime is `node20` (the Node surface
//! hookbox emulates); a binding's `display_name` is the Action's name; a
//! script that does not compile is refused when it is saved (400 naming
//! line and column).

use crate::AppState;
use crate::auth::Caller;
use crate::auth0::{load_function, service_error};
use crate::error::{ApiError, RequestId, api_code};
use crate::extract::{ApiJson, ApiQuery};
use crate::versions::{NoQuery, optional_body};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use hookbox_service::{
    ACTION_TRIGGERS, Call, FunctionPatch, NewFunction, ServiceError, action_trigger,
};
use hookbox_store::{FunctionRecord, FunctionStatus, FunctionVersion};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Actions run with Auth0's limit of 20 seconds.
const ACTION_TIMEOUT_SECS: u32 = 20;
/// The one runtime hookbox offers: the Node 20 surface its plugin emulates.
const RUNTIME: &str = "node20";
const MAX_PER_PAGE: usize = 100;
/// Auth0's default page size for actions and versions.
const DEFAULT_PER_PAGE: usize = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/actions/actions", get(list).post(create))
        .route(
            "/api/v2/actions/actions/{id}",
            get(get_one).patch(update).delete(delete),
        )
        .route("/api/v2/actions/actions/{id}/deploy", post(deploy))
        .route("/api/v2/actions/actions/{id}/test", post(test))
        .route("/api/v2/actions/actions/{id}/versions", get(versions))
        .route(
            "/api/v2/actions/actions/{id}/versions/{version}",
            get(get_version),
        )
        .route(
            "/api/v2/actions/actions/{id}/versions/{version}/deploy",
            post(deploy_version),
        )
        .route("/api/v2/actions/triggers", get(triggers))
        .route("/api/v2/actions/executions/{id}", get(execution))
        .route(
            "/api/v2/actions/triggers/{trigger}/bindings",
            get(bindings).patch(update_bindings),
        )
}

/// Each trigger's version, as Auth0 lists them (Actions' "Explore
/// triggers" pages): post-login is at v3, the others at v2.
fn trigger_version(trigger: &str) -> &'static str {
    if trigger == "post-login" { "v3" } else { "v2" }
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct TriggerRef {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Dependency {
    name: String,
    version: String,
    #[serde(default)]
    registry_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretIn {
    name: String,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionCreate {
    name: String,
    supported_triggers: Vec<TriggerRef>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    runtime: Option<String>,
    #[serde(default)]
    secrets: Option<Vec<SecretIn>>,
    #[serde(default)]
    deploy: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionUpdate {
    name: Option<String>,
    supported_triggers: Option<Vec<TriggerRef>>,
    code: Option<String>,
    dependencies: Option<Vec<Dependency>>,
    runtime: Option<String>,
    secrets: Option<Vec<SecretIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(rename = "triggerId")]
    trigger_id: Option<String>,
    #[serde(rename = "actionName")]
    action_name: Option<String>,
    deployed: Option<bool>,
    page: Option<usize>,
    per_page: Option<usize>,
    installed: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<usize>,
    per_page: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteQuery {
    force: Option<bool>,
}

/// A body that must be empty or `{}`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RevertBody {
    #[serde(default)]
    update_draft: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestBody {
    payload: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BindingsBody {
    bindings: Vec<BindingIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BindingIn {
    #[serde(rename = "ref")]
    reference: BindingRef,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    secrets: Option<Vec<SecretIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BindingRef {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

/// A stable, UUID-shaped id for `parts` (Auth0's version and binding ids
/// are UUIDs): the first 16 bytes of their SHA-256.
fn derived_id(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\0").as_bytes());
    let h = hex::encode(&digest[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn version_id(func_id: &str, number: u64) -> String {
    derived_id(&["action-version", func_id, &number.to_string()])
}

fn binding_id(func_id: &str) -> String {
    derived_id(&["action-binding", func_id])
}

fn triggers_of(record: &FunctionRecord) -> Value {
    json!([{ "id": record.scene, "version": trigger_version(&record.scene) }])
}

fn dependencies_json(deps: &BTreeMap<String, String>) -> Value {
    deps.iter()
        .map(|(name, version)| json!({ "name": name, "version": version }))
        .collect()
}

/// Secret names; values never leave hookbox.
fn secrets_json(secrets: &BTreeMap<String, String>) -> Value {
    secrets.keys().map(|n| json!({ "name": n })).collect()
}

fn build_status(status: FunctionStatus) -> &'static str {
    match status {
        FunctionStatus::Success => "built",
        FunctionStatus::Failed => "failed",
        _ => "building",
    }
}

/// The version an Action's draft is: the pending draft, or the deployed
/// version when there is none.
fn draft_number(record: &FunctionRecord) -> u64 {
    record.draft_version.unwrap_or(record.deployed_version)
}

/// Auth0's `all_changes_deployed`: deployed, with no draft after it.
fn all_deployed(record: &FunctionRecord) -> bool {
    record.deployed_version != 0 && record.draft_version.is_none()
}

/// The action summary a version embeds.
fn action_summary(record: &FunctionRecord, all_deployed: bool) -> Value {
    json!({
        "id": record.func_id,
        "name": record.func_name,
        "supported_triggers": triggers_of(record),
        "all_changes_deployed": all_deployed,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    })
}

/// A version as Auth0 shows it.
fn version_json(
    record: &FunctionRecord,
    v: &FunctionVersion,
    secrets: &BTreeMap<String, String>,
) -> Value {
    json!({
        "id": version_id(&record.func_id, v.number),
        "action_id": record.func_id,
        "code": v.source_code,
        "dependencies": dependencies_json(&v.dependencies),
        "deployed": v.number == record.deployed_version,
        "runtime": RUNTIME,
        "secrets": secrets_json(secrets),
        "status": build_status(v.status),
        "number": v.number,
        "errors": v.upload_err_msg.as_ref().map(|m| json!([{ "id": "compile_error", "msg": m }])).unwrap_or(json!([])),
        "built_at": v.created_at,
        "created_at": v.created_at,
        "updated_at": v.created_at,
        "supported_triggers": triggers_of(record),
        "action": action_summary(record, all_deployed(record)),
    })
}

/// An Action as Auth0 shows it: its draft's code (the newest version), and
/// the deployed version once there is one.
async fn action_json(
    state: &AppState,
    tenant: &str,
    record: &FunctionRecord,
) -> Result<Value, ApiError> {
    let service = &state.service;
    let draft = service
        .version(tenant, &record.func_id, draft_number(record))
        .await
        .map_err(auth0_error)?;
    let secrets = service
        .version_secrets(tenant, &record.func_id, &draft)
        .await
        .map_err(auth0_error)?;
    let mut action = json!({
        "id": record.func_id,
        "name": record.func_name,
        "supported_triggers": triggers_of(record),
        "all_changes_deployed": all_deployed(record),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "code": draft.source_code,
        "dependencies": dependencies_json(&draft.dependencies),
        "runtime": RUNTIME,
        "secrets": secrets_json(&secrets),
        "status": build_status(draft.status),
        "built_at": draft.created_at,
    });
    if record.deployed_version != 0 {
        let deployed = service
            .version(tenant, &record.func_id, record.deployed_version)
            .await
            .map_err(auth0_error)?;
        let secrets = service
            .version_secrets(tenant, &record.func_id, &deployed)
            .await
            .map_err(auth0_error)?;
        action["deployed_version"] = version_json(record, &deployed, &secrets);
    }
    Ok(action)
}

/// Service errors, with hookbox's field names replaced by Auth0's.
fn auth0_error(e: ServiceError) -> ApiError {
    if let ServiceError::NotFound(what) = &e
        && what.starts_with("version ")
    {
        return inexistent_version();
    }
    service_error(
        e,
        &[
            ("funcName", "name"),
            ("sourceCode", "code"),
            ("scene", "supported_triggers"),
        ],
        inexistent_action,
        action_conflict,
    )
}

fn action_conflict() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        api_code::CONFLICT,
        "An action with the same name already exists.",
    )
    .with_error_code("action_conflict")
}

fn inexistent_action() -> ApiError {
    ApiError::not_found("The action does not exist.").with_error_code("not_found")
}

fn inexistent_version() -> ApiError {
    ApiError::not_found("The action version does not exist.").with_error_code("not_found")
}

/// An Action of the caller's tenant; any other function is not one.
async fn load_action(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<FunctionRecord, ApiError> {
    load_function(
        state,
        caller,
        id,
        |r| r.action,
        auth0_error,
        inexistent_action,
    )
    .await
}

fn check_trigger(field: &str, triggers: &[TriggerRef]) -> Result<String, ApiError> {
    let [trigger] = triggers else {
        return Err(ApiError::invalid(format!(
            "{field}: an action supports exactly one trigger, got {}",
            triggers.len()
        )));
    };
    let Some(id) = action_trigger(&trigger.id) else {
        return Err(ApiError::invalid(format!(
            "{field}[0].id: {:?} is not a trigger hookbox runs (one of {})",
            trigger.id,
            ACTION_TRIGGERS.join(", ")
        )));
    };
    if let Some(v) = trigger.version.as_deref()
        && v != trigger_version(id)
    {
        return Err(ApiError::invalid(format!(
            "{field}[0].version: hookbox runs {id} at {}, got {v:?}",
            trigger_version(id)
        )));
    }
    Ok(id.to_string())
}

/// The handler an Action of `trigger` exports (Auth0's "Explore triggers").
fn handler_name(trigger: &str) -> &'static str {
    match trigger {
        "post-login" => "onExecutePostLogin",
        "pre-user-registration" => "onExecutePreUserRegistration",
        "post-user-registration" => "onExecutePostUserRegistration",
        "credentials-exchange" => "onExecuteCredentialsExchange",
        "post-change-password" => "onExecutePostChangePassword",
        _ => "onExecuteSendPhoneMessage",
    }
}

/// The code of an Action created without any: its trigger's handler, doing
/// nothing.
fn empty_handler(trigger: &str) -> String {
    format!(
        "exports.{} = async (event, api) => {{}};",
        handler_name(trigger)
    )
}

fn check_runtime(runtime: Option<&str>) -> Result<(), ApiError> {
    match runtime {
        None => Ok(()),
        Some(RUNTIME) => Ok(()),
        Some(other) => Err(ApiError::invalid(format!(
            "runtime: hookbox runs actions on the Node 20 surface ({RUNTIME}), got {other:?}"
        ))),
    }
}

fn dependency_map(deps: Vec<Dependency>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for (at, d) in deps.into_iter().enumerate() {
        if d.registry_url.is_some() {
            return Err(ApiError::invalid(format!(
                "dependencies[{at}].registry_url: hookbox resolves packages from its own catalogue, not from a registry"
            )));
        }
        if map.insert(d.name.clone(), d.version).is_some() {
            return Err(ApiError::invalid(format!(
                "dependencies: {:?} is listed twice",
                d.name
            )));
        }
    }
    Ok(map)
}

/// The secrets an Action is to have: each named once; one given without a
/// value keeps the value it has.
fn secret_map(
    given: Vec<SecretIn>,
    current: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for s in given {
        let value = match s.value {
            Some(v) => v,
            None => current.get(&s.name).cloned().ok_or_else(|| {
                ApiError::invalid(format!(
                    "secrets: {:?} has no value and the action has no secret of that name",
                    s.name
                ))
            })?,
        };
        if map.insert(s.name.clone(), value).is_some() {
            return Err(ApiError::invalid(format!(
                "secrets: {:?} is listed twice",
                s.name
            )));
        }
    }
    Ok(map)
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    ApiJson(body): ApiJson<ActionCreate>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let trigger = check_trigger("supported_triggers", &body.supported_triggers)?;
    check_runtime(body.runtime.as_deref())?;
    let dependencies = dependency_map(body.dependencies)?;
    let secrets = match body.secrets {
        Some(given) => secret_map(given, &BTreeMap::new())?,
        None => BTreeMap::new(),
    };
    // Auth0 accepts an action without code; it runs as an empty handler.
    let code = body
        .code
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| empty_handler(&trigger));
    let spec = NewFunction {
        func_name: body.name,
        func_description: String::new(),
        scene: trigger,
        source_code: code,
        url: None,
        events: Vec::new(),
        is_asynchronous: false,
        timeout: ACTION_TIMEOUT_SECS,
        terminate_on_timeout: true,
        enabled: false,
        memory_limit_mb: hookbox_engine::DEFAULT_MEMORY_MB,
        dependencies,
        saved_by: Some(caller.key_id.clone()),
    };
    let service = &state.service;
    let mut record = service
        .create_action(&caller.tenant, spec, secrets)
        .await
        .map_err(auth0_error)?;
    if body.deploy {
        record = service
            .deploy_version(&caller.tenant, &record.func_id, draft_number(&record))
            .await
            .map_err(auth0_error)?;
    }
    let action = action_json(&state, &caller.tenant, &record).await?;
    Ok((StatusCode::CREATED, Json(action)).into_response())
}

fn page_of<T>(
    items: Vec<T>,
    page: Option<usize>,
    per_page: Option<usize>,
) -> Result<(Vec<T>, usize, usize), ApiError> {
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::invalid(format!(
            "Query validation error: per_page must be from 1 to {MAX_PER_PAGE}, got {per_page}"
        )));
    }
    let page = page.unwrap_or(0);
    let items = items
        .into_iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .collect();
    Ok((items, page, per_page))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    if let Some(t) = &q.trigger_id {
        check_trigger(
            "triggerId",
            &[TriggerRef {
                id: t.clone(),
                version: None,
            }],
        )?;
    }
    let actions: Vec<FunctionRecord> = state
        .service
        .list(&caller.tenant, q.trigger_id.as_deref())
        .await
        .map_err(auth0_error)?
        .into_iter()
        .filter(|f| f.action)
        .filter(|f| q.action_name.as_ref().is_none_or(|n| &f.func_name == n))
        .filter(|f| q.deployed.is_none_or(|d| (f.deployed_version != 0) == d))
        // hookbox has no marketplace integrations: none is installed.
        .filter(|_| q.installed != Some(true))
        .collect();
    let total = actions.len();
    let (page, at, per_page) = page_of(actions, q.page, q.per_page)?;
    let mut out = Vec::with_capacity(page.len());
    for record in &page {
        out.push(action_json(&state, &caller.tenant, record).await?);
    }
    Ok(
        Json(json!({ "total": total, "page": at, "per_page": per_page, "actions": out }))
            .into_response(),
    )
}

async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = load_action(&state, &caller, &id).await?;
    Ok(Json(action_json(&state, &caller.tenant, &record).await?).into_response())
}

/// Saves the changes: name and trigger at once, secrets at once (they are
/// the Action's), code and dependencies as a draft that runs only once
/// deployed.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionUpdate>,
) -> Result<Response, ApiError> {
    let record = load_action(&state, &caller, &id).await?;
    let service = &state.service;
    let scene = body
        .supported_triggers
        .as_deref()
        .map(|t| check_trigger("supported_triggers", t))
        .transpose()?;
    if scene.as_ref().is_some_and(|s| *s != record.scene) {
        return Err(ApiError::invalid(
            "supported_triggers: an action's trigger cannot change; create another action",
        ));
    }
    check_runtime(body.runtime.as_deref())?;
    let draft = service
        .version(&caller.tenant, &id, draft_number(&record))
        .await
        .map_err(auth0_error)?;
    let dependencies = body.dependencies.map(dependency_map).transpose()?;
    let code = body.code.filter(|c| *c != draft.source_code);
    let dependencies = dependencies.filter(|d| *d != draft.dependencies);
    // Secrets belong to the draft, as code does: a change is deployed with it.
    let current = service
        .version_secrets(&caller.tenant, &id, &draft)
        .await
        .map_err(auth0_error)?;
    let secrets = body
        .secrets
        .map(|given| secret_map(given, &current))
        .transpose()?
        .filter(|s| *s != current);
    let versioned = code.is_some() || dependencies.is_some() || secrets.is_some();
    let patch = FunctionPatch {
        func_name: body.name.filter(|n| *n != record.func_name),
        source_code: code,
        dependencies,
        draft: versioned.then_some(true),
        saved_by: Some(caller.key_id.clone()),
        secrets,
        ..FunctionPatch::default()
    };
    let mut record = record;
    let nothing = FunctionPatch {
        saved_by: patch.saved_by.clone(),
        ..FunctionPatch::default()
    };
    if patch != nothing {
        record = service
            .update_compiled(&caller.tenant, &id, patch)
            .await
            .map_err(auth0_error)?;
    }
    Ok(Json(action_json(&state, &caller.tenant, &record).await?).into_response())
}

/// Deletes an Action. A bound one is refused unless `force=true`, which
/// unbinds it with the deletion. Source: Auth0's "Delete an action"
/// (`force`: "Force action deletion detaching bindings").
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<Response, ApiError> {
    let record = load_action(&state, &caller, &id).await?;
    if record.enabled && q.force != Some(true) {
        return Err(ApiError::invalid(format!(
            "The action is bound to the {} trigger; unbind it first, or delete with force=true",
            record.scene
        ))
        .with_error_code("action_bound"));
    }
    state
        .service
        .delete(&caller.tenant, &id)
        .await
        .map_err(auth0_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deploys the Action's newest version (its draft); when everything is
/// deployed already, answers the deployed version.
async fn deploy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let EmptyBody {} = optional_body(&headers, body).await?;
    let record = load_action(&state, &caller, &id).await?;
    let service = &state.service;
    let record = if all_deployed(&record) {
        record
    } else {
        service
            .deploy_version(&caller.tenant, &id, draft_number(&record))
            .await
            .map_err(auth0_error)?
    };
    deployed_answer(&state, &caller.tenant, &record, StatusCode::ACCEPTED).await
}

async fn deployed_answer(
    state: &AppState,
    tenant: &str,
    record: &FunctionRecord,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let service = &state.service;
    let version = service
        .version(tenant, &record.func_id, record.deployed_version)
        .await
        .map_err(auth0_error)?;
    let secrets = service
        .version_secrets(tenant, &record.func_id, &version)
        .await
        .map_err(auth0_error)?;
    Ok((status, Json(version_json(record, &version, &secrets))).into_response())
}

/// The version of `record` whose Auth0 id is `id`.
async fn find_version(
    state: &AppState,
    tenant: &str,
    record: &FunctionRecord,
    id: &str,
) -> Result<FunctionVersion, ApiError> {
    state
        .service
        .versions(tenant, &record.func_id)
        .await
        .map_err(auth0_error)?
        .into_iter()
        .find(|v| version_id(&record.func_id, v.number) == id)
        .ok_or_else(inexistent_version)
}

async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let record = load_action(&state, &caller, &id).await?;
    let service = &state.service;
    let all = service
        .versions(&caller.tenant, &id)
        .await
        .map_err(auth0_error)?;
    let total = all.len();
    let (page, at, per_page) = page_of(all, q.page, q.per_page)?;
    let mut out = Vec::with_capacity(page.len());
    for v in &page {
        let secrets = service
            .version_secrets(&caller.tenant, &id, v)
            .await
            .map_err(auth0_error)?;
        out.push(version_json(&record, v, &secrets));
    }
    Ok(
        Json(json!({ "total": total, "page": at, "per_page": per_page, "versions": out }))
            .into_response(),
    )
}

async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = load_action(&state, &caller, &id).await?;
    let v = find_version(&state, &caller.tenant, &record, &version).await?;
    let secrets = state
        .service
        .version_secrets(&caller.tenant, &id, &v)
        .await
        .map_err(auth0_error)?;
    Ok(Json(version_json(&record, &v, &secrets)).into_response())
}

/// Auth0's rollback: a new version, a copy of the one named, deployed.
async fn deploy_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(String, String)>,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    // The body is optional (`{update_draft}`); when there is one, JSON.
    let RevertBody { update_draft } = optional_body::<Option<RevertBody>>(&headers, body)
        .await?
        .unwrap_or_default();
    let record = load_action(&state, &caller, &id).await?;
    let v = find_version(&state, &caller.tenant, &record, &version).await?;
    let record = state
        .service
        .revert_action(
            &caller.tenant,
            &id,
            v.number,
            update_draft,
            Some(caller.key_id.clone()),
        )
        .await
        .map_err(auth0_error)?;
    deployed_answer(&state, &caller.tenant, &record, StatusCode::ACCEPTED).await
}

/// Runs the Action's draft once with `payload` as its event (its `user`
/// is the event's user), deploying and storing nothing. Answers
/// `{payload}` with hookbox's outcome: the user, `api` commands, console
/// lines and error.
async fn test(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    rid: Extension<RequestId>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TestBody>,
) -> Result<Response, ApiError> {
    load_action(&state, &caller, &id).await?;
    if !body.payload.is_object() {
        return Err(ApiError::invalid(
            "payload: must be an object (the trigger's event)",
        ));
    }
    let call = Call {
        user: body.payload.get("user").cloned().unwrap_or(json!({})),
        context: json!({}),
        event: Some(body.payload),
        args: None,
        resume: false,
        continue_at: None,
    };
    let (_, outcome) = state
        .service
        .test_version(&caller.tenant, &id, None, call, &rid.0.0)
        .await
        .map_err(auth0_error)?;
    let payload = serde_json::to_value(outcome).map_err(|_| ApiError::internal())?;
    Ok(Json(json!({ "payload": payload })).into_response())
}

async fn triggers(
    State(_state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let triggers: Vec<Value> = ACTION_TRIGGERS
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "version": trigger_version(id),
                "status": "CURRENT",
                "runtimes": [RUNTIME],
                "default_runtime": RUNTIME,
                "compatible_triggers": [],
                "binding_policy": "trigger-bound",
            })
        })
        .collect();
    Ok(Json(json!({ "triggers": triggers })).into_response())
}

fn binding_json(record: &FunctionRecord, action: Value) -> Value {
    json!({
        "id": binding_id(&record.func_id),
        "trigger_id": record.scene,
        "display_name": record.func_name,
        "action": action,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    })
}

fn known_trigger(trigger: &str) -> Result<&'static str, ApiError> {
    action_trigger(trigger).ok_or_else(|| {
        ApiError::not_found(format!(
            "The trigger {trigger:?} does not exist (one of {}).",
            ACTION_TRIGGERS.join(", ")
        ))
        .with_error_code("not_found")
    })
}

async fn bindings_answer(
    state: &AppState,
    tenant: &str,
    bound: Vec<FunctionRecord>,
    page: Option<usize>,
    per_page: Option<usize>,
    paged: bool,
) -> Result<Response, ApiError> {
    let total = bound.len();
    let (page, at, per_page) = page_of(bound, page, per_page.or(Some(MAX_PER_PAGE)))?;
    let mut out = Vec::with_capacity(page.len());
    for record in &page {
        out.push(binding_json(
            record,
            action_json(state, tenant, record).await?,
        ));
    }
    if !paged {
        return Ok(Json(json!({ "bindings": out })).into_response());
    }
    Ok(
        Json(json!({ "total": total, "page": at, "per_page": per_page, "bindings": out }))
            .into_response(),
    )
}

async fn bindings(
    State(state): State<AppState>,
    caller: Caller,
    Path(trigger): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let trigger = known_trigger(&trigger)?;
    let bound = state
        .service
        .action_bindings(&caller.tenant, trigger)
        .await
        .map_err(auth0_error)?;
    bindings_answer(&state, &caller.tenant, bound, q.page, q.per_page, true).await
}

/// Replaces the trigger's bindings with the Actions named, in that order:
/// by `action_id`, `action_name` or `binding_id`.
async fn update_bindings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(trigger): Path<String>,
    ApiJson(body): ApiJson<BindingsBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let trigger = known_trigger(&trigger)?;
    let service = &state.service;
    let actions: Vec<FunctionRecord> = service
        .list(&caller.tenant, Some(trigger))
        .await
        .map_err(auth0_error)?
        .into_iter()
        .filter(|f| f.action)
        .collect();
    let mut ids = Vec::with_capacity(body.bindings.len());
    for (at, b) in body.bindings.iter().enumerate() {
        if b.secrets.as_ref().is_some_and(|s| !s.is_empty()) {
            return Err(ApiError::invalid(format!(
                "bindings[{at}].secrets: hookbox keeps secrets on the action; set them there"
            )));
        }
        if let Some(name) = &b.display_name
            && name.trim().is_empty()
        {
            return Err(ApiError::invalid(format!(
                "bindings[{at}].display_name: must not be empty"
            )));
        }
        let value = &b.reference.value;
        let found = actions.iter().find(|a| match b.reference.kind.as_str() {
            "action_id" => &a.func_id == value,
            "action_name" => &a.func_name == value,
            "binding_id" => a.enabled && binding_id(&a.func_id) == *value,
            _ => false,
        });
        match (b.reference.kind.as_str(), found) {
            ("action_id" | "action_name" | "binding_id", Some(a)) => ids.push(a.func_id.clone()),
            ("action_id" | "action_name" | "binding_id", None) => {
                return Err(ApiError::invalid(format!(
                    "bindings[{at}].ref: no action of the {trigger} trigger has {} {value:?}",
                    b.reference.kind
                )));
            }
            (other, _) => {
                return Err(ApiError::invalid(format!(
                    "bindings[{at}].ref.type: one of action_id, action_name, binding_id, got {other:?}"
                )));
            }
        }
    }
    let bound = service
        .bind_actions(&caller.tenant, trigger, ids)
        .await
        .map_err(auth0_error)?;
    bindings_answer(&state, &caller.tenant, bound, None, None, false).await
}

/// A trigger's run (Auth0's execution), by the `requestId` of the scene run:
/// each Action that ran, with its error. Source: Auth0's "Get an
/// execution". Available once the run's log batch is written.
async fn execution(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let ran = state
        .service
        .execution(&caller.tenant, &id)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound(_) => {
                ApiError::not_found("The execution does not exist.").with_error_code("not_found")
            }
            other => auth0_error(other),
        })?;
    let results: Vec<Value> = ran
        .iter()
        .map(|(action, log)| {
            let ended = hookbox_store::rfc3339(log.at_micros + log.duration_us);
            let error = log.error.as_ref().map(|e| {
                let msg = e
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| e.to_string(), str::to_string);
                json!({ "id": log.outcome, "msg": msg })
            });
            json!({
                "action_name": action.func_name,
                "error": error,
                "started_at": log.at,
                "ended_at": ended,
            })
        })
        .collect();
    let (first, last) = (&ran[0].1, &ran[ran.len() - 1].1);
    Ok(Json(json!({
        "id": id,
        "trigger_id": ran[0].0.scene,
        "status": "final",
        "results": results,
        "created_at": first.at,
        "updated_at": hookbox_store::rfc3339(last.at_micros + last.duration_us),
    }))
    .into_response())
}
