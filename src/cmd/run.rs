//! `allocsim run`: simulate a scenario (or one shard of it) and write its results; also the
//! writing of a finished run's outputs, which `merge` shares.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allocsim::engine::{self, Kept, Ran, RunOptions, TrialSet};
use allocsim::engine::{ShardInfo, run_resumable};
use allocsim::report::format::group_digits;
use allocsim::report::partial::{self, RunKey};
use allocsim::report::precision::{self, Reached, Target};
use allocsim::report::resume::{self, Found, ResumeKey};
use allocsim::report::{self, Kind, Manifest, OutputDir, OutputError, Part, RunInfo};
use allocsim::scenario;
use allocsim::stats::Summary;
use serde::Serialize;

use super::{common, say};
use crate::cli::{ChartArgs, RunArgs};

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    if args.resume && args.trials_csv {
        return Err(super::BadInput(
            "--resume cannot be used with --trials-csv: the trials an interrupted run keeps are \
             their tallies, not each trial's rows; run without --resume to write trials.csv"
                .to_string(),
        )
        .into());
    }
    let overrides = super::common::overrides(&args.overrides)?;
    let bytes = scenario::read_file(&args.scenario)?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let precision = precision_plan(&args, &scenario)?;
    let trials = match &precision {
        Some((_, cap)) => *cap,
        None => common::trials(args.trials, scenario.trials)?,
    };
    let seed = args.seed.unwrap_or(scenario.seed);
    let shard = args.shard.map(|s| ShardInfo::new(s, trials)).transpose()?;
    let info = RunInfo::new(&scenario, shard.map_or(trials, |s| s.trials), seed)
        .with_overrides(&overrides);
    let destination = args.out.clone().unwrap_or_else(|| {
        // With overrides, a folder of its own: never the scenario's own results replaced.
        let name = report::overrides::folder_name(&scenario.name, &info.overrides);
        let folder = match &shard {
            Some(s) => format!("{name}-shard-{}-of-{}", s.index, s.count),
            None => name,
        };
        PathBuf::from("output").join(folder)
    });
    // Before simulating: a folder that cannot or must not be written must not cost a long run.
    let kind = if shard.is_some() {
        Kind::Shard
    } else {
        Kind::Run
    };
    let inputs = [args.scenario.clone()];
    let out = OutputDir::prepare(
        &destination,
        &super::common::output_options(kind, args.force, &inputs),
    )?;

    let options = RunOptions {
        trials: shard.map_or(trials, |s| s.trials),
        first_trial: shard.map_or(0, |s| s.first_trial),
        seed,
        threads: args.threads,
        keep_trials: args.trials_csv,
        ..RunOptions::default()
    };
    let key_of = |trials: u64| RunKey::new(&args.scenario, &bytes, &overrides, seed, trials);
    // What an interruption keeps and a resume must match: the trials asked for (or the cap).
    let resume_key = ResumeKey {
        run: key_of(trials),
        precision: args.precision.clone(),
        shard,
    };
    let mut earlier = earlier_run(&args, &out, &resume_key, &info)?;
    let started = Instant::now();
    let simulated = match &precision {
        None => run_trials(&scenario, &options, earlier.prior.take(), args.quiet),
        Some((targets, cap)) => run_to_precision(
            &scenario,
            &options,
            targets,
            *cap,
            earlier.prior.take(),
            args.quiet,
        ),
    }
    .map_err(|e| common::engine_error(e, &out))?;
    let (result, reached) = match simulated {
        Simulated::Done(result, reached) => (result, reached),
        Simulated::Interrupted(kept) => {
            let error = out.interrupted();
            return Err(keep_interrupted(
                error,
                &out,
                &resume_key,
                &info,
                &kept,
                &earlier,
            ));
        }
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    // A precision run's trials are those it reached; it is then the run of that many trials.
    let (trials, options, info) = match &reached {
        Some(r) => (
            r.trials,
            RunOptions {
                trials: r.trials,
                ..options
            },
            RunInfo {
                trials: r.trials,
                ..info
            },
        ),
        None => (trials, options, info),
    };

    let key = key_of(trials);
    let manifest = Manifest::of_run(
        &key,
        &scenario.name,
        result.threads,
        wall_seconds,
        super::common::command_line(),
    );
    let manifest = match &reached {
        Some(r) => manifest.with_part(Part::Precision {
            precision: r.clone(),
        }),
        None => manifest,
    };
    let manifest = match shard {
        Some(shard) => manifest.with_part(Part::Shard { shard }),
        None => manifest,
    };
    let manifest_json = match &earlier.resumed {
        Some(resumed) => report::format::pretty_json(&ResumedManifest {
            manifest: &manifest,
            resumed,
        }),
        None => report::format::pretty_json(&manifest),
    };
    let write_files = || -> anyhow::Result<()> {
        if args.trials_csv {
            // Rows carry global trial indices, so a shard's rows are its slice of the whole run's.
            out.write_with("trials.csv", |w| {
                report::write_trials_csv(
                    w,
                    &result.summary,
                    scenario.domestic.equivalence,
                    options.first_trial,
                    &result.trials,
                )
            })?;
        }
        match shard {
            Some(shard) => {
                out.write(
                    "partial.json",
                    &partial::partial_json(&key, &shard, &info, &result.summary),
                )?;
                out.write("manifest.json", &manifest_json)?;
            }
            None => {
                let charts = (!args.no_charts).then_some(&args.charts);
                write_outputs(&out, &info, &result.summary, &manifest_json, charts)?;
                if args.xlsx {
                    out.write("results.xlsx", &report::run_xlsx(&info, &result.summary)?)?;
                }
            }
        }
        Ok(())
    };
    let wrote = write_files().and_then(|()| {
        // The outputs are written: an interruption now still keeps every trial.
        if crate::interrupt::flag().load(std::sync::atomic::Ordering::SeqCst) {
            return Err(out.interrupted().into());
        }
        Ok(())
    });
    let span = resume_key.span();
    let every_trial = |result: &engine::RunResult| {
        let done = TrialSet::of(span.start..span.start + result.summary.trials());
        Kept::new(result.summary.clone(), done)
    };
    match wrote {
        Err(e) if super::is_interrupted_output(&e) => {
            let error = out.interrupted();
            return Err(match every_trial(&result) {
                Some(kept) => keep_interrupted(error, &out, &resume_key, &info, &kept, &earlier),
                None => error.into(),
            });
        }
        other => other?,
    }
    let resume_path = out.resume_path().to_path_buf();
    let committed = out.commit_then(|_| {
        // The resume state is done with once its run's results are in place: removed while
        // the folder is still locked, so no other run's state written meanwhile is lost.
        if earlier.finished_removes {
            resume::discard(&resume_path)
        } else {
            Ok(())
        }
    });
    let written = match committed {
        Ok((written, discarded)) => {
            if let Err(e) = discarded {
                if !args.quiet {
                    eprintln!(
                        "warning: the results are in place, but the finished run's resume state \
                         '{}' could not be removed: {e}",
                        resume_path.display()
                    );
                }
            }
            written
        }
        Err(error @ OutputError::Interrupted { .. }) => {
            return Err(match every_trial(&result) {
                Some(kept) => {
                    keep_interrupted_at(error, &resume_path, &resume_key, &info, &kept, &earlier)
                }
                None => error.into(),
            });
        }
        Err(e) => return Err(e.into()),
    };

    if !args.quiet {
        // The trials this process ran: a resumed run's kept ones were run before.
        let ran = options.trials - earlier.resumed.as_ref().map_or(0, |r| r.trials_kept);
        let speed = format!(
            "{:.2} s ({})",
            wall_seconds,
            common::rate_label(ran as f64 / wall_seconds.max(1e-9), "trials")
        );
        match shard {
            Some(s) => say!(
                "{} shard {}/{} — trials {}..{} of {trials}, seed {seed}, {speed}\n\
                 Partial result in {}/ (combine the {} shards with `allocsim merge`)\n",
                scenario.name,
                s.index,
                s.count,
                s.first_trial,
                s.first_trial + s.trials,
                written.display(),
                s.count
            )?,
            None => print_results(
                &format!(
                    "{} — {trials} trials, seed {seed}, rule {}, {speed}",
                    info.title(),
                    scenario.rule.name()
                ),
                &result.summary,
                &written,
            )?,
        }
        if let Some(r) = &reached {
            say!("{}\n", precision_sentence(r))?;
        }
        if let Some(r) = &earlier.resumed {
            say!(
                "Resumed: {} of the {} trials were kept from the interrupted run.\n",
                group_digits(r.trials_kept),
                group_digits(options.trials)
            )?;
        }
    }
    Ok(())
}

/// `--precision`'s targets, checked against the scenario's summary layout, and the cap
/// (`--max-trials`); None without --precision.
fn precision_plan(
    args: &RunArgs,
    scenario: &scenario::Scenario,
) -> anyhow::Result<Option<(Vec<Target>, u64)>> {
    if args.precision.is_empty() {
        return Ok(None);
    }
    let layout = Summary::new(scenario);
    let mut targets = Vec::new();
    for spec in &args.precision {
        let target = Target::parse(spec)?;
        target.check(&layout)?;
        targets.push(target);
    }
    let cap = args.max_trials.unwrap_or(DEFAULT_MAX_TRIALS);
    if !(1..=scenario::MAX_TRIALS).contains(&cap) {
        return Err(super::BadInput(format!(
            "--max-trials must be within [1, {}], got {cap}",
            scenario::MAX_TRIALS
        ))
        .into());
    }
    Ok(Some((targets, cap)))
}

/// `--max-trials` when not given.
const DEFAULT_MAX_TRIALS: u64 = 1_000_000_000;

/// How the simulation of a run ended.
enum Simulated {
    /// Every trial ran (a precision run's up to the checkpoint it stopped at, and what it
    /// reached).
    Done(engine::RunResult, Option<Reached>),
    /// Ctrl-C or SIGTERM stopped it: the trials finished, those it resumed from included.
    Interrupted(Kept),
}

/// Runs the run's trials that `prior` does not hold, with a progress bar.
fn run_trials(
    scenario: &scenario::Scenario,
    options: &RunOptions,
    prior: Option<Kept>,
    quiet: bool,
) -> Result<Simulated, engine::EngineError> {
    let bar = common::progress_bar(
        options.trials,
        options.trials,
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials ({rate}, {eta} left)",
        common::Rate {
            unit: "trials",
            per_step: 1,
        },
        quiet,
    );
    let ran = run_resumable(
        scenario,
        options,
        prior,
        &mut |done| bar.set_position(done),
        Some(crate::interrupt::flag()),
    )?;
    bar.finish_and_clear();
    Ok(match ran {
        Ran::Complete(result) => Simulated::Done(result, None),
        Ran::Interrupted(kept) => Simulated::Interrupted(kept),
    })
}

/// Runs trials up to each checkpoint in turn ([`precision::checkpoints`]), the trials of each
/// merged with the ones before (exactly: the result is the run of that many trials), until every
/// target is met or the cap is reached. The progress line shows the targets' half-widths.
/// Resumed from `prior`, the checkpoints its trials went past are passed over: the interrupted
/// run found their targets unmet (the same summary gives the same answer), or it would have
/// stopped there.
fn run_to_precision(
    scenario: &scenario::Scenario,
    options: &RunOptions,
    targets: &[Target],
    cap: u64,
    prior: Option<Kept>,
    quiet: bool,
) -> Result<Simulated, engine::EngineError> {
    let bar = common::progress_bar(
        cap,
        cap,
        "{spinner} [{elapsed_precise}] {human_pos} trials ({rate}) · {msg}",
        common::Rate {
            unit: "trials",
            per_step: 1,
        },
        quiet,
    );
    let mut kept = prior.unwrap_or_else(|| Kept::nothing(scenario));
    let mut outcomes = Vec::new();
    let mut threads = 0;
    let mut last = None;
    for checkpoint in precision::checkpoints(cap) {
        if kept.done().reaches_past(options.first_trial + checkpoint) {
            continue;
        }
        // The first `checkpoint` trials, of which those kept are done.
        let upto = RunOptions {
            trials: checkpoint,
            ..options.clone()
        };
        let ran = run_resumable(
            scenario,
            &upto,
            Some(kept),
            &mut |d| bar.set_position(d),
            Some(crate::interrupt::flag()),
        )?;
        let mut result = match ran {
            Ran::Complete(result) => result,
            Ran::Interrupted(k) => {
                bar.finish_and_clear();
                return Ok(Simulated::Interrupted(k));
            }
        };
        threads = result.threads.max(threads);
        // This call's trials, in order: those after the previous checkpoint.
        outcomes.append(&mut result.trials);
        let statuses: Vec<_> = targets.iter().map(|t| t.status(&result.summary)).collect();
        bar.set_message(precision::status_line(&statuses));
        let met = statuses.iter().all(|s| s.met);
        let summary = result.summary;
        let reached = Reached {
            trials: checkpoint,
            max_trials: cap,
            met,
            targets: statuses,
        };
        if met || checkpoint == cap {
            last = Some((summary, reached));
            break;
        }
        let done = TrialSet::of(options.first_trial..options.first_trial + checkpoint);
        kept = match Kept::new(summary, done) {
            Some(k) => k,
            None => unreachable!("a complete run of the first {checkpoint} trials counts them"),
        };
    }
    bar.finish_and_clear();
    let Some((summary, reached)) = last else {
        // checkpoints() always ends at the cap, which is at least 1, and kept trials lie below
        // it, so the cap is always run.
        unreachable!("the cap is the last checkpoint and is always run");
    };
    let result = engine::RunResult {
        summary,
        trials: outcomes,
        threads,
    };
    Ok(Simulated::Done(result, Some(reached)))
}

/// What a run found of an earlier interrupted run into its folder.
struct Earlier {
    /// With `--resume`: the trials to go on from (taken when the simulation starts).
    prior: Option<Kept>,
    /// With `--resume`: what the manifest records of it.
    resumed: Option<Resumed>,
    /// How many trials the state there keeps of this same run (without `--resume`): a run
    /// interrupted with fewer finished does not replace it.
    same_run_trials: u64,
    /// Whether the state there is done with once this run's results are in place: it is this
    /// run's (resumed or not), or allocsim's but unusable.
    finished_removes: bool,
}

/// `resumed` in a resumed run's manifest.json.
#[derive(Debug, Clone, Serialize)]
struct Resumed {
    /// Trials kept by the interrupted run(s), not run again.
    trials_kept: u64,
    /// The resume state's checksum: which one the run went on from.
    checksum: String,
}

/// A resumed run's manifest: the run's, then `resumed`.
#[derive(Serialize)]
struct ResumedManifest<'a> {
    #[serde(flatten)]
    manifest: &'a Manifest,
    resumed: &'a Resumed,
}

/// Looks for a resume state beside the output folder. With `--resume` it must be this run's
/// (else bad input, naming what differs); without, a state of this same run is noted on stderr,
/// since this run starts over.
fn earlier_run(
    args: &RunArgs,
    out: &OutputDir,
    key: &ResumeKey,
    info: &RunInfo,
) -> anyhow::Result<Earlier> {
    let path = out.resume_path();
    let found = resume::find(path).map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        reason: e,
    })?;
    let mut earlier = Earlier {
        prior: None,
        resumed: None,
        same_run_trials: 0,
        finished_removes: matches!(found, Found::Damaged(_)),
    };
    // The state's run differs from this one: what, in one phrase each.
    let differences = |state: &resume::ResumeState| {
        let mut differences = key.differences(&state.key);
        let theirs = RunInfo {
            trials: info.trials,
            ..state.info.clone()
        };
        if differences.is_empty() && theirs != *info {
            differences.push("the scenario's description (name, rounds, firms or knobs)".into());
        }
        differences
    };
    let shown = path.display();
    if !args.resume {
        if let Found::State(state) = &found {
            if differences(state).is_empty() {
                earlier.same_run_trials = state.kept.done().count();
                earlier.finished_removes = true;
                if !args.quiet {
                    eprintln!(
                        "note: '{shown}' keeps {} trials that an interrupted run of this same run \
                         finished; this run starts over without them (add --resume to go on from \
                         them instead)",
                        group_digits(earlier.same_run_trials)
                    );
                }
            }
        }
        return Ok(earlier);
    }
    let bad = |message: String| anyhow::Error::from(super::BadInput(message));
    match found {
        Found::Nothing => Err(bad(format!(
            "--resume: there is no interrupted run to resume for '{}': '{shown}' does not \
             exist (an interrupted run keeps its finished trials there); run without --resume",
            out.destination().display()
        ))),
        Found::Foreign => Err(bad(format!(
            "--resume: '{shown}' is not a resume state allocsim wrote; it is left as it is \
             (move it away, or run without --resume)"
        ))),
        Found::Damaged(e) => Err(bad(format!(
            "--resume: '{shown}' cannot be used: {e}; run without --resume to start over (the \
             state is replaced if that run is interrupted, and removed when it finishes)"
        ))),
        Found::State(state) => {
            let differences = differences(&state);
            if !differences.is_empty() {
                return Err(bad(format!(
                    "--resume: '{shown}' keeps the trials of another run: {}; resume with the \
                     same scenario and options, or run without --resume to start over",
                    differences.join("; ")
                )));
            }
            earlier.resumed = Some(Resumed {
                trials_kept: state.kept.done().count(),
                checksum: state.checksum.clone(),
            });
            earlier.prior = Some(state.kept);
            earlier.finished_removes = true;
            Ok(earlier)
        }
    }
}

/// An interruption whose finished trials were kept (or could not be): the output folder's
/// message, then what became of the trials.
#[derive(Debug, thiserror::Error)]
#[error("{output}; {kept}")]
pub struct KeptInterrupted {
    output: OutputError,
    kept: String,
}

/// Keeps the trials an interrupted run finished as its resume state, while the output folder
/// is still locked, and returns the error to end with.
fn keep_interrupted(
    error: OutputError,
    out: &OutputDir,
    key: &ResumeKey,
    info: &RunInfo,
    kept: &Kept,
    earlier: &Earlier,
) -> anyhow::Error {
    keep_interrupted_at(error, out.resume_path(), key, info, kept, earlier)
}

/// [`keep_interrupted`] at `path`. Nothing finished: the folder's message alone. A run that was
/// not resumed does not replace a state of the same run that keeps more trials.
fn keep_interrupted_at(
    error: OutputError,
    path: &Path,
    key: &ResumeKey,
    info: &RunInfo,
    kept: &Kept,
    earlier: &Earlier,
) -> anyhow::Error {
    let done = kept.done().count();
    if done == 0 {
        return error.into();
    }
    let shown = path.display();
    let of = if key.precision.is_empty() {
        format!(
            "{} of {} trials",
            group_digits(done),
            group_digits(key.span().end - key.span().start)
        )
    } else {
        format!(
            "{} trials (of at most {}, the cap)",
            group_digits(done),
            group_digits(key.run.trials)
        )
    };
    let again = "run the same command with --resume to finish the run";
    let kept_message = if earlier
        .resumed
        .as_ref()
        .is_some_and(|r| r.trials_kept == done)
    {
        // Resumed, and nothing more finished: the state there is already this.
        format!("{of} are kept in '{shown}': {again}")
    } else if earlier.resumed.is_none() && earlier.same_run_trials >= done {
        format!(
            "the {} trials this run finished are not kept: '{shown}' already keeps {} trials of \
             this same run: {again} from those",
            group_digits(done),
            group_digits(earlier.same_run_trials)
        )
    } else {
        let info = RunInfo {
            trials: done,
            ..info.clone()
        };
        match resume::save(path, &resume::resume_json(key, &info, kept)) {
            Ok(()) => format!("{of} are kept in '{shown}': {again}"),
            Err(e) => format!("the {of} finished could not be kept: cannot write '{shown}': {e}"),
        }
    };
    KeptInterrupted {
        output: error,
        kept: kept_message,
    }
    .into()
}

/// What a precision run reached, in a sentence for stdout.
fn precision_sentence(r: &Reached) -> String {
    let status = precision::status_line(&r.targets);
    if r.met {
        format!(
            "Precision reached at {} trials: {status}.",
            group_digits(r.trials)
        )
    } else {
        format!(
            "Precision NOT reached: the cap of {} trials (--max-trials) came first: {status}.",
            group_digits(r.max_trials)
        )
    }
}

/// Writes what a finished run (simulated whole, or merged from shards) puts in its folder:
/// summary.csv, rounds.csv, manifest.json, results.json and, with `charts`, the charts and
/// report.html.
pub(super) fn write_outputs(
    out: &OutputDir,
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &[u8],
    charts: Option<&ChartArgs>,
) -> anyhow::Result<()> {
    let options = charts.map(super::report::chart_options);
    report::save::write_run(out, info, summary, manifest_json, options.as_ref())
        .map_err(common::save_error)
}

/// Prints a finished run's headline, its table and where its results are.
pub(super) fn print_results(
    headline: &str,
    summary: &Summary,
    written: &Path,
) -> Result<(), super::StdoutFailed> {
    say!(
        "{headline}\n\n{}\nResults in {}/\n",
        report::console_table(summary),
        written.display()
    )
}
