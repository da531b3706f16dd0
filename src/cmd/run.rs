//! `allocsim run`: simulate a scenario (or one shard of it) and write its results; also the
//! writing of a finished run's outputs, which `merge` shares.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allocsim::engine::ShardInfo;
use allocsim::engine::{self, RunOptions};
use allocsim::report::format::group_digits;
use allocsim::report::partial::{self, RunKey};
use allocsim::report::precision::{self, Reached, Target};
use allocsim::report::{self, Kind, Manifest, OutputDir, Part, RunInfo};
use allocsim::scenario;
use allocsim::stats::Summary;

use super::{common, say};
use crate::cli::{ChartArgs, RunArgs};

pub fn run(args: RunArgs) -> anyhow::Result<()> {
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
    let started = Instant::now();
    let (result, reached) = match &precision {
        None => {
            let bar = common::progress_bar(
                options.trials,
                options.trials,
                "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials ({rate}, {eta} left)",
                common::Rate {
                    unit: "trials",
                    per_step: 1,
                },
                args.quiet,
            );
            let result = engine::run(
                &scenario,
                &options,
                &mut |done| bar.set_position(done),
                Some(crate::interrupt::flag()),
            )
            .map_err(|e| common::engine_error(e, &out))?;
            bar.finish_and_clear();
            (result, None)
        }
        Some((targets, cap)) => {
            let (result, reached) =
                run_to_precision(&scenario, &options, targets, *cap, args.quiet)
                    .map_err(|e| common::engine_error(e, &out))?;
            (result, Some(reached))
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

    let key = RunKey {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: args.scenario.display().to_string(),
        scenario_sha256: report::sha256_hex(&bytes),
        overrides: overrides.iter().map(ToString::to_string).collect(),
        seed,
        trials,
    };
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
            out.write(
                "manifest.json",
                &report::format::pretty_json(&manifest.with_part(Part::Shard { shard })),
            )?;
        }
        None => {
            let charts = (!args.no_charts).then_some(&args.charts);
            write_outputs(
                &out,
                &info,
                &result.summary,
                &report::format::pretty_json(&manifest),
                charts,
            )?;
            if args.xlsx {
                out.write("results.xlsx", &report::run_xlsx(&info, &result.summary)?)?;
            }
        }
    }
    let written = out.commit()?;

    if !args.quiet {
        let speed = format!(
            "{:.2} s ({})",
            wall_seconds,
            common::rate_label(options.trials as f64 / wall_seconds.max(1e-9), "trials")
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

/// Runs trials up to each checkpoint in turn ([`precision::checkpoints`]), each slice merged
/// into the ones before (exactly: the result is the run of that many trials), until every
/// target is met or the cap is reached. The progress line shows the targets' half-widths.
fn run_to_precision(
    scenario: &scenario::Scenario,
    options: &RunOptions,
    targets: &[Target],
    cap: u64,
    quiet: bool,
) -> Result<(engine::RunResult, Reached), engine::EngineError> {
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
    let mut whole: Option<engine::RunResult> = None;
    let mut done = 0;
    let mut statuses = Vec::new();
    for checkpoint in precision::checkpoints(cap) {
        let slice = RunOptions {
            trials: checkpoint - done,
            first_trial: options.first_trial + done,
            ..options.clone()
        };
        let before = done;
        let part = engine::run(
            scenario,
            &slice,
            &mut |d| bar.set_position(before + d),
            Some(crate::interrupt::flag()),
        )?;
        whole = Some(match whole {
            None => part,
            Some(mut w) => {
                w.summary.merge(&part.summary);
                w.trials.extend(part.trials);
                w.threads = w.threads.max(part.threads);
                w
            }
        });
        done = checkpoint;
        let Some(w) = &whole else { break };
        statuses = targets.iter().map(|t| t.status(&w.summary)).collect();
        bar.set_message(precision::status_line(&statuses));
        if statuses.iter().all(|s| s.met) {
            break;
        }
    }
    bar.finish_and_clear();
    let met = statuses.iter().all(|s| s.met);
    let Some(whole) = whole else {
        // checkpoints() always yields the cap, which is at least 1.
        return Err(engine::EngineError::Interrupted);
    };
    let reached = Reached {
        trials: done,
        max_trials: cap,
        met,
        targets: statuses,
    };
    Ok((whole, reached))
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
    out.write("summary.csv", &report::summary_csv(summary))?;
    out.write("rounds.csv", &report::rounds_csv(summary))?;
    out.write("manifest.json", manifest_json)?;
    out.write_with("results.json", |w| {
        report::write_results_json(w, info, summary)
    })?;
    if let Some(chart_args) = charts {
        for (name, bytes) in super::report::render(info, summary, manifest_json, chart_args)? {
            out.write(&name, &bytes)?;
        }
    }
    Ok(())
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
