//! Property-based fuzzing on the stable toolchain (proptest): arbitrary
//! request bodies against every route of the real router, and arbitrary
//! input JSON into a real engine.
//!
//! Each property runs [`cases`] generated cases: 64 by default (the short
//! run that `make test` includes), `HOOKBOX_FUZZ_CASES` otherwise (`make
//! fuzz`). The seed is fixed unless `HOOKBOX_FUZZ_SEED` names another one or
//! says `random`, so a failure in the short run reproduces; proptest shrinks
//! it and prints the smallest failing input.

mod api;
mod guest;
pub mod values;

use proptest::test_runner::{Config, RngSeed, TestRunner};

/// Cases per property in the short run: enough to exercise every route's
/// validation, few enough for seconds.
const DEFAULT_CASES: u32 = 64;
/// The short run's seed: any fixed value, so that it is reproducible.
const DEFAULT_SEED: u64 = 0x0068_6f6f_6b62_6f78;

/// `HOOKBOX_FUZZ_CASES`, or the short run's count.
pub fn cases() -> u32 {
    match std::env::var("HOOKBOX_FUZZ_CASES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("HOOKBOX_FUZZ_CASES={v:?} is not a number of cases")),
        Err(_) => DEFAULT_CASES,
    }
}

/// A runner with [`cases`] cases and the configured seed; failures are
/// reported, not written to a regressions file in the source tree.
pub fn runner() -> TestRunner {
    let rng_seed = match std::env::var("HOOKBOX_FUZZ_SEED").as_deref().map(str::trim) {
        Err(_) | Ok("") => RngSeed::Fixed(DEFAULT_SEED),
        Ok("random") => RngSeed::Random,
        Ok(v) => RngSeed::Fixed(
            v.parse()
                .unwrap_or_else(|_| panic!("HOOKBOX_FUZZ_SEED={v:?}: a number or `random`")),
        ),
    };
    TestRunner::new(Config {
        cases: cases(),
        rng_seed,
        failure_persistence: None,
        // Shrinking re-runs cases against a real server or engine: bound it.
        max_shrink_iters: 2048,
        ..Config::default()
    })
}
