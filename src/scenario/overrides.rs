//! `--set KEY=VALUE`: splices an override into the parsed document before it is deserialized, so
//! an overridden value goes through exactly the checks a value in the file does.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use super::source::{Override, ScenarioError, SourceMap};

type Value<'a> = Spanned<DeValue<'a>>;

/// Applies override `index` of `map` to `doc`.
pub fn apply<'a>(
    doc: &mut DeTable<'a>,
    o: &'a Override,
    index: usize,
    map: &SourceMap<'_>,
) -> Result<(), ScenarioError> {
    let at = map.override_offset(index);
    let here = at..at + o.value.len();
    let value = parse_value(&o.value, at);
    let (table, field) = target(doc, &o.key, here.clone(), map)?;
    table.insert(key(field, &here), value);
    Ok(())
}

/// The table that holds dotted `key` in `doc` and the key's last part, the field in it: a firm
/// or event found by name, a round of `approval.round` (added when the file has none for it),
/// or nested tables (created when missing). `here` is the span an error, or anything created,
/// gets.
fn target<'a, 't>(
    doc: &'t mut DeTable<'a>,
    dotted: &'a str,
    here: Range<usize>,
    map: &SourceMap<'_>,
) -> Result<(&'t mut DeTable<'a>, &'a str), ScenarioError> {
    let at = here.start;
    let fail = |message: String| map.error(Some(here.clone()), message);
    let path: Vec<&'a str> = dotted.split('.').collect();

    let (table, field): (&mut DeTable<'a>, &'a str) = match path.as_slice() {
        ["firm" | "event", .., field] if path.len() >= 3 => {
            let section = path[0];
            let name = dotted[section.len() + 1..dotted.len() - field.len() - 1].to_string();
            let entries = array_of_tables(doc, section, &here).map_err(fail)?;
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
            let found = entries.iter_mut().find_map(|e| match e.get_mut() {
                DeValue::Table(t)
                    if t.get("name").and_then(|n| n.get_ref().as_str()) == Some(&name) =>
                {
                    Some(t)
                }
                _ => None,
            });
            let what = if section == "firm" { "firm" } else { "event" };
            let table = found.ok_or_else(|| {
                fail(format!(
                    "no {what} named '{name}' (the scenario has: {})",
                    list(&names)
                ))
            })?;
            (table, *field)
        }
        ["approval", "round", round_text, field] => {
            let round: i64 = round_text.parse().map_err(|_| {
                fail(format!(
                    "'{round_text}' is not a round number; use approval.round.N.{field}"
                ))
            })?;
            let approval = table_at(doc, "approval", &here).map_err(fail)?;
            let entries = array_of_tables(approval, "round", &here).map_err(fail)?;
            let position = entries.iter().position(|e| {
                e.get_ref()
                    .as_table()
                    .and_then(|t| t.get("round"))
                    .and_then(|r| r.get_ref().as_integer())
                    .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                    == Some(round)
            });
            let position = position.unwrap_or_else(|| {
                // A round with no override yet gets one, so sweeps can set any round.
                let mut t = DeTable::new();
                t.insert(key("round", &here), parse_value(round_text, at));
                entries.push(Spanned::new(here.clone(), DeValue::Table(t)));
                entries.len() - 1
            });
            match entries.as_mut()[position].get_mut() {
                DeValue::Table(t) => (t, *field),
                _ => return Err(fail("approval.round must be an array of tables".into())),
            }
        }
        [sections @ .., field] => {
            let mut table = doc;
            for section in sections {
                table = table_at(table, section, &here).map_err(fail)?;
            }
            (table, *field)
        }
        [] => unreachable!("Override::parse rejects an empty key"),
    };
    Ok((table, field))
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
/// `approval.round.N.KEY`, else the default that docs/scenario-format.md ("Keys") states. None
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
    // A firm's position, for the default of its priority, before `target` borrows the document.
    let position = match path.as_slice() {
        ["firm", .., _] if path.len() >= 3 => {
            let name = &key["firm.".len()..key.len() - path[path.len() - 1].len() - 1];
            doc.get_ref()
                .get("firm")
                .and_then(|f| f.get_ref().as_array())
                .and_then(|a| {
                    a.iter().position(|e| {
                        e.get_ref()
                            .as_table()
                            .and_then(|t| t.get("name"))
                            .and_then(|n| n.get_ref().as_str())
                            == Some(name)
                    })
                })
        }
        _ => None,
    };
    let (table, field) = target(doc.get_mut(), key, 0..0, &map).ok()?;
    if let Some(value) = table.get(field) {
        return Some(match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            _ => source.get(value.span())?.trim().to_string(),
        });
    }
    match path.as_slice() {
        ["approval", "round", _, field] => {
            value_as_written(bytes, overrides, &format!("approval.{field}"))
        }
        ["firm", .., "priority"] => position.map(|i| (i + 1).to_string()),
        ["event", .., "to_round"] => value_as_written(bytes, overrides, "rounds"),
        other => default_value(other).map(String::from),
    }
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
        _ => return None,
    })
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
        DeValue::Array(_) if ["firm", "event"].contains(&name) => Err(format!(
            "{name} entries are set by name: use {name}.NAME.KEY, e.g. firm.Baidu.eligible_from=3"
        )),
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
