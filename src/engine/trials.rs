//! Sets of trial indices as sorted ranges ([`TrialSet`]): which trials of a run are done, so an
//! interrupted run's finished work can be kept and only the missing trials run later; and the
//! cutting of the trials to run into the chunks workers take ([`Pieces`]).

use std::ops::Range;

/// A set of trial indices, held as sorted, disjoint, non-adjacent, non-empty half-open ranges.
/// Its ranges are always in that normal form, so two sets of the same trials are equal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrialSet {
    ranges: Vec<Range<u64>>,
}

impl TrialSet {
    /// The empty set.
    pub fn new() -> TrialSet {
        TrialSet::default()
    }

    /// The trials of `range` (none if it is empty).
    pub fn of(range: Range<u64>) -> TrialSet {
        TrialSet::from_ranges(std::iter::once(range))
    }

    /// The set of every trial in `ranges`, which may overlap, touch, be empty or come in any
    /// order.
    pub fn from_ranges(ranges: impl IntoIterator<Item = Range<u64>>) -> TrialSet {
        let mut set = TrialSet {
            ranges: ranges.into_iter().filter(|r| r.start < r.end).collect(),
        };
        set.normalise();
        set
    }

    /// The set of exactly `ranges` if they are already in normal form (each non-empty, each
    /// starting after the previous one's end with a gap), else a message saying which are not:
    /// how a set read back from a file is checked.
    pub fn from_normal(ranges: Vec<Range<u64>>) -> Result<TrialSet, String> {
        for (i, r) in ranges.iter().enumerate() {
            if r.start >= r.end {
                return Err(format!("range {i} ({}..{}) is empty", r.start, r.end));
            }
            if i > 0 && ranges[i - 1].end >= r.start {
                return Err(format!(
                    "range {i} ({}..{}) does not start after range {} ({}..{}) ends",
                    r.start,
                    r.end,
                    i - 1,
                    ranges[i - 1].start,
                    ranges[i - 1].end
                ));
            }
        }
        Ok(TrialSet { ranges })
    }

    /// Adds every trial of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Range<u64>>) {
        self.ranges
            .extend(other.into_iter().filter(|r| r.start < r.end));
        self.normalise();
    }

    /// The ranges, in normal form.
    pub fn ranges(&self) -> &[Range<u64>] {
        &self.ranges
    }

    /// How many trials the set holds.
    pub fn count(&self) -> u64 {
        self.ranges.iter().map(|r| r.end - r.start).sum()
    }

    /// Whether the set holds no trial.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether every trial of the set lies in `span`.
    pub fn is_within(&self, span: &Range<u64>) -> bool {
        match (self.ranges.first(), self.ranges.last()) {
            (Some(first), Some(last)) => first.start >= span.start && last.end <= span.end,
            _ => true,
        }
    }

    /// Whether the set holds a trial past `index` (a trial `>= index`).
    pub fn reaches_past(&self, index: u64) -> bool {
        self.ranges.last().is_some_and(|r| r.end > index)
    }

    /// Whether the two sets share a trial.
    pub fn overlaps(&self, other: &TrialSet) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.ranges.get(i), other.ranges.get(j)) {
            if a.start < b.end && b.start < a.end {
                return true;
            }
            if a.end <= b.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// The trials of `span` that the set does not hold.
    pub fn gaps_in(&self, span: Range<u64>) -> TrialSet {
        let mut gaps = Vec::new();
        let mut next = span.start;
        for r in &self.ranges {
            if r.end <= next {
                continue;
            }
            if r.start >= span.end {
                break;
            }
            if r.start > next {
                gaps.push(next..r.start);
            }
            next = r.end;
        }
        if next < span.end {
            gaps.push(next..span.end);
        }
        TrialSet { ranges: gaps }
    }

    fn normalise(&mut self) {
        self.ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u64>> = Vec::with_capacity(self.ranges.len());
        for r in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        self.ranges = merged;
    }
}

/// The trials to run, cut into chunks of at most `chunk` trials each: each range of the set in
/// its own chunks, chunk `c` found without listing them all (a run of 10^12 trials has 5·10^8).
#[derive(Debug, Clone)]
pub(crate) struct Pieces {
    ranges: Vec<Range<u64>>,
    /// `first[i]`: the index of range i's first chunk; one more entry, the chunk count.
    first: Vec<u64>,
    chunk: u64,
}

impl Pieces {
    /// The trials of `set` in chunks of `chunk` (at least 1).
    pub(crate) fn new(set: &TrialSet, chunk: u64) -> Pieces {
        let chunk = chunk.max(1);
        let mut first = Vec::with_capacity(set.ranges.len() + 1);
        let mut total = 0;
        for r in &set.ranges {
            first.push(total);
            total += (r.end - r.start).div_ceil(chunk);
        }
        first.push(total);
        Pieces {
            ranges: set.ranges.clone(),
            first,
            chunk,
        }
    }

    /// How many chunks there are.
    pub(crate) fn count(&self) -> u64 {
        self.first.last().copied().unwrap_or(0)
    }

    /// Chunk `c` (below [`Pieces::count`]): its trials.
    pub(crate) fn get(&self, c: u64) -> Range<u64> {
        // The last range whose first chunk is at or before c.
        let i = self.first.partition_point(|&f| f <= c) - 1;
        let range = &self.ranges[i];
        let start = range.start + (c - self.first[i]) * self.chunk;
        start..(start + self.chunk).min(range.end)
    }
}

#[cfg(test)]
// Lists of one range are lists of ranges here, not ranges of numbers.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn set(ranges: &[(u64, u64)]) -> TrialSet {
        TrialSet::from_ranges(ranges.iter().map(|&(a, b)| a..b))
    }

    #[test]
    fn sets_are_kept_in_normal_form() {
        let s = set(&[(10, 20), (0, 5), (5, 7), (15, 25), (30, 30), (40, 41)]);
        assert_eq!(s.ranges(), [0..7, 10..25, 40..41]);
        assert_eq!(s.count(), 7 + 15 + 1);
        let mut t = TrialSet::new();
        assert!(t.is_empty());
        t.extend([40..41, 10..25]);
        t.extend([0..7]);
        assert_eq!(t, s);
        assert!(TrialSet::from_normal(vec![0..7, 10..25]).is_ok());
        assert_eq!(
            TrialSet::from_normal(vec![0..7, 7..9]).unwrap_err(),
            "range 1 (7..9) does not start after range 0 (0..7) ends"
        );
        assert_eq!(
            TrialSet::from_normal(vec![3..3]).unwrap_err(),
            "range 0 (3..3) is empty"
        );
        assert!(TrialSet::from_normal(vec![5..9, 0..2]).is_err());
    }

    #[test]
    fn gaps_overlaps_and_bounds() {
        let s = set(&[(0, 7), (10, 25), (40, 41)]);
        assert_eq!(s.gaps_in(0..50).ranges(), [7..10, 25..40, 41..50]);
        assert_eq!(s.gaps_in(5..12).ranges(), [7..10]);
        assert_eq!(s.gaps_in(12..20).ranges(), [] as [Range<u64>; 0]);
        assert_eq!(TrialSet::new().gaps_in(3..9).ranges(), [3..9]);
        // A set and its gaps tile the span.
        let mut whole = s.gaps_in(0..41);
        assert!(!whole.overlaps(&s));
        whole.extend(s.ranges().iter().cloned());
        assert_eq!(whole.ranges(), [0..41]);
        assert!(s.overlaps(&set(&[(24, 26)])));
        assert!(!s.overlaps(&set(&[(25, 40)])));
        assert!(s.is_within(&(0..41)) && !s.is_within(&(1..41)) && !s.is_within(&(0..40)));
        assert!(s.reaches_past(40) && !s.reaches_past(41));
    }

    #[test]
    fn pieces_cut_every_range_into_chunks() {
        let s = set(&[(0, 5), (10, 11), (20, 27)]);
        let p = Pieces::new(&s, 3);
        let all: Vec<Range<u64>> = (0..p.count()).map(|c| p.get(c)).collect();
        assert_eq!(all, [0..3, 3..5, 10..11, 20..23, 23..26, 26..27]);
        // One range from 0 cuts as the engine always cut a run: chunk c is c·chunk onwards.
        let p = Pieces::new(&set(&[(0, 10)]), 4);
        assert_eq!(p.count(), 3);
        assert_eq!(p.get(2), 8..10);
        assert_eq!(Pieces::new(&TrialSet::new(), 4).count(), 0);
        let huge = Pieces::new(&set(&[(0, 1_000_000_000_000)]), 2048);
        assert_eq!(huge.count(), 488_281_250);
        assert_eq!(huge.get(488_281_249), 999_999_997_952..1_000_000_000_000);
    }
}
