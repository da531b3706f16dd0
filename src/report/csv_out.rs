//! CSV exporters: tidy, one header row, opens in any spreadsheet.

use crate::model::Outcome;
use crate::report::format::number;
use crate::stats::{
    FirmInputs, METRICS, Metric, Quantity, STATS, Summary, Tally, TrialTally, firm_metric_values,
};

/// One firm's (or the total's) metric in summary.csv: what each of its rows says.
pub(crate) struct SummaryRow<'a> {
    /// The firm's name, or "total".
    pub firm: &'a str,
    /// The metric's name in outputs: `unmet`, `rounds_in_calm`, `entry_round`.
    pub metric: String,
    /// Its name for people, with its unit: "Unmet demand (units)".
    pub heading: String,
    /// What it counts.
    pub quantity: Quantity,
    /// Factor from the tallied integer to the reported value.
    pub scale: f64,
    /// Decimals written in CSV files.
    pub decimals: usize,
    /// Its values over trials.
    pub tally: &'a Tally,
}

impl SummaryRow<'_> {
    /// Statistic `stat` of [`crate::stats::STATS`] as summary.csv writes it.
    pub fn value(&self, stat: &str) -> String {
        number(self.tally.stat(stat, self.scale), self.decimals)
    }

    /// The 95% interval of statistic `stat` as summary.csv writes it (`ci_low`, `ci_high`):
    /// empty cells where none is defined ([`Tally::interval`]).
    pub fn interval(&self, stat: &str) -> [String; 2] {
        interval_cells(self.tally, stat, self.scale, self.decimals)
    }
}

/// summary.csv's `ci_low` and `ci_high` of `tally`'s statistic `stat`: its 95% interval
/// ([`Tally::interval`]) scaled and written as the value is, or two empty cells.
pub(crate) fn interval_cells(
    tally: &Tally,
    stat: &str,
    scale: f64,
    decimals: usize,
) -> [String; 2] {
    match tally.interval(stat, scale) {
        Some((low, high)) => [number(low, decimals), number(high, decimals)],
        None => [String::new(), String::new()],
    }
}

/// The columns of summary.csv (and the last columns of comparison.csv).
pub(crate) const SUMMARY_COLUMNS: [&str; 6] =
    ["firm", "metric", "stat", "value", "ci_low", "ci_high"];

/// The metrics of summary.csv (and of a comparison's point) in their order: for each firm and
/// then the total, the reported metrics ([`Metric::reported`]), then the per-trial metrics
/// reported on that row (the total's rounds in each regime, a drawn firm's entry round).
pub(crate) fn summary_rows(summary: &Summary) -> Vec<SummaryRow<'_>> {
    let mut rows = Vec::new();
    for (firm, name) in summary.names.iter().enumerate() {
        for metric in Metric::reported() {
            let spec = metric.spec();
            rows.push(SummaryRow {
                firm: name,
                metric: spec.name.to_string(),
                heading: spec.heading(),
                quantity: spec.quantity,
                scale: spec.scale,
                decimals: spec.decimals,
                tally: summary.tally(firm, metric),
            });
        }
        rows.extend(
            summary
                .per_trial_on(firm)
                .map(|t| per_trial_row(summary, t)),
        );
    }
    rows
}

/// The rows of summary.csv's layout that are per-trial metrics ([`crate::stats::TRIAL_METRICS`]),
/// in its order: firm by firm, then the total's (a comparison's point lists them after its
/// firms' metrics).
pub(crate) fn per_trial_rows(summary: &Summary) -> Vec<SummaryRow<'_>> {
    (0..summary.names.len())
        .flat_map(|row| summary.per_trial_on(row))
        .map(|t| per_trial_row(summary, t))
        .collect()
}

fn per_trial_row<'a>(summary: &'a Summary, t: &'a TrialTally) -> SummaryRow<'a> {
    let spec = t.metric.spec();
    SummaryRow {
        firm: &summary.names[summary.row_of(t)],
        metric: summary.trial_name(t),
        heading: summary.trial_heading(t),
        quantity: spec.quantity,
        scale: 1.0,
        decimals: spec.decimals,
        tally: &t.tally,
    }
}

/// summary.csv: `firm,metric,stat,value,ci_low,ci_high` for every firm and the total
/// ([`summary_rows`]); the interval is the 95% one of [`Tally::interval`], empty where there
/// is none.
pub fn summary_csv(summary: &Summary) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, SUMMARY_COLUMNS);
    for row in summary_rows(summary) {
        for stat in STATS {
            let [low, high] = row.interval(stat);
            write(
                &mut w,
                [row.firm, &row.metric, stat, &row.value(stat), &low, &high],
            );
        }
    }
    finish(w)
}

/// The percentiles of cumulative deliveries after each round in rounds.csv (and the workbook's
/// rounds sheet): `delivered_p5` … `delivered_p95`.
pub(crate) const ROUND_PERCENTILES: [(&str, f64); 5] = [
    ("p5", 0.05),
    ("p25", 0.25),
    ("p50", 0.5),
    ("p75", 0.75),
    ("p95", 0.95),
];

/// The column of rounds.csv (and of the workbook's rounds sheet) holding each round's share of
/// trials in regime `name`: `regime_calm_share`.
pub(crate) fn regime_share_column(name: &str) -> String {
    format!("regime_{name}_share")
}

/// Each round's share of trials in each regime, `shares[r][k]` (none without regimes): the
/// numbers of rounds.csv's regime columns, the regimes chart and the report's rounds table.
pub fn regime_shares(summary: &Summary) -> Vec<Vec<f64>> {
    let trials = summary.trials().max(1) as f64;
    summary
        .rounds
        .iter()
        .map(|round| round.regimes.iter().map(|&c| c as f64 / trials).collect())
        .collect()
}

/// rounds.csv: per round, approval and halt rates and the distribution of cumulative deliveries,
/// then, with regimes, the share of trials in each regime ([`regime_share_column`]).
pub fn rounds_csv(summary: &Summary) -> Vec<u8> {
    let mut w = writer();
    let percentiles = ROUND_PERCENTILES;
    let mut header: Vec<String> = [
        "round",
        "approval_rate",
        "halt_rate",
        "halted_share",
        "delivered_mean",
    ]
    .map(String::from)
    .to_vec();
    header.extend(percentiles.iter().map(|(p, _)| format!("delivered_{p}")));
    header.extend(summary.regimes.iter().map(|g| regime_share_column(g)));
    write(&mut w, header);
    let trials = summary.trials().max(1) as f64;
    let shares = regime_shares(summary);
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
        row.extend(shares[r].iter().map(|&share| number(share, 6)));
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
    let mut header = vec!["trial", "firm"];
    header.extend(METRICS.iter().map(|spec| spec.name));
    header.extend(["approved_rounds", "halt_round"]);
    w.write_record(&header).map_err(csv_io)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for (t, o) in outcomes.iter().enumerate() {
        let trial = (first_trial + t as u64).to_string();
        let approved = o.approved.iter().filter(|a| **a).count().to_string();
        let halt = o.halt_round.map_or(String::new(), |h| h.to_string());
        for (i, name) in summary.names.iter().take(o.orders.len()).enumerate() {
            let values = firm_metric_values(&FirmInputs::of(equivalence, o, i));
            row.clear();
            row.extend([trial.clone(), name.clone()]);
            row.extend(
                METRICS
                    .iter()
                    .zip(&values)
                    .map(|(spec, &v)| metric_value(spec.metric, v)),
            );
            row.extend([approved.clone(), halt.clone()]);
            w.write_record(&row).map_err(csv_io)?;
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

/// One trial's tallied value `v` of `metric` as written in trials.csv: an integer metric exactly
/// (at any size), a scaled one (a fill rate) with the metric's decimals.
pub(crate) fn metric_value(metric: Metric, v: u64) -> String {
    if metric.scale() == 1.0 {
        v.to_string()
    } else {
        number(v as f64 * metric.scale(), metric.decimals())
    }
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
