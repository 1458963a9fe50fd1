//! A function's secrets on the native API: `GET /v1/functions/{id}/secrets`
//! (their names, never their values) and `PUT` (replace them whole). Every
//! function gets its secrets: an Action as `event.secrets`, a hook as
//! `context.webtask.secrets`; they are sealed at rest and redacted from its
//! invocation logs. (Auth0 hooks also reach them through
//! `/api/v2/hooks/{id}/secrets`.)

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, UniqueStringMap};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/v1/functions/{func_id}/secrets",
        get(list_secrets).put(put_secrets),
    )
}

async fn list_secrets(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let names: Vec<String> = state
        .service
        .hook_secrets(&caller.tenant, &func_id)
        .await?
        .into_keys()
        .collect();
    Ok(ok(&rid, serde_json::json!({ "names": names })))
}

async fn put_secrets(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(func_id): Path<String>,
    ApiJson(UniqueStringMap(secrets)): ApiJson<UniqueStringMap>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let names = state
        .service
        .replace_secrets(
            &caller.tenant,
            &func_id,
            secrets,
            Some(caller.key_id.clone()),
        )
        .await?;
    Ok(ok(&rid, serde_json::json!({ "names": names })))
}
