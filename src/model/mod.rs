//! One trial, exactly as MODEL.md ("A trial") says: no I/O, no threads, no heap allocation once
//! a [`Workspace`] has been made for the scenario.

use rand::RngExt;

use crate::alloc::{Allocator, Method};
use crate::dist::Dist;
use crate::rng::{Purpose, StreamId, TrialStreams};
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

/// The stream ids of the purposes a trial draws, computed once for the scenario. Tables by round
/// and firm, or round and event, are kept while they are small (every realistic scenario);
/// past that, such an id is computed when it is drawn.
#[derive(Debug)]
struct StreamIds {
    orders: Vec<StreamId>,
    approval: Vec<StreamId>,
    batch: Vec<StreamId>,
    domestic: Vec<StreamId>,
    /// At `(round - 1) * firms + firm`, or empty.
    conversion: Vec<StreamId>,
    /// At `(round - 1) * events + event`, or empty.
    shock: Vec<StreamId>,
    firms: usize,
    events: usize,
}

/// Entries a table of [`StreamIds`] by round and firm or event may have (16 bytes each).
const MAX_IDS: usize = 1 << 16;

impl StreamIds {
    fn new(s: &Scenario) -> Self {
        let (rounds, firms, events) = (s.rounds, s.firms.len(), s.events.len());
        let by_round =
            |purpose: fn(u32) -> Purpose| (1..=rounds).map(|r| purpose(r).id()).collect();
        let by_round_and = |width: usize, purpose: fn(u32, u32) -> Purpose| {
            if rounds as usize * width > MAX_IDS {
                return Vec::new();
            }
            let mut ids = Vec::with_capacity(rounds as usize * width);
            for r in 1..=rounds {
                ids.extend((0..width as u32).map(|k| purpose(r, k).id()));
            }
            ids
        };
        StreamIds {
            orders: (0..firms as u32)
                .map(|firm| Purpose::Orders { firm }.id())
                .collect(),
            approval: by_round(|round| Purpose::Approval { round }),
            batch: by_round(|round| Purpose::Batch { round }),
            domestic: by_round(|round| Purpose::DomesticSupply { round }),
            conversion: by_round_and(firms, |round, firm| Purpose::Conversion { round, firm }),
            shock: by_round_and(events, |round, event| Purpose::Shock { round, event }),
            firms,
            events,
        }
    }

    #[inline]
    fn conversion(&self, round: u32, firm: usize) -> StreamId {
        match self
            .conversion
            .get((round as usize - 1) * self.firms + firm)
        {
            Some(&id) => id,
            None => Purpose::Conversion {
                round,
                firm: firm as u32,
            }
            .id(),
        }
    }

    #[inline]
    fn shock(&self, round: u32, event: usize) -> StreamId {
        match self.shock.get((round as usize - 1) * self.events + event) {
            Some(&id) => id,
            None => Purpose::Shock {
                round,
                event: event as u32,
            }
            .id(),
        }
    }
}

/// What one trial produced. Per-firm vectors are indexed like `Scenario::firms`, per-round ones
/// by round - 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub orders: Vec<Units>,
    pub delivered: Vec<Units>,
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
            least_domestic: round_units(scenario.domestic.supply.support().0),
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
    pub fn run_trial(&self, seed: u64, trial: u64, ws: &mut Workspace) {
        let s = self.scenario;
        let streams = TrialStreams::new(seed, trial);
        let out = &mut ws.outcome;

        for (i, firm) in s.firms.iter().enumerate() {
            let orders = round_units(draw(&firm.orders, &streams, self.ids.orders[i]));
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
                            streams.uniform_at(self.ids.shock(round, j))
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
                streams.uniform_at(self.ids.approval[ri])
            }) {
                out.approved[ri] = true;
                batch = round_units(draw(&terms.batch, &streams, self.ids.batch[ri]) * scale);
            }

            // 3. Supply.
            let supply = batch.saturating_add(pool);

            // 4. Claims.
            for (i, firm) in s.firms.iter().enumerate() {
                let claim = if firm.eligible_from <= round {
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
                shuffle(&mut ws.random_order, &streams, round);
            }
            let method = self.method(&ws.random_order);
            ws.allocator
                .allocate(method, supply, &ws.claims, &mut ws.awards);

            // 6. Conversion: only firms awarded something draw a rate.
            for (i, &award) in ws.awards.iter().enumerate() {
                ws.taken[i] = if award == 0 {
                    0
                } else {
                    let k = draw(&s.conversion, &streams, self.ids.conversion(round, i));
                    floor_units(k * units_f64(award)).min(award)
                };
            }

            // 7. Domestic bundling.
            let rho = s.domestic.ratio;
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
                let available =
                    round_units(draw(&s.domestic.supply, &streams, self.ids.domestic[ri]));
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
    dist.sample(&mut streams.stream(id))
}

/// A uniformly random order of the firms for `round` (Fisher–Yates).
fn shuffle(order: &mut [usize], streams: &TrialStreams, round: u32) {
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = i;
    }
    let mut rng = streams.rng(Purpose::Order { round });
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        order.swap(i, j);
    }
}

#[cfg(test)]
mod tests;
