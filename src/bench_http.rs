//! `hookbox bench --suite http`: a real `hookbox serve` child process on
//! loopback, driven through the public API.

use crate::bench::stats;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TRIVIAL_PIPE: &str =
    "async function pipe(user, context, callback) { callback(null, user, context); }";
const EMAIL_ALLOW_LIST: &str = include_str!("../examples/authing-email-whitelist.js");

/// A server child process and what it printed.
struct Child_ {
    child: Child,
    base: String,
    key: Option<(String, String)>,
}

impl Drop for Child_ {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start_server(data_dir: &std::path::Path) -> Result<Child_> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("HOOKBOX_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting hookbox serve")?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let (mut id, mut secret) = (None, None);
    loop {
        let Some(line) = lines.next() else {
            bail!("hookbox serve exited before listening")
        };
        let line = line?;
        let t = line.trim();
        if let Some(v) = t.strip_prefix("accessKeyId:") {
            id = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("accessKeySecret:") {
            secret = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("hookbox listening on ") {
            std::thread::spawn(move || for _ in lines {});
            return Ok(Child_ {
                child,
                base: v.to_string(),
                key: id.zip(secret),
            });
        }
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn connect(base: &str, key: &(String, String)) -> Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
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

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        Ok(self.post_timed(path, body).await?.0)
    }

    /// The answer and the server's own time for it (its Server-Timing header), in µs.
    async fn post_timed(&self, path: &str, body: &Value) -> Result<(Value, f64)> {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = resp.status();
        let server_us = resp
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("dur=").nth(1))
            .and_then(|ms| ms.parse::<f64>().ok())
            .map_or(0.0, |ms| ms * 1000.0);
        let body: Value = resp.json().await?;
        if status != 200 {
            bail!("{path}: {status} {body}");
        }
        Ok((body, server_us))
    }

    async fn deploy(&self, name: &str, scene: &str, source: &str) -> Result<String> {
        let f = self
            .post(
                "/v1/functions",
                &json!({"funcName": name, "scene": scene, "sourceCode": source}),
            )
            .await?;
        Ok(f["data"]["funcId"].as_str().context("funcId")?.to_string())
    }
}

struct Load {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    client_us: Vec<f64>,
    server_us: Vec<f64>,
}

/// `concurrency` tasks post `body` to `path` for `seconds`.
async fn load(api: &Arc<Api>, path: &str, body: &Value, concurrency: usize, seconds: u64) -> Load {
    // Warm up connections and caches.
    for _ in 0..concurrency.max(20) {
        let _ = api.post(path, body).await;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (api, path, body) = (api.clone(), path.to_string(), body.clone());
        tasks.push(tokio::spawn(async move {
            let (mut client_us, mut server_us, mut errors) = (Vec::new(), Vec::new(), 0);
            while Instant::now() < deadline {
                let t = Instant::now();
                match api.post_timed(&path, &body).await {
                    Ok((_, server)) => {
                        client_us.push(t.elapsed().as_secs_f64() * 1e6);
                        server_us.push(server);
                    }
                    Err(_) => errors += 1,
                }
            }
            (client_us, server_us, errors)
        }));
    }
    let mut out = Load {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        client_us: Vec::new(),
        server_us: Vec::new(),
    };
    for t in tasks {
        let (c, s, e) = t.await.expect("load task");
        out.client_us.extend(c);
        out.server_us.extend(s);
        out.errors += e;
    }
    out.elapsed = started.elapsed();
    out.requests = out.client_us.len();
    out
}

pub fn run(seconds: u64, cold_functions: usize) -> Result<()> {
    // The load generator gets its own threads; the server process has its own.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let server = start_server(dir.path())?;
        let key = server.key.clone().context("first start prints a key pair")?;
        let api = Arc::new(Api::connect(&server.base, &key).await?);

        api.deploy("allow-list", "PRE_REGISTER", EMAIL_ALLOW_LIST).await?;
        for n in 0..5 {
            api.deploy(&format!("step {n}"), "POST_AUTHENTICATION", TRIVIAL_PIPE).await?;
        }
        let body = json!({"user": {"email": "ada@example.com", "id": "u1"}, "context": {"ip": "203.0.113.7"}});
        println!();
        println!("POST /v1/scenes/{{scene}}/run over loopback, {seconds} s per row (µs per request)");
        println!(
            "{:<34} {:>6} {:>9} {:>8} {:>8} {:>8} {:>10} {:>7}",
            "scenario", "conc", "req/s", "p50", "p99", "max", "server p50", "errors"
        );
        for (label, scene) in [("1 function (email allow-list)", "PRE_REGISTER"), ("5 functions", "POST_AUTHENTICATION")] {
            for concurrency in [1, 32] {
                let path = format!("/v1/scenes/{scene}/run");
                let l = load(&api, &path, &body, concurrency, seconds).await;
                let c = stats(l.client_us);
                let s = stats(l.server_us);
                println!(
                    "{label:<34} {concurrency:>6} {:>9.0} {:>8.0} {:>8.0} {:>8.0} {:>10.0} {:>7}",
                    l.requests as f64 / l.elapsed.as_secs_f64(),
                    c.p50,
                    c.p99,
                    c.max,
                    s.p50,
                    l.errors
                );
            }
        }

        // Cold starts: N distinct functions, then a restart, then the first call of each.
        let mut ids = Vec::new();
        for n in 0..cold_functions {
            let source = format!("async function pipe(user, context, callback) {{ user.f{n} = true; callback(null, user, context); }}");
            ids.push(api.deploy(&format!("cold {n}"), "PRE_OIDC_ID_TOKEN_ISSUED", &source).await?);
        }
        // The first call of a freshly uploaded function (its artifact is cached at upload).
        let fresh = api.deploy("fresh", "PRE_OIDC_ACCESS_TOKEN_ISSUED", TRIVIAL_PIPE).await?;
        let t = Instant::now();
        let (_, fresh_server) = api.post_timed(&format!("/v1/functions/{fresh}/invoke"), &body).await?;
        let fresh_client = t.elapsed().as_secs_f64() * 1e6;
        drop(server);

        let server = start_server(dir.path())?;
        let api = Api::connect(&server.base, &key).await?;
        let (mut client_us, mut server_us, mut sandbox_us) = (Vec::new(), Vec::new(), Vec::new());
        for id in &ids {
            let t = Instant::now();
            let (v, server) = api.post_timed(&format!("/v1/functions/{id}/invoke"), &body).await?;
            client_us.push(t.elapsed().as_secs_f64() * 1e6);
            server_us.push(server);
            sandbox_us.push(v["data"]["durationUs"].as_f64().unwrap_or(0.0));
        }
        let c = stats(client_us);
        let s = stats(server_us);
        let sb = stats(sandbox_us);
        println!();
        println!("cold starts (µs): first call of a function");
        println!("{:<48} {:>8} {:>8} {:>8}", "scenario", "p50", "p99", "max");
        println!("{:<48} {:>8.0} {:>8} {:>8}", "freshly uploaded, client-side", fresh_client, "-", "-");
        println!("{:<48} {:>8.0} {:>8} {:>8}", "freshly uploaded, server-side", fresh_server, "-", "-");
        println!(
            "{:<48} {:>8.0} {:>8.0} {:>8.0}",
            format!("after restart, {} distinct functions, client-side", ids.len()),
            c.p50,
            c.p99,
            c.max
        );
        println!(
            "{:<48} {:>8.0} {:>8.0} {:>8.0}",
            "after restart, server-side (load + run)", s.p50, s.p99, s.max
        );
        println!(
            "{:<48} {:>8.0} {:>8.0} {:>8.0}",
            "after restart, sandbox only (durationUs)", sb.p50, sb.p99, sb.max
        );
        drop(server);
        Ok(())
    })
}
