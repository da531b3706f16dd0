//! `allocsim tail`: find the worst trials by unmet demand and what marks them; write tail.csv,
//! tail.png, report.html and manifest.json.

use std::path::PathBuf;
use std::time::Instant;

use allocsim::analysis::tail::{self, MAX_TAIL_TRIALS, SIGNIFICANT, Share, TailError, Target};
use allocsim::report::partial::RunKey;
use allocsim::report::{self, Kind, OutputDir, RunInfo};
use allocsim::scenario::{self, Scenario};

use super::{BadInput, common, say};
use crate::cli::TailArgs;

pub fn tail(args: TailArgs) -> anyhow::Result<()> {
    let overrides = common::overrides(&args.overrides)?;
    let bytes = scenario::read_file(&args.scenario)?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let trials = common::trials(args.trials, scenario.trials)?;
    if trials > MAX_TAIL_TRIALS {
        let from = if args.trials.is_some() {
            "--trials"
        } else {
            "the scenario's `trials`"
        };
        return Err(BadInput(format!(
            "a tail analysis keeps 8 bytes a trial, so it runs at most {MAX_TAIL_TRIALS} \
             trials; {from} asks for {trials} (ask for fewer with --trials)"
        ))
        .into());
    }
    let worst = Share::parse_percent(&args.worst).map_err(|e| BadInput(e.to_string()))?;
    let target = target(&scenario, args.firm.as_deref())?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let info = RunInfo::new(&scenario, trials, seed).with_overrides(&overrides);
    let destination = args.out.clone().unwrap_or_else(|| {
        let name = report::overrides::folder_name(&scenario.name, &info.overrides);
        PathBuf::from("output").join(format!("{name}-tail"))
    });
    // Before simulating: a folder that cannot or must not be written must not cost a long run.
    let inputs = [args.scenario.clone()];
    let out = OutputDir::prepare(
        &destination,
        &common::output_options(Kind::Tail, args.force, &inputs),
    )?;

    let options = tail::TailOptions {
        trials,
        seed,
        threads: args.threads,
        target,
        worst,
        ..tail::TailOptions::default()
    };
    let steps = trials + worst.of(trials);
    let bar = common::progress_bar(
        steps,
        steps,
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials, all then the tail's ({rate}, {eta} left)",
        common::Rate {
            unit: "trials",
            per_step: 1,
        },
        args.quiet,
    );
    let started = Instant::now();
    let result = tail::run(
        &scenario,
        &options,
        &mut |done| bar.set_position(done),
        Some(crate::interrupt::flag()),
    )
    .map_err(|e| match e {
        TailError::Engine(e) => common::engine_error(e, &out),
        other => BadInput(other.to_string()).into(),
    })?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let what = report::save::tail_what(&scenario, target);
    let key = RunKey::new(&args.scenario, &bytes, &overrides, seed, trials);
    let manifest = report::save::tail_manifest(
        &key,
        &scenario,
        target,
        worst,
        &result,
        wall_seconds,
        common::command_line(),
    );
    let manifest_json = report::format::pretty_json(&manifest);
    let trace_command = trace_command(&args, &info.overrides);
    let charts = (!args.no_charts).then(|| super::report::chart_options(&args.charts));
    let folder = report::save::TailFolder {
        scenario: &scenario,
        info: &info,
        result: &result,
        target,
        worst,
        trace_command: &trace_command,
        manifest_json: &manifest_json,
    };
    report::save::write_tail(&out, &folder, charts.as_ref()).map_err(common::save_error)?;
    let written = out.commit()?;

    if !args.quiet {
        say!(
            "{}",
            summary(
                &scenario,
                &result,
                &info.title(),
                &worst.label(),
                &what,
                wall_seconds,
                &trace_command,
            )
        )?;
        say!("Results in {}/\n", written.display())?;
    }
    Ok(())
}

/// The target named by `--firm`: a firm of the scenario, or `total` (the default).
fn target(s: &Scenario, firm: Option<&str>) -> anyhow::Result<Target> {
    match firm {
        None | Some("total") => Ok(Target::Total),
        Some(name) => match s.firms.iter().position(|f| f.name == name) {
            Some(i) => Ok(Target::Firm(i)),
            None => {
                let names: Vec<&str> = s.firms.iter().map(|f| f.name.as_str()).collect();
                Err(BadInput(format!(
                    "--firm: the scenario has no firm '{name}'; its firms are {} (or 'total', \
                     the default)",
                    names.join(", ")
                ))
                .into())
            }
        },
    }
}

/// The `allocsim trace` arguments before `--trial T` that replay this analysis' trials.
fn trace_command(args: &TailArgs, overrides: &[(String, String)]) -> String {
    report::save::trace_command(&args.scenario.display().to_string(), args.seed, overrides)
}

/// What stdout says: the tail, the inputs of largest |d|, and the worst trials by number.
fn summary(
    s: &Scenario,
    r: &tail::TailResult,
    title: &str,
    worst: &str,
    what: &str,
    seconds: f64,
    trace_command: &str,
) -> String {
    use allocsim::report::format::{group_digits, number};
    let mut text = format!(
        "{title} — the worst {worst} of {} trials by {what} (seed {seed}, {seconds:.2} s): {} \
         trials with {} units or more; {} units on average in them, {} over all trials.\n\n",
        group_digits(r.trials),
        group_digits(r.tail_trials),
        group_digits(r.threshold),
        group_digits(r.unmet_tail.mean().round() as u64),
        group_digits(r.unmet_overall.mean().round() as u64),
        seed = r.seed,
    );
    let mut ranked: Vec<_> = r
        .rows
        .iter()
        .filter_map(|row| row.d().map(|d| (row, d)))
        .collect();
    ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let mut rows = vec![vec![
        "input".to_string(),
        "tail median".to_string(),
        "overall median".to_string(),
        "d".to_string(),
        String::new(),
    ]];
    for (row, d) in ranked.iter().take(10) {
        let spec = row.input.kind.spec();
        let value = |v: f64| match spec.quantity {
            allocsim::stats::Quantity::Units => group_digits((v * spec.scale).round() as u64),
            _ => number(v * spec.scale, 3),
        };
        rows.push(vec![
            row.input.label(s),
            value(row.tail.quantile(0.5)),
            value(row.overall.quantile(0.5)),
            format!("{d:+.2}"),
            if d.abs() >= SIGNIFICANT { "*" } else { "" }.to_string(),
        ]);
    }
    if ranked.is_empty() {
        text.push_str("No input varies over the trials.\n");
    } else {
        text.push_str(&report::aligned(&rows, |c| c == 0 || c == 4));
        let more = ranked.len().saturating_sub(10);
        let more = if more > 0 {
            format!(" {more} more inputs in tail.csv.")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "d = (tail median − overall median) / overall sd; * significant (|d| ≥ 0.5).{more}\n"
        ));
    }
    let worst_trials: Vec<String> = r
        .worst
        .iter()
        .map(|(t, u)| format!("{t} ({})", group_digits(*u)))
        .collect();
    text.push_str(&format!(
        "\nWorst trials (unmet): {}.\nTell one round by round: allocsim trace {trace_command} \
         --trial {}\n",
        worst_trials.join(", "),
        r.worst.first().map_or(0, |w| w.0)
    ));
    text
}
