//! `allocsim report`: redraw a finished run's charts and report.html from its saved results.

use std::path::Path;

use allocsim::report::{self, RunInfo, charts};
use allocsim::stats::Summary;

use super::BadInput;
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
        .map_err(|e| BadInput(format!("{}: {e}", args.dir.join("results.json").display())))?;
    let files = render(&info, &summary, &manifest, &args.charts)?;
    for (name, bytes) in &files {
        write_in_place(&args.dir.join(name), bytes)?;
    }
    println!("Redrew {} files in {}/", files.len(), args.dir.display());
    Ok(())
}

/// Writes a file under a hidden temporary name beside it (`.NAME.tmp`: no two outputs share
/// one), then renames it into place; a failed write leaves the old file and no temporary.
fn write_in_place(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, bytes)
        .and_then(|_| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            BadInput(format!("cannot write '{}': {e}", path.display())).into()
        })
}
