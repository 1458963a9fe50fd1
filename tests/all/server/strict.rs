//! The API refuses what it does not understand, naming the field and the rule,
//! and a refused request changes nothing: unknown fields, values of the wrong
//! shape, nesting past the limit, hidden characters in names, a content type
//! that is not JSON, allow-list rules no call could use, pages out of range,
//! and writes of several things that must land whole.

use crate::server_harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PIPE: &str =
    "async function pipe(user, context, callback) { callback(null, user, context); }";

/// Asserts a 400 envelope whose message mentions every one of `mentions`.
#[track_caller]
fn assert_refused(what: &str, (status, body): &(StatusCode, Value), mentions: &[&str]) {
    assert_eq!(status.as_u16(), 400, "{what}: {body}");
    assert_eq!(body["statusCode"], 400, "{what}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    for mention in mentions {
        assert!(
            message.contains(mention),
            "{what}: message {message:?} should mention {mention:?}"
        );
    }
    assert!(
        !message.contains("not valid JSON"),
        "{what}: valid JSON is not 'not valid JSON': {message:?}"
    );
}

/// An Authing-front error: HTTP 200 with the status in the body.
#[track_caller]
fn assert_authing_refused(what: &str, (status, body): &(StatusCode, Value), mention: &str) {
    assert_eq!(status.as_u16(), 200, "{what}: {body}");
    assert_eq!(body["statusCode"], 400, "{what}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(mention),
        "{what}: {message:?} should mention {mention:?}"
    );
}

/// A fresh server holding one function `f` (PIPE, in PRE_REGISTER): its data
/// dir (removed on drop), the server, an admin token and the function's id.
async fn server_with_pipe() -> (tempfile::TempDir, Server, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let fid = server.deploy_id(&token, "f", "PRE_REGISTER", PIPE).await;
    (dir, server, token, fid)
}

async fn get_data(server: &Server, token: &str, path: &str) -> Value {
    let (status, body) = server.call(Method::GET, path, token, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["data"].clone()
}

async fn send(
    server: &Server,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    server.call(method, path, token, Some(body)).await
}

#[tokio::test]
async fn unknown_fields_are_refused_by_name_and_change_nothing() {
    let (_dir, server, token, fid) = server_with_pipe().await;
    let (id, secret) = server.default_key.clone().unwrap();

    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            json!({"funcNmae": "x"}),
            "funcNmae",
        ),
        (
            Method::PATCH,
            format!("/v1/functions/{fid}"),
            json!({"enabled": false, "timeOut": 5}),
            "timeOut",
        ),
        (
            Method::POST,
            "/v1/functions".into(),
            json!({"funcName": "g", "scene": "PRE_REGISTER", "sourceCode": PIPE, "memoryLimit": 8}),
            "memoryLimit",
        ),
        (
            Method::POST,
            "/v1/run".into(),
            json!({"sourceCode": "exports.handler = async () => 1", "memoryLimitMb": 0}),
            "memoryLimitMb",
        ),
        (
            Method::POST,
            format!("/v1/functions/{fid}/invoke"),
            json!({"usr": {"email": "a@example.com"}}),
            "usr",
        ),
        (
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run".into(),
            json!({"user": {}, "contxt": {}}),
            "contxt",
        ),
        (
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order".into(),
            json!({"order": [fid.clone()], "scene": "PRE_REGISTER"}),
            "scene",
        ),
        (
            Method::PUT,
            "/v1/env/K".into(),
            json!({"value": "v", "secret": true}),
            "secret",
        ),
        (
            Method::POST,
            "/v1/keys".into(),
            json!({"role": "invoke", "name": "gateway"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v3/get-management-token".into(),
            json!({"accessKeyId": id, "accessKeySecret": secret, "scope": "all"}),
            "scope",
        ),
    ];
    for (method, path, body, field) in cases {
        let answer = send(&server, method.clone(), &path, &token, body).await;
        assert_refused(
            &format!("{method} {path}"),
            &answer,
            &[field, "unknown field"],
        );
    }

    // The server admin's route too.
    let answer = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(serde_json::to_vec(&json!({"name": "acme", "plan": "pro"})).unwrap()),
        )
        .await;
    assert_refused("POST /v1/tenants", &answer, &["plan", "unknown field"]);
    let answer = server
        .call(Method::GET, "/v1/functions?scen=PRE_REGISTER", &token, None)
        .await;
    assert_refused(
        "GET /v1/functions?scen=",
        &answer,
        &["scen", "unknown field"],
    );
    let answer = server
        .call(
            Method::GET,
            &format!("/v1/functions/{fid}/logs?pg=2"),
            &token,
            None,
        )
        .await;
    assert_refused("GET logs?pg=", &answer, &["pg", "unknown field"]);

    // The Authing front: its SDKs send exactly their DTOs' fields.
    let answer = send(
        &server,
        Method::POST,
        "/api/v3/update-pipeline-function",
        &token,
        json!({"funcId": fid, "funcNmae": "x"}),
    )
    .await;
    assert_authing_refused("update-pipeline-function", &answer, "funcNmae");
    let answer = send(
        &server,
        Method::POST,
        "/api/v3/create-pipeline-function",
        &token,
        json!({"funcName": "g", "scene": "PRE_REGISTER", "sourceCode": PIPE, "sceneId": 1}),
    )
    .await;
    assert_authing_refused("create-pipeline-function", &answer, "sceneId");
    let answer = send(
        &server,
        Method::POST,
        "/api/v3/delete-pipeline-function",
        &token,
        json!({"funcId": fid, "force": true}),
    )
    .await;
    assert_authing_refused("delete-pipeline-function", &answer, "force");

    let stored = get_data(&server, &token, &format!("/v1/functions/{fid}")).await;
    assert_eq!(
        (
            &stored["funcName"],
            &stored["version"],
            &stored["enabled"],
            &stored["timeout"]
        ),
        (&json!("f"), &json!(1), &json!(true), &json!(3)),
        "no refused request changed the function"
    );
    assert_eq!(
        get_data(&server, &token, "/v1/functions").await["totalCount"],
        1
    );
    assert_eq!(get_data(&server, &token, "/v1/env").await, json!({}));

    // What the documented fields ask still works, nulls included (the Python
    // SDK strips them, hand-written clients may not).
    let (status, body) = send(
        &server,
        Method::POST,
        "/api/v3/update-pipeline-function",
        &token,
        json!({"funcId": fid, "funcName": "g", "timeout": null}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), &body["statusCode"]),
        (200, &json!(200)),
        "{body}"
    );
    assert_eq!(body["data"]["funcName"], "g", "{body}");
}

#[tokio::test]
async fn user_context_and_event_must_be_objects() {
    let (_dir, server, token, fid) = server_with_pipe().await;
    let routes = [
        format!("/v1/functions/{fid}/invoke"),
        "/v1/scenes/PRE_REGISTER/run".to_string(),
        "/v1/run".to_string(),
    ];
    let body = |field: &str, value: Value| {
        let mut b = json!({"sourceCode": PIPE});
        b[field] = value;
        b
    };
    for path in &routes {
        // The dry run is the only one that takes sourceCode.
        let body = |field: &str, value: Value| {
            let mut b = body(field, value);
            if !path.ends_with("/v1/run") {
                b.as_object_mut().unwrap().remove("sourceCode");
            }
            b
        };
        for field in ["user", "context", "event"] {
            for bad in [json!("x"), json!([1]), json!(5), json!(true)] {
                let answer = send(
                    &server,
                    Method::POST,
                    path,
                    &token,
                    body(field, bad.clone()),
                )
                .await;
                assert_refused(
                    &format!("{path} {field}={bad}"),
                    &answer,
                    &[&format!("{field}: must be a JSON object")],
                );
            }
            // null and absent are an empty object, as documented.
            let (status, out) = send(
                &server,
                Method::POST,
                path,
                &token,
                body(field, Value::Null),
            )
            .await;
            assert_eq!(status, 200, "{path} {field}=null: {out}");
            assert_eq!(out["data"]["outcome"], "ok", "{path} {field}=null: {out}");
        }
    }
}

#[tokio::test]
async fn wrong_types_and_deep_nesting_name_the_field_and_the_rule() {
    let (_dir, server, token, fid) = server_with_pipe().await;

    let answer = send(
        &server,
        Method::POST,
        "/v1/keys",
        &token,
        json!({"role": 1}),
    )
    .await;
    assert_refused("role: 1", &answer, &["role", "invalid type: integer `1`"]);
    let answer = send(
        &server,
        Method::POST,
        "/v1/keys",
        &token,
        json!({"role": ["admin"]}),
    )
    .await;
    assert_refused("role: [admin]", &answer, &["role", "invalid type"]);
    // serde would read a struct from an array: `["invoke"]` is not `{"role": "invoke"}`.
    let answer = send(&server, Method::POST, "/v1/keys", &token, json!(["invoke"])).await;
    assert_refused("[invoke]", &answer, &["body: must be a JSON object"]);
    let answer = send(&server, Method::PUT, "/v1/env", &token, json!([["A", "1"]])).await;
    assert_refused("[[A, 1]]", &answer, &["body: must be a JSON object"]);
    assert_eq!(get_data(&server, &token, "/v1/env").await, json!({}));

    let deep = |levels: usize| {
        let mut v = br#"{"user": "#.to_vec();
        v.extend(std::iter::repeat_n(b'[', levels));
        v.extend(std::iter::repeat_n(b']', levels));
        v.extend(b"}");
        v
    };
    for path in [
        format!("/v1/functions/{fid}/invoke"),
        "/v1/scenes/PRE_REGISTER/run".into(),
    ] {
        let answer = server
            .raw(Method::POST, &path, Some(&token), Some(deep(10_000)))
            .await;
        assert_refused(
            &format!("{path} with 10,000 levels"),
            &answer,
            &["user: nested deeper than 128 levels"],
        );
    }
    // Deep inside an object, and never closed: the depth is what is named.
    let mut body =
        br#"{"sourceCode": "exports.handler = async () => 1", "context": {"a": "#.to_vec();
    body.extend(std::iter::repeat_n(b'[', 10_000));
    let answer = server
        .raw(Method::POST, "/v1/run", Some(&token), Some(body))
        .await;
    assert_refused(
        "POST /v1/run 10,000 levels",
        &answer,
        &["context: nested deeper than 128 levels"],
    );
    // Within the limit is fine.
    let answer = server
        .raw(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            Some(&token),
            Some(deep(100)),
        )
        .await;
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert!(
        answer.1["message"]
            .as_str()
            .unwrap()
            .starts_with("user: must be a JSON object"),
        "{}",
        answer.1
    );

    // Trailing bytes after the object are not JSON.
    let answer = server
        .raw(
            Method::POST,
            &format!("/v1/functions/{fid}/invoke"),
            Some(&token),
            Some(br#"{"user": {}} {"user": 1}"#.to_vec()),
        )
        .await;
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert!(
        answer.1["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{}",
        answer.1
    );
    // A missing field is named as required.
    let answer = send(
        &server,
        Method::POST,
        "/v1/functions",
        &token,
        json!({"funcName": "x", "scene": "PRE_REGISTER"}),
    )
    .await;
    assert_refused("no sourceCode", &answer, &["sourceCode: is required"]);
    // Still serving.
    let (status, out) = send(
        &server,
        Method::POST,
        &format!("/v1/functions/{fid}/invoke"),
        &token,
        json!({}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), &out["data"]["outcome"]),
        (200, &json!("ok")),
        "{out}"
    );
}

#[tokio::test]
async fn hidden_characters_in_names_are_refused() {
    let (_dir, server, token, fid) = server_with_pipe().await;

    // U+202E right-to-left override, U+2066 left-to-right isolate, U+200F
    // right-to-left mark, U+061C Arabic letter mark, BEL, NUL, DEL, U+0085;
    // the invisible ones a new user found passing: zero-width space and
    // non-joiner, BOM, word joiner, soft hyphen, Hangul filler.
    let hidden = [
        "\u{202E}", "\u{2066}", "\u{200F}", "\u{200E}", "\u{061C}", "\u{7}", "\u{0}", "\u{7F}",
        "\u{85}", "\u{2028}", "\u{200B}", "\u{200C}", "\u{FEFF}", "\u{2060}", "\u{AD}", "\u{3164}",
    ];
    for h in hidden {
        let name = format!("allow{h}list");
        let code = format!("U+{:04X}", h.chars().next().unwrap() as u32);
        let answer = send(
            &server,
            Method::POST,
            "/v1/functions",
            &token,
            function(&name, "PRE_REGISTER", PIPE),
        )
        .await;
        assert_refused(&format!("create {code}"), &answer, &["funcName", &code]);
        let answer = send(
            &server,
            Method::PATCH,
            &format!("/v1/functions/{fid}"),
            &token,
            json!({"funcName": name}),
        )
        .await;
        assert_refused(&format!("rename {code}"), &answer, &["funcName", &code]);
        let answer = send(
            &server,
            Method::POST,
            "/api/v3/create-pipeline-function",
            &token,
            function(&name, "PRE_REGISTER", PIPE),
        )
        .await;
        assert_authing_refused(&format!("Authing create {code}"), &answer, "funcName");
        let answer = server
            .raw(
                Method::POST,
                "/v1/tenants",
                Some(ADMIN_KEY),
                Some(serde_json::to_vec(&json!({"name": name})).unwrap()),
            )
            .await;
        assert_refused(&format!("tenant {code}"), &answer, &["name", &code]);
        let answer = send(
            &server,
            Method::PUT,
            "/v1/env",
            &token,
            json!({ format!("KEY{h}"): "v" }),
        )
        .await;
        assert_refused(&format!("env key {code}"), &answer, &["KEY"]);
    }
    // Descriptions are text: line breaks are fine, a bidi override is not.
    let answer = send(
        &server,
        Method::PATCH,
        &format!("/v1/functions/{fid}"),
        &token,
        json!({"funcDescription": "a\u{202E}b"}),
    )
    .await;
    assert_refused("description", &answer, &["funcDescription", "U+202E"]);
    let (status, body) = send(
        &server,
        Method::PATCH,
        &format!("/v1/functions/{fid}"),
        &token,
        json!({"funcDescription": "line 1\nline 2\tend"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Names in any script are fine.
    let (status, body) = send(
        &server,
        Method::PATCH,
        &format!("/v1/functions/{fid}"),
        &token,
        json!({"funcName": "白名单 ✓ قائمة"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let stored = get_data(&server, &token, &format!("/v1/functions/{fid}")).await;
    assert_eq!(
        stored["version"], 3,
        "only the two good patches counted: {stored}"
    );
    assert_eq!(
        get_data(&server, &token, "/v1/functions").await["totalCount"],
        1
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_by_content_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let client = reqwest::Client::new();
    let post = |content_type: &'static str| {
        client
            .post(format!("{}/v1/run", server.base))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(r#"{"sourceCode": "exports.handler = async () => 1"}"#)
            .send()
    };
    for refused in [
        "application/jsonx",
        "application/json-seq",
        "text/plain",
        "application/x-www-form-urlencoded",
        "json",
    ] {
        let resp = post(refused).await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 415, "{refused}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with("content-type:") && message.contains(refused),
            "{message}"
        );
    }
    for accepted in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.api+json",
    ] {
        let resp = post(accepted).await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 200, "{accepted}: {body}");
        assert_eq!(body["data"]["result"], 1, "{accepted}: {body}");
    }
}

#[tokio::test]
async fn allow_list_rules_no_call_could_use_are_refused_when_set() {
    let refused = [
        "127.0.0.1",
        "127.1.2.3:8080",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1:443",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "[::1]",
        "[fc00::1]",
        "[fd12:3456::1]:8443",
        "[fe80::1]",
        "[::ffff:10.0.0.1]",
        "localhost",
        "localhost:8080",
        "api.localhost",
        "*.localhost",
        "0x7f.1",
        "2130706433",
    ];
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    for rule in refused {
        let answer = send(
            &server,
            Method::PUT,
            "/v1/outbound",
            &token,
            json!({"allow": ["hooks.slack.com", rule]}),
        )
        .await;
        assert_refused(
            rule,
            &answer,
            &["allow", rule, "which functions may not reach"],
        );
    }
    assert_eq!(
        get_data(&server, &token, "/v1/outbound").await,
        json!({"allow": []}),
        "nothing stored"
    );
    let public = json!([
        "hooks.slack.com",
        "8.8.8.8",
        "[2001:4860:4860::8888]:443",
        "*.larksuite.com",
        "*"
    ]);
    let (status, body) = send(
        &server,
        Method::PUT,
        "/v1/outbound",
        &token,
        json!({"allow": public}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    drop(server);

    // --outbound-allow-private=loopback lifts it for loopback only; =true for all.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", "loopback")],
    );
    let token = server.admin_token().await;
    for rule in ["127.0.0.1:8080", "[::1]", "localhost"] {
        let (status, body) = send(
            &server,
            Method::PUT,
            "/v1/outbound",
            &token,
            json!({"allow": [rule]}),
        )
        .await;
        assert_eq!(status, 200, "{rule}: {body}");
    }
    let answer = send(
        &server,
        Method::PUT,
        "/v1/outbound",
        &token,
        json!({"allow": ["10.0.0.1"]}),
    )
    .await;
    assert_refused("10.0.0.1 with loopback", &answer, &["10.0.0.1", "private"]);
    drop(server);

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", "true")]);
    let token = server.admin_token().await;
    let (status, body) = send(
        &server,
        Method::PUT,
        "/v1/outbound",
        &token,
        json!({"allow": refused}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn pages_out_of_range_are_refused() {
    let (_dir, server, token, fid) = server_with_pipe().await;
    for (query, mention) in [
        ("page=0", "page: pages are counted from 1"),
        ("limit=101", "limit: must be from 1 to 100, got 101"),
        ("limit=0", "limit: must be from 1 to 100, got 0"),
        ("page=0&limit=5", "page"),
    ] {
        let answer = server
            .call(
                Method::GET,
                &format!("/v1/functions/{fid}/logs?{query}"),
                &token,
                None,
            )
            .await;
        assert_refused(query, &answer, &[mention]);
    }
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/v1/functions/{fid}/logs?page=1&limit=100"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status.as_u16(), &body["data"]["limit"]),
        (200, &json!(100)),
        "{body}"
    );

    // Authing documents at most 50 per page of logs.
    for (query, mention) in [
        ("page=0", "page"),
        ("limit=51", "limit: must be from 1 to 50, got 51"),
    ] {
        let answer = server
            .call(
                Method::GET,
                &format!("/api/v3/get-pipeline-logs?funcId={fid}&{query}"),
                &token,
                None,
            )
            .await;
        assert_authing_refused(query, &answer, mention);
    }
    let (_, body) = server
        .call(
            Method::GET,
            &format!("/api/v3/get-pipeline-logs?funcId={fid}&page=1&limit=50"),
            &token,
            None,
        )
        .await;
    assert_eq!(body["statusCode"], 200, "{body}");
}

#[tokio::test]
async fn setting_several_variables_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let answer = send(
        &server,
        Method::PUT,
        "/v1/env",
        &token,
        json!({"A": "1", "bad key": "2"}),
    )
    .await;
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(
        get_data(&server, &token, "/v1/env").await,
        json!({}),
        "A was not stored"
    );
    assert_refused("bad key", &answer, &["\"bad key\"", "letters, digits"]);
    let answer = send(
        &server,
        Method::PUT,
        "/v1/env",
        &token,
        json!({"A": "1", "B": "x".repeat(40 * 1024)}),
    )
    .await;
    assert_refused("long value", &answer, &["\"B\"", "32768 bytes"]);
    assert_eq!(
        get_data(&server, &token, "/v1/env").await,
        json!({}),
        "nothing of a refused request is stored"
    );

    let (status, body) = send(
        &server,
        Method::PUT,
        "/v1/env",
        &token,
        json!({"A": "1", "B": "2"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({"A": "1", "B": "2"}));
    // Acknowledged whole, kept whole through a crash (the token stays valid:
    // its signing key is in the data dir).
    server.kill();
    let server = Server::start(dir.path());
    assert_eq!(
        get_data(&server, &token, "/v1/env").await,
        json!({"A": "1", "B": "2"})
    );
}

#[tokio::test]
async fn one_hook_name_wins_when_creates_and_renames_race() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let script = "module.exports = function (user, context, cb) { cb(); };";
    let hook =
        |name: &str| json!({"name": name, "script": script, "triggerId": "post-user-registration"});

    for round in 0..3 {
        let name = format!("race {round}");
        let answers = futures_util::future::join_all(
            (0..8).map(|_| send(&server, Method::POST, "/api/v2/hooks", &token, hook(&name))),
        )
        .await;
        let created = answers.iter().filter(|(s, _)| s.as_u16() == 201).count();
        assert_eq!(
            created, 1,
            "exactly one create of {name:?} wins: {answers:?}"
        );
        for (status, body) in answers.iter().filter(|(s, _)| s.as_u16() != 201) {
            assert_eq!(
                (status.as_u16(), &body["errorCode"]),
                (409, &json!("hook_conflict")),
                "{body}"
            );
        }
    }
    let (status, hooks) = server
        .call(Method::GET, "/api/v2/hooks", &token, None)
        .await;
    assert_eq!(status, 200, "{hooks}");
    let mut names: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["race 0", "race 1", "race 2"]);

    // Renames racing onto one free name: one wins.
    let ids: Vec<String> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    let paths: Vec<String> = ids.iter().map(|id| format!("/api/v2/hooks/{id}")).collect();
    let answers = futures_util::future::join_all(paths.iter().map(|path| {
        send(
            &server,
            Method::PATCH,
            path,
            &token,
            json!({"name": "taken"}),
        )
    }))
    .await;
    assert_eq!(
        answers.iter().filter(|(s, _)| s.as_u16() == 200).count(),
        1,
        "{answers:?}"
    );
    let (_, hooks) = server
        .call(Method::GET, "/api/v2/hooks", &token, None)
        .await;
    let taken = hooks
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["name"] == "taken")
        .count();
    assert_eq!(taken, 1, "{hooks}");

    // The native API keeps the rule for hooks, and pipeline functions may
    // still share names.
    let answer = send(
        &server,
        Method::POST,
        "/v1/functions",
        &token,
        function("taken", "post-user-registration", script),
    )
    .await;
    assert_eq!(answer.0, 409, "{}", answer.1);
    assert!(
        answer.1["message"].as_str().unwrap().contains("funcName"),
        "{}",
        answer.1
    );
    for _ in 0..2 {
        server
            .deploy(&token, function("taken", "PRE_REGISTER", PIPE))
            .await;
    }
    // A deleted hook frees its name.
    let holder = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "taken")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v2/hooks/{holder}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = send(
        &server,
        Method::POST,
        "/api/v2/hooks",
        &token,
        hook("taken"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// What a new user found accepted: a PATCH that changes nothing (it bumped
/// the version), an env body naming one key twice (the last silently won),
/// and two `authorization` headers (the first was used).
#[tokio::test]
async fn empty_patches_duplicate_keys_and_two_credentials_are_refused() {
    let (_dir, server, token, fid) = server_with_pipe().await;
    let path = format!("/v1/functions/{fid}");
    for body in [
        json!({}),
        json!({"funcName": null}),
        json!({"sourceCode": null, "timeout": null}),
    ] {
        let answer = send(&server, Method::PATCH, &path, &token, body.clone()).await;
        assert_refused(&format!("PATCH {body}"), &answer, &["at least one field"]);
    }
    assert_eq!(get_data(&server, &token, &path).await["version"], 1);

    let answer = server
        .raw(
            Method::PUT,
            "/v1/env",
            Some(&token),
            Some(br#"{"A": "1", "A": "2"}"#.to_vec()),
        )
        .await;
    assert_refused("duplicate env key", &answer, &["duplicate key `A`"]);
    assert_eq!(get_data(&server, &token, "/v1/env").await, json!({}));

    let resp = reqwest::Client::new()
        .get(format!("{}/v1/functions", server.base))
        .header("authorization", format!("Bearer {token}"))
        .header("authorization", "Bearer someone-else")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("give it once"),
        "{body}"
    );
}
