//! Exact distribution functions for the samplers' goodness-of-fit tests.

/// The regularized incomplete beta function I_x(a, b) by its continued fraction, evaluated
/// with the modified Lentz method (Press et al., "Numerical Recipes", 3rd ed., 6.4).
pub(crate) fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    let ln_front = a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b) - a.ln();
    let tiny = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    d = 1.0 / if d.abs() < tiny { tiny } else { d };
    let mut f = d;
    for m in 1..500 {
        let m = m as f64;
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            d = 1.0 / if d.abs() < tiny { tiny } else { d };
            c = 1.0 + numerator / c;
            c = if c.abs() < tiny { tiny } else { c };
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-15 {
            break;
        }
    }
    ln_front.exp() * f
}

/// ln B(a, b) from ln Γ by the Lanczos approximation (g = 7, n = 9), accurate to ~1e-15.
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

#[allow(clippy::excessive_precision)]
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_93,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_13,
        -176.615_029_162_140_59,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_571_6e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series = G[0]
        + G[1..]
            .iter()
            .enumerate()
            .map(|(i, g)| g / (x + i as f64 + 1.0))
            .sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// Kolmogorov–Smirnov statistic of `draws` against `cdf`.
pub(crate) fn ks(mut draws: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    draws.sort_by(f64::total_cmp);
    let n = draws.len() as f64;
    draws.iter().enumerate().fold(0.0, |d: f64, (i, &x)| {
        let f = cdf(x);
        d.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // For integer shapes, I_x(a, b) = P(Binomial(a + b - 1, x) >= a).
        let binomial_tail = |x: f64, a: u32, b: u32| {
            let n = a + b - 1;
            (a..=n)
                .map(|j| {
                    let choose = (0..j).fold(1.0, |c, i| c * f64::from(n - i) / f64::from(i + 1));
                    choose * x.powi(j as i32) * (1.0 - x).powi((n - j) as i32)
                })
                .sum::<f64>()
        };
        for (a, b) in [(8, 2), (2, 8), (1, 1), (3, 5), (5, 1)] {
            for x in [0.01, 0.2, 0.5, 0.77, 0.99] {
                let got = incomplete_beta(x, f64::from(a), f64::from(b));
                let want = binomial_tail(x, a, b);
                assert!(
                    (got - want).abs() < 1e-12,
                    "I_{x}({a},{b}) = {got}, want {want}"
                );
            }
        }
        // I_x(1/2, 1/2) = (2/π) asin(√x).
        let x: f64 = 0.3;
        let want = 2.0 / std::f64::consts::PI * x.sqrt().asin();
        assert!((incomplete_beta(x, 0.5, 0.5) - want).abs() < 1e-10);
    }
}
