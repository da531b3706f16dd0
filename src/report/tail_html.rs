//! report.html of `allocsim tail`, through the one page shell ([`super::page`]): what the tail
//! is and how to read d, the inputs that mark it, tail.png, every input's numbers, and the worst
//! trials by number with the command that tells each one round by round.

use std::fmt::Write;

use super::page::{self, Figure, escape};
use crate::analysis::tail::{SIGNIFICANT, TailResult};
use crate::report::RunInfo;
use crate::report::charts::tail::{CAPTION, FILE, signed};
use crate::report::format::{group_digits, number, units_full};
use crate::scenario::Scenario;
use crate::stats::Quantity;

/// What the page is made from.
pub struct TailPage<'a> {
    /// The scenario analysed (with its overrides applied).
    pub scenario: &'a Scenario,
    /// The run's description: title, overrides, rule and rounds.
    pub info: &'a RunInfo,
    /// The analysis.
    pub result: &'a TailResult,
    /// The tail's share as written: "10%".
    pub worst: &'a str,
    /// Whose unmet demand marks it: "total unmet demand", "Tencent's unmet demand".
    pub what: &'a str,
    /// The `allocsim trace` arguments that replay one of its trials, before `--trial T`: the
    /// scenario path, and the seed and overrides when they differ from the file's.
    pub trace_command: &'a str,
    /// manifest.json.
    pub manifest_json: &'a str,
    /// tail.png, when charts are drawn.
    pub chart: Option<&'a [u8]>,
}

/// A value of `quantity` as the page writes it.
fn shown(v: f64, quantity: Quantity) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    match quantity {
        Quantity::Units => units_full(v),
        Quantity::Rounds => number(v, 2),
        Quantity::Share => number(v, 3),
    }
}

/// The whole page.
pub fn tail_html(p: &TailPage) -> String {
    let (s, r, info) = (p.scenario, p.result, p.info);
    let mut run_line = format!(
        "{} · seed {} · {} allocation · {} · the tail: the worst {} ({} trials)",
        crate::report::format::counted(r.trials, "trial"),
        r.seed,
        escape(&info.rule),
        crate::report::format::counted(u64::from(info.rounds), "round"),
        escape(p.worst),
        group_digits(r.tail_trials)
    );
    page::push_overrides(&mut run_line, &info.overrides);
    let mut intro = String::new();
    if !info.description.is_empty() {
        let _ = writeln!(intro, "<p>{}</p>", escape(&info.description));
    }
    let _ = writeln!(
        intro,
        "<p>The <strong>tail</strong> is the {worst} of trials in which {what} was largest: {k} \
         of the {n} trials, those with {threshold} units or more (when several trials have \
         exactly {threshold}, the lower-numbered ones are taken first). For each \
         uncertain input of the scenario, this page compares its values in those trials with \
         its values over all trials.</p>\n\
         <p><strong>How to read d.</strong> d is the input's median in the tail minus its \
         median over all trials, divided by its standard deviation over all trials. d = +1 \
         means that in the worst trials the input was typically one standard deviation higher \
         than usual; d = −1, one lower. An input with |d| of {sig} or more is marked \
         <em>significant</em>: it sets the worst trials apart. That is the threshold of \
         @RISK's scenario analysis, which computes d the same way (Palisade, @RISK help, \
         “Scenario Analysis”). d says what the worst trials have in common, not what causes \
         them: inputs that move together show up together.</p>",
        worst = escape(p.worst),
        what = escape(p.what),
        k = group_digits(r.tail_trials),
        n = group_digits(r.trials),
        threshold = group_digits(r.threshold),
        sig = number(SIGNIFICANT, 1),
    );

    let mut key = String::new();
    let _ = writeln!(
        key,
        "<p class=\"lead\">In the worst {} of trials, {} averages <strong>{}</strong> units, \
         against {} over all trials (median {} against {}).</p>",
        escape(p.worst),
        escape(p.what),
        units_full(r.unmet_tail.mean()),
        units_full(r.unmet_overall.mean()),
        units_full(r.unmet_tail.quantile(0.5)),
        units_full(r.unmet_overall.quantile(0.5)),
    );
    let mut marked: Vec<_> = r
        .rows
        .iter()
        .filter_map(|row| row.d().filter(|d| d.abs() >= SIGNIFICANT).map(|d| (row, d)))
        .collect();
    marked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    if marked.is_empty() {
        key.push_str(
            "<p class=\"lead\">No input has |d| of 0.5 or more: the worst trials are not set \
             apart by any one input.</p>\n",
        );
    } else {
        key.push_str("<p>What sets them apart (significant inputs, largest |d| first):</p>\n<ul class=\"lead\">\n");
        for (row, d) in &marked {
            let spec = row.input.kind.spec();
            let at = |v: f64| shown(v * spec.scale, spec.quantity);
            let _ = writeln!(
                key,
                "<li><strong>{}</strong>: {} in the tail (median), against {} over all trials \
                 (d = {}).</li>",
                escape(&row.input.label(s)),
                at(row.tail.quantile(0.5)),
                at(row.overall.quantile(0.5)),
                signed(*d)
            );
        }
        key.push_str("</ul>\n");
    }

    let mut details = String::new();
    details.push_str("<h2>Every input</h2>\n");
    page::open_table(&mut details);
    details.push_str(
        "<thead><tr><th>input</th><th class=\"n\">tail mean</th><th class=\"n\">tail median</th>\
         <th class=\"n\">overall mean</th><th class=\"n\">overall median</th>\
         <th class=\"n\">overall sd</th><th class=\"n\">d</th><th>significant</th></tr></thead>\n\
         <tbody>\n",
    );
    for row in &r.rows {
        let spec = row.input.kind.spec();
        let at = |v: f64| shown(v * spec.scale, spec.quantity);
        let significant = match row.significant() {
            Some(true) => "yes",
            Some(false) => "no",
            None => "–",
        };
        let _ = writeln!(
            details,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&row.input.label(s)),
            at(row.tail.mean()),
            at(row.tail.quantile(0.5)),
            at(row.overall.mean()),
            at(row.overall.quantile(0.5)),
            if row.overall.count() == 0 {
                "–".to_string()
            } else {
                at(row.overall.sd())
            },
            row.d().map_or("–".to_string(), signed),
            significant
        );
    }
    details.push_str("</tbody>\n");
    page::close_table(&mut details);
    let _ = writeln!(
        details,
        "<p class=\"note\">Means and standard deviations are exact. Medians are exact while an \
         input takes at most 2,048 distinct values (every count of rounds); past that (orders, \
         batches, rates) they come from a histogram, within 0.05% of the value. Halt round: \
         {} when no halt fired. A firm's mean conversion rate is over the rounds it was awarded \
         something; a trial in which it got nothing has none and is left out. A d of “–”: the \
         input does not vary over the trials, or never had a value (a firm never awarded \
         anything has no conversion rate). A count that is the same in most trials (rounds \
         held, the halt round) has a median that hardly moves, so its d is often 0 even when \
         the tail has more of it: compare its means. Every number is in tail.csv.</p>",
        s.rounds + 1
    );
    details.push_str("<h2>The worst trials</h2>\n");
    let _ = writeln!(
        details,
        "<p>The {} worst trials by {}, worst first. Each is told round by round by \
         <code>allocsim trace {} --trial T</code>.</p>",
        r.worst.len(),
        escape(p.what),
        escape(p.trace_command)
    );
    page::open_table(&mut details);
    let _ = writeln!(
        details,
        "<thead><tr><th class=\"n\">trial</th><th class=\"n\">{}</th></tr></thead>\n<tbody>",
        escape(p.what)
    );
    for &(trial, unmet) in &r.worst {
        let _ = writeln!(
            details,
            "<tr><td class=\"n\">{trial}</td><td class=\"n\">{}</td></tr>",
            group_digits(unmet)
        );
    }
    details.push_str("</tbody>\n");
    page::close_table(&mut details);
    page::key_assumptions(&mut details, &info.knobs);

    let figures: Vec<Figure> = p
        .chart
        .map(|png| Figure {
            file: FILE,
            png,
            caption: CAPTION,
        })
        .into_iter()
        .collect();
    page::render(&page::Page {
        title: &format!(
            "{}: what marks the worst {} of trials",
            info.title(),
            p.worst
        ),
        run_line: &run_line,
        intro: &intro,
        key_results: &key,
        figures: &figures,
        details: &details,
        manifest_json: p.manifest_json,
    })
}
