//! Tests of what the run charts show, on simulated runs (issue 13, items 5 and 8): one y axis
//! for every unmet.png panel and one x axis for both domestic.png panels, the "same by
//! construction" notes against what the simulation gives, and the fill rate said one way in
//! every place that shows it.

use std::path::Path;

use super::data::{self, Axis};
use crate::engine::{RunOptions, run};
use crate::report::RunInfo;
use crate::report::format::percent_label;
use crate::stats::{Metric, Summary};

/// `firms` as (name, orders, eligible_from) under `rule`, with domestic chips that count.
fn scenario(rule: &str, firms: &[(&str, &str, u32)]) -> String {
    let mut toml = format!(
        "name = \"t\"\nrounds = 3\n\n[allocation]\nrule = \"{rule}\"\n\n[approval]\n\
         probability = 0.8\nbatch = {{ dist = \"triangular\", min = 100000, mode = 300000, max = 500000 }}\n\
         conversion = {{ dist = \"beta\", alpha = 8, beta = 2 }}\n\n\
         [domestic]\nratio = 0.3\nsupply = {{ dist = \"triangular\", min = 20000, mode = 60000, max = 150000 }}\n\
         equivalence = 0.4\n"
    );
    for (name, orders, from) in firms {
        toml +=
            &format!("\n[[firm]]\nname = \"{name}\"\norders = {orders}\neligible_from = {from}\n");
    }
    toml
}

const BIG: &str = "{ dist = \"pert\", min = 200000, mode = 450000, max = 800000 }";
const MID: &str = "{ dist = \"pert\", min = 200000, mode = 400000, max = 700000 }";
const SMALL: &str = "{ dist = \"pert\", min = 50000, mode = 100000, max = 200000 }";

fn simulate(toml: &str, trials: u64) -> (RunInfo, Summary) {
    let scenario = match crate::scenario::parse(Path::new("t.toml"), toml.as_bytes(), &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario: {e}"),
    };
    let options = RunOptions {
        trials,
        seed: 7,
        ..Default::default()
    };
    match run(&scenario, &options, &mut |_| {}, None) {
        Ok(r) => (RunInfo::new(&scenario, trials, 7), r.summary),
        Err(e) => panic!("test run: {e}"),
    }
}

/// Whether firms `a` and `b` have means of `metric` within four standard errors of their
/// difference (the trials are independent; the firms' values within a trial are not, which the
/// sum of variances overstates or understates by their covariance: a loose check).
fn same_mean(summary: &Summary, metric: Metric, a: usize, b: usize) -> bool {
    let (ta, tb) = (summary.tally(a, metric), summary.tally(b, metric));
    let se = (ta.sd().powi(2) / ta.count() as f64 + tb.sd().powi(2) / tb.count() as f64).sqrt();
    (ta.mean() - tb.mean()).abs() <= 4.0 * se.max(1e-12)
}

#[test]
fn every_unmet_panel_is_drawn_on_one_y_axis() {
    // The small firm's unmet demand is the most concentrated, so its panel, the last, has the
    // tallest bar: an axis taken from the first panel would cut it off.
    let (info, summary) = simulate(
        &scenario(
            "proportional",
            &[("A", BIG, 1), ("B", MID, 1), ("C", SMALL, 2)],
        ),
        3000,
    );
    let d = data::unmet_chart(&info, &summary);
    let x = data::units_axis(d.tail, 8);
    let (bars, y) = data::unmet_bars(&d, &x, 60);
    assert_eq!(bars.len(), 3);
    let tallest: Vec<f64> = bars
        .iter()
        .map(|b| b.iter().fold(0.0, |a: f64, &v| a.max(v)))
        .collect();
    assert!(tallest[2] > 1.5 * tallest[0], "{tallest:?}");
    for (p, t) in tallest.iter().enumerate() {
        assert!(*t <= y.hi, "panel {p}: bar {t} above the axis {}", y.hi);
    }
    // No higher than the tallest bar needs.
    let top = tallest.iter().fold(0.0, |a: f64, &v| a.max(v));
    assert_eq!(y, data::axis(0.0, top * 1.12, 3));
    // The bars are the panels' own histograms on the shared x axis.
    for (p, panel) in d.panels.iter().enumerate() {
        assert_eq!(
            bars[p],
            data::density_bins(&panel.buckets, panel.trials, x.lo, x.hi, 60)
        );
    }
}

#[test]
fn both_domestic_panels_share_one_x_axis() {
    let (info, summary) = simulate(
        &scenario(
            "proportional",
            &[("A", BIG, 1), ("B", MID, 1), ("C", SMALL, 2)],
        ),
        2000,
    );
    let d = data::domestic_chart(&info, &summary);
    assert_eq!(d.panels.len(), 2);
    let reach = |p: usize| {
        d.panels[p]
            .spreads
            .iter()
            .map(|s| s.p95.max(s.mean))
            .fold(0.0, f64::max)
    };
    // Effective unmet demand reaches far past the domestic chips: the axis covers both, with
    // room for the value labels.
    assert!(reach(1) > 3.0 * reach(0), "{} {}", reach(0), reach(1));
    assert_eq!(d.x, data::units_axis(reach(1) * 1.2, 6));
    let Axis { lo, hi, .. } = d.x;
    assert!(lo == 0.0 && hi >= reach(0) && hi >= reach(1));
}

#[test]
fn firms_alike_by_construction_are_named_and_are_alike() {
    // Proportional: A and B (from round 1, different orders) share their fill rate, C (from
    // round 2) is alone.
    let (info, summary) = simulate(
        &scenario(
            "proportional",
            &[("A", BIG, 1), ("B", SMALL, 1), ("C", MID, 2)],
        ),
        4000,
    );
    let fill = data::fill_chart(&info, &summary);
    let note = fill.alike.expect("a note on fill.png");
    assert!(
        note.starts_with("Same fill rate by construction: A and B (from round 1). "),
        "{note}"
    );
    assert!(same_mean(&summary, Metric::FillRate, 0, 1));
    for q in [0.05, 0.5, 0.95] {
        let (a, b) = (
            summary.tally(0, Metric::FillRate).quantile(q),
            summary.tally(1, Metric::FillRate).quantile(q),
        );
        assert!((a - b).abs() < 0.02 * 1e9, "p{q}: {a} {b}");
    }
    // ... and nothing else: their orders differ.
    assert!(!same_mean(&summary, Metric::Unmet, 0, 1));
    assert_eq!(data::unmet_chart(&info, &summary).alike, None);
    assert_eq!(data::exceedance_chart(&info, &summary).alike, None);
    assert_eq!(data::domestic_chart(&info, &summary).alike, None);

    // Equal awards with the same orders: A and B are interchangeable, every chart says so.
    let (info, summary) = simulate(
        &scenario(
            "equal_awards",
            &[("A", BIG, 1), ("B", BIG, 1), ("C", MID, 1)],
        ),
        4000,
    );
    for metric in [Metric::Unmet, Metric::Domestic, Metric::FillRate] {
        assert!(same_mean(&summary, metric, 0, 1), "{metric:?}");
    }
    let expected = "Same by construction: A and B (from round 1). ";
    for note in [
        data::unmet_chart(&info, &summary).alike,
        data::exceedance_chart(&info, &summary).alike,
        data::domestic_chart(&info, &summary).alike,
    ] {
        let note = note.expect("a note");
        assert!(note.starts_with(expected), "{note}");
        assert!(note.contains("under the equal_awards rule"), "{note}");
    }
    let fill = data::fill_chart(&info, &summary).alike.expect("a note");
    assert!(fill.starts_with("Same fill rate by construction: A and B (from round 1). "));

    // Priority serves A first: the same orders are not treated alike, and no chart says so.
    let (info, summary) = simulate(&scenario("priority", &[("A", BIG, 1), ("B", BIG, 1)]), 2000);
    assert!(!same_mean(&summary, Metric::FillRate, 0, 1));
    assert_eq!(data::fill_chart(&info, &summary).alike, None);
    assert_eq!(data::unmet_chart(&info, &summary).alike, None);
}

#[test]
fn the_fill_rate_is_the_same_statistic_and_said_the_same_way_everywhere() {
    let (info, summary) = simulate(
        &scenario("proportional", &[("A", BIG, 1), ("B", SMALL, 2)]),
        1000,
    );
    let note = crate::report::table::fill_rate_note();
    assert!(note.starts_with(data::FILL_RATE_IS), "{note}");
    assert!(note.contains("not mean delivered ÷ mean orders"), "{note}");
    // stdout: the column says it is a mean, the note under the table says of what.
    let table = crate::report::console_table(&summary);
    let mut lines = table.lines();
    assert!(lines.next().is_some_and(|h| h.ends_with("fill rate mean")));
    assert_eq!(table.lines().last(), Some(note.as_str()));
    // report.html's summary table says the same under it.
    let html = crate::report::report_html(&info, &summary, "{}", &[("fill.png", b"")]);
    assert!(
        html.contains(&crate::report::page::escape(&note)),
        "the note is not in report.html"
    );
    // fill.png writes, for each firm and the total, the mean the tables give (the mean of the
    // per-trial rates, not delivered ÷ orders of the means), and the median its box marks.
    let fill = data::fill_chart(&info, &summary);
    let scale = Metric::FillRate.scale();
    for (f, s) in fill.spreads.iter().enumerate() {
        let t = summary.tally(f, Metric::FillRate);
        let text = data::fill_values(s);
        let mean = percent_label(t.mean() * scale);
        assert!(text.starts_with(&format!("mean {mean} · ")), "{text}");
        assert!(
            text.contains(&format!(
                "median {} ·",
                percent_label(t.quantile(0.5) * scale)
            )),
            "{text}"
        );
        let row = table.lines().nth(2 + f).expect("a table row");
        assert!(
            row.ends_with(&format!("{:.1}%", 100.0 * t.mean() * scale)),
            "{row}"
        );
    }
    // The mean of the per-trial rates differs from the ratio of the means, which no table shows.
    let t = |m| summary.tally(0, m).mean();
    let ratio_of_means = t(Metric::Delivered) / t(Metric::Orders);
    assert!((ratio_of_means - t(Metric::FillRate) * scale).abs() > 1e-4);
}

#[test]
fn results_saved_before_the_firms_terms_still_draw_without_notes() {
    let (info, summary) = simulate(
        &scenario("proportional", &[("A", BIG, 1), ("B", SMALL, 1)]),
        200,
    );
    let json = crate::report::results_json(&info, &summary);
    let (back, _) = crate::report::read_results(&json).expect("read back");
    assert_eq!(back.terms, info.terms);
    assert_eq!(back.terms.len(), 2);
    // The same file without `info.terms`, as allocsim wrote it before they were saved.
    let mut value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let removed = value["info"]
        .as_object_mut()
        .and_then(|o| o.remove("terms"));
    assert!(removed.is_some());
    let old = serde_json::to_vec(&value).expect("JSON");
    let (old_info, old_summary) = crate::report::read_results(&old).expect("an older file reads");
    assert!(old_info.terms.is_empty());
    assert!(data::fill_chart(&info, &summary).alike.is_some());
    assert_eq!(data::fill_chart(&old_info, &old_summary).alike, None);
    super::render_all(&old_info, &old_summary, &super::ChartOptions::default())
        .expect("charts render");
}
