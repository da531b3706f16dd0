//! deliveries.png: the fan of cumulative deliveries to all firms, round by round.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, Axis, DeliveriesChart, Spread};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, boxed, colour, frame, label, plot, width_of,
};
use crate::report::format;

/// deliveries.png: the fan of cumulative total deliveries by round against mean total orders.
pub fn paint(root: &Area, look: &Look, d: &DeliveriesChart) -> Drawn {
    let body = frame(
        root,
        look,
        "Cumulative deliveries to all firms, round by round",
        "Bands: middle 50% and middle 90% of trials; line: median. Under each round: share of trials in which it approved a batch.",
        &d.run_line,
    )?;
    let fan = &d.fan;
    let orders = d.orders;
    let top = fan.iter().map(|r| r.spread.p95).fold(orders, f64::max);
    let y = data::units_axis(top * 1.08, 6);
    let rounds = fan.len() as f64;
    let x = Axis {
        lo: -0.15,
        hi: rounds + 0.25,
        step: 1.0,
        ticks: (0..=fan.len()).map(|r| r as f64).collect(),
    };
    // Legend row above the plot.
    let (legend, plot_area) = body.split_vertically(look.px(44.0));
    let blue = colour(data::firm_colour(0));
    // With many rounds the labels shorten ("R12", "59%") rather than run into each other.
    let (bw, _) = plot_area.dim_in_pixel();
    let spacing = (bw as i32 - look.px(140.0)) / (fan.len() as i32 + 1);
    let approval_style = look.text(19.0, &MUTED);
    let cramped = width_of(root, "Round 10", &look.text(21.0, &INK)) + look.px(12.0) > spacing;
    let long_approval =
        width_of(root, "approved in 100%", &approval_style) + look.px(12.0) <= spacing;
    let round_label: fn(f64, f64) -> String = if cramped {
        |v, _| {
            if v == 0.0 {
                "0".to_string()
            } else {
                format!("R{v:.0}")
            }
        }
    } else {
        |v, _| {
            if v == 0.0 {
                "start".to_string()
            } else {
                format!("Round {v:.0}")
            }
        }
    };
    let axes = Axes {
        x: &x,
        y: &y,
        x_label: round_label,
        y_label: format::units_tick,
        x_desc: "",
        y_desc: "Delivered so far, all firms (units; k = thousand)",
        x_area: look.px(80.0),
        y_area: look.px(120.0),
    };
    let mut chart = plot(&plot_area, look, &axes)?;
    let mut points: Vec<(f64, Spread)> = vec![(
        0.0,
        Spread {
            mean: 0.0,
            p5: 0.0,
            p25: 0.0,
            p50: 0.0,
            p75: 0.0,
            p95: 0.0,
        },
    )];
    points.extend(fan.iter().map(|r| (r.round as f64, r.spread)));
    let band = |lo: fn(&Spread) -> f64, hi: fn(&Spread) -> f64| -> Vec<(f64, f64)> {
        let mut poly: Vec<(f64, f64)> = points.iter().map(|(r, s)| (*r, hi(s))).collect();
        poly.extend(points.iter().rev().map(|(r, s)| (*r, lo(s))));
        poly
    };
    chart.draw_series([Polygon::new(
        band(|s| s.p5, |s| s.p95),
        blue.mix(0.18).filled(),
    )])?;
    chart.draw_series([Polygon::new(
        band(|s| s.p25, |s| s.p75),
        blue.mix(0.38).filled(),
    )])?;
    chart.draw_series(DashedLineSeries::new(
        [(x.lo, orders), (x.hi, orders)],
        look.px(12.0),
        look.px(8.0),
        look.line(&INK, 2.5),
    ))?;
    let (ox, oy) = chart.backend_coord(&(0.0, orders));
    label(
        root,
        &format!("mean total orders {}", format::units_label(orders)),
        &look.bold(21.0, &INK),
        (ox, oy - look.px(8.0)),
        HPos::Left,
        VPos::Bottom,
    )?;
    chart.draw_series(LineSeries::new(
        points.iter().map(|(r, s)| (*r, s.p50)),
        look.line(&blue, 4.0),
    ))?;
    chart.draw_series(
        points
            .iter()
            .skip(1)
            .map(|(r, s)| Circle::new((*r, s.p50), look.px(7.0), blue.filled())),
    )?;
    let value_style = look.bold(21.0, &INK);
    let right_end = look.width - look.px(8.0);
    for (r, s) in points.iter().skip(1) {
        let (px, py) = chart.backend_coord(&(*r, s.p50));
        let text = format::units_label(s.p50);
        // Below-right of the point, or above-left where that would run off the chart.
        let (at, h) = if px + look.px(16.0) + width_of(root, &text, &value_style) <= right_end {
            ((px + look.px(12.0), py + look.px(20.0)), HPos::Left)
        } else {
            ((px - look.px(12.0), py - look.px(20.0)), HPos::Right)
        };
        boxed(root, &text, &value_style, at, h, look)?;
    }
    let (_, py) = chart.plotting_area().get_pixel_range();
    for r in fan {
        let (px, _) = chart.backend_coord(&(r.round as f64, 0.0));
        let share = format::percent_label(r.approved);
        let text = if long_approval {
            format!("approved in {share}")
        } else {
            share
        };
        label(
            root,
            &text,
            &approval_style,
            (px, py.end + look.px(44.0)),
            HPos::Center,
            VPos::Top,
        )?;
    }
    // Legend entries: what each band and line is.
    let (lx, ly) = legend.get_base_pixel();
    let (px, _) = chart.plotting_area().get_pixel_range();
    let mut at = px.start.max(lx);
    let mid = ly + look.px(18.0);
    let sw = look.px(30.0);
    let style = look.text(21.0, &INK);
    let entries: [(&str, u8); 4] = [
        ("5–95% of trials", 0),
        ("25–75%", 1),
        ("median", 2),
        ("mean total orders", 3),
    ];
    for (text, kind) in entries {
        match kind {
            0 | 1 => {
                let alpha = if kind == 0 { 0.18 } else { 0.38 };
                root.draw(&Rectangle::new(
                    [(at, mid - look.px(10.0)), (at + sw, mid + look.px(10.0))],
                    blue.mix(alpha).filled(),
                ))?
            }
            2 => root.draw(&PathElement::new(
                vec![(at, mid), (at + sw, mid)],
                look.line(&blue, 4.0),
            ))?,
            _ => root.draw(&PathElement::new(
                vec![(at, mid), (at + look.px(12.0), mid)],
                look.line(&INK, 2.5),
            ))?,
        }
        if kind == 3 {
            root.draw(&PathElement::new(
                vec![(at + look.px(18.0), mid), (at + sw, mid)],
                look.line(&INK, 2.5),
            ))?;
        }
        label(
            root,
            text,
            &style,
            (at + sw + look.px(8.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        at += sw + look.px(8.0) + width_of(root, text, &style) + look.px(32.0);
    }
    Ok(())
}
