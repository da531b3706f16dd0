//! The uniform distribution on [min, max].

use rand_distr::Uniform;

use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn uniform(min: f64, max: f64) -> Dist {
        let shape = Shape::Uniform { min, max };
        if min == max {
            return Self::point(shape, min);
        }
        let u = Uniform::new(min, max).expect("range checked finite and non-empty");
        Dist {
            shape,
            sampler: Sampler::Uniform { u, min, max },
            lo: min,
            hi: max,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::tests::{N, assert_ks, assert_mean, assert_var, draws, spec};
    use crate::dist::{Dist, DistSpec};

    #[test]
    fn uniform_statistics() {
        let s = DistSpec {
            min: Some(-2.0),
            max: Some(6.0),
            ..spec("uniform")
        };
        let d = Dist::from_spec(&s).unwrap();
        let xs = draws(&d, 11, N);
        let var: f64 = 64.0 / 12.0;
        assert_mean(&d, &xs, 2.0, var.sqrt());
        assert_var(&d, &xs, var, 0.02);
        assert_ks(&d, xs, |x| (x + 2.0) / 8.0);
    }
}
