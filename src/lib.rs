//! allocsim: a Monte Carlo simulator of scarce supply split among claimants under regulatory
//! approval rounds. The library holds everything testable; the binary is a thin CLI over it.
//!
//! Data flows one way: scenario TOML → [`scenario::Scenario`] → [`engine`] (keyed streams,
//! [`model`] per trial) → [`stats::Summary`] → [`report`] exporters.

// Every public item says what it is, its unit and its invariant (DESIGN.md, as rand does). Here
// rather than in Cargo.toml's [lints], which would also apply to the binary and the tests.
#![deny(missing_docs)]

pub mod alloc;
pub mod analysis;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod linalg;
pub mod model;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod units;
