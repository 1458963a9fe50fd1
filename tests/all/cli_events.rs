//! `hookbox deploy --url --events`, `hookbox events …` and `hookbox
//! deliveries …` as a person runs them: the real binary against a real
//! server, checked through the native API.

use crate::cli_client::{Cli, get};
use crate::server_harness::{Server, eventually};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn events_send_and_deliveries_ls_and_retry() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", "loopback")],
    );
    let token = server.admin_token().await;
    let cli = Cli::new(&server, dir.path());
    // A receiver that is down: nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/outbound",
            &token,
            Some(json!({"allow": [format!("127.0.0.1:{port}")]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let url = format!("http://127.0.0.1:{port}/hooks");
    let made = cli
        .run(&[
            "deploy",
            "--url",
            &url,
            "--name",
            "crm",
            "--scene",
            "events",
            "--events",
            "AUTH_LOGIN,2001",
        ])
        .ok();
    assert!(made.stdout.contains("signingSecret"), "{}", made.stdout);
    assert!(
        made.stdout.contains("whsec_"),
        "the secrets are printed once: {}",
        made.stdout
    );
    assert!(
        made.stdout.contains("events") && made.stdout.contains("2000, 2001"),
        "{}",
        made.stdout
    );
    let list = get(&server, &token, "/v1/functions").await;
    let f = &list["list"][0];
    assert_eq!(
        (f["url"].as_str(), &f["events"]),
        (Some(url.as_str()), &json!([2000, 2001]))
    );

    let types = cli.run(&["events", "types"]).ok();
    assert!(
        types.stdout.contains("AUTH_REGISTER") && types.stdout.contains("user_id, email, lang"),
        "{}",
        types.stdout
    );

    let sent = cli
        .run(&[
            "events",
            "send",
            "AUTH_LOGIN",
            "--data",
            r#"{"user_id":"u1","email":"a@example.com"}"#,
        ])
        .ok();
    assert!(sent.stdout.starts_with("queued "), "{}", sent.stdout);
    let refused = cli.run(&["events", "send", "2000", "--data", r#"{"user_id":"u1"}"#]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("email is missing"),
        "{}",
        refused.stderr
    );

    // Five attempts against a closed port, then failed.
    let failed = eventually("the delivery failed", || async {
        let ran = cli.run(&["deliveries", "ls", "--status", "failed", "--json"]);
        let data = ran.json();
        (data["totalCount"] == 1).then_some(data)
    })
    .await;
    let id = failed["list"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(failed["list"][0]["attempts"], 5);
    let table = cli.run(&["deliveries", "ls"]).ok();
    assert!(
        table.stdout.contains(&id) && table.stdout.contains("failed"),
        "{}",
        table.stdout
    );

    let retried = cli.run(&["deliveries", "retry", &id]).ok();
    assert!(
        retried.stdout.contains("queued again"),
        "{}",
        retried.stdout
    );
    let again = get(&server, &token, &format!("/v1/deliveries/{id}")).await;
    assert_eq!(again["status"], "pending", "{again}");
}
