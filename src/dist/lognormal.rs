//! The lognormal distribution, given by its median exp(mu) and the sd sigma of its logarithm.

use rand_distr::LogNormal;

use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn lognormal(median: f64, sigma: f64) -> Dist {
        let shape = Shape::LogNormal { median, sigma };
        if sigma == 0.0 {
            return Self::point(shape, median);
        }
        Dist {
            shape,
            sampler: Sampler::LogNormal(
                LogNormal::new(median.ln(), sigma).expect("sigma checked finite"),
            ),
            // exp() can underflow to 0, so 0 is a possible (if absurd) draw.
            lo: 0.0,
            hi: f64::INFINITY,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::special::upper_tail;
    use crate::dist::tests::{N, assert_ks, assert_mean, draws, spec};
    use crate::dist::{Dist, DistSpec};

    #[test]
    fn lognormal_statistics() {
        let (median, sigma) = (1000.0_f64, 0.5_f64);
        let d = Dist::from_spec(&DistSpec {
            median: Some(median),
            sigma: Some(sigma),
            ..spec("lognormal")
        })
        .unwrap();
        let mu = median.ln();
        let s2 = sigma * sigma;
        let var = (s2.exp() - 1.0) * (2.0 * mu + s2).exp();
        let xs = draws(&d, 15, N);
        assert_mean(&d, &xs, (mu + s2 / 2.0).exp(), var.sqrt());
        assert_ks(&d, xs, |x| 1.0 - upper_tail((x.ln() - mu) / sigma));
    }
}
