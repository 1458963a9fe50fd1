//! Helpers shared by the integration tests.

use hookbox_engine::{Artifact, Engine, EngineConfig, Input, InvokeError, Limits, Outcome};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;

/// The engine under test: the bundled plugin, or the build named by
/// `HOOKBOX_PLUGIN` (`make plugin-check` points it at a fresh rebuild).
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| build_engine(|_| {})).clone()
}

pub fn build_engine(tweak: impl FnOnce(&mut EngineConfig)) -> Engine {
    let mut config = EngineConfig::default();
    config.cache_dir(concat!(env!("CARGO_TARGET_TMPDIR"), "/hookbox-cache"));
    config.max_instances(64);
    if let Some(path) = std::env::var_os("HOOKBOX_PLUGIN") {
        config.plugin(std::fs::read(path).expect("reading HOOKBOX_PLUGIN"));
    }
    tweak(&mut config);
    Engine::new(&config).expect("engine starts")
}

pub async fn compile(source: &str) -> Artifact {
    engine()
        .compile(source)
        .await
        .unwrap_or_else(|e| panic!("compile failed: {e}\n{source}"))
}

pub fn input(user: Value, context: Value) -> Input {
    Input {
        user,
        context,
        ..Input::default()
    }
}

pub fn limits_secs(timeout: u64) -> Limits {
    let mut l = Limits::default();
    l.timeout(Duration::from_secs(timeout)).unwrap();
    l
}

/// Compiles and runs `source` once with default limits.
pub async fn run(source: &str, input: &Input) -> Outcome {
    run_with(source, input, &Limits::default()).await
}

pub async fn run_with(source: &str, input: &Input, limits: &Limits) -> Outcome {
    try_run(source, input, limits).await.expect("invoke runs")
}

pub async fn try_run(source: &str, input: &Input, limits: &Limits) -> Result<Outcome, InvokeError> {
    let artifact = compile(source).await;
    engine().invoke(&artifact, input, limits).await
}

/// A path under `examples/`.
pub fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn example_source(name: &str) -> String {
    std::fs::read_to_string(example(name)).expect("example exists")
}
