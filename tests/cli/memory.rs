//! The memory check of `sweep`, `compare` and `sensitivity`: a plan estimated to need more memory
//! than it may use (ALLOCSIM_MEMORY_LIMIT here, else the memory available) is refused with exit
//! status 2 before anything runs or is written, and says what it would need and what to do.

use std::path::Path;
use std::process::Output;

use crate::common::{allocsim, data, read_csv, stderr, tempdir};

fn out_arg(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// `allocsim ARGS` with ALLOCSIM_MEMORY_LIMIT set to `limit`.
fn with_limit(limit: &str, args: &[&str]) -> Output {
    allocsim()
        .env("ALLOCSIM_MEMORY_LIMIT", limit)
        .args(args)
        .output()
        .expect("allocsim starts")
}

/// `KEY=V1,...,V100`: 100 values from `start` in steps of `step`.
fn hundred(key: &str, start: f64, step: f64) -> String {
    let values: Vec<String> = (0..100)
        .map(|i| format!("{}", start + step * f64::from(i)))
        .collect();
    format!("{key}={}", values.join(","))
}

#[test]
fn a_grid_of_10000_points_is_refused_under_50m_before_anything_is_written() {
    let dir = tempdir();
    let out = dir.path().join("grid");
    let (a, b) = (
        hundred("approval.probability", 0.001, 0.001),
        hundred("approval.batch", 100.0, 1.0),
    );
    let o = with_limit(
        "50M",
        &[
            "sweep",
            &data("good.toml"),
            "--set",
            &a,
            "--set",
            &b,
            "--trials",
            "1",
            "--quiet",
            "--out",
            out_arg(&out),
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for part in [
        "this sweep would need about",
        "B of memory (10000 points at about",
        "KiB each, plus",
        "more than the limit of 50.0 MiB (ALLOCSIM_MEMORY_LIMIT=50M)",
        "nothing was run",
        "fewer knobs or fewer values a knob",
    ] {
        assert!(err.contains(part), "{part:?} in {err}");
    }
    assert!(!out.exists(), "nothing is written for a refused plan");
}

#[test]
fn a_small_sweep_runs_under_the_same_limit() {
    let dir = tempdir();
    let out = dir.path().join("small");
    let o = with_limit(
        "50M",
        &[
            "sweep",
            &data("good.toml"),
            "--set",
            "approval.probability=0.2,0.5,0.8",
            "--set",
            "approval.batch=100,300",
            "--trials",
            "2000",
            "--quiet",
            "--no-charts",
            "--out",
            out_arg(&out),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let cmp = read_csv(&out.join("comparison.csv"));
    let point = cmp.column("point");
    assert_eq!(cmp.rows.last().map(|r| r[point].as_str()), Some("6"));
}

/// Compare and sensitivity go through the same check: under 1 MiB, less than the program
/// itself is estimated to take, even two points are refused.
#[test]
fn compare_and_sensitivity_are_checked_too() {
    let dir = tempdir();
    let good = data("good.toml");
    let cases: [(&str, Vec<&str>); 2] = [
        ("compare", vec!["compare", &good, &good]),
        (
            "sensitivity",
            vec![
                "sensitivity",
                &good,
                "--vary",
                "approval.probability=0.2,0.9",
            ],
        ),
    ];
    for (name, args) in cases {
        let out = dir.path().join(name);
        let mut args = args.clone();
        args.extend(["--trials", "100", "--quiet", "--out", out_arg(&out)]);
        let o = with_limit("1M", &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("this {name} would need about")),
            "{name}: {err}"
        );
        assert!(err.contains("the limit of 1.0 MiB"), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing is written");
    }
}

#[test]
fn a_limit_that_is_not_a_size_is_bad_input() {
    let dir = tempdir();
    let out = dir.path().join("bad");
    let o = with_limit(
        "lots",
        &[
            "sweep",
            &data("good.toml"),
            "--set",
            "approval.probability=0.2,0.5",
            "--trials",
            "10",
            "--quiet",
            "--out",
            out_arg(&out),
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ALLOCSIM_MEMORY_LIMIT=\"lots\" is not a size"),
        "{err}"
    );
    assert!(err.contains("512M or 4G"), "{err}");
    assert!(!out.exists());
}
