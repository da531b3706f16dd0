//! `allocsim trace`: trial T told round by round is trial T of `run` (its rows of trials.csv),
//! for a version-1 and a version-2 scenario, with --seed and --set; bad requests exit 2.

use std::collections::BTreeMap;

use crate::common::{Csv, data, read_csv, refused_quickly, run_ok, run_scenario, stdout, tempdir};

/// trials.csv's rows by (trial, firm).
fn by_trial(csv: &Csv) -> BTreeMap<(String, String), Vec<String>> {
    csv.rows
        .iter()
        .map(|r| ((r[0].clone(), r[1].clone()), r.clone()))
        .collect()
}

/// Traces each of `trials` with `extra` arguments and checks every firm's outcome (its last
/// round's metrics), approved rounds and halt round against run's trials.csv, cell for cell.
fn traces_match_run(scenario: &str, trials: &[&str], extra: &[&str]) {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    let mut run_args = vec!["--trials", "60", "--trials-csv", "--no-charts"];
    run_args.extend_from_slice(extra);
    run_scenario(scenario, &out, &run_args);
    let run = read_csv(&out.join("trials.csv"));
    let rows = by_trial(&run);
    let mut halted_seen = false;
    for &trial in trials {
        let mut args = vec!["trace", scenario, "--trial", trial, "--csv"];
        args.extend_from_slice(extra);
        let text = stdout(&run_ok(&args));
        let path = tmp.path().join(format!("trace-{trial}.csv"));
        std::fs::write(&path, &text).unwrap();
        let trace = read_csv(&path);
        let rounds: usize = trace
            .rows
            .iter()
            .map(|r| r[trace.column("round")].parse::<usize>().unwrap())
            .max()
            .unwrap();
        let last: Vec<&Vec<String>> = trace
            .rows
            .iter()
            .filter(|r| r[trace.column("round")] == rounds.to_string())
            .collect();
        assert_eq!(
            last.len() * rounds,
            trace.rows.len(),
            "one row per round and firm"
        );
        for row in &last {
            let firm = &row[trace.column("firm")];
            let expected = rows
                .get(&(trial.to_string(), firm.clone()))
                .unwrap_or_else(|| panic!("trials.csv has no trial {trial} of {firm}"));
            for metric in [
                "orders",
                "delivered",
                "unmet",
                "domestic",
                "effective_unmet",
                "fill_rate",
            ] {
                assert_eq!(
                    row[trace.column(metric)],
                    expected[run.column(metric)],
                    "{scenario} trial {trial}, {firm}: {metric}"
                );
            }
            // The round-level columns say the same as the trial's summary columns.
            let per_round = |column: &str| -> Vec<&str> {
                trace
                    .rows
                    .iter()
                    .filter(|r| &r[trace.column("firm")] == firm)
                    .map(|r| r[trace.column(column)].as_str())
                    .collect()
            };
            let approved = per_round("approved")
                .iter()
                .filter(|a| **a == "true")
                .count();
            assert_eq!(
                approved.to_string(),
                expected[run.column("approved_rounds")]
            );
            let halt = per_round("halted")
                .iter()
                .position(|h| *h == "true")
                .map_or(String::new(), |r| (r + 1).to_string());
            assert_eq!(halt, expected[run.column("halt_round")], "trial {trial}");
            halted_seen |= !halt.is_empty();
        }
    }
    assert!(halted_seen, "{scenario}: some traced trial has a halt");
}

#[test]
fn a_version_1_trial_is_the_runs() {
    // random.toml draws every kind of version-1 input (random priority, events of every effect,
    // a scarce domestic supply); trial 32 has a halt.
    traces_match_run(&data("random.toml"), &["0", "32", "59"], &[]);
}

#[test]
fn a_version_2_trial_is_the_runs_with_its_seed_and_overrides() {
    // futures.toml: correlated orders, regimes with holds, drawn entry rounds.
    traces_match_run(
        "scenarios/futures.toml",
        &["3", "46", "58"],
        &["--seed", "9", "--set", "approval.probability=0.5"],
    );
}

#[test]
fn the_text_tells_the_rounds_and_the_outcome() {
    let text = stdout(&run_ok(&[
        "trace",
        "scenarios/baseline.toml",
        "--trial",
        "17",
    ]));
    for expected in [
        "baseline: trial 17 with seed 20260128",
        "Round 1 of 4\n  No event fired.\n  Approved (probability 100%)",
        "Round 4 of 4",
        "Outcome\n",
        "  total ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Past the scenario's trial count is allowed: a run with more trials has it.
    run_ok(&[
        "trace",
        "scenarios/baseline.toml",
        "--trial",
        "999999999999",
    ]);
}

#[test]
fn bad_requests_exit_2_with_one_message() {
    let first = refused_quickly(&[
        "trace",
        "scenarios/baseline.toml",
        "--trial",
        "1000000000000",
    ]);
    assert!(
        first.contains("--trial must be below 1000000000000"),
        "{first}"
    );
    let first = refused_quickly(&[
        "trace",
        "scenarios/baseline.toml",
        "--trial",
        "1",
        "--set",
        "approval.probability=2",
    ]);
    assert!(first.contains("approval.probability"), "{first}");
    let first = refused_quickly(&["trace", "scenarios/baseline.toml", "--trial", "ten"]);
    assert!(first.contains("--trial"), "{first}");
}
