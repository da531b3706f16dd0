//! Scenario files: TOML text (plus `--set` overrides) → raw serde structs → a validated
//! [`Scenario`]. Every check of user input happens here; nothing downstream re-checks.

mod messages;
mod overrides;
mod raw;
mod source;

use std::ops::Range;
use std::path::Path;

use toml::de::DeTable;

use crate::dist::{Dist, DistSpec};
use crate::units::MAX_UNITS;
pub use overrides::{effective_overrides, value_as_written};
pub use source::{Override, OverrideError, ScenarioError, SourceMap};

use raw::{RawDist, RawScenario, S};

/// Most rounds a scenario may have: far past any approval calendar, and it keeps per-round
/// summaries small.
pub const MAX_ROUNDS: u32 = 1_000;
/// Most firms a scenario may have: every firm carries its own histograms in every summary.
pub const MAX_FIRMS: usize = 200;
/// Most trials one run may ask for (10^12: weeks of computing at the speeds allocsim reaches).
pub const MAX_TRIALS: u64 = 1_000_000_000_000;
/// Largest scenario file read, in bytes (10 MB): a real scenario is a few kilobytes, and a
/// bigger file is almost surely the wrong one; refusing it before reading keeps memory bounded
/// (and `/dev/zero` from hanging the run).
pub const MAX_SCENARIO_BYTES: u64 = 10_000_000;

/// Largest `domestic.ratio` (10^6 domestic chips per imported chip). Far past any bundling
/// rule, and it keeps `ceil(ratio * t)` for the largest take-up (10^12 units) at 10^18, well
/// inside a unit count: past about 1.2e17 the product saturated at u64::MAX, and the domestic
/// split of saturated claims went wrong.
pub const MAX_DOMESTIC_RATIO: f64 = 1e6;

/// Most characters (not bytes) in a scenario, firm or event name. Names title charts, label
/// every table row and legend entry, and the scenario's names the output folder; a longer one
/// is a mistake (a pasted paragraph), and drawing it would cost seconds per chart.
pub const MAX_NAME_CHARS: usize = 64;

/// What a name names; each kind has its own rules (see [`check_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// The scenario's `name`, which names the output folder.
    Scenario,
    /// A `[[firm]]`'s `name`.
    Firm,
    /// An `[[event]]`'s `name`.
    Event,
}

impl NameKind {
    /// The field as a scenario file spells it.
    pub fn field(self) -> &'static str {
        match self {
            NameKind::Scenario => "name",
            NameKind::Firm => "firm.name",
            NameKind::Event => "event.name",
        }
    }
}

/// Checks one name by the rules every reader of names applies: the scenario validator (after
/// trimming a firm's or event's name) and `merge`, for the names a partial result carries. At
/// most [`MAX_NAME_CHARS`] characters; a scenario name only letters, digits, '-' and '_' (it
/// names the output folder, so it must not be a path); a firm or event name not empty, without
/// control characters or surrounding whitespace, and a firm not "total" (the sum over firms).
/// Uniqueness is a property of a list, checked by the validator. The error says what is wrong,
/// naming the field.
pub fn check_name(kind: NameKind, name: &str) -> Result<(), NameError> {
    let field = kind.field();
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong {
            field,
            chars,
            start: name.chars().take(24).collect(),
        });
    }
    let named = || name.to_string();
    match kind {
        NameKind::Scenario => {
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(NameError::NotAFolderName(named()));
            }
        }
        NameKind::Firm | NameKind::Event => {
            if name.is_empty() {
                return Err(NameError::Empty(field));
            }
            if name.chars().any(char::is_control) {
                return Err(NameError::ControlCharacter(field, named()));
            }
            if name.trim() != name {
                return Err(NameError::Whitespace(field, named()));
            }
            if kind == NameKind::Firm && name.eq_ignore_ascii_case("total") {
                return Err(NameError::Total);
            }
        }
    }
    Ok(())
}

/// Why a name was refused by [`check_name`]; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name has more than [`MAX_NAME_CHARS`] characters (counted as `char`s, not bytes).
    #[error(
        "{field} is {chars} characters long, more than the limit of {MAX_NAME_CHARS}: \"{}…\"",
        start.escape_debug()
    )]
    TooLong {
        /// The field as a scenario file spells it ([`NameKind::field`]).
        field: &'static str,
        /// The name's length in characters.
        chars: usize,
        /// The name's first characters, to say which.
        start: String,
    },
    /// A scenario name that is empty or has a character other than ASCII letters, digits, '-' and
    /// '_': it would not be a safe folder name. Holds the name as given.
    #[error(
        "name must be 1 to {MAX_NAME_CHARS} letters, digits, '-' and '_' (it names the output folder), got {0:?}"
    )]
    NotAFolderName(String),
    /// A firm or event name that is empty (in a scenario file: empty once trimmed); holds the
    /// field.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A firm or event name with a control character (a tab, a newline); holds the field and the
    /// name.
    #[error("{0} {1:?} contains a control character")]
    ControlCharacter(&'static str, String),
    /// A firm or event name with leading or trailing whitespace; holds the field and the name. The
    /// validator trims before checking, so only a name from elsewhere (a partial result) gets this.
    #[error("{0} {1:?} starts or ends with whitespace")]
    Whitespace(&'static str, String),
    /// A firm named "total" in any case: every output uses that name for the sum over firms.
    #[error("firm.name \"total\" is reserved for the sum over all firms; choose another name")]
    Total,
}

/// How approved supply is split among claims (MODEL.md "Allocation rules"), as a scenario
/// names it.
///
/// Why this and [`crate::alloc::Method`] are two enums: a `Rule` is the scenario's choice, plain
/// data with a name in scenario files ([`Rule::ALL`]), owned by a [`Scenario`]. A `Method` is
/// what the allocator runs for one call, and borrows the per-firm data the rule needs: the
/// priority order or the weights, which the model derives from the firms once, and for
/// `RandomPriority` an order drawn afresh each round, which no scenario can hold. So `Priority`
/// and `RandomPriority` both become `Method::Order`, and the other rules map one to one. The
/// mapping is one function, `Model::method` (src/model/mod.rs), next to the data it lends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Pro rata: each claim gets `E * c_i / sum c`, rounded by largest remainder.
    Proportional,
    /// Constrained equal awards: one level L for all, never above a claim. Favours small claims.
    EqualAwards,
    /// Constrained equal losses: everyone short by the same L, never below zero. Favours large
    /// claims.
    EqualLosses,
    /// Aumann and Maschler (1985): equal awards on half-claims up to half the total claimed, equal
    /// losses on half-claims past it.
    Talmud,
    /// Claims served in full in the order of [`Firm::priority`] (lower first, ties by listed order)
    /// while supply lasts.
    Priority,
    /// Equal awards scaled by [`Firm::weight`]: `min(c_i, L * w_i)`; with equal weights, exactly
    /// `EqualAwards`.
    Weighted,
    /// `Priority` in a fresh uniformly random order each round (the firms' priorities are ignored);
    /// that round's domestic split uses the same order.
    RandomPriority,
}

impl Rule {
    /// Every rule with its name in scenario files.
    pub const ALL: [(Rule, &'static str); 7] = [
        (Rule::Proportional, "proportional"),
        (Rule::EqualAwards, "equal_awards"),
        (Rule::EqualLosses, "equal_losses"),
        (Rule::Talmud, "talmud"),
        (Rule::Priority, "priority"),
        (Rule::Weighted, "weighted"),
        (Rule::RandomPriority, "random_priority"),
    ];

    /// The rule's name as written in a scenario file.
    pub fn name(self) -> &'static str {
        Rule::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("", |(_, n)| n)
    }

    fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().find(|(_, n)| *n == name).map(|(r, _)| *r)
    }
}

/// What an event does when it fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// No batch this round or any later one, and the carried pool is lost.
    Halt,
    /// A customs hold: nothing approved or delivered this round; the pool is kept.
    Hold,
    /// Multiplies this round's batch by the factor.
    Scale(f64),
}

/// A shock that may fire in each round of its window.
#[derive(Debug, Clone)]
pub struct Event {
    /// Unique among the scenario's events, checked by [`check_name`]; `--set event.NAME.…`
    /// addresses the event by it. Streams are keyed by the event's listed position, not by this
    /// name.
    pub name: String,
    /// What the event does in a round in which it fires.
    pub effect: Effect,
    /// Chance of firing in each round of the window.
    pub probability: f64,
    /// First round of the window (1-based).
    pub from_round: u32,
    /// Last round of the window, clipped to the horizon.
    pub to_round: u32,
}

impl Event {
    /// Whether round `r` (1-based) lies in the event's window.
    pub fn active_in(&self, r: u32) -> bool {
        (self.from_round..=self.to_round).contains(&r)
    }
}

/// One claimant.
#[derive(Debug, Clone)]
pub struct Firm {
    /// Unique among the firms, checked by [`check_name`] (never "total"); labels the firm in every
    /// output. Streams are keyed by the firm's listed position, not by this name.
    pub name: String,
    /// Units ordered, drawn once per trial.
    pub orders: Dist,
    /// First round in which the firm may claim (1-based; past the horizon means never).
    pub eligible_from: u32,
    /// Most units the firm may claim in one round.
    pub round_cap: Option<u64>,
    /// Rank under `priority` (lower first; ties by listed order).
    pub priority: i64,
    /// Weight under `weighted`.
    pub weight: f64,
}

/// The approval terms of one round, after `[[approval.round]]` overrides.
#[derive(Debug, Clone)]
pub struct RoundApproval {
    /// Chance in [0, 1] that the round, if neither halted nor held, is approved.
    pub probability: f64,
    /// Size of an approved batch, in units before the round's scale factors and the rounding to a
    /// whole unit; its support does not reach past [`MAX_UNITS`].
    pub batch: Dist,
}

/// Domestic-chip bundling.
#[derive(Debug, Clone)]
pub struct Domestic {
    /// Domestic chips per imported chip taken up.
    pub ratio: f64,
    /// Domestic chips available per round.
    pub supply: Dist,
    /// Imported-chip equivalents of one domestic chip.
    pub equivalence: f64,
}

/// A validated scenario: every value in range, every default filled in.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Letters, digits, '-' and '_' only, at most [`MAX_NAME_CHARS`]: it names the output folder.
    pub name: String,
    /// Free text shown in reports; empty when the file has none.
    pub description: String,
    /// Number of Monte Carlo trials, 1 to [`MAX_TRIALS`] (default 100,000).
    pub trials: u64,
    /// The run's seed unless `--seed` overrides it (default 0): trial t draws from streams keyed
    /// by (seed, t) alone.
    pub seed: u64,
    /// Number of approval rounds R, 1 to [`MAX_ROUNDS`]; rounds are numbered 1..=R.
    pub rounds: u32,
    /// Whether approved units not delivered in a round stay in the pool for the next (`true`, the
    /// default) or lapse.
    pub carry_over: bool,
    /// How each round's supply (and, in a shortage, the domestic chips) is split among claims.
    pub rule: Rule,
    /// Approval terms per round, index r - 1.
    pub approval: Vec<RoundApproval>,
    /// Share of an approval a firm takes up.
    pub conversion: Dist,
    /// Domestic-chip bundling; a ratio of 0 (the default) switches it off.
    pub domestic: Domestic,
    /// The claimants, at least one and at most [`MAX_FIRMS`]. The listed order is the firm
    /// index: it breaks every tie and keys the firm's random streams.
    pub firms: Vec<Firm>,
    /// The shocks, in listed order, which keys their random streams; possibly none.
    pub events: Vec<Event>,
}

/// Reads and validates the scenario at `path`, applying `overrides` in order.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let bytes = read_file(path)?;
    parse(path, &bytes, overrides)
}

/// Reads a scenario file's bytes, refusing one over [`MAX_SCENARIO_BYTES`] before reading it
/// whole (a pipe or device is read only up to the limit).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    use std::io::Read;
    let cannot =
        |e: std::io::Error| SourceMap::file_error(path, format!("cannot read the scenario: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if metadata.is_dir() {
        return Err(SourceMap::file_error(
            path,
            "cannot read the scenario: it is a folder, not a file",
        ));
    }
    if metadata.len() > MAX_SCENARIO_BYTES {
        return Err(too_big(path, Some(metadata.len())));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        // A stream (a pipe, a device) whose length was not known in advance.
        return Err(too_big(path, None));
    }
    Ok(bytes)
}

/// The error for a scenario of `len` bytes (None: more than the limit, length unknown).
fn too_big(path: &Path, len: Option<u64>) -> ScenarioError {
    let size = match len {
        Some(len) => format!("{:.1} MB", len as f64 / 1e6),
        None => format!("over {} MB", MAX_SCENARIO_BYTES / 1_000_000),
    };
    SourceMap::file_error(
        path,
        format!(
            "the scenario is {size}; the limit is {} MB (a scenario is a few kilobytes of TOML: is this the right file?)",
            MAX_SCENARIO_BYTES / 1_000_000
        ),
    )
}

/// Whether `bytes` start like UTF-16 text: a byte-order mark, then ASCII characters whose other
/// byte is zero.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let (big_endian, rest) = match bytes {
        [0xfe, 0xff, rest @ ..] => (true, rest),
        [0xff, 0xfe, rest @ ..] => (false, rest),
        _ => return false,
    };
    let pairs: Vec<&[u8]> = rest.chunks_exact(2).take(32).collect();
    let zero_high = pairs
        .iter()
        .filter(|p| p[usize::from(!big_endian)] == 0)
        .count();
    !pairs.is_empty() && zero_high * 4 >= pairs.len() * 3
}

/// Validates a scenario from its bytes; `path` only names it in errors.
pub fn parse(path: &Path, bytes: &[u8], overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_big(path, Some(bytes.len() as u64)));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let hint = if looks_like_utf16(bytes) {
            "; it looks like UTF-16: save it as UTF-8"
        } else {
            ""
        };
        SourceMap::file_error(
            path,
            format!(
                "not a TOML file: not valid UTF-8 text (byte {}){hint}",
                e.valid_up_to()
            ),
        )
    })?;
    let map = SourceMap::new(path, text, overrides);
    let mut doc = DeTable::parse(text).map_err(|e| {
        map.error(
            e.span(),
            messages::syntax(text, e.span(), e.message().trim_end()),
        )
    })?;
    for (index, o) in overrides.iter().enumerate() {
        overrides::apply(doc.get_mut(), o, index, &map)?;
    }
    // Kept to name the field of a serde error, which knows only its position.
    let tree = doc.get_ref().clone();
    let root = doc.span();
    let raw = RawScenario::deserialize(toml::de::Deserializer::from(doc)).map_err(|e| {
        let span = e.span();
        map.error(
            span.clone(),
            messages::explain(&tree, span, root.clone(), e.message().trim_end()),
        )
    })?;
    Validator { map: &map }.scenario(raw)
}

use serde::Deserialize;

struct Validator<'m, 'a> {
    map: &'m SourceMap<'a>,
}

type Checked<T> = Result<T, ScenarioError>;

impl Validator<'_, '_> {
    fn fail<T>(&self, span: Range<usize>, message: String) -> Checked<T> {
        Err(self.map.error(Some(span), message))
    }

    fn scenario(&self, raw: RawScenario) -> Checked<Scenario> {
        let name = self.name(&raw.name)?;
        let rounds = self.count("rounds", &raw.rounds, 1, MAX_ROUNDS as i64)? as u32;
        let trials = match &raw.trials {
            Some(t) => self.count("trials", t, 1, MAX_TRIALS as i64)?,
            None => 100_000,
        };
        let seed = match &raw.seed {
            Some(s) => self.count("seed", s, 0, i64::MAX)?,
            None => 0,
        };
        let rule = Rule::from_name(raw.allocation.rule.get_ref()).map_or_else(
            || {
                let names: Vec<_> = Rule::ALL.iter().map(|(_, n)| *n).collect();
                self.fail(
                    raw.allocation.rule.span(),
                    format!(
                        "allocation.rule: unknown rule \"{}\"; expected one of {}",
                        raw.allocation.rule.get_ref(),
                        names.join(", ")
                    ),
                )
            },
            Ok,
        )?;

        let approval_probability =
            self.probability("approval.probability", &raw.approval.probability)?;
        let batch = self.units("approval.batch", &raw.approval.batch)?;
        let mut approval = vec![
            RoundApproval {
                probability: approval_probability,
                batch
            };
            rounds as usize
        ];
        let mut seen = vec![false; rounds as usize];
        for r in &raw.approval.rounds {
            let round = self.count("approval.round.round", &r.round, 1, rounds as i64)? as usize;
            if std::mem::replace(&mut seen[round - 1], true) {
                return self.fail(
                    r.round.span(),
                    format!("approval.round: round {round} is overridden twice"),
                );
            }
            let field = format!("approval.round.{round}");
            if let Some(p) = &r.probability {
                approval[round - 1].probability =
                    self.probability(&format!("{field}.probability"), p)?;
            }
            if let Some(b) = &r.batch {
                approval[round - 1].batch = self.units(&format!("{field}.batch"), b)?;
            }
        }

        let conversion = match &raw.approval.conversion {
            Some(c) => {
                let dist = self.dist("approval.conversion", c)?;
                let (lo, hi) = dist.support();
                if lo < 0.0 || hi > 1.0 {
                    return self.fail(
                        c.span(),
                        format!(
                            "approval.conversion must lie within [0, 1], but {} ranges over [{lo}, {hi}]",
                            dist.describe()
                        ),
                    );
                }
                dist
            }
            None => self.fixed(1.0),
        };

        let domestic = match &raw.domestic {
            Some(d) => Domestic {
                ratio: d.ratio.as_ref().map_or(Ok(0.0), |r| self.ratio(r))?,
                supply: d
                    .supply
                    .as_ref()
                    .map_or_else(|| Ok(self.fixed(0.0)), |s| self.units("domestic.supply", s))?,
                equivalence: d
                    .equivalence
                    .as_ref()
                    .map_or(Ok(0.0), |e| self.non_negative("domestic.equivalence", e))?,
            },
            None => Domestic {
                ratio: 0.0,
                supply: self.fixed(0.0),
                equivalence: 0.0,
            },
        };

        let firms = self.firms(&raw.firms)?;
        let events = self.events(&raw.events, rounds)?;

        Ok(Scenario {
            name,
            description: raw.description.map(|d| d.into_inner()).unwrap_or_default(),
            trials,
            seed,
            rounds,
            carry_over: raw.carry_over.is_none_or(|c| *c.get_ref()),
            rule,
            approval,
            conversion,
            domestic,
            firms,
            events,
        })
    }

    fn firms(&self, raw: &S<Vec<raw::RawFirm>>) -> Checked<Vec<Firm>> {
        if raw.get_ref().is_empty() {
            return self.fail(raw.span(), "a scenario needs at least one [[firm]]".into());
        }
        if raw.get_ref().len() > MAX_FIRMS {
            return self.fail(
                raw.span(),
                format!(
                    "{} firms is more than the limit of {MAX_FIRMS}",
                    raw.get_ref().len()
                ),
            );
        }
        let mut firms: Vec<Firm> = Vec::new();
        for (i, f) in raw.get_ref().iter().enumerate() {
            let name = f.name.get_ref().trim().to_string();
            check_name(NameKind::Firm, &name)
                .or_else(|m| self.fail(f.name.span(), m.to_string()))?;
            if firms.iter().any(|g| g.name == name) {
                return self.fail(
                    f.name.span(),
                    format!("firm.name: two firms are named \"{name}\"; names must be unique"),
                );
            }
            let field = |k: &str| format!("firm.{name}.{k}");
            firms.push(Firm {
                orders: self.units(&field("orders"), &f.orders)?,
                eligible_from: match &f.eligible_from {
                    Some(e) => {
                        self.count(&field("eligible_from"), e, 1, i64::from(u32::MAX))? as u32
                    }
                    None => 1,
                },
                round_cap: f
                    .round_cap
                    .as_ref()
                    .map(|c| self.count(&field("round_cap"), c, 0, i64::MAX))
                    .transpose()?,
                priority: f.priority.as_ref().map_or(i as i64 + 1, |p| *p.get_ref()),
                weight: match &f.weight {
                    Some(w) if !(w.get_ref().is_finite() && *w.get_ref() > 0.0) => {
                        return self.fail(
                            w.span(),
                            format!("{} must be > 0, got {}", field("weight"), w.get_ref()),
                        );
                    }
                    Some(w) => *w.get_ref(),
                    None => 1.0,
                },
                name,
            });
        }
        Ok(firms)
    }

    fn events(&self, raw: &[raw::RawEvent], rounds: u32) -> Checked<Vec<Event>> {
        let mut events: Vec<Event> = Vec::new();
        for e in raw {
            let name = e.name.get_ref().trim().to_string();
            check_name(NameKind::Event, &name)
                .or_else(|m| self.fail(e.name.span(), m.to_string()))?;
            if events.iter().any(|g| g.name == name) {
                return self.fail(
                    e.name.span(),
                    format!("event.name: two events are named \"{name}\"; names must be unique"),
                );
            }
            let field = |k: &str| format!("event.{name}.{k}");
            let effect = match (e.effect.get_ref().as_str(), &e.factor) {
                ("halt" | "hold", Some(f)) => {
                    return self.fail(
                        f.span(),
                        format!("{}: only a \"scale\" event takes a factor", field("factor")),
                    );
                }
                ("halt", None) => Effect::Halt,
                ("hold", None) => Effect::Hold,
                ("scale", Some(f)) => Effect::Scale(self.non_negative(&field("factor"), f)?),
                ("scale", None) => {
                    return self.fail(
                        e.effect.span(),
                        format!("{}: a \"scale\" event needs a factor", field("effect")),
                    );
                }
                (other, _) => {
                    return self.fail(
                        e.effect.span(),
                        format!(
                            "{}: unknown effect \"{other}\"; expected one of halt, hold, scale",
                            field("effect")
                        ),
                    );
                }
            };
            let from_round = match &e.from_round {
                Some(r) => self.count(&field("from_round"), r, 1, i64::from(u32::MAX))? as u32,
                None => 1,
            };
            let to_round = match &e.to_round {
                Some(r) => {
                    let to = self.count(&field("to_round"), r, 1, i64::from(u32::MAX))? as u32;
                    if to < from_round {
                        return self.fail(
                            r.span(),
                            format!(
                                "{} ({to}) must not be before from_round ({from_round})",
                                field("to_round")
                            ),
                        );
                    }
                    to.min(rounds)
                }
                None => rounds,
            };
            events.push(Event {
                probability: self.probability(&field("probability"), &e.probability)?,
                effect,
                from_round,
                to_round,
                name,
            });
        }
        Ok(events)
    }

    fn name(&self, raw: &S<String>) -> Checked<String> {
        let name = raw.get_ref();
        check_name(NameKind::Scenario, name).or_else(|m| self.fail(raw.span(), m.to_string()))?;
        Ok(name.clone())
    }

    fn count(&self, field: &str, raw: &S<i64>, min: i64, max: i64) -> Checked<u64> {
        let v = *raw.get_ref();
        if v < min || v > max {
            let range = if max == i64::MAX {
                format!(">= {min}")
            } else {
                format!("within [{min}, {max}]")
            };
            return self.fail(raw.span(), format!("{field} must be {range}, got {v}"));
        }
        Ok(v as u64)
    }

    fn probability(&self, field: &str, raw: &S<f64>) -> Checked<f64> {
        let p = *raw.get_ref();
        if !(0.0..=1.0).contains(&p) {
            return self.fail(
                raw.span(),
                format!("{field} must be within [0, 1], got {p}"),
            );
        }
        Ok(p)
    }

    fn non_negative(&self, field: &str, raw: &S<f64>) -> Checked<f64> {
        let v = *raw.get_ref();
        if !(v.is_finite() && v >= 0.0) {
            return self.fail(
                raw.span(),
                format!("{field} must be a finite number >= 0, got {v}"),
            );
        }
        Ok(v)
    }

    /// `domestic.ratio`: finite, >= 0 and at most [`MAX_DOMESTIC_RATIO`].
    fn ratio(&self, raw: &S<f64>) -> Checked<f64> {
        let v = self.non_negative("domestic.ratio", raw)?;
        if v > MAX_DOMESTIC_RATIO {
            return self.fail(
                raw.span(),
                format!(
                    "domestic.ratio must be at most 10^6 ({MAX_DOMESTIC_RATIO} domestic chips per imported chip), got {v}"
                ),
            );
        }
        Ok(v)
    }

    fn dist(&self, field: &str, raw: &S<RawDist>) -> Checked<Dist> {
        Dist::from_spec(&raw.get_ref().0)
            .or_else(|e| self.fail(raw.span(), format!("{field}: {e}")))
    }

    /// A distribution of chip counts: its bounded draws must fit under [`MAX_UNITS`].
    fn units(&self, field: &str, raw: &S<RawDist>) -> Checked<Dist> {
        let dist = self.dist(field, raw)?;
        let (_, hi) = dist.support();
        // The limit holds after rounding, which takes halves away from zero (MODEL.md,
        // "Units"): 10^12 + 0.5 rounds to 10^12 + 1, past the limit.
        if hi.is_finite() && hi >= MAX_UNITS as f64 + 0.5 {
            return self.fail(
                raw.span(),
                format!("{field} can reach {hi} units, more than the limit of 10^12 ({MAX_UNITS})"),
            );
        }
        Ok(dist)
    }

    fn fixed(&self, value: f64) -> Dist {
        match Dist::from_spec(&DistSpec {
            dist: "fixed".into(),
            value: Some(value),
            ..DistSpec::default()
        }) {
            Ok(d) => d,
            Err(e) => unreachable!("a finite fixed value is always valid: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(toml: &str) -> Result<Scenario, ScenarioError> {
        parse(Path::new("t.toml"), toml.as_bytes(), &[])
    }

    const BASE: &str = "name = \"t\"\nrounds = 1\n[allocation]\nrule = \"talmud\"\n\
                        [approval]\nprobability = 0.5\nbatch = 10\n";

    #[test]
    fn names_are_at_most_64_characters_not_bytes() {
        for kind in [NameKind::Scenario, NameKind::Firm, NameKind::Event] {
            let field = kind.field();
            assert_eq!(check_name(kind, &"a".repeat(64)), Ok(()), "{field}");
            let err = check_name(kind, &"a".repeat(65)).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "{field} is 65 characters long, more than the limit of 64: \"{}…\"",
                    "a".repeat(24)
                )
            );
        }
        // Two bytes a character: 64 characters are 128 bytes, and allowed.
        assert_eq!(check_name(NameKind::Firm, &"é".repeat(64)), Ok(()));
        assert!(check_name(NameKind::Event, &"é".repeat(65)).is_err());
        // A scenario name is ASCII; a non-ASCII one is refused for its characters.
        assert!(
            check_name(NameKind::Scenario, "é")
                .unwrap_err()
                .to_string()
                .starts_with("name must be 1 to 64 letters, digits")
        );
        // A long name is shown by its start, escaped.
        let err = check_name(NameKind::Firm, &"\u{7}".repeat(20_000))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 250 && err.contains("\\u{7}"), "{err}");
    }

    #[test]
    fn the_rules_of_each_kind_of_name() {
        for bad in ["", "../x", "/abs", "a b", "a.b"] {
            assert!(check_name(NameKind::Scenario, bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_name(NameKind::Scenario, "base-line_2"), Ok(()));
        for kind in [NameKind::Firm, NameKind::Event] {
            assert_eq!(check_name(kind, "Telecom operators, state"), Ok(()));
            for bad in ["", " padded", "tab\there", "line\nbreak"] {
                assert!(check_name(kind, bad).is_err(), "{bad:?}");
            }
        }
        assert!(check_name(NameKind::Firm, "Total").is_err());
        assert_eq!(check_name(NameKind::Event, "total"), Ok(()));
    }

    /// The validator applies the check to trimmed firm and event names, with the position.
    #[test]
    fn the_validator_checks_names_at_their_position() {
        let firm = format!(
            "{BASE}[[firm]]\nname = \"{}\"\norders = 5\n",
            "x".repeat(65)
        );
        let err = validate(&firm).unwrap_err();
        assert_eq!(err.location, "t.toml:9:8");
        assert!(
            err.message.starts_with("firm.name is 65 characters long"),
            "{err}"
        );
        let padded = format!(
            "{BASE}[[firm]]\nname = \"  {}  \"\norders = 5\n",
            "x".repeat(64)
        );
        assert_eq!(validate(&padded).unwrap().firms[0].name, "x".repeat(64));
        let event = format!(
            "{BASE}[[firm]]\nname = \"A\"\norders = 5\n[[event]]\nname = \"a\\u0001b\"\neffect = \"hold\"\nprobability = 0.1\n"
        );
        let err = validate(&event).unwrap_err();
        assert_eq!(err.location, "t.toml:12:8");
        assert_eq!(
            err.message,
            "event.name \"a\\u{1}b\" contains a control character"
        );
    }

    /// At the largest ratio, `ceil(ratio * t)` of the largest take-up is still a unit count
    /// far from saturating; past it, the scenario is refused.
    #[test]
    fn domestic_ratio_is_bounded() {
        let with = |ratio: &str| {
            validate(&format!(
                "{BASE}[domestic]\nratio = {ratio}\n[[firm]]\nname = \"A\"\norders = 5\n"
            ))
        };
        assert_eq!(with("1e6").unwrap().domestic.ratio, MAX_DOMESTIC_RATIO);
        let need = crate::units::ceil_units(MAX_DOMESTIC_RATIO * crate::units::MAX_UNITS as f64);
        assert_eq!(need, 1_000_000_000_000_000_000);
        let err = with("1.2e17").unwrap_err();
        assert_eq!(err.location, "t.toml:9:9");
        assert_eq!(
            err.message,
            "domestic.ratio must be at most 10^6 (1000000 domestic chips per imported chip), got 120000000000000000"
        );
        assert!(with("1000000.0000001").is_err());
    }
}
