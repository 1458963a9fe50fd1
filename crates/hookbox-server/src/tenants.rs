//! A tenant's settings: `PATCH /v1/tenants/{id}` (its name and Auth0
//! domain), for the server admin key or an admin key of that tenant.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, bearer};
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::patch;
use hookbox_service::TenantPatch;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/tenants/{tenant_id}", patch(update_tenant))
}

/// Who may change a tenant: the server admin key (any tenant), or an admin
/// key of the tenant itself.
enum TenantAdmin {
    Server,
    Tenant(String),
}

impl FromRequestParts<AppState> for TenantAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.auth.is_admin_key(bearer(parts)?).is_ok() {
            return Ok(Self::Server);
        }
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Self::Tenant(caller.tenant))
    }
}

async fn update_tenant(
    State(state): State<AppState>,
    who: TenantAdmin,
    rid: axum::Extension<RequestId>,
    Path(tenant_id): Path<String>,
    ApiJson(patch): ApiJson<TenantPatch>,
) -> Result<Response, ApiError> {
    if let TenantAdmin::Tenant(own) = &who
        && *own != tenant_id
    {
        // Another tenant's id answers as one that does not exist.
        return Err(ApiError::not_found(format!("tenant {tenant_id} not found")));
    }
    if patch == TenantPatch::default() {
        return Err(ApiError::invalid(
            "body: a PATCH must set at least one field (name or domain)",
        ));
    }
    let tenant = state.service.update_tenant(&tenant_id, patch).await?;
    Ok(ok(&rid, tenant))
}
