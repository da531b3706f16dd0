//! `[dependence]` (MODEL.md, "Dependence"): the rank correlations of the Gaussian copula, each
//! in its range, and a matrix of `orders` one row and one column per firm whose Pearson matrix
//! is a correlation matrix (symmetric, unit diagonal, positive semidefinite).

use std::ops::Range;

use super::raw::{RawDependence, RawOrders, S};
use super::{Checked, Dependence, OrdersDependence, Validator};
use crate::linalg::{pearson_from_spearman, symmetric_eigen};

/// How far the Pearson matrix may be from symmetric, from a unit diagonal and (its smallest
/// eigenvalue) below 0 (MODEL.md: "both within 1e-9", "at least -1e-9").
const TOLERANCE: f64 = 1e-9;

const ORDERS: &str = "dependence.orders";

impl Validator<'_, '_> {
    /// `[dependence]` (None: absent, no dependence); `firms` is the number of firms when it is
    /// known (a valid count), which a matrix must match.
    pub(super) fn dependence(
        &mut self,
        raw: Option<&RawDependence>,
        firms: Option<usize>,
    ) -> Checked<Dependence> {
        let Some(raw) = raw else {
            return Some(Dependence::default());
        };
        let orders = self.opt(
            &raw.orders,
            |_| None,
            |v, o| match o.get_ref() {
                RawOrders::Common(q) => v
                    .common_orders(&S::new(o.span(), *q))
                    .map(|q| Some(OrdersDependence::Common(q))),
                RawOrders::Matrix(rows) => v
                    .orders_matrix(o.span(), rows, firms)
                    .map(|m| Some(OrdersDependence::Matrix(m))),
            },
        );
        let conversion = self.opt(
            &raw.conversion,
            |_| None,
            |v, q| v.correlation("dependence.conversion", q, 0.0).map(Some),
        );
        let batch_supply = self.opt(
            &raw.batch_supply,
            |_| None,
            |v, q| v.correlation("dependence.batch_supply", q, -1.0).map(Some),
        );
        Some(Dependence {
            orders: orders?,
            conversion: conversion?,
            batch_supply: batch_supply?,
        })
    }

    /// A rank correlation within [`low`, 1].
    fn correlation(&mut self, field: &str, raw: &S<f64>, low: f64) -> Checked<f64> {
        let q = *raw.get_ref();
        if !(low..=1.0).contains(&q) {
            return self.fail(
                raw.span(),
                format!("{field} must be within [{low}, 1], got {q}"),
            );
        }
        Some(q)
    }

    /// One rank correlation for every pair of firms: within [0, 1] (the common factor's
    /// loading `sqrt(r)` needs r >= 0).
    fn common_orders(&mut self, raw: &S<f64>) -> Checked<f64> {
        let q = *raw.get_ref();
        if q < 0.0 {
            return self.fail(
                raw.span(),
                format!(
                    "{ORDERS} must be within [0, 1], got {q}: one value for every pair of firms \
                     cannot be negative; a matrix can give some pairs negative correlations"
                ),
            );
        }
        self.correlation(ORDERS, raw, 0.0)
    }

    /// A matrix of rank correlations: every entry within [-1, 1], N x N for N firms (square when
    /// N is not known), and its Pearson matrix symmetric with a unit diagonal and positive
    /// semidefinite. Each check runs only when those before it passed; each of its problems is
    /// reported.
    fn orders_matrix(
        &mut self,
        span: Range<usize>,
        rows: &[S<Vec<S<f64>>>],
        firms: Option<usize>,
    ) -> Checked<Vec<Vec<f64>>> {
        let mut ok = true;
        for (i, row) in rows.iter().enumerate() {
            for (j, x) in row.get_ref().iter().enumerate() {
                let q = *x.get_ref();
                if !(-1.0..=1.0).contains(&q) {
                    self.problems.report(
                        Some(x.span()),
                        format!(
                            "{ORDERS}, row {}, column {} must be within [-1, 1], got {q}",
                            i + 1,
                            j + 1
                        ),
                    );
                    ok = false;
                }
            }
        }
        let n = firms.unwrap_or(rows.len());
        let shape = match firms {
            Some(n) => format!(
                "must be {n} x {n}: a row and a column for each firm, in listed order (the \
                 scenario has {n} firm{})",
                if n == 1 { "" } else { "s" }
            ),
            None => format!("must be square, {n} x {n}"),
        };
        let widths: Vec<usize> = rows.iter().map(|r| r.get_ref().len()).collect();
        let even = widths.windows(2).all(|w| w[0] == w[1]);
        if even && !widths.is_empty() && (rows.len(), widths[0]) != (n, n) {
            // A whole matrix of the wrong size: one problem.
            self.problems.report(
                Some(span.clone()),
                format!("{ORDERS} {shape}, but it is {} x {}", rows.len(), widths[0]),
            );
            return None;
        }
        if rows.len() != n {
            let count = rows.len();
            let s = if count == 1 { "" } else { "s" };
            self.problems.report(
                Some(span.clone()),
                format!("{ORDERS} {shape}, but it has {count} row{s}"),
            );
            ok = false;
        }
        for (i, row) in rows.iter().enumerate() {
            let count = row.get_ref().len();
            if count != n {
                let s = if count == 1 { "y" } else { "ies" };
                self.problems.report(
                    Some(row.span()),
                    format!(
                        "{ORDERS}, row {}, has {count} entr{s}; the matrix {shape}",
                        i + 1
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let q: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| row.get_ref().iter().map(|x| *x.get_ref()).collect())
            .collect();
        let r: Vec<Vec<f64>> = q
            .iter()
            .map(|row| row.iter().map(|&x| pearson_from_spearman(x)).collect())
            .collect();
        for i in 0..n {
            if (r[i][i] - 1.0).abs() > TOLERANCE {
                self.problems.report(
                    Some(rows[i].get_ref()[i].span()),
                    format!(
                        "{ORDERS}, row {}, column {} must be 1 (on the diagonal: a firm's orders \
                         with themselves), got {}",
                        i + 1,
                        i + 1,
                        q[i][i]
                    ),
                );
                ok = false;
            }
            for j in i + 1..n {
                if (r[i][j] - r[j][i]).abs() > TOLERANCE {
                    self.problems.report(
                        Some(rows[j].get_ref()[i].span()),
                        format!(
                            "{ORDERS} must be symmetric, but row {}, column {} is {} and row {}, \
                             column {} is {}",
                            i + 1,
                            j + 1,
                            q[i][j],
                            j + 1,
                            i + 1,
                            q[j][i]
                        ),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let (values, _) = symmetric_eigen(&r);
        if let Some(&smallest) = values.first() {
            // A NaN (which the range check rules out) is no eigenvalue to accept.
            if smallest.is_nan() || smallest < -TOLERANCE {
                return self.fail(
                    span,
                    format!(
                        "{ORDERS} is not a consistent set of correlations: the matrix of Pearson \
                         correlations 2 sin(pi q / 6) it gives must be positive semidefinite, but \
                         its smallest eigenvalue is {} (at least -1e-9 is allowed); weaken the \
                         correlations that contradict the others (firms A and B strongly \
                         correlated, and B and C, but A and C not)",
                        eigenvalue(smallest)
                    ),
                );
            }
        }
        Some(q)
    }
}

/// An eigenvalue for a message: six decimals, or three significant digits when smaller.
fn eigenvalue(x: f64) -> String {
    if x.abs() >= 1e-4 {
        let fixed = format!("{x:.6}");
        fixed
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{x:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Scenario, parse};
    use super::*;

    fn firms(n: usize) -> String {
        (0..n)
            .map(|i| format!("[[firm]]\nname = \"F{i}\"\norders = 10\n"))
            .collect()
    }

    fn with(dependence: &str, n: usize) -> Result<Scenario, Vec<String>> {
        let toml = format!(
            "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n[approval]\n\
             probability = 0.5\nbatch = 10\n{}[dependence]\n{dependence}\n",
            firms(n)
        );
        parse(Path::new("t.toml"), toml.as_bytes(), &[])
            .map_err(|e| e.errors().iter().map(ToString::to_string).collect())
    }

    /// The line of the `[dependence]` table's first key, for expected positions.
    fn line(n: usize) -> usize {
        9 + 3 * n
    }

    #[test]
    fn without_dependence_nothing_is_correlated() {
        let s = with("", 2).unwrap();
        assert_eq!(s.dependence, Dependence::default());
        let toml = "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n[approval]\n\
                    probability = 0.5\nbatch = 10\n[[firm]]\nname = \"A\"\norders = 1\n";
        let s = parse(Path::new("t.toml"), toml.as_bytes(), &[]).unwrap();
        assert_eq!(s.dependence, Dependence::default());
    }

    #[test]
    fn each_value_is_kept_as_written() {
        let s = with("orders = 0.5\nconversion = 0\nbatch_supply = -0.3", 3).unwrap();
        assert_eq!(
            s.dependence,
            Dependence {
                orders: Some(OrdersDependence::Common(0.5)),
                conversion: Some(0.0),
                batch_supply: Some(-0.3),
            }
        );
        let s = with("orders = 1\nbatch_supply = 1", 1).unwrap();
        assert_eq!(s.dependence.orders, Some(OrdersDependence::Common(1.0)));
        assert_eq!(s.dependence.conversion, None);
        let m = "orders = [[1.0, 0.7, 0.5], [0.7, 1.0, 0.5], [0.5, 0.5, 1]]";
        let s = with(m, 3).unwrap();
        assert_eq!(
            s.dependence.orders,
            Some(OrdersDependence::Matrix(vec![
                vec![1.0, 0.7, 0.5],
                vec![0.7, 1.0, 0.5],
                vec![0.5, 0.5, 1.0]
            ]))
        );
        // Perfectly opposed, and a singular (rank one) matrix: both semidefinite.
        assert!(with("orders = [[1, -1], [-1, 1]]", 2).is_ok());
        assert!(with("orders = [[1, 1, 1], [1, 1, 1], [1, 1, 1]]", 3).is_ok());
    }

    #[test]
    fn values_outside_their_ranges_are_refused() {
        let l = line(2);
        assert_eq!(
            with("orders = -0.1\nconversion = 1.5\nbatch_supply = -1.01", 2).unwrap_err(),
            [
                format!(
                    "t.toml:{l}:10: dependence.orders must be within [0, 1], got -0.1: one value \
                     for every pair of firms cannot be negative; a matrix can give some pairs \
                     negative correlations"
                ),
                format!(
                    "t.toml:{}:14: dependence.conversion must be within [0, 1], got 1.5",
                    l + 1
                ),
                format!(
                    "t.toml:{}:16: dependence.batch_supply must be within [-1, 1], got -1.01",
                    l + 2
                ),
            ]
        );
        assert_eq!(
            with("orders = 1.2\nconversion = nan", 2).unwrap_err(),
            [
                format!("t.toml:{l}:10: dependence.orders must be within [0, 1], got 1.2"),
                format!(
                    "t.toml:{}:14: dependence.conversion must be within [0, 1], got NaN",
                    l + 1
                ),
            ]
        );
        assert_eq!(
            with("orders = [[1, 1.5], [nan, 1]]", 2).unwrap_err(),
            [
                format!(
                    "t.toml:{l}:15: dependence.orders, row 1, column 2 must be within [-1, 1], got 1.5"
                ),
                format!(
                    "t.toml:{l}:22: dependence.orders, row 2, column 1 must be within [-1, 1], got NaN"
                ),
            ]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let l = line(1);
        assert_eq!(
            with("order = 0.3\nbatch_suply = 0.1\ncopula = 1", 1).unwrap_err(),
            [
                format!(
                    "t.toml:{l}:1: dependence.order: unknown key (a typo?); did you mean `orders`?"
                ),
                format!(
                    "t.toml:{}:1: dependence.batch_suply: unknown key (a typo?); did you mean \
                     `batch_supply`?",
                    l + 1
                ),
                format!(
                    "t.toml:{}:1: dependence.copula: unknown key (a typo?); expected one of \
                     `orders`, `conversion`, `batch_supply`",
                    l + 2
                ),
            ]
        );
        assert_eq!(
            with("orders = \"high\"\nconversion = [0.5]", 1).unwrap_err(),
            [
                format!(
                    "t.toml:{l}:10: dependence.orders: expected a number or a matrix of rank \
                     correlations (an array of rows of numbers), got string \"high\""
                ),
                format!(
                    "t.toml:{}:14: dependence.conversion: expected a number, got an array",
                    l + 1
                ),
            ]
        );
        assert_eq!(
            with("orders = [1, [1]]", 1).unwrap_err(),
            [format!(
                "t.toml:{l}:11: dependence.orders, row 1: expected an array of numbers (a row of \
                 the matrix), got integer `1`"
            )]
        );
        assert_eq!(
            with("orders = [[1, \"x\"]]", 1).unwrap_err(),
            [format!(
                "t.toml:{l}:15: dependence.orders, row 1, column 2: expected a number, got string \"x\""
            )]
        );
    }

    #[test]
    fn a_matrix_has_a_row_and_a_column_per_firm() {
        let l = line(3);
        assert_eq!(
            with("orders = [[1, 0.5], [0.5, 1]]", 3).unwrap_err(),
            [format!(
                "t.toml:{l}:10: dependence.orders must be 3 x 3: a row and a column for each \
                 firm, in listed order (the scenario has 3 firms), but it is 2 x 2"
            )]
        );
        let l = line(2);
        assert_eq!(
            with("orders = [[1, 0.5, 0], [0.5]]", 2).unwrap_err(),
            [
                format!(
                    "t.toml:{l}:11: dependence.orders, row 1, has 3 entries; the matrix must be \
                     2 x 2: a row and a column for each firm, in listed order (the scenario has 2 \
                     firms)"
                ),
                format!(
                    "t.toml:{l}:24: dependence.orders, row 2, has 1 entry; the matrix must be 2 x \
                     2: a row and a column for each firm, in listed order (the scenario has 2 firms)"
                ),
            ]
        );
        let l = line(1);
        assert_eq!(
            with("orders = []", 1).unwrap_err(),
            [format!(
                "t.toml:{l}:10: dependence.orders must be 1 x 1: a row and a column for each \
                 firm, in listed order (the scenario has 1 firm), but it has 0 rows"
            )]
        );
    }

    #[test]
    fn a_matrix_is_symmetric_with_a_unit_diagonal() {
        let l = line(3);
        assert_eq!(
            with(
                "orders = [[1, 0.7, 0.5], [0.6, 0.9, 0.5], [0.5, 0.5, 1]]",
                3
            )
            .unwrap_err(),
            [
                format!(
                    "t.toml:{l}:27: dependence.orders must be symmetric, but row 1, column 2 is \
                     0.7 and row 2, column 1 is 0.6"
                ),
                format!(
                    "t.toml:{l}:32: dependence.orders, row 2, column 2 must be 1 (on the \
                     diagonal: a firm's orders with themselves), got 0.9"
                ),
            ]
        );
        // Within 1e-9 is symmetric enough.
        assert!(with("orders = [[1, 0.5], [0.5000000001, 1]]", 2).is_ok());
        assert!(with("orders = [[1, 0.5], [0.500000002, 1]]", 2).is_err());
        assert!(with("orders = [[0.999999999, 0], [0, 1]]", 2).is_ok());
    }

    /// Three firms each strongly against the others cannot be: the Pearson matrix of q = -0.9
    /// everywhere off the diagonal has eigenvalue 1 + 2 r < 0.
    #[test]
    fn an_inconsistent_matrix_gives_its_smallest_eigenvalue() {
        let l = line(3);
        let err = with(
            "orders = [[1, -0.9, -0.9], [-0.9, 1, -0.9], [-0.9, -0.9, 1]]",
            3,
        )
        .unwrap_err();
        let r = pearson_from_spearman(-0.9);
        let smallest = 1.0 + 2.0 * r;
        assert!(smallest < -0.8, "{smallest}");
        assert_eq!(
            err,
            [format!(
                "t.toml:{l}:10: dependence.orders is not a consistent set of correlations: the \
                 matrix of Pearson correlations 2 sin(pi q / 6) it gives must be positive \
                 semidefinite, but its smallest eigenvalue is {} (at least -1e-9 is allowed); \
                 weaken the correlations that contradict the others (firms A and B strongly \
                 correlated, and B and C, but A and C not)",
                eigenvalue(smallest)
            )]
        );
        // Just inconsistent: A~B and B~C perfectly, A~C not at all.
        assert!(with("orders = [[1, 1, 0], [1, 1, 1], [0, 1, 1]]", 3).is_err());
        // The equicorrelation bound for Pearson r: -1 / (n - 1) is semidefinite, below is not.
        let q_at = |r: f64| 6.0 / std::f64::consts::PI * (r / 2.0).asin();
        let row = |q: f64, n: usize| -> String {
            let rows: Vec<String> = (0..n)
                .map(|i| {
                    let entries: Vec<String> = (0..n)
                        .map(|j| if i == j { "1".into() } else { format!("{q:?}") })
                        .collect();
                    format!("[{}]", entries.join(", "))
                })
                .collect();
            format!("orders = [{}]", rows.join(", "))
        };
        assert!(with(&row(q_at(-1.0 / 3.0) + 1e-12, 4), 4).is_ok());
        assert!(with(&row(q_at(-1.0 / 3.0) - 1e-6, 4), 4).is_err());
    }

    /// When the number of firms is not known (their list has a problem), a matrix is still
    /// checked for itself.
    #[test]
    fn a_matrix_is_checked_without_the_firms() {
        let toml = "name = \"t\"\nrounds = 2\nfirm = []\n[allocation]\nrule = \"talmud\"\n\
                    [approval]\nprobability = 0.5\nbatch = 10\n[dependence]\n\
                    orders = [[1, 0.5], [0.4, 1]]\n";
        let err = parse(Path::new("t.toml"), toml.as_bytes(), &[]).unwrap_err();
        let lines: Vec<String> = err.errors().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "t.toml:3:8: a scenario needs at least one [[firm]]",
                "t.toml:10:22: dependence.orders must be symmetric, but row 1, column 2 is 0.5 \
                 and row 2, column 1 is 0.4",
            ]
        );
    }

    #[test]
    fn eigenvalues_are_written_short() {
        assert_eq!(eigenvalue(-0.123_456_789), "-0.123457");
        assert_eq!(eigenvalue(-0.5), "-0.5");
        assert_eq!(eigenvalue(-2.346e-7), "-2.35e-7");
    }
}
