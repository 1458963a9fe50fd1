//! The benchmark report: a table, JSON, and an SVG chart.

use crate::bench::Stats;
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize, Clone)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl From<Stats> for Latency {
    fn from(s: Stats) -> Self {
        Self {
            p50: s.p50,
            p90: s.p90,
            p99: s.p99,
            max: s.max,
            mean: s.mean,
        }
    }
}

/// One scenario against one target.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub scenario: String,
    pub target: String,
    pub concurrency: usize,
    pub requests: usize,
    pub errors: usize,
    pub throughput_per_s: f64,
    /// Client-side latency, µs.
    pub client_us: Option<Latency>,
    /// The server's own time (its Server-Timing `app` metric), µs.
    pub server_us: Option<Latency>,
    /// Of that, the time in the sandbox: instantiation and the guest's run
    /// (Server-Timing `sandbox`, the outcome's `durationUs`, summed over a
    /// scene's functions), µs. `None` where the server does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_us: Option<Latency>,
}

impl Row {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scenario: &str,
        target: &str,
        concurrency: usize,
        requests: usize,
        errors: usize,
        throughput_per_s: f64,
        client: Option<Stats>,
        server: Option<Stats>,
    ) -> Self {
        Self {
            scenario: scenario.to_string(),
            target: target.to_string(),
            concurrency,
            requests,
            errors,
            throughput_per_s,
            client_us: client.map(Latency::from),
            server_us: server.map(Latency::from),
            sandbox_us: None,
        }
    }
}

/// hookbox against the baseline on one scenario: how many times faster.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Ratio {
    pub scenario: String,
    pub concurrency: usize,
    pub p50: f64,
    pub p99: f64,
    /// The same ratio over the servers' own time (Server-Timing), p50: the
    /// sandbox models compared without the loopback HTTP both pay.
    pub server_p50: Option<f64>,
    pub throughput: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub date: String,
    pub machine: String,
    pub seconds_per_scenario: f64,
    pub rows: Vec<Row>,
    /// baseline ÷ hookbox for latency, hookbox ÷ baseline for throughput: > 1 means hookbox is ahead.
    pub ratios: Vec<Ratio>,
    /// A 1-byte TCP round trip between two threads over loopback, measured in
    /// the same run: the floor under every client-side figure.
    pub loopback_rtt_us: Option<Latency>,
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!(
        "{cores} cores, {cpu}, {mem_gib:.0} GiB, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

impl Report {
    pub fn new(rows: Vec<Row>, seconds: f64, loopback_rtt_us: Option<Stats>) -> Self {
        let loopback_rtt_us = loopback_rtt_us.map(Latency::from);
        let mut ratios = Vec::new();
        for h in rows.iter().filter(|r| r.target == "hookbox") {
            let Some(b) = rows.iter().find(|r| {
                r.target != "hookbox" && r.scenario == h.scenario && r.concurrency == h.concurrency
            }) else {
                continue;
            };
            let (Some(hc), Some(bc)) = (&h.client_us, &b.client_us) else {
                continue;
            };
            ratios.push(Ratio {
                scenario: h.scenario.clone(),
                concurrency: h.concurrency,
                p50: bc.p50 / hc.p50,
                p99: bc.p99 / hc.p99,
                server_p50: match (&h.server_us, &b.server_us) {
                    (Some(hs), Some(bs)) if hs.p50 > 0.0 => Some(bs.p50 / hs.p50),
                    _ => None,
                },
                throughput: h.throughput_per_s / b.throughput_per_s.max(1e-9),
            });
        }
        Self {
            date: hookbox_store::rfc3339(hookbox_store::now_micros()),
            machine: machine(),
            seconds_per_scenario: seconds,
            rows,
            ratios,
            loopback_rtt_us,
        }
    }

    pub fn print(&self) {
        println!("{} — {}", self.date, self.machine);
        if let Some(rtt) = &self.loopback_rtt_us {
            println!(
                "loopback TCP round trip, 1 byte between two threads: p50 {:.0} µs, p99 {:.0} µs (under every client-side figure)",
                rtt.p50, rtt.p99
            );
        }
        println!(
            "client-side latency in µs; server = the server's own time (Server-Timing) p50, sandbox = the part of it in the sandbox, p50"
        );
        println!(
            "{:<44} {:<8} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>6}",
            "scenario",
            "target",
            "conc",
            "req/s",
            "p50",
            "p90",
            "p99",
            "max",
            "server",
            "sandbox",
            "errors"
        );
        for r in &self.rows {
            let c = r.client_us.clone();
            let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
            println!(
                "{:<44} {:<8} {:>5} {:>9.0} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>6}",
                r.scenario,
                r.target,
                r.concurrency,
                r.throughput_per_s,
                f(c.as_ref().map(|c| c.p50)),
                f(c.as_ref().map(|c| c.p90)),
                f(c.as_ref().map(|c| c.p99)),
                f(c.as_ref().map(|c| c.max)),
                f(r.server_us.as_ref().map(|s| s.p50)),
                f(r.sandbox_us.as_ref().map(|s| s.p50)),
                r.errors
            );
        }
        if !self.ratios.is_empty() {
            println!();
            println!("hookbox vs node-vm (× faster; > 1 means hookbox is ahead)");
            println!(
                "{:<44} {:>5} {:>8} {:>8} {:>10} {:>10}",
                "scenario", "conc", "p50", "p99", "server p50", "throughput"
            );
            for r in &self.ratios {
                let server = r.server_p50.map_or("-".into(), |v| format!("{v:.1}×"));
                println!(
                    "{:<44} {:>5} {:>7.1}× {:>7.1}× {:>10} {:>9.1}×",
                    r.scenario, r.concurrency, r.p50, r.p99, server, r.throughput
                );
            }
        }
    }

    /// Two panels: p50/p99 per scenario for each target (log scale), and
    /// throughput against concurrency.
    pub fn svg(&self) -> String {
        let targets: Vec<&str> = {
            let mut t: Vec<&str> = self.rows.iter().map(|r| r.target.as_str()).collect();
            t.dedup();
            t
        };
        let colour = |t: &str| if t == "hookbox" { "#1f77b4" } else { "#ff7f0e" };
        let latency_rows: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.target == targets[0] && !r.scenario.starts_with("sweep"))
            .collect();
        let bar_h = 9.0;
        let group_h = bar_h * targets.len() as f64 + 10.0;
        let left = 330.0;
        let width = 980.0;
        let plot_w = width - left - 40.0;
        let top = 60.0;
        let panel1_h = latency_rows.len() as f64 * group_h;
        let panel2_top = top + panel1_h + 90.0;
        let panel2_h = 220.0;
        let height = panel2_top + panel2_h + 70.0;
        let (lo, hi) = (10f64.ln(), 1_000_000f64.ln());
        let x = |us: f64| left + (us.max(10.0).ln() - lo) / (hi - lo) * plot_w;

        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
        );
        let _ = write!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = write!(
            s,
            r##"<text x="20" y="22" font-size="15" font-weight="bold">hookbox vs Node vm (Webtask model): client-side latency, µs, log scale (bar = p50, whisker = p99)</text><text x="20" y="40" fill="#555">{} · {}</text>"##,
            self.date, self.machine
        );
        for decade in [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0] {
            let gx = x(decade);
            let label = match decade as u64 {
                10 => "10 µs".to_string(),
                100 => "100 µs".to_string(),
                1_000 => "1 ms".to_string(),
                10_000 => "10 ms".to_string(),
                100_000 => "100 ms".to_string(),
                _ => "1 s".to_string(),
            };
            let _ = write!(
                s,
                r##"<line x1="{gx:.1}" y1="{top}" x2="{gx:.1}" y2="{:.1}" stroke="#ddd"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{label}</text>"##,
                top + panel1_h,
                top + panel1_h + 14.0
            );
        }
        for (i, r) in latency_rows.iter().enumerate() {
            let gy = top + i as f64 * group_h;
            let label = if r.concurrency > 1 {
                format!("{} (c={})", r.scenario, r.concurrency)
            } else {
                r.scenario.clone()
            };
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 8.0,
                gy + group_h / 2.0,
                xml(&label)
            );
            for (j, t) in targets.iter().enumerate() {
                let Some(row) = self.rows.iter().find(|o| {
                    o.target == *t && o.scenario == r.scenario && o.concurrency == r.concurrency
                }) else {
                    continue;
                };
                let Some(c) = &row.client_us else { continue };
                let y = gy + j as f64 * bar_h;
                let _ = write!(
                    s,
                    r#"<rect x="{left}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2"/>"#,
                    (x(c.p50) - left).max(1.0),
                    bar_h - 2.0,
                    colour(t),
                    x(c.p50),
                    y + (bar_h - 2.0) / 2.0,
                    x(c.p99),
                    y + (bar_h - 2.0) / 2.0,
                    colour(t)
                );
            }
        }
        // Legend.
        for (j, t) in targets.iter().enumerate() {
            let lx = left + j as f64 * 120.0;
            let _ = write!(
                s,
                r#"<rect x="{lx}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                top + panel1_h + 24.0,
                colour(t),
                lx + 16.0,
                top + panel1_h + 34.0,
                t
            );
        }

        // Panel 2: throughput vs concurrency.
        let sweep: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.scenario.starts_with("sweep"))
            .collect();
        let max_tp = sweep.iter().map(|r| r.throughput_per_s).fold(1.0, f64::max) * 1.1;
        let concs = [1usize, 8, 32, 128];
        let px =
            |c: usize| left + concs.iter().position(|&k| k == c).unwrap_or(0) as f64 / 3.0 * plot_w;
        let py = |tp: f64| panel2_top + panel2_h - tp / max_tp * panel2_h;
        let _ = write!(
            s,
            r#"<text x="20" y="{:.1}" font-size="15" font-weight="bold">Throughput against concurrency (1-function scene run, requests/s)</text>"#,
            panel2_top - 20.0
        );
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#999"/>"##,
            panel2_top + panel2_h,
            left + plot_w,
            panel2_top + panel2_h
        );
        for k in 0..=4 {
            let tp = max_tp * k as f64 / 4.0;
            let _ = write!(
                s,
                r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#eee"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{tp:.0}</text>"##,
                py(tp),
                left + plot_w,
                py(tp),
                left - 8.0,
                py(tp) + 4.0
            );
        }
        for c in concs {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">c={c}</text>"##,
                px(c),
                panel2_top + panel2_h + 16.0
            );
        }
        for t in &targets {
            let points: Vec<String> = sweep
                .iter()
                .filter(|r| r.target == *t)
                .map(|r| format!("{:.1},{:.1}", px(r.concurrency), py(r.throughput_per_s)))
                .collect();
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>"#,
                points.join(" "),
                colour(t)
            );
            for r in sweep.iter().filter(|r| r.target == *t) {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"/><text x="{:.1}" y="{:.1}" fill="{}">{:.0}</text>"#,
                    px(r.concurrency),
                    py(r.throughput_per_s),
                    colour(t),
                    px(r.concurrency) + 6.0,
                    py(r.throughput_per_s) - 6.0,
                    colour(t),
                    r.throughput_per_s
                );
            }
        }
        s.push_str("</svg>\n");
        s
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
