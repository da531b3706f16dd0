//! Exporters of a comparison (sweep, compare, sensitivity): comparison.csv with every point's
//! summary statistics, differences.csv with the paired differences against the reference point,
//! sensitivity.csv with the ranked swings, and the short table printed on stdout.

use crate::compare::{Comparison, PAIRED_METRICS, swings};
use crate::report::csv_out::{finish, write, writer};
use crate::report::format::number;
use crate::report::format::{signed_units, units_label};
use crate::report::table;
use crate::stats::{Metric, STATS};

/// The leading columns of every row of point `p`: its number (1-based), then its knob values.
fn point_columns(c: &Comparison, p: usize) -> Vec<String> {
    let mut row = vec![(p + 1).to_string()];
    row.extend(c.settings[p].iter().cloned());
    row
}

fn header(c: &Comparison, rest: &[&str]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(c.knobs.iter().cloned());
    h.extend(rest.iter().map(|s| s.to_string()));
    h
}

/// comparison.csv: `point`, one column per knob, then `firm,metric,stat,value` exactly as in
/// summary.csv, for every point.
pub fn comparison_csv(c: &Comparison) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, header(c, &["firm", "metric", "stat", "value"]));
    for (p, summary) in c.summaries.iter().enumerate() {
        let lead = point_columns(c, p);
        for (firm, name) in summary.names.iter().enumerate() {
            for metric in Metric::reported() {
                let tally = summary.tally(firm, metric);
                for stat in STATS {
                    let value = number(tally.stat(stat, metric.scale()), metric.decimals());
                    let mut row = lead.clone();
                    row.extend([name.clone(), metric.name().into(), stat.into(), value]);
                    write(&mut w, &row);
                }
            }
        }
    }
    finish(w)
}

/// differences.csv: per point, firm and metric (unmet, delivered, domestic), the mean paired
/// difference against point 1, its 95% confidence interval, the sd of the differences, the share
/// of trials in which the point leaves the firm worse off, and the number of pairs.
pub fn differences_csv(c: &Comparison) -> Vec<u8> {
    let mut w = writer();
    write(
        &mut w,
        header(
            c,
            &[
                "firm",
                "metric",
                "mean_diff",
                "ci_low",
                "ci_high",
                "sd_diff",
                "share_worse",
                "n",
            ],
        ),
    );
    let names = names(c);
    for (p, paired) in c.paired.iter().enumerate() {
        let lead = point_columns(c, p);
        for (firm, name) in names.iter().enumerate() {
            for metric in PAIRED_METRICS {
                let d = paired.diff(firm, metric);
                let (lo, hi) = d.ci95();
                let mut row = lead.clone();
                row.extend([
                    name.clone(),
                    metric.name().to_string(),
                    number(d.mean(), 3),
                    number(lo, 3),
                    number(hi, 3),
                    number(d.sd(), 3),
                    number(d.share(metric.worse()), 6),
                    d.count().to_string(),
                ]);
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
fn names(c: &Comparison) -> Vec<String> {
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
        let t = c.summaries[p].tally(total, Metric::Unmet);
        let d = c.paired[p].diff(total, Metric::Unmet);
        let (lo, hi) = d.ci95();
        let mut row = point_columns(c, p);
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
