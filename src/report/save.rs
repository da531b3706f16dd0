//! What each command writes into its output folder once its results are in: a run's, a
//! comparison's, an importance analysis' and a tail analysis' files, and their manifests. The
//! binary's commands and the Python package call the same functions, so a folder saved from a
//! notebook holds the same files, byte for byte, as the command's (aside the manifest's wall
//! time and command line, and the report's copy of the manifest).

use std::path::Path;

use crate::analysis::importance::{B_SEED_MIX, Importance};
use crate::analysis::tail::{Share, TailResult, Target};
use crate::compare::{Comparison, Kind as PointsKind, Plan};
use crate::scenario::{Override, Scenario};
use crate::stats::Summary;

use super::charts::{self, ChartError, ChartOptions};
use super::partial::RunKey;
use super::{
    Input, Manifest, OutputDir, OutputError, Part, PointEntry, RunInfo, ScenarioFile, TailInfo,
    TailPage, Trials, WorkbookError,
};

/// Why an output folder's files could not all be written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Writing a file failed, or the writing was interrupted.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// results.xlsx could not be built.
    #[error(transparent)]
    Workbook(#[from] WorkbookError),
}

/// The charts and report.html of a run, as (file name, bytes), in the order they are written.
pub fn run_report_files(
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &[u8],
    options: &ChartOptions,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let pngs = charts::render_all(info, summary, options)?;
    let embedded: Vec<(&str, &[u8])> = pngs.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let html = super::report_html(
        info,
        summary,
        &String::from_utf8_lossy(manifest_json),
        &embedded,
    );
    let mut files: Vec<(String, Vec<u8>)> =
        pngs.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    files.push(("report.html".to_string(), html.into_bytes()));
    Ok(files)
}

/// The charts and report.html of a comparison, as (file name, bytes).
pub fn comparison_report_files(
    c: &Comparison,
    manifest_json: &[u8],
    options: &ChartOptions,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let mut files = charts::compare::render_comparison(c, options)?;
    let html = super::comparison_html(c, &String::from_utf8_lossy(manifest_json), &files);
    files.push(("report.html".to_string(), html.into_bytes()));
    Ok(files)
}

/// Writes what a finished run (simulated whole, or merged from shards) puts in its folder:
/// summary.csv, rounds.csv, manifest.json, results.json and, with `charts`, the charts and
/// report.html.
pub fn write_run(
    out: &OutputDir,
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &[u8],
    charts: Option<&ChartOptions>,
) -> Result<(), SaveError> {
    out.write("summary.csv", &super::summary_csv(summary))?;
    out.write("rounds.csv", &super::rounds_csv(summary))?;
    out.write("manifest.json", manifest_json)?;
    out.write_with("results.json", |w| {
        super::write_results_json(w, info, summary)
    })?;
    if let Some(options) = charts {
        for (name, bytes) in run_report_files(info, summary, manifest_json, options)? {
            out.write(&name, &bytes)?;
        }
    }
    Ok(())
}

/// The manifest of a sweep, compare or sensitivity: `sources` are the scenario files the plan
/// was made from (path and bytes) and `fixed` the overrides applied to every point.
#[allow(clippy::too_many_arguments)]
pub fn points_manifest(
    plan: &Plan,
    sources: &[(&Path, &[u8])],
    fixed: &[Override],
    trials: u64,
    seed: u64,
    threads: usize,
    wall_seconds: f64,
    command_line: Vec<String>,
) -> Manifest {
    Manifest {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        input: Input::Points {
            command: plan.kind.name().to_string(),
            scenarios: sources
                .iter()
                .map(|(path, bytes)| ScenarioFile {
                    path: path.display().to_string(),
                    sha256: super::sha256_hex(bytes),
                })
                .collect(),
        },
        name: plan.name.clone(),
        seed,
        trials: Trials::Points {
            trials_per_point: trials,
            points: plan
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| PointEntry {
                    point: i + 1,
                    label: p.label.clone(),
                    overrides: p.overrides.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            knobs: plan.knobs.clone(),
        },
        threads,
        wall_seconds,
        overrides: fixed.iter().map(ToString::to_string).collect(),
        command_line,
        part: None,
    }
}

/// Whether a comparison's folder also gets results.xlsx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workbook {
    /// comparison.csv and the rest only.
    Without,
    /// results.xlsx too.
    With,
}

/// Writes a comparison's folder: comparison.csv, differences.csv (sensitivity.csv for a
/// sensitivity), results.xlsx when asked, manifest.json, comparison.json and, with `charts`, the
/// charts and report.html.
pub fn write_comparison(
    out: &OutputDir,
    comparison: &Comparison,
    manifest_json: &[u8],
    charts: Option<&ChartOptions>,
    workbook: Workbook,
) -> Result<(), SaveError> {
    out.write("comparison.csv", &super::comparison_csv(comparison))?;
    out.write("differences.csv", &super::differences_csv(comparison))?;
    if comparison.kind == PointsKind::Sensitivity {
        out.write("sensitivity.csv", &super::sensitivity_csv(comparison))?;
    }
    if workbook == Workbook::With {
        out.write("results.xlsx", &super::comparison_xlsx(comparison)?)?;
    }
    out.write("manifest.json", manifest_json)?;
    // Always, as a run's results.json: `allocsim report` redraws the charts from it.
    out.write_with("comparison.json", |w| {
        super::write_comparison_json(w, comparison)
    })?;
    if let Some(options) = charts {
        for (name, bytes) in comparison_report_files(comparison, manifest_json, options)? {
            out.write(&name, &bytes)?;
        }
    }
    Ok(())
}

/// The manifest of an importance analysis of the scenario file at `path` (whose bytes are
/// `bytes`), with `overrides`, of `trials` base trials under `seed`.
#[allow(clippy::too_many_arguments)]
pub fn importance_manifest(
    path: &Path,
    bytes: &[u8],
    scenario: &Scenario,
    overrides: &[Override],
    trials: u64,
    seed: u64,
    result: &Importance,
    wall_seconds: f64,
    command_line: Vec<String>,
) -> Manifest {
    Manifest {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        input: Input::Scenario {
            scenario_path: path.display().to_string(),
            scenario_sha256: super::sha256_hex(bytes),
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
        command_line,
        part: None,
    }
}

/// Writes an importance analysis' folder: importance.csv, manifest.json and, with `charts`,
/// importance.png and report.html.
pub fn write_importance(
    out: &OutputDir,
    info: &RunInfo,
    result: &Importance,
    manifest_json: &[u8],
    charts: Option<&ChartOptions>,
) -> Result<(), SaveError> {
    out.write("importance.csv", &super::importance_csv(result))?;
    out.write("manifest.json", manifest_json)?;
    if let Some(options) = charts {
        let pngs = charts::importance::render_importance(info, result, options)?;
        for (name, png) in &pngs {
            out.write(name, png)?;
        }
        let embedded: Vec<(&str, &[u8])> = pngs.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        let html = super::importance_html(
            info,
            result,
            &String::from_utf8_lossy(manifest_json),
            &embedded,
        );
        out.write("report.html", html.as_bytes())?;
    }
    Ok(())
}

/// A tail analysis' target as manifest.json names it: "total" or the firm's name.
pub fn tail_target_name(scenario: &Scenario, target: Target) -> String {
    match target {
        Target::Total => "total".to_string(),
        Target::Firm(i) => scenario.firms[i].name.clone(),
    }
}

/// Whose unmet demand marks a tail, as the page and stdout say it: "total unmet demand",
/// "Tencent's unmet demand".
pub fn tail_what(scenario: &Scenario, target: Target) -> String {
    match target {
        Target::Total => "total unmet demand".to_string(),
        Target::Firm(i) => format!("{}'s unmet demand", scenario.firms[i].name),
    }
}

/// The manifest of a tail analysis of the run `key`, the worst `worst` by `target`'s unmet
/// demand.
pub fn tail_manifest(
    key: &RunKey,
    scenario: &Scenario,
    target: Target,
    worst: Share,
    result: &TailResult,
    wall_seconds: f64,
    command_line: Vec<String>,
) -> Manifest {
    Manifest::of_run(
        key,
        &scenario.name,
        result.threads,
        wall_seconds,
        command_line,
    )
    .with_part(Part::Tail {
        tail: TailInfo {
            target: tail_target_name(scenario, target),
            worst: worst.label(),
            tail_trials: result.tail_trials,
            threshold_unmet: result.threshold,
        },
    })
}

/// The `allocsim trace` arguments before `--trial T` that replay a tail analysis' trials: the
/// scenario path, the seed when one was given, and the overrides (quoted for a shell when they
/// need it).
pub fn trace_command(
    scenario_path: &str,
    seed: Option<u64>,
    overrides: &[(String, String)],
) -> String {
    let mut parts = vec![shell_word(scenario_path)];
    if let Some(seed) = seed {
        parts.push(format!("--seed {seed}"));
    }
    for (k, v) in overrides {
        parts.push(format!("--set {}", shell_word(&format!("{k}={v}"))));
    }
    parts.join(" ")
}

/// `text` as a shell word: as it is when it is plain, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '=' | '+'));
    if plain && !text.is_empty() {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// What a tail analysis' folder is written from.
#[derive(Debug, Clone, Copy)]
pub struct TailFolder<'a> {
    /// The scenario analysed (with its overrides applied).
    pub scenario: &'a Scenario,
    /// The run's description.
    pub info: &'a RunInfo,
    /// The analysis.
    pub result: &'a TailResult,
    /// Whose unmet demand marks the tail.
    pub target: Target,
    /// The tail's share.
    pub worst: Share,
    /// [`trace_command`]'s arguments, shown on the page.
    pub trace_command: &'a str,
    /// manifest.json.
    pub manifest_json: &'a [u8],
}

/// Writes a tail analysis' folder: tail.csv, manifest.json and, with `charts`, tail.png and
/// report.html.
pub fn write_tail(
    out: &OutputDir,
    tail: &TailFolder,
    charts: Option<&ChartOptions>,
) -> Result<(), SaveError> {
    out.write("tail.csv", &super::tail_csv(tail.scenario, tail.result))?;
    out.write("manifest.json", tail.manifest_json)?;
    if let Some(options) = charts {
        let what = tail_what(tail.scenario, tail.target);
        let worst = tail.worst.label();
        let chart = charts::tail::tail_chart(
            tail.scenario,
            tail.result,
            &tail.info.title(),
            &worst,
            &what,
        );
        let pngs = charts::render_tail(&chart, options)?;
        let html = super::tail_html(&TailPage {
            scenario: tail.scenario,
            info: tail.info,
            result: tail.result,
            worst: &worst,
            what: &what,
            trace_command: tail.trace_command,
            manifest_json: &String::from_utf8_lossy(tail.manifest_json),
            chart: pngs.first().map(|(_, png)| png.as_slice()),
        });
        for (name, png) in &pngs {
            out.write(name, png)?;
        }
        out.write("report.html", html.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{shell_word, trace_command};

    #[test]
    fn trace_commands_quote_what_a_shell_would_split() {
        assert_eq!(
            shell_word("scenarios/baseline.toml"),
            "scenarios/baseline.toml"
        );
        assert_eq!(shell_word("my file.toml"), "'my file.toml'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        let overrides = [("firm.A B.orders".to_string(), "3".to_string())];
        assert_eq!(
            trace_command("s.toml", Some(7), &overrides),
            "s.toml --seed 7 --set 'firm.A B.orders=3'"
        );
        assert_eq!(trace_command("s.toml", None, &[]), "s.toml");
    }
}
