//! regimes.png: the share of trials in each regime, round by round, stacked to 100%.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, Axis, RegimesChart};
use super::kit::{Area, Axes, Drawn, INK, Look, MUTED, colour, fit, frame, label, plot, width_of};
use crate::report::format;

/// regimes.png: a bar per round split by regime (the first listed on top), its share written
/// in each segment with room for it, and a legend on the right naming each regime with its
/// share of all rounds.
pub fn paint(root: &Area, look: &Look, d: &RegimesChart) -> Drawn {
    let body = frame(
        root,
        look,
        "Political regime of each round: share of trials",
        "Each bar: all trials, split by the regime the round was in (round 1 from the initial \
         distribution, each later round from the transition matrix).",
        &d.run_line,
    )?;
    let rounds = d.bands.first().map_or(0, |b| b.shares.len());
    let (bw, _) = body.dim_in_pixel();
    let bw = bw as i32;
    let legend_w = (bw as f64 * 0.22) as i32;
    let (plot_area, legend_area) = body.split_horizontally(bw - legend_w);
    let x = Axis {
        lo: 0.4,
        hi: rounds as f64 + 0.6,
        step: 1.0,
        ticks: d.ticks.clone(),
    };
    let y = data::axis(0.0, 1.0, 5);
    let axes = Axes {
        x: &x,
        y: &y,
        x_label: |v, _| format!("{v:.0}"),
        y_label: format::percent_tick,
        x_desc: "Approval round",
        y_desc: "Share of trials",
        x_area: look.px(86.0),
        y_area: look.px(100.0),
    };
    let mut chart = plot(&plot_area, look, &axes)?;
    let stack = data::regime_stack(&d.bands);
    let half = 0.4;
    let value_style = |dark: bool| look.bold(19.0, if dark { &INK } else { &WHITE });
    // Shares are written in every bar or in none (bars differ by a pixel in width): where the
    // narrowest bar holds the widest share, "100%".
    let narrowest = (1..=rounds)
        .map(|r| {
            let (left, _) = chart.backend_coord(&(r as f64 - half, 0.0));
            let (right, _) = chart.backend_coord(&(r as f64 + half, 0.0));
            right - left
        })
        .min()
        .unwrap_or(0);
    let values_fit = width_of(root, "100%", &value_style(true)) + look.px(8.0) <= narrowest;
    for (r, segments) in stack.iter().enumerate() {
        let at = r as f64 + 1.0;
        for (band, &(bottom, top)) in d.bands.iter().zip(segments) {
            if top <= bottom {
                continue;
            }
            let c = colour(band.colour);
            chart.draw_series([Rectangle::new(
                [(at - half, bottom), (at + half, top)],
                c.filled(),
            )])?;
            // A thin white line between segments keeps two similar colours apart.
            chart.draw_series([Rectangle::new(
                [(at - half, bottom), (at + half, top)],
                WHITE.stroke_width(1),
            )])?;
            // The share, where the segment has room for it.
            let text = format::percent_label(top - bottom);
            let style = value_style(data::dark_text_on(band.colour));
            let (left, upper) = chart.backend_coord(&(at - half, top));
            let (right, lower) = chart.backend_coord(&(at + half, bottom));
            let text_h = root
                .estimate_text_size(&text, &style)
                .map_or(0, |(_, h)| h as i32);
            if values_fit && text_h + look.px(8.0) <= lower - upper {
                label(
                    root,
                    &text,
                    &style,
                    ((left + right) / 2, (upper + lower) / 2),
                    HPos::Center,
                    VPos::Center,
                )?;
            }
        }
    }

    // Legend: the regimes top to bottom, as they stack.
    let (lx, ly) = legend_area.get_base_pixel();
    let lx = lx + look.px(24.0);
    let room = legend_w - look.px(24.0) - look.px(48.0);
    let name_style = look.bold(21.0, &INK);
    let value_style = look.text(20.0, &MUTED);
    label(
        root,
        "Regime",
        &look.bold(22.0, &INK),
        (lx, ly + look.px(20.0)),
        HPos::Left,
        VPos::Center,
    )?;
    let entries = d.bands.len().max(1) as i32;
    // Room for a second line under a regime's name, and a third under one that holds.
    let most = if d.bands.iter().any(|b| b.hold) {
        92.0
    } else {
        68.0
    };
    let step = ((legend_area.dim_in_pixel().1 as i32 - look.px(60.0)) / entries).min(look.px(most));
    let with_values = step >= look.px(50.0);
    let swatch = look.px(26.0);
    for (k, band) in d.bands.iter().enumerate() {
        let top = ly + look.px(52.0) + k as i32 * step;
        root.draw(&Rectangle::new(
            [(lx, top), (lx + swatch, top + swatch)],
            colour(band.colour).filled(),
        ))?;
        let mid = top + swatch / 2;
        label(
            root,
            &fit(root, &band.name, &name_style, room),
            &name_style,
            (lx + swatch + look.px(12.0), mid),
            HPos::Left,
            VPos::Center,
        )?;
        if with_values {
            let mut lines = vec![format!(
                "{} of all rounds",
                format::percent_label(band.overall)
            )];
            if band.hold {
                lines.push("customs hold: no deliveries".to_string());
            }
            for (i, line) in lines.iter().enumerate() {
                label(
                    root,
                    &fit(root, line, &value_style, room),
                    &value_style,
                    (
                        lx + swatch + look.px(12.0),
                        mid + look.px(26.0) * (i as i32 + 1),
                    ),
                    HPos::Left,
                    VPos::Center,
                )?;
            }
        }
    }
    Ok(())
}
