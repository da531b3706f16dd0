//! A safeguarded Newton iteration that inverts a distribution function: `rtsafe` of Press et al.,
//! "Numerical Recipes", 3rd ed. (2007), §9.4, with a bisection that halves the bit pattern of the
//! bracket when it spans orders of magnitude, so that the solver reaches a value near 0 (a beta
//! quantile of 1e-30) in at most 64 halvings rather than 100 of the width.

/// Newton steps and bisections at most (bisection alone needs at most 64 per bracket).
const MAX_STEPS: u32 = 300;

/// What a distribution function gives at a point: F(x), 1 - F(x) (each accurate in its own
/// tail) and the density.
pub(super) struct Point {
    pub(super) lower: f64,
    pub(super) upper: f64,
    pub(super) density: f64,
}

/// The x in [lo, hi] at which the lower tail F(x) equals `p` (or the upper tail 1 - F(x) does,
/// when `upper`), starting from `guess`. `eval` must be monotone; `lo` may be -inf and `hi` +inf.
///
/// The result is the root to within a few units in the last place, or, when the distribution
/// function jumps by more than its target's precision between two adjacent doubles, the one of
/// the two whose probability is nearer `p`.
pub(super) fn invert(
    p: f64,
    upper: bool,
    lo: f64,
    hi: f64,
    guess: f64,
    eval: impl Fn(f64) -> Point,
) -> f64 {
    // The residual is increasing in x: F(x) - p, or p - (1 - F(x)).
    let residual = |pt: &Point| if upper { p - pt.upper } else { pt.lower - p };
    let (mut l, mut r) = (lo, hi);
    // Residuals at the support's ends: F = 0 at lo, 1 at hi.
    let (mut res_l, mut res_r) = if upper { (p - 1.0, p) } else { (-p, 1.0 - p) };
    let mut x = if guess > l && guess < r {
        guess
    } else {
        midpoint(l, r)
    };
    let mut step_before = f64::INFINITY;
    for _ in 0..MAX_STEPS {
        let pt = eval(x);
        let res = residual(&pt);
        if res == 0.0 || res.is_nan() {
            return x;
        }
        if res < 0.0 {
            (l, res_l) = (x, res);
        } else {
            (r, res_r) = (x, res);
        }
        if next_up(l) >= r {
            // Adjacent doubles: the better of the two.
            return if res_l.abs() <= res_r.abs() { l } else { r };
        }
        // A residual at the noise of the function's own evaluation: nothing more to gain.
        if res.abs() <= 4.0 * f64::EPSILON * p {
            return x;
        }
        let newton = x - res / pt.density;
        // rtsafe's test: bisect when Newton leaves the bracket or does not at least halve the
        // step before last.
        let take_newton =
            newton > l && newton < r && (2.0 * res).abs() <= (step_before * pt.density).abs();
        let next = if take_newton { newton } else { midpoint(l, r) };
        let step = next - x;
        if take_newton && step.abs() <= 2.0 * f64::EPSILON * next.abs() {
            return next;
        }
        step_before = step;
        x = next;
    }
    x
}

/// A point strictly inside (l, r) (for l < r not adjacent): the bit-pattern midpoint when the
/// bracket spans more than a factor of 2 on one side of 0, else the arithmetic one.
fn midpoint(l: f64, r: f64) -> f64 {
    if l == f64::NEG_INFINITY {
        return r - r.abs().max(1.0);
    }
    if r == f64::INFINITY {
        return l + l.abs().max(1.0);
    }
    // +0.0 turns -0.0 into +0.0, whose bit pattern is the smallest.
    let (l0, r0) = (l + 0.0, r + 0.0);
    let m = if l0 >= 0.0 && r0 > 2.0 * l0 {
        f64::from_bits(l0.to_bits() / 2 + r0.to_bits() / 2)
    } else if r0 <= 0.0 && l0 < 2.0 * r0 {
        -f64::from_bits((-r0).to_bits() / 2 + (-l0).to_bits() / 2)
    } else {
        0.5 * l + 0.5 * r
    };
    // Rounding can land on an end when l and r are a few units apart.
    if m > l && m < r { m } else { next_up(l) }
}

/// The next double above x (for finite x; std's `next_up` is newer than this crate's MSRV).
pub(super) fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// The next double below x.
pub(super) fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_roots_near_zero_and_the_better_of_two_adjacent_doubles() {
        // F(x) = x^(1/20) on [0, 1]: F = 1e-15 at x = 1e-300, far below where arithmetic
        // bisection would get in 100 halvings.
        let eval = |x: f64| Point {
            lower: x.powf(0.05),
            upper: 1.0 - x.powf(0.05),
            density: 0.05 * x.powf(-0.95),
        };
        let x = invert(1e-15, false, 0.0, 1.0, 0.5, eval);
        assert!(((x - 1e-300) / 1e-300).abs() < 1e-12, "{x:e}");
        // A step function at 0.25: the solver stops between two adjacent doubles there.
        let step = |x: f64| Point {
            lower: if x < 0.25 { 0.0 } else { 1.0 },
            upper: if x < 0.25 { 1.0 } else { 0.0 },
            density: 0.0,
        };
        let x = invert(0.3, false, 0.0, 1.0, 0.9, step);
        assert!(x == 0.25 || x == next_down(0.25), "{x}");
        assert_eq!(midpoint(0.0, 1.0).to_bits(), 1.0f64.to_bits() / 2);
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
        assert_eq!(next_down(1.0), 1.0 - f64::EPSILON / 2.0);
    }
}
