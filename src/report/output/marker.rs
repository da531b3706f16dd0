//! The marker that every output folder carries (`.allocsim`): which allocsim wrote it, what kind
//! of output it is, and the files it wrote. Only a folder whose every entry the marker accounts
//! for is ever replaced, so a user's own file is never deleted.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The marker's file name inside an output folder.
pub const MARKER: &str = ".allocsim";

/// What kind of output a folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `run`, or `merge` of a sharded run: summary.csv, results.json, charts, report.html.
    Run,
    /// One shard of a run: partial.json and manifest.json.
    Shard,
    /// `sweep`: comparison.csv, differences.csv, comparison.json, the sweep and heatmap charts,
    /// report.html.
    Sweep,
    /// `compare`: comparison.csv, differences.csv, comparison.json, the differences chart,
    /// report.html.
    Compare,
    /// `sensitivity`: a comparison's CSV files and comparison.json, sensitivity.csv, the
    /// tornado chart, report.html.
    Sensitivity,
    /// `importance`: importance.csv, importance.png, report.html.
    Importance,
    /// `tail`: tail.csv, tail.png, report.html.
    Tail,
}

impl Kind {
    /// The kind as the marker spells it (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Shard => "shard",
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
            Kind::Sensitivity => "sensitivity",
            Kind::Importance => "importance",
            Kind::Tail => "tail",
        }
    }
}

/// The marker's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// What this file is, for a person who finds it.
    pub about: String,
    /// The allocsim version that wrote the folder (informational: any version's marker is
    /// honoured).
    pub allocsim_version: String,
    /// What the folder holds; a folder reopened by [`crate::report::OutputDir::reopen`] keeps it.
    pub kind: Kind,
    /// Every file allocsim wrote into the folder, sorted.
    pub files: Vec<String>,
}

const ABOUT: &str = "An allocsim output folder. allocsim replaces it whole on the next run \
                     into it, and refuses to if it holds files not listed here.";

impl Marker {
    /// The marker for a folder of `kind` holding `files`, stamped with this allocsim's version;
    /// `files` are sorted and deduplicated.
    pub fn new(kind: Kind, mut files: Vec<String>) -> Marker {
        files.sort();
        files.dedup();
        Marker {
            about: ABOUT.to_string(),
            allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
            kind,
            files,
        }
    }

    /// The marker as pretty JSON, the bytes of the `.allocsim` file.
    pub fn to_json(&self) -> Vec<u8> {
        crate::report::format::pretty_json(self)
    }

    /// The marker of the folder `dir`, if it has one that parses.
    pub fn read(dir: &Path) -> Option<Marker> {
        let bytes = std::fs::read(dir.join(MARKER)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Files that allocsim 0.2 and earlier wrote, before folders carried a marker: a folder without
/// a marker, holding nothing but these and a manifest.json of allocsim's, is taken as allocsim's
/// own, so results from before the marker can still be replaced and redrawn.
pub(super) fn is_legacy_output_name(name: &str) -> bool {
    const FIXED: [&str; 17] = [
        "summary.csv",
        "rounds.csv",
        "trials.csv",
        "manifest.json",
        "results.json",
        "partial.json",
        "report.html",
        "comparison.csv",
        "differences.csv",
        "sensitivity.csv",
        "unmet.png",
        "exceedance.png",
        "deliveries.png",
        "domestic.png",
        "fill.png",
        "tornado.png",
        "differences.png",
    ];
    FIXED.contains(&name)
        || (name.ends_with(".png") && (name.starts_with("sweep-") || name.starts_with("heatmap-")))
}

/// The marker a pre-marker allocsim folder would have had, if `names` (its entries) are all
/// allocsim's and its manifest.json says allocsim wrote it.
pub fn legacy(dir: &Path, names: &[String]) -> Option<Marker> {
    if names.is_empty() || !names.iter().all(|n| is_legacy_output_name(n)) {
        return None;
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
    manifest.get("allocsim_version")?.as_str()?;
    let has = |n: &str| names.iter().any(|m| m == n);
    let kind = if has("partial.json") {
        Kind::Shard
    } else if has("sensitivity.csv") {
        Kind::Sensitivity
    } else if has("comparison.csv") {
        match manifest.get("command").and_then(|c| c.as_str()) {
            Some("compare") => Kind::Compare,
            _ => Kind::Sweep,
        }
    } else {
        Kind::Run
    };
    Some(Marker::new(kind, names.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_reads_back_and_lists_its_files_sorted_once() {
        let tmp = tempfile::tempdir().unwrap();
        let m = Marker::new(
            Kind::Sweep,
            vec!["b.csv".into(), "a.png".into(), "b.csv".into()],
        );
        assert_eq!(m.files, ["a.png", "b.csv"]);
        std::fs::write(tmp.path().join(MARKER), m.to_json()).unwrap();
        assert_eq!(Marker::read(tmp.path()), Some(m));
        std::fs::write(tmp.path().join(MARKER), b"{\"kind\": \"run\"}").unwrap();
        assert_eq!(
            Marker::read(tmp.path()),
            None,
            "an incomplete marker is no marker"
        );
    }

    #[test]
    fn a_legacy_folder_needs_only_allocsim_names_and_its_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        std::fs::write(
            tmp.path().join("manifest.json"),
            br#"{"allocsim_version": "0.2.0", "name": "x"}"#,
        )
        .unwrap();
        let run = legacy(
            tmp.path(),
            &names(&["manifest.json", "summary.csv", "unmet.png"]),
        );
        assert_eq!(run.map(|m| m.kind), Some(Kind::Run));
        let shard = legacy(tmp.path(), &names(&["manifest.json", "partial.json"]));
        assert_eq!(shard.map(|m| m.kind), Some(Kind::Shard));
        assert_eq!(
            legacy(tmp.path(), &names(&["manifest.json", "thesis.txt"])),
            None,
            "a foreign file makes it the user's"
        );
        assert_eq!(
            legacy(tmp.path(), &names(&["manifest.json", "photo.png"])),
            None
        );
        std::fs::write(tmp.path().join("manifest.json"), br#"{"name": "x"}"#).unwrap();
        assert_eq!(legacy(tmp.path(), &names(&["manifest.json"])), None);
    }
}
