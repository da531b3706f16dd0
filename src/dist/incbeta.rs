//! The regularised incomplete beta function I_x(a, b) and the beta density, for the inverse
//! distribution functions of `beta` and `pert` (quantile.rs).
//!
//! I_x(a, b) = x^a y^b / (a B(a, b)) × K(x), y = 1 - x, with K the continued fraction of
//! Press et al., "Numerical Recipes", 3rd ed. (2007), §6.4 (eq. 6.4.5, `betacf`), evaluated by the
//! modified Lentz method (§5.2). It converges fast for x < (a + 1) / (a + b + 2); above that point
//! the symmetry I_x(a, b) = 1 - I_y(b, a) is used, so the tail that is computed directly is the
//! one whose relative accuracy matters, and both tails are returned.
//!
//! The front factor x^a y^b / B(a, b) is computed as in BRCOMP of A. R. DiDonato and
//! A. H. Morris, "Algorithm 708: Significant digit computation of the incomplete beta function
//! ratios", ACM TOMS 18 (1992) 360-373: with Stirling's remainders of ln Γ rather than ln Γ itself,
//! so that no large logarithms cancel (ln B(200, 3) is -15, from ln Γ values near 860):
//!
//! x^a y^b / B(a, b) = sqrt(a b / (2π (a + b))) × exp(-(a φ(e1) + b φ(e2)) + Δ(a + b) - Δ(a) - Δ(b)),
//!
//! where φ(e) = e - ln(1 + e), e1 = -λ / a, e2 = λ / b, λ = a - (a + b) x = (a + b) y - b, and
//! Δ(z) = ln Γ(z) - ((z - 1/2) ln z - z + ln √(2π)). The result is accurate to about 1e-14
//! relative, plus the conditioning of x^a itself (a relative error e of x moves x^a by a·e).

use std::f64::consts::PI;

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Stirling's remainder Δ(z) = ln Γ(z) - ((z - 1/2) ln z - z + ln √(2π)), z > 0.
pub(super) fn stirling_remainder(z: f64) -> f64 {
    if z >= 10.0 {
        // The asymptotic series sum of B_2k / (2k (2k - 1) z^(2k - 1)), k = 1..7 (Abramowitz and
        // Stegun 6.1.40); the first term left out is below 3e-17 at z = 10.
        let r = 1.0 / z;
        let r2 = r * r;
        r * (1.0 / 12.0
            - r2 * (1.0 / 360.0
                - r2 * (1.0 / 1260.0
                    - r2 * (1.0 / 1680.0
                        - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360_360.0 - r2 / 156.0))))))
    } else {
        // ln Γ(z) = ln Γ(z + k) - ln(z (z + 1) ... (z + k - 1)), with z + k >= 10 given by the
        // series; the difference with Stirling's form at z loses at most ~25 × 1e-16 absolute.
        let mut w = z;
        let mut product = 1.0;
        while w < 10.0 {
            product *= w;
            w += 1.0;
        }
        let ln_gamma = stirling_form(w) + stirling_remainder(w) - product.ln();
        ln_gamma - stirling_form(z)
    }
}

/// (z - 1/2) ln z - z + ln √(2π).
fn stirling_form(z: f64) -> f64 {
    (z - 0.5) * z.ln() - z + LN_SQRT_2PI
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b).
pub(super) fn ln_beta(a: f64, b: f64) -> f64 {
    let s = a + b;
    LN_SQRT_2PI + (a - 0.5) * a.ln() + (b - 0.5) * b.ln() - (s - 0.5) * s.ln()
        + stirling_remainder(a)
        + stirling_remainder(b)
        - stirling_remainder(s)
}

/// e - ln(1 + e) >= 0, for 1 + e = v × ratio: near e = 0 by ln_1p; elsewhere from v and ratio,
/// since 1 + e rounded from e near -1 keeps few of v's digits (I_x(0.3, 1) at x = 1e-12).
fn rlog1(e: f64, v: f64, ratio: f64) -> f64 {
    if e.abs() <= 0.5 {
        e - e.ln_1p()
    } else {
        e - (v.ln() + ratio.ln())
    }
}

/// x^a y^b / B(a, b) for x + y = 1 (both given, so that neither is a rounded 1 - other).
pub(super) fn power_terms(x: f64, y: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 || y <= 0.0 {
        return 0.0;
    }
    let s = a + b;
    // λ from whichever of x, y is the smaller, the one known to full relative precision.
    let lambda = if x <= y { a - s * x } else { s * y - b };
    let t = a * rlog1(-lambda / a, x, s / a) + b * rlog1(lambda / b, y, s / b);
    let corr = stirling_remainder(s) - stirling_remainder(a) - stirling_remainder(b);
    (a * b / (2.0 * PI * s)).sqrt() * (corr - t).exp()
}

/// Modified Lentz's evaluation of the continued fraction K(x) of I_x(a, b) (Numerical Recipes
/// §6.4, `betacf`).
fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = f64::MIN_POSITIVE / f64::EPSILON;
    // O(sqrt(max(a, b))) terms are needed (Numerical Recipes §6.4); 10^4 covers shapes to ~10^7.
    const MAX_TERMS: u32 = 10_000;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=MAX_TERMS {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// (I_x(a, b), 1 - I_x(a, b)) for x + y = 1, each accurate in its own tail.
pub(super) fn incomplete_beta(x: f64, y: f64, a: f64, b: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if y <= 0.0 {
        return (1.0, 0.0);
    }
    let front = power_terms(x, y, a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        let i = (front * continued_fraction(a, b, x) / a).min(1.0);
        (i, 1.0 - i)
    } else {
        let j = (front * continued_fraction(b, a, y) / b).min(1.0);
        (1.0 - j, j)
    }
}

/// The Beta(a, b) density at x (y = 1 - x), with its limits at the ends.
pub(super) fn beta_pdf(x: f64, y: f64, a: f64, b: f64) -> f64 {
    // At an end the density is 0, a finite limit (shape 1) or infinite.
    let end = |shape: f64, other: f64| {
        if shape < 1.0 {
            f64::INFINITY
        } else if shape == 1.0 {
            other // 1 / B(1, other)
        } else {
            0.0
        }
    };
    if x <= 0.0 {
        return end(a, b);
    }
    if y <= 0.0 {
        return end(b, a);
    }
    power_terms(x, y, a, b) / x / y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::exact;

    #[test]
    fn stirling_remainder_matches_ln_gamma() {
        // ln Γ at integers and halves: ln (n-1)! and ln(√π (2n)! / (4^n n!)).
        let mut factorial = 1.0f64;
        for n in 1..=30u32 {
            let z = f64::from(n);
            let ln_gamma = stirling_form(z) + stirling_remainder(z);
            assert!(
                (ln_gamma - factorial.ln()).abs() < 1e-13,
                "ln Γ({z}) = {ln_gamma}, want {}",
                factorial.ln()
            );
            factorial *= z;
        }
        let half = stirling_form(0.5) + stirling_remainder(0.5);
        assert!((half - 0.5 * PI.ln()).abs() < 1e-14, "ln Γ(1/2) = {half}");
        // The remainder itself, on both sides of the series' threshold (mpmath, 40 digits).
        #[allow(clippy::excessive_precision)]
        let cases = [
            (0.3, 0.236_064_900_748_215_58),
            (1.0, 0.081_061_466_795_327_258),
            (5.0, 0.016_644_691_189_821_192),
            (9.5, 0.008_768_700_134_139_385_5),
            (10.0, 0.008_330_563_433_362_871_3),
            (30.0, 0.002_777_674_929_752_693_6),
            (1000.0, 8.333_333_055_555_634_9e-5),
        ];
        // It enters I_x(a, b) as an exponent, so its absolute error is what counts: 4e-15,
        // 8 rounding errors of the shifted ln Γ(z + k) (~25) that it is the difference of.
        for (z, want) in cases {
            let got = stirling_remainder(z);
            assert!((got - want).abs() < 4e-15, "Δ({z}) = {got}, want {want}");
        }
    }

    #[test]
    fn incomplete_beta_matches_closed_forms_and_the_reference() {
        // Beta(1, b): 1 - (1 - x)^b; Beta(a, 1): x^a; Beta(2, 2): 3x² - 2x³; Beta(1/2, 1/2):
        // (2/π) asin √x.
        type ClosedForm = fn(f64) -> f64;
        let cases: [(f64, f64, ClosedForm); 5] = [
            (1.0, 3.5, |x| -(3.5 * (-x).ln_1p()).exp_m1()),
            (0.3, 1.0, |x| x.powf(0.3)),
            (7.0, 1.0, |x| x.powi(7)),
            (2.0, 2.0, |x| 3.0 * x * x - 2.0 * x * x * x),
            (0.5, 0.5, |x| 2.0 / PI * x.sqrt().asin()),
        ];
        for (a, b, want) in cases {
            for x in [1e-12, 0.001, 0.1, 0.37, 0.5, 0.8, 0.999] {
                let (f, s) = incomplete_beta(x, 1.0 - x, a, b);
                let w = want(x);
                assert!(
                    (f - w).abs() <= 1e-14 * w.max(1e-300) + 1e-16,
                    "I_{x}({a}, {b}) = {f}, want {w}"
                );
                assert!((f + s - 1.0).abs() < 1e-15);
            }
        }
        // The upper tail in its own relative precision: Beta(a, 1) has 1 - x^a; Beta(1, b) at
        // x = 1e-10 has F = 1 - (1 - 1e-10)^b to 1e-14 relative.
        let (_, s) = incomplete_beta(1.0 - 1e-9, 1e-9, 2.0, 1.0);
        let want = -(2.0 * (-1e-9f64).ln_1p()).exp_m1();
        assert!(((s - want) / want).abs() < 1e-12, "{s} vs {want}");
        let (f, _) = incomplete_beta(1e-10, 1.0 - 1e-10, 1.0, 4.0);
        let want = -(4.0 * (-1e-10f64).ln_1p()).exp_m1();
        assert!(((f - want) / want).abs() < 1e-12, "{f} vs {want}");
        // Against the tests' independent implementation (Lanczos ln Γ, 1e-12 absolute).
        for (a, b) in [
            (8.0, 2.0),
            (200.0, 3.0),
            (2.2, 3.8),
            (0.5, 4.0),
            (30.0, 30.0),
        ] {
            for x in [0.01, 0.2, 0.5, 0.77, 0.95, 0.99] {
                let (f, _) = incomplete_beta(x, 1.0 - x, a, b);
                let want = exact::incomplete_beta(x, a, b);
                assert!(
                    (f - want).abs() < 1e-12,
                    "I_{x}({a}, {b}) = {f}, want {want}"
                );
            }
        }
    }

    #[allow(clippy::excessive_precision)]
    #[test]
    fn incomplete_beta_matches_mpmath_in_far_tails_and_large_shapes() {
        // mpmath.betainc(a, b, 0, x, regularized=True) at 40 digits.
        let cases = [
            (200.0, 3.0, 0.9, 1.566_227_562_121_490_9e-7),
            (200.0, 3.0, 0.999, 0.998_833_436_846_883_42),
            (8.0, 2.0, 0.05, 3.359_375_000_000_001_5e-10),
            (1500.0, 1200.0, 0.55, 0.280_329_600_809_280_69),
            (0.5, 0.5, 1e-30, 6.366_197_723_675_813_7e-16),
        ];
        for (a, b, x, want) in cases {
            let (f, _) = incomplete_beta(x, 1.0 - x, a, b);
            assert!(
                ((f - want) / want).abs() < 1e-12,
                "I_{x}({a}, {b}) = {f:e}, want {want:e}"
            );
        }
    }
}
