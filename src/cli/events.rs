//! `hookbox events …` and `hookbox deliveries …`: send events, list the
//! event types, and see and replay deliveries (over `/v1/events`,
//! `/v1/event-types` and `/v1/deliveries`).

use super::client::Client;
use super::{CONFIG_HELP, CliError, Conn, parse_json, print_json, render};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Args)]
pub struct EventsArgs {
    #[command(subcommand)]
    command: EventsCommand,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Send an event: every enabled function that handles it gets it, in
    /// order, at least once. Prints the deliveries queued.
    #[command(after_help = CONFIG_HELP)]
    Send {
        /// Its number (2000) or name (AUTH_LOGIN).
        event: String,
        /// The event's data (JSON object), e.g. '{"user_id":"u1","email":"a@b.c"}'.
        #[arg(long, default_value = "{}")]
        data: String,
        /// The user who caused it (JSON object).
        #[arg(long)]
        user: Option<String>,
    },
    /// The platform's events and the tenant's own.
    #[command(after_help = CONFIG_HELP)]
    Types,
    /// Define (or rename) one of the tenant's own events, numbered 10000–999999.
    #[command(after_help = CONFIG_HELP)]
    Define { number: u32, name: String },
}

#[derive(Args)]
pub struct DeliveriesArgs {
    #[command(subcommand)]
    command: DeliveriesCommand,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Subcommand)]
enum DeliveriesCommand {
    /// The tenant's deliveries still pending or failed, oldest first.
    #[command(after_help = CONFIG_HELP)]
    Ls {
        /// Only `pending` or only `failed` ones.
        #[arg(long)]
        status: Option<String>,
        /// At most this many (1–1000).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Replay a failed delivery: it goes to the end of its function's queue.
    #[command(after_help = CONFIG_HELP)]
    Retry { id: String },
}

/// `events` as the API takes it: a number stays a number.
fn event_ref(event: &str) -> Value {
    event
        .parse::<u32>()
        .map_or_else(|_| json!(event), |n| json!(n))
}

pub async fn events(client: &mut Client, args: EventsArgs, json: bool) -> Result<(), CliError> {
    match args.command {
        EventsCommand::Send { event, data, user } => {
            let mut body =
                json!({ "event": event_ref(&event), "data": parse_json("data", &data)? });
            if let Some(user) = user {
                body["user"] = parse_json("user", &user)?;
            }
            let data = client
                .call(Method::POST, &["v1", "events"], &[], Some(&body))
                .await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let list = data["deliveries"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                out!("no enabled function handles {event}: nothing queued");
            }
            for d in list {
                out!(
                    "queued {} for {}",
                    render::text(&d, "id"),
                    render::text(&d, "funcId")
                );
            }
        }
        EventsCommand::Types => {
            let data = client.get(&["v1", "event-types"], &[]).await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let mut table = render::table(&["number", "name", "data", "whose"]);
            for t in data["list"].as_array().into_iter().flatten() {
                let fields: Vec<&str> = t["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                table.add_row(vec![
                    t["number"].to_string(),
                    render::text(t, "name").to_string(),
                    fields.join(", "),
                    if t["platform"] == true {
                        "platform"
                    } else {
                        "tenant"
                    }
                    .to_string(),
                ]);
            }
            render::print(&table);
        }
        EventsCommand::Define { number, name } => {
            let number = number.to_string();
            let data = client
                .call(
                    Method::PUT,
                    &["v1", "event-types", &number],
                    &[],
                    Some(&json!({ "name": name })),
                )
                .await?;
            if json {
                print_json(&data);
            } else {
                out!(
                    "event {} is {}",
                    data["number"],
                    render::text(&data, "name")
                );
            }
        }
    }
    Ok(())
}

pub async fn deliveries(
    client: &mut Client,
    args: DeliveriesArgs,
    json: bool,
) -> Result<(), CliError> {
    match args.command {
        DeliveriesCommand::Ls { status, limit } => {
            let mut query = vec![("limit", limit.to_string())];
            if let Some(status) = status {
                query.push(("status", status));
            }
            let data = client.get(&["v1", "deliveries"], &query).await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            let mut table = render::table(&[
                "id",
                "function",
                "event",
                "status",
                "attempts",
                "last error",
                "created",
            ]);
            for d in data["list"].as_array().into_iter().flatten() {
                table.add_row(vec![
                    render::text(d, "id").to_string(),
                    render::text(d, "funcId").to_string(),
                    format!("{} {}", d["event"], render::text(d, "eventName")),
                    render::text(d, "status").to_string(),
                    d["attempts"].to_string(),
                    render::text(d, "lastError").to_string(),
                    render::time(render::text(d, "createdAt")),
                ]);
            }
            render::cap_width(&mut table, 5, 60);
            render::print(&table);
        }
        DeliveriesCommand::Retry { id } => {
            let data = client
                .call(Method::POST, &["v1", "deliveries", &id, "retry"], &[], None)
                .await?;
            if json {
                print_json(&data);
            } else {
                out!("{id} is queued again for {}", render::text(&data, "funcId"));
            }
        }
    }
    Ok(())
}
