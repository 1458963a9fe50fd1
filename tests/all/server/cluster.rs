//! Cluster mode: several `hookbox serve` nodes on one PostgreSQL database (a
//! throwaway cluster, see `hookbox-pgtest`), each with its own data dir.

use crate::server_harness::*;
use hookbox_pgtest::Cluster;
use reqwest::Method;
use serde_json::{Value, json};

/// The cluster key every node is given (hex, 32 bytes).
const KEY: &str = "4b1d0a5c9e3f7b2d6c8a0e4f1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c2a4e6f8b0d";

fn node(dir: &std::path::Path, url: &str) -> Server {
    Server::start_with(dir, &[("HOOKBOX_DATABASE_URL", url), ("HOOKBOX_KEY", KEY)])
}

/// Starts `hookbox serve` on the database at `url` with the cluster key
/// given as `key` says (`HOOKBOX_KEY` or `--key-file` from the environment
/// left out), and gives its stderr once it exits, which it must.
fn refused_start(url: &str, key: &[(&str, &std::ffi::OsStr)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_hookbox"));
    serve
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("HOOKBOX_DATABASE_URL", url)
        .env_remove("HOOKBOX_KEY")
        .env_remove("HOOKBOX_KEY_FILE");
    for (name, value) in key {
        match name.strip_prefix("--") {
            Some(_) => serve.arg(name).arg(value),
            None => serve.env(name, value),
        };
    }
    let out = serve.output().unwrap();
    assert!(!out.status.success(), "the node started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn run(server: &Server, token: &str) -> Value {
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/scenes/PRE_REGISTER/run",
            token,
            Some(json!({"user": {"tags": []}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"].clone()
}

/// Tags the user with `tag` and the env var `STAGE`.
fn tagger(tag: &str) -> String {
    format!(
        "function pipe(u, c, cb) {{ u.tags.push('{tag}:' + (process.env.STAGE || '-')); cb(null, u, c); }}"
    )
}

/// Waits until `server`'s scene run tags the user with exactly `want`.
async fn runs(server: &Server, token: &str, want: Value) {
    eventually(&format!("{} to run {want}", server.base), || async {
        let got = run(server, token).await;
        (got["user"]["tags"] == want).then_some(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_acknowledged_by_one_node_is_what_every_node_runs() {
    let url = Cluster::shared().database();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = node(dirs[0].path(), &url);
    let b = node(dirs[1].path(), &url);
    let c = node(dirs[2].path(), &url);
    // The first node made the default tenant; the others found it.
    assert!(b.default_key.is_none() && c.default_key.is_none());
    // A token from one node is good on every node (one cluster key).
    let token = a.admin_token().await;

    let first = a
        .deploy(&token, function("first", "PRE_REGISTER", &tagger("one")))
        .await;
    let first = first["funcId"].as_str().unwrap().to_string();
    for n in [&b, &c] {
        runs(n, &token, json!(["one:-"])).await;
    }
    // Each kind of change, made on A, reaches B and C.
    a.call(
        Method::PUT,
        "/v1/env/STAGE",
        &token,
        Some(json!({"value": "live"})),
    )
    .await;
    for n in [&b, &c] {
        runs(n, &token, json!(["one:live"])).await;
    }
    let (status, body) = a
        .call(
            Method::PATCH,
            &format!("/v1/functions/{first}"),
            &token,
            Some(json!({"sourceCode": tagger("two")})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for n in [&b, &c] {
        runs(n, &token, json!(["two:live"])).await;
    }
    let (status, body) = a
        .call(
            Method::POST,
            &format!("/v1/functions/{first}/rollback"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for n in [&b, &c] {
        runs(n, &token, json!(["one:live"])).await;
    }
    let second = a
        .deploy(&token, function("second", "PRE_REGISTER", &tagger("three")))
        .await;
    let second = second["funcId"].as_str().unwrap().to_string();
    for n in [&b, &c] {
        runs(n, &token, json!(["one:live", "three:live"])).await;
    }
    let (status, body) = b
        .call(
            Method::PUT,
            "/v1/scenes/PRE_REGISTER/order",
            &token,
            Some(json!({"order": [second, first]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for n in [&a, &c] {
        runs(n, &token, json!(["three:live", "one:live"])).await;
    }
    let (status, body) = c
        .call(
            Method::DELETE,
            &format!("/v1/functions/{second}"),
            &token,
            None,
        )
        .await;
    assert!(status.is_success(), "{body}");
    for n in [&a, &b] {
        runs(n, &token, json!(["one:live"])).await;
    }
    // The allow-list: a function's request is refused by it on B, then let
    // through once A adds the host (it then fails on DNS, `.invalid`).
    let probe = "async function pipe(u, c, cb) { try { await fetch('https://api.example.invalid/x'); u.seen = 'answered'; } catch (e) { u.seen = /allow-list/.test(e.message) ? 'refused' : 'let through'; } cb(null, u, c); }";
    let mut spec = function("probe", "POST_AUTHENTICATION", probe);
    spec["timeout"] = json!(10);
    a.deploy(&token, spec).await;
    let probe_run = |n: &Server| {
        let token = token.clone();
        let base = n.base.clone();
        async move {
            let body: Value = reqwest::Client::new()
                .post(format!("{base}/v1/scenes/POST_AUTHENTICATION/run"))
                .bearer_auth(&token)
                .json(&json!({"user": {}, "context": {}}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["data"]["user"]["seen"].clone()
        }
    };
    eventually("B to run the probe, refused", || async {
        (probe_run(&b).await == "refused").then_some(())
    })
    .await;
    let (status, body) = a
        .call(
            Method::PUT,
            "/v1/outbound",
            &token,
            Some(json!({"allow": ["api.example.invalid"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    eventually("B to follow the allow-list", || async {
        (probe_run(&b).await == "let through").then_some(())
    })
    .await;

    // The data lives in the database: a node started later serves it all.
    let d_dir = tempfile::tempdir().unwrap();
    let d = node(d_dir.path(), &url);
    assert_eq!(run(&d, &token).await["user"]["tags"], json!(["one:live"]));
}

#[test]
fn cluster_mode_refuses_to_start_without_the_cluster_key() {
    let stderr = refused_start(&Cluster::shared().database(), &[]);
    assert!(stderr.contains("needs the cluster key"), "{stderr}");
}

#[test]
fn a_key_file_of_16_bytes_in_hex_is_refused_as_16_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // What `openssl rand -hex 16 > hookbox.key` writes: 33 bytes of text.
    let file = dir.path().join("hookbox.key");
    std::fs::write(&file, format!("{}\n", &KEY[..32])).unwrap();
    let stderr = refused_start(
        &Cluster::shared().database(),
        &[("--key-file", file.as_os_str())],
    );
    assert!(
        stderr.contains("at least 32 random bytes (it holds 16)"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_stops_changes_but_not_calls_and_loses_no_log() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    // A cluster of its own: this test stops it.
    let own = hookbox_pgtest::Cluster::start().unwrap();
    let url = own.database();
    let dir = tempfile::tempdir().unwrap();
    let server = Arc::new(node(dir.path(), &url));
    let token = server.admin_token().await;
    let f = server
        .deploy(&token, function("tagger", "PRE_REGISTER", &tagger("one")))
        .await;
    let id = f["funcId"].as_str().unwrap().to_string();
    run(&server, &token).await;
    // A second node that only deployed a function: it holds the function
    // but not its tenant's env vars, so it cannot call it without the
    // database, and must not say it is ready then.
    // (It runs no async jobs: one would load that env.)
    let idle_dir = tempfile::tempdir().unwrap();
    let idle = Server::start_with(
        idle_dir.path(),
        &[
            ("HOOKBOX_DATABASE_URL", url.as_str()),
            ("HOOKBOX_KEY", KEY),
            ("HOOKBOX_WORKER", "false"),
        ],
    );
    idle.deploy(
        &token,
        function("deployed only", "PRE_COMPLETE_USER_INFO", &tagger("x")),
    )
    .await;

    // Scene runs, one after another, until told to stop.
    let (stop, ok, failed) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(1)),
        Arc::new(AtomicU64::new(0)),
    );
    let load = {
        let (server, token) = (server.clone(), token.clone());
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let (status, body) = server
                    .call(
                        Method::POST,
                        "/v1/scenes/PRE_REGISTER/run",
                        &token,
                        Some(json!({"user": {"tags": []}, "context": {}})),
                    )
                    .await;
                if status == 200 && body["data"]["user"]["tags"] == json!(["one:-"]) {
                    ok.fetch_add(1, Ordering::SeqCst);
                } else {
                    failed.fetch_add(1, Ordering::SeqCst);
                    eprintln!("a run failed: {status} {body}");
                }
            }
        })
    };

    // A scene with an async function: its job is queued in the database.
    let mut notify = function(
        "notify",
        "POST_REGISTER",
        "function pipe(u, c, cb) { cb(null, u, c); }",
    );
    notify["isAsynchronous"] = json!(true);
    let followed = || async {
        let metrics = server.metrics().await;
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("hookbox_changes_followed_total "))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let before = followed().await;
    let notify = server.deploy(&token, notify).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    // The node has followed its own change (dropping the tenant's cache)
    // before the scenes are loaded again for the outage.
    eventually("the node to follow the deploy", || async {
        (followed().await > before).then_some(())
    })
    .await;
    let post_register = || async {
        server
            .call(
                Method::POST,
                "/v1/scenes/POST_REGISTER/run",
                &token,
                Some(json!({"user": {}, "context": {}})),
            )
            .await
    };
    assert_eq!(post_register().await.0, 200);

    own.stop().unwrap();
    let health = eventually("/healthz to say the database is unreachable", || async {
        let (_, body) = server.raw(Method::GET, "/healthz", None, None).await;
        (body["database"] == "unreachable").then_some(body)
    })
    .await;
    assert_eq!(health["status"], "degraded", "{health}");
    let (status, ready) = server.raw(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        status, 200,
        "a node with cached functions can serve calls: {ready}"
    );
    assert!(health["cachedFunctions"].as_u64().unwrap() >= 2, "{health}");
    let idle_health = eventually("the idle node to see the outage", || async {
        let (_, body) = idle.raw(Method::GET, "/healthz", None, None).await;
        (body["database"] == "unreachable").then_some(body)
    })
    .await;
    assert_eq!(idle_health["cachedFunctions"], 0, "{idle_health}");
    let (status, ready) = idle.raw(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        status, 503,
        "a node that cannot call its one function without the database is not ready: {ready}"
    );
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/env/STAGE",
            &token,
            Some(json!({"value": "x"})),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("database is unreachable"),
        "{body}"
    );
    // A scene with an async function answers too: its job is held.
    let (status, body) = post_register().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["queued"], json!([notify]));
    // Held for a while under load (a bound for the outage, not a timing check).
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    own.restart().unwrap();
    eventually("/healthz to say the database is back", || async {
        let (_, body) = server.raw(Method::GET, "/healthz", None, None).await;
        (body["database"] == "ok").then_some(())
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "every run of the cached function answered"
    );
    let runs = ok.load(Ordering::SeqCst);
    assert!(runs > 10, "the load ran through the outage ({runs} runs)");
    // Every run's log, held through the outage, is written.
    eventually(&format!("{runs} logs"), || async {
        let logs = server.logs(&token, &id, "limit=1").await;
        (logs["totalCount"] == runs).then_some(())
    })
    .await;
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("hookbox_logs_dropped_unreachable_total 0"),
        "{metrics}"
    );
    let (status, body) = server
        .call(
            Method::PUT,
            "/v1/env/STAGE",
            &token,
            Some(json!({"value": "x"})),
        )
        .await;
    assert_eq!(status, 200, "management works again: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_fails_no_run() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    let url = Cluster::shared().database();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut nodes: Vec<Option<Server>> = dirs.iter().map(|d| Some(node(d.path(), &url))).collect();
    let token = nodes[0].as_ref().unwrap().admin_token().await;
    nodes[0]
        .as_ref()
        .unwrap()
        .deploy(&token, function("tagger", "PRE_REGISTER", &tagger("one")))
        .await;
    for n in nodes.iter().flatten() {
        runs(n, &token, json!(["one:-"])).await;
    }
    // Where the load balancer sends calls: every node's address, as it is now.
    let bases = Arc::new(Mutex::new(
        nodes
            .iter()
            .flatten()
            .map(|n| n.base.clone())
            .collect::<Vec<_>>(),
    ));
    let (stop, ok, failed) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let load = {
        let (bases, token) = (bases.clone(), token.clone());
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        tokio::spawn(async move {
            // A new connection per call, as a balancer's health-checked pool
            // would hand out: a refused one is retried on the next node.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            let mut next = 0usize;
            while !stop.load(Ordering::SeqCst) {
                let targets = bases.lock().unwrap().clone();
                let mut answered = false;
                for attempt in 0..targets.len() * 4 {
                    let base = &targets[(next + attempt) % targets.len()];
                    let sent = client
                        .post(format!("{base}/v1/scenes/PRE_REGISTER/run"))
                        .bearer_auth(&token)
                        .json(&json!({"user": {"tags": []}, "context": {}}))
                        .send()
                        .await;
                    match sent {
                        Err(e) if e.is_connect() => continue,
                        Err(e) => {
                            eprintln!("a run failed on {base}: {e:?}");
                            failed.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(answer) => {
                            let status = answer.status();
                            let body: Value = answer.json().await.unwrap_or(Value::Null);
                            if status == 200 && body["data"]["user"]["tags"] == json!(["one:-"]) {
                                ok.fetch_add(1, Ordering::SeqCst);
                            } else {
                                eprintln!("a run failed on {base}: {status} {body}");
                                failed.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                    answered = true;
                    break;
                }
                assert!(answered, "every node refused the call");
                next += 1;
            }
        })
    };
    for (i, dir) in dirs.iter().enumerate() {
        let before = ok.load(Ordering::SeqCst);
        nodes[i].take().unwrap().stop();
        let restarted = node(dir.path(), &url);
        runs(&restarted, &token, json!(["one:-"])).await;
        bases.lock().unwrap()[i] = restarted.base.clone();
        nodes[i] = Some(restarted);
        eventually("calls to go on after the restart", || async {
            (ok.load(Ordering::SeqCst) > before + 20).then_some(())
        })
        .await;
    }
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "no run failed during the rolling restart"
    );
    assert!(ok.load(Ordering::SeqCst) > 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_killed_node_is_finished_by_another() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    // The job's upstream: the first request never gets an answer (the node
    // running it is killed meanwhile); later ones do.
    let hits = Arc::new(AtomicU64::new(0));
    let app = {
        let hits = hits.clone();
        axum::Router::new().route(
            "/job",
            axum::routing::get(move || {
                let hits = hits.clone();
                async move {
                    if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                        std::future::pending::<()>().await;
                    }
                    "done"
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = Cluster::shared().database();
    let env = [
        ("HOOKBOX_DATABASE_URL", url.as_str()),
        ("HOOKBOX_KEY", KEY),
        ("HOOKBOX_OUTBOUND_ALLOW_PRIVATE", "loopback"),
        ("HOOKBOX_JOB_LEASE_GRACE_MS", "500"),
    ];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Server::start_with(dir_a.path(), &env);
    let token = a.admin_token().await;
    let (status, body) = a
        .call(
            Method::PUT,
            "/v1/outbound",
            &token,
            Some(json!({"allow": [format!("127.0.0.1:{port}")]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mut spec = function(
        "notify",
        "POST_REGISTER",
        &format!(
            "async function pipe(u, c, cb) {{ await fetch('http://127.0.0.1:{port}/job'); cb(null, u, c); }}"
        ),
    );
    spec["isAsynchronous"] = json!(true);
    spec["timeout"] = json!(2);
    let id = a.deploy(&token, spec).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, out) = a
        .call(
            Method::POST,
            "/v1/scenes/POST_REGISTER/run",
            &token,
            Some(json!({"user": {}, "context": {}})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["data"]["queued"], json!([id]));
    // A holds the job (its request is in flight): kill it.
    eventually("node A to start the job", || async {
        (hits.load(Ordering::SeqCst) == 1).then_some(())
    })
    .await;
    a.kill();
    // B, started afterwards, runs it once A's lease is over.
    let b = Server::start_with(dir_b.path(), &env);
    let logs = eventually("the job to be finished by node B", || async {
        let logs = b.logs(&token, &id, "limit=10").await;
        (logs["list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["outcome"] == "ok"))
        .then_some(logs)
    })
    .await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "run again once, by B: {logs}"
    );
    eventually("the queue to be empty", || async {
        b.metrics()
            .await
            .contains("hookbox_queue_depth 0")
            .then_some(())
    })
    .await;
}

#[test]
fn nodes_started_together_on_an_empty_database_all_start() {
    let url = Cluster::shared().database();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let nodes: Vec<Server> = std::thread::scope(|scope| {
        let started: Vec<_> = dirs
            .iter()
            .map(|d| scope.spawn(|| node(d.path(), &url)))
            .collect();
        started.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let keys = nodes.iter().filter(|n| n.default_key.is_some()).count();
    assert_eq!(keys, 1, "one node made the default tenant");
}

#[test]
fn a_node_given_another_cluster_key_refuses_to_start() {
    let url = Cluster::shared().database();
    let first = tempfile::tempdir().unwrap();
    node(first.path(), &url).stop();
    let other = "11".repeat(32);
    let stderr = refused_start(&url, &[("HOOKBOX_KEY", other.as_ref())]);
    assert!(
        stderr.contains("not the one the database was first used with"),
        "{stderr}"
    );
}
