//! Runs trials in parallel on rayon and folds their outcomes into a [`Summary`]. Trial t always
//! draws from the streams keyed by (seed, t), and summaries merge exactly, so the result is the
//! same whatever the thread count, chunk size or scheduling; a shard ([`Shard`]) runs one
//! slice of a run's trials.

mod shard;

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::model::{Model, Outcome};
use crate::scenario::Scenario;
use crate::stats::{Recorder, Summary};

pub use shard::{Shard, ShardError, ShardInfo};

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
    /// The cancel flag was set before every trial ran; the trials done so far are discarded.
    #[error("the run was interrupted")]
    Interrupted,
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
/// the run early when set.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<RunResult, EngineError> {
    let model = Model::new(scenario);
    let (parts, threads) = for_each_chunk(
        options.threads,
        options.trials,
        options.chunk,
        progress,
        cancel,
        || {
            let kept: Vec<(u64, Vec<Outcome>)> = Vec::new();
            (Recorder::new(scenario), kept, model.workspace())
        },
        |(recorder, kept, ws), c, offsets, stop| {
            let mut outcomes = Vec::new();
            for t in offsets {
                // Checked per trial, not per chunk: a chunk of a scenario with hundreds of firms
                // and rounds takes minutes. A cancelled run's results are discarded, so a chunk
                // left half done does not matter.
                if stop() {
                    break;
                }
                model.run_trial(options.seed, options.first_trial + t, ws);
                recorder.record(&ws.outcome);
                if options.keep_trials {
                    outcomes.push(ws.outcome.clone());
                }
            }
            if options.keep_trials {
                kept.push((c, outcomes));
            }
        },
    )?;

    let mut summary = Summary::new(scenario);
    let mut chunks_kept = Vec::new();
    for (part, kept, _) in parts {
        summary.merge(&part.finish());
        chunks_kept.extend(kept);
    }
    chunks_kept.sort_by_key(|(c, _)| *c);
    let trials = chunks_kept.into_iter().flat_map(|(_, o)| o).collect();
    Ok(RunResult {
        summary,
        trials,
        threads,
    })
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
    check_threads(threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| EngineError::Threads { threads, source })?;
    let threads = pool.current_num_threads();
    let chunk = chunk.max(1);
    let chunks = trials.div_ceil(chunk);
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
                    let offsets = c * chunk..((c + 1) * chunk).min(trials);
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
    if stop() {
        return Err(EngineError::Interrupted);
    }
    let states = states.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok((states, threads))
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
mod tests {
    use super::*;

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
