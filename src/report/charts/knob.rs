//! `sweep-<knob>.png`: unmet demand at each value of a swept knob, as lines and bands against the
//! value when the knob is numeric, else as box plots per value, per firm and in total.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::{self, KnobChart, KnobScale};
use super::data::{self, Axis, Spread};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, Plot, boxed, colour, fit, fit_labels, frame_wrapped,
    label, none, panel_title, plot, width_of,
};
use crate::report::format::{self, signed_units, value_tick};

/// `sweep-<knob>.png`: lines over the values of a numeric knob (whole-number ticks for a
/// whole-number knob), box plots for a categorical one.
pub fn paint(root: &Area, look: &Look, k: &KnobChart) -> Drawn {
    match &k.scale {
        KnobScale::Numbers { xs, axis, integer } => knob_lines(root, look, k, xs, axis, *integer),
        KnobScale::Categories => knob_boxes(root, look, k),
    }
}

/// "Other knobs held at: a = 1, b = x." for a sweep of several knobs.
fn held_note(k: &KnobChart) -> String {
    if k.held.is_empty() {
        String::new()
    } else {
        let held: Vec<String> = k
            .held
            .iter()
            .map(|(key, v)| format!("{key} = {v}"))
            .collect();
        format!(" Other knobs at their first value: {}.", held.join(", "))
    }
}

/// sweep-<knob>.png for a numeric knob: mean and 5–95% band of unmet demand against the value,
/// for the total (left) and each firm (right), with a legend of the firms.
fn knob_lines(
    root: &Area,
    look: &Look,
    k: &KnobChart,
    xs: &[f64],
    x: &Axis,
    integer: bool,
) -> Drawn {
    let firms = k.series.len() - 1;
    let whole = if integer {
        " The knob takes whole values only: lines join the values run."
    } else {
        ""
    };
    let note = format!(
        "Line: mean over trials; band: 5th–95th percentile (90% of trials).{whole}{}",
        held_note(k)
    );
    let body = frame_wrapped(
        root,
        look,
        &format!("Unmet demand as {} changes", k.key),
        &note,
        &k.run_line,
        3,
    )?;
    let (bw, _) = body.dim_in_pixel();
    let bw = bw as i32;
    let legend_w = (bw as f64 * 0.22) as i32;
    let (plots, legend_area) = body.split_horizontally(bw - legend_w);
    let total_w = ((bw - legend_w) as f64 * 0.44) as i32;
    let (total_area, firm_area) = plots.split_horizontally(total_w);
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let (lo, hi) = (xs[order[0]], xs[order[order.len() - 1]]);
    let panels: [(&Area, Vec<usize>, &str); 2] = [
        (&total_area, vec![firms], "All firms (total)"),
        (&firm_area, (0..firms).collect(), "Each firm"),
    ];
    for (i, (area, series, title)) in panels.into_iter().enumerate() {
        let (cap, area) = area.split_vertically(look.px(40.0));
        let top = series
            .iter()
            .flat_map(|&f| k.spreads[f].iter().map(|s| s.p95.max(s.mean)))
            .fold(0.0, f64::max);
        let y = data::units_axis(top * 1.08, 6);
        let axes = Axes {
            x,
            y: &y,
            x_label: value_tick,
            y_label: format::units_tick,
            x_desc: &k.key,
            y_desc: if i == 0 {
                "Unmet demand (units; k = thousand)"
            } else {
                ""
            },
            x_area: look.px(86.0),
            y_area: look.px(if i == 0 { 110.0 } else { 90.0 }),
        };
        let mut chart = plot(&area, look, &axes)?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        panel_title(root, look, &cap, px.start, title)?;
        let alpha = if i == 0 { 0.2 } else { 0.06 };
        for &f in &series {
            let c_f = colour(data::series_colour(f, firms));
            let s = &k.spreads[f];
            let mut band: Vec<(f64, f64)> = order.iter().map(|&j| (xs[j], s[j].p95)).collect();
            band.extend(order.iter().rev().map(|&j| (xs[j], s[j].p5)));
            chart.draw_series([Polygon::new(band, c_f.mix(alpha).filled())])?;
            if i > 0 {
                // Edges keep each firm's band traceable where the bands overlap.
                for edge in [|s: &Spread| s.p5, |s: &Spread| s.p95] {
                    chart.draw_series(LineSeries::new(
                        order.iter().map(|&j| (xs[j], edge(&s[j]))),
                        c_f.mix(0.45).stroke_width(look.px(1.5) as u32),
                    ))?;
                }
            }
        }
        for &f in &series {
            let c_f = colour(data::series_colour(f, firms));
            let s = &k.spreads[f];
            chart.draw_series(LineSeries::new(
                order.iter().map(|&j| (xs[j], s[j].mean)),
                look.line(&c_f, 3.5),
            ))?;
            chart.draw_series(
                order
                    .iter()
                    .map(|&j| Circle::new((xs[j], s[j].mean), look.px(6.0), c_f.filled())),
            )?;
        }
        if i == 0 {
            // The total's mean at each value, above its point.
            let s = &k.spreads[firms];
            let style = look.bold(19.0, &INK);
            // Left to right, skipping a label that would overlap the one before it.
            let mut free_from = i32::MIN;
            for &j in &order {
                let text = format::units_label(s[j].mean);
                let (lx, ly) = chart.backend_coord(&(xs[j], s[j].mean));
                let w = width_of(root, &text, &style) + look.px(12.0);
                if lx - w / 2 < free_from {
                    continue;
                }
                free_from = lx + w / 2;
                boxed(
                    root,
                    &text,
                    &style,
                    (lx, ly - look.px(22.0)),
                    HPos::Center,
                    look,
                )?;
            }
        }
    }
    // Legend: each series with its mean at the lowest and highest value.
    let (lx, ly) = legend_area.get_base_pixel();
    let lx = lx + look.px(20.0);
    let room = legend_w - look.px(20.0) - look.px(44.0);
    let name_style = look.bold(21.0, &INK);
    let value_style = look.text(19.0, &MUTED);
    label(
        root,
        &fit(
            root,
            &format!(
                "Mean at {} → {}",
                value_tick(lo, x.step),
                value_tick(hi, x.step)
            ),
            &look.bold(21.0, &INK),
            legend_w - look.px(24.0),
        ),
        &look.bold(21.0, &INK),
        (lx, ly + look.px(60.0)),
        HPos::Left,
        VPos::Center,
    )?;
    let entries = firms + 1;
    let step = ((legend_area.dim_in_pixel().1 as i32 - look.px(100.0)) / entries as i32)
        .min(look.px(64.0));
    for (n, f) in std::iter::once(firms).chain(0..firms).enumerate() {
        let top = ly + look.px(96.0) + n as i32 * step;
        let c_f = colour(data::series_colour(f, firms));
        root.draw(&PathElement::new(
            vec![
                (lx, top + look.px(12.0)),
                (lx + look.px(30.0), top + look.px(12.0)),
            ],
            look.line(&c_f, 5.0),
        ))?;
        label(
            root,
            &fit(root, &k.series[f], &name_style, room),
            &name_style,
            (lx + look.px(40.0), top + look.px(12.0)),
            HPos::Left,
            VPos::Center,
        )?;
        let s = &k.spreads[f];
        let (first, last) = (s[order[0]].mean, s[order[order.len() - 1]].mean);
        label(
            root,
            &fit(
                root,
                &format!(
                    "{} → {} ({})",
                    format::units_label(first),
                    format::units_label(last),
                    signed_units(last - first)
                ),
                &value_style,
                room,
            ),
            &value_style,
            (lx + look.px(40.0), top + look.px(36.0)),
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// A horizontal box at height `y`: whiskers p5–p95, box p25–p75, median line, mean dot.
fn box_at(chart: &mut Plot, look: &Look, s: &Spread, y: f64, c: RGBColor, half: f64) -> Drawn {
    let whisker = look.line(&INK, 2.0);
    chart.draw_series(LineSeries::new([(s.p5, y), (s.p25, y)], whisker))?;
    chart.draw_series(LineSeries::new([(s.p75, y), (s.p95, y)], whisker))?;
    for end in [s.p5, s.p95] {
        chart.draw_series(LineSeries::new(
            [(end, y - half * 0.5), (end, y + half * 0.5)],
            whisker,
        ))?;
    }
    chart.draw_series([Rectangle::new(
        [(s.p25, y - half), (s.p75, y + half)],
        c.mix(0.55).filled(),
    )])?;
    chart.draw_series([Rectangle::new(
        [(s.p25, y - half), (s.p75, y + half)],
        look.line(&c, 2.0),
    )])?;
    chart.draw_series(LineSeries::new(
        [(s.p50, y - half), (s.p50, y + half)],
        look.line(&INK, 3.5),
    ))?;
    chart.draw_series([Circle::new((s.mean, y), look.px(5.0), WHITE.filled())])?;
    chart.draw_series([Circle::new((s.mean, y), look.px(5.0), look.line(&INK, 2.0))])?;
    Ok(())
}

/// sweep-<knob>.png for a categorical knob: per firm and for the total, one box plot of unmet
/// demand per value, in small multiples.
fn knob_boxes(root: &Area, look: &Look, k: &KnobChart) -> Drawn {
    let firms = k.series.len() - 1;
    // The values' labels fitted to at most a fifth of the chart, told apart (numbered with a key
    // when fitting alone would make two read the same).
    let value_style = look.bold(19.0, &INK);
    let most = (look.width - look.px(60.0)) / 5;
    let values_w = (k
        .labels
        .labels
        .iter()
        .map(|v| width_of(root, v, &value_style))
        .max()
        .unwrap_or(0)
        + look.px(20.0))
    .min(most);
    let shown = fit_labels(
        root,
        &k.labels.labels,
        &value_style,
        values_w - look.px(16.0),
    );
    let mut about = String::new();
    if !k.labels.common.is_empty() {
        about += &format!(" Every value of {} has {}.", k.key, k.labels.common);
    }
    if shown.numbered {
        about += &format!(" {}", compare::key_note("Values", &k.labels.labels));
    }
    let note = format!(
        "Unmet demand (units; k = thousand). Box: middle 50% of trials; thick line: median; dot: mean; whiskers: 5th–95th percentile.{about}{}",
        held_note(k)
    );
    let body = frame_wrapped(
        root,
        look,
        &format!("Unmet demand by firm for each {}", k.key),
        &note,
        &k.run_line,
        4,
    )?;
    let series: Vec<usize> = (0..=firms).collect();
    let cols: i32 = if series.len() > 4 { 3 } else { 2 };
    let rows_n = (series.len() as i32 + cols - 1) / cols;
    let (bw, bh) = body.dim_in_pixel();
    let (bw, bh) = (bw as i32, bh as i32);
    let gap = look.px(28.0);
    let panel_w = (bw - values_w - gap * (cols - 1)) / cols;
    let panel_h = bh / rows_n;
    let n = k.values.len();
    let y = Axis {
        lo: -0.6,
        hi: n as f64 - 0.4,
        step: 1.0,
        ticks: Vec::new(),
    };
    let caption = look.px(36.0);
    for (i, &f) in series.iter().enumerate() {
        let (row, col) = (i as i32 / cols, i as i32 % cols);
        let left = values_w + col * (panel_w + gap);
        let top = row * panel_h + if row > 0 { look.px(8.0) } else { 0 };
        let panel = body.clone().shrink(
            (left, top),
            (panel_w, panel_h - if row > 0 { look.px(8.0) } else { 0 }),
        );
        let (cap, area) = panel.split_vertically(caption);
        let top_v = k.spreads[f]
            .iter()
            .map(|s| s.p95.max(s.mean))
            .fold(0.0, f64::max);
        let x = data::units_axis(top_v * 1.05, 4);
        let axes = Axes {
            x: &x,
            y: &y,
            x_label: format::units_tick,
            y_label: none,
            x_desc: "",
            y_desc: "",
            x_area: look.px(44.0),
            y_area: look.px(8.0),
        };
        let mut chart = plot(&area, look, &axes)?;
        let c_f = colour(data::series_colour(f, firms));
        let half = (0.32f64).min(0.4);
        for (j, s) in k.spreads[f].iter().enumerate() {
            box_at(&mut chart, look, s, (n - 1 - j) as f64, c_f, half)?;
        }
        let (px, _) = chart.plotting_area().get_pixel_range();
        let (_, cy) = cap.get_base_pixel();
        let sw = look.px(16.0);
        let mid = cy + caption / 2;
        root.draw(&Rectangle::new(
            [(px.start, mid - sw / 2), (px.start + sw, mid + sw / 2)],
            c_f.filled(),
        ))?;
        let name_style = look.bold(22.0, &INK);
        label(
            root,
            &fit(
                root,
                &k.series[f],
                &name_style,
                px.end - px.start - sw - look.px(8.0),
            ),
            &name_style,
            (px.start + sw + look.px(8.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        if col == 0 {
            for (j, v) in shown.labels.iter().enumerate() {
                let (_, vy) = chart.backend_coord(&(0.0, (n - 1 - j) as f64));
                label(
                    root,
                    v,
                    &value_style,
                    (px.start - look.px(12.0), vy),
                    HPos::Right,
                    VPos::Center,
                )?;
            }
        }
    }
    Ok(())
}
