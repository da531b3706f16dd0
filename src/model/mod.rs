//! One trial, exactly as MODEL.md ("A trial") says: no I/O, no threads, no heap allocation once
//! a [`Workspace`] has been made for the scenario.

use rand::RngExt;

use crate::alloc::{Allocator, Method};
use crate::dist::Dist;
use crate::rng::{Group, KeyedBy, Purpose, Stream, StreamId, TrialStreams};
use crate::scenario::{Effect, Rule, Scenario};
use crate::units::{Units, ceil_units, floor_units, round_units, units_f64};

/// A scenario prepared for simulation: orders and weights the rules need, computed once.
#[derive(Debug)]
pub struct Model<'s> {
    scenario: &'s Scenario,
    /// Firm indices sorted by (priority, index), for `priority`.
    priority_order: Vec<usize>,
    weights: Vec<f64>,
    /// The least domestic supply a round can draw, in units.
    least_domestic: Units,
    ids: StreamIds,
}

/// The stream ids of the purposes a trial draws, computed once for the scenario from the group
/// table ([`Group`]): one table per group, by firm, round, round and firm, or round and event as
/// its [`KeyedBy`] says. A table is kept while it is small (every realistic scenario); past that,
/// its ids are computed when they are drawn.
#[derive(Debug)]
struct StreamIds {
    /// At each group's [`Group::index`]: its streams' ids at [`StreamIds::position`], or
    /// empty.
    tables: [Vec<StreamId>; Group::COUNT],
    firms: usize,
    events: usize,
}

/// Entries a group's table in [`StreamIds`] may have (24 bytes each).
const MAX_IDS: usize = 1 << 16;

impl StreamIds {
    fn new(s: &Scenario) -> Self {
        let (rounds, firms, events) = (s.rounds, s.firms.len(), s.events.len());
        let tables = Group::ALL.map(|group| {
            let (rounds, width) = match group.keyed_by() {
                KeyedBy::Firm => (0..=0, firms),
                KeyedBy::Round => (1..=rounds, 1),
                KeyedBy::RoundAndFirm => (1..=rounds, firms),
                KeyedBy::RoundAndEvent => (1..=rounds, events),
            };
            if rounds.clone().count().saturating_mul(width) > MAX_IDS {
                return Vec::new();
            }
            rounds
                .flat_map(|round| {
                    (0..width as u32).map(move |index| StreamId::new(group, round, index))
                })
                .collect()
        });
        StreamIds {
            tables,
            firms,
            events,
        }
    }

    /// Where the id of `group`'s purpose at `round` and `index` is in its group's table
    /// (past its end for a round out of range; the index must be a firm's or event's).
    #[inline(always)]
    fn position(&self, group: Group, round: u32, index: u32) -> usize {
        let (row, index) = ((round as usize).wrapping_sub(1), index as usize);
        let by_round_and = |width: usize| {
            debug_assert!(index < width, "{group:?} index {index} of {width}");
            row.wrapping_mul(width).wrapping_add(index)
        };
        match group.keyed_by() {
            KeyedBy::Firm => index,
            KeyedBy::Round => row,
            KeyedBy::RoundAndFirm => by_round_and(self.firms),
            KeyedBy::RoundAndEvent => by_round_and(self.events),
        }
    }

    /// The stream id of `purpose`: from its group's table, or computed.
    #[inline(always)]
    fn get(&self, purpose: Purpose) -> StreamId {
        let (group, round, index) = purpose.parts();
        match self.tables[group.index()].get(self.position(group, round, index)) {
            Some(&id) => id,
            None => purpose.id(),
        }
    }
}

/// What one trial produced. Per-firm vectors are indexed like `Scenario::firms`, per-round ones
/// by round - 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Each firm's orders in this trial, in listed order.
    pub orders: Vec<Units>,
    /// Imported units each firm received over all rounds (at most its orders).
    pub delivered: Vec<Units>,
    /// Domestic chips each firm bought with its imports.
    pub domestic: Vec<Units>,
    /// Whether each round was approved.
    pub approved: Vec<bool>,
    /// The round in which a halt fired, if one did.
    pub halt_round: Option<u32>,
    /// Total delivered to all firms by the end of each round.
    pub cumulative: Vec<Units>,
}

impl Outcome {
    /// Orders not delivered.
    pub fn unmet(&self, firm: usize) -> Units {
        self.orders[firm] - self.delivered[firm]
    }
}

/// Scratch space for running trials, reused from one trial to the next.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The outcome of the last trial run in this workspace.
    pub outcome: Outcome,
    allocator: Allocator,
    outstanding: Vec<Units>,
    claims: Vec<Units>,
    awards: Vec<Units>,
    taken: Vec<Units>,
    wanted_domestic: Vec<Units>,
    domestic_awards: Vec<Units>,
    random_order: Vec<usize>,
}

impl<'s> Model<'s> {
    /// Prepares `scenario` for simulation.
    pub fn new(scenario: &'s Scenario) -> Self {
        let mut priority_order: Vec<usize> = (0..scenario.firms.len()).collect();
        priority_order.sort_by_key(|&i| (scenario.firms[i].priority, i));
        Model {
            scenario,
            priority_order,
            weights: scenario.firms.iter().map(|f| f.weight).collect(),
            // Draws lie within the support and rounding is monotone, so no draw rounds lower.
            least_domestic: round_units(
                scenario
                    .domestic
                    .supply
                    .iter()
                    .map(|d| d.support().0)
                    .fold(f64::INFINITY, f64::min)
                    .max(0.0),
            ),
            ids: StreamIds::new(scenario),
        }
    }

    /// The scenario this model simulates.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// A workspace sized for this scenario.
    pub fn workspace(&self) -> Workspace {
        let n = self.scenario.firms.len();
        let r = self.scenario.rounds as usize;
        Workspace {
            outcome: Outcome {
                orders: vec![0; n],
                delivered: vec![0; n],
                domestic: vec![0; n],
                approved: vec![false; r],
                halt_round: None,
                cumulative: vec![0; r],
            },
            allocator: Allocator::new(),
            outstanding: vec![0; n],
            claims: vec![0; n],
            awards: vec![0; n],
            taken: vec![0; n],
            wanted_domestic: vec![0; n],
            domestic_awards: vec![0; n],
            random_order: (0..n).collect(),
        }
    }

    /// Plays trial `trial` under `seed`; the result is in `ws.outcome`.
    #[inline]
    pub fn run_trial(&self, seed: u64, trial: u64, ws: &mut Workspace) {
        self.run_trial_on(&TrialStreams::new(seed, trial), ws);
    }

    /// Plays one trial on `streams`; the result is in `ws.outcome`. On
    /// [`TrialStreams::new`]`(seed, trial)` this is [`Model::run_trial`]; on streams with some
    /// groups keyed by other trials ([`TrialStreams::with_group`]), the inputs of those groups
    /// are the other trials' and every other input is this trial's.
    //
    // `#[inline]`, with `run_trial`: the trial is compiled into its caller's codegen unit (the
    // engine's loop). A Beta or PERT draw keeps its stream in registers only where the compiler
    // sees that `Dist::sample_other` keeps no copy of the stream's address, which it sees only
    // within one codegen unit. The model's own unit did not hold it (each draw's rejection loop
    // then stored its stream to memory: +1.6% instructions per baseline trial); the engine's
    // does. Which units share code follows from every module's size, so an unrelated change can
    // undo this; a lasting fix would be in src/dist (the inline path drawing from a copy).
    #[inline]
    pub fn run_trial_on(&self, streams: &TrialStreams, ws: &mut Workspace) {
        let s = self.scenario;
        let ids = &self.ids;
        let out = &mut ws.outcome;

        for (i, firm) in s.firms.iter().enumerate() {
            let orders = round_units(draw(
                &firm.orders,
                streams,
                ids.get(Purpose::Orders { firm: i as u32 }),
            ));
            out.orders[i] = orders;
            ws.outstanding[i] = orders;
        }
        out.delivered.fill(0);
        out.domestic.fill(0);
        out.approved.fill(false);
        out.halt_round = None;
        let mut pool: Units = 0;
        let mut delivered_total: Units = 0;

        for round in 1..=s.rounds {
            let ri = (round - 1) as usize;
            // 1. Shocks. Once halted, nothing that fires can matter any more.
            let mut held = false;
            let mut scale = 1.0;
            if out.halt_round.is_none() {
                for (j, event) in s.events.iter().enumerate() {
                    if event.active_in(round)
                        && chance(event.probability, || {
                            streams.uniform_at(ids.get(Purpose::Shock {
                                round,
                                event: j as u32,
                            }))
                        })
                    {
                        match event.effect {
                            Effect::Halt => out.halt_round = out.halt_round.or(Some(round)),
                            Effect::Hold => held = true,
                            Effect::Scale(factor) => scale *= factor,
                        }
                    }
                }
            }
            if out.halt_round.is_some() {
                // 3. A halt supplies nothing, now or later, and the carried pool is lost.
                pool = 0;
                out.cumulative[ri] = delivered_total;
                continue;
            }
            if held {
                // A customs hold: nothing approved or delivered; the pool waits whole.
                out.cumulative[ri] = delivered_total;
                continue;
            }

            // 2. Approval.
            let terms = &s.approval[ri];
            let mut batch: Units = 0;
            if chance(terms.probability, || {
                streams.uniform_at(ids.get(Purpose::Approval { round }))
            }) {
                out.approved[ri] = true;
                let id = ids.get(Purpose::Batch { round });
                batch = round_units(draw(&terms.batch, streams, id) * scale);
            }

            // 3. Supply.
            let supply = batch.saturating_add(pool);

            // 4. Claims.
            for (i, firm) in s.firms.iter().enumerate() {
                let claim = if firm.eligible_from.fixed().is_some_and(|e| e <= round) {
                    ws.outstanding[i]
                } else {
                    0
                };
                ws.claims[i] = firm.round_cap.map_or(claim, |cap| claim.min(cap));
            }

            // 5. Allocation. The random order is drawn only when there is something to split;
            // its stream is keyed, so skipping it shifts no other draw.
            let total_claims = ws.claims.iter().fold(0u128, |acc, &c| acc + u128::from(c));
            if supply == 0 || total_claims == 0 {
                out.cumulative[ri] = delivered_total;
                pool = if s.carry_over { supply } else { 0 };
                continue;
            }
            if s.rule == Rule::RandomPriority {
                let id = ids.get(Purpose::Order { round });
                shuffle(&mut ws.random_order, &mut streams.stream(id));
            }
            let method = self.method(&ws.random_order);
            ws.allocator
                .allocate(method, supply, &ws.claims, &mut ws.awards);

            // 6. Conversion: only firms awarded something draw a rate.
            for (i, &award) in ws.awards.iter().enumerate() {
                ws.taken[i] = if award == 0 {
                    0
                } else {
                    let id = ids.get(Purpose::Conversion {
                        round,
                        firm: i as u32,
                    });
                    let k = draw(&s.conversion, streams, id);
                    floor_units(k * units_f64(award)).min(award)
                };
            }

            // 7. Domestic bundling.
            let rho = s.domestic.ratio.point_mass().unwrap_or(0.0);
            let mut wanted: u128 = 0;
            if rho > 0.0 {
                for (q, &t) in ws.wanted_domestic.iter_mut().zip(&ws.taken) {
                    *q = ceil_units(rho * units_f64(t));
                    wanted += u128::from(*q);
                }
            }
            let mut shortage = false;
            // No supply the distribution can produce falls short of `wanted`: the draw could
            // not change anything, so it is not made.
            if wanted > u128::from(self.least_domestic) {
                let id = ids.get(Purpose::DomesticSupply { round });
                let available = round_units(draw(&s.domestic.supply[ri], streams, id));
                if wanted > u128::from(available) {
                    shortage = true;
                    ws.allocator.allocate(
                        method,
                        available,
                        &ws.wanted_domestic,
                        &mut ws.domestic_awards,
                    );
                }
            }

            // 8. Delivery, and 9. carry-over of what was not kept.
            let mut kept_total: Units = 0;
            for i in 0..s.firms.len() {
                let (bought, kept) = if wanted == 0 {
                    (0, ws.taken[i])
                } else if !shortage {
                    (ws.wanted_domestic[i], ws.taken[i])
                } else {
                    let d = ws.domestic_awards[i];
                    (d, ws.taken[i].min(floor_units(units_f64(d) / rho)))
                };
                out.delivered[i] += kept;
                ws.outstanding[i] -= kept;
                out.domestic[i] = out.domestic[i].saturating_add(bought);
                kept_total += kept;
            }
            delivered_total = delivered_total.saturating_add(kept_total);
            out.cumulative[ri] = delivered_total;
            pool = if s.carry_over { supply - kept_total } else { 0 };
        }
    }

    /// The scenario's [`Rule`] as the allocator's [`Method`], lending it the firms' priority
    /// order or weights, or this round's `random_order` for `random_priority`: the one place
    /// the two enums meet (their docs say why there are two).
    fn method<'a>(&'a self, random_order: &'a [usize]) -> Method<'a> {
        match self.scenario.rule {
            Rule::Proportional => Method::Proportional,
            Rule::EqualAwards => Method::EqualAwards,
            Rule::EqualLosses => Method::EqualLosses,
            Rule::Talmud => Method::Talmud,
            Rule::Priority => Method::Order(&self.priority_order),
            Rule::Weighted => Method::Weighted(&self.weights),
            Rule::RandomPriority => Method::Order(random_order),
        }
    }
}

/// Whether an event of probability `p` happens, from the uniform `u()`; a certain or impossible
/// event draws nothing (a uniform in [0, 1) is always below 1 and never below 0).
#[inline(always)]
fn chance(p: f64, u: impl FnOnce() -> f64) -> bool {
    if p >= 1.0 {
        true
    } else if p <= 0.0 {
        false
    } else {
        u() < p
    }
}

/// A draw from `dist` on the stream `id` (a point mass draws nothing from it, and as streams
/// are keyed, that shifts no other draw).
#[inline(always)]
fn draw(dist: &Dist, streams: &TrialStreams, id: StreamId) -> f64 {
    // Two generators, so the inline path's never meets an out-of-line call ([`Dist::inline_sampler`]).
    match dist.inline_sampler() {
        Some(fast) => fast.sample(&mut streams.stream(id)),
        None => dist.sample(&mut streams.stream(id)),
    }
}

/// A uniformly random order of the firms (Fisher–Yates) from `rng`, a round's `Order` stream.
fn shuffle(order: &mut [usize], rng: &mut Stream) {
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        order.swap(i, j);
    }
}

#[cfg(test)]
mod tests;
