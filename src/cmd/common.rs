//! What the subcommands share: the trial count's check, the progress bar, the mapping of an
//! interrupted engine to the binary's error, the command line as the manifest records it, and
//! the output folder's options.

use std::io::IsTerminal;
use std::path::PathBuf;

use allocsim::engine::EngineError;
use allocsim::report::format::group_digits;
use allocsim::report::save::SaveError;
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

/// What a progress bar's `{rate}` counts: `unit`s per second, each step of the bar being
/// `per_step` of them (a step of a comparison's bar is one trial of every point).
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// What is counted, plural: "trials".
    pub unit: &'static str,
    /// How many of them one step of the bar is.
    pub per_step: u64,
}

/// A progress bar over `length` steps, drawn with `template` (indicatif's, plus `{rate}`: the
/// [`Rate`] as [`rate_label`] writes it) on a terminal when the whole `work` is worth one and not
/// `quiet`; hidden otherwise.
pub fn progress_bar(
    length: u64,
    work: u64,
    template: &str,
    rate: Rate,
    quiet: bool,
) -> indicatif::ProgressBar {
    if quiet || work < PROGRESS_MIN_WORK || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        let style = style.with_key(
            "rate",
            move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let per_sec = state.per_sec() * rate.per_step as f64;
                let _ = w.write_str(&rate_label(per_sec, rate.unit));
            },
        );
        bar.set_style(style);
    }
    bar
}

/// A rate as counts are written: thousands separators and no decimals from 100 up ("860,114
/// trials/s"), three significant digits below ("42.3 trials/s", "0.512 trials/s"), "–" while
/// there is none yet.
pub fn rate_label(per_sec: f64, unit: &str) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        return format!("– {unit}/s");
    }
    let decimals = if per_sec >= 99.95 {
        0
    } else if per_sec >= 9.995 {
        1
    } else if per_sec >= 0.9995 {
        2
    } else {
        3
    };
    if decimals == 0 {
        format!("{} {unit}/s", group_digits(per_sec.round() as u64))
    } else {
        format!("{per_sec:.decimals$} {unit}/s")
    }
}

/// The binary's error for an engine error: an interruption says what became of the output
/// folder `out`.
pub fn engine_error(e: EngineError, out: &OutputDir) -> anyhow::Error {
    match e {
        EngineError::Interrupted => out.interrupted().into(),
        other => other.into(),
    }
}

/// The binary's error for an output folder's files not written: the cause itself, so that its
/// exit status and an interruption's message follow from its type as for any other error.
pub fn save_error(e: SaveError) -> anyhow::Error {
    match e {
        SaveError::Output(e) => e.into(),
        SaveError::Chart(e) => e.into(),
        SaveError::Workbook(e) => e.into(),
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

#[cfg(test)]
mod tests {
    use super::rate_label;

    #[test]
    fn rates_read_like_counts() {
        assert_eq!(rate_label(860_114.479_5, "trials"), "860,114 trials/s");
        assert_eq!(
            rate_label(1_234_567_890.0, "trial-points"),
            "1,234,567,890 trial-points/s"
        );
        assert_eq!(rate_label(100.0, "trials"), "100 trials/s");
        assert_eq!(rate_label(99.96, "trials"), "100 trials/s");
        assert_eq!(rate_label(42.34, "trials"), "42.3 trials/s");
        assert_eq!(rate_label(9.996, "trials"), "10.0 trials/s");
        assert_eq!(rate_label(3.456, "trials"), "3.46 trials/s");
        assert_eq!(rate_label(0.51234, "trials"), "0.512 trials/s");
        assert_eq!(rate_label(0.0, "trials"), "– trials/s");
        assert_eq!(rate_label(f64::NAN, "trials"), "– trials/s");
        assert_eq!(rate_label(f64::INFINITY, "trials"), "– trials/s");
    }
}
