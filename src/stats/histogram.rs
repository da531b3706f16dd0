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
    pub low: u64,
    pub width: u64,
    pub count: u64,
}

/// Counts per bucket, grown to the highest bucket recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogHistogram {
    counts: Vec<u64>,
}

/// The bucket holding `v`.
#[inline]
fn index_of(v: u64) -> usize {
    if v < EXACT_BELOW {
        return v as usize;
    }
    let exponent = 63 - v.leading_zeros(); // >= PRECISION_BITS + 1
    let shift = exponent - PRECISION_BITS;
    let sub = (v >> shift) - HALF; // 0..HALF
    (EXACT_BELOW + u64::from(exponent - PRECISION_BITS - 1) * HALF + sub) as usize
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
        let i = index_of(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += n;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &LogHistogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Every bucket holding values, lowest first.
    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &count)| {
                let (low, width) = bounds_of(i);
                Bucket { low, width, count }
            })
    }
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
