//! A trial's world shared by several models (issue 19): on common random numbers every point of
//! a sweep sees the same inputs in trial t, so each input is drawn once per trial, by the first
//! model that needs it, and read by every other model that asks for the same input.
//!
//! An input is identified by its stream (group, round, firm or event name: a [`StreamId`](crate::rng::StreamId)'s
//! offset and step) and by what is taken from the stream: a uniform, a standard normal (the
//! copula's `e_i`), or a draw from a distribution (identified by [`Dist::describe`], which
//! prints every parameter exactly: Rust prints the shortest decimal that reads back to the same
//! `f64`). Two models asking for the same input get the same value whichever draws it, so
//! sharing changes no result, bit for bit: a point that changes a distribution (say
//! `approval.batch`) draws its own batches, and a point that shares it reads them.
//!
//! A [`WorldLayout`] gives each input shared by at least two models a slot; a [`World`] is one
//! trial's values in those slots, each empty until drawn. A `random_priority` order (a
//! permutation) is kept packed in one value, for up to 16 firms. Inputs that only one model
//! asks for, the orders of more firms and groups whose stream ids are not kept in a table (more
//! than 65,536 a trial) are drawn as before, from the streams.

use std::collections::HashMap;

use super::{MAX_SHARED_ORDER, Model};
use crate::dist::Dist;
use crate::rng::{Group, KeyedBy};
use crate::scenario::{Entry, Rule};

/// The bits of an empty slot: a NaN no draw produces (draws are finite; arithmetic NaNs carry
/// no payload). Were a value ever these bits, it would only be drawn again.
const EMPTY: u64 = 0x7ff8_5eed_0000_0001;

/// A slot index for an input no other model shares.
const NONE: u32 = u32::MAX;

/// What a trial takes from one stream.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Take<'a> {
    /// Its first uniform (approval, shock, regime).
    Uniform,
    /// A standard normal (the copula's `e_i` and common factors).
    Normal,
    /// A draw from this distribution.
    Draw(&'a Dist),
    /// A `random_priority` order of this many firms (kept packed in one value).
    Order(usize),
}

/// Where each model's shared inputs are in a trial's [`World`]: per model, a slot per entry of
/// its stream-id tables.
#[derive(Debug, Clone)]
pub struct WorldLayout {
    slots: Vec<WorldSlots>,
    width: usize,
}

/// One model's slots: at each group's index, a slot per position of the group's id table (as
/// `StreamIds::position` numbers them), [`NONE`] where the input is not shared.
#[derive(Debug, Clone)]
pub struct WorldSlots {
    tables: [Vec<u32>; Group::COUNT],
    /// Per firm, the slot of its orders through a one-factor copula (`dependence.orders` a
    /// value): a function of its own and the factor's normals, the rank correlation and its
    /// distribution, so points alike in all four share the mapped value, and not only the
    /// normals. Empty without that copula.
    mapped_orders: Vec<u32>,
}

impl WorldLayout {
    /// Slots for every input that at least two of `models` take alike (`min_sharers` 2), or
    /// for every input any of them takes (`min_sharers` 1: an importance analysis, whose
    /// re-drawn groups read the base trial's world and the other trial's).
    pub fn new(models: &[&Model<'_>], min_sharers: usize) -> WorldLayout {
        // Each input's key: its stream, what is taken (0 a uniform, 1 a normal, 2 a draw, 3
        // orders through the one-factor copula, 4 a random order), the distribution (for 4 the
        // firm count), and for 3 the copula's coefficients' bits. Per model, the key at each
        // position (None: not memoised).
        type Key = (u64, u64, u8, usize, [u64; 2]);
        let mut described: HashMap<String, usize> = HashMap::new();
        let mut sharers: HashMap<Key, (usize, usize)> = HashMap::new();
        // Count each model once (a model takes an input at one position).
        let count = |sharers: &mut HashMap<Key, (usize, usize)>, key: Key, m: usize| {
            let entry = sharers.entry(key).or_insert((m, 0));
            if entry.1 == 0 || entry.0 != m {
                entry.0 = m;
                entry.1 += 1;
            }
        };
        let keyed: Vec<[Vec<Option<Key>>; Group::COUNT]> = models
            .iter()
            .enumerate()
            .map(|(m, model)| {
                Group::ALL.map(|group| {
                    let table = &model.ids.tables[group.index()];
                    (0..table.len())
                        .map(|pos| {
                            let take = model.take_at(group, pos)?;
                            let (kind, dist) = match take {
                                Take::Uniform => (0, 0),
                                Take::Normal => (1, 0),
                                Take::Order(n) => (4, n),
                                Take::Draw(d) => {
                                    let next = described.len();
                                    (2, *described.entry(d.describe()).or_insert(next))
                                }
                            };
                            let (offset, gamma) = table[pos].identity();
                            let key = (offset, gamma, kind, dist, [0; 2]);
                            count(&mut sharers, key, m);
                            Some(key)
                        })
                        .collect()
                })
            })
            .collect();
        let mapped: Vec<Vec<Key>> = models
            .iter()
            .enumerate()
            .map(|(m, model)| {
                let Some(super::OrdersCopula::Common(a, b)) = &model.copula.orders else {
                    return Vec::new();
                };
                let table = &model.ids.tables[Group::Orders.index()];
                let keys: Option<Vec<Key>> = (0..model.scenario.firms.len())
                    .map(|i| {
                        let (offset, gamma) = table.get(i)?.identity();
                        let text = model.scenario.firms[i].orders.describe();
                        let next = described.len();
                        let dist = *described.entry(text).or_insert(next);
                        Some((offset, gamma, 3, dist, [a.to_bits(), b.to_bits()]))
                    })
                    .collect();
                let keys = keys.unwrap_or_default();
                for &key in &keys {
                    count(&mut sharers, key, m);
                }
                keys
            })
            .collect();
        let mut slot_of: HashMap<Key, u32> = HashMap::new();
        let mut slot = |key: Option<Key>| match key {
            Some(k) if sharers[&k].1 >= min_sharers => {
                let next = slot_of.len() as u32;
                *slot_of.entry(k).or_insert(next)
            }
            _ => NONE,
        };
        let slots = keyed
            .into_iter()
            .zip(mapped)
            .map(|(tables, mapped)| WorldSlots {
                tables: tables.map(|keys| keys.into_iter().map(&mut slot).collect()),
                mapped_orders: mapped.into_iter().map(|k| slot(Some(k))).collect(),
            })
            .collect();
        WorldLayout {
            slots,
            width: slot_of.len(),
        }
    }

    /// Values a trial's world holds (0 when the models share nothing).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Model `m`'s slots (indexed like the models given to [`WorldLayout::new`]).
    pub fn slots(&self, m: usize) -> &WorldSlots {
        &self.slots[m]
    }
}

impl WorldSlots {
    /// These slots with `group`'s inputs (only those at `index` within each round, when given:
    /// one firm's, or the common factor's, as [`Model::with_spare`] numbers them) moved
    /// `offset` slots on: into a second world laid after the first, so that `model`, whose
    /// streams take those inputs from another trial (an importance analysis' re-drawn group),
    /// reads that trial's values for them and the base trial's for the rest.
    pub fn moved(&self, model: &Model, group: Group, index: Option<usize>, offset: usize) -> Self {
        let width = model.ids.width(group);
        let mut moved = self.clone();
        for (pos, slot) in moved.tables[group.index()].iter_mut().enumerate() {
            if *slot != NONE && index.is_none_or(|i| pos % width == i) {
                *slot += offset as u32;
            }
        }
        // A firm's mapped orders depend on its normal and the factor's: when either is the
        // other trial's, the mix of the two worlds is in neither, so the value is computed.
        if group == Group::Orders {
            let n = model.scenario.firms.len();
            for (i, slot) in moved.mapped_orders.iter_mut().enumerate() {
                if index.is_none_or(|j| j == i || j == n) {
                    *slot = NONE;
                }
            }
        }
        moved
    }

    /// All slots moved `offset` on: the other trial's world throughout.
    pub fn shifted(&self, offset: usize) -> Self {
        let mut moved = self.clone();
        for table in moved.tables.iter_mut().chain([&mut moved.mapped_orders]) {
            for slot in table.iter_mut().filter(|s| **s != NONE) {
                *slot += offset as u32;
            }
        }
        moved
    }
}

/// One trial's shared inputs as a model reads them: its slots, and the trial's values.
#[derive(Debug)]
pub struct World<'a> {
    slots: &'a WorldSlots,
    values: &'a mut [f64],
}

impl<'a> World<'a> {
    /// The world `values` (one trial's, [`World::clear`]ed before its first model runs) seen
    /// through `slots`.
    pub fn new(slots: &'a WorldSlots, values: &'a mut [f64]) -> Self {
        World { slots, values }
    }

    /// Empties every slot of `values`, for a new trial.
    pub fn clear(values: &mut [f64]) {
        values.fill(f64::from_bits(EMPTY));
    }

    /// The value of the input at `pos` of `group`'s table: the slot's, or `draw()` kept in
    /// it, or `draw()` alone when the input is not shared.
    #[inline(always)]
    pub(crate) fn get(&mut self, group: Group, pos: usize, draw: impl FnOnce() -> f64) -> f64 {
        let slot = self.slots.tables[group.index()].get(pos).copied();
        self.in_slot(slot, draw)
    }

    /// Firm `firm`'s orders through the one-factor copula, if the world holds them.
    #[inline(always)]
    pub(crate) fn mapped_orders(&self, firm: usize) -> Option<f64> {
        let slot = *self.slots.mapped_orders.get(firm)?;
        let v = *self.values.get(slot as usize)?;
        (v.to_bits() != EMPTY).then_some(v)
    }

    /// Keeps firm `firm`'s orders through the one-factor copula, where the world shares them.
    #[inline(always)]
    pub(crate) fn keep_mapped_orders(&mut self, firm: usize, x: f64) {
        if let Some(&slot) = self.slots.mapped_orders.get(firm)
            && let Some(v) = self.values.get_mut(slot as usize)
        {
            *v = x;
        }
    }

    /// The value in `slot` (None or [`NONE`]: not shared), or `draw()` kept there.
    #[inline(always)]
    fn in_slot(&mut self, slot: Option<u32>, draw: impl FnOnce() -> f64) -> f64 {
        let slot = match slot {
            Some(s) if s != NONE => s as usize,
            _ => return draw(),
        };
        match self.values.get_mut(slot) {
            Some(v) if v.to_bits() != EMPTY => *v,
            Some(v) => {
                let x = draw();
                *v = x;
                x
            }
            None => draw(),
        }
    }
}

impl Model<'_> {
    /// What this model's trial takes from the stream at `pos` of `group`'s id table, or None
    /// where it takes nothing (or the `random_priority` order of more than
    /// [`MAX_SHARED_ORDER`] firms).
    pub(crate) fn take_at(&self, group: Group, pos: usize) -> Option<Take<'_>> {
        let s = self.scenario;
        let n = s.firms.len();
        let width = self.ids.width(group);
        let (ri, index) = match group.keyed_by() {
            KeyedBy::Trial | KeyedBy::Firm => (0, pos),
            KeyedBy::Round | KeyedBy::RoundAndFirm | KeyedBy::RoundAndEvent => {
                (pos / width, pos % width)
            }
        };
        let copula = &self.copula;
        match group {
            Group::Orders if copula.orders.is_some() => Some(Take::Normal),
            Group::Orders => s.firms.get(index).map(|f| Take::Draw(&f.orders)),
            Group::Entry => match &s.firms.get(index)?.eligible_from {
                Entry::Drawn(d) => Some(Take::Draw(d)),
                Entry::Round(_) => None,
            },
            Group::Ratio => self
                .fixed_ratio
                .is_none()
                .then_some(Take::Draw(&s.domestic.ratio)),
            Group::Regime => self.regimes.is_some().then_some(Take::Uniform),
            Group::Shock | Group::Approval => Some(Take::Uniform),
            Group::Batch if copula.batch_supply.is_some() => Some(Take::Normal),
            Group::Batch => s.approval.get(ri).map(|a| Take::Draw(&a.batch)),
            Group::Domestic if copula.batch_supply.is_some() => Some(Take::Normal),
            Group::Domestic => s.domestic.supply.get(ri).map(Take::Draw),
            Group::Order => {
                (s.rule == Rule::RandomPriority && n <= MAX_SHARED_ORDER).then_some(Take::Order(n))
            }
            Group::Conversion if copula.conversion.is_some() => Some(Take::Normal),
            Group::Conversion => (index < n).then_some(Take::Draw(&s.conversion)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::rng::{TrialKey, TrialStreams};
    use crate::scenario::{Override, Scenario, parse};

    const BASELINE: &str = include_str!("../../scenarios/baseline.toml");
    const V2: &str = include_str!("../../benches/correlated-regimes.toml");

    fn scenario(toml: &str, set: &[&str]) -> Scenario {
        let set: Vec<Override> = set.iter().map(|s| Override::parse(s).unwrap()).collect();
        parse(Path::new("test.toml"), toml.as_bytes(), &set).unwrap()
    }

    /// Points of the kinds a sweep has: policy knobs that change no input (rule, ratio, cap),
    /// knobs that change a distribution or the copula (each drawing its own), a plain version-1
    /// point beside version-2 ones, and scenarios with other firms and regimes.
    fn points() -> Vec<Scenario> {
        vec![
            scenario(BASELINE, &[]),
            scenario(BASELINE, &["domestic.ratio=0.6"]),
            scenario(BASELINE, &["allocation.rule=random_priority"]),
            scenario(
                BASELINE,
                &["allocation.rule=random_priority", "domestic.ratio=0.6"],
            ),
            scenario(BASELINE, &["allocation.rule=talmud", "domestic.ratio=0.1"]),
            scenario(
                BASELINE,
                &["approval.batch={dist=\"uniform\",min=100000,max=300000}"],
            ),
            scenario(BASELINE, &["dependence.orders=0.6"]),
            scenario(BASELINE, &["dependence.orders=0"]),
            scenario(V2, &[]),
            scenario(V2, &["dependence.conversion=0", "domestic.ratio=0.2"]),
            scenario(V2, &["regime.tense.approval_factor=0.3"]),
        ]
    }

    #[test]
    fn every_point_reading_a_shared_world_plays_the_trial_it_would_draw_itself() {
        let points = points();
        let models: Vec<Model> = points.iter().map(Model::new).collect();
        let layout = WorldLayout::new(&models.iter().collect::<Vec<_>>(), 2);
        // Rounds, firms and events of both scenarios are shared by several points.
        assert!(layout.width() > 40, "{}", layout.width());
        let mut fresh: Vec<_> = models.iter().map(Model::workspace).collect();
        let mut shared: Vec<_> = models.iter().map(Model::workspace).collect();
        let mut values = vec![0.0; layout.width()];
        let seed = 20260128;
        for t in 0..300 {
            let streams = TrialStreams::new(seed, t);
            // Whichever point comes first draws: forwards in even trials, backwards in odd.
            let order: Vec<usize> = if t % 2 == 0 {
                (0..models.len()).collect()
            } else {
                (0..models.len()).rev().collect()
            };
            World::clear(&mut values);
            for &p in &order {
                models[p].run_trial_on(&streams, &mut fresh[p]);
                let mut world = World::new(layout.slots(p), &mut values);
                models[p].run_trial_shared(&streams, &mut shared[p], &mut world);
                assert_eq!(fresh[p].outcome, shared[p].outcome, "point {p}, trial {t}");
            }
        }
    }

    /// Two `random_priority` points share each round's order (a slot per round), and the order
    /// read back from the world is the one the shuffle makes, for every firm count up to the
    /// most a world keeps.
    #[test]
    fn random_orders_are_shared_packed() {
        let rp = scenario(BASELINE, &["allocation.rule=random_priority"]);
        let other = scenario(
            BASELINE,
            &["allocation.rule=random_priority", "domestic.ratio=0.6"],
        );
        let plain = scenario(BASELINE, &[]);
        let (a, b, c) = (Model::new(&rp), Model::new(&other), Model::new(&plain));
        let without = WorldLayout::new(&[&c, &c], 2).width();
        let with = WorldLayout::new(&[&a, &b], 2).width();
        assert_eq!(with, without + rp.rounds as usize, "one order a round");
        for n in 1..=MAX_SHARED_ORDER {
            for t in 0..200 {
                let streams = TrialStreams::new(5, t);
                let id = a.ids.get(Group::Order, 2, 0);
                let mut shuffled = vec![0; n];
                super::super::shuffle(&mut shuffled, &mut streams.stream(id));
                let code = super::super::order_code(n, &mut streams.stream(id));
                let mut read = vec![7; n];
                super::super::apply_order_code(&mut read, code);
                assert_eq!(read, shuffled, "{n} firms, trial {t}");
                assert!(code.to_bits() < 1 << 60, "never a NaN, never EMPTY");
            }
        }
    }

    #[test]
    fn only_inputs_two_points_take_alike_get_a_slot() {
        let base = scenario(BASELINE, &[]);
        let other_batch = scenario(
            BASELINE,
            &["approval.batch={dist=\"uniform\",min=100000,max=300000}"],
        );
        let one = Model::new(&base);
        assert_eq!(WorldLayout::new(&[&one], 2).width(), 0);
        let all = WorldLayout::new(&[&one], 1).width();
        assert!(all > 0);
        // Alike: every input shared. With another batch distribution, rounds 2 to 4 draw their
        // own batches (round 1 has its own terms), and everything else is shared.
        let same = Model::new(&base);
        assert_eq!(WorldLayout::new(&[&one, &same], 2).width(), all);
        let other = Model::new(&other_batch);
        assert_eq!(WorldLayout::new(&[&one, &other], 2).width(), all - 3);
    }

    #[test]
    fn moved_slots_read_the_other_trials_world_for_the_redrawn_group_only() {
        let s = scenario(V2, &["allocation.rule=random_priority"]);
        let model = Model::new(&s);
        let layout = WorldLayout::new(&[&model], 1);
        let width = layout.width();
        let a = layout.slots(0);
        let b = a.shifted(width);
        let b_key = TrialKey::new(7, 11);
        let mut ws = model.workspace();
        let mut fresh = model.workspace();
        let mut values = vec![0.0; 2 * width];
        for t in 0..100 {
            World::clear(&mut values);
            let streams = TrialStreams::new(s.seed, t);
            model.run_trial_shared(&streams, &mut ws, &mut World::new(a, &mut values));
            let b_streams = TrialStreams::keyed(b_key);
            model.run_trial_shared(&b_streams, &mut ws, &mut World::new(&b, &mut values));
            for group in [
                Group::Orders,
                Group::Conversion,
                Group::Regime,
                Group::Batch,
                Group::Order,
            ] {
                let moved = a.moved(&model, group, None, width);
                let mixed = streams.with_group(group, b_key);
                model.run_trial_shared(&mixed, &mut ws, &mut World::new(&moved, &mut values));
                model.run_trial_on(&mixed, &mut fresh);
                assert_eq!(ws.outcome, fresh.outcome, "{group:?}, trial {t}");
            }
        }
    }
}
