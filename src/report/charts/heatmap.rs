//! `heatmap-<stat>.png`: a statistic of total unmet demand over the grid of a two-knob sweep, with
//! its colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::Heatmap;
use super::data::Rgb;
use super::kit::{AXIS, Area, Drawn, INK, Look, MUTED, colour, fit, frame, label, width_of};
use crate::report::format;

/// `heatmap-<stat>.png`: one statistic of total unmet demand over a two-knob grid.
pub fn paint(root: &Area, look: &Look, map: &Heatmap) -> Drawn {
    let body = frame(
        root,
        look,
        &format!("{}: {} × {}", map.stat.what, map.row_key, map.col_key),
        &format!(
            "Each cell: the {} over trials of all firms' unmet demand with that pair of values (k = thousand units). Darker: more unmet.",
            map.stat.words
        ),
        &map.run_line,
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
            let fill = heat_colour(share);
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                colour(fill).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                WHITE.stroke_width(look.px(2.0) as u32),
            ))?;
            let ink = if white_text_on(fill) { WHITE } else { INK };
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
            colour(heat_colour(share)).filled(),
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

/// Stops of ColorBrewer's YlOrBr sequential scheme (light to dark): more unmet demand, darker.
const HEAT: [Rgb; 6] = [
    Rgb(0xFF, 0xF7, 0xBC),
    Rgb(0xFE, 0xE3, 0x91),
    Rgb(0xFE, 0xC4, 0x4F),
    Rgb(0xFB, 0x9A, 0x29),
    Rgb(0xD9, 0x5F, 0x0E),
    Rgb(0x99, 0x34, 0x04),
];

/// The heatmap colour of `share` (0: lowest value shown, 1: highest), interpolated between the
/// scheme's stops.
fn heat_colour(share: f64) -> Rgb {
    let s = if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = s * (HEAT.len() - 1) as f64;
    let i = (pos.floor() as usize).min(HEAT.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (HEAT[i], HEAT[i + 1]);
    Rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `background` should be white (dark background) rather than ink.
fn white_text_on(background: Rgb) -> bool {
    // Relative luminance with sRGB weights, on 0..255 values (good enough to pick a text colour).
    let l =
        0.2126 * background.0 as f64 + 0.7152 * background.1 as f64 + 0.0722 * background.2 as f64;
    l < 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_runs_light_to_dark_with_readable_text() {
        assert_eq!(heat_colour(0.0), HEAT[0]);
        assert_eq!(heat_colour(1.0), HEAT[5]);
        assert_eq!(heat_colour(f64::NAN), HEAT[0]);
        assert!(!white_text_on(heat_colour(0.0)));
        assert!(white_text_on(heat_colour(1.0)));
    }
}
