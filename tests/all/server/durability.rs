//! Data survives restarts and crashes.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;
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
