//! `hookbox`: run untrusted JavaScript auth hooks, each call in its own Wasm sandbox.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use hookbox_engine::{CallMeta, CompileError, Engine, EngineConfig, Input, Limits};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

mod bench;
mod bench_cluster;
mod bench_http;
mod bench_report;
mod bench_soak;
mod bench_surface;
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
    /// Arguments before the callback (JSON array): an Auth0 hook's
    /// (`module.exports = function (…, cb)`), or a custom database script's
    /// (a script that is one function, or the one `--script` names).
    #[arg(long)]
    args: Option<String>,
    /// Run a custom database script: login, get_user, create, verify,
    /// change_password, change_email or delete (its function gets `--args`
    /// and a callback).
    #[arg(long, value_name = "NAME")]
    script: Option<String>,
    /// An environment variable for `env` / `configuration` (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// A secret of the function (repeatable): an Action's `event.secrets`; for
    /// a database script (`--script`), its `configuration` (in place of the
    /// `--env` values).
    #[arg(long = "secret", value_name = "KEY=VALUE")]
    secret: Vec<String>,
    /// The Auth0 Actions trigger to run (post-login, pre-user-registration,
    /// post-user-registration, credentials-exchange, post-change-password,
    /// send-phone-message); default: the script's only `onExecute*` export.
    #[arg(long, value_name = "TRIGGER")]
    trigger: Option<String>,
    /// Resume after a redirect: run `exports.onContinuePostLogin`.
    #[arg(long = "continue")]
    resume: bool,
    /// The tenant's Auth0 domain, for rules' `auth0.domain` and `auth0.baseUrl`.
    #[arg(long, value_name = "DOMAIN")]
    domain: Option<String>,
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

/// `--env`/`--secret` values, `KEY=VALUE` each.
fn key_values(flag: &str, pairs: &[String]) -> Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => bail!("--{flag} takes KEY=VALUE, got {pair:?}"),
        })
        .collect()
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
            serde_json::Value::Array(items) if items.len() > hookbox_service::MAX_SCRIPT_ARGS => {
                bail!(
                    "--args: a script takes at most {} arguments before its callback, got {}",
                    hookbox_service::MAX_SCRIPT_ARGS,
                    items.len()
                )
            }
            serde_json::Value::Array(items) => input.args = Some(items),
            _ => bail!("--args must be a JSON array"),
        }
    }
    for (k, v) in key_values("env", &args.env)? {
        input.env.insert(k, v);
    }
    for (k, v) in key_values("secret", &args.secret)? {
        input.secrets.insert(k, v);
    }
    if let Some(trigger) = &args.trigger {
        if hookbox_service::action_trigger(trigger).is_none() {
            bail!(
                "--trigger {trigger:?} is not an Auth0 Actions trigger; expected one of {}",
                hookbox_service::ACTION_TRIGGERS.join(", ")
            );
        }
        input.trigger = Some(trigger.clone());
    }
    input.resume = args.resume;
    // A database script: the one --script names, or, given --args alone, a
    // script that is one function (module.exports hooks, Actions and
    // handlers are picked before it, so they run as before).
    if let Some(name) = &args.script
        && !hookbox_service::DATABASE_SCRIPTS.contains(&name.as_str())
    {
        bail!(
            "--script {name:?} is not a database script; expected one of {}",
            hookbox_service::DATABASE_SCRIPTS.join(", ")
        );
    }
    input.script = match (&args.script, &input.args) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(_)) => Some(String::new()),
        (None, None) => None,
    };
    // A database connection's configuration is its secrets; without any,
    // `configuration` stays the environment.
    if args.script.is_some() && !input.secrets.is_empty() {
        input.configuration = Some(input.secrets.clone());
    }
    let domain = args
        .domain
        .as_deref()
        .map(hookbox_service::check_domain)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--{e}"))?;
    input.meta = Some(CallMeta {
        request_id: hookbox_store::new_id(),
        function_name: args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        function_version: "1".into(),
        memory_mb: args.memory,
        timeout_ms: args.timeout.saturating_mul(1000),
        tenant_id: "local".into(),
        domain,
    });

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
