//! The readable per-firm table `run` prints on stdout.

use crate::report::charts::data::FILL_RATE_IS;
use crate::stats::{Metric, Summary};

/// What the tables' fill rate is, said under the stdout table and report.html's summary table
/// (fill.png says it of its white dots): the mean of a per-trial ratio, which is not the ratio of
/// the mean deliveries to the mean orders (those weigh trials with large orders more).
pub fn fill_rate_note() -> String {
    format!(
        "{FILL_RATE_IS}; the tables give its mean over trials, not mean delivered ÷ mean orders."
    )
}

/// What the ± of the stdout table is, said under it.
pub const PLUS_MINUS_NOTE: &str = "±: half the width of the 95% confidence interval (the mean's from its standard error, the p95's from the order statistics; ci_low and ci_high in summary.csv).";

/// `v` with the half-width of its 95% interval `interval`: "265,093 ±1,205" ("265,093" where
/// there is none).
fn with_plus_minus(v: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((low, high)) => format!("{} ±{}", thousands(v), thousands((high - low) / 2.0)),
        None => thousands(v),
    }
}

/// Mean and p5/p50/p95 of delivered and unmet per firm (the means and p95s with the ± of their
/// 95% intervals), and mean fill rate, as aligned text, then a line saying what the ± is
/// ([`PLUS_MINUS_NOTE`]) and one saying what the fill rate is (`fill_rate_note`).
pub fn console_table(summary: &Summary) -> String {
    let header = [
        "firm",
        "delivered mean",
        "p5",
        "p50",
        "p95",
        "unmet mean",
        "p5",
        "p50",
        "p95",
        "fill rate mean",
    ];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (i, name) in summary.names.iter().enumerate() {
        let mut row = vec![name.clone()];
        for metric in [Metric::Delivered, Metric::Unmet] {
            let t = summary.tally(i, metric);
            row.push(with_plus_minus(t.mean(), t.mean_interval()));
            row.push(thousands(t.quantile(0.05)));
            row.push(thousands(t.quantile(0.5)));
            row.push(with_plus_minus(t.quantile(0.95), t.quantile_interval(0.95)));
        }
        row.push(format!(
            "{:.1}%",
            100.0 * summary.tally(i, Metric::FillRate).mean() * Metric::FillRate.scale()
        ));
        rows.push(row);
    }
    let mut table = aligned(&rows, |c| c == 0);
    table.push_str(PLUS_MINUS_NOTE);
    table.push('\n');
    table.push_str(&fill_rate_note());
    table.push('\n');
    table
}

/// `rows` (the first is the header) as columns two spaces apart, a rule of dashes under the
/// header, cells padded to their column's widest (counted in characters, so "Δ" and "…" take
/// one); columns for which `left(column)` holds are aligned left, the others right.
pub fn aligned(rows: &[Vec<String>], left: impl Fn(usize) -> bool) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.chars().count());
                if left(c) {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
    }
    out
}

/// A unit count rounded to the nearest unit, with thousands separators: 1234567.4 → "1,234,567".
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < -0.5 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::{aligned, thousands};

    #[test]
    fn aligned_pads_by_characters() {
        let rows: Vec<Vec<String>> = [["name", "Δ"], ["Tencent", "+1.2k"], ["Ba…", "3"]]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            aligned(&rows, |c| c == 0),
            "name         Δ\n-------  -----\nTencent  +1.2k\nBa…          3\n"
        );
    }

    #[test]
    fn separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
