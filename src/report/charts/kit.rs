//! The drawing kit every chart uses: the bitmap area, sizes scaled from the 1600×1000 design
//! (`Look`), text that fits, the title frame, plots on computed ticks, boxed labels and rows of
//! named marks. Each chart's own file (unmet.rs, …, knob.rs, …) only lays out its marks.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::compare;
use super::data::{self, Axis, Rgb};

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
    pub(super) width: i32,
    pub(super) height: i32,
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

/// A row of legend entries from `(x, top)`: for each, a colour swatch and its text, in order.
pub(super) fn swatch_legend(
    root: &Area,
    look: &Look,
    (x, top): (i32, i32),
    entries: &[(&str, RGBColor)],
) -> Drawn {
    let mut at = x;
    let mid = top + look.px(18.0);
    let style = look.text(21.0, &INK);
    for &(text, c) in entries {
        root.draw(&Rectangle::new(
            [
                (at, mid - look.px(10.0)),
                (at + look.px(30.0), mid + look.px(10.0)),
            ],
            c.mix(0.9).filled(),
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

/// Clears the chart and draws the title and the line under it naming the run (or a
/// comparison's points), each shortened to the chart's width.
fn heading(root: &Area, look: &Look, title: &str, run_line: &str) -> Drawn {
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
    Ok(())
}

/// Lines of a note paragraph at most: a longer one ends in "…".
const NOTE_LINES: usize = 3;

/// Like [`frame`], with notes of any length at the bottom: each paragraph of `notes` wrapped
/// onto lines of the chart's width (at most three a paragraph), the chart's area shrunk to
/// leave room for them.
pub(super) fn frame_notes<'a>(
    root: &Area<'a>,
    look: &Look,
    title: &str,
    notes: &[&str],
    run_line: &str,
) -> Result<Area<'a>, DrawError> {
    heading(root, look, title, run_line)?;
    let m = look.px(30.0);
    let room = look.width - 2 * m;
    let note_style = look.text(20.0, &MUTED);
    let lines: Vec<String> = notes
        .iter()
        .flat_map(|n| data::wrap(n, |s| width_of(root, s, &note_style) <= room, NOTE_LINES))
        .collect();
    let line_h = look.px(26.0);
    let below = lines.len().saturating_sub(1) as i32;
    for (i, line) in lines.iter().enumerate() {
        label(
            root,
            line,
            &note_style,
            (m, look.height - look.px(14.0) - (below - i as i32) * line_h),
            HPos::Left,
            VPos::Bottom,
        )?;
    }
    Ok(root.margin(look.px(118.0), look.px(50.0) + below * line_h, m, m))
}

/// Draws the title, the line under it naming the run (or a comparison's points) and a reading
/// note at the bottom; returns the area left for the chart itself.
pub(super) fn frame<'a>(
    root: &Area<'a>,
    look: &Look,
    title: &str,
    note: &str,
    run_line: &str,
) -> Result<Area<'a>, DrawError> {
    heading(root, look, title, run_line)?;
    let m = look.px(30.0);
    let room = look.width - 2 * m;
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

/// [`frame`] for a chart whose run line or note may be long (a comparison's knob values and
/// held knobs): both wrap instead of being cut, the run line onto at most two lines and the note
/// onto at most `note_lines`, and the chart's area shrinks to make room. Returns that area.
pub(super) fn frame_wrapped<'a>(
    root: &Area<'a>,
    look: &Look,
    title: &str,
    note: &str,
    run_line: &str,
    note_lines: usize,
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
    let run_lines = wrap_to(root, run_line, &run_style, room, 2);
    let run_step = look.px(29.0);
    for (i, line) in run_lines.iter().enumerate() {
        root.draw_text(
            &fit(root, line, &run_style, room),
            &run_style,
            (m, look.px(76.0) + i as i32 * run_step),
        )?;
    }
    let note_style = look.text(20.0, &MUTED);
    let note_lines = wrap_to(root, note, &note_style, room, note_lines);
    let note_step = look.px(26.0);
    let bottom = look.height - look.px(14.0);
    let n = note_lines.len() as i32;
    for (i, line) in note_lines.iter().enumerate() {
        label(
            root,
            &fit(root, line, &note_style, room),
            &note_style,
            (m, bottom - (n - 1 - i as i32) * note_step),
            HPos::Left,
            VPos::Bottom,
        )?;
    }
    let extra_top = (run_lines.len() as i32 - 1).max(0) * run_step;
    let extra_bottom = (n - 1).max(0) * note_step;
    Ok(root.margin(
        look.px(118.0) + extra_top,
        look.px(50.0) + extra_bottom,
        m,
        m,
    ))
}

/// `text` wrapped into lines at most `room` pixels wide in `style` ([`compare::wrap`]).
pub(super) fn wrap_to(
    area: &Area,
    text: &str,
    style: &TextStyle,
    room: i32,
    max_lines: usize,
) -> Vec<String> {
    compare::wrap(text, max_lines, |s| width_of(area, s, style) <= room)
}

/// `labels` fitted to `room` pixels in `style`, numbered when fitting would make two of them
/// read the same ([`compare::fit_distinct`]).
pub(super) fn fit_labels(
    area: &Area,
    labels: &[String],
    style: &TextStyle,
    room: i32,
) -> compare::Fitted {
    compare::fit_distinct(labels, |l| fit(area, l, style, room))
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
