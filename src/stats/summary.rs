//! The summary of a run: a [`Tally`] per firm and metric, per round, and per member of each
//! per-trial metric ([`super::TRIAL_METRICS`]), folded from trial outcomes and merged exactly.

use super::Tally;
use super::metrics::{Metric, PerMetric, trial_metric_values};
use super::per_trial::{Members, TrialMetric, trial_layout};
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
    /// Trials in each regime in this round, by regime index (listed order); empty without
    /// regimes.
    pub regimes: Vec<u64>,
}

/// One member of a per-trial metric ([`super::TRIAL_METRICS`]) and its tally over trials.
#[derive(Debug, Clone)]
pub struct TrialTally {
    /// The metric.
    pub metric: TrialMetric,
    /// Which of its members: a regime's index or a firm's, as the metric's [`Members`] says.
    pub member: usize,
    /// The member's value in every trial.
    pub tally: Tally,
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
    /// The regimes' names in listed order; empty for a scenario without regimes.
    pub regimes: Vec<String>,
    /// The per-trial metrics' tallies, in the order of [`trial_layout`]: none for a scenario
    /// without regimes or drawn entry rounds.
    pub per_trial: Vec<TrialTally>,
    equivalence: f64,
}

impl Summary {
    /// An empty summary for `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let mut names: Vec<String> = scenario.firms.iter().map(|f| f.name.clone()).collect();
        names.push("total".to_string());
        let regimes: Vec<String> = scenario
            .regimes
            .list
            .iter()
            .map(|g| g.name.clone())
            .collect();
        let round = RoundTally {
            regimes: vec![0; regimes.len()],
            ..RoundTally::default()
        };
        Summary {
            tallies: vec![Default::default(); names.len()],
            names,
            rounds: vec![round; scenario.rounds as usize],
            approved_rounds: Tally::default(),
            per_trial: trial_layout(regimes.len(), &scenario.firms)
                .into_iter()
                .map(|(metric, member)| TrialTally {
                    metric,
                    member,
                    tally: Tally::default(),
                })
                .collect(),
            regimes,
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
            regimes: Vec::new(),
            per_trial: Vec::new(),
            equivalence,
        }
    }

    /// The same summary with its regimes' names and per-trial tallies (as saved by a finished
    /// run whose scenario has regimes or drawn entry rounds); its rounds' `regimes` counts must
    /// have one entry per regime.
    pub fn with_per_trial(mut self, regimes: Vec<String>, per_trial: Vec<TrialTally>) -> Summary {
        self.regimes = regimes;
        self.per_trial = per_trial;
        self
    }

    /// The summary row (an index into `names`) on which per-trial tally `t` is reported: the
    /// total's for a regime's, the firm's own for a firm's.
    pub fn row_of(&self, t: &TrialTally) -> usize {
        match t.metric.spec().members {
            Members::EachRegime => self.names.len() - 1,
            Members::Firms(_) => t.member,
        }
    }

    /// The name of per-trial tally `t`'s member: its regime's or its firm's.
    pub fn member_name(&self, t: &TrialTally) -> &str {
        match t.metric.spec().members {
            Members::EachRegime => &self.regimes[t.member],
            Members::Firms(_) => &self.names[t.member],
        }
    }

    /// Per-trial tally `t`'s name in outputs (summary.csv's `metric`): `rounds_in_calm`.
    pub fn trial_name(&self, t: &TrialTally) -> String {
        (t.metric.spec().name)(self.member_name(t))
    }

    /// Per-trial tally `t`'s name for people, with its unit: "Rounds in regime calm (rounds)".
    pub fn trial_heading(&self, t: &TrialTally) -> String {
        let spec = t.metric.spec();
        super::metrics::heading(&(spec.label)(self.member_name(t)), spec.quantity)
    }

    /// The per-trial tallies reported on summary row `row` (a firm's index, or the total's), in
    /// table order.
    pub fn per_trial_on(&self, row: usize) -> impl Iterator<Item = &TrialTally> + '_ {
        self.per_trial.iter().filter(move |t| self.row_of(t) == row)
    }

    /// The per-trial tally of `metric` for `member`, if the summary has one.
    pub fn trial_tally(&self, metric: TrialMetric, member: usize) -> Option<&Tally> {
        self.per_trial
            .iter()
            .find(|t| t.metric == metric && t.member == member)
            .map(|t| &t.tally)
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
    /// for each firm and the total, each round's cumulative total and the approved rounds. A
    /// scenario with regimes or drawn entry rounds adds one per member of its per-trial metrics
    /// (a regime's, a drawn firm's).
    pub fn tally_count(firms: usize, rounds: usize) -> usize {
        Metric::COUNT * (firms + 1) + rounds + 1
    }

    /// Every tally, firm by firm (the total last), then the rounds', then the approved rounds,
    /// then the per-trial metrics'.
    pub fn all_tallies(&self) -> impl Iterator<Item = &Tally> + '_ {
        self.tallies
            .iter()
            .flatten()
            .chain(self.rounds.iter().map(|r| &r.cumulative))
            .chain(std::iter::once(&self.approved_rounds))
            .chain(self.per_trial.iter().map(|t| &t.tally))
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
        let mut values = Vec::with_capacity(self.width());
        trial_values(self.equivalence, &self.per_trial, o, |v| values.push(v));
        for (k, v) in values.into_iter().enumerate() {
            self.tally_mut(k).record(v);
        }
    }

    /// The number of tallies a trial records a value in.
    fn width(&self) -> usize {
        Summary::tally_count(self.tallies.len() - 1, self.rounds.len()) + self.per_trial.len()
    }

    /// Tally `k` in the order [`trial_values`] produces values: firm by firm (the total last)
    /// metric by metric, then each round's cumulative total, then the approved rounds, then the
    /// per-trial metrics'.
    fn tally_mut(&mut self, k: usize) -> &mut Tally {
        let firm_tallies = Metric::COUNT * self.tallies.len();
        let approved = firm_tallies + self.rounds.len();
        if k < firm_tallies {
            &mut self.tallies[k / Metric::COUNT].0[k % Metric::COUNT]
        } else if k < approved {
            &mut self.rounds[k - firm_tallies].cumulative
        } else if k == approved {
            &mut self.approved_rounds
        } else {
            &mut self.per_trial[k - approved - 1].tally
        }
    }

    /// Counts the round events of one trial (the counters that need no tally).
    fn count_rounds(&mut self, o: &Outcome) {
        for (r, (round, &approved)) in self.rounds.iter_mut().zip(&o.approved).enumerate() {
            let number = r as u32 + 1;
            round.approved += u64::from(approved);
            round.halted_here += u64::from(o.halt_round == Some(number));
            round.halted_by += u64::from(o.halt_round.is_some_and(|h| h <= number));
            // Without regimes the outcome has no regime per round and the counts none.
            if let (Some(&g), false) = (o.regime.get(r), round.regimes.is_empty()) {
                round.regimes[g as usize] += 1;
            }
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
            for (x, y) in a.regimes.iter_mut().zip(&b.regimes) {
                *x += y;
            }
        }
        self.approved_rounds.merge(&other.approved_rounds);
        debug_assert_eq!(self.per_trial.len(), other.per_trial.len(), "same scenario");
        for (a, b) in self.per_trial.iter_mut().zip(&other.per_trial) {
            debug_assert_eq!((a.metric, a.member), (b.metric, b.member), "same scenario");
            a.tally.merge(&b.tally);
        }
    }
}

/// Passes `put` the value of every tally of one trial, in the order of [`Summary::tally_mut`]:
/// the metrics of [`trial_metric_values`], then each round's cumulative total and the approved
/// rounds, then each of `per_trial`'s members.
#[inline(always)]
fn trial_values(equivalence: f64, per_trial: &[TrialTally], o: &Outcome, mut put: impl FnMut(u64)) {
    trial_metric_values(equivalence, o, &mut put);
    o.cumulative.iter().for_each(|&v| put(v));
    put(o.approved.iter().map(|&a| u64::from(a)).sum());
    for t in per_trial {
        put((t.metric.spec().value)(o, t.member));
    }
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
        // Always so (the batch is folded in when it fills); said once here, the compiler drops
        // the bounds check of every column's store below.
        assert!(t < BATCH, "a full batch is folded in before the next trial");
        let mut columns = self.pending.chunks_exact_mut(STRIDE);
        trial_values(summary.equivalence, &summary.per_trial, o, |v| {
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
