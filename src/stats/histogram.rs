//! A log-linear histogram of non-negative integers with a fixed bucket layout, so that two
//! histograms merge exactly by adding counts. Values below 2048 each have their own bucket;
//! above, every power-of-two range is split into 1024 equal buckets, so a bucket is at most
//! 1/1024 of its values wide (the layout of an HDR histogram with 3 significant digits,
//! Tene 2015, recorded with a few bit operations).

/// Sub-buckets per power of two above the exact range, as a power of two.
const PRECISION_BITS: u32 = 10;
/// Values below this have a bucket each.
const EXACT_BELOW: u64 = 2 << PRECISION_BITS;
const HALF: u64 = 1 << PRECISION_BITS;

/// One histogram bucket: `count` values within `low..low + width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Smallest value the bucket holds.
    pub low: u64,
    /// How many integers the bucket spans: 1 below 2048, else a power of two at most
    /// `low / 1024`.
    pub width: u64,
    /// Values recorded in the bucket; at least 1 in a bucket the histogram hands out.
    pub count: u64,
}

impl Bucket {
    /// The value of 0-based rank `r` among the bucket's `count` values, taken as spread evenly
    /// over its `width` (the value itself for a bucket one unit wide).
    pub fn value_of_rank(&self, r: u64) -> f64 {
        if self.width == 1 {
            self.low as f64
        } else {
            self.low as f64 + self.width as f64 * (r as f64 + 0.5) / self.count as f64
        }
    }
}

/// Buckets per page: the histogram widens its range, and keeps its high count bits, a page at a
/// time.
const PAGE: usize = 128;

/// The low bits of a count, one per bucket held (see [`LogHistogram`]).
type Low = u8;
const LOW_BITS: u32 = Low::BITS;

/// Counts per bucket over the range of buckets recorded so far, widened in pages when a value
/// falls outside it: a tally's values usually fill a few octaves (orders between 200,000 and
/// 800,000), so most of the 56,320 buckets are never needed, and a sweep keeps thousands of
/// histograms at once. Each count is kept as its low 8 bits in one array and, once a bucket of
/// a page reaches 2^8, its high bits in a per-page array: a trial records some fifty values,
/// each into a different histogram, and 1-byte counts in one flat array keep these histograms'
/// busy buckets in the core's cache where 8-byte counts (a quarter of a trial's time went to
/// their misses) or a table of pages (one more load per value) did not. The range grows only
/// with new extremes and the high bits only where counts pass 2^8, so peak memory stays flat
/// as the trial count grows. One byte rather than two (issue 19): at the 10^4 to 10^5 trials of
/// a sweep's point, most buckets held count fewer than 256 values, and each point keeps some
/// ninety histograms (its summary's and its paired differences') between its chunks.
// No PartialEq: equal counts can sit in differently widened ranges.
#[derive(Debug, Clone, Default)]
pub struct LogHistogram {
    /// Low 8 bits of the counts of buckets `first..first + low.len()`.
    first: usize,
    low: Vec<Low>,
    /// count / 2^8 per page of buckets (index / PAGE), where some bucket reached 2^8.
    high: Vec<Option<Box<[u64; PAGE]>>>,
}

/// The bucket holding `v`: `v` itself below [`EXACT_BELOW`], else 1024 buckets per power of
/// two. Computed without a branch, since a tally's values can fall either side of 2048 (a
/// shortage of domestic chips is often 0): with `shift` the bits dropped from `v`, 0 up to
/// 2^11, the index is `shift · 2^10 + (v >> shift)`.
#[inline]
fn index_of(v: u64) -> usize {
    let exponent = 63 - (v | 1).leading_zeros();
    let shift = exponent.saturating_sub(PRECISION_BITS);
    ((u64::from(shift) << PRECISION_BITS) + (v >> shift)) as usize
}

/// The lowest value and width of bucket `index`.
fn bounds_of(index: usize) -> (u64, u64) {
    let index = index as u64;
    if index < EXACT_BELOW {
        return (index, 1);
    }
    let above = index - EXACT_BELOW;
    let shift = above / HALF + 1;
    let sub = above % HALF + HALF;
    (sub << shift, 1 << shift)
}

impl LogHistogram {
    /// Counts one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.record_n(v, 1);
    }

    /// Counts `n` copies of a value.
    #[inline]
    pub fn record_n(&mut self, v: u64, n: u64) {
        self.add(index_of(v), n);
    }

    /// Counts every value of `values`.
    pub fn record_all(&mut self, values: &[u64]) {
        let mut rest = values;
        while let Some((&v, _)) = rest.split_first() {
            // The range and the counts in locals, so the loop keeps them in registers (through
            // fields, every count stored would make it load them again).
            let (first, low, high) = (self.first, &mut self.low[..], &mut self.high);
            let mut done = 0;
            for &v in rest {
                let i = index_of(v);
                let Some(slot) = i.checked_sub(first).and_then(|j| low.get_mut(j)) else {
                    break;
                };
                let (count, wrapped) = slot.overflowing_add(1);
                *slot = count;
                if wrapped {
                    carry(high, i, 1);
                }
                done += 1;
            }
            rest = &rest[done..];
            if done == 0 {
                // Outside the range held: widen it, then go on with the fast loop.
                self.record(v);
                rest = &rest[1..];
            }
        }
    }

    #[inline(always)]
    fn add(&mut self, i: usize, n: u64) {
        let slot = match i.checked_sub(self.first).and_then(|j| self.low.get_mut(j)) {
            Some(slot) => slot,
            None => self.widen(i),
        };
        let sum = u64::from(*slot) + n;
        *slot = sum as Low;
        let carry = sum >> LOW_BITS;
        if carry > 0 {
            self::carry(&mut self.high, i, carry);
        }
    }

    /// The slot of bucket `i`, which lies outside the buckets held so far: widens them to it
    /// (in whole pages, so that values creeping outwards do not move the counts each time).
    #[cold]
    #[inline(never)]
    fn widen(&mut self, i: usize) -> &mut Low {
        self.cover(i, i);
        &mut self.low[i - self.first]
    }

    /// Widens the buckets held, in whole pages, to take in buckets `lo..=hi`. Allocated to the
    /// byte: a sweep keeps thousands of histograms, and doubling a histogram's capacity as it
    /// widens left up to half of each unused. Values widen a histogram only with a new extreme
    /// beyond its pages, so the copies are few; bulk adds (merges, rebuilds) cover their whole
    /// range first, so they copy once.
    #[cold]
    #[inline(never)]
    fn cover(&mut self, lo: usize, hi: usize) {
        let start = lo / PAGE * PAGE;
        let end = (hi / PAGE + 1) * PAGE;
        if self.low.is_empty() {
            self.first = start;
            self.low = vec![0; end - start];
            return;
        }
        let held_end = self.first + self.low.len();
        let (first, end) = (start.min(self.first), end.max(held_end));
        if (first, end) == (self.first, held_end) {
            return;
        }
        let mut low = Vec::with_capacity(end - first);
        low.resize(self.first - first, 0);
        low.extend_from_slice(&self.low);
        low.resize(end - first, 0);
        self.low = low;
        self.first = first;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        let mut counts = other.counts();
        if let (Some((lo, _)), Some((hi, _))) = (counts.next(), counts.next_back()) {
            self.cover(lo, hi);
        }
        for (i, count) in other.counts() {
            self.add(i, count);
        }
    }

    /// Counts every `(value, count)` of `pairs` (a tally's exact counts, in any order), whose
    /// values all lie within `lo..=hi`: the buckets are widened to that range once.
    pub fn record_counts(&mut self, pairs: impl Iterator<Item = (u64, u64)>, lo: u64, hi: u64) {
        if lo <= hi {
            self.cover(index_of(lo), index_of(hi));
        }
        for (v, count) in pairs {
            self.record_n(v, count);
        }
    }

    /// `(index, count)` of every bucket holding values, lowest first.
    fn counts(&self) -> impl DoubleEndedIterator<Item = (usize, u64)> + '_ {
        self.low.iter().enumerate().filter_map(|(j, &low)| {
            let i = self.first + j;
            let high = match self.high.get(i / PAGE) {
                Some(Some(h)) => h[i % PAGE],
                _ => 0,
            };
            let count = join(high, low);
            (count > 0).then_some((i, count))
        })
    }

    /// The bucket holding the value of 0-based rank `k` among those counted, and how many values
    /// lie in the buckets below it; `None` when there are no more than `k` values. Skips whole
    /// pages by their sums: a report asks a dozen ranks of each of some fifty histograms, of
    /// thousands of buckets each.
    pub fn find_rank(&self, k: u64) -> Option<(Bucket, u64)> {
        // `first` and the length of `low` are whole pages (see `widen`).
        debug_assert!(self.first % PAGE == 0 && self.low.len() % PAGE == 0);
        let mut before = 0u64;
        for (p, low) in self.low.chunks(PAGE).enumerate() {
            let page = self.first / PAGE + p;
            let high = match self.high.get(page) {
                Some(Some(h)) => Some(h),
                _ => None,
            };
            let count = |j: usize| join(high.map_or(0, |h| h[j]), low[j]);
            // The page's sum as two plain sums (a loop the compiler vectorises): at most
            // 128 · 255 in the low bits.
            let low_sum = low.iter().map(|&c| u64::from(c)).sum::<u64>();
            let high_sum = high.map_or(0, |h| h.iter().fold(0u64, |a, &c| a.saturating_add(c)));
            let total = join(high_sum, 0).saturating_add(low_sum);
            if k >= before + total {
                before += total;
                continue;
            }
            for j in 0..low.len() {
                let count = count(j);
                if k < before + count {
                    let (low, width) = bounds_of(page * PAGE + j);
                    return Some((Bucket { low, width, count }, before));
                }
                before += count;
            }
        }
        None
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        let page = std::mem::size_of::<[u64; PAGE]>();
        std::mem::size_of::<Low>() * self.low.capacity()
            + std::mem::size_of::<Option<Box<[u64; PAGE]>>>() * self.high.capacity()
            + page * self.high.iter().flatten().count()
    }

    /// Every bucket holding values, lowest first.
    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.counts().map(|(i, count)| {
            let (low, width) = bounds_of(i);
            Bucket { low, width, count }
        })
    }
}

/// A bucket's count from its high and low bits (saturating at 2^64, which no run reaches).
#[inline]
fn join(high: u64, low: Low) -> u64 {
    (high.saturating_mul(1 << LOW_BITS)).saturating_add(u64::from(low))
}

/// Adds `carry` · 2^8 to the count of bucket `i`, in the high bits of its page.
#[cold]
fn carry(high: &mut Vec<Option<Box<[u64; PAGE]>>>, i: usize, carry: u64) {
    let page = i / PAGE;
    if page >= high.len() {
        high.resize(page + 1, None);
    }
    let high = &mut high[page].get_or_insert_with(|| Box::new([0; PAGE]))[i % PAGE];
    *high = high.saturating_add(carry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_integers_and_hold_their_values() {
        let mut expected_low = 0u64;
        for i in 0..(EXACT_BELOW as usize + 40 * HALF as usize) {
            let (low, width) = bounds_of(i);
            assert_eq!(low, expected_low, "bucket {i} starts where the last ended");
            assert_eq!(index_of(low), i);
            assert_eq!(index_of(low + width - 1), i);
            // At most 1/1024 of its values wide.
            assert!(
                width == 1 || width * HALF <= low,
                "bucket {i}: {low} + {width}"
            );
            expected_low = low + width;
        }
        let top = index_of(u64::MAX);
        let (low, width) = bounds_of(top);
        assert_eq!(low.wrapping_add(width), 0, "the last bucket ends at 2^64");
    }

    /// Counts past 2^8 (and 2^16, and 2^40) carry into the high bits, through single records,
    /// bulk records and merges, and read back whole.
    #[test]
    fn counts_carry_past_the_low_bits() {
        let mut a = LogHistogram::default();
        for _ in 0..200_000 {
            a.record(7);
        }
        a.record_n(7, 65_535);
        a.record_n(1_000_000, 1 << 40);
        let mut b = LogHistogram::default();
        b.record_n(7, 65_537);
        b.record(1_000_000);
        b.merge(&a);
        let counts: Vec<u64> = b.buckets().map(|b| b.count).collect();
        assert_eq!(counts, [200_000 + 65_535 + 65_537, (1 << 40) + 1]);
        // Either side of 2^8, one at a time, in bulk and through the fast loop.
        let mut c = LogHistogram::default();
        (0..255).for_each(|_| c.record(3));
        c.record_all(&[4; 256]);
        c.record_all(&[5; 257]);
        c.record_n(6, 511);
        c.record(6);
        let counts: Vec<(u64, u64)> = c.buckets().map(|b| (b.low, b.count)).collect();
        assert_eq!(counts, [(3, 255), (4, 256), (5, 257), (6, 512)]);
        assert_eq!(c.find_rank(255 + 256 + 256).map(|(b, _)| b.low), Some(5));
    }

    /// The rank search skips whole pages, with and without high count bits, and lands on the
    /// bucket a walk over every bucket finds.
    #[test]
    fn find_rank_agrees_with_a_walk_over_the_buckets() {
        let mut h = LogHistogram::default();
        let mut state = 12_345u64;
        for i in 0..20_000u64 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            h.record((state >> 40) % 3_000_000 + i % 7);
        }
        h.record_n(1_000_000, 200_000);
        h.record_n(5, 70_000);
        h.record_n(u64::MAX, 3);
        let buckets: Vec<Bucket> = h.buckets().collect();
        let n: u64 = buckets.iter().map(|b| b.count).sum();
        let walk = |k: u64| {
            let mut before = 0;
            for b in &buckets {
                if k < before + b.count {
                    return Some((*b, before));
                }
                before += b.count;
            }
            None
        };
        let mut ranks: Vec<u64> = (0..n).step_by(997).collect();
        ranks.extend([0, 69_999, 70_000, n / 2, n - 4, n - 3, n - 1, n, n + 5]);
        for k in ranks {
            assert_eq!(h.find_rank(k), walk(k), "rank {k}");
        }
    }

    /// However a histogram's range grew (value by value, merged, from counts of a known range,
    /// downwards or upwards), it holds the same buckets, in whole pages allocated to the byte.
    #[test]
    fn every_way_of_widening_holds_the_same_buckets() {
        let values: Vec<u64> = (0..3_000u64)
            .map(|i| (i * 7_919) % 1_000_003 + (i % 5) * 1_000_000_000)
            .collect();
        let mut one_by_one = LogHistogram::default();
        values.iter().rev().for_each(|&v| one_by_one.record(v));
        let mut halves = [LogHistogram::default(), LogHistogram::default()];
        for (k, &v) in values.iter().enumerate() {
            halves[k % 2].record(v);
        }
        let mut merged = LogHistogram::default();
        merged.record(500_000);
        merged.merge(&halves[0]);
        merged.merge(&halves[1]);
        let mut counts: Vec<(u64, u64)> = values.iter().map(|&v| (v, 1)).collect();
        counts.sort_unstable();
        let mut sorted = LogHistogram::default();
        let (lo, hi) = (counts[0].0, counts[counts.len() - 1].0);
        sorted.record_counts(counts.iter().rev().copied(), lo, hi);
        sorted.record(500_000);
        one_by_one.record(500_000);
        let expected: Vec<Bucket> = one_by_one.buckets().collect();
        for h in [&merged, &sorted] {
            assert_eq!(h.buckets().collect::<Vec<_>>(), expected);
            assert!(h.first % PAGE == 0 && h.low.len() % PAGE == 0);
            assert_eq!(h.low.capacity(), h.low.len());
        }
        assert_eq!(one_by_one.low.capacity(), one_by_one.low.len());
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = LogHistogram::default();
        let mut b = LogHistogram::default();
        a.record(5);
        a.record(1_000_000);
        b.record(5);
        b.record_n(u64::MAX, 3);
        a.merge(&b);
        let buckets: Vec<(u64, u64)> = a.buckets().map(|b| (b.low, b.count)).collect();
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets[0], (5, 2));
        assert_eq!(buckets[2].1, 3);
    }
}
