//! `heatmap-<stat>.png`: a statistic of total unmet demand over the grid of a two-knob sweep, on
//! a colour scale from zero, each cell printing its value and its difference from the reference,
//! with the colour bar.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::compare::{self, Heatmap};
use super::data::Rgb;
use super::kit::{
    AXIS, Area, Drawn, INK, Look, MUTED, colour, fit, fit_labels, frame_wrapped, label, width_of,
};
use crate::report::format;

/// `heatmap-<stat>.png`: one statistic of total unmet demand over a two-knob grid, coloured
/// on a scale from zero, each cell printing its value and its difference from the reference.
pub fn paint(root: &Area, look: &Look, map: &Heatmap) -> Drawn {
    let key_style = look.bold(22.0, &MUTED);
    let value_style = look.bold(20.0, &INK);
    let strip = look.px(40.0);
    let most_w = (look.width - look.px(60.0)) / 4;
    let row_w = (map
        .row_labels
        .labels
        .iter()
        .map(|r| width_of(root, r, &value_style))
        .max()
        .unwrap_or(0)
        + look.px(20.0))
    .min(most_w);
    let bar_w = look.px(170.0);
    let (nr, nc) = (map.rows.len() as i32, map.cols.len() as i32);
    let grid_w = look.width - look.px(60.0) - strip - row_w - bar_w;
    let cw = grid_w / nc.max(1);
    let rows = fit_labels(
        root,
        &map.row_labels.labels,
        &value_style,
        row_w - look.px(12.0),
    );
    let cols = fit_labels(
        root,
        &map.col_labels.labels,
        &value_style,
        cw - look.px(6.0),
    );
    let mut keys = String::new();
    if rows.numbered {
        keys += &format!(
            " {}",
            compare::key_note(&map.row_key, &map.row_labels.labels)
        );
    }
    if cols.numbered {
        keys += &format!(
            " {}",
            compare::key_note(&map.col_key, &map.col_labels.labels)
        );
    }
    let body = frame_wrapped(
        root,
        look,
        &format!("{}: {} × {}", map.stat.what, map.row_key, map.col_key),
        &format!(
            "Each cell: the {} over trials of all firms' unmet demand with that pair of values (k = thousand units), and its difference from the top-left cell, the reference (both knobs at their first value). Colour from 0 (light) to the highest cell (dark).{keys}",
            map.stat.words
        ),
        &map.run_line,
        4,
    )?;
    let (bx, by) = body.get_base_pixel();
    let (_, bh) = body.dim_in_pixel();
    let bh = bh as i32;
    let col_title = look.px(40.0);
    let col_labels = look.px(40.0);
    let gx = bx + strip + row_w;
    let gy = by + col_title;
    let gh = bh - col_title - col_labels;
    let ch = gh / nr.max(1);
    // Knob names, with what all their values share: the column knob above the grid, the row
    // knob rotated on the left.
    let named = |key: &str, common: &str| {
        if common.is_empty() {
            key.to_string()
        } else {
            format!("{key} ({common} in every value)")
        }
    };
    label(
        root,
        &fit(
            root,
            &named(&map.col_key, &map.col_labels.common),
            &key_style,
            nc * cw,
        ),
        &key_style,
        (gx + nc * cw / 2, by + col_title / 2),
        HPos::Center,
        VPos::Center,
    )?;
    label(
        root,
        &fit(
            root,
            &named(&map.row_key, &map.row_labels.common),
            &key_style,
            nr * ch,
        ),
        &key_style.transform(FontTransform::Rotate270),
        (bx, gy + nr * ch / 2),
        HPos::Center,
        VPos::Top,
    )?;
    let unit = f64::from(look.px(100.0)) / 100.0;
    let value_points = 22.0f64.min(f64::from(ch) / unit * 0.3);
    let diff_points = 18.0f64.min(f64::from(ch) / unit * 0.24);
    for (r, row) in map.cells.iter().enumerate() {
        let y0 = gy + r as i32 * ch;
        label(
            root,
            &rows.labels[r],
            &value_style,
            (gx - look.px(10.0), y0 + ch / 2),
            HPos::Right,
            VPos::Center,
        )?;
        for (k, &v) in row.iter().enumerate() {
            let x0 = gx + k as i32 * cw;
            let fill = heat_colour(map.share(v));
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                colour(fill).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + cw, y0 + ch)],
                WHITE.stroke_width(look.px(2.0) as u32),
            ))?;
            let ink = if white_text_on(fill) { WHITE } else { INK };
            let (value, diff) = map.cell_text(r, k);
            let room = cw - look.px(8.0);
            let value_style = look.bold(value_points, &ink);
            let diff_style = look.text(diff_points, &ink);
            // The difference without its percentage when the cell is too narrow for both.
            let diff = [
                diff.clone(),
                diff.split(" (").next().unwrap_or("").to_string(),
            ]
            .into_iter()
            .find(|d| width_of(root, d, &diff_style) <= room);
            let gap = look.px(diff_points * 0.7);
            if width_of(root, &value, &value_style) <= room {
                let mid = y0 + ch / 2;
                let value_at = if diff.is_some() { mid - gap } else { mid };
                label(
                    root,
                    &value,
                    &value_style,
                    (x0 + cw / 2, value_at),
                    HPos::Center,
                    VPos::Center,
                )?;
                if let Some(d) = diff {
                    label(
                        root,
                        &d,
                        &diff_style,
                        (x0 + cw / 2, mid + gap),
                        HPos::Center,
                        VPos::Center,
                    )?;
                }
            }
        }
    }
    // The reference's cell outlined, as its text says.
    let pad = look.px(3.0);
    root.draw(&Rectangle::new(
        [(gx + pad, gy + pad), (gx + cw - pad, gy + ch - pad)],
        INK.stroke_width(look.px(2.0) as u32),
    ))?;
    for (k, col) in cols.labels.iter().enumerate() {
        let x0 = gx + k as i32 * cw;
        label(
            root,
            col,
            &value_style,
            (x0 + cw / 2, gy + nr * ch + look.px(10.0)),
            HPos::Center,
            VPos::Top,
        )?;
    }
    // Colour bar: the scale from 0 to the highest cell, at round ticks and the top.
    let bar_x = gx + nc * cw + look.px(40.0);
    let bar_wide = look.px(28.0);
    let steps = 100;
    let bar_h = nr * ch;
    for i in 0..steps {
        let share = 1.0 - (i as f64 + 0.5) / steps as f64;
        let y0 = gy + i * bar_h / steps;
        let y1 = gy + (i + 1) * bar_h / steps;
        root.draw(&Rectangle::new(
            [(bar_x, y0), (bar_x + bar_wide, y1)],
            colour(heat_colour(share)).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(bar_x, gy), (bar_x + bar_wide, gy + bar_h)],
        AXIS.stroke_width(1),
    ))?;
    let tick_style = look.text(19.0, &INK);
    let at = |v: f64| gy + ((1.0 - map.share(v)) * bar_h as f64).round() as i32;
    let top_y = at(map.scale.hi);
    let min_gap = look.px(34.0);
    for &t in &map.scale.ticks {
        let y = at(t);
        // A round tick too close to the top's own label is left out.
        if t < map.scale.hi && y - top_y < min_gap {
            continue;
        }
        bar_tick(
            root,
            look,
            &tick_style,
            bar_x + bar_wide,
            y,
            &format::units_tick(t, map.scale.step),
        )?;
    }
    bar_tick(
        root,
        look,
        &look.bold(19.0, &INK),
        bar_x + bar_wide,
        top_y,
        &format::units_label(map.scale.hi),
    )?;
    Ok(())
}

/// A colour-bar tick at height `y`: a short line right of the bar, then its label.
fn bar_tick(root: &Area, look: &Look, style: &TextStyle, x: i32, y: i32, text: &str) -> Drawn {
    root.draw(&PathElement::new(
        vec![(x, y), (x + look.px(6.0), y)],
        AXIS.stroke_width(1),
    ))?;
    label(
        root,
        text,
        style,
        (x + look.px(10.0), y),
        HPos::Left,
        VPos::Center,
    )
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

/// The heatmap colour of `share` (0: no unmet demand, 1: the highest cell), interpolated
/// between the scheme's stops.
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
