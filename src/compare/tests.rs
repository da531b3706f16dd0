//! Tests of the paired runs: common random numbers pay off, results do not depend on threads,
//! and a point identical to the reference differs by exactly nothing.

use std::path::Path;

use super::*;
use crate::engine::{self, RunOptions};
use crate::scenario::Override;
use crate::stats::Metric;

fn baseline_bytes() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    std::fs::read(path).expect("the baseline scenario ships with the crate")
}

fn baseline(overrides: &[&str]) -> Scenario {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).expect("a valid override"))
        .collect();
    crate::scenario::parse(Path::new("baseline.toml"), &baseline_bytes(), &overrides)
        .expect("the baseline is valid")
}

fn run(points: &[Scenario], trials: u64, seed: u64, threads: usize) -> PointsResult {
    let options = PointsOptions {
        trials,
        seed,
        threads,
        ..PointsOptions::default()
    };
    run_points(points, &options, &mut |_| {}, None).expect("runs")
}

/// The check: for a domestic ratio change from 0.5 to 0.6 on the baseline, the paired
/// 95% interval of the difference in mean total unmet is at least 5× narrower than that of two
/// independent runs with different seeds.
#[test]
fn common_random_numbers_narrow_the_interval_at_least_fivefold() {
    let trials = 20_000;
    let (a, b) = (
        baseline(&["domestic.ratio=0.5"]),
        baseline(&["domestic.ratio=0.6"]),
    );
    let paired = run(&[a.clone(), b.clone()], trials, 11, 0);
    let diff = paired.paired[1].diff(a.firms.len(), Metric::Unmet);
    let paired_half = Z95 * diff.se();

    let independent = |s: &Scenario, seed| {
        let options = RunOptions {
            trials,
            seed,
            ..RunOptions::default()
        };
        engine::run(s, &options, &mut |_| {}, None)
            .expect("runs")
            .summary
    };
    let (ra, rb) = (independent(&a, 11), independent(&b, 12));
    let total = a.firms.len();
    let (sa, sb) = (
        ra.tally(total, Metric::Unmet).sd(),
        rb.tally(total, Metric::Unmet).sd(),
    );
    let unpaired_half = Z95 * (sa * sa / trials as f64 + sb * sb / trials as f64).sqrt();
    let ratio = unpaired_half / paired_half;
    eprintln!(
        "95% half-widths: paired {paired_half:.0}, unpaired {unpaired_half:.0} ({ratio:.1}×)"
    );
    assert!(
        ratio >= 5.0,
        "paired half-width {paired_half:.0}, unpaired {unpaired_half:.0}: only {ratio:.1}× narrower"
    );
    // The paired point's summary is that of a plain run of the same scenario and seed.
    assert_eq!(
        crate::report::summary_csv(&paired.summaries[0]),
        crate::report::summary_csv(&ra)
    );
}

#[test]
fn results_do_not_depend_on_threads_or_chunks() {
    let points = [
        baseline(&[]),
        baseline(&["allocation.rule=talmud"]),
        baseline(&["rounds=3"]),
    ];
    let one = run(&points, 3000, 5, 1);
    let options = PointsOptions {
        trials: 3000,
        seed: 5,
        threads: 3,
        chunk: 100,
    };
    let many = run_points(&points, &options, &mut |_| {}, None).expect("runs");
    assert_eq!(one.paired, many.paired);
    for (a, b) in one.summaries.iter().zip(&many.summaries) {
        assert_eq!(crate::report::summary_csv(a), crate::report::summary_csv(b));
        assert_eq!(crate::report::rounds_csv(a), crate::report::rounds_csv(b));
    }
    assert_eq!(many.summaries[2].rounds.len(), 3);
}

#[test]
fn a_point_identical_to_the_reference_differs_by_nothing() {
    let points = [baseline(&[]), baseline(&["domestic.ratio=0.3"])];
    let r = run(&points, 2000, 9, 0);
    for p in [0, 1] {
        for firm in 0..=points[0].firms.len() {
            for metric in PAIRED_METRICS {
                let d = r.paired[p].diff(firm, metric);
                assert_eq!(d.count(), 2000);
                assert_eq!((d.sum(), d.sd()), (0, 0.0));
                assert_eq!(d.share(Worse::More) + d.share(Worse::Less), 0.0);
            }
        }
    }
}

#[test]
fn sensitivity_ranks_knobs_by_swing() {
    let bytes = baseline_bytes();
    let knobs = [
        Knob::parse("event.customs-hold.probability=0.07,0.09").unwrap(),
        Knob::parse("approval.probability=0.3,0.95").unwrap(),
        Knob::parse("domestic.ratio=0.2,0.6").unwrap(),
    ];
    let plan = plan::sensitivity(Path::new("baseline.toml"), &bytes, &[], &knobs).unwrap();
    assert_eq!(plan.points.len(), 7);
    let scenarios: Vec<Scenario> = plan.points.iter().map(|p| p.scenario.clone()).collect();
    let result = run(&scenarios, 2000, 3, 0);
    let c = Comparison::new(&plan, 2000, 3, result);
    let ranked = swings(&c);
    let order: Vec<&str> = ranked.iter().map(|s| s.knob.as_str()).collect();
    assert_eq!(
        order,
        [
            "approval.probability",
            "domestic.ratio",
            "event.customs-hold.probability"
        ]
    );
    // More approvals leave less unmet; a higher domestic ratio leaves more.
    assert!(ranked[0].swing < 0.0 && ranked[1].swing > 0.0);
}

/// A rule change moves chips between firms and leaves the total where it was: the per-firm
/// effects say who gains and who loses, sorted, with verdicts that follow the intervals and the
/// metric's direction; the sensitivity reference's cells read the scenario's values.
#[test]
fn per_firm_effects_name_who_gains_and_who_loses() {
    let bytes = baseline_bytes();
    let knobs = [Knob::parse("allocation.rule=proportional,talmud").unwrap()];
    let plan = plan::sweep(Path::new("baseline.toml"), &bytes, &[], &knobs).unwrap();
    let scenarios: Vec<Scenario> = plan.points.iter().map(|p| p.scenario.clone()).collect();
    let c = Comparison::new(&plan, 3000, 4, run(&scenarios, 3000, 4, 0));
    let e = effects(&c, 1, Metric::Unmet);
    assert_eq!((e.point, e.firms.len()), (1, c.firms.len()));
    // Sorted from the largest gain (least unmet) to the largest loss.
    assert!(e.firms.windows(2).all(|w| w[0].mean <= w[1].mean));
    for f in e.firms.iter().chain([&e.total]) {
        let d = c.paired[1].diff(f.firm, Metric::Unmet);
        assert_eq!((f.mean, (f.lo, f.hi)), (d.mean(), d.ci95()));
        let expect = if f.hi < 0.0 {
            Verdict::Gains
        } else if f.lo > 0.0 {
            Verdict::Loses
        } else {
            Verdict::Unclear
        };
        assert_eq!(f.verdict, expect, "{}", f.name);
    }
    assert_eq!(e.total.firm, c.total());
    // On the baseline, talmud favours the firms with the smaller claims left: clear winners and
    // losers, though the total barely moves.
    let gainer = e.gains().next().expect("a firm gains");
    let loser = e.losses().next().expect("a firm loses");
    assert_eq!(gainer.name, e.firms[0].name);
    assert_eq!(loser.name, e.firms[e.firms.len() - 1].name);
    assert!(gainer.mean < -10_000.0 && loser.mean > 10_000.0);
    assert!(e.total.mean.abs() < gainer.mean.abs() / 10.0);
    // Delivered: more is better, so the same firm gains and its sign flips.
    let d = effects(&c, 1, Metric::Delivered);
    assert_eq!(d.gains().next().map(|f| &f.name), Some(&gainer.name));
    assert!(d.firms[0].mean > 0.0);
    // The reference against itself: nothing changes.
    let r = effects(&c, 0, Metric::Unmet);
    assert!(
        r.firms
            .iter()
            .all(|f| f.verdict == Verdict::Unclear && f.mean == 0.0)
    );
    assert_eq!(r.unclear().len(), c.firms.len());
    assert_eq!(r.unclear()[0].firm, 0);
}

#[test]
fn a_point_that_keeps_the_scenarios_value_reads_it() {
    let bytes = baseline_bytes();
    let knobs = [
        Knob::parse("domestic.ratio=0.2,0.6").unwrap(),
        Knob::parse("rounds=3,5").unwrap(),
    ];
    let plan = plan::sensitivity(Path::new("baseline.toml"), &bytes, &[], &knobs).unwrap();
    let scenarios: Vec<Scenario> = plan.points.iter().map(|p| p.scenario.clone()).collect();
    let c = Comparison::new(&plan, 50, 1, run(&scenarios, 50, 1, 1));
    let row = |p: usize| (c.setting(p, 0), c.setting(p, 1));
    assert_eq!(row(0), ("0.3", "4"));
    assert_eq!(row(1), ("0.2", "4"));
    assert_eq!(row(4), ("0.3", "5"));
    // The settings themselves still say which knob a point moves.
    assert_eq!(c.settings[1], ["0.2", ""]);
}

/// Firms are matched by name: the reference's in its order, then the others' extra firms in
/// the order they are first listed; each point maps its own firms to the reference's.
#[test]
fn firms_match_by_name_whatever_their_positions() {
    let lists = vec![
        vec!["A", "B", "C"],
        vec!["C", "N", "A"],
        vec!["M", "B", "A", "C"],
    ];
    let m = FirmMatch::new(&lists);
    assert_eq!(m.names, ["A", "B", "C", "N", "M"]);
    assert_eq!(
        m.at,
        [
            vec![Some(0), Some(1), Some(2), None, None],
            vec![Some(2), None, Some(0), Some(1), None],
            vec![Some(2), Some(1), Some(3), None, Some(0)],
        ]
    );
    assert_eq!(m.to_reference(0), [Some(0), Some(1), Some(2)]);
    assert_eq!(m.to_reference(1), [Some(2), None, Some(0)]);
    assert_eq!(m.to_reference(2), [None, Some(1), Some(0), Some(2)]);
}

/// The by-name fixtures (tests/data): the same firms in another order and one inserted, the
/// rest alike. Run as points, the shared firms pair to exactly zero, and the total's difference
/// is the inserted firm's own, trial by trial.
#[test]
fn shared_firms_pair_exactly_by_name() {
    let read = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        let bytes = std::fs::read(&path).expect("the fixture ships with the crate");
        crate::scenario::parse(&path, &bytes, &[]).expect("the fixture is valid")
    };
    let (a, b) = (read("by-name-a.toml"), read("by-name-b.toml"));
    let r = run(&[a, b.clone()], 400, 3, 0);
    assert_eq!(r.firms.names, ["A", "B", "C", "N"]);
    for firm in 0..3 {
        for metric in PAIRED_METRICS {
            let d = r.paired[1].diff(firm, metric);
            assert_eq!((d.count(), d.sum(), d.sum_sq()), (400, 0, 0), "firm {firm}");
        }
    }
    assert_eq!(r.paired[1].diff(3, Metric::Unmet).count(), 0);
    // The totals are each over their own firms: b's exceeds a's by N's, exactly.
    let n_unmet = r.summaries[1].tally(1, Metric::Unmet);
    let total = r.paired[1].diff(4, Metric::Unmet);
    assert_eq!(total.sum(), n_unmet.sum() as i128);
    assert!(n_unmet.sum() > 0);
}
