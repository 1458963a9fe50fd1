//! Outbound HTTP for functions, under the operator's rules.
//!
//! - **Allow-list, per tenant.** A request (and every redirect hop) must name
//!   a host the tenant's admin listed: `hooks.example.com`, `*.slack.com` (any
//!   subdomain, not the bare domain), `hooks.example.com:8443` (that port;
//!   without one, only the scheme's default port), or `*` (any host). Empty,
//!   the default: no outbound access at all.
//! - **No private addresses, ever**, whatever the allow-list says: loopback,
//!   private, link-local (cloud metadata), CGNAT, ULA, unspecified, multicast,
//!   broadcast, reserved, and IPv6 forms that embed such an IPv4 address. Names
//!   are checked *after* resolution, on the addresses the connection uses (a
//!   custom resolver), so DNS cannot smuggle a private address in; literal
//!   addresses are checked before connecting. Only `--outbound-allow-private`
//!   (tests, development) lifts this, server-wide.
//! - **Bounds**: http and https only (rustls), [`MAX_OUTBOUND_REDIRECTS`] hops,
//!   [`MAX_OUTBOUND_RESPONSE_BYTES`] read while streaming, and
//!   [`OUTBOUND_REQUEST_TIMEOUT`] per request. The engine adds the per-call
//!   count, the body size and the call's own deadline.
//!
//! Messages name the host and the rule, never the path or a header (paths
//! and headers carry webhook tokens); nothing here logs a request.

use hookbox_engine::{
    MAX_OUTBOUND_REDIRECTS, MAX_OUTBOUND_RESPONSE_BYTES, OUTBOUND_REQUEST_TIMEOUT, Outbound,
    OutboundError, OutboundFuture, OutboundRequest, OutboundResponse,
};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Most rules one tenant's allow-list may hold.
pub const MAX_ALLOW_RULES: usize = 100;

/// Which non-public addresses functions may reach: none in production.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrivateAccess {
    /// Only public unicast addresses (the default).
    #[default]
    Deny,
    /// Loopback too (tests against servers on 127.0.0.1), nothing else.
    Loopback,
    /// Every address: development only.
    All,
}

impl std::str::FromStr for PrivateAccess {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "off" | "deny" => Ok(Self::Deny),
            "loopback" => Ok(Self::Loopback),
            "1" | "true" | "yes" | "on" | "all" => Ok(Self::All),
            other => Err(format!(
                "expected false, loopback or true (all), got {other:?}"
            )),
        }
    }
}

// ------------------------------------------------------------ the allow-list

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `*.slack.com` kept as `.slack.com`.
    Subdomains(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    host: HostPattern,
    port: Option<u16>,
}

/// A tenant's parsed allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    rules: Vec<Rule>,
}

impl AllowList {
    /// Parses and normalises rules (lower case, duplicates dropped); the
    /// error names the first bad rule and why.
    pub fn parse(rules: &[String]) -> Result<(Self, Vec<String>), String> {
        if rules.len() > MAX_ALLOW_RULES {
            return Err(format!(
                "at most {MAX_ALLOW_RULES} rules, got {}",
                rules.len()
            ));
        }
        let mut parsed = Vec::new();
        let mut normalised: Vec<String> = Vec::new();
        for raw in rules {
            let (rule, text) = parse_rule(raw)?;
            if !normalised.contains(&text) {
                parsed.push(rule);
                normalised.push(text);
            }
        }
        Ok((Self { rules: parsed }, normalised))
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether `host` (as in a URL: lower case, IPv6 in brackets) on `port`
    /// is allowed; `default_port` is the scheme's.
    fn allows(&self, host: &str, port: u16, default_port: u16) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        self.rules.iter().any(|rule| {
            let port_ok = rule.port.map_or(port == default_port, |p| p == port);
            let host_ok = match &rule.host {
                HostPattern::Any => true,
                HostPattern::Exact(h) => h == host,
                HostPattern::Subdomains(suffix) => {
                    host.len() > suffix.len() && host.ends_with(suffix.as_str())
                }
            };
            port_ok && host_ok
        })
    }
}

fn parse_rule(raw: &str) -> Result<(Rule, String), String> {
    let text = raw.trim().to_ascii_lowercase();
    let bad = |why: &str| Err(format!("{raw:?}: {why}"));
    if text.is_empty() {
        return bad("empty rule");
    }
    if text.contains("://") || text.contains('/') || text.contains('@') || text.contains('?') {
        return bad("give a host with an optional :port, not a URL");
    }
    // Split off the port; an IPv6 literal is bracketed.
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return bad("unclosed [");
        };
        if addr.parse::<Ipv6Addr>().is_err() {
            return bad("not an IPv6 address inside [ ]");
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("expected :port after ]")?),
        };
        (format!("[{addr}]"), port)
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (text.clone(), None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Some(n),
            _ => return bad("the port must be a number from 1 to 65535"),
        },
    };
    let pattern = if host == "*" {
        HostPattern::Any
    } else if let Some(domain) = host.strip_prefix("*.") {
        if !valid_domain(domain) {
            return bad("after *. comes a domain name (letters, digits, '-', dots)");
        }
        HostPattern::Subdomains(format!(".{domain}"))
    } else if host.starts_with('[') || host.parse::<Ipv4Addr>().is_ok() || valid_domain(&host) {
        HostPattern::Exact(host)
    } else {
        return bad(
            "a host is a domain name (a.example.com), *.domain, an IPv4 address or [IPv6], with an optional :port",
        );
    };
    Ok((
        Rule {
            host: pattern,
            port,
        },
        text,
    ))
}

/// Refuses a rule that names an address functions may never reach under
/// `access`: a private, loopback, link-local, … IP literal (in any form the
/// URL parser reads as one, `0x7f.1` included) or `localhost` and its
/// subdomains, which always resolve to loopback. The error names the rule and
/// the kind of address. Rules that do not parse are [`AllowList::parse`]'s.
pub fn check_reachable(rules: &[String], access: PrivateAccess) -> Result<(), String> {
    for raw in rules {
        let Ok((rule, _)) = parse_rule(raw) else {
            continue;
        };
        let host = match &rule.host {
            HostPattern::Any => continue,
            HostPattern::Exact(h) => h.as_str(),
            HostPattern::Subdomains(suffix) => suffix.trim_start_matches('.'),
        };
        let host = host.strip_suffix('.').unwrap_or(host);
        let why = if host == "localhost" || host.ends_with(".localhost") {
            forbidden(IpAddr::V4(Ipv4Addr::LOCALHOST), access)
        } else {
            // As the URL parser normalises it: `0x7f.1` becomes 127.0.0.1.
            Url::parse(&format!("http://{host}/"))
                .ok()
                .and_then(|u| {
                    let h = u.host_str()?;
                    let h = h
                        .strip_prefix('[')
                        .and_then(|h| h.strip_suffix(']'))
                        .unwrap_or(h);
                    h.parse::<IpAddr>().ok()
                })
                .and_then(|ip| forbidden(ip, access))
        };
        if let Some(why) = why {
            return Err(format!(
                "{raw:?}: a {why} address, which functions may not reach (only --outbound-allow-private lifts this)"
            ));
        }
    }
    Ok(())
}

fn valid_domain(d: &str) -> bool {
    let d = d.strip_suffix('.').unwrap_or(d);
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

// ------------------------------------------------------------ addresses

/// Why functions may not reach `ip`, if they may not.
pub fn forbidden(ip: IpAddr, access: PrivateAccess) -> Option<&'static str> {
    let why = classify(ip)?;
    match access {
        PrivateAccess::All => None,
        PrivateAccess::Loopback if why == "loopback" => None,
        _ => Some(why),
    }
}

fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b) {
        _ if ip == Ipv4Addr::new(169, 254, 169, 254) => "cloud metadata",
        _ if ip.is_broadcast() => "broadcast",
        (0, _) => "unspecified",
        (127, _) => "loopback",
        (10, _) | (172, 16..=31) | (192, 168) => "private",
        (100, 64..=127) => "carrier-grade NAT",
        (169, 254) => "link-local",
        (192, 0) if c == 0 => "reserved",
        (198, 18..=19) => "reserved",
        (224..=239, _) => "multicast",
        (240..=255, _) => "reserved",
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip == "fd00:ec2::254".parse::<Ipv6Addr>().expect("valid") {
        return Some("cloud metadata");
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    let s = ip.segments();
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
    // (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) carry an IPv4 address:
    // judge that one.
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return classify_v4(embedded(s[6], s[7])).or(Some("reserved").filter(|_| s[5] == 0));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return classify_v4(embedded(s[1], s[2]));
    }
    match s[0] {
        0xfe80..=0xfebf => Some("link-local"),
        0xfec0..=0xfeff => Some("site-local"),
        0xfc00..=0xfdff => Some("unique local (private)"),
        0xff00..=0xffff => Some("multicast"),
        _ => None,
    }
}

/// A refusal raised inside the connector (the resolver), found again in the
/// error chain so the guest gets the rule, not "connect error".
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Refusal {}

/// Resolves names, then drops every address functions may not reach; with
/// none left, the connection is refused. reqwest connects only to what this
/// returns (it bypasses resolution only for literal addresses, which are
/// checked before the request).
struct GuardedResolver {
    access: PrivateAccess,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let access = self.access;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let usable: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match forbidden(addr.ip(), access) {
                    Some(why) => {
                        refused.get_or_insert((addr.ip(), why));
                        false
                    }
                    None => true,
                })
                .collect();
            if usable.is_empty() {
                let message = match refused {
                    Some((ip, why)) => format!(
                        "host {host} resolves to {ip}, a {why} address, which functions may not reach"
                    ),
                    None => format!("host {host} has no addresses"),
                };
                return Err(Box::new(Refusal(message)) as Box<dyn StdError + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs = Box::new(usable.into_iter());
            Ok(addrs)
        })
    }
}

// ------------------------------------------------------------ the client

/// The process's one HTTP client (connection pool, TLS config, resolver).
pub struct OutboundClient {
    http: reqwest::Client,
    access: PrivateAccess,
}

impl OutboundClient {
    pub fn new(access: PrivateAccess) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            // Never through a proxy from the environment: the checks must see
            // the address actually connected to.
            .no_proxy()
            // Redirects are followed here, each hop checked.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver { access }))
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent("hookbox")
            .build()
            .map_err(|e| format!("building the outbound HTTP client: {e}"))?;
        Ok(Self { http, access })
    }

    /// The [`Outbound`] a call of this tenant's functions gets.
    pub fn for_tenant(self: &Arc<Self>, allow: Arc<AllowList>) -> Arc<dyn Outbound> {
        Arc::new(TenantOutbound {
            client: self.clone(),
            allow,
        })
    }

    fn check_target(&self, allow: &AllowList, url: &Url) -> Result<(), OutboundError> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(OutboundError::refused(format!(
                "only http and https requests are allowed, not {scheme}"
            )));
        }
        let Some(host) = url.host_str() else {
            return Err(OutboundError::refused("the URL has no host"));
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = url.port().unwrap_or(default_port);
        if !allow.allows(host, port, default_port) {
            let shown = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            let why = if allow.is_empty() {
                " (the allow-list is empty: no outbound access)"
            } else {
                ""
            };
            return Err(OutboundError::refused(format!(
                "host {shown} is not in this tenant's allow-list{why}"
            )));
        }
        // The URL parser has normalised literal addresses (`0x7f.1` is
        // 127.0.0.1); IPv6 comes bracketed.
        let literal = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<IpAddr>()
            .ok();
        if let Some(ip) = literal
            && let Some(why) = forbidden(ip, self.access)
        {
            return Err(OutboundError::refused(format!(
                "address {ip} is a {why} address, which functions may not reach"
            )));
        }
        Ok(())
    }

    async fn execute(
        &self,
        allow: &AllowList,
        request: OutboundRequest,
    ) -> Result<OutboundResponse, OutboundError> {
        let mut method = Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            OutboundError::refused(format!("{:?} is not an HTTP method", request.method))
        })?;
        let mut url = Url::parse(&request.url)
            .map_err(|e| OutboundError::refused(format!("invalid URL ({e})")))?;
        let mut headers = request_headers(&request.headers)?;
        let mut body = request.body.map(String::into_bytes);
        let max_redirects = request.max_redirects.min(MAX_OUTBOUND_REDIRECTS);
        let deadline = tokio::time::Instant::now() + OUTBOUND_REQUEST_TIMEOUT;
        let mut hops = 0;
        loop {
            self.check_target(allow, &url)?;
            let host = url.host_str().unwrap_or_default().to_string();
            let mut builder = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(b) = &body {
                builder = builder.body(b.clone());
            }
            let mut response = match tokio::time::timeout_at(deadline, builder.send()).await {
                Err(_) => return Err(timed_out(&host)),
                Ok(Err(e)) => return Err(send_error(&e, &host)),
                Ok(Ok(r)) => r,
            };
            let status = response.status();
            let location = status
                .is_redirection()
                .then(|| response.headers().get(header::LOCATION))
                .flatten()
                .and_then(|l| l.to_str().ok())
                .map(str::to_string);
            if let (Some(location), true) = (location, max_redirects > 0) {
                if hops >= max_redirects {
                    return Err(OutboundError::failed(
                        "ERR_FR_TOO_MANY_REDIRECTS",
                        format!("more than {max_redirects} redirects, the last from {host}"),
                    ));
                }
                let next = url.join(&location).map_err(|_| {
                    OutboundError::failed(
                        "EOUTBOUND",
                        format!("{host} redirected to an invalid URL"),
                    )
                })?;
                redirect(&mut method, &mut headers, &mut body, status, &url, &next);
                url = next;
                hops += 1;
                continue;
            }
            return read_response(&mut response, &host, deadline, hops > 0).await;
        }
    }
}

struct TenantOutbound {
    client: Arc<OutboundClient>,
    allow: Arc<AllowList>,
}

impl Outbound for TenantOutbound {
    fn send(&self, request: OutboundRequest) -> OutboundFuture {
        let client = self.client.clone();
        let allow = self.allow.clone();
        Box::pin(async move { client.execute(&allow, request).await })
    }
}

/// Headers the function may not set: the client owns framing and the host.
const RESERVED_HEADERS: [&str; 6] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
];

fn request_headers(pairs: &[(String, String)]) -> Result<HeaderMap, OutboundError> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            OutboundError::refused(format!("{:?} is not a valid header name", name))
        })?;
        if RESERVED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        // Never echo the value: it may be a token.
        let value = HeaderValue::from_str(value).map_err(|_| {
            OutboundError::refused(format!("the value of header {name} is not valid"))
        })?;
        map.append(name, value);
    }
    Ok(map)
}

/// Adjusts a request for the next hop as browsers and Node clients do: 303
/// (and 301/302 after a POST) becomes a body-less GET; credentials are not
/// forwarded to another origin.
fn redirect(
    method: &mut Method,
    headers: &mut HeaderMap,
    body: &mut Option<Vec<u8>>,
    status: StatusCode,
    from: &Url,
    to: &Url,
) {
    let to_get = status == StatusCode::SEE_OTHER && *method != Method::HEAD
        || matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && *method == Method::POST;
    if to_get {
        *method = Method::GET;
        *body = None;
        headers.remove(header::CONTENT_TYPE);
    }
    if from.origin() != to.origin() {
        headers.remove(header::AUTHORIZATION);
        headers.remove(header::COOKIE);
        headers.remove(header::PROXY_AUTHORIZATION);
    }
}

async fn read_response(
    response: &mut reqwest::Response,
    host: &str,
    deadline: tokio::time::Instant,
    redirected: bool,
) -> Result<OutboundResponse, OutboundError> {
    let too_large = || {
        OutboundError::refused(format!(
            "the response from {host} is larger than the limit of {MAX_OUTBOUND_RESPONSE_BYTES} bytes (1 MB)"
        ))
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_OUTBOUND_RESPONSE_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(timed_out(host)),
            Ok(Err(e)) => return Err(send_error(&e, host)),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > MAX_OUTBOUND_RESPONSE_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    let status = response.status();
    Ok(OutboundResponse {
        status: status.as_u16(),
        status_text: status.canonical_reason().unwrap_or("").to_string(),
        headers: response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
        url: response.url().to_string(),
        redirected,
    })
}

fn timed_out(host: &str) -> OutboundError {
    OutboundError::failed(
        "ETIMEDOUT",
        format!(
            "the request to {host} took longer than {} s",
            OUTBOUND_REQUEST_TIMEOUT.as_secs()
        ),
    )
}

/// A transport error as the guest sees it: the resolver's refusal when there
/// is one, otherwise what failed, without the URL.
fn send_error(e: &reqwest::Error, host: &str) -> OutboundError {
    let mut source = e.source();
    let mut causes = Vec::new();
    while let Some(s) = source {
        if let Some(refusal) = s.downcast_ref::<Refusal>() {
            return OutboundError::refused(refusal.0.clone());
        }
        causes.push(s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        return timed_out(host);
    }
    let code = if e.is_connect() {
        "ECONNREFUSED"
    } else {
        "ECONNRESET"
    };
    let detail = causes.last().cloned().unwrap_or_else(|| "no detail".into());
    OutboundError::failed(code, format!("the request to {host} failed: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(rules: &[&str]) -> AllowList {
        let rules: Vec<String> = rules.iter().map(|s| s.to_string()).collect();
        AllowList::parse(&rules).unwrap().0
    }

    #[test]
    fn rules_match_hosts_subdomains_and_ports() {
        let l = list(&["*.slack.com", "hooks.example.com:8443", "API.Example.org"]);
        assert!(l.allows("hooks.slack.com", 443, 443));
        assert!(l.allows("a.b.slack.com", 80, 80));
        assert!(!l.allows("slack.com", 443, 443), "*. is subdomains only");
        assert!(!l.allows("evilslack.com", 443, 443));
        assert!(
            !l.allows("hooks.slack.com", 8443, 443),
            "no port: the default only"
        );
        assert!(l.allows("hooks.example.com", 8443, 443));
        assert!(!l.allows("hooks.example.com", 443, 443));
        assert!(l.allows("api.example.org", 443, 443));
        assert!(l.allows("api.example.org.", 443, 443));
        assert!(list(&["*"]).allows("anything.test", 80, 80));
        assert!(list(&["[::1]:8080"]).allows("[::1]", 8080, 80));
        assert!(AllowList::default().is_empty());
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        for bad in [
            "",
            "https://hooks.slack.com",
            "hooks.slack.com/path",
            "user@host",
            "host:0",
            "host:99999",
            "*.",
            "a.*.com",
            "-bad.com",
            "[::1",
            "[nope]",
            "ex ample.com",
        ] {
            let err = AllowList::parse(&[bad.to_string()]).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
        let many: Vec<String> = (0..=MAX_ALLOW_RULES)
            .map(|i| format!("h{i}.test"))
            .collect();
        assert!(AllowList::parse(&many).is_err());
        let (_, norm) =
            AllowList::parse(&["A.test".into(), "a.test".into(), " *.B.test:81 ".into()]).unwrap();
        assert_eq!(norm, ["a.test", "*.b.test:81"]);
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        let deny = PrivateAccess::Deny;
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "169.254.1.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd00:ec2::254",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:7f00:0001::",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(forbidden(ip, deny).is_some(), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(forbidden(ip, deny), None, "{ip} is public");
        }
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let meta: IpAddr = "169.254.169.254".parse().unwrap();
        assert_eq!(forbidden(lo, PrivateAccess::Loopback), None);
        assert_eq!(
            forbidden(meta, PrivateAccess::Loopback),
            Some("cloud metadata")
        );
        assert_eq!(forbidden(meta, PrivateAccess::All), None);
        assert_eq!(
            forbidden("::1".parse().unwrap(), PrivateAccess::Loopback),
            None
        );
    }

    #[test]
    fn private_access_parses_from_flags() {
        assert_eq!("1".parse::<PrivateAccess>(), Ok(PrivateAccess::All));
        assert_eq!(
            "loopback".parse::<PrivateAccess>(),
            Ok(PrivateAccess::Loopback)
        );
        assert_eq!("false".parse::<PrivateAccess>(), Ok(PrivateAccess::Deny));
        assert!("maybe".parse::<PrivateAccess>().is_err());
    }
}
