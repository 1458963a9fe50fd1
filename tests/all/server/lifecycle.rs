//! The tour a new user takes, and upload-time compile errors.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn full_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source =
        std::fs::read_to_string(crate::common::example("authing-email-whitelist.js")).unwrap();

    let f = server
        .deploy(&token, function("email whitelist", "PRE_REGISTER", &source))
        .await;
    assert_eq!(f["status"], "success", "{f}");
    assert_eq!(f["timeout"], 3);
    assert_eq!(f["enabled"], true);
    let id = f["funcId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 24);

    let (status, env) = server
        .call(
            Method::PUT,
            "/v1/env/ALLOWED_DOMAINS",
            &token,
            Some(json!({"value": "example.com"})),
        )
        .await;
    assert_eq!(status, 200, "{env}");

    let (status, got) = server
        .call(Method::GET, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["data"]["sourceCode"], source);
    assert_eq!(got["statusCode"], 200);
    assert!(got["requestId"].as_str().unwrap().len() >= 8);

    let (_, list) = server
        .call(
            Method::GET,
            "/v1/functions?scene=PRE_REGISTER",
            &token,
            None,
        )
        .await;
    assert_eq!(list["data"]["totalCount"], 1);
    let (_, other) = server
        .call(
            Method::GET,
            "/v1/functions?scene=POST_REGISTER",
            &token,
            None,
        )
        .await;
    assert_eq!(other["data"]["totalCount"], 0);

    let run = |email: &'static str| {
        let server = &server;
        let token = &token;
        async move {
            server
                .call(
                    Method::POST,
                    "/v1/scenes/PRE_REGISTER/run",
                    token,
                    Some(json!({"user": {"email": email}, "context": {"ip": "1.2.3.4"}})),
                )
                .await
        }
    };
    let (status, allowed) = run("ada@example.com").await;
    assert_eq!(status, 200);
    assert_eq!(allowed["data"]["outcome"], "ok", "{allowed}");
    assert_eq!(allowed["data"]["user"]["email"], "ada@example.com");
    assert_eq!(allowed["data"]["steps"][0]["funcId"], id.as_str());

    let (status, denied) = run("eve@evil.test").await;
    assert_eq!(status, 200, "a deny is a verdict, not a failed request");
    assert_eq!(denied["data"]["outcome"], "error");
    assert_eq!(denied["data"]["error"]["message"], "Access denied.");
    assert_eq!(denied["data"]["stoppedBy"], id.as_str());

    let (status, invoked) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/invoke"),
            &token,
            Some(json!({"user": {"email": "bob@example.com"}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(invoked["data"]["outcome"], "ok");
    assert!(invoked["data"]["durationUs"].as_u64().is_some());

    let logs = eventually("three invocation logs", || async {
        let (_, logs) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{id}/logs?limit=10"),
                &token,
                None,
            )
            .await;
        (logs["data"]["totalCount"] == 3).then_some(logs)
    })
    .await;
    let list = logs["data"]["list"].as_array().unwrap();
    assert_eq!(list[0]["outcome"], "ok", "newest first: the direct invoke");
    assert_eq!(list[1]["outcome"], "error");
    assert_eq!(list[0]["requestId"], invoked["requestId"]);

    let (status, patched) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"timeout": 10, "enabled": false})),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["data"]["timeout"], 10);
    assert_eq!(patched["data"]["version"], 2);
    let (_, skipped) = run("eve@evil.test").await;
    assert_eq!(
        skipped["data"]["outcome"], "ok",
        "a disabled function is skipped"
    );
    assert_eq!(skipped["data"]["steps"].as_array().unwrap().len(), 0);

    let metrics = server.metrics().await;
    assert!(
        metrics.contains(
            "hookbox_invocations_total{tenant=\"default\",scene=\"PRE_REGISTER\",outcome=\"ok\"}"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("hookbox_compile_duration_seconds"));

    let (status, _) = server
        .call(Method::DELETE, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(status, 200);
    let (status, gone) = server
        .call(Method::GET, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(gone["statusCode"], 404);
    server.stop();
}

#[tokio::test]
async fn compile_failure_is_reported_at_upload_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let f = server
        .deploy(
            &token,
            function(
                "broken",
                "PRE_REGISTER",
                "async function pipe(user, context, callback) {\n  const = 1;\n}",
            ),
        )
        .await;
    assert_eq!(f["status"], "failed");
    let msg = f["uploadErrMsg"].as_str().unwrap();
    assert!(
        msg.contains("SyntaxError") && msg.contains("line 2"),
        "{msg}"
    );
    let id = f["funcId"].as_str().unwrap();

    let (status, got) = server
        .call(Method::GET, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(
        (status.as_u16(), got["data"]["status"].as_str()),
        (200, Some("failed"))
    );
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(run["data"]["outcome"], "ok", "a failed function never runs");
    let (status, _) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/invoke"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 409);

    // Fixing the source recompiles it.
    let (_, fixed) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"sourceCode": "async function pipe(u, c, cb) { cb(null, u, c) }"})),
        )
        .await;
    assert_eq!(fixed["data"]["status"], "success");
    assert!(fixed["data"]["uploadErrMsg"].is_null());
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let (status, out) = server
        .call(
            Method::POST,
            "/v1/run",
            &token,
            Some(json!({"sourceCode": "exports.handler = (e) => e.n + 1;", "event": {"n": 1}})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["data"]["result"], 2);
    let (_, list) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(list["data"]["totalCount"], 0);
    let (status, bad) = server
        .call(
            Method::POST,
            "/v1/run",
            &token,
            Some(json!({"sourceCode": "function (", "timeout": 3})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        bad["message"].as_str().unwrap().starts_with("sourceCode:"),
        "{bad}"
    );
}
