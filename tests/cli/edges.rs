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

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// A 20,000-character firm name took 29 s per run to draw into charts. Names are now at most 64
/// characters (characters, not bytes), refused at their file position or `--set` argument.
#[test]
fn names_longer_than_64_characters_are_refused() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let event = "\n[[event]]\nname = \"hold\"\neffect = \"hold\"\nprobability = 0.1\n";
    let with_event = format!("{}{event}", good());
    let huge = "x".repeat(20_000);
    let e65 = "é".repeat(65);
    let cases = [
        (
            "firm.toml",
            good().replace("name = \"B\"", &format!("name = \"{huge}\"")),
            Vec::new(),
            "firm.toml:16:8: firm.name is 20000 characters long, more than the limit of 64",
        ),
        (
            "event.toml",
            with_event.replace("name = \"hold\"", &format!("name = \"{e65}\"")),
            Vec::new(),
            "event.toml:20:8: event.name is 65 characters long, more than the limit of 64",
        ),
        (
            "scenario.toml",
            good().replace("name = \"good\"", &format!("name = \"{}\"", "a".repeat(65))),
            Vec::new(),
            "scenario.toml:1:8: name is 65 characters long, more than the limit of 64",
        ),
        // An override goes through the same checks.
        (
            "set-firm.toml",
            good(),
            vec![format!("firm.A.name={e65}")],
            "firm.name is 65 characters long, more than the limit of 64",
        ),
        (
            "set-event.toml",
            with_event.clone(),
            vec![format!("event.hold.name={}", "y".repeat(65))],
            "event.name is 65 characters long, more than the limit of 64",
        ),
    ];
    for (file, text, sets, message) in cases {
        let path = write(tmp.path(), file, &text);
        let before = entries(tmp.path());
        let mut args = vec![
            "run".to_string(),
            arg(&path).to_string(),
            "--trials".into(),
            "10".into(),
            "--out".into(),
            arg(&out).to_string(),
            "--quiet".into(),
            "--no-charts".into(),
        ];
        for s in &sets {
            args.extend(["--set".to_string(), s.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run_in(tmp.path(), &[], &args);
        let err = assert_refused(&o, tmp.path(), &before, &[message]);
        assert_eq!(err.lines().count(), 1, "{err}");
        if let Some(set) = sets.first() {
            assert!(err.starts_with(&format!("error: --set {set}: ")), "{err}");
        }
        // The message shows the start of the name, not all of it.
        assert!(err.len() < 400, "{} bytes of message", err.len());
    }
    // 64 characters of two bytes each are within the limit.
    let path = write(
        tmp.path(),
        "ok.toml",
        &good().replace("name = \"B\"", &format!("name = \"{}\"", "é".repeat(64))),
    );
    let o = run_in(tmp.path(), &[], &["validate", arg(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Counts and ratios
// ---------------------------------------------------------------------------------------------

/// Counts are TOML integers: a fractional trial count (past the 10^12 limit once rounded, or
/// not) is refused as a float, in the file and in `--set`, rather than rounded past the limit.
/// (This already held; the test keeps it so.)
#[test]
fn fractional_counts_are_refused_not_rounded() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let text = good().replace("rounds = 2", "rounds = 2\ntrials = 1000000000000.5");
    let path = write(tmp.path(), "s.toml", &text);
    let before = entries(tmp.path());
    let o = run_in(
        tmp.path(),
        &[],
        &["run", arg(&path), "--out", arg(&out), "--quiet"],
    );
    assert_refused(
        &o,
        tmp.path(),
        &before,
        &["s.toml:3:10: trials: expected an integer, got floating point `1000000000000.5`"],
    );
    let plain = write(tmp.path(), "plain.toml", &good());
    let before = entries(tmp.path());
    for (set, message) in [
        (
            "trials=1000000000000.5",
            "trials: expected an integer, got floating point",
        ),
        (
            "rounds=2.5",
            "rounds: expected an integer, got floating point",
        ),
        (
            "firm.A.eligible_from=1.5",
            "firm.A.eligible_from: expected an integer, got floating point",
        ),
        (
            "trials=1000000000001",
            "trials must be within [1, 1000000000000], got 1000000000001",
        ),
    ] {
        let o = run_in(
            tmp.path(),
            &[],
            &[
                "run",
                arg(&plain),
                "--set",
                set,
                "--out",
                arg(&out),
                "--quiet",
            ],
        );
        assert_refused(
            &o,
            tmp.path(),
            &before,
            &[&format!("--set {set}: "), message],
        );
    }
}

/// A domestic ratio above about 1.2e17 saturated `ceil(ratio * t)` and broke the domestic split;
/// it is now at most 10^6, and at 10^6 the split is still exact.
#[test]
fn domestic_ratio_is_at_most_a_million() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    // Three firms: A orders nothing, B and C take up 100 and 200 imports in the one round, and
    // need 10^8 and 2 × 10^8 domestic chips of the 1000 there are. Equal losses leave B none
    // and give C all 1000.
    let scenario = |ratio: &str| {
        format!(
            "name = \"ratio\"\nrounds = 1\n\n[allocation]\nrule = \"equal_losses\"\n\n\
             [approval]\nprobability = 1\nbatch = 300\n\n\
             [domestic]\nratio = {ratio}\nsupply = 1000\n\n\
             [[firm]]\nname = \"A\"\norders = 0\n\n\
             [[firm]]\nname = \"B\"\norders = 100\n\n\
             [[firm]]\nname = \"C\"\norders = 200\n"
        )
    };
    let path = write(tmp.path(), "big.toml", &scenario("1.2e17"));
    let before = entries(tmp.path());
    let o = run_in(
        tmp.path(),
        &[],
        &["run", arg(&path), "--out", arg(&out), "--quiet"],
    );
    assert_refused(
        &o,
        tmp.path(),
        &before,
        &[
            "big.toml:12:9: domestic.ratio must be at most 10^6",
            "got 120000000000000000",
        ],
    );
    let o = run_in(
        tmp.path(),
        &[],
        &[
            "run",
            arg(&path),
            "--set",
            "domestic.ratio=1000000.5",
            "--out",
            arg(&out),
            "--quiet",
        ],
    );
    assert_refused(
        &o,
        tmp.path(),
        &before,
        &["--set domestic.ratio=1000000.5: domestic.ratio must be at most 10^6"],
    );

    let path = write(tmp.path(), "edge.toml", &scenario("1e6"));
    run_ok(&[
        "run",
        arg(&path),
        "--trials",
        "20",
        "--out",
        arg(&out),
        "--quiet",
        "--no-charts",
    ]);
    let summary = crate::common::Summary::read(&out);
    for (firm, domestic) in [("A", 0.0), ("B", 0.0), ("C", 1000.0)] {
        assert_eq!(summary.get(firm, "domestic", "mean"), domestic, "{firm}");
    }
}
