//! Paired differences between a point and the reference point on the same trials: exact integer
//! sums of the per-trial differences and of their squares, mergeable in any order like a `Tally`.

use crate::model::Outcome;
pub use crate::stats::Worse;
use crate::stats::{Metric, wide};

/// The metrics whose paired differences are reported, in report order.
pub const PAIRED_METRICS: [Metric; 3] = [Metric::Unmet, Metric::Delivered, Metric::Domestic];

/// z for a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The distribution of one paired difference (point − reference) over trials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffTally {
    n: u64,
    sum: i128,
    sum_sq: u128,
    /// Trials in which the point's value exceeds the reference's.
    above: u64,
    /// Trials in which it falls short of it.
    below: u64,
}

impl DiffTally {
    /// Records one trial's pair of values.
    #[inline]
    pub fn record(&mut self, reference: u64, point: u64) {
        let d = i128::from(point) - i128::from(reference);
        let a = d.unsigned_abs();
        self.n += 1;
        self.sum = self.sum.saturating_add(d);
        self.sum_sq = self.sum_sq.saturating_add(a.saturating_mul(a));
        self.above += u64::from(d > 0);
        self.below += u64::from(d < 0);
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &DiffTally) {
        self.n += other.n;
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.above += other.above;
        self.below += other.below;
    }

    /// A tally from its saved counts and sums (comparison.json keeps them): `n` trials whose
    /// differences sum to `sum` and their squares to `sum_sq`, `above` of them positive and
    /// `below` negative.
    pub fn from_parts(n: u64, sum: i128, sum_sq: u128, above: u64, below: u64) -> DiffTally {
        DiffTally {
            n,
            sum,
            sum_sq,
            above,
            below,
        }
    }

    /// Trials recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Exact sum of the squared differences.
    pub fn sum_sq(&self) -> u128 {
        self.sum_sq
    }

    /// Trials in which the point's value is above the reference's.
    pub fn above(&self) -> u64 {
        self.above
    }

    /// Trials in which the point's value is below the reference's.
    pub fn below(&self) -> u64 {
        self.below
    }

    /// Exact sum of the differences.
    pub fn sum(&self) -> i128 {
        self.sum
    }

    /// Mean difference (NaN when empty).
    pub fn mean(&self) -> f64 {
        self.sum as f64 / self.n as f64
    }

    /// Sample standard deviation of the differences (n − 1 denominator; 0 for fewer than two),
    /// from the exact n·Σd² − (Σd)², so identical points give exactly 0.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let (hi, lo) = wide::sub(
            wide::mul(u128::from(self.n), self.sum_sq),
            wide::mul(self.sum.unsigned_abs(), self.sum.unsigned_abs()),
        );
        let n = self.n as f64;
        (wide::to_f64(hi, lo) / (n * (n - 1.0))).sqrt()
    }

    /// Standard error of the mean difference.
    pub fn se(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }

    /// The 95% confidence interval of the mean difference, mean ± z·sd/√n (normal
    /// approximation: the trial counts of a Monte Carlo run make the t and z quantiles agree).
    pub fn ci95(&self) -> (f64, f64) {
        let (m, h) = (self.mean(), Z95 * self.se());
        (m - h, m + h)
    }

    /// Share of trials in which the point's value is above (`Worse::More`) or below
    /// (`Worse::Less`) the reference's.
    pub fn share(&self, direction: Worse) -> f64 {
        let count = match direction {
            Worse::More => self.above,
            Worse::Less => self.below,
        };
        if self.n == 0 {
            f64::NAN
        } else {
            count as f64 / self.n as f64
        }
    }
}

/// Paired differences of one point against the reference, per firm and for the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paired {
    /// `tallies[firm][k]` for metric `PAIRED_METRICS[k]`; the last firm is the total.
    tallies: Vec<[DiffTally; 3]>,
}

impl Paired {
    /// Empty differences for `firms` firms (plus the total).
    pub fn new(firms: usize) -> Self {
        Paired {
            tallies: vec![Default::default(); firms + 1],
        }
    }

    /// Differences from their tallies (as saved): `tallies[firm][k]` for metric
    /// `PAIRED_METRICS[k]`, the total last; `None` unless there is at least the total.
    pub fn from_tallies(tallies: Vec<[DiffTally; 3]>) -> Option<Paired> {
        (!tallies.is_empty()).then_some(Paired { tallies })
    }

    /// Every tally: `[firm][k]` for metric `PAIRED_METRICS[k]`, the total last.
    pub fn tallies(&self) -> &[[DiffTally; 3]] {
        &self.tallies
    }

    /// The values a pairing needs from an outcome, per firm: `[unmet, delivered, domestic]`
    /// (the order of [`PAIRED_METRICS`]), appended to `out`.
    pub fn values_of(outcome: &Outcome, out: &mut Vec<[u64; 3]>) {
        out.extend(
            (0..outcome.orders.len())
                .map(|i| [outcome.unmet(i), outcome.delivered[i], outcome.domestic[i]]),
        );
    }

    /// Folds in one trial: the reference's per-firm values (from [`Paired::values_of`]) and the
    /// point's outcome, of the same trial. `matched[j]` is the reference's index of the point's
    /// firm `j` (the firm of the same name), or `None` when the reference does not list it: only
    /// matched firms are paired, each at its reference index, while the totals are each side's
    /// own, over every firm it lists (MODEL.md "Randomness": firms of the same name draw the
    /// same world, wherever they are listed).
    pub fn record(&mut self, reference: &[[u64; 3]], point: &Outcome, matched: &[Option<usize>]) {
        let n = self.tallies.len() - 1;
        let mut totals = [[0u64; 3]; 2];
        for r in reference {
            for k in 0..3 {
                totals[0][k] = totals[0][k].saturating_add(r[k]);
            }
        }
        for (j, m) in matched.iter().enumerate() {
            let p = [point.unmet(j), point.delivered[j], point.domestic[j]];
            for k in 0..3 {
                totals[1][k] = totals[1][k].saturating_add(p[k]);
            }
            let Some((i, r)) = m
                .filter(|&i| i < n)
                .and_then(|i| Some((i, reference.get(i)?)))
            else {
                continue;
            };
            for k in 0..3 {
                self.tallies[i][k].record(r[k], p[k]);
            }
        }
        for (k, tally) in self.tallies[n].iter_mut().enumerate() {
            tally.record(totals[0][k], totals[1][k]);
        }
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &Paired) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
    }

    /// The differences of `metric` (one of [`PAIRED_METRICS`]) for `firm` (the firm count is the
    /// total).
    pub fn diff(&self, firm: usize, metric: Metric) -> &DiffTally {
        let k = PAIRED_METRICS
            .iter()
            .position(|m| *m == metric)
            .unwrap_or_else(|| panic!("{} has no paired differences", metric.name()));
        &self.tallies[firm][k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_differences_are_exact() {
        let mut t = DiffTally::default();
        // Differences 2, −1, 0, 3: mean 1, sample variance 10/3.
        for (r, p) in [(10u64, 12u64), (5, 4), (7, 7), (0, 3)] {
            t.record(r, p);
        }
        assert_eq!(t.count(), 4);
        assert_eq!(t.sum(), 4);
        assert_eq!(t.mean(), 1.0);
        assert!((t.sd() - (10.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(t.share(Worse::More), 0.5);
        assert_eq!(t.share(Worse::Less), 0.25);
        let (lo, hi) = t.ci95();
        let h = Z95 * (10.0f64 / 3.0).sqrt() / 2.0;
        assert!((lo - (1.0 - h)).abs() < 1e-12 && (hi - (1.0 + h)).abs() < 1e-12);
    }

    #[test]
    fn identical_values_have_zero_spread_even_when_large() {
        let mut t = DiffTally::default();
        for v in [u64::MAX, 0, 1 << 40] {
            t.record(v, v);
        }
        assert_eq!((t.mean(), t.sd()), (0.0, 0.0));
        assert_eq!(t.ci95(), (0.0, 0.0));
        assert_eq!(t.share(Worse::More), 0.0);
        // A constant large offset has zero spread too: no cancellation in floats.
        let mut c = DiffTally::default();
        for r in 0..1000u64 {
            c.record(r, r + 1_000_000_000_000);
        }
        assert_eq!(c.sd(), 0.0);
        assert_eq!(c.mean(), 1e12);
    }

    #[test]
    fn merging_in_any_order_is_exact() {
        let pairs: Vec<(u64, u64)> = (0..5000u64)
            .map(|i| ((i * 7919) % 100_003, (i * 104_729) % 99_991))
            .collect();
        let mut whole = DiffTally::default();
        pairs.iter().for_each(|&(r, p)| whole.record(r, p));
        let mut merged = DiffTally::default();
        for chunk in pairs.chunks(777).rev() {
            let mut part = DiffTally::default();
            chunk.iter().for_each(|&(r, p)| part.record(r, p));
            merged.merge(&part);
        }
        assert_eq!(merged, whole);
    }

    #[test]
    fn paired_values_are_the_metric_tables() {
        use crate::stats::{FirmInputs, firm_metric_values};
        let outcome = Outcome {
            orders: vec![1000, 50],
            delivered: vec![600, 50],
            domestic: vec![70, 0],
            approved: vec![true],
            halt_round: None,
            cumulative: vec![650],
            ..Outcome::default()
        };
        let mut values = Vec::new();
        Paired::values_of(&outcome, &mut values);
        for (i, row) in values.iter().enumerate() {
            let table = firm_metric_values(&FirmInputs::of(0.5, &outcome, i));
            for (k, metric) in PAIRED_METRICS.iter().enumerate() {
                assert_eq!(row[k], table[*metric], "{} of firm {i}", metric.name());
            }
        }
    }

    #[test]
    fn worse_means_more_unmet_less_delivered_more_domestic() {
        assert_eq!(Metric::Unmet.worse(), Worse::More);
        assert_eq!(Metric::Delivered.worse(), Worse::Less);
        assert_eq!(Metric::Domestic.worse(), Worse::More);
    }
}
