//! The engine plugin: identity, and the on-disk cache of its Cranelift compile.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The pre-initialised plugin built by `make plugin`, committed so that a
/// fresh checkout needs no Wasm toolchain.
pub const BUNDLED_PLUGIN: &[u8] = include_bytes!("../../../guest-sdk/dist/hookbox-plugin.wasm");

/// The bundled plugin's default package catalogue, as JSON: `{"packages":
/// {NAME: {"version", "license"}}, "builtins": [NAME…]}` — every npm package
/// its `require` serves without a function carrying it, and the Node
/// built-in names. Generated with the plugin's module registry by
/// `guest-sdk/npm/build.js`.
pub const DEFAULT_CATALOGUE: &str = include_str!("../../../guest-sdk/js/catalogue.json");

/// Short, stable identity of a plugin build: artifacts record it.
pub fn plugin_hash(wasm: &[u8]) -> String {
    let digest = Sha256::digest(wasm);
    hex::encode(&digest[..12])
}

/// Loads the plugin's precompiled module from `cache_dir`, or compiles it with
/// Cranelift (1–2 s) and stores the result for the next start.
///
/// The cache key covers the plugin bytes and everything wasmtime needs to
/// agree on to load precompiled code (its version and the engine config), so a
/// stale entry is never picked up; wasmtime re-checks the header on load too.
///
/// Returns the module and whether it came from the cache.
pub(crate) fn load_module(
    engine: &wasmtime::Engine,
    wasm: &[u8],
    cache_dir: Option<&Path>,
) -> anyhow::Result<(wasmtime::Module, bool)> {
    let Some(dir) = cache_dir else {
        return Ok((wasmtime::Module::new(engine, wasm)?, false));
    };
    let path = cache_path(engine, wasm, dir);
    if path.exists() {
        // SAFETY: the file is one this function wrote (atomically, below) for
        // this exact engine configuration; wasmtime validates its header.
        match unsafe { wasmtime::Module::deserialize_file(engine, &path) } {
            Ok(module) => return Ok((module, true)),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring unusable plugin cache entry")
            }
        }
    }
    let started = std::time::Instant::now();
    let module = wasmtime::Module::new(engine, wasm)?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "compiled engine plugin"
    );
    if let Err(e) = store_atomically(&path, &module.serialize()?) {
        tracing::warn!(path = %path.display(), error = %e, "could not cache the compiled plugin");
    }
    Ok((module, false))
}

fn cache_path(engine: &wasmtime::Engine, wasm: &[u8], dir: &Path) -> PathBuf {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let config = hex::encode(&hasher.0.finalize()[..8]);
    dir.join(format!("plugin-{}-{config}.cwasm", plugin_hash(wasm)))
}

fn store_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache path has a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile_in(dir)?;
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn tempfile_in(dir: &Path) -> std::io::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    Ok(dir.join(format!(".plugin-{}-{nanos}.tmp", std::process::id())))
}

/// A `Hasher` over SHA-256, so the key is stable across processes (unlike
/// `DefaultHasher`, whose output is not promised to be).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        unreachable!("only the digest is read")
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
