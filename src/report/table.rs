//! The readable per-firm table `run` prints on stdout.

use crate::stats::{Metric, Summary};

/// Mean and p5/p50/p95 of delivered and unmet per firm, and mean fill rate, as aligned text.
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
        "fill rate",
    ];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (i, name) in summary.names.iter().enumerate() {
        let mut row = vec![name.clone()];
        for metric in [Metric::Delivered, Metric::Unmet] {
            let t = summary.tally(i, metric);
            row.push(thousands(t.mean()));
            for q in [0.05, 0.5, 0.95] {
                row.push(thousands(t.quantile(q)));
            }
        }
        row.push(format!(
            "{:.1}%",
            100.0 * summary.tally(i, Metric::FillRate).mean() * Metric::FillRate.scale()
        ));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(
                &widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  "),
            );
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
    use super::thousands;

    #[test]
    fn separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
