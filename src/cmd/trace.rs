//! `allocsim trace`: one trial of a scenario told round by round on stdout, as text or a CSV.

use allocsim::analysis::trace::trace as trace_trial;
use allocsim::model::Model;
use allocsim::report::{self, RunInfo};
use allocsim::scenario::{self, MAX_TRIALS};

use super::{BadInput, common, say};
use crate::cli::TraceArgs;

pub fn trace(args: TraceArgs) -> anyhow::Result<()> {
    if args.trial >= MAX_TRIALS {
        return Err(BadInput(format!(
            "--trial must be below {MAX_TRIALS} (the most trials a run may have; trials are \
             numbered from 0), got {}",
            args.trial
        ))
        .into());
    }
    let overrides = common::overrides(&args.overrides)?;
    let bytes = scenario::read_file(&args.scenario)?;
    let scenario = scenario::parse(&args.scenario, &bytes, &overrides)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let traced = trace_trial(&Model::new(&scenario), seed, args.trial);
    if args.csv {
        let csv = report::trace_csv(&scenario, &traced);
        let text = String::from_utf8_lossy(&csv);
        say!("{text}")?;
    } else {
        let title = RunInfo::new(&scenario, 1, seed)
            .with_overrides(&overrides)
            .title();
        say!("{}", report::trace_text(&scenario, &title, &traced))?;
    }
    Ok(())
}
