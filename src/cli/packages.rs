//! `hookbox packages …`: the server's npm package catalogue over
//! `/v1/packages`. Listing takes any key; adding and removing take the
//! server admin key (`HOOKBOX_ADMIN_KEY`, as `hookbox serve` reads it).

use super::client::Client;
use super::config::{self, Config};
use super::{CONFIG_HELP, CliError, Conn, print_json, render};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The variable holding the server admin key.
const ENV_ADMIN_KEY: &str = "HOOKBOX_ADMIN_KEY";

#[derive(Args)]
pub struct PackagesArgs {
    #[command(subcommand)]
    command: PackagesCommand,
    #[command(flatten)]
    pub(super) conn: Conn,
}

#[derive(Subcommand)]
enum PackagesCommand {
    /// List the catalogue: built-in packages, then those an operator added.
    #[command(after_help = CONFIG_HELP)]
    Ls,
    /// Add a package: a tarball (`npm pack` writes one), or NAME[@VERSION]
    /// fetched with the dependencies the catalogue lacks from the registry
    /// the server was started with (`--npm-registry`). Needs $HOOKBOX_ADMIN_KEY.
    #[command(after_help = CONFIG_HELP)]
    Add {
        /// A `.tgz` file, or NAME, NAME@VERSION or NAME@RANGE.
        package: String,
    },
    /// Remove an added package (refused while a function depends on it).
    /// Needs $HOOKBOX_ADMIN_KEY.
    #[command(after_help = CONFIG_HELP)]
    Rm {
        /// NAME@VERSION.
        package: String,
    },
}

/// Runs a `packages` command. It resolves its own configuration: with the
/// admin key, only the server URL is needed.
pub async fn run(args: PackagesArgs) -> Result<(), CliError> {
    let json = args.conn.json;
    let admin_key = std::env::var(ENV_ADMIN_KEY)
        .ok()
        .filter(|k| !k.trim().is_empty());
    let config = match (&admin_key, config::resolve(args.conn.url.as_deref())) {
        (_, Ok(config)) => config,
        (Some(_), Err(e)) => {
            let url = args
                .conn
                .url
                .clone()
                .or_else(|| std::env::var(config::ENV_URL).ok())
                .ok_or(e)?;
            Config {
                url,
                access_key_id: String::new(),
                access_key_secret: String::new(),
            }
        }
        (None, Err(e)) => return Err(e),
    };
    let mut client = Client::new(config)?;
    let need_admin = || {
        admin_key.clone().ok_or_else(|| {
            CliError::Usage(format!(
                "adding or removing packages needs the server admin key: set {ENV_ADMIN_KEY}"
            ))
        })
    };
    match args.command {
        PackagesCommand::Ls => {
            let data = match &admin_key {
                Some(key) => {
                    client
                        .admin(Method::GET, &["v1", "packages"], key, None)
                        .await?
                }
                None => client.get(&["v1", "packages"], &[]).await?,
            };
            if json {
                print_json(&data);
                return Ok(());
            }
            let mut table = render::table(&["NAME", "VERSION", "LICENSE", "SOURCE"]);
            for p in data.as_array().into_iter().flatten() {
                table.add_row(vec![
                    render::text(p, "name").to_string(),
                    render::text(p, "version").to_string(),
                    render::text(p, "license").to_string(),
                    if p["builtIn"] == json!(true) {
                        "built in"
                    } else {
                        "added"
                    }
                    .to_string(),
                ]);
            }
            render::print(&table);
            Ok(())
        }
        PackagesCommand::Add { package } => {
            let key = need_admin()?;
            let path = PathBuf::from(&package);
            let body =
                if package.ends_with(".tgz") || package.ends_with(".tar.gz") || path.is_file() {
                    let bytes = std::fs::read(&path)
                        .map_err(|e| CliError::Usage(format!("reading {}: {e}", path.display())))?;
                    Body::Tarball(bytes)
                } else {
                    let (name, version) = split_spec(&package);
                    Body::Json(json!({ "name": name, "version": version.unwrap_or("latest") }))
                };
            let data = client
                .admin(Method::POST, &["v1", "packages"], &key, Some(body))
                .await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            for p in data["added"].as_array().into_iter().flatten() {
                out!(
                    "added {}@{}",
                    render::text(p, "name"),
                    render::text(p, "version")
                );
            }
            for u in data["unresolved"].as_array().into_iter().flatten() {
                out!(
                    "not in the catalogue yet: {}",
                    u.as_str().unwrap_or_default()
                );
            }
            for d in data["dropped"].as_array().into_iter().flatten() {
                out!("left out, not CommonJS: {}", d.as_str().unwrap_or_default());
            }
            Ok(())
        }
        PackagesCommand::Rm { package } => {
            let key = need_admin()?;
            let (name, version) = split_spec(&package);
            let version = version.ok_or_else(|| {
                CliError::Usage(format!(
                    "{package:?}: name the version to remove, NAME@VERSION"
                ))
            })?;
            let data = client
                .admin(
                    Method::DELETE,
                    &["v1", "packages", name, version],
                    &key,
                    None,
                )
                .await?;
            if json {
                print_json(&data);
                return Ok(());
            }
            out!("removed {name}@{version}");
            Ok(())
        }
    }
}

/// What an admin request carries.
pub enum Body {
    Json(Value),
    Tarball(Vec<u8>),
}

/// `name@version` (a scoped `@scope/name@version` too) into its parts.
fn split_spec(spec: &str) -> (&str, Option<&str>) {
    match spec[1.min(spec.len())..].find('@') {
        Some(at) => (&spec[..at + 1], Some(&spec[at + 2..])),
        None => (spec, None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_spec;

    #[test]
    fn specs_split_at_the_version() {
        assert_eq!(split_spec("uuid"), ("uuid", None));
        assert_eq!(split_spec("uuid@3.4.0"), ("uuid", Some("3.4.0")));
        assert_eq!(
            split_spec("@xmldom/xmldom@^0.8"),
            ("@xmldom/xmldom", Some("^0.8"))
        );
        assert_eq!(split_spec("@xmldom/xmldom"), ("@xmldom/xmldom", None));
    }
}
