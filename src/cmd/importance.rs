//! `allocsim importance`: variance-based importance of the scenario's groups of random inputs
//! for a metric, per firm and in total; writes importance.csv, importance.png, report.html and
//! manifest.json.

use std::path::PathBuf;
use std::time::Instant;

use allocsim::analysis::importance::{self, B_SEED_MIX, ImportanceError, ImportanceOptions};
use allocsim::report::{self, Input, Kind, Manifest, RunInfo, Trials, charts};
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

    let manifest = Manifest {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        input: Input::Scenario {
            scenario_path: args.scenario.display().to_string(),
            scenario_sha256: report::sha256_hex(&bytes),
        },
        name: scenario.name.clone(),
        seed,
        trials: Trials::Importance {
            base_trials: trials,
            b_seed: seed ^ B_SEED_MIX,
            groups: result.factor_names.clone(),
            metric: result.metric.name().to_string(),
            trials_run: result.model_trials(),
        },
        threads: result.threads,
        wall_seconds,
        overrides: overrides.iter().map(ToString::to_string).collect(),
        command_line: common::command_line(),
        part: None,
    };
    let manifest_json = report::format::pretty_json(&manifest);
    out.write("importance.csv", &report::importance_csv(&result))?;
    out.write("manifest.json", &manifest_json)?;
    if !args.no_charts {
        let options = charts::ChartOptions {
            width: args.charts.chart_size.width,
            height: args.charts.chart_size.height,
        };
        let pngs = charts::importance::render_importance(&info, &result, &options)?;
        for (name, png) in &pngs {
            out.write(name, png)?;
        }
        let embedded: Vec<(&str, &[u8])> = pngs.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let html = report::importance_html(
            &info,
            &result,
            &String::from_utf8_lossy(&manifest_json),
            &embedded,
        );
        out.write("report.html", html.as_bytes())?;
    }
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
