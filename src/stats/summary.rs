//! The summary of a run: a [`Tally`] per firm and metric, and per round, folded from trial
//! outcomes and merged exactly.

use super::Tally;
use super::metrics::{Metric, PerMetric, trial_metric_values};
use crate::model::Outcome;
use crate::scenario::Scenario;

/// What a run found about one round.
#[derive(Debug, Clone, Default)]
pub struct RoundTally {
    /// Trials in which the round was approved.
    pub approved: u64,
    /// Trials in which a halt fired in this round.
    pub halted_here: u64,
    /// Trials halted in this round or an earlier one.
    pub halted_by: u64,
    /// Total delivered by the end of the round.
    pub cumulative: Tally,
}

/// Everything a run reports, mergeable exactly across threads and shards.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Firm names, then "total".
    pub names: Vec<String>,
    /// `tallies[firm][metric]`; the last firm is the total.
    pub tallies: Vec<PerMetric<Tally>>,
    /// One entry per round, in order.
    pub rounds: Vec<RoundTally>,
    /// Approved rounds per trial.
    pub approved_rounds: Tally,
    equivalence: f64,
}

impl Summary {
    /// An empty summary for `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let mut names: Vec<String> = scenario.firms.iter().map(|f| f.name.clone()).collect();
        names.push("total".to_string());
        Summary {
            tallies: vec![Default::default(); names.len()],
            names,
            rounds: vec![RoundTally::default(); scenario.rounds as usize],
            approved_rounds: Tally::default(),
            equivalence: scenario.domestic.equivalence,
        }
    }

    /// A summary from its parts (as saved by a finished run).
    pub fn from_parts(
        names: Vec<String>,
        tallies: Vec<PerMetric<Tally>>,
        rounds: Vec<RoundTally>,
        approved_rounds: Tally,
        equivalence: f64,
    ) -> Summary {
        Summary {
            names,
            tallies,
            rounds,
            approved_rounds,
            equivalence,
        }
    }

    /// Imported-chip equivalents of one domestic chip: how effective unmet demand is recorded.
    pub fn equivalence(&self) -> f64 {
        self.equivalence
    }

    /// Trials recorded.
    pub fn trials(&self) -> u64 {
        self.approved_rounds.count()
    }

    /// The tally of `metric` for firm `firm` (`names.len() - 1` is the total).
    pub fn tally(&self, firm: usize, metric: Metric) -> &Tally {
        &self.tallies[firm][metric]
    }

    /// The number of tallies of a summary of `firms` firms and `rounds` rounds: every metric
    /// for each firm and the total, each round's cumulative total and the approved rounds.
    pub fn tally_count(firms: usize, rounds: usize) -> usize {
        Metric::COUNT * (firms + 1) + rounds + 1
    }

    /// Every tally, firm by firm (the total last), then the rounds', then the approved rounds.
    pub fn all_tallies(&self) -> impl Iterator<Item = &Tally> + '_ {
        self.tallies
            .iter()
            .flatten()
            .chain(self.rounds.iter().map(|r| &r.cumulative))
            .chain(std::iter::once(&self.approved_rounds))
    }

    /// Gives back what the tallies hold only to record fast ([`Tally::compact`]); results are
    /// unchanged.
    pub fn compact(&mut self) {
        let width = self.width();
        (0..width).for_each(|k| self.tally_mut(k).compact());
    }

    /// Bytes the summary's tallies hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.all_tallies().map(Tally::heap_bytes).sum()
    }

    /// Folds one trial's outcome in. A [`Recorder`] does the same for many trials, faster.
    pub fn record(&mut self, o: &Outcome) {
        self.count_rounds(o);
        let mut k = 0;
        trial_values(self.equivalence, o, |v| {
            self.tally_mut(k).record(v);
            k += 1;
        });
    }

    /// The number of tallies a trial records a value in.
    fn width(&self) -> usize {
        Summary::tally_count(self.tallies.len() - 1, self.rounds.len())
    }

    /// Tally `k` in the order [`trial_values`] produces values: firm by firm (the total last)
    /// metric by metric, then each round's cumulative total, then the approved rounds.
    fn tally_mut(&mut self, k: usize) -> &mut Tally {
        let firm_tallies = Metric::COUNT * self.tallies.len();
        if k < firm_tallies {
            &mut self.tallies[k / Metric::COUNT].0[k % Metric::COUNT]
        } else if k - firm_tallies < self.rounds.len() {
            &mut self.rounds[k - firm_tallies].cumulative
        } else {
            &mut self.approved_rounds
        }
    }

    /// Counts the round events of one trial (the counters that need no tally).
    fn count_rounds(&mut self, o: &Outcome) {
        for (r, round) in self.rounds.iter_mut().enumerate() {
            let number = r as u32 + 1;
            round.approved += u64::from(o.approved[r]);
            round.halted_here += u64::from(o.halt_round == Some(number));
            round.halted_by += u64::from(o.halt_round.is_some_and(|h| h <= number));
        }
    }

    /// Adds everything `other` recorded (same scenario).
    pub fn merge(&mut self, other: &Summary) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
        for (a, b) in self.rounds.iter_mut().zip(&other.rounds) {
            a.approved += b.approved;
            a.halted_here += b.halted_here;
            a.halted_by += b.halted_by;
            a.cumulative.merge(&b.cumulative);
        }
        self.approved_rounds.merge(&other.approved_rounds);
    }
}

/// Passes `put` the value of every tally of one trial, in the order of [`Summary::tally_mut`]:
/// the metrics of [`trial_metric_values`], then each round's cumulative total and the approved
/// rounds.
#[inline(always)]
fn trial_values(equivalence: f64, o: &Outcome, mut put: impl FnMut(u64)) {
    trial_metric_values(equivalence, o, &mut put);
    o.cumulative.iter().for_each(|&v| put(v));
    put(o.approved.iter().map(|&a| u64::from(a)).sum());
}

/// Trials a [`Recorder`] holds before it folds them in.
const BATCH: usize = 128;

/// Distance between the starts of two tallies' columns in the buffer: an odd number of cache
/// lines, so that the columns a trial writes to fall in different sets of the cache (at a
/// power-of-two distance they crowd into a few and evict each other).
const STRIDE: usize = BATCH + 8;

/// Folds trial outcomes into a [`Summary`] a batch at a time: each trial's values go into a
/// buffer, and every `BATCH` (128) trials each tally takes its column of values in one pass. A
/// trial touches some fifty tallies, each with its own histogram; one at a time, their busy
/// buckets fell out of the cache between trials. The result is exactly that of
/// [`Summary::record`] on each outcome.
#[derive(Debug, Clone)]
pub struct Recorder {
    summary: Summary,
    buffer: RecordBuffer,
}

impl Recorder {
    /// A recorder for `scenario`, holding nothing yet.
    pub fn new(scenario: &Scenario) -> Self {
        let summary = Summary::new(scenario);
        Recorder {
            buffer: RecordBuffer::for_width(summary.width()),
            summary,
        }
    }

    /// Folds one trial's outcome in (at the latest when the batch is full, or on [`finish`]).
    ///
    /// [`finish`]: Recorder::finish
    #[inline]
    pub fn record(&mut self, o: &Outcome) {
        self.buffer.push(&mut self.summary, o);
    }

    /// The summary of every outcome recorded.
    pub fn finish(mut self) -> Summary {
        self.buffer.flush(&mut self.summary);
        self.summary
    }
}

/// The batch buffer of a [`Recorder`] without the summary, for a worker that records into
/// summaries it does not own (a sweep's workers take turns at each point's one summary):
/// [`RecordBuffer::recording`] lends it to a summary until the returned [`Recording`] is
/// dropped, which folds in what is left, so no value can reach another summary.
#[derive(Debug, Clone, Default)]
pub struct RecordBuffer {
    /// `pending[k * STRIDE + t]`: tally k's value in buffered trial t.
    pending: Vec<u64>,
    len: usize,
}

impl RecordBuffer {
    /// An empty buffer; it takes the size of each summary it is lent to.
    pub fn new() -> Self {
        RecordBuffer::default()
    }

    fn for_width(width: usize) -> Self {
        RecordBuffer {
            pending: vec![0; width * STRIDE],
            len: 0,
        }
    }

    /// Bytes a buffer holds for a summary of `tallies` tallies (for memory estimates).
    pub fn bytes_for(tallies: usize) -> usize {
        tallies * STRIDE * std::mem::size_of::<u64>()
    }

    /// Records into `summary` through this buffer until the guard is dropped.
    pub fn recording<'a>(&'a mut self, summary: &'a mut Summary) -> Recording<'a> {
        debug_assert_eq!(self.len, 0, "a recording flushes when it ends");
        // Exactly one column a tally, as `push` expects (points can differ in rounds).
        self.pending.resize(summary.width() * STRIDE, 0);
        Recording {
            buffer: self,
            summary,
        }
    }

    #[inline]
    fn push(&mut self, summary: &mut Summary, o: &Outcome) {
        summary.count_rounds(o);
        let t = self.len;
        let mut columns = self.pending.chunks_exact_mut(STRIDE);
        trial_values(summary.equivalence, o, |v| {
            if let Some(column) = columns.next() {
                column[t] = v;
            }
        });
        debug_assert_eq!(columns.len(), 0, "a value for every tally");
        self.len += 1;
        if self.len == BATCH {
            self.flush(summary);
        }
    }

    fn flush(&mut self, summary: &mut Summary) {
        for k in 0..summary.width() {
            let column = &self.pending[k * STRIDE..k * STRIDE + self.len];
            summary.tally_mut(k).record_all(column);
        }
        self.len = 0;
    }
}

/// A [`RecordBuffer`] lent to a [`Summary`]; dropping it folds the last values in.
#[derive(Debug)]
pub struct Recording<'a> {
    buffer: &'a mut RecordBuffer,
    summary: &'a mut Summary,
}

impl Recording<'_> {
    /// Folds one trial's outcome in (at the latest when the recording ends).
    #[inline]
    pub fn record(&mut self, o: &Outcome) {
        self.buffer.push(self.summary, o);
    }
}

impl Drop for Recording<'_> {
    fn drop(&mut self) {
        self.buffer.flush(self.summary);
    }
}
