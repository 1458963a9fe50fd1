//! The Node surface functions get (issue 13): built-in modules and globals,
//! time zones and `Intl`, and the npm catalogue. Every case of
//! `tests/fixtures/node/cases.js` (and of the other `*-cases.js` files there)
//! runs in the engine and must answer exactly what Node 20 answers for it
//! (`tests/fixtures/node/expect.js`, run here).

use crate::common::*;
use hookbox_engine::{Input, Limits, OutcomeKind};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/node/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Node's answers to the cases of `file`, by case name.
fn node_answers(file: &str) -> serde_json::Map<String, Value> {
    let npm = format!("{}/guest-sdk/npm/node_modules", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::path::Path::new(&npm).is_dir(),
        "{npm} is missing: run `make npm-modules` (make test does)"
    );
    let out = Command::new("node")
        // The sandbox's clock is UTC; Node's Date#toString answers in TZ.
        .env("TZ", "UTC")
        .arg(fixture("expect.js"))
        .arg(file)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("expect.js prints JSON")
}

/// hookbox's answers to the cases of `file`: one handler runs every case, as
/// expect.js does.
async fn hookbox_answers(file: &str) -> serde_json::Map<String, Value> {
    let cases = std::fs::read_to_string(fixture(file)).unwrap();
    let source = format!(
        r#"
const CASES = (function () {{ const module = {{ exports: null }}; {cases}; return module.exports; }})();
exports.handler = async () => {{
  const out = {{}};
  for (const [name, code] of CASES) {{
    try {{
      out[name] = {{ value: JSON.parse(JSON.stringify(await eval(code)) ?? "null") }};
    }} catch (e) {{
      out[name] = {{ error: (e && e.name) + ": " + (e && e.message) }};
    }}
  }}
  return out;
}};
"#
    );
    let mut limits = Limits::default();
    limits.timeout(Duration::from_secs(60)).unwrap();
    limits.fuel(200_000_000_000).unwrap();
    let out = run_with(&source, &Input::default(), &limits).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    match out.result {
        Value::Object(map) => map,
        other => panic!("the handler answered {other}"),
    }
}

/// Every case of `file` answers what Node 20 answers; `at_least` cases ran.
async fn assert_cases_answer_as_node(file: &str, at_least: usize) {
    let node = node_answers(file);
    let ours = hookbox_answers(file).await;
    let mut differ = Vec::new();
    for (name, want) in &node {
        let got = ours.get(name).unwrap_or(&Value::Null);
        if got != want {
            differ.push(format!("{name}:\n  node:    {want}\n  hookbox: {got}"));
        }
    }
    assert!(node.len() >= at_least, "only {} cases ran", node.len());
    assert!(
        differ.is_empty(),
        "{} of {} cases differ from Node:\n{}",
        differ.len(),
        node.len(),
        differ.join("\n")
    );
}

#[tokio::test]
async fn every_case_answers_what_node_20_answers() {
    assert_cases_answer_as_node("cases.js", 60).await;
}

/// Cipheriv/Decipheriv stream: each `update` returns what Node's does, for
/// uneven pieces, strings and output encodings (`cipher-cases.js`).
#[tokio::test]
async fn every_cipher_update_answers_what_node_20_answers() {
    assert_cases_answer_as_node("cipher-cases.js", 14).await;
}

/// Node's legacy `url.parse` (what it escapes, its hosts), `url.format` of
/// objects and of WHATWG URLs with `{auth, fragment, search, unicode}`, and
/// `url.resolve` (`url-cases.js`).
#[tokio::test]
async fn every_url_case_answers_what_node_20_answers() {
    assert_cases_answer_as_node("url-cases.js", 22).await;
}

/// DOMException (its getters, legacy codes and constants), casing in
/// Turkish, Azeri and Lithuanian, and Date#toString's zone name, as Node's
/// (`text-cases.js`).
#[tokio::test]
async fn every_text_case_answers_what_node_20_answers() {
    assert_cases_answer_as_node("text-cases.js", 18).await;
}

/// Regional locales Node formats as a supported locale (`de-CH`'s dates are
/// `de-DE`'s, `fr-BE`'s numbers `fr-FR`'s, …) answer as Node does, with the
/// regional tag in resolvedOptions().locale (`locale-cases.js`).
#[tokio::test]
async fn every_regional_locale_case_answers_what_node_20_answers() {
    assert_cases_answer_as_node("locale-cases.js", 10).await;
}

/// A regional locale Node formats otherwise than every supported locale
/// falls back to `en-US` and says so in resolvedOptions().locale, never the
/// regional tag on another locale's answer. Node 20's answers, for
/// `toLocaleDateString(tag, {timeZone: 'UTC', month: 'long', day:
/// 'numeric'})` of 2024-01-16 and `(1234567.5).toLocaleString(tag)`:
/// en-AU "16 January" "1,234,567.5"; de-AT "16. Jänner" "1 234 567,5"; fr-CA
/// "16 janvier" "1 234 567,5"; zh-TW "1月16日" "1,234,567.5"; en-IN
/// "16 January" "12,34,567.5"; de-CH (dates as de-DE's, numbers not)
/// "16. Januar" "1'234'567.5"; en-US "January 16" "1,234,567.5".
#[tokio::test]
async fn regional_locales_node_formats_otherwise_fall_back_to_en_us_visibly() {
    let source = r#"
exports.handler = () => ['en-AU', 'de-AT', 'fr-CA', 'zh-TW', 'en-IN', 'de-CH'].map((t) => {
  const d = new Date('2024-01-16T03:00:00Z');
  return [t, d.toLocaleDateString(t, { timeZone: 'UTC', month: 'long', day: 'numeric' }), (1234567.5).toLocaleString(t),
    new Intl.DateTimeFormat(t).resolvedOptions().locale, new Intl.NumberFormat(t).resolvedOptions().locale];
});
"#;
    let out = run_with(source, &Input::default(), &Limits::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    assert_eq!(
        out.result,
        serde_json::json!([
            ["en-AU", "January 16", "1,234,567.5", "en-US", "en-US"],
            ["de-AT", "January 16", "1,234,567.5", "en-US", "en-US"],
            ["fr-CA", "January 16", "1,234,567.5", "en-US", "en-US"],
            ["zh-TW", "January 16", "1,234,567.5", "en-US", "en-US"],
            ["en-IN", "January 16", "1,234,567.5", "en-US", "en-US"],
            ["de-CH", "16. Januar", "1,234,567.5", "de-CH", "en-US"],
        ])
    );
}

/// Where hookbox cannot give Node's answer it throws, naming what it does not
/// support (`ERR_HOOKBOX_INTL_UNSUPPORTED`), never a different answer: each
/// of these answers differently in Node 20 (shown beside it), so a silent
/// fallback would be a wrong answer.
#[tokio::test]
async fn what_intl_cannot_answer_exactly_throws_instead_of_answering_otherwise() {
    let cases = [
        // Node: '12,345,678,901,234,567,890'
        "new Intl.NumberFormat('en-US').format(12345678901234567890n)",
        // Node: '1,234,567,890,123,456,789'
        "new Intl.NumberFormat('en-US').format('1234567890123456789')",
        // Node: '-9,007,199,254,740,993'
        "(-9007199254740993n).toLocaleString()",
        // Node: '1.00 US dollars'
        "new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', currencyDisplay: 'name' }).format(1)",
        // Node: '1.2K'
        "new Intl.NumberFormat('en-US', { notation: 'compact' }).format(1234)",
        // Node: '1/1/1970, EST' style output
        "new Date(0).toLocaleString('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' })",
        // Casing rules that look at combining marks. Node: 'i'
        "'I\\u0307'.toLocaleLowerCase('tr')",
        // Node: 'i̇̀' (i, U+0307, U+0300)
        "'I\\u0300'.toLocaleLowerCase('lt')",
        // Node: 'j̇́'
        "'J\\u0301'.toLocaleLowerCase('lt-LT')",
        // Node: 'I'
        "'i\\u0307'.toLocaleUpperCase('lt')",
        // Node: 'ịx' (i, U+0323, x: the dot above is dropped)
        "'I\\u0323\\u0307x'.toLocaleLowerCase('az')",
    ];
    let list = cases.join(",\n() => ");
    let source = format!(
        r#"
exports.handler = () => [() => {list}].map((f) => {{
  try {{ return "answered " + f(); }} catch (e) {{ return e.name + " " + e.code + ": " + e.message; }}
}});
"#
    );
    let out = run_with(&source, &Input::default(), &Limits::default()).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let answers = out.result.as_array().expect("an array").clone();
    assert_eq!(answers.len(), cases.len());
    for (case, answer) in cases.iter().zip(&answers) {
        let answer = answer.as_str().unwrap();
        assert!(
            answer.starts_with("RangeError ERR_HOOKBOX_INTL_UNSUPPORTED: hookbox: "),
            "{case}: {answer}"
        );
    }
}
