//! Command-line definitions (clap). Only the binary uses this; the library knows nothing of it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo simulator of scarce supply split among claimants under regulatory approval
/// rounds: how many chips each firm gets, and how short it is left, under a policy.
#[derive(Debug, Parser)]
#[command(name = "allocsim", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's trials and write summary.csv, rounds.csv and manifest.json.
    Run(RunArgs),
    /// Check scenario files without running them; every problem is reported with its position.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
Outputs go to output/<scenario name>/ unless --out says otherwise. The folder is replaced
as a whole when the run succeeds; a failed run leaves the previous results untouched.

Examples:
  allocsim run scenarios/baseline.toml
  allocsim run scenarios/baseline.toml --trials 1000000 --seed 7 --out /tmp/b
  allocsim run scenarios/baseline.toml --set allocation.rule=talmud --set domestic.ratio=0.6
  allocsim run scenarios/baseline.toml --set firm.Baidu.eligible_from=3")]
pub struct RunArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// Number of trials [default: the scenario's `trials`, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 0]. Same seed, same results.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: RAYON_NUM_THREADS, else one per core]. Results do not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Output folder [default: output/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override one scenario value by its dotted key, e.g. approval.probability=0.6,
    /// firm.Baidu.eligible_from=3, event.customs-hold.probability=0.1. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Also write trials.csv, one row per trial and firm (memory grows with the trial count).
    #[arg(long)]
    pub trials_csv: bool,
    /// Print nothing but errors: no table, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Overrides to check along with each file, as in `run --set`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
}
