//! What running a plan's points will take in memory, estimated from the plan before anything
//! runs, and how much memory there is: a plan that would not fit is refused with a message,
//! instead of being killed by the system part-way through with none (issue 11: a 100 × 100
//! sweep was killed at 24 GB).
//!
//! # The model and its calibration
//!
//! Every point keeps one summary for the whole run ([`super::run_points`]); its tallies
//! dominate. A tally of `n` trials holds:
//!
//! - for `n` ≤ [`EXACT_DISTINCT`] (2,048): its exact counts only, compacted to 8 bytes a
//!   distinct value, so at most `8·n` bytes;
//! - past that, a histogram whose pages cover the range of its values, plus the exact counts of
//!   the few discrete tallies that stay exact; modelled as 7 KiB + 0.5 KiB per doubling of `n`
//!   beyond 2,048 (the ranges widen as rarer extremes come in), at most 14 KiB.
//!
//! Its paired differences (three metrics of each firm and of the total) are never exact: each
//! is modelled as one tally past its exact counts.
//!
//! A point also keeps its scenario's distributions (a beta or PERT sampling table is 6 KiB),
//! its plan entry, model, workspace and paired differences, and its rows of comparison.csv
//! (built in memory, about 50 bytes a row, in a buffer up to twice that). Each worker thread
//! that gets a chunk of trials keeps the reference point's per-firm values for its chunk (24
//! bytes a firm and trial), a record buffer, the chunk's shared worlds (at most 1 MiB:
//! [`super::run_points`]) and, for the point it is recording, tables of up to 4,096 slots a
//! tally. The C allocator's per-thread arenas add to each point's cost as more
//! threads record it (0.5 MB a point with one to four workers, 1.06 MB with seven on two
//! cores); the model adds 10% a worker past the first, for at most seven.
//!
//! Measured with `/usr/bin/time -f %M` (peak resident memory) on a sweep of N values of
//! `domestic.ratio` of each shipped scenario (all six firms and four rounds, so one estimate):
//! per point = (peak at N = 50 − peak at N = 10) / 40 (at 10^6 trials, N = 22 and 2):
//!
//! | trials  | threads | measured a point (the five scenarios) | estimate | ratio     |
//! |---------|---------|---------------------------------------|----------|-----------|
//! | 1,000   | 2       | 442–466 KiB                           | 512 KiB  | 1.10–1.16 |
//! | 2,000   | 2       | 776–840 KiB                           | 879 KiB  | 1.05–1.13 |
//! | 20,000  | 2       | 566–817 KiB                           | 883 KiB  | 1.08–1.56 |
//! | 100,000 | 1       | 504–605 KiB                           | 897 KiB  | 1.48–1.78 |
//! | 100,000 | 2       | 469–722 KiB                           | 987 KiB  | 1.37–2.10 |
//! | 100,000 | 4       | 559 KiB (baseline)                    | 1166 KiB | 2.09      |
//! | 100,000 | 8       | 1,060 KiB (baseline)                  | 1435 KiB | 1.35      |
//! | 10^6    | 2       | 678–756 KiB (baseline, gradual-expansion) | 1142 KiB | 1.51–1.68 |
//!
//! The estimates in the table are those of version 0.2 (11 KiB a tally, 7 KiB a distribution).
//! Version 2 of the model widened the shipped scenarios' histograms and gave correlated
//! distributions a copula map (13 KiB a distribution). Issue 19 halved a histogram's bytes (a
//! count's low bits in one byte, not two: src/stats/histogram.rs) and the model with it, and
//! counts the paired differences apart. Re-measured then on the baseline, 2 threads, the same
//! way (N = 50 less N = 10, over 40):
//!
//! | trials  | before (two-byte counts) | after   | estimate a point | ratio |
//! |---------|--------------------------|---------|------------------|-------|
//! | 1,000   | 842 KiB                  | 660 KiB | 731 KiB          | 1.11  |
//! | 2,000   | 1,186 KiB                | 989 KiB | 1,098 KiB        | 1.11  |
//! | 20,000  |                          | 560 KiB | 874 KiB          | 1.56  |
//! | 100,000 |                          | 582 KiB | 949 KiB          | 1.63  |
//!
//! So the estimate runs 1.1–2.1× above the measured figure: it errs high, since a plan that
//! would not fit is killed hours in, while one refused needlessly costs a rerun with
//! `ALLOCSIM_MEMORY_LIMIT`. The unit tests check the tally model against the bytes the
//! summaries of the shipped scenarios actually hold ([`Summary::heap_bytes`]).

use std::fmt;

use super::plan::{Kind, Plan};
use super::{PlanError, PointsOptions};
use crate::scenario::Scenario;
use crate::stats::{EXACT_DISTINCT, Metric, RecordBuffer, STATS, Summary};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Bytes of one distinct value in a compacted exact tally.
const EXACT_PAIR_BYTES: u64 = 8;
/// A tally past its exact counts: this, plus [`TALLY_BYTES_PER_DOUBLING`] for each doubling of
/// the trials beyond [`EXACT_DISTINCT`], at most [`TALLY_BYTES_MAX`].
const TALLY_BYTES_BASE: u64 = 7 * KIB;
const TALLY_BYTES_PER_DOUBLING: u64 = KIB / 2;
const TALLY_BYTES_MAX: u64 = 14 * KIB;
/// One distribution of a scenario (a beta or PERT table is 6 KiB), with its copula map when it
/// is correlated (5.4 KiB for the shipped shapes: src/dist/normal_map.rs).
const DIST_BYTES: u64 = 13 * KIB;
/// A point's plan entry, scenario, model, workspace and paired differences.
const POINT_BYTES: u64 = 16 * KIB;
/// One row of comparison.csv (about 50 bytes) in a buffer up to twice its length.
const ROW_BYTES: u64 = 100;
/// One tally's exact-count table (4,096 slots of 16 bytes) in the point a worker is recording.
const HOT_TABLE_BYTES: u64 = 4096 * 16;
/// The `[unmet, delivered, domestic]` of one firm and trial of a chunk (kept for the reference
/// and for the point being played).
const BASE_BYTES: u64 = 24;
/// The program itself: code, the chart fonts and canvas, the allocator's own.
const FIXED_BYTES: u64 = 12 * MIB;
/// Extra cost of a point per worker beyond the first, in percent (allocator arenas), counted
/// for at most [`ARENA_WORKERS_MAX`] extra workers.
const ARENA_PERCENT_PER_WORKER: u64 = 10;
const ARENA_WORKERS_MAX: u64 = 7;

/// The limit used when the available memory cannot be read.
pub const FALLBACK_LIMIT: u64 = 8 * GIB;

/// The environment variable that sets the memory limit (bytes, or with K, M, G or T).
pub const LIMIT_VARIABLE: &str = "ALLOCSIM_MEMORY_LIMIT";

/// The memory a plan is estimated to need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Everything: the points, the workers and the program.
    pub total: u64,
    /// The points together.
    pub points_bytes: u64,
    /// Points in the plan.
    pub points: usize,
    /// Worker threads that will get trials to run.
    pub workers: usize,
}

/// Bytes one tally of `trials` trials is estimated to hold.
pub fn tally_bytes(trials: u64) -> u64 {
    let exact = EXACT_DISTINCT as u64;
    if trials <= exact {
        return EXACT_PAIR_BYTES * trials;
    }
    let doublings = u64::from((trials / exact).ilog2());
    (TALLY_BYTES_BASE + TALLY_BYTES_PER_DOUBLING * doublings).min(TALLY_BYTES_MAX)
}

/// Bytes one point of `scenario` at `trials` trials is estimated to keep, before allocator
/// overhead.
pub fn point_bytes(scenario: &Scenario, trials: u64) -> u64 {
    let firms = scenario.firms.len() as u64;
    let rounds = u64::from(scenario.rounds);
    let tallies = Summary::tally_count(scenario.firms.len(), scenario.rounds as usize) as u64;
    // Orders per firm, a batch per round, conversion and domestic supply.
    let distributions = firms + rounds + 2;
    let rows = (firms + 1) * (Metric::ALL.len() * STATS.len()) as u64;
    // The paired differences: three metrics of each firm and the total, each two histograms
    // (the gains and the losses) over a range like a tally's, and never exact.
    let paired = 3 * (firms + 1) * tally_bytes(trials.max(EXACT_DISTINCT as u64 + 1));
    tallies * tally_bytes(trials)
        + paired
        + distributions * DIST_BYTES
        + POINT_BYTES
        + rows * ROW_BYTES
}

/// Bytes one worker is estimated to hold on top of the points, for points like `scenario`.
fn worker_bytes(scenario: &Scenario, trials: u64, chunk: u64) -> u64 {
    let tallies = Summary::tally_count(scenario.firms.len(), scenario.rounds as usize);
    let chunk_trials = trials.min(chunk.max(1));
    // The reference's values and those of the point being played.
    2 * chunk_trials * scenario.firms.len() as u64 * BASE_BYTES
        + RecordBuffer::bytes_for(tallies) as u64
        + tallies as u64 * HOT_TABLE_BYTES
        + super::WORLD_BYTES as u64
}

/// The worker threads a run of `trials` trials in chunks of `chunk` uses with `threads` asked
/// for (0: rayon's default, `RAYON_NUM_THREADS` else one per core): no more than there are
/// chunks.
pub fn workers(threads: usize, trials: u64, chunk: u64) -> usize {
    let threads = if threads > 0 {
        threads
    } else {
        std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
            .unwrap_or(1)
    };
    let chunks = trials.div_ceil(chunk.max(1)).max(1);
    threads.min(usize::try_from(chunks).unwrap_or(usize::MAX))
}

/// The memory running `plan`'s points at `trials` trials each on `threads` threads (0: the
/// default) is estimated to need.
pub fn estimate(plan: &Plan, trials: u64, threads: usize) -> MemoryEstimate {
    let chunk = PointsOptions::default().chunk;
    let workers = workers(threads, trials, chunk);
    let extra_workers = (workers as u64).saturating_sub(1).min(ARENA_WORKERS_MAX);
    let percent = 100 + ARENA_PERCENT_PER_WORKER * extra_workers;
    let points_bytes = plan
        .points
        .iter()
        .map(|p| point_bytes(&p.scenario, trials).saturating_mul(percent) / 100)
        .fold(0u64, u64::saturating_add);
    let worker = plan
        .points
        .iter()
        .map(|p| worker_bytes(&p.scenario, trials, chunk))
        .max()
        .unwrap_or(0);
    let total = points_bytes
        .saturating_add(worker.saturating_mul(workers as u64))
        .saturating_add(FIXED_BYTES);
    MemoryEstimate {
        total,
        points_bytes,
        points: plan.points.len(),
        workers,
    }
}

/// Where the memory limit came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitSource {
    /// `ALLOCSIM_MEMORY_LIMIT`, as written.
    Variable(String),
    /// MemAvailable in /proc/meminfo.
    Available,
    /// Neither could be read: [`FALLBACK_LIMIT`].
    Fallback,
}

/// How much memory a plan may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryLimit {
    /// The most bytes a plan's estimated [`MemoryEstimate::total`] may reach.
    pub bytes: u64,
    /// Where the figure came from, so a refusal can say which setting to change.
    pub source: LimitSource,
}

impl MemoryLimit {
    /// The limit from `ALLOCSIM_MEMORY_LIMIT` if it is set, else the memory available now
    /// (Linux: MemAvailable in /proc/meminfo), else [`FALLBACK_LIMIT`].
    pub fn from_environment() -> Result<MemoryLimit, MemoryError> {
        let variable = std::env::var(LIMIT_VARIABLE).ok();
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
        MemoryLimit::from_sources(variable.as_deref(), meminfo.as_deref())
    }

    /// The limit from the variable's value and the text of /proc/meminfo, where given.
    pub fn from_sources(
        variable: Option<&str>,
        meminfo: Option<&str>,
    ) -> Result<MemoryLimit, MemoryError> {
        if let Some(text) = variable {
            let bytes = parse_size(text).ok_or_else(|| MemoryError::BadLimit {
                value: text.to_string(),
            })?;
            return Ok(MemoryLimit {
                bytes,
                source: LimitSource::Variable(text.to_string()),
            });
        }
        Ok(match meminfo.and_then(mem_available) {
            Some(bytes) => MemoryLimit {
                bytes,
                source: LimitSource::Available,
            },
            None => MemoryLimit {
                bytes: FALLBACK_LIMIT,
                source: LimitSource::Fallback,
            },
        })
    }
}

/// A size in bytes: a number (decimals allowed) with an optional K, M, G or T (powers of 1024;
/// `KB`, `KiB` and lower case too). Positive and below 2^64, else `None`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => 1024 * GIB,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    let bytes = (value * scale as f64).round();
    // 2^64 as an f64; anything at or above it does not fit.
    (1.0..18_446_744_073_709_551_616.0)
        .contains(&bytes)
        .then_some(bytes as u64)
}

/// MemAvailable of a /proc/meminfo text, in bytes.
pub fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let mut words = line.split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    let scale = match words.next() {
        Some("kB") => KIB,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(scale)
}

/// Why a plan's memory was refused, or its limit could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    /// The plan's estimate is over the limit; nothing ran. The message gives the estimate per
    /// point and the way to need fewer points for this kind of comparison.
    #[error("{}", too_large(*kind, *estimate, limit))]
    TooLarge {
        /// The command, whose fix the message suggests.
        kind: Kind,
        /// What the plan was estimated to need.
        estimate: MemoryEstimate,
        /// What it may use.
        limit: MemoryLimit,
    },
    /// `ALLOCSIM_MEMORY_LIMIT` is set but is not a size [`parse_size`] reads: bad input, not a
    /// fallback to the available memory.
    #[error(
        "{LIMIT_VARIABLE}={value:?} is not a size: give bytes, or a number with K, M, G or T \
         (powers of 1024), e.g. 512M or 4G"
    )]
    BadLimit {
        /// The variable's value as set.
        value: String,
    },
}

fn too_large(kind: Kind, e: MemoryEstimate, limit: &MemoryLimit) -> String {
    let per_point = e.points_bytes / (e.points.max(1) as u64);
    let threads = if e.workers == 1 { "thread" } else { "threads" };
    let limit_text = match &limit.source {
        LimitSource::Variable(text) => format!(
            "the limit of {} ({LIMIT_VARIABLE}={text})",
            Bytes(limit.bytes)
        ),
        LimitSource::Available => format!(
            "the {} of memory available (MemAvailable in /proc/meminfo; {LIMIT_VARIABLE} \
             sets another limit)",
            Bytes(limit.bytes)
        ),
        LimitSource::Fallback => format!(
            "the limit of {} (the available memory could not be read; {LIMIT_VARIABLE} sets \
             another limit)",
            Bytes(limit.bytes)
        ),
    };
    let fix = match kind {
        Kind::Sweep => "fewer knobs or fewer values a knob, or split the grid into several sweeps",
        Kind::Sensitivity => "fewer --vary knobs, or split them into several runs",
        Kind::Compare => "fewer scenario files, or compare them in several runs",
    };
    format!(
        "this {} would need about {} of memory ({} points at about {} each, plus {} for {} \
         worker {threads} and the program), more than {limit_text}; nothing was run. Use \
         fewer points: {fix}",
        kind.name(),
        Bytes(e.total),
        e.points,
        Bytes(per_point),
        Bytes(e.total.saturating_sub(e.points_bytes)),
        e.workers,
    )
}

/// Refuses `plan` if running it at `trials` trials on `threads` threads is estimated to need
/// more than `limit`; else gives the estimate.
pub fn check(
    plan: &Plan,
    trials: u64,
    threads: usize,
    limit: &MemoryLimit,
) -> Result<MemoryEstimate, MemoryError> {
    let estimate = estimate(plan, trials, threads);
    if estimate.total > limit.bytes {
        return Err(MemoryError::TooLarge {
            kind: plan.kind,
            estimate,
            limit: limit.clone(),
        });
    }
    Ok(estimate)
}

/// [`check`] against [`MemoryLimit::from_environment`], as a [`PlanError`]: what a command
/// calls before it prepares its output folder.
pub fn check_memory(plan: &Plan, trials: u64, threads: usize) -> Result<MemoryEstimate, PlanError> {
    let limit = MemoryLimit::from_environment()?;
    Ok(check(plan, trials, threads, &limit)?)
}

/// A byte count for people: `812 KiB`, `50.0 MiB`, `5.6 GiB`.
#[derive(Debug, Clone, Copy)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b < KIB {
            write!(f, "{b} bytes")
        } else if b < MIB {
            write!(f, "{} KiB", b.div_ceil(KIB))
        } else if b < GIB {
            write!(f, "{:.1} MiB", b as f64 / MIB as f64)
        } else {
            write!(f, "{:.1} GiB", b as f64 / GIB as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::compare::plan::{self, Knob};
    use crate::compare::run_points;

    fn shipped(name: &str) -> (std::path::PathBuf, Vec<u8>) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        let bytes = std::fs::read(&path).expect("a shipped scenario");
        (path, bytes)
    }

    fn sweep(values: usize) -> Plan {
        let (path, bytes) = shipped("baseline");
        let list: Vec<String> = (0..values)
            .map(|i| format!("{}", 0.1 + 0.8 * i as f64 / values as f64))
            .collect();
        let knob = Knob::parse(&format!("domestic.ratio={}", list.join(","))).unwrap();
        plan::sweep(&path, &bytes, &[], &[knob]).unwrap()
    }

    #[test]
    fn sizes_parse_in_powers_of_1024() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size(" 4G "), Some(4 << 30));
        assert_eq!(parse_size("1.5k"), Some(1536));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("3 MB"), Some(3 << 20));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        for bad in ["", "M", "0", "-5M", "5X", "1e9", "1..2G", "99999999999T"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_limit_comes_from_the_variable_then_meminfo_then_the_fallback() {
        let meminfo =
            "MemTotal:       24576000 kB\nMemFree:  100 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(mem_available(meminfo), Some(20_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 5 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots\n"), None);
        let from = MemoryLimit::from_sources;
        assert_eq!(
            from(Some("50M"), Some(meminfo)).unwrap(),
            MemoryLimit {
                bytes: 50 << 20,
                source: LimitSource::Variable("50M".into())
            }
        );
        assert_eq!(
            from(None, Some(meminfo)).unwrap().source,
            LimitSource::Available
        );
        assert_eq!(
            from(None, Some("garbage")).unwrap(),
            MemoryLimit {
                bytes: FALLBACK_LIMIT,
                source: LimitSource::Fallback
            }
        );
        assert_eq!(from(None, None).unwrap().bytes, FALLBACK_LIMIT);
        let bad = from(Some("lots"), Some(meminfo)).unwrap_err();
        assert!(
            bad.to_string().contains("ALLOCSIM_MEMORY_LIMIT=\"lots\""),
            "{bad}"
        );
    }

    #[test]
    fn the_estimate_grows_with_points_trials_and_workers() {
        let (small, large) = (sweep(10), sweep(100));
        let e = |plan: &Plan, trials, threads| estimate(plan, trials, threads);
        // Points add their cost and nothing else.
        let per_point = |trials| (e(&large, trials, 1).total - e(&small, trials, 1).total) / 90;
        let baseline = &small.points[0].scenario;
        assert_eq!(per_point(100_000), point_bytes(baseline, 100_000));
        // Exact counts up to 2,048 trials, then histograms that widen slowly.
        assert_eq!(tally_bytes(1), 8);
        assert_eq!(tally_bytes(2048), 16 * KIB);
        assert_eq!(tally_bytes(2049), 7 * KIB);
        assert_eq!(tally_bytes(100_000), 9 * KIB + KIB / 2);
        assert_eq!(tally_bytes(u64::MAX), 14 * KIB);
        assert!(per_point(2000) > per_point(500));
        // The baseline point (6 firms, 4 rounds: 47 tallies) as calibrated above.
        assert_eq!(point_bytes(baseline, 2000) / KIB, 1098);
        assert_eq!(point_bytes(baseline, 100_000) / KIB, 863);
        // Workers: no more than there are chunks of trials.
        assert_eq!(e(&small, 16_384, 8).workers, 1);
        assert_eq!(e(&small, 100_000, 8).workers, 7);
        assert_eq!(e(&small, 100_000, 2).workers, 2);
        assert!(e(&small, 100_000, 2).total > e(&small, 100_000, 1).total);
        // A 100 × 100 sweep of the baseline at 100,000 trials on 2 threads: some 10 GiB.
        let grid = e(&small, 100_000, 2).points_bytes / 10 * 10_000;
        assert!((9 * GIB..11 * GIB).contains(&grid), "{}", Bytes(grid));
    }

    /// The tally model bounds what the summaries of the shipped scenarios hold, and not by
    /// more than a factor 2: the bytes counted by `Summary::heap_bytes` after a run, at trial
    /// counts on both sides of the exact limit.
    #[test]
    fn the_tally_model_bounds_the_summaries_of_the_shipped_scenarios() {
        let names = [
            "baseline",
            "gradual-expansion",
            "renewed-tensions",
            "tighter-oversight",
            "accelerated-domestic",
            "futures",
        ];
        let scenarios: Vec<Scenario> = names
            .iter()
            .map(|name| {
                let (path, bytes) = shipped(name);
                crate::scenario::parse(&path, &bytes, &[]).expect("valid")
            })
            .collect();
        for trials in [100u64, 2000, 2048, 2100, 5000, 20_000] {
            let options = PointsOptions {
                trials,
                seed: 7,
                threads: 2,
                chunk: 4096,
            };
            let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("runs");
            for (name, summary) in names.iter().zip(&result.summaries) {
                let tallies = summary.all_tallies().count() as u64;
                let held = summary.heap_bytes() as u64;
                let modelled = tallies * tally_bytes(trials);
                assert!(
                    held <= modelled && modelled <= 2 * held,
                    "{name} at {trials} trials: {held} bytes held, {modelled} modelled"
                );
            }
        }
    }

    #[test]
    fn a_plan_over_the_limit_is_refused_with_the_estimate_and_the_limit() {
        let plan = sweep(50);
        let limit = |bytes, source| MemoryLimit { bytes, source };
        let e = estimate(&plan, 20_000, 1);
        let fits = limit(e.total, LimitSource::Available);
        assert_eq!(check(&plan, 20_000, 1, &fits), Ok(e));
        let tight = limit(e.total - 1, LimitSource::Variable("40M".into()));
        let err = check(&plan, 20_000, 1, &tight).unwrap_err();
        let text = err.to_string();
        for part in [
            "this sweep would need about",
            &Bytes(e.total).to_string(),
            "50 points at about",
            "ALLOCSIM_MEMORY_LIMIT=40M",
            "fewer knobs or fewer values a knob",
        ] {
            assert!(text.contains(part), "{part:?} in {text}");
        }
        let fallback = limit(1 << 20, LimitSource::Fallback);
        let text = check(&plan, 20_000, 1, &fallback).unwrap_err().to_string();
        assert!(text.contains("could not be read"), "{text}");
        assert_eq!(Bytes(512).to_string(), "512 bytes");
        assert_eq!(Bytes(1536).to_string(), "2 KiB");
        assert_eq!(Bytes(50 << 20).to_string(), "50.0 MiB");
        assert_eq!(Bytes(5 << 30).to_string(), "5.0 GiB");
    }
}
