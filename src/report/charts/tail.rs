//! tail.png: what marks the worst trials. One horizontal bar per input, its @RISK significance
//! d = (tail median − overall median) / overall sd, largest |d| at the top, with the ±0.5 lines
//! past which an input is significant. What it shows is computed in [`tail_chart`], the drawing
//! in [`paint`].

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::value_axis;
use super::data::{Axis, Rgb};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, REFERENCE, boxed, colour, draw_names, frame_wrapped,
    label, names_width, none, plot, rows,
};
use crate::analysis::tail::{SIGNIFICANT, TailResult};
use crate::report::format::group_digits;
use crate::scenario::Scenario;

/// The chart's file name in the output folder.
pub const FILE: &str = "tail.png";

/// The sentence report.html shows under the chart.
pub const CAPTION: &str = "Each input's median in the worst trials against its median over all \
                           trials, in standard deviations of the input (d); beyond the dashed \
                           lines (|d| ≥ 0.5) it marks the tail.";

/// Most bars drawn: past this, the ones of least |d| are left out (and counted in the note),
/// so every label stays readable at 1600×1000.
pub const MAX_BARS: usize = 24;

/// Higher in the worst trials than over all.
const HIGHER: Rgb = Rgb(0xE1, 0x57, 0x59);
/// Lower in the worst trials.
const LOWER: Rgb = Rgb(0x4E, 0x79, 0xA7);

/// One input's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct TailBar {
    /// The input's name for people ("Tencent: orders").
    pub label: String,
    /// Its d.
    pub d: f64,
    /// Whether |d| reaches the significance threshold.
    pub significant: bool,
}

/// What tail.png shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TailChart {
    /// The chart's title: which trials the tail is.
    pub title: String,
    /// The line under it: the run and the tail's size and threshold.
    pub run_line: String,
    /// The bars, largest |d| first (ties in tail.csv's order).
    pub bars: Vec<TailBar>,
    /// Inputs with d that did not fit ([`MAX_BARS`]).
    pub hidden: usize,
    /// The inputs without d (no spread over all trials, or no value at all), for the note.
    pub without_d: Vec<String>,
    /// The d axis, covering every bar and the ±0.5 lines.
    pub axis: Axis,
}

/// tail.png's data: the inputs of `r` with a d, sorted by |d| (largest first; equal ones in
/// tail.csv's order), the first [`MAX_BARS`]. `what` names the tail ("total unmet demand",
/// "Tencent's unmet demand"), `title` the run ("baseline, with ...").
pub fn tail_chart(s: &Scenario, r: &TailResult, title: &str, worst: &str, what: &str) -> TailChart {
    let mut bars: Vec<TailBar> = r
        .rows
        .iter()
        .filter_map(|row| {
            row.d().map(|d| TailBar {
                label: row.input.label(s),
                d,
                significant: d.abs() >= SIGNIFICANT,
            })
        })
        .collect();
    // A stable sort: equal |d| keep tail.csv's order.
    bars.sort_by(|a, b| b.d.abs().total_cmp(&a.d.abs()));
    let hidden = bars.len().saturating_sub(MAX_BARS);
    bars.truncate(MAX_BARS);
    let without_d = r
        .rows
        .iter()
        .filter(|row| row.d().is_none())
        .map(|row| row.input.label(s))
        .collect();
    let lo = bars.iter().map(|b| b.d).fold(-SIGNIFICANT, f64::min);
    let hi = bars.iter().map(|b| b.d).fold(SIGNIFICANT, f64::max);
    TailChart {
        title: format!("What marks the worst {worst} of trials by {what}"),
        run_line: format!(
            "{title} — {} trials, seed {}; the tail: {} trials with unmet demand of {} units or more",
            group_digits(r.trials),
            r.seed,
            group_digits(r.tail_trials),
            group_digits(r.threshold)
        ),
        bars,
        hidden,
        without_d,
        axis: value_axis(lo.min(-0.6), hi.max(0.6), 8, 0.1),
    }
}

/// "+1.23" or "−0.45": a d as the chart and the page write it.
pub(crate) fn signed(d: f64) -> String {
    let text = format!("{:.2}", d.abs());
    if text == "0.00" {
        "0".to_string()
    } else if d > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

/// Draws tail.png.
pub(super) fn paint(root: &Area, look: &Look, c: &TailChart) -> Drawn {
    let mut note = "d = (median in the tail − median over all trials) ÷ standard deviation over \
                    all trials, as @RISK's scenario analysis computes it. Right of 0: the input \
                    is higher in the worst trials. Faded bars: |d| below 0.5, not significant."
        .to_string();
    if c.hidden > 0 {
        note += &format!(
            " The {} inputs of smallest |d| are left out (tail.csv has them).",
            c.hidden
        );
    }
    if !c.without_d.is_empty() {
        note += &format!(
            " No d (the same in every trial, or never drawn): {}.",
            c.without_d.join(", ")
        );
    }
    let body = frame_wrapped(root, look, &c.title, &note, &c.run_line, 4)?;
    if c.bars.is_empty() {
        let (w, h) = body.dim_in_pixel();
        let (x, y) = body.get_base_pixel();
        return label(
            root,
            "No input varies over the trials: nothing to compare.",
            &look.text(26.0, &MUTED),
            (x + w as i32 / 2, y + h as i32 / 2),
            HPos::Center,
            VPos::Center,
        );
    }
    let names: Vec<String> = c.bars.iter().map(|b| b.label.clone()).collect();
    let n = names.len();
    let mut rows = rows(names, vec![INK; n], false);
    // A band above the top bar for the labels of the ±0.5 lines.
    rows.span.hi += 0.9;
    let name_w = names_width(root, look, &rows.names);
    let (_, area) = body.split_horizontally(name_w);
    let axes = Axes {
        x: &c.axis,
        y: &rows.span,
        x_label: |v, step| {
            let decimals = if step >= 1.0 {
                0
            } else if step >= 0.1 {
                1
            } else {
                2
            };
            let text = format!("{:.decimals$}", v.abs());
            if v < 0.0 && text.chars().any(|ch| ch != '0' && ch != '.') {
                format!("−{text}")
            } else {
                text
            }
        },
        y_label: none,
        x_desc: "d: the tail's median minus the overall median, in overall standard deviations",
        y_desc: "",
        x_area: look.px(86.0),
        y_area: look.px(12.0),
    };
    let mut chart = plot(&area, look, &axes)?;
    let half = 0.36;
    let value_style = look.bold(19.0, &INK);
    for (i, b) in c.bars.iter().enumerate() {
        let y = rows.at[i];
        let hue = colour(if b.d >= 0.0 { HIGHER } else { LOWER });
        let fill = if b.significant {
            hue.mix(0.9).filled()
        } else {
            hue.mix(0.35).filled()
        };
        chart.draw_series([Rectangle::new(
            [(b.d.min(0.0), y - half), (b.d.max(0.0), y + half)],
            fill,
        )])?;
        let (ex, ey) = chart.backend_coord(&(b.d, y));
        let (at, h) = if b.d < 0.0 {
            (ex - look.px(8.0), HPos::Right)
        } else {
            (ex + look.px(8.0), HPos::Left)
        };
        boxed(root, &signed(b.d), &value_style, (at, ey), h, look)?;
    }
    let (lo, hi) = (rows.span.lo, rows.span.hi);
    chart.draw_series([PathElement::new(
        [(0.0, lo), (0.0, hi)],
        look.line(&INK, 2.0),
    )])?;
    for x in [-SIGNIFICANT, SIGNIFICANT] {
        chart.draw_series(DashedLineSeries::new(
            [(x, lo), (x, hi)],
            look.px(10.0),
            look.px(6.0),
            look.line(&REFERENCE, 2.0),
        ))?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    draw_names(
        root,
        look,
        &chart,
        &rows,
        px.start - look.px(14.0),
        name_w - look.px(20.0),
    )?;
    let small = look.text(18.0, &MUTED);
    for (x, text) in [(-SIGNIFICANT, "−0.5"), (SIGNIFICANT, "+0.5: significant")] {
        let (sx, _) = chart.backend_coord(&(x, hi));
        let h = if x < 0.0 { HPos::Right } else { HPos::Left };
        let at = if x < 0.0 {
            sx - look.px(6.0)
        } else {
            sx + look.px(6.0)
        };
        boxed(root, text, &small, (at, py.start + look.px(14.0)), h, look)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tail::{Input, InputKind, InputRow};
    use crate::stats::Tally;

    fn tally(values: &[u64]) -> Tally {
        let mut t = Tally::default();
        for &v in values {
            t.record(v);
        }
        t
    }

    #[test]
    fn bars_are_sorted_by_size_and_flat_inputs_named_apart() {
        let s = crate::scenario::parse(
            std::path::Path::new("t.toml"),
            b"name = \"t\"\nrounds = 4\n[allocation]\nrule = \"proportional\"\n\
              [approval]\nprobability = 0.5\nbatch = 10\n\
              [[firm]]\nname = \"A\"\norders = 30\n",
            &[],
        )
        .expect("valid");
        let row = |kind, tail: &[u64], overall: &[u64]| InputRow {
            input: Input { kind, member: 0 },
            tail: tally(tail),
            overall: tally(overall),
        };
        let r = TailResult {
            trials: 5,
            seed: 3,
            tail_trials: 2,
            threshold: 20,
            unmet_overall: tally(&[0, 10, 20, 20, 30]),
            unmet_tail: tally(&[20, 30]),
            worst: vec![(4, 30), (2, 20)],
            rows: vec![
                row(InputKind::Orders, &[30, 30], &[30, 30, 30, 30, 30]),
                // d = (1 - 3) / sqrt(2.5) = -1.26
                row(InputKind::ApprovedRounds, &[1, 1], &[1, 2, 3, 4, 5]),
                // d = (3.5 - 3) / sqrt(2.5) = 0.32
                row(InputKind::HeldRounds, &[3, 4], &[1, 2, 3, 4, 5]),
            ],
            threads: 1,
        };
        let c = tail_chart(&s, &r, "t", "40%", "total unmet demand");
        let labels: Vec<&str> = c.bars.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["approved rounds", "rounds held"]);
        assert_eq!(
            c.bars.iter().map(|b| b.significant).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(c.without_d, ["A: orders"]);
        assert!(c.axis.lo <= -1.26 && c.axis.hi >= 0.6, "{:?}", c.axis);
        assert_eq!(
            c.title,
            "What marks the worst 40% of trials by total unmet demand"
        );
        assert!(
            c.run_line
                .contains("2 trials with unmet demand of 20 units or more")
        );
        assert_eq!(
            (signed(-1.264), signed(0.316), signed(0.001)),
            ("−1.26".into(), "+0.32".into(), "0".into())
        );
        assert_eq!(signed(-1.0), "−1.00");
    }
}
