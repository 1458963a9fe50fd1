//! The HTTP side of the client commands: the key pair exchanged for a token,
//! the envelope unwrapped, and every failure sorted into a [`CliError`].

use super::CliError;
use super::config::{Config, ENV_CA_CERT};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Renew the token this long before the server says it expires, so a request
/// never leaves with a token that dies on the way (`logs --follow` runs for hours).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// A server that does not accept the connection by then is not coming.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One request at most: an invoke or scene run waits for its functions (each
/// up to 60 s) and for a free sandbox.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// Every response's envelope (DESIGN §7).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    status_code: u16,
    #[serde(default)]
    message: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    data: Value,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
    expires_in: u64,
}

/// A connection to one hookbox server, as one tenant's key.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    config: Config,
    /// The current token and when to renew it.
    token: Option<(String, Instant)>,
}

impl Client {
    pub fn new(config: Config) -> Result<Self, CliError> {
        let mut base = Url::parse(config.url.trim()).map_err(|e| {
            CliError::Usage(format!("the server URL {:?} is not a URL: {e}", config.url))
        })?;
        // hookbox serves plain HTTP; https reaches it through whatever
        // terminates TLS in front of it (rustls, the Mozilla roots, plus
        // HOOKBOX_CA_CERT).
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(CliError::Usage(format!(
                "the server URL {:?} must start with http:// or https://",
                config.url
            )));
        }
        // Paths are appended segment by segment below a base that ends in '/'.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("hookbox-cli/", env!("CARGO_PKG_VERSION")));
        for cert in extra_roots()? {
            http = http.add_root_certificate(cert);
        }
        let http = http
            .build()
            .map_err(|e| CliError::Usage(format!("cannot start an HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            config,
            token: None,
        })
    }

    /// `GET` a route given as path segments (each one percent-encoded).
    pub async fn get(
        &mut self,
        path: &[&str],
        query: &[(&str, String)],
    ) -> Result<Value, CliError> {
        self.call(Method::GET, path, query, None).await
    }

    /// Calls a native route with a bearer token and returns the envelope's
    /// `data`. A token the server no longer accepts (it was restarted with a
    /// new key, or the clock ran past it) is renewed once.
    pub async fn call(
        &mut self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CliError> {
        let url = self.url(path, query);
        let mut renewed = false;
        loop {
            let token = self.token().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token);
            if let Some(body) = body {
                request = request.json(body);
            }
            match self.send(request, &url).await {
                Err(CliError::Api { status: 401, .. }) if !renewed => {
                    self.token = None;
                    renewed = true;
                }
                other => return other,
            }
        }
    }

    /// Calls a route with the server admin key as the bearer (no token
    /// exchange) and returns the envelope's `data`.
    pub async fn admin(
        &mut self,
        method: Method,
        path: &[&str],
        admin_key: &str,
        body: Option<super::packages::Body>,
    ) -> Result<Value, CliError> {
        let url = self.url(path, &[]);
        let mut request = self
            .http
            .request(method, url.clone())
            .bearer_auth(admin_key);
        request = match body {
            Some(super::packages::Body::Json(v)) => request.json(&v),
            Some(super::packages::Body::Tarball(bytes)) => request
                .header("content-type", "application/gzip")
                .body(bytes),
            None => request,
        };
        self.send(request, &url).await
    }

    fn url(&self, path: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked in new: the base URL can be a base")
            .pop_if_empty()
            .extend(path);
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    async fn token(&mut self) -> Result<String, CliError> {
        if let Some((token, renew_at)) = &self.token
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let url = self.url(&["api", "v3", "get-management-token"], &[]);
        let body = json!({
            "accessKeyId": self.config.access_key_id,
            "accessKeySecret": self.config.access_key_secret,
        });
        let data = self
            .send(self.http.post(url.clone()).json(&body), &url)
            .await?;
        let token: Token = serde_json::from_value(data).map_err(|e| CliError::Unexpected {
            url: url.to_string(),
            status: 200,
            body: format!("no token in the answer ({e})"),
        })?;
        let lifetime = Duration::from_secs(token.expires_in).saturating_sub(TOKEN_MARGIN);
        self.token = Some((token.access_token.clone(), Instant::now() + lifetime));
        Ok(token.access_token)
    }

    async fn send(&self, request: reqwest::RequestBuilder, url: &Url) -> Result<Value, CliError> {
        let unreachable = |e: reqwest::Error| CliError::Unreachable {
            url: url.to_string(),
            cause: cause(&e),
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        match serde_json::from_str::<Envelope>(&text) {
            Ok(envelope) if status.is_success() && envelope.status_code == 200 => Ok(envelope.data),
            // Some fronts answer HTTP 200 with the error's status in the
            // body; report whichever says what went wrong.
            Ok(envelope) => Err(CliError::Api {
                status: if status.is_success() {
                    envelope.status_code
                } else {
                    status.as_u16()
                },
                message: envelope.message,
                request_id: envelope.request_id,
            }),
            Err(_) => Err(CliError::Unexpected {
                url: url.to_string(),
                status: status.as_u16(),
                body: text.chars().take(200).collect(),
            }),
        }
    }
}

/// Certificates to trust besides the Mozilla roots: the PEM bundle named by
/// [`ENV_CA_CERT`] (a private CA in front of hookbox), if set.
fn extra_roots() -> Result<Vec<reqwest::Certificate>, CliError> {
    let Some(path) = std::env::var_os(ENV_CA_CERT).filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let shown = std::path::Path::new(&path).display().to_string();
    let pem = std::fs::read(&path)
        .map_err(|e| CliError::Usage(format!("{ENV_CA_CERT}: reading {shown}: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| CliError::Usage(format!("{ENV_CA_CERT}: {shown} is not a PEM bundle: {e}")))?;
    if certs.is_empty() {
        return Err(CliError::Usage(format!(
            "{ENV_CA_CERT}: {shown} holds no PEM certificate"
        )));
    }
    Ok(certs)
}

/// What went wrong below reqwest, without its "error sending request for
/// url (…)" preamble, which the caller's message already says.
fn cause(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the request timed out".to_string();
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // hyper's "client error (Connect)" only says which layer failed.
        if !text.starts_with("client error (") && !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Result<Client, CliError> {
        Client::new(Config {
            url: url.to_string(),
            access_key_id: "id".into(),
            access_key_secret: "secret".into(),
        })
    }

    #[test]
    fn http_and_https_urls_are_accepted_with_their_path_kept() {
        for (url, base) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            (
                "https://hookbox.example.com",
                "https://hookbox.example.com/",
            ),
            (
                " https://gw.example.com:8443/hookbox ",
                "https://gw.example.com:8443/hookbox/",
            ),
        ] {
            let c = client(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(c.base.as_str(), base);
            assert_eq!(
                c.url(&["v1", "functions"], &[]).as_str(),
                format!("{base}v1/functions")
            );
        }
    }

    #[test]
    fn other_schemes_are_a_usage_error() {
        for url in [
            "ftp://example.com",
            "mailto:ops@example.com",
            "127.0.0.1:8080",
            "x",
        ] {
            match client(url) {
                Err(CliError::Usage(m)) => assert!(
                    m.contains("http:// or https://") || m.contains("is not a URL"),
                    "{url}: {m}"
                ),
                Err(e) => panic!("{url}: {e}"),
                Ok(_) => panic!("{url} was accepted"),
            }
        }
    }
}
