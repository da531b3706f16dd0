//! The PERT distribution: a beta scaled to [min, max] whose mean is (min + 4 mode + max) / 6.

use super::gamma::FastBeta;
use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn pert(min: f64, mode: f64, max: f64) -> Dist {
        let shape = Shape::Pert { min, mode, max };
        if min == max {
            return Self::point(shape, min);
        }
        let range = max - min;
        let alpha = 1.0 + 4.0 * (mode - min) / range;
        let beta = 1.0 + 4.0 * (max - mode) / range;
        let b = FastBeta::new(alpha, beta);
        Dist {
            shape,
            sampler: Sampler::ScaledBeta { b, min, range, max },
            lo: min,
            hi: max,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::tests::{N, assert_mean, assert_var, draws, tri};
    use crate::dist::{Dist, DistSpec};

    #[test]
    fn pert_statistics() {
        let (min, mode, max) = (10.0, 20.0, 60.0);
        let d = Dist::from_spec(&DistSpec {
            dist: "pert".into(),
            ..tri(min, mode, max)
        })
        .unwrap();
        let mean = (min + 4.0 * mode + max) / 6.0;
        let var = (mean - min) * (max - mean) / 7.0;
        let xs = draws(&d, 13, N);
        assert_mean(&d, &xs, mean, var.sqrt());
        // The sample variance of n = 200k draws has relative sd about sqrt(2 / n) = 0.3%.
        assert_var(&d, &xs, var, 0.02);
    }
}
