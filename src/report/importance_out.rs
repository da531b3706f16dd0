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

/// An analysis written by hand for the exporters' tests: firms A and B (B never varied), the
/// total, and three groups.
#[cfg(test)]
pub(crate) fn example() -> Importance {
    use crate::analysis::importance::{Factor, OutputEstimates};
    use crate::rng::Group;
    use crate::stats::Metric;
    let e = |value: f64, se: f64| Estimate { value, se };
    let output = |first: [f64; 3], total: [f64; 3]| OutputEstimates {
        mean: 1500.0,
        variance: 250_000.0,
        first_order: first.iter().map(|&v| e(v, 0.05)).collect(),
        total: total.iter().map(|&v| e(v, 0.01)).collect(),
        interactions: e(1.0 - first.iter().sum::<f64>(), 0.07),
    };
    Importance {
        names: vec!["A".into(), "B".into(), "total".into()],
        metric: Metric::Unmet,
        factors: vec![
            Factor::Group(Group::Orders),
            Factor::Group(Group::Approval),
            Factor::Group(Group::Batch),
        ],
        factor_names: vec!["orders".into(), "approval".into(), "batch".into()],
        trials: 1000,
        seed: 7,
        estimates: vec![
            Some(output([0.1, 0.6, -0.02], [0.15, 0.7, 0.01])),
            None,
            Some(output([0.5, 0.3, 0.1], [0.55, 0.35, 0.12])),
        ],
        not_analysed: vec![(
            "order".into(),
            "the allocation rule is not random_priority".into(),
        )],
        threads: 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_tidy_with_empty_cells_where_undefined() {
        let text = String::from_utf8(importance_csv(&example())).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "firm,metric,group,index,value,se,ci_low,ci_high");
        // 3 outputs × 3 groups × 2 indices.
        assert_eq!(lines.len(), 1 + 18);
        assert_eq!(
            lines[1],
            "A,unmet,orders,first_order,0.1,0.05,0.002002,0.197998"
        );
        assert_eq!(lines[2], "A,unmet,orders,total,0.15,0.01,0.1304,0.1696");
        assert_eq!(
            lines[5],
            "A,unmet,batch,first_order,-0.02,0.05,-0.117998,0.077998"
        );
        assert_eq!(lines[7], "B,unmet,orders,first_order,,,,");
        assert!(lines[7..13].iter().all(|l| l.ends_with(",,,,")));
        assert!(lines[13].starts_with("total,unmet,orders,first_order,0.5,"));
        assert!(!text.contains("NaN") && !text.contains("inf"));
    }

    #[test]
    fn table_ranks_each_firm_by_its_total_index() {
        let imp = example();
        assert_eq!(ranked(&imp, 0), [1, 0, 2]);
        assert_eq!(ranked(&imp, 1), Vec::<usize>::new());
        assert_eq!(ranked(&imp, 2), [0, 1, 2]);
        let table = importance_table(&imp);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[2].starts_with("A      approval"), "{table}");
        assert!(
            lines[2].contains("0.70 (0.68 to 0.72)") && lines[2].ends_with("0.60 (0.50 to 0.70)")
        );
        assert!(
            lines[4].contains("batch") && lines[4].contains("−0.02 (−0.12 to 0.08)"),
            "{table}"
        );
        assert!(
            lines[5].contains("(interactions: 1 − Σ first order)") && lines[5].contains("0.32")
        );
        assert!(lines[6].starts_with("total  orders"), "{table}");
        assert!(table.ends_with(
            "Undefined for B: its unmet demand was the same in every trial (no variance to apportion).\n"
        ));
        assert_eq!(
            with_interval(&Estimate {
                value: -0.001,
                se: 0.0
            }),
            "0.00 (0.00 to 0.00)"
        );
    }
}
