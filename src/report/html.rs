//! report.html: one self-contained page (inline CSS, no scripts, fonts or network) with the
//! scenario, its key knobs, the summary table, the charts beside it and the manifest.

use std::fmt::Write;

use super::page::{self, escape};
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

/// A self-contained HTML report; `charts` are PNG file names beside it.
pub fn report_html(
    info: &RunInfo,
    summary: &Summary,
    manifest_json: &str,
    charts: &[&str],
) -> String {
    let mut h = String::new();
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
    page::open(&mut h, &info.title(), &run_line);
    if !info.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape(&info.description));
    }

    h.push_str("<h2>Key assumptions</h2>\n<table>\n<tbody>\n");
    for (label, value) in &info.knobs {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    h.push_str("</tbody>\n</table>\n");

    summary_table(&mut h, summary);
    rounds_table(&mut h, summary);

    let figures: Vec<(&str, &str)> = charts.iter().map(|&c| (c, caption(c))).collect();
    page::close(&mut h, &figures, manifest_json);
    h
}

/// Per firm and total: mean, p5, p50, p95 of each reported metric, one section per metric.
fn summary_table(h: &mut String, summary: &Summary) {
    h.push_str(
        "<h2>Summary</h2>\n<table>\n<thead><tr><th>firm</th><th class=\"n\">mean</th>\
         <th class=\"n\">p5</th><th class=\"n\">p50</th><th class=\"n\">p95</th></tr></thead>\n",
    );
    let total = summary.names.len().saturating_sub(1);
    for metric in Metric::main() {
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
    h.push_str("</table>\n<p class=\"note\">Over all trials; p5, p50, p95 are the 5th, 50th and 95th percentiles. \
                Effective unmet demand counts domestic chips as imported-chip equivalents. ");
    h.push_str(&escape(&super::table::fill_rate_note()));
    h.push_str("</p>\n");
}

/// Per round: how often it approved a batch and was halted, and the median cumulative delivery.
fn rounds_table(h: &mut String, summary: &Summary) {
    let trials = summary.trials().max(1) as f64;
    h.push_str(
        "<h2>Rounds</h2>\n<table>\n<thead><tr><th>round</th><th class=\"n\">batch approved</th>\
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
    h.push_str("</tbody>\n</table>\n");
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
        let html = report_html(&info, &summary, "{\"name\": \"<x>\"}", &["unmet.png"]);
        assert!(html.contains("<title>allocsim: a&lt;b&gt;</title>"));
        assert!(html.contains(
            "Tom &amp; Jerry&#39;s &quot;test&quot; &lt;script&gt;alert(1)&lt;/script&gt;"
        ));
        assert!(!html.contains("<script"));
        assert!(html.contains("<td>&lt;Firm&gt;</td>"));
        assert!(html.contains("<th scope=\"row\">rule &lt;x&gt;</th><td>a &amp; b</td>"));
        // The manifest is pretty-printed and escaped.
        assert!(html.contains("<pre>{\n  &quot;name&quot;: &quot;&lt;x&gt;&quot;\n}</pre>"));
    }

    #[test]
    fn report_holds_the_table_and_charts_and_needs_no_network() {
        let (info, summary) = fixture();
        let html = report_html(&info, &summary, "not json", &["unmet.png", "fill.png"]);
        assert!(html.contains("<img src=\"unmet.png\""));
        assert!(html.contains("<img src=\"fill.png\""));
        assert!(html.contains("<pre>not json</pre>"));
        // Delivered: mean 2,000, p5 1,100, p50 2,000, p95 2,900 (type 7 on 1000, 2000, 3000).
        assert!(html.contains("<td class=\"n\">2,000</td><td class=\"n\">1,100</td><td class=\"n\">2,000</td><td class=\"n\">2,900</td>"));
        assert!(html.contains("<td class=\"n\">50%</td>"));
        for external in ["http://", "https://", "<link", "<script", "@import", "url("] {
            assert!(!html.contains(external), "{external}");
        }
        for section in [
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
