//! unmet.png: the distribution of unmet demand, one small multiple per firm.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, LineLabel, UnmetChart};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, boxed, colour, fit, frame_notes, label, none, plot,
    width_of,
};
use crate::report::format;

/// unmet.png: one small multiple per firm of the distribution of unmet demand, every panel on
/// the same x and y axes, with the median and the 95th percentile marked.
pub fn paint(root: &Area, look: &Look, d: &UnmetChart) -> Drawn {
    let firms = d.panels.len();
    let mut notes = vec![
        "Bars: share of trials in each range of unmet demand, on the same scales in every panel. \
         Solid line: median (p50); dashed line: 1-in-20 worst case (p95).",
    ];
    notes.extend(d.alike.as_deref());
    let body = frame_notes(
        root,
        look,
        "Unmet demand by firm: how far short of its orders each firm ends",
        &notes,
        &d.run_line,
    )?;
    let tail = d.tail;
    let cols = if firms > 4 { 2 } else { 1 };
    let rows = firms.div_ceil(cols).max(1);
    let x = data::units_axis(tail, if cols == 2 { 5 } else { 8 });
    let (bw, bh) = body.dim_in_pixel();
    let (bw, bh) = (bw as i32, bh as i32);
    let gap = look.px(40.0);
    let x_area = look.px(86.0);
    let caption = look.px(40.0);
    let panel_h = (bh - x_area) / rows as i32;
    let panel_w = (bw - gap * (cols as i32 - 1)) / cols as i32;
    let bins = (panel_w / look.px(14.0).max(4)).clamp(12, 80) as usize;
    let (bars, y) = data::unmet_bars(d, &x, bins);
    // One rotated description for every panel's y axis, in a strip on the left.
    let strip = look.px(34.0);
    let desc = look.text(22.0, &MUTED).transform(FontTransform::Rotate270);
    let (bx, by) = body.get_base_pixel();
    label(
        root,
        "share of trials per bar",
        &desc,
        (bx, by + (bh - x_area) / 2),
        HPos::Center,
        VPos::Top,
    )?;
    for (f, firm) in d.panels.iter().enumerate() {
        let (row, col) = ((f / cols) as i32, (f % cols) as i32);
        let bottom_row = row as usize == rows - 1 || (f + cols >= firms);
        let left = col * (panel_w + gap) + if col == 0 { strip } else { 0 };
        // Rows after the first start lower, so each caption sits with its own panel.
        let pad = if row > 0 { look.px(14.0) } else { 0 };
        let top = row * panel_h + pad;
        let height = panel_h - pad + if bottom_row { x_area } else { 0 };
        let width = panel_w - if col == 0 { strip } else { 0 };
        let panel = body.clone().shrink((left, top), (width, height));
        let shares = &bars[f];
        let (cap, rest) = panel.split_vertically(caption);
        let axes = Axes {
            x: &x,
            y: &y,
            x_label: if bottom_row { format::units_tick } else { none },
            y_label: format::percent_tick,
            x_desc: if bottom_row {
                "Unmet demand (units; k = thousand)"
            } else {
                ""
            },
            y_desc: "",
            x_area: if bottom_row { x_area } else { 0 },
            y_area: look.px(76.0),
        };
        let mut chart = plot(&rest, look, &axes)?;
        let c = colour(data::firm_colour(f));
        let width_bin = (x.hi - x.lo) / bins as f64;
        chart.draw_series(
            shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(i, s)| {
                    let x0 = x.lo + i as f64 * width_bin;
                    Rectangle::new([(x0, 0.0), (x0 + width_bin, *s)], c.mix(0.85).filled())
                }),
        )?;
        // Caption: swatch, firm name, and the mean (and how often the firm is fully served).
        let (_, cy) = cap.get_base_pixel();
        let (px_range, _) = chart.plotting_area().get_pixel_range();
        let x0 = px_range.start;
        let mid = cy + caption / 2;
        let sw = look.px(16.0);
        root.draw(&Rectangle::new(
            [(x0, mid - sw / 2), (x0 + sw, mid + sw / 2)],
            c.filled(),
        ))?;
        let zero = firm.fully_served;
        let mut stats = format!("mean {}", format::units_label(firm.mean));
        if zero >= 0.005 {
            stats += &format!(
                " · fully served in {} of trials",
                format::percent_label(zero)
            );
        }
        let stat_style = look.text(21.0, &MUTED);
        let right = px_range.end;
        let stat_w = width_of(root, &stats, &stat_style);
        let name_style = look.bold(24.0, &INK);
        let room = right - x0 - sw - look.px(8.0) - stat_w - look.px(16.0);
        label(
            root,
            &fit(root, &firm.name, &name_style, room),
            &name_style,
            (x0 + sw + look.px(8.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        label(
            root,
            &stats,
            &stat_style,
            (right, mid),
            HPos::Right,
            VPos::Center,
        )?;
        // Lines first, then their labels, each placed beside its own line where that covers no
        // other line or label (data::place_line_labels); the median's prefers the left, the
        // p95's the right.
        let (_, py) = chart.plotting_area().get_pixel_range();
        let tag = look.bold(20.0, &INK);
        let pad = look.px(4.0);
        let marks: Vec<(&str, f64, bool)> = [("p50", firm.p50, false), ("p95", firm.p95, true)]
            .into_iter()
            .filter(|&(_, v, _)| v.is_finite() && v <= x.hi)
            .collect();
        for &(_, v, dashed) in &marks {
            let line = [(v, y.lo), (v, y.hi)];
            if dashed {
                chart.draw_series(DashedLineSeries::new(
                    line,
                    look.px(8.0),
                    look.px(6.0),
                    look.line(&INK, 2.5),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(line, look.line(&INK, 2.5)))?;
            }
        }
        let texts: Vec<String> = marks
            .iter()
            .map(|(name, v, _)| format!("{name} {}", format::units_label(*v)))
            .collect();
        let wanted: Vec<LineLabel> = marks
            .iter()
            .zip(&texts)
            .map(|(&(_, v, dashed), text)| LineLabel {
                line: f64::from(chart.backend_coord(&(v, y.hi)).0),
                width: f64::from(width_of(root, text, &tag) + 2 * pad),
                right_first: dashed,
            })
            .collect();
        let placed = data::place_line_labels(
            &wanted,
            f64::from(px_range.start),
            f64::from(px_range.end),
            f64::from(look.px(4.0)),
            2,
        );
        for ((text, want), spot) in texts.iter().zip(&wanted).zip(&placed) {
            let ty = py.start + look.px(14.0) + spot.row as i32 * look.px(28.0);
            let left = spot.left.round() as i32;
            if !spot.beside {
                // A leader from the line to the label, which sits past the lines in the way.
                let x0 = want.line.round() as i32;
                let x1 = if f64::from(left) > want.line {
                    left
                } else {
                    spot.right.round() as i32
                };
                root.draw(&PathElement::new(
                    vec![(x0, ty), (x1, ty)],
                    look.line(&INK, 1.5),
                ))?;
            }
            boxed(root, text, &tag, (left + pad, ty), HPos::Left, look)?;
        }
    }
    Ok(())
}
