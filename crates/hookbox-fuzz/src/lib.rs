//! The proptest runner shared by hookbox's fuzz targets (every test named
//! `fuzz_*`: the engine's output reader, the server's signature
//! canonicaliser, the API routes and the guest boundary).
//!
//! Each target runs a short, fixed-seed pass in `make test`, so a failure
//! there reproduces; `make fuzz` runs longer passes by setting:
//! - `HOOKBOX_FUZZ_CASES`: cases per property (a whole number);
//! - `HOOKBOX_FUZZ_SEED`: a seed (a whole number) or `random`.
//!
//! A value that is neither is a panic that names the variable: a fuzz run
//! that silently ran something else than asked would prove nothing.

use proptest::test_runner::{Config, RngSeed, TestRunner};

/// How many times proptest may re-run a failing case while shrinking it.
/// Some targets drive a real server or engine per case: bound the search.
const MAX_SHRINK_ITERS: u32 = 2048;

/// A runner for one property: `default_cases` cases and `default_seed` unless
/// the environment names others (see the crate docs). Failures are reported
/// with their shrunk input, never written to a regressions file in the
/// source tree.
///
/// # Panics
/// When `HOOKBOX_FUZZ_CASES` or `HOOKBOX_FUZZ_SEED` holds a value it cannot
/// read.
pub fn runner(default_cases: u32, default_seed: u64) -> TestRunner {
    let cases = match var("HOOKBOX_FUZZ_CASES") {
        None => default_cases,
        Some(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("HOOKBOX_FUZZ_CASES={v:?} is not a number of cases")),
    };
    let rng_seed = match var("HOOKBOX_FUZZ_SEED").as_deref() {
        None => RngSeed::Fixed(default_seed),
        Some("random") => RngSeed::Random,
        Some(v) => RngSeed::Fixed(
            v.parse()
                .unwrap_or_else(|_| panic!("HOOKBOX_FUZZ_SEED={v:?}: a number or `random`")),
        ),
    };
    TestRunner::new(Config {
        cases,
        rng_seed,
        failure_persistence: None,
        max_shrink_iters: MAX_SHRINK_ITERS,
        ..Config::default()
    })
}

/// The trimmed value of `name`, or `None` when it is unset or blank.
fn var(name: &str) -> Option<String> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}
