//! A distribution as a scenario writes it ([`DistSpec`]), its validation into a [`Dist`], and
//! why that can fail ([`DistError`]).

use super::Dist;

/// A distribution as written in a scenario, before validation: the `dist` name and whichever parameters were given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DistSpec {
    /// The distribution's name: one of `fixed`, `uniform`, `triangular`, `pert`, `normal`,
    /// `lognormal`, `beta`, `discrete`.
    pub dist: String,
    /// `fixed`: the value.
    pub value: Option<f64>,
    /// `uniform`, `triangular`, `pert`: the lower end; `normal`: the optional lower truncation bound.
    pub min: Option<f64>,
    /// `triangular`, `pert`: the most likely value.
    pub mode: Option<f64>,
    /// `uniform`, `triangular`, `pert`: the upper end; `normal`: the optional upper truncation bound.
    pub max: Option<f64>,
    /// `normal`: the mean of the untruncated normal.
    pub mean: Option<f64>,
    /// `normal`: the standard deviation of the untruncated normal.
    pub sd: Option<f64>,
    /// `lognormal`: the median, `exp(mu)`.
    pub median: Option<f64>,
    /// `lognormal`: the standard deviation of the logarithm.
    pub sigma: Option<f64>,
    /// `beta`: the first shape parameter.
    pub alpha: Option<f64>,
    /// `beta`: the second shape parameter.
    pub beta: Option<f64>,
    /// `discrete`: the possible values.
    pub values: Option<Vec<f64>>,
    /// `discrete`: the relative weight of each value (need not sum to 1).
    pub weights: Option<Vec<f64>>,
}

/// Why a distribution is invalid. Each message is a complete sentence fragment for the user,
/// without the location prefix; [`DistError::param`] names the parameter it is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// `dist` names no distribution.
    #[error("unknown distribution \"{0}\"; expected one of {NAMES}")]
    UnknownDist(String),
    /// A parameter the distribution does not take.
    #[error(
        "\"{param}\" is not a parameter of {dist} (it takes {})",
        takes(required, optional)
    )]
    NotAParameter {
        /// The distribution's name, as given.
        dist: String,
        /// The parameter given, one that another distribution takes (`mode` on a `uniform`).
        param: &'static str,
        /// The parameters `dist` needs, for the message.
        required: &'static [&'static str],
        /// The parameters `dist` may take besides, for the message.
        optional: &'static [&'static str],
    },
    /// A parameter the distribution needs is absent.
    #[error("{dist} needs \"{param}\"")]
    Missing {
        /// The distribution's name, as given.
        dist: String,
        /// The parameter it needs.
        param: &'static str,
    },
    /// A parameter (or an entry of `values` or `weights`) is NaN or infinite.
    #[error("{param} must be finite, got {value}")]
    NotFinite {
        /// The parameter, `values` or `weights` for an entry of those.
        param: &'static str,
        /// The value given.
        value: f64,
    },
    /// `sd`, `median`, `alpha` or `beta` is zero or negative.
    #[error("{param} must be > 0, got {value}")]
    NotPositive {
        /// The parameter.
        param: &'static str,
        /// The value given.
        value: f64,
    },
    /// A range whose lower end is above its upper end.
    #[error("min ({min}) must not exceed max ({max})")]
    MinAboveMax {
        /// The lower end given.
        min: f64,
        /// The upper end given, below `min`.
        max: f64,
    },
    /// A range too wide for its width to be a finite f64.
    #[error("max - min must be finite, but min ({min}) and max ({max}) are too far apart")]
    RangeTooWide {
        /// The lower end given.
        min: f64,
        /// The upper end given; `max - min` overflows to infinity.
        max: f64,
    },
    /// A mode outside [min, max].
    #[error("mode ({mode}) must lie within [min, max] = [{min}, {max}]")]
    ModeOutsideRange {
        /// The lower end given.
        min: f64,
        /// The mode given, below `min` or above `max`.
        mode: f64,
        /// The upper end given.
        max: f64,
    },
    /// A normal truncated to an interval without width.
    #[error("min ({min}) must be less than max ({max})")]
    EmptyTruncation {
        /// The lower truncation bound given.
        min: f64,
        /// The upper truncation bound given, at or below `min`.
        max: f64,
    },
    /// A lognormal with a negative sigma.
    #[error("sigma must be >= 0, got {0}")]
    NegativeSigma(f64),
    /// A discrete distribution with no values.
    #[error("discrete needs at least one value in \"values\"")]
    NoValues,
    /// A discrete distribution with a weight count other than its value count.
    #[error("weights must have the same length as values ({weights} vs {values})")]
    WeightCount {
        /// Entries in `weights`.
        weights: usize,
        /// Entries in `values`.
        values: usize,
    },
    /// A negative weight, or weights all 0.
    #[error("weights must be >= 0 and not all 0")]
    NoPositiveWeight,
    /// Finite weights whose sum overflows.
    #[error("weights must have a finite sum, got {0}")]
    WeightSum(f64),
}

impl DistError {
    /// The offending parameter, spelled as in the scenario file ("dist" for an unknown
    /// distribution), so that a caller can point at it.
    pub fn param(&self) -> &'static str {
        match self {
            DistError::UnknownDist(_) => "dist",
            DistError::NotAParameter { param, .. }
            | DistError::Missing { param, .. }
            | DistError::NotFinite { param, .. }
            | DistError::NotPositive { param, .. } => param,
            DistError::MinAboveMax { .. } | DistError::EmptyTruncation { .. } => "min",
            DistError::RangeTooWide { .. } => "max",
            DistError::ModeOutsideRange { .. } => "mode",
            DistError::NegativeSigma(_) => "sigma",
            DistError::NoValues => "values",
            DistError::WeightCount { .. }
            | DistError::NoPositiveWeight
            | DistError::WeightSum(_) => "weights",
        }
    }
}

/// The parameters a distribution takes, as [`DistError::NotAParameter`] lists them.
fn takes(required: &[&str], optional: &[&str]) -> String {
    if optional.is_empty() {
        required.join(", ")
    } else {
        format!(
            "{} and optionally {}",
            required.join(", "),
            optional.join(", ")
        )
    }
}

const NAMES: &str = "fixed, uniform, triangular, pert, normal, lognormal, beta, discrete";

impl DistSpec {
    /// Every distribution's name, in the order messages list them.
    pub const FAMILIES: [&'static str; 8] = [
        "fixed",
        "uniform",
        "triangular",
        "pert",
        "normal",
        "lognormal",
        "beta",
        "discrete",
    ];

    /// Every parameter some distribution takes, in the order of [`DistSpec`]'s fields. `values`
    /// and `weights` are arrays of numbers, the others numbers.
    pub const PARAMETERS: [&'static str; 12] = [
        "value", "min", "mode", "max", "mean", "sd", "median", "sigma", "alpha", "beta", "values",
        "weights",
    ];

    /// The parameters distribution `dist` needs and those it may take besides, in the order
    /// messages list them; None for a name that is no distribution.
    pub fn parameters_of(dist: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
        params_of(dist)
    }

    /// What distribution `dist` takes, as messages say it: "mean, sd and optionally min, max".
    pub fn takes(dist: &str) -> Option<String> {
        params_of(dist).map(|(required, optional)| takes(required, optional))
    }
}

/// Required and optional parameters of each distribution, in the order messages list them.
fn params_of(dist: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match dist {
        "fixed" => (&["value"], &[]),
        "uniform" => (&["min", "max"], &[]),
        "triangular" | "pert" => (&["min", "mode", "max"], &[]),
        "normal" => (&["mean", "sd"], &["min", "max"]),
        "lognormal" => (&["median", "sigma"], &[]),
        "beta" => (&["alpha", "beta"], &[]),
        "discrete" => (&["values", "weights"], &[]),
        _ => return None,
    })
}

impl DistSpec {
    /// Every parameter field with whether it was given, in declaration order.
    fn given(&self) -> [(&'static str, bool); 12] {
        [
            ("value", self.value.is_some()),
            ("min", self.min.is_some()),
            ("mode", self.mode.is_some()),
            ("max", self.max.is_some()),
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("median", self.median.is_some()),
            ("sigma", self.sigma.is_some()),
            ("alpha", self.alpha.is_some()),
            ("beta", self.beta.is_some()),
            ("values", self.values.is_some()),
            ("weights", self.weights.is_some()),
        ]
    }

    fn scalar(&self, name: &str) -> Option<f64> {
        match name {
            "value" => self.value,
            "min" => self.min,
            "mode" => self.mode,
            "max" => self.max,
            "mean" => self.mean,
            "sd" => self.sd,
            "median" => self.median,
            "sigma" => self.sigma,
            "alpha" => self.alpha,
            "beta" => self.beta,
            _ => None,
        }
    }
}

pub(super) fn finite(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(DistError::NotFinite { param, value: v })
    }
}

fn required(spec: &DistSpec, dist: &str, param: &'static str) -> Result<f64, DistError> {
    match spec.scalar(param) {
        Some(v) => finite(param, v),
        None => Err(DistError::Missing {
            dist: dist.to_string(),
            param,
        }),
    }
}

fn optional(spec: &DistSpec, param: &'static str) -> Result<Option<f64>, DistError> {
    spec.scalar(param).map(|v| finite(param, v)).transpose()
}

/// Checks `min <= max` and that the width is representable, which every bounded sampler needs.
fn check_range(min: f64, max: f64) -> Result<(), DistError> {
    if min > max {
        return Err(DistError::MinAboveMax { min, max });
    }
    if !(max - min).is_finite() {
        return Err(DistError::RangeTooWide { min, max });
    }
    Ok(())
}

fn check_mode(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    if mode < min || mode > max {
        return Err(DistError::ModeOutsideRange { min, mode, max });
    }
    Ok(())
}

pub(super) fn positive(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v > 0.0 {
        Ok(v)
    } else {
        Err(DistError::NotPositive { param, value: v })
    }
}

impl Dist {
    /// Validates a scenario's distribution; the error names the first offending parameter.
    pub fn from_spec(spec: &DistSpec) -> Result<Dist, DistError> {
        let name = spec.dist.as_str();
        let Some((req, opt)) = params_of(name) else {
            return Err(DistError::UnknownDist(name.to_string()));
        };
        for (param, given) in spec.given() {
            if given && !req.contains(&param) && !opt.contains(&param) {
                return Err(DistError::NotAParameter {
                    dist: name.to_string(),
                    param,
                    required: req,
                    optional: opt,
                });
            }
        }
        match name {
            "fixed" => Dist::fixed(required(spec, name, "value")?),
            "uniform" => {
                let min = required(spec, name, "min")?;
                let max = required(spec, name, "max")?;
                check_range(min, max)?;
                Ok(Self::uniform(min, max))
            }
            "triangular" | "pert" => {
                let min = required(spec, name, "min")?;
                let mode = required(spec, name, "mode")?;
                let max = required(spec, name, "max")?;
                check_range(min, max)?;
                check_mode(min, mode, max)?;
                Ok(if name == "pert" {
                    Self::pert(min, mode, max)
                } else {
                    Self::triangular(min, mode, max)
                })
            }
            "normal" => {
                let mean = required(spec, name, "mean")?;
                let sd = positive("sd", required(spec, name, "sd")?)?;
                let min = optional(spec, "min")?;
                let max = optional(spec, "max")?;
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo >= hi
                {
                    return Err(DistError::EmptyTruncation { min: lo, max: hi });
                }
                Ok(Self::normal(mean, sd, min, max))
            }
            "lognormal" => {
                let median = positive("median", required(spec, name, "median")?)?;
                let sigma = required(spec, name, "sigma")?;
                if sigma < 0.0 {
                    return Err(DistError::NegativeSigma(sigma));
                }
                Ok(Self::lognormal(median, sigma))
            }
            "beta" => {
                let alpha = positive("alpha", required(spec, name, "alpha")?)?;
                let beta = positive("beta", required(spec, name, "beta")?)?;
                Ok(Self::beta(alpha, beta))
            }
            "discrete" => {
                let missing = |param| DistError::Missing {
                    dist: name.to_string(),
                    param,
                };
                let values = spec.values.as_deref().ok_or_else(|| missing("values"))?;
                let weights = spec.weights.as_deref().ok_or_else(|| missing("weights"))?;
                Self::discrete(values, weights)
            }
            _ => unreachable!("params_of accepted {name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::tests::{bad, discrete, normal, spec, tri};

    // ---- validation ----

    #[test]
    fn rejects_unknown_distribution() {
        bad(
            &spec("trianglar"),
            "dist",
            "unknown distribution \"trianglar\"; expected one of fixed, uniform, triangular, \
             pert, normal, lognormal, beta, discrete",
        );
    }

    #[test]
    fn rejects_missing_parameter() {
        let mut s = tri(300000.0, 400000.0, 500000.0);
        s.mode = None;
        bad(&s, "mode", "triangular needs \"mode\"");
        bad(
            &discrete(&[1.0], &[1.0]).clone_without_weights(),
            "weights",
            "discrete needs \"weights\"",
        );
    }

    impl DistSpec {
        fn clone_without_weights(&self) -> DistSpec {
            DistSpec {
                weights: None,
                ..self.clone()
            }
        }
    }

    #[test]
    fn rejects_parameter_the_distribution_does_not_take() {
        let s = DistSpec {
            min: Some(0.0),
            max: Some(1.0),
            sd: Some(1.0),
            ..spec("uniform")
        };
        bad(
            &s,
            "sd",
            "\"sd\" is not a parameter of uniform (it takes min, max)",
        );
        let s = DistSpec {
            mode: Some(1.0),
            ..normal(0.0, 1.0, None, None)
        };
        bad(
            &s,
            "mode",
            "\"mode\" is not a parameter of normal (it takes mean, sd and optionally min, max)",
        );
    }

    #[test]
    fn rejects_non_finite_parameters() {
        let s = DistSpec {
            value: Some(f64::NAN),
            ..spec("fixed")
        };
        bad(&s, "value", "value must be finite, got NaN");
        assert!(matches!(
            Dist::fixed(f64::NAN),
            Err(DistError::NotFinite { param: "value", value }) if value.is_nan()
        ));
        bad(
            &tri(0.0, 1.0, f64::INFINITY),
            "max",
            "max must be finite, got inf",
        );
        bad(
            &normal(0.0, 1.0, Some(f64::NEG_INFINITY), None),
            "min",
            "min must be finite, got -inf",
        );
    }

    #[test]
    fn rejects_min_above_max() {
        bad(
            &tri(500000.0, 400000.0, 300000.0),
            "min",
            "min (500000) must not exceed max (300000)",
        );
    }

    #[test]
    fn rejects_unrepresentable_range() {
        let s = DistSpec {
            min: Some(-1e308),
            max: Some(1e308),
            ..spec("uniform")
        };
        let e = Dist::from_spec(&s).unwrap_err();
        assert_eq!(e.param(), "max");
        assert!(e.to_string().starts_with("max - min must be finite"), "{e}");
        assert_eq!(
            e,
            DistError::RangeTooWide {
                min: -1e308,
                max: 1e308
            }
        );
    }

    #[test]
    fn rejects_mode_outside_range() {
        bad(
            &tri(300000.0, 600000.0, 500000.0),
            "mode",
            "mode (600000) must lie within [min, max] = [300000, 500000]",
        );
        let s = DistSpec {
            dist: "pert".into(),
            ..tri(0.0, -1.0, 1.0)
        };
        bad(&s, "mode", "mode (-1) must lie within [min, max] = [0, 1]");
    }

    #[test]
    fn rejects_non_positive_sd() {
        bad(
            &normal(0.0, -1.0, None, None),
            "sd",
            "sd must be > 0, got -1",
        );
        bad(&normal(0.0, 0.0, None, None), "sd", "sd must be > 0, got 0");
    }

    #[test]
    fn rejects_truncation_interval_without_width() {
        bad(
            &normal(0.0, 1.0, Some(5.0), Some(5.0)),
            "min",
            "min (5) must be less than max (5)",
        );
        bad(
            &normal(0.0, 1.0, Some(6.0), Some(5.0)),
            "min",
            "min (6) must be less than max (5)",
        );
    }

    #[test]
    fn rejects_negative_sigma_and_non_positive_median() {
        let ln = |median, sigma| DistSpec {
            median: Some(median),
            sigma: Some(sigma),
            ..spec("lognormal")
        };
        bad(&ln(1.0, -1.0), "sigma", "sigma must be >= 0, got -1");
        bad(&ln(0.0, 1.0), "median", "median must be > 0, got 0");
        bad(&ln(-2.0, 1.0), "median", "median must be > 0, got -2");
    }

    #[test]
    fn rejects_non_positive_beta_shapes() {
        let b = |alpha, beta| DistSpec {
            alpha: Some(alpha),
            beta: Some(beta),
            ..spec("beta")
        };
        bad(&b(0.0, 1.0), "alpha", "alpha must be > 0, got 0");
        bad(&b(1.0, -0.5), "beta", "beta must be > 0, got -0.5");
    }
}
