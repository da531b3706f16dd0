//! The allocsim binary: parse arguments, run a command, print the error, set the exit status
//! (0 success, 2 bad input or usage, 130 interrupted by Ctrl-C, 1 anything else: a failure of
//! the machine, such as a full disk, or a closed standard output).

mod cli;
mod cmd;
mod interrupt;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    interrupt::install();
    match cmd::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if cmd::is_broken_pipe(&e) => {
            // The reader went away (`| head`): nothing to tell it, as coreutils do.
            ExitCode::FAILURE
        }
        Err(e) => {
            // A closed or full stderr loses the message, never the exit status. An error of
            // several lines (a scenario's problems) is several errors, each marked as one.
            for line in format!("{e:#}").lines() {
                let _ = writeln!(std::io::stderr(), "error: {line}");
            }
            if cmd::is_interrupted_output(&e) {
                ExitCode::from(interrupt::EXIT_STATUS)
            } else if cmd::is_bad_input(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
