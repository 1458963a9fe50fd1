//! A throwaway PostgreSQL cluster for tests.
//!
//! [`Cluster::shared`] starts one per test process on first use: Debian's
//! server binaries (`make postgres` installs the `postgresql` package), a
//! data directory under `target/pg/`, a free port on 127.0.0.1, trust
//! authentication for the role `hookbox`. PostgreSQL refuses to run as root,
//! so under root (CI) the server runs as the `postgres` user the package
//! creates. A watchdog stops the cluster and removes its directory once the
//! test process is gone, however it ends. Each test takes its own database
//! ([`Cluster::database`]), so tests share the server but never data.
//!
//! Environment: `HOOKBOX_PG_BIN` (the directory with `initdb`, `pg_ctl`,
//! `postgres`, `psql`; default: the newest `/usr/lib/postgresql/*/bin`) and
//! `HOOKBOX_PG_DIR` (where clusters go; default `target/pg`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The role tests connect as (a superuser of the throwaway cluster).
pub const ROLE: &str = "hookbox";

/// A running throwaway cluster.
#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    /// `Some("postgres")` when this process is root.
    run_as: Option<String>,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

impl Cluster {
    /// The cluster of this test process, started on first use. Panics with
    /// what to do when the server binaries are missing or it cannot start.
    pub fn shared() -> &'static Cluster {
        SHARED.get_or_init(|| Cluster::start().unwrap_or_else(|e| panic!("{e}")))
    }

    /// Starts a new cluster (a test that stops and restarts one of its own).
    pub fn start() -> Result<Cluster, String> {
        let bin = server_bin()?;
        let run_as = (unsafe { libc::geteuid() } == 0).then(|| "postgres".to_string());
        let root = std::env::var_os("HOOKBOX_PG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_target().join("pg"));
        let n = DATABASES.fetch_add(1, Ordering::Relaxed);
        let mut data = root.join(format!("{}-{n}", std::process::id()));
        std::fs::create_dir_all(&data).map_err(|e| format!("creating {}: {e}", data.display()))?;
        if let Some(user) = &run_as {
            chown_to(&data, user)?;
            // The user must reach the directory; a checkout under a private
            // home (root's) cannot be: use the temporary directory instead.
            if !run(&bin, Some(user), "test", &["-w", path_str(&data)?]).is_ok_and(|o| o) {
                let _ = std::fs::remove_dir_all(&data);
                data = std::env::temp_dir().join(format!("hookbox-pg-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&data)
                    .map_err(|e| format!("creating {}: {e}", data.display()))?;
                chown_to(&data, user)?;
            }
        }
        let pgdata = data.join("data");
        let pgdata_s = path_str(&pgdata)?.to_string();
        let initdb = bin.join("initdb");
        let ok = run(
            &bin,
            run_as.as_deref(),
            path_str(&initdb)?,
            &[
                "-D",
                &pgdata_s,
                "-U",
                ROLE,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
        )?;
        if !ok {
            return Err(format!("initdb failed in {pgdata_s}"));
        }
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let cluster = Cluster {
                bin: bin.clone(),
                data: data.clone(),
                port,
                run_as: run_as.clone(),
            };
            match cluster.pg_ctl_start() {
                Ok(()) => {
                    cluster.watch();
                    return Ok(cluster);
                }
                Err(e) => last = e,
            }
        }
        Err(format!("PostgreSQL did not start: {last}"))
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub fn database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        self.url(&name)
    }

    /// Runs `sql` in database `db` with psql; its output.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                ROLE,
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .map_err(|e| format!("running psql: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Everything in database `db`, as `pg_dump` writes it (plain SQL).
    pub fn dump(&self, db: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("pg_dump"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                ROLE,
                db,
            ])
            .output()
            .map_err(|e| format!("running pg_dump: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Stops the server (fast shutdown), keeping its data.
    pub fn stop(&self) -> Result<(), String> {
        let pgdata = self.data.join("data");
        let ok = run(
            &self.bin,
            self.run_as.as_deref(),
            path_str(&self.bin.join("pg_ctl"))?,
            &["-D", path_str(&pgdata)?, "-m", "fast", "-w", "stop"],
        )?;
        if ok {
            Ok(())
        } else {
            Err("pg_ctl stop failed".into())
        }
    }

    /// Starts the server again on the same port after [`Cluster::stop`].
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let pgdata = self.data.join("data");
        let log = self.data.join("server.log");
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=200",
            self.port,
            path_str(&self.data)?
        );
        let ok = run(
            &self.bin,
            self.run_as.as_deref(),
            path_str(&self.bin.join("pg_ctl"))?,
            &[
                "-D",
                path_str(&pgdata)?,
                "-l",
                path_str(&log)?,
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        if ok {
            Ok(())
        } else {
            Err(std::fs::read_to_string(&log).unwrap_or_default())
        }
    }

    /// Stops the cluster and removes its directory once this process exits.
    fn watch(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = format!(
            "{}'{}' -D '{}' -m immediate stop >/dev/null 2>&1",
            self.run_as
                .as_ref()
                .map(|u| format!("runuser -u {u} -- "))
                .unwrap_or_default(),
            pg_ctl.display(),
            self.data.join("data").display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.data.display()
        );
        let _ = Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

fn server_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("HOOKBOX_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL's server binaries are not installed (no /usr/lib/postgresql/*/bin/initdb): \
         run `make postgres`, which installs Debian's postgresql package"
            .to_string()
    })
}

fn workspace_target() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", p.display()))
}

/// Runs `program` (as `user` when given); whether it succeeded. Its output
/// goes to the test's stderr only on failure.
fn run(_bin: &Path, user: Option<&str>, program: &str, args: &[&str]) -> Result<bool, String> {
    let mut cmd = match user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--", program]);
            c
        }
        None => Command::new(program),
    };
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .current_dir("/")
        .output()
        .map_err(|e| format!("running {program}: {e}"))?;
    if !out.status.success() {
        eprintln!(
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.status.success())
}

fn chown_to(dir: &Path, user: &str) -> Result<(), String> {
    let out = Command::new("chown")
        .args([user, path_str(dir)?])
        .output()
        .map_err(|e| format!("chown: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "chown {user} {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}
