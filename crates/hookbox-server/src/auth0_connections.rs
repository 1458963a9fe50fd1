//! The Auth0 Management API v2 connections front, for custom database
//! connections: `strategy: "auth0"` with `options.enabledDatabaseCustomization`,
//! `options.customScripts` and `options.configuration`, the paths and shapes
//! the `auth0` npm package's `ManagementClient().connections` speaks, on the
//! same connections as `/v1/connections`.
//!
//! As Auth0 does: a connection's `name` and `strategy` never change; a
//! `PATCH` with `options` replaces the options whole (a script or a
//! configuration entry left out is removed); configuration values are
//! sealed and read back as an opaque marker, never the value, and a marker
//! sent back keeps the value it stands for. Source: Auth0's "Update a
//! connection" ("the whole options object will be overridden") and its
//! custom database configuration, encrypted once set.
//!
//! Where hookbox differs: it keeps custom database connections only, so
//! every other strategy, any option other than those three, and fields it
//! cannot keep (enabled clients, realms other than the name, metadata,
//! domain connections) are a 400 naming them, unless they hold the value
//! hookbox reads back.

use crate::AppState;
use crate::auth::Caller;
use crate::auth0::{FieldsQuery, offset_page, select_fields};
use crate::error::{ApiError, api_code};
use crate::extract::{ApiJson, ApiQuery, UniqueStringMap};
use crate::versions::NoQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hookbox_service::{Connection, ConnectionPatch, NewConnection, ServiceError};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What a configuration value reads back as; sent back in a `PATCH`, it
/// keeps the stored value.
pub const SEALED: &str = "[sealed by hookbox]";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/connections", get(list).post(create))
        .route(
            "/api/v2/connections/{id}",
            get(get_one).patch(update).delete(delete),
        )
}

/// `con_` and 16 characters, as Auth0's connection ids look: derived from
/// the tenant and the name (which never changes).
fn connection_id(tenant: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("connection\0{tenant}\0{name}").as_bytes());
    format!("con_{}", &hex::encode(digest)[..16])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    strategy: String,
    #[serde(default)]
    options: Option<OptionsBody>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    enabled_clients: Option<Vec<String>>,
    #[serde(default)]
    is_domain_connection: Option<bool>,
    #[serde(default)]
    show_as_button: Option<bool>,
    #[serde(default)]
    realms: Option<Vec<String>>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default)]
    options: Option<OptionsBody>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    enabled_clients: Option<Vec<String>>,
    #[serde(default)]
    is_domain_connection: Option<bool>,
    #[serde(default)]
    show_as_button: Option<bool>,
    #[serde(default)]
    realms: Option<Vec<String>>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
}

/// The connection fields hookbox does not keep: accepted only with the
/// value it reads back.
struct Fixed<'a> {
    display_name: &'a Option<String>,
    enabled_clients: &'a Option<Vec<String>>,
    is_domain_connection: Option<bool>,
    show_as_button: Option<bool>,
    realms: &'a Option<Vec<String>>,
    metadata: &'a Option<Map<String, Value>>,
}

macro_rules! fixed_of {
    ($body:expr) => {
        Fixed {
            display_name: &$body.display_name,
            enabled_clients: &$body.enabled_clients,
            is_domain_connection: $body.is_domain_connection,
            show_as_button: $body.show_as_button,
            realms: &$body.realms,
            metadata: &$body.metadata,
        }
    };
}

impl Fixed<'_> {
    fn check(&self, name: Option<&str>) -> Result<(), ApiError> {
        let refuse = |field: &str, rule: &str| {
            Err(ApiError::invalid(format!(
                "{field}: hookbox keeps custom database connections only; {rule}"
            )))
        };
        if let (Some(d), Some(name)) = (self.display_name, name)
            && d != name
        {
            return refuse("display_name", "it is the connection's name");
        }
        if self.enabled_clients.as_ref().is_some_and(|c| !c.is_empty()) {
            return refuse(
                "enabled_clients",
                "the gateway chooses the connection; send []",
            );
        }
        if self.is_domain_connection == Some(true) {
            return refuse("is_domain_connection", "it is false");
        }
        if self.show_as_button == Some(true) {
            return refuse("show_as_button", "it is false");
        }
        if let Some(realms) = self.realms {
            let own = name.is_some_and(|n| realms.len() == 1 && realms[0] == n);
            if !realms.is_empty() && !own {
                return refuse("realms", "the only realm is the connection's name");
            }
        }
        if self.metadata.as_ref().is_some_and(|m| !m.is_empty()) {
            return refuse("metadata", "send {}");
        }
        Ok(())
    }
}

/// `options`, as hookbox keeps them: any other option is refused (naming
/// it), and a script or configuration name given twice too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsBody {
    #[serde(default, rename = "enabledDatabaseCustomization")]
    enabled_database_customization: Option<bool>,
    #[serde(default, rename = "customScripts")]
    custom_scripts: Option<UniqueStringMap>,
    #[serde(default)]
    configuration: Option<UniqueStringMap>,
}

/// `options` as hookbox keeps them: scripts and configuration.
struct Options {
    scripts: BTreeMap<String, String>,
    configuration: BTreeMap<String, String>,
}

fn parse_options(options: Option<OptionsBody>) -> Result<Options, ApiError> {
    let Some(options) = options else {
        return Ok(Options {
            scripts: BTreeMap::new(),
            configuration: BTreeMap::new(),
        });
    };
    if options.enabled_database_customization == Some(false) {
        return Err(ApiError::invalid(
            "options.enabledDatabaseCustomization: hookbox keeps custom database connections only; it is true",
        ));
    }
    Ok(Options {
        scripts: options.custom_scripts.unwrap_or_default().0,
        configuration: options.configuration.unwrap_or_default().0,
    })
}

/// A connection as Auth0 shows it.
fn connection_json(tenant: &str, c: &Connection) -> Value {
    let configuration: Map<String, Value> = c
        .configuration
        .iter()
        .map(|k| (k.clone(), json!(SEALED)))
        .collect();
    let mut options = json!({
        "enabledDatabaseCustomization": true,
        "customScripts": c.scripts,
    });
    if !configuration.is_empty() {
        options["configuration"] = Value::Object(configuration);
    }
    json!({
        "id": connection_id(tenant, &c.name),
        "name": c.name,
        "display_name": c.name,
        "strategy": "auth0",
        "options": options,
        "realms": [c.name],
        "enabled_clients": [],
        "is_domain_connection": false,
        "show_as_button": false,
        "metadata": {},
    })
}

/// Service errors, with hookbox's field names replaced by Auth0's.
fn auth0_error(e: ServiceError) -> ApiError {
    match e {
        ServiceError::Invalid { field, message } => {
            let field = if let Some(script) = field.strip_prefix("scripts.") {
                format!("options.customScripts.{script}")
            } else if field == "scripts" {
                "options.customScripts".to_string()
            } else if let Some(rest) = field.strip_prefix("configuration") {
                format!("options.configuration{rest}")
            } else {
                field
            };
            ApiError::invalid(format!("{field}: {message}"))
        }
        ServiceError::NotFound(_) => inexistent_connection(),
        other => other.into(),
    }
}

fn inexistent_connection() -> ApiError {
    ApiError::not_found("The connection does not exist").with_error_code("inexistent_connection")
}

/// The caller's connection whose Auth0 id is `id`.
async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<Connection, ApiError> {
    caller.require_admin()?;
    state
        .service
        .list_connections(&caller.tenant)
        .await
        .map_err(auth0_error)?
        .into_iter()
        .find(|c| connection_id(&caller.tenant, &c.name) == id)
        .ok_or_else(inexistent_connection)
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    if body.strategy != "auth0" {
        return Err(ApiError::invalid(format!(
            "strategy: hookbox keeps custom database connections only (\"auth0\"), got {:?}",
            body.strategy
        )));
    }
    fixed_of!(body).check(Some(&body.name))?;
    let options = parse_options(body.options)?;
    if options.configuration.values().any(|v| v == SEALED) {
        return Err(ApiError::invalid(
            "options.configuration: a sealed marker stands for a stored value, and a new connection has none",
        ));
    }
    let spec = NewConnection {
        name: body.name,
        scripts: options.scripts,
        configuration: options.configuration,
        timeout: None,
    };
    let created = state
        .service
        .create_connection(&caller.tenant, spec)
        .await
        .map_err(|e| match e {
            ServiceError::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                api_code::CONFLICT,
                "A connection with the same name already exists",
            )
            .with_error_code("connection_conflict"),
            other => auth0_error(other),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(connection_json(&caller.tenant, &created)),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<usize>,
    per_page: Option<usize>,
    include_totals: Option<bool>,
    strategy: Option<String>,
    name: Option<String>,
    fields: Option<String>,
    include_fields: Option<bool>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let all = state
        .service
        .list_connections(&caller.tenant)
        .await
        .map_err(auth0_error)?;
    let matching: Vec<Value> = all
        .iter()
        .filter(|_| q.strategy.as_deref().is_none_or(|s| s == "auth0"))
        .filter(|c| q.name.as_ref().is_none_or(|n| &c.name == n))
        .map(|c| {
            select_fields(
                connection_json(&caller.tenant, c),
                q.fields.as_deref(),
                q.include_fields,
            )
        })
        .collect();
    offset_page(
        matching,
        q.page,
        q.per_page,
        q.include_totals,
        "connections",
    )
}

async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<FieldsQuery>,
) -> Result<Response, ApiError> {
    let found = find(&state, &caller, &id).await?;
    Ok(Json(select_fields(
        connection_json(&caller.tenant, &found),
        q.fields.as_deref(),
        q.include_fields,
    ))
    .into_response())
}

/// With `options`, replaces the scripts and the configuration whole (a
/// sealed marker keeps its value); without, changes nothing.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Response, ApiError> {
    let current = find(&state, &caller, &id).await?;
    fixed_of!(body).check(Some(&current.name))?;
    let Some(options) = body.options else {
        return Ok(Json(connection_json(&caller.tenant, &current)).into_response());
    };
    let options = parse_options(Some(options))?;
    let mut patch = ConnectionPatch::default();
    for script in current.scripts.keys() {
        if !options.scripts.contains_key(script) {
            patch.scripts.insert(script.clone(), None);
        }
    }
    for (script, source) in options.scripts {
        patch.scripts.insert(script, Some(source));
    }
    for name in &current.configuration {
        if !options.configuration.contains_key(name) {
            patch.configuration.insert(name.clone(), None);
        }
    }
    for (name, value) in options.configuration {
        if value == SEALED {
            if !current.configuration.contains(&name) {
                return Err(ApiError::invalid(format!(
                    "options.configuration.{name}: a sealed marker keeps a stored value, and the connection has none of this name"
                )));
            }
            continue;
        }
        patch.configuration.insert(name, Some(value));
    }
    let updated = state
        .service
        .update_connection(&caller.tenant, &current.name, patch)
        .await
        .map_err(auth0_error)?;
    Ok(Json(connection_json(&caller.tenant, &updated)).into_response())
}

/// Deletes the connection; Auth0 answers 202 (its deletion is queued).
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(NoQuery {}): ApiQuery<NoQuery>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let current = find(&state, &caller, &id).await?;
    state
        .service
        .delete_connection(&caller.tenant, &current.name)
        .await
        .map_err(auth0_error)?;
    Ok(StatusCode::ACCEPTED.into_response())
}
