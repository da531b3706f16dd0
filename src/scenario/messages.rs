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
    let path = match span {
        Some(s) if s != root => locate(doc, s.start, "").unwrap_or_default(),
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
            return with_path(format!(
                "expected {}, got {got}",
                type_name(expected, &path)
            ));
        }
    }
    with_path(message.to_string())
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
                locate(t, offset, &format!("{element_path}."))
                    .or_else(|| element.span().contains(&offset).then_some(element_path))
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
