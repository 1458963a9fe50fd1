//! `hookbox connection …`: a tenant's custom database connections (Auth0's
//! database action scripts) over `/v1/connections`: create one from script
//! files, list, show, update, delete, run one script as the gateway does, and
//! read its runs' log.

use super::client::Client;
use super::{CONFIG_HELP, CliError, Conn, parse_json, print_json, render};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

#[derive(Args)]
pub struct ConnectionArgs {
    #[command(subcommand)]
    command: ConnectionCommand,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Subcommand)]
enum ConnectionCommand {
    /// Create a connection from script files; the server compiles each before it answers.
    ///
    /// Scripts: login, get_user, create, verify, change_password, change_email, delete.
    #[command(after_help = CONFIG_HELP)]
    Create {
        /// Its name, unique in the tenant.
        name: String,
        /// A script and the file holding it (repeatable): `--script login=login.js`.
        #[arg(long = "script", value_name = "SCRIPT=FILE")]
        scripts: Vec<String>,
        /// A configuration value, the scripts' `configuration.KEY` (repeatable).
        /// Stored sealed; never shown again.
        #[arg(long = "config", value_name = "KEY=VALUE")]
        config: Vec<String>,
        /// Seconds each script run may take (1–60) [server default: 20].
        #[arg(long, value_name = "SECS")]
        timeout: Option<u32>,
    },
    /// List the connections.
    #[command(after_help = CONFIG_HELP)]
    List,
    /// Show one connection: its scripts' sources and its configuration's names.
    #[command(after_help = CONFIG_HELP)]
    Get { name: String },
    /// Change scripts, configuration values or the timeout; what is not named stays.
    #[command(after_help = CONFIG_HELP)]
    Update {
        name: String,
        /// Set a script from a file (repeatable).
        #[arg(long = "script", value_name = "SCRIPT=FILE")]
        scripts: Vec<String>,
        /// Remove a script (repeatable).
        #[arg(long = "remove-script", value_name = "SCRIPT")]
        remove_scripts: Vec<String>,
        /// Set a configuration value (repeatable).
        #[arg(long = "config", value_name = "KEY=VALUE")]
        config: Vec<String>,
        /// Remove a configuration value (repeatable).
        #[arg(long = "unset-config", value_name = "KEY")]
        unset_config: Vec<String>,
        /// Seconds each script run may take (1–60).
        #[arg(long, value_name = "SECS")]
        timeout: Option<u32>,
    },
    /// Delete a connection, with its scripts, configuration and log.
    #[command(after_help = CONFIG_HELP)]
    Delete { name: String },
    /// Run one of a connection's scripts once and print its outcome.
    ///
    /// Exits 0 whatever the outcome: a wrong password is an answer.
    #[command(after_help = CONFIG_HELP)]
    Run {
        name: String,
        /// login, get_user, create, verify, change_password, change_email or delete.
        script: String,
        /// The script's arguments before its callback, as a JSON array:
        /// `--args '["ada@example.com", "pw"]'`.
        #[arg(long, default_value = "[]")]
        args: String,
    },
    /// The connection's script runs, newest first.
    #[command(after_help = CONFIG_HELP)]
    Logs {
        name: String,
        /// How many records (1–100).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        limit: u16,
    },
}

pub(super) async fn run(
    client: &mut Client,
    args: ConnectionArgs,
    json: bool,
) -> Result<(), CliError> {
    match args.command {
        ConnectionCommand::Create {
            name,
            scripts,
            config,
            timeout,
        } => {
            let mut body = json!({
                "name": name,
                "scripts": scripts_from_files(&scripts)?,
                "configuration": pairs("config", &config)?,
            });
            if let Some(timeout) = timeout {
                body["timeout"] = json!(timeout);
            }
            let data = client
                .call(Method::POST, &["v1", "connections"], &[], Some(&body))
                .await?;
            show(&data, json, false);
        }
        ConnectionCommand::List => {
            let data = client.get(&["v1", "connections"], &[]).await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let list = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            if list.is_empty() {
                out!("no connections");
                return Ok(());
            }
            let mut table =
                render::table(&["NAME", "SCRIPTS", "CONFIGURATION", "TIMEOUT", "UPDATED"]);
            for c in list {
                table.add_row(vec![
                    render::text(c, "name").to_string(),
                    keys(&c["scripts"]),
                    names(&c["configuration"]),
                    format!("{}s", c["timeout"]),
                    render::time(render::text(c, "updatedAt")),
                ]);
            }
            render::print(&table);
        }
        ConnectionCommand::Get { name } => {
            let data = client.get(&["v1", "connections", &name], &[]).await?;
            show(&data, json, true);
        }
        ConnectionCommand::Update {
            name,
            scripts,
            remove_scripts,
            config,
            unset_config,
            timeout,
        } => {
            let mut set_scripts = scripts_from_files(&scripts)?;
            for script in remove_scripts {
                set_scripts.insert(script, Value::Null);
            }
            let mut set_config = pairs("config", &config)?;
            for key in unset_config {
                set_config.insert(key, Value::Null);
            }
            let mut body = json!({});
            if !set_scripts.is_empty() {
                body["scripts"] = Value::Object(set_scripts);
            }
            if !set_config.is_empty() {
                body["configuration"] = Value::Object(set_config);
            }
            if let Some(timeout) = timeout {
                body["timeout"] = json!(timeout);
            }
            if body.as_object().is_some_and(Map::is_empty) {
                return Err(CliError::Usage(
                    "nothing to update: pass --script, --remove-script, --config, --unset-config or --timeout".into(),
                ));
            }
            let data = client
                .call(
                    Method::PATCH,
                    &["v1", "connections", &name],
                    &[],
                    Some(&body),
                )
                .await?;
            show(&data, json, false);
        }
        ConnectionCommand::Delete { name } => {
            let data = client
                .call(Method::DELETE, &["v1", "connections", &name], &[], None)
                .await?;
            if json {
                print_json(&data);
            } else {
                out!("deleted connection {name}");
            }
        }
        ConnectionCommand::Run { name, script, args } => {
            let args = parse_json("args", &args)?;
            if !args.is_array() {
                return Err(CliError::Usage(
                    "--args must be a JSON array: the script's arguments before its callback"
                        .into(),
                ));
            }
            let data = client
                .call(
                    Method::POST,
                    &["v1", "connections", &name, "scripts", &script, "run"],
                    &[],
                    Some(&json!({ "args": args })),
                )
                .await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            render::field("outcome", render::text(&data, "outcome"));
            render::field(
                "duration",
                &render::duration(data["durationUs"].as_u64().unwrap_or(0)),
            );
            let error = &data["error"];
            if !error.is_null() {
                render::field("error", &render::error(error, true));
                // The error class's own fields (`user_id`, `code`, …).
                for (key, value) in error.as_object().into_iter().flatten() {
                    if !matches!(key.as_str(), "name" | "message" | "stack") {
                        render::field(key, &plain(value));
                    }
                }
            }
            let console = render::console(&data["logs"]);
            if !console.is_empty() {
                render::field("logs", &console.join("\n"));
            }
            // A value or null (get_user's "no such user") answers; after an
            // error there is none.
            if error.is_null() {
                render::json_block("result", &data["result"]);
            }
        }
        ConnectionCommand::Logs { name, limit } => {
            let query = [("limit", limit.to_string())];
            let data = client
                .get(&["v1", "connections", &name, "logs"], &query)
                .await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let list = data["list"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            if list.is_empty() {
                out!("no runs logged yet");
                return Ok(());
            }
            let mut table = render::table(&[
                "AT",
                "SCRIPT",
                "OUTCOME",
                "DURATION",
                "REQUEST ID",
                "ERROR",
                "CONSOLE",
            ]);
            render::cap_width(&mut table, 5, 60);
            render::cap_width(&mut table, 6, 60);
            for record in list {
                table.add_row(vec![
                    render::time(render::text(record, "at")),
                    render::text(record, "script").to_string(),
                    render::text(record, "outcome").to_string(),
                    render::duration(record["durationUs"].as_u64().unwrap_or(0)),
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
        }
    }
    Ok(())
}

/// A connection as a summary (`get`: with each script's source below).
fn show(data: &Value, json: bool, sources: bool) {
    if json {
        print_json(data);
        return;
    }
    render::field("name", render::text(data, "name"));
    render::field("scripts", &keys(&data["scripts"]));
    render::field("config", &names(&data["configuration"]));
    render::field("timeout", &format!("{}s", data["timeout"]));
    render::field("version", &data["version"].to_string());
    render::field("updated", &render::time(render::text(data, "updatedAt")));
    if sources {
        for (script, source) in data["scripts"].as_object().into_iter().flatten() {
            out!("");
            out!("{script}:");
            for line in source.as_str().unwrap_or_default().lines() {
                out!("  {line}");
            }
        }
    }
}

/// `SCRIPT=FILE` flags as `{script: source}`.
fn scripts_from_files(flags: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut scripts = Map::new();
    for (script, file) in split_pairs("script", flags)? {
        let path = PathBuf::from(&file);
        let source = std::fs::read_to_string(&path)
            .map_err(|e| CliError::Usage(format!("reading {file}: {e}")))?;
        scripts.insert(script, Value::String(source));
    }
    Ok(scripts)
}

/// `KEY=VALUE` flags as `{key: value}`.
fn pairs(flag: &str, flags: &[String]) -> Result<Map<String, Value>, CliError> {
    Ok(split_pairs(flag, flags)?
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

fn split_pairs(flag: &str, flags: &[String]) -> Result<Vec<(String, String)>, CliError> {
    flags
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(CliError::Usage(format!(
                "--{flag} takes NAME=VALUE, got {pair:?}"
            ))),
        })
        .collect()
}

/// An object's keys, comma-separated (`-` for none).
fn keys(value: &Value) -> String {
    let keys: Vec<&str> = value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .collect();
    if keys.is_empty() {
        "-".into()
    } else {
        keys.join(", ")
    }
}

/// An array of names, comma-separated (`-` for none).
fn names(value: &Value) -> String {
    let names: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}

/// A value as a person reads it: strings without quotes.
fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}
