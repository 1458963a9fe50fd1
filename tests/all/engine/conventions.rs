//! Each calling convention of DESIGN §3, with the scripts people really write.

use crate::common::*;
use hookbox_engine::{CompileError, Input, LogLevel, OutcomeKind};
use serde_json::{Value, json};

#[tokio::test]
async fn authing_pipe_allows_and_denies_by_email_domain() {
    let source = example_source("authing-email-whitelist.js");
    let mut allowed = input(
        json!({"email": "ada@example.org", "id": "u1"}),
        json!({"ip": "10.0.0.1"}),
    );
    allowed
        .env
        .insert("ALLOWED_DOMAINS".into(), "example.com,example.org".into());
    let out = run(&source, &allowed).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.user, json!({"email": "ada@example.org", "id": "u1"}));
    assert_eq!(out.context, json!({"ip": "10.0.0.1"}));

    let mut denied = allowed.clone();
    denied.user = json!({"email": "eve@evil.test"});
    let out = run(&source, &denied).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    let err = out.error.expect("error present");
    assert_eq!(err.name, "Error");
    assert_eq!(err.message, "Access denied.");
    assert!(
        err.stack.unwrap_or_default().contains("function.js:7"),
        "stack points at the callback line"
    );
}

#[tokio::test]
async fn synchronous_pipe_threads_a_modified_user() {
    let out = run(
        "function pipe(user, context, callback) {\n  user.nickname = user.name.toUpperCase();\n  context.seen = true;\n  callback(null, user, context);\n}",
        &input(json!({"name": "ada"}), json!({})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok);
    assert_eq!(out.user, json!({"name": "ada", "nickname": "ADA"}));
    assert_eq!(out.context, json!({"seen": true}));
}

#[tokio::test]
async fn pipe_with_helpers_beside_it_and_awaited_promises() {
    let source = r#"
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function lookup(email) {
  await sleep(10);
  return email.endsWith("@example.com") ? "staff" : "guest";
}
async function pipe(user, context, callback) {
  user.role = await lookup(user.email);
  callback(null, user, context);
}
"#;
    let out = run(
        source,
        &input(json!({"email": "ada@example.com"}), json!({})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.user["role"], "staff");
}

/// The seed's maintenance-window pipe refuses registrations on Sundays from
/// 03:00 to 06:59 (the guest's local time is UTC). The guest's clock is set
/// per call, so each instant has one exact outcome.
#[tokio::test]
async fn maintenance_window_pipe_from_the_authing_docs() {
    let artifact = compile(&example_source("authing-maintenance-window.js")).await;
    let call = input(json!({"id": 1}), json!({"ip": "10.0.0.1"}));
    let at = |rfc3339: &str| {
        let mut limits = hookbox_engine::Limits::default();
        limits.clock_start(instant(rfc3339));
        limits
    };
    // 2026-11-29 is a Sunday.
    for inside in [
        "2026-11-29T03:00:00Z",
        "2026-11-29T04:30:00Z",
        "2026-11-29T06:59:59Z",
    ] {
        let out = engine()
            .invoke(&artifact, &call, &at(inside))
            .await
            .unwrap();
        assert_eq!(out.outcome, OutcomeKind::Error, "{inside}: {out:?}");
        let error = out.error.expect("an error");
        assert_eq!(
            error.message, "System maintenance, registration is temporarily suspended!",
            "{inside}"
        );
    }
    for outside in [
        "2026-11-29T02:59:59Z",
        "2026-11-29T07:00:00Z",
        "2026-11-30T04:30:00Z",
        "2026-11-28T04:30:00Z",
    ] {
        let out = engine()
            .invoke(&artifact, &call, &at(outside))
            .await
            .unwrap();
        assert_eq!(out.outcome, OutcomeKind::Ok, "{outside}: {out:?}");
        assert_eq!(out.user, json!({"id": 1}), "{outside}");
    }
}

/// The guest sees the instant it is given, to the millisecond, and its clock
/// runs on from there; without one it sees the host's time.
#[tokio::test]
async fn the_guest_clock_starts_at_the_instant_given() {
    let artifact = compile(
        "exports.handler = async () => { const a = Date.now(); \
         return { now: a, iso: new Date(a).toISOString(), offset: new Date(a).getTimezoneOffset() }; };",
    )
    .await;
    let mut limits = hookbox_engine::Limits::default();
    limits.clock_start(instant("2026-11-29T04:30:00.250Z"));
    let out = engine()
        .invoke(&artifact, &Input::default(), &limits)
        .await
        .unwrap();
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let now = out.result["now"].as_f64().expect("a number");
    let start = 1_795_926_600_250.0;
    // The clock advances while the call runs; a call never takes a minute.
    assert!((start..start + 60_000.0).contains(&now), "{}", out.result);
    assert_eq!(out.result["offset"], 0, "local time is UTC in the sandbox");

    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    let out = engine()
        .invoke(&artifact, &Input::default(), &Default::default())
        .await
        .unwrap();
    let now = out.result["now"].as_f64().expect("a number");
    assert!(now >= before - 1000.0, "the host's time: {}", out.result);
}

/// An RFC 3339 instant (`2026-11-29T04:30:00Z`) as a `SystemTime`.
fn instant(text: &str) -> std::time::SystemTime {
    humantime::parse_rfc3339(text).expect("an RFC 3339 instant")
}

#[tokio::test]
async fn auth0_rule_as_a_bare_function_expression_adds_a_claim() {
    let out = run(
        &example_source("auth0-rule-add-claim.js"),
        &input(
            json!({"app_metadata": {"roles": ["admin"]}}),
            json!({"clientID": "abc"}),
        ),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.context["idToken"]["https://example.com/roles"],
        json!(["admin"])
    );
    assert_eq!(out.context["clientID"], "abc");
}

#[tokio::test]
async fn anonymous_rule_expression_runs() {
    let out = run(
        "function (user, context, callback) {\n  user.checked = true;\n  callback(null, user, context);\n}",
        &input(json!({}), json!({})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.user, json!({"checked": true}));
}

#[tokio::test]
async fn auth0_hook_module_exports_returns_its_response() {
    let out = run(
        &example_source("auth0-hook-pre-user-registration.js"),
        &input(
            json!({"email": "ada@example.com"}),
            json!({"connection": "Username-Password"}),
        ),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(out.result["user"]["user_metadata"]["plan"], "free");
    assert_eq!(
        out.result["user"]["app_metadata"]["signup"],
        "Username-Password"
    );
}

#[tokio::test]
async fn auth0_hook_takes_explicit_trigger_arguments() {
    let source = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, { accessToken: { scope: scope.concat(['extra']), aud: audience, cid: client.id } });\n};";
    let input = Input {
        args: Some(vec![
            json!({"id": "c1"}),
            json!(["read"]),
            json!("api"),
            json!({}),
        ]),
        ..Input::default()
    };
    let out = run(source, &input).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.result,
        json!({"accessToken": {"scope": ["read", "extra"], "aud": "api", "cid": "c1"}})
    );
}

#[tokio::test]
async fn handler_returns_its_value() {
    let source = example_source("handler-authorizer.js");
    let mut allow = Input {
        event: Some(json!({"headers": {"authorization": "Bearer s3cret"}})),
        ..Input::default()
    };
    allow.env.insert("API_TOKEN".into(), "s3cret".into());
    let body = |out: &hookbox_engine::Outcome| -> Value {
        hookbox_service::check_authorizer_result(&out.result).expect("API Gateway's contract");
        serde_json::from_str(out.result["body"].as_str().unwrap()).unwrap()
    };
    let out = run(&source, &allow).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        body(&out),
        json!({"status": "allow", "context": {"user": "ada"}})
    );

    let mut deny = allow.clone();
    deny.event = Some(json!({"headers": {}}));
    let out = run(&source, &deny).await;
    assert_eq!(body(&out), json!({"status": "deny"}));
}

#[tokio::test]
async fn handler_with_a_callback_and_a_sync_handler() {
    let out = run(
        "exports.handler = function (event, context, callback) { setTimeout(() => callback(null, { n: event.n + 1 }), 5); };",
        &Input {
            event: Some(json!({"n": 41})),
            ..Input::default()
        },
    )
    .await;
    assert_eq!(out.result, json!({"n": 42}), "{out:?}");
    let out = run(
        "module.exports.handler = (event) => 'plain';",
        &Input::default(),
    )
    .await;
    assert_eq!(out.result, json!("plain"));
}

#[tokio::test]
async fn rejected_promise_and_thrown_error_are_errors() {
    let out = run(
        "async function pipe(user, context, callback) {\n  await null;\n  throw new TypeError('bad user');\n}",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    let err = out.error.unwrap();
    assert_eq!(
        (err.name.as_str(), err.message.as_str()),
        ("TypeError", "bad user")
    );
    assert!(err.stack.unwrap().contains("function.js:3"));

    let out = run(
        "exports.handler = async () => { throw new Error('nope'); };",
        &Input::default(),
    )
    .await;
    assert_eq!(out.error.unwrap().message, "nope");
}

#[tokio::test]
async fn unauthorized_error_keeps_its_name() {
    let out = run(
        "function (user, context, callback) {\n  callback(new UnauthorizedError('Access denied: MFA required'));\n}",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    let err = out.error.unwrap();
    assert_eq!(err.name, "UnauthorizedError");
    assert_eq!(err.message, "Access denied: MFA required");
}

#[tokio::test]
async fn callback_counts_once_and_later_calls_are_logged() {
    let out = run(
        "function pipe(user, context, callback) {\n  callback(null, {first: true}, context);\n  callback(new Error('second'));\n}",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok);
    assert_eq!(out.user, json!({"first": true}));
    assert!(
        out.logs
            .iter()
            .any(|l| l.level == LogLevel::Warn && l.message.contains("more than once")),
        "{:?}",
        out.logs
    );
}

#[tokio::test]
async fn never_calling_back_is_callback_not_called_without_waiting_for_the_timeout() {
    for source in [
        "function pipe(user, context, callback) { /* forgot */ }",
        "async function pipe(user, context, callback) { await new Promise(() => {}); }",
        "exports.handler = () => new Promise(() => {});",
    ] {
        let out = run_with(source, &Input::default(), &limits_secs(60)).await;
        assert_eq!(
            out.outcome,
            OutcomeKind::CallbackNotCalled,
            "{source}: {out:?}"
        );
        // Deterministic proof that it ended on its own, not at the deadline:
        // a spinning guest would have burned far more fuel than this.
        assert!(out.fuel_used < 50_000_000, "{source}: {}", out.fuel_used);
    }
}

#[tokio::test]
async fn console_is_captured_with_levels() {
    let out = run(
        "function pipe(u, c, cb) {\n  console.log('hello', 42, {a: 1});\n  console.warn('careful');\n  console.error(new Error('boom'));\n  console.debug([1, 2]);\n  cb(null, u, c);\n}",
        &Input::default(),
    )
    .await;
    let logs: Vec<(LogLevel, &str)> = out
        .logs
        .iter()
        .map(|l| (l.level, l.message.as_str()))
        .collect();
    // Node 20's console.log text (util.format).
    assert_eq!(logs[0], (LogLevel::Info, "hello 42 { a: 1 }"));
    assert_eq!(logs[1], (LogLevel::Warn, "careful"));
    assert_eq!(logs[2].0, LogLevel::Error);
    assert!(logs[2].1.starts_with("Error: boom"));
    assert_eq!(logs[3], (LogLevel::Debug, "[ 1, 2 ]"));
}

#[tokio::test]
async fn env_and_configuration_expose_the_tenant_variables() {
    let mut i = Input::default();
    i.env
        .insert("SLACK_URL".into(), "https://hooks.example/x".into());
    let out = run(
        "exports.handler = () => ({ env: env.SLACK_URL, conf: configuration.SLACK_URL, missing: env.NOPE === undefined, frozen: Object.isFrozen(env) });",
        &i,
    )
    .await;
    assert_eq!(
        out.result,
        json!({"env": "https://hooks.example/x", "conf": "https://hooks.example/x", "missing": true, "frozen": true})
    );
}

#[tokio::test]
async fn user_helpers_land_in_tokens_and_custom_data() {
    let out = run(
        r#"async function pipe(user, context, callback) {
  user.addIdToken("plan", "pro");
  user.addIdToken({ tier: 2 });
  user.removeIdToken("nickname");
  user.addAccessToken("scope", "read:all");
  user.removeAccessToken("legacy");
  user.addCustomData("department", "R&D");
  user.addCustomData({ employeeId: 7 });
  callback(null, user, context);
}"#,
        &input(json!({"id": "u1"}), json!({})),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.user,
        json!({"id": "u1"}),
        "helpers are not part of the user"
    );
    assert_eq!(
        json!(out.tokens.id_token),
        json!({"plan": "pro", "tier": 2, "nickname": null})
    );
    assert_eq!(
        json!(out.tokens.access_token),
        json!({"scope": "read:all", "legacy": null})
    );
    assert_eq!(
        json!(out.custom_data),
        json!({"department": "R&D", "employeeId": 7})
    );
}

#[tokio::test]
async fn require_serves_the_builtin_modules() {
    let out = run(
        r#"exports.handler = () => {
  const { ipRangeCheck } = require("./utils");
  const qs = require("querystring");
  const url = require("url");
  const u = url.parse("https://user@login.example.com:8443/cb?code=abc&state=x%20y#frag", true);
  return {
    inCidr: ipRangeCheck("10.1.2.3", ["192.168.0.0/16", "10.0.0.0/8"]),
    outCidr: ipRangeCheck("11.0.0.1", "10.0.0.0/8"),
    exact: ipRangeCheck("127.0.0.1", "127.0.0.1"),
    span: ipRangeCheck("192.168.1.50", "192.168.1.1-192.168.1.100"),
    v6: ipRangeCheck("2001:db8::1", "2001:db8::/32"),
    qs: qs.parse("a=1&b=two%20words&a=3"),
    qsOut: qs.stringify({ x: "a b", y: [1, 2] }),
    host: u.hostname, port: u.port, path: u.pathname, code: u.query.code, state: u.query.state, hash: u.hash,
    formatted: url.format({ protocol: "https", hostname: "example.com", pathname: "/a", query: { q: "1" } }),
  };
};"#,
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let r = &out.result;
    assert_eq!(r["inCidr"], true);
    assert_eq!(r["outCidr"], false);
    assert_eq!(r["exact"], true);
    assert_eq!(r["span"], true);
    assert_eq!(r["v6"], true);
    assert_eq!(r["qs"], json!({"a": ["1", "3"], "b": "two words"}));
    assert_eq!(r["qsOut"], "x=a%20b&y=1&y=2");
    assert_eq!(
        (r["host"].as_str(), r["port"].as_str(), r["path"].as_str()),
        (Some("login.example.com"), Some("8443"), Some("/cb"))
    );
    assert_eq!(
        (r["code"].as_str(), r["state"].as_str(), r["hash"].as_str()),
        (Some("abc"), Some("x y"), Some("#frag"))
    );
    assert_eq!(r["formatted"], "https://example.com/a?q=1");
}

#[tokio::test]
async fn require_refuses_other_modules_naming_them() {
    for (name, why) in [
        (
            "left-pad",
            "hookbox's package catalogue has no package 'left-pad'",
        ),
        (
            "fs",
            "hookbox does not provide Node's 'fs' module to functions",
        ),
        (
            "node:child_process",
            "hookbox does not provide Node's 'child_process' module",
        ),
    ] {
        let out = run(
            &format!(
                "const m = require('{name}');\nasync function pipe(u, c, cb) {{ cb(null, u, c); }}"
            ),
            &Input::default(),
        )
        .await;
        assert_eq!(out.outcome, OutcomeKind::Error);
        let err = out.error.unwrap();
        assert!(
            err.message
                .starts_with(&format!("Cannot find module '{name}': {why}")),
            "{}",
            err.message
        );
        assert_eq!(err.code.as_deref(), Some("MODULE_NOT_FOUND"));
    }
}

#[tokio::test]
async fn syntax_errors_report_line_and_column() {
    let err = engine()
        .compile("async function pipe(user, context, callback) {\n  const x = ;\n  callback(null, user, context);\n}")
        .await
        .unwrap_err();
    match err {
        CompileError::Syntax {
            line,
            column,
            message,
        } => {
            assert_eq!(line, 2, "{message}");
            assert_eq!(column, 13, "{message}");
            assert!(message.starts_with("SyntaxError"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let err = engine()
        .compile("function (user, context, callback) {\n  if (x {\n}\n}")
        .await
        .unwrap_err();
    assert!(
        matches!(err, CompileError::Syntax { line: 2, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_script_without_an_entry_point_says_what_it_needs() {
    let out = run("const x = 1;", &Input::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Error);
    let err = out.error.unwrap();
    assert_eq!(err.name, "EntryPointError");
    assert!(err.message.contains("pipe"));
}
