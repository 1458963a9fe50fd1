//! Every limit is enforced by the host and comes back as a classified outcome.

use crate::common::*;
use hookbox_engine::{
    CompileError, Input, InvokeError, LOG_LINE_OVERHEAD, Limits, MAX_ERROR_MESSAGE_BYTES,
    MAX_ERROR_NAME_BYTES, MAX_ERROR_STACK_BYTES, MAX_LOG_BYTES, MAX_LOG_LINES, MAX_SOURCE_BYTES,
    OutcomeKind,
};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn infinite_loop_times_out() {
    let out = run_with(
        "function pipe(u, c, cb) { while (true) {} }",
        &Input::default(),
        &limits_secs(1),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Timeout, "{out:?}");
    assert_eq!(out.error.unwrap().name, "TimeoutError");
}

#[tokio::test]
async fn waiting_forever_on_timers_times_out() {
    let out = run_with(
        "async function pipe(u, c, cb) { setInterval(() => {}, 1000); }",
        &Input::default(),
        &limits_secs(1),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Timeout, "{out:?}");
}

#[tokio::test]
async fn cpu_budget_is_fuel() {
    let mut limits = Limits::default();
    limits.fuel(20_000_000).unwrap();
    let out = run_with(
        "exports.handler = () => { let x = 0; for (let i = 0; i < 1e9; i++) x += i; return x; };",
        &Input::default(),
        &limits,
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::OutOfFuel, "{out:?}");
    assert_eq!(out.fuel_used, 20_000_000);
}

#[tokio::test]
async fn fuel_used_is_deterministic() {
    let artifact = compile("function pipe(u, c, cb) { let s = 0; for (let i = 0; i < 1000; i++) s += i; u.s = s; cb(null, u, c); }").await;
    let i = input(json!({"id": 1}), json!({}));
    let a = engine()
        .invoke(&artifact, &i, &Limits::default())
        .await
        .unwrap();
    let b = engine()
        .invoke(&artifact, &i, &Limits::default())
        .await
        .unwrap();
    assert_eq!(a.user["s"], 499500);
    assert!(a.fuel_used > 0);
    assert_eq!(a.fuel_used, b.fuel_used);
}

#[tokio::test]
async fn memory_hog_hits_the_memory_limit() {
    let mut limits = Limits::default();
    limits.memory_mb(16).unwrap();
    let out = run_with(
        "exports.handler = () => { const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random())); };",
        &Input::default(),
        &limits,
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::MemoryLimit, "{out:?}");
    assert!(out.error.unwrap().message.contains("16 MB"));
}

#[tokio::test]
async fn a_cap_counts_what_a_call_grows_beyond_the_runtime_image() {
    // The image (QuickJS, the prelude, Intl's tables, the npm catalogue) is
    // about 25 MB: a 1 MB cap still runs a call that needs little more.
    let mut limits = Limits::default();
    limits.memory_mb(1).unwrap();
    let out = run_with("exports.handler = () => 1;", &Input::default(), &limits).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let out = run_with(
        "exports.handler = () => new Array(1e6).fill(1).length;",
        &Input::default(),
        &limits,
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::MemoryLimit, "{out:?}");
}

#[tokio::test]
async fn deep_recursion_is_a_stack_overflow() {
    for source in [
        "function pipe(u, c, cb) { function f(n) { return f(n + 1) + 1; } f(0); }",
        "exports.handler = () => { const f = (n) => [n].map((x) => f(x + 1)); return f(0); };",
    ] {
        let out = run(source, &Input::default()).await;
        assert_eq!(out.outcome, OutcomeKind::StackOverflow, "{source}: {out:?}");
    }
}

#[tokio::test]
async fn huge_output_is_invalid_output() {
    let out = run(
        "exports.handler = () => 'x'.repeat(2 * 1024 * 1024);",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::InvalidOutput, "{out:?}");
    assert!(out.error.unwrap().message.contains("1048576"));
}

#[tokio::test]
async fn unserialisable_output_is_invalid_output() {
    let out = run(
        "exports.handler = () => { const a = {}; a.self = a; return a; };",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::InvalidOutput, "{out:?}");
    let out = run("exports.handler = () => 10n;", &Input::default()).await;
    assert_eq!(out.outcome, OutcomeKind::InvalidOutput, "{out:?}");
}

#[tokio::test]
async fn input_over_one_megabyte_is_refused_before_running() {
    let artifact = compile("exports.handler = () => 1;").await;
    let big = input(json!({"blob": "y".repeat(1024 * 1024)}), json!({}));
    let err = engine()
        .invoke(&artifact, &big, &Limits::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, InvokeError::InputTooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn console_output_is_capped_per_call() {
    // The longest timeout, so that a loaded machine cannot make it one.
    let mut patient = Limits::default();
    patient.timeout(Duration::from_secs(60)).unwrap();
    let out = run_with(
        "function pipe(u, c, cb) { for (let i = 0; i < 10000; i++) console.log('line ' + i + ' ' + 'z'.repeat(100)); cb(null, u, c); }",
        &Input::default(),
        &patient,
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");
    let kept: usize = out
        .logs
        .iter()
        .map(|l| l.message.len() + LOG_LINE_OVERHEAD)
        .sum();
    assert!(kept <= MAX_LOG_BYTES + 128, "{kept}");
    assert!(out.logs.len() < 10000);
    assert!(
        out.logs
            .last()
            .unwrap()
            .message
            .ends_with("[log truncated: a call keeps at most 1000 lines and 64 KB]"),
        "{:?}",
        out.logs.last()
    );
}

/// Empty lines used to be free: a million of them made a 30 MB record.
#[tokio::test]
async fn empty_console_lines_count_against_the_cap() {
    let out = run_with(
        "function pipe(u, c, cb) { for (let i = 0; i < 100000; i++) console.log(''); cb(null, u, c); }",
        &Input::default(),
        &limits_secs(30),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{:?}", out.error);
    assert!(out.logs.len() <= MAX_LOG_LINES, "{} lines", out.logs.len());
    let answer = serde_json::to_vec(&out).unwrap();
    assert!(answer.len() < 64 * 1024, "{} bytes", answer.len());
}

/// The input: a logging runaway returned 8 million lines (244 MB).
#[tokio::test]
async fn a_logging_runaway_returns_a_bounded_answer() {
    let out = run_with(
        "async function pipe(u, c, cb) { while (true) console.log(''); }",
        &Input::default(),
        &limits_secs(1),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Timeout, "{:?}", out.error);
    assert!(out.logs.len() <= MAX_LOG_LINES, "{} lines", out.logs.len());
    assert!(serde_json::to_vec(&out).unwrap().len() < 64 * 1024);
}

#[tokio::test]
async fn error_fields_are_bounded_and_the_verdict_stays_a_deny() {
    for source in [
        "function pipe(u, c, cb) { cb(new Error('m'.repeat(900 * 1024))); }",
        "async function pipe(u, c, cb) { const e = new Error('m'); e.name = 'N'.repeat(900 * 1024); throw e; }",
        "function pipe(u, c, cb) { const e = new Error('m'); e.code = 'C'.repeat(900 * 1024); throw e; }",
        "function pipe(u, c, cb) { const e = new Error('m'); e.stack = '    at pipe (function.js:1:1)\\n'.repeat(50000); throw e; }",
    ] {
        let out = run(source, &Input::default()).await;
        assert_eq!(out.outcome, OutcomeKind::Error, "{source}: {:?}", out.error);
        let error = out.error.unwrap();
        assert!(error.name.len() <= MAX_ERROR_NAME_BYTES + 32, "{source}");
        assert!(
            error.message.len() <= MAX_ERROR_MESSAGE_BYTES + 32,
            "{source}"
        );
        assert!(
            error
                .stack
                .as_ref()
                .is_none_or(|s| s.len() <= MAX_ERROR_STACK_BYTES + 32),
            "{source}"
        );
        assert!(
            error
                .code
                .as_ref()
                .is_none_or(|c| c.len() <= MAX_ERROR_NAME_BYTES + 32),
            "{source}"
        );
    }
}

#[tokio::test]
async fn pending_timers_are_bounded_by_count() {
    let out = run(
        "function pipe(u, c, cb) { for (;;) setTimeout(() => {}, 1000); }",
        &Input::default(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::Error, "{:?}", out.error);
    let error = out.error.unwrap();
    assert_eq!(error.name, "RangeError");
    assert!(
        error.message.contains("at most 10000 pending timers"),
        "{error:?}"
    );
}

/// Pending promises live in the guest's memory, so its cap bounds them.
#[tokio::test]
async fn pending_promises_are_bounded_by_the_memory_cap() {
    let out = run_with(
        "function pipe(u, c, cb) { const keep = []; for (;;) keep.push(new Promise(() => {})); }",
        &Input::default(),
        limits_secs(60).memory_mb(8).unwrap(),
    )
    .await;
    assert_eq!(out.outcome, OutcomeKind::MemoryLimit, "{:?}", out.error);
}

#[tokio::test]
async fn oversize_source_is_refused_at_compile() {
    let source = format!(
        "// {}\nexports.handler = () => 1;",
        "x".repeat(MAX_SOURCE_BYTES)
    );
    let err = engine().compile(&source).await.unwrap_err();
    assert!(
        matches!(err, CompileError::TooLarge { limit: 102400, .. }),
        "{err:?}"
    );
}

#[test]
fn limits_outside_their_ranges_are_refused() {
    let mut l = Limits::default();
    assert!(l.timeout(Duration::from_secs(0)).is_err());
    assert!(l.timeout(Duration::from_secs(61)).is_err());
    assert!(l.memory_mb(513).is_err());
}
