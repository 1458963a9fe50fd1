//! Data survives restarts and crashes.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn data_survives_a_restart_and_the_cold_start_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let f = server
        .deploy(
            &token,
            function(
                "keep",
                "PRE_REGISTER",
                "function pipe(u, c, cb) { u.kept = env.K; cb(null, u, c); }",
            ),
        )
        .await;
    server
        .call(
            Method::PUT,
            "/v1/env/K",
            &token,
            Some(json!({"value": "v1"})),
        )
        .await;
    server.stop();

    let server = Server::start(dir.path());
    let (status, got) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{}", f["funcId"].as_str().unwrap()),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["data"]["funcName"], "keep");
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(run["data"]["user"]["kept"], "v1");
}

#[tokio::test]
async fn sigkill_during_an_upload_burst_keeps_every_acknowledged_upload() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (base, token, acked) = (server.base.clone(), token.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..1000 {
                let spec = function(
                    &format!("f{worker}-{n}"),
                    "PRE_REGISTER",
                    "function pipe(u, c, cb) { cb(null, u, c); }",
                );
                let Ok(resp) = reqwest::Client::new()
                    .post(format!("{base}/v1/functions"))
                    .bearer_auth(&token)
                    .json(&spec)
                    .send()
                    .await
                else {
                    return;
                };
                if resp.status() != 200 {
                    return;
                }
                let Ok(body) = resp.json::<serde_json::Value>().await else {
                    return;
                };
                acked
                    .lock()
                    .unwrap()
                    .push(body["data"]["funcId"].as_str().unwrap().to_string());
            }
        }));
    }
    // Let a burst get going, then crash the server in the middle of it.
    eventually("some acknowledged uploads", || async {
        (acked.lock().unwrap().len() >= 40).then_some(())
    })
    .await;
    server.kill();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();

    let server = Server::start(dir.path());
    let (status, list) = server
        .call(
            Method::GET,
            "/v1/functions?scene=PRE_REGISTER",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "the store opens after a crash");
    let stored: Vec<&str> = list["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["funcId"].as_str().unwrap())
        .collect();
    for id in &acked {
        assert!(
            stored.contains(&id.as_str()),
            "acknowledged upload {id} lost ({} acked, {} stored)",
            acked.len(),
            stored.len()
        );
    }
}

/// The bundled plugin with an extra custom section: behaves the same, hashes
/// differently, as a new plugin build would.
pub(crate) fn another_plugin_build(dir: &std::path::Path) -> std::path::PathBuf {
    let mut wasm = hookbox_engine::BUNDLED_PLUGIN.to_vec();
    let name = b"hookbox-test-build";
    let payload = b"2";
    let size = 1 + name.len() + payload.len();
    wasm.push(0); // custom section id
    wasm.push(size as u8); // LEB128, < 128
    wasm.push(name.len() as u8);
    wasm.extend_from_slice(name);
    wasm.extend_from_slice(payload);
    let path = dir.join("plugin-v2.wasm");
    std::fs::write(&path, wasm).unwrap();
    path
}

#[tokio::test]
async fn artifacts_of_an_older_plugin_are_rebuilt_from_source_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    server
        .deploy(
            &token,
            function(
                "v1",
                "PRE_REGISTER",
                "function pipe(u, c, cb) { u.ran = true; cb(null, u, c); }",
            ),
        )
        .await;
    let health = |s: &Server| {
        let url = format!("{}/healthz", s.base);
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let old_plugin = health(&server).await["plugin"].clone();
    server.stop();

    let plugins = tempfile::tempdir().unwrap();
    let path = another_plugin_build(plugins.path());
    let server = Server::start_with(dir.path(), &[("HOOKBOX_PLUGIN", path.to_str().unwrap())]);
    assert_ne!(
        health(&server).await["plugin"],
        old_plugin,
        "the server runs a different plugin build"
    );
    // The stored artifact names the old plugin; the engine refuses to run
    // such an artifact, so this call succeeds only if it was rebuilt.
    let (status, run) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["data"]["user"]["ran"], true);
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_calls() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    // Busy for about half a second of wall-clock time, then answers.
    let f = server
        .deploy(
            &token,
            function(
                "slow",
                "PRE_REGISTER",
                "function pipe(u, c, cb) { const until = Date.now() + 500; while (Date.now() < until) {} u.done = true; cb(null, u, c); }",
            ),
        )
        .await;
    let url = format!(
        "{}/v1/functions/{}/invoke",
        server.base,
        f["funcId"].as_str().unwrap()
    );
    let in_flight = tokio::spawn({
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"user": {}, "context": {}}))
                .send()
                .await
                .expect("the in-flight call is answered")
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    server.stop(); // SIGTERM, waits for exit 0
    let body = in_flight.await.unwrap();
    assert_eq!(body["data"]["outcome"], "ok", "{body}");
    assert_eq!(body["data"]["user"]["done"], true);
}

/// A function that logs `call N` for its input's `n`, and 40 concurrent
/// calls of it, each answered: gives the function's id.
async fn a_burst_of_logged_calls(server: &Server, token: &str) -> String {
    let id = server
        .deploy_id(
            token,
            "burst",
            "PRE_REGISTER",
            "function pipe(u, c, cb) { console.log('call ' + u.n); cb(null, u, c); }",
        )
        .await;
    let calls =
        (0..40).map(|n| server.invoke(token, &id, json!({"user": {"n": n}, "context": {}})));
    futures_util::future::join_all(calls).await;
    id
}

/// After a restart, the server holds one log for each of the burst's calls.
fn assert_every_call_logged(logs: &Value, what: &str) {
    assert_eq!(logs["totalCount"], 40, "{what}: {logs}");
    let mut seen: Vec<&str> = logs["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["logs"][0]["message"].as_str().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 40, "{what}: one log per call: {seen:?}");
}

#[tokio::test]
async fn a_graceful_stop_right_after_a_burst_keeps_every_invocation_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    // Logs are written in batches after a short linger: stop inside it.
    let id = a_burst_of_logged_calls(&server, &token).await;
    server.stop();

    let server = Server::start(dir.path());
    let logs = server.logs(&token, &id, "limit=100").await;
    assert_every_call_logged(&logs, "a graceful stop");
}

/// The loss window the README states for invocation logs with the default
/// policy: the writer's 20 ms linger plus at most 30 ms before a disk sync
/// (on PostgreSQL, a 50 ms linger and durable commits).
const LOG_LOSS_BOUND: std::time::Duration = std::time::Duration::from_millis(50);
/// What writing and syncing a batch may add to it on a busy test machine.
const IO_ALLOWANCE: std::time::Duration = std::time::Duration::from_millis(250);

#[tokio::test]
async fn sigkill_once_the_stated_bound_has_passed_keeps_every_invocation_log() {
    let dir = tempfile::tempdir().unwrap();
    // No background syncs: only the log writer's own policy can make these
    // logs durable in time.
    let server = Server::start_with(dir.path(), &[("HOOKBOX_STORE_FLUSH_MS", "0")]);
    let token = server.admin_token().await;
    let id = a_burst_of_logged_calls(&server, &token).await;
    tokio::time::sleep(LOG_LOSS_BOUND + IO_ALLOWANCE).await;
    server.kill();

    let server = Server::start(dir.path());
    let logs = server.logs(&token, &id, "limit=100").await;
    assert_every_call_logged(&logs, "every call answered before the bound keeps its log");
}
