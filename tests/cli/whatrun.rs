//! What a user hands on says what it shows (issue 13, items 1–3 and 17): a run with `--set`
//! overrides gets a folder, titles and subtitles of its own; a comparison records every
//! override, varied or fixed, on every row; the reference is the one asked for, and stdout
//! says who gains and who loses; a comparison of different firm lists says how to align them.

use std::path::Path;
use std::process::Output;

use crate::common::{allocsim, entries, read_csv, root, run, stderr, stdout, tempdir};

/// A working folder holding a copy of the shipped scenarios under `scenarios/`, so default
/// output folders land in it and messages name `scenarios/NAME.toml`.
fn workdir() -> tempfile::TempDir {
    let tmp = tempdir();
    let dir = tmp.path().join("scenarios");
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    tmp
}

/// The binary run in `cwd` with `args`; panics with its stderr unless it succeeds.
fn ok_in(cwd: &Path, args: &[&str]) -> Output {
    let out = allocsim().current_dir(cwd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "allocsim {args:?} failed: {}",
        stderr(&out)
    );
    out
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const TALMUD_06: &str = "baseline+allocation.rule=talmud+domestic.ratio=0.6";

#[test]
fn a_run_with_overrides_gets_a_folder_that_names_them_and_leaves_the_baseline() {
    let tmp = workdir();
    let cwd = tmp.path();
    ok_in(
        cwd,
        &["run", "scenarios/baseline.toml", "--trials", "300", "-q"],
    );
    let baseline = cwd.join("output/baseline");
    let before = std::fs::read(baseline.join("summary.csv")).unwrap();
    let o = ok_in(
        cwd,
        &[
            "run",
            "scenarios/baseline.toml",
            "--set",
            "allocation.rule=talmud",
            "--set",
            "domestic.ratio=0.6",
            "--trials",
            "300",
        ],
    );
    assert_eq!(entries(&cwd.join("output")), ["baseline", TALMUD_06]);
    // The baseline's own results are as they were.
    assert_eq!(std::fs::read(baseline.join("summary.csv")).unwrap(), before);
    let folder = cwd.join("output").join(TALMUD_06);
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "baseline, with allocation.rule = talmud, domestic.ratio = 0.6 — 300 trials, seed \
             20260128, rule talmud,"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!("Results in output/{TALMUD_06}/")),
        "{out}"
    );

    // results.json records the overrides and the rule used; the report's title names them.
    let info = &json(&folder.join("results.json"))["info"];
    assert_eq!(
        info["overrides"],
        serde_json::json!([["allocation.rule", "talmud"], ["domestic.ratio", "0.6"]])
    );
    assert_eq!(info["rule"], "talmud");
    let html = text(&folder.join("report.html"));
    let title = "baseline, with allocation.rule = talmud, domestic.ratio = 0.6";
    assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
    assert!(html.contains(&format!("<title>allocsim: {title}</title>")));
    assert!(html.contains(
        "Overrides of the scenario file (--set): allocation.rule = talmud, domestic.ratio = 0.6"
    ));
    assert!(html.contains("talmud allocation"));

    // A run without overrides is as before: no overrides in results.json or the report.
    let plain = json(&baseline.join("results.json"));
    assert!(
        plain["info"].get("overrides").is_none(),
        "{}",
        plain["info"]
    );
    let plain_html = text(&baseline.join("report.html"));
    assert!(plain_html.contains("<h1>baseline</h1>"));
    assert!(!plain_html.contains("Overrides of the scenario file"));

    // `allocsim report` redraws the titles from results.json, and reads one written without
    // the field (the plain run's) as before.
    std::fs::remove_file(folder.join("report.html")).unwrap_or(());
    let o = run(&["report", folder.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text(&folder.join("report.html")).contains(&format!("<h1>{title}</h1>")));
    let o = run(&["report", baseline.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text(&baseline.join("report.html")).contains("<h1>baseline</h1>"));
}

#[test]
fn overrides_that_are_not_plain_words_name_the_folder_by_a_hash() {
    let tmp = workdir();
    let cwd = tmp.path();
    let batch = |v: u32| format!("approval.batch={{dist=\"fixed\",value={v}}}");
    for v in [200000, 300000] {
        ok_in(
            cwd,
            &[
                "run",
                "scenarios/baseline.toml",
                "--set",
                &batch(v),
                "--trials",
                "50",
                "-q",
                "--no-charts",
            ],
        );
    }
    let folders = entries(&cwd.join("output"));
    assert_eq!(folders.len(), 2, "{folders:?}");
    for f in &folders {
        let hash = f
            .strip_prefix("baseline+1-override-")
            .unwrap_or_else(|| panic!("{f}"));
        assert!(
            hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{f}"
        );
        let overrides =
            &json(&cwd.join("output").join(f).join("results.json"))["info"]["overrides"];
        assert_eq!(overrides[0][0], "approval.batch");
    }
}

#[test]
fn shards_and_their_merge_default_to_the_overridden_name() {
    let tmp = workdir();
    let cwd = tmp.path();
    for k in ["1/2", "2/2"] {
        ok_in(
            cwd,
            &[
                "run",
                "scenarios/baseline.toml",
                "--set",
                "domestic.ratio=0.6",
                "--trials",
                "100",
                "--shard",
                k,
                "-q",
            ],
        );
    }
    let shard = |k| format!("output/baseline+domestic.ratio=0.6-shard-{k}-of-2");
    let o = ok_in(cwd, &["merge", &shard(1), &shard(2), "--no-charts"]);
    assert!(
        stdout(&o).starts_with("baseline, with domestic.ratio = 0.6 — 100 trials merged"),
        "{}",
        stdout(&o)
    );
    let merged = cwd.join("output/baseline+domestic.ratio=0.6");
    let info = &json(&merged.join("results.json"))["info"];
    assert_eq!(
        info["overrides"],
        serde_json::json!([["domestic.ratio", "0.6"]])
    );
}

/// Sweep with a fixed override and a varied one: both are columns of comparison.csv and
/// differences.csv, filled on every row; the report's title and stdout name the fixed one.
#[test]
fn a_sweep_records_the_knobs_it_holds_fixed_on_every_row() {
    let dir = tempdir();
    let out = dir.path().join("sweep");
    let o = ok_in(
        &root(),
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--set",
            "allocation.rule=equal_awards",
            "--set",
            "domestic.ratio=0.3,1",
            "--trials",
            "300",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&o).starts_with("baseline sweep, with allocation.rule = equal_awards — 2 points"),
        "{}",
        stdout(&o)
    );
    for file in ["comparison.csv", "differences.csv"] {
        let csv = read_csv(&out.join(file));
        assert_eq!(
            csv.header[..4],
            ["point", "domestic.ratio", "allocation.rule", "firm"],
            "{file}"
        );
        let (ratio, rule) = (csv.column("domestic.ratio"), csv.column("allocation.rule"));
        assert!(!csv.rows.is_empty());
        for row in &csv.rows {
            assert_eq!(row[rule], "equal_awards", "{file}: {row:?}");
            let expect = if row[0] == "1" { "0.3" } else { "1" };
            assert_eq!(row[ratio], expect, "{file}: {row:?}");
        }
    }
    let html = text(&out.join("report.html"));
    assert!(
        html.contains(
            "<h1>baseline, with allocation.rule = equal_awards: sweep of domestic.ratio</h1>"
        ),
        "{html}"
    );
    assert!(html.contains("in every point (--set): allocation.rule = equal_awards"));
}

/// Sensitivity: a point that keeps the scenario's value of a knob shows that value, not a
/// blank cell; a fixed override has its own column.
#[test]
fn sensitivity_fills_the_scenarios_values_and_the_fixed_overrides() {
    let dir = tempdir();
    let out = dir.path().join("sens");
    ok_in(
        &root(),
        &[
            "sensitivity",
            "scenarios/baseline.toml",
            "--vary",
            "domestic.ratio=0.2,0.6",
            "--vary",
            "approval.round.3.probability=0.5,0.9",
            "--set",
            "allocation.rule=talmud",
            "--trials",
            "200",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--no-charts",
        ],
    );
    let csv = read_csv(&out.join("comparison.csv"));
    assert_eq!(
        csv.header[..5],
        [
            "point",
            "domestic.ratio",
            "approval.round.3.probability",
            "allocation.rule",
            "firm"
        ]
    );
    // Round 3 has no override in the file: its probability is approval.probability's, 0.7.
    let expect = [
        ("1", "0.3", "0.7"),
        ("2", "0.2", "0.7"),
        ("3", "0.6", "0.7"),
        ("4", "0.3", "0.5"),
        ("5", "0.3", "0.9"),
    ];
    for row in &csv.rows {
        let p: usize = row[0].parse().unwrap();
        let (point, ratio, round3) = expect[p - 1];
        assert_eq!(
            (
                row[0].as_str(),
                row[1].as_str(),
                row[2].as_str(),
                row[3].as_str()
            ),
            (point, ratio, round3, "talmud"),
            "{row:?}"
        );
    }
}

/// `compare --reference NAME` makes that scenario point 1 and names the folder after it;
/// without it, stdout says the first file is the reference and how to choose another.
#[test]
fn compare_takes_the_reference_asked_for_and_names_the_folder_after_it() {
    let tmp = workdir();
    let cwd = tmp.path();
    let files = [
        "scenarios/accelerated-domestic.toml",
        "scenarios/baseline.toml",
        "scenarios/tighter-oversight.toml",
    ];
    let mut args = vec!["compare"];
    args.extend(files);
    args.extend(["--trials", "300", "--no-charts", "--reference", "baseline"]);
    let o = ok_in(cwd, &args);
    assert!(
        stdout(&o).contains("Point 1, baseline, is the reference (--reference)."),
        "{}",
        stdout(&o)
    );
    assert_eq!(entries(&cwd.join("output")), ["baseline-compare"]);
    let diffs = read_csv(&cwd.join("output/baseline-compare/differences.csv"));
    let mut order: Vec<(String, String)> = Vec::new();
    for r in &diffs.rows {
        let key = (r[0].clone(), r[1].clone());
        if !order.contains(&key) {
            order.push(key);
        }
    }
    let names: Vec<(&str, &str)> = order
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("1", "baseline"),
            ("2", "accelerated-domestic"),
            ("3", "tighter-oversight")
        ]
    );
    // Differences are against the baseline: its own rows are zero.
    for r in diffs.rows.iter().filter(|r| r[0] == "1") {
        assert_eq!(r[diffs.column("mean_diff")], "0", "{r:?}");
    }
    // The seed and trials are the reference's: the baseline's seed.
    let manifest = crate::common::manifest(&cwd.join("output/baseline-compare"));
    assert_eq!(manifest["seed"], 20260128);

    let o = ok_in(
        cwd,
        &[
            "compare",
            files[0],
            files[1],
            "--trials",
            "100",
            "--no-charts",
            "-q",
        ],
    );
    assert!(stdout(&o).is_empty());
    let o = ok_in(
        cwd,
        &[
            "compare",
            files[0],
            files[1],
            "--trials",
            "100",
            "--no-charts",
        ],
    );
    assert!(
        stdout(&o).contains(
            "Point 1, accelerated-domestic, the first file, is the reference (choose another \
             with --reference NAME)."
        ),
        "{}",
        stdout(&o)
    );
    assert!(cwd.join("output/accelerated-domestic-compare").is_dir());

    let o = allocsim()
        .current_dir(cwd)
        .args(["compare", files[0], files[1], "--reference", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--reference nope: no scenario of this comparison is named nope; its scenarios are accelerated-domestic (scenarios/accelerated-domestic.toml), baseline (scenarios/baseline.toml)"),
        "{err}"
    );
}

#[test]
fn sweep_reference_becomes_point_one() {
    let dir = tempdir();
    let out = dir.path().join("sw");
    ok_in(
        &root(),
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--set",
            "domestic.ratio=0.3,0.5,0.7",
            "--reference",
            "0.5",
            "--trials",
            "200",
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--no-charts",
        ],
    );
    let diffs = read_csv(&out.join("differences.csv"));
    let point1: Vec<&Vec<String>> = diffs.rows.iter().filter(|r| r[0] == "1").collect();
    assert!(
        point1
            .iter()
            .all(|r| r[1] == "0.5" && r[diffs.column("mean_diff")] == "0")
    );
    let o = run(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "domestic.ratio=0.3,0.5",
        "--reference",
        "0.4",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("0.4 is not one of the values of domestic.ratio (0.3, 0.5)"),
        "{}",
        stderr(&o)
    );
}

/// A rule change barely moves the total; stdout says, per point, which firm gains most and
/// which loses most, as differences.csv has them.
#[test]
fn stdout_names_the_firm_that_loses_most_and_the_one_that_gains_most() {
    let dir = tempdir();
    let out = dir.path().join("rules");
    let o = ok_in(
        &root(),
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--set",
            "allocation.rule=proportional,talmud",
            "--trials",
            "1000",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ],
    );
    let text = stdout(&o);
    let diffs = read_csv(&out.join("differences.csv"));
    let (mean, firm, metric) = (
        diffs.column("mean_diff"),
        diffs.column("firm"),
        diffs.column("metric"),
    );
    let mut unmet: Vec<(f64, String)> = diffs
        .rows
        .iter()
        .filter(|r| r[0] == "2" && r[metric] == "unmet" && r[firm] != "total")
        .map(|r| (r[mean].parse().unwrap(), r[firm].clone()))
        .collect();
    unmet.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (gainer, loser) = (&unmet[0].1, &unmet[unmet.len() - 1].1);
    assert_ne!(gainer, loser);
    let line = |what: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(what))
            .unwrap_or_else(|| panic!("no {what:?} line in\n{text}"))
            .to_string()
    };
    assert!(
        text.contains("Who gains and who loses, against point 1 (allocation.rule=proportional)"),
        "{text}"
    );
    assert!(
        text.contains("  point 2 (allocation.rule=talmud): total "),
        "{text}"
    );
    let loses = line("loses most:");
    assert!(
        loses.split_whitespace().nth(2) == Some(loser.as_str()) && loses.contains(" +"),
        "{loses} (expected {loser})\n{text}"
    );
    let gains = line("gains most:");
    assert!(
        gains.split_whitespace().nth(2) == Some(gainer.as_str()) && gains.contains(" −"),
        "{gains} (expected {gainer})\n{text}"
    );
}
