//! Beta(a, b) with a, b >= 1 by rejection from a piecewise-constant envelope on equal-width
//! strips: the table method of Devroye (1986), "Non-Uniform Random Variate Generation", VIII.2,
//! with Walker's (1977) alias method to pick a strip.
//!
//! For such shapes the density is bounded and unimodal, so on each of [`STRIPS`] strips of
//! [0, 1] its supremum is at the mode or at an end, and its infimum at an end. A draw picks a
//! strip with probability proportional to its supremum, a uniform point in it, and a uniform
//! height under the supremum; it is accepted when the height is under the infimum (the squeeze,
//! decided from the tables alone) or else under the density itself, which needs two logarithms
//! and an exponential. Rejection from a true envelope is exact whatever the envelope, so the
//! tables only decide the cost: three 64-bit draws and about 1% density evaluations for the
//! shapes of PERT and conversion rates, against two Gamma draws (four 64-bit draws, a division
//! and a cube) for the Gamma ratio.
//!
//! Bounds are widened by a relative 10^-12, far above the rounding error of evaluating the
//! density, so that rounding can never make the envelope dip under the density.

use std::sync::Arc;

use rand::Rng;

/// Strips of [0, 1]: enough that most draws are decided by the squeeze, few enough that the
/// tables (32 bytes a strip) stay in cache beside a scenario's dozen distributions.
pub(super) const STRIPS: usize = 256;
const STRIP_BITS: u32 = STRIPS.trailing_zeros();
// Strip indices are stored as u8, and picked by the top bits of a draw.
const _: () = assert!(STRIPS <= 256 && STRIPS.is_power_of_two());

/// Below this share of draws accepted by the squeeze, a shape is too peaked for the strips
/// (e.g. Beta(10^5, 10^5), which lies within one strip) and the Gamma ratio is used instead.
const MIN_SQUEEZE: f64 = 0.9;

/// Margin that keeps the envelope above, and the squeeze below, the computed density.
const MARGIN: f64 = 1e-12;

#[derive(Clone, Copy, Debug, Default)]
struct Strip {
    /// Alias method: a 53-bit uniform (as an integer) below `keep` (the probability of keeping
    /// this strip, times 2^53) picks `pick[0]`, this strip; otherwise `pick[1]`, its alias.
    /// Indexing by the comparison rather than branching on it: for some strips the alias is
    /// taken about as often as not, and the branch was the most mispredicted in a trial.
    keep: u64,
    pick: [u8; 2],
    /// Supremum of the density on the strip (relative to its value at the mode).
    high: f64,
    /// Infimum over supremum: heights below `squeeze * high` are accepted at once.
    squeeze: f64,
}

/// The tables of one Beta(a, b).
#[derive(Clone, Debug)]
pub(super) struct Strips {
    a1: f64,
    b1: f64,
    /// ln of the density at the mode, up to the normalising constant, which cancels.
    ln_peak: f64,
    /// Per strip, its `keep` in the low bits and its alias above [`ALIAS_SHIFT`]: 2 KB, read
    /// first, apart from the `[squeeze, high]` of the strip then picked. A draw waits on these
    /// two loads, and a trial draws from a dozen distributions: in 32-byte strips their tables
    /// (8 KB each) did not stay in the core's first-level cache.
    ///
    /// Shared, never changed once built: a scenario's copies (a model's, a sweep point's) share
    /// one 6 KB table a distribution instead of copying it, which was some 120 KB a point of a
    /// baseline sweep (the plan's scenario and its model).
    alias: Arc<[u64; STRIPS]>,
    shape: Arc<[[f64; 2]; STRIPS]>,
}

/// Where a strip's alias sits in its entry of [`Strips::alias`], above `keep` (at most 2^53).
const ALIAS_SHIFT: u32 = 56;
const KEEP_MASK: u64 = (1 << ALIAS_SHIFT) - 1;

impl Strips {
    /// Tables for Beta(alpha, beta), or `None` when a shape is below 1 (the density is then
    /// unbounded), not finite, or too peaked for the strips.
    pub(super) fn new(alpha: f64, beta: f64) -> Option<Strips> {
        if !(alpha.is_finite() && beta.is_finite() && alpha >= 1.0 && beta >= 1.0) {
            return None;
        }
        let (a1, b1) = (alpha - 1.0, beta - 1.0);
        let mode = if a1 + b1 > 0.0 { a1 / (a1 + b1) } else { 0.5 };
        let (mut alias, mut shape) = (Box::new([0; STRIPS]), Box::new([[0.0; 2]; STRIPS]));
        let mut s = Strips {
            a1,
            b1,
            ln_peak: 0.0,
            // Placeholders until the tables below are built.
            alias: Arc::new([0; STRIPS]),
            shape: Arc::new([[0.0; 2]; STRIPS]),
        };
        s.ln_peak = s.ln_density(mode);
        let width = 1.0 / STRIPS as f64;
        let mut strips = [Strip::default(); STRIPS];
        let (mut sum_high, mut sum_low) = (0.0, 0.0);
        for (k, strip) in strips.iter_mut().enumerate() {
            let (lo_x, hi_x) = (k as f64 * width, (k + 1) as f64 * width);
            let (f_lo, f_hi) = (s.density(lo_x), s.density(hi_x));
            let high = if (lo_x..=hi_x).contains(&mode) {
                1.0
            } else {
                f_lo.max(f_hi)
            };
            let low = f_lo.min(f_hi);
            strip.high = (high * (1.0 + MARGIN)).min(1.0 + MARGIN);
            strip.squeeze = if strip.high > 0.0 {
                low * (1.0 - MARGIN) / strip.high
            } else {
                0.0
            };
            sum_high += strip.high;
            sum_low += low;
        }
        if !(sum_high > 0.0 && sum_low / sum_high >= MIN_SQUEEZE) {
            return None;
        }
        alias_table(&mut strips, sum_high);
        for (k, strip) in strips.iter().enumerate() {
            debug_assert!(strip.keep <= 1 << 53 && usize::from(strip.pick[0]) == k);
            alias[k] = strip.keep | (u64::from(strip.pick[1]) << ALIAS_SHIFT);
            shape[k] = [strip.squeeze, strip.high];
        }
        s.alias = Arc::from(alias);
        s.shape = Arc::from(shape);
        Some(s)
    }

    /// ln of the density at `x` less its value at the mode (so at most 0, up to rounding).
    #[inline]
    fn ln_density(&self, x: f64) -> f64 {
        // A zero exponent contributes nothing, even where the logarithm is infinite.
        let left = if self.a1 == 0.0 {
            0.0
        } else {
            self.a1 * x.ln()
        };
        let right = if self.b1 == 0.0 {
            0.0
        } else {
            self.b1 * (1.0 - x).ln()
        };
        left + right - self.ln_peak
    }

    fn density(&self, x: f64) -> f64 {
        self.ln_density(x).exp()
    }

    /// Strip `k` as built (for tests of the tables).
    #[cfg(test)]
    fn strip(&self, k: usize) -> Strip {
        let entry = self.alias[k];
        Strip {
            keep: entry & KEEP_MASK,
            pick: [k as u8, (entry >> ALIAS_SHIFT) as u8],
            squeeze: self.shape[k][0],
            high: self.shape[k][1],
        }
    }

    /// One draw in [0, 1).
    #[inline(always)]
    pub(super) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let width = 1.0 / STRIPS as f64;
        loop {
            // The top bits pick a strip, the 53 bits below them decide the alias.
            let u = rng.next_u64();
            let this = (u >> (64 - STRIP_BITS)) as usize;
            let entry = self.alias[this];
            let coin = (u << STRIP_BITS) >> 11;
            let k = [this, (entry >> ALIAS_SHIFT) as usize][usize::from(coin >= entry & KEEP_MASK)];
            let [squeeze, high] = self.shape[k];
            let x = (k as f64 + unit(rng.next_u64())) * width;
            let height = unit(rng.next_u64());
            if height < squeeze || height * high <= self.density(x) {
                return x;
            }
        }
    }
}

/// The top 53 bits of `bits` as a multiple of 2^-53 in [0, 1).
#[inline]
fn unit(bits: u64) -> f64 {
    // Through i64: one instruction, where u64 to f64 takes several on x86-64 (exact either
    // way, as 53 bits fit).
    ((bits >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Walker's alias table (Vose's 1991 construction) for picking strip k with probability
/// `high_k / total`: fills every strip's `keep` and `pick`.
fn alias_table(strips: &mut [Strip; STRIPS], total: f64) {
    let n = STRIPS;
    let mut scaled: Vec<f64> = strips.iter().map(|s| s.high * n as f64 / total).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&k| scaled[k] < 1.0);
    let mut keep = [1.0; STRIPS];
    let mut alias: [usize; STRIPS] = std::array::from_fn(|k| k);
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        keep[s] = scaled[s];
        alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // What is left holds probability 1 up to rounding, and keeps itself (keep 1, its own alias).
    for (k, strip) in strips.iter_mut().enumerate() {
        // For an integer c, c < keep × 2^53 exactly when c < ceil(keep × 2^53), and scaling by
        // a power of two is exact, so this is the comparison of the uniform with `keep`.
        strip.keep = (keep[k].clamp(0.0, 1.0) * (1u64 << 53) as f64).ceil() as u64;
        strip.pick = [k as u8, alias[k] as u8];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::exact::{incomplete_beta, ks};
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn the_alias_table_gives_each_strip_its_share() {
        let s = Strips::new(8.0, 2.0).expect("Beta(8, 2) uses strips");
        let strips: Vec<Strip> = (0..STRIPS).map(|k| s.strip(k)).collect();
        let total: f64 = strips.iter().map(|s| s.high).sum();
        let mut share = vec![0.0; STRIPS];
        for (k, strip) in strips.iter().enumerate() {
            let keep = strip.keep as f64 / (1u64 << 53) as f64;
            assert_eq!(usize::from(strip.pick[0]), k);
            share[k] += keep / STRIPS as f64;
            share[usize::from(strip.pick[1])] += (1.0 - keep) / STRIPS as f64;
        }
        for (k, strip) in strips.iter().enumerate() {
            assert!(
                (share[k] - strip.high / total).abs() < 1e-12,
                "strip {k}: {} against {}",
                share[k],
                strip.high / total
            );
        }
    }

    #[test]
    fn the_envelope_covers_the_density_and_the_squeeze_stays_under_it() {
        for (a, b) in [(8.0, 2.0), (1.0, 1.0), (1.0, 5.0), (5.0, 1.0), (2.3, 3.7)] {
            let s = Strips::new(a, b).expect("shapes >= 1 use strips");
            for (k, strip) in (0..STRIPS).map(|k| (k, s.strip(k))) {
                for i in 0..=64 {
                    let x = (k as f64 + i as f64 / 64.0) / STRIPS as f64;
                    let f = s.density(x);
                    assert!(f <= strip.high, "Beta({a}, {b}) above the envelope at {x}");
                    assert!(
                        strip.squeeze * strip.high <= f,
                        "Beta({a}, {b}) under the squeeze at {x}"
                    );
                }
            }
        }
    }

    #[test]
    fn unbounded_or_too_peaked_shapes_are_left_to_the_gamma_ratio() {
        assert!(Strips::new(0.5, 2.0).is_none());
        assert!(Strips::new(2.0, 0.99).is_none());
        assert!(Strips::new(1e5, 1e5).is_none());
        assert!(Strips::new(f64::INFINITY, 2.0).is_none());
        assert!(Strips::new(60.0, 40.0).is_some());
    }

    #[test]
    fn strip_draws_follow_the_exact_distribution() {
        // 10^6 draws per shape pair; the KS critical value at p = 0.001 is 1.95 / √n. The pairs
        // cover conversion rates (8, 2), PERT shapes in [1, 5] (including the flat and the
        // edge-peaked ends), and a narrow shape near the strips' limit.
        let n = 1_000_000;
        for (i, (a, b)) in [
            (8.0, 2.0),
            (1.0, 1.0),
            (1.0, 5.0),
            (5.0, 1.0),
            (7.0 / 3.0, 11.0 / 3.0),
            (60.0, 40.0),
        ]
        .into_iter()
        .enumerate()
        {
            let s = Strips::new(a, b).expect("these shapes use strips");
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(2000 + i as u64);
            let draws: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
            assert!(
                draws.iter().all(|d| (0.0..1.0).contains(d)),
                "Beta({a}, {b}) left [0, 1)"
            );
            let d = ks(draws, |x| incomplete_beta(x, a, b));
            assert!(
                d < 1.95 / (n as f64).sqrt(),
                "Beta({a}, {b}): KS statistic {d}"
            );
        }
    }
}
