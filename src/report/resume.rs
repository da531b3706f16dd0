//! The resume state of an interrupted run: which of the run's trials finished, their merged
//! tallies, and what identifies the run, so that `run --resume` runs only the missing trials and
//! ends exactly as an uninterrupted run. It is one JSON file in allocsim's own area beside the
//! output folder ([`crate::report::OutputDir::resume_path`]), written whole (a temporary file
//! synced and renamed into place), read back with its checksum and every count checked, and
//! replaced or removed only when its own `format` says allocsim wrote it. The format is
//! documented in docs/outputs.md ("Interrupted runs keep their trials").

use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RunInfo;
use super::partial::{Envelope, RunKey, canonical_json, check_envelope, checksum_of};
use super::results::{read_results, results_json};
use crate::engine::{Kept, Shard, ShardInfo, TrialSet};

/// The file format's name, checked before anything else when reading.
pub const RESUME_FORMAT: &str = "allocsim-resume";
/// The format version this allocsim writes and the only one it reads.
pub const RESUME_VERSION: u32 = 1;

const ABOUT: &str = "The finished trials of an interrupted allocsim run. Run the same command \
                     with --resume to finish the run from them; allocsim removes this file when \
                     the run finishes. Deleting it discards them.";

/// What identifies the run a resume state belongs to: a resumed run must be the same run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeKey {
    /// The allocsim version, the scenario (its path, informational, and its SHA-256), the
    /// overrides, the seed and `trials`: the run's trial count T, or with `--precision` the cap
    /// (`--max-trials`). The fields partial.json records.
    pub run: RunKey,
    /// With `--precision`, its targets as given, in order; empty for a fixed trial count.
    pub precision: Vec<String>,
    /// The shard's slice of the run when the run is one shard (`--shard K/N`).
    pub shard: Option<ShardInfo>,
}

impl ResumeKey {
    /// The trial indices the run covers: a shard's slice, else `0..trials`.
    pub fn span(&self) -> Range<u64> {
        match self.shard {
            Some(s) => s.first_trial..s.first_trial + s.trials,
            None => 0..self.run.trials,
        }
    }

    /// Every way in which the run `kept` (a resume state's) differs from this one, a phrase
    /// each ("seed 7 there, 8 here"); empty when they are the same run. The scenario's path is
    /// not compared: a node may mount the same file elsewhere.
    pub fn differences(&self, kept: &ResumeKey) -> Vec<String> {
        let mut out = Vec::new();
        let mut differ = |what: &str, there: String, here: String| {
            out.push(format!("{what} {there} there, {here} here"));
        };
        let (a, b) = (&kept.run, &self.run);
        if a.allocsim_version != b.allocsim_version {
            differ(
                "allocsim version",
                a.allocsim_version.clone(),
                b.allocsim_version.clone(),
            );
        }
        if a.scenario_sha256 != b.scenario_sha256 {
            differ(
                "scenario file (SHA-256)",
                short_hash(&a.scenario_sha256),
                short_hash(&b.scenario_sha256),
            );
        }
        if a.overrides != b.overrides {
            differ(
                "--set overrides",
                list_or_none(&a.overrides),
                list_or_none(&b.overrides),
            );
        }
        if a.seed != b.seed {
            differ("seed", a.seed.to_string(), b.seed.to_string());
        }
        if kept.precision != self.precision {
            differ(
                "--precision targets",
                list_or_none(&kept.precision),
                list_or_none(&self.precision),
            );
        }
        if a.trials != b.trials {
            let what = if kept.precision.is_empty() || self.precision.is_empty() {
                "trials (or the cap, with --precision)"
            } else {
                "--max-trials"
            };
            differ(what, a.trials.to_string(), b.trials.to_string());
        }
        if kept.shard.map(|s| (s.index, s.count)) != self.shard.map(|s| (s.index, s.count)) {
            let shard = |s: Option<ShardInfo>| {
                s.map_or("none".to_string(), |s| format!("{}/{}", s.index, s.count))
            };
            differ("--shard", shard(kept.shard), shard(self.shard));
        }
        out
    }
}

fn short_hash(hex: &str) -> String {
    match hex.get(..12) {
        Some(start) if hex.len() > 12 => format!("{start}…"),
        _ => hex.to_string(),
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(" ")
    }
}

/// A resume state read back and checked.
#[derive(Debug, Clone)]
pub struct ResumeState {
    /// The run it belongs to.
    pub key: ResumeKey,
    /// The run's description; `info.trials` is the count of trials done.
    pub info: RunInfo,
    /// The trials done and their tallies.
    pub kept: Kept,
    /// The file's checksum, `sha256:<hex>`.
    pub checksum: String,
}

/// A resume state that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// Not JSON, not an object, another `format`, no checksum, or a missing or unknown key.
    #[error("not an allocsim resume state: {0}")]
    NotResume(String),
    /// A `version` other than [`RESUME_VERSION`]: written by another allocsim.
    #[error(
        "resume format version {found} cannot be read by allocsim {this} (it reads version {RESUME_VERSION})"
    )]
    Version {
        /// The file's `version` member as written (null when absent).
        found: Value,
        /// This allocsim's version.
        this: String,
    },
    /// The contents do not hash to the recorded checksum: changed or damaged after writing.
    #[error(
        "checksum mismatch: the file records {recorded} but its contents hash to {actual}; it was changed or damaged after it was written"
    )]
    Checksum {
        /// The `checksum` member.
        recorded: String,
        /// The checksum of the contents as read.
        actual: String,
    },
    /// The checksum holds but the contents contradict one another; holds which.
    #[error("{0}")]
    Inconsistent(String),
}

/// The JSON object as written: every key, `results` the results.json object of the trials done.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedResume {
    format: String,
    version: u32,
    about: String,
    allocsim_version: String,
    scenario_path: String,
    scenario_sha256: String,
    overrides: Vec<String>,
    seed: u64,
    trials: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    precision: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<ShardInfo>,
    /// The trials done, as `[first, end)` pairs of global trial indices, ascending.
    done: Vec<(u64, u64)>,
    results: Value,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    checksum: String,
}

/// The resume state of run `key` that has done `kept` (described by `info`, whose trial count
/// is set to the trials done): canonical JSON with its checksum, and a newline, as partial.json.
pub fn resume_json(key: &ResumeKey, info: &RunInfo, kept: &Kept) -> Vec<u8> {
    let info = RunInfo {
        trials: kept.done().count(),
        ..info.clone()
    };
    let results: Value = match serde_json::from_slice(&results_json(&info, kept.summary())) {
        Ok(v) => v,
        Err(e) => unreachable!("results.json is always JSON: {e}"),
    };
    let saved = SavedResume {
        format: RESUME_FORMAT.to_string(),
        version: RESUME_VERSION,
        about: ABOUT.to_string(),
        allocsim_version: key.run.allocsim_version.clone(),
        scenario_path: key.run.scenario_path.clone(),
        scenario_sha256: key.run.scenario_sha256.clone(),
        overrides: key.run.overrides.clone(),
        seed: key.run.seed,
        trials: key.run.trials,
        precision: key.precision.clone(),
        shard: key.shard,
        done: kept
            .done()
            .ranges()
            .iter()
            .map(|r| (r.start, r.end))
            .collect(),
        results,
        checksum: String::new(),
    };
    let mut value = match serde_json::to_value(&saved) {
        Ok(v) => v,
        Err(e) => unreachable!("a resume state of strings and integers always serializes: {e}"),
    };
    let checksum = checksum_of(&value);
    if let Value::Object(map) = &mut value {
        map.insert("checksum".to_string(), Value::String(checksum));
    }
    let mut bytes = canonical_json(&value);
    bytes.push(b'\n');
    bytes
}

/// Whether `value` says it is a resume state (its `format`), however damaged otherwise.
fn says_resume(value: &Value) -> bool {
    value.get("format").and_then(Value::as_str) == Some(RESUME_FORMAT)
}

/// Reads a resume state: its format and version first, then its checksum, then its contents
/// and their consistency (the trials done lie in the run's trials, and the tallies count
/// exactly them, with the run's seed).
pub fn read_resume(bytes: &[u8]) -> Result<ResumeState, ResumeError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ResumeError::NotResume(format!("not JSON: {e}")))?;
    read_resume_value(value)
}

/// [`read_resume`] of the file's JSON, parsed.
fn read_resume_value(value: Value) -> Result<ResumeState, ResumeError> {
    let recorded = check_envelope(&value, RESUME_FORMAT, RESUME_VERSION).map_err(|e| match e {
        Envelope::Not(why) => ResumeError::NotResume(why),
        Envelope::Version(found) => ResumeError::Version {
            found,
            this: env!("CARGO_PKG_VERSION").to_string(),
        },
        Envelope::Checksum { recorded, actual } => ResumeError::Checksum { recorded, actual },
    })?;
    let saved: SavedResume =
        serde_json::from_value(value).map_err(|e| ResumeError::NotResume(e.to_string()))?;
    let inconsistent = ResumeError::Inconsistent;
    let results = serde_json::to_vec(&saved.results)
        .map_err(|e| inconsistent(format!("its results: {e}")))?;
    let (info, summary) =
        read_results(&results).map_err(|e| inconsistent(format!("its results: {e}")))?;
    if let Some(s) = saved.shard {
        let expected = Shard::new(s.index, s.count)
            .and_then(|shard| ShardInfo::new(shard, saved.trials))
            .map_err(|e| inconsistent(format!("its shard {}/{}: {e}", s.index, s.count)))?;
        if expected != s {
            return Err(inconsistent(format!(
                "shard {}/{} of {} trials covers trials {}..{}, but it records {}..{}",
                s.index,
                s.count,
                saved.trials,
                expected.first_trial,
                expected.first_trial + expected.trials,
                s.first_trial,
                s.first_trial + s.trials
            )));
        }
    }
    let key = ResumeKey {
        run: RunKey {
            allocsim_version: saved.allocsim_version,
            scenario_path: saved.scenario_path,
            scenario_sha256: saved.scenario_sha256,
            overrides: saved.overrides,
            seed: saved.seed,
            trials: saved.trials,
        },
        precision: saved.precision,
        shard: saved.shard,
    };
    let done = TrialSet::from_normal(saved.done.iter().map(|&(a, b)| a..b).collect())
        .map_err(|e| inconsistent(format!("its done trials: {e}")))?;
    let span = key.span();
    if !done.is_within(&span) {
        return Err(inconsistent(format!(
            "its done trials are not all within the run's trials {}..{}",
            span.start, span.end
        )));
    }
    if info.seed != key.run.seed || info.trials != done.count() {
        return Err(inconsistent(format!(
            "its results hold {} trials with seed {}, but it records {} trials done with seed {}",
            info.trials,
            info.seed,
            done.count(),
            key.run.seed
        )));
    }
    let kept = Kept::new(summary, done).ok_or_else(|| {
        inconsistent("its results' tallies do not count the trials done".to_string())
    })?;
    Ok(ResumeState {
        key,
        info,
        kept,
        checksum: recorded,
    })
}

/// What is at a resume state's path.
#[derive(Debug)]
pub enum Found {
    /// Nothing.
    Nothing,
    /// A resume state, read and checked.
    State(Box<ResumeState>),
    /// A file whose `format` says allocsim wrote it as a resume state, which cannot be used (a
    /// later format version, a checksum that does not match, counts that do not add up). It is
    /// allocsim's, so a later interrupted run may replace it and a finished one remove it.
    Damaged(ResumeError),
    /// Something allocsim did not write there (another file, a folder, a link): never replaced
    /// or removed.
    Foreign,
}

/// Looks at `path`: nothing, a usable state, a damaged one, or something that is not allocsim's.
pub fn find(path: &Path) -> io::Result<Found> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(e),
    };
    if !metadata.is_file() {
        return Ok(Found::Foreign);
    }
    let value = match serde_json::from_slice::<Value>(&fs::read(path)?) {
        Ok(v) if says_resume(&v) => v,
        _ => return Ok(Found::Foreign),
    };
    Ok(match read_resume_value(value) {
        Ok(state) => Found::State(Box::new(state)),
        Err(e) => Found::Damaged(e),
    })
}

/// The temporary name a state is written under before it is renamed to `path`.
fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{name}.tmp"))
}

/// Writes `bytes` (from [`resume_json`]) to `path` whole: to a temporary file beside it,
/// synced, then renamed over it. Refused (`AlreadyExists`) when something allocsim did not
/// write is at `path`.
pub fn save(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if matches!(find(path)?, Found::Foreign) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "something allocsim did not write is in the way",
        ));
    }
    let temporary = temporary(path);
    let mut file = fs::File::create(&temporary)?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| fs::rename(&temporary, path))
        .inspect_err(|_| {
            let _ = fs::remove_file(&temporary);
        })?;
    sync_parent(path);
    Ok(())
}

/// Removes the resume state at `path` (and a temporary one a killed save left) if allocsim
/// wrote it; anything else there is left alone.
pub fn discard(path: &Path) -> io::Result<()> {
    if matches!(find(path)?, Found::State(_) | Found::Damaged(_)) {
        fs::remove_file(path)?;
        sync_parent(path);
    }
    let temporary = temporary(path);
    if fs::symlink_metadata(&temporary).is_ok_and(|m| m.is_file()) {
        let _ = fs::remove_file(&temporary);
    }
    Ok(())
}

/// Makes a rename or removal in `path`'s folder durable where the system allows; a failure
/// here loses nothing not already at risk.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
// Lists of one range are lists of ranges here, not ranges of numbers.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::engine::{Ran, RunOptions, run_resumable};
    use crate::stats::Summary;

    const TOML: &str = "name = \"rs\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n\
                        [approval]\nprobability = 0.7\nbatch = { dist = \"uniform\", min = 10, max = 900 }\n\
                        [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 100, max = 2000 }\n\
                        [[firm]]\nname = \"B\"\norders = 700\n";

    fn scenario() -> crate::scenario::Scenario {
        crate::scenario::parse(Path::new("rs.toml"), TOML.as_bytes(), &[]).unwrap()
    }

    fn key(shard: Option<ShardInfo>) -> ResumeKey {
        ResumeKey {
            run: RunKey {
                allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
                scenario_path: "rs.toml".to_string(),
                scenario_sha256: "ab".repeat(32),
                overrides: vec!["seed=1".to_string()],
                seed: 5,
                trials: 3000,
            },
            precision: Vec::new(),
            shard,
        }
    }

    /// The trials `ranges` of the run, as a shard-less run resumed from nothing would keep them.
    fn kept(ranges: &[Range<u64>]) -> Kept {
        let s = scenario();
        let mut summary = Summary::new(&s);
        for r in ranges {
            let options = RunOptions {
                trials: r.end - r.start,
                first_trial: r.start,
                seed: 5,
                threads: 1,
                ..RunOptions::default()
            };
            match run_resumable(&s, &options, None, &mut |_| {}, None).unwrap() {
                Ran::Complete(part) => summary.merge(&part.summary),
                Ran::Interrupted(_) => unreachable!("no cancel flag"),
            }
        }
        Kept::new(summary, TrialSet::from_ranges(ranges.iter().cloned())).unwrap()
    }

    #[test]
    fn a_state_reads_back_as_written() {
        let s = scenario();
        let k = key(None);
        let done = kept(&[0..700, 2048..2500]);
        let bytes = resume_json(&k, &RunInfo::new(&s, 0, 5), &done);
        let state = read_resume(&bytes).unwrap();
        assert_eq!(state.key, k);
        assert_eq!(state.kept.done(), done.done());
        assert_eq!(state.info.trials, 1152);
        assert_eq!(
            crate::report::summary_csv(state.kept.summary()),
            crate::report::summary_csv(done.summary())
        );
        // Written again from what was read: the same bytes.
        assert_eq!(resume_json(&state.key, &state.info, &state.kept), bytes);
        assert!(state.checksum.starts_with("sha256:"));
    }

    /// Each damage is refused, naming what is wrong; only a state that is whole is read.
    #[test]
    fn damaged_or_inconsistent_states_are_refused() {
        let s = scenario();
        let bytes = resume_json(&key(None), &RunInfo::new(&s, 0, 5), &kept(&[0..300]));
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_slice(&bytes).unwrap();
            f(&mut v);
            let sum = checksum_of(&v);
            v["checksum"] = Value::String(sum);
            read_resume(&serde_json::to_vec(&v).unwrap()).unwrap_err()
        };
        let mut flipped = bytes.clone();
        let at = flipped.len() / 2;
        flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
        assert!(matches!(
            read_resume(&flipped),
            Err(ResumeError::Checksum { .. } | ResumeError::NotResume(_))
        ));
        assert!(matches!(
            edit(&|v| v["version"] = 2.into()),
            ResumeError::Version { .. }
        ));
        assert!(matches!(
            edit(&|v| v["format"] = "allocsim-partial".into()),
            ResumeError::NotResume(_)
        ));
        assert_eq!(
            edit(&|v| v["done"] = serde_json::json!([[0, 200], [200, 300]])).to_string(),
            "its done trials: range 1 (200..300) does not start after range 0 (0..200) ends"
        );
        assert_eq!(
            edit(&|v| v["done"] = serde_json::json!([[0, 301]])).to_string(),
            "its results hold 300 trials with seed 5, but it records 301 trials done with seed 5"
        );
        assert_eq!(
            edit(&|v| v["done"] = serde_json::json!([[2900, 3200]])).to_string(),
            "its done trials are not all within the run's trials 0..3000"
        );
        assert_eq!(
            edit(&|v| v["shard"] =
                serde_json::json!({"index": 2, "count": 3, "first_trial": 0, "trials": 1000}))
            .to_string(),
            "shard 2/3 of 3000 trials covers trials 1000..2000, but it records 0..1000"
        );
        assert!(
            edit(&|v| v["seed"] = 6.into())
                .to_string()
                .contains("seed 5, but it records 300 trials done with seed 6")
        );
    }

    #[test]
    fn differences_name_every_field() {
        let here = key(Some(
            ShardInfo::new(Shard::new(2, 3).unwrap(), 3000).unwrap(),
        ));
        assert!(here.differences(&here).is_empty());
        let mut there = here.clone();
        there.run.scenario_path = "elsewhere/rs.toml".to_string();
        assert!(
            here.differences(&there).is_empty(),
            "the path is not compared"
        );
        there.run.allocsim_version = "0.0.1".to_string();
        there.run.scenario_sha256 = "cd".repeat(32);
        there.run.overrides.clear();
        there.run.seed = 6;
        there.run.trials = 2000;
        there.shard = Some(ShardInfo::new(Shard::new(2, 4).unwrap(), 2000).unwrap());
        there.precision = vec!["total.unmet.p95=1%".to_string()];
        let v = env!("CARGO_PKG_VERSION");
        assert_eq!(
            here.differences(&there),
            [
                format!("allocsim version 0.0.1 there, {v} here"),
                "scenario file (SHA-256) cdcdcdcdcdcd… there, abababababab… here".to_string(),
                "--set overrides none there, seed=1 here".to_string(),
                "seed 6 there, 5 here".to_string(),
                "--precision targets total.unmet.p95=1% there, none here".to_string(),
                "trials (or the cap, with --precision) 2000 there, 3000 here".to_string(),
                "--shard 2/4 there, 2/3 here".to_string(),
            ]
        );
    }

    #[test]
    fn only_allocsims_own_state_is_replaced_or_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".out.allocsim-resume.json");
        let s = scenario();
        let bytes = resume_json(&key(None), &RunInfo::new(&s, 0, 5), &kept(&[0..10]));
        assert!(matches!(find(&path).unwrap(), Found::Nothing));
        save(&path, &bytes).unwrap();
        assert!(matches!(find(&path).unwrap(), Found::State(_)));
        assert!(!temporary(&path).exists());
        // Damaged but allocsim's by its format: replaced and removed like a whole one.
        fs::write(&path, br#"{"format":"allocsim-resume","version":1}"#).unwrap();
        assert!(matches!(find(&path).unwrap(), Found::Damaged(_)));
        save(&path, &bytes).unwrap();
        discard(&path).unwrap();
        assert!(!path.exists());
        // A file or a folder of someone else's is never replaced or removed.
        fs::write(&path, b"my notes").unwrap();
        assert!(matches!(find(&path).unwrap(), Found::Foreign));
        assert_eq!(
            save(&path, &bytes).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        discard(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"my notes");
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(matches!(find(&path).unwrap(), Found::Foreign));
        discard(&path).unwrap();
        assert!(path.is_dir());
    }
}
