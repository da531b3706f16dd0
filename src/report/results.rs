//! results.json: everything a finished run's charts and report need (the run's description and
//! every tally's exact sums and histogram buckets), so `allocsim report` can redraw them without
//! simulating.

use serde::{Deserialize, Serialize};

use crate::scenario::{Effect, Entry, Firm, Regime, Scenario};
use crate::stats::{
    Bucket, Members, PerMetric, RoundTally, Summary, Tally, TrialMetric, TrialTally,
};

/// The file format's name, checked when reading.
pub const FORMAT: &str = "allocsim-results";
/// The file format's latest version; a reader reads versions 1 to this one and refuses any
/// other. Version 2 adds the regimes (each round's count of trials per regime, the run's
/// regimes in `info`) and the per-trial metrics (`per_trial`); a file that has none of them is
/// written as version 1, byte for byte what allocsim wrote before, so results without regimes or
/// drawn entry rounds are unchanged while an allocsim that cannot read regimes refuses a file
/// that has them rather than leave them out.
pub const VERSION: u32 = 2;

/// The version of a file holding `info` and `summary`: 2 when it carries regimes or per-trial
/// metrics, else 1 ([`VERSION`]).
pub(crate) fn version_for(summary: &Summary) -> u32 {
    if summary.regimes.is_empty() && summary.per_trial.is_empty() {
        1
    } else {
        VERSION
    }
}

/// What was run: enough to title charts and describe the scenario in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The scenario's name.
    pub name: String,
    /// The scenario's description (may be empty).
    pub description: String,
    /// Trials run.
    pub trials: u64,
    /// The seed every trial's streams were keyed by.
    pub seed: u64,
    /// Approval rounds per trial.
    pub rounds: u32,
    /// The allocation rule's name as the scenario spells it.
    pub rule: String,
    /// Firm names in listed order (the order of every per-firm series and colour).
    pub firms: Vec<String>,
    /// Imported-chip equivalents of one domestic chip (effective unmet is shown when > 0).
    pub equivalence: f64,
    /// The scenario's key knobs as (label, value) pairs, ready to show.
    pub knobs: Vec<(String, String)>,
    /// The `--set` overrides the run applied to the scenario file, as (key, value as typed), in
    /// the order given, the last of a key winning ([`crate::scenario::effective_overrides`]); empty for
    /// the file as written. Absent from results.json (and from files written before it
    /// existed) when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<(String, String)>,
    /// Each firm's terms, in listed order: what says which firms an allocation rule treats
    /// alike (the charts' "same by construction" notes). Empty when read from a results.json
    /// written before they were saved.
    #[serde(default)]
    pub terms: Vec<FirmTerms>,
    /// The scenario's regimes in listed order, with their effects and transition rows; absent
    /// from results.json (and empty) for a scenario without regimes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regimes: Vec<RegimeTerms>,
}

/// One regime of a scenario (MODEL.md, "Regimes"), as a report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimeTerms {
    /// Its name.
    pub name: String,
    /// Multiplies the approval probability (the product capped at 1).
    pub approval_factor: f64,
    /// Multiplies an approved batch.
    pub batch_factor: f64,
    /// Multiplies each conversion rate.
    pub conversion_factor: f64,
    /// The domestic ratio in its rounds; `None`: the trial's own.
    pub domestic_ratio: Option<f64>,
    /// Multiplies the domestic supply draw.
    pub domestic_supply_factor: f64,
    /// Whether every round in it is a customs hold.
    pub hold: bool,
    /// The probability that round 1 is in it.
    pub initial: f64,
    /// The probability of each regime (listed order) in the round after one in this regime.
    pub transition: Vec<f64>,
}

impl RegimeTerms {
    /// The terms of `regime`, whose chance of being round 1's regime is `initial`.
    pub fn of(regime: &Regime, initial: f64) -> RegimeTerms {
        RegimeTerms {
            name: regime.name.clone(),
            approval_factor: regime.approval_factor,
            batch_factor: regime.batch_factor,
            conversion_factor: regime.conversion_factor,
            domestic_ratio: regime.domestic_ratio,
            domestic_supply_factor: regime.domestic_supply_factor,
            hold: regime.hold,
            initial,
            transition: regime.transition.clone(),
        }
    }
}

/// The terms a scenario sets for one firm, the same in every trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmTerms {
    /// The orders distribution as [`crate::dist::Dist::describe`] writes it, which names its
    /// family and every parameter exactly: two firms' texts are equal only when their orders
    /// are drawn from the same distribution.
    pub orders: String,
    /// First round in which the firm may claim (1-based); 0 when it is drawn.
    pub eligible_from: u32,
    /// The entry round's distribution as [`crate::dist::Dist::describe`] writes it, when it is
    /// drawn in each trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_drawn: Option<String>,
    /// Most units it may claim in one round, if capped.
    pub round_cap: Option<u64>,
    /// Its rank under the `priority` rule.
    pub priority: i64,
    /// Its weight under the `weighted` rule.
    pub weight: f64,
}

impl FirmTerms {
    /// The terms of `firm`.
    pub fn of(firm: &Firm) -> FirmTerms {
        FirmTerms {
            orders: firm.orders.describe(),
            eligible_from: firm.eligible_from.fixed().unwrap_or(0),
            entry_drawn: match &firm.eligible_from {
                Entry::Round(_) => None,
                Entry::Drawn(d) => Some(d.describe()),
            },
            round_cap: firm.round_cap,
            priority: firm.priority,
            weight: firm.weight,
        }
    }
}

impl RunInfo {
    /// The description of a run of `scenario` with `trials` trials and `seed`.
    pub fn new(scenario: &Scenario, trials: u64, seed: u64) -> RunInfo {
        let s = scenario;
        let mut knobs = vec![
            ("allocation rule".to_string(), s.rule.name().to_string()),
            ("rounds".to_string(), s.rounds.to_string()),
            (
                "carry-over of unused approvals".to_string(),
                if s.carry_over { "yes" } else { "no" }.to_string(),
            ),
        ];
        for (r, a) in s.approval.iter().enumerate() {
            knobs.push((
                format!("round {} approval", r + 1),
                format!("p = {}, batch {}", a.probability, a.batch.describe()),
            ));
        }
        knobs.push((
            "conversion of approvals".to_string(),
            s.conversion.describe(),
        ));
        knobs.push((
            "domestic chips per import".to_string(),
            s.domestic
                .ratio
                .point_mass()
                .map_or_else(|| s.domestic.ratio.describe(), |r| r.to_string()),
        ));
        knobs.push((
            "domestic supply per round".to_string(),
            describe_rounds(&s.domestic.supply),
        ));
        knobs.push((
            "domestic equivalence".to_string(),
            s.domestic.equivalence.to_string(),
        ));
        for f in &s.firms {
            let mut v = match &f.eligible_from {
                Entry::Round(r) => {
                    format!("orders {}, eligible from round {r}", f.orders.describe())
                }
                Entry::Drawn(d) => format!(
                    "orders {}, eligible from a round drawn from {}",
                    f.orders.describe(),
                    d.describe()
                ),
            };
            if let Some(cap) = f.round_cap {
                v += &format!(", round cap {cap}");
            }
            knobs.push((format!("firm {}", f.name), v));
        }
        for e in &s.events {
            let effect = match e.effect {
                Effect::Halt => "halt".to_string(),
                Effect::Hold => "customs hold".to_string(),
                Effect::Scale(f) => format!("batch × {f}"),
            };
            knobs.push((
                format!("event {}", e.name),
                format!(
                    "{effect}, p = {} per round in rounds {}–{}",
                    e.probability, e.from_round, e.to_round
                ),
            ));
        }
        RunInfo {
            name: s.name.clone(),
            description: s.description.clone(),
            trials,
            seed,
            rounds: s.rounds,
            rule: s.rule.name().to_string(),
            firms: s.firms.iter().map(|f| f.name.clone()).collect(),
            equivalence: s.domestic.equivalence,
            knobs,
            overrides: Vec::new(),
            terms: s.firms.iter().map(FirmTerms::of).collect(),
            regimes: s
                .regimes
                .list
                .iter()
                .enumerate()
                .map(|(k, g)| RegimeTerms::of(g, s.regimes.initial.get(k).copied().unwrap_or(0.0)))
                .collect(),
        }
    }

    /// The same description, recording `overrides` as the ones `scenario` was read with.
    pub fn with_overrides(mut self, overrides: &[crate::scenario::Override]) -> RunInfo {
        self.overrides = crate::scenario::effective_overrides(overrides);
        self
    }

    /// The run's name as titles and subtitles give it: the scenario's name, with its overrides
    /// when it has any ("baseline, with allocation.rule = talmud"; [`super::overrides::titled`]).
    pub fn title(&self) -> String {
        super::overrides::titled(&self.name, &self.overrides)
    }
}

/// A tally as results.json (and comparison.json) saves it: its exact sums and histogram.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedTally {
    n: u64,
    /// u128 sums as decimal strings: JSON readers lose integers past 2^53.
    sum: String,
    sum_sq: String,
    min: u64,
    max: u64,
    /// `[lowest value of bucket, count]` for every bucket holding values.
    buckets: Vec<(u64, u64)>,
    /// `[value, count]` for every distinct value, while the tally counts them exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exact: Option<Vec<(u64, u64)>>,
}

/// A round's counts and tally as saved.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedRound {
    approved: u64,
    halted_here: u64,
    halted_by: u64,
    cumulative: SavedTally,
    /// Trials in each regime in the round, by regime; absent without regimes (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    regimes: Vec<u64>,
}

/// One member of a per-trial metric as saved (version 2): the metric's key, the member's name
/// (a regime's or a firm's) and its tally.
#[derive(Serialize, Deserialize)]
pub(crate) struct SavedTrialTally {
    metric: String,
    of: String,
    tally: SavedTally,
}

#[derive(Serialize, Deserialize)]
struct SavedResults {
    // Checked by `check_header` before the whole file is read; kept so that this struct is the
    // format's whole shape (the tests write it).
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    version: u32,
    info: RunInfo,
    /// `tallies[firm][metric]`, metrics in `Metric::ALL` order, the total last.
    tallies: Vec<Vec<SavedTally>>,
    rounds: Vec<SavedRound>,
    approved_rounds: SavedTally,
    /// The regimes' names (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    regimes: Vec<String>,
    /// The per-trial metrics' tallies (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    per_trial: Vec<SavedTrialTally>,
}

/// What [`TallyRef`] writes, as a value (the tests check the two agree).
/// Per-round distributions described: one description when every round has the same, else
/// "round 1: …; round 2: …" (a round without an override repeats the scenario's own).
fn describe_rounds(rounds: &[crate::dist::Dist]) -> String {
    let all: Vec<String> = rounds.iter().map(|d| d.describe()).collect();
    match all.first() {
        None => String::new(),
        Some(first) if all.iter().all(|d| d == first) => first.clone(),
        Some(_) => all
            .iter()
            .enumerate()
            .map(|(i, d)| format!("round {}: {d}", i + 1))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// results.json for `info` and `s` through the format's structs (which the reader parses), to
/// hold the streamed writer to.
#[cfg(test)]
pub(crate) fn expected_bytes(info: &RunInfo, s: &Summary) -> Vec<u8> {
    let saved = SavedResults {
        format: FORMAT.to_string(),
        version: version_for(s),
        info: info.clone(),
        tallies: s
            .tallies
            .iter()
            .map(|firm| firm.iter().map(save_tally).collect())
            .collect(),
        rounds: s
            .rounds
            .iter()
            .map(|r| SavedRound {
                approved: r.approved,
                halted_here: r.halted_here,
                halted_by: r.halted_by,
                cumulative: save_tally(&r.cumulative),
                regimes: r.regimes.clone(),
            })
            .collect(),
        approved_rounds: save_tally(&s.approved_rounds),
        regimes: s.regimes.clone(),
        per_trial: s
            .per_trial
            .iter()
            .map(|t| SavedTrialTally {
                metric: t.metric.spec().key.to_string(),
                of: s.member_name(t).to_string(),
                tally: save_tally(&t.tally),
            })
            .collect(),
    };
    let mut expected = serde_json::to_vec(&saved).expect("serializes");
    expected.push(b'\n');
    expected
}

#[cfg(test)]
fn save_tally(t: &Tally) -> SavedTally {
    SavedTally {
        n: t.count(),
        sum: t.sum().to_string(),
        sum_sq: t.sum_sq().to_string(),
        min: t.min_value(),
        max: t.max_value(),
        buckets: t.buckets().map(|b| (b.low, b.count)).collect(),
        exact: t.exact_counts().map(Iterator::collect),
    }
}

fn load_tally(t: &SavedTally) -> Result<Tally, String> {
    let number = |s: &str| s.parse::<u128>().map_err(|_| format!("'{s}' is not a sum"));
    let buckets: Vec<Bucket> = t
        .buckets
        .iter()
        .map(|&(low, count)| Bucket {
            low,
            width: 1,
            count,
        })
        .collect();
    // Summed in u128: a corrupted file's counts could pass u64 (a panic in debug builds, a
    // wrapped and wrongly accepted total in release ones).
    let exact_total = t
        .exact
        .as_ref()
        .map(|e| e.iter().map(|&(_, c)| u128::from(c)).sum::<u128>());
    let n = u128::from(t.n);
    if buckets.iter().map(|b| u128::from(b.count)).sum::<u128>() != n
        || exact_total.is_some_and(|e| e != n)
    {
        return Err("histogram counts do not add up to the trial count".to_string());
    }
    Ok(Tally::from_parts(
        t.n,
        number(&t.sum)?,
        number(&t.sum_sq)?,
        t.min,
        t.max,
        &buckets,
        t.exact.as_deref(),
    ))
}

/// results.json for a finished run.
pub fn results_json(info: &RunInfo, summary: &Summary) -> Vec<u8> {
    let mut bytes = Vec::new();
    match write_results_json(&mut bytes, info, summary) {
        Ok(()) => bytes,
        Err(e) => unreachable!("results of strings and integers always serialize: {e}"),
    }
}

/// Streams results.json for a finished run into `out`, the same bytes as [`results_json`]
/// without holding them, or the tallies' buckets, in memory whole.
pub fn write_results_json(
    out: &mut dyn std::io::Write,
    info: &RunInfo,
    summary: &Summary,
) -> std::io::Result<()> {
    let saved = ResultsRef { info, summary };
    // serde_json writes a few bytes at a time: buffered here, its writes are inlined copies
    // rather than a dynamic call each (a tenth of the time of a 10^6-trial run's outputs).
    use std::io::Write;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer(&mut buffered, &saved)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// [`SavedResults`] serialized from the summary itself.
struct ResultsRef<'a> {
    info: &'a RunInfo,
    summary: &'a Summary,
}

impl Serialize for ResultsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let summary = self.summary;
        let mut st = s.serialize_struct("SavedResults", 8)?;
        st.serialize_field("format", FORMAT)?;
        st.serialize_field("version", &version_for(summary))?;
        st.serialize_field("info", self.info)?;
        serialize_summary(&mut st, summary)?;
        st.end()
    }
}

/// Writes a summary's `tallies`, `rounds` and `approved_rounds` fields, and with regimes or
/// per-trial metrics its `regimes` and `per_trial` (version 2), into a struct being serialized,
/// each tally's buckets streamed: results.json's and each point's of comparison.json, read back
/// by [`load_summary`].
pub(crate) fn serialize_summary<S: serde::ser::SerializeStruct>(
    st: &mut S,
    summary: &Summary,
) -> Result<(), S::Error> {
    let tallies: Vec<Vec<TallyRef>> = summary
        .tallies
        .iter()
        .map(|firm| firm.iter().map(TallyRef).collect())
        .collect();
    st.serialize_field("tallies", &tallies)?;
    let rounds: Vec<RoundRef> = summary.rounds.iter().map(RoundRef).collect();
    st.serialize_field("rounds", &rounds)?;
    st.serialize_field("approved_rounds", &TallyRef(&summary.approved_rounds))?;
    if !summary.regimes.is_empty() {
        st.serialize_field("regimes", &summary.regimes)?;
    }
    if !summary.per_trial.is_empty() {
        let per_trial: Vec<TrialTallyRef> = summary
            .per_trial
            .iter()
            .map(|t| TrialTallyRef(summary, t))
            .collect();
        st.serialize_field("per_trial", &per_trial)?;
    }
    Ok(())
}

/// [`SavedTrialTally`] serialized from the summary's tally.
struct TrialTallyRef<'a>(&'a Summary, &'a TrialTally);

impl Serialize for TrialTallyRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (summary, t) = (self.0, self.1);
        let mut st = s.serialize_struct("SavedTrialTally", 3)?;
        st.serialize_field("metric", t.metric.spec().key)?;
        st.serialize_field("of", summary.member_name(t))?;
        st.serialize_field("tally", &TallyRef(&t.tally))?;
        st.end()
    }
}

/// [`SavedTally`] serialized from the tally itself, its buckets one by one.
struct TallyRef<'a>(&'a Tally);

impl Serialize for TallyRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let t = self.0;
        let exact = t.exact_counts().is_some();
        let mut st = s.serialize_struct("SavedTally", 6 + usize::from(exact))?;
        st.serialize_field("n", &t.count())?;
        st.serialize_field("sum", &t.sum().to_string())?;
        st.serialize_field("sum_sq", &t.sum_sq().to_string())?;
        st.serialize_field("min", &t.min_value())?;
        st.serialize_field("max", &t.max_value())?;
        st.serialize_field("buckets", &Pairs(|| t.buckets().map(|b| (b.low, b.count))))?;
        if exact {
            st.serialize_field("exact", &Pairs(|| t.exact_counts().into_iter().flatten()))?;
        }
        st.end()
    }
}

/// [`SavedRound`] serialized from the round's tally.
struct RoundRef<'a>(&'a RoundTally);

impl Serialize for RoundRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.0;
        let mut st = s.serialize_struct("SavedRound", 5)?;
        st.serialize_field("approved", &r.approved)?;
        st.serialize_field("halted_here", &r.halted_here)?;
        st.serialize_field("halted_by", &r.halted_by)?;
        st.serialize_field("cumulative", &TallyRef(&r.cumulative))?;
        if !r.regimes.is_empty() {
            st.serialize_field("regimes", &r.regimes)?;
        }
        st.end()
    }
}

/// A sequence of `[a, b]` pairs serialized as it is iterated.
struct Pairs<F>(F);

impl<F, I> Serialize for Pairs<F>
where
    F: Fn() -> I,
    I: Iterator<Item = (u64, u64)>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// Checks that the counts of saved results could have come from a run of `info.trials` trials,
/// so that a damaged or edited file (say, a partial whose checksum was recomputed) is refused
/// rather than reported as an approval rate of 997,009.7. Every trial records one value in every
/// tally, so each tally counts exactly the trials, and its sums lie between n × min and
/// n × max; a round is approved or halted in at most every trial; and the relations that hold
/// trial by trial (unmet = orders − delivered, halted by round r = halted in rounds 1..=r, the
/// approved rounds = the rounds' approvals) hold for the sums. The message names the field by
/// its path in the file.
fn check_counts(saved: &SavedSummary) -> Result<(), String> {
    use crate::stats::Metric;
    let trials = saved.trials;
    let names = |f: usize| {
        saved
            .firms
            .get(f)
            .map_or("the total".to_string(), |n| format!("firm {n:?}"))
    };
    for (f, firm) in saved.tallies.iter().enumerate() {
        for (m, t) in firm.iter().enumerate() {
            let metric = Metric::ALL[m];
            let field = format!("tallies[{f}][{m}] ({}, {})", names(f), metric.name());
            check_tally(&field, t, trials)?;
            // Parts per billion of a fill rate never above 1.
            let most = (1.0 / metric.scale()).round() as u64;
            if metric == Metric::FillRate && t.max > most {
                return Err(format!(
                    "{field}: max {} is a fill rate above 1 ({most} parts per billion)",
                    t.max
                ));
            }
        }
        let sum = |m: Metric| firm[m.index()].sum.parse::<u128>().unwrap_or(0);
        let (orders, delivered, unmet) = (
            sum(Metric::Orders),
            sum(Metric::Delivered),
            sum(Metric::Unmet),
        );
        if orders.checked_sub(delivered) != Some(unmet) {
            return Err(format!(
                "tallies[{f}] ({}): the sums of orders ({orders}), delivered ({delivered}) and \
                 unmet ({unmet}) do not satisfy unmet = orders − delivered",
                names(f)
            ));
        }
    }
    let mut halted: u64 = 0;
    let mut approved: u128 = 0;
    for (r, round) in saved.saved_rounds.iter().enumerate() {
        for (key, count) in [
            ("approved", round.approved),
            ("halted_here", round.halted_here),
            ("halted_by", round.halted_by),
        ] {
            if count > trials {
                return Err(format!(
                    "rounds[{r}].{key} (round {}) is {count}, more than the {trials} trials these results hold",
                    r + 1
                ));
            }
        }
        halted = halted.saturating_add(round.halted_here);
        if round.halted_by != halted {
            return Err(format!(
                "rounds[{r}].halted_by (round {}) is {}, but the trials halted in rounds 1..={} add up to {halted}",
                r + 1,
                round.halted_by,
                r + 1
            ));
        }
        approved += u128::from(round.approved);
        check_tally(
            &format!("rounds[{r}].cumulative (round {})", r + 1),
            &round.cumulative,
            trials,
        )?;
    }
    let field = "approved_rounds";
    check_tally(field, saved.approved_rounds, trials)?;
    if saved.approved_rounds.max > u64::from(saved.rounds) {
        return Err(format!(
            "{field}: max {} is more than the {} rounds",
            saved.approved_rounds.max, saved.rounds
        ));
    }
    if saved.approved_rounds.sum != approved.to_string() {
        return Err(format!(
            "{field}.sum is {}, but the rounds' approved counts add up to {approved}",
            saved.approved_rounds.sum
        ));
    }
    check_regime_counts(saved)?;
    check_per_trial(saved)
}

/// Each round's regime counts: one per regime (none without regimes), adding up to the trials.
fn check_regime_counts(saved: &SavedSummary) -> Result<(), String> {
    let regimes = saved.regimes.len();
    for (r, round) in saved.saved_rounds.iter().enumerate() {
        if round.regimes.len() != regimes {
            return Err(format!(
                "rounds[{r}].regimes (round {}) has {} counts for the {regimes} regimes",
                r + 1,
                round.regimes.len()
            ));
        }
        let sum: u128 = round.regimes.iter().map(|&c| u128::from(c)).sum();
        if regimes > 0 && sum != u128::from(saved.trials) {
            return Err(format!(
                "rounds[{r}].regimes (round {}) add up to {sum}, but these results hold {} trials",
                r + 1,
                saved.trials
            ));
        }
    }
    Ok(())
}

/// The per-trial tallies: each names a known metric and member, they come in the order a run
/// records them (every regime of a regime metric, firms in listed order), each counts every
/// trial within the metric's range, and a regime's rounds add up to its rounds' counts.
fn check_per_trial(saved: &SavedSummary) -> Result<(), String> {
    let mut previous: Option<(usize, usize)> = None;
    let mut regime_members = [0usize; TrialMetric::COUNT];
    for (k, t) in saved.per_trial.iter().enumerate() {
        let field = format!("per_trial[{k}] ({} of {:?})", t.metric, t.of);
        let (metric, member) = resolve_member(saved, t).map_err(|m| format!("{field}: {m}"))?;
        let key = (metric as usize, member);
        if previous.is_some_and(|p| p >= key) {
            return Err(format!(
                "{field}: out of order (metrics in table order, members in listed order)"
            ));
        }
        previous = Some(key);
        check_tally(&field, &t.tally, saved.trials)?;
        let spec = metric.spec();
        let (lo, hi) = (spec.range)(saved.rounds);
        if saved.trials > 0 && (t.tally.min < lo || t.tally.max > hi) {
            return Err(format!(
                "{field}: values {} to {} lie outside {lo} to {hi}",
                t.tally.min, t.tally.max
            ));
        }
        if let Members::EachRegime = spec.members {
            regime_members[metric as usize] += 1;
            if metric == TrialMetric::RoundsInRegime {
                let counted: u128 = saved
                    .saved_rounds
                    .iter()
                    .map(|r| u128::from(r.regimes.get(member).copied().unwrap_or(0)))
                    .sum();
                if t.tally.sum != counted.to_string() {
                    return Err(format!(
                        "{field}.sum is {}, but the rounds' counts of the regime add up to {counted}",
                        t.tally.sum
                    ));
                }
            }
        }
    }
    for spec in &crate::stats::TRIAL_METRICS {
        let present = regime_members[spec.metric as usize];
        if matches!(spec.members, Members::EachRegime) && present != saved.regimes.len() {
            return Err(format!(
                "per_trial: {} has {present} members for the {} regimes",
                spec.key,
                saved.regimes.len()
            ));
        }
    }
    Ok(())
}

/// The metric and member index a saved per-trial tally names.
fn resolve_member(
    saved: &SavedSummary,
    t: &SavedTrialTally,
) -> Result<(TrialMetric, usize), String> {
    let metric = TrialMetric::from_key(&t.metric).ok_or("not a per-trial metric")?;
    let names = match metric.spec().members {
        Members::EachRegime => saved.regimes,
        Members::Firms(_) => saved.firms,
    };
    let member = names
        .iter()
        .position(|n| *n == t.of)
        .ok_or("no such member")?;
    Ok((metric, member))
}

/// One tally's counts against the `trials` it must hold: `n`, and `sum` and `sum_sq` within
/// what n values in `min..=max` can add up to (bounds past u128 are not checked, as the saved
/// sum of squares saturates there).
fn check_tally(field: &str, t: &SavedTally, trials: u64) -> Result<(), String> {
    if t.n != trials {
        return Err(format!(
            "{field}.n is {}, but these results hold {trials} trials",
            t.n
        ));
    }
    if t.n == 0 {
        return Ok(());
    }
    if t.min > t.max {
        return Err(format!("{field}: min {} is above max {}", t.min, t.max));
    }
    let n = u128::from(t.n);
    let (lo, hi) = (u128::from(t.min), u128::from(t.max));
    for (key, text, low, high) in [
        ("sum", &t.sum, n.checked_mul(lo), n.checked_mul(hi)),
        (
            "sum_sq",
            &t.sum_sq,
            lo.checked_mul(lo).and_then(|x| x.checked_mul(n)),
            hi.checked_mul(hi).and_then(|x| x.checked_mul(n)),
        ),
    ] {
        let value: u128 = text
            .parse()
            .map_err(|_| format!("{field}.{key}: '{text}' is not a sum"))?;
        if low.is_some_and(|l| value < l) || high.is_some_and(|h| value > h) {
            return Err(format!(
                "{field}.{key} is {value}, which {} values within [{}, {}] cannot add up to",
                t.n, t.min, t.max
            ));
        }
    }
    let outside = t
        .buckets
        .iter()
        .map(|&(low, _)| low)
        .find(|&low| low > t.max)
        .or_else(|| {
            t.exact
                .iter()
                .flatten()
                .map(|&(v, _)| v)
                .find(|&v| v < t.min || v > t.max)
        });
    if let Some(v) = outside {
        return Err(format!(
            "{field}: a histogram value {v} lies outside min {} .. max {}",
            t.min, t.max
        ));
    }
    Ok(())
}

/// Why saved results cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file is not JSON of the results' shape.
    #[error("not an allocsim results file: {0}")]
    NotResults(serde_json::Error),
    /// The file is not JSON of a comparison's saved shape (comparison.json).
    #[error("not an allocsim comparison file: {0}")]
    NotComparison(serde_json::Error),
    /// Another format or version than this allocsim writes.
    #[error(
        "format {format} version {version} cannot be read by this allocsim {} (it reads {reads} \
         version {}): redraw it with the allocsim that wrote it, or run the command again",
        env!("CARGO_PKG_VERSION"),
        versions_read(*.reads_version)
    )]
    Version {
        /// The format named in the file.
        format: String,
        /// The version named in the file.
        version: u32,
        /// The format this allocsim reads in its place.
        reads: &'static str,
        /// The latest version of it this allocsim reads (it reads every one from 1).
        reads_version: u32,
    },
    /// Tally lists whose lengths do not match the firm, metric or round counts.
    #[error("the results do not match their own firm and round counts")]
    Shape,
    /// Counts or sums that no run of the recorded trials could produce; the message names the
    /// field by its path in the file.
    #[error("{0}")]
    Impossible(String),
}

/// "1", or "1 to 2": the versions of a format a reader of versions up to `latest` reads.
fn versions_read(latest: u32) -> String {
    if latest == 1 {
        "1".to_string()
    } else {
        format!("1 to {latest}")
    }
}

/// Refuses a saved file (results.json, comparison.json) that is not of format `format`, version
/// 1 to `version`: read first, so that a file of another version is named as such even if the
/// rest of its shape has changed. `not_json` is the error for a file that is not even that.
pub(crate) fn check_header(
    bytes: &[u8],
    format: &'static str,
    version: u32,
    not_json: fn(serde_json::Error) -> ResultsError,
) -> Result<(), ResultsError> {
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(not_json)?;
    if header.format != format || !(1..=version).contains(&header.version) {
        return Err(ResultsError::Version {
            format: header.format,
            version: header.version,
            reads: format,
            reads_version: version,
        });
    }
    Ok(())
}

/// A saved summary's parts as read from a file, with what they must agree with: what
/// [`load_summary`] checks and loads.
pub(crate) struct SavedSummary<'a> {
    /// The firms' names in order (the total is not among them).
    pub firms: &'a [String],
    /// Trials every tally must hold.
    pub trials: u64,
    /// Approval rounds per trial.
    pub rounds: u32,
    /// Imported-chip equivalents of one domestic chip.
    pub equivalence: f64,
    /// `tallies[firm][metric]`, metrics in `Metric::ALL` order, the total last.
    pub tallies: &'a [Vec<SavedTally>],
    /// One per round.
    pub saved_rounds: &'a [SavedRound],
    /// Approved rounds per trial.
    pub approved_rounds: &'a SavedTally,
    /// The regimes' names (none without regimes).
    pub regimes: &'a [String],
    /// The per-trial metrics' tallies.
    pub per_trial: &'a [SavedTrialTally],
}

/// The summary of saved parts, refused if their lengths do not match the firm, metric and
/// round counts, or their counts do not add up (see the count checks).
pub(crate) fn load_summary(saved: &SavedSummary) -> Result<Summary, ResultsError> {
    let firms = saved.firms.len();
    if saved.tallies.len() != firms + 1
        || saved
            .tallies
            .iter()
            .any(|t| t.len() != crate::stats::Metric::COUNT)
        || saved.saved_rounds.len() != saved.rounds as usize
    {
        return Err(ResultsError::Shape);
    }
    check_counts(saved).map_err(ResultsError::Impossible)?;
    let load = |t: &SavedTally| load_tally(t).map_err(ResultsError::Impossible);
    let mut tallies = Vec::with_capacity(firms + 1);
    for firm in saved.tallies {
        let loaded: Vec<Tally> = firm.iter().map(load).collect::<Result<_, _>>()?;
        tallies.push(PerMetric::from_vec(loaded).ok_or(ResultsError::Shape)?);
    }
    let rounds = saved
        .saved_rounds
        .iter()
        .map(|r| {
            Ok(RoundTally {
                approved: r.approved,
                halted_here: r.halted_here,
                halted_by: r.halted_by,
                cumulative: load(&r.cumulative)?,
                regimes: r.regimes.clone(),
            })
        })
        .collect::<Result<_, ResultsError>>()?;
    let mut names = saved.firms.to_vec();
    names.push("total".to_string());
    let per_trial = saved
        .per_trial
        .iter()
        .map(|t| {
            let (metric, member) = resolve_member(saved, t).map_err(ResultsError::Impossible)?;
            Ok(TrialTally {
                metric,
                member,
                tally: load(&t.tally)?,
            })
        })
        .collect::<Result<_, ResultsError>>()?;
    Ok(Summary::from_parts(
        names,
        tallies,
        rounds,
        load(saved.approved_rounds)?,
        saved.equivalence,
    )
    .with_per_trial(saved.regimes.to_vec(), per_trial))
}

/// Reads results.json back into the run's description and summary, refusing one whose counts
/// do not add up (see the count checks).
pub fn read_results(bytes: &[u8]) -> Result<(RunInfo, Summary), ResultsError> {
    check_header(bytes, FORMAT, VERSION, ResultsError::NotResults)?;
    let saved: SavedResults = serde_json::from_slice(bytes).map_err(ResultsError::NotResults)?;
    let described: Vec<&str> = saved.info.regimes.iter().map(|g| g.name.as_str()).collect();
    if described != saved.regimes {
        return Err(ResultsError::Impossible(format!(
            "regimes {:?} are not the regimes info describes, {described:?}",
            saved.regimes
        )));
    }
    let summary = load_summary(&SavedSummary {
        firms: &saved.info.firms,
        trials: saved.info.trials,
        rounds: saved.info.rounds,
        equivalence: saved.info.equivalence,
        tallies: &saved.tallies,
        saved_rounds: &saved.rounds,
        approved_rounds: &saved.approved_rounds,
        regimes: &saved.regimes,
        per_trial: &saved.per_trial,
    })?;
    Ok((saved.info, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RunOptions, run};
    use crate::report::{rounds_csv, summary_csv};

    #[test]
    fn saved_results_reproduce_every_statistic() {
        let toml = "name = \"rt\"\nrounds = 3\n[allocation]\nrule = \"talmud\"\n\
                    [approval]\nprobability = 0.8\nbatch = { dist = \"uniform\", min = 100, max = 90000 }\n\
                    [domestic]\nratio = 0.4\nsupply = { dist = \"uniform\", min = 0, max = 20000 }\nequivalence = 0.3\n\
                    [[firm]]\nname = \"A\"\norders = { dist = \"pert\", min = 1000, mode = 50000, max = 90000 }\n\
                    [[firm]]\nname = \"B-quoted\"\norders = 40000\n";
        let scenario =
            match crate::scenario::parse(std::path::Path::new("rt.toml"), toml.as_bytes(), &[]) {
                Ok(s) => s,
                Err(e) => panic!("{e}"),
            };
        let options = RunOptions {
            trials: 5000,
            seed: 3,
            ..RunOptions::default()
        };
        let result = run(&scenario, &options, &mut |_| {}, None).expect("runs");
        let info = RunInfo::new(&scenario, options.trials, options.seed);
        let bytes = results_json(&info, &result.summary);
        let (read_info, read_summary) = read_results(&bytes).expect("reads back");
        assert_eq!(read_info, info);
        assert_eq!(summary_csv(&read_summary), summary_csv(&result.summary));
        assert_eq!(rounds_csv(&read_summary), rounds_csv(&result.summary));
        // Saving again gives the same bytes: the format is canonical.
        assert_eq!(results_json(&read_info, &read_summary), bytes);
        // The streamed writer gives the bytes of the format's structs (which the reader
        // parses), with exact counts present (B's orders are fixed) and absent (A's).
        let s = &result.summary;
        assert!(
            s.tally(1, crate::stats::Metric::Orders)
                .exact_counts()
                .is_some()
        );
        assert!(
            s.tally(0, crate::stats::Metric::Orders)
                .exact_counts()
                .is_none()
        );
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&expected_bytes(&info, s))
        );
        assert!(bytes.starts_with(br#"{"format":"allocsim-results","version":1,"#));
    }

    /// Results of a real run (halts, holds, domestic chips) pass the count checks; each
    /// impossible count is refused by its field.
    #[test]
    fn counts_that_no_run_could_produce_are_refused() {
        let toml = "name = \"c\"\nrounds = 3\n[allocation]\nrule = \"equal_losses\"\n\
                    [approval]\nprobability = 0.8\nbatch = { dist = \"uniform\", min = 100, max = 9000 }\n\
                    [domestic]\nratio = 0.4\nsupply = { dist = \"uniform\", min = 0, max = 2000 }\nequivalence = 0.3\n\
                    [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 0, max = 9000 }\n\
                    [[firm]]\nname = \"B\"\norders = 4000\n\
                    [[event]]\nname = \"stop\"\neffect = \"halt\"\nprobability = 0.2\n\
                    [[event]]\nname = \"wait\"\neffect = \"hold\"\nprobability = 0.2\n";
        let scenario = crate::scenario::parse(std::path::Path::new("c.toml"), toml.as_bytes(), &[])
            .unwrap_or_else(|e| panic!("{e}"));
        let options = RunOptions {
            trials: 2000,
            seed: 5,
            ..RunOptions::default()
        };
        let result = run(&scenario, &options, &mut |_| {}, None).expect("runs");
        let info = RunInfo::new(&scenario, options.trials, options.seed);
        let bytes = results_json(&info, &result.summary);
        let (_, summary) = read_results(&bytes).expect("a real run's counts pass");
        assert!(summary.rounds[2].halted_by > 0 && summary.rounds[2].approved > 0);
        let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = original.clone();
            edit(&mut v);
            match read_results(&serde_json::to_vec(&v).unwrap()) {
                Ok(_) => "accepted".to_string(),
                Err(e) => e.to_string(),
            }
        };
        let bump = |v: &mut serde_json::Value, by: i64| {
            let x = v.as_u64().unwrap() as i64 + by;
            *v = x.into();
        };
        let bump_sum = |v: &mut serde_json::Value, by: i128| {
            let x: i128 = v.as_str().unwrap().parse().unwrap();
            *v = (x + by).to_string().into();
        };
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["rounds"][1]["approved"] = 2001.into()),
                "rounds[1].approved (round 2) is 2001, more than the 2000 trials these results hold",
            ),
            (
                Box::new(move |v| bump(&mut v["rounds"][1]["halted_by"], 1)),
                "rounds[1].halted_by (round 2) is",
            ),
            (
                Box::new(move |v| bump(&mut v["rounds"][0]["cumulative"]["n"], -1)),
                "rounds[0].cumulative (round 1).n is 1999, but these results hold 2000 trials",
            ),
            (
                Box::new(move |v| bump_sum(&mut v["tallies"][0][2]["sum"], 1)),
                "tallies[0] (firm \"A\"): the sums of orders",
            ),
            (
                Box::new(|v| v["tallies"][1][0]["min"] = 4001.into()),
                "tallies[1][0] (firm \"B\", orders): min 4001 is above max 4000",
            ),
            (
                Box::new(|v| v["tallies"][1][0]["exact"][0][0] = 3999.into()),
                "tallies[1][0] (firm \"B\", orders): a histogram value 3999 lies outside min 4000 .. max 4000",
            ),
            (
                Box::new(|v| v["tallies"][1][0]["sum_sq"] = "0".into()),
                "tallies[1][0] (firm \"B\", orders).sum_sq is 0, which 2000 values within [4000, 4000]",
            ),
            (
                Box::new(move |v| bump_sum(&mut v["approved_rounds"]["sum"], -1)),
                "approved_rounds.sum is",
            ),
        ];
        for (edit, message) in cases {
            let err = edited(&*edit);
            assert!(
                err.starts_with(message),
                "{message:?} does not start {err:?}"
            );
        }
    }

    #[test]
    fn rejects_other_formats_and_inconsistent_files() {
        let err = read_results(b"{}").unwrap_err();
        assert!(matches!(err, ResultsError::NotResults(_)), "{err}");
        assert!(err.to_string().contains("not an allocsim results file"));
        let wrong = br#"{"format":"other","version":1,"info":{"name":"x","description":"","trials":1,"seed":0,"rounds":1,"rule":"talmud","firms":[],"equivalence":0,"knobs":[]},"tallies":[],"rounds":[],"approved_rounds":{"n":0,"sum":"0","sum_sq":"0","min":0,"max":0,"buckets":[]}}"#;
        let err = read_results(wrong).unwrap_err();
        assert!(matches!(err, ResultsError::Version { .. }), "{err}");
        assert!(err.to_string().contains("cannot be read by this allocsim"));
    }
}
