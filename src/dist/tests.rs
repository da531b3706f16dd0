//! Test helpers shared by the distributions' tests (specs, draws, the statistical checks), and
//! the tests of what every family shares: point masses, descriptions, reproducible draws.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use super::{Dist, DistSpec};

pub(super) fn rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

pub(super) fn spec(dist: &str) -> DistSpec {
    DistSpec {
        dist: dist.into(),
        ..DistSpec::default()
    }
}

pub(super) fn tri(min: f64, mode: f64, max: f64) -> DistSpec {
    DistSpec {
        min: Some(min),
        mode: Some(mode),
        max: Some(max),
        ..spec("triangular")
    }
}

pub(super) fn normal(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> DistSpec {
    DistSpec {
        mean: Some(mean),
        sd: Some(sd),
        min,
        max,
        ..spec("normal")
    }
}

pub(super) fn discrete(values: &[f64], weights: &[f64]) -> DistSpec {
    DistSpec {
        values: Some(values.to_vec()),
        weights: Some(weights.to_vec()),
        ..spec("discrete")
    }
}

/// Checks that `s` is rejected for `param` with exactly `message`.
pub(super) fn bad(s: &DistSpec, param: &str, message: &str) {
    let e = Dist::from_spec(s).expect_err("spec should be rejected");
    assert_eq!(e.param(), param, "{e}");
    assert_eq!(e.to_string(), message);
}

// ---- point masses and description ----

#[test]
fn degenerate_parameters_are_point_masses() {
    let u = DistSpec {
        min: Some(3.0),
        max: Some(3.0),
        ..spec("uniform")
    };
    let p = DistSpec {
        dist: "pert".into(),
        ..tri(3.0, 3.0, 3.0)
    };
    let ln = DistSpec {
        median: Some(3.0),
        sigma: Some(0.0),
        ..spec("lognormal")
    };
    let mut r = rng(1);
    for s in [u, tri(3.0, 3.0, 3.0), p, ln] {
        let d = Dist::from_spec(&s).unwrap();
        assert_eq!(d.support(), (3.0, 3.0));
        for _ in 0..100 {
            assert_eq!(d.sample(&mut r), 3.0);
        }
    }
    let d = Dist::fixed(7.5).unwrap();
    assert_eq!((d.sample(&mut r), d.support()), (7.5, (7.5, 7.5)));
}

#[test]
fn describes_parameters() {
    let d = Dist::from_spec(&tri(300000.0, 400000.0, 500000.0)).unwrap();
    assert_eq!(
        d.describe(),
        "triangular(min 300000, mode 400000, max 500000)"
    );
    let d = Dist::from_spec(&normal(10.0, 2.5, Some(0.0), None)).unwrap();
    assert_eq!(d.describe(), "normal(mean 10, sd 2.5, min 0)");
    let d = Dist::from_spec(&discrete(&[1.0, 2.0], &[0.25, 0.75])).unwrap();
    assert_eq!(
        d.describe(),
        "discrete(values [1, 2], weights [0.25, 0.75])"
    );
    assert_eq!(Dist::fixed(0.5).unwrap().describe(), "fixed(value 0.5)");
}

pub(super) const N: usize = 200_000;

/// Draws `n` values, asserting each lies within the support.
pub(super) fn draws(d: &Dist, seed: u64, n: usize) -> Vec<f64> {
    let (lo, hi) = d.support();
    let mut r = rng(seed);
    (0..n)
        .map(|_| {
            let x = d.sample(&mut r);
            assert!(
                x.is_finite() && lo <= x && x <= hi,
                "{x} outside [{lo}, {hi}] for {}",
                d.describe()
            );
            x
        })
        .collect()
}

/// Sample mean within 4 standard errors (from the exact sd) of the exact mean.
pub(super) fn assert_mean(d: &Dist, xs: &[f64], exact_mean: f64, exact_sd: f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let se = exact_sd / n.sqrt();
    assert!(
        (mean - exact_mean).abs() <= 4.0 * se,
        "{}: sample mean {mean} vs exact {exact_mean} (4 SE = {})",
        d.describe(),
        4.0 * se
    );
}

/// Sample variance within `rel` of the exact variance.
pub(super) fn assert_var(d: &Dist, xs: &[f64], exact_var: f64, rel: f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    assert!(
        ((var - exact_var) / exact_var).abs() <= rel,
        "{}: sample variance {var} vs exact {exact_var}",
        d.describe()
    );
}

/// Kolmogorov-Smirnov statistic below 1.95 / sqrt(n) (p about 0.001).
pub(super) fn assert_ks(d: &Dist, mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let mut dmax: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        let f = cdf(x);
        dmax = dmax.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
    }
    let crit = 1.95 / n.sqrt();
    assert!(dmax < crit, "{}: KS D = {dmax} >= {crit}", d.describe());
}

#[test]
fn same_seed_same_draws() {
    let specs = [
        tri(0.0, 1.0, 3.0),
        normal(0.0, 1.0, Some(4.0), Some(6.0)),
        normal(0.0, 1.0, Some(1.0), Some(2.0)),
        discrete(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]),
    ];
    for s in specs {
        let d = Dist::from_spec(&s).unwrap();
        let (mut r1, mut r2) = (rng(99), rng(99));
        let a: Vec<u64> = (0..1000).map(|_| d.sample(&mut r1).to_bits()).collect();
        let b: Vec<u64> = (0..1000).map(|_| d.sample(&mut r2).to_bits()).collect();
        assert_eq!(a, b, "{}", d.describe());
        let mut r3 = rng(100);
        let c: Vec<u64> = (0..1000).map(|_| d.sample(&mut r3).to_bits()).collect();
        assert_ne!(a, c);
    }
}
