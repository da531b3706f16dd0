//! Glue shared by `sweep`, `compare` and `sensitivity`: run a validated plan's points on common
//! random numbers and write comparison.csv, differences.csv, comparison.json, charts,
//! report.html and manifest.json.

use std::path::{Path, PathBuf};
use std::time::Instant;

use allocsim::compare::{self, Comparison, Kind, Plan, PlanError, PointsOptions};
use allocsim::report::save::Workbook;
use allocsim::report::{self, Kind as OutputKind, OutputDir};
use allocsim::scenario::{self, Override};

use super::{common, say};
use crate::cli::PointsArgs;

/// A scenario file as read: its path and bytes.
pub(super) struct Source {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Reads a scenario file, or says why it cannot, by the one reader `run` and `validate` use:
/// it refuses a folder, and a file or stream past the size limit before holding it whole.
pub(super) fn read(path: &Path) -> anyhow::Result<Source> {
    let bytes = scenario::read_file(path)?;
    Ok(Source {
        path: path.to_path_buf(),
        bytes,
    })
}

/// A plan error as the binary reports it: scenario errors keep their type (and exit status 2),
/// the rest are bad input.
pub(super) fn plan_error(e: PlanError) -> anyhow::Error {
    match e {
        PlanError::Scenario { .. } => e.into(),
        other => other.into(),
    }
}

/// Runs `plan` and writes its outputs; `sources` are the scenario files it was made from and
/// `fixed` the overrides applied to every point.
/// Whether the user chose a comparison's reference, for what stdout says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reference {
    /// Point 1 as listed: the first file, the first value of every knob, the scenario as
    /// written.
    First,
    /// Named by --reference.
    Chosen,
}

/// `text` followed by a blank line, or nothing when it is empty.
fn with_blank_line(text: String) -> String {
    if text.is_empty() { text } else { text + "\n" }
}

pub(super) fn execute(
    plan: Plan,
    sources: &[Source],
    fixed: &[Override],
    reference: Reference,
    args: &PointsArgs,
) -> anyhow::Result<()> {
    let first = &plan.points[0].scenario;
    let trials = common::trials(args.trials, first.trials)?;
    let seed = args.seed.unwrap_or(first.seed);
    let destination = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(format!("{}-{}", plan.name, plan.kind.name()))
    });
    // Before the folder and any simulation: a plan that would not fit in memory is refused.
    compare::check_memory(&plan, trials, args.threads).map_err(plan_error)?;
    if args.xlsx {
        report::check_comparison_xlsx(&plan).map_err(|e| super::BadInput(e.to_string()))?;
    }
    // Before simulating: a folder that cannot or must not be written must not cost a long run.
    let output_kind = match plan.kind {
        Kind::Sweep => OutputKind::Sweep,
        Kind::Compare => OutputKind::Compare,
        Kind::Sensitivity => OutputKind::Sensitivity,
    };
    let inputs: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
    let out = OutputDir::prepare(
        &destination,
        &super::common::output_options(output_kind, args.force, &inputs),
    )?;

    let scenarios: Vec<_> = plan.points.iter().map(|p| &p.scenario).collect();
    let options = PointsOptions {
        trials,
        seed,
        threads: args.threads,
        ..PointsOptions::default()
    };
    let bar = common::progress_bar(
        trials,
        trials.saturating_mul(scenarios.len() as u64),
        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} trials of every point ({rate}, {eta} left)",
        common::Rate {
            unit: "trial-points",
            per_step: scenarios.len() as u64,
        },
        args.quiet,
    );
    let started = Instant::now();
    let result = compare::run_points(
        &scenarios,
        &options,
        &mut |done| bar.set_position(done),
        Some(crate::interrupt::flag()),
    )
    .map_err(|e| common::engine_error(e, &out))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let threads = result.threads;
    let comparison = Comparison::new(&plan, trials, seed, result);

    let files: Vec<(&Path, &[u8])> = sources
        .iter()
        .map(|s| (s.path.as_path(), s.bytes.as_slice()))
        .collect();
    let manifest = report::save::points_manifest(
        &plan,
        &files,
        fixed,
        trials,
        seed,
        threads,
        wall_seconds,
        super::common::command_line(),
    );
    let manifest_json = report::format::pretty_json(&manifest);
    let charts = (!args.no_charts).then(|| super::report::chart_options(&args.charts));
    let workbook = if args.xlsx {
        Workbook::With
    } else {
        Workbook::Without
    };
    report::save::write_comparison(&out, &comparison, &manifest_json, charts.as_ref(), workbook)
        .map_err(common::save_error)?;
    let written = out.commit()?;

    if !args.quiet {
        let runs = trials as f64 * scenarios.len() as f64;
        let with = report::overrides::with_phrase(&comparison.fixed);
        let with = match (plan.kind, with.is_empty()) {
            (_, true) => String::new(),
            (Kind::Compare, false) => format!(", every scenario {with}"),
            (_, false) => format!(", {with}"),
        };
        let reference = match (plan.kind, reference) {
            (Kind::Compare, Reference::First) => format!(
                "Point 1, {}, the first file, is the reference (choose another with --reference \
                 NAME).\n",
                plan.name
            ),
            (Kind::Compare, Reference::Chosen) => {
                format!("Point 1, {}, is the reference (--reference).\n", plan.name)
            }
            _ => String::new(),
        };
        say!(
            "{} {}{with} — {} points × {trials} trials, seed {seed}, {:.2} s ({})\n{reference}\n{}\n\
             Δ: mean over trials of (point − point 1) in total unmet demand, paired on the same \
             trials; worse in: share of trials with more unmet.\n\n{}Results in {}/\n",
            plan.name,
            plan.kind.name(),
            scenarios.len(),
            wall_seconds,
            common::rate_label(runs / wall_seconds.max(1e-9), "trial-points"),
            report::comparison_table(&comparison),
            with_blank_line(report::gains_and_losses(&comparison)),
            written.display()
        )?;
    }
    Ok(())
}
