//! `hookbox connection …` as a person runs it: the real binary against a real
//! server, with what each command did checked through the native API.

use crate::cli_client::{Cli, get, write};
use crate::server_harness::Server;
use reqwest::Method;
use serde_json::json;

/// The issue's login script.
const LOGIN: &str = r#"function login(email, password, callback) {
  if (password !== 'correct horse') return callback(new WrongUsernameOrPasswordError(email));
  callback(null, { user_id: 'db|42', email: email, email_verified: true });
}
"#;
const GET_USER: &str = "function getByEmail(email, callback) {\n  \
                        callback(null, { user_id: 'db|' + email, region: configuration.REGION });\n}\n";

#[tokio::test]
async fn connection_create_list_get_run_update_logs_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let token = server.admin_token().await;
    let login = write(dir.path(), "login.js", LOGIN);
    let get_user = write(dir.path(), "get_user.js", GET_USER);

    // create: every flag reaches the stored connection; the summary names the
    // configuration, never its values.
    let ran = cli
        .run(&[
            "connection",
            "create",
            "users",
            "--script",
            &format!("login={login}"),
            "--config",
            "API_KEY=sk_live_123456",
            "--config",
            "REGION=eu-west-1",
            "--timeout",
            "7",
        ])
        .ok();
    assert!(ran.stdout.contains("API_KEY, REGION"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("sk_live_123456"), "{}", ran.stdout);
    let stored = get(&server, &token, "/v1/connections/users").await;
    assert_eq!(stored["scripts"], json!({"login": LOGIN}));
    assert_eq!(stored["configuration"], json!(["API_KEY", "REGION"]));
    assert_eq!(stored["timeout"], 7);

    // list: a header and a row per connection.
    let ran = cli.run(&["connection", "list"]).ok();
    let mut lines = ran.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "SCRIPTS", "CONFIGURATION", "TIMEOUT", "UPDATED"]
    );
    let row = lines.next().unwrap();
    for cell in ["users", "login", "API_KEY, REGION", "7s"] {
        assert!(row.contains(cell), "{cell:?} not in {row:?}");
    }
    // get: the sources; --json prints the server's data as it is.
    let ran = cli.run(&["connection", "get", "users"]).ok();
    assert!(
        ran.stdout.contains(
            "  callback(null, { user_id: 'db|42', email: email, email_verified: true });"
        ),
        "{}",
        ran.stdout
    );
    let ran = cli.run(&["connection", "get", "users", "--json"]).ok();
    assert_eq!(ran.json(), stored);

    // run: the profile, or the error class with its fields; exit 0 either way.
    let ran = cli
        .run(&[
            "connection",
            "run",
            "users",
            "login",
            "--args",
            r#"["ada@example.com", "correct horse"]"#,
            "--json",
        ])
        .ok();
    let data = ran.json();
    assert_eq!(data["outcome"], "ok");
    assert_eq!(
        data["result"],
        json!({"user_id": "db|42", "email": "ada@example.com", "email_verified": true})
    );
    let ran = cli
        .run(&[
            "connection",
            "run",
            "users",
            "login",
            "--args",
            r#"["ada@example.com", "nope"]"#,
        ])
        .ok();
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines[0], "outcome:   error", "{}", ran.stdout);
    assert!(
        lines.contains(&"error:     WrongUsernameOrPasswordError: Wrong username or password."),
        "{}",
        ran.stdout
    );
    assert!(
        lines.contains(&"user_id:   ada@example.com"),
        "{}",
        ran.stdout
    );
    // --args that is not an array is a usage error; the server is not asked.
    let ran = cli.run(&[
        "connection",
        "run",
        "users",
        "login",
        "--args",
        r#"{"a": 1}"#,
    ]);
    assert_eq!(ran.code, 2, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains("--args must be a JSON array"),
        "{}",
        ran.stderr
    );

    // update: scripts and configuration merged, the timeout changed.
    cli.run(&[
        "connection",
        "update",
        "users",
        "--script",
        &format!("get_user={get_user}"),
        "--remove-script",
        "login",
        "--unset-config",
        "API_KEY",
        "--config",
        "REGION=ap-south-1",
        "--timeout",
        "3",
    ])
    .ok();
    let stored = get(&server, &token, "/v1/connections/users").await;
    assert_eq!(stored["scripts"], json!({"get_user": GET_USER}));
    assert_eq!(stored["configuration"], json!(["REGION"]));
    assert_eq!(
        (&stored["timeout"], &stored["version"]),
        (&json!(3), &json!(2))
    );
    let data = cli
        .run(&[
            "connection",
            "run",
            "users",
            "get_user",
            "--args",
            r#"["ada"]"#,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        data["result"],
        json!({"user_id": "db|ada", "region": "ap-south-1"})
    );

    // A script that does not compile: the server's refusal, with line and
    // column, exit 1, and nothing changed.
    let broken = write(
        dir.path(),
        "broken.js",
        "function verify(email, callback) {\n  callback(null, ;\n}\n",
    );
    let ran = cli.run(&[
        "connection",
        "update",
        "users",
        "--script",
        &format!("verify={broken}"),
    ]);
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr
            .starts_with("error: scripts.verify: does not compile: SyntaxError: ")
            && ran.stderr.contains("(line 2, column ")
            && ran.stderr.contains("(HTTP 400, requestId "),
        "{}",
        ran.stderr
    );
    assert_eq!(
        get(&server, &token, "/v1/connections/users").await["version"],
        2
    );

    // logs: the runs, newest first, with their script.
    let c = &cli;
    let ran = crate::server_harness::eventually("three logged runs", || async move {
        let ran = c.run(&["connection", "logs", "users", "--json"]).ok();
        (ran.json()["totalCount"] == 3).then_some(ran)
    })
    .await;
    let scripts: Vec<String> = ran.json()["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["script"], r["outcome"]))
        .collect();
    assert_eq!(
        scripts,
        [
            r#""get_user" "ok""#,
            r#""login" "error""#,
            r#""login" "ok""#
        ]
    );
    let ran = cli.run(&["connection", "logs", "users"]).ok();
    assert!(ran.stdout.starts_with("AT"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("(3 of 3, newest first)"),
        "{}",
        ran.stdout
    );

    // delete: gone from the server; a second delete is the server's 404.
    let ran = cli.run(&["connection", "delete", "users"]).ok();
    assert_eq!(ran.stdout.trim(), "deleted connection users");
    let (status, _) = server
        .call(Method::GET, "/v1/connections/users", &token, None)
        .await;
    assert_eq!(status, 404);
    let ran = cli.run(&["connection", "delete", "users"]);
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains("connection users not found (HTTP 404"),
        "{}",
        ran.stderr
    );
    let ran = cli.run(&["connection", "list"]).ok();
    assert_eq!(ran.stdout.trim(), "no connections");
}
