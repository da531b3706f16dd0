//! `run --precision`: targets on the 95% half-width of summary.csv's statistics, and the fixed
//! checkpoints at which a run stops once every target is met. The checkpoints depend on nothing
//! but the cap, and a run of k trials merged from slices is that run exactly, so the trials a
//! precision run reaches, and every output, are the same on any machine and thread count.

use serde::Serialize;

use super::csv_out::summary_rows;
use crate::stats::{PERCENTILES, Summary};

/// The first checkpoint; each next one doubles it ([`checkpoints`]).
pub const FIRST_CHECKPOINT: u64 = 10_000;

/// The trial counts at which a precision run checks its targets: 10^4 · 2^k below `cap`, then
/// `cap` itself (a cap below 10^4 is the one checkpoint).
pub fn checkpoints(cap: u64) -> impl Iterator<Item = u64> {
    let doubling = std::iter::successors(Some(FIRST_CHECKPOINT), |&c| c.checked_mul(2));
    doubling
        .take_while(move |&c| c < cap)
        .chain(std::iter::once(cap))
}

/// How close a target's statistic must be: its 95% half-width at most this.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Tolerance {
    /// A fraction of the statistic's own value: `0.5%` is 0.005.
    Relative(f64),
    /// In the statistic's own unit, as summary.csv writes it (units, a fill rate's fraction).
    Absolute(f64),
}

/// One `--precision` target: `FIRM.METRIC.STAT=TOLERANCE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The target as given.
    pub spec: String,
    /// A firm's name, or `total`.
    pub firm: String,
    /// A metric of summary.csv's rows for that firm.
    pub metric: String,
    /// `mean` or a percentile of summary.csv.
    pub stat: String,
    /// The half-width allowed.
    pub tolerance: Tolerance,
}

/// Why a `--precision` target cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--precision {spec}: {reason}")]
pub struct TargetError {
    /// The target as given.
    pub spec: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Target {
    /// Parses `FIRM.METRIC.STAT=TOLERANCE`, the tolerance a number of units or a percentage of
    /// the value (`0.5%`). Firm names hold no dots (MODEL.md), so the key splits at its dots.
    pub fn parse(spec: &str) -> Result<Target, TargetError> {
        let fail = |reason: String| TargetError {
            spec: spec.to_string(),
            reason,
        };
        let (key, tolerance) = spec.split_once('=').ok_or_else(|| {
            fail("expected FIRM.METRIC.STAT=TOLERANCE, e.g. total.unmet.p95=0.5% or ByteDance.unmet.mean=1000".into())
        })?;
        let parts: Vec<&str> = key.trim().split('.').collect();
        let [firm, metric, stat] = parts[..] else {
            return Err(fail(format!(
                "'{key}' is not FIRM.METRIC.STAT (e.g. total.unmet.p95)"
            )));
        };
        if stat != "mean" && !PERCENTILES.iter().any(|(p, _)| *p == stat) {
            let percentiles: Vec<&str> = PERCENTILES.iter().map(|(p, _)| *p).collect();
            return Err(fail(format!(
                "statistic '{stat}' has no interval; use mean or one of {}",
                percentiles.join(", ")
            )));
        }
        let tolerance = tolerance.trim();
        let (number, relative) = match tolerance.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (tolerance, false),
        };
        let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v > 0.0).ok_or_else(|| {
            fail(format!(
                "tolerance '{tolerance}' is not a positive number of units or a percentage such as 0.5%"
            ))
        })?;
        Ok(Target {
            spec: spec.to_string(),
            firm: firm.to_string(),
            metric: metric.to_string(),
            stat: stat.to_string(),
            tolerance: if relative {
                Tolerance::Relative(value / 100.0)
            } else {
                Tolerance::Absolute(value)
            },
        })
    }

    /// Checks that `summary`'s layout has the target's row (its firm and metric): an unknown
    /// firm or metric is refused before anything runs.
    pub fn check(&self, summary: &Summary) -> Result<(), TargetError> {
        let rows = summary_rows(summary);
        if !rows.iter().any(|r| r.firm == self.firm) {
            let firms: Vec<&str> = summary.names.iter().map(String::as_str).collect();
            return Err(TargetError {
                spec: self.spec.clone(),
                reason: format!(
                    "no firm '{}' in the scenario (firms: {})",
                    self.firm,
                    firms.join(", ")
                ),
            });
        }
        if !rows
            .iter()
            .any(|r| r.firm == self.firm && r.metric == self.metric)
        {
            let metrics: Vec<&str> = rows
                .iter()
                .filter(|r| r.firm == self.firm)
                .map(|r| r.metric.as_str())
                .collect();
            return Err(TargetError {
                spec: self.spec.clone(),
                reason: format!(
                    "no metric '{}' for {} (metrics: {})",
                    self.metric,
                    self.firm,
                    metrics.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// The target's statistic and 95% half-width ((ci_high − ci_low) / 2, in the value's unit)
    /// in `summary`, with whether it is within the tolerance. A statistic without an interval
    /// yet (fewer than two trials), or a relative target on a value of 0 whose interval is not
    /// a point, is not met.
    pub fn status(&self, summary: &Summary) -> Status {
        let row = summary_rows(summary)
            .into_iter()
            .find(|r| r.firm == self.firm && r.metric == self.metric);
        let (value, interval) = match row {
            Some(r) => (
                r.tally.stat(&self.stat, r.scale),
                r.tally.interval(&self.stat, r.scale),
            ),
            None => (f64::NAN, None),
        };
        let half_width = interval.map(|(low, high)| (high - low) / 2.0);
        let allowed = match self.tolerance {
            Tolerance::Relative(share) => share * value.abs(),
            Tolerance::Absolute(units) => units,
        };
        Status {
            target: self.spec.clone(),
            value,
            half_width,
            allowed,
            met: half_width.is_some_and(|h| h <= allowed),
        }
    }
}

/// Where one target stands at a checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// The target as given.
    pub target: String,
    /// The statistic's value.
    pub value: f64,
    /// Its 95% half-width, None while it has no interval.
    pub half_width: Option<f64>,
    /// The half-width the target allows at this value.
    pub allowed: f64,
    /// Whether the half-width is within it.
    pub met: bool,
}

/// What a precision run reached, for its manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reached {
    /// The trials run: the first checkpoint at which every target was met, or the cap.
    pub trials: u64,
    /// `--max-trials`.
    pub max_trials: u64,
    /// Whether every target was met (false: the cap came first).
    pub met: bool,
    /// Each target at the last checkpoint.
    pub targets: Vec<Status>,
}

/// The targets' statuses in one line for the progress bar and stdout:
/// "total.unmet.p95 ±11,725 of ±10,575".
pub fn status_line(statuses: &[Status]) -> String {
    statuses
        .iter()
        .map(|s| {
            let key = s.target.split('=').next().unwrap_or(&s.target);
            match s.half_width {
                Some(h) => format!(
                    "{key} ±{} of ±{}{}",
                    readable(h),
                    readable(s.allowed),
                    if s.met { " ✓" } else { "" }
                ),
                None => format!("{key} (no interval yet)"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A half-width for people: whole units with separators from 100 up ("11,725"), three
/// significant digits below ("0.00231" for a fill rate).
fn readable(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if v.abs() >= 99.5 {
        return crate::report::format::units_full(v);
    }
    let digits = if v == 0.0 {
        0
    } else {
        (2 - v.abs().log10().floor() as i32).max(0) as usize
    };
    crate::report::format::number(v, digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_double_from_ten_thousand_and_end_at_the_cap() {
        assert_eq!(
            checkpoints(100_000).collect::<Vec<_>>(),
            [10_000, 20_000, 40_000, 80_000, 100_000]
        );
        assert_eq!(
            checkpoints(80_000).collect::<Vec<_>>(),
            [10_000, 20_000, 40_000, 80_000]
        );
        assert_eq!(checkpoints(500).collect::<Vec<_>>(), [500]);
        assert_eq!(checkpoints(10_000).collect::<Vec<_>>(), [10_000]);
        let last = checkpoints(u64::MAX).last();
        assert_eq!(last, Some(u64::MAX));
    }

    #[test]
    fn half_widths_read_as_counts_or_three_digits() {
        assert_eq!(readable(11_724.6), "11,725");
        assert_eq!(readable(42.345), "42.3");
        assert_eq!(readable(0.002_314), "0.00231");
        assert_eq!(readable(0.0), "0");
    }

    #[test]
    fn targets_parse_and_refuse_with_their_reason() {
        let t = Target::parse("total.unmet.p95=0.5%").unwrap();
        assert_eq!(
            (t.firm.as_str(), t.metric.as_str(), t.stat.as_str()),
            ("total", "unmet", "p95")
        );
        assert_eq!(t.tolerance, Tolerance::Relative(0.005));
        let t = Target::parse("ByteDance.unmet.mean=1000").unwrap();
        assert_eq!(t.tolerance, Tolerance::Absolute(1000.0));
        for (bad, says) in [
            ("total.unmet.p95", "expected FIRM.METRIC.STAT=TOLERANCE"),
            ("unmet.p95=1%", "is not FIRM.METRIC.STAT"),
            ("a.b.c.d=1", "is not FIRM.METRIC.STAT"),
            ("total.unmet.sd=1%", "statistic 'sd' has no interval"),
            ("total.unmet.max=1", "statistic 'max' has no interval"),
            ("total.unmet.p95=0", "is not a positive number"),
            ("total.unmet.p95=-1%", "is not a positive number"),
            ("total.unmet.p95=abc", "is not a positive number"),
            ("total.unmet.p95=inf", "is not a positive number"),
        ] {
            let e = Target::parse(bad).unwrap_err();
            assert!(
                e.to_string().starts_with(&format!("--precision {bad}: ")),
                "{e}"
            );
            assert!(e.reason.contains(says), "{bad}: {e}");
        }
    }
}
