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

/// The issue's input: a tampered `toJSON` turned a deny into invalid_output.
#[tokio::test]
async fn prototype_to_json_cannot_change_how_the_verdict_is_written() {
    let out = run(
        "Object.prototype.toJSON = function () { return 'pwned'; };\nfunction pipe(u, c, cb) { cb(new Error('deny')); }",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    assert_eq!(out.error.unwrap().message, "deny");

    // The claims bags are hookbox's, not the script's: they stay objects.
    let out = run(
        "Object.prototype.toJSON = function () { return 'pwned'; };\nfunction pipe(u, c, cb) { u.addIdToken('plan', 'gold'); u.addCustomData('k', 1); cb(null, u, c); }",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.tokens.id_token["plan"], json!("gold"));
    assert_eq!(out.custom_data["k"], json!(1));

    // An entry-point error is written by hookbox too.
    let out = run(
        "Object.defineProperty(Object.prototype, 'stack', { get() { return 'x'.repeat(10); } });\nObject.prototype.toJSON = () => 1;",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    assert_eq!(out.error.unwrap().name, "EntryPointError");
}

/// The issue's input: a Proxy whose traps throw, thrown or rejected, was
/// `callback_not_called`.
#[tokio::test]
async fn a_thrown_proxy_with_throwing_traps_is_an_error() {
    for source in [
        "function pipe(u, c, cb) { throw new Proxy({}, { get() { throw new Error('trap'); } }); }",
        "async function pipe(u, c, cb) { throw new Proxy({}, { get() { throw new Error('trap'); } }); }",
        "function pipe(u, c, cb) { cb(new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } })); }",
        "async function pipe(u, c, cb) { throw new Proxy(function () {}, { get() { throw 1; }, has() { throw 1; } }); }",
    ] {
        let out = run(source, &Input::default()).await;
        assert_eq!(out.outcome, OutcomeKind::Error, "{source}: {out:?}");
        assert_eq!(out.error.unwrap().name, "Error", "{source}");
    }
}

/// The issue's input: a script could forge a stack overflow with a message.
#[tokio::test]
async fn a_forged_stack_overflow_is_the_scripts_own_error() {
    for source in [
        "function pipe(u, c, cb) { throw { name: 'RangeError', message: 'Maximum call stack size exceeded' }; }",
        "function pipe(u, c, cb) { throw new RangeError('Maximum call stack size exceeded'); }",
    ] {
        let out = run(source, &Input::default()).await;
        assert_eq!(out.outcome, OutcomeKind::Error, "{source}: {out:?}");
        let error = out.error.unwrap();
        assert_eq!(error.name, "RangeError");
        assert_eq!(error.message, "Maximum call stack size exceeded");
    }
}

/// The plugin's internal-error path (here: bytecode it cannot read) answers
/// with an error whose message is a string, as every other error.
#[tokio::test]
async fn an_unreadable_artifact_is_a_classified_internal_error() {
    let artifact = compile("exports.handler = () => 1;").await;
    let mut wasm = artifact.to_wasm();
    let code = artifact.bytecode();
    let at = wasm
        .windows(code.len())
        .position(|w| w == code)
        .expect("the bytecode is in the module");
    // QuickJS bytecode starts with its format version; break it.
    wasm[at] ^= 0xff;
    let broken = hookbox_engine::Artifact::from_wasm(&wasm).unwrap();
    let out = engine()
        .invoke(
            &broken,
            &Input::default(),
            &hookbox_engine::Limits::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    let error = out.error.unwrap();
    assert_eq!(error.name, "HookboxInternalError");
    assert!(!error.message.is_empty());
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
