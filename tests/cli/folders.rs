//! Output folders: a folder allocsim did not write is never replaced, a killed commit never
//! loses or wedges a folder, two runs never write one folder, and links, mount points, odd
//! paths and closed pipes all end cleanly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
use crate::common::Tmpfs;
use crate::common::{
    ENDLESS, allocsim, data, entries, finish_within, manifest, refused_quickly, root, run, run_ok,
    run_scenario, signal, snapshot, spawn, stderr, tempdir,
};

/// The binary as a std Command, for tests that set its standard streams.
fn bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("allocsim"));
    cmd.current_dir(root()).env_remove("RAYON_NUM_THREADS");
    cmd
}

/// A folder holding a user's file, which every command must refuse before simulating.
fn precious(tmp: &Path) -> PathBuf {
    let dir = tmp.join("precious");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("thesis.txt"), b"years of work\n").unwrap();
    dir
}

fn assert_precious_untouched(dir: &Path) {
    assert_eq!(entries(dir), ["thesis.txt"]);
    assert_eq!(
        std::fs::read(dir.join("thesis.txt")).unwrap(),
        b"years of work\n"
    );
    assert_eq!(
        entries(dir.parent().unwrap())
            .into_iter()
            .filter(|n| n.starts_with('.'))
            .collect::<Vec<_>>(),
        Vec::<String>::new(),
        "a staging folder or lock was left beside it"
    );
}

fn assert_names_foreign_file(first_line: &str, dir: &Path) {
    assert!(
        first_line.contains(&format!("'{}'", dir.display()))
            && first_line.contains("'thesis.txt'")
            && first_line.contains("--force"),
        "{first_line}"
    );
}

#[test]
fn every_command_refuses_a_folder_it_did_not_write_before_simulating() {
    let tmp = tempdir();
    let dir = precious(tmp.path());
    let out = dir.to_str().unwrap();
    let good = data("good.toml");
    let commands: [Vec<&str>; 4] = [
        vec!["run", &good, "--trials", ENDLESS],
        vec![
            "sweep",
            &good,
            "--set",
            "domestic.ratio=0.2,0.4",
            "--trials",
            ENDLESS,
        ],
        vec!["compare", &good, &good, "--trials", ENDLESS],
        vec![
            "sensitivity",
            &good,
            "--vary",
            "domestic.ratio=0.2,0.4",
            "--trials",
            ENDLESS,
        ],
    ];
    for mut args in commands {
        args.extend(["--out", out]);
        let first = refused_quickly(&args);
        assert_names_foreign_file(&first, &dir);
        assert_precious_untouched(&dir);
    }
    // merge too, before it writes anything.
    let shard = tmp.path().join("shard");
    run_scenario(&good, &shard, &["--trials", "40", "--shard", "1/1"]);
    let first = refused_quickly(&["merge", shard.to_str().unwrap(), "--out", out]);
    assert_names_foreign_file(&first, &dir);
    assert_precious_untouched(&dir);
}

#[test]
fn force_replaces_a_foreign_folder_but_never_the_scenario_being_read() {
    let tmp = tempdir();
    let dir = precious(tmp.path());
    run_scenario(&data("good.toml"), &dir, &["--trials", "30", "--force"]);
    assert!(!dir.join("thesis.txt").exists());
    assert!(dir.join("summary.csv").is_file());

    // From inside a project, --out ../proj is the project itself.
    let project = tmp.path().join("proj");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(root().join(data("good.toml")), project.join("s.toml")).unwrap();
    for force in [false, true] {
        let mut cmd = allocsim();
        cmd.current_dir(&project).args([
            "run", "s.toml", "--trials", "30", "--quiet", "--out", "../proj",
        ]);
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("'s.toml', which this command reads"), "{err}");
        assert_eq!(entries(&project), ["s.toml"]);
    }
}

#[test]
fn an_allocsim_folder_with_a_users_file_added_is_refused() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".allocsim")).unwrap()).unwrap();
    assert_eq!(marker["kind"], "run");
    let mut listed: Vec<String> = marker["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    listed.push(".allocsim".into());
    listed.sort();
    assert_eq!(
        listed,
        entries(&out),
        "the marker lists exactly the folder's files"
    );

    std::fs::write(out.join("notes.txt"), b"mine\n").unwrap();
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(first.contains("'notes.txt'"), "{first}");
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine\n");
    // `report` rewrites the folder whole too, so it refuses as well.
    let report = run(&["report", out.to_str().unwrap()]);
    assert_eq!(report.status.code(), Some(2), "{}", stderr(&report));
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine\n");
}

#[test]
fn results_from_before_the_marker_are_still_replaced_and_redrawn() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
    std::fs::remove_file(out.join(".allocsim")).unwrap();
    run_ok(&["report", out.to_str().unwrap()]);
    assert!(out.join(".allocsim").is_file());
    std::fs::remove_file(out.join(".allocsim")).unwrap();
    run_scenario(&data("good.toml"), &out, &["--trials", "40"]);
    assert_eq!(manifest(&out)["trials"], 40);
}

#[test]
fn merge_refuses_to_write_into_its_own_inputs() {
    let tmp = tempdir();
    let parts = tmp.path().join("parts");
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let dir = parts.join(format!("s{k}"));
            run_scenario(
                &data("good.toml"),
                &dir,
                &["--trials", "40", "--shard", &format!("{k}/2")],
            );
            dir
        })
        .collect();
    let before = snapshot(&parts);
    let (s1, s2) = (shards[0].to_str().unwrap(), shards[1].to_str().unwrap());
    for out in [s1, s2, parts.to_str().unwrap()] {
        let first = refused_quickly(&["merge", s1, s2, "--out", out]);
        assert!(first.contains("which this command reads"), "{first}");
        assert!(!first.contains("panicked"));
        assert_eq!(snapshot(&parts), before, "--out {out} changed a partial");
    }
    let merged = tmp.path().join("merged");
    run_ok(&[
        "merge",
        s1,
        s2,
        "--out",
        merged.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(merged.join("summary.csv").is_file());
}

#[cfg(unix)]
#[test]
fn a_second_run_into_the_same_folder_is_told_who_holds_it() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
    let before = snapshot(&out);
    let out_arg = out.to_str().unwrap();
    let first = spawn(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--quiet",
        "--out",
        out_arg,
    ]);
    // Wait for the first to hold the lock.
    let lock = tmp.path().join(".out.allocsim-lock");
    let started = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.trim() == first.id().to_string()) {
        if started.elapsed() > Duration::from_secs(30) {
            signal(&first, "-KILL");
            panic!("the first run took no lock");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for command in [
        vec![
            "run",
            &data("good.toml"),
            "--trials",
            "30",
            "--out",
            out_arg,
        ],
        vec!["report", out_arg],
    ] {
        let second = refused_quickly(&command);
        assert!(
            second.contains(&format!("in use by another allocsim (pid {})", first.id())),
            "{second}"
        );
    }
    signal(&first, "-INT");
    let (output, _) = finish_within(first, Duration::from_secs(30), "the first run");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert_eq!(snapshot(&out), before);
    // The lock is removed; the trials the first run finished are kept beside the folder.
    assert_eq!(
        entries(tmp.path()),
        [".out.allocsim-resume.json", "out"],
        "the lock is removed"
    );
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
}

/// The files of a finished run that do not vary between runs of one seed.
fn stable_files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot(dir);
    files.remove(Path::new("manifest.json"));
    files
}

/// kill -9 at random moments around the end of runs that replace a folder: after each kill the
/// folder is there and whole (every file of the old run or every file of the new one), `report`
/// reads it, and the next run into it succeeds. ALLOCSIM_KILL_LOOPS sets how many (40 by
/// default, to keep the suite short; run it with 500 to hunt).
#[cfg(unix)]
#[test]
fn kill_9_during_the_commit_never_loses_or_wedges_the_folder() {
    let loops: u32 = std::env::var("ALLOCSIM_KILL_LOOPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let tmp = tempdir();
    let args = |seed: &str, out: &Path| -> Vec<String> {
        [
            "run",
            &data("good.toml"),
            "--trials",
            "3000",
            "--no-charts",
            "--quiet",
        ]
        .into_iter()
        .map(String::from)
        .chain([
            "--seed".into(),
            seed.into(),
            "--out".into(),
            out.display().to_string(),
        ])
        .collect()
    };
    let run_args = |seed: &str, out: &Path| {
        let a = args(seed, out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run_ok(&a);
    };
    // The two possible contents, and how long a run takes.
    let references: Vec<_> = ["1", "2"]
        .iter()
        .map(|seed| {
            let dir = tmp.path().join(format!("ref{seed}"));
            run_args(seed, &dir);
            stable_files(&dir)
        })
        .collect();
    assert_ne!(references[0], references[1]);
    let dest_parent = tmp.path().join("kills");
    let dest = dest_parent.join("out");
    let started = Instant::now();
    run_args("1", &dest);
    let took = started.elapsed();

    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut new_seen = 0;
    for i in 0..loops {
        let seed = if i % 2 == 0 { "2" } else { "1" };
        let a = args(seed, &dest);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        // A moment in the last 40% of a run or just after it ends.
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = 0.6 + 0.5 * ((state >> 11) as f64 / (1u64 << 53) as f64);
        let mut child = spawn(&a);
        std::thread::sleep(took.mul_f64(fraction));
        let _ = child.kill();
        let _ = child.wait();

        assert!(dest.is_dir(), "kill {i}: the folder is gone");
        let now = stable_files(&dest);
        let which = references.iter().position(|r| *r == now);
        assert!(
            which.is_some(),
            "kill {i}: the folder is not whole: {:?}",
            now.keys().collect::<Vec<_>>()
        );
        let seed_in_manifest = manifest(&dest)["seed"].as_u64().unwrap();
        assert_eq!(
            seed_in_manifest,
            which.unwrap() as u64 + 1,
            "kill {i}: manifest.json is of the other run"
        );
        if seed_in_manifest.to_string() == seed {
            new_seen += 1;
        }
        if i % 10 == 0 {
            let report = run(&["report", dest.to_str().unwrap(), "--chart-size", "480x300"]);
            assert!(
                report.status.success(),
                "kill {i}: report: {}",
                stderr(&report)
            );
        }
        // What the kill left beside the folder is cleaned up by the next run into it.
        run_args(seed, &dest);
        assert_eq!(entries(&dest_parent), ["out"], "kill {i}: leftovers");
    }
    eprintln!("{loops} kills: {new_seen} found the new run in place, the rest the old one");
}

#[cfg(unix)]
#[test]
fn a_write_protected_previous_output_is_refused_before_simulating() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(&out);
    // Root ignores permission bits: run the binary as nobody where we are root.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("allocsim"));
    let is_root = std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    });
    if is_root {
        if std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: running as root without setpriv to drop privileges");
            return;
        }
        cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("allocsim"));
    }
    // The scenario must be readable by that user: copy it beside the output.
    let scenario = tmp.path().join("s.toml");
    std::fs::copy(root().join(data("good.toml")), &scenario).unwrap();
    std::fs::set_permissions(&scenario, std::fs::Permissions::from_mode(0o644)).unwrap();
    let child = cmd
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            ENDLESS,
            "--out",
        ])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that simulates before refusing never ends: finish_within kills it and fails.
    let (output, _) = finish_within(child, Duration::from_secs(60), "a run as nobody");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("write-protected"), "{err}");
    assert_eq!(snapshot(&out), before);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    let beside: Vec<String> = entries(tmp.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_as_out_is_followed_and_stays_a_link() {
    let tmp = tempdir();
    let target = tmp.path().join("big-disk");
    std::fs::create_dir(&target).unwrap();
    let link = tmp.path().join("results");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for trials in ["30", "40"] {
        run_scenario(&data("good.toml"), &link, &["--trials", trials]);
        assert!(link.is_symlink(), "the link was replaced by a folder");
        assert_eq!(manifest(&target)["trials"].to_string(), trials);
    }
    let dangling = tmp.path().join("dangling");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        dangling.to_str().unwrap(),
    ]);
    assert!(first.contains("symbolic link"), "{first}");
}

/// A tmpfs mounted on a folder stands for a Docker bind mount or a Kubernetes volume root.
#[cfg(target_os = "linux")]
#[test]
fn an_output_at_a_mount_point_is_written_inside_it() {
    let tmp = tempdir();
    let volume = tmp.path().join("volume");
    std::fs::create_dir(&volume).unwrap();
    let Some(_mounted) = Tmpfs::mount(&volume, "size=64m") else {
        return;
    };
    run_scenario(
        &data("good.toml"),
        &volume,
        &["--trials", "30", "--trials-csv"],
    );
    assert!(volume.join("trials.csv").is_file());
    run_scenario(&data("good.toml"), &volume, &["--trials", "40"]);
    assert_eq!(manifest(&volume)["trials"], 40);
    assert!(!volume.join("trials.csv").exists(), "an old file survived");
    let names = entries(&volume);
    assert!(
        names.iter().all(|n| !n.starts_with(".allocsim-")),
        "{names:?}"
    );
    run_ok(&["report", volume.to_str().unwrap()]);
    std::fs::write(volume.join("mine.txt"), b"mine").unwrap();
    let first = refused_quickly(&[
        "run",
        &data("good.toml"),
        "--trials",
        ENDLESS,
        "--out",
        volume.to_str().unwrap(),
    ]);
    assert!(first.contains("'mine.txt'"), "{first}");
    assert_eq!(
        entries(tmp.path()),
        ["volume"],
        "nothing written beside the mount point"
    );
}

#[cfg(unix)]
#[test]
fn paths_that_are_not_utf8_are_accepted_and_recorded_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempdir();
    let odd = std::ffi::OsStr::from_bytes(b"sc\xffenario");
    let scenario = tmp.path().join(odd).with_extension("toml");
    std::fs::copy(root().join(data("good.toml")), &scenario).unwrap();
    let out = tmp.path().join(std::ffi::OsStr::from_bytes(b"out\xfe"));
    let output = allocsim()
        .arg("run")
        .arg(&scenario)
        .args(["--trials", "30", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let recorded = manifest(&out);
    assert!(
        recorded["scenario_path"]
            .as_str()
            .unwrap()
            .contains("sc\u{fffd}enario")
    );
    assert!(
        recorded["command_line"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().ends_with("out\u{fffd}")),
        "{recorded}"
    );
}

#[cfg(unix)]
#[test]
fn a_closed_or_full_stdout_or_stderr_ends_quietly_without_a_panic() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    // A closed pipe: the reader is gone before allocsim writes its table.
    let mut child = bin()
        .args(["run", &data("good.toml"), "--trials", "30", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.is_empty(), "a closed pipe is no error to report: {err}");
    assert!(
        out.join("summary.csv").is_file(),
        "the results were still written"
    );

    // A full stdout: exit 1, and the reason on stderr.
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let output = bin()
        .args(["run", &data("good.toml"), "--trials", "30", "--out"])
        .arg(&out)
        .stdout(full())
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    let output = bin()
        .args(["validate", &data("good.toml")])
        .stdout(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    // Bad input with a full stderr keeps its exit status.
    let output = bin()
        .args(["run", "tests/data/no-such.toml", "--out"])
        .arg(&out)
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = bin()
        .args(["validate", "tests/data/no-such.toml"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// SIGTERM while trials.csv is being written stops the write within a second or two, and
/// leaves the previous results whole.
#[cfg(unix)]
#[test]
fn sigterm_while_writing_outputs_stops_promptly() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30"]);
    let before = snapshot(&out);
    let child = spawn(&[
        "run",
        &data("good.toml"),
        "--trials",
        "1000000",
        "--trials-csv",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    // Wait until trials.csv is being written in the staging folder.
    let staging = tmp
        .path()
        .join(format!(".out.allocsim-staging-{}", child.id()));
    let started = Instant::now();
    while !staging.join(".trials.csv.tmp").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "trials.csv was never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Instant::now();
    signal(&child, "-TERM");
    let (output, _) = finish_within(child, Duration::from_secs(60), "a run writing trials.csv");
    let took = sent.elapsed();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("previous results"),
        "{}",
        stderr(&output)
    );
    // Generous for a loaded machine; before the fix this took several seconds in a debug build.
    assert!(took < Duration::from_secs(3), "took {took:?} to stop");
    assert_eq!(snapshot(&out), before);
    // Every trial had finished: they are kept beside the folder, for --resume.
    assert_eq!(entries(tmp.path()), [".out.allocsim-resume.json", "out"]);
}

/// A full disk is the machine's failure: exit status 1, the previous results whole, nothing
/// half-written left behind. A 256 KiB tmpfs stands for the full disk.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_exits_1_and_keeps_the_previous_results() {
    let tmp = tempdir();
    let disk = tmp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let Some(_mounted) = Tmpfs::mount(&disk, "size=256k") else {
        return;
    };
    let out = disk.join("out");
    run_scenario(&data("good.toml"), &out, &["--trials", "30", "--no-charts"]);
    let before = snapshot(&out);
    let output = run(&[
        "run",
        &data("good.toml"),
        "--trials",
        "3000",
        "--trials-csv",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&out), before);
    assert_eq!(
        entries(&disk),
        ["out"],
        "a staging folder was left on the full disk"
    );
}
