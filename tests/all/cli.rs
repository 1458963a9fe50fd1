//! `hookbox run`, driven as a user would: a process, files, flags, stdout.

use serde_json::Value;
use std::process::Command;

fn hookbox(args: &[&str]) -> (i32, Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookbox"));
    cmd.args(args).env(
        "HOOKBOX_CACHE_DIR",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/hookbox-cache"),
    );
    let out = cmd.output().expect("hookbox runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn example(name: &str) -> String {
    crate::common::example(name)
}

#[test]
fn run_prints_the_outcome_of_each_convention() {
    let whitelist = example("authing-email-whitelist.js");
    let (code, out, err) = hookbox(&[
        "run",
        &whitelist,
        "--user",
        r#"{"email":"ada@example.com"}"#,
        "--env",
        "ALLOWED_DOMAINS=example.com",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "ok");
    assert_eq!(out["user"]["email"], "ada@example.com");
    assert!(out["durationUs"].as_u64().is_some());

    let (code, out, _) = hookbox(&["run", &whitelist, "--user", r#"{"email":"eve@evil.test"}"#]);
    assert_eq!(code, 0, "a deny is an outcome, not a failure of hookbox");
    assert_eq!(out["outcome"], "error");
    assert_eq!(out["error"]["message"], "Access denied.");

    let (code, out, _) = hookbox(&[
        "run",
        &example("auth0-rule-add-claim.js"),
        "--user",
        r#"{"app_metadata":{"roles":["admin"]}}"#,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out["context"]["idToken"]["https://example.com/roles"][0],
        "admin"
    );

    let (code, out, _) = hookbox(&["run", &example("auth0-hook-pre-user-registration.js")]);
    assert_eq!(code, 0);
    assert_eq!(out["result"]["user"]["user_metadata"]["plan"], "free");

    let (code, out, _) = hookbox(&[
        "run",
        &example("handler-authorizer.js"),
        "--event",
        r#"{"headers":{"authorization":"Bearer let-me-in"}}"#,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out["result"]["body"],
        r#"{"status":"allow","context":{"user":"ada"}}"#
    );
}

#[test]
fn run_reports_limits_as_outcomes_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let spin = dir.path().join("spin.js");
    std::fs::write(&spin, "function pipe(u, c, cb) { for (;;) {} }").unwrap();
    let (code, out, err) = hookbox(&["run", spin.to_str().unwrap(), "--timeout", "1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "timeout");

    let (code, out, _) = hookbox(&["run", spin.to_str().unwrap(), "--fuel", "1000000"]);
    assert_eq!(code, 0);
    assert_eq!(out["outcome"], "out_of_fuel");

    let hog = dir.path().join("hog.js");
    std::fs::write(
        &hog,
        "exports.handler = () => { const k = []; for (;;) k.push('x'.repeat(1e6) + k.length); };",
    )
    .unwrap();
    // The cap, not the clock, must stop it: 0.2 s alone, but a loaded
    // machine once took it past the default 3 s.
    let (code, out, _) = hookbox(&[
        "run",
        hog.to_str().unwrap(),
        "--memory",
        "8",
        "--timeout",
        "60",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["outcome"], "memory_limit");
}

#[test]
fn run_fails_on_usage_and_io_errors_and_reports_syntax_errors() {
    let (code, _, err) = hookbox(&["run", "/nonexistent/hook.js"]);
    assert_eq!(code, 2);
    assert!(err.contains("reading /nonexistent/hook.js"), "{err}");

    let whitelist = example("authing-email-whitelist.js");
    let (code, _, err) = hookbox(&["run", &whitelist, "--timeout", "61"]);
    assert_eq!(code, 2);
    assert!(err.contains("timeout must be between 1 and 60"), "{err}");

    let (code, _, err) = hookbox(&["run", &whitelist, "--user", "{not json"]);
    assert_eq!(code, 2);
    assert!(err.contains("--user is not valid JSON"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.js");
    std::fs::write(&broken, "async function pipe(user) {\n  return user.;\n}").unwrap();
    let (code, out, _) = hookbox(&["run", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "nothing ran");
    assert_eq!(out["outcome"], "compile_error");
    assert_eq!(out["error"]["line"], 2);
    assert!(out["error"]["column"].as_u64().unwrap() > 0);
}

/// `--now` runs a date-dependent script at a chosen instant: the seed's
/// maintenance window denies on a Sunday at 04:30 UTC and allows a day later.
#[test]
fn run_at_a_chosen_instant() {
    let window = example("authing-maintenance-window.js");
    let (code, out, err) = hookbox(&["run", &window, "--now", "2026-11-29T04:30:00Z"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "error", "{out}");
    assert_eq!(
        out["error"]["message"],
        "System maintenance, registration is temporarily suspended!"
    );
    let (code, out, err) = hookbox(&["run", &window, "--now", "2026-11-30T04:30:00Z"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "ok", "{out}");

    for bad in ["yesterday", "2026-11-29", "2026-11-29T04:30:00+08:00"] {
        let (code, _, err) = hookbox(&["run", &window, "--now", bad]);
        assert_eq!(code, 2, "--now {bad}: {err}");
        assert!(err.contains("--now") && err.contains("RFC 3339"), "{err}");
    }
}

/// Every numeric flag of `hookbox bench` refuses what it cannot measure
/// (zero, a negative, NaN, infinity, past its maximum) as a usage error,
/// before it starts anything.
#[test]
fn bench_refuses_numbers_it_cannot_use() {
    let cases: &[&[&str]] = &[
        &["--iterations", "0"],
        &["--iterations=-1"],
        &["--iterations", "10000001"],
        &["--iterations", "18446744073709551616"],
        &["--seconds", "0"],
        &["--seconds=-1"],
        &["--seconds", "nan"],
        &["--seconds", "inf"],
        &["--seconds", "1e300"],
        &["--seconds", "3601"],
        &["--cold-functions", "0"],
        &["--cold-functions", "10001"],
    ];
    for args in cases {
        let mut argv = vec!["bench", "--suite", "engine"];
        argv.extend_from_slice(args);
        let (code, _, err) = hookbox(&argv);
        let flag = args[0].split('=').next().unwrap();
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?} names the flag: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// An Action runs with `--trigger`, `--secret` and `--continue`; its `api`
/// calls come back as data.
#[test]
fn run_takes_an_actions_trigger_secrets_and_continue() {
    let action = example("auth0-action-post-login.js");
    let base = [
        "run",
        action.as_str(),
        "--context",
        r#"{"authorization":{"roles":["admin"]}}"#,
        "--secret",
        "CLAIM_NAMESPACE=https://example.com",
    ];
    let with = |extra: &[&str]| {
        let mut argv = base.to_vec();
        argv.extend_from_slice(extra);
        hookbox(&argv)
    };
    let (code, out, err) = with(&[
        "--trigger",
        "post-login",
        "--user",
        r#"{"user_id":"auth0|1","email_verified":true}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["tokens"]["idToken"]["https://example.com/plan"], "free");
    assert_eq!(
        out["metadata"]["app_metadata"],
        serde_json::json!({"plan": "free"})
    );
    assert_eq!(out["commands"][0]["method"], "multifactor.enable");

    let (code, out, _) = with(&["--user", r#"{"email_verified":false}"#]);
    assert_eq!(code, 0);
    assert_eq!(out["error"]["name"], "AccessDeniedError", "{out}");
    assert_eq!(out["error"]["message"], "Please verify your email first.");

    let (code, out, _) = with(&["--trigger", "pre-user-registration"]);
    assert_eq!(code, 0, "the script ran");
    assert_eq!(out["error"]["name"], "EntryPointError", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("onExecutePreUserRegistration"),
        "{out}"
    );

    let (code, _, err) = with(&["--trigger", "post-logout"]);
    assert_eq!(code, 2);
    assert!(err.contains("--trigger \"post-logout\""), "{err}");
    let (code, _, err) = with(&["--secret", "no-equals-sign"]);
    assert_eq!(code, 2);
    assert!(err.contains("--secret takes KEY=VALUE"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let resume = dir.path().join("resume.js");
    std::fs::write(
        &resume,
        "exports.onExecutePostLogin = async (e, api) => { api.redirect.sendUserTo('https://example.com'); };\n\
         exports.onContinuePostLogin = async (e, api) => { api.idToken.setCustomClaim('back', true); };",
    )
    .unwrap();
    let (_, out, _) = hookbox(&["run", resume.to_str().unwrap()]);
    assert_eq!(out["commands"][0]["method"], "redirect.sendUserTo", "{out}");
    let (_, out, _) = hookbox(&["run", resume.to_str().unwrap(), "--continue"]);
    assert_eq!(out["tokens"]["idToken"]["back"], true, "{out}");
}

/// A rule's `auth0` global: metadata updates come back as data, and
/// `--domain` is `auth0.domain`.
#[test]
fn run_gives_a_rule_its_auth0_global_and_domain() {
    let (code, out, err) = hookbox(&[
        "run",
        &example("auth0-rule-app-metadata.js"),
        "--user",
        r#"{"user_id":"auth0|1","app_metadata":{"logins":4}}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["outcome"], "ok", "{out}");
    assert_eq!(out["metadata"]["app_metadata"]["logins"], 5);
    assert_eq!(out["context"]["idToken"]["https://example.com/logins"], 5);

    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("domain.js");
    std::fs::write(
        &rule,
        "function (u, c, cb) { u.where = [auth0.domain, auth0.baseUrl]; cb(null, u, c); }",
    )
    .unwrap();
    let (code, out, _) = hookbox(&["run", rule.to_str().unwrap(), "--domain", "Acme.auth0.com"]);
    assert_eq!(code, 0);
    assert_eq!(
        out["user"]["where"],
        serde_json::json!(["acme.auth0.com", "https://acme.auth0.com/api/v2"])
    );
    let (code, _, err) = hookbox(&[
        "run",
        rule.to_str().unwrap(),
        "--domain",
        "https://acme.auth0.com",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--domain: "), "{err}");
}

/// `--args` runs a one-function database script (`--script` names the
/// script, and makes `--secret` its configuration); a `module.exports`
/// hook given `--args` still runs as a hook.
#[test]
fn run_calls_a_database_script_with_its_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let login = dir.path().join("login.js");
    std::fs::write(
        &login,
        "function login(email, password, callback) {\n\
         if (password !== configuration.PASSWORD) return callback(new WrongUsernameOrPasswordError(email));\n\
         callback(null, { user_id: 'db|42', email: email });\n}",
    )
    .unwrap();
    let login = login.to_str().unwrap();
    let args = r#"["ada@example.com","pw"]"#;
    let (code, out, err) = hookbox(&[
        "run",
        login,
        "--args",
        args,
        "--script",
        "login",
        "--secret",
        "PASSWORD=pw",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out["result"],
        serde_json::json!({"user_id": "db|42", "email": "ada@example.com"}),
        "{out}"
    );
    let (_, out, _) = hookbox(&["run", login, "--args", args, "--env", "PASSWORD=pw"]);
    assert_eq!(out["result"]["user_id"], "db|42", "--args alone: {out}");
    let (_, out, _) = hookbox(&[
        "run",
        login,
        "--args",
        args,
        "--script",
        "login",
        "--secret",
        "PASSWORD=other",
    ]);
    assert_eq!(
        out["error"]["name"], "WrongUsernameOrPasswordError",
        "{out}"
    );
    assert_eq!(out["error"]["user_id"], "ada@example.com");
    let (code, _, err) = hookbox(&["run", login, "--args", args, "--script", "signin"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--script \"signin\" is not a database script"),
        "{err}"
    );
    let (code, _, err) = hookbox(&["run", login, "--args", "[0,1,2,3,4,5,6,7,8]"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--args: a script takes at most 8 arguments before its callback, got 9"),
        "{err}"
    );

    let (code, out, _) = hookbox(&[
        "run",
        &example("auth0-hook-pre-user-registration.js"),
        "--args",
        r#"[{"email":"a@example.com"},{"connection":"db"}]"#,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out["result"]["user"]["app_metadata"]["signup"], "db",
        "{out}"
    );
}
