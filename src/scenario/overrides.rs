//! `--set KEY=VALUE`: splices an override into the parsed document before it is deserialized, so
//! an overridden value goes through exactly the checks a value in the file does.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use super::source::{Override, SourceMap};
use super::{messages, raw};

type Value<'a> = Spanned<DeValue<'a>>;

/// Keys whose value is (or may be) a distribution, by the table that holds them
/// (`approval.round` for each `[[approval.round]]` entry, `firm` for each firm): one of their
/// parameters can be set alone, `KEY.PARAM=VALUE`.
const DISTRIBUTIONS: [(&str, &str); 8] = [
    ("approval", "batch"),
    ("approval", "conversion"),
    ("approval.round", "batch"),
    ("domestic", "ratio"),
    ("domestic", "supply"),
    ("domestic.round", "supply"),
    ("firm", "orders"),
    ("firm", "eligible_from"),
];

fn is_distribution(table: &str, key: &str) -> bool {
    DISTRIBUTIONS.contains(&(table, key))
}

/// Whether `KEY.PART` of an entry of `section` is a place one override may set: a
/// distribution's parameter, or one entry of a regime's transition row.
fn takes_part(section: &str, key: &str) -> bool {
    is_distribution(section, key) || (section == "regime" && key == "transition")
}

/// What an override that sets one entry of a regime's transition row
/// (`regime.calm.transition.tense=0.2`) puts in the regime's own entry: "whatever the other
/// entries leave", which the validator computes once every override is applied (raw.rs reads
/// it as `RawProb::Rest`, and only from an override). A string nobody types: it starts with NUL.
pub const REST_OF_ROW: &str = "\u{0}the rest of the row";

/// Applies override `index` of `map` to `doc`; the error says why it cannot be (it is reported
/// at the override).
pub fn apply<'a>(
    doc: &mut DeTable<'a>,
    o: &'a Override,
    index: usize,
    map: &SourceMap<'_>,
) -> Result<(), String> {
    let at = map.override_offset(index);
    let here = at..at + o.value.len();
    let value = parse_value(&o.value, at);
    let path: Vec<&'a str> = o.key.split('.').collect();

    match path.as_slice() {
        ["firm" | "event" | "regime", rest @ ..] if rest.len() >= 2 => {
            let section = path[0];
            let (table, name, tail) =
                entry_by_name(doc, section, &o.key[section.len() + 1..], &here)?;
            let what = format!("{section}.{name}");
            if let ("regime", ["transition", target]) = (section, tail.as_slice()) {
                return set_transition(table, &name, &what, target, value, &here);
            }
            set(table, section, &what, &tail, value, &here, None)
        }
        ["regimes", "initial", _, ..] => Err(
            "regimes.initial is set whole: a regime's name (regimes.initial=calm) or a table of \
             probabilities (regimes.initial={ calm = 0.8, tense = 0.2 })"
                .into(),
        ),
        [
            section @ ("approval" | "domestic"),
            "round",
            round_text,
            rest @ ..,
        ] if !rest.is_empty() => {
            let round: i64 = round_text.parse().map_err(|_| {
                format!(
                    "'{round_text}' is not a round number; use {section}.round.N.{}",
                    rest.join(".")
                )
            })?;
            // A round's batch (domestic supply), if the round has none of its own, starts as the
            // scenario's.
            let own = if *section == "approval" {
                "batch"
            } else {
                "supply"
            };
            let fallback = table_at(doc, section, &here)?.get(own).cloned();
            let parent = table_at(doc, section, &here)?;
            let entries = array_of_tables(parent, "round", &here)?;
            let position = entries.iter().position(|e| {
                e.get_ref()
                    .as_table()
                    .and_then(|t| t.get("round"))
                    .and_then(|r| r.get_ref().as_integer())
                    .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                    == Some(round)
            });
            if position.is_none() && *section == "domestic" && rest[0] != "supply" {
                // A new `[[domestic.round]]` entry needs its supply: an entry with only an
                // unknown key would be two problems for one override.
                let field = format!("domestic.round.{round}.{}", rest[0]);
                return Err(messages::unknown_key(&field, rest[0], &["supply"]));
            }
            let kind = format!("{section}.round");
            let name = format!("{section}.round.{round}");
            let Some(position) = position else {
                // A round with no override yet gets one, so sweeps can set any round; it is
                // added only when the override applies (else the override is left out whole).
                let mut t = DeTable::new();
                t.insert(key("round", &here), parse_value(round_text, at));
                set(&mut t, &kind, &name, rest, value, &here, fallback)?;
                entries.push(Spanned::new(here.clone(), DeValue::Table(t)));
                return Ok(());
            };
            match entries.as_mut()[position].get_mut() {
                DeValue::Table(t) => set(t, &kind, &name, rest, value, &here, fallback),
                _ => Err(format!("{section}.round must be an array of tables")),
            }
        }
        [section, field, param] if is_distribution(section, field) => {
            let table = table_at(doc, section, &here)?;
            set(table, section, section, &[field, param], value, &here, None)
        }
        [sections @ .., field] => {
            let mut table = doc;
            for section in sections {
                table = table_at(table, section, &here)?;
            }
            table.insert(key(field, &here), value);
            Ok(())
        }
        [] => unreachable!("Override::parse rejects an empty key"),
    }
}

/// The `[[section]]` entry that `rest` (`NAME.KEY` or `NAME.KEY.PARAM`) addresses by name, with
/// its name and the keys after it. Names may hold dots: the longest name that `rest` starts
/// with wins.
fn entry_by_name<'t, 'a>(
    doc: &'t mut DeTable<'a>,
    section: &'a str,
    rest: &'a str,
    here: &Range<usize>,
) -> Result<(&'t mut DeTable<'a>, String, Vec<&'a str>), String> {
    let entries = array_of_tables(doc, section, here)?;
    let names: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            e.get_ref()
                .as_table()?
                .get("name")?
                .get_ref()
                .as_str()
                .map(String::from)
        })
        .collect();
    // The keys after each name that `rest` starts with: `KEY` or a distribution's `KEY.PARAM`
    // fit best; else keys that start with one of the entry's (set() says what is wrong with
    // them); else the name is not there.
    let keys = match section {
        "firm" => &raw::FIRM_KEYS[..],
        "event" => &raw::EVENT_KEYS[..],
        _ => &raw::REGIME_KEYS[..],
    };
    let candidates: Vec<(&String, Vec<&str>)> = names
        .iter()
        .filter_map(|n| {
            let tail = rest.strip_prefix(n.as_str())?.strip_prefix('.')?;
            (!tail.is_empty()).then(|| (n, tail.split('.').collect()))
        })
        .collect();
    let fits = |tail: &[&str]| match tail {
        [_] => true,
        [field, _] => takes_part(section, field),
        _ => false,
    };
    let found = candidates
        .iter()
        .filter(|(_, tail)| fits(tail))
        .chain(
            candidates
                .iter()
                .filter(|(_, tail)| keys.contains(&tail[0])),
        )
        .max_by_key(|(n, tail)| (fits(tail), n.len()))
        .map(|(n, _)| (*n).clone());
    let Some(name) = found else {
        // No firm has the name: say which name was meant, without the keys after it.
        let parts: Vec<&str> = rest.split('.').collect();
        let keys = match parts.as_slice() {
            [.., field, _] if parts.len() >= 3 && takes_part(section, field) => 2,
            _ => 1,
        };
        let meant = parts[..parts.len() - keys].join(".");
        return Err(format!(
            "no {section} named '{meant}' (the scenario has: {})",
            list(&names)
        ));
    };
    let tail: Vec<&'a str> = rest[name.len() + 1..].split('.').collect();
    let table = entries
        .iter_mut()
        .find_map(|e| match e.get_mut() {
            DeValue::Table(t)
                if t.get("name").and_then(|n| n.get_ref().as_str()) == Some(&name) =>
            {
                Some(t)
            }
            _ => None,
        })
        .ok_or_else(|| format!("no {section} named '{name}'"))?;
    Ok((table, name, tail))
}

/// Sets `keys` (`KEY`, or `KEY.PARAM` for a distribution) of `table`, a table of kind `kind`
/// (as [`DISTRIBUTIONS`] names it) called `name` in messages. `fallback`: the distribution a
/// parameter is set in when the table has none of its own.
fn set<'a>(
    table: &mut DeTable<'a>,
    kind: &str,
    name: &str,
    keys: &[&'a str],
    value: Value<'a>,
    here: &Range<usize>,
    fallback: Option<Value<'a>>,
) -> Result<(), String> {
    match keys {
        [field] => {
            table.insert(key(field, here), value);
            Ok(())
        }
        [field, param] if is_distribution(kind, field) => {
            let what = format!("{name}.{field}");
            if !table.contains_key(*field) {
                let Some(copy) = fallback else {
                    return Err(format!(
                        "{what} is not in the scenario, so it has no {param} to change; set the \
                         whole distribution, e.g. {what}={{ dist = \"uniform\", min = 1, max = 2 }}"
                    ));
                };
                table.insert(key(field, here), copy);
            }
            let Some(entry) = table.get_mut(*field) else {
                unreachable!("{what} was just found or inserted")
            };
            set_parameter(entry, &what, param, value, here)
        }
        [field, param] => {
            let distributions: Vec<&str> = DISTRIBUTIONS
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, f)| *f)
                .collect();
            let which = match distributions.as_slice() {
                [] => String::new(),
                [one] => format!(" (the distribution here is {one})"),
                many => format!(" (the distributions here are {})", many.join(", ")),
            };
            Err(format!(
                "{name}.{field} is not a distribution, so it has no parameter `{param}` to set{which}"
            ))
        }
        [..] => Err(format!(
            "{name}.{}: too many dotted parts; a distribution's parameter is set as KEY.PARAM, \
             e.g. firm.NAME.orders.max",
            keys.join(".")
        )),
    }
}

/// Sets entry `target` of the transition row of the regime `table` (named `own`, called `what`
/// in messages) to `value`, and marks the regime's own entry as taking up the difference
/// ([`REST_OF_ROW`]), so that the row still sums to 1. A regime without a row (absorbing) gets
/// one. Setting the own entry itself is refused: which other entry would give way is not
/// clear.
fn set_transition<'a>(
    table: &mut DeTable<'a>,
    own: &str,
    what: &str,
    target: &'a str,
    value: Value<'a>,
    here: &Range<usize>,
) -> Result<(), String> {
    let row = format!("{what}.transition");
    if target == own {
        return Err(format!(
            "{row}.{own}: a regime's own entry takes up what the other entries leave when one of \
             them is set, so it cannot be set alone; set another entry ({row}.NAME=P) or the \
             whole row ({row}={{ {own} = 0.8, NAME = 0.2 }})"
        ));
    }
    let entry = table
        .entry(key("transition", here))
        .or_insert_with(|| Spanned::new(here.clone(), DeValue::Table(DeTable::new())));
    let DeValue::Table(t) = entry.get_mut() else {
        return Err(format!(
            "{row} is a {}, not a table of probabilities, so it has no entry {target} to set",
            entry.get_ref().type_str()
        ));
    };
    t.insert(key(target, here), value);
    t.insert(
        Spanned::new(here.clone(), Cow::Owned(own.to_string())),
        Spanned::new(here.clone(), DeValue::String(Cow::Borrowed(REST_OF_ROW))),
    );
    Ok(())
}

/// Replaces parameter `param` of the distribution `entry` (called `what` in messages) by `value`.
/// A plain number is the `fixed` distribution it stands for, and becomes that table.
fn set_parameter<'a>(
    entry: &mut Value<'a>,
    what: &str,
    param: &'a str,
    value: Value<'a>,
    here: &Range<usize>,
) -> Result<(), String> {
    let span = entry.span();
    match entry.get_mut() {
        DeValue::Table(t) => {
            t.insert(key(param, here), value);
            return Ok(());
        }
        DeValue::Integer(_) | DeValue::Float(_) => {}
        other => {
            return Err(format!(
                "{what} is a {}, not a distribution, so it has no {param} to change",
                other.type_str()
            ));
        }
    }
    let number = std::mem::replace(entry, Spanned::new(span.clone(), DeValue::Boolean(false)));
    let mut t = DeTable::new();
    t.insert(
        Spanned::new(span.clone(), Cow::Borrowed("dist")),
        Spanned::new(span.clone(), DeValue::String(Cow::Borrowed("fixed"))),
    );
    t.insert(Spanned::new(span.clone(), Cow::Borrowed("value")), number);
    t.insert(key(param, here), value);
    *entry = Spanned::new(span, DeValue::Table(t));
    Ok(())
}

/// A TOML value, or the whole text as a string when it is not one (`rule=talmud`).
fn parse_value(text: &str, at: usize) -> Value<'_> {
    match DeValue::parse(text) {
        Ok(v) => shift(v, at),
        Err(_) => Spanned::new(at..at + text.len(), DeValue::String(Cow::Borrowed(text))),
    }
}

/// Moves a parsed override's spans into its place in the virtual source.
fn shift(v: Value<'_>, at: usize) -> Value<'_> {
    let span = v.span();
    let inner = match v.into_inner() {
        DeValue::Table(t) => DeValue::Table(
            t.into_iter()
                .map(|(k, v)| {
                    let ks = k.span();
                    (
                        Spanned::new(ks.start + at..ks.end + at, k.into_inner()),
                        shift(v, at),
                    )
                })
                .collect(),
        ),
        DeValue::Array(a) => {
            let mut out = DeArray::new();
            for v in a {
                out.push(shift(v, at));
            }
            DeValue::Array(out)
        }
        other => other,
    };
    Spanned::new(span.start + at..span.end + at, inner)
}

fn key<'a>(name: &'a str, span: &Range<usize>) -> Spanned<DeString<'a>> {
    Spanned::new(span.clone(), Cow::Borrowed(name))
}

/// The table under `name`, created empty when missing.
fn table_at<'a, 't>(
    table: &'t mut DeTable<'a>,
    name: &'a str,
    here: &Range<usize>,
) -> Result<&'t mut DeTable<'a>, String> {
    let entry = table
        .entry(key(name, here))
        .or_insert_with(|| Spanned::new(here.clone(), DeValue::Table(DeTable::new())));
    match entry.get_mut() {
        DeValue::Table(t) => Ok(t),
        DeValue::Array(_) if ["firm", "event", "regime"].contains(&name) => {
            let example = match name {
                "firm" => "firm.Baidu.eligible_from=3",
                "event" => "event.customs-hold.probability=0.2",
                _ => "regime.tense.approval_factor=0.5",
            };
            Err(format!(
                "{name} entries are set by name: use {name}.NAME.KEY, e.g. {example}"
            ))
        }
        DeValue::Array(_) => Err(format!("'{name}' is an array of tables, not a table")),
        other => Err(format!("'{name}' is a {}, not a table", other.type_str())),
    }
}

/// The array of tables under `name`, created empty when missing.
fn array_of_tables<'a, 't>(
    table: &'t mut DeTable<'a>,
    name: &'a str,
    here: &Range<usize>,
) -> Result<&'t mut DeArray<'a>, String> {
    let entry = table
        .entry(key(name, here))
        .or_insert_with(|| Spanned::new(here.clone(), DeValue::Array(DeArray::new())));
    match entry.get_mut() {
        DeValue::Array(a) => Ok(a),
        other => Err(format!(
            "'{name}' is a {}, not an array of tables",
            other.type_str()
        )),
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// The overrides as (key, value as typed) pairs, in the order given, a later override of the
/// same key replacing the earlier one in its place: the last wins, as when they are applied.
pub fn effective_overrides(overrides: &[Override]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(overrides.len());
    for o in overrides {
        match out.iter_mut().find(|(k, _)| *k == o.key) {
            Some(slot) => slot.1 = o.value.clone(),
            None => out.push((o.key.clone(), o.value.clone())),
        }
    }
    out
}

/// The value of dotted `key` (as `--set` takes it) in the scenario text `bytes` once
/// `overrides` are applied, written as the file writes it: the value's TOML text (a string's
/// contents without quotes; an override's value as typed). Where neither the file nor an
/// override gives the key, the value that applies instead: `approval.KEY` for a round's
/// `approval.round.N.KEY` (`domestic.supply` for `domestic.round.N.supply`), `domestic.ratio`
/// for a regime's `domestic_ratio`, 1 for an absorbing regime's own transition entry and 0 for
/// an entry a row leaves out, the first regime for `regimes.initial`, else the default that
/// docs/scenario-format.md ("Keys") states. A regime's own entry that an override made take up
/// the rest of its row is written as the number it comes to. None
/// when `bytes` is not a scenario or `key` addresses nothing in it; a plan validates its points
/// first, so the reason is reported there.
pub fn value_as_written(bytes: &[u8], overrides: &[Override], key: &str) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let map = SourceMap::new(std::path::Path::new(""), text, overrides);
    let mut doc = DeTable::parse(text).ok()?;
    for (index, o) in overrides.iter().enumerate() {
        apply(doc.get_mut(), o, index, &map).ok()?;
    }
    // The text the spans point into: the file, then each override's value after a newline
    // ([`SourceMap::new`]'s layout).
    let mut source = text.to_string();
    for o in overrides {
        source.push('\n');
        source.push_str(&o.value);
    }
    let path: Vec<&str> = key.split('.').collect();
    if path.iter().any(|p| p.is_empty()) {
        return None;
    }
    let doc = doc.get_ref();
    // A firm's position, for the default of its priority.
    let position = match path.as_slice() {
        ["firm", .., _] if path.len() >= 3 => {
            let name = &key["firm.".len()..key.len() - path[path.len() - 1].len() - 1];
            doc.get("firm")
                .and_then(|f| f.get_ref().as_array())
                .and_then(|a| a.iter().position(|e| entry_name(e) == Some(name)))
        }
        _ => None,
    };
    match lookup(doc, key) {
        Lookup::Found(value) => {
            return Some(match value.get_ref() {
                DeValue::String(s) if s == REST_OF_ROW => rest_of_row(doc, key)?.to_string(),
                DeValue::String(s) => s.to_string(),
                _ => source.get(value.span())?.trim().to_string(),
            });
        }
        Lookup::Absent => {}
        Lookup::Nowhere => return None,
    }
    match path.as_slice() {
        [section @ ("approval" | "domestic"), "round", _, field] => {
            value_as_written(bytes, overrides, &format!("{section}.{field}"))
        }
        ["firm", .., "priority"] => position.map(|i| (i + 1).to_string()),
        ["event", .., "to_round"] => value_as_written(bytes, overrides, "rounds"),
        ["regime", .., "domestic_ratio"] => value_as_written(bytes, overrides, "domestic.ratio"),
        ["regime", .., "transition", target] if path.len() >= 4 => {
            let regime = &key["regime.".len()..key.len() - target.len() - ".transition.".len()];
            let absorbing = matches!(
                lookup(doc, &format!("regime.{regime}.transition")),
                Lookup::Absent
            );
            Some(
                if absorbing && regime == *target {
                    "1"
                } else {
                    "0"
                }
                .to_string(),
            )
        }
        ["regimes", "initial"] => doc
            .get("regime")
            .and_then(|r| r.get_ref().as_array())
            .and_then(|a| a.iter().next())
            .and_then(entry_name)
            .map(String::from),
        other => default_value(other).map(String::from),
    }
}

/// What the entry at `key` of a transition row comes to when an override marked it as the rest
/// of its row ([`REST_OF_ROW`]): 1 minus the row's other entries.
fn rest_of_row(doc: &DeTable<'_>, key: &str) -> Option<f64> {
    let (row_key, own) = key.rsplit_once('.')?;
    let Lookup::Found(row) = lookup(doc, row_key) else {
        return None;
    };
    let mut sum = 0.0;
    for (k, v) in row.get_ref().as_table()? {
        if k.get_ref().as_ref() == own {
            continue;
        }
        sum += match v.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok()?,
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok()? as f64,
            _ => return None,
        };
    }
    Some(1.0 - sum)
}

/// The defaults of docs/scenario-format.md ("Keys") for a key the file may leave out, other than
/// those that follow from another value (a round's approval, a firm's priority, an event's last
/// round).
fn default_value(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        ["trials"] => "100000",
        ["seed"] => "0",
        ["carry_over"] => "true",
        ["description"] => "",
        ["approval", "conversion"] => "1",
        ["domestic", "ratio" | "supply" | "equivalence"] => "0",
        ["firm", .., "eligible_from"] => "1",
        ["firm", .., "round_cap"] => "none",
        ["firm", .., "weight"] => "1",
        ["event", .., "from_round"] => "1",
        ["dependence", "orders" | "conversion" | "batch_supply"] => "none",
        [
            "regime",
            ..,
            "approval_factor" | "batch_factor" | "conversion_factor" | "domestic_supply_factor",
        ] => "1",
        ["regime", .., "hold"] => "false",
        _ => return None,
    })
}

/// Where a dotted key leads in a scenario document, read only.
enum Lookup<'d, 'a> {
    /// The key's value.
    Found(&'d Spanned<DeValue<'a>>),
    /// The key names a place the scenario may fill but leaves empty (a default applies).
    Absent,
    /// The key addresses nothing (no firm or event of that name, or a value where a table
    /// should be).
    Nowhere,
}

/// The `name` of a `[[firm]]`, `[[event]]` or `[[regime]]` entry.
fn entry_name<'d>(entry: &'d Spanned<DeValue<'_>>) -> Option<&'d str> {
    entry.get_ref().as_table()?.get("name")?.get_ref().as_str()
}

/// The value dotted `key` names in `doc`, found as [`apply`] finds the place it sets: a firm,
/// event or regime by the longest name the key starts with, a round of `approval.round` or
/// `domestic.round` by its number, else nested tables.
fn lookup<'d, 'a>(doc: &'d DeTable<'a>, key: &str) -> Lookup<'d, 'a> {
    let path: Vec<&str> = key.split('.').collect();
    let (table, tail): (&DeTable<'a>, Vec<&str>) = match path.as_slice() {
        ["firm" | "event" | "regime", ..] if path.len() >= 3 => {
            let section = path[0];
            let rest = &key[section.len() + 1..];
            let Some(entries) = doc.get(section).and_then(|v| v.get_ref().as_array()) else {
                return Lookup::Nowhere;
            };
            let found = entries
                .iter()
                .filter_map(|e| {
                    let name = entry_name(e)?;
                    let tail = rest.strip_prefix(name)?.strip_prefix('.')?;
                    Some((name.len(), e, tail))
                })
                .max_by_key(|(len, _, _)| *len);
            let Some((_, entry, tail)) = found else {
                return Lookup::Nowhere;
            };
            match entry.get_ref().as_table() {
                Some(t) => (t, tail.split('.').collect()),
                None => return Lookup::Nowhere,
            }
        }
        [
            section @ ("approval" | "domestic"),
            "round",
            number,
            rest @ ..,
        ] if !rest.is_empty() => {
            let Ok(round) = number.parse::<i64>() else {
                return Lookup::Nowhere;
            };
            let rounds = doc
                .get(*section)
                .and_then(|a| a.get_ref().as_table())
                .and_then(|a| a.get("round"))
                .and_then(|r| r.get_ref().as_array());
            let entry = rounds.and_then(|rs| {
                rs.iter().find_map(|e| {
                    let t = e.get_ref().as_table()?;
                    let n = t.get("round")?.get_ref().as_integer()?;
                    (i64::from_str_radix(n.as_str(), n.radix()).ok() == Some(round)).then_some(t)
                })
            });
            match entry {
                Some(t) => (t, rest.to_vec()),
                None => return Lookup::Absent,
            }
        }
        _ => (doc, path.clone()),
    };
    let Some((field, sections)) = tail.split_last() else {
        return Lookup::Nowhere;
    };
    let mut table = table;
    for section in sections {
        match table.get(*section).map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => table = t,
            Some(_) => return Lookup::Nowhere,
            None => return Lookup::Absent,
        }
    }
    match table.get(*field) {
        Some(v) => Lookup::Found(v),
        None => Lookup::Absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline() -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        std::fs::read(path).expect("the baseline scenario ships with the crate")
    }

    fn set(list: &[&str]) -> Vec<Override> {
        list.iter().map(|t| Override::parse(t).unwrap()).collect()
    }

    #[test]
    fn the_last_override_of_a_key_wins_in_its_place() {
        let pairs = effective_overrides(&set(&["a=1", "b=2", "a=3"]));
        assert_eq!(
            pairs,
            [("a".to_string(), "3".to_string()), ("b".into(), "2".into())]
        );
        assert!(effective_overrides(&[]).is_empty());
    }

    #[test]
    fn values_read_as_the_file_writes_them() {
        let b = baseline();
        let v = |overrides: &[&str], key: &str| value_as_written(&b, &set(overrides), key);
        assert_eq!(v(&[], "domestic.ratio").as_deref(), Some("0.3"));
        assert_eq!(v(&[], "rounds").as_deref(), Some("4"));
        assert_eq!(v(&[], "allocation.rule").as_deref(), Some("proportional"));
        assert_eq!(
            v(&[], "approval.batch").as_deref(),
            Some("{ dist = \"pert\", min = 100000, mode = 200000, max = 400000 }")
        );
        assert_eq!(
            v(&[], "event.customs-hold.probability").as_deref(),
            Some("0.08")
        );
        assert_eq!(v(&[], "firm.Baidu.eligible_from").as_deref(), Some("2"));
        assert_eq!(
            v(&[], "approval.round.1.probability").as_deref(),
            Some("1.0")
        );
        // Overrides, as typed: a bare word, a number, a distribution.
        let o = ["domestic.ratio=0.6", "allocation.rule=talmud"];
        assert_eq!(v(&o, "domestic.ratio").as_deref(), Some("0.6"));
        assert_eq!(v(&o, "allocation.rule").as_deref(), Some("talmud"));
        assert_eq!(
            v(
                &["approval.batch={dist=\"fixed\",value=3}"],
                "approval.batch"
            )
            .as_deref(),
            Some("{dist=\"fixed\",value=3}")
        );
        assert_eq!(
            v(
                &["domestic.ratio=0.6", "domestic.ratio=0.7"],
                "domestic.ratio"
            )
            .as_deref(),
            Some("0.7")
        );
        // What applies where the file says nothing.
        assert_eq!(
            v(&[], "approval.round.3.probability").as_deref(),
            Some("0.7")
        );
        assert_eq!(
            v(
                &["approval.probability=0.5"],
                "approval.round.3.probability"
            )
            .as_deref(),
            Some("0.5")
        );
        assert_eq!(v(&[], "firm.Baidu.round_cap").as_deref(), Some("none"));
        assert_eq!(v(&[], "firm.Baidu.priority").as_deref(), Some("4"));
        assert_eq!(v(&[], "firm.ByteDance.weight").as_deref(), Some("1"));
        assert_eq!(v(&[], "event.customs-hold.to_round").as_deref(), Some("4"));
        assert_eq!(
            v(&["rounds=6"], "event.customs-hold.to_round").as_deref(),
            Some("6")
        );
        // Nothing to find.
        assert_eq!(v(&[], "firm.Nobody.eligible_from"), None);
        assert_eq!(v(&[], "domestic.nonsense"), None);
        assert_eq!(value_as_written(b"not = [toml", &[], "rounds"), None);
    }
}
