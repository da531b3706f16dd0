//! What the charts show, computed apart from the drawing: colours, axis ticks, density bins,
//! exceedance curves, fan bands and label truncation (numbers are written by
//! [`crate::report::format`]). Pure functions, tested exactly.

use crate::report::RunInfo;
use crate::report::format::group_digits;
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
        "Scenario \"{}\"{}{overrides} · {} trials · seed {} · {} allocation · {} rounds",
        info.name,
        if overrides.is_empty() { "" } else { ", " },
        group_digits(info.trials),
        info.seed,
        info.rule,
        info.rounds
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
    let panels = metrics
        .into_iter()
        .map(|(metric, title)| DomesticPanel {
            title,
            spreads: (0..firms)
                .map(|f| spread(summary.tally(f, metric), 1.0))
                .collect(),
        })
        .collect();
    DomesticChart {
        run_line: run_line(info),
        firms: info.firms.clone(),
        effective,
        total: spread(summary.tally(firms, Metric::Domestic), 1.0),
        panels,
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
    }
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
}
