//! `hookbox bench`: latency distributions measured in-process.

use anyhow::{Context, Result};
use hookbox_engine::{Engine, EngineConfig, Input, Limits};
use serde_json::json;
use std::time::Instant;

const TRIVIAL_PIPE: &str =
    "async function pipe(user, context, callback) { callback(null, user, context); }";

/// Most in-process calls per variant: their samples (8 bytes each) stay in
/// memory, and at ~100 µs a call this is already minutes per variant.
const MAX_ITERATIONS: u64 = 10_000_000;
/// Longest HTTP load scenario: an hour (there are 13 per target).
const MAX_SECONDS: f64 = 3600.0;
/// Most functions for the cold-after-restart scenario: each is deployed
/// (compiled and stored) first, one after another.
const MAX_COLD_FUNCTIONS: u64 = 10_000;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// What to measure.
    #[arg(long, value_enum, default_value = "all")]
    suite: Suite,
    /// In-process calls per engine variant (1–10,000,000).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=MAX_ITERATIONS))]
    iterations: u64,
    /// Seconds per HTTP load scenario; for the soak, its whole duration (more
    /// than 0, at most 3600).
    #[arg(long, default_value_t = 5.0, value_parser = parse_seconds)]
    seconds: f64,
    /// Soak: concurrent requests throughout.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Soak: tenants the load is spread over.
    #[arg(long, default_value_t = 4)]
    tenants: usize,
    /// Soak: the server's per-tenant log cap (`serve --log-max-mb`), small so
    /// that the data dir reaches it within the run.
    #[arg(long, default_value_t = 16)]
    log_max_mb: u64,
    /// Soak: the server's page cache (`serve --store-cache-mb`).
    #[arg(long, default_value_t = hookbox_store::DEFAULT_CACHE_MB)]
    store_cache_mb: u64,
    /// Soak: memory and disk samples over the run, first and last included.
    #[arg(long, default_value_t = 13)]
    samples: usize,
    /// Distinct functions for the cold-start-after-restart scenario (more than
    /// any cache holds warm: each is loaded from the store on its first call;
    /// 1–10,000).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=MAX_COLD_FUNCTIONS))]
    cold_functions: u64,
    /// Benchmark a running hookbox instead of starting one (no restart
    /// scenario). It deploys its workloads (a `while (true)` runaway among
    /// them) into the key's tenant, in its scenes, and leaves them there; the
    /// scene rows also run whatever the tenant already had in those scenes.
    /// Point it at a tenant of its own, never one that serves logins.
    #[arg(long, requires_all = ["key_id", "key_secret"])]
    url: Option<String>,
    #[arg(long, env = "HOOKBOX_ACCESS_KEY_ID")]
    key_id: Option<String>,
    #[arg(long, env = "HOOKBOX_ACCESS_KEY_SECRET", hide_env_values = true)]
    key_secret: Option<String>,
    /// Cluster suite: the PostgreSQL database its cluster nodes share (an
    /// empty one, or one whose data may stay: it adds a tenant of its own).
    #[arg(long, env = "HOOKBOX_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Cluster suite: updates timed from one node's acknowledgement until
    /// another node runs them.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    deploys: u64,
    /// Skip the Node `vm` baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Where report.json and report.svg go.
    #[arg(long, default_value = "target/bench")]
    out: std::path::PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Suite {
    /// The engine in-process: latency of a trivial invoke per variant.
    Engine,
    /// A real `hookbox serve` and the Node `vm` baseline over loopback.
    Http,
    /// Engine and HTTP.
    All,
    /// Minutes of mixed load against a real `hookbox serve`: its resident
    /// memory and data dir over time (not part of `all`).
    Soak,
    /// Cluster mode beside sled: warm scene runs, deploy-to-visible on
    /// another node, the first call after a restart (needs
    /// `--database-url`; not part of `all`).
    Cluster,
}

/// `--seconds`: a finite duration above zero, up to [`MAX_SECONDS`] (a
/// `Duration` cannot hold NaN, infinity or a negative value).
fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(format!(
            "{text} is out of range: more than 0 and at most {MAX_SECONDS} seconds"
        ));
    }
    Ok(seconds)
}

pub(crate) struct Stats {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Percentiles of `samples`, which must not be empty: a scenario with no
/// successful call reports no latency instead.
pub(crate) fn stats(mut samples: Vec<f64>) -> Stats {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats {
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: *samples.last().expect("samples"),
        mean: samples.iter().sum::<f64>() / samples.len() as f64,
    }
}

pub fn run(args: BenchArgs) -> Result<()> {
    if args.suite == Suite::Soak {
        anyhow::ensure!(
            args.url.is_none(),
            "the soak starts its own server (no --url)"
        );
        return crate::bench_soak::run(crate::bench_soak::Options {
            seconds: args.seconds,
            concurrency: args.concurrency,
            tenants: args.tenants,
            log_max_mb: args.log_max_mb,
            store_cache_mb: args.store_cache_mb,
            samples: args.samples,
            out_dir: args.out.clone(),
        });
    }
    if args.suite == Suite::Cluster {
        return crate::bench_cluster::run(crate::bench_cluster::Options {
            database_url: args
                .database_url
                .clone()
                .context("the cluster suite needs --database-url (or HOOKBOX_DATABASE_URL)")?,
            seconds: args.seconds,
            cold_functions: args.cold_functions as usize,
            deploys: args.deploys as usize,
            out_dir: args.out.clone(),
        });
    }
    if matches!(args.suite, Suite::Engine | Suite::All) {
        engine(&args)?;
    }
    if matches!(args.suite, Suite::Http | Suite::All) {
        crate::bench_http::run(crate::bench_http::Options {
            seconds: args.seconds,
            cold_functions: args.cold_functions as usize,
            url: args.url.clone(),
            key: args.key_id.clone().zip(args.key_secret.clone()),
            out_dir: args.out.clone(),
            baseline: !args.no_baseline,
        })?;
    }
    Ok(())
}

fn engine(args: &BenchArgs) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let input = Input {
        user: json!({"id": "u1", "email": "ada@example.com"}),
        context: json!({"ip": "10.0.0.1"}),
        ..Input::default()
    };
    let limits = Limits::default();
    println!(
        "trivial pipe, in-process, {} calls per variant (µs per call)",
        args.iterations
    );
    println!(
        "{:<36} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "variant", "p50", "p90", "p99", "max", "mean"
    );
    // The last variant pauses before each call, as a server at concurrency 1
    // does between requests: the core idles and its caches go cold.
    let idle = std::time::Duration::from_micros(300);
    for (name, pooling, metering, pause) in [
        ("pooling+cow, metered", true, true, None),
        ("on-demand, metered", false, true, None),
        ("pooling+cow, unmetered", true, false, None),
        ("pooling+cow, metered, 300 µs idle", true, true, Some(idle)),
    ] {
        let mut config = EngineConfig::default();
        config
            .pooling(pooling)
            .metering(metering)
            .max_instances(16)
            .cache_dir(crate::default_cache_dir());
        let engine = Engine::new(&config)?;
        let artifact = rt.block_on(engine.compile(TRIVIAL_PIPE))?;
        for _ in 0..args.iterations.min(1000) {
            rt.block_on(engine.invoke_settled(&artifact, &input, &limits))?;
        }
        let mut samples = Vec::with_capacity(args.iterations as usize);
        for _ in 0..args.iterations {
            if let Some(pause) = pause {
                std::thread::sleep(pause);
            }
            let started = Instant::now();
            let out = rt.block_on(engine.invoke_settled(&artifact, &input, &limits))?;
            samples.push(started.elapsed().as_secs_f64() * 1e6);
            anyhow::ensure!(out.is_ok(), "benchmark call failed: {:?}", out.error);
        }
        let s = stats(samples);
        println!(
            "{name:<36} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            s.p50, s.p90, s.p99, s.max, s.mean
        );
    }
    surface(args, &rt, &input, &limits)
}

/// The Node surface in-process (pooling+cow, metered) beside Node 20 running
/// the same code in a loop, in the same run.
fn surface(
    args: &BenchArgs,
    rt: &tokio::runtime::Runtime,
    input: &Input,
    limits: &Limits,
) -> Result<()> {
    let iterations = args.iterations.min(1000);
    let calls = crate::bench_surface::calls()?;
    let node: Option<serde_json::Value> = if args.no_baseline {
        None
    } else {
        let out = std::process::Command::new("node")
            .args(["-e", &crate::bench_surface::node_script(&calls, iterations)])
            .output();
        match out {
            Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout).ok(),
            Ok(o) => {
                eprintln!(
                    "node baseline failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                None
            }
            Err(e) => {
                eprintln!("node baseline unavailable: {e}");
                None
            }
        }
    };
    println!();
    println!(
        "Node surface, in-process (pooling+cow, metered), {iterations} calls each (µs per call), beside Node 20 in a loop"
    );
    println!(
        "{:<40} {:>9} {:>9} {:>11} {:>10} {:>10}",
        "call", "p50", "p99", "fuel", "node p50", "node p99"
    );
    let mut config = EngineConfig::default();
    config
        .max_instances(16)
        .cache_dir(crate::default_cache_dir());
    let engine = Engine::new(&config)?;
    for call in &calls {
        let artifact = rt.block_on(crate::bench_surface::compile(&engine, call))?;
        let mut fuel = 0;
        for _ in 0..iterations.min(100) {
            let out = rt.block_on(engine.invoke_settled(&artifact, input, limits))?;
            anyhow::ensure!(out.is_ok(), "{}: {:?}", call.name, out.error);
            fuel = out.fuel_used;
        }
        let mut samples = Vec::with_capacity(iterations as usize);
        for _ in 0..iterations {
            let started = Instant::now();
            let out = rt.block_on(engine.invoke_settled(&artifact, input, limits))?;
            samples.push(started.elapsed().as_secs_f64() * 1e6);
            anyhow::ensure!(out.is_ok(), "{}: {:?}", call.name, out.error);
        }
        let s = stats(samples);
        let theirs = node
            .as_ref()
            .and_then(|n| n.get(call.name))
            .and_then(|v| Some((v[0].as_f64()?, v[1].as_f64()?)));
        let (np50, np99) = theirs
            .map(|(a, b)| (format!("{a:.1}"), format!("{b:.1}")))
            .unwrap_or(("—".into(), "—".into()));
        println!(
            "{:<40} {:>9.1} {:>9.1} {:>11} {:>10} {:>10}",
            call.name, s.p50, s.p99, fuel, np50, np99
        );
    }
    Ok(())
}
