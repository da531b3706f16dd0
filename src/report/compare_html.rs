//! report.html of a comparison: one self-contained page (inline CSS, the charts embedded, no
//! scripts or network) that opens with the key results (the reference, the points that leave
//! the least and the most demand unmet, and who gains and who loses against the reference),
//! then the charts, the table of the points, the sensitivity ranking, the paired differences
//! per firm and the manifest.

use std::fmt::Write;

use super::page::{self, Figure, escape};
use crate::compare::{Comparison, DiffTally, Kind, Side, Verdict, Worse, swings, verdict};
use crate::report::charts;
use crate::report::format::{
    group_digits, signed_units, signed_units_full, units_full as units, units_label,
};
use crate::stats::Metric;

/// Points beyond which the per-firm differences table is left to differences.csv.
const FIRM_TABLE_MAX_POINTS: usize = 40;

/// A self-contained HTML report of a comparison; `charts` are the PNGs as (file name, bytes),
/// embedded in it.
pub fn comparison_html(
    c: &Comparison,
    manifest_json: &str,
    charts: &[(String, Vec<u8>)],
) -> String {
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
    let intro = "<p class=\"note\">Point 1 is the reference. Differences are paired: each is the \
                 mean over trials of (point − reference) in the same trial, with a 95% interval \
                 from the spread of those per-trial differences. “Worse in” is the share of \
                 trials in which the point leaves more demand unmet than the reference.</p>\n";
    let captions: Vec<String> = charts
        .iter()
        .map(|(file, _)| charts::compare::caption_of(c, file))
        .collect();
    let figures: Vec<Figure> = charts
        .iter()
        .zip(&captions)
        .map(|((file, png), caption)| Figure { file, png, caption })
        .collect();
    page::render(&page::Page {
        title: &title,
        run_line: &run_line,
        intro,
        key_results: &key_results(c),
        figures: &figures,
        details: &details(c),
        manifest_json,
    })
}

/// One firm's (or the total's) changes in unmet demand over the points after the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmChanges {
    /// Points (0-based) at which the firm gains, loses, or sees no clear change.
    pub gains: Vec<usize>,
    /// See `gains`.
    pub losses: Vec<usize>,
    /// See `gains`.
    pub unclear: Vec<usize>,
    /// The point of the largest gain (the mean difference furthest on the better side).
    pub largest_gain: Option<usize>,
    /// The point of the largest loss.
    pub largest_loss: Option<usize>,
}

/// Per firm, then the total: at which points it gains and loses unmet demand against point 1
/// (by [`change`], the worse direction from [`Metric::worse`]), and where the most.
pub fn who_gains_and_loses(c: &Comparison) -> Vec<FirmChanges> {
    let metric = Metric::Unmet;
    let worse = metric.worse();
    // How far a mean difference lies on the worse side.
    let badness = |d: &DiffTally| match worse {
        Worse::More => d.mean(),
        Worse::Less => -d.mean(),
    };
    (0..=c.total())
        .map(|f| {
            let mut out = FirmChanges {
                gains: Vec::new(),
                losses: Vec::new(),
                unclear: Vec::new(),
                largest_gain: None,
                largest_loss: None,
            };
            let diff = |p: usize| c.paired[p].diff(f, metric);
            // A point at which the firm has nothing to pair (it or the reference does not list
            // it) counts in none of the three.
            for p in (1..c.paired.len()).filter(|&p| c.diff(p, f, metric).is_some()) {
                match verdict(diff(p), worse) {
                    Verdict::Gains => out.gains.push(p),
                    Verdict::Loses => out.losses.push(p),
                    Verdict::Unclear => out.unclear.push(p),
                }
            }
            // The first of equals, in point order.
            let pick = |points: &[usize], sign: f64| {
                points.iter().copied().reduce(|best, p| {
                    if sign * badness(diff(p)) > sign * badness(diff(best)) {
                        p
                    } else {
                        best
                    }
                })
            };
            out.largest_gain = pick(&out.gains, -1.0);
            out.largest_loss = pick(&out.losses, 1.0);
            out
        })
        .collect()
}

/// What the page says where firm `f` has no paired difference at point `p` (the point or the
/// reference does not list it), as HTML: never a zero. `Long` in the table of who gains and
/// who loses, `Short` in the table of differences by firm, whose rows are the point numbers.
fn unpaired_cell(c: &Comparison, p: usize, f: usize, length: Length) -> String {
    let (reference, point) = (c.lists(0, f), c.lists(p, f));
    match length {
        Length::Long => match (reference, point) {
            (true, false) => "only in point 1, the reference: no paired difference".to_string(),
            (false, true) => format!("only in point {}: no paired difference", p + 1),
            _ => format!("in neither point {} nor the reference", p + 1),
        },
        Length::Short => match (reference, point) {
            (true, false) => "only in 1".to_string(),
            (false, true) => format!("only in {}", p + 1),
            _ => "in neither".to_string(),
        },
    }
}

/// How much an unpaired cell says ([`unpaired_cell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Long,
    Short,
}

/// The key result said when the points do not all list the same firms, as HTML: which firms
/// each point adds or lacks against the reference, and that the totals then cover different
/// firms.
fn different_firms(c: &Comparison) -> String {
    let mut parts = Vec::new();
    for p in 1..c.summaries.len() {
        let unpaired = c.unpaired(p);
        if unpaired.is_empty() {
            continue;
        }
        let of = |side: Side| -> Vec<String> {
            unpaired
                .iter()
                .filter(|(_, s)| *s == side)
                .map(|(f, _)| format!("<strong>{}</strong>", escape(&c.firms[*f])))
                .collect()
        };
        let mut says = Vec::new();
        let (adds, lacks) = (of(Side::Point), of(Side::Reference));
        if !adds.is_empty() {
            says.push(format!("adds {}", adds.join(", ")));
        }
        if !lacks.is_empty() {
            says.push(format!("lacks {}", lacks.join(", ")));
        }
        parts.push(format!("{} {}", point_name(c, p), says.join(" and ")));
    }
    format!(
        "The scenarios list different firms, matched by name: {}. A firm listed on one side \
         only has no paired difference there, and each total is over its own scenario's firms, \
         so the totals compared cover different firms.",
        parts.join("; ")
    )
}

/// "point 4 (label)", escaped.
fn point_name(c: &Comparison, p: usize) -> String {
    format!("point {} ({})", p + 1, escape(&c.labels[p]))
}

/// A difference with its interval, signed, as HTML: "+9,575 (+8,902 to +10,249)".
fn with_interval(d: &DiffTally) -> String {
    let (lo, hi) = d.ci95();
    format!(
        "{} <span class=\"note\">({} to {})</span>",
        escape(&signed_units_full(d.mean())),
        escape(&signed_units_full(lo)),
        escape(&signed_units_full(hi))
    )
}

/// Other points up to which "who gains and who loses" shows every point's difference for every
/// firm; past it, the table counts the points and shows the largest gain and loss.
const EVERY_POINT_MAX: usize = 4;

/// The key results: the reference's total unmet demand, the points that leave the least and
/// the most of it unmet against the reference, and per firm who gains and who loses.
fn key_results(c: &Comparison) -> String {
    let mut h = String::new();
    let total = c.total();
    let unmet = c.total_tally(0, Metric::Unmet);
    let _ = writeln!(
        h,
        "<ul class=\"lead\">\n<li>Reference, {}: mean total unmet demand <strong>{}</strong>; \
         in 1 trial in 20 more than {} (p95).</li>",
        point_name(c, 0),
        units(unmet.mean()),
        units(unmet.quantile(0.95))
    );
    let others = c.paired.len().saturating_sub(1);
    let d = |p: usize| c.paired[p].diff(total, Metric::Unmet);
    // Said when a difference's interval holds zero.
    let noise = |p: usize| match verdict(d(p), Metric::Unmet.worse()) {
        Verdict::Unclear => ", not told apart from the reference by these trials",
        Verdict::Gains | Verdict::Loses => "",
    };
    // Said when the two totals are over different firms.
    let over = |p: usize| {
        if c.unpaired(p).is_empty() {
            ""
        } else {
            " (over other firms than the reference's: see below)"
        }
    };
    let item = |lead: &str, p: usize| {
        format!(
            "<li>{lead}{}: mean total unmet {}, <strong>{}</strong> against the reference{}{}.</li>\n",
            point_name(c, p),
            units(c.mean_total_unmet(p)),
            with_interval(d(p)),
            over(p),
            noise(p)
        )
    };
    if others == 1 {
        h.push_str(&item("", 1).replacen("<li>point", "<li>Point", 1));
    } else if others > 1 {
        // By the paired difference: the point's mean total unmet less the reference's.
        let by_mean = |a: &usize, b: &usize| d(*a).mean().total_cmp(&d(*b).mean());
        let least = (1..=others).min_by(by_mean).unwrap_or(1);
        let most = (1..=others).rev().max_by(by_mean).unwrap_or(1);
        h.push_str(&item(
            &format!("Least demand unmet in total of the other {others} points: "),
            least,
        ));
        h.push_str(&item("Most: ", most));
    }
    if !c.same_firms() {
        let _ = writeln!(h, "<li>{}</li>", different_firms(c));
    }
    h.push_str("</ul>\n");
    if others == 0 {
        return h;
    }

    h.push_str("<h3>Who gains and who loses</h3>\n");
    let names = charts::compare::series_names(c);
    let class = |f: usize| if f == total { " class=\"total\"" } else { "" };
    page::open_table(&mut h);
    if others <= EVERY_POINT_MAX {
        h.push_str("<thead><tr><th>unmet demand of</th>");
        for p in 1..=others {
            let _ = write!(h, "<th>{}</th>", point_name(c, p));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (f, name) in names.iter().enumerate() {
            let _ = write!(h, "<tr{}><td>{}</td>", class(f), escape(name));
            for p in 1..=others {
                let Some(diff) = c.diff(p, f, Metric::Unmet) else {
                    let cell = unpaired_cell(c, p, f, Length::Long);
                    let _ = write!(h, "<td class=\"note\">{cell}</td>");
                    continue;
                };
                let verdict = match verdict(diff, Metric::Unmet.worse()) {
                    Verdict::Gains => "<span class=\"gain\">gains</span>",
                    Verdict::Loses => "<span class=\"loss\">loses</span>",
                    Verdict::Unclear => "no clear change",
                };
                let _ = write!(h, "<td>{verdict}: {}</td>", with_interval(diff));
            }
            h.push_str("</tr>\n");
        }
    } else {
        h.push_str(
            "<thead><tr><th>unmet demand of</th><th>gains at</th><th>largest gain</th>\
             <th>loses at</th><th>largest loss</th><th>no clear change at</th></tr></thead>\n\
             <tbody>\n",
        );
        let count = |points: &[usize], class: &str| match points.len() {
            0 => "<td>none</td>".to_string(),
            n => format!("<td class=\"{class}\">{n} of {others} points</td>"),
        };
        for (f, changes) in who_gains_and_loses(c).iter().enumerate() {
            let largest = |p: Option<usize>| match p {
                Some(p) => format!(
                    "<td>{}<br><span class=\"note\">at {}</span></td>",
                    with_interval(c.paired[p].diff(f, Metric::Unmet)),
                    point_name(c, p)
                ),
                None => "<td>–</td>".to_string(),
            };
            // The points at which the firm has nothing to pair count in none of the columns.
            let unpaired = (1..=others)
                .filter(|&p| c.diff(p, f, Metric::Unmet).is_none())
                .count();
            let name = match unpaired {
                0 => escape(&names[f]),
                n => format!(
                    "{}<br><span class=\"note\">no difference at {n} of {others} points: not \
                     listed by both the point and the reference</span>",
                    escape(&names[f])
                ),
            };
            let _ = writeln!(
                h,
                "<tr{}><td>{name}</td>{}{}{}{}{}</tr>",
                class(f),
                count(&changes.gains, "gain"),
                largest(changes.largest_gain),
                count(&changes.losses, "loss"),
                largest(changes.largest_loss),
                count(&changes.unclear, "unclear")
            );
        }
    }
    h.push_str("</tbody>\n");
    page::close_table(&mut h);
    h.push_str(
        "<p class=\"note\">Mean difference in unmet demand against the reference, paired on the \
         same trials, with its 95% interval. A firm gains at a point when the whole interval lies \
         below zero (less of its demand left unmet), and loses when it lies wholly above; \
         otherwise the trials cannot tell the difference from noise.</p>\n",
    );
    h
}

/// The detailed tables: the points, the sensitivity ranking, the per-firm differences.
fn details(c: &Comparison) -> String {
    let mut h = String::new();
    let total = c.total();
    h.push_str("<h2>Points</h2>\n");
    page::open_table(&mut h);
    h.push_str("<thead><tr><th class=\"n\">point</th>");
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
        let unmet = c.total_tally(p, Metric::Unmet);
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
        h.push_str(&n(c.total_tally(p, Metric::Delivered).mean()));
        h.push_str(&n(c.total_tally(p, Metric::Domestic).mean()));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n");
    page::close_table(&mut h);

    let ranked = swings(c);
    if !ranked.is_empty() {
        h.push_str("<h2>Knobs ranked by swing</h2>\n");
        page::open_table(&mut h);
        h.push_str(
            "<thead><tr><th class=\"n\">rank</th>\
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
        h.push_str("</tbody>\n");
        page::close_table(&mut h);
        let _ = writeln!(
            h,
            "<p class=\"note\">Reference (scenario as written): mean total \
             unmet {}.</p>",
            escape(&units(c.mean_total_unmet(0)))
        );
    }

    if c.summaries.len() > 1 && c.summaries.len() <= FIRM_TABLE_MAX_POINTS {
        h.push_str("<h2>Paired difference in mean unmet demand, by firm</h2>\n");
        page::open_table(&mut h);
        h.push_str("<thead><tr><th class=\"n\">point</th>");
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
                let Some(d) = c.diff(p, f, Metric::Unmet) else {
                    let _ = write!(
                        h,
                        "<td class=\"n\"><span class=\"note\">{}</span></td>",
                        unpaired_cell(c, p, f, Length::Short)
                    );
                    continue;
                };
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
        h.push_str("</tbody>\n");
        page::close_table(&mut h);
        h.push_str(
            "<p class=\"note\">Mean of (point − point 1) per trial, k = \
             thousand units; ± the half-width of the 95% interval. All metrics are in \
             differences.csv.",
        );
        if !c.same_firms() {
            h.push_str(
                " “Only in 1”: only the reference lists the firm, so it has no paired \
                 difference at that point; “only in N”: only point N lists it; “in neither”: \
                 another point lists it. Totals are over each point's own firms.",
            );
        }
        h.push_str("</p>\n");
    }

    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Paired;

    /// `n` differences of `d` each.
    fn constant(n: u64, d: i128) -> DiffTally {
        let (above, below) = match d.signum() {
            1 => (n, 0),
            -1 => (0, n),
            _ => (0, 0),
        };
        DiffTally::from_moments(
            n,
            d * i128::from(n),
            (d * d) as u128 * u128::from(n),
            above,
            below,
        )
    }

    /// Half the `n` differences `+d`, half `−d`: mean 0.
    fn balanced(n: u64, d: i128) -> DiffTally {
        DiffTally::from_moments(n, 0, (d * d) as u128 * u128::from(n), n / 2, n / 2)
    }

    #[test]
    fn a_change_is_a_gain_or_loss_only_when_its_interval_leaves_zero() {
        assert_eq!(verdict(&constant(100, -5), Worse::More), Verdict::Gains);
        assert_eq!(verdict(&constant(100, -5), Worse::Less), Verdict::Loses);
        assert_eq!(verdict(&constant(100, 5), Worse::More), Verdict::Loses);
        assert_eq!(verdict(&constant(100, 5), Worse::Less), Verdict::Gains);
        assert_eq!(verdict(&balanced(100, 5), Worse::More), Verdict::Unclear);
        assert_eq!(verdict(&constant(100, 0), Worse::More), Verdict::Unclear);
        // Mean 1 with sd about 10 over 100 trials: the interval (−1, 3) holds zero.
        let noisy = DiffTally::from_moments(100, 100, 100 * 101, 55, 45);
        assert_eq!(verdict(&noisy, Worse::More), Verdict::Unclear);
    }

    #[test]
    fn who_gains_and_loses_counts_the_points_and_finds_the_largest() {
        // One firm and the total; points 2..5 against point 1. Unmet: more is worse.
        let unmet = |d: DiffTally| [d, DiffTally::default(), DiffTally::default()];
        let point = |firm: DiffTally, total: DiffTally| {
            Paired::from_tallies(vec![unmet(firm), unmet(total)], [0; 3]).unwrap()
        };
        let c = Comparison {
            kind: Kind::Compare,
            name: "x".into(),
            knobs: vec!["scenario".into()],
            labels: (1..=5).map(|p| format!("s{p}")).collect(),
            settings: (1..=5).map(|p| vec![format!("s{p}")]).collect(),
            ranges: Vec::new(),
            fixed: Vec::new(),
            scenario_values: Vec::new(),
            firms: vec!["A".into()],
            firm_at: vec![vec![Some(0)]; 5],
            trials: 100,
            seed: 0,
            summaries: Vec::new(),
            paired: vec![
                point(constant(100, 0), constant(100, 0)),
                point(constant(100, -3), constant(100, 2)),
                point(constant(100, 7), balanced(100, 9)),
                point(constant(100, -9), constant(100, 2)),
                point(balanced(100, 1), constant(100, 2)),
            ],
        };
        let changes = who_gains_and_loses(&c);
        assert_eq!(
            changes[0],
            FirmChanges {
                gains: vec![1, 3],
                losses: vec![2],
                unclear: vec![4],
                largest_gain: Some(3),
                largest_loss: Some(2),
            }
        );
        // The total: ties go to the first point.
        assert_eq!(changes[1].losses, vec![1, 3, 4]);
        assert_eq!(changes[1].largest_loss, Some(1));
        assert_eq!(changes[1].largest_gain, None);
        assert_eq!(changes[1].unclear, vec![2]);
    }
}
