//! Regimes and drawn entry rounds through the binary (issue 14, item 7), from a scenario file
//! with `[[regime]]` tables: rounds.csv's regime shares and summary.csv's rounds in each regime
//! and entry rounds (exact, as the chain is deterministic), regimes.png, report.html and the
//! workbook's regimes sheet; the same bytes on any number of threads, from merged shards and
//! from `allocsim report`.
//!
//! Not yet in tests/cli/main.rs: the scenario reader of `[[regime]]` and of a distribution as
//! `eligible_from` is on branch v2-scenario. These tests passed on v2-outputs with v2-scenario
//! merged; add `mod regimes;` to main.rs when that reader is in.

use std::path::Path;

use crate::common::{Summary, data, read_csv, run_ok, run_scenario, sha256_file, tempdir};
use crate::xlsx_read::{Cell, Workbook};

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn a_deterministic_chain_gives_exact_regime_outputs() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("regimes.toml"), &out, &["--xlsx"]);
    // rounds.csv: a column per regime, named after it, in listed order; calm, tense, frozen,
    // calm, tense in every trial.
    let rounds = read_csv(&out.join("rounds.csv"));
    assert_eq!(
        rounds.header[rounds.header.len() - 4..],
        [
            "delivered_p95",
            "regime_calm_share",
            "regime_tense_share",
            "regime_frozen_share"
        ]
    );
    let shares: Vec<[f64; 3]> = (0..rounds.rows.len())
        .map(|r| {
            ["calm", "tense", "frozen"].map(|g| rounds.number(r, &format!("regime_{g}_share")))
        })
        .collect();
    let (calm, tense, frozen) = ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]);
    assert_eq!(shares, [calm, tense, frozen, calm, tense]);
    // The frozen round 3 holds: nothing approved.
    assert_eq!(rounds.number(2, "approval_rate"), 0.0);

    // summary.csv: the rounds in each regime on the total's rows, B's entry round on B's.
    let summary = Summary::read(&out);
    for (regime, rounds) in [("calm", 2.0), ("tense", 2.0), ("frozen", 1.0)] {
        let metric = format!("rounds_in_{regime}");
        for stat in ["mean", "min", "p50", "max"] {
            assert_eq!(
                summary.get("total", &metric, stat),
                rounds,
                "{metric} {stat}"
            );
        }
        assert!(
            !summary
                .values
                .contains_key(&("A".into(), metric, "mean".into()))
        );
    }
    let entry = |stat: &str| summary.get("B", "entry_round", stat);
    // 2, 4 or never (6), with weights 1, 1, 2.
    assert_eq!((entry("min"), entry("max")), (2.0, 6.0));
    assert!(
        (entry("mean") - 4.5).abs() < 4.0 * entry("se"),
        "{}",
        entry("mean")
    );
    assert!(
        !summary
            .values
            .contains_key(&("A".into(), "entry_round".into(), "mean".into()))
    );

    // The chart and the report's section, only because the scenario has regimes.
    assert!(out.join("regimes.png").is_file());
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("<h2>Regimes</h2>") && html.contains("(regimes.png)</figcaption>"));
    assert!(html.contains("<tr><td>tense</td><td class=\"n\">× 0.5</td>"));

    // The workbook: the regimes sheet, and rounds.csv's regime columns as numbers.
    let book = Workbook::open(&out.join("results.xlsx")).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        ["summary", "rounds", "regimes", "about"]
    );
    let sheet = book.sheet("regimes").expect("a regimes sheet");
    assert_eq!(sheet[2][0], Cell::Text("tense".into()));
    assert_eq!(sheet[2][1], Cell::Number(0.5));
    assert_eq!(sheet[2][10], Cell::Number(1.0), "tense → frozen");
    let rounds_sheet = book.sheet("rounds").expect("a rounds sheet");
    assert_eq!(rounds_sheet[3][12], Cell::Number(1.0), "round 3 is frozen");

    // `allocsim report` redraws the chart and the page byte for byte.
    let before = [
        sha256_file(&out.join("regimes.png")),
        sha256_file(&out.join("report.html")),
    ];
    run_ok(&["report", arg(&out)]);
    let after = [
        sha256_file(&out.join("regimes.png")),
        sha256_file(&out.join("report.html")),
    ];
    assert_eq!(before, after);
}

#[test]
fn regime_results_are_the_same_on_any_threads_and_from_merged_shards() {
    let tmp = tempdir();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run_scenario(
        &data("regimes.toml"),
        &one,
        &["--threads", "1", "--no-charts"],
    );
    run_scenario(
        &data("regimes.toml"),
        &two,
        &["--threads", "2", "--no-charts"],
    );
    let parts: Vec<_> = (1..=3).map(|k| tmp.path().join(format!("s{k}"))).collect();
    for (k, part) in parts.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        run_scenario(&data("regimes.toml"), part, &["--shard", &shard]);
    }
    let merged = tmp.path().join("merged");
    run_ok(&[
        "merge",
        arg(&parts[2]),
        arg(&parts[0]),
        arg(&parts[1]),
        "--out",
        arg(&merged),
        "--no-charts",
        "--quiet",
    ]);
    for file in ["summary.csv", "rounds.csv", "results.json"] {
        let want = sha256_file(&one.join(file));
        assert_eq!(sha256_file(&two.join(file)), want, "{file}, 2 threads");
        assert_eq!(sha256_file(&merged.join(file)), want, "{file}, merged");
    }
    let json = std::fs::read_to_string(one.join("results.json")).expect("results.json");
    assert!(json.starts_with(r#"{"format":"allocsim-results","version":2,"#));
}
