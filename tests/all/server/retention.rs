//! What the server keeps of invocation logs is bounded per tenant.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;

/// One tenant's logs beyond the cap: the oldest go, the newest stay, the
/// count of deleted logs is in `/metrics`, and another tenant keeps all of its.
#[tokio::test]
async fn a_tenants_logs_over_its_size_cap_lose_the_oldest_first() {
    const CALLS: u64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("HOOKBOX_LOG_MAX_MB", "1")]);
    let token = server.admin_token().await;
    let (_, created) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(br#"{"name":"Quiet","id":"quiet"}"#.to_vec()),
        )
        .await;
    let quiet = server
        .token_for(
            created["data"]["accessKeyId"].as_str().unwrap(),
            created["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    // About 8 KB of log per call: 300 calls are 2.4 MB against a 1 MiB cap.
    let source = "function pipe(u, c, cb) { console.log('call ' + u.n + ' ' + 'x'.repeat(8000)); cb(null, u, c); }";
    let loud = server
        .deploy_id(&token, "loud", "PRE_REGISTER", source)
        .await;
    let calm = server
        .deploy_id(&quiet, "calm", "PRE_REGISTER", source)
        .await;
    let input = |n: u64| json!({"user": {"n": n}, "context": {}});
    for n in 0..CALLS {
        server.invoke(&token, &loud, input(n)).await;
    }
    for n in 0..20 {
        server.invoke(&quiet, &calm, input(n)).await;
    }

    let dropped = |metrics: &str| dropped_for(metrics, "default");
    // Every call is either stored or counted as dropped, once written, and
    // the cap holds once the last batch is trimmed (it is written first:
    // until its trim, a tenant may be over by up to one batch).
    let (kept, dropped) = eventually(
        "every log written or dropped, and at most 1 MiB of 8 KB logs kept",
        || {
            let server = &server;
            let (token, loud) = (token.clone(), loud.clone());
            async move {
                let kept = server.logs(&token, &loud, "limit=1").await["totalCount"]
                    .as_u64()
                    .unwrap();
                let dropped = dropped(&server.metrics().await);
                (kept + dropped == CALLS && kept * 8000 <= 1024 * 1024).then_some((kept, dropped))
            }
        },
    )
    .await;
    assert!(dropped > 0, "the cap deleted logs");
    assert!(
        kept >= 100,
        "the cap keeps about 1 MiB of logs, not less ({kept})"
    );
    // Exactly the newest calls' logs are kept: calls `dropped` .. CALLS. The
    // check above allows a tenant one batch over the cap until that batch's
    // trim, so a trim may still land while the pages are read: a snapshot
    // counts only when the dropped count did not move while it was taken.
    let (kept_calls, dropped) = eventually("a stable snapshot of the kept logs", || {
        let server = &server;
        let (token, loud) = (token.clone(), loud.clone());
        async move {
            let before = dropped_for(&server.metrics().await, "default");
            let mut kept_calls = Vec::new();
            for page in 1..=(CALLS - before).div_ceil(100) {
                let body = server
                    .logs(&token, &loud, &format!("limit=100&page={page}"))
                    .await;
                for l in body["list"].as_array().unwrap() {
                    let line = l["logs"][0]["message"].as_str().unwrap();
                    let n: u64 = line.split(' ').nth(1).unwrap().parse().unwrap();
                    kept_calls.push(n);
                }
            }
            kept_calls.sort();
            let after = dropped_for(&server.metrics().await, "default");
            (before == after && kept_calls.len() as u64 + after == CALLS)
                .then_some((kept_calls, after))
        }
    })
    .await;
    assert_eq!(kept_calls, (dropped..CALLS).collect::<Vec<_>>());
    // Logs are written in the background: wait until the other tenant's are
    // in, then check that none were dropped (no log of it is ever dropped,
    // so waiting for 20 cannot hide a loss, only a slow writer).
    eventually("another tenant keeps every log", || async {
        (server.logs(&quiet, &calm, "limit=1").await["totalCount"] == 20).then_some(())
    })
    .await;
    assert_eq!(
        dropped_for(&server.metrics().await, "quiet"),
        0,
        "nothing of the other tenant was dropped"
    );
}

/// `hookbox_invocation_logs_dropped_total` of `tenant` in a /metrics text.
fn dropped_for(metrics: &str, tenant: &str) -> u64 {
    let prefix = format!("hookbox_invocation_logs_dropped_total{{tenant=\"{tenant}\"}}");
    metrics
        .lines()
        .find(|l| l.starts_with(&prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
