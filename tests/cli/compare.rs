//! `sweep`, `compare` and `sensitivity` through the binary: grids and labels, validation of every
//! point before any runs, firm mismatches, rankings, determinism across threads, outputs.

use std::path::Path;

use crate::common::{Csv, data, read_csv, run, run_ok, stderr, stdout, tempdir};

fn out_arg(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Rows of differences.csv for `firm` and `metric`, as (point, row).
fn diff_rows<'a>(csv: &'a Csv, firm: &str, metric: &str) -> Vec<&'a Vec<String>> {
    let (f, m) = (csv.column("firm"), csv.column("metric"));
    csv.rows
        .iter()
        .filter(|r| r[f] == firm && r[m] == metric)
        .collect()
}

#[test]
fn sweep_runs_the_cartesian_grid_with_labelled_points() {
    let dir = tempdir();
    let out = dir.path().join("sweep");
    let o = run_ok(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "domestic.ratio=0.3,0.5",
        "--set",
        "allocation.rule=proportional,talmud,equal_awards",
        "--set",
        "approval.probability=0.7",
        "--trials",
        "400",
        "--out",
        out_arg(&out),
        "--no-charts",
    ]);
    let text = stdout(&o);
    assert!(text.contains("6 points × 400 trials"), "{text}");
    let cmp = read_csv(&out.join("comparison.csv"));
    // The fixed override has a column of its own, after the knobs' (issue 13).
    assert_eq!(
        cmp.header,
        [
            "point",
            "domestic.ratio",
            "allocation.rule",
            "approval.probability",
            "firm",
            "metric",
            "stat",
            "value"
        ]
    );
    assert!(cmp.rows.iter().all(|r| r[3] == "0.7"));
    // Six points in row-major order: the first knob changes slowest.
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for r in &cmp.rows {
        let key = (r[0].clone(), r[1].clone(), r[2].clone());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    let expect = [
        ("1", "0.3", "proportional"),
        ("2", "0.3", "talmud"),
        ("3", "0.3", "equal_awards"),
        ("4", "0.5", "proportional"),
        ("5", "0.5", "talmud"),
        ("6", "0.5", "equal_awards"),
    ];
    assert_eq!(
        seen,
        expect
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    // Every point has summary.csv's statistics: 7 series × 6 metrics × 11 stats.
    assert_eq!(cmp.rows.len(), 6 * 7 * 6 * 11);
    let diffs = read_csv(&out.join("differences.csv"));
    assert_eq!(
        diffs.header,
        [
            "point",
            "domestic.ratio",
            "allocation.rule",
            "approval.probability",
            "firm",
            "metric",
            "mean_diff",
            "ci_low",
            "ci_high",
            "sd_diff",
            "share_worse",
            "n"
        ]
    );
    assert_eq!(diffs.rows.len(), 6 * 7 * 3);
    let manifest = crate::common::manifest(&out);
    assert_eq!(manifest["command"], "sweep");
    assert_eq!(manifest["points"].as_array().unwrap().len(), 6);
    assert_eq!(manifest["overrides"][0], "approval.probability=0.7");
    assert_eq!(
        manifest["points"][4]["overrides"],
        serde_json::json!(["domestic.ratio=0.5", "allocation.rule=talmud"])
    );
}

#[test]
fn sweep_splits_distribution_values_outside_braces() {
    let dir = tempdir();
    let out = dir.path().join("batches");
    run_ok(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        r#"approval.batch={dist="uniform",min=100000,max=200000},{dist="fixed",value=300000}"#,
        "--trials",
        "200",
        "--out",
        out_arg(&out),
        "--quiet",
        "--no-charts",
    ]);
    let diffs = read_csv(&out.join("differences.csv"));
    let values: Vec<&str> = diff_rows(&diffs, "total", "unmet")
        .iter()
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(
        values,
        [
            r#"{dist="uniform",min=100000,max=200000}"#,
            r#"{dist="fixed",value=300000}"#
        ]
    );
}

#[test]
fn every_point_is_validated_before_any_runs() {
    let dir = tempdir();
    let out = dir.path().join("never");
    let o = run(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "domestic.ratio=0.3,0.4,-1",
        "--trials",
        "100000000",
        "--out",
        out_arg(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("sweep point 3 of 3"), "{err}");
    assert!(err.contains("--set domestic.ratio=-1"), "{err}");
    // It failed fast (10^8 trials would take minutes) and wrote nothing.
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_value_listed_twice_in_a_grid_is_refused_not_a_crash() {
    // Two knobs, one with a repeated value: the heatmaps find the grid by value, and this
    // panicked. (One knob may repeat a value: see the test above.)
    let dir = tempdir();
    let out = dir.path().join("never");
    let o = run(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "domestic.ratio=0.3,0.3",
        "--set",
        "allocation.rule=proportional,talmud",
        "--trials",
        "100",
        "--out",
        out_arg(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("--set domestic.ratio: the value 0.3 is listed twice"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn compare_with_different_firms_names_them() {
    let dir = tempdir();
    let other = dir.path().join("other.toml");
    let text = std::fs::read_to_string("scenarios/baseline.toml")
        .or_else(|_| std::fs::read_to_string(crate::common::root().join("scenarios/baseline.toml")))
        .unwrap()
        .replace("name = \"Baidu\"", "name = \"Kuaishou\"");
    std::fs::write(&other, text).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "compare",
        "scenarios/baseline.toml",
        out_arg(&other),
        "--out",
        out_arg(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("must list the same firms"), "{err}");
    assert!(err.contains("has Baidu that"), "{err}");
    assert!(err.contains("has Kuaishou that"), "{err}");
    assert!(!out.exists());
}

#[test]
fn compare_runs_whole_scenarios_against_the_first() {
    let dir = tempdir();
    let out = dir.path().join("cmp");
    run_ok(&[
        "compare",
        "scenarios/baseline.toml",
        "scenarios/tighter-oversight.toml",
        "--trials",
        "2000",
        "--out",
        out_arg(&out),
        "--quiet",
    ]);
    let diffs = read_csv(&out.join("differences.csv"));
    assert_eq!(diffs.header[1], "scenario");
    let total = diff_rows(&diffs, "total", "unmet");
    assert_eq!(total[0][1], "baseline");
    assert_eq!(total[1][1], "tighter-oversight");
    // Tighter oversight leaves more unmet, and the paired interval says so clearly.
    let low: f64 = total[1][diffs.column("ci_low")].parse().unwrap();
    assert!(low > 0.0, "{:?}", total[1]);
    for file in [
        "differences.png",
        "report.html",
        "comparison.csv",
        "manifest.json",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<img src=\"data:image/png;base64,"));
    assert!(html.contains("(differences.png)</figcaption>"));
    assert!(!html.contains("<script"));
}

#[test]
fn a_point_identical_to_the_reference_has_zero_differences() {
    let dir = tempdir();
    let out = dir.path().join("same");
    // 0.3 is the baseline's own ratio, so point 2 is the reference again.
    run_ok(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "domestic.ratio=0.3,0.3",
        "--trials",
        "500",
        "--out",
        out_arg(&out),
        "--quiet",
        "--no-charts",
    ]);
    let diffs = read_csv(&out.join("differences.csv"));
    for row in diffs.rows.iter().filter(|r| r[0] == "2") {
        for col in ["mean_diff", "ci_low", "ci_high", "sd_diff", "share_worse"] {
            assert_eq!(row[diffs.column(col)], "0", "{col} in {row:?}");
        }
        assert_eq!(row[diffs.column("n")], "500");
    }
}

#[test]
fn paired_differences_are_identical_on_any_number_of_threads() {
    let dir = tempdir();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(format!("t{threads}"));
        run_ok(&[
            "sweep",
            "scenarios/baseline.toml",
            "--set",
            "allocation.rule=proportional,random_priority",
            "--set",
            "rounds=3,5",
            "--trials",
            "1500",
            "--threads",
            threads,
            "--out",
            out_arg(&out),
            "--quiet",
            "--no-charts",
        ]);
        outputs.push((
            std::fs::read(out.join("differences.csv")).unwrap(),
            std::fs::read(out.join("comparison.csv")).unwrap(),
        ));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn sensitivity_ranks_knobs_and_draws_a_tornado() {
    let dir = tempdir();
    let out = dir.path().join("sens");
    let o = run_ok(&[
        "sensitivity",
        "scenarios/baseline.toml",
        "--vary",
        "domestic.ratio=0.2,0.6",
        "--vary",
        "rounds=3,6",
        "--vary",
        "event.customs-hold.probability=0.07,0.09",
        "--trials",
        "1500",
        "--out",
        out_arg(&out),
    ]);
    let text = stdout(&o);
    assert!(text.contains("1. rounds"), "{text}");
    let ranks = read_csv(&out.join("sensitivity.csv"));
    let knobs: Vec<&str> = ranks.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        knobs,
        ["rounds", "domestic.ratio", "event.customs-hold.probability"]
    );
    assert!(out.join("tornado.png").exists());
    // The reference is point 1 with every knob at the scenario's value, which its cells show
    // (they were empty before issue 13).
    let cmp = read_csv(&out.join("comparison.csv"));
    assert_eq!(&cmp.rows[0][..4], ["1", "0.3", "4", "0.08"]);
}

#[test]
fn sensitivity_needs_exactly_low_and_high() {
    let o = run(&[
        "sensitivity",
        "scenarios/baseline.toml",
        "--vary",
        "domestic.ratio=0.2,0.4,0.6",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("exactly two values"), "{}", stderr(&o));
}

#[test]
fn sweep_charts_follow_the_knob_kinds() {
    let dir = tempdir();
    let out = dir.path().join("charts");
    run_ok(&[
        "sweep",
        &data("good.toml"),
        "--set",
        "domestic.ratio=0.1,0.5",
        "--set",
        "allocation.rule=proportional,talmud",
        "--trials",
        "300",
        "--chart-size",
        "800x500",
        "--out",
        out_arg(&out),
        "--quiet",
    ]);
    for file in [
        "sweep-domestic.ratio.png",
        "sweep-allocation.rule.png",
        "heatmap-mean.png",
        "heatmap-p95.png",
        "report.html",
    ] {
        let bytes = std::fs::read(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        if file.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{file}");
        }
    }
}
