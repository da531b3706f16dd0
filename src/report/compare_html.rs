//! report.html of a comparison: one self-contained page (inline CSS, no scripts or network) with
//! what was varied, a table of the points against the reference, the paired differences per firm,
//! the sensitivity ranking, the charts beside it and the manifest.

use std::fmt::Write;

use super::page::{self, escape};
use crate::compare::{Comparison, Kind, swings};
use crate::report::charts;
use crate::report::format::{
    group_digits, signed_units, signed_units_full, units_full as units, units_label,
};
use crate::stats::Metric;

/// Points beyond which the per-firm differences table is left to differences.csv.
const FIRM_TABLE_MAX_POINTS: usize = 40;

/// A self-contained HTML report of a comparison; `charts` are PNG file names beside it.
pub fn comparison_html(c: &Comparison, manifest_json: &str, charts: &[String]) -> String {
    let mut h = String::new();
    let what = match c.kind {
        Kind::Sweep => format!("sweep of {}", c.knobs.join(" × ")),
        Kind::Compare => "scenarios side by side".to_string(),
        Kind::Sensitivity => format!("sensitivity to {} knobs", c.knobs.len()),
    };
    let with = crate::report::overrides::with_phrase(&c.fixed);
    let title = match (c.kind, with.is_empty()) {
        (_, true) => format!("{}: {what}", c.name),
        (Kind::Compare, false) => format!("{}: {what}, every scenario {with}", c.name),
        (_, false) => format!("{}, {with}: {what}", c.name),
    };
    let mut run_line = format!(
        "{} points · {} trials each · seed {} · common random numbers: trial t sees the same \
         world in every point",
        c.summaries.len(),
        group_digits(c.trials),
        c.seed
    );
    if !c.fixed.is_empty() {
        // The title may shorten them; here they are whole.
        let _ = write!(
            run_line,
            "<br>\nOverrides of the scenario file{} in every point (--set): {}",
            if c.kind == Kind::Compare { "s" } else { "" },
            escape(&crate::report::overrides::listed(&c.fixed))
        );
    }
    page::open(&mut h, &title, &run_line);
    let _ = writeln!(
        h,
        "<p class=\"note\">Point 1 is the reference. Differences are paired: each is the mean \
         over trials of (point − reference) in the same trial, with a 95% interval from the \
         spread of those per-trial differences. “Worse in” is the share of trials in which the \
         point leaves more demand unmet than the reference.</p>"
    );

    let total = c.total();
    h.push_str("<h2>Points</h2>\n<table>\n<thead><tr><th class=\"n\">point</th>");
    for k in &c.knobs {
        let _ = write!(h, "<th>{}</th>", escape(k));
    }
    h.push_str(
        "<th class=\"n\">total unmet mean</th><th class=\"n\">p5</th><th class=\"n\">p95</th>\
         <th class=\"n\">Δ mean vs point 1</th><th class=\"n\">95% interval</th>\
         <th class=\"n\">worse in</th><th class=\"n\">delivered mean</th>\
         <th class=\"n\">domestic mean</th></tr></thead>\n<tbody>\n",
    );
    for p in 0..c.summaries.len() {
        let s = &c.summaries[p];
        let unmet = s.tally(total, Metric::Unmet);
        let d = c.paired[p].diff(total, Metric::Unmet);
        let (lo, hi) = d.ci95();
        let _ = write!(h, "<tr><td class=\"n\">{}</td>", p + 1);
        for v in &c.settings[p] {
            let shown = if v.is_empty() { "(scenario)" } else { v };
            let _ = write!(h, "<td>{}</td>", escape(shown));
        }
        let n = |v: f64| format!("<td class=\"n\">{}</td>", escape(&units(v)));
        h.push_str(&n(unmet.mean()));
        h.push_str(&n(unmet.quantile(0.05)));
        h.push_str(&n(unmet.quantile(0.95)));
        if p == 0 {
            h.push_str("<td class=\"n\">reference</td><td></td><td></td>");
        } else {
            let _ = write!(
                h,
                "<td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td class=\"n\">{:.1}%</td>",
                escape(&signed_units_full(d.mean())),
                escape(&signed_units_full(lo)),
                escape(&signed_units_full(hi)),
                100.0 * d.share(Metric::Unmet.worse())
            );
        }
        h.push_str(&n(s.tally(total, Metric::Delivered).mean()));
        h.push_str(&n(s.tally(total, Metric::Domestic).mean()));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    let ranked = swings(c);
    if !ranked.is_empty() {
        h.push_str(
            "<h2>Knobs ranked by swing</h2>\n<table>\n<thead><tr><th class=\"n\">rank</th>\
             <th>knob</th><th>low</th><th>high</th><th class=\"n\">mean total unmet, low</th>\
             <th class=\"n\">high</th><th class=\"n\">swing</th></tr></thead>\n<tbody>\n",
        );
        for (r, s) in ranked.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                r + 1,
                escape(&s.knob),
                escape(&s.low),
                escape(&s.high),
                escape(&units(s.low_mean)),
                escape(&units(s.high_mean)),
                escape(&signed_units_full(s.swing))
            );
        }
        let _ = writeln!(
            h,
            "</tbody>\n</table>\n<p class=\"note\">Reference (scenario as written): mean total \
             unmet {}.</p>",
            escape(&units(c.mean_total_unmet(0)))
        );
    }

    if c.summaries.len() > 1 && c.summaries.len() <= FIRM_TABLE_MAX_POINTS {
        h.push_str(
            "<h2>Paired difference in mean unmet demand, by firm</h2>\n<table>\n<thead><tr>\
             <th class=\"n\">point</th>",
        );
        for f in &c.firms {
            let _ = write!(h, "<th class=\"n\">{}</th>", escape(f));
        }
        h.push_str("<th class=\"n\">total</th></tr></thead>\n<tbody>\n");
        for p in 1..c.summaries.len() {
            let _ = write!(
                h,
                "<tr><td class=\"n\" title=\"{}\">{}</td>",
                escape(&c.labels[p]),
                p + 1
            );
            for f in 0..=total {
                let d = c.paired[p].diff(f, Metric::Unmet);
                let (lo, hi) = d.ci95();
                let _ = write!(
                    h,
                    "<td class=\"n\">{} <span class=\"note\">(±{})</span></td>",
                    escape(&signed_units(d.mean())),
                    escape(&units_label((hi - lo) / 2.0))
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str(
            "</tbody>\n</table>\n<p class=\"note\">Mean of (point − point 1) per trial, k = \
             thousand units; ± the half-width of the 95% interval. All metrics are in \
             differences.csv.</p>\n",
        );
    }

    let figures: Vec<(&str, String)> = charts
        .iter()
        .map(|file| (file.as_str(), charts::compare::caption_of(c, file)))
        .collect();
    page::close(&mut h, &figures, manifest_json);
    h
}
