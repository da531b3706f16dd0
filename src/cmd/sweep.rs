//! `allocsim sweep`: the cartesian grid of knob values, on common random numbers.

use allocsim::compare::{Knob, plan};

use super::points::{Reference, execute, plan_error, read};
use crate::cli::SweepArgs;

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let mut knobs = Vec::new();
    let mut fixed = Vec::new();
    for text in &args.sets {
        let knob = Knob::parse(text)?;
        // One value applies to every point; two or more make a knob of the grid.
        if knob.values.len() == 1 {
            fixed.push(allocsim::scenario::Override {
                key: knob.key,
                value: knob.values[0].clone(),
            });
        } else {
            knobs.push(knob);
        }
    }
    if let Some(reference) = &args.reference {
        plan::reference_first(&mut knobs, reference).map_err(plan_error)?;
    }
    let source = read(&args.scenario)?;
    let plan = plan::sweep(&source.path, &source.bytes, &fixed, &knobs).map_err(plan_error)?;
    execute(
        plan,
        &[source],
        &fixed,
        if args.reference.is_some() {
            Reference::Chosen
        } else {
            Reference::First
        },
        &args.common,
    )
}
