//! `hookbox serve`: the server, with safe defaults and env fallbacks.

use anyhow::{Context, Result, bail};
use hookbox_engine::{Engine, EngineConfig};
use hookbox_server::{AppState, Auth};
use hookbox_service::{LogPolicy, PrivateAccess, Service, ServiceConfig};
use hookbox_store::{PgStore, Role, SledStore, Store, StoreConfig, StoreError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The tenant a first start creates, so `make run` is usable at once.
const DEFAULT_TENANT: &str = "default";
/// The data dir's key file: it signs tokens and seals the secrets stored in
/// the database, so losing or replacing it makes those unreadable.
const TOKEN_KEY_FILE: &str = "token.key";
/// Bytes of a token key: what a new one gets, and the least a readable one has.
const TOKEN_KEY_BYTES: usize = 32;
const MIB: u64 = 1024 * 1024;
/// Threads for blocking work (storage calls, compiles), at most. tokio's
/// default is 512, and under load nearly every storage call started one;
/// each thread keeps its own allocator heap.
const MAX_BLOCKING_THREADS: usize = 16;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: put a gateway in front.
    #[arg(long, env = "HOOKBOX_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the embedded database (sled), the plugin cache and the token key
    /// live; in cluster mode (--database-url) only the plugin cache.
    #[arg(long, env = "HOOKBOX_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Server admin key for `POST /v1/tenants` and for adding or removing
    /// packages (`/v1/packages`). Unset or empty: those routes are refused.
    #[arg(long, env = "HOOKBOX_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
    /// Days invocation logs are kept.
    #[arg(long, env = "HOOKBOX_LOG_RETENTION_DAYS", default_value_t = 7)]
    log_retention_days: u64,
    /// A tenant's stored invocation logs at most, in MiB (encoded records);
    /// beyond, its oldest logs are deleted first.
    #[arg(long, env = "HOOKBOX_LOG_MAX_MB", default_value_t = hookbox_service::DEFAULT_LOG_MAX_BYTES / MIB, value_parser = clap::value_parser!(u64).range(1..))]
    log_max_mb: u64,
    /// How long the log writer gathers invocation logs before one write
    /// [default: 20; in cluster mode 50]
    #[arg(long, env = "HOOKBOX_LOG_LINGER_MS")]
    log_linger_ms: Option<u64>,
    /// How long written invocation logs may wait for a disk sync (0: sync
    /// after every write). A crash loses at most the logs of the calls
    /// answered in the last linger + flush milliseconds.
    #[arg(long, env = "HOOKBOX_LOG_FLUSH_MS", default_value_t = hookbox_service::DEFAULT_LOG_FLUSH.as_millis() as u64)]
    log_flush_ms: u64,
    /// The database's page cache, in MiB: the memory it keeps of what it
    /// read or wrote.
    #[arg(long, env = "HOOKBOX_STORE_CACHE_MB", default_value_t = hookbox_store::DEFAULT_CACHE_MB, value_parser = clap::value_parser!(u64).range(1..))]
    store_cache_mb: u64,
    /// How often the database syncs unsynced changes in the background (0:
    /// never; acknowledged writes and invocation logs are synced anyway).
    #[arg(long, env = "HOOKBOX_STORE_FLUSH_MS", default_value_t = hookbox_store::DEFAULT_FLUSH_EVERY.as_millis() as u64)]
    store_flush_ms: u64,
    /// Entries per in-memory cache (loaded functions, scene orders, tenants'
    /// env vars and allow-lists); a miss reads the database.
    #[arg(long, env = "HOOKBOX_CACHE_CAPACITY", default_value_t = ServiceConfig::default().cache_capacity as u64, value_parser = clap::value_parser!(u64).range(1..))]
    cache_capacity: u64,
    /// Versions kept per function (the deployed one is kept whatever its age).
    #[arg(long, env = "HOOKBOX_VERSIONS_KEPT", default_value_t = hookbox_store::DEFAULT_VERSIONS_KEPT as u64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    versions_kept: u64,
    /// Sandboxes that may run at once; further calls wait for a slot.
    #[arg(long, env = "HOOKBOX_MAX_INSTANCES", default_value_t = 1000)]
    max_instances: u32,
    /// The sum of the memory caps (MB) of the calls that may run at once;
    /// further calls wait. Default: half the machine's memory. At least 512.
    #[arg(long, env = "HOOKBOX_MEMORY_BUDGET_MB", value_parser = clap::value_parser!(u32).range(512..))]
    memory_budget_mb: Option<u32>,
    /// Threads that run long calls (past 20 million fuel, a few ms of CPU) at
    /// the lowest CPU priority, so runaways cannot delay fresh calls much.
    #[arg(long, env = "HOOKBOX_LONG_CALL_THREADS", default_value_t = 1)]
    long_call_threads: usize,
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
    /// An async job's lease beyond its function's timeout (tests shorten it).
    #[arg(
        long,
        env = "HOOKBOX_JOB_LEASE_GRACE_MS",
        default_value_t = 30_000,
        hide = true
    )]
    job_lease_grace_ms: u64,
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
    /// Signed (Authing node SDK) requests a tenant may send within the
    /// 15-minute replay window; past it its signed requests are refused (429)
    /// until older ones leave the window, so no nonce is ever forgotten.
    #[arg(
        long,
        env = "HOOKBOX_SIGNED_REQUESTS_PER_TENANT",
        default_value_t = hookbox_service::DEFAULT_NONCES_PER_TENANT as u32,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    signed_requests_per_tenant: u32,
    /// Cluster mode: keep everything in this PostgreSQL database
    /// (`postgres://user:password@host:port/database`) instead of the data
    /// dir, so that any number of nodes can serve one set of tenants. Needs
    /// the cluster key (`--key-file` or `HOOKBOX_KEY`).
    #[arg(
        long,
        env = "HOOKBOX_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,
    /// Connections to the database this node keeps at most (cluster mode).
    #[arg(long, env = "HOOKBOX_DATABASE_POOL", default_value_t = hookbox_store::DEFAULT_POOL_SIZE as u64, value_parser = clap::value_parser!(u64).range(1..=1000))]
    database_pool: u64,
    /// Cluster mode: the file holding the cluster key, the same 32 or more
    /// random bytes on every node. It signs tokens and seals the secrets in
    /// the database, so it is never stored there. `HOOKBOX_KEY` (hex) may
    /// give it instead.
    #[arg(long, env = "HOOKBOX_KEY_FILE", value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// The npm registry `POST /v1/packages` (`hookbox packages add NAME`)
    /// fetches packages from, by name. Unset: packages are added as tarballs only.
    #[arg(long, env = "HOOKBOX_NPM_REGISTRY", value_name = "URL")]
    npm_registry: Option<reqwest::Url>,
    /// How long the `_function_session` sent with each event delivery is
    /// valid, in minutes (10–20, as schmuckliCloud's).
    #[arg(
        long,
        env = "HOOKBOX_FUNCTION_SESSION_MINUTES",
        default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(10..=20)
    )]
    function_session_minutes: u32,
}

pub fn run(args: ServeArgs) -> Result<()> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.max(1));
    }
    builder.max_blocking_threads(MAX_BLOCKING_THREADS);
    builder.enable_all().build()?.block_on(serve(args))
}

async fn serve(mut args: ServeArgs) -> Result<()> {
    // An env file's `HOOKBOX_ADMIN_KEY=` means no admin key.
    args.admin_key = args.admin_key.filter(|key| !key.is_empty());
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("creating {}", args.data_dir.display()))?;
    if let Some(key) = &args.admin_key
        && key.chars().count() < MIN_ADMIN_KEY_CHARS
    {
        bail!(
            "the server admin key (--admin-key, HOOKBOX_ADMIN_KEY) must have at least \
             {MIN_ADMIN_KEY_CHARS} characters; make one with: openssl rand -hex 16"
        );
    }
    let (store, secret) = match &args.database_url {
        Some(url) => {
            let secret = cluster_key(args.key_file.as_deref())?;
            if args.data_dir.join("db").exists() {
                tracing::warn!(
                    data_dir = %args.data_dir.display(),
                    "this data dir holds an embedded (sled) database, which a cluster node does \
                     not read: its tenants and functions are not in PostgreSQL; deploy them again \
                     on the cluster"
                );
            }
            let store = connect_waiting(url, args.database_pool as usize)
                .await
                .context("connecting to the database (--database-url)")?
                .with_sealing_key(&hookbox_server::sealing_key(&secret));
            let checked = store.clone();
            tokio::task::spawn_blocking(move || checked.claim_sealing_key())
                .await?
                .context("checking the cluster key (--key-file or HOOKBOX_KEY)")?;
            (Store::new(store), secret)
        }
        None => {
            if args.key_file.is_some() || std::env::var_os("HOOKBOX_KEY").is_some() {
                bail!(
                    "a cluster key (--key-file, HOOKBOX_KEY_FILE or HOOKBOX_KEY) is given but no \
                     database (--database-url, HOOKBOX_DATABASE_URL): cluster mode needs both; \
                     a single server keeps its key in its data dir"
                );
            }
            let secret = token_secret(&args.data_dir)?;
            let mut store_config = StoreConfig::default();
            store_config.cache_mb(args.store_cache_mb).flush_every(
                (args.store_flush_ms > 0).then(|| Duration::from_millis(args.store_flush_ms)),
            );
            let store = SledStore::open_with(args.data_dir.join("db"), &store_config)
                .with_context(|| format!("opening the database in {}", args.data_dir.display()))?
                .with_sealing_key(&hookbox_server::sealing_key(&secret));
            (Store::new(store), secret)
        }
    };

    let mut engine_config = EngineConfig::default();
    engine_config
        .max_instances(args.max_instances)
        .long_call_threads(args.long_call_threads)
        .cache_dir(args.data_dir.join("cache"));
    if let Some(mb) = args.memory_budget_mb {
        engine_config.memory_budget_mb(mb);
    }
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
    let first_start = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            if !store.is_empty()? {
                return Ok(None);
            }
            // One transaction: a crash here never leaves a tenant without a key.
            match store.create_tenant_with_key(Some(DEFAULT_TENANT), "Default tenant", Role::Admin)
            {
                Ok(created) => {
                    store.flush()?;
                    Ok(Some(created))
                }
                // Another node of the cluster made it first.
                Err(StoreError::Conflict(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await??
    };
    if let Some((_, key, secret)) = first_start {
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
        job_lease_grace: Duration::from_millis(args.job_lease_grace_ms),
        outbound_private: args.outbound_allow_private,
        nonces_per_tenant: args.signed_requests_per_tenant as usize,
        // A base URL without its final `/` would lose its last segment
        // when a package name is joined to it.
        npm_registry: args.npm_registry.map(|mut url| {
            if !url.path().ends_with('/') {
                let path = format!("{}/", url.path());
                url.set_path(&path);
            }
            url
        }),
        cache_capacity: args.cache_capacity as usize,
        versions_kept: args.versions_kept as usize,
        function_session_seed: Some(hookbox_server::function_session_seed(&secret)),
        function_session_ttl: Duration::from_secs(u64::from(args.function_session_minutes) * 60),
        logs: LogPolicy {
            linger: args.log_linger_ms.map_or(
                if args.database_url.is_some() {
                    hookbox_service::DEFAULT_CLUSTER_LOG_LINGER
                } else {
                    hookbox_service::DEFAULT_LOG_LINGER
                },
                Duration::from_millis,
            ),
            flush: Duration::from_millis(args.log_flush_ms),
            max_bytes_per_tenant: args.log_max_mb.saturating_mul(MIB),
        },
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
    let shutdown = shutdown_signal().context("installing the signal handlers")?;
    // Tests and scripts read the bound address (port 0 picks one) from this line.
    println!("hookbox listening on http://{}", listener.local_addr()?);
    if let Some((id, secret)) = new_key {
        // Pasted into another shell, these configure the client commands.
        let url = client_url(listener.local_addr()?);
        println!("export HOOKBOX_URL={url}");
        println!("export HOOKBOX_ACCESS_KEY_ID={id}");
        println!("export HOOKBOX_ACCESS_KEY_SECRET={secret}");
    }
    // A shell comment, so that pasting it with the lines above is harmless.
    println!(
        "# the web console: {}/console/",
        client_url(listener.local_addr()?)
    );
    tracing::info!(addr = %listener.local_addr()?, "serving");
    hookbox_server::serve(listener, state, shutdown).await?;

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

/// The least characters a server admin key has.
const MIN_ADMIN_KEY_CHARS: usize = 16;
/// How long a cluster node waits at start for an unreachable database.
const DATABASE_WAIT: Duration = Duration::from_secs(60);

/// Connects to the cluster's database, waiting up to [`DATABASE_WAIT`] while
/// it cannot be reached (a node started during an outage, or beside the
/// database itself); any other error at once.
async fn connect_waiting(url: &str, pool: usize) -> Result<PgStore> {
    let started = std::time::Instant::now();
    let mut warned = false;
    loop {
        let url_owned = url.to_string();
        match tokio::task::spawn_blocking(move || PgStore::connect(&url_owned, pool)).await? {
            Ok(store) => return Ok(store),
            Err(StoreError::Unavailable(e)) if started.elapsed() < DATABASE_WAIT => {
                if !std::mem::replace(&mut warned, true) {
                    tracing::warn!(
                        error = %e,
                        "the database is unreachable; trying again every second for {} s",
                        DATABASE_WAIT.as_secs()
                    );
                } else {
                    tracing::debug!(error = %e, "the database is unreachable; trying again");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The cluster key (cluster mode): from `--key-file` (raw bytes, or hex
/// text), or hex in `HOOKBOX_KEY`; not both. Never made here: every node
/// must be given the same one.
fn cluster_key(file: Option<&Path>) -> Result<Vec<u8>> {
    const HOW: &str = "give every node the same key: (umask 077 && head -c 32 /dev/urandom > \
                       hookbox.key), then --key-file hookbox.key (or HOOKBOX_KEY_FILE), or its \
                       hex in HOOKBOX_KEY";
    let key = match (file, std::env::var("HOOKBOX_KEY")) {
        (Some(_), Ok(_)) => bail!(
            "the cluster key is given twice (--key-file or HOOKBOX_KEY_FILE, and HOOKBOX_KEY): \
             give one"
        ),
        (Some(path), Err(_)) => {
            let key = std::fs::read(path)
                .with_context(|| format!("reading the cluster key {}", path.display()))?;
            warn_if_readable_by_others(path);
            // `openssl rand -hex 32 > file` writes hex text: read it as hex,
            // whatever its length, so that 16 bytes written as 32 digits are
            // refused as 16 bytes, not taken as 33 raw ones. (Random bytes
            // that are all hex digits, 32 or more of them, do not happen.)
            let text = std::str::from_utf8(&key).map(str::trim).unwrap_or_default();
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                hex::decode(text).context("the cluster key file's hex")?
            } else {
                key
            }
        }
        (None, Ok(hex_key)) => hex::decode(hex_key.trim())
            .context("HOOKBOX_KEY must be hex (64 or more hex digits)")?,
        (None, Err(_)) => bail!("cluster mode (--database-url) needs the cluster key: {HOW}"),
    };
    if key.len() < TOKEN_KEY_BYTES || key.iter().all(|&b| b == 0) {
        bail!(
            "the cluster key must hold at least {TOKEN_KEY_BYTES} random bytes (it holds {}): {HOW}",
            key.len()
        );
    }
    Ok(key)
}

/// The data dir's key (see [`TOKEN_KEY_FILE`]): read if it is there, made
/// if it is not and the database is new. A key file that is damaged, or
/// missing beside an existing database, stops the server: replacing it would
/// silently make every sealed secret unreadable.
fn token_secret(data_dir: &Path) -> Result<Vec<u8>> {
    let path = data_dir.join(TOKEN_KEY_FILE);
    let restore = format!(
        "restore {path} from a backup. To start over with a new key instead (the access key \
         secrets and hook secrets sealed under the old one become unreadable: create new key \
         pairs and set hook secrets again), write {TOKEN_KEY_BYTES} random bytes to it: \
         (umask 077 && head -c {TOKEN_KEY_BYTES} /dev/urandom > {path})",
        path = path.display()
    );
    match std::fs::read(&path) {
        Ok(key) if key.len() < TOKEN_KEY_BYTES => bail!(
            "{} is damaged: it holds {} bytes where a key has at least {TOKEN_KEY_BYTES}. It \
             seals the secrets in the database, so hookbox will not replace it: {restore}",
            path.display(),
            key.len()
        ),
        // What a crash can leave of a file whose data never reached the disk.
        Ok(key) if key.iter().all(|&b| b == 0) => bail!(
            "{} is damaged: it holds only zero bytes. It seals the secrets in the database, so \
             hookbox will not replace it: {restore}",
            path.display()
        ),
        Ok(key) => {
            warn_if_readable_by_others(&path);
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let db = data_dir.join("db");
            if db.exists() {
                bail!(
                    "{} is missing, but the database {} exists: its sealed secrets need the key \
                     they were sealed with, so hookbox will not make a new one: {restore}",
                    path.display(),
                    db.display()
                );
            }
            create_token_key(&path)
        }
        Err(e) => {
            Err(e).with_context(|| format!("reading {} (the data dir's key)", path.display()))
        }
    }
}

/// Writes a new random key to `path`, never replacing a file already there:
/// a temp file created with mode 0600 (never readable by others, not even
/// briefly), written and synced, then linked into place, and the directory
/// synced. If another process made the key first, its key is used.
fn create_token_key(path: &Path) -> Result<Vec<u8>> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let key: [u8; TOKEN_KEY_BYTES] = rand::random();
    let tmp = dir.join(format!(
        ".{TOKEN_KEY_FILE}.{}.{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = (|| -> std::io::Result<()> {
        let mut file = options.open(&tmp)?;
        file.write_all(&key)?;
        file.sync_all()?;
        // A hard link fails if the name exists: never a replaced key.
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return token_secret(dir);
        }
        Err(e) => {
            return Err(e).with_context(|| format!("creating {}", path.display()));
        }
    }
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))?;
    Ok(key.to_vec())
}

/// Keys readable by the group or others are reported, not refused: the
/// operator may have meant it (a shared service group).
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "the key file is readable by other users; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C). The handlers are installed when
/// this is called, not when it is first polled: a signal sent as soon as the
/// listening line is out is a graceful stop, not the default kill.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
