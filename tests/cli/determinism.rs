//! Reproducibility: a run's results depend on the scenario and the seed alone (MODEL.md
//! "Randomness"), and manifest.json records what produced them.

use std::path::Path;

use crate::common::{allocsim, data, manifest, root, run_scenario, sha256_file, tempdir};

const TRIALS: &str = "30000";

fn read(out: &Path, file: &str) -> Vec<u8> {
    std::fs::read(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let scenario = data("random.toml");
    let tmp = tempdir();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    let env3 = tmp.path().join("env3");
    run_scenario(
        &scenario,
        &one,
        &["--trials", TRIALS, "--threads", "1", "--trials-csv"],
    );
    run_scenario(
        &scenario,
        &two,
        &["--trials", TRIALS, "--threads", "2", "--trials-csv"],
    );
    let status = allocsim()
        .env("RAYON_NUM_THREADS", "3")
        .args([
            "run",
            &scenario,
            "--quiet",
            "--trials",
            TRIALS,
            "--trials-csv",
        ])
        .arg("--out")
        .arg(&env3)
        .output()
        .unwrap();
    assert!(status.status.success());

    assert_eq!(manifest(&one)["threads"], 1);
    assert_eq!(manifest(&two)["threads"], 2);
    assert_eq!(manifest(&env3)["threads"], 3);
    for file in ["summary.csv", "rounds.csv", "trials.csv"] {
        let reference = read(&one, file);
        assert!(reference.len() > 100, "{file} is nearly empty");
        assert!(read(&two, file) == reference, "{file}: --threads 2 differs");
        assert!(
            read(&env3, file) == reference,
            "{file}: RAYON_NUM_THREADS=3 differs"
        );
    }
    // The run really is random: trials differ from one another.
    let trials = crate::common::read_csv(&one.join("trials.csv"));
    let delivered = trials.column("delivered");
    let distinct: std::collections::HashSet<&str> =
        trials.rows.iter().map(|r| r[delivered].as_str()).collect();
    assert!(
        distinct.len() > 50,
        "only {} distinct deliveries",
        distinct.len()
    );
}

#[test]
fn different_seeds_give_different_results() {
    let scenario = data("random.toml");
    let tmp = tempdir();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let a2 = tmp.path().join("a2");
    run_scenario(
        &scenario,
        &a,
        &["--trials", "2000", "--seed", "1", "--no-charts"],
    );
    run_scenario(
        &scenario,
        &b,
        &["--trials", "2000", "--seed", "2", "--no-charts"],
    );
    run_scenario(
        &scenario,
        &a2,
        &["--trials", "2000", "--seed", "1", "--no-charts"],
    );
    assert!(read(&a, "summary.csv") != read(&b, "summary.csv"));
    assert!(read(&a, "summary.csv") == read(&a2, "summary.csv"));
    // The scenario's own seed (7) is the default.
    let c = tmp.path().join("c");
    let c7 = tmp.path().join("c7");
    run_scenario(&scenario, &c, &["--trials", "2000", "--no-charts"]);
    run_scenario(
        &scenario,
        &c7,
        &["--trials", "2000", "--seed", "7", "--no-charts"],
    );
    assert!(read(&c, "summary.csv") == read(&c7, "summary.csv"));
    assert_eq!(manifest(&c)["seed"], 7);
}

#[test]
fn manifest_records_the_run() {
    let scenario = data("random.toml");
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(
        &scenario,
        &out,
        &[
            "--trials",
            "500",
            "--seed",
            "11",
            "--set",
            "allocation.rule=talmud",
            "--set",
            "approval.probability=0.9",
        ],
    );
    let m = manifest(&out);
    assert_eq!(m["seed"], 11);
    assert_eq!(m["trials"], 500);
    assert_eq!(m["name"], "random");
    assert_eq!(m["scenario_path"], scenario.as_str());
    assert_eq!(
        m["scenario_sha256"],
        sha256_file(&root().join("tests/data/random.toml")).as_str()
    );
    assert_eq!(
        m["overrides"],
        serde_json::json!(["allocation.rule=talmud", "approval.probability=0.9"])
    );
    assert_eq!(m["allocsim_version"], env!("CARGO_PKG_VERSION"));

    // Without overrides, the list is empty and the scenario's trials count is the default.
    let plain = tmp.path().join("plain");
    run_scenario(&scenario, &plain, &[]);
    let m = manifest(&plain);
    assert_eq!(m["overrides"], serde_json::json!([]));
    assert_eq!(m["trials"], 1000);
}
