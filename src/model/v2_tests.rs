//! MODEL.md version 2 in the model: regimes, drawn entry rounds and ratio, per-round domestic
//! supply, streams keyed by names. The scenarios are read as version 1 and given their version-2
//! parts here, so these tests hold whatever the reader does.

use std::path::Path;

use super::{Model, Outcome};
use crate::dist::Dist;
use crate::scenario::{Entry, Regime, Regimes, Scenario, parse};

fn scenario(toml: &str) -> Scenario {
    match parse(Path::new("test.toml"), toml.as_bytes(), &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}\n{toml}"),
    }
}

fn trials(s: &Scenario, n: u64) -> Vec<Outcome> {
    let model = Model::new(s);
    let mut ws = model.workspace();
    (0..n)
        .map(|t| {
            model.run_trial(s.seed, t, &mut ws);
            ws.outcome.clone()
        })
        .collect()
}

fn dist(spec: &str) -> Dist {
    let s = scenario(&format!(
        "name = \"d\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1\nbatch = {spec}\n[[firm]]\nname = \"A\"\norders = 1\n"
    ));
    s.approval[0].batch.clone()
}

/// Fixed numbers: a batch of 100 every round, two firms ordering 1000 each.
fn fixed(rounds: u32) -> Scenario {
    scenario(&format!(
        "name = \"t\"\nrounds = {rounds}\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1.0\nbatch = 100\n\
         [[firm]]\nname = \"A\"\norders = 1000\n[[firm]]\nname = \"B\"\norders = 1000\n"
    ))
}

fn regime(name: &str, transition: Vec<f64>) -> Regime {
    Regime::without_effects(name, transition)
}

#[test]
fn a_frozen_regime_holds_every_round_in_it_and_keeps_the_pool() {
    let mut s = fixed(4);
    // calm in round 1, then frozen for good.
    let mut frozen = regime("frozen", vec![0.0, 1.0]);
    frozen.hold = true;
    s.regimes = Regimes {
        initial: vec![1.0, 0.0],
        list: vec![regime("calm", vec![0.0, 1.0]), frozen],
    };
    for o in trials(&s, 20) {
        assert_eq!(o.regime, vec![0, 1, 1, 1]);
        assert_eq!(o.approved, vec![true, false, false, false]);
        assert_eq!(o.delivered, vec![50, 50]);
        assert_eq!(o.cumulative, vec![100; 4]);
    }
}

#[test]
fn regime_factors_scale_approval_batch_conversion_and_domestic_terms() {
    let mut s = scenario(
        "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 0.5\nbatch = 1000\nconversion = 0.8\n\
         [domestic]\nratio = 0.5\nsupply = 1000\n\
         [[firm]]\nname = \"A\"\norders = 100000\n",
    );
    // Round 1 "boost": approval certain (0.5 × 2, capped at 1), batch × 0.5 = 500, conversion
    // × 0.5 = 0.4 → 200 taken, domestic ratio 0.1 → 20 bought. Round 2 "short": batch 1000 plus
    // the pool 300, conversion 0.8 → 1040, ratio 0.5 wants 520 of a supply 1000 × 0.25 = 250,
    // which covers floor(250 / 0.5) = 500 imports.
    let mut boost = regime("boost", vec![0.0, 1.0]);
    boost.approval_factor = 2.0;
    boost.batch_factor = 0.5;
    boost.conversion_factor = 0.5;
    boost.domestic_ratio = Some(0.1);
    let mut short = regime("short", vec![0.0, 1.0]);
    short.approval_factor = 2.0;
    short.domestic_supply_factor = 0.25;
    s.regimes = Regimes {
        initial: vec![1.0, 0.0],
        list: vec![boost, short],
    };
    for o in trials(&s, 10) {
        assert_eq!(o.approved, vec![true, true]);
        assert_eq!(o.delivered, vec![200 + 500]);
        assert_eq!(o.domestic, vec![20 + 250]);
        assert_eq!(o.cumulative, vec![200, 700]);
    }
}

/// The chain's shares by round are initial × P^(r-1) (a Markov chain's marginals), within 4.5
/// standard errors over 20,000 trials.
#[test]
fn regime_shares_by_round_follow_the_transition_matrix() {
    let mut s = fixed(5);
    let p = [[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.0, 0.25, 0.75]];
    s.regimes = Regimes {
        initial: vec![0.6, 0.3, 0.1],
        list: vec![
            regime("calm", p[0].to_vec()),
            regime("tense", p[1].to_vec()),
            regime("frozen", p[2].to_vec()),
        ],
    };
    let n = 20_000;
    let outcomes = trials(&s, n);
    let mut exact = [0.6, 0.3, 0.1];
    for r in 0..5 {
        for (k, &want) in exact.iter().enumerate() {
            let got = outcomes.iter().filter(|o| o.regime[r] == k as u32).count() as f64 / n as f64;
            let se = (want * (1.0 - want) / n as f64).sqrt();
            assert!(
                (got - want).abs() < 4.5 * se,
                "round {} regime {k}: {got} vs {want}",
                r + 1
            );
        }
        exact = [0, 1, 2].map(|j| (0..3).map(|i| exact[i] * p[i][j]).sum());
    }
    // Transitions are drawn from the previous round's regime: frozen never goes to calm.
    for o in &outcomes {
        for w in o.regime.windows(2) {
            assert!(!(w[0] == 2 && w[1] == 0), "{:?}", o.regime);
        }
    }
}

#[test]
fn the_regime_is_drawn_every_round_even_after_a_halt() {
    let mut s = scenario(
        "name = \"t\"\nrounds = 4\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1.0\nbatch = 100\n\
         [[firm]]\nname = \"A\"\norders = 1000\n\
         [[event]]\nname = \"stop\"\neffect = \"halt\"\nprobability = 1.0\n",
    );
    s.regimes = Regimes {
        initial: vec![0.5, 0.5],
        list: vec![regime("a", vec![0.5, 0.5]), regime("b", vec![0.5, 0.5])],
    };
    let outcomes = trials(&s, 400);
    for o in &outcomes {
        assert_eq!(o.halt_round, Some(1));
    }
    // Each later round's regime still varies across trials, as a fair coin.
    for r in 1..4 {
        let b = outcomes.iter().filter(|o| o.regime[r] == 1).count();
        assert!((140..260).contains(&b), "round {}: {b} of 400", r + 1);
    }
}

#[test]
fn drawn_entry_rounds_are_rounded_clamped_and_past_the_horizon_never() {
    let mut s = fixed(4);
    s.firms[1].eligible_from = Entry::Drawn(dist(
        "{ dist = \"discrete\", values = [-3, 2.5, 7], weights = [1, 2, 1] }",
    ));
    let n = 8_000;
    let outcomes = trials(&s, n);
    let mut counts = [0usize; 6];
    for o in &outcomes {
        assert_eq!(o.entry[0], 1);
        counts[o.entry[1] as usize] += 1;
        // B claims from its entry round on: before it, A takes the whole batch of 100.
        assert_eq!(o.delivered[0] + o.delivered[1], 400);
        let before = u64::from(o.entry[1] - 1).min(4);
        assert!(o.delivered[0] >= 100 * before, "{o:?}");
        assert_eq!(o.delivered[1] == 0, o.entry[1] == 5, "{o:?}");
    }
    // -3 counts as 1, 2.5 rounds to 3 (halves away from zero), 7 is past round 4: never (5).
    assert_eq!(counts[0] + counts[2] + counts[4], 0);
    let share = |c: usize| c as f64 / n as f64;
    assert!((share(counts[1]) - 0.25).abs() < 0.025);
    assert!((share(counts[3]) - 0.5).abs() < 0.025);
    assert!((share(counts[5]) - 0.25).abs() < 0.025);
}

#[test]
fn a_drawn_ratio_is_one_per_trial_and_a_regime_ratio_replaces_it() {
    let mut s = scenario(
        "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1.0\nbatch = 1000\n\
         [domestic]\nsupply = 1000000\n\
         [[firm]]\nname = \"A\"\norders = 100000\n",
    );
    s.domestic.ratio = dist("{ dist = \"uniform\", min = 0.2, max = 0.6 }");
    let outcomes = trials(&s, 2_000);
    let mut sum = 0.0;
    for o in &outcomes {
        // Both rounds buy at the same ratio: 1000 imports each, ceil(rho × 1000) twice.
        let per_round = o.domestic[0] / 2;
        assert_eq!(o.domestic[0], 2 * per_round, "{o:?}");
        assert!((200..=600).contains(&per_round));
        sum += per_round as f64 / 1000.0;
    }
    let mean = sum / outcomes.len() as f64;
    assert!((mean - 0.4).abs() < 0.01, "mean ratio {mean}");

    s.regimes = Regimes {
        initial: vec![1.0],
        list: vec![Regime {
            domestic_ratio: Some(0.07),
            ..regime("set", vec![1.0])
        }],
    };
    for o in trials(&s, 50) {
        assert_eq!(o.domestic, vec![70 + 70]);
    }
}

#[test]
fn each_round_draws_its_own_domestic_supply() {
    let mut s = scenario(
        "name = \"t\"\nrounds = 3\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1.0\nbatch = 1000\n\
         [domestic]\nratio = 1.0\nsupply = 100\n\
         [[firm]]\nname = \"A\"\norders = 100000\n",
    );
    s.domestic.supply[1] = dist("300");
    let o = &trials(&s, 1)[0];
    assert_eq!(o.domestic, vec![100 + 300 + 100]);
    assert_eq!(o.cumulative, vec![100, 400, 500]);
}

/// MODEL.md, "Randomness": inserting, removing or reordering a firm or an event leaves every
/// other one's draws as they were.
#[test]
fn firms_and_events_keep_their_draws_whatever_else_is_listed() {
    let firm = |name: &str| {
        format!(
            "[[firm]]\nname = \"{name}\"\n\
             orders = {{ dist = \"pert\", min = 100, mode = 500, max = 900 }}\n"
        )
    };
    let event = |name: &str| {
        format!(
            "[[event]]\nname = \"{name}\"\neffect = \"scale\"\nprobability = 0.5\nfactor = 0.5\n"
        )
    };
    let top = "name = \"t\"\nrounds = 3\n[allocation]\nrule = \"proportional\"\n\
               [approval]\nprobability = 1\nbatch = 1000\n";
    let a = scenario(&format!("{top}{}{}{}", firm("A"), firm("B"), event("e")));
    let b = scenario(&format!(
        "{top}{}{}{}{}{}",
        firm("C"),
        firm("B"),
        event("f"),
        firm("A"),
        event("e")
    ));
    let (ta, tb) = (trials(&a, 200), trials(&b, 200));
    let mut differs = 0;
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!((x.orders[0], x.orders[1]), (y.orders[2], y.orders[1]));
        differs += usize::from(x.orders[0] != y.orders[0]);
    }
    assert!(differs > 150, "C's orders are its own, not A's");
    // Event e's draws are its own wherever it is listed: with f never firing, every outcome
    // is the same.
    let mut quiet = scenario(&format!(
        "{top}{}{}{}{}",
        firm("A"),
        firm("B"),
        event("f"),
        event("e")
    ));
    quiet.events[0].probability = 0.0;
    assert_eq!(trials(&quiet, 200), ta);
    // ... and e does fire: without it, some outcomes differ.
    let mut never = a.clone();
    never.events[0].probability = 0.0;
    let changed = trials(&never, 200)
        .iter()
        .zip(&ta)
        .filter(|(x, y)| x != y)
        .count();
    assert!(changed > 50, "{changed} of 200 trials differ without e");
}

/// Spearman's rank correlation of paired samples (Spearman 1904): the Pearson correlation of
/// the ranks, ties given their mean rank.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for &k in &idx[i..=j] {
                r[k] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// The Kolmogorov–Smirnov statistic of `xs` against `dist`'s CDF.
fn ks(xs: &mut [f64], dist: &Dist) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = dist.cdf(x);
            (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

/// One round, supply far past every claim, conversion taken up in full: a firm's delivered
/// units over its orders is its conversion rate (to 1e-9 with orders of 10^9).
fn conversion_probe(firms: usize) -> Scenario {
    let firms: String = (0..firms)
        .map(|i| format!("[[firm]]\nname = \"F{i}\"\norders = 1000000000\n"))
        .collect();
    scenario(&format!(
        "name = \"t\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1\nbatch = 100000000000\n\
         conversion = {{ dist = \"beta\", alpha = 8, beta = 2 }}\n{firms}"
    ))
}

/// MODEL.md, "Dependence": correlated inputs have the declared rank correlation (within 0.01
/// on 10^5 trials) and keep their own distributions (KS at the 0.1% level).
#[test]
fn correlated_orders_and_conversions_have_the_declared_rank_correlation_and_marginals() {
    use crate::scenario::OrdersDependence;
    let n = 100_000;
    let crit = 1.95 / (n as f64).sqrt();

    let mut s = scenario(
        "name = \"t\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1\nbatch = 1\n\
         [[firm]]\nname = \"A\"\norders = { dist = \"pert\", min = 500000, mode = 700000, max = 900000 }\n\
         [[firm]]\nname = \"B\"\norders = { dist = \"triangular\", min = 100000, mode = 150000, max = 400000 }\n",
    );
    s.dependence.orders = Some(OrdersDependence::Common(0.5));
    let outcomes = trials(&s, n);
    let a: Vec<f64> = outcomes.iter().map(|o| o.orders[0] as f64).collect();
    let b: Vec<f64> = outcomes.iter().map(|o| o.orders[1] as f64).collect();
    let rho = spearman(&a, &b);
    assert!((rho - 0.5).abs() < 0.01, "orders: Spearman {rho}");
    for (xs, firm) in [(a, 0), (b, 1)] {
        let d = ks(&mut xs.clone(), &s.firms[firm].orders);
        assert!(d < crit, "firm {firm}'s orders: KS {d} against {crit}");
    }

    let mut s = conversion_probe(2);
    s.dependence.conversion = Some(0.6);
    let outcomes = trials(&s, n);
    let k = |o: &Outcome, i: usize| o.delivered[i] as f64 / 1e9;
    let k0: Vec<f64> = outcomes.iter().map(|o| k(o, 0)).collect();
    let k1: Vec<f64> = outcomes.iter().map(|o| k(o, 1)).collect();
    let rho = spearman(&k0, &k1);
    assert!((rho - 0.6).abs() < 0.01, "conversion: Spearman {rho}");
    let d = ks(&mut k0.clone(), &s.conversion);
    // The floor to whole units moves each rate by less than 1e-9.
    assert!(d < crit, "conversion: KS {d} against {crit}");
}

/// A declared correlation is drawn through the copula even at 0 (MODEL.md), so a sweep over its
/// value stays on common random numbers: changing only `dependence.conversion` leaves every
/// trial's orders as they were, and changing it from 0 to 0 changes nothing at all.
#[test]
fn a_sweep_over_a_correlation_keeps_every_other_input() {
    use crate::scenario::OrdersDependence;
    let mut s = conversion_probe(3);
    for f in &mut s.firms {
        f.orders = dist("{ dist = \"pert\", min = 100000000, mode = 500000000, max = 900000000 }");
    }
    s.dependence.orders = Some(OrdersDependence::Common(0.3));
    s.dependence.conversion = Some(0.0);
    let base = trials(&s, 300);
    let mut other = s.clone();
    other.dependence.conversion = Some(0.8);
    let moved = trials(&other, 300);
    let mut differ = 0;
    for (x, y) in base.iter().zip(&moved) {
        assert_eq!(x.orders, y.orders);
        differ += usize::from(x.delivered != y.delivered);
    }
    assert!(
        differ > 250,
        "conversions move with the correlation ({differ} of 300)"
    );
    // At q = 0, each firm's conversion is its own normal through the map: independent of the
    // others, and the same in trial t whatever the other firms' rates.
    let mut two = s.clone();
    two.firms.truncate(2);
    for (x, y) in base.iter().zip(&trials(&two, 300)) {
        assert_eq!(&x.delivered[..2], &y.delivered[..]);
    }
}

/// `batch_supply`: a round's batch and domestic supply have the declared rank correlation,
/// through the batch stream's normal and the supply stream's.
#[test]
fn batch_and_supply_are_correlated_through_the_batch_streams_normal() {
    use crate::rng::{Group, TrialStreams};
    let mut s = scenario(
        "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1\nbatch = { dist = \"uniform\", min = 1000, max = 2000 }\n\
         [domestic]\nratio = 0.5\nsupply = { dist = \"pert\", min = 0, mode = 300, max = 900 }\n\
         [[firm]]\nname = \"A\"\norders = 100000\n",
    );
    s.dependence.batch_supply = Some(-0.3);
    let model = Model::new(&s);
    let c = &model.copula;
    let n = 50_000;
    let (mut batch, mut supply) = (Vec::new(), Vec::new());
    for t in 0..n {
        let streams = TrialStreams::new(1, t);
        let round = 2;
        let b = model.ids.get(Group::Batch, round, 0);
        let q = model.ids.get(Group::Domestic, round, 0);
        let (e_b, e_q) = (super::normal(&streams, b), super::normal(&streams, q));
        batch.push(c.batch(1, e_b));
        supply.push(c.supply(1, e_b, e_q));
    }
    let rho = spearman(&batch, &supply);
    assert!((rho + 0.3).abs() < 0.015, "Spearman {rho}");
    let crit = 1.95 / (n as f64).sqrt();
    assert!(ks(&mut batch, &s.approval[1].batch) < crit);
    assert!(ks(&mut supply, &s.domestic.supply[1]) < crit);
    // The model draws its batches this way: without bundling, a trial delivers each round's
    // batch, which is the copula's.
    let mut plain = s.clone();
    plain.domestic.ratio = dist("0");
    let model = Model::new(&plain);
    let mut ws = model.workspace();
    for t in 0..20 {
        model.run_trial(1, t, &mut ws);
        let streams = TrialStreams::new(1, t);
        let b = model.ids.get(Group::Batch, 1, 0);
        let e = super::normal(&streams, b);
        let batch = crate::units::round_units(model.copula.batch(0, e));
        assert_eq!(ws.outcome.cumulative[0], batch);
    }
}

/// A matrix of rank correlations (MODEL.md, "Dependence"): each pair has its declared rank
/// correlation, negative ones included, and listing the firms in another order (the matrix
/// permuted with them) gives every firm the same orders, bit for bit.
#[test]
fn a_correlation_matrix_holds_pair_by_pair_and_does_not_depend_on_the_listed_order() {
    let firm = |name: &str| {
        format!(
            "[[firm]]\nname = \"{name}\"\n\
             orders = {{ dist = \"pert\", min = 100000, mode = 400000, max = 900000 }}\n"
        )
    };
    let top = "name = \"t\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n\
               [approval]\nprobability = 1\nbatch = 1\n";
    let a = scenario(&format!(
        "{top}{}{}{}[dependence]\norders = [[1, 0.7, -0.4], [0.7, 1, -0.2], [-0.4, -0.2, 1]]\n",
        firm("X"),
        firm("Y"),
        firm("Z")
    ));
    // Listed Z, X, Y: the matrix's rows and columns follow.
    let b = scenario(&format!(
        "{top}{}{}{}[dependence]\norders = [[1, -0.4, -0.2], [-0.4, 1, 0.7], [-0.2, 0.7, 1]]\n",
        firm("Z"),
        firm("X"),
        firm("Y")
    ));
    let n = 40_000;
    let (ta, tb) = (trials(&a, n), trials(&b, n));
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.orders, vec![y.orders[1], y.orders[2], y.orders[0]]);
    }
    let col = |i: usize| -> Vec<f64> { ta.iter().map(|o| o.orders[i] as f64).collect() };
    for (i, j, q) in [(0, 1, 0.7), (0, 2, -0.4), (1, 2, -0.2)] {
        let rho = spearman(&col(i), &col(j));
        // The standard error of Spearman's rho at n = 40,000 is under 0.005.
        assert!(
            (rho - q).abs() < 0.015,
            "pair {i},{j}: Spearman {rho} for {q}"
        );
    }
}

/// The trial is compiled twice (`Model::trial::<V2>`); on a scenario without version-2
/// features both copies give the same outcomes, trial for trial.
#[test]
fn both_compiled_trials_agree_on_a_version_1_scenario() {
    let s = scenario(&std::fs::read_to_string("tests/data/random.toml").unwrap());
    let model = Model::new(&s);
    assert!(
        model.plain,
        "tests/data/random.toml uses no version-2 feature"
    );
    let (mut a, mut b) = (model.workspace(), model.workspace());
    for t in 0..300 {
        let streams = crate::rng::TrialStreams::new(s.seed, t);
        model.trial::<false, _, _>(&streams, &mut a, &mut super::NoObserver, &mut super::Fresh);
        model.trial::<true, _, _>(&streams, &mut b, &mut super::NoObserver, &mut super::Fresh);
        assert_eq!(a.outcome, b.outcome, "trial {t}");
    }
}
