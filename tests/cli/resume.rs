//! Interrupted runs keep their finished trials beside the output folder, and `run --resume`
//! finishes them into exactly the outputs of an uninterrupted run (docs/outputs.md,
//! "Interrupted runs keep their trials"): Ctrl-C and SIGTERM at random moments, for a run, a
//! shard and a precision run; the refusals of a state that is not this run's.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{
    data, entries, finish_within, manifest, run, signal, snapshot, spawn, stderr, tempdir,
};

/// A scenario with random regimes, a drawn entry round, an event and domestic chips: its
/// results.json is version 2, with the per-trial tallies, so every kind of tally is kept and
/// merged; its values are small, so are its histograms and resume states.
fn scenario() -> String {
    data("resume.toml")
}

/// The resume state of the output folder `out`: `.NAME.allocsim-resume.json` beside it.
fn state_of(out: &Path) -> PathBuf {
    let name = out.file_name().unwrap().to_string_lossy();
    out.with_file_name(format!(".{name}.allocsim-resume.json"))
}

/// The trials a resume state records as done.
fn kept_trials(state: &Path) -> u64 {
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(state).unwrap()).unwrap();
    value["done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_u64().unwrap() - r[0].as_u64().unwrap())
        .sum()
}

/// Moments drawn from a small generator seeded from the clock, or from ALLOCSIM_RESUME_SEED to
/// replay a failure (the seed is in every assertion message).
struct Moments {
    seed: u64,
    state: u64,
}

impl Moments {
    fn new() -> Moments {
        let seed = std::env::var("ALLOCSIM_RESUME_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos() as u64
            });
        Moments {
            seed,
            state: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// Uniform in [0, 1).
    fn fraction(&mut self) -> f64 {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// When to interrupt a run.
#[derive(Debug, Clone, Copy)]
enum When {
    /// As soon as it holds the output folder's lock: before any chunk of trials finished.
    AtStart,
    /// This long after it took the lock (perhaps after it ended).
    After(Duration),
    /// Once summary.csv is in its staging folder: every trial has run, the outputs (the
    /// charts) are being written.
    WhileWriting,
    /// Never: the run ends by itself.
    Never,
}

/// Runs allocsim with `args` (which write into `out`) and sends `sig` at `when`.
fn interrupted(args: &[String], out: &Path, when: When, sig: &str) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = spawn(&args);
    let name = out.file_name().unwrap().to_string_lossy();
    let lock = out.with_file_name(format!(".{name}.allocsim-lock"));
    let staging = out.with_file_name(format!(".{name}.allocsim-staging-{}", child.id()));
    let pid = child.id().to_string();
    let started = Instant::now();
    let wait_for = |ready: &dyn Fn() -> bool| {
        while !ready() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{args:?}: never ready"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    // Beside the folder, or inside it at a mount point.
    let inside = out.join(".allocsim-lock");
    let holds_lock = || {
        [&lock, &inside]
            .iter()
            .any(|l| std::fs::read_to_string(l).is_ok_and(|t| t.trim() == pid))
    };
    let finished = |child: &std::process::Child| {
        // Not reaped yet: /proc still lists it, as a zombie once it ended.
        std::fs::read_to_string(format!("/proc/{}/stat", child.id()))
            .map_or(true, |s| s.split(' ').nth(2) == Some("Z"))
    };
    match when {
        When::Never => {}
        When::AtStart => {
            wait_for(&|| holds_lock() || finished(&child));
            signal(&child, sig);
        }
        When::After(delay) => {
            wait_for(&|| holds_lock() || finished(&child));
            std::thread::sleep(delay);
            signal(&child, sig);
        }
        When::WhileWriting => {
            wait_for(&|| staging.join("summary.csv").exists() || finished(&child));
            signal(&child, sig);
        }
    }
    finish_within(child, Duration::from_secs(120), "an interrupted run").0
}

/// Runs `base` (into `out`) with interruptions at `first` and then at random moments, each
/// time going on with --resume when the last one kept trials, until a run ends by itself;
/// checks after each interruption that the previous results are untouched, that the state
/// keeps at least the trials it was resumed from, and at the end that the state is gone and
/// the manifest says what was resumed. Returns how many interruptions kept trials, and the
/// most trials kept.
fn finish_with_interruptions(
    base: &[String],
    out: &Path,
    first: When,
    took: Duration,
    moments: &mut Moments,
) -> (u32, u64) {
    let state = state_of(out);
    let seed = moments.seed;
    let mut kept_before: Option<u64> = None;
    let mut kept_interruptions = 0;
    for attempt in 0..3 {
        let resume = state.exists();
        assert_eq!(resume, kept_before.is_some(), "seed {seed}");
        let mut args = base.to_vec();
        args.extend(["--threads".into(), (1 + attempt % 2).to_string()]);
        let when = match attempt {
            0 => first,
            // A moment in the (resumed) run or just after it ends; the last one is left alone.
            1 => When::After(took.mul_f64(1.2 * moments.fraction())),
            _ => When::Never,
        };
        if matches!(when, When::WhileWriting) {
            // The charts are what is being written when the signal comes.
            args.retain(|a| a != "--no-charts");
            args.extend(["--chart-size".into(), "480x300".into()]);
        }
        if resume {
            args.push("--resume".into());
        }
        let before = out.exists().then(|| snapshot(out));
        let sig = if attempt % 2 == 0 { "-INT" } else { "-TERM" };
        let output = interrupted(&args, out, when, sig);
        let err = stderr(&output);
        match output.status.code() {
            Some(0) => {
                assert!(!state.exists(), "seed {seed}: the state outlived its run");
                let resumed = &manifest(out)["resumed"];
                match kept_before {
                    Some(kept) => assert_eq!(resumed["trials_kept"], kept, "seed {seed}"),
                    None => assert!(resumed.is_null(), "seed {seed}: {resumed}"),
                }
                return (kept_interruptions, kept_before.unwrap_or(0));
            }
            Some(130) => {
                assert_eq!(
                    out.exists().then(|| snapshot(out)),
                    before,
                    "seed {seed}, {when:?}: the previous results changed"
                );
                if state.exists() {
                    let kept = kept_trials(&state);
                    assert!(
                        kept >= kept_before.unwrap_or(0),
                        "seed {seed}, {when:?}: the resumed run lost kept trials"
                    );
                    assert!(
                        err.contains(" are kept in '") && err.contains("--resume"),
                        "seed {seed}: {err}"
                    );
                    if matches!(when, When::WhileWriting) {
                        assert!(err.contains(" 20,000 of 20,000 trials are kept"), "{err}");
                    }
                    kept_before = Some(kept);
                    kept_interruptions += 1;
                } else {
                    // Nothing finished yet; a resumed run always leaves at least its state.
                    assert!(
                        kept_before.is_none(),
                        "seed {seed}, {when:?}: the resumed run's state is gone: {err}"
                    );
                }
            }
            other => panic!("seed {seed}, {when:?}: exit status {other:?}: {err}"),
        }
    }
    panic!("seed {seed}: the run never finished");
}

fn args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["run", &scenario(), "--no-charts", "--quiet", "--out"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// An uninterrupted run of `args` into `out`, and how long it took.
fn reference(args: &[String]) -> Duration {
    let started = Instant::now();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&a);
    assert!(output.status.success(), "{}", stderr(&output));
    started.elapsed()
}

fn assert_same_files(a: &Path, b: &Path, names: &[&str], seed: u64) {
    for name in names {
        assert!(
            std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
            "seed {seed}: {name} differs from the uninterrupted run's"
        );
    }
}

/// Ctrl-C or SIGTERM at the start, while the outputs are written, and at random moments (each
/// resumed run perhaps interrupted again): the resumed run's summary.csv, rounds.csv and
/// results.json are byte for byte the uninterrupted run's.
#[cfg(unix)]
#[test]
fn interrupted_runs_resume_to_the_uninterrupted_results() {
    let tmp = tempdir();
    let mut moments = Moments::new();
    let trials = ["--trials", "20000"];
    let took = reference(&args(&tmp.path().join("ref"), &trials));
    let out = tmp.path().join("out");
    let mut kept = 0;
    for first in [
        When::AtStart,
        When::WhileWriting,
        When::After(took.mul_f64(moments.fraction())),
    ] {
        kept += finish_with_interruptions(&args(&out, &trials), &out, first, took, &mut moments).0;
        assert_same_files(
            &out,
            &tmp.path().join("ref"),
            &["summary.csv", "rounds.csv", "results.json"],
            moments.seed,
        );
        assert_eq!(entries(tmp.path()), ["out", "ref"], "seed {}", moments.seed);
    }
    assert!(
        kept >= 1,
        "seed {}: no interruption kept trials",
        moments.seed
    );
}

/// A shard pre-empted by SIGTERM (as Slurm does) and resumed with `--shard K/N --resume`
/// writes the same partial.json as the shard run whole.
#[cfg(unix)]
#[test]
fn an_interrupted_shard_resumes_to_the_same_partial() {
    let tmp = tempdir();
    let mut moments = Moments::new();
    let shard = ["--trials", "45000", "--shard", "2/3"];
    let took = reference(&args(&tmp.path().join("ref"), &shard));
    let out = tmp.path().join("out");
    // Not at the start, where the plain run's test interrupts.
    let first = When::After(took.mul_f64(0.2 + 0.6 * moments.fraction()));
    let (kept, _) = finish_with_interruptions(&args(&out, &shard), &out, first, took, &mut moments);
    assert_same_files(
        &out,
        &tmp.path().join("ref"),
        &["partial.json"],
        moments.seed,
    );
    assert_eq!(
        manifest(&out)["shard"],
        manifest(&tmp.path().join("ref"))["shard"]
    );
    assert!(
        kept >= 1,
        "seed {}: no interruption kept trials",
        moments.seed
    );
}

/// A precision run interrupted and resumed stops at the same checkpoint (20,000 trials here,
/// after 10,000) with the same outputs and the same precision reached.
#[cfg(unix)]
#[test]
fn an_interrupted_precision_run_stops_where_the_uninterrupted_one_does() {
    let tmp = tempdir();
    let mut moments = Moments::new();
    let precision = [
        "--precision",
        "total.unmet.mean=1.2%",
        "--max-trials",
        "40000",
    ];
    let took = reference(&args(&tmp.path().join("ref"), &precision));
    let reference_manifest = manifest(&tmp.path().join("ref"));
    assert_eq!(reference_manifest["precision"]["trials"], 20_000);
    // Past the first checkpoint (10,000 trials), so that the resumed run passes over it. The
    // moment is a share of the reference's wall time, which a loaded machine makes uneven from
    // run to run: when an attempt's interruption came too early (before the checkpoint) or too
    // late (after the run ended), another moment is drawn (each attempt checks the outputs all
    // the same).
    let mut most = 0;
    for attempt in 0..6 {
        let out = tmp.path().join(format!("out{attempt}"));
        let share = 0.5 + 0.45 * moments.fraction();
        let first = When::After(took.mul_f64(share));
        let (_, kept) =
            finish_with_interruptions(&args(&out, &precision), &out, first, took, &mut moments);
        assert_same_files(
            &out,
            &tmp.path().join("ref"),
            &["summary.csv", "rounds.csv", "results.json"],
            moments.seed,
        );
        assert_eq!(
            manifest(&out)["precision"],
            reference_manifest["precision"],
            "seed {}",
            moments.seed
        );
        most = kept;
        if most > 10_000 {
            break;
        }
    }
    assert!(
        most > 10_000,
        "seed {}: only {most} trials were kept",
        moments.seed
    );
}

/// Runs `args` plus `extra`, which must be refused with status 2 before simulating (a run
/// that simulates its 10^9 trials instead is killed); returns the message.
fn refused(args: &[String], extra: &[&str]) -> String {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.extend_from_slice(extra);
    let (output, _) = finish_within(spawn(&a), Duration::from_secs(30), "a refusal");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{a:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err.trim_end().to_string()
}

/// `--resume` without a state, with a damaged one, with one that is not allocsim's, or with
/// another run's (each field that identifies a run in turn) is refused, exit status 2, naming
/// what differs, and leaves the state as it was; a run without --resume starts over and does
/// not remove another run's state.
#[cfg(unix)]
#[test]
fn resume_refuses_what_is_not_this_runs_state() {
    let tmp = tempdir();
    let scenario_copy = tmp.path().join("s.toml");
    std::fs::copy(scenario(), &scenario_copy).unwrap();
    let out = tmp.path().join("out");
    let state = state_of(&out);
    let base: Vec<String> = [
        "run",
        scenario_copy.to_str().unwrap(),
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "1000000000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();

    let err = refused(&base, &["--resume"]);
    assert_eq!(
        err,
        format!(
            "error: --resume: there is no interrupted run to resume for '{}': '{}' does not \
             exist (an interrupted run keeps its finished trials there); run without --resume",
            out.display(),
            state.display()
        )
    );
    assert_eq!(
        refused(&base, &["--resume", "--trials-csv"]),
        "error: --resume cannot be used with --trials-csv: the trials an interrupted run keeps \
         are their tallies, not each trial's rows; run without --resume to write trials.csv"
    );

    let output = interrupted(&base, &out, When::After(Duration::from_millis(150)), "-INT");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(state.exists(), "{}", stderr(&output));
    let kept = std::fs::read(&state).unwrap();

    let sha = |p: &Path| crate::common::sha256_file(p)[..12].to_string();
    let there = sha(&scenario_copy);
    std::fs::write(
        &scenario_copy,
        std::fs::read_to_string(&scenario_copy).unwrap() + "\n# edited\n",
    )
    .unwrap();
    let here = sha(&scenario_copy);
    let another_run = |differs: &str| {
        format!(
            "error: --resume: '{}' keeps the trials of another run: {differs}; resume with the \
             same scenario and options, or run without --resume to start over",
            state.display()
        )
    };
    assert_eq!(
        refused(&base, &["--resume"]),
        another_run(&format!(
            "scenario file (SHA-256) {there}… there, {here}… here"
        ))
    );
    std::fs::copy(scenario(), &scenario_copy).unwrap();
    for (extra, differs) in [
        (vec!["--seed", "6"], "seed 3 there, 6 here".to_string()),
        (
            vec!["--set", "approval.probability=0.7"],
            "--set overrides none there, approval.probability=0.7 here".to_string(),
        ),
        (
            vec!["--shard", "1/2"],
            "--shard none there, 1/2 here".to_string(),
        ),
    ] {
        let mut extra = extra;
        extra.push("--resume");
        assert_eq!(refused(&base, &extra), another_run(&differs));
    }
    let mut other_trials = base.clone();
    other_trials.truncate(base.len() - 2);
    assert_eq!(
        refused(&other_trials, &["--trials", "500", "--resume"]),
        another_run("trials (or the cap, with --precision) 1000000000 there, 500 here")
    );
    assert_eq!(
        refused(
            &other_trials,
            &[
                "--precision",
                "total.unmet.mean=1%",
                "--max-trials",
                "1000000000",
                "--resume"
            ]
        ),
        another_run("--precision targets none there, total.unmet.mean=1% here")
    );
    // Another allocsim's state, its checksum made good: refused by version.
    crate::common::rewrite_partial(&state, |v| v["allocsim_version"] = "0.0.1".into());
    assert_eq!(
        refused(&base, &["--resume"]),
        another_run(&format!(
            "allocsim version 0.0.1 there, {} here",
            env!("CARGO_PKG_VERSION")
        ))
    );
    // Damaged: the checksum no longer holds (on a field nothing else checks).
    let mut value: serde_json::Value = serde_json::from_slice(&kept).unwrap();
    value["scenario_path"] = "elsewhere.toml".into();
    let damaged = serde_json::to_vec(&value).unwrap();
    std::fs::write(&state, &damaged).unwrap();
    let err = refused(&base, &["--resume"]);
    assert!(
        err.starts_with(&format!(
            "error: --resume: '{}' cannot be used: checksum mismatch: ",
            state.display()
        )),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&state).unwrap(),
        damaged,
        "a refusal changed the state"
    );

    // Not allocsim's: refused, and never replaced or removed by a run into the folder.
    std::fs::write(&state, b"my notes").unwrap();
    assert_eq!(
        refused(&base, &["--resume"]),
        format!(
            "error: --resume: '{}' is not a resume state allocsim wrote; it is left as it is \
             (move it away, or run without --resume)",
            state.display()
        )
    );
    let output = interrupted(
        &base,
        &out,
        When::After(Duration::from_millis(150)),
        "-TERM",
    );
    assert_eq!(output.status.code(), Some(130));
    assert!(
        stderr(&output).contains(&format!(
            "could not be kept: cannot write '{}'",
            state.display()
        )),
        "{}",
        stderr(&output)
    );
    let mut quick = other_trials.clone();
    quick.extend(["--trials".to_string(), "300".to_string()]);
    let q: Vec<&str> = quick.iter().map(String::as_str).collect();
    assert!(run(&q).status.success());
    assert_eq!(std::fs::read(&state).unwrap(), b"my notes");

    // A state of another run is left by a run that finishes (one of this run is removed: the
    // next test).
    std::fs::write(&state, &kept).unwrap();
    assert!(run(&q).status.success());
    assert_eq!(
        std::fs::read(&state).unwrap(),
        kept,
        "another run's state was touched"
    );
    std::fs::remove_file(&state).unwrap();
    assert_eq!(entries(tmp.path()), ["out", "s.toml"]);
}

/// A run without --resume into a folder whose state is of this same run says so, starts
/// over, does not let an interruption with fewer trials replace it, and removes it when done.
#[cfg(unix)]
#[test]
fn a_run_without_resume_notes_this_runs_state_and_removes_it_when_done() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let state = state_of(&out);
    // Enough trials that the part-way run below is still running 250 ms in on one thread
    // however fast the machine (30,000 took 0.2 s in a test build and ended first).
    let base = args(&out, &["--trials", "300000"]);
    // Interrupted while its charts are written: every trial is kept.
    let mut charts = base.clone();
    charts.retain(|a| a != "--no-charts");
    charts.extend(["--chart-size".to_string(), "480x300".to_string()]);
    let output = interrupted(&charts, &out, When::WhileWriting, "-INT");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let kept = std::fs::read(&state).unwrap();
    assert_eq!(kept_trials(&state), 300_000);

    // Stopped part way: fewer trials, which do not replace the state's.
    let mut part_way = base.clone();
    part_way.retain(|a| a != "--quiet");
    part_way.extend(["--threads".to_string(), "1".to_string()]);
    let output = interrupted(
        &part_way,
        &out,
        When::After(Duration::from_millis(250)),
        "-INT",
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.starts_with(&format!(
            "note: '{}' keeps 300,000 trials that an interrupted run of this same run finished; \
             this run starts over without them (add --resume to go on from them instead)\n",
            state.display(),
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "trials this run finished are not kept: '{}' already keeps 300,000 trials of this \
             same run: run the same command with --resume to finish the run from those",
            state.display()
        )),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&state).unwrap(),
        kept,
        "fewer trials replaced more"
    );

    let output = interrupted(&base, &out, When::Never, "-INT");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!state.exists(), "this run's state outlived the run");
    assert_eq!(entries(tmp.path()), ["out"]);
}

/// At a mount point (a Docker bind mount, a Kubernetes volume), which cannot be renamed, the
/// state is kept inside the folder as `.allocsim-resume.json`, in allocsim's own area there:
/// the folder is not refused for it, and --resume finishes the run and removes it.
#[cfg(target_os = "linux")]
#[test]
fn at_a_mount_point_the_state_is_kept_inside_and_resumed() {
    let tmp = tempdir();
    let volume = tmp.path().join("volume");
    std::fs::create_dir(&volume).unwrap();
    let Some(_mounted) = crate::common::Tmpfs::mount(&volume, "size=64m") else {
        return;
    };
    // Still running 100 ms in however fast the machine (20,000 trials could end first).
    let trials = ["--trials", "200000"];
    reference(&args(&tmp.path().join("ref"), &trials));
    let base = args(&volume, &trials);
    let output = interrupted(
        &base,
        &volume,
        When::After(Duration::from_millis(100)),
        "-TERM",
    );
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let state = volume.join(".allocsim-resume.json");
    assert!(
        stderr(&output).contains(&format!(" are kept in '{}'", state.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(entries(&volume), [".allocsim-resume.json"]);
    let mut resume = base.clone();
    resume.push("--resume".into());
    let output = interrupted(&resume, &volume, When::Never, "-INT");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!state.exists());
    assert_same_files(
        &volume,
        &tmp.path().join("ref"),
        &["summary.csv", "rounds.csv", "results.json"],
        0,
    );
    assert!(
        entries(&volume)
            .iter()
            .all(|n| !n.starts_with(".allocsim-")),
        "{:?}",
        entries(&volume)
    );
    assert_eq!(entries(tmp.path()), ["ref", "volume"]);
}
