//! manifest.json: what produced an output folder. One type for every kind of folder (a run, a
//! shard, a merge, a sweep, compare or sensitivity run, a tail analysis); the parts that differ by kind are
//! flattened into it where their fields stand, so each kind's JSON keeps its field order.

use serde::Serialize;

use super::partial::RunKey;
use crate::engine::ShardInfo;

/// What produced an output folder, written as manifest.json.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The allocsim version that wrote the folder.
    pub allocsim_version: String,
    /// The scenario file(s) read.
    #[serde(flatten)]
    pub input: Input,
    /// The (first) scenario's name.
    pub name: String,
    /// The seed every trial's streams were keyed by.
    pub seed: u64,
    /// How many trials ran (and, for a comparison, at which points).
    #[serde(flatten)]
    pub trials: Trials,
    /// Worker threads the writer used (1 for a merge, which only adds). Results do not depend
    /// on it.
    pub threads: usize,
    /// The writer's own elapsed time, in seconds: a merge's is the merge's, not the shards'.
    pub wall_seconds: f64,
    /// `--set` overrides applied (to every point of a comparison), in order.
    pub overrides: Vec<String>,
    /// The arguments the command was started with, program name first.
    pub command_line: Vec<String>,
    /// A shard's or a merge's own part, after the rest.
    #[serde(flatten)]
    pub part: Option<Part>,
}

/// The scenario file(s) a manifest's outputs were made from.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Input {
    /// A run's one scenario; the hash is hex SHA-256 of the file's bytes.
    Scenario {
        /// The path as given on the command line (for a merge, shard 1's).
        scenario_path: String,
        /// Hex SHA-256 of the file's bytes as read.
        scenario_sha256: String,
    },
    /// A comparison's command (`sweep`, `compare`, `sensitivity`) and its scenario files.
    Points {
        /// The command's name ([`crate::compare::Kind::name`]).
        command: String,
        /// One file for a sweep or sensitivity, each file compared for compare.
        scenarios: Vec<ScenarioFile>,
    },
}

/// The trials behind a manifest's outputs.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Trials {
    /// A run's trials (a shard's manifest gives the whole run's).
    Run {
        /// Trials of the whole run.
        trials: u64,
    },
    /// A comparison's trials, the same in every point, and its points and knobs.
    Points {
        /// Trials each point ran, the same trials (0..n) at every point.
        trials_per_point: u64,
        /// The points in running order; the first is the reference.
        points: Vec<PointEntry>,
        /// The knob columns: the swept or varied keys, or `scenario` for compare.
        knobs: Vec<String>,
    },
    /// An importance analysis's base trials, factors and metric.
    Importance {
        /// Base trials N of A and of B (trials 0..N of each).
        base_trials: u64,
        /// The seed B's trials are keyed by: the seed XOR
        /// [`crate::analysis::importance::B_SEED_MIX`].
        b_seed: u64,
        /// The factors re-drawn one at a time, in order.
        groups: Vec<String>,
        /// The metric whose variance is apportioned.
        metric: String,
        /// Trials run in all: (groups + 2) × base_trials.
        trials_run: u64,
    },
}

/// A shard's slice of its run, or the partials a merge combined, in shard order.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Part {
    /// Written by `run --shard K/N`.
    Shard {
        /// Which slice of the run's trials the shard ran.
        shard: ShardInfo,
    },
    /// Written by `merge`.
    Merge {
        /// Every partial merged, in shard order.
        merged_shards: Vec<MergedShard>,
    },
    /// Written by `run --precision`: the trials the targets took, and where they stood.
    Precision {
        /// What the run reached.
        precision: super::precision::Reached,
    },
    /// Written by `tail`.
    Tail {
        /// Which trials the tail is.
        tail: TailInfo,
    },
}

/// What a tail analysis took as its tail, in its manifest.
#[derive(Debug, Clone, Serialize)]
pub struct TailInfo {
    /// Whose unmet demand marks the worst trials: a firm's name, or `total`.
    pub target: String,
    /// The share of trials in the tail, as given: "10%".
    pub worst: String,
    /// Trials in the tail, `ceil(share × trials)`.
    pub tail_trials: u64,
    /// The least unmet demand of a trial in the tail.
    pub threshold_unmet: u64,
}

/// A scenario file of a comparison: its path and the hex SHA-256 of its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioFile {
    /// The path as given on the command line.
    pub path: String,
    /// Hex SHA-256 of the file's bytes as read.
    pub sha256: String,
}

/// One point of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PointEntry {
    /// The point's number, 1-based (1 is the reference).
    pub point: usize,
    /// The point's label in tables and charts.
    pub label: String,
    /// The point's own overrides, after the fixed ones.
    pub overrides: Vec<String>,
}

/// One partial in a merge's manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MergedShard {
    /// The partial.json path, as the merge read it.
    pub partial: String,
    /// The slice of the run's trials it held.
    #[serde(flatten)]
    pub shard: ShardInfo,
    /// Its checksum, `sha256:<hex>`: which exact file went into the merge.
    pub checksum: String,
}

impl Manifest {
    /// The manifest of the run `key` (a whole run, a shard or a merge of one), written by this
    /// version; `threads` and `wall_seconds` are the writer's own.
    pub fn of_run(
        key: &RunKey,
        name: &str,
        threads: usize,
        wall_seconds: f64,
        command_line: Vec<String>,
    ) -> Manifest {
        Manifest {
            allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
            input: Input::Scenario {
                scenario_path: key.scenario_path.clone(),
                scenario_sha256: key.scenario_sha256.clone(),
            },
            name: name.to_string(),
            seed: key.seed,
            trials: Trials::Run { trials: key.trials },
            threads,
            wall_seconds,
            overrides: key.overrides.clone(),
            command_line,
            part: None,
        }
    }

    /// The manifest with a shard's or a merge's part.
    pub fn with_part(self, part: Part) -> Manifest {
        Manifest {
            part: Some(part),
            ..self
        }
    }
}
