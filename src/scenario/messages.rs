//! Turns serde's messages about a scenario (Rust type names, no field) into ones that name the
//! field by its dotted path and speak of TOML types.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// `message` (from serde, about `span` of a document whose root spans `root`) rewritten to start
/// with the dotted path of the key it concerns, e.g. `rounds: expected an integer, got string "four"`.
pub fn explain(
    doc: &DeTable<'_>,
    span: Option<Range<usize>>,
    root: Range<usize>,
    message: &str,
) -> String {
    // An error about the whole document (a missing top-level key) concerns no one key.
    let path = match &span {
        Some(s) if *s != root => locate(doc, s.start, "").unwrap_or_default(),
        _ => String::new(),
    };
    let with_path = |text: String| {
        if path.is_empty() {
            text
        } else {
            format!("{path}: {text}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field ") {
        return with_path(format!("missing required key {rest}"));
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        // The path already ends with the unknown key itself.
        let expected = rest
            .split_once(", expected ")
            .map_or(String::new(), |(_, e)| format!("; expected {e}"));
        return with_path(format!("unknown key (a typo?){expected}"));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            if let Some(number) = got
                .strip_prefix("integer `")
                .and_then(|g| g.strip_suffix("` as i128"))
            {
                return with_path(out_of_range(number));
            }
            let got = match &span {
                Some(s) if got == "map" && is_datetime(doc, s) => "a date-time".to_string(),
                _ => found(got),
            };
            return with_path(format!(
                "expected {}, got {got}",
                type_name(expected, &path)
            ));
        }
    }
    if let Some(number) = message
        .strip_prefix("invalid value: integer `")
        .and_then(|m| m.split_once('`'))
        .map(|(n, _)| n)
    {
        return with_path(out_of_range(number));
    }
    with_path(message.to_string())
}

/// A TOML syntax error's `message` about `span` of `text`, in plain words and naming the key
/// where it can.
pub fn syntax(text: &str, span: Option<Range<usize>>, message: &str) -> String {
    let quoted = span
        .and_then(|s| text.get(s))
        .map(|k| k.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()))
        .filter(|k| !k.is_empty() && k.len() <= 100 && !k.contains('\n'));
    match message {
        "duplicate key" => match quoted {
            Some(key) => format!("`{key}` is defined twice; a key or table may appear only once"),
            None => "a key or table is defined twice; each may appear only once".to_string(),
        },
        "cannot recurse further; max recursion depth met" | "recursion limit" => {
            "arrays, tables or dotted keys are nested too deeply".to_string()
        }
        m => format!("not valid TOML: {m}"),
    }
}

/// Serde's description of the value found, in TOML words: `sequence` is an array, `map` a
/// table, and an integer beyond 64 bits is out of TOML's range.
fn found(got: &str) -> String {
    match got {
        "sequence" => "an array".to_string(),
        "map" => "a table".to_string(),
        g => g.to_string(),
    }
}

/// Whether the value at `span` of `table` (at any depth) is a TOML date-time, which serde sees
/// as a map.
fn is_datetime(table: &DeTable<'_>, span: &Range<usize>) -> bool {
    fn walk(value: &toml::Spanned<DeValue<'_>>, span: &Range<usize>) -> bool {
        if !value.span().contains(&span.start) {
            return false;
        }
        match value.get_ref() {
            DeValue::Datetime(_) => true,
            DeValue::Table(t) => t.iter().any(|(_, v)| walk(v, span)),
            DeValue::Array(a) => a.iter().any(|v| walk(v, span)),
            _ => false,
        }
    }
    table.iter().any(|(_, v)| walk(v, span))
}

fn out_of_range(number: &str) -> String {
    format!(
        "{number} is out of range: a TOML integer must be within [{}, {}]",
        i64::MIN,
        i64::MAX
    )
}

/// A serde/Rust type description in TOML words.
fn type_name(expected: &str, path: &str) -> String {
    match expected {
        "i64" | "u64" | "u32" | "i32" | "usize" => "an integer".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a sequence" if ["firm", "event", "approval.round"].contains(&path) => {
            format!("an array of tables ([[{path}]])")
        }
        "a sequence" => "an array".to_string(),
        e if e.starts_with("struct ") => "a table".to_string(),
        e => e.to_string(),
    }
}

/// The dotted path of the deepest key whose key or value holds `offset`. Array-of-tables
/// entries are named as `--set` addresses them: `firm.NAME`, `approval.round.N`.
fn locate(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    for (key, value) in table.iter() {
        let path = format!("{prefix}{}", key.get_ref());
        let inner = match value.get_ref() {
            DeValue::Table(t) => locate(t, offset, &format!("{path}.")),
            DeValue::Array(a) => a.iter().enumerate().find_map(|(i, element)| {
                let DeValue::Table(t) = element.get_ref() else {
                    return None;
                };
                let label = t
                    .get("name")
                    .and_then(|n| n.get_ref().as_str().map(str::to_string))
                    .or_else(|| {
                        t.get("round")
                            .and_then(|r| r.get_ref().as_integer().map(|i| i.as_str().to_string()))
                    })
                    .unwrap_or_else(|| (i + 1).to_string());
                let element_path = format!("{path}.{label}");
                locate(t, offset, &format!("{element_path}.")).or_else(|| {
                    // An error at the header's own key (an unknown `[[approval.rounds]]`)
                    // concerns the key, not one entry.
                    if key.span().contains(&offset) {
                        Some(path.clone())
                    } else {
                        element.span().contains(&offset).then_some(element_path)
                    }
                })
            }),
            _ => None,
        };
        if inner.is_some() {
            return inner;
        }
        if key.span().contains(&offset) || value.span().contains(&offset) {
            return Some(path);
        }
    }
    None
}
