//! What the comparison charts show, computed apart from the drawing: which points a knob's chart
//! uses, whether a knob is numeric, value axes and labels, heatmap grids, tornado rows and
//! paired-difference rows, each chart's as one struct its paint function reads (knob.rs,
//! heatmap.rs, tornado.rs, differences.rs). Also the entry point that draws every chart of
//! [`super::COMPARISON_CHARTS`] a comparison has, and the lookup of their captions.

use super::data::{self, Axis, Spread};
use super::{COMPARISON_CHARTS, ChartError, ChartOptions, ComparisonChart, Paint, render};
use crate::compare::{Comparison, Kind, Swing, swings};
use crate::report::format;
use crate::stats::Metric;

/// The line under every comparison chart's title: what was compared, with the `--set`
/// overrides every point shares (shortened when long; the report lists them whole), the
/// points, trials and seed.
pub fn run_line(c: &Comparison) -> String {
    let what = match c.kind {
        Kind::Sweep => "Sweep of scenario",
        Kind::Compare => "Scenarios compared with",
        Kind::Sensitivity => "Sensitivity of scenario",
    };
    let with = crate::report::overrides::with_phrase(&c.fixed);
    let with = match (c.kind, with.is_empty()) {
        (_, true) => String::new(),
        (Kind::Compare, false) => format!(" · every scenario {with}"),
        (_, false) => format!(", {with}"),
    };
    format!(
        "{what} \"{}\"{with} · {} points · {} trials each · seed {} · the same trials in every point",
        c.name,
        c.summaries.len(),
        format::group_digits(c.trials),
        c.seed
    )
}

/// The values as numbers when every one of them is a plain number, else `None` (a categorical
/// knob such as the rule, or a distribution).
pub fn numeric_values(values: &[String]) -> Option<Vec<f64>> {
    values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect()
}

/// The points of a sweep that vary knob `j` with every other knob at its first listed value
/// (point 1's), in listed order.
pub fn knob_slice(c: &Comparison, j: usize) -> Vec<usize> {
    (0..c.settings.len())
        .filter(|&p| {
            c.settings[p]
                .iter()
                .zip(&c.settings[0])
                .enumerate()
                .all(|(k, (v, first))| k == j || v == first)
        })
        .collect()
}

/// Per knob, the name its chart's file and caption use: the key with anything but letters,
/// digits, '-', '_' and '.' replaced by '_', and `-<n>` (its 1-based place) added when an earlier
/// knob already has that name.
pub fn knob_labels(keys: &[String]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::with_capacity(keys.len());
    for (j, key) in keys.iter().enumerate() {
        let mut label: String = key
            .chars()
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || "-_.".contains(ch) {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        if labels.contains(&label) {
            label = format!("{label}-{}", j + 1);
        }
        labels.push(label);
    }
    labels
}

/// The names of a comparison's series in chart order: its firms, then the total.
pub fn series_names(c: &Comparison) -> Vec<String> {
    let mut names = c.firms.clone();
    names.push("All firms (total)".to_string());
    names
}

/// An axis over `[lo, hi]` with round ticks, widened to whole steps and padded by `pad` of the
/// span on each side so marks at the ends are not cut by the frame.
pub fn value_axis(lo: f64, hi: f64, max_ticks: usize, pad: f64) -> Axis {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.5, hi + hi.abs() * 0.5)
    };
    let step = data::nice_step(hi - lo, max_ticks);
    // Within rounding of a whole step counts as on it (0.3 / 0.1 is 2.9999999999999996).
    let snap = |v: f64| {
        if (v - v.round()).abs() < 1e-6 {
            v.round()
        } else {
            v
        }
    };
    let first = snap(lo / step).floor();
    let last = snap(hi / step).ceil();
    let ticks: Vec<f64> = (0..=(last - first) as i64)
        .map(|i| (first + i as f64) * step)
        .collect();
    let span = (last - first) * step;
    Axis {
        lo: first * step - pad * span,
        hi: last * step + pad * span,
        step,
        ticks,
    }
}

/// One knob's chart: the value of each point of its slice and the spread of unmet demand per
/// series (firms, then the total) at each.
#[derive(Debug, Clone, PartialEq)]
pub struct KnobChart {
    /// The line under the title ([`run_line`]).
    pub run_line: String,
    /// The series' names: the firms, then the total ([`series_names`]).
    pub series: Vec<String>,
    /// The knob's key, as typed.
    pub key: String,
    /// The knob's value at each point of the slice, as typed.
    pub values: Vec<String>,
    /// Some when every value is a number (a line chart), None for box plots.
    pub numbers: Option<Vec<f64>>,
    /// `spreads[series][k]`: unmet demand of series (firm index; the firm count is the total) at
    /// the k-th value.
    pub spreads: Vec<Vec<Spread>>,
    /// Other knobs held at their first value (empty for a one-knob sweep).
    pub held: Vec<(String, String)>,
}

/// The chart of knob `j` of a sweep.
pub fn knob_chart(c: &Comparison, j: usize) -> KnobChart {
    let slice = knob_slice(c, j);
    let values: Vec<String> = slice.iter().map(|&p| c.settings[p][j].clone()).collect();
    let spreads = (0..=c.total())
        .map(|f| {
            slice
                .iter()
                .map(|&p| data::spread(c.summaries[p].tally(f, Metric::Unmet), 1.0))
                .collect()
        })
        .collect();
    let held = c
        .knobs
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != j)
        .map(|(k, key)| (key.clone(), c.settings[0][k].clone()))
        .collect();
    KnobChart {
        run_line: run_line(c),
        series: series_names(c),
        key: c.knobs[j].clone(),
        numbers: numeric_values(&values),
        values,
        spreads,
        held,
    }
}

/// A statistic a heatmap shows, and how its chart names it.
#[derive(Debug, PartialEq, Eq)]
pub struct HeatStat {
    /// The statistic, as [`crate::stats::Tally::stat`] takes it ("mean", "p95").
    pub stat: &'static str,
    /// What the cells show, for the title and the caption.
    pub what: &'static str,
    /// The statistic in words, for the note under the title.
    pub words: &'static str,
}

/// The statistics a two-knob sweep gets a heatmap of, one chart each, in order.
pub const HEAT_STATS: [HeatStat; 2] = [
    HeatStat {
        stat: "mean",
        what: "Mean total unmet demand",
        words: "mean",
    },
    HeatStat {
        stat: "p95",
        what: "1-in-20 worst case (p95) of total unmet demand",
        words: "95th percentile",
    },
];

/// Whether `c` is a two-knob sweep, whose points form the grid a heatmap shows.
pub fn is_grid(c: &Comparison) -> bool {
    c.kind == Kind::Sweep && c.knobs.len() == 2
}

/// A two-knob grid: `cells[row][col]` with rows the first knob's values, columns the second's.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// The line under the title ([`run_line`]).
    pub run_line: String,
    /// The statistic the cells show.
    pub stat: &'static HeatStat,
    /// The first knob's key (the rows).
    pub row_key: String,
    /// The second knob's key (the columns).
    pub col_key: String,
    /// The first knob's values, top to bottom.
    pub rows: Vec<String>,
    /// The second knob's values, left to right.
    pub cols: Vec<String>,
    /// The statistic of total unmet demand at each pair of values.
    pub cells: Vec<Vec<f64>>,
}

/// The heatmap of statistic `stat` of total unmet demand over a two-knob sweep's grid; `c` must
/// be one ([`is_grid`]).
pub fn heatmap(c: &Comparison, stat: &'static HeatStat) -> Heatmap {
    debug_assert!(is_grid(c), "a heatmap needs a two-knob sweep");
    let rows: Vec<String> = knob_slice(c, 0)
        .iter()
        .map(|&p| c.settings[p][0].clone())
        .collect();
    let cols: Vec<String> = knob_slice(c, 1)
        .iter()
        .map(|&p| c.settings[p][1].clone())
        .collect();
    // Points are in row-major order: point r * cols + k.
    let cells = (0..rows.len())
        .map(|r| {
            (0..cols.len())
                .map(|k| {
                    c.summaries[r * cols.len() + k]
                        .tally(c.total(), Metric::Unmet)
                        .stat(stat.stat, 1.0)
                })
                .collect()
        })
        .collect();
    Heatmap {
        run_line: run_line(c),
        stat,
        row_key: c.knobs[0].clone(),
        col_key: c.knobs[1].clone(),
        rows,
        cols,
        cells,
    }
}

/// The tornado of a sensitivity comparison: its knobs ranked by swing around the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The line under the title ([`run_line`]).
    pub run_line: String,
    /// The knobs, largest swing first ([`swings`]).
    pub swings: Vec<Swing>,
    /// The reference's (the scenario as written) mean total unmet demand.
    pub reference: f64,
}

/// The tornado of sensitivity comparison `c`.
pub fn tornado(c: &Comparison) -> Tornado {
    Tornado {
        run_line: run_line(c),
        swings: swings(c),
        reference: c.mean_total_unmet(0),
    }
}

/// One row of the paired-difference chart: mean difference in unmet and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffRow {
    /// Mean over trials of (point − reference).
    pub mean: f64,
    /// Lower end of its 95% confidence interval.
    pub lo: f64,
    /// Upper end of its 95% confidence interval.
    pub hi: f64,
}

/// One point's panel of the paired-difference chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffPanel {
    /// The point's label.
    pub label: String,
    /// Per series (firms, then the total), its difference against the reference.
    pub rows: Vec<DiffRow>,
}

/// The paired-difference chart: every point after the first against point 1, per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Differences {
    /// The line under the title ([`run_line`]).
    pub run_line: String,
    /// The series' names: the firms, then the total ([`series_names`]).
    pub series: Vec<String>,
    /// Point 1's label: what every difference is taken against.
    pub reference: String,
    /// One panel per point after the first, in order.
    pub panels: Vec<DiffPanel>,
}

/// Per point after the first, per series (firms, then the total), the paired difference in unmet
/// demand against point 1.
pub fn differences(c: &Comparison) -> Differences {
    let panels = (1..c.paired.len())
        .map(|p| DiffPanel {
            label: c.labels[p].clone(),
            rows: (0..=c.total())
                .map(|f| {
                    let d = c.paired[p].diff(f, Metric::Unmet);
                    let (lo, hi) = d.ci95();
                    DiffRow {
                        mean: d.mean(),
                        lo,
                        hi,
                    }
                })
                .collect(),
        })
        .collect();
    Differences {
        run_line: run_line(c),
        series: series_names(c),
        reference: c.labels[0].clone(),
        panels,
    }
}

/// The comparison's charts in the order they are drawn and shown: each entry of
/// [`COMPARISON_CHARTS`] with each of its parts that `c` has.
fn charts_of(c: &Comparison) -> Vec<(&'static ComparisonChart, usize)> {
    COMPARISON_CHARTS
        .iter()
        .flat_map(|chart| (chart.parts)(c).into_iter().map(move |part| (chart, part)))
        .collect()
}

/// Every chart of a comparison as (file name, PNG bytes): a chart per swept knob, heatmaps for a
/// two-knob grid, the tornado for sensitivity, paired differences for compare.
pub fn render_comparison(
    c: &Comparison,
    options: &ChartOptions,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    render(
        charts_of(c)
            .into_iter()
            .map(|(chart, part)| {
                let paint: Paint = Box::new(move |area, look| (chart.paint)(area, look, c, part));
                ((chart.file)(c, part), paint)
            })
            .collect(),
        options,
    )
}

/// The caption report.html shows under comparison `c`'s chart `file`, from the chart's entry in
/// [`COMPARISON_CHARTS`]; empty for a file that is not one of its charts.
pub fn caption_of(c: &Comparison, file: &str) -> String {
    charts_of(c)
        .into_iter()
        .find(|(chart, part)| (chart.file)(c, *part) == file)
        .map_or_else(String::new, |(chart, part)| (chart.caption)(c, part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::format::{signed_units, value_tick};

    #[test]
    fn numeric_knobs_are_plain_numbers() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            numeric_values(&v(&["0.5", "0.6", "3"])),
            Some(vec![0.5, 0.6, 3.0])
        );
        assert_eq!(numeric_values(&v(&["talmud", "proportional"])), None);
        assert_eq!(numeric_values(&v(&["{dist=\"fixed\",value=3}", "2"])), None);
        assert_eq!(numeric_values(&v(&["nan", "1"])), None);
    }

    #[test]
    fn value_axes_are_round_and_padded() {
        let a = value_axis(0.3, 0.7, 5, 0.0);
        assert_eq!(a.step, 0.1);
        assert_eq!(a.ticks.len(), 5);
        assert!((a.lo - 0.3).abs() < 1e-12 && (a.hi - 0.7).abs() < 1e-12);
        let p = value_axis(1.0, 8.0, 7, 0.05);
        assert_eq!(p.ticks, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert!(p.lo < 1.0 && p.hi > 8.0);
        let one = value_axis(5.0, 5.0, 5, 0.0);
        assert!(one.lo < 5.0 && one.hi > 5.0);
        assert_eq!(value_tick(0.5, 0.1), "0.5");
        assert_eq!(value_tick(0.25, 0.05), "0.25");
        assert_eq!(value_tick(3.0, 1.0), "3");
        assert_eq!(value_tick(20_000.0, 10_000.0), "20k");
        assert_eq!(value_tick(-0.0, 0.1), "0.0");
    }

    #[test]
    fn knob_labels_are_safe_and_distinct() {
        let keys = [
            "domestic.ratio",
            "firm.Tencent Cloud/x.round_cap",
            "firm.Tencent Cloud?x.round_cap",
        ]
        .map(String::from);
        assert_eq!(
            knob_labels(&keys),
            [
                "domestic.ratio",
                "firm.Tencent_Cloud_x.round_cap",
                "firm.Tencent_Cloud_x.round_cap-3"
            ]
        );
        assert_eq!(signed_units(12_345.0), "+12k");
        assert_eq!(signed_units(-4_100.0), "−4.1k");
        assert_eq!(signed_units(0.2), "0");
    }
}
