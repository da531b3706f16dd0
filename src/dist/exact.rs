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

/// Kolmogorov–Smirnov statistic of `draws` against `cdf`: the largest of
/// `(i + 1)/n − F(x_i)` and `F(x_i) − i/n` over the sorted draws.
///
/// `cdf` is evaluated at the ends of blocks of [`KS_BLOCK`] sorted draws first. F is monotone,
/// so within block `lo..hi` every term is at most `max(hi/n − F(x_lo), F(x_hi−1) − lo/n)`;
/// a block whose bound does not exceed the largest term found is skipped, and the others are
/// evaluated draw by draw. The result is the statistic itself (the bound is checked with a
/// slack far above the rounding of a distribution function), from about a tenth of the
/// evaluations: the tests' KS checks draw 10^6 values, and in the unoptimised test build the
/// incomplete beta at every one of them took most of their time.
pub(crate) fn ks(mut draws: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    sort_total(&mut draws);
    let n = draws.len() as f64;
    let term = |i: usize, f: f64| ((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
    let blocks: Vec<(usize, usize, f64, f64)> = (0..draws.len())
        .step_by(KS_BLOCK)
        .map(|lo| {
            let hi = (lo + KS_BLOCK).min(draws.len());
            (lo, hi, cdf(draws[lo]), cdf(draws[hi - 1]))
        })
        .collect();
    let mut d = blocks.iter().fold(0.0f64, |d, &(lo, hi, f_lo, f_hi)| {
        d.max(term(lo, f_lo)).max(term(hi - 1, f_hi))
    });
    for &(lo, hi, f_lo, f_hi) in &blocks {
        let bound = (hi as f64 / n - f_lo).max(f_hi - lo as f64 / n);
        if bound + KS_SLACK > d {
            d = (lo + 1..hi.saturating_sub(1)).fold(d, |d, i| d.max(term(i, cdf(draws[i]))));
        }
    }
    d
}

/// Sorts `values` in the order of [`f64::total_cmp`], by a least-significant-digit radix sort
/// (Knuth, TAOCP vol. 3, §5.2.5) of keys that compare as that order does: the standard
/// library's sort, compiled unoptimised with its debug checks in the test build, took seconds
/// for the 10^6 draws of a KS check.
fn sort_total(values: &mut [f64]) {
    // Negative values (sign bit set) reversed, the others above them.
    let key = |x: f64| {
        let b = x.to_bits();
        if b >> 63 == 1 { !b } else { b | 1 << 63 }
    };
    let mut keys: Vec<u64> = values.iter().map(|&x| key(x)).collect();
    let mut spare = vec![0u64; keys.len()];
    for shift in (0..64).step_by(8) {
        let mut start = [0usize; 257];
        for &k in &keys {
            start[((k >> shift) & 0xff) as usize + 1] += 1;
        }
        if start.contains(&keys.len()) {
            // Every key has this byte alike: the pass would not move anything.
            continue;
        }
        for b in 1..257 {
            start[b] += start[b - 1];
        }
        for &k in &keys {
            let slot = &mut start[((k >> shift) & 0xff) as usize];
            spare[*slot] = k;
            *slot += 1;
        }
        std::mem::swap(&mut keys, &mut spare);
    }
    for (v, k) in values.iter_mut().zip(keys) {
        *v = f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k });
    }
}

/// Sorted draws per block of [`ks`].
const KS_BLOCK: usize = 64;
/// How far a computed distribution function may be taken to dip (by rounding) between two
/// draws without [`ks`] missing the term there.
const KS_SLACK: f64 = 1e-12;

#[cfg(test)]
mod tests {
    use super::*;

    /// The radix sort puts values in `total_cmp`'s order, bit for bit: signs, zeros of both
    /// signs, infinities, NaNs, subnormals and ties.
    #[test]
    fn the_radix_sort_is_total_cmp_order() {
        let mut values = vec![
            3.5,
            -0.0,
            0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -2.25,
            5e-324,
            -5e-324,
            1.0,
            1.0,
            -1e300,
            0.1,
        ];
        let mut state = 7u64;
        values.extend((0..3_000).map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let x = (state >> 11) as f64 / (1u64 << 53) as f64;
            if i % 3 == 0 { -x * 1e6 } else { x }
        }));
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        sort_total(&mut values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }

    /// The blocked statistic is the statistic: against the draw-by-draw definition, for a
    /// uniform sample against its own and a shifted distribution function, a sample with ties,
    /// and sizes around the block length.
    #[test]
    fn ks_by_blocks_is_the_statistic() {
        let direct = |mut draws: Vec<f64>, cdf: &dyn Fn(f64) -> f64| {
            draws.sort_by(f64::total_cmp);
            let n = draws.len() as f64;
            draws.iter().enumerate().fold(0.0f64, |d, (i, &x)| {
                let f = cdf(x);
                d.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n)
            })
        };
        let mut state = 99u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for n in [1, 2, 63, 64, 65, 130, 5_000] {
            let draws: Vec<f64> = (0..n).map(|_| uniform()).collect();
            let ties: Vec<f64> = draws.iter().map(|x| (x * 10.0).floor() / 10.0).collect();
            let cdfs: [&dyn Fn(f64) -> f64; 3] = [
                &|x: f64| x.clamp(0.0, 1.0),
                &|x: f64| (x - 0.01).clamp(0.0, 1.0),
                &|x: f64| x * x,
            ];
            for cdf in cdfs {
                for sample in [&draws, &ties] {
                    assert_eq!(
                        ks(sample.clone(), cdf),
                        direct(sample.clone(), cdf),
                        "n = {n}"
                    );
                }
            }
        }
    }

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
