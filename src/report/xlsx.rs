//! results.xlsx: the tables of a run (summary.csv, rounds.csv) or of a comparison
//! (comparison.csv, differences.csv, sensitivity.csv) as formatted Excel sheets, numbers as
//! numbers with the values the CSV files hold, plus an "about" sheet saying what was run and
//! what each sheet and column means.
//!
//! The summary and comparison sheets are wide: one row per firm and metric, one column per
//! statistic, each row in the metric's own number format (units with thousands separators, a
//! fill rate as a percentage), where the CSV files have one row per statistic. Every cell's
//! value is the CSV's, parsed: a reader who joins the two sees equal numbers.
//!
//! The workbook is reproducible: rust_xlsxwriter stamps every part of the zip with the same
//! date and, given one, writes a fixed creation date in docProps/core.xml, so the same results
//! give the same bytes.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::compare::{Comparison, Kind, PAIRED_METRICS, Plan, swings};
use crate::report::RunInfo;
use crate::report::compare_out;
use crate::report::csv_out::{
    ROUND_PERCENTILES, SummaryRow, per_trial_rows, regime_share_column, regime_shares, summary_rows,
};
use crate::report::format::{group_digits, number};
use crate::stats::{Metric, Quantity, STATS, Summary, trial_layout};

/// Rows an Excel sheet holds, its header row included.
pub const MAX_ROWS: u64 = 1_048_576;

/// Characters an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The creation date written in every workbook's properties: fixed, so that the same results
/// give the same bytes (the date rust_xlsxwriter stamps on every part of the zip, too). No
/// output of allocsim records when it was run.
const CREATED: (u16, u8, u8) = (1980, 1, 1);

/// Why a workbook cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// A sheet would have more rows than Excel holds.
    #[error(
        "results.xlsx cannot hold the {sheet} sheet: it would have {} rows and an Excel sheet \
         holds at most {}; leave out --xlsx (the CSV files hold every row), or run fewer points \
         or firms",
        group_digits(*rows),
        group_digits(MAX_ROWS)
    )]
    TooManyRows {
        /// The sheet's name.
        sheet: &'static str,
        /// The rows it would have, with its header.
        rows: u64,
    },
    /// A value is longer than an Excel cell holds.
    #[error(
        "results.xlsx cannot hold {what}: it is {} characters long and an Excel cell holds at \
         most {}; leave out --xlsx (the CSV files hold it)",
        group_digits(*chars as u64),
        group_digits(MAX_CELL_CHARS as u64)
    )]
    TooLong {
        /// Which value, for the message: "the value of knob 'approval.batch' at point 3".
        what: String,
        /// Its length in characters.
        chars: usize,
    },
    /// The workbook writer failed (not expected for the sheets built here).
    #[error("cannot build results.xlsx: {0}")]
    Writer(#[from] XlsxError),
}

impl WorkbookError {
    /// Whether the request is the user's to change (results too large for Excel) rather than a
    /// failure of the writer.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, WorkbookError::Writer(_))
    }
}

/// How a number is shown: the Excel number format of its cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// A number that names its row more than it counts: a point, round or rank, a knob's
    /// value. As Excel shows any number, but aligned left like the names beside it.
    Key,
    /// A count or a number of units, rounded to a whole number, with thousands separators.
    Grouped,
    /// Units to a tenth, with separators: a standard error, whose decimals matter.
    GroupedTenth,
    /// A signed difference of units: "+1,234", "-567", "0".
    Signed,
    /// A signed difference of rounds: "+0.25", "-1.50", "0.00".
    SignedHundredth,
    /// A number as typed in the scenario (a factor, a ratio), right-aligned as numbers are.
    Value,
    /// A small number with two decimals: a number of rounds, a round's number, a factor.
    Hundredth,
    /// A share as a percentage with one decimal.
    Percent,
    /// A share as a percentage with two decimals: a standard error.
    PercentHundredth,
    /// A signed difference of shares as a percentage.
    SignedPercent,
}

impl Look {
    const ALL: [Look; 10] = [
        Look::Key,
        Look::Value,
        Look::Grouped,
        Look::GroupedTenth,
        Look::Signed,
        Look::Hundredth,
        Look::SignedHundredth,
        Look::Percent,
        Look::PercentHundredth,
        Look::SignedPercent,
    ];

    /// The Excel number format.
    fn format(self) -> &'static str {
        match self {
            Look::Key => "General",
            Look::Grouped => "#,##0",
            Look::GroupedTenth => "#,##0.0",
            Look::Signed => "+#,##0;-#,##0;0",
            Look::Value => "General",
            Look::Hundredth => "0.00",
            Look::SignedHundredth => "+0.00;-0.00;0.00",
            Look::Percent => "0.0%",
            Look::PercentHundredth => "0.00%",
            Look::SignedPercent => "+0.0%;-0.0%;0.0%",
        }
    }

    /// About how many characters Excel shows for `v` (for the column widths).
    fn shown_chars(self, v: f64) -> usize {
        let digits = group_digits(v.abs().round() as u64).len();
        let minus = usize::from(v.round() < 0.0);
        match self {
            Look::Key | Look::Value => number(v, 6).len(),
            Look::Grouped => digits + minus,
            Look::GroupedTenth => digits + minus + 2,
            // A sign on all but zero.
            Look::Signed => digits + usize::from(v.round() != 0.0),
            Look::Hundredth => format!("{v:.2}").len(),
            Look::SignedHundredth => format!("{v:+.2}").len(),
            Look::Percent => format!("{:.1}%", v * 100.0).len(),
            Look::PercentHundredth => format!("{:.2}%", v * 100.0).len(),
            Look::SignedPercent => format!("{:+.1}%", v * 100.0).len(),
        }
    }

    /// The look of a statistic `stat` of a metric that counts `quantity`: a standard error one
    /// decimal finer than the rest.
    fn of_stat(quantity: Quantity, stat: &str) -> Look {
        match (quantity, stat == "se") {
            (Quantity::Units, false) => Look::Grouped,
            (Quantity::Units, true) => Look::GroupedTenth,
            (Quantity::Share, false) => Look::Percent,
            (Quantity::Share, true) => Look::PercentHundredth,
            (Quantity::Rounds, _) => Look::Hundredth,
        }
    }

    /// The look of a difference of a metric that counts `quantity`.
    fn of_difference(quantity: Quantity) -> Look {
        match quantity {
            Quantity::Units => Look::Signed,
            Quantity::Share => Look::SignedPercent,
            Quantity::Rounds => Look::SignedHundredth,
        }
    }

    /// The look of a spread (a standard deviation) of differences.
    fn of_spread(quantity: Quantity) -> Look {
        match quantity {
            Quantity::Units => Look::Grouped,
            Quantity::Share => Look::Percent,
            Quantity::Rounds => Look::Hundredth,
        }
    }
}

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Number(f64, Look),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The number a CSV file writes for `v` with `decimals` (empty when not finite), as a number.
    fn csv(v: f64, decimals: usize, look: Look) -> Cell {
        match number(v, decimals).parse::<f64>() {
            Ok(x) => Cell::Number(x, look),
            Err(_) => Cell::Empty,
        }
    }

    /// A value typed by the user (a knob's setting): a number when it reads as one, so Excel
    /// sorts and filters it as a number, else the text as typed.
    fn typed(s: &str) -> Cell {
        match s.trim().parse::<f64>() {
            _ if s.is_empty() => Cell::Empty,
            Ok(x) if x.is_finite() => Cell::Number(x, Look::Key),
            _ => Cell::text(s),
        }
    }

    /// About how many characters the cell shows.
    fn shown_chars(&self) -> usize {
        match self {
            Cell::Text(s) => s.chars().count(),
            Cell::Number(v, look) => look.shown_chars(*v),
            Cell::Empty => 0,
        }
    }
}

/// A sheet before it is written: a bold, frozen header row and its rows.
#[derive(Debug)]
pub(crate) struct Sheet {
    /// The sheet's name (its tab).
    pub(crate) name: &'static str,
    /// The header row.
    pub(crate) header: Vec<String>,
    /// The rows under it.
    pub(crate) rows: Vec<Vec<Cell>>,
    /// Whether the header row has drop-down filters (a table of data, not the about sheet).
    filter: Filter,
}

/// The numbers of `cells` (NaN for a cell that holds none), for tests.
#[cfg(test)]
pub(crate) fn numbers(cells: &[Cell]) -> Vec<f64> {
    cells
        .iter()
        .map(|c| match c {
            Cell::Number(v, _) => *v,
            _ => f64::NAN,
        })
        .collect()
}

/// The texts of `cells` (empty for a cell that holds none), for tests.
#[cfg(test)]
pub(crate) fn texts(cells: &[Cell]) -> Vec<String> {
    cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => s.clone(),
            _ => String::new(),
        })
        .collect()
}

/// Whether a sheet's header row gets Excel's drop-down filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// A table of data: sort and filter by any column.
    Columns,
    /// Labelled lines of text.
    None,
}

/// Column widths (in characters) are what the cells show, within these bounds.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 48;

/// The workbook of a finished run (simulated whole, or merged from shards): the sheets
/// "summary" and "rounds" (summary.csv and rounds.csv), "regimes" for a scenario with regimes,
/// then "about".
pub fn run_xlsx(info: &RunInfo, summary: &Summary) -> Result<Vec<u8>, WorkbookError> {
    workbook(
        &format!("allocsim results: {}", info.name),
        run_sheets(info, summary),
    )
}

/// The sheets of [`run_xlsx`].
pub(crate) fn run_sheets(info: &RunInfo, summary: &Summary) -> Vec<Sheet> {
    let summary_sheet = Sheet {
        name: "summary",
        header: stats_header(&[]),
        rows: stats_rows(&summary_rows(summary), &[]),
        filter: Filter::Columns,
    };
    let mut about = vec![
        (
            "what",
            Cell::text(format!(
                "Results of the allocsim run of scenario '{}'",
                info.name
            )),
        ),
        ("description", Cell::text(info.description.clone())),
        ("trials", Cell::text(group_digits(info.trials))),
        // Text: a seed may exceed what a spreadsheet's numbers hold exactly (2^53).
        ("seed", Cell::text(info.seed.to_string())),
        ("firms", Cell::text(info.firms.join(", "))),
    ];
    let knobs: Vec<(&str, Cell)> = info
        .knobs
        .iter()
        .map(|(label, value)| (label.as_str(), Cell::text(value.clone())))
        .collect();
    about.extend(knobs);
    about.extend(common_about());
    about.extend([
        (
            "sheet summary",
            Cell::text(
                "per firm (and the total of all firms) and metric, statistics over all trials: \
                 summary.csv with one column per statistic",
            ),
        ),
        (
            "sheet rounds",
            Cell::text(if summary.regimes.is_empty() {
                "per approval round: the share of trials in which it was approved, in which an \
                 event halted it, and halted by then; the distribution of the units delivered \
                 by its end (rounds.csv)"
            } else {
                "per approval round: the share of trials in which it was approved, in which an \
                 event halted it, and halted by then; the distribution of the units delivered \
                 by its end; the share of trials in each regime (rounds.csv)"
            }),
        ),
    ]);
    let mut sheets = vec![summary_sheet, rounds_sheet(summary)];
    if !info.regimes.is_empty() {
        about.push((
            "sheet regimes",
            Cell::text(
                "per regime, its effects on the rounds in it (factors on the approval \
                 probability, the batch, the conversion rate and the domestic supply; its \
                 domestic ratio, empty where the trial's own applies; whether it holds every \
                 round), the chance that round 1 is in it, and the chance of each regime in the \
                 round after one in it (columns to_…)",
            ),
        ));
        sheets.push(regimes_sheet(info));
    }
    sheets.push(about_sheet(about));
    sheets
}

/// The regimes of a run: effects, initial probability and transition row, a row per regime.
fn regimes_sheet(info: &RunInfo) -> Sheet {
    let mut header: Vec<String> = [
        "regime",
        "approval_factor",
        "batch_factor",
        "conversion_factor",
        "domestic_ratio",
        "domestic_supply_factor",
        "hold",
        "initial",
    ]
    .map(String::from)
    .to_vec();
    header.extend(info.regimes.iter().map(|g| format!("to_{}", g.name)));
    let rows = info
        .regimes
        .iter()
        .map(|g| {
            let mut row = vec![
                Cell::text(g.name.clone()),
                Cell::Number(g.approval_factor, Look::Value),
                Cell::Number(g.batch_factor, Look::Value),
                Cell::Number(g.conversion_factor, Look::Value),
                g.domestic_ratio
                    .map_or(Cell::Empty, |r| Cell::Number(r, Look::Value)),
                Cell::Number(g.domestic_supply_factor, Look::Value),
                Cell::text(if g.hold { "yes" } else { "no" }),
                Cell::Number(g.initial, Look::Percent),
            ];
            row.extend(g.transition.iter().map(|&p| Cell::Number(p, Look::Percent)));
            row
        })
        .collect();
    Sheet {
        name: "regimes",
        header,
        rows,
        filter: Filter::Columns,
    }
}

/// The workbook of a comparison (sweep, compare, sensitivity): the sheets "comparison" and
/// "differences" (comparison.csv and differences.csv), "sensitivity" for a sensitivity
/// analysis (sensitivity.csv), then "about".
pub fn comparison_xlsx(c: &Comparison) -> Result<Vec<u8>, WorkbookError> {
    check_texts(&c.knobs, &c.settings)?;
    workbook(
        &format!("allocsim {}: {}", c.kind.name(), c.name),
        comparison_sheets(c),
    )
}

/// The sheets of [`comparison_xlsx`].
pub(crate) fn comparison_sheets(c: &Comparison) -> Vec<Sheet> {
    let lead = compare_out::header(c, &[]);
    let lead: Vec<&str> = lead.iter().map(String::as_str).collect();
    let mut comparison = Sheet {
        name: "comparison",
        header: stats_header(&lead),
        rows: Vec::new(),
        filter: Filter::Columns,
    };
    for p in 0..c.summaries.len() {
        let lead = point_cells(c, p);
        // comparison.csv's rows: every firm of the comparison in its order, then the total;
        // a firm the point does not list has its statistics empty.
        for (f, name) in compare_out::names(c).iter().enumerate() {
            comparison
                .rows
                .extend(firm_rows(name, &|m| c.tally(p, f, m), &lead));
        }
        comparison
            .rows
            .extend(stats_rows(&per_trial_rows(&c.summaries[p]), &lead));
    }
    let sensitivity = c.kind == Kind::Sensitivity;
    let mut sheets = vec![comparison, differences_sheet(c)];
    if sensitivity {
        sheets.push(sensitivity_sheet(c));
    }

    let mut about = vec![
        (
            "what",
            Cell::text(format!(
                "Results of allocsim {} of scenario '{}': {} points on common random numbers",
                c.kind.name(),
                c.name,
                c.summaries.len()
            )),
        ),
        ("trials per point", Cell::text(group_digits(c.trials))),
        ("seed", Cell::text(c.seed.to_string())),
        ("firms", Cell::text(c.firms.join(", "))),
        ("knobs", Cell::text(c.knobs.join(", "))),
    ];
    about.extend(common_about());
    about.extend([
        (
            "sheet comparison",
            Cell::text(
                "per point (its knob values; empty: the scenario's own), firm (and the total) \
                 and metric, statistics over the point's trials: comparison.csv with one column \
                 per statistic",
            ),
        ),
        (
            "sheet differences",
            Cell::text(
                "per point, firm and metric, the mean over trials of (point − point 1), paired \
                 on the same trials, its 95% confidence interval, the sd of the differences, the \
                 share of trials in which the point leaves the firm worse off, and the number of \
                 pairs (differences.csv)",
            ),
        ),
    ]);
    if sensitivity {
        about.push((
            "sheet sensitivity",
            Cell::text(
                "the knobs ranked by their swing in mean total unmet demand from their low to \
                 their high value, the others as in the scenario (sensitivity.csv)",
            ),
        ));
    }
    sheets.push(about_sheet(about));
    sheets
}

/// Checks, before any point runs, that `plan`'s comparison fits in a workbook: no sheet longer
/// than Excel's rows, no knob or value longer than a cell.
pub fn check_comparison_xlsx(plan: &Plan) -> Result<(), WorkbookError> {
    let settings: Vec<Vec<String>> = plan.points.iter().map(|p| p.settings.clone()).collect();
    check_texts(&plan.knobs, &settings)?;
    let lists: Vec<Vec<String>> = plan
        .points
        .iter()
        .map(|p| crate::compare::plan::firm_names(&p.scenario))
        .collect();
    let firms = crate::compare::FirmMatch::new(&lists).names.len();
    let per_trial: u64 = plan
        .points
        .iter()
        .map(|p| trial_layout(p.scenario.regimes.list.len(), &p.scenario.firms).len() as u64)
        .sum();
    for (sheet, rows) in planned_rows(plan.points.len(), firms, per_trial) {
        check_rows(sheet, rows)?;
    }
    Ok(())
}

/// The rows, with the header, of the long sheets of a comparison of `points` points of `firms`
/// firms whose per-trial metrics have `per_trial` members in all (a regime's, a drawn firm's):
/// per point, a row per firm and the total times the metrics of each sheet, and on the
/// comparison sheet a row per member.
pub(crate) fn planned_rows(
    points: usize,
    firms: usize,
    per_trial: u64,
) -> [(&'static str, u64); 2] {
    let per_point = (firms as u64 + 1) * points as u64;
    [
        (
            "comparison",
            per_point * Metric::reported().count() as u64 + per_trial + 1,
        ),
        ("differences", per_point * PAIRED_METRICS.len() as u64 + 1),
    ]
}

fn check_rows(sheet: &'static str, rows: u64) -> Result<(), WorkbookError> {
    if rows > MAX_ROWS {
        return Err(WorkbookError::TooManyRows { sheet, rows });
    }
    Ok(())
}

/// The knob names and every point's settings fit in a cell.
fn check_texts(knobs: &[String], settings: &[Vec<String>]) -> Result<(), WorkbookError> {
    let too_long = |what: String, s: &str| {
        let chars = s.chars().count();
        (chars > MAX_CELL_CHARS).then_some(WorkbookError::TooLong { what, chars })
    };
    for knob in knobs {
        if let Some(e) = too_long("a knob's name".to_string(), knob) {
            return Err(e);
        }
    }
    for (p, point) in settings.iter().enumerate() {
        for (knob, value) in knobs.iter().zip(point) {
            let what = || {
                let short: String = knob.chars().take(60).collect();
                format!("the value of knob '{short}' at point {}", p + 1)
            };
            if let Some(e) = too_long(what(), value) {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// `lead`, then firm, metric, label and one column per statistic.
fn stats_header(lead: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = lead.iter().map(|s| s.to_string()).collect();
    header.extend(["firm", "metric", "label"].map(String::from));
    header.extend(STATS.iter().map(|s| s.to_string()));
    header
}

/// One row per row of summary.csv's layout ([`summary_rows`]), each starting with `lead` and
/// holding summary.csv's value of every statistic.
fn stats_rows(summary_rows: &[SummaryRow], lead: &[Cell]) -> Vec<Vec<Cell>> {
    summary_rows
        .iter()
        .map(|r| {
            let mut row = lead.to_vec();
            row.extend([
                Cell::text(r.firm),
                Cell::text(r.metric.clone()),
                Cell::text(r.heading.clone()),
            ]);
            row.extend(STATS.iter().map(|stat| {
                Cell::csv(
                    r.tally.stat(stat, r.scale),
                    r.decimals,
                    Look::of_stat(r.quantity, stat),
                )
            }));
            row
        })
        .collect()
}

/// The rows of one firm (or the total) named `name`, one per reported metric, each starting
/// with `lead`; `tally` gives the firm's tally of a metric, or `None` when a comparison's point
/// does not list the firm (its statistics are then empty).
fn firm_rows<'a>(
    name: &str,
    tally: &dyn Fn(Metric) -> Option<&'a crate::stats::Tally>,
    lead: &[Cell],
) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for metric in Metric::reported() {
        let spec = metric.spec();
        let tally = tally(metric);
        let mut row = lead.to_vec();
        row.extend([
            Cell::text(name),
            Cell::text(spec.name),
            Cell::text(spec.heading()),
        ]);
        row.extend(STATS.iter().map(|stat| match tally {
            Some(t) => Cell::csv(
                t.stat(stat, metric.scale()),
                metric.decimals(),
                Look::of_stat(spec.quantity, stat),
            ),
            None => Cell::Empty,
        }));
        rows.push(row);
    }
    rows
}

/// rounds.csv's table: per round, the approval, halt and halted-by-then shares, and the mean and
/// percentiles of the units delivered by its end.
fn rounds_sheet(summary: &Summary) -> Sheet {
    let mut header: Vec<String> = [
        "round",
        "approval_rate",
        "halt_rate",
        "halted_share",
        "delivered_mean",
    ]
    .map(String::from)
    .to_vec();
    header.extend(
        ROUND_PERCENTILES
            .iter()
            .map(|(p, _)| format!("delivered_{p}")),
    );
    header.extend(summary.regimes.iter().map(|g| regime_share_column(g)));
    let shares = regime_shares(summary);
    let trials = summary.trials().max(1) as f64;
    let rows = summary
        .rounds
        .iter()
        .enumerate()
        .map(|(r, round)| {
            let mut row = vec![
                Cell::Number((r + 1) as f64, Look::Key),
                Cell::csv(round.approved as f64 / trials, 6, Look::Percent),
                Cell::csv(round.halted_here as f64 / trials, 6, Look::Percent),
                Cell::csv(round.halted_by as f64 / trials, 6, Look::Percent),
                Cell::csv(round.cumulative.mean(), 3, Look::Grouped),
            ];
            row.extend(
                ROUND_PERCENTILES
                    .iter()
                    .map(|(_, q)| Cell::csv(round.cumulative.quantile(*q), 3, Look::Grouped)),
            );
            row.extend(shares[r].iter().map(|&s| Cell::csv(s, 6, Look::Percent)));
            row
        })
        .collect();
    Sheet {
        name: "rounds",
        header,
        rows,
        filter: Filter::Columns,
    }
}

/// The leading cells of point `p`'s rows, as the CSVs have them: its number, its knob values
/// (the scenario's where a sensitivity point keeps it), then the fixed overrides' values.
fn point_cells(c: &Comparison, p: usize) -> Vec<Cell> {
    let mut cells = vec![Cell::Number((p + 1) as f64, Look::Key)];
    cells.extend(
        compare_out::point_columns(c, p)
            .iter()
            .skip(1)
            .map(|v| Cell::typed(v)),
    );
    cells
}

/// differences.csv's table.
fn differences_sheet(c: &Comparison) -> Sheet {
    let header = compare_out::header(c, &compare_out::DIFFERENCES_COLUMNS);
    let names = compare_out::names(c);
    let mut rows = Vec::new();
    for p in 0..c.paired.len() {
        let lead = point_cells(c, p);
        for (firm, name) in names.iter().enumerate() {
            for metric in PAIRED_METRICS {
                let quantity = metric.spec().quantity;
                let mut row = lead.clone();
                row.extend([Cell::text(name.clone()), Cell::text(metric.name())]);
                // As differences.csv: nothing to pair, empty cells and no pairs.
                let all_better = if firm + 1 == names.len() {
                    Cell::csv(c.paired[p].share_all_better(metric), 6, Look::Percent)
                } else {
                    Cell::Empty
                };
                let Some(d) = c.diff(p, firm, metric) else {
                    row.extend(std::iter::repeat_n(Cell::Empty, 5));
                    row.push(Cell::Number(0.0, Look::Grouped));
                    row.extend(std::iter::repeat_n(Cell::Empty, 3));
                    row.push(all_better);
                    rows.push(row);
                    continue;
                };
                let (lo, hi) = d.ci95();
                let diff = Look::of_difference(quantity);
                row.extend([
                    Cell::csv(d.mean(), 3, diff),
                    Cell::csv(lo, 3, diff),
                    Cell::csv(hi, 3, diff),
                    Cell::csv(d.sd(), 3, Look::of_spread(quantity)),
                    Cell::csv(d.share(metric.worse()), 6, Look::Percent),
                    Cell::Number(d.count() as f64, Look::Grouped),
                ]);
                row.extend(
                    compare_out::DIFFERENCE_PERCENTILES.map(|q| Cell::csv(d.quantile(q), 3, diff)),
                );
                row.push(all_better);
                rows.push(row);
            }
        }
    }
    Sheet {
        name: "differences",
        header,
        rows,
        filter: Filter::Columns,
    }
}

/// sensitivity.csv's table.
fn sensitivity_sheet(c: &Comparison) -> Sheet {
    let header = [
        "rank",
        "knob",
        "low",
        "high",
        "mean_total_unmet_low",
        "mean_total_unmet_high",
        "swing",
        "mean_total_unmet_reference",
    ]
    .map(String::from)
    .to_vec();
    let reference = Cell::csv(c.mean_total_unmet(0), 3, Look::Grouped);
    let rows = swings(c)
        .iter()
        .enumerate()
        .map(|(rank, s)| {
            vec![
                Cell::Number((rank + 1) as f64, Look::Key),
                Cell::text(s.knob.clone()),
                Cell::typed(&s.low),
                Cell::typed(&s.high),
                Cell::csv(s.low_mean, 3, Look::Grouped),
                Cell::csv(s.high_mean, 3, Look::Grouped),
                Cell::csv(s.swing, 3, Look::Signed),
                reference.clone(),
            ]
        })
        .collect();
    Sheet {
        name: "sensitivity",
        header,
        rows,
        filter: Filter::Columns,
    }
}

/// What every workbook's "about" sheet says of its statistics and numbers.
fn common_about() -> Vec<(&'static str, Cell)> {
    vec![
        (
            "allocsim",
            Cell::text(format!("version {}", env!("CARGO_PKG_VERSION"))),
        ),
        (
            "statistics",
            Cell::text(
                "mean; sd: standard deviation over trials; se: standard error of the mean \
                 (sd / √trials); min; p5 … p99: percentiles over trials; max",
            ),
        ),
        (
            "numbers",
            Cell::text(
                "units are chips; a fill rate (delivered / orders) and the rates and shares are \
                 shown as percentages and stored as fractions; every cell holds the value of the \
                 CSV file beside it, whatever its format shows",
            ),
        ),
    ]
}

/// The "about" sheet: one labelled line per fact. Long texts (a scenario's description) are cut
/// to what a cell holds: the scenario file has them whole.
fn about_sheet(lines: Vec<(&str, Cell)>) -> Sheet {
    let rows = lines
        .into_iter()
        .filter(|(_, cell)| !matches!(cell, Cell::Text(s) if s.is_empty()))
        .map(|(label, cell)| {
            let cell = match cell {
                Cell::Text(s) if s.chars().count() > MAX_CELL_CHARS => {
                    let cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
                    Cell::Text(cut + "…")
                }
                other => other,
            };
            vec![Cell::text(label), cell]
        })
        .collect();
    Sheet {
        name: "about",
        header: vec!["item".to_string(), "value".to_string()],
        rows,
        filter: Filter::None,
    }
}

/// The bytes of a workbook titled `title` holding `sheets` in order.
fn workbook(title: &str, sheets: Vec<Sheet>) -> Result<Vec<u8>, WorkbookError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_comment(format!("Written by allocsim {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&created),
    );
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    // A column of numbers has its title over them, on the right.
    let headers = Headers {
        text: header.clone(),
        numbers: header.set_align(FormatAlign::Right),
    };
    let formats: Vec<(Look, Format)> = Look::ALL
        .iter()
        .map(|&look| {
            let format = Format::new().set_num_format(look.format());
            let format = match look {
                Look::Key => format.set_align(FormatAlign::Left),
                _ => format,
            };
            (look, format)
        })
        .collect();
    for sheet in sheets {
        check_rows(sheet.name, sheet.rows.len() as u64 + 1)?;
        let ws = book.add_worksheet();
        write_sheet(ws, &sheet, &headers, &formats)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The header row's formats: over text, and over a column of numbers.
struct Headers {
    text: Format,
    numbers: Format,
}

/// Whether column `col` of `sheet` holds numbers shown on the right (and nothing else).
fn right_aligned(sheet: &Sheet, col: usize) -> bool {
    let mut cells = sheet.rows.iter().filter_map(|row| row.get(col));
    let mut any = false;
    cells.all(|cell| match cell {
        Cell::Number(_, look) => {
            any = true;
            *look != Look::Key
        }
        Cell::Empty => true,
        Cell::Text(_) => false,
    }) && any
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    headers: &Headers,
    formats: &[(Look, Format)],
) -> Result<(), WorkbookError> {
    ws.set_name(sheet.name)?;
    let columns = sheet.header.len();
    let mut widths: Vec<usize> = sheet
        .header
        .iter()
        // Room for the filter's drop-down arrow.
        .map(|h| h.chars().count() + 3)
        .collect();
    for (col, title) in sheet.header.iter().enumerate() {
        let format = if right_aligned(sheet, col) {
            &headers.numbers
        } else {
            &headers.text
        };
        ws.write_string_with_format(0, col as u16, title, format)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        debug_assert_eq!(row.len(), columns, "row {r} of the {} sheet", sheet.name);
        let r = r as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            match cell {
                Cell::Text(s) => {
                    if s.chars().count() > MAX_CELL_CHARS {
                        return Err(WorkbookError::TooLong {
                            what: format!("a cell of the {} sheet (row {})", sheet.name, r + 1),
                            chars: s.chars().count(),
                        });
                    }
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(v, look) => {
                    let format = formats
                        .iter()
                        .find(|(l, _)| l == look)
                        .map(|(_, f)| f)
                        .ok_or(XlsxError::ParameterError(format!("no format for {look:?}")))?;
                    ws.write_number_with_format(r, c, *v, format)?;
                }
                Cell::Empty => {}
            }
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(cell.shown_chars());
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        let w = (*w + 1).clamp(MIN_WIDTH, MAX_WIDTH);
        ws.set_column_width(col as u16, w as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Printed, a sheet is as wide as a landscape page, its header on every page.
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    if sheet.filter == Filter::Columns && columns > 0 {
        ws.autofilter(0, 0, sheet.rows.len() as u32, columns as u16 - 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_hold_the_csv_value() {
        assert_eq!(
            Cell::csv(412_345.123_456, 3, Look::Grouped),
            Cell::Number(412_345.123, Look::Grouped)
        );
        assert_eq!(
            Cell::csv(2.0 / 3.0, 9, Look::Percent),
            Cell::Number(0.666_666_667, Look::Percent)
        );
        assert_eq!(Cell::csv(f64::NAN, 3, Look::Grouped), Cell::Empty);
    }

    #[test]
    fn typed_values_are_numbers_when_they_read_as_numbers() {
        assert_eq!(Cell::typed("0.3"), Cell::Number(0.3, Look::Key));
        assert_eq!(Cell::typed("2e5"), Cell::Number(200_000.0, Look::Key));
        assert_eq!(Cell::typed("talmud"), Cell::text("talmud"));
        // Rust reads "inf" as a number; a spreadsheet cannot hold one.
        assert_eq!(Cell::typed("inf"), Cell::text("inf"));
        assert_eq!(Cell::typed(""), Cell::Empty);
    }

    #[test]
    fn looks_by_quantity_and_stat() {
        assert_eq!(Look::of_stat(Quantity::Units, "mean"), Look::Grouped);
        assert_eq!(Look::of_stat(Quantity::Units, "se"), Look::GroupedTenth);
        assert_eq!(Look::of_stat(Quantity::Share, "p50"), Look::Percent);
        assert_eq!(Look::of_stat(Quantity::Share, "se"), Look::PercentHundredth);
        assert_eq!(Look::Grouped.shown_chars(1_234_567.4), "1,234,567".len());
        assert_eq!(Look::Percent.shown_chars(0.9962), "99.6%".len());
        assert_eq!(Look::Signed.shown_chars(-1234.0), "-1,234".len());
        assert_eq!(Look::Signed.shown_chars(1234.0), "+1,234".len());
        assert_eq!(Look::Signed.shown_chars(0.2), "0".len());
    }

    #[test]
    fn too_many_rows_or_characters_are_refused_with_a_reason() {
        let e = check_rows("comparison", MAX_ROWS + 1).unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("1,048,577 rows"), "{e}");
        assert!(check_rows("comparison", MAX_ROWS).is_ok());
        let knobs = vec!["approval.batch".to_string()];
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        let e = check_texts(&knobs, &[vec!["1".into()], vec![long]]).unwrap_err();
        assert!(
            e.to_string()
                .contains("the value of knob 'approval.batch' at point 2"),
            "{e}"
        );
        let fits = "x".repeat(MAX_CELL_CHARS);
        assert!(check_texts(&knobs, &[vec![fits]]).is_ok());
    }

    #[test]
    fn the_rows_checked_before_a_run_are_the_rows_written() {
        use crate::compare::{Knob, PointsOptions, plan, run_points};
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let bytes = std::fs::read(&path).expect("the baseline scenario ships with the crate");
        let knobs = [Knob::parse("domestic.ratio=0.3,0.5,0.7").unwrap()];
        let plan = plan::sweep(&path, &bytes, &[], &knobs).unwrap();
        let scenarios: Vec<_> = plan.points.iter().map(|p| p.scenario.clone()).collect();
        let options = PointsOptions {
            trials: 20,
            seed: 1,
            ..PointsOptions::default()
        };
        let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("runs");
        let firms = plan.points[0].scenario.firms.len();
        let c = Comparison::new(&plan, 20, 1, result);
        let written: Vec<(&str, u64)> = comparison_sheets(&c)
            .iter()
            .filter(|s| s.name != "about")
            .map(|s| (s.name, s.rows.len() as u64 + 1))
            .collect();
        assert_eq!(written, planned_rows(3, firms, 0));
        assert!(check_comparison_xlsx(&plan).is_ok());
    }

    #[test]
    fn about_cuts_what_a_cell_cannot_hold() {
        let sheet = about_sheet(vec![(
            "description",
            Cell::text("é".repeat(MAX_CELL_CHARS + 10)),
        )]);
        match &sheet.rows[0][1] {
            Cell::Text(s) => {
                assert_eq!(s.chars().count(), MAX_CELL_CHARS);
                assert!(s.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }
}
