//! One trial, exactly as MODEL.md ("A trial") says: no I/O, no threads, no heap allocation once
//! a [`Workspace`] has been made for the scenario.

use rand::RngExt;
use rand_distr::StandardNormal;

mod observer;
mod world;

pub use observer::{NoObserver, Observer};
pub use world::{World, WorldLayout, WorldSlots};

use crate::alloc::{Allocator, Method};
use crate::dist::{Dist, NormalMap};
use crate::rng::{Group, KeyedBy, Name, Stream, StreamId, TrialStreams};
use crate::scenario::{Dependence, Effect, Entry, OrdersDependence, Regimes, Rule, Scenario};
use crate::units::{Units, ceil_units, floor_units, round_units, units_f64};

/// A scenario prepared for simulation: orders and weights the rules need, the stream ids, and
/// the copula's and the regimes' tables, computed once.
#[derive(Debug, Clone)]
pub struct Model<'s> {
    scenario: &'s Scenario,
    /// Firm indices sorted by (priority, index), for `priority`.
    priority_order: Vec<usize>,
    weights: Vec<f64>,
    /// Per round, the least domestic supply the round can draw, in units (before a regime's
    /// factor).
    least_domestic: Vec<Units>,
    /// The domestic ratio when it is a point mass; None when it is drawn per trial.
    fixed_ratio: Option<f64>,
    /// Whether some firm's entry round is drawn.
    drawn_entry: bool,
    /// Whether the scenario uses nothing of MODEL.md version 2 that the trial draws or
    /// applies (no regimes, no dependence, no drawn entry round or ratio).
    plain: bool,
    ids: StreamIds,
    copula: Copula,
    regimes: Option<RegimeChain>,
}

/// Copula maps by distribution ([`Model::cached`]), each built once.
#[derive(Debug, Default)]
pub struct MapCache {
    /// By [`Dist::describe`], which gives every parameter exactly.
    maps: std::collections::HashMap<String, NormalMap>,
}

impl MapCache {
    /// `dist`'s map z ↦ F^-1(Phi(z)), built the first time it is asked for.
    fn map(&mut self, dist: &Dist) -> NormalMap {
        self.maps
            .entry(dist.describe())
            .or_insert_with(|| dist.normal_map())
            .clone()
    }
}

/// `[dependence]` prepared (MODEL.md, "Dependence"): the Gaussian copula's coefficients and each
/// correlated input's map z ↦ F^-1(Phi(z)).
#[derive(Debug, Clone, Default)]
struct Copula {
    orders: Option<OrdersCopula>,
    /// Each firm's orders map, when orders are correlated.
    orders_maps: Vec<NormalMap>,
    /// `(sqrt(r), sqrt(1 - r))` of the conversion factor, and the conversion's map.
    conversion: Option<(f64, f64, NormalMap)>,
    /// `(r, sqrt(1 - r^2))` between a round's batch and its domestic supply, and per round the
    /// index of its batch's and its supply's map in `maps`.
    batch_supply: Option<(f64, f64)>,
    batch_maps: Vec<usize>,
    supply_maps: Vec<usize>,
    maps: Vec<NormalMap>,
}

/// How the firms' orders are correlated.
#[derive(Debug, Clone)]
enum OrdersCopula {
    /// One common factor: `z_i = a f + b e_i`, `a = sqrt(r)`, `b = sqrt(1 - r)`.
    Common(f64, f64),
    /// `z = R^(1/2) e`: the firms in name order (`order[a]` is the a-th firm by name), and the
    /// symmetric square root of R in that order, row by row (N × N, row-major). Computing and
    /// summing in name order makes each firm's orders the same bits however the firms are
    /// listed (MODEL.md: reordering leaves them unchanged).
    Matrix { order: Vec<usize>, root: Vec<f64> },
}

/// The regime chain prepared (MODEL.md, "Regimes"): cumulative probabilities of `initial` and of
/// each regime's row, in listed order.
#[derive(Debug, Clone)]
struct RegimeChain {
    initial: Vec<f64>,
    rows: Vec<Vec<f64>>,
    /// The last regime of positive probability of `initial` and of each row: the pick when
    /// rounding leaves the cumulative sum at or below u.
    initial_last: usize,
    rows_last: Vec<usize>,
}

impl RegimeChain {
    fn new(r: &Regimes) -> Option<Self> {
        if r.list.is_empty() {
            return None;
        }
        let cumulative = |p: &[f64]| -> (Vec<f64>, usize) {
            let mut sum = 0.0;
            let cum = p
                .iter()
                .map(|&x| {
                    sum += x;
                    sum
                })
                .collect();
            let last = p.iter().rposition(|&x| x > 0.0).unwrap_or(0);
            (cum, last)
        };
        let (initial, initial_last) = cumulative(&r.initial);
        let (rows, rows_last) = r.list.iter().map(|g| cumulative(&g.transition)).unzip();
        Some(RegimeChain {
            initial,
            rows,
            initial_last,
            rows_last,
        })
    }

    /// This round's regime from its uniform `u`, after `from` (None in round 1). Out of line:
    /// inlined, the version-2 trial grew and the plain one (compiled in the same function)
    /// cost 1% more instructions.
    #[inline(never)]
    fn draw(&self, from: Option<usize>, u: f64) -> usize {
        self.pick(from, u)
    }

    /// The regime drawn by `u` from round 1's probabilities (`from` None) or from regime
    /// `from`'s row: the first at which the cumulative probability exceeds u.
    #[inline]
    fn pick(&self, from: Option<usize>, u: f64) -> usize {
        let (cum, last) = match from {
            None => (&self.initial, self.initial_last),
            Some(k) => (&self.rows[k], self.rows_last[k]),
        };
        cum.iter().position(|&c| c > u).unwrap_or(last)
    }
}

/// The stream ids of the purposes a trial draws, computed once for the scenario from the group
/// table ([`Group`]): one table per group, by firm, round, round and firm, or round and event as
/// its [`KeyedBy`] says, each firm and event by its name. A firm-keyed table has one more entry
/// past the firms, the copula's common factor ([`Name::FACTOR`]). A table is kept while it is
/// small (every realistic scenario); past that, its ids are computed when they are drawn.
#[derive(Debug, Clone)]
struct StreamIds {
    /// At each group's [`Group::index`]: its streams' ids at [`StreamIds::position`], or
    /// empty.
    tables: [Vec<StreamId>; Group::COUNT],
    /// Each firm's name key, then [`Name::FACTOR`].
    firms: Vec<Name>,
    /// Each event's name key.
    events: Vec<Name>,
}

/// Entries a group's table in [`StreamIds`] may have (24 bytes each).
const MAX_IDS: usize = 1 << 16;

impl StreamIds {
    fn new(s: &Scenario) -> Self {
        let rounds = s.rounds;
        let mut firms: Vec<Name> = s.firms.iter().map(|f| Name::of(&f.name)).collect();
        firms.push(Name::FACTOR);
        let events: Vec<Name> = s.events.iter().map(|e| Name::of(&e.name)).collect();
        let tables = Group::ALL.map(|group| {
            let (rounds, names): (_, Option<&[Name]>) = match group.keyed_by() {
                KeyedBy::Trial => (0..=0, None),
                KeyedBy::Firm => (0..=0, Some(&firms)),
                KeyedBy::Round => (1..=rounds, None),
                KeyedBy::RoundAndFirm => (1..=rounds, Some(&firms)),
                KeyedBy::RoundAndEvent => (1..=rounds, Some(&events)),
            };
            let width = names.map_or(1, <[Name]>::len);
            if rounds.clone().count().saturating_mul(width) > MAX_IDS {
                return Vec::new();
            }
            rounds
                .flat_map(|round| match names {
                    None => vec![StreamId::new(group, round, None)],
                    Some(names) => names
                        .iter()
                        .map(|&n| StreamId::new(group, round, Some(n)))
                        .collect(),
                })
                .collect()
        });
        StreamIds {
            tables,
            firms,
            events,
        }
    }

    /// How many indices `group`'s streams have within a round: the firms and the common factor,
    /// the events, or 1.
    fn width(&self, group: Group) -> usize {
        self.names(group).map_or(1, <[Name]>::len)
    }

    /// Moves the ids of `group`'s streams at `index`, every round, to the spare key; false
    /// when the group's table was too large to keep (its ids are computed as they are drawn,
    /// and always from the group's key).
    fn move_to_spare(&mut self, group: Group, index: usize) -> bool {
        let width = self.width(group);
        let table = &mut self.tables[group.index()];
        if table.is_empty() {
            return false;
        }
        for id in table.iter_mut().skip(index).step_by(width) {
            *id = id.on_spare();
        }
        true
    }

    /// The names `group`'s streams are keyed by, if any.
    #[inline(always)]
    fn names(&self, group: Group) -> Option<&[Name]> {
        match group.keyed_by() {
            KeyedBy::Trial | KeyedBy::Round => None,
            KeyedBy::Firm | KeyedBy::RoundAndFirm => Some(&self.firms),
            KeyedBy::RoundAndEvent => Some(&self.events),
        }
    }

    /// Where the id of `group`'s purpose at `round` and `index` (a firm's or event's position,
    /// or the firm count for the common factor) is in its group's table (past its end for a
    /// round out of range).
    #[inline(always)]
    fn position(&self, group: Group, round: u32, index: usize) -> usize {
        let row = (round as usize).wrapping_sub(1);
        let by_round_and = |width: usize| {
            debug_assert!(index < width, "{group:?} index {index} of {width}");
            row.wrapping_mul(width).wrapping_add(index)
        };
        match group.keyed_by() {
            KeyedBy::Trial => 0,
            KeyedBy::Firm => index,
            KeyedBy::Round => row,
            KeyedBy::RoundAndFirm => by_round_and(self.firms.len()),
            KeyedBy::RoundAndEvent => by_round_and(self.events.len()),
        }
    }

    /// The stream id of `group`'s purpose at `round` (0 where the group has none) and `index`
    /// (firm or event position; 0 where there is none): from its group's table, or computed.
    #[inline(always)]
    fn get(&self, group: Group, round: u32, index: usize) -> StreamId {
        match self.tables[group.index()].get(self.position(group, round, index)) {
            Some(&id) => id,
            None => StreamId::new(group, round, self.names(group).map(|n| n[index])),
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
    /// Each firm's entry round in this trial, in 1..=R + 1 (R + 1: never eligible).
    pub entry: Vec<u32>,
    /// Whether each round was approved.
    pub approved: Vec<bool>,
    /// The round in which a halt fired, if one did.
    pub halt_round: Option<u32>,
    /// Total delivered to all firms by the end of each round.
    pub cumulative: Vec<Units>,
    /// Each round's regime (an index into `Scenario::regimes.list`); empty without regimes.
    pub regime: Vec<u32>,
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
    /// The firms' standard normals, for a matrix of correlated orders.
    normals: Vec<f64>,
}

impl<'s> Model<'s> {
    /// Prepares `scenario` for simulation.
    pub fn new(scenario: &'s Scenario) -> Self {
        Model::cached(scenario, &mut MapCache::default())
    }

    /// Prepares `scenario` for simulation as [`Model::new`] does, taking the copula's maps of
    /// distributions that `maps` already holds from it (and keeping the new ones there): the
    /// points of a sweep share their maps, whose tables cost milliseconds each to build.
    pub fn cached(scenario: &'s Scenario, maps: &mut MapCache) -> Self {
        let mut priority_order: Vec<usize> = (0..scenario.firms.len()).collect();
        priority_order.sort_by_key(|&i| (scenario.firms[i].priority, i));
        Model {
            scenario,
            priority_order,
            weights: scenario.firms.iter().map(|f| f.weight).collect(),
            // Draws lie within the support and rounding is monotone, so no draw rounds lower.
            least_domestic: scenario
                .domestic
                .supply
                .iter()
                .map(|d| round_units(d.support().0))
                .collect(),
            fixed_ratio: scenario.domestic.ratio.point_mass(),
            drawn_entry: scenario
                .firms
                .iter()
                .any(|f| matches!(f.eligible_from, Entry::Drawn(_))),
            plain: scenario.regimes.list.is_empty()
                && scenario.dependence == Dependence::default()
                && scenario.domestic.ratio.point_mass().is_some()
                && scenario
                    .firms
                    .iter()
                    .all(|f| matches!(f.eligible_from, Entry::Round(_))),
            ids: StreamIds::new(scenario),
            copula: Copula::new(scenario, maps),
            regimes: RegimeChain::new(&scenario.regimes),
        }
    }

    /// This model with the streams of `group` at `index` (every round) started from the spare
    /// key of the trial's streams ([`TrialStreams::with_spare`]) instead of the group's: with
    /// the spare keyed by trial u, trial t runs with those inputs of trial u and every other
    /// input of its own. `index` is a firm's position for the groups keyed by firm (orders,
    /// entry, conversion), or the number of firms for their copula's common factor; an event's
    /// position for `shock`; 0 for the groups with one stream a round or a trial (where this is
    /// the whole group, as [`TrialStreams::with_group`] re-keys it). None when `index` is out
    /// of that range, and for a group with more than 65,536 streams a trial (say 200 firms
    /// over 330 rounds), whose ids are not kept in a table. Called on a model that already has
    /// streams on the spare, it moves these too. An importance analysis by firm re-draws one
    /// firm's inputs this way.
    pub fn with_spare(&self, group: Group, index: usize) -> Option<Model<'s>> {
        if index >= self.ids.width(group) {
            return None;
        }
        let mut model = self.clone();
        model.ids.move_to_spare(group, index).then_some(model)
    }

    /// The scenario this model simulates.
    pub fn scenario(&self) -> &'s Scenario {
        self.scenario
    }

    /// A workspace sized for this scenario.
    pub fn workspace(&self) -> Workspace {
        let s = self.scenario;
        let n = s.firms.len();
        let r = s.rounds as usize;
        Workspace {
            outcome: Outcome {
                orders: vec![0; n],
                delivered: vec![0; n],
                domestic: vec![0; n],
                // Fixed entry rounds are set here once; drawn ones in every trial.
                entry: s
                    .firms
                    .iter()
                    .map(|f| match f.eligible_from {
                        Entry::Round(e) => e.clamp(1, s.rounds.saturating_add(1)),
                        Entry::Drawn(_) => 1,
                    })
                    .collect(),
                approved: vec![false; r],
                halt_round: None,
                cumulative: vec![0; r],
                regime: if self.regimes.is_some() {
                    vec![0; r]
                } else {
                    Vec::new()
                },
            },
            allocator: Allocator::new(),
            outstanding: vec![0; n],
            claims: vec![0; n],
            awards: vec![0; n],
            taken: vec![0; n],
            wanted_domestic: vec![0; n],
            domestic_awards: vec![0; n],
            random_order: (0..n).collect(),
            normals: vec![0.0; n],
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
        if self.plain {
            self.trial::<false, _, _>(streams, ws, &mut NoObserver, &mut Fresh);
        } else {
            self.trial::<true, _, _>(streams, ws, &mut NoObserver, &mut Fresh);
        }
    }

    /// Plays one trial on `streams` as [`Model::run_trial_on`] does, reading each input that
    /// `world` shares from it (drawn and kept there by the first model that needs it) and
    /// drawing the rest ([`World`]). The outcome is bit for bit the one `run_trial_on` gives:
    /// a shared input is the same value whichever model draws it. `world` must hold the
    /// world of the trial `streams` belong to (a sweep's points share one; an importance
    /// analysis reads a second trial's for its re-drawn groups).
    #[inline(never)]
    pub fn run_trial_shared(&self, streams: &TrialStreams, ws: &mut Workspace, world: &mut World) {
        if self.plain {
            self.trial::<false, _, _>(streams, ws, &mut NoObserver, world);
        } else {
            self.trial::<true, _, _>(streams, ws, &mut NoObserver, world);
        }
    }

    /// Plays one trial on `streams` as [`Model::run_trial_on`] does, telling `observer` what
    /// each step did ([`Observer`]). The observer only sees values, so the trial draws exactly
    /// what the plain one draws and ends in the same `ws.outcome`.
    #[inline]
    pub fn run_trial_observed(
        &self,
        streams: &TrialStreams,
        ws: &mut Workspace,
        observer: &mut impl Observer,
    ) {
        if self.plain {
            self.trial::<false, _, _>(streams, ws, observer, &mut Fresh);
        } else {
            self.trial::<true, _, _>(streams, ws, observer, &mut Fresh);
        }
    }

    /// One trial; `V2` false compiles out every step of MODEL.md version 2 (regimes, the
    /// copula, drawn entry rounds and ratio), for a scenario that uses none of them: such a
    /// scenario costs what it cost under version 1. `o` is told each step ([`Observer`]); a
    /// plain run's [`NoObserver`] compiles every call away. Inputs come through `d`: drawn
    /// ([`Fresh`]) or read from a shared [`World`].
    #[inline(always)]
    fn trial<const V2: bool, O: Observer, D: Draws>(
        &self,
        streams: &TrialStreams,
        ws: &mut Workspace,
        o: &mut O,
        d: &mut D,
    ) {
        let s = self.scenario;
        let ids = &self.ids;
        let copula = &self.copula;

        match if V2 { copula.orders.as_ref() } else { None } {
            None => {
                let tables = ws.outcome.orders.iter_mut().zip(&mut ws.outstanding);
                for (i, (firm, (ordered, owed))) in s.firms.iter().zip(tables).enumerate() {
                    let x =
                        self.input(d, Group::Orders, 0, i, |id| draw(&firm.orders, streams, id));
                    let orders = round_units(x);
                    *ordered = orders;
                    *owed = orders;
                }
            }
            Some(how) => self.correlated_orders(how, streams, ws, d),
        }
        let out = &mut ws.outcome;
        if V2 && self.drawn_entry {
            for (i, firm) in s.firms.iter().enumerate() {
                if let Entry::Drawn(dist) = &firm.eligible_from {
                    let x = self.input(d, Group::Entry, 0, i, |id| draw(dist, streams, id));
                    out.entry[i] = entry_round(x, s.rounds);
                }
            }
        }
        // The trial's domestic ratio (MODEL.md: `rho`).
        let trial_rho = match self.fixed_ratio {
            Some(rho) => rho,
            None if !V2 => 0.0,
            None => self
                .input(d, Group::Ratio, 0, 0, |id| {
                    draw(&s.domestic.ratio, streams, id)
                })
                .max(0.0),
        };
        out.delivered.fill(0);
        out.domestic.fill(0);
        out.approved.fill(false);
        out.halt_round = None;
        o.start(&out.orders, &out.entry, trial_rho);
        let mut pool: Units = 0;
        let mut delivered_total: Units = 0;
        let mut previous_regime: Option<usize> = None;

        for round in 1..=s.rounds {
            let ri = (round - 1) as usize;
            o.round(round, pool);
            // 0. Regime: drawn every round, halted or not.
            let regime = match if V2 { self.regimes.as_ref() } else { None } {
                None => None,
                Some(chain) => {
                    let u = self.input(d, Group::Regime, round, 0, |id| streams.uniform_at(id));
                    let k = chain.draw(previous_regime, u);
                    previous_regime = Some(k);
                    out.regime[ri] = k as u32;
                    o.regime(round, k);
                    Some(&s.regimes.list[k])
                }
            };
            // 1. Shocks. Once halted, nothing that fires can matter any more.
            let mut held = regime.is_some_and(|g| g.hold);
            let mut scale = 1.0;
            if out.halt_round.is_none() {
                for (j, event) in s.events.iter().enumerate() {
                    if event.active_in(round)
                        && chance(event.probability, || {
                            self.input(d, Group::Shock, round, j, |id| streams.uniform_at(id))
                        })
                    {
                        o.event(round, j);
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
                o.halted(round);
                o.round_end(round, delivered_total, pool);
                continue;
            }
            if held {
                // A customs hold: nothing approved or delivered; the pool waits whole.
                out.cumulative[ri] = delivered_total;
                o.held(round, pool);
                o.round_end(round, delivered_total, pool);
                continue;
            }

            // 2. Approval.
            let terms = &s.approval[ri];
            let mut probability = terms.probability;
            if let Some(g) = regime {
                probability = (probability * g.approval_factor).min(1.0);
                scale *= g.batch_factor;
            }
            let mut batch: Units = 0;
            if chance(probability, || {
                self.input(d, Group::Approval, round, 0, |id| streams.uniform_at(id))
            }) {
                out.approved[ri] = true;
                let x = match if V2 { copula.batch_supply } else { None } {
                    None => self.input(d, Group::Batch, round, 0, |id| {
                        draw(&terms.batch, streams, id)
                    }),
                    Some(_) => {
                        let e = self.input(d, Group::Batch, round, 0, |id| normal(streams, id));
                        copula.batch(ri, e)
                    }
                };
                batch = round_units(x * scale);
            }
            o.approval(round, probability, out.approved[ri], batch);

            // 3. Supply.
            let supply = batch.saturating_add(pool);
            o.supply(round, batch, pool, supply);

            // 4. Claims.
            for (((claim, firm), &entry), &owed) in ws
                .claims
                .iter_mut()
                .zip(&s.firms)
                .zip(&out.entry)
                .zip(&ws.outstanding)
            {
                let c = if entry <= round { owed } else { 0 };
                *claim = firm.round_cap.map_or(c, |cap| c.min(cap));
            }
            o.claims(round, &ws.claims);

            // 5. Allocation. The random order is drawn only when there is something to split;
            // its stream is keyed, so skipping it shifts no other draw.
            let total_claims = ws.claims.iter().fold(0u128, |acc, &c| acc + u128::from(c));
            if supply == 0 || total_claims == 0 {
                out.cumulative[ri] = delivered_total;
                pool = if s.carry_over { supply } else { 0 };
                o.round_end(round, delivered_total, pool);
                continue;
            }
            if s.rule == Rule::RandomPriority {
                let id = ids.get(Group::Order, round, 0);
                let n = ws.random_order.len();
                if D::FRESH || n > MAX_SHARED_ORDER {
                    shuffle(&mut ws.random_order, &mut streams.stream(id));
                } else {
                    // Shared as the order `shuffle` makes, packed into one value.
                    let pos = ids.position(Group::Order, round, 0);
                    let code = d.take(Group::Order, pos, || order_code(n, &mut streams.stream(id)));
                    apply_order_code(&mut ws.random_order, code);
                }
            }
            let method = self.method(&ws.random_order);
            ws.allocator
                .allocate(method, supply, &ws.claims, &mut ws.awards);
            o.awards(round, &ws.awards);

            // 6. Conversion: only firms awarded something draw a rate.
            let conversion_factor = regime.map_or(1.0, |g| g.conversion_factor);
            let mut factor: Option<f64> = None;
            for (i, (taken, &award)) in ws.taken.iter_mut().zip(&ws.awards).enumerate() {
                *taken = if award == 0 {
                    0
                } else {
                    let mut k = match if V2 { copula.conversion.as_ref() } else { None } {
                        None => self.input(d, Group::Conversion, round, i, |id| {
                            draw(&s.conversion, streams, id)
                        }),
                        Some(c) => self.correlated_conversion(c, &mut factor, streams, round, i, d),
                    };
                    if V2 && regime.is_some() {
                        k *= conversion_factor;
                    }
                    let taken = floor_units(k * units_f64(award)).min(award);
                    o.conversion(round, i, k, taken);
                    taken
                };
            }

            // 7. Domestic bundling.
            let rho = regime.and_then(|g| g.domestic_ratio).unwrap_or(trial_rho);
            let mut wanted: u128 = 0;
            if rho > 0.0 {
                for (q, &t) in ws.wanted_domestic.iter_mut().zip(&ws.taken) {
                    *q = ceil_units(rho * units_f64(t));
                    wanted += u128::from(*q);
                }
            }
            let mut shortage = false;
            let mut drawn: Option<Units> = None;
            // No supply the distribution can produce falls short of `wanted`: the draw could
            // not change anything, so it is not made.
            let least = match regime {
                None => self.least_domestic[ri],
                Some(g) => round_units(
                    s.domestic.supply[ri].support().0.max(0.0) * g.domestic_supply_factor,
                ),
            };
            if wanted > u128::from(least) {
                let mut x = match if V2 { copula.batch_supply } else { None } {
                    None => self.input(d, Group::Domestic, round, 0, |id| {
                        draw(&s.domestic.supply[ri], streams, id)
                    }),
                    Some(_) => {
                        let e = self.input(d, Group::Batch, round, 0, |id| normal(streams, id));
                        let f = self.input(d, Group::Domestic, round, 0, |id| normal(streams, id));
                        copula.supply(ri, e, f)
                    }
                };
                if let Some(g) = regime {
                    x *= g.domestic_supply_factor;
                }
                let available = round_units(x);
                drawn = Some(available);
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

            let wanted_by_firm: &[Units] = if rho > 0.0 { &ws.wanted_domestic } else { &[] };
            o.domestic(round, rho, wanted_by_firm, drawn, shortage);

            // 8. Delivery, and 9. carry-over of what was not kept.
            let mut kept_total: Units = 0;
            // Every table cut to the firm count first, so the loop indexes without bounds checks.
            let n = s.firms.len();
            let (taken, wanted_by, awarded) = (
                &ws.taken[..n],
                &ws.wanted_domestic[..n],
                &ws.domestic_awards[..n],
            );
            let (delivered, outstanding, domestic) = (
                &mut out.delivered[..n],
                &mut ws.outstanding[..n],
                &mut out.domestic[..n],
            );
            for i in 0..n {
                let (bought, kept) = if wanted == 0 {
                    (0, taken[i])
                } else if !shortage {
                    (wanted_by[i], taken[i])
                } else {
                    let d = awarded[i];
                    (d, taken[i].min(floor_units(units_f64(d) / rho)))
                };
                delivered[i] += kept;
                outstanding[i] -= kept;
                domestic[i] = domestic[i].saturating_add(bought);
                kept_total += kept;
                o.delivery(round, i, bought, kept);
            }
            delivered_total = delivered_total.saturating_add(kept_total);
            out.cumulative[ri] = delivered_total;
            pool = if s.carry_over { supply - kept_total } else { 0 };
            o.round_end(round, delivered_total, pool);
        }
    }

    /// A correlated conversion rate (MODEL.md, "Dependence"): the round's common factor (drawn
    /// at the first firm that converts, kept in `factor`) and the firm's own normal `id`.
    /// Inlined (only the version-2 trial calls it): out of line it cost 2.7% more instructions
    /// per trial of benches/correlated-regimes.toml (13,797 against 13,423).
    #[inline(always)]
    fn correlated_conversion<D: Draws>(
        &self,
        (a, b, map): &(f64, f64, NormalMap),
        factor: &mut Option<f64>,
        streams: &TrialStreams,
        round: u32,
        firm: usize,
        d: &mut D,
    ) -> f64 {
        let f = match *factor {
            Some(f) => f,
            None => {
                let n = self.ids.firms.len() - 1;
                let f = self.input(d, Group::Conversion, round, n, |id| normal(streams, id));
                *factor = Some(f);
                f
            }
        };
        let e = self.input(d, Group::Conversion, round, firm, |id| normal(streams, id));
        map.at(a * f + b * e)
    }

    /// Input `index` of `group` at `round` through `d`: `draw` on its stream, or the shared
    /// world's value of it.
    #[inline(always)]
    fn input<D: Draws>(
        &self,
        d: &mut D,
        group: Group,
        round: u32,
        index: usize,
        draw: impl FnOnce(StreamId) -> f64,
    ) -> f64 {
        let id = self.ids.get(group, round, index);
        if D::FRESH {
            // A run's path, as it was before worlds were shared: the draw, and nothing else.
            return draw(id);
        }
        d.take(group, self.ids.position(group, round, index), || draw(id))
    }

    /// Correlated orders (MODEL.md, "Dependence"): each firm's standard normal from its own
    /// orders stream, combined through the common factor or the matrix's square root, then
    /// through the firm's map.
    #[inline(never)]
    fn correlated_orders<D: Draws>(
        &self,
        how: &OrdersCopula,
        streams: &TrialStreams,
        ws: &mut Workspace,
        d: &mut D,
    ) {
        let n = self.scenario.firms.len();
        if let (false, OrdersCopula::Common(a, b)) = (D::FRESH, how) {
            // Through a shared world: each firm's mapped orders, if a point alike has them.
            let mut factor = None;
            for i in 0..n {
                let x = match d.mapped_orders(i) {
                    Some(x) => x,
                    None => {
                        let f = match factor {
                            Some(f) => f,
                            None => {
                                let f =
                                    self.input(d, Group::Orders, 0, n, |id| normal(streams, id));
                                *factor.insert(f)
                            }
                        };
                        let e = self.input(d, Group::Orders, 0, i, |id| normal(streams, id));
                        let x = self.copula.orders_maps[i].at(a * f + b * e);
                        d.keep_mapped_orders(i, x);
                        x
                    }
                };
                let orders = round_units(x);
                ws.outcome.orders[i] = orders;
                ws.outstanding[i] = orders;
            }
            return;
        }
        for (i, e) in ws.normals.iter_mut().enumerate() {
            *e = self.input(d, Group::Orders, 0, i, |id| normal(streams, id));
        }
        let mut set = |i: usize, z: f64| {
            let orders = round_units(self.copula.orders_maps[i].at(z));
            ws.outcome.orders[i] = orders;
            ws.outstanding[i] = orders;
        };
        match how {
            OrdersCopula::Common(a, b) => {
                let factor = self.input(d, Group::Orders, 0, n, |id| normal(streams, id));
                // Zipped rather than through `set`: no bounds checks.
                let tables = ws.outcome.orders.iter_mut().zip(&mut ws.outstanding);
                let maps = ws.normals.iter().zip(&self.copula.orders_maps);
                for ((e, map), (ordered, owed)) in maps.zip(tables) {
                    let orders = round_units(map.at(a * factor + b * e));
                    *ordered = orders;
                    *owed = orders;
                }
            }
            OrdersCopula::Matrix { order, root } => {
                for (row, &i) in root.chunks_exact(n).zip(order) {
                    let z = row.iter().zip(order).map(|(r, &j)| r * ws.normals[j]).sum();
                    set(i, z);
                }
            }
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

/// A firm's entry round from a draw `x` (MODEL.md, "A trial": `entry_i`): rounded to the nearest
/// integer, halves away from zero; below 1 counts as 1, and past the last round as R + 1 (never
/// eligible).
#[inline]
fn entry_round(x: f64, rounds: u32) -> u32 {
    let r = x.round();
    let never = f64::from(rounds) + 1.0;
    if r.is_nan() {
        1
    } else {
        r.clamp(1.0, never) as u32
    }
}

/// A standard normal from the stream `id` (rand_distr's ziggurat, Marsaglia and Tsang 2000):
/// the `e_i` of MODEL.md's copula. Re-opening the stream gives the same value.
#[inline]
fn normal(streams: &TrialStreams, id: StreamId) -> f64 {
    streams.stream(id).sample(StandardNormal)
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

/// Where a trial's inputs come from ([`Model::input`]): drawn from the streams ([`Fresh`]), or
/// read from a world several models share ([`World`]).
trait Draws {
    /// Whether every input is drawn from its stream ([`Fresh`]).
    const FRESH: bool;

    /// The input at `pos` of `group`'s stream-id table, which `draw` draws from its stream.
    fn take(&mut self, group: Group, pos: usize, draw: impl FnOnce() -> f64) -> f64;

    /// Firm `firm`'s orders through the one-factor copula, when another model drew them.
    fn mapped_orders(&self, firm: usize) -> Option<f64>;

    /// Keeps firm `firm`'s orders through the one-factor copula for the models after this one.
    fn keep_mapped_orders(&mut self, firm: usize, x: f64);
}

/// Every input drawn from its stream, as a run draws them.
struct Fresh;

impl Draws for Fresh {
    const FRESH: bool = true;

    #[inline(always)]
    fn take(&mut self, _: Group, _: usize, draw: impl FnOnce() -> f64) -> f64 {
        draw()
    }

    #[inline(always)]
    fn mapped_orders(&self, _: usize) -> Option<f64> {
        None
    }

    #[inline(always)]
    fn keep_mapped_orders(&mut self, _: usize, _: f64) {}
}

impl Draws for World<'_> {
    const FRESH: bool = false;

    #[inline(always)]
    fn take(&mut self, group: Group, pos: usize, draw: impl FnOnce() -> f64) -> f64 {
        self.get(group, pos, draw)
    }

    #[inline(always)]
    fn mapped_orders(&self, firm: usize) -> Option<f64> {
        World::mapped_orders(self, firm)
    }

    #[inline(always)]
    fn keep_mapped_orders(&mut self, firm: usize, x: f64) {
        World::keep_mapped_orders(self, firm, x);
    }
}

/// The most firms whose `random_priority` order a [`World`] keeps: its first n − 1 places, 4
/// bits each, in one value ([`order_code`]).
pub(crate) const MAX_SHARED_ORDER: usize = 16;

/// The order [`shuffle`] makes from `rng` for `n` firms (at most [`MAX_SHARED_ORDER`]), as the
/// bits of one f64 that a [`World`] slot holds: the firm in place `k` in bits `4k` to `4k + 3`,
/// for every place but the last (the firm left over). At most 60 bits are set, so the value is
/// never a NaN (nor the world's empty mark); it is only stored and read back, never computed
/// with.
fn order_code(n: usize, rng: &mut Stream) -> f64 {
    let mut order = [0usize; MAX_SHARED_ORDER];
    let order = &mut order[..n];
    shuffle(order, rng);
    let mut code = 0u64;
    for (k, &firm) in order.iter().enumerate().take(n.saturating_sub(1)) {
        code |= (firm as u64) << (4 * k);
    }
    f64::from_bits(code)
}

/// The order [`order_code`] recorded, into `order` (its length the firm count).
fn apply_order_code(order: &mut [usize], code: f64) {
    let code = code.to_bits();
    let n = order.len();
    // 0 + 1 + ... + (n − 1), less the firms placed: the one left for the last place.
    let mut left = n * n.saturating_sub(1) / 2;
    for (k, slot) in order.iter_mut().enumerate() {
        *slot = if k + 1 == n {
            left
        } else {
            ((code >> (4 * k)) & 0xf) as usize
        };
        left -= *slot;
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

impl Copula {
    /// Round `ri`'s batch through the copula: `z_batch = e_batch`, the batch stream's normal.
    #[inline(never)]
    fn batch(&self, ri: usize, e_batch: f64) -> f64 {
        self.maps[self.batch_maps[ri]].at(e_batch)
    }

    /// Round `ri`'s domestic supply through the copula from the normals of its batch and
    /// supply streams: `z_supply = r e_batch + sqrt(1 - r^2) e_supply`.
    #[inline(never)]
    fn supply(&self, ri: usize, e_batch: f64, e_supply: f64) -> f64 {
        let (r, c) = self.batch_supply.unwrap_or((0.0, 1.0));
        let z = r * e_batch + c * e_supply;
        self.maps[self.supply_maps[ri]].at(z)
    }

    fn new(s: &Scenario, cache: &mut MapCache) -> Self {
        let d = &s.dependence;
        let mut copula = Copula::default();
        let pearson = crate::linalg::pearson_from_spearman;
        if let Some(how) = &d.orders {
            copula.orders = Some(match how {
                OrdersDependence::Common(q) => {
                    let r = pearson(*q).clamp(0.0, 1.0);
                    OrdersCopula::Common(r.sqrt(), (1.0 - r).sqrt())
                }
                OrdersDependence::Matrix(m) => {
                    let mut order: Vec<usize> = (0..s.firms.len()).collect();
                    order.sort_by(|&a, &b| s.firms[a].name.cmp(&s.firms[b].name));
                    let r: Vec<Vec<f64>> = order
                        .iter()
                        .map(|&i| order.iter().map(|&j| pearson(m[i][j])).collect())
                        .collect();
                    let root = crate::linalg::symmetric_sqrt(&r);
                    OrdersCopula::Matrix {
                        order,
                        root: root.into_iter().flatten().collect(),
                    }
                }
            });
            copula.orders_maps = s.firms.iter().map(|f| cache.map(&f.orders)).collect();
        }
        if let Some(q) = d.conversion {
            let r = pearson(q).clamp(0.0, 1.0);
            copula.conversion = Some((r.sqrt(), (1.0 - r).sqrt(), cache.map(&s.conversion)));
        }
        if let Some(q) = d.batch_supply {
            let r = pearson(q).clamp(-1.0, 1.0);
            copula.batch_supply = Some((r, (1.0 - r * r).max(0.0).sqrt()));
            // One map per distinct distribution: rounds share their scenario-wide terms.
            let mut described: Vec<String> = Vec::new();
            let mut index = |dist: &Dist, maps: &mut Vec<NormalMap>| {
                let text = dist.describe();
                match described.iter().position(|t| *t == text) {
                    Some(i) => i,
                    None => {
                        described.push(text);
                        maps.push(cache.map(dist));
                        maps.len() - 1
                    }
                }
            };
            let mut maps = Vec::new();
            copula.batch_maps = s
                .approval
                .iter()
                .map(|a| index(&a.batch, &mut maps))
                .collect();
            copula.supply_maps = s
                .domestic
                .supply
                .iter()
                .map(|d| index(d, &mut maps))
                .collect();
            copula.maps = maps;
        }
        copula
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod v2_tests;
