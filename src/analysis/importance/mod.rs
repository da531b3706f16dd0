//! Variance-based importance (Sobol indices) of the groups of random inputs of MODEL.md's
//! "Randomness" table: how much of the variance of a firm's (or the total's) unmet demand, or of
//! another metric, comes from the batch sizes, the approvals, the orders, ...
//!
//! The design is Saltelli et al.'s (2010) with the keyed streams as the input matrices: base
//! trial t of A is trial t of the run (`TrialStreams::new(seed, t)`); trial t of B draws every
//! input from an independent key, [`b_key`]; and trial t of A_B^i is A's trial t with factor i's
//! streams taken from B's key ([`TrialStreams::with_group`]). No input is stored and the model
//! is not changed: re-keying a group re-draws exactly its inputs, every other draw stays A's. The
//! estimators and their errors are in [`sums`]. Cost: (factors + 2) × N trials.

mod sums;
#[cfg(test)]
mod tests;
mod wide;

pub use sums::{Estimate, MAX_FACTORS, MAX_VALUE, OutputEstimates, Sums, SumsError};

use std::sync::atomic::AtomicBool;

use crate::engine::{EngineError, for_each_chunk};
use crate::model::{Model, World, WorldLayout, WorldSlots};
use crate::rng::{Group, TrialKey, TrialStreams};
use crate::scenario::{Entry, OrdersDependence, Rule, Scenario};
use crate::stats::{Metric, trial_metric_values_of};

/// B's trials are keyed by the seed XOR this constant (the first 64 bits of the fractional part
/// of √2, SHA-512's first initial hash word): trial t of B is trial t of a run under seed
/// `seed ^ B_SEED_MIX`. It depends on neither N nor the factors, so a larger N extends a
/// smaller one's trials and adding a group leaves A and B as they were.
pub const B_SEED_MIX: u64 = 0x6a09_e667_f3bc_c908;

/// The key of trial `t` of B under `seed`.
pub fn b_key(seed: u64, t: u64) -> TrialKey {
    TrialKey::new(seed ^ B_SEED_MIX, t)
}

/// The groups in the order of MODEL.md's "Randomness" table, the order outputs list them in.
pub const GROUPS: [Group; Group::COUNT] = [
    Group::Orders,
    Group::Entry,
    Group::Ratio,
    Group::Regime,
    Group::Shock,
    Group::Approval,
    Group::Batch,
    Group::Order,
    Group::Conversion,
    Group::Domestic,
];

/// What an importance analysis re-draws at a time: one group of random inputs, or with
/// `--by-firm` one firm's inputs of a per-firm group, or the copula's common factor of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// Every input of a group (MODEL.md's "Randomness" table).
    Group(Group),
    /// The inputs of one firm (its position in the scenario) within a group keyed by firm:
    /// its orders (the normal `e_i` when orders are correlated), its entry round, or its
    /// conversion rate in every round.
    Firm {
        /// `orders`, `entry` or `conversion`.
        group: Group,
        /// The firm's position in the scenario's list.
        firm: usize,
    },
    /// The copula's common factor of a correlated group (`orders` or `conversion`).
    Common(Group),
}

/// The groups `--by-firm` splits, one factor per firm.
pub const PER_FIRM: [Group; 3] = [Group::Orders, Group::Entry, Group::Conversion];

impl Factor {
    /// The factor's name in outputs: the group's name ("batch"), "orders:ByteDance" for one
    /// firm's, "orders:common" for a common factor.
    pub fn name(&self, scenario: &Scenario) -> String {
        match *self {
            Factor::Group(g) => g.name().to_string(),
            Factor::Firm { group, firm } => {
                format!("{}:{}", group.name(), scenario.firms[firm].name)
            }
            Factor::Common(g) => format!("{}:common", g.name()),
        }
    }

    /// The group the factor's inputs belong to.
    pub fn group(&self) -> Group {
        match *self {
            Factor::Group(g) | Factor::Firm { group: g, .. } | Factor::Common(g) => g,
        }
    }

    /// The model that re-draws this factor's inputs through the spare key
    /// ([`Model::with_spare`]), or None for a whole group (the model as it is, re-keying the
    /// group's key). Err when the group has too many streams a trial to move one firm's.
    fn spare_model<'s>(&self, model: &Model<'s>) -> Result<Option<Model<'s>>, ImportanceError> {
        let index = match *self {
            Factor::Group(_) => return Ok(None),
            Factor::Firm { firm, .. } => firm,
            Factor::Common(_) => model.scenario().firms.len(),
        };
        let name = self.name(model.scenario());
        model
            .with_spare(self.group(), index)
            .map(Some)
            .ok_or(ImportanceError::TooManyStreams { name })
    }

    /// Where `model` (the base model) finds this factor's inputs in a trial's worlds, A's
    /// `base` then B's at `offset`: B's for the factor's, A's for the rest.
    fn slots(&self, model: &Model, base: &WorldSlots, offset: usize) -> WorldSlots {
        match *self {
            Factor::Group(g) => base.moved(model, g, None, offset),
            Factor::Firm { group, firm } => base.moved(model, group, Some(firm), offset),
            Factor::Common(g) => base.moved(model, g, Some(model.scenario().firms.len()), offset),
        }
    }

    /// A's streams of trial t with this factor's taken from B's key `b`.
    #[inline]
    fn streams(&self, a: TrialStreams, b: TrialKey) -> TrialStreams {
        match *self {
            Factor::Group(g) => a.with_group(g, b),
            Factor::Firm { .. } | Factor::Common(_) => a.with_spare(b),
        }
    }
}

/// Why an importance analysis cannot be run as asked.
#[derive(Debug, thiserror::Error)]
pub enum ImportanceError {
    /// `--groups` named something that is not a group.
    #[error("--groups: '{name}' is not a group of random inputs; the groups are {known}")]
    UnknownGroup {
        /// The name given.
        name: String,
        /// The names that would be accepted, listed.
        known: String,
    },
    /// `--groups` named a group the scenario draws nothing from.
    #[error(
        "--groups: the scenario draws nothing from group '{name}': {why}; it draws from {drawn}"
    )]
    UnusedGroup {
        /// The group's name.
        name: String,
        /// Why it has no random input.
        why: String,
        /// The groups the scenario does draw from, listed.
        drawn: String,
    },
    /// `--by-firm` on a group whose streams are too many to move one firm's (more than 65,536
    /// a trial: hundreds of firms over hundreds of rounds).
    #[error(
        "--by-firm: group '{name}' cannot be re-drawn alone: the scenario has too many streams of \
         its group a trial (more than 65,536); analyse the whole group (without --by-firm)"
    )]
    TooManyStreams {
        /// The factor's name.
        name: String,
    },
    /// The scenario has no random input at all.
    #[error(
        "the scenario draws no random input (every group is fixed), so there is no variance to \
         apportion"
    )]
    NothingDrawn,
    /// Fewer than 2 base trials: no variance and no standard error.
    #[error("importance needs at least 2 trials, got {trials}")]
    TooFewTrials {
        /// The trials asked for.
        trials: u64,
    },
    /// The sums could not be formed.
    #[error(transparent)]
    Sums(#[from] SumsError),
    /// The trials could not run, or were interrupted.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl ImportanceError {
    /// Whether the caller's request or scenario is to fix (exit status 2), not the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            ImportanceError::Engine(e) => e.is_bad_input(),
            ImportanceError::Sums(SumsError::Overflow) => false,
            _ => true,
        }
    }
}

/// Why `group` has no random input in scenario `s` (a draw of it could change nothing), or None
/// when it has one. Errs towards "has one": a group reported as drawn that changes nothing gets
/// indices of 0, while one wrongly left out would be missing from the analysis.
pub fn unused_because(s: &Scenario, group: Group) -> Option<String> {
    let random = |p: f64| p > 0.0 && p < 1.0;
    let varies = |d: &crate::dist::Dist| d.point_mass().is_none();
    let regimes = &s.regimes.list;
    // The approval probabilities a round can have: its own, or under each regime's factor.
    let approval = |p: f64| -> Vec<f64> {
        if regimes.is_empty() {
            vec![p]
        } else {
            regimes
                .iter()
                .map(|g| (p * g.approval_factor).min(1.0))
                .collect()
        }
    };
    let domestic_ratio_positive = s.domestic.ratio.support().1 > 0.0
        || regimes
            .iter()
            .any(|g| g.domestic_ratio.is_some_and(|r| r > 0.0));
    let domestic_drawn = domestic_ratio_positive && s.domestic.supply.iter().any(varies);
    let why = match group {
        Group::Orders => {
            (!s.firms.iter().any(|f| varies(&f.orders))).then_some("every firm's orders are fixed")
        }
        Group::Entry => (!s
            .firms
            .iter()
            .any(|f| matches!(f.eligible_from, Entry::Drawn(_))))
        .then_some("every firm's entry round is fixed"),
        Group::Ratio => (!varies(&s.domestic.ratio)).then_some("the domestic ratio is fixed"),
        Group::Regime => {
            if regimes.is_empty() {
                Some("the scenario has no regimes")
            } else {
                let rows = s.rounds >= 2;
                let chain_random = s.regimes.initial.iter().any(|&p| random(p))
                    || (rows
                        && regimes
                            .iter()
                            .any(|g| g.transition.iter().any(|&p| random(p))));
                (!chain_random).then_some("the regime chain is fixed (every probability is 0 or 1)")
            }
        }
        Group::Shock => {
            if s.events.is_empty() {
                Some("the scenario has no events")
            } else {
                let fires = s
                    .events
                    .iter()
                    .any(|e| random(e.probability) && e.from_round <= s.rounds.min(e.to_round));
                (!fires).then_some("every event fires with probability 0 or 1 in its rounds")
            }
        }
        Group::Approval => (!s
            .approval
            .iter()
            .any(|a| approval(a.probability).into_iter().any(random)))
        .then_some("every round's approval probability is 0 or 1"),
        Group::Batch => {
            let batches = s
                .approval
                .iter()
                .any(|a| varies(&a.batch) && approval(a.probability).into_iter().any(|p| p > 0.0));
            // A correlated domestic supply draws the batch's normal too (MODEL.md,
            // "Dependence": e_batch belongs to `batch`).
            let through_supply =
                s.dependence.batch_supply.is_some_and(|q| q != 0.0) && domestic_drawn;
            (!batches && !through_supply).then_some("every batch that can be approved is fixed")
        }
        Group::Order => {
            if s.rule != Rule::RandomPriority {
                Some("the allocation rule is not random_priority")
            } else {
                (s.firms.len() < 2).then_some("the scenario has one firm")
            }
        }
        Group::Conversion => (!varies(&s.conversion)).then_some("the conversion rate is fixed"),
        Group::Domestic => {
            if !domestic_ratio_positive {
                Some("the domestic ratio is 0 (no domestic chips are bought)")
            } else {
                (!domestic_drawn).then_some("every round's domestic supply is fixed")
            }
        }
    };
    why.map(str::to_string)
}

/// The groups scenario `s` draws from, in [`GROUPS`] order.
pub fn drawn_groups(s: &Scenario) -> Vec<Group> {
    GROUPS
        .into_iter()
        .filter(|&g| unused_because(s, g).is_none())
        .collect()
}

/// The factors `--by-firm` makes of `group` in `s`: one per firm whose inputs of it are drawn,
/// then the copula's common factor when the group is correlated through one; empty for a group
/// that is not split ([`PER_FIRM`]).
pub fn firm_factors(s: &Scenario, group: Group) -> Vec<Factor> {
    let varies = |d: &crate::dist::Dist| d.point_mass().is_none();
    let any_orders = s.firms.iter().any(|f| varies(&f.orders));
    let (firms, common): (Vec<usize>, bool) = match group {
        Group::Orders => {
            let firms = (0..s.firms.len())
                .filter(|&i| match &s.dependence.orders {
                    // Through the matrix's root every firm's normal reaches the others' orders.
                    Some(OrdersDependence::Matrix(_)) => any_orders,
                    _ => varies(&s.firms[i].orders),
                })
                .collect();
            let common = any_orders
                && matches!(s.dependence.orders, Some(OrdersDependence::Common(q)) if q > 0.0);
            (firms, common)
        }
        Group::Entry => (
            (0..s.firms.len())
                .filter(|&i| matches!(s.firms[i].eligible_from, Entry::Drawn(_)))
                .collect(),
            false,
        ),
        Group::Conversion => {
            if varies(&s.conversion) {
                let common = s.dependence.conversion.is_some_and(|q| q > 0.0);
                ((0..s.firms.len()).collect(), common)
            } else {
                (Vec::new(), false)
            }
        }
        _ => (Vec::new(), false),
    };
    firms
        .into_iter()
        .map(|firm| Factor::Firm { group, firm })
        .chain(common.then_some(Factor::Common(group)))
        .collect()
}

/// The factors of an analysis of `s`: every group it draws from, or those `names` lists (group
/// names of MODEL.md's table, each of which the scenario must draw from), in [`GROUPS`] order.
/// With `by_firm`, each group of [`PER_FIRM`] is split into its [`firm_factors`], and `names`
/// may also name one of those ("orders:ByteDance", "conversion:common").
pub fn factors(
    s: &Scenario,
    names: Option<&[String]>,
    by_firm: bool,
) -> Result<Vec<Factor>, ImportanceError> {
    let drawn = drawn_groups(s);
    let listed = |groups: &[Group]| {
        groups
            .iter()
            .map(|g| g.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Every factor the scenario has, in order.
    let all: Vec<Factor> = drawn
        .iter()
        .flat_map(|&g| {
            if by_firm && PER_FIRM.contains(&g) {
                firm_factors(s, g)
            } else {
                vec![Factor::Group(g)]
            }
        })
        .collect();
    let chosen: Vec<Factor> = match names {
        None => all,
        Some(names) => {
            let mut wanted: Vec<Factor> = Vec::new();
            for name in names {
                if let Some(g) = GROUPS.into_iter().find(|g| g.name() == name.as_str()) {
                    if let Some(why) = unused_because(s, g) {
                        return Err(ImportanceError::UnusedGroup {
                            name: name.clone(),
                            why,
                            drawn: if drawn.is_empty() {
                                "no group".to_string()
                            } else {
                                listed(&drawn)
                            },
                        });
                    }
                    wanted.extend(all.iter().filter(|f| f.group() == g));
                    continue;
                }
                match all.iter().find(|f| by_firm && f.name(s) == *name) {
                    Some(&f) => wanted.push(f),
                    None => {
                        let mut known = listed(&GROUPS);
                        known.push_str(if by_firm {
                            " (and with --by-firm, per firm: orders:FIRM, entry:FIRM, \
                             conversion:FIRM for a firm whose input is drawn, orders:common and \
                             conversion:common for a common factor)"
                        } else {
                            " (orders:FIRM and the like need --by-firm)"
                        });
                        return Err(ImportanceError::UnknownGroup {
                            name: name.clone(),
                            known,
                        });
                    }
                }
            }
            all.into_iter().filter(|f| wanted.contains(f)).collect()
        }
    };
    if chosen.is_empty() {
        return Err(ImportanceError::NothingDrawn);
    }
    Ok(chosen)
}

/// How to run an importance analysis.
#[derive(Debug, Clone)]
pub struct ImportanceOptions {
    /// Base trials N: trials `0..N` of A and of B, at least 2.
    pub trials: u64,
    /// The seed of A's streams (B's is derived from it, [`b_key`]).
    pub seed: u64,
    /// Worker threads; 0 lets rayon choose. Results do not depend on it.
    pub threads: usize,
    /// Base trials a worker takes at a time. Results do not depend on it.
    pub chunk: u64,
    /// The metric whose variance is apportioned, per firm and for the total.
    pub metric: Metric,
    /// The factors, from [`factors`].
    pub factors: Vec<Factor>,
}

impl Default for ImportanceOptions {
    fn default() -> Self {
        ImportanceOptions {
            trials: 10_000,
            seed: 0,
            threads: 0,
            chunk: 256,
            metric: Metric::Unmet,
            factors: Vec::new(),
        }
    }
}

/// The result of an importance analysis.
#[derive(Debug, Clone)]
pub struct Importance {
    /// The outputs: each firm's name in listed order, then "total".
    pub names: Vec<String>,
    /// The metric analysed.
    pub metric: Metric,
    /// The factors, in order.
    pub factors: Vec<Factor>,
    /// Each factor's name in outputs.
    pub factor_names: Vec<String>,
    /// Base trials N.
    pub trials: u64,
    /// The seed of A.
    pub seed: u64,
    /// Per output, its estimates; None where its variance over A and B is 0 (the indices are
    /// undefined: the output never varied).
    pub estimates: Vec<Option<OutputEstimates>>,
    /// The groups of MODEL.md's table that are not factors, each with why: the scenario draws
    /// nothing from it ([`unused_because`]), or `--groups` left it out.
    pub not_analysed: Vec<(String, String)>,
    /// Worker threads used.
    pub threads: usize,
}

impl Importance {
    /// Trials the analysis ran: (factors + 2) × N.
    pub fn model_trials(&self) -> u64 {
        self.trials.saturating_mul(self.factors.len() as u64 + 2)
    }

    /// The position of the total among the outputs.
    pub fn total(&self) -> usize {
        self.names.len() - 1
    }
}

/// Most bytes of per-trial values a worker holds for one chunk: the chunk is cut to fit.
const CHUNK_VALUES_BYTES: u64 = 8 << 20;

/// Runs the analysis: N base trials of A and of B and, for each factor, of A_B^i. `progress`
/// is called with the base trials done; `cancel` stops it ([`EngineError::Interrupted`]).
pub fn run(
    scenario: &Scenario,
    options: &ImportanceOptions,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<Importance, ImportanceError> {
    if options.trials < 2 {
        return Err(ImportanceError::TooFewTrials {
            trials: options.trials,
        });
    }
    let factors = &options.factors;
    if factors.is_empty() {
        return Err(ImportanceError::NothingDrawn);
    }
    assert!(factors.len() <= MAX_FACTORS, "{} factors", factors.len());
    let model = Model::new(scenario);
    // Every factor that needs a model of its own can have one (checked before any trial runs).
    for f in factors {
        f.spare_model(&model)?;
    }
    // Trial t's worlds, A's then B's: each input is drawn once, by A or by B, and every
    // factor's model reads its inputs from them (issue 19): A's for the groups it keeps, B's for
    // the one it re-draws. Byte for byte what it would draw itself.
    let layout = WorldLayout::new(&[&model], 1);
    let width = layout.width();
    let a_slots = layout.slots(0);
    let b_slots = a_slots.shifted(width);
    let factor_slots: Vec<WorldSlots> = factors
        .iter()
        .map(|f| f.slots(&model, a_slots, width))
        .collect();
    let outputs = scenario.firms.len() + 1;
    let per_trial = outputs * (factors.len() + 2);
    let chunk = options
        .chunk
        .min(CHUNK_VALUES_BYTES / ((per_trial + 2 * width) as u64 * 8))
        .max(1);
    let (metric, seed, equivalence) = (options.metric, options.seed, scenario.domestic.equivalence);
    let (states, threads) = for_each_chunk(
        options.threads,
        options.trials,
        chunk,
        progress,
        cancel,
        || {
            let state: (Sums, _, Vec<u64>, Vec<f64>, Option<ImportanceError>) = (
                Sums::new(outputs, factors.len()),
                model.workspace(),
                Vec::new(),
                Vec::new(),
                None,
            );
            state
        },
        |(sums, ws, v, worlds, error), _, offsets, stop| {
            if error.is_some() {
                return;
            }
            // Factor by factor over the chunk, so a factor's model (a copy, for one firm's
            // inputs) is made once a chunk; trial t's values at t's slot of `v`: A's, B's,
            // then each factor's.
            let n = (offsets.end - offsets.start) as usize;
            v.clear();
            v.resize(n * per_trial, 0);
            worlds.resize(n * 2 * width, 0.0);
            World::clear(worlds);
            let world = |i: usize| i * 2 * width..(i + 1) * 2 * width;
            let slot = |i: usize, part: usize| {
                let at = i * per_trial + part * outputs;
                at..at + outputs
            };
            for (i, t) in offsets.clone().enumerate() {
                if stop() {
                    return;
                }
                let w = world(i);
                let mut a = World::new(a_slots, &mut worlds[w.clone()]);
                model.run_trial_shared(&TrialStreams::new(seed, t), ws, &mut a);
                let r = slot(i, 0);
                trial_metric_values_of(equivalence, &ws.outcome, metric, &mut v[r]);
                let mut b = World::new(&b_slots, &mut worlds[w]);
                model.run_trial_shared(&TrialStreams::keyed(b_key(seed, t)), ws, &mut b);
                let r = slot(i, 1);
                trial_metric_values_of(equivalence, &ws.outcome, metric, &mut v[r]);
            }
            for (k, factor) in factors.iter().enumerate() {
                let own = match factor.spare_model(&model) {
                    Ok(own) => own,
                    Err(e) => {
                        *error = Some(e);
                        return;
                    }
                };
                let m = own.as_ref().unwrap_or(&model);
                for (i, t) in offsets.clone().enumerate() {
                    if stop() {
                        return;
                    }
                    let w = world(i);
                    let mut shared = World::new(&factor_slots[k], &mut worlds[w]);
                    m.run_trial_shared(
                        &factor.streams(TrialStreams::new(seed, t), b_key(seed, t)),
                        ws,
                        &mut shared,
                    );
                    let r = slot(i, 2 + k);
                    trial_metric_values_of(equivalence, &ws.outcome, metric, &mut v[r]);
                }
            }
            for trial in v.chunks_exact(per_trial) {
                let (a, rest) = trial.split_at(outputs);
                let (b, c) = rest.split_at(outputs);
                if let Err(e) = sums.add(a, b, c) {
                    *error = Some(e.into());
                    return;
                }
            }
        },
    )?;
    let mut sums = Sums::new(outputs, factors.len());
    for (part, _, _, _, error) in states {
        if let Some(e) = error {
            return Err(e);
        }
        sums.merge(&part);
    }
    let mut names: Vec<String> = scenario.firms.iter().map(|f| f.name.clone()).collect();
    names.push("total".to_string());
    Ok(Importance {
        names,
        metric,
        factors: factors.clone(),
        factor_names: factors.iter().map(|f| f.name(scenario)).collect(),
        trials: options.trials,
        seed,
        estimates: sums.estimates()?,
        not_analysed: GROUPS
            .into_iter()
            .filter(|&g| !factors.iter().any(|f| f.group() == g))
            .map(|g| {
                let why = unused_because(scenario, g)
                    .unwrap_or_else(|| "not among the groups asked for".to_string());
                (g.name().to_string(), why)
            })
            .collect(),
        threads,
    })
}
