//! `allocsim tail`: the tail is the worst trials of `run`'s trials.csv (ties by trial number),
//! its inputs' means are theirs, the outputs do not depend on the thread count, and bad requests
//! exit 2.

use std::path::Path;

use crate::common::{
    Csv, data, entries, manifest, read_csv, refused_quickly, run_ok, run_scenario, stdout, tempdir,
};

const TRIALS: &str = "600";

/// A trial's value of an input, read from trials.csv.
type Of<'a> = dyn Fn(usize) -> f64 + 'a;

fn tail(scenario: &str, out: &Path, extra: &[&str]) -> String {
    let out = out.to_str().unwrap();
    let mut args = vec!["tail", scenario, "--trials", TRIALS, "--out", out];
    args.extend_from_slice(extra);
    stdout(&run_ok(&args))
}

/// tail.csv's `column` for `input` (and `firm`, empty for a trial's input), as a number.
fn cell(csv: &Csv, input: &str, firm: &str, column: &str) -> f64 {
    let row = csv
        .rows
        .iter()
        .position(|r| r[0] == input && r[1] == firm)
        .unwrap_or_else(|| panic!("tail.csv has no {input},{firm}"));
    csv.number(row, column)
}

#[test]
fn the_tail_is_the_worst_trials_of_the_run() {
    let scenario = data("random.toml");
    let tmp = tempdir();
    let run = tmp.path().join("run");
    run_scenario(
        &scenario,
        &run,
        &["--trials", TRIALS, "--trials-csv", "--no-charts"],
    );
    let trials = read_csv(&run.join("trials.csv"));
    let firms = ["Alpha", "Beta", "Gamma"];
    let at: std::collections::HashMap<(String, String), usize> = trials
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((r[0].clone(), r[1].clone()), i))
        .collect();
    let value = |t: usize, firm: &str, column: &str| -> f64 {
        let row = at[&(t.to_string(), firm.to_string())];
        let text = &trials.rows[row][trials.column(column)];
        // No halt: round R + 1 = 5.
        if text.is_empty() {
            5.0
        } else {
            text.parse().unwrap()
        }
    };
    let n: usize = TRIALS.parse().unwrap();
    for (firm, worst, k) in [(None, "10%", 60), (Some("Beta"), "2.5%", 15)] {
        let out = tmp.path().join(format!("tail-{k}"));
        let mut extra = vec!["--worst", worst, "--quiet"];
        if let Some(f) = firm {
            extra.extend(["--firm", f]);
        }
        tail(&scenario, &out, &extra);
        // The worst k by sorting: most unmet first, then the lower trial.
        let unmet = |t: usize| -> f64 {
            match firm {
                Some(f) => value(t, f, "unmet"),
                None => firms.iter().map(|f| value(t, f, "unmet")).sum(),
            }
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| unmet(b).total_cmp(&unmet(a)).then(a.cmp(&b)));
        let in_tail = &order[..k];
        let csv = read_csv(&out.join("tail.csv"));
        let mean = |f: &dyn Fn(usize) -> f64, ts: &[usize]| {
            ts.iter().map(|&t| f(t)).sum::<f64>() / ts.len() as f64
        };
        let all: Vec<usize> = (0..n).collect();
        let mut checks: Vec<(&str, &str, Box<Of<'_>>)> = firms
            .iter()
            .map(|&f| {
                let g: Box<Of<'_>> = Box::new(move |t| value(t, f, "orders"));
                ("orders", f, g)
            })
            .collect();
        checks.push((
            "approved_rounds",
            "",
            Box::new(|t| value(t, "Alpha", "approved_rounds")),
        ));
        checks.push((
            "halt_round",
            "",
            Box::new(|t| value(t, "Alpha", "halt_round")),
        ));
        for (input, f, g) in &checks {
            for (column, trials) in [("tail_mean", in_tail), ("overall_mean", &all[..])] {
                let expected = mean(g.as_ref(), trials);
                let got = cell(&csv, input, f, column);
                assert!(
                    (got - expected).abs() <= 5e-4 * expected.abs().max(1.0),
                    "{input} {f} {column}: {got} against {expected} ({firm:?})"
                );
            }
        }
        let m = manifest(&out);
        assert_eq!(m["tail"]["tail_trials"], k);
        assert_eq!(m["tail"]["worst"], worst);
        assert_eq!(
            m["tail"]["threshold_unmet"].as_f64().unwrap(),
            unmet(in_tail[k - 1])
        );
        assert_eq!(m["tail"]["target"], firm.unwrap_or("total"));
    }
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let scenario = "scenarios/futures.toml";
    let tmp = tempdir();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    let said = tail(scenario, &one, &["--threads", "1", "--firm", "Tencent"]);
    tail(
        scenario,
        &two,
        &["--threads", "2", "--firm", "Tencent", "--quiet"],
    );
    for file in ["tail.csv", "tail.png"] {
        let a = std::fs::read(one.join(file)).unwrap();
        assert!(a.len() > 200, "{file} is nearly empty");
        assert!(
            a == std::fs::read(two.join(file)).unwrap(),
            "{file} differs"
        );
    }
    assert_eq!(
        entries(&one),
        [
            ".allocsim",
            "manifest.json",
            "report.html",
            "tail.csv",
            "tail.png"
        ]
    );
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join(".allocsim")).unwrap()).unwrap();
    assert_eq!(marker["kind"], "tail");
    let csv = read_csv(&one.join("tail.csv"));
    assert_eq!(
        csv.header,
        [
            "input",
            "firm",
            "tail_mean",
            "tail_median",
            "overall_mean",
            "overall_median",
            "overall_sd",
            "d",
            "significant"
        ]
    );
    // Tencent's own orders mark the trials where Tencent is left shortest.
    let d = cell(&csv, "orders", "Tencent", "d");
    assert!(d > 0.5, "d of Tencent's orders {d}");
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    for expected in [
        "How to read d",
        "data:image/png;base64,",
        "allocsim trace scenarios/futures.toml --trial T",
    ] {
        assert!(html.contains(expected), "report.html lacks {expected:?}");
    }
    assert!(said.contains("Worst trials (unmet): "), "{said}");
    assert!(said.contains("Results in "), "{said}");
}

#[test]
fn bad_requests_exit_2_with_one_message() {
    let first = refused_quickly(&["tail", "scenarios/baseline.toml", "--worst", "10"]);
    assert!(
        first.contains("--worst takes a percentage such as 10%"),
        "{first}"
    );
    let first = refused_quickly(&["tail", "scenarios/baseline.toml", "--worst", "0%"]);
    assert!(first.contains("above 0% and at most 100%"), "{first}");
    let first = refused_quickly(&["tail", "scenarios/baseline.toml", "--firm", "Huawei"]);
    assert!(
        first.contains("no firm 'Huawei'; its firms are ByteDance, Alibaba"),
        "{first}"
    );
    let first = refused_quickly(&["tail", "scenarios/baseline.toml", "--trials", "100000001"]);
    assert!(first.contains("at most 100000000 trials"), "{first}");
}

/// A folder allocsim did not write is refused before pass 1 starts (at the most trials a tail
/// runs, the refusal would otherwise come minutes late), and left as it was.
#[test]
fn a_foreign_folder_is_refused_before_simulating() {
    let tmp = tempdir();
    let dir = tmp.path().join("precious");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("thesis.txt"), b"years of work\n").unwrap();
    let first = refused_quickly(&[
        "tail",
        &data("good.toml"),
        "--trials",
        "100000000",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        first.contains("'thesis.txt'") && first.contains("--force"),
        "{first}"
    );
    assert_eq!(entries(&dir), ["thesis.txt"]);
}
