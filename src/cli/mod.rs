//! The client commands (`deploy`, `ls`, `invoke`, `logs`, `env`, `scene`,
//! `order`, `rm`, `connection`, `packages`): a person's way to a running server, over its native API
//! (DESIGN §7). Tables by default; `--json` prints the server's `data` for
//! scripts.
//!
//! Exit codes: 0 done (a function that denies is an answer, not a failure);
//! 1 the server refused the request, or a deployed function does not compile;
//! 2 usage, configuration or connection errors.

/// `println!` for the client commands' output: a reader that goes away
/// (`hookbox logs ID | head -3`) ends the process quietly instead of a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::render::line(format_args!($($arg)*))
    };
}

mod client;
mod config;
mod connection;
mod events;
mod packages;
pub(crate) mod render;
mod versions;

use clap::{Args, Subcommand};
use client::Client;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// How often `logs --follow` asks for new records.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(1);
/// The server's page size limit for logs.
const MAX_LOG_PAGE: usize = 100;
/// `logs --follow` pages back at most this far when a burst of records
/// arrives between two polls.
const FOLLOW_MAX_PAGES: usize = 10;

/// Why a client command failed; each kind has its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server answered with an error envelope.
    #[error("{message} (HTTP {status}, requestId {request_id})")]
    Api {
        status: u16,
        message: String,
        request_id: String,
    },
    /// No answer: nothing listening, a timeout, a refused connection.
    #[error("cannot reach hookbox at {url}: {cause}")]
    Unreachable { url: String, cause: String },
    /// Something answered, but not with hookbox's envelope.
    #[error("unexpected answer from {url} (HTTP {status}): {body}")]
    Unexpected {
        url: String,
        status: u16,
        body: String,
    },
    /// A bad flag value, file or configuration.
    #[error("{0}")]
    Usage(String),
    /// The request worked but what it did failed (a deploy that does not compile).
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Api { .. } | Self::Unexpected { .. } | Self::Failed(_) => 1,
            Self::Unreachable { .. } | Self::Usage(_) => 2,
        }
    }
}

/// Flags every client command takes.
#[derive(Args, Clone, Debug)]
pub struct Conn {
    /// The server [default: $HOOKBOX_URL, else `url` in the config file].
    #[arg(long, global = true, value_name = "URL")]
    url: Option<String>,
    /// Print the server's `data` as JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
}

/// Shown under every client command's help.
const CONFIG_HELP: &str = "\
Configuration: --url, else $HOOKBOX_URL, $HOOKBOX_ACCESS_KEY_ID and $HOOKBOX_ACCESS_KEY_SECRET
(`hookbox serve` prints them as export lines on its first start), else `url`, `access_key_id`
and `access_key_secret` in $HOOKBOX_CONFIG, $XDG_CONFIG_HOME/hookbox/config.toml or
~/.config/hookbox/config.toml.
Exit codes: 0 done; 1 the server refused, or the function does not compile; 2 usage,
configuration or connection errors.";

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Deploy FILE as a new function (the server compiles it before it
    /// answers), or with --version N, deploy version N of function ID.
    ///
    /// Exits 1 when the source does not compile: the server keeps the function
    /// with status `failed`, and the error (with line and column) is printed.
    #[command(after_help = CONFIG_HELP)]
    Deploy(DeployArgs),
    /// Replace a function's source with FILE: a new version, deployed at
    /// once unless --draft.
    #[command(after_help = CONFIG_HELP)]
    Update(versions::UpdateArgs),
    /// A function's kept versions, newest first; `*` marks the one it runs.
    #[command(after_help = CONFIG_HELP)]
    Versions(versions::VersionsArgs),
    /// Deploy the version before the one a function runs (the newest older
    /// one that compiled).
    #[command(after_help = CONFIG_HELP)]
    Rollback(versions::RollbackArgs),
    /// Run a version of a function (default: the newest, the draft when
    /// there is one) against an input, without deploying or logging it.
    #[command(after_help = CONFIG_HELP)]
    Test(versions::TestArgs),
    /// List the functions, each scene in its run order.
    #[command(after_help = CONFIG_HELP)]
    Ls(LsArgs),
    /// Run one function once and print its outcome.
    #[command(after_help = CONFIG_HELP)]
    Invoke(InvokeArgs),
    /// A function's invocation log, newest first; `--follow` prints new records as they come.
    #[command(after_help = CONFIG_HELP)]
    Logs(LogsArgs),
    /// The tenant's environment variables (`env.KEY` in functions).
    #[command(after_help = CONFIG_HELP)]
    Env(EnvArgs),
    /// Scene pipelines: run one as the gateway does.
    #[command(after_help = CONFIG_HELP)]
    Scene(SceneArgs),
    /// Set the order a scene's functions run in: every function of the scene, once each.
    #[command(after_help = CONFIG_HELP)]
    Order(OrderArgs),
    /// Delete functions (with their logs); they leave their scene's order.
    #[command(after_help = CONFIG_HELP)]
    Rm(RmArgs),
    /// Custom database connections: Auth0's database action scripts, run by the gateway.
    #[command(after_help = CONFIG_HELP)]
    Connection(connection::ConnectionArgs),
    /// The server's npm package catalogue: list, add (a tarball or by name), remove.
    #[command(after_help = CONFIG_HELP)]
    Packages(packages::PackagesArgs),
    /// Events: send one to the functions that handle it, list the event types,
    /// define the tenant's own.
    #[command(after_help = CONFIG_HELP)]
    Events(events::EventsArgs),
    /// Event deliveries still pending or failed; replay a failed one.
    #[command(after_help = CONFIG_HELP)]
    Deliveries(events::DeliveriesArgs),
}

#[derive(Args)]
pub struct RmArgs {
    /// The functions to delete.
    #[arg(required = true)]
    ids: Vec<String>,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Args)]
pub struct DeployArgs {
    /// The function's source; with --version, the function's id. Not given
    /// with --url.
    #[arg(
        value_name = "FILE|ID",
        required_unless_present = "url",
        conflicts_with = "url"
    )]
    file: Option<PathBuf>,
    /// Make an HTTP function: hookbox POSTs to this URL (signed, Standard
    /// Webhooks) instead of running code. Needs --name. Its secrets are
    /// printed this once.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The events it handles, by number or name (repeatable, or
    /// comma-separated: --events 2000,AUTH_REGISTER).
    #[arg(long, value_name = "EVENT", value_delimiter = ',')]
    events: Vec<String>,
    /// Deploy this kept version of function ID instead (a rollback or a
    /// roll forward; `hookbox versions ID` lists them).
    #[arg(long, value_name = "N", conflicts_with_all = ["scene", "name", "description", "asynchronous", "timeout", "memory", "disabled"])]
    version: Option<u64>,
    /// With --version: run it for this share of calls (1–99), by user, beside
    /// the deployed version (a gradual deployment; `deploy ID --version N`
    /// promotes it, `rollback ID` ends it).
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u8).range(1..=99))]
    percent: Option<u8>,
    /// The scene it hooks into (PRE_REGISTER, POST_AUTHENTICATION, …);
    /// required for a FILE.
    #[arg(long, required_unless_present = "version")]
    scene: Option<String>,
    /// Its name [default: the file name without extension].
    #[arg(long)]
    name: Option<String>,
    /// A description, for people reading the function list.
    #[arg(long)]
    description: Option<String>,
    /// Run it off the request path, from the durable queue.
    #[arg(long = "async")]
    asynchronous: bool,
    /// Wall-clock timeout in seconds (1–60) [server default: 3].
    #[arg(long, value_name = "SECS")]
    timeout: Option<u32>,
    /// Memory cap in MiB (1–512) [server default: 64].
    #[arg(long, value_name = "MB")]
    memory: Option<u32>,
    /// Deploy it switched off: scene runs skip it.
    #[arg(long)]
    disabled: bool,
    /// Print only the new function's id.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Args)]
pub struct LsArgs {
    /// Only this scene's functions.
    #[arg(long)]
    scene: Option<String>,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Args)]
pub struct InvokeArgs {
    /// The function's id (`hookbox ls` shows it).
    id: String,
    /// The `user` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    user: String,
    /// The `context` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    context: String,
    /// The `event` passed to a handler (JSON).
    #[arg(long)]
    event: Option<String>,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Args)]
pub struct LogsArgs {
    /// The function's id.
    id: String,
    /// How many records (1–100); with --follow, how many existing ones to show
    /// first (0 for none).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(0..=100))]
    limit: u16,
    /// Keep polling (about once a second) and print new records, oldest first,
    /// until Ctrl-C. With --json, one JSON object per line.
    #[arg(long, short)]
    follow: bool,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Args)]
pub struct EnvArgs {
    #[command(subcommand)]
    command: EnvCommand,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Subcommand)]
enum EnvCommand {
    /// Set (or replace) a variable.
    #[command(after_help = CONFIG_HELP)]
    Set { key: String, value: String },
    /// List the variables and their values.
    #[command(after_help = CONFIG_HELP)]
    Ls,
    /// Remove a variable.
    #[command(after_help = CONFIG_HELP)]
    Rm { key: String },
}

#[derive(Args)]
pub struct SceneArgs {
    #[command(subcommand)]
    command: SceneCommand,
    #[command(flatten)]
    conn: Conn,
}

#[derive(Subcommand)]
enum SceneCommand {
    /// Run the scene's enabled functions in order and print the verdict.
    ///
    /// Exits 0 whatever the verdict: a function that denies is an answer.
    #[command(after_help = CONFIG_HELP)]
    Run {
        scene: String,
        /// The `user` passed to the first function (JSON).
        #[arg(long, default_value = "{}")]
        user: String,
        /// The `context` passed to the first function (JSON).
        #[arg(long, default_value = "{}")]
        context: String,
    },
}

#[derive(Args)]
pub struct OrderArgs {
    scene: String,
    /// The scene's function ids in their new order.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
    #[command(flatten)]
    conn: Conn,
}

/// Runs a client command; errors are printed here and become the exit code.
pub fn run(command: ClientCommand) -> ExitCode {
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the runtime: {e}")))
        .and_then(|runtime| runtime.block_on(dispatch(command)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn dispatch(command: ClientCommand) -> Result<(), CliError> {
    if let ClientCommand::Packages(args) = command {
        return packages::run(args).await;
    }
    let conn = match &command {
        ClientCommand::Deploy(a) => &a.conn,
        ClientCommand::Versions(a) => &a.conn,
        ClientCommand::Rollback(a) => &a.conn,
        ClientCommand::Update(a) => &a.conn,
        ClientCommand::Test(a) => &a.conn,
        ClientCommand::Ls(a) => &a.conn,
        ClientCommand::Invoke(a) => &a.conn,
        ClientCommand::Logs(a) => &a.conn,
        ClientCommand::Env(a) => &a.conn,
        ClientCommand::Scene(a) => &a.conn,
        ClientCommand::Order(a) => &a.conn,
        ClientCommand::Rm(a) => &a.conn,
        ClientCommand::Connection(a) => &a.conn,
        ClientCommand::Packages(a) => &a.conn,
        ClientCommand::Events(a) => &a.conn,
        ClientCommand::Deliveries(a) => &a.conn,
    };
    let json = conn.json;
    let mut client = Client::new(config::resolve(conn.url.as_deref())?)?;
    let client = &mut client;
    match command {
        ClientCommand::Deploy(DeployArgs {
            version: None,
            percent: Some(_),
            ..
        }) => Err(CliError::Usage(
            "--percent needs --version: a gradual deployment runs a kept version".to_string(),
        )),
        ClientCommand::Deploy(DeployArgs {
            file,
            version: Some(n),
            percent,
            ..
        }) => {
            let id = file
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            versions::deploy_version(client, &id, n, percent, json).await
        }
        ClientCommand::Deploy(args) => deploy(client, args, json).await,
        ClientCommand::Versions(args) => versions::versions(client, args, json).await,
        ClientCommand::Rollback(args) => versions::rollback(client, args, json).await,
        ClientCommand::Update(args) => versions::update(client, args, json).await,
        ClientCommand::Test(args) => versions::test(client, args, json).await,
        ClientCommand::Ls(args) => ls(client, args, json).await,
        ClientCommand::Invoke(args) => invoke(client, args, json).await,
        ClientCommand::Logs(args) if args.follow => follow_logs(client, args, json).await,
        ClientCommand::Logs(args) => logs(client, args, json).await,
        ClientCommand::Env(args) => env(client, args.command, json).await,
        ClientCommand::Scene(args) => match args.command {
            SceneCommand::Run {
                scene,
                user,
                context,
            } => run_scene(client, &scene, &user, &context, json).await,
        },
        ClientCommand::Order(args) => order(client, args, json).await,
        ClientCommand::Rm(args) => rm(client, args, json).await,
        ClientCommand::Connection(args) => connection::run(client, args, json).await,
        ClientCommand::Packages(args) => packages::run(args).await,
        ClientCommand::Events(args) => events::events(client, args, json).await,
        ClientCommand::Deliveries(args) => events::deliveries(client, args, json).await,
    }
}

/// Deletes each function in turn; stops at the first the server refuses, so
/// what was deleted before it is reported.
async fn rm(client: &mut Client, args: RmArgs, json: bool) -> Result<(), CliError> {
    for id in &args.ids {
        client
            .call(Method::DELETE, &["v1", "functions", id], &[], None)
            .await?;
        if json {
            print_json(&json!({ "deleted": id }));
        } else {
            out!("deleted {id}");
        }
    }
    Ok(())
}

fn parse_json(flag: &str, text: &str) -> Result<Value, CliError> {
    serde_json::from_str(text)
        .map_err(|e| CliError::Usage(format!("--{flag} is not valid JSON: {e}")))
}

fn print_json(data: &Value) {
    out!("{}", render::pretty(data));
}

async fn deploy(client: &mut Client, args: DeployArgs, json: bool) -> Result<(), CliError> {
    let (file, source, name) = match (&args.file, &args.url) {
        (Some(path), _) => {
            let file = path.display().to_string();
            let source = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("reading {file}: {e}")))?;
            let name = match args.name.clone() {
                Some(name) => name,
                None => path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .ok_or_else(|| {
                        CliError::Usage(format!("{file} has no file name; pass --name"))
                    })?,
            };
            (file, Some(source), name)
        }
        (None, Some(url)) => {
            let name = args.name.clone().ok_or_else(|| {
                CliError::Usage("an HTTP function (--url) needs --name".to_string())
            })?;
            (url.clone(), None, name)
        }
        (None, None) => return Err(CliError::Usage("give a FILE or --url".to_string())),
    };
    let mut spec = json!({
        "funcName": name,
        "scene": args.scene.clone().unwrap_or_default(),
        "isAsynchronous": args.asynchronous,
        "enabled": !args.disabled,
    });
    match (source, &args.url) {
        (Some(source), _) => spec["sourceCode"] = json!(source),
        (None, Some(url)) => spec["url"] = json!(url),
        (None, None) => {}
    }
    if !args.events.is_empty() {
        let events: Vec<Value> = args
            .events
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(|e| e.parse::<u32>().map_or_else(|_| json!(e), |n| json!(n)))
            .collect();
        spec["events"] = json!(events);
    }
    // Unset limits are left to the server's defaults.
    if let Some(description) = args.description {
        spec["funcDescription"] = json!(description);
    }
    if let Some(timeout) = args.timeout {
        spec["timeout"] = json!(timeout);
    }
    if let Some(memory) = args.memory {
        spec["memoryLimitMb"] = json!(memory);
    }
    let data = client
        .call(Method::POST, &["v1", "functions"], &[], Some(&spec))
        .await?;
    let failed = data["status"] == "failed";
    if json {
        print_json(&data);
    } else if failed {
        // Only the error, below.
    } else if args.quiet {
        out!("{}", render::text(&data, "funcId"));
    } else {
        render::field("funcId", render::text(&data, "funcId"));
        render::field("name", render::text(&data, "funcName"));
        render::field("scene", render::text(&data, "scene"));
        render::field("status", render::text(&data, "status"));
        render::field(
            "limits",
            &format!(
                "timeout {}s, memory {} MiB",
                data["timeout"], data["memoryLimitMb"]
            ),
        );
        render::field("enabled", render::yes_no(&data["enabled"]));
        render::field("async", render::yes_no(&data["isAsynchronous"]));
        if let Some(url) = data["url"].as_str() {
            render::field("url", url);
        }
        if let Some(events) = data["events"].as_array() {
            let events: Vec<String> = events.iter().map(Value::to_string).collect();
            render::field("events", &events.join(", "));
        }
        if let Some(secrets) = data.get("webhookSecrets") {
            render::field("secret", render::text(secrets, "secret"));
            render::field("signingSecret", render::text(secrets, "signingSecret"));
            out!("(the secrets are shown only this once)");
        }
    }
    if failed {
        return Err(CliError::Failed(format!(
            "{file} does not compile: {}\nThe server kept it as function {} with status \
             \"failed\"; scene runs skip it.",
            render::text(&data, "uploadErrMsg"),
            render::text(&data, "funcId"),
        )));
    }
    Ok(())
}

async fn ls(client: &mut Client, args: LsArgs, json: bool) -> Result<(), CliError> {
    let query: Vec<(&str, String)> = args.scene.iter().map(|s| ("scene", s.clone())).collect();
    let data = client.get(&["v1", "functions"], &query).await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    let list = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if list.is_empty() {
        out!("no functions");
        return Ok(());
    }
    let mut table = render::table(&[
        "ID", "NAME", "SCENE", "STATUS", "ENABLED", "ASYNC", "TIMEOUT", "UPDATED",
    ]);
    for f in list {
        table.add_row(vec![
            render::text(f, "funcId").to_string(),
            render::text(f, "funcName").to_string(),
            render::text(f, "scene").to_string(),
            render::text(f, "status").to_string(),
            render::yes_no(&f["enabled"]).to_string(),
            render::yes_no(&f["isAsynchronous"]).to_string(),
            format!("{}s", f["timeout"]),
            render::time(render::text(f, "updatedAt")),
        ]);
    }
    render::print(&table);
    Ok(())
}

async fn invoke(client: &mut Client, args: InvokeArgs, json: bool) -> Result<(), CliError> {
    let mut body = json!({
        "user": parse_json("user", &args.user)?,
        "context": parse_json("context", &args.context)?,
    });
    if let Some(event) = &args.event {
        body["event"] = parse_json("event", event)?;
    }
    let data = client
        .call(
            Method::POST,
            &["v1", "functions", &args.id, "invoke"],
            &[],
            Some(&body),
        )
        .await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    print_outcome(&data);
    Ok(())
}

/// One call's outcome as `invoke` and `test` print it.
fn print_outcome(data: &Value) {
    render::field("outcome", render::text(data, "outcome"));
    render::field(
        "duration",
        &render::duration(data["durationUs"].as_u64().unwrap_or(0)),
    );
    if !data["error"].is_null() {
        render::field("error", &render::error(&data["error"], true));
    }
    let console = render::console(&data["logs"]);
    if !console.is_empty() {
        render::field("logs", &console.join("\n"));
    }
    render::outcome_blocks(data, &["result", "tokens", "customData"]);
}

async fn logs(client: &mut Client, args: LogsArgs, json: bool) -> Result<(), CliError> {
    if args.limit == 0 {
        return Err(CliError::Usage(
            "--limit 0 only makes sense with --follow".to_string(),
        ));
    }
    let data = logs_page(client, &args.id, 1, usize::from(args.limit)).await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    let list = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if list.is_empty() {
        out!("no invocations logged yet");
        return Ok(());
    }
    let mut table = render::table(&[
        "AT",
        "OUTCOME",
        "DURATION",
        "VERSION",
        "ATTEMPT",
        "REQUEST ID",
        "ERROR",
        "CONSOLE",
    ]);
    render::cap_width(&mut table, 6, 60);
    render::cap_width(&mut table, 7, 60);
    for record in list {
        table.add_row(vec![
            render::time(render::text(record, "at")),
            render::text(record, "outcome").to_string(),
            render::duration(record["durationUs"].as_u64().unwrap_or(0)),
            record["version"]
                .as_u64()
                .map(|v| v.to_string())
                .unwrap_or_default(),
            record["attempt"].to_string(),
            render::text(record, "requestId").to_string(),
            render::error(&record["error"], false),
            render::console(&record["logs"]).join("\n"),
        ]);
    }
    render::print(&table);
    out!(
        "({} of {}, newest first)",
        list.len(),
        data["totalCount"].as_u64().unwrap_or(list.len() as u64)
    );
    Ok(())
}

async fn logs_page(
    client: &mut Client,
    id: &str,
    page: usize,
    limit: usize,
) -> Result<Value, CliError> {
    let query = [("page", page.to_string()), ("limit", limit.to_string())];
    client.get(&["v1", "functions", id, "logs"], &query).await
}

/// `logs --follow`: the newest `--limit` records, then every new one, each
/// printed once, oldest first. Records are told apart by id, not time, so
/// one written late (logs are written in batches) is still shown.
async fn follow_logs(client: &mut Client, args: LogsArgs, json: bool) -> Result<(), CliError> {
    let follow = async {
        let first = logs_page(client, &args.id, 1, MAX_LOG_PAGE).await?;
        let first = records(&first);
        let mut seen: HashSet<String> = first.iter().map(record_id).collect();
        for record in first.iter().take(usize::from(args.limit)).rev() {
            print_record(record, json);
        }
        let mut outage = false;
        loop {
            tokio::time::sleep(FOLLOW_INTERVAL).await;
            let fetched = match leading_records(client, &args.id, &seen).await {
                Ok(fetched) => fetched,
                // A server restart should not end a long follow.
                Err(e @ CliError::Unreachable { .. }) => {
                    if !outage {
                        eprintln!("warning: {e}; retrying");
                        outage = true;
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            outage = false;
            for record in fetched.iter().rev() {
                if !seen.contains(&record_id(record)) {
                    print_record(record, json);
                }
            }
            // Only what is still on the leading pages can come back; older
            // ids need not be remembered.
            seen = fetched.iter().map(record_id).collect();
        }
    };
    tokio::select! {
        result = follow => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// The newest records, newest first, down to the first page that holds one
/// already seen (a burst between two polls can fill more than a page).
async fn leading_records(
    client: &mut Client,
    id: &str,
    seen: &HashSet<String>,
) -> Result<Vec<Value>, CliError> {
    let mut fetched = Vec::new();
    for page in 1..=FOLLOW_MAX_PAGES {
        let list = records(&logs_page(client, id, page, MAX_LOG_PAGE).await?);
        let last = list.len() < MAX_LOG_PAGE || list.iter().any(|r| seen.contains(&record_id(r)));
        fetched.extend(list);
        if last {
            break;
        }
    }
    Ok(fetched)
}

fn records(data: &Value) -> Vec<Value> {
    data["list"].as_array().cloned().unwrap_or_default()
}

fn record_id(record: &Value) -> String {
    render::text(record, "id").to_string()
}

/// One record as a line (console output indented below it), or as one JSON
/// line with --json.
fn print_record(record: &Value, json: bool) {
    if json {
        out!("{record}");
        return;
    }
    let mut line = format!(
        "{}  {:<7}  {:<8}  {}",
        render::time(render::text(record, "at")),
        render::text(record, "outcome"),
        render::duration(record["durationUs"].as_u64().unwrap_or(0)),
        render::text(record, "requestId"),
    );
    if record["attempt"].as_u64().is_some_and(|a| a > 1) {
        line.push_str(&format!("  attempt {}", record["attempt"]));
    }
    let error = render::error(&record["error"], false);
    if !error.is_empty() {
        line.push_str("  ");
        line.push_str(&error);
    }
    out!("{line}");
    for console in render::console(&record["logs"]) {
        out!("    {console}");
    }
}

async fn env(client: &mut Client, command: EnvCommand, json: bool) -> Result<(), CliError> {
    match command {
        EnvCommand::Set { key, value } => {
            let data = client
                .call(
                    Method::PUT,
                    &["v1", "env", &key],
                    &[],
                    Some(&json!({ "value": value })),
                )
                .await?;
            if json {
                print_json(&data);
            } else {
                out!("set {key}");
            }
        }
        EnvCommand::Ls => {
            let data = client.get(&["v1", "env"], &[]).await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let vars = data.as_object().cloned().unwrap_or_default();
            if vars.is_empty() {
                out!("no environment variables");
                return Ok(());
            }
            let mut table = render::table(&["KEY", "VALUE"]);
            for (key, value) in &vars {
                table.add_row(vec![
                    key.clone(),
                    value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string),
                ]);
            }
            render::print(&table);
        }
        EnvCommand::Rm { key } => {
            let data = client
                .call(Method::DELETE, &["v1", "env", &key], &[], None)
                .await?;
            if json {
                print_json(&data);
            } else {
                out!("removed {key}");
            }
        }
    }
    Ok(())
}

async fn run_scene(
    client: &mut Client,
    scene: &str,
    user: &str,
    context: &str,
    json: bool,
) -> Result<(), CliError> {
    let body = json!({
        "user": parse_json("user", user)?,
        "context": parse_json("context", context)?,
    });
    let data = client
        .call(
            Method::POST,
            &["v1", "scenes", scene, "run"],
            &[],
            Some(&body),
        )
        .await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    let steps = data["steps"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    render::field("outcome", render::text(&data, "outcome"));
    if let Some(stopper) = data["stoppedBy"].as_str() {
        let name = steps
            .iter()
            .find(|s| s["funcId"] == stopper)
            .map(|s| format!(" ({})", render::text(s, "funcName")))
            .unwrap_or_default();
        render::field("stoppedBy", &format!("{stopper}{name}"));
    }
    if let Some(redirector) = data["redirectedBy"].as_str() {
        render::field("redirectedBy", redirector);
    }
    if !data["error"].is_null() {
        render::field("error", &render::error(&data["error"], true));
    }
    out!("");
    if steps.is_empty() {
        out!("no functions ran (none enabled and compiled in {scene})");
    } else {
        let mut table = render::table(&["FUNC ID", "NAME", "OUTCOME", "DURATION", "ERROR"]);
        render::cap_width(&mut table, 4, 60);
        for step in steps {
            table.add_row(vec![
                render::text(step, "funcId").to_string(),
                render::text(step, "funcName").to_string(),
                render::text(step, "outcome").to_string(),
                render::duration(step["durationUs"].as_u64().unwrap_or(0)),
                render::error(&step["error"], false),
            ]);
        }
        render::print(&table);
    }
    out!("");
    let queued: Vec<&str> = data["queued"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    render::field(
        "queued",
        &if queued.is_empty() {
            "none".to_string()
        } else {
            queued.join(", ")
        },
    );
    render::outcome_blocks(&data, &["tokens", "customData", "result"]);
    Ok(())
}

async fn order(client: &mut Client, args: OrderArgs, json: bool) -> Result<(), CliError> {
    let data = client
        .call(
            Method::PUT,
            &["v1", "scenes", &args.scene, "order"],
            &[],
            Some(&json!({ "order": args.ids })),
        )
        .await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    // Show the new order with names, as the server now runs it.
    let listed = client
        .get(&["v1", "functions"], &[("scene", args.scene.clone())])
        .await?;
    let mut table = render::table(&["#", "ID", "NAME", "ENABLED", "ASYNC"]);
    for (position, f) in records(&listed).iter().enumerate() {
        table.add_row(vec![
            (position + 1).to_string(),
            render::text(f, "funcId").to_string(),
            render::text(f, "funcName").to_string(),
            render::yes_no(&f["enabled"]).to_string(),
            render::yes_no(&f["isAsynchronous"]).to_string(),
        ]);
    }
    out!("{} runs, in order:", args.scene);
    render::print(&table);
    Ok(())
}
