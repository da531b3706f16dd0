//! The distributions of MODEL.md ("Distributions"), validated at construction and sampled without allocation.
//!
//! A scenario writes a distribution inline (`{ dist = "triangular", min = 300000, mode = 400000,
//! max = 500000 }`); the parser fills a [`DistSpec`] and [`Dist::from_spec`] validates it once, so
//! that sampling in the simulation loop never has to check anything, never fails and never
//! allocates.

#[cfg(test)]
mod exact;
mod gamma;
mod strips;

use gamma::FastBeta;

use std::f64::consts::FRAC_1_SQRT_2;

use rand::Rng;
use rand_distr::{
    Distribution, Exp1, LogNormal, Normal, Open01, StandardNormal, StandardUniform, Triangular,
    Uniform,
};

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

/// Why a distribution is invalid. `param` is the parameter's name ("min", "sd", "dist", "weights", ...), so the caller can point at it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DistError {
    /// The offending parameter, spelled as in the scenario file.
    pub param: &'static str,
    /// A complete sentence fragment for the user, without the location prefix.
    pub message: String,
}

fn err(param: &'static str, message: String) -> DistError {
    DistError { param, message }
}

/// A validated distribution, ready to sample (precompute whatever sampling needs, e.g. rand_distr objects, normal-CDF bounds, cumulative weights).
#[derive(Clone, Debug)]
pub struct Dist {
    shape: Shape,
    sampler: Sampler,
    lo: f64,
    hi: f64,
}

/// The parameters as the user wrote them, kept only for `describe`.
#[derive(Clone, Debug)]
enum Shape {
    Fixed {
        value: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    LogNormal {
        median: f64,
        sigma: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
    },
    Discrete {
        values: Box<[f64]>,
        weights: Box<[f64]>,
    },
}

/// What `sample` actually runs; degenerate parameters (zero width, zero sigma) collapse to `Point`
/// so that no sampler ever divides by a zero range.
#[derive(Clone, Debug)]
enum Sampler {
    Point(f64),
    Uniform {
        u: Uniform<f64>,
        min: f64,
        max: f64,
    },
    Triangular {
        t: Triangular<f64>,
        min: f64,
        max: f64,
    },
    /// `min + range * Beta(alpha, beta)`: the plain beta has `min = 0, range = 1`, pert is a scaled beta.
    ScaledBeta {
        b: FastBeta,
        min: f64,
        range: f64,
        max: f64,
    },
    Normal(Normal<f64>),
    TruncNormal(TruncNormal),
    LogNormal(LogNormal<f64>),
    Discrete {
        values: Box<[f64]>,
        cum: Box<[f64]>,
        last: usize,
    },
}

const NAMES: &str = "fixed, uniform, triangular, pert, normal, lognormal, beta, discrete";

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

fn finite(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(err(param, format!("{param} must be finite, got {v}")))
    }
}

fn required(spec: &DistSpec, dist: &str, param: &'static str) -> Result<f64, DistError> {
    match spec.scalar(param) {
        Some(v) => finite(param, v),
        None => Err(err(param, format!("{dist} needs \"{param}\""))),
    }
}

fn optional(spec: &DistSpec, param: &'static str) -> Result<Option<f64>, DistError> {
    spec.scalar(param).map(|v| finite(param, v)).transpose()
}

/// Checks `min <= max` and that the width is representable, which every bounded sampler needs.
fn check_range(min: f64, max: f64) -> Result<(), DistError> {
    if min > max {
        return Err(err(
            "min",
            format!("min ({min}) must not exceed max ({max})"),
        ));
    }
    if !(max - min).is_finite() {
        return Err(err(
            "max",
            format!("max - min must be finite, but min ({min}) and max ({max}) are too far apart"),
        ));
    }
    Ok(())
}

fn check_mode(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    if mode < min || mode > max {
        return Err(err(
            "mode",
            format!("mode ({mode}) must lie within [min, max] = [{min}, {max}]"),
        ));
    }
    Ok(())
}

fn positive(param: &'static str, v: f64) -> Result<f64, DistError> {
    if v > 0.0 {
        Ok(v)
    } else {
        Err(err(param, format!("{param} must be > 0, got {v}")))
    }
}

impl Dist {
    /// A point mass at `value`, which must be finite (a plain number in a scenario means this).
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        let value = finite("value", value)?;
        Ok(Self::point(Shape::Fixed { value }, value))
    }

    fn point(shape: Shape, value: f64) -> Dist {
        Dist {
            shape,
            sampler: Sampler::Point(value),
            lo: value,
            hi: value,
        }
    }

    /// Validates a scenario's distribution; the error names the first offending parameter.
    pub fn from_spec(spec: &DistSpec) -> Result<Dist, DistError> {
        let name = spec.dist.as_str();
        let Some((req, opt)) = params_of(name) else {
            return Err(err(
                "dist",
                format!("unknown distribution \"{name}\"; expected one of {NAMES}"),
            ));
        };
        for (param, given) in spec.given() {
            if given && !req.contains(&param) && !opt.contains(&param) {
                let takes = if opt.is_empty() {
                    req.join(", ")
                } else {
                    format!("{} and optionally {}", req.join(", "), opt.join(", "))
                };
                return Err(err(
                    param,
                    format!("\"{param}\" is not a parameter of {name} (it takes {takes})"),
                ));
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
                    return Err(err(
                        "min",
                        format!("min ({lo}) must be less than max ({hi})"),
                    ));
                }
                Ok(Self::normal(mean, sd, min, max))
            }
            "lognormal" => {
                let median = positive("median", required(spec, name, "median")?)?;
                let sigma = required(spec, name, "sigma")?;
                if sigma < 0.0 {
                    return Err(err("sigma", format!("sigma must be >= 0, got {sigma}")));
                }
                Ok(Self::lognormal(median, sigma))
            }
            "beta" => {
                let alpha = positive("alpha", required(spec, name, "alpha")?)?;
                let beta = positive("beta", required(spec, name, "beta")?)?;
                let b = FastBeta::new(alpha, beta);
                Ok(Dist {
                    shape: Shape::Beta { alpha, beta },
                    sampler: Sampler::ScaledBeta {
                        b,
                        min: 0.0,
                        range: 1.0,
                        max: 1.0,
                    },
                    lo: 0.0,
                    hi: 1.0,
                })
            }
            "discrete" => {
                let values = spec
                    .values
                    .as_deref()
                    .ok_or_else(|| err("values", "discrete needs \"values\"".into()))?;
                let weights = spec
                    .weights
                    .as_deref()
                    .ok_or_else(|| err("weights", "discrete needs \"weights\"".into()))?;
                Self::discrete(values, weights)
            }
            _ => unreachable!("params_of accepted {name}"),
        }
    }

    fn uniform(min: f64, max: f64) -> Dist {
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

    fn triangular(min: f64, mode: f64, max: f64) -> Dist {
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

    fn pert(min: f64, mode: f64, max: f64) -> Dist {
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

    fn normal(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> Dist {
        let shape = Shape::Normal { mean, sd, min, max };
        if min.is_none() && max.is_none() {
            return Dist {
                shape,
                sampler: Sampler::Normal(Normal::new(mean, sd).expect("sd checked finite")),
                lo: f64::NEG_INFINITY,
                hi: f64::INFINITY,
            };
        }
        let tn = TruncNormal::new(
            mean,
            sd,
            min.unwrap_or(f64::NEG_INFINITY),
            max.unwrap_or(f64::INFINITY),
        );
        Dist {
            shape,
            lo: tn.lo,
            hi: tn.hi,
            sampler: Sampler::TruncNormal(tn),
        }
    }

    fn lognormal(median: f64, sigma: f64) -> Dist {
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

    fn discrete(values: &[f64], weights: &[f64]) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(err(
                "values",
                "discrete needs at least one value in \"values\"".into(),
            ));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(err("values", format!("values must be finite, got {v}")));
        }
        if weights.len() != values.len() {
            return Err(err(
                "weights",
                format!(
                    "weights must have the same length as values ({} vs {})",
                    weights.len(),
                    values.len()
                ),
            ));
        }
        if let Some(w) = weights.iter().find(|w| w.is_nan() || w.is_infinite()) {
            return Err(err("weights", format!("weights must be finite, got {w}")));
        }
        if weights.iter().any(|&w| w < 0.0) || weights.iter().all(|&w| w == 0.0) {
            return Err(err("weights", "weights must be >= 0 and not all 0".into()));
        }
        let mut cum = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for &w in weights {
            total += w;
            cum.push(total);
        }
        if !total.is_finite() {
            return Err(err(
                "weights",
                format!("weights must have a finite sum, got {total}"),
            ));
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

    /// One draw; always finite and within [`Dist::support`].
    #[inline(always)]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Beta and PERT, nearly every draw of a trial, inline; the rest behind a call, so
        // that their code does not weigh on every draw (it made this a large function whose
        // entry and exit cost a Beta draw a fifth of its instructions).
        if let Sampler::ScaledBeta {
            b: FastBeta::Strips(strips),
            min,
            range,
            max,
        } = &self.sampler
        {
            return (min + range * strips.sample(rng)).clamp(*min, *max);
        }
        self.sample_other(rng)
    }

    #[inline(never)]
    fn sample_other<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Sampler::Point(v) => *v,
            // rand's float Uniform may round up to `max`; clamp keeps the documented bound exact.
            Sampler::Uniform { u, min, max } => u.sample(rng).clamp(*min, *max),
            Sampler::Triangular { t, min, max } => t.sample(rng).clamp(*min, *max),
            Sampler::ScaledBeta { b, min, range, max } => {
                (min + range * b.sample(rng)).clamp(*min, *max)
            }
            Sampler::Normal(n) => n.sample(rng).clamp(-f64::MAX, f64::MAX),
            Sampler::TruncNormal(tn) => tn.sample(rng),
            Sampler::LogNormal(ln) => ln.sample(rng).min(f64::MAX),
            Sampler::Discrete { values, cum, last } => {
                let u: f64 = StandardUniform.sample(rng);
                // First index whose cumulative weight exceeds u: zero-weight entries are never
                // chosen, and `last` catches u rounding up to the total.
                let i = cum.partition_point(|&c| c <= u).min(*last);
                values[i]
            }
        }
    }

    /// Smallest and largest value a draw can take (may be infinite), used e.g. to check that a conversion rate lies within [0, 1].
    pub fn support(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// A short human description, e.g. "triangular(min 300000, mode 400000, max 500000)".
    pub fn describe(&self) -> String {
        match &self.shape {
            Shape::Fixed { value } => format!("fixed(value {value})"),
            Shape::Uniform { min, max } => format!("uniform(min {min}, max {max})"),
            Shape::Triangular { min, mode, max } => {
                format!("triangular(min {min}, mode {mode}, max {max})")
            }
            Shape::Pert { min, mode, max } => format!("pert(min {min}, mode {mode}, max {max})"),
            Shape::Normal { mean, sd, min, max } => {
                let mut s = format!("normal(mean {mean}, sd {sd}");
                if let Some(min) = min {
                    s += &format!(", min {min}");
                }
                if let Some(max) = max {
                    s += &format!(", max {max}");
                }
                s + ")"
            }
            Shape::LogNormal { median, sigma } => {
                format!("lognormal(median {median}, sigma {sigma})")
            }
            Shape::Beta { alpha, beta } => format!("beta(alpha {alpha}, beta {beta})"),
            Shape::Discrete { values, weights } => {
                let list = |xs: &[f64]| {
                    let items: Vec<String> = xs.iter().map(f64::to_string).collect();
                    items.join(", ")
                };
                format!(
                    "discrete(values [{}], weights [{}])",
                    list(values),
                    list(weights)
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Truncated normal.
//
// The sampler works in standard units z = (x - mean) / sd on [a, b]. If the interval lies wholly
// below 0 it is mirrored, so that every tail handled below is an upper tail and every CDF value
// used is a small upper-tail probability (computed directly, never as 1 - something). Three
// regimes, chosen once at construction:
//
// * the interval holds at least half the mass: plain rejection from the untruncated normal
//   (at most two ziggurat draws on average, much cheaper than an inverse CDF);
// * a moderate interval (lower end below TAIL_START): inverse CDF on [Q(b), Q(a)] with the
//   upper-tail function Q, or on [Phi(a), Phi(b)] when the interval straddles 0;
// * a far tail (a >= TAIL_START): the exponential rejection sampler of C. P. Robert, "Simulation
//   of truncated normal variables", Statistics and Computing 5 (1995) 121-125, with the
//   proposal truncated to the interval's width. It draws the offset from the bound, so it stays
//   exact however far out the interval is, where Q(a) would underflow.
//
// Two degenerate cases are caught first: a bound so many sd out that (bound - mean) / sd
// overflows (a point mass at that bound), and an interval so narrow that the density is flat
// across it to 1e-12 (uniform). Every draw is finally clamped to [min, max].
// ---------------------------------------------------------------------------------------------

/// From this much mass in the interval up, plain rejection from the full normal is used.
const REJECT_MASS: f64 = 0.5;
/// From here on the interval is a far tail for Robert's sampler: its one-sided acceptance rate
/// is 0.96 at a = 3 and rises with a, while the inverse CDF would need ever smaller Q(a).
const TAIL_START: f64 = 3.0;
/// Rejection with mass >= 1/2 fails this often with probability <= 2^-64; then the exact inverse
/// CDF finishes the draw, so the loop is bounded without biasing the result.
const MAX_REJECTIONS: u32 = 64;

#[derive(Clone, Debug)]
struct TruncNormal {
    mean: f64,
    sd: f64,
    /// The bounds in the user's units (infinite when absent).
    lo: f64,
    hi: f64,
    /// The standardised interval was mirrored: z' = -z, and the near bound is `hi`.
    flip: bool,
    method: TnMethod,
}

#[derive(Clone, Copy, Debug)]
enum TnMethod {
    /// The standardised interval is so far out that the whole mass sits at `x`.
    Point(f64),
    /// So narrow that the density varies by under 1e-12 across it: uniform on [lo, hi]. The
    /// inverse CDF would otherwise be limited by the spacing of doubles near its base.
    Flat,
    /// Rejection on the unmirrored standardised interval [a, b].
    Reject {
        a: f64,
        b: f64,
        inv: InverseCdf,
    },
    Inverse(InverseCdf),
    /// Robert's sampler on the offset t = z' - a in [0, w]: proposal rate `lambda`, optimal point
    /// of the acceptance ratio `d` (= lambda - a), `c` = 1 - exp(-lambda w), and `slack` the
    /// squared distance from `d` to the interval so the ratio peaks at exactly 1.
    Tail {
        lambda: f64,
        d: f64,
        c: f64,
        w: f64,
        slack: f64,
    },
}

/// z' = +/- Phi^{-1}(base + U * width), U uniform on (0, 1).
#[derive(Clone, Copy, Debug)]
struct InverseCdf {
    base: f64,
    width: f64,
    /// base and width are upper-tail probabilities Q, so the quantile is negated.
    upper: bool,
}

impl InverseCdf {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        // base + width can round to 1 when the interval reaches +infinity; the quantile of 1 is
        // infinite, so stay strictly inside (0, 1).
        let p = (self.base + self.width * u).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
        let z = norm_inv(p);
        if self.upper { -z } else { z }
    }
}

impl TruncNormal {
    /// `lo < hi` (either may be infinite), `sd > 0`, all finite where given.
    fn new(mean: f64, sd: f64, lo: f64, hi: f64) -> TruncNormal {
        let a0 = (lo - mean) / sd;
        let b0 = (hi - mean) / sd;
        let flip = b0 <= 0.0;
        let (a, b) = if flip { (-b0, -a0) } else { (a0, b0) };
        let w = (hi - lo) / sd;
        let mid = a + 0.5 * w;
        let method = if a == f64::INFINITY {
            // (near bound - mean) / sd overflowed: the mass is within rounding of the near bound.
            TnMethod::Point(if flip { hi } else { lo })
        } else if w < 1e-6 && mid.abs() * w < 1e-12 {
            TnMethod::Flat
        } else if a >= TAIL_START {
            let d = 2.0 / (a + a.hypot(2.0));
            let lambda = a + d;
            let c = if w.is_finite() {
                -(-lambda * w).exp_m1()
            } else {
                1.0
            };
            let m = d.min(w);
            TnMethod::Tail {
                lambda,
                d,
                c,
                w,
                slack: (m - d) * (m - d),
            }
        } else {
            let (inv, mass) = if a >= 0.0 {
                let qa = upper_tail(a);
                let qb = upper_tail(b);
                let inv = InverseCdf {
                    base: qb,
                    width: qa - qb,
                    upper: true,
                };
                (inv, qa - qb)
            } else {
                // erf(b) + erf(|a|) adds two positive terms, so even a narrow interval around 0
                // gets its mass without cancellation.
                let mass = 0.5 * (erf_pos(b * FRAC_1_SQRT_2) + erf_pos(-a * FRAC_1_SQRT_2));
                let inv = InverseCdf {
                    base: upper_tail(-a),
                    width: mass,
                    upper: false,
                };
                (inv, mass)
            };
            if mass >= REJECT_MASS {
                TnMethod::Reject { a: a0, b: b0, inv }
            } else {
                TnMethod::Inverse(inv)
            }
        };
        TruncNormal {
            mean,
            sd,
            lo,
            hi,
            flip,
            method,
        }
    }

    #[inline]
    fn unstandardize(&self, z: f64) -> f64 {
        let z = if self.flip { -z } else { z };
        self.mean + self.sd * z
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self.method {
            TnMethod::Point(x) => x,
            TnMethod::Flat => {
                let u: f64 = StandardUniform.sample(rng);
                self.lo + (self.hi - self.lo) * u
            }
            TnMethod::Reject { a, b, inv } => {
                let mut tries = 0;
                loop {
                    let z: f64 = StandardNormal.sample(rng);
                    if a <= z && z <= b {
                        break self.mean + self.sd * z;
                    }
                    tries += 1;
                    if tries == MAX_REJECTIONS {
                        break self.unstandardize(inv.sample(rng));
                    }
                }
            }
            TnMethod::Inverse(inv) => self.unstandardize(inv.sample(rng)),
            TnMethod::Tail {
                lambda,
                d,
                c,
                w,
                slack,
            } => {
                let t = loop {
                    // Inverse CDF of the exponential truncated to [0, w]; u < 1 keeps it finite.
                    let u: f64 = StandardUniform.sample(rng);
                    let t = (-(-u * c).ln_1p() / lambda).min(w);
                    let e: f64 = Exp1.sample(rng);
                    // Accept with probability exp(-((t - d)^2 - slack) / 2) (Robert 1995).
                    if 2.0 * e >= (t - d) * (t - d) - slack {
                        break t;
                    }
                };
                // Offset from the near bound, so a bound far from the mean loses no precision.
                if self.flip {
                    self.hi - self.sd * t
                } else {
                    self.lo + self.sd * t
                }
            }
        };
        x.clamp(self.lo, self.hi)
    }
}

// ---------------------------------------------------------------------------------------------
// Normal CDF and quantile (std has no erf).
// ---------------------------------------------------------------------------------------------

/// Q(z) = P(Z > z), accurate to about 1e-15 relative for all z (tiny in the upper tail, not 1 - Phi).
fn upper_tail(z: f64) -> f64 {
    0.5 * erfc(z * FRAC_1_SQRT_2)
}

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631-637; the coefficient sets of Netlib specfun CALERF. A/B: erf on [0, 0.46875]; C/D:
// erfcx on (0.46875, 4]; P/Q: erfcx on (4, inf). Digits kept as published.
#[allow(clippy::excessive_precision)]
const CODY_A: [f64; 5] = [
    3.16112374387056560e0,
    1.13864154151050156e2,
    3.77485237685302021e2,
    3.20937758913846947e3,
    1.85777706184603153e-1,
];
#[allow(clippy::excessive_precision)]
const CODY_B: [f64; 4] = [
    2.36012909523441209e1,
    2.44024637934444173e2,
    1.28261652607737228e3,
    2.84423683343917062e3,
];
#[allow(clippy::excessive_precision)]
const CODY_C: [f64; 9] = [
    5.64188496988670089e-1,
    8.88314979438837594e0,
    6.61191906371416295e1,
    2.98635138197400131e2,
    8.81952221241769090e2,
    1.71204761263407058e3,
    2.05107837782607147e3,
    1.23033935479799725e3,
    2.15311535474403846e-8,
];
#[allow(clippy::excessive_precision)]
const CODY_D: [f64; 8] = [
    1.57449261107098347e1,
    1.17693950891312499e2,
    5.37181101862009858e2,
    1.62138957456669019e3,
    3.29079923573345963e3,
    4.36261909014324716e3,
    3.43936767414372164e3,
    1.23033935480374942e3,
];
#[allow(clippy::excessive_precision)]
const CODY_P: [f64; 6] = [
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
];
#[allow(clippy::excessive_precision)]
const CODY_Q: [f64; 5] = [
    2.56852019228982242e0,
    1.87295284992346047e0,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
];
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
const ERF_SMALL: f64 = 0.468_75;

/// erf(x) for |x| <= 0.46875, where it is x times a rational function of x^2.
fn erf_small(x: f64) -> f64 {
    let z = x * x;
    let mut num = CODY_A[4] * z;
    let mut den = z;
    for i in 0..3 {
        num = (num + CODY_A[i]) * z;
        den = (den + CODY_B[i]) * z;
    }
    x * (num + CODY_A[3]) / (den + CODY_B[3])
}

/// erfcx(x) = exp(x^2) erfc(x) for x > 0.46875 (bounded, never overflows).
fn erfcx_large(x: f64) -> f64 {
    if x <= 4.0 {
        let mut num = CODY_C[8] * x;
        let mut den = x;
        for i in 0..7 {
            num = (num + CODY_C[i]) * x;
            den = (den + CODY_D[i]) * x;
        }
        (num + CODY_C[7]) / (den + CODY_D[7])
    } else {
        let z = 1.0 / (x * x);
        let mut num = CODY_P[5] * z;
        let mut den = z;
        for i in 0..4 {
            num = (num + CODY_P[i]) * z;
            den = (den + CODY_Q[i]) * z;
        }
        (FRAC_1_SQRT_PI - z * (num + CODY_P[4]) / (den + CODY_Q[4])) / x
    }
}

/// erfc(x) with full relative accuracy in the upper tail.
fn erfc(x: f64) -> f64 {
    let y = x.abs();
    if y <= ERF_SMALL {
        return 1.0 - erf_small(x);
    }
    let r = if y >= 27.3 {
        // erfc underflows past here (and inf would make the split below NaN).
        0.0
    } else {
        // Cody's split of exp(-y^2) into an exact-ish part and a small correction, so the
        // rounding error of y*y is not amplified by the exponential.
        let ysq = (y * 16.0).trunc() / 16.0;
        let del = (y - ysq) * (y + ysq);
        (-ysq * ysq).exp() * (-del).exp() * erfcx_large(y)
    };
    if x < 0.0 { 2.0 - r } else { r }
}

/// erf(x) for x >= 0 (including +inf).
fn erf_pos(x: f64) -> f64 {
    if x <= ERF_SMALL {
        erf_small(x)
    } else {
        1.0 - erfc(x)
    }
}

// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied
// Statistics 37 (1988) 477-484 (PPND16, about 1e-16 relative accuracy, so no refinement step).
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
];

fn horner(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// Phi^{-1}(p), infinite at p = 0 or 1. Callers pass the smaller tail probability so the tail
/// branch never sees a p rounded towards 1.
fn norm_inv(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&AS241_A, r) / horner(&AS241_B, r);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let v = if r <= 5.0 {
        let r = r - 1.6;
        horner(&AS241_C, r) / horner(&AS241_D, r)
    } else {
        let r = r - 5.0;
        horner(&AS241_E, r) / horner(&AS241_F, r)
    };
    if q < 0.0 { -v } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use std::f64::consts::SQRT_2;

    fn rng(seed: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(seed)
    }

    fn spec(dist: &str) -> DistSpec {
        DistSpec {
            dist: dist.into(),
            ..DistSpec::default()
        }
    }

    fn tri(min: f64, mode: f64, max: f64) -> DistSpec {
        DistSpec {
            min: Some(min),
            mode: Some(mode),
            max: Some(max),
            ..spec("triangular")
        }
    }

    fn normal(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> DistSpec {
        DistSpec {
            mean: Some(mean),
            sd: Some(sd),
            min,
            max,
            ..spec("normal")
        }
    }

    fn discrete(values: &[f64], weights: &[f64]) -> DistSpec {
        DistSpec {
            values: Some(values.to_vec()),
            weights: Some(weights.to_vec()),
            ..spec("discrete")
        }
    }

    fn bad(s: &DistSpec, param: &str, message: &str) {
        let e = Dist::from_spec(s).expect_err("spec should be rejected");
        assert_eq!(e.param, param, "{e}");
        assert_eq!(e.message, message);
        assert_eq!(e.to_string(), message);
    }

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
        assert_eq!(
            Dist::fixed(f64::NAN).unwrap_err(),
            err("value", "value must be finite, got NaN".into())
        );
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
        assert_eq!(e.param, "max");
        assert!(e.message.starts_with("max - min must be finite"), "{e}");
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

    // ---- point masses and description ----

    #[test]
    fn degenerate_parameters_are_point_masses() {
        let u = DistSpec {
            min: Some(3.0),
            max: Some(3.0),
            ..spec("uniform")
        };
        let p = DistSpec {
            dist: "pert".into(),
            ..tri(3.0, 3.0, 3.0)
        };
        let ln = DistSpec {
            median: Some(3.0),
            sigma: Some(0.0),
            ..spec("lognormal")
        };
        let mut r = rng(1);
        for s in [u, tri(3.0, 3.0, 3.0), p, ln] {
            let d = Dist::from_spec(&s).unwrap();
            assert_eq!(d.support(), (3.0, 3.0));
            for _ in 0..100 {
                assert_eq!(d.sample(&mut r), 3.0);
            }
        }
        let d = Dist::fixed(7.5).unwrap();
        assert_eq!((d.sample(&mut r), d.support()), (7.5, (7.5, 7.5)));
    }

    #[test]
    fn describes_parameters() {
        let d = Dist::from_spec(&tri(300000.0, 400000.0, 500000.0)).unwrap();
        assert_eq!(
            d.describe(),
            "triangular(min 300000, mode 400000, max 500000)"
        );
        let d = Dist::from_spec(&normal(10.0, 2.5, Some(0.0), None)).unwrap();
        assert_eq!(d.describe(), "normal(mean 10, sd 2.5, min 0)");
        let d = Dist::from_spec(&discrete(&[1.0, 2.0], &[0.25, 0.75])).unwrap();
        assert_eq!(
            d.describe(),
            "discrete(values [1, 2], weights [0.25, 0.75])"
        );
        assert_eq!(Dist::fixed(0.5).unwrap().describe(), "fixed(value 0.5)");
    }

    // ---- numerics ----

    // Reference values from mpmath (30-digit arithmetic), kept at 17 significant digits.
    #[allow(clippy::excessive_precision)]
    #[test]
    fn erfc_and_quantile_match_reference_values() {
        let cases = [
            (0.1, 0.887_537_083_981_715_1),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_13),
            (3.0, 2.209_049_699_858_544e-5),
            (10.0, 2.088_487_583_762_545e-45),
            (-1.0, 1.842_700_792_949_715),
        ];
        for (x, want) in cases {
            let got = erfc(x);
            assert!(((got - want) / want).abs() < 1e-14, "erfc({x}) = {got}");
        }
        for p in [1e-300, 1e-20, 1e-5, 0.01, 0.2, 0.5, 0.7, 0.975] {
            let z = norm_inv(p);
            let back = if z > 0.0 {
                1.0 - upper_tail(z)
            } else {
                upper_tail(-z)
            };
            // Phi amplifies a relative error e in z by z^2: allow for that conditioning.
            let tol = 1e-14 * (1.0 + z * z);
            assert!(
                ((back - p) / p).abs() < tol,
                "Phi(Phi^-1({p:e})) = {back:e}"
            );
        }
        assert!((norm_inv(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((SQRT_2 * FRAC_1_SQRT_2 - 1.0).abs() < 1e-15);
    }

    // ---- statistics ----

    const N: usize = 200_000;

    /// Draws `n` values, asserting each lies within the support.
    fn draws(d: &Dist, seed: u64, n: usize) -> Vec<f64> {
        let (lo, hi) = d.support();
        let mut r = rng(seed);
        (0..n)
            .map(|_| {
                let x = d.sample(&mut r);
                assert!(
                    x.is_finite() && lo <= x && x <= hi,
                    "{x} outside [{lo}, {hi}] for {}",
                    d.describe()
                );
                x
            })
            .collect()
    }

    /// Sample mean within 4 standard errors (from the exact sd) of the exact mean.
    fn assert_mean(d: &Dist, xs: &[f64], exact_mean: f64, exact_sd: f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let se = exact_sd / n.sqrt();
        assert!(
            (mean - exact_mean).abs() <= 4.0 * se,
            "{}: sample mean {mean} vs exact {exact_mean} (4 SE = {})",
            d.describe(),
            4.0 * se
        );
    }

    /// Sample variance within `rel` of the exact variance.
    fn assert_var(d: &Dist, xs: &[f64], exact_var: f64, rel: f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        assert!(
            ((var - exact_var) / exact_var).abs() <= rel,
            "{}: sample variance {var} vs exact {exact_var}",
            d.describe()
        );
    }

    /// Kolmogorov-Smirnov statistic below 1.95 / sqrt(n) (p about 0.001).
    fn assert_ks(d: &Dist, mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        let mut dmax: f64 = 0.0;
        for (i, &x) in xs.iter().enumerate() {
            let f = cdf(x);
            dmax = dmax.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
        }
        let crit = 1.95 / n.sqrt();
        assert!(dmax < crit, "{}: KS D = {dmax} >= {crit}", d.describe());
    }

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

    #[test]
    fn normal_statistics() {
        let d = Dist::from_spec(&normal(50.0, 10.0, None, None)).unwrap();
        assert_eq!(d.support(), (f64::NEG_INFINITY, f64::INFINITY));
        let xs = draws(&d, 17, N);
        assert_mean(&d, &xs, 50.0, 10.0);
        assert_var(&d, &xs, 100.0, 0.02);
        assert_ks(&d, xs, |x| 1.0 - upper_tail((x - 50.0) / 10.0));
    }

    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

    fn std_pdf(z: f64) -> f64 {
        FRAC_1_SQRT_2PI * (-0.5 * z * z).exp()
    }

    /// Exact CDF, mean and sd of the normal(mean, sd) conditioned on [lo, hi].
    fn tn_exact(mean: f64, sd: f64, lo: f64, hi: f64) -> (impl Fn(f64) -> f64, f64, f64) {
        let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
        // Upper-tail form when the interval is right of 0, so the test itself stays accurate.
        let g = move |z: f64| {
            if a >= 0.0 {
                -upper_tail(z)
            } else {
                1.0 - upper_tail(z)
            }
        };
        let mass = g(b) - g(a);
        let pdf = |z: f64| if z.is_finite() { std_pdf(z) } else { 0.0 };
        let za = |z: f64| if z.is_finite() { z * std_pdf(z) } else { 0.0 };
        let ez = (pdf(a) - pdf(b)) / mass;
        let var = 1.0 + (za(a) - za(b)) / mass - ez * ez;
        let cdf = move |x: f64| (g((x - mean) / sd) - g(a)) / mass;
        (cdf, mean + sd * ez, sd * var.sqrt())
    }

    fn regime(d: &Dist) -> &'static str {
        match &d.sampler {
            Sampler::TruncNormal(tn) => match tn.method {
                TnMethod::Point(_) => "point",
                TnMethod::Flat => "flat",
                TnMethod::Reject { .. } => "reject",
                TnMethod::Inverse(_) => "inverse",
                TnMethod::Tail { .. } => "tail",
            },
            _ => "not truncated",
        }
    }

    fn check_truncated(
        mean: f64,
        sd: f64,
        lo: Option<f64>,
        hi: Option<f64>,
        seed: u64,
        want_regime: &str,
    ) {
        let d = Dist::from_spec(&normal(mean, sd, lo, hi)).unwrap();
        assert_eq!(regime(&d), want_regime, "{}", d.describe());
        let (lo, hi) = (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY));
        assert_eq!(d.support(), (lo, hi));
        let (cdf, m, s) = tn_exact(mean, sd, lo, hi);
        let xs = draws(&d, seed, N);
        assert_mean(&d, &xs, m, s);
        assert_var(&d, &xs, s * s, 0.03);
        assert_ks(&d, xs, cdf);
    }

    #[test]
    fn truncated_normal_central_interval() {
        // Most of the mass: the rejection regime.
        check_truncated(100.0, 20.0, Some(80.0), Some(150.0), 21, "reject");
        check_truncated(100.0, 20.0, Some(60.0), None, 22, "reject");
    }

    #[test]
    fn truncated_normal_moderate_intervals() {
        // Inverse-CDF regime: an upper interval, a lower (mirrored) one and one straddling the mean.
        check_truncated(0.0, 1.0, Some(1.0), Some(2.5), 23, "inverse");
        check_truncated(0.0, 1.0, None, Some(-1.5), 24, "inverse");
        check_truncated(5.0, 2.0, Some(4.8), Some(5.5), 25, "inverse");
    }

    #[test]
    fn truncated_normal_far_tails() {
        // Robert's regime, including intervals whose mass underflows a double.
        check_truncated(0.0, 1.0, Some(4.0), Some(6.0), 26, "tail");
        check_truncated(10.0, 1.0, Some(4.0), Some(6.0), 27, "tail");
        check_truncated(0.0, 1.0, Some(8.0), None, 28, "tail");
        let d = Dist::from_spec(&normal(0.0, 1.0, Some(50.0), Some(50.5))).unwrap();
        // Check against the asymptotic series E[z] = a + 1/a - 2/a^3 + 10/a^5 + O(a^-7) and
        // sd = 1/a + O(a^-3) (the upper end at 50.5 cuts off exp(-25) of the mass).
        let series = 50.0 + 1.0 / 50.0 - 2.0 / 50f64.powi(3) + 10.0 / 50f64.powi(5);
        let xs = draws(&d, 29, N);
        assert_mean(&d, &xs, series, 1.0 / 50.0);
    }

    #[test]
    fn truncated_normal_inverse_fallback_is_exact() {
        // The bounded-rejection fallback of the central regime, exercised directly.
        let (mean, sd, lo, hi) = (100.0, 20.0, 80.0, 150.0);
        let d = Dist::from_spec(&normal(mean, sd, Some(lo), Some(hi))).unwrap();
        let Sampler::TruncNormal(tn) = &d.sampler else {
            panic!("not truncated")
        };
        let TnMethod::Reject { inv, .. } = tn.method else {
            panic!("expected the rejection regime")
        };
        let mut r = rng(30);
        let xs: Vec<f64> = (0..N)
            .map(|_| tn.unstandardize(inv.sample(&mut r)))
            .collect();
        assert!(xs.iter().all(|&x| (lo - 1e-9..=hi + 1e-9).contains(&x)));
        let (cdf, _, _) = tn_exact(mean, sd, lo, hi);
        assert_ks(&d, xs, cdf);
    }

    #[test]
    fn truncated_normal_extremes_stay_in_bounds() {
        let cases = [
            normal(0.0, 1.0, Some(1e6), None),
            normal(0.0, 1.0, None, Some(-1e300)),
            normal(0.0, 1e-300, Some(1.0), Some(2.0)),
            normal(1e20, 1.0, Some(1.0), Some(2.0)),
            normal(0.0, 1.0, Some(40.0), Some(40.000_000_1)),
            normal(0.0, 1.0, Some(-1e-12), Some(1e-12)),
            normal(0.0, 1e300, Some(-1.0), Some(1.0)),
        ];
        for s in cases {
            draws(&Dist::from_spec(&s).unwrap(), 31, 2_000);
        }
    }

    #[test]
    fn same_seed_same_draws() {
        let specs = [
            tri(0.0, 1.0, 3.0),
            normal(0.0, 1.0, Some(4.0), Some(6.0)),
            normal(0.0, 1.0, Some(1.0), Some(2.0)),
            discrete(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]),
        ];
        for s in specs {
            let d = Dist::from_spec(&s).unwrap();
            let (mut r1, mut r2) = (rng(99), rng(99));
            let a: Vec<u64> = (0..1000).map(|_| d.sample(&mut r1).to_bits()).collect();
            let b: Vec<u64> = (0..1000).map(|_| d.sample(&mut r2).to_bits()).collect();
            assert_eq!(a, b, "{}", d.describe());
            let mut r3 = rng(100);
            let c: Vec<u64> = (0..1000).map(|_| d.sample(&mut r3).to_bits()).collect();
            assert_ne!(a, c);
        }
    }
}
