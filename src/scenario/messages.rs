//! Turns serde's messages about a scenario (Rust type names, no field) into ones that name the
//! field by its dotted path and speak of TOML types.

use std::ops::Range;

/// `message` (serde's, about the value of the field called `field`) rewritten to start with
/// the field and speak of TOML types, e.g. `rounds: expected an integer, got string "four"`.
/// `datetime`: the value serde saw as a map is a TOML date-time.
pub fn explain(field: &str, message: &str, datetime: bool) -> String {
    let with_path = |text: String| {
        if field.is_empty() {
            text
        } else {
            format!("{field}: {text}")
        }
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            if let Some(number) = got
                .strip_prefix("integer `")
                .and_then(|g| g.strip_suffix("` as i128"))
            {
                return with_path(out_of_range(number));
            }
            let got = if got == "map" && datetime {
                "a date-time".to_string()
            } else {
                found(got)
            };
            return with_path(format!("expected {}, got {got}", type_name(expected)));
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

/// An unknown key `key`, whose table takes the keys `known`; `path` is how messages name the key
/// (`firm.Baidu.wieght`). The nearest known key if one is close, else the list.
pub fn unknown_key(path: &str, key: &str, known: &[&str]) -> String {
    match super::suggest::nearest(key, known) {
        Some(near) => format!("{path}: unknown key (a typo?); did you mean `{near}`?"),
        None => format!(
            "{path}: unknown key (a typo?); expected {}",
            one_of(&known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>())
        ),
    }
}

/// A `what` (a rule, a distribution) named `given` that is none of `known`: the nearest if one is
/// close, and the list.
pub fn unknown_name(what: &str, given: &str, known: &[&str]) -> String {
    let list = known.join(", ");
    match super::suggest::nearest(given, known) {
        Some(near) => {
            format!("unknown {what} \"{given}\"; did you mean \"{near}\"? (expected one of {list})")
        }
        None => format!("unknown {what} \"{given}\"; expected one of {list}"),
    }
}

/// `a` for one item, else `one of a, b, c`.
fn one_of(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        many => format!("one of {}", many.join(", ")),
    }
}

/// A TOML syntax error's `message` about `span` of `text`, in plain words and naming the key
/// where it can.
pub fn syntax(text: &str, span: Option<Range<usize>>, message: &str) -> String {
    let trim = |k: &'_ str| {
        k.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
            .to_string()
    };
    let header = span.as_ref().and_then(|s| header_at(text, s.start));
    let quoted = header
        .clone()
        .or_else(|| span.and_then(|s| text.get(s)).map(trim))
        .filter(|k| !k.is_empty() && k.len() <= 100 && !k.contains('\n'));
    match message {
        "duplicate key" => match quoted {
            Some(key) if header.is_some() && ARRAYS_OF_TABLES.contains(&key.as_str()) => {
                let entry = key.rsplit('.').next().unwrap_or(&key);
                format!(
                    "`{key}` is defined twice: use [[{key}]] (double brackets) for each {entry}; \
                     [{key}] is a single table"
                )
            }
            Some(key) => format!("`{key}` is defined twice; a key or table may appear only once"),
            None => "a key or table is defined twice; each may appear only once".to_string(),
        },
        "cannot recurse further; max recursion depth met" | "recursion limit" => {
            "arrays, tables or dotted keys are nested too deeply".to_string()
        }
        m => format!("not valid TOML: {m}"),
    }
}

/// The keys whose value is an array of tables, one `[[KEY]]` per entry.
pub const ARRAYS_OF_TABLES: [&str; 5] = [
    "firm",
    "event",
    "approval.round",
    "regime",
    "domestic.round",
];

/// The key of the table header (`[a.b]` or `[[a.b]]`) on the line holding `offset`, if that line
/// is one.
fn header_at(text: &str, offset: usize) -> Option<String> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let line = line.split('#').next()?.trim();
    let inner = line.strip_prefix('[')?.trim_start_matches('[');
    let inner = inner.trim_end().trim_end_matches(']').trim();
    let key: Vec<&str> = inner.split('.').map(str::trim).collect();
    (!key.iter().any(|k| k.is_empty())).then(|| key.join("."))
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

fn out_of_range(number: &str) -> String {
    format!(
        "{number} is out of range: a TOML integer must be within [{}, {}]",
        i64::MIN,
        i64::MAX
    )
}

/// A serde/Rust type description in TOML words.
fn type_name(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "u32" | "i32" | "usize" => "an integer".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a sequence" => "an array".to_string(),
        e if e.starts_with("struct ") => "a table".to_string(),
        e => e.to_string(),
    }
}
