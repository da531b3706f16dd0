//! What the comparison charts show, computed apart from the drawing: which points a knob's chart
//! uses, whether a knob is numeric, value axes and labels, heatmap colours, tornado rows and
//! paired-difference rows. Also the entry point that draws every comparison chart.

use super::data::{self, Axis, Rgb, Spread};
use super::{ChartError, ChartOptions, Paint, compare_draw, render};
use crate::compare::{Comparison, Kind, Swing, swings};
use crate::report::format;
use crate::stats::Metric;

/// The line under every comparison chart's title.
pub fn run_line(c: &Comparison) -> String {
    let what = match c.kind {
        Kind::Sweep => "Sweep of scenario",
        Kind::Compare => "Scenarios compared with",
        Kind::Sensitivity => "Sensitivity of scenario",
    };
    format!(
        "{what} \"{}\" · {} points · {} trials each · seed {} · the same trials in every point",
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

/// A file name for knob `key`'s chart: `sweep-<key>.png` with anything but letters, digits,
/// '-', '_' and '.' replaced by '_'.
pub fn sweep_file(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || "-_.".contains(ch) {
                ch
            } else {
                '_'
            }
        })
        .collect();
    format!("sweep-{safe}.png")
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

/// Stops of ColorBrewer's YlOrBr sequential scheme (light to dark): more unmet demand, darker.
const HEAT: [Rgb; 6] = [
    Rgb(0xFF, 0xF7, 0xBC),
    Rgb(0xFE, 0xE3, 0x91),
    Rgb(0xFE, 0xC4, 0x4F),
    Rgb(0xFB, 0x9A, 0x29),
    Rgb(0xD9, 0x5F, 0x0E),
    Rgb(0x99, 0x34, 0x04),
];

/// The heatmap colour of `share` (0: lowest value shown, 1: highest), interpolated between the
/// scheme's stops.
pub fn heat_colour(share: f64) -> Rgb {
    let s = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = s * (HEAT.len() - 1) as f64;
    let i = (pos.floor() as usize).min(HEAT.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (HEAT[i], HEAT[i + 1]);
    Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `background` should be white (dark background) rather than ink.
pub fn white_text_on(background: Rgb) -> bool {
    // Relative luminance with sRGB weights, on 0..255 values (good enough to pick a text colour).
    let l =
        0.2126 * background.0 as f64 + 0.7152 * background.1 as f64 + 0.0722 * background.2 as f64;
    l < 140.0
}

/// One knob's chart: the value of each point of its slice and the spread of unmet demand per
/// series (firms, then the total) at each.
#[derive(Debug, Clone, PartialEq)]
pub struct KnobChart {
    pub key: String,
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
        key: c.knobs[j].clone(),
        numbers: numeric_values(&values),
        values,
        spreads,
        held,
    }
}

/// A two-knob grid: `cells[row][col]` with rows the first knob's values, columns the second's.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub row_key: String,
    pub col_key: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<f64>>,
}

/// The heatmap of a two-knob sweep's total unmet demand, statistic `stat` ("mean", "p95").
pub fn heatmap(c: &Comparison, stat: &str) -> Option<Heatmap> {
    if c.kind != Kind::Sweep || c.knobs.len() != 2 {
        return None;
    }
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
                        .stat(stat, 1.0)
                })
                .collect()
        })
        .collect();
    Some(Heatmap {
        row_key: c.knobs[0].clone(),
        col_key: c.knobs[1].clone(),
        rows,
        cols,
        cells,
    })
}

/// The tornado: knobs ranked by swing, with the reference's mean total unmet demand.
pub fn tornado(c: &Comparison) -> Option<(Vec<Swing>, f64)> {
    (c.kind == Kind::Sensitivity).then(|| (swings(c), c.mean_total_unmet(0)))
}

/// One row of the paired-difference chart: mean difference in unmet and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffRow {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Per point after the first, per series (firms, then the total), the paired difference in unmet
/// demand against point 1.
pub fn diff_rows(c: &Comparison) -> Vec<Vec<DiffRow>> {
    (1..c.paired.len())
        .map(|p| {
            (0..=c.total())
                .map(|f| {
                    let d = c.paired[p].diff(f, Metric::Unmet);
                    let (lo, hi) = d.ci95();
                    DiffRow {
                        mean: d.mean(),
                        lo,
                        hi,
                    }
                })
                .collect()
        })
        .collect()
}

/// Points beyond which the paired-difference chart would be unreadable (it draws the first ones).
pub const DIFF_PANELS_MAX: usize = 6;

/// What each comparison chart shows, for its caption in report.html; beside [`render_comparison`],
/// which names the files.
pub fn caption(chart: &str) -> String {
    if let Some(knob) = chart
        .strip_prefix("sweep-")
        .and_then(|s| s.strip_suffix(".png"))
    {
        return format!("Unmet demand, total and per firm, at each value of {knob}.");
    }
    match chart {
        "heatmap-mean.png" => "Mean total unmet demand over the grid of the two knobs.".into(),
        "heatmap-p95.png" => {
            "1-in-20 worst case (p95) of total unmet demand over the grid of the two knobs.".into()
        }
        "tornado.png" => {
            "Each knob moved from low to high, others at the scenario's values: mean total unmet demand."
                .into()
        }
        "differences.png" => {
            "Paired difference in mean unmet demand against the reference, with 95% intervals.".into()
        }
        _ => String::new(),
    }
}

/// Every chart of a comparison as (file name, PNG bytes): a chart per swept knob, heatmaps for a
/// two-knob grid, the tornado for sensitivity, paired differences for compare.
pub fn render_comparison(
    c: &Comparison,
    options: &ChartOptions,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let mut charts: Vec<(String, compare_draw::Chart)> = Vec::new();
    match c.kind {
        Kind::Sweep => {
            let mut used = Vec::new();
            for j in 0..c.knobs.len() {
                let mut name = sweep_file(&c.knobs[j]);
                if used.contains(&name) {
                    name = format!("{}-{}.png", name.trim_end_matches(".png"), j + 1);
                }
                used.push(name.clone());
                charts.push((name, compare_draw::Chart::Knob(knob_chart(c, j))));
            }
            for stat in ["mean", "p95"] {
                if let Some(map) = heatmap(c, stat) {
                    charts.push((
                        format!("heatmap-{stat}.png"),
                        compare_draw::Chart::Heatmap(map, stat),
                    ));
                }
            }
        }
        Kind::Sensitivity => {
            if let Some((rows, reference)) = tornado(c) {
                charts.push((
                    "tornado.png".to_string(),
                    compare_draw::Chart::Tornado(rows, reference),
                ));
            }
        }
        Kind::Compare => {
            charts.push((
                "differences.png".to_string(),
                compare_draw::Chart::Differences(diff_rows(c)),
            ));
        }
    }
    render(
        charts
            .into_iter()
            .map(|(name, chart)| {
                let paint: Paint =
                    Box::new(move |area, look| compare_draw::draw(area, look, c, &chart));
                (name, paint)
            })
            .collect(),
        options,
    )
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
    fn heat_runs_light_to_dark_with_readable_text() {
        assert_eq!(heat_colour(0.0), HEAT[0]);
        assert_eq!(heat_colour(1.0), HEAT[5]);
        assert_eq!(heat_colour(f64::NAN), HEAT[0]);
        assert!(!white_text_on(heat_colour(0.0)));
        assert!(white_text_on(heat_colour(1.0)));
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(sweep_file("domestic.ratio"), "sweep-domestic.ratio.png");
        assert_eq!(
            sweep_file("firm.Tencent Cloud/x.round_cap"),
            "sweep-firm.Tencent_Cloud_x.round_cap.png"
        );
        assert_eq!(signed_units(12_345.0), "+12k");
        assert_eq!(signed_units(-4_100.0), "−4.1k");
        assert_eq!(signed_units(0.2), "0");
    }
}
