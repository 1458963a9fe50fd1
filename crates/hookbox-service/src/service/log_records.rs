//! Invocation log records: building them, redacting secrets, queueing and reading them.

use super::*;

impl Service {
    pub(super) fn record_log(
        &self,
        record: &FunctionRecord,
        outcome: &Outcome,
        request_id: &str,
        attempt: u32,
        secrets: &Redactor,
    ) {
        let mut log = log_record(
            (&record.tenant_id, &record.func_id, None),
            outcome,
            request_id,
            (record.is_asynchronous, attempt),
            secrets,
        );
        log.version = Some(record.deployed_version);
        self.push_log(log);
    }

    /// Hands an invocation record to the log writer (counted when dropped).
    pub(super) fn push_log(&self, log: LogRecord) {
        if !self.inner.logs.push(log) {
            self.inner.metrics.logs_dropped.inc();
        }
    }

    // ------------------------------------------------------------ logs

    pub async fn logs(
        &self,
        tenant: &str,
        func_id: &str,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| s.list_logs(&t, &f, page.max(1), limit.clamp(1, MAX_LOGS_PAGE)))
            .await
    }

    /// A function's logs that match `filter` (outcome, version), newest
    /// first, and how many match: the console's filtered log view.
    pub async fn logs_matching(
        &self,
        tenant: &str,
        func_id: &str,
        filter: LogFilter,
        page: usize,
        limit: usize,
    ) -> Result<(Vec<LogRecord>, usize), ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        self.blocking(move |s| {
            s.list_logs_matching(&t, &f, &filter, page.max(1), limit.clamp(1, MAX_LOGS_PAGE))
        })
        .await
    }

    /// A function's calls, errors (any outcome but `ok`) and p50/p99
    /// duration over the hour before `now_micros`, a bucket per minute,
    /// read from its stored logs (so on a cluster, every node's calls). At
    /// most [`MAX_STATS_POINTS`] logs are read, the newest; `truncated`
    /// says when there were more.
    pub async fn stats(
        &self,
        tenant: &str,
        func_id: &str,
        now_micros: u64,
    ) -> Result<FunctionStats, ServiceError> {
        self.get(tenant, func_id).await?;
        let (t, f) = (tenant.to_string(), func_id.to_string());
        let since = now_micros.saturating_sub(STATS_WINDOW_SECONDS * 1_000_000);
        let points = self
            .blocking(move |s| s.log_points(&t, &f, since, MAX_STATS_POINTS + 1))
            .await?;
        Ok(FunctionStats::from_points(points, now_micros))
    }
}

/// Values shorter than this are not redacted: they would blank out common
/// words and numbers rather than hide a secret.
pub const MIN_REDACTED_CHARS: usize = 6;

/// `s` as Node 20's `util.inspect` writes a string between its quotes (its
/// `strEscape`, lib/internal/util/inspect.js): `\`, control characters and
/// C1 controls escaped, and `'` too when `s` also holds `"` and a backtick or
/// `${` (otherwise Node picks quotes `s` does not hold).
pub(super) fn inspect_escaped(s: &str) -> String {
    let escape_quote = s.contains('\'') && s.contains('"') && (s.contains('`') || s.contains("${"));
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' if escape_quote => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Replaces the tenant's env values and the hook's secrets in text bound for
/// the invocation log with `[redacted: NAME]`. Longest values first, so a
/// value containing another is hidden whole.
pub(super) struct Redactor {
    values: Vec<(String, String)>,
}

impl Redactor {
    pub(super) fn new<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> Self {
        let mut values: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs.filter(|(_, v)| v.chars().count() >= MIN_REDACTED_CHARS) {
            let mark = format!("[redacted: {k}]");
            // As `JSON.stringify` writes it into a logged object, too.
            let quoted = serde_json::to_string(v).unwrap_or_default();
            let escaped = &quoted[1..quoted.len().saturating_sub(1).max(1)];
            if escaped != v {
                values.push((escaped.to_string(), mark.clone()));
            }
            // As `console.log` (Node's `util.inspect`) writes it into a logged
            // object; a long value is written one quoted line at a time, so
            // each line of one that has line breaks is a secret too.
            let inspected = inspect_escaped(v);
            if inspected != *v && inspected != escaped {
                values.push((inspected, mark.clone()));
            }
            if v.contains('\n') {
                for line in v.split_inclusive('\n') {
                    if line.chars().count() >= MIN_REDACTED_CHARS {
                        values.push((inspect_escaped(line), mark.clone()));
                    }
                }
            }
            values.push((v.clone(), mark));
        }
        values.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        Self { values }
    }

    /// `text` with every secret value replaced by its mark, at most half as
    /// long again as `text` plus 64 bytes: a short secret repeated all over a
    /// line would otherwise grow the stored record many times over the
    /// engine's bounds.
    pub(super) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, mark) in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), mark);
            }
        }
        let limit = text.len() + text.len() / 2 + 64;
        if out.len() > limit {
            let mut cut = limit;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(" … [truncated]");
        }
        out
    }

    /// Redacts every string inside `value`, keys included.
    pub(super) fn redact_value(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.redact(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_value(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    self.redact_value(&mut v);
                    map.insert(self.redact(&k), v);
                }
            }
            _ => {}
        }
    }
}

/// The invocation record of one call of `(tenant, log id, script)`: its
/// error and console lines with every secret value redacted.
pub(super) fn log_record(
    (tenant_id, func_id, script): (&str, &str, Option<&str>),
    outcome: &Outcome,
    request_id: &str,
    (is_async, attempt): (bool, u32),
    secrets: &Redactor,
) -> LogRecord {
    let mut error = outcome.error.clone();
    if let Some(e) = &mut error {
        e.message = secrets.redact(&e.message);
        e.stack = e.stack.as_deref().map(|s| secrets.redact(s));
        e.code = e.code.as_deref().map(|s| secrets.redact(s));
        // An error class's own fields (`user_id`, `friendlyMessage`, …) are
        // the script's values too.
        for value in e.fields.values_mut() {
            secrets.redact_value(value);
        }
    }
    let mut lines = outcome.logs.clone();
    for line in &mut lines {
        line.message = secrets.redact(&line.message);
    }
    let at_micros = hookbox_store::now_micros();
    LogRecord {
        id: String::new(),
        tenant_id: tenant_id.to_string(),
        func_id: func_id.to_string(),
        script: script.map(str::to_string),
        request_id: request_id.to_string(),
        at: hookbox_store::rfc3339(at_micros),
        at_micros,
        outcome: outcome.outcome.as_str().to_string(),
        duration_us: outcome.duration_us,
        is_async,
        attempt,
        version: None,
        error: error.as_ref().and_then(|e| serde_json::to_value(e).ok()),
        logs: serde_json::to_value(&lines).unwrap_or(Value::Null),
    }
}
