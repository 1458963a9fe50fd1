//! Authing signed requests (as `authing-node-sdk` 4 signs them) against the
//! real server: what a signature must carry, and that each one is used once,
//! whatever happens between two uses (a restart, another tenant's flood) and
//! however the body could be reread.

use crate::server_harness::*;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const LIST: &str = "/api/v3/list-pipeline-functions";
const CREATE: &str = "/api/v3/create-pipeline-function";
const SOURCE: &str = "async function pipe(u, c, cb) { cb(null, u, c); }";

/// One signed request, built like the SDK's `ManagementHttpClient.request`.
struct Signed {
    method: Method,
    path: String,
    /// The query (GET) or the JSON body's fields (POST), as the SDK is given them.
    params: Value,
    /// The `date` and `x-authing-*` headers sent and signed.
    headers: BTreeMap<String, String>,
}

impl Signed {
    fn get(path: &str, params: Value, nonce: &str) -> Self {
        Self::new(Method::GET, path, params, nonce)
    }

    fn post(path: &str, params: Value, nonce: &str) -> Self {
        Self::new(Method::POST, path, params, nonce)
    }

    fn new(method: Method, path: &str, params: Value, nonce: &str) -> Self {
        let headers = [
            (
                "date",
                httpdate::fmt_http_date(std::time::SystemTime::now()),
            ),
            ("x-authing-lang", "zh-CN".into()),
            ("x-authing-sdk-version", "authing-node-sdk:4.0.1".into()),
            ("x-authing-signature-method", "HMAC-SHA1".into()),
            ("x-authing-signature-nonce", nonce.into()),
            ("x-authing-signature-version", "1.0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Self {
            method,
            path: path.into(),
            params,
            headers,
        }
    }

    fn without(mut self, header: &str) -> Self {
        self.headers.remove(header);
        self
    }

    /// The SDK's canonical resource: sorted keys, values unescaped, strings
    /// as their text and anything else as compact JSON.
    fn resource(&self) -> String {
        let map = self.params.as_object().expect("params are an object");
        if map.is_empty() {
            return self.path.clone();
        }
        let pairs: Vec<String> = map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        format!("{}?{}", self.path, pairs.join("&"))
    }

    /// `authing <id>:<base64 HMAC-SHA1>` over the method, the headers and `resource`.
    fn authorization(&self, id: &str, secret: &str, resource: &str) -> String {
        let headers: String = self
            .headers
            .iter()
            .map(|(k, v)| format!("{k}:{v}\n"))
            .collect();
        let to_sign = format!("{}\n{headers}{resource}", self.method);
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        format!("authing {id}:{signature}")
    }

    /// Sends with `authorization`; the Authing front answers HTTP 200 with
    /// the status in the body.
    async fn send_as(&self, server: &Server, authorization: &str) -> Value {
        let url = format!("{}{}", server.base, self.path);
        let mut req = reqwest::Client::new().request(self.method.clone(), url);
        if self.method == Method::GET {
            let query: Vec<(String, String)> = self
                .params
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_string)))
                .collect();
            req = req.query(&query);
        } else {
            req = req
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&self.params).unwrap());
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let resp = req
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// Signs its own parameters with `(id, secret)` and sends.
    async fn send(&self, server: &Server, (id, secret): &(String, String)) -> Value {
        let authorization = self.authorization(id, secret, &self.resource());
        self.send_as(server, &authorization).await
    }
}

fn status(body: &Value) -> u64 {
    body["statusCode"].as_u64().unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn signatures_are_checked_dated_and_used_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let key = server.default_key.clone().unwrap();
    let list = || Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "n1");

    let first = list();
    let body = first.send(&server, &key).await;
    assert_eq!(status(&body), 200, "{body}");
    // The same request again is a replay.
    let body = first.send(&server, &key).await;
    assert_eq!(status(&body), 401, "{body}");
    assert!(message(&body).contains("nonce"), "{body}");

    // A wrong secret, a changed parameter, an old date, an unknown key.
    let mut cases: Vec<(Signed, String, &str)> = Vec::new();
    let wrong = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "n2");
    let auth = wrong.authorization(&key.0, "wrong", &wrong.resource());
    cases.push((wrong, auth, "signature"));
    let changed = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "n3");
    let auth = changed.authorization(&key.0, &key.1, &format!("{LIST}?scene=POST_REGISTER"));
    cases.push((changed, auth, "signature"));
    let mut old = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "n4");
    old.headers
        .insert("date".into(), "Mon, 23 Nov 2020 10:00:00 GMT".into());
    let auth = old.authorization(&key.0, &key.1, &old.resource());
    cases.push((old, auth, "date"));
    let unknown = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "n5");
    let auth = unknown.authorization(&"0".repeat(24), &key.1, &unknown.resource());
    cases.push((unknown, auth, "accessKeyId"));
    for (i, (req, auth, mention)) in cases.iter().enumerate() {
        let body = req.send_as(&server, auth).await;
        assert_eq!(status(&body), 401, "case {i}: {body}");
        assert!(message(&body).contains(mention), "case {i}: {body}");
    }
    // Signed requests are an Authing-front scheme only.
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/functions", server.base))
        .header("authorization", first.authorization(&key.0, &key.1, LIST))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn a_signed_request_without_a_header_the_sdk_always_sends_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let key = server.default_key.clone().unwrap();
    for (i, header) in [
        "x-authing-signature-nonce",
        "x-authing-signature-version",
        "x-authing-signature-method",
        "x-authing-sdk-version",
        "x-authing-lang",
        "date",
    ]
    .into_iter()
    .enumerate()
    {
        // Correctly signed over what it does carry, and sent twice: neither is accepted.
        let req =
            Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), &format!("m{i}")).without(header);
        for attempt in 0..2 {
            let body = req.send(&server, &key).await;
            assert_eq!(
                status(&body),
                401,
                "without {header}, attempt {attempt}: {body}"
            );
            assert!(message(&body).starts_with(header), "{body}");
        }
    }
    // One nonce header twice is not one request.
    let req = Signed::get(LIST, json!({}), "d1");
    let resp = reqwest::Client::new()
        .get(format!("{}{LIST}", server.base))
        .headers(
            req.headers
                .iter()
                .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
                .collect(),
        )
        .header("x-authing-signature-nonce", "d2")
        .header("authorization", req.authorization(&key.0, &key.1, LIST))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status(&body), 400, "{body}");
    assert!(
        message(&body).starts_with("x-authing-signature-nonce: sent more than once"),
        "{body}"
    );
}

#[tokio::test]
async fn a_nonce_is_refused_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let key = server.default_key.clone().unwrap();
    let req = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "before-restart");
    assert_eq!(status(&req.send(&server, &key).await), 200);
    // A crash, not a graceful stop: the nonce was durable before the answer.
    server.kill();

    let server = Server::start(dir.path());
    let body = req.send(&server, &key).await;
    assert_eq!(status(&body), 401, "{body}");
    assert!(message(&body).contains("nonce"), "{body}");
    let fresh = Signed::get(LIST, json!({"scene": "PRE_REGISTER"}), "after-restart");
    assert_eq!(status(&fresh.send(&server, &key).await), 200);
}

#[tokio::test]
async fn a_tenant_at_its_nonce_cap_is_refused_and_no_other_nonce_is_forgotten() {
    const CAP: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("HOOKBOX_SIGNED_REQUESTS_PER_TENANT", &CAP.to_string())],
    );
    let a = server.default_key.clone().unwrap();
    let (code, created) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(br#"{"name":"Tenant B","id":"tenant-b"}"#.to_vec()),
        )
        .await;
    assert_eq!(code, 200, "{created}");
    let b = (
        created["data"]["accessKeyId"].as_str().unwrap().to_string(),
        created["data"]["accessKeySecret"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let b_first = Signed::get(LIST, json!({}), "b-1");
    assert_eq!(status(&b_first.send(&server, &b).await), 200);

    // Tenant A sends more signed requests than it may hold nonces for.
    let mut a_first = None;
    for n in 0..CAP {
        let req = Signed::get(LIST, json!({}), &format!("a-{n}"));
        let body = req.send(&server, &a).await;
        assert_eq!(status(&body), 200, "request {n}: {body}");
        a_first.get_or_insert(req);
    }
    let body = Signed::get(LIST, json!({}), "a-over")
        .send(&server, &a)
        .await;
    assert_eq!(status(&body), 429, "{body}");
    assert!(
        message(&body).contains(&format!("{CAP} signed requests")),
        "{body}"
    );

    // Nothing was forgotten to make room: B's and A's first nonces are still
    // replays; B is not limited by A's flood.
    let body = b_first.send(&server, &b).await;
    assert_eq!(status(&body), 401, "{body}");
    assert!(message(&body).contains("nonce"), "{body}");
    let body = a_first.unwrap().send(&server, &a).await;
    assert!(message(&body).contains("nonce"), "{body}");
    let body = Signed::get(LIST, json!({}), "b-2").send(&server, &b).await;
    assert_eq!(status(&body), 200, "{body}");
}

#[tokio::test]
async fn a_body_with_two_readings_is_refused_and_its_signature_spent() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let key = server.default_key.clone().unwrap();
    let token = server.admin_token().await;

    // The SDK signs both of these as the same string.
    let ambiguous = Signed::post(
        CREATE,
        json!({"funcName": "n&isAsynchronous=true", "scene": "PRE_REGISTER", "sourceCode": SOURCE}),
        "amb-1",
    );
    let mut other = Signed::post(
        CREATE,
        json!({"funcName": "n", "isAsynchronous": true, "scene": "PRE_REGISTER", "sourceCode": SOURCE}),
        "amb-1",
    );
    other.headers = ambiguous.headers.clone();
    assert_eq!(ambiguous.resource(), other.resource());
    let authorization = ambiguous.authorization(&key.0, &key.1, &ambiguous.resource());

    let body = ambiguous.send_as(&server, &authorization).await;
    assert_eq!(status(&body), 400, "{body}");
    assert!(
        message(&body).starts_with("funcName:") && message(&body).contains("&isAsynchronous="),
        "{body}"
    );
    // Its signature cannot be used for the other reading either.
    let body = other.send_as(&server, &authorization).await;
    assert_eq!(status(&body), 401, "{body}");
    assert!(message(&body).contains("nonce"), "{body}");
    let (_, listed) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(listed["data"]["totalCount"], 0, "{listed}");

    // The unambiguous reading, signed for itself, is an ordinary request.
    let fresh = Signed::post(
        CREATE,
        json!({"funcName": "n", "isAsynchronous": true, "scene": "PRE_REGISTER", "sourceCode": SOURCE}),
        "amb-2",
    );
    let body = fresh.send(&server, &key).await;
    assert_eq!(status(&body), 200, "{body}");
    assert_eq!(body["data"]["isAsynchronous"], true, "{body}");
}
