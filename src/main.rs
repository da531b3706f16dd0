//! The allocsim binary: parse arguments, run a command, print the error, set the exit status
//! (0 success, 2 bad input or usage, 130 interrupted by Ctrl-C, 1 anything else).

mod cli;
mod cmd;
mod interrupt;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    interrupt::install();
    match cmd::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if interrupt::is_interrupted(&e) {
                ExitCode::from(interrupt::EXIT_STATUS)
            } else if cmd::is_bad_input(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
