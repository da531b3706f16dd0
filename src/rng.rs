//! Keyed random streams (MODEL.md "Randomness"): every random input of trial t is drawn from its
//! own generator, seeded from (seed, t, purpose) alone, so results never depend on threads,
//! chunking, or which other draws a policy made.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// The generator behind every stream: a named, portable algorithm (never `StdRng`).
pub type StreamRng = Xoshiro256PlusPlus;

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
    /// A distinct 64-bit code per purpose: kind in the top byte, round and index below it.
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
    pub fn new(seed: u64, trial: u64) -> Self {
        // Keys are hashed, never offset: seed_from_u64(x) and seed_from_u64(x + c) can give
        // Xoshiro states that overlap (DESIGN.md, "Seeding trap").
        TrialStreams {
            key: mix(mix(seed ^ 0x5851_f42d_4c95_7f2d) ^ mix(trial ^ 0x1405_7b7e_f767_814f)),
        }
    }

    /// A fresh generator for `purpose` in this trial.
    pub fn rng(&self, purpose: Purpose) -> StreamRng {
        StreamRng::seed_from_u64(mix(self.key ^ mix(purpose.code() ^ 0xd1b5_4a32_d192_ed03)))
    }

    /// One uniform draw in [0, 1) from the stream for `purpose`.
    pub fn uniform(&self, purpose: Purpose) -> f64 {
        use rand::Rng;
        // 53 random bits: every representable multiple of 2^-53 in [0, 1), as rand's
        // StandardUniform does.
        (self.rng(purpose).next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// SplitMix64's finalizer (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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
