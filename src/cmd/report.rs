//! `allocsim report`: redraw a finished run's charts and report.html from its saved results.

use allocsim::report::{self, OutputDir, RunInfo, charts};
use allocsim::stats::Summary;

use anyhow::Context;

use super::{BadInput, say};
use crate::cli::{ChartArgs, ReportArgs};

/// The charts and report.html of a run, as (file name, bytes).
pub fn render(
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &[u8],
    args: &ChartArgs,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let options = charts::ChartOptions {
        width: args.chart_size.width,
        height: args.chart_size.height,
    };
    let pngs = charts::render_all(info, summary, &options)?;
    let names: Vec<&str> = pngs.iter().map(|(n, _)| *n).collect();
    let html = report::report_html(
        info,
        summary,
        &String::from_utf8_lossy(manifest_json),
        &names,
    );
    let mut files: Vec<(String, Vec<u8>)> = pngs
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    files.push(("report.html".to_string(), html.into_bytes()));
    Ok(files)
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let read = |name: &str| {
        let path = args.dir.join(name);
        std::fs::read(&path).map_err(|e| {
            BadInput(format!(
                "cannot read '{}': {e} (is '{}' the output folder of a run?)",
                path.display(),
                args.dir.display()
            ))
        })
    };
    let results = read("results.json")?;
    let manifest = read("manifest.json")?;
    let (info, summary) = report::read_results(&results)
        .with_context(|| args.dir.join("results.json").display().to_string())?;
    let mut files = render(&info, &summary, &manifest, &args.charts)?;
    if args.xlsx {
        files.push((
            "results.xlsx".to_string(),
            report::run_xlsx(&info, &summary)?,
        ));
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
