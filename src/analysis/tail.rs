//! What marks the worst trials (`allocsim tail`): a scenario analysis in @RISK's sense
//! (Palisade, @RISK 8 help, "Scenario Analysis",
//! <https://help.palisade.com/v8_1/en/@RISK/Analysis/Scenario-Analysis.htm>).
//!
//! **Pass 1** plays every trial 0..N, observed ([`crate::model::Observer`]), keeps each trial's
//! target metric (its unmet demand for one firm or in total: 8 bytes a trial, hence
//! [`MAX_TAIL_TRIALS`]) and tallies every input over all trials. The tail is then found
//! exactly: the `ceil(X·N)` trials with the most unmet demand, ties at the threshold broken by
//! trial index (the lower index is in the tail first), so the tail is the same set whatever the
//! thread count. **Pass 2** re-plays only the tail's trials from their keys (trial t's streams
//! are keyed by (seed, t) alone) and tallies the same inputs over them.
//!
//! For each input, the tail's and all trials' mean and median, and @RISK's significance
//! `d = (tail median − overall median) / overall sd`; |d| ≥ [`SIGNIFICANT`] is significant, as
//! in @RISK. An input with no spread over all trials (sd 0) has no d. Medians come from the
//! tallies of [`crate::stats`]: exact while an input takes at most
//! [`crate::stats::EXACT_DISTINCT`] distinct values (every count of rounds, a discrete input),
//! from the log-linear histogram past that (orders, batches, conversion rates: within 0.05% of
//! the value). Every tally merges exactly, so the results are byte-identical on any thread
//! count.

use std::sync::atomic::AtomicBool;

use crate::engine::{EngineError, for_each_chunk};
use crate::model::{Model, Observer, Outcome};
use crate::rng::TrialStreams;
use crate::scenario::{Entry, Scenario};
use crate::stats::{Quantity, Tally};
use crate::units::Units;

/// Most trials a tail analysis runs: pass 1 keeps 8 bytes a trial (800 MB at this cap).
pub const MAX_TAIL_TRIALS: u64 = 100_000_000;

/// |d| from which an input is marked significant (@RISK's threshold).
pub const SIGNIFICANT: f64 = 0.5;

/// Whose unmet demand marks a trial as one of the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The total over all firms.
    Total,
    /// One firm's, by its listed index.
    Firm(usize),
}

impl Target {
    /// The target's unmet demand in the trial that ended in `outcome`.
    pub fn unmet(self, outcome: &Outcome) -> Units {
        match self {
            Target::Firm(i) => outcome.unmet(i),
            Target::Total => (0..outcome.orders.len())
                .map(|i| outcome.unmet(i))
                .fold(0, Units::saturating_add),
        }
    }
}

/// The share of trials in the tail, a fraction in (0, 1] held exactly as `numerator /
/// denominator`, so the tail's size is exact for any trial count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    numerator: u64,
    denominator: u64,
}

/// Most decimals a `--worst` percentage may have.
const SHARE_DECIMALS: usize = 6;

/// Why a share could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// Not a percentage such as "10%" or "2.5%".
    #[error("--worst takes a percentage such as 10% or 2.5%, got '{0}'")]
    NotAPercentage(String),
    /// Zero, or more than 100%.
    #[error("--worst must be above 0% and at most 100%, got '{0}'")]
    OutOfRange(String),
}

impl Share {
    /// Reads a percentage written with its sign, "10%" or "2.5%" (up to six decimals), above 0%
    /// and at most 100%. The sign is required: "0.1" could mean 10% or 0.1%.
    pub fn parse_percent(text: &str) -> Result<Share, ShareError> {
        let bad = || ShareError::NotAPercentage(text.to_string());
        let digits = text.trim().strip_suffix('%').ok_or_else(bad)?.trim_end();
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > SHARE_DECIMALS
        {
            return Err(bad());
        }
        let scale = 10u64.pow(fraction.len() as u32);
        let numerator = format!("{whole}{fraction}")
            .parse::<u64>()
            .map_err(|_| bad())?;
        let denominator = 100 * scale;
        if numerator == 0 || numerator > denominator {
            return Err(ShareError::OutOfRange(text.to_string()));
        }
        Ok(Share {
            numerator,
            denominator,
        })
    }

    /// The share as a fraction.
    pub fn fraction(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// The share as a percentage, as written for people ("10%", "2.5%").
    pub fn label(self) -> String {
        let scale = self.denominator / 100;
        let whole = self.numerator / scale;
        let rest = self.numerator % scale;
        if rest == 0 {
            format!("{whole}%")
        } else {
            let decimals = scale.ilog10() as usize;
            let text = format!("{rest:0decimals$}");
            format!("{whole}.{}%", text.trim_end_matches('0'))
        }
    }

    /// The tail's size among `trials` trials: `ceil(share × trials)`, exactly (at least 1).
    pub fn of(self, trials: u64) -> u64 {
        let n = u128::from(trials) * u128::from(self.numerator);
        n.div_ceil(u128::from(self.denominator)) as u64
    }
}

/// What an input counts, per member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Members {
    /// One value per trial.
    Trial,
    /// One per firm.
    Firm,
    /// One per regime.
    Regime,
}

/// An input of a trial that a tail analysis tallies: one variant per row of [`INPUTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A firm's orders (units).
    Orders,
    /// A firm's entry round, when it is drawn (R + 1: never eligible).
    EntryRound,
    /// A firm's mean conversion rate over the rounds it was awarded something (after the
    /// regime's factor); a trial in which it was awarded nothing has none and is not counted.
    MeanConversion,
    /// The trial's domestic ratio, when it is drawn.
    DomesticRatio,
    /// Rounds approved.
    ApprovedRounds,
    /// Units approved over all rounds (the sum of the batches).
    TotalBatch,
    /// Rounds in a customs hold (an event or the regime; a halted round is not counted).
    HeldRounds,
    /// Rounds in which the domestic supply fell short of the chips wanted.
    ShortageRounds,
    /// The round in which a halt fired; R + 1 when none did.
    HaltRound,
    /// Rounds spent in a regime.
    RoundsInRegime,
}

/// One row of [`INPUTS`].
#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    /// The input.
    pub kind: InputKind,
    /// Its name in tail.csv's `input` column (a regime's input adds the regime's name).
    pub name: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// What it is counted for.
    pub members: Members,
    /// What its values count.
    pub quantity: Quantity,
    /// Factor from the tallied integer to the value (a rate is tallied in parts per billion).
    pub scale: f64,
}

/// Rates are tallied as integers in parts per billion, as fill rates are.
const RATE_UNIT: f64 = 1e9;

/// The inputs a tail analysis tallies, in the order tail.csv lists them.
pub const INPUTS: [InputSpec; 10] = [
    InputSpec {
        kind: InputKind::Orders,
        name: "orders",
        label: "orders",
        members: Members::Firm,
        quantity: Quantity::Units,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::EntryRound,
        name: "entry_round",
        label: "entry round",
        members: Members::Firm,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::MeanConversion,
        name: "mean_conversion",
        label: "mean conversion rate",
        members: Members::Firm,
        quantity: Quantity::Share,
        scale: 1.0 / RATE_UNIT,
    },
    InputSpec {
        kind: InputKind::DomesticRatio,
        name: "domestic_ratio",
        label: "domestic ratio",
        members: Members::Trial,
        quantity: Quantity::Share,
        scale: 1.0 / RATE_UNIT,
    },
    InputSpec {
        kind: InputKind::ApprovedRounds,
        name: "approved_rounds",
        label: "approved rounds",
        members: Members::Trial,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::TotalBatch,
        name: "total_batch",
        label: "units approved (all batches)",
        members: Members::Trial,
        quantity: Quantity::Units,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::HeldRounds,
        name: "held_rounds",
        label: "rounds held",
        members: Members::Trial,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::ShortageRounds,
        name: "shortage_rounds",
        label: "rounds short of domestic chips",
        members: Members::Trial,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::HaltRound,
        name: "halt_round",
        label: "halt round (R + 1: none)",
        members: Members::Trial,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
    InputSpec {
        kind: InputKind::RoundsInRegime,
        name: "rounds_in",
        label: "rounds in",
        members: Members::Regime,
        quantity: Quantity::Rounds,
        scale: 1.0,
    },
];

impl InputKind {
    /// This input's row of [`INPUTS`].
    pub fn spec(self) -> &'static InputSpec {
        match INPUTS.iter().find(|s| s.kind == self) {
            Some(s) => s,
            None => unreachable!("every input has a row"),
        }
    }
}

/// One tallied input: a kind and, for a firm's or a regime's, its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// What it is.
    pub kind: InputKind,
    /// The firm's or regime's index (0 for a trial's input).
    pub member: usize,
}

impl Input {
    /// Its name in tail.csv's `input` column: the table's name, or `rounds_in_<regime>`.
    pub fn name(&self, s: &Scenario) -> String {
        match self.kind {
            InputKind::RoundsInRegime => format!("rounds_in_{}", s.regimes.list[self.member].name),
            k => k.spec().name.to_string(),
        }
    }

    /// The firm it belongs to, for a firm's input.
    pub fn firm<'s>(&self, s: &'s Scenario) -> Option<&'s str> {
        (self.kind.spec().members == Members::Firm).then(|| s.firms[self.member].name.as_str())
    }

    /// Its name for people: "Tencent: orders", "rounds in tense".
    pub fn label(&self, s: &Scenario) -> String {
        let spec = self.kind.spec();
        match spec.members {
            Members::Firm => format!("{}: {}", s.firms[self.member].name, spec.label),
            Members::Regime => format!("{} {}", spec.label, s.regimes.list[self.member].name),
            Members::Trial => spec.label.to_string(),
        }
    }
}

/// The inputs scenario `s` has, in tail.csv's order: per firm its orders, its entry round when
/// drawn and its mean conversion rate; the domestic ratio when drawn; the trial's counts; and
/// with regimes the rounds in each.
pub fn inputs(s: &Scenario) -> Vec<Input> {
    let firms = s.firms.len();
    let mut list = Vec::new();
    for spec in &INPUTS {
        let members: Vec<usize> = match spec.kind {
            InputKind::Orders | InputKind::MeanConversion => (0..firms).collect(),
            InputKind::EntryRound => (0..firms)
                .filter(|&i| matches!(s.firms[i].eligible_from, Entry::Drawn(_)))
                .collect(),
            InputKind::DomesticRatio => {
                if s.domestic.ratio.point_mass().is_none() {
                    vec![0]
                } else {
                    Vec::new()
                }
            }
            InputKind::RoundsInRegime => (0..s.regimes.list.len()).collect(),
            _ => vec![0],
        };
        list.extend(members.into_iter().map(|member| Input {
            kind: spec.kind,
            member,
        }));
    }
    // Firm by firm for the firms' inputs, as the tables of a run list them.
    list.sort_by_key(|i| match i.kind.spec().members {
        Members::Firm => (0, i.member, i.kind as usize),
        _ => (1, i.kind as usize, i.member),
    });
    list
}

/// What the observer gathers in one trial, beyond the outcome.
#[derive(Debug, Default, Clone)]
struct Watch {
    rho: f64,
    batch: Units,
    held: u64,
    short: u64,
    rates: Vec<f64>,
    converted: Vec<u32>,
}

impl Observer for Watch {
    fn start(&mut self, orders: &[Units], _entry: &[u32], rho: f64) {
        self.rho = rho;
        self.batch = 0;
        self.held = 0;
        self.short = 0;
        self.rates.clear();
        self.rates.resize(orders.len(), 0.0);
        self.converted.clear();
        self.converted.resize(orders.len(), 0);
    }

    fn held(&mut self, _round: u32, _pool: Units) {
        self.held += 1;
    }

    fn approval(&mut self, _round: u32, _probability: f64, _approved: bool, batch: Units) {
        self.batch = self.batch.saturating_add(batch);
    }

    fn conversion(&mut self, _round: u32, firm: usize, rate: f64, _taken: Units) {
        self.rates[firm] += rate;
        self.converted[firm] += 1;
    }

    fn domestic(&mut self, _round: u32, _rho: f64, _w: &[Units], _a: Option<Units>, short: bool) {
        self.short += u64::from(short);
    }
}

/// A value tallied in parts per billion.
fn ppb(x: f64) -> u64 {
    (x * RATE_UNIT).round().max(0.0) as u64
}

/// The inputs' tallies over some trials, in the order of [`inputs`].
#[derive(Debug, Clone)]
struct Tallies(Vec<Tally>);

impl Tallies {
    fn new(n: usize) -> Self {
        Tallies(vec![Tally::default(); n])
    }

    /// Records one trial's inputs from its outcome and what `w` saw of it.
    fn record(&mut self, list: &[Input], rounds: u32, o: &Outcome, w: &Watch) {
        for (tally, input) in self.0.iter_mut().zip(list) {
            let i = input.member;
            let value = match input.kind {
                InputKind::Orders => Some(o.orders[i]),
                InputKind::EntryRound => Some(u64::from(o.entry[i])),
                InputKind::MeanConversion => {
                    (w.converted[i] > 0).then(|| ppb(w.rates[i] / f64::from(w.converted[i])))
                }
                InputKind::DomesticRatio => Some(ppb(w.rho)),
                InputKind::ApprovedRounds => Some(o.approved.iter().filter(|a| **a).count() as u64),
                InputKind::TotalBatch => Some(w.batch),
                InputKind::HeldRounds => Some(w.held),
                InputKind::ShortageRounds => Some(w.short),
                InputKind::HaltRound => Some(u64::from(o.halt_round.unwrap_or(rounds + 1))),
                InputKind::RoundsInRegime => {
                    Some(o.regime.iter().filter(|&&k| k as usize == i).count() as u64)
                }
            };
            if let Some(v) = value {
                tally.record(v);
            }
        }
    }

    fn merge(&mut self, other: &Tallies) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a.merge(b);
        }
    }
}

/// How to run a tail analysis.
#[derive(Debug, Clone)]
pub struct TailOptions {
    /// Trials 0..trials, at most [`MAX_TAIL_TRIALS`].
    pub trials: u64,
    /// The seed of every stream.
    pub seed: u64,
    /// Worker threads as for a run (0: rayon's choice). Results do not depend on it.
    pub threads: usize,
    /// Trials a worker takes at a time. Results do not depend on it.
    pub chunk: u64,
    /// Whose unmet demand marks the worst trials.
    pub target: Target,
    /// The share of trials in the tail.
    pub worst: Share,
}

impl Default for TailOptions {
    fn default() -> Self {
        TailOptions {
            trials: 100_000,
            seed: 0,
            threads: 0,
            chunk: 2048,
            target: Target::Total,
            worst: Share {
                numerator: 10,
                denominator: 100,
            },
        }
    }
}

/// Why a tail analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum TailError {
    /// More trials than pass 1 keeps in memory: bad input.
    #[error(
        "a tail analysis keeps 8 bytes a trial, so it runs at most {MAX_TAIL_TRIALS} trials; got {0} (use --trials)"
    )]
    TooManyTrials(u64),
    /// The engine stopped (interrupted, or the threads could not start).
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl TailError {
    /// Whether the caller's input is to blame (the trial count, an impossible thread count).
    pub fn is_bad_input(&self) -> bool {
        match self {
            TailError::TooManyTrials(_) => true,
            TailError::Engine(e) => e.is_bad_input(),
        }
    }
}

/// One input's tallies in the tail and over all trials.
#[derive(Debug, Clone)]
pub struct InputRow {
    /// The input.
    pub input: Input,
    /// Its values over the tail's trials.
    pub tail: Tally,
    /// Its values over all trials.
    pub overall: Tally,
}

impl InputRow {
    /// Factor from the tallied integer to the input's value.
    pub fn scale(&self) -> f64 {
        self.input.kind.spec().scale
    }

    /// @RISK's significance, `(tail median − overall median) / overall sd` (Palisade, @RISK
    /// help, "Scenario Analysis"); None when the input has no spread over all trials, or no
    /// value in the tail.
    pub fn d(&self) -> Option<f64> {
        let sd = self.overall.sd();
        if self.overall.count() < 2 || sd <= 0.0 || self.tail.count() == 0 {
            return None;
        }
        Some((self.tail.quantile(0.5) - self.overall.quantile(0.5)) / sd)
    }

    /// Whether |d| reaches [`SIGNIFICANT`]; None without a d.
    pub fn significant(&self) -> Option<bool> {
        self.d().map(|d| d.abs() >= SIGNIFICANT)
    }
}

/// What a tail analysis found.
#[derive(Debug, Clone)]
pub struct TailResult {
    /// Trials run in pass 1: 0..trials.
    pub trials: u64,
    /// The seed of every trial's streams.
    pub seed: u64,
    /// Trials in the tail, `ceil(share × trials)`.
    pub tail_trials: u64,
    /// The least unmet demand of a trial in the tail: every trial with more is in it, and of
    /// those with exactly this much, the lowest-numbered.
    pub threshold: Units,
    /// The target's unmet demand over all trials.
    pub unmet_overall: Tally,
    /// The target's unmet demand over the tail.
    pub unmet_tail: Tally,
    /// The worst trials, worst first (ties by trial index), at most [`WORST_LISTED`]: (trial,
    /// unmet demand), for `allocsim trace`.
    pub worst: Vec<(u64, Units)>,
    /// Every input, in the order of [`inputs`].
    pub rows: Vec<InputRow>,
    /// Worker threads used.
    pub threads: usize,
}

/// How many of the worst trials a result lists by number.
pub const WORST_LISTED: usize = 10;

/// Runs a tail analysis of `scenario`. `progress` is called from the calling thread with the
/// trials played so far (pass 1's, then pass 1's and pass 2's: `trials + tail` in all);
/// `cancel` stops it.
pub fn run(
    scenario: &Scenario,
    options: &TailOptions,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<TailResult, TailError> {
    let n = options.trials;
    if n > MAX_TAIL_TRIALS {
        return Err(TailError::TooManyTrials(n));
    }
    let model = Model::new(scenario);
    let list = inputs(scenario);
    let rounds = scenario.rounds;
    let target = options.target;
    let seed = options.seed;
    let init = || {
        (
            Tallies::new(list.len()),
            Tally::default(),
            model.workspace(),
            Watch::default(),
        )
    };

    // Pass 1: every trial, its metric kept.
    let (parts, threads) = for_each_chunk(
        options.threads,
        n,
        options.chunk,
        progress,
        cancel,
        || (init(), Vec::<(u64, Vec<Units>)>::new()),
        |((tallies, unmet, ws, watch), kept), c, offsets, stop| {
            let mut metrics = Vec::with_capacity((offsets.end - offsets.start) as usize);
            for t in offsets {
                if stop() {
                    break;
                }
                model.run_trial_observed(&TrialStreams::new(seed, t), ws, watch);
                let m = target.unmet(&ws.outcome);
                unmet.record(m);
                metrics.push(m);
                tallies.record(&list, rounds, &ws.outcome, watch);
            }
            kept.push((c, metrics));
        },
    )?;
    let mut overall = Tallies::new(list.len());
    let mut unmet_overall = Tally::default();
    let mut chunks = Vec::new();
    for ((tallies, unmet, _, _), kept) in parts {
        overall.merge(&tallies);
        unmet_overall.merge(&unmet);
        chunks.extend(kept);
    }
    chunks.sort_by_key(|(c, _)| *c);
    let metrics: Vec<Units> = chunks.into_iter().flat_map(|(_, m)| m).collect();
    debug_assert_eq!(metrics.len() as u64, n);

    let k = options.worst.of(n);
    let (tail, threshold) = worst_trials(&metrics, k);
    let mut worst: Vec<(u64, Units)> = tail.iter().map(|&t| (t, metrics[t as usize])).collect();
    worst.sort_by_key(|&(t, m)| (std::cmp::Reverse(m), t));
    worst.truncate(WORST_LISTED);
    drop(metrics);

    // Pass 2: the tail's trials again, from their keys.
    let (parts, _) = for_each_chunk(
        options.threads,
        k,
        options.chunk,
        &mut |done| progress(n + done),
        cancel,
        init,
        |(tallies, unmet, ws, watch), _, offsets, stop| {
            for offset in offsets {
                if stop() {
                    break;
                }
                let t = tail[offset as usize];
                model.run_trial_observed(&TrialStreams::new(seed, t), ws, watch);
                unmet.record(target.unmet(&ws.outcome));
                tallies.record(&list, rounds, &ws.outcome, watch);
            }
        },
    )?;
    let mut in_tail = Tallies::new(list.len());
    let mut unmet_tail = Tally::default();
    for (tallies, unmet, _, _) in parts {
        in_tail.merge(&tallies);
        unmet_tail.merge(&unmet);
    }
    let rows = list
        .iter()
        .zip(in_tail.0)
        .zip(overall.0)
        .map(|((&input, tail), overall)| InputRow {
            input,
            tail,
            overall,
        })
        .collect();
    Ok(TailResult {
        trials: n,
        seed,
        tail_trials: k,
        threshold,
        unmet_overall,
        unmet_tail,
        worst,
        rows,
        threads,
    })
}

/// The `k` worst trials by `metrics` (trial t's at index t; more is worse), in trial order,
/// and the least metric among them: every trial above it, then of the trials at it the
/// lowest-numbered, until there are `k`. `k` is at most the number of trials.
pub fn worst_trials(metrics: &[Units], k: u64) -> (Vec<u64>, Units) {
    let k = k.min(metrics.len() as u64);
    if k == 0 {
        return (Vec::new(), 0);
    }
    let threshold = kth_largest(metrics, k);
    let above = metrics.iter().filter(|&&m| m > threshold).count() as u64;
    let mut at_threshold = k - above;
    let mut tail = Vec::with_capacity(k as usize);
    for (t, &m) in metrics.iter().enumerate() {
        if m > threshold {
            tail.push(t as u64);
        } else if m == threshold && at_threshold > 0 {
            tail.push(t as u64);
            at_threshold -= 1;
        }
    }
    (tail, threshold)
}

/// The `k`-th largest of `values` (1 ≤ k ≤ len), by a radix selection on 16 bits at a time:
/// four passes over the values and no copy of them, so memory stays at 8 bytes a trial.
fn kth_largest(values: &[Units], k: u64) -> Units {
    let mut prefix: u64 = 0;
    let mut need = k;
    let mut counts = vec![0u64; 1 << 16];
    for level in 0..4u32 {
        let shift = 48 - 16 * level;
        counts.fill(0);
        for &v in values {
            if level == 0 || v >> (shift + 16) == prefix {
                counts[((v >> shift) & 0xffff) as usize] += 1;
            }
        }
        let mut digit = 0u64;
        for d in (0..counts.len()).rev() {
            if counts[d] >= need {
                digit = d as u64;
                break;
            }
            need -= counts[d];
        }
        prefix = (prefix << 16) | digit;
    }
    prefix
}

#[cfg(test)]
mod tests;
