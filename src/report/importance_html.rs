//! report.html of an importance analysis: one self-contained page through the shell every
//! report shares (inline CSS, the chart embedded, no scripts or network): what the indices mean
//! in plain words, the leading groups per firm, the chart, the full table, how the indices were
//! computed, and the manifest.

use std::fmt::Write;

use super::page::{self, Figure, escape};
use crate::analysis::importance::Importance;
use crate::report::RunInfo;
use crate::report::charts::importance::IMPORTANCE_CHARTS;
use crate::report::format::{group_digits, units_full};
use crate::report::importance_out::{ranked, with_interval};
use crate::stats::{Metric, Quantity};

/// A self-contained HTML report of an importance analysis; `charts` are the PNGs as (file name,
/// bytes), embedded in it.
pub fn importance_html(
    info: &RunInfo,
    imp: &Importance,
    manifest_json: &str,
    charts: &[(&str, &[u8])],
) -> String {
    let metric = imp.metric.spec().label.to_lowercase();
    let title = format!("{}: which random inputs drive {metric}", info.title());
    let mut run_line = format!(
        "{} base trials × ({} groups + 2) = {} trials · seed {} · {} allocation · {}",
        group_digits(imp.trials),
        imp.factors.len(),
        group_digits(imp.model_trials()),
        imp.seed,
        escape(&info.rule),
        crate::report::format::counted(u64::from(info.rounds), "round")
    );
    page::push_overrides(&mut run_line, &info.overrides);
    let mut intro = String::new();
    if !info.description.is_empty() {
        let _ = writeln!(intro, "<p>{}</p>", escape(&info.description));
    }
    let _ = writeln!(
        intro,
        "<p class=\"lead\">Every trial draws its random inputs in groups: each firm's orders, the \
         rounds' approvals and batch sizes, the conversion rates, the domestic supply, the shocks \
         and so on. This page says how much of the spread of {metric} from trial to trial comes \
         from each group.</p>\n<ul class=\"lead\">\n\
         <li><strong>First-order index</strong>: the share of the variance of {metric} that the \
         group explains on its own, the share that would go if its inputs were known in \
         advance.</li>\n\
         <li><strong>Total index</strong>: the share the group takes part in, on its own or \
         together with other groups (interactions): the share that would remain if every other \
         group were known and only this one were not. A group with a total index near 0 could be \
         fixed at any of its values without changing the spread much.</li>\n\
         <li>Both lie between 0 and 1, and a group's total index is at least its first-order \
         index; estimates may stray a little past those bounds by chance, which their 95% \
         intervals show. What the first-order indices leave, 1 − Σ first order, is the share \
         that only groups acting together explain.</li>\n</ul>"
    );
    let figures: Vec<Figure> = charts
        .iter()
        .map(|&(file, png)| Figure {
            file,
            png,
            caption: IMPORTANCE_CHARTS
                .iter()
                .find(|c| c.file == file)
                .map_or("", |c| c.caption),
        })
        .collect();
    page::render(&page::Page {
        title: &title,
        run_line: &run_line,
        intro: &intro,
        key_results: &key_results(imp, &metric),
        figures: &figures,
        details: &details(imp),
        manifest_json,
    })
}

/// The mean or a standard deviation of the metric as the page writes it.
fn amount(metric: Metric, v: f64) -> String {
    let spec = metric.spec();
    match spec.quantity {
        Quantity::Share => format!("{:.2}%", 100.0 * v * spec.scale),
        Quantity::Units | Quantity::Rounds => units_full(v * spec.scale),
    }
}

/// Per firm and the total: the group with the largest total index, its first-order index, and
/// the next ones; a firm whose metric never varied is said so.
fn key_results(imp: &Importance, metric: &str) -> String {
    let mut h = String::from("<ul class=\"lead\">\n");
    for (y, name) in imp.names.iter().enumerate() {
        let who = if y == imp.total() {
            "All firms (total)".to_string()
        } else {
            escape(name)
        };
        let Some(o) = &imp.estimates[y] else {
            let _ = writeln!(
                h,
                "<li>{who}: {metric} was the same in every trial, so there is no variance to \
                 apportion and the indices are undefined (empty cells in importance.csv).</li>"
            );
            continue;
        };
        let order = ranked(imp, y);
        let k = order[0];
        let _ = write!(
            h,
            "<li>{who}: <strong>{}</strong> drives most of the variance of {metric}: total index \
             <strong>{}</strong>, first order {}",
            escape(&imp.factor_names[k]),
            escape(&with_interval(&o.total[k])),
            escape(&with_interval(&o.first_order[k]))
        );
        let next: Vec<String> = order
            .iter()
            .skip(1)
            .take(2)
            .map(|&j| {
                format!(
                    "{} {}",
                    escape(&imp.factor_names[j]),
                    escape(&format!("{:.2}", o.total[j].value))
                )
            })
            .collect();
        if !next.is_empty() {
            let _ = write!(h, "; then {}", next.join(", "));
        }
        let _ = writeln!(
            h,
            ". Left to interactions: {}.</li>",
            escape(&with_interval(&o.interactions))
        );
    }
    h.push_str("</ul>\n");
    h
}

/// The full table (every firm, every group, both indices), then how the indices were computed
/// and which groups were not analysed.
fn details(imp: &Importance) -> String {
    let metric = imp.metric;
    let mut h = String::from("<h2>Every group</h2>\n");
    page::open_table(&mut h);
    h.push_str(
        "<thead><tr><th>group</th><th class=\"n\">first order</th><th class=\"n\">95% interval\
         </th><th class=\"n\">total</th><th class=\"n\">95% interval</th></tr></thead>\n",
    );
    let cell = |e: &crate::analysis::importance::Estimate| {
        let (lo, hi) = e.ci95();
        format!(
            "<td class=\"n\">{:.3}</td><td class=\"n\">{:.3} to {:.3}</td>",
            e.value, lo, hi
        )
    };
    for (y, name) in imp.names.iter().enumerate() {
        let heading = match &imp.estimates[y] {
            Some(o) => format!(
                "{} · mean {} · sd {}",
                escape(name),
                amount(metric, o.mean),
                amount(metric, o.variance.sqrt())
            ),
            None => format!("{} · the same in every trial: undefined", escape(name)),
        };
        let _ = writeln!(h, "<tbody>\n<tr><th colspan=\"5\">{heading}</th></tr>");
        if let Some(o) = &imp.estimates[y] {
            for k in ranked(imp, y) {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td>{}{}</tr>",
                    escape(&imp.factor_names[k]),
                    cell(&o.first_order[k]),
                    cell(&o.total[k])
                );
            }
            let (lo, hi) = o.interactions.ci95();
            let _ = writeln!(
                h,
                "<tr><td>left to interactions (1 − Σ first order)</td><td class=\"n\">{:.3}</td>\
                 <td class=\"n\">{lo:.3} to {hi:.3}</td><td></td><td></td></tr>",
                o.interactions.value
            );
        }
        h.push_str("</tbody>\n");
    }
    page::close_table(&mut h);
    let _ = writeln!(
        h,
        "<p class=\"note\">Groups by total index, largest first. Mean and sd: of {} over the {} \
         trials of A and B. importance.csv has every value with its standard error.</p>",
        escape(&metric.spec().label.to_lowercase()),
        group_digits(imp.trials.saturating_mul(2))
    );

    h.push_str("<h2>How the indices were computed</h2>\n");
    let _ = writeln!(
        h,
        "<p>Trial t of A is trial t of <code>allocsim run</code> under the seed; trial t of B \
         draws every input afresh, from an independent key; and for each group i, trial t of \
         A<sub>B</sub><sup>i</sup> is A's trial t with group i's inputs taken from B's. Nothing \
         else changes between them, so f(A<sub>B</sub><sup>i</sup>) − f(A) is the effect of \
         re-drawing group i alone. With V the variance of f over the {} values of A and B, the \
         first-order index is mean(f(B) (f(A<sub>B</sub><sup>i</sup>) − f(A))) / V (Saltelli, \
         Annoni, Azzini, Campolongo, Ratto and Tarantola 2010, Comput. Phys. Commun. 181, \
         259–270) and the total index mean((f(A) − f(A<sub>B</sub><sup>i</sup>))²) / (2V) \
         (Jansen 1999, Comput. Phys. Commun. 117, 35–43). Each 95% interval is the estimate ± \
         1.96 standard errors, from the delta method over the {} base trials. The analysis ran \
         ({} groups + 2) × {} = {} trials.</p>",
        group_digits(imp.trials.saturating_mul(2)),
        group_digits(imp.trials),
        imp.factors.len(),
        group_digits(imp.trials),
        group_digits(imp.model_trials())
    );
    if !imp.not_analysed.is_empty() {
        h.push_str("<p>Groups not analysed:</p>\n<ul>\n");
        for (group, why) in &imp.not_analysed {
            let _ = writeln!(
                h,
                "<li><strong>{}</strong>: {}.</li>",
                escape(group),
                escape(why)
            );
        }
        h.push_str("</ul>\n");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::importance_out::example;

    #[test]
    fn the_page_explains_tabulates_and_embeds() {
        let s = crate::scenario::parse(
            std::path::Path::new("t.toml"),
            b"name = \"t\"\ndescription = \"<b>x</b> & y\"\nrounds = 1\n[allocation]\n\
              rule = \"proportional\"\n[approval]\nprobability = 0.5\nbatch = 10\n[[firm]]\n\
              name = \"A\"\norders = 5\n",
            &[],
        )
        .unwrap();
        let info = RunInfo::new(&s, 1000, 7);
        let html = importance_html(&info, &example(), "{}", &[("importance.png", b"png")]);
        let at = |t: &str| html.find(t).unwrap_or_else(|| panic!("{t} missing"));
        assert!(
            html.contains("<title>allocsim: t: which random inputs drive unmet demand</title>")
        );
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt; &amp; y") && !html.contains("<b>x</b>"));
        assert!(at("First-order index") < at("<h2>Key results</h2>"));
        assert!(html.contains(
            "<li>A: <strong>approval</strong> drives most of the variance of unmet demand: total \
             index <strong>0.70 (0.68 to 0.72)</strong>"
        ));
        assert!(html.contains("<li>B: unmet demand was the same in every trial"));
        assert!(at("<h2>Charts</h2>") < at("<h2>Every group</h2>"));
        assert!(html.contains("data:image/png;base64,cG5n"));
        assert!(html.contains("<th colspan=\"5\">A · mean 1,500 · sd 500</th>"));
        assert!(html.contains(
            "<td>approval</td><td class=\"n\">0.600</td><td class=\"n\">0.502 to 0.698</td>"
        ));
        assert!(
            html.contains("<strong>order</strong>: the allocation rule is not random_priority.")
        );
        assert!(html.contains("(3 groups + 2) × 1,000 = 5,000 trials"));
    }
}
