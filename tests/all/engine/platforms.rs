//! The other conventions of the source platforms in the engine: Auth0's
//! custom database scripts, Hooks as Webtask runs them, the rules' `auth0`
//! global, FunctionGraph's `context`, Authing's built-ins, and values that
//! keep their key order.

use crate::common::*;
use hookbox_engine::{CallMeta, Input, OutcomeKind};
use serde_json::{Value, json};

fn script_input(args: Value) -> Input {
    Input {
        args: Some(serde_json::from_value(args).unwrap()),
        script: Some("login".into()),
        ..Input::default()
    }
}

/// The issue's database script: a wrong password is the Auth0 error class.
const LOGIN: &str = r#"
function login(email, password, callback) {
  if (password !== 'correct horse') return callback(new WrongUsernameOrPasswordError(email));
  callback(null, { user_id: 'db|42', email: email, email_verified: true });
}
"#;

#[tokio::test]
async fn a_database_script_gets_its_arguments_and_calls_back_a_profile() {
    let out = run(
        LOGIN,
        &script_input(json!(["ada@example.com", "correct horse"])),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.result,
        json!({"user_id": "db|42", "email": "ada@example.com", "email_verified": true})
    );

    let out = run(LOGIN, &script_input(json!(["ada@example.com", "nope"]))).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    let error = out.error.unwrap();
    assert_eq!(error.name, "WrongUsernameOrPasswordError");
    assert_eq!(error.fields["user_id"], "ada@example.com");
}

#[tokio::test]
async fn a_database_slot_holding_an_action_or_a_handler_is_an_entry_point_error() {
    for (source, what) in [
        (
            "exports.onExecutePostLogin = async () => {};",
            "not an Auth0 Action",
        ),
        ("exports.handler = async () => 'ran';", "not a handler"),
    ] {
        let mut input = script_input(json!(["ada@example.com"]));
        input.script = Some("create".into());
        let out = run(source, &input).await;
        assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
        let error = out.error.unwrap();
        assert_eq!(error.name, "EntryPointError");
        assert!(
            error
                .message
                .starts_with("a database script is `function create(…, callback)`")
                && error.message.contains(what),
            "{}",
            error.message
        );
    }
}

#[tokio::test]
async fn database_scripts_with_helpers_pick_the_scripts_function_by_name() {
    let source = r#"
const USERS = { 'ada@example.com': { user_id: 'db|1', email: 'ada@example.com' } };
function find(email) { return USERS[email]; }
function getByEmail(email, callback) { callback(null, find(email)); }
"#;
    let mut input = script_input(json!(["ada@example.com"]));
    input.script = Some("get_user".into());
    let out = run(source, &input).await;
    assert_eq!(out.result["user_id"], "db|1", "{out:?}");
    // Not found: callback(null) with no profile.
    input.args = Some(vec![json!("eve@example.com")]);
    let out = run(source, &input).await;
    assert_eq!((out.outcome, &out.result), (OutcomeKind::Ok, &Value::Null));
}

#[tokio::test]
async fn database_script_errors_keep_their_classes_and_a_missing_callback_is_named() {
    let source = r#"
function create(user, callback) {
  if (user.email === 'taken@example.com') return callback(new ValidationError('user_exists', 'the user already exists'));
  if (user.email === 'admin@example.com') return callback(new UnauthorizedError('not here'));
  if (user.email === 'silent@example.com') return;
  callback();
}
"#;
    let mut input = script_input(json!([{"email": "taken@example.com"}]));
    input.script = Some("create".into());
    let out = run(source, &input).await;
    let error = out.error.unwrap();
    assert_eq!(
        (
            error.name.as_str(),
            error.code.as_deref(),
            error.message.as_str()
        ),
        (
            "ValidationError",
            Some("user_exists"),
            "the user already exists"
        )
    );
    input.args = Some(vec![json!({"email": "admin@example.com"})]);
    assert_eq!(
        run(source, &input).await.error.unwrap().name,
        "UnauthorizedError"
    );
    input.args = Some(vec![json!({"email": "silent@example.com"})]);
    assert_eq!(
        run(source, &input).await.outcome,
        OutcomeKind::CallbackNotCalled
    );
    input.args = Some(vec![json!({"email": "new@example.com"})]);
    let out = run(source, &input).await;
    assert_eq!((out.outcome, &out.result), (OutcomeKind::Ok, &Value::Null));
}

#[tokio::test]
async fn a_database_scripts_configuration_replaces_the_tenant_env() {
    let source = "function login(u, p, cb) { cb(null, { key: configuration.API_KEY, env: typeof env.API_KEY }); }";
    let mut input = script_input(json!(["a", "b"]));
    input.configuration = Some([("API_KEY".to_string(), "conn".to_string())].into());
    input.env.insert("OTHER".into(), "x".into());
    let out = run(source, &input).await;
    assert_eq!(out.result, json!({"key": "conn", "env": "undefined"}));
}

#[tokio::test]
async fn hooks_get_an_empty_response_and_their_error_classes() {
    let out = run(
        "module.exports = function (user, context, cb) { cb(); };",
        &input(json!({}), json!({})),
    )
    .await;
    assert_eq!((out.outcome, &out.result), (OutcomeKind::Ok, &json!({})));

    let out = run(
        "module.exports = function (user, context, cb) { cb(new PreUserRegistrationError('closed', 'Sign-ups are closed')); };",
        &input(json!({}), json!({})),
    )
    .await;
    let error = out.error.unwrap();
    assert_eq!(
        (error.name.as_str(), error.message.as_str()),
        ("PreUserRegistrationError", "closed")
    );
    assert_eq!(error.fields["friendlyMessage"], "Sign-ups are closed");

    for (class, code) in [
        ("InvalidRequestError", "invalid_request"),
        ("InvalidScopeError", "invalid_scope"),
        ("ServerError", "server_error"),
    ] {
        let source = format!(
            "module.exports = function (client, scope, audience, context, cb) {{ cb(new {class}('no')); }};"
        );
        let mut input = input(json!({}), json!({}));
        input.args = Some(vec![json!({}), json!([]), json!("aud"), json!({})]);
        let error = run(&source, &input).await.error.unwrap();
        assert_eq!(
            (error.name.as_str(), error.code.as_deref()),
            (class, Some(code))
        );
    }
}

#[tokio::test]
async fn a_rules_auth0_global_records_metadata_updates() {
    let source = r#"
function (user, context, callback) {
  user.app_metadata = user.app_metadata || {};
  user.app_metadata.logins = (user.app_metadata.logins || 0) + 1;
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () { callback(null, user, context); })
    .catch(callback);
}
"#;
    let out = run(
        source,
        &input(
            json!({"user_id": "auth0|1", "app_metadata": {"logins": 4}}),
            json!({}),
        ),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.metadata.app_metadata["logins"], 5);
    assert!(out.metadata.user_metadata.is_empty());

    let domain = "function (u, c, cb) { u.where = [auth0.domain, auth0.baseUrl]; cb(null, u, c); }";
    let mut with_domain = input(json!({}), json!({}));
    with_domain.meta = Some(CallMeta {
        domain: Some("acme.example.com".into()),
        ..CallMeta::default()
    });
    let out = run(domain, &with_domain).await;
    assert_eq!(
        out.user["where"],
        json!(["acme.example.com", "https://acme.example.com/api/v2"])
    );
}

#[tokio::test]
async fn functiongraph_context_methods_answer_from_the_call() {
    let source = r#"
exports.handler = async (event, context) => {
  context.getLogger().info('mode', context.getUserData('MODE'));
  return {
    id: context.getRequestID(), name: context.getFunctionName(), version: context.getVersion(),
    memory: context.getMemorySize(), timeout: context.getRunningTimeInSeconds(),
    left: context.getRemainingTimeInMilliSeconds() > 0, data: context.passed,
  };
};
"#;
    let mut input = input(json!({}), json!({"passed": 1}));
    input.env.insert("MODE".into(), "strict".into());
    input.meta = Some(CallMeta {
        request_id: "req-1".into(),
        function_name: "authz".into(),
        function_version: "3".into(),
        memory_mb: 64,
        timeout_ms: 5000,
        tenant_id: "acme".into(),
        domain: None,
    });
    let out = run(source, &input).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.result,
        json!({"id": "req-1", "name": "authz", "version": "3", "memory": 64, "timeout": 5,
               "left": true, "data": 1})
    );
    assert_eq!(out.logs[0].message, "mode strict");

    let out = run(
        "exports.handler = async (e, context) => context.getSecurityToken();",
        &input,
    )
    .await;
    assert!(
        out.error.unwrap().message.contains("getSecurityToken"),
        "a credential hookbox does not have is named"
    );
}

#[tokio::test]
async fn authing_ip_range_spans_the_axios_global_and_log() {
    let source = r#"
async function pipe(user, context, callback) {
  const utils = require('./utils');
  log('checking', context.ip);
  user.inSpan = utils.ipRangeCheck(context.ip, ['10.1.0.0', '10.1.255.255']);
  user.outside = utils.ipRangeCheck('10.2.0.1', ['10.1.0.0', '10.1.255.255']);
  user.list = utils.ipRangeCheck('192.168.1.1', ['10.0.0.0/8', '192.168.0.0/16']);
  user.axios = typeof axios.get;
  callback(null, user, context);
}
"#;
    let out = run(source, &input(json!({}), json!({"ip": "10.1.2.3"}))).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.user,
        json!({"inSpan": true, "outside": false, "list": true, "axios": "function"})
    );
    assert_eq!(out.logs[0].message, "checking 10.1.2.3");
}

#[tokio::test]
async fn authings_two_parameter_pipe_gets_the_context() {
    let source = "async function pipe(context, callback) { context.checked = true; callback(null, context); }";
    let out = run(source, &input(json!({"a": 1}), json!({"b": 2}))).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.context, json!({"b": 2, "checked": true}));
    assert_eq!(out.user, json!({"a": 1}));
}

#[tokio::test]
async fn objects_keep_their_key_order_in_and_out() {
    let source = r#"
function pipe(user, context, callback) {
  user.addIdToken('z', 1).addIdToken('a', 2);
  user.keys = Object.keys(user).join(',');
  callback(null, user, context);
}
"#;
    let user: Value = serde_json::from_str(r#"{"zeta": 1, "alpha": 2}"#).unwrap();
    let out = run(source, &input(user, json!({}))).await;
    assert_eq!(out.user["keys"], "zeta,alpha");
    assert_eq!(
        serde_json::to_string(&out.user).unwrap(),
        r#"{"zeta":1,"alpha":2,"keys":"zeta,alpha"}"#
    );
    assert_eq!(
        serde_json::to_string(&out.tokens.id_token).unwrap(),
        r#"{"z":1,"a":2}"#
    );
}

/// The cost of the commonest call, in fuel (deterministic for a given
/// plugin): a trivial `pipe` must not pay for the conventions added beside
/// it. 150,001 before Actions and database scripts existed.
#[tokio::test]
async fn a_trivial_pipe_costs_no_more_fuel_than_before() {
    let out = run(
        "async function pipe(user, context, callback) { callback(null, user, context); }",
        &input(json!({"a": 1}), json!({})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok);
    assert!(
        out.fuel_used <= TRIVIAL_PIPE_FUEL,
        "a trivial pipe used {} fuel, more than {TRIVIAL_PIPE_FUEL}",
        out.fuel_used
    );
}

const TRIVIAL_PIPE_FUEL: u64 = 150_001;

#[tokio::test]
async fn a_rule_can_update_only_the_user_logging_in() {
    let source = r#"
function (user, context, callback) {
  auth0.users.updateAppMetadata('auth0|other', { plan: 'free' })
    .then(function () { callback(null, user, context); })
    .catch(callback);
}
"#;
    let out = run(source, &input(json!({"user_id": "auth0|1"}), json!({}))).await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    assert!(
        out.error
            .unwrap()
            .message
            .contains("can only update the user logging in"),
    );
    assert!(out.metadata.app_metadata.is_empty(), "nothing recorded");
}

#[tokio::test]
async fn a_database_script_given_too_few_arguments_still_gets_its_callback() {
    let source = "function getByEmail(email, callback) { callback(null, { email: email === undefined ? 'none' : email }); }";
    let mut input = script_input(json!([]));
    input.script = Some("get_user".into());
    let out = run(source, &input).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.result, json!({"email": "none"}));
}
