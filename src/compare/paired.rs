//! Paired differences between a point and the reference point on the same trials: exact integer
//! sums of the per-trial differences and of their squares, and a signed histogram of them (one
//! log-linear histogram for the positive differences, one for the magnitudes of the negative),
//! mergeable in any order like a `Tally`.

use crate::model::Outcome;
pub use crate::stats::Worse;
use crate::stats::{Bucket, LogHistogram, Metric, type7, wide};

/// The metrics whose paired differences are reported, in report order.
pub const PAIRED_METRICS: [Metric; 3] = [Metric::Unmet, Metric::Delivered, Metric::Domestic];

/// z for a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The distribution of one paired difference (point − reference) over trials.
#[derive(Debug, Clone, Default)]
pub struct DiffTally {
    n: u64,
    sum: i128,
    sum_sq: u128,
    /// Trials in which the point's value exceeds the reference's.
    above: u64,
    /// Trials in which it falls short of it.
    below: u64,
    /// The positive differences, and the magnitudes of the negative ones: exact below 2,048,
    /// within 1/1024 of the value above (the layout of a `Tally`'s histogram).
    positive: LogHistogram,
    negative: LogHistogram,
}

impl PartialEq for DiffTally {
    fn eq(&self, other: &Self) -> bool {
        (self.n, self.sum, self.sum_sq, self.above, self.below)
            == (other.n, other.sum, other.sum_sq, other.above, other.below)
            && self.positive.buckets().eq(other.positive.buckets())
            && self.negative.buckets().eq(other.negative.buckets())
    }
}

impl Eq for DiffTally {}

impl DiffTally {
    /// Records one trial's pair of values.
    #[inline]
    pub fn record(&mut self, reference: u64, point: u64) {
        // |d| < 2^64: both values are u64, so |d| is one and its square fits in 128 bits (one
        // widening multiply, where a u128 product checked for overflow took several).
        let a = point.abs_diff(reference);
        self.n += 1;
        self.sum_sq = self.sum_sq.saturating_add(u128::from(a) * u128::from(a));
        if point > reference {
            self.above += 1;
            self.sum = self.sum.saturating_add(i128::from(a));
            self.positive.record(a);
        } else if point < reference {
            self.below += 1;
            self.sum = self.sum.saturating_sub(i128::from(a));
            self.negative.record(a);
        }
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &DiffTally) {
        self.n += other.n;
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.above += other.above;
        self.below += other.below;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    /// A tally from its saved counts and sums (comparison.json keeps them): `n` trials whose
    /// differences sum to `sum` and their squares to `sum_sq`, `above` of them positive and
    /// `below` negative, and the histograms' `(lowest value, count)` of every bucket of the
    /// positive differences and of the negative ones' magnitudes.
    pub fn from_parts(
        (n, sum, sum_sq): (u64, i128, u128),
        (above, below): (u64, u64),
        positive: &[(u64, u64)],
        negative: &[(u64, u64)],
    ) -> DiffTally {
        let histogram = |buckets: &[(u64, u64)]| {
            let mut h = LogHistogram::default();
            let lo = buckets.iter().map(|b| b.0).min().unwrap_or(1);
            let hi = buckets.iter().map(|b| b.0).max().unwrap_or(0);
            h.record_counts(buckets.iter().copied(), lo, hi);
            h
        };
        DiffTally {
            n,
            sum,
            sum_sq,
            above,
            below,
            positive: histogram(positive),
            negative: histogram(negative),
        }
    }

    /// A tally of `n` differences with these sums and signs and no histogram, for tests of
    /// what is drawn from the moments alone.
    #[cfg(test)]
    pub(crate) fn from_moments(n: u64, sum: i128, sum_sq: u128, above: u64, below: u64) -> Self {
        DiffTally::from_parts((n, sum, sum_sq), (above, below), &[], &[])
    }

    /// The buckets of the positive differences, lowest first.
    pub fn positive_buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.positive.buckets()
    }

    /// The buckets of the negative differences' magnitudes, lowest first.
    pub fn negative_buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.negative.buckets()
    }

    /// The `q` quantile of the per-trial differences, interpolated between order statistics
    /// as a `Tally`'s are (Hyndman and Fan 1996 type 7); order statistics inside a histogram
    /// bucket wider than one unit are taken as spread evenly over it. NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        type7(self.n, q, |k| self.order_statistic(k))
    }

    /// The difference of 0-based rank `k` among the sorted differences: the negative ones
    /// (largest magnitude first), the zeros, the positive ones.
    fn order_statistic(&self, k: u64) -> f64 {
        let zeros = self.n - self.above - self.below;
        if k < self.below {
            -ranked(&self.negative, self.below - 1 - k)
        } else if k < self.below + zeros {
            0.0
        } else {
            ranked(
                &self.positive,
                (k - self.below - zeros).min(self.above.saturating_sub(1)),
            )
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

/// The value of 0-based rank `k` among the values of `h` (a bucket's values taken as spread
/// evenly over it), 0 for an empty histogram.
fn ranked(h: &LogHistogram, k: u64) -> f64 {
    h.find_rank(k)
        .map_or(0.0, |(bucket, before)| bucket.value_of_rank(k - before))
}

/// Paired differences of one point against the reference, per firm and for the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paired {
    /// `tallies[firm][k]` for metric `PAIRED_METRICS[k]`; the last firm is the total.
    tallies: Vec<[DiffTally; 3]>,
    /// Per metric of [`PAIRED_METRICS`], the trials in which every paired firm is better off at
    /// the point than at the reference (strictly, each firm; none when no firm is paired).
    all_better: [u64; 3],
}

impl Paired {
    /// Empty differences for `firms` firms (plus the total).
    pub fn new(firms: usize) -> Self {
        Paired {
            tallies: vec![Default::default(); firms + 1],
            all_better: [0; 3],
        }
    }

    /// Differences from their tallies (as saved): `tallies[firm][k]` for metric
    /// `PAIRED_METRICS[k]`, the total last, and the trials in which every firm was better off;
    /// `None` unless there is at least the total.
    pub fn from_tallies(tallies: Vec<[DiffTally; 3]>, all_better: [u64; 3]) -> Option<Paired> {
        (!tallies.is_empty()).then_some(Paired {
            tallies,
            all_better,
        })
    }

    /// Every tally: `[firm][k]` for metric `PAIRED_METRICS[k]`, the total last.
    pub fn tallies(&self) -> &[[DiffTally; 3]] {
        &self.tallies
    }

    /// Per metric of [`PAIRED_METRICS`], the trials in which every paired firm is better off.
    pub fn all_better(&self) -> [u64; 3] {
        self.all_better
    }

    /// The share of trials in which every paired firm is better off at the point for `metric`
    /// (less unmet demand, more deliveries, fewer domestic chips, each firm strictly); NaN
    /// without trials.
    pub fn share_all_better(&self, metric: Metric) -> f64 {
        let k = metric_index(metric);
        let n = self.tallies.last().map_or(0, |t| t[k].count());
        if n == 0 {
            f64::NAN
        } else {
            self.all_better[k] as f64 / n as f64
        }
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
        let mut values = Vec::with_capacity(matched.len());
        Paired::values_of(point, &mut values);
        self.record_trials(reference, &values, matched);
    }

    /// Folds in the trials of a chunk, as [`Paired::record`] does one by one. Trial k's values
    /// are the k-th run of R entries of `reference` (R the reference's firms) and the k-th run
    /// of P entries of `point` (P = `matched.len()`, the point's firms), both from
    /// [`Paired::values_of`]. A tally at a time over the chunk, so that only its two histograms
    /// are in use: trial by trial, every trial touched all 42 of a point's histograms (a fifth
    /// of a sweep's time).
    pub fn record_trials(
        &mut self,
        reference: &[[u64; 3]],
        point: &[[u64; 3]],
        matched: &[Option<usize>],
    ) {
        let n = self.tallies.len() - 1;
        let own = matched.len();
        let trials = point.len().checked_div(own).unwrap_or(0);
        let width = reference.len().checked_div(trials).unwrap_or(0);
        // The reference index of each point firm that is paired.
        let pairs: Vec<(usize, usize)> = matched
            .iter()
            .enumerate()
            .filter_map(|(j, m)| m.filter(|&i| i < n && i < width).map(|i| (j, i)))
            .collect();
        for &(j, i) in &pairs {
            for (k, tally) in self.tallies[i].iter_mut().enumerate() {
                for t in 0..trials {
                    tally.record(reference[t * width + i][k], point[t * own + j][k]);
                }
            }
        }
        let sum = |values: &[[u64; 3]], k: usize| {
            values.iter().fold(0u64, |acc, v| acc.saturating_add(v[k]))
        };
        for t in 0..trials {
            let r = &reference[t * width..(t + 1) * width];
            let p = &point[t * own..(t + 1) * own];
            for k in 0..3 {
                self.tallies[n][k].record(sum(r, k), sum(p, k));
                let better = pairs.iter().all(|&(j, i)| match PAIRED_METRICS[k].worse() {
                    Worse::More => p[j][k] < r[i][k],
                    Worse::Less => p[j][k] > r[i][k],
                });
                self.all_better[k] += u64::from(!pairs.is_empty() && better);
            }
        }
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &Paired) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
        for (a, b) in self.all_better.iter_mut().zip(other.all_better) {
            *a += b;
        }
    }

    /// The differences of `metric` (one of [`PAIRED_METRICS`]) for `firm` (the firm count is the
    /// total).
    pub fn diff(&self, firm: usize, metric: Metric) -> &DiffTally {
        &self.tallies[firm][metric_index(metric)]
    }
}

/// `metric`'s position in [`PAIRED_METRICS`].
fn metric_index(metric: Metric) -> usize {
    PAIRED_METRICS
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("{} has no paired differences", metric.name()))
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
    fn percentiles_of_signed_differences_are_those_of_the_sorted_differences() {
        // Differences −5, −3, 0, 0, 2, 7, 7 (type 7 on seven values: h = q · 6).
        let mut t = DiffTally::default();
        for (r, p) in [
            (10u64, 5u64),
            (3, 0),
            (4, 4),
            (9, 9),
            (0, 2),
            (1, 8),
            (2, 9),
        ] {
            t.record(r, p);
        }
        assert_eq!(t.quantile(0.0), -5.0);
        assert_eq!(t.quantile(1.0 / 6.0), -3.0);
        assert_eq!(t.quantile(0.25), -1.5);
        assert_eq!(t.quantile(0.5), 0.0);
        assert_eq!(t.quantile(4.0 / 6.0), 2.0);
        assert_eq!(t.quantile(0.75), 4.5);
        assert_eq!(t.quantile(0.95), 7.0);
        assert!(DiffTally::default().quantile(0.5).is_nan());
        // Past 2,048 the histogram's buckets are 1/1024 of the value wide at most.
        let mut wide = DiffTally::default();
        for i in 0..1000u64 {
            wide.record(1_000_000, 1_000_000 + 5_000 + i);
            wide.record(1_000_000 + 9_000 + i, 1_000_000);
        }
        let (p5, p95) = (wide.quantile(0.05), wide.quantile(0.95));
        assert!((p5 - -9_899.05).abs() <= 9_899.0 / 1024.0, "{p5}");
        assert!((p95 - 5_899.05).abs() <= 5_899.0 / 1024.0, "{p95}");
        // Saved and loaded: the same tally.
        let buckets = |it: &mut dyn Iterator<Item = Bucket>| -> Vec<(u64, u64)> {
            it.map(|b| (b.low, b.count)).collect()
        };
        let loaded = DiffTally::from_parts(
            (wide.count(), wide.sum(), wide.sum_sq()),
            (wide.above(), wide.below()),
            &buckets(&mut wide.positive_buckets()),
            &buckets(&mut wide.negative_buckets()),
        );
        assert_eq!(loaded, wide);
        assert_eq!(loaded.quantile(0.05), p5);
    }

    #[test]
    fn every_firm_better_counts_only_trials_that_leave_none_behind() {
        let outcome = |unmet: [u64; 2], delivered: [u64; 2]| Outcome {
            orders: vec![unmet[0] + delivered[0], unmet[1] + delivered[1]],
            delivered: delivered.to_vec(),
            domestic: vec![0, 0],
            ..Outcome::default()
        };
        let matched = [Some(0), Some(1)];
        let reference = outcome([100, 100], [50, 50]);
        let mut base = Vec::new();
        Paired::values_of(&reference, &mut base);
        let mut paired = Paired::new(2);
        // Both better; one better and one equal; one better, one worse; both better again.
        for point in [[90, 80], [90, 100], [90, 110], [0, 99]] {
            let delivered = [150 - point[0], 150 - point[1]];
            paired.record(&base, &outcome(point, delivered), &matched);
        }
        assert_eq!(paired.share_all_better(Metric::Unmet), 0.5);
        assert_eq!(paired.share_all_better(Metric::Delivered), 0.5);
        // Equal domestic purchases are no firm better off.
        assert_eq!(paired.share_all_better(Metric::Domestic), 0.0);
        // Nothing paired: no trial counts.
        let mut alone = Paired::new(2);
        alone.record(&base, &outcome([0, 0], [1, 1]), &[None, None]);
        assert_eq!(alone.share_all_better(Metric::Unmet), 0.0);
        let mut merged = Paired::new(2);
        merged.merge(&paired);
        merged.merge(&paired);
        assert_eq!(merged.all_better(), [4, 4, 0]);
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
