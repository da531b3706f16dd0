//! The edges of every input (issue 11, "never panic at the edges"): absurd thread counts, names
//! too long to draw, ratios that overflow a unit count, partial results whose names or counts
//! are impossible, per-point seeds and trials, and files past the size limit. Each is one clear
//! error naming where the problem is, with exit status 2 and nothing written, or it just works.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::{allocsim, entries, root, run_ok, stderr, tempdir};

/// Longest a refusal may take. Each one here comes back in milliseconds; the deadline is for
/// the bugs they guard against (a run that starts 65,535 threads spins and ignores SIGTERM, a
/// read of /dev/zero never ends), so that a regression fails instead of hanging the suite.
const DEADLINE: Duration = Duration::from_secs(30);

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn good() -> String {
    std::fs::read_to_string(root().join("tests/data/good.toml")).expect("good.toml")
}

/// Writes `text` as `dir/name` and returns its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a temporary file");
    path
}

/// Runs allocsim with `args` (and `env`) in `cwd`, killed at the [`DEADLINE`].
fn run_in(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = allocsim();
    cmd.current_dir(cwd).args(args).timeout(DEADLINE);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("allocsim starts")
}

/// Asserts that `out` is a refusal: exit status 2, an `error:` first line holding every piece of
/// `expected`, no panic, and the entries of `dir` still `before` (nothing written). Returns
/// stderr.
fn assert_refused(out: &Output, dir: &Path, before: &[String], expected: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a refusal (exit status 2), got {}:\n{err}",
        out.status
    );
    assert!(!err.contains("panicked"), "a panic:\n{err}");
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("error: "), "{err}");
    for piece in expected {
        assert!(first.contains(piece), "{piece:?} not in:\n{err}");
    }
    assert_eq!(entries(dir), before, "a refusal wrote something:\n{err}");
    err
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

/// `--threads` past 1024 aborted the process (exit status 134) as rayon tried to start them:
/// clap now refuses it, stating the range, for `run` and the comparison commands alike.
#[test]
fn thread_counts_past_the_limit_are_usage_errors() {
    let tmp = tempdir();
    let scenario = write(tmp.path(), "s.toml", &good());
    let out = tmp.path().join("out");
    let before = entries(tmp.path());
    for threads in ["100000", "18446744073709551615", "1025"] {
        let run = [
            "run",
            arg(&scenario),
            "--trials",
            "10",
            "--threads",
            threads,
            "--out",
            arg(&out),
            "--quiet",
        ];
        let sweep = [
            "sweep",
            arg(&scenario),
            "--set",
            "approval.probability=0.5,0.6",
            "--trials",
            "10",
            "--threads",
            threads,
            "--out",
            arg(&out),
            "--quiet",
        ];
        for args in [&run[..], &sweep[..]] {
            let o = run_in(tmp.path(), &[], args);
            assert_refused(
                &o,
                tmp.path(),
                &before,
                &[
                    &format!("invalid value '{threads}' for '--threads <THREADS>'"),
                    "is not in 0..=1024",
                ],
            );
        }
    }
    // 0 (rayon's choice, the default) and 1 still run. 1024, the largest allowed, is not tried:
    // it would start 1024 threads on the test machine.
    for threads in ["0", "1"] {
        run_ok(&[
            "run",
            arg(&scenario),
            "--trials",
            "10",
            "--threads",
            threads,
            "--out",
            arg(&out),
            "--quiet",
            "--no-charts",
        ]);
    }
}

/// With `--threads` at its default, rayon reads RAYON_NUM_THREADS and tried to start that many
/// threads: 100,000 spun for minutes, ignoring SIGTERM. Now refused by name before anything
/// runs; a value rayon ignores (not a number) still means its default.
#[test]
fn rayon_num_threads_past_the_limit_is_refused() {
    let tmp = tempdir();
    let scenario = write(tmp.path(), "s.toml", &good());
    let out = tmp.path().join("out");
    let before = entries(tmp.path());
    let run = [
        "run",
        arg(&scenario),
        "--trials",
        "10",
        "--out",
        arg(&out),
        "--quiet",
    ];
    let sweep = [
        "sweep",
        arg(&scenario),
        "--set",
        "approval.probability=0.5,0.6",
        "--trials",
        "10",
        "--out",
        arg(&out),
        "--quiet",
    ];
    for (value, args) in [
        ("100000", &run[..]),
        ("18446744073709551615", &sweep[..]),
        ("1025", &run[..]),
    ] {
        let o = run_in(tmp.path(), &[("RAYON_NUM_THREADS", value)], args);
        let err = assert_refused(
            &o,
            tmp.path(),
            &before,
            &[&format!(
                "RAYON_NUM_THREADS={value} asks for more than the 1024 worker threads allowed"
            )],
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    for value in ["2", "not-a-number", "0"] {
        let o = run_in(tmp.path(), &[("RAYON_NUM_THREADS", value)], &run);
        assert!(
            o.status.success(),
            "RAYON_NUM_THREADS={value}: {}",
            stderr(&o)
        );
    }
}
