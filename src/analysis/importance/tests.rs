//! The estimators on synthetic per-trial values with known indices, against a direct two-pass
//! f64 computation of the same formulas, and their standard errors against the spread of the
//! estimates over repeated seeds.

use rand::RngExt;

use super::sums::{Estimate, MAX_VALUE, Sums, SumsError};
use crate::rng::{Purpose, TrialStreams};

/// One trial of a two-input design: (f(A), f(B), [f(A_B^1), f(A_B^2)]).
type Row = (u64, u64, [u64; 2]);

/// `n` trials of a model f(x1, x2) of two independent inputs drawn uniformly from 0..=hi:
/// per trial (a, b, [c1, c2]) with c_i = f on A's inputs with input i taken from B.
fn design(seed: u64, n: u64, hi: u64, f: fn(u64, u64) -> u64) -> Vec<Row> {
    (0..n)
        .map(|t| {
            let s = TrialStreams::new(seed, t);
            let x = |round| s.rng(Purpose::Batch { round }).random_range(0..=hi);
            let (a1, a2, b1, b2) = (x(1), x(2), x(3), x(4));
            (f(a1, a2), f(b1, b2), [f(b1, a2), f(a1, b2)])
        })
        .collect()
}

/// The design's sums, one output and two factors.
fn sums_of(rows: &[Row]) -> Sums {
    let mut sums = Sums::new(1, 2);
    for (a, b, c) in rows {
        sums.add(&[*a], &[*b], c).expect("small values");
    }
    sums
}

/// The same estimators computed the plain way, in two passes over stored values in f64: V from
/// the 2N values about their mean; each index from its mean; its error from the delta method
/// with the gradient written out and the sample covariance of (P or Q, W, U) formed about the
/// means. Returns (first order, total) per factor.
fn direct(rows: &[Row]) -> Vec<(Estimate, Estimate)> {
    let n = rows.len() as f64;
    let mean_of = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / n;
    let mu = mean_of(&|r| (r.0 as f64 + r.1 as f64) / 2.0);
    let v = mean_of(&|r| ((r.0 as f64 - mu).powi(2) + (r.1 as f64 - mu).powi(2)) / 2.0);
    let u = |r: &Row| r.0 as f64 + r.1 as f64;
    let w = |r: &Row| (r.0 as f64).powi(2) + (r.1 as f64).powi(2);
    (0..2)
        .map(|k| {
            let p = |r: &Row| r.1 as f64 * (r.2[k] as f64 - r.0 as f64);
            let q = |r: &Row| (r.0 as f64 - r.2[k] as f64).powi(2);
            // g(X̄, W̄, Ū) = X̄ / (W̄/2 − Ū²/4) · scale, and its gradient.
            let delta = |x: &dyn Fn(&Row) -> f64, scale: f64| {
                let (xm, wm, um) = (mean_of(x), mean_of(&w), mean_of(&u));
                let var = wm / 2.0 - um * um / 4.0;
                let g = [
                    scale / var,
                    -scale * xm / (2.0 * var * var),
                    scale * xm * um / (2.0 * var * var),
                ];
                let centred: Vec<[f64; 3]> = rows
                    .iter()
                    .map(|r| [x(r) - xm, w(r) - wm, u(r) - um])
                    .collect();
                let mut quad = 0.0;
                for i in 0..3 {
                    for j in 0..3 {
                        let cov = centred.iter().map(|c| c[i] * c[j]).sum::<f64>() / (n - 1.0);
                        quad += g[i] * g[j] * cov;
                    }
                }
                Estimate {
                    value: scale * xm / var,
                    se: (quad / n).sqrt(),
                }
            };
            let first = delta(&p, 1.0);
            let total = delta(&q, 0.5);
            // The plain formulas of the module documentation, as a check on `delta` itself.
            assert!((first.value - mean_of(&p) / v).abs() < 1e-9);
            assert!((total.value - mean_of(&q) / (2.0 * v)).abs() < 1e-9);
            (first, total)
        })
        .collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1e-12)
}

/// The streamed integer sums give the direct computation's indices and errors (to 1e-9).
#[test]
fn sums_agree_with_a_direct_two_pass_computation() {
    for (f, what) in [
        ((|x1, x2| x1 + 2 * x2) as fn(u64, u64) -> u64, "additive"),
        (|x1, x2| x1 * x2, "product"),
        (|x1, x2| x1.max(x2) + x1 / 3, "max"),
    ] {
        let rows = design(11, 3000, 1000, f);
        let got = sums_of(&rows).estimates().unwrap()[0].clone().unwrap();
        for (k, (first, total)) in direct(&rows).into_iter().enumerate() {
            for (name, a, b) in [
                ("first", got.first_order[k], first),
                ("total", got.total[k], total),
            ] {
                assert!(
                    close(a.value, b.value, 1e-9),
                    "{what} {name} {k}: {a:?} {b:?}"
                );
                assert!(close(a.se, b.se, 1e-7), "{what} {name} {k}: {a:?} {b:?}");
            }
        }
        let s: f64 = got.first_order.iter().map(|e| e.value).sum();
        assert!(close(got.interactions.value, 1.0 - s, 1e-12));
    }
}

/// f = x1 + 2 x2 with independent inputs of one distribution: S1 = S_T1 = 1/5, S2 = S_T2 =
/// 4/5, nothing left to interactions.
#[test]
fn an_additive_function_has_its_known_shares() {
    let got = sums_of(&design(5, 4000, 10_000, |x1, x2| x1 + 2 * x2))
        .estimates()
        .unwrap()[0]
        .clone()
        .unwrap();
    for (k, truth) in [0.2, 0.8].into_iter().enumerate() {
        for e in [got.first_order[k], got.total[k]] {
            assert!(e.se > 0.0 && e.se < 0.05, "{e:?}");
            assert!(
                (e.value - truth).abs() < 4.0 * e.se,
                "{k}: {e:?} against {truth}"
            );
        }
    }
    assert!(got.interactions.value.abs() < 4.0 * got.interactions.se + 1e-12);
}

/// f = x1 x2 with independent uniforms on 0..=L: S_i = m² / (v + 2m²) and S_Ti = 1 − S_j
/// (m, v the inputs' mean and variance): 3/7 and 4/7 as L grows; a seventh is left to the
/// interaction.
#[test]
fn a_product_has_its_known_interaction() {
    let hi = 1000u64;
    let m = hi as f64 / 2.0;
    let v = ((hi + 1).pow(2) - 1) as f64 / 12.0;
    let s = m * m / (v + 2.0 * m * m);
    let got = sums_of(&design(9, 4000, hi, |x1, x2| x1 * x2))
        .estimates()
        .unwrap()[0]
        .clone()
        .unwrap();
    for k in 0..2 {
        let (first, total) = (got.first_order[k], got.total[k]);
        assert!(
            (first.value - s).abs() < 4.0 * first.se,
            "{first:?} against {s}"
        );
        assert!(
            (total.value - (1.0 - s)).abs() < 4.0 * total.se,
            "{total:?}"
        );
    }
    let left = 1.0 - 2.0 * s;
    assert!((got.interactions.value - left).abs() < 4.0 * got.interactions.se);
    assert!(left > 0.1);
}

/// Over repeated seeds the spread of the estimates is what the delta method says, and the 95%
/// intervals cover the value about 95% of the time.
#[test]
fn standard_errors_match_the_spread_over_seeds() {
    let (reps, n) = (200, 400);
    // f = x1 + x1 x2 / 500 + 2 x2: additive with an interaction; the value each interval should
    // cover is taken from many more trials.
    let f: fn(u64, u64) -> u64 = |x1, x2| x1 + x1 * x2 / 500 + 2 * x2;
    let pick =
        |o: &super::OutputEstimates| [o.first_order[0], o.first_order[1], o.total[0], o.total[1]];
    let estimate = |seed, n| {
        pick(
            &sums_of(&design(seed, n, 1000, f)).estimates().unwrap()[0]
                .clone()
                .unwrap(),
        )
    };
    let truth = estimate(1_000_000, 40_000);
    let runs: Vec<[Estimate; 4]> = (0..reps).map(|rep| estimate(rep, n)).collect();
    for (i, centre) in truth.iter().map(|e| e.value).enumerate() {
        let values: Vec<f64> = runs.iter().map(|r| r[i].value).collect();
        let mean = values.iter().sum::<f64>() / reps as f64;
        let sd =
            (values.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (reps - 1) as f64).sqrt();
        let se = runs.iter().map(|r| r[i].se).sum::<f64>() / reps as f64;
        let covered = runs
            .iter()
            .filter(|r| {
                let (lo, hi) = r[i].ci95();
                lo <= centre && centre <= hi
            })
            .count();
        // 200 replicates: the sd is known to about ±10% (2 sd), the coverage to about ±3%.
        assert!(
            (0.8..1.25).contains(&(se / sd)),
            "index {i}: mean se {se}, sd of the estimates {sd}"
        );
        let coverage = covered as f64 / reps as f64;
        assert!(
            (0.89..=0.99).contains(&coverage),
            "index {i}: coverage {coverage}"
        );
    }
}

/// Sums merge to the same bits in any split and order, so thread count cannot change results.
#[test]
fn sums_merge_exactly_in_any_order() {
    let rows = design(3, 500, 100_000, |x1, x2| x1 * x2 + x1);
    let whole = sums_of(&rows);
    let (left, right) = (sums_of(&rows[..123]), sums_of(&rows[123..]));
    let mut lr = left.clone();
    lr.merge(&right);
    let mut rl = right.clone();
    rl.merge(&left);
    assert_eq!(lr, whole);
    assert_eq!(rl, whole);
    assert_eq!(whole.trials(), 500);
}

/// A constant output has no variance: its indices are undefined (None), never NaN; too few
/// trials likewise; a value past the bound is refused.
#[test]
fn undefined_and_refused() {
    let mut s = Sums::new(2, 1);
    for t in 0..10 {
        s.add(&[7, t], &[7, t + 1], &[7, t]).unwrap();
    }
    let e = s.estimates().unwrap();
    assert!(e[0].is_none(), "a constant output");
    let varies = e[1].as_ref().expect("the second output varies");
    assert!(varies.first_order[0].value.is_finite() && varies.total[0].se.is_finite());
    assert_eq!(
        varies.total[0].value, 0.0,
        "c = a in every trial: no total effect"
    );
    let mut one = Sums::new(1, 1);
    one.add(&[1], &[2], &[3]).unwrap();
    assert!(one.estimates().unwrap()[0].is_none(), "one trial");
    assert_eq!(
        Sums::new(1, 1).add(&[MAX_VALUE + 1], &[0], &[0]),
        Err(SumsError::ValueTooLarge {
            value: MAX_VALUE + 1
        })
    );
    // At the bound itself the sums hold (and stay exact).
    let mut big = Sums::new(1, 1);
    for t in 0..4 {
        big.add(&[MAX_VALUE - t], &[t], &[MAX_VALUE - 2 * t])
            .unwrap();
    }
    let e = big.estimates().unwrap()[0].clone().unwrap();
    assert!(e.first_order[0].value.is_finite() && e.total[0].value > 0.0);
}

/// Which groups a scenario draws from, on the cases where the answer is not a distribution
/// being a point mass: a regime's factor that makes a certain approval random, a fixed batch
/// whose normal a correlated domestic supply still draws, a ratio positive only in a regime,
/// a fixed regime chain, random_priority with one firm, an event outside the horizon.
#[test]
fn drawn_groups_follow_what_can_change() {
    use super::{drawn_groups, unused_because};
    use crate::rng::Group;
    let parse = |text: &str| {
        crate::scenario::parse(std::path::Path::new("t.toml"), text.as_bytes(), &[])
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let base = "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"random_priority\"\n\
                [approval]\nprobability = 1.0\nbatch = 100\n[[firm]]\nname = \"A\"\norders = 50\n";
    let s = parse(base);
    assert_eq!(drawn_groups(&s), []);
    assert_eq!(
        unused_because(&s, Group::Order).as_deref(),
        Some("the scenario has one firm")
    );
    let two = format!("{base}[[firm]]\nname = \"B\"\norders = 50\n");
    assert_eq!(drawn_groups(&parse(&two)), [Group::Order]);
    // A certain approval halved by a regime is random; the fixed chain itself draws nothing.
    let regimes = format!(
        "{base}[regimes]\ninitial = \"calm\"\n[[regime]]\nname = \"calm\"\n\
         approval_factor = 0.5\ntransition = {{ calm = 1.0 }}\n"
    );
    assert_eq!(drawn_groups(&parse(&regimes)), [Group::Approval]);
    let chain = regimes.replace("calm = 1.0 }", "calm = 0.5, calm2 = 0.5 }")
        + "[[regime]]\nname = \"calm2\"\n";
    assert_eq!(
        drawn_groups(&parse(&chain)),
        [Group::Regime, Group::Approval]
    );
    // Domestic supply random with a ratio positive only in a regime; a fixed batch correlated
    // with it is drawn through the copula.
    let domestic = format!(
        "{base}[domestic]\nsupply = {{ dist = \"uniform\", min = 0, max = 80 }}\n\
         [dependence]\nbatch_supply = 0.5\n[regimes]\ninitial = \"r\"\n[[regime]]\nname = \"r\"\n\
         domestic_ratio = 0.5\n"
    );
    assert_eq!(
        drawn_groups(&parse(&domestic)),
        [Group::Batch, Group::Domestic]
    );
    let no_ratio = domestic.replace("domestic_ratio = 0.5\n", "");
    assert_eq!(drawn_groups(&parse(&no_ratio)), []);
    // An event whose window starts past the last round never fires.
    let late = format!(
        "{base}[[event]]\nname = \"e\"\neffect = \"hold\"\nprobability = 0.5\nfrom_round = 3\n"
    );
    assert_eq!(drawn_groups(&parse(&late)), []);
    assert_eq!(
        drawn_groups(&parse(&late.replace("from_round = 3", "from_round = 2"))),
        [Group::Shock]
    );
}
