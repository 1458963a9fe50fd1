//! Strategies for JSON values and strings that hit the edges: prototype
//! names, control and bidirectional characters, separators, big numbers.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Strings that mean something to JavaScript, URLs, the signature's
/// canonical form or a terminal.
pub const TRICKY_STRINGS: &[&str] = &[
    "",
    " ",
    "__proto__",
    "constructor",
    "prototype",
    "toJSON",
    "hasOwnProperty",
    "valueOf",
    "then",
    "a&b=c",
    "n&isAsynchronous=true",
    "?x=1",
    "%00",
    "%",
    "\u{0}",
    "\u{7}bell",
    "line\nbreak",
    "\u{202e}evil",
    "\u{feff}",
    "\u{1F600}",
    "\\",
    "\"",
    "../..",
    "null",
    "true",
    "0",
    "-0",
    "1e309",
];

/// A string: mostly arbitrary Unicode, often one of [`TRICKY_STRINGS`], now
/// and then long.
pub fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        3 => prop::sample::select(TRICKY_STRINGS).prop_map(str::to_string),
        1 => "[a-z&=%?]{0,12}",
        1 => (1usize..20_000).prop_map(|n| "a".repeat(n)),
    ]
}

/// A JSON number, including the ones JavaScript cannot hold exactly.
pub fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        (-1000i64..1000).prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        prop::sample::select(&[0.0, -0.0, 1e308, 5e-324, 9007199254740993.0][..])
            .prop_filter_map("finite", Number::from_f64),
    ]
}

/// A scalar JSON value.
pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        string().prop_map(Value::String),
    ]
}

/// Any JSON value, up to `depth` levels of arrays and objects.
pub fn json(depth: u32) -> impl Strategy<Value = Value> {
    leaf().prop_recursive(depth, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(string(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A JSON object, with arbitrary keys and values.
pub fn object(depth: u32) -> impl Strategy<Value = Value> {
    prop::collection::btree_map(string(), json(depth), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}
