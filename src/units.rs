//! Chip counts and the real-to-unit conversions of MODEL.md ("Units").

/// A whole number of chips.
pub type Units = u64;

/// The largest chip count a distribution may produce (10^12, a thousand times the world's
/// yearly accelerator output): draws of unbounded distributions are capped here, which keeps
/// every sum of counts far from overflowing.
pub const MAX_UNITS: Units = 1_000_000_000_000;

/// Relative tolerance within which a real counts as the integer next to it (MODEL.md "Units").
const TOLERANCE: f64 = 1e-9;

/// The integer `x` counts as, if it lies within the tolerance of one.
fn snap(x: f64) -> Option<f64> {
    let nearest = x.round();
    ((x - nearest).abs() <= TOLERANCE * x.abs().max(1.0)).then_some(nearest)
}

/// `floor(x)` in units, where a value within 1e-9 × max(1, |x|) of an integer counts as that
/// integer first (so 0.07 × 100 floors to 7), clamped at 0 and saturating at `Units::MAX`.
pub fn floor_units(x: f64) -> Units {
    to_units(snap(x).unwrap_or_else(|| x.floor()))
}

/// `ceil(x)` in units, with the same tolerance as [`floor_units`] (so 0.07 × 100 ceils to 7).
pub fn ceil_units(x: f64) -> Units {
    to_units(snap(x).unwrap_or_else(|| x.ceil()))
}

/// `x` rounded to the nearest unit, halves away from zero, then clamped at 0 (orders, batches,
/// domestic supply) and at [`MAX_UNITS`].
pub fn round_units(x: f64) -> Units {
    to_units(x.round()).min(MAX_UNITS)
}

/// An integral real as units: negative and NaN become 0, values past the range saturate.
fn to_units(x: f64) -> Units {
    // `as` saturates at the bounds and maps NaN to 0, which is the clamp MODEL.md asks for.
    x as Units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_ceil_snap_to_near_integers() {
        assert_eq!(floor_units(0.07 * 100.0), 7);
        assert_eq!(ceil_units(0.07 * 100.0), 7);
        assert_eq!(floor_units(7.0 / 0.07), 100);
        assert_eq!(ceil_units(0.1 * 3.0 * 10.0), 3);
        assert_eq!(floor_units(6.5), 6);
        assert_eq!(ceil_units(6.5), 7);
        assert_eq!(ceil_units(6.000_001), 7);
        // The tolerance is relative for large values: 1e12 + 1e-4 is within 1e-9 × 1e12.
        assert_eq!(ceil_units(1e12 + 1e-4), 1_000_000_000_000);
    }

    #[test]
    fn rounding_takes_halves_away_from_zero_and_clamps() {
        assert_eq!(round_units(2.5), 3);
        assert_eq!(round_units(2.4999), 2);
        assert_eq!(round_units(-0.5), 0);
        assert_eq!(round_units(-1234.0), 0);
        assert_eq!(round_units(f64::NAN), 0);
        assert_eq!(round_units(1e30), MAX_UNITS);
    }
}
