//! The beta distribution on [0, 1] (its sampler, shared with PERT, is in gamma.rs and strips.rs).

use super::gamma::FastBeta;
use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn beta(alpha: f64, beta: f64) -> Dist {
        let b = FastBeta::new(alpha, beta);
        Dist {
            shape: Shape::Beta { alpha, beta },
            sampler: Sampler::ScaledBeta {
                b,
                min: 0.0,
                range: 1.0,
                max: 1.0,
            },
            lo: 0.0,
            hi: 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::tests::{N, assert_mean, assert_var, draws, spec};
    use crate::dist::{Dist, DistSpec};

    #[test]
    fn beta_statistics() {
        let (a, b) = (2.0, 5.0);
        let d = Dist::from_spec(&DistSpec {
            alpha: Some(a),
            beta: Some(b),
            ..spec("beta")
        })
        .unwrap();
        assert_eq!(d.support(), (0.0, 1.0));
        let var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
        let xs = draws(&d, 14, N);
        assert_mean(&d, &xs, a / (a + b), var.sqrt());
        assert_var(&d, &xs, var, 0.02);
    }
}
