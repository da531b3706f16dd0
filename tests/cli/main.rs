//! Integration tests through the `allocsim` binary: one test binary, one file per topic.

mod charts;
mod common;
mod compare;
mod determinism;
mod edges;
mod errors;
mod folders;
mod hardening;
mod importance;
mod memory;
mod outputs;
mod precision;
mod regimes;
mod report_page;
mod resume;
mod rules;
mod scenarios;
mod shards;
mod tail;
mod trace;
mod whatrun;
mod xlsx;
mod xlsx_read;
