//! The Authing V3 pipeline front: the paths, methods and shapes the Authing
//! SDKs (`authing` on PyPI, `authing-node-sdk` on npm) send, on the same
//! tenants and service as the native API. The token exchange
//! (`/api/v3/get-management-token`) is shared with the native API.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, ApiQuery, from_value};
use crate::native::{FunctionDto, function_list, page_and_limit};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use hookbox_service::{FunctionPatch, NewFunction};
use serde::Deserialize;
use serde_json::{Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v3/create-pipeline-function", post(create))
        .route("/api/v3/get-pipeline-function", get(get_one))
        .route("/api/v3/reupload-pipeline-function", post(reupload))
        .route("/api/v3/update-pipeline-function", post(update))
        .route("/api/v3/update-pipeline-order", post(order))
        .route("/api/v3/delete-pipeline-function", post(delete))
        .route("/api/v3/list-pipeline-functions", get(list))
        .route("/api/v3/get-pipeline-logs", get(logs))
}

// Bodies refuse unknown fields: the Authing SDKs (node 4.0.1, Python 5.1.0)
// send exactly their DTOs' fields, the Python one without its nulls.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FuncIdBody {
    func_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBody {
    order: Vec<String>,
    scene: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FuncIdQuery {
    func_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    scene: Option<String>,
}

/// Authing documents at most 50 records per page of logs.
const MAX_LOGS_LIMIT: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogsQuery {
    func_id: Option<String>,
    page: Option<usize>,
    limit: Option<usize>,
}

fn required(value: Option<String>, name: &str) -> Result<String, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid(format!("{name}: is required")))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(mut spec): ApiJson<NewFunction>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    spec.saved_by = Some(caller.key_id.clone());
    let record = state.service.deploy(&caller.tenant, spec).await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiQuery(q): ApiQuery<FuncIdQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let func_id = required(q.func_id, "funcId")?;
    Ok(ok(
        &rid,
        FunctionDto::from(state.service.get(&caller.tenant, &func_id).await?),
    ))
}

async fn reupload(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<FuncIdBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let record = state
        .service
        .reupload(&caller.tenant, &body.func_id)
        .await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

/// `funcId` and a [`FunctionPatch`] side by side in one object (serde cannot
/// refuse unknown fields around a flattened struct, so they are split here).
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(mut body): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let func_id = match body.remove("funcId") {
        Some(Value::String(id)) => id,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "funcId: must be a string, got {other}"
            )));
        }
        None => return Err(ApiError::invalid("funcId: is required")),
    };
    let mut patch: FunctionPatch = from_value(Value::Object(body))?;
    if patch.draft.is_some() {
        // Authing's update deploys; drafts are the native API's.
        return Err(ApiError::invalid(
            "draft: unknown field: update-pipeline-function deploys the change (PATCH /v1/functions/{funcId} saves drafts)",
        ));
    }
    patch.saved_by = Some(caller.key_id.clone());
    let record = state
        .service
        .update(&caller.tenant, &func_id, patch)
        .await?;
    Ok(ok(&rid, FunctionDto::from(record)))
}

/// As Authing's SDKs use it: `order` may list only some of the scene's
/// functions (say, those whose upload worked); they run first, in that
/// order, and the others after them in their current order. An unknown id
/// or one listed twice is still refused (the native route takes every
/// function, once each).
async fn order(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<OrderBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state
        .service
        .lead_order(&caller.tenant, &body.scene, body.order)
        .await?;
    Ok(ok(&rid, serde_json::json!({ "success": true })))
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<FuncIdBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state.service.delete(&caller.tenant, &body.func_id).await?;
    Ok(ok(&rid, serde_json::json!({ "success": true })))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    Ok(ok(&rid, function_list(&state, &caller, q.scene).await?))
}

async fn logs(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiQuery(q): ApiQuery<LogsQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let func_id = required(q.func_id, "funcId")?;
    let (page, limit) = page_and_limit(q.page, q.limit, MAX_LOGS_LIMIT)?;
    let (list, total) = state
        .service
        .logs(&caller.tenant, &func_id, page, limit)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "list": list, "totalCount": total }),
    ))
}
