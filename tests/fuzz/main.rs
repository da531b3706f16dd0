//! A fuzzer on stable Rust (cargo-fuzz needs nightly): proptest generators feed arbitrary bytes,
//! mutated scenario files and arbitrary structurally valid scenarios (with extreme values and
//! `--set` overrides) through parse → validate → a few trials, and check that nothing panics and
//! that every outcome keeps the model's invariants (no unit created: delivered <= orders).
//!
//! The number of cases per property comes from `ALLOCSIM_FUZZ_CASES` (default 200, quick enough
//! for `cargo test`). A long run, with overflow checks on in the optimized build:
//!
//!     CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
//!       ALLOCSIM_FUZZ_CASES=2000000 cargo test --release --test fuzz
//!
//! Failures are shrunk and saved in tests/fuzz.proptest-regressions (committed; replayed first
//! on every run). Interesting inputs live in tests/data/fuzz-corpus/: every test run replays
//! them, and the mutation fuzzer starts from them. See docs/fuzzing.md.
//!
//! This file is the harness and the properties; the generators are in generators.rs.

mod generators;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use allocsim::engine::{self, RunOptions};
use allocsim::model::{Model, Outcome};
use allocsim::report;
use allocsim::report::RunInfo;
use allocsim::scenario::{self, Override, Scenario};
use allocsim::stats::{Metric, STATS, Summary, Tally};
use allocsim::units::MAX_UNITS;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

use generators::{mutated, overrides, parse_overrides, scenario_text};

/// Cases per property: `ALLOCSIM_FUZZ_CASES`, else 200.
fn cases() -> u32 {
    std::env::var("ALLOCSIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Shrunk failures, replayed before the random cases of every run.
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fuzz.proptest-regressions"
);

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Direct: SourceParallel looks for a lib.rs or main.rs beside the file, which an
        // integration test does not have.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        max_shrink_iters: 4096,
        ..Config::default()
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file in the seed corpus, the bad-scenario corpus and the shipped scenarios.
fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in [
        "tests/data/fuzz-corpus",
        "tests/data/bad",
        "tests/data",
        "scenarios",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            files.push((p, bytes));
        }
    }
    assert!(
        files.len() >= 20,
        "the corpus has only {} files",
        files.len()
    );
    files
}

/// Parses `bytes` with `overrides` and, when valid, plays a few trials and checks them.
fn exercise(bytes: &[u8], overrides: &[Override], trials: u64) -> Result<bool, TestCaseError> {
    let path = Path::new("fuzz.toml");
    let scenario = match scenario::parse(path, bytes, overrides) {
        Ok(s) => s,
        Err(e) => {
            if std::env::var_os("ALLOCSIM_FUZZ_VERBOSE").is_some() {
                eprintln!("{e}");
            }
            // An error always says where and what, for each problem it lists.
            prop_assert!(
                e.errors()
                    .iter()
                    .all(|p| !p.location.is_empty() && !p.message.is_empty()),
                "{e:?}"
            );
            return Ok(false);
        }
    };
    check_scenario(&scenario)?;
    play(&scenario, trials)?;
    Ok(true)
}

/// What validation promises about a scenario.
fn check_scenario(s: &Scenario) -> Result<(), TestCaseError> {
    prop_assert!((1..=scenario::MAX_ROUNDS).contains(&s.rounds));
    prop_assert!(!s.firms.is_empty() && s.firms.len() <= scenario::MAX_FIRMS);
    prop_assert!((1..=scenario::MAX_TRIALS).contains(&s.trials));
    prop_assert_eq!(s.approval.len(), s.rounds as usize);
    for a in &s.approval {
        prop_assert!((0.0..=1.0).contains(&a.probability));
    }
    let (lo, hi) = s.conversion.support();
    prop_assert!(lo >= 0.0 && hi <= 1.0, "conversion over [{lo}, {hi}]");
    for e in &s.events {
        prop_assert!((0.0..=1.0).contains(&e.probability));
    }
    for f in &s.firms {
        prop_assert!(f.weight.is_finite() && f.weight > 0.0);
    }
    Ok(())
}

/// Plays `trials` trials straight through the model (the engine's per-trial path, without its
/// thread pool, so a case takes microseconds), folds them into a summary and renders it.
fn play(s: &Scenario, trials: u64) -> Result<(), TestCaseError> {
    let model = Model::new(s);
    let mut ws = model.workspace();
    let mut summary = Summary::new(s);
    for t in 0..trials {
        // Extreme trial indices and seeds are fine too: streams are keyed by hashing.
        let trial = if t == 0 { u64::MAX - 1 } else { t };
        model.run_trial(s.seed, trial, &mut ws);
        check_outcome(s, &ws.outcome)?;
        summary.record(&ws.outcome);
    }
    for firm in 0..=s.firms.len() {
        for metric in Metric::ALL {
            let tally = summary.tally(firm, metric);
            for stat in STATS {
                let v = tally.stat(stat, metric.scale());
                prop_assert!(!v.is_nan(), "{stat} of {metric:?} is NaN");
            }
        }
    }
    let _ = report::summary_csv(&summary);
    let _ = report::rounds_csv(&summary);
    let _ = report::console_table(&summary);
    Ok(())
}

/// The invariants of one trial's outcome (MODEL.md): whole units, none created.
fn check_outcome(s: &Scenario, o: &Outcome) -> Result<(), TestCaseError> {
    let n = s.firms.len();
    prop_assert_eq!(o.orders.len(), n);
    prop_assert_eq!(o.approved.len(), s.rounds as usize);
    let mut total: u128 = 0;
    for i in 0..n {
        prop_assert!(
            o.orders[i] <= MAX_UNITS,
            "orders {} > MAX_UNITS",
            o.orders[i]
        );
        prop_assert!(
            o.delivered[i] <= o.orders[i],
            "firm {i}: delivered {} > orders {}",
            o.delivered[i],
            o.orders[i]
        );
        total += u128::from(o.delivered[i]);
    }
    let mut previous = 0;
    for &c in &o.cumulative {
        prop_assert!(
            c >= previous,
            "cumulative deliveries fell: {:?}",
            o.cumulative
        );
        previous = c;
    }
    prop_assert_eq!(u128::from(previous), total, "cumulative {:?}", o.cumulative);
    if let Some(h) = o.halt_round {
        prop_assert!((1..=s.rounds).contains(&h));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

#[test]
fn arbitrary_bytes_never_panic() {
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    let strategy = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "\\PC{0,256}".prop_map(String::into_bytes),
        "[a-z_=\\[\\]{}\"'.,0-9# \n-]{0,256}".prop_map(String::into_bytes),
    ];
    runner
        .run(&strategy, |bytes| exercise(&bytes, &[], 2).map(drop))
        .unwrap();
}

#[test]
fn mutated_corpus_files_never_panic() {
    let files: Vec<Vec<u8>> = corpus().into_iter().map(|(_, b)| b).collect();
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    let valid = AtomicU64::new(0);
    runner
        .run(&mutated(files), |bytes| {
            if exercise(&bytes, &[], 2)? {
                valid.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "mutated corpus files: {} valid scenarios",
        valid.into_inner()
    );
}

#[test]
fn generated_scenarios_keep_the_invariants() {
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    let valid = AtomicU64::new(0);
    runner
        .run(&(scenario_text(), overrides()), |(text, sets)| {
            if exercise(text.as_bytes(), &parse_overrides(&sets), 3)? {
                valid.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    // Reported so a generator that drifts into producing only invalid scenarios is noticed.
    eprintln!("generated scenarios: {} valid", valid.into_inner());
}

#[test]
fn override_syntax_never_panics() {
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    runner
        .run(&"\\PC{0,40}", |text| {
            let _ = Override::parse(&text);
            Ok(())
        })
        .unwrap();
}

/// Fewer cases: a run through the engine starts a thread pool, so it costs milliseconds.
#[test]
fn engine_runs_generated_scenarios() {
    let mut runner = proptest::test_runner::TestRunner::new(config((cases() / 50).max(20)));
    runner
        .run(
            &(
                scenario_text(),
                overrides(),
                1u64..6,
                1u64..4,
                any::<bool>(),
            ),
            |(text, sets, trials, chunk, keep)| {
                let Ok(s) = scenario::parse(
                    Path::new("fuzz.toml"),
                    text.as_bytes(),
                    &parse_overrides(&sets),
                ) else {
                    return Ok(());
                };
                let options = RunOptions {
                    trials,
                    first_trial: u64::MAX - 10,
                    seed: s.seed,
                    threads: 1,
                    chunk,
                    keep_trials: keep,
                };
                let cancel = AtomicBool::new(false);
                let result = engine::run(&s, &options, &mut |_| {}, Some(&cancel))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(result.summary.trials(), trials);
                if keep {
                    prop_assert_eq!(result.trials.len() as u64, trials);
                    for o in &result.trials {
                        check_outcome(&s, o)?;
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Every corpus file, as is: parse, validate and (when valid) a few trials, without panicking.
#[test]
fn corpus_replays() {
    for (path, bytes) in corpus() {
        if let Err(e) = exercise(&bytes, &[], 3) {
            panic!("{}: {e}", path.display());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Edges of the statistics and of saved results
// ---------------------------------------------------------------------------------------------

/// A tally of values at the u64 edges: its sums saturate (documented on `Tally::sum`) rather
/// than overflow, and its statistics stay ordered and free of panics.
#[test]
fn tallies_saturate_at_the_u64_edges() {
    let value = prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            MAX_UNITS,
            1 << 63,
            1 << 53
        ]),
        any::<u64>(),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    runner
        .run(
            &(
                prop::collection::vec(value, 1..64),
                any::<prop::sample::Index>(),
            ),
            |(values, split)| {
                let at = split.index(values.len());
                let (mut a, mut b, mut whole) =
                    (Tally::default(), Tally::default(), Tally::default());
                for (i, &v) in values.iter().enumerate() {
                    if i < at {
                        a.record(v)
                    } else {
                        b.record(v)
                    }
                    whole.record(v);
                }
                a.merge(&b);
                prop_assert_eq!(a.count(), values.len() as u64);
                prop_assert_eq!(a.sum(), whole.sum());
                let exact: u128 = values.iter().map(|&v| u128::from(v)).sum();
                prop_assert_eq!(
                    a.sum(),
                    exact,
                    "a sum of at most 64 u64 values fits in u128"
                );
                let (lo, hi) = (a.min(), a.max());
                for q in [0.0, 0.05, 0.5, 0.99, 1.0] {
                    let x = a.quantile(q);
                    prop_assert!(
                        x >= lo && x <= hi,
                        "quantile {q} = {x} outside [{lo}, {hi}]"
                    );
                }
                for stat in STATS {
                    prop_assert!(!a.stat(stat, 1.0).is_nan(), "{stat}");
                }
                prop_assert!(a.sd() >= 0.0);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn tally_sums_saturate_instead_of_overflowing() {
    // Σx² of two values of u64::MAX passes u128; the sum saturates and sd stays finite.
    let mut t = Tally::default();
    for _ in 0..3 {
        t.record(u64::MAX);
    }
    assert_eq!(t.sum(), 3 * u128::from(u64::MAX));
    assert_eq!(t.sum_sq(), u128::MAX, "saturated");
    assert!(t.sd().is_finite());
    assert_eq!(t.max(), u64::MAX as f64);
}

/// A saved results.json whose numbers are replaced by extreme ones (as a hand-edited or
/// corrupted file could hold) is refused or read, never a panic: `report` and `merge` read it.
#[test]
fn saved_results_with_extreme_numbers_never_panic() {
    let text = "name = \"r\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n[approval]\n\
                probability = 0.5\nbatch = { dist = \"uniform\", min = 0, max = 100 }\n\
                [[firm]]\nname = \"A\"\norders = 60\n[[firm]]\nname = \"B\"\norders = 80\n";
    let s = scenario::parse(Path::new("r.toml"), text.as_bytes(), &[]).unwrap();
    let model = Model::new(&s);
    let mut ws = model.workspace();
    let mut summary = Summary::new(&s);
    for t in 0..50 {
        model.run_trial(0, t, &mut ws);
        summary.record(&ws.outcome);
    }
    let json = String::from_utf8(report::results_json(&RunInfo::new(&s, 50, 0), &summary)).unwrap();
    // Byte ranges of the numbers in the file.
    let mut numbers = Vec::new();
    let bytes = json.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            numbers.push(start..i);
        } else {
            i += 1;
        }
    }
    assert!(numbers.len() > 50);
    let extreme = prop::sample::select(vec![
        "0",
        "1",
        "18446744073709551615",
        "18446744073709551614",
        "9223372036854775808",
        "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456",
        "1e308",
        "-1",
        "4294967295",
        "4294967296",
    ]);
    let edits = prop::collection::vec((any::<prop::sample::Index>(), extreme), 1..6);
    let mut runner = proptest::test_runner::TestRunner::new(config(cases()));
    runner
        .run(&edits, |edits| {
            let mut chosen: Vec<(std::ops::Range<usize>, &str)> = edits
                .iter()
                .map(|(at, v)| (numbers[at.index(numbers.len())].clone(), *v))
                .collect();
            chosen.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
            chosen.dedup_by_key(|(r, _)| r.start);
            let mut edited = json.clone();
            for (range, v) in chosen {
                edited.replace_range(range, v);
            }
            if let Ok((info, summary)) = report::read_results(edited.as_bytes()) {
                let _ = report::summary_csv(&summary);
                let _ = report::rounds_csv(&summary);
                let _ = report::results_json(&info, &summary);
            }
            Ok(())
        })
        .unwrap();
}
