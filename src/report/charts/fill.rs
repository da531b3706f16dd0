//! fill.png: the fill rate per firm and in total, as box plots.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, FillChart};
use super::kit::{
    Area, Axes, Drawn, INK, Look, colour, draw_names, frame_notes, label, names_width, none, plot,
    rows, width_of,
};
use crate::report::format;

/// fill.png: fill rate per firm and for all firms, as box plots in percent, with the mean, the
/// median and the 5th–95th percentiles written beside each.
pub fn paint(root: &Area, look: &Look, d: &FillChart) -> Drawn {
    let firms = d.names.len() - 1;
    let legend = format!(
        "{}. Box: middle 50% of trials (p25–p75); thick line: median; white dot: mean over \
         trials (the fill rate of the stdout and report tables); whiskers: 5th–95th percentile.",
        data::FILL_RATE_IS
    );
    let mut notes = vec![legend.as_str()];
    notes.extend(d.alike.as_deref());
    let body = frame_notes(
        root,
        look,
        "Fill rate: share of each firm's orders delivered",
        &notes,
        &d.run_line,
    )?;
    let names = d.names.clone();
    let colours = (0..=firms)
        .map(|f| colour(data::series_colour(f, firms)))
        .collect();
    let rows = rows(names, colours, true);
    let name_w = names_width(root, look, &rows.names);
    let values_style = look.text(21.0, &INK);
    let values: Vec<String> = d.spreads.iter().map(data::fill_values).collect();
    let values_w = values
        .iter()
        .map(|v| width_of(root, v, &values_style))
        .max()
        .unwrap_or(0)
        + look.px(40.0);
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
    for (i, s) in d.spreads.iter().enumerate() {
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
        // The mean, a white dot ringed in ink, so it shows over the box and the median line.
        chart.draw_series([Circle::new((s.mean, y), look.px(7.0), WHITE.filled())])?;
        chart.draw_series([Circle::new((s.mean, y), look.px(7.0), look.line(&INK, 2.0))])?;
        let (_, py) = chart.backend_coord(&(0.0, y));
        let (px, _) = chart.plotting_area().get_pixel_range();
        label(
            root,
            &values[i],
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
