//! domestic.png: domestic chips bought per firm, and effective unmet demand when they count.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::data::{self, DomesticChart, Spread};
use super::kit::{
    Area, Axes, Drawn, INK, Look, MUTED, Plot, Rows, boxed, colour, draw_names, fit, frame_notes,
    label, names_width, none, plot, rows,
};
use crate::report::format;

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
pub fn paint(root: &Area, look: &Look, d: &DomesticChart) -> Drawn {
    let firms = d.firms.len();
    let total = d.total;
    let note = format!(
        "Bars: mean over trials; whiskers: 5th–95th percentile; number: mean; both panels on one scale. All firms: {} domestic chips on average (p5 {}, p95 {}).",
        format::units_label(total.mean),
        format::units_label(total.p5),
        format::units_label(total.p95)
    );
    let effective = d.effective;
    let title = if effective {
        "Domestic chips bought, and demand still unmet after counting them"
    } else {
        "Domestic chips bought with imports, per firm"
    };
    let mut notes = vec![note.as_str()];
    notes.extend(d.alike.as_deref());
    let body = frame_notes(root, look, title, &notes, &d.run_line)?;
    let names: Vec<String> = d.firms.clone();
    let rows = rows(
        names,
        (0..firms).map(|f| colour(data::firm_colour(f))).collect(),
        false,
    );
    let name_w = names_width(root, look, &rows.names);
    let (_, panels) = body.split_horizontally(name_w);
    let (pw, _) = panels.dim_in_pixel();
    let areas: Vec<Area> = if effective {
        // A gap between the panels, so the first one's last tick label keeps clear of the
        // second one's first.
        let gap = look.px(24.0);
        let (a, b) = panels.split_horizontally((pw as i32 - gap) / 2);
        vec![a, b.margin(0, 0, gap, 0)]
    } else {
        vec![panels]
    };
    for (k, (panel, area)) in d.panels.iter().zip(&areas).enumerate() {
        let (title, spreads) = (&panel.title, &panel.spreads);
        let top = spreads
            .iter()
            .map(|s| s.p95.max(s.mean))
            .fold(0.0, f64::max);
        let x = &d.x;
        let (cap, area) = area.split_vertically(look.px(44.0));
        let axes = Axes {
            x,
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
        // The title may run into the plot's right margin, up to the panel's edge.
        let (cx, _) = cap.get_base_pixel();
        let room = cx + cap.dim_in_pixel().0 as i32 - px.start;
        label(
            root,
            &fit(root, title, &cap_style, room),
            &cap_style,
            (px.start, cy + look.px(22.0)),
            HPos::Left,
            VPos::Center,
        )?;
        bars(root, look, &mut chart, &rows, spreads)?;
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
