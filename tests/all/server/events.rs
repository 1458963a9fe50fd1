//! Events and HTTP functions against real receivers on 127.0.0.1 (servers
//! run with `--outbound-allow-private loopback`): deliveries in order per
//! function, signed, retried after 500s and timeouts, kept when they fail and
//! replayed, at least once across a SIGKILL; HTTP functions deciding a
//! scene run; function sessions that verify against the JWKS and open
//! nothing inside hookbox. The signatures are checked with a Standard
//! Webhooks library in `tests/sdk/webhooks_node.js`.

use crate::server_harness::*;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: BTreeMap<String, String>,
    body: Value,
}

/// A receiver: records every request; `/fail/{n}` answers 500 to its first
/// `n` requests, `/never` never answers, `/to-private` redirects to a
/// link-local address, `/scene` decides a registration.
#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<Got>>,
    failed: AtomicUsize,
    /// While set, `/ok` answers 503 (a receiver that is down).
    down: std::sync::atomic::AtomicBool,
}

impl Receiver {
    fn to(&self, path: &str) -> Vec<Got> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.path == path)
            .cloned()
            .collect()
    }
}

async fn receive(State(r): State<Arc<Receiver>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let got = Got {
        path: path.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    r.got.lock().unwrap().push(got.clone());
    match path.as_str() {
        "/ok" if r.down.load(Ordering::SeqCst) => {
            (StatusCode::SERVICE_UNAVAILABLE, "down").into_response()
        }
        "/ok" => axum::Json(json!({"received": true})).into_response(),
        p if p.starts_with("/fail/") => {
            let n: usize = p["/fail/".len()..].parse().unwrap();
            if r.failed.fetch_add(1, Ordering::SeqCst) < n {
                (StatusCode::INTERNAL_SERVER_ERROR, "try later").into_response()
            } else {
                axum::Json(json!({"received": true})).into_response()
            }
        }
        "/never" => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            "late".into_response()
        }
        "/to-private" => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, "http://169.254.169.254/latest/meta-data/")],
        )
            .into_response(),
        "/scene" => {
            let user = &got.body["user"];
            if user["email"]
                .as_str()
                .is_some_and(|e| e.ends_with("@blocked.example"))
            {
                axum::Json(json!({"error": {"message": "registrations from blocked.example are closed", "code": "blocked"}}))
                    .into_response()
            } else {
                let mut user = user.clone();
                user["vetted"] = json!(true);
                axum::Json(json!({"user": user})).into_response()
            }
        }
        "/not-json" => "hello".into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn receiver() -> (u16, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    let app = axum::Router::new().fallback(receive).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, r)
}

/// A server that may call loopback receivers, and an admin token for it.
async fn hookbox(dir: &std::path::Path, extra: &[(&str, &str)]) -> (Server, String) {
    let mut env = vec![("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", "loopback")];
    env.extend_from_slice(extra);
    let server = Server::start_with(dir, &env);
    let token = match &server.default_key {
        Some(_) => server.admin_token().await,
        None => String::new(),
    };
    (server, token)
}

/// A server, an admin token, and a receiver on the tenant's allow-list.
async fn with_receiver() -> (tempfile::TempDir, Server, String, u16, Arc<Receiver>) {
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = hookbox(dir.path(), &[]).await;
    let (port, rx) = receiver().await;
    allow_port(&server, &token, port).await;
    (dir, server, token, port, rx)
}

async fn allow_port(server: &Server, token: &str, port: u16) {
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/outbound",
            token,
            Some(json!({"allow": [format!("127.0.0.1:{port}")]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Creates an HTTP function; gives its id and its secrets.
async fn http_function(server: &Server, token: &str, spec: Value) -> (String, Value) {
    let made = server.deploy(token, spec).await;
    let id = made["funcId"].as_str().unwrap().to_string();
    let secrets = made["webhookSecrets"].clone();
    assert!(
        secrets["signingSecret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_")),
        "{made}"
    );
    (id, secrets)
}

async fn publish(server: &Server, token: &str, event: Value) -> Value {
    let (status, body) = server
        .call(Method::POST, "/v1/events", token, Some(event))
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

async fn deliveries(server: &Server, token: &str, query: &str) -> Vec<Value> {
    let (status, body) = server
        .call(Method::GET, &format!("/v1/deliveries?{query}"), token, None)
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["list"].as_array().unwrap().clone()
}

fn login(n: u64) -> Value {
    json!({"event": 2000, "data": {"user_id": format!("u{n}"), "email": format!("u{n}@example.com"), "n": n}})
}

/// Every subscribed function gets the event, each in the order the events
/// were sent: an HTTP function as a signed POST with `_secret` and
/// `_function_session`, a JS function as its handler's `event`. Functions
/// that do not handle it, or are disabled, get nothing.
#[tokio::test]
async fn events_reach_every_subscribed_function_in_order() {
    let (_dir, server, token, port, rx) = with_receiver().await;
    let (hook, secrets) = http_function(
        &server,
        &token,
        json!({"funcName": "crm sync", "scene": "events", "url": format!("http://127.0.0.1:{port}/ok"),
               "events": ["AUTH_LOGIN", 2001]}),
    )
    .await;
    let mut js = function(
        "audit",
        "events",
        "exports.handler = async (event) => { console.log('saw', event.type, event.event, event.data.n); return {}; }",
    );
    js["events"] = json!([2000]);
    let js = server.deploy(&token, js).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let mut off = function("off", "events", "exports.handler = async () => ({})");
    off["events"] = json!([2000]);
    off["enabled"] = json!(false);
    server.deploy(&token, off).await;
    let mut other = function("other", "events", "exports.handler = async () => ({})");
    other["events"] = json!([1000]);
    server.deploy(&token, other).await;

    let mut ids = Vec::new();
    for n in 0..12 {
        let queued = publish(&server, &token, login(n)).await;
        let list = queued["deliveries"].as_array().unwrap();
        let mut to: Vec<&str> = list.iter().map(|d| d["funcId"].as_str().unwrap()).collect();
        to.sort();
        let mut expected = vec![hook.as_str(), js.as_str()];
        expected.sort();
        assert_eq!(to, expected, "only the enabled subscribers: {queued}");
        ids.push(
            list.iter().find(|d| d["funcId"] == hook.as_str()).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let got = eventually("12 deliveries to the receiver", || async {
        let got = rx.to("/ok");
        (got.len() >= 12).then_some(got)
    })
    .await;
    let order: Vec<u64> = got
        .iter()
        .map(|g| g.body["data"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(order, (0..12).collect::<Vec<_>>(), "in the order sent");
    for (g, id) in got.iter().zip(&ids) {
        assert_eq!(g.body["type"], "AUTH_LOGIN");
        assert_eq!(g.body["event"], 2000);
        assert_eq!(g.body["id"], id.as_str());
        assert_eq!(g.body["_secret"], secrets["secret"]);
        assert_eq!(g.headers["webhook-id"], format!("msg_{id}"));
        assert_eq!(g.headers["content-type"], "application/json");
        assert!(g.headers["webhook-signature"].starts_with("v1,"), "{g:?}");
        assert!(g.headers["webhook-timestamp"].parse::<u64>().is_ok());
        assert!(
            !g.headers
                .values()
                .any(|v| v.contains(secrets["signingSecret"].as_str().unwrap())),
            "the signing secret is never sent"
        );
        let session = g.body["_function_session"].as_str().unwrap();
        assert_eq!(session.split('.').count(), 3, "a JWT: {session}");
    }
    let logs = eventually("12 runs of the JS subscriber", || async {
        let l = server.logs(&token, &js, "limit=100").await;
        (l["totalCount"] == 12).then_some(l)
    })
    .await;
    let mut seen: Vec<String> = logs["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["logs"][0]["message"].as_str().unwrap().to_string())
        .collect();
    seen.reverse();
    assert_eq!(
        seen,
        (0..12)
            .map(|n| format!("saw AUTH_LOGIN 2000 {n}"))
            .collect::<Vec<_>>()
    );
    // The HTTP function's log holds every attempt with what came back.
    let hook_logs = server.logs(&token, &hook, "limit=1").await;
    let line = hook_logs["list"][0]["logs"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        line.contains("event 2000 AUTH_LOGIN") && line.contains("answered 200"),
        "{line}"
    );
    assert!(
        line.contains(r#"{"received":true}"#),
        "the response: {line}"
    );
    let metrics = server.metrics().await;
    assert!(
        metrics
            .contains(r#"hookbox_event_deliveries_total{tenant="default",outcome="delivered"} 24"#),
        "{metrics}"
    );
    assert!(
        deliveries(&server, &token, "").await.is_empty(),
        "none left"
    );
}

/// A receiver that fails holds up the deliveries after it (order per
/// function) until retries get through; after the last attempt a delivery
/// is kept as failed, the next ones go out, and a replay delivers it.
#[tokio::test]
async fn failing_receivers_are_retried_then_kept_and_replayed() {
    let (_dir, server, token, port, rx) = with_receiver().await;
    // Two 500s, then success: the first event takes three attempts, and the
    // second waits for it.
    let (flaky, _) = http_function(
        &server,
        &token,
        json!({"funcName": "flaky", "scene": "events", "url": format!("http://127.0.0.1:{port}/fail/2"), "events": [2000]}),
    )
    .await;
    publish(&server, &token, login(1)).await;
    publish(&server, &token, login(2)).await;
    let got = eventually("both delivered", || async {
        let got = rx.to("/fail/2");
        (got.len() == 4).then_some(got)
    })
    .await;
    let order: Vec<u64> = got
        .iter()
        .map(|g| g.body["data"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(order, [1, 1, 1, 2], "retried in place, then the next");
    assert_eq!(
        got[0].headers["webhook-id"], got[2].headers["webhook-id"],
        "a retry has its delivery's webhook-id, so a receiver can drop a duplicate"
    );
    let logs = eventually("the four attempts logged", || async {
        let l = server.logs(&token, &flaky, "limit=10").await;
        (l["totalCount"] == 4).then_some(l)
    })
    .await;
    let outcomes: Vec<(&str, u64)> = logs["list"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap(),
                r["attempt"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(outcomes, [("error", 1), ("error", 2), ("ok", 3), ("ok", 1)]);
    let first_error = &logs["list"].as_array().unwrap().last().unwrap()["error"];
    assert_eq!(first_error["statusCode"], 500, "{first_error}");
    assert_eq!(first_error["response"], "try later");

    // A receiver that stays down: five attempts (the server's default), then
    // the delivery is failed and no longer holds up the next.
    let (down, _) = http_function(
        &server,
        &token,
        json!({"funcName": "down", "scene": "events", "url": format!("http://127.0.0.1:{port}/ok"), "events": [2001]}),
    )
    .await;
    rx.down.store(true, Ordering::SeqCst);
    let register = |n: u64| json!({"event": "AUTH_REGISTER", "data": {"user_id": format!("r{n}"), "email": "r@example.com", "lang": "de", "n": n}});
    let first = publish(&server, &token, register(1)).await["deliveries"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = eventually("the delivery failed", || async {
        let list = deliveries(&server, &token, "status=failed").await;
        list.into_iter().find(|d| d["id"] == first.as_str())
    })
    .await;
    assert_eq!(failed["attempts"], 5, "{failed}");
    assert_eq!(failed["lastStatus"], 503, "{failed}");
    assert_eq!(failed["funcId"], down.as_str());
    assert_eq!(rx.to("/ok").len(), 5);
    rx.down.store(false, Ordering::SeqCst);
    publish(&server, &token, register(2)).await;
    eventually("the next one delivered past the failed one", || async {
        let got = rx.to("/ok");
        got.last().filter(|g| g.body["data"]["n"] == 2).map(|_| ())
    })
    .await;
    // Replayed: delivered, and gone from the failed list.
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/deliveries/{first}/retry"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["data"]["status"].as_str(),
            body["data"]["attempts"].as_u64()
        ),
        (Some("pending"), Some(0))
    );
    eventually("the replay delivered", || async {
        let got = rx.to("/ok");
        got.last().filter(|g| g.body["data"]["n"] == 1).map(|_| ())
    })
    .await;
    eventually("no delivery left", || async {
        deliveries(&server, &token, "")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/deliveries/{first}/retry"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404, "a delivered one is gone: {body}");
    let metrics = server.metrics().await;
    assert!(
        metrics.contains(r#"hookbox_event_deliveries_total{tenant="default",outcome="failed"} 1"#),
        "{metrics}"
    );
}

/// A receiver that never answers is a `timeout` at the function's timeout,
/// retried; a URL on a private address and a redirect to one are refused,
/// never followed; an answer is logged up to its first KB.
#[tokio::test]
async fn silent_private_and_redirecting_receivers_fail_by_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = hookbox(dir.path(), &[]).await;
    let (port, rx) = receiver().await;
    // Every public host, and this receiver: the private address below is
    // refused by the address rule, not by the allow-list.
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/outbound",
            &token,
            Some(json!({"allow": ["*", format!("127.0.0.1:{port}")]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut ids = Vec::new();
    for (name, url) in [
        ("silent", format!("http://127.0.0.1:{port}/never")),
        ("redirect", format!("http://127.0.0.1:{port}/to-private")),
        ("private", "http://10.20.30.40/hook".to_string()),
    ] {
        let (id, _) = http_function(
            &server,
            &token,
            json!({"funcName": name, "scene": "events", "url": url, "events": [1000], "timeout": 1}),
        )
        .await;
        ids.push(id);
    }
    publish(
        &server,
        &token,
        json!({"event": "STORAGE_INSERT", "data": {"row_id": 7, "container": "c", "bucket": "b", "dataset": "d"}}),
    )
    .await;
    let first_log = |id: String| {
        let server = &server;
        let token = &token;
        async move {
            eventually("a logged attempt", || async {
                let l = server.logs(token, &id, "limit=10").await;
                l["list"].as_array().unwrap().last().cloned()
            })
            .await
        }
    };
    let silent = first_log(ids[0].clone()).await;
    assert_eq!(silent["outcome"], "timeout", "{silent}");
    // A timeout is retried like a 500.
    let retried = eventually("the silent receiver's second attempt", || async {
        let l = server.logs(&token, &ids[0], "limit=10").await;
        l["list"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["attempt"] == 2)
            .cloned()
    })
    .await;
    assert_eq!(retried["outcome"], "timeout", "{retried}");
    let redirect = first_log(ids[1].clone()).await;
    assert_eq!(redirect["outcome"], "error", "{redirect}");
    assert_eq!(
        redirect["error"]["statusCode"], 307,
        "handed back, not followed: {redirect}"
    );
    let private = first_log(ids[2].clone()).await;
    assert_eq!(private["outcome"], "error", "{private}");
    let message = private["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("10.20.30.40"),
        "names the address: {message}"
    );
    // Each was asked (and is retried: attempts go on in the background).
    assert!(!rx.to("/never").is_empty());
    assert!(!rx.to("/to-private").is_empty());
}

/// An HTTP function in a login scene decides it as a JS function would:
/// `{user}` continues with the user it returns, `{error}` stops the flow
/// with that error, and no answer in time follows `terminateOnTimeout`.
#[tokio::test]
async fn an_http_function_decides_a_registration() {
    let (_dir, server, token, port, rx) = with_receiver().await;
    let (vet, secrets) = http_function(
        &server,
        &token,
        json!({"funcName": "vet", "scene": "PRE_REGISTER", "url": format!("http://127.0.0.1:{port}/scene")}),
    )
    .await;
    let run = |email: &str| {
        let body = json!({"user": {"email": email}, "context": {"ip": "1.2.3.4"}});
        let server = &server;
        let token = &token;
        async move {
            server
                .call(
                    Method::POST,
                    "/v1/scenes/PRE_REGISTER/run",
                    token,
                    Some(body),
                )
                .await
        }
    };
    let (status, ok) = run("ada@example.com").await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["data"]["outcome"], "ok", "{ok}");
    assert_eq!(
        ok["data"]["user"],
        json!({"email": "ada@example.com", "vetted": true})
    );
    assert_eq!(
        ok["data"]["context"],
        json!({"ip": "1.2.3.4"}),
        "left out: unchanged"
    );
    let sent = &rx.to("/scene")[0];
    assert_eq!(sent.body["type"], "scene");
    assert_eq!(sent.body["scene"], "PRE_REGISTER");
    assert!(
        sent.body.get("_secret").is_none(),
        "events carry _secret, scene calls do not"
    );
    assert!(sent.headers["webhook-signature"].starts_with("v1,"));
    let _ = secrets;

    let (status, denied) = run("eve@blocked.example").await;
    assert_eq!(status, 200, "{denied}");
    assert_eq!(denied["data"]["outcome"], "error");
    assert_eq!(
        denied["data"]["error"]["message"],
        "registrations from blocked.example are closed"
    );
    assert_eq!(denied["data"]["error"]["code"], "blocked");
    assert_eq!(denied["data"]["stoppedBy"], vet.as_str());

    // No answer within the 1 s timeout: the flow goes on unchanged, unless
    // the function says a timeout stops it.
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{vet}"),
            &token,
            Some(json!({"url": format!("http://127.0.0.1:{port}/never"), "timeout": 1})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, timed_out) = run("bob@example.com").await;
    assert_eq!(timed_out["data"]["outcome"], "ok", "{timed_out}");
    assert_eq!(timed_out["data"]["steps"][0]["outcome"], "timeout");
    assert_eq!(
        timed_out["data"]["user"],
        json!({"email": "bob@example.com"})
    );
    server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{vet}"),
            &token,
            Some(json!({"terminateOnTimeout": true})),
        )
        .await;
    let (_, stopped) = run("bob@example.com").await;
    assert_eq!(stopped["data"]["outcome"], "timeout", "{stopped}");

    // An answer that is not a JSON object is invalid output.
    server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{vet}"),
            &token,
            Some(json!({"url": format!("http://127.0.0.1:{port}/not-json")})),
        )
        .await;
    let (_, invalid) = run("bob@example.com").await;
    assert_eq!(invalid["data"]["outcome"], "invalid_output", "{invalid}");

    // Its versions are its URLs: a rollback brings back the one before.
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{vet}/rollback"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["url"],
        format!("http://127.0.0.1:{port}/never"),
        "{body}"
    );
    let (_, back) = run("bob@example.com").await;
    assert_eq!(back["data"]["outcome"], "timeout", "{back}");
}

/// Killed (SIGKILL) while a delivery was in flight and more were queued:
/// the restarted server delivers the one in flight again and the rest in
/// order. At least once; nothing lost.
#[tokio::test]
async fn deliveries_survive_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let lease = [("HOOKBOX_JOB_LEASE_GRACE_MS", "200")];
    let (server, token) = hookbox(dir.path(), &lease).await;
    let (port, rx) = receiver().await;
    allow_port(&server, &token, port).await;
    let (_, _) = http_function(
        &server,
        &token,
        json!({"funcName": "slow", "scene": "events", "url": format!("http://127.0.0.1:{port}/never"), "events": [2000], "timeout": 1}),
    )
    .await;
    for n in 0..4 {
        publish(&server, &token, login(n)).await;
    }
    eventually("the first delivery in flight", || async {
        (!rx.to("/never").is_empty()).then_some(())
    })
    .await;
    server.kill();

    // The receiver now answers at once: point the function at /ok.
    let (server, _) = hookbox(dir.path(), &lease).await;
    let token = {
        // The data dir's key signs tokens across the restart.
        token
    };
    let list = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await
        .1;
    let id = list["data"]["list"][0]["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"url": format!("http://127.0.0.1:{port}/ok")})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let got = eventually("all four delivered after the restart", || async {
        let got = rx.to("/ok");
        (got.len() >= 4).then_some(got)
    })
    .await;
    let order: Vec<u64> = got
        .iter()
        .map(|g| g.body["data"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(
        order,
        [0, 1, 2, 3],
        "the one in flight again, then the rest in order"
    );
    assert_eq!(
        got[0].headers["webhook-id"],
        rx.to("/never")[0].headers["webhook-id"],
        "the same delivery"
    );
}

/// `_function_session` is an ES256 JWT for the event's user, valid 10–20
/// minutes (15 by default), that verifies against the published JWKS and is
/// refused as a hookbox token.
#[tokio::test]
async fn function_sessions_verify_against_the_jwks_and_open_nothing() {
    let (_dir, server, token, port, rx) = with_receiver().await;
    http_function(
        &server,
        &token,
        json!({"funcName": "crm", "scene": "events", "url": format!("http://127.0.0.1:{port}/ok"), "events": [2000]}),
    )
    .await;
    publish(&server, &token, login(9)).await;
    let got = eventually("a delivery", || async { rx.to("/ok").pop() }).await;
    let session = got.body["_function_session"].as_str().unwrap().to_string();

    let jwks: Value = reqwest::get(format!("{}/.well-known/jwks.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(&session).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"].as_str() == header.kid.as_deref())
            .expect("the token's kid is in the JWKS")
            .clone(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&["hookbox:function-session"]);
    validation.set_issuer(&["hookbox"]);
    let claims = jsonwebtoken::decode::<Value>(
        &session,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], "u9");
    assert_eq!(claims["tenant"], "default");
    assert_eq!(claims["event"], 2000);
    assert_eq!(claims["delivery"], got.body["id"]);
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert_eq!(lifetime, 15 * 60);

    // It grants nothing inside hookbox.
    for path in ["/v1/functions", "/v1/deliveries", "/v1/event-types"] {
        let (status, body) = server.call(Method::GET, path, &session, None).await;
        assert_eq!(status, 401, "{path}: {body}");
    }
    let (status, _) = server
        .call(Method::POST, "/v1/events", &session, Some(login(1)))
        .await;
    assert_eq!(status, 401);
}

/// Tenants name their own events; every malformed event, subscription or
/// HTTP function is a 400 naming the field and the rule.
#[tokio::test]
async fn events_and_http_functions_refuse_bad_input_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = hookbox(dir.path(), &[]).await;
    let put_type = |n: &str, body: Value| {
        let server = &server;
        let token = &token;
        let path = format!("/v1/event-types/{n}");
        async move { server.call(Method::PUT, &path, token, Some(body)).await }
    };
    let (status, body) = put_type("10001", json!({"name": "ORDER_PAID"})).await;
    assert_eq!(status, 200, "{body}");
    for (n, body, says) in [
        (
            "2000",
            json!({"name": "MINE"}),
            "number: a tenant's own events are numbered 10000",
        ),
        (
            "10002",
            json!({"name": "order paid"}),
            "name: \"order paid\" is not an event name",
        ),
        (
            "10002",
            json!({"name": "ORDER_PAID"}),
            "name: ORDER_PAID is already event 10001",
        ),
        (
            "10002",
            json!({"name": "AUTH_LOGIN"}),
            "name: AUTH_LOGIN is one of the platform's events",
        ),
        (
            "x",
            json!({"name": "X"}),
            "number: \"x\" is not an event number",
        ),
    ] {
        let (status, answer) = put_type(n, body).await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().starts_with(says),
            "{answer}"
        );
    }
    let (_, types) = server
        .call(Method::GET, "/v1/event-types", &token, None)
        .await;
    let names: Vec<&str> = types["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "STORAGE_INSERT",
            "STORAGE_UPDATE",
            "STORAGE_DELETE",
            "AUTH_LOGIN",
            "AUTH_REGISTER",
            "ORDER_PAID"
        ]
    );

    let mut mine = function("paid", "events", "exports.handler = async (e) => ({})");
    mine["events"] = json!(["ORDER_PAID"]);
    let paid = server.deploy(&token, mine).await;
    assert_eq!(paid["events"], json!([10001]));
    let queued = publish(
        &server,
        &token,
        json!({"event": "ORDER_PAID", "data": {"order": 1}}),
    )
    .await;
    assert_eq!(queued["deliveries"].as_array().unwrap().len(), 1);
    let (status, body) = server
        .call(Method::DELETE, "/v1/event-types/10001", &token, None)
        .await;
    assert_eq!(status, 409, "a handled event stays: {body}");

    for (event, says) in [
        (
            json!({"event": 3000, "data": {}}),
            "event: 3000 is not an event",
        ),
        (
            json!({"event": "NOPE", "data": {}}),
            "event: \"NOPE\" is not an event",
        ),
        (
            json!({"event": 2000, "data": {"user_id": "u"}}),
            "data: AUTH_LOGIN carries user_id, email; email is missing",
        ),
        (
            json!({"event": 2000, "data": []}),
            "data: must be an object",
        ),
        (
            json!({"event": 2000, "data": {"user_id": "u", "email": "e"}, "user": 5}),
            "user: must be an object",
        ),
        (
            json!({"event": 2000, "data": {"user_id": "u", "email": "x".repeat(70_000)}}),
            "data: data and user are",
        ),
        (
            json!({"event": 2000, "data": {}, "extra": 1}),
            "extra: unknown field",
        ),
    ] {
        let (status, answer) = server
            .call(Method::POST, "/v1/events", &token, Some(event))
            .await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{says}: {answer}"
        );
    }

    for (spec, says) in [
        (
            json!({"funcName": "a", "scene": "events", "url": "ftp://x.example/"}),
            "url: must be an http: or https: URL",
        ),
        (
            json!({"funcName": "a", "scene": "events", "url": "https://u:p@x.example/"}),
            "url: must not hold credentials",
        ),
        (
            json!({"funcName": "a", "scene": "events", "url": "https://x.example/", "sourceCode": "exports.handler = async () => ({})"}),
            "url: an HTTP function has a url and no sourceCode",
        ),
        (
            json!({"funcName": "a", "scene": "events", "sourceCode": "exports.handler = async () => ({})", "events": [42]}),
            "events: 42 is not an event",
        ),
        (
            json!({"funcName": "a", "scene": "events"}),
            "sourceCode: is required",
        ),
    ] {
        let (status, answer) = server
            .call(Method::POST, "/v1/functions", &token, Some(spec))
            .await;
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().starts_with(says),
            "{says}: {answer}"
        );
    }
    let (status, answer) = server
        .call(
            Method::POST,
            "/v1/scenes/events/run",
            &token,
            Some(json!({"user": {}})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("scene: the events scene"),
        "{answer}"
    );
    let (status, answer) = server
        .call(Method::GET, "/v1/deliveries?status=done", &token, None)
        .await;
    assert_eq!(status, 400, "{answer}");
    let js = paid["funcId"].as_str().unwrap();
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{js}/webhook-secrets"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        status, 400,
        "a JS function has no webhook secrets: {answer}"
    );
}
