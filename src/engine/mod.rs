//! Runs trials in parallel on rayon and folds their outcomes into a [`Summary`]. Trial t always
//! draws from the streams keyed by (seed, t), and summaries merge exactly, so the result is the
//! same whatever the thread count, chunk size or scheduling; a shard ([`Shard`]) runs one
//! slice of a run's trials. An interrupted run hands back the trials it finished ([`Kept`]),
//! and a later run given them runs only the others ([`run_resumable`]).

mod shard;
mod trials;

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::model::{Model, Outcome};
use crate::scenario::Scenario;
use crate::stats::{Recorder, Summary};

pub use shard::{Shard, ShardError, ShardInfo};
pub use trials::TrialSet;

use trials::Pieces;

/// Most worker threads a run may ask for, by `threads` or by RAYON_NUM_THREADS. Far past the
/// cores of any machine allocsim runs on; rayon tries to start any number it is given, and tens
/// of thousands of threads abort the process instead of failing cleanly.
pub const MAX_THREADS: usize = 1024;

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Number of trials to run: indices `first_trial..first_trial + trials`.
    pub trials: u64,
    /// Index of the first trial (non-zero for a shard of a larger run).
    pub first_trial: u64,
    /// Seed of every random stream: trial t draws from the streams keyed by (seed, t) alone. The
    /// commands pass the scenario's `seed` unless `--seed` overrides it.
    pub seed: u64,
    /// Worker threads, at most [`MAX_THREADS`]; 0 lets rayon choose (RAYON_NUM_THREADS, which
    /// must then be at most [`MAX_THREADS`] too, else one per core).
    pub threads: usize,
    /// Trials a worker takes at a time. Results do not depend on it.
    pub chunk: u64,
    /// Keep every trial's outcome (for trials.csv); otherwise memory does not grow with trials.
    pub keep_trials: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            trials: 100_000,
            first_trial: 0,
            seed: 0,
            threads: 0,
            chunk: 2048,
            keep_trials: false,
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct RunResult {
    /// The tallies of every trial run, merged exactly: the same whatever the thread count or
    /// chunking.
    pub summary: Summary,
    /// Every trial's outcome, in trial order, when `keep_trials` was set.
    pub trials: Vec<Outcome>,
    /// Worker threads used.
    pub threads: usize,
}

/// Why a run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// rayon could not build the pool (the system refused the threads): a failure of the machine,
    /// not bad input.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Worker threads asked for (0: rayon's default).
        threads: usize,
        /// rayon's reason.
        source: rayon::ThreadPoolBuildError,
    },
    /// A thread count past [`MAX_THREADS`]: bad input ([`EngineError::is_bad_input`]).
    #[error("{from}={threads} asks for more than the {MAX_THREADS} worker threads allowed")]
    TooManyThreads {
        /// The count asked for.
        threads: usize,
        /// Where the count came from: the `threads` option or an environment variable.
        from: &'static str,
    },
    /// The cancel flag was set before every trial ran; the trials done so far are discarded
    /// ([`run_resumable`] hands them back instead).
    #[error("the run was interrupted")]
    Interrupted,
    /// [`run_resumable`] was given trials done outside the run's trials: they are another
    /// run's (a shard's of another slice), and would be counted in this one.
    #[error(
        "the trials given as done ({first}..{end}) are not all within the run's trials {}..{}",
        span.start,
        span.end
    )]
    KeptOutside {
        /// The first trial given as done.
        first: u64,
        /// One past the last trial given as done.
        end: u64,
        /// The run's trials.
        span: Range<u64>,
    },
}

impl EngineError {
    /// Whether the error is the caller's input to fix (an impossible thread count), not a
    /// failure of the run.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, EngineError::TooManyThreads { .. })
    }
}

/// Refuses a thread count past [`MAX_THREADS`], whether asked for as `threads` or, when that is
/// 0, through the environment variables rayon reads (RAYON_NUM_THREADS, then the deprecated
/// RAYON_RS_NUM_CPUS), parsed as rayon parses them: a value that is not a number or is 0 means
/// rayon's default.
fn check_threads(threads: usize) -> Result<(), EngineError> {
    if threads > MAX_THREADS {
        return Err(EngineError::TooManyThreads {
            threads,
            from: "threads",
        });
    }
    if threads > 0 {
        return Ok(());
    }
    for variable in ["RAYON_NUM_THREADS", "RAYON_RS_NUM_CPUS"] {
        match std::env::var(variable)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            Some(n) if n > MAX_THREADS => {
                return Err(EngineError::TooManyThreads {
                    threads: n,
                    from: variable,
                });
            }
            // rayon takes the first variable that holds a positive number; a 0 in
            // RAYON_NUM_THREADS means its default.
            Some(n) if n > 0 || variable == "RAYON_NUM_THREADS" => return Ok(()),
            _ => {}
        }
    }
    Ok(())
}

/// Runs `options.trials` trials of `scenario`. `progress` is called from the calling thread
/// with the number of trials done, a few times a second and once at the end; `cancel` stops
/// the run early when set, and the trials done are discarded ([`run_resumable`] keeps them).
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<RunResult, EngineError> {
    match run_resumable(scenario, options, None, progress, cancel)? {
        Ran::Complete(result) => Ok(result),
        Ran::Interrupted(_) => Err(EngineError::Interrupted),
    }
}

/// The trials a run finished, and their tallies: what an interrupted run hands back, and what a
/// later run of the same trials is given so that it runs only the others.
#[derive(Debug, Clone)]
pub struct Kept {
    summary: Summary,
    done: TrialSet,
}

impl Kept {
    /// Nothing done yet: an empty summary of `scenario`.
    pub fn nothing(scenario: &Scenario) -> Kept {
        Kept {
            summary: Summary::new(scenario),
            done: TrialSet::new(),
        }
    }

    /// The trials `done` and their tallies `summary` (as read back from a resume state), or
    /// `None` if the summary does not count exactly as many trials as `done` holds.
    pub fn new(summary: Summary, done: TrialSet) -> Option<Kept> {
        (summary.trials() == done.count()).then_some(Kept { summary, done })
    }

    /// The tallies of the trials done, merged exactly.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Which trials are done (global trial indices).
    pub fn done(&self) -> &TrialSet {
        &self.done
    }
}

/// How a [`run_resumable`] call ended.
#[derive(Debug)]
pub enum Ran {
    /// Every trial ran: the result is that of one uninterrupted run of them all, whatever was
    /// given as done.
    Complete(RunResult),
    /// The cancel flag stopped it: every trial that finished, those given as done included. A
    /// chunk half done when the flag was seen counts the trials of it that finished.
    Interrupted(Kept),
}

/// Runs the trials `options.first_trial..options.first_trial + options.trials` of `scenario`
/// that `prior` does not hold as done, and merges them with `prior`'s tallies. Trial t always
/// draws from the streams keyed by (seed, t) and summaries merge exactly in any order, so a
/// run resumed from what an interrupted one kept ends exactly as one uninterrupted run. With
/// `keep_trials`, the result's `trials` are the outcomes of the trials this call ran (all of
/// them when `prior` is `None`). `progress` gets the trials done, `prior`'s included; `cancel`
/// stops the run, which then returns what it finished ([`Ran::Interrupted`]).
pub fn run_resumable(
    scenario: &Scenario,
    options: &RunOptions,
    prior: Option<Kept>,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<Ran, EngineError> {
    let span = options.first_trial..options.first_trial.saturating_add(options.trials);
    let Kept { mut summary, done } = prior.unwrap_or_else(|| Kept::nothing(scenario));
    if let (false, Some(first), Some(last)) = (
        done.is_within(&span),
        done.ranges().first(),
        done.ranges().last(),
    ) {
        return Err(EngineError::KeptOutside {
            first: first.start,
            end: last.end,
            span,
        });
    }
    let already = done.count();
    let pieces = Pieces::new(&done.gaps_in(span), options.chunk);
    let model = Model::new(scenario);
    let (parts, threads, interrupted) = for_each_piece(
        options.threads,
        &pieces,
        &mut |d| progress(already + d),
        cancel,
        || {
            let kept: Vec<(u64, Vec<Outcome>)> = Vec::new();
            let ran: Vec<Range<u64>> = Vec::new();
            (Recorder::new(scenario), kept, model.workspace(), ran)
        },
        |(recorder, kept, ws, ran), _, trials, stop| {
            let mut outcomes = Vec::new();
            let mut end = trials.start;
            for t in trials.clone() {
                // Checked per trial, not per chunk: a chunk of a scenario with hundreds of firms
                // and rounds takes minutes. The trials of a chunk cut short are kept as done.
                if stop() {
                    break;
                }
                model.run_trial(options.seed, t, ws);
                recorder.record(&ws.outcome);
                if options.keep_trials {
                    outcomes.push(ws.outcome.clone());
                }
                end = t + 1;
            }
            if end > trials.start {
                ran.push(trials.start..end);
            }
            if options.keep_trials {
                kept.push((trials.start, outcomes));
            }
        },
    )?;

    let mut done = done;
    let mut chunks_kept = Vec::new();
    for (part, kept, _, ran) in parts {
        summary.merge(&part.finish());
        done.extend(ran);
        chunks_kept.extend(kept);
    }
    if interrupted {
        return Ok(Ran::Interrupted(Kept { summary, done }));
    }
    chunks_kept.sort_by_key(|(start, _)| *start);
    let trials = chunks_kept.into_iter().flat_map(|(_, o)| o).collect();
    Ok(Ran::Complete(RunResult {
        summary,
        trials,
        threads,
    }))
}

/// The parallel skeleton every run shares: `trials` trial offsets `0..trials` are cut into
/// chunks of `chunk`, and workers on a fresh rayon pool of `threads` (0: rayon's default) take
/// chunks in turn, each folding them into its own state made by `init`. `work` gets the state,
/// the chunk index, the chunk's offsets and a `stop` check. Returns every worker's state, in no
/// particular order (callers merge them exactly), and the number of threads used. `progress`
/// runs on the calling thread with the trials done; `cancel` stops the workers and makes the
/// result `Interrupted`.
pub(crate) fn for_each_chunk<S, I, W>(
    threads: usize,
    trials: u64,
    chunk: u64,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
    init: I,
    work: W,
) -> Result<(Vec<S>, usize), EngineError>
where
    S: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, u64, Range<u64>, &dyn Fn() -> bool) + Sync,
{
    let pieces = Pieces::new(&TrialSet::of(0..trials), chunk);
    let (states, threads, interrupted) =
        for_each_piece(threads, &pieces, progress, cancel, init, work)?;
    if interrupted {
        return Err(EngineError::Interrupted);
    }
    Ok((states, threads))
}

/// [`for_each_chunk`] over any chunks ([`Pieces`]), returning the workers' states even when
/// `cancel` stopped them (the flag `true`): each state then holds what its worker finished.
fn for_each_piece<S, I, W>(
    threads: usize,
    pieces: &Pieces,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
    init: I,
    work: W,
) -> Result<(Vec<S>, usize, bool), EngineError>
where
    S: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, u64, Range<u64>, &dyn Fn() -> bool) + Sync,
{
    check_threads(threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| EngineError::Threads { threads, source })?;
    let threads = pool.current_num_threads();
    let chunks = pieces.count();
    let next_chunk = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let workers_left = AtomicU64::new(threads as u64);
    let states: Mutex<Vec<S>> = Mutex::new(Vec::new());
    let stop = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // The last worker out wakes the progress loop, so a run does not end up to one progress
    // interval late.
    let caller = std::thread::current();

    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                // Counts this worker out even if it panics, so the progress loop ends.
                let _guard = CountDown(&workers_left, &caller);
                let mut state = init();
                loop {
                    let c = next_chunk.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks || stop() {
                        break;
                    }
                    let offsets = pieces.get(c);
                    let len = offsets.end - offsets.start;
                    work(&mut state, c, offsets, &stop);
                    done.fetch_add(len, Ordering::Relaxed);
                }
                match states.lock() {
                    Ok(mut r) => r.push(state),
                    Err(poisoned) => poisoned.into_inner().push(state),
                }
            });
        }
        while workers_left.load(Ordering::Acquire) > 0 {
            progress(done.load(Ordering::Relaxed));
            std::thread::park_timeout(Duration::from_millis(50));
        }
    });
    progress(done.load(Ordering::Relaxed));
    let states = states.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok((states, threads, stop()))
}

struct CountDown<'a>(&'a AtomicU64, &'a std::thread::Thread);

impl Drop for CountDown<'_> {
    fn drop(&mut self) {
        if self.0.fetch_sub(1, Ordering::Release) == 1 {
            self.1.unpark();
        }
    }
}

#[cfg(test)]
// Lists of one range are lists of ranges here, not ranges of numbers.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::report::{RunInfo, results_json, rounds_csv, summary_csv};

    /// Regimes (version 2 results: per-trial tallies too) and enough rounds that a trial takes
    /// a few tens of microseconds unoptimised.
    fn scenario() -> Scenario {
        let toml = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/regimes.toml"
        ))
        .expect("the fixture");
        crate::scenario::parse(std::path::Path::new("regimes.toml"), &toml, &[]).expect("valid")
    }

    fn options(trials: u64, first_trial: u64, threads: usize) -> RunOptions {
        RunOptions {
            trials,
            first_trial,
            seed: 11,
            threads,
            chunk: 97,
            keep_trials: false,
        }
    }

    /// What the outputs are made of: byte for byte the same summaries write the same files.
    fn outputs(s: &Scenario, summary: &Summary) -> Vec<Vec<u8>> {
        let info = RunInfo::new(s, summary.trials(), 11);
        vec![
            summary_csv(summary),
            rounds_csv(summary),
            results_json(&info, summary),
        ]
    }

    fn complete(ran: Ran) -> RunResult {
        match ran {
            Ran::Complete(r) => r,
            Ran::Interrupted(k) => panic!("interrupted with {} trials", k.done().count()),
        }
    }

    /// Cancelled mid-run again and again (at the second progress report of each call, some
    /// 50 ms in), each call hands back every trial it finished, chunks cut short included; the
    /// run resumed from them until it completes is the one-pass run exactly, on 1 or 2 threads.
    /// Progress is reported by the clock, so a run short enough to end before its second report
    /// is tried again four times as long (a faster build or machine needs more trials).
    #[test]
    fn an_interrupted_run_hands_back_its_trials_and_resumes_to_the_one_pass_run() {
        let s = scenario();
        let mut tested = false;
        for total in [20_000, 80_000, 320_000, 1_280_000] {
            let (interruptions, cut_short) = interrupt_and_resume(&s, total);
            if interruptions >= 2 && cut_short {
                tested = true;
                break;
            }
        }
        assert!(
            tested,
            "too few interruptions or no chunk cut short: the test did not test"
        );
    }

    /// [`an_interrupted_run_hands_back_its_trials_and_resumes_to_the_one_pass_run`] at `total`
    /// trials: the interruptions it took, and whether a chunk was cut short.
    fn interrupt_and_resume(s: &Scenario, total: u64) -> (u32, bool) {
        let one_pass =
            complete(run_resumable(s, &options(total, 0, 2), None, &mut |_| {}, None).unwrap());
        let expected = outputs(s, &one_pass.summary);
        let mut prior: Option<Kept> = None;
        let mut interruptions = 0;
        let mut cut_short = false;
        for call in 0.. {
            assert!(call < 1000, "the run never completed");
            let cancel = AtomicBool::new(false);
            let already = prior.as_ref().map_or(0, |k| k.done().count());
            let mut reports = 0;
            let mut progress = |d: u64| {
                assert!(d >= already, "progress counts the kept trials too");
                reports += 1;
                // Not at the report after the last chunk: that one is the next test's.
                if reports == 2 && d < total {
                    cancel.store(true, Ordering::Relaxed);
                }
            };
            let threads = 1 + call % 2;
            match run_resumable(
                s,
                &options(total, 0, threads),
                prior.take(),
                &mut progress,
                Some(&cancel),
            )
            .unwrap()
            {
                Ran::Interrupted(kept) => {
                    interruptions += 1;
                    assert_eq!(kept.summary().trials(), kept.done().count());
                    assert!(kept.done().count() >= already, "kept trials were lost");
                    assert!(kept.done().is_within(&(0..total)));
                    // A chunk cut short ends off the chunk grid (chunks of 97 from trial 0).
                    cut_short |= kept
                        .done()
                        .ranges()
                        .iter()
                        .any(|r| r.end % 97 != 0 && r.end != total);
                    prior = Some(kept);
                }
                Ran::Complete(result) => {
                    assert_eq!(
                        outputs(s, &result.summary),
                        expected,
                        "after {interruptions} interruptions"
                    );
                    break;
                }
            }
        }
        (interruptions, cut_short)
    }

    /// The flag set before the start keeps nothing; set at the last progress report, after
    /// every chunk finished, it keeps every trial, and resuming from them runs none.
    #[test]
    fn interrupted_before_any_trial_or_after_the_last() {
        let s = scenario();
        let cancel = AtomicBool::new(true);
        let Ran::Interrupted(nothing) =
            run_resumable(&s, &options(500, 0, 2), None, &mut |_| {}, Some(&cancel)).unwrap()
        else {
            panic!("not interrupted");
        };
        assert!(nothing.done().is_empty());
        assert_eq!(nothing.summary().trials(), 0);

        let cancel = AtomicBool::new(false);
        let mut at_end = |d: u64| {
            if d == 500 {
                cancel.store(true, Ordering::Relaxed);
            }
        };
        let Ran::Interrupted(all) = run_resumable(
            &s,
            &options(500, 0, 2),
            Some(nothing),
            &mut at_end,
            Some(&cancel),
        )
        .unwrap() else {
            panic!("not interrupted");
        };
        assert_eq!(all.done().ranges(), [0..500]);
        let one_pass =
            complete(run_resumable(&s, &options(500, 0, 1), None, &mut |_| {}, None).unwrap());
        let mut ran = 0;
        let resumed = complete(
            run_resumable(&s, &options(500, 0, 2), Some(all), &mut |d| ran = d, None).unwrap(),
        );
        assert_eq!(ran, 500, "progress counts the kept trials");
        assert_eq!(
            outputs(&s, &resumed.summary),
            outputs(&s, &one_pass.summary)
        );
    }

    /// Trials done in any pieces (a shard's slice here, with gaps at both ends and between)
    /// merged with the missing ones are the one-pass run; trials outside the run are refused.
    #[test]
    fn kept_pieces_and_the_rest_merge_into_the_one_pass_run() {
        let s = scenario();
        let (first, trials) = (1000, 3000);
        let one_pass = complete(
            run_resumable(&s, &options(trials, first, 2), None, &mut |_| {}, None).unwrap(),
        );
        let mut summary = Summary::new(&s);
        let pieces = [1500..1600, 1601..2300, 3900..3999];
        for r in &pieces {
            let part = complete(
                run_resumable(
                    &s,
                    &options(r.end - r.start, r.start, 1),
                    None,
                    &mut |_| {},
                    None,
                )
                .unwrap(),
            );
            summary.merge(&part.summary);
        }
        assert!(
            Kept::new(summary.clone(), TrialSet::from_ranges([1500..1600])).is_none(),
            "counts must agree"
        );
        let kept = Kept::new(summary, TrialSet::from_ranges(pieces.clone())).unwrap();
        let resumed = complete(
            run_resumable(
                &s,
                &options(trials, first, 2),
                Some(kept.clone()),
                &mut |_| {},
                None,
            )
            .unwrap(),
        );
        assert_eq!(
            outputs(&s, &resumed.summary),
            outputs(&s, &one_pass.summary)
        );

        let err =
            run_resumable(&s, &options(2000, 2000, 1), Some(kept), &mut |_| {}, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the trials given as done (1500..3999) are not all within the run's trials 2000..4000"
        );
    }

    /// A count past the limit is refused before a pool is built (rayon would try to start
    /// them all); the environment is the binary's to test, in a process of its own.
    #[test]
    fn thread_counts_past_the_limit_are_refused() {
        for threads in [MAX_THREADS + 1, 100_000, usize::MAX] {
            let err = for_each_chunk(threads, 10, 5, &mut |_| {}, None, || (), |_, _, _, _| {})
                .expect_err("refused");
            assert!(err.is_bad_input());
            assert_eq!(
                err.to_string(),
                format!("threads={threads} asks for more than the 1024 worker threads allowed")
            );
        }
        let (_, used) = for_each_chunk(2, 10, 5, &mut |_| {}, None, || (), |_, _, _, _| {})
            .expect("two threads run");
        assert_eq!(used, 2);
        assert!(!EngineError::Interrupted.is_bad_input());
    }
}
