//! The scenario file as written: the shapes of its tables, key for key as MODEL.md gives them,
//! read from the parsed document one key at a time. Every unknown key, wrong type and missing key
//! is reported with its position, and whatever could be read is kept, so that the validator can
//! still check the values around a broken one. Nothing here checks a value beyond its TOML type;
//! `Validator` (mod.rs) does. Each leaf is read by serde, so a value means here what serde makes
//! of it (an integer where a number is expected is that number).

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer as _, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::messages;
use super::overrides::REST_OF_ROW;
use super::source::Problems;
use super::suggest::{nearest, ordinal};
use super::{NameKind, check_name};
use crate::dist::DistSpec;

/// A value with its position in the (virtual) source.
pub type S<T> = Spanned<T>;

type Value<'d> = Spanned<DeValue<'d>>;

/// How messages name a field: its dotted path (`firm.Baidu.orders`) or, inside an array entry
/// that has no usable name, the entry by position and then the path within it
/// (`the 3rd [[firm]] (line 12): orders`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    entry: String,
    path: String,
}

impl Field {
    /// The field `key` inside this one.
    pub fn key(&self, key: &str) -> Field {
        Field {
            entry: self.entry.clone(),
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
        }
    }

    /// A dotted path from the top of the file.
    pub fn path(path: String) -> Field {
        Field {
            entry: String::new(),
            path,
        }
    }

    /// `message` about this field: prefixed with its name, unless it is the whole file.
    pub fn says(&self, message: impl fmt::Display) -> String {
        if self.entry.is_empty() && self.path.is_empty() {
            message.to_string()
        } else {
            format!("{self}: {message}")
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.entry.is_empty(), self.path.is_empty()) {
            (true, _) => f.write_str(&self.path),
            (false, true) => f.write_str(&self.entry),
            (false, false) => write!(f, "{}: {}", self.entry, self.path),
        }
    }
}

/// An optional key as read.
#[derive(Debug)]
pub enum Opt<T> {
    /// Not in the file: the default applies.
    Absent,
    /// In the file but unreadable (a wrong type), already reported: no default applies, and
    /// nothing that depends on it is checked.
    Invalid,
    /// In the file and of the right type.
    Given(S<T>),
}

/// The whole file. A required key is None when it is missing or unreadable (reported either way).
#[derive(Debug)]
pub struct RawScenario {
    pub name: Option<S<String>>,
    pub description: Opt<String>,
    pub trials: Opt<i64>,
    pub seed: Opt<i64>,
    pub rounds: Option<S<i64>>,
    pub carry_over: Opt<bool>,
    pub allocation: Option<RawAllocation>,
    pub approval: Option<RawApproval>,
    /// None when absent or not a table (reported): the defaults apply.
    pub domestic: Option<RawDomestic>,
    pub firms: Option<Entries<RawFirm>>,
    /// The readable `[[event]]` entries; none when absent or not an array (reported).
    pub events: Vec<RawEvent>,
    /// None when absent or not a table (reported): no dependence.
    pub dependence: Option<RawDependence>,
    /// The `[regimes]` table; None when absent or not a table (reported).
    pub regimes: Option<RawRegimes>,
    /// The `[[regime]]` entries.
    pub regime: Listed<RawRegime>,
}

/// An optional array of tables as read.
#[derive(Debug)]
pub enum Listed<T> {
    /// Not in the file.
    Absent,
    /// In the file but not an array of tables (reported).
    Invalid,
    /// In the file: its entries.
    Given(Entries<T>),
}

/// An array of tables as read.
#[derive(Debug)]
pub struct Entries<T> {
    /// The array's position.
    pub span: Range<usize>,
    /// Entries in the array, readable or not.
    pub count: usize,
    /// The entries that are tables, in listed order.
    pub entries: Vec<T>,
}

#[derive(Debug)]
pub struct RawAllocation {
    pub rule: Option<S<String>>,
}

#[derive(Debug)]
pub struct RawApproval {
    pub probability: Option<S<f64>>,
    pub batch: Option<S<RawDist>>,
    pub conversion: Opt<RawDist>,
    pub rounds: Vec<RawRound>,
}

#[derive(Debug)]
pub struct RawRound {
    /// `approval.round.N`, or the entry by position when its `round` is not an integer.
    pub field: Field,
    pub round: Option<S<i64>>,
    pub probability: Opt<f64>,
    pub batch: Opt<RawDist>,
}

#[derive(Debug)]
pub struct RawDomestic {
    pub ratio: Opt<NumberOr<f64>>,
    pub supply: Opt<RawDist>,
    pub equivalence: Opt<f64>,
    /// The readable `[[domestic.round]]` entries.
    pub rounds: Vec<RawDomesticRound>,
}

#[derive(Debug)]
pub struct RawDomesticRound {
    /// `domestic.round.N`, or the entry by position when its `round` is not an integer.
    pub field: Field,
    pub round: Option<S<i64>>,
    pub supply: Option<S<RawDist>>,
}

/// A key that takes a plain number or a distribution (`eligible_from`, `domestic.ratio`).
#[derive(Debug)]
pub enum NumberOr<N> {
    /// A plain number, read as an `N`.
    Number(N),
    /// A distribution table (`{ dist = ... }`), boxed: it is much larger than a number.
    Drawn(Box<S<RawDist>>),
}

#[derive(Debug)]
pub struct RawDependence {
    pub orders: Opt<RawOrders>,
    pub conversion: Opt<f64>,
    pub batch_supply: Opt<f64>,
}

/// `dependence.orders` as written.
#[derive(Debug)]
pub enum RawOrders {
    /// One rank correlation for every pair.
    Common(f64),
    /// Rows of entries, each with its position.
    Matrix(Vec<S<Vec<S<f64>>>>),
}

#[derive(Debug)]
pub struct RawRegimes {
    /// The table's position.
    pub span: Range<usize>,
    pub initial: Opt<RawInitial>,
}

/// `regimes.initial`: a regime's name, or probabilities by name.
#[derive(Debug)]
pub enum RawInitial {
    Name(String),
    Row(RawRow),
}

/// Probabilities of regimes by name, as written (a `transition` row or `initial`).
#[derive(Debug)]
pub struct RawRow {
    /// Each entry's key (a regime's name as written) and probability, in the order written.
    pub entries: Vec<(S<String>, S<RawProb>)>,
}

/// One probability of a row.
#[derive(Debug, Clone, Copy)]
pub enum RawProb {
    /// As written.
    Number(f64),
    /// Whatever the row's other entries leave: the regime's own entry after a `--set` of
    /// another entry of its row (overrides.rs, [`REST_OF_ROW`]).
    Rest,
}

#[derive(Debug)]
pub struct RawRegime {
    /// `regime.NAME`, or the entry by position when the name is missing, invalid or taken.
    pub field: Field,
    pub name: Option<S<String>>,
    pub approval_factor: Opt<f64>,
    pub batch_factor: Opt<f64>,
    pub conversion_factor: Opt<f64>,
    pub domestic_ratio: Opt<f64>,
    pub domestic_supply_factor: Opt<f64>,
    pub hold: Opt<bool>,
    pub transition: Opt<RawRow>,
}

#[derive(Debug)]
pub struct RawFirm {
    /// `firm.NAME`, or the entry by position when the name is missing, invalid or taken.
    pub field: Field,
    /// 0-based position in the array, which gives the default priority.
    pub index: usize,
    pub name: Option<S<String>>,
    pub orders: Option<S<RawDist>>,
    pub eligible_from: Opt<NumberOr<i64>>,
    pub round_cap: Opt<i64>,
    pub priority: Opt<i64>,
    pub weight: Opt<f64>,
}

#[derive(Debug)]
pub struct RawEvent {
    /// `event.NAME`, or the entry by position when the name is missing, invalid or taken.
    pub field: Field,
    pub name: Option<S<String>>,
    pub effect: Option<S<String>>,
    pub probability: Option<S<f64>>,
    pub from_round: Opt<i64>,
    pub to_round: Opt<i64>,
    pub factor: Opt<f64>,
}

/// A distribution as written (a plain number is `fixed`), with its parameters' positions.
#[derive(Debug)]
pub struct RawDist {
    pub spec: DistSpec,
    /// Where each parameter's value came from: a distribution one of whose parameters was set
    /// by `--set` is blamed on that override.
    pub spans: Vec<Range<usize>>,
}

/// The keys a scenario file may have at its top level, as MODEL.md names them.
pub const TOP_KEYS: [&str; 14] = [
    "name",
    "description",
    "trials",
    "seed",
    "rounds",
    "carry_over",
    "allocation",
    "approval",
    "domestic",
    "firm",
    "event",
    "dependence",
    "regimes",
    "regime",
];
const ALLOCATION_KEYS: [&str; 1] = ["rule"];
const APPROVAL_KEYS: [&str; 4] = ["probability", "batch", "conversion", "round"];
const ROUND_KEYS: [&str; 3] = ["round", "probability", "batch"];
const DOMESTIC_KEYS: [&str; 4] = ["ratio", "supply", "equivalence", "round"];
const DOMESTIC_ROUND_KEYS: [&str; 2] = ["round", "supply"];
const DEPENDENCE_KEYS: [&str; 3] = ["orders", "conversion", "batch_supply"];
const REGIMES_KEYS: [&str; 1] = ["initial"];
/// The keys of a `[[regime]]` entry.
pub const REGIME_KEYS: [&str; 8] = [
    "name",
    "approval_factor",
    "batch_factor",
    "conversion_factor",
    "domestic_ratio",
    "domestic_supply_factor",
    "hold",
    "transition",
];
/// The keys of a `[[firm]]` entry.
pub const FIRM_KEYS: [&str; 6] = [
    "name",
    "orders",
    "eligible_from",
    "round_cap",
    "priority",
    "weight",
];
/// The keys of an `[[event]]` entry.
pub const EVENT_KEYS: [&str; 6] = [
    "name",
    "effect",
    "probability",
    "from_round",
    "to_round",
    "factor",
];

/// The keys a distribution table may hold when its `dist` is unknown.
const DIST_KEYS: [&str; 13] = [
    "dist", "value", "min", "mode", "max", "mean", "sd", "median", "sigma", "alpha", "beta",
    "values", "weights",
];

/// Reads the document, reporting every problem of shape to `problems`.
pub fn read(doc: &Spanned<DeTable<'_>>, problems: &mut Problems<'_, '_>) -> RawScenario {
    let mut reader = Reader { problems };
    let root = Table {
        table: doc.get_ref(),
        span: doc.span(),
        field: Field::default(),
        missing: Vec::new(),
        suggested: Vec::new(),
    };
    reader.scenario(root)
}

struct Reader<'p, 'm, 'a> {
    problems: &'p mut Problems<'m, 'a>,
}

/// A table being read, and the required keys found missing so far (reported together).
struct Table<'v, 'd> {
    table: &'v DeTable<'d>,
    span: Range<usize>,
    field: Field,
    missing: Vec<&'static str>,
    /// The keys an unknown key was taken for ("did you mean `firm`?"): one of them missing is
    /// that typo, not a second problem.
    suggested: Vec<String>,
}

impl<'v, 'd> Table<'v, 'd> {
    fn get(&self, key: &str) -> Option<&'v Value<'d>> {
        self.table.get(key)
    }
}

impl Reader<'_, '_, '_> {
    fn report(&mut self, span: Range<usize>, message: String) {
        self.problems.report(Some(span), message);
    }

    fn scenario(&mut self, mut t: Table<'_, '_>) -> RawScenario {
        self.unknown_keys(&mut t, &TOP_KEYS);
        let name = self.required(&mut t, "name");
        let description = self.optional(&t, "description");
        let trials = self.optional(&t, "trials");
        let seed = self.optional(&t, "seed");
        let rounds = self.required(&mut t, "rounds");
        let carry_over = self.optional(&t, "carry_over");
        let allocation = match t.get("allocation") {
            Some(v) => self
                .table(v, Field::path("allocation".into()))
                .map(|a| self.allocation(a)),
            None => {
                t.missing.push("allocation");
                None
            }
        };
        let approval = match t.get("approval") {
            Some(v) => self
                .table(v, Field::path("approval".into()))
                .map(|a| self.approval(a)),
            None => {
                t.missing.push("approval");
                None
            }
        };
        let domestic = t.get("domestic").and_then(|v| {
            self.table(v, Field::path("domestic".into()))
                .map(|d| self.domestic(d))
        });
        let firms = match t.get("firm") {
            Some(v) => self.entries(v, "firm", firm_label, |r, t, i| r.firm(t, i)),
            None => {
                t.missing.push("firm");
                None
            }
        };
        let events = t
            .get("event")
            .and_then(|v| self.entries(v, "event", event_label, |r, t, _| r.event(t)))
            .map_or_else(Vec::new, |e| e.entries);
        let dependence = t.get("dependence").and_then(|v| {
            self.table(v, Field::path("dependence".into()))
                .map(|d| self.dependence(d))
        });
        let regimes = t.get("regimes").and_then(|v| {
            self.table(v, Field::path("regimes".into()))
                .map(|r| self.regimes(r))
        });
        let regime = match t.get("regime") {
            None => Listed::Absent,
            Some(v) => self
                .entries(v, "regime", regime_label, |r, t, _| r.regime(t))
                .map_or(Listed::Invalid, Listed::Given),
        };
        self.done(t);
        RawScenario {
            name,
            description,
            trials,
            seed,
            rounds,
            carry_over,
            allocation,
            approval,
            domestic,
            firms,
            events,
            dependence,
            regimes,
            regime,
        }
    }

    fn allocation(&mut self, mut t: Table<'_, '_>) -> RawAllocation {
        self.unknown_keys(&mut t, &ALLOCATION_KEYS);
        let rule = self.required(&mut t, "rule");
        self.done(t);
        RawAllocation { rule }
    }

    fn approval(&mut self, mut t: Table<'_, '_>) -> RawApproval {
        self.unknown_keys(&mut t, &APPROVAL_KEYS);
        let probability = self.required(&mut t, "probability");
        let batch = self.required_dist(&mut t, "batch");
        let conversion = self.optional_dist(&t, "conversion");
        let rounds = t
            .get("round")
            .and_then(|v| self.entries(v, "approval.round", round_label, |r, t, _| r.round(t)))
            .map_or_else(Vec::new, |e| e.entries);
        self.done(t);
        RawApproval {
            probability,
            batch,
            conversion,
            rounds,
        }
    }

    fn round(&mut self, mut t: Table<'_, '_>) -> RawRound {
        self.unknown_keys(&mut t, &ROUND_KEYS);
        let round = self.required(&mut t, "round");
        let probability = self.optional(&t, "probability");
        let batch = self.optional_dist(&t, "batch");
        let field = t.field.clone();
        self.done(t);
        RawRound {
            field,
            round,
            probability,
            batch,
        }
    }

    fn domestic(&mut self, mut t: Table<'_, '_>) -> RawDomestic {
        self.unknown_keys(&mut t, &DOMESTIC_KEYS);
        let rounds = t
            .get("round")
            .and_then(|v| {
                self.entries(v, "domestic.round", domestic_round_label, |r, t, _| {
                    r.domestic_round(t)
                })
            })
            .map_or_else(Vec::new, |e| e.entries);
        RawDomestic {
            ratio: self.number_or_dist(&t, "ratio"),
            supply: self.optional_dist(&t, "supply"),
            equivalence: self.optional(&t, "equivalence"),
            rounds,
        }
    }

    fn domestic_round(&mut self, mut t: Table<'_, '_>) -> RawDomesticRound {
        self.unknown_keys(&mut t, &DOMESTIC_ROUND_KEYS);
        let round = self.required(&mut t, "round");
        let supply = self.required_dist(&mut t, "supply");
        let field = t.field.clone();
        self.done(t);
        RawDomesticRound {
            field,
            round,
            supply,
        }
    }

    fn dependence(&mut self, mut t: Table<'_, '_>) -> RawDependence {
        self.unknown_keys(&mut t, &DEPENDENCE_KEYS);
        let orders = match t.get("orders") {
            None => Opt::Absent,
            Some(v) => self.orders(v, &t.field.key("orders")),
        };
        RawDependence {
            orders,
            conversion: self.optional(&t, "conversion"),
            batch_supply: self.optional(&t, "batch_supply"),
        }
    }

    /// `dependence.orders`: a number, or an array of rows of numbers (each entry read, and
    /// named in messages, by its row and column).
    fn orders(&mut self, value: &Value<'_>, field: &Field) -> Opt<RawOrders> {
        let rows = match value.get_ref() {
            DeValue::Array(rows) => rows,
            DeValue::Integer(_) | DeValue::Float(_) => {
                return self.leaf::<f64>(value, field).map_or(Opt::Invalid, |q| {
                    Opt::Given(S::new(q.span(), RawOrders::Common(q.into_inner())))
                });
            }
            _ => {
                self.wrong_type(
                    value,
                    field,
                    "a number or a matrix of rank correlations (an array of rows of numbers)",
                );
                return Opt::Invalid;
            }
        };
        let mut ok = true;
        let mut matrix = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let DeValue::Array(entries) = row.get_ref() else {
                let at = Field::path(format!("{field}, row {}", i + 1));
                self.wrong_type(row, &at, "an array of numbers (a row of the matrix)");
                ok = false;
                continue;
            };
            let mut read = Vec::new();
            for (j, x) in entries.iter().enumerate() {
                let at = Field::path(format!("{field}, row {}, column {}", i + 1, j + 1));
                match self.leaf::<f64>(x, &at) {
                    Some(x) => read.push(x),
                    None => ok = false,
                }
            }
            matrix.push(S::new(row.span(), read));
        }
        if ok {
            Opt::Given(S::new(value.span(), RawOrders::Matrix(matrix)))
        } else {
            Opt::Invalid
        }
    }

    fn regimes(&mut self, mut t: Table<'_, '_>) -> RawRegimes {
        self.unknown_keys(&mut t, &REGIMES_KEYS);
        let initial = match t.get("initial") {
            None => Opt::Absent,
            Some(v) => {
                let field = t.field.key("initial");
                match v.get_ref() {
                    DeValue::String(_) => {
                        self.leaf::<String>(v, &field).map_or(Opt::Invalid, |n| {
                            Opt::Given(S::new(n.span(), RawInitial::Name(n.into_inner())))
                        })
                    }
                    DeValue::Table(_) => self.row(v, &field, false).map_or(Opt::Invalid, |r| {
                        let span = r.span();
                        Opt::Given(S::new(span, RawInitial::Row(r.into_inner())))
                    }),
                    _ => {
                        self.wrong_type(
                            v,
                            &field,
                            "a regime's name or a table of probabilities such as \
                             { calm = 0.8, tense = 0.2 }",
                        );
                        Opt::Invalid
                    }
                }
            }
        };
        RawRegimes {
            span: t.span.clone(),
            initial,
        }
    }

    fn regime(&mut self, mut t: Table<'_, '_>) -> RawRegime {
        self.unknown_keys(&mut t, &REGIME_KEYS);
        let name = self.required(&mut t, "name");
        let transition = match t.get("transition") {
            None => Opt::Absent,
            Some(v) => self
                .row(v, &t.field.key("transition"), true)
                .map_or(Opt::Invalid, Opt::Given),
        };
        let regime = RawRegime {
            field: t.field.clone(),
            name,
            approval_factor: self.optional(&t, "approval_factor"),
            batch_factor: self.optional(&t, "batch_factor"),
            conversion_factor: self.optional(&t, "conversion_factor"),
            domestic_ratio: self.optional(&t, "domestic_ratio"),
            domestic_supply_factor: self.optional(&t, "domestic_supply_factor"),
            hold: self.optional(&t, "hold"),
            transition,
        };
        self.done(t);
        regime
    }

    /// A table of probabilities by regime name (`field` names it in messages). With
    /// `rest_allowed`, an entry an override marked as the rest of the row
    /// ([`REST_OF_ROW`]) is read as [`RawProb::Rest`]. None when it is not a table or an entry
    /// is not a number (reported).
    fn row(&mut self, value: &Value<'_>, field: &Field, rest_allowed: bool) -> Option<S<RawRow>> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(
                value,
                field,
                "a table of probabilities by regime name, such as { calm = 0.9, tense = 0.1 }",
            );
            return None;
        };
        let mut ok = true;
        let mut entries = Vec::new();
        for (key, v) in table.iter() {
            let name = S::new(key.span(), key.get_ref().to_string());
            let rest = rest_allowed
                && self.problems.map().is_override(v.span().start)
                && v.get_ref().as_str() == Some(REST_OF_ROW);
            if rest {
                entries.push((name, S::new(v.span(), RawProb::Rest)));
                continue;
            }
            match self.leaf::<f64>(v, &field.key(key.get_ref())) {
                Some(p) => entries.push((name, S::new(p.span(), RawProb::Number(p.into_inner())))),
                None => ok = false,
            }
        }
        // The table iterates in key order; the file's order says which of two is the repeat.
        entries.sort_by_key(|(key, _)| key.span().start);
        ok.then(|| S::new(value.span(), RawRow { entries }))
    }

    fn firm(&mut self, mut t: Table<'_, '_>, index: usize) -> RawFirm {
        self.unknown_keys(&mut t, &FIRM_KEYS);
        let name = self.required(&mut t, "name");
        let orders = self.required_dist(&mut t, "orders");
        let firm = RawFirm {
            field: t.field.clone(),
            index,
            name,
            orders,
            eligible_from: self.number_or_dist(&t, "eligible_from"),
            round_cap: self.optional(&t, "round_cap"),
            priority: self.optional(&t, "priority"),
            weight: self.optional(&t, "weight"),
        };
        self.done(t);
        firm
    }

    fn event(&mut self, mut t: Table<'_, '_>) -> RawEvent {
        self.unknown_keys(&mut t, &EVENT_KEYS);
        let name = self.required(&mut t, "name");
        let effect = self.required(&mut t, "effect");
        let probability = self.required(&mut t, "probability");
        let event = RawEvent {
            field: t.field.clone(),
            name,
            effect,
            probability,
            from_round: self.optional(&t, "from_round"),
            to_round: self.optional(&t, "to_round"),
            factor: self.optional(&t, "factor"),
        };
        self.done(t);
        event
    }

    /// Reports the keys of `t` that are not in `known`, each at its position.
    fn unknown_keys(&mut self, t: &mut Table<'_, '_>, known: &[&str]) {
        for (key, _) in t.table.iter() {
            let k: &str = key.get_ref();
            if !known.contains(&k) {
                let message = messages::unknown_key(&t.field.key(k).to_string(), k, known);
                self.report(key.span(), message);
                t.suggested.extend(nearest(k, known).map(String::from));
            }
        }
    }

    /// Reports the required keys found missing in `t`, all in one message at its position, but
    /// for those an unknown key was taken for.
    fn done(&mut self, t: Table<'_, '_>) {
        let keys: Vec<String> = t
            .missing
            .iter()
            .filter(|k| !t.suggested.iter().any(|s| s == *k))
            .map(|k| format!("`{k}`"))
            .collect();
        let message = match keys.as_slice() {
            [] => return,
            [one] => format!("missing required key {one}"),
            [rest @ .., last] => format!("missing required keys {} and {last}", rest.join(", ")),
        };
        self.report(t.span.clone(), t.field.says(message));
    }

    fn required<T: DeserializeOwned>(
        &mut self,
        t: &mut Table<'_, '_>,
        key: &'static str,
    ) -> Option<S<T>> {
        match t.get(key) {
            Some(v) => self.leaf(v, &t.field.key(key)),
            None => {
                t.missing.push(key);
                None
            }
        }
    }

    fn optional<T: DeserializeOwned>(&mut self, t: &Table<'_, '_>, key: &str) -> Opt<T> {
        match t.get(key) {
            Some(v) => self
                .leaf(v, &t.field.key(key))
                .map_or(Opt::Invalid, Opt::Given),
            None => Opt::Absent,
        }
    }

    fn required_dist(&mut self, t: &mut Table<'_, '_>, key: &'static str) -> Option<S<RawDist>> {
        match t.get(key) {
            Some(v) => self.dist(v, &t.field.key(key)),
            None => {
                t.missing.push(key);
                None
            }
        }
    }

    fn optional_dist(&mut self, t: &Table<'_, '_>, key: &str) -> Opt<RawDist> {
        match t.get(key) {
            Some(v) => self
                .dist(v, &t.field.key(key))
                .map_or(Opt::Invalid, Opt::Given),
            None => Opt::Absent,
        }
    }

    /// A key that is a plain number (read as an `N`, with the messages of one) or a
    /// distribution table.
    fn number_or_dist<N: DeserializeOwned>(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
    ) -> Opt<NumberOr<N>> {
        let Some(v) = t.get(key) else {
            return Opt::Absent;
        };
        let field = t.field.key(key);
        let read = match v.get_ref() {
            DeValue::Table(_) => self.dist(v, &field).map(|d| NumberOr::Drawn(Box::new(d))),
            _ => self
                .leaf::<N>(v, &field)
                .map(|n| NumberOr::Number(n.into_inner())),
        };
        read.map_or(Opt::Invalid, |r| Opt::Given(S::new(v.span(), r)))
    }

    /// One value read by serde as a `T`, or its type error reported.
    fn leaf<T: DeserializeOwned>(&mut self, value: &Value<'_>, field: &Field) -> Option<S<T>> {
        match S::<T>::deserialize(ValueDeserializer::from(value.clone())) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().unwrap_or_else(|| value.span());
                let datetime = is_datetime(value, &span);
                let message =
                    messages::explain(&field.to_string(), e.message().trim_end(), datetime);
                self.report(span, message);
                None
            }
        }
    }

    /// Reports that `value` is not `expected` (TOML words, e.g. "a table").
    fn wrong_type(&mut self, value: &Value<'_>, field: &Field, expected: &'static str) {
        let serde_message =
            match ValueDeserializer::from(value.clone()).deserialize_any(Expecting(expected)) {
                Ok(()) => format!("expected {expected}"),
                Err(e) => e.message().trim_end().to_string(),
            };
        let datetime = matches!(value.get_ref(), DeValue::Datetime(_));
        let message = messages::explain(&field.to_string(), &serde_message, datetime);
        self.report(value.span(), message);
    }

    fn table<'v, 'd>(&mut self, value: &'v Value<'d>, field: Field) -> Option<Table<'v, 'd>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(Table {
                table,
                span: value.span(),
                field,
                missing: Vec::new(),
                suggested: Vec::new(),
            }),
            _ => {
                self.wrong_type(value, &field, "a table");
                None
            }
        }
    }

    /// An array of tables `[[kind]]`: each entry that is a table read by `read` (with its
    /// 0-based position), named in messages by `label` (its name) or else by its position.
    /// None when the value is not an array (reported).
    fn entries<T>(
        &mut self,
        value: &Value<'_>,
        kind: &'static str,
        label: fn(&DeTable<'_>) -> Option<String>,
        mut read: impl FnMut(&mut Self, Table<'_, '_>, usize) -> T,
    ) -> Option<Entries<T>> {
        let field = Field::path(kind.to_string());
        let array = match value.get_ref() {
            DeValue::Array(a) => a,
            DeValue::Table(_) => {
                self.report(
                    value.span(),
                    field.says(format!(
                        "expected an array of tables, got a table: write [[{kind}]] (double \
                         brackets) for each {}",
                        kind.rsplit('.').next().unwrap_or(kind)
                    )),
                );
                return None;
            }
            _ => {
                self.wrong_type(value, &field, array_of(kind));
                return None;
            }
        };
        // A set: a scenario may list 100,000 firms before the limit refuses it.
        let mut labels: HashSet<String> = HashSet::new();
        let mut entries = Vec::new();
        for (i, element) in array.iter().enumerate() {
            let name = match element.get_ref() {
                DeValue::Table(t) => label(t).filter(|l| !labels.contains(l)),
                _ => None,
            };
            let field = match name {
                Some(name) => {
                    labels.insert(name.clone());
                    Field::path(name)
                }
                None => self.by_position(kind, i, &element.span()),
            };
            if let Some(t) = self.table(element, field) {
                entries.push(read(self, t, i));
            }
        }
        Some(Entries {
            span: value.span(),
            count: array.len(),
            entries,
        })
    }

    /// "the 3rd [[firm]] (line 12)": entry `index` (0-based) of an array of tables at `span`.
    fn by_position(&self, kind: &str, index: usize, span: &Range<usize>) -> Field {
        let line = self
            .problems
            .map()
            .line(span.start)
            .map_or(String::new(), |l| format!(" (line {l})"));
        Field {
            entry: format!("the {} [[{kind}]]{line}", ordinal(index + 1)),
            path: String::new(),
        }
    }

    /// A distribution: a number (`fixed`) or a table whose `dist` names the family and whose
    /// other keys are parameters of that family. None when it has a problem of shape
    /// (reported), so that its values are not checked as well.
    fn dist(&mut self, value: &Value<'_>, field: &Field) -> Option<S<RawDist>> {
        let DeValue::Table(table) = value.get_ref() else {
            let number = self.leaf::<Number>(value, field)?;
            let span = number.span();
            let spec = DistSpec {
                dist: "fixed".into(),
                value: Some(number.into_inner().0),
                ..DistSpec::default()
            };
            return Some(S::new(
                span.clone(),
                RawDist {
                    spec,
                    spans: vec![span],
                },
            ));
        };
        let mut ok = true;
        let mut spec = DistSpec::default();
        let mut family: Option<(&'static [&'static str], &'static [&'static str])> = None;
        let mut spans = Vec::new();
        // A `--set` that changed the family makes the file's parameters wrong: blame it.
        let mut family_set_at: Option<Range<usize>> = None;
        match table.get("dist") {
            None => {
                // A misspelt `dist` is reported as the unknown key it is, not also as missing.
                let misspelt = table.iter().any(|(k, _)| {
                    !DIST_KEYS.contains(&k.get_ref().as_ref())
                        && nearest(k.get_ref(), &DIST_KEYS) == Some("dist")
                });
                if !misspelt {
                    self.report(value.span(), field.says("missing required key `dist`"));
                }
                ok = false;
            }
            Some(v) => match self.leaf::<String>(v, &field.key("dist")) {
                None => ok = false,
                Some(name) => {
                    family = DistSpec::parameters_of(name.get_ref());
                    if family.is_none() {
                        let message = messages::unknown_name(
                            "distribution",
                            name.get_ref(),
                            &DistSpec::FAMILIES,
                        );
                        self.report(v.span(), field.says(message));
                        ok = false;
                    }
                    spec.dist = name.into_inner();
                    spans.push(v.span());
                    if self.problems.map().is_override(v.span().start) {
                        family_set_at = Some(v.span());
                    }
                }
            },
        }
        for (key, v) in table.iter() {
            let k: &str = key.get_ref();
            if k == "dist" {
                continue;
            }
            let takes = match family {
                Some((required, optional)) => required.contains(&k) || optional.contains(&k),
                None => DIST_KEYS.contains(&k),
            };
            if !takes {
                ok = false;
                let message = match family {
                    Some((required, optional)) => {
                        let all: Vec<&str> = required.iter().chain(optional).copied().collect();
                        let hint = nearest(k, &all)
                            .map_or(String::new(), |n| format!("; did you mean \"{n}\"?"));
                        field.says(format!(
                            "\"{k}\" is not a parameter of {}{hint} (it takes {})",
                            spec.dist,
                            DistSpec::takes(&spec.dist).unwrap_or_default()
                        ))
                    }
                    None => messages::unknown_key(&field.key(k).to_string(), k, &DIST_KEYS),
                };
                let span = match &family_set_at {
                    Some(at) if !self.problems.map().is_override(key.span().start) => at.clone(),
                    _ => key.span(),
                };
                self.report(span, message);
                continue;
            }
            spans.push(v.span());
            let param = field.key(k);
            let read = match k {
                "values" | "weights" => self
                    .leaf::<Vec<f64>>(v, &param)
                    .map(|x| Param::List(x.into_inner())),
                _ => self
                    .leaf::<f64>(v, &param)
                    .map(|x| Param::Number(x.into_inner())),
            };
            match read {
                Some(p) => set(&mut spec, k, p),
                None => ok = false,
            }
        }
        ok.then(|| S::new(value.span(), RawDist { spec, spans }))
    }
}

/// The expected type of an array of tables, as messages say it.
fn array_of(kind: &str) -> &'static str {
    match kind {
        "firm" => "an array of tables ([[firm]])",
        "event" => "an array of tables ([[event]])",
        "regime" => "an array of tables ([[regime]])",
        "domestic.round" => "an array of tables ([[domestic.round]])",
        _ => "an array of tables ([[approval.round]])",
    }
}

/// `firm.NAME` for a firm whose name is a valid one.
fn firm_label(t: &DeTable<'_>) -> Option<String> {
    named(t, NameKind::Firm).map(|n| format!("firm.{n}"))
}

/// `event.NAME` for an event whose name is a valid one.
fn event_label(t: &DeTable<'_>) -> Option<String> {
    named(t, NameKind::Event).map(|n| format!("event.{n}"))
}

/// `regime.NAME` for a regime whose name is a valid one.
fn regime_label(t: &DeTable<'_>) -> Option<String> {
    named(t, NameKind::Regime).map(|n| format!("regime.{n}"))
}

/// `approval.round.N` for a round override whose `round` is an integer.
fn round_label(t: &DeTable<'_>) -> Option<String> {
    round_number(t).map(|n| format!("approval.round.{n}"))
}

/// `domestic.round.N` for a domestic round override whose `round` is an integer.
fn domestic_round_label(t: &DeTable<'_>) -> Option<String> {
    round_number(t).map(|n| format!("domestic.round.{n}"))
}

fn round_number(t: &DeTable<'_>) -> Option<i64> {
    let round = t.get("round")?.get_ref().as_integer()?;
    i64::from_str_radix(round.as_str(), round.radix()).ok()
}

/// The entry's `name`, trimmed as the validator trims it, if it is a valid name.
fn named(t: &DeTable<'_>, kind: NameKind) -> Option<String> {
    let name = t.get("name")?.get_ref().as_str()?.trim();
    check_name(kind, name).ok()?;
    Some(name.to_string())
}

/// Whether the value at `span` inside `value` is a TOML date-time, which serde sees as a map.
fn is_datetime(value: &Value<'_>, span: &Range<usize>) -> bool {
    if !value.span().contains(&span.start) && value.span() != *span {
        return false;
    }
    match value.get_ref() {
        DeValue::Datetime(_) => true,
        DeValue::Table(t) => t.iter().any(|(_, v)| is_datetime(v, span)),
        DeValue::Array(a) => a.iter().any(|v| is_datetime(v, span)),
        _ => false,
    }
}

enum Param {
    Number(f64),
    List(Vec<f64>),
}

/// Sets parameter `key` (one of [`DistSpec::PARAMETERS`]) of `spec`.
fn set(spec: &mut DistSpec, key: &str, param: Param) {
    match param {
        Param::List(list) => match key {
            "values" => spec.values = Some(list),
            _ => spec.weights = Some(list),
        },
        Param::Number(x) => {
            let slot = match key {
                "value" => &mut spec.value,
                "min" => &mut spec.min,
                "mode" => &mut spec.mode,
                "max" => &mut spec.max,
                "mean" => &mut spec.mean,
                "sd" => &mut spec.sd,
                "median" => &mut spec.median,
                "sigma" => &mut spec.sigma,
                "alpha" => &mut spec.alpha,
                _ => &mut spec.beta,
            };
            *slot = Some(x);
        }
    }
}

/// A distribution written as a plain number.
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;

        impl Visitor<'_> for NumberVisitor {
            type Value = Number;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or a distribution such as { dist = \"uniform\", min = 1, max = 2 }",
                )
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }

        deserializer.deserialize_any(NumberVisitor)
    }
}

/// A visitor that accepts nothing: serde's "invalid type: X, expected Y" for any value.
struct Expecting(&'static str);

impl Visitor<'_> for Expecting {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
}
