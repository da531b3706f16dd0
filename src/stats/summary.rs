//! The summary of a run: a [`Tally`] per firm and metric, and per round, folded from trial
//! outcomes and merged exactly.

use super::Tally;
use crate::model::Outcome;
use crate::scenario::Scenario;
use crate::units::{Divisor, floor_units, units_f64};

/// A per-firm quantity of MODEL.md's outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Orders,
    Delivered,
    Unmet,
    Domestic,
    /// Unmet demand less the imported-chip equivalent of the domestic chips bought.
    EffectiveUnmet,
    /// Delivered / orders (1 when nothing was ordered), tallied in parts per billion.
    FillRate,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 6] = [
        Metric::Orders,
        Metric::Delivered,
        Metric::Unmet,
        Metric::Domestic,
        Metric::EffectiveUnmet,
        Metric::FillRate,
    ];

    /// The metric's name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Orders => "orders",
            Metric::Delivered => "delivered",
            Metric::Unmet => "unmet",
            Metric::Domestic => "domestic",
            Metric::EffectiveUnmet => "effective_unmet",
            Metric::FillRate => "fill_rate",
        }
    }

    /// Factor from the tallied integer to the reported value.
    pub fn scale(self) -> f64 {
        if self == Metric::FillRate {
            1.0 / FILL_RATE_UNIT as f64
        } else {
            1.0
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Fill rates are tallied as integers in parts per billion, so their sums stay exact.
const FILL_RATE_UNIT: u64 = 1_000_000_000;

/// What a run found about one round.
#[derive(Debug, Clone, Default)]
pub struct RoundTally {
    /// Trials in which the round was approved.
    pub approved: u64,
    /// Trials in which a halt fired in this round.
    pub halted_here: u64,
    /// Trials halted in this round or an earlier one.
    pub halted_by: u64,
    /// Total delivered by the end of the round.
    pub cumulative: Tally,
}

/// Everything a run reports, mergeable exactly across threads and shards.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Firm names, then "total".
    pub names: Vec<String>,
    /// `tallies[firm][metric]`; the last firm is the total.
    pub tallies: Vec<[Tally; 6]>,
    pub rounds: Vec<RoundTally>,
    /// Approved rounds per trial.
    pub approved_rounds: Tally,
    equivalence: f64,
}

impl Summary {
    /// An empty summary for `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let mut names: Vec<String> = scenario.firms.iter().map(|f| f.name.clone()).collect();
        names.push("total".to_string());
        Summary {
            tallies: vec![Default::default(); names.len()],
            names,
            rounds: vec![RoundTally::default(); scenario.rounds as usize],
            approved_rounds: Tally::default(),
            equivalence: scenario.domestic.equivalence,
        }
    }

    /// A summary from its parts (as saved by a finished run).
    pub fn from_parts(
        names: Vec<String>,
        tallies: Vec<[Tally; 6]>,
        rounds: Vec<RoundTally>,
        approved_rounds: Tally,
        equivalence: f64,
    ) -> Summary {
        Summary {
            names,
            tallies,
            rounds,
            approved_rounds,
            equivalence,
        }
    }

    /// Trials recorded.
    pub fn trials(&self) -> u64 {
        self.approved_rounds.count()
    }

    /// The tally of `metric` for firm `firm` (`names.len() - 1` is the total).
    pub fn tally(&self, firm: usize, metric: Metric) -> &Tally {
        &self.tallies[firm][metric.index()]
    }

    /// Folds one trial's outcome in.
    pub fn record(&mut self, o: &Outcome) {
        let n = o.orders.len();
        let mut total = [0u64; 5];
        for i in 0..n {
            let values = self.firm_values(o.orders[i], o.delivered[i], o.domestic[i]);
            let t = &mut self.tallies[i];
            for (m, v) in values.iter().enumerate().take(5) {
                t[m].record(*v);
                total[m] = total[m].saturating_add(*v);
            }
            t[Metric::FillRate.index()].record(values[5]);
        }
        // The total's fill rate is total delivered over total orders, not a mean of rates, and
        // its effective unmet is the sum of the firms' (each clamped at 0 on its own).
        let t = &mut self.tallies[n];
        for (m, v) in total.iter().enumerate() {
            t[m].record(*v);
        }
        t[Metric::FillRate.index()].record(fill_rate(total[0], total[1]));

        let mut approved = 0;
        for (r, round) in self.rounds.iter_mut().enumerate() {
            let number = r as u32 + 1;
            approved += u64::from(o.approved[r]);
            round.approved += u64::from(o.approved[r]);
            round.halted_here += u64::from(o.halt_round == Some(number));
            round.halted_by += u64::from(o.halt_round.is_some_and(|h| h <= number));
            round.cumulative.record(o.cumulative[r]);
        }
        self.approved_rounds.record(approved);
    }

    /// `[orders, delivered, unmet, domestic, effective unmet, fill rate]` of one firm.
    fn firm_values(&self, orders: u64, delivered: u64, domestic: u64) -> [u64; 6] {
        let unmet = orders - delivered;
        let replaced = if self.equivalence == 0.0 {
            0
        } else {
            floor_units(self.equivalence * units_f64(domestic))
        };
        [
            orders,
            delivered,
            unmet,
            domestic,
            unmet.saturating_sub(replaced),
            fill_rate(orders, delivered),
        ]
    }

    /// Adds everything `other` recorded (same scenario).
    pub fn merge(&mut self, other: &Summary) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
        for (a, b) in self.rounds.iter_mut().zip(&other.rounds) {
            a.approved += b.approved;
            a.halted_here += b.halted_here;
            a.halted_by += b.halted_by;
            a.cumulative.merge(&b.cumulative);
        }
        self.approved_rounds.merge(&other.approved_rounds);
    }
}

/// Delivered / orders in parts per billion, rounded to nearest; 1 (10^9) when nothing was ordered.
fn fill_rate(orders: u64, delivered: u64) -> u64 {
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
    use super::fill_rate;

    #[test]
    fn fill_rates_in_parts_per_billion() {
        assert_eq!(fill_rate(0, 0), 1_000_000_000);
        assert_eq!(fill_rate(3, 1), 333_333_333);
        assert_eq!(fill_rate(3, 2), 666_666_667);
        assert_eq!(fill_rate(u64::MAX, u64::MAX), 1_000_000_000);
    }
}
