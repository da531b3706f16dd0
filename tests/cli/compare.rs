//! `sweep`, `compare` and `sensitivity` through the binary: grids and labels, validation of every
//! point before any runs, firms matched by name, rankings, determinism across threads, outputs.

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
            "value",
            "ci_low",
            "ci_high"
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
            "n",
            "p5_diff",
            "p50_diff",
            "p95_diff",
            "share_all_better"
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

/// Firms are matched by name (MODEL.md "Randomness": a firm's draws are keyed by its name).
/// by-name-b lists by-name-a's firms in another order, with a firm N of its own inserted, and
/// nothing else differs; N is served last with no carry-over, so it takes only what the others
/// leave. Every shared firm's paired difference is then exactly zero, whatever its position,
/// the total's is N's own (each total is over its own scenario's firms), and N is reported as
/// in one side only in every output.
#[test]
fn compare_pairs_firms_by_name_and_reports_the_others() {
    let dir = tempdir();
    let out = dir.path().join("by-name");
    let (a, b) = (data("by-name-a.toml"), data("by-name-b.toml"));
    let o = run_ok(&["compare", &a, &b, "--trials", "300", "--out", out_arg(&out)]);
    let text = stdout(&o);
    for part in [
        "  point 2 (by-name-b) adds N against point 1.",
        "each total is over its own scenario's firms, so totals compared here cover different \
         firms",
        "      N: only in by-name-b\n",
        "0 firms gain, 0 lose, 3 no clear change",
    ] {
        assert!(text.contains(part), "{part:?} not in\n{text}");
    }

    let diffs = read_csv(&out.join("differences.csv"));
    let cmp = read_csv(&out.join("comparison.csv"));
    for csv in [&diffs, &cmp] {
        assert!(csv.rows.iter().all(|r| r.len() == csv.header.len()));
    }
    let (firm, metric, n) = (
        diffs.column("firm"),
        diffs.column("metric"),
        diffs.column("n"),
    );
    let stats = ["mean_diff", "ci_low", "ci_high", "sd_diff", "share_worse"];
    // Firms in the reference's order, then b's extra one, then the total, at every point.
    let order: Vec<&str> = diffs
        .rows
        .iter()
        .filter(|r| r[0] == "2" && r[metric] == "unmet")
        .map(|r| r[firm].as_str())
        .collect();
    assert_eq!(order, ["A", "B", "C", "N", "total"]);
    for row in diffs.rows.iter().filter(|r| r[0] == "2") {
        let cells: Vec<&str> = stats
            .iter()
            .map(|c| row[diffs.column(c)].as_str())
            .collect();
        match row[firm].as_str() {
            // Common random numbers by name: exactly nothing changes for them.
            "A" | "B" | "C" => {
                assert_eq!(cells, ["0"; 5], "{row:?}");
                assert_eq!(row[n], "300", "{row:?}");
            }
            // Nothing to pair: empty, and no pairs (never a zero difference).
            "N" => {
                assert_eq!(cells, [""; 5], "{row:?}");
                assert_eq!(row[n], "0", "{row:?}");
            }
            _ => assert_ne!(cells[0], "0", "the total counts N in b only: {row:?}"),
        }
    }
    // N at the reference too: no pairs.
    assert!(
        diffs
            .rows
            .iter()
            .filter(|r| r[0] == "1" && r[firm] == "N")
            .all(|r| r[n] == "0" && r[diffs.column("mean_diff")].is_empty())
    );
    // comparison.csv: N's statistics are empty where a does not list it, and real in b; the
    // total's paired difference is N's own mean (the shared firms cancel exactly).
    let value = |point: &str, name: &str, m: &str, stat: &str| -> String {
        let (f, mm, st, v) = (
            cmp.column("firm"),
            cmp.column("metric"),
            cmp.column("stat"),
            cmp.column("value"),
        );
        cmp.rows
            .iter()
            .find(|r| r[0] == point && r[f] == name && r[mm] == m && r[st] == stat)
            .unwrap_or_else(|| panic!("no {name} {m} {stat} at point {point}"))[v]
            .clone()
    };
    let n_rows = |point: &str| {
        cmp.rows
            .iter()
            .filter(|r| r[0] == point && r[cmp.column("firm")] == "N")
            .map(|r| r[cmp.column("value")].clone())
            .collect::<Vec<_>>()
    };
    assert!(!n_rows("1").is_empty() && n_rows("1").iter().all(String::is_empty));
    assert!(n_rows("2").iter().all(|v| !v.is_empty()));
    let n_unmet: f64 = value("2", "N", "unmet", "mean").parse().unwrap();
    assert!(n_unmet > 0.0 && value("2", "N", "delivered", "mean") != "0");
    let total = diff_rows(&diffs, "total", "unmet")[1][diffs.column("mean_diff")]
        .parse::<f64>()
        .unwrap();
    assert!((total - n_unmet).abs() < 1e-3, "{total} vs {n_unmet}");
    for name in ["A", "B", "C"] {
        assert_eq!(
            value("1", name, "delivered", "p95"),
            value("2", name, "delivered", "p95")
        );
    }

    // comparison.json keeps each point's own firms where they are not the comparison's.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(json["firms"], serde_json::json!(["A", "B", "C", "N"]));
    assert_eq!(
        json["points"][0]["firms"],
        serde_json::json!(["A", "B", "C"])
    );
    assert_eq!(
        json["points"][1]["firms"],
        serde_json::json!(["C", "N", "A", "B"])
    );

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        "point 2 (by-name-b) adds <strong>N</strong>",
        "so the totals compared cover different firms",
        "<td class=\"note\">only in point 2: no paired difference</td>",
        "<span class=\"note\">only in 2</span>",
    ] {
        assert!(html.contains(part), "{part:?} not in report.html");
    }
    // `allocsim report` redraws the page and the chart byte for byte from comparison.json.
    let drawn: Vec<Vec<u8>> = ["report.html", "differences.png"]
        .iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(f)).unwrap();
            std::fs::remove_file(out.join(f)).unwrap();
            bytes
        })
        .collect();
    run_ok(&["report", out_arg(&out)]);
    for (f, before) in ["report.html", "differences.png"].iter().zip(&drawn) {
        assert!(
            &std::fs::read(out.join(f)).unwrap() == before,
            "{f} redrawn differs"
        );
    }

    // b as the reference: N is then the reference's alone, listed after b's own order.
    let rev = dir.path().join("rev");
    let o = run_ok(&[
        "compare",
        &a,
        &b,
        "--reference",
        "by-name-b",
        "--trials",
        "300",
        "--out",
        out_arg(&rev),
        "--no-charts",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("      N: only in by-name-b\n") && text.contains("lacks N against point 1"),
        "{text}"
    );
    let diffs = read_csv(&rev.join("differences.csv"));
    let order: Vec<&str> = diff_rows(&diffs, "total", "unmet")
        .iter()
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(order, ["by-name-b", "by-name-a"]);
    let firms: Vec<&str> = diffs
        .rows
        .iter()
        .filter(|r| r[0] == "2" && r[diffs.column("metric")] == "unmet")
        .map(|r| r[diffs.column("firm")].as_str())
        .collect();
    assert_eq!(firms, ["C", "N", "A", "B", "total"]);
    pandas_reads(&[&out.join("comparison.csv"), &out.join("differences.csv")]);
}

/// Reads each CSV with pandas, as the analysts do, and checks that the numeric columns come out
/// numeric (an empty cell is NaN); skipped, with a note, where python3 has no pandas.
fn pandas_reads(files: &[&Path]) {
    let has = std::process::Command::new("python3")
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        eprintln!("python3 with pandas not found: the CSVs were not read with pandas");
        return;
    }
    let script = "import sys, pandas as pd\n\
        for f in sys.argv[1:]:\n\
        \x20   d = pd.read_csv(f)\n\
        \x20   for c in ['value', 'mean_diff', 'ci_low', 'ci_high', 'sd_diff', 'share_worse', 'n']:\n\
        \x20       if c in d: assert pd.api.types.is_numeric_dtype(d[c]), (f, c, d[c].dtype)\n";
    let mut cmd = std::process::Command::new("python3");
    cmd.args(["-c", script]).args(files);
    let o = cmd.output().expect("python3 runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A sweep's points come from one scenario and must list its firms: a knob that renames one is
/// refused before anything runs, pointing to compare.
#[test]
fn a_sweep_cannot_rename_a_firm() {
    let dir = tempdir();
    let out = dir.path().join("never");
    let o = run(&[
        "sweep",
        "scenarios/baseline.toml",
        "--set",
        "firm.Baidu.name=Baidu,Kuaishou",
        "--out",
        out_arg(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("has Kuaishou that point firm.Baidu.name=Baidu lacks")
            && err.contains("run allocsim compare, which matches firms by name"),
        "{err}"
    );
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

/// differences.csv's percentiles of the per-trial difference and its share of trials in which
/// every firm is better off are those of the two points' own trials (trials.csv of each run),
/// computed here by sorting.
#[test]
fn paired_percentiles_and_every_firm_better_are_those_of_the_trials() {
    let tmp = tempdir();
    let out = tmp.path().join("sweep");
    run_ok(&[
        "sweep",
        "tests/data/random.toml",
        "--set",
        "domestic.ratio=0.3,0",
        "--trials",
        "600",
        "--out",
        out_arg(&out),
        "--no-charts",
    ]);
    let diffs = read_csv(&out.join("differences.csv"));
    let trials = |ratio: &str| {
        let dir = tmp.path().join(format!("run-{ratio}"));
        run_ok(&[
            "run",
            "tests/data/random.toml",
            "--set",
            &format!("domestic.ratio={ratio}"),
            "--trials",
            "600",
            "--trials-csv",
            "--out",
            out_arg(&dir),
            "--no-charts",
            "--quiet",
        ]);
        read_csv(&dir.join("trials.csv"))
    };
    let (reference, point) = (trials("0.3"), trials("0"));
    let firms: Vec<String> = {
        let mut f: Vec<String> = reference.rows.iter().map(|r| r[1].clone()).collect();
        f.dedup();
        f.truncate(
            f.iter()
                .skip(1)
                .position(|n| *n == f[0])
                .map_or(f.len(), |p| p + 1),
        );
        f
    };
    // type 7 on sorted values, as numpy's default.
    let percentile = |sorted: &[f64], q: f64| {
        let h = q * (sorted.len() - 1) as f64;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        if frac == 0.0 {
            sorted[lo]
        } else {
            sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
        }
    };
    for metric in ["unmet", "delivered", "domestic"] {
        let value = |csv: &crate::common::Csv, i: usize| csv.number(i, metric);
        let mut per_firm: Vec<Vec<f64>> = vec![Vec::new(); firms.len() + 1];
        let mut all_better = 0;
        for t in 0..600 {
            let mut better = true;
            let mut total = 0.0;
            for (f, _) in firms.iter().enumerate() {
                let i = t * firms.len() + f;
                let d = value(&point, i) - value(&reference, i);
                per_firm[f].push(d);
                total += d;
                better &= if metric == "delivered" {
                    d > 0.0
                } else {
                    d < 0.0
                };
            }
            per_firm[firms.len()].push(total);
            all_better += usize::from(better);
        }
        for (f, diffs_of) in per_firm.iter_mut().enumerate() {
            diffs_of.sort_by(f64::total_cmp);
            let name = firms.get(f).map_or("total", String::as_str);
            let row = diffs
                .rows
                .iter()
                .position(|r| {
                    r[0] == "2"
                        && r[diffs.column("firm")] == name
                        && r[diffs.column("metric")] == metric
                })
                .expect("the row");
            for (column, q) in [("p5_diff", 0.05), ("p50_diff", 0.5), ("p95_diff", 0.95)] {
                let expected = percentile(diffs_of, q);
                let got = diffs.number(row, column);
                assert!(
                    (got - expected).abs() < 1e-3,
                    "{name} {metric} {column}: {got} vs {expected}"
                );
            }
            let share = &diffs.rows[row][diffs.column("share_all_better")];
            if name == "total" {
                let expected = all_better as f64 / 600.0;
                assert!(
                    (share.parse::<f64>().unwrap() - expected).abs() < 1e-6,
                    "{metric}: {share}"
                );
            } else {
                assert!(share.is_empty(), "{name} {metric}: {share}");
            }
        }
    }
}
