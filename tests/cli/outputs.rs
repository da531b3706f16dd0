//! What `run` writes: summary.csv's shape and internal consistency, trials.csv, overrides, the
//! replacement of the output folder, and what is printed.

use std::collections::HashMap;

use crate::common::{Summary, allocsim, data, manifest, read_csv, run_scenario, stdout, tempdir};

const METRICS: [&str; 6] = [
    "delivered",
    "unmet",
    "domestic",
    "effective_unmet",
    "fill_rate",
    "orders",
];
const STATS: [&str; 11] = [
    "mean", "sd", "se", "min", "p5", "p25", "p50", "p75", "p95", "p99", "max",
];

#[test]
fn summary_has_every_stat_in_order_and_consistent_values() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("random.toml"), &out, &["--trials", "2000"]);
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("firm,metric,stat,value,ci_low,ci_high")
    );

    let summary = Summary::read(&out);
    let firms = ["Alpha", "Beta", "Gamma", "total"];
    assert_eq!(summary.firms(), firms);
    let mut expected = Vec::new();
    for firm in firms {
        for metric in METRICS {
            for stat in STATS {
                expected.push((firm.to_string(), metric.to_string(), stat.to_string()));
            }
        }
    }
    assert_eq!(summary.order, expected, "rows of summary.csv");

    for firm in firms {
        for metric in METRICS {
            let v = |stat: &str| summary.get(firm, metric, stat);
            let chain = ["min", "p5", "p25", "p50", "p75", "p95", "p99", "max"];
            for pair in chain.windows(2) {
                assert!(
                    v(pair[0]) <= v(pair[1]),
                    "{firm} {metric}: {} {} > {} {}",
                    pair[0],
                    v(pair[0]),
                    pair[1],
                    v(pair[1])
                );
            }
            assert!(
                v("min") <= v("mean") && v("mean") <= v("max"),
                "{firm} {metric}: mean outside [min, max]"
            );
            assert!(v("sd") >= 0.0 && v("se") >= 0.0);
            assert!(
                (v("se") - v("sd") / 2000f64.sqrt()).abs() <= 1e-3 + 1e-6 * v("sd"),
                "{firm} {metric}: se {} != sd / sqrt(trials)",
                v("se")
            );
            if metric == "fill_rate" {
                for stat in STATS {
                    assert!(
                        (0.0..=1.0).contains(&v(stat)),
                        "{firm} fill_rate {stat} = {}",
                        v(stat)
                    );
                }
            }
        }
    }
    // The total's delivered is the sum of the firms' (means of integer counts add up).
    let sum: f64 = ["Alpha", "Beta", "Gamma"]
        .iter()
        .map(|f| summary.get(f, "delivered", "mean"))
        .sum();
    assert!((sum - summary.get("total", "delivered", "mean")).abs() < 2e-3);
}

#[test]
fn trials_csv_only_on_request_and_consistent_with_summary() {
    let tmp = tempdir();
    let without = tmp.path().join("without");
    run_scenario(&data("random.toml"), &without, &["--trials", "300"]);
    assert!(!without.join("trials.csv").exists());
    assert!(without.join("summary.csv").exists());

    let with = tmp.path().join("with");
    run_scenario(
        &data("random.toml"),
        &with,
        &["--trials", "300", "--trials-csv"],
    );
    let trials = read_csv(&with.join("trials.csv"));
    assert_eq!(
        trials.header,
        [
            "trial",
            "firm",
            "orders",
            "delivered",
            "unmet",
            "domestic",
            "effective_unmet",
            "fill_rate",
            "approved_rounds",
            "halt_round"
        ]
    );
    assert_eq!(trials.rows.len(), 300 * 3);

    let summary = Summary::read(&with);
    let mut sums: HashMap<String, (u64, u64)> = HashMap::new();
    let mut seen_trials = std::collections::BTreeSet::new();
    for (i, row) in trials.rows.iter().enumerate() {
        let orders = trials.number(i, "orders") as u64;
        let delivered = trials.number(i, "delivered") as u64;
        let unmet = trials.number(i, "unmet") as u64;
        assert_eq!(orders, delivered + unmet, "row {i}: {row:?}");
        let fill = trials.number(i, "fill_rate");
        assert!((0.0..=1.0).contains(&fill), "row {i}: {row:?}");
        seen_trials.insert(row[0].clone());
        let entry = sums.entry(row[1].clone()).or_default();
        entry.0 += delivered;
        entry.1 += 1;
    }
    assert_eq!(seen_trials.len(), 300);
    for firm in ["Alpha", "Beta", "Gamma"] {
        let (sum, n) = sums[firm];
        assert_eq!(n, 300, "{firm} rows");
        let mean = sum as f64 / 300.0;
        let reported = summary.get(firm, "delivered", "mean");
        assert!(
            (mean - reported).abs() <= 5e-4 + 1e-9,
            "{firm}: trials.csv mean {mean} vs summary.csv {reported}"
        );
    }
}

#[test]
fn an_override_changes_the_result_and_is_recorded() {
    let tmp = tempdir();
    let base = tmp.path().join("base");
    let changed = tmp.path().join("changed");
    run_scenario(&data("good.toml"), &base, &["--trials", "200"]);
    run_scenario(
        &data("good.toml"),
        &changed,
        &["--trials", "200", "--set", "approval.probability=0"],
    );
    let base_summary = Summary::read(&base);
    let changed_summary = Summary::read(&changed);
    assert!(base_summary.get("total", "delivered", "mean") > 0.0);
    // Nothing is ever approved: nothing is delivered, every order is unmet.
    assert_eq!(changed_summary.get("total", "delivered", "max"), 0.0);
    assert_eq!(changed_summary.get("A", "unmet", "mean"), 300.0);
    assert_eq!(
        manifest(&changed)["overrides"],
        serde_json::json!(["approval.probability=0"])
    );
    assert_eq!(manifest(&base)["overrides"], serde_json::json!([]));
}

#[test]
fn a_second_run_replaces_the_output_folder() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(
        &data("good.toml"),
        &out,
        &["--trials", "50", "--trials-csv", "--seed", "1"],
    );
    assert!(out.join("trials.csv").exists());
    run_scenario(&data("good.toml"), &out, &["--trials", "60", "--seed", "2"]);
    // The folder is replaced as a whole: files of the first run that the second does not write
    // are gone. Other outputs may be added, so no exact listing.
    let files = crate::common::entries(&out);
    assert!(
        !files.iter().any(|f| f == "trials.csv"),
        "trials.csv survived: {files:?}"
    );
    for kept in [".allocsim", "manifest.json", "rounds.csv", "summary.csv"] {
        assert!(files.iter().any(|f| f == kept), "{kept} missing: {files:?}");
    }
    assert_eq!(manifest(&out)["trials"], 60);
    assert_eq!(manifest(&out)["seed"], 2);
    // No staging or old folders are left beside it.
    assert_eq!(crate::common::entries(tmp.path()), ["out"]);
}

#[test]
fn a_failed_run_leaves_previous_results() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "50"]);
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let result = allocsim()
        .args(["run", &data("good.toml"), "--trials", "50", "--quiet"])
        .args(["--set", "approval.probability=5", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    assert_eq!(crate::common::entries(tmp.path()), ["out"]);
}

#[test]
fn stdout_shows_every_firm_unless_quiet() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let loud = allocsim()
        .args(["run", &data("random.toml"), "--trials", "100", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(loud.status.success());
    let text = stdout(&loud);
    for name in ["Alpha", "Beta", "Gamma", "total"] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "no line for {name} in:\n{text}"
        );
    }
    assert!(text.contains("random"), "{text}");

    let quiet = allocsim()
        .args([
            "run",
            &data("random.toml"),
            "--trials",
            "100",
            "--quiet",
            "--out",
        ])
        .arg(tmp.path().join("quiet"))
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "");
    assert_eq!(crate::common::stderr(&quiet), "");
    // Quiet or not, the same results.
    assert_eq!(
        std::fs::read(out.join("summary.csv")).unwrap(),
        std::fs::read(tmp.path().join("quiet/summary.csv")).unwrap()
    );
}
