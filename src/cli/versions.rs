//! `hookbox versions`, `hookbox deploy ID --version N` and `hookbox
//! rollback`: a function's kept versions, and which one it runs.

use super::client::Client;
use super::{CliError, Conn, parse_json, print_json, print_outcome, render};
use clap::Args;
use reqwest::Method;
use serde_json::Value;

#[derive(Args)]
pub struct VersionsArgs {
    /// The function's id (`hookbox ls` shows it).
    id: String,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Args)]
pub struct RollbackArgs {
    /// The function's id.
    id: String,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Args)]
pub struct UpdateArgs {
    /// The function's id.
    id: String,
    /// Its new source.
    file: std::path::PathBuf,
    /// Save it as a new version without deploying it (`hookbox test ID`
    /// runs it, `hookbox deploy ID --version N` deploys it).
    #[arg(long)]
    draft: bool,
    #[command(flatten)]
    pub(super) conn: Conn,
}

/// Replaces a function's source: a new version, deployed unless `--draft`.
/// Exits 1 when it does not compile (the version is kept, failed).
pub async fn update(client: &mut Client, args: UpdateArgs, json: bool) -> Result<(), CliError> {
    let file = args.file.display().to_string();
    let source = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::Usage(format!("reading {file}: {e}")))?;
    let mut body = serde_json::json!({ "sourceCode": source });
    if args.draft {
        body["draft"] = Value::Bool(true);
    }
    let data = client
        .call(
            Method::PATCH,
            &["v1", "functions", &args.id],
            &[],
            Some(&body),
        )
        .await?;
    if json {
        print_json(&data);
    } else if args.draft {
        out!(
            "saved version {} of function {} as a draft; it runs {}",
            data["latestVersion"],
            args.id,
            runs(&data)
        );
    } else {
        out!(
            "function {} now runs {} (status {})",
            args.id,
            runs(&data),
            render::text(&data, "status")
        );
    }
    // A failed draft leaves the function as it was; a failed update is
    // what it runs now.
    if !args.draft && data["status"] == "failed" {
        return Err(CliError::Failed(format!(
            "{file} does not compile: {}\nThe function keeps it as version {} with status \"failed\"; \
             scene runs skip it until you roll back or update it.",
            render::text(&data, "uploadErrMsg"),
            data["deployedVersion"],
        )));
    }
    Ok(())
}

#[derive(Args)]
pub struct TestArgs {
    /// The function's id.
    id: String,
    /// The version to run [default: the newest].
    #[arg(long, value_name = "N")]
    version: Option<u64>,
    /// The `user` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    user: String,
    /// The `context` passed to the function (JSON).
    #[arg(long, default_value = "{}")]
    context: String,
    /// The `event` passed to a handler or an Action (JSON).
    #[arg(long)]
    event: Option<String>,
    #[command(flatten)]
    pub(super) conn: Conn,
}

/// Runs a version against the input; prints its outcome like `invoke`.
pub async fn test(client: &mut Client, args: TestArgs, json: bool) -> Result<(), CliError> {
    let mut body = serde_json::json!({
        "user": parse_json("user", &args.user)?,
        "context": parse_json("context", &args.context)?,
    });
    if let Some(event) = &args.event {
        body["event"] = parse_json("event", event)?;
    }
    let query: Vec<(&str, String)> = args
        .version
        .iter()
        .map(|n| ("version", n.to_string()))
        .collect();
    let data = client
        .call(
            Method::POST,
            &["v1", "functions", &args.id, "test"],
            &query,
            Some(&body),
        )
        .await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    render::field("version", &data["version"].to_string());
    print_outcome(&data);
    Ok(())
}

/// Lists the kept versions, newest first; `*` marks the deployed one, `~P%`
/// one in a gradual deployment.
pub async fn versions(client: &mut Client, args: VersionsArgs, json: bool) -> Result<(), CliError> {
    let data = client
        .get(&["v1", "functions", &args.id, "versions"], &[])
        .await?;
    if json {
        print_json(&data);
        return Ok(());
    }
    let list = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut table = render::table(&[
        "", "VERSION", "STATUS", "TIMEOUT", "MEMORY", "ARTIFACT", "CREATED",
    ]);
    for v in list {
        let sha = render::text(v, "artifactSha256");
        table.add_row(vec![
            if v["deployed"] == Value::Bool(true) {
                "*".to_string()
            } else if data["gradual"]["version"] == v["number"] {
                format!("~{}%", data["gradual"]["percent"])
            } else {
                String::new()
            },
            v["number"].to_string(),
            render::text(v, "status").to_string(),
            format!("{}s", v["timeout"]),
            format!("{} MiB", v["memoryLimitMb"]),
            sha.get(..12).unwrap_or(sha).to_string(),
            render::time(render::text(v, "createdAt")),
        ]);
    }
    render::print(&table);
    Ok(())
}

/// Deploys version `number` of function `id`, to every call or, with
/// `percent`, to that share of users.
pub async fn deploy_version(
    client: &mut Client,
    id: &str,
    number: u64,
    percent: Option<u8>,
    json: bool,
) -> Result<(), CliError> {
    let n = number.to_string();
    let body = percent.map(|p| serde_json::json!({ "percent": p }));
    let data = client
        .call(
            Method::POST,
            &["v1", "functions", id, "versions", &n, "deploy"],
            &[],
            body.as_ref(),
        )
        .await?;
    report(&data, json);
    Ok(())
}

/// Deploys the version before the deployed one.
pub async fn rollback(client: &mut Client, args: RollbackArgs, json: bool) -> Result<(), CliError> {
    let before = client.get(&["v1", "functions", &args.id], &[]).await?;
    let data = client
        .call(
            Method::POST,
            &["v1", "functions", &args.id, "rollback"],
            &[],
            None,
        )
        .await?;
    let gradual = &before["gradual"];
    if !json && gradual.is_object() {
        out!(
            "ended the gradual deployment of version {}: function {} runs version {} for every call",
            gradual["version"],
            args.id,
            data["deployedVersion"]
        );
        return Ok(());
    }
    report(&data, json);
    Ok(())
}

/// What a function runs, from its record: `version N`, or both versions of
/// a gradual deployment.
fn runs(data: &Value) -> String {
    let gradual = &data["gradual"];
    if gradual.is_object() {
        return format!(
            "version {} for {}% of users and version {} for the rest",
            gradual["version"], gradual["percent"], data["deployedVersion"]
        );
    }
    format!("version {}", data["deployedVersion"])
}

fn report(data: &Value, json: bool) {
    if json {
        print_json(data);
        return;
    }
    let now = if data["gradual"].is_object() {
        ""
    } else {
        "now "
    };
    out!(
        "function {} {now}runs {} (latest {})",
        render::text(data, "funcId"),
        runs(data),
        data["latestVersion"]
    );
}
