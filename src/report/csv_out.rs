//! CSV exporters: tidy, one header row, opens in any spreadsheet.

use crate::model::Outcome;
use crate::stats::{Metric, STATS, Summary};

/// The metrics summary.csv reports, in order.
pub(crate) const SUMMARY_METRICS: [Metric; 6] = [
    Metric::Delivered,
    Metric::Unmet,
    Metric::Domestic,
    Metric::EffectiveUnmet,
    Metric::FillRate,
    Metric::Orders,
];

/// summary.csv: `firm,metric,stat,value` for every firm and the total.
pub fn summary_csv(summary: &Summary) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, ["firm", "metric", "stat", "value"]);
    for (firm, name) in summary.names.iter().enumerate() {
        for metric in SUMMARY_METRICS {
            let tally = summary.tally(firm, metric);
            for stat in STATS {
                let value = number(tally.stat(stat, metric.scale()), decimals(metric));
                write(&mut w, [name.as_str(), metric.name(), stat, &value]);
            }
        }
    }
    finish(w)
}

/// rounds.csv: per round, approval and halt rates and the distribution of cumulative deliveries.
pub fn rounds_csv(summary: &Summary) -> Vec<u8> {
    let mut w = writer();
    let percentiles = [
        ("p5", 0.05),
        ("p25", 0.25),
        ("p50", 0.5),
        ("p75", 0.75),
        ("p95", 0.95),
    ];
    let mut header = vec![
        "round",
        "approval_rate",
        "halt_rate",
        "halted_share",
        "delivered_mean",
    ];
    let names: Vec<String> = percentiles
        .iter()
        .map(|(p, _)| format!("delivered_{p}"))
        .collect();
    header.extend(names.iter().map(String::as_str));
    write(&mut w, header);
    let trials = summary.trials().max(1) as f64;
    for (r, round) in summary.rounds.iter().enumerate() {
        let mut row = vec![
            (r + 1).to_string(),
            number(round.approved as f64 / trials, 6),
            number(round.halted_here as f64 / trials, 6),
            number(round.halted_by as f64 / trials, 6),
            number(round.cumulative.mean(), 3),
        ];
        row.extend(
            percentiles
                .iter()
                .map(|(_, q)| number(round.cumulative.quantile(*q), 3)),
        );
        write(&mut w, &row);
    }
    finish(w)
}

/// Streams trials.csv, one row per trial and firm (`first_trial` is the index of
/// `outcomes[0]`), to `out`, so a large one is neither held in memory whole nor beyond the reach
/// of an interrupt between buffers.
pub fn write_trials_csv(
    out: &mut dyn std::io::Write,
    summary: &Summary,
    equivalence: f64,
    first_trial: u64,
    outcomes: &[Outcome],
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record([
        "trial",
        "firm",
        "orders",
        "delivered",
        "unmet",
        "domestic",
        "effective_unmet",
        "fill_rate",
        "approved_rounds",
        "halt_round",
    ])
    .map_err(csv_io)?;
    for (t, o) in outcomes.iter().enumerate() {
        let approved = o.approved.iter().filter(|a| **a).count().to_string();
        let halt = o.halt_round.map_or(String::new(), |h| h.to_string());
        for (i, name) in summary.names.iter().take(o.orders.len()).enumerate() {
            let unmet = o.unmet(i);
            let effective = unmet.saturating_sub(crate::units::floor_units(
                equivalence * o.domestic[i] as f64,
            ));
            let fill = if o.orders[i] == 0 {
                1.0
            } else {
                o.delivered[i] as f64 / o.orders[i] as f64
            };
            w.write_record([
                &(first_trial + t as u64).to_string(),
                name.as_str(),
                &o.orders[i].to_string(),
                &o.delivered[i].to_string(),
                &unmet.to_string(),
                &o.domestic[i].to_string(),
                &effective.to_string(),
                &number(fill, 9),
                &approved,
                &halt,
            ])
            .map_err(csv_io)?;
        }
    }
    w.flush()
}

/// The I/O error inside a CSV writer's error (a cancelled write stays recognisable), or the
/// error itself as an I/O error.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

pub(crate) fn decimals(metric: Metric) -> usize {
    if metric == Metric::FillRate { 9 } else { 3 }
}

/// A fixed-decimal rendering with trailing zeros trimmed, so files are stable and readable.
pub(crate) fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

pub(crate) fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

pub(crate) fn write<I, T>(w: &mut csv::Writer<Vec<u8>>, record: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    if let Err(e) = w.write_record(record) {
        unreachable!("writing CSV to memory cannot fail: {e}");
    }
}

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    match w.into_inner() {
        Ok(bytes) => bytes,
        Err(e) => unreachable!("flushing CSV to memory cannot fail: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_fixed_and_trimmed() {
        assert_eq!(number(412_345.0, 3), "412345");
        assert_eq!(number(0.5, 9), "0.5");
        assert_eq!(number(1.0 / 3.0, 3), "0.333");
        assert_eq!(number(-0.0001, 3), "0");
        assert_eq!(number(f64::NAN, 3), "");
    }
}
