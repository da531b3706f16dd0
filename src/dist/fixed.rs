//! Point masses: the `fixed` distribution, and what the other families collapse to when their
//! parameters leave no width (so that no sampler divides by a zero range).

use super::spec::{DistError, finite};
use super::{Dist, Sampler, Shape};

impl Dist {
    /// A point mass at `value`, which must be finite (a plain number in a scenario means this).
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        let value = finite("value", value)?;
        Ok(Self::point(Shape::Fixed { value }, value))
    }

    pub(super) fn point(shape: Shape, value: f64) -> Dist {
        Dist {
            shape,
            sampler: Sampler::Point(value),
            lo: value,
            hi: value,
        }
    }
}
