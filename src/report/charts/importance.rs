//! importance.png: per firm and for the total, each group's first-order and total index as
//! horizontal bars with their 95% intervals as whiskers, the groups in one order in every panel
//! (by the total's total index), and the share left to interactions stated per panel. What it
//! shows is prepared in [`importance_chart`]; [`IMPORTANCE_CHARTS`] is the analysis's chart
//! table, drawn through the one pipeline every report shares.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, Axis, TOTAL_NAME};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, Plot, boxed, colour, fit, frame_notes, label, none, plot,
    rows, swatch_legend, width_of,
};
use super::{ChartError, ChartOptions, Paint};
use crate::analysis::importance::{Estimate, Importance};
use crate::report::RunInfo;
use crate::report::format::group_digits;

/// Groups drawn at most (by the total's total index); importance.csv has every one.
pub const MAX_GROUPS: usize = 12;

/// Rows of groups a panel has room for at least: fewer groups get bars of that height.
const MIN_ROWS: usize = 6;

/// Panels drawn at most: the first firms in listed order, then the total.
pub const MAX_PANELS: usize = 12;

/// One panel of importance.png: a firm's or the total's indices.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportancePanel {
    /// The firm's name, or [`TOTAL_NAME`].
    pub name: String,
    /// Per group shown (in [`ImportanceChart::groups`]' order): its first-order and total
    /// index. None when the metric never varied: the indices are undefined.
    pub bars: Option<Vec<[Estimate; 2]>>,
    /// `1 − Σ S_i` over every group of the analysis (shown or not).
    pub interactions: Option<Estimate>,
}

/// What importance.png shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceChart {
    /// The line under the title naming the analysis ([`run_line`]).
    pub run_line: String,
    /// The metric's label, lower case ("unmet demand").
    pub metric: String,
    /// The groups drawn, top to bottom: by the total's total index, largest first.
    pub groups: Vec<String>,
    /// Groups of the analysis not drawn (past [`MAX_GROUPS`]).
    pub hidden_groups: usize,
    /// The panels: firms in listed order (at most [`MAX_PANELS`] − 1), then the total.
    pub panels: Vec<ImportancePanel>,
    /// Firms not drawn (past [`MAX_PANELS`]).
    pub hidden_firms: usize,
    /// The index axis every panel shares: 0 to 1, widened to −0.2 or 1.2 when an interval
    /// reaches past (whiskers are cut at its ends), ticks at 0, 0.5 and 1.
    pub x: Axis,
}

/// The line under the chart's title: scenario (with its overrides), base trials and what the
/// analysis cost, seed.
pub fn run_line(info: &RunInfo, imp: &Importance) -> String {
    let overrides = crate::report::overrides::with_phrase(&info.overrides);
    format!(
        "Scenario \"{}\"{}{overrides} · {} base trials × ({} groups + 2) = {} trials · seed {}",
        info.name,
        if overrides.is_empty() { "" } else { ", " },
        group_digits(imp.trials),
        imp.factors.len(),
        group_digits(imp.model_trials()),
        imp.seed
    )
}

/// What importance.png shows, prepared from an analysis.
pub fn importance_chart(info: &RunInfo, imp: &Importance) -> ImportanceChart {
    let total = imp.total();
    let mut order = crate::report::importance_out::ranked(imp, total);
    if order.is_empty() {
        // The total never varied (nor then did any firm): the analysis's own order.
        order = (0..imp.factors.len()).collect();
    }
    let hidden_groups = order.len().saturating_sub(MAX_GROUPS);
    order.truncate(MAX_GROUPS);
    let firms_shown = total.min(MAX_PANELS - 1);
    let outputs = (0..firms_shown).chain([total]);
    let panels = outputs
        .map(|y| {
            let o = imp.estimates[y].as_ref();
            ImportancePanel {
                name: if y == total {
                    TOTAL_NAME.to_string()
                } else {
                    imp.names[y].clone()
                },
                bars: o.map(|o| {
                    order
                        .iter()
                        .map(|&k| [o.first_order[k], o.total[k]])
                        .collect()
                }),
                interactions: o.map(|o| o.interactions),
            }
        })
        .collect::<Vec<_>>();
    let ends = panels
        .iter()
        .flat_map(|p| p.bars.iter().flatten().flatten())
        .map(Estimate::ci95);
    let (lo, hi) = ends.fold((0.0f64, 1.0f64), |(lo, hi), (a, b)| (lo.min(a), hi.max(b)));
    let (lo, hi) = (
        if lo < 0.0 { -0.2 } else { 0.0 },
        if hi > 1.0 { 1.2 } else { 1.0 },
    );
    // Ticks at 0, ½ and 1 only: narrow panels side by side keep their labels apart.
    let x = Axis {
        lo,
        hi,
        step: 0.5,
        ticks: vec![0.0, 0.5, 1.0],
    };
    ImportanceChart {
        run_line: run_line(info, imp),
        metric: imp.metric.spec().label.to_lowercase(),
        groups: order.iter().map(|&k| imp.factor_names[k].clone()).collect(),
        hidden_groups,
        panels,
        hidden_firms: total - firms_shown,
        x,
    }
}

/// An index to two decimals, with a true minus sign.
fn two(v: f64) -> String {
    let t = format!("{v:.2}");
    match t.strip_prefix('-') {
        Some(rest) if rest.trim_start_matches(['0', '.']).is_empty() => rest.to_string(),
        Some(rest) => format!("−{rest}"),
        None => t,
    }
}

/// The index axis's tick labels: "0", "0.5", "1".
fn tick(v: f64, _step: f64) -> String {
    crate::report::format::number(v, 2)
}

/// One chart of an importance analysis: its file, the caption report.html shows under it, and
/// how to draw it from what [`importance_chart`] prepared.
pub struct ImportanceChartSpec {
    /// The PNG's file name in the output folder.
    pub file: &'static str,
    /// The sentence report.html shows under it.
    pub caption: &'static str,
    paint: fn(&Area, &Look, &RunInfo, &Importance) -> Drawn,
}

/// The charts of an importance analysis, in the order they are drawn and shown.
pub const IMPORTANCE_CHARTS: [ImportanceChartSpec; 1] = [ImportanceChartSpec {
    file: "importance.png",
    caption: "Per firm and in total: the share of the variance each group of random inputs \
              explains alone (first-order index) and takes part in with its interactions (total \
              index), with 95% intervals; groups sorted by the total's total index.",
    paint: |area, look, info, imp| paint(area, look, &importance_chart(info, imp)),
}];

/// Every chart of an importance analysis as (file name, PNG bytes).
pub fn render_importance(
    info: &RunInfo,
    imp: &Importance,
    options: &ChartOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, ChartError> {
    super::render(
        IMPORTANCE_CHARTS
            .iter()
            .map(|chart| {
                let paint: Paint = Box::new(move |area, look| (chart.paint)(area, look, info, imp));
                (chart.file, paint)
            })
            .collect(),
        options,
    )
}

/// How many panel columns `n` panels get.
fn columns(n: usize) -> usize {
    match n {
        0..=3 => n.max(1),
        4 => 2,
        5..=6 => 3,
        _ => 4,
    }
}

/// importance.png.
pub fn paint(root: &Area, look: &Look, d: &ImportanceChart) -> Drawn {
    let first_c = colour(data::firm_colour(0));
    let total_c = colour(data::firm_colour(1));
    let mut notes = vec![format!(
        "Index: a share of the variance of {} (0 to 1). Upper bar: first-order index, the share \
         the group explains on its own; lower bar: total index, the share it takes part in, \
         interactions included; whiskers: 95% intervals. What the first-order indices leave, \
         1 − Σ first order, is left to interactions.",
        d.metric
    )];
    let mut hidden = Vec::new();
    if d.hidden_groups > 0 {
        hidden.push(format!("{} smaller groups", d.hidden_groups));
    }
    if d.hidden_firms > 0 {
        hidden.push(format!("{} more firms", d.hidden_firms));
    }
    if !hidden.is_empty() {
        notes.push(format!(
            "Not drawn: {}; importance.csv has every one.",
            hidden.join(" and ")
        ));
    }
    let note_refs: Vec<&str> = notes.iter().map(String::as_str).collect();
    let body = frame_notes(
        root,
        look,
        &format!("Which random inputs drive {}", d.metric),
        &note_refs,
        &d.run_line,
    )?;
    let (legend, body) = body.split_vertically(look.px(40.0));
    draw_legend(root, look, &legend, first_c, total_c)?;

    let n = d.panels.len();
    let cols = columns(n);
    let grid_rows = n.div_ceil(cols);
    let (bw, bh) = body.dim_in_pixel();
    let name_style = look.bold(20.0, &INK);
    let name_w = (d
        .groups
        .iter()
        .map(|g| width_of(root, g, &name_style))
        .max()
        .unwrap_or(0)
        + look.px(20.0))
    .min(bw as i32 / 4);
    let cell_w = (bw as i32 - name_w) / cols as i32;
    let gap = look.px(30.0);
    let cell_h = bh as i32 / grid_rows as i32;
    let (bx, by) = body.get_base_pixel();
    let mut group_rows = rows(d.groups.clone(), vec![INK; d.groups.len()], false);
    // At least MIN_ROWS rows' height, so one or two groups do not get bars a panel high.
    let short = MIN_ROWS.saturating_sub(d.groups.len()) as f64 / 2.0;
    group_rows.span.lo -= short;
    group_rows.span.hi += short;
    for (i, panel) in d.panels.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let left = bx + name_w + c as i32 * cell_w;
        let top = by + r as i32 * cell_h;
        let cell = root.margin(
            top,
            look.height - (top + cell_h),
            left,
            look.width - (left + cell_w - gap),
        );
        let (cap, area) = cell.split_vertically(look.px(58.0));
        // Every cell alike, so the rows of a line of panels sit level with its names.
        let axes = Axes {
            x: &d.x,
            y: &group_rows.span,
            x_label: tick,
            y_label: none,
            x_desc: "",
            y_desc: "",
            x_area: look.px(40.0),
            y_area: look.px(8.0),
        };
        let mut chart = plot(&area, look, &axes)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (cx, cy) = cap.get_base_pixel();
        let room = cx + cell_w - gap - px.start;
        let title_style = look.bold(22.0, &INK);
        label(
            root,
            &fit(root, &panel.name, &title_style, room),
            &title_style,
            (px.start, cy + look.px(14.0)),
            HPos::Left,
            VPos::Center,
        )?;
        let sub = match &panel.interactions {
            Some(e) => {
                let (lo, hi) = e.ci95();
                format!(
                    "Interactions: {} ({} to {})",
                    two(e.value),
                    two(lo),
                    two(hi)
                )
            }
            None => "No variance: indices undefined".to_string(),
        };
        let sub_style = look.text(18.0, &MUTED);
        label(
            root,
            &fit(root, &sub, &sub_style, room),
            &sub_style,
            (px.start, cy + look.px(40.0)),
            HPos::Left,
            VPos::Center,
        )?;
        // The zero line, where an index of no effect ends.
        chart.draw_series(LineSeries::new(
            [(0.0, group_rows.span.lo), (0.0, group_rows.span.hi)],
            look.line(&MUTED, 1.0),
        ))?;
        match &panel.bars {
            Some(bars) => draw_bars(
                root,
                look,
                &mut chart,
                &group_rows.at,
                bars,
                &d.x,
                [first_c, total_c],
            )?,
            None => {
                let at = ((px.start + px.end) / 2, (py.start + py.end) / 2);
                let what = if panel.name == TOTAL_NAME {
                    "the total"
                } else {
                    "this firm"
                };
                boxed(
                    root,
                    &format!("The same in every trial for {what}"),
                    &look.text(20.0, &MUTED),
                    at,
                    HPos::Center,
                    look,
                )?;
            }
        }
        if c == 0 {
            for (g, name) in d.groups.iter().enumerate() {
                let (_, y) = chart.backend_coord(&(0.0, group_rows.at[g]));
                label(
                    root,
                    &fit(root, name, &name_style, name_w - look.px(16.0)),
                    &name_style,
                    (px.start - look.px(10.0), y),
                    HPos::Right,
                    VPos::Center,
                )?;
            }
        }
    }
    Ok(())
}

/// Each group's two bars (first order above, total below its row) with their whiskers, and the
/// values written beside them when the rows leave room.
fn draw_bars(
    root: &Area,
    look: &Look,
    chart: &mut Plot,
    at: &[f64],
    bars: &[[Estimate; 2]],
    x: &Axis,
    colours: [RGBColor; 2],
) -> Drawn {
    let (_, row_px) = {
        let (_, a) = chart.backend_coord(&(0.0, 0.0));
        let (_, b) = chart.backend_coord(&(0.0, 1.0));
        (0, (a - b).abs())
    };
    let value_style = look.text(16.0, &INK);
    let clip = |v: f64| v.clamp(x.lo, x.hi);
    for (g, pair) in bars.iter().enumerate() {
        let y = at[g];
        for (j, e) in pair.iter().enumerate() {
            let (y0, y1) = if j == 0 {
                (y + 0.03, y + 0.38)
            } else {
                (y - 0.38, y - 0.03)
            };
            let v = clip(e.value);
            chart.draw_series([Rectangle::new(
                [(v.min(0.0), y0), (v.max(0.0), y1)],
                colours[j].mix(0.9).filled(),
            )])?;
            let (lo, hi) = e.ci95();
            let mid = (y0 + y1) / 2.0;
            let whisker = look.line(&INK, 1.5);
            chart.draw_series(LineSeries::new([(clip(lo), mid), (clip(hi), mid)], whisker))?;
            for end in [lo, hi] {
                if (x.lo..=x.hi).contains(&end) {
                    chart.draw_series(LineSeries::new(
                        [(end, mid - 0.1), (end, mid + 0.1)],
                        whisker,
                    ))?;
                }
            }
            if row_px >= look.px(40.0) {
                let (ex, ey) = chart.backend_coord(&(clip(hi.max(e.value)), mid));
                label(
                    root,
                    &two(e.value),
                    &value_style,
                    (ex + look.px(6.0), ey),
                    HPos::Left,
                    VPos::Center,
                )?;
            }
        }
    }
    Ok(())
}

/// The legend: the two bars' colours and what they are.
fn draw_legend(root: &Area, look: &Look, legend: &Area, first: RGBColor, total: RGBColor) -> Drawn {
    swatch_legend(
        root,
        look,
        legend.get_base_pixel(),
        &[
            ("first-order index: the group alone", first),
            ("total index: the group with its interactions", total),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::importance_out::example;

    fn info() -> RunInfo {
        let s = crate::scenario::parse(
            std::path::Path::new("t.toml"),
            b"name = \"t\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n[approval]\n\
              probability = 0.5\nbatch = 10\n[[firm]]\nname = \"A\"\norders = 5\n",
            &[],
        )
        .unwrap();
        RunInfo::new(&s, 1000, 7)
    }

    #[test]
    fn groups_follow_the_totals_total_index_and_the_axis_widens_for_intervals() {
        let mut imp = example();
        let d = importance_chart(&info(), &imp);
        assert_eq!(d.groups, ["orders", "approval", "batch"]);
        assert_eq!(d.panels.len(), 3);
        assert_eq!(d.panels[2].name, TOTAL_NAME);
        assert_eq!(d.panels[1].bars, None, "B never varied");
        let a = d.panels[0].bars.as_ref().unwrap();
        assert_eq!(
            (a[0][0].value, a[0][1].value),
            (0.1, 0.15),
            "A's orders in the total's order"
        );
        // A's batch interval reaches below 0: the axis starts at −0.2.
        assert_eq!((d.x.lo, d.x.hi), (-0.2, 1.0));
        assert_eq!(d.hidden_groups, 0);
        assert!(
            d.run_line
                .contains("1,000 base trials × (3 groups + 2) = 5,000 trials · seed 7")
        );
        // Past MAX_GROUPS the smallest are left to importance.csv.
        let many = MAX_GROUPS + 3;
        imp.factors = vec![imp.factors[0]; many];
        imp.factor_names = (0..many).map(|k| format!("g{k}")).collect();
        for o in imp.estimates.iter_mut().flatten() {
            o.first_order = (0..many)
                .map(|k| Estimate {
                    value: k as f64 / 100.0,
                    se: 0.0,
                })
                .collect();
            o.total = o.first_order.clone();
        }
        let d = importance_chart(&info(), &imp);
        assert_eq!(d.groups.len(), MAX_GROUPS);
        assert_eq!(d.groups[0], format!("g{}", many - 1));
        assert_eq!(d.hidden_groups, 3);
        assert_eq!((d.x.lo, d.x.hi), (0.0, 1.0));
    }

    #[test]
    fn the_chart_draws() {
        let pngs = render_importance(
            &info(),
            &example(),
            &ChartOptions {
                width: 800,
                height: 500,
            },
        )
        .unwrap();
        assert_eq!(pngs.len(), 1);
        assert_eq!(pngs[0].0, "importance.png");
        assert!(pngs[0].1.starts_with(b"\x89PNG"));
    }
}
