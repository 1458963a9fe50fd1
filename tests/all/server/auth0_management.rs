//! The Auth0 Management API fronts for Actions and database connections,
//! through a real server, beyond what the npm SDK tests drive: the refusals
//! (each a 400 naming the field, nothing stored), how an Action that was
//! never deployed is kept from running through the native API, and how
//! Actions, hooks and native functions keep apart.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

const GOOD: &str = "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('k', event.secrets.K);\n};";

async fn create_action(server: &Server, token: &str, name: &str) -> Value {
    let body = json!({"name": name, "supported_triggers": [{"id": "post-login"}], "code": GOOD,
                      "secrets": [{"name": "K", "value": "secret-value-1"}]});
    let (status, answer) = server
        .call(Method::POST, "/api/v2/actions/actions", token, Some(body))
        .await;
    assert_eq!(status, 201, "{answer}");
    answer
}

/// `(status, message)` of a refused request, in Auth0's error shape.
async fn refused(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let (status, answer) = server.call(method, path, token, body).await;
    let status = status.as_u16();
    assert_eq!(answer["statusCode"], status, "Auth0's shape: {answer}");
    (
        status,
        answer["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn an_action_never_deployed_cannot_run_by_any_door() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let action = create_action(&server, &token, "plan").await;
    let id = action["id"].as_str().unwrap();
    let path = format!("/v1/functions/{id}");

    let (status, answer) = server
        .call(Method::PATCH, &path, &token, Some(json!({"enabled": true})))
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("enabled: the function has no deployed version yet"),
        "{answer}"
    );
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("{path}/invoke"),
            &token,
            Some(json!({"user": {}})),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("{path}/versions/1/deploy"),
            &token,
            Some(json!({"percent": 10})),
        )
        .await;
    assert_eq!(
        status, 409,
        "a gradual deployment needs a deployed version: {answer}"
    );
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/post-login/run",
            &token,
            Some(json!({"user": {"user_id": "u"}, "context": {}})),
        )
        .await;
    assert_eq!(run["data"]["steps"], json!([]), "{run}");

    // The draft can be tested: it runs with the Action's secret.
    let (status, tested) = server
        .call(
            Method::POST,
            &format!("/api/v2/actions/actions/{id}/test"),
            &token,
            Some(json!({"payload": {"user": {"user_id": "u"}}})),
        )
        .await;
    assert_eq!(status, 200, "{tested}");
    assert_eq!(
        tested["payload"]["tokens"]["idToken"]["k"], "secret-value-1",
        "{tested}"
    );

    // A native deploy of version 1 makes it runnable; enabling binds it.
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("{path}/versions/1/deploy"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server
        .call(Method::PATCH, &path, &token, Some(json!({"enabled": true})))
        .await;
    assert_eq!(status, 200, "{answer}");
    let (_, bindings) = server
        .call(
            Method::GET,
            "/api/v2/actions/triggers/post-login/bindings",
            &token,
            None,
        )
        .await;
    assert_eq!(bindings["total"], 1, "{bindings}");
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/post-login/run",
            &token,
            Some(json!({"user": {"user_id": "u"}, "context": {}})),
        )
        .await;
    assert_eq!(
        run["data"]["tokens"]["idToken"]["k"], "secret-value-1",
        "{run}"
    );
}

#[tokio::test]
async fn actions_hooks_and_functions_keep_apart_and_names_are_unique_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    // A hook of a trigger both Actions and hooks have, with the same name.
    let hook = json!({"name": "same", "triggerId": "pre-user-registration", "script":
        "module.exports = function (user, context, cb) { cb(); };"});
    let (status, answer) = server
        .call(Method::POST, "/api/v2/hooks", &token, Some(hook))
        .await;
    assert_eq!(status, 201, "{answer}");
    let hook_id = answer["id"].as_str().unwrap().to_string();
    let body = json!({"name": "same", "supported_triggers": [{"id": "pre-user-registration"}],
                      "code": "exports.onExecutePreUserRegistration = async () => {};"});
    let (status, answer) = server
        .call(
            Method::POST,
            "/api/v2/actions/actions",
            &token,
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        status, 201,
        "a hook's name does not bind an Action: {answer}"
    );
    let action_id = answer["id"].as_str().unwrap().to_string();
    let (status, answer) = server
        .call(Method::POST, "/api/v2/actions/actions", &token, Some(body))
        .await;
    assert_eq!(
        (status.as_u16(), &answer["errorCode"]),
        (409, &json!("action_conflict")),
        "{answer}"
    );

    let (_, hooks) = server
        .call(Method::GET, "/api/v2/hooks", &token, None)
        .await;
    let hook_ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(hook_ids, [hook_id.as_str()], "no Action among hooks");
    let (_, actions) = server
        .call(Method::GET, "/api/v2/actions/actions", &token, None)
        .await;
    let action_ids: Vec<&str> = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(action_ids, [action_id.as_str()], "no hook among Actions");
    for (path, other) in [
        (format!("/api/v2/hooks/{action_id}"), "hook"),
        (format!("/api/v2/actions/actions/{hook_id}"), "action"),
    ] {
        let (status, answer) = server.call(Method::GET, &path, &token, None).await;
        assert_eq!(status, 404, "{path}: not a {other}: {answer}");
    }
    let native = server.deploy_id(&token, "plain", "post-login", GOOD).await;
    let (status, _) = server
        .call(
            Method::GET,
            &format!("/api/v2/actions/actions/{native}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404, "a native function is not an Action");
}

#[tokio::test]
async fn bad_actions_requests_are_refused_naming_the_field_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let action = create_action(&server, &token, "plan").await;
    let id = action["id"].as_str().unwrap();
    let (_, before) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    let create = |extra: Value| {
        let mut body =
            json!({"name": "x", "supported_triggers": [{"id": "post-login"}], "code": GOOD});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let actions = "/api/v2/actions/actions";
    let one = format!("{actions}/{id}");
    let cases: Vec<(Method, String, Option<Value>, u16, &str)> = vec![
        (
            Method::POST,
            actions.into(),
            Some(create(json!({"color": 1}))),
            400,
            "color",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(json!({"supported_triggers": []}))),
            400,
            "supported_triggers: an action supports exactly one trigger, got 0",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"supported_triggers": [{"id": "PRE_REGISTER"}]}),
            )),
            400,
            "supported_triggers[0].id: \"PRE_REGISTER\" is not a trigger",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"supported_triggers": [{"id": "post-login", "version": "v1"}]}),
            )),
            400,
            "supported_triggers[0].version: hookbox runs post-login at v3",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(json!({"runtime": "node18"}))),
            400,
            "runtime: hookbox runs actions on the Node 20 surface",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"dependencies": [{"name": "lodash", "version": "4.17.21", "registry_url": "https://r.example"}]}),
            )),
            400,
            "dependencies[0].registry_url",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"dependencies": [{"name": "uuid", "version": "9"}, {"name": "uuid", "version": "8"}]}),
            )),
            400,
            "dependencies: \"uuid\" is listed twice",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(json!({"secrets": [{"name": "A"}]}))),
            400,
            "secrets: \"A\" has no value",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(json!({"secrets": [{"name": "a b", "value": "v"}]}))),
            400,
            "secrets",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"code": "exports.onExecutePostLogin = async () => {\n  const = 1;\n};"}),
            )),
            400,
            "code: ",
        ),
        (
            Method::GET,
            format!("{actions}?per_page=0"),
            None,
            400,
            "per_page must be from 1 to 100",
        ),
        (
            Method::GET,
            format!("{actions}?triggerId=nope"),
            None,
            400,
            "triggerId[0].id",
        ),
        (
            Method::PATCH,
            one.clone(),
            Some(json!({"supported_triggers": [{"id": "credentials-exchange"}]})),
            400,
            "supported_triggers: an action's trigger cannot change",
        ),
        (
            Method::PATCH,
            one.clone(),
            Some(
                json!({"code": "exports.onExecutePostLogin = 1;", "secrets": [{"name": "bad name", "value": "v"}]}),
            ),
            400,
            "secrets",
        ),
        (
            Method::POST,
            format!("{one}/test"),
            Some(json!({"payload": [1]})),
            400,
            "payload: must be an object",
        ),
        (
            Method::POST,
            format!("{one}/versions/nope/deploy"),
            None,
            404,
            "The action version does not exist.",
        ),
        (
            Method::GET,
            format!("{actions}/nope"),
            None,
            404,
            "The action does not exist.",
        ),
        (
            Method::GET,
            "/api/v2/actions/triggers/nope/bindings".into(),
            None,
            404,
            "The trigger \"nope\" does not exist",
        ),
        (
            Method::PATCH,
            "/api/v2/actions/triggers/post-login/bindings".into(),
            Some(json!({"bindings": [{"ref": {"type": "action_key", "value": id}}]})),
            400,
            "bindings[0].ref.type: one of action_id, action_name, binding_id",
        ),
        (
            Method::PATCH,
            "/api/v2/actions/triggers/post-login/bindings".into(),
            Some(json!({"bindings": [{"ref": {"type": "action_name", "value": "nobody"}}]})),
            400,
            "bindings[0].ref: no action of the post-login trigger has action_name \"nobody\"",
        ),
        (
            Method::PATCH,
            "/api/v2/actions/triggers/credentials-exchange/bindings".into(),
            Some(json!({"bindings": [{"ref": {"type": "action_id", "value": id}}]})),
            400,
            "no action of the credentials-exchange trigger",
        ),
        (
            Method::PATCH,
            "/api/v2/actions/triggers/post-login/bindings".into(),
            Some(
                json!({"bindings": [{"ref": {"type": "action_id", "value": id}, "secrets": [{"name": "A", "value": "b"}]}]}),
            ),
            400,
            "bindings[0].secrets",
        ),
        (
            Method::GET,
            "/api/v2/actions/executions/nope".into(),
            None,
            404,
            "The execution does not exist.",
        ),
        (
            Method::GET,
            format!("{actions}?color=red"),
            None,
            400,
            "color",
        ),
        (
            Method::GET,
            "/api/v2/hooks?color=red".into(),
            None,
            400,
            "color",
        ),
        (
            Method::GET,
            "/api/v2/connections?color=red".into(),
            None,
            400,
            "color",
        ),
        (
            Method::POST,
            actions.into(),
            Some(create(
                json!({"supported_triggers": [{"id": "post-login", "color": 1}]}),
            )),
            400,
            "color",
        ),
    ];
    for (method, path, body, status, message) in cases {
        let (got, text) = refused(&server, &token, method.clone(), &path, body).await;
        assert_eq!(got, status, "{method} {path}: {text}");
        assert!(
            text.contains(message),
            "{method} {path}: {text:?} lacks {message:?}"
        );
    }
    let (_, after) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(
        before["data"], after["data"],
        "the refused requests stored nothing"
    );
    // The refused PATCH (its secret) left the code and the secrets alone.
    let (_, got) = server.call(Method::GET, &one, &token, None).await;
    assert_eq!(
        (got["code"].as_str(), &got["secrets"]),
        (Some(GOOD), &json!([{"name": "K"}]))
    );
    // Binding what was never deployed, then binding twice.
    let never = json!({"bindings": [{"ref": {"type": "action_id", "value": id}}]});
    let (status, text) = refused(
        &server,
        &token,
        Method::PATCH,
        "/api/v2/actions/triggers/post-login/bindings",
        Some(never),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("deploy it before binding it"), "{text}");
    let (status, _) = server
        .call(Method::POST, &format!("{one}/deploy"), &token, None)
        .await;
    assert_eq!(status, 202);
    let twice = json!({"bindings": [{"ref": {"type": "action_id", "value": id}}, {"ref": {"type": "action_name", "value": "plan"}}]});
    let (status, text) = refused(
        &server,
        &token,
        Method::PATCH,
        "/api/v2/actions/triggers/post-login/bindings",
        Some(twice),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("is bound twice"), "{text}");
}

#[tokio::test]
async fn bad_connection_requests_are_refused_naming_the_field_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let login = "function login(email, password, callback) { callback(null, { user_id: email }); }";
    let good = |extra: Value| {
        let mut body = json!({"name": "users", "strategy": "auth0",
            "options": {"enabledDatabaseCustomization": true, "customScripts": {"login": login}}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            good(json!({"strategy": "samlp"})),
            "strategy: hookbox keeps custom database connections only",
        ),
        (
            good(json!({"name": "a--b"})),
            "name: is 1–128 ASCII letters and digits",
        ),
        (good(json!({"display_name": "Users"})), "display_name:"),
        (
            good(json!({"enabled_clients": ["abc"]})),
            "enabled_clients:",
        ),
        (good(json!({"realms": ["other"]})), "realms:"),
        (good(json!({"metadata": {"a": "b"}})), "metadata:"),
        (
            good(json!({"is_domain_connection": true})),
            "is_domain_connection:",
        ),
        (good(json!({"colour": "red"})), "colour"),
        (
            good(json!({"options": {"enabledDatabaseCustomization": false}})),
            "options.enabledDatabaseCustomization:",
        ),
        (
            good(json!({"options": {"customScripts": {"getUser": login}}})),
            "options.customScripts.getUser",
        ),
        (
            good(json!({"options": {"customScripts": {"login": 7}}})),
            "options.customScripts.login: invalid type: integer `7`, expected a string",
        ),
        (
            good(json!({"options": {"configuration": {"K": "[sealed by hookbox]"}}})),
            "options.configuration: a sealed marker",
        ),
        (
            good(
                json!({"options": {"customScripts": {"login": "function login(e, p, cb) {\n  const = 1;\n}"}}}),
            ),
            "options.customScripts.login",
        ),
    ];
    for (body, message) in cases {
        let (status, text) = refused(
            &server,
            &token,
            Method::POST,
            "/api/v2/connections",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(message), "{body}: {text:?} lacks {message:?}");
    }
    let (_, listed) = server
        .call(Method::GET, "/v1/connections", &token, None)
        .await;
    assert_eq!(
        listed["data"]["list"],
        json!([]),
        "nothing stored: {listed}"
    );
    // Accepted with the values hookbox reads back.
    let (status, created) = server
        .call(
            Method::POST,
            "/api/v2/connections",
            &token,
            Some(good(json!({"display_name": "users", "realms": ["users"], "enabled_clients": [], "metadata": {}}))),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/api/v2/connections/{}", created["id"].as_str().unwrap());
    for (body, message) in [
        (json!({"name": "renamed"}), "name"),
        (json!({"strategy": "auth0"}), "strategy"),
        (json!({"display_name": "Other"}), "display_name:"),
    ] {
        let (status, text) =
            refused(&server, &token, Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains(message), "{body}: {text:?} lacks {message:?}");
    }
    // A configuration name given twice (serde would keep the last).
    let twice = br#"{"options": {"configuration": {"K": "1", "K": "2"}}}"#.to_vec();
    let (status, answer) = server
        .raw(Method::PATCH, &path, Some(&token), Some(twice))
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `K`"),
        "{answer}"
    );
    let (_, got) = server.call(Method::GET, &path, &token, None).await;
    assert_eq!(got, created, "the refused updates changed nothing");
}

/// Of concurrent binding updates, each lands whole: the trigger ends bound
/// exactly as one of them asked, never a mix.
#[tokio::test]
async fn concurrent_binding_updates_each_land_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let mut ids = Vec::new();
    for name in ["b1", "b2", "b3", "b4"] {
        let id = create_action(&server, &token, name).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, _) = server
            .call(
                Method::POST,
                &format!("/api/v2/actions/actions/{id}/deploy"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 202);
        ids.push(id);
    }
    let asks = [vec![0, 1], vec![2, 3], vec![3, 0]];
    let path = "/api/v2/actions/triggers/post-login/bindings";
    for _ in 0..8 {
        let calls = asks.iter().map(|ask| {
            let refs: Vec<Value> = ask
                .iter()
                .map(|&i| json!({"ref": {"type": "action_id", "value": ids[i]}}))
                .collect();
            server.call(Method::PATCH, path, &token, Some(json!({"bindings": refs})))
        });
        for (status, answer) in futures_util::future::join_all(calls).await {
            assert_eq!(status, 200, "{answer}");
        }
        let (_, bound) = server.call(Method::GET, path, &token, None).await;
        let got: Vec<&str> = bound["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["action"]["id"].as_str().unwrap())
            .collect();
        let whole = asks
            .iter()
            .any(|ask| ask.iter().map(|&i| ids[i].as_str()).collect::<Vec<_>>() == got);
        assert!(whole, "a mix of binding updates: {got:?}");
    }
}

/// The native API cannot slip an undeployed Action into running, move it off
/// its trigger, or lose its draft; a change of secrets ends a gradual
/// deployment.
#[tokio::test]
async fn native_changes_keep_an_actions_rules() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = create_action(&server, &token, "never").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/functions/{id}");
    let (status, answer) = server
        .call(Method::PATCH, &path, &token, Some(json!({"timeout": 5})))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (
            &answer["data"]["deployedVersion"],
            &answer["data"]["latestVersion"]
        ),
        (&json!(0), &json!(2)),
        "a limits change of an undeployed Action is a draft: {answer}"
    );
    let (status, answer) = server
        .call(Method::PATCH, &path, &token, Some(json!({"enabled": true})))
        .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = server
        .call(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"scene": "PRE_REGISTER"})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("scene: an Action's trigger cannot change"),
        "{answer}"
    );

    // Deployed, with a pending draft: a native secrets change and a limits
    // change deploy new versions, and the draft stays the newest.
    let actions = format!("/api/v2/actions/actions/{id}");
    let (status, _) = server
        .call(Method::POST, &format!("{actions}/deploy"), &token, None)
        .await;
    assert_eq!(status, 202);
    let draft_code = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('draft', 1); };";
    let (status, _) = server
        .call(
            Method::PATCH,
            &actions,
            &token,
            Some(json!({"code": draft_code})),
        )
        .await;
    assert_eq!(status, 200);
    for (method, p, body) in [
        (
            Method::PUT,
            format!("{path}/secrets"),
            json!({"K": "rotated-1"}),
        ),
        (Method::PATCH, path.clone(), json!({"timeout": 7})),
    ] {
        let (status, answer) = server.call(method.clone(), &p, &token, Some(body)).await;
        assert_eq!(status, 200, "{method} {p}: {answer}");
        let (_, action) = server.call(Method::GET, &actions, &token, None).await;
        assert_eq!(
            action["code"], draft_code,
            "{method} {p} kept the draft: {action}"
        );
        assert_eq!(action["all_changes_deployed"], false, "{action}");
        assert_eq!(action["deployed_version"]["code"], GOOD, "{action}");
    }

    // A gradual deployment ends when the secrets change.
    let (_, got) = server.call(Method::GET, &path, &token, None).await;
    let draft = got["data"]["draftVersion"].as_u64().unwrap();
    assert_ne!(
        got["data"]["deployedVersion"].as_u64(),
        Some(draft),
        "the draft stayed pending: {got}"
    );
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("{path}/versions/{draft}/deploy"),
            &token,
            Some(json!({"percent": 50})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["data"]["gradual"].is_object(), "{answer}");
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("{path}/secrets"),
            &token,
            Some(json!({"K": "rotated-2"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, got) = server.call(Method::GET, &path, &token, None).await;
    assert!(
        got["data"]["gradual"].is_null(),
        "a secrets change ends the trial: {got}"
    );
    let (_, listed) = server
        .call(Method::GET, &format!("{path}/versions"), &token, None)
        .await;
    let by: Vec<&Value> = listed["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["createdBy"])
        .collect();
    assert!(
        by.iter().all(|b| b.is_string()),
        "every version names its key: {listed}"
    );
}

/// An Action created without code runs as a no-op once deployed and bound.
#[tokio::test]
async fn an_action_without_code_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let body =
        json!({"name": "empty", "supported_triggers": [{"id": "post-login"}], "deploy": true});
    let (status, action) = server
        .call(Method::POST, "/api/v2/actions/actions", &token, Some(body))
        .await;
    assert_eq!(status, 201, "{action}");
    let binding = json!({"bindings": [{"ref": {"type": "action_name", "value": "empty"}}]});
    let (status, answer) = server
        .call(
            Method::PATCH,
            "/api/v2/actions/triggers/post-login/bindings",
            &token,
            Some(binding),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/post-login/run",
            &token,
            Some(json!({"user": {"user_id": "u"}, "context": {}})),
        )
        .await;
    assert_eq!(run["data"]["outcome"], "ok", "{run}");
    assert_eq!(run["data"]["steps"][0]["outcome"], "ok", "{run}");
}
