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
    Regime {
        name: name.to_string(),
        approval_factor: 1.0,
        batch_factor: 1.0,
        conversion_factor: 1.0,
        domestic_ratio: None,
        domestic_supply_factor: 1.0,
        hold: false,
        transition,
    }
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
