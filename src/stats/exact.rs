//! Exact counts of a tally's distinct values, while there are few of them: an open-addressing
//! hash table, since a tally of a continuous quantity inserts a couple of thousand new values
//! before it gives its exact counts up, once per worker and (in a sweep) per point. A B-tree
//! spent some 80 ns on each such insert; the table spends a few.

use std::sync::OnceLock;

/// `(value, count)` slots; a count of 0 marks an empty slot.
#[derive(Debug, Clone, Default)]
pub(super) struct ExactCounts {
    slots: Vec<(u64, u64)>,
    len: usize,
    /// The counts sorted by value, made on first use after the last change (a report asks a
    /// tally for a dozen quantiles).
    sorted: OnceLock<Vec<(u64, u64)>>,
}

impl ExactCounts {
    /// Distinct values counted.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Counts `count` (> 0) more of `value`.
    #[inline]
    pub(super) fn add(&mut self, value: u64, count: u64) {
        debug_assert!(count > 0);
        self.sorted.take();
        // At most half full, so probes stay short.
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = slot_of(value, mask);
        loop {
            let slot = &mut self.slots[i];
            if slot.1 == 0 {
                *slot = (value, count);
                self.len += 1;
                return;
            }
            if slot.0 == value {
                slot.1 += count;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(0, 0); (old.len() * 2).max(16)];
        self.len = 0;
        for (value, count) in old {
            if count > 0 {
                self.add(value, count);
            }
        }
    }

    /// Every `(value, count)`, lowest value first.
    pub(super) fn sorted(&self) -> &[(u64, u64)] {
        self.sorted.get_or_init(|| {
            let mut pairs: Vec<(u64, u64)> =
                self.slots.iter().copied().filter(|p| p.1 > 0).collect();
            pairs.sort_unstable();
            pairs
        })
    }
}

impl FromIterator<(u64, u64)> for ExactCounts {
    fn from_iter<I: IntoIterator<Item = (u64, u64)>>(pairs: I) -> Self {
        let mut e = ExactCounts::default();
        for (value, count) in pairs {
            if count > 0 {
                e.add(value, count);
            }
        }
        e
    }
}

/// Fibonacci hashing (Knuth, TAOCP 6.4): the top bits of value × 2^64/φ.
#[inline]
fn slot_of(value: u64, mask: usize) -> usize {
    let bits = (mask + 1).trailing_zeros();
    (value.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn counts_match_a_btree_map() {
        let mut e = ExactCounts::default();
        let mut m = BTreeMap::new();
        // Clustered, spread and repeated values, through several growths.
        for i in 0..5_000u64 {
            let v = match i % 4 {
                0 => i / 7,
                1 => i.wrapping_mul(0x1234_5678_9abc_def1),
                2 => 1 << (i % 64),
                _ => u64::MAX - i % 3,
            };
            e.add(v, 1 + i % 2);
            *m.entry(v).or_insert(0) += 1 + i % 2;
        }
        assert_eq!(e.len(), m.len());
        assert_eq!(e.sorted(), m.clone().into_iter().collect::<Vec<_>>());
        // The sorted view follows later changes.
        e.add(3, 5);
        *m.entry(3).or_insert(0) += 5;
        assert_eq!(e.sorted(), m.into_iter().collect::<Vec<_>>());
    }
}
