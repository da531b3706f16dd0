//! `allocsim validate`: read and check scenarios, run nothing.

use std::io::Write;

use allocsim::scenario;

use super::BadInput;
use crate::cli::ValidateArgs;

pub fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let overrides = super::common::overrides(&args.overrides)?;
    let mut failed = 0;
    for path in &args.scenarios {
        match scenario::load(path, &overrides) {
            Ok(s) => super::say!(
                "ok: {} ({}: {} firms, {} rounds, rule {})\n",
                path.display(),
                s.name,
                s.firms.len(),
                s.rounds,
                s.rule.name()
            )?,
            Err(e) => {
                // One line a problem. A closed or full stderr loses the message, never the
                // exit status.
                let mut stderr = std::io::stderr().lock();
                for line in e.to_string().lines() {
                    let _ = writeln!(stderr, "error: {line}");
                }
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(BadInput(format!(
            "{failed} of {} scenarios are invalid",
            args.scenarios.len()
        ))
        .into());
    }
    Ok(())
}
