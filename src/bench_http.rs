//! `hookbox bench --suite http`: the standard suite. A real `hookbox serve`
//! child process and the Node `vm` baseline (the Webtask model, same HTTP
//! shape) are driven through their public API by one load generator, in the
//! same run, on the same workloads.

use crate::bench::stats;
use crate::bench_report::{Report, Row};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workloads: the floor, and what real tenants run.
pub const WORKLOADS: &[(&str, &str, &str)] = &[
    (
        "trivial pipe",
        "PRE_REGISTER",
        "async function pipe(user, context, callback) { callback(null, user, context); }",
    ),
    (
        "email allow-list",
        "PRE_REGISTER",
        include_str!("../examples/authing-email-whitelist.js"),
    ),
    (
        "maintenance window",
        "PRE_REGISTER",
        include_str!("../examples/authing-maintenance-window.js"),
    ),
    (
        "claims rule",
        "PRE_OIDC_ID_TOKEN_ISSUED",
        include_str!("../examples/auth0-rule-add-claim.js"),
    ),
];

/// A neighbour that never ends on its own: it runs until its timeout.
const RUNAWAY: &str = "async function pipe(user, context, callback) { while (true) {} }";

/// The runaways' timeout in the neighbours scenario: short, so that a phase
/// ends soon after its measurement; each runaway is re-issued as soon as it
/// ends, so the number running stays the same throughout.
const RUNAWAY_TIMEOUT_S: u64 = 2;

/// Runaways beside the measured calls, per neighbours row.
const NEIGHBOURS: [usize; 3] = [0, 2, 6];

/// CPU-bound: fuel and epoch checks run on every loop edge.
const CPU_HEAVY: &str = "async function pipe(user, context, callback) {\n  let h = 0;\n  for (let i = 0; i < 300000; i++) h = (h * 31 + i) % 1000003;\n  user.h = h;\n  callback(null, user, context);\n}";

pub struct Options {
    pub seconds: f64,
    pub cold_functions: usize,
    pub url: Option<String>,
    pub key: Option<(String, String)>,
    pub out_dir: PathBuf,
    pub baseline: bool,
}

/// A server under test, started by us.
pub(crate) struct Proc {
    pub child: Child,
    pub base: String,
    pub key: Option<(String, String)>,
}

impl Drop for Proc {
    /// SIGTERM (a graceful stop), and SIGKILL if it has not exited in 10 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while matches!(self.child.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                eprintln!("server {} did not stop on SIGTERM; killing it", self.base);
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.wait();
    }
}

fn spawn(mut cmd: Command, ready: &str) -> Result<Proc> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let (mut id, mut secret) = (None, None);
    loop {
        let Some(line) = lines.next() else {
            bail!("the server exited before listening")
        };
        let line = line?;
        let t = line.trim();
        if let Some(v) = t.strip_prefix("accessKeyId:") {
            id = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("accessKeySecret:") {
            secret = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix(ready) {
            std::thread::spawn(move || for _ in lines {});
            return Ok(Proc {
                child,
                base: v.trim().to_string(),
                key: id.zip(secret),
            });
        }
    }
}

fn start_hookbox(data_dir: &Path) -> Result<Proc> {
    start_hookbox_with(data_dir, &[], &[])
}

/// `hookbox serve` (this executable) on a free port, with extra flags and
/// environment variables.
pub(crate) fn start_hookbox_with(
    data_dir: &Path,
    args: &[String],
    env: &[(&str, &str)],
) -> Result<Proc> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env("HOOKBOX_LOG", "error")
        .envs(env.iter().copied());
    spawn(cmd, "hookbox listening on ").context("starting hookbox serve")
}

fn baseline_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench/node-baseline/server.js")
}

fn start_node(data_file: &Path) -> Result<Proc> {
    let mut cmd = Command::new("node");
    cmd.arg(baseline_script()).arg("0").arg(data_file);
    spawn(cmd, "listening on ").context("starting the Node baseline (is node installed?)")
}

#[derive(Clone)]
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub async fn connect(base: &str, key: &(String, String)) -> Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(512)
            .build()?;
        let body: Value = client
            .post(format!("{base}/api/v3/get-management-token"))
            .json(&json!({"accessKeyId": key.0, "accessKeySecret": key.1}))
            .send()
            .await?
            .json()
            .await?;
        let token = body["data"]["access_token"]
            .as_str()
            .context("token")?
            .to_string();
        Ok(Self {
            client,
            base: base.to_string(),
            token,
        })
    }

    /// The answer and the server's own time for it (its Server-Timing), in µs.
    pub async fn post(&self, path: &str, body: &Value) -> Result<(Value, f64)> {
        let (bytes, timing) = self.send(path, serde_json::to_vec(body)?).await?;
        Ok((serde_json::from_slice(&bytes)?, timing.server_us))
    }

    /// A call under load: the body is serialised once by the caller, and of
    /// the answer only the outcome is read, so the load generator's own work
    /// stays small beside what it measures.
    pub async fn call(&self, path: &str, body: &[u8]) -> Result<Timing> {
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow)]
            data: Option<Data<'a>>,
        }
        #[derive(serde::Deserialize)]
        struct Data<'a> {
            #[serde(borrow)]
            outcome: Option<std::borrow::Cow<'a, str>>,
        }
        let (bytes, timing) = self.send(path, body.to_vec()).await?;
        let answer: Answer = serde_json::from_slice(&bytes)?;
        match answer.data.and_then(|d| d.outcome) {
            Some(outcome) if outcome != "ok" => bail!("{path}: outcome {outcome}"),
            _ => Ok(timing),
        }
    }

    /// Any request: an error unless it answers 200.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if status != 200 {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn send(&self, path: &str, body: Vec<u8>) -> Result<(Vec<u8>, Timing)> {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await?;
        let status = resp.status();
        let timing = Timing::from_header(
            resp.headers()
                .get("server-timing")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        );
        let bytes = resp.bytes().await?.to_vec();
        if status != 200 {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok((bytes, timing))
    }

    pub async fn deploy(&self, name: &str, scene: &str, source: &str) -> Result<String> {
        self.deploy_spec(&json!({"funcName": name, "scene": scene, "sourceCode": source}))
            .await
    }

    async fn deploy_spec(&self, spec: &Value) -> Result<String> {
        let (f, _) = self.post("/v1/functions", spec).await?;
        Ok(f["data"]["funcId"].as_str().context("funcId")?.to_string())
    }
}

/// A server's account of one request (its Server-Timing header), µs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timing {
    /// `app`: the whole request inside the server.
    pub server_us: f64,
    /// `sandbox`: the part spent instantiating and running guests, where the
    /// server reports it (hookbox does; the Node baseline does not).
    pub sandbox_us: Option<f64>,
}

impl Timing {
    /// Reads `app;dur=MS` and `sandbox;dur=MS` out of a Server-Timing value;
    /// a metric that is missing or malformed reads as 0 (`app`) or `None`.
    pub fn from_header(value: &str) -> Self {
        let metric = |name: &str| {
            value.split(',').find_map(|entry| {
                let mut parts = entry.trim().split(';');
                (parts.next()? == name).then_some(())?;
                parts.find_map(|p| p.trim().strip_prefix("dur=")?.parse::<f64>().ok())
            })
        };
        Self {
            server_us: metric("app").map_or(0.0, |ms| ms * 1000.0),
            sandbox_us: metric("sandbox").map(|ms| ms * 1000.0),
        }
    }
}

/// One scenario's measurements. Only calls that worked (HTTP 200 and
/// outcome `ok`) are latency samples; the others are counted in `errors`.
#[derive(Default)]
struct Samples {
    client_us: Vec<f64>,
    server_us: Vec<f64>,
    sandbox_us: Vec<f64>,
    errors: usize,
    /// What the first failed call said, so that a report with errors says why.
    first_error: Option<String>,
    elapsed: Duration,
}

impl Samples {
    /// Records one call that was sent at `sent`: its latencies if it
    /// worked, else one more error.
    fn record(&mut self, sent: Instant, result: Result<Timing>) {
        match result {
            Ok(timing) => {
                self.client_us.push(sent.elapsed().as_secs_f64() * 1e6);
                self.server_us.push(timing.server_us);
                self.sandbox_us.extend(timing.sandbox_us);
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }

    /// Says on the terminal why calls failed, if any did.
    fn report_errors(&self, progress: &indicatif::ProgressBar, target: &str, scenario: &str) {
        if let Some(e) = &self.first_error {
            progress.println(format!(
                "{target}: {scenario}: {} of {} calls failed; the first: {e}",
                self.errors,
                self.errors + self.client_us.len()
            ));
        }
    }
}

/// The first call of each function in `ids`, one after another, recorded
/// into `samples`.
async fn call_each(api: &Api, ids: &[String], samples: &mut Samples) {
    let body = serde_json::to_vec(&request_body()).expect("a JSON body");
    for id in ids {
        let sent = Instant::now();
        let result = api.call(&format!("/v1/functions/{id}/invoke"), &body).await;
        samples.record(sent, result);
    }
}

pub(crate) fn request_body() -> Value {
    json!({
        "user": {"id": "u1", "email": "ada@example.com", "app_metadata": {"roles": ["admin"]}},
        "context": {"ip": "203.0.113.7", "clientID": "app"}
    })
}

/// `concurrency` tasks post to `path` for `seconds`, after a warm-up.
async fn load(
    api: &Api,
    path: &str,
    concurrency: usize,
    seconds: f64,
    progress: &indicatif::ProgressBar,
) -> Samples {
    let body = serde_json::to_vec(&request_body()).expect("a JSON body");
    for _ in 0..concurrency.max(20) {
        let _ = api.call(path, &body).await;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (api, path, body) = (api.clone(), path.to_string(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Samples::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                out.record(sent, api.call(&path, &body).await);
            }
            out
        }));
    }
    let ticker = {
        let progress = progress.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(200)).await;
                progress.tick();
            }
        })
    };
    let mut out = Samples::default();
    for t in tasks {
        let task = t.await.expect("load task");
        out.client_us.extend(task.client_us);
        out.server_us.extend(task.server_us);
        out.sandbox_us.extend(task.sandbox_us);
        out.errors += task.errors;
    }
    ticker.abort();
    out.elapsed = started.elapsed();
    out
}

/// Trivial calls at concurrency 1 for `seconds`, beside `n` runaway calls
/// that are kept running throughout (each re-issued as soon as it times out).
async fn beside_runaways(
    api: &Api,
    path: &str,
    runaway: &str,
    n: usize,
    seconds: f64,
    progress: &indicatif::ProgressBar,
) -> Samples {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let body = serde_json::to_vec(&request_body()).expect("a JSON body");
    let mut runaways = Vec::new();
    for _ in 0..n {
        let (api, path, body, stop) = (
            api.clone(),
            format!("/v1/functions/{runaway}/invoke"),
            body.clone(),
            stop.clone(),
        );
        runaways.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Ends as a timeout, which `call` reports as an error.
                let _ = api.call(&path, &body).await;
            }
        }));
    }
    // Let every runaway start spinning before the first measured call.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let samples = load(api, path, 1, seconds, progress).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in runaways {
        let _ = r.await;
    }
    samples
}

fn row(scenario: &str, target: &str, concurrency: usize, s: Samples) -> Row {
    let requests = s.client_us.len();
    let throughput = requests as f64 / s.elapsed.as_secs_f64().max(1e-9);
    let (c, srv) = if requests == 0 {
        (None, None)
    } else {
        (Some(stats(s.client_us)), Some(stats(s.server_us)))
    };
    let mut row = Row::new(
        scenario,
        target,
        concurrency,
        requests,
        s.errors,
        throughput,
        c,
        srv,
    );
    // Only when every sample said it, so that the figure is of the same calls.
    if !s.sandbox_us.is_empty() && s.sandbox_us.len() == requests {
        row.sandbox_us = Some(stats(s.sandbox_us).into());
    }
    row
}

/// Every scenario against one target. `restart` restarts it (same data) for
/// the cold-after-restart scenario and returns the new base URL.
async fn suite(
    target: &str,
    api: Api,
    opts: &Options,
    progress: &indicatif::ProgressBar,
    restart: &mut dyn FnMut() -> Result<Option<String>>,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let s = opts.seconds;
    let mut ids = Vec::new();
    for (name, scene, source) in WORKLOADS {
        ids.push(api.deploy(name, scene, source).await?);
    }
    for ((name, _, _), id) in WORKLOADS.iter().zip(&ids) {
        progress.set_message(format!("{target}: warm {name}"));
        let samples = load(&api, &format!("/v1/functions/{id}/invoke"), 1, s, progress).await;
        rows.push(row(&format!("warm: {name}"), target, 1, samples));
        progress.inc(1);
    }
    for n in 0..5 {
        api.deploy(&format!("step {n}"), "POST_AUTHENTICATION", WORKLOADS[0].2)
            .await?;
    }
    for c in [1, 32] {
        progress.set_message(format!("{target}: 5-function scene, concurrency {c}"));
        let samples = load(&api, "/v1/scenes/POST_AUTHENTICATION/run", c, s, progress).await;
        rows.push(row("scene: 5 functions", target, c, samples));
        progress.inc(1);
    }
    let cpu = api
        .deploy("cpu", "PRE_COMPLETE_USER_INFO", CPU_HEAVY)
        .await?;
    progress.set_message(format!("{target}: cpu"));
    let samples = load(&api, &format!("/v1/functions/{cpu}/invoke"), 1, s, progress).await;
    rows.push(row("cpu: 300k-iteration loop", target, 1, samples));
    progress.inc(1);
    // The gateway's call: a scene of one function (the trivial pipe, the
    // floor), in a scene no other workload uses.
    api.deploy("sweep", "POST_REGISTER", WORKLOADS[0].2).await?;
    for c in [1, 8, 32, 128] {
        progress.set_message(format!("{target}: sweep, concurrency {c}"));
        let samples = load(&api, "/v1/scenes/POST_REGISTER/run", c, s, progress).await;
        rows.push(row("sweep: 1-function scene", target, c, samples));
        progress.inc(1);
    }

    // Neighbours: the trivial call of another function beside N runaways.
    let runaway = api
        .deploy_spec(&json!({
            "funcName": "runaway",
            "scene": "PRE_OIDC_ID_TOKEN_ISSUED",
            "sourceCode": RUNAWAY,
            "timeout": RUNAWAY_TIMEOUT_S,
        }))
        .await?;
    let trivial = format!("/v1/functions/{}/invoke", ids[0]);
    for n in NEIGHBOURS {
        progress.set_message(format!("{target}: beside {n} runaways"));
        let samples = beside_runaways(&api, &trivial, &runaway, n, s, progress).await;
        rows.push(row(
            &format!("neighbours: {n} runaways"),
            target,
            1,
            samples,
        ));
        progress.inc(1);
    }

    // Cold: the first call of a freshly uploaded function.
    progress.set_message(format!("{target}: cold, fresh uploads"));
    let mut samples = Samples::default();
    let started = Instant::now();
    for n in 0..50 {
        let source = format!(
            "async function pipe(user, context, callback) {{ user.fresh{n} = true; callback(null, user, context); }}"
        );
        let id = api
            .deploy(
                &format!("fresh {n}"),
                "PRE_OIDC_ACCESS_TOKEN_ISSUED",
                &source,
            )
            .await?;
        call_each(&api, &[id], &mut samples).await;
    }
    samples.elapsed = started.elapsed();
    let scenario = "cold: first call after upload";
    samples.report_errors(progress, target, scenario);
    rows.push(row(scenario, target, 1, samples));
    progress.inc(1);

    // Cold: the first call of each of N distinct functions after a restart.
    progress.set_message(format!("{target}: cold, after restart"));
    let mut cold = Vec::new();
    for n in 0..opts.cold_functions {
        let source = format!(
            "async function pipe(user, context, callback) {{ user.f{n} = true; callback(null, user, context); }}"
        );
        cold.push(
            api.deploy(&format!("cold {n}"), "PRE_AUTHENTICATION", &source)
                .await?,
        );
    }
    if let Some(base) = restart()? {
        let api = Api {
            base,
            ..api.clone()
        };
        let mut samples = Samples::default();
        let started = Instant::now();
        call_each(&api, &cold, &mut samples).await;
        samples.elapsed = started.elapsed();
        let scenario = format!("cold: first call after restart ({} functions)", cold.len());
        samples.report_errors(progress, target, &scenario);
        rows.push(row(&scenario, target, 1, samples));
    }
    progress.inc(1);
    Ok(rows)
}

/// A 1-byte ping-pong between two threads over loopback TCP (no delay): what
/// one request/response exchange costs before any HTTP or sandbox work. On a
/// VM it is mostly the cost of waking the other core.
fn loopback_rtt() -> Result<crate::bench::Stats> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut s, _) = listener.accept()?;
        s.set_nodelay(true)?;
        let mut b = [0u8; 1];
        while s.read(&mut b)? == 1 {
            s.write_all(&b)?;
        }
        Ok(())
    });
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    let mut b = [0u8; 1];
    let mut samples = Vec::with_capacity(20_000);
    for i in 0..21_000 {
        let t = Instant::now();
        s.write_all(&b)?;
        s.read_exact(&mut b)?;
        if i >= 1_000 {
            samples.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    drop(s);
    let _ = echo.join();
    Ok(stats(samples))
}

/// Scenario rows per target (for the progress bar).
const ROWS: u64 = 4 + 2 + 1 + 4 + NEIGHBOURS.len() as u64 + 2;

pub fn run(opts: Options) -> Result<()> {
    // One client thread: a request, its connection and its answer are handled
    // where they were sent, so the client adds no thread hand-offs (each costs
    // a cross-core wake-up) to the latencies it measures, on either target.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let targets = if opts.baseline { 2 } else { 1 };
        let progress = indicatif::ProgressBar::new(ROWS * targets);
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .expect("progress template"),
        );
        progress.enable_steady_tick(Duration::from_millis(200));
        let mut rows = Vec::new();

        // hookbox: our own server on a temp data dir, or the one at --url.
        let dir = tempfile::tempdir()?;
        let mut server = None;
        let (base, key) = match &opts.url {
            Some(url) => (
                url.clone(),
                opts.key
                    .clone()
                    .context("--url needs --key-id and --key-secret")?,
            ),
            None => {
                let p = start_hookbox(dir.path())?;
                let key = p.key.clone().context("first start prints a key pair")?;
                let base = p.base.clone();
                server = Some(p);
                (base, key)
            }
        };
        let api = Api::connect(&base, &key).await?;
        let own = opts.url.is_none();
        let data_dir = dir.path().to_path_buf();
        let mut restart = || -> Result<Option<String>> {
            if !own {
                return Ok(None);
            }
            drop(server.take());
            let p = start_hookbox(&data_dir)?;
            let base = p.base.clone();
            server = Some(p);
            Ok(Some(base))
        };
        rows.extend(suite("hookbox", api, &opts, &progress, &mut restart).await?);
        drop(server.take());

        if opts.baseline {
            let file = dir.path().join("node-functions.json");
            let mut node = Some(start_node(&file)?);
            let base = node.as_ref().expect("started").base.clone();
            let api = Api::connect(&base, &("baseline".into(), "baseline".into())).await?;
            let mut restart = || -> Result<Option<String>> {
                drop(node.take());
                let p = start_node(&file)?;
                let base = p.base.clone();
                node = Some(p);
                Ok(Some(base))
            };
            rows.extend(suite("node-vm", api, &opts, &progress, &mut restart).await?);
        }
        progress.finish_and_clear();

        let report = Report::new(rows, opts.seconds, Some(loopback_rtt()?));
        report.print();
        std::fs::create_dir_all(&opts.out_dir)?;
        let json_path = opts.out_dir.join("report.json");
        let svg_path = opts.out_dir.join("report.svg");
        std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
        std::fs::write(&svg_path, report.svg())?;
        println!("\nwrote {} and {}", json_path.display(), svg_path.display());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hookbox_engine::{Engine, EngineConfig};
    use hookbox_server::{AppState, Auth};
    use hookbox_service::{Service, ServiceConfig};
    use hookbox_store::{Role, Store};
    use std::sync::Arc;

    /// A real server in this process on 127.0.0.1:0 (a fresh store), and an
    /// admin key pair of its one tenant.
    async fn server() -> (String, (String, String), hookbox_service::Background) {
        let store = Store::open_temporary().unwrap();
        let mut config = EngineConfig::default();
        config
            .max_instances(8)
            .cache_dir(std::env::temp_dir().join("hookbox-bench-test-cache"));
        let engine = Engine::new(&config).unwrap();
        let service = Service::new(engine, store.clone(), ServiceConfig::default());
        let background = service.start();
        let tenant = store.create_tenant(Some("bench"), "Bench").unwrap();
        let (key, secret) = store.create_key(&tenant.id, Role::Admin).unwrap();
        let state = AppState {
            service,
            auth: Arc::new(Auth::new(&[9u8; 32], None)),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(hookbox_server::serve(
            listener,
            state,
            std::future::pending(),
        ));
        (base, (key.access_key_id, secret), background)
    }

    /// The cold scenarios' calls: one that works is a sample; a deny and a
    /// 404 are errors, with the first one's reason, and no latency of theirs
    /// is in the row.
    #[tokio::test]
    async fn failed_cold_calls_are_errors_not_samples() {
        let (base, key, _background) = server().await;
        let api = Api::connect(&base, &key).await.unwrap();
        let ok = api
            .deploy("ok", "PRE_REGISTER", WORKLOADS[0].2)
            .await
            .unwrap();
        let deny = api
            .deploy(
                "deny",
                "PRE_REGISTER",
                "async function pipe(u, c, cb) { cb(new Error('closed')); }",
            )
            .await
            .unwrap();
        let missing = "0123456789abcdef01234567".to_string();
        let mut samples = Samples::default();
        call_each(&api, &[ok.clone(), deny, missing, ok], &mut samples).await;
        assert_eq!(samples.client_us.len(), 2);
        assert_eq!(samples.server_us.len(), 2);
        // The server says how much of each call was the sandbox's.
        assert_eq!(samples.sandbox_us.len(), 2);
        for (sandbox, server) in samples.sandbox_us.iter().zip(&samples.server_us) {
            assert!(*sandbox > 0.0 && sandbox <= server, "{sandbox} of {server}");
        }
        assert_eq!(samples.errors, 2);
        let first = samples.first_error.clone().expect("a reason");
        assert!(first.contains("outcome error"), "{first}");
        let row = row("cold", "hookbox", 1, samples);
        assert_eq!((row.requests, row.errors), (2, 2));
        assert!(row.sandbox_us.is_some());
    }

    #[test]
    fn server_timing_is_read_by_metric_name() {
        let t = Timing::from_header("app;dur=0.250, sandbox;dur=0.125");
        assert_eq!((t.server_us, t.sandbox_us), (250.0, Some(125.0)));
        // Node's baseline says only `app`; order and spacing do not matter.
        let t = Timing::from_header("app;dur=1.5");
        assert_eq!((t.server_us, t.sandbox_us), (1500.0, None));
        let t = Timing::from_header("sandbox;desc=\"x\";dur=0.1,app;dur=0.2");
        assert_eq!((t.server_us, t.sandbox_us), (200.0, Some(100.0)));
        assert_eq!(Timing::from_header("garbage"), Timing::default());
    }
}
