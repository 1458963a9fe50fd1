//! Real vendor templates (`tests/fixtures/templates/`, byte for byte as
//! published) through a real server's scenes, with the platform's result.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

fn template(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn run_scene(server: &Server, token: &str, scene: &str, body: Value) -> Value {
    let path = format!("/v1/scenes/{scene}/run");
    let (status, answer) = server.call(Method::POST, &path, token, Some(body)).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer["data"].clone()
}

/// A server with `name` deployed alone in `scene`, with `secrets`.
async fn with_template(
    scene: &str,
    name: &str,
    secrets: Value,
) -> (tempfile::TempDir, Server, String) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server.deploy_id(&token, name, scene, &template(name)).await;
    if secrets != json!({}) {
        let path = format!("/v1/functions/{id}/secrets");
        let (status, answer) = server.call(Method::PUT, &path, &token, Some(secrets)).await;
        assert_eq!(status, 200, "{answer}");
    }
    (dir, server, token)
}

fn denied(out: &Value) -> (String, String) {
    assert_eq!(out["outcome"], "error", "{out}");
    (
        out["error"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        out["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn action_role_creation_sets_the_role_claims_or_denies_the_unverified() {
    let secrets = json!({"SPECIAL_ROLE_NAME": "https://example.com/roles",
        "SPECIAL_ROLE_VALUE": "admin, editor", "SPECIAL_ROLE_USERS": "alice@example.com,bob@example.com"});
    let (_dir, server, token) =
        with_template("post-login", "action-role-creation-POST_LOGIN.js", secrets).await;
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user":
        {"user_id": "auth0|1", "email": "alice@example.com", "email_verified": true}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(
        out["tokens"]["idToken"]["https://example.com/roles"],
        json!(["admin", "editor"])
    );
    assert_eq!(
        out["tokens"]["accessToken"]["https://example.com/roles"],
        json!(["admin", "editor"])
    );

    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user":
        {"user_id": "auth0|1", "email": "alice@example.com", "email_verified": false}}),
    )
    .await;
    assert_eq!(
        denied(&out),
        ("AccessDeniedError".into(), "access denied".into())
    );
    assert_eq!(out["error"]["code"], "access_denied");
}

#[tokio::test]
async fn action_domain_allowlist_on_post_login_denies_other_domains() {
    let (_dir, server, token) = with_template(
        "post-login",
        "action-simple-domain-allowlist-POST_LOGIN.js",
        json!({"ALLOWED_DOMAINS": "example.com, example.org"}),
    )
    .await;
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user":
        {"user_id": "auth0|3", "email": "mallory@evil.test", "email_verified": true}}),
    )
    .await;
    assert_eq!(
        denied(&out),
        (
            "AccessDeniedError".into(),
            "Email domain is prohibited".into()
        )
    );
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"user":
        {"user_id": "auth0|4", "email": "alice@Example.ORG", "email_verified": true}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "domains compare lower-cased: {out}");
}

#[tokio::test]
async fn action_domain_allowlist_on_registration_shows_the_user_its_message() {
    let (_dir, server, token) = with_template(
        "pre-user-registration",
        "action-simple-domain-allowlist-PRE_USER_REGISTRATION.js",
        json!({"ALLOWED_DOMAINS": "example.com"}),
    )
    .await;
    let out = run_scene(
        &server,
        &token,
        "pre-user-registration",
        json!({"user": {"email": "eve@evil.test"}}),
    )
    .await;
    assert_eq!(
        denied(&out),
        ("AccessDeniedError".into(), "invalid_domain".into())
    );
    assert_eq!(out["error"]["userMessage"], "Email domain is prohibited");
    let out = run_scene(
        &server,
        &token,
        "pre-user-registration",
        json!({"user": {"email": "ada@example.com"}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
}

#[tokio::test]
async fn action_ip_allowlist_on_credentials_exchange_refuses_other_addresses() {
    let (_dir, server, token) = with_template(
        "credentials-exchange",
        "action-ip-address-allowlist-CREDENTIALS_EXCHANGE.js",
        json!({"ALLOW_LIST": "198.51.100.1,198.51.100.2"}),
    )
    .await;
    // The gateway sends Auth0's event itself here.
    let out = run_scene(
        &server,
        &token,
        "credentials-exchange",
        json!({"event": {"request": {"ip": "203.0.113.9"}, "client": {"client_id": "m2m"}}}),
    )
    .await;
    assert_eq!(
        denied(&out),
        (
            "AccessDeniedError".into(),
            "Access denied for this IP address".into()
        )
    );
    assert_eq!(out["error"]["code"], "invalid_request");
    let out = run_scene(
        &server,
        &token,
        "credentials-exchange",
        json!({"event": {"request": {"ip": "198.51.100.2"}, "client": {"client_id": "m2m"}}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
}

#[tokio::test]
async fn hook_pre_user_registration_adds_the_documented_metadata() {
    let (_dir, server, token) = with_template(
        "pre-user-registration",
        "hook-pre-user-registration-add-metadata.js",
        json!({}),
    )
    .await;
    // The documentation's Runner input.
    let out = run_scene(&server, &token, "pre-user-registration", json!({
        "user": {"tenant": "my-tenant", "username": "user1", "password": "xxxxxxx", "email": "user1@foo.com",
                 "emailVerified": false, "phoneNumber": "1-000-000-0000", "phoneNumberVerified": false},
        "context": {"requestLanguage": "en-us", "connection": {"id": "con_xxxxxxxxxxxxxxxx",
                    "name": "Username-Password-Authentication", "tenant": "my-tenant"}}
    })).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(
        out["result"],
        json!({"user": {"user_metadata": {"foo": "bar"}, "app_metadata": {"vip": true, "score": 7}}})
    );
    assert_eq!(out["user"]["user_metadata"], json!({"foo": "bar"}));
    assert_eq!(
        out["user"]["app_metadata"],
        json!({"vip": true, "score": 7})
    );
}

#[tokio::test]
async fn hook_credentials_exchange_adds_the_documented_scope() {
    let (_dir, server, token) = with_template(
        "credentials-exchange",
        "hook-credentials-exchange-add-scope.js",
        json!({}),
    )
    .await;
    // The documentation's Runner body.
    let out = run_scene(&server, &token, "credentials-exchange", json!({"args": [
        {"id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "name": "client-name", "tenant": "my-tenant", "metadata": {"plan": "full"}},
        ["read:connections"], "https://my-tenant.auth0.com/api/v2/", {"webtask": {}}
    ]})).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(
        out["result"],
        json!({"scope": ["read:connections", "read:resource"]})
    );
    assert_eq!(
        out["tokens"]["accessToken"]["scope"],
        json!(["read:connections", "read:resource"])
    );
}

#[tokio::test]
async fn rule_roles_creation_saves_the_roles_through_auth0_users() {
    let (_dir, server, token) =
        with_template("post-login", "rule-roles-creation.js", json!({})).await;
    let context = json!({"clientID": "abc", "idToken": {}, "accessToken": {}});
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"context": context,
        "user": {"user_id": "auth0|123", "email": "admin@example.com", "email_verified": true}}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["metadata"]["app_metadata"], json!({"roles": ["admin"]}));
    assert_eq!(out["user"]["app_metadata"], json!({"roles": ["admin"]}));
    assert_eq!(
        out["context"]["idToken"]["https://example.com/roles"],
        json!(["admin"])
    );

    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"context": context,
        "user": {"user_id": "auth0|456", "email": "bob@other.test", "email_verified": true,
                 "app_metadata": {"plan": "free"}}}),
    )
    .await;
    assert_eq!(
        out["metadata"]["app_metadata"],
        json!({"plan": "free", "roles": ["user"]})
    );
    assert_eq!(
        out["context"]["idToken"]["https://example.com/roles"],
        json!(["user"])
    );

    let user = json!({"user_id": "auth0|789", "email": "eve@example.com", "email_verified": false});
    let out = run_scene(
        &server,
        &token,
        "post-login",
        json!({"context": context, "user": user}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert!(out.get("metadata").is_none(), "{out}");
    assert_eq!(out["user"], user);
    assert_eq!(out["context"], context);
}

#[tokio::test]
async fn authing_ip_range_whitelist_admits_the_span_and_refuses_the_rest() {
    let (_dir, server, token) =
        with_template("PRE_REGISTER", "authing-ip-range-whitelist.js", json!({})).await;
    let inside = json!({"context": {"request": {"ip": "110.53.254.100", "body": {}}}});
    let out = run_scene(&server, &token, "PRE_REGISTER", inside.clone()).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["context"], inside["context"]);
    for ip in [json!("1.2.3.4"), Value::Null] {
        let out = run_scene(
            &server,
            &token,
            "PRE_REGISTER",
            json!({"context": {"request": {"ip": ip, "body": {}}}}),
        )
        .await;
        assert_eq!(
            denied(&out),
            ("Error".into(), "你不在允许注册/登录的 IP 范围内！".into())
        );
    }
}
