//! [`NormalMap`]: z -> F^-1(Phi(z)) for the simulation loop, where a correlated input is drawn
//! through the Gaussian copula of MODEL.md ("Dependence").
//!
//! `normal` is exactly mean + sd z and `lognormal` exactly exp(ln median + sigma z); a point
//! mass is its value. `discrete` compares z with the normal quantiles of its cumulative weights,
//! and decides by MODEL.md's rule on Phi(z) itself wherever that comparison could differ from it
//! (|z| > 5, or z within 1e-8 of a threshold), so it is exactly [`Dist::quantile`] of Phi(z).
//!
//! Every other family (uniform, triangular, pert, beta, the truncated normal) has a table.
//! G(z) = F^-1(Phi(z)) is smooth in z even at a bounded support's ends (there Phi's tails are
//! exp(-z^2/2)), so it is interpolated on [-Z, Z], Z = 8.3 (Phi(-Z) = 5e-17), by quintic Hermite
//! pieces between equally spaced knots, from the exact G, G' = phi(z) / f(G) and
//! G'' = G' (-z - G' f'(G) / f(G)) at each knot; z beyond Z is clamped to it (moving at most
//! 5e-17 of probability). The triangular's density has a kink at the mode, so its table has one
//! grid each side of Phi^-1(F(mode)). Each piece is stored as its six polynomial coefficients,
//! so `at` is an index, six loads and five multiply-adds.
//!
//! The table is verified when it is built: at a quarter, half and three quarters of every
//! interval, the exact distribution function of the interpolated value must be within 5e-11 of
//! Phi(z) (or the value within one double of the exact quantile, where the doubles are coarser
//! than that, as near 1 for a beta with a shape below 1). Otherwise the knots are doubled, up
//! to 2048 intervals a grid; past that the map falls back to the exact [`Dist::quantile`] of
//! Phi(z) (microseconds a call). So the map's error is bounded by construction, not by a
//! derivative estimate: |F(at(z)) - Phi(z)| <= 1e-10 for every z (measured in the tests).
//!
//! Hermite interpolation: e.g. Burden and Faires, "Numerical Analysis", §3.4; the quintic's
//! error term is G^(6)(xi) t^3 (1 - t)^3 h^6 / 720, largest mid-interval, where it is checked.

use super::Dist;
use super::quantile::{Inverse, Steps, Tail};
use super::solve::{next_down, next_up};
use super::special::{norm_inv, std_pdf, upper_tail};

/// The table covers z in [-Z, Z]: Phi(-8.3) = 5.2e-17.
const Z: f64 = 8.3;
/// First knot spacing (then halved until the table verifies).
const START_SPACING: f64 = 0.3;
/// Intervals per grid at most, 96 KB of coefficients; past this, the exact fallback.
const MAX_INTERVALS: usize = 2048;
/// The verification's bound on |F(at(z)) - Phi(z)| at its check points, half the promised 1e-10
/// so that the error between check points (smooth, largest mid-interval) stays within it.
const CHECK_TOL: f64 = 5e-11;
/// Where `discrete` decides by thresholds on z: |z| <= this, and at least DISCRETE_MARGIN from
/// each threshold. There rounding moves a threshold by under 1e-9 (Phi's slope is >= 1.5e-6 and
/// its error about 1e-16 absolute), so the decision is the rule's.
const DISCRETE_FAST: f64 = 5.0;
const DISCRETE_MARGIN: f64 = 1e-8;

/// z -> F^-1(Phi(z)) for one distribution, built once (see [`Dist::normal_map`]).
#[derive(Clone, Debug)]
pub struct NormalMap {
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    Point(f64),
    Linear {
        mean: f64,
        sd: f64,
    },
    Exp {
        mu: f64,
        sigma: f64,
    },
    Table(Table),
    Discrete(DiscreteMap),
    /// The table did not verify within [`MAX_INTERVALS`]: the exact inverse on every call.
    Exact {
        inv: Inverse,
        lo: f64,
        hi: f64,
    },
}

impl Dist {
    /// The map z -> F^-1(Phi(z)) of this distribution, for drawing it through a Gaussian copula:
    /// with z standard normal, `normal_map().at(z)` has this distribution, and is a monotone
    /// function of z (so it keeps z's ranks). Built once per model: in microseconds for a
    /// normal, lognormal, fixed or discrete; for the tabulated families (uniform, triangular,
    /// pert, beta, the truncated normal) 120-250 exact quantiles and 400-700 evaluations of the
    /// distribution function for common shapes (0.4-7 ms in the unoptimised test build, much
    /// less in release), up to ~100 times that for a shape that ends in the exact fallback. A
    /// table holds 48 bytes per interval: 112 (5.4 KB) for the shipped pert shapes and
    /// Beta(8, 2), 224 (10.8 KB) for a triangular, a uniform or a truncated normal, up to 2048
    /// per grid for betas with shapes well below 1 ([`NormalMap::heap_bytes`] tells).
    pub fn normal_map(&self) -> NormalMap {
        let inv = self.inverse();
        let kind = match inv {
            Inverse::Point(v) => Kind::Point(v),
            Inverse::Normal { mean, sd } => Kind::Linear { mean, sd },
            Inverse::LogNormal { mu, sigma } => Kind::Exp { mu, sigma },
            Inverse::Discrete(steps) => Kind::Discrete(DiscreteMap::new(steps)),
            inv => match Table::build(&inv) {
                Some(table) => Kind::Table(table),
                None => {
                    let (lo, hi) = inv.support();
                    Kind::Exact { inv, lo, hi }
                }
            },
        };
        NormalMap { kind }
    }
}

impl NormalMap {
    /// F^-1(Phi(z)), within 1e-10 in probability of the exact value for every z (exact for
    /// normal, lognormal, fixed and discrete). Always finite and within the support for
    /// finite or infinite z (a normal's is clamped to +/- f64::MAX as its sampler's is, and the
    /// tables hold z to [-8.3, 8.3]); NaN gives NaN, except for a point mass, which gives its value.
    #[inline]
    pub fn at(&self, z: f64) -> f64 {
        match &self.kind {
            Kind::Table(t) => t.at(z),
            Kind::Point(v) => *v,
            Kind::Linear { mean, sd } => (mean + sd * z).clamp(-f64::MAX, f64::MAX),
            Kind::Exp { mu, sigma } => (mu + sigma * z).exp().clamp(0.0, f64::MAX),
            Kind::Discrete(d) => d.at(z),
            Kind::Exact { inv, lo, hi } => exact(inv, *lo, *hi, z),
        }
    }

    /// How `at` computes: "point", "linear" (normal), "exponential" (lognormal), "table",
    /// "discrete", or "exact" (a table that did not verify: [`Dist::quantile`] on every call).
    pub fn method(&self) -> &'static str {
        match self.kind {
            Kind::Point(_) => "point",
            Kind::Linear { .. } => "linear",
            Kind::Exp { .. } => "exponential",
            Kind::Table(_) => "table",
            Kind::Discrete(_) => "discrete",
            Kind::Exact { .. } => "exact",
        }
    }

    /// Bytes the map holds on the heap: 48 per table interval, 8 per value and threshold of a
    /// discrete, nothing for the rest.
    pub fn heap_bytes(&self) -> usize {
        match &self.kind {
            Kind::Table(t) => std::mem::size_of_val(&*t.coef),
            Kind::Discrete(d) => 8 * (d.thresholds.len() + 3 * d.steps.values().len()),
            _ => 0,
        }
    }
}

/// The exact inverse, for a map whose table did not verify.
#[cold]
#[inline(never)]
fn exact(inv: &Inverse, lo: f64, hi: f64, z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    inv.quantile(Tail::normal(z.clamp(-Z, Z)), None)
        .clamp(lo, hi)
}

/// Quintic pieces on one or two grids (two when a kink splits the range at `split`).
#[derive(Clone, Debug)]
struct Table {
    /// z >= split reads `grids[1]`; +inf (one grid) when both entries are the same grid.
    split: f64,
    grids: [Grid; 2],
    /// Per interval, c0..c5 of c0 + c1 t + ... + c5 t^5, t in [0, 1] across the interval.
    coef: Box<[[f64; 6]]>,
    lo: f64,
    hi: f64,
}

#[derive(Clone, Copy, Debug)]
struct Grid {
    z0: f64,
    /// Intervals per unit of z.
    per_z: f64,
    /// Intervals, as a float (the clamp's upper end) and the last index (signed: see `at`).
    n: f64,
    last: i64,
    /// Where the grid's intervals start in `coef`.
    offset: usize,
}

impl Table {
    #[inline(always)]
    fn at(&self, z: f64) -> f64 {
        let g = &self.grids[usize::from(z >= self.split)];
        // Clamped to the grid (z beyond +/-Z reads its end); NaN stays NaN (and reads index 0).
        let s = ((z - g.z0) * g.per_z).clamp(0.0, g.n);
        // Signed conversions, each one instruction on x86-64 where the unsigned ones take a
        // sequence: s is in [0, n] or NaN (which converts to 0 either way), so the index and
        // t are what they were with usize.
        let i = (s as i64).min(g.last);
        let t = s - i as f64;
        let c = &self.coef[g.offset + i as usize];
        poly(c, t).clamp(self.lo, self.hi)
    }

    fn build(inv: &Inverse) -> Option<Table> {
        let (lo, hi) = inv.support();
        // The triangular's kink, at z = Phi^-1(F(mode)), from whichever tail is the smaller.
        let kink = match *inv {
            Inverse::Triangular { min, mode, max } => {
                let below = (mode - min) / (max - min);
                let above = (max - mode) / (max - min);
                Some(if below <= above {
                    norm_inv(below)
                } else {
                    -norm_inv(above)
                })
            }
            _ => None,
        };
        let (split, pieces) = match kink {
            Some(zm) if zm.abs() < Z - 1.0 => (
                zm,
                vec![
                    (-Z, zm, Side::Left, grid(inv, -Z, zm, Side::Left, lo, hi)?),
                    (zm, Z, Side::Right, grid(inv, zm, Z, Side::Right, lo, hi)?),
                ],
            ),
            // A kink this far out moves less than 1e-15 of probability: one grid, on the side
            // where nearly all the mass is.
            Some(zm) => {
                let side = if zm > 0.0 { Side::Left } else { Side::Right };
                (
                    f64::INFINITY,
                    vec![(-Z, Z, side, grid(inv, -Z, Z, side, lo, hi)?)],
                )
            }
            None => (
                f64::INFINITY,
                vec![(-Z, Z, Side::Left, grid(inv, -Z, Z, Side::Left, lo, hi)?)],
            ),
        };
        let mut coef = Vec::new();
        let mut grids = Vec::new();
        for (za, zb, _, c) in pieces {
            grids.push(Grid {
                z0: za,
                per_z: c.len() as f64 / (zb - za),
                n: c.len() as f64,
                last: c.len() as i64 - 1,
                offset: coef.len(),
            });
            coef.extend(c);
        }
        let second = *grids.last().expect("one grid at least");
        Some(Table {
            split,
            grids: [grids[0], second],
            coef: coef.into(),
            lo,
            hi,
        })
    }
}

/// Which side of the triangular's kink a grid lies on (for the one-sided f'/f there).
#[derive(Clone, Copy, Debug)]
enum Side {
    Left,
    Right,
}

/// G, G' and G'' at one knot.
#[derive(Clone, Copy, Debug)]
struct Knot {
    x: f64,
    d1: f64,
    d2: f64,
}

fn knot(inv: &Inverse, z: f64, side: Side, guess: Option<f64>) -> Knot {
    let x = inv.quantile(Tail::normal(z), guess);
    let left = matches!(side, Side::Left);
    // A density of 0 or infinity at a rounded end of the support: slope 0 there, and the
    // verification judges the result.
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let d1 = finite(std_pdf(z) / inv.density(x));
    let d2 = finite(d1 * (-z - inv.log_density_slope(x, left) * d1));
    Knot { x, d1, d2 }
}

/// The quintic on t in [0, 1] with values, first and second derivatives (per unit of t) k0 and
/// k1 at its ends, as monomial coefficients.
fn coefficients(k0: &Knot, k1: &Knot, h: f64) -> [f64; 6] {
    let (p0, d0, e0) = (k0.x, h * k0.d1, h * h * k0.d2);
    let (p1, d1, e1) = (k1.x, h * k1.d1, h * h * k1.d2);
    // c3 + c4 + c5 = a, 3 c3 + 4 c4 + 5 c5 = b, 6 c3 + 12 c4 + 20 c5 = c.
    let a = p1 - p0 - d0 - 0.5 * e0;
    let b = d1 - d0 - e0;
    let c = e1 - e0;
    [
        p0,
        d0,
        0.5 * e0,
        10.0 * a - 4.0 * b + 0.5 * c,
        -15.0 * a + 7.0 * b - c,
        6.0 * a - 3.0 * b + 0.5 * c,
    ]
}

#[inline(always)]
fn poly(c: &[f64; 6], t: f64) -> f64 {
    c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * (c[4] + t * c[5]))))
}

/// The verified pieces of one grid on [za, zb], or None past [`MAX_INTERVALS`].
fn grid(inv: &Inverse, za: f64, zb: f64, side: Side, lo: f64, hi: f64) -> Option<Vec<[f64; 6]>> {
    let width = zb - za;
    let mut n = ((width / START_SPACING).ceil() as usize).max(2);
    let at_knot = |k: usize, n: usize| za + width * (k as f64 / n as f64);
    let mut knots: Vec<Knot> = Vec::with_capacity(n + 1);
    for k in 0..=n {
        // Start each knot's Newton iteration from the last knot's Taylor polynomial.
        let guess = knots.last().map(|p: &Knot| {
            let h = width / n as f64;
            (p.x + h * p.d1 + 0.5 * h * h * p.d2).clamp(lo, hi)
        });
        knots.push(knot(inv, at_knot(k, n), side, guess));
    }
    loop {
        let h = width / n as f64;
        let pieces: Vec<[f64; 6]> = knots
            .windows(2)
            .map(|w| coefficients(&w[0], &w[1], h))
            .collect();
        if verified(inv, &pieces, za, h, lo, hi) {
            return Some(pieces);
        }
        if 2 * n > MAX_INTERVALS {
            return None;
        }
        let mut finer = Vec::with_capacity(2 * n + 1);
        for (i, c) in pieces.iter().enumerate() {
            finer.push(knots[i]);
            let guess = poly(c, 0.5).clamp(lo, hi);
            finer.push(knot(inv, at_knot(2 * i + 1, 2 * n), side, Some(guess)));
        }
        finer.push(knots[n]);
        knots = finer;
        n *= 2;
    }
}

/// Every interval's quarter, half and three-quarter points within [`CHECK_TOL`] in probability.
fn verified(inv: &Inverse, pieces: &[[f64; 6]], za: f64, h: f64, lo: f64, hi: f64) -> bool {
    pieces.iter().enumerate().all(|(i, c)| {
        [0.25, 0.5, 0.75].into_iter().all(|t| {
            let z = za + (i as f64 + t) * h;
            close_enough(inv, poly(c, t).clamp(lo, hi), Tail::normal(z))
        })
    })
}

/// |F(x) - target| <= CHECK_TOL, or x within one double of the exact quantile (the residual
/// changes sign between x and a neighbour), where the doubles are coarser than that.
fn close_enough(inv: &Inverse, x: f64, target: Tail) -> bool {
    let residual = |x: f64| {
        let (lower, upper) = inv.tails(x);
        if target.upper {
            target.p - upper
        } else {
            lower - target.p
        }
    };
    let r = residual(x);
    r.abs() <= CHECK_TOL
        || (r > 0.0 && residual(next_down(x)) <= 0.0)
        || (r < 0.0 && residual(next_up(x)) >= 0.0)
}

/// A discrete's values with the normal quantiles of their cumulative weights.
#[derive(Clone, Debug)]
struct DiscreteMap {
    /// thresholds[i] = Phi^-1(cumulative weight of values 0..=i over the total), i < n - 1:
    /// z <= thresholds[i] picks value i or a smaller one.
    thresholds: Box<[f64]>,
    values: Box<[f64]>,
    steps: Steps,
}

impl DiscreteMap {
    fn new(steps: Steps) -> DiscreteMap {
        let n = steps.values().len();
        DiscreteMap {
            thresholds: steps.cumulative().take(n - 1).map(norm_inv).collect(),
            values: steps.values().into(),
            steps,
        }
    }

    #[inline]
    fn at(&self, z: f64) -> f64 {
        let k = self.thresholds.partition_point(|&t| t < z);
        let near = |j: usize| {
            self.thresholds
                .get(j)
                .is_some_and(|&t| (z - t).abs() <= DISCRETE_MARGIN)
        };
        if z.abs() <= DISCRETE_FAST && !near(k) && !(k > 0 && near(k - 1)) {
            return self.values[k];
        }
        self.by_rule(z)
    }

    /// MODEL.md's rule on u = Phi(z) itself.
    #[cold]
    #[inline(never)]
    fn by_rule(&self, z: f64) -> f64 {
        if z.is_nan() {
            return f64::NAN;
        }
        self.steps.value_at(upper_tail(-z))
    }
}
