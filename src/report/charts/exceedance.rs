//! exceedance.png: the chance that unmet demand exceeds each amount, per firm and in total.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, ExceedanceChart};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, REFERENCE, boxed, colour, fit, frame_notes, label,
    panel_title, plot, width_of,
};
use crate::report::format;

/// exceedance.png: P(unmet > x) for each firm and, on its own scale, the total.
pub fn paint(root: &Area, look: &Look, d: &ExceedanceChart) -> Drawn {
    let firms = d.series.len() - 1;
    let mut notes = vec![
        "Read across at 5%: each curve crosses it at the shortfall exceeded in 1 trial in 20 (the p95 listed on the right).",
    ];
    notes.extend(d.alike.as_deref());
    let body = frame_notes(
        root,
        look,
        "Risk of shortfall: chance that unmet demand exceeds a given amount",
        &notes,
        &d.run_line,
    )?;
    let (bw, _) = body.dim_in_pixel();
    let bw = bw as i32;
    let legend_w = (bw as f64 * 0.24) as i32;
    let firms_w = ((bw - legend_w) as f64 * 0.68) as i32;
    let (firm_area, rest) = body.split_horizontally(firms_w);
    let (total_area, legend_area) = rest.split_horizontally(bw - legend_w - firms_w);
    let y = data::axis(0.0, 1.0, 5);
    let x_area = look.px(86.0);
    let panels: [(&Area, Vec<usize>, &str); 2] = [
        (&firm_area, (0..firms).collect(), "Each firm"),
        (&total_area, vec![firms], "All firms together"),
    ];
    for (i, (area, series, title)) in panels.into_iter().enumerate() {
        let (cap, area) = area.split_vertically(look.px(40.0));
        let tail = series.iter().map(|&f| d.series[f].p995).fold(0.0, f64::max);
        let x = data::units_axis(tail, if i == 0 { 7 } else { 3 });
        let axes = Axes {
            x: &x,
            y: &y,
            x_label: format::units_tick,
            y_label: format::percent_tick,
            x_desc: if i == 0 {
                "Unmet demand x (units; k = thousand)"
            } else {
                "Unmet demand x, all firms"
            },
            y_desc: if i == 0 {
                "Chance that unmet demand > x"
            } else {
                ""
            },
            x_area,
            y_area: look.px(if i == 0 { 100.0 } else { 70.0 }),
        };
        let mut chart = plot(&area, look, &axes)?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        panel_title(root, look, &cap, px.start, title)?;
        // The 1-in-20 reference line, light so the curves stay in front.
        chart.draw_series(DashedLineSeries::new(
            [(x.lo, 0.05), (x.hi, 0.05)],
            look.px(10.0),
            look.px(6.0),
            look.line(&REFERENCE, 2.0),
        ))?;
        // Labelled where no curve crosses the label (data::reference_label_spot), in the longest
        // wording that finds such a place; drawn over the curves in a box only if none does.
        let (px, py) = chart.plotting_area().get_pixel_range();
        let per_px = (
            (x.hi - x.lo) / f64::from((px.end - px.start).max(1)),
            (y.hi - y.lo) / f64::from((py.end - py.start).max(1)),
        );
        let style = look.text(20.0, &MUTED);
        let curves: Vec<&[(f64, f64)]> = series.iter().map(|&f| &d.series[f].curve[..]).collect();
        let wordings: &[&str] = if i == 0 {
            &["5%: a 1-in-20 chance", "5% (1 in 20)", "5%"]
        } else {
            &["5%: 1 in 20", "5%"]
        };
        // The box the text needs, with a margin for the curves' line width.
        let margin = look.px(6.0);
        let text_h = look.px(22.0);
        let spot = wordings.iter().find_map(|text| {
            let w = width_of(root, text, &style) + 2 * margin;
            let size = (
                f64::from(w) * per_px.0,
                f64::from(text_h + 2 * margin) * per_px.1,
            );
            // Clear of the p95 dots on the line (radius 7) and of the plot's edges.
            let gap = (
                f64::from(look.px(6.0)) * per_px.0,
                f64::from(look.px(6.0)) * per_px.1,
            );
            data::reference_label_spot(&curves, ((x.lo, x.hi), (y.lo, y.hi)), 0.05, size, gap)
                .map(|corner| (*text, corner))
        });
        let mut fallback = None;
        match spot {
            Some((text, (left, bottom))) => {
                let (lx, ly) = chart.backend_coord(&(left, bottom));
                label(
                    root,
                    text,
                    &style,
                    (lx + margin, ly - margin),
                    HPos::Left,
                    VPos::Bottom,
                )?;
            }
            None => fallback = Some(chart.backend_coord(&(x.lo, 0.05))),
        }
        for &f in &series {
            let c = colour(data::series_colour(f, firms));
            let points = d.series[f].curve.iter().copied().filter(|p| p.0 <= x.hi);
            chart.draw_series(LineSeries::new(points, look.line(&c, 3.5)))?;
            let p95 = d.series[f].p95;
            if p95.is_finite() && p95 <= x.hi {
                chart.draw_series([Circle::new((p95, 0.05), look.px(7.0), c.filled())])?;
            }
        }
        if let Some((_, ry)) = fallback {
            boxed(
                root,
                "5%",
                &look.text(20.0, &MUTED),
                (px.start + look.px(10.0), ry - look.px(16.0)),
                HPos::Left,
                look,
            )?;
        }
    }
    // Legend: colour, name, and the 1-in-20 shortfall the reader came for.
    let (lx, ly) = legend_area.get_base_pixel();
    let lx = lx + look.px(24.0);
    let room = legend_w - look.px(24.0) - look.px(40.0);
    let name_style = look.bold(21.0, &INK);
    let value_style = look.text(20.0, &MUTED);
    let entries = firms + 1;
    let step =
        ((legend_area.dim_in_pixel().1 as i32 - look.px(60.0)) / entries as i32).min(look.px(64.0));
    label(
        root,
        "1-in-20 shortfall",
        &look.bold(22.0, &INK),
        (lx, ly + look.px(20.0)),
        HPos::Left,
        VPos::Center,
    )?;
    for i in 0..entries {
        let top = ly + look.px(56.0) + i as i32 * step;
        let c = colour(data::series_colour(i, firms));
        root.draw(&PathElement::new(
            vec![
                (lx, top + look.px(12.0)),
                (lx + look.px(30.0), top + look.px(12.0)),
            ],
            look.line(&c, 5.0),
        ))?;
        label(
            root,
            &fit(root, &d.series[i].name, &name_style, room),
            &name_style,
            (lx + look.px(40.0), top + look.px(12.0)),
            HPos::Left,
            VPos::Center,
        )?;
        let p95 = d.series[i].p95;
        let value = format!("short by more than {}", format::units_label(p95));
        label(
            root,
            &value,
            &value_style,
            (lx + look.px(40.0), top + look.px(38.0)),
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}
