//! Exact counts of a tally's distinct values, while there are few of them: an open-addressing
//! hash table, since a tally of a continuous quantity inserts a couple of thousand new values
//! before it gives its exact counts up, once per worker and (in a sweep) per point. A B-tree
//! spent some 80 ns on each such insert; the table spends a few. Between bouts of recording a
//! table can be compacted to its sorted pairs alone (a sweep keeps thousands of tallies).

use std::sync::OnceLock;

/// `(value, count)` slots; a count of 0 marks an empty slot.
#[derive(Debug, Clone, Default)]
pub(super) struct ExactCounts {
    slots: Vec<(u64, u64)>,
    len: usize,
    /// The counts sorted by value: made on first use after the last change from the table (a
    /// report asks a tally for a dozen quantiles), or, compacted, the counts themselves.
    sorted: OnceLock<Vec<(u64, u64)>>,
    /// Compacted, when every value and count fits in 32 bits: the sorted counts, in half the
    /// bytes of `sorted`.
    narrow: Vec<(u32, u32)>,
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
        // About half full at most, so probes stay short; one slot past half, so that a tally
        // at its limit of 2,048 distinct values takes its 2,049th (and gives its counts up)
        // without first doubling the table to 8,192 slots. (This also rebuilds a compacted
        // table, which has no slots.)
        if 2 * self.len + 1 > self.slots.len() + 2 || self.slots.is_empty() {
            self.grow();
        }
        self.sorted.take();
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
        if self.slots.is_empty() && self.len > 0 {
            // Compacted: the counts are in the sorted pairs alone.
            let mut size = 16;
            while 2 * (self.len + 1) > size {
                size *= 2;
            }
            self.slots = vec![(0, 0); size];
            self.len = 0;
            match self.sorted.take() {
                Some(pairs) => pairs.into_iter().for_each(|(v, c)| self.add(v, c)),
                None => {
                    // The narrow pairs' memory stays for the next `compact`: a sweep's points
                    // are recorded by whichever worker is free, and counts that moved to a new
                    // block each time left a trail of holes in every thread's allocator arena.
                    let narrow = std::mem::take(&mut self.narrow);
                    for &(v, c) in &narrow {
                        self.add(u64::from(v), u64::from(c));
                    }
                    self.narrow = narrow;
                    self.narrow.clear();
                }
            }
            return;
        }
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![(0, 0); (old.len() * 2).max(16)];
        self.len = 0;
        for (value, count) in old {
            if count > 0 {
                self.add(value, count);
            }
        }
    }

    /// Keeps only the sorted `(value, count)` pairs, 8 bytes a distinct value when values and
    /// counts fit in 32 bits (else 16), instead of the table's 32 to 64 (it is at most half
    /// full) and the sorted view besides: a sweep keeps every point's tallies between the
    /// chunks it records, and at a couple of thousand trials each tally is still exact. The
    /// next `add` rebuilds the table.
    pub(super) fn compact(&mut self) {
        if self.slots.is_empty() {
            return;
        }
        let fits = |x: u64| u32::try_from(x).is_ok();
        let live = self.slots.iter().filter(|p| p.1 > 0);
        if self.len > 0 && live.clone().all(|&(v, c)| fits(v) && fits(c)) {
            self.narrow.clear();
            self.narrow.reserve_exact(self.len);
            self.narrow.extend(live.map(|&(v, c)| (v as u32, c as u32)));
            // Value first, so the same order as the 64-bit pairs.
            self.narrow.sort_unstable();
            self.sorted = OnceLock::new();
        } else {
            let mut pairs = Vec::with_capacity(self.len);
            pairs.extend(live.copied());
            pairs.sort_unstable();
            self.sorted = OnceLock::from(pairs);
            self.narrow = Vec::new();
        }
        self.slots = Vec::new();
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<(u64, u64)>()
            * (self.slots.capacity() + self.sorted.get().map_or(0, Vec::capacity))
            + std::mem::size_of::<(u32, u32)>() * self.narrow.capacity()
    }

    /// Every `(value, count)`, in no particular order (without sorting a table).
    pub(super) fn pairs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let table = self.slots.iter().copied().filter(|p| p.1 > 0);
        // Compacted, the table is empty and the sorted pairs hold the counts.
        let compacted = self.slots.is_empty().then(|| self.sorted());
        table.chain(compacted.into_iter().flatten())
    }

    /// Every `(value, count)`, lowest value first.
    pub(super) fn sorted(&self) -> Sorted<'_> {
        if !self.narrow.is_empty() {
            return Sorted::Narrow(self.narrow.iter());
        }
        Sorted::Wide(
            self.sorted
                .get_or_init(|| {
                    let mut pairs = Vec::with_capacity(self.len);
                    pairs.extend(self.slots.iter().copied().filter(|p| p.1 > 0));
                    pairs.sort_unstable();
                    pairs
                })
                .iter(),
        )
    }
}

/// The sorted counts of an [`ExactCounts`], from whichever form holds them.
#[derive(Debug, Clone)]
pub(super) enum Sorted<'a> {
    Wide(std::slice::Iter<'a, (u64, u64)>),
    Narrow(std::slice::Iter<'a, (u32, u32)>),
}

impl Iterator for Sorted<'_> {
    type Item = (u64, u64);

    #[inline]
    fn next(&mut self) -> Option<(u64, u64)> {
        match self {
            Sorted::Wide(pairs) => pairs.next().copied(),
            Sorted::Narrow(pairs) => pairs.next().map(|&(v, c)| (u64::from(v), u64::from(c))),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Sorted::Wide(pairs) => pairs.size_hint(),
            Sorted::Narrow(pairs) => pairs.size_hint(),
        }
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

    fn pairs(e: &ExactCounts) -> Vec<(u64, u64)> {
        e.sorted().collect()
    }

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
        assert_eq!(pairs(&e), m.clone().into_iter().collect::<Vec<_>>());
        // The sorted view follows later changes.
        e.add(3, 5);
        *m.entry(3).or_insert(0) += 5;
        assert_eq!(pairs(&e), m.into_iter().collect::<Vec<_>>());
    }

    /// Compacted, a table answers from its sorted pairs alone (in 32 bits when everything fits,
    /// else 64), and counts on after rebuilding itself.
    #[test]
    fn compacting_keeps_the_counts() {
        for wide in [false, true] {
            let mut e = ExactCounts::default();
            let mut m = BTreeMap::new();
            for i in 0..1_500u64 {
                let v = (i * 7_919) % 1_000_003;
                e.add(v, 1 + i % 3);
                *m.entry(v).or_insert(0) += 1 + i % 3;
            }
            if wide {
                e.add(1 << 40, 1);
                *m.entry(1 << 40).or_insert(0) += 1;
            }
            e.compact();
            let expected: Vec<(u64, u64)> = m.clone().into_iter().collect();
            assert_eq!(pairs(&e), expected);
            assert_eq!(e.len(), m.len());
            let pair_bytes = if wide { 16 } else { 8 };
            assert_eq!(e.heap_bytes(), pair_bytes * m.len(), "wide: {wide}");
            // Compacting twice changes nothing.
            e.compact();
            assert_eq!(pairs(&e), expected);
            // New values, and one counted already (7,919 × 5).
            for v in [3, 12_345_678, u64::MAX, 39_595] {
                e.add(v, 2);
                *m.entry(v).or_insert(0) += 2;
            }
            assert_eq!(e.len(), m.len());
            assert_eq!(pairs(&e), m.into_iter().collect::<Vec<_>>());
        }
        // A count past 32 bits keeps the wide form.
        let mut big = ExactCounts::default();
        big.add(5, 1 << 33);
        big.compact();
        assert_eq!(pairs(&big), [(5, 1 << 33)]);
        // An empty table compacts to nothing and counts afterwards.
        let mut empty = ExactCounts::default();
        empty.compact();
        assert_eq!(empty.heap_bytes(), 0);
        empty.add(9, 1);
        assert_eq!(pairs(&empty), [(9, 1)]);
    }
}
