//! The distributions of MODEL.md ("Distributions"), validated at construction and sampled without allocation.
//!
//! A scenario writes a distribution inline (`{ dist = "triangular", min = 300000, mode = 400000,
//! max = 500000 }`); the parser fills a [`DistSpec`] and [`Dist::from_spec`] validates it once, so
//! that sampling in the simulation loop never has to check anything, never fails and never
//! allocates.
//!
//! This file holds [`Dist`] and its sampling; spec.rs the parameters as written and their
//! validation; one file per family builds that family's sampler (fixed, uniform, triangular,
//! pert, normal with the truncated normal, lognormal, beta, discrete), beside its tests;
//! special.rs the normal CDF and quantile; gamma.rs and strips.rs the Beta samplers.
//!
//! For the Gaussian copula of MODEL.md ("Dependence"), every family also has its distribution
//! function and inverse ([`Dist::cdf`], [`Dist::quantile`]: quantile.rs, with the incomplete
//! beta of incbeta.rs and the Newton iteration of solve.rs) and a fast, verified map
//! z -> F^-1(Phi(z)) for the simulation loop ([`Dist::normal_map`]: normal_map.rs).

mod beta;
mod discrete;
#[cfg(test)]
mod exact;
mod fixed;
mod gamma;
mod incbeta;
#[cfg(test)]
mod inverse_tests;
mod lognormal;
mod normal;
mod normal_map;
mod pert;
mod quantile;
mod solve;
mod spec;
mod special;
mod strips;
#[cfg(test)]
mod tests;
mod triangular;
mod uniform;

use gamma::FastBeta;
use normal::TruncNormal;
use rand_distr::{Distribution, LogNormal, Normal, StandardUniform, Triangular, Uniform};

pub use normal_map::NormalMap;
pub use spec::{DistError, DistSpec};

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

/// A scaled Beta (Beta or PERT) drawn inline: `min + range × Beta`, clamped to `[min, max]`.
#[derive(Debug, Clone, Copy)]
pub struct InlineBeta<'a> {
    strips: &'a strips::Strips,
    min: f64,
    range: f64,
    max: f64,
}

impl InlineBeta<'_> {
    /// One draw, exactly as [`Dist::sample`] makes it.
    #[inline(always)]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        (self.min + self.range * self.strips.sample(rng)).clamp(self.min, self.max)
    }
}

impl Dist {
    /// One draw; always finite and within [`Dist::support`].
    #[inline(always)]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Beta and PERT, nearly every draw of a trial, inline; the rest behind a call, so
        // that their code does not weigh on every draw (it made this a large function whose
        // entry and exit cost a Beta draw a fifth of its instructions).
        if let Some(fast) = self.inline_sampler() {
            return fast.sample(rng);
        }
        self.sample_other(rng)
    }

    /// The sampler [`Dist::sample`] draws with inline (Beta and PERT), if this is one. A caller
    /// that makes its generator for one draw can give this path a generator of its own: one
    /// whose address no out-of-line call sees stays in registers through the rejection loop
    /// (else the compiler stores its state on every iteration: +1.6% of a baseline trial).
    #[inline(always)]
    pub fn inline_sampler(&self) -> Option<InlineBeta<'_>> {
        match &self.sampler {
            Sampler::ScaledBeta {
                b: FastBeta::Strips(strips),
                min,
                range,
                max,
            } => Some(InlineBeta {
                strips,
                min: *min,
                range: *range,
                max: *max,
            }),
            _ => None,
        }
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

    /// The value of a point mass (`fixed`, a plain number, or a family whose parameters leave
    /// one value); None when draws vary.
    pub fn point_mass(&self) -> Option<f64> {
        (self.lo == self.hi).then_some(self.lo)
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
