//! `hookbox bench --suite soak`: sustained mixed load against a `hookbox serve`
//! this process starts, with the server's resident memory and its data dir's
//! size sampled over time, to show that both level off.
//!
//! The load, at a fixed concurrency, over several tenants: warm invocations of
//! the standard workloads, 5-function scene runs, log reads, dry runs, env
//! writes and function updates. Every call writes an invocation log, so the
//! data dir grows until each tenant reaches its log cap (`--log-max-mb`,
//! small here so that the plateau comes within minutes).

use crate::bench_http::{Api, WORKLOADS, request_body, start_hookbox_with};
use anyhow::{Context, Result, bail};
use reqwest::Method;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Options {
    pub seconds: f64,
    pub concurrency: usize,
    pub tenants: usize,
    pub log_max_mb: u64,
    pub store_cache_mb: u64,
    pub samples: usize,
    pub out_dir: PathBuf,
}

/// The server's admin key for this run: only it creates the extra tenants.
const ADMIN_KEY: &str = "soak-admin-key-0123456789abcdef";
/// Functions in each tenant's scene pipeline.
const SCENE_STEPS: usize = 5;

/// One kind of request, and its share of the load (out of 100).
#[derive(Clone, Copy, Debug)]
enum Op {
    Invoke,
    Scene,
    ReadLogs,
    DryRun,
    SetEnv,
    Update,
}

const MIX: &[(Op, u32)] = &[
    (Op::Invoke, 62),
    (Op::Scene, 25),
    (Op::ReadLogs, 5),
    (Op::DryRun, 4),
    (Op::SetEnv, 2),
    (Op::Update, 2),
];

/// What one tenant has deployed.
struct Tenant {
    api: Api,
    functions: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sample {
    seconds: f64,
    requests: u64,
    errors: u64,
    rss_mb: f64,
    data_dir_mb: f64,
    logs_dropped: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SoakReport {
    machine: String,
    seconds: f64,
    concurrency: usize,
    tenants: usize,
    log_max_mb: u64,
    store_cache_mb: u64,
    samples: Vec<Sample>,
}

pub fn run(opts: Options) -> Result<()> {
    if opts.concurrency == 0 || opts.tenants == 0 || opts.samples < 2 || opts.seconds <= 0.0 {
        bail!("the soak needs a concurrency, tenants, at least 2 samples and a duration");
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(soak(opts))
}

async fn soak(opts: Options) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_path_buf();
    let server = start_hookbox_with(
        &data_dir,
        &[
            "--log-max-mb".into(),
            opts.log_max_mb.to_string(),
            "--store-cache-mb".into(),
            opts.store_cache_mb.to_string(),
        ],
        &[("HOOKBOX_ADMIN_KEY", ADMIN_KEY)],
    )?;
    let pid = server.child.id();
    let key = server
        .key
        .clone()
        .context("first start prints a key pair")?;
    let mut tenants = vec![setup(Api::connect(&server.base, &key).await?).await?];
    for n in 1..opts.tenants {
        let created: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/v1/tenants", server.base))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"name": format!("soak {n}")}))
            .send()
            .await?
            .json()
            .await?;
        let key = (
            created["data"]["accessKeyId"]
                .as_str()
                .context("a new tenant's key")?
                .to_string(),
            created["data"]["accessKeySecret"]
                .as_str()
                .context("a new tenant's secret")?
                .to_string(),
        );
        tenants.push(setup(Api::connect(&server.base, &key).await?).await?);
    }
    let tenants = Arc::new(tenants);

    println!(
        "soak: {:.0} s of mixed load at concurrency {} over {} tenants; log cap {} MiB per tenant; store cache {} MiB",
        opts.seconds, opts.concurrency, opts.tenants, opts.log_max_mb, opts.store_cache_mb
    );
    println!(
        "{:>8} {:>10} {:>8} {:>7} {:>9} {:>13} {:>13}",
        "time s", "requests", "req/s", "errors", "RSS MB", "data dir MB", "logs dropped"
    );
    let requests = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(opts.seconds);
    let mut workers = Vec::new();
    for n in 0..opts.concurrency {
        let (tenants, requests, errors) = (tenants.clone(), requests.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            let mut step = n as u64;
            while Instant::now() < deadline {
                step += 1;
                match one(&tenants, step).await {
                    Ok(()) => requests.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("soak: {e:#}");
                        }
                        requests.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        }));
    }

    let metrics_url = format!("{}/metrics", server.base);
    let interval = Duration::from_secs_f64(opts.seconds / (opts.samples - 1) as f64);
    let mut samples = Vec::new();
    let mut last = (0.0, 0);
    for i in 0..opts.samples {
        if i > 0 {
            tokio::time::sleep_until((started + interval * i as u32).into()).await;
        }
        let seconds = started.elapsed().as_secs_f64();
        let done = requests.load(Ordering::Relaxed);
        let sample = Sample {
            seconds,
            requests: done,
            errors: errors.load(Ordering::Relaxed),
            rss_mb: rss_mb(pid)?,
            data_dir_mb: disk_bytes(&data_dir)? as f64 / 1e6,
            logs_dropped: logs_dropped(&metrics_url).await.unwrap_or(0),
        };
        let rate = (done - last.1) as f64 / (seconds - last.0).max(1e-9);
        last = (seconds, done);
        println!(
            "{:>8.0} {:>10} {:>8.0} {:>7} {:>9.0} {:>13.1} {:>13}",
            sample.seconds,
            sample.requests,
            if i == 0 { 0.0 } else { rate },
            sample.errors,
            sample.rss_mb,
            sample.data_dir_mb,
            sample.logs_dropped
        );
        samples.push(sample);
    }
    for w in workers {
        w.await?;
    }
    drop(server);

    let half = samples.len() / 2;
    let (first, mid, end) = (&samples[0], &samples[half], &samples[samples.len() - 1]);
    println!(
        "\nRSS: {:.0} MB at the start, {:+.0} MB by the middle, {:+.0} MB in the second half (peak {:.0} MB)",
        first.rss_mb,
        mid.rss_mb - first.rss_mb,
        end.rss_mb - mid.rss_mb,
        samples.iter().map(|s| s.rss_mb).fold(0.0, f64::max)
    );
    println!(
        "data dir: {:.1} MB at the start, {:+.1} MB by the middle, {:+.1} MB in the second half",
        first.data_dir_mb,
        mid.data_dir_mb - first.data_dir_mb,
        end.data_dir_mb - mid.data_dir_mb
    );
    println!(
        "{} requests, {} errors, {:.0} req/s",
        end.requests,
        end.errors,
        end.requests as f64 / end.seconds.max(1e-9)
    );
    let report = SoakReport {
        machine: crate::bench_report::machine(),
        seconds: opts.seconds,
        concurrency: opts.concurrency,
        tenants: opts.tenants,
        log_max_mb: opts.log_max_mb,
        store_cache_mb: opts.store_cache_mb,
        samples,
    };
    std::fs::create_dir_all(&opts.out_dir)?;
    let path = opts.out_dir.join("soak.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Deploys a tenant's functions: the standard workloads, a scene of
/// [`SCENE_STEPS`] functions, and an env var they read.
async fn setup(api: Api) -> Result<Tenant> {
    let mut functions = Vec::new();
    for (name, scene, source) in WORKLOADS {
        functions.push(api.deploy(name, scene, source).await?);
    }
    for n in 0..SCENE_STEPS {
        api.deploy(&format!("step {n}"), "POST_AUTHENTICATION", WORKLOADS[0].2)
            .await?;
    }
    api.request(
        Method::PUT,
        "/v1/env/ALLOWED_DOMAINS",
        Some(&json!({"value": "example.com"})),
    )
    .await?;
    Ok(Tenant { api, functions })
}

/// One request of the mix; `step` spreads them over tenants and functions.
async fn one(tenants: &[Tenant], step: u64) -> Result<()> {
    let tenant = &tenants[rand::random_range(0..tenants.len())];
    let func = &tenant.functions[step as usize % tenant.functions.len()];
    let api = &tenant.api;
    let body = request_body();
    match pick() {
        Op::Invoke => {
            api.post(&format!("/v1/functions/{func}/invoke"), &body)
                .await?;
        }
        Op::Scene => {
            api.post("/v1/scenes/POST_AUTHENTICATION/run", &body)
                .await?;
        }
        Op::ReadLogs => {
            api.request(
                Method::GET,
                &format!("/v1/functions/{func}/logs?limit=10"),
                None,
            )
            .await?;
        }
        Op::DryRun => {
            let source =
                format!("async function pipe(u, c, cb) {{ u.step = {step}; cb(null, u, c); }}");
            api.post(
                "/v1/run",
                &json!({"sourceCode": source, "user": {}, "context": {}}),
            )
            .await?;
        }
        Op::SetEnv => {
            api.request(
                Method::PUT,
                "/v1/env/SOAK_STEP",
                Some(&json!({"value": step.to_string()})),
            )
            .await?;
        }
        Op::Update => {
            // The trivial pipe, with a comment that makes each version new.
            let source = format!("{}\n// version {step}", WORKLOADS[0].2);
            let first = &tenant.functions[0];
            api.request(
                Method::PATCH,
                &format!("/v1/functions/{first}"),
                Some(&json!({"sourceCode": source})),
            )
            .await?;
        }
    }
    Ok(())
}

fn pick() -> Op {
    let mut roll = rand::random_range(0..MIX.iter().map(|(_, w)| w).sum::<u32>());
    for (op, weight) in MIX {
        if roll < *weight {
            return *op;
        }
        roll -= weight;
    }
    Op::Invoke
}

/// The process's resident set, from `/proc` (Linux).
fn rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("reading the server's /proc status (the soak needs Linux)")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS in /proc status")?;
    Ok(kb / 1000.0)
}

/// Disk space the files under `dir` take (allocated blocks, not lengths:
/// sled's files are sparse).
fn disk_bytes(dir: &Path) -> Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            disk_bytes(&entry.path())?
        } else {
            meta.blocks() * 512
        };
    }
    Ok(total)
}

/// `hookbox_invocation_logs_dropped_total`, summed over tenants.
async fn logs_dropped(url: &str) -> Result<u64> {
    let text = reqwest::get(url).await?.text().await?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with("hookbox_invocation_logs_dropped_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64)
}
