//! Signed 512-bit integers, just enough for the importance sums: exact products of two `i128`
//! values added up over trials, and the products and differences of those sums that the
//! estimators' centred moments need. Overflow is reported (`None`, or a sticky flag), never
//! wrapped silently; the bounds in the parent module show it cannot happen for the values the
//! analysis admits.

/// A signed 512-bit integer in two's complement, eight 64-bit limbs, least significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct I512([u64; 8]);

impl I512 {
    /// Zero.
    pub const ZERO: I512 = I512([0; 8]);

    /// `v` widened.
    pub fn from_i128(v: i128) -> I512 {
        let fill = if v < 0 { u64::MAX } else { 0 };
        let mut l = [fill; 8];
        l[0] = v as u64;
        l[1] = (v >> 64) as u64;
        I512(l)
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.0[7] >> 63 == 1
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 8]
    }

    /// `self + other`, or None when the sum does not fit.
    pub fn checked_add(self, other: I512) -> Option<I512> {
        let sum = self.add_wrapping(other);
        // Overflow: both operands of one sign and the sum of the other.
        let (a, b, s) = (self.is_negative(), other.is_negative(), sum.is_negative());
        (a != b || a == s).then_some(sum)
    }

    /// `self - other`, or None when the difference does not fit.
    pub fn checked_sub(self, other: I512) -> Option<I512> {
        self.checked_add(other.checked_neg()?)
    }

    /// `-self`, or None for the most negative value.
    pub fn checked_neg(self) -> Option<I512> {
        let mut l = self.0.map(|x| !x);
        let mut carry = true;
        for limb in &mut l {
            let (v, c) = limb.overflowing_add(u64::from(carry));
            *limb = v;
            carry = c;
        }
        let neg = I512(l);
        (!(self.is_negative() && neg.is_negative())).then_some(neg)
    }

    /// Adds `other` in place; returns false (and leaves a wrapped value) on overflow.
    #[inline]
    pub fn add_assign(&mut self, other: I512) -> bool {
        match self.checked_add(other) {
            Some(s) => {
                *self = s;
                true
            }
            None => {
                *self = self.add_wrapping(other);
                false
            }
        }
    }

    fn add_wrapping(self, other: I512) -> I512 {
        let mut l = [0u64; 8];
        let mut carry = false;
        for (k, limb) in l.iter_mut().enumerate() {
            let (v, c1) = self.0[k].overflowing_add(other.0[k]);
            let (v, c2) = v.overflowing_add(u64::from(carry));
            *limb = v;
            carry = c1 || c2;
        }
        I512(l)
    }

    /// The sign and the limbs of the magnitude (the most negative value's magnitude, 2^511,
    /// fits the unsigned limbs).
    fn magnitude(self) -> (bool, [u64; 8]) {
        if !self.is_negative() {
            return (false, self.0);
        }
        let mut l = self.0.map(|x| !x);
        let mut carry = true;
        for limb in &mut l {
            let (v, c) = limb.overflowing_add(u64::from(carry));
            *limb = v;
            carry = c;
        }
        (true, l)
    }

    /// The value of sign `negative` and magnitude `m`, or None when it does not fit.
    fn from_magnitude(negative: bool, m: [u64; 8]) -> Option<I512> {
        let v = I512(m);
        if !v.is_negative() {
            return Some(if negative { v.checked_neg()? } else { v });
        }
        // Magnitude 2^511 or more: only -2^511 fits.
        let min = {
            let mut l = [0u64; 8];
            l[7] = 1 << 63;
            l
        };
        (negative && m == min).then_some(I512(min))
    }

    /// The exact product of two `i128` values (at most 2^254 in magnitude: always fits).
    #[inline]
    pub fn mul_i128(a: i128, b: i128) -> I512 {
        let (high, low) = crate::stats::wide::mul(a.unsigned_abs(), b.unsigned_abs());
        let m = [
            low as u64,
            (low >> 64) as u64,
            high as u64,
            (high >> 64) as u64,
            0,
            0,
            0,
            0,
        ];
        let negative = (a < 0) != (b < 0);
        I512::from_magnitude(negative, m).unwrap_or(I512::ZERO)
    }

    /// `self × other`, or None when the product does not fit.
    pub fn checked_mul(self, other: I512) -> Option<I512> {
        let (sa, ma) = self.magnitude();
        let (sb, mb) = other.magnitude();
        let mut out = [0u64; 16];
        for (i, &x) in ma.iter().enumerate() {
            if x == 0 {
                continue;
            }
            let mut carry: u128 = 0;
            for (j, &y) in mb.iter().enumerate() {
                let t = u128::from(x) * u128::from(y) + u128::from(out[i + j]) + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
            let mut k = i + 8;
            while carry != 0 {
                let t = u128::from(out[k]) + carry;
                out[k] = t as u64;
                carry = t >> 64;
                k += 1;
            }
        }
        if out[8..].iter().any(|&x| x != 0) {
            return None;
        }
        let mut m = [0u64; 8];
        m.copy_from_slice(&out[..8]);
        I512::from_magnitude(sa != sb, m)
    }

    /// The value as an f64 (within a relative 2^-52 of it).
    pub fn to_f64(self) -> f64 {
        let (negative, m) = self.magnitude();
        let mut v = 0.0;
        for &limb in m.iter().rev() {
            v = v * 18_446_744_073_709_551_616.0 + limb as f64;
        }
        if negative { -v } else { v }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(v: i128) -> I512 {
        I512::from_i128(v)
    }

    #[test]
    fn small_values_agree_with_i128() {
        let values = [0i128, 1, -1, 7, -13, 1 << 62, -(1 << 63), i64::MAX as i128];
        for &a in &values {
            for &b in &values {
                assert_eq!(big(a).checked_add(big(b)), Some(big(a + b)), "{a} + {b}");
                assert_eq!(big(a).checked_sub(big(b)), Some(big(a - b)), "{a} - {b}");
                assert_eq!(I512::mul_i128(a, b), big(a * b), "{a} × {b}");
                assert_eq!(big(a).checked_mul(big(b)), Some(big(a * b)), "{a} × {b}");
                assert_eq!(big(a).to_f64(), a as f64);
            }
        }
    }

    #[test]
    fn wide_products_and_overflow() {
        // (2^127 - 1)^2 = 2^254 - 2^128 + 1 = 2^128 (2^126 - 1) + 1, and its negative.
        let m = i128::MAX;
        let p = I512::mul_i128(m, m);
        assert_eq!(p.0[..4], [1, 0, u64::MAX, u64::MAX >> 2]);
        assert_eq!(I512::mul_i128(-m, m), p.checked_neg().unwrap());
        assert_eq!(p.to_f64(), 2f64.powi(254));
        // 2^254 · 2^254 = 2^508 fits; 2^511 does not, -2^511 does.
        let two_254 = I512::mul_i128(1 << 126, 1 << 126)
            .checked_mul(big(4))
            .unwrap();
        assert_eq!(two_254.to_f64(), 2f64.powi(254));
        let sq = two_254.checked_mul(two_254).expect("2^508 fits");
        assert_eq!(sq.to_f64(), 2f64.powi(508));
        assert!(sq.checked_mul(big(8)).is_none(), "2^511 does not fit");
        assert_eq!(
            sq.checked_mul(big(-8)).map(I512::to_f64),
            Some(-(2f64.powi(511))),
        );
        let half = sq.checked_mul(big(4)).unwrap();
        assert!(half.checked_add(half).is_none());
        assert!(
            half.checked_neg()
                .unwrap()
                .checked_add(half.checked_neg().unwrap())
                .is_some()
        );
        let mut acc = sq.checked_mul(big(7)).unwrap();
        assert!(!acc.add_assign(sq), "8 · 2^508 overflows");
        assert!(big(-1).is_negative() && !big(0).is_negative() && big(0).is_zero());
    }
}
