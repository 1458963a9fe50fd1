//! Function versions (issue 14): every change of code or limits is a kept,
//! numbered version; an operator lists them, reads one, deploys one and
//! rolls back, and the next call runs what was deployed.

use crate::server_harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A pipe that tags the user with `tag`, or throws when `tag` is `broken`.
fn tagging(tag: &str) -> String {
    if tag == "broken" {
        return "async function pipe(user, context, callback) { throw new Error('broken'); }"
            .into();
    }
    format!(
        "async function pipe(user, context, callback) {{ user.ran = '{tag}'; callback(null, user, context); }}"
    )
}

async fn patch(server: &Server, token: &str, id: &str, body: Value) -> Value {
    let (status, answer) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            token,
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["data"].clone()
}

async fn post(server: &Server, token: &str, path: &str) -> (StatusCode, Value) {
    server.call(Method::POST, path, token, None).await
}

async fn versions(server: &Server, token: &str, id: &str) -> Value {
    let (status, answer) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/versions"),
            token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["data"].clone()
}

async fn ran(server: &Server, token: &str, id: &str) -> Value {
    let out = server.invoke(token, id, json!({"user": {}})).await;
    assert_eq!(out["outcome"], "ok", "{out}");
    out["user"]["ran"].clone()
}

#[tokio::test]
async fn each_change_is_a_version_and_deploying_one_takes_effect_for_the_next_call() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let f = server
        .deploy(
            &token,
            function("tagger", "POST_AUTHENTICATION", &tagging("one")),
        )
        .await;
    assert_eq!(
        (f["deployedVersion"].clone(), f["latestVersion"].clone()),
        (json!(1), json!(1))
    );
    let id = f["funcId"].as_str().unwrap().to_string();

    // Code: version 2. Metadata only: no version. A limit: version 3.
    let f = patch(&server, &token, &id, json!({"sourceCode": tagging("two")})).await;
    assert_eq!(f["deployedVersion"], 2);
    let f = patch(
        &server,
        &token,
        &id,
        json!({"funcDescription": "tags users", "enabled": true}),
    )
    .await;
    assert_eq!(
        (f["deployedVersion"].clone(), f["latestVersion"].clone()),
        (json!(2), json!(2))
    );
    let f = patch(&server, &token, &id, json!({"timeout": 5})).await;
    assert_eq!(
        (f["deployedVersion"].clone(), f["latestVersion"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(ran(&server, &token, &id).await, "two");

    let list = versions(&server, &token, &id).await;
    assert_eq!(list["deployedVersion"], 3);
    let numbers: Vec<_> = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].clone())
        .collect();
    assert_eq!(numbers, [json!(3), json!(2), json!(1)]);
    let deployed: Vec<_> = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["deployed"].clone())
        .collect();
    assert_eq!(deployed, [json!(true), json!(false), json!(false)]);
    assert_eq!(list["list"][0]["timeout"], 5);
    assert_eq!(list["list"][1]["timeout"], 3);
    assert!(
        list["list"][0].get("sourceCode").is_none(),
        "a listing carries no source"
    );
    assert_eq!(
        list["list"][0]["artifactSha256"].as_str().unwrap().len(),
        64
    );
    // Each version names the key that saved it.
    let key_id = server.default_key.clone().unwrap().0;
    assert!(
        list["list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["createdBy"] == key_id.as_str()),
        "{list}"
    );

    let (status, one) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/versions/1"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["data"]["sourceCode"], tagging("one"));
    assert_eq!(one["data"]["deployed"], false);

    // Roll back twice: 3 → 2 → 1; the function's own fields follow the version.
    let (status, back) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["data"]["deployedVersion"], 2);
    assert_eq!(back["data"]["timeout"], 3);
    let (_, back) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(back["data"]["deployedVersion"], 1);
    assert_eq!(back["data"]["sourceCode"], tagging("one"));
    assert_eq!(
        back["data"]["funcDescription"], "tags users",
        "metadata is the function's"
    );
    assert_eq!(ran(&server, &token, &id).await, "one");
    // Nothing before version 1.
    let (status, none) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 409, "{none}");
    assert!(
        none["message"]
            .as_str()
            .unwrap()
            .contains("no kept version before 1"),
        "{none}"
    );
    // Rolling back adds no version.
    assert_eq!(
        versions(&server, &token, &id).await["list"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Roll forward to 3.
    let (status, forward) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/3/deploy"),
    )
    .await;
    assert_eq!(status, 200, "{forward}");
    assert_eq!(forward["data"]["deployedVersion"], 3);
    assert_eq!(forward["data"]["timeout"], 5);
    assert_eq!(ran(&server, &token, &id).await, "two");

    // Each log record says which version ran: 2 ("two"), 1, then 3.
    let logs = eventually("three log records", || async {
        let logs = server.logs(&token, &id, "limit=10").await;
        (logs["totalCount"] == 3).then_some(logs)
    })
    .await;
    let ran_versions: Vec<_> = logs["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].clone())
        .collect();
    assert_eq!(ran_versions, [json!(3), json!(1), json!(3)]);
}

#[tokio::test]
async fn version_routes_refuse_what_is_not_there_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("one"))
        .await;
    for (method, path, status, says) in [
        (
            Method::GET,
            format!("/v1/functions/{id}/versions/0"),
            400,
            "version: must be a positive integer",
        ),
        (
            Method::GET,
            format!("/v1/functions/{id}/versions/x1"),
            400,
            "version: must be a positive integer",
        ),
        (
            Method::POST,
            format!("/v1/functions/{id}/versions/-1/deploy"),
            400,
            "version: must be a positive integer",
        ),
        (
            Method::GET,
            format!("/v1/functions/{id}/versions/2"),
            404,
            "version 2 of function",
        ),
        (
            Method::POST,
            format!("/v1/functions/{id}/versions/9/deploy"),
            404,
            "version 9 of function",
        ),
        (
            Method::GET,
            "/v1/functions/nope/versions".to_string(),
            404,
            "function nope",
        ),
        (
            Method::POST,
            "/v1/functions/nope/rollback".to_string(),
            404,
            "function nope",
        ),
    ] {
        let (got, body) = server.call(method, &path, &token, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains(says),
            "{path}: {body}"
        );
    }
    // Another tenant's function is not found.
    let (status, other) = server
        .call(
            Method::POST,
            "/v1/tenants",
            ADMIN_KEY,
            Some(json!({"name": "other"})),
        )
        .await;
    assert_eq!(status, 200, "{other}");
    let other = server
        .token_for(
            other["data"]["accessKeyId"].as_str().unwrap(),
            other["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let (status, _) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/versions"),
            &other,
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn only_the_newest_versions_are_kept_and_a_version_that_failed_is_kept_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("HOOKBOX_VERSIONS_KEPT", "3")]);
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("v1"))
        .await;
    for n in 2..=5 {
        patch(
            &server,
            &token,
            &id,
            json!({"sourceCode": tagging(&format!("v{n}"))}),
        )
        .await;
    }
    // A source that does not compile is a version too (the function keeps it, failed).
    let f = patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": "function pipe( {"}),
    )
    .await;
    assert_eq!(f["status"], "failed");
    assert_eq!(f["deployedVersion"], 6);
    let list = versions(&server, &token, &id).await;
    let numbers: Vec<_> = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].clone())
        .collect();
    assert_eq!(numbers, [json!(6), json!(5), json!(4)]);
    assert_eq!(list["list"][0]["status"], "failed");
    assert!(list["list"][0]["artifactSha256"].is_null());
    // A rollback skips nothing that compiled: 6 (failed) → 5.
    let (status, back) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["data"]["deployedVersion"], 5);
    assert_eq!(back["data"]["status"], "success");
    assert_eq!(ran(&server, &token, &id).await, "v5");
    // A dropped version is gone; deploying the failed one is refused and changes nothing.
    let (status, _) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/1/deploy"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, failed) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/6/deploy"),
    )
    .await;
    assert_eq!(status, 409, "{failed}");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("version 6 does not compile"),
        "{failed}"
    );
    assert_eq!(ran(&server, &token, &id).await, "v5");
    // Versions survive a restart.
    server.stop();
    let server = Server::start(dir.path());
    assert_eq!(versions(&server, &token, &id).await["deployedVersion"], 5);
    assert_eq!(ran(&server, &token, &id).await, "v5");
}

/// The "done when": a scene runs continuously while a broken version
/// is deployed and rolled back; every call ran the good or the broken
/// version, never failed in hookbox itself.
#[tokio::test]
async fn a_rollback_under_load_loses_no_call() {
    let dir = tempfile::tempdir().unwrap();
    let server = std::sync::Arc::new(Server::start(dir.path()));
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("good"))
        .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut callers = Vec::new();
    for _ in 0..4 {
        let (server, token, stop) = (server.clone(), token.clone(), stop.clone());
        callers.push(tokio::spawn(async move {
            let (mut good, mut broken) = (0u32, 0u32);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, body) = server
                    .call(
                        Method::POST,
                        "/v1/scenes/POST_AUTHENTICATION/run",
                        &token,
                        Some(json!({"user": {}, "context": {}})),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
                let out = &body["data"];
                match (out["outcome"].as_str(), out["user"]["ran"].as_str()) {
                    (Some("ok"), Some("good")) => good += 1,
                    (Some("error"), _) if out["error"]["message"] == "broken" => broken += 1,
                    _ => panic!("a call neither good nor broken: {out}"),
                }
            }
            (good, broken)
        }));
    }
    let deployed = |n: u64| {
        let (server, token, id) = (server.clone(), token.clone(), id.clone());
        async move {
            eventually(&format!("calls after version {n}"), || async {
                let logs = server.logs(&token, &id, "limit=1").await;
                (logs["list"][0]["version"] == n).then_some(())
            })
            .await
        }
    };
    deployed(1).await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("broken")}),
    )
    .await;
    deployed(2).await;
    let (status, back) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{back}");
    deployed(1).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut good, mut broken) = (0, 0);
    for caller in callers {
        let (g, b) = caller.await.unwrap();
        good += g;
        broken += b;
    }
    assert!(good > 0 && broken > 0, "good {good}, broken {broken}");
    // After the rollback, the next call is good.
    let (_, body) = server
        .call(
            Method::POST,
            "/v1/scenes/POST_AUTHENTICATION/run",
            &token,
            Some(json!({"user": {}})),
        )
        .await;
    assert_eq!(body["data"]["user"]["ran"], "good", "{body}");
}

#[tokio::test]
async fn a_draft_is_a_version_that_can_be_tested_before_it_is_deployed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("live"))
        .await;

    // A draft: version 2 is saved, the function still runs version 1; the
    // metadata in the same patch applies at once.
    let f = patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("draft"), "funcDescription": "d", "draft": true}),
    )
    .await;
    assert_eq!(
        (f["deployedVersion"].clone(), f["latestVersion"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(f["sourceCode"], tagging("live"));
    assert_eq!(f["funcDescription"], "d");
    assert_eq!(ran(&server, &token, &id).await, "live");

    // Testing runs the draft by default, or a given version, and logs nothing.
    let test = |query: &'static str| {
        let (server, token, id) = (&server, &token, &id);
        async move {
            let (status, body) = server
                .call(
                    Method::POST,
                    &format!("/v1/functions/{id}/test{query}"),
                    token,
                    Some(json!({"user": {"email": "a@example.com"}})),
                )
                .await;
            (status, body)
        }
    };
    let (status, body) = test("").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["data"]["version"].clone(),
            body["data"]["user"]["ran"].clone()
        ),
        (json!(2), json!("draft"))
    );
    assert_eq!(body["data"]["user"]["email"], "a@example.com");
    let (_, body) = test("?version=1").await;
    assert_eq!(body["data"]["user"]["ran"], "live");
    let (status, body) = test("?version=7").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = test("?version=two").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = test("?draft=1").await;
    assert_eq!(status, 400, "{body}");
    // Only the one real call above is in the log.
    let logs = eventually("one log record", || async {
        let logs = server.logs(&token, &id, "limit=10").await;
        (logs["totalCount"] == 1).then_some(logs)
    })
    .await;
    assert_eq!(logs["list"][0]["version"], 1);

    // A draft that changes nothing versioned is refused, naming the field.
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"funcName": "g", "draft": true})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with("draft: "),
        "{body}"
    );

    // Deploying the draft.
    let (status, body) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/2/deploy"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ran(&server, &token, &id).await, "draft");
}

/// Runs the function once for user `who` and says which version ran.
async fn version_for(server: &Server, token: &str, id: &str, who: &str) -> String {
    let out = server
        .invoke(token, id, json!({"user": {"user_id": who}}))
        .await;
    assert_eq!(out["outcome"], "ok", "{out}");
    out["user"]["ran"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_gradual_deployment_runs_a_version_for_a_share_of_users_each_always_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("stable"))
        .await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("candidate"), "draft": true}),
    )
    .await;
    let deploy = |body: Option<Value>, n: u64| {
        let (server, token, id) = (&server, &token, &id);
        async move {
            server
                .call(
                    Method::POST,
                    &format!("/v1/functions/{id}/versions/{n}/deploy"),
                    token,
                    body,
                )
                .await
        }
    };

    // What a gradual deployment refuses, naming the field.
    for (body, n, status, says) in [
        (
            json!({"percent": 0}),
            2,
            400,
            "percent: must be an integer from 1 to 99",
        ),
        (
            json!({"percent": 100}),
            2,
            400,
            "percent: must be an integer from 1 to 99",
        ),
        (json!({"percent": 300}), 2, 400, "percent"),
        (
            json!({"percent": 10}),
            1,
            400,
            "version: version 1 is the deployed one",
        ),
        (json!({"percent": 10, "ratio": 1}), 2, 400, "ratio"),
    ] {
        let (got, answer) = deploy(Some(body.clone()), n).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{body}: {answer}"
        );
    }

    let (status, started) = deploy(Some(json!({"percent": 30})), 2).await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["data"]["deployedVersion"], 1);
    assert_eq!(started["data"]["gradual"]["version"], 2);
    assert_eq!(started["data"]["gradual"]["percent"], 30);

    // 400 users: about 30% run the candidate, and each user always the same version.
    let mut candidate = Vec::new();
    for n in 0..400 {
        let who = format!("auth0|user{n}");
        if version_for(&server, &token, &id, &who).await == "candidate" {
            candidate.push(who);
        }
    }
    assert!(
        (60..=180).contains(&candidate.len()),
        "{} of 400",
        candidate.len()
    );
    for who in candidate.iter().take(20) {
        assert_eq!(version_for(&server, &token, &id, who).await, "candidate");
    }
    // A scene run places its user the same way.
    let (_, body) = server
        .call(
            Method::POST,
            "/v1/scenes/POST_AUTHENTICATION/run",
            &token,
            Some(json!({"user": {"user_id": candidate[0]}})),
        )
        .await;
    assert_eq!(body["data"]["user"]["ran"], "candidate", "{body}");

    // Both versions are counted apart in /metrics, and logged with their number.
    let metrics = server.metrics().await;
    let counted = |version: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("hookbox_gradual_invocations_total{")
                    && l.contains(&format!("function=\"{id}\""))
                    && l.contains(&format!("version=\"{version}\""))
                    && l.contains("outcome=\"ok\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(counted("2"), candidate.len() as u64 + 20 + 1, "{metrics}");
    assert_eq!(counted("1"), 400 - candidate.len() as u64);

    // It survives a restart.
    server.stop();
    let server = Server::start(dir.path());
    assert_eq!(
        version_for(&server, &token, &id, &candidate[0]).await,
        "candidate"
    );

    // Rolling back ends it: every call runs version 1 again.
    let (status, ended) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{ended}");
    assert!(ended["data"].get("gradual").is_none(), "{ended}");
    assert_eq!(
        version_for(&server, &token, &id, &candidate[0]).await,
        "stable"
    );

    // Started again and promoted: every call runs version 2.
    let (status, _) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/versions/2/deploy"),
            &token,
            Some(json!({"percent": 50})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, promoted) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/2/deploy"),
    )
    .await;
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(promoted["data"]["deployedVersion"], 2);
    assert!(promoted["data"].get("gradual").is_none());
    for n in 0..20 {
        assert_eq!(
            version_for(&server, &token, &id, &format!("u{n}")).await,
            "candidate"
        );
    }
}

/// What a review found: each of these once did something else.
#[tokio::test]
async fn versions_keep_their_promises_under_odd_requests() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("HOOKBOX_VERSIONS_KEPT", "2")]);
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("v1"))
        .await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("v2"), "draft": true}),
    )
    .await;

    // The deploy route refuses a query string, a body of another type and a
    // percent outside its rule, naming them; rollback takes no body.
    let path = format!("/v1/functions/{id}/versions/2/deploy");
    let (status, body) = server
        .call(Method::POST, &format!("{path}?percent=5"), &token, None)
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server
        .raw(
            Method::POST,
            &path,
            Some(&token),
            Some(b"{\"percent\": 5}".to_vec()),
        )
        .await;
    assert_eq!(status, 200, "JSON without a content-type is JSON: {body}");
    post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", server.base))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{\"percent\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    for bad in [json!(-1), json!(4294967346u64), json!("50"), json!(2.5)] {
        let (status, body) = server
            .call(Method::POST, &path, &token, Some(json!({"percent": bad})))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("percent: must be an integer from 1 to 99"),
            "{body}"
        );
    }
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/rollback"),
            &token,
            Some(json!({"x": 1})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    for n in ["+1", "01", "18446744073709551616"] {
        let (status, body) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{id}/versions/{n}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 400, "{n}: {body}");
    }

    // A version in a gradual deployment is kept however many drafts follow.
    let (status, _) = server
        .call(Method::POST, &path, &token, Some(json!({"percent": 50})))
        .await;
    assert_eq!(status, 200);
    for n in 3..=5 {
        patch(
            &server,
            &token,
            &id,
            json!({"sourceCode": tagging(&format!("v{n}")), "draft": true}),
        )
        .await;
    }
    let numbers: Vec<_> = versions(&server, &token, &id).await["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].clone())
        .collect();
    assert_eq!(numbers, [json!(5), json!(4), json!(2), json!(1)]);
    // Placement takes a numeric user id, and is the same for an email in any case.
    let by = |user: Value| {
        let (server, token, id) = (&server, &token, &id);
        async move {
            let out = server.invoke(token, id, json!({"user": user})).await;
            out["user"]["ran"].as_str().unwrap().to_string()
        }
    };
    for n in 0..10 {
        let first = by(json!({"user_id": n})).await;
        for _ in 0..3 {
            assert_eq!(by(json!({"user_id": n})).await, first);
        }
        let mail = by(json!({"email": format!("User{n}@Example.com")})).await;
        assert_eq!(
            by(json!({"email": format!("user{n}@example.com")})).await,
            mail
        );
    }
    post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;

    // A draft builds on the newest version: a limit changed in a second
    // draft keeps the first draft's code.
    let f = patch(&server, &token, &id, json!({"timeout": 9, "draft": true})).await;
    let newest = f["latestVersion"].as_u64().unwrap();
    let (_, v) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/versions/{newest}"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (
            v["data"]["sourceCode"].clone(),
            v["data"]["timeout"].clone()
        ),
        (json!(tagging("v5")), json!(9))
    );
    // `draft` alone is a PATCH that sets nothing; Authing's update has no drafts.
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/v1/functions/{id}"),
            &token,
            Some(json!({"draft": false})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v3/update-pipeline-function",
            &token,
            Some(json!({"funcId": id, "timeout": 9, "draft": true})),
        )
        .await;
    // Authing answers HTTP 200 with the status in its envelope.
    assert_eq!(
        (status.as_u16(), body["statusCode"].clone()),
        (200, json!(400)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().starts_with("draft: "),
        "{body}"
    );
}

/// A rollback goes back to the version deployed before, never to a draft
/// that never ran; and changes racing for a version number all land.
#[tokio::test]
async fn a_rollback_returns_to_what_ran_before_and_racing_changes_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let server = std::sync::Arc::new(Server::start(dir.path()));
    let token = server.admin_token().await;
    let id = server
        .deploy_id(&token, "f", "POST_AUTHENTICATION", &tagging("one"))
        .await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("never ran"), "draft": true}),
    )
    .await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": tagging("three")}),
    )
    .await;
    let (status, back) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["data"]["deployedVersion"], 1);
    assert_eq!(ran(&server, &token, &id).await, "one");

    let mut writers = Vec::new();
    for n in 0..8 {
        let (server, token, id) = (server.clone(), token.clone(), id.clone());
        writers.push(tokio::spawn(async move {
            let (status, body) = server
                .call(
                    Method::PATCH,
                    &format!("/v1/functions/{id}"),
                    &token,
                    Some(json!({"sourceCode": tagging(&format!("w{n}"))})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body["data"]["deployedVersion"].as_u64().unwrap()
        }));
    }
    let mut numbers = Vec::new();
    for w in writers {
        numbers.push(w.await.unwrap());
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (4..=11).collect::<Vec<u64>>(),
        "each change its own number"
    );
}

/// Secrets travel with versions: a change of them is a version, and
/// deploying an older version brings back the secrets it ran with.
#[tokio::test]
async fn a_secret_change_is_a_version_and_a_rollback_brings_back_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('k', event.secrets.K || 'none'); };";
    let id = server
        .deploy_id(&token, "keyed", "post-login", source)
        .await;
    let claim = |out: Value| out["tokens"]["idToken"]["k"].clone();
    let put = |value: &'static str| {
        let (server, token, id) = (&server, &token, &id);
        async move {
            let (status, answer) = server
                .call(
                    Method::PUT,
                    &format!("/v1/functions/{id}/secrets"),
                    token,
                    Some(json!({"K": value})),
                )
                .await;
            assert_eq!(status, 200, "{answer}");
        }
    };
    put("first-value").await;
    put("second-value").await;
    let listed = versions(&server, &token, &id).await;
    let numbers: Vec<u64> = listed["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_u64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [3, 2, 1],
        "each secret change is a version: {listed}"
    );
    let body = json!({"user": {}, "event": {"user": {}}});
    assert_eq!(
        claim(server.invoke(&token, &id, body.clone()).await),
        "second-value"
    );

    let (status, answer) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["deployedVersion"], 2);
    assert_eq!(
        claim(server.invoke(&token, &id, body.clone()).await),
        "first-value",
        "the rollback brought version 2's secret back"
    );
    let (status, answer) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/1/deploy"),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        claim(server.invoke(&token, &id, body.clone()).await),
        "none",
        "version 1 ran without secrets"
    );
    let (_, names) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{id}/secrets"),
            &token,
            None,
        )
        .await;
    assert_eq!(names["data"], json!({"names": []}), "{names}");
    // Testing version 3 runs it with its own secret, deploying nothing.
    let (status, tested) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/test?version=3"),
            &token,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 200, "{tested}");
    assert_eq!(claim(tested["data"].clone()), "second-value", "{tested}");
    assert_eq!(claim(server.invoke(&token, &id, body).await), "none");
}

/// A deploy or rollback racing an update never undoes it: the function ends
/// as one order of the two would leave it.
#[tokio::test]
async fn an_update_racing_a_rollback_is_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let server = std::sync::Arc::new(Server::start(dir.path()));
    let token = server.admin_token().await;
    for round in 0..8 {
        let id = server
            .deploy_id(
                &token,
                &format!("r{round}"),
                "POST_AUTHENTICATION",
                &tagging("one"),
            )
            .await;
        for tag in ["two", "three", "four"] {
            patch(&server, &token, &id, json!({"sourceCode": tagging(tag)})).await;
        }
        let update = {
            let (server, token, id) = (server.clone(), token.clone(), id.clone());
            tokio::spawn(async move {
                let body = json!({"sourceCode": tagging("five")});
                let (status, answer) = server
                    .call(
                        Method::PATCH,
                        &format!("/v1/functions/{id}"),
                        &token,
                        Some(body),
                    )
                    .await;
                assert_eq!(status, 200, "{answer}");
                answer["data"]["deployedVersion"].as_u64().unwrap()
            })
        };
        let (status, answer) = post(&server, &token, &format!("/v1/functions/{id}/rollback")).await;
        assert_eq!(status, 200, "{answer}");
        let updated = update.await.unwrap();
        let (_, got) = server
            .call(Method::GET, &format!("/v1/functions/{id}"), &token, None)
            .await;
        let deployed = got["data"]["deployedVersion"].as_u64().unwrap();
        // Update then rollback: back to 4. Rollback then update: the update.
        assert!(
            deployed == 4 || deployed == updated,
            "round {round}: deployed {deployed}, the update made {updated}: {got}"
        );
    }
}

/// A secrets change reaches a pending draft, so deploying the draft later
/// does not bring back the secrets it replaced.
#[tokio::test]
async fn a_pending_draft_takes_a_secrets_change() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let source = |tag: &str| {
        format!(
            "exports.onExecutePostLogin = async (event, api) => {{ api.idToken.setCustomClaim('k', '{tag}:' + (event.secrets.K || 'none')); }};"
        )
    };
    let id = server
        .deploy_id(&token, "keyed", "post-login", &source("v1"))
        .await;
    patch(
        &server,
        &token,
        &id,
        json!({"sourceCode": source("draft"), "draft": true}),
    )
    .await;
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/v1/functions/{id}/secrets"),
            &token,
            Some(json!({"K": "rotated"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, got) = server
        .call(Method::GET, &format!("/v1/functions/{id}"), &token, None)
        .await;
    let draft = got["data"]["draftVersion"].as_u64().unwrap();
    let (status, answer) = post(
        &server,
        &token,
        &format!("/v1/functions/{id}/versions/{draft}/deploy"),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let out = server
        .invoke(&token, &id, json!({"user": {}, "event": {"user": {}}}))
        .await;
    assert_eq!(out["tokens"]["idToken"]["k"], "draft:rotated", "{out}");
}
