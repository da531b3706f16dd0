//! One trial told round by round (`allocsim trace`): an [`Observer`] that records every step of
//! MODEL.md's trial into a [`Trace`]. The trial is played on the streams `run` gives it, so trial
//! T of a trace is trial T of a run with the same scenario and seed (trials.csv's row `trial` =
//! T; trials are numbered from 0).

use crate::model::{Model, Observer, Outcome};
use crate::rng::TrialStreams;
use crate::units::Units;

/// One trial, round by round, and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The seed the trial's streams are keyed by.
    pub seed: u64,
    /// The trial's index, from 0, as in trials.csv.
    pub trial: u64,
    /// The trial's domestic ratio (MODEL.md's `rho`, drawn when it is a distribution).
    pub rho: f64,
    /// The rounds, in order (round r at index r - 1).
    pub rounds: Vec<RoundTrace>,
    /// The trial's outcome: orders, entry rounds, deliveries and domestic chips per firm.
    pub outcome: Outcome,
}

/// How a round went, as far as steps 1 to 3 of MODEL.md's trial decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundState {
    /// A halt fired in this round or before: no supply, and the carried pool is lost.
    Halted,
    /// A customs hold (an event or the regime): nothing approved or delivered, the pool kept.
    Held,
    /// The round went through approval and supply (and, with something to split, allocation).
    Open,
}

/// One round of a [`Trace`].
#[derive(Debug, Clone, PartialEq)]
pub struct RoundTrace {
    /// The round, from 1.
    pub round: u32,
    /// The round's regime (an index into `Scenario::regimes.list`), with regimes.
    pub regime: Option<usize>,
    /// The events that fired in the round (indices into `Scenario::events`), in listed order.
    pub events: Vec<usize>,
    /// Halted, held or open.
    pub state: RoundState,
    /// Approved units carried into the round.
    pub pool_in: Units,
    /// The approval probability after the regime's factor (None when halted or held).
    pub probability: Option<f64>,
    /// Whether the round was approved.
    pub approved: bool,
    /// The approved batch (0 when not approved).
    pub batch: Units,
    /// Batch plus pool (0 when halted or held).
    pub supply: Units,
    /// Whether there was something to split (supply and claims both above 0), so that steps 5
    /// to 9 ran.
    pub split: bool,
    /// The round's domestic ratio, when the round was split.
    pub rho: Option<f64>,
    /// The domestic supply drawn, when it was (None: none drawn, as no supply the scenario can
    /// draw would have fallen short, or the round was not split).
    pub domestic_available: Option<Units>,
    /// Whether the domestic supply fell short of the chips wanted.
    pub domestic_short: bool,
    /// Each firm's part of the round, in listed order.
    pub firms: Vec<FirmRound>,
    /// Delivered to all firms by the end of the round.
    pub delivered_total: Units,
    /// Approved units carried into the next round.
    pub pool_out: Units,
}

impl RoundTrace {
    /// Domestic chips wanted by all firms in the round.
    pub fn domestic_wanted(&self) -> Units {
        self.firms.iter().map(|f| f.wanted).sum()
    }

    /// Imports kept by all firms in the round.
    pub fn kept(&self) -> Units {
        self.firms.iter().map(|f| f.kept).sum()
    }
}

/// One firm in one round of a [`Trace`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmRound {
    /// Its claim (None in a halted or held round, where no claims are made).
    pub claim: Option<Units>,
    /// Its award under the allocation rule.
    pub award: Units,
    /// Its conversion rate after the regime's factor, when it was awarded something.
    pub rate: Option<f64>,
    /// Units it took up, `floor(rate × award)`.
    pub taken: Units,
    /// Domestic chips it had to buy for them, `ceil(rho × taken)`.
    pub wanted: Units,
    /// Domestic chips it bought.
    pub bought: Units,
    /// Imports it kept (all it took up, unless the domestic chips fell short).
    pub kept: Units,
    /// Imports delivered to it by the end of the round.
    pub delivered: Units,
    /// Domestic chips it had bought by the end of the round.
    pub domestic: Units,
}

/// Plays trial `trial` of `model` under `seed`, as a run plays it, and records it round by round.
pub fn trace(model: &Model, seed: u64, trial: u64) -> Trace {
    let mut ws = model.workspace();
    let mut recorder = Recorder::default();
    model.run_trial_observed(&TrialStreams::new(seed, trial), &mut ws, &mut recorder);
    Trace {
        seed,
        trial,
        rho: recorder.rho,
        rounds: recorder.rounds,
        outcome: ws.outcome,
    }
}

/// The observer behind [`trace`].
#[derive(Default)]
struct Recorder {
    rho: f64,
    rounds: Vec<RoundTrace>,
    /// Each firm's deliveries and domestic chips so far.
    delivered: Vec<Units>,
    domestic: Vec<Units>,
}

impl Recorder {
    fn current(&mut self) -> &mut RoundTrace {
        match self.rounds.last_mut() {
            Some(r) => r,
            // The model calls `round` before every other step of a round.
            None => unreachable!("a round step before its round began"),
        }
    }
}

impl Observer for Recorder {
    fn start(&mut self, orders: &[Units], _entry: &[u32], rho: f64) {
        self.rho = rho;
        self.delivered = vec![0; orders.len()];
        self.domestic = vec![0; orders.len()];
    }

    fn round(&mut self, round: u32, pool: Units) {
        let firms = vec![FirmRound::default(); self.delivered.len()];
        self.rounds.push(RoundTrace {
            round,
            regime: None,
            events: Vec::new(),
            state: RoundState::Open,
            pool_in: pool,
            probability: None,
            approved: false,
            batch: 0,
            supply: 0,
            split: false,
            rho: None,
            domestic_available: None,
            domestic_short: false,
            firms,
            delivered_total: 0,
            pool_out: 0,
        });
    }

    fn regime(&mut self, _round: u32, regime: usize) {
        self.current().regime = Some(regime);
    }

    fn event(&mut self, _round: u32, event: usize) {
        self.current().events.push(event);
    }

    fn halted(&mut self, _round: u32) {
        self.current().state = RoundState::Halted;
    }

    fn held(&mut self, _round: u32, _pool: Units) {
        self.current().state = RoundState::Held;
    }

    fn approval(&mut self, _round: u32, probability: f64, approved: bool, batch: Units) {
        let r = self.current();
        r.probability = Some(probability);
        r.approved = approved;
        r.batch = batch;
    }

    fn supply(&mut self, _round: u32, _batch: Units, _pool: Units, supply: Units) {
        self.current().supply = supply;
    }

    fn claims(&mut self, _round: u32, claims: &[Units]) {
        for (f, &c) in self.current().firms.iter_mut().zip(claims) {
            f.claim = Some(c);
        }
    }

    fn awards(&mut self, _round: u32, awards: &[Units]) {
        let r = self.current();
        r.split = true;
        for (f, &a) in r.firms.iter_mut().zip(awards) {
            f.award = a;
        }
    }

    fn conversion(&mut self, _round: u32, firm: usize, rate: f64, taken: Units) {
        let f = &mut self.current().firms[firm];
        f.rate = Some(rate);
        f.taken = taken;
    }

    fn domestic(
        &mut self,
        _round: u32,
        rho: f64,
        wanted: &[Units],
        available: Option<Units>,
        short: bool,
    ) {
        let r = self.current();
        r.rho = Some(rho);
        r.domestic_available = available;
        r.domestic_short = short;
        for (f, &w) in r.firms.iter_mut().zip(wanted) {
            f.wanted = w;
        }
    }

    fn delivery(&mut self, _round: u32, firm: usize, bought: Units, kept: Units) {
        let f = &mut self.current().firms[firm];
        f.bought = bought;
        f.kept = kept;
    }

    fn round_end(&mut self, _round: u32, delivered_total: Units, pool: Units) {
        let Recorder {
            rounds,
            delivered,
            domestic,
            ..
        } = self;
        let Some(r) = rounds.last_mut() else {
            unreachable!("a round ended before it began");
        };
        r.delivered_total = delivered_total;
        r.pool_out = pool;
        for (i, f) in r.firms.iter_mut().enumerate() {
            delivered[i] += f.kept;
            domestic[i] = domestic[i].saturating_add(f.bought);
            f.delivered = delivered[i];
            f.domestic = domestic[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::parse;

    /// A trial worked by hand: round 1 approves 200 units for claims 100 and 300, proportional
    /// awards 50 and 150, every unit converts; 25 + 75 domestic chips are wanted of 40, split 10
    /// and 30, which cover 20 and 60 imports; 120 units carry over to round 2, which is held.
    #[test]
    fn a_hand_worked_trial_round_by_round() {
        let s = parse(
            Path::new("t.toml"),
            b"name = \"t\"\nrounds = 2\n[allocation]\nrule = \"proportional\"\n\
              [approval]\nprobability = 1.0\nbatch = 200\n\
              [domestic]\nratio = 0.5\nsupply = 40\n\
              [[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 300\n\
              [[event]]\nname = \"h\"\neffect = \"hold\"\nprobability = 1.0\nfrom_round = 2\n",
            &[],
        )
        .expect("valid");
        let model = Model::new(&s);
        let t = trace(&model, 0, 5);
        assert_eq!(t.rounds.len(), 2);
        let r1 = &t.rounds[0];
        assert_eq!(
            (r1.state, r1.approved, r1.batch, r1.supply, r1.split),
            (RoundState::Open, true, 200, 200, true)
        );
        let firm = |i: usize| {
            let f = &r1.firms[i];
            (
                f.claim, f.award, f.rate, f.taken, f.wanted, f.bought, f.kept,
            )
        };
        assert_eq!(firm(0), (Some(100), 50, Some(1.0), 50, 25, 10, 20));
        assert_eq!(firm(1), (Some(300), 150, Some(1.0), 150, 75, 30, 60));
        assert_eq!(
            (r1.domestic_available, r1.domestic_short, r1.rho),
            (Some(40), true, Some(0.5))
        );
        assert_eq!((r1.delivered_total, r1.pool_out), (80, 120));
        let r2 = &t.rounds[1];
        assert_eq!((r2.state, r2.events.clone()), (RoundState::Held, vec![0]));
        assert_eq!((r2.pool_in, r2.pool_out, r2.supply), (120, 120, 0));
        assert_eq!(r2.firms[0].claim, None, "no claims in a held round");
        assert_eq!((r2.firms[1].delivered, r2.firms[1].domestic), (60, 30));
        assert_eq!(t.outcome.delivered, vec![20, 60]);
    }
}
