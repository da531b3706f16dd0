//! A discrete distribution over given values with relative weights.

use super::spec::DistError;
use super::{Dist, Sampler, Shape};

impl Dist {
    pub(super) fn discrete(values: &[f64], weights: &[f64]) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::NoValues);
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(DistError::NotFinite {
                param: "values",
                value: *v,
            });
        }
        if weights.len() != values.len() {
            return Err(DistError::WeightCount {
                weights: weights.len(),
                values: values.len(),
            });
        }
        if let Some(w) = weights.iter().find(|w| w.is_nan() || w.is_infinite()) {
            return Err(DistError::NotFinite {
                param: "weights",
                value: *w,
            });
        }
        if weights.iter().any(|&w| w < 0.0) || weights.iter().all(|&w| w == 0.0) {
            return Err(DistError::NoPositiveWeight);
        }
        let mut cum = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for &w in weights {
            total += w;
            cum.push(total);
        }
        if !total.is_finite() {
            return Err(DistError::WeightSum(total));
        }
        let positive = || values.iter().zip(weights).filter(|(_, w)| **w > 0.0);
        let last = weights
            .iter()
            .rposition(|&w| w > 0.0)
            .expect("some weight is positive");
        let lo = positive().map(|(v, _)| *v).fold(f64::INFINITY, f64::min);
        let hi = positive()
            .map(|(v, _)| *v)
            .fold(f64::NEG_INFINITY, f64::max);
        Ok(Dist {
            shape: Shape::Discrete {
                values: values.into(),
                weights: weights.into(),
            },
            sampler: Sampler::Discrete {
                values: values.into(),
                cum: cum.into_iter().map(|c| c / total).collect(),
                last,
            },
            lo,
            hi,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::dist::Dist;
    use crate::dist::tests::{N, assert_mean, bad, discrete, draws};

    #[test]
    fn rejects_empty_discrete() {
        bad(
            &discrete(&[], &[]),
            "values",
            "discrete needs at least one value in \"values\"",
        );
    }

    #[test]
    fn rejects_mismatched_weights() {
        bad(
            &discrete(&[1.0, 2.0], &[1.0, 1.0, 1.0]),
            "weights",
            "weights must have the same length as values (3 vs 2)",
        );
    }

    #[test]
    fn rejects_negative_weight() {
        bad(
            &discrete(&[1.0, 2.0], &[1.0, -1.0]),
            "weights",
            "weights must be >= 0 and not all 0",
        );
    }

    #[test]
    fn rejects_all_zero_weights() {
        bad(
            &discrete(&[1.0, 2.0], &[0.0, 0.0]),
            "weights",
            "weights must be >= 0 and not all 0",
        );
    }

    #[test]
    fn rejects_non_finite_discrete_entries() {
        bad(
            &discrete(&[1.0, f64::NAN], &[1.0, 1.0]),
            "values",
            "values must be finite, got NaN",
        );
        bad(
            &discrete(&[1.0, 2.0], &[1.0, f64::INFINITY]),
            "weights",
            "weights must be finite, got inf",
        );
    }

    #[test]
    fn discrete_statistics() {
        let values = [1.0, 5.0, 7.0, 100.0];
        let weights = [1.0, 0.0, 2.0, 1.0];
        let d = Dist::from_spec(&discrete(&values, &weights)).unwrap();
        assert_eq!(d.support(), (1.0, 100.0));
        let mean = (1.0 + 14.0 + 100.0) / 4.0;
        let var = (1.0 + 2.0 * 49.0 + 10000.0) / 4.0 - mean * mean;
        let xs = draws(&d, 16, N);
        assert!(!xs.contains(&5.0), "a zero-weight value was drawn");
        for (v, w) in values.iter().zip(weights) {
            let p = w / 4.0;
            let freq = xs.iter().filter(|&&x| x == *v).count() as f64 / N as f64;
            let se = (p * (1.0 - p) / N as f64).sqrt();
            assert!(
                (freq - p).abs() <= 4.0 * se + 1e-12,
                "P({v}) = {freq}, want {p}"
            );
        }
        assert_mean(&d, &xs, mean, f64::sqrt(var));
    }
}
