//! Every route of the real router (`hookbox_server::app`, in-process with
//! `oneshot`: no socket, so thousands of requests take seconds) under
//! arbitrary bodies, query strings, path parameters, content types and
//! credentials. Whatever comes in, the answer is a 2xx or 4xx in the route's
//! documented error shape, never a 5xx or a panic.

use super::values::{self, TRICKY_STRINGS};
use crate::common;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use hookbox_server::{AppState, Auth};
use hookbox_service::{Background, DATABASE_SCRIPTS, SCENES, Service, ServiceConfig, TRIGGERS};
use hookbox_store::{Role, SledStore, Store};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt as _;

const ADMIN_KEY: &str = "fuzz-admin-key-0123456789";

/// Who a request claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cred {
    /// The tenant's admin bearer token (the Authing and Auth0 fronts take it too).
    Tenant,
    /// The server admin key, for `POST /v1/tenants`.
    ServerAdmin,
    /// Nothing: the token exchanges.
    None,
}

/// How a route family answers errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `{statusCode, message, apiCode, requestId, data}` with the HTTP status.
    Envelope,
    /// The same envelope with HTTP 200 (the Authing SDKs read the body).
    Authing,
    /// Auth0's `{statusCode, error, message, errorCode}`.
    Auth0,
    /// OAuth 2.0's token endpoint (RFC 6749 §5.2): `{error, error_description}`.
    OAuth,
}

/// One route: its method, path (`{func}`, `{scene}`, `{key}`, `{hook}` are
/// filled in per case), the body fields and query keys it knows.
struct Route {
    method: Method,
    path: &'static str,
    fields: &'static [&'static str],
    query: &'static [&'static str],
    cred: Cred,
    style: Style,
}

const FUNCTION_FIELDS: &[&str] = &[
    "funcName",
    "funcDescription",
    "scene",
    "sourceCode",
    "isAsynchronous",
    "timeout",
    "terminateOnTimeout",
    "enabled",
    "memoryLimitMb",
    "dependencies",
    "url",
    "events",
];
const CALL_FIELDS: &[&str] = &["user", "context", "event", "args", "continue", "continueAt"];
const CONNECTION_FIELDS: &[&str] = &["name", "scripts", "configuration", "timeout"];
const CONNECTION_PATCH_FIELDS: &[&str] = &["scripts", "configuration", "timeout"];

fn route(
    method: Method,
    path: &'static str,
    fields: &'static [&'static str],
    query: &'static [&'static str],
    cred: Cred,
    style: Style,
) -> Route {
    Route {
        method,
        path,
        fields,
        query,
        cred,
        style,
    }
}

/// The native API (DESIGN §7 and the README's route table).
fn native_routes() -> Vec<Route> {
    use Cred::*;
    use Style::Envelope as E;
    vec![
        route(
            Method::POST,
            "/api/v3/get-management-token",
            &["accessKeyId", "accessKeySecret"],
            &[],
            None,
            E,
        ),
        route(
            Method::POST,
            "/v1/tenants",
            &["name", "id", "domain"],
            &[],
            ServerAdmin,
            E,
        ),
        // The fuzz tenant itself (its own admin token may change it).
        route(
            Method::PATCH,
            "/v1/tenants/fuzz",
            &["name", "domain"],
            &[],
            Tenant,
            E,
        ),
        route(Method::POST, "/v1/keys", &["role"], &[], Tenant, E),
        route(Method::GET, "/v1/keys", &[], &[], Tenant, E),
        route(Method::DELETE, "/v1/keys/{key}", &[], &[], Tenant, E),
        route(
            Method::POST,
            "/v1/functions",
            FUNCTION_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(Method::GET, "/v1/functions", &[], &["scene"], Tenant, E),
        route(Method::GET, "/v1/functions/{func}", &[], &[], Tenant, E),
        route(
            Method::PATCH,
            "/v1/functions/{func}",
            FUNCTION_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(
            Method::POST,
            "/v1/functions/{func}/invoke",
            CALL_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(
            Method::GET,
            "/v1/functions/{func}/logs",
            &[],
            &["page", "limit", "outcome", "version"],
            Tenant,
            E,
        ),
        route(
            Method::GET,
            "/v1/functions/{func}/stats",
            &[],
            &[],
            Tenant,
            E,
        ),
        route(Method::POST, "/v1/compile", &["sourceCode"], &[], Tenant, E),
        route(
            Method::POST,
            "/v1/events",
            &["event", "data", "user"],
            &[],
            Tenant,
            E,
        ),
        route(Method::GET, "/v1/event-types", &[], &[], Tenant, E),
        route(
            Method::PUT,
            "/v1/event-types/10001",
            &["name"],
            &[],
            Tenant,
            E,
        ),
        route(Method::DELETE, "/v1/event-types/10001", &[], &[], Tenant, E),
        route(
            Method::GET,
            "/v1/deliveries",
            &[],
            &["status", "limit"],
            Tenant,
            E,
        ),
        route(Method::GET, "/v1/deliveries/nope", &[], &[], Tenant, E),
        route(
            Method::POST,
            "/v1/deliveries/nope/retry",
            &[],
            &[],
            Tenant,
            E,
        ),
        route(
            Method::POST,
            "/v1/functions/{func}/webhook-secrets",
            &[],
            &[],
            Tenant,
            E,
        ),
        route(
            Method::POST,
            "/v1/scenes/{scene}/run",
            CALL_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(
            Method::PUT,
            "/v1/scenes/{scene}/order",
            &["order"],
            &[],
            Tenant,
            E,
        ),
        route(
            Method::GET,
            "/v1/functions/{func}/secrets",
            &[],
            &[],
            Tenant,
            E,
        ),
        route(
            Method::PUT,
            "/v1/functions/{func}/secrets",
            &["API_KEY", "X"],
            &[],
            Tenant,
            E,
        ),
        route(Method::GET, "/v1/env", &[], &[], Tenant, E),
        route(Method::PUT, "/v1/env", &["A", "B_2", "X"], &[], Tenant, E),
        route(Method::GET, "/v1/env/{key}", &[], &[], Tenant, E),
        route(Method::PUT, "/v1/env/{key}", &["value"], &[], Tenant, E),
        route(Method::DELETE, "/v1/env/{key}", &[], &[], Tenant, E),
        route(Method::GET, "/v1/outbound", &[], &[], Tenant, E),
        route(Method::PUT, "/v1/outbound", &["allow"], &[], Tenant, E),
        route(
            Method::POST,
            "/v1/run",
            &[
                "sourceCode",
                "user",
                "context",
                "event",
                "timeout",
                "memoryLimitMb",
                "scene",
            ],
            &[],
            Tenant,
            E,
        ),
        route(Method::DELETE, "/v1/functions/{func}", &[], &[], Tenant, E),
        route(
            Method::POST,
            "/v1/connections",
            CONNECTION_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(Method::GET, "/v1/connections", &[], &[], Tenant, E),
        route(Method::GET, "/v1/connections/{conn}", &[], &[], Tenant, E),
        route(
            Method::PATCH,
            "/v1/connections/{conn}",
            CONNECTION_PATCH_FIELDS,
            &[],
            Tenant,
            E,
        ),
        route(
            Method::POST,
            "/v1/connections/{conn}/scripts/{script}/run",
            &["args"],
            &[],
            Tenant,
            E,
        ),
        route(
            Method::GET,
            "/v1/connections/{conn}/logs",
            &[],
            &["page", "limit"],
            Tenant,
            E,
        ),
        route(
            Method::DELETE,
            "/v1/connections/{conn}",
            &[],
            &[],
            Tenant,
            E,
        ),
    ]
}

/// The Authing V3 pipeline front.
fn authing_routes() -> Vec<Route> {
    use Cred::Tenant;
    use Style::Authing as A;
    let with_id: &'static [&'static str] = &[
        "funcId",
        "funcName",
        "scene",
        "sourceCode",
        "isAsynchronous",
        "timeout",
        "terminateOnTimeout",
        "enabled",
    ];
    vec![
        route(
            Method::POST,
            "/api/v3/create-pipeline-function",
            FUNCTION_FIELDS,
            &[],
            Tenant,
            A,
        ),
        route(
            Method::GET,
            "/api/v3/get-pipeline-function",
            &[],
            &["funcId"],
            Tenant,
            A,
        ),
        route(
            Method::POST,
            "/api/v3/reupload-pipeline-function",
            with_id,
            &[],
            Tenant,
            A,
        ),
        route(
            Method::POST,
            "/api/v3/update-pipeline-function",
            with_id,
            &[],
            Tenant,
            A,
        ),
        route(
            Method::POST,
            "/api/v3/update-pipeline-order",
            &["order", "scene"],
            &[],
            Tenant,
            A,
        ),
        route(
            Method::GET,
            "/api/v3/list-pipeline-functions",
            &[],
            &["scene"],
            Tenant,
            A,
        ),
        route(
            Method::GET,
            "/api/v3/get-pipeline-logs",
            &[],
            &["funcId", "page", "limit"],
            Tenant,
            A,
        ),
        route(
            Method::POST,
            "/api/v3/delete-pipeline-function",
            &["funcId"],
            &[],
            Tenant,
            A,
        ),
    ]
}

/// The Auth0 Management API v2 hooks front.
fn auth0_routes() -> Vec<Route> {
    use Cred::{None, Tenant};
    use Style::{Auth0 as Z, OAuth as O};
    let hook: &'static [&'static str] = &["name", "script", "triggerId", "enabled", "dependencies"];
    let list: &'static [&'static str] = &[
        "page",
        "per_page",
        "include_totals",
        "enabled",
        "fields",
        "include_fields",
        "triggerId",
    ];
    vec![
        route(
            Method::POST,
            "/oauth/token",
            &["client_id", "client_secret", "grant_type", "audience"],
            &[],
            None,
            O,
        ),
        route(Method::GET, "/api/v2/hooks", &[], list, Tenant, Z),
        route(Method::POST, "/api/v2/hooks", hook, &[], Tenant, Z),
        route(
            Method::GET,
            "/api/v2/hooks/{hook}",
            &[],
            &["fields", "include_fields"],
            Tenant,
            Z,
        ),
        route(Method::PATCH, "/api/v2/hooks/{hook}", hook, &[], Tenant, Z),
        route(
            Method::GET,
            "/api/v2/hooks/{hook}/secrets",
            &[],
            &[],
            Tenant,
            Z,
        ),
        route(
            Method::POST,
            "/api/v2/hooks/{hook}/secrets",
            &["API_KEY", "X"],
            &[],
            Tenant,
            Z,
        ),
        route(
            Method::PATCH,
            "/api/v2/hooks/{hook}/secrets",
            &["API_KEY", "X"],
            &[],
            Tenant,
            Z,
        ),
        route(
            Method::DELETE,
            "/api/v2/hooks/{hook}/secrets",
            &["API_KEY"],
            &[],
            Tenant,
            Z,
        ),
        route(Method::DELETE, "/api/v2/hooks/{hook}", &[], &[], Tenant, Z),
    ]
}

/// Sources a body may carry: ones that run, ones that do not compile, and
/// ones that fail at run time (none waits long: every case must be quick).
const SOURCES: &[&str] = &[
    "async function pipe(user, context, callback) { callback(null, user, context); }",
    "function (user, context, callback) { callback(null, user, context); }",
    "module.exports = function (user, context, cb) { cb(null, { user: {} }); };",
    "exports.handler = async (event) => ({ seen: event });",
    "async function pipe(user, context, callback) { callback(new Error('no ' + user.email)); }",
    "async function pipe(user, context, callback) { throw user; }",
    "async function pipe(u, c, cb) { JSON.stringify(u).length > 3 ? cb(null, u, c) : cb('short'); }",
    "function pipe( {",
    "",
    "require('fs')",
];

/// A database login script that answers whatever its arguments are.
const DB_LOGIN: &str = "function login(email, password, callback) { \
    if (password !== configuration.API_KEY) return callback(new WrongUsernameOrPasswordError(email)); \
    callback(null, { user_id: 'db|' + email, email: email }); }";

/// The fixtures a case can refer to: an app with one tenant, one deployed
/// function (a pipe), one hook and one database connection.
struct App {
    router: Router,
    token: String,
    func_id: String,
    hook_id: String,
    /// A database connection's name.
    conn: String,
    key_id: String,
    _background: Background,
}

async fn app() -> App {
    let secret = [7u8; 32];
    let store = Store::new(
        SledStore::open_temporary()
            .unwrap()
            .with_sealing_key(&hookbox_server::sealing_key(&secret)),
    );
    let service = Service::new(common::engine(), store.clone(), ServiceConfig::default());
    let background = service.start();
    let tenant = store.create_tenant(Some("fuzz"), "Fuzz").unwrap();
    let (key, _) = store.create_key(&tenant.id, Role::Admin).unwrap();
    let auth = Arc::new(Auth::new(&secret, Some(ADMIN_KEY)));
    let (token, _) = auth
        .issue(&key.access_key_id, &tenant.id, Role::Admin)
        .unwrap();
    let router = hookbox_server::app(AppState {
        service: service.clone(),
        auth,
    });
    let new = |scene: &str, source: &str| hookbox_service::NewFunction {
        func_name: format!("fuzz {scene}"),
        func_description: String::new(),
        scene: scene.into(),
        source_code: source.into(),
        url: None,
        events: Vec::new(),
        is_asynchronous: false,
        timeout: 3,
        terminate_on_timeout: false,
        enabled: true,
        memory_limit_mb: 64,
        dependencies: Default::default(),
        saved_by: None,
    };
    let func = service
        .deploy(&tenant.id, new("PRE_REGISTER", SOURCES[0]))
        .await
        .unwrap();
    let hook = service
        .deploy(&tenant.id, new("pre-user-registration", SOURCES[2]))
        .await
        .unwrap();
    let conn = service
        .create_connection(
            &tenant.id,
            hookbox_service::NewConnection {
                name: "fuzz-db".into(),
                scripts: [("login".to_string(), DB_LOGIN.to_string())].into(),
                configuration: [("API_KEY".to_string(), "fuzz-secret".to_string())].into(),
                timeout: Some(3),
            },
        )
        .await
        .unwrap();
    App {
        router,
        token,
        func_id: func.func_id,
        hook_id: hook.func_id,
        conn: conn.name,
        key_id: key.access_key_id,
        _background: background,
    }
}

/// What a field plausibly holds, so that cases get past the type checks into
/// the handlers' own rules; arbitrary JSON the rest of the time.
fn plausible(field: &str, app: &App, strict: bool) -> BoxedStrategy<Value> {
    let ids = vec![
        app.func_id.clone(),
        app.hook_id.clone(),
        "0123456789abcdef01234567".to_string(),
    ];
    let id = prop::sample::select(ids.clone()).prop_map(Value::String);
    let specific: BoxedStrategy<Value> = match field {
        "scene" | "triggerId" => prop_oneof![
            prop::sample::select(SCENES).prop_map(|s| json!(s)),
            prop::sample::select(TRIGGERS).prop_map(|s| json!(s)),
            values::string().prop_map(Value::String),
        ]
        .boxed(),
        "sourceCode" | "script" => prop::sample::select(SOURCES).prop_map(|s| json!(s)).boxed(),
        "timeout" => prop_oneof![
            3 => (1u64..=60).prop_map(|n| json!(n)),
            1 => (0u64..700).prop_map(|n| json!(n)),
            1 => values::number().prop_map(Value::Number),
        ]
        .boxed(),
        "memoryLimitMb" => prop_oneof![
            3 => (4u64..=512).prop_map(|n| json!(n)),
            1 => (0u64..700).prop_map(|n| json!(n)),
            1 => values::number().prop_map(Value::Number),
        ]
        .boxed(),
        "page" | "limit" | "per_page" => prop_oneof![
            (0u64..200).prop_map(|n| json!(n)),
            values::number().prop_map(Value::Number),
        ]
        .boxed(),
        "isAsynchronous" | "terminateOnTimeout" | "enabled" | "include_totals"
        | "include_fields" => any::<bool>().prop_map(Value::Bool).boxed(),
        "funcId" | "id" => id.boxed(),
        "client_id" | "accessKeyId" => prop_oneof![
            Just(json!(app.key_id.clone())),
            values::string().prop_map(Value::String),
        ]
        .boxed(),
        "funcName" | "name" | "funcDescription" => prop_oneof![
            3 => "[a-z][a-z0-9 ]{0,20}".prop_map(Value::String),
            1 => values::string().prop_map(Value::String),
        ]
        .boxed(),
        "value" | "A" | "B_2" | "API_KEY" | "X" => prop_oneof![
            3 => "[ -~]{0,30}".prop_map(Value::String),
            1 => values::json(1),
        ]
        .boxed(),
        "grant_type" => prop::sample::select(&["client_credentials", "password", ""][..])
            .prop_map(|s| json!(s))
            .boxed(),
        "order" => prop::collection::vec(prop::sample::select(ids), 0..4)
            .prop_map(|v| json!(v))
            .boxed(),
        "role" => prop::sample::select(&["admin", "invoke", "root", ""][..])
            .prop_map(|s| json!(s))
            .boxed(),
        "user" | "context" | "event" => values::object(3).boxed(),
        "scripts" => prop::collection::btree_map(
            prop_oneof![
                3 => prop::sample::select(&DATABASE_SCRIPTS[..]).prop_map(str::to_string),
                1 => values::string(),
            ],
            prop_oneof![
                2 => Just(json!(DB_LOGIN)),
                2 => prop::sample::select(SOURCES).prop_map(|s| json!(s)),
                1 => Just(Value::Null),
            ],
            0..3,
        )
        .prop_map(|m| json!(m))
        .boxed(),
        "configuration" => prop::collection::btree_map(
            prop_oneof![
                3 => "[A-Z_]{1,8}".prop_map(String::from),
                1 => values::string(),
            ],
            prop_oneof![
                3 => "[ -~]{0,30}".prop_map(Value::String),
                1 => Just(Value::Null),
            ],
            0..4,
        )
        .prop_map(|m| json!(m))
        .boxed(),
        "continue" => prop_oneof![3 => Just(json!(false)), 1 => Just(json!(true))].boxed(),
        "continueAt" => prop_oneof![Just(json!("nope")), Just(json!(7)), Just(Value::Null)].boxed(),
        "domain" => {
            prop::sample::select(&["acme.auth0.com", "https://acme.auth0.com", "a..b", ""][..])
                .prop_map(|s| json!(s))
                .boxed()
        }
        "args" => prop::collection::vec(values::json(2), 0..4)
            .prop_map(Value::Array)
            .boxed(),
        "allow" => prop::collection::vec(
            prop_oneof![
                prop::sample::select(
                    &[
                        "hooks.slack.com",
                        "*.larksuite.com",
                        "*",
                        "127.0.0.1",
                        "[::1]",
                        "10.0.0.1:8080",
                        "exa mple.com",
                        "",
                    ][..]
                )
                .prop_map(str::to_string),
                values::string(),
            ],
            0..4,
        )
        .prop_map(|v| json!(v))
        .boxed(),
        "dependencies" => prop_oneof![
            2 => Just(json!({})),
            1 => prop::collection::btree_map(
                prop::sample::select(&["querystring", "url", "lodash", ""][..])
                    .prop_map(str::to_string),
                prop::sample::select(&["*", "1.0.0", ""][..]).prop_map(str::to_string),
                0..3,
            )
            .prop_map(|m| json!(m)),
        ]
        .boxed(),
        _ => values::string().prop_map(Value::String).boxed(),
    };
    if strict {
        return valid(field, app).unwrap_or(specific);
    }
    prop_oneof![3 => specific, 1 => values::json(2)].boxed()
}

/// Values a field accepts, for the fields whose plausible values include
/// wrong ones: strict cases use these, to reach what happens after
/// validation (compiling, storing, running).
fn valid(field: &str, app: &App) -> Option<BoxedStrategy<Value>> {
    let s = match field {
        "scene" => prop::sample::select(SCENES).prop_map(|s| json!(s)).boxed(),
        "triggerId" => prop::sample::select(TRIGGERS)
            .prop_map(|s| json!(s))
            .boxed(),
        "sourceCode" | "script" => prop::sample::select(&SOURCES[..7])
            .prop_map(|s| json!(s))
            .boxed(),
        "timeout" => (1u64..=60).prop_map(|n| json!(n)).boxed(),
        "memoryLimitMb" => (4u64..=512).prop_map(|n| json!(n)).boxed(),
        "funcName" | "name" | "funcDescription" => {
            "[a-z][a-z0-9 ]{0,20}".prop_map(Value::String).boxed()
        }
        "dependencies" => Just(json!({})).boxed(),
        "scripts" => prop::sample::select(&DATABASE_SCRIPTS[..])
            .prop_map(|script| json!({ script: DB_LOGIN }))
            .boxed(),
        "configuration" => prop::collection::btree_map("[A-Z_]{1,8}", "[ -~]{0,30}", 0..4)
            .prop_map(|m| json!(m))
            .boxed(),
        "continue" => Just(json!(false)).boxed(),
        "continueAt" => Just(Value::Null).boxed(),
        "domain" => Just(json!("acme.auth0.com")).boxed(),
        "role" => prop::sample::select(&["admin", "invoke"][..])
            .prop_map(|s| json!(s))
            .boxed(),
        "grant_type" => Just(json!("client_credentials")).boxed(),
        "client_id" | "accessKeyId" => Just(json!(app.key_id.clone())).boxed(),
        _ => return None,
    };
    Some(s)
}

/// An object of some of the route's fields (with an unknown one now and
/// then): each field's value plausible for it, or (`strict` false) anything.
fn known_fields(route: &Route, app: &App, strict: bool) -> BoxedStrategy<Value> {
    if route.fields.is_empty() {
        values::object(2).boxed()
    } else {
        // Each field is there four times in five, so that a case often has
        // every required field and reaches the handler's own rules.
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = route
            .fields
            .iter()
            .map(|f| {
                prop::option::weighted(
                    if strict { 0.95 } else { 0.8 },
                    plausible(f, app, strict).prop_map(move |v| (f.to_string(), v)),
                )
                .boxed()
            })
            .collect();
        (
            fields,
            prop::option::weighted(0.2, (values::string(), values::json(1))),
        )
            .prop_map(|(pairs, extra)| {
                let mut object: serde_json::Map<String, Value> =
                    pairs.into_iter().flatten().collect();
                if let Some((k, v)) = extra {
                    object.insert(k, v);
                }
                Value::Object(object)
            })
            .boxed()
    }
}

/// A body: mostly an object of the route's fields, or any JSON, raw bytes,
/// deep nesting, nothing.
fn body(route: &Route, app: &App) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        4 => known_fields(route, app, true).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        4 => known_fields(route, app, false).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => values::json(4).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => (1usize..20_000, prop::bool::ANY).prop_map(|(depth, array)| {
            let (open, close) = if array { ("[", "]") } else { ("{\"a\":", "}") };
            let mut s = open.repeat(depth);
            s.push('1');
            s.push_str(&close.repeat(depth));
            s.into_bytes()
        }),
        1 => Just(Vec::new()),
    ]
    .boxed()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path parameter: the fixture, another plausible value, or any text.
fn param(known: Vec<String>) -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(known),
        1 => values::string(),
    ]
    .boxed()
}

/// One generated request.
#[derive(Debug, Clone)]
struct Case {
    path: String,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    /// Whether to send the route's credential (else none or garbage).
    credential: Option<&'static str>,
}

/// Content types that say JSON (or say nothing), and ones that do not.
const JSON_TYPES: &[Option<&str>] = &[
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    None,
    Some("application/vnd.api+json"),
];
const OTHER_TYPES: &[Option<&str>] = &[
    Some("text/plain"),
    Some("application/jsonx"),
    Some("application/x-www-form-urlencoded"),
];

fn case(route: &Route, app: &App) -> impl Strategy<Value = Case> + use<> {
    let func = param(vec![app.func_id.clone(), "0123456789abcdef01234567".into()]);
    let hook = param(vec![app.hook_id.clone(), app.func_id.clone()]);
    let scene = param(
        SCENES
            .iter()
            .chain(TRIGGERS)
            .map(|s| s.to_string())
            .collect(),
    );
    let key = param(
        ["A", "B_2", "PATH", "bad key", "a.b", "1X"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    let query_pairs = prop::collection::vec(
        (
            prop_oneof![
                3 => prop::sample::select(if route.query.is_empty() {
                    vec!["x"]
                } else {
                    route.query.to_vec()
                })
                .prop_map(str::to_string),
                1 => values::string(),
            ],
            prop_oneof![
                2 => prop::sample::select(
                    &["0", "1", "-1", "100", "101", "18446744073709551616", "true", "x", ""][..]
                )
                .prop_map(str::to_string),
                1 => values::string(),
            ],
        ),
        if route.query.is_empty() { 0..1 } else { 0..4 },
    );
    let conn = param(vec![app.conn.clone(), "nobody".into()]);
    // Mostly the fixture's one script, so that runs get past the 404.
    let script = param(
        ["login"; 6]
            .iter()
            .chain(DATABASE_SCRIPTS.iter())
            .map(|s| s.to_string())
            .collect(),
    );
    let template = route.path;
    let cred = route.cred;
    (
        func,
        hook,
        scene,
        key,
        (conn, script),
        query_pairs,
        body(route, app),
        prop_oneof![
            5 => prop::sample::select(JSON_TYPES),
            1 => prop::sample::select(OTHER_TYPES),
        ],
        prop::sample::select(&[true, true, true, true, true, true, false][..]),
    )
        .prop_map(
            move |(
                func,
                hook,
                scene,
                key,
                (conn, script),
                query,
                body,
                content_type,
                with_cred,
            )| {
                let mut path = template
                    .replace("{func}", &encode(&func))
                    .replace("{hook}", &encode(&hook))
                    .replace("{scene}", &encode(&scene))
                    .replace("{key}", &encode(&key))
                    .replace("{conn}", &encode(&conn))
                    .replace("{script}", &encode(&script));
                if !query.is_empty() {
                    let q: Vec<String> = query
                        .iter()
                        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                        .collect();
                    path = format!("{path}?{}", q.join("&"));
                }
                let credential = match (with_cred, cred) {
                    (false, _) => Some("Bearer not-a-token"),
                    (true, Cred::None) => None,
                    (true, Cred::ServerAdmin) => Some("admin"),
                    (true, Cred::Tenant) => Some("tenant"),
                };
                Case {
                    path,
                    body,
                    content_type,
                    credential,
                }
            },
        )
}

/// Sends one case and checks the answer's status and shape; counts the
/// statuses seen in `tally` (printed per route, to judge what the cases reach).
async fn check(
    route: &Route,
    app: &App,
    case: Case,
    tally: &std::sync::Mutex<std::collections::BTreeMap<u16, u32>>,
) -> Result<(), TestCaseError> {
    let mut req = Request::builder()
        .method(route.method.clone())
        .uri(&case.path);
    if let Some(ct) = case.content_type {
        req = req.header("content-type", ct);
    }
    match case.credential {
        Some("tenant") => req = req.header("authorization", format!("Bearer {}", app.token)),
        Some("admin") => req = req.header("authorization", format!("Bearer {ADMIN_KEY}")),
        Some(other) => req = req.header("authorization", other),
        None => {}
    }
    let req = req.body(Body::from(case.body.clone())).unwrap();
    let response = app.router.clone().oneshot(req).await.unwrap();
    *tally
        .lock()
        .unwrap()
        .entry(response.status().as_u16())
        .or_default() += 1;
    answer_is_documented(route.style, &route.method, &case.path, response).await
}

/// A 2xx or 4xx (never 5xx) in the route's documented shape.
async fn answer_is_documented(
    style: Style,
    method: &Method,
    path: &str,
    response: axum::response::Response,
) -> Result<(), TestCaseError> {
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let shown: String = text.chars().take(600).collect();
    let what = format!("{method} {path}: {status} {shown}");
    prop_assert!(
        status.is_success() || status.is_client_error(),
        "not a 2xx or 4xx: {what}"
    );
    if status == StatusCode::NO_CONTENT {
        prop_assert!(bytes.is_empty(), "a 204 with a body: {what}");
        return Ok(());
    }
    if style == Style::Auth0 && status.is_success() && bytes.is_empty() {
        // Auth0's secret writes answer 201 with nothing, and its deletes 204.
        return Ok(());
    }
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {what}")))?;
    let failed = !status.is_success();
    match style {
        Style::Envelope | Style::Authing => {
            let code = body["statusCode"].as_u64();
            prop_assert!(code.is_some(), "no statusCode: {what}");
            let code = code.unwrap();
            if style == Style::Envelope {
                prop_assert_eq!(code, u64::from(status.as_u16()), "{}", what);
            } else {
                prop_assert_eq!(status, StatusCode::OK, "{}", what);
                prop_assert!(code < 500, "statusCode {} in the body: {}", code, what);
            }
            prop_assert!(body["message"].is_string(), "no message: {what}");
            prop_assert!(
                body["requestId"].as_str().is_some_and(|id| !id.is_empty()),
                "no requestId: {what}"
            );
            if code != 200 {
                prop_assert!(body["apiCode"].is_u64(), "an error without apiCode: {what}");
                prop_assert!(
                    !body["message"].as_str().unwrap_or("").is_empty(),
                    "an error without a message: {what}"
                );
            } else {
                prop_assert!(body.get("data").is_some(), "no data: {what}");
            }
        }
        Style::Auth0 if failed => {
            prop_assert_eq!(
                body["statusCode"].as_u64(),
                Some(u64::from(status.as_u16())),
                "{}",
                what
            );
            for field in ["error", "message", "errorCode"] {
                prop_assert!(body[field].is_string(), "no {field}: {what}");
            }
        }
        Style::OAuth if failed => {
            for field in ["error", "error_description"] {
                prop_assert!(body[field].is_string(), "no {field}: {what}");
            }
        }
        Style::Auth0 | Style::OAuth => {}
    }
    Ok(())
}

/// Runs each route's property against an app of its own, so that what one
/// route's cases create (functions, tenants, logs) does not slow the next.
fn fuzz_routes(routes: Vec<Route>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for route in &routes {
        let app = rt.block_on(app());
        let tally = Default::default();
        let result = super::runner().run(&case(route, &app), |case| {
            rt.block_on(check(route, &app, case, &tally))
        });
        if let Err(e) = result {
            panic!("{} {}: {e}", route.method, route.path);
        }
        eprintln!(
            "{} {}: {:?}",
            route.method,
            route.path,
            tally.lock().unwrap()
        );
    }
}

#[test]
fn fuzz_native_routes_answer_2xx_or_4xx_in_the_envelope() {
    fuzz_routes(native_routes());
}

#[test]
fn fuzz_authing_routes_answer_in_the_authing_envelope() {
    fuzz_routes(authing_routes());
}

#[test]
fn fuzz_auth0_routes_answer_in_auth0_errors() {
    fuzz_routes(auth0_routes());
}

/// A signed Authing request (`authorization: authing <keyId>:<signature>`):
/// the verifier reads the date, the nonce, the signature and the body
/// before it can refuse, and must refuse whatever it is given without
/// failing.
#[test]
fn fuzz_signed_authing_requests_are_refused_cleanly() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(app());
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    let routes = authing_routes();
    let strategy = (
        0..routes.len(),
        prop_oneof![Just(app.key_id.clone()), values::string()],
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..32)
                .prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            values::string(),
        ],
        prop_oneof![
            3 => Just(Some(now)),
            1 => values::string().prop_map(Some),
            1 => Just(None),
        ],
        prop::option::of(values::string()),
        prop::option::of(prop::sample::select(
            &["HMAC-SHA1", "hmac-sha1", "HMAC-SHA256", ""][..],
        )),
        values::json(3),
    );
    let result = super::runner().run(
        &strategy,
        |(route, key_id, signature, date, nonce, method, body)| {
            let route = &routes[route];
            let mut req = Request::builder()
                .method(route.method.clone())
                .uri(route.path)
                .header("content-type", "application/json");
            // Header values must be visible ASCII; other text goes in encoded.
            let header = |s: String| {
                s.chars()
                    .filter(|c| (' '..='~').contains(c))
                    .collect::<String>()
            };
            req = req.header(
                "authorization",
                header(format!("authing {key_id}:{signature}")),
            );
            if let Some(date) = date {
                req = req.header("date", header(date));
            }
            if let Some(nonce) = nonce {
                req = req.header("x-authing-signature-nonce", header(nonce));
            }
            if let Some(method) = method {
                req = req.header("x-authing-signature-method", method);
            }
            let req = req
                .body(Body::from(serde_json::to_vec(&body).unwrap()))
                .unwrap();
            rt.block_on(async {
                let response = app.router.clone().oneshot(req).await.unwrap();
                answer_is_documented(Style::Authing, &route.method, route.path, response).await
            })
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The tricky strings are all valid in a path once encoded (a sanity check
/// of the generator, so that cases are not all refused by the URI parser).
#[test]
fn fuzz_paths_are_valid_uris() {
    for s in TRICKY_STRINGS {
        let path = format!("/v1/env/{}", encode(s));
        assert!(path.parse::<axum::http::Uri>().is_ok(), "{path}");
    }
}
