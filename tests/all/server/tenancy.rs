//! Tenants cannot see each other; invoke keys cannot manage.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn tenants_are_isolated_and_roles_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let a = server.admin_token().await;
    let f = server
        .deploy(
            &a,
            function(
                "secret rule",
                "PRE_REGISTER",
                "function pipe(u, c, cb) { u.a = true; cb(null, u, c); }",
            ),
        )
        .await;
    let fid = f["funcId"].as_str().unwrap().to_string();

    // The admin key creates tenant B; a wrong one cannot.
    let (status, _) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some("wrong"),
            Some(br#"{"name":"B"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(&a),
            Some(br#"{"name":"B"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 401, "a tenant token is not the admin key");
    let (status, created) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(br#"{"name":"Tenant B","id":"tenant-b"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let b = server
        .token_for(
            created["data"]["accessKeyId"].as_str().unwrap(),
            created["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;

    // B cannot read, invoke, change, order, delete or even detect A's function.
    for (method, path, body) in [
        (Method::GET, format!("/v1/functions/{fid}"), None),
        (
            Method::POST,
            format!("/v1/functions/{fid}/invoke"),
            Some(json!({})),
        ),
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            Some(json!({"enabled": false})),
        ),
        (Method::GET, format!("/v1/functions/{fid}/logs"), None),
        (Method::DELETE, format!("/v1/functions/{fid}"), None),
    ] {
        let (status, body) = server.call(method.clone(), &path, &b, body).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_eq!(
            body["message"],
            format!("function {fid} not found"),
            "same answer as for a function that never existed"
        );
    }
    let (status, _) = server
        .call(
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order",
            &b,
            Some(json!({"order": [fid]})),
        )
        .await;
    assert_eq!(status, 400);
    let (_, list) = server.call(Method::GET, "/v1/functions", &b, None).await;
    assert_eq!(list["data"]["totalCount"], 0);
    let (_, run) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            &b,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(
        run["data"]["steps"].as_array().unwrap().len(),
        0,
        "B's scene does not run A's function"
    );
    let (_, still) = server
        .call(Method::GET, &format!("/v1/functions/{fid}"), &a, None)
        .await;
    assert_eq!(still["data"]["enabled"], true, "B's PATCH changed nothing");

    // Env vars are per tenant too.
    server
        .call(
            Method::PUT,
            "/v1/env/TOKEN",
            &a,
            Some(json!({"value": "a-secret"})),
        )
        .await;
    let (_, env_b) = server.call(Method::GET, "/v1/env", &b, None).await;
    assert_eq!(env_b["data"], json!({}));

    // The Authing SDKs' pool header must match the token.
    let (status, _) = {
        let client = reqwest::Client::new();
        let resp = client
            .get(format!("{}/v1/functions", server.base))
            .bearer_auth(&a)
            .header("x-authing-userpool-id", "tenant-b")
            .send()
            .await
            .unwrap();
        (resp.status(), ())
    };
    assert_eq!(status, 403);

    // An invoke key runs things and nothing else.
    let (status, key) = server
        .call(
            Method::POST,
            "/v1/keys",
            &a,
            Some(json!({"role": "invoke"})),
        )
        .await;
    assert_eq!(status, 200, "{key}");
    let gw = server
        .token_for(
            key["data"]["accessKeyId"].as_str().unwrap(),
            key["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let (status, run) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            &gw,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(run["data"]["user"]["a"], true);
    let (status, _) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            &gw,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    for (method, path, body) in [
        (
            Method::POST,
            "/v1/functions".to_string(),
            Some(function(
                "x",
                "PRE_REGISTER",
                "function pipe(u,c,cb){cb(null,u,c)}",
            )),
        ),
        (Method::GET, "/v1/functions".to_string(), None),
        (Method::GET, format!("/v1/functions/{fid}"), None),
        (Method::DELETE, format!("/v1/functions/{fid}"), None),
        (
            Method::PUT,
            "/v1/env/K".to_string(),
            Some(json!({"value": "v"})),
        ),
        (Method::GET, "/v1/env".to_string(), None),
        (
            Method::POST,
            "/v1/keys".to_string(),
            Some(json!({"role": "admin"})),
        ),
        (
            Method::POST,
            "/v1/run".to_string(),
            Some(json!({"sourceCode": "exports.handler = () => 1"})),
        ),
    ] {
        let (status, body) = server.call(method.clone(), &path, &gw, body).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
    }

    // No token, a bad token.
    let (status, body) = server.raw(Method::GET, "/v1/functions", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["apiCode"], 40101);
    let (status, _) = server
        .raw(Method::GET, "/v1/functions", Some("not.a.jwt"), None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = server
        .raw(
            Method::POST,
            "/api/v3/get-management-token",
            None,
            Some(br#"{"accessKeyId":"nope","accessKeySecret":"nope"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 401);
}
