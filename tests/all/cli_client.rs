//! The client commands (`deploy`, `ls`, `invoke`, `logs`, `env`, `scene`,
//! `order`) as a person runs them: the real binary against a real server,
//! with what each command did checked through the native API.

use crate::server_harness::Server;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WHITELIST: &str = "authing-email-whitelist.js";
/// How long an awaited line may take (`logs --follow` polls about once a
/// second; a server compiles its plugin on the first start): a bound on
/// waiting, not a timing assertion.
const LINE_DEADLINE: Duration = Duration::from_secs(60);

/// The CLI configured for one server through the environment, as the export
/// lines `hookbox serve` prints configure it.
pub(crate) struct Cli {
    url: String,
    key_id: String,
    key_secret: String,
    /// A config file that does not exist, so the user's own is never read.
    no_config: PathBuf,
}

pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Ran {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    pub(crate) fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Cli {
    pub(crate) fn new(server: &Server, dir: &Path) -> Self {
        let (key_id, key_secret) = server.default_key.clone().expect("first start");
        Cli {
            url: server.base.clone(),
            key_id,
            key_secret,
            no_config: dir.join("no-such-config.toml"),
        }
    }

    /// `hookbox ARGS` with nothing configured: no `HOOKBOX_*` variables and
    /// no config file.
    fn bare(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookbox"));
        cmd.args(args)
            .env_remove("HOOKBOX_URL")
            .env_remove("HOOKBOX_ACCESS_KEY_ID")
            .env_remove("HOOKBOX_ACCESS_KEY_SECRET")
            .env_remove("HOOKBOX_CA_CERT")
            .env("HOOKBOX_CONFIG", &self.no_config)
            .stdin(Stdio::null());
        cmd
    }

    /// `hookbox ARGS` configured through the environment.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare(args);
        cmd.env("HOOKBOX_URL", &self.url)
            .env("HOOKBOX_ACCESS_KEY_ID", &self.key_id)
            .env("HOOKBOX_ACCESS_KEY_SECRET", &self.key_secret);
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Ran {
        output(self.cmd(args))
    }
}

fn output(mut cmd: Command) -> Ran {
    let out = cmd.output().expect("hookbox runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn example(name: &str) -> String {
    crate::common::example(name)
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A function that denies everyone.
const DENY: &str = "async function pipe(user, context, callback) {\n  \
                    callback(new Error(\"closed for \" + user.email));\n}\n";
/// A function that logs a line per call, for the logs tests.
const ECHO: &str = "async function pipe(user, context, callback) {\n  \
                    console.log(\"seen \" + user.email);\n  callback(null, user, context);\n}\n";

/// A child's stdout, read line by line on a thread, so that waiting for a
/// line is bounded.
struct Lines {
    rx: mpsc::Receiver<String>,
    /// Every line read so far.
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut Child) -> Self {
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Reads until a line contains `marker`.
    fn wait_for(&mut self, marker: &str) {
        while !self.seen.iter().any(|l| l.contains(marker)) {
            match self.rx.recv_timeout(LINE_DEADLINE) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no line with {marker:?}; got {:#?}", self.seen),
            }
        }
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub(crate) async fn get(server: &Server, token: &str, path: &str) -> Value {
    let (status, body) = server.call(Method::GET, path, token, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["data"].clone()
}

#[test]
fn serve_prints_export_lines_that_configure_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbox"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .env("HOOKBOX_THREADS", "2")
        .env("HOOKBOX_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("hookbox serve starts");
    let mut lines = Lines::of(&mut child);
    lines.wait_for("export HOOKBOX_ACCESS_KEY_SECRET=");
    let printed = lines.seen;
    let value = |prefix: &str| {
        printed
            .iter()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in {printed:#?}"))
            .trim()
            .to_string()
    };
    // The lines that were there before stay as they were.
    let listening = value("hookbox listening on ");
    let key_id = value("accessKeyId:");
    let key_secret = value("accessKeySecret:");
    assert_eq!(value("export HOOKBOX_URL="), listening);
    assert_eq!(value("export HOOKBOX_ACCESS_KEY_ID="), key_id);
    assert_eq!(value("export HOOKBOX_ACCESS_KEY_SECRET="), key_secret);

    let cli = Cli {
        url: listening,
        key_id,
        key_secret,
        no_config: dir.path().join("none.toml"),
    };
    let ran = cli.run(&["ls"]).ok();
    assert_eq!(ran.stdout.trim(), "no functions");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn deploy_ls_invoke_scene_run_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let token = server.admin_token().await;

    // deploy: every flag reaches the stored function.
    let ran = cli
        .run(&[
            "deploy",
            &example(WHITELIST),
            "--scene",
            "PRE_REGISTER",
            "--name",
            "email whitelist",
            "--description",
            "only example.com",
            "--timeout",
            "5",
            "--memory",
            "32",
        ])
        .ok();
    let allow = ran
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("funcId:"))
        .unwrap_or_else(|| panic!("no funcId line:\n{}", ran.stdout))
        .trim()
        .to_string();
    assert!(ran.stdout.contains("success"), "{}", ran.stdout);
    let f = get(&server, &token, &format!("/v1/functions/{allow}")).await;
    assert_eq!(f["funcName"], "email whitelist");
    assert_eq!(f["funcDescription"], "only example.com");
    assert_eq!(f["scene"], "PRE_REGISTER");
    assert_eq!(f["timeout"], 5);
    assert_eq!(f["memoryLimitMb"], 32);
    assert_eq!(f["enabled"], true);
    assert_eq!(f["isAsynchronous"], false);
    assert_eq!(
        f["sourceCode"],
        std::fs::read_to_string(example(WHITELIST)).unwrap()
    );

    // --quiet prints the id alone; the name defaults to the file's stem.
    let deny_file = write(dir.path(), "deny.js", DENY);
    let deny = cli
        .run(&["deploy", "-q", &deny_file, "--scene", "PRE_REGISTER"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let f = get(&server, &token, &format!("/v1/functions/{deny}")).await;
    assert_eq!(f["funcName"], "deny");
    assert_eq!(f["timeout"], 3, "the server's default");

    let echo_file = write(dir.path(), "echo.js", ECHO);
    let queued = cli
        .run(&[
            "deploy",
            "-q",
            &echo_file,
            "--scene",
            "POST_REGISTER",
            "--async",
            "--disabled",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let f = get(&server, &token, &format!("/v1/functions/{queued}")).await;
    assert_eq!(f["isAsynchronous"], true);
    assert_eq!(f["enabled"], false);

    // A syntax error: stored as failed, reported with line and column, exit 1.
    let broken = write(
        dir.path(),
        "broken.js",
        "async function pipe(user, context, callback) {\n  const x = ;\n}\n",
    );
    let ran = cli.run(&["deploy", &broken, "--scene", "POST_AUTHENTICATION"]);
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stderr.starts_with("error: "), "{}", ran.stderr);
    assert!(ran.stderr.contains("does not compile"), "{}", ran.stderr);
    assert!(ran.stderr.contains("line 2, column"), "{}", ran.stderr);
    let listed = get(&server, &token, "/v1/functions?scene=POST_AUTHENTICATION").await;
    let stored = &listed["list"][0];
    assert_eq!(stored["status"], "failed");
    assert!(ran.stderr.contains(stored["funcId"].as_str().unwrap()));
    assert!(
        stored["uploadErrMsg"]
            .as_str()
            .unwrap()
            .contains("line 2, column"),
        "{stored}"
    );

    // ls: a table with a header and a row per function; --scene filters.
    let ran = cli.run(&["ls"]).ok();
    let mut lines = ran.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "ID", "NAME", "SCENE", "STATUS", "ENABLED", "ASYNC", "TIMEOUT", "UPDATED"
        ]
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{}", ran.stdout);
    let row = rows.iter().find(|r| r.starts_with(&allow)).unwrap();
    for cell in [
        "email whitelist",
        "PRE_REGISTER",
        "success",
        "yes",
        "no",
        "5s",
    ] {
        assert!(row.contains(cell), "{cell:?} not in {row:?}");
    }
    assert!(ran.stdout.contains("failed"), "{}", ran.stdout);
    assert!(!ran.stdout.contains('\x1b'), "no colour codes into a pipe");
    let ran = cli.run(&["ls", "--scene", "PRE_REGISTER"]).ok();
    assert_eq!(ran.stdout.lines().count(), 3, "{}", ran.stdout);
    // --json: the server's data as it is.
    let data = cli.run(&["ls", "--json"]).ok().json();
    assert_eq!(data["totalCount"], 4);
    assert_eq!(data["list"].as_array().unwrap().len(), 4);
    let data = cli
        .run(&["ls", "--scene", "PRE_REGISTER", "--json"])
        .ok()
        .json();
    let ids: Vec<&str> = data["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["funcId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [allow.as_str(), deny.as_str()], "in run order");

    // invoke: outcome, logs, user; a deny is an answer (exit 0).
    let ran = cli
        .run(&[
            "invoke",
            &allow,
            "--user",
            r#"{"email": "ada@example.com"}"#,
        ])
        .ok();
    assert!(ran.stdout.starts_with("outcome:   ok\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("duration:"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains(r#""email": "ada@example.com""#),
        "{}",
        ran.stdout
    );
    let ran = cli
        .run(&["invoke", &allow, "--user", r#"{"email": "eve@evil.test"}"#])
        .ok();
    assert!(
        ran.stdout.starts_with("outcome:   error\n"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("Error: Access denied."),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("function.js:7"), "{}", ran.stdout);
    let outcome = cli
        .run(&[
            "invoke",
            &allow,
            "--user",
            r#"{"email": "ada@example.com"}"#,
            "--context",
            r#"{"ip": "203.0.113.7"}"#,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(outcome["outcome"], "ok");
    assert_eq!(outcome["context"]["ip"], "203.0.113.7");
    let ran = cli.run(&["invoke", &allow, "--user", "{not json"]);
    assert_eq!(ran.code, 2, "a usage error: {}", ran.stderr);
    assert!(ran.stderr.contains("--user"), "{}", ran.stderr);

    // scene run: the whitelist lets ada through, the second function denies.
    let ran = cli
        .run(&[
            "scene",
            "run",
            "PRE_REGISTER",
            "--user",
            r#"{"email": "ada@example.com"}"#,
        ])
        .ok();
    let out = &ran.stdout;
    assert!(out.starts_with("outcome:   error\n"), "{out}");
    assert!(out.contains(&format!("stoppedBy: {deny} (deny)")), "{out}");
    assert!(out.contains("closed for ada@example.com"), "{out}");
    let steps: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("FUNC ID"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(steps.len(), 2, "{out}");
    assert!(
        steps[0].starts_with(&allow) && steps[0].contains(" ok "),
        "{out}"
    );
    assert!(
        steps[1].starts_with(&deny) && steps[1].contains(" error "),
        "{out}"
    );
    assert!(out.contains("queued:    none"), "{out}");
    let result = cli
        .run(&[
            "scene",
            "run",
            "PRE_REGISTER",
            "--user",
            r#"{"email": "ada@example.com"}"#,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(result["outcome"], "error");
    assert_eq!(result["stoppedBy"], deny.as_str());
    assert_eq!(result["steps"].as_array().unwrap().len(), 2);

    // order: the deny first, and the scene now stops at once.
    let ran = cli.run(&["order", "PRE_REGISTER", &deny, &allow]).ok();
    let first = ran.stdout.lines().nth(2).unwrap_or_default();
    assert!(first.contains(&deny), "{}", ran.stdout);
    let listed = get(&server, &token, "/v1/functions?scene=PRE_REGISTER").await;
    let order: Vec<&str> = listed["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["funcId"].as_str().unwrap())
        .collect();
    assert_eq!(order, [deny.as_str(), allow.as_str()]);
    let result = cli
        .run(&["scene", "run", "PRE_REGISTER", "--json"])
        .ok()
        .json();
    assert_eq!(result["steps"].as_array().unwrap().len(), 1);
    assert_eq!(result["stoppedBy"], deny.as_str());

    // A server refusal: its message, status and request id; exit 1.
    let ran = cli.run(&["order", "PRE_REGISTER", &deny]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.starts_with("error: order: "), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("(HTTP 400, requestId "),
        "{}",
        ran.stderr
    );
    let listed = get(&server, &token, "/v1/functions?scene=PRE_REGISTER").await;
    assert_eq!(
        listed["list"][0]["funcId"],
        deny.as_str(),
        "order unchanged"
    );

    // rm: deleted, out of the order; an unknown id stops with the server's 404.
    let ran = cli.run(&["rm", &deny]).ok();
    assert_eq!(ran.stdout.trim(), format!("deleted {deny}"));
    let listed = get(&server, &token, "/v1/functions?scene=PRE_REGISTER").await;
    assert_eq!(listed["totalCount"], 1, "{listed}");
    assert_eq!(listed["list"][0]["funcId"], allow.as_str());
    let ran = cli.run(&["rm", &deny, &allow]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("(HTTP 404, requestId "),
        "{}",
        ran.stderr
    );
    let listed = get(&server, &token, "/v1/functions?scene=PRE_REGISTER").await;
    assert_eq!(
        listed["totalCount"], 1,
        "the id after the refused one is kept"
    );
}

#[tokio::test]
async fn env_set_ls_and_rm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let token = server.admin_token().await;

    let ran = cli
        .run(&["env", "set", "ALLOWED_DOMAINS", "example.org"])
        .ok();
    assert_eq!(ran.stdout.trim(), "set ALLOWED_DOMAINS");
    cli.run(&["env", "set", "API_TOKEN", "s3cret value"]).ok();
    let env = get(&server, &token, "/v1/env").await;
    assert_eq!(
        env,
        json!({"ALLOWED_DOMAINS": "example.org", "API_TOKEN": "s3cret value"})
    );

    // A function reads what was set.
    let allow = cli
        .run(&[
            "deploy",
            "-q",
            &example(WHITELIST),
            "--scene",
            "PRE_REGISTER",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let outcome = cli
        .run(&[
            "invoke",
            &allow,
            "--user",
            r#"{"email": "ada@example.org"}"#,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(outcome["outcome"], "ok", "{outcome}");

    let ran = cli.run(&["env", "ls"]).ok();
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["KEY", "VALUE"]
    );
    assert!(lines[1].starts_with("ALLOWED_DOMAINS") && lines[1].ends_with("example.org"));
    assert!(lines[2].starts_with("API_TOKEN") && lines[2].ends_with("s3cret value"));
    assert_eq!(cli.run(&["env", "ls", "--json"]).ok().json(), env);

    let ran = cli.run(&["env", "rm", "API_TOKEN"]).ok();
    assert_eq!(ran.stdout.trim(), "removed API_TOKEN");
    let env = get(&server, &token, "/v1/env").await;
    assert_eq!(env, json!({"ALLOWED_DOMAINS": "example.org"}));

    let ran = cli.run(&["env", "rm", "API_TOKEN"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("not found (HTTP 404, requestId "),
        "{}",
        ran.stderr
    );

    // The README's second example: its extra blocklist is a variable, and
    // removing the variable lifts the block.
    let block = cli
        .run(&[
            "deploy",
            "-q",
            &example("authing-block-disposable.js"),
            "--scene",
            "PRE_REGISTER",
        ])
        .ok()
        .stdout
        .trim()
        .to_string();
    let call = |email: &str| {
        let user = format!(r#"{{"email": "{email}"}}"#);
        cli.run(&["invoke", &block, "--user", &user, "--json"])
            .ok()
            .json()
    };
    assert_eq!(call("bot@mailinator.com")["outcome"], "error");
    assert_eq!(call("bot@spam.test")["outcome"], "ok");
    cli.run(&["env", "set", "BLOCKED_DOMAINS", "junk.test,spam.test"])
        .ok();
    let denied = call("bot@spam.test");
    assert_eq!(
        denied["error"]["message"], "Disposable email addresses are not accepted.",
        "{denied}"
    );
    assert_eq!(denied["logs"][0]["message"], "blocked bot@spam.test");
    cli.run(&["env", "rm", "BLOCKED_DOMAINS"]).ok();
    assert_eq!(call("bot@spam.test")["outcome"], "ok");
}

#[tokio::test]
async fn logs_list_and_follow() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let token = server.admin_token().await;
    let echo_file = write(dir.path(), "echo.js", ECHO);
    let id = cli
        .run(&["deploy", "-q", &echo_file, "--scene", "POST_REGISTER"])
        .ok()
        .stdout
        .trim()
        .to_string();

    let ran = cli.run(&["logs", &id]).ok();
    assert_eq!(ran.stdout.trim(), "no invocations logged yet");
    for who in ["one@x", "two@x"] {
        let user = format!(r#"{{"email": "{who}"}}"#);
        cli.run(&["invoke", &id, "--user", &user]).ok();
    }
    // Logs are written in batches, off the request path.
    crate::server_harness::eventually("two log records", || async {
        let logs = get(&server, &token, &format!("/v1/functions/{id}/logs")).await;
        (logs["totalCount"] == 2).then_some(())
    })
    .await;

    // Newest first, with the console lines.
    let ran = cli.run(&["logs", &id]).ok();
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert!(
        lines[0].starts_with("AT") && lines[0].contains("REQUEST ID"),
        "{}",
        ran.stdout
    );
    assert!(
        lines[1].contains(" ok ") && lines[1].contains("[info] seen two@x"),
        "{}",
        ran.stdout
    );
    assert!(lines[2].contains("[info] seen one@x"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("(2 of 2, newest first)"),
        "{}",
        ran.stdout
    );
    let data = cli
        .run(&["logs", &id, "--limit", "1", "--json"])
        .ok()
        .json();
    assert_eq!(data["totalCount"], 2);
    assert_eq!(data["list"].as_array().unwrap().len(), 1);
    assert_eq!(data["list"][0]["logs"][0]["message"], "seen two@x");

    // --follow: the newest existing record, then each new one once, as it comes.
    let mut follow = cli
        .cmd(&["logs", &id, "--follow", "--limit", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("logs --follow starts");
    let mut lines = Lines::of(&mut follow);
    lines.wait_for("seen two@x");
    cli.run(&["invoke", &id, "--user", r#"{"email": "three@x"}"#])
        .ok();
    lines.wait_for("seen three@x");
    cli.run(&["invoke", &id, "--user", r#"{"email": "four@x"}"#])
        .ok();
    lines.wait_for("seen four@x");
    let seen = lines.seen;
    let _ = follow.kill();
    let _ = follow.wait();

    let console: Vec<&str> = seen
        .iter()
        .filter_map(|l| l.trim().strip_prefix("[info] "))
        .collect();
    assert_eq!(
        console,
        ["seen two@x", "seen three@x", "seen four@x"],
        "each record once, oldest first: {seen:#?}"
    );
    let records: Vec<&String> = seen.iter().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(records.len(), 3, "{seen:#?}");
    assert!(records.iter().all(|l| l.contains(" ok ")), "{seen:#?}");
}

#[tokio::test]
async fn configuration_comes_from_flag_env_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let config = |url: &str, secret: &str| {
        format!(
            "url = \"{url}\"\naccess_key_id = \"{}\"\naccess_key_secret = \"{secret}\"\n",
            cli.key_id
        )
    };

    // Nothing configured: name the variables and the file.
    let ran = output(cli.bare(&["ls"]));
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    for name in [
        "HOOKBOX_URL",
        "HOOKBOX_ACCESS_KEY_ID",
        "HOOKBOX_ACCESS_KEY_SECRET",
        cli.no_config.to_str().unwrap(),
    ] {
        assert!(ran.stderr.contains(name), "{name} not in {}", ran.stderr);
    }

    // The file alone ($HOOKBOX_CONFIG).
    let file = write(
        dir.path(),
        "config.toml",
        &config(&cli.url, &cli.key_secret),
    );
    let mut cmd = cli.bare(&["ls"]);
    cmd.env("HOOKBOX_CONFIG", &file);
    assert_eq!(output(cmd).ok().stdout.trim(), "no functions");

    // $XDG_CONFIG_HOME/hookbox/config.toml when $HOOKBOX_CONFIG is unset.
    let xdg = dir.path().join("xdg");
    std::fs::create_dir_all(xdg.join("hookbox")).unwrap();
    std::fs::copy(&file, xdg.join("hookbox/config.toml")).unwrap();
    let mut cmd = cli.bare(&["ls"]);
    cmd.env_remove("HOOKBOX_CONFIG")
        .env("XDG_CONFIG_HOME", &xdg);
    output(cmd).ok();

    // The environment wins over the file: a wrong secret in the file does not
    // matter, a wrong one in the environment does.
    let wrong = write(
        dir.path(),
        "wrong.toml",
        &config(&cli.url, "not-the-secret"),
    );
    let mut cmd = cli.cmd(&["ls"]);
    cmd.env("HOOKBOX_CONFIG", &wrong);
    output(cmd).ok();
    let mut cmd = cli.bare(&["ls"]);
    cmd.env("HOOKBOX_CONFIG", &file)
        .env("HOOKBOX_ACCESS_KEY_SECRET", "not-the-secret");
    let ran = output(cmd);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with("error: invalid accessKeyId or accessKeySecret (HTTP 401, requestId "),
        "{}",
        ran.stderr
    );

    // --url wins over both, and a server that is not there is named (exit 2).
    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    let mut cmd = cli.cmd(&["ls", "--url", &cli.url]);
    cmd.env("HOOKBOX_URL", &nowhere);
    output(cmd).ok();
    let ran = cli.run(&["ls", "--url", &nowhere]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with(&format!("error: cannot reach hookbox at {nowhere}/")),
        "{}",
        ran.stderr
    );
    let ran = output(cli.bare(&["env", "ls", "--url", &cli.url]));
    assert_eq!(ran.code, 2, "a URL alone is not a key pair: {}", ran.stderr);
    assert!(
        ran.stderr
            .contains("missing access_key_id, access_key_secret"),
        "{}",
        ran.stderr
    );

    // A function that is not there: the server's message.
    let ran = cli.run(&["invoke", "0123456789abcdef01234567"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with(
            "error: function 0123456789abcdef01234567 not found (HTTP 404, requestId "
        ),
        "{}",
        ran.stderr
    );
}

/// The test certificates: a CA, and a certificate it issued for `localhost`
/// and `127.0.0.1` (valid until 2126; the CA's key was discarded).
const TLS_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

/// A TLS front for the server at `backend` (`host:port`), as a gateway that
/// terminates TLS would be: each connection's TLS is accepted with the
/// fixture certificate and its bytes relayed to the backend. Returns the port.
async fn tls_front(backend: String) -> u16 {
    use std::sync::Arc;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(format!("{TLS_FIXTURES}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{TLS_FIXTURES}/server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake here.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// An `https://` URL reaches hookbox through a TLS front: the certificate
/// is checked (against HOOKBOX_CA_CERT, added to the Mozilla roots), and one
/// that no trusted CA issued is refused with a connection error (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_urls_work_through_a_tls_front() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let port = tls_front(server.base.trim_start_matches("http://").to_string()).await;
    let mut cli = Cli::new(&server, dir.path());
    let ca = format!("{TLS_FIXTURES}/ca.pem");
    let blocking = |cmd: Command| tokio::task::spawn_blocking(move || output(cmd));

    for (n, host) in ["localhost", "127.0.0.1"].into_iter().enumerate() {
        cli.url = format!("https://{host}:{port}");
        let mut cmd = cli.cmd(&["env", "set", &format!("VIA_TLS_{n}"), host]);
        cmd.env("HOOKBOX_CA_CERT", &ca);
        blocking(cmd).await.unwrap().ok();
        let mut cmd = cli.cmd(&["env", "ls", "--json"]);
        cmd.env("HOOKBOX_CA_CERT", &ca);
        let env = blocking(cmd).await.unwrap().ok().json();
        assert_eq!(env[format!("VIA_TLS_{n}")], host, "{env}");
    }

    // Without the CA the certificate is not trusted: nothing is sent.
    let ran = blocking(cli.cmd(&["env", "set", "UNTRUSTED", "x"]))
        .await
        .unwrap();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with(&format!("error: cannot reach hookbox at {}/", cli.url))
            && ran.stderr.contains("certificate"),
        "{}",
        ran.stderr
    );
    // A CA file that is not PEM is a usage error that names the variable.
    let mut cmd = cli.cmd(&["env", "ls"]);
    cmd.env(
        "HOOKBOX_CA_CERT",
        format!("{TLS_FIXTURES}/../no-such-ca.pem"),
    );
    let ran = blocking(cmd).await.unwrap();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("HOOKBOX_CA_CERT"), "{}", ran.stderr);
    let mut cmd = cli.cmd(&["env", "ls", "--json"]);
    cmd.env("HOOKBOX_CA_CERT", &ca);
    let env = blocking(cmd).await.unwrap().ok().json();
    assert!(env.get("UNTRUSTED").is_none(), "{env}");
}

/// The walk-through the README gives: deploy, ship a bad change, see the
/// versions, roll back, roll forward by number.
#[tokio::test]
async fn versions_rollback_and_deploy_a_version() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let cli = Cli::new(&server, dir.path());
    let token = server.admin_token().await;
    let good = write(
        dir.path(),
        "tag.js",
        "async function pipe(user, context, callback) {\n  user.tagged = true;\n  callback(null, user, context);\n}\n",
    );
    let id = cli
        .run(&["deploy", &good, "--scene", "POST_AUTHENTICATION", "-q"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let deny = write(dir.path(), "deny.js", DENY);
    let updated = cli.run(&["update", &id, &deny]).ok().stdout;
    assert_eq!(
        updated.trim(),
        format!("function {id} now runs version 2 (status success)")
    );

    let listed = cli.run(&["versions", &id]).ok().stdout;
    let rows: Vec<&str> = listed.lines().filter(|l| l.contains("success")).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(
        rows[0].trim_start().starts_with('*') && rows[0].contains(" 2 "),
        "{listed}"
    );
    assert!(
        !rows[1].contains('*') && rows[1].contains(" 1 "),
        "{listed}"
    );

    let back = cli.run(&["rollback", &id]).ok().stdout;
    assert_eq!(
        back.trim(),
        format!("function {id} now runs version 1 (latest 2)")
    );
    let out = server.invoke(&token, &id, json!({"user": {}})).await;
    assert_eq!(out["user"]["tagged"], true, "{out}");

    let forward = cli
        .run(&["deploy", &id, "--version", "2", "--json"])
        .ok()
        .json();
    assert_eq!(forward["deployedVersion"], 2);
    let out = server
        .invoke(&token, &id, json!({"user": {"email": "a@b"}}))
        .await;
    assert_eq!(out["outcome"], "error", "{out}");

    // `test` runs a version without deploying it.
    let tested = cli
        .run(&[
            "test",
            &id,
            "--version",
            "1",
            "--user",
            "{\"email\": \"a@b\"}",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(
        (tested["version"].clone(), tested["user"]["tagged"].clone()),
        (json!(1), json!(true))
    );
    let tested = cli
        .run(&["test", &id, "--user", "{\"email\": \"a@b\"}"])
        .ok()
        .stdout;
    assert!(tested.contains("closed for a@b"), "{tested}");

    // A gradual deployment, then its end.
    let gradual = cli
        .run(&["deploy", &id, "--version", "1", "--percent", "25"])
        .ok()
        .stdout;
    assert_eq!(
        gradual.trim(),
        format!(
            "function {id} runs version 1 for 25% of users and version 2 for the rest (latest 2)"
        )
    );
    let listed = cli.run(&["versions", &id]).ok().stdout;
    assert!(
        listed.lines().any(|l| l.trim_start().starts_with("~25%")),
        "{listed}"
    );
    let ended = cli.run(&["rollback", &id]).ok().stdout;
    assert_eq!(
        ended.trim(),
        format!(
            "ended the gradual deployment of version 1: function {id} runs version 2 for every call"
        )
    );
    let usage = cli.run(&[
        "deploy",
        &good,
        "--scene",
        "POST_AUTHENTICATION",
        "--percent",
        "25",
    ]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert!(
        usage.stderr.contains("--percent needs --version"),
        "{}",
        usage.stderr
    );
    let usage = cli.run(&["deploy", &id, "--version", "1", "--percent", "100"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);

    // Nothing before version 1: the server's reason, exit code 1.
    cli.run(&["rollback", &id]).ok();
    let refused = cli.run(&["rollback", &id]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("no kept version before 1"),
        "{}",
        refused.stderr
    );
    // A draft is saved, not run; a broken update exits 1 and says so.
    let next = write(
        dir.path(),
        "next.js",
        &format!("// next\n{}", std::fs::read_to_string(&good).unwrap()),
    );
    let drafted = cli.run(&["update", &id, &next, "--draft"]).ok().stdout;
    assert_eq!(
        drafted.trim(),
        format!("saved version 3 of function {id} as a draft; it runs version 1")
    );
    let broken = write(dir.path(), "broken.js", "function pipe( {");
    let failed = cli.run(&["update", &id, &broken]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(
        failed
            .stderr
            .contains("keeps it as version 4 with status \"failed\""),
        "{}",
        failed.stderr
    );
    // A file with --version, or an id without --scene, is a usage error.
    let usage = cli.run(&["deploy", &id]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert!(usage.stderr.contains("--scene"), "{}", usage.stderr);
    let usage = cli.run(&["deploy", &id, "--version", "1", "--scene", "X"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
}
