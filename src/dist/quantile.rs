//! The inverse distribution function and the distribution function of every family: MODEL.md
//! ("Dependence") draws a correlated input as F^-1(Phi(z)).
//!
//! [`Dist::quantile`] and [`Dist::cdf`] work from the parameters as written (the samplers are
//! not touched, so no existing draw changes). Each family's inverse:
//!
//! * fixed, uniform, triangular: closed forms; normal and lognormal: Wichura's AS 241
//!   (special.rs, about 1e-16 relative);
//! * beta and pert (min + (max - min) Beta(alpha, beta), MODEL.md's shape 4): the regularised
//!   incomplete beta of incbeta.rs, inverted by the safeguarded Newton iteration of solve.rs;
//! * the truncated normal: its distribution function computed in the tail the interval lies in,
//!   scaled by exp(a^2 / 2) for an interval a sd or more above the mean (so that an interval 40
//!   sd out, whose mass underflows a double, keeps full precision), and by Gauss-Legendre
//!   quadrature over narrow pieces, where a difference of two tail probabilities would cancel;
//!   inverted by the same Newton iteration, in the offset from the near bound;
//! * discrete: MODEL.md's rule, the smallest value (values sorted ascending) whose cumulative
//!   weight reaches u × the sum of weights; values of weight 0 are never chosen (at u = 0 the
//!   smallest value of positive weight, the support's lower end).
//!
//! Probabilities travel as a [`Tail`]: the smaller of P(X <= x) and P(X > x), so that
//! u = 1 - 1e-15 keeps its 15 digits instead of the one left in 1 - u.

use std::f64::consts::FRAC_1_SQRT_2;

use super::incbeta::{beta_pdf, incomplete_beta, ln_beta};
use super::solve::{Point, invert};
use super::special::{erf_pos, erfcx, norm_inv, std_pdf, upper_tail};
use super::{Dist, Shape};

/// A probability in the tail where it is small: P(X <= x) = p, or P(X > x) = p when `upper`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Tail {
    pub(super) p: f64,
    pub(super) upper: bool,
}

impl Tail {
    /// u as a tail (1 - u is exact for u >= 1/2).
    pub(super) fn of(u: f64) -> Tail {
        if u <= 0.5 {
            Tail { p: u, upper: false }
        } else {
            Tail {
                p: 1.0 - u,
                upper: true,
            }
        }
    }

    /// Phi(z) as a tail, from the normal's upper tail function (about 1e-15 relative).
    pub(super) fn normal(z: f64) -> Tail {
        if z <= 0.0 {
            Tail {
                p: upper_tail(-z),
                upper: false,
            }
        } else {
            Tail {
                p: upper_tail(z),
                upper: true,
            }
        }
    }

    fn mirrored(self) -> Tail {
        Tail {
            p: self.p,
            upper: !self.upper,
        }
    }
}

/// What the inverse and the distribution function of one family need, precomputed from its
/// parameters.
#[derive(Clone, Debug)]
pub(super) enum Inverse {
    Point(f64),
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
    Beta(ScaledBeta),
    Normal { mean: f64, sd: f64 },
    LogNormal { mu: f64, sigma: f64 },
    TruncNormal(TruncNormalCdf),
    Discrete(Steps),
}

impl Dist {
    /// The inverse distribution function at probability `u`: the smallest x with F(x) >= u, so
    /// that `quantile(U)` for a uniform U has this distribution. `u = 0` and `u = 1` give the
    /// ends of [`Dist::support`] (infinite for a normal, the upper end of a lognormal or of a
    /// one-sided truncated normal); `u` outside [0, 1] is clamped, NaN gives NaN.
    ///
    /// Continuous families are accurate to |F(quantile(u)) - u| <= 1e-10 for every u (in fact to
    /// about 1e-14 relative in either tail), except where the doubles themselves are too coarse:
    /// then the result is the double whose probability is nearest u (e.g. a beta with shape
    /// beta < 1 puts 7e-9 of probability on the last double below 1). `discrete` follows
    /// MODEL.md's rule exactly. This recomputes the family's constants on every call (hundreds
    /// of nanoseconds; a discrete sorts its values) and a beta or pert takes microseconds: the
    /// simulation loop uses [`Dist::normal_map`].
    pub fn quantile(&self, u: f64) -> f64 {
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(0.0, 1.0);
        match self.inverse() {
            Inverse::Discrete(steps) => steps.value_at(u),
            inv => inv.quantile(Tail::of(u), None),
        }
    }

    /// The distribution function F(x) = P(X <= x), exact to about 1e-15 (1e-14 relative in the
    /// lower tail for beta and pert). NaN gives NaN.
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        self.inverse().tails(x).0
    }

    pub(super) fn inverse(&self) -> Inverse {
        if let Some(v) = self.point_mass() {
            return Inverse::Point(v);
        }
        match &self.shape {
            Shape::Fixed { value } => Inverse::Point(*value),
            Shape::Uniform { min, max } => Inverse::Uniform {
                min: *min,
                max: *max,
            },
            Shape::Triangular { min, mode, max } => Inverse::Triangular {
                min: *min,
                mode: *mode,
                max: *max,
            },
            Shape::Pert { min, mode, max } => {
                // The shapes exactly as pert.rs computes them.
                let range = max - min;
                let alpha = 1.0 + 4.0 * (mode - min) / range;
                let beta = 1.0 + 4.0 * (max - mode) / range;
                Inverse::Beta(ScaledBeta::new(*min, *max, alpha, beta))
            }
            Shape::Normal { mean, sd, min, max } => match (min, max) {
                (None, None) => Inverse::Normal {
                    mean: *mean,
                    sd: *sd,
                },
                _ => Inverse::TruncNormal(TruncNormalCdf::new(
                    *mean,
                    *sd,
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                )),
            },
            Shape::LogNormal { median, sigma } => Inverse::LogNormal {
                mu: median.ln(),
                sigma: *sigma,
            },
            Shape::Beta { alpha, beta } => Inverse::Beta(ScaledBeta::new(0.0, 1.0, *alpha, *beta)),
            Shape::Discrete { values, weights } => Inverse::Discrete(Steps::new(values, weights)),
        }
    }
}

impl Inverse {
    /// Smallest and largest value (as [`Dist::support`]).
    pub(super) fn support(&self) -> (f64, f64) {
        match self {
            Inverse::Point(v) => (*v, *v),
            Inverse::Uniform { min, max } | Inverse::Triangular { min, max, .. } => (*min, *max),
            Inverse::Beta(b) => (b.min, b.max),
            Inverse::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Inverse::LogNormal { .. } => (0.0, f64::INFINITY),
            Inverse::TruncNormal(tn) => (tn.lo, tn.hi),
            Inverse::Discrete(s) => (s.values[0], s.values[s.values.len() - 1]),
        }
    }

    /// (P(X <= x), P(X > x)), each accurate in its own tail.
    pub(super) fn tails(&self, x: f64) -> (f64, f64) {
        match self {
            Inverse::Point(v) => {
                if x >= *v {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                }
            }
            Inverse::Uniform { min, max } => {
                let range = max - min;
                (
                    ((x - min) / range).clamp(0.0, 1.0),
                    ((max - x) / range).clamp(0.0, 1.0),
                )
            }
            &Inverse::Triangular { min, mode, max } => {
                if x <= min {
                    (0.0, 1.0)
                } else if x >= max {
                    (1.0, 0.0)
                } else if x < mode {
                    // 1 - F written as a sum of non-negative terms, so that neither tail
                    // cancels (F = 1 - (1 - x)^2 near 0 for a mode at min, say).
                    let range = max - min;
                    let f = ((x - min) / range) * ((x - min) / (mode - min));
                    let s = ((mode - x) / range) * ((x + mode - 2.0 * min) / (mode - min))
                        + (max - mode) / range;
                    (f, s)
                } else {
                    let range = max - min;
                    let s = ((max - x) / range) * ((max - x) / (max - mode));
                    let f = ((x - mode) / range) * ((2.0 * max - mode - x) / (max - mode))
                        + (mode - min) / range;
                    (f, s)
                }
            }
            Inverse::Beta(b) => b.tails(x),
            &Inverse::Normal { mean, sd } => {
                let t = (x - mean) / sd;
                (upper_tail(-t), upper_tail(t))
            }
            &Inverse::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    return (0.0, 1.0);
                }
                let t = (x.ln() - mu) / sigma;
                (upper_tail(-t), upper_tail(t))
            }
            Inverse::TruncNormal(tn) => tn.tails(x),
            Inverse::Discrete(s) => s.tails(x),
        }
    }

    /// The x at which the tail probability is `t.p`; `guess` (if any) starts the iterative
    /// families. For `discrete`, the rule at u = the lower tail (1 - p for an upper one).
    pub(super) fn quantile(&self, t: Tail, guess: Option<f64>) -> f64 {
        let (lo, hi) = self.support();
        if t.p <= 0.0 {
            return if t.upper { hi } else { lo };
        }
        match self {
            Inverse::Point(v) => *v,
            &Inverse::Uniform { min, max } => {
                let range = max - min;
                let x = if t.upper {
                    max - t.p * range
                } else {
                    min + t.p * range
                };
                x.clamp(min, max)
            }
            &Inverse::Triangular { min, mode, max } => {
                // below = F(mode), above = 1 - F(mode). In the tail the probability is given
                // in, F = (x - min)^2 / ((max - min)(mode - min)) (and its mirror); past the
                // mode, the root of the quadratic in the form r / (1 + sqrt(1 - r)), which
                // does not cancel (the mode at min and p = 1e-300 gives 5e-301, not 0).
                let range = max - min;
                let below = (mode - min) / range;
                let above = (max - mode) / range;
                let past = |r: f64| r / (1.0 + (1.0 - r).max(0.0).sqrt());
                let x = match (t.upper, t.p) {
                    (false, p) if p <= below => min + range * (p * below).sqrt(),
                    (false, p) => mode + (max - mode) * past((p - below) / above),
                    (true, q) if q <= above => max - range * (q * above).sqrt(),
                    (true, q) => mode - (mode - min) * past((q - above) / below),
                };
                x.clamp(min, max)
            }
            Inverse::Beta(b) => b.quantile(t, guess),
            &Inverse::Normal { mean, sd } => {
                let z = norm_inv(t.p);
                if t.upper {
                    mean - sd * z
                } else {
                    mean + sd * z
                }
            }
            &Inverse::LogNormal { mu, sigma } => {
                let z = norm_inv(t.p);
                if t.upper {
                    (mu - sigma * z).exp()
                } else {
                    (mu + sigma * z).exp()
                }
            }
            Inverse::TruncNormal(tn) => tn.quantile(t, guess),
            Inverse::Discrete(s) => s.value_at(if t.upper { 1.0 - t.p } else { t.p }),
        }
    }

    /// The density at x, for the continuous families a [`super::NormalMap`] tabulates.
    pub(super) fn density(&self, x: f64) -> f64 {
        match self {
            Inverse::Uniform { min, max } => 1.0 / (max - min),
            &Inverse::Triangular { min, mode, max } => {
                if x < mode {
                    2.0 * ((x - min) / (max - min)) / (mode - min)
                } else if x > mode {
                    2.0 * ((max - x) / (max - min)) / (max - mode)
                } else {
                    2.0 / (max - min)
                }
            }
            Inverse::Beta(b) => b.density(x),
            Inverse::TruncNormal(tn) => tn.density(x),
            _ => f64::NAN,
        }
    }

    /// d ln f / dx at x; `left` says which side of the triangular's mode (its kink) x is on.
    pub(super) fn log_density_slope(&self, x: f64, left: bool) -> f64 {
        match self {
            Inverse::Uniform { .. } => 0.0,
            // The side is the grid's, not x's: a knot at the kink may round to either side.
            &Inverse::Triangular { min, max, .. } => {
                if left {
                    1.0 / (x - min)
                } else {
                    -1.0 / (max - x)
                }
            }
            Inverse::Beta(b) => b.log_density_slope(x),
            Inverse::TruncNormal(tn) => tn.log_density_slope(x),
            _ => f64::NAN,
        }
    }
}

/// `min + (max - min) × Beta(a, b)`: the plain beta (min 0, max 1) and pert.
#[derive(Clone, Debug)]
pub(super) struct ScaledBeta {
    min: f64,
    range: f64,
    max: f64,
    a: f64,
    b: f64,
    ln_beta: f64,
}

impl ScaledBeta {
    fn new(min: f64, max: f64, a: f64, b: f64) -> ScaledBeta {
        ScaledBeta {
            min,
            range: max - min,
            max,
            a,
            b,
            ln_beta: ln_beta(a, b),
        }
    }

    /// (y, 1 - y) in [0, 1] for x, each from its own end, so that both are accurate.
    fn unit(&self, x: f64) -> (f64, f64) {
        (
            ((x - self.min) / self.range).clamp(0.0, 1.0),
            ((self.max - x) / self.range).clamp(0.0, 1.0),
        )
    }

    fn tails(&self, x: f64) -> (f64, f64) {
        let (y, yc) = self.unit(x);
        incomplete_beta(y, yc, self.a, self.b)
    }

    fn density(&self, x: f64) -> f64 {
        let (y, yc) = self.unit(x);
        beta_pdf(y, yc, self.a, self.b) / self.range
    }

    fn log_density_slope(&self, x: f64) -> f64 {
        let (y, yc) = self.unit(x);
        let term = |shape: f64, v: f64| if shape == 1.0 { 0.0 } else { (shape - 1.0) / v };
        (term(self.a, y) - term(self.b, yc)) / self.range
    }

    fn quantile(&self, t: Tail, guess: Option<f64>) -> f64 {
        let (a, b) = (self.a, self.b);
        let start = match guess {
            Some(x) => self.unit(x).0,
            None => self.guess(t),
        };
        let y = invert(t.p, t.upper, 0.0, 1.0, start, |y| {
            let yc = 1.0 - y;
            let (lower, upper) = incomplete_beta(y, yc, a, b);
            Point {
                lower,
                upper,
                density: beta_pdf(y, yc, a, b),
            }
        });
        (self.min + self.range * y).clamp(self.min, self.max)
    }

    /// A start for Newton: the leading term of a tail, F(y) ~ y^a / (a B(a, b)) near 0 and
    /// 1 - F(y) ~ (1 - y)^b / (b B(a, b)) near 1, or the mean.
    fn guess(&self, t: Tail) -> f64 {
        let (a, b) = (self.a, self.b);
        let mean = a / (a + b);
        if t.upper {
            let yc = ((t.p.ln() + b.ln() + self.ln_beta) / b).exp();
            if yc < 1.0 - mean {
                return 1.0 - yc;
            }
        } else {
            let y = ((t.p.ln() + a.ln() + self.ln_beta) / a).exp();
            if y < mean {
                return y;
            }
        }
        mean
    }
}

/// Gauss-Legendre nodes and weights on [-1, 1], 16 points (the positive half): the roots of
/// P_16 refined in 40-digit arithmetic with mpmath from numpy's `leggauss(16)`; they agree
/// with Abramowitz and Stegun, Table 25.4.
#[allow(clippy::excessive_precision)]
const GAUSS_LEGENDRE_16: [(f64, f64); 8] = [
    (0.095_012_509_837_637_44, 0.189_450_610_455_068_5),
    (0.281_603_550_779_258_91, 0.182_603_415_044_923_59),
    (0.458_016_777_657_227_39, 0.169_156_519_395_002_54),
    (0.617_876_244_402_643_75, 0.149_595_988_816_576_73),
    (0.755_404_408_355_003_03, 0.124_628_971_255_533_87),
    (0.865_631_202_387_831_74, 0.095_158_511_682_492_785),
    (0.944_575_023_073_232_58, 0.062_253_523_938_647_893),
    (0.989_400_934_991_649_93, 0.027_152_459_411_754_095),
];

/// The normal(mean, sd) conditioned on [lo, hi], in standard units mirrored (when the interval
/// lies below the mean, or has no lower end) so that it is [a, a + w] with the near bound a
/// finite, and measured by the offset v = s - a from it.
#[derive(Clone, Debug)]
pub(super) struct TruncNormalCdf {
    sd: f64,
    lo: f64,
    hi: f64,
    flip: bool,
    a: f64,
    w: f64,
    /// a >= 0: every integral is scaled by exp(a^2 / 2), so a far tail's mass stays representable.
    scaled: bool,
    mass: f64,
    /// The near bound when (bound - mean) / sd overflows, as for the sampler: all mass there.
    point: Option<f64>,
}

impl TruncNormalCdf {
    fn new(mean: f64, sd: f64, lo: f64, hi: f64) -> TruncNormalCdf {
        let a0 = (lo - mean) / sd;
        let b0 = (hi - mean) / sd;
        let flip = lo == f64::NEG_INFINITY || b0 <= 0.0;
        let a = if flip { -b0 } else { a0 };
        let w = (hi - lo) / sd;
        let mut tn = TruncNormalCdf {
            sd,
            lo,
            hi,
            flip,
            a,
            w,
            scaled: a >= 0.0,
            mass: 1.0,
            point: (a == f64::INFINITY).then_some(if flip { hi } else { lo }),
        };
        if tn.point.is_none() {
            tn.mass = tn.integral(0.0, w);
        }
        tn
    }

    /// The density at offset v, times exp(a^2 / 2) when scaled.
    fn g(&self, v: f64) -> f64 {
        if self.scaled {
            const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
            // exp(-((a + v)^2 - a^2) / 2) with no large squares.
            FRAC_1_SQRT_2PI * (-(v * self.a + 0.5 * v * v)).exp()
        } else {
            std_pdf(self.a + v)
        }
    }

    /// Q(a + v), times exp(a^2 / 2) when scaled.
    fn q(&self, v: f64) -> f64 {
        if v == f64::INFINITY {
            0.0
        } else if self.scaled {
            0.5 * erfcx((self.a + v) * FRAC_1_SQRT_2) * (-(v * self.a + 0.5 * v * v)).exp()
        } else {
            upper_tail(self.a + v)
        }
    }

    /// The (scaled) normal mass between offsets v1 <= v2. A narrow piece, where two tail
    /// probabilities would cancel, is integrated by 16-point Gauss-Legendre: there the
    /// integrand's exponent changes by at most 1.5, so the rule is exact to double precision.
    fn integral(&self, v1: f64, v2: f64) -> f64 {
        if v2 <= v1 {
            return 0.0;
        }
        let (s1, s2) = (self.a + v1, self.a + v2);
        if (v2 - v1) * s1.abs().max(s2.abs()).max(1.0) <= 1.0 {
            let half = 0.5 * (v2 - v1);
            let mid = v1 + half;
            let sum: f64 = GAUSS_LEGENDRE_16
                .iter()
                .map(|&(x, w)| w * (self.g(mid - half * x) + self.g(mid + half * x)))
                .sum();
            return half * sum;
        }
        // Otherwise the two terms differ by a factor e or more: no cancellation worth the name.
        if s1 >= 0.0 {
            self.q(v1) - self.q(v2)
        } else if s2 <= 0.0 {
            upper_tail(-s2) - upper_tail(-s1)
        } else {
            0.5 * (erf_pos(s2 * FRAC_1_SQRT_2) + erf_pos(-s1 * FRAC_1_SQRT_2))
        }
    }

    /// (F, 1 - F) at offset v, in the mirrored coordinate.
    fn offset_tails(&self, v: f64) -> (f64, f64) {
        let v = v.clamp(0.0, self.w);
        (
            (self.integral(0.0, v) / self.mass).min(1.0),
            (self.integral(v, self.w) / self.mass).min(1.0),
        )
    }

    fn offset(&self, x: f64) -> f64 {
        let v = if self.flip {
            (self.hi - x) / self.sd
        } else {
            (x - self.lo) / self.sd
        };
        v.clamp(0.0, self.w)
    }

    fn tails(&self, x: f64) -> (f64, f64) {
        if let Some(p) = self.point {
            return if x >= p { (1.0, 0.0) } else { (0.0, 1.0) };
        }
        let (f, s) = self.offset_tails(self.offset(x));
        if self.flip { (s, f) } else { (f, s) }
    }

    fn density(&self, x: f64) -> f64 {
        self.g(self.offset(x)) / self.mass / self.sd
    }

    fn log_density_slope(&self, x: f64) -> f64 {
        let s = self.a + self.offset(x);
        if self.flip { s / self.sd } else { -s / self.sd }
    }

    fn quantile(&self, t: Tail, guess: Option<f64>) -> f64 {
        if let Some(p) = self.point {
            return p;
        }
        let t = if self.flip { t.mirrored() } else { t };
        let start = match guess {
            Some(x) => self.offset(x),
            None => self.guess(t),
        };
        let v = invert(t.p, t.upper, 0.0, self.w, start, |v| {
            let (lower, upper) = self.offset_tails(v);
            Point {
                lower,
                upper,
                density: self.g(v) / self.mass,
            }
        });
        let x = if self.flip {
            self.hi - self.sd * v
        } else {
            self.lo + self.sd * v
        };
        x.clamp(self.lo, self.hi)
    }

    /// A start for Newton: far out (a >= 3), the exponential of rate a that Robert's sampler
    /// proposes from; nearer the mean, the normal's own quantile.
    fn guess(&self, t: Tail) -> f64 {
        let (a, w) = (self.a, self.w);
        let v = if a >= 3.0 {
            let far = (-a * w).exp();
            let c = -(-a * w).exp_m1();
            if t.upper {
                -(t.p * c + far).ln() / a
            } else {
                -(-t.p * c).ln_1p() / a
            }
        } else {
            let mass = if self.scaled {
                self.mass * (-0.5 * a * a).exp()
            } else {
                self.mass
            };
            let s = if t.upper {
                -norm_inv(upper_tail(a + w) + t.p * mass)
            } else {
                norm_inv(upper_tail(-a) + t.p * mass)
            };
            s - a
        };
        if v.is_finite() { v.clamp(0.0, w) } else { 1.0 }
    }
}

/// A discrete distribution's values of positive weight, sorted ascending, with cumulative weights.
#[derive(Clone, Debug)]
pub(super) struct Steps {
    values: Box<[f64]>,
    cum: Box<[f64]>,
    total: f64,
}

impl Steps {
    fn new(values: &[f64], weights: &[f64]) -> Steps {
        let mut pairs: Vec<(f64, f64)> = values
            .iter()
            .zip(weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(v, w)| (*v, *w))
            .collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut total = 0.0;
        let cum = pairs
            .iter()
            .map(|(_, w)| {
                total += w;
                total
            })
            .collect();
        Steps {
            values: pairs.iter().map(|(v, _)| *v).collect(),
            cum,
            total,
        }
    }

    /// MODEL.md's rule: the smallest value whose cumulative weight reaches u × the total.
    pub(super) fn value_at(&self, u: f64) -> f64 {
        let target = u * self.total;
        let i = self.cum.partition_point(|&c| c < target);
        self.values[i.min(self.values.len() - 1)]
    }

    fn tails(&self, x: f64) -> (f64, f64) {
        let k = self.values.partition_point(|&v| v <= x);
        if k == 0 {
            return (0.0, 1.0);
        }
        let below = self.cum[k - 1];
        (below / self.total, (self.total - below) / self.total)
    }

    pub(super) fn values(&self) -> &[f64] {
        &self.values
    }

    /// The cumulative weights over the total, one per value.
    pub(super) fn cumulative(&self) -> impl Iterator<Item = f64> + '_ {
        self.cum.iter().map(|c| c / self.total)
    }
}
