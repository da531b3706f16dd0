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
    stepped_axis(lo, hi, max_ticks, pad, 0.0)
}

/// [`value_axis`] with ticks at whole numbers only (a step of at least 1), for a knob that only
/// takes whole values (a round, a count): no tick at 2.2 between rounds 2 and 3.
pub fn integer_axis(lo: f64, hi: f64, max_ticks: usize, pad: f64) -> Axis {
    stepped_axis(lo, hi, max_ticks, pad, 1.0)
}

fn stepped_axis(lo: f64, hi: f64, max_ticks: usize, pad: f64, min_step: f64) -> Axis {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.5, hi + hi.abs() * 0.5)
    };
    // nice_step gives 1, 2 or 5 times a power of ten, so at least 1 is a whole number.
    let step = data::nice_step(hi - lo, max_ticks).max(min_step);
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

/// Labels of a knob's values (or of points) with what they all share left out: the values of a
/// swept distribution differ in a field or two, and written in full they are cut to the same
/// `{dist="pert",min=100000,mo…`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortLabels {
    /// Per value, its label: the fields of a `{…}` value that not every value has the same,
    /// `", "`-separated; the value as typed when nothing is shared or it is not a table.
    pub labels: Vec<String>,
    /// The fields every value has the same (`dist="pert", min=100000`), for a note or the knob's
    /// name; empty when nothing was left out.
    pub common: String,
}

/// The values' labels with the fields they all share left out ([`ShortLabels`]). Only inline
/// tables (`{…}`, split on their top-level commas as `--set` splits values) are shortened, and
/// only when every value is one and each keeps at least one field, so two different values never
/// get the same label.
pub fn short_labels(values: &[String]) -> ShortLabels {
    let as_typed = ShortLabels {
        labels: values.to_vec(),
        common: String::new(),
    };
    let fields: Option<Vec<Vec<String>>> = values
        .iter()
        .map(|v| {
            let v = v.trim();
            let inner = v.strip_prefix('{')?.strip_suffix('}')?;
            Some(
                crate::compare::plan::split_values(inner)
                    .into_iter()
                    .filter(|f| !f.is_empty())
                    .collect(),
            )
        })
        .collect();
    let Some(fields) = fields else {
        return as_typed;
    };
    if fields.len() < 2 {
        return as_typed;
    }
    let shared: Vec<String> = fields[0]
        .iter()
        .filter(|f| fields.iter().all(|other| other.contains(f)))
        .cloned()
        .collect();
    let labels: Vec<String> = fields
        .iter()
        .map(|own| {
            own.iter()
                .filter(|f| !shared.contains(f))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    if shared.is_empty() || labels.iter().any(String::is_empty) || !all_distinct(&labels) {
        return as_typed;
    }
    ShortLabels {
        labels,
        common: shared.join(", "),
    }
}

/// Whether no two of `labels` are the same.
fn all_distinct(labels: &[String]) -> bool {
    labels
        .iter()
        .enumerate()
        .all(|(i, a)| labels[..i].iter().all(|b| a != b))
}

/// Labels shortened to fit a chart's room, still told apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Per label, what is drawn.
    pub labels: Vec<String>,
    /// Whether the labels are numbered ("1: …", "2: …") because fitting cut some of them: the
    /// chart then gives the key ([`key_note`]), so no value is only seen cut.
    pub numbered: bool,
}

/// `labels` each passed through `fit` (which shortens a text to the room it has, as
/// [`data::truncate_to_fit`] does). If that cuts any of them, every label is numbered from 1
/// first, the number in front so that it survives the cut and two labels cut to the same text
/// still differ; if even the numbered ones would collide, the labels are the bare numbers.
pub fn fit_distinct(labels: &[String], fit: impl Fn(&str) -> String) -> Fitted {
    let fitted: Vec<String> = labels.iter().map(|l| fit(l)).collect();
    if fitted.iter().zip(labels).all(|(f, l)| f == l) {
        return Fitted {
            labels: fitted,
            numbered: false,
        };
    }
    let numbered: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| fit(&format!("{}: {l}", i + 1)))
        .collect();
    let labels = if all_distinct(&numbered) {
        numbered
    } else {
        (1..=labels.len()).map(|n| n.to_string()).collect()
    };
    Fitted {
        labels,
        numbered: true,
    }
}

/// The key of numbered labels: `"what: 1 = a; 2 = b."`.
pub fn key_note(what: &str, labels: &[String]) -> String {
    let entries: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} = {l}", i + 1))
        .collect();
    format!("{what}: {}.", entries.join("; "))
}

/// `text` broken into lines at spaces so that each line `fits` (a word longer than a line is
/// a line of its own, for the drawing to cut); at most `max_lines`, the last cut with "…" if
/// the text goes on. Nothing is lost that fits: a footnote no longer ends "domestic.ratio =…".
pub fn wrap(text: &str, max_lines: usize, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || fits(&candidate) {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(data::truncate_to_fit(&rest, &fits));
    }
    lines
}

/// How a knob's values lie along its chart's axis.
#[derive(Debug, Clone, PartialEq)]
pub enum KnobScale {
    /// Every value is a number: lines against it on a value axis.
    Numbers {
        /// The values as numbers, in the slice's order.
        xs: Vec<f64>,
        /// The axis: whole-number ticks when `integer`.
        axis: Axis,
        /// Every value is typed as a whole number (a round, a count).
        integer: bool,
    },
    /// A rule, a distribution, a flag: one category per value, in listed order, named by the
    /// chart's [`KnobChart::labels`].
    Categories,
}

/// The scale of a knob taking `values`: numbers when each is a plain number, with whole-number
/// ticks when each is typed as a whole number, else categories.
pub fn knob_scale(values: &[String]) -> KnobScale {
    let Some(xs) = numeric_values(values) else {
        return KnobScale::Categories;
    };
    let integer = values.iter().all(|v| v.trim().parse::<i64>().is_ok());
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let axis = if integer {
        integer_axis(lo, hi, 6, 0.07)
    } else {
        value_axis(lo, hi, 6, 0.07)
    };
    KnobScale::Numbers { xs, axis, integer }
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
    /// The values' labels for a categorical knob, without what they all share.
    pub labels: ShortLabels,
    /// Numbers (a line chart, whole-number ticks for a whole-number knob) or categories (box
    /// plots, one per value).
    pub scale: KnobScale,
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
    // A sweep's points all list the comparison's firms in its order (the plan and
    // read_comparison check it), so a firm's index is its own in every summary.
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
        labels: short_labels(&values),
        scale: knob_scale(&values),
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
    /// The first knob's values, top to bottom, as typed.
    pub rows: Vec<String>,
    /// The second knob's values, left to right, as typed.
    pub cols: Vec<String>,
    /// The rows' labels, without what the first knob's values all share.
    pub row_labels: ShortLabels,
    /// The columns' labels, without what the second knob's values all share.
    pub col_labels: ShortLabels,
    /// The statistic of total unmet demand at each pair of values.
    pub cells: Vec<Vec<f64>>,
    /// The colour scale: from 0 (lightest) to the highest cell (darkest), so colours compare
    /// levels as the numbers do (a 5% change is a 5% change of colour), with the colour bar's
    /// round ticks.
    pub scale: Axis,
}

impl Heatmap {
    /// The reference's cell: point 1, every knob at its first value (top left).
    pub fn reference(&self) -> f64 {
        self.cells[0][0]
    }

    /// Where `v` lies on the colour scale: 0 for none, 1 for the scale's top.
    pub fn share(&self, v: f64) -> f64 {
        if self.scale.hi > self.scale.lo {
            ((v - self.scale.lo) / (self.scale.hi - self.scale.lo)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// What cell (`r`, `k`) prints: its value, and its difference from the reference's cell
    /// ("+81k (+5.5%)"; "reference" in the reference's own cell).
    pub fn cell_text(&self, r: usize, k: usize) -> (String, String) {
        let v = self.cells[r][k];
        let value = format::units_label(v);
        if (r, k) == (0, 0) {
            return (value, "reference".to_string());
        }
        let d = v - self.reference();
        let diff = if self.reference() > 0.0 {
            format!(
                "{} ({})",
                format::signed_units(d),
                signed_percent(d / self.reference())
            )
        } else {
            format::signed_units(d)
        };
        (value, diff)
    }
}

/// A signed share as a percentage with one decimal: "+5.5%", "−0.3%", "0%".
pub fn signed_percent(share: f64) -> String {
    let p = share * 100.0;
    let text = format!("{:.1}%", p.abs());
    if text == "0.0%" || !p.is_finite() {
        "0%".to_string()
    } else if p > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
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
    let cells: Vec<Vec<f64>> = (0..rows.len())
        .map(|r| {
            (0..cols.len())
                .map(|k| {
                    c.total_tally(r * cols.len() + k, Metric::Unmet)
                        .stat(stat.stat, 1.0)
                })
                .collect()
        })
        .collect();
    let top = cells.iter().flatten().copied().fold(0.0, f64::max);
    let round = data::units_axis(top, 4);
    let scale = Axis {
        lo: 0.0,
        hi: if top > 0.0 { top } else { round.hi },
        step: round.step,
        ticks: round.ticks.into_iter().filter(|&t| t <= top).collect(),
    };
    Heatmap {
        run_line: run_line(c),
        stat,
        row_key: c.knobs[0].clone(),
        col_key: c.knobs[1].clone(),
        row_labels: short_labels(&rows),
        col_labels: short_labels(&cols),
        rows,
        cols,
        cells,
        scale,
    }
}

/// The tornado of a sensitivity comparison: its knobs ranked by swing around the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// The line under the title ([`run_line`]).
    pub run_line: String,
    /// The knobs, largest swing first ([`swings`]).
    pub swings: Vec<Swing>,
    /// Per knob (in `swings`' order), the labels of its low and high values without what they
    /// share.
    pub values: Vec<ShortLabels>,
    /// The reference's (the scenario as written) mean total unmet demand.
    pub reference: f64,
    /// The axis, in change from the reference: 0 is the reference, where every bar starts.
    pub axis: Axis,
}

impl Tornado {
    /// Change of a mean total from the reference's: where a bar ends on [`Tornado::axis`].
    pub fn change(&self, mean: f64) -> f64 {
        mean - self.reference
    }
}

/// The tornado of sensitivity comparison `c`.
pub fn tornado(c: &Comparison) -> Tornado {
    let swings = swings(c);
    let reference = c.mean_total_unmet(0);
    let (lo, hi) = swings
        .iter()
        .flat_map(|s| [s.low_mean - reference, s.high_mean - reference])
        .fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    Tornado {
        run_line: run_line(c),
        values: swings
            .iter()
            .map(|s| short_labels(&[s.low.clone(), s.high.clone()]))
            .collect(),
        swings,
        reference,
        axis: value_axis(lo, hi, 6, 0.16),
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

/// One series' entry in a panel of the paired-difference chart.
#[derive(Debug, Clone, PartialEq)]
pub enum DiffEntry {
    /// The firm (or the total) has a paired difference.
    Paired(DiffRow),
    /// The point or the reference does not list the firm: no difference, and what the chart
    /// writes on its row instead ("only in the reference", "only in this scenario").
    Unpaired(&'static str),
}

impl DiffEntry {
    /// The difference, when there is one.
    pub fn paired(&self) -> Option<&DiffRow> {
        match self {
            DiffEntry::Paired(row) => Some(row),
            DiffEntry::Unpaired(_) => None,
        }
    }
}

/// One point's panel of the paired-difference chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffPanel {
    /// The point's label.
    pub label: String,
    /// Per series (firms, then the total), its difference against the reference, or why it has
    /// none.
    pub rows: Vec<DiffEntry>,
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
    /// One panel per point after the first, in order, the first [`DIFF_PANELS_MAX`] of them.
    pub panels: Vec<DiffPanel>,
    /// How many points after the first the comparison has (more than `panels` when some are
    /// left out).
    pub points: usize,
    /// The one axis every panel shares, so a 2k effect looks a 70th of a 140k one.
    pub axis: Axis,
    /// Whether the scenarios list different firms, so that the totals cover different firms
    /// (the chart's note says so).
    pub different_firms: bool,
}

/// How many panels a row of the paired-difference chart has for `panels` panels: four as 2 × 2
/// rather than 3 + 1, so the panels on their one scale are wider.
pub fn diff_columns(panels: usize) -> usize {
    match panels {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    }
}

/// Panels beyond which the paired-difference chart would be unreadable (it draws the first ones).
pub const DIFF_PANELS_MAX: usize = 6;

/// Per point after the first, per series (firms, then the total), the paired difference in unmet
/// demand against point 1.
pub fn differences(c: &Comparison) -> Differences {
    let points = c.paired.len().saturating_sub(1);
    let panels: Vec<DiffPanel> = (1..c.paired.len())
        .take(DIFF_PANELS_MAX)
        .map(|p| DiffPanel {
            label: c.labels[p].clone(),
            rows: (0..=c.total())
                .map(|f| match c.diff(p, f, Metric::Unmet) {
                    Some(d) => {
                        let (lo, hi) = d.ci95();
                        DiffEntry::Paired(DiffRow {
                            mean: d.mean(),
                            lo,
                            hi,
                        })
                    }
                    None if c.lists(p, f) => DiffEntry::Unpaired("only in this scenario"),
                    None if c.lists(0, f) => DiffEntry::Unpaired("only in the reference"),
                    None => DiffEntry::Unpaired("in neither of the two"),
                })
                .collect(),
        })
        .collect();
    let rows = panels
        .iter()
        .flat_map(|p| &p.rows)
        .filter_map(DiffEntry::paired);
    let (lo, hi) = rows.fold((0.0f64, 0.0f64), |(a, b), d| (a.min(d.lo), b.max(d.hi)));
    Differences {
        run_line: run_line(c),
        series: series_names(c),
        reference: c.labels[0].clone(),
        axis: value_axis(
            lo,
            hi,
            if diff_columns(panels.len()) > 2 { 4 } else { 6 },
            0.14,
        ),
        panels,
        points,
        different_firms: !c.same_firms(),
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

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    /// A fit that keeps at most `n` characters, as truncate_to_fit does with a font.
    fn cut(n: usize) -> impl Fn(&str) -> String {
        move |t: &str| data::truncate_to_fit(t, |s| s.chars().count() <= n)
    }

    #[test]
    fn shared_fields_of_table_values_are_left_out() {
        let values = strings(&[
            r#"{dist="pert",min=100000,mode=200000,max=400000}"#,
            r#"{dist="pert",min=100000,mode=300000,max=500000}"#,
        ]);
        let short = short_labels(&values);
        assert_eq!(
            short.labels,
            ["mode=200000, max=400000", "mode=300000, max=500000"]
        );
        assert_eq!(short.common, r#"dist="pert", min=100000"#);
        // Plain values, values with nothing in common and a value left with nothing of its own
        // keep their typed text.
        for values in [
            strings(&["talmud", "proportional"]),
            strings(&[
                r#"{dist="fixed",value=1}"#,
                r#"{dist="uniform",min=1,max=2}"#,
            ]),
            strings(&[r#"{dist="fixed",value=1}"#, r#"{dist="fixed",value=1,x=2}"#]),
            strings(&[r#"{dist="fixed",value=1}"#, "3"]),
        ] {
            let short = short_labels(&values);
            assert_eq!(short.labels, values);
            assert_eq!(short.common, "");
        }
    }

    #[test]
    fn labels_cut_to_the_same_text_are_numbered() {
        // The issue's labels: two batch distributions cut to `{dist="pert",min=100000,mo…`.
        let values = strings(&[
            r#"{dist="pert",min=100000,mode=200000,max=400000}"#,
            r#"{dist="pert",min=100000,mode=300000,max=500000}"#,
        ]);
        let plain: Vec<String> = values.iter().map(|v| cut(30)(v)).collect();
        assert_eq!(plain[0], plain[1], "the bug this guards against");
        let fitted = fit_distinct(&values, cut(30));
        assert!(fitted.numbered);
        assert_ne!(fitted.labels[0], fitted.labels[1]);
        assert!(fitted.labels[0].starts_with("1: "), "{:?}", fitted.labels);
        assert!(fitted.labels.iter().all(|l| l.chars().count() <= 30));
        // Labels that fit are drawn as they are; so little room that even "1: …" collides
        // leaves the bare numbers.
        let fits = fit_distinct(&strings(&["0.3", "0.6"]), cut(30));
        assert_eq!(fits.labels, ["0.3", "0.6"]);
        assert!(!fits.numbered);
        assert_eq!(fit_distinct(&values, cut(2)).labels, ["1…", "2…"]);
        let tiny = fit_distinct(&values, cut(1));
        assert_eq!(tiny.labels, ["1", "2"]);
        // Shortened, then fitted: still told apart, without numbers when the short ones fit.
        let short = short_labels(&values);
        let fitted = fit_distinct(&short.labels, cut(30));
        assert!(!fitted.numbered);
        assert_ne!(fitted.labels[0], fitted.labels[1]);
        assert_eq!(
            key_note("Values", &strings(&["a", "b"])),
            "Values: 1 = a; 2 = b."
        );
    }

    #[test]
    fn long_notes_wrap_instead_of_being_cut() {
        let fits = |s: &str| s.chars().count() <= 20;
        let text = "Other knobs at their first value: domestic.ratio = 0.3.";
        let lines = wrap(text, 5, fits);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| fits(l)), "{lines:?}");
        assert!(lines.last().is_some_and(|l| l.ends_with("0.3.")));
        // At most max_lines, the last one cut.
        let two = wrap(text, 2, fits);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'), "{two:?}");
        assert_eq!(wrap("", 3, fits), Vec::<String>::new());
    }

    #[test]
    fn knobs_get_the_scale_their_values_have() {
        // A whole-number knob (a round): ticks at whole numbers, not 2.0, 2.2, ….
        match knob_scale(&strings(&["2", "3"])) {
            KnobScale::Numbers { xs, axis, integer } => {
                assert!(integer);
                assert_eq!(xs, [2.0, 3.0]);
                assert_eq!(axis.ticks, [2.0, 3.0]);
                assert_eq!(axis.step, 1.0);
            }
            other => panic!("{other:?}"),
        }
        match knob_scale(&strings(&["1", "4", "12"])) {
            KnobScale::Numbers { axis, integer, .. } => {
                assert!(integer);
                assert!(axis.ticks.iter().all(|t| t.fract() == 0.0), "{axis:?}");
            }
            other => panic!("{other:?}"),
        }
        match knob_scale(&strings(&["0.3", "0.6"])) {
            KnobScale::Numbers { axis, integer, .. } => {
                assert!(!integer);
                assert!(axis.ticks.iter().any(|t| t.fract() != 0.0), "{axis:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            knob_scale(&strings(&["talmud", "proportional"])),
            KnobScale::Categories
        );
        assert_eq!(
            knob_scale(&strings(&["true", "false"])),
            KnobScale::Categories
        );
        let one = integer_axis(5.0, 5.0, 6, 0.0);
        assert!(one.ticks.iter().all(|t| t.fract() == 0.0) && one.ticks.contains(&5.0));
    }

    /// A firm that a point or the reference does not list gets no dot but the reason, whatever
    /// its tallies hold, and does not stretch the shared axis; the total is always drawn.
    #[test]
    fn unpaired_firms_are_said_not_drawn() {
        use crate::compare::{DiffTally, Paired};
        let d = |mean: i128| {
            let n = 100u64;
            let t = DiffTally::from_moments(n, mean * 100, (mean * mean) as u128 * 100, 0, 0);
            [t.clone(), t.clone(), t]
        };
        let c = Comparison {
            kind: Kind::Compare,
            name: "a".into(),
            knobs: vec!["scenario".into()],
            labels: vec!["a".into(), "b".into(), "c".into()],
            settings: vec![vec!["a".into()], vec!["b".into()], vec!["c".into()]],
            ranges: Vec::new(),
            fixed: Vec::new(),
            scenario_values: vec![String::new()],
            firms: vec!["X".into(), "Y".into(), "Z".into()],
            // a lists X, Y; b lists Z, X; c lists X.
            firm_at: vec![
                vec![Some(0), Some(1), None],
                vec![Some(1), None, Some(0)],
                vec![Some(0), None, None],
            ],
            trials: 100,
            seed: 0,
            summaries: Vec::new(),
            // Y's and Z's tallies hold a large value that must not be shown.
            paired: vec![
                Paired::from_tallies(vec![d(0), d(0), d(0), d(0)], [0; 3]).unwrap(),
                Paired::from_tallies(vec![d(5), d(1_000_000), d(1_000_000), d(7)], [0; 3]).unwrap(),
                Paired::from_tallies(vec![d(-3), d(0), d(0), d(-3)], [0; 3]).unwrap(),
            ],
        };
        let chart = differences(&c);
        assert!(chart.different_firms);
        let row = |m: f64| {
            DiffEntry::Paired(DiffRow {
                mean: m,
                lo: m,
                hi: m,
            })
        };
        assert_eq!(
            chart.panels[0].rows,
            [
                row(5.0),
                DiffEntry::Unpaired("only in the reference"),
                DiffEntry::Unpaired("only in this scenario"),
                row(7.0),
            ]
        );
        assert_eq!(
            chart.panels[1].rows[1],
            DiffEntry::Unpaired("only in the reference")
        );
        assert_eq!(
            chart.panels[1].rows[2],
            DiffEntry::Unpaired("in neither of the two")
        );
        assert!(chart.axis.hi < 100.0, "{:?}", chart.axis);
    }

    #[test]
    fn signed_percentages() {
        assert_eq!(signed_percent(0.055), "+5.5%");
        assert_eq!(signed_percent(-0.0871), "−8.7%");
        assert_eq!(signed_percent(0.00001), "0%");
        assert_eq!(signed_percent(f64::NAN), "0%");
    }
}
