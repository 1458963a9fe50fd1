//! Auth0 Actions in the engine: the handler per trigger, the event built
//! from the rules' shape, and every `api` call coming back as data.

use crate::common::*;
use hookbox_engine::{Input, OutcomeKind};
use serde_json::{Value, json};

/// The issue's own example: denied without a verified email, a claim set
/// with one.
const PLAN_CLAIM: &str = r#"
exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) return api.access.deny('Please verify your email first.');
  api.idToken.setCustomClaim('https://example.com/plan', event.user.app_metadata.plan);
};
"#;

fn action_input(trigger: &str, event: Value) -> Input {
    Input {
        trigger: Some(trigger.into()),
        event: Some(event),
        ..Input::default()
    }
}

#[tokio::test]
async fn post_login_denies_or_sets_a_claim() {
    let event = json!({"user": {"user_id": "auth0|1", "email_verified": false, "app_metadata": {"plan": "pro"}}});
    let out = run(PLAN_CLAIM, &action_input("post-login", event)).await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    let error = out.error.unwrap();
    assert_eq!(error.name, "AccessDeniedError");
    assert_eq!(error.message, "Please verify your email first.");
    assert_eq!(error.code.as_deref(), Some("access_denied"));

    let event = json!({"user": {"user_id": "auth0|1", "email_verified": true, "app_metadata": {"plan": "pro"}}});
    let out = run(PLAN_CLAIM, &action_input("post-login", event)).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        Value::Object(out.tokens.id_token),
        json!({"https://example.com/plan": "pro"})
    );
}

#[tokio::test]
async fn the_event_is_built_from_the_rules_user_and_context() {
    let source = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('seen', {
    user: event.user.email, app: event.user.app_metadata, ip: event.request.ip,
    ua: event.request.user_agent, country: event.request.geoip.countryCode,
    client: event.client.client_id, connection: event.connection.name,
    protocol: event.transaction.protocol, logins: event.stats.logins_count,
    tenant: event.tenant.id, secrets: event.secrets, scopes: event.transaction.requested_scopes,
  });
};
"#;
    let mut input = input(
        json!({"email": "ada@example.com"}),
        json!({
            "clientID": "app1", "connection": "Username-Password-Authentication", "protocol": "oidc-basic-profile",
            "stats": {"loginsCount": 3}, "tenant": "acme",
            "request": {"ip": "203.0.113.9", "userAgent": "curl/8", "geoip": {"country_code": "NZ"},
                        "query": {"scope": "openid email"}}
        }),
    );
    input.secrets.insert("API_KEY".into(), "s3cret".into());
    let out = run(source, &input).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.tokens.id_token["seen"],
        json!({
            "user": "ada@example.com", "app": {}, "ip": "203.0.113.9", "ua": "curl/8", "country": "NZ",
            "client": "app1", "connection": "Username-Password-Authentication",
            "protocol": "oidc-basic-profile", "logins": 3, "tenant": "acme",
            "secrets": {"API_KEY": "s3cret"}, "scopes": ["openid", "email"]
        })
    );
}

#[tokio::test]
async fn api_calls_come_back_as_data_in_call_order() {
    let source = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('https://example.com/roles', ['admin'])
     .accessToken.addScope('read:reports');
  api.user.setAppMetadata('plan', 'gold');
  api.user.setUserMetadata('theme', null);
  api.multifactor.enable('any', { allowRememberBrowser: true });
  api.redirect.sendUserTo('https://example.com/consent', { query: { a: '1' } });
  api.samlResponse.setAttribute('https://example.com/role', 'admin');
};
"#;
    let event = json!({"user": {"user_id": "auth0|1"}, "request": {"ip": "203.0.113.9"}});
    let out = run(source, &action_input("post-login", event)).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        Value::Object(out.tokens.access_token),
        json!({"https://example.com/roles": ["admin"]})
    );
    assert_eq!(
        serde_json::to_value(&out.metadata).unwrap(),
        json!({"app_metadata": {"plan": "gold"}, "user_metadata": {"theme": null}})
    );
    let commands = serde_json::to_value(&out.commands).unwrap();
    assert_eq!(
        commands,
        json!([
            {"method": "accessToken.addScope", "args": ["read:reports"]},
            {"method": "multifactor.enable", "args": ["any", {"allowRememberBrowser": true}]},
            {"method": "redirect.sendUserTo", "args": ["https://example.com/consent", {"query": {"a": "1"}}]},
            {"method": "samlResponse.setAttribute", "args": ["https://example.com/role", "admin"]}
        ])
    );
}

#[tokio::test]
async fn a_denied_login_keeps_its_metadata_changes_and_runs_to_the_end() {
    let source = r#"
exports.onExecutePostLogin = async (event, api) => {
  api.user.setAppMetadata('denied_at', 'now');
  api.access.deny('first');
  api.access.deny('second');
  console.log('still running');
};
"#;
    let out = run(source, &action_input("post-login", json!({"user": {}}))).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    assert_eq!(out.error.unwrap().message, "first");
    assert_eq!(out.metadata.app_metadata["denied_at"], "now");
    assert_eq!(out.logs[0].message, "still running");
}

#[tokio::test]
async fn each_trigger_runs_its_own_handler_with_its_own_api() {
    let source = r#"
exports.onExecutePreUserRegistration = async (event, api) => {
  api.access.deny('blocked domain', 'Sign-ups from this domain are closed.');
};
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.client.client_id === 'bad') return api.access.deny('invalid_request', 'no');
  api.accessToken.setCustomClaim('https://example.com/tier', 'm2m');
};
exports.onExecutePostUserRegistration = async (event, api) => {
  if (api.access || api.idToken) throw new Error('post-user-registration has only api.cache');
};
"#;
    let out = run(
        source,
        &action_input("pre-user-registration", json!({"user": {}})),
    )
    .await;
    let error = out.error.unwrap();
    assert_eq!(
        (
            error.name.as_str(),
            error.message.as_str(),
            error.code.as_deref()
        ),
        (
            "AccessDeniedError",
            "blocked domain",
            Some("extensibility_error")
        )
    );
    assert_eq!(
        error.fields["userMessage"],
        "Sign-ups from this domain are closed."
    );

    let out = run(
        source,
        &action_input(
            "credentials-exchange",
            json!({"client": {"client_id": "bad"}}),
        ),
    )
    .await;
    let error = out.error.unwrap();
    assert_eq!(
        (error.code.as_deref(), error.message.as_str()),
        (Some("invalid_request"), "no")
    );
    let out = run(
        source,
        &action_input(
            "credentials-exchange",
            json!({"client": {"client_id": "ok"}}),
        ),
    )
    .await;
    assert_eq!(out.tokens.access_token["https://example.com/tier"], "m2m");

    let out = run(
        source,
        &action_input("post-user-registration", json!({"user": {}})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");

    // A trigger the script has no handler for is named.
    let out = run(
        source,
        &action_input("post-change-password", json!({"user": {}})),
    )
    .await;
    let error = out.error.unwrap();
    assert_eq!(error.name, "EntryPointError");
    assert!(
        error.message.contains("onExecutePostChangePassword"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn unsupported_methods_throw_naming_themselves() {
    let source = r#"
exports.onExecutePostLogin = async (event, api) => { api.session.revoke('bye'); };
"#;
    let out = run(source, &action_input("post-login", json!({"user": {}}))).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    assert!(
        out.error
            .unwrap()
            .message
            .contains("api.session.revoke is not supported"),
    );
}

#[tokio::test]
async fn on_continue_post_login_runs_after_a_redirect_and_validates_the_token() {
    // encodeToken on the way out, validateToken on the way back: the same
    // HS256 JWT, so a token the redirect target signs with the secret passes.
    let source = r#"
exports.onExecutePostLogin = async (event, api) => {
  const token = api.redirect.encodeToken({ secret: event.secrets.REDIRECT_SECRET, payload: { state: 'abc', k: 1 } });
  api.redirect.sendUserTo('https://example.com/verify', { query: { session_token: token } });
};
exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({ secret: event.secrets.REDIRECT_SECRET });
  api.idToken.setCustomClaim('k', payload.k);
  api.authentication.recordMethod('https://example.com/verify');
};
"#;
    let mut first = action_input(
        "post-login",
        json!({"user": {"user_id": "auth0|7"}, "request": {"ip": "203.0.113.9", "hostname": "login.example.com"}}),
    );
    first.secrets.insert("REDIRECT_SECRET".into(), "shh".into());
    let out = run(source, &first).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let token = out.commands[0].args[1]["query"]["session_token"]
        .as_str()
        .unwrap()
        .to_string();
    let claims: Value = {
        use base64::Engine as _;
        let part = token.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["sub"], "auth0|7");
    assert_eq!(claims["iss"], "login.example.com");
    assert_eq!(claims["ip"], "203.0.113.9");
    assert_eq!(claims["k"], 1);

    let mut back = first.clone();
    back.resume = true;
    back.event = Some(json!({"user": {"user_id": "auth0|7"},
        "request": {"query": {"state": "abc"}, "body": {"session_token": token}}}));
    let out = run(source, &back).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.tokens.id_token["k"], 1);
    assert_eq!(out.commands[0].method, "authentication.recordMethod");

    // A token issued for another user is refused.
    let mut other = back.clone();
    other.event.as_mut().unwrap()["user"]["user_id"] = json!("auth0|8");
    let out = run(source, &other).await;
    assert!(
        out.error.unwrap().message.contains("sub is not the user"),
        "another user's token is refused"
    );

    // A token signed with another secret is refused.
    back.secrets
        .insert("REDIRECT_SECRET".into(), "other".into());
    let out = run(source, &back).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    assert!(
        out.error.unwrap().message.contains("signature is invalid"),
        "the wrong secret is named"
    );
}

#[tokio::test]
async fn the_cache_reads_what_the_host_gave_and_writes_within_auth0s_limits() {
    let source = r#"
exports.onExecuteCredentialsExchange = async (event, api) => {
  const hit = api.cache.get('token');
  const big = api.cache.set('big', 'x'.repeat(5000));
  const set = api.cache.set('fresh', 'v', { ttl: 1000 });
  api.cache.delete('old');
  api.accessToken.setCustomClaim('r', { hit: hit && hit.value, big: big.type, set: set.type });
};
"#;
    let mut input = action_input("credentials-exchange", json!({}));
    input.cache.insert(
        "token".into(),
        json!({"value": "cached", "expires_at": 4_102_444_800_000u64}),
    );
    let out = run(source, &input).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.tokens.access_token["r"],
        json!({"hit": "cached", "big": "error", "set": "success"})
    );
    assert_eq!(out.cache["fresh"]["value"], "v");
    assert!(out.cache["fresh"]["expires_at"].as_u64().unwrap() > 0);
    assert_eq!(out.cache["old"], Value::Null);
    assert!(
        !out.cache.contains_key("big"),
        "a refused write is not kept"
    );
}

#[tokio::test]
async fn a_one_expression_action_is_an_action_not_a_rule() {
    // Without its semicolon the whole script is one expression, which a rule
    // also is: it must still run as the Action it exports.
    let source =
        "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', 1) }";
    let out = run(source, &action_input("post-login", json!({"user": {}}))).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.tokens.id_token["a"], 1);
}
