//! FunctionGraph custom authorizers: the result contract API Gateway (APIG)
//! holds a frontend authorizer function to, checked on every `ok` outcome of
//! a function in the `authorizer` scene.
//!
//! Source: the seed's "Creating a FunctionGraph Backend API That Uses a
//! Custom Authorizer" (Huawei APIG developer guide): the response is at most
//! 1 MB and has the form `{"statusCode": 200, "body": "<JSON string>"}`,
//! where the body decodes to `{"status": "allow" | "deny", "context": {…}}`;
//! `context` is optional and holds only key-value pairs whose values are
//! neither objects nor arrays, each name case-sensitive, 1–32 characters,
//! starting with a letter, of letters, digits, `-` and `_`.

use hookbox_engine::{ErrorInfo, Outcome, OutcomeKind};
use serde_json::Value;

/// Largest authorizer result, as JSON: APIG refuses a function response
/// over 1 MB.
pub const MAX_AUTHORIZER_RESULT_BYTES: usize = 1024 * 1024;

/// Longest name in an authorizer's `context` (APIG maps the names onto
/// backend parameters, whose names are at most 32 characters).
pub const MAX_CONTEXT_NAME_CHARS: usize = 32;

/// The error name of a result that breaks the contract.
pub const INVALID_OUTPUT_ERROR: &str = "InvalidOutputError";

/// Turns an `ok` outcome whose `result` breaks the authorizer contract into
/// `invalid_output`, with an [`INVALID_OUTPUT_ERROR`] naming the rule
/// (`body: must be a string holding JSON`). Other outcomes are left alone.
pub(crate) fn enforce(outcome: &mut Outcome) {
    if outcome.outcome != OutcomeKind::Ok {
        return;
    }
    if let Err(message) = check(&outcome.result) {
        outcome.outcome = OutcomeKind::InvalidOutput;
        outcome.error = Some(ErrorInfo::new(INVALID_OUTPUT_ERROR, message));
    }
}

/// Checks one result against the contract; the error names the field and
/// the rule.
pub fn check(result: &Value) -> Result<(), String> {
    let Value::Object(result) = result else {
        return Err(format!(
            "result: must be an object with statusCode and body, got {}",
            kind(result)
        ));
    };
    let size = serde_json::to_vec(result).map(|v| v.len()).unwrap_or(0);
    if size > MAX_AUTHORIZER_RESULT_BYTES {
        return Err(format!(
            "result: is {size} bytes; an authorizer's result is at most {MAX_AUTHORIZER_RESULT_BYTES} bytes (1 MB)"
        ));
    }
    match result.get("statusCode") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|c| (100..=599).contains(&c)) => {}
        Some(Value::Number(n)) => {
            return Err(format!(
                "statusCode: must be an HTTP status, an integer from 100 to 599, got {n}"
            ));
        }
        None => return Err("statusCode: is required (a number, 200 to answer)".into()),
        Some(other) => {
            return Err(format!("statusCode: must be a number, got {}", kind(other)));
        }
    }
    let body = match result.get("body") {
        Some(Value::String(text)) => text,
        None => return Err("body: is required (a string holding JSON)".into()),
        Some(other) => {
            return Err(format!(
                "body: must be a string holding JSON, got {} (use JSON.stringify)",
                kind(other)
            ));
        }
    };
    let body: Value = serde_json::from_str(body)
        .map_err(|e| format!("body: must be a string holding JSON ({e})"))?;
    let Value::Object(body) = body else {
        return Err(format!(
            "body: must hold a JSON object with status, got {}",
            kind(&body)
        ));
    };
    match body.get("status") {
        Some(Value::String(s)) if s == "allow" || s == "deny" => {}
        None => return Err("body.status: is required, \"allow\" or \"deny\"".into()),
        Some(other) => {
            return Err(format!(
                "body.status: must be \"allow\" or \"deny\", got {other}"
            ));
        }
    }
    match body.get("context") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(context)) => {
            for (name, value) in context {
                check_context_name(name)?;
                if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                    return Err(format!(
                        "context.{name}: a value must be a string, number or boolean, got {}",
                        kind(value)
                    ));
                }
            }
            Ok(())
        }
        Some(other) => Err(format!(
            "body.context: must be a flat object of names to strings, numbers or booleans, got {}",
            kind(other)
        )),
    }
}

fn check_context_name(name: &str) -> Result<(), String> {
    let valid = (1..=MAX_CONTEXT_NAME_CHARS).contains(&name.chars().count())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        return Ok(());
    }
    Err(format!(
        "context.{name}: a name must be 1–{MAX_CONTEXT_NAME_CHARS} characters, start with a letter and hold only letters, digits, '-' and '_'"
    ))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Value {
        json!({"statusCode": 200, "body": v.to_string()})
    }

    #[test]
    fn the_seeds_examples_pass() {
        assert_eq!(
            check(&body(
                json!({"status": "allow", "context": {"user": "abc"}})
            )),
            Ok(())
        );
        assert_eq!(check(&body(json!({"status": "deny"}))), Ok(()));
        assert_eq!(
            check(&body(
                json!({"status": "allow", "context": {"a-b_c": 1, "ok": true, "n": 1.5}})
            )),
            Ok(())
        );
    }

    #[test]
    fn each_breach_names_its_rule() {
        let cases = [
            (json!("text"), "result: must be an object"),
            (json!({"body": "{}"}), "statusCode: is required"),
            (
                json!({"statusCode": "200", "body": "{}"}),
                "statusCode: must be a number",
            ),
            (
                json!({"statusCode": 200.5, "body": "{}"}),
                "statusCode: must be an HTTP status",
            ),
            (
                json!({"statusCode": 99, "body": "{}"}),
                "statusCode: must be an HTTP status",
            ),
            (
                json!({"statusCode": 200, "body": {"status": "allow"}}),
                "body: must be a string holding JSON",
            ),
            (
                json!({"statusCode": 200, "body": "not json"}),
                "body: must be a string holding JSON",
            ),
            (
                json!({"statusCode": 200, "body": "[1]"}),
                "body: must hold a JSON object",
            ),
            (body(json!({"context": {}})), "body.status: is required"),
            (
                body(json!({"status": "maybe"})),
                "body.status: must be \"allow\" or \"deny\"",
            ),
            (
                body(json!({"status": "allow", "context": ["a"]})),
                "body.context: must be a flat object",
            ),
            (
                body(json!({"status": "allow", "context": {"user_info": {"id": 1}}})),
                "context.user_info: a value must be a string, number or boolean",
            ),
            (
                body(json!({"status": "allow", "context": {"tags": []}})),
                "context.tags: a value must be",
            ),
            (
                body(json!({"status": "allow", "context": {"1st": "x"}})),
                "context.1st: a name must be 1–32 characters",
            ),
            (
                body(json!({"status": "allow", "context": {"a.b": "x"}})),
                "context.a.b: a name must be",
            ),
            (
                body(json!({"status": "allow", "context": {"x".repeat(33): "x"}})),
                "context.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: a name must be 1–32",
            ),
        ];
        for (result, rule) in cases {
            let err = check(&result).unwrap_err();
            assert!(err.starts_with(rule), "{result}: {err}");
        }
        let big = json!({"statusCode": 200, "body": "x".repeat(MAX_AUTHORIZER_RESULT_BYTES)});
        assert!(check(&big).unwrap_err().contains("at most 1048576 bytes"));
    }
}
