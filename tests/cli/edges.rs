//! The edges of every input (issue 11, "never panic at the edges"): absurd thread counts, names
//! too long to draw, ratios that overflow a unit count, partial results whose names or counts
//! are impossible, per-point seeds and trials, and files past the size limit. Each is one clear
//! error naming where the problem is, with exit status 2 and nothing written, or it just works.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::{allocsim, entries, rewrite_partial, root, run_ok, stderr, tempdir};

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

/// Chip counts round halves away from zero (MODEL.md, "Units"), so the 10^12 limit holds after
/// rounding: 10^12 + 0.5 rounds to 10^12 + 1 and is refused, where it used to slip past the
/// check and be clamped silently; just under it is accepted.
#[test]
fn the_unit_limit_applies_after_rounding() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    for (orders, refused) in [
        ("1000000000000.5", true),
        (
            "{ dist = \"uniform\", min = 0, max = 1000000000000.5 }",
            true,
        ),
        ("1000000000000.4", false),
    ] {
        let path = write(
            tmp.path(),
            "s.toml",
            &good().replacen("orders = 300", &format!("orders = {orders}"), 1),
        );
        let before = entries(tmp.path());
        let o = run_in(
            tmp.path(),
            &[],
            &[
                "run",
                arg(&path),
                "--trials",
                "5",
                "--out",
                arg(&out),
                "--quiet",
            ],
        );
        if refused {
            assert_refused(
                &o,
                tmp.path(),
                &before,
                &["firm.A.orders can reach 1000000000000.5 units, more than the limit of 10^12"],
            );
        } else {
            assert!(
                o.status.success(),
                "{orders}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
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

// ---------------------------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------------------------

/// Shards 1/2 and 2/2 of a 502-trial run of a scenario with an event, in `dir`/s1 and `dir`/s2.
fn two_shards(dir: &Path) -> [PathBuf; 2] {
    let text = format!(
        "{}\n[[event]]\nname = \"customs\"\neffect = \"hold\"\nprobability = 0.1\n",
        good()
    );
    let scenario = write(dir, "sharded.toml", &text);
    ["1/2", "2/2"].map(|k| {
        let out = dir.join(format!("s{}", &k[..1]));
        run_ok(&[
            "run",
            arg(&scenario),
            "--trials",
            "502",
            "--shard",
            k,
            "--out",
            arg(&out),
            "--quiet",
        ]);
        out
    })
}

/// The scenario name in a partial became the merge's default output folder `output/<name>`
/// unchecked: `../../x` or an absolute path put it anywhere. Every name a partial carries now
/// passes the scenario validator's own check, and the partial is refused by file and field.
#[test]
fn merge_refuses_partials_with_names_a_scenario_could_not_have() {
    let tmp = tempdir();
    let cwd = tmp.path().join("work");
    std::fs::create_dir(&cwd).unwrap();
    let shards = two_shards(&cwd);
    let files = shards.clone().map(|s| s.join("partial.json"));
    let originals = files.clone().map(|f| std::fs::read(f).unwrap());
    let victim = tmp.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("keep.txt"), "mine").unwrap();

    let long_firm = "F".repeat(20_000);
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        (
            "name",
            "../../x".into(),
            "its results' info.name is not a valid name: name must be 1 to 64 letters, digits, '-' and '_' (it names the output folder), got \"../../x\"",
        ),
        (
            "name",
            arg(&victim).into(),
            "its results' info.name is not a valid name: name must be 1 to 64 letters",
        ),
        (
            "firms",
            serde_json::json!([long_firm, "B"]),
            "its results' info.firms[0] is not a valid name: firm.name is 20000 characters long, more than the limit of 64",
        ),
        (
            "firms",
            serde_json::json!(["A", "total"]),
            "its results' info.firms[1] is not a valid name: firm.name \"total\" is reserved",
        ),
    ];
    let before_tmp = entries(tmp.path());
    let before = entries(&cwd);
    for (key, value, message) in cases {
        // Both partials edited alike, as a consistent forgery would be.
        for (file, original) in files.iter().zip(&originals) {
            std::fs::write(file, original).unwrap();
            rewrite_partial(file, |v| v["results"]["info"][key] = value.clone());
        }
        let o = run_in(
            &cwd,
            &[],
            &[
                "merge",
                arg(&shards[0]),
                arg(&shards[1]),
                "--quiet",
                "--no-charts",
            ],
        );
        let err = assert_refused(
            &o,
            &cwd,
            &before,
            &[&format!("{}: {message}", files[0].display())],
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.len() < 400, "{} bytes of message", err.len());
        assert_eq!(entries(tmp.path()), before_tmp, "merge wrote outside");
        assert_eq!(entries(&victim), ["keep.txt"]);
    }

    // An event's name, carried in the knobs as "event NAME".
    for (file, original) in files.iter().zip(&originals) {
        std::fs::write(file, original).unwrap();
        rewrite_partial(file, |v| {
            let knobs = v["results"]["info"]["knobs"].as_array_mut().unwrap();
            let event = knobs
                .iter_mut()
                .find(|k| k[0] == "event customs")
                .expect("the event's knob");
            event[0] = "event cus\u{7}toms".into();
        });
    }
    let o = run_in(
        &cwd,
        &[],
        &[
            "merge",
            arg(&shards[0]),
            arg(&shards[1]),
            "--quiet",
            "--no-charts",
        ],
    );
    assert_refused(
        &o,
        &cwd,
        &before,
        &[
            &format!("{}: its results' info.knobs[", files[0].display()),
            "(an event) is not a valid name: event.name \"cus\\u{7}toms\" contains a control character",
        ],
    );

    // The untouched partials merge into output/<name>.
    for (file, original) in files.iter().zip(&originals) {
        std::fs::write(file, original).unwrap();
    }
    let o = run_in(
        &cwd,
        &[],
        &[
            "merge",
            arg(&shards[0]),
            arg(&shards[1]),
            "--quiet",
            "--no-charts",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(cwd.join("output/good/summary.csv").is_file());
}

/// A partial whose counts no shard could produce (10^9 approved rounds in a 251-trial shard,
/// checksum recomputed) merged into an approval rate of 997,009.7. Every count is now checked
/// against the shard's trials, and the partial refused by file and field.
#[test]
fn merge_refuses_partials_with_impossible_counts() {
    let tmp = tempdir();
    let shards = two_shards(tmp.path());
    let file = shards[1].join("partial.json");
    let original = std::fs::read(&file).unwrap();
    let out = tmp.path().join("merged");
    let before = entries(tmp.path());
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["results"]["rounds"][0]["approved"] = 1_000_000_000u64.into()),
            "its results: rounds[0].approved (round 1) is 1000000000, more than the 251 trials these results hold",
        ),
        (
            Box::new(|v| v["results"]["rounds"][1]["halted_here"] = 252.into()),
            "its results: rounds[1].halted_here (round 2) is 252, more than the 251 trials",
        ),
        (
            // Within the trials, but not what the rounds before add up to.
            Box::new(|v| v["results"]["rounds"][1]["halted_by"] = 7.into()),
            "its results: rounds[1].halted_by (round 2) is 7, but the trials halted in rounds 1..=2 add up to 0",
        ),
        (
            // One more trial in a tally and in its histogram, so the histogram still adds up.
            Box::new(|v| {
                let t = &mut v["results"]["tallies"][0][0];
                t["n"] = 252.into();
                let bucket = &mut t["buckets"][0][1];
                *bucket = (bucket.as_u64().unwrap() + 1).into();
                let exact = &mut t["exact"][0][1];
                *exact = (exact.as_u64().unwrap() + 1).into();
            }),
            "its results: tallies[0][0] (firm \"A\", orders).n is 252, but these results hold 251 trials",
        ),
        (
            Box::new(|v| v["results"]["tallies"][1][1]["sum"] = "1000000000000000".into()),
            "its results: tallies[1][1] (firm \"B\", delivered).sum is 1000000000000000, which 251 values within",
        ),
        (
            Box::new(|v| v["results"]["tallies"][2][5]["max"] = 2_000_000_000u64.into()),
            "its results: tallies[2][5] (the total, fill_rate): max 2000000000 is a fill rate above 1",
        ),
        (
            Box::new(|v| v["results"]["approved_rounds"]["max"] = 3.into()),
            "its results: approved_rounds: max 3 is more than the 2 rounds",
        ),
    ];
    for (edit, message) in cases {
        std::fs::write(&file, &original).unwrap();
        rewrite_partial(&file, |v| edit(v));
        let o = run_in(
            tmp.path(),
            &[],
            &[
                "merge",
                arg(&shards[0]),
                arg(&shards[1]),
                "--out",
                arg(&out),
                "--quiet",
            ],
        );
        let err = assert_refused(
            &o,
            tmp.path(),
            &before,
            &[&format!("{}: {message}", file.display())],
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------------------------

/// Every point of a sweep, comparison or sensitivity runs on one seed and trial count (common
/// random numbers), so a point's own `seed` or `trials` was silently ignored. Refused, pointing
/// to `--seed` and `--trials`.
#[test]
fn points_cannot_set_their_own_seed_or_trials() {
    let tmp = tempdir();
    let a = write(tmp.path(), "a.toml", &good());
    let b = write(
        tmp.path(),
        "b.toml",
        &good().replace("\"good\"", "\"other\""),
    );
    let out = tmp.path().join("out");
    let before = entries(tmp.path());
    let (a, b, out) = (arg(&a), arg(&b), arg(&out));
    let common = ["--trials", "20", "--out", out, "--quiet", "--no-charts"];
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec!["sweep", a, "--set", "seed=1,2"],
            "--set seed=...",
            "--seed",
        ),
        (
            vec![
                "sweep",
                a,
                "--set",
                "trials=100",
                "--set",
                "domestic.ratio=0.1,0.2",
            ],
            "--set trials=...",
            "--trials",
        ),
        (
            vec![
                "sweep",
                a,
                "--set",
                "domestic.ratio=0.1,0.2",
                "--set",
                "trials=10,20",
            ],
            "--set trials=...",
            "--trials",
        ),
        (
            vec!["compare", a, b, "--set", "seed=3"],
            "--set seed=...",
            "--seed",
        ),
        (
            vec!["sensitivity", a, "--vary", "trials=10,20"],
            "--vary trials=...",
            "--trials",
        ),
        (
            vec![
                "sensitivity",
                a,
                "--vary",
                "domestic.ratio=0.1,0.2",
                "--set",
                "seed=4",
            ],
            "--set seed=...",
            "--seed",
        ),
    ];
    for (mut args, what, option) in cases {
        args.extend_from_slice(&common);
        let o = run_in(tmp.path(), &[], &args);
        let err = assert_refused(
            &o,
            tmp.path(),
            &before,
            &[
                &format!("{what}: every point runs on the same seed and number of trials"),
                "common random numbers",
                &format!("use {option} instead"),
            ],
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `sweep`, `compare` and `sensitivity` read their scenarios with their own reader, without the
/// 10 MB limit: `sweep /dev/zero` ran out of memory. They now share `run`'s reader.
#[test]
fn comparison_commands_refuse_files_past_the_size_limit() {
    let tmp = tempdir();
    let big = tmp.path().join("big.toml");
    // Sparse: 11 MB long, next to no disk.
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(11_000_000))
        .unwrap();
    let a = write(tmp.path(), "a.toml", &good());
    let out = tmp.path().join("out");
    let before = entries(tmp.path());
    let (big, a, out) = (arg(&big), arg(&a), arg(&out));
    let message = format!("{big}: the scenario is 11.0 MB; the limit is 10 MB");
    for args in [
        vec!["sweep", big, "--set", "domestic.ratio=0.1,0.2"],
        vec!["compare", a, big],
        vec!["sensitivity", big, "--vary", "domestic.ratio=0.1,0.2"],
    ] {
        let mut args = args;
        args.extend_from_slice(&["--trials", "10", "--out", out, "--quiet"]);
        let o = run_in(tmp.path(), &[], &args);
        let err = assert_refused(&o, tmp.path(), &before, &[&message]);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // A device without a length is read only up to the limit (killed at the deadline if not).
    if Path::new("/dev/zero").exists() {
        let o = run_in(
            tmp.path(),
            &[],
            &[
                "sweep",
                "/dev/zero",
                "--set",
                "domestic.ratio=0.1,0.2",
                "--out",
                out,
                "--quiet",
            ],
        );
        assert_refused(
            &o,
            tmp.path(),
            &before,
            &["/dev/zero: the scenario is over 10 MB; the limit is 10 MB"],
        );
    }
}
