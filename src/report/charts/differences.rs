//! differences.png: per scenario after the first, the paired difference in unmet demand against
//! the first, per firm and in total, with its 95% interval; a panel per scenario, all on one
//! scale, each value printed on its row.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::{self, DiffEntry, Differences};
use super::data;
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, REFERENCE, boxed, colour, draw_names, fit_labels,
    frame_wrapped, label, names_width, none, plot, rows, width_of,
};
use crate::report::format::{self, signed_tick, signed_units};

/// differences.png: per scenario after the first, the paired difference in unmet demand per firm
/// and in total, with its 95% interval, every panel on the same axis.
pub fn paint(root: &Area, look: &Look, d: &Differences) -> Drawn {
    let diffs = &d.panels;
    let firms = d.series.len() - 1;
    let shown = diffs.len();
    let cols = compare::diff_columns(shown) as i32;
    let prow = (shown as i32 + cols - 1) / cols;
    let gap = look.px(30.0);
    let names = d.series.clone();
    let colours = (0..=firms)
        .map(|f| colour(data::series_colour(f, firms)))
        .collect();
    let rows = rows(names, colours, true);
    let name_w = names_width(root, look, &rows.names);
    let pw = (look.width - look.px(60.0) - name_w - gap * (cols - 1)) / cols;
    let cap_style = look.bold(22.0, &INK);
    let labels: Vec<String> = diffs.iter().map(|p| p.label.clone()).collect();
    let titles = fit_labels(root, &labels, &cap_style, pw - look.px(40.0));
    let same = if shown > 1 {
        "; every panel on the same scale"
    } else {
        ""
    };
    let mut note = format!(
        "Dot: mean over trials of (scenario − reference) in the same trial; line: its 95% interval{same}. Right of 0: more demand left unmet."
    );
    if d.points > shown {
        note = format!("First {shown} of {} scenarios. {note}", d.points);
    }
    if d.different_firms {
        note += " The scenarios list different firms: one listed on one side only has no \
                 difference, and each total is over its own scenario's firms.";
    }
    if titles.numbered {
        note += &format!(" {}", compare::key_note("Scenarios", &labels));
    }
    let body = frame_wrapped(
        root,
        look,
        &format!(
            "Unmet demand of each scenario minus \"{}\", trial by trial",
            d.reference
        ),
        &note,
        &d.run_line,
        3,
    )?;
    let (_, area) = body.split_horizontally(name_w);
    let (_, ah) = area.dim_in_pixel();
    let ph = ah as i32 / prow.max(1);
    let value_style = look.bold(19.0, &INK);
    let unpaired_style = look.text(19.0, &MUTED);
    for (i, p) in diffs.iter().enumerate() {
        let (r, col) = (i as i32 / cols, i as i32 % cols);
        let panel = area.clone().shrink((col * (pw + gap), r * ph), (pw, ph));
        let (cap, panel) = panel.split_vertically(look.px(40.0));
        let axes = Axes {
            x: &d.axis,
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
        let (px, _) = chart.plotting_area().get_pixel_range();
        let paired = p
            .rows
            .iter()
            .enumerate()
            .filter_map(|(f, e)| Some((f, e.paired()?)));
        for (f, row) in paired.clone() {
            let y = rows.at[f];
            let whisker = look.line(&INK, 2.5);
            chart.draw_series(LineSeries::new([(row.lo, y), (row.hi, y)], whisker))?;
            for end in [row.lo, row.hi] {
                chart.draw_series(LineSeries::new([(end, y - 0.18), (end, y + 0.18)], whisker))?;
            }
            chart.draw_series([Circle::new(
                (row.mean, y),
                look.px(8.0),
                rows.colours[f].filled(),
            )])?;
        }
        // Each value on its own row, beside its interval on the side away from 0 (right of a
        // positive one), or on the other side when that has more room.
        for (f, row) in paired {
            let y = rows.at[f];
            let (hx, hy) = chart.backend_coord(&(row.hi, y));
            let (lx, _) = chart.backend_coord(&(row.lo, y));
            let text = format!(
                "{} (±{})",
                signed_units(row.mean),
                format::units_label((row.hi - row.lo) / 2.0)
            );
            let w = width_of(root, &text, &value_style);
            let space = look.px(14.0);
            // Past the dot's edge even when the interval is narrower than the dot.
            let right = hx.max(lx + look.px(8.0)) + space;
            let left = lx.min(hx - look.px(8.0)) - space;
            let (right_room, left_room) = (px.end - right, left - px.start);
            let go_right = if row.mean >= 0.0 {
                right_room >= w || right_room >= left_room
            } else {
                left_room < w && right_room > left_room
            };
            let (at, h) = if go_right {
                (right, HPos::Left)
            } else {
                (left, HPos::Right)
            };
            boxed(root, &text, &value_style, (at, hy), h, look)?;
        }
        // A firm with nothing to pair: said on its row, beside 0, with no dot (never a zero).
        for (f, entry) in p.rows.iter().enumerate() {
            if let DiffEntry::Unpaired(why) = entry {
                let (zx, y) = chart.backend_coord(&(0.0, rows.at[f]));
                let w = width_of(root, why, &unpaired_style);
                let space = look.px(14.0);
                let (at, h) = if px.end - (zx + space) >= w || zx - px.start < w {
                    (zx + space, HPos::Left)
                } else {
                    (zx - space, HPos::Right)
                };
                label(root, why, &unpaired_style, (at, y), h, VPos::Center)?;
            }
        }
        let (_, cy) = cap.get_base_pixel();
        label(
            root,
            &titles.labels[i],
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
