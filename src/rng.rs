//! Keyed random streams (MODEL.md "Randomness"): every random input of trial t is drawn from its
//! own generator, seeded from (seed, t, purpose) alone, so results never depend on threads,
//! chunking, or which other draws a policy made.
//!
//! A stream is SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number
//! generators", OOPSLA): draw i is `mix(start + i·gamma)`. It starts at the trial's key (a hash
//! of seed and trial) plus an offset hashed from the purpose, and steps by a `gamma` fixed per
//! kind of purpose (orders, shock, approval, ...), chosen by SplitMix's own rule for gammas.
//! Neither depends on the trial, so a model computes them once per purpose (a [`StreamId`]) and
//! opening a stream in a trial is one addition to the trial's key: a trial opens about fifty
//! streams and draws only a few values from each (re-seeding a Xoshiro256++ per stream was a
//! tenth of a trial's cost, and hashing the purpose in every trial 2%).
//!
//! Streams of different kinds have different gammas, so neither is a shifted copy of the other.
//! Two streams of one kind overlap only if their starts happen to lie within a few dozen gammas
//! of each other: about 2·L/2^64 per pair of streams drawing L values. Across trials, a
//! 10^9-trial run (~5·10^10 streams) has some hundreds of such partly shared pairs, against some
//! tens of pairs of 64-bit trial keys that coincide outright. Within a trial, two purposes of one
//! kind have starts whose difference is the same in every trial, so they would overlap in every
//! trial or in none; over the 2·10^10 pairs of conversion purposes of the largest scenario (200
//! firms, 1,000 rounds) the chance that any pair does is about 10^-8. None of this is detectable
//! in any statistic the tool reports.

use std::convert::Infallible;

use rand::TryRng;

/// What a stream is for. Together with the seed and trial index it names one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A firm's orders, drawn once per trial.
    Orders { firm: u32 },
    /// Whether an event fires in a round.
    Shock { round: u32, event: u32 },
    /// Whether a round is approved.
    Approval { round: u32 },
    /// A round's batch size.
    Batch { round: u32 },
    /// A round's domestic chip supply.
    DomesticSupply { round: u32 },
    /// The firms' order under `random_priority`.
    Order { round: u32 },
    /// A firm's conversion rate in a round.
    Conversion { round: u32, firm: u32 },
}

impl Purpose {
    /// The stream increment of each kind of purpose, indexed by the kind in [`Purpose::code`].
    const GAMMAS: [u64; 8] = {
        let mut g = [0; 8];
        let mut kind = 0;
        while kind < 8 {
            g[kind] = gamma(mix(kind as u64 ^ 0x9e37_79b9_7f4a_7c15));
            kind += 1;
        }
        g
    };

    /// A distinct 64-bit code per purpose: kind in the top byte, round and index below it.
    #[inline]
    fn code(self) -> u64 {
        let (kind, round, index) = match self {
            Purpose::Orders { firm } => (1, 0, firm),
            Purpose::Shock { round, event } => (2, round, event),
            Purpose::Approval { round } => (3, round, 0),
            Purpose::Batch { round } => (4, round, 0),
            Purpose::DomesticSupply { round } => (5, round, 0),
            Purpose::Order { round } => (6, round, 0),
            Purpose::Conversion { round, firm } => (7, round, firm),
        };
        (kind << 56) | (u64::from(round & 0x00ff_ffff) << 32) | u64::from(index)
    }
}

/// The streams of one trial.
#[derive(Debug, Clone, Copy)]
pub struct TrialStreams {
    key: u64,
}

impl TrialStreams {
    /// The streams of trial `trial` under `seed`.
    #[inline]
    pub fn new(seed: u64, trial: u64) -> Self {
        // Keys are hashed, never offset: nearby seeds or trials must not give nearby states
        // (DESIGN.md, "Seeding trap").
        TrialStreams {
            key: mix(mix(seed ^ 0x5851_f42d_4c95_7f2d) ^ mix(trial ^ 0x1405_7b7e_f767_814f)),
        }
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
            state: self.key.wrapping_add(id.offset),
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

/// The part of a stream's start and step that depends on its purpose alone: a model computes
/// the ids of the purposes it draws once, rather than hashing each purpose in every trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamId {
    offset: u64,
    gamma: u64,
}

impl Purpose {
    /// This purpose's stream id.
    #[inline]
    pub fn id(self) -> StreamId {
        let code = self.code();
        StreamId {
            offset: mix(code ^ 0xd1b5_4a32_d192_ed03),
            gamma: Purpose::GAMMAS[(code >> 56) as usize],
        }
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
    use rand::Rng;

    #[test]
    fn purposes_have_distinct_codes() {
        let mut codes = std::collections::HashSet::new();
        for round in 0..5 {
            for index in 0..5 {
                for p in [
                    Purpose::Orders { firm: index },
                    Purpose::Shock {
                        round,
                        event: index,
                    },
                    Purpose::Approval { round },
                    Purpose::Batch { round },
                    Purpose::DomesticSupply { round },
                    Purpose::Order { round },
                    Purpose::Conversion { round, firm: index },
                ] {
                    codes.insert(p.code());
                }
            }
        }
        // 5×5 orders codes coincide across rounds (orders ignore the round), so count uniques.
        assert_eq!(codes.len(), 5 + 25 + 5 + 5 + 5 + 5 + 25);
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
        let mut conversion =
            TrialStreams::new(0, 12345).rng(Purpose::Conversion { round: 3, firm: 5 });
        assert_eq!(
            [conversion.next(), conversion.next()],
            [0x6ab2_4323_2bbf_6a43, 0xbdd4_c0d9_4c41_25e0]
        );
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
        let mut kinds = Purpose::GAMMAS.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), 8, "every kind of purpose has its own gamma");
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
        let mut one = TrialStreams::new(7, 3).rng(Purpose::Orders { firm: 0 });
        check("draws", &mut (0..n).map(|_| one.next()));
        let s = TrialStreams::new(7, 3);
        check(
            "purposes",
            &mut (0..n).map(|i| {
                s.rng(Purpose::Conversion {
                    round: (i >> 8) as u32,
                    firm: (i & 255) as u32,
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
        let firms = corr(
            (0..n)
                .map(|t| {
                    (
                        u(1, t, Purpose::Conversion { round: 2, firm: 0 }),
                        u(1, t, Purpose::Conversion { round: 2, firm: 1 }),
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
            .map(|i| s.uniform(Purpose::Conversion { round: 1, firm: i }))
            .sum::<f64>()
            / n as f64;
        // Standard error of the mean of U(0,1) is sqrt(1/12/n) ≈ 0.00091; allow 4 of them.
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt(),
            "mean {mean}"
        );
    }
}
