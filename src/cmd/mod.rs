//! One module per subcommand: glue from arguments to library calls to outputs.

mod common;
mod compare;
mod importance;
mod merge;
mod points;
mod report;
mod run;
mod sensitivity;
mod sweep;
mod tail;
mod trace;
mod validate;

use allocsim::analysis::importance::ImportanceError;
use allocsim::compare::{KnobError, PlanError};
use allocsim::engine::{EngineError, ShardError};
use allocsim::report::partial::{MergeError, PartialError};
use allocsim::report::precision::TargetError;
use allocsim::report::{OutputError, ResultsError};
use allocsim::scenario::{OverrideError, ScenarioError, ScenarioErrors};

use crate::cli::{Cli, Command};

/// Input the user must fix: reported with exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Standard output could not be written: a closed pipe (`| head`) or a full disk.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct StdoutFailed(pub std::io::Error);

/// Writes to standard output; a closed or full stdout is an error, never a panic.
pub fn write_stdout(args: std::fmt::Arguments) -> Result<(), StdoutFailed> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|_| out.flush())
        .map_err(StdoutFailed)
}

/// `print!` that returns a [`StdoutFailed`] instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cmd::write_stdout(format_args!($($arg)*))
    };
}
pub(crate) use say;

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
        Command::Importance(args) => importance::importance(args),
        Command::Trace(args) => trace::trace(args),
        Command::Tail(args) => tail::tail(args),
    }
}

/// Whether an error is the user's to fix (exit status 2) rather than a failure (1): decided by
/// the error's own type, and for output and engine errors by its kind.
pub fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<BadInput>()
            || c.is::<ScenarioError>()
            || c.is::<ScenarioErrors>()
            || c.is::<OverrideError>()
            || c.is::<KnobError>()
            || c.is::<PlanError>()
            || c.is::<ShardError>()
            || c.is::<PartialError>()
            || c.is::<MergeError>()
            || c.is::<ResultsError>()
            || c.is::<TargetError>()
            || c.downcast_ref::<OutputError>()
                .is_some_and(|o| !o.is_machine_failure())
            || c.downcast_ref::<EngineError>()
                .is_some_and(EngineError::is_bad_input)
            || c.downcast_ref::<ImportanceError>()
                .is_some_and(ImportanceError::is_bad_input)
    })
}

/// Whether an error is a closed standard output, which ends the program without a message.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<StdoutFailed>()
            .is_some_and(|s| s.0.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Whether an error is an interruption noticed while writing the outputs.
pub fn is_interrupted_output(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<OutputError>(),
            Some(OutputError::Interrupted { .. })
        ) || c.is::<run::KeptInterrupted>()
    })
}
