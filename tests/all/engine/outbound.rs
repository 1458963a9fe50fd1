//! The `hookbox.http` host call, with outbound implementations made here: the
//! engine's own bounds (count, body size, the call's deadline) hold whatever
//! the embedder's network does.

use crate::common::*;
use hookbox_engine::{
    Input, Limits, Outbound, OutboundError, OutboundFuture, OutboundRequest, OutboundResponse,
    OutcomeKind,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Answers every request with its own method, URL and body, and remembers them.
#[derive(Default)]
struct Echo {
    seen: Mutex<Vec<OutboundRequest>>,
}

impl Outbound for Echo {
    fn send(&self, request: OutboundRequest) -> OutboundFuture {
        self.seen.lock().unwrap().push(request.clone());
        let body = json!({"method": request.method, "url": request.url, "body": request.body, "headers": request.headers});
        Box::pin(async move {
            Ok(OutboundResponse {
                status: 200,
                status_text: "OK".into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.to_string(),
                url: request.url,
                redirected: false,
            })
        })
    }
}

/// Never answers; counts how many of its futures were dropped.
#[derive(Default)]
struct Never {
    dropped: Arc<AtomicUsize>,
}

struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Outbound for Never {
    fn send(&self, _: OutboundRequest) -> OutboundFuture {
        let guard = CountDrop(self.dropped.clone());
        Box::pin(async move {
            let _guard = guard;
            std::future::pending::<Result<OutboundResponse, OutboundError>>().await
        })
    }
}

async fn run_out(
    source: &str,
    outbound: Option<Arc<dyn Outbound>>,
    limits: &Limits,
) -> hookbox_engine::Outcome {
    let artifact = compile(source).await;
    engine()
        .invoke_with(&artifact, &Input::default(), limits, outbound)
        .await
        .expect("invoke runs")
}

#[tokio::test]
async fn without_an_outbound_every_request_is_refused() {
    let out = run(
        "exports.handler = async () => { try { await fetch('https://example.com/'); } catch (e) { return [e.message, e.code]; } };",
        &Input::default(),
    )
    .await;
    assert_eq!(
        out.result,
        json!(["outbound: this sandbox has no network access", "EOUTBOUND"])
    );
    assert_eq!(
        out.logs[0].message,
        "outbound: this sandbox has no network access"
    );
}

#[tokio::test]
async fn the_clients_shape_requests_for_the_host() {
    let echo = Arc::new(Echo::default());
    let source = r#"
const axios = require('axios');
const request = require('request');
exports.handler = async () => {
  const api = axios.create({ baseURL: 'https://api.example.com/v1/', headers: { 'X-Api-Key': 'k' } });
  const a = await api.put('/users/1', { name: 'ada' }, { params: { dry: true }, auth: { username: 'u', password: 'p' } });
  const f = await fetch('https://example.com/f', { method: 'delete', headers: new Headers([['x-a', '1'], ['x-a', '2']]) });
  const r = await new Promise((resolve, reject) =>
    request({ method: 'PATCH', uri: 'https://example.com/r', qs: { a: 1 }, body: { b: 2 }, json: true, auth: { bearer: 't' } },
      (err, res, body) => (err ? reject(err) : resolve([res.statusCode, body]))));
  return { a: a.data, aHeaders: a.headers['content-type'], f: await f.json(), r };
};"#;
    let out = run_out(source, Some(echo.clone()), &Limits::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let seen = echo.seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].url, "https://api.example.com/v1/users/1?dry=true");
    assert_eq!(seen[0].body.as_deref(), Some(r#"{"name":"ada"}"#));
    let h = &seen[0].headers;
    let header = |name: &str| h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(header("x-api-key"), Some("k"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert_eq!(header("authorization"), Some("Basic dTpw"));
    assert_eq!(seen[1].method, "DELETE");
    assert_eq!(
        seen[1].headers,
        vec![("x-a".to_string(), "1, 2".to_string())]
    );
    assert_eq!(seen[2].method, "PATCH");
    assert_eq!(seen[2].url, "https://example.com/r?a=1");
    assert_eq!(seen[2].body.as_deref(), Some(r#"{"b":2}"#));
    assert_eq!(out.result["aHeaders"], "application/json");
    assert_eq!(out.result["a"]["method"], "PUT");
    assert_eq!(out.result["f"]["method"], "DELETE");
    assert_eq!(out.result["r"][0], 200);
    assert_eq!(out.result["r"][1]["method"], "PATCH");
}

#[tokio::test]
async fn the_deadline_interrupts_a_guest_waiting_on_the_host() {
    let never = Arc::new(Never::default());
    let out = run_out(
        "async function pipe(u, c, cb) { await fetch('https://slow.example/'); cb(null, u, c); }",
        Some(never.clone()),
        &limits_secs(1),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Timeout, "{out:?}");
    assert_eq!(out.error.unwrap().name, "TimeoutError");
    assert_eq!(
        never.dropped.load(Ordering::SeqCst),
        1,
        "the request was dropped"
    );
}

#[tokio::test]
async fn a_call_makes_at_most_ten_requests() {
    let echo = Arc::new(Echo::default());
    let out = run_out(
        "exports.handler = async () => { const out = []; for (let i = 0; i < 12; i++) { try { await fetch('https://e.example/' + i); out.push('ok'); } catch (e) { out.push(e.message); } } return out; };",
        Some(echo.clone()),
        &Limits::default(),
    )
    .await;
    let r = out.result.as_array().unwrap();
    assert_eq!(r.iter().filter(|v| *v == "ok").count(), 10);
    assert_eq!(r[10], "outbound: a call may make at most 10 requests");
    assert_eq!(echo.seen.lock().unwrap().len(), 10);
}
