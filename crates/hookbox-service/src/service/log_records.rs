//! Invocation log records: building them, redacting secrets, queueing and reading them.

use super::*;
use serde::Serialize;

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

/// How far back [`Service::stats`] looks, in seconds.
pub const STATS_WINDOW_SECONDS: u64 = 3_600;
/// The width of one of [`FunctionStats`]' buckets, in seconds.
pub const STATS_BUCKET_SECONDS: u64 = 60;
/// The most logs [`Service::stats`] reads.
pub const MAX_STATS_POINTS: usize = 50_000;

/// `GET /v1/functions/{id}/stats`: the last hour of a function's calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionStats {
    /// [`STATS_WINDOW_SECONDS`].
    pub window_seconds: u64,
    /// [`STATS_BUCKET_SECONDS`].
    pub bucket_seconds: u64,
    /// Oldest first, 60 of them; the last one holds the current minute.
    pub buckets: Vec<StatsBucket>,
    /// Calls and errors over the whole window.
    pub calls: u64,
    pub errors: u64,
    /// Percentiles of the whole window (nearest rank), in microseconds;
    /// absent without calls.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// How many logs were read, and whether older ones in the window were
    /// left out (more than [`MAX_STATS_POINTS`]).
    pub sampled: usize,
    pub truncated: bool,
}

/// One minute of [`FunctionStats`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsBucket {
    /// Unix seconds at the bucket's start.
    pub start: u64,
    pub calls: u64,
    pub errors: u64,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
}

/// The nearest-rank percentile `p` (0–100) of sorted `values`.
fn percentile(sorted: &[u64], p: u64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

impl FunctionStats {
    /// Buckets `points` (newest first, at most one more than
    /// [`MAX_STATS_POINTS`]) into the hour ending at `now_micros`.
    pub fn from_points(mut points: Vec<LogPoint>, now_micros: u64) -> Self {
        let truncated = points.len() > MAX_STATS_POINTS;
        points.truncate(MAX_STATS_POINTS);
        let buckets_n = (STATS_WINDOW_SECONDS / STATS_BUCKET_SECONDS) as usize;
        let now_s = now_micros / 1_000_000;
        let last_start = now_s - now_s % STATS_BUCKET_SECONDS;
        let first_start = last_start - (buckets_n as u64 - 1) * STATS_BUCKET_SECONDS;
        let mut durations: Vec<Vec<u64>> = vec![Vec::new(); buckets_n];
        let mut errors = vec![0u64; buckets_n];
        for p in &points {
            let s = p.at_micros / 1_000_000;
            if s < first_start {
                continue;
            }
            let i = (((s - first_start) / STATS_BUCKET_SECONDS) as usize).min(buckets_n - 1);
            durations[i].push(p.duration_us);
            if p.outcome != "ok" {
                errors[i] += 1;
            }
        }
        let mut all: Vec<u64> = durations.iter().flatten().copied().collect();
        all.sort_unstable();
        let buckets = durations
            .into_iter()
            .zip(errors)
            .enumerate()
            .map(|(i, (mut d, errors))| {
                d.sort_unstable();
                StatsBucket {
                    start: first_start + i as u64 * STATS_BUCKET_SECONDS,
                    calls: d.len() as u64,
                    errors,
                    p50_us: percentile(&d, 50),
                    p99_us: percentile(&d, 99),
                }
            })
            .collect::<Vec<_>>();
        Self {
            window_seconds: STATS_WINDOW_SECONDS,
            bucket_seconds: STATS_BUCKET_SECONDS,
            calls: all.len() as u64,
            errors: buckets.iter().map(|b| b.errors).sum(),
            p50_us: percentile(&all, 50),
            p99_us: percentile(&all, 99),
            buckets,
            sampled: points.len(),
            truncated,
        }
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    fn point(at_s: u64, outcome: &str, duration_us: u64) -> LogPoint {
        LogPoint {
            at_micros: at_s * 1_000_000 + 123,
            outcome: outcome.into(),
            duration_us,
        }
    }

    #[test]
    fn stats_bucket_by_minute_with_nearest_rank_percentiles() {
        let now = 1_700_000_030 * 1_000_000; // 30 s into a minute
        let minute = 1_700_000_030 - 30 - 60; // the minute before the current one
        let mut points: Vec<LogPoint> = (1..=100).map(|d| point(minute + 5, "ok", d)).collect();
        points.push(point(minute + 61, "timeout", 5_000));
        points.push(point(minute - 3_600, "ok", 1)); // outside the hour
        points.reverse();
        let s = FunctionStats::from_points(points, now);
        assert_eq!(s.buckets.len(), 60);
        let last = &s.buckets[59];
        assert_eq!((last.calls, last.errors, last.p50_us), (1, 1, Some(5_000)));
        let before = &s.buckets[58];
        assert_eq!(before.start, minute);
        assert_eq!((before.calls, before.errors), (100, 0));
        assert_eq!((before.p50_us, before.p99_us), (Some(50), Some(99)));
        assert_eq!((s.calls, s.errors), (101, 1));
        assert_eq!(s.p99_us, Some(100));
        assert!(s.buckets[..58].iter().all(|b| b.calls == 0 && b.p50_us.is_none()));
        assert!(!s.truncated);
    }

    #[test]
    fn stats_say_when_they_read_only_the_newest() {
        let now = 1_700_000_000 * 1_000_000;
        let points = vec![point(1_700_000_000 - 10, "ok", 7); MAX_STATS_POINTS + 1];
        let s = FunctionStats::from_points(points, now);
        assert!(s.truncated);
        assert_eq!(s.sampled, MAX_STATS_POINTS);
        assert_eq!(s.calls, MAX_STATS_POINTS as u64);
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
