//! The tail's selection against a sort, the share's arithmetic, d by hand, and whole analyses
//! against an independent reading of the plain trials' outcomes.

use std::path::Path;

use super::*;
use crate::scenario::parse;

/// The k worst by sorting every (metric, trial) pair: more first, then the lower trial.
fn by_sorting(metrics: &[Units], k: u64) -> (Vec<u64>, Units) {
    let mut order: Vec<u64> = (0..metrics.len() as u64).collect();
    order.sort_by_key(|&t| (std::cmp::Reverse(metrics[t as usize]), t));
    order.truncate(k as usize);
    let threshold = order
        .iter()
        .map(|&t| metrics[t as usize])
        .min()
        .unwrap_or(0);
    order.sort_unstable();
    (order, threshold)
}

#[test]
fn the_worst_trials_are_those_a_sort_picks() {
    // A small generator (SplitMix64) so the test needs no random crate of its own.
    let mut state = 12345u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for (n, spread) in [(1, 10), (7, 3), (500, 5), (2000, 1 << 20), (3000, u64::MAX)] {
        let metrics: Vec<Units> = (0..n)
            .map(|_| {
                let v = next();
                if spread == u64::MAX { v } else { v % spread }
            })
            .collect();
        for k in [1, 2, n / 10 + 1, n / 2, n] {
            assert_eq!(
                worst_trials(&metrics, k as u64),
                by_sorting(&metrics, k as u64),
                "n {n}, k {k}, spread {spread}"
            );
        }
    }
    // Ties at the threshold go to the lower trials.
    assert_eq!(worst_trials(&[5, 9, 5, 5, 1], 3), (vec![0, 1, 2], 5));
    assert_eq!(worst_trials(&[0, 0, 0], 2), (vec![0, 1], 0));
}

#[test]
fn shares_are_read_as_percentages_and_count_exactly() {
    let share = |t: &str| Share::parse_percent(t).expect(t);
    assert_eq!(share("10%").of(1000), 100);
    assert_eq!(share("10%").of(1001), 101, "ceil");
    assert_eq!(share(" 2.5 %").of(3), 1);
    assert_eq!(share("100%").of(7), 7);
    assert_eq!(share("0.000001%").of(1), 1, "at least one trial");
    assert_eq!(share("33.3%").of(1000), 333);
    // 0.1 × 30 is 3.0000000000000004 in floating point; the share counts it as 3.
    assert_eq!(share("10%").of(30), 3);
    assert_eq!(share("10%").label(), "10%");
    assert_eq!(share("2.50%").label(), "2.5%");
    assert_eq!(share("0.125%").label(), "0.125%");
    assert_eq!(share("0.125%").fraction(), 0.00125);
    for bad in ["10", "0.1", "%", "ten%", "1e1%", "-5%", "1.2345678%", ".%"] {
        assert!(
            matches!(
                Share::parse_percent(bad),
                Err(ShareError::NotAPercentage(_))
            ),
            "{bad}"
        );
    }
    for out in ["0%", "0.0%", "100.5%", "250%"] {
        assert!(
            matches!(Share::parse_percent(out), Err(ShareError::OutOfRange(_))),
            "{out}"
        );
    }
}

fn tally(values: &[u64]) -> Tally {
    let mut t = Tally::default();
    for &v in values {
        t.record(v);
    }
    t
}

#[test]
fn d_is_the_median_shift_in_overall_standard_deviations() {
    let input = Input {
        kind: InputKind::ApprovedRounds,
        member: 0,
    };
    // Overall 1..=5: median 3, sd sqrt(2.5); tail 4, 5: median 4.5.
    let row = InputRow {
        input,
        tail: tally(&[4, 5]),
        overall: tally(&[1, 2, 3, 4, 5]),
    };
    let d = row.d().expect("a spread");
    assert!((d - 1.5 / 2.5f64.sqrt()).abs() < 1e-12, "{d}");
    assert_eq!(row.significant(), Some(true));
    let flat = InputRow {
        input,
        tail: tally(&[2, 2]),
        overall: tally(&[2, 2, 2]),
    };
    assert_eq!(
        (flat.d(), flat.significant()),
        (None, None),
        "no spread, no d"
    );
    let small = InputRow {
        input,
        tail: tally(&[3, 4]),
        overall: tally(&[1, 2, 3, 4, 5]),
    };
    assert_eq!(small.significant(), Some(false), "|d| = 0.32");
}

fn scenario(toml: &str) -> Scenario {
    parse(Path::new("t.toml"), toml.as_bytes(), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Every source of randomness the inputs read: drawn orders, entry and ratio, regimes with a
/// hold, a hold and a halt event, a scarce domestic supply. The batch is fixed, so the units
/// approved are 100 per approved round.
const MIXED: &str = "name = \"m\"\nrounds = 5\nseed = 11\n\
    [allocation]\nrule = \"proportional\"\n\
    [approval]\nprobability = 0.7\nbatch = 100\n\
    conversion = { dist = \"beta\", alpha = 4, beta = 2 }\n\
    [domestic]\nratio = { dist = \"uniform\", min = 0.1, max = 0.9 }\n\
    supply = { dist = \"uniform\", min = 0, max = 60 }\n\
    [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 50, max = 400 }\n\
    [[firm]]\nname = \"B\"\norders = { dist = \"uniform\", min = 50, max = 300 }\n\
    eligible_from = { dist = \"discrete\", values = [1, 2, 4, 9], weights = [1, 1, 1, 1] }\n\
    [[event]]\nname = \"h\"\neffect = \"hold\"\nprobability = 0.15\n\
    [[event]]\nname = \"x\"\neffect = \"halt\"\nprobability = 0.05\nfrom_round = 2\n\
    [regimes]\ninitial = \"calm\"\n\
    [[regime]]\nname = \"calm\"\ntransition = { calm = 0.8, frozen = 0.2 }\n\
    [[regime]]\nname = \"frozen\"\nhold = true\ntransition = { calm = 0.5, frozen = 0.5 }\n";

/// A trial's value of an input, read from its outcome.
type Of = dyn Fn(&Outcome) -> u64;

fn row<'a>(r: &'a TailResult, s: &Scenario, name: &str, firm: Option<&str>) -> &'a InputRow {
    r.rows
        .iter()
        .find(|row| row.input.name(s) == name && row.input.firm(s) == firm)
        .unwrap_or_else(|| panic!("no input {name} {firm:?}"))
}

/// Everything a result reports of each tally: counts, sums, extremes, median and buckets.
fn fingerprint(r: &TailResult) -> Vec<String> {
    let of = |t: &Tally| {
        format!(
            "{} {} {} {} {} {} {:?}",
            t.count(),
            t.sum(),
            t.sum_sq(),
            t.min_value(),
            t.max_value(),
            t.quantile(0.5),
            t.buckets().collect::<Vec<_>>()
        )
    };
    r.rows
        .iter()
        .map(|row| format!("{:?}: {} | {}", row.input, of(&row.tail), of(&row.overall)))
        .chain([of(&r.unmet_tail), of(&r.unmet_overall)])
        .collect()
}

/// The same analysis on 1 and 2 threads and other chunk sizes gives the same numbers, and the
/// tail and its outcome-based inputs are what a plain replay of every trial gives.
#[test]
fn a_tail_is_exact_deterministic_and_what_the_plain_trials_say() {
    let s = scenario(MIXED);
    let n = 1500;
    for (target, worst) in [(Target::Total, "10%"), (Target::Firm(1), "33.3%")] {
        let options = |threads, chunk| TailOptions {
            trials: n,
            seed: s.seed,
            threads,
            chunk,
            target,
            worst: Share::parse_percent(worst).unwrap(),
        };
        let r = run(&s, &options(1, 2048), &mut |_| {}, None).expect("runs");
        for (threads, chunk) in [(2, 64), (2, 1), (1, 7)] {
            let other = run(&s, &options(threads, chunk), &mut |_| {}, None).expect("runs");
            assert_eq!(
                fingerprint(&r),
                fingerprint(&other),
                "{threads} threads, chunk {chunk}"
            );
            assert_eq!(
                (r.threshold, &r.worst, r.tail_trials),
                (other.threshold, &other.worst, other.tail_trials)
            );
        }

        // Independently: every trial played plain, the tail picked by sorting.
        let model = Model::new(&s);
        let mut ws = model.workspace();
        let outcomes: Vec<Outcome> = (0..n)
            .map(|t| {
                model.run_trial(s.seed, t, &mut ws);
                ws.outcome.clone()
            })
            .collect();
        let metrics: Vec<Units> = outcomes.iter().map(|o| target.unmet(o)).collect();
        let k = Share::parse_percent(worst).unwrap().of(n);
        let (tail, threshold) = by_sorting(&metrics, k);
        assert_eq!((r.tail_trials, r.threshold), (k, threshold));
        assert_eq!(r.worst[0].1, *metrics.iter().max().unwrap());
        let mean = |f: &dyn Fn(&Outcome) -> u64, trials: &[u64]| {
            trials
                .iter()
                .map(|&t| f(&outcomes[t as usize]) as f64)
                .sum::<f64>()
                / trials.len() as f64
        };
        let all: Vec<u64> = (0..n).collect();
        let approved = |o: &Outcome| o.approved.iter().filter(|a| **a).count() as u64;
        let halt = |o: &Outcome| u64::from(o.halt_round.unwrap_or(6));
        let frozen = |o: &Outcome| o.regime.iter().filter(|&&g| g == 1).count() as u64;
        let checks: [(&str, Option<&str>, &Of); 6] = [
            ("orders", Some("A"), &|o| o.orders[0]),
            ("orders", Some("B"), &|o| o.orders[1]),
            ("entry_round", Some("B"), &|o| u64::from(o.entry[1])),
            ("approved_rounds", None, &approved),
            ("halt_round", None, &halt),
            ("rounds_in_frozen", None, &frozen),
        ];
        for (name, firm, f) in checks {
            let got = row(&r, &s, name, firm);
            assert_eq!(
                got.tail.mean(),
                mean(f, &tail),
                "{name} {firm:?} in the tail"
            );
            assert_eq!(got.overall.mean(), mean(f, &all), "{name} {firm:?} overall");
        }
        // What only the observer sees, against what follows from the outcome: a fixed batch of
        // 100 per approved round.
        let batch = row(&r, &s, "total_batch", None);
        let approved_row = row(&r, &s, "approved_rounds", None);
        assert_eq!(batch.tail.sum(), 100 * approved_row.tail.sum());
        assert_eq!(batch.overall.sum(), 100 * approved_row.overall.sum());
        assert_eq!(r.unmet_tail.count(), k);
        assert_eq!(r.unmet_tail.min_value(), threshold);
    }
}

/// Rounds held, rounds short of domestic chips and mean conversion rates, against a scenario
/// where each is known: with approval certain and no halt, a round is held or approved; every
/// rate is 0.5; the domestic supply is always 0, so every round with chips wanted is short.
#[test]
fn what_only_the_observer_sees_is_counted() {
    let s = scenario(
        "name = \"k\"\nrounds = 6\nseed = 2\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1.0\nbatch = 100\nconversion = 0.5\n\
         [domestic]\nratio = 0.5\nsupply = 0\n\
         [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 10, max = 1000 }\n\
         [[event]]\nname = \"h\"\neffect = \"hold\"\nprobability = 0.3\n",
    );
    let options = TailOptions {
        trials: 400,
        seed: s.seed,
        target: Target::Total,
        worst: Share::parse_percent("25%").unwrap(),
        ..TailOptions::default()
    };
    let r = run(&s, &options, &mut |_| {}, None).expect("runs");
    let held = row(&r, &s, "held_rounds", None);
    let approved = row(&r, &s, "approved_rounds", None);
    for (h, a) in [
        (&held.tail, &approved.tail),
        (&held.overall, &approved.overall),
    ] {
        assert_eq!(h.mean() + a.mean(), 6.0);
        assert!(h.mean() > 0.0);
    }
    // Nothing is ever kept (no domestic chips at all), so every approved round awards, converts
    // and falls short.
    let short = row(&r, &s, "shortage_rounds", None);
    assert_eq!(short.overall.mean(), approved.overall.mean());
    let rate = row(&r, &s, "mean_conversion", Some("A"));
    assert_eq!(rate.overall.quantile(0.5) * rate.scale(), 0.5);
    assert_eq!(rate.d(), None, "a fixed rate has no spread");
    // More holds leave more unmet: the tail has more of them.
    assert!(held.tail.mean() > held.overall.mean());
}

#[test]
fn too_many_trials_are_refused_before_anything_runs() {
    let s = scenario(MIXED);
    let options = TailOptions {
        trials: MAX_TAIL_TRIALS + 1,
        ..TailOptions::default()
    };
    let e = run(&s, &options, &mut |_| panic!("nothing runs"), None).expect_err("refused");
    assert!(e.is_bad_input());
    assert!(e.to_string().contains("at most 100000000 trials"), "{e}");
}

#[test]
fn a_scenario_lists_only_the_inputs_it_draws() {
    let s = scenario(MIXED);
    let names: Vec<String> = inputs(&s)
        .iter()
        .map(|i| match i.firm(&s) {
            Some(f) => format!("{f}:{}", i.name(&s)),
            None => i.name(&s),
        })
        .collect();
    assert_eq!(
        names,
        [
            "A:orders",
            "A:mean_conversion",
            "B:orders",
            "B:entry_round",
            "B:mean_conversion",
            "domestic_ratio",
            "approved_rounds",
            "total_batch",
            "held_rounds",
            "shortage_rounds",
            "halt_round",
            "rounds_in_calm",
            "rounds_in_frozen",
        ]
    );
}
