//! comparison.json: everything a comparison's charts and report need (what was compared, and per
//! point its summary's exact tallies, saved as results.json saves a run's, and its paired
//! differences against the reference as exact sums), so `allocsim report` can redraw a sweep's,
//! compare's or sensitivity's charts and report.html byte for byte without simulating.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};

use super::results::{
    ResultsError, SavedRound, SavedSummary, SavedTally, SavedTrialTally, check_header,
    load_summary, serialize_summary,
};
use crate::compare::{Comparison, DiffTally, FirmMatch, Kind, PAIRED_METRICS, Paired, plan};
use crate::report::charts::compare::knob_slice;
use crate::stats::{Summary, wide};

/// The file format's name, checked when reading.
pub const FORMAT: &str = "allocsim-comparison";
/// The file format's latest version; a reader reads versions 1 to this one and refuses any
/// other. Version 2 added to a point's summary what results.json version 2 adds (its regimes and
/// per-trial metrics); version 3 the differences' histograms ([`OLDEST_READ`]).
pub const VERSION: u32 = 3;

/// The oldest version this allocsim reads: version 3 adds each paired difference's signed
/// histogram and the trials in which every firm is better off, which earlier files lack (their
/// differences' percentiles cannot be recovered), and is written for every comparison.
const OLDEST_READ: u32 = 3;

/// A paired difference's tally as saved: i128 and u128 sums as decimal strings, as JSON readers
/// lose integers past 2^53.
#[derive(Serialize, Deserialize)]
struct SavedDiff {
    n: u64,
    sum: String,
    sum_sq: String,
    above: u64,
    below: u64,
    /// `[lowest value, count]` of each bucket of the positive differences, lowest first.
    positive: Vec<(u64, u64)>,
    /// The same for the magnitudes of the negative differences.
    negative: Vec<(u64, u64)>,
}

#[derive(Deserialize)]
struct SavedPoint {
    /// The point's own firms, in its order, when they are not the comparison's `firms` (a
    /// compare of files whose firms differ or come in another order); absent otherwise.
    #[serde(default)]
    firms: Option<Vec<String>>,
    equivalence: f64,
    tallies: Vec<Vec<SavedTally>>,
    rounds: Vec<SavedRound>,
    approved_rounds: SavedTally,
    /// The regimes' names (version 2).
    #[serde(default)]
    regimes: Vec<String>,
    /// The per-trial metrics' tallies (version 2).
    #[serde(default)]
    per_trial: Vec<SavedTrialTally>,
    /// `paired[firm][k]` for metric `PAIRED_METRICS[k]`, by the comparison's `firms`, the total
    /// last; a firm the point or the reference does not list has all zeros.
    paired: Vec<[SavedDiff; 3]>,
    /// Per metric of `PAIRED_METRICS`, the trials in which every paired firm was better off.
    all_better: [u64; 3],
}

#[derive(Deserialize)]
struct SavedComparison {
    kind: String,
    name: String,
    knobs: Vec<String>,
    labels: Vec<String>,
    settings: Vec<Vec<String>>,
    ranges: Vec<(String, String)>,
    /// The overrides every point shares (see [`Comparison::fixed`]).
    fixed: Vec<(String, String)>,
    /// The scenario's value of each knob (see [`Comparison::scenario_values`]).
    scenario_values: Vec<String>,
    /// Every firm of the comparison ([`Comparison::firms`]).
    firms: Vec<String>,
    trials: u64,
    seed: u64,
    points: Vec<SavedPoint>,
}

/// Streams comparison.json for a finished comparison into `out`, without holding it (or the
/// tallies' buckets) in memory whole: a point's saved summary is about as large as its
/// results.json would be.
pub fn write_comparison_json(out: &mut dyn std::io::Write, c: &Comparison) -> std::io::Result<()> {
    use std::io::Write;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer(&mut buffered, &ComparisonRef(c))?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// comparison.json for a finished comparison, as bytes.
pub fn comparison_json(c: &Comparison) -> Vec<u8> {
    let mut bytes = Vec::new();
    match write_comparison_json(&mut bytes, c) {
        Ok(()) => bytes,
        Err(e) => unreachable!("a comparison of strings and integers always serializes: {e}"),
    }
}

struct ComparisonRef<'a>(&'a Comparison);

impl Serialize for ComparisonRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut st = s.serialize_struct("SavedComparison", 15)?;
        st.serialize_field("format", FORMAT)?;
        st.serialize_field("version", &VERSION)?;
        st.serialize_field("kind", c.kind.name())?;
        st.serialize_field("name", &c.name)?;
        st.serialize_field("knobs", &c.knobs)?;
        st.serialize_field("labels", &c.labels)?;
        st.serialize_field("settings", &c.settings)?;
        st.serialize_field("ranges", &c.ranges)?;
        st.serialize_field("fixed", &c.fixed)?;
        st.serialize_field("scenario_values", &c.scenario_values)?;
        st.serialize_field("firms", &c.firms)?;
        st.serialize_field("trials", &c.trials)?;
        st.serialize_field("seed", &c.seed)?;
        st.serialize_field("points", &PointsRef(c))?;
        st.end()
    }
}

/// The points, one at a time.
struct PointsRef<'a>(&'a Comparison);

impl Serialize for PointsRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut seq = s.serialize_seq(Some(c.summaries.len()))?;
        for (summary, paired) in c.summaries.iter().zip(&c.paired) {
            // A point's own firms are saved only where they are not the comparison's, so a
            // comparison of the same firms is saved as before firms were matched by name.
            let own = &summary.names[..summary.names.len().saturating_sub(1)];
            let firms = (own != c.firms.as_slice()).then_some(own);
            seq.serialize_element(&PointRef {
                firms,
                summary,
                paired,
            })?;
        }
        seq.end()
    }
}

struct PointRef<'a> {
    firms: Option<&'a [String]>,
    summary: &'a Summary,
    paired: &'a Paired,
}

impl Serialize for PointRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SavedPoint", 6)?;
        if let Some(firms) = self.firms {
            st.serialize_field("firms", firms)?;
        }
        st.serialize_field("equivalence", &self.summary.equivalence())?;
        serialize_summary(&mut st, self.summary)?;
        let paired: Vec<[SavedDiff; 3]> = self
            .paired
            .tallies()
            .iter()
            .map(|firm| firm.each_ref().map(save_diff))
            .collect();
        st.serialize_field("paired", &paired)?;
        st.serialize_field("all_better", &self.paired.all_better())?;
        st.end()
    }
}

fn save_diff(d: &DiffTally) -> SavedDiff {
    SavedDiff {
        n: d.count(),
        sum: d.sum().to_string(),
        sum_sq: d.sum_sq().to_string(),
        above: d.above(),
        below: d.below(),
        positive: d.positive_buckets().map(|b| (b.low, b.count)).collect(),
        negative: d.negative_buckets().map(|b| (b.low, b.count)).collect(),
    }
}

/// Reads comparison.json back into the comparison, refusing a file of another format or version,
/// one whose shape does not match what its command makes (a sweep's grid, a sensitivity's
/// low and high points), and one whose counts no comparison of its trials could produce: every
/// tally counts every trial, and a point's paired differences add up to exactly its sums less
/// the reference's. The message names the field by its path in the file.
pub fn read_comparison(bytes: &[u8]) -> Result<Comparison, ResultsError> {
    check_header(bytes, FORMAT, VERSION, ResultsError::NotComparison)?;
    #[derive(Deserialize)]
    struct Header {
        version: u32,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(ResultsError::NotComparison)?;
    if header.version < OLDEST_READ {
        return Err(ResultsError::Impossible(format!(
            "version: {} was written by an older allocsim, without the paired differences' \
             percentiles that this one reports; run the comparison again",
            header.version
        )));
    }
    let saved: SavedComparison =
        serde_json::from_slice(bytes).map_err(ResultsError::NotComparison)?;
    let impossible = |m: String| ResultsError::Impossible(m);
    let kind = [Kind::Sweep, Kind::Compare, Kind::Sensitivity]
        .into_iter()
        .find(|k| k.name() == saved.kind)
        .ok_or_else(|| {
            impossible(format!(
                "kind: '{}' is not sweep, compare or sensitivity",
                saved.kind
            ))
        })?;
    let points = saved.points.len();
    if points == 0 {
        return Err(impossible("points: a comparison has at least one".into()));
    }
    for (field, len) in [
        ("labels", saved.labels.len()),
        ("settings", saved.settings.len()),
    ] {
        if len != points {
            return Err(impossible(format!(
                "{field} lists {len} points, but points holds {points}"
            )));
        }
    }
    if let Some(p) = saved
        .settings
        .iter()
        .position(|s| s.len() != saved.knobs.len())
    {
        return Err(impossible(format!(
            "settings[{p}] has {} values for the {} knobs",
            saved.settings[p].len(),
            saved.knobs.len()
        )));
    }

    // Each point's own firms, matched by name as the points were run.
    let lists: Vec<&[String]> = saved
        .points
        .iter()
        .map(|p| p.firms.as_deref().unwrap_or(&saved.firms))
        .collect();
    for (p, list) in lists.iter().enumerate() {
        if let Some(j) = (0..list.len()).find(|&j| list[..j].contains(&list[j])) {
            return Err(impossible(format!(
                "points[{p}].firms lists {} twice",
                list[j]
            )));
        }
    }
    let firm_match = FirmMatch::new(&lists.iter().map(|l| l.to_vec()).collect::<Vec<_>>());
    if firm_match.names != saved.firms {
        return Err(impossible(format!(
            "firms: [{}] are not the points' firms, the reference's then the others' in the \
             order they first list them ([{}])",
            saved.firms.join(", "),
            firm_match.names.join(", ")
        )));
    }
    let differs = lists.iter().position(|l| *l != saved.firms.as_slice());
    if let Some(p) = differs.filter(|_| kind != Kind::Compare) {
        return Err(impossible(format!(
            "points[{p}].firms: every point of a {} lists the same firms",
            kind.name()
        )));
    }
    let mut summaries = Vec::with_capacity(points);
    let mut paired = Vec::with_capacity(points);
    for (p, point) in saved.points.iter().enumerate() {
        let at = |e: ResultsError| impossible(format!("points[{p}] (point {}): {e}", p + 1));
        let rounds = u32::try_from(point.rounds.len()).map_err(|_| at(ResultsError::Shape))?;
        let summary = load_summary(&SavedSummary {
            firms: lists[p],
            trials: saved.trials,
            rounds,
            equivalence: point.equivalence,
            tallies: &point.tallies,
            saved_rounds: &point.rounds,
            approved_rounds: &point.approved_rounds,
            regimes: &point.regimes,
            per_trial: &point.per_trial,
        })
        .map_err(at)?;
        let diffs = load_paired(
            point,
            &Matched {
                names: &saved.firms,
                at: &firm_match.at,
                p,
            },
            &summary,
            summaries.first(),
            saved.trials,
        )
        .map_err(|m| impossible(format!("points[{p}].{m}")))?;
        summaries.push(summary);
        paired.push(diffs);
    }
    let c = Comparison {
        kind,
        name: saved.name,
        knobs: saved.knobs,
        labels: saved.labels,
        settings: saved.settings,
        ranges: saved.ranges,
        fixed: saved.fixed,
        scenario_values: saved.scenario_values,
        firms: saved.firms,
        firm_at: firm_match.at,
        trials: saved.trials,
        seed: saved.seed,
        summaries,
        paired,
    };
    check_layout(&c).map_err(impossible)?;
    Ok(c)
}

/// Where point `p` and the reference list each of the comparison's firms.
struct Matched<'a> {
    names: &'a [String],
    at: &'a [Vec<Option<usize>>],
    p: usize,
}

impl Matched<'_> {
    /// The own indices in point `p` and in the reference of series `f` (the total after the
    /// firms), when both list it.
    fn pair(&self, f: usize) -> Option<(usize, usize)> {
        let own = |q: usize| {
            if f == self.names.len() {
                Some(self.at[q].iter().flatten().count())
            } else {
                self.at[q][f]
            }
        };
        own(self.p).zip(own(0))
    }
}

/// Point `p`'s paired differences, checked against its summary and the reference's (`None`
/// when `p` is the reference itself): a firm both list pairs every trial, one that only one of
/// them lists has all zeros. The message starts with the field's path below the point.
fn load_paired(
    point: &SavedPoint,
    matched: &Matched,
    summary: &Summary,
    reference: Option<&Summary>,
    trials: u64,
) -> Result<Paired, String> {
    let firms = matched.names.len() + 1;
    if point.paired.len() != firms {
        return Err(format!(
            "paired lists {} firms, but the comparison has {firms} (the total included)",
            point.paired.len()
        ));
    }
    let mut tallies = Vec::with_capacity(firms);
    for (f, firm) in point.paired.iter().enumerate() {
        let mut loaded: [DiffTally; 3] = Default::default();
        for (k, saved) in firm.iter().enumerate() {
            let metric = PAIRED_METRICS[k];
            let name = matched.names.get(f).map_or("total", String::as_str);
            let field = format!("paired[{f}][{k}] ({name}, {})", metric.name());
            let parse = |key: &str, text: &str| -> Result<i128, String> {
                text.parse::<i128>()
                    .map_err(|_| format!("{field}.{key}: '{text}' is not a sum"))
            };
            let sum = parse("sum", &saved.sum)?;
            let sum_sq: u128 = saved
                .sum_sq
                .parse()
                .map_err(|_| format!("{field}.sum_sq: '{}' is not a sum", saved.sum_sq))?;
            let Some((own, own_reference)) = matched.pair(f) else {
                // Nothing to pair: the point or the reference does not list the firm.
                if (saved.n, sum, sum_sq, saved.above, saved.below) != (0, 0, 0, 0, 0)
                    || !saved.positive.is_empty()
                    || !saved.negative.is_empty()
                {
                    return Err(format!(
                        "{field}: the firm is not listed by both the point and the reference, \
                         so it has no paired differences, but these are not all zero"
                    ));
                }
                continue;
            };
            if saved.n != trials {
                return Err(format!(
                    "{field}.n is {}, but these results hold {trials} trials",
                    saved.n
                ));
            }
            if u128::from(saved.above) + u128::from(saved.below) > u128::from(saved.n) {
                return Err(format!(
                    "{field}: {} trials above and {} below the reference are more than the {} trials",
                    saved.above, saved.below, saved.n
                ));
            }
            // The differences add up to the point's sum less the reference's, exactly; the
            // reference's own are all zero.
            let of = |s: &Summary, i: usize| i128::try_from(s.tally(i, metric).sum()).ok();
            let expected = match reference {
                Some(r) => of(summary, own)
                    .zip(of(r, own_reference))
                    .and_then(|(a, b)| a.checked_sub(b)),
                None => Some(0),
            };
            if expected != Some(sum) {
                return Err(format!(
                    "{field}.sum is {sum}, but the point's {} add up to {} more than the \
                     reference's",
                    metric.name(),
                    expected.map_or("?".to_string(), |e| e.to_string())
                ));
            }
            if reference.is_none() && (saved.above, saved.below, sum_sq) != (0, 0, 0) {
                return Err(format!(
                    "{field}: the reference's differences from itself are not all zero"
                ));
            }
            let signs_fit = (saved.above > 0 || sum <= 0) && (saved.below > 0 || sum >= 0);
            // n·Σd² ≥ (Σd)² (Cauchy–Schwarz), or the spread would be negative.
            let spread_fits = wide::mul(u128::from(saved.n), sum_sq)
                >= wide::mul(sum.unsigned_abs(), sum.unsigned_abs());
            if !signs_fit || !spread_fits {
                return Err(format!(
                    "{field}: sum {sum}, sum_sq {sum_sq}, {} above and {} below cannot come from \
                     {} differences",
                    saved.above, saved.below, saved.n
                ));
            }
            for (key, buckets, count) in [
                ("positive", &saved.positive, saved.above),
                ("negative", &saved.negative, saved.below),
            ] {
                let counted = buckets
                    .iter()
                    .try_fold(0u64, |acc, &(_, c)| acc.checked_add(c).filter(|_| c > 0));
                let ascending = buckets.windows(2).all(|w| w[0].0 < w[1].0);
                let nonzero = buckets.iter().all(|&(low, _)| low > 0);
                if counted != Some(count) || !ascending || !nonzero {
                    return Err(format!(
                        "{field}.{key}: the buckets must be ascending positive values with \
                         positive counts adding up to the {count} trials {} the reference",
                        if key == "positive" { "above" } else { "below" }
                    ));
                }
            }
            loaded[k] = DiffTally::from_parts(
                (saved.n, sum, sum_sq),
                (saved.above, saved.below),
                &saved.positive,
                &saved.negative,
            );
        }
        tallies.push(loaded);
    }
    if let Some(k) = (0..3).find(|&k| point.all_better[k] > trials) {
        return Err(format!(
            "all_better[{k}] is {}, more than the {trials} trials",
            point.all_better[k]
        ));
    }
    Paired::from_tallies(tallies, point.all_better)
        .ok_or_else(|| "paired lists no firms".to_string())
}

/// Checks that the points are laid out as the comparison's command lays them out, which its
/// charts rely on: a sweep's points are the grid of its knobs' values, row-major (the first knob
/// slowest); a sensitivity's are the reference, then each knob low and high; a compare's knob
/// column is the scenario.
fn check_layout(c: &Comparison) -> Result<(), String> {
    let points = c.summaries.len();
    match c.kind {
        Kind::Sweep => {
            if c.knobs.is_empty() || !c.ranges.is_empty() {
                return Err("a sweep has at least one knob and no ranges".into());
            }
            // Each knob's values, as its chart reads them: along the points that move it alone.
            let values: Vec<Vec<usize>> = (0..c.knobs.len()).map(|j| knob_slice(c, j)).collect();
            let sizes: Vec<usize> = values.iter().map(Vec::len).collect();
            let cells = sizes.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
            if cells != Some(points) {
                return Err(format!(
                    "settings: the knobs' values ({}) do not make a grid of the {points} points",
                    sizes
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" × ")
                ));
            }
            for (p, cell) in plan::grid(&sizes).iter().enumerate() {
                for (j, &i) in cell.iter().enumerate() {
                    if c.settings[p][j] != c.settings[values[j][i]][j] {
                        return Err(format!(
                            "settings[{p}][{j}] is '{}', but the grid's value there is '{}'",
                            c.settings[p][j], c.settings[values[j][i]][j]
                        ));
                    }
                }
            }
        }
        Kind::Compare => {
            if c.knobs.len() != 1 || !c.ranges.is_empty() {
                return Err("a compare has the one knob column 'scenario' and no ranges".into());
            }
        }
        Kind::Sensitivity => {
            if c.knobs.is_empty() || c.ranges.len() != c.knobs.len() {
                return Err(format!(
                    "ranges: {} for {} knobs (a sensitivity has a low and a high per knob)",
                    c.ranges.len(),
                    c.knobs.len()
                ));
            }
            if points != 1 + 2 * c.knobs.len() {
                return Err(format!(
                    "points: {points}, but a sensitivity of {} knobs has {}",
                    c.knobs.len(),
                    1 + 2 * c.knobs.len()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{PointsOptions, plan, run_points};
    use crate::report::charts::compare::knob_chart;
    use crate::report::{comparison_csv, differences_csv};

    const SCENARIO: &str = "name = \"cf\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n\
        [approval]\nprobability = 0.7\nbatch = { dist = \"uniform\", min = 100, max = 9000 }\n\
        [domestic]\nratio = 0.4\nsupply = { dist = \"uniform\", min = 0, max = 2000 }\nequivalence = 0.3\n\
        [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 0, max = 9000 }\n\
        [[firm]]\nname = \"B\"\norders = 4000\n";

    fn knob(text: &str) -> plan::Knob {
        plan::Knob::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn comparison(plan: plan::Plan) -> Comparison {
        let options = PointsOptions {
            trials: 700,
            seed: 11,
            ..PointsOptions::default()
        };
        let scenarios: Vec<_> = plan.points.iter().map(|p| &p.scenario).collect();
        let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("runs");
        Comparison::new(&plan, options.trials, options.seed, result)
    }

    fn sweep() -> Comparison {
        let path = std::path::Path::new("cf.toml");
        // `rounds` swept too: the points' round counts differ.
        let knobs = [knob("domestic.equivalence=0,0.5"), knob("rounds=2,3,1")];
        comparison(plan::sweep(path, SCENARIO.as_bytes(), &[], &knobs).unwrap())
    }

    /// A compare of the by-name fixtures (tests/data): b lists a's firms in another order, with
    /// a firm N of its own.
    fn by_name() -> Comparison {
        let file = |n: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(n);
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        };
        let files = [file("by-name-a.toml"), file("by-name-b.toml")];
        comparison(plan::compare(&files, &[], None).unwrap())
    }

    #[test]
    fn a_saved_comparison_reads_back_whole() {
        let sens = {
            let path = std::path::Path::new("cf.toml");
            let knobs = [knob("approval.probability=0.2,0.9")];
            comparison(plan::sensitivity(path, SCENARIO.as_bytes(), &[], &knobs).unwrap())
        };
        for c in [sweep(), sens, by_name()] {
            let bytes = comparison_json(&c);
            let read = read_comparison(&bytes).unwrap_or_else(|e| panic!("{e}"));
            // Everything the outputs show, and saving again gives the same bytes.
            assert_eq!(comparison_csv(&read), comparison_csv(&c));
            assert_eq!(differences_csv(&read), differences_csv(&c));
            assert_eq!(read.paired, c.paired);
            assert_eq!((&read.firms, &read.firm_at), (&c.firms, &c.firm_at));
            assert_eq!(
                (
                    &read.kind,
                    &read.knobs,
                    &read.labels,
                    &read.settings,
                    &read.ranges
                ),
                (&c.kind, &c.knobs, &c.labels, &c.settings, &c.ranges)
            );
            for (a, b) in read.summaries.iter().zip(&c.summaries) {
                assert_eq!(a.equivalence(), b.equivalence());
                assert_eq!(a.rounds.len(), b.rounds.len());
            }
            assert_eq!(comparison_json(&read), bytes);
        }
    }

    #[test]
    fn files_no_comparison_could_write_are_refused() {
        let bytes = comparison_json(&sweep());
        let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = original.clone();
            edit(&mut v);
            match read_comparison(&serde_json::to_vec(&v).unwrap()) {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            }
        };
        let bump = |v: &mut serde_json::Value, by: i128| {
            let x: i128 = v.as_str().unwrap().parse().unwrap();
            *v = (x + by).to_string().into();
        };
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["version"] = 4.into()),
                "format allocsim-comparison version 4 cannot be read by this allocsim",
            ),
            (
                Box::new(|v| v["version"] = 2.into()),
                "version: 2 was written by an older allocsim",
            ),
            (
                Box::new(|v| {
                    v["points"][1]["paired"][0][0]["positive"] = serde_json::json!([[1, 999_999]])
                }),
                "points[1].paired[0][0] (A, unmet).positive: the buckets must be ascending positive \
                 values with positive counts adding up to the 0 trials above the reference",
            ),
            (
                Box::new(|v| v["points"][1]["all_better"][0] = 1_000_000.into()),
                "points[1].all_better[0] is 1000000, more than the",
            ),
            (
                Box::new(|v| v["format"] = "allocsim-results".into()),
                "format allocsim-results version 3 cannot be read",
            ),
            (
                Box::new(|v| v["kind"] = "grid".into()),
                "kind: 'grid' is not sweep, compare or sensitivity",
            ),
            (
                Box::new(|v| v["settings"][4][1] = "9".into()),
                "settings[4][1] is '9', but the grid's value there is '3'",
            ),
            (
                Box::new(|v| {
                    v["settings"].as_array_mut().unwrap().pop();
                }),
                "settings lists 5 points, but points holds 6",
            ),
            (
                Box::new(move |v| bump(&mut v["points"][3]["paired"][1][0]["sum"], 1)),
                "points[3].paired[1][0] (B, unmet).sum is",
            ),
            (
                Box::new(|v| v["points"][0]["paired"][2][1]["above"] = 1.into()),
                "points[0].paired[2][1] (total, delivered): the reference's differences from \
                 itself are not all zero",
            ),
            (
                Box::new(|v| v["points"][2]["paired"][0][0]["sum_sq"] = "0".into()),
                "points[2].paired[0][0] (A, unmet): sum",
            ),
            (
                Box::new(|v| v["points"][2]["tallies"][0][0]["n"] = 699.into()),
                "points[2] (point 3): tallies[0][0] (firm \"A\", orders).n is 699, but these \
                 results hold 700 trials",
            ),
            (
                Box::new(|v| {
                    v["points"][1]["paired"].as_array_mut().unwrap().pop();
                }),
                "points[1].paired lists 2 firms, but the comparison has 3",
            ),
            (
                Box::new(|v| v["points"] = serde_json::json!([])),
                "points: a comparison",
            ),
        ];
        for (edit, message) in cases {
            let err = edited(&*edit);
            assert!(
                err.starts_with(message),
                "{message:?} does not start {err:?}"
            );
        }
        // A compare whose firms differ: its points' own lists must make its firms, and a firm
        // with nothing to pair has no differences.
        let original: serde_json::Value =
            serde_json::from_slice(&comparison_json(&by_name())).unwrap();
        let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = original.clone();
            edit(&mut v);
            match read_comparison(&serde_json::to_vec(&v).unwrap()) {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            }
        };
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["points"][1]["paired"][3][0]["n"] = 700.into()),
                "points[1].paired[3][0] (N, unmet): the firm is not listed by both the point and \
                 the reference, so it has no paired differences, but these are not all zero",
            ),
            (
                Box::new(|v| v["firms"] = serde_json::json!(["A", "B", "N", "C"])),
                "firms: [A, B, N, C] are not the points' firms",
            ),
            (
                Box::new(|v| v["points"][1]["firms"] = serde_json::json!(["C", "N", "A", "C"])),
                "points[1].firms lists C twice",
            ),
            (
                Box::new(|v| v["kind"] = "sensitivity".into()),
                "points[0].firms: every point of a sensitivity lists the same firms",
            ),
            (
                Box::new(|v| {
                    v["points"][1]["firms"] = serde_json::json!(["A", "B", "C", "N"]);
                }),
                "points[1].paired[0][0] (A, unmet).sum is",
            ),
        ];
        for (edit, message) in cases {
            let err = edited(&*edit);
            assert!(
                err.starts_with(message),
                "{message:?} does not start {err:?}"
            );
        }
        let err = read_comparison(b"{\"format\": 1}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("not an allocsim comparison file"),
            "{err}"
        );
    }

    /// Every number of a saved comparison replaced in turn by extreme ones: the file is refused
    /// or read, and what is read draws its page, CSV files and charts, never a panic.
    #[test]
    fn saved_comparisons_with_extreme_numbers_never_panic() {
        let text = "name = \"x\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n[approval]\n\
                    probability = 0.5\nbatch = { dist = \"uniform\", min = 0, max = 100 }\n\
                    [[firm]]\nname = \"A\"\norders = 60\n";
        let path = std::path::Path::new("x.toml");
        let knobs = [knob("approval.probability=0.5,0.9")];
        let plan = plan::sweep(path, text.as_bytes(), &[], &knobs).unwrap();
        let options = PointsOptions {
            trials: 20,
            ..PointsOptions::default()
        };
        let scenarios: Vec<_> = plan.points.iter().map(|p| &p.scenario).collect();
        let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("runs");
        let c = Comparison::new(&plan, options.trials, options.seed, result);
        let json = String::from_utf8(comparison_json(&c)).unwrap();
        let bytes = json.as_bytes();
        let mut numbers = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                numbers.push(start..i);
            } else {
                i += 1;
            }
        }
        assert!(numbers.len() > 100, "{}", numbers.len());
        let small = crate::report::charts::ChartOptions {
            width: 480,
            height: 300,
        };
        let mut read = 0;
        let mut drawn = std::collections::HashSet::new();
        for range in &numbers {
            for extreme in [
                "0",
                "18446744073709551615",
                "340282366920938463463374607431768211456",
                "1e308",
                "-1",
            ] {
                let mut edited = json.clone();
                edited.replace_range(range.clone(), extreme);
                if let Ok(c) = read_comparison(edited.as_bytes()) {
                    read += 1;
                    let _ = crate::report::comparison_html(&c, "{}", &[]);
                    let _ = comparison_csv(&c);
                    let _ = differences_csv(&c);
                    // Drawn once for each different thing its chart would show.
                    let shows = format!("{:?}", knob_chart(&c, 0));
                    if drawn.insert(shows) {
                        let _ = crate::report::charts::compare::render_comparison(&c, &small);
                    }
                }
            }
        }
        assert!(read > 0, "some edits (the seed, an equivalence) still read");
        assert!(drawn.len() > 1);
    }
}
