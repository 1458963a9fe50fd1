//! Fuzz target for the host's reading of a guest's answer (proptest):
//! whatever bytes the guest writes as its result, the host makes an
//! [`Outcome`] of them, and never panics. Thin on purpose: it calls
//! [`read_output`] and nothing else of the engine.
//!
//! `HOOKBOX_FUZZ_CASES` sets the cases (default 256: the short run in `make
//! test`), `HOOKBOX_FUZZ_SEED` a seed or `random` (`make fuzz`).

use super::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

/// The shared runner; this target's short run: 256 cases, its own seed.
fn runner() -> TestRunner {
    hookbox_fuzz::runner(256, 0x6f75_7470)
}

fn json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const KINDS: &[&str] = &[
    "ok",
    "error",
    "timeout",
    "out_of_fuel",
    "memory_limit",
    "stack_overflow",
    "callback_not_called",
    "invalid_output",
    "OK",
    "",
];

/// An object shaped like the guest's answer, each field either well formed
/// or anything at all.
fn answer() -> impl Strategy<Value = Value> {
    let error = prop_oneof![
        (
            any::<String>(),
            any::<String>(),
            prop::option::of(any::<String>())
        )
            .prop_map(
                |(name, message, stack)| json!({"name": name, "message": message, "stack": stack})
            ),
        json(2),
    ];
    let logs = prop_oneof![
        prop::collection::vec(
            (
                prop::sample::select(vec!["info", "debug", "warn", "error", "trace"]),
                any::<String>()
            )
                .prop_map(|(level, message)| json!({"level": level, "message": message})),
            0..4,
        )
        .prop_map(Value::Array),
        json(2),
    ];
    (
        prop::sample::select(KINDS),
        json(3),
        json(3),
        json(2),
        json(2),
        prop::option::of(error),
        logs,
        prop::option::of(any::<String>()),
    )
        .prop_map(
            |(kind, user, context, result, tokens, error, logs, extra)| {
                let mut answer = json!({
                    "outcome": kind, "user": user, "context": context, "result": result,
                    "tokens": tokens, "logs": logs,
                });
                if let Some(error) = error {
                    answer["error"] = error;
                }
                if let Some(extra) = extra {
                    answer[extra] = json!(1);
                }
                answer
            },
        )
}

/// Reads `bytes` as the guest's answer; the outcome it gives must be one
/// the host can write out again.
fn read(bytes: Vec<u8>) -> Result<Outcome, TestCaseError> {
    let outcome = read_output(Some(bytes));
    if let Err(e) = serde_json::to_vec(&outcome) {
        return Err(TestCaseError::fail(format!(
            "the outcome does not serialise: {e}"
        )));
    }
    Ok(outcome)
}

#[test]
fn fuzz_output_bytes_never_panic_the_host() {
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        json(4).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        answer().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ];
    runner()
        .run(&bytes, |bytes| read(bytes).map(drop))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// An answer is read as the kind it names, or refused as `invalid_output`:
/// a malformed field never turns into another verdict.
#[test]
fn fuzz_answers_keep_their_kind_or_are_invalid_output() {
    runner()
        .run(&answer(), |answer| {
            let outcome = read(serde_json::to_vec(&answer).unwrap())?;
            let kind = outcome.outcome.as_str();
            prop_assert!(
                kind == answer["outcome"] || kind == "invalid_output",
                "{} was read as {}",
                answer["outcome"],
                kind
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
