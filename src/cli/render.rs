//! Human-readable output: borderless tables in the style of `kubectl get`,
//! and the few formats the tables share. Plain text only, so the output reads
//! the same in a terminal, a pipe and a log file.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets};
use serde_json::Value;

/// One line to stdout; see `out!`.
pub fn line(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
        std::process::exit(1);
    }
}

/// A table with these column headers.
pub fn table(headers: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.to_vec());
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table
}

/// Caps a column's width; longer cells wrap inside it.
pub fn cap_width(table: &mut Table, index: usize, width: u16) {
    if let Some(column) = table.column_mut(index) {
        column.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(width)));
    }
}

/// The table as lines without trailing padding.
pub fn print(table: &Table) {
    out!("{}", table.trim_fmt());
}

/// `durationUs` as a person reads it: `412µs`, `1.52ms`, `3.01s`.
pub fn duration(us: u64) -> String {
    match us {
        0..1_000 => format!("{us}µs"),
        1_000..1_000_000 => format!("{:.2}ms", us as f64 / 1e3),
        _ => format!("{:.2}s", us as f64 / 1e6),
    }
}

/// An RFC 3339 timestamp to the second: `2026-11-23T10:13:02Z`.
pub fn time(at: &str) -> String {
    match at.split_once('.') {
        Some((seconds, rest)) if rest.ends_with('Z') => format!("{seconds}Z"),
        _ => at.to_string(),
    }
}

pub fn yes_no(value: &Value) -> &'static str {
    if value.as_bool().unwrap_or(false) {
        "yes"
    } else {
        "no"
    }
}

/// A string field, or empty.
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("")
}

/// An error object (`{name, message, stack?}`) on one line: `Error: Access denied.`,
/// with the stack on the lines after when asked for.
pub fn error(error: &Value, with_stack: bool) -> String {
    if error.is_null() {
        return String::new();
    }
    let name = text(error, "name");
    let message = text(error, "message");
    let mut out = match (name.is_empty(), message.is_empty()) {
        (false, false) => format!("{name}: {message}"),
        (false, true) => name.to_string(),
        _ => message.to_string(),
    };
    if with_stack {
        for line in text(error, "stack")
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            out.push('\n');
            out.push_str(line.trim());
        }
    }
    out
}

/// Console lines (`[{level, message}]`) as `[info] message`, one per line.
pub fn console(logs: &Value) -> Vec<String> {
    logs.as_array()
        .into_iter()
        .flatten()
        .map(|line| format!("[{}] {}", text(line, "level"), text(line, "message")))
        .collect()
}

pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// `label:` and a value aligned after it; more lines are indented to match.
pub fn field(label: &str, value: &str) {
    let mut lines = value.lines();
    out!("{:<11}{}", format!("{label}:"), lines.next().unwrap_or(""));
    for line in lines {
        out!("{:<11}{line}", "");
    }
}

/// A JSON value under its label, pretty-printed.
pub fn json_block(label: &str, value: &Value) {
    out!("{label}:");
    for line in pretty(value).lines() {
        out!("  {line}");
    }
}

/// An answer's `user` and `context`, then each of `extras` that carries
/// something, in that order.
pub fn outcome_blocks(data: &Value, extras: &[&str]) {
    json_block("user", &data["user"]);
    json_block("context", &data["context"]);
    for key in extras {
        if !is_empty(&data[*key]) {
            json_block(key, &data[*key]);
        }
    }
}

/// True when a JSON value carries nothing worth showing.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().all(is_empty),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(412), "412µs");
        assert_eq!(duration(1_520), "1.52ms");
        assert_eq!(duration(3_010_000), "3.01s");
    }

    #[test]
    fn times_drop_the_fraction() {
        assert_eq!(time("2026-11-23T10:13:02.123Z"), "2026-11-23T10:13:02Z");
        assert_eq!(time("2026-11-23T10:13:02Z"), "2026-11-23T10:13:02Z");
    }

    #[test]
    fn errors_keep_name_message_and_stack() {
        let e = json!({"name": "Error", "message": "Access denied.", "stack": "at pipe (function.js:7:25)"});
        assert_eq!(error(&e, false), "Error: Access denied.");
        assert_eq!(
            error(&e, true),
            "Error: Access denied.\nat pipe (function.js:7:25)"
        );
    }

    #[test]
    fn tables_have_no_trailing_padding_or_borders() {
        let mut t = table(&["ID", "NAME"]);
        t.add_row(vec!["a", "b"]);
        let text = t.to_string();
        assert!(text.lines().next().unwrap().starts_with("ID"), "{text}");
        assert!(!text.contains('|') && !text.contains('─'), "{text}");
    }

    #[test]
    fn empty_values_are_recognised() {
        assert!(is_empty(&json!({"idToken": {}, "accessToken": {}})));
        assert!(!is_empty(&json!({"idToken": {"a": 1}})));
    }
}
