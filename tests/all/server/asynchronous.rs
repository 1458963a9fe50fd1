//! Asynchronous functions: queued, never blocking, retried, durable.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn logs(server: &Server, token: &str, id: &str) -> Value {
    let (_, logs) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/logs?limit=50"),
            token,
            None,
        )
        .await;
    logs["data"].clone()
}

#[tokio::test]
async fn async_functions_are_queued_and_never_change_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let mut notify = function(
        "notify",
        "POST_REGISTER",
        "async function pipe(user, context, callback) {\n  console.log('notifying about', user.email);\n  user.hacked = true;\n  callback(null, user, context);\n}",
    );
    notify["isAsynchronous"] = json!(true);
    let notify = server.deploy(&token, notify).await;
    let nid = notify["funcId"].as_str().unwrap().to_string();
    let mut flaky = function(
        "flaky",
        "POST_REGISTER",
        "function pipe(u, c, cb) { cb(new Error('webhook down')); }",
    );
    flaky["isAsynchronous"] = json!(true);
    let flaky = server.deploy(&token, flaky).await;
    let fid = flaky["funcId"].as_str().unwrap().to_string();

    let (status, out) = server
        .call(
            Method::POST,
            "/v1/scenes/POST_REGISTER/run",
            &token,
            Some(json!({"user": {"email": "ada@example.com"}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(out["data"]["outcome"], "ok");
    assert_eq!(out["data"]["queued"], json!([nid, fid]));
    assert!(
        out["data"]["user"].get("hacked").is_none(),
        "async functions never change the result"
    );
    assert_eq!(out["data"]["steps"].as_array().unwrap().len(), 0);

    let ran = eventually("the async function's log", || async {
        let l = logs(&server, &token, &nid).await;
        (l["totalCount"] == 1).then_some(l)
    })
    .await;
    assert_eq!(ran["list"][0]["outcome"], "ok");
    assert_eq!(ran["list"][0]["isAsync"], true);
    assert_eq!(
        ran["list"][0]["logs"][0]["message"],
        "notifying about ada@example.com"
    );

    // A failing async function is retried with backoff, then given up: five attempts, each logged.
    let failed = eventually("five attempts of the flaky function", || async {
        let l = logs(&server, &token, &fid).await;
        (l["totalCount"] == 5).then_some(l)
    })
    .await;
    let attempts: Vec<u64> = failed["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, vec![5, 4, 3, 2, 1]);
    let metrics = server.metrics().await;
    assert!(metrics.contains("hookbox_queue_depth 0"), "{metrics}");
}

#[tokio::test]
async fn queued_jobs_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // First process: no worker, so the jobs stay queued.
    let server = Server::start_with(dir.path(), &[("HOOKBOX_WORKER", "false")]);
    let token = server.admin_token().await;
    let mut spec = function(
        "audit",
        "POST_AUTHENTICATION",
        "function pipe(u, c, cb) { console.log('audit', u.id); cb(null, u, c); }",
    );
    spec["isAsynchronous"] = json!(true);
    let f = server.deploy(&token, spec).await;
    let id = f["funcId"].as_str().unwrap().to_string();
    for n in 0..3 {
        let (status, _) = server
            .call(
                Method::POST,
                "/v1/scenes/POST_AUTHENTICATION/run",
                &token,
                Some(json!({"user": {"id": n}, "context": {}})),
            )
            .await;
        assert_eq!(status, 200);
    }
    assert!(server.metrics().await.contains("hookbox_queue_depth 3"));
    server.kill();

    // Second process, same data dir, worker on: the queue resumes.
    let server = Server::start(dir.path());
    assert!(
        server.default_key.is_none(),
        "the key pair is printed on the first start only"
    );
    // Tokens are signed with a key kept in the data dir: the old one still works.
    let ran = eventually("three audit runs after restart", || async {
        let l = logs(&server, &token, &id).await;
        (l["totalCount"] == 3).then_some(l)
    })
    .await;
    let mut seen: Vec<String> = ran["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["logs"][0]["message"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    assert_eq!(seen, vec!["audit 0", "audit 1", "audit 2"]);
}
