//! An importance analysis's importance.csv (tidy: one row per firm, group and index) and the
//! table `allocsim importance` prints.

use crate::analysis::importance::{Estimate, Importance};
use crate::report::csv_out::{finish, write, writer};
use crate::report::format::number;
use crate::report::table::aligned;

/// Decimals of the indices and their errors in importance.csv (trailing zeros trimmed).
const DECIMALS: usize = 6;

/// The two indices, as importance.csv's `index` column names them.
pub const INDICES: [&str; 2] = ["first_order", "total"];

/// importance.csv: `firm,metric,group,index,value,se,ci_low,ci_high`, a row per firm (then
/// `total`), group (in the analysis's order) and index (`first_order`, `total`). A firm whose
/// metric never varied has empty value, se and interval cells: its indices are undefined.
pub fn importance_csv(imp: &Importance) -> Vec<u8> {
    let mut w = writer();
    write(
        &mut w,
        [
            "firm", "metric", "group", "index", "value", "se", "ci_low", "ci_high",
        ],
    );
    let metric = imp.metric.name();
    for (y, name) in imp.names.iter().enumerate() {
        for (k, group) in imp.factor_names.iter().enumerate() {
            for index in INDICES {
                let cells = match &imp.estimates[y] {
                    None => [String::new(), String::new(), String::new(), String::new()],
                    Some(o) => {
                        let e = if index == INDICES[0] {
                            o.first_order[k]
                        } else {
                            o.total[k]
                        };
                        let (lo, hi) = e.ci95();
                        [e.value, e.se, lo, hi].map(|v| number(v, DECIMALS))
                    }
                };
                let [value, se, lo, hi] = &cells;
                write(&mut w, [name, metric, group, index, value, se, lo, hi]);
            }
        }
    }
    finish(w)
}

/// An index with its interval, as the table and the report write it: "0.62 (0.58 to 0.66)".
pub fn with_interval(e: &Estimate) -> String {
    let (lo, hi) = e.ci95();
    format!("{} ({} to {})", two(e.value), two(lo), two(hi))
}

/// An index to two decimals, "−0.01" with a true minus sign, "0.00" for a tiny negative.
fn two(v: f64) -> String {
    let text = format!("{v:.2}");
    match text.strip_prefix('-') {
        Some(rest) if rest.trim_start_matches(['0', '.']).is_empty() => rest.to_string(),
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// Groups listed per firm in the table; importance.csv has every one.
pub const TABLE_GROUPS: usize = 3;

/// Output y's factors by its total index, largest first (ties in the analysis's order); empty
/// when its indices are undefined.
pub fn ranked(imp: &Importance, y: usize) -> Vec<usize> {
    let Some(o) = &imp.estimates[y] else {
        return Vec::new();
    };
    let mut order: Vec<usize> = (0..imp.factors.len()).collect();
    order.sort_by(|&a, &b| o.total[b].value.total_cmp(&o.total[a].value));
    order
}

/// Per firm and the total: the groups with the largest total index (at most [`TABLE_GROUPS`])
/// and their first-order index, each with its 95% interval, then the share left to
/// interactions; a firm whose metric never varied is named below the table.
pub fn importance_table(imp: &Importance) -> String {
    let mut rows = vec![
        [
            "firm",
            "group",
            "total index (95% CI)",
            "first order (95% CI)",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut constant = Vec::new();
    for (y, name) in imp.names.iter().enumerate() {
        let Some(o) = &imp.estimates[y] else {
            constant.push(name.as_str());
            continue;
        };
        for (i, &k) in ranked(imp, y).iter().take(TABLE_GROUPS).enumerate() {
            rows.push(vec![
                if i == 0 { name.clone() } else { String::new() },
                imp.factor_names[k].clone(),
                with_interval(&o.total[k]),
                with_interval(&o.first_order[k]),
            ]);
        }
        rows.push(vec![
            String::new(),
            "(interactions: 1 − Σ first order)".to_string(),
            String::new(),
            with_interval(&o.interactions),
        ]);
    }
    let mut out = aligned(&rows, |c| c < 2);
    if imp.factors.len() > TABLE_GROUPS {
        out.push_str(&format!(
            "The {TABLE_GROUPS} groups with the largest total index per firm; importance.csv has all {}.\n",
            imp.factors.len()
        ));
    }
    if !constant.is_empty() {
        out.push_str(&format!(
            "Undefined for {}: its {} was the same in every trial (no variance to apportion).\n",
            constant.join(", "),
            imp.metric.spec().label.to_lowercase()
        ));
    }
    out
}
