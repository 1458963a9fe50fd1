//! The Node-surface calls `hookbox bench` times in-process beside Node 20
//! running the same code, and `make bench`'s criterion rows time alone
//! (`benches/engine.rs` includes this file): a trivial `pipe`, one lodash
//! function, SHA-256 over 1 KB, an RS256 JWT verification, and an added
//! package (uuid 3.4.0 from `tests/fixtures/packages/`, carried in the
//! artifact, evaluated by every call that requires it).

use anyhow::{Context, Result};
use hookbox_engine::{Artifact, Engine};

/// One call to time.
pub struct SurfaceCall {
    pub name: &'static str,
    /// The function hookbox runs (a `pipe`).
    pub source: String,
    /// The same work for Node, as the body of `(user) => { … }` with `require`
    /// resolving the catalogue's packages; `None`: no Node row.
    pub node: Option<String>,
    /// Package tarballs the function declares (`tests/fixtures/packages/`).
    pub packages: &'static [&'static str],
}

/// The RS256 token and public key the JWT row verifies (made once with Node's
/// `crypto.generateKeyPairSync` and `jsonwebtoken.sign`, no expiry).
const RS256: &str = include_str!("../benches/fixtures/rs256.json");

/// Every call, in report order.
pub fn calls() -> Result<Vec<SurfaceCall>> {
    let jwt: serde_json::Value =
        serde_json::from_str(RS256).context("benches/fixtures/rs256.json")?;
    let token = serde_json::to_string(&jwt["token"])?;
    let key = serde_json::to_string(&jwt["publicKey"])?;
    let pipe = |body: &str| {
        format!(
            "async function pipe(user, context, callback) {{ {body} callback(null, user, context); }}"
        )
    };
    let kb = "const kb = 'x'.repeat(1024);";
    Ok(vec![
        SurfaceCall {
            name: "trivial pipe",
            source: pipe(""),
            node: Some(String::new()),
            packages: &[],
        },
        SurfaceCall {
            name: "require('lodash').chunk",
            source: pipe("user.c = require('lodash').chunk([1, 2, 3], 2);"),
            node: Some("user.c = require('lodash').chunk([1, 2, 3], 2);".into()),
            packages: &[],
        },
        SurfaceCall {
            name: "sha256 over 1 KB",
            source: format!(
                "{kb}\n{}",
                pipe("user.h = require('crypto').createHash('sha256').update(kb).digest('hex');")
            ),
            node: Some(format!(
                "{kb} user.h = require('crypto').createHash('sha256').update(kb).digest('hex');"
            )),
            packages: &[],
        },
        SurfaceCall {
            name: "RS256 jwt.verify",
            source: pipe(&format!(
                "user.sub = require('jsonwebtoken').verify({token}, {key}, {{ algorithms: ['RS256'] }}).sub;"
            )),
            node: Some(format!(
                "user.sub = require('jsonwebtoken').verify({token}, {key}, {{ algorithms: ['RS256'] }}).sub;"
            )),
            packages: &[],
        },
        SurfaceCall {
            name: "added package: require('uuid')() 3.4.0",
            source: pipe("user.id = require('uuid')();"),
            node: None,
            packages: &["uuid-3.4.0.tgz"],
        },
    ])
}

/// Compiles `call` with its packages, as the server would for a function
/// declaring them.
pub async fn compile(engine: &Engine, call: &SurfaceCall) -> Result<Artifact> {
    if call.packages.is_empty() {
        return Ok(engine.compile(&call.source).await?);
    }
    let mut records = Vec::new();
    for file in call.packages {
        let path = format!(
            "{}/tests/fixtures/packages/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).with_context(|| path.clone())?;
        records.push(hookbox_service::packages::read_tarball(
            &bytes,
            String::new(),
        )?);
    }
    let refs: Vec<_> = records.iter().collect();
    let bundle = hookbox_service::packages::bundle(&refs);
    Ok(engine
        .compile_with_packages(&call.source, Some(&bundle.text))
        .await?)
}

/// A Node 20 script that times each call's `node` body `iterations` times
/// (after a warm-up) and prints `{name: [p50, p99] µs}` as JSON; `require`
/// resolves the catalogue's packages from `guest-sdk/npm/node_modules`.
pub fn node_script(calls: &[SurfaceCall], iterations: u64) -> String {
    let mut bodies = String::new();
    for call in calls {
        if let Some(body) = &call.node {
            bodies.push_str(&format!(
                "[{}, (user) => {{ {body} }}],\n",
                serde_json::to_string(call.name).expect("a name serialises")
            ));
        }
    }
    format!(
        r#"const path = require('path');
const npm = path.join({root}, 'guest-sdk/npm/node_modules');
const req = (name) => require(require.resolve(name, {{ paths: [npm] }}));
const calls = [
{bodies}];
const out = {{}};
for (const [name, fn] of calls) {{
  const f = new Function('require', 'return ' + fn.toString())(req);
  for (let i = 0; i < Math.min({iterations}, 1000); i++) f({{}});
  const samples = [];
  for (let i = 0; i < {iterations}; i++) {{
    const t = process.hrtime.bigint();
    f({{}});
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }}
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.round((samples.length - 1) * q)];
  out[name] = [at(0.5), at(0.99)];
}}
console.log(JSON.stringify(out));
"#,
        root = serde_json::to_string(env!("CARGO_MANIFEST_DIR")).expect("a path serialises"),
    )
}
