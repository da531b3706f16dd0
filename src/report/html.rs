//! report.html of a run: one self-contained page (inline CSS, the charts embedded, no scripts,
//! fonts or network) that opens with the key results per firm, then the charts, the summary
//! and rounds tables, the regimes (for a scenario with regimes), the scenario's key assumptions
//! and the manifest.

use std::fmt::Write;

use super::page::{self, Figure, escape};
use crate::report::RunInfo;
use crate::report::charts::RUN_CHARTS;
use crate::report::csv_out::regime_shares;
use crate::report::format::{counted, number, percent_label, units_full as units};
use crate::stats::{Members, Metric, Quantity, Summary, TrialMetric};

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
        "{} · seed {} · {} allocation · {}",
        counted(info.trials, "trial"),
        info.seed,
        escape(&info.rule),
        counted(u64::from(info.rounds), "round")
    );
    page::push_overrides(&mut run_line, &info.overrides);
    let intro = if info.description.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>\n", escape(&info.description))
    };

    let mut details = String::new();
    summary_table(&mut details, summary);
    rounds_table(&mut details, summary);
    regimes_section(&mut details, info, summary);
    page::key_assumptions(&mut details, &info.knobs);

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
         <strong>{}</strong> units (p95 of total unmet demand{}). On average they order {} units, \
         receive {} and are left short of {}{}.</p>",
        units(unmet.quantile(0.95)),
        ci_clause(unmet.quantile_interval(0.95)),
        units(summary.tally(total, Metric::Orders).mean()),
        units(summary.tally(total, Metric::Delivered).mean()),
        units(unmet.mean()),
        ci_clause(unmet.mean_interval()),
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
            with_interval(
                mean(Metric::Delivered),
                summary.tally(i, Metric::Delivered).mean_interval()
            ),
            with_interval(
                mean(Metric::Unmet),
                summary.tally(i, Metric::Unmet).mean_interval()
            ),
            with_interval(
                summary.tally(i, Metric::Unmet).quantile(0.95),
                summary.tally(i, Metric::Unmet).quantile_interval(0.95)
            ),
            percent_label(mean(Metric::FillRate) * Metric::FillRate.scale())
        );
    }
    h.push_str("</tbody>\n");
    page::close_table(&mut h);
    h.push_str(
        "<p class=\"note\">Means over all trials, in units (chips). p95: the 95th percentile, \
         exceeded in 1 trial in 20. Under each mean and p95, its 95% confidence interval: an \
         interval made this way holds the value an endless run would give in 95 runs out of 100, \
         so it shows how uncertain the number still is after this many trials (the mean's from its \
         standard error, the p95's from the order statistics; every statistic's interval is in \
         summary.csv, columns ci_low and ci_high). Fill rate: delivered over orders in each trial (for the \
         total, all firms' deliveries over all their orders), averaged over the trials.</p>\n",
    );
    h
}

/// ", 95% CI 2,103,118–2,127,004" for a sentence, or nothing without an interval.
fn ci_clause(interval: Option<(f64, f64)>) -> String {
    interval.map_or_else(String::new, |(low, high)| {
        format!(", 95% CI {}–{}", units(low), units(high))
    })
}

/// A table cell's value with its 95% interval on a second, smaller line.
fn with_interval(value: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((low, high)) => format!(
            "{}<br><span class=\"ci\">{}–{}</span>",
            units(value),
            units(low),
            units(high)
        ),
        None => units(value),
    }
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
            let row = stats_row(name, t, spec.quantity, spec.scale);
            let class = if i == total { " class=\"total\"" } else { "" };
            let _ = writeln!(h, "<tr{class}>{row}</tr>");
        }
        h.push_str("</tbody>\n");
    }
    // The per-trial metrics of firms (a drawn entry round): a section each, a row per firm that
    // has one. The regimes' are in the regimes section.
    for spec in &crate::stats::TRIAL_METRICS {
        let Members::Firms(_) = spec.members else {
            continue;
        };
        let members: Vec<_> = summary
            .per_trial
            .iter()
            .filter(|t| t.metric == spec.metric)
            .collect();
        let Some(first) = members.first() else {
            continue;
        };
        let heading =
            crate::stats::heading(&(spec.label)(summary.member_name(first)), spec.quantity);
        let _ = writeln!(
            h,
            "<tbody>\n<tr><th colspan=\"5\">{}</th></tr>",
            escape(&heading)
        );
        for t in members {
            let row = stats_row(summary.member_name(t), &t.tally, spec.quantity, 1.0);
            let _ = writeln!(h, "<tr>{row}</tr>");
        }
        h.push_str("</tbody>\n");
    }
    page::close_table(h);
    h.push_str(
        "<p class=\"note\">Over all trials; p5, p50, p95 are the 5th, 50th and 95th percentiles. \
                Effective unmet demand counts domestic chips as imported-chip equivalents. ",
    );
    h.push_str(&escape(&super::table::fill_rate_note()));
    if summary
        .per_trial
        .iter()
        .any(|t| t.metric == TrialMetric::EntryRound)
    {
        let _ = write!(
            h,
            " Entry round: the round from which a firm whose entry is drawn may claim, in each \
             trial; {} means it never became eligible within the {} rounds.",
            summary.rounds.len() + 1,
            summary.rounds.len()
        );
    }
    h.push_str(
        " Every statistic is in summary.csv.</p>
",
    );
}

/// One firm's (or regime's) cells of a statistics table: its name, then the mean, p5, p50 and
/// p95 of `t` written as a `quantity` (a share's tally scaled by `scale`).
fn stats_row(name: &str, t: &crate::stats::Tally, quantity: Quantity, scale: f64) -> String {
    let cell = |v: f64| match quantity {
        Quantity::Share => percent_label(v * scale),
        Quantity::Units => units(v),
        Quantity::Rounds => number(v * scale, 2),
    };
    format!(
        "<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        escape(name),
        cell(t.mean()),
        cell(t.quantile(0.05)),
        cell(t.quantile(0.5)),
        cell(t.quantile(0.95))
    )
}

/// Per round: how often it approved a batch and was halted, the median cumulative delivery and,
/// with regimes, the share of trials in each regime.
fn rounds_table(h: &mut String, summary: &Summary) {
    let trials = summary.trials().max(1) as f64;
    h.push_str("<h2>Rounds</h2>\n");
    page::open_table(h);
    h.push_str(
        "<thead><tr><th>round</th><th class=\"n\">batch approved</th>\
         <th class=\"n\">halted by then</th><th class=\"n\">delivered so far, p50</th>",
    );
    for g in &summary.regimes {
        let _ = write!(h, "<th class=\"n\">in {}</th>", escape(g));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let shares = regime_shares(summary);
    for (r, round) in summary.rounds.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            r + 1,
            percent_label(round.approved as f64 / trials),
            percent_label(round.halted_by as f64 / trials),
            units(round.cumulative.quantile(0.5))
        );
        for &share in &shares[r] {
            let _ = write!(h, "<td class=\"n\">{}</td>", percent_label(share));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n");
    page::close_table(h);
    if !summary.regimes.is_empty() {
        h.push_str(
            "<p class=\"note\">In a regime: the share of trials whose round was in that regime \
             (rounds.csv has them to six decimals).</p>\n",
        );
    }
}

/// A factor as the scenario gives it, "×" before it: "× 0.5".
fn factor(v: f64) -> String {
    format!("× {}", number(v, 6))
}

/// A probability of the regime chain as a percentage, "–" for none: a matrix of mostly zeros
/// reads at a glance.
fn chance(p: f64) -> String {
    if p == 0.0 {
        "–".to_string()
    } else {
        percent_label(p)
    }
}

/// The regimes (only for a scenario with regimes): each one's effects, the chain's initial
/// distribution and transition matrix, and the rounds a trial spends in each.
fn regimes_section(h: &mut String, info: &RunInfo, summary: &Summary) {
    if info.regimes.is_empty() {
        return;
    }
    h.push_str("<h2>Regimes</h2>\n");
    h.push_str(
        "<p>Each round is in one political regime, which changes the round's terms as below; \
         round 1's regime is drawn from the initial distribution and each later round's from the \
         row of the round before (a Markov chain).</p>\n",
    );
    page::open_table(h);
    h.push_str(
        "<thead><tr><th>regime</th><th class=\"n\">approval ×</th><th class=\"n\">batch ×</th>\
         <th class=\"n\">conversion ×</th><th class=\"n\">domestic ratio</th>\
         <th class=\"n\">domestic supply ×</th><th>customs hold</th></tr></thead>\n<tbody>\n",
    );
    for g in &info.regimes {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&g.name),
            factor(g.approval_factor),
            factor(g.batch_factor),
            factor(g.conversion_factor),
            g.domestic_ratio
                .map_or_else(|| "the trial's".to_string(), |r| number(r, 6)),
            factor(g.domestic_supply_factor),
            if g.hold { "every round" } else { "no" }
        );
    }
    h.push_str("</tbody>\n");
    page::close_table(h);
    h.push_str(
        "<p class=\"note\">×: multiplies the round's approval probability (capped at 100%), its \
         approved batch, each conversion rate, or its domestic supply. Domestic ratio: domestic \
         chips per imported chip in the regime's rounds (\"the trial's\": the scenario's own \
         ratio). Customs hold: nothing is approved or delivered in its rounds; approved units \
         carried over wait.</p>\n",
    );

    h.push_str("<h3>Chance of each regime in the next round</h3>\n");
    page::open_table(h);
    h.push_str("<thead><tr><th>from \\ to</th>");
    for g in &info.regimes {
        let _ = write!(h, "<th class=\"n\">{}</th>", escape(&g.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n<tr><th scope=\"row\">round 1 (initial)</th>");
    for g in &info.regimes {
        let _ = write!(h, "<td class=\"n\">{}</td>", chance(g.initial));
    }
    h.push_str("</tr>\n");
    for g in &info.regimes {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", escape(&g.name));
        for &p in &g.transition {
            let _ = write!(h, "<td class=\"n\">{}</td>", chance(p));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n");
    page::close_table(h);
    h.push_str(
        "<p class=\"note\">A row gives the chance of each regime in the round after one in the \
         row's regime; the first row, round 1's. Each row adds up to 100%.</p>\n",
    );

    let rounds = summary.rounds.len();
    let _ = writeln!(h, "<h3>Rounds spent in each regime, of {rounds}</h3>");
    page::open_table(h);
    h.push_str(
        "<thead><tr><th>regime</th><th class=\"n\">mean</th><th class=\"n\">p5</th>\
         <th class=\"n\">p50</th><th class=\"n\">p95</th>\
         <th class=\"n\">share of rounds</th></tr></thead>\n<tbody>\n",
    );
    for t in summary
        .per_trial
        .iter()
        .filter(|t| t.metric == TrialMetric::RoundsInRegime)
    {
        let row = stats_row(summary.member_name(t), &t.tally, Quantity::Rounds, 1.0);
        let share = t.tally.mean() / rounds.max(1) as f64;
        let _ = writeln!(
            h,
            "<tr>{row}<td class=\"n\">{}</td></tr>",
            percent_label(share)
        );
    }
    h.push_str("</tbody>\n");
    page::close_table(h);
    h.push_str(
        "<p class=\"note\">Per trial, the number of rounds in the regime; mean and percentiles \
         over trials (summary.csv's rounds_in_… rows of the total). Share of rounds: the mean \
         over the number of rounds.</p>\n",
    );
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
            regimes: Vec::new(),
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
            regimes: Vec::new(),
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
        // (type 7 on 1000, 2000, 3000), fill rate 50%; then the charts, then the tables. Under
        // the means, 2,000 ± 1.96 · 1000/√3 = 868–3,132; under the p95, the order statistics of
        // ranks ⌊2.85 − 0.74⌋ = 2 and ⌈2.85 + 0.74⌉ = 4, clamped to 3: 2,000–3,000.
        let mean = "2,000<br><span class=\"ci\">868–3,132</span>";
        let row = format!(
            "<tr><td>&lt;Firm&gt;</td><td class=\"n\">2,000</td><td class=\"n\">{mean}</td>\
             <td class=\"n\">{mean}</td><td class=\"n\">2,900<br><span class=\"ci\">2,000–3,000\
             </span></td><td class=\"n\">50%</td></tr>"
        );
        let row = row.as_str();
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
