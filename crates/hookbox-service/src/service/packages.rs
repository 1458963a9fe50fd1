//! The server's package catalogue: the default one built into the engine
//! plugin, plus the packages an operator adds (from a tarball, or by name
//! from the npm registry the server is configured with), and the resolution
//! of a function's `dependencies` against both at upload.

use super::Service;
use crate::model::ServiceError;
use crate::packages::{self, Bundle, NpmRange, check_package_name, read_tarball};
use hookbox_store::{PackageRecord, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::LazyLock;
use std::time::Duration;

/// Most operator packages one function may carry (its dependencies and
/// theirs).
pub const MAX_FUNCTION_PACKAGES: usize = 200;
/// Most packages one `add` by name fetches (the package and the
/// dependencies the catalogue lacks).
pub const MAX_FETCHED_PACKAGES: usize = 100;
/// Most dependencies a function may declare.
pub const MAX_DEPENDENCIES: usize = 100;
/// One registry request at most.
const REGISTRY_TIMEOUT: Duration = Duration::from_secs(60);

/// Modules hookbox implements itself: a dependency on them is met whatever
/// version it names (`require('request@2.56.0')` is hookbox's `request`;
/// `utils` is Authing's helper module).
pub const OWN_MODULES: &[&str] = &["axios", "request", "node-fetch", "utils"];

/// The plugin's default catalogue ([`hookbox_engine::DEFAULT_CATALOGUE`]).
struct DefaultCatalogue {
    /// name → (version, license)
    packages: BTreeMap<String, (String, Option<String>)>,
    /// Node 20's built-in module names.
    builtins: BTreeSet<String>,
    /// The built-ins hookbox provides to functions; `require` refuses the
    /// others.
    provided: BTreeSet<String>,
}

static DEFAULT: LazyLock<DefaultCatalogue> = LazyLock::new(|| {
    let json: Value = serde_json::from_str(hookbox_engine::DEFAULT_CATALOGUE)
        .expect("the bundled catalogue is JSON");
    let packages = json["packages"]
        .as_object()
        .expect("catalogue packages")
        .iter()
        .map(|(name, p)| {
            (
                name.clone(),
                (
                    p["version"].as_str().unwrap_or_default().to_string(),
                    p["license"].as_str().map(str::to_string),
                ),
            )
        })
        .collect();
    let names = |field: &str| -> BTreeSet<String> {
        json[field]
            .as_array()
            .unwrap_or_else(|| panic!("catalogue {field}"))
            .iter()
            .filter_map(|b| b.as_str().map(str::to_string))
            .collect()
    };
    DefaultCatalogue {
        packages,
        builtins: names("builtins"),
        provided: names("provided"),
    }
});

/// `name` without Node's `node:` prefix.
fn bare(name: &str) -> &str {
    name.strip_prefix("node:").unwrap_or(name)
}

/// Whether `require(name)` is a Node built-in or one of hookbox's own
/// modules: nothing to resolve, whatever version a dependency names. As in
/// Node, a built-in wins over a package of its name: Auth0 installs the npm
/// package a dependency names (npm's `crypto` is a placeholder that says
/// "It's now a built-in Node module"), and `require('crypto')` is still
/// Node's own, so hookbox accepts such a dependency and serves its
/// built-in. The built-ins hookbox refuses are refused at upload
/// ([`check_dependencies`]); a function stored before that rule still
/// resolves (its `require` throws, as it did).
fn provided_by_hookbox(name: &str) -> bool {
    let bare = bare(name);
    OWN_MODULES.contains(&bare) || DEFAULT.builtins.contains(bare)
}

/// The rule a dependency on a Node built-in hookbox does not provide (`fs`,
/// `child_process`, …) breaks, naming it; `None` for any other name.
fn refused_builtin(name: &str, spec: &str) -> Option<String> {
    let bare = bare(name);
    (DEFAULT.builtins.contains(bare) && !DEFAULT.provided.contains(bare)).then(|| {
        format!(
            "{name}@{spec} is Node's built-in '{bare}' module, which hookbox does not provide \
             to functions (require('{bare}') throws MODULE_NOT_FOUND); remove it"
        )
    })
}

/// One package of the catalogue, as `GET /v1/packages` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageSummary {
    pub name: String,
    pub version: String,
    pub license: Option<String>,
    /// Built into the engine (evaluated once into its snapshot), or added
    /// by an operator (carried by the functions that declare it).
    pub built_in: bool,
    /// Added packages: their declared dependencies (name → npm range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<BTreeMap<String, String>>,
    /// Added packages: bytes of JavaScript and JSON kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Added packages: the tarball's `sha512-…` digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_at: Option<String>,
}

impl PackageSummary {
    fn added(r: &PackageRecord) -> Self {
        Self {
            name: r.name.clone(),
            version: r.version.clone(),
            license: r.license.clone(),
            built_in: false,
            dependencies: Some(r.dependencies.clone()),
            size: Some(r.size),
            integrity: Some(r.integrity.clone()),
            added_at: Some(r.added_at.clone()),
        }
    }
}

/// What an add did: the packages it stored, and the dependencies of theirs
/// that the catalogue still cannot meet (a function that needs one is
/// refused until an operator adds it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackagesAdded {
    pub added: Vec<PackageSummary>,
    /// `name@range (needed by name@version)`.
    pub unresolved: Vec<String>,
    /// Files left out because they do not compile as CommonJS (an ES-module
    /// build shipped beside the CommonJS one): `name@version/path line N
    /// does not compile: …`.
    pub dropped: Vec<String>,
}

/// Checks a function's `dependencies` field by itself (names and ranges);
/// [`Service`] resolves them against the catalogue.
pub(crate) fn check_dependencies(deps: &BTreeMap<String, String>) -> Result<(), ServiceError> {
    if deps.len() > MAX_DEPENDENCIES {
        return Err(ServiceError::invalid(
            "dependencies",
            format!("at most {MAX_DEPENDENCIES} dependencies"),
        ));
    }
    for (name, spec) in deps {
        if let Some(rule) = refused_builtin(name, spec) {
            return Err(ServiceError::invalid("dependencies", rule));
        }
        if !provided_by_hookbox(name) {
            check_package_name(name).map_err(|e| ServiceError::invalid("dependencies", e))?;
        }
        if NpmRange::parse(spec).is_none() {
            return Err(ServiceError::invalid(
                "dependencies",
                format!("{name}: {spec:?} is not a version or an npm version range"),
            ));
        }
    }
    Ok(())
}

/// The version a function gets for a name.
#[derive(Clone)]
enum Choice {
    BuiltIn(String),
    Added(Box<PackageRecord>),
}

impl Choice {
    fn version(&self) -> &str {
        match self {
            Self::BuiltIn(v) => v,
            Self::Added(r) => &r.version,
        }
    }
}

fn parse_version(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v).ok()
}

/// Resolves `deps` (and, for added packages, theirs) against the catalogue:
/// for each name the highest version its range allows, one version per name.
/// Answers the added packages the function must carry, by name.
fn resolve(
    store: &Store,
    deps: &BTreeMap<String, String>,
) -> Result<Vec<PackageRecord>, ServiceError> {
    let refuse = |m: String| ServiceError::invalid("dependencies", m);
    let mut chosen: BTreeMap<String, Choice> = BTreeMap::new();
    let mut queue: VecDeque<(String, String, Option<String>)> = deps
        .iter()
        .map(|(n, s)| (n.clone(), s.clone(), None))
        .collect();
    while let Some((name, spec, needed_by)) = queue.pop_front() {
        if provided_by_hookbox(&name) {
            continue;
        }
        let who = needed_by
            .as_ref()
            .map(|b| format!(" (needed by {b})"))
            .unwrap_or_default();
        let range = NpmRange::parse(&spec).ok_or_else(|| {
            refuse(format!(
                "{name}@{spec}{who}: not a version or an npm version range"
            ))
        })?;
        if let Some(have) = chosen.get(&name) {
            if parse_version(have.version()).is_some_and(|v| range.matches(&v)) {
                continue;
            }
            return Err(refuse(format!(
                "{name}@{spec}{who} conflicts with {name}@{}, which the function already gets; \
                 a function holds one version of each package",
                have.version()
            )));
        }
        let added = store.package_versions(&name)?;
        let built_in = DEFAULT.packages.get(&name).map(|(v, _)| v.clone());
        let mut best: Option<(semver::Version, Choice)> = None;
        let candidates = built_in
            .iter()
            .map(|v| (v.clone(), Choice::BuiltIn(v.clone())))
            .chain(
                added
                    .into_iter()
                    .map(|r| (r.version.clone(), Choice::Added(Box::new(r)))),
            );
        for (v, choice) in candidates {
            let Some(parsed) = parse_version(&v) else {
                continue;
            };
            if range.matches(&parsed) && best.as_ref().is_none_or(|(b, _)| parsed > *b) {
                best = Some((parsed, choice));
            }
        }
        let Some((_, choice)) = best else {
            let have: Vec<String> = built_in
                .into_iter()
                .chain(
                    store
                        .package_versions(&name)?
                        .into_iter()
                        .map(|r| r.version),
                )
                .collect();
            let has = if have.is_empty() {
                "it has no version of it".to_string()
            } else {
                format!("it has {name} {}", have.join(", "))
            };
            return Err(refuse(format!(
                "{name}@{spec}{who} is not in this server's package catalogue ({has}); \
                 an operator adds packages with `hookbox packages add`"
            )));
        };
        if let Choice::Added(r) = &choice {
            for (dn, ds) in &r.dependencies {
                queue.push_back((
                    dn.clone(),
                    ds.clone(),
                    Some(format!("{}@{}", r.name, r.version)),
                ));
            }
        }
        chosen.insert(name, choice);
        let carried = chosen
            .values()
            .filter(|c| matches!(c, Choice::Added(_)))
            .count();
        if carried > MAX_FUNCTION_PACKAGES {
            return Err(refuse(format!(
                "more than {MAX_FUNCTION_PACKAGES} added packages with their dependencies"
            )));
        }
    }
    Ok(chosen
        .into_values()
        .filter_map(|c| match c {
            Choice::Added(r) => Some(*r),
            Choice::BuiltIn(_) => None,
        })
        .collect())
}

/// Dependencies of `record` the catalogue (with `more`) cannot meet.
fn unmet(store: &Store, record: &PackageRecord) -> Result<Vec<(String, String)>, ServiceError> {
    let mut out = Vec::new();
    for (name, spec) in &record.dependencies {
        let one = BTreeMap::from([(name.clone(), spec.clone())]);
        if resolve(store, &one).is_err() {
            out.push((name.clone(), spec.clone()));
        }
    }
    Ok(out)
}

impl Service {
    /// The catalogue: built-in packages, then added ones, each by name.
    pub async fn packages(&self) -> Result<Vec<PackageSummary>, ServiceError> {
        let added = self.blocking(|s| s.list_packages()).await?;
        let mut out: Vec<PackageSummary> = DEFAULT
            .packages
            .iter()
            .map(|(name, (version, license))| PackageSummary {
                name: name.clone(),
                version: version.clone(),
                license: license.clone(),
                built_in: true,
                dependencies: None,
                size: None,
                integrity: None,
                added_at: None,
            })
            .collect();
        out.extend(added.iter().map(PackageSummary::added));
        Ok(out)
    }

    /// Adds the package in `tarball` (what `npm pack` writes) to the
    /// catalogue, after checking that every file compiles.
    ///
    /// # Errors
    /// `package` 400s from [`packages::read_tarball`], for a name hookbox
    /// provides itself, a version built in, or a file that does not
    /// compile (named with its line); `Conflict` if that version is there.
    pub async fn add_package(&self, tarball: Vec<u8>) -> Result<PackagesAdded, ServiceError> {
        let (record, dropped) = self.store_package(tarball).await?;
        let unresolved = self.unresolved(std::slice::from_ref(&record)).await?;
        Ok(PackagesAdded {
            added: vec![PackageSummary::added(&record)],
            unresolved,
            dropped,
        })
    }

    /// Reads, checks and stores a tarball's package; answers it and the files
    /// dropped because they do not compile.
    async fn store_package(
        &self,
        tarball: Vec<u8>,
    ) -> Result<(PackageRecord, Vec<String>), ServiceError> {
        let at = hookbox_store::rfc3339(hookbox_store::now_micros());
        let record = tokio::task::spawn_blocking(move || read_tarball(&tarball, at))
            .await
            .map_err(|e| ServiceError::Internal(format!("reading a tarball failed: {e}")))??;
        let name = &record.name;
        if provided_by_hookbox(name) {
            let why = if refused_builtin(name, "").is_some() {
                format!(
                    "`{name}` is the name of Node's built-in module, which `require` answers \
                     before any package (and hookbox refuses it)"
                )
            } else {
                format!("hookbox provides `{name}` itself, for every version")
            };
            return Err(ServiceError::invalid("package", format!("{name}: {why}")));
        }
        if DEFAULT
            .packages
            .get(name)
            .is_some_and(|(v, _)| *v == record.version)
        {
            return Err(ServiceError::Conflict(format!(
                "package {name}@{} is built into hookbox's catalogue",
                record.version
            )));
        }
        let mut record = record;
        let dropped = self.drop_what_does_not_compile(&mut record).await?;
        let stored = record.clone();
        self.blocking(move |s| s.put_package(&stored)).await?;
        tracing::info!(name = %record.name, version = %record.version, "package added to the catalogue");
        Ok((record, dropped))
    }

    /// Compiles `record`'s files; those that do not compile as CommonJS (an
    /// ES-module build beside the CommonJS one, as dayjs ships) are dropped
    /// from it and named in the answer (`name@version/path line N does not
    /// compile: …`). Requiring one is then `MODULE_NOT_FOUND`.
    ///
    /// # Errors
    /// A `package` 400 when the main file is one of them.
    async fn drop_what_does_not_compile(
        &self,
        record: &mut PackageRecord,
    ) -> Result<Vec<String>, ServiceError> {
        let engine = &self.inner.engine;
        let whole = packages::bundle(&[&*record]);
        if engine
            .compile_with_packages("", Some(&whole.text))
            .await
            .is_ok()
        {
            return Ok(Vec::new());
        }
        let mut dropped = Vec::new();
        let paths: Vec<String> = record.files.keys().cloned().collect();
        for path in paths {
            if !(path.ends_with(".js") || path.ends_with(".cjs")) {
                continue;
            }
            let mut one = record.clone();
            one.files.retain(|p, _| *p == path);
            one.main = path.clone();
            let bundle = packages::bundle(&[&one]);
            let error = match engine.compile_with_packages("", Some(&bundle.text)).await {
                Ok(_) => continue,
                Err(hookbox_engine::CompileError::Syntax { message, line, .. }) => {
                    bundle.describe(&message, line)
                }
                Err(e) => e.to_string(),
            };
            if path == record.main {
                return Err(ServiceError::invalid(
                    "package",
                    format!(
                        "{}@{}: {error} (CommonJS only; ES modules cannot be required)",
                        record.name, record.version
                    ),
                ));
            }
            record.files.remove(&path);
            dropped.push(error);
        }
        record.size = record.files.values().map(|t| t.len() as u64).sum();
        Ok(dropped)
    }

    async fn unresolved(&self, records: &[PackageRecord]) -> Result<Vec<String>, ServiceError> {
        let records = records.to_vec();
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for r in &records {
                for (n, s) in unmet(&store, r)? {
                    out.push(format!("{n}@{s} (needed by {}@{})", r.name, r.version));
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("resolution failed: {e}")))?
    }

    /// Fetches `name` at the highest version `spec` allows from the npm
    /// registry the server is configured with (`--npm-registry`), checks
    /// its `integrity`, adds it, and does the same for each dependency the
    /// catalogue cannot meet (at most [`MAX_FETCHED_PACKAGES`] in all).
    pub async fn add_package_from_registry(
        &self,
        name: &str,
        spec: &str,
    ) -> Result<PackagesAdded, ServiceError> {
        let registry = self.inner.config.npm_registry.clone().ok_or_else(|| {
            ServiceError::invalid(
                "name",
                "this server has no npm registry configured (hookbox serve --npm-registry URL); \
                 add a tarball instead",
            )
        })?;
        check_package_name(name).map_err(|e| ServiceError::invalid("name", e))?;
        if NpmRange::parse(spec).is_none() {
            return Err(ServiceError::invalid(
                "version",
                format!("{spec:?} is not a version or an npm version range"),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(REGISTRY_TIMEOUT)
            .build()
            .map_err(|e| ServiceError::Internal(format!("HTTP client: {e}")))?;
        let mut added = Vec::new();
        let mut dropped = Vec::new();
        let mut queue = VecDeque::from([(name.to_string(), spec.to_string())]);
        let mut seen = BTreeSet::new();
        while let Some((name, spec)) = queue.pop_front() {
            if !seen.insert(format!("{name}@{spec}")) {
                continue;
            }
            let one = BTreeMap::from([(name.clone(), spec.clone())]);
            let store = self.inner.store.clone();
            let met = tokio::task::spawn_blocking(move || resolve(&store, &one).is_ok())
                .await
                .unwrap_or(false);
            if met && !added.is_empty() {
                continue;
            }
            if added.len() >= MAX_FETCHED_PACKAGES {
                return Err(ServiceError::invalid(
                    "name",
                    format!("more than {MAX_FETCHED_PACKAGES} packages to fetch"),
                ));
            }
            let tarball = fetch_tarball(&http, &registry, &name, &spec).await?;
            let (record, mut left_out) = match self.store_package(tarball).await {
                Err(ServiceError::Conflict(_)) if !added.is_empty() => continue,
                other => other?,
            };
            dropped.append(&mut left_out);
            for (n, s) in &record.dependencies {
                queue.push_back((n.clone(), s.clone()));
            }
            added.push(record);
        }
        let unresolved = self.unresolved(&added).await?;
        Ok(PackagesAdded {
            added: added.iter().map(PackageSummary::added).collect(),
            unresolved,
            dropped,
        })
    }

    /// Removes an added package; `Conflict` while a function's dependencies
    /// resolve to it (naming up to five), `NotFound` if it is not there.
    pub async fn remove_package(&self, name: &str, version: &str) -> Result<(), ServiceError> {
        if DEFAULT
            .packages
            .get(name)
            .is_some_and(|(v, _)| v == version)
        {
            return Err(ServiceError::Conflict(format!(
                "package {name}@{version} is built into hookbox's catalogue; only added packages can be removed"
            )));
        }
        let (n, v) = (name.to_string(), version.to_string());
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || {
            if store.get_package(&n, &v)?.is_none() {
                return Err(ServiceError::NotFound(format!("package {n}@{v}")));
            }
            let mut users = Vec::new();
            for f in store.all_functions()? {
                if f.dependencies.is_empty() {
                    continue;
                }
                let uses = resolve(&store, &f.dependencies)
                    .map(|rs| rs.iter().any(|r| r.name == n && r.version == v))
                    .unwrap_or(false);
                if uses {
                    users.push(format!("{}/{}", f.tenant_id, f.func_id));
                }
            }
            if !users.is_empty() {
                let more = users.len().saturating_sub(5);
                users.truncate(5);
                return Err(ServiceError::Conflict(format!(
                    "package {n}@{v} is used by function{} {}{}; change their dependencies first",
                    if users.len() + more > 1 { "s" } else { "" },
                    users.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )));
            }
            store.delete_package(&n, &v)?;
            Ok(())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("removal failed: {e}")))?
    }

    /// The bundle a function with these dependencies carries; `None` when
    /// the built-in catalogue meets them all.
    pub(crate) async fn resolve_dependencies(
        &self,
        deps: &BTreeMap<String, String>,
    ) -> Result<Option<Bundle>, ServiceError> {
        if deps.is_empty() {
            return Ok(None);
        }
        let deps = deps.clone();
        let store = self.inner.store.clone();
        let records = tokio::task::spawn_blocking(move || resolve(&store, &deps))
            .await
            .map_err(|e| ServiceError::Internal(format!("resolution failed: {e}")))??;
        if records.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&PackageRecord> = records.iter().collect();
        let bundle = packages::bundle(&refs);
        if bundle.text.len() > hookbox_engine::MAX_PACKAGES_BYTES {
            return Err(ServiceError::invalid(
                "dependencies",
                format!(
                    "the packages they need hold {} bytes of code; a function may carry at most {}",
                    bundle.text.len(),
                    hookbox_engine::MAX_PACKAGES_BYTES
                ),
            ));
        }
        Ok(Some(bundle))
    }
}

/// A registry's packument for `name`, the version `spec` picks, and its
/// tarball, checked against the packument's `integrity` (or `shasum`).
async fn fetch_tarball(
    http: &reqwest::Client,
    registry: &reqwest::Url,
    name: &str,
    spec: &str,
) -> Result<Vec<u8>, ServiceError> {
    let unreachable = |what: &str, e: &dyn std::fmt::Display| {
        ServiceError::invalid("name", format!("the npm registry: {what}: {e}"))
    };
    // reqwest's message leaves out why (a TLS refusal, a DNS failure): add
    // each cause.
    let with_causes = |e: &reqwest::Error| {
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            text.push_str(&format!(": {c}"));
            cause = c.source();
        }
        text
    };
    let path = name.replacen('/', "%2f", 1);
    let url = registry
        .join(&path)
        .map_err(|e| unreachable("package URL", &e))?;
    let response = http
        .get(url)
        .header(
            "accept",
            "application/vnd.npm.install-v1+json, application/json",
        )
        .send()
        .await
        .map_err(|e| unreachable(name, &with_causes(&e)))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(ServiceError::invalid(
            "name",
            format!("the npm registry has no package {name}"),
        ));
    }
    if !response.status().is_success() {
        return Err(unreachable(name, &response.status()));
    }
    let packument: Value = read_limited(response, 32 * 1024 * 1024)
        .await
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| unreachable(name, &e))?;
    let range = NpmRange::parse(spec).expect("checked by the caller");
    let tagged = packument["dist-tags"][spec].as_str().map(str::to_string);
    let versions = packument["versions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let picked = tagged.or_else(|| {
        versions
            .keys()
            .filter_map(|v| parse_version(v).map(|p| (p, v.clone())))
            .filter(|(p, _)| p.pre.is_empty() && range.matches(p))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, v)| v)
    });
    let Some(version) = picked else {
        return Err(ServiceError::invalid(
            "version",
            format!("the npm registry has no version of {name} in {spec:?}"),
        ));
    };
    let dist = &versions
        .get(&version)
        .ok_or_else(|| unreachable(name, &"a version without its manifest"))?["dist"];
    let tarball_url = dist["tarball"]
        .as_str()
        .ok_or_else(|| unreachable(name, &"a version without a tarball"))?;
    let response = http
        .get(tarball_url)
        .send()
        .await
        .map_err(|e| unreachable(tarball_url, &with_causes(&e)))?;
    if !response.status().is_success() {
        return Err(unreachable(tarball_url, &response.status()));
    }
    let bytes = read_limited(response, packages::MAX_TARBALL_BYTES)
        .await
        .map_err(|e| unreachable(tarball_url, &e))?;
    if let Some(expected) = dist["integrity"].as_str() {
        if expected.starts_with("sha512-") && packages::integrity(&bytes) != expected {
            return Err(ServiceError::invalid(
                "name",
                format!("{name}@{version}: the tarball does not match its integrity {expected}"),
            ));
        }
    } else if let Some(sha1) = dist["shasum"].as_str() {
        use sha1::Digest as _;
        if hex::encode(sha1::Sha1::digest(&bytes)) != sha1 {
            return Err(ServiceError::invalid(
                "name",
                format!("{name}@{version}: the tarball does not match its shasum {sha1}"),
            ));
        }
    }
    Ok(bytes)
}

/// A response body, refused once it is over `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if out.len() + chunk.len() > limit {
            return Err(format!("over {limit} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
