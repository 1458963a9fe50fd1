//! `hookbox bench --suite cluster --database-url URL`: cluster mode beside the
//! embedded store, in one run. Real `hookbox serve` processes: one on a temp
//! data dir (sled), two cluster nodes on the database at URL.
//!
//! - warm scene runs (a one-function scene, one client) on sled and on a
//!   cluster node, `--seconds` each, in ten alternating rounds so that drift on
//!   the machine (other tenants of a VM's host, CPU frequency) reaches both;
//! - deploy-to-visible: `--deploys` updates made on node A, each timed from
//!   A's acknowledgement until node B's first call that runs it (B is called
//!   back to back);
//! - the first call after a restart: `--cold-functions` functions in the
//!   database, node B restarted, then each called once.

use crate::bench::stats;
use crate::bench_http::{Api, Proc, request_body, start_hookbox_with};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TRIVIAL_PIPE: &str =
    "async function pipe(user, context, callback) { callback(null, user, context); }";

pub struct Options {
    pub database_url: String,
    pub seconds: f64,
    pub cold_functions: usize,
    pub deploys: usize,
    pub out_dir: PathBuf,
}

/// A scenario's latencies, in µs.
#[derive(serde::Serialize)]
struct Line {
    scenario: String,
    target: String,
    samples: usize,
    p50_us: f64,
    p99_us: f64,
    server_p50_us: Option<f64>,
    server_p99_us: Option<f64>,
}

fn line(scenario: &str, target: &str, client: Vec<f64>, server: Option<Vec<f64>>) -> Line {
    let n = client.len();
    let c = stats(client);
    let s = server.map(stats);
    Line {
        scenario: scenario.into(),
        target: target.into(),
        samples: n,
        p50_us: c.p50,
        p99_us: c.p99,
        server_p50_us: s.as_ref().map(|s| s.p50),
        server_p99_us: s.as_ref().map(|s| s.p99),
    }
}

fn node(dir: &std::path::Path, env: &[(&str, &str)]) -> Result<Proc> {
    start_hookbox_with(dir, &[], env)
}

/// A tenant of its own on the cluster (the database may hold others).
async fn tenant(base: &str, admin_key: &str) -> Result<(String, String)> {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/v1/tenants"))
        .bearer_auth(admin_key)
        .json(&json!({"name": "bench"}))
        .send()
        .await?
        .json()
        .await?;
    let id = body["data"]["accessKeyId"]
        .as_str()
        .context("accessKeyId")?;
    let secret = body["data"]["accessKeySecret"]
        .as_str()
        .context("accessKeySecret")?;
    Ok((id.to_string(), secret.to_string()))
}

/// Client and server latencies (µs) of sequential calls.
#[derive(Default)]
struct Samples {
    client: Vec<f64>,
    server: Vec<f64>,
}

/// Rounds in which the warm comparison alternates between its targets.
const WARM_ROUNDS: u32 = 10;

/// Sequential calls of `path` on each of `apis`, `seconds` in all per target,
/// in [`WARM_ROUNDS`] alternating rounds after 200 warm-up calls each.
async fn warm(apis: &[&Api], path: &str, seconds: f64) -> Result<Vec<Samples>> {
    let body = serde_json::to_vec(&request_body())?;
    for api in apis {
        for _ in 0..200 {
            api.call(path, &body).await?;
        }
    }
    let mut samples: Vec<Samples> = apis.iter().map(|_| Samples::default()).collect();
    let round = Duration::from_secs_f64(seconds / f64::from(WARM_ROUNDS));
    for _ in 0..WARM_ROUNDS {
        for (api, samples) in apis.iter().zip(&mut samples) {
            let end = Instant::now() + round;
            while Instant::now() < end {
                let sent = Instant::now();
                samples.server.push(api.call(path, &body).await?.server_us);
                samples.client.push(sent.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    Ok(samples)
}

/// `user.v = n`.
fn versioned(n: usize) -> String {
    format!("function pipe(u, c, cb) {{ u.v = {n}; cb(null, u, c); }}")
}

pub fn run(opts: Options) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let cluster_key = hex::encode(rand::random::<[u8; 32]>());
        let admin_key = hex::encode(rand::random::<[u8; 16]>());
        let cluster_env = [
            ("HOOKBOX_DATABASE_URL", opts.database_url.as_str()),
            ("HOOKBOX_KEY", cluster_key.as_str()),
            ("HOOKBOX_ADMIN_KEY", admin_key.as_str()),
        ];
        let dirs: Vec<_> = (0..3)
            .map(|_| tempfile::tempdir())
            .collect::<Result<_, _>>()?;
        let sled = node(dirs[0].path(), &[])?;
        let a = node(dirs[1].path(), &cluster_env).context("starting cluster node A")?;
        let mut b = node(dirs[2].path(), &cluster_env).context("starting cluster node B")?;
        let sled_api = Api::connect(&sled.base, sled.key.as_ref().context("sled key")?).await?;
        let key = tenant(&a.base, &admin_key).await?;
        let api_a = Api::connect(&a.base, &key).await?;
        let mut lines = Vec::new();

        // Warm scene runs: the same one-function scene on both.
        println!("warm scene runs, {} s each…", opts.seconds);
        let path = "/v1/scenes/POST_REGISTER/run";
        sled_api
            .deploy("warm", "POST_REGISTER", TRIVIAL_PIPE)
            .await?;
        api_a.deploy("warm", "POST_REGISTER", TRIVIAL_PIPE).await?;
        let api_b = Api::connect(&b.base, &key).await?;
        let [on_sled, on_node]: [Samples; 2] = warm(&[&sled_api, &api_b], path, opts.seconds)
            .await?
            .try_into()
            .map_err(|_| anyhow::anyhow!("two targets"))?;
        lines.push(line(
            "warm scene run",
            "sled",
            on_sled.client,
            Some(on_sled.server),
        ));
        lines.push(line(
            "warm scene run",
            "cluster node",
            on_node.client,
            Some(on_node.server),
        ));

        // Deploy to visible on another node.
        println!(
            "{} deploys on node A, each until node B runs it…",
            opts.deploys
        );
        let (f, _) = api_a
            .post(
                "/v1/functions",
                &json!({"funcName": "moving", "scene": "PRE_REGISTER", "sourceCode": versioned(0)}),
            )
            .await?;
        let id = f["data"]["funcId"].as_str().context("funcId")?.to_string();
        let invoke = format!("/v1/functions/{id}/invoke");
        let mut visible = Vec::new();
        for n in 1..=opts.deploys {
            api_a
                .request(
                    reqwest::Method::PATCH,
                    &format!("/v1/functions/{id}"),
                    Some(&json!({"sourceCode": versioned(n)})),
                )
                .await?;
            let acked = Instant::now();
            loop {
                let (answer, _) = api_b.post(&invoke, &request_body()).await?;
                if answer["data"]["user"]["v"] == n {
                    break;
                }
                if acked.elapsed() > Duration::from_secs(30) {
                    bail!("node B did not run deploy {n} within 30 s");
                }
            }
            visible.push(acked.elapsed().as_secs_f64() * 1e6);
        }
        lines.push(line(
            "deploy to visible on another node",
            "cluster",
            visible,
            None,
        ));

        // The first call after a restart, each function loaded from the database.
        println!("{} functions, then node B restarted…", opts.cold_functions);
        let mut ids = Vec::with_capacity(opts.cold_functions);
        for n in 0..opts.cold_functions {
            ids.push(
                api_a
                    .deploy(&format!("cold {n}"), "PRE_COMPLETE_USER_INFO", TRIVIAL_PIPE)
                    .await?,
            );
        }
        drop(b);
        b = node(dirs[2].path(), &cluster_env).context("restarting node B")?;
        let api_b = Api::connect(&b.base, &key).await?;
        let body = serde_json::to_vec(&request_body())?;
        let (mut client, mut server) = (Vec::new(), Vec::new());
        for id in &ids {
            let sent = Instant::now();
            server.push(
                api_b
                    .call(&format!("/v1/functions/{id}/invoke"), &body)
                    .await?
                    .server_us,
            );
            client.push(sent.elapsed().as_secs_f64() * 1e6);
        }
        lines.push(line(
            "first call after a restart",
            "cluster node",
            client,
            Some(server),
        ));
        drop((a, b, sled));

        println!(
            "\n{:<36} {:<14} {:>8} {:>11} {:>11} {:>12} {:>12}",
            "scenario", "target", "samples", "p50 µs", "p99 µs", "server p50", "server p99"
        );
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        for l in &lines {
            println!(
                "{:<36} {:<14} {:>8} {:>11.0} {:>11.0} {:>12} {:>12}",
                l.scenario,
                l.target,
                l.samples,
                l.p50_us,
                l.p99_us,
                opt(l.server_p50_us),
                opt(l.server_p99_us)
            );
        }
        let (sled, node) = (&lines[0], &lines[1]);
        println!(
            "\nwarm scene run, cluster node against sled: p50 {:+.1}%, p99 {:+.1}%",
            (node.p50_us / sled.p50_us - 1.0) * 100.0,
            (node.p99_us / sled.p99_us - 1.0) * 100.0
        );
        std::fs::create_dir_all(&opts.out_dir)?;
        let path = opts.out_dir.join("cluster.json");
        std::fs::write(&path, serde_json::to_string_pretty(&lines)?)?;
        println!("wrote {}", path.display());
        Ok(())
    })
}
