//! Property-based fuzzing on the stable toolchain (proptest): arbitrary
//! request bodies against every route of the real router, and arbitrary
//! input JSON into a real engine.
//!
//! Each property runs its generated cases: 64 by default (the short
//! run that `make test` includes), `HOOKBOX_FUZZ_CASES` otherwise (`make
//! fuzz`). The seed is fixed unless `HOOKBOX_FUZZ_SEED` names another one or
//! says `random`, so a failure in the short run reproduces; proptest shrinks
//! it and prints the smallest failing input.

mod api;
mod guest;
pub mod values;

use proptest::test_runner::TestRunner;

/// Cases per property in the short run: enough to exercise every route's
/// validation, few enough for seconds.
const DEFAULT_CASES: u32 = 64;
/// The short run's seed: any fixed value, so that it is reproducible.
const DEFAULT_SEED: u64 = 0x0068_6f6f_6b62_6f78;

/// The shared runner with this suite's short run.
pub fn runner() -> TestRunner {
    hookbox_fuzz::runner(DEFAULT_CASES, DEFAULT_SEED)
}
