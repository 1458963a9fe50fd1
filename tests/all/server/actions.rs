//! Auth0 Actions in scenes, through a real server: the trigger per scene,
//! metadata merged and handed back, `api` commands for the gateway, the
//! function's own secrets (redacted from its logs), `"continue"` after a
//! redirect, and the Actions cache across calls and a restart.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn run_scene(server: &Server, token: &str, scene: &str, body: Value) -> Value {
    let path = format!("/v1/scenes/{scene}/run");
    let (status, answer) = server.call(Method::POST, &path, token, Some(body)).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer["data"].clone()
}

async fn set_secrets(server: &Server, token: &str, id: &str, secrets: Value) {
    let path = format!("/v1/functions/{id}/secrets");
    let (status, answer) = server.call(Method::PUT, &path, token, Some(secrets)).await;
    assert_eq!(status, 200, "{answer}");
}

/// Two handlers: without the scene's trigger, the Action could not tell
/// which one to run.
const PLAN: &str = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.user.setAppMetadata('plan', 'gold');
  api.multifactor.enable('any', { allowRememberBrowser: true });
  api.idToken.setCustomClaim('https://example.com/key', event.secrets.API_KEY);
  console.log('calling the CRM with ' + event.secrets.API_KEY);
};
exports.onExecutePreUserRegistration = async (event, api) => {
  api.access.deny('the wrong handler ran');
};
"#;

/// A rule between the Actions: sees the first Action's metadata in `user`,
/// and changes metadata the rules' way.
const RULE: &str = r#"
function (user, context, callback) {
  user.seen_plan = user.app_metadata.plan;
  auth0.users.updateUserMetadata(user.user_id, { theme: 'dark' })
    .then(function () { callback(null, user, context); });
}
"#;

const LAST: &str = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('seen', [event.user.app_metadata.plan, event.user.user_metadata.theme]);
  api.accessToken.addScope('read:reports');
};
"#;

#[tokio::test]
async fn a_post_login_scene_mixes_actions_and_rules_and_hands_back_metadata_and_commands() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let plan = server.deploy_id(&token, "plan", "post-login", PLAN).await;
    let rule = server.deploy_id(&token, "rule", "post-login", RULE).await;
    let last = server.deploy_id(&token, "last", "post-login", LAST).await;
    set_secrets(
        &server,
        &token,
        &plan,
        json!({"API_KEY": "sk_live_0123456789"}),
    )
    .await;
    let (status, names) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{plan}/secrets"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        names["data"],
        json!({"names": ["API_KEY"]}),
        "names, never values"
    );

    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user": {"user_id": "auth0|1", "email": "ada@example.com"}, "context": {}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(
        out["metadata"],
        json!({"app_metadata": {"plan": "gold"}, "user_metadata": {"theme": "dark"}})
    );
    assert_eq!(out["user"]["app_metadata"], json!({"plan": "gold"}));
    assert_eq!(out["user"]["user_metadata"], json!({"theme": "dark"}));
    assert_eq!(
        out["user"]["seen_plan"], "gold",
        "the rule saw the Action's change"
    );
    assert_eq!(
        out["tokens"]["idToken"]["https://example.com/key"],
        "sk_live_0123456789"
    );
    assert_eq!(
        out["tokens"]["accessToken"]["seen"],
        json!(["gold", "dark"])
    );
    assert_eq!(
        out["commands"],
        json!([
            {"funcId": plan, "method": "multifactor.enable", "args": ["any", {"allowRememberBrowser": true}]},
            {"funcId": last, "method": "accessToken.addScope", "args": ["read:reports"]}
        ])
    );
    let steps: Vec<&str> = out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["funcId"].as_str().unwrap())
        .collect();
    assert_eq!(steps, [plan.as_str(), rule.as_str(), last.as_str()]);

    // The secret is in the answer (the function's own claim) but not in its log.
    let logs = eventually("the Action's log", || async {
        let logs = server.logs(&token, &plan, "limit=10").await;
        (logs["totalCount"] == 1).then_some(logs)
    })
    .await;
    let text = logs.to_string();
    assert!(!text.contains("sk_live_0123456789"), "{text}");
    assert!(
        text.contains("calling the CRM with [redacted: API_KEY]"),
        "{text}"
    );

    // A scene that is not an Actions trigger passes none: two handlers are
    // then ambiguous, and the Action says so.
    let other = server
        .deploy_id(&token, "plan elsewhere", "POST_AUTHENTICATION", PLAN)
        .await;
    let out = server.invoke(&token, &other, json!({"user": {}})).await;
    assert_eq!(out["error"]["name"], "EntryPointError", "{out}");

    // Secrets are checked whole: a bad name, or a name given twice, changes nothing.
    let (status, twice) = server
        .raw(
            Method::PUT,
            &format!("/v1/functions/{plan}/secrets"),
            Some(&token),
            Some(br#"{"API_KEY": "a", "API_KEY": "b"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 400, "{twice}");
    assert!(
        twice["message"]
            .as_str()
            .unwrap()
            .contains("duplicate key `API_KEY`"),
        "{twice}"
    );
    let (status, bad) = server
        .call(
            Method::PUT,
            &format!("/v1/functions/{plan}/secrets"),
            &token,
            Some(json!({"API_KEY": "x", "bad name": "y"})),
        )
        .await;
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["message"].as_str().unwrap().starts_with("secrets:"),
        "{bad}"
    );
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user": {"user_id": "auth0|1"}}),
    )
    .await;
    assert_eq!(
        out["tokens"]["idToken"]["https://example.com/key"],
        "sk_live_0123456789"
    );
}

#[tokio::test]
async fn a_deny_stops_the_scene_and_keeps_its_metadata_changes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let deny = r#"
exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata('source', 'web');
  api.access.deny('blocked domain', 'Sign-ups from this domain are closed.');
};
"#;
    let never = "module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { ran: true } } }); };";
    let denier = server
        .deploy_id(&token, "deny", "pre-user-registration", deny)
        .await;
    server
        .deploy_id(&token, "never", "pre-user-registration", never)
        .await;
    let out = run_scene(
        &server,
        &token,
        "pre-user-registration",
        json!({"user": {"email": "eve@evil.test"}}),
    )
    .await;
    assert_eq!(out["outcome"], "error", "{out}");
    assert_eq!(out["stoppedBy"], denier.as_str());
    assert_eq!(out["error"]["name"], "AccessDeniedError");
    assert_eq!(out["error"]["message"], "blocked domain");
    assert_eq!(
        out["error"]["userMessage"],
        "Sign-ups from this domain are closed."
    );
    assert_eq!(
        out["metadata"],
        json!({"user_metadata": {"source": "web"}, "app_metadata": {}})
    );
    assert_eq!(out["user"]["user_metadata"], json!({"source": "web"}));
    assert!(
        out["user"].get("app_metadata").is_none(),
        "the hook after it never ran: {out}"
    );
    assert_eq!(out["steps"].as_array().unwrap().len(), 1);
    assert!(out.get("commands").is_none(), "{out}");
}

#[tokio::test]
async fn a_redirect_pauses_post_login_and_continue_resumes_at_the_action_that_redirected() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let before = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('before', true); };";
    let consent = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('asked', true);
  api.redirect.sendUserTo('https://example.com/consent', { query: { lang: 'en' } });
};
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('consented', event.request.query.answer === 'yes');
};
"#;
    let after = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('after', event.user.user_id); };";
    server
        .deploy_id(&token, "before", "post-login", before)
        .await;
    let id = server
        .deploy_id(&token, "consent", "post-login", consent)
        .await;
    let last = server.deploy_id(&token, "after", "post-login", after).await;

    // The run pauses after the Action that redirected: the one after it waits.
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user": {"user_id": "auth0|1"}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["redirectedBy"], id.as_str(), "{out}");
    assert_eq!(
        out["commands"],
        json!([{"funcId": id, "method": "redirect.sendUserTo",
                "args": ["https://example.com/consent", {"query": {"lang": "en"}}]}])
    );
    assert_eq!(
        out["tokens"]["idToken"],
        json!({"before": true, "asked": true})
    );
    assert_eq!(out["steps"].as_array().unwrap().len(), 2, "{out}");

    // Back from the redirect: the ones before it ran already, it continues,
    // the rest run their onExecutePostLogin.
    let back = json!({"user": {"user_id": "auth0|1"},
                      "context": {"request": {"query": {"answer": "yes"}}},
                      "continue": true, "continueAt": id});
    let out = run_scene(&server, &token, "post-login", back).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(
        out["tokens"]["idToken"],
        json!({"consented": true, "after": "auth0|1"})
    );
    let ran: Vec<&str> = out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["funcId"].as_str().unwrap())
        .collect();
    assert_eq!(ran, [id.as_str(), last.as_str()]);
    assert!(out.get("redirectedBy").is_none(), "{out}");
    assert!(out.get("commands").is_none(), "{out}");

    // One function resumes on its own.
    let out = server
        .invoke(
            &token,
            &id,
            json!({"context": {"request": {"query": {"answer": "no"}}}, "continue": true}),
        )
        .await;
    assert_eq!(out["tokens"]["idToken"]["consented"], false, "{out}");

    let hook = server
        .deploy_id(
            &token,
            "hook",
            "PRE_REGISTER",
            "async function pipe(user, context, callback) { callback(null, user, context); }",
        )
        .await;
    for (path, body, rule) in [
        (
            "/v1/scenes/PRE_REGISTER/run".to_string(),
            json!({"continue": true}),
            "continue: only the post-login scene resumes",
        ),
        (
            "/v1/scenes/post-login/run".to_string(),
            json!({"continue": "yes"}),
            "continue: invalid type",
        ),
        (
            "/v1/scenes/post-login/run".to_string(),
            json!({"continue": true}),
            "continueAt: is required with \"continue\": true",
        ),
        (
            "/v1/scenes/post-login/run".to_string(),
            json!({"continueAt": id}),
            "continueAt: is only read with \"continue\": true",
        ),
        (
            "/v1/scenes/post-login/run".to_string(),
            json!({"continue": true, "continueAt": hook}),
            &format!("continueAt: {hook} is not an enabled function of the post-login scene"),
        ),
        (
            format!("/v1/functions/{id}/invoke"),
            json!({"continue": true, "continueAt": id}),
            "continueAt: is only read on a scene run",
        ),
        (
            format!("/v1/functions/{hook}/invoke"),
            json!({"continue": true}),
            "continue: only a function of the post-login scene resumes",
        ),
        (
            format!("/v1/functions/{hook}/invoke"),
            json!({"args": [0, 1, 2, 3, 4, 5, 6, 7, 8]}),
            "args: a function takes at most 8 arguments before its callback, got 9",
        ),
    ] {
        let (status, answer) = server.call(Method::POST, &path, &token, Some(body)).await;
        assert_eq!(status, 400, "{path}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(rule), "{message}");
    }
}

#[tokio::test]
async fn a_redirect_to_anything_but_an_absolute_web_url_never_reaches_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    for url in [
        "javascript:alert(1)",
        "/relative",
        "data:text/html,x",
        "https://",
        "https://a.example/\r\nSet-Cookie: x=1",
        " https://lead.example",
        "https:evil.example",
        "https:\\\\evil.example",
        "https://good.example@evil.example",
    ] {
        let source = format!(
            "exports.onExecutePostLogin = async (event, api) => {{ api.redirect.sendUserTo({}); }};",
            serde_json::to_string(url).unwrap()
        );
        let id = server
            .deploy_id(&token, "redirect", "post-login", &source)
            .await;
        let out = run_scene(&server, &token, "post-login", json!({})).await;
        assert_eq!(out["outcome"], "invalid_output", "{url}: {out}");
        assert_eq!(out["stoppedBy"], id.as_str());
        assert!(out.get("commands").is_none(), "{out}");
        assert!(out.get("redirectedBy").is_none(), "{out}");
        let message = out["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "api.redirect.sendUserTo: the URL must be an absolute http or https URL"
            ),
            "{message}"
        );
        let (status, _) = server
            .call(Method::DELETE, &format!("/v1/functions/{id}"), &token, None)
            .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn the_actions_cache_carries_from_one_call_to_the_next_and_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (key_id, key_secret) = server.default_key.clone().unwrap();
    let token = server.admin_token().await;
    let source = r#"
exports.onExecuteCredentialsExchange = async (event, api) => {
  const hit = api.cache.get('token');
  if (hit) return api.accessToken.setCustomClaim('token', 'cached ' + hit.value);
  api.cache.set('token', 'for ' + event.request.ip, { ttl: 3600000 });
  api.accessToken.setCustomClaim('token', 'fresh');
};
"#;
    let cached = server
        .deploy_id(&token, "cached", "credentials-exchange", source)
        .await;
    let call = json!({"event": {"request": {"ip": "203.0.113.9"}, "client": {"client_id": "m2m"}}});
    let claim = |out: &Value| out["tokens"]["accessToken"]["token"].clone();
    let out = run_scene(&server, &token, "credentials-exchange", call.clone()).await;
    assert_eq!(claim(&out), "fresh", "{out}");
    let out = run_scene(&server, &token, "credentials-exchange", call.clone()).await;
    assert_eq!(claim(&out), "cached for 203.0.113.9", "{out}");

    // Each function has its own cache.
    let other = server
        .deploy_id(&token, "other", "credentials-exchange", source)
        .await;
    let out = server.invoke(&token, &other, call.clone()).await;
    assert_eq!(claim(&out), "fresh", "{out}");

    // Stored, not only held in memory.
    server.stop();
    let server = Server::start(dir.path());
    let token = server.token_for(&key_id, &key_secret).await;
    let out = server.invoke(&token, &cached, call.clone()).await;
    assert_eq!(claim(&out), "cached for 203.0.113.9", "{out}");
}
