//! Analyses built on the model and the engine's parallel loop that are not runs of one scenario:
//! the variance-based importance of the groups of random inputs ([`importance`]), and, through
//! the model's observer ([`crate::model::Observer`]), one trial told round by round ([`trace`])
//! and what marks the worst trials ([`tail`]).

pub mod importance;
pub mod tail;
pub mod trace;
