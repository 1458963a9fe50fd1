//! Where the client commands find their server and key pair: the `--url`
//! flag, then `HOOKBOX_*` environment variables, then a TOML file.

use super::CliError;
use serde::Deserialize;
use std::path::PathBuf;

pub const ENV_URL: &str = "HOOKBOX_URL";
pub const ENV_KEY_ID: &str = "HOOKBOX_ACCESS_KEY_ID";
pub const ENV_KEY_SECRET: &str = "HOOKBOX_ACCESS_KEY_SECRET";
/// A PEM file of certificates the client trusts besides the Mozilla roots,
/// for an `https://` URL whose certificate a private CA issued.
pub const ENV_CA_CERT: &str = "HOOKBOX_CA_CERT";
/// Overrides the config file's location (tests point it at a file of their own).
pub const ENV_CONFIG: &str = "HOOKBOX_CONFIG";

/// A server and the key pair to exchange for a token there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub url: String,
    pub access_key_id: String,
    pub access_key_secret: String,
}

/// The config file's shape. Unknown keys are refused, so a typo is reported
/// instead of being silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    url: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
}

/// `$HOOKBOX_CONFIG`, else `$XDG_CONFIG_HOME/hookbox/config.toml`, else
/// `~/.config/hookbox/config.toml`.
pub fn config_path() -> PathBuf {
    if let Some(path) = env_var(ENV_CONFIG) {
        return PathBuf::from(path);
    }
    env_var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env_var("HOME").map(|home| PathBuf::from(home).join(".config")))
        .unwrap_or_else(|| PathBuf::from(".config"))
        .join("hookbox")
        .join("config.toml")
}

/// Resolves each value separately, so the file can hold the key pair while
/// `--url` points at another server. The file is read only when a value is
/// still missing, so a broken file does not stand in the way of a complete
/// environment.
pub fn resolve(url_flag: Option<&str>) -> Result<Config, CliError> {
    let mut url = url_flag.map(str::to_string).or_else(|| env_var(ENV_URL));
    let mut id = env_var(ENV_KEY_ID);
    let mut secret = env_var(ENV_KEY_SECRET);
    let path = config_path();
    let mut file_found = false;
    if url.is_none() || id.is_none() || secret.is_none() {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                file_found = true;
                let file: FileConfig = toml::from_str(&text).map_err(|e| {
                    CliError::Usage(format!(
                        "{} is not a valid config file: {e}",
                        path.display()
                    ))
                })?;
                url = url.or(file.url.filter(|v| !v.trim().is_empty()));
                id = id.or(file.access_key_id.filter(|v| !v.trim().is_empty()));
                secret = secret.or(file.access_key_secret.filter(|v| !v.trim().is_empty()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CliError::Usage(format!("reading {}: {e}", path.display())));
            }
        }
    }
    match (url, id, secret) {
        (Some(url), Some(access_key_id), Some(access_key_secret)) => Ok(Config {
            url,
            access_key_id,
            access_key_secret,
        }),
        (url, id, secret) => {
            let missing: Vec<&str> = [
                (url.is_none(), "url"),
                (id.is_none(), "access_key_id"),
                (secret.is_none(), "access_key_secret"),
            ]
            .into_iter()
            .filter_map(|(absent, name)| absent.then_some(name))
            .collect();
            Err(CliError::Usage(format!(
                "no hookbox server configured (missing {missing}).\n\
                 Set {ENV_URL}, {ENV_KEY_ID} and {ENV_KEY_SECRET} (`hookbox serve` prints \
                 the export lines on its first start),\n\
                 or write url, access_key_id and access_key_secret to {path} ({state}), e.g.\n\
                 \n  url = \"http://127.0.0.1:8080\"\n  access_key_id = \"…\"\n  \
                 access_key_secret = \"…\"",
                missing = missing.join(", "),
                path = path.display(),
                state = if file_found { "found" } else { "not found" },
            )))
        }
    }
}

/// An environment variable, treating empty as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
