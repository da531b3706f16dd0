//! How numbers read in CSV files, charts, tables and pages: fixed decimals, unit counts and their tick labels, signed
//! differences, percentages, and the pretty JSON every manifest is written as. One place, so a
//! chart and the page beside it never disagree on how a number is written.

use serde::Serialize;

/// A fixed-decimal rendering with trailing zeros trimmed, so files are stable and readable
/// (CSV cells: "412345", "0.5", "0.333"; empty for a value that is not finite).
pub fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// `n` with thousands separators: 1250000 → "1,250,000".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and its noun, singular for 1: "1 round", "4 rounds", "100,000 trials".
pub fn counted(n: u64, noun: &str) -> String {
    format!(
        "{} {noun}{}",
        group_digits(n),
        if n == 1 { "" } else { "s" }
    )
}

/// A count of units as briefings write it: "380k", "1,250k", "2.5k" below ten thousand, plain
/// below a thousand.
pub fn units_label(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 9_999.5 {
        format!("{sign}{}k", group_digits((a / 1000.0).round() as u64))
    } else if a >= 999.5 {
        format!("{sign}{:.1}k", a / 1000.0)
    } else {
        format!("{sign}{}", a.round() as u64)
    }
}

/// A tick label for units with ticks `step` apart: thousands ("1,250k") with as many decimals as
/// the step needs, plain numbers when the whole axis is below a thousand.
pub fn units_tick(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if step < 100.0 && v.abs() < 1000.0 {
        return group_digits(v.round() as u64);
    }
    let k = v / 1000.0;
    let decimals = if step >= 1000.0 {
        0
    } else if step >= 100.0 {
        1
    } else {
        2
    };
    if decimals == 0 {
        format!("{}k", group_digits(k.round() as u64))
    } else {
        format!("{k:.decimals$}k")
    }
}

/// A share (0..1) as a percentage with as many decimals as the tick step (a share) needs.
pub fn percent_tick(share: f64, step: f64) -> String {
    let decimals = if step * 100.0 >= 1.0 - 1e-9 {
        0
    } else if step * 1000.0 >= 1.0 - 1e-9 {
        1
    } else {
        2
    };
    format!("{:.decimals$}%", share * 100.0)
}

/// A share (0..1) as a whole percentage ("62%"), with one decimal near 0% and 100% where rounding
/// would hide a difference ("99.6%", "0.4%").
pub fn percent_label(share: f64) -> String {
    let p = share * 100.0;
    if (p > 0.0 && p < 1.0) || (p > 99.0 && p < 100.0) {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// A tick label of a knob's value: thousands as units do ("20k"), small numbers with as many
/// decimals as the step needs.
pub fn value_tick(v: f64, step: f64) -> String {
    if step >= 1000.0 {
        return signed_tick(v, step);
    }
    let decimals = (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(6) as usize;
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// A tick label of units that may be negative (differences): "−20k", "0", "40k".
pub fn signed_tick(v: f64, step: f64) -> String {
    if v < 0.0 && units_tick(-v, step) != "0" {
        format!("−{}", units_tick(-v, step))
    } else {
        units_tick(v.abs(), step)
    }
}

/// A signed unit count: "+12k", "−4.1k", "0".
pub fn signed_units(v: f64) -> String {
    let label = units_label(v.abs());
    if label == "0" || !v.is_finite() {
        label
    } else if v > 0.0 {
        format!("+{label}")
    } else {
        format!("−{label}")
    }
}

/// A unit count in full with separators ("1,249,600"); the charts round to thousands, the
/// tables keep the precision the CSV has.
pub fn units_full(v: f64) -> String {
    if v.is_finite() {
        group_digits(v.max(0.0).round() as u64)
    } else {
        "–".to_string()
    }
}

/// A signed unit count in full: "+12,345", "−678", "0".
pub fn signed_units_full(v: f64) -> String {
    let r = v.round();
    if !r.is_finite() {
        "–".to_string()
    } else if r > 0.0 {
        format!("+{}", group_digits(r as u64))
    } else if r < 0.0 {
        format!("−{}", group_digits((-r) as u64))
    } else {
        "0".to_string()
    }
}

/// Pretty JSON with a trailing newline, as manifest.json is written.
pub fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = match serde_json::to_vec_pretty(value) {
        Ok(b) => b,
        Err(e) => unreachable!("a manifest of strings and numbers always serializes: {e}"),
    };
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_their_plural_past_one() {
        assert_eq!(counted(1, "round"), "1 round");
        assert_eq!(counted(4, "round"), "4 rounds");
        assert_eq!(counted(0, "trial"), "0 trials");
        assert_eq!(counted(100_000, "trial"), "100,000 trials");
    }

    #[test]
    fn numbers_are_fixed_and_trimmed() {
        assert_eq!(number(412_345.0, 3), "412345");
        assert_eq!(number(0.5, 9), "0.5");
        assert_eq!(number(1.0 / 3.0, 3), "0.333");
        assert_eq!(number(-0.0001, 3), "0");
        assert_eq!(number(f64::NAN, 3), "");
    }

    #[test]
    fn unit_labels_in_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_250_000), "1,250,000");
        assert_eq!(units_label(380_412.0), "380k");
        assert_eq!(units_label(1_249_600.0), "1,250k");
        assert_eq!(units_label(2_500.0), "2.5k");
        assert_eq!(units_label(999.0), "999");
        assert_eq!(units_label(0.0), "0");
        assert_eq!(units_label(f64::NAN), "–");
        assert_eq!(units_tick(0.0, 200_000.0), "0");
        assert_eq!(units_tick(1_200_000.0, 200_000.0), "1,200k");
        assert_eq!(units_tick(2_500.0, 500.0), "2.5k");
        assert_eq!(units_tick(150.0, 50.0), "150");
        assert_eq!(units_tick(1_050.0, 50.0), "1.05k");
    }

    #[test]
    fn percent_labels() {
        assert_eq!(percent_tick(0.2, 0.2), "20%");
        assert_eq!(percent_tick(0.025, 0.005), "2.5%");
        assert_eq!(percent_label(0.6249), "62%");
        assert_eq!(percent_label(0.9962), "99.6%");
        assert_eq!(percent_label(0.004), "0.4%");
        assert_eq!(percent_label(1.0), "100%");
        assert_eq!(percent_label(0.0), "0%");
    }
}
