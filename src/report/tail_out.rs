//! tail.csv of `allocsim tail`: one row per input (a firm's inputs carry the firm), tidy, with
//! the tail's and all trials' mean and median, the overall sd, @RISK's d and whether it is
//! significant.

use crate::analysis::tail::{InputRow, TailResult};
use crate::report::csv_out::{finish, write, writer};
use crate::report::format::number;
use crate::scenario::Scenario;
use crate::stats::Quantity;

/// The columns of tail.csv.
pub const TAIL_COLUMNS: [&str; 9] = [
    "input",
    "firm",
    "tail_mean",
    "tail_median",
    "overall_mean",
    "overall_median",
    "overall_sd",
    "d",
    "significant",
];

/// Decimals tail.csv writes a value of `quantity` with: units to a thousandth (their means), a
/// count of rounds to 1e-6, a rate or ratio to 1e-9 (the tallies' own resolution).
fn decimals(quantity: Quantity) -> usize {
    match quantity {
        Quantity::Units => 3,
        Quantity::Rounds => 6,
        Quantity::Share => 9,
    }
}

/// Decimals of d in tail.csv.
const D_DECIMALS: usize = 6;

/// One input's statistics as tail.csv writes them, in [`TAIL_COLUMNS`] order after `input` and
/// `firm`: empty cells for a statistic that has no value (an input never seen in the tail or
/// at all, a d without spread).
pub(crate) fn stat_cells(row: &InputRow) -> [String; 7] {
    let spec = row.input.kind.spec();
    let (scale, dec) = (spec.scale, decimals(spec.quantity));
    let v = |x: f64| number(x * scale, dec);
    let d = row.d();
    [
        v(row.tail.mean()),
        v(row.tail.quantile(0.5)),
        v(row.overall.mean()),
        v(row.overall.quantile(0.5)),
        if row.overall.count() == 0 {
            String::new()
        } else {
            v(row.overall.sd())
        },
        d.map_or(String::new(), |d| number(d, D_DECIMALS)),
        row.significant().map_or(String::new(), |b| b.to_string()),
    ]
}

/// tail.csv: `input,firm,tail_mean,tail_median,overall_mean,overall_median,overall_sd,d,significant`
/// for every input of the analysis, in its order ([`crate::analysis::tail::inputs`]).
pub fn tail_csv(s: &Scenario, r: &TailResult) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, TAIL_COLUMNS);
    for row in &r.rows {
        let mut cells = vec![
            row.input.name(s),
            row.input.firm(s).unwrap_or_default().to_string(),
        ];
        cells.extend(stat_cells(row));
        write(&mut w, &cells);
    }
    finish(w)
}
