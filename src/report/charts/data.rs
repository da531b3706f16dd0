//! What the charts show, computed apart from the drawing: colours, axis ticks (shared across a
//! chart's panels), density bins, exceedance curves, fan bands, label truncation and wrapping,
//! and where labels go so that none covers a line, a curve or another label (numbers are
//! written by [`crate::report::format`]; which firms are alike by construction is
//! [`super::alike`]'s). Pure functions, tested exactly.

use super::alike::{self, Sameness};
use crate::report::RunInfo;
use crate::report::format;
use crate::stats::{Bucket, Metric, Summary, Tally};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Tableau 10 (2016) without its grey, which is kept for the total: designed to stay
/// distinguishable under the common colour-vision deficiencies and to print well.
const PALETTE: [Rgb; 9] = [
    Rgb(0x4E, 0x79, 0xA7), // blue
    Rgb(0xF2, 0x8E, 0x2B), // orange
    Rgb(0xE1, 0x57, 0x59), // red
    Rgb(0x76, 0xB7, 0xB2), // teal
    Rgb(0x59, 0xA1, 0x4F), // green
    Rgb(0xED, 0xC9, 0x48), // yellow
    Rgb(0xB0, 0x7A, 0xA1), // purple
    Rgb(0xFF, 0x9D, 0xA7), // pink
    Rgb(0x9C, 0x75, 0x5F), // brown
];

/// The total's colour: a neutral dark grey, never used by a firm.
pub const TOTAL_COLOUR: Rgb = Rgb(0x3C, 0x3C, 0x3C);

/// The colour of firm `index` (listed position), the same in every chart; cycles past nine firms.
pub fn firm_colour(index: usize) -> Rgb {
    PALETTE[index % PALETTE.len()]
}

/// The colour of series `index` of `summary.names` (firms, then the total).
pub fn series_colour(index: usize, firms: usize) -> Rgb {
    if index >= firms {
        TOTAL_COLOUR
    } else {
        firm_colour(index)
    }
}

/// A linear axis: its range and the tick values inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Where the axis starts, in the data's unit.
    pub lo: f64,
    /// Where it ends.
    pub hi: f64,
    /// Distance between ticks (a 1, 2 or 5 times a power of ten).
    pub step: f64,
    /// The tick values from `lo` to `hi`.
    pub ticks: Vec<f64>,
}

/// The 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) giving at most `max_ticks` intervals over
/// `span`, so tick labels are round numbers a reader can interpolate between.
pub fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let span = if span.is_finite() && span > 0.0 {
        span
    } else {
        1.0
    };
    let raw = span / max_ticks.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        let step = m * magnitude;
        // A relative tolerance keeps 0.3/3 from picking 0.2 because of rounding.
        if step >= raw * (1.0 - 1e-9) {
            return step;
        }
    }
    10.0 * magnitude
}

/// An axis from `lo` (kept as is, usually 0) to `hi` rounded up to a whole step, with at most
/// `max_ticks` intervals; an empty or zero span becomes one unit wide.
pub fn axis(lo: f64, hi: f64, max_ticks: usize) -> Axis {
    let hi = if hi.is_finite() && hi > lo {
        hi
    } else {
        lo + 1.0
    };
    let step = nice_step(hi - lo, max_ticks);
    let top = lo + ((hi - lo) / step - 1e-9).ceil() * step;
    let count = ((top - lo) / step).round() as usize;
    // Ticks from integer multiples, not repeated addition, so 0.1 steps do not drift.
    let ticks = (0..=count).map(|i| lo + i as f64 * step).collect();
    Axis {
        lo,
        hi: top,
        step,
        ticks,
    }
}

/// An axis of unit counts from 0 to at least `hi`: never narrower than 10 units, so its ticks are
/// whole units even when every value is 0.
pub fn units_axis(hi: f64, max_ticks: usize) -> Axis {
    axis(0.0, hi.max(10.0), max_ticks)
}

/// The longest prefix of `text` that `fits`, ending in "…" when shortened; `text` itself when it
/// fits. `fits` measures (the drawing passes the font's width; tests pass a character count).
///
/// A binary search over the character boundaries, so `fits` is called about log2(chars) times
/// and the whole costs O(n log n), not one measure per prefix (seconds for a long label). It
/// returns what trying every prefix from the longest down would, because the candidates grow
/// with the prefix: cutting after one more character gives the same or a longer string before
/// the "…" (trimming a separator only ever removes the characters added), and a string's width
/// grows as characters are added to it.
pub fn truncate_to_fit(text: &str, fits: impl Fn(&str) -> bool) -> String {
    if fits(text) {
        return text.to_string();
    }
    // cuts[k - 1] is the byte offset after the first k characters, for k = 1..chars - 1.
    let cuts: Vec<usize> = text.char_indices().skip(1).map(|(i, _)| i).collect();
    let candidate = |k: usize| {
        format!(
            "{}…",
            text[..cuts[k - 1]].trim_end_matches([' ', '-', '_', ','])
        )
    };
    // The answer keeps `keep` characters, `keep` in lo..=hi; 0 means none fits.
    let (mut lo, mut hi) = (0, cuts.len());
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(&candidate(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        "…".to_string()
    } else {
        candidate(lo)
    }
}

/// `text` broken at spaces into lines that each `fits`, at most `max_lines` of them: a word too
/// long for a line of its own is shortened with "…", and when the text runs past the last line
/// that line ends in "…" ([`truncate_to_fit`]).
pub fn wrap(text: &str, fits: impl Fn(&str) -> bool, max_lines: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for (w, word) in words.iter().enumerate() {
        let longer = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || fits(&longer) {
            current = longer;
            continue;
        }
        if lines.len() + 1 == max_lines {
            // The last line allowed: the rest of the text, shortened to fit.
            let rest = format!("{current} {}", words[w..].join(" "));
            lines.push(truncate_to_fit(&rest, &fits));
            return lines;
        }
        lines.push(truncate_to_fit(&current, &fits));
        current = word.to_string();
    }
    if !current.is_empty() && max_lines > 0 {
        lines.push(truncate_to_fit(&current, &fits));
    }
    lines
}

/// A label for a vertical line that crosses a whole plot (a median, a percentile), in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineLabel {
    /// The line's x.
    pub line: f64,
    /// The label's width, its padding included.
    pub width: f64,
    /// Whether the label goes right of its line when both sides are free.
    pub right_first: bool,
}

/// Where [`place_line_labels`] put a label: its text row and its edges, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedLabel {
    /// The text row, 0 at the top of the plot.
    pub row: usize,
    /// The label's left edge.
    pub left: f64,
    /// Its right edge.
    pub right: f64,
    /// Whether it sits beside its own line; when not, it sits past the lines in the way and a
    /// leader along its row joins it to its line.
    pub beside: bool,
}

impl PlacedLabel {
    /// What the label takes of its row: itself and, when it is not beside its line, the leader.
    fn span(&self, line: f64) -> (f64, f64) {
        if self.beside {
            (self.left, self.right)
        } else {
            (self.left.min(line), self.right.max(line))
        }
    }
}

/// Places the labels of vertical lines that cross a plot from `lo` to `hi` (pixels), in the
/// order given, on text rows `0..rows`, `gap` pixels from whatever a label sits beside. Each goes
/// to the first place that is inside the plot, covers no line (its own or another's) and meets
/// no label or leader already placed on its row, trying: beside its line on its preferred side,
/// then on the other, on the top row, then on each lower row; then past the lines in the way
/// (on either side, each row in turn), joined to its line by a leader. When there is no such
/// place (a plot too narrow) it goes beside its line on its preferred side, kept inside the plot.
pub fn place_line_labels(
    labels: &[LineLabel],
    lo: f64,
    hi: f64,
    gap: f64,
    rows: usize,
) -> Vec<PlacedLabel> {
    let rows = rows.max(1);
    let lines: Vec<f64> = labels.iter().map(|l| l.line).collect();
    // A line closer than half a gap to a label's edges counts as covered.
    let covers = |left: f64, right: f64| {
        lines
            .iter()
            .any(|&x| x > left - gap / 2.0 && x < right + gap / 2.0)
    };
    let mut placed: Vec<PlacedLabel> = Vec::with_capacity(labels.len());
    for label in labels {
        let (x, w) = (label.line, label.width);
        let free = |p: &PlacedLabel, placed: &[PlacedLabel]| {
            let (a, b) = p.span(x);
            p.left >= lo
                && p.right <= hi
                && !covers(p.left, p.right)
                && placed.iter().zip(labels).all(|(q, other)| {
                    let (c, d) = q.span(other.line);
                    q.row != p.row || b + gap <= c || d + gap <= a
                })
        };
        let beside = |row: usize, right: bool| {
            let left = if right { x + gap } else { x - gap - w };
            PlacedLabel {
                row,
                left,
                right: left + w,
                beside: true,
            }
        };
        // Past every line in the way: start beside, step over each line the label would cover.
        let past = |row: usize, right: bool| {
            let mut left = if right { x + gap } else { x - gap - w };
            for _ in 0..lines.len() {
                let hit = lines
                    .iter()
                    .copied()
                    .filter(|&l| l > left - gap / 2.0 && l < left + w + gap / 2.0);
                let step = if right {
                    hit.fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.max(l))))
                        .map(|l| l + gap)
                } else {
                    hit.fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.min(l))))
                        .map(|l| l - gap - w)
                };
                match step {
                    Some(next) => left = next,
                    None => break,
                }
            }
            PlacedLabel {
                row,
                left,
                right: left + w,
                beside: false,
            }
        };
        let sides = [label.right_first, !label.right_first];
        let candidates = (0..rows)
            .flat_map(|row| sides.map(|side| beside(row, side)))
            .chain((0..rows).flat_map(|row| sides.map(|side| past(row, side))));
        let chosen = candidates
            .into_iter()
            .find(|p| free(p, &placed))
            .unwrap_or_else(|| {
                let mut p = beside(0, label.right_first);
                let shift = (lo - p.left).max(0.0) - (p.right - hi).max(0.0);
                p.left += shift;
                p.right += shift;
                p
            });
        placed.push(chosen);
    }
    placed
}

/// Whether the curve of `points` (x ascending, y never rising, joined by straight lines as it is
/// drawn) passes through the rectangle `[x0, x1] × [y0, y1]`: over the stretch of the curve
/// inside `[x0, x1]` it takes every value from its value at the right end to its value at the
/// left, so it meets the rectangle exactly when that range meets `[y0, y1]`.
pub fn falling_curve_meets(points: &[(f64, f64)], x0: f64, x1: f64, y0: f64, y1: f64) -> bool {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return false;
    };
    let (a, b) = (x0.max(first.0), x1.min(last.0));
    if a > b {
        return false;
    }
    let at = |x: f64| -> f64 {
        // The last point at or before x, and the segment from it.
        let i = points.partition_point(|p| p.0 <= x).saturating_sub(1);
        match points.get(i + 1) {
            Some(next) if next.0 > points[i].0 => {
                let t = (x - points[i].0) / (next.0 - points[i].0);
                points[i].1 + t * (next.1 - points[i].1)
            }
            _ => points[i].1,
        }
    };
    // Where the curve drops straight down at x (two points at one x), the left end takes the
    // top of the drop and the right end its bottom.
    let top = points
        .iter()
        .filter(|p| p.0 == a)
        .map(|p| p.1)
        .fold(at(a), f64::max);
    let bottom = points
        .iter()
        .filter(|p| p.0 == b)
        .map(|p| p.1)
        .fold(at(b), f64::min);
    bottom <= y1 && top >= y0
}

/// Where a label of `size` (width, height, in data units) can sit beside a horizontal reference
/// line at `level` in a plot spanning `x` and `y`, clear of every falling curve of `curves`: its
/// lower left corner, `gap` (x, y) from the plot's edges and from the line. Tried above the line
/// from the right edge leftwards (falling curves are lowest, so furthest from the label, on the
/// right), then below it; `None` when no such place is clear.
pub fn reference_label_spot(
    curves: &[&[(f64, f64)]],
    (x, y): ((f64, f64), (f64, f64)),
    level: f64,
    size: (f64, f64),
    gap: (f64, f64),
) -> Option<(f64, f64)> {
    const STEPS: usize = 200;
    let (w, h) = size;
    let (from, to) = (x.0 + gap.0, x.1 - gap.0 - w);
    if to < from {
        return None;
    }
    [level + gap.1, level - gap.1 - h]
        .into_iter()
        .filter(|&bottom| bottom >= y.0 && bottom + h <= y.1)
        .flat_map(|bottom| {
            (0..=STEPS).map(move |k| (to - (to - from) * k as f64 / STEPS as f64, bottom))
        })
        .find(|&(left, bottom)| {
            curves
                .iter()
                .all(|c| !falling_curve_meets(c, left, left + w, bottom, bottom + h))
        })
}

/// Shares of trials (0..1) in `bins` equal bins over `[lo, hi)`, each histogram bucket's count
/// spread evenly over the values it covers (as the quantiles assume). Values outside are left out,
/// so the shares add up to the share of trials inside the axis.
pub fn density_bins(buckets: &[Bucket], trials: u64, lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut shares = vec![0.0; bins];
    if bins == 0 || trials == 0 || hi <= lo {
        return shares;
    }
    let width = (hi - lo) / bins as f64;
    for b in buckets {
        let (start, end) = (b.low as f64, b.low as f64 + b.width as f64);
        let first = (((start - lo) / width).floor().max(0.0)) as usize;
        for (i, share) in shares.iter_mut().enumerate().skip(first) {
            let (bin_lo, bin_hi) = (lo + i as f64 * width, lo + (i + 1) as f64 * width);
            if bin_lo >= end {
                break;
            }
            let overlap = end.min(bin_hi) - start.max(bin_lo);
            if overlap > 0.0 {
                *share += b.count as f64 * overlap / (end - start) / trials as f64;
            }
        }
    }
    shares
}

/// The exceedance curve P(value > x) as (x, probability) points, from 0 to the top of the last
/// bucket: linear inside a bucket (its values spread evenly), flat between buckets.
pub fn exceedance(buckets: &[Bucket], trials: u64) -> Vec<(f64, f64)> {
    if trials == 0 {
        return Vec::new();
    }
    let n = trials as f64;
    let mut above = trials;
    let mut points = Vec::with_capacity(2 * buckets.len() + 1);
    if buckets.first().is_none_or(|b| b.low > 0) {
        points.push((0.0, 1.0));
    }
    for b in buckets {
        points.push((b.low as f64, above as f64 / n));
        above = above.saturating_sub(b.count);
        points.push(((b.low + b.width) as f64, above as f64 / n));
    }
    points
}

/// The spread of one metric over trials, scaled to its reported unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Mean over trials.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The mean and the 5th, 25th, 50th, 75th and 95th percentiles of `tally`, times `scale`.
pub fn spread(tally: &Tally, scale: f64) -> Spread {
    Spread {
        mean: tally.mean() * scale,
        p5: tally.quantile(0.05) * scale,
        p25: tally.quantile(0.25) * scale,
        p50: tally.quantile(0.5) * scale,
        p75: tally.quantile(0.75) * scale,
        p95: tally.quantile(0.95) * scale,
    }
}

/// One round of the deliveries fan: cumulative total delivered by the round's end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FanRound {
    /// 1-based round number.
    pub round: u32,
    /// Cumulative total delivered by the round's end.
    pub spread: Spread,
    /// Share of trials in which the round approved a batch.
    pub approved: f64,
}

/// The fan of cumulative total deliveries, one entry per round.
pub fn fan(summary: &Summary) -> Vec<FanRound> {
    let trials = summary.trials().max(1) as f64;
    summary
        .rounds
        .iter()
        .enumerate()
        .map(|(r, round)| FanRound {
            round: r as u32 + 1,
            spread: spread(&round.cumulative, 1.0),
            approved: round.approved as f64 / trials,
        })
        .collect()
}

/// The line under every chart's title naming the run: scenario (with its `--set` overrides,
/// shortened when long: [`RunInfo::title`]), trials, seed and the rule the run used.
pub fn run_line(info: &RunInfo) -> String {
    let overrides = crate::report::overrides::with_phrase(&info.overrides);
    format!(
        "Scenario \"{}\"{}{overrides} · {} · seed {} · {} allocation · {}",
        info.name,
        if overrides.is_empty() { "" } else { ", " },
        format::counted(info.trials, "trial"),
        info.seed,
        info.rule,
        format::counted(u64::from(info.rounds), "round")
    )
}

/// The name of the total's series in every chart.
pub const TOTAL_NAME: &str = "All firms (total)";

/// One firm's panel of unmet.png: the histogram of its unmet demand and the marks on it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmetPanel {
    /// The firm's name as the scenario gives it.
    pub name: String,
    /// The histogram's buckets and trial count, binned at the width the drawing has room for.
    pub buckets: Vec<Bucket>,
    /// Trials the histogram counts (its buckets add up to this).
    pub trials: u64,
    /// Mean unmet demand, in units.
    pub mean: f64,
    /// Median unmet demand, in units.
    pub p50: f64,
    /// 95th percentile of unmet demand, in units.
    pub p95: f64,
    /// Share of trials with no unmet demand at all.
    pub fully_served: f64,
}

/// What unmet.png shows: a panel per firm on a shared axis reaching the firms' p99.5.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmetChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// One panel per firm, in the scenario's order.
    pub panels: Vec<UnmetPanel>,
    /// Where the shared x axis ends: the largest of the firms' 99.5th percentiles, in units.
    pub tail: f64,
    /// Which firms' panels are the same by construction, and why ([`alike::note`]).
    pub alike: Option<String>,
}

/// The bars of unmet.png: each panel's shares of trials in `bins` equal bins over the shared
/// x axis `x`, and the one y axis every panel is drawn on, so that equal heights are equal shares
/// in every panel (it reaches a little above the tallest bar of any of them).
pub fn unmet_bars(d: &UnmetChart, x: &Axis, bins: usize) -> (Vec<Vec<f64>>, Axis) {
    let shares: Vec<Vec<f64>> = d
        .panels
        .iter()
        .map(|p| density_bins(&p.buckets, p.trials, x.lo, x.hi, bins))
        .collect();
    let tallest = shares.iter().flatten().fold(0.0, |a: f64, &b| a.max(b));
    (shares, axis(0.0, tallest * 1.12, 3))
}

/// What unmet.png shows, prepared from a run's summary.
pub fn unmet_chart(info: &RunInfo, summary: &Summary) -> UnmetChart {
    let panels = info
        .firms
        .iter()
        .enumerate()
        .map(|(f, name)| {
            let tally = summary.tally(f, Metric::Unmet);
            let buckets: Vec<Bucket> = tally.buckets().collect();
            let fully_served = buckets
                .first()
                .filter(|b| b.low == 0)
                .map_or(0, |b| b.count) as f64
                / tally.count().max(1) as f64;
            UnmetPanel {
                name: name.clone(),
                buckets,
                trials: tally.count(),
                mean: tally.mean(),
                p50: tally.quantile(0.5),
                p95: tally.quantile(0.95),
                fully_served,
            }
        })
        .collect();
    let tail = (0..info.firms.len())
        .map(|f| summary.tally(f, Metric::Unmet).quantile(0.995))
        .fold(0.0, f64::max);
    UnmetChart {
        run_line: run_line(info),
        panels,
        tail,
        alike: alike::note(info, Sameness::Everything, "their panels match"),
    }
}

/// One curve of exceedance.png.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceSeries {
    /// The firm's name, or [`TOTAL_NAME`].
    pub name: String,
    /// P(unmet > x) as (x, probability), from [`exceedance`].
    pub curve: Vec<(f64, f64)>,
    /// 95th percentile of unmet demand, in units (marked on the curve).
    pub p95: f64,
    /// The 99.5th percentile, where the axis of the series' panel may end.
    pub p995: f64,
}

/// What exceedance.png shows: a curve per firm, then the total's.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// Firms, then the total (its index is the firm count).
    pub series: Vec<ExceedanceSeries>,
    /// Which firms' curves are the same by construction, and why ([`alike::note`]).
    pub alike: Option<String>,
}

/// What exceedance.png shows, prepared from a run's summary.
pub fn exceedance_chart(info: &RunInfo, summary: &Summary) -> ExceedanceChart {
    let firms = info.firms.len();
    let series = (0..=firms)
        .map(|f| {
            let tally = summary.tally(f, Metric::Unmet);
            let buckets: Vec<Bucket> = tally.buckets().collect();
            ExceedanceSeries {
                name: if f == firms {
                    TOTAL_NAME.to_string()
                } else {
                    info.firms[f].clone()
                },
                curve: exceedance(&buckets, tally.count()),
                p95: tally.quantile(0.95),
                p995: tally.quantile(0.995),
            }
        })
        .collect();
    ExceedanceChart {
        run_line: run_line(info),
        series,
        alike: alike::note(
            info,
            Sameness::Everything,
            "their curves lie on one another, the later-listed firm's drawn on top",
        ),
    }
}

/// What deliveries.png shows: the fan by round against mean total orders.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveriesChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// Cumulative total deliveries, one entry per round.
    pub fan: Vec<FanRound>,
    /// Mean total orders over trials, in units: the line the fan rises towards.
    pub orders: f64,
}

/// What deliveries.png shows, prepared from a run's summary.
pub fn deliveries_chart(info: &RunInfo, summary: &Summary) -> DeliveriesChart {
    DeliveriesChart {
        run_line: run_line(info),
        fan: fan(summary),
        orders: summary.tally(info.firms.len(), Metric::Orders).mean(),
    }
}

/// One panel of domestic.png: a metric's spread per firm.
#[derive(Debug, Clone, PartialEq)]
pub struct DomesticPanel {
    /// The panel's title: the metric's label.
    pub title: String,
    /// The metric's spread per firm, in the scenario's order, in units.
    pub spreads: Vec<Spread>,
}

/// What domestic.png shows: domestic chips bought per firm and, when they count as imports
/// (`effective`), effective unmet demand beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct DomesticChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// Firm names, in the scenario's order.
    pub firms: Vec<String>,
    /// Whether domestic chips count as imports (equivalence above 0), so effective unmet demand is shown.
    pub effective: bool,
    /// All firms' domestic chips, for the note.
    pub total: Spread,
    /// Domestic chips bought, then effective unmet demand when `effective`.
    pub panels: Vec<DomesticPanel>,
    /// The x axis every panel shares (units per trial), so equal lengths are equal numbers of
    /// chips in both: it reaches past every panel's largest mean and 95th percentile, with room
    /// for the value labels.
    pub x: Axis,
    /// Which firms' bars are the same by construction, and why ([`alike::note`]).
    pub alike: Option<String>,
}

/// What domestic.png shows, prepared from a run's summary.
pub fn domestic_chart(info: &RunInfo, summary: &Summary) -> DomesticChart {
    let firms = info.firms.len();
    let effective = info.equivalence > 0.0;
    let mut metrics = vec![(Metric::Domestic, Metric::Domestic.spec().label.to_string())];
    if effective {
        metrics.push((
            Metric::EffectiveUnmet,
            format!(
                "{} (unmet − {} × domestic)",
                Metric::EffectiveUnmet.spec().label,
                info.equivalence
            ),
        ));
    }
    let panels: Vec<DomesticPanel> = metrics
        .into_iter()
        .map(|(metric, title)| DomesticPanel {
            title,
            spreads: (0..firms)
                .map(|f| spread(summary.tally(f, metric), 1.0))
                .collect(),
        })
        .collect();
    let top = panels
        .iter()
        .flat_map(|p| &p.spreads)
        .map(|s| s.p95.max(s.mean))
        .fold(0.0, f64::max);
    // Headroom on the right for the value labels.
    let x = units_axis(top * 1.2, if effective { 6 } else { 8 });
    DomesticChart {
        run_line: run_line(info),
        firms: info.firms.clone(),
        effective,
        total: spread(summary.tally(firms, Metric::Domestic), 1.0),
        panels,
        x,
        alike: alike::note(info, Sameness::Everything, "their bars match"),
    }
}

/// What fill.png shows: the fill rate's spread (a share, 0..1) per firm, then the total's.
#[derive(Debug, Clone, PartialEq)]
pub struct FillChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// Firms, then [`TOTAL_NAME`].
    pub names: Vec<String>,
    /// The fill rate's spread per name of `names`, as a share (0..1).
    pub spreads: Vec<Spread>,
    /// Which firms' fill rates are the same by construction, and why ([`alike::note`]).
    pub alike: Option<String>,
}

/// What a fill rate is, as every place that shows one says it: a ratio within each trial.
pub const FILL_RATE_IS: &str = "Fill rate: delivered ÷ orders in each trial (for all firms: all \
                                deliveries ÷ all orders)";

/// The numbers fill.png writes beside a box: the mean over trials (the number of the stdout and
/// report tables), the median (the box's thick line) and the 5th–95th percentiles (its whiskers).
pub fn fill_values(s: &Spread) -> String {
    format!(
        "mean {} · median {} · p5–p95 {}–{}",
        format::percent_label(s.mean),
        format::percent_label(s.p50),
        format::percent_label(s.p5),
        format::percent_label(s.p95)
    )
}

/// What fill.png shows, prepared from a run's summary.
pub fn fill_chart(info: &RunInfo, summary: &Summary) -> FillChart {
    let firms = info.firms.len();
    let mut names = info.firms.clone();
    names.push(TOTAL_NAME.to_string());
    let scale = Metric::FillRate.scale();
    FillChart {
        run_line: run_line(info),
        names,
        spreads: (0..=firms)
            .map(|f| spread(summary.tally(f, Metric::FillRate), scale))
            .collect(),
        alike: alike::note(info, Sameness::FillRate, "their boxes match"),
    }
}

/// The regimes' colours: the Okabe–Ito palette (Okabe and Ito 2008, "Color Universal Design"),
/// made to stay distinct under the common colour-vision deficiencies, without its black (the
/// text's) and in an order that puts contrasting colours next to each other. It differs from the
/// firms' palette, so a regime is never read as a firm.
const REGIME_PALETTE: [Rgb; 7] = [
    Rgb(0x56, 0xB4, 0xE9), // sky blue
    Rgb(0xE6, 0x9F, 0x00), // orange
    Rgb(0x00, 0x9E, 0x73), // bluish green
    Rgb(0xD5, 0x5E, 0x00), // vermillion
    Rgb(0xCC, 0x79, 0xA7), // reddish purple
    Rgb(0x00, 0x72, 0xB2), // blue
    Rgb(0xF0, 0xE4, 0x42), // yellow
];

/// The colour of regime `index` (listed position); past seven regimes the palette repeats,
/// lightened halfway to white each time round, so no two regimes share a colour.
pub fn regime_colour(index: usize) -> Rgb {
    let Rgb(r, g, b) = REGIME_PALETTE[index % REGIME_PALETTE.len()];
    let lap = (index / REGIME_PALETTE.len()).min(8) as i32;
    let lighten = |c: u8| 255 - ((255 - i32::from(c)) >> lap) as u8;
    Rgb(lighten(r), lighten(g), lighten(b))
}

/// Whether text on `background` reads better dark than white (its relative luminance, WCAG 2.1,
/// above the level where black and white contrast with it equally).
pub fn dark_text_on(background: Rgb) -> bool {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * linear(background.0)
        + 0.7152 * linear(background.1)
        + 0.0722 * linear(background.2);
    // Black contrasts (l + 0.05) / 0.05, white 1.05 / (l + 0.05): equal at l ≈ 0.179.
    (l + 0.05) / 0.05 > 1.05 / (l + 0.05)
}

/// One regime of regimes.png: its name, colour and share of trials in each round.
#[derive(Debug, Clone, PartialEq)]
pub struct RegimeBand {
    /// The regime's name.
    pub name: String,
    /// Its colour ([`regime_colour`]).
    pub colour: Rgb,
    /// The share of trials in it, round by round.
    pub shares: Vec<f64>,
    /// The share of all rounds of all trials spent in it (the mean of `shares`).
    pub overall: f64,
    /// Whether its rounds are customs holds.
    pub hold: bool,
}

/// What regimes.png shows: per round, the share of trials in each regime, stacked to 100%.
#[derive(Debug, Clone, PartialEq)]
pub struct RegimesChart {
    /// The line under the title naming the run ([`run_line`]).
    pub run_line: String,
    /// The regimes in listed order, the first drawn at the top of each bar.
    pub bands: Vec<RegimeBand>,
    /// The rounds' numbers that get a label on the x axis.
    pub ticks: Vec<f64>,
}

/// What regimes.png shows, prepared from a run's summary (no bands without regimes).
pub fn regimes_chart(info: &RunInfo, summary: &Summary) -> RegimesChart {
    let shares = crate::report::regime_shares(summary);
    let rounds = shares.len();
    let bands = summary
        .regimes
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let shares: Vec<f64> = shares.iter().map(|round| round[k]).collect();
            RegimeBand {
                name: name.clone(),
                colour: regime_colour(k),
                overall: shares.iter().sum::<f64>() / rounds.max(1) as f64,
                hold: info.regimes.get(k).is_some_and(|g| g.hold),
                shares,
            }
        })
        .collect();
    RegimesChart {
        run_line: run_line(info),
        bands,
        ticks: round_ticks(rounds),
    }
}

/// The rounds labelled on an axis of `rounds` rounds: every one up to 20, else round 1 and the
/// multiples of a 1-2-5 step that leaves at most 10 intervals.
pub fn round_ticks(rounds: usize) -> Vec<f64> {
    if rounds <= 20 {
        return (1..=rounds).map(|r| r as f64).collect();
    }
    let step = nice_step(rounds as f64, 10).max(1.0) as usize;
    std::iter::once(1)
        .chain((step..=rounds).step_by(step))
        .map(|r| r as f64)
        .collect()
}

/// Each round's stack of regime segments, `(bottom, top)` per band in listed order: the first
/// regime on top, the last at the bottom, so that the stack reads top to bottom as the legend
/// does. The segments of a round meet exactly and end at its total share (1 in a run).
pub fn regime_stack(bands: &[RegimeBand]) -> Vec<Vec<(f64, f64)>> {
    let rounds = bands.first().map_or(0, |b| b.shares.len());
    (0..rounds)
        .map(|r| {
            let mut segments = vec![(0.0, 0.0); bands.len()];
            let mut bottom = 0.0;
            for (k, band) in bands.iter().enumerate().rev() {
                let top = bottom + band.shares[r];
                segments[k] = (bottom, top);
                bottom = top;
            }
            segments
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_fixed_by_position() {
        assert_eq!(firm_colour(0), Rgb(0x4E, 0x79, 0xA7));
        assert_eq!(firm_colour(7), Rgb(0xFF, 0x9D, 0xA7));
        assert_eq!(firm_colour(9), firm_colour(0));
        assert_eq!(series_colour(3, 3), TOTAL_COLOUR);
        assert_eq!(series_colour(2, 3), firm_colour(2));
        // Eight firms get eight different colours, none of them the total's.
        let mut seen: Vec<Rgb> = (0..8).map(firm_colour).collect();
        seen.push(TOTAL_COLOUR);
        seen.sort_by_key(|c| (c.0, c.1, c.2));
        seen.dedup();
        assert_eq!(seen.len(), 9);
    }

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(1_000_000.0, 5), 200_000.0);
        assert_eq!(nice_step(1_300_000.0, 5), 500_000.0);
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(0.3, 3), 0.1);
        assert_eq!(nice_step(7.0, 7), 1.0);
        assert_eq!(nice_step(0.0, 5), 0.2);
    }

    #[test]
    fn axes_round_up_to_a_step() {
        let a = axis(0.0, 1_234_567.0, 6);
        assert_eq!(a.step, 500_000.0);
        assert_eq!(a.hi, 1_500_000.0);
        assert_eq!(a.ticks, vec![0.0, 500_000.0, 1_000_000.0, 1_500_000.0]);
        let exact = axis(0.0, 1_000_000.0, 5);
        assert_eq!(exact.hi, 1_000_000.0);
        assert_eq!(exact.ticks.len(), 6);
        let shares = axis(0.0, 0.3, 3);
        assert_eq!(shares.ticks, vec![0.0, 0.1, 0.2, 0.30000000000000004]);
        assert_eq!(
            units_axis(0.0, 7).ticks,
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(units_axis(0.0, 4).ticks, vec![0.0, 5.0, 10.0]);
        let empty = axis(0.0, 0.0, 5);
        assert_eq!((empty.lo, empty.hi), (0.0, 1.0));
    }

    #[test]
    fn truncation_keeps_what_fits() {
        let fits = |s: &str| s.chars().count() <= 12;
        assert_eq!(truncate_to_fit("Tencent", fits), "Tencent");
        assert_eq!(
            truncate_to_fit("Telecom-operators-and-state-backed-cloud", fits),
            "Telecom-ope…"
        );
        // A cut at a separator drops it rather than end in "-…".
        assert_eq!(
            truncate_to_fit("Telecom-operators", |s| s.chars().count() <= 9),
            "Telecom…"
        );
        assert_eq!(truncate_to_fit("abc", |_| false), "…");
        assert_eq!(truncate_to_fit("", |_| false), "…");
        assert_eq!(truncate_to_fit("a", |_| false), "…");
        // Cuts fall on character boundaries, never inside a multi-byte character.
        assert_eq!(
            truncate_to_fit("Zhōngguó Diànxìn", |s| s.chars().count() <= 7),
            "Zhōngg…"
        );
        assert_eq!(truncate_to_fit("ab, cd", |s| s.chars().count() <= 5), "ab…");
    }

    /// Every width limit gives the longest candidate that fits, as a scan of every prefix from
    /// the longest down would find it, and measures about log2(n) candidates, not n: a
    /// 20,000-character label took 29 s to draw when every prefix was measured.
    #[test]
    fn truncation_measures_logarithmically_many_prefixes() {
        use std::cell::Cell;
        let text = "Provincial AI-compute, centres_ consortium — ünïcödé";
        let n = text.chars().count();
        for limit in 0..=n + 1 {
            let fits = |s: &str| s.chars().count() <= limit;
            let expected = if limit >= n {
                text.to_string()
            } else {
                (1..n)
                    .rev()
                    .map(|k| {
                        let prefix: String = text.chars().take(k).collect();
                        format!("{}…", prefix.trim_end_matches([' ', '-', '_', ',']))
                    })
                    .find(|c| fits(c))
                    .unwrap_or_else(|| "…".to_string())
            };
            assert_eq!(truncate_to_fit(text, fits), expected, "limit {limit}");
        }
        let long = "x".repeat(20_000);
        let calls = Cell::new(0);
        let cut = truncate_to_fit(&long, |s| {
            calls.set(calls.get() + 1);
            s.chars().count() <= 30
        });
        assert_eq!(cut, format!("{}…", "x".repeat(29)));
        assert!(calls.get() <= 17, "{} measures", calls.get());
    }

    #[test]
    fn density_spreads_buckets_over_bins() {
        let buckets = [
            Bucket {
                low: 0,
                width: 1,
                count: 2,
            },
            Bucket {
                low: 10,
                width: 20,
                count: 4,
            },
            Bucket {
                low: 100,
                width: 1,
                count: 2,
            },
        ];
        // Bins of 20 over [0, 80): the [10, 30) bucket splits evenly over bins 0 and 1; the value
        // 100 is beyond the axis.
        let shares = density_bins(&buckets, 8, 0.0, 80.0, 4);
        assert_eq!(shares, vec![0.5, 0.25, 0.0, 0.0]);
        assert_eq!(density_bins(&buckets, 0, 0.0, 80.0, 4), vec![0.0; 4]);
    }

    #[test]
    fn exceedance_is_one_minus_the_cdf() {
        let buckets = [
            Bucket {
                low: 10,
                width: 10,
                count: 3,
            },
            Bucket {
                low: 40,
                width: 1,
                count: 1,
            },
        ];
        let curve = exceedance(&buckets, 4);
        assert_eq!(
            curve,
            vec![
                (0.0, 1.0),
                (10.0, 1.0),
                (20.0, 0.25),
                (40.0, 0.25),
                (41.0, 0.0)
            ]
        );
        let from_zero = exceedance(
            &[
                Bucket {
                    low: 0,
                    width: 1,
                    count: 1,
                },
                Bucket {
                    low: 5,
                    width: 1,
                    count: 1,
                },
            ],
            2,
        );
        assert_eq!(
            from_zero,
            vec![(0.0, 1.0), (1.0, 0.5), (5.0, 0.5), (6.0, 0.0)]
        );
    }

    #[test]
    fn spread_and_fan_from_tallies() {
        let mut t = Tally::default();
        for v in 1..=101u64 {
            t.record(v);
        }
        let s = spread(&t, 2.0);
        assert_eq!((s.mean, s.p5, s.p50, s.p95), (102.0, 12.0, 102.0, 192.0));
        assert_eq!((s.p25, s.p75), (52.0, 152.0));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_to_the_lines_allowed() {
        let fits = |s: &str| s.chars().count() <= 10;
        assert_eq!(
            wrap("one two three four", fits, 3),
            ["one two", "three four"]
        );
        assert_eq!(wrap("", fits, 3), Vec::<String>::new());
        // A word longer than a line is shortened on a line of its own.
        assert_eq!(
            wrap("a Telecom-operators b", fits, 3),
            ["a", "Telecom-o…", "b"]
        );
        // The last line allowed takes the rest, shortened.
        assert_eq!(
            wrap("one two three four five six", fits, 2),
            ["one two", "three fou…"]
        );
        assert_eq!(wrap("one two", fits, 0), Vec::<String>::new());
        for lines in wrap(
            "The proportional rule gives every claim the same share",
            fits,
            9,
        ) {
            assert!(fits(&lines), "{lines}");
        }
    }

    /// Whether any label of `placed` covers a line or another label's span on its row, or leaves
    /// the plot.
    fn clashes(labels: &[LineLabel], placed: &[PlacedLabel], lo: f64, hi: f64) -> Option<String> {
        for (i, (l, p)) in labels.iter().zip(placed).enumerate() {
            if p.left < lo || p.right > hi {
                return Some(format!("label {i} leaves the plot: {p:?}"));
            }
            assert!((p.right - p.left - l.width).abs() < 1e-9);
            if let Some(x) = labels
                .iter()
                .map(|o| o.line)
                .find(|&x| x > p.left && x < p.right)
            {
                return Some(format!("label {i} covers the line at {x}: {p:?}"));
            }
            for (j, (m, q)) in labels.iter().zip(placed).enumerate().skip(i + 1) {
                let (a, b) = p.span(l.line);
                let (c, d) = q.span(m.line);
                if p.row == q.row && a < d && c < b {
                    return Some(format!("labels {i} and {j} overlap: {p:?} {q:?}"));
                }
            }
        }
        None
    }

    #[test]
    fn line_labels_sit_beside_their_lines_when_there_is_room() {
        let label = |line: f64, right_first: bool| LineLabel {
            line,
            width: 100.0,
            right_first,
        };
        // Far apart: the median's label left of its line, the p95's right, both on the top row.
        let labels = [label(300.0, false), label(500.0, true)];
        let placed = place_line_labels(&labels, 0.0, 620.0, 4.0, 2);
        assert_eq!(
            placed,
            [
                PlacedLabel {
                    row: 0,
                    left: 196.0,
                    right: 296.0,
                    beside: true
                },
                PlacedLabel {
                    row: 0,
                    left: 504.0,
                    right: 604.0,
                    beside: true
                }
            ]
        );
        // No room left of the median: it goes right, and the p95's label a row down.
        let labels = [label(50.0, false), label(400.0, true)];
        let placed = place_line_labels(&labels, 0.0, 620.0, 4.0, 2);
        assert_eq!(
            (placed[0].row, placed[0].left, placed[0].beside),
            (0, 54.0, true)
        );
        assert_eq!((placed[1].row, placed[1].left), (0, 404.0));
        // unmet.png's Telecom-operators panel of issue 13: p50 at 65 px, p95 at 97 px, labels
        // 105 px wide. The median's label fits beside its line on neither side, so it goes past
        // the p95 line with a leader; the p95's label sits beside its line a row down.
        let labels = [
            LineLabel {
                line: 65.0,
                width: 105.0,
                right_first: false,
            },
            LineLabel {
                line: 97.0,
                width: 105.0,
                right_first: true,
            },
        ];
        let placed = place_line_labels(&labels, 0.0, 620.0, 4.0, 2);
        assert_eq!(clashes(&labels, &placed, 0.0, 620.0), None);
        assert_eq!(
            (placed[0].row, placed[0].left, placed[0].beside),
            (0, 101.0, false)
        );
        assert_eq!(
            (placed[1].row, placed[1].left, placed[1].beside),
            (1, 101.0, true)
        );
        // A plot too narrow for any clear place: beside the line, kept inside the plot.
        let placed = place_line_labels(&[label(30.0, true)], 0.0, 90.0, 4.0, 2);
        assert_eq!((placed[0].left, placed[0].right), (-10.0, 90.0));
        let placed = place_line_labels(&[label(30.0, true)], 0.0, 120.0, 4.0, 2);
        assert_eq!((placed[0].left, placed[0].right), (20.0, 120.0));
    }

    /// Two lines anywhere in a 620-pixel plot, labels of any width up to a third of it: every
    /// placement stays inside the plot and covers no line and no other label.
    #[test]
    fn line_labels_never_cover_a_line_or_each_other() {
        for width in [40.0, 105.0, 160.0, 200.0] {
            for a in (0..=620).step_by(7) {
                for b in (0..=620).step_by(11) {
                    let labels = [
                        LineLabel {
                            line: a as f64,
                            width,
                            right_first: false,
                        },
                        LineLabel {
                            line: b as f64,
                            width,
                            right_first: true,
                        },
                    ];
                    let placed = place_line_labels(&labels, 0.0, 620.0, 4.0, 2);
                    if let Some(clash) = clashes(&labels, &placed, 0.0, 620.0) {
                        panic!("lines at {a} and {b}, width {width}: {clash}");
                    }
                    // A label beside its line is where it was asked first whenever that is free
                    // of the other line (the first label has nothing else in its way).
                    let (p, l) = (placed[0], labels[0]);
                    if l.line - 4.0 - width >= 0.0
                        && !(b as f64 > l.line - 6.0 - width && (b as f64) < l.line - 2.0)
                    {
                        assert_eq!(
                            (p.row, p.right, p.beside),
                            (0, l.line - 4.0, true),
                            "{a} {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_falling_curve_meets_a_box_when_its_values_over_the_box_reach_it() {
        let curve = [(0.0, 1.0), (10.0, 1.0), (20.0, 0.0)];
        // Over [12, 14] the curve goes from 0.8 to 0.6.
        assert!(falling_curve_meets(&curve, 12.0, 14.0, 0.5, 0.7));
        assert!(falling_curve_meets(&curve, 12.0, 14.0, 0.75, 0.9));
        assert!(!falling_curve_meets(&curve, 12.0, 14.0, 0.85, 0.9));
        assert!(!falling_curve_meets(&curve, 12.0, 14.0, 0.1, 0.55));
        // Past the curve's end (it is not drawn there) and before its start.
        assert!(!falling_curve_meets(&curve, 21.0, 30.0, -1.0, 2.0));
        assert!(!falling_curve_meets(
            &[(5.0, 0.5), (9.0, 0.1)],
            0.0,
            4.0,
            0.0,
            1.0
        ));
        // A vertical drop at x = 10, from 1 to 0.2: a box just right of it sees the bottom only.
        let drop = [(0.0, 1.0), (10.0, 1.0), (10.0, 0.2), (20.0, 0.0)];
        assert!(falling_curve_meets(&drop, 5.0, 10.0, 0.4, 0.6));
        assert!(!falling_curve_meets(&drop, 10.5, 12.0, 0.4, 0.6));
        assert!(!falling_curve_meets(&[], 0.0, 1.0, 0.0, 1.0));
    }

    #[test]
    fn the_reference_label_goes_where_no_curve_crosses_it() {
        // Three curves falling through 5% at x = 20, 40 and 70, each over 10 units.
        let fall = |at: f64| vec![(0.0, 1.0), (at - 5.0, 1.0), (at + 5.0, 0.0)];
        let curves = [fall(20.0), fall(40.0), fall(70.0)];
        let refs: Vec<&[(f64, f64)]> = curves.iter().map(|c| &c[..]).collect();
        let bounds = ((0.0, 100.0), (0.0, 1.0));
        let clear = |spot: (f64, f64), size: (f64, f64)| {
            refs.iter()
                .all(|c| !falling_curve_meets(c, spot.0, spot.0 + size.0, spot.1, spot.1 + size.1))
        };
        // Room right of the last curve: the label sits there, above the line.
        let spot = reference_label_spot(&refs, bounds, 0.05, (20.0, 0.04), (1.0, 0.01))
            .expect("a clear spot");
        assert!(clear(spot, (20.0, 0.04)), "{spot:?}");
        assert_eq!(spot.0, 79.0);
        assert!((spot.1 - 0.06).abs() < 1e-12, "{spot:?}");
        // A label as wide as the plot cannot clear the curves.
        assert_eq!(
            reference_label_spot(&refs, bounds, 0.05, (98.0, 0.04), (1.0, 0.01)),
            None
        );
        // No room at the right: the spot found between curves is still clear of all of them.
        let curves = [fall(20.0), fall(90.0)];
        let refs: Vec<&[(f64, f64)]> = curves.iter().map(|c| &c[..]).collect();
        let spot = reference_label_spot(&refs, bounds, 0.05, (30.0, 0.04), (1.0, 0.01))
            .expect("a clear spot");
        assert!(refs.iter().all(|c| !falling_curve_meets(
            c,
            spot.0,
            spot.0 + 30.0,
            spot.1,
            spot.1 + 0.04
        )));
        // Right of the first curve's fall, and under the second curve, which passes above the
        // label's top right corner (0.11 at x = 93.9).
        assert!(spot.0 >= 25.0 && spot.0 + 30.0 < 95.0, "{spot:?}");
        // Never below the plot's floor.
        let low = reference_label_spot(
            &refs,
            ((0.0, 100.0), (0.0, 1.0)),
            0.05,
            (98.0, 0.04),
            (1.0, 0.02),
        );
        assert_eq!(low, None);
    }

    fn band(name: &str, shares: &[f64]) -> RegimeBand {
        RegimeBand {
            name: name.to_string(),
            colour: regime_colour(0),
            shares: shares.to_vec(),
            overall: 0.0,
            hold: false,
        }
    }

    #[test]
    fn regimes_stack_first_on_top_and_meet_exactly() {
        let bands = [
            band("calm", &[1.0, 0.5, 0.25]),
            band("tense", &[0.0, 0.25, 0.5]),
            band("frozen", &[0.0, 0.25, 0.25]),
        ];
        let stack = regime_stack(&bands);
        assert_eq!(
            stack,
            [
                vec![(0.0, 1.0), (0.0, 0.0), (0.0, 0.0)],
                vec![(0.5, 1.0), (0.25, 0.5), (0.0, 0.25)],
                vec![(0.75, 1.0), (0.25, 0.75), (0.0, 0.25)],
            ]
        );
        assert!(regime_stack(&[]).is_empty());
    }

    #[test]
    fn regime_colours_are_distinct_and_text_reads_on_them() {
        let colours: Vec<Rgb> = (0..21).map(regime_colour).collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b);
            }
            // Not a firm's colour, nor the total's.
            assert!((0..9).all(|f| firm_colour(f) != *a) && *a != TOTAL_COLOUR);
        }
        assert_eq!(colours[0], Rgb(0x56, 0xB4, 0xE9));
        // Past the palette, lighter: halfway to white.
        assert_eq!(colours[7], Rgb(0xAB, 0xDA, 0xF4));
        // Dark text on yellow and sky blue, white on the dark blue.
        assert!(dark_text_on(Rgb(0xF0, 0xE4, 0x42)) && dark_text_on(colours[0]));
        assert!(!dark_text_on(Rgb(0x00, 0x72, 0xB2)));
    }

    #[test]
    fn round_ticks_label_every_round_up_to_twenty() {
        assert_eq!(round_ticks(4), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(round_ticks(20).len(), 20);
        assert_eq!(
            round_ticks(40),
            [1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0]
        );
        assert_eq!(round_ticks(1000).len(), 11);
    }
}
