//! `allocsim compare`: whole scenarios side by side, on common random numbers.

use allocsim::compare::plan;

use super::points::{Reference, execute, plan_error, read};
use crate::cli::CompareArgs;

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let fixed = super::common::overrides(&args.overrides)?;
    let sources = args
        .scenarios
        .iter()
        .map(|p| read(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let files: Vec<_> = sources
        .iter()
        .map(|s| (s.path.clone(), s.bytes.clone()))
        .collect();
    let plan = plan::compare(&files, &fixed, args.reference.as_deref()).map_err(plan_error)?;
    execute(
        plan,
        &sources,
        &fixed,
        if args.reference.is_some() {
            Reference::Chosen
        } else {
            Reference::First
        },
        &args.common,
    )
}
