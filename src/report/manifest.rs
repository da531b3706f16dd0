//! manifest.json: what produced an output folder. One type for every kind of folder (a run, a
//! shard, a merge, a sweep, compare or sensitivity run); the parts that differ by kind are
//! flattened into it where their fields stand, so each kind's JSON keeps its field order.

use serde::Serialize;

use super::partial::RunKey;
use crate::engine::ShardInfo;

/// What produced an output folder, written as manifest.json.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub allocsim_version: String,
    /// The scenario file(s) read.
    #[serde(flatten)]
    pub input: Input,
    pub name: String,
    pub seed: u64,
    /// How many trials ran (and, for a comparison, at which points).
    #[serde(flatten)]
    pub trials: Trials,
    pub threads: usize,
    pub wall_seconds: f64,
    /// `--set` overrides applied (to every point of a comparison), in order.
    pub overrides: Vec<String>,
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
        scenario_path: String,
        scenario_sha256: String,
    },
    /// A comparison's command (`sweep`, `compare`, `sensitivity`) and its scenario files.
    Points {
        command: String,
        scenarios: Vec<ScenarioFile>,
    },
}

/// The trials behind a manifest's outputs.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Trials {
    /// A run's trials (a shard's manifest gives the whole run's).
    Run { trials: u64 },
    /// A comparison's trials, the same in every point, and its points and knobs.
    Points {
        trials_per_point: u64,
        points: Vec<PointEntry>,
        knobs: Vec<String>,
    },
}

/// A shard's slice of its run, or the partials a merge combined, in shard order.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Part {
    Shard { shard: ShardInfo },
    Merge { merged_shards: Vec<MergedShard> },
}

/// A scenario file of a comparison: its path and the hex SHA-256 of its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioFile {
    pub path: String,
    pub sha256: String,
}

/// One point of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PointEntry {
    pub point: usize,
    pub label: String,
    /// The point's own overrides, after the fixed ones.
    pub overrides: Vec<String>,
}

/// One partial in a merge's manifest.
#[derive(Debug, Clone, Serialize)]
pub struct MergedShard {
    pub partial: String,
    #[serde(flatten)]
    pub shard: ShardInfo,
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
