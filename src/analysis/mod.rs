//! Analyses built on the model and the engine's parallel loop that are not runs of one scenario:
//! the variance-based importance of the groups of random inputs ([`importance`]).

pub mod importance;
