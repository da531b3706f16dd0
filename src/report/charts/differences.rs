//! differences.png: per scenario after the first, the paired difference in unmet demand against
//! the first, per firm and in total, with its 95% interval; a panel per scenario.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::{Differences, value_axis};
use super::data;
use super::kit::{
    Area, Axes, Drawn, INK, Look, REFERENCE, colour, draw_names, fit, frame, label, names_width,
    none, plot, rows, width_of,
};
use crate::report::format::{self, signed_tick, signed_units};

/// Points beyond which the paired-difference chart would be unreadable (it draws the first ones).
const DIFF_PANELS_MAX: usize = 6;

/// differences.png: per scenario after the first, the paired difference in unmet demand per firm
/// and in total, with its 95% interval.
pub fn paint(root: &Area, look: &Look, d: &Differences) -> Drawn {
    let diffs = &d.panels;
    let firms = d.series.len() - 1;
    let shown = diffs.len().min(DIFF_PANELS_MAX);
    let mut note = "Dot: mean over trials of (scenario − reference) in the same trial; line: its 95% interval. Right of 0: more demand left unmet.".to_string();
    if diffs.len() > shown {
        note = format!("First {shown} of {} scenarios. {note}", diffs.len());
    }
    let body = frame(
        root,
        look,
        &format!("Unmet demand against \"{}\", trial by trial", d.reference),
        &note,
        &d.run_line,
    )?;
    let names = d.series.clone();
    let colours = (0..=firms)
        .map(|f| colour(data::series_colour(f, firms)))
        .collect();
    let rows = rows(names, colours, true);
    let name_w = names_width(root, look, &rows.names);
    let (_, area) = body.split_horizontally(name_w);
    let cols = shown.min(3) as i32;
    let prow = (shown as i32 + cols - 1) / cols;
    let (aw, ah) = area.dim_in_pixel();
    let gap = look.px(30.0);
    let pw = (aw as i32 - gap * (cols - 1)) / cols;
    let ph = ah as i32 / prow;
    let value_style = look.bold(19.0, &INK);
    for (i, p) in diffs.iter().take(shown).enumerate() {
        let rows_p = &p.rows;
        let (r, col) = (i as i32 / cols, i as i32 % cols);
        let panel = area.clone().shrink((col * (pw + gap), r * ph), (pw, ph));
        let (cap, panel) = panel.split_vertically(look.px(40.0));
        let lo = rows_p.iter().map(|d| d.lo).fold(0.0, f64::min);
        let hi = rows_p.iter().map(|d| d.hi).fold(0.0, f64::max);
        let x = value_axis(lo, hi, if cols > 1 { 4 } else { 6 }, 0.14);
        let axes = Axes {
            x: &x,
            y: &rows.span,
            x_label: signed_tick,
            y_label: none,
            x_desc: if cols > 1 {
                "Δ unmet demand (k = thousand units)"
            } else {
                "Difference in unmet demand (units; k = thousand)"
            },
            y_desc: "",
            x_area: look.px(86.0),
            y_area: look.px(12.0),
        };
        let mut chart = plot(&panel, look, &axes)?;
        chart.draw_series(DashedLineSeries::new(
            [(0.0, rows.span.lo), (0.0, rows.span.hi)],
            look.px(10.0),
            look.px(6.0),
            look.line(&REFERENCE, 2.0),
        ))?;
        for (f, d) in rows_p.iter().enumerate() {
            let y = rows.at[f];
            let whisker = look.line(&INK, 2.5);
            chart.draw_series(LineSeries::new([(d.lo, y), (d.hi, y)], whisker))?;
            for end in [d.lo, d.hi] {
                chart.draw_series(LineSeries::new([(end, y - 0.18), (end, y + 0.18)], whisker))?;
            }
            chart.draw_series([Circle::new(
                (d.mean, y),
                look.px(8.0),
                rows.colours[f].filled(),
            )])?;
            let (hx, hy) = chart.backend_coord(&(d.hi, y));
            let (lx, _) = chart.backend_coord(&(d.lo, y));
            let (px, _) = chart.plotting_area().get_pixel_range();
            let text = format!(
                "{} (±{})",
                signed_units(d.mean),
                format::units_label((d.hi - d.lo) / 2.0)
            );
            let w = width_of(root, &text, &value_style);
            let (at, h) = if hx + look.px(10.0) + w <= px.end {
                (hx + look.px(10.0), HPos::Left)
            } else {
                (lx - look.px(10.0), HPos::Right)
            };
            label(
                root,
                &text,
                &value_style,
                (at, hy - look.px(16.0)),
                h,
                VPos::Center,
            )?;
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        let (_, cy) = cap.get_base_pixel();
        let cap_style = look.bold(22.0, &INK);
        label(
            root,
            &fit(
                root,
                &format!("{} − {}", p.label, d.reference),
                &cap_style,
                px.end - px.start,
            ),
            &cap_style,
            (px.start, cy + look.px(20.0)),
            HPos::Left,
            VPos::Center,
        )?;
        if col == 0 {
            draw_names(
                root,
                look,
                &chart,
                &rows,
                px.start - look.px(14.0),
                name_w - look.px(20.0),
            )?;
        }
    }
    Ok(())
}
