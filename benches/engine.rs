//! Engine micro-benchmarks: compile, and invoke under each engine variant.
//!
//! Engines are built once, outside the timed loops. `make bench` runs these;
//! `hookbox bench` measures latency distributions and the HTTP path.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hookbox_engine::{Engine, EngineConfig, Input, Limits};
use serde_json::json;
use std::hint::black_box;

const TRIVIAL_PIPE: &str =
    "async function pipe(user, context, callback) { callback(null, user, context); }";

fn engine(pooling: bool, metering: bool) -> Engine {
    let mut config = EngineConfig::default();
    config
        .pooling(pooling)
        .metering(metering)
        .max_instances(16)
        .cache_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/target/hookbox-cache"));
    Engine::new(&config).expect("engine starts")
}

/// A realistic script of about `bytes` bytes: many small helper functions and
/// a `pipe` that uses a few of them.
fn script_of_size(bytes: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() + 200 < bytes {
        s.push_str(&format!(
            "function helper{i}(user, ctx) {{\n  const k = 'key{i}';\n  if (user[k] === undefined) {{ user[k] = {i} * 2; }}\n  return ctx.count = (ctx.count || 0) + 1;\n}}\n"
        ));
        i += 1;
    }
    s.push_str("async function pipe(user, context, callback) {\n  helper0(user, context);\n  callback(null, user, context);\n}\n");
    s
}

/// What the invoke benchmarks call with: a small user and context.
fn input() -> Input {
    Input {
        user: json!({"id": "u1", "email": "ada@example.com"}),
        context: json!({"ip": "10.0.0.1"}),
        ..Input::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn compile(c: &mut Criterion) {
    let rt = runtime();
    let engine = engine(true, true);
    let mut group = c.benchmark_group("compile");
    for (name, size) in [("1KB", 1024), ("100KB", 100 * 1024 - 512)] {
        let source = script_of_size(size);
        group.bench_with_input(BenchmarkId::from_parameter(name), &source, |b, source| {
            b.iter(|| {
                rt.block_on(engine.compile(black_box(source)))
                    .expect("compiles")
            })
        });
    }
    group.finish();
}

fn invoke(c: &mut Criterion) {
    let rt = runtime();
    let input = input();
    let limits = Limits::default();
    let mut group = c.benchmark_group("invoke_trivial_pipe");
    for (name, pooling, metering) in [
        ("pooling+cow/metered", true, true),
        ("on-demand/metered", false, true),
        ("pooling+cow/unmetered", true, false),
    ] {
        let engine = engine(pooling, metering);
        let artifact = rt.block_on(engine.compile(TRIVIAL_PIPE)).expect("compiles");
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let out = rt
                    .block_on(engine.invoke_settled(&artifact, black_box(&input), &limits))
                    .expect("invokes");
                debug_assert!(out.is_ok());
                out
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("invoke_cpu_loop");
    let loop_src = "exports.handler = () => { let s = 0; for (let i = 0; i < 200000; i++) s = (s + i * 7) % 1000003; return s; };";
    for (name, metering) in [("fuel+epoch", true), ("unmetered", false)] {
        let engine = engine(true, metering);
        let artifact = rt.block_on(engine.compile(loop_src)).expect("compiles");
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                rt.block_on(engine.invoke_settled(&artifact, &Input::default(), &limits))
                    .expect("invokes")
            })
        });
    }
    group.finish();
}

// Node's side of these calls is `hookbox bench`'s (same file).
#[allow(dead_code)]
#[path = "../src/bench_surface.rs"]
mod surface;

/// The Node surface: a trivial `pipe`, lodash, SHA-256, RS256 and an added
/// package (see `src/bench_surface.rs`), pooling+cow, metered.
fn node_surface(c: &mut Criterion) {
    let rt = runtime();
    let input = input();
    let limits = Limits::default();
    let engine = engine(true, true);
    let mut group = c.benchmark_group("invoke_node_surface");
    for call in surface::calls().expect("the calls") {
        let artifact = rt
            .block_on(surface::compile(&engine, &call))
            .expect("compiles");
        group.bench_function(BenchmarkId::from_parameter(call.name), |b| {
            b.iter(|| {
                let out = rt
                    .block_on(engine.invoke_settled(&artifact, black_box(&input), &limits))
                    .expect("invokes");
                assert!(out.is_ok(), "{:?}", out.error);
                out
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile, invoke, node_surface);
criterion_main!(benches);
