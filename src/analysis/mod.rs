//! Analyses that look inside trials through the model's observer ([`crate::model::Observer`]):
//! one trial told round by round ([`trace`]), and what marks the worst trials ([`tail`]).

pub mod tail;
pub mod trace;
