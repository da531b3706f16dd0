//! `allocsim report`: redraw a finished run's or comparison's charts and report.html from its
//! saved results (results.json, comparison.json), the same bytes as the command that wrote them.

use std::path::Path;

use allocsim::compare::Comparison;
use allocsim::report::{self, OutputDir, RunInfo, charts};
use allocsim::stats::Summary;

use anyhow::Context;

use super::{BadInput, say};
use crate::cli::{ChartArgs, ReportArgs};

/// The chart options `--chart-size` asks for.
pub fn chart_options(args: &ChartArgs) -> charts::ChartOptions {
    charts::ChartOptions {
        width: args.chart_size.width,
        height: args.chart_size.height,
    }
}

/// What a folder's saved results are: a run's or a comparison's.
enum Saved {
    Run(Box<(RunInfo, Summary)>),
    Comparison(Box<Comparison>),
}

/// Reads the saved results of the output folder `dir`: comparison.json if it has one, else
/// results.json.
fn read_saved(dir: &Path) -> anyhow::Result<Saved> {
    let read = |name: &str| std::fs::read(dir.join(name));
    let unreadable = |name: &str, e: std::io::Error| {
        BadInput(format!(
            "cannot read '{}': {e} (is '{}' the output folder of a run, sweep, compare or \
             sensitivity?)",
            dir.join(name).display(),
            dir.display()
        ))
    };
    let context = |name: &str| dir.join(name).display().to_string();
    match read("comparison.json") {
        Ok(bytes) => {
            let c = report::read_comparison(&bytes).with_context(|| context("comparison.json"))?;
            return Ok(Saved::Comparison(Box::new(c)));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(unreadable("comparison.json", e).into());
        }
        Err(_) => {}
    }
    match read("results.json") {
        Ok(bytes) => {
            let (info, summary) =
                report::read_results(&bytes).with_context(|| context("results.json"))?;
            Ok(Saved::Run(Box::new((info, summary))))
        }
        Err(e) => {
            // A comparison written before comparison.json was saved names its command.
            let command = read("manifest.json")
                .ok()
                .and_then(|m| serde_json::from_slice::<serde_json::Value>(&m).ok())
                .and_then(|m| m.get("command")?.as_str().map(str::to_string));
            Err(match command {
                Some(command) if e.kind() == std::io::ErrorKind::NotFound => BadInput(format!(
                    "'{}' holds a {command} without its comparison.json, which `allocsim \
                     report` redraws from (allocsim did not save it before issue 13): run the \
                     {command} again",
                    dir.display()
                )),
                _ => unreadable("results.json", e),
            }
            .into())
        }
    }
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let saved = read_saved(&args.dir)?;
    let manifest = std::fs::read(args.dir.join("manifest.json")).map_err(|e| {
        BadInput(format!(
            "cannot read '{}': {e}",
            args.dir.join("manifest.json").display()
        ))
    })?;
    let mut files = match &saved {
        Saved::Run(run) => {
            report::save::run_report_files(&run.0, &run.1, &manifest, &chart_options(&args.charts))?
        }
        Saved::Comparison(c) => {
            report::save::comparison_report_files(c, &manifest, &chart_options(&args.charts))?
        }
    };
    if args.xlsx {
        let workbook = match &saved {
            Saved::Run(run) => report::run_xlsx(&run.0, &run.1)?,
            Saved::Comparison(c) => report::comparison_xlsx(c)?,
        };
        files.push(("results.xlsx".to_string(), workbook));
    }
    // The folder is replaced whole, as by a run: its other files carried over, the charts and
    // report.html new, so a reader never sees half the charts redrawn.
    let out = OutputDir::reopen(&args.dir, Some(crate::interrupt::flag()))?;
    for (name, bytes) in &files {
        out.write(name, bytes)?;
    }
    let written = out.commit()?;
    say!("Redrew {} files in {}/\n", files.len(), written.display())?;
    Ok(())
}
