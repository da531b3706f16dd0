//! The triangular distribution on [min, max] with its peak at the mode.

use rand_distr::Triangular;

use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn triangular(min: f64, mode: f64, max: f64) -> Dist {
        let shape = Shape::Triangular { min, mode, max };
        if min == max {
            return Self::point(shape, min);
        }
        let t = Triangular::new(min, max, mode).expect("mode checked within [min, max]");
        Dist {
            shape,
            sampler: Sampler::Triangular { t, min, max },
            lo: min,
            hi: max,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;
    use crate::dist::tests::{N, assert_ks, assert_mean, assert_var, draws, tri};

    #[test]
    fn triangular_statistics() {
        let (a, c, b) = (300000.0, 350000.0, 500000.0);
        let d = Dist::from_spec(&tri(a, c, b)).unwrap();
        let xs = draws(&d, 12, N);
        let var: f64 = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        assert_mean(&d, &xs, (a + b + c) / 3.0, var.sqrt());
        assert_var(&d, &xs, var, 0.02);
        assert_ks(&d, xs, |x| {
            if x <= c {
                (x - a) * (x - a) / ((b - a) * (c - a))
            } else {
                1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
            }
        });
    }
}
