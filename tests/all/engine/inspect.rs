//! What `util.inspect`, `util.format` and `console.log` print: Node 20's
//! text, since users read it in their invocation logs. Every case of
//! `tests/fixtures/inspect/cases.js` runs in the engine and must print
//! exactly what Node 20 printed for it (`tests/fixtures/inspect/expected.json`,
//! written by `node tests/fixtures/inspect/expect.js`).

use crate::common::*;
use hookbox_engine::{Input, Limits, LogLevel, OutcomeKind};
use serde_json::{Value, json};
use std::time::Duration;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/inspect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Node 20's answers: `{"inspect": {name: text}, "console": {name: line}}`.
fn node_answers() -> Value {
    let expected: Value =
        serde_json::from_str(&fixture("expected.json")).expect("expected.json is JSON");
    assert!(
        expected["node"]
            .as_str()
            .is_some_and(|v| v.starts_with("v20.")),
        "expected.json is not Node 20's: {}",
        expected["node"]
    );
    expected
}

/// hookbox's answers: one handler evaluates every `inspect` case and logs
/// every `console` case, in order.
async fn hookbox_answers() -> (serde_json::Map<String, Value>, Vec<String>) {
    let source = format!(
        r#"
const util = require('util');
const CASES = (function () {{ const module = {{ exports: null }}; {cases}; return module.exports; }})();
exports.handler = () => {{
  const out = {{}};
  for (const [name, code] of CASES.inspect) {{
    try {{
      out[name] = eval(code);
    }} catch (e) {{
      out[name] = 'threw ' + (e && e.name) + ': ' + (e && e.message);
    }}
  }}
  for (const [, code] of CASES.console) console.log(...eval(code));
  return out;
}};
"#,
        cases = fixture("cases.js")
    );
    let mut limits = Limits::default();
    limits.timeout(Duration::from_secs(60)).unwrap();
    limits.fuel(20_000_000_000).unwrap();
    let out = run_with(&source, &Input::default(), &limits).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let logs = out.logs.iter().map(|l| l.message.clone()).collect();
    match out.result {
        Value::Object(map) => (map, logs),
        other => panic!("the handler answered {other}"),
    }
}

fn differences<'a>(
    want: &'a serde_json::Map<String, Value>,
    got: impl Fn(&str) -> Option<&'a str>,
) -> Vec<String> {
    let mut differ = Vec::new();
    for (name, node) in want {
        let node = node.as_str().expect("Node's answers are strings");
        let ours = got(name);
        if ours != Some(node) {
            differ.push(format!(
                "{name}:\n--- node:\n{node}\n--- hookbox:\n{}",
                ours.unwrap_or("(none)")
            ));
        }
    }
    differ
}

#[tokio::test]
async fn inspect_and_format_print_what_node_20_prints() {
    let node = node_answers();
    let (ours, _) = hookbox_answers().await;
    let want = node["inspect"].as_object().expect("inspect cases");
    assert!(want.len() >= 60, "only {} cases", want.len());
    let differ = differences(want, |name| ours.get(name).and_then(Value::as_str));
    assert!(
        differ.is_empty(),
        "{} of {} cases print differently from Node 20:\n{}",
        differ.len(),
        want.len(),
        differ.join("\n")
    );
}

#[tokio::test]
async fn a_console_line_is_what_node_20_prints() {
    let node = node_answers();
    let (_, logs) = hookbox_answers().await;
    let want = node["console"].as_object().expect("console cases");
    assert_eq!(logs.len(), want.len(), "one line per console.log: {logs:?}");
    let lines: serde_json::Map<String, Value> = want
        .keys()
        .zip(&logs)
        .map(|(name, line)| (name.clone(), json!(line)))
        .collect();
    let differ = differences(want, |name| lines.get(name).and_then(Value::as_str));
    assert!(
        differ.is_empty(),
        "{} of {} console lines differ from Node 20's:\n{}",
        differ.len(),
        want.len(),
        differ.join("\n")
    );
}

/// An error made by the function prints as Node prints one: its name and
/// message, then its frames, which are the function's own (line and column
/// in its source, as the outcome's `stack` gives them), not hookbox's.
#[tokio::test]
async fn an_error_prints_its_message_and_the_functions_frames() {
    let source = "async function pipe(user, context, callback) {\n  const err = new TypeError('boom');\n  err.code = 'E_BOOM';\n  console.error(err);\n  console.log('%s', err);\n  callback(err);\n}";
    let out = run(source, &Input::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{out:?}");
    let frame = out
        .error
        .as_ref()
        .and_then(|e| e.stack.clone())
        .expect("a stack");
    assert!(frame.starts_with("at pipe (function.js:2:"), "{frame}");
    assert_eq!(out.logs[0].level, LogLevel::Error);
    assert_eq!(
        out.logs[0].message,
        format!("TypeError: boom\n    {frame} {{\n  code: 'E_BOOM'\n}}")
    );
    // `%s` of an error is its inspection at depth 0: the same here.
    assert_eq!(out.logs[1].message, out.logs[0].message);
}

/// What QuickJS does not let JavaScript see prints as unknown, never as a
/// plausible state that may be wrong. Node 20 prints, in order:
/// `Promise { 1 }`, `Promise { <pending> }`, `[Map Entries] { [ 'a', 1 ] }`,
/// `[Set Iterator] { 1 }`, `WeakMap { <items unknown> }` (without
/// `showHidden`, as here). (Not knowing the entries, hookbox cannot tell an
/// entries iterator either, which Node names `[Map Entries]`.)
#[tokio::test]
async fn what_quickjs_cannot_see_prints_as_unknown() {
    let source = r#"
const util = require('util');
exports.handler = () => [
  util.inspect(Promise.resolve(1)),
  util.inspect(new Promise(() => {})),
  util.inspect(new Map([['a', 1]]).entries()),
  util.inspect(new Set([1]).values()),
  util.inspect(new WeakMap([[{}, 1]])),
];
"#;
    let out = run(source, &Input::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.result,
        json!([
            "Promise { <unknown> }",
            "Promise { <unknown> }",
            "[Map Iterator] { <items unknown> }",
            "[Set Iterator] { <items unknown> }",
            "WeakMap { <items unknown> }",
        ])
    );
}

/// A script that replaces built-ins cannot change how its logs are written:
/// the inspector captured them before any function ran.
#[tokio::test]
async fn a_script_that_replaces_builtins_does_not_change_its_log_lines() {
    let source = r#"
exports.handler = () => {
  Array.prototype.join = () => 'hijacked';
  Object.keys = () => [];
  String.prototype.slice = () => 'hijacked';
  Map.prototype.get = () => 42;
  Array.prototype.push = () => 0;
  Array.prototype.includes = () => true;
  Array.prototype.pop = () => undefined;
  const o = { a: 1, list: [1, 2] };
  o.me = o;
  console.log(o, new Map([['k', 'v']]));
  return null;
};
"#;
    let out = run(source, &Input::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.logs[0].message,
        "<ref *1> { a: 1, list: [ 1, 2 ], me: [Circular *1] } Map(1) { 'k' => 'v' }"
    );
}

/// What `console.log({a: 1})` costs beside a call that logs nothing, in fuel
/// (deterministic for a given plugin): Node's inspector is interpreted
/// JavaScript where the old console line was JSON.stringify. 80,523 when it
/// came in (about 41,000 for the JSON line before it).
#[tokio::test]
async fn a_console_line_of_a_small_object_stays_cheap() {
    let quiet = run(
        "async function pipe(user, context, callback) { callback(null, user, context); }",
        &Input::default(),
    )
    .await;
    let logged = run(
        "async function pipe(user, context, callback) { console.log({a: 1}); callback(null, user, context); }",
        &Input::default(),
    )
    .await;
    assert_eq!(logged.logs[0].message, "{ a: 1 }");
    let line = logged.fuel_used - quiet.fuel_used;
    assert!(
        line <= CONSOLE_LINE_FUEL,
        "console.log({{a: 1}}) used {line} fuel, more than {CONSOLE_LINE_FUEL}"
    );
}

const CONSOLE_LINE_FUEL: u64 = 85_000;
