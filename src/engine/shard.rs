//! Shards: one of N near-equal slices of a run's trials, run on its own (`run --shard K/N`) and
//! merged exactly. The trial-range arithmetic lives here; the partial.json file format that
//! carries a shard's results is `report::partial`'s.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Shard `index` of `count` (1-based): one of `count` near-equal slices of a run's trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// A `--shard K/N` that cannot name a shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not two unsigned decimal numbers around one '/' (a sign, a third part or a number past
    /// u64 all land here); holds the text as given.
    #[error("expected K/N (shard K of N, e.g. 2/4), got '{0}'")]
    Syntax(String),
    /// K is 0 or greater than N.
    #[error("K must be within 1..=N, got {index}/{count}")]
    IndexOutOfRange {
        /// K, 1-based.
        index: u64,
        /// N.
        count: u64,
    },
    /// More shards than the run has trials, so some shard would be empty. Found only once the
    /// run's trial count is known ([`Shard::trials`]), not when K/N is parsed.
    #[error(
        "--shard {index}/{count}: N must be at most the run's {trials} trials (no shard may be empty)"
    )]
    TooManyShards {
        /// K, 1-based.
        index: u64,
        /// N.
        count: u64,
        /// The run's trial count, which N exceeds.
        trials: u64,
    },
}

impl Shard {
    /// Shard `index` of `count`; `1 <= index <= count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if index == 0 || index > count {
            return Err(ShardError::IndexOutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The trial indices of this shard of a run of `total` trials:
    /// `floor(T·(K−1)/N) .. floor(T·K/N)`. Every shard is non-empty when `N <= T`, and the
    /// shards of a run tile `0..T` exactly.
    pub fn trials(self, total: u64) -> Result<Range<u64>, ShardError> {
        if self.count > total {
            return Err(ShardError::TooManyShards {
                index: self.index,
                count: self.count,
                trials: total,
            });
        }
        // u128: T·K can pass u64 (T up to 10^12, K up to T).
        let bound = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        Ok(bound(self.index - 1)..bound(self.index))
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(syntax)?;
        let number = |t: &str| {
            let t = t.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            t.parse::<u64>().map_err(|_| syntax())
        };
        Shard::new(number(k)?, number(n)?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Where a shard sits in its run, as saved in partial.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardInfo {
    /// K, 1-based.
    pub index: u64,
    /// N.
    pub count: u64,
    /// The shard's first trial index.
    pub first_trial: u64,
    /// The shard's number of trials.
    pub trials: u64,
}

impl ShardInfo {
    /// The shard `shard` of a run of `total` trials.
    pub fn new(shard: Shard, total: u64) -> Result<ShardInfo, ShardError> {
        let range = shard.trials(total)?;
        Ok(ShardInfo {
            index: shard.index,
            count: shard.count,
            first_trial: range.start,
            trials: range.end - range.start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_trials_exactly() {
        for total in [1u64, 2, 3, 7, 10, 1000, 20_001] {
            for count in 1..=total.min(9) {
                let mut next = 0;
                for k in 1..=count {
                    let r = Shard::new(k, count).unwrap().trials(total).unwrap();
                    assert_eq!(r.start, next);
                    assert!(r.end > r.start, "shard {k}/{count} of {total} is empty");
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        let huge = Shard::new(3, 4).unwrap().trials(1_000_000_000_000).unwrap();
        assert_eq!(huge, 500_000_000_000..750_000_000_000);
    }

    /// T·K is formed in u128, so shards of the largest runs (and of u64::MAX, past any run
    /// allowed) neither overflow nor lose a trial.
    #[test]
    fn shard_arithmetic_at_the_u64_edges() {
        for total in [crate::scenario::MAX_TRIALS, u64::MAX - 1, u64::MAX] {
            for count in [1, 2, 3, 7, total / 2, total - 1, total] {
                let first = Shard::new(1, count).unwrap().trials(total).unwrap();
                assert_eq!(first.start, 0);
                let last = Shard::new(count, count).unwrap().trials(total).unwrap();
                assert_eq!(last.end, total, "{count} of {total}");
                assert!(last.end > last.start);
                let info = ShardInfo::new(Shard::new(count, count).unwrap(), total).unwrap();
                assert_eq!(info.first_trial + info.trials, total);
                let middle = Shard::new(count.div_ceil(2), count)
                    .unwrap()
                    .trials(total)
                    .unwrap();
                assert!(middle.end > middle.start && middle.end <= total);
            }
        }
        assert_eq!(
            Shard::new(u64::MAX, u64::MAX)
                .unwrap()
                .trials(u64::MAX)
                .unwrap(),
            u64::MAX - 1..u64::MAX
        );
        assert!(matches!(
            Shard::new(1, u64::MAX).unwrap().trials(u64::MAX - 1),
            Err(ShardError::TooManyShards { .. })
        ));
        assert!(
            format!("{}/{}", u64::MAX, u64::MAX)
                .parse::<Shard>()
                .is_ok()
        );
        assert!("18446744073709551616/1".parse::<Shard>().is_err());
    }

    #[test]
    fn shard_syntax_and_ranges() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard::new(2, 4).unwrap());
        for bad in ["3", "a/b", "2/", "/4", "-1/4", "2/4/8", "+2/4", ""] {
            assert_eq!(
                bad.parse::<Shard>(),
                Err(ShardError::Syntax(bad.to_string()))
            );
        }
        assert_eq!(
            "0/4".parse::<Shard>().unwrap_err().to_string(),
            "K must be within 1..=N, got 0/4"
        );
        assert_eq!(
            "5/4".parse::<Shard>().unwrap_err().to_string(),
            "K must be within 1..=N, got 5/4"
        );
        assert!(Shard::new(1, 5).unwrap().trials(4).is_err());
    }
}
