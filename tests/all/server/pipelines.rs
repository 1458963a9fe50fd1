//! Scene pipelines: order, threading, deny, timeouts.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn run(server: &Server, token: &str, scene: &str, user: Value) -> Value {
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/scenes/{scene}/run"),
            token,
            Some(json!({"user": user, "context": {"n": 0}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

fn id(f: &Value) -> String {
    f["funcId"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn functions_thread_user_and_context_in_order_and_reorder() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let step = |tag: &str| {
        format!(
            "async function pipe(user, context, callback) {{\n  user.trail = (user.trail || '') + '{tag}';\n  context.n += 1;\n  user.addIdToken('last', '{tag}');\n  callback(null, user, context);\n}}"
        )
    };
    let a = server
        .deploy(&token, function("a", "POST_AUTHENTICATION", &step("A")))
        .await;
    let b = server
        .deploy(&token, function("b", "POST_AUTHENTICATION", &step("B")))
        .await;
    let c = server
        .deploy(&token, function("c", "POST_AUTHENTICATION", &step("C")))
        .await;

    let out = run(&server, &token, "POST_AUTHENTICATION", json!({"id": 1})).await;
    assert_eq!(out["outcome"], "ok");
    assert_eq!(out["user"]["trail"], "ABC");
    assert_eq!(out["context"]["n"], 3);
    assert_eq!(out["tokens"]["idToken"]["last"], "C");
    assert_eq!(out["steps"].as_array().unwrap().len(), 3);

    let (status, order) = server
        .call(
            Method::PUT,
            "/v1/scenes/POST_AUTHENTICATION/order",
            &token,
            Some(json!({"order": [id(&c), id(&a), id(&b)]})),
        )
        .await;
    assert_eq!(status, 200, "{order}");
    let out = run(&server, &token, "POST_AUTHENTICATION", json!({"id": 1})).await;
    assert_eq!(out["user"]["trail"], "CAB");
    assert_eq!(out["tokens"]["idToken"]["last"], "B");

    // An order that is not a permutation of the scene's functions is refused.
    let (status, bad) = server
        .call(
            Method::PUT,
            "/v1/scenes/POST_AUTHENTICATION/order",
            &token,
            Some(json!({"order": [id(&a)]})),
        )
        .await;
    assert_eq!(status, 400, "{bad}");
    let out = run(&server, &token, "POST_AUTHENTICATION", json!({})).await;
    assert_eq!(
        out["user"]["trail"], "CAB",
        "a refused order changes nothing"
    );
}

#[tokio::test]
async fn deny_stops_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    server
        .deploy(
            &token,
            function(
                "tag",
                "PRE_AUTHENTICATION",
                "function pipe(u, c, cb) { u.tagged = true; cb(null, u, c); }",
            ),
        )
        .await;
    let deny = server
        .deploy(
            &token,
            function(
                "deny blocked",
                "PRE_AUTHENTICATION",
                "async function pipe(user, context, callback) {\n  if (user.blocked) return callback(new UnauthorizedError('account blocked'));\n  callback(null, user, context);\n}",
            ),
        )
        .await;
    server
        .deploy(
            &token,
            function(
                "after",
                "PRE_AUTHENTICATION",
                "function pipe(u, c, cb) { u.after = true; cb(null, u, c); }",
            ),
        )
        .await;

    let out = run(
        &server,
        &token,
        "PRE_AUTHENTICATION",
        json!({"blocked": true}),
    )
    .await;
    assert_eq!(out["outcome"], "error");
    assert_eq!(out["error"]["name"], "UnauthorizedError");
    assert_eq!(out["error"]["message"], "account blocked");
    assert_eq!(out["stoppedBy"], id(&deny).as_str());
    assert_eq!(
        out["steps"].as_array().unwrap().len(),
        2,
        "the third never ran"
    );
    assert_eq!(out["user"]["tagged"], true);
    assert!(out["user"].get("after").is_none());

    let out = run(
        &server,
        &token,
        "PRE_AUTHENTICATION",
        json!({"blocked": false}),
    )
    .await;
    assert_eq!(out["outcome"], "ok");
    assert_eq!(out["user"]["after"], true);
}

#[tokio::test]
async fn timeouts_skip_or_stop_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let spin = "function pipe(u, c, cb) { u.changed = true; for (;;) {} }";
    let mut slow = function("slow", "PRE_COMPLETE_USER_INFO", spin);
    slow["timeout"] = json!(1);
    let slow = server.deploy(&token, slow).await;
    server
        .deploy(
            &token,
            function(
                "next",
                "PRE_COMPLETE_USER_INFO",
                "function pipe(u, c, cb) { u.next = true; cb(null, u, c); }",
            ),
        )
        .await;

    let out = run(&server, &token, "PRE_COMPLETE_USER_INFO", json!({"id": 7})).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["steps"][0]["outcome"], "timeout");
    assert_eq!(
        out["user"],
        json!({"id": 7, "next": true}),
        "the timed-out function's changes are dropped"
    );

    let (status, _) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{}", id(&slow)),
            &token,
            Some(json!({"terminateOnTimeout": true})),
        )
        .await;
    assert_eq!(status, 200);
    let out = run(&server, &token, "PRE_COMPLETE_USER_INFO", json!({"id": 7})).await;
    assert_eq!(out["outcome"], "timeout");
    assert_eq!(out["error"]["name"], "TimeoutError");
    assert_eq!(out["steps"].as_array().unwrap().len(), 1);
}
