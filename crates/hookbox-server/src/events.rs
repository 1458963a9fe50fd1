//! Events on the native API (see `hookbox_service::events`):
//!
//! - `POST /v1/events` `{event, data, user?}` → `{deliveries: [{id, funcId}]}`,
//!   queued durably before the answer (admin and invoke keys);
//! - `GET /v1/event-types`; `PUT /v1/event-types/{number}` `{name}` and
//!   `DELETE` for the tenant's own;
//! - `GET /v1/deliveries?status=pending|failed&limit=`, `GET
//!   /v1/deliveries/{id}`, `POST /v1/deliveries/{id}/retry` (a failed one);
//! - `POST /v1/functions/{id}/webhook-secrets`: an HTTP function's new
//!   secrets, shown once;
//! - `GET /.well-known/jwks.json`: the public keys function sessions are
//!   signed with (no token needed).

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, ApiQuery};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use hookbox_service::EventRef;
use hookbox_store::{Delivery, DeliveryStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/events", post(publish))
        .route("/v1/event-types", get(list_types))
        .route(
            "/v1/event-types/{number}",
            put(define_type).delete(delete_type),
        )
        .route("/v1/deliveries", get(list_deliveries))
        .route("/v1/deliveries/{id}", get(get_delivery))
        .route("/v1/deliveries/{id}/retry", post(retry_delivery))
        .route(
            "/v1/functions/{func_id}/webhook-secrets",
            post(rotate_secrets),
        )
        .route("/.well-known/jwks.json", get(jwks))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEvent {
    /// A number (`2000`) or a name (`"AUTH_LOGIN"`).
    event: EventRef,
    data: Value,
    #[serde(default)]
    user: Option<Value>,
}

async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<NewEvent>,
) -> Result<Response, ApiError> {
    let deliveries = state
        .service
        .publish_event(
            &caller.tenant,
            &body.event,
            body.data,
            body.user.filter(|u| !u.is_null()),
            &rid.0.0,
        )
        .await?;
    Ok(ok(&rid, serde_json::json!({ "deliveries": deliveries })))
}

async fn list_types(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    let list = state.service.event_types(&caller.tenant).await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "totalCount": list.len(), "list": list }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeName {
    name: String,
}

fn event_number(raw: &str) -> Result<u32, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::invalid(format!("number: {raw:?} is not an event number")))
}

async fn define_type(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<TypeName>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let number = event_number(&number)?;
    let defined = state
        .service
        .define_event_type(&caller.tenant, number, &body.name)
        .await?;
    Ok(ok(&rid, defined))
}

async fn delete_type(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let number = event_number(&number)?;
    state
        .service
        .delete_event_type(&caller.tenant, number)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "number": number, "deleted": true }),
    ))
}

/// A delivery as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryDto {
    id: String,
    func_id: String,
    event: u32,
    event_name: String,
    data: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<Value>,
    status: DeliveryStatus,
    attempts: u32,
    /// When the next attempt is due (a pending one).
    #[serde(skip_serializing_if = "Option::is_none")]
    next_attempt_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_status: Option<u16>,
    created_at: String,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            next_attempt_at: (d.status == DeliveryStatus::Pending)
                .then(|| hookbox_store::rfc3339(d.next_at_micros)),
            id: d.id,
            func_id: d.func_id,
            event: d.event,
            event_name: d.event_name,
            data: d.data,
            user: d.user,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            last_status: d.last_status,
            created_at: d.created_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveriesQuery {
    status: Option<String>,
    limit: Option<usize>,
}

async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some("pending") => Some(DeliveryStatus::Pending),
        Some("failed") => Some(DeliveryStatus::Failed),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "status: must be pending or failed, got {other:?}"
            )));
        }
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit: must be from 1 to 1000"));
    }
    let list: Vec<DeliveryDto> = state
        .service
        .deliveries(&caller.tenant, status, limit)
        .await?
        .into_iter()
        .map(DeliveryDto::from)
        .collect();
    Ok(ok(
        &rid,
        serde_json::json!({ "totalCount": list.len(), "list": list }),
    ))
}

async fn get_delivery(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let d = state.service.delivery(&caller.tenant, &id).await?;
    Ok(ok(&rid, DeliveryDto::from(d)))
}

async fn retry_delivery(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let d = state.service.retry_delivery(&caller.tenant, &id).await?;
    Ok(ok(&rid, DeliveryDto::from(d)))
}

async fn rotate_secrets(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let secrets = state
        .service
        .rotate_webhook_secrets(&caller.tenant, &func_id)
        .await?;
    Ok(ok(&rid, secrets))
}

/// The JWKS, as plain JSON (not the API envelope): what JWT libraries fetch.
async fn jwks(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(state.service.function_session_jwks().clone()),
    )
        .into_response()
}
