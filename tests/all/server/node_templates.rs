//! Real Auth0 rule templates that need the Node surface (issue 13): `crypto`,
//! `Buffer`, `lodash`, `url` and a time zone, each published template byte
//! for byte (`tests/fixtures/templates/`), deployed to a real server and run
//! in a scene. Wherever the answer depends on Node, the expected one is what
//! Node 20 gives for the same template and input
//! (`tests/fixtures/node/run-rule.js`, which calls the rule as Auth0's
//! rules runtime does), never one written by hand.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::process::Command;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs `node` with `args` and gives its standard output as JSON.
fn node(args: &[&str]) -> Value {
    let npm = format!("{}/guest-sdk/npm/node_modules", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::path::Path::new(&npm).is_dir(),
        "{npm} is missing: run `make npm-modules` (make test does)"
    );
    let out = Command::new("node").args(args).output().expect("node runs");
    assert!(
        out.status.success(),
        "node {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("node prints JSON")
}

/// What the rule `name` calls back with under Node 20, for `input`
/// (`{user, context, configuration}`): `{user, context}` or `{error}`.
fn node_rule(name: &str, input: &Value) -> Value {
    node(&[
        &format!(
            "{}/tests/fixtures/node/run-rule.js",
            env!("CARGO_MANIFEST_DIR")
        ),
        &fixture(name),
        &input.to_string(),
    ])
}

/// A server with the rule `name` deployed alone in `post-login` and the
/// tenant's environment (the rules' `configuration`) set to `configuration`.
async fn with_rule(name: &str, configuration: &Value) -> (tempfile::TempDir, Server, String) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source = std::fs::read_to_string(fixture(name)).unwrap();
    server.deploy_id(&token, name, "post-login", &source).await;
    if configuration != &json!({}) {
        let (status, answer) = server
            .call(Method::PUT, "/v1/env", &token, Some(configuration.clone()))
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    (dir, server, token)
}

/// Runs the `post-login` scene with `user` and `context`; gives what the
/// rule called back with, in `run-rule.js`'s shape.
async fn run_rule(server: &Server, token: &str, user: &Value, context: &Value) -> Value {
    let body = json!({"user": user, "context": context});
    let (status, answer) = server
        .call(Method::POST, "/v1/scenes/post-login/run", token, Some(body))
        .await;
    assert_eq!(status, 200, "{answer}");
    let out = &answer["data"];
    match out["outcome"].as_str() {
        Some("ok") => json!({"user": out["user"], "context": out["context"]}),
        Some("error") => {
            json!({"error": {"name": out["error"]["name"], "message": out["error"]["message"]}})
        }
        _ => panic!("{out}"),
    }
}

/// Runs the rule in hookbox and in Node with the same input; both must
/// agree, and hookbox's answer is returned for the documented checks.
async fn same_as_node(name: &str, configuration: Value, cases: &[(Value, Value)]) -> Vec<Value> {
    let (_dir, server, token) = with_rule(name, &configuration).await;
    let mut answers = Vec::new();
    for (user, context) in cases {
        let got = run_rule(&server, &token, user, context).await;
        let input = json!({"user": user, "context": context, "configuration": configuration});
        assert_eq!(got, node_rule(name, &input), "{name} with {input}");
        answers.push(got);
    }
    answers
}

/// `crypto.createHmac('sha256', secret)`: the Pusher channel signature.
#[tokio::test]
async fn rule_pusher_signs_the_channel_with_crypto_hmac() {
    let configuration =
        json!({"PUSHER_KEY": "278d425bdf160c739803", "PUSHER_SECRET": "7ad3773142a6692b25b8"});
    let query = json!({"channel": "private-foobar", "socket_id": "1234.1234"});
    let answers = same_as_node(
        "rule-pusher.js",
        configuration,
        &[
            (
                json!({"user_id": "auth0|1"}),
                json!({"request": {"query": query}, "idToken": {}}),
            ),
            (
                json!({"user_id": "auth0|1"}),
                json!({"request": {"query": {}}, "idToken": {}}),
            ),
        ],
    )
    .await;
    // Pusher's documented example: this key, secret, channel and socket id
    // sign as "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
    // (pusher.com/docs/channels/library_auth_reference/auth-signatures).
    assert_eq!(
        answers[0]["context"]["idToken"]["https://example.com/pusherAuth"],
        "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
    );
    assert_eq!(answers[1]["context"]["idToken"], json!({}));
}

/// `Buffer.from(secret, 'base64')` as the key of `jsonwebtoken`'s HS256.
#[tokio::test]
async fn rule_jwt_signs_with_the_base64_decoded_secret() {
    // Bytes that are not UTF-8 (de ad be ef …): only a real base64 decode
    // gives the key Node signs with.
    let secret = "3q2+7wABAgP/";
    let configuration =
        json!({"TARGET_API_CLIENT_SECRET": secret, "TARGET_API_CLIENT_ID": "target-api"});
    let (_dir, server, token) = with_rule("rule-jwt.js", &configuration).await;
    let user =
        json!({"user_id": "auth0|7", "email": "ada@example.com", "name": "Ada", "nickname": "ada"});
    let got = run_rule(&server, &token, &user, &json!({"idToken": {}})).await;
    assert_eq!(got["user"], user);
    let jwt = got["context"]["idToken"]["https://example.com/id_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{got}"));
    // Node checks the signature with the decoded key and reads the token.
    let check = node(&[
        "-e",
        r#"const [jwt, secret] = process.argv.slice(1);
const [h, p, sig] = jwt.split('.');
const mac = require('crypto').createHmac('sha256', Buffer.from(secret, 'base64')).update(h + '.' + p).digest('base64url');
const read = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
process.stdout.write(JSON.stringify({valid: mac === sig, header: read(h), payload: read(p)}));"#,
        jwt,
        secret,
    ]);
    assert_eq!(check["valid"], true, "{check}");
    assert_eq!(check["header"], json!({"alg": "HS256", "typ": "JWT"}));
    let payload = &check["payload"];
    for (claim, value) in [
        ("user_id", "auth0|7"),
        ("email", "ada@example.com"),
        ("name", "Ada"),
        ("sub", "auth0|7"),
        ("aud", "target-api"),
        ("iss", "https://{your auth0 account}.auth0.com"),
    ] {
        assert_eq!(payload[claim], value, "{claim} in {payload}");
    }
    // expiresIn: '10h'.
    let iat = payload["iat"].as_i64().expect("iat");
    assert_eq!(payload["exp"].as_i64(), Some(iat + 10 * 3600), "{payload}");
    assert_eq!(payload.as_object().map(|o| o.len()), Some(8), "{payload}");
}

/// lodash's `_.find(collection, {key: value})`.
#[tokio::test]
async fn rule_facebook_custom_picture_finds_the_identity_with_lodash() {
    let identities = json!([
        {"provider": "google-oauth2", "user_id": "1077", "connection": "google-oauth2", "isSocial": true},
        {"provider": "facebook", "user_id": "10153", "connection": "facebook", "isSocial": true}
    ]);
    let user = json!({"user_id": "facebook|10153", "identities": identities});
    let answers = same_as_node(
        "rule-facebook-custom-picture.js",
        json!({}),
        &[
            (
                user.clone(),
                json!({"connection": "facebook", "idToken": {}}),
            ),
            (user, json!({"connection": "google-oauth2", "idToken": {}})),
        ],
    )
    .await;
    assert_eq!(
        answers[0]["context"]["idToken"]["picture"],
        "https://graph.facebook.com/v2.5/10153/picture?type=large"
    );
    assert_eq!(answers[1]["context"]["idToken"], json!({}));
}

/// `url.parse(…, true)` then `url.format` of the changed query.
#[tokio::test]
async fn rule_default_picture_rewrites_the_gravatar_default_with_url() {
    // The picture Auth0 gives a user without a Gravatar: its `d` is an
    // avatar on cdn.auth0.com.
    let null_avatar = "https://s.gravatar.com/avatar/7a8ec1f2b33c3d6b1f6bc0c5a3a93b57?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fad.png";
    let own = "https://lh3.googleusercontent.com/a/photo.jpg?sz=50&x=a%20b";
    let answers = same_as_node(
        "rule-default-picture-null-avatars.js",
        json!({}),
        &[
            (json!({"picture": null_avatar}), json!({})),
            (json!({"picture": own}), json!({})),
        ],
    )
    .await;
    assert_eq!(
        answers[0]["user"]["picture"],
        "https://s.gravatar.com/avatar/7a8ec1f2b33c3d6b1f6bc0c5a3a93b57?s=480&r=pg&d=URL_TO_YOUR_DEFAULT_PICTURE_HERE"
    );
    assert_eq!(answers[1]["user"]["picture"], own);
}

/// `toLocaleDateString('en-US', {timeZone: 'America/Chicago', weekday:
/// 'long'})` at the moment of the call: the server's answer is Node's for
/// the same day in Chicago.
#[tokio::test]
async fn rule_weekdays_only_decides_by_the_day_in_chicago() {
    let name = "rule-access-on-weekdays-only-for-an-app.js";
    let (_dir, server, token) = with_rule(name, &json!({})).await;
    let user = json!({"user_id": "auth0|1"});
    let context = json!({"clientName": "TheAppToCheckAccessTo"});
    let input = json!({"user": user, "context": context});
    // Node's answer before and after hookbox's must agree (else midnight in
    // Chicago fell between them: try again).
    let (got, expected) = loop {
        let before = node_rule(name, &input);
        let got = run_rule(&server, &token, &user, &context).await;
        if node_rule(name, &input) == before {
            break (got, before);
        }
    };
    assert_eq!(got, expected);
    let weekend = json!({"error": {"name": "UnauthorizedError", "message": "This app is available during the week"}});
    assert!(
        got == weekend || got == input,
        "either denied or unchanged: {got}"
    );
    // Another application is never checked.
    let other = json!({"clientName": "Another App"});
    let got = run_rule(&server, &token, &user, &other).await;
    assert_eq!(got, json!({"user": user, "context": other}));
}

/// The same rule at chosen instants (`hookbox run --now`), where the day in
/// Chicago is not the day in UTC: Node's weekday decides.
#[test]
fn rule_weekdays_only_uses_chicago_not_utc_at_a_chosen_instant() {
    let name = fixture("rule-access-on-weekdays-only-for-an-app.js");
    // Monday 05:00 UTC is Sunday in Chicago; Saturday 03:00 UTC is Friday
    // there; Saturday 18:00 UTC is Saturday in both.
    let instants = [
        "2024-01-15T05:00:00Z",
        "2024-01-13T03:00:00Z",
        "2024-01-13T18:00:00Z",
    ];
    let mut denied = Vec::new();
    for now in instants {
        let day = node(&[
            "-e",
            "process.stdout.write(JSON.stringify(new Date(process.argv[1]).toLocaleDateString('en-US', { timeZone: 'America/Chicago', weekday: 'long'})))",
            now,
        ]);
        let out = Command::new(env!("CARGO_BIN_EXE_hookbox"))
            .args([
                "run",
                &name,
                "--now",
                now,
                "--context",
                r#"{"clientName":"TheAppToCheckAccessTo"}"#,
            ])
            .env(
                "HOOKBOX_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/hookbox-cache"),
            )
            .output()
            .expect("hookbox runs");
        let out: Value = serde_json::from_slice(&out.stdout).expect("hookbox run prints JSON");
        let weekend = day == "Saturday" || day == "Sunday";
        if weekend {
            assert_eq!(out["outcome"], "error", "{now} ({day}): {out}");
            assert_eq!(out["error"]["name"], "UnauthorizedError");
            assert_eq!(
                out["error"]["message"],
                "This app is available during the week"
            );
        } else {
            assert_eq!(out["outcome"], "ok", "{now} ({day}): {out}");
        }
        denied.push(weekend);
    }
    assert_eq!(denied, [true, false, true]);
}
