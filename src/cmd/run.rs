//! `allocsim run`: simulate a scenario and write its results.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use allocsim::engine::{self, RunOptions};
use allocsim::report::{self, Manifest, OutputDir, RunInfo};
use allocsim::scenario::{self, MAX_TRIALS};

use super::BadInput;
use crate::cli::RunArgs;

/// Runs shorter than this many trials finish too fast for a progress bar to help.
const PROGRESS_MIN_TRIALS: u64 = 200_000;

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let overrides = super::overrides(&args.overrides)?;
    let bytes = std::fs::read(&args.scenario).map_err(|e| {
        BadInput(format!(
            "{}: cannot read the scenario: {e}",
            args.scenario.display()
        ))
    })?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let trials = args.trials.unwrap_or(scenario.trials);
    if !(1..=MAX_TRIALS).contains(&trials) {
        return Err(BadInput(format!(
            "--trials must be within [1, {MAX_TRIALS}], got {trials}"
        ))
        .into());
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let destination = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    // Before simulating: a folder that cannot be written must not cost a long run.
    let out = OutputDir::prepare(&destination)?;

    let options = RunOptions {
        trials,
        seed,
        threads: args.threads,
        keep_trials: args.trials_csv,
        ..RunOptions::default()
    };
    let bar = progress_bar(trials, args.quiet);
    let started = Instant::now();
    let result = engine::run(
        &scenario,
        &options,
        &mut |done| bar.set_position(done),
        None,
    )?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let manifest = Manifest {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: args.scenario.display().to_string(),
        scenario_sha256: report::sha256_hex(&bytes),
        name: scenario.name.clone(),
        seed,
        trials,
        threads: result.threads,
        wall_seconds,
        overrides: overrides.iter().map(ToString::to_string).collect(),
        command_line: std::env::args().collect(),
    };
    out.write("summary.csv", &report::summary_csv(&result.summary))?;
    out.write("rounds.csv", &report::rounds_csv(&result.summary))?;
    if args.trials_csv {
        out.write(
            "trials.csv",
            &report::trials_csv(
                &result.summary,
                scenario.domestic.equivalence,
                0,
                &result.trials,
            ),
        )?;
    }
    let manifest_json = manifest.to_json();
    out.write("manifest.json", &manifest_json)?;
    let info = RunInfo::new(&scenario, trials, seed);
    out.write(
        "results.json",
        &report::results_json(&info, &result.summary),
    )?;
    if !args.no_charts {
        for (name, bytes) in
            super::report::render(&info, &result.summary, &manifest_json, &args.charts)?
        {
            out.write(&name, &bytes)?;
        }
    }
    let written = out.commit()?;

    if !args.quiet {
        println!(
            "{} — {} trials, seed {}, rule {}, {:.2} s ({:.0} trials/s)\n",
            scenario.name,
            trials,
            seed,
            scenario.rule.name(),
            wall_seconds,
            trials as f64 / wall_seconds.max(1e-9)
        );
        print!("{}", report::console_table(&result.summary));
        println!("\nResults in {}/", written.display());
    }
    Ok(())
}

fn progress_bar(trials: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || trials < PROGRESS_MIN_TRIALS || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(trials);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}
