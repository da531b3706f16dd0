//! `allocsim sensitivity`: each knob from low to high, the others as written, ranked by swing.

use allocsim::compare::{Knob, plan};

use super::BadInput;
use super::points::{Reference, execute, plan_error, read};
use crate::cli::SensitivityArgs;

pub fn sensitivity(args: SensitivityArgs) -> anyhow::Result<()> {
    let fixed = super::common::overrides(&args.overrides)?;
    let knobs = args
        .vary
        .iter()
        .map(|t| Knob::parse(t).map_err(|m| BadInput(m.to_string().replacen("--set", "--vary", 1))))
        .collect::<Result<Vec<_>, _>>()?;
    let source = read(&args.scenario)?;
    let plan =
        plan::sensitivity(&source.path, &source.bytes, &fixed, &knobs).map_err(plan_error)?;
    execute(plan, &[source], &fixed, Reference::First, &args.common)
}
