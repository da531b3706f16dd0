//! partial.json: one shard's share of a run, written by `run --shard K/N` and combined by
//! `merge`. Trial t's randomness depends only on (seed, t) and summaries merge exactly, so the
//! shards of a run need no communication and their merge equals one unsharded run. The format is
//! documented in docs/cluster.md; this module writes it, verifies its checksum, and checks that
//! a set of partials is exactly one run's shards before merging them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::results::{read_results, results_json};
use super::{RunInfo, sha256_hex};
use crate::engine::{Shard, ShardInfo};
use crate::scenario::{NameError, NameKind, check_name};
use crate::stats::Summary;

/// The file format's name and version, checked before anything else when reading.
pub const PARTIAL_FORMAT: &str = "allocsim-partial";
/// The format version this allocsim writes and the only one it reads; raised when the layout
/// of partial.json changes.
pub const PARTIAL_VERSION: u32 = 1;

/// What identifies the run a shard belongs to; every shard of one run has the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKey {
    /// The allocsim version that ran the shard: shards merge only under the same version, since
    /// statistics and layouts may change between versions.
    pub allocsim_version: String,
    /// Where the scenario was read from (informational: not compared when merging).
    pub scenario_path: String,
    /// Hex SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// `--set` overrides applied, in order.
    pub overrides: Vec<String>,
    /// The seed of the whole run, the same in every shard.
    pub seed: u64,
    /// Trials of the whole run (all shards).
    pub trials: u64,
}

impl RunKey {
    /// The key of a run by this allocsim of the scenario file at `path` whose bytes are
    /// `bytes`, with `overrides` (as `--set` wrote them), under `seed`, of `trials` trials.
    pub fn new(
        path: &std::path::Path,
        bytes: &[u8],
        overrides: &[crate::scenario::Override],
        seed: u64,
        trials: u64,
    ) -> RunKey {
        RunKey {
            allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_path: path.display().to_string(),
            scenario_sha256: super::sha256_hex(bytes),
            overrides: overrides.iter().map(ToString::to_string).collect(),
            seed,
            trials,
        }
    }
}

/// One shard's results, read back from partial.json.
#[derive(Debug, Clone)]
pub struct Partial {
    /// The run the shard belongs to.
    pub run: RunKey,
    /// Which slice of the run's trials the shard ran; checked to be the slice
    /// [`Shard::trials`] gives for its K/N.
    pub shard: ShardInfo,
    /// The shard's description; `info.trials` is the shard's trial count.
    pub info: RunInfo,
    /// The tallies of the shard's trials only; `summary.trials()` equals `shard.trials`.
    pub summary: Summary,
    /// The file's checksum, `sha256:<hex>`.
    pub checksum: String,
}

/// A partial.json that cannot be read or does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartialError {
    /// Not JSON, not an object, another `format`, no checksum, or a missing or unknown key;
    /// holds what was wrong.
    #[error("not an allocsim partial result: {0}")]
    NotPartial(String),
    /// A `version` other than [`PARTIAL_VERSION`] (or none): written by another allocsim.
    #[error(
        "partial format version {found} cannot be read by allocsim {this} (it reads version {PARTIAL_VERSION})"
    )]
    Version {
        /// The file's `version` member as written (null when absent).
        found: Value,
        /// This allocsim's version, for the message.
        this: String,
    },
    /// The contents do not hash to the recorded checksum: the file was edited or damaged after
    /// it was written.
    #[error(
        "checksum mismatch: the file records {recorded} but its contents hash to {actual}; it was changed or damaged after it was written (run this shard again)"
    )]
    Checksum {
        /// The `checksum` member, `sha256:<hex>`.
        recorded: String,
        /// The checksum of the contents as read.
        actual: String,
    },
    /// The checksum holds but the contents contradict one another (results that do not read,
    /// a shard range that is not K/N's, trial counts or seeds that disagree); holds which.
    #[error("{0}")]
    Inconsistent(String),
    /// A scenario, firm or event name that the scenario validator would refuse.
    #[error("its results' {field} is not a valid name: {source}")]
    BadName {
        /// The name's path in the results, e.g. `info.firms[2]`.
        field: String,
        /// What is wrong with the name.
        source: NameError,
    },
}

/// The same key set written by the same code: everything but `results` and `checksum`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPartial {
    format: String,
    version: u32,
    allocsim_version: String,
    scenario_path: String,
    scenario_sha256: String,
    overrides: Vec<String>,
    seed: u64,
    trials: u64,
    shard: ShardInfo,
    /// The shard's results.json object, embedded as JSON (not as an escaped string), so the
    /// whole file is one document that any JSON tool can read.
    results: Value,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    checksum: String,
}

/// partial.json for shard `shard` of the run `run`, whose results are `info` and `summary`:
/// the canonical JSON of the whole object (checksum included) and a newline.
pub fn partial_json(run: &RunKey, shard: &ShardInfo, info: &RunInfo, summary: &Summary) -> Vec<u8> {
    let results: Value = match serde_json::from_slice(&results_json(info, summary)) {
        Ok(v) => v,
        Err(e) => unreachable!("results.json is always JSON: {e}"),
    };
    let saved = SavedPartial {
        format: PARTIAL_FORMAT.to_string(),
        version: PARTIAL_VERSION,
        allocsim_version: run.allocsim_version.clone(),
        scenario_path: run.scenario_path.clone(),
        scenario_sha256: run.scenario_sha256.clone(),
        overrides: run.overrides.clone(),
        seed: run.seed,
        trials: run.trials,
        shard: *shard,
        results,
        checksum: String::new(),
    };
    let mut value = match serde_json::to_value(&saved) {
        Ok(v) => v,
        Err(e) => unreachable!("a partial of strings and integers always serializes: {e}"),
    };
    let checksum = checksum_of(&value);
    if let Value::Object(map) = &mut value {
        map.insert("checksum".to_string(), Value::String(checksum));
    }
    let mut bytes = canonical_json(&value);
    bytes.push(b'\n');
    bytes
}

/// Reads partial.json: its format and version first, then its checksum, then its contents and
/// their consistency with one another.
pub fn read_partial(bytes: &[u8]) -> Result<Partial, PartialError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| PartialError::NotPartial(format!("not JSON: {e}")))?;
    let recorded =
        check_envelope(&value, PARTIAL_FORMAT, PARTIAL_VERSION).map_err(|e| match e {
            Envelope::Not(why) => PartialError::NotPartial(why),
            Envelope::Version(found) => PartialError::Version {
                found,
                this: env!("CARGO_PKG_VERSION").to_string(),
            },
            Envelope::Checksum { recorded, actual } => PartialError::Checksum { recorded, actual },
        })?;
    let saved: SavedPartial =
        serde_json::from_value(value).map_err(|e| PartialError::NotPartial(e.to_string()))?;
    let (info, summary) = read_results(&canonical_json(&saved.results))
        .map_err(|e| PartialError::Inconsistent(format!("its results: {e}")))?;

    check_names(&info)?;

    let inconsistent = PartialError::Inconsistent;
    let s = saved.shard;
    let expected = Shard::new(s.index, s.count)
        .and_then(|shard| ShardInfo::new(shard, saved.trials))
        .map_err(|e| inconsistent(format!("its shard {}/{}: {e}", s.index, s.count)))?;
    if expected != s {
        return Err(inconsistent(format!(
            "shard {}/{} of {} trials must cover trials {}..{}, but it records {}..{}",
            s.index,
            s.count,
            saved.trials,
            expected.first_trial,
            expected.first_trial + expected.trials,
            s.first_trial,
            s.first_trial + s.trials
        )));
    }
    if summary.trials() != s.trials || info.trials != s.trials || info.seed != saved.seed {
        return Err(inconsistent(format!(
            "its results hold {} trials with seed {}, but the shard has {} trials with seed {}",
            summary.trials(),
            info.seed,
            s.trials,
            saved.seed
        )));
    }
    Ok(Partial {
        run: RunKey {
            allocsim_version: saved.allocsim_version,
            scenario_path: saved.scenario_path,
            scenario_sha256: saved.scenario_sha256,
            overrides: saved.overrides,
            seed: saved.seed,
            trials: saved.trials,
        },
        shard: s,
        info,
        summary,
        checksum: recorded,
    })
}

/// Checks every name a partial carries by the scenario validator's own rules: the scenario's
/// (which names the default output folder of the merge, so `../../x` must not get through),
/// the firms' and the events' (read from the knobs' "event NAME" labels).
fn check_names(info: &RunInfo) -> Result<(), PartialError> {
    let bad = |field: String, source: NameError| PartialError::BadName { field, source };
    check_name(NameKind::Scenario, &info.name).map_err(|m| bad("info.name".into(), m))?;
    for (i, firm) in info.firms.iter().enumerate() {
        check_name(NameKind::Firm, firm).map_err(|m| bad(format!("info.firms[{i}]"), m))?;
    }
    for (i, (label, _)) in info.knobs.iter().enumerate() {
        if let Some(event) = label.strip_prefix("event ") {
            check_name(NameKind::Event, event)
                .map_err(|m| bad(format!("info.knobs[{i}] (an event)"), m))?;
        }
    }
    // Regime names follow the events' rule (they name rounds.csv's columns and summary.csv's
    // metrics). NameKind has no regime kind on this branch yet: the event's message it is.
    for (i, regime) in info.regimes.iter().enumerate() {
        check_name(NameKind::Regime, &regime.name)
            .map_err(|m| bad(format!("info.regimes[{i}].name"), m))?;
    }
    Ok(())
}

/// Why the envelope of a checksummed file (partial.json, a resume state) was refused.
pub(crate) enum Envelope {
    /// It is not a file of the format asked for: why.
    Not(String),
    /// Its version, or null, is not the one this build reads.
    Version(Value),
    /// Its checksum is not that of its contents.
    Checksum {
        /// The checksum the file records.
        recorded: String,
        /// The checksum of what it holds.
        actual: String,
    },
}

/// Checks the envelope every checksummed file of allocsim's shares, in order: a JSON object,
/// its `format`, its `version`, and a `checksum` string equal to [`checksum_of`] its contents,
/// which it returns.
pub(crate) fn check_envelope(
    value: &Value,
    format: &str,
    version: u32,
) -> Result<String, Envelope> {
    let Value::Object(map) = value else {
        return Err(Envelope::Not("not a JSON object".to_string()));
    };
    match map.get("format") {
        Some(Value::String(f)) if f == format => {}
        other => {
            return Err(Envelope::Not(format!(
                "its format is {}, not \"{format}\"",
                other.map_or("missing".to_string(), Value::to_string)
            )));
        }
    }
    match map.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(version)) => {}
        other => return Err(Envelope::Version(other.cloned().unwrap_or(Value::Null))),
    }
    let Some(Value::String(recorded)) = map.get("checksum") else {
        return Err(Envelope::Not("it has no checksum string".to_string()));
    };
    let actual = checksum_of(value);
    if *recorded != actual {
        return Err(Envelope::Checksum {
            recorded: recorded.clone(),
            actual,
        });
    }
    Ok(actual)
}

/// `sha256:<hex>` of the canonical JSON of `value` without its `checksum` member (partial.json's
/// and a resume state's checksum).
pub(crate) fn checksum_of(value: &Value) -> String {
    let mut value = value.clone();
    if let Value::Object(map) = &mut value {
        map.remove("checksum");
    }
    format!("sha256:{}", sha256_hex(&canonical_json(&value)))
}

/// Canonical JSON: no whitespace, object members sorted by the UTF-8 bytes of their keys,
/// strings and numbers as serde_json writes them (integers in decimal, other numbers in the
/// shortest form that reads back the same). Sorting is done here rather than left to
/// serde_json's map, whose order changes if any crate in the build turns on `preserve_order`.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(key, out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        scalar => write_scalar(scalar, out),
    }
}

/// A string, number, bool or null, which serde_json writes in one way only.
fn write_scalar<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    if let Err(e) = serde_json::to_writer(out, value) {
        unreachable!("a JSON scalar always serializes into memory: {e}");
    }
}

/// Why a set of partials is not exactly the shards of one run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// No partials were given.
    #[error("nothing to merge")]
    Empty,
    /// The first partial was written by another allocsim version than this one, which might
    /// add its results up differently.
    #[error(
        "{file}: written by allocsim {version}, but this is allocsim {this}; merge with the allocsim that ran the shards"
    )]
    OtherVersion {
        /// The partial's label (its file).
        file: String,
        /// The version that wrote it.
        version: String,
        /// This allocsim's version.
        this: String,
    },
    /// A partial belongs to another run than the first one: its version, scenario, overrides,
    /// seed, trials, shard count or results description differ.
    #[error("{file}: {field} {value} differs from {reference} in {reference_file}")]
    Differs {
        /// The differing partial's label (its file).
        file: String,
        /// What differs, as the message names it.
        field: &'static str,
        /// Its value in `file`.
        value: String,
        /// Its value in the first partial.
        reference: String,
        /// The first partial's label, which the others are checked against.
        reference_file: String,
    },
    /// Two partials are the same shard K of N.
    #[error("{file}: shard {index} of {count} is also in {other}")]
    Duplicate {
        /// The later partial's label.
        file: String,
        /// K.
        index: u64,
        /// N.
        count: u64,
        /// The earlier partial with the same K.
        other: String,
    },
    /// Some shards of 1..=N were not given.
    #[error(
        "missing {} of {count}: merging needs every shard 1..={count} exactly once, and got {}",
        missing_list(.missing, *.missing_total),
        present_list(.present)
    )]
    Missing {
        /// N.
        count: u64,
        /// How many are missing, of which the first few are named in `missing`.
        missing_total: u64,
        /// The lowest missing indices, the first few only (see `missing_total`).
        missing: Vec<u64>,
        /// Every index given, ascending (the message counts them when there are many).
        present: Vec<u64>,
    },
}

fn list(indices: &[u64]) -> String {
    indices
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn missing_list(indices: &[u64], total: u64) -> String {
    match indices {
        [one] if total == 1 => format!("shard {one}"),
        some if total > some.len() as u64 => {
            format!("{total} shards ({}, ...)", list(some))
        }
        many => format!("shards {}", list(many)),
    }
}

fn present_list(indices: &[u64]) -> String {
    if indices.len() > MAX_NAMED {
        format!("{} shards", indices.len())
    } else {
        list(indices)
    }
}

/// Missing shards named in an error message; the rest are counted.
const MAX_NAMED: usize = 10;

/// One run rebuilt from its shards.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The run's key (that of every shard; `scenario_path` is shard 1's).
    pub run: RunKey,
    /// The run's description, as an unsharded run describes itself.
    pub info: RunInfo,
    /// The shards' tallies merged: the same as one unsharded run's.
    pub summary: Summary,
    /// The partials merged, as (label, shard, checksum) in shard order.
    pub shards: Vec<(String, ShardInfo, String)>,
}

/// Merges `parts`, each labelled (by its file) for error messages, after checking that they are
/// every shard of one run exactly once: same allocsim, scenario, overrides, seed, trials and
/// shard count as the first, and each index 1..=N once. The order of `parts` does not matter.
pub fn merge_partials(parts: Vec<(String, Partial)>) -> Result<Merged, MergeError> {
    let Some((reference_file, reference)) = parts.first() else {
        return Err(MergeError::Empty);
    };
    let this = env!("CARGO_PKG_VERSION");
    if reference.run.allocsim_version != this {
        // Statistics and CSV layout may change between versions: a merge must add up results
        // exactly as the allocsim that produced them would.
        return Err(MergeError::OtherVersion {
            file: reference_file.clone(),
            version: reference.run.allocsim_version.clone(),
            this: this.to_string(),
        });
    }
    let count = reference.shard.count;
    for (file, p) in &parts[1..] {
        let differs = |field: &'static str, value: String, reference: String| {
            Err(MergeError::Differs {
                file: file.clone(),
                field,
                value,
                reference,
                reference_file: reference_file.clone(),
            })
        };
        let (a, b) = (&p.run, &reference.run);
        if a.allocsim_version != b.allocsim_version {
            return differs(
                "allocsim_version",
                a.allocsim_version.clone(),
                b.allocsim_version.clone(),
            );
        }
        if a.scenario_sha256 != b.scenario_sha256 {
            return differs(
                "scenario_sha256 (the scenario file)",
                a.scenario_sha256.clone(),
                b.scenario_sha256.clone(),
            );
        }
        if a.overrides != b.overrides {
            return differs(
                "overrides (--set)",
                format!("{:?}", a.overrides),
                format!("{:?}", b.overrides),
            );
        }
        if a.seed != b.seed {
            return differs("seed", a.seed.to_string(), b.seed.to_string());
        }
        if a.trials != b.trials {
            return differs("trials", a.trials.to_string(), b.trials.to_string());
        }
        if p.shard.count != count {
            return differs(
                "shard count N",
                p.shard.count.to_string(),
                count.to_string(),
            );
        }
        let mut info = p.info.clone();
        info.trials = reference.info.trials;
        if info != reference.info {
            return differs(
                "results description",
                "(scenario name, rounds, firms or knobs)".to_string(),
                "that".to_string(),
            );
        }
    }

    // A map, not a vector of N slots: N comes from a file and need not be small.
    let mut by_index: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, (file, p)) in parts.iter().enumerate() {
        if let Some(&first) = by_index.get(&p.shard.index) {
            return Err(MergeError::Duplicate {
                file: file.clone(),
                index: p.shard.index,
                count,
                other: parts[first].0.clone(),
            });
        }
        by_index.insert(p.shard.index, i);
    }
    if by_index.len() as u64 != count {
        // Names the first few missing shards, looking at no more than parts + MAX_NAMED indices.
        let missing: Vec<u64> = (1..=count)
            .filter(|k| !by_index.contains_key(k))
            .take(MAX_NAMED)
            .collect();
        return Err(MergeError::Missing {
            count,
            missing_total: count - by_index.len() as u64,
            missing,
            present: by_index.keys().copied().collect(),
        });
    }

    // Shard order, though the merge is exact in any order: shard 1 starts the sum.
    let ordered: Vec<&(String, Partial)> = by_index.values().map(|&i| &parts[i]).collect();
    let first = &ordered[0].1;
    let mut summary = first.summary.clone();
    for (_, p) in &ordered[1..] {
        summary.merge(&p.summary);
    }
    let mut info = first.info.clone();
    info.trials = first.run.trials;
    Ok(Merged {
        run: first.run.clone(),
        info,
        summary,
        shards: ordered
            .iter()
            .map(|(file, p)| (file.clone(), p.shard, p.checksum.clone()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_shard_count_is_reported_not_allocated() {
        let toml = "name = \"h\"\nrounds = 1\n[allocation]\nrule = \"talmud\"\n\
                    [approval]\nprobability = 0.5\nbatch = 10\n[[firm]]\nname = \"A\"\norders = 5\n";
        let scenario =
            crate::scenario::parse(std::path::Path::new("h.toml"), toml.as_bytes(), &[]).unwrap();
        let total = 1_000_000_000_000;
        let part = |k: u64| {
            let shard = ShardInfo::new(Shard::new(k, total).unwrap(), total).unwrap();
            let run = RunKey {
                allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
                scenario_path: "h.toml".to_string(),
                scenario_sha256: "00".to_string(),
                overrides: Vec::new(),
                seed: 0,
                trials: total,
            };
            let partial = Partial {
                run,
                shard,
                info: RunInfo::new(&scenario, 1, 0),
                summary: Summary::new(&scenario),
                checksum: String::new(),
            };
            (format!("p{k}"), partial)
        };
        let err = merge_partials(vec![part(2), part(5)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing 999999999998 shards (1, 3, 4, 6, 7, 8, 9, 10, 11, 12, ...) of 1000000000000: \
             merging needs every shard 1..=1000000000000 exactly once, and got 2, 5"
        );
    }

    /// The names a partial carries pass the scenario validator's check, or the partial is
    /// refused naming the field: the scenario's name becomes the merge's output folder.
    #[test]
    fn names_in_a_partial_are_checked_as_a_scenario_checks_them() {
        let toml = "name = \"n\"\nrounds = 1\n[allocation]\nrule = \"talmud\"\n\
                    [approval]\nprobability = 0.5\nbatch = 10\n[[firm]]\nname = \"A\"\norders = 5\n\
                    [[event]]\nname = \"e\"\neffect = \"hold\"\nprobability = 0.1\n";
        let scenario =
            crate::scenario::parse(std::path::Path::new("n.toml"), toml.as_bytes(), &[]).unwrap();
        let info = RunInfo::new(&scenario, 1, 0);
        assert_eq!(check_names(&info), Ok(()));
        let refused = |edit: &dyn Fn(&mut RunInfo)| {
            let mut i = info.clone();
            edit(&mut i);
            check_names(&i).unwrap_err().to_string()
        };
        assert_eq!(
            refused(&|i| i.name = "../../x".into()),
            "its results' info.name is not a valid name: name must be 1 to 64 letters, digits, \
             '-' and '_' (it names the output folder), got \"../../x\""
        );
        let mut with_regime = info.clone();
        with_regime.regimes = vec![crate::report::RegimeTerms::of(
            &crate::scenario::Regime {
                name: "calm".to_string(),
                approval_factor: 1.0,
                batch_factor: 1.0,
                conversion_factor: 1.0,
                domestic_ratio: None,
                domestic_supply_factor: 1.0,
                hold: false,
                transition: vec![1.0],
            },
            1.0,
        )];
        assert_eq!(check_names(&with_regime), Ok(()));
        with_regime.regimes[0].name = "r".repeat(65);
        assert!(
            check_names(&with_regime)
                .unwrap_err()
                .to_string()
                .starts_with("its results' info.regimes[0].name is not a valid name")
        );
        assert!(
            refused(&|i| i.firms[0] = "F".repeat(65))
                .starts_with("its results' info.firms[0] is not a valid name: firm.name is 65")
        );
        let event = info.knobs.iter().position(|(l, _)| l == "event e").unwrap();
        assert_eq!(
            refused(&|i| i.knobs[event].0 = "event ".to_string() + &"e".repeat(65)),
            format!(
                "its results' info.knobs[{event}] (an event) is not a valid name: event.name is \
                 65 characters long, more than the limit of 64: \"{}…\"",
                "e".repeat(24)
            )
        );
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(
            r#"{ "b": [1, 2.5, "x\"y"], "a": {"z": null, "é": true, "y": 18446744073709551615} }"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            r#"{"a":{"y":18446744073709551615,"z":null,"é":true},"b":[1,2.5,"x\"y"]}"#
        );
    }
}
