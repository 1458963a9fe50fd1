//! The package catalogue (issue 13): an operator adds real npm packages to a
//! server (a tarball as `npm pack` writes it, or by name from a registry),
//! functions declare them as Auth0-style `dependencies` and `require` them,
//! and what the catalogue cannot meet is refused at upload, naming the
//! package. The tarballs in `tests/fixtures/packages/` are the published
//! ones (`npm pack uuid@3.4.0 is-odd@3.0.1 is-number@6.0.0`); expected
//! values come from Node running those same packages.

use crate::server_harness::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Digest;
use std::process::Command;

fn tarball(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/packages/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// `POST /v1/packages` with `body` as `content_type`, under `bearer`.
async fn post_package(
    server: &Server,
    bearer: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/packages", server.base))
        .bearer_auth(bearer)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `POST /v1/packages` with a fixture tarball.
async fn add_fixture(server: &Server, bearer: &str, file: &str) -> (StatusCode, Value) {
    post_package(server, bearer, "application/gzip", tarball(file)).await
}

/// npm's `integrity` of `bytes`: `sha512-<base64>`.
fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(bytes))
    )
}

async fn list(server: &Server, bearer: &str) -> Vec<Value> {
    let (status, body) = server.call(Method::GET, "/v1/packages", bearer, None).await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

fn added(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter(|p| p["builtIn"] == json!(false))
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect()
}

/// What `script` prints under Node with the fixture tarballs unpacked into
/// a `node_modules` (each package as npm would install it).
fn node_with(packages: &[(&str, &str)], script: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    for (name, file) in packages {
        let target = dir.path().join("node_modules").join(name);
        std::fs::create_dir_all(&target).unwrap();
        let status = Command::new("tar")
            .args([
                "xzf",
                &format!(
                    "{}/tests/fixtures/packages/{file}",
                    env!("CARGO_MANIFEST_DIR")
                ),
            ])
            .args(["--strip-components=1", "-C"])
            .arg(&target)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = Command::new("node")
        .args(["-e", script])
        .current_dir(dir.path())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("node prints JSON")
}

/// A gzip'd tar of `files` under `package/`, as npm lays one out.
fn make_tarball(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; a hostile tarball writes the bytes itself.
        let name = format!("package/{path}");
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, text.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

const UUID_RULE: &str = r#"function (user, context, callback) {
  const uuid = require('uuid');
  const v5 = require('uuid/v5');
  user.id = uuid();
  user.v4 = require('uuid@3.4.0').v4();
  user.named = v5('hookbox.example', v5.DNS);
  callback(null, user, context);
}"#;

#[tokio::test]
async fn an_added_package_is_what_the_functions_that_declare_it_require() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;

    // The built-in catalogue is listed to any key.
    let before = list(&server, &token).await;
    assert!(
        before.iter().any(|p| p["name"] == "uuid"
            && p["version"] == "11.1.1"
            && p["builtIn"] == json!(true))
    );
    assert!(added(&before).is_empty());

    // uuid 3 (callable, as Auth0 rules use it) is not built in: refused, by name.
    let spec = json!({"funcName": "ids", "scene": "post-login", "sourceCode": UUID_RULE,
                      "dependencies": {"uuid": "3.4.0"}});
    let (status, body) = server
        .call(Method::POST, "/v1/functions", &token, Some(spec.clone()))
        .await;
    assert_eq!(status, 400, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("dependencies: uuid@3.4.0 is not in this server's package catalogue (it has uuid 11.1.1)"), "{message}");

    // Only the server admin key adds.
    let (status, _) = add_fixture(&server, &token, "uuid-3.4.0.tgz").await;
    assert_eq!(status, 401);
    let (status, body) = add_fixture(&server, ADMIN_KEY, "uuid-3.4.0.tgz").await;
    assert_eq!(status, 200, "{body}");
    let p = &body["data"]["added"][0];
    assert_eq!(
        (
            p["name"].as_str(),
            p["version"].as_str(),
            p["license"].as_str()
        ),
        (Some("uuid"), Some("3.4.0"), Some("MIT"))
    );
    assert_eq!(p["integrity"], json!(integrity(&tarball("uuid-3.4.0.tgz"))));
    assert_eq!(body["data"]["unresolved"], json!([]));
    let (status, body) = add_fixture(&server, ADMIN_KEY, "uuid-3.4.0.tgz").await;
    assert_eq!(status, 409, "{body}");

    // Now the rule deploys and runs with uuid 3's API.
    let func = server.deploy(&token, spec).await;
    let id = func["funcId"].as_str().unwrap();
    let data = server.invoke(&token, id, json!({"user": {}})).await;
    assert_eq!(data["outcome"], "ok", "{data}");
    let user = &data["user"];
    let v4 = regex_like_uuid_v4();
    assert!(
        v4(user["id"].as_str().unwrap()) && v4(user["v4"].as_str().unwrap()),
        "{user}"
    );
    let node = node_with(
        &[("uuid", "uuid-3.4.0.tgz")],
        "const v5 = require('uuid/v5'); console.log(JSON.stringify([typeof require('uuid'), v5('hookbox.example', v5.DNS)]))",
    );
    assert_eq!(node[0], "function", "uuid 3 is callable under Node too");
    assert_eq!(user["named"], node[1]);

    // A function that does not declare it keeps the built-in uuid.
    let plain = server
        .deploy_id(
            &token,
            "plain",
            "post-login",
            r#"function (user, context, callback) {
  user.kind = typeof require('uuid');
  try { require('uuid@3.4.0'); } catch (e) { user.error = e.message; }
  callback(null, user, context);
}"#,
        )
        .await;
    let data = server.invoke(&token, &plain, json!({"user": {}})).await;
    assert_eq!(data["user"]["kind"], "object", "{data}");
    assert_eq!(
        data["user"]["error"],
        "Cannot find module 'uuid@3.4.0': hookbox's package catalogue has uuid 11.1.1, not 3.4.0"
    );

    // In use, it cannot be removed; once unused, it can.
    let (status, body) = server
        .call(Method::DELETE, "/v1/packages/uuid/3.4.0", ADMIN_KEY, None)
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains(id), "{body}");
    let (status, _) = server
        .call(Method::DELETE, &format!("/v1/functions/{id}"), &token, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .call(Method::DELETE, "/v1/packages/uuid/3.4.0", &token, None)
        .await;
    assert_eq!(status, 401, "a tenant key cannot remove");
    let (status, body) = server
        .call(Method::DELETE, "/v1/packages/uuid/3.4.0", ADMIN_KEY, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(added(&list(&server, &token).await).is_empty());
    let (status, _) = server
        .call(Method::DELETE, "/v1/packages/uuid/3.4.0", ADMIN_KEY, None)
        .await;
    assert_eq!(status, 404);
    let (status, body) = server
        .call(Method::DELETE, "/v1/packages/uuid/11.1.1", ADMIN_KEY, None)
        .await;
    assert_eq!(status, 409, "a built-in package is not removed: {body}");
}

fn regex_like_uuid_v4() -> impl Fn(&str) -> bool {
    |s: &str| {
        let b = s.as_bytes();
        s.len() == 36
            && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
            && b[14] == b'4'
            && matches!(b[19], b'8' | b'9' | b'a' | b'b')
            && s.chars()
                .filter(|c| *c != '-')
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    }
}

#[tokio::test]
async fn dependencies_of_added_packages_resolve_through_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;

    let (status, body) = post_package(
        &server,
        ADMIN_KEY,
        "application/octet-stream",
        tarball("is-odd-3.0.1.tgz"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["unresolved"],
        json!(["is-number@^6.0.0 (needed by is-odd@3.0.1)"])
    );

    let source = r#"function (user, context, callback) {
  const isOdd = require('is-odd');
  user.odd = [isOdd(7), isOdd('8'), isOdd(-3)];
  callback(null, user, context);
}"#;
    let spec = json!({"funcName": "odd", "scene": "post-login", "sourceCode": source,
                      "dependencies": {"is-odd": "^3.0.0", "lodash": "4.17.21", "axios": "0.21.1"}});
    let (status, body) = server
        .call(Method::POST, "/v1/functions", &token, Some(spec.clone()))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with(
            "dependencies: is-number@^6.0.0 (needed by is-odd@3.0.1) is not in this server's package catalogue"
        ),
        "{body}"
    );

    let (status, body) = add_fixture(&server, ADMIN_KEY, "is-number-6.0.0.tgz").await;
    assert_eq!(status, 200, "{body}");
    let id = server.deploy(&token, spec).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let data = server.invoke(&token, &id, json!({"user": {}})).await;
    let node = node_with(
        &[
            ("is-odd", "is-odd-3.0.1.tgz"),
            ("is-number", "is-number-6.0.0.tgz"),
        ],
        "const isOdd = require('is-odd'); console.log(JSON.stringify([isOdd(7), isOdd('8'), isOdd(-3)]))",
    );
    assert_eq!(data["user"]["odd"], node, "{data}");

    // A version the catalogue lacks, or a range nothing meets, is refused.
    for (deps, expected) in [
        (
            json!({"is-odd": "^2.0.0"}),
            "dependencies: is-odd@^2.0.0 is not in this server's package catalogue (it has is-odd 3.0.1)",
        ),
        (
            json!({"lodash": "3.10.1"}),
            "dependencies: lodash@3.10.1 is not in this server's package catalogue (it has lodash 4.17.21)",
        ),
        (
            json!({"left-pad": "1.3.0"}),
            "dependencies: left-pad@1.3.0 is not in this server's package catalogue (it has no version of it)",
        ),
        (
            json!({"lodash": "git+https://example.com/x.git"}),
            "dependencies: lodash: \"git+https://example.com/x.git\" is not a version or an npm version range",
        ),
        (
            json!({"Not A Name": "1.0.0"}),
            "dependencies: \"Not A Name\" is not an npm package name",
        ),
    ] {
        let (status, body) = server
            .call(
                Method::PATCH,
                &format!("/v1/functions/{id}"),
                &token,
                Some(json!({"dependencies": deps})),
            )
            .await;
        assert_eq!(status, 400, "{deps}: {body}");
        assert!(
            body["message"].as_str().unwrap().starts_with(expected),
            "{deps}: {body}"
        );
    }
    // The function still runs as it was.
    let again = server.invoke(&token, &id, json!({"user": {}})).await;
    assert_eq!(again["user"]["odd"], node);
}

#[tokio::test]
async fn a_tarball_hookbox_cannot_run_is_refused_with_the_rule_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let manifest = |extra: &str| format!(r#"{{"name": "bad-pkg", "version": "1.0.0"{extra}}}"#);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "not gzip",
            b"hello".to_vec(),
            400,
            "package: not a gzip'd tar archive",
        ),
        (
            "no manifest",
            make_tarball(&[("index.js", "module.exports = 1;")]),
            400,
            "package: the tarball has no package.json",
        ),
        (
            "ES module only",
            make_tarball(&[
                (
                    "package.json",
                    &manifest(r#", "type": "module", "exports": "./index.mjs""#),
                ),
                ("index.mjs", "export default 1;"),
            ]),
            400,
            "package: bad-pkg@1.0.0: its main file (./index.mjs) is not in the tarball as CommonJS JavaScript or JSON",
        ),
        (
            "ESM syntax in .js",
            make_tarball(&[
                ("package.json", &manifest("")),
                ("index.js", "export const x = 1;\n"),
            ]),
            400,
            "package: bad-pkg@1.0.0: bad-pkg@1.0.0/index.js line 1 does not compile",
        ),
        (
            "syntax error in the main file",
            make_tarball(&[
                ("package.json", &manifest(r#", "main": "lib/b.js""#)),
                ("index.js", "module.exports = 1;\n"),
                ("lib/b.js", "\n\nvar = ;\n"),
            ]),
            400,
            "package: bad-pkg@1.0.0: bad-pkg@1.0.0/lib/b.js line 3 does not compile",
        ),
        (
            "native",
            make_tarball(&[
                ("package.json", &manifest("")),
                ("index.js", "module.exports = require('./x.node');"),
                ("build/x.node", "\u{7f}ELF"),
            ]),
            400,
            "package: bad-pkg@1.0.0 holds native code (build/x.node)",
        ),
        (
            "gyp",
            make_tarball(&[
                ("package.json", &manifest(r#", "gypfile": true"#)),
                ("index.js", ""),
            ]),
            400,
            "package: bad-pkg@1.0.0 builds native code",
        ),
        (
            "escape",
            make_tarball(&[("package.json", &manifest("")), ("../../evil.js", "")]),
            400,
            "package: the entry \"package/../../evil.js\" leaves the package",
        ),
        (
            "bad name",
            make_tarball(&[
                (
                    "package.json",
                    r#"{"name": "Bad Name", "version": "1.0.0"}"#,
                ),
                ("index.js", ""),
            ]),
            400,
            "package: \"Bad Name\" is not an npm package name",
        ),
        (
            "bad version",
            make_tarball(&[
                ("package.json", r#"{"name": "x", "version": "one"}"#),
                ("index.js", ""),
            ]),
            400,
            "package: x: version \"one\" is not a semantic version",
        ),
        (
            "built in",
            make_tarball(&[
                (
                    "package.json",
                    r#"{"name": "lodash", "version": "4.17.21"}"#,
                ),
                ("index.js", ""),
            ]),
            409,
            "package lodash@4.17.21 is built into hookbox's catalogue",
        ),
        (
            "own module",
            make_tarball(&[
                ("package.json", r#"{"name": "axios", "version": "1.6.0"}"#),
                ("index.js", ""),
            ]),
            400,
            "package: axios: hookbox provides `axios` itself",
        ),
        (
            "utils",
            make_tarball(&[
                ("package.json", r#"{"name": "utils", "version": "1.0.0"}"#),
                ("index.js", ""),
            ]),
            400,
            "package: utils: hookbox provides `utils` itself",
        ),
        (
            "too large",
            vec![0u8; 10 * 1024 * 1024 + 1],
            413,
            "request body is larger than 10485760 bytes",
        ),
    ];
    for (what, body, status, expected) in cases {
        let (got, answer) = post_package(&server, ADMIN_KEY, "application/gzip", body).await;
        assert_eq!(got.as_u16(), status, "{what}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(expected), "{what}: {message}");
    }
    let (status, answer) = post_package(&server, ADMIN_KEY, "text/plain", b"x".to_vec()).await;
    assert_eq!(status, 415, "{answer}");
    assert!(added(&list(&server, &token).await).is_empty());

    // An ES-module build shipped beside the CommonJS one (as dayjs does) is
    // left out, named; the package is added, and the left-out file is not
    // there to require.
    let (status, body) = post_package(
        &server,
        ADMIN_KEY,
        "application/gzip",
        make_tarball(&[
            ("package.json", r#"{"name": "two-builds", "version": "1.0.0", "main": "index.js", "module": "esm/index.js"}"#),
            ("index.js", "module.exports = { answer: 42 };\n"),
            ("esm/index.js", "export default { answer: 42 };\n"),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let dropped = body["data"]["dropped"].as_array().unwrap();
    assert_eq!(dropped.len(), 1, "{body}");
    assert!(
        dropped[0]
            .as_str()
            .unwrap()
            .starts_with("two-builds@1.0.0/esm/index.js line 1 does not compile: SyntaxError"),
        "{body}"
    );
    let source = r#"function (user, context, callback) {
  user.answer = require('two-builds').answer;
  try { require('two-builds/esm/index.js'); } catch (e) { user.esm = e.code; }
  callback(null, user, context);
}"#;
    let func = server
        .deploy(
            &token,
            json!({"funcName": "two", "scene": "post-login", "sourceCode": source,
                               "dependencies": {"two-builds": "1.0.0"}}),
        )
        .await;
    assert_eq!(
        func["dependencies"],
        json!({"two-builds": "1.0.0"}),
        "the function shows what it declares"
    );
    let data = server
        .invoke(
            &token,
            func["funcId"].as_str().unwrap(),
            json!({"user": {}}),
        )
        .await;
    assert_eq!(data["user"]["answer"], 42, "{data}");
    assert_eq!(data["user"]["esm"], "MODULE_NOT_FOUND", "{data}");
}

/// A static npm registry on 127.0.0.1: each package's packument (the
/// registry's JSON for a name) and its tarball, as the real one serves them.
async fn registry(packages: Vec<(&'static str, &'static str, Vec<u8>, bool)>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut app = axum::Router::new();
    for (name, version, bytes, honest) in packages {
        let integrity = integrity(if honest { &bytes[..] } else { b"other" });
        let tgz = format!("/tarballs/{name}-{version}.tgz");
        let mut versions = serde_json::Map::new();
        versions.insert(
            "0.0.1".into(),
            json!({"dist": {"tarball": "http://127.0.0.1:1/never.tgz"}}),
        );
        versions.insert(
            version.into(),
            json!({"dist": {"tarball": format!("{base}{tgz}"), "integrity": integrity}}),
        );
        let packument =
            json!({"name": name, "dist-tags": {"latest": version}, "versions": versions});
        app = app
            .route(
                &format!("/{name}"),
                axum::routing::get(move || async move { axum::Json(packument) }),
            )
            .route(&tgz, axum::routing::get(move || async move { bytes }));
    }
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn packages_are_fetched_by_name_with_their_dependencies_from_the_configured_registry() {
    let base = registry(vec![
        ("is-odd", "3.0.1", tarball("is-odd-3.0.1.tgz"), true),
        ("is-number", "6.0.0", tarball("is-number-6.0.0.tgz"), true),
        ("uuid", "3.4.0", tarball("uuid-3.4.0.tgz"), false),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("HOOKBOX_NPM_REGISTRY", &base)]);
    let token = server.admin_token().await;

    let by_name = |name: &str, version: &str| {
        serde_json::to_vec(&json!({"name": name, "version": version})).unwrap()
    };
    let (status, body) = post_package(
        &server,
        ADMIN_KEY,
        "application/json",
        by_name("is-odd", "^3"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["data"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["is-odd", "is-number"]);
    assert_eq!(body["data"]["unresolved"], json!([]));
    assert_eq!(
        added(&list(&server, &token).await),
        ["is-number@6.0.0", "is-odd@3.0.1"]
    );

    // A tarball that is not what the registry's integrity says, a name the
    // registry lacks, a range none of its versions meets: refused, nothing added.
    for (name, range, expected) in [
        (
            "uuid",
            "3.4.0",
            "uuid@3.4.0: the tarball does not match its integrity",
        ),
        (
            "left-pad",
            "1.3.0",
            "the npm registry has no package left-pad",
        ),
        ("is-odd", "^9", "no version of is-odd in \"^9\""),
    ] {
        let (status, body) =
            post_package(&server, ADMIN_KEY, "application/json", by_name(name, range)).await;
        assert_eq!(status, 400, "{name}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{name}: {message}");
    }
    assert_eq!(added(&list(&server, &token).await).len(), 2);
}

#[tokio::test]
async fn without_a_registry_packages_come_as_tarballs_and_the_cli_adds_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, body) = post_package(
        &server,
        ADMIN_KEY,
        "application/json",
        br#"{"name": "is-odd"}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("name: this server has no npm registry configured"),
        "{body}"
    );

    let (id, secret) = server.default_key.clone().unwrap();
    let cli = |args: &[&str], admin: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookbox"));
        cmd.args(args)
            .env("HOOKBOX_URL", &server.base)
            .env("HOOKBOX_CONFIG", dir.path().join("none.toml"))
            .env_remove("HOOKBOX_ADMIN_KEY");
        if admin {
            cmd.env("HOOKBOX_ADMIN_KEY", ADMIN_KEY);
        } else {
            cmd.env("HOOKBOX_ACCESS_KEY_ID", &id)
                .env("HOOKBOX_ACCESS_KEY_SECRET", &secret);
        }
        cmd.output().unwrap()
    };
    let fixture = format!(
        "{}/tests/fixtures/packages/is-number-6.0.0.tgz",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = cli(&["packages", "add", &fixture], false);
    assert_eq!(out.status.code(), Some(2), "no admin key is a usage error");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("needs the server admin key: set HOOKBOX_ADMIN_KEY")
    );
    let out = cli(&["packages", "add", &fixture], true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "added is-number@6.0.0\n"
    );
    let out = cli(&["packages", "ls"], false);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains("is-number") && l.contains("6.0.0") && l.contains("added")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("lodash") && l.contains("4.17.21") && l.contains("built in")),
        "{table}"
    );
    let out = cli(&["packages", "rm", "is-number@6.0.0"], true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["packages", "rm", "is-number@6.0.0"], true);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("package is-number@6.0.0 not found"));
}

/// A dependency on a Node built-in hookbox refuses (`fs`, `child_process`, …)
/// is a 400 naming the field, the package and the rule, and nothing is stored;
/// one on a built-in hookbox provides (`crypto`, `buffer`, `url`, …) is
/// accepted whatever version it names, and `require` answers the built-in, as
/// in Node: a built-in wins over the npm package of its name, and what Auth0
/// installs for a declared `crypto` is npm's placeholder package ("It's now a
/// built-in Node module").
#[tokio::test]
async fn dependencies_on_node_built_ins_are_refused_unless_hookbox_provides_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    let rule = |deps: Value| {
        json!({"funcName": "builtins", "scene": "post-login", "dependencies": deps,
               "sourceCode": "function (user, context, callback) { callback(null, user, context); }"})
    };
    for (deps, expected) in [
        (
            json!({"fs": "*"}),
            "dependencies: fs@* is Node's built-in 'fs' module, which hookbox does not provide to \
             functions (require('fs') throws MODULE_NOT_FOUND); remove it",
        ),
        (
            json!({"child_process": "1.0.0", "lodash": "4.17.21"}),
            "dependencies: child_process@1.0.0 is Node's built-in 'child_process' module, which \
             hookbox does not provide to functions (require('child_process') throws \
             MODULE_NOT_FOUND); remove it",
        ),
        (
            json!({"node:net": "^1.0.0"}),
            "dependencies: node:net@^1.0.0 is Node's built-in 'net' module, which hookbox does \
             not provide to functions (require('net') throws MODULE_NOT_FOUND); remove it",
        ),
    ] {
        let (status, body) = server
            .call(
                Method::POST,
                "/v1/functions",
                &token,
                Some(rule(deps.clone())),
            )
            .await;
        assert_eq!(status, 400, "{deps}: {body}");
        assert_eq!(body["message"], expected, "{deps}");
    }
    let (_, all) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(all["data"]["totalCount"], 0, "{all}");

    // Node: require('crypto').createHash('sha256').update('x').digest('hex'),
    // Buffer.from('a:b').toString('base64'), require('url').parse('http://a.com/p q').path
    let source = r#"function (user, context, callback) {
  user.digest = require('crypto').createHash('sha256').update('x').digest('hex');
  user.basic = require('buffer').Buffer.from('a:b').toString('base64');
  user.path = require('url').parse('http://a.com/p q').path;
  user.same = require('node:crypto') === require('crypto');
  callback(null, user, context);
}"#;
    let spec = json!({"funcName": "builtins", "scene": "post-login", "sourceCode": source,
        "dependencies": {"crypto": "1.0.1", "buffer": "5.7.1", "url": "^0.11.0", "node:querystring": "*"}});
    let id = server.deploy(&token, spec).await["funcId"]
        .as_str()
        .unwrap()
        .to_string();
    let data = server.invoke(&token, &id, json!({"user": {}})).await;
    assert_eq!(
        data["user"],
        json!({"digest": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
               "basic": "YTpi", "path": "/p%20q", "same": true}),
        "{data}"
    );
}
