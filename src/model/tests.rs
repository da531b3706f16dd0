//! Hand-worked trials, one per step of MODEL.md, and per-trial invariants.

use std::path::Path;

use proptest::prelude::*;

use super::{Model, Outcome};
use crate::rng::{Group, Name, Purpose, TrialKey, TrialStreams};
use crate::scenario::{Scenario, parse};

fn scenario(toml: &str) -> Scenario {
    match parse(Path::new("test.toml"), toml.as_bytes(), &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid: {e}\n{toml}"),
    }
}

fn trial(s: &Scenario, t: u64) -> Outcome {
    let model = Model::new(s);
    let mut ws = model.workspace();
    model.run_trial(s.seed, t, &mut ws);
    ws.outcome
}

/// A scenario with fixed numbers: `body` adds firms, events and other sections.
fn fixed(rounds: u32, batch: u64, rule: &str, extra_top: &str, body: &str) -> Scenario {
    scenario(&format!(
        "name = \"t\"\nrounds = {rounds}\n{extra_top}\n[allocation]\nrule = \"{rule}\"\n\
         [approval]\nprobability = 1.0\nbatch = {batch}\n{body}"
    ))
}

#[test]
fn domestic_shortage_is_split_by_the_rule_and_limits_imports() {
    let s = fixed(
        1,
        200,
        "proportional",
        "",
        "[domestic]\nratio = 0.5\nsupply = 40\nequivalence = 0.5\n\
         [[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 300\n",
    );
    let o = trial(&s, 0);
    // Awards 50 and 150; domestic wanted 25 and 75 > 40 available, split 10 and 30;
    // imports kept floor(10 / 0.5) = 20 and floor(30 / 0.5) = 60.
    assert_eq!(o.delivered, vec![20, 60]);
    assert_eq!(o.domestic, vec![10, 30]);
    assert_eq!(o.cumulative, vec![80]);
    // Effective unmet: 80 - floor(0.5 × 10) = 75 and 240 - 15 = 225.
    let mut summary = crate::stats::Summary::new(&s);
    summary.record(&o);
    let eff = |f| {
        summary
            .tally(f, crate::stats::Metric::EffectiveUnmet)
            .mean()
    };
    assert_eq!((eff(0), eff(1), eff(2)), (75.0, 225.0, 300.0));
}

#[test]
fn domestic_supply_that_suffices_buys_every_wanted_chip() {
    let s = fixed(
        1,
        200,
        "proportional",
        "",
        "[domestic]\nratio = 0.07\nsupply = 1000\n\
         [[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 300\n",
    );
    let o = trial(&s, 0);
    // ceil(0.07 × 50) = 4 and ceil(0.07 × 150) = ceil(10.5) = 11.
    assert_eq!(o.delivered, vec![50, 150]);
    assert_eq!(o.domestic, vec![4, 11]);
}

const LATE_ENTRANT: &str = "[[firm]]\nname = \"A\"\norders = 100\n\
                            [[firm]]\nname = \"B\"\norders = 300\neligible_from = 2\n";

#[test]
fn carry_over_keeps_what_no_one_could_take() {
    let s = fixed(2, 200, "proportional", "carry_over = true", LATE_ENTRANT);
    let o = trial(&s, 0);
    // Round 1: only A may claim (100 of 200); 100 carries to round 2, where B takes 300.
    assert_eq!(o.delivered, vec![100, 300]);
    assert_eq!(o.cumulative, vec![100, 400]);
}

#[test]
fn without_carry_over_approvals_lapse() {
    let s = fixed(2, 200, "proportional", "carry_over = false", LATE_ENTRANT);
    let o = trial(&s, 0);
    assert_eq!(o.delivered, vec![100, 200]);
    assert_eq!(o.cumulative, vec![100, 300]);
}

#[test]
fn halt_stops_this_and_every_later_round_and_loses_the_pool() {
    let s = fixed(
        3,
        200,
        "proportional",
        "",
        &format!(
            "{LATE_ENTRANT}[[event]]\nname = \"h\"\neffect = \"halt\"\nprobability = 1\nfrom_round = 2\n"
        ),
    );
    let o = trial(&s, 0);
    assert_eq!(o.halt_round, Some(2));
    assert_eq!(o.delivered, vec![100, 0]);
    assert_eq!(o.approved, vec![true, false, false]);
    assert_eq!(o.cumulative, vec![100, 100, 100]);
}

#[test]
fn hold_skips_a_round_and_keeps_the_pool_whole() {
    let s = fixed(
        3,
        200,
        "proportional",
        "",
        "[[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 1000\neligible_from = 2\n\
         [[event]]\nname = \"customs\"\neffect = \"hold\"\nprobability = 1\nfrom_round = 2\nto_round = 2\n",
    );
    let o = trial(&s, 0);
    // Round 1: A takes 100, 100 carries. Round 2 is held: nothing moves. Round 3: 200 + 100.
    assert_eq!(o.approved, vec![true, false, true]);
    assert_eq!(o.halt_round, None);
    assert_eq!(o.delivered, vec![100, 300]);
    assert_eq!(o.cumulative, vec![100, 100, 400]);
}

#[test]
fn scale_events_multiply_the_batch_before_it_is_rounded() {
    let events = "[[event]]\nname = \"half\"\neffect = \"scale\"\nprobability = 1\nfactor = 0.5\n\
                  [[event]]\nname = \"triple\"\neffect = \"scale\"\nprobability = 1\nfactor = 3\n";
    let s = fixed(
        1,
        201,
        "proportional",
        "",
        &format!("[[firm]]\nname = \"A\"\norders = 10000\n{events}"),
    );
    // 201 × 0.5 × 3 = 301.5, rounded half away from zero once: 302.
    assert_eq!(trial(&s, 0).delivered, vec![302]);
}

#[test]
fn round_caps_limit_claims_and_others_take_the_rest() {
    let s = fixed(
        1,
        300,
        "equal_awards",
        "",
        "[[firm]]\nname = \"A\"\norders = 500\nround_cap = 120\n[[firm]]\nname = \"B\"\norders = 500\n",
    );
    assert_eq!(trial(&s, 0).delivered, vec![120, 180]);
}

#[test]
fn approval_round_overrides_apply_to_their_round() {
    let s = scenario(
        "name = \"t\"\nrounds = 3\n[allocation]\nrule = \"priority\"\n\
         [approval]\nprobability = 0.0\nbatch = 100\n\
         [[approval.round]]\nround = 2\nprobability = 1.0\nbatch = 70\n\
         [[firm]]\nname = \"A\"\norders = 50\npriority = 2\n[[firm]]\nname = \"B\"\norders = 50\npriority = 1\n",
    );
    let o = trial(&s, 0);
    assert_eq!(o.approved, vec![false, true, false]);
    // Priority 1 (B) is served in full first.
    assert_eq!(o.delivered, vec![20, 50]);
}

#[test]
fn conversion_takes_up_the_floor_of_a_share() {
    let s = fixed(
        1,
        100,
        "proportional",
        "",
        "[[firm]]\nname = \"A\"\norders = 100\n[approval.conversion]\ndist = \"fixed\"\nvalue = 0.07\n",
    );
    // Written as a table under [approval] after the fact: conversion 0.07 of 100 is 7 exactly.
    assert_eq!(trial(&s, 0).delivered, vec![7]);
}

#[test]
fn random_priority_reuses_the_round_order_for_domestic_chips() {
    let s = fixed(
        1,
        150,
        "random_priority",
        "seed = 11",
        "[domestic]\nratio = 1.0\nsupply = 60\n\
         [[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 100\n[[firm]]\nname = \"C\"\norders = 100\n",
    );
    let mut first = std::collections::BTreeSet::new();
    for t in 0..60 {
        let o = trial(&s, t);
        // The firm drawn first is awarded 100 and the second 50. With the same order in step 7
        // the first also gets all 60 domestic chips, so it alone keeps imports (60). A fresh
        // order could hand domestic chips to the second firm and split deliveries.
        let mut delivered = o.delivered.clone();
        delivered.sort_unstable();
        assert_eq!(delivered, vec![0, 0, 60], "trial {t}: {:?}", o.delivered);
        assert_eq!(o.delivered, o.domestic);
        first.insert(o.delivered.iter().position(|&d| d == 60));
    }
    assert_eq!(first.len(), 3, "every firm is sometimes drawn first");
}

#[test]
fn same_trial_same_world_across_policies() {
    let base = "seed = 5\n";
    let body = "[[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 100, max = 900 }\n\
                [[firm]]\nname = \"B\"\norders = { dist = \"uniform\", min = 100, max = 900 }\n";
    let a = fixed(2, 500, "proportional", base, body);
    let b = fixed(2, 500, "talmud", base, body);
    for t in 0..20 {
        assert_eq!(trial(&a, t).orders, trial(&b, t).orders);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn delivered_never_exceeds_orders_or_supply(
        rule in 0usize..7,
        rounds in 1u32..5,
        batch in 0u64..2_000,
        orders in proptest::collection::vec(0u64..1_500, 1..5),
        caps in proptest::collection::vec(proptest::option::of(0u64..600), 5),
        ratio in 0.0f64..2.0,
        supply in 0u64..1_500,
        carry in any::<bool>(),
        conversion in 0.0f64..=1.0,
        seed in 0u64..1_000,
    ) {
        let rule = crate::scenario::Rule::ALL[rule].1;
        let mut body = format!(
            "[domestic]\nratio = {ratio}\nsupply = {{ dist = \"uniform\", min = 0, max = {supply} }}\n\
             [approval.conversion]\ndist = \"uniform\"\nmin = {conversion}\nmax = 1\n"
        );
        for (i, o) in orders.iter().enumerate() {
            body += &format!("[[firm]]\nname = \"F{i}\"\norders = {o}\neligible_from = {}\nweight = {}\n", i % 3 + 1, i + 1);
            if let Some(c) = caps[i] {
                body += &format!("round_cap = {c}\n");
            }
        }
        let s = scenario(&format!(
            "name = \"p\"\nrounds = {rounds}\nseed = {seed}\ncarry_over = {carry}\n\
             [allocation]\nrule = \"{rule}\"\n[approval]\nprobability = 0.7\nbatch = {batch}\n{body}"
        ));
        for t in 0..4 {
            let o = trial(&s, t);
            let total: u64 = o.delivered.iter().sum();
            prop_assert!(total <= batch * u64::from(rounds), "{total} > supply");
            for (i, &ordered) in orders.iter().enumerate() {
                prop_assert!(o.delivered[i] <= o.orders[i]);
                prop_assert_eq!(o.orders[i], ordered);
                if ratio == 0.0 {
                    prop_assert_eq!(o.domestic[i], 0);
                }
            }
            prop_assert_eq!(*o.cumulative.last().unwrap(), total);
            prop_assert!(o.cumulative.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}

/// A recorder folds outcomes into the very summary that recording each one does, including a
/// last batch left part full.
#[test]
fn a_recorder_folds_exactly_as_one_by_one() {
    use crate::stats::{Metric, Recorder, STATS, Summary};
    let s = baseline();
    let model = Model::new(&s);
    let mut ws = model.workspace();
    let mut one_by_one = Summary::new(&s);
    let mut recorder = Recorder::new(&s);
    for t in 0..1_000 {
        model.run_trial(s.seed, t, &mut ws);
        one_by_one.record(&ws.outcome);
        recorder.record(&ws.outcome);
    }
    let batched = recorder.finish();
    let bits = |summary: &Summary| {
        let mut v = Vec::new();
        for firm in 0..summary.names.len() {
            for m in Metric::ALL {
                let t = summary.tally(firm, m);
                v.extend(STATS.iter().map(|st| t.stat(st, 1.0).to_bits()));
                v.extend(t.buckets().map(|b| b.count));
                v.push(t.sum_sq() as u64);
            }
        }
        for r in &summary.rounds {
            v.extend([r.approved, r.halted_here, r.halted_by]);
            v.extend(STATS.iter().map(|st| r.cumulative.stat(st, 1.0).to_bits()));
        }
        v.extend(
            STATS
                .iter()
                .map(|st| summary.approved_rounds.stat(st, 1.0).to_bits()),
        );
        v
    };
    assert_eq!(batched.trials(), 1_000);
    assert_eq!(bits(&batched), bits(&one_by_one));
}

/// Stream ids come from the tables while they are small and are computed past that (or for a
/// round out of range); either way they are the purposes' own ids.
#[test]
fn stream_id_tables_hold_the_purposes_ids() {
    for (rounds, firms) in [(4, 6), (1_000, 70)] {
        let mut toml = format!(
            "name = \"t\"\nrounds = {rounds}\n[allocation]\nrule = \"proportional\"\n\
             [approval]\nprobability = 1.0\nbatch = 100\n\
             [[event]]\nname = \"e\"\neffect = \"hold\"\nprobability = 0.1\n\
             [[event]]\nname = \"f\"\neffect = \"halt\"\nprobability = 0.1\n"
        );
        for i in 0..firms {
            toml += &format!("[[firm]]\nname = \"F{i}\"\norders = 10\n");
        }
        let s = scenario(&toml);
        let ids = super::StreamIds::new(&s);
        let table = |g: Group| &ids.tables[g.index()];
        assert_eq!(
            table(Group::Conversion).is_empty(),
            rounds * (firms + 1) > super::MAX_IDS
        );
        assert_eq!(table(Group::Batch).len(), rounds);
        assert_eq!(table(Group::Shock).len(), rounds * 2);
        assert_eq!(
            table(Group::Orders).len(),
            firms + 1,
            "the firms and the factor"
        );
        assert_eq!(table(Group::Entry).len(), firms + 1);
        assert_eq!(table(Group::Ratio).len(), 1);
        assert_eq!(table(Group::Regime).len(), rounds);
        let name = |i: usize| match i {
            i if i == firms => Name::FACTOR,
            i => Name::of(&s.firms[i].name),
        };
        let event = |j: usize| Name::of(&s.events[j].name);
        let last_round = rounds as u32;
        // Out of range: computed, and equal to the purpose's own id.
        let mut checks = vec![
            (Group::Approval, 0, 0, Purpose::Approval { round: 0 }),
            (
                Group::Batch,
                last_round + 1,
                0,
                Purpose::Batch {
                    round: last_round + 1,
                },
            ),
            (
                Group::Conversion,
                last_round + 1,
                0,
                Purpose::Conversion {
                    round: last_round + 1,
                    firm: name(0),
                },
            ),
            (Group::Ratio, 0, 0, Purpose::Ratio),
        ];
        for i in [0, 1, firms - 1, firms] {
            checks.push((Group::Orders, 0, i, Purpose::Orders { firm: name(i) }));
            checks.push((Group::Entry, 0, i, Purpose::Entry { firm: name(i) }));
        }
        for round in [1, 2, last_round] {
            checks.extend([
                (Group::Approval, round, 0, Purpose::Approval { round }),
                (Group::Batch, round, 0, Purpose::Batch { round }),
                (Group::Domestic, round, 0, Purpose::DomesticSupply { round }),
                (Group::Order, round, 0, Purpose::Order { round }),
                (Group::Regime, round, 0, Purpose::Regime { round }),
            ]);
            for i in [0, 1, firms - 1, firms] {
                let p = Purpose::Conversion {
                    round,
                    firm: name(i),
                };
                checks.push((Group::Conversion, round, i, p));
            }
            for j in 0..2 {
                let p = Purpose::Shock {
                    round,
                    event: event(j),
                };
                checks.push((Group::Shock, round, j, p));
            }
        }
        for (group, round, index, p) in checks {
            assert_eq!(ids.get(group, round, index), p.id(), "{p:?}");
        }
    }
}

fn trial_on(s: &Scenario, streams: &TrialStreams) -> Outcome {
    model_on(&Model::new(s), streams)
}

/// [`trial_on`] on a model built once: the baseline's copula maps take milliseconds each to
/// build in the unoptimised test build, and the loops below run thousands of trials.
fn model_on(model: &Model, streams: &TrialStreams) -> Outcome {
    let mut ws = model.workspace();
    model.run_trial_on(streams, &mut ws);
    ws.outcome
}

/// [`trial`] on a model built once.
fn model_trial(model: &Model, seed: u64, t: u64) -> Outcome {
    let mut ws = model.workspace();
    model.run_trial(seed, t, &mut ws);
    ws.outcome
}

fn baseline() -> Scenario {
    scenario(&std::fs::read_to_string("scenarios/baseline.toml").unwrap())
}

/// A scenario that draws from every group: random orders, a customs hold, approvals, batches,
/// a random priority order, conversions and a domestic supply that binds.
fn every_group() -> Scenario {
    let firms: String = ["A", "B", "C"]
        .iter()
        .map(|f| {
            format!(
                "[[firm]]\nname = \"{f}\"\norders = {{ dist = \"uniform\", min = 200, max = 900 }}\n"
            )
        })
        .collect();
    scenario(&format!(
        "name = \"g\"\nrounds = 4\nseed = 3\n[allocation]\nrule = \"random_priority\"\n\
         [approval]\nprobability = 0.6\nbatch = {{ dist = \"uniform\", min = 100, max = 1000 }}\n\
         conversion = {{ dist = \"beta\", alpha = 8, beta = 2 }}\n\
         [domestic]\nratio = 0.5\nsupply = {{ dist = \"uniform\", min = 0, max = 300 }}\n\
         {firms}[[event]]\nname = \"customs\"\neffect = \"hold\"\nprobability = 0.3\n"
    ))
}

/// `run_trial` is a trial on its own streams; keying a group by the trial it already has
/// changes nothing, and keying every group by trial u gives trial u.
#[test]
fn a_trial_on_its_own_streams_is_run_trial() {
    for s in [baseline(), every_group()] {
        let m = Model::new(&s);
        for t in 0..200 {
            let own = TrialStreams::new(s.seed, t);
            let expected = model_trial(&m, s.seed, t);
            assert_eq!(model_on(&m, &own), expected, "{} trial {t}", s.name);
            for group in Group::ALL {
                let same = own.with_group(group, TrialKey::new(s.seed, t));
                assert_eq!(model_on(&m, &same), expected, "{} trial {t}", s.name);
            }
            let u = t + 1_000;
            let all = Group::ALL.into_iter().fold(own, |streams, group| {
                streams.with_group(group, TrialKey::new(s.seed, u))
            });
            assert_eq!(
                model_on(&m, &all),
                model_trial(&m, s.seed, u),
                "{} trial {t}",
                s.name
            );
        }
    }
}

/// One firm that orders more than every batch together takes each approved round's batch
/// whole (no conversion, no domestic chips, no carry-over): its deliveries show the batches.
fn batches_scenario(probability: f64, events: &str) -> Scenario {
    scenario(&format!(
        "name = \"b\"\nrounds = 4\nseed = 8\ncarry_over = false\n\
         [allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = {probability}\nbatch = {{ dist = \"uniform\", min = 100, max = 1000 }}\n\
         [[firm]]\nname = \"A\"\norders = {{ dist = \"uniform\", min = 1000000, max = 2000000 }}\n{events}"
    ))
}

/// Each round's batch, 0 for a round not approved.
fn batches(o: &Outcome) -> Vec<u64> {
    let mut before = 0;
    o.cumulative
        .iter()
        .map(|&c| {
            let batch = c - before;
            before = c;
            batch
        })
        .collect()
}

/// With the batch group keyed by trial u, trial t keeps its orders, shocks and approvals, and its
/// approved rounds get trial u's batches.
#[test]
fn re_keying_the_batches_redraws_the_batches_alone() {
    let hold = "[[event]]\nname = \"customs\"\neffect = \"hold\"\nprobability = 0.3\n";
    let s = batches_scenario(0.6, hold);
    // Every round approved and no events: every round shows its batch.
    let all_approved = batches_scenario(1.0, "");
    let mut changed = 0;
    for t in 0..200 {
        let u = t + 1_000;
        let original = trial(&s, t);
        let streams =
            TrialStreams::new(s.seed, t).with_group(Group::Batch, TrialKey::new(s.seed, u));
        let mixed = trial_on(&s, &streams);
        assert_eq!(mixed.orders, original.orders, "trial {t}");
        assert_eq!(mixed.approved, original.approved, "trial {t}");
        let (theirs, ours) = (batches(&trial(&all_approved, u)), batches(&original));
        for (r, &batch) in batches(&mixed).iter().enumerate() {
            let expected = if mixed.approved[r] { theirs[r] } else { 0 };
            assert_eq!(batch, expected, "trial {t}, round {}", r + 1);
            changed += usize::from(batch != ours[r]);
        }
    }
    assert!(changed > 300, "{changed} batches changed");

    // In a scenario that draws every group, the batches move and the orders and approvals
    // (after shocks) stay.
    let s = every_group();
    let mut changed = 0;
    for t in 0..200 {
        let original = trial(&s, t);
        let streams =
            TrialStreams::new(s.seed, t).with_group(Group::Batch, TrialKey::new(s.seed, t + 1));
        let mixed = trial_on(&s, &streams);
        assert_eq!(mixed.orders, original.orders, "trial {t}");
        assert_eq!(mixed.approved, original.approved, "trial {t}");
        changed += usize::from(mixed != original);
    }
    assert!(changed > 100, "{changed} trials changed");
}

/// A firm's streams of a group moved to the spare key re-draw that firm's inputs alone: with the
/// spare keyed by trial u, the firm has trial u's orders (or conversion rates), every other
/// input is trial t's; with no spare key set, nothing changes; a whole-round group on the spare
/// is that group re-keyed; every index on the spare is the group re-keyed.
#[test]
fn a_firm_on_the_spare_key_redraws_that_firms_inputs_alone() {
    let s = every_group();
    let model = Model::new(&s);
    let n = s.firms.len();
    let run = |m: &Model, streams: &TrialStreams| {
        let mut ws = m.workspace();
        m.run_trial_on(streams, &mut ws);
        ws.outcome
    };
    assert!(model.with_spare(Group::Orders, n + 1).is_none());
    assert!(model.with_spare(Group::Batch, 1).is_none());
    assert!(model.with_spare(Group::Shock, 1).is_none());
    let mut conversion_changed = 0;
    for t in 0..100 {
        let u = t + 1_000;
        let own = TrialStreams::new(s.seed, t);
        let spare = own.with_spare(TrialKey::new(s.seed, u));
        let (original, theirs) = (trial(&s, t), trial(&s, u));
        for i in 0..n {
            let orders = model.with_spare(Group::Orders, i).unwrap();
            assert_eq!(run(&orders, &own), original, "trial {t}, firm {i}");
            let mixed = run(&orders, &spare);
            for j in 0..n {
                let expected = if j == i {
                    theirs.orders[j]
                } else {
                    original.orders[j]
                };
                assert_eq!(
                    mixed.orders[j], expected,
                    "trial {t}, firm {i}, orders of {j}"
                );
            }
            let conversion = model.with_spare(Group::Conversion, i).unwrap();
            let mixed = run(&conversion, &spare);
            assert_eq!(mixed.orders, original.orders, "trial {t}, firm {i}");
            assert_eq!(mixed.approved, original.approved, "trial {t}, firm {i}");
            conversion_changed += usize::from(mixed != original);
        }
        let batch = model.with_spare(Group::Batch, 0).unwrap();
        let rekeyed = own.with_group(Group::Batch, TrialKey::new(s.seed, u));
        assert_eq!(run(&batch, &spare), trial_on(&s, &rekeyed), "trial {t}");
        let every = (0..=n).fold(model.clone(), |m, i| {
            m.with_spare(Group::Orders, i).unwrap()
        });
        let rekeyed = own.with_group(Group::Orders, TrialKey::new(s.seed, u));
        assert_eq!(run(&every, &spare), trial_on(&s, &rekeyed), "trial {t}");
    }
    assert!(
        conversion_changed > 50,
        "{conversion_changed} trials changed"
    );
}

/// Keying a group the scenario draws nothing from by another trial changes nothing.
#[test]
fn re_keying_a_group_the_scenario_does_not_draw_changes_nothing() {
    // The baseline splits proportionally: it draws no random order.
    let s = baseline();
    let m = Model::new(&s);
    for t in 0..200 {
        let streams =
            TrialStreams::new(s.seed, t).with_group(Group::Order, TrialKey::new(s.seed, t + 1));
        assert_eq!(
            model_on(&m, &streams),
            model_trial(&m, s.seed, t),
            "trial {t}"
        );
    }
    // Fixed numbers and certain events draw nothing at all.
    let s = fixed(
        3,
        200,
        "proportional",
        "",
        &format!(
            "{LATE_ENTRANT}[[event]]\nname = \"h\"\neffect = \"halt\"\nprobability = 1\nfrom_round = 3\n"
        ),
    );
    for group in Group::ALL {
        let streams = TrialStreams::new(s.seed, 0).with_group(group, TrialKey::new(s.seed, 7));
        assert_eq!(trial_on(&s, &streams), trial(&s, 0), "{group:?}");
    }
}
