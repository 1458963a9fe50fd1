//! The web console's server side: its embedded page and policy headers, and
//! the routes it added to the API (compile check, log filters, stats). The
//! page itself is tested in Chromium (`make console-test`).

use crate::server_harness::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_console_is_served_with_a_strict_policy() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| client.get(format!("{}{path}", server.base)).send();

    let bare = get("/console").await.unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/console/");

    let page = get("/console/").await.unwrap();
    assert_eq!(page.status(), 200);
    let h = page.headers().clone();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    let csp = h["content-security-policy"].to_str().unwrap();
    for rule in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self' 'nonce-",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(rule), "{rule} in {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["cache-control"], "no-store",
        "a page's nonce is never reused"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="app.js"></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
    // The editor's <style> gets in by the page's own nonce, new on each load.
    let nonce = |csp: &str| {
        let at = csp.find("'nonce-").unwrap() + 7;
        csp[at..at + csp[at..].find('\'').unwrap()].to_string()
    };
    let first = nonce(csp);
    assert!(html.contains(&format!(
        r#"<meta name="hookbox-csp-nonce" content="{first}">"#
    )));
    assert_eq!(first.len(), 24, "128 bits, base64: {first}");
    let second = get("/console/").await.unwrap();
    let second_csp = second.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(nonce(&second_csp), first);

    let js = get("/console/app.js").await.unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let etag = js.headers()["etag"].clone();
    let again = client
        .get(format!("{}/console/app.js", server.base))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged asset is not sent again");
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.headers().contains_key("content-security-policy"));
    assert_eq!(js.headers()["cache-control"], "no-cache");
    let asset_csp = js.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        asset_csp.contains("style-src 'self';") && !asset_csp.contains("nonce"),
        "{asset_csp}"
    );
    let css = get("/console/app.css").await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");

    assert_eq!(
        bare.headers()["x-frame-options"],
        "DENY",
        "the redirect too"
    );
    for missing in ["/console/nope.js", "/console/..%2FCargo.toml"] {
        let r = get(missing).await.unwrap();
        assert_eq!(r.status(), 404, "{missing}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{missing}");
        assert!(
            r.headers().contains_key("content-security-policy"),
            "{missing}"
        );
    }
}

#[tokio::test]
async fn compile_checks_a_source_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let check = |source: &str| {
        server.call(
            Method::POST,
            "/v1/compile",
            &token,
            Some(json!({ "sourceCode": source })),
        )
    };

    let (status, ok) = check("function pipe(u, c, cb) { cb(null, u, c) }").await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["data"], json!({"status": "success"}));

    let (status, failed) =
        check("async function pipe(user, context, callback) {\n  const = 1;\n}").await;
    assert_eq!(status, 200, "a syntax error is an answer: {failed}");
    let data = &failed["data"];
    assert_eq!(data["status"], "failed");
    // QuickJS's own position: the declaration that lacks its name.
    assert_eq!(
        (data["line"].as_u64(), data["column"].as_u64()),
        (Some(2), Some(3)),
        "{data}"
    );
    assert!(
        data["message"].as_str().unwrap().starts_with("SyntaxError"),
        "{data}"
    );

    let (status, big) = check(&"x".repeat(102_401)).await;
    assert_eq!(status, 400);
    assert!(
        big["message"].as_str().unwrap().starts_with("sourceCode:"),
        "{big}"
    );
    let (status, unknown) = server
        .call(
            Method::POST,
            "/v1/compile",
            &token,
            Some(json!({"sourceCode": "1", "scene": "PRE_REGISTER"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        unknown["message"].as_str().unwrap().starts_with("scene:"),
        "{unknown}"
    );

    let (_, key) = server
        .call(
            Method::POST,
            "/v1/keys",
            &token,
            Some(json!({"role": "invoke"})),
        )
        .await;
    let gateway = server
        .token_for(
            key["data"]["accessKeyId"].as_str().unwrap(),
            key["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let (status, _) = server
        .call(
            Method::POST,
            "/v1/compile",
            &gateway,
            Some(json!({"sourceCode": "1"})),
        )
        .await;
    assert_eq!(status, 403, "an invoke key only runs things");

    let (_, list) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(list["data"]["totalCount"], 0);
}

#[tokio::test]
async fn logs_filter_by_outcome_and_version_and_stats_count_the_hour() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server
        .deploy_id(
            &token,
            "picky",
            "PRE_REGISTER",
            "function pipe(user, context, cb) { cb(user.fail ? new Error('no') : null, user, context) }",
        )
        .await;
    for fail in [false, true, false, true, false] {
        server
            .invoke(&token, &id, json!({"user": {"fail": fail}}))
            .await;
    }
    let (status, v2) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"sourceCode": "function pipe(u, c, cb) { cb(new Error('v2')) }"})),
        )
        .await;
    assert_eq!(status, 200, "{v2}");
    server.invoke(&token, &id, json!({})).await;

    let all = eventually("six logs", || async {
        let logs = server.logs(&token, &id, "limit=100").await;
        (logs["totalCount"] == 6).then_some(logs)
    })
    .await;
    assert_eq!(all["list"].as_array().unwrap().len(), 6);

    let errors = server.logs(&token, &id, "outcome=error&limit=100").await;
    assert_eq!(errors["totalCount"], 3);
    assert!(
        errors["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "error")
    );
    let v1_errors = server.logs(&token, &id, "outcome=error&version=1").await;
    assert_eq!(v1_errors["totalCount"], 2);
    let v2 = server.logs(&token, &id, "version=2").await;
    assert_eq!(v2["totalCount"], 1);
    assert_eq!(v2["list"][0]["error"]["message"], "v2");
    let paged = server.logs(&token, &id, "outcome=ok&limit=2&page=2").await;
    assert_eq!(
        (
            paged["totalCount"].as_u64(),
            paged["list"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
    assert_eq!(
        server.logs(&token, &id, "outcome=timeout").await["totalCount"],
        0
    );

    for (query, field) in [
        ("outcome=bogus", "outcome:"),
        ("version=0", "version:"),
        (
            "version=x",
            "query: Failed to deserialize query string: version:",
        ),
    ] {
        let (status, body) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{id}/logs?{query}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().starts_with(field),
            "{query}: {body}"
        );
    }

    let (status, stats) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/stats"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    let s = &stats["data"];
    assert_eq!(
        (s["calls"].as_u64(), s["errors"].as_u64()),
        (Some(6), Some(3)),
        "{s}"
    );
    assert_eq!(
        (s["windowSeconds"].as_u64(), s["bucketSeconds"].as_u64()),
        (Some(3600), Some(60))
    );
    let buckets = s["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 60);
    assert_eq!(
        buckets
            .iter()
            .map(|b| b["calls"].as_u64().unwrap())
            .sum::<u64>(),
        6
    );
    assert!(
        buckets
            .windows(2)
            .all(|w| w[1]["start"].as_u64().unwrap() - w[0]["start"].as_u64().unwrap() == 60)
    );
    assert!(
        s["p50Us"].as_u64().unwrap() > 0 && s["p99Us"].as_u64() >= s["p50Us"].as_u64(),
        "{s}"
    );
    assert_eq!(s["truncated"], false);

    let (status, _) = server
        .call(Method::GET, "/v1/functions/nobody/stats", &token, None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn keys_are_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let (_, made) = server
        .call(
            Method::POST,
            "/v1/keys",
            &token,
            Some(json!({"role": "invoke"})),
        )
        .await;
    let (id, secret) = (
        made["data"]["accessKeyId"].as_str().unwrap().to_string(),
        made["data"]["accessKeySecret"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let gateway = server.token_for(&id, &secret).await;

    let (status, listed) = server.call(Method::GET, "/v1/keys", &token, None).await;
    assert_eq!(status, 200, "{listed}");
    let list = listed["data"]["list"].as_array().unwrap();
    assert_eq!(listed["data"]["totalCount"], 2);
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|k| k.get("accessKeySecret").is_none() && k["createdAt"].is_string()),
        "{listed}"
    );
    let mine = list.iter().find(|k| k["current"] == true).unwrap();
    assert_eq!(mine["role"], "admin");
    let admin_id = mine["accessKeyId"].as_str().unwrap().to_string();
    assert!(list.iter().any(|k| k["accessKeyId"] == id.as_str()
        && k["role"] == "invoke"
        && k["current"] == false));

    let (status, _) = server.call(Method::GET, "/v1/keys", &gateway, None).await;
    assert_eq!(status, 403, "an invoke key cannot list keys");
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/v1/keys/{admin_id}"),
            &gateway,
            None,
        )
        .await;
    assert_eq!(status, 403, "nor revoke one");

    let (status, last) = server
        .call(
            Method::DELETE,
            &format!("/v1/keys/{admin_id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 409, "the last admin key stays: {last}");
    assert!(
        last["message"].as_str().unwrap().contains("last admin key"),
        "{last}"
    );
    let (status, _) = server
        .call(Method::DELETE, "/v1/keys/no-such-key", &token, None)
        .await;
    assert_eq!(status, 404);

    let (status, revoked) = server
        .call(Method::DELETE, &format!("/v1/keys/{id}"), &token, None)
        .await;
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(revoked["data"]["revoked"], true);
    let (status, _) = server
        .raw(
            Method::POST,
            "/api/v3/get-management-token",
            None,
            Some(
                serde_json::to_vec(&json!({"accessKeyId": id, "accessKeySecret": secret})).unwrap(),
            ),
        )
        .await;
    assert_eq!(status, 401, "a revoked key is not exchanged for a token");
    let (_, after) = server.call(Method::GET, "/v1/keys", &token, None).await;
    assert_eq!(after["data"]["totalCount"], 1);
}

#[tokio::test]
async fn recent_inputs_are_real_calls_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server
        .deploy_id(
            &token,
            "hook",
            "pre-user-registration",
            "module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { k: context.webtask.secrets.API_KEY.length } } }) };",
        )
        .await;
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/v1/functions/{id}/secrets"),
            &token,
            Some(json!({"API_KEY": "hook-secret-value"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .call(
            Method::PUT,
            "/v1/env/TENANT_TOKEN",
            &token,
            Some(json!({"value": "env-secret-value"})),
        )
        .await;
    assert_eq!(status, 200);
    let path = format!("/v1/functions/{id}/recent-inputs");

    let (status, tested) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/test"),
            &token,
            Some(json!({"user": {"email": "tested@example.com"}})),
        )
        .await;
    assert_eq!(status, 200, "{tested}");
    let (status, none) = server.call(Method::GET, &path, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        none["data"]["totalCount"], 0,
        "a test is not a call: {none}"
    );

    let out = server
        .invoke(
            &token,
            &id,
            json!({"user": {"email": "ada@example.com"}, "context": {"ip": "203.0.113.7"}}),
        )
        .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert!(
        out.to_string().contains(r#""k":17"#),
        "the secret reached the hook: {out}"
    );
    let (_, got) = server.call(Method::GET, &path, &token, None).await;
    let list = got["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{got}");
    assert_eq!(
        list[0]["input"]["user"],
        json!({"email": "ada@example.com"})
    );
    assert_eq!(list[0]["input"]["context"], json!({"ip": "203.0.113.7"}));
    assert_eq!(list[0]["version"], 2, "the version with the secret");
    assert!(list[0]["requestId"].is_string() && list[0]["at"].is_string());
    let text = got.to_string();
    assert!(
        !text.contains("hook-secret-value") && !text.contains("env-secret-value"),
        "{text}"
    );

    let (status, _) = server
        .call(
            Method::GET,
            "/v1/functions/nobody/recent-inputs",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .call(Method::DELETE, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = server.call(Method::GET, &path, &token, None).await;
    assert_eq!(status, 404, "a deleted function's calls are gone with it");
}

#[tokio::test]
async fn a_dry_run_takes_the_scene_an_action_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('ran', 'post-login') };\n\
                  exports.onExecutePreUserRegistration = async (event, api) => { api.user.setUserMetadata('ran', 'pre-user-registration') };";
    let run = |scene: Option<&str>| {
        let mut body = json!({"sourceCode": source, "event": {"user": {"user_id": "u1"}}});
        if let Some(scene) = scene {
            body["scene"] = json!(scene);
        }
        server.call(Method::POST, "/v1/run", &token, Some(body))
    };
    let (status, login) = run(Some("post-login")).await;
    assert_eq!(status, 200, "{login}");
    assert_eq!(login["data"]["outcome"], "ok", "{login}");
    assert_eq!(
        login["data"]["tokens"]["idToken"]["ran"], "post-login",
        "{login}"
    );
    let (_, registration) = run(Some("pre-user-registration")).await;
    assert_eq!(
        registration["data"]["metadata"]["user_metadata"]["ran"], "pre-user-registration",
        "{registration}"
    );
    let (status, unscened) = run(None).await;
    assert_eq!(status, 200);
    assert_eq!(
        unscened["data"]["error"]["name"], "EntryPointError",
        "two triggers and no scene: {unscened}"
    );
    let (status, bad) = run(Some("nowhere")).await;
    assert_eq!(status, 400);
    assert!(
        bad["message"].as_str().unwrap().starts_with("scene:"),
        "{bad}"
    );
}
