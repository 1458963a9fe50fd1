//! The vendor fronts' edges that their SDK tests do not reach: Auth0 hook
//! secrets at run time and across a restart, and Auth0's refusals and error
//! shape. Authing request signatures are in `signatures.rs`.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

const HOOK: &str = r#"module.exports = function (user, context, cb) {
  if (!context.webtask || !context.webtask.secrets.API_KEY) return cb(new Error("no API_KEY secret"));
  cb(null, { user: { user_metadata: { plan: "free", key: context.webtask.secrets.API_KEY }, email: "changed@evil.test" } });
};"#;

async fn oauth_token(server: &Server, id: &str, secret: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/oauth/token", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("audience", "https://hookbox.test/api/v2/"),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn run_registration(server: &Server, token: &str) -> Value {
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/scenes/pre-user-registration/run",
            token,
            Some(json!({"user": {"email": "a@example.com"}, "context": {"connection": "db"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn auth0_hooks_get_their_secrets_which_survive_a_restart_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (id, secret) = server.default_key.clone().unwrap();
    let (status, grant) = oauth_token(&server, &id, &secret).await;
    assert_eq!(status, 200, "{grant}");
    assert_eq!(grant["token_type"], "Bearer");
    let token = grant["access_token"].as_str().unwrap().to_string();

    let (status, hook) = server
        .call(
            Method::POST,
            "/api/v2/hooks",
            &token,
            Some(json!({"name": "add plan", "script": HOOK, "triggerId": "pre-user-registration", "enabled": true})),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    assert_eq!(hook["dependencies"], json!({}));
    let hook_id = hook["id"].as_str().unwrap().to_string();

    // Without its secret the hook denies the registration.
    let verdict = run_registration(&server, &token).await;
    assert_eq!(verdict["outcome"], "error", "{verdict}");
    assert_eq!(verdict["error"]["message"], "no API_KEY secret");

    let secrets = format!("/api/v2/hooks/{hook_id}/secrets");
    let (status, _) = server
        .call(
            Method::POST,
            &secrets,
            &token,
            Some(json!({"API_KEY": "k-1"})),
        )
        .await;
    assert_eq!(status, 201);
    let verdict = run_registration(&server, &token).await;
    assert_eq!(verdict["outcome"], "ok", "{verdict}");
    // Only user_metadata / app_metadata are taken from the payload, as on Auth0.
    assert_eq!(
        verdict["user"],
        json!({"email": "a@example.com", "user_metadata": {"plan": "free", "key": "k-1"}})
    );
    assert!(
        !verdict.to_string().contains("webtask"),
        "secrets leaked into the result: {verdict}"
    );
    // GET masks values; adding an existing name conflicts; updating an unknown one is 404.
    let (_, shown) = server.call(Method::GET, &secrets, &token, None).await;
    assert_eq!(shown, json!({"API_KEY": "_VALUE_NOT_SHOWN_"}));
    let (status, body) = server
        .call(
            Method::POST,
            &secrets,
            &token,
            Some(json!({"API_KEY": "again"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = server
        .call(Method::PATCH, &secrets, &token, Some(json!({"NOPE": "x"})))
        .await;
    assert_eq!(
        (status.as_u16(), body["errorCode"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    let many: serde_json::Map<String, Value> =
        (0..20).map(|i| (format!("S{i}"), json!("v"))).collect();
    let (status, body) = server
        .call(Method::POST, &secrets, &token, Some(Value::Object(many)))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("at most 20"),
        "{body}"
    );
    let (status, _) = server
        .call(
            Method::PATCH,
            &secrets,
            &token,
            Some(json!({"API_KEY": "k-2"})),
        )
        .await;
    assert_eq!(status, 201);

    // The secret is sealed in the database and opens again after a restart.
    server.stop();
    if on_postgres() {
        let dump = database_dump(dir.path());
        assert!(!dump.contains("k-2"), "secret in the clear in the database");
    }
    let db = std::fs::read_dir(dir.path().join("db"))
        .into_iter()
        .flatten();
    for entry in db.flatten() {
        if entry.file_type().unwrap().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !bytes.windows(3).any(|w| w == b"k-2"),
                "secret in the clear in {:?}",
                entry.path()
            );
        }
    }
    let server = Server::start(dir.path());
    let token = server.token_for(&id, &secret).await;
    let verdict = run_registration(&server, &token).await;
    assert_eq!(verdict["user"]["user_metadata"]["key"], "k-2", "{verdict}");

    let (status, _) = server
        .call(Method::DELETE, &secrets, &token, Some(json!(["API_KEY"])))
        .await;
    assert_eq!(status, 204);
    assert_eq!(run_registration(&server, &token).await["outcome"], "error");
}

#[tokio::test]
async fn auth0_front_refuses_what_it_cannot_honour_in_auth0_error_shape() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let create = |body: Value| {
        let (server, token) = (&server, &token);
        async move {
            server
                .call(Method::POST, "/api/v2/hooks", token, Some(body))
                .await
        }
    };
    let hook = |name: &str, script: &str| json!({"name": name, "script": script, "triggerId": "post-user-registration"});
    let ok_script = "module.exports = function (user, context, cb) { cb(); };";

    let cases = [
        (hook("-bad-", ok_script), 400, "name"),
        (
            hook("ok", "module.exports = function (user, cb {"),
            400,
            "line",
        ),
        (
            json!({"name": "x", "script": ok_script, "triggerId": "PRE_REGISTER"}),
            400,
            "triggerId",
        ),
        (
            // The catalogue has lodash 4.17.21, not 3.10.1 (nor any left-pad).
            json!({"name": "x", "script": ok_script, "triggerId": "post-user-registration", "dependencies": {"lodash": "3.10.1"}}),
            400,
            "lodash@3.10.1 is not in this server's package catalogue (it has lodash 4.17.21)",
        ),
        (
            json!({"name": "x", "script": ok_script, "triggerId": "post-user-registration", "dependencies": {"left-pad": "1.3.0"}}),
            400,
            "left-pad@1.3.0",
        ),
        (
            // A Node built-in hookbox refuses.
            json!({"name": "x", "script": ok_script, "triggerId": "post-user-registration", "dependencies": {"fs": "*"}}),
            400,
            "fs@* is Node's built-in 'fs' module, which hookbox does not provide to functions",
        ),
        (
            json!({"name": "x", "script": ok_script, "triggerId": "post-user-registration", "secrets": {}}),
            400,
            "secrets",
        ),
        (
            json!({"name": "x", "triggerId": "post-user-registration"}),
            400,
            "script",
        ),
    ];
    for (body, want, mention) in cases {
        let (status, err) = create(body.clone()).await;
        assert_eq!(status.as_u16(), want, "{body}: {err}");
        assert_eq!(err["statusCode"], want, "{err}");
        assert_eq!(err["error"], "Bad Request", "{err}");
        assert!(err["errorCode"].is_string(), "{err}");
        assert!(
            err["message"].as_str().unwrap().contains(mention),
            "{body}: {err}"
        );
    }
    // Nothing above was stored.
    let (_, all) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(all["data"]["totalCount"], 0, "{all}");

    // A declared module hookbox provides is accepted and shown back.
    let (status, made) = create(json!({"name": "uses qs", "script": ok_script, "triggerId": "post-user-registration", "dependencies": {"querystring": "0.2.1"}})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["enabled"], false, "Auth0 hooks start disabled");
    let (status, dup) = create(hook("uses qs", ok_script)).await;
    assert_eq!(
        (status.as_u16(), &dup["errorCode"]),
        (409, &json!("hook_conflict"))
    );

    // An Authing pipeline function is not a hook, and an unknown id is Auth0's 404.
    let f = server
        .deploy(
            &token,
            function(
                "pipe",
                "PRE_REGISTER",
                "async function pipe(u, c, cb) { cb(null, u, c) }",
            ),
        )
        .await;
    for id in [f["funcId"].as_str().unwrap(), "000000000000000000000000"] {
        let (status, err) = server
            .call(Method::GET, &format!("/api/v2/hooks/{id}"), &token, None)
            .await;
        assert_eq!(status, 404);
        assert_eq!(
            err,
            json!({"statusCode": 404, "error": "Not Found", "message": "The hook does not exist.", "errorCode": "inexistent_hook"})
        );
    }
    // triggerId cannot change; a bad script on update leaves the hook as it was.
    let id = made["id"].as_str().unwrap();
    let path = format!("/api/v2/hooks/{id}");
    let (status, _) = server
        .call(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"triggerId": "credentials-exchange"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = server
        .call(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"script": "module.exports = ("})),
        )
        .await;
    assert_eq!(status, 400);
    let (_, got) = server.call(Method::GET, &path, &token, None).await;
    assert_eq!(got["script"], ok_script);
    // No token: 401 in Auth0's shape; the token endpoint speaks OAuth errors.
    let (status, err) = server.raw(Method::GET, "/api/v2/hooks", None, None).await;
    assert_eq!(
        (status.as_u16(), &err["error"]),
        (401, &json!("Unauthorized")),
        "{err}"
    );
    let (status, err) = oauth_token(&server, "nope", "nope").await;
    assert_eq!(
        (status, &err["error"]),
        (401, &json!("access_denied")),
        "{err}"
    );
}
