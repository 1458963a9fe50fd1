//! `hookbox serve`: the server, with safe defaults and env fallbacks.

use anyhow::{Context, Result};
use hookbox_engine::{Engine, EngineConfig};
use hookbox_server::{AppState, Auth};
use hookbox_service::{PrivateAccess, Service, ServiceConfig};
use hookbox_store::{Role, Store};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The tenant a first start creates, so `make run` is usable at once.
const DEFAULT_TENANT: &str = "default";

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: put a gateway in front.
    #[arg(long, env = "HOOKBOX_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the database, the plugin cache and the token key live.
    #[arg(long, env = "HOOKBOX_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Server admin key for `POST /v1/tenants`. Unset: that route is refused.
    #[arg(long, env = "HOOKBOX_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
    /// Days invocation logs are kept.
    #[arg(long, env = "HOOKBOX_LOG_RETENTION_DAYS", default_value_t = 7)]
    log_retention_days: u64,
    /// Sandboxes that may run at once; further calls wait for a slot.
    #[arg(long, env = "HOOKBOX_MAX_INSTANCES", default_value_t = 1000)]
    max_instances: u32,
    /// Run the asynchronous-function worker in this process.
    #[arg(long, env = "HOOKBOX_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    worker: bool,
    /// First delay before an async job is retried (doubles per attempt).
    #[arg(
        long,
        env = "HOOKBOX_RETRY_BASE_MS",
        default_value_t = 1000,
        hide = true
    )]
    retry_base_ms: u64,
    /// Run this engine plugin build instead of the bundled one.
    #[arg(long, env = "HOOKBOX_PLUGIN", hide = true)]
    plugin: Option<PathBuf>,
    /// Let functions' outbound requests reach non-public addresses: `loopback`
    /// (127.0.0.0/8 and ::1 only) or `true` (every private, link-local and
    /// metadata address). For tests and development only.
    #[arg(
        long,
        env = "HOOKBOX_OUTBOUND_ALLOW_PRIVATE",
        default_value = "false",
        value_name = "false|loopback|true"
    )]
    outbound_allow_private: PrivateAccess,
    /// Tokio worker threads (default: one per core).
    #[arg(long, env = "HOOKBOX_THREADS")]
    threads: Option<usize>,
}

pub fn run(args: ServeArgs) -> Result<()> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.max(1));
    }
    builder.enable_all().build()?.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating {}", args.data_dir.display()))?;
    let secret = token_secret(&args.data_dir)?;
    let store = Store::open(args.data_dir.join("db"))
        .with_context(|| format!("opening the database in {}", args.data_dir.display()))?
        .with_sealing_key(&hookbox_server::sealing_key(&secret));

    let mut engine_config = EngineConfig::default();
    engine_config
        .max_instances(args.max_instances)
        .cache_dir(args.data_dir.join("cache"));
    if let Some(path) = &args.plugin {
        engine_config.plugin(
            std::fs::read(path).with_context(|| format!("reading plugin {}", path.display()))?,
        );
    }
    let engine = tokio::task::spawn_blocking(move || Engine::new(&engine_config)).await??;
    // The first call in a process costs milliseconds (code and memory image
    // faulting in); pay it here, not in a tenant's first login.
    engine.warm_up().await.context("warming up the engine")?;

    // The key pair shown on a first start, for the CLI's export lines.
    let mut new_key = None;
    if store.is_empty()? {
        // One transaction: a crash here never leaves a tenant without a key.
        let (_, key, secret) =
            store.create_tenant_with_key(Some(DEFAULT_TENANT), "Default tenant", Role::Admin)?;
        store.flush()?;
        // Shown once: the database keeps a salted hash and a copy sealed
        // under the data dir's key file.
        println!(
            "created tenant '{DEFAULT_TENANT}' with an admin key pair (shown only this once):"
        );
        println!("  accessKeyId:     {}", key.access_key_id);
        println!("  accessKeySecret: {secret}");
        new_key = Some((key.access_key_id, secret));
    }

    let config = ServiceConfig {
        log_retention: Duration::from_secs(args.log_retention_days.max(1) * 24 * 3600),
        run_worker: args.worker,
        retry_base: Duration::from_millis(args.retry_base_ms.max(1)),
        outbound_private: args.outbound_allow_private,
        ..ServiceConfig::default()
    };
    let service = Service::new(engine, store.clone(), config);
    let background = service.start();
    let state = AppState {
        service,
        auth: Arc::new(Auth::new(&secret, args.admin_key.as_deref())),
    };

    if args.outbound_allow_private != PrivateAccess::Deny {
        tracing::warn!(
            access = ?args.outbound_allow_private,
            "functions' outbound requests may reach non-public addresses (--outbound-allow-private)"
        );
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    // Tests and scripts read the bound address (port 0 picks one) from this line.
    println!("hookbox listening on http://{}", listener.local_addr()?);
    if let Some((id, secret)) = new_key {
        // Pasted into another shell, these configure the client commands.
        let url = client_url(listener.local_addr()?);
        println!("export HOOKBOX_URL={url}");
        println!("export HOOKBOX_ACCESS_KEY_ID={id}");
        println!("export HOOKBOX_ACCESS_KEY_SECRET={secret}");
    }
    tracing::info!(addr = %listener.local_addr()?, "serving");
    hookbox_server::serve(listener, state, shutdown_signal()).await?;

    tracing::info!("shutting down: finishing the current async job and writing pending logs");
    background.shutdown().await;
    store.flush()?;
    Ok(())
}

/// Where a client on this machine reaches a server listening on `addr`: a
/// wildcard address (`0.0.0.0`, `::`) is not one to connect to.
fn client_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// A random key for signing tokens, kept in the data dir so that tokens stay
/// valid across restarts.
fn token_secret(data_dir: &Path) -> Result<Vec<u8>> {
    let path = data_dir.join("token.key");
    if let Ok(existing) = std::fs::read(&path)
        && existing.len() >= 32
    {
        return Ok(existing);
    }
    let secret: [u8; 32] = rand::random();
    let tmp = data_dir.join("token.key.tmp");
    std::fs::write(&tmp, secret)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(secret.to_vec())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
