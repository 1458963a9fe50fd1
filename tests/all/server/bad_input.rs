//! Every kind of bad request gets a clear 4xx in the envelope, and changes nothing.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn state_of(server: &Server, token: &str) -> Value {
    let (_, list) = server.call(Method::GET, "/v1/functions", token, None).await;
    let (_, env) = server.call(Method::GET, "/v1/env", token, None).await;
    json!({"functions": list["data"], "env": env["data"]})
}

/// method, path, body, expected status, what the message must mention.
type Case = (Method, String, Option<Vec<u8>>, u16, &'static str);

#[tokio::test]
async fn bad_input_on_every_route_is_a_4xx_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let f = server
        .deploy(
            &token,
            function(
                "ok",
                "PRE_REGISTER",
                "function pipe(u, c, cb) { cb(null, u, c); }",
            ),
        )
        .await;
    let fid = f["funcId"].as_str().unwrap().to_string();
    let before = state_of(&server, &token).await;

    let ten_mb = {
        let mut v = br#"{"user":{"blob":""#.to_vec();
        v.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
        v.extend(br#""},"context":{}}"#);
        v
    };
    let big_source = serde_json::to_vec(&function(
        "big",
        "PRE_REGISTER",
        &format!(
            "// {}\nfunction pipe(u,c,cb){{cb(null,u,c)}}",
            "x".repeat(101 * 1024)
        ),
    ))
    .unwrap();
    let j = |v: Value| Some(serde_json::to_vec(&v).unwrap());
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/v1/functions".into(),
            Some(b"{not json".to_vec()),
            400,
            "not valid JSON",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "x", "scene": "PRE_REGISTER"})),
            400,
            "sourceCode",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "x", "scene": "PRE_REGISTER", "sourceCode": "f", "timeout": "3"})),
            400,
            "timeout",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "x", "scene": "PRE_REGISTER", "sourceCode": "f", "timeout": 0})),
            400,
            "timeout",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "x", "scene": "PRE_REGISTER", "sourceCode": "f", "timeout": 61})),
            400,
            "timeout",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "x", "scene": "NOT_A_SCENE", "sourceCode": "f"})),
            400,
            "scene",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!({"funcName": "", "scene": "PRE_REGISTER", "sourceCode": "f"})),
            400,
            "funcName",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(
                json!({"funcName": "x", "scene": "PRE_REGISTER", "sourceCode": "f", "memoryLimitMb": 4096}),
            ),
            400,
            "memoryLimitMb",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(
                json!({"funcName": "x", "scene": "PRE_REGISTER", "sourceCode": "f", "isAsynchronous": "yes"}),
            ),
            400,
            "isAsynchronous",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            j(json!([1, 2])),
            400,
            "body",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            Some(big_source),
            400,
            "102400",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            Some(ten_mb.clone()),
            413,
            "larger than",
        ),
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            j(json!({"timeout": 61})),
            400,
            "timeout",
        ),
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            j(json!({"scene": "NOPE"})),
            400,
            "scene",
        ),
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            Some(b"[".to_vec()),
            400,
            "JSON",
        ),
        (
            Method::PATCH,
            "/v1/functions/000000000000000000000000".into(),
            j(json!({"enabled": false})),
            404,
            "not found",
        ),
        (
            Method::GET,
            "/v1/functions/nope".into(),
            None,
            404,
            "not found",
        ),
        (
            Method::DELETE,
            "/v1/functions/nope".into(),
            None,
            404,
            "not found",
        ),
        (
            Method::GET,
            "/v1/functions?scene=NOPE".into(),
            None,
            400,
            "scene",
        ),
        (
            Method::POST,
            "/v1/functions/nope/invoke".into(),
            j(json!({})),
            404,
            "not found",
        ),
        (
            Method::POST,
            format!("/v1/functions/{fid}/invoke"),
            Some(ten_mb.clone()),
            413,
            "larger than",
        ),
        (
            Method::POST,
            format!("/v1/functions/{fid}/invoke"),
            j(json!({"user": {"blob": "x".repeat(1024 * 1024)}})),
            400,
            "1 MB",
        ),
        (
            Method::POST,
            format!("/v1/functions/{fid}/invoke"),
            j(json!({"args": 5})),
            400,
            "args",
        ),
        (
            Method::GET,
            "/v1/functions/nope/logs".into(),
            None,
            404,
            "not found",
        ),
        (
            Method::GET,
            format!("/v1/functions/{fid}/logs?page=abc"),
            None,
            400,
            "query",
        ),
        (
            Method::POST,
            "/v1/scenes/NOPE/run".into(),
            j(json!({})),
            400,
            "scene",
        ),
        (
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run".into(),
            Some(b"{".to_vec()),
            400,
            "JSON",
        ),
        (
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run".into(),
            Some(ten_mb),
            413,
            "larger than",
        ),
        (
            Method::PUT,
            "/v1/scenes/NOPE/order".into(),
            j(json!({"order": []})),
            400,
            "scene",
        ),
        (
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order".into(),
            j(json!({"order": "x"})),
            400,
            "order",
        ),
        (
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order".into(),
            j(json!({"order": ["nope"]})),
            400,
            "order",
        ),
        (
            Method::PUT,
            "/v1/env/bad%20key".into(),
            j(json!({"value": "v"})),
            400,
            "key",
        ),
        (
            Method::PUT,
            "/v1/env/K".into(),
            j(json!({"value": 5})),
            400,
            "value",
        ),
        (Method::PUT, "/v1/env".into(), j(json!({"A": 1})), 400, "A"),
        (
            Method::DELETE,
            "/v1/env/NOPE".into(),
            None,
            404,
            "not found",
        ),
        (
            Method::POST,
            "/v1/keys".into(),
            j(json!({"role": "root"})),
            400,
            "role",
        ),
        (
            Method::POST,
            "/v1/run".into(),
            j(json!({"sourceCode": "exports.handler=()=>1", "timeout": 0})),
            400,
            "timeout",
        ),
        (
            Method::POST,
            "/api/v3/get-management-token".into(),
            j(json!({"accessKeyId": 1})),
            400,
            "accessKeyId",
        ),
        (
            Method::GET,
            "/v1/nowhere".into(),
            None,
            404,
            "no such route",
        ),
        (Method::DELETE, "/v1/functions".into(), None, 405, "method"),
    ];
    for (method, path, body, want, mention) in cases {
        let (status, resp) = server.raw(method.clone(), &path, Some(&token), body).await;
        assert_eq!(status.as_u16(), want, "{method} {path}: {resp}");
        assert_eq!(resp["statusCode"], want, "{method} {path}: envelope {resp}");
        assert!(
            resp["requestId"].as_str().is_some_and(|r| !r.is_empty()),
            "{method} {path}: {resp}"
        );
        let message = resp["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(mention),
            "{method} {path}: message {message:?} should mention {mention:?}"
        );
    }
    assert_eq!(
        state_of(&server, &token).await,
        before,
        "no bad request changed anything"
    );

    // The server is still fine.
    let (status, out) = server
        .call(
            Method::POST,
            format!("/v1/functions/{fid}/invoke").as_str(),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), out["data"]["outcome"].as_str()),
        (200, Some("ok"))
    );
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
