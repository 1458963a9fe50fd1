//! Updates racing calls: once an update is acknowledged, no call that starts
//! afterwards runs what it replaced.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Returns its version as `user.v`.
fn versioned(version: u64) -> String {
    format!("function pipe(u, c, cb) {{ u.v = {version}; cb(null, u, c); }}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_each_acknowledged_update_every_new_call_runs_the_new_code() {
    const UPDATES: u64 = 100;
    const CALLERS: usize = 16;
    let dir = tempfile::tempdir().unwrap();
    // One cached function per cache: calls of the two functions evict each
    // other, so most calls load from the store while updates land, the path
    // where a load read just before a write can put back the old code.
    let server = Server::start_with(dir.path(), &[("HOOKBOX_CACHE_CAPACITY", "1")]);
    let token = server.admin_token().await;
    let target = server
        .deploy(&token, function("target", "PRE_REGISTER", &versioned(1)))
        .await;
    let other = server
        .deploy(&token, function("other", "PRE_REGISTER", &versioned(0)))
        .await;
    let target = target["funcId"].as_str().unwrap().to_string();
    let other = other["funcId"].as_str().unwrap().to_string();

    let acked = Arc::new(AtomicU64::new(1));
    let done = Arc::new(AtomicBool::new(false));
    let mut callers = Vec::new();
    for n in 0..CALLERS {
        let id = if n % 2 == 0 { &target } else { &other };
        let url = format!("{}/v1/functions/{id}/invoke", server.base);
        let checks = n % 2 == 0;
        let (token, acked, done) = (token.clone(), acked.clone(), done.clone());
        callers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut calls, mut stale) = (0u64, Vec::new());
            while !done.load(Ordering::SeqCst) {
                // The newest version acknowledged before this call was sent.
                let floor = acked.load(Ordering::SeqCst);
                let body: serde_json::Value = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"user": {}, "context": {}}))
                    .send()
                    .await
                    .expect("call sent")
                    .json()
                    .await
                    .expect("a JSON answer");
                assert_eq!(body["data"]["outcome"], "ok", "{body}");
                calls += 1;
                let v = body["data"]["user"]["v"].as_u64().expect("a version");
                if checks && v < floor {
                    stale.push((floor, v));
                }
            }
            (calls, stale)
        }));
    }
    for version in 2..=UPDATES + 1 {
        let (status, body) = server
            .call(
                Method::PATCH,
                &format!("/v1/functions/{target}"),
                &token,
                Some(json!({"sourceCode": versioned(version)})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "success", "{body}");
        acked.store(version, Ordering::SeqCst);
        // Let calls run against this version before the next update.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    done.store(true, Ordering::SeqCst);
    let (mut calls, mut stale) = (0, Vec::new());
    for c in callers {
        let (n, s) = c.await.unwrap();
        calls += n;
        stale.extend(s);
    }
    assert!(calls > UPDATES, "calls ran during the updates ({calls})");
    assert!(
        stale.is_empty(),
        "{} of {calls} calls ran code older than the acknowledged version \
         (acknowledged, ran; the first 10): {:?}",
        stale.len(),
        &stale[..stale.len().min(10)]
    );
    // And the last version is what runs now.
    let (_, body) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{target}/invoke"),
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(body["data"]["user"]["v"], UPDATES + 1, "{body}");
}
