//! The estimators of variance-based importance, streamed from exact integer sums.
//!
//! For each output (a firm's or the total's value of one metric) and each factor i, trial t
//! gives three integers: `a = f(A_t)`, `b = f(B_t)` and `c = f(A_B^i_t)` (A's inputs with
//! factor i's taken from B). With `V` the variance of f over the 2N values of A and B:
//!
//! - first order, Saltelli, Annoni, Azzini, Campolongo, Ratto and Tarantola (2010), "Variance
//!   based sensitivity analysis of model output. Design and estimator for the total sensitivity
//!   index", Comput. Phys. Commun. 181, 259–270, Table 2 (b): `S_i = mean(b (c − a)) / V`;
//! - total, Jansen (1999), "Analysis of variance designs for model output", Comput. Phys.
//!   Commun. 117, 35–43: `S_Ti = mean((a − c)^2) / (2V)`.
//!
//! Per trial, `U = a + b`, `W = a^2 + b^2`, `P = b (c − a)`, `Q = (a − c)^2`; then
//! `V = mean(W)/2 − mean(U)^2/4` (the variance of the 2N values, divided by 2N), and each index
//! is a smooth function of the means of (P or Q, W, U). Its standard error is the delta method's
//! (Casella and Berger, Statistical Inference, 2nd ed., §5.5.4): `sqrt(g' Σ g / N)`, `g` the
//! gradient at the means and `Σ` the sample covariance of the per-trial vectors. The share left
//! to interactions, `1 − Σ_i S_i`, is the same function of `Σ_i P_i`, so it gets its own error.
//!
//! Every sum is of integers (units, or a fill rate in parts per billion), kept exactly in 512
//! bits and merged by addition, so the result does not depend on the order trials were added in
//! or on how they were split between threads. The centred moments (`N Σxy − Σx Σy`, and the
//! variance of the combination of W and U that the gradient weighs) are formed exactly in
//! integers too; f64 enters only in the last divisions.
//!
//! Bounds: a value is at most [`MAX_VALUE`] = 2^56, so per trial |P|, Q, W < 2^113 and the sum
//! of P over at most [`MAX_FACTORS`] factors < 2^123; a product of two of them < 2^246; over at
//! most 2^40 trials (`MAX_TRIALS` is 10^12) a sum < 2^286; the products of sums in the centred
//! moments < 2^410 and the combination of them < 2^415: all below 2^511. A larger value is
//! refused ([`SumsError::ValueTooLarge`]); overflow is still checked everywhere and reported.

use super::wide::{Acc, I512};

/// The largest metric value the sums admit (2^56, about 7.2 × 10^16 units: far above any chip
/// count a scenario can produce, whose per-firm orders are at most 10^12).
pub const MAX_VALUE: u64 = 1 << 56;

/// The most factors one analysis may have (the bound on the sum of P).
pub const MAX_FACTORS: usize = 1024;

/// Why the sums could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumsError {
    /// A metric value above [`MAX_VALUE`].
    #[error(
        "a value of {value} is too large for the exact importance sums (at most 2^56 = {MAX_VALUE})"
    )]
    ValueTooLarge {
        /// The value met.
        value: u64,
    },
    /// A sum or product did not fit in 512 bits (the bounds say this cannot happen).
    #[error("an importance sum overflowed 512 bits")]
    Overflow,
}

/// One index's estimate and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its standard error by the delta method, >= 0.
    pub se: f64,
}

impl Estimate {
    /// The 95% interval, value ± 1.96 se (normal approximation; not clipped to [0, 1]).
    pub fn ci95(&self) -> (f64, f64) {
        let half = 1.959_963_984_540_054 * self.se;
        (self.value - half, self.value + half)
    }
}

/// One output's estimates, when its variance is positive.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputEstimates {
    /// The mean of f over the 2N values of A and B.
    pub mean: f64,
    /// V, the variance of f over the 2N values of A and B (divided by 2N).
    pub variance: f64,
    /// Each factor's first-order index, in factor order.
    pub first_order: Vec<Estimate>,
    /// Each factor's total index, in factor order.
    pub total: Vec<Estimate>,
    /// `1 − Σ S_i`: the share of V that no factor explains alone (interactions, up to the
    /// estimates' noise).
    pub interactions: Estimate,
}

/// The sums of one output that every factor shares: running ([`Acc`]), or their totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct OutputSums<T = Acc> {
    u: T,
    w: T,
    uu: T,
    ww: T,
    uw: T,
    /// Of the sum of P over the factors.
    s: T,
    ss: T,
    su: T,
    sw: T,
}

impl OutputSums {
    /// Every sum's total; None when one does not fit in 512 bits.
    fn totals(&self) -> Option<OutputSums<I512>> {
        Some(OutputSums {
            u: self.u.total()?,
            w: self.w.total()?,
            uu: self.uu.total()?,
            ww: self.ww.total()?,
            uw: self.uw.total()?,
            s: self.s.total()?,
            ss: self.ss.total()?,
            su: self.su.total()?,
            sw: self.sw.total()?,
        })
    }
}

/// Adds `x`, `x²`, `x·u` and `x·w` to the four sums of one index ([`FactorSums`]' P or Q
/// ones, or the sums of P over the factors); false on overflow.
#[inline(always)]
fn with_moments([sx, sxx, sxu, sxw]: [&mut Acc; 4], x: i128, u: i128, w: i128) -> bool {
    sx.add(x) & sxx.add_product(x, x) & sxu.add_product(x, u) & sxw.add_product(x, w)
}

/// The sums of one output and one factor: running ([`Acc`]), or their totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FactorSums<T = Acc> {
    p: T,
    pp: T,
    pu: T,
    pw: T,
    q: T,
    qq: T,
    qu: T,
    qw: T,
}

impl FactorSums {
    /// Every sum's total; None when one does not fit in 512 bits.
    fn totals(&self) -> Option<FactorSums<I512>> {
        Some(FactorSums {
            p: self.p.total()?,
            pp: self.pp.total()?,
            pu: self.pu.total()?,
            pw: self.pw.total()?,
            q: self.q.total()?,
            qq: self.qq.total()?,
            qu: self.qu.total()?,
            qw: self.qw.total()?,
        })
    }
}

/// The exact sums of an importance analysis: `outputs` outputs × `factors` factors, over the
/// trials added so far. Sums merge by addition, in any order, to the same bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sums {
    factors: usize,
    n: u64,
    outputs: Vec<OutputSums>,
    /// Output-major: output y's factor k at `y * factors + k`.
    cells: Vec<FactorSums>,
    overflow: bool,
}

impl Sums {
    /// Empty sums for `outputs` outputs and `factors` factors (at most [`MAX_FACTORS`]).
    pub fn new(outputs: usize, factors: usize) -> Sums {
        assert!(factors <= MAX_FACTORS, "{factors} factors");
        Sums {
            factors,
            n: 0,
            outputs: vec![OutputSums::default(); outputs],
            cells: vec![FactorSums::default(); outputs * factors],
            overflow: false,
        }
    }

    /// Trials added so far.
    pub fn trials(&self) -> u64 {
        self.n
    }

    /// Adds one trial: `a[y]` and `b[y]` the values of output y in A and B, `c[k * outputs + y]`
    /// its value in A_B^k.
    pub fn add(&mut self, a: &[u64], b: &[u64], c: &[u64]) -> Result<(), SumsError> {
        let outputs = self.outputs.len();
        debug_assert_eq!(a.len(), outputs);
        debug_assert_eq!(b.len(), outputs);
        debug_assert_eq!(c.len(), outputs * self.factors);
        if let Some(&value) = a.iter().chain(b).chain(c).find(|&&v| v > MAX_VALUE) {
            return Err(SumsError::ValueTooLarge { value });
        }
        // Each term into its sum's 128-bit part while that holds it (chip counts and rates in
        // parts per billion are far below 2^63, so nearly always), exactly as one 512-bit sum.
        let mut ok = true;
        for y in 0..outputs {
            let (a, b) = (i128::from(a[y]), i128::from(b[y]));
            let u = a + b;
            let w = a * a + b * b;
            let mut s: i128 = 0;
            for k in 0..self.factors {
                let c = i128::from(c[k * outputs + y]);
                let (p, q) = (b * (c - a), (a - c) * (a - c));
                if q == 0 {
                    // c = a: the factor changed nothing in this trial; P and Q add nothing.
                    continue;
                }
                s += p;
                let cell = &mut self.cells[y * self.factors + k];
                ok &= with_moments(
                    [&mut cell.p, &mut cell.pp, &mut cell.pu, &mut cell.pw],
                    p,
                    u,
                    w,
                );
                ok &= with_moments(
                    [&mut cell.q, &mut cell.qq, &mut cell.qu, &mut cell.qw],
                    q,
                    u,
                    w,
                );
            }
            let o = &mut self.outputs[y];
            ok &= o.u.add(u);
            ok &= o.w.add(w);
            ok &= o.uu.add_product(u, u);
            ok &= o.ww.add_product(w, w);
            ok &= o.uw.add_product(u, w);
            ok &= with_moments([&mut o.s, &mut o.ss, &mut o.su, &mut o.sw], s, u, w);
        }
        self.overflow |= !ok;
        self.n += 1;
        Ok(())
    }

    /// Adds `other`'s trials (sums of the same shape).
    pub fn merge(&mut self, other: &Sums) {
        assert_eq!(
            (self.outputs.len(), self.factors),
            (other.outputs.len(), other.factors)
        );
        let mut ok = true;
        let mut add = |acc: &mut Acc, v: Acc| ok &= acc.merge(&v);
        for (o, p) in self.outputs.iter_mut().zip(&other.outputs) {
            for (x, y) in [
                (&mut o.u, p.u),
                (&mut o.w, p.w),
                (&mut o.uu, p.uu),
                (&mut o.ww, p.ww),
                (&mut o.uw, p.uw),
                (&mut o.s, p.s),
                (&mut o.ss, p.ss),
                (&mut o.su, p.su),
                (&mut o.sw, p.sw),
            ] {
                add(x, y);
            }
        }
        for (c, d) in self.cells.iter_mut().zip(&other.cells) {
            for (x, y) in [
                (&mut c.p, d.p),
                (&mut c.pp, d.pp),
                (&mut c.pu, d.pu),
                (&mut c.pw, d.pw),
                (&mut c.q, d.q),
                (&mut c.qq, d.qq),
                (&mut c.qu, d.qu),
                (&mut c.qw, d.qw),
            ] {
                add(x, y);
            }
        }
        self.overflow |= other.overflow || !ok;
        self.n += other.n;
    }

    /// Each output's estimates, None where they are undefined: its variance over A and B is 0
    /// (every one of the 2N values equal), or fewer than 2 trials were added.
    pub fn estimates(&self) -> Result<Vec<Option<OutputEstimates>>, SumsError> {
        if self.overflow {
            return Err(SumsError::Overflow);
        }
        (0..self.outputs.len())
            .map(|y| self.output(y).ok_or(SumsError::Overflow))
            .collect()
    }

    /// Output y's estimates (inner None: undefined); outer None on overflow.
    fn output(&self, y: usize) -> Option<Option<OutputEstimates>> {
        let o = self.outputs[y].totals()?;
        let n = I512::from_i128(i128::from(self.n));
        let mul = |a: I512, b: I512| a.checked_mul(b);
        // N Σxy − Σx Σy: N(N − 1) times the sample covariance.
        let centred = |xy: I512, x: I512, yy: I512| mul(n, xy)?.checked_sub(mul(x, yy)?);
        // D = 2N ΣW − (ΣU)^2 = 4N^2 V.
        let d = mul(mul(n, I512::from_i128(2))?, o.w)?.checked_sub(mul(o.u, o.u)?)?;
        if self.n < 2 || d.is_zero() || d.is_negative() {
            return Some(None);
        }
        let c_ww = centred(o.ww, o.w, o.w)?;
        let c_uu = centred(o.uu, o.u, o.u)?;
        let c_uw = centred(o.uw, o.u, o.w)?;
        // Z_t = N W_t − ΣU U_t carries the gradient's weight on W and U together (their two
        // terms cancel to the spread of f, not its level); K_ZZ = N(N − 1) var(Z).
        let two_n_u = mul(mul(n, I512::from_i128(2))?, o.u)?;
        let k_zz = mul(mul(n, n)?, c_ww)?
            .checked_sub(mul(two_n_u, c_uw)?)?
            .checked_add(mul(mul(o.u, o.u)?, c_uu)?)?;
        let nf = self.n as f64;
        let df = d.to_f64();
        // An index of the form 4N ΣX / D (X = P for the first order): its value and its error.
        let index = |x: I512, xx: I512, xu: I512, xw: I512| -> Option<Estimate> {
            let c_xx = centred(xx, x, x)?;
            let k_xz =
                mul(n, centred(xw, x, o.w)?)?.checked_sub(mul(o.u, centred(xu, x, o.u)?)?)?;
            let r = x.to_f64() / df;
            let spread =
                (c_xx.to_f64() - 4.0 * r * k_xz.to_f64() + 4.0 * r * r * k_zz.to_f64()) / df / df;
            Some(Estimate {
                value: 4.0 * nf * r,
                se: (16.0 * nf * nf / (nf - 1.0) * spread.max(0.0)).sqrt(),
            })
        };
        let cells = &self.cells[y * self.factors..(y + 1) * self.factors];
        let mut first_order = Vec::with_capacity(self.factors);
        let mut total = Vec::with_capacity(self.factors);
        for c in cells {
            let c = c.totals()?;
            first_order.push(index(c.p, c.pp, c.pu, c.pw)?);
            // S_T = 2N ΣQ / D: half the index of the form above.
            let t = index(c.q, c.qq, c.qu, c.qw)?;
            total.push(Estimate {
                value: t.value / 2.0,
                se: t.se / 2.0,
            });
        }
        let s = index(o.s, o.ss, o.su, o.sw)?;
        Some(Some(OutputEstimates {
            mean: o.u.to_f64() / (2.0 * nf),
            variance: df / (4.0 * nf * nf),
            first_order,
            total,
            interactions: Estimate {
                value: 1.0 - s.value,
                se: s.se,
            },
        }))
    }
}
