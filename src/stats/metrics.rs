//! The per-firm metrics of MODEL.md's outcomes, as one table ([`METRICS`]): each entry names a
//! metric, says how it is computed from a firm's outcome in a trial, how the total row's value
//! is formed, which way is worse, and how it is written. The summary's layout, the recorder, and
//! every exporter (summary.csv, trials.csv, results.json, report.html, the charts and the paired
//! differences of a comparison) are built from this table, so a new metric is one variant of
//! [`Metric`] and one entry of [`METRICS`] (the compiler checks that the two agree in length, and
//! a test that they agree in order).

use crate::model::Outcome;
use crate::units::{Divisor, Units, floor_units, units_f64};

/// A per-firm quantity of MODEL.md's outcomes. Its position is its row in [`METRICS`] and the
/// position of its tally in results.json, so new metrics are added at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Units the firm ordered.
    Orders,
    /// Imported units delivered to it.
    Delivered,
    /// Orders less deliveries.
    Unmet,
    /// Domestic chips it bought.
    Domestic,
    /// Unmet demand less the imported-chip equivalent of the domestic chips bought.
    EffectiveUnmet,
    /// Delivered / orders (1 when nothing was ordered), tallied in parts per billion.
    FillRate,
}

/// Which way a metric leaves a firm worse off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worse {
    /// More is worse: unmet demand, and domestic chips a firm is made to buy.
    More,
    /// Less is worse: deliveries, fill rates.
    Less,
}

/// How the total row's value of a metric is formed in a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// The sum of the firms' values (saturating).
    Sum,
    /// The metric's own formula applied to the summed inputs of all firms (a total fill rate
    /// is total delivered over total orders, not a sum or a mean of rates).
    OfTotals,
}

/// Where a metric is listed in summaries for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// In summary.csv, the report's summary table and comparisons, in table order.
    Main,
    /// In summary.csv after the main metrics (an input echoed back, such as the orders), not in
    /// the report's summary table.
    Appendix,
}

/// What a metric's reported value counts, which says how it is written for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// A number of chips ("units").
    Units,
    /// A share between 0 and 1, shown as a percentage.
    Share,
    /// A number of rounds, or a round's number: small, shown with two decimals.
    Rounds,
}

/// What one firm's metrics are computed from in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FirmInputs {
    /// Units ordered.
    pub orders: Units,
    /// Imported units delivered (at most `orders`).
    pub delivered: Units,
    /// Domestic chips bought.
    pub domestic: Units,
    /// The imported-chip equivalent of `domestic`: ⌊equivalence × domestic⌋.
    pub replaced: Units,
}

impl FirmInputs {
    /// The inputs of a firm that ordered `orders`, got `delivered` and bought `domestic`, when a
    /// domestic chip counts as `equivalence` imported ones.
    #[inline(always)]
    pub fn new(equivalence: f64, orders: Units, delivered: Units, domestic: Units) -> Self {
        let replaced = if equivalence == 0.0 {
            0
        } else {
            floor_units(equivalence * units_f64(domestic))
        };
        FirmInputs {
            orders,
            delivered,
            domestic,
            replaced,
        }
    }

    /// Firm `firm`'s inputs in the trial that ended in `outcome`.
    #[inline(always)]
    pub fn of(equivalence: f64, outcome: &Outcome, firm: usize) -> Self {
        FirmInputs::new(
            equivalence,
            outcome.orders[firm],
            outcome.delivered[firm],
            outcome.domestic[firm],
        )
    }

    /// These inputs and `other`'s added (saturating), for the total row.
    #[inline(always)]
    fn plus(self, other: FirmInputs) -> FirmInputs {
        FirmInputs {
            orders: self.orders.saturating_add(other.orders),
            delivered: self.delivered.saturating_add(other.delivered),
            domestic: self.domestic.saturating_add(other.domestic),
            replaced: self.replaced.saturating_add(other.replaced),
        }
    }
}

/// One row of [`METRICS`]: everything allocsim knows about a metric.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    /// The metric this row describes.
    pub metric: Metric,
    /// Its name in outputs (summary.csv's `metric` column, trials.csv's header).
    pub name: &'static str,
    /// Its name for people (report and chart titles).
    pub label: &'static str,
    /// What its reported value counts.
    pub quantity: Quantity,
    /// Factor from the tallied integer to the reported value.
    pub scale: f64,
    /// Decimals written in CSV files.
    pub decimals: usize,
    /// Which way is worse for a firm.
    pub worse: Worse,
    /// How the total row's value is formed.
    pub total: Total,
    /// Where it is listed.
    pub listing: Listing,
    /// Its value, as the integer tallied, for one firm in one trial.
    pub value: fn(&FirmInputs) -> u64,
}

impl MetricSpec {
    /// Its label with its unit, for a table heading: "Unmet demand (units)".
    pub fn heading(&self) -> String {
        heading(self.label, self.quantity)
    }
}

/// `label` with the unit of `quantity`, for a table heading: "Unmet demand (units)".
pub fn heading(label: &str, quantity: Quantity) -> String {
    match quantity {
        Quantity::Units => format!("{label} (units)"),
        Quantity::Rounds => format!("{label} (rounds)"),
        Quantity::Share => label.to_string(),
    }
}

/// Fill rates are tallied as integers in parts per billion, so their sums stay exact.
pub const FILL_RATE_UNIT: u64 = 1_000_000_000;

/// The metrics, in the order of [`Metric`]'s variants.
pub const METRICS: [MetricSpec; Metric::COUNT] = [
    MetricSpec {
        metric: Metric::Orders,
        name: "orders",
        label: "Orders",
        quantity: Quantity::Units,
        scale: 1.0,
        decimals: 3,
        worse: Worse::Less,
        total: Total::Sum,
        listing: Listing::Appendix,
        value: |f| f.orders,
    },
    MetricSpec {
        metric: Metric::Delivered,
        name: "delivered",
        label: "Delivered",
        quantity: Quantity::Units,
        scale: 1.0,
        decimals: 3,
        worse: Worse::Less,
        total: Total::Sum,
        listing: Listing::Main,
        value: |f| f.delivered,
    },
    MetricSpec {
        metric: Metric::Unmet,
        name: "unmet",
        label: "Unmet demand",
        quantity: Quantity::Units,
        scale: 1.0,
        decimals: 3,
        worse: Worse::More,
        total: Total::Sum,
        listing: Listing::Main,
        value: |f| f.orders - f.delivered,
    },
    MetricSpec {
        metric: Metric::Domestic,
        name: "domestic",
        label: "Domestic chips bought",
        quantity: Quantity::Units,
        scale: 1.0,
        decimals: 3,
        worse: Worse::More,
        total: Total::Sum,
        listing: Listing::Main,
        value: |f| f.domestic,
    },
    MetricSpec {
        metric: Metric::EffectiveUnmet,
        name: "effective_unmet",
        label: "Effective unmet demand",
        quantity: Quantity::Units,
        scale: 1.0,
        decimals: 3,
        worse: Worse::More,
        // Each firm's is clamped at 0 on its own, so the total is the sum of the firms'.
        total: Total::Sum,
        listing: Listing::Main,
        value: |f| (f.orders - f.delivered).saturating_sub(f.replaced),
    },
    MetricSpec {
        metric: Metric::FillRate,
        name: "fill_rate",
        label: "Fill rate",
        quantity: Quantity::Share,
        scale: 1.0 / FILL_RATE_UNIT as f64,
        decimals: 9,
        worse: Worse::Less,
        total: Total::OfTotals,
        listing: Listing::Main,
        value: |f| fill_rate(f.orders, f.delivered),
    },
];

impl Metric {
    /// The number of metrics.
    pub const COUNT: usize = 6;

    /// Every metric, in the order of [`METRICS`].
    pub const ALL: [Metric; Metric::COUNT] = {
        let mut all = [Metric::Orders; Metric::COUNT];
        let mut k = 0;
        while k < Metric::COUNT {
            all[k] = METRICS[k].metric;
            k += 1;
        }
        all
    };

    /// The metrics of summary.csv and comparisons, in their order: the main ones, then the
    /// appendix.
    pub fn reported() -> impl Iterator<Item = Metric> {
        let main = Metric::ALL
            .into_iter()
            .filter(|m| m.spec().listing == Listing::Main);
        let rest = Metric::ALL
            .into_iter()
            .filter(|m| m.spec().listing != Listing::Main);
        main.chain(rest)
    }

    /// The metrics of the report's summary table ([`Listing::Main`]).
    pub fn main() -> impl Iterator<Item = Metric> {
        Metric::ALL
            .into_iter()
            .filter(|m| m.spec().listing == Listing::Main)
    }

    /// This metric's row of [`METRICS`].
    #[inline(always)]
    pub const fn spec(self) -> &'static MetricSpec {
        &METRICS[self as usize]
    }

    /// Its position in [`Metric::ALL`].
    #[inline(always)]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The metric's name in outputs.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Factor from the tallied integer to the reported value.
    pub fn scale(self) -> f64 {
        self.spec().scale
    }

    /// Decimals written in CSV files.
    pub fn decimals(self) -> usize {
        self.spec().decimals
    }

    /// Which way is worse for a firm.
    pub fn worse(self) -> Worse {
        self.spec().worse
    }

    /// The metric whose output name is `name`.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// One value per metric, indexed by [`Metric`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerMetric<T>(pub [T; Metric::COUNT]);

impl<T> PerMetric<T> {
    /// A value for each metric from `f`.
    pub fn from_fn(mut f: impl FnMut(Metric) -> T) -> Self {
        PerMetric(std::array::from_fn(|k| f(Metric::ALL[k])))
    }

    /// The values in [`Metric::ALL`] order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The values in [`Metric::ALL`] order, mutable.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.0.iter_mut()
    }

    /// The values from a list in [`Metric::ALL`] order, if it has one per metric.
    pub fn from_vec(values: Vec<T>) -> Option<Self> {
        <[T; Metric::COUNT]>::try_from(values).ok().map(PerMetric)
    }
}

impl<T> std::ops::Index<Metric> for PerMetric<T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, m: Metric) -> &T {
        &self.0[m.index()]
    }
}

impl<T> std::ops::IndexMut<Metric> for PerMetric<T> {
    #[inline(always)]
    fn index_mut(&mut self, m: Metric) -> &mut T {
        &mut self.0[m.index()]
    }
}

impl<'a, T> IntoIterator for &'a PerMetric<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The one mapping from a trial's outcome to metric values: passes `put` every firm's values
/// (firm by firm, each in [`Metric::ALL`] order), then the total row's, formed as each metric's
/// [`Total`] says.
#[inline(always)]
pub fn trial_metric_values(equivalence: f64, outcome: &Outcome, mut put: impl FnMut(u64)) {
    let mut sums = [0u64; Metric::COUNT];
    let mut all = FirmInputs::default();
    for i in 0..outcome.orders.len() {
        let inputs = FirmInputs::of(equivalence, outcome, i);
        for (k, spec) in METRICS.iter().enumerate() {
            let v = (spec.value)(&inputs);
            put(v);
            if spec.total == Total::Sum {
                sums[k] = sums[k].saturating_add(v);
            }
        }
        all = all.plus(inputs);
    }
    for (k, spec) in METRICS.iter().enumerate() {
        put(match spec.total {
            Total::Sum => sums[k],
            Total::OfTotals => (spec.value)(&all),
        });
    }
}

/// One metric's values of a trial, as [`trial_metric_values`] gives them: `out[i]` firm i's,
/// then the total row's at `out[firms]`. Computes that metric alone (an importance analysis
/// wants one a model run).
#[inline]
pub fn trial_metric_values_of(
    equivalence: f64,
    outcome: &Outcome,
    metric: Metric,
    out: &mut [u64],
) {
    // One copy per metric, each with its formula inlined (a call through the table's function
    // pointer for every firm cost more than the formula).
    match metric {
        Metric::Orders => values_of::<{ Metric::Orders.index() }>(equivalence, outcome, out),
        Metric::Delivered => values_of::<{ Metric::Delivered.index() }>(equivalence, outcome, out),
        Metric::Unmet => values_of::<{ Metric::Unmet.index() }>(equivalence, outcome, out),
        Metric::Domestic => values_of::<{ Metric::Domestic.index() }>(equivalence, outcome, out),
        Metric::EffectiveUnmet => {
            values_of::<{ Metric::EffectiveUnmet.index() }>(equivalence, outcome, out)
        }
        Metric::FillRate => values_of::<{ Metric::FillRate.index() }>(equivalence, outcome, out),
    }
}

/// [`trial_metric_values_of`] for the metric at `K` of [`METRICS`].
#[inline(always)]
fn values_of<const K: usize>(equivalence: f64, outcome: &Outcome, out: &mut [u64]) {
    const { assert!(K < Metric::COUNT) };
    let spec = &METRICS[K];
    let firms = outcome.orders.len();
    let mut sum = 0u64;
    let mut all = FirmInputs::default();
    for (i, slot) in out[..firms].iter_mut().enumerate() {
        let inputs = FirmInputs::of(equivalence, outcome, i);
        let v = (spec.value)(&inputs);
        *slot = v;
        sum = sum.saturating_add(v);
        all = all.plus(inputs);
    }
    out[firms] = match spec.total {
        Total::Sum => sum,
        Total::OfTotals => (spec.value)(&all),
    };
}

/// One firm's metric values in a trial, in [`Metric::ALL`] order.
#[inline(always)]
pub fn firm_metric_values(inputs: &FirmInputs) -> PerMetric<u64> {
    PerMetric(std::array::from_fn(|k| (METRICS[k].value)(inputs)))
}

/// Delivered / orders in parts per billion, rounded half up; 1 (10^9) when nothing was ordered.
#[inline(always)]
pub fn fill_rate(orders: u64, delivered: u64) -> u64 {
    if orders == 0 {
        return FILL_RATE_UNIT;
    }
    // Chip counts are far below 2^64 / 10^9, so this is nearly always a 64-bit division, done
    // by reciprocal (a u128 division is a library call, and even the divide instruction showed
    // in profiles: seven of them per trial).
    if let Some(scaled) = delivered
        .checked_mul(FILL_RATE_UNIT)
        .and_then(|s| s.checked_add(orders / 2))
    {
        return Divisor::new(orders).div_rem(scaled).0;
    }
    let scaled = u128::from(delivered) * u128::from(FILL_RATE_UNIT);
    ((scaled + u128::from(orders) / 2) / u128::from(orders)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_variant_order() {
        for (k, spec) in METRICS.iter().enumerate() {
            assert_eq!(spec.metric as usize, k, "{} is out of place", spec.name);
        }
        let names: std::collections::HashSet<_> = METRICS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), Metric::COUNT, "names are unique");
    }

    #[test]
    fn fill_rates_in_parts_per_billion() {
        assert_eq!(fill_rate(0, 0), 1_000_000_000);
        assert_eq!(fill_rate(3, 1), 333_333_333);
        assert_eq!(fill_rate(3, 2), 666_666_667);
        assert_eq!(fill_rate(2_000_000_000, 1), 1, "half a part rounds up");
        assert_eq!(fill_rate(u64::MAX, u64::MAX), 1_000_000_000);
    }

    #[test]
    fn one_firm_values_by_hand() {
        // 1000 ordered, 600 delivered, 300 domestic counting as 0.5 each: 400 unmet, 150
        // replaced, 250 effectively unmet, 60% filled.
        let v = firm_metric_values(&FirmInputs::new(0.5, 1000, 600, 300));
        assert_eq!(v.0, [1000, 600, 400, 300, 250, 600_000_000]);
        // Effective unmet never goes below zero.
        let v = firm_metric_values(&FirmInputs::new(2.0, 1000, 900, 300));
        assert_eq!(v[Metric::EffectiveUnmet], 0);
    }

    #[test]
    fn totals_sum_or_apply_to_the_sums() {
        let outcome = Outcome {
            orders: vec![1000, 3000],
            delivered: vec![1000, 0],
            domestic: vec![0, 100],
            approved: vec![true],
            halt_round: None,
            cumulative: vec![1000],
            ..Outcome::default()
        };
        let mut values = Vec::new();
        trial_metric_values(1.0, &outcome, |v| values.push(v));
        assert_eq!(values.len(), 3 * Metric::COUNT);
        let total = &values[2 * Metric::COUNT..];
        // Orders, delivered, unmet, domestic, effective unmet summed; the fill rate is 1000 of
        // 4000 (a mean of the firms' rates would be one half).
        assert_eq!(total, [4000, 1000, 3000, 100, 2900, 250_000_000]);
    }

    /// One metric's values are exactly what the full mapping gives for it, firm by firm and in
    /// the total row (including saturated sums and zero orders).
    #[test]
    fn one_metric_alone_is_the_full_mapping_filtered() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(19);
        for case in 0..500 {
            let firms = 1 + case % 7;
            let mut outcome = Outcome::default();
            for _ in 0..firms {
                let big = case % 50 == 0;
                let orders: u64 = if rng.random_bool(0.1) {
                    0
                } else if big {
                    u64::MAX / 2
                } else {
                    rng.random_range(1..3_000_000)
                };
                outcome.orders.push(orders);
                outcome.delivered.push(rng.random_range(0..=orders));
                outcome.domestic.push(rng.random_range(0..2_000_000));
            }
            let equivalence = [0.0, 0.4, 1.0, 2.5][case % 4];
            let mut all = Vec::new();
            trial_metric_values(equivalence, &outcome, |v| all.push(v));
            for metric in Metric::ALL {
                let mut one = vec![u64::MAX; firms + 1];
                trial_metric_values_of(equivalence, &outcome, metric, &mut one);
                let expected: Vec<u64> = all
                    .iter()
                    .skip(metric.index())
                    .step_by(Metric::COUNT)
                    .copied()
                    .collect();
                assert_eq!(one, expected, "case {case}, {}", metric.name());
            }
        }
    }

    #[test]
    fn report_order_puts_the_appendix_last() {
        let names: Vec<_> = Metric::reported().map(Metric::name).collect();
        assert_eq!(
            names,
            [
                "delivered",
                "unmet",
                "domestic",
                "effective_unmet",
                "fill_rate",
                "orders"
            ]
        );
        assert_eq!(Metric::main().count(), 5);
        assert_eq!(Metric::from_name("unmet"), Some(Metric::Unmet));
    }
}
