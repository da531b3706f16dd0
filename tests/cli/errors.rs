//! Bad input: every broken scenario, override and output folder is refused with exit status 2,
//! one clear `error:` line a problem naming the file position (or the `--set` argument), no
//! panic, and nothing written.
//!
//! The corpus is tests/data/bad/NAME.toml, each with NAME.expected holding the exact stderr of
//! `allocsim run tests/data/bad/NAME.toml` (run from the crate root): one line for each problem
//! of the file, in the order of their positions. To regenerate the .expected files from the
//! binary's current messages, run
//!
//!     ALLOCSIM_BLESS=1 cargo test --test cli errors::
//!
//! and review the diff before keeping it: every message must name the field by its dotted path
//! (MODEL.md: a bad value "names the field and the file position") and speak of TOML types
//! ("an integer", "a number", "an array of tables"), never Rust ones.

use std::path::Path;

use crate::common::{allocsim, data, entries, read_csv, run, run_ok, stderr, stdout, tempdir};

/// Runs `args` (which must write to `out_root/out`) and checks the common contract of a refusal:
/// status 2, no panic, nothing left in `out_root`. Returns the first line of stderr.
fn refused(args: &[&str], out_root: &Path) -> Result<String, String> {
    refused_all(args, out_root).map(|err| err.lines().next().unwrap_or("").to_string())
}

/// [`refused`], returning the whole of stderr.
fn refused_all(args: &[&str], out_root: &Path) -> Result<String, String> {
    let out = run(args);
    let err = stderr(&out);
    let mut problems = Vec::new();
    if out.status.code() != Some(2) {
        problems.push(format!("exit status {:?}, expected 2", out.status.code()));
    }
    if err.contains("panicked") {
        problems.push("stderr mentions a panic".to_string());
    }
    if out_root.join("out").exists() {
        problems.push("the output folder was created".to_string());
    }
    let left = entries(out_root);
    if !left.is_empty() {
        problems.push(format!("files left in the output's parent: {left:?}"));
    }
    if problems.is_empty() {
        Ok(err)
    } else {
        Err(format!("{}; stderr:\n{err}", problems.join(", ")))
    }
}

#[test]
fn bad_scenario_corpus() {
    let bless = std::env::var("ALLOCSIM_BLESS").is_ok_and(|v| v == "1");
    let dir = crate::common::root().join("tests/data/bad");
    let mut names: Vec<String> = entries(&dir)
        .into_iter()
        .filter_map(|f| f.strip_suffix(".toml").map(String::from))
        .collect();
    names.sort();
    assert!(
        names.len() >= 25,
        "the corpus has only {} files",
        names.len()
    );

    let mut failures = Vec::new();
    for name in &names {
        let scenario = data(&format!("bad/{name}.toml"));
        let tmp = tempdir();
        let out = tmp.path().join("out");
        let args = ["run", &scenario, "--out", out.to_str().unwrap()];
        let err = match refused_all(&args, tmp.path()) {
            Ok(err) => err,
            Err(problem) => {
                failures.push(format!("{name}: {problem}"));
                continue;
            }
        };
        let expected_path = dir.join(format!("{name}.expected"));
        if bless {
            std::fs::write(&expected_path, &err).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if err != expected {
            failures.push(format!(
                "{name}:\n    expected: {}\n    actual:   {}",
                expected.trim_end().replace('\n', "\n              "),
                err.trim_end().replace('\n', "\n              ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad scenarios misbehaved:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

#[test]
fn binary_garbage_is_not_toml() {
    let input = tempdir();
    let path = input.path().join("garbage.toml");
    let mut bytes = vec![0xff, 0xfe, 0x00, 0x01, 0x80, 0x9f];
    bytes.extend((0u8..=255).rev());
    std::fs::write(&path, &bytes).unwrap();
    let path = path.to_str().unwrap();
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let first = refused(&["run", path, "--out", out.to_str().unwrap()], tmp.path()).unwrap();
    assert_eq!(
        first,
        format!("error: {path}: not a TOML file: not valid UTF-8 text (byte 0)")
    );
}

#[test]
fn missing_scenario_file() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let missing = data("no-such-scenario.toml");
    let first = refused(
        &["run", &missing, "--out", out.to_str().unwrap()],
        tmp.path(),
    )
    .unwrap();
    assert!(
        first.starts_with(&format!("error: {missing}: cannot read the scenario")),
        "{first}"
    );
}

#[test]
fn bad_overrides_name_the_key() {
    let cases = [
        (
            "approval.probabilty=0.5",
            "approval.probabilty: unknown key (a typo?); did you mean `probability`?",
        ),
        (
            "approval.colour=1",
            "approval.colour: unknown key (a typo?); expected one of `probability`, `batch`, `conversion`, `round`",
        ),
        (
            "approval.probability=2",
            "approval.probability must be within [0, 1], got 2",
        ),
        (
            "rounds=abc",
            "rounds: expected an integer, got string \"abc\"",
        ),
        (
            "firm.Nobody.weight=2",
            "no firm named 'Nobody' (the scenario has: A, B)",
        ),
        (
            "noequals",
            "expected KEY=VALUE, e.g. approval.probability=0.6",
        ),
        (
            "allocation.rule=lottery",
            "allocation.rule: unknown rule \"lottery\"",
        ),
        ("a..b=1", "the key must be dotted names"),
    ];
    let good = data("good.toml");
    for (set, message) in cases {
        let tmp = tempdir();
        let out = tmp.path().join("out");
        let args = [
            "run",
            &good,
            "--trials",
            "5",
            "--out",
            out.to_str().unwrap(),
            "--set",
            set,
        ];
        let first = refused(&args, tmp.path()).unwrap_or_else(|p| panic!("--set {set}: {p}"));
        let prefix = format!("error: --set {set}: {message}");
        assert!(
            first.starts_with(&prefix),
            "--set {set}:\n  expected: {prefix}…\n  actual:   {first}"
        );
    }
}

#[test]
fn validate_with_a_bad_override_fails() {
    let out = run(&[
        "validate",
        &data("good.toml"),
        "--set",
        "approval.probability=-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "error: --set approval.probability=-1: approval.probability must be within [0, 1], got -1"
        ),
        "{}",
        stderr(&out)
    );
}

/// An error line `error: cannot write 'P': CAUSE` must state its cause once.
fn assert_cause_once(line: &str) {
    let parts: Vec<&str> = line.split(": ").collect();
    assert!(
        parts.len() < 2 || parts[parts.len() - 1] != parts[parts.len() - 2],
        "the cause is printed twice: {line}"
    );
}

#[test]
fn output_folder_inside_a_file_is_refused() {
    let tmp = tempdir();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"not a folder\n").unwrap();
    let out = file.join("out");
    let result = run(&[
        "run",
        &data("good.toml"),
        "--trials",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&result);
    let first = err.lines().next().unwrap_or("");
    assert_eq!(result.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        first.starts_with(&format!("error: cannot write '{}", file.display())),
        "{first}"
    );
    assert_cause_once(first);
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder\n");
    assert_eq!(entries(tmp.path()), ["file"]);
}

#[test]
fn output_folder_that_is_a_file_is_refused() {
    let tmp = tempdir();
    let file = tmp.path().join("out");
    std::fs::write(&file, b"keep me\n").unwrap();
    let result = run(&[
        "run",
        &data("good.toml"),
        "--trials",
        "5",
        "--out",
        file.to_str().unwrap(),
    ]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(2), "{err}");
    assert_eq!(
        err.lines().next().unwrap_or(""),
        format!(
            "error: cannot write '{}': a file is in the way of the output folder",
            file.display()
        )
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me\n");
    assert_eq!(entries(tmp.path()), ["out"]);
}

#[test]
fn validate_reports_each_file() {
    let good = data("good.toml");
    let random = data("random.toml");
    let bad = data("bad/weight-zero.toml");
    let out = allocsim()
        .args(["validate", &good, &bad, &random])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("ok: {good} (good: 2 firms, 2 rounds, rule proportional)"),
            format!("ok: {random} (random: 3 firms, 4 rounds, rule random_priority)"),
        ]
    );
    let expected =
        std::fs::read_to_string(crate::common::root().join("tests/data/bad/weight-zero.expected"))
            .unwrap();
    let stderr = stderr(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [expected.trim_end(), "error: 1 of 3 scenarios are invalid"]
    );
}

#[test]
fn validate_accepts_good_files() {
    let out = run(&["validate", &data("good.toml"), &data("rules.toml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    assert!(stdout(&out).lines().all(|l| l.starts_with("ok: ")));
}

/// `validate` lists every problem of a file, each on its own `error:` line with its position,
/// exactly as `run` does, then the count of invalid files.
#[test]
fn validate_lists_every_problem_of_a_file() {
    let bad = data("bad/many-problems.toml");
    let good = data("good.toml");
    let out = run(&["validate", &bad, &good]);
    assert_eq!(out.status.code(), Some(2));
    let expected = std::fs::read_to_string(
        crate::common::root().join("tests/data/bad/many-problems.expected"),
    )
    .unwrap();
    assert!(expected.lines().count() >= 5, "{expected}");
    assert_eq!(
        stderr(&out),
        format!("{expected}error: 1 of 2 scenarios are invalid\n")
    );
    assert_eq!(
        stdout(&out),
        format!("ok: {good} (good: 2 firms, 2 rounds, rule proportional)\n")
    );
}

/// A sweep point's problems are listed like a file's, under the point.
#[test]
fn a_bad_sweep_point_lists_its_problems() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let err = refused_all(
        &[
            "sweep",
            &data("good.toml"),
            "--set",
            "firm.A.orders.value=100,-1e13",
            "--set",
            "approval.batch.min=250",
            "--trials",
            "5",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .unwrap();
    assert_eq!(
        err,
        "error: sweep point 1 of 2 (firm.A.orders.value=100): --set approval.batch.min=250: \
         approval.batch: mode (200) must lie within [min, max] = [250, 300]\n"
    );
}

/// `--set firm.NAME.orders.PARAM=V1,V2` sweeps one parameter of a firm's orders (here of the
/// distribution a fixed --set gave them): each point changes only that parameter, and a value
/// that makes the distribution invalid is refused naming its point and --set.
#[test]
fn a_distribution_parameter_can_be_swept() {
    let tmp = tempdir();
    let out = tmp.path().join("sweep");
    run_ok(&[
        "sweep",
        &data("good.toml"),
        "--set",
        "firm.A.orders={ dist = \"uniform\", min = 100, max = 150 }",
        "--set",
        "firm.A.orders.max=200,400",
        "--trials",
        "200",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv = read_csv(&out.join("comparison.csv"));
    let knob = csv.column("firm.A.orders.max");
    let (p, f, m, s, v) = (
        csv.column("point"),
        csv.column("firm"),
        csv.column("metric"),
        csv.column("stat"),
        csv.column("value"),
    );
    let orders = |point: &str, stat: &str| {
        csv.rows
            .iter()
            .find(|r| r[p] == point && r[f] == "A" && r[m] == "orders" && r[s] == stat)
            .map(|r| (r[knob].clone(), r[v].parse::<f64>().unwrap()))
            .unwrap()
    };
    assert_eq!(orders("1", "max").0, "200");
    assert_eq!(orders("2", "max").0, "400");
    // Uniform(100, 200), then uniform(100, 400): the min stays, the max moves.
    for point in ["1", "2"] {
        let min = orders(point, "min").1;
        assert!((100.0..110.0).contains(&min), "point {point}: min {min}");
    }
    let (low, high) = (orders("1", "max").1, orders("2", "max").1);
    assert!((190.0..=200.0).contains(&low), "point 1: max {low}");
    assert!((380.0..=400.0).contains(&high), "point 2: max {high}");

    let refused_root = tempdir();
    let refused_out = refused_root.path().join("out");
    let err = refused_all(
        &[
            "sweep",
            &data("good.toml"),
            "--set",
            "approval.batch.max=400,150",
            "--trials",
            "5",
            "--out",
            refused_out.to_str().unwrap(),
        ],
        refused_root.path(),
    )
    .unwrap();
    assert_eq!(
        err,
        "error: sweep point 2 of 2 (approval.batch.max=150): --set approval.batch.max=150: \
         approval.batch: mode (200) must lie within [min, max] = [100, 150]\n"
    );
}
