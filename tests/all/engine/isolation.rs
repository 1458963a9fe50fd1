//! Nothing survives a call, nothing of the host is visible, and runaways do
//! not hold up well-behaved calls.

use crate::common::*;
use hookbox_engine::{Input, Limits, OutcomeKind};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn globals_do_not_survive_between_calls() {
    let artifact = compile(
        "globalThis.count = (globalThis.count || 0) + 1;\nvar seen = typeof seenBefore !== 'undefined';\nglobalThis.seenBefore = true;\nexports.handler = () => ({ count: globalThis.count, seen });",
    )
    .await;
    for _ in 0..3 {
        let out = engine()
            .invoke(&artifact, &Input::default(), &Limits::default())
            .await
            .unwrap();
        assert_eq!(out.result, json!({"count": 1, "seen": false}));
    }
}

#[tokio::test]
async fn no_filesystem_network_or_host_environment() {
    let out = run(
        r#"exports.handler = () => {
  const tried = (name) => { try { require(name); return "loaded"; } catch (e) { return "refused"; } };
  return {
    process: typeof process, fetch: typeof fetch, xhr: typeof XMLHttpRequest, std: typeof std, os: typeof os,
    fs: tried("fs"), child: tried("child_process"), net: tried("net"), http: tried("http"),
    env: Object.keys(env).length + Object.keys(process.env).length,
    exit: (() => { try { process.exit(1); return "exited"; } catch (e) { return e.message; } })(),
  };
};"#,
        &Input::default(),
    )
    .await;
    assert_eq!(
        out.result,
        json!({
            // fetch exists, but an engine given no outbound refuses every
            // request (engine::outbound; the service supplies the rules).
            "process": "object", "fetch": "function", "xhr": "undefined", "std": "undefined", "os": "undefined",
            "fs": "refused", "child": "refused", "net": "refused", "http": "refused", "env": 0,
            "exit": "hookbox: process.exit is not available to functions"
        })
    );
}

#[tokio::test]
async fn date_and_math_random_work_and_differ_per_call() {
    let artifact = compile("exports.handler = () => ({ now: Date.now(), iso: new Date().toISOString(), r: Math.random() });").await;
    let a = engine()
        .invoke(&artifact, &Input::default(), &Limits::default())
        .await
        .unwrap();
    let b = engine()
        .invoke(&artifact, &Input::default(), &Limits::default())
        .await
        .unwrap();
    let host_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    let guest_now = a.result["now"].as_f64().unwrap();
    assert!(
        (guest_now - host_now).abs() < 60_000.0,
        "guest clock {guest_now} vs host {host_now}"
    );
    assert!(a.result["iso"].as_str().unwrap().ends_with('Z'));
    let (ra, rb) = (
        a.result["r"].as_f64().unwrap(),
        b.result["r"].as_f64().unwrap(),
    );
    assert!((0.0..1.0).contains(&ra));
    assert_ne!(ra, rb, "each instance must seed its own randomness");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaways_do_not_hold_up_well_behaved_calls() {
    let engine = engine();
    let runaway = compile("function pipe(u, c, cb) { for (;;) {} }").await;
    let normal = compile("function pipe(u, c, cb) { u.n = u.n * 2; cb(null, u, c); }").await;
    // Long enough that only a stalled machine (not a slow one) could let a
    // runaway time out before 100 short calls are done.
    let mut runaway_limits = Limits::default();
    runaway_limits.timeout(Duration::from_secs(5)).unwrap();

    // Completion order, not time: every normal call must finish while the
    // runaways (more of them than there are worker threads) still spin.
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (engine, artifact, order) = (engine.clone(), runaway.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let out = engine
                .invoke(&artifact, &Input::default(), &runaway_limits)
                .await
                .unwrap();
            assert_eq!(out.outcome, OutcomeKind::Timeout);
            order.lock().unwrap().push("runaway");
        }));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    for n in 0..100 {
        let (engine, artifact, order) = (engine.clone(), normal.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let out = engine
                .invoke(
                    &artifact,
                    &input(json!({ "n": n }), json!({})),
                    &Limits::default(),
                )
                .await
                .unwrap();
            assert_eq!(out.user["n"], n * 2);
            order.lock().unwrap().push("normal");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let order = order.lock().unwrap();
    let first_runaway = order.iter().position(|s| *s == "runaway").unwrap();
    assert_eq!(
        first_runaway, 100,
        "normal calls finished after a runaway: {order:?}"
    );
}

/// A call that has burnt LONG_CALL_FUEL moves to the long-call pool, whose
/// threads run at the lowest CPU priority; a trivial call never does.
#[tokio::test]
async fn long_calls_move_to_a_low_priority_pool() {
    let engine = build_engine(|_| {});
    let trivial = compile("function pipe(u, c, cb) { cb(null, u, c); }").await;
    for _ in 0..20 {
        let out = engine
            .invoke(&trivial, &Input::default(), &Limits::default())
            .await
            .unwrap();
        assert!(out.is_ok());
        assert!(out.fuel_used < hookbox_engine::LONG_CALL_FUEL);
    }
    assert_eq!(engine.long_calls(), 0);

    // Burns more than LONG_CALL_FUEL, then answers normally.
    let heavy = compile(
        "exports.handler = () => { let x = 0; for (let i = 0; i < 3e6; i++) x += i % 7; return x; };",
    )
    .await;
    // The longest timeout: the pool is decided by fuel, and a loaded
    // machine must not turn this into a timeout.
    let mut patient = Limits::default();
    patient.timeout(Duration::from_secs(60)).unwrap();
    let out = engine
        .invoke(&heavy, &Input::default(), &patient)
        .await
        .unwrap();
    assert!(out.is_ok(), "{out:?}");
    assert!(
        out.fuel_used > hookbox_engine::LONG_CALL_FUEL,
        "{}",
        out.fuel_used
    );
    assert_eq!(
        out.result,
        json!((0..3_000_000u64).map(|i| i % 7).sum::<u64>())
    );
    assert_eq!(engine.long_calls(), 1);

    // The pool's threads are niced (Linux: /proc/self/task/*/stat).
    let mut niced = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = task.unwrap().path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() != "hookbox-long-ca" {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap();
        // Field 19 is the nice value; fields after the `(comm)` are plain.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        assert_eq!(fields[16], "19", "{stat}");
        niced += 1;
    }
    assert!(niced >= 1, "no long-call thread found");
}

#[tokio::test]
async fn artifacts_round_trip_and_stale_ones_are_refused() {
    let artifact = compile("exports.handler = () => 'hi';").await;
    let wasm = artifact.to_wasm();
    let back = hookbox_engine::Artifact::from_wasm(&wasm).unwrap();
    assert_eq!(back, artifact);
    assert_eq!(back.plugin(), engine().plugin_hash());
    let out = engine()
        .invoke(&back, &Input::default(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(out.result, json!("hi"));

    // Same bytecode, recorded as built by another plugin: refused, never run.
    let hash = engine().plugin_hash().as_bytes().to_vec();
    let mut forged = wasm.clone();
    let at = forged
        .windows(hash.len())
        .position(|w| w == hash)
        .expect("hash recorded");
    forged[at..at + hash.len()].fill(b'0');
    let forged = hookbox_engine::Artifact::from_wasm(&forged).unwrap();
    let err = engine()
        .invoke(&forged, &Input::default(), &Limits::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, hookbox_engine::InvokeError::StaleArtifact { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn warm_up_runs_one_metered_call_and_leaves_the_pool_whole() {
    // A pool of one: a warm-up that kept its slot would hang the next call.
    let engine = build_engine(|c| {
        c.max_instances(1);
    });
    let out = engine.warm_up().await.unwrap();
    assert!(out.is_ok(), "{out:?}");
    assert!(out.fuel_used > 0, "the warm-up ran metered guest code");
    let artifact = engine.compile("exports.handler = () => 42;").await.unwrap();
    let out = engine
        .invoke(&artifact, &Input::default(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(out.result, json!(42));
}

/// Calls reserve their memory cap from the engine's budget before they start:
/// while one call holds the whole budget, another waits for it to finish
/// instead of taking more memory than the operator allowed.
#[tokio::test]
async fn calls_wait_for_the_memory_budget() {
    let budget = hookbox_engine::MAX_MEMORY_MB;
    let engine = build_engine(|c| {
        c.memory_budget_mb(budget);
    });
    let spin = engine
        .compile("function pipe(u, c, cb) { while (true) {} }")
        .await
        .unwrap();
    let quick = engine
        .compile("function pipe(u, c, cb) { cb(null, u, c); }")
        .await
        .unwrap();
    let mut big = limits_secs(1);
    big.memory_mb(budget).unwrap();
    let first = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.invoke(&spin, &Input::default(), &big).await })
    };
    crate::server_harness::eventually("the first call to hold the budget", || async {
        (engine.memory_budget_left_mb() == 0).then_some(())
    })
    .await;
    let second = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .invoke(&quick, &Input::default(), &Limits::default())
                .await
        })
    };
    crate::server_harness::eventually("the second call to wait for memory", || async {
        (engine.memory_waiters() == 1).then_some(())
    })
    .await;
    assert_eq!(first.await.unwrap().unwrap().outcome, OutcomeKind::Timeout);
    assert_eq!(second.await.unwrap().unwrap().outcome, OutcomeKind::Ok);
    assert_eq!(engine.memory_waiters(), 0);
    crate::server_harness::eventually("the budget to be whole again", || async {
        (engine.memory_budget_left_mb() == budget as usize).then_some(())
    })
    .await;
}

/// Minor page faults taken so far by the calling thread.
fn thread_minor_faults() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage for the call to fill.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) },
        0
    );
    usage.ru_minflt
}

/// A warm call on a reused pool slot takes no page fault: resetting the slot
/// copies back every page the last call dirtied, however scattered (wasmtime
/// as published stopped after 32 dirty runs and decommitted the rest, so each
/// call re-faulted about 35 pages of the snapshot; `vendor/wasmtime`). The
/// calls run on this thread (a current-thread runtime runs both the guest and
/// the slot's reset), so the thread's own fault count measures them.
#[test]
fn a_warm_call_on_a_reused_slot_takes_no_page_fault() {
    std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let engine = build_engine(|c| {
            c.max_instances(1);
        });
        let sources = [
            "async function pipe(user, context, callback) { callback(null, user, context); }",
            // Dirties more of the heap: lodash, a claims object, a JSON string.
            "async function pipe(user, context, callback) {\n  const _ = require('lodash');\n  context.idToken = { roles: _.uniq(['a', 'b', 'a']), org: _.get(user, 'app_metadata.org', 'none') };\n  user.seen = JSON.stringify(_.chunk([1, 2, 3, 4, 5], 2));\n  callback(null, user, context);\n}",
        ];
        let user = json!({"id": "u1", "email": "ada@example.com", "app_metadata": {"org": "acme"}});
        for source in sources {
            let artifact = rt.block_on(engine.compile(source)).unwrap();
            let call = || {
                let out = rt
                    .block_on(engine.invoke_settled(
                        &artifact,
                        &input(user.clone(), json!({})),
                        &Limits::default(),
                    ))
                    .unwrap();
                assert_eq!(out.outcome, OutcomeKind::Ok, "{:?}", out.error);
            };
            for _ in 0..20 {
                call();
            }
            let before = thread_minor_faults();
            const CALLS: i64 = 200;
            for _ in 0..CALLS {
                call();
            }
            let faults = thread_minor_faults() - before;
            assert!(
                faults < CALLS / 4,
                "{faults} page faults in {CALLS} warm calls of\n{source}"
            );
        }
    })
    .join()
    .unwrap();
}
