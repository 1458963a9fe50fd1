//! A real `hookbox serve` process on 127.0.0.1:0 with a temp data dir, and an
//! HTTP client for it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

/// The cluster key of the servers the suite starts on PostgreSQL (hex).
const SUITE_CLUSTER_KEY: &str = "9c1e5a3f7b0d2c4e6a8f1b3d5e7c9a0b2d4f6e8a1c3b5d7f9e0a2c4b6d8f1a3c";

/// Whether the suite runs on PostgreSQL (`HOOKBOX_TEST_DATABASE=postgres`,
/// as `make test`'s second pass does): every server it starts is then a
/// cluster-mode node on a database of a throwaway cluster, one database per
/// data dir, so a restart on the same dir finds its data.
pub fn on_postgres() -> bool {
    std::env::var("HOOKBOX_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn database_for(dir: &Path) -> String {
    let remembered = dir.join(".test-database-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return url;
    }
    let url = hookbox_pgtest::Cluster::shared().database();
    std::fs::write(&remembered, &url).expect("data dir writable");
    url
}

/// Everything in the PostgreSQL database of the server on `dir` (pg_dump).
pub fn database_dump(dir: &Path) -> String {
    let url = std::fs::read_to_string(dir.join(".test-database-url")).expect("a database");
    let db = url.rsplit('/').next().expect("a database name");
    hookbox_pgtest::Cluster::shared().dump(db).expect("pg_dump")
}

/// Ends a test that only means something on the embedded store (its files,
/// its key file) when the suite runs on PostgreSQL.
#[macro_export]
macro_rules! embedded_store_only {
    () => {
        if $crate::server_harness::on_postgres() {
            eprintln!("on the embedded store only: this run is on PostgreSQL");
            return;
        }
    };
}

pub struct Server {
    child: Option<Child>,
    pub base: String,
    /// The default tenant's key pair, printed on the first start only.
    pub default_key: Option<(String, String)>,
    client: reqwest::Client,
    /// Everything the server wrote to stderr so far (also passed through).
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts a server on a fresh temp data dir.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[])
    }

    pub fn start_with(dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookbox"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .env("HOOKBOX_ADMIN_KEY", ADMIN_KEY)
            .env("HOOKBOX_THREADS", "2")
            .env("HOOKBOX_RETRY_BASE_MS", "50")
            .env("HOOKBOX_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if on_postgres() && !env.iter().any(|(k, _)| *k == "HOOKBOX_DATABASE_URL") {
            cmd.env("HOOKBOX_DATABASE_URL", database_for(dir))
                .env("HOOKBOX_KEY", SUITE_CLUSTER_KEY);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("hookbox serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let pipe = child.stderr.take().expect("stderr piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                eprintln!("{line}");
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout piped");
        let mut lines = BufReader::new(stdout).lines();
        let (mut id, mut secret, mut base) = (None, None, None);
        let deadline = Instant::now() + Duration::from_secs(60);
        while base.is_none() {
            assert!(Instant::now() < deadline, "server did not start in time");
            let line = lines
                .next()
                .expect("server printed its address")
                .expect("stdout readable");
            if let Some(v) = line.trim().strip_prefix("accessKeyId:") {
                id = Some(v.trim().to_string());
            } else if let Some(v) = line.trim().strip_prefix("accessKeySecret:") {
                secret = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix("hookbox listening on ") {
                base = Some(v.trim().to_string());
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child: Some(child),
            base: base.unwrap(),
            default_key: id.zip(secret),
            client: reqwest::Client::new(),
            stderr,
        }
    }

    /// What the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then wait: a graceful stop.
    pub fn stop(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let status = child.wait().expect("server exits");
            assert!(status.success(), "graceful shutdown exits 0: {status:?}");
        }
    }

    /// SIGKILL: a crash.
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.raw(
            method,
            path,
            Some(token),
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        )
        .await
    }

    pub async fn token_for(&self, id: &str, secret: &str) -> String {
        let (status, body) = self
            .raw(
                Method::POST,
                "/api/v3/get-management-token",
                None,
                Some(
                    serde_json::to_vec(&json!({"accessKeyId": id, "accessKeySecret": secret}))
                        .unwrap(),
                ),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["access_token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// An admin token for the default tenant.
    pub async fn admin_token(&self) -> String {
        let (id, secret) = self
            .default_key
            .clone()
            .expect("first start printed a key pair");
        self.token_for(&id, &secret).await
    }

    pub async fn deploy(&self, token: &str, spec: Value) -> Value {
        let (status, body) = self
            .call(Method::POST, "/v1/functions", token, Some(spec))
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].clone()
    }

    /// Deploys one function and gives its id.
    pub async fn deploy_id(&self, token: &str, name: &str, scene: &str, source: &str) -> String {
        self.deploy(token, function(name, scene, source)).await["funcId"]
            .as_str()
            .expect("funcId")
            .to_string()
    }

    /// `POST /v1/functions/{id}/invoke` with `body`, which must answer 200;
    /// gives the answer's `data`.
    pub async fn invoke(&self, token: &str, id: &str, body: Value) -> Value {
        let path = format!("/v1/functions/{id}/invoke");
        let (status, answer) = self.call(Method::POST, &path, token, Some(body)).await;
        assert_eq!(status, 200, "{path}: {answer}");
        answer["data"].clone()
    }

    /// `GET /v1/functions/{id}/logs?{query}`, which must answer 200; gives the
    /// answer's `data` (`totalCount` and `list`).
    pub async fn logs(&self, token: &str, id: &str, query: &str) -> Value {
        let path = format!("/v1/functions/{id}/logs?{query}");
        let (status, answer) = self.call(Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{path}: {answer}");
        answer["data"].clone()
    }

    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A function spec with defaults filled in.
pub fn function(name: &str, scene: &str, source: &str) -> Value {
    json!({"funcName": name, "scene": scene, "sourceCode": source})
}

/// Polls `check` until it returns Some, for state that background tasks
/// produce (async jobs, log writes). Bounded; not a timing assertion.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
