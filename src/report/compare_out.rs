//! Exporters of a comparison (sweep, compare, sensitivity): comparison.csv with every point's
//! summary statistics, differences.csv with the paired differences against the reference point,
//! sensitivity.csv with the ranked swings, and what is printed on stdout: the short table and
//! who gains and who loses at each point.

use crate::compare::{Comparison, Effects, PAIRED_METRICS, Side, effects, swings};
use crate::report::csv_out::{
    SUMMARY_COLUMNS, finish, interval_cells, per_trial_rows, write, writer,
};
use crate::report::format::number;
use crate::report::format::{signed_units, units_label};
use crate::report::table;
use crate::stats::{Metric, STATS};

/// The leading columns of every CSV row of point `p`: its number (1-based), then the value of
/// every knob (the scenario's where the point keeps it: [`Comparison::setting`]), then of every
/// fixed `--set` override, so that each row says everything its point ran with.
pub(crate) fn point_columns(c: &Comparison, p: usize) -> Vec<String> {
    let mut row = vec![(p + 1).to_string()];
    row.extend((0..c.knobs.len()).map(|j| c.setting(p, j).to_string()));
    row.extend(c.fixed.iter().map(|(_, v)| v.clone()));
    row
}

/// differences.csv's columns after the point's (and results.xlsx's "differences" sheet's).
pub(crate) const DIFFERENCES_COLUMNS: [&str; 12] = [
    "firm",
    "metric",
    "mean_diff",
    "ci_low",
    "ci_high",
    "sd_diff",
    "share_worse",
    "n",
    "p5_diff",
    "p50_diff",
    "p95_diff",
    "share_all_better",
];

/// The percentiles of the per-trial difference in differences.csv, after `n`.
pub(crate) const DIFFERENCE_PERCENTILES: [f64; 3] = [0.05, 0.5, 0.95];

/// The CSV header: `point`, the knobs' keys, the fixed overrides' keys, then `rest`.
pub(crate) fn header(c: &Comparison, rest: &[&str]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(c.knobs.iter().cloned());
    h.extend(c.fixed.iter().map(|(k, _)| k.clone()));
    h.extend(rest.iter().map(|s| s.to_string()));
    h
}

/// comparison.csv: `point`, one column per knob and per fixed override (filled on every row),
/// then `firm,metric,stat,value,ci_low,ci_high` exactly as in summary.csv, for every point
/// (the interval is the point's own, not a paired one: differences.csv has those). Every point has
/// the rows of every firm of the comparison, in its order ([`Comparison::firms`]), then the
/// total (over the point's own firms); a firm the point does not list has its rows with the
/// value and interval empty. A point whose scenario has regimes or drawn entry rounds then has the rows of
/// its per-trial metrics, as its summary.csv would ([`per_trial_rows`]).
pub fn comparison_csv(c: &Comparison) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, header(c, &SUMMARY_COLUMNS));
    let names = names(c);
    for p in 0..c.summaries.len() {
        let lead = point_columns(c, p);
        for (firm, name) in names.iter().enumerate() {
            for metric in Metric::reported() {
                let tally = c.tally(p, firm, metric);
                for stat in STATS {
                    let (scale, decimals) = (metric.scale(), metric.decimals());
                    let value =
                        tally.map_or_else(String::new, |t| number(t.stat(stat, scale), decimals));
                    let [low, high] = tally.map_or_else(Default::default, |t| {
                        interval_cells(t, stat, scale, decimals)
                    });
                    let mut row = lead.clone();
                    row.extend([
                        name.clone(),
                        metric.name().into(),
                        stat.into(),
                        value,
                        low,
                        high,
                    ]);
                    write(&mut w, &row);
                }
            }
        }
        for summary_row in per_trial_rows(&c.summaries[p]) {
            for stat in STATS {
                let mut row = lead.clone();
                let [low, high] = summary_row.interval(stat);
                row.extend([
                    summary_row.firm.to_string(),
                    summary_row.metric.clone(),
                    stat.into(),
                    summary_row.value(stat),
                    low,
                    high,
                ]);
                write(&mut w, &row);
            }
        }
    }
    finish(w)
}

/// differences.csv: per point, firm and metric (unmet, delivered, domestic), the mean paired
/// difference against point 1, its 95% confidence interval, the sd of the differences, the share
/// of trials in which the point leaves the firm worse off, and the number of pairs. A firm that
/// the point or the reference does not list has nothing to pair: its rows have those columns
/// empty and `n` 0.
pub fn differences_csv(c: &Comparison) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, header(c, &DIFFERENCES_COLUMNS));
    let names = names(c);
    for p in 0..c.paired.len() {
        let lead = point_columns(c, p);
        for (firm, name) in names.iter().enumerate() {
            for metric in PAIRED_METRICS {
                let mut row = lead.clone();
                row.extend([name.clone(), metric.name().to_string()]);
                match c.diff(p, firm, metric) {
                    Some(d) => {
                        let (lo, hi) = d.ci95();
                        row.extend([
                            number(d.mean(), 3),
                            number(lo, 3),
                            number(hi, 3),
                            number(d.sd(), 3),
                            number(d.share(metric.worse()), 6),
                            d.count().to_string(),
                        ]);
                        row.extend(DIFFERENCE_PERCENTILES.map(|q| number(d.quantile(q), 3)));
                    }
                    None => {
                        row.extend(std::iter::repeat_n(String::new(), 5));
                        row.push("0".to_string());
                        row.extend(std::iter::repeat_n(String::new(), 3));
                    }
                }
                // Of the point as a whole: on the total's row only.
                row.push(if firm + 1 == names.len() {
                    number(c.paired[p].share_all_better(metric), 6)
                } else {
                    String::new()
                });
                write(&mut w, &row);
            }
        }
    }
    finish(w)
}

/// sensitivity.csv: the knobs ranked by their swing in mean total unmet demand.
pub fn sensitivity_csv(c: &Comparison) -> Vec<u8> {
    let mut w = writer();
    write(
        &mut w,
        [
            "rank",
            "knob",
            "low",
            "high",
            "mean_total_unmet_low",
            "mean_total_unmet_high",
            "swing",
            "mean_total_unmet_reference",
        ],
    );
    let reference = number(c.mean_total_unmet(0), 3);
    for (rank, s) in swings(c).iter().enumerate() {
        write(
            &mut w,
            [
                &(rank + 1).to_string(),
                &s.knob,
                &s.low,
                &s.high,
                &number(s.low_mean, 3),
                &number(s.high_mean, 3),
                &number(s.swing, 3),
                &reference,
            ],
        );
    }
    finish(w)
}

/// Firm names then "total".
pub(crate) fn names(c: &Comparison) -> Vec<String> {
    let mut n = c.firms.clone();
    n.push("total".to_string());
    n
}

/// The table printed on stdout: one row per point with its knob values, mean and p95 of total
/// unmet demand, the paired difference in mean total unmet against point 1 with its 95% interval,
/// and the share of trials in which total unmet is higher.
pub fn comparison_table(c: &Comparison) -> String {
    let total = c.total();
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(c.knobs.iter().cloned());
    head.extend(["unmet mean", "p95", "Δ mean vs 1", "95% CI", "worse in"].map(String::from));
    let mut rows = vec![head];
    for p in 0..c.summaries.len() {
        let t = c.total_tally(p, Metric::Unmet);
        let d = c.paired[p].diff(total, Metric::Unmet);
        let (lo, hi) = d.ci95();
        // The knobs only (the fixed overrides are the same on every row: the headline names
        // them), "·" where the point keeps the scenario's value.
        let mut row = vec![(p + 1).to_string()];
        row.extend(c.settings[p].iter().cloned());
        for cell in row.iter_mut().skip(1) {
            if cell.is_empty() {
                *cell = "·".into();
            } else if cell.chars().count() > 28 {
                *cell = format!("{}…", cell.chars().take(27).collect::<String>());
            }
        }
        row.push(units_label(t.mean()));
        row.push(units_label(t.quantile(0.95)));
        if p == 0 {
            row.extend(["reference", "", ""].map(String::from));
        } else {
            row.push(signed_units(d.mean()));
            row.push(format!("{} to {}", signed_units(lo), signed_units(hi)));
            row.push(format!("{:.1}%", 100.0 * d.share(Metric::Unmet.worse())));
        }
        rows.push(row);
    }
    // The knobs' values read left to right; the point number and the figures right-aligned.
    let mut out = table::aligned(&rows, |i| i > 0 && i <= c.knobs.len());
    if !c.same_firms() {
        out.push_str(&format!("\n{}\n", different_firms_note(c)));
    }
    let ranked = swings(c);
    if !ranked.is_empty() {
        out.push_str("\nKnobs by swing in mean total unmet (low → high):\n");
        for (rank, s) in ranked.iter().enumerate() {
            out.push_str(&format!(
                "{:>3}. {}  {} → {}: {} → {} ({})\n",
                rank + 1,
                s.knob,
                s.low,
                s.high,
                units_label(s.low_mean),
                units_label(s.high_mean),
                signed_units(s.swing)
            ));
        }
    }
    out
}

/// Points after the reference whose gains and losses stdout lists; the rest are in
/// differences.csv.
const EFFECT_POINTS: usize = 10;

/// Who gains and who loses at each point after the reference (the first ten), as printed on
/// stdout: per point, the paired difference in mean total unmet demand, how many firms are
/// clearly better off, worse off or neither, and the firm that gains most and the one that
/// loses most, with 95% intervals. The total can hide it: a rule change moves chips from one
/// firm to another and leaves the total where it was. Empty for a single point.
pub fn gains_and_losses(c: &Comparison) -> String {
    let points = c.summaries.len();
    if points < 2 {
        return String::new();
    }
    let reference = match c.labels[0].as_str() {
        "" => "point 1".to_string(),
        label => format!("point 1 ({})", short(label)),
    };
    let mut out = format!(
        "Who gains and who loses, against {reference}: mean unmet demand per firm, point − \
         reference on the same trials, with its 95% interval (− is less unmet, a gain):\n"
    );
    let interval = |lo: f64, hi: f64| format!("({} to {})", signed_units(lo), signed_units(hi));
    for p in (1..points).take(EFFECT_POINTS) {
        let e: Effects = effects(c, p, Metric::Unmet);
        let (gains, losses, unclear) = (e.gains().count(), e.losses().count(), e.unclear().len());
        let firms = |n: usize| if n == 1 { "firm" } else { "firms" };
        let unclear = match unclear {
            0 => String::new(),
            n => format!(", {n} no clear change"),
        };
        out.push_str(&format!(
            "  point {} ({}): total {} {}; {gains} {} gain{}, {losses} lose{}{unclear}\n",
            p + 1,
            short(&c.labels[p]),
            signed_units(e.total.mean),
            interval(e.total.lo, e.total.hi),
            firms(gains),
            if gains == 1 { "s" } else { "" },
            if losses == 1 { "s" } else { "" },
        ));
        let lines = [
            ("gains most:", e.gains().next(), "no firm clearly gains"),
            ("loses most:", e.losses().next(), "no firm clearly loses"),
        ];
        // The two firms' names and figures in columns.
        let width = |f: &dyn Fn(&crate::compare::FirmEffect) -> usize| {
            lines
                .iter()
                .filter_map(|(_, firm, _)| firm.map(f))
                .max()
                .unwrap_or(0)
        };
        let name_width = width(&|f| f.name.chars().count());
        let mean_width = width(&|f| signed_units(f.mean).chars().count());
        for (what, firm, none) in lines {
            let line = match firm {
                Some(f) => format!(
                    "      {what} {:<name_width$}  {:>mean_width$}  {}",
                    f.name,
                    signed_units(f.mean),
                    interval(f.lo, f.hi)
                ),
                None => format!("      {what} {none}"),
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
        for u in &e.unpaired {
            out.push_str(&format!(
                "      {}: only in {}\n",
                u.name,
                short(side_label(c, p, u.listed_by))
            ));
        }
        if !e.unpaired.is_empty() {
            out.push_str(
                "      (no paired difference for these; each total is over its own scenario's \
                 firms, so these two cover different firms)\n",
            );
        }
    }
    if points - 1 > EFFECT_POINTS {
        out.push_str(&format!(
            "  … and {} more points: every point's difference per firm is in differences.csv\n",
            points - 1 - EFFECT_POINTS
        ));
    }
    out
}

/// The label of the side of the pair (point `p`, the reference) that lists a firm the other
/// does not: the point's, or the reference's.
pub(crate) fn side_label(c: &Comparison, p: usize, side: Side) -> &str {
    match side {
        Side::Reference => &c.labels[0],
        Side::Point => &c.labels[p],
    }
}

/// What stdout says under the table when the points do not all list the same firms: the totals
/// are each over the point's own firms, and which firms each point lacks or adds against the
/// reference.
pub(crate) fn different_firms_note(c: &Comparison) -> String {
    let mut out = String::from(
        "The scenarios list different firms, matched by name: each total is over its own \
         scenario's firms, so totals compared here cover different firms.",
    );
    let listed = |firms: Vec<&str>| firms.join(", ");
    for p in 1..c.summaries.len() {
        let unpaired = c.unpaired(p);
        if unpaired.is_empty() {
            continue;
        }
        let of = |side: Side| -> Vec<&str> {
            unpaired
                .iter()
                .filter(|(_, s)| *s == side)
                .map(|(f, _)| c.firms[*f].as_str())
                .collect()
        };
        let (adds, lacks) = (of(Side::Point), of(Side::Reference));
        let mut parts = Vec::new();
        if !adds.is_empty() {
            parts.push(format!("adds {}", listed(adds)));
        }
        if !lacks.is_empty() {
            parts.push(format!("lacks {}", listed(lacks)));
        }
        out.push_str(&format!(
            "\n  point {} ({}) {} against point 1.",
            p + 1,
            short(&c.labels[p]),
            parts.join(" and ")
        ));
    }
    out
}

/// A point's label cut to 40 characters for a line of stdout.
fn short(label: &str) -> String {
    if label.chars().count() > 40 {
        format!("{}…", label.chars().take(39).collect::<String>())
    } else {
        label.to_string()
    }
}
