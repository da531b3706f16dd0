//! `allocsim importance`: indices of toy scenarios with known values, determinism across
//! threads, the files and their cells, and refusals of bad requests.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{data, entries, manifest, read_csv, run, run_ok, stderr, tempdir};

/// importance.csv's estimates by (firm, group, index): (value, se), None for empty cells.
type Indices = HashMap<(String, String, String), Option<(f64, f64)>>;

/// importance.csv as `(firm, group, index) -> (value, se)`, None for empty cells.
fn indices(out: &Path) -> Indices {
    let csv = read_csv(&out.join("importance.csv"));
    assert_eq!(
        csv.header,
        [
            "firm", "metric", "group", "index", "value", "se", "ci_low", "ci_high"
        ]
    );
    csv.rows
        .iter()
        .map(|r| {
            let cells = if r[4].is_empty() {
                assert!(r[5..].iter().all(String::is_empty), "{r:?}");
                None
            } else {
                let n = |i: usize| r[i].parse::<f64>().unwrap_or_else(|e| panic!("{r:?}: {e}"));
                let (value, se, lo, hi) = (n(4), n(5), n(6), n(7));
                assert!(
                    se >= 0.0 && (lo - (value - 1.96 * se)).abs() < 1e-5,
                    "{r:?}"
                );
                assert!((hi - (value + 1.96 * se)).abs() < 1e-5, "{r:?}");
                Some((value, se))
            };
            ((r[0].clone(), r[2].clone(), r[3].clone()), cells)
        })
        .collect()
}

/// Runs `importance` on a fixture with `extra` arguments and returns its indices.
fn analyse(fixture: &str, out: &Path, extra: &[&str]) -> Indices {
    let scenario = data(&format!("importance/{fixture}.toml"));
    let mut args = vec![
        "importance",
        &scenario,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--no-charts",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
    indices(out)
}

/// The estimate of (firm, group, index), which must be defined.
fn get(i: &Indices, firm: &str, group: &str, index: &str) -> (f64, f64) {
    i.get(&(firm.into(), group.into(), index.into()))
        .unwrap_or_else(|| panic!("no row {firm},{group},{index}"))
        .unwrap_or_else(|| panic!("{firm},{group},{index} is undefined"))
}

/// Within 4 standard errors of `truth`, with an error small enough to tell.
fn near(estimate: (f64, f64), truth: f64, what: &str) {
    let (value, se) = estimate;
    assert!(se < 0.1, "{what}: se {se}");
    assert!(
        (value - truth).abs() <= 4.0 * se + 1e-9,
        "{what}: {value} ± {se} against {truth}"
    );
}

/// Only the conversion rate moves A's unmet demand: S ≈ S_T ≈ 1 for it; the shock group is drawn
/// but has no effect, so its indices are exactly 0; B never varies, so its cells are empty.
#[test]
fn one_effective_group_takes_all_the_variance() {
    let dir = tempdir();
    let i = analyse("one-group", dir.path(), &["--trials", "3000"]);
    for firm in ["A", "total"] {
        near(
            get(&i, firm, "conversion", "first_order"),
            1.0,
            "conversion S",
        );
        near(get(&i, firm, "conversion", "total"), 1.0, "conversion S_T");
        for index in ["first_order", "total"] {
            assert_eq!(
                get(&i, firm, "shock", index),
                (0.0, 0.0),
                "{firm} shock {index}"
            );
        }
    }
    for group in ["conversion", "shock"] {
        for index in ["first_order", "total"] {
            assert_eq!(i[&("B".into(), group.into(), index.into())], None);
        }
    }
    // Rows: 3 outputs × 2 groups × 2 indices, and no other group.
    assert_eq!(i.len(), 12);
}

/// unmet = orders − batch with var(orders) = 4 var(batch): shares 4/5 and 1/5, no interaction.
#[test]
fn an_additive_scenario_has_its_known_shares() {
    let dir = tempdir();
    let i = analyse("additive", dir.path(), &["--trials", "3000"]);
    for index in ["first_order", "total"] {
        near(get(&i, "A", "orders", index), 0.8, index);
        near(get(&i, "A", "batch", index), 0.2, index);
    }
}

/// delivered = floor(k × batch), independent uniforms: S = 3/7 and S_T = 4/7 for each.
#[test]
fn an_interaction_shows_in_the_total_indices() {
    let dir = tempdir();
    let i = analyse(
        "interaction",
        dir.path(),
        &["--trials", "3000", "--metric", "delivered"],
    );
    for group in ["conversion", "batch"] {
        near(get(&i, "A", group, "first_order"), 3.0 / 7.0, group);
        near(get(&i, "A", group, "total"), 4.0 / 7.0, group);
    }
    let csv = read_csv(&dir.path().join("importance.csv"));
    assert!(csv.rows.iter().all(|r| r[1] == "delivered"));
}

/// The same analysis on 1 and on 2 threads writes the same importance.csv, byte for byte; the
/// full outputs are there, listed in the marker, and the manifest says what ran.
#[test]
fn results_do_not_depend_on_threads() {
    let (one, two) = (tempdir(), tempdir());
    let scenario = data("random.toml");
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        run_ok(&[
            "importance",
            &scenario,
            "--trials",
            "300",
            "--threads",
            threads,
            "--out",
            dir.path().to_str().unwrap(),
            "--quiet",
            "--chart-size",
            "800x500",
        ]);
    }
    let csv = |d: &tempfile::TempDir| std::fs::read(d.path().join("importance.csv")).unwrap();
    assert_eq!(csv(&one), csv(&two));
    assert_eq!(
        entries(one.path()),
        [
            ".allocsim",
            "importance.csv",
            "importance.png",
            "manifest.json",
            "report.html"
        ]
    );
    let m = manifest(one.path());
    assert_eq!(m["base_trials"], 300);
    let groups = m["groups"].as_array().unwrap().len() as u64;
    assert!(groups >= 2, "{m}");
    assert_eq!(m["trials_run"], 300 * (groups + 2));
    assert_eq!(m["metric"], "unmet");
    let marker = std::fs::read_to_string(one.path().join(".allocsim")).unwrap();
    assert!(marker.contains("\"kind\": \"importance\""), "{marker}");
    let html = std::fs::read_to_string(one.path().join("report.html")).unwrap();
    assert!(html.contains("data:image/png;base64,") && html.contains("First-order index"));
}

/// A bad --groups or --metric is one clear message and exit status 2, before anything runs.
#[test]
fn bad_requests_are_refused() {
    let dir = tempdir();
    let out = dir.path().join("never");
    let scenario = data("importance/one-group.toml");
    for (extra, says) in [
        (
            vec!["--groups", "conversion,batches"],
            "--groups: 'batches' is not a group of random inputs; the groups are orders, entry, \
             ratio, regime, shock, approval, batch, order, conversion, domestic",
        ),
        (
            vec!["--groups", "batch"],
            "--groups: the scenario draws nothing from group 'batch': every batch that can be \
             approved is fixed; it draws from shock, conversion",
        ),
        (
            vec!["--groups", "order"],
            "the allocation rule is not random_priority",
        ),
        (
            vec!["--metric", "shortfall"],
            "'shortfall' is not a metric; choose one of delivered, unmet, domestic, effective_unmet, fill_rate",
        ),
        (
            vec!["--trials", "1"],
            "importance needs at least 2 base trials, got 1",
        ),
    ] {
        let mut args = vec!["importance", &scenario, "--out", out.to_str().unwrap()];
        args.extend(extra.iter().copied());
        let result = run(&args);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{extra:?}: {}",
            stderr(&result)
        );
        let err = stderr(&result);
        assert!(err.contains(says), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "{extra:?} wrote {}", out.display());
    }
}

/// --by-firm: each firm's deliveries are its own orders, so its own orders take all of their
/// variance and the other firm's none (exactly 0); the total's splits 4/5 to 1/5. Correlated
/// orders add the common factor, and another firm's own normal still moves nothing.
#[test]
fn by_firm_splits_a_group_into_firms_and_the_common_factor() {
    let dir = tempdir();
    let by_firm = ["--by-firm", "--metric", "delivered", "--trials", "3000"];
    let i = analyse("by-firm", dir.path(), &by_firm);
    assert_eq!(i.len(), 3 * 2 * 2, "orders:A and orders:B only");
    for (firm, own, other) in [("A", "orders:A", "orders:B"), ("B", "orders:B", "orders:A")] {
        near(get(&i, firm, own, "total"), 1.0, own);
        for index in ["first_order", "total"] {
            assert_eq!(get(&i, firm, other, index), (0.0, 0.0), "{firm} {other}");
        }
    }
    for index in ["first_order", "total"] {
        near(get(&i, "total", "orders:A", index), 0.8, index);
        near(get(&i, "total", "orders:B", index), 0.2, index);
    }
    let mut correlated = by_firm.to_vec();
    correlated.extend(["--set", "dependence.orders=0.5", "--force"]);
    let i = analyse("by-firm", dir.path(), &correlated);
    let (common, se) = get(&i, "A", "orders:common", "total");
    assert!(common > 0.3 && common < 0.8 && se < 0.05, "{common} ± {se}");
    assert_eq!(get(&i, "A", "orders:B", "total"), (0.0, 0.0));
    // A firm's own factor can be asked for by name, and needs --by-firm.
    let scenario = data("importance/by-firm.toml");
    let out = dir.path().join("one");
    run_ok(&[
        "importance",
        &scenario,
        "--by-firm",
        "--groups",
        "orders:B",
        "--trials",
        "50",
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let groups: Vec<String> = read_csv(&out.join("importance.csv"))
        .rows
        .iter()
        .map(|r| r[2].clone())
        .collect();
    assert!(groups.iter().all(|g| g == "orders:B"), "{groups:?}");
    let refused = run(&[
        "importance",
        &scenario,
        "--groups",
        "orders:B",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("need --by-firm"),
        "{}",
        stderr(&refused)
    );
}
