//! Keyed random streams (MODEL.md "Randomness"): every random input of trial t is drawn from its
//! own generator, seeded from (seed, t, purpose) alone, so results never depend on threads,
//! chunking, or which other draws a policy made.
//!
//! The purposes come in the groups of MODEL.md's table, and [`Group`] is the one table of them:
//! each group's name, its kind code (which fixes its streams' numbers) and what indexes its
//! streams within a trial (firm, round, round and firm, round and event). A [`Purpose`] is a
//! group with a round and an index, and says which in one place ([`Purpose::parts`]); the model
//! builds its stream ids from the same table, so a new random input is one group (and its
//! purpose) here plus its use in the model.
//!
//! **Streams a caller supplies.** A trial's [`TrialStreams`] holds one key per group.
//! [`TrialStreams::new`]`(seed, t)` keys every group by (seed, t): trial t, as a run draws it. A
//! caller can take one group's key from another trial ([`TrialStreams::with_group`] with a
//! [`TrialKey`]) and run the model on the result ([`Model::run_trial_on`]): trial t's world with,
//! say, trial u's batch sizes and every other input trial t's. An importance analysis re-draws
//! one group of inputs at a time this way. A finer re-draw, one firm's streams within a group,
//! goes through the *spare* key ([`TrialStreams::with_spare`]): a [`StreamId`] moved to the spare
//! slot ([`StreamId::on_spare`]) starts from it instead of its group's key, and a model can move
//! the ids of one firm of one group there ([`Model::with_spare`]).
//!
//! [`Model::run_trial_on`]: crate::model::Model::run_trial_on
//! [`Model::with_spare`]: crate::model::Model::with_spare
//!
//! A stream is SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number
//! generators", OOPSLA): draw i is `mix(start + i·gamma)`. It starts at its group's trial key (a
//! hash of seed and trial) plus an offset hashed from the purpose, and steps by a `gamma` fixed
//! per group (orders, shock, approval, ...), chosen by SplitMix's own rule for gammas.
//! Neither depends on the trial, so a model computes them once per purpose (a [`StreamId`]) and
//! opening a stream in a trial is one addition to the trial's key: a trial opens about fifty
//! streams and draws only a few values from each (re-seeding a Xoshiro256++ per stream was a
//! tenth of a trial's cost, and hashing the purpose in every trial 2%).
//!
//! Streams of different groups have different gammas, so neither is a shifted copy of the other.
//! Two streams of one group overlap only if their starts happen to lie within a few dozen gammas
//! of each other: about 2·L/2^64 per pair of streams drawing L values. Across trials, a
//! 10^9-trial run (~5·10^10 streams) has some hundreds of such partly shared pairs, against some
//! tens of pairs of 64-bit trial keys that coincide outright. Within a trial, two purposes of one
//! group have starts whose difference is the same in every trial, so they would overlap in every
//! trial or in none; over the 2·10^10 pairs of conversion purposes of the largest scenario (200
//! firms, 1,000 rounds) the chance that any pair does is about 10^-8. None of this is detectable
//! in any statistic the tool reports.

use std::convert::Infallible;

use rand::TryRng;

/// A group of random inputs: a row of MODEL.md's "Randomness" table, and the unit an importance
/// analysis re-draws. Every [`Purpose`] belongs to one group, and each group has its own key in
/// a [`TrialStreams`].
///
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Each firm's orders, drawn once per trial.
    Orders,
    /// Whether each event fires in each round.
    Shock,
    /// Whether each round is approved.
    Approval,
    /// Each round's batch size.
    Batch,
    /// Each round's domestic chip supply.
    Domestic,
    /// Each round's random order of the firms (`random_priority`).
    Order,
    /// Each firm's conversion rate in each round.
    Conversion,
    /// Each firm's entry round, when it is a distribution.
    Entry,
    /// The domestic ratio, when it is a distribution.
    Ratio,
    /// The regime of each round.
    Regime,
}

/// What indexes the streams of a [`Group`] within a trial: a [`Purpose`]'s round and index
/// ([`Purpose::parts`]) mean what this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyedBy {
    /// Nothing: one stream per trial (round 0, no name).
    Trial,
    /// The firm's name (round 0).
    Firm,
    /// The round, from 1 (no name).
    Round,
    /// The round, from 1, and the firm's name.
    RoundAndFirm,
    /// The round, from 1, and the event's name.
    RoundAndEvent,
}

/// A row of the group table ([`Group::row`]).
struct Row {
    name: &'static str,
    kind: u64,
    keyed_by: KeyedBy,
}

impl Group {
    /// Every group, in the order of their kind codes; a group's position here is
    /// [`Group::index`].
    pub const ALL: [Group; 10] = [
        Group::Orders,
        Group::Shock,
        Group::Approval,
        Group::Batch,
        Group::Domestic,
        Group::Order,
        Group::Conversion,
        Group::Entry,
        Group::Ratio,
        Group::Regime,
    ];

    /// The number of groups.
    pub const COUNT: usize = Group::ALL.len();

    /// The group table. The kind codes are part of the results' identity (docs/model.md, "The
    /// stream algorithm"): a code is never changed or reused, and a new group takes the next.
    const fn row(self) -> Row {
        let (name, kind, keyed_by) = match self {
            Group::Orders => ("orders", 1, KeyedBy::Firm),
            Group::Shock => ("shock", 2, KeyedBy::RoundAndEvent),
            Group::Approval => ("approval", 3, KeyedBy::Round),
            Group::Batch => ("batch", 4, KeyedBy::Round),
            Group::Domestic => ("domestic", 5, KeyedBy::Round),
            Group::Order => ("order", 6, KeyedBy::Round),
            Group::Conversion => ("conversion", 7, KeyedBy::RoundAndFirm),
            Group::Entry => ("entry", 8, KeyedBy::Firm),
            Group::Ratio => ("ratio", 9, KeyedBy::Trial),
            Group::Regime => ("regime", 10, KeyedBy::Round),
        };
        Row {
            name,
            kind,
            keyed_by,
        }
    }

    /// The group's name in MODEL.md's table ("orders", "batch", "domestic", ...).
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// What indexes the group's streams within a trial.
    #[inline]
    pub const fn keyed_by(self) -> KeyedBy {
        self.row().keyed_by
    }

    /// The group's position in [`Group::ALL`], for tables indexed by group.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The group's kind code: the top byte of its purposes' codes.
    #[inline]
    const fn kind(self) -> u64 {
        self.row().kind
    }

    /// The increment of the group's streams.
    #[inline]
    const fn gamma(self) -> u64 {
        GAMMAS[self.index()]
    }
}

// `Group::index` is a position in `Group::ALL`.
const _: () = {
    let mut i = 0;
    while i < Group::COUNT {
        assert!(Group::ALL[i].index() == i);
        i += 1;
    }
};

/// The stream increment of each group, at its [`Group::index`], from its kind code.
const GAMMAS: [u64; Group::COUNT] = {
    let mut g = [0; Group::COUNT];
    let mut i = 0;
    while i < Group::COUNT {
        g[i] = gamma(mix(Group::ALL[i].kind() ^ 0x9e37_79b9_7f4a_7c15));
        i += 1;
    }
    g
};

/// A name that keys streams (MODEL.md, "Randomness": firms and events are keyed by their names,
/// never by their positions): the FNV-1a hash (Fowler, Noll and Vo) of the name's UTF-8 bytes.
/// Inserting, removing or reordering firms or events leaves every other one's streams as they
/// were. The copula's common factors are keyed by [`Name::FACTOR`], the empty name, which no
/// firm can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(u64);

impl Name {
    /// The key of the copula's common factor of a group (orders, conversion): the empty name.
    pub const FACTOR: Name = Name::of("");

    /// The key of `name`.
    pub const fn of(name: &str) -> Name {
        let bytes = name.as_bytes();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut i = 0;
        while i < bytes.len() {
            h ^= bytes[i] as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        Name(h)
    }
}

/// What a stream is for. Together with the seed and trial index it names one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A firm's orders, drawn once per trial (or the copula's common factor, [`Name::FACTOR`]).
    Orders {
        /// The firm's name.
        firm: Name,
    },
    /// Whether an event fires in a round.
    Shock {
        /// The round, from 1.
        round: u32,
        /// The event's name.
        event: Name,
    },
    /// Whether a round is approved.
    Approval {
        /// The round, from 1.
        round: u32,
    },
    /// A round's batch size.
    Batch {
        /// The round, from 1.
        round: u32,
    },
    /// A round's domestic chip supply.
    DomesticSupply {
        /// The round, from 1.
        round: u32,
    },
    /// The firms' order under `random_priority`.
    Order {
        /// The round, from 1.
        round: u32,
    },
    /// A firm's conversion rate in a round (or the round's copula factor, [`Name::FACTOR`]).
    Conversion {
        /// The round, from 1.
        round: u32,
        /// The firm's name.
        firm: Name,
    },
    /// A firm's entry round, drawn once per trial.
    Entry {
        /// The firm's name.
        firm: Name,
    },
    /// The domestic ratio, drawn once per trial.
    Ratio,
    /// A round's regime.
    Regime {
        /// The round, from 1.
        round: u32,
    },
}

impl Purpose {
    /// The purpose's group, round (0 where there is none) and name (None where there is none),
    /// as its group's [`KeyedBy`] says: the one place a purpose meets its group.
    #[inline]
    pub const fn parts(self) -> (Group, u32, Option<Name>) {
        match self {
            Purpose::Orders { firm } => (Group::Orders, 0, Some(firm)),
            Purpose::Shock { round, event } => (Group::Shock, round, Some(event)),
            Purpose::Approval { round } => (Group::Approval, round, None),
            Purpose::Batch { round } => (Group::Batch, round, None),
            Purpose::DomesticSupply { round } => (Group::Domestic, round, None),
            Purpose::Order { round } => (Group::Order, round, None),
            Purpose::Conversion { round, firm } => (Group::Conversion, round, Some(firm)),
            Purpose::Entry { firm } => (Group::Entry, 0, Some(firm)),
            Purpose::Ratio => (Group::Ratio, 0, None),
            Purpose::Regime { round } => (Group::Regime, round, None),
        }
    }

    /// The group the purpose belongs to.
    #[inline]
    pub const fn group(self) -> Group {
        self.parts().0
    }

    /// This purpose's stream id.
    #[inline]
    pub fn id(self) -> StreamId {
        let (group, round, name) = self.parts();
        StreamId::new(group, round, name)
    }
}

/// A distinct 64-bit code per group and round: its group's kind in the top byte, the round below.
#[inline]
const fn code(group: Group, round: u32) -> u64 {
    (group.kind() << 56) | (((round & 0x00ff_ffff) as u64) << 32)
}

/// The key of one trial under one seed: where the streams of a group start in that trial. A
/// [`TrialStreams`] holds one per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrialKey(u64);

impl TrialKey {
    /// The key of trial `trial` under `seed`.
    #[inline]
    pub fn new(seed: u64, trial: u64) -> Self {
        // Keys are hashed, never offset: nearby seeds or trials must not give nearby states
        // (DESIGN.md, "Seeding trap").
        TrialKey(mix(
            mix(seed ^ 0x5851_f42d_4c95_7f2d) ^ mix(trial ^ 0x1405_7b7e_f767_814f)
        ))
    }
}

/// The streams of one trial: a key per [`Group`], each group's streams starting from its key.
/// A run keys every group by the same trial ([`TrialStreams::new`]); a caller may take some
/// groups' keys from other trials ([`TrialStreams::with_group`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrialStreams {
    /// At each group's [`Group::index`], then the spare key at [`SPARE`].
    keys: [u64; KEY_SLOTS],
}

/// Key slots of a [`TrialStreams`]: one per group, then the spare.
const KEY_SLOTS: usize = Group::COUNT + 1;
/// The slot of the spare key ([`TrialStreams::with_spare`]), past every group's.
const SPARE: usize = Group::COUNT;

/// A key slot of a [`TrialStreams`]: a group's ([`Group::index`]) or the spare. An enum of
/// exactly [`KEY_SLOTS`] values, so indexing the keys by one needs no bounds check (a mask or
/// a check cost 1.5% of a baseline trial's instructions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Slot {
    G0,
    G1,
    G2,
    G3,
    G4,
    G5,
    G6,
    G7,
    G8,
    G9,
    Spare,
}

impl Slot {
    const ALL: [Slot; KEY_SLOTS] = [
        Slot::G0,
        Slot::G1,
        Slot::G2,
        Slot::G3,
        Slot::G4,
        Slot::G5,
        Slot::G6,
        Slot::G7,
        Slot::G8,
        Slot::G9,
        Slot::Spare,
    ];

    /// The slot of `group`'s key.
    const fn of(group: Group) -> Slot {
        Slot::ALL[group.index()]
    }
}

const _: () = assert!(Slot::Spare as usize == SPARE);

impl TrialStreams {
    /// The streams of trial `trial` under `seed`: every group keyed by that trial.
    #[inline]
    pub fn new(seed: u64, trial: u64) -> Self {
        TrialStreams::keyed(TrialKey::new(seed, trial))
    }

    /// Every group's streams under `key`.
    #[inline]
    pub fn keyed(key: TrialKey) -> Self {
        TrialStreams {
            keys: [key.0; KEY_SLOTS],
        }
    }

    /// These streams with the spare key taken from `key`: every stream id moved to the spare
    /// slot ([`StreamId::on_spare`]) draws from `key`'s trial; every other stream is unchanged.
    /// (Until set, the spare key is the streams' own trial key, so a spare id draws what it
    /// would have drawn.)
    #[inline]
    #[must_use]
    pub fn with_spare(mut self, key: TrialKey) -> Self {
        self.keys[SPARE] = key.0;
        self
    }

    /// These streams with `group`'s taken from `key` instead: the inputs of that group are those
    /// of `key`'s trial, and every other group's are unchanged.
    #[inline]
    #[must_use]
    pub fn with_group(mut self, group: Group, key: TrialKey) -> Self {
        self.keys[group.index()] = key.0;
        self
    }

    /// The key `group`'s streams start from.
    #[inline]
    pub fn key(&self, group: Group) -> TrialKey {
        TrialKey(self.keys[group.index()])
    }

    /// The generator for `purpose` in this trial.
    #[inline]
    pub fn rng(&self, purpose: Purpose) -> Stream {
        self.stream(purpose.id())
    }

    /// The generator of the purpose `id` stands for, in this trial.
    #[inline]
    pub fn stream(&self, id: StreamId) -> Stream {
        Stream {
            state: self.keys[id.slot as usize].wrapping_add(id.offset),
            gamma: id.gamma,
        }
    }

    /// One uniform draw in [0, 1): the first draw of the stream for `purpose`.
    #[inline]
    pub fn uniform(&self, purpose: Purpose) -> f64 {
        self.uniform_at(purpose.id())
    }

    /// [`TrialStreams::uniform`] for a purpose's precomputed id.
    #[inline]
    pub fn uniform_at(&self, id: StreamId) -> f64 {
        to_unit(self.stream(id).next())
    }
}

/// The part of a stream's start and step that depends on its purpose alone, and the purpose's
/// group (whose key in a [`TrialStreams`] the stream starts from): a model computes the ids of
/// the purposes it draws once, rather than hashing each purpose in every trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamId {
    offset: u64,
    gamma: u64,
    group: Group,
    /// The key slot the stream starts from: its group's, or the spare.
    slot: Slot,
}

impl StreamId {
    /// The id of `group`'s stream at `round`, for the firm or event `name` (as its [`KeyedBy`]
    /// says): the offset `mix(code ^ C)`, and for a named purpose `mix` of that with the name's
    /// key. A purpose without a name keeps the offset of version 1.
    #[inline]
    pub fn new(group: Group, round: u32, name: Option<Name>) -> Self {
        let offset = mix(code(group, round) ^ 0xd1b5_4a32_d192_ed03);
        StreamId {
            offset: match name {
                Some(Name(key)) => mix(offset ^ key),
                None => offset,
            },
            gamma: group.gamma(),
            group,
            slot: Slot::of(group),
        }
    }

    /// This id drawing from the spare key of a [`TrialStreams`] ([`TrialStreams::with_spare`])
    /// instead of its group's: the same purpose, offset and step, started from another trial.
    #[inline]
    #[must_use]
    pub const fn on_spare(self) -> Self {
        StreamId {
            slot: Slot::Spare,
            ..self
        }
    }

    /// The group of the purpose this id stands for.
    #[inline]
    pub const fn group(self) -> Group {
        self.group
    }

    /// What tells this stream from every other of a trial: its offset and step (the same
    /// purpose has the same pair whichever key slot it starts from).
    #[inline]
    pub const fn identity(self) -> (u64, u64) {
        (self.offset, self.gamma)
    }
}

/// One keyed stream (see the module documentation). Implements `rand::Rng`, so every sampler
/// draws from it directly.
#[derive(Debug, Clone)]
pub struct Stream {
    state: u64,
    gamma: u64,
}

impl Stream {
    /// The next 64 random bits.
    #[inline]
    #[allow(clippy::should_implement_trait)] // not an iterator: a stream never ends
    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(self.gamma);
        mix(self.state)
    }
}

impl TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// 53 random bits as a multiple of 2^-53 in [0, 1), as rand's StandardUniform makes them.
#[inline]
fn to_unit(bits: u64) -> f64 {
    // Through i64: one instruction (see `strips::unit`).
    ((bits >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// SplitMix64's finalizer (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
#[inline]
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64's rule for a stream's increment (`mixGamma` of the paper): odd, and with enough
/// bit transitions that consecutive states differ in many bits.
const fn gamma(z: u64) -> u64 {
    let z = z | 1;
    if (z ^ (z >> 1)).count_ones() < 24 {
        z ^ 0xaaaa_aaaa_aaaa_aaaa
    } else {
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One purpose of each kind, at `round` and the firm or event named `name`.
    fn every_purpose(round: u32, name: &str) -> [Purpose; 10] {
        let name = Name::of(name);
        [
            Purpose::Orders { firm: name },
            Purpose::Shock { round, event: name },
            Purpose::Approval { round },
            Purpose::Batch { round },
            Purpose::DomesticSupply { round },
            Purpose::Order { round },
            Purpose::Conversion { round, firm: name },
            Purpose::Entry { firm: name },
            Purpose::Ratio,
            Purpose::Regime { round },
        ]
    }
    use rand::Rng;

    /// Every purpose of 5 rounds and 5 names has its own stream offset (orders, entry and the
    /// ratio ignore the round, so they count once).
    #[test]
    fn purposes_have_distinct_offsets() {
        let mut offsets = std::collections::HashSet::new();
        for round in 0..5 {
            for name in ["A", "B", "Tencent", "tencent", ""] {
                for p in every_purpose(round, name) {
                    offsets.insert(p.id().offset);
                }
            }
        }
        let (rounds, names) = (5, 5);
        let expected = names * 2 // orders, entry
            + 1 // ratio
            + rounds * 5 // approval, batch, domestic, order, regime
            + rounds * names * 2; // shock, conversion
        assert_eq!(offsets.len(), expected);
    }

    /// Names are keys, FNV-1a 64 of their UTF-8 bytes (the published test vector for "a"), and
    /// the common factor is the empty name's.
    #[test]
    fn names_are_fnv1a_keys() {
        assert_eq!(Name::of("a"), Name(0xaf63_dc4c_8601_ec8c));
        assert_eq!(Name::FACTOR, Name(0xcbf2_9ce4_8422_2325));
        assert_ne!(Name::of("Tencent"), Name::of("tencent"));
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = TrialStreams::new(7, 3)
            .rng(Purpose::Batch { round: 1 })
            .next_u64();
        let b = TrialStreams::new(7, 3)
            .rng(Purpose::Batch { round: 1 })
            .next_u64();
        assert_eq!(a, b);
        let others = [
            TrialStreams::new(7, 4)
                .rng(Purpose::Batch { round: 1 })
                .next_u64(),
            TrialStreams::new(8, 3)
                .rng(Purpose::Batch { round: 1 })
                .next_u64(),
            TrialStreams::new(7, 3)
                .rng(Purpose::Batch { round: 2 })
                .next_u64(),
            TrialStreams::new(7, 3)
                .rng(Purpose::Approval { round: 1 })
                .next_u64(),
        ];
        assert!(others.iter().all(|&o| o != a));
    }

    /// Check values of `streams_match_the_documented_algorithm` (docs/model.md): seed 0, trial
    /// 12345, Tencent's conversion in round 3, and the orders' common factor.
    const CONVERSION_CHECK: [u64; 2] = [0x9ade_2d58_c2eb_a3ba, 0x3959_90af_e876_ae72];
    const FACTOR_CHECK: u64 = 0xa79a_92b8_0159_730e;

    /// The algorithm is part of the results' identity (same seed, same numbers on every
    /// machine): these values come from an independent Python transcription of the module
    /// documentation, not from this code.
    #[test]
    fn streams_match_the_documented_algorithm() {
        let mut batch = TrialStreams::new(20260128, 0).rng(Purpose::Batch { round: 2 });
        assert_eq!(
            [batch.next(), batch.next(), batch.next()],
            [
                0x12c6_6e37_e929_35aa,
                0x5229_9745_6ebc_c82b,
                0x9770_a6a4_5114_5469
            ]
        );
        let mut conversion = TrialStreams::new(0, 12345).rng(Purpose::Conversion {
            round: 3,
            firm: Name::of("Tencent"),
        });
        assert_eq!(
            [conversion.next(), conversion.next()],
            [CONVERSION_CHECK[0], CONVERSION_CHECK[1]]
        );
        let mut factor = TrialStreams::new(0, 12345).rng(Purpose::Orders { firm: Name::FACTOR });
        assert_eq!(factor.next(), FACTOR_CHECK);
    }

    #[test]
    fn gammas_are_odd_and_busy() {
        for z in [
            0,
            1,
            u64::MAX,
            0x5555_5555_5555_5555,
            0x8000_0000_0000_0000,
            12345,
        ] {
            let g = gamma(z);
            assert_eq!(g & 1, 1);
            assert!((g ^ (g >> 1)).count_ones() >= 24, "{g:#x}");
        }
        let mut gammas = GAMMAS.to_vec();
        gammas.sort_unstable();
        gammas.dedup();
        assert_eq!(gammas.len(), Group::COUNT, "every group has its own gamma");
    }

    /// The group table as docs/model.md states it: MODEL.md's names, and the kind codes that
    /// fix every stream's numbers (changing one changes every result under a seed).
    #[test]
    fn the_group_table_is_the_documented_one() {
        let table: Vec<_> = Group::ALL
            .iter()
            .map(|&g| (g.name(), g.kind(), g.keyed_by()))
            .collect();
        use KeyedBy::*;
        assert_eq!(
            table,
            [
                ("orders", 1, Firm),
                ("shock", 2, RoundAndEvent),
                ("approval", 3, Round),
                ("batch", 4, Round),
                ("domestic", 5, Round),
                ("order", 6, Round),
                ("conversion", 7, RoundAndFirm),
                ("entry", 8, Firm),
                ("ratio", 9, Trial),
                ("regime", 10, Round),
            ]
        );
        for (i, g) in Group::ALL.into_iter().enumerate() {
            assert_eq!(g.index(), i);
        }
    }

    /// Every purpose's parts say what its group's `KeyedBy` says, and its id is its group's.
    #[test]
    fn purposes_belong_to_their_groups() {
        let round = 3;
        let name = Name::of("Baidu");
        for p in every_purpose(round, "Baidu") {
            let (group, r, n) = p.parts();
            let expected = match group.keyed_by() {
                KeyedBy::Trial => (0, None),
                KeyedBy::Firm => (0, Some(name)),
                KeyedBy::Round => (round, None),
                KeyedBy::RoundAndFirm | KeyedBy::RoundAndEvent => (round, Some(name)),
            };
            assert_eq!((r, n), expected, "{p:?}");
            assert_eq!(p.id().group(), group);
            assert_eq!(p.group(), group);
        }
    }

    /// A group keyed by another trial draws that trial's numbers on every one of its streams,
    /// and every other group's streams are unchanged.
    #[test]
    fn a_group_keyed_by_another_trial_draws_that_trials_numbers() {
        let purposes = every_purpose(2, "C");
        let (t, u) = (TrialStreams::new(9, 4), TrialStreams::new(9, 40));
        assert_eq!(TrialStreams::keyed(TrialKey::new(9, 4)), t);
        for group in Group::ALL {
            let mixed = t.with_group(group, TrialKey::new(9, 40));
            assert_eq!(mixed.key(group), u.key(group));
            for p in purposes {
                let from = if p.group() == group { &u } else { &t };
                let draws = |s: &TrialStreams| {
                    let mut r = s.rng(p);
                    [r.next(), r.next()]
                };
                assert_eq!(draws(&mixed), draws(from), "{group:?} re-keyed, {p:?}");
            }
            assert_ne!(mixed, t);
            assert_eq!(mixed.with_group(group, t.key(group)), t);
        }
    }

    #[test]
    fn an_id_on_the_spare_draws_from_the_spare_key_alone() {
        let (t, u) = (TrialStreams::new(9, 4), TrialStreams::new(9, 40));
        let spare = t.with_spare(TrialKey::new(9, 40));
        let draws = |s: &TrialStreams, id: StreamId| {
            let mut r = s.stream(id);
            [r.next(), r.next()]
        };
        for p in every_purpose(2, "C") {
            let id = p.id();
            // Until set, the spare is the trial's own key.
            assert_eq!(draws(&t, id.on_spare()), draws(&t, id), "{p:?}");
            assert_eq!(draws(&spare, id.on_spare()), draws(&u, id), "{p:?}");
            assert_eq!(draws(&spare, id), draws(&t, id), "{p:?}");
            assert_eq!(id.on_spare().group(), id.group());
        }
        // The spare is no group's key: re-keying every group leaves it alone.
        let all = Group::ALL
            .into_iter()
            .fold(t, |s, g| s.with_group(g, TrialKey::new(9, 40)));
        let id = Purpose::Batch { round: 2 }.id();
        assert_eq!(draws(&all, id.on_spare()), draws(&t, id));
    }

    /// Chi-square on 64 bins of 2^18 draws for each way the engine uses streams: the first draw
    /// of one purpose over consecutive trials, consecutive draws of one stream, and one draw of
    /// many purposes in one trial. The 99.9% point of chi-square with 63 degrees of freedom is
    /// 103.4; a broken stream (shifted copies, a stuck bit) lands in the thousands.
    #[test]
    fn streams_are_uniform_across_trials_draws_and_purposes() {
        let n = 1u64 << 18;
        let check = |what: &str, draws: &mut dyn Iterator<Item = u64>| {
            let mut bins = [0u64; 64];
            for d in draws {
                bins[(d >> 58) as usize] += 1;
            }
            let expected = n as f64 / 64.0;
            let chi2: f64 = bins
                .iter()
                .map(|&b| (b as f64 - expected).powi(2) / expected)
                .sum();
            assert!(chi2 < 103.4, "{what}: chi-square {chi2}");
        };
        check(
            "trials",
            &mut (0..n).map(|t| {
                TrialStreams::new(7, t)
                    .rng(Purpose::Approval { round: 1 })
                    .next()
            }),
        );
        let mut one = TrialStreams::new(7, 3).rng(Purpose::Orders {
            firm: Name::of("A"),
        });
        check("draws", &mut (0..n).map(|_| one.next()));
        let s = TrialStreams::new(7, 3);
        check(
            "purposes",
            &mut (0..n).map(|i| {
                s.rng(Purpose::Conversion {
                    round: (i >> 8) as u32,
                    firm: Name::of(&format!("F{}", i & 255)),
                })
                .next()
            }),
        );
    }

    /// Neighbouring trials, neighbouring draws and neighbouring purposes must not be
    /// correlated: the sample correlation of 2^16 pairs has sd 2^-8, so 5 sd is 0.0195.
    #[test]
    fn neighbours_are_uncorrelated() {
        let n = 1u64 << 16;
        let corr = |pairs: Vec<(f64, f64)>| {
            let m = pairs.len() as f64;
            let (mx, my) = pairs
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / m, b + y / m));
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for (x, y) in &pairs {
                sxy += (x - mx) * (y - my);
                sxx += (x - mx) * (x - mx);
                syy += (y - my) * (y - my);
            }
            sxy / (sxx * syy).sqrt()
        };
        let u = |seed, t, p| TrialStreams::new(seed, t).uniform(p);
        let p = Purpose::Batch { round: 1 };
        let trials = corr((0..n).map(|t| (u(1, t, p), u(1, t + 1, p))).collect());
        let seeds = corr((0..n).map(|t| (u(t, 5, p), u(t + 1, 5, p))).collect());
        let rounds = corr(
            (0..n)
                .map(|t| {
                    (
                        u(1, t, Purpose::Batch { round: 1 }),
                        u(1, t, Purpose::Batch { round: 2 }),
                    )
                })
                .collect(),
        );
        let draws = corr(
            (0..n)
                .map(|t| {
                    let mut r = TrialStreams::new(1, t).rng(p);
                    (to_unit(r.next()), to_unit(r.next()))
                })
                .collect(),
        );
        let (a, b) = (Name::of("F0"), Name::of("F1"));
        let firms = corr(
            (0..n)
                .map(|t| {
                    (
                        u(1, t, Purpose::Conversion { round: 2, firm: a }),
                        u(1, t, Purpose::Conversion { round: 2, firm: b }),
                    )
                })
                .collect(),
        );
        let kinds = corr(
            (0..n)
                .map(|t| (u(1, t, Purpose::Approval { round: 2 }), u(1, t, p)))
                .collect(),
        );
        for (what, c) in [
            ("firms", firms),
            ("kinds", kinds),
            ("trials", trials),
            ("seeds", seeds),
            ("rounds", rounds),
            ("draws", draws),
        ] {
            assert!(c.abs() < 0.0195, "{what}: correlation {c}");
        }
    }

    #[test]
    fn uniform_draws_look_uniform() {
        let n = 100_000;
        let s = TrialStreams::new(1, 0);
        let mean: f64 = (0..n)
            .map(|i| {
                s.uniform(Purpose::Conversion {
                    round: 1,
                    firm: Name::of(&i.to_string()),
                })
            })
            .sum::<f64>()
            / n as f64;
        // Standard error of the mean of U(0,1) is sqrt(1/12/n) ≈ 0.00091; allow 4 of them.
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt(),
            "mean {mean}"
        );
    }
}
