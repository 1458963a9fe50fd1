//! Scripts that try to break the host, the prelude or the next call.

use crate::common::*;
use hookbox_engine::{Input, OutcomeKind};
use serde_json::json;

#[tokio::test]
async fn throwing_non_errors() {
    for (source, message) in [
        (
            "function pipe(u, c, cb) { throw 'plain string'; }",
            "plain string",
        ),
        ("function pipe(u, c, cb) { throw 42; }", "42"),
        (
            "function pipe(u, c, cb) { cb({ message: 'object with message', code: 'E1' }); }",
            "object with message",
        ),
        ("function pipe(u, c, cb) { throw null; }", "null"),
        (
            "function pipe(u, c, cb) { cb('denied as a string'); }",
            "denied as a string",
        ),
    ] {
        let out = run(source, &Input::default()).await;
        assert_eq!(out.outcome, OutcomeKind::Error, "{source}");
        assert_eq!(out.error.unwrap().message, message, "{source}");
    }
}

#[tokio::test]
async fn getters_that_throw_on_the_error_object() {
    let out = run(
        "function pipe(u, c, cb) { const e = {}; Object.defineProperty(e, 'message', { get() { throw new Error('gotcha'); } }); cb(e); }",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
}

#[tokio::test]
async fn prototype_and_global_tampering_cannot_corrupt_the_result() {
    let source = r#"
JSON.stringify = () => '{"outcome":"ok","user":{"admin":true}}';
JSON.parse = () => ({ hacked: true });
Array.prototype.push = function () { throw new Error('no push'); };
Function.prototype.apply = function () { throw new Error('no apply'); };
Promise.prototype.then = function () { throw new Error('no then'); };
Object.keys = () => [];
String.prototype.split = () => [];
globalThis.console = null;
async function pipe(user, context, callback) {
  user.checked = true;
  callback(null, user, context);
}
"#;
    let out = run(source, &input(json!({"id": "u1"}), json!({}))).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.user, json!({"id": "u1", "checked": true}));

    // And the next call, on a fresh instance, sees pristine built-ins.
    let out = run(
        "exports.handler = () => JSON.stringify({ a: [1].concat([2]) });",
        &Input::default(),
    )
    .await;
    assert_eq!(out.result, json!("{\"a\":[1,2]}"));
}

#[tokio::test]
async fn object_prototype_to_json_tampering_is_the_scripts_own_result() {
    let out = run(
        "Object.prototype.toJSON = function () { throw new Error('no json for you'); };\nexports.handler = () => ({ a: 1 });",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::InvalidOutput, "{out:?}");
}

#[tokio::test]
async fn the_host_stays_healthy_after_every_kind_of_failure() {
    // A small pool, so a leaked slot would show up as a hang or an error.
    let engine = build_engine(|c| {
        c.max_instances(2);
    });
    let mut small = hookbox_engine::Limits::default();
    small.memory_mb(16).unwrap();
    small.timeout(std::time::Duration::from_secs(1)).unwrap();
    let sources = [
        "function pipe(u, c, cb) { while (true) {} }",
        "exports.handler = () => { const k = []; for (;;) k.push(new Array(1e5).fill(1)); };",
        "function pipe(u, c, cb) { function f() { return f() + 1; } f(); }",
        "exports.handler = () => 'x'.repeat(3e6);",
        "function pipe(u, c, cb) { throw new Error('x'); }",
    ];
    for source in sources {
        let artifact = engine.compile(source).await.unwrap();
        let out = engine
            .invoke(&artifact, &Input::default(), &small)
            .await
            .unwrap();
        assert_ne!(out.outcome, OutcomeKind::Ok, "{source}");
    }
    let ok = engine
        .compile("exports.handler = (e) => e.n * 2;")
        .await
        .unwrap();
    for n in 0..20 {
        let i = Input {
            event: Some(json!({ "n": n })),
            ..Input::default()
        };
        let out = engine.invoke(&ok, &i, &small).await.unwrap();
        assert_eq!(out.result, json!(n * 2));
    }
}
