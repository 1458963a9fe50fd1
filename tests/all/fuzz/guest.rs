//! The guest boundary: arbitrary `user`, `context`, `event`, `args` and env
//! into a real engine invoke of scripts of each convention. Every call ends
//! in a classified outcome, never an engine error or a panic, and what a
//! function hands back unchanged comes back unchanged.

use super::values;
use crate::common;
use hookbox_engine::{Artifact, Input, InvokeError, Limits, OutcomeKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Scripts of every convention that touch their input the way real ones do.
/// None of them loops or waits, so `ok` and `error` are the only outcomes a
/// well-formed input can give.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "echo pipe",
        "async function pipe(user, context, callback) { callback(null, user, context); }",
    ),
    (
        "rule reading fields",
        "function (user, context, callback) {\n\
         const email = (user.email || '').toLowerCase();\n\
         context.idToken = context.idToken || {};\n\
         context.idToken['https://example.com/email'] = email;\n\
         callback(null, user, context);\n}",
    ),
    (
        "hook",
        "module.exports = function (user, context, cb) {\n\
         cb(null, { user: { app_metadata: { seen: Object.keys(user || {}).length } } });\n};",
    ),
    (
        "handler echo",
        "exports.handler = async (event, context) => ({ event, context });",
    ),
    (
        "helpers and spread",
        "async function pipe(user, context, callback) {\n\
         user.addIdToken('k', user.id);\n\
         user.addCustomData({ n: Object.keys(user).length });\n\
         const copy = { ...user, ...context };\n\
         callback(null, Object.assign({}, user), { ...context, copied: Object.keys(copy).length });\n}",
    ),
    (
        "throws what it is given",
        "async function pipe(user, context, callback) { if (user.throw !== undefined) throw user.throw; callback(null, user, context); }",
    ),
];

/// Inputs as the API passes them: objects usually, anything sometimes.
fn input() -> impl Strategy<Value = Input> {
    let anything = || {
        prop_oneof![
            4 => values::object(4),
            1 => values::json(3),
        ]
    };
    (
        anything(),
        anything(),
        prop::option::of(values::json(3)),
        prop::option::of(prop::collection::vec(values::json(2), 0..4)),
        prop::collection::btree_map(values::string(), values::string(), 0..4),
    )
        .prop_map(|(user, context, event, args, env)| Input {
            user,
            context,
            event,
            args,
            env: env.into_iter().collect::<BTreeMap<_, _>>(),
            ..Input::default()
        })
}

/// True if JavaScript holds `value` exactly, so it survives a round trip
/// through the guest: integers beyond 2^53 and -0 do not.
fn js_exact(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.unsigned_abs() <= 1 << 53
            } else if let Some(u) = n.as_u64() {
                u <= 1 << 53
            } else {
                n.as_f64().is_some_and(|f| f != 0.0 || f.is_sign_positive())
            }
        }
        Value::Array(items) => items.iter().all(js_exact),
        Value::Object(map) => map.values().all(js_exact),
        _ => true,
    }
}

/// Equal as JavaScript sees JSON: numbers by value (`0` is `0.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

async fn check(name: &str, artifact: &Artifact, input: &Input) -> Result<(), TestCaseError> {
    let out = match common::engine()
        .invoke(artifact, input, &Limits::default())
        .await
    {
        Ok(out) => out,
        // The only refusal before the call: input past the 1 MB boundary.
        Err(InvokeError::InputTooLarge { .. }) => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("{name}: engine error {e}"))),
    };
    let shown = || {
        let mut s = format!("{out:?}");
        s.truncate(800);
        s
    };
    prop_assert!(
        matches!(out.outcome, OutcomeKind::Ok | OutcomeKind::Error),
        "{name}: a script that neither loops nor allocates much ended as {:?}: {}",
        out.outcome,
        shown()
    );
    if out.outcome == OutcomeKind::Error {
        let error = out.error.as_ref();
        prop_assert!(error.is_some(), "{name}: an error outcome without an error");
        prop_assert!(
            !error.unwrap().name.is_empty(),
            "{name}: an error without a name: {}",
            shown()
        );
    }
    // What the echo scripts were given is what they return, when the
    // input is an object JavaScript can hold exactly.
    let exact = input.user.is_object()
        && input.context.is_object()
        && js_exact(&input.user)
        && js_exact(&input.context);
    if name == "echo pipe" && exact {
        prop_assert_eq!(out.outcome, OutcomeKind::Ok, "{}: {}", name, shown());
        prop_assert!(
            same(&out.user, &input.user),
            "{name}: the user changed: {} became {}",
            input.user,
            out.user
        );
        prop_assert!(
            same(&out.context, &input.context),
            "{name}: the context changed: {} became {}",
            input.context,
            out.context
        );
    }
    if name == "handler echo" {
        let event = input.event.clone().unwrap_or(json!({}));
        if js_exact(&event) {
            prop_assert_eq!(out.outcome, OutcomeKind::Ok, "{}: {}", name, shown());
            prop_assert!(
                same(&out.result["event"], &event),
                "{name}: the event changed: {event} became {}",
                out.result["event"]
            );
        }
    }
    Ok(())
}

#[test]
fn fuzz_guest_input_always_gives_a_classified_outcome() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let artifacts: Vec<(&str, Artifact)> = SCRIPTS
        .iter()
        .map(|(name, source)| (*name, rt.block_on(common::compile(source))))
        .collect();
    let result = super::runner().run(&input(), |input| {
        rt.block_on(async {
            for (name, artifact) in &artifacts {
                check(name, artifact, &input).await?;
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A value thrown as is (`throw user.throw`) is an `error` with a name and a
/// message, whatever it is: a string, a number, an object with odd fields.
#[test]
fn fuzz_thrown_values_are_errors() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let artifact = rt.block_on(common::compile(SCRIPTS[5].1));
    let thrown = prop_oneof![
        values::json(3),
        (values::json(1), values::json(1), values::json(1)).prop_map(|(name, message, stack)| {
            json!({"name": name, "message": message, "stack": stack})
        }),
    ];
    let result = super::runner().run(&thrown, |thrown| {
        rt.block_on(async {
            let input = Input {
                user: json!({ "throw": thrown }),
                ..Input::default()
            };
            let out = common::engine()
                .invoke(&artifact, &input, &Limits::default())
                .await
                .map_err(|e| TestCaseError::fail(format!("engine error {e}")))?;
            prop_assert_eq!(out.outcome, OutcomeKind::Error, "{:?}", out);
            let error = out.error.expect("an error");
            prop_assert!(!error.name.is_empty(), "{:?}", error);
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Found by the fuzz target above: a float whose shortest form serde_json
/// read one unit in the last place off (without its `float_roundtrip`), so
/// a user's data changed on its way back from the function.
#[tokio::test]
async fn a_float_comes_back_bit_for_bit() {
    let artifact = common::compile(SCRIPTS[3].1).await;
    for x in [
        2.827905242057957e-30_f64,
        0.1,
        1e-300,
        5e-324,
        1.7976931348623157e308,
    ] {
        let input = Input {
            event: Some(json!({ "x": x })),
            ..Input::default()
        };
        let out = common::engine()
            .invoke(&artifact, &input, &Limits::default())
            .await
            .unwrap();
        let back = out.result["event"]["x"].as_f64().expect("a number");
        assert_eq!(back.to_bits(), x.to_bits(), "{x:e} came back as {back:e}");
    }
}
