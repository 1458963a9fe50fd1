//! npm packages for functions: reading a package tarball (what `npm pack`
//! writes and a registry serves), npm's version ranges, and the bundle of
//! packages compiled beside a function's code.
//!
//! The default catalogue is built into the engine plugin (evaluated into its
//! snapshot: `require` is a lookup). Packages an operator adds are stored
//! (hookbox-store's `packages` tree); a function whose `dependencies` name
//! one carries it, and what it needs, in its artifact (see
//! [`hookbox_engine::Engine::compile_with_packages`]), so it pays for them
//! only if it declares them.

use crate::model::ServiceError;
use base64::Engine as _;
use hookbox_store::PackageRecord;
use serde_json::Value;
use sha2::{Digest, Sha512};
use std::collections::BTreeMap;
use std::io::Read;

/// Largest package tarball accepted, in bytes (compressed).
pub const MAX_TARBALL_BYTES: usize = 10 * 1024 * 1024;
/// Most bytes a tarball may unpack to (all its entries, kept or not): a
/// gzip bomb stops here.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most entries a tarball may hold.
pub const MAX_TARBALL_ENTRIES: usize = 10_000;
/// Longest package name (npm's rule).
pub const MAX_PACKAGE_NAME_CHARS: usize = 214;

/// Files a function can load: the rest of a tarball (docs, types, ES
/// modules, maps) is dropped.
const KEPT_EXTENSIONS: &[&str] = &[".js", ".cjs", ".json"];

/// Packages that would be native code; hookbox runs JavaScript only.
fn native_marker(path: &str) -> bool {
    path.ends_with(".node") || path == "binding.gyp"
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::invalid("package", message)
}

/// npm's rules for a package name (validate-npm-package-name, for new
/// packages): 1–214 characters, lower case, URL-safe, not starting with `.`
/// or `_`, optionally `@scope/name`.
pub fn check_package_name(name: &str) -> Result<(), String> {
    let plain = |part: &str| {
        !part.is_empty()
            && !part.starts_with('.')
            && !part.starts_with('_')
            && part.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | '~')
            })
    };
    let ok = name.len() <= MAX_PACKAGE_NAME_CHARS
        && match name.strip_prefix('@') {
            Some(scoped) => scoped
                .split_once('/')
                .is_some_and(|(scope, rest)| plain(scope) && plain(rest)),
            None => plain(name),
        };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an npm package name (lower-case letters, digits, '-', '.', '_', '~', \
             at most {MAX_PACKAGE_NAME_CHARS} characters, optionally @scope/name)"
        ))
    }
}

/// npm's `integrity` of a tarball: `sha512-<base64 of its SHA-512>`.
pub fn integrity(tarball: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(tarball))
    )
}

/// Reads a package tarball (gzip'd tar whose entries sit under one top
/// directory, `package/` for what npm writes) into a record: its
/// `package.json` fields and its `.js`, `.cjs` and `.json` files.
///
/// # Errors
/// `package`-field 400s: not gzip/tar, over [`MAX_TARBALL_BYTES`],
/// [`MAX_UNPACKED_BYTES`] or [`MAX_TARBALL_ENTRIES`], a path that leaves the
/// package, no or a malformed `package.json`, a bad name or version, native
/// code, a main file that is not CommonJS JavaScript or JSON, a file that is
/// not UTF-8, or kept files over [`hookbox_engine::MAX_PACKAGES_BYTES`].
pub fn read_tarball(tarball: &[u8], added_at: String) -> Result<PackageRecord, ServiceError> {
    if tarball.len() > MAX_TARBALL_BYTES {
        return Err(invalid(format!(
            "the tarball is {} bytes; the limit is {MAX_TARBALL_BYTES}",
            tarball.len()
        )));
    }
    let gz = flate2::read::GzDecoder::new(tarball);
    let mut archive = tar::Archive::new(gz.take(MAX_UNPACKED_BYTES + 1));
    let entries = archive
        .entries()
        .map_err(|e| invalid(format!("not a gzip'd tar archive: {e}")))?;
    let mut root: Option<String> = None;
    let mut files = BTreeMap::new();
    let mut manifest: Option<Vec<u8>> = None;
    let mut kept: u64 = 0;
    let mut native = None;
    for (n, entry) in entries.enumerate() {
        if n >= MAX_TARBALL_ENTRIES {
            return Err(invalid(format!(
                "the tarball has more than {MAX_TARBALL_ENTRIES} entries"
            )));
        }
        let mut entry = entry.map_err(|e| invalid(format!("not a gzip'd tar archive: {e}")))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            // Links, devices, pax headers: nothing a function loads.
            continue;
        }
        let raw = entry
            .path()
            .map_err(|e| invalid(format!("an entry's path is unreadable: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        let Some((top, rel)) = split_entry(&raw)? else {
            continue;
        };
        match &root {
            None => root = Some(top.to_string()),
            Some(r) if r != top => {
                return Err(invalid(format!(
                    "the tarball's entries must sit under one directory: {r}/ and {top}/"
                )));
            }
            Some(_) => {}
        }
        if kind.is_dir() || rel.is_empty() {
            continue;
        }
        if native_marker(&rel) {
            native = Some(rel.clone());
        }
        let wanted = rel == "package.json" || KEPT_EXTENSIONS.iter().any(|ext| rel.ends_with(ext));
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| {
            invalid(format!(
                "not a gzip'd tar archive, or larger than {MAX_UNPACKED_BYTES} bytes unpacked: {e}"
            ))
        })?;
        if !wanted || rel.split('/').any(|part| part == "node_modules") {
            continue;
        }
        if rel == "package.json" {
            // Kept as a file too: `require('./package.json')` is common.
            manifest = Some(bytes.clone());
        }
        kept += bytes.len() as u64;
        if kept > hookbox_engine::MAX_PACKAGES_BYTES as u64 {
            return Err(invalid(format!(
                "its JavaScript and JSON files are over {} bytes",
                hookbox_engine::MAX_PACKAGES_BYTES
            )));
        }
        let text =
            String::from_utf8(bytes).map_err(|_| invalid(format!("{rel} is not UTF-8 text")))?;
        files.insert(rel, text);
    }
    let manifest = manifest.ok_or_else(|| invalid("the tarball has no package.json"))?;
    let json: Value = serde_json::from_slice(&manifest)
        .map_err(|e| invalid(format!("package.json is not JSON: {e}")))?;
    let name = json["name"]
        .as_str()
        .ok_or_else(|| invalid("package.json has no \"name\""))?
        .to_string();
    check_package_name(&name).map_err(invalid)?;
    let version = json["version"]
        .as_str()
        .ok_or_else(|| invalid("package.json has no \"version\""))?
        .to_string();
    semver::Version::parse(&version).map_err(|e| {
        invalid(format!(
            "{name}: version {version:?} is not a semantic version: {e}"
        ))
    })?;
    if let Some(path) = native {
        return Err(invalid(format!(
            "{name}@{version} holds native code ({path}): hookbox runs JavaScript only"
        )));
    }
    if json["gypfile"].as_bool() == Some(true) {
        return Err(invalid(format!(
            "{name}@{version} builds native code (\"gypfile\": true): hookbox runs JavaScript only"
        )));
    }
    let main = main_file(&json, &files).ok_or_else(|| {
        invalid(format!(
            "{name}@{version}: its main file ({}) is not in the tarball as CommonJS JavaScript or JSON; \
             ES-module-only packages cannot be required",
            main_request(&json)
        ))
    })?;
    let dependencies = match &json["dependencies"] {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("*").to_string()))
            .collect(),
        _ => BTreeMap::new(),
    };
    let license = match &json["license"] {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    let size = files.values().map(|s| s.len() as u64).sum();
    Ok(PackageRecord {
        name,
        version,
        license,
        main,
        dependencies,
        files,
        integrity: integrity(tarball),
        size,
        added_at,
    })
}

/// `top/rest` of an entry path, refusing any that would leave the package.
/// `None` for the top directory itself.
fn split_entry(raw: &str) -> Result<Option<(&str, String)>, ServiceError> {
    let trimmed = raw.trim_start_matches("./");
    if trimmed.starts_with('/') || trimmed.split('/').any(|p| p == "..") {
        return Err(invalid(format!("the entry {raw:?} leaves the package")));
    }
    let mut parts = trimmed.splitn(2, '/');
    let top = parts.next().unwrap_or_default();
    if top.is_empty() {
        return Ok(None);
    }
    let rest = parts
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/");
    Ok(Some((top, rest)))
}

/// What `require(name)` asks for: `exports["."]` (its `require` or
/// `default` condition), else `main`, else `index.js`.
fn main_request(json: &Value) -> String {
    fn condition(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s),
            Value::Object(o) => ["require", "node", "default"]
                .iter()
                .find_map(|k| o.get(*k).and_then(condition)),
            Value::Array(a) => a.iter().find_map(condition),
            _ => None,
        }
    }
    let exported = match &json["exports"] {
        Value::Object(o) if o.keys().any(|k| k.starts_with('.')) => o.get(".").and_then(condition),
        other => condition(other),
    };
    exported
        .or_else(|| json["main"].as_str())
        .unwrap_or("index.js")
        .to_string()
}

/// Node's LOAD_AS_FILE then LOAD_AS_DIRECTORY for the main request, over
/// the kept files.
fn main_file(json: &Value, files: &BTreeMap<String, String>) -> Option<String> {
    let request = main_request(json);
    let base = request
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string();
    [
        base.clone(),
        format!("{base}.js"),
        format!("{base}.json"),
        format!("{base}/index.js"),
        format!("{base}/index.json"),
    ]
    .into_iter()
    .map(|p| p.trim_start_matches('/').to_string())
    .find(|p| files.contains_key(p))
}

// ------------------------------------------------------------------ ranges

/// An npm version range (node-semver's grammar: `1.2.3`, `^1.2`, `~1.2.3`,
/// `>=1 <2`, `1.x`, `1.2 - 2.3`, `a || b`, `*`, `latest`), over the
/// `semver` crate's comparators.
#[derive(Debug, Clone)]
pub struct NpmRange(Vec<semver::VersionReq>);

impl NpmRange {
    /// Parses `spec`; `None` when it is not a range (a URL, a git or file
    /// spec, a tag other than `latest`).
    pub fn parse(spec: &str) -> Option<Self> {
        let mut alternatives = Vec::new();
        for alt in spec.split("||") {
            alternatives.push(semver::VersionReq::parse(&cargo_syntax(alt.trim())?).ok()?);
        }
        Some(Self(alternatives))
    }

    pub fn matches(&self, version: &semver::Version) -> bool {
        self.0.iter().any(|r| r.matches(version))
    }
}

/// One npm alternative in the `semver` crate's syntax.
fn cargo_syntax(alt: &str) -> Option<String> {
    if alt.is_empty() || alt == "*" || alt == "latest" || alt.eq_ignore_ascii_case("x") {
        return Some("*".into());
    }
    if let Some((low, high)) = alt.split_once(" - ") {
        return Some(format!(">={}, <={}", bare(low.trim())?, bare(high.trim())?));
    }
    // Operators may stand apart from their version (`>= 1.2.3`).
    let mut comparators: Vec<String> = Vec::new();
    let mut pending = String::new();
    for token in alt.split_whitespace() {
        if token
            .chars()
            .all(|c| matches!(c, '<' | '>' | '=' | '^' | '~'))
        {
            pending.push_str(token);
            continue;
        }
        comparators.push(comparator(&format!("{pending}{token}"))?);
        pending.clear();
    }
    if !pending.is_empty() || comparators.is_empty() {
        return None;
    }
    Some(comparators.join(", "))
}

fn comparator(token: &str) -> Option<String> {
    let op_len = token
        .find(|c: char| !matches!(c, '<' | '>' | '=' | '^' | '~'))
        .unwrap_or(token.len());
    let (op, version) = token.split_at(op_len);
    let version = bare(version)?;
    let wildcard = version.contains('*');
    Some(match op {
        // npm: a bare version is exact; `1.2` and `1.x` mean 1.2.x and 1.x.x.
        "" | "=" if wildcard => version,
        "" | "=" => format!("={version}"),
        "~>" => format!("~{version}"),
        ">" | ">=" | "<" | "<=" | "^" | "~" => format!("{op}{version}"),
        _ => return None,
    })
}

/// A version with its `v` and wildcards in the `semver` crate's form.
fn bare(v: &str) -> Option<String> {
    let v = v.strip_prefix('v').unwrap_or(v);
    if v.is_empty() {
        return None;
    }
    Some(
        v.split('.')
            .map(|p| if p == "x" || p == "X" { "*" } else { p })
            .collect::<Vec<_>>()
            .join("."),
    )
}

// ------------------------------------------------------------------ bundle

/// A function's packages as the engine compiles them beside its source
/// (the plugin's `PACKAGES_MARK` framing: a JSON header, then each file).
pub struct Bundle {
    /// What [`hookbox_engine::Engine::compile_with_packages`] takes.
    pub text: String,
    /// `name@version/path` of each file, by index.
    files: Vec<String>,
}

impl Bundle {
    /// A compile error's message with the package file it is in named
    /// (`uuid@3.4.0/lib/rng.js line 3 does not compile: SyntaxError: …`); other messages as
    /// they are.
    pub fn describe(&self, message: &str, line: u32) -> String {
        let located = message
            .strip_prefix("in the function's packages: file ")
            .and_then(|rest| rest.split_once(": "))
            .and_then(|(index, rest)| Some((self.files.get(index.parse::<usize>().ok()?)?, rest)));
        match located {
            Some((file, rest)) => format!("{file} line {line} does not compile: {rest}"),
            None => message.to_string(),
        }
    }
}

/// The bundle of `packages`: the header `{"packages": {NAME: {version,
/// license, main, dir}}, "files": [PATH…]}` (`main` indexes `files`; a path
/// is `NAME/…`) and each file's source, a CommonJS module body (a JSON file
/// assigns its value). Files are compiled one by one, and read by a call
/// only when required.
pub fn bundle(packages: &[&PackageRecord]) -> Bundle {
    let mut paths = Vec::new();
    let mut names = Vec::new();
    let mut sources = Vec::new();
    let mut table = serde_json::Map::new();
    for r in packages {
        for (path, text) in &r.files {
            if *path == r.main {
                table.insert(
                    r.name.clone(),
                    serde_json::json!({
                        "version": r.version,
                        "license": r.license,
                        "main": paths.len(),
                        "dir": r.name,
                    }),
                );
            }
            paths.push(format!("{}/{path}", r.name));
            names.push(format!("{}@{}/{path}", r.name, r.version));
            sources.push(source_of(path, text));
        }
    }
    let header = serde_json::json!({ "packages": table, "files": paths }).to_string();
    let mut text = format!("{}\0{header}{}\0", header.len(), sources.len());
    for source in &sources {
        text.push_str(&format!("{}\0{source}", source.len()));
    }
    Bundle { text, files: names }
}

/// A file's text as the body of its `load` function: a JSON file assigns
/// its value; a hashbang line and a byte-order mark go, as in Node.
fn source_of(path: &str, text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if path.ends_with(".json") {
        // JSON.parse, so that a "__proto__" key stays a key.
        return format!(
            "module.exports = JSON.parse({});",
            serde_json::to_string(text).expect("a string serialises")
        );
    }
    match text.strip_prefix("#!") {
        Some(rest) => format!("//{rest}"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    #[test]
    fn npm_ranges_mean_what_node_semver_means() {
        // Expected values from node-semver 7 (`semver.satisfies(v, range)`).
        let cases: &[(&str, &str, bool)] = &[
            ("4.17.21", "4.17.21", true),
            ("4.17.21", "4.17.22", false),
            ("^4.17.0", "4.17.21", true),
            ("^4.17.0", "5.0.0", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            (">=1.0.0 <2.0.0", "1.9.9", true),
            (">= 1.0.0 < 2.0.0", "2.0.0", false),
            ("1.x", "1.4.0", true),
            ("1.x", "2.0.0", false),
            ("1.2", "1.2.7", true),
            ("1.2", "1.3.0", false),
            ("1.2.0 - 1.4.0", "1.4.0", true),
            ("1.2.0 - 1.4.0", "1.4.1", false),
            ("^1 || ^3", "3.1.0", true),
            ("^1 || ^3", "2.1.0", false),
            ("*", "9.9.9", true),
            ("latest", "0.0.1", true),
            ("v2.0.0", "2.0.0", true),
            ("^0.2.3", "0.3.0", false),
        ];
        for (range, version, expected) in cases {
            let r = NpmRange::parse(range).unwrap_or_else(|| panic!("{range} parses"));
            assert_eq!(r.matches(&v(version)), *expected, "{version} in {range}");
        }
        for bad in ["git+https://x/y.git", "file:../x", "next", ">="] {
            assert!(NpmRange::parse(bad).is_none(), "{bad} is not a range");
        }
    }

    #[test]
    fn package_names_follow_npm() {
        for ok in ["lodash", "ipaddr.js", "@xmldom/xmldom", "left-pad", "a_b"] {
            assert!(check_package_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Lodash", ".x", "_x", "a/b", "@s", "@s/", "a b", "../x"] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
    }
}
