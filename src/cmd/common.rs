//! What the subcommands share: the trial count's check, the progress bar, the mapping of an
//! interrupted engine to the binary's error, the command line as the manifest records it, and
//! the output folder's options.

use std::io::IsTerminal;
use std::path::PathBuf;

use allocsim::engine::EngineError;
use allocsim::report::{Kind, OutputDir, OutputOptions};
use allocsim::scenario::{MAX_TRIALS, Override};

use super::BadInput;

/// Work this large (trials, times points for a comparison) or larger gets a progress bar on a
/// terminal; anything smaller finishes too fast for one to help.
const PROGRESS_MIN_WORK: u64 = 200_000;

/// The trial count to run: `--trials`, else the scenario's, within [1, MAX_TRIALS].
pub fn trials(requested: Option<u64>, scenario_default: u64) -> anyhow::Result<u64> {
    let trials = requested.unwrap_or(scenario_default);
    if !(1..=MAX_TRIALS).contains(&trials) {
        return Err(BadInput(format!(
            "--trials must be within [1, {MAX_TRIALS}], got {trials}"
        ))
        .into());
    }
    Ok(trials)
}

/// A progress bar over `length` steps, drawn with `template` (indicatif's) on a terminal when
/// the whole `work` is worth one and not `quiet`; hidden otherwise.
pub fn progress_bar(length: u64, work: u64, template: &str, quiet: bool) -> indicatif::ProgressBar {
    if quiet || work < PROGRESS_MIN_WORK || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// The binary's error for an engine error: an interruption says what became of the output
/// folder `out`.
pub fn engine_error(e: EngineError, out: &OutputDir) -> anyhow::Error {
    match e {
        EngineError::Interrupted => out.interrupted().into(),
        other => other.into(),
    }
}

/// Parses `--set` arguments.
pub fn overrides(raw: &[String]) -> anyhow::Result<Vec<Override>> {
    raw.iter()
        .map(|r| Override::parse(r).map_err(anyhow::Error::from))
        .collect()
}

/// The command line as the manifest records it: arguments that are not UTF-8 (a path on
/// Unix may be any bytes) are recorded lossily rather than stopping the run.
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// How a subcommand's output folder is prepared: of `kind`, forced or not, protecting the
/// files it reads, stopped by Ctrl-C.
pub fn output_options(kind: Kind, force: bool, inputs: &[PathBuf]) -> OutputOptions<'_> {
    OutputOptions {
        kind,
        force,
        inputs,
        cancel: Some(crate::interrupt::flag()),
    }
}
