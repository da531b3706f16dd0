//! Drawing of each chart onto a bitmap from the numbers of [`super::data`]: layout, text and
//! shapes only.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{self, Axis, Rgb, Spread};
use crate::report::RunInfo;
use crate::report::format;
use crate::stats::{Metric, Summary};

pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type Coord = Cartesian2d<Ticked, Ticked>;
pub(super) type Plot<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Coord>;

/// A linear f64 axis whose grid lines and labels sit exactly at the ticks computed in
/// [`data::axis`] (plotters' own f64 axis picks its own).
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl From<&Axis> for Ticked {
    fn from(a: &Axis) -> Self {
        Ticked {
            lo: a.lo,
            hi: a.hi,
            ticks: a.ticks.clone(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let share = if span > 0.0 {
            ((v - self.lo) / span).clamp(-10.0, 10.0)
        } else {
            0.5
        };
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold (labelled) lines: light lines between ticks would clutter a briefing chart.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Why a drawing step failed (plotters' errors, as text).
pub struct DrawError(pub String);

// Any error converts, so `?` works on every plotters call; DrawError itself is not an Error,
// which keeps this blanket impl coherent.
impl<E: std::error::Error> From<E> for DrawError {
    fn from(e: E) -> Self {
        DrawError(e.to_string())
    }
}

pub(super) type Drawn = Result<(), DrawError>;

pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x5A, 0x5A, 0x5A);
pub(super) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
pub(super) const AXIS: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
pub(super) const REFERENCE: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

pub(super) fn colour(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Sizes scaled from the 1600×1000 design to the requested size, so text keeps its proportion
/// (and stays readable when a default chart is shown at half size on a slide).
pub struct Look {
    scale: f64,
    width: i32,
    height: i32,
}

impl Look {
    pub fn new(width: u32, height: u32) -> Look {
        let scale = (width as f64 / 1600.0).min(height as f64 / 1000.0);
        Look {
            scale,
            width: width as i32,
            height: height as i32,
        }
    }

    pub(super) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round().max(1.0) as i32
    }

    pub(super) fn text(&self, points: f64, c: &RGBColor) -> TextStyle<'static> {
        ("sans-serif", (points * self.scale).max(10.0))
            .into_font()
            .color(c)
    }

    pub(super) fn bold(&self, points: f64, c: &RGBColor) -> TextStyle<'static> {
        (
            "sans-serif",
            (points * self.scale).max(10.0),
            FontStyle::Bold,
        )
            .into_font()
            .color(c)
    }

    pub(super) fn line(&self, c: &RGBColor, width: f64) -> ShapeStyle {
        c.stroke_width(self.px(width) as u32)
    }
}

/// `text` shortened with "…" to at most `max` pixels wide in `style`.
pub(super) fn fit(area: &Area, text: &str, style: &TextStyle, max: i32) -> String {
    data::truncate_to_fit(text, |s| {
        area.estimate_text_size(s, style)
            .is_ok_and(|(w, _)| w as i32 <= max)
    })
}

pub(super) fn width_of(area: &Area, text: &str, style: &TextStyle) -> i32 {
    area.estimate_text_size(text, style)
        .map_or(0, |(w, _)| w as i32)
}

/// Text at `at` with its anchor `(h, v)`.
pub(super) fn label(
    root: &Area,
    text: &str,
    style: &TextStyle,
    at: (i32, i32),
    h: HPos,
    v: VPos,
) -> Drawn {
    root.draw_text(text, &style.pos(Pos::new(h, v)), at)?;
    Ok(())
}

/// A panel's title in bold, in its caption strip `cap`, from the left edge `left` of its plot.
pub(super) fn panel_title(root: &Area, look: &Look, cap: &Area, left: i32, title: &str) -> Drawn {
    let (_, cy) = cap.get_base_pixel();
    label(
        root,
        title,
        &look.bold(24.0, &INK),
        (left, cy + look.px(20.0)),
        HPos::Left,
        VPos::Center,
    )
}

/// Draws the title, the run line under it and a reading note at the bottom; returns the area left
/// for the chart itself.
fn frame<'a>(
    root: &Area<'a>,
    look: &Look,
    title: &str,
    note: &str,
    info: &RunInfo,
) -> Result<Area<'a>, DrawError> {
    frame_line(root, look, title, note, &data::run_line(info))
}

/// [`frame`] with any line under the title (comparisons name their points, not one run).
pub(super) fn frame_line<'a>(
    root: &Area<'a>,
    look: &Look,
    title: &str,
    note: &str,
    run_line: &str,
) -> Result<Area<'a>, DrawError> {
    root.fill(&WHITE)?;
    let m = look.px(30.0);
    let room = look.width - 2 * m;
    let title_style = look.bold(38.0, &INK);
    root.draw_text(
        &fit(root, title, &title_style, room),
        &title_style,
        (m, look.px(24.0)),
    )?;
    let run_style = look.text(23.0, &MUTED);
    root.draw_text(
        &fit(root, run_line, &run_style, room),
        &run_style,
        (m, look.px(76.0)),
    )?;
    let note_style = look.text(20.0, &MUTED);
    label(
        root,
        &fit(root, note, &note_style, room),
        &note_style,
        (m, look.height - look.px(14.0)),
        HPos::Left,
        VPos::Bottom,
    )?;
    Ok(root.margin(look.px(118.0), look.px(50.0), m, m))
}

/// What a plot's axes show.
pub(super) struct Axes<'s> {
    pub(super) x: &'s Axis,
    pub(super) y: &'s Axis,
    pub(super) x_label: fn(f64, f64) -> String,
    pub(super) y_label: fn(f64, f64) -> String,
    pub(super) x_desc: &'s str,
    pub(super) y_desc: &'s str,
    /// Pixels for the x tick labels and description (0: none) and for the y ones.
    pub(super) x_area: i32,
    pub(super) y_area: i32,
}

/// A plot with the given ticks on both axes and a light grid at them.
pub(super) fn plot<'a, 'b>(
    area: &'a Area<'b>,
    look: &Look,
    axes: &Axes,
) -> Result<Plot<'a, 'b>, DrawError> {
    let mut chart = ChartBuilder::on(area)
        .margin_right(look.px(20.0))
        .margin_top(look.px(10.0))
        .x_label_area_size(axes.x_area)
        .y_label_area_size(axes.y_area)
        .build_cartesian_2d(Ticked::from(axes.x), Ticked::from(axes.y))?;
    let (xs, ys, xl, yl) = (axes.x.step, axes.y.step, axes.x_label, axes.y_label);
    let x_fmt = move |v: &f64| xl(*v, xs);
    let y_fmt = move |v: &f64| yl(*v, ys);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(1))
        .axis_style(AXIS.stroke_width(1))
        .label_style(look.text(21.0, &INK))
        .axis_desc_style(look.text(22.0, &MUTED))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .set_all_tick_mark_size(look.px(6.0));
    if !axes.x_desc.is_empty() {
        mesh.x_desc(axes.x_desc);
    }
    if !axes.y_desc.is_empty() {
        mesh.y_desc(axes.y_desc);
    }
    mesh.draw()?;
    Ok(chart)
}

pub(super) fn none(_: f64, _: f64) -> String {
    String::new()
}

/// A text with a translucent white box behind it, so it stays legible over bars and lines.
pub(super) fn boxed(
    root: &Area,
    text: &str,
    style: &TextStyle,
    at: (i32, i32),
    h: HPos,
    look: &Look,
) -> Drawn {
    let w = width_of(root, text, style);
    let th = root
        .estimate_text_size(text, style)
        .map_or(0, |(_, h)| h as i32);
    let left = match h {
        HPos::Left => at.0,
        HPos::Right => at.0 - w,
        HPos::Center => at.0 - w / 2,
    };
    let pad = look.px(4.0);
    root.draw(&Rectangle::new(
        [
            (left - pad, at.1 - th / 2 - pad),
            (left + w + pad, at.1 + th / 2 + pad),
        ],
        WHITE.mix(0.85).filled(),
    ))?;
    label(root, text, style, at, h, VPos::Center)
}

/// unmet.png: one small multiple per firm of the distribution of unmet demand, on a shared
/// x axis, with the median and the 95th percentile marked.
pub fn unmet(root: &Area, look: &Look, info: &RunInfo, summary: &Summary) -> Drawn {
    let firms = info.firms.len();
    let body = frame(
        root,
        look,
        "Unmet demand by firm: how far short of its orders each firm ends",
        "Bars: share of trials in each range of unmet demand. Solid line: median (p50); dashed line: 1-in-20 worst case (p95).",
        info,
    )?;
    let tail = (0..firms)
        .map(|f| summary.tally(f, Metric::Unmet).quantile(0.995))
        .fold(0.0, f64::max);
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
    for f in 0..firms {
        let (row, col) = ((f / cols) as i32, (f % cols) as i32);
        let bottom_row = row as usize == rows - 1 || (f + cols >= firms);
        let left = col * (panel_w + gap) + if col == 0 { strip } else { 0 };
        // Rows after the first start lower, so each caption sits with its own panel.
        let pad = if row > 0 { look.px(14.0) } else { 0 };
        let top = row * panel_h + pad;
        let height = panel_h - pad + if bottom_row { x_area } else { 0 };
        let width = panel_w - if col == 0 { strip } else { 0 };
        let panel = body.clone().shrink((left, top), (width, height));
        let tally = summary.tally(f, Metric::Unmet);
        let buckets: Vec<_> = tally.buckets().collect();
        let shares = data::density_bins(&buckets, tally.count(), x.lo, x.hi, bins);
        let y = data::axis(
            0.0,
            shares.iter().fold(0.0, |a, &b| f64::max(a, b)) * 1.12,
            3,
        );
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
        let zero = buckets
            .first()
            .filter(|b| b.low == 0)
            .map_or(0, |b| b.count) as f64
            / tally.count().max(1) as f64;
        let mut stats = format!("mean {}", format::units_label(tally.mean()));
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
            &fit(root, &info.firms[f], &name_style, room),
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
        // Lines first, labels over them: the median's label goes left of its line and the p95's
        // right of its own (flipping only at the plot's edges), each on its own text row, so
        // neither label hides the other or the other's line.
        let (_, py) = chart.plotting_area().get_pixel_range();
        let tag = look.bold(20.0, &INK);
        let marks = [("p50", 0.5, false), ("p95", 0.95, true)]
            .map(|(name, q, dashed)| (name, tally.quantile(q), dashed));
        for &(_, v, dashed) in &marks {
            if !(v.is_finite() && v <= x.hi) {
                continue;
            }
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
        for (row, &(name, v, dashed)) in marks.iter().enumerate() {
            if !(v.is_finite() && v <= x.hi) {
                continue;
            }
            let text = format!("{name} {}", format::units_label(v));
            let (lx, _) = chart.backend_coord(&(v, y.hi));
            let ty = py.start + look.px(14.0) + row as i32 * look.px(28.0);
            let w = width_of(root, &text, &tag) + look.px(12.0);
            let fits_right = lx + w <= px_range.end;
            let fits_left = lx - w >= px_range.start;
            let right = if dashed {
                fits_right || !fits_left
            } else {
                !fits_left && fits_right
            };
            let (at, h) = if right {
                (lx + look.px(6.0), HPos::Left)
            } else {
                (lx - look.px(6.0), HPos::Right)
            };
            boxed(root, &text, &tag, (at, ty), h, look)?;
        }
    }
    Ok(())
}

/// exceedance.png: P(unmet > x) for each firm and, on its own scale, the total.
pub fn exceedance(root: &Area, look: &Look, info: &RunInfo, summary: &Summary) -> Drawn {
    let firms = info.firms.len();
    let body = frame(
        root,
        look,
        "Risk of shortfall: chance that unmet demand exceeds a given amount",
        "Read across at 5%: each curve crosses it at the shortfall exceeded in 1 trial in 20 (the p95 listed on the right).",
        info,
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
        let tail = series
            .iter()
            .map(|&f| summary.tally(f, Metric::Unmet).quantile(0.995))
            .fold(0.0, f64::max);
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
        // Labelled at the left, where every curve is still near 100%, so it never sits on one.
        let (_, ry) = chart.backend_coord(&(x.lo, 0.05));
        let note = if i == 0 { "5%: a 1-in-20 chance" } else { "5%" };
        label(
            root,
            note,
            &look.text(20.0, &MUTED),
            (px.start + look.px(10.0), ry - look.px(6.0)),
            HPos::Left,
            VPos::Bottom,
        )?;
        for &f in &series {
            let tally = summary.tally(f, Metric::Unmet);
            let buckets: Vec<_> = tally.buckets().collect();
            let c = colour(data::series_colour(f, firms));
            let points = data::exceedance(&buckets, tally.count())
                .into_iter()
                .filter(|p| p.0 <= x.hi);
            chart.draw_series(LineSeries::new(points, look.line(&c, 3.5)))?;
            let p95 = tally.quantile(0.95);
            if p95.is_finite() && p95 <= x.hi {
                chart.draw_series([Circle::new((p95, 0.05), look.px(7.0), c.filled())])?;
            }
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
        let name = if i == firms {
            "All firms (total)"
        } else {
            info.firms[i].as_str()
        };
        label(
            root,
            &fit(root, name, &name_style, room),
            &name_style,
            (lx + look.px(40.0), top + look.px(12.0)),
            HPos::Left,
            VPos::Center,
        )?;
        let p95 = summary.tally(i, Metric::Unmet).quantile(0.95);
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

/// deliveries.png: the fan of cumulative total deliveries by round against mean total orders.
pub fn deliveries(root: &Area, look: &Look, info: &RunInfo, summary: &Summary) -> Drawn {
    let firms = info.firms.len();
    let body = frame(
        root,
        look,
        "Cumulative deliveries to all firms, round by round",
        "Bands: middle 50% and middle 90% of trials; line: median. Under each round: share of trials in which it approved a batch.",
        info,
    )?;
    let fan = data::fan(summary);
    let orders = summary.tally(firms, Metric::Orders).mean();
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
    for r in &fan {
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

/// Rows of horizontal marks (one per firm, top to bottom) with the names in a column on the left.
pub(super) struct Rows {
    pub(super) names: Vec<String>,
    pub(super) colours: Vec<RGBColor>,
    /// Vertical position of each row in plot units (0 at the bottom).
    pub(super) at: Vec<f64>,
    pub(super) span: Axis,
}

/// Rows for `names`, the first at the top; `gap_before_last` sets the last (the total) apart.
pub(super) fn rows(names: Vec<String>, colours: Vec<RGBColor>, gap_before_last: bool) -> Rows {
    let n = names.len();
    let extra = if gap_before_last { 0.5 } else { 0.0 };
    let at: Vec<f64> = (0..n)
        .map(|i| {
            let from_bottom = (n - 1 - i) as f64;
            if gap_before_last && i + 1 < n {
                from_bottom + extra
            } else {
                from_bottom
            }
        })
        .collect();
    let top = (n - 1) as f64 + extra;
    Rows {
        names,
        colours,
        at,
        span: Axis {
            lo: -0.6,
            hi: top + 0.6,
            step: 1.0,
            ticks: Vec::new(),
        },
    }
}

/// Width for the names column: the widest name, at most a third of the chart.
pub(super) fn names_width(root: &Area, look: &Look, names: &[String]) -> i32 {
    let style = look.bold(22.0, &INK);
    let widest = names
        .iter()
        .map(|n| width_of(root, n, &style))
        .max()
        .unwrap_or(0);
    (widest + look.px(24.0)).min(look.width / 3 - look.px(20.0))
}

pub(super) fn draw_names(
    root: &Area,
    look: &Look,
    chart: &Plot,
    rows: &Rows,
    right: i32,
    room: i32,
) -> Drawn {
    let style = look.bold(22.0, &INK);
    for (i, name) in rows.names.iter().enumerate() {
        let (_, y) = chart.backend_coord(&(0.0, rows.at[i]));
        label(
            root,
            &fit(root, name, &style, room),
            &style,
            (right, y),
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// A bar of the mean with a p5–p95 whisker and the mean's value, per row.
fn bars(root: &Area, look: &Look, chart: &mut Plot, rows: &Rows, spreads: &[Spread]) -> Drawn {
    for (i, s) in spreads.iter().enumerate() {
        let y = rows.at[i];
        let c = rows.colours[i];
        chart.draw_series([Rectangle::new(
            [(0.0, y - 0.3), (s.mean.max(0.0), y + 0.3)],
            c.filled(),
        )])?;
        let whisker = look.line(&INK, 2.5);
        chart.draw_series(LineSeries::new([(s.p5, y), (s.p95, y)], whisker))?;
        for end in [s.p5, s.p95] {
            chart.draw_series(LineSeries::new([(end, y - 0.16), (end, y + 0.16)], whisker))?;
        }
        let (px, py) = chart.backend_coord(&(s.p95.max(s.mean), y));
        label(
            root,
            &format::units_label(s.mean),
            &look.bold(21.0, &INK),
            (px + look.px(10.0), py),
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// domestic.png: domestic chips bought per firm and, when they count as imports, effective unmet
/// demand.
pub fn domestic(root: &Area, look: &Look, info: &RunInfo, summary: &Summary) -> Drawn {
    let firms = info.firms.len();
    let total = summary.tally(firms, Metric::Domestic);
    let note = format!(
        "Bars: mean over trials; whiskers: 5th–95th percentile; number: mean. All firms: {} domestic chips on average (p5 {}, p95 {}).",
        format::units_label(total.mean()),
        format::units_label(total.quantile(0.05)),
        format::units_label(total.quantile(0.95))
    );
    let effective = info.equivalence > 0.0;
    let title = if effective {
        "Domestic chips bought, and demand still unmet after counting them"
    } else {
        "Domestic chips bought with imports, per firm"
    };
    let body = frame(root, look, title, &note, info)?;
    let names: Vec<String> = info.firms.clone();
    let rows = rows(
        names,
        (0..firms).map(|f| colour(data::firm_colour(f))).collect(),
        false,
    );
    let name_w = names_width(root, look, &rows.names);
    let (_, panels) = body.split_horizontally(name_w);
    let mut metrics = vec![(Metric::Domestic, "Domestic chips bought".to_string())];
    if effective {
        metrics.push((
            Metric::EffectiveUnmet,
            format!(
                "Effective unmet demand (unmet − {} × domestic)",
                info.equivalence
            ),
        ));
    }
    let (pw, _) = panels.dim_in_pixel();
    let areas: Vec<Area> = if effective {
        let (a, b) = panels.split_horizontally(pw as i32 / 2);
        vec![a, b]
    } else {
        vec![panels]
    };
    for (k, ((metric, title), area)) in metrics.iter().zip(&areas).enumerate() {
        let spreads: Vec<Spread> = (0..firms)
            .map(|f| data::spread(summary.tally(f, *metric), 1.0))
            .collect();
        let top = spreads
            .iter()
            .map(|s| s.p95.max(s.mean))
            .fold(0.0, f64::max);
        // Headroom on the right for the value labels.
        let x = data::units_axis(top * 1.2, if effective { 6 } else { 8 });
        let (cap, area) = area.split_vertically(look.px(44.0));
        let axes = Axes {
            x: &x,
            y: &rows.span,
            x_label: format::units_tick,
            y_label: none,
            x_desc: "Units per trial (k = thousand)",
            y_desc: "",
            x_area: look.px(86.0),
            y_area: look.px(12.0),
        };
        let mut chart = plot(&area, look, &axes)?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        let (_, cy) = cap.get_base_pixel();
        let cap_style = look.bold(24.0, &INK);
        let room = px.end - px.start;
        label(
            root,
            &fit(root, title, &cap_style, room),
            &cap_style,
            (px.start, cy + look.px(22.0)),
            HPos::Left,
            VPos::Center,
        )?;
        bars(root, look, &mut chart, &rows, &spreads)?;
        if top <= 0.0 {
            let (px, py) = chart.plotting_area().get_pixel_range();
            let at = ((px.start + px.end) / 2, (py.start + py.end) / 2);
            boxed(
                root,
                "none in any trial",
                &look.text(24.0, &MUTED),
                at,
                HPos::Center,
                look,
            )?;
        }
        if k == 0 {
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

/// fill.png: fill rate per firm and for all firms, as box plots in percent.
pub fn fill(root: &Area, look: &Look, info: &RunInfo, summary: &Summary) -> Drawn {
    let firms = info.firms.len();
    let body = frame(
        root,
        look,
        "Fill rate: share of each firm's orders delivered",
        "Box: middle 50% of trials (p25–p75); thick line: median; whiskers: 5th–95th percentile. Total: all deliveries over all orders.",
        info,
    )?;
    let mut names = info.firms.clone();
    names.push("All firms (total)".to_string());
    let colours = (0..=firms)
        .map(|f| colour(data::series_colour(f, firms)))
        .collect();
    let rows = rows(names, colours, true);
    let name_w = names_width(root, look, &rows.names);
    let values_style = look.text(21.0, &INK);
    let values_w =
        width_of(root, "median 100% (p5 100% – p95 100%)", &values_style) + look.px(24.0);
    let (bw, _) = body.dim_in_pixel();
    let (_, rest) = body.split_horizontally(name_w);
    let (area, _) = rest.split_horizontally(bw as i32 - name_w - values_w);
    let x = data::axis(0.0, 1.0, 10);
    let axes = Axes {
        x: &x,
        y: &rows.span,
        x_label: format::percent_tick,
        y_label: none,
        x_desc: "Fill rate: delivered ÷ orders, per trial",
        y_desc: "",
        x_area: look.px(86.0),
        y_area: 0,
    };
    let mut chart = plot(&area, look, &axes)?;
    let scale = Metric::FillRate.scale();
    for (i, f) in (0..=firms).enumerate() {
        let s = data::spread(summary.tally(f, Metric::FillRate), scale);
        let y = rows.at[i];
        let c = rows.colours[i];
        let whisker = look.line(&INK, 2.0);
        chart.draw_series(LineSeries::new([(s.p5, y), (s.p25, y)], whisker))?;
        chart.draw_series(LineSeries::new([(s.p75, y), (s.p95, y)], whisker))?;
        for end in [s.p5, s.p95] {
            chart.draw_series(LineSeries::new([(end, y - 0.15), (end, y + 0.15)], whisker))?;
        }
        chart.draw_series([Rectangle::new(
            [(s.p25, y - 0.32), (s.p75, y + 0.32)],
            c.mix(0.55).filled(),
        )])?;
        chart.draw_series([Rectangle::new(
            [(s.p25, y - 0.32), (s.p75, y + 0.32)],
            look.line(&c, 2.0),
        )])?;
        chart.draw_series(LineSeries::new(
            [(s.p50, y - 0.32), (s.p50, y + 0.32)],
            look.line(&INK, 4.0),
        ))?;
        let (_, py) = chart.backend_coord(&(0.0, y));
        let (px, _) = chart.plotting_area().get_pixel_range();
        let text = format!(
            "median {} (p5 {} – p95 {})",
            format::percent_label(s.p50),
            format::percent_label(s.p5),
            format::percent_label(s.p95)
        );
        label(
            root,
            &text,
            &values_style,
            (px.end + look.px(24.0), py),
            HPos::Left,
            VPos::Center,
        )?;
    }
    let (px, _) = chart.plotting_area().get_pixel_range();
    draw_names(
        root,
        look,
        &chart,
        &rows,
        px.start - look.px(14.0),
        name_w - look.px(20.0),
    )?;
    Ok(())
}
