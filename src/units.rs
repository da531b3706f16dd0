//! Chip counts and the real-to-unit conversions of MODEL.md ("Units").

/// A whole number of chips.
pub type Units = u64;

/// The largest chip count a distribution may produce (10^12, a thousand times the world's
/// yearly accelerator output): draws of unbounded distributions are capped here, which keeps
/// every sum of counts far from overflowing.
pub const MAX_UNITS: Units = 1_000_000_000_000;

/// Relative tolerance within which a real counts as the integer next to it (MODEL.md "Units").
const TOLERANCE: f64 = 1e-9;

/// Past this, every f64 is an integer, and the conversions below need no rounding.
const INTEGRAL_FROM: f64 = 9_007_199_254_740_992.0; // 2^53

/// Whether `x` lies within the tolerance of the integer `n` (at most 2^53 + 1).
#[inline]
fn near(x: f64, n: u64) -> bool {
    (x - small_to_f64(n)).abs() <= TOLERANCE * x.abs().max(1.0)
}

// Conversions between f64 and u64 of values known to be below 2^63. Through i64 they are one
// instruction each on x86-64; as u64 they are a compare, a branch and a fix-up (and showed in
// profiles, as the model converts a few hundred values per trial).

/// A chip count as f64 (the nearest f64 beyond 2^53).
#[inline]
pub fn units_f64(u: Units) -> f64 {
    if u < 1 << 63 {
        small_to_f64(u)
    } else {
        u as f64
    }
}

/// `x` truncated.
///
/// `as` would also saturate out-of-range values and map NaN to 0: five more instructions on
/// each of the ~80 conversions of a trial, for values that every caller in this module has just
/// checked to lie in range.
///
/// # Safety
///
/// `x` must be finite with `0 <= x < 2^63` (NaN and infinities excluded), so that its
/// truncation fits in an `i64`; any other `x` is undefined behaviour.
#[inline]
unsafe fn small_to_units(x: f64) -> Units {
    debug_assert!((0.0..9.223_372_036_854_776e18).contains(&x));
    // SAFETY: the caller promises a finite 0 <= x < 2^63, whose truncation fits in an i64
    // (the contract of `f64::to_int_unchecked`).
    unsafe { x.to_int_unchecked::<i64>() as Units }
}

/// `n` as f64, for n < 2^63.
#[inline]
fn small_to_f64(n: u64) -> f64 {
    debug_assert!(n < 1 << 63);
    n as i64 as f64
}

/// `floor(x)` in units, where a value within 1e-9 × max(1, |x|) of an integer counts as that
/// integer first (so 0.07 × 100 floors to 7), clamped at 0 and saturating at `Units::MAX`.
#[inline]
pub fn floor_units(x: f64) -> Units {
    // Written with truncation rather than f64::floor, which is a libm call on baseline x86-64
    // and showed in profiles; for 0 < x < 2^53 truncation is floor and x - trunc(x) is exact.
    if x > 0.0 && x < FAST_BELOW {
        // SAFETY: 0 < x < 2^23, so x is finite and below 2^63.
        let t = unsafe { small_to_units(x) };
        // Further than 0.01 below t + 1 is further than the tolerance: the common case.
        if x - small_to_f64(t) < 0.99 || !near(x, t + 1) {
            return t;
        }
        return t + 1;
    }
    floor_by_tolerance(x)
}

/// [`floor_units`] by the tolerance test alone, for every `x`.
fn floor_by_tolerance(x: f64) -> Units {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= INTEGRAL_FROM {
        return x as Units;
    }
    // SAFETY: x is not NaN and 0 < x < 2^53 by the returns above, so finite and below 2^63.
    let t = unsafe { small_to_units(x) };
    if near(x, t + 1) { t + 1 } else { t }
}

/// Below this, the tolerance of [`near`] is under 0.01 (1e-9 × 2^23 < 0.0084), so a value
/// whose fraction is between 0.01 and 0.99 is near no integer: a compare instead of the test.
const FAST_BELOW: f64 = 8_388_608.0; // 2^23

/// `ceil(x)` in units, with the same tolerance as [`floor_units`] (so 0.07 × 100 ceils to 7).
#[inline]
pub fn ceil_units(x: f64) -> Units {
    if x > 0.0 && x < FAST_BELOW {
        // SAFETY: 0 < x < 2^23, so x is finite and below 2^63.
        let t = unsafe { small_to_units(x) };
        let fraction = x - small_to_f64(t);
        if fraction > 0.01 || (fraction > 0.0 && !near(x, t)) {
            return t + 1;
        }
        return t;
    }
    ceil_by_tolerance(x)
}

/// [`ceil_units`] by the tolerance test alone, for every `x`.
fn ceil_by_tolerance(x: f64) -> Units {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= INTEGRAL_FROM {
        return x as Units;
    }
    // SAFETY: x is not NaN and 0 < x < 2^53 by the returns above, so finite and below 2^63.
    let t = unsafe { small_to_units(x) };
    if x == small_to_f64(t) || near(x, t) {
        t
    } else {
        t + 1
    }
}

/// `x` rounded to the nearest unit, halves away from zero, then clamped at 0 (orders, batches,
/// domestic supply) and at [`MAX_UNITS`].
#[inline]
pub fn round_units(x: f64) -> Units {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= MAX_UNITS as f64 {
        return MAX_UNITS;
    }
    // SAFETY: x is not NaN and 0 < x < 10^12 by the returns above, so finite and below 2^63.
    let t = unsafe { small_to_units(x) };
    // Added rather than branched on: the fraction of a draw is as likely above a half as
    // below, so a branch here was mispredicted half the time.
    t + Units::from(x - small_to_f64(t) >= 0.5)
}

/// A 64-bit divisor with its reciprocal, for exact quotients and remainders without the
/// integer divide instruction: that takes 14 to 45 cycles here and is not pipelined, while the
/// allocation rules and the fill rates divide several times per firm and round.
#[derive(Clone, Copy, Debug)]
pub struct Divisor {
    d: u64,
    inv: f64,
}

impl Divisor {
    /// `d` must be positive.
    #[inline]
    pub fn new(d: u64) -> Divisor {
        debug_assert!(d > 0, "division by zero");
        Divisor {
            d,
            inv: 1.0 / d as f64,
        }
    }

    /// `(n / d, n % d)`, exactly.
    #[inline]
    pub fn div_rem(self, n: u64) -> (u64, u64) {
        let estimate = units_f64(n) * self.inv;
        // Three roundings of relative size 2^-53 put the estimate within 2^-51·q + 1 of
        // q = n / d: below 2^52 the corrections run at most three times, and n - estimate·d
        // lies within (-3d, 4d), which a 64-bit signed integer holds for d below 2^61. The
        // arithmetic wraps, but its result is exact modulo 2^64 and so exact. Chip counts are
        // far below these bounds.
        if estimate >= 4_503_599_627_370_496.0 || self.d >= 1 << 61 {
            return (n / self.d, n % self.d);
        }
        let d = self.d as i64;
        // SAFETY: n >= 0 and inv = 1/d > 0 are finite, so the estimate is finite and
        // non-negative, and the check above puts it below 2^52 < 2^63.
        let mut q = unsafe { small_to_units(estimate) };
        let mut r = n.wrapping_sub(q.wrapping_mul(self.d)) as i64;
        while r < 0 {
            q -= 1;
            r += d;
        }
        while r >= d {
            q += 1;
            r -= d;
        }
        (q, r as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn divisor_matches_integer_division(n: u64, d in 1u64..) {
            prop_assert_eq!(Divisor::new(d).div_rem(n), (n / d, n % d));
        }

        #[test]
        fn divisor_matches_on_realistic_sizes(n in 0u64..1u64 << 50, d in 1u64..1u64 << 40) {
            prop_assert_eq!(Divisor::new(d).div_rem(n), (n / d, n % d));
        }

        /// The fast paths of floor and ceil agree with the tolerance test itself, on values at,
        /// just inside and just outside the tolerance of an integer, and on either side of
        /// where the fast paths end.
        #[test]
        fn floor_and_ceil_fast_paths_agree_with_the_tolerance(
            n in prop_oneof![0u64..100, 0u64..2_000_000, 8_388_000u64..8_389_000, 0u64..1 << 40],
            absolute in prop_oneof![Just(0.0), -0.02f64..0.02, 0.0f64..1.0],
            relative in prop_oneof![Just(0.0), -1.5e-9f64..1.5e-9],
            sign in prop_oneof![Just(1.0), Just(-1.0)],
        ) {
            let x = (n as f64 + absolute + relative * (n as f64).max(1.0)) * sign;
            prop_assert_eq!(floor_units(x), floor_by_tolerance(x), "floor {}", x);
            prop_assert_eq!(ceil_units(x), ceil_by_tolerance(x), "ceil {}", x);
        }
    }

    #[test]
    fn divisor_at_the_edges() {
        let edges = [
            1,
            2,
            3,
            7,
            (1 << 53) - 1,
            1 << 53,
            (1 << 53) + 1,
            u64::MAX / 3,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &d in &edges {
            for &n in edges.iter().chain(&[0, 5, 1 << 63, 12_345_678_901_234_567]) {
                assert_eq!(Divisor::new(d).div_rem(n), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    #[test]
    fn floor_and_ceil_snap_to_near_integers() {
        assert_eq!(floor_units(0.07 * 100.0), 7);
        assert_eq!(ceil_units(0.07 * 100.0), 7);
        assert_eq!(floor_units(7.0 / 0.07), 100);
        assert_eq!(ceil_units(0.1 * 3.0 * 10.0), 3);
        assert_eq!(floor_units(6.5), 6);
        assert_eq!(ceil_units(6.5), 7);
        assert_eq!(ceil_units(6.000_001), 7);
        // The tolerance is relative for large values: 1e12 + 1e-4 is within 1e-9 × 1e12.
        assert_eq!(ceil_units(1e12 + 1e-4), 1_000_000_000_000);
        assert_eq!(floor_units(1e12 - 1e-4), 1_000_000_000_000);
        assert_eq!(floor_units(-0.3), 0);
        assert_eq!(ceil_units(-0.3), 0);
        assert_eq!(ceil_units(1e-12), 0, "within tolerance of 0");
        assert_eq!(ceil_units(1e-6), 1);
        assert_eq!(floor_units(1e300), Units::MAX);
        assert_eq!(ceil_units(f64::NAN), 0);
        // Agreement with f64::floor/ceil away from integers.
        for i in 0..2000 {
            let x = i as f64 * 0.37 + 0.123;
            assert_eq!(floor_units(x), x.floor() as Units, "{x}");
            assert_eq!(ceil_units(x), x.ceil() as Units, "{x}");
            assert_eq!(round_units(x), x.round() as Units, "{x}");
        }
    }

    #[test]
    fn rounding_takes_halves_away_from_zero_and_clamps() {
        assert_eq!(round_units(2.5), 3);
        assert_eq!(round_units(2.4999), 2);
        assert_eq!(round_units(-0.5), 0);
        assert_eq!(round_units(-1234.0), 0);
        assert_eq!(round_units(f64::NAN), 0);
        assert_eq!(round_units(1e30), MAX_UNITS);
        assert_eq!(round_units(0.5), 1);
        assert_eq!(round_units(0.49999999999999994), 0);
        assert_eq!(round_units(4503599627370495.5), MAX_UNITS);
    }

    /// The conversions at the edges of u64 and f64: saturating, never wrapping or panicking
    /// (these run with overflow checks in debug builds).
    #[test]
    fn conversions_saturate_at_the_u64_edges() {
        let top = u64::MAX as f64; // 2^64, just past u64::MAX
        for x in [top, top * 2.0, f64::MAX, f64::INFINITY] {
            assert_eq!(floor_units(x), Units::MAX, "{x}");
            assert_eq!(ceil_units(x), Units::MAX, "{x}");
            assert_eq!(round_units(x), MAX_UNITS, "{x}");
        }
        let below = 18_446_744_073_709_549_568.0; // the largest f64 below 2^64
        assert_eq!(floor_units(below), 18_446_744_073_709_549_568);
        assert_eq!(ceil_units(below), 18_446_744_073_709_549_568);
        for x in [
            f64::NEG_INFINITY,
            -f64::MAX,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            assert_eq!(floor_units(x), 0, "{x}");
            assert_eq!(round_units(x), 0, "{x}");
        }
        assert_eq!(ceil_units(f64::MIN_POSITIVE), 0, "within tolerance of 0");
        // Around 2^53, where every f64 becomes an integer (the relative tolerance snaps values
        // within 1e-9 of an integer to it, so 2^53 - 1 counts as 2^53), and at MAX_UNITS.
        assert_eq!(floor_units(INTEGRAL_FROM - 1.0), 1u64 << 53);
        assert_eq!(floor_units(INTEGRAL_FROM), 1u64 << 53);
        assert_eq!(ceil_units(INTEGRAL_FROM + 2.0), (1u64 << 53) + 2);
        assert_eq!(round_units(MAX_UNITS as f64 - 0.5), MAX_UNITS);
        assert_eq!(round_units(MAX_UNITS as f64 - 0.6), MAX_UNITS - 1);
        assert_eq!(round_units(MAX_UNITS as f64 + 0.5), MAX_UNITS);
    }
}
