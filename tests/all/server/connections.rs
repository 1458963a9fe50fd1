//! Custom database connections (Auth0's database action scripts) end to end:
//! a real server, its `/v1/connections` routes, the issue's login script and
//! Auth0's own templates.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

/// The issue's login script: a wrong password is Auth0's error class.
const LOGIN: &str = r#"function login(email, password, callback) {
  if (password !== 'correct horse') return callback(new WrongUsernameOrPasswordError(email));
  callback(null, { user_id: 'db|42', email: email, email_verified: true });
}
"#;

fn template(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `POST /v1/connections` with `spec`, which must answer 200; gives `data`.
async fn create(server: &Server, token: &str, spec: Value) -> Value {
    let (status, body) = server
        .call(Method::POST, "/v1/connections", token, Some(spec))
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

/// Runs `script` of connection `name` with `args`; gives the whole answer.
async fn run(server: &Server, token: &str, name: &str, script: &str, args: Value) -> Value {
    let path = format!("/v1/connections/{name}/scripts/{script}/run");
    let (status, body) = server
        .call(Method::POST, &path, token, Some(json!({ "args": args })))
        .await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// A request that must be refused with `status`; gives the message.
async fn refused(
    server: &Server,
    token: &str,
    (method, path): (Method, &str),
    body: Option<Value>,
    status: u16,
) -> String {
    let (got, answer) = server.call(method, path, token, body).await;
    assert_eq!(got, status, "{path}: {answer}");
    assert_eq!(answer["statusCode"], status, "{answer}");
    answer["message"].as_str().unwrap_or_default().to_string()
}

/// The connection's logs once `n` records are written (the writer batches).
async fn logs(server: &Server, token: &str, name: &str, n: usize) -> Vec<Value> {
    let path = format!("/v1/connections/{name}/logs?limit=100");
    eventually("the connection's logs", || async {
        let (status, body) = server.call(Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{body}");
        let list = body["data"]["list"].as_array().cloned().unwrap_or_default();
        (list.len() >= n).then_some(list)
    })
    .await
}

#[tokio::test]
async fn the_issues_login_script_answers_a_profile_or_wrong_username_or_password() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let created = create(
        &server,
        &token,
        json!({"name": "users", "scripts": {"login": LOGIN}}),
    )
    .await;
    assert_eq!(
        (&created["name"], &created["timeout"], &created["version"]),
        (&json!("users"), &json!(20), &json!(1)),
        "{created}"
    );
    assert_eq!(created["scripts"]["login"], LOGIN);

    let right = run(
        &server,
        &token,
        "users",
        "login",
        json!(["ada@example.com", "correct horse"]),
    )
    .await;
    // The envelope of `/v1/functions/{id}/invoke`, with the outcome as data.
    assert_eq!(
        (&right["statusCode"], &right["message"]),
        (&json!(200), &json!("success"))
    );
    assert!(right["requestId"].is_string(), "{right}");
    let data = &right["data"];
    assert_eq!(data["outcome"], "ok", "{data}");
    assert_eq!(
        data["result"],
        json!({"user_id": "db|42", "email": "ada@example.com", "email_verified": true})
    );
    assert!(data.get("error").is_none(), "{data}");

    let wrong = run(
        &server,
        &token,
        "users",
        "login",
        json!(["ada@example.com", "Tr0ub4dor&3"]),
    )
    .await;
    let data = &wrong["data"];
    assert_eq!(data["outcome"], "error", "{data}");
    assert_eq!(data["error"]["name"], "WrongUsernameOrPasswordError");
    assert_eq!(data["error"]["user_id"], "ada@example.com");
    assert_eq!(data["result"], Value::Null);

    // Each run is in the connection's log, newest first, with its script.
    let list = logs(&server, &token, "users", 2).await;
    let seen: Vec<(&Value, &Value, &Value)> = list
        .iter()
        .map(|r| (&r["script"], &r["outcome"], &r["requestId"]))
        .collect();
    assert_eq!(
        seen,
        [
            (&json!("login"), &json!("error"), &wrong["requestId"]),
            (&json!("login"), &json!("ok"), &right["requestId"]),
        ]
    );
    assert_eq!(list[0]["error"]["user_id"], "ada@example.com");
}

#[tokio::test]
async fn auth0s_templates_run_as_the_platform_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "stub", "scripts": {
            "login": template("db-bare-login.js"),
            "get_user": template("db-bare-get-user.js"),
        }}),
    )
    .await;
    // The dashboard's stubs: each says which script to implement.
    let login = run(
        &server,
        &token,
        "stub",
        "login",
        json!(["alice@example.com", "pw"]),
    )
    .await;
    assert_eq!(login["data"]["outcome"], "error");
    assert_eq!(
        (
            &login["data"]["error"]["name"],
            &login["data"]["error"]["message"]
        ),
        (
            &json!("Error"),
            &json!(
                "Please implement the Login script for this database connection at https://manage.auth0.com/#/connections/database"
            )
        )
    );
    let get_user = run(
        &server,
        &token,
        "stub",
        "get_user",
        json!(["alice@example.com"]),
    )
    .await;
    assert_eq!(get_user["data"]["outcome"], "error");
    assert_eq!(
        get_user["data"]["error"]["message"],
        "Please implement the Get User script for this database connection at https://manage.auth0.com/#/connections/database"
    );

    // The MySQL template needs a database driver hookbox cannot give: the run
    // says so by name, it never pretends.
    create(
        &server,
        &token,
        json!({"name": "mysql", "scripts": {"login": template("db-mysql-login.js")}}),
    )
    .await;
    let mysql = run(
        &server,
        &token,
        "mysql",
        "login",
        json!(["alice@example.com", "pw"]),
    )
    .await;
    let error = &mysql["data"]["error"];
    assert_eq!(mysql["data"]["outcome"], "error", "{mysql}");
    assert_eq!(error["code"], "MODULE_NOT_FOUND", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("'mysql'"),
        "{error}"
    );
}

#[tokio::test]
async fn the_readmes_example_scripts_answer_as_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "users", "timeout": 10, "configuration": {"PASSWORD": "correct-horse"},
               "scripts": {"login": crate::common::example_source("auth0-db-login.js"),
                           "get_user": crate::common::example_source("auth0-db-get-user.js")}}),
    )
    .await;
    let ada = json!(["ada@example.com", "correct-horse"]);
    let data = &run(&server, &token, "users", "login", ada).await["data"];
    assert_eq!(
        data["result"],
        json!({"user_id": "db|1", "email": "ada@example.com", "name": "Ada Lovelace", "email_verified": true})
    );
    let wrong = json!(["ada@example.com", "wrong"]);
    let data = &run(&server, &token, "users", "login", wrong).await["data"];
    assert_eq!(
        (
            &data["error"]["name"],
            &data["error"]["message"],
            &data["error"]["user_id"]
        ),
        (
            &json!("WrongUsernameOrPasswordError"),
            &json!("Wrong username or password."),
            &json!("ada@example.com")
        )
    );
    assert_eq!(data["error"]["stack"], "at login (function.js:10:25)");
    let data = &run(
        &server,
        &token,
        "users",
        "get_user",
        json!(["eve@example.com"]),
    )
    .await["data"];
    assert_eq!(
        (&data["outcome"], &data["result"]),
        (&json!("ok"), &Value::Null)
    );
}

#[tokio::test]
async fn configuration_is_read_inside_and_never_shown_logged_or_stored_in_the_clear() {
    const KEY: &str = "sk_live_4f9a2c7e1b";
    const SCRIPT: &str = r#"function login(email, password, callback) {
  console.log('calling the user store with ' + configuration.API_KEY + ' in ' + configuration.REGION);
  if (password !== configuration.API_KEY) return callback(new WrongUsernameOrPasswordError(configuration.API_KEY, 'bad key ' + configuration.API_KEY));
  callback(null, { user_id: 'db|7', key: configuration.API_KEY, env: typeof env });
}
"#;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let created = create(
        &server,
        &token,
        json!({"name": "vault", "scripts": {"login": SCRIPT},
               "configuration": {"API_KEY": KEY, "REGION": "eu-west-1"}}),
    )
    .await;
    assert_eq!(created["configuration"], json!(["API_KEY", "REGION"]));

    // Inside, `configuration.X` is the connection's own value.
    let ok = run(
        &server,
        &token,
        "vault",
        "login",
        json!(["a@example.com", KEY]),
    )
    .await;
    assert_eq!(ok["data"]["outcome"], "ok", "{ok}");
    assert_eq!(ok["data"]["result"]["key"], KEY);
    let denied = run(
        &server,
        &token,
        "vault",
        "login",
        json!(["a@example.com", "x"]),
    )
    .await;
    assert_eq!(denied["data"]["error"]["user_id"], KEY);

    // Answers name the configuration, never give its values.
    for path in ["/v1/connections/vault", "/v1/connections"] {
        let (status, body) = server.call(Method::GET, path, &token, None).await;
        assert_eq!(status, 200, "{body}");
        let text = body.to_string();
        assert!(!text.contains(KEY) && !text.contains("eu-west-1"), "{text}");
        assert!(text.contains("\"API_KEY\""), "{text}");
    }
    // The log has the runs, with every value of the configuration redacted:
    // in console lines, the error's message and its own fields.
    let list = logs(&server, &token, "vault", 2).await;
    let text = serde_json::to_string(&list).unwrap();
    assert!(!text.contains(KEY) && !text.contains("eu-west-1"), "{text}");
    assert_eq!(list[0]["error"]["user_id"], "[redacted: API_KEY]");
    assert_eq!(list[0]["error"]["message"], "bad key [redacted: API_KEY]");
    assert_eq!(
        list[1]["logs"][0]["message"],
        "calling the user store with [redacted: API_KEY] in [redacted: REGION]"
    );

    // Sealed at rest: no file of the database holds the value.
    server.stop();
    let mut files = vec![dir.path().to_path_buf()];
    let mut scanned = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        scanned += 1;
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} holds the configuration value in the clear",
            path.display()
        );
    }
    assert!(scanned > 0);
}

#[tokio::test]
async fn a_script_that_never_calls_back_ends_at_once_and_one_that_spins_at_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "careless", "timeout": 1, "scripts": {
            // Returns without calling back; a promise nobody settles.
            "login": "function login(email, password, callback) { new Promise(function () {}); }",
            "get_user": "function getByEmail(email, callback) { if (email) return; callback(null); }",
            "verify": "function verify(email, callback) { while (true) {} }",
        }}),
    )
    .await;
    for (script, args) in [("login", json!(["a", "b"])), ("get_user", json!(["a"]))] {
        let data = &run(&server, &token, "careless", script, args).await["data"];
        assert_eq!(data["outcome"], "callback_not_called", "{script}: {data}");
        assert_eq!(data["error"]["name"], "CallbackNotCalledError", "{data}");
    }
    // The connection's own timeout (1 s here; 20 s by default) ends a runaway.
    let data = &run(&server, &token, "careless", "verify", json!(["a"])).await["data"];
    assert_eq!(data["outcome"], "timeout", "{data}");
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_the_rule_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "users", "scripts": {"login": LOGIN}}),
    )
    .await;
    let post = || (Method::POST, "/v1/connections");
    let cases = [
        (
            json!({"name": "x", "scripts": {"getUser": "function getUser(e, cb) { cb(null); }"}}),
            "scripts.getUser: unknown database script \"getUser\"; expected one of login, get_user, create, verify, change_password, change_email, delete",
        ),
        (
            json!({"name": "x", "scripts": {"login": "x".repeat(100 * 1024 + 1)}}),
            "scripts.login: is 102401 bytes; the limit is 102400 bytes (100 KB)",
        ),
        (
            json!({"name": "x", "secrets": {"K": "v"}}),
            "secrets: unknown field, expected one of `name`, `scripts`, `configuration`, `timeout`",
        ),
        (
            json!({"name": "x", "configuration": {"API KEY": "v"}}),
            "configuration: \"API KEY\": a name is 1–128 letters, digits, '_' or '-'",
        ),
        (
            json!({"name": "x", "timeout": 61}),
            "timeout: must be an integer number of seconds from 1 to 60, got 61",
        ),
        (
            json!({"name": " \u{202E} "}),
            "name: is 1–128 ASCII letters and digits with single '-' between them",
        ),
        (json!({"name": ".."}), "name: is 1–128 ASCII letters"),
        (json!({"name": "a--b"}), "name: is 1–128 ASCII letters"),
        (json!({"name": "-users"}), "name: is 1–128 ASCII letters"),
        (json!({"name": "users "}), "name: is 1–128 ASCII letters"),
        (
            json!({"name": "\u{FF55}sers"}),
            "name: is 1–128 ASCII letters",
        ),
        (
            json!({"name": "users\u{A0}"}),
            "name: is 1–128 ASCII letters",
        ),
        (
            json!({"name": "u".repeat(129)}),
            "name: is 1–128 ASCII letters",
        ),
        (json!({"scripts": {}}), "name: is required"),
        (
            json!({"name": "users"}),
            "name: a connection named \"users\" already exists",
        ),
    ];
    for (body, expected) in cases {
        let status = if expected.contains("already exists") {
            409
        } else {
            400
        };
        let message = refused(&server, &token, post(), Some(body), status).await;
        assert!(
            message.starts_with(expected),
            "{message:?} for {expected:?}"
        );
    }
    // A compile error is the compiler's, with its line and column.
    let message = refused(
        &server,
        &token,
        post(),
        Some(json!({"name": "x", "scripts": {"login": "function login(e, p, callback) {\n  callback(null, {;\n}\n"}})),
        400,
    )
    .await;
    assert!(
        message.starts_with("scripts.login: does not compile: SyntaxError: ")
            && message.contains("(line 2, column "),
        "{message}"
    );

    let run_path = "/v1/connections/users/scripts/login/run";
    let cases = [
        (
            run_path,
            json!({"args": "ada@example.com"}),
            "args: invalid type: string \"ada@example.com\", expected a sequence",
        ),
        (
            run_path,
            json!({"args": [], "user": {}}),
            "user: unknown field, expected `args`",
        ),
        (run_path, json!({}), "args: is required"),
        (
            run_path,
            json!({"args": [1, 2, 3, 4, 5, 6, 7, 8, 9]}),
            "args: a script takes at most 8 arguments before its callback, got 9",
        ),
        (
            "/v1/connections/users/scripts/getUser/run",
            json!({"args": []}),
            "script: unknown database script \"getUser\"",
        ),
    ];
    for (path, body, expected) in cases {
        let message = refused(&server, &token, (Method::POST, path), Some(body), 400).await;
        assert!(
            message.starts_with(expected),
            "{message:?} for {expected:?}"
        );
    }
    // An update that does not compile leaves the connection as it was.
    let message = refused(
        &server,
        &token,
        (Method::PATCH, "/v1/connections/users"),
        Some(json!({"scripts": {"login": "function login(", "create": "function create(u, cb) { cb(); }"}, "timeout": 5})),
        400,
    )
    .await;
    assert!(
        message.starts_with("scripts.login: does not compile"),
        "{message}"
    );

    // A key given twice, and a PATCH that changes nothing, are refused too.
    for (method, path, body, expected) in [
        (
            Method::POST,
            "/v1/connections",
            r#"{"name": "x", "configuration": {"K": "1", "K": "2"}}"#,
            "configuration: duplicate key `K`: give each key once",
        ),
        (
            Method::PATCH,
            "/v1/connections/users",
            r#"{"scripts": {"login": "function login() {}", "login": "function login(e, p, cb) { cb(null); }"}}"#,
            "scripts: duplicate key `login`: give each key once",
        ),
        (
            Method::PATCH,
            "/v1/connections/users",
            r#"{"scripts": null, "timeout": null}"#,
            "body: a PATCH must set at least one field",
        ),
        (
            Method::PATCH,
            "/v1/connections/users",
            r#"{"configuration": {}}"#,
            "body: a PATCH must set at least one field",
        ),
    ] {
        let (status, answer) = server
            .raw(method, path, Some(&token), Some(body.as_bytes().to_vec()))
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with(expected),
            "{message:?} for {expected:?}"
        );
    }

    // Nothing refused was stored.
    let (status, list) = server
        .call(Method::GET, "/v1/connections", &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["data"]["totalCount"], 1, "{list}");
    let users = &list["data"]["list"][0];
    assert_eq!(
        (&users["version"], &users["timeout"], &users["scripts"]),
        (&json!(1), &json!(20), &json!({"login": LOGIN})),
    );
    // Missing things are 404s.
    for (method, path, body) in [
        (Method::GET, "/v1/connections/nobody", None),
        (
            Method::POST,
            "/v1/connections/nobody/scripts/login/run",
            Some(json!({"args": []})),
        ),
        (
            Method::POST,
            "/v1/connections/users/scripts/get_user/run",
            Some(json!({"args": []})),
        ),
        (
            Method::PATCH,
            "/v1/connections/nobody",
            Some(json!({"timeout": 5})),
        ),
        (Method::DELETE, "/v1/connections/nobody", None),
        (Method::GET, "/v1/connections/nobody/logs", None),
    ] {
        refused(&server, &token, (method, path), body, 404).await;
    }
}

#[tokio::test]
async fn an_update_merges_scripts_and_configuration_and_the_next_run_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "db", "scripts": {"login": LOGIN},
               "configuration": {"OLD": "old-value", "KEEP": "kept-value"}}),
    )
    .await;
    run(&server, &token, "db", "login", json!(["a", "b"])).await;
    let get_user = "function getByEmail(email, callback) {\n  callback(null, { user_id: 'db|' + email, seen: Object.keys(configuration), keep: configuration.KEEP, added: configuration.NEW });\n}\n";
    let (status, patched) = server
        .call(
            Method::PATCH,
            "/v1/connections/db",
            &token,
            Some(json!({
                "scripts": {"get_user": get_user, "login": null},
                "configuration": {"NEW": "new-value", "OLD": null},
                "timeout": 5,
            })),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    let patched = &patched["data"];
    assert_eq!(
        (
            &patched["scripts"],
            &patched["configuration"],
            &patched["timeout"],
            &patched["version"]
        ),
        (
            &json!({"get_user": get_user}),
            &json!(["KEEP", "NEW"]),
            &json!(5),
            &json!(2)
        )
    );
    let data = &run(&server, &token, "db", "get_user", json!(["ada"])).await["data"];
    assert_eq!(
        data["result"],
        json!({"user_id": "db|ada", "seen": ["KEEP", "NEW"], "keep": "kept-value", "added": "new-value"}),
        "{data}"
    );
    // The removed script is gone with its artifact.
    refused(
        &server,
        &token,
        (Method::POST, "/v1/connections/db/scripts/login/run"),
        Some(json!({"args": ["a", "correct horse"]})),
        404,
    )
    .await;
}

#[tokio::test]
async fn delete_removes_the_connection_its_scripts_and_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let spec =
        json!({"name": "gone", "scripts": {"login": LOGIN}, "configuration": {"K": "value-1"}});
    create(&server, &token, spec).await;
    run(
        &server,
        &token,
        "gone",
        "login",
        json!(["a", "correct horse"]),
    )
    .await;
    logs(&server, &token, "gone", 1).await;
    let (status, body) = server
        .call(Method::DELETE, "/v1/connections/gone", &token, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({"name": "gone", "deleted": true}));
    let run_path = "/v1/connections/gone/scripts/login/run";
    for (method, path, body) in [
        (Method::GET, "/v1/connections/gone", None),
        (Method::POST, run_path, Some(json!({"args": []}))),
        (Method::GET, "/v1/connections/gone/logs", None),
        (Method::DELETE, "/v1/connections/gone", None),
    ] {
        refused(&server, &token, (method, path), body, 404).await;
    }
    // The name is free again, and a new connection under it starts clean: no
    // script, configuration or log of the old one.
    let created = create(
        &server,
        &token,
        json!({"name": "gone", "scripts": {"get_user": "function getUser(e, cb) { cb(null, { c: typeof configuration.K }); }"}}),
    )
    .await;
    assert_eq!(created["configuration"], json!([]));
    refused(
        &server,
        &token,
        (Method::POST, run_path),
        Some(json!({"args": []})),
        404,
    )
    .await;
    let data = &run(&server, &token, "gone", "get_user", json!(["a"])).await["data"];
    assert_eq!(data["result"], json!({"c": "undefined"}), "{data}");
    assert_eq!(logs(&server, &token, "gone", 1).await.len(), 1);
}

#[tokio::test]
async fn invoke_keys_run_scripts_and_other_tenants_see_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let admin = server.admin_token().await;
    create(
        &server,
        &admin,
        json!({"name": "users", "scripts": {"login": LOGIN}}),
    )
    .await;
    let (status, key) = server
        .call(
            Method::POST,
            "/v1/keys",
            &admin,
            Some(json!({"role": "invoke"})),
        )
        .await;
    assert_eq!(status, 200, "{key}");
    let gateway = server
        .token_for(
            key["data"]["accessKeyId"].as_str().unwrap(),
            key["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let data = &run(
        &server,
        &gateway,
        "users",
        "login",
        json!(["a", "correct horse"]),
    )
    .await["data"];
    assert_eq!(data["outcome"], "ok");
    for (method, path, body) in [
        (Method::GET, "/v1/connections", None),
        (Method::GET, "/v1/connections/users", None),
        (Method::GET, "/v1/connections/users/logs", None),
        (
            Method::POST,
            "/v1/connections",
            Some(json!({"name": "mine"})),
        ),
        (
            Method::PATCH,
            "/v1/connections/users",
            Some(json!({"timeout": 2})),
        ),
        (Method::DELETE, "/v1/connections/users", None),
    ] {
        refused(&server, &gateway, (method, path), body, 403).await;
    }

    let (status, created) = server
        .raw(
            Method::POST,
            "/v1/tenants",
            Some(ADMIN_KEY),
            Some(br#"{"name":"Tenant B","id":"tenant-b"}"#.to_vec()),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let other = server
        .token_for(
            created["data"]["accessKeyId"].as_str().unwrap(),
            created["data"]["accessKeySecret"].as_str().unwrap(),
        )
        .await;
    let (status, list) = server
        .call(Method::GET, "/v1/connections", &other, None)
        .await;
    assert_eq!(
        (status.as_u16(), &list["data"]["totalCount"]),
        (200, &json!(0))
    );
    for (method, path, body) in [
        (Method::GET, "/v1/connections/users", None),
        (
            Method::POST,
            "/v1/connections/users/scripts/login/run",
            Some(json!({"args": ["a", "correct horse"]})),
        ),
        (Method::DELETE, "/v1/connections/users", None),
    ] {
        refused(&server, &other, (method, path), body, 404).await;
    }
    // Tenant B may use the same name for its own connection.
    create(
        &server,
        &other,
        json!({"name": "users", "scripts": {"login": "function login(e, p, cb) { cb(null, { user_id: 'b' }); }"}}),
    )
    .await;
    let data = &run(
        &server,
        &admin,
        "users",
        "login",
        json!(["a", "correct horse"]),
    )
    .await["data"];
    assert_eq!(data["result"]["user_id"], "db|42");
}

#[tokio::test]
async fn scripts_built_for_an_older_plugin_are_rebuilt_from_source_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    create(
        &server,
        &token,
        json!({"name": "users", "scripts": {"login": LOGIN}}),
    )
    .await;
    server.stop();
    let plugins = tempfile::tempdir().unwrap();
    let plugin = super::durability::another_plugin_build(plugins.path());
    let server = Server::start_with(dir.path(), &[("HOOKBOX_PLUGIN", plugin.to_str().unwrap())]);
    // The engine refuses an artifact of another plugin (a 500 if it were
    // run): this answer needs the script rebuilt from its stored source.
    let data = &run(
        &server,
        &token,
        "users",
        "login",
        json!(["a", "correct horse"]),
    )
    .await["data"];
    assert_eq!(data["outcome"], "ok", "{data}");
    assert_eq!(data["result"]["user_id"], "db|42");
}

#[tokio::test]
async fn racing_writes_take_a_name_once_and_never_mix_updates() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let spec = |i: usize| {
        json!({"name": "raced", "configuration": {"WRITER": format!("writer-{i}")},
               "scripts": {"login": format!("function login(e, p, cb) {{ cb(null, {{ user_id: 'w{i}' }}); }}")}})
    };
    let creates =
        (0..8).map(|i| server.call(Method::POST, "/v1/connections", &token, Some(spec(i))));
    let statuses: Vec<u16> = futures_util::future::join_all(creates)
        .await
        .into_iter()
        .map(|(status, _)| status.as_u16())
        .collect();
    assert_eq!(
        (
            statuses.iter().filter(|s| **s == 200).count(),
            statuses.iter().filter(|s| **s == 409).count()
        ),
        (1, 7),
        "{statuses:?}"
    );

    // Concurrent updates: each is applied whole or refused as a conflict,
    // so the version counts exactly the ones applied, and the script and the
    // configuration the connection ends with are one writer's.
    let updates = (0..8).map(|i| {
        let body = json!({"configuration": {"WRITER": format!("update-{i}")},
                          "scripts": {"login": format!("function login(e, p, cb) {{ cb(null, {{ user_id: 'u{i}', writer: configuration.WRITER }}); }}")}});
        server.call(Method::PATCH, "/v1/connections/raced", &token, Some(body))
    });
    let answers = futures_util::future::join_all(updates).await;
    let applied = answers.iter().filter(|(s, _)| *s == 200).count();
    assert!(applied >= 1, "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == 200
                || (*status == 409
                    && body["message"]
                        .as_str()
                        .unwrap()
                        .contains("changed by another request")),
            "{status}: {body}"
        );
    }
    let (_, stored) = server
        .call(Method::GET, "/v1/connections/raced", &token, None)
        .await;
    assert_eq!(stored["data"]["version"], 1 + applied as u64, "{stored}");
    let data = &run(&server, &token, "raced", "login", json!(["a", "b"])).await["data"];
    let user = data["result"]["user_id"].as_str().unwrap();
    assert_eq!(
        data["result"]["writer"],
        format!("update-{}", user.trim_start_matches('u')),
        "{data}"
    );
}
