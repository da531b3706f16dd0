//! The per-trial metrics that are not one per firm in every scenario, as one table
//! ([`TRIAL_METRICS`]): how many of each a run has (its members) depends on the scenario, and so
//! does the summary row each member is reported on. A metric of each regime (the rounds a trial
//! spent in it) is reported on the total row once per regime; a firm's drawn entry round on that
//! firm's row, only for the firms whose entry is drawn. The summary, the recorder, the saved
//! results and every exporter read this table, so a new metric of this kind is one variant of
//! [`TrialMetric`] and one entry here (the compiler checks the lengths agree, a test the order).
//!
//! The approved rounds per trial are a per-trial tally too, older than this table; they keep
//! their own place in the summary and in results.json, whose layout for scenarios without
//! regimes or drawn entries must not change.

use crate::model::Outcome;
use crate::scenario::{Entry, Firm};

use super::metrics::Quantity;

/// A per-trial quantity whose members depend on the scenario. Its position is its row in
/// [`TRIAL_METRICS`] and orders its members among a summary's per-trial tallies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrialMetric {
    /// Rounds the trial spent in a regime: one member per regime.
    RoundsInRegime,
    /// The firm's entry round in the trial (MODEL.md `entry_i`, R + 1 when it never became
    /// eligible): one member per firm whose `eligible_from` is a distribution.
    EntryRound,
}

/// Which members a scenario has of a [`TrialMetric`], and the row each is reported on.
#[derive(Debug, Clone, Copy)]
pub enum Members {
    /// One per regime, in listed order (none without regimes), each on the total row.
    EachRegime,
    /// One per firm for which the function holds, in listed order, each on its firm's row.
    Firms(fn(&Firm) -> bool),
}

/// One row of [`TRIAL_METRICS`].
#[derive(Debug, Clone, Copy)]
pub struct TrialMetricSpec {
    /// The metric this row describes.
    pub metric: TrialMetric,
    /// Its key in results.json (each saved member names it and its member).
    pub key: &'static str,
    /// Its members.
    pub members: Members,
    /// Its name in outputs (summary.csv's `metric` column) for the member named `member` (a
    /// regime's or a firm's name).
    pub name: fn(&str) -> String,
    /// Its name for people (report and workbook headings), for the member named `member`.
    pub label: fn(&str) -> String,
    /// What its value counts, which says how it is written for people.
    pub quantity: Quantity,
    /// Decimals written in CSV files.
    pub decimals: usize,
    /// The least and greatest value one trial can record in a run of `rounds` rounds (what a
    /// saved file is checked against).
    pub range: fn(u32) -> (u64, u64),
    /// Member `k`'s value (`k` a regime or a firm index, as [`Members`] says) in one trial.
    pub value: fn(&Outcome, usize) -> u64,
}

/// The per-trial metrics, in the order of [`TrialMetric`]'s variants.
pub const TRIAL_METRICS: [TrialMetricSpec; TrialMetric::COUNT] = [
    TrialMetricSpec {
        metric: TrialMetric::RoundsInRegime,
        key: "rounds_in_regime",
        members: Members::EachRegime,
        name: |regime| format!("rounds_in_{regime}"),
        label: |regime| format!("Rounds in regime {regime}"),
        quantity: Quantity::Rounds,
        decimals: 6,
        range: |rounds| (0, u64::from(rounds)),
        value: |o, k| o.regime.iter().filter(|&&g| g as usize == k).count() as u64,
    },
    TrialMetricSpec {
        metric: TrialMetric::EntryRound,
        key: "entry_round",
        members: Members::Firms(|f| matches!(f.eligible_from, Entry::Drawn(_))),
        name: |_| "entry_round".to_string(),
        label: |_| "Entry round".to_string(),
        quantity: Quantity::Rounds,
        decimals: 6,
        range: |rounds| (1, u64::from(rounds) + 1),
        value: |o, firm| u64::from(o.entry[firm]),
    },
];

impl TrialMetric {
    /// The number of per-trial metrics.
    pub const COUNT: usize = 2;

    /// This metric's row of [`TRIAL_METRICS`].
    pub const fn spec(self) -> &'static TrialMetricSpec {
        &TRIAL_METRICS[self as usize]
    }

    /// The metric whose results.json key is `key`.
    pub fn from_key(key: &str) -> Option<TrialMetric> {
        TRIAL_METRICS
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.metric)
    }
}

/// The members of every per-trial metric a scenario of `regimes` regimes and these `firms` has:
/// (metric, member index), metric by metric in table order, members in listed order. This is
/// the order of a summary's per-trial tallies.
pub fn trial_layout(regimes: usize, firms: &[Firm]) -> Vec<(TrialMetric, usize)> {
    let mut layout = Vec::new();
    for spec in &TRIAL_METRICS {
        match spec.members {
            Members::EachRegime => layout.extend((0..regimes).map(|k| (spec.metric, k))),
            Members::Firms(has) => layout.extend(
                firms
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| has(f))
                    .map(|(i, _)| (spec.metric, i)),
            ),
        }
    }
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_variant_order() {
        for (k, spec) in TRIAL_METRICS.iter().enumerate() {
            assert_eq!(spec.metric as usize, k, "{} is out of place", spec.key);
            assert_eq!(TrialMetric::from_key(spec.key), Some(spec.metric));
        }
    }

    #[test]
    fn values_of_one_trial_by_hand() {
        let o = Outcome {
            regime: vec![1, 0, 1, 1, 2],
            entry: vec![1, 6, 3],
            ..Outcome::default()
        };
        let rounds = |k| (TrialMetric::RoundsInRegime.spec().value)(&o, k);
        assert_eq!([rounds(0), rounds(1), rounds(2), rounds(3)], [1, 3, 1, 0]);
        let entry = |i| (TrialMetric::EntryRound.spec().value)(&o, i);
        assert_eq!([entry(0), entry(1), entry(2)], [1, 6, 3]);
        assert_eq!((TrialMetric::EntryRound.spec().range)(5), (1, 6));
        assert_eq!((TrialMetric::RoundsInRegime.spec().range)(5), (0, 5));
        assert_eq!(
            (TrialMetric::RoundsInRegime.spec().name)("calm"),
            "rounds_in_calm"
        );
    }
}
