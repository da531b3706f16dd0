//! The normal distribution, and the normal truncated to [min, max].
//!
//! The sampler works in standard units z = (x - mean) / sd on [a, b]. If the interval lies wholly
//! below 0 it is mirrored, so that every tail handled below is an upper tail and every CDF value
//! used is a small upper-tail probability (computed directly, never as 1 - something). Three
//! regimes, chosen once at construction:
//!
//! * the interval holds at least half the mass: plain rejection from the untruncated normal
//!   (at most two ziggurat draws on average, much cheaper than an inverse CDF);
//! * a moderate interval (lower end below TAIL_START): inverse CDF on [Q(b), Q(a)] with the
//!   upper-tail function Q, or on [Phi(a), Phi(b)] when the interval straddles 0;
//! * a far tail (a >= TAIL_START): the exponential rejection sampler of C. P. Robert, "Simulation
//!   of truncated normal variables", Statistics and Computing 5 (1995) 121-125, with the
//!   proposal truncated to the interval's width. It draws the offset from the bound, so it stays
//!   exact however far out the interval is, where Q(a) would underflow.
//!
//! Two degenerate cases are caught first: a bound so many sd out that (bound - mean) / sd
//! overflows (a point mass at that bound), and an interval so narrow that the density is flat
//! across it to 1e-12 (uniform). Every draw is finally clamped to [min, max].

use std::f64::consts::FRAC_1_SQRT_2;

use rand::Rng;
use rand_distr::{Distribution, Exp1, Normal, Open01, StandardNormal, StandardUniform};

use super::special::{erf_pos, norm_inv, upper_tail};
use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn normal(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> Dist {
        let shape = Shape::Normal { mean, sd, min, max };
        if min.is_none() && max.is_none() {
            return Dist {
                shape,
                sampler: Sampler::Normal(Normal::new(mean, sd).expect("sd checked finite")),
                lo: f64::NEG_INFINITY,
                hi: f64::INFINITY,
            };
        }
        let tn = TruncNormal::new(
            mean,
            sd,
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        Dist {
            shape,
            lo: tn.lo,
            hi: tn.hi,
            sampler: Sampler::TruncNormal(tn),
        }
    }
}

/// From this much mass in the interval up, plain rejection from the full normal is used.
const REJECT_MASS: f64 = 0.5;
/// From here on the interval is a far tail for Robert's sampler: its one-sided acceptance rate
/// is 0.96 at a = 3 and rises with a, while the inverse CDF would need ever smaller Q(a).
const TAIL_START: f64 = 3.0;
/// Rejection with mass >= 1/2 fails this often with probability <= 2^-64; then the exact inverse
/// CDF finishes the draw, so the loop is bounded without biasing the result.
const MAX_REJECTIONS: u32 = 64;

#[derive(Clone, Debug)]
pub(super) struct TruncNormal {
    mean: f64,
    sd: f64,
    /// The bounds in the user's units (infinite when absent).
    pub(super) lo: f64,
    pub(super) hi: f64,
    /// The standardised interval was mirrored: z' = -z, and the near bound is `hi`.
    flip: bool,
    method: TnMethod,
}

#[derive(Clone, Copy, Debug)]
enum TnMethod {
    /// The standardised interval is so far out that the whole mass sits at `x`.
    Point(f64),
    /// So narrow that the density varies by under 1e-12 across it: uniform on [lo, hi]. The
    /// inverse CDF would otherwise be limited by the spacing of doubles near its base.
    Flat,
    /// Rejection on the unmirrored standardised interval [a, b].
    Reject {
        a: f64,
        b: f64,
        inv: InverseCdf,
    },
    Inverse(InverseCdf),
    /// Robert's sampler on the offset t = z' - a in [0, w]: proposal rate `lambda`, optimal point
    /// of the acceptance ratio `d` (= lambda - a), `c` = 1 - exp(-lambda w), and `slack` the
    /// squared distance from `d` to the interval so the ratio peaks at exactly 1.
    Tail {
        lambda: f64,
        d: f64,
        c: f64,
        w: f64,
        slack: f64,
    },
}

/// z' = +/- Phi^{-1}(base + U * width), U uniform on (0, 1).
#[derive(Clone, Copy, Debug)]
struct InverseCdf {
    base: f64,
    width: f64,
    /// base and width are upper-tail probabilities Q, so the quantile is negated.
    upper: bool,
}

impl InverseCdf {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        // base + width can round to 1 when the interval reaches +infinity; the quantile of 1 is
        // infinite, so stay strictly inside (0, 1).
        let p = (self.base + self.width * u).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
        let z = norm_inv(p);
        if self.upper { -z } else { z }
    }
}

impl TruncNormal {
    /// `lo < hi` (either may be infinite), `sd > 0`, all finite where given.
    fn new(mean: f64, sd: f64, lo: f64, hi: f64) -> TruncNormal {
        let a0 = (lo - mean) / sd;
        let b0 = (hi - mean) / sd;
        let flip = b0 <= 0.0;
        let (a, b) = if flip { (-b0, -a0) } else { (a0, b0) };
        let w = (hi - lo) / sd;
        let mid = a + 0.5 * w;
        let method = if a == f64::INFINITY {
            // (near bound - mean) / sd overflowed: the mass is within rounding of the near bound.
            TnMethod::Point(if flip { hi } else { lo })
        } else if w < 1e-6 && mid.abs() * w < 1e-12 {
            TnMethod::Flat
        } else if a >= TAIL_START {
            let d = 2.0 / (a + a.hypot(2.0));
            let lambda = a + d;
            let c = if w.is_finite() {
                -(-lambda * w).exp_m1()
            } else {
                1.0
            };
            let m = d.min(w);
            TnMethod::Tail {
                lambda,
                d,
                c,
                w,
                slack: (m - d) * (m - d),
            }
        } else {
            let (inv, mass) = if a >= 0.0 {
                let qa = upper_tail(a);
                let qb = upper_tail(b);
                let inv = InverseCdf {
                    base: qb,
                    width: qa - qb,
                    upper: true,
                };
                (inv, qa - qb)
            } else {
                // erf(b) + erf(|a|) adds two positive terms, so even a narrow interval around 0
                // gets its mass without cancellation.
                let mass = 0.5 * (erf_pos(b * FRAC_1_SQRT_2) + erf_pos(-a * FRAC_1_SQRT_2));
                let inv = InverseCdf {
                    base: upper_tail(-a),
                    width: mass,
                    upper: false,
                };
                (inv, mass)
            };
            if mass >= REJECT_MASS {
                TnMethod::Reject { a: a0, b: b0, inv }
            } else {
                TnMethod::Inverse(inv)
            }
        };
        TruncNormal {
            mean,
            sd,
            lo,
            hi,
            flip,
            method,
        }
    }

    #[inline]
    fn unstandardize(&self, z: f64) -> f64 {
        let z = if self.flip { -z } else { z };
        self.mean + self.sd * z
    }

    #[inline]
    pub(super) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self.method {
            TnMethod::Point(x) => x,
            TnMethod::Flat => {
                let u: f64 = StandardUniform.sample(rng);
                self.lo + (self.hi - self.lo) * u
            }
            TnMethod::Reject { a, b, inv } => {
                let mut tries = 0;
                loop {
                    let z: f64 = StandardNormal.sample(rng);
                    if a <= z && z <= b {
                        break self.mean + self.sd * z;
                    }
                    tries += 1;
                    if tries == MAX_REJECTIONS {
                        break self.unstandardize(inv.sample(rng));
                    }
                }
            }
            TnMethod::Inverse(inv) => self.unstandardize(inv.sample(rng)),
            TnMethod::Tail {
                lambda,
                d,
                c,
                w,
                slack,
            } => {
                let t = loop {
                    // Inverse CDF of the exponential truncated to [0, w]; u < 1 keeps it finite.
                    let u: f64 = StandardUniform.sample(rng);
                    let t = (-(-u * c).ln_1p() / lambda).min(w);
                    let e: f64 = Exp1.sample(rng);
                    // Accept with probability exp(-((t - d)^2 - slack) / 2) (Robert 1995).
                    if 2.0 * e >= (t - d) * (t - d) - slack {
                        break t;
                    }
                };
                // Offset from the near bound, so a bound far from the mean loses no precision.
                if self.flip {
                    self.hi - self.sd * t
                } else {
                    self.lo + self.sd * t
                }
            }
        };
        x.clamp(self.lo, self.hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::tests::{N, assert_ks, assert_mean, assert_var, draws, normal, rng};

    #[test]
    fn normal_statistics() {
        let d = Dist::from_spec(&normal(50.0, 10.0, None, None)).unwrap();
        assert_eq!(d.support(), (f64::NEG_INFINITY, f64::INFINITY));
        let xs = draws(&d, 17, N);
        assert_mean(&d, &xs, 50.0, 10.0);
        assert_var(&d, &xs, 100.0, 0.02);
        assert_ks(&d, xs, |x| 1.0 - upper_tail((x - 50.0) / 10.0));
    }

    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

    fn std_pdf(z: f64) -> f64 {
        FRAC_1_SQRT_2PI * (-0.5 * z * z).exp()
    }

    /// Exact CDF, mean and sd of the normal(mean, sd) conditioned on [lo, hi].
    fn tn_exact(mean: f64, sd: f64, lo: f64, hi: f64) -> (impl Fn(f64) -> f64, f64, f64) {
        let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
        // Upper-tail form when the interval is right of 0, so the test itself stays accurate.
        let g = move |z: f64| {
            if a >= 0.0 {
                -upper_tail(z)
            } else {
                1.0 - upper_tail(z)
            }
        };
        let mass = g(b) - g(a);
        let pdf = |z: f64| if z.is_finite() { std_pdf(z) } else { 0.0 };
        let za = |z: f64| if z.is_finite() { z * std_pdf(z) } else { 0.0 };
        let ez = (pdf(a) - pdf(b)) / mass;
        let var = 1.0 + (za(a) - za(b)) / mass - ez * ez;
        let cdf = move |x: f64| (g((x - mean) / sd) - g(a)) / mass;
        (cdf, mean + sd * ez, sd * var.sqrt())
    }

    fn regime(d: &Dist) -> &'static str {
        match &d.sampler {
            Sampler::TruncNormal(tn) => match tn.method {
                TnMethod::Point(_) => "point",
                TnMethod::Flat => "flat",
                TnMethod::Reject { .. } => "reject",
                TnMethod::Inverse(_) => "inverse",
                TnMethod::Tail { .. } => "tail",
            },
            _ => "not truncated",
        }
    }

    fn check_truncated(
        mean: f64,
        sd: f64,
        lo: Option<f64>,
        hi: Option<f64>,
        seed: u64,
        want_regime: &str,
    ) {
        let d = Dist::from_spec(&normal(mean, sd, lo, hi)).unwrap();
        assert_eq!(regime(&d), want_regime, "{}", d.describe());
        let (lo, hi) = (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY));
        assert_eq!(d.support(), (lo, hi));
        let (cdf, m, s) = tn_exact(mean, sd, lo, hi);
        let xs = draws(&d, seed, N);
        assert_mean(&d, &xs, m, s);
        assert_var(&d, &xs, s * s, 0.03);
        assert_ks(&d, xs, cdf);
    }

    #[test]
    fn truncated_normal_central_interval() {
        // Most of the mass: the rejection regime.
        check_truncated(100.0, 20.0, Some(80.0), Some(150.0), 21, "reject");
        check_truncated(100.0, 20.0, Some(60.0), None, 22, "reject");
    }

    #[test]
    fn truncated_normal_moderate_intervals() {
        // Inverse-CDF regime: an upper interval, a lower (mirrored) one and one straddling the mean.
        check_truncated(0.0, 1.0, Some(1.0), Some(2.5), 23, "inverse");
        check_truncated(0.0, 1.0, None, Some(-1.5), 24, "inverse");
        check_truncated(5.0, 2.0, Some(4.8), Some(5.5), 25, "inverse");
    }

    #[test]
    fn truncated_normal_far_tails() {
        // Robert's regime, including intervals whose mass underflows a double.
        check_truncated(0.0, 1.0, Some(4.0), Some(6.0), 26, "tail");
        check_truncated(10.0, 1.0, Some(4.0), Some(6.0), 27, "tail");
        check_truncated(0.0, 1.0, Some(8.0), None, 28, "tail");
        let d = Dist::from_spec(&normal(0.0, 1.0, Some(50.0), Some(50.5))).unwrap();
        // Check against the asymptotic series E[z] = a + 1/a - 2/a^3 + 10/a^5 + O(a^-7) and
        // sd = 1/a + O(a^-3) (the upper end at 50.5 cuts off exp(-25) of the mass).
        let series = 50.0 + 1.0 / 50.0 - 2.0 / 50f64.powi(3) + 10.0 / 50f64.powi(5);
        let xs = draws(&d, 29, N);
        assert_mean(&d, &xs, series, 1.0 / 50.0);
    }

    #[test]
    fn truncated_normal_inverse_fallback_is_exact() {
        // The bounded-rejection fallback of the central regime, exercised directly.
        let (mean, sd, lo, hi) = (100.0, 20.0, 80.0, 150.0);
        let d = Dist::from_spec(&normal(mean, sd, Some(lo), Some(hi))).unwrap();
        let Sampler::TruncNormal(tn) = &d.sampler else {
            panic!("not truncated")
        };
        let TnMethod::Reject { inv, .. } = tn.method else {
            panic!("expected the rejection regime")
        };
        let mut r = rng(30);
        let xs: Vec<f64> = (0..N)
            .map(|_| tn.unstandardize(inv.sample(&mut r)))
            .collect();
        assert!(xs.iter().all(|&x| (lo - 1e-9..=hi + 1e-9).contains(&x)));
        let (cdf, _, _) = tn_exact(mean, sd, lo, hi);
        assert_ks(&d, xs, cdf);
    }

    #[test]
    fn truncated_normal_extremes_stay_in_bounds() {
        let cases = [
            normal(0.0, 1.0, Some(1e6), None),
            normal(0.0, 1.0, None, Some(-1e300)),
            normal(0.0, 1e-300, Some(1.0), Some(2.0)),
            normal(1e20, 1.0, Some(1.0), Some(2.0)),
            normal(0.0, 1.0, Some(40.0), Some(40.000_000_1)),
            normal(0.0, 1.0, Some(-1e-12), Some(1e-12)),
            normal(0.0, 1e300, Some(-1.0), Some(1.0)),
        ];
        for s in cases {
            draws(&Dist::from_spec(&s).unwrap(), 31, 2_000);
        }
    }
}
