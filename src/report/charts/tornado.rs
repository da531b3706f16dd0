//! tornado.png: how far each knob of a sensitivity run moves mean total unmet demand, from its
//! low to its high value, around the scenario's own: the axis is the change from the scenario's
//! mean, so every bar starts at its 0.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::Tornado;
use super::data;
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, boxed, colour, draw_names, fit, frame_wrapped, label,
    names_width, none, plot, rows, swatch_legend, width_of, wrap_to,
};
use crate::report::format;

/// tornado.png: each knob's low and high mean total unmet demand as bars from the reference's,
/// on an axis of the change from it, ranked by swing.
pub fn paint(root: &Area, look: &Look, t: &Tornado) -> Drawn {
    let (swings, reference) = (&t.swings, t.reference);
    // What a knob's two values share is left out of their labels and said here.
    let shared: String = swings
        .iter()
        .zip(&t.values)
        .filter(|(_, v)| !v.common.is_empty())
        .map(|(s, v)| format!(" Both values of {} have {}.", s.knob, v.common))
        .collect();
    let body = frame_wrapped(
        root,
        look,
        "Which knob moves total unmet demand most",
        &format!(
            "Each knob moved to its low and high value, all others as in the scenario; each bar runs from the scenario's mean (0 on the axis) to the mean with the knob moved. Largest swing at the top.{shared}"
        ),
        &t.run_line,
        3,
    )?;
    let low_c = colour(data::firm_colour(0));
    let high_c = colour(data::firm_colour(1));
    let (legend, body) = body.split_vertically(look.px(44.0));
    let names: Vec<String> = swings.iter().map(|s| s.knob.clone()).collect();
    let n = swings.len();
    let rows = rows(names, vec![INK; n], false);
    let range_style = look.text(19.0, &MUTED);
    let ranges: Vec<String> = t
        .values
        .iter()
        .map(|v| format!("{} → {}", v.labels[0], v.labels[1]))
        .collect();
    let name_w = names_width(root, look, &rows.names).max(
        ranges
            .iter()
            .map(|r| width_of(root, r, &range_style))
            .max()
            .unwrap_or(0)
            .min(root.dim_in_pixel().0 as i32 / 3)
            + look.px(24.0),
    );
    let (_, area) = body.split_horizontally(name_w);
    let x_desc = format!(
        "Change in mean total unmet demand from the scenario's {} (units; k = thousand)",
        format::units_label(reference)
    );
    let axes = Axes {
        x: &t.axis,
        y: &rows.span,
        x_label: format::signed_tick,
        y_label: none,
        x_desc: &x_desc,
        y_desc: "",
        x_area: look.px(86.0),
        y_area: look.px(12.0),
    };
    let mut chart = plot(&area, look, &axes)?;
    let value_style = look.bold(19.0, &INK);
    for (i, s) in swings.iter().enumerate() {
        let y = rows.at[i];
        for (mean, value, c_v, upper) in [
            (s.low_mean, &t.values[i].labels[0], low_c, true),
            (s.high_mean, &t.values[i].labels[1], high_c, false),
        ] {
            let (y0, y1) = if upper {
                (y + 0.02, y + 0.34)
            } else {
                (y - 0.34, y - 0.02)
            };
            let change = t.change(mean);
            chart.draw_series([Rectangle::new(
                [(change.min(0.0), y0), (change.max(0.0), y1)],
                c_v.mix(0.9).filled(),
            )])?;
            let (ex, ey) = chart.backend_coord(&(change, (y0 + y1) / 2.0));
            // A long value (a distribution) is named by the legend's colour alone.
            let named = if value.chars().count() <= 14 {
                format!("{value}: ")
            } else {
                String::new()
            };
            let text = format!(
                "{named}{} ({})",
                format::units_label(mean),
                format::signed_units(change)
            );
            let (at, h) = if change < 0.0 {
                (ex - look.px(8.0), HPos::Right)
            } else {
                (ex + look.px(8.0), HPos::Left)
            };
            label(root, &text, &value_style, (at, ey), h, VPos::Center)?;
        }
    }
    chart.draw_series(DashedLineSeries::new(
        [(0.0, rows.span.lo), (0.0, rows.span.hi)],
        look.px(10.0),
        look.px(6.0),
        look.line(&INK, 2.0),
    ))?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    draw_names(
        root,
        look,
        &chart,
        &rows,
        px.start - look.px(14.0),
        name_w - look.px(20.0),
    )?;
    // Each knob's range under its name, on two lines when one is too narrow for it.
    for (i, range) in ranges.iter().enumerate() {
        let (_, ry) = chart.backend_coord(&(0.0, rows.at[i]));
        let room = name_w - look.px(20.0);
        for (l, line) in wrap_to(root, range, &range_style, room, 2)
            .iter()
            .enumerate()
        {
            label(
                root,
                &fit(root, line, &range_style, room),
                &range_style,
                (
                    px.start - look.px(14.0),
                    ry + look.px(26.0 + 23.0 * l as f64),
                ),
                HPos::Right,
                VPos::Center,
            )?;
        }
    }
    let (rx, _) = chart.backend_coord(&(0.0, 0.0));
    boxed(
        root,
        &format!("scenario: {}", format::units_label(reference)),
        &look.bold(19.0, &INK),
        (rx, py.start + look.px(12.0)),
        HPos::Center,
        look,
    )?;
    // Legend.
    let (lx, ly) = legend.get_base_pixel();
    swatch_legend(
        root,
        look,
        (lx.max(px.start), ly),
        &[
            ("knob at its low value", low_c),
            ("knob at its high value", high_c),
        ],
    )
}
