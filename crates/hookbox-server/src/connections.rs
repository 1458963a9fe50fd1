//! Custom database connections on the native API: manage a tenant's
//! connections (Auth0's database action scripts) and run one script, the
//! gateway's call at a login, a sign-up or a password change.
//!
//! | route | who |
//! | --- | --- |
//! | `GET/POST /v1/connections` | admin |
//! | `GET/PATCH/DELETE /v1/connections/{name}` | admin |
//! | `POST /v1/connections/{name}/scripts/{script}/run` | admin, invoke |
//! | `GET /v1/connections/{name}/logs` | admin |
//!
//! A connection's configuration values go in and never come out: answers
//! list their names only.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, RequestId, ok};
use crate::extract::{ApiJson, ApiQuery};
use crate::native::page_and_limit;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use hookbox_service::{Connection, ConnectionPatch, NewConnection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/connections",
            post(create_connection).get(list_connections),
        )
        .route(
            "/v1/connections/{name}",
            get(get_connection)
                .patch(update_connection)
                .delete(delete_connection),
        )
        .route(
            "/v1/connections/{name}/scripts/{script}/run",
            post(run_script),
        )
        .route("/v1/connections/{name}/logs", get(connection_logs))
}

/// `POST /v1/connections`: any other field is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConnectionBody {
    name: String,
    #[serde(default)]
    scripts: UniqueMap<String>,
    #[serde(default)]
    configuration: UniqueMap<String>,
    #[serde(default)]
    timeout: Option<u32>,
}

/// `PATCH /v1/connections/{name}`: a JSON merge patch of `scripts` and
/// `configuration` (`null` removes an entry); absent or null fields keep
/// their value, and at least one must be set.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionPatchBody {
    #[serde(default)]
    scripts: Option<UniqueMap<Option<String>>>,
    #[serde(default)]
    configuration: Option<UniqueMap<Option<String>>>,
    #[serde(default)]
    timeout: Option<u32>,
}

/// A JSON object in which every key appears once: serde would keep the last
/// of two equal keys (two sources for `login`, two values for a
/// configuration name) without a word.
#[derive(Debug, Default)]
struct UniqueMap<V>(BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Unique<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key `{key}`: give each key once"
                        )));
                    }
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        deserializer.deserialize_map(Unique(std::marker::PhantomData))
    }
}

/// `POST …/scripts/{script}/run`: the script's arguments, before its callback.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    args: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogsQuery {
    page: Option<usize>,
    limit: Option<usize>,
}

/// A connection as the API shows it: `configuration` lists names only.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionDto {
    name: String,
    scripts: BTreeMap<String, String>,
    configuration: Vec<String>,
    timeout: u32,
    version: u64,
    created_at: String,
    updated_at: String,
}

impl From<Connection> for ConnectionDto {
    fn from(c: Connection) -> Self {
        Self {
            name: c.name,
            scripts: c.scripts,
            configuration: c.configuration,
            timeout: c.timeout,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

async fn create_connection(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    ApiJson(body): ApiJson<NewConnectionBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let spec = NewConnection {
        name: body.name,
        scripts: body.scripts.0,
        configuration: body.configuration.0,
        timeout: body.timeout,
    };
    let created = state
        .service
        .create_connection(&caller.tenant, spec)
        .await?;
    Ok(ok(&rid, ConnectionDto::from(created)))
}

async fn list_connections(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let list: Vec<ConnectionDto> = state
        .service
        .list_connections(&caller.tenant)
        .await?
        .into_iter()
        .map(ConnectionDto::from)
        .collect();
    Ok(ok(
        &rid,
        serde_json::json!({ "totalCount": list.len(), "list": list }),
    ))
}

async fn get_connection(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let found = state.service.get_connection(&caller.tenant, &name).await?;
    Ok(ok(&rid, ConnectionDto::from(found)))
}

async fn update_connection(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<ConnectionPatchBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let patch = ConnectionPatch {
        scripts: body.scripts.unwrap_or_default().0,
        configuration: body.configuration.unwrap_or_default().0,
        timeout: body.timeout,
    };
    if patch == ConnectionPatch::default() {
        return Err(ApiError::invalid(
            "body: a PATCH must set at least one field (a null field counts as absent)",
        ));
    }
    let updated = state
        .service
        .update_connection(&caller.tenant, &name, patch)
        .await?;
    Ok(ok(&rid, ConnectionDto::from(updated)))
}

async fn delete_connection(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    state
        .service
        .delete_connection(&caller.tenant, &name)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "name": name, "deleted": true }),
    ))
}

async fn run_script(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path((name, script)): Path<(String, String)>,
    ApiJson(body): ApiJson<RunBody>,
) -> Result<Response, ApiError> {
    let outcome = state
        .service
        .run_script(&caller.tenant, &name, &script, body.args, &rid.0.0)
        .await?;
    Ok(ok(&rid, outcome))
}

async fn connection_logs(
    State(state): State<AppState>,
    caller: Caller,
    rid: axum::Extension<RequestId>,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<LogsQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (page, limit) = page_and_limit(q.page, q.limit, hookbox_service::MAX_LOGS_PAGE)?;
    let (list, total) = state
        .service
        .connection_logs(&caller.tenant, &name, page, limit)
        .await?;
    Ok(ok(
        &rid,
        serde_json::json!({ "list": list, "totalCount": total, "page": page, "limit": limit }),
    ))
}
