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
    let fail = |message: String| map.error(Some(here.clone()), message);
    let value = parse_value(&o.value, at);
    let path: Vec<&'a str> = o.key.split('.').collect();

    let (table, field): (&mut DeTable<'a>, &'a str) = match path.as_slice() {
        ["firm" | "event", .., field] if path.len() >= 3 => {
            let section = path[0];
            let name = o.key[section.len() + 1..o.key.len() - field.len() - 1].to_string();
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
    table.insert(key(field, &here), value);
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
