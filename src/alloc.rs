//! The allocation rules of the claims problem (MODEL.md "Allocation rules"), exact to the unit.
//!
//! An amount `E` is split among claims `c` (O'Neill's claims problem). Each rule first defines
//! real shares `x_i` with `0 <= x_i <= c_i` and `sum x = min(E, sum c)`, then rounds them to whole
//! units by the largest-remainder method: everyone gets `floor(x_i)`, and the units still missing
//! go one each to the largest fractional parts, ties to the lower firm index, never above `c_i`.
//!
//! The rules follow Thomson (2003), "Axiomatic and game-theoretic analysis of bankruptcy and
//! taxation problems: a survey", Mathematical Social Sciences 45, 249–297 (proportional,
//! constrained equal awards, constrained equal losses, priority), and Aumann & Maschler (1985),
//! "Game theoretic analysis of a bankruptcy problem from the Talmud", Journal of Economic Theory
//! 36, 195–213 (the Talmud rule).
//!
//! Proportional, equal awards, equal losses and Talmud shares are exact rationals `n_i / D` over a
//! common `u128` denominator, so floors and remainders are exact and ties are real ties: a float
//! would misround claims near `u64::MAX` and break ties by noise. Weighted awards need real
//! weights and so use `f64`, with an integer repair step that keeps the unit invariants exact.

use crate::units::Divisor;
/// A whole number of units (of supply, claim or award).
pub use crate::units::Units;

/// Which rule splits an amount among claims, with the per-firm data it needs for this call.
///
/// Why this and [`crate::scenario::Rule`] are two enums: the allocator solves claims problems
/// and knows nothing of scenarios (the benches call it directly), and its `Order` and
/// `Weighted` borrow slices that a scenario's `Rule` cannot own, as a random priority order is
/// drawn anew each round. `Rule::Priority` and `Rule::RandomPriority` both become `Order` (the
/// firms' fixed order or the round's random one), `Rule::Weighted` becomes `Weighted` with the
/// firms' weights, and the other rules map one to one, in one function: `Model::method`
/// (src/model/mod.rs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method<'a> {
    /// Awards proportional to claims: `x_i = E * c_i / sum c`.
    Proportional,
    /// Constrained equal awards (CEA): `x_i = min(c_i, L)`.
    EqualAwards,
    /// Constrained equal losses (CEL): `x_i = max(0, c_i - L)`.
    EqualLosses,
    /// The Talmud rule of Aumann & Maschler (1985): CEA on half-claims up to half the total
    /// claim, then half-claims plus CEL on the other halves.
    Talmud,
    /// Serve claims in this order of firm indices (a permutation of 0..n), each in full while supply lasts.
    Order(&'a [usize]),
    /// Weighted equal awards with these weights (> 0, one per firm).
    Weighted(&'a [f64]),
}

/// Reusable scratch space, so allocating in a hot loop does not touch the heap after the first call with a given number of firms.
#[derive(Debug, Default, Clone)]
pub struct Allocator {
    /// Firm indices, sorted by claim (water-filling) and then by remainder (rounding).
    idx: Vec<usize>,
    /// Exact share numerators, then their remainders modulo the common denominator.
    num: Vec<u128>,
    /// Weighted rule: claim/weight ratios, then fractional parts (negative marks a capped firm).
    frac: Vec<f64>,
    /// Weighted rule: suffix sums of weights in water-filling order.
    wsum: Vec<f64>,
    /// Tests only: skip the 64-bit fast paths, so that they can be checked against the u128
    /// path on the same input.
    #[cfg(test)]
    wide_only: bool,
}

impl Allocator {
    /// Creates an allocator with empty scratch space; it grows on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// Splits `amount` among `claims` with `method`, writing awards into `out` (same length as claims).
    /// Guarantees: `out[i] <= claims[i]`; `sum(out) == min(amount, sum(claims))` exactly.
    pub fn allocate(
        &mut self,
        method: Method<'_>,
        amount: Units,
        claims: &[Units],
        out: &mut [Units],
    ) {
        let n = claims.len();
        debug_assert_eq!(out.len(), n, "out and claims differ in length");
        if let Method::Order(order) = method {
            self.debug_check_permutation(order, n);
        }
        if let Method::Weighted(weights) = method {
            debug_assert_eq!(weights.len(), n, "weights and claims differ in length");
            debug_assert!(
                weights.iter().all(|w| w.is_finite() && *w > 0.0),
                "weights must be finite and positive"
            );
        }
        let total: u128 = claims.iter().map(|&c| c as u128).sum();
        // Every rule gives full claims once supply covers them, and nothing from nothing; doing
        // it here also keeps the rules below free of the empty and all-zero cases.
        if amount as u128 >= total {
            out.copy_from_slice(claims);
            return;
        }
        if amount == 0 {
            out.fill(0);
            return;
        }
        match method {
            Method::Proportional => self.proportional(amount, total, claims, out),
            Method::EqualAwards => self.equal_awards(amount, claims, out),
            Method::EqualLosses => self.equal_losses(amount, total, claims, out),
            Method::Talmud => self.talmud(amount, total, claims, out),
            Method::Order(order) => priority(order, amount, claims, out),
            Method::Weighted(weights) => {
                // Equal weights must reproduce CEA to the unit, which floats cannot promise for
                // claims beyond 2^53, so that case takes the exact path.
                if weights.iter().all(|&w| w == weights[0]) {
                    self.equal_awards(amount, claims, out);
                } else {
                    self.weighted(weights, amount, claims, out);
                }
            }
        }
    }

    fn debug_check_permutation(&mut self, order: &[usize], n: usize) {
        if cfg!(debug_assertions) {
            debug_assert_eq!(order.len(), n, "order is not a permutation of the firms");
            // Reuses the index scratch as a seen-marker so debug builds do not allocate either.
            self.idx.clear();
            self.idx.resize(n, 0);
            for &i in order {
                debug_assert!(i < n && self.idx[i] == 0, "order is not a permutation");
                self.idx[i] = 1;
            }
        }
    }

    /// Whether the 64-bit fast paths may run: always, except in the tests that compare them with
    /// the u128 path.
    #[inline(always)]
    fn fast_paths(&self) -> bool {
        #[cfg(test)]
        return !self.wide_only;
        #[cfg(not(test))]
        true
    }

    /// Sizes the numerator scratch for `n` firms without shrinking capacity; every rule then
    /// writes all `n` numerators.
    fn prepare_exact(&mut self, n: usize) {
        self.num.resize(n, 0);
    }

    /// Fills the index scratch with the firms sorted by claim, the order in which water-filling
    /// caps firms.
    fn sort_by_claim(&mut self, claims: &[Units]) {
        self.idx.clear();
        self.idx.extend(0..claims.len());
        self.idx
            .sort_unstable_by(|&a, &b| claims[a].cmp(&claims[b]).then(a.cmp(&b)));
    }

    fn proportional(&mut self, amount: Units, total: u128, claims: &[Units], out: &mut [Units]) {
        if let Ok(total) = u64::try_from(total) {
            if self.fast_paths()
                && claims.len() <= FAST_AT_MOST
                && proportional_small(amount, Divisor::new(total), claims, out)
            {
                return;
            }
        }
        self.prepare_exact(claims.len());
        // amount < total here, so amount * c_i < 2^128.
        for (n, &c) in self.num.iter_mut().zip(claims) {
            *n = amount as u128 * c as u128;
        }
        self.round_exact(total, amount, claims, out);
    }

    fn equal_awards(&mut self, amount: Units, claims: &[Units], out: &mut [Units]) {
        self.prepare_exact(claims.len());
        self.sort_by_claim(claims);
        let (rest, k) = water_level(&self.idx, claims, amount as u128);
        for (n, &c) in self.num.iter_mut().zip(claims) {
            *n = (c as u128 * k).min(rest);
        }
        self.round_exact(k, amount, claims, out);
    }

    fn equal_losses(&mut self, amount: Units, total: u128, claims: &[Units], out: &mut [Units]) {
        self.prepare_exact(claims.len());
        self.sort_by_claim(claims);
        // CEL is the dual of CEA: losses are equal awards of the total shortfall.
        let (rest, k) = water_level(&self.idx, claims, total - amount as u128);
        for (n, &c) in self.num.iter_mut().zip(claims) {
            let full = c as u128 * k;
            *n = full - full.min(rest);
        }
        self.round_exact(k, amount, claims, out);
    }

    fn talmud(&mut self, amount: Units, total: u128, claims: &[Units], out: &mut [Units]) {
        self.prepare_exact(claims.len());
        self.sort_by_claim(claims);
        // Doubled units make every half-claim c_i/2 the integer c_i, so a level rest/k in doubled
        // units is the exact share rest/(2k) in real units.
        let doubled = amount as u128 * 2;
        if doubled <= total {
            // CEA on half-claims with the whole amount.
            let (rest, k) = water_level(&self.idx, claims, doubled);
            for (n, &c) in self.num.iter_mut().zip(claims) {
                *n = (c as u128 * k).min(rest);
            }
            self.round_exact(2 * k, amount, claims, out);
        } else {
            // Half-claims plus CEL on the other halves: the loss sum c - E falls on the
            // half-claims by CEA, and x_i = c_i - loss_i.
            let (rest, k) = water_level(&self.idx, claims, 2 * (total - amount as u128));
            for (n, &c) in self.num.iter_mut().zip(claims) {
                let half = c as u128 * k;
                *n = 2 * half - half.min(rest);
            }
            self.round_exact(2 * k, amount, claims, out);
        }
    }

    /// Rounds the shares `num[i] / denom` (each at most `claims[i]`, summing to `target`) by
    /// largest remainder.
    ///
    /// The shares sum to `target`, so the remainders sum to `missing` whole denominators and
    /// more than `missing` firms have one: the `missing` largest are all positive, and a firm
    /// with a positive remainder is below its claim. So each missing unit goes to the largest
    /// remainder left, ties to the lower index, with no further checks.
    fn round_exact(&mut self, denom: u128, target: Units, claims: &[Units], out: &mut [Units]) {
        debug_assert!(denom > 0);
        let n = claims.len();
        let small = self.fast_paths()
            && n <= FAST_AT_MOST
            && u64::try_from(denom)
                .is_ok_and(|d| self.round_small(Divisor::new(d), target, claims, out));
        if small {
            return;
        }
        let mut floors: u128 = 0;
        for ((n, o), &c) in self.num.iter_mut().zip(out.iter_mut()).zip(claims) {
            debug_assert!(
                (c as u128).checked_mul(denom).is_none_or(|cap| *n <= cap),
                "share above claim"
            );
            // The min only guards release builds against a broken share; it never binds.
            let f = ((*n / denom) as Units).min(c);
            *o = f;
            floors += f as u128;
            *n %= denom;
        }
        debug_assert!(floors <= target as u128, "floors exceed the amount");
        let missing = (target as u128).saturating_sub(floors);
        if missing == 0 {
            return;
        }
        self.idx.clear();
        self.idx.extend(0..n);
        let rem = &self.num;
        self.idx
            .sort_unstable_by(|&a, &b| rem[b].cmp(&rem[a]).then(a.cmp(&b)));
        give(&self.idx, claims, out, missing);
    }

    /// [`Self::round_exact`] for a few firms whose shares and denominator fit in 64 bits (all
    /// realistic ones): 64-bit division by reciprocal rather than a u128 library call, and the
    /// missing units picked from a stack array. Returns false, having written nothing, when a
    /// share does not fit.
    #[inline]
    fn round_small(&self, d: Divisor, target: Units, claims: &[Units], out: &mut [Units]) -> bool {
        let n = claims.len();
        let mut rem = [0u64; FAST_AT_MOST];
        let mut quotients = [0u64; FAST_AT_MOST];
        for (i, &share) in self.num[..n].iter().enumerate() {
            let Ok(share) = u64::try_from(share) else {
                return false;
            };
            (quotients[i], rem[i]) = d.div_rem(share);
        }
        let mut floors: u128 = 0;
        for (i, (o, &c)) in out.iter_mut().zip(claims).enumerate() {
            // The min only guards release builds against a broken share; it never binds.
            *o = quotients[i].min(c);
            floors += u128::from(*o);
        }
        debug_assert!(floors <= u128::from(target), "floors exceed the amount");
        let missing = u128::from(target).saturating_sub(floors);
        give_largest(&mut rem[..n], claims, out, missing as u64);
        true
    }

    fn weighted(&mut self, weights: &[f64], amount: Units, claims: &[Units], out: &mut [Units]) {
        let n = claims.len();
        self.idx.clear();
        self.idx.extend(0..n);
        self.frac.clear();
        self.frac
            .extend(claims.iter().zip(weights).map(|(&c, &w)| c as f64 / w));
        let ratio = &self.frac;
        self.idx
            .sort_unstable_by(|&a, &b| ratio[a].total_cmp(&ratio[b]).then(a.cmp(&b)));
        // Suffix sums rather than a running difference, so the uncapped weight never suffers
        // cancellation when large weights are capped first.
        self.wsum.clear();
        self.wsum.resize(n, 0.0);
        let mut acc = 0.0;
        for p in (0..n).rev() {
            acc += weights[self.idx[p]];
            self.wsum[p] = acc;
        }
        // Water-filling by claim/weight ratio. The remaining amount stays an exact integer, and
        // a firm is capped only if its claim fits in it, so capped awards never exceed `amount`.
        // The last firm always stays uncapped, so the level divides by a positive weight.
        let mut rest = amount as u128;
        let mut p = 0;
        out.fill(0);
        while p + 1 < n {
            let j = self.idx[p];
            let level = rest as f64 / self.wsum[p];
            if claims[j] as u128 <= rest && claims[j] as f64 <= level * weights[j] {
                rest -= claims[j] as u128;
                out[j] = claims[j];
                self.frac[j] = -1.0;
                p += 1;
            } else {
                break;
            }
        }
        let level = rest as f64 / self.wsum[p];
        let mut floors: u128 = (amount as u128) - rest;
        for &i in &self.idx[p..] {
            let x = level * weights[i];
            let c = claims[i];
            let (f, r) = if x.is_nan() || x <= 0.0 {
                (0, 0.0)
            } else if x >= c as f64 {
                (c, 0.0)
            } else {
                // `as` saturates, and the min keeps a float that rounded up to c_i in bounds.
                let f = (x as Units).min(c);
                (f, (x - f as f64).clamp(0.0, 1.0))
            };
            out[i] = f;
            self.frac[i] = r;
            floors += f as u128;
        }
        let frac = &self.frac;
        self.idx
            .sort_unstable_by(|&a, &b| frac[b].total_cmp(&frac[a]).then(a.cmp(&b)));
        let target = amount as u128;
        if floors > target {
            take_back(&self.idx, &self.frac, out, floors - target);
        } else {
            give(&self.idx, claims, out, target - floors);
        }
    }
}

/// Most firms rounded on the stack by [`Allocator::round_small`].
const FAST_AT_MOST: usize = 16;

/// The proportional rule in 64 bits for up to [`FAST_AT_MOST`] firms, as [`Allocator::round_exact`]
/// would round it: firm i's share is `amount · c_i / total`, computed straight from the claims
/// (the baseline allocates a few times per trial, and this is its common case). Returns false
/// when a share's numerator does not fit in 64 bits; `out` is then rewritten by the caller.
#[inline]
fn proportional_small(amount: Units, total: Divisor, claims: &[Units], out: &mut [Units]) -> bool {
    let mut rem = [0u64; FAST_AT_MOST];
    let mut floors: Units = 0;
    for (i, (o, &c)) in out.iter_mut().zip(claims).enumerate() {
        let Some(share) = amount.checked_mul(c) else {
            return false;
        };
        let (q, r) = total.div_rem(share);
        // amount < total, so q < c: the min only guards release builds, as in round_exact.
        *o = q.min(c);
        rem[i] = r;
        floors += *o;
    }
    debug_assert!(floors <= amount, "floors exceed the amount");
    give_largest(
        &mut rem[..claims.len()],
        claims,
        out,
        amount.saturating_sub(floors),
    );
    true
}

/// Largest remainders: each of the `missing` units goes to the firm with the largest remainder
/// left, ties to the lower index (see [`Allocator::round_exact`] for why no claim is passed).
#[inline]
fn give_largest(rem: &mut [u64], claims: &[Units], out: &mut [Units], missing: u64) {
    for _ in 0..missing {
        // The largest so far is kept at hand rather than loaded again through its index, and
        // selected rather than branched on: which remainder is largest is a coin flip.
        let (mut best, mut top) = (0, rem[0]);
        for (i, &r) in rem.iter().enumerate().skip(1) {
            let above = usize::from(r > top);
            best = [best, i][above];
            top = [top, r][above];
        }
        debug_assert!(rem[best] > 0 && out[best] < claims[best]);
        out[best] += 1;
        rem[best] = 0;
    }
}

/// Constrained-equal-awards water level for `amount <= sum claims`: returns `(rest, k)` such that
/// firm i's award is `min(c_i, rest / k)`, i.e. the numerator `min(c_i * k, rest)` over `k >= 1`.
/// `sorted` lists the firms by ascending claim.
fn water_level(sorted: &[usize], claims: &[Units], amount: u128) -> (u128, u128) {
    let mut k = sorted.len() as u128;
    let mut rest = amount;
    for &j in sorted {
        // Keeping one firm uncapped leaves k >= 1; with amount <= sum claims its award
        // min(c_j, rest) is then still exact.
        if k <= 1 {
            break;
        }
        let c = claims[j] as u128;
        // c <= rest / k, without the division's rounding.
        if c * k <= rest {
            rest -= c;
            k -= 1;
        } else {
            break;
        }
    }
    (rest, k)
}

/// Hands out `missing` units in `order`, one each per pass to firms below their claim. With exact
/// shares one pass suffices (the largest-remainder step); further passes only repair float error,
/// and give in bulk so that a large error costs few passes.
fn give(order: &[usize], claims: &[Units], out: &mut [Units], mut missing: u128) {
    while missing > 0 {
        let open = order.iter().filter(|&&i| out[i] < claims[i]).count() as u128;
        debug_assert!(open > 0, "units left but every claim is met");
        if open == 0 {
            return;
        }
        // Each pass either spends a full share on every open firm or closes one, so the loop
        // ends within n + 2 passes.
        let share = (missing / open).max(1);
        for &i in order {
            if missing == 0 {
                break;
            }
            let g = ((claims[i] - out[i]) as u128).min(share).min(missing);
            out[i] += g as Units;
            missing -= g;
        }
    }
}

/// Takes `excess` units back from uncapped firms (`frac >= 0`), smallest fractional part and
/// highest index first: the reverse of the order in which `give` would hand them out.
fn take_back(order: &[usize], frac: &[f64], out: &mut [Units], mut excess: u128) {
    while excess > 0 {
        let open = order
            .iter()
            .filter(|&&i| frac[i] >= 0.0 && out[i] > 0)
            .count() as u128;
        debug_assert!(open > 0, "excess units but nothing to take back");
        if open == 0 {
            return;
        }
        let share = (excess / open).max(1);
        for &i in order.iter().rev() {
            if excess == 0 {
                break;
            }
            if frac[i] < 0.0 {
                continue;
            }
            let t = (out[i] as u128).min(share).min(excess);
            out[i] -= t as Units;
            excess -= t;
        }
    }
}

/// Priority rule: serve firms in `order`, each in full while supply lasts.
fn priority(order: &[usize], amount: Units, claims: &[Units], out: &mut [Units]) {
    out.fill(0);
    let mut rest = amount;
    for &i in order {
        let g = claims[i].min(rest);
        out[i] = g;
        rest -= g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(method: Method<'_>, amount: Units, claims: &[Units]) -> Vec<Units> {
        let mut out = vec![0; claims.len()];
        Allocator::new().allocate(method, amount, claims, &mut out);
        out
    }

    const EXACT: [Method<'static>; 4] = [
        Method::Proportional,
        Method::EqualAwards,
        Method::EqualLosses,
        Method::Talmud,
    ];

    #[test]
    fn reference_table() {
        let c = [100, 200, 300];
        let table: [(Units, [[Units; 3]; 4]); 4] = [
            (100, [[17, 33, 50], [34, 33, 33], [0, 0, 100], [34, 33, 33]]),
            (
                200,
                [[33, 67, 100], [67, 67, 66], [0, 50, 150], [50, 75, 75]],
            ),
            (
                300,
                [
                    [50, 100, 150],
                    [100, 100, 100],
                    [0, 100, 200],
                    [50, 100, 150],
                ],
            ),
            (600, [[100, 200, 300]; 4]),
        ];
        for (e, row) in table {
            for (m, want) in EXACT.iter().zip(row) {
                assert_eq!(run(*m, e, &c), want, "{m:?} at E = {e}");
            }
        }
    }

    #[test]
    fn priority_by_given_order() {
        let c = [100, 200, 300];
        let order = [2, 0, 1];
        assert_eq!(run(Method::Order(&order), 0, &c), [0, 0, 0]);
        assert_eq!(run(Method::Order(&order), 250, &c), [0, 0, 250]);
        assert_eq!(run(Method::Order(&order), 350, &c), [50, 0, 300]);
        assert_eq!(run(Method::Order(&order), 450, &c), [100, 50, 300]);
        assert_eq!(run(Method::Order(&order), 1000, &c), [100, 200, 300]);
        assert_eq!(run(Method::Order(&[0, 1, 2]), 250, &c), [100, 150, 0]);
    }

    #[test]
    fn weighted_capped_surplus_goes_to_others() {
        // Level 50 would give firm 1 (weight 2) 100 > its claim 50; capped, the other 150 is
        // split evenly by the two weight-1 firms.
        let w = [1.0, 2.0, 1.0];
        assert_eq!(
            run(Method::Weighted(&w), 200, &[100, 50, 100]),
            [75, 50, 75]
        );
        // Level 25.25: shares 25.25, 50.5, 25.25; the missing unit goes to the largest fraction.
        assert_eq!(
            run(Method::Weighted(&w), 101, &[100, 300, 100]),
            [25, 51, 25]
        );
        // Both weight-1 firms capped, firm 1 takes the rest.
        assert_eq!(run(Method::Weighted(&w), 40, &[5, 100, 10]), [5, 25, 10]);
        // Only firm 0 capped: the level 25/3 gives 16.67 and 8.33.
        assert_eq!(run(Method::Weighted(&w), 30, &[5, 100, 10]), [5, 17, 8]);
        assert_eq!(run(Method::Weighted(&w), 1000, &[5, 100, 10]), [5, 100, 10]);
    }

    #[test]
    fn weighted_equal_weights_is_equal_awards() {
        let c = [100, 200, 300];
        for e in [0, 1, 100, 200, 299, 300, 301, 599, 600, 601] {
            assert_eq!(
                run(Method::Weighted(&[0.3; 3]), e, &c),
                run(Method::EqualAwards, e, &c)
            );
        }
        let big = [u64::MAX, u64::MAX - 1, 7];
        assert_eq!(
            run(Method::Weighted(&[2.5; 3]), u64::MAX - 2, &big),
            run(Method::EqualAwards, u64::MAX - 2, &big)
        );
    }

    #[test]
    fn zero_amount_and_zero_claims() {
        let w = [1.0, 3.0, 0.5];
        let order = [1, 2, 0];
        let all = EXACT
            .into_iter()
            .chain([Method::Order(&order), Method::Weighted(&w)]);
        for m in all {
            assert_eq!(run(m, 0, &[5, 6, 7]), [0, 0, 0], "{m:?}");
            assert_eq!(run(m, 10, &[0, 0, 0]), [0, 0, 0], "{m:?}");
            assert_eq!(run(m, 18, &[5, 6, 7]), [5, 6, 7], "{m:?}");
            assert_eq!(run(m, u64::MAX, &[5, 6, 7]), [5, 6, 7], "{m:?}");
            let out = run(m, 9, &[0, 6, 7]);
            assert_eq!(out[0], 0, "{m:?}");
            assert_eq!(out.iter().sum::<Units>(), 9, "{m:?}");
        }
        for m in EXACT {
            assert_eq!(run(m, 5, &[]), Vec::<Units>::new());
        }
    }

    #[test]
    fn single_firm() {
        for m in EXACT
            .into_iter()
            .chain([Method::Order(&[0]), Method::Weighted(&[4.0])])
        {
            assert_eq!(run(m, 3, &[10]), [3], "{m:?}");
            assert_eq!(run(m, 30, &[10]), [10], "{m:?}");
            assert_eq!(run(m, u64::MAX - 1, &[u64::MAX]), [u64::MAX - 1], "{m:?}");
        }
    }

    #[test]
    fn ties_go_to_lower_index() {
        let c = [10; 7];
        for m in EXACT {
            assert_eq!(run(m, 24, &c), [4, 4, 4, 3, 3, 3, 3], "{m:?}");
        }
        assert_eq!(
            run(Method::Weighted(&[1.0; 7]), 24, &c),
            [4, 4, 4, 3, 3, 3, 3]
        );
    }

    #[test]
    fn claims_near_u64_max() {
        let m = u64::MAX;
        let third = m / 3;
        let c = [m, m, m];
        for rule in EXACT {
            assert_eq!(run(rule, m, &c), [third; 3], "{rule:?}");
            assert_eq!(run(rule, m - 1, &c), [third, third, third - 1], "{rule:?}");
            let out = run(rule, m - 2, &[m, 1, m - 1]);
            assert_eq!(
                out.iter().map(|&x| x as u128).sum::<u128>(),
                (m - 2) as u128
            );
        }
        // Proportional: x = (M-1) * (M, 1) / (M+1); the small firm's 0.999.. rounds up.
        assert_eq!(run(Method::Proportional, m - 1, &[m, 1]), [m - 2, 1]);
        // CEL: the loss M+1 - (M-1) = 2 splits 1, 1.
        assert_eq!(run(Method::EqualLosses, m - 1, &[m, 1]), [m - 1, 0]);
        assert_eq!(run(Method::EqualAwards, m - 1, &[m, 1]), [m - 2, 1]);
        // Weighted near the top: float error must not create or lose units.
        let out = run(Method::Weighted(&[1.0, 3.0, 0.7]), m - 5, &c);
        assert_eq!(
            out.iter().map(|&x| x as u128).sum::<u128>(),
            (m - 5) as u128
        );
    }

    #[test]
    fn talmud_at_half_with_odd_total() {
        // Sum 7: at E = 3 (below 3.5) half-claims 0.5, 1, 2 get CEA 0.5, 1, 1.5.
        assert_eq!(run(Method::Talmud, 3, &[1, 2, 4]), [1, 1, 1]);
        // At E = 4 (above 3.5) losses on the halves are 0.5, 1, 1.5: shares 0.5, 1, 2.5.
        assert_eq!(run(Method::Talmud, 4, &[1, 2, 4]), [1, 1, 2]);
        // Sum 3, E = 1: half-claims 0.5, 1 at level 0.5 each; the tie goes to firm 0.
        assert_eq!(run(Method::Talmud, 1, &[1, 2]), [1, 0]);
        // E = 2: halves plus equal losses 0.5 each on the other halves: 0.5, 1.5.
        assert_eq!(run(Method::Talmud, 2, &[1, 2]), [1, 1]);
        // The contested garment (Aumann & Maschler 1985): 100 and 200 share 200 as 50, 150.
        assert_eq!(run(Method::Talmud, 200, &[100, 200]), [50, 150]);
    }

    #[test]
    fn scratch_is_reused_without_reallocating() {
        let n = 9;
        let claims: Vec<Units> = (0..n as u64).map(|i| 10 * i + 3).collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + i as f64).collect();
        let order: Vec<usize> = (0..n).rev().collect();
        let mut a = Allocator::new();
        let mut out = vec![0; n];
        let all = [
            Method::Proportional,
            Method::EqualAwards,
            Method::EqualLosses,
            Method::Talmud,
            Method::Order(&order),
            Method::Weighted(&w),
        ];
        for m in all {
            a.allocate(m, 100, &claims, &mut out);
        }
        let ptrs = (
            a.idx.as_ptr(),
            a.num.as_ptr(),
            a.frac.as_ptr(),
            a.wsum.as_ptr(),
        );
        for e in 0..400 {
            for m in all {
                a.allocate(m, e, &claims, &mut out);
                if !matches!(m, Method::Order(_) | Method::Weighted(_)) {
                    a.allocate(m, e, &claims[..4], &mut out[..4]);
                }
            }
        }
        let after = (
            a.idx.as_ptr(),
            a.num.as_ptr(),
            a.frac.as_ptr(),
            a.wsum.as_ptr(),
        );
        assert_eq!(ptrs, after);
    }

    fn claim() -> impl Strategy<Value = Units> {
        prop_oneof![
            Just(0),
            1..=20u64,
            0..=1_000_000u64,
            any::<u64>(),
            (u64::MAX - 5)..=u64::MAX,
        ]
    }

    /// Claims plus an amount that is either arbitrary or a fraction (up to 110%) of their sum,
    /// so that both scarce and ample supply come up.
    fn case() -> impl Strategy<Value = (Vec<Units>, Units)> {
        (
            prop::collection::vec(claim(), 0..8),
            0..=1100u128,
            any::<u64>(),
            any::<bool>(),
        )
            .prop_map(|(c, p, raw, use_raw)| {
                let s: u128 = c.iter().map(|&x| x as u128).sum();
                let e = if use_raw {
                    raw
                } else {
                    (s * p / 1000).min(u64::MAX as u128) as u64
                };
                (c, e)
            })
    }

    fn sum(v: &[Units]) -> u128 {
        v.iter().map(|&x| x as u128).sum()
    }

    fn check_invariants(e: Units, c: &[Units], out: &[Units]) -> Result<(), TestCaseError> {
        prop_assert_eq!(out.len(), c.len());
        prop_assert_eq!(sum(out), (e as u128).min(sum(c)));
        for (o, c) in out.iter().zip(c) {
            prop_assert!(o <= c);
        }
        Ok(())
    }

    /// Claims near 2^32, where an amount times a claim nears 2^64 (the bound of
    /// `proportional_small`'s products), among small ones.
    fn claim_near_2_32() -> impl Strategy<Value = Units> {
        prop_oneof![
            Just(0),
            1..=20u64,
            (1u64 << 32) - 64..=(1u64 << 32) + 64,
            (1u64 << 32) - (1 << 24)..=(1u64 << 32) + (1 << 24),
        ]
    }

    /// Those and claims near 2^63, two of which pass 2^64 (the bound of the total and of
    /// `round_small`'s shares).
    fn claim_near_2_63() -> impl Strategy<Value = Units> {
        prop_oneof![
            claim_near_2_32(),
            (1u64 << 63) - 64..=(1u64 << 63) + 64,
            (1u64 << 63) - (1 << 56)..=(1u64 << 63) + (1 << 56),
        ]
    }

    /// An amount near 2^32 or 2^63.
    fn edge_amount() -> impl Strategy<Value = Units> {
        prop_oneof![
            (1u64 << 32) - 64..=(1u64 << 32) + 64,
            (1u64 << 32) - (1 << 24)..=(1u64 << 32) + (1 << 24),
            (1u64 << 63) - 64..=(1u64 << 63) + 64,
        ]
    }

    /// 1 to 16 claims (the fast paths take at most [`FAST_AT_MOST`]) and an amount: up to
    /// their sum, near 2^32 or 2^63, anything, or up to and around the largest amount whose
    /// product with every claim fits in 64 bits (where `proportional_small` gives up).
    fn edge_case() -> impl Strategy<Value = (Vec<Units>, Units)> {
        let firms = 1..=FAST_AT_MOST;
        let claims = prop_oneof![
            prop::collection::vec(claim_near_2_32(), firms.clone()),
            prop::collection::vec(claim_near_2_63(), firms),
        ];
        claims.prop_flat_map(|c| {
            let total = sum(&c).min(u64::MAX as u128) as u64;
            let fits = u64::MAX / c.iter().copied().max().unwrap_or(0).max(1);
            let amount = prop_oneof![
                0..=total,
                edge_amount(),
                any::<u64>(),
                0..=fits.min(total),
                fits.saturating_sub(64)..=fits.saturating_add(64),
            ];
            (Just(c), amount)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Every rule with a 64-bit fast path (`proportional_small` for proportional,
        /// `round_small` for all four exact rules, and so for weighted with equal weights, which
        /// is equal awards) gives what the u128 path alone gives on the same input.
        #[test]
        fn prop_fast_paths_match_the_u128_path((c, e) in edge_case()) {
            let mut fast = Allocator::new();
            let mut wide = Allocator {
                wide_only: true,
                ..Allocator::new()
            };
            for m in EXACT {
                let mut a = vec![0; c.len()];
                let mut b = vec![0; c.len()];
                fast.allocate(m, e, &c, &mut a);
                wide.allocate(m, e, &c, &mut b);
                prop_assert_eq!(&a, &b, "{:?} of {} among {:?}", m, e, c);
                check_invariants(e, &c, &a)?;
            }
        }
    }

    proptest! {
        #[test]
        fn prop_proportional((c, e) in case()) {
            let out = run(Method::Proportional, e, &c);
            check_invariants(e, &c, &out)?;
            let s = sum(&c);
            if (e as u128) < s {
                // out_i is floor or floor + 1 of E c_i / S, and the +1 went to the largest
                // remainders (ties to the lower index).
                let q = |i: usize| (e as u128 * c[i] as u128) / s;
                let r = |i: usize| (e as u128 * c[i] as u128) % s;
                for (i, &o) in out.iter().enumerate() {
                    let o = o as u128;
                    prop_assert!(o == q(i) || (o == q(i) + 1 && r(i) > 0));
                }
                for i in 0..c.len() {
                    for j in 0..c.len() {
                        if out[i] as u128 > q(i) && out[j] as u128 == q(j) {
                            prop_assert!(r(i) > r(j) || (r(i) == r(j) && i < j));
                        }
                    }
                }
            }
        }

        #[test]
        fn prop_equal_awards((c, e) in case()) {
            let out = run(Method::EqualAwards, e, &c);
            check_invariants(e, &c, &out)?;
            for i in 0..c.len() {
                if out[i] < c[i] {
                    for j in 0..c.len() {
                        prop_assert!(out[i] as u128 + 1 >= out[j] as u128);
                    }
                }
            }
        }

        #[test]
        fn prop_equal_losses((c, e) in case()) {
            let out = run(Method::EqualLosses, e, &c);
            check_invariants(e, &c, &out)?;
            // A firm that keeps something loses the level L (within a unit); nobody loses more
            // than that, as a firm left with nothing has a claim of at most L.
            for i in 0..c.len() {
                if out[i] > 0 {
                    for j in 0..c.len() {
                        prop_assert!(c[j] - out[j] <= (c[i] - out[i]).saturating_add(1));
                    }
                }
            }
        }

        #[test]
        fn prop_monotone_equal_awards_losses((c, e) in case()) {
            let e2 = e.saturating_add(1);
            for m in [Method::EqualAwards, Method::EqualLosses] {
                let a = run(m, e, &c);
                let b = run(m, e2, &c);
                for (x, y) in a.iter().zip(&b) {
                    prop_assert!(x <= y, "{:?} not monotone", m);
                }
            }
        }

        #[test]
        fn prop_talmud((c, e) in case()) {
            let out = run(Method::Talmud, e, &c);
            check_invariants(e, &c, &out)?;
            let doubled = 2 * e as u128;
            let s = sum(&c);
            for (&o, &ci) in out.iter().zip(&c) {
                let ceil_half = ci / 2 + ci % 2;
                if doubled <= s {
                    prop_assert!(o <= ceil_half);
                }
                if doubled >= s {
                    // Every firm gets at least half its claim, losing at most half.
                    prop_assert!(o >= ci / 2);
                    prop_assert!(ci - o <= ceil_half);
                }
            }
        }

        #[test]
        fn prop_priority(
            (c, e, order) in case().prop_flat_map(|(c, e)| {
                let n = c.len();
                (Just(c), Just(e), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
            })
        ) {
            let out = run(Method::Order(&order), e, &c);
            check_invariants(e, &c, &out)?;
            // Along the order: full awards, then at most one partial, then nothing.
            let mut short = false;
            for &i in &order {
                if short {
                    prop_assert_eq!(out[i], 0);
                } else if out[i] < c[i] {
                    short = true;
                }
            }
        }

        #[test]
        fn prop_weighted(
            (c, e, w) in case().prop_flat_map(|(c, e)| {
                let n = c.len();
                (Just(c), Just(e), prop::collection::vec(0.01f64..100.0, n))
            })
        ) {
            let out = run(Method::Weighted(&w), e, &c);
            check_invariants(e, &c, &out)?;
            // Where floats are exact enough, an uncapped firm i pins the level at most
            // (out_i + 1) / w_i, and no firm's award exceeds the level times its weight by a
            // unit or more.
            if c.iter().all(|&x| x <= 1 << 40) {
                for i in 0..c.len() {
                    if out[i] < c[i] {
                        for j in 0..c.len() {
                            let bound = (out[i] as f64 + 1.0) * w[j] / w[i] + 1.0;
                            prop_assert!(out[j] as f64 <= bound * (1.0 + 1e-9));
                        }
                    }
                }
            }
        }

        #[test]
        fn prop_weighted_equal_is_equal_awards((c, e) in case(), w in 0.01f64..100.0) {
            let weights = vec![w; c.len()];
            prop_assert_eq!(
                run(Method::Weighted(&weights), e, &c),
                run(Method::EqualAwards, e, &c)
            );
        }

        #[test]
        fn prop_reused_allocator_matches_fresh(
            cases in prop::collection::vec(case(), 1..6)
        ) {
            let mut a = Allocator::new();
            for (c, e) in cases {
                for m in EXACT {
                    let mut out = vec![0; c.len()];
                    a.allocate(m, e, &c, &mut out);
                    prop_assert_eq!(&out, &run(m, e, &c));
                }
            }
        }
    }
}
