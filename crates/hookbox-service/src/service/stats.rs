//! A function's last hour, from its stored logs: calls, errors and
//! percentiles per minute (`GET /v1/functions/{id}/stats`, the console's
//! Stats tab).

use hookbox_store::LogPoint;
use serde::Serialize;

/// How far back [`super::Service::stats`] looks, in seconds.
pub const STATS_WINDOW_SECONDS: u64 = 3_600;
/// The width of one of [`FunctionStats`]' buckets, in seconds.
pub const STATS_BUCKET_SECONDS: u64 = 60;
/// The most logs [`super::Service::stats`] reads.
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
        let current = 1_699_999_980; // a minute's start (a multiple of 60)
        let now = (current + 30) * 1_000_000;
        let minute = current - 60; // the minute before the current one
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
        assert!(
            s.buckets[..58]
                .iter()
                .all(|b| b.calls == 0 && b.p50_us.is_none())
        );
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
