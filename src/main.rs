//! `hookbox`: run untrusted JavaScript auth hooks, each call in its own Wasm sandbox.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use hookbox_engine::{CompileError, Engine, EngineConfig, Input, Limits};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

mod bench;
mod bench_http;
mod bench_report;
mod bench_soak;
mod cli;
mod serve;

#[derive(Parser)]
#[command(name = "hookbox", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile FILE.js and run it once; print the outcome as JSON.
    ///
    /// Exits 0 whenever the script ran, whatever its outcome; 1 when it does not
    /// compile (the error, with line and column, is printed as JSON); 2 for a
    /// usage or I/O error.
    Run(Box<RunArgs>),
    /// Serve the HTTP API (native routes, tenants, scene pipelines).
    Serve(Box<serve::ServeArgs>),
    /// Benchmark: the engine in-process, and a real server against the Node
    /// `vm` baseline over HTTP (cold, warm, scene, cpu, concurrency sweep).
    Bench(bench::BenchArgs),
    #[command(flatten)]
    Client(cli::ClientCommand),
}

#[derive(clap::Args)]
struct RunArgs {
    /// The function's source.
    file: PathBuf,
    /// The `user` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    user: String,
    /// The `context` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    context: String,
    /// The `event` passed to a handler (JSON).
    #[arg(long)]
    event: Option<String>,
    /// Arguments before the callback for `module.exports = function (…, cb)` hooks (JSON array).
    #[arg(long)]
    args: Option<String>,
    /// An environment variable for `env` / `configuration` (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Wall-clock timeout in seconds (1–60).
    #[arg(long, default_value_t = 3)]
    timeout: u64,
    /// Memory cap in MiB (1–512).
    #[arg(long, default_value_t = hookbox_engine::DEFAULT_MEMORY_MB)]
    memory: u32,
    /// CPU budget in fuel units (default: derived from the timeout).
    #[arg(long)]
    fuel: Option<u64>,
    /// Run as if it were this instant (RFC 3339 in UTC, e.g.
    /// 2026-11-29T04:30:00Z): the function's `Date` starts there.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    now: Option<std::time::SystemTime>,
    /// Run this engine plugin build instead of the bundled one.
    #[arg(long, env = "HOOKBOX_PLUGIN", hide = true)]
    plugin: Option<PathBuf>,
    /// Where the compiled plugin is cached between runs.
    #[arg(long, env = "HOOKBOX_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
}

/// Each call allocates and frees the same few buffers (the instance's
/// context, the call's JSON): mimalloc's size-class free lists serve them
/// without glibc's bin consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // HOOKBOX_LOG filters (`info`, `hookbox_service=debug`, …);
    // HOOKBOX_LOG_FORMAT=json writes one JSON object per event.
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOOKBOX_LOG")
        .unwrap_or_else(|_| "warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("HOOKBOX_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Serve(args) => serve::run(*args).map(|()| ExitCode::SUCCESS),
        Command::Bench(args) => bench::run(args).map(|()| ExitCode::SUCCESS),
        Command::Client(command) => Ok(cli::run(command)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hookbox: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn parse_json(flag: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).with_context(|| format!("--{flag} is not valid JSON"))
}

/// `--now`: an RFC 3339 instant in UTC (`Z`), with optional fractional seconds.
fn parse_instant(text: &str) -> Result<std::time::SystemTime, String> {
    humantime::parse_rfc3339(text)
        .map_err(|e| format!("{e}: expected an RFC 3339 instant in UTC, e.g. 2026-11-29T04:30:00Z"))
}

pub(crate) fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("hookbox")
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let source = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let mut limits = Limits::default();
    limits.timeout(Duration::from_secs(args.timeout))?;
    limits.memory_mb(args.memory)?;
    if let Some(fuel) = args.fuel {
        limits.fuel(fuel)?;
    }
    if let Some(at) = args.now {
        limits.clock_start(at);
    }
    let mut input = Input {
        user: parse_json("user", &args.user)?,
        context: parse_json("context", &args.context)?,
        event: args
            .event
            .as_deref()
            .map(|e| parse_json("event", e))
            .transpose()?,
        ..Input::default()
    };
    if let Some(a) = &args.args {
        match parse_json("args", a)? {
            serde_json::Value::Array(items) => input.args = Some(items),
            _ => bail!("--args must be a JSON array"),
        }
    }
    for pair in &args.env {
        let Some((k, v)) = pair.split_once('=') else {
            bail!("--env takes KEY=VALUE, got {pair:?}");
        };
        input.env.insert(k.to_string(), v.to_string());
    }

    let mut config = EngineConfig::default();
    config.max_instances(4);
    config.cache_dir(args.cache_dir.unwrap_or_else(default_cache_dir));
    if let Some(path) = &args.plugin {
        config.plugin(
            std::fs::read(path).with_context(|| format!("reading plugin {}", path.display()))?,
        );
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let engine = Engine::new(&config)?;
        let artifact = match engine.compile(&source).await {
            Ok(artifact) => artifact,
            Err(CompileError::Syntax { message, line, column }) => {
                let report = serde_json::json!({
                    "outcome": "compile_error",
                    "error": {"name": "SyntaxError", "message": message, "line": line, "column": column},
                });
                cli::render::line(format_args!("{}", serde_json::to_string_pretty(&report)?));
                return Ok(ExitCode::from(1));
            }
            Err(e) => bail!("{} does not compile: {e}", args.file.display()),
        };
        let outcome = engine.invoke(&artifact, &input, &limits).await?;
        // A reader that goes away (`| head`) ends the process quietly.
        cli::render::line(format_args!("{}", serde_json::to_string_pretty(&outcome)?));
        Ok(ExitCode::SUCCESS)
    })
}
