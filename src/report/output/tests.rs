use super::*;

fn run_options() -> OutputOptions<'static> {
    OutputOptions::new(Kind::Run)
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

fn write_run(dest: &Path, files: &[(&str, &[u8])]) -> Result<PathBuf, OutputError> {
    let out = OutputDir::prepare(dest, &run_options())?;
    for (name, bytes) in files {
        out.write(name, bytes)?;
    }
    out.commit()
}

#[test]
fn commit_replaces_whole_folder_and_drop_leaves_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("nested").join("run");
    write_run(&dest, &[("a.csv", b"1\n"), ("b.csv", b"2\n")]).unwrap();
    assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"1\n");
    assert_eq!(names(&dest), [MARKER, "a.csv", "b.csv"]);
    let marker = Marker::read(&dest).unwrap();
    assert_eq!(
        (marker.kind, marker.files),
        (Kind::Run, vec!["a.csv".into(), "b.csv".into()])
    );

    // A second run that fails before committing leaves the first untouched.
    let failed = OutputDir::prepare(&dest, &run_options()).unwrap();
    assert!(failed.replaces_earlier_results());
    failed.write("a.csv", b"changed\n").unwrap();
    drop(failed);
    assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"1\n");

    // A committed second run replaces the folder as a whole: b.csv is gone.
    write_run(&dest, &[("a.csv", b"3\n")]).unwrap();
    assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"3\n");
    assert!(!dest.join("b.csv").exists());
    assert_eq!(
        names(dest.parent().unwrap()),
        ["run"],
        "no staging folder or lock left"
    );
}

#[test]
fn a_folder_with_a_foreign_file_is_refused_and_kept_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("precious");
    fs::create_dir(&dest).unwrap();
    fs::write(dest.join("thesis.txt"), b"years of work").unwrap();
    let err = OutputDir::prepare(&dest, &run_options()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, OutputError::Refused { .. }), "{err:?}");
    assert!(message.contains("'thesis.txt'"), "{message}");
    assert!(message.contains(&dest.display().to_string()), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert!(!err.is_machine_failure());
    assert_eq!(names(&dest), ["thesis.txt"]);
    assert_eq!(names(tmp.path()), ["precious"], "nothing staged beside it");

    // Our own folder with a user's file added to it is not ours to replace either.
    let ours = tmp.path().join("ours");
    write_run(&ours, &[("a.csv", b"1\n")]).unwrap();
    fs::write(ours.join("notes.txt"), b"mine").unwrap();
    let err = OutputDir::prepare(&ours, &run_options()).unwrap_err();
    assert!(err.to_string().contains("'notes.txt'"), "{err}");
    assert!(!err.to_string().contains("a.csv"), "{err}");

    // Forced, the folder is replaced.
    let forced = OutputDir::prepare(
        &dest,
        &OutputOptions {
            force: true,
            ..run_options()
        },
    )
    .unwrap();
    forced.write("a.csv", b"1\n").unwrap();
    forced.commit().unwrap();
    assert_eq!(names(&dest), [MARKER, "a.csv"]);
}

#[test]
fn many_foreign_files_are_counted_not_all_listed() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..9 {
        fs::write(tmp.path().join(format!("f{i}.txt")), b"x").unwrap();
    }
    let err = OutputDir::prepare(tmp.path(), &run_options()).unwrap_err();
    assert!(
        err.to_string().contains("'f4.txt') and 4 more")
            || err.to_string().contains("'f4.txt' and 4 more"),
        "{err}"
    );
}

#[test]
fn a_folder_holding_an_input_or_the_current_folder_is_never_replaced_even_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    fs::create_dir(&project).unwrap();
    let scenario = project.join("s.toml");
    fs::write(&scenario, b"name = \"s\"").unwrap();
    let inputs = [scenario.clone()];
    let options = OutputOptions {
        force: true,
        inputs: &inputs,
        ..run_options()
    };
    let err = OutputDir::prepare(&project, &options).unwrap_err();
    assert!(
        err.to_string().contains("which this command reads"),
        "{err}"
    );
    assert_eq!(fs::read(&scenario).unwrap(), b"name = \"s\"");
    // Nor the home folder, or a folder that holds it (one with a name: "/" names none).
    if let Some(home) = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_dir() && h.file_name().is_some())
    {
        let forced = OutputOptions {
            force: true,
            ..run_options()
        };
        let mut holders = vec![home.clone()];
        holders.extend(
            home.ancestors()
                .skip(1)
                .filter(|a| a.file_name().is_some())
                .map(Path::to_path_buf),
        );
        for dest in holders {
            let err = OutputDir::prepare(&dest, &forced).unwrap_err();
            let message = err.to_string();
            assert!(
                message.contains("your home folder") || message.contains("the current folder"),
                "{message}"
            );
        }
    }
    // An allocsim folder that holds an input (merge's partial.json) is protected too.
    let shard = tmp.path().join("shard");
    write_run(&shard, &[("partial.json", b"{}")]).unwrap();
    let partial = [shard.join("partial.json")];
    let err = OutputDir::prepare(
        &shard,
        &OutputOptions {
            inputs: &partial,
            ..run_options()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("which this command reads"),
        "{err}"
    );
}

#[test]
fn an_empty_or_missing_folder_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    write_run(&empty, &[("a.csv", b"1\n")]).unwrap();
    assert_eq!(names(&empty), [MARKER, "a.csv"]);
    write_run(&tmp.path().join("new"), &[("a.csv", b"1\n")]).unwrap();
    assert_eq!(names(tmp.path()), ["empty", "new"]);
}

#[test]
fn a_second_writer_is_refused_with_the_holders_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    let first = OutputDir::prepare(&dest, &run_options()).unwrap();
    let err = OutputDir::prepare(&dest, &run_options()).unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "in use by another allocsim (pid {})",
            std::process::id()
        )),
        "{err}"
    );
    drop(first);
    write_run(&dest, &[("a.csv", b"1\n")]).unwrap();
}

#[test]
fn leftovers_of_a_killed_commit_are_cleaned_and_a_moved_aside_folder_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    write_run(&dest, &[("a.csv", b"old\n")]).unwrap();
    // A commit killed between moving the old folder aside and moving the new one in, with a
    // staging folder of another killed run beside it and a stale lock file.
    fs::rename(&dest, tmp.path().join(".out.allocsim-old-4242")).unwrap();
    fs::create_dir(tmp.path().join(".out.allocsim-staging-4243")).unwrap();
    fs::write(tmp.path().join(".out.allocsim-staging-4243/a.csv"), b"half").unwrap();
    fs::write(tmp.path().join(".out.allocsim-lock"), b"4243\n").unwrap();
    // Another folder's leftovers and a user's look-alike are not touched.
    fs::create_dir(tmp.path().join(".other.allocsim-staging-1")).unwrap();
    fs::create_dir(tmp.path().join(".out.old")).unwrap();
    fs::write(tmp.path().join(".out.old/mine.txt"), b"mine").unwrap();

    let out = OutputDir::prepare(&dest, &run_options()).unwrap();
    assert_eq!(
        fs::read(dest.join("a.csv")).unwrap(),
        b"old\n",
        "old folder put back"
    );
    drop(out);
    assert_eq!(
        names(tmp.path()),
        [".other.allocsim-staging-1", ".out.old", "out"]
    );
    assert_eq!(
        fs::read(tmp.path().join(".out.old/mine.txt")).unwrap(),
        b"mine"
    );
}

#[test]
fn the_leftovers_of_allocsim_0_2_are_recognised() {
    let tmp = tempfile::tempdir().unwrap();
    let old = tmp.path().join(".kb.old");
    fs::create_dir(&old).unwrap();
    fs::write(
        old.join("manifest.json"),
        br#"{"allocsim_version": "0.2.0"}"#,
    )
    .unwrap();
    fs::write(old.join("summary.csv"), b"firm\n").unwrap();
    let staging = tmp.path().join(".kb.partial-77");
    fs::create_dir(&staging).unwrap();
    fs::write(staging.join(".summary.csv.tmp"), b"x").unwrap();
    // The folder was lost between 0.2's two renames: the old one comes back, and is
    // recognised as allocsim's (a legacy folder) so it can be replaced.
    let dest = tmp.path().join("kb");
    write_run(&dest, &[("a.csv", b"1\n")]).unwrap();
    assert_eq!(names(tmp.path()), ["kb"]);
    assert_eq!(names(&dest), [MARKER, "a.csv"]);
}

#[test]
fn a_symbolic_link_is_followed_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target");
    fs::create_dir(&target).unwrap();
    let link = tmp.path().join("link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &link).unwrap();
    #[cfg(not(unix))]
    return;
    let written = write_run(&link, &[("a.csv", b"1\n")]).unwrap();
    assert_eq!(written, fs::canonicalize(&target).unwrap());
    write_run(&link, &[("a.csv", b"2\n")]).unwrap();
    assert!(link.is_symlink());
    assert_eq!(fs::read(target.join("a.csv")).unwrap(), b"2\n");
    fs::remove_dir(&target).unwrap_or_else(|_| fs::remove_dir_all(&target).unwrap());
    let err = write_run(&link, &[("a.csv", b"3\n")]).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn in_place_commit_replaces_the_files_of_a_folder_that_cannot_be_renamed() {
    let tmp = tempfile::tempdir().unwrap();
    let mount = tmp.path().join("volume");
    fs::create_dir(&mount).unwrap();
    let in_place = |files: &[(&str, &[u8])]| {
        let out = OutputDir::prepare_as(&mount, &run_options(), Some(Commit::InPlace))?;
        assert!(
            out.staging.starts_with(&mount),
            "staged on the mount's own file system"
        );
        for (name, bytes) in files {
            out.write(name, bytes)?;
        }
        out.commit()
    };
    in_place(&[("a.csv", b"1\n"), ("b.csv", b"1\n")]).unwrap();
    assert_eq!(names(&mount), [MARKER, "a.csv", "b.csv"]);
    in_place(&[("a.csv", b"2\n")]).unwrap();
    assert_eq!(names(&mount), [MARKER, "a.csv"]);
    assert_eq!(fs::read(mount.join("a.csv")).unwrap(), b"2\n");
    assert_eq!(Marker::read(&mount).unwrap().files, ["a.csv"]);
    fs::write(mount.join("mine.txt"), b"mine").unwrap();
    let err = in_place(&[("a.csv", b"3\n")]).unwrap_err();
    assert!(err.to_string().contains("'mine.txt'"), "{err}");
    assert_eq!(names(&mount), [MARKER, "a.csv", "mine.txt"]);
    assert_eq!(
        names(tmp.path()),
        ["volume"],
        "nothing written beside a mount point"
    );
}

#[test]
fn a_set_cancel_flag_stops_a_write_and_leaves_nothing() {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    let out = OutputDir::prepare(
        &dest,
        &OutputOptions {
            cancel: Some(&CANCEL),
            ..run_options()
        },
    )
    .unwrap();
    let err = out
        .write_with("big.csv", |w| {
            for i in 0..10_000_000u64 {
                if i == 1000 {
                    CANCEL.store(true, Ordering::SeqCst);
                }
                writeln!(w, "{i}")?;
            }
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            OutputError::Interrupted {
                previous: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("interrupted; nothing was written to {}", dest.display())
    );
    drop(out);
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn reopen_carries_every_file_over_and_keeps_the_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("sweep");
    let out = OutputDir::prepare(&dest, &OutputOptions::new(Kind::Sweep)).unwrap();
    out.write("comparison.csv", b"c\n").unwrap();
    out.write("old.png", b"png").unwrap();
    out.commit().unwrap();
    let again = OutputDir::reopen(&dest, None).unwrap();
    assert_eq!(again.kind(), Kind::Sweep);
    again.write("old.png", b"new png").unwrap();
    again.commit().unwrap();
    assert_eq!(fs::read(dest.join("comparison.csv")).unwrap(), b"c\n");
    assert_eq!(fs::read(dest.join("old.png")).unwrap(), b"new png");
    assert_eq!(
        Marker::read(&dest).unwrap().files,
        ["comparison.csv", "old.png"]
    );

    let foreign = tmp.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("results.json"), b"{}").unwrap();
    let err = OutputDir::reopen(&foreign, None).unwrap_err();
    assert!(
        err.to_string().contains("not an allocsim output folder"),
        "{err}"
    );
}

#[test]
fn file_names_must_be_plain() {
    let tmp = tempfile::tempdir().unwrap();
    let out = OutputDir::prepare(&tmp.path().join("out"), &run_options()).unwrap();
    for bad in ["", "../x", "a/b", MARKER, ".hidden"] {
        assert!(out.write(bad, b"x").is_err(), "{bad:?}");
    }
}

#[test]
fn a_full_disk_is_the_machines_failure_and_a_refusal_the_users() {
    let io = |kind| OutputError::io(Path::new("x"), io::Error::from(kind));
    assert!(io(io::ErrorKind::StorageFull).is_machine_failure());
    assert!(io(io::ErrorKind::Other).is_machine_failure());
    assert!(!io(io::ErrorKind::PermissionDenied).is_machine_failure());
    assert!(!io(io::ErrorKind::ReadOnlyFilesystem).is_machine_failure());
}

#[test]
fn without_an_atomic_exchange_two_renames_replace_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    write_run(&dest, &[("a.csv", b"1\n"), ("b.csv", b"1\n")]).unwrap();
    let mut out = OutputDir::prepare(&dest, &run_options()).unwrap();
    out.exchange = false;
    out.write("a.csv", b"2\n").unwrap();
    out.commit().unwrap();
    assert_eq!(names(&dest), [MARKER, "a.csv"]);
    assert_eq!(fs::read(dest.join("a.csv")).unwrap(), b"2\n");
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn a_folder_named_like_the_marker_is_the_users() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    fs::create_dir_all(dest.join(MARKER)).unwrap();
    fs::write(dest.join(MARKER).join("data.txt"), b"mine").unwrap();
    let err = OutputDir::prepare(&dest, &run_options()).unwrap_err();
    assert!(err.to_string().contains(&format!("'{MARKER}'")), "{err}");
    assert_eq!(
        fs::read(dest.join(MARKER).join("data.txt")).unwrap(),
        b"mine"
    );
}
