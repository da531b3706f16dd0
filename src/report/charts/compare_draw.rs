//! Drawing of the comparison charts from the numbers of [`super::compare`]: layout, text and
//! shapes only, in the look of a run's charts (shared frame, fonts, firm colours and axes).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::{self as cd, DIFF_PANELS_MAX, DiffRow, Heatmap, KnobChart, value_axis};
use super::data::{self, Axis, Spread};
use super::kit::{
    AXIS, Area, Axes, Drawn, INK, Look, MUTED, REFERENCE, boxed, colour, draw_names, fit, frame,
    label, names_width, none, panel_title, plot, rows, width_of,
};
use crate::compare::{Comparison, Swing};
use crate::report::format::{self, signed_tick, signed_units, value_tick};

/// One comparison chart, with what it shows.
pub enum Chart {
    Knob(KnobChart),
    Heatmap(Heatmap, &'static str),
    Tornado(Vec<Swing>, f64),
    Differences(Vec<Vec<DiffRow>>),
}

/// Draws `chart` of comparison `c` on `root`.
pub fn draw(root: &Area, look: &Look, c: &Comparison, chart: &Chart) -> Drawn {
    match chart {
        Chart::Knob(k) => match &k.numbers {
            Some(xs) => knob_lines(root, look, c, k, xs),
            None => knob_boxes(root, look, c, k),
        },
        Chart::Heatmap(map, stat) => heatmap(root, look, c, map, stat),
        Chart::Tornado(swings, reference) => tornado(root, look, c, swings, *reference),
        Chart::Differences(rows) => differences(root, look, c, rows),
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

fn series_name(c: &Comparison, f: usize) -> String {
    if f == c.total() {
        "All firms (total)".to_string()
    } else {
        c.firms[f].clone()
    }
}

/// sweep-<knob>.png for a numeric knob: mean and 5–95% band of unmet demand against the value,
/// for the total (left) and each firm (right), with a legend of the firms.
fn knob_lines(root: &Area, look: &Look, c: &Comparison, k: &KnobChart, xs: &[f64]) -> Drawn {
    let firms = c.firms.len();
    let note = format!(
        "Line: mean over trials; band: 5th–95th percentile (90% of trials).{}",
        held_note(k)
    );
    let body = frame(
        root,
        look,
        &format!("Unmet demand as {} changes", k.key),
        &note,
        &cd::run_line(c),
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
    let x = value_axis(lo, hi, 6, 0.07);
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
            x: &x,
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
            &fit(root, &series_name(c, f), &name_style, room),
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
fn box_at(
    chart: &mut super::kit::Plot,
    look: &Look,
    s: &Spread,
    y: f64,
    c: RGBColor,
    half: f64,
) -> Drawn {
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
fn knob_boxes(root: &Area, look: &Look, c: &Comparison, k: &KnobChart) -> Drawn {
    let firms = c.firms.len();
    let note = format!(
        "Unmet demand (units; k = thousand). Box: middle 50% of trials; thick line: median; dot: mean; whiskers: 5th–95th percentile.{}",
        held_note(k)
    );
    let body = frame(
        root,
        look,
        &format!("Unmet demand by firm for each {}", k.key),
        &note,
        &cd::run_line(c),
    )?;
    let series: Vec<usize> = (0..=firms).collect();
    let cols: i32 = if series.len() > 4 { 3 } else { 2 };
    let rows_n = (series.len() as i32 + cols - 1) / cols;
    let (bw, bh) = body.dim_in_pixel();
    let (bw, bh) = (bw as i32, bh as i32);
    let value_style = look.bold(19.0, &INK);
    let values_w = (k
        .values
        .iter()
        .map(|v| width_of(root, v, &value_style))
        .max()
        .unwrap_or(0)
        + look.px(20.0))
    .min(bw / 5);
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
                &series_name(c, f),
                &name_style,
                px.end - px.start - sw - look.px(8.0),
            ),
            &name_style,
            (px.start + sw + look.px(8.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        if col == 0 {
            for (j, v) in k.values.iter().enumerate() {
                let (_, vy) = chart.backend_coord(&(0.0, (n - 1 - j) as f64));
                label(
                    root,
                    &fit(root, v, &value_style, values_w - look.px(16.0)),
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

/// heatmap-mean.png / heatmap-p95.png: total unmet demand over a two-knob grid.
fn heatmap(root: &Area, look: &Look, c: &Comparison, map: &Heatmap, stat: &str) -> Drawn {
    let what = if stat == "mean" {
        "Mean total unmet demand"
    } else {
        "1-in-20 worst case (p95) of total unmet demand"
    };
    let body = frame(
        root,
        look,
        &format!("{what}: {} × {}", map.row_key, map.col_key),
        &format!(
            "Each cell: the {} over trials of all firms' unmet demand with that pair of values (k = thousand units). Darker: more unmet.",
            if stat == "mean" {
                "mean"
            } else {
                "95th percentile"
            }
        ),
        &cd::run_line(c),
    )?;
    let (bx, by) = body.get_base_pixel();
    let (bw, bh) = body.dim_in_pixel();
    let (bw, bh) = (bw as i32, bh as i32);
    let values: Vec<f64> = map.cells.iter().flatten().copied().collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let key_style = look.bold(22.0, &MUTED);
    let value_style = look.bold(20.0, &INK);
    let strip = look.px(40.0);
    let row_w = (map
        .rows
        .iter()
        .map(|r| width_of(root, r, &value_style))
        .max()
        .unwrap_or(0)
        + look.px(20.0))
    .min(bw / 5);
    let bar_w = look.px(150.0);
    let col_title = look.px(40.0);
    let col_labels = look.px(40.0);
    let gx = bx + strip + row_w;
    let gy = by + col_title;
    let gw = bw - strip - row_w - bar_w;
    let gh = bh - col_title - col_labels;
    let (nr, nc) = (map.rows.len() as i32, map.cols.len() as i32);
    let (cw, ch) = (gw / nc.max(1), gh / nr.max(1));
    // Knob names: the column knob above the grid, the row knob rotated on the left.
    label(
        root,
        &fit(root, &map.col_key, &key_style, gw),
        &key_style,
        (gx + gw / 2, by + col_title / 2),
        HPos::Center,
        VPos::Center,
    )?;
    label(
        root,
        &map.row_key,
        &key_style.transform(FontTransform::Rotate270),
        (bx, gy + gh / 2),
        HPos::Center,
        VPos::Top,
    )?;
    let cell_points = (20.0f64).min(ch as f64 / look.px(1.0).max(1) as f64 * 0.45);
    for (r, row) in map.cells.iter().enumerate() {
        let y0 = gy + r as i32 * ch;
        label(
            root,
            &fit(root, &map.rows[r], &value_style, row_w - look.px(12.0)),
            &value_style,
            (gx - look.px(10.0), y0 + ch / 2),
            HPos::Right,
            VPos::Center,
        )?;
        for (k, &v) in row.iter().enumerate() {
            let x0 = gx + k as i32 * cw;
            let share = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let fill = cd::heat_colour(share);
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                colour(fill).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                WHITE.stroke_width(look.px(2.0) as u32),
            ))?;
            let ink = if cd::white_text_on(fill) { WHITE } else { INK };
            let style = look.bold(cell_points, &ink);
            let text = format::units_label(v);
            if width_of(root, &text, &style) + look.px(6.0) <= cw {
                label(
                    root,
                    &text,
                    &style,
                    (x0 + cw / 2, y0 + ch / 2),
                    HPos::Center,
                    VPos::Center,
                )?;
            }
        }
    }
    for (k, col) in map.cols.iter().enumerate() {
        let x0 = gx + k as i32 * cw;
        label(
            root,
            &fit(root, col, &value_style, cw - look.px(6.0)),
            &value_style,
            (x0 + cw / 2, gy + nr * ch + look.px(10.0)),
            HPos::Center,
            VPos::Top,
        )?;
    }
    // Colour bar: the scale from the lowest to the highest value shown.
    let bar_x = gx + nc * cw + look.px(40.0);
    let bar_wide = look.px(28.0);
    let steps = 60;
    for i in 0..steps {
        let share = 1.0 - i as f64 / steps as f64;
        let y0 = gy + i * gh / steps;
        let y1 = gy + (i + 1) * gh / steps;
        root.draw(&Rectangle::new(
            [(bar_x, y0), (bar_x + bar_wide, y1)],
            colour(cd::heat_colour(share)).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(bar_x, gy), (bar_x + bar_wide, gy + gh)],
        AXIS.stroke_width(1),
    ))?;
    let tick_style = look.text(19.0, &INK);
    for (share, v) in [(1.0, hi), (0.5, (lo + hi) / 2.0), (0.0, lo)] {
        let y0 = gy + ((1.0 - share) * gh as f64) as i32;
        label(
            root,
            &format::units_label(v),
            &tick_style,
            (bar_x + bar_wide + look.px(8.0), y0),
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// tornado.png: each knob's low and high mean total unmet demand around the reference's, ranked by
/// swing.
fn tornado(root: &Area, look: &Look, c: &Comparison, swings: &[Swing], reference: f64) -> Drawn {
    let body = frame(
        root,
        look,
        "Which knob moves total unmet demand most",
        &format!(
            "Each knob moved to its low and high value, all others as in the scenario; bars start at the scenario's mean ({}). Largest swing at the top.",
            format::units_label(reference)
        ),
        &cd::run_line(c),
    )?;
    let low_c = colour(data::firm_colour(0));
    let high_c = colour(data::firm_colour(1));
    let (legend, body) = body.split_vertically(look.px(44.0));
    let names: Vec<String> = swings.iter().map(|s| s.knob.clone()).collect();
    let n = swings.len();
    let rows = rows(names, vec![INK; n], false);
    let range_style = look.text(19.0, &MUTED);
    let name_w = names_width(root, look, &rows.names).max(
        swings
            .iter()
            .map(|s| width_of(root, &format!("{} → {}", s.low, s.high), &range_style))
            .max()
            .unwrap_or(0)
            .min(root.dim_in_pixel().0 as i32 / 3)
            + look.px(24.0),
    );
    let (_, area) = body.split_horizontally(name_w);
    let all = swings
        .iter()
        .flat_map(|s| [s.low_mean, s.high_mean])
        .chain([reference]);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let x = value_axis(lo, hi, 6, 0.16);
    let axes = Axes {
        x: &x,
        y: &rows.span,
        x_label: format::units_tick,
        y_label: none,
        x_desc: "Mean total unmet demand over trials (units; k = thousand)",
        y_desc: "",
        x_area: look.px(86.0),
        y_area: look.px(12.0),
    };
    let mut chart = plot(&area, look, &axes)?;
    let value_style = look.bold(19.0, &INK);
    for (i, s) in swings.iter().enumerate() {
        let y = rows.at[i];
        for (mean, value, c_v, upper) in [
            (s.low_mean, &s.low, low_c, true),
            (s.high_mean, &s.high, high_c, false),
        ] {
            let (y0, y1) = if upper {
                (y + 0.02, y + 0.34)
            } else {
                (y - 0.34, y - 0.02)
            };
            chart.draw_series([Rectangle::new(
                [(reference.min(mean), y0), (reference.max(mean), y1)],
                c_v.mix(0.9).filled(),
            )])?;
            let (ex, ey) = chart.backend_coord(&(mean, (y0 + y1) / 2.0));
            let text = format!("{value}: {}", format::units_label(mean));
            let (at, h) = if mean < reference {
                (ex - look.px(8.0), HPos::Right)
            } else {
                (ex + look.px(8.0), HPos::Left)
            };
            label(root, &text, &value_style, (at, ey), h, VPos::Center)?;
        }
    }
    chart.draw_series(DashedLineSeries::new(
        [(reference, rows.span.lo), (reference, rows.span.hi)],
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
    for (i, s) in swings.iter().enumerate() {
        let (_, ry) = chart.backend_coord(&(0.0, rows.at[i]));
        label(
            root,
            &fit(
                root,
                &format!("{} → {}", s.low, s.high),
                &range_style,
                name_w - look.px(20.0),
            ),
            &range_style,
            (px.start - look.px(14.0), ry + look.px(26.0)),
            HPos::Right,
            VPos::Center,
        )?;
    }
    let (rx, _) = chart.backend_coord(&(reference, 0.0));
    boxed(
        root,
        &format!("scenario {}", format::units_label(reference)),
        &look.bold(19.0, &INK),
        (rx, py.start + look.px(12.0)),
        HPos::Center,
        look,
    )?;
    // Legend.
    let (lx, ly) = legend.get_base_pixel();
    let mut at = lx.max(px.start);
    let mid = ly + look.px(18.0);
    let style = look.text(21.0, &INK);
    for (text, c_v) in [
        ("knob at its low value", low_c),
        ("knob at its high value", high_c),
    ] {
        root.draw(&Rectangle::new(
            [
                (at, mid - look.px(10.0)),
                (at + look.px(30.0), mid + look.px(10.0)),
            ],
            c_v.mix(0.9).filled(),
        ))?;
        label(
            root,
            text,
            &style,
            (at + look.px(38.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        at += look.px(38.0) + width_of(root, text, &style) + look.px(36.0);
    }
    Ok(())
}

/// differences.png: per scenario after the first, the paired difference in unmet demand per firm
/// and in total, with its 95% interval.
fn differences(root: &Area, look: &Look, c: &Comparison, diffs: &[Vec<DiffRow>]) -> Drawn {
    let firms = c.firms.len();
    let shown = diffs.len().min(DIFF_PANELS_MAX);
    let mut note = "Dot: mean over trials of (scenario − reference) in the same trial; line: its 95% interval. Right of 0: more demand left unmet.".to_string();
    if diffs.len() > shown {
        note = format!("First {shown} of {} scenarios. {note}", diffs.len());
    }
    let body = frame(
        root,
        look,
        &format!("Unmet demand against \"{}\", trial by trial", c.labels[0]),
        &note,
        &cd::run_line(c),
    )?;
    let mut names = c.firms.clone();
    names.push("All firms (total)".to_string());
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
    for (i, rows_p) in diffs.iter().take(shown).enumerate() {
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
                &format!("{} − {}", c.labels[i + 1], c.labels[0]),
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
