//! Hardening: inputs too big to commit as fixtures (a 50 MB file, 10^5 firms) are generated
//! here at run time; Ctrl-C leaves the previous results untouched; outputs go exactly where the
//! user pointed, through temporary names; an unwritable output is refused before simulating.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{
    ENDLESS, data, entries, finish_within, refused_quickly, root, run, run_scenario, signal,
    snapshot, spawn, stderr, tempdir,
};

/// Names under `dir` (recursively) that look like leftovers: temporary or staging files.
fn leftovers(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .keys()
        .map(|p| p.display().to_string())
        .chain(entries(dir))
        .filter(|n| n.ends_with(".tmp") || n.contains(".partial-") || n.starts_with('.'))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Inputs too big to commit
// ---------------------------------------------------------------------------------------------

#[test]
fn a_50_mb_scenario_is_refused_before_parsing() {
    let tmp = tempdir();
    let path = tmp.path().join("huge.toml");
    let mut text = String::from("name = \"huge\"\nrounds = 1\n");
    let line = format!("# {}\n", "x".repeat(1000));
    while text.len() < 50_000_000 {
        text.push_str(&line);
    }
    std::fs::write(&path, &text).unwrap();
    let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let p = path.to_str().unwrap();
    let out = tmp.path().join("out");
    let expected = format!(
        "error: {p}: the scenario is {size:.1} MB; the limit is 10 MB (a scenario is a few kilobytes of TOML: is this the right file?)"
    );
    assert_eq!(
        refused_quickly(&["run", p, "--out", out.to_str().unwrap()]),
        expected
    );
    assert_eq!(refused_quickly(&["validate", p]), expected);
    assert_eq!(entries(tmp.path()), ["huge.toml"], "nothing written");
}

#[cfg(unix)]
#[test]
fn an_endless_stream_is_read_only_up_to_the_limit() {
    assert_eq!(
        refused_quickly(&["validate", "/dev/zero"]),
        "error: /dev/zero: the scenario is over 10 MB; the limit is 10 MB (a scenario is a few kilobytes of TOML: is this the right file?)"
    );
}

#[test]
fn a_scenario_folder_is_not_a_file() {
    let tmp = tempdir();
    let p = tmp.path().to_str().unwrap();
    assert_eq!(
        refused_quickly(&["validate", p]),
        format!("error: {p}: cannot read the scenario: it is a folder, not a file")
    );
}

#[test]
fn a_hundred_thousand_firms_are_refused_with_the_limit() {
    let tmp = tempdir();
    let path = tmp.path().join("firms.toml");
    let mut text = String::from(
        "name = \"firms\"\nrounds = 2\n\n[allocation]\nrule = \"proportional\"\n\n\
         [approval]\nprobability = 0.5\nbatch = 100\n",
    );
    for i in 0..100_000 {
        write!(text, "\n[[firm]]\nname = \"F{i}\"\norders = 10\n").unwrap();
    }
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(
        refused_quickly(&["run", p, "--out", out.to_str().unwrap()]),
        format!("error: {p}:11:1: 100000 firms is more than the limit of 200")
    );
    assert_eq!(entries(tmp.path()), ["firms.toml"], "nothing written");
}

#[test]
fn huge_trial_counts_state_the_limit() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let good = data("good.toml");
    for trials in ["0", "1000000000001", "18446744073709551615"] {
        let first = refused_quickly(&["run", &good, "--trials", trials, "--out", out]);
        assert_eq!(
            first,
            format!("error: --trials must be within [1, 1000000000000], got {trials}")
        );
    }
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn bad_overrides_name_the_key() {
    let good = data("good.toml");
    let cases = [
        (
            "firm.A.orders=abc",
            "firm.A.orders: expected a number or a distribution",
        ),
        (
            "firm.A.weight=\"x\"",
            "firm.A.weight: expected a number, got string \"x\"",
        ),
        (
            "trials=0",
            "trials must be within [1, 1000000000000], got 0",
        ),
        (
            "rounds=1000000",
            "rounds must be within [1, 1000], got 1000000",
        ),
        (
            "firm.A.orders=1e19",
            "firm.A.orders can reach 10000000000000000000 units, more than the limit of 10^12",
        ),
        ("domestic.ratoi=1", "domestic.ratoi: unknown key (a typo?)"),
        (
            "seed=18446744073709551616",
            "seed: 18446744073709551616 is out of range",
        ),
        (
            "name=../escape",
            "name must be 1 to 64 letters, digits, '-' and '_'",
        ),
        (
            "approval.batch=[1, 2]",
            "approval.batch: expected a number or a distribution",
        ),
    ];
    for (set, message) in cases {
        let tmp = tempdir();
        let out = tmp.path().join("out");
        let first = refused_quickly(&["run", &good, "--set", set, "--out", out.to_str().unwrap()]);
        let prefix = format!("error: --set {set}: {message}");
        assert!(
            first.starts_with(&prefix),
            "expected {prefix}…\n  actual: {first}"
        );
        assert!(
            entries(tmp.path()).is_empty(),
            "--set {set} wrote something"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C
// ---------------------------------------------------------------------------------------------

/// Starts an endless run into `out`, lets it simulate for a second, interrupts it with
/// `sig`, and returns its output and how long it took to stop.
#[cfg(unix)]
fn interrupted_run(out: &Path, sig: &str) -> (Output, Duration) {
    let child = spawn(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_millis(1000));
    let sent = Instant::now();
    signal(&child, sig);
    let (output, _) = finish_within(child, Duration::from_secs(30), "an interrupted run");
    (output, sent.elapsed())
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_run_and_keeps_the_previous_results() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "1000"]);
    let before = snapshot(&out);
    assert!(before.contains_key(Path::new("summary.csv")));

    let (output, took) = interrupted_run(&out, "-INT");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    let kept = tmp.path().join(".out.allocsim-resume.json");
    assert!(
        err.starts_with(&format!(
            "error: interrupted; previous results in {} are untouched; ",
            out.display()
        )) && err.trim_end().ends_with(&format!(
            " trials are kept in '{}': run the same command with --resume to finish the run",
            kept.display()
        )),
        "{err}"
    );
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
    assert_eq!(snapshot(&out), before, "the previous results changed");
    assert_eq!(
        entries(tmp.path()),
        [".out.allocsim-resume.json", "out"],
        "staging folder left behind"
    );
}

/// Nothing is written to the output folder; the trials finished are kept beside it.
#[cfg(unix)]
#[test]
fn sigterm_stops_a_first_run_leaving_only_its_kept_trials() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let (output, took) = interrupted_run(&out, "-TERM");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: interrupted; nothing was written to {}; ",
            out.display()
        )),
        "{err}"
    );
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
    assert_eq!(entries(tmp.path()), [".out.allocsim-resume.json"]);
}

/// A trial of 200 firms over 100 rounds takes a good part of a second in a debug build, so a
/// run that looked at Ctrl-C only between chunks of 2048 trials would take many minutes to stop.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_heavy_scenario_within_seconds() {
    let tmp = tempdir();
    let path = tmp.path().join("heavy.toml");
    let mut text = String::from(
        "name = \"heavy\"\nrounds = 100\n\n[allocation]\nrule = \"weighted\"\n\n[approval]\n\
         probability = 0.9\nbatch = { dist = \"pert\", min = 1000, mode = 5000, max = 9000 }\n",
    );
    for i in 0..200 {
        write!(
            text,
            "\n[[firm]]\nname = \"F{i}\"\norders = {{ dist = \"pert\", min = 1e5, mode = 2e5, max = 9e5 }}\nweight = {}\n",
            i + 1
        )
        .unwrap();
    }
    std::fs::write(&path, &text).unwrap();
    let out = tmp.path().join("out");
    let child = spawn(&[
        "run",
        path.to_str().unwrap(),
        "--trials",
        ENDLESS,
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    signal(&child, "-INT");
    let (output, _) = finish_within(child, Duration::from_secs(60), "an interrupted heavy run");
    let took = sent.elapsed();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(took < Duration::from_secs(5), "stopping took {took:?}");
    // The trials finished, if any, are kept beside the output folder.
    let mut left = entries(tmp.path());
    left.retain(|e| e != ".out.allocsim-resume.json");
    assert_eq!(left, ["heavy.toml"]);
}

// ---------------------------------------------------------------------------------------------
// Where outputs go
// ---------------------------------------------------------------------------------------------

#[test]
fn a_scenario_name_cannot_leave_the_output_root() {
    let tmp = tempdir();
    let cwd = tmp.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let good = std::fs::read_to_string(root().join("tests/data/good.toml")).unwrap();
    for name in ["../x", "/abs", "..", ".", "a/../../x", "a\\\\b", "C:x"] {
        let path = cwd.join("s.toml");
        std::fs::write(
            &path,
            good.replace("name = \"good\"", &format!("name = \"{name}\"")),
        )
        .unwrap();
        let out = crate::common::allocsim()
            .current_dir(&cwd)
            .args(["run", path.to_str().unwrap(), "--trials", "5", "--quiet"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "name {name:?}: {err}");
        assert!(
            err.contains(
                "name must be 1 to 64 letters, digits, '-' and '_' (it names the output folder)"
            ),
            "{err}"
        );
        assert_eq!(entries(&cwd), ["s.toml"], "name {name:?} wrote something");
        assert_eq!(entries(tmp.path()), ["cwd"], "name {name:?} wrote outside");
    }
}

#[test]
fn the_default_output_is_output_slash_name() {
    let tmp = tempdir();
    let scenario = root().join("tests/data/good.toml");
    let out = crate::common::allocsim()
        .current_dir(tmp.path())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "20",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(entries(tmp.path()), ["output"]);
    assert_eq!(entries(&tmp.path().join("output")), ["good"]);
    assert!(tmp.path().join("output/good/summary.csv").is_file());
}

#[test]
fn out_writes_exactly_there_creating_missing_parents() {
    let tmp = tempdir();
    let out = tmp.path().join("a").join("b").join("c").join("run");
    run_scenario(&data("good.toml"), &out, &["--trials", "20"]);
    assert_eq!(entries(tmp.path()), ["a"]);
    assert_eq!(entries(&tmp.path().join("a/b/c")), ["run"]);
    assert!(out.join("summary.csv").is_file());
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn an_output_under_a_file_is_refused_before_simulating() {
    let tmp = tempdir();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"keep\n").unwrap();
    let out = file.join("sub").join("out");
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        first.starts_with(&format!("error: cannot write '{}'", file.display())),
        "{first}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep\n");
    assert_eq!(entries(tmp.path()), ["file"]);
}

#[cfg(target_os = "linux")]
#[test]
fn an_output_that_cannot_be_created_is_refused_before_simulating() {
    // /proc refuses new folders even to root, for whom permission bits do not apply.
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        "/proc/allocsim-test/out",
    ]);
    assert!(
        first.starts_with("error: cannot write '/proc/allocsim-test'"),
        "{first}"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_refused_before_simulating() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempdir();
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), b"").is_ok() {
        // Root ignores permission bits: nothing to test here (the /proc test covers it).
        std::fs::remove_file(locked.join("probe")).unwrap();
        return;
    }
    let out = locked.join("out");
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        first.starts_with(&format!("error: cannot write '{}", locked.display())),
        "{first}"
    );
    assert!(entries(&locked).is_empty());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_replaced_run_is_whole_and_leaves_no_temporary_files() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(
        &data("good.toml"),
        &out,
        &["--trials", "30", "--trials-csv"],
    );
    assert!(out.join("trials.csv").is_file());
    // The second run writes no trials.csv: the folder is replaced whole, so none is left.
    run_scenario(&data("good.toml"), &out, &["--trials", "40", "--seed", "3"]);
    assert!(
        !out.join("trials.csv").exists(),
        "a file of the old run survived"
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
    // `report` rewrites charts in place, each through a temporary name.
    let before = entries(&out);
    let report = run(&["report", out.to_str().unwrap()]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert_eq!(entries(&out), before);
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}
