//! The other conventions' server side: FunctionGraph custom authorizers and
//! `context`, the tenant's Auth0 domain for rules, Authing's partial
//! pipeline order, and values keeping their key order end to end.

use crate::common::example_source;
use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

async fn run_scene(server: &Server, token: &str, scene: &str, body: Value) -> Value {
    let path = format!("/v1/scenes/{scene}/run");
    let (status, answer) = server.call(Method::POST, &path, token, Some(body)).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer["data"].clone()
}

#[tokio::test]
async fn an_authorizer_scene_holds_results_to_api_gateways_contract() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let (status, _) = server
        .call(
            Method::PUT,
            "/v1/env/API_TOKEN",
            &token,
            Some(json!({"value": "s3cret-token"})),
        )
        .await;
    assert_eq!(status, 200);
    let good = server
        .deploy_id(
            &token,
            "authorizer",
            "authorizer",
            &example_source("handler-authorizer.js"),
        )
        .await;
    let allow = json!({"event": {"headers": {"authorization": "Bearer s3cret-token"}}});
    let out = run_scene(&server, &token, "authorizer", allow.clone()).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["result"]["statusCode"], 200);
    let body: Value = serde_json::from_str(out["result"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "allow");
    assert_eq!(body["context"]["user"], "ada");
    let deny = json!({"event": {"headers": {"authorization": "Bearer guess"}}});
    let out = run_scene(&server, &token, "authorizer", deny).await;
    let body: Value = serde_json::from_str(out["result"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        (out["outcome"].clone(), body["status"].clone()),
        (json!("ok"), json!("deny"))
    );

    // An object body and a nested context value break the contract, named.
    let object_body =
        "exports.handler = async () => ({ statusCode: 200, body: { status: 'allow' } });";
    let nested = "exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ status: 'allow', context: { user_info: { id: 1 } } }) });";
    for (source, rule) in [
        (object_body, "body: must be a string holding JSON"),
        (
            nested,
            "context.user_info: a value must be a string, number or boolean",
        ),
    ] {
        let id = server.deploy_id(&token, "bad", "authorizer", source).await;
        let out = server.invoke(&token, &id, json!({})).await;
        assert_eq!(out["outcome"], "invalid_output", "{out}");
        assert_eq!(out["error"]["name"], "InvalidOutputError");
        let message = out["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(rule), "{message}");
        let scene = run_scene(&server, &token, "authorizer", allow.clone()).await;
        assert_eq!(scene["outcome"], "invalid_output", "{scene}");
        assert_eq!(scene["stoppedBy"], id.as_str());
        let logs = eventually("the refused calls' log", || async {
            let logs = server.logs(&token, &id, "limit=10").await;
            (logs["totalCount"] == 2).then_some(logs)
        })
        .await;
        assert_eq!(logs["list"][0]["outcome"], "invalid_output");
        let (status, _) = server
            .call(Method::DELETE, &format!("/v1/functions/{id}"), &token, None)
            .await;
        assert_eq!(status, 200);
    }
    let out = run_scene(&server, &token, "authorizer", allow).await;
    assert_eq!(out["steps"][0]["funcId"], good.as_str());
    assert_eq!(out["outcome"], "ok", "{out}");

    // The contract belongs to the scene: elsewhere the same handler is fine.
    let elsewhere = server
        .deploy_id(&token, "elsewhere", "POST_AUTHENTICATION", object_body)
        .await;
    let out = server.invoke(&token, &elsewhere, json!({})).await;
    assert_eq!(out["outcome"], "ok", "{out}");
}

#[tokio::test]
async fn a_call_knows_its_function_and_its_tenants_auth0_domain() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, created) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(
                serde_json::to_vec(
                    &json!({"name": "Acme", "id": "acme", "domain": "Acme.EU.auth0.com"}),
                )
                .unwrap(),
            ),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["data"]["tenant"]["domain"], "acme.eu.auth0.com");
    let token = server
        .token_for(
            created["data"]["accessKeyId"].as_str().unwrap(),
            created["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let rule = "function (user, context, callback) { user.where = [auth0.domain, auth0.baseUrl]; callback(null, user, context); }";
    let rule_id = server.deploy_id(&token, "where", "post-login", rule).await;
    let handler = r#"
exports.handler = async (event, context) => ({
  id: context.getRequestID(), name: context.getFunctionName(), version: context.getVersion(),
  memory: context.getMemorySize(), timeout: context.getRunningTimeInSeconds(), project: context.getProjectID(),
});
"#;
    let mut spec = function("fg handler", "POST_AUTHENTICATION", handler);
    spec["memoryLimitMb"] = json!(32);
    spec["timeout"] = json!(5);
    let fg = server.deploy(&token, spec).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{fg}"),
            &token,
            Some(json!({"funcDescription": "v2"})),
        )
        .await;
    assert_eq!(status, 200);

    let (status, answer) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{fg}/invoke"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"]["result"],
        // A description is not a version: version 1 still runs.
        json!({"id": answer["requestId"], "name": "fg handler", "version": "1", "memory": 32,
               "timeout": 5, "project": "acme"})
    );

    let where_ = |out: &Value| out["user"]["where"].clone();
    let out = run_scene(&server, &token, "post-login", json!({"user": {}})).await;
    assert_eq!(
        where_(&out),
        json!(["acme.eu.auth0.com", "https://acme.eu.auth0.com/api/v2"])
    );

    // The tenant's own admin changes it; the next call sees it.
    let patch = |body: Value, tenant: &'static str, key: String| {
        let server = &server;
        async move {
            server
                .call(
                    Method::PATCH,
                    &format!("/v1/tenants/{tenant}"),
                    &key,
                    Some(body),
                )
                .await
        }
    };
    let (status, tenant) = patch(json!({"domain": "login.acme.test"}), "acme", token.clone()).await;
    assert_eq!(status, 200, "{tenant}");
    assert_eq!(tenant["data"]["domain"], "login.acme.test");
    let out = server.invoke(&token, &rule_id, json!({})).await;
    assert_eq!(
        where_(&out),
        json!(["login.acme.test", "https://login.acme.test/api/v2"])
    );
    let (status, _) = patch(json!({"domain": null}), "acme", ADMIN_KEY.to_string()).await;
    assert_eq!(status, 200, "the server admin key may too");
    let out = server.invoke(&token, &rule_id, json!({})).await;
    assert_eq!(where_(&out), json!([null, null]), "unset: undefined");

    for (body, tenant, key, want, rule) in [
        (
            json!({"domain": "https://x.test"}),
            "acme",
            token.clone(),
            400,
            "domain: ",
        ),
        (
            json!({"domian": "x.test"}),
            "acme",
            token.clone(),
            400,
            "domian: unknown field",
        ),
        (
            json!({"domain": "x.test"}),
            "default",
            token.clone(),
            404,
            "tenant default not found",
        ),
        (
            json!({"domain": "x.test"}),
            "nobody",
            ADMIN_KEY.to_string(),
            404,
            "tenant nobody not found",
        ),
        (
            json!({}),
            "acme",
            token.clone(),
            400,
            "body: a PATCH must set at least one field",
        ),
    ] {
        let (status, answer) = patch(body, tenant, key).await;
        assert_eq!(status, want, "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(rule), "{message}");
    }
    let (status, invoke_key) = server
        .call(
            Method::POST,
            "/v1/keys",
            &token,
            Some(json!({"role": "invoke"})),
        )
        .await;
    assert_eq!(status, 200);
    let gateway = server
        .token_for(
            invoke_key["data"]["accessKeyId"].as_str().unwrap(),
            invoke_key["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let (status, _) = patch(json!({"domain": "x.test"}), "acme", gateway).await;
    assert_eq!(status, 403, "a gateway's key only runs things");
    let out = server.invoke(&token, &rule_id, json!({})).await;
    assert_eq!(
        where_(&out),
        json!([null, null]),
        "nothing refused was written"
    );
}

#[tokio::test]
async fn authings_update_pipeline_order_takes_some_of_the_functions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let step = |tag: &str| {
        format!(
            "async function pipe(u, c, cb) {{ u.trail = (u.trail || '') + '{tag}'; cb(null, u, c); }}"
        )
    };
    let a = server
        .deploy_id(&token, "a", "PRE_REGISTER", &step("A"))
        .await;
    let b = server
        .deploy_id(&token, "b", "PRE_REGISTER", &step("B"))
        .await;
    let c = server
        .deploy_id(&token, "c", "PRE_REGISTER", &step("C"))
        .await;
    let trail = || async {
        run_scene(&server, &token, "PRE_REGISTER", json!({})).await["user"]["trail"].clone()
    };
    let order = |ids: Vec<&str>| {
        let body = json!({"order": ids, "scene": "PRE_REGISTER"});
        let (server, token) = (&server, &token);
        async move {
            let (status, answer) = server
                .call(
                    Method::POST,
                    "/api/v3/update-pipeline-order",
                    token,
                    Some(body),
                )
                .await;
            assert_eq!(
                status, 200,
                "Authing answers errors with HTTP 200: {answer}"
            );
            answer
        }
    };
    let answer = order(vec![&c]).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(
        trail().await,
        "CAB",
        "the listed first, the others in their order"
    );
    let answer = order(vec![&b, &c]).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(trail().await, "BCA");

    for (ids, rule) in [
        (vec!["000000000000000000000000"], "not in scene"),
        (vec![a.as_str(), a.as_str()], "listed twice"),
    ] {
        let answer = order(ids).await;
        assert_eq!(answer["statusCode"], 400, "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(rule),
            "{answer}"
        );
        assert_eq!(trail().await, "BCA", "a refused order changes nothing");
    }
    // The native route stays strict.
    let (status, answer) = server
        .call(
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order",
            &token,
            Some(json!({"order": [a]})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
}

#[tokio::test]
async fn values_keep_their_key_order_through_a_scene_and_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source = r#"
async function pipe(user, context, callback) {
  console.log(JSON.stringify(Object.keys(user)) + ' ' + JSON.stringify(user));
  user.addCustomData('zz', 1).addCustomData('aa', 2);
  user.addIdToken('z_claim', 1).addIdToken('a_claim', 2);
  user.nested = { omega: 1, beta: 2 };
  callback(null, user, context);
}
"#;
    let id = server
        .deploy_id(&token, "order", "POST_AUTHENTICATION", source)
        .await;
    // The raw text, as the gateway reads it: no JSON library in between.
    let text = reqwest::Client::new()
        .post(format!("{}/v1/scenes/POST_AUTHENTICATION/run", server.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"user": {"zeta": 1, "alpha": 2}, "context": {"z": 1, "a": 2}}"#)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#""user":{"zeta":1,"alpha":2,"nested":{"omega":1,"beta":2}}"#,
        r#""context":{"z":1,"a":2}"#,
        r#""idToken":{"z_claim":1,"a_claim":2}"#,
        r#""customData":{"zz":1,"aa":2}"#,
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let logs = eventually("the log", || async {
        let logs = server.logs(&token, &id, "limit=1").await;
        (logs["totalCount"] == 1).then_some(logs)
    })
    .await;
    assert_eq!(
        logs["list"][0]["logs"][0]["message"],
        r#"["zeta","alpha"] {"zeta":1,"alpha":2}"#
    );
}
