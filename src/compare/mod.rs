//! Policy comparisons on common random numbers: several scenarios (points) run on the same seed,
//! so trial t sees the same world in every point, and the per-trial differences against the
//! first point (the reference) give paired confidence intervals far narrower than independent
//! runs would. Sweeps, side-by-side scenarios and sensitivity all run through [`run_points`].

pub mod memory;
mod paired;
pub mod plan;

pub use memory::{MemoryError, MemoryEstimate, MemoryLimit, check_memory};
pub use paired::{DiffTally, PAIRED_METRICS, Paired, Worse, Z95};
pub use plan::{FirmsError, Kind, Knob, KnobError, Plan, PlanError, Point};

use std::borrow::Borrow;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use crate::engine::{EngineError, for_each_chunk};
use crate::model::{MapCache, Model, Workspace, World, WorldLayout};
use crate::rng::TrialStreams;
use crate::scenario::Scenario;
use crate::stats::{Metric, RecordBuffer, Summary, Tally};

/// How to run the points.
#[derive(Debug, Clone)]
pub struct PointsOptions {
    /// Trials per point: indices `0..trials`, the same in every point.
    pub trials: u64,
    /// Seed of every point's streams: the same in every point, which is what pairs their trials
    /// (common random numbers). The commands pass the first scenario's `seed` unless `--seed`
    /// overrides it.
    pub seed: u64,
    /// Worker threads; 0 lets rayon choose (RAYON_NUM_THREADS, else one per core).
    pub threads: usize,
    /// Trials a worker takes at a time (each played by every point). Results do not depend on
    /// it.
    pub chunk: u64,
}

impl Default for PointsOptions {
    fn default() -> Self {
        PointsOptions {
            trials: 100_000,
            seed: 0,
            threads: 0,
            chunk: 16384,
        }
    }
}

/// What running the points produced, indexed like the points.
#[derive(Debug)]
pub struct PointsResult {
    /// Each point's tallies over its trials, merged exactly.
    pub summaries: Vec<Summary>,
    /// Differences of each point against point 0 (so `paired[0]` is all zeros), indexed by
    /// the firms of `firms` (then the total).
    pub paired: Vec<Paired>,
    /// The points' firms matched by name.
    pub firms: FirmMatch,
    /// Worker threads used.
    pub threads: usize,
}

/// The firms of several points matched by name. A firm's random draws are keyed by its name
/// (MODEL.md "Randomness"), so the firm of one name sees the same world in every point wherever
/// it is listed, and its results pair trial by trial; a firm only some points list has nothing
/// to pair with at the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmMatch {
    /// Every firm any point lists: the reference's (point 0's) in its order, then those it
    /// lacks, in the order the later points first list them.
    pub names: Vec<String>,
    /// `at[p][f]`: where point `p` lists firm `names[f]` (its index in the point's own list, and
    /// in its summary), or `None` when it does not list it.
    pub at: Vec<Vec<Option<usize>>>,
}

impl FirmMatch {
    /// The points' own firm lists (point 0 the reference) matched by name. Names are unique
    /// within a list (the scenario reader refuses a repeat).
    pub fn new<S: AsRef<str>>(lists: &[Vec<S>]) -> FirmMatch {
        let mut names: Vec<String> = Vec::new();
        for list in lists {
            for n in list {
                if !names.iter().any(|m| m == n.as_ref()) {
                    names.push(n.as_ref().to_string());
                }
            }
        }
        let at = lists
            .iter()
            .map(|list| {
                names
                    .iter()
                    .map(|n| list.iter().position(|m| m.as_ref() == n))
                    .collect()
            })
            .collect();
        FirmMatch { names, at }
    }

    /// For each of point `p`'s own firms, in its order, the reference's index of the firm of
    /// the same name, or `None` when the reference does not list it ([`Paired::record`]).
    pub fn to_reference(&self, p: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; self.at[p].iter().flatten().count()];
        for (f, own) in self.at[p].iter().enumerate() {
            if let Some(j) = *own {
                out[j] = self.at[0][f];
            }
        }
        out
    }
}

/// Runs `options.trials` trials of every scenario in `points`. Workers take chunks of trials;
/// every point plays the chunk's trials on its own workspace, point 0 first, and each outcome is
/// folded into its point's summary and paired against point 0's outcome of the same trial (kept
/// for the chunk). A trial therefore costs one model run and one summary record per point, as
/// in a single run, and points run in parallel with their trials. Every sum is an integer, so
/// the result does not depend on threads or chunks.
///
/// Each point has one summary, one set of paired differences and one workspace, whatever the
/// number of workers: a worker takes a point's lock for the whole of its chunk of that point,
/// and after point 0 takes the other points in whichever order finds one free. With a summary
/// per worker and point instead, a 10,000-point sweep needed (workers + 1) summaries a point
/// (issue 11). Between chunks a point's summary is compacted ([`Summary::compact`]): only the
/// few points the workers are on hold the tables they record with.
///
/// The scenarios (owned or borrowed) may list different firms, or the same in another order:
/// firms are paired by name ([`FirmMatch`]), and each total is over its own point's firms.
pub fn run_points<S: Borrow<Scenario>>(
    points: &[S],
    options: &PointsOptions,
    progress: &mut dyn FnMut(u64),
    cancel: Option<&AtomicBool>,
) -> Result<PointsResult, EngineError> {
    // Borrowed, so a caller need not copy its plan's scenarios (distribution tables of some
    // 60 KB each on the baseline) to run them.
    let points: Vec<&Scenario> = points.iter().map(Borrow::borrow).collect();
    assert!(!points.is_empty(), "run_points needs at least one point");
    let firm_match = FirmMatch::new(
        &points
            .iter()
            .map(|p| plan::firm_names(p))
            .collect::<Vec<_>>(),
    );
    let matched: Vec<Vec<Option<usize>>> = (0..points.len())
        .map(|p| firm_match.to_reference(p))
        .collect();
    // Points that share a distribution share its copula map (built once, not once a point).
    let mut maps = MapCache::default();
    let models: Vec<Model> = points.iter().map(|s| Model::cached(s, &mut maps)).collect();
    drop(maps);
    // Trial t's world: every input two points take alike is drawn once, by the first point
    // that needs it, and read by the others (issue 19; byte for byte what each would draw).
    let layout = WorldLayout::new(&models.iter().collect::<Vec<_>>(), 2);
    // A chunk's worlds take at most WORLD_BYTES a worker; points whose world is too wide for
    // MIN_WORLD_CHUNK trials of it there (thousands of firms and rounds) draw their own.
    let width = match layout.width() {
        w if w * 8 * MIN_WORLD_CHUNK as usize <= WORLD_BYTES => w,
        _ => 0,
    };
    let chunk = if width == 0 {
        options.chunk
    } else {
        options
            .chunk
            .min((WORLD_BYTES / (width * 8)) as u64)
            .max(MIN_WORLD_CHUNK)
    };
    let states: Vec<Mutex<PointState>> = models
        .iter()
        .zip(&points)
        .map(|(model, scenario)| {
            Mutex::new(PointState {
                summary: Summary::new(scenario),
                paired: Paired::new(firm_match.names.len()),
                workspace: model.workspace(),
            })
        })
        .collect();
    let others = points.len() - 1;
    let (_, threads) = for_each_chunk(
        options.threads,
        options.trials,
        chunk,
        progress,
        cancel,
        || {
            // The reference's per-firm values for each trial of the chunk and the point's being
            // played, which of the other points this worker has played the chunk on, and the
            // chunk's worlds.
            let base: Vec<[u64; 3]> = Vec::new();
            let own: Vec<[u64; 3]> = Vec::new();
            (
                RecordBuffer::new(),
                base,
                own,
                vec![false; others],
                Vec::new(),
            )
        },
        |(buffer, base, own, done, worlds), c, offsets, stop| {
            let n = (offsets.end - offsets.start) as usize;
            worlds.resize(n * width, 0.0);
            World::clear(worlds);
            // Point by point over the chunk rather than trial by trial over the points: only one
            // point's summary is hot at a time, as in a single run.
            let mut play = |p: usize,
                            state: &mut PointState,
                            base: &mut Vec<[u64; 3]>,
                            own: &mut Vec<[u64; 3]>,
                            worlds: &mut Vec<f64>| {
                own.clear();
                let PointState {
                    summary,
                    paired,
                    workspace: ws,
                } = state;
                let mut recording = buffer.recording(summary);
                let slots = layout.slots(p);
                for (k, t) in offsets.clone().enumerate() {
                    let streams = TrialStreams::new(options.seed, t);
                    if width == 0 {
                        models[p].run_trial_on(&streams, ws);
                    } else {
                        let values = &mut worlds[k * width..(k + 1) * width];
                        models[p].run_trial_shared(&streams, ws, &mut World::new(slots, values));
                    }
                    if p == 0 {
                        Paired::values_of(&ws.outcome, base);
                    } else {
                        Paired::values_of(&ws.outcome, own);
                    }
                    recording.record(&ws.outcome);
                }
                drop(recording);
                // The chunk's differences, a tally at a time.
                let point: &[[u64; 3]] = if p == 0 { base } else { own };
                paired.record_trials(&base[..], point, &matched[p]);
                summary.compact();
            };
            base.clear();
            play(0, &mut lock(&states[0]), base, own, worlds);
            // The other points in a rotation that starts elsewhere for each chunk, so workers
            // seldom want the same point; a busy one is passed over for the next free one.
            done.fill(false);
            let start = if others == 0 { 0 } else { c % others as u64 };
            let point_at = |i: usize| 1 + (start as usize + i) % others;
            // Every position of the rotation before `first` is done.
            let mut first = 0;
            for _ in 0..others {
                // A cancelled run is discarded; with thousands of points, a chunk is long.
                if stop() {
                    break;
                }
                while first < others && done[point_at(first) - 1] {
                    first += 1;
                }
                let free = (first..others).map(point_at).find_map(|p| {
                    if done[p - 1] {
                        return None;
                    }
                    match states[p].try_lock() {
                        Ok(guard) => Some((p, guard)),
                        Err(TryLockError::Poisoned(e)) => Some((p, e.into_inner())),
                        Err(TryLockError::WouldBlock) => None,
                    }
                });
                // Every point left is busy: wait for the first.
                let (p, mut guard) = match free {
                    Some(found) => found,
                    None => {
                        let p = point_at(first);
                        (p, lock(&states[p]))
                    }
                };
                play(p, &mut guard, base, own, worlds);
                done[p - 1] = true;
            }
        },
    )?;
    let (summaries, paired) = states
        .into_iter()
        .map(|m| {
            let state = m.into_inner().unwrap_or_else(PoisonError::into_inner);
            (state.summary, state.paired)
        })
        .unzip();
    Ok(PointsResult {
        summaries,
        paired,
        firms: firm_match,
        threads,
    })
}

/// Bytes of a worker's worlds for its chunk of trials ([`run_points`]): its chunk is shortened
/// to keep them within this, a few times a core's cache.
pub(crate) const WORLD_BYTES: usize = 1 << 20;

/// The fewest trials a worker takes at a time when the points share a world (so a world may
/// hold up to 2,048 values: the baseline's holds 60).
const MIN_WORLD_CHUNK: u64 = 64;

/// What one point keeps while the points run: one of each, shared by the workers in turn.
struct PointState {
    summary: Summary,
    paired: Paired,
    workspace: Workspace,
}

/// The lock, even if a worker panicked holding it (the panic ends the run anyway).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A finished comparison: the plan's description and every point's results.
#[derive(Debug)]
pub struct Comparison {
    /// Which command made it: names the output folder and shapes the charts.
    pub kind: Kind,
    /// The (first) scenario's name, which names the output folder.
    pub name: String,
    /// The knob columns: the swept or varied keys, or `scenario` for compare.
    pub knobs: Vec<String>,
    /// Per point: its short label for tables and charts.
    pub labels: Vec<String>,
    /// Per point: the value of each knob column as typed (empty: the scenario's value).
    pub settings: Vec<Vec<String>>,
    /// For sensitivity: (low, high) per knob.
    pub ranges: Vec<(String, String)>,
    /// The `--set` overrides every point shares, as (key, value as typed), other than the
    /// knobs' ([`Plan::fixed`]).
    pub fixed: Vec<(String, String)>,
    /// Per knob column, the scenario's value of the key, as written: what a point whose
    /// setting is empty has ([`Plan::scenario_values`], [`Comparison::setting`]).
    pub scenario_values: Vec<String>,
    /// Every firm of the comparison, matched by name ([`FirmMatch::names`]): the reference's in
    /// its listed order, then the firms it lacks as the later points first list them. What the
    /// outputs list, in this order; per-firm vectors (paired differences, chart series) are
    /// indexed by it, the total after the firms.
    pub firms: Vec<String>,
    /// `firm_at[p][f]`: where point `p` lists `firms[f]`, its index in the point's own summary,
    /// or `None` when the point does not list it ([`FirmMatch::at`]).
    pub firm_at: Vec<Vec<Option<usize>>>,
    /// Trials per point.
    pub trials: u64,
    /// The seed every point ran on.
    pub seed: u64,
    /// Per point, its tallies, by its own firms; point 0 is the reference.
    pub summaries: Vec<Summary>,
    /// Per point, its paired differences against point 0 (`paired[0]` is all zeros), by
    /// `firms`: a firm that the point or the reference does not list has an empty tally
    /// ([`Comparison::diff`] gives `None` for it).
    pub paired: Vec<Paired>,
}

impl Comparison {
    /// The comparison of `plan`'s points from their results.
    pub fn new(plan: &Plan, trials: u64, seed: u64, result: PointsResult) -> Comparison {
        Comparison {
            kind: plan.kind,
            name: plan.name.clone(),
            knobs: plan.knobs.clone(),
            labels: plan.points.iter().map(|p| p.label.clone()).collect(),
            settings: plan.points.iter().map(|p| p.settings.clone()).collect(),
            ranges: plan.ranges.clone(),
            fixed: plan.fixed.clone(),
            scenario_values: plan.scenario_values.clone(),
            firms: result.firms.names,
            firm_at: result.firms.at,
            trials,
            seed,
            summaries: result.summaries,
            paired: result.paired,
        }
    }

    /// The value of knob column `j` at point `p`: its own setting, or where it keeps the
    /// scenario's (a sensitivity point's other knobs, its reference), the scenario's value.
    pub fn setting(&self, p: usize, j: usize) -> &str {
        match self.settings[p][j].as_str() {
            "" => self.scenario_values.get(j).map_or("", String::as_str),
            own => own,
        }
    }

    /// Index of the total in per-firm vectors.
    pub fn total(&self) -> usize {
        self.firms.len()
    }

    /// Where point `p` has series `f` of [`Comparison::firms`] (the total at
    /// [`Comparison::total`]) in its own summary: `None` for a firm the point does not list.
    pub fn own(&self, p: usize, f: usize) -> Option<usize> {
        let at = &self.firm_at[p];
        if f == self.total() {
            Some(at.iter().flatten().count())
        } else {
            at.get(f).copied().flatten()
        }
    }

    /// Whether point `p` lists firm `f` (the total: always).
    pub fn lists(&self, p: usize, f: usize) -> bool {
        self.own(p, f).is_some()
    }

    /// Point `p`'s tally of `metric` for series `f` (a firm, or the total): `None` for a firm
    /// the point does not list.
    pub fn tally(&self, p: usize, f: usize, metric: Metric) -> Option<&Tally> {
        Some(self.summaries[p].tally(self.own(p, f)?, metric))
    }

    /// Point `p`'s tally of `metric` for its total, over the firms it lists.
    pub fn total_tally(&self, p: usize, metric: Metric) -> &Tally {
        let own = self.firm_at[p].iter().flatten().count();
        self.summaries[p].tally(own, metric)
    }

    /// The paired difference of `metric` (one of [`PAIRED_METRICS`]) for series `f` at point
    /// `p` against the reference: `None` for a firm that one of the two does not list, which
    /// has nothing to pair with. The total is always paired (each side's over its own firms).
    pub fn diff(&self, p: usize, f: usize, metric: Metric) -> Option<&DiffTally> {
        (self.lists(p, f) && self.lists(0, f)).then(|| self.paired[p].diff(f, metric))
    }

    /// Whether every point lists every firm, so every total is over the same firms.
    pub fn same_firms(&self) -> bool {
        self.firm_at.iter().all(|at| at.iter().all(Option::is_some))
    }

    /// The firms (indices into [`Comparison::firms`]) that point `p` and the reference do not
    /// both list, each with the side that lists it, in the comparison's order.
    pub fn unpaired(&self, p: usize) -> Vec<(usize, Side)> {
        (0..self.firms.len())
            .filter_map(|f| match (self.lists(0, f), self.lists(p, f)) {
                (true, false) => Some((f, Side::Reference)),
                (false, true) => Some((f, Side::Point)),
                _ => None,
            })
            .collect()
    }

    /// Mean total unmet demand of point `p`.
    pub fn mean_total_unmet(&self, p: usize) -> f64 {
        self.total_tally(p, Metric::Unmet).mean()
    }
}

/// Which of a pair of points (a point and the reference) lists a firm the other does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Only the reference lists it.
    Reference,
    /// Only the point lists it.
    Point,
}

/// A firm that one of a point and the reference lists and the other does not: it has no
/// paired difference there, and only that side's total counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpaired {
    /// The firm's index in [`Comparison::firms`].
    pub firm: usize,
    /// The firm's name.
    pub name: String,
    /// Which side lists it.
    pub listed_by: Side,
}

/// Where a paired difference leaves a firm (or the total) against the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Better off: the whole 95% interval lies on the better side of zero (less unmet, more
    /// delivered, fewer domestic chips bought).
    Gains,
    /// Worse off: the whole 95% interval lies on the worse side of zero.
    Loses,
    /// The interval reaches zero (or the point is the reference): no clear change.
    Unclear,
}

/// One firm's (or the total's) paired effect at a point: the mean over trials of (point −
/// reference) in a metric, with its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmEffect {
    /// The firm's index in [`Comparison::firms`]; the firm count for the total.
    pub firm: usize,
    /// The firm's name, or "total".
    pub name: String,
    /// Mean paired difference, point − reference, in the metric's units.
    pub mean: f64,
    /// Lower end of its 95% confidence interval ([`DiffTally::ci95`]).
    pub lo: f64,
    /// Upper end of its 95% confidence interval.
    pub hi: f64,
    /// Share of trials in which the point leaves the firm worse off than the reference.
    pub share_worse: f64,
    /// Better off, worse off, or no clear change.
    pub verdict: Verdict,
}

impl FirmEffect {
    /// The effect in the direction of better: `mean` for a metric where less is worse
    /// (delivered), `−mean` where more is worse (unmet). Larger is a bigger gain.
    pub fn gain(&self, worse: Worse) -> f64 {
        match worse {
            Worse::More => -self.mean,
            Worse::Less => self.mean,
        }
    }
}

/// Who gains and who loses at one point against the reference, in one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    /// The point (0-based; 0 is the reference, where nothing changes).
    pub point: usize,
    /// The metric, one of [`PAIRED_METRICS`].
    pub metric: Metric,
    /// Every firm the point and the reference both list, the largest gain first and the
    /// largest loss last (ties in listed order).
    pub firms: Vec<FirmEffect>,
    /// The total over firms: the point's over its firms less the reference's over its own.
    pub total: FirmEffect,
    /// The firms only one of the two lists, in the comparison's order: no paired difference.
    pub unpaired: Vec<Unpaired>,
}

impl Effects {
    /// The firms clearly better off, the largest gain first.
    pub fn gains(&self) -> impl Iterator<Item = &FirmEffect> {
        self.firms.iter().filter(|f| f.verdict == Verdict::Gains)
    }

    /// The firms clearly worse off, the largest loss first.
    pub fn losses(&self) -> impl Iterator<Item = &FirmEffect> {
        self.firms
            .iter()
            .rev()
            .filter(|f| f.verdict == Verdict::Loses)
    }

    /// The firms with no clear change, in listed order.
    pub fn unclear(&self) -> Vec<&FirmEffect> {
        let mut u: Vec<&FirmEffect> = self
            .firms
            .iter()
            .filter(|f| f.verdict == Verdict::Unclear)
            .collect();
        u.sort_by_key(|f| f.firm);
        u
    }
}

/// Whether a paired difference (point − reference) whose worse direction is `worse` leaves a
/// firm clearly better off, clearly worse off, or neither: by its 95% interval
/// ([`DiffTally::ci95`]), both ends strictly on one side of zero.
pub fn verdict(d: &DiffTally, worse: Worse) -> Verdict {
    let (lo, hi) = d.ci95();
    let (better, worst) = match worse {
        Worse::More => (hi < 0.0, lo > 0.0),
        Worse::Less => (lo > 0.0, hi < 0.0),
    };
    if better {
        Verdict::Gains
    } else if worst {
        Verdict::Loses
    } else {
        Verdict::Unclear
    }
}

/// Per firm and for the total, the paired difference of `metric` (one of [`PAIRED_METRICS`])
/// at point `p` against the reference, with its 95% interval and verdict, firms (those both
/// list; the others are [`Effects::unpaired`]) sorted from
/// the largest gain to the largest loss: what a reader needs to see who wins and who loses
/// under a policy when the total barely moves (a rule change shifts chips between firms and
/// leaves the total as it was).
pub fn effects(c: &Comparison, p: usize, metric: Metric) -> Effects {
    let worse = metric.worse();
    let effect = |f: usize, name: &str, d: &DiffTally| {
        let (lo, hi) = d.ci95();
        let verdict = verdict(d, worse);
        FirmEffect {
            firm: f,
            name: name.to_string(),
            mean: d.mean(),
            lo,
            hi,
            share_worse: d.share(worse),
            verdict,
        }
    };
    let mut firms: Vec<FirmEffect> = c
        .firms
        .iter()
        .enumerate()
        .filter_map(|(f, name)| Some(effect(f, name, c.diff(p, f, metric)?)))
        .collect();
    // Stable: equal gains keep the listed order.
    firms.sort_by(|a, b| b.gain(worse).total_cmp(&a.gain(worse)));
    Effects {
        point: p,
        metric,
        firms,
        total: effect(c.total(), "total", c.paired[p].diff(c.total(), metric)),
        unpaired: c
            .unpaired(p)
            .into_iter()
            .map(|(f, listed_by)| Unpaired {
                firm: f,
                name: c.firms[f].clone(),
                listed_by,
            })
            .collect(),
    }
}

/// One knob's effect in a sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The knob's scenario key.
    pub knob: String,
    /// The knob's low value, as typed.
    pub low: String,
    /// The knob's high value, as typed.
    pub high: String,
    /// Mean total unmet demand (units) with the knob at its low value.
    pub low_mean: f64,
    /// Mean total unmet demand (units) with the knob at its high value.
    pub high_mean: f64,
    /// `high_mean − low_mean`.
    pub swing: f64,
}

/// The knobs of a sensitivity comparison ranked by the size of their swing in mean total unmet
/// demand, largest first (ties in listed order); empty for other comparisons. The reference
/// mean is `mean_total_unmet(0)`.
pub fn swings(c: &Comparison) -> Vec<Swing> {
    if c.kind != Kind::Sensitivity {
        return Vec::new();
    }
    let mut out: Vec<Swing> = c
        .knobs
        .iter()
        .zip(&c.ranges)
        .enumerate()
        .map(|(j, (knob, (low, high)))| {
            let (low_mean, high_mean) =
                (c.mean_total_unmet(1 + 2 * j), c.mean_total_unmet(2 + 2 * j));
            Swing {
                knob: knob.clone(),
                low: low.clone(),
                high: high.clone(),
                low_mean,
                high_mean,
                swing: high_mean - low_mean,
            }
        })
        .collect();
    out.sort_by(|a, b| b.swing.abs().total_cmp(&a.swing.abs()));
    out
}

#[cfg(test)]
mod tests;
