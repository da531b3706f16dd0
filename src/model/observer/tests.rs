//! An observed trial is the plain trial: same outcome for many trials of every kind of scenario,
//! and what the observer is told adds up to that outcome, step by step.

use std::path::Path;

use super::Observer;
use crate::model::{Model, Outcome};
use crate::rng::TrialStreams;
use crate::scenario::{Scenario, load, parse};
use crate::units::Units;

/// Rebuilds a trial's outcome from the observer calls alone, checking on the way that they come
/// in the documented order and that each step's numbers agree with the last.
#[derive(Default)]
struct Rebuild {
    firms: usize,
    orders: Vec<Units>,
    entry: Vec<u32>,
    delivered: Vec<Units>,
    domestic: Vec<Units>,
    approved: Vec<bool>,
    halt_round: Option<u32>,
    cumulative: Vec<Units>,
    regime: Vec<u32>,
    /// The round under way, and the last step seen in it.
    round: u32,
    step: &'static str,
    pool: Units,
    supply: Units,
    claims: Vec<Units>,
    awards: Vec<Units>,
    taken: Vec<Units>,
    kept_in_round: Units,
    delivered_total: Units,
}

impl Rebuild {
    fn after(&mut self, allowed: &[&str], step: &'static str) {
        assert!(
            allowed.contains(&self.step),
            "{step} after {} in round {}",
            self.step,
            self.round
        );
        self.step = step;
    }

    fn outcome(&self) -> Outcome {
        Outcome {
            orders: self.orders.clone(),
            delivered: self.delivered.clone(),
            domestic: self.domestic.clone(),
            entry: self.entry.clone(),
            approved: self.approved.clone(),
            halt_round: self.halt_round,
            cumulative: self.cumulative.clone(),
            regime: self.regime.clone(),
        }
    }
}

impl Observer for Rebuild {
    fn start(&mut self, orders: &[Units], entry: &[u32], rho: f64) {
        assert!(rho >= 0.0);
        *self = Rebuild {
            firms: orders.len(),
            orders: orders.to_vec(),
            entry: entry.to_vec(),
            delivered: vec![0; orders.len()],
            domestic: vec![0; orders.len()],
            step: "end",
            ..Rebuild::default()
        };
    }

    fn round(&mut self, round: u32, pool: Units) {
        self.after(&["end"], "round");
        assert_eq!(round, self.round + 1);
        assert_eq!(pool, self.pool, "the pool carried in is the last round's");
        self.round = round;
        self.approved.push(false);
        self.kept_in_round = 0;
        self.taken = vec![0; self.firms];
    }

    fn regime(&mut self, round: u32, regime: usize) {
        self.after(&["round"], "regime");
        assert_eq!(round, self.round);
        self.regime.push(regime as u32);
    }

    fn event(&mut self, round: u32, _event: usize) {
        self.after(&["round", "regime", "event"], "event");
        assert_eq!(round, self.round);
    }

    fn halted(&mut self, round: u32) {
        self.after(&["round", "regime", "event"], "halted");
        self.halt_round = self.halt_round.or(Some(round));
        self.pool = 0;
    }

    fn held(&mut self, _round: u32, pool: Units) {
        self.after(&["round", "regime", "event"], "held");
        assert_eq!(pool, self.pool, "a hold keeps the pool whole");
    }

    fn approval(&mut self, _round: u32, probability: f64, approved: bool, batch: Units) {
        self.after(&["round", "regime", "event"], "approval");
        assert!((0.0..=1.0).contains(&probability));
        assert!(approved || batch == 0, "no batch without approval");
        *self.approved.last_mut().unwrap() = approved;
    }

    fn supply(&mut self, _round: u32, batch: Units, pool: Units, supply: Units) {
        self.after(&["approval"], "supply");
        assert_eq!(pool, self.pool);
        assert_eq!(supply, batch + pool);
        self.supply = supply;
    }

    fn claims(&mut self, round: u32, claims: &[Units]) {
        self.after(&["supply"], "claims");
        for (i, &c) in claims.iter().enumerate() {
            let outstanding = self.orders[i] - self.delivered[i];
            assert!(c <= outstanding);
            assert!(self.entry[i] <= round || c == 0, "no claim before entry");
        }
        self.claims = claims.to_vec();
        // What is left when there is nothing to split.
        self.pool = self.supply;
    }

    fn awards(&mut self, _round: u32, awards: &[Units]) {
        self.after(&["claims"], "awards");
        for (a, c) in awards.iter().zip(&self.claims) {
            assert!(a <= c, "an award above its claim");
        }
        let sum: Units = awards.iter().sum();
        assert_eq!(sum, self.supply.min(self.claims.iter().sum()));
        self.awards = awards.to_vec();
    }

    fn conversion(&mut self, _round: u32, firm: usize, rate: f64, taken: Units) {
        self.after(&["awards", "conversion"], "conversion");
        assert!(
            self.awards[firm] > 0,
            "a rate drawn for a firm awarded nothing"
        );
        assert!((0.0..=1.0).contains(&rate));
        assert!(taken <= self.awards[firm]);
        self.taken[firm] = taken;
    }

    fn domestic(
        &mut self,
        _round: u32,
        rho: f64,
        wanted: &[Units],
        available: Option<Units>,
        short: bool,
    ) {
        self.after(&["awards", "conversion"], "domestic");
        assert_eq!(wanted.is_empty(), rho == 0.0);
        let total: Units = wanted.iter().sum();
        match available {
            Some(a) => assert_eq!(short, total > a),
            None => assert!(!short, "a shortage without a draw"),
        }
    }

    fn delivery(&mut self, _round: u32, firm: usize, bought: Units, kept: Units) {
        self.after(&["domestic", "delivery"], "delivery");
        assert!(kept <= self.taken[firm]);
        self.delivered[firm] += kept;
        self.domestic[firm] += bought;
        self.kept_in_round += kept;
    }

    fn round_end(&mut self, round: u32, delivered_total: Units, pool: Units) {
        let how = self.step;
        self.after(&["halted", "held", "claims", "delivery"], "end");
        assert_eq!(round, self.round);
        self.delivered_total += self.kept_in_round;
        assert_eq!(delivered_total, self.delivered_total);
        match how {
            "halted" => assert_eq!(pool, 0, "a halt loses the pool"),
            "held" => assert_eq!(pool, self.pool, "a hold keeps the pool"),
            _ => assert!(pool + self.kept_in_round <= self.supply, "units created"),
        }
        self.pool = pool;
        self.cumulative.push(delivered_total);
    }
}

/// Every trial of `0..n` played plain and observed: the same outcome, and the observer's
/// account of it adds up to it.
fn check(s: &Scenario, n: u64) {
    let model = Model::new(s);
    let (mut plain, mut observed) = (model.workspace(), model.workspace());
    let mut rebuild = Rebuild::default();
    for t in 0..n {
        let streams = TrialStreams::new(s.seed, t);
        model.run_trial_on(&streams, &mut plain);
        model.run_trial_observed(&streams, &mut observed, &mut rebuild);
        assert_eq!(plain.outcome, observed.outcome, "{} trial {t}", s.name);
        assert_eq!(rebuild.step, "end", "{} trial {t} ends a round", s.name);
        assert_eq!(
            rebuild.outcome(),
            plain.outcome,
            "{} trial {t}: the observer's account",
            s.name
        );
    }
}

fn file(path: &str) -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    load(&root.join(path), &[]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn shipped_and_test_scenarios_play_the_same_observed() {
    for path in [
        "scenarios/baseline.toml",
        "scenarios/futures.toml",
        "scenarios/tighter-oversight.toml",
        "benches/correlated-regimes.toml",
        "tests/data/random.toml",
        "tests/data/regimes.toml",
        "tests/data/good.toml",
    ] {
        check(&file(path), 300);
    }
}

/// What the shipped scenarios do not have: approvals that lapse, a round cap, every rule, a
/// regime without bundling after ones with it (the wanted chips of an earlier round must not
/// show), a scarce domestic supply and events of every kind.
#[test]
fn lapsing_capped_regime_scenarios_play_the_same_observed() {
    for rule in [
        "proportional",
        "equal_awards",
        "equal_losses",
        "talmud",
        "priority",
        "weighted",
        "random_priority",
    ] {
        let toml = format!(
            "name = \"o\"\nrounds = 6\nseed = 3\ncarry_over = false\n\
             [allocation]\nrule = \"{rule}\"\n\
             [approval]\nprobability = 0.8\nbatch = {{ dist = \"uniform\", min = 50, max = 400 }}\n\
             conversion = {{ dist = \"beta\", alpha = 3, beta = 2 }}\n\
             [domestic]\nratio = 0.5\nsupply = {{ dist = \"uniform\", min = 0, max = 120 }}\n\
             [[firm]]\nname = \"A\"\norders = {{ dist = \"uniform\", min = 100, max = 600 }}\nround_cap = 90\n\
             [[firm]]\nname = \"B\"\norders = 300\nweight = 2\n\
             eligible_from = {{ dist = \"discrete\", values = [1, 3, 9], weights = [1, 1, 1] }}\n\
             [[firm]]\nname = \"C\"\norders = 0\n\
             [[event]]\nname = \"h\"\neffect = \"hold\"\nprobability = 0.2\n\
             [[event]]\nname = \"x\"\neffect = \"halt\"\nprobability = 0.05\nfrom_round = 3\n\
             [[event]]\nname = \"s\"\neffect = \"scale\"\nfactor = 0.5\nprobability = 0.3\n\
             [regimes]\ninitial = \"calm\"\n\
             [[regime]]\nname = \"calm\"\ntransition = {{ calm = 0.6, free = 0.3, frozen = 0.1 }}\n\
             [[regime]]\nname = \"free\"\ndomestic_ratio = 0\nconversion_factor = 0.9\n\
             transition = {{ calm = 0.5, free = 0.5 }}\n\
             [[regime]]\nname = \"frozen\"\nhold = true\ntransition = {{ calm = 1 }}\n"
        );
        let s = parse(Path::new("o.toml"), toml.as_bytes(), &[])
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        check(&s, 400);
    }
}
