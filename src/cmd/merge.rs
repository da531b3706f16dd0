//! `allocsim merge`: combine the partial.json files of a sharded run into the outputs of one run.

use std::path::PathBuf;
use std::time::Instant;

use allocsim::report::partial::{self, Partial};
use allocsim::report::{self, Kind, Manifest, MergedShard, OutputDir, Part};

use anyhow::Context;

use super::BadInput;
use super::run::{print_results, write_outputs};
use crate::cli::MergeArgs;

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut parts: Vec<(String, Partial)> = Vec::with_capacity(args.partials.len());
    for given in &args.partials {
        let path = partial_path(given);
        let label = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| {
            BadInput(format!(
                "cannot read '{label}': {e} (is '{}' the output folder of `allocsim run --shard`?)",
                given.display()
            ))
        })?;
        let part = partial::read_partial(&bytes).with_context(|| label.clone())?;
        parts.push((label, part));
    }
    let merged = partial::merge_partials(parts)?;

    let destination = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(report::overrides::folder_name(
            &merged.info.name,
            &merged.info.overrides,
        ))
    });
    // The partials are inputs: an --out that holds one of them (a shard's own folder, or the
    // folder of all shards) is refused rather than replaced.
    let inputs: Vec<PathBuf> = args.partials.iter().map(|p| partial_path(p)).collect();
    let out = OutputDir::prepare(
        &destination,
        &super::common::output_options(Kind::Run, args.force, &inputs),
    )?;
    let run = &merged.run;
    let manifest = Manifest::of_run(
        run,
        &merged.info.name,
        // The merge's own: it reads and adds, on one thread.
        1,
        started.elapsed().as_secs_f64(),
        super::common::command_line(),
    );
    let manifest_json = report::format::pretty_json(
        &manifest.with_part(Part::Merge {
            merged_shards: merged
                .shards
                .iter()
                .map(|(file, shard, checksum)| MergedShard {
                    partial: file.clone(),
                    shard: *shard,
                    checksum: checksum.clone(),
                })
                .collect(),
        }),
    );
    let charts = (!args.no_charts).then_some(&args.charts);
    write_outputs(&out, &merged.info, &merged.summary, &manifest_json, charts)?;
    if args.xlsx {
        let workbook = report::run_xlsx(&merged.info, &merged.summary)?;
        out.write("results.xlsx", &workbook)?;
    }
    let written = out.commit()?;

    if !args.quiet {
        print_results(
            &format!(
                "{} — {} trials merged from {} shards, seed {}, rule {}",
                merged.info.title(),
                run.trials,
                merged.shards.len(),
                run.seed,
                merged.info.rule
            ),
            &merged.summary,
            &written,
        )?;
    }
    Ok(())
}

/// A shard's output folder names its partial.json; a file is taken as the partial itself.
fn partial_path(given: &std::path::Path) -> PathBuf {
    if given.is_file() {
        given.to_path_buf()
    } else {
        given.join("partial.json")
    }
}
