//! Scenario files: TOML text (plus `--set` overrides) → raw structs (raw.rs: read key by key,
//! each leaf by serde) → a validated [`Scenario`]. Every check of user input happens here;
//! nothing downstream re-checks. A bad file's problems are all collected, as a compiler's are,
//! into one [`ScenarioErrors`] ordered by position.

mod dependence;
#[cfg(test)]
mod entry_and_domestic_tests;
mod messages;
mod overrides;
mod raw;

pub use raw::TOP_KEYS;
mod regimes;
mod source;
mod suggest;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use toml::de::DeTable;

use crate::dist::{Dist, DistSpec};
use crate::units::MAX_UNITS;
pub use overrides::{effective_overrides, value_as_written};
pub use source::{MAX_REPORTED, Override, OverrideError, ScenarioError, ScenarioErrors, SourceMap};

use raw::{NumberOr, Opt, RawDist, RawScenario, S};
use source::Problems;

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

/// Most `[[regime]]` tables a scenario may have: each regime is a column of every per-round
/// summary and a row and a column of the transition matrix; a political environment is
/// described by a handful of states.
pub const MAX_REGIMES: usize = 50;

/// Most characters (not bytes) in a scenario, firm, event or regime name. Names title charts, label
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
    /// A `[[regime]]`'s `name`.
    Regime,
}

impl NameKind {
    /// The field as a scenario file spells it.
    pub fn field(self) -> &'static str {
        match self {
            NameKind::Scenario => "name",
            NameKind::Firm => "firm.name",
            NameKind::Event => "event.name",
            NameKind::Regime => "regime.name",
        }
    }
}

/// Checks one name by the rules every reader of names applies: the scenario validator (after
/// trimming a firm's, event's or regime's name) and `merge`, for the names a partial result
/// carries. At most [`MAX_NAME_CHARS`] characters; a scenario name only ASCII letters, digits,
/// '-' and '_' (it names the output folder, so it must not be a path); a firm, event or regime
/// name not empty and only letters and digits (any script: `char::is_alphanumeric`), '-' and
/// '_' (MODEL.md, "Randomness": names key the random streams and address entries in `--set`
/// keys, whose parts are separated by dots), and a firm not "total" (the sum over firms).
/// Control characters and surrounding whitespace get messages of their own. Uniqueness is a
/// property of a list, checked by the validator. The error says what is wrong, naming the
/// field.
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
        NameKind::Firm | NameKind::Event | NameKind::Regime => {
            if name.is_empty() {
                return Err(NameError::Empty(field));
            }
            if name.chars().any(char::is_control) {
                return Err(NameError::ControlCharacter(field, named()));
            }
            if name.trim() != name {
                return Err(NameError::Whitespace(field, named()));
            }
            if let Some(c) = name.chars().find(|&c| !is_name_char(c)) {
                return Err(NameError::Character {
                    field,
                    name: named(),
                    character: c,
                });
            }
            if kind == NameKind::Firm && name.eq_ignore_ascii_case("total") {
                return Err(NameError::Total);
            }
        }
    }
    Ok(())
}

/// Whether `c` may be part of a firm, event or regime name: a letter or digit of any script,
/// '-' or '_'.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// `name` with every run of characters a name may not hold replaced by one '-' (none at the
/// ends): "Co. Ltd" becomes "Co-Ltd". Empty when nothing of the name is left.
fn name_suggestion(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars() {
        if is_name_char(c) {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// ` (e.g. "Co-Ltd")` for a name with characters a name may not hold, when something is left.
fn suggest_name(name: &str) -> String {
    match name_suggestion(name) {
        s if s.is_empty() => String::new(),
        s => format!(" (e.g. \"{s}\")"),
    }
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
    /// A firm, event or regime name with a character other than letters, digits, '-' and '_'
    /// (a space, a dot, a comma): names key the random streams and are parts of dotted `--set`
    /// keys. Holds the field, the name and its first such character.
    #[error(
        "{field} {name:?} has {character:?}, but names are made of letters, digits, '-' and '_'{}",
        suggest_name(name)
    )]
    Character {
        /// The field as a scenario file spells it ([`NameKind::field`]).
        field: &'static str,
        /// The name as given.
        name: String,
        /// Its first character that a name may not hold.
        character: char,
    },
    /// A firm, event or regime name that is empty (in a scenario file: empty once trimmed);
    /// holds the field.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A firm, event or regime name with a control character (a tab, a newline); holds the
    /// field and the name.
    #[error("{0} {1:?} contains a control character")]
    ControlCharacter(&'static str, String),
    /// A firm, event or regime name with leading or trailing whitespace; holds the field and the
    /// name. The validator trims before checking, so only a name from elsewhere (a partial
    /// result) gets this.
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
    /// addresses the event by it, and its random streams are keyed by it.
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
    /// output, and keys the firm's random streams.
    pub name: String,
    /// Units ordered, drawn once per trial.
    pub orders: Dist,
    /// First round in which the firm may claim: a round, or a distribution drawn once per trial.
    pub eligible_from: Entry,
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

/// A firm's entry round (MODEL.md, "A trial": `entry_i`).
#[derive(Debug, Clone)]
pub enum Entry {
    /// A round, 1-based; past the horizon means never eligible.
    Round(u32),
    /// Drawn once per trial from the `entry` group's stream (keyed by the firm's name) and
    /// rounded to the nearest integer, halves away from zero; below 1 counts as 1, past the
    /// last round means never eligible. Never a point mass: the validator stores a
    /// distribution of one value as the `Round` it rounds to.
    Drawn(Dist),
}

impl Entry {
    /// The round, when it is not drawn.
    pub fn fixed(&self) -> Option<u32> {
        match self {
            Entry::Round(r) => Some(*r),
            Entry::Drawn(_) => None,
        }
    }
}

/// Domestic-chip bundling.
#[derive(Debug, Clone)]
pub struct Domestic {
    /// Domestic chips per imported chip taken up (`rho`): a point mass for a plain number, else
    /// drawn once per trial from the `ratio` group's stream. Its support lies in
    /// [0, [`MAX_DOMESTIC_RATIO`]].
    pub ratio: Dist,
    /// Domestic chips available in each round, index r - 1, after `[[domestic.round]]`
    /// overrides.
    pub supply: Vec<Dist>,
    /// Imported-chip equivalents of one domestic chip.
    pub equivalence: f64,
}

/// `[dependence]` (MODEL.md, "Dependence"): Spearman rank correlations as written, each through
/// the Gaussian copula. A group named here is drawn through the copula even at 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependence {
    /// Between firms' orders.
    pub orders: Option<OrdersDependence>,
    /// Between firms' conversion rates in the same round, in [0, 1].
    pub conversion: Option<f64>,
    /// Between a round's batch and the same round's domestic supply, in [-1, 1].
    pub batch_supply: Option<f64>,
}

/// `dependence.orders`: one rank correlation for every pair, or a matrix.
#[derive(Debug, Clone, PartialEq)]
pub enum OrdersDependence {
    /// Every pair of firms, `q` in [0, 1] (a common factor).
    Common(f64),
    /// Rank correlations in [-1, 1], rows and columns in the firms' listed order; its Pearson
    /// matrix `2 sin(pi q / 6)` is symmetric with a unit diagonal and positive semidefinite.
    Matrix(Vec<Vec<f64>>),
}

/// One `[[regime]]` (MODEL.md, "Regimes"), every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Regime {
    /// Unique among the regimes; letters, digits, '-' and '_'.
    pub name: String,
    /// Multiplies the approval probability (the product capped at 1); >= 0.
    pub approval_factor: f64,
    /// Multiplies an approved batch, like a scale event; >= 0.
    pub batch_factor: f64,
    /// Multiplies each conversion rate; in [0, 1].
    pub conversion_factor: f64,
    /// The domestic ratio in this regime's rounds, instead of the trial's; >= 0.
    pub domestic_ratio: Option<f64>,
    /// Multiplies the domestic supply draw; >= 0.
    pub domestic_supply_factor: f64,
    /// Whether every round in this regime is a customs hold.
    pub hold: bool,
    /// The probability of each regime next round, by regime index (listed order); sums to 1.
    /// A regime written without a row stays where it is (1 at its own index).
    pub transition: Vec<f64>,
}

impl Regime {
    /// A regime named `name` with every factor at its default (no effect) and the
    /// `transition` row given: what `[[regime]]` with only `name` and `transition` reads as.
    pub fn without_effects(name: &str, transition: Vec<f64>) -> Regime {
        Regime {
            name: name.to_string(),
            approval_factor: 1.0,
            batch_factor: 1.0,
            conversion_factor: 1.0,
            domestic_ratio: None,
            domestic_supply_factor: 1.0,
            hold: false,
            transition,
        }
    }
}

/// `[regimes]` and the `[[regime]]` list. Without regimes (`list` empty) there is one regime
/// with no effects and the model draws nothing for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Regimes {
    /// Round 1's regime probabilities, by regime index; sums to 1. Defaults to the first regime.
    pub initial: Vec<f64>,
    /// The regimes in listed order (the order draws walk).
    pub list: Vec<Regime>,
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
    /// index: it breaks every tie.
    pub firms: Vec<Firm>,
    /// The shocks, in listed order; possibly none.
    pub events: Vec<Event>,
    /// Correlated inputs; by default none.
    pub dependence: Dependence,
    /// Political regimes; by default none.
    pub regimes: Regimes,
}

/// Reads and validates the scenario at `path`, applying `overrides` in order.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioErrors> {
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

/// Validates a scenario from its bytes; `path` only names it in errors. Every independent
/// problem is reported (see [`ScenarioErrors`]); a TOML syntax error, or a file that is not
/// UTF-8 text, is reported alone.
pub fn parse(
    path: &Path,
    bytes: &[u8],
    overrides: &[Override],
) -> Result<Scenario, ScenarioErrors> {
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_big(path, Some(bytes.len() as u64)).into());
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
    let mut problems = Problems::new(&map);
    for (index, o) in overrides.iter().enumerate() {
        // An override that cannot be applied is left out; the others and the file are still
        // checked.
        if let Err(message) = overrides::apply(doc.get_mut(), o, index, &map) {
            let at = map.override_offset(index);
            problems.report(Some(at..at + o.value.len()), message);
        }
    }
    let raw = raw::read(&doc, &mut problems);
    let mut validator = Validator { problems };
    let scenario = validator.scenario(raw);
    validator.problems.finish()?;
    match scenario {
        Some(s) => Ok(s),
        None => {
            // Every check that fails reports its problem; a bug here must not be a panic.
            debug_assert!(false, "a scenario check failed without reporting a problem");
            Err(map.error(None, "the scenario is invalid").into())
        }
    }
}

struct Validator<'m, 'a> {
    problems: Problems<'m, 'a>,
}

/// A checked value, or None when its problem has been reported.
type Checked<T> = Option<T>;

impl Validator<'_, '_> {
    fn fail<T>(&mut self, span: Range<usize>, message: String) -> Checked<T> {
        self.problems.report(Some(span), message);
        None
    }

    /// `check` applied to an optional key: its default when absent, None when unreadable.
    fn opt<T, U>(
        &mut self,
        raw: &Opt<T>,
        default: impl FnOnce(&mut Self) -> U,
        check: impl FnOnce(&mut Self, &S<T>) -> Checked<U>,
    ) -> Checked<U> {
        match raw {
            Opt::Absent => Some(default(self)),
            Opt::Invalid => None,
            Opt::Given(v) => check(self, v),
        }
    }

    fn scenario(&mut self, raw: RawScenario) -> Checked<Scenario> {
        let name = raw.name.as_ref().and_then(|n| self.name(n));
        let rounds = raw
            .rounds
            .as_ref()
            .and_then(|r| self.count("rounds", r, 1, MAX_ROUNDS as i64))
            .map(|r| r as u32);
        let trials = self.opt(
            &raw.trials,
            |_| 100_000,
            |v, t| v.count("trials", t, 1, MAX_TRIALS as i64),
        );
        let seed = self.opt(&raw.seed, |_| 0, |v, s| v.count("seed", s, 0, i64::MAX));
        let rule = raw
            .allocation
            .as_ref()
            .and_then(|a| a.rule.as_ref())
            .and_then(|r| self.rule(r));
        let approval = raw.approval.as_ref().and_then(|a| self.approval(a, rounds));
        let conversion = match &raw.approval {
            Some(a) => self.conversion(&a.conversion),
            None => None,
        };
        let domestic = self.domestic(raw.domestic.as_ref(), rounds);
        let firms = raw.firms.as_ref().and_then(|f| self.firms(f));
        let events = self.events(&raw.events, rounds);
        // The number of firms a matrix of `dependence.orders` must match, when it is known.
        let firm_count = raw
            .firms
            .as_ref()
            .map(|f| f.count)
            .filter(|n| (1..=MAX_FIRMS).contains(n));
        let dependence = self.dependence(raw.dependence.as_ref(), firm_count);
        let regimes = self.regimes(raw.regimes.as_ref(), &raw.regime);
        let description = match raw.description {
            Opt::Given(d) => Some(d.into_inner()),
            Opt::Absent => Some(String::new()),
            Opt::Invalid => None,
        };
        let carry_over = self.opt(&raw.carry_over, |_| true, |_, c| Some(*c.get_ref()));

        Some(Scenario {
            name: name?,
            description: description?,
            trials: trials?,
            seed: seed?,
            rounds: rounds?,
            carry_over: carry_over?,
            rule: rule?,
            approval: approval?,
            conversion: conversion?,
            domestic: domestic?,
            firms: firms?,
            events: events?,
            dependence: dependence?,
            regimes: regimes?,
        })
    }

    fn rule(&mut self, raw: &S<String>) -> Checked<Rule> {
        if let Some(rule) = Rule::from_name(raw.get_ref()) {
            return Some(rule);
        }
        let names: Vec<_> = Rule::ALL.iter().map(|(_, n)| *n).collect();
        let message = messages::unknown_name("rule", raw.get_ref(), &names);
        self.fail(raw.span(), format!("allocation.rule: {message}"))
    }

    /// The approval terms of every round; their values are checked even when `rounds` is not
    /// known (invalid), only the round numbers then go unchecked.
    fn approval(
        &mut self,
        raw: &raw::RawApproval,
        rounds: Option<u32>,
    ) -> Checked<Vec<RoundApproval>> {
        let probability = raw
            .probability
            .as_ref()
            .and_then(|p| self.probability("approval.probability", p));
        let batch = raw
            .batch
            .as_ref()
            .and_then(|b| self.units("approval.batch", b));
        let mut ok = true;
        let mut seen = vec![false; rounds.unwrap_or(0) as usize];
        let mut overrides: Vec<(usize, Option<f64>, Option<Dist>)> = Vec::new();
        for r in &raw.rounds {
            let round = match (&r.round, rounds) {
                (Some(n), Some(rounds)) => self
                    .count("approval.round.round", n, 1, rounds as i64)
                    .map(|n| n as usize)
                    .and_then(|round| {
                        if std::mem::replace(&mut seen[round - 1], true) {
                            self.fail(
                                n.span(),
                                format!("approval.round: round {round} is overridden twice"),
                            )
                        } else {
                            Some(round)
                        }
                    }),
                _ => None,
            };
            let field = &r.field;
            let probability = self.opt(
                &r.probability,
                |_| None,
                |v, p| {
                    v.probability(&field.key("probability").to_string(), p)
                        .map(Some)
                },
            );
            let batch = self.opt(
                &r.batch,
                |_| None,
                |v, b| v.units(&field.key("batch").to_string(), b).map(Some),
            );
            match (round, probability, batch) {
                (Some(round), Some(p), Some(b)) => overrides.push((round, p, b)),
                _ => ok = false,
            }
        }
        let (probability, batch, rounds) = (probability?, batch?, rounds?);
        if !ok {
            return None;
        }
        let mut approval = vec![RoundApproval { probability, batch }; rounds as usize];
        for (round, p, b) in overrides {
            if let Some(p) = p {
                approval[round - 1].probability = p;
            }
            if let Some(b) = b {
                approval[round - 1].batch = b;
            }
        }
        Some(approval)
    }

    fn conversion(&mut self, raw: &Opt<RawDist>) -> Checked<Dist> {
        self.opt(
            raw,
            |v| v.fixed(1.0),
            |v, c| {
                let dist = v.dist("approval.conversion", c)?;
                let (lo, hi) = dist.support();
                if lo < 0.0 || hi > 1.0 {
                    let span = v.blame(c);
                    return v.fail(
                        span,
                        format!(
                            "approval.conversion must lie within [0, 1], but {} ranges over [{lo}, {hi}]",
                            dist.describe()
                        ),
                    );
                }
                Some(dist)
            },
        )
    }

    /// `[domestic]` (None: absent, the defaults) with its `[[domestic.round]]` overrides; the
    /// values are checked even when `rounds` is not known (invalid), only the round numbers then
    /// go unchecked.
    fn domestic(
        &mut self,
        raw: Option<&raw::RawDomestic>,
        rounds: Option<u32>,
    ) -> Checked<Domestic> {
        let Some(raw) = raw else {
            let zero = self.fixed(0.0);
            return rounds.map(|rounds| Domestic {
                ratio: zero.clone(),
                supply: vec![zero; rounds as usize],
                equivalence: 0.0,
            });
        };
        let ratio = self.opt(
            &raw.ratio,
            |v| v.fixed(0.0),
            |v, r| match r.get_ref() {
                NumberOr::Number(x) => v
                    .ratio("domestic.ratio", &S::new(r.span(), *x))
                    .map(|x| v.fixed(x)),
                NumberOr::Drawn(d) => v.ratio_dist("domestic.ratio", d),
            },
        );
        let supply = self.opt(
            &raw.supply,
            |v| v.fixed(0.0),
            |v, s| v.units("domestic.supply", s),
        );
        let equivalence = self.opt(
            &raw.equivalence,
            |_| 0.0,
            |v, e| v.non_negative("domestic.equivalence", e),
        );
        let mut ok = true;
        let mut seen = vec![false; rounds.unwrap_or(0) as usize];
        let mut overrides: Vec<(usize, Dist)> = Vec::new();
        for r in &raw.rounds {
            let round = match (&r.round, rounds) {
                (Some(n), Some(rounds)) => self
                    .count("domestic.round.round", n, 1, i64::from(rounds))
                    .map(|n| n as usize)
                    .and_then(|round| {
                        if std::mem::replace(&mut seen[round - 1], true) {
                            self.fail(
                                n.span(),
                                format!("domestic.round: round {round} is overridden twice"),
                            )
                        } else {
                            Some(round)
                        }
                    }),
                _ => None,
            };
            let supply = r
                .supply
                .as_ref()
                .and_then(|s| self.units(&r.field.key("supply").to_string(), s));
            match (round, supply) {
                (Some(round), Some(supply)) => overrides.push((round, supply)),
                _ => ok = false,
            }
        }
        let (ratio, supply, equivalence, rounds) = (ratio?, supply?, equivalence?, rounds?);
        if !ok {
            return None;
        }
        let mut supply = vec![supply; rounds as usize];
        for (round, s) in overrides {
            supply[round - 1] = s;
        }
        Some(Domestic {
            ratio,
            supply,
            equivalence,
        })
    }

    fn firms(&mut self, raw: &raw::Entries<raw::RawFirm>) -> Checked<Vec<Firm>> {
        let count = match raw.count {
            0 => Some("a scenario needs at least one [[firm]]".to_string()),
            n if n > MAX_FIRMS => Some(format!("{n} firms is more than the limit of {MAX_FIRMS}")),
            _ => None,
        };
        if let Some(message) = &count {
            self.problems
                .report(Some(raw.span.clone()), message.as_str());
        }
        // An entry that is not a table was reported by the reader.
        let mut ok = count.is_none() && raw.entries.len() == raw.count;
        let mut names: HashSet<String> = HashSet::new();
        let mut firms: Vec<Firm> = Vec::new();
        for f in &raw.entries {
            let name = f.name.as_ref().and_then(|n| {
                let name = n.get_ref().trim().to_string();
                if let Err(m) = check_name(NameKind::Firm, &name) {
                    return self.fail(n.span(), m.to_string());
                }
                if names.contains(&name) {
                    return self.fail(
                        n.span(),
                        format!("firm.name: two firms are named \"{name}\"; names must be unique"),
                    );
                }
                names.insert(name.clone());
                Some(name)
            });
            let field = |k: &str| f.field.key(k).to_string();
            let orders = f
                .orders
                .as_ref()
                .and_then(|o| self.units(&field("orders"), o));
            let eligible_from = self.opt(
                &f.eligible_from,
                |_| Entry::Round(1),
                |v, e| match e.get_ref() {
                    NumberOr::Number(n) => v
                        .count(
                            &field("eligible_from"),
                            &S::new(e.span(), *n),
                            1,
                            i64::from(u32::MAX),
                        )
                        .map(|e| Entry::Round(e as u32)),
                    NumberOr::Drawn(d) => v.dist(&field("eligible_from"), d).map(entry_of),
                },
            );
            let round_cap = self.opt(
                &f.round_cap,
                |_| None,
                |v, c| v.count(&field("round_cap"), c, 0, i64::MAX).map(Some),
            );
            let priority = self.opt(
                &f.priority,
                |_| f.index as i64 + 1,
                |_, p| Some(*p.get_ref()),
            );
            let weight = self.opt(
                &f.weight,
                |_| 1.0,
                |v, w| {
                    if w.get_ref().is_finite() && *w.get_ref() > 0.0 {
                        Some(*w.get_ref())
                    } else {
                        v.fail(
                            w.span(),
                            format!("{} must be > 0, got {}", field("weight"), w.get_ref()),
                        )
                    }
                },
            );
            match (name, orders, eligible_from, round_cap, priority, weight) {
                (
                    Some(name),
                    Some(orders),
                    Some(eligible_from),
                    Some(round_cap),
                    Some(priority),
                    Some(weight),
                ) => firms.push(Firm {
                    name,
                    orders,
                    eligible_from,
                    round_cap,
                    priority,
                    weight,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(firms)
    }

    /// The events; their windows are clipped to `rounds`, and checked without it when it is not
    /// known (invalid).
    fn events(&mut self, raw: &[raw::RawEvent], rounds: Option<u32>) -> Checked<Vec<Event>> {
        let mut ok = true;
        let mut names: HashSet<String> = HashSet::new();
        let mut events: Vec<Event> = Vec::new();
        for e in raw {
            let name = e.name.as_ref().and_then(|n| {
                let name = n.get_ref().trim().to_string();
                if let Err(m) = check_name(NameKind::Event, &name) {
                    return self.fail(n.span(), m.to_string());
                }
                if names.contains(&name) {
                    return self.fail(
                        n.span(),
                        format!(
                            "event.name: two events are named \"{name}\"; names must be unique"
                        ),
                    );
                }
                names.insert(name.clone());
                Some(name)
            });
            let field = |k: &str| e.field.key(k).to_string();
            let effect =
                e.effect
                    .as_ref()
                    .and_then(|effect| match (effect.get_ref().as_str(), &e.factor) {
                        ("halt" | "hold", Opt::Given(f)) => self.fail(
                            f.span(),
                            format!("{}: only a \"scale\" event takes a factor", field("factor")),
                        ),
                        ("halt" | "hold" | "scale", Opt::Invalid) => None,
                        ("halt", Opt::Absent) => Some(Effect::Halt),
                        ("hold", Opt::Absent) => Some(Effect::Hold),
                        ("scale", Opt::Given(f)) => {
                            self.non_negative(&field("factor"), f).map(Effect::Scale)
                        }
                        ("scale", Opt::Absent) => self.fail(
                            effect.span(),
                            format!("{}: a \"scale\" event needs a factor", field("effect")),
                        ),
                        (other, _) => {
                            let message =
                                messages::unknown_name("effect", other, &["halt", "hold", "scale"]);
                            self.fail(effect.span(), format!("{}: {message}", field("effect")))
                        }
                    });
            let from_round = self.opt(
                &e.from_round,
                |_| 1,
                |v, r| {
                    v.count(&field("from_round"), r, 1, i64::from(u32::MAX))
                        .map(|r| r as u32)
                },
            );
            let to_round = self.opt(
                &e.to_round,
                |_| rounds,
                |v, r| {
                    let to = v.count(&field("to_round"), r, 1, i64::from(u32::MAX))? as u32;
                    match from_round {
                        Some(from) if to < from => v.fail(
                            r.span(),
                            format!(
                                "{} ({to}) must not be before from_round ({from})",
                                field("to_round")
                            ),
                        ),
                        _ => Some(rounds.map(|rounds| to.min(rounds))),
                    }
                },
            );
            let probability = e
                .probability
                .as_ref()
                .and_then(|p| self.probability(&field("probability"), p));
            match (name, effect, probability, from_round, to_round) {
                (
                    Some(name),
                    Some(effect),
                    Some(probability),
                    Some(from_round),
                    Some(Some(to_round)),
                ) => events.push(Event {
                    name,
                    effect,
                    probability,
                    from_round,
                    to_round,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(events)
    }

    fn name(&mut self, raw: &S<String>) -> Checked<String> {
        let name = raw.get_ref();
        if let Err(m) = check_name(NameKind::Scenario, name) {
            return self.fail(raw.span(), m.to_string());
        }
        Some(name.clone())
    }

    fn count(&mut self, field: &str, raw: &S<i64>, min: i64, max: i64) -> Checked<u64> {
        let v = *raw.get_ref();
        if v < min || v > max {
            let range = if max == i64::MAX {
                format!(">= {min}")
            } else {
                format!("within [{min}, {max}]")
            };
            return self.fail(raw.span(), format!("{field} must be {range}, got {v}"));
        }
        Some(v as u64)
    }

    fn probability(&mut self, field: &str, raw: &S<f64>) -> Checked<f64> {
        let p = *raw.get_ref();
        if !(0.0..=1.0).contains(&p) {
            return self.fail(
                raw.span(),
                format!("{field} must be within [0, 1], got {p}"),
            );
        }
        Some(p)
    }

    fn non_negative(&mut self, field: &str, raw: &S<f64>) -> Checked<f64> {
        let v = *raw.get_ref();
        if !(v.is_finite() && v >= 0.0) {
            return self.fail(
                raw.span(),
                format!("{field} must be a finite number >= 0, got {v}"),
            );
        }
        Some(v)
    }

    /// A domestic ratio (`domestic.ratio`, a regime's `domestic_ratio`), called `field`: finite,
    /// >= 0 and at most [`MAX_DOMESTIC_RATIO`].
    fn ratio(&mut self, field: &str, raw: &S<f64>) -> Checked<f64> {
        let v = self.non_negative(field, raw)?;
        if v > MAX_DOMESTIC_RATIO {
            return self.fail(
                raw.span(),
                format!(
                    "{field} must be at most 10^6 ({MAX_DOMESTIC_RATIO} domestic chips per imported chip), got {v}"
                ),
            );
        }
        Some(v)
    }

    /// `domestic.ratio` as a distribution: its support within [0, [`MAX_DOMESTIC_RATIO`]], so
    /// that every draw is a ratio the number would be allowed to be.
    fn ratio_dist(&mut self, field: &str, raw: &S<RawDist>) -> Checked<Dist> {
        let dist = self.dist(field, raw)?;
        let (lo, hi) = dist.support();
        if !(lo >= 0.0 && hi <= MAX_DOMESTIC_RATIO) {
            let span = self.blame(raw);
            return self.fail(
                span,
                format!(
                    "{field} must lie within [0, 10^6] (domestic chips per imported chip), but {} \
                     ranges over [{lo}, {hi}]",
                    dist.describe()
                ),
            );
        }
        Some(dist)
    }

    /// Where a problem of the distribution `raw` is reported: at the last `--set` that changed
    /// one of its parameters, if one did (the problem is that override's), else at the
    /// distribution.
    fn blame(&self, raw: &S<RawDist>) -> Range<usize> {
        let map = self.problems.map();
        raw.get_ref()
            .spans
            .iter()
            .filter(|s| map.is_override(s.start))
            .max_by_key(|s| s.start)
            .cloned()
            .unwrap_or_else(|| raw.span())
    }

    fn dist(&mut self, field: &str, raw: &S<RawDist>) -> Checked<Dist> {
        match Dist::from_spec(&raw.get_ref().spec) {
            Ok(d) => Some(d),
            Err(e) => {
                let span = self.blame(raw);
                self.fail(span, format!("{field}: {e}"))
            }
        }
    }

    /// A distribution of chip counts: its bounded draws must fit under [`MAX_UNITS`].
    fn units(&mut self, field: &str, raw: &S<RawDist>) -> Checked<Dist> {
        let dist = self.dist(field, raw)?;
        let (_, hi) = dist.support();
        // The limit holds after rounding, which takes halves away from zero (MODEL.md,
        // "Units"): 10^12 + 0.5 rounds to 10^12 + 1, past the limit.
        if hi.is_finite() && hi >= MAX_UNITS as f64 + 0.5 {
            let span = self.blame(raw);
            return self.fail(
                span,
                format!("{field} can reach {hi} units, more than the limit of 10^12 ({MAX_UNITS})"),
            );
        }
        Some(dist)
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

/// A firm's entry round drawn from `dist`: a point mass is the round it rounds to (halves away
/// from zero, at least 1, as the model rounds a draw), so that `{ dist = "fixed", value = 3 }`
/// is `eligible_from = 3`; anything else is drawn per trial.
fn entry_of(dist: Dist) -> Entry {
    match dist.point_mass() {
        // `as` saturates: a value past u32::MAX is past every horizon anyway.
        Some(x) => Entry::Round(x.round().max(1.0) as u32),
        None => Entry::Drawn(dist),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scenario, or its first problem.
    fn validate(toml: &str) -> Result<Scenario, ScenarioError> {
        parse(Path::new("t.toml"), toml.as_bytes(), &[]).map_err(|e| e.first().clone())
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
        for kind in [NameKind::Firm, NameKind::Event, NameKind::Regime] {
            // Letters and digits of any script, '-' and '_'.
            for good in [
                "Telecom-operators_2",
                "Zhipu",
                "智谱",
                "Ünïcödé",
                "٣",
                "_",
                "-",
            ] {
                assert_eq!(check_name(kind, good), Ok(()), "{good:?}");
            }
            for bad in [
                "",
                " padded",
                "tab\there",
                "line\nbreak",
                "a b",
                "A.B",
                "x/y",
                "a+b",
            ] {
                assert!(check_name(kind, bad).is_err(), "{bad:?}");
            }
        }
        assert!(check_name(NameKind::Firm, "Total").is_err());
        assert_eq!(check_name(NameKind::Event, "total"), Ok(()));
        assert_eq!(check_name(NameKind::Regime, "total"), Ok(()));
        // A name with other characters says which, and what would do.
        assert_eq!(
            check_name(NameKind::Firm, "Telecom operators, state")
                .unwrap_err()
                .to_string(),
            "firm.name \"Telecom operators, state\" has ' ', but names are made of letters, \
             digits, '-' and '_' (e.g. \"Telecom-operators-state\")"
        );
        assert_eq!(
            check_name(NameKind::Regime, "...").unwrap_err().to_string(),
            "regime.name \"...\" has '.', but names are made of letters, digits, '-' and '_'"
        );
        assert_eq!(
            check_name(NameKind::Event, "a\u{7}b")
                .unwrap_err()
                .to_string(),
            "event.name \"a\\u{7}b\" contains a control character"
        );
        assert_eq!(name_suggestion("(Co.) Ltd."), "Co-Ltd");
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
        assert_eq!(
            with("1e6").unwrap().domestic.ratio.point_mass(),
            Some(MAX_DOMESTIC_RATIO)
        );
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

#[cfg(test)]
mod problem_tests {
    use super::*;

    const TWO_ROUNDS: &str = "name = \"t\"\nrounds = 2\n[allocation]\nrule = \"talmud\"\n\
                              [approval]\nprobability = 0.5\nbatch = { dist = \"uniform\", min = 10, max = 20 }\n\
                              [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 1, max = 5 }\n\
                              [[firm]]\nname = \"Co-Ltd\"\norders = 5\n";

    fn with_sets(toml: &str, sets: &[&str]) -> Result<Scenario, ScenarioErrors> {
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        parse(Path::new("t.toml"), toml.as_bytes(), &overrides)
    }

    fn lines(e: &ScenarioErrors) -> Vec<String> {
        e.errors().iter().map(ToString::to_string).collect()
    }

    /// Problems of shape (an unknown key, a wrong type, a missing key) and of value are found in
    /// different passes and in no particular order; they are listed by position.
    #[test]
    fn every_independent_problem_is_listed_by_position() {
        let toml = "name = \"t\"\nrounds = 0\ncolour = 1\n[allocation]\nrule = \"talmud\"\n\
                    [approval]\nprobability = 2\nbatch = 10\n\
                    [[firm]]\nname = \"A\"\norders = { dist = \"uniform\", min = 5, max = 1 }\n\
                    [[firm]]\norders = \"x\"\n";
        let err = with_sets(toml, &["approval.probability=3", "firm.Nobody.weight=1"]).unwrap_err();
        assert_eq!(
            lines(&err),
            [
                "t.toml:2:10: rounds must be within [1, 1000], got 0",
                "t.toml:3:1: colour: unknown key (a typo?); expected one of `name`, `description`, \
                 `trials`, `seed`, `rounds`, `carry_over`, `allocation`, `approval`, `domestic`, \
                 `firm`, `event`, `dependence`, `regimes`, `regime`",
                "t.toml:11:10: firm.A.orders: min (5) must not exceed max (1)",
                "t.toml:12:1: the 2nd [[firm]] (line 12): missing required key `name`",
                "t.toml:13:10: the 2nd [[firm]] (line 12): orders: expected a number or a \
                 distribution such as { dist = \"uniform\", min = 1, max = 2 }, got string \"x\"",
                "--set approval.probability=3: approval.probability must be within [0, 1], got 3",
                "--set firm.Nobody.weight=1: no firm named 'Nobody' (the scenario has: A)",
            ]
        );
        assert_eq!((err.count(), err.omitted()), (7, 0));
        assert_eq!(err.first().location, "t.toml:2:10");
        assert_eq!(err.to_string(), lines(&err).join("\n"));
    }

    /// Past MAX_REPORTED, the earliest problems are kept whatever order they were found in, and
    /// the rest counted.
    #[test]
    fn problems_past_the_limit_are_counted() {
        let text = "x\n".repeat(200);
        let map = SourceMap::new(Path::new("t.toml"), &text, &[]);
        let mut problems = Problems::new(&map);
        for line in (0..200).rev() {
            problems.report(Some(2 * line..2 * line + 1), format!("problem {line}"));
        }
        let err = problems.finish().unwrap_err();
        let expected: Vec<String> = (0..MAX_REPORTED)
            .map(|l| format!("t.toml:{}:1: problem {l}", l + 1))
            .collect();
        assert_eq!(lines(&err), expected);
        assert_eq!((err.count(), err.omitted()), (200, 200 - MAX_REPORTED));
        assert!(
            err.to_string().ends_with("\nt.toml: and 180 more problems"),
            "{err}"
        );
    }

    #[test]
    fn one_parameter_of_a_distribution_can_be_set() {
        let s = with_sets(TWO_ROUNDS, &["firm.A.orders.max=9"]).unwrap();
        assert_eq!(s.firms[0].orders.support(), (1.0, 9.0));
        // A plain number is the `fixed` it stands for.
        let s = with_sets(TWO_ROUNDS, &["firm.Co-Ltd.orders.value=7"]).unwrap();
        assert_eq!(s.firms[1].orders.support(), (7.0, 7.0));
        let s = with_sets(TWO_ROUNDS, &["approval.batch.min=15", "domestic.ratio=0"]).unwrap();
        assert_eq!(s.approval[0].batch.support(), (15.0, 20.0));
        // A round without a batch of its own starts from the scenario's.
        let s = with_sets(TWO_ROUNDS, &["approval.round.2.batch.max=30"]).unwrap();
        assert_eq!(s.approval[0].batch.support(), (10.0, 20.0));
        assert_eq!(s.approval[1].batch.support(), (10.0, 30.0));
        // Names have no dots, so the part after `firm.` up to the key is the name.
        let err = with_sets(TWO_ROUNDS, &["firm.A.x.weight=2"]).unwrap_err();
        assert_eq!(
            err.first().message,
            "no firm named 'A.x' (the scenario has: A, Co-Ltd)"
        );
        // And the family itself can change, with the parameters it needs.
        let s = with_sets(
            TWO_ROUNDS,
            &["firm.A.orders.dist=triangular", "firm.A.orders.mode=2"],
        )
        .unwrap();
        assert_eq!(
            s.firms[0].orders.describe(),
            "triangular(min 1, mode 2, max 5)"
        );
    }

    /// The distribution an override changed is checked like the file's, and its problems are
    /// the override's.
    #[test]
    fn a_parameter_set_is_validated_and_names_the_set() {
        let first = |sets: &[&str]| with_sets(TWO_ROUNDS, sets).unwrap_err().first().to_string();
        assert_eq!(
            first(&["firm.A.orders.max=0"]),
            "--set firm.A.orders.max=0: firm.A.orders: min (1) must not exceed max (0)"
        );
        assert_eq!(
            first(&["firm.Co-Ltd.orders.max=9"]),
            "--set firm.Co-Ltd.orders.max=9: firm.Co-Ltd.orders: \"max\" is not a parameter \
             of fixed (it takes value)"
        );
        assert_eq!(
            first(&["firm.A.orders.dist=normal"]),
            "--set firm.A.orders.dist=normal: firm.A.orders: normal needs \"mean\""
        );
        // The file's parameters that the new family does not take are the override's fault.
        let err = with_sets(TWO_ROUNDS, &["approval.batch.dist=beta"]).unwrap_err();
        assert_eq!(
            lines(&err),
            ["max", "min"].map(|p| format!(
                "--set approval.batch.dist=beta: approval.batch: \"{p}\" is not a parameter of \
                 beta (it takes alpha, beta)"
            ))
        );
        assert_eq!(
            first(&["approval.batch.max=2e12"]),
            "--set approval.batch.max=2e12: approval.batch can reach 2000000000000 units, more \
             than the limit of 10^12 (1000000000000)"
        );
        assert_eq!(
            first(&["approval.round.1.batch.stdev=3"]),
            "--set approval.round.1.batch.stdev=3: approval.round.1.batch: \"stdev\" is not a \
             parameter of uniform (it takes min, max)"
        );
        assert_eq!(
            first(&["approval.conversion.alpha=2"]),
            "--set approval.conversion.alpha=2: approval.conversion is not in the scenario, so \
             it has no alpha to change; set the whole distribution, e.g. \
             approval.conversion={ dist = \"uniform\", min = 1, max = 2 }"
        );
        assert_eq!(
            first(&["firm.Nobody.orders.max=3"]),
            "--set firm.Nobody.orders.max=3: no firm named 'Nobody' (the scenario has: A, Co-Ltd)"
        );
        assert_eq!(
            first(&["firm.A.weight.max=3"]),
            "--set firm.A.weight.max=3: firm.A.weight is not a distribution, so it has no \
             parameter `max` to set (the distributions here are orders, eligible_from)"
        );
    }
}
