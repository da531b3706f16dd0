//! The allocation rules through the binary: MODEL.md's reference table and sanity checks of
//! priority, weighted and random_priority, on tests/data/rules.toml (one round, orders
//! 100/200/300, a certain fixed batch, every approval converted, no domestic bundling).

use crate::common::{Summary, data, run_scenario, tempdir};

const FIRMS: [&str; 3] = ["A", "B", "C"];

/// Per-firm delivered means of rules.toml under `sets` (each passed as `--set`).
fn delivered(trials: &str, sets: &[String]) -> Summary {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    // Charts are not what these tests check (and take most of a debug build's run).
    let mut args = vec!["--trials", trials, "--no-charts"];
    for s in sets {
        args.push("--set");
        args.push(s);
    }
    run_scenario(&data("rules.toml"), &out, &args);
    Summary::read(&out)
}

fn delivered_means(rule: &str, batch: u64, extra: &[&str]) -> Vec<f64> {
    let mut sets = vec![
        format!("allocation.rule={rule}"),
        format!("approval.batch={batch}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let summary = delivered("3", &sets);
    FIRMS
        .iter()
        .map(|f| summary.get(f, "delivered", "mean"))
        .collect()
}

#[test]
fn reference_table() {
    // MODEL.md "Allocation rules", claims 100, 200, 300.
    let table: [(u64, [[f64; 3]; 4]); 4] = [
        (
            100,
            [
                [17., 33., 50.],
                [34., 33., 33.],
                [0., 0., 100.],
                [34., 33., 33.],
            ],
        ),
        (
            200,
            [
                [33., 67., 100.],
                [67., 67., 66.],
                [0., 50., 150.],
                [50., 75., 75.],
            ],
        ),
        (
            300,
            [
                [50., 100., 150.],
                [100., 100., 100.],
                [0., 100., 200.],
                [50., 100., 150.],
            ],
        ),
        (
            600,
            [
                [100., 200., 300.],
                [100., 200., 300.],
                [100., 200., 300.],
                [100., 200., 300.],
            ],
        ),
    ];
    let rules = ["proportional", "equal_awards", "equal_losses", "talmud"];
    let mut wrong = Vec::new();
    for (batch, row) in table {
        for (rule, expected) in rules.iter().zip(row) {
            let got = delivered_means(rule, batch, &[]);
            if got != expected {
                wrong.push(format!(
                    "{rule} E={batch}: expected {expected:?}, got {got:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn priority_serves_lower_priority_first() {
    let priorities = [
        "firm.A.priority=3",
        "firm.B.priority=1",
        "firm.C.priority=2",
    ];
    assert_eq!(
        delivered_means("priority", 300, &priorities),
        [0., 200., 100.]
    );
    assert_eq!(
        delivered_means("priority", 450, &priorities),
        [0., 200., 250.]
    );
    // Default priorities: listed order.
    assert_eq!(delivered_means("priority", 250, &[]), [100., 150., 0.]);
}

#[test]
fn weighted_splits_by_weight_and_redistributes_capped_units() {
    let up = ["firm.A.weight=1", "firm.B.weight=2", "firm.C.weight=3"];
    assert_eq!(delivered_means("weighted", 300, &up), [50., 100., 150.]);
    // Weights 3, 2, 1: A is capped at its claim of 100; L = 200/3 for the others.
    let down = ["firm.A.weight=3", "firm.B.weight=2", "firm.C.weight=1"];
    assert_eq!(delivered_means("weighted", 300, &down), [100., 133., 67.]);
    // Equal weights: equal awards.
    assert_eq!(delivered_means("weighted", 200, &[]), [67., 67., 66.]);
}

#[test]
fn random_priority_is_fair_with_equal_claims() {
    let sets: Vec<String> = [
        "allocation.rule=random_priority",
        "approval.batch=300",
        "firm.A.orders=200",
        "firm.B.orders=200",
        "firm.C.orders=200",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let summary = delivered("3000", &sets);
    // Every trial hands out all 300 units: 200 to the first firm drawn, 100 to the second.
    assert_eq!(summary.get("total", "delivered", "min"), 300.0);
    assert_eq!(summary.get("total", "delivered", "max"), 300.0);
    let means: Vec<f64> = FIRMS
        .iter()
        .map(|f| summary.get(f, "delivered", "mean"))
        .collect();
    for (firm, mean) in FIRMS.iter().zip(&means) {
        assert!((0.0..=200.0).contains(mean), "{firm}: mean {mean}");
        // Each firm is sometimes first and sometimes last.
        assert_eq!(summary.get(firm, "delivered", "min"), 0.0, "{firm}");
        assert_eq!(summary.get(firm, "delivered", "max"), 200.0, "{firm}");
        // Expected 100; the standard error over 3000 trials is about 1.5.
        assert!(
            (mean - 100.0).abs() < 8.0,
            "{firm}: mean {mean}, expected ~100"
        );
    }
    let spread = means.iter().cloned().fold(f64::MIN, f64::max)
        - means.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 10.0, "means {means:?} differ by more than 10%");
}

#[test]
fn random_priority_with_unequal_claims_stays_within_bounds() {
    let summary = delivered(
        "500",
        &[
            "allocation.rule=random_priority".to_string(),
            "approval.batch=300".to_string(),
        ],
    );
    for (firm, claim) in FIRMS.iter().zip([100.0, 200.0, 300.0]) {
        let mean = summary.get(firm, "delivered", "mean");
        assert!(
            mean > 0.0 && mean < claim,
            "{firm}: mean {mean} outside (0, {claim})"
        );
        assert!(summary.get(firm, "delivered", "max") <= claim);
    }
    assert_eq!(summary.get("total", "delivered", "mean"), 300.0);
}
