//! report.html of a run: one self-contained page (inline CSS, the charts embedded, no scripts,
//! fonts or network) that opens with the key results per firm, then the charts, the summary
//! and rounds tables, the scenario's key assumptions and the manifest.

use std::fmt::Write;

use super::page::{self, Figure, escape};
use crate::report::RunInfo;
use crate::report::charts::RUN_CHARTS;
use crate::report::format::{group_digits, percent_label, units_full as units};
use crate::stats::{Metric, Quantity, Summary};

/// What each chart shows, for its caption: the chart table's.
fn caption(chart: &str) -> &'static str {
    RUN_CHARTS
        .iter()
        .find(|c| c.file == chart)
        .map_or("", |c| c.caption)
}

/// A self-contained HTML report; `charts` are the PNGs as (file name, bytes), embedded in it.
pub fn report_html(
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &str,
    charts: &[(&str, &[u8])],
) -> String {
    let mut run_line = format!(
        "{} trials · seed {} · {} allocation · {} rounds",
        group_digits(info.trials),
        info.seed,
        escape(&info.rule),
        info.rounds
    );
    if !info.overrides.is_empty() {
        // The title may shorten them; here they are whole.
        let _ = write!(
            run_line,
            "<br>\nOverrides of the scenario file (--set): {}",
            escape(&crate::report::overrides::listed(&info.overrides))
        );
    }
    let intro = if info.description.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>\n", escape(&info.description))
    };

    let mut details = String::new();
    summary_table(&mut details, summary);
    rounds_table(&mut details, summary);
    details.push_str("<h2>Key assumptions</h2>\n");
    page::open_table(&mut details);
    details.push_str("<tbody>\n");
    for (label, value) in &info.knobs {
        let _ = writeln!(
            details,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    details.push_str("</tbody>\n");
    page::close_table(&mut details);

    let figures: Vec<Figure> = charts
        .iter()
        .map(|&(file, png)| Figure {
            file,
            png,
            caption: caption(file),
        })
        .collect();
    page::render(&page::Page {
        title: &info.title(),
        run_line: &run_line,
        intro: &intro,
        key_results: &key_results(summary),
        figures: &figures,
        details: &details,
        manifest_json,
    })
}

/// The key results: the 1-in-20 total shortfall in a sentence, then per firm and in total the
/// mean orders, deliveries and unmet demand, the unmet demand exceeded in 1 trial in 20 (p95)
/// and the mean fill rate, each the number summary.csv has, rounded.
fn key_results(summary: &Summary) -> String {
    let total = summary.names.len().saturating_sub(1);
    let unmet = summary.tally(total, Metric::Unmet);
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"lead\">In 1 trial in 20, the firms together are left short of more than \
         <strong>{}</strong> units (p95 of total unmet demand). On average they order {} units, \
         receive {} and are left short of {}.</p>",
        units(unmet.quantile(0.95)),
        units(summary.tally(total, Metric::Orders).mean()),
        units(summary.tally(total, Metric::Delivered).mean()),
        units(unmet.mean())
    );
    page::open_table(&mut h);
    h.push_str(
        "<thead><tr><th>firm</th><th class=\"n\">orders, mean</th>\
         <th class=\"n\">delivered, mean</th><th class=\"n\">unmet, mean</th>\
         <th class=\"n\">unmet, 1 in 20 (p95)</th><th class=\"n\">fill rate, mean</th></tr>\
         </thead>\n<tbody>\n",
    );
    for (i, name) in summary.names.iter().enumerate() {
        let mean = |m: Metric| summary.tally(i, m).mean();
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            if i == total { " class=\"total\"" } else { "" },
            escape(name),
            units(mean(Metric::Orders)),
            units(mean(Metric::Delivered)),
            units(mean(Metric::Unmet)),
            units(summary.tally(i, Metric::Unmet).quantile(0.95)),
            percent_label(mean(Metric::FillRate) * Metric::FillRate.scale())
        );
    }
    h.push_str("</tbody>\n");
    page::close_table(&mut h);
    h.push_str(
        "<p class=\"note\">Means over all trials, in units (chips). p95: the 95th percentile, \
         exceeded in 1 trial in 20. Fill rate: delivered over orders in each trial (for the total, all \
         firms' deliveries over all their orders), averaged over the trials.</p>\n",
    );
    h
}

/// Per firm and total: mean, p5, p50, p95 of each metric, one section per metric, orders first.
fn summary_table(h: &mut String, summary: &Summary) {
    h.push_str("<h2>Summary</h2>\n");
    page::open_table(h);
    h.push_str(
        "<thead><tr><th>firm</th><th class=\"n\">mean</th>\
         <th class=\"n\">p5</th><th class=\"n\">p50</th><th class=\"n\">p95</th></tr></thead>\n",
    );
    let total = summary.names.len().saturating_sub(1);
    for metric in Metric::ALL {
        let spec = metric.spec();
        let _ = writeln!(
            h,
            "<tbody>\n<tr><th colspan=\"5\">{}</th></tr>",
            spec.heading()
        );
        for (i, name) in summary.names.iter().enumerate() {
            let t = summary.tally(i, metric);
            let cell = |v: f64| match spec.quantity {
                Quantity::Share => percent_label(v * spec.scale),
                Quantity::Units => units(v),
            };
            let _ = writeln!(
                h,
                "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                if i == total { " class=\"total\"" } else { "" },
                escape(name),
                cell(t.mean()),
                cell(t.quantile(0.05)),
                cell(t.quantile(0.5)),
                cell(t.quantile(0.95))
            );
        }
        h.push_str("</tbody>\n");
    }
    page::close_table(h);
    h.push_str(
        "<p class=\"note\">Over all trials; p5, p50, p95 are the 5th, 50th and 95th percentiles. \
                Effective unmet demand counts domestic chips as imported-chip equivalents. ",
    );
    h.push_str(&escape(&super::table::fill_rate_note()));
    h.push_str(
        " Every statistic is in summary.csv.</p>
",
    );
}

/// Per round: how often it approved a batch and was halted, and the median cumulative delivery.
fn rounds_table(h: &mut String, summary: &Summary) {
    let trials = summary.trials().max(1) as f64;
    h.push_str("<h2>Rounds</h2>\n");
    page::open_table(h);
    h.push_str(
        "<thead><tr><th>round</th><th class=\"n\">batch approved</th>\
         <th class=\"n\">halted by then</th><th class=\"n\">delivered so far, p50</th></tr></thead>\n<tbody>\n",
    );
    for (r, round) in summary.rounds.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            r + 1,
            percent_label(round.approved as f64 / trials),
            percent_label(round.halted_by as f64 / trials),
            units(round.cumulative.quantile(0.5))
        );
    }
    h.push_str("</tbody>\n");
    page::close_table(h);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{PerMetric, RoundTally, Tally};

    fn tally(values: &[u64]) -> Tally {
        let mut t = Tally::default();
        values.iter().for_each(|&v| t.record(v));
        t
    }

    fn fixture() -> (RunInfo, Summary) {
        let info = RunInfo {
            name: "a<b>".to_string(),
            description: "Tom & Jerry's \"test\" <script>alert(1)</script>".to_string(),
            trials: 3,
            seed: 7,
            rounds: 1,
            rule: "proportional".to_string(),
            firms: vec!["<Firm>".to_string()],
            equivalence: 0.0,
            knobs: vec![("rule <x>".to_string(), "a & b".to_string())],
            terms: Vec::new(),
            overrides: Vec::new(),
        };
        let firm = PerMetric::from_fn(|m| {
            if m == Metric::FillRate {
                tally(&[500_000_000; 3])
            } else {
                tally(&[1000, 2000, 3000])
            }
        });
        let total = firm.clone();
        let rounds = vec![RoundTally {
            approved: 3,
            halted_here: 0,
            halted_by: 0,
            cumulative: tally(&[10, 20, 30]),
        }];
        let summary = Summary::from_parts(
            vec!["<Firm>".to_string(), "total".to_string()],
            vec![firm, total],
            rounds,
            tally(&[1, 1, 1]),
            0.0,
        );
        (info, summary)
    }

    #[test]
    fn scenario_text_is_escaped() {
        let (info, summary) = fixture();
        let html = report_html(
            &info,
            &summary,
            "{\"name\": \"<x>\"}",
            &[("unmet.png", b"png")],
        );
        assert!(html.contains("<title>allocsim: a&lt;b&gt;</title>"));
        assert!(html.contains(
            "Tom &amp; Jerry&#39;s &quot;test&quot; &lt;script&gt;alert(1)&lt;/script&gt;"
        ));
        assert!(!html.contains("<script"));
        assert!(html.contains("<td>&lt;Firm&gt;</td>"));
        assert!(html.contains("<th scope=\"row\">rule &lt;x&gt;</th><td>a &amp; b</td>"));
        // The manifest is pretty-printed and escaped, folded away at the end.
        assert!(
            html.contains("<pre>{\n  &quot;name&quot;: &quot;&lt;x&gt;&quot;\n}</pre>\n</details>")
        );
    }

    #[test]
    fn report_leads_with_key_results_and_embeds_its_charts() {
        let (info, summary) = fixture();
        let charts: [(&str, &[u8]); 2] = [("unmet.png", b"one"), ("fill.png", b"two!")];
        let html = report_html(&info, &summary, "not json", &charts);
        // The charts are in the page itself, not beside it.
        assert!(html.contains("<img src=\"data:image/png;base64,b25l\""));
        assert!(html.contains("<img src=\"data:image/png;base64,dHdvIQ==\""));
        assert!(!html.contains("src=\"unmet.png\""));
        assert!(html.contains("<pre>not json</pre>"));
        // Key results first: orders 2,000, delivered 2,000, unmet 2,000 and its p95 2,900
        // (type 7 on 1000, 2000, 3000), fill rate 50%; then the charts, then the tables.
        let row = "<tr><td>&lt;Firm&gt;</td><td class=\"n\">2,000</td><td class=\"n\">2,000</td>\
                   <td class=\"n\">2,000</td><td class=\"n\">2,900</td><td class=\"n\">50%</td></tr>";
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("<h2>Key results</h2>") < at(row));
        assert!(at(row) < at("<h2>Charts</h2>"));
        assert!(at("<h2>Charts</h2>") < at("<h2>Summary</h2>"));
        assert!(at("<h2>Summary</h2>") < at("<h2>Key assumptions</h2>"));
        assert!(at("<h2>Key assumptions</h2>") < at("<details>"));
        assert!(html.contains("left short of more than <strong>2,900</strong> units"));
        // Delivered: mean 2,000, p5 1,100, p50 2,000, p95 2,900.
        assert!(html.contains("<td class=\"n\">2,000</td><td class=\"n\">1,100</td><td class=\"n\">2,000</td><td class=\"n\">2,900</td>"));
        for external in ["http://", "https://", "<link", "<script", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
        // Every table scrolls within its box rather than running off the page.
        assert_eq!(
            html.matches("<table>").count(),
            html.matches("<div class=\"scroll\"><table>").count()
        );
        for section in [
            "Orders",
            "Delivered",
            "Unmet demand",
            "Domestic chips bought",
            "Effective unmet demand",
            "Fill rate",
        ] {
            assert!(
                html.contains(&format!("<tr><th colspan=\"5\">{section}")),
                "{section}"
            );
        }
    }
}
