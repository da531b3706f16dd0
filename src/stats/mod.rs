//! Streaming statistics that merge exactly in any order: moments from integer sums, percentiles
//! from exact counts or a log-linear histogram, extremes. Merging partial results from any number of threads or shards
//! gives the same bits as one pass.

mod exact;
mod histogram;
#[cfg(test)]
mod interval_tests;
mod metrics;
mod per_trial;
mod summary;
pub(crate) mod wide;

pub use metrics::{
    FILL_RATE_UNIT, FirmInputs, Listing, METRICS, Metric, MetricSpec, PerMetric, Quantity, Total,
    Worse, fill_rate, firm_metric_values, heading, trial_metric_values, trial_metric_values_of,
};
pub use per_trial::{Members, TRIAL_METRICS, TrialMetric, TrialMetricSpec, trial_layout};
pub use summary::{RecordBuffer, Recorder, Recording, RoundTally, Summary, TrialTally};

use exact::ExactCounts;

pub use histogram::{Bucket, LogHistogram};

/// The statistics reported for every metric, in report order.
pub const STATS: [&str; 11] = [
    "mean", "sd", "se", "min", "p5", "p25", "p50", "p75", "p95", "p99", "max",
];

/// The percentiles of [`STATS`], as fractions.
pub const PERCENTILES: [(&str, f64); 6] = [
    ("p5", 0.05),
    ("p25", 0.25),
    ("p50", 0.5),
    ("p75", 0.75),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// The `q` quantile of `n` values whose 0-based order statistic `k` is `order_statistic(k)`,
/// interpolated linearly between order statistics as numpy's default ("linear", Hyndman and Fan
/// 1996 type 7); NaN for n = 0.
pub fn type7(n: u64, q: f64, order_statistic: impl Fn(u64) -> f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let below = h.floor();
    let lower = order_statistic(below as u64);
    let frac = h - below;
    if frac == 0.0 {
        lower
    } else {
        lower + frac * (order_statistic(below as u64 + 1) - lower)
    }
}

/// Φ^-1(0.975): the half-width of a 95% normal interval in standard errors.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The 1-based ranks `(r, s)` of [`Tally::quantile_interval`] for `n` values:
/// r = ⌊nq − z√(nq(1−q))⌋ and s = ⌈nq + z√(nq(1−q))⌉, clamped to 1..=n. None for n = 0.
pub fn quantile_ranks(n: u64, q: f64) -> Option<(u64, u64)> {
    if n == 0 {
        return None;
    }
    let q = q.clamp(0.0, 1.0);
    let (nq, spread) = (n as f64 * q, Z95 * (n as f64 * q * (1.0 - q)).sqrt());
    let rank = |x: f64| (x.max(1.0) as u64).min(n);
    Some((rank((nq - spread).floor()), rank((nq + spread).ceil())))
}

/// Distinct values a tally counts exactly before it relies on its histogram alone.
pub const EXACT_DISTINCT: usize = 2048;

/// The distribution of one non-negative integer quantity over trials.
///
/// While it has seen at most [`EXACT_DISTINCT`] distinct values it counts each one exactly, so
/// quantiles of discrete outcomes (a fill rate of exactly 1, a batch that is either 0 or
/// 400,000) are exact; past that it answers from the histogram, which it fills from the exact
/// counts when it gives them up (until then the histogram would only repeat them: a sweep of a
/// few thousand trials a point keeps thousands of exact tallies). Whether a tally is exact
/// depends only on the multiset of values recorded, so merging stays order-independent.
#[derive(Debug, Clone)]
pub struct Tally {
    n: u64,
    sum: u128,
    sum_sq: u128,
    min: u64,
    max: u64,
    /// Bucket widths are at most 1/1024 of their values, and quantiles interpolate inside a
    /// bucket, so their error is far below Monte Carlo error. Empty while `exact` holds the
    /// counts.
    histogram: LogHistogram,
    exact: Option<ExactCounts>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            n: 0,
            sum: 0,
            sum_sq: 0,
            min: u64::MAX,
            max: 0,
            histogram: LogHistogram::default(),
            exact: Some(ExactCounts::default()),
        }
    }
}

impl Tally {
    /// Records one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.n += 1;
        self.sum = self.sum.saturating_add(u128::from(v));
        self.sum_sq = self.sum_sq.saturating_add(u128::from(v) * u128::from(v));
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        match &mut self.exact {
            Some(exact) => {
                exact.add(v, 1);
                if exact.len() > EXACT_DISTINCT {
                    self.give_up_exact();
                }
            }
            None => self.histogram.record(v),
        }
    }

    /// Leaves the exact counts for the histogram, which takes them over (their values lie
    /// between the tally's extremes).
    #[cold]
    fn give_up_exact(&mut self) {
        if let Some(exact) = self.exact.take() {
            self.histogram
                .record_counts(exact.pairs(), self.min, self.max);
        }
    }

    /// Records every value of `values`: the same result as recording them one by one, faster.
    // Out of line, as it was before it shrank: inlined into the recorder's loop it cost some
    // 700 more instructions a baseline trial (callgrind).
    #[inline(never)]
    pub fn record_all(&mut self, values: &[u64]) {
        self.n += values.len() as u64;
        // One pass assuming chip counts and fill rates, below 2^32: each square's halves are
        // then below 2^32, so 64-bit sums of them are exact. Should a value be larger, the
        // wrapped sums are dropped and redone in 128 bits.
        let (mut min, mut max) = (u64::MAX, 0);
        let (mut sum, mut low, mut high) = (0u64, 0u64, 0u64);
        for &v in values {
            min = min.min(v);
            max = max.max(v);
            let square = v.wrapping_mul(v);
            sum = sum.wrapping_add(v);
            low = low.wrapping_add(square & 0xffff_ffff);
            high = high.wrapping_add(square >> 32);
        }
        // Sums of non-negative terms saturate at the same bits however they are grouped.
        let (sum, sum_sq) = if max >> 32 == 0 && values.len() >> 32 == 0 {
            (u128::from(sum), (u128::from(high) << 32) + u128::from(low))
        } else {
            values.iter().fold((0u128, 0u128), |(sum, sum_sq), &v| {
                (
                    sum.saturating_add(u128::from(v)),
                    sum_sq.saturating_add(u128::from(v) * u128::from(v)),
                )
            })
        };
        self.sum = self.sum.saturating_add(sum);
        self.sum_sq = self.sum_sq.saturating_add(sum_sq);
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        let Some(exact) = &mut self.exact else {
            self.histogram.record_all(values);
            return;
        };
        for (k, &v) in values.iter().enumerate() {
            exact.add(v, 1);
            if exact.len() > EXACT_DISTINCT {
                self.give_up_exact();
                self.histogram.record_all(&values[k + 1..]);
                return;
            }
        }
    }

    /// Adds everything `other` recorded.
    pub fn merge(&mut self, other: &Tally) {
        self.n += other.n;
        self.sum = self.sum.saturating_add(other.sum);
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        // An exact tally's histogram is empty: its counts are in `exact`.
        match (&mut self.exact, &other.exact) {
            (Some(mine), Some(theirs)) => {
                for (v, c) in theirs.sorted() {
                    mine.add(v, c);
                }
                if mine.len() > EXACT_DISTINCT {
                    self.give_up_exact();
                }
            }
            (Some(_), None) => {
                self.give_up_exact();
                self.histogram.merge(&other.histogram);
            }
            (None, Some(theirs)) => {
                self.histogram
                    .record_counts(theirs.pairs(), other.min, other.max)
            }
            (None, None) => self.histogram.merge(&other.histogram),
        }
    }

    /// Gives back the memory the tally holds only to record fast: its exact counts keep their
    /// sorted pairs alone until the next record. Results are unchanged.
    pub fn compact(&mut self) {
        if let Some(exact) = &mut self.exact {
            exact.compact();
        }
    }

    /// Bytes the tally holds on the heap (its histogram and exact counts).
    pub fn heap_bytes(&self) -> usize {
        self.histogram.heap_bytes() + self.exact.as_ref().map_or(0, ExactCounts::heap_bytes)
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Exact sum of the values (saturating).
    pub fn sum(&self) -> u128 {
        self.sum
    }

    /// Mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        wide::to_f64(0, self.sum) / self.n as f64
    }

    /// Sample standard deviation (n - 1 denominator; 0 for fewer than two values), computed from
    /// the exact integer n·Σx² − (Σx)² so it loses no precision to cancellation.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let scaled = wide::sub(
            wide::mul(u128::from(self.n), self.sum_sq),
            wide::mul(self.sum, self.sum),
        );
        let n = self.n as f64;
        (wide::to_f64(scaled.0, scaled.1) / (n * (n - 1.0))).sqrt()
    }

    /// Standard error of the mean.
    pub fn se(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }

    /// Smallest value (NaN when empty).
    pub fn min(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.min as f64
        }
    }

    /// Largest value (NaN when empty).
    pub fn max(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.max as f64
        }
    }

    /// The `q` quantile, interpolated linearly between order statistics as numpy's default
    /// ("linear", Hyndman and Fan 1996 type 7); inside a histogram bucket wider than one unit,
    /// values are taken as spread evenly over the bucket.
    pub fn quantile(&self, q: f64) -> f64 {
        type7(self.n, q, |k| self.order_statistic(k))
    }

    /// The value of 0-based rank `k` among the sorted values.
    fn order_statistic(&self, k: u64) -> f64 {
        let mut before = 0u64;
        if let Some(exact) = &self.exact {
            for (v, count) in exact.sorted() {
                if k < before + count {
                    return v as f64;
                }
                before += count;
            }
            return self.max as f64;
        }
        let Some((bucket, before)) = self.histogram.find_rank(k) else {
            return self.max as f64;
        };
        bucket
            .value_of_rank(k - before)
            .clamp(self.min as f64, self.max as f64)
    }

    /// `(value, count)` for every histogram bucket that holds values, lowest first; `value` is
    /// the bucket's lowest value and `width` its number of distinct values. An exact tally's
    /// buckets are made from its counts, as its histogram would hold them.
    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        let from_exact: Option<Vec<Bucket>> = self.exact.as_ref().map(|exact| {
            let mut h = LogHistogram::default();
            h.record_counts(exact.pairs(), self.min, self.max);
            h.buckets().collect()
        });
        from_exact
            .into_iter()
            .flatten()
            .chain(self.histogram.buckets())
    }

    /// Rebuilds a tally from its parts (as saved by a finished run).
    pub fn from_parts(
        n: u64,
        sum: u128,
        sum_sq: u128,
        min: u64,
        max: u64,
        buckets: &[Bucket],
        exact: Option<&[(u64, u64)]>,
    ) -> Tally {
        let mut t = Tally {
            n,
            sum,
            sum_sq,
            min,
            max,
            ..Tally::default()
        };
        // The buckets of an exact tally are its counts again.
        t.exact = exact.map(|pairs| pairs.iter().copied().collect());
        if t.exact.is_none() {
            let pairs = buckets.iter().map(|b| (b.low, b.count));
            match (buckets.first(), buckets.last()) {
                (Some(lo), Some(hi)) => t.histogram.record_counts(pairs, lo.low, hi.low),
                _ => t.histogram.record_counts(pairs, 1, 0),
            }
        }
        t
    }

    /// Smallest value recorded (u64::MAX when empty).
    pub fn min_value(&self) -> u64 {
        self.min
    }

    /// Largest value recorded (0 when empty).
    pub fn max_value(&self) -> u64 {
        self.max
    }

    /// Every distinct value with its count, lowest first, while the tally is exact.
    pub fn exact_counts(&self) -> Option<impl Iterator<Item = (u64, u64)> + '_> {
        self.exact.as_ref().map(|e| e.sorted())
    }

    /// Exact sum of squares (saturating).
    pub fn sum_sq(&self) -> u128 {
        self.sum_sq
    }

    /// The 95% confidence interval of a named statistic of [`STATS`], multiplied by `scale`,
    /// where one is defined: the mean's ([`Tally::mean_interval`]) and every percentile's
    /// ([`Tally::quantile_interval`]); None for sd, se, min and max, and for an empty tally.
    pub fn interval(&self, name: &str, scale: f64) -> Option<(f64, f64)> {
        let (low, high) = match name {
            "mean" => self.mean_interval()?,
            _ => {
                let (_, q) = PERCENTILES.iter().find(|(p, _)| *p == name)?;
                self.quantile_interval(*q)?
            }
        };
        Some((low * scale, high * scale))
    }

    /// The mean's 95% confidence interval, mean ± z·se with z = Φ^-1(0.975) (the central limit
    /// theorem; e.g. Casella and Berger, "Statistical Inference", 2nd ed., §10.4). None for
    /// fewer than two values, where there is no standard error.
    pub fn mean_interval(&self) -> Option<(f64, f64)> {
        if self.n < 2 {
            return None;
        }
        let (mean, half) = (self.mean(), Z95 * self.se());
        Some((mean - half, mean + half))
    }

    /// The distribution-free 95% confidence interval of the `q` quantile: the order statistics
    /// X(r) and X(s) of ranks r = ⌊nq − z√(nq(1−q))⌋ and s = ⌈nq + z√(nq(1−q))⌉ (1-based,
    /// clamped to 1..n; z = Φ^-1(0.975)), which hold the quantile with probability ≈ 95%
    /// whatever the continuous distribution: the number of values below the quantile is
    /// Binomial(n, q), and the ranks are its normal approximation (Conover, "Practical
    /// Nonparametric Statistics", 3rd ed., 1999, §3.2; Conover rounds both ranks up, this
    /// rounds the lower one down, which keeps the exact binomial coverage at or just above 95%:
    /// 95.7% for n = 1,000 and q = 0.05, where rounding up gives 95.0%, and 95.0% against 94.6%
    /// at q = 0.5). Read off the exact counts, or off the histogram (then within its bucket
    /// width of the order statistics). None when empty.
    pub fn quantile_interval(&self, q: f64) -> Option<(f64, f64)> {
        let (low, high) = quantile_ranks(self.n, q)?;
        Some((
            self.order_statistic(low - 1),
            self.order_statistic(high - 1),
        ))
    }

    /// The value of a named statistic of [`STATS`], multiplied by `scale`.
    pub fn stat(&self, name: &str, scale: f64) -> f64 {
        let v = match name {
            "mean" => self.mean(),
            "sd" => self.sd(),
            "se" => self.se(),
            "min" => self.min(),
            "max" => self.max(),
            _ => match PERCENTILES.iter().find(|(p, _)| *p == name) {
                Some((_, q)) => self.quantile(*q),
                None => f64::NAN,
            },
        };
        v * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_exact() {
        let mut t = Tally::default();
        for v in [2u64, 4, 4, 4, 5, 5, 7, 9] {
            t.record(v);
        }
        assert_eq!(t.mean(), 5.0);
        // Sample variance 32 / 7.
        assert!((t.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(t.min(), 2.0);
        assert_eq!(t.max(), 9.0);
        assert_eq!(t.quantile(0.5), 4.5);
        assert_eq!(t.quantile(0.0), 2.0);
        assert_eq!(t.quantile(1.0), 9.0);
    }

    #[test]
    fn discrete_outcomes_have_exact_quantiles() {
        // A batch that is either 0 or 400,000: a histogram bucket near 400,000 is 256 wide, but
        // the quantiles must be the values that occur.
        let mut t = Tally::default();
        for i in 0..1000u64 {
            t.record(if i % 10 < 3 { 0 } else { 400_000 });
        }
        assert_eq!(t.quantile(0.05), 0.0);
        assert_eq!(t.quantile(0.5), 400_000.0);
        assert_eq!(t.quantile(0.95), 400_000.0);
        // Between two order statistics of different values, type-7 interpolation.
        let h: f64 = 0.2995 * 999.0;
        assert!((t.quantile(0.2995) - (h - h.floor()) * 400_000.0).abs() < 1e-6);
    }

    #[test]
    fn exactness_is_decided_by_the_values_alone() {
        // Two halves of 1,500 distinct values each: neither exceeds the exact limit alone, but
        // their union does, so the merge must fall back to the histogram just as one pass does.
        let mut a = Tally::default();
        let mut b = Tally::default();
        let mut whole = Tally::default();
        for v in 0..3000u64 {
            let value = v * 1000;
            whole.record(value);
            if v % 2 == 0 {
                a.record(value)
            } else {
                b.record(value)
            }
        }
        assert!(a.exact_counts().is_some() && b.exact_counts().is_some());
        assert!(whole.exact_counts().is_none());
        a.merge(&b);
        assert!(a.exact_counts().is_none());
        for s in STATS {
            assert_eq!(
                a.stat(s, 1.0).to_bits(),
                whole.stat(s, 1.0).to_bits(),
                "{s}"
            );
        }
    }

    #[test]
    fn sd_survives_large_offsets() {
        // Values 10^12 + {0, 1, 2}: float sums of squares would cancel catastrophically.
        let mut t = Tally::default();
        for v in [0u64, 1, 2] {
            t.record(1_000_000_000_000 + v);
        }
        assert!((t.sd() - 1.0).abs() < 1e-9, "{}", t.sd());
    }

    #[test]
    fn quantiles_of_wide_buckets_interpolate() {
        let mut t = Tally::default();
        for v in 0..100_000u64 {
            t.record(v * 10);
        }
        for (q, exact) in [(0.05, 49_995.0), (0.5, 499_995.0), (0.95, 949_995.0)] {
            let got = t.quantile(q);
            assert!(
                (got - exact).abs() / exact < 2e-4,
                "q {q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn merging_in_any_order_is_exact() {
        let values: Vec<u64> = (0..30_000u64)
            .map(|i| (i * 7919) % 1_000_003 + i / 3)
            .collect();
        let mut whole = Tally::default();
        values.iter().for_each(|&v| whole.record(v));
        let mut parts: Vec<Tally> = values
            .chunks(7_000)
            .map(|c| {
                let mut t = Tally::default();
                c.iter().for_each(|&v| t.record(v));
                t
            })
            .collect();
        parts.reverse();
        let mut merged = Tally::default();
        parts.iter().for_each(|p| merged.merge(p));
        for s in STATS {
            assert_eq!(
                whole.stat(s, 1.0).to_bits(),
                merged.stat(s, 1.0).to_bits(),
                "{s}"
            );
        }
        let rebuilt = Tally::from_parts(
            merged.count(),
            merged.sum(),
            merged.sum_sq(),
            merged.min,
            merged.max,
            &merged.buckets().collect::<Vec<_>>(),
            None,
        );
        for s in STATS {
            assert_eq!(
                whole.stat(s, 1.0).to_bits(),
                rebuilt.stat(s, 1.0).to_bits(),
                "{s}"
            );
        }
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything a tally holds, to compare two tallies bit for bit.
    type State = (
        u64,
        u128,
        u128,
        u64,
        u64,
        Vec<Bucket>,
        Option<Vec<(u64, u64)>>,
    );

    fn state(t: &Tally) -> State {
        (
            t.n,
            t.sum,
            t.sum_sq,
            t.min,
            t.max,
            t.buckets().collect(),
            t.exact_counts().map(|e| e.collect()),
        )
    }

    proptest! {
        /// Recording slices gives the very tally that recording their values one by one does:
        /// small values (the 64-bit fast path), huge ones (saturating sums), many distinct values
        /// (exact counts given up part-way through a slice) and values that widen the histogram.
        #[test]
        fn recording_a_slice_equals_recording_each_value(
            values in prop_oneof![
                proptest::collection::vec(prop_oneof![0u64..3_000, 0u64..(1 << 32)], 0..3_000),
                proptest::collection::vec(
                    prop_oneof![
                        4 => 0u64..3_000,
                        4 => 0u64..(1 << 32),
                        1 => any::<u64>(),
                        1 => (u64::MAX - 4)..=u64::MAX,
                    ],
                    0..3_000,
                ),
            ],
            cuts in proptest::collection::vec(0usize..3_000, 0..6),
        ) {
            let mut one_by_one = Tally::default();
            values.iter().for_each(|&v| one_by_one.record(v));
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(values.len())).collect();
            cuts.push(0);
            cuts.push(values.len());
            cuts.sort_unstable();
            let mut sliced = Tally::default();
            for w in cuts.windows(2) {
                sliced.record_all(&values[w[0]..w[1]]);
            }
            prop_assert_eq!(state(&sliced), state(&one_by_one));
        }
    }

    proptest! {
        /// Tallies recorded in parts, compacted between batches and merged in reverse order,
        /// end as one pass over the values does: parts that stay exact and parts that gave
        /// their counts up, merged every way round, values past 32 bits included.
        #[test]
        fn parts_compacted_and_merged_equal_one_pass(
            values in proptest::collection::vec(
                prop_oneof![3 => 0u64..40, 4 => 0u64..20_000, 1 => 0u64..(1 << 40)],
                0..6_000,
            ),
            cuts in proptest::collection::vec(0usize..6_000, 0..5),
            compact_every in 1usize..4,
        ) {
            let mut one_by_one = Tally::default();
            values.iter().for_each(|&v| one_by_one.record(v));
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(values.len())).collect();
            cuts.push(0);
            cuts.push(values.len());
            cuts.sort_unstable();
            let parts: Vec<Tally> = cuts
                .windows(2)
                .map(|w| {
                    let mut t = Tally::default();
                    for (k, batch) in values[w[0]..w[1]].chunks(128).enumerate() {
                        t.record_all(batch);
                        if k % compact_every == 0 {
                            t.compact();
                        }
                    }
                    t
                })
                .collect();
            let mut merged = Tally::default();
            for part in parts.iter().rev() {
                merged.merge(part);
                merged.compact();
            }
            prop_assert_eq!(state(&merged), state(&one_by_one));
        }
    }

    #[test]
    fn slices_carry_counts_past_16_bits() {
        let mut one_by_one = Tally::default();
        let mut sliced = Tally::default();
        let values = vec![123_456u64; 70_000];
        values.iter().for_each(|&v| one_by_one.record(v));
        values.chunks(128).for_each(|c| sliced.record_all(c));
        assert_eq!(state(&sliced), state(&one_by_one));
        assert_eq!(sliced.buckets().next().map(|b| b.count), Some(70_000));
    }
}
