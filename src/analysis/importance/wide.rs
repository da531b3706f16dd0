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

/// An exact running sum of integer terms, kept in an `i128` while it fits and carried into an
/// [`I512`] when it would not: integer addition is associative, so the total is the same bits
/// whatever the split, and a sum of small terms (the common case: chip counts far below 2^63)
/// costs one 128-bit add a term instead of an eight-limb one. Overflow of 512 bits is reported,
/// never wrapped silently: a spill returns false, and [`Acc::total`] is None when the whole does
/// not fit.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Acc {
    fast: i128,
    wide: I512,
}

impl Acc {
    /// Adds `v`; false when a carry into the wide part overflowed 512 bits.
    #[inline(always)]
    pub fn add(&mut self, v: i128) -> bool {
        match self.fast.checked_add(v) {
            Some(s) => {
                self.fast = s;
                true
            }
            None => self.spill(I512::from_i128(v)),
        }
    }

    /// Adds the exact product `a × b`: one 64-bit multiply when both fit in an `i64` (their
    /// product then fits in an `i128`), else the 256-bit product into the wide part.
    #[inline(always)]
    pub fn add_product(&mut self, a: i128, b: i128) -> bool {
        match (i64::try_from(a), i64::try_from(b)) {
            (Ok(x), Ok(y)) => self.add(i128::from(x) * i128::from(y)),
            _ => self.spill(I512::mul_i128(a, b)),
        }
    }

    /// Moves the fast part into the wide one and adds `v` there.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, v: I512) -> bool {
        let ok = self.wide.add_assign(I512::from_i128(self.fast));
        self.fast = 0;
        self.wide.add_assign(v) && ok
    }

    /// Adds another sum's terms; false on overflow of 512 bits.
    pub fn merge(&mut self, other: &Acc) -> bool {
        let ok = self.wide.add_assign(other.wide);
        self.add(other.fast) && ok
    }

    /// The sum, or None when it does not fit in 512 bits.
    pub fn total(&self) -> Option<I512> {
        self.wide.checked_add(I512::from_i128(self.fast))
    }
}

/// Two sums are equal when their totals are: how a total is split between the parts depends
/// on the order its terms came in.
impl PartialEq for Acc {
    fn eq(&self, other: &Acc) -> bool {
        self.wide.add_wrapping(I512::from_i128(self.fast))
            == other.wide.add_wrapping(I512::from_i128(other.fast))
    }
}

impl Eq for Acc {}

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

    /// An `Acc` totals exactly what an `I512` sum of the same terms does, whether its terms are
    /// small (kept in 128 bits), products past 2^127 (carried into the wide part) or a mix,
    /// in either sign, and whichever way two sums are merged.
    #[test]
    fn acc_sums_exactly_as_512_bits() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let z = (state ^ (state >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z ^ (z >> 29)
        };
        for case in 0..200 {
            // Operands of 20 to 120 bits: small products and products of 2^240.
            let bits = 20 + (case % 6) * 20;
            let mut operand = || {
                let m = (i128::from(next()) << 64 | i128::from(next())) >> (128 - bits);
                if next() % 2 == 0 { m } else { -m }
            };
            let (mut acc, mut left, mut right) = (Acc::default(), Acc::default(), Acc::default());
            let mut exact = I512::ZERO;
            for k in 0..300 {
                let (a, b) = (operand(), operand());
                let side = if k % 3 == 0 { &mut left } else { &mut right };
                if k % 2 == 0 {
                    assert!(acc.add_product(a, b) && side.add_product(a, b));
                    assert!(exact.add_assign(I512::mul_i128(a, b)));
                } else {
                    assert!(acc.add(a) && side.add(a));
                    assert!(exact.add_assign(I512::from_i128(a)));
                }
            }
            assert_eq!(acc.total(), Some(exact), "case {case}");
            let mut merged = left;
            assert!(merged.merge(&right));
            assert_eq!(merged.total(), Some(exact), "case {case}, merged");
            assert_eq!(merged, acc, "equal totals compare equal");
        }
        // i128::MAX + 1 passes 128 bits and is carried; overflow of 512 bits is reported.
        let mut acc = Acc::default();
        assert!(acc.add(i128::MAX) && acc.add(1));
        assert_eq!(
            acc.total(),
            I512::from_i128(i128::MAX).checked_add(I512::from_i128(1))
        );
        let huge = I512::mul_i128(1 << 126, 1 << 126)
            .checked_mul(I512::mul_i128(1 << 126, 1 << 126))
            .unwrap()
            .checked_mul(I512::from_i128(64))
            .unwrap(); // 2^252 · 2^252 · 2^6 = 2^510
        let mut acc = Acc {
            fast: 0,
            wide: huge,
        };
        assert!(
            !acc.merge(&Acc {
                fast: 0,
                wide: huge
            }),
            "2^511 does not fit"
        );
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
