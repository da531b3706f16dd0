//! `allocsim importance`: variance-based importance of the scenario's groups of random inputs
//! for a metric, per firm and in total; writes importance.csv, importance.png, report.html and
//! manifest.json.

use std::path::PathBuf;
use std::time::Instant;

use allocsim::analysis::importance::{self, ImportanceError, ImportanceOptions};
use allocsim::report::{self, Kind, RunInfo};
use allocsim::scenario;

use super::{BadInput, common, say};
use crate::cli::ImportanceArgs;

pub fn importance(args: ImportanceArgs) -> anyhow::Result<()> {
    let overrides = common::overrides(&args.overrides)?;
    let bytes = scenario::read_file(&args.scenario)?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let trials = common::trials(args.trials, scenario.trials)?;
    if trials < 2 {
        return Err(BadInput(format!(
            "--trials: importance needs at least 2 base trials, got {trials}"
        ))
        .into());
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let factors = importance::factors(&scenario, args.groups.as_deref(), args.by_firm)?;
    let info = RunInfo::new(&scenario, trials, seed).with_overrides(&overrides);
    let destination = args.out.clone().unwrap_or_else(|| {
        let name = report::overrides::folder_name(&scenario.name, &info.overrides);
        PathBuf::from("output").join(format!("{name}-importance"))
    });
    // Before simulating: a folder that cannot or must not be written must not cost a long run.
    let inputs = [args.scenario.clone()];
    let out = report::OutputDir::prepare(
        &destination,
        &common::output_options(Kind::Importance, args.force, &inputs),
    )?;

    let per_base = factors.len() as u64 + 2;
    let options = ImportanceOptions {
        trials,
        seed,
        threads: args.threads,
        metric: args.metric,
        factors,
        ..ImportanceOptions::default()
    };
    let bar = common::progress_bar(
        trials,
        trials.saturating_mul(per_base),
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} base trials ({rate}, {eta} left)",
        common::Rate {
            unit: "trials",
            per_step: per_base,
        },
        args.quiet,
    );
    let started = Instant::now();
    let result = importance::run(
        &scenario,
        &options,
        &mut |done| bar.set_position(done),
        Some(crate::interrupt::flag()),
    )
    .map_err(|e| match e {
        ImportanceError::Engine(e) => common::engine_error(e, &out),
        other => other.into(),
    })?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let manifest = report::save::importance_manifest(
        &args.scenario,
        &bytes,
        &scenario,
        &overrides,
        trials,
        seed,
        &result,
        wall_seconds,
        common::command_line(),
    );
    let manifest_json = report::format::pretty_json(&manifest);
    let charts = (!args.no_charts).then(|| super::report::chart_options(&args.charts));
    report::save::write_importance(&out, &info, &result, &manifest_json, charts.as_ref())
        .map_err(common::save_error)?;
    let written = out.commit()?;

    if !args.quiet {
        say!(
            "{}: importance of the random inputs for {} — {} base trials × ({} groups + 2) = {} trials, seed {seed}, \
             {:.2} s ({})\n\n{}\nResults in {}/\n",
            info.title(),
            result.metric.spec().label.to_lowercase(),
            report::format::group_digits(trials),
            result.factors.len(),
            report::format::group_digits(result.model_trials()),
            wall_seconds,
            common::rate_label(
                result.model_trials() as f64 / wall_seconds.max(1e-9),
                "trials"
            ),
            report::importance_table(&result),
            written.display()
        )?;
    }
    Ok(())
}
