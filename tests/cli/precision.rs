//! `run --precision`: stops at the first checkpoint where every target is met, with exactly the
//! outputs of a run of that many trials, on any thread count; the cap; refusals.

use std::path::Path;

use crate::common::{data, read_csv, run, run_ok, stderr, stdout, tempdir};

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn file(out: &Path, name: &str) -> Vec<u8> {
    std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// summary.csv's value and 95% half-width of `firm,metric,stat`.
fn half_width(out: &Path, firm: &str, metric: &str, stat: &str) -> (f64, f64) {
    let csv = read_csv(&out.join("summary.csv"));
    let i = csv
        .rows
        .iter()
        .position(|r| r[..3] == [firm, metric, stat])
        .expect("the row");
    let (low, high) = (csv.number(i, "ci_low"), csv.number(i, "ci_high"));
    (csv.number(i, "value"), (high - low) / 2.0)
}

fn run_to(out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "run",
        "tests/data/random.toml",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ];
    args.extend_from_slice(extra);
    stdout(&run_ok(&args))
}

#[test]
fn a_precision_run_stops_at_the_first_checkpoint_that_meets_every_target() {
    let tmp = tempdir();
    let targets = ["--precision", "total.unmet.mean=3", "total.unmet.p95=1%"];
    let one = tmp.path().join("one");
    let text = run_to(&one, &[&targets[..], &["--threads", "1"]].concat());
    let m = manifest(&one);
    let reached = m["precision"]["trials"].as_u64().unwrap();
    assert_eq!(m["trials"].as_u64(), Some(reached));
    assert_eq!(m["precision"]["met"], true);
    assert!(
        text.contains(&format!("Precision reached at {}", group(reached))),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} trials, seed", reached)),
        "{text}"
    );
    // A checkpoint: 10^4 · 2^k.
    assert!(reached >= 20_000 && (reached / 10_000).is_power_of_two() && reached % 10_000 == 0);

    // Any thread count, and a plain run of that many trials: the same outputs.
    let two = tmp.path().join("two");
    run_to(&two, &[&targets[..], &["--threads", "2"]].concat());
    let plain = tmp.path().join("plain");
    run_to(&plain, &["--trials", &reached.to_string()]);
    for name in ["summary.csv", "rounds.csv", "results.json"] {
        assert_eq!(file(&one, name), file(&two, name), "{name}");
        assert_eq!(file(&one, name), file(&plain, name), "{name}");
    }

    // The targets are met at the checkpoint reached, and were not all met at the one before.
    let (_, mean_half) = half_width(&one, "total", "unmet", "mean");
    let (p95, p95_half) = half_width(&one, "total", "unmet", "p95");
    assert!(mean_half <= 3.0 && p95_half <= 0.01 * p95);
    let before = tmp.path().join("before");
    run_to(&before, &["--trials", &(reached / 2).to_string()]);
    let (_, mean_before) = half_width(&before, "total", "unmet", "mean");
    let (p95_value, p95_before) = half_width(&before, "total", "unmet", "p95");
    assert!(mean_before > 3.0 || p95_before > 0.01 * p95_value);

    // The manifest's half-widths are summary.csv's (which rounds to 3 decimals).
    let recorded = &m["precision"]["targets"];
    assert_eq!(recorded[0]["target"], "total.unmet.mean=3");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-3;
    assert!(close(
        recorded[0]["half_width"].as_f64().unwrap(),
        mean_half
    ));
    assert!(close(recorded[1]["half_width"].as_f64().unwrap(), p95_half));
    assert!(close(recorded[1]["allowed"].as_f64().unwrap(), 0.01 * p95));
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_cap_stops_a_run_whose_targets_are_out_of_reach_and_says_so() {
    let tmp = tempdir();
    let out = tmp.path().join("capped");
    let text = run_to(
        &out,
        &[
            "--precision",
            "Alpha.unmet.mean=0.01",
            "--max-trials",
            "15000",
        ],
    );
    let m = manifest(&out);
    assert_eq!(m["precision"]["trials"].as_u64(), Some(15_000));
    assert_eq!(m["precision"]["met"], false);
    assert_eq!(m["precision"]["targets"][0]["met"], false);
    assert!(text.contains("Precision NOT reached"), "{text}");
    let plain = tmp.path().join("plain");
    run_to(&plain, &["--trials", "15000"]);
    assert_eq!(file(&out, "summary.csv"), file(&plain, "summary.csv"));
}

#[test]
fn bad_targets_are_refused_before_anything_runs() {
    let tmp = tempdir();
    let out = tmp.path().join("never");
    let scenario = data("random.toml");
    for (args, says) in [
        (
            vec!["--precision", "total.unmet.p95"],
            "expected FIRM.METRIC.STAT=TOLERANCE",
        ),
        (
            vec!["--precision", "Nobody.unmet.p95=1%"],
            "no firm 'Nobody'",
        ),
        (
            vec!["--precision", "Alpha.wealth.mean=1"],
            "no metric 'wealth' for Alpha",
        ),
        (
            vec!["--precision", "Alpha.unmet.max=1"],
            "statistic 'max' has no interval",
        ),
        (
            vec!["--precision", "Alpha.unmet.mean=0%"],
            "is not a positive number",
        ),
        (
            vec!["--precision", "Alpha.unmet.mean=1", "--trials", "5"],
            "cannot be used with",
        ),
        (vec!["--max-trials", "5"], "--precision"),
        (
            vec!["--precision", "Alpha.unmet.mean=1", "--max-trials", "0"],
            "--max-trials must be within",
        ),
    ] {
        let mut all = vec!["run", scenario.as_str(), "--out", out.to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(!out.exists(), "{args:?} wrote its folder");
    }
}
