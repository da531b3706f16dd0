//! `allocsim run`: simulate a scenario (or one shard of it) and write its results; also the
//! writing of a finished run's outputs, which `merge` shares.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allocsim::engine::ShardInfo;
use allocsim::engine::{self, RunOptions};
use allocsim::report::partial::{self, RunKey};
use allocsim::report::{self, Kind, Manifest, OutputDir, Part, RunInfo};
use allocsim::scenario;
use allocsim::stats::Summary;

use super::{common, say};
use crate::cli::{ChartArgs, RunArgs};

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let overrides = super::common::overrides(&args.overrides)?;
    let bytes = scenario::read_file(&args.scenario)?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let trials = common::trials(args.trials, scenario.trials)?;
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
    let started = Instant::now();
    let result = engine::run(
        &scenario,
        &options,
        &mut |done| bar.set_position(done),
        Some(crate::interrupt::flag()),
    )
    .map_err(|e| common::engine_error(e, &out))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

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
    }
    Ok(())
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
