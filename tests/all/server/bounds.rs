//! What a call can produce is bounded, in the answer and in the stored
//! invocation record, whatever the script does.

use crate::server_harness::*;
use reqwest::Method;
use serde_json::{Value, json};

/// Bytes of `value` as JSON.
fn size(value: &Value) -> usize {
    serde_json::to_vec(value).unwrap().len()
}

/// The inputs: a logging runaway (8 million lines, 244 MB, before)
/// and a function that logs a million empty lines (a 30 MB record, before).
#[tokio::test]
async fn a_flood_of_console_lines_gives_a_bounded_answer_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;

    let (status, dry) = server
        .call(
            Method::POST,
            "/v1/run",
            &token,
            Some(json!({
                "sourceCode": "async function pipe(u, c, cb) { while (true) console.log(''); }",
                "timeout": 1,
            })),
        )
        .await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(
        dry["data"]["outcome"], "timeout",
        "{}",
        dry["data"]["error"]
    );
    assert!(dry["data"]["logs"].as_array().unwrap().len() <= 1000);
    assert!(size(&dry) < 64 * 1024, "{} bytes", size(&dry));

    let mut spec = function(
        "flood",
        "PRE_REGISTER",
        "function pipe(u, c, cb) { for (let i = 0; i < 1e5; i++) console.log(''); cb(new Error('x'.repeat(500000))); }",
    );
    spec["timeout"] = json!(30);
    let f = server.deploy(&token, spec).await;
    let id = f["funcId"].as_str().unwrap().to_string();
    let (status, answer) = server
        .call(
            Method::POST,
            &format!("/v1/functions/{id}/invoke"),
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["outcome"], "error");
    assert!(size(&answer) < 96 * 1024, "{} bytes", size(&answer));

    let record = eventually("the invocation record", || async {
        let (_, logs) = server
            .call(
                Method::GET,
                &format!("/v1/functions/{id}/logs"),
                &token,
                None,
            )
            .await;
        logs["data"]["list"].as_array()?.first().cloned()
    })
    .await;
    assert_eq!(record["outcome"], "error");
    assert!(record["logs"].as_array().unwrap().len() <= 1000);
    assert!(size(&record) < 96 * 1024, "{} bytes", size(&record));
}
