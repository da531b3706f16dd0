//! One module per subcommand: glue from arguments to library calls to outputs.

mod compare;
mod merge;
mod points;
mod report;
mod run;
mod sensitivity;
mod sweep;
mod validate;

use allocsim::engine::EngineError;
use allocsim::report::OutputError;
use allocsim::scenario::{Override, ScenarioError};

use crate::cli::{Cli, Command};

/// Input the user must fix: reported with exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Report(args) => report::report(args),
        Command::Merge(args) => merge::merge(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Compare(args) => compare::compare(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
    }
}

/// Whether an error is the user's to fix (exit status 2) rather than a failure (1).
pub fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<BadInput>()
            || c.is::<ScenarioError>()
            || c.is::<OutputError>()
            || c.downcast_ref::<EngineError>()
                .is_some_and(EngineError::is_bad_input)
    })
}

/// Parses `--set` arguments.
fn overrides(raw: &[String]) -> anyhow::Result<Vec<Override>> {
    raw.iter()
        .map(|r| Override::parse(r).map_err(|m| BadInput(m).into()))
        .collect()
}
