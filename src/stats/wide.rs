//! 256-bit unsigned arithmetic, just enough to form n·Σx² − (Σx)² exactly.

/// A 256-bit value as (high, low) 128-bit halves.
pub type U256 = (u128, u128);

/// The full 256-bit product of two 128-bit values.
pub fn mul(a: u128, b: u128) -> U256 {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let middle = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let low = (middle << 64) | (p00 & MASK);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
    (high, low)
}

/// `a - b`, or 0 when b > a.
pub fn sub(a: U256, b: U256) -> U256 {
    if b > a {
        return (0, 0);
    }
    let (low, borrow) = a.1.overflowing_sub(b.1);
    (a.0 - b.0 - u128::from(borrow), low)
}

/// The value as the nearest-below f64 (exact enough: 53 of 256 bits).
pub fn to_f64(high: u128, low: u128) -> f64 {
    high as f64 * 2f64.powi(128) + low as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_differences() {
        assert_eq!(mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(mul(12345, 678), (0, 12345 * 678));
        assert_eq!(sub((1, 0), (0, 1)), (0, u128::MAX));
        assert_eq!(sub((0, 1), (0, 2)), (0, 0));
        assert_eq!(to_f64(1, 0), 2f64.powi(128));
    }
}
