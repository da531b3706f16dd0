//! What to compare: knobs and their value lists, the points they make (a cartesian grid for a
//! sweep, one knob at a time for sensitivity, whole files for compare), each validated into a
//! `Scenario` before anything runs.

use std::path::{Path, PathBuf};

use crate::scenario::{self, Override, OverrideError, Scenario, ScenarioErrors};

/// Which command made the plan; it names the output folder and shapes the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `allocsim sweep`: one scenario at every point of the cartesian grid of its knobs' values.
    Sweep,
    /// `allocsim compare`: whole scenario files side by side; the knob column is `scenario`.
    Compare,
    /// `allocsim sensitivity`: each knob at its low and its high value, the others as in the
    /// scenario; points are ranked by their swing.
    Sensitivity,
}

impl Kind {
    /// The command's name, also the output folder's suffix (`output/<name>-sweep/`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

/// A knob and the values it takes, as typed: `KEY=V1,V2,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knob {
    /// The scenario key, as `--set` takes it (`firm.Baidu.eligible_from`).
    pub key: String,
    /// Its values as typed (TOML values, or bare words taken as strings), in the order given: at
    /// least one, none empty.
    pub values: Vec<String>,
}

/// A knob argument that is not `KEY=V1,V2,...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KnobError {
    /// The argument is not `KEY=...` at all.
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// One of the comma-separated values is empty (`0.5,,0.7`, or nothing after '=').
    #[error("--set {text}: value {index} of {count} is empty (a stray comma?)")]
    EmptyValue {
        /// The whole argument.
        text: String,
        /// 1-based.
        index: usize,
        /// How many values the argument has, the empty one included.
        count: usize,
    },
}

impl Knob {
    /// Parses `KEY=V1,V2,...`, splitting the values on commas outside `{}`, `[]` and quotes.
    pub fn parse(text: &str) -> Result<Knob, KnobError> {
        let whole = Override::parse(text)?;
        let values = split_values(&whole.value);
        if let Some(empty) = values.iter().position(String::is_empty) {
            return Err(KnobError::EmptyValue {
                text: text.to_string(),
                index: empty + 1,
                count: values.len(),
            });
        }
        Ok(Knob {
            key: whole.key,
            values,
        })
    }
}

/// `text` split on the commas that are not inside `{}`, `[]` or a quoted string, each part
/// trimmed: `{dist="uniform",min=1,max=2},3` is two values.
pub fn split_values(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut current = String::new();
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(current.trim().to_string());
                    current.clear();
                    continue;
                }
                _ => {}
            },
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts
}

/// The cartesian product of lists of the given sizes, as index tuples in row-major order: the
/// first knob changes slowest, the last fastest.
pub fn grid(sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for &size in sizes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..size).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// One point: how to label it, the value of each knob column, and its validated scenario.
#[derive(Debug, Clone)]
pub struct Point {
    /// Short label for tables and charts.
    pub label: String,
    /// The value of each knob column (as typed); empty where the point keeps the scenario's.
    pub settings: Vec<String>,
    /// The overrides that make this point, after the fixed ones.
    pub overrides: Vec<Override>,
    /// This point's scenario: the file with the fixed `--set` overrides, then this point's own,
    /// validated.
    pub scenario: Scenario,
}

/// Points to run on common random numbers; the first is the reference.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Which command made the plan: it names the output folder and shapes the charts.
    pub kind: Kind,
    /// Names the output folder: the (first) scenario's name.
    pub name: String,
    /// The knob columns: the swept or varied keys, or `scenario` for compare.
    pub knobs: Vec<String>,
    /// For sensitivity: the low and high value of each knob, in knob order.
    pub ranges: Vec<(String, String)>,
    /// The `--set` overrides every point shares, as (key, value as typed), the last of a key
    /// winning ([`scenario::effective_overrides`]); one whose key is also a knob is left out,
    /// as that knob's column shows it.
    pub fixed: Vec<(String, String)>,
    /// Per knob column, the value the scenario file (with the fixed overrides) gives the key,
    /// as written ([`scenario::value_as_written`]): the value of a point that keeps the
    /// scenario's (a sensitivity point's other knobs, its reference). Empty for compare's
    /// `scenario` column, which every point fills.
    pub scenario_values: Vec<String>,
    /// The points in running order, at most [`MAX_POINTS`]; point 0 is the reference every other
    /// is paired against, firm by firm by name. A sweep's or sensitivity's points list the same
    /// firms in the same order ([`check_firms`]); a compare's files may list different firms.
    pub points: Vec<Point>,
}

/// Why a plan cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A point's scenario is invalid; the source names the `--set` value or file position.
    #[error("{what}")]
    Scenario {
        /// Which point, for the message: "sweep point 3 of 8 (rounds=5)".
        what: String,
        /// What is wrong with the scenario, with its file position or `--set` value.
        #[source]
        source: ScenarioErrors,
    },
    /// A sweep's or sensitivity's points list different firms ([`check_firms`]).
    #[error(transparent)]
    Firms(#[from] FirmsError),
    /// The arguments do not make a comparison.
    #[error("{0}")]
    Usage(String),
    /// Running the plan would need more memory than it may use.
    #[error(transparent)]
    Memory(#[from] super::memory::MemoryError),
}

/// The first value of `values` listed again, as (first position, second position), 0-based.
fn first_repeat(values: &[String]) -> Option<(usize, usize)> {
    (0..values.len()).find_map(|j| {
        values[..j]
            .iter()
            .position(|v| *v == values[j])
            .map(|i| (i, j))
    })
}

/// Points allowed in one plan: each costs a summary and a workspace (some 0.5–1 MB on the
/// shipped scenarios); the memory a plan needs is checked against what there is
/// ([`super::memory`]).
pub const MAX_POINTS: usize = 10_000;

/// The sweep of `knobs` over the scenario in `bytes`: every point of their cartesian grid, each
/// with `fixed` then its own values applied, all validated before this returns.
pub fn sweep(
    path: &Path,
    bytes: &[u8],
    fixed: &[Override],
    knobs: &[Knob],
) -> Result<Plan, PlanError> {
    if knobs.is_empty() {
        return Err(PlanError::Usage(
            "a sweep needs at least one --set KEY=V1,V2,... with two or more values".into(),
        ));
    }
    check_point_keys("--set", fixed.iter().map(|o| o.key.as_str()))?;
    check_point_keys("--set", knobs.iter().map(|k| k.key.as_str()))?;
    check_distinct_keys(knobs.iter().map(|k| k.key.as_str()))?;
    // One knob may list a value twice (a point identical to the reference shows the pairing's
    // noise is zero); in a grid of several, the charts and the saved comparison find each
    // knob's values by value, so a repeat would make the grid ambiguous.
    if knobs.len() > 1 {
        for k in knobs {
            if let Some((i, j)) = first_repeat(&k.values) {
                return Err(PlanError::Usage(format!(
                    "--set {}: the value {} is listed twice (values {} and {}); in a sweep of \
                     several knobs each value may appear once",
                    k.key,
                    k.values[j],
                    i + 1,
                    j + 1
                )));
            }
        }
    }
    let sizes: Vec<usize> = knobs.iter().map(|k| k.values.len()).collect();
    let count = sizes.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
    if count.is_none_or(|c| c > MAX_POINTS) {
        return Err(PlanError::Usage(format!(
            "the grid has {} points; at most {MAX_POINTS} are allowed",
            sizes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" × ")
        )));
    }
    let cells = grid(&sizes);
    let total = cells.len();
    let mut points = Vec::with_capacity(total);
    for (n, cell) in cells.iter().enumerate() {
        let own: Vec<Override> = knobs
            .iter()
            .zip(cell)
            .map(|(k, &i)| Override {
                key: k.key.clone(),
                value: k.values[i].clone(),
            })
            .collect();
        let label = own
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let what = format!("sweep point {} of {total} ({label})", n + 1);
        points.push(point(path, bytes, fixed, own, label, what)?);
    }
    finish(Kind::Sweep, bytes, fixed, knobs, Vec::new(), points)
}

/// Sensitivity: the scenario as it is (the reference), then each knob at its low and then its
/// high value with every other knob at the scenario's value.
pub fn sensitivity(
    path: &Path,
    bytes: &[u8],
    fixed: &[Override],
    knobs: &[Knob],
) -> Result<Plan, PlanError> {
    if knobs.is_empty() {
        return Err(PlanError::Usage(
            "sensitivity needs at least one --vary KEY=LOW,HIGH".into(),
        ));
    }
    check_point_keys("--set", fixed.iter().map(|o| o.key.as_str()))?;
    check_point_keys("--vary", knobs.iter().map(|k| k.key.as_str()))?;
    check_distinct_keys(knobs.iter().map(|k| k.key.as_str()))?;
    if let Some(k) = knobs.iter().find(|k| k.values.len() != 2) {
        return Err(PlanError::Usage(format!(
            "--vary {}={}: give exactly two values, LOW,HIGH (got {})",
            k.key,
            k.values.join(","),
            k.values.len()
        )));
    }
    let total = 1 + 2 * knobs.len();
    let mut points = vec![point(
        path,
        bytes,
        fixed,
        Vec::new(),
        "reference".into(),
        "the reference scenario".into(),
    )?];
    for (j, k) in knobs.iter().enumerate() {
        for (level, value) in ["low", "high"].iter().zip(&k.values) {
            let own = vec![Override {
                key: k.key.clone(),
                value: value.clone(),
            }];
            let label = format!("{}={value}", k.key);
            let what = format!(
                "sensitivity point {} of {total} ({} {level}: {label})",
                points.len() + 1,
                k.key
            );
            let mut p = point(path, bytes, fixed, own, label, what)?;
            p.settings = vec![String::new(); knobs.len()];
            p.settings[j] = value.clone();
            points.push(p);
        }
    }
    points[0].settings = vec![String::new(); knobs.len()];
    let ranges = knobs
        .iter()
        .map(|k| (k.values[0].clone(), k.values[1].clone()))
        .collect();
    finish(Kind::Sensitivity, bytes, fixed, knobs, ranges, points)
}

/// Whole scenarios side by side, each with `fixed` applied. The reference (point 1) is the
/// scenario `reference` names (its name, or its file's path as given or stem), else the first
/// file; the others follow in the order given. Their firms may differ, or come in another
/// order: they are matched by name ([`super::FirmMatch`]).
pub fn compare(
    files: &[(PathBuf, Vec<u8>)],
    fixed: &[Override],
    reference: Option<&str>,
) -> Result<Plan, PlanError> {
    if files.len() < 2 {
        return Err(PlanError::Usage(
            "compare needs at least two scenario files".into(),
        ));
    }
    check_point_keys("--set", fixed.iter().map(|o| o.key.as_str()))?;
    let mut points = Vec::with_capacity(files.len());
    for (n, (path, bytes)) in files.iter().enumerate() {
        let what = format!("scenario {} of {}", n + 1, files.len());
        let mut p = point(path, bytes, fixed, Vec::new(), String::new(), what)?;
        p.label = p.scenario.name.clone();
        p.settings = vec![p.scenario.name.clone()];
        points.push(p);
    }
    let mut order: Vec<usize> = (0..files.len()).collect();
    if let Some(choice) = reference {
        let first = chosen_reference(files, &points, choice)?;
        order.remove(first);
        order.insert(0, first);
    }
    let mut slots: Vec<Option<Point>> = points.into_iter().map(Some).collect();
    let points: Vec<Point> = order.iter().filter_map(|&i| slots[i].take()).collect();
    let name = points[0].scenario.name.clone();
    Ok(Plan {
        kind: Kind::Compare,
        name,
        knobs: vec!["scenario".to_string()],
        ranges: Vec::new(),
        fixed: scenario::effective_overrides(fixed),
        scenario_values: vec![String::new()],
        points,
    })
}

/// The index of the scenario `choice` names: by scenario name, else by the file's path as
/// given, else by the file's stem.
fn chosen_reference(
    files: &[(PathBuf, Vec<u8>)],
    points: &[Point],
    choice: &str,
) -> Result<usize, PlanError> {
    let by = |matches: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..files.len()).filter(|&i| matches(i)).collect()
    };
    let found = [
        by(&|i| points[i].scenario.name == choice),
        by(&|i| files[i].0.as_os_str() == choice),
        by(&|i| files[i].0.file_stem().is_some_and(|s| s == choice)),
    ]
    .into_iter()
    .find(|m| !m.is_empty())
    .unwrap_or_default();
    let listed = |ids: &mut dyn Iterator<Item = usize>| {
        ids.map(|i| format!("{} ({})", points[i].scenario.name, files[i].0.display()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(PlanError::Usage(format!(
            "--reference {choice}: no scenario of this comparison is named {choice}; its \
             scenarios are {}",
            listed(&mut (0..files.len()))
        ))),
        many => Err(PlanError::Usage(format!(
            "--reference {choice}: {} scenarios match ({}); give the file's path instead",
            many.len(),
            listed(&mut many.iter().copied())
        ))),
    }
}

fn point(
    path: &Path,
    bytes: &[u8],
    fixed: &[Override],
    own: Vec<Override>,
    label: String,
    what: String,
) -> Result<Point, PlanError> {
    let all: Vec<Override> = fixed.iter().chain(&own).cloned().collect();
    let scenario = scenario::parse(path, bytes, &all)
        .map_err(|source| PlanError::Scenario { what, source })?;
    Ok(Point {
        label,
        settings: own.iter().map(|o| o.value.clone()).collect(),
        overrides: own,
        scenario,
    })
}

fn finish(
    kind: Kind,
    bytes: &[u8],
    fixed: &[Override],
    knobs: &[Knob],
    ranges: Vec<(String, String)>,
    points: Vec<Point>,
) -> Result<Plan, PlanError> {
    let names: Vec<(String, Vec<String>)> = points
        .iter()
        .map(|p| (format!("point {}", p.label), firm_names(&p.scenario)))
        .collect();
    check_firms(&names).map_err(PlanError::Firms)?;
    let keys: Vec<String> = knobs.iter().map(|k| k.key.clone()).collect();
    Ok(Plan {
        kind,
        name: points[0].scenario.name.clone(),
        scenario_values: keys
            .iter()
            .map(|k| scenario::value_as_written(bytes, fixed, k).unwrap_or_default())
            .collect(),
        fixed: scenario::effective_overrides(fixed)
            .into_iter()
            .filter(|(k, _)| !keys.contains(k))
            .collect(),
        knobs: keys,
        ranges,
        points,
    })
}

/// Puts the reference a `sweep --reference` names first among each knob's values, so that it
/// is point 1: `reference` holds one value per knob in knob order, comma-separated as a knob's
/// values are ([`split_values`]), each one of the values its knob lists (as typed, or the same
/// number).
pub fn reference_first(knobs: &mut [Knob], reference: &str) -> Result<(), PlanError> {
    let wanted = split_values(reference);
    if wanted.len() != knobs.len() {
        let keys: Vec<&str> = knobs.iter().map(|k| k.key.as_str()).collect();
        return Err(PlanError::Usage(format!(
            "--reference {reference}: give one value for each knob of the sweep, in the order of \
             the --set options ({} knob{}: {}), comma-separated",
            keys.len(),
            if keys.len() == 1 { "" } else { "s" },
            keys.join(", ")
        )));
    }
    for (knob, want) in knobs.iter_mut().zip(&wanted) {
        let number = |v: &str| v.trim().parse::<f64>().ok();
        let at = knob.values.iter().position(|v| v == want).or_else(|| {
            let w = number(want)?;
            knob.values.iter().position(|v| number(v) == Some(w))
        });
        let Some(at) = at else {
            return Err(PlanError::Usage(format!(
                "--reference {reference}: {want} is not one of the values of {} ({}); the \
                 reference must be a point of the sweep",
                knob.key,
                knob.values.join(", ")
            )));
        };
        let value = knob.values.remove(at);
        knob.values.insert(0, value);
    }
    Ok(())
}

/// The scenario keys a comparison's `--set` or `--vary` cannot take, with the option that sets
/// them. Every point runs the same trials on the same seed (common random numbers), so the
/// points' own `seed` and `trials` would be ignored: refused, so that nothing is silently.
const RUN_KEYS: [(&str, &str); 2] = [("seed", "--seed"), ("trials", "--trials")];

fn check_point_keys<'a>(flag: &str, keys: impl Iterator<Item = &'a str>) -> Result<(), PlanError> {
    for key in keys {
        if let Some((_, option)) = RUN_KEYS.iter().find(|(k, _)| *k == key) {
            return Err(PlanError::Usage(format!(
                "{flag} {key}=...: every point runs on the same seed and number of trials (common \
                 random numbers: trial t sees the same world at every point, so differences are \
                 the knobs' effect), so {key} cannot be set per point; use {option} instead"
            )));
        }
    }
    Ok(())
}

fn check_distinct_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Result<(), PlanError> {
    let mut seen: Vec<&str> = Vec::new();
    for k in keys {
        if seen.contains(&k) {
            return Err(PlanError::Usage(format!(
                "{k} is given twice; list all its values in one KEY=V1,V2,..."
            )));
        }
        seen.push(k);
    }
    Ok(())
}

/// The firm names of `scenario`, in listed order.
pub fn firm_names(scenario: &Scenario) -> Vec<String> {
    scenario.firms.iter().map(|f| f.name.clone()).collect()
}

/// Checks that every point of a sweep or sensitivity, as `(source, firm names)` with the
/// reference first, lists the same firms in the same order as the first. The points all come
/// from one scenario, so they do unless a knob renames a firm (`--set firm.NAME.name=...`);
/// the sweep's charts follow each firm from point to point and would lose one renamed. `compare`
/// makes no such check: it matches the firms of its files by name.
pub fn check_firms(lists: &[(String, Vec<String>)]) -> Result<(), FirmsError> {
    let Some((first, reference)) = lists.first() else {
        return Ok(());
    };
    let Some((source, names)) = lists[1..].iter().find(|(_, names)| names != reference) else {
        return Ok(());
    };
    let missing: Vec<&str> = reference
        .iter()
        .filter(|n| !names.contains(n))
        .map(String::as_str)
        .collect();
    let extra: Vec<&str> = names
        .iter()
        .filter(|n| !reference.contains(n))
        .map(String::as_str)
        .collect();
    if missing.is_empty() && extra.is_empty() {
        return Err(FirmsError::Order {
            scenario: source.clone(),
            first: first.clone(),
            names: names.join(", "),
            reference: reference.join(", "),
        });
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "{first} has {} that {source} lacks",
            missing.join(", ")
        ));
    }
    if !extra.is_empty() {
        parts.push(format!(
            "{source} has {} that {first} lacks",
            extra.join(", ")
        ));
    }
    Err(FirmsError::Different {
        differences: parts.join("; "),
    })
}

/// Points of a sweep or sensitivity that do not list the scenario's firms as the first point
/// does ([`check_firms`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirmsError {
    /// The same firm names in a different order.
    #[error(
        "{scenario} lists the same firms as {first} in another order ({names} vs {reference}): \
         every point of a sweep or sensitivity lists the scenario's firms in its order"
    )]
    Order {
        /// The source (point) whose order differs.
        scenario: String,
        /// The reference's source, the first in the list.
        first: String,
        /// The differing source's firm names, comma-separated, in its order.
        names: String,
        /// The reference's firm names, comma-separated, in its order.
        reference: String,
    },
    /// Firms one point lists and another lacks.
    #[error(
        "every point of a sweep or sensitivity must list the same firms, so that its charts can \
         follow each firm from point to point: {differences}. A knob cannot rename, add or \
         remove a firm; to compare scenarios whose firms differ, write each as a file and run \
         allocsim compare, which matches firms by name"
    )]
    Different {
        /// The first difference found, against the reference: "A has X that B lacks; B has Y
        /// that A lacks".
        differences: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_outside_braces_brackets_and_quotes() {
        assert_eq!(split_values("0.5, 0.6,0.7"), ["0.5", "0.6", "0.7"]);
        assert_eq!(
            split_values(r#"{dist="uniform",min=1,max=2},{dist="fixed",value=3}"#),
            [
                r#"{dist="uniform",min=1,max=2}"#,
                r#"{dist="fixed",value=3}"#
            ]
        );
        assert_eq!(
            split_values(r#"{dist="discrete",values=[1,2],weights=[1,1]},4"#),
            [r#"{dist="discrete",values=[1,2],weights=[1,1]}"#, "4"]
        );
        assert_eq!(split_values(r#""a,b",'c,d',e"#), [r#""a,b""#, "'c,d'", "e"]);
        assert_eq!(
            split_values(r#""say \"x,y\"",z"#),
            [r#""say \"x,y\"""#, "z"]
        );
        assert_eq!(split_values("talmud"), ["talmud"]);
    }

    #[test]
    fn knobs_parse_and_reject_empty_values() {
        let k = Knob::parse("domestic.ratio=0.5,0.6").unwrap();
        assert_eq!(k.key, "domestic.ratio");
        assert_eq!(k.values, ["0.5", "0.6"]);
        assert_eq!(
            Knob::parse("domestic.ratio=0.5,,0.6").unwrap_err(),
            KnobError::EmptyValue {
                text: "domestic.ratio=0.5,,0.6".into(),
                index: 2,
                count: 3
            }
        );
        assert!(Knob::parse("nonsense").is_err());
    }

    /// Every point runs on one seed and trial count, so no `--set` or `--vary` may give a point
    /// its own: refused by every kind of plan, before any scenario is read.
    #[test]
    fn points_cannot_set_seed_or_trials() {
        let knob = |t: &str| Knob::parse(t).unwrap();
        let set = |t: &str| Override::parse(t).unwrap();
        let bytes = b"not read";
        let path = Path::new("s.toml");
        let message = |e: PlanError| match e {
            PlanError::Usage(m) => m,
            other => panic!("not a usage error: {other}"),
        };
        let m = message(sweep(path, bytes, &[], &[knob("seed=1,2")]).unwrap_err());
        assert!(
            m.starts_with("--set seed=...: every point runs on the same seed and number of trials")
                && m.ends_with("so seed cannot be set per point; use --seed instead"),
            "{m}"
        );
        let m = message(
            sweep(
                path,
                bytes,
                &[set("trials=10")],
                &[knob("domestic.ratio=0.1,0.2")],
            )
            .unwrap_err(),
        );
        assert!(m.ends_with("use --trials instead"), "{m}");
        let m = message(sensitivity(path, bytes, &[], &[knob("trials=10,20")]).unwrap_err());
        assert!(m.starts_with("--vary trials=...:"), "{m}");
        let m = message(
            sensitivity(
                path,
                bytes,
                &[set("seed=3")],
                &[knob("domestic.ratio=0.1,0.2")],
            )
            .unwrap_err(),
        );
        assert!(m.starts_with("--set seed=...:"), "{m}");
        let files = vec![(path.to_path_buf(), bytes.to_vec()); 2];
        let m = message(compare(&files, &[set("seed=3")], None).unwrap_err());
        assert!(m.ends_with("use --seed instead"), "{m}");
    }

    #[test]
    fn grid_is_row_major() {
        assert_eq!(
            grid(&[2, 3]),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(grid(&[]), vec![Vec::<usize>::new()]);
        assert_eq!(grid(&[3, 0]).len(), 0);
    }

    #[test]
    fn firm_lists_must_match_in_order() {
        let l = |s: &str, names: &[&str]| {
            (s.to_string(), names.iter().map(|n| n.to_string()).collect())
        };
        assert!(check_firms(&[l("a", &["X", "Y"]), l("b", &["X", "Y"])]).is_ok());
        let e = check_firms(&[l("a", &["X", "Y"]), l("b", &["X", "Z"])])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a has Y that b lacks") && e.contains("b has Z that a lacks"),
            "{e}"
        );
        let e = check_firms(&[l("a", &["X", "Y"]), l("b", &["Y", "X"])]).unwrap_err();
        assert!(matches!(e, FirmsError::Order { .. }), "{e}");
        assert!(e.to_string().contains("another order"), "{e}");
    }

    /// A sweep whose knob renames a firm is refused, pointing to compare; compare takes files
    /// whose firms differ, or come in another order, as they are.
    #[test]
    fn only_sweeps_need_the_same_firms() {
        let bytes = files(&["baseline"]).remove(0).1;
        let knob = Knob::parse("firm.Baidu.name=Baidu,Kuaishou").unwrap();
        let e = sweep(Path::new("b.toml"), &bytes, &[], &[knob]).unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, PlanError::Firms(_)), "{m}");
        assert!(
            m.contains(
                "point firm.Baidu.name=Baidu has Baidu that point firm.Baidu.name=Kuaishou lacks"
            ) && m.contains("run allocsim compare, which matches firms by name"),
            "{m}"
        );
        assert!(!m.contains("eligible_from"), "{m}");
        let mut f = files(&["a", "b"]);
        let text = String::from_utf8(f[1].1.clone()).unwrap();
        // b: Baidu renamed, and ByteDance's entry moved to the end.
        let at = text.find("[[firm]]\nname = \"ByteDance\"").unwrap();
        let end = at + text[at + 1..].find("[[firm]]").unwrap() + 1;
        let mut b = text.replace("name = \"Baidu\"", "name = \"Kuaishou\"");
        let moved: String = b.drain(at..end).collect();
        let last = b.find("[[event]]").unwrap();
        b.insert_str(last, &moved);
        f[1].1 = b.into_bytes();
        let plan = compare(&f, &[], None).unwrap();
        assert_eq!(
            firm_names(&plan.points[1].scenario),
            [
                "Alibaba",
                "Tencent",
                "Kuaishou",
                "Other-private",
                "Telecom-operators",
                "ByteDance"
            ]
        );
    }

    fn files(names: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml"),
        )
        .unwrap();
        names
            .iter()
            .map(|n| {
                let t = text.replace("name = \"baseline\"", &format!("name = \"{n}\""));
                (PathBuf::from(format!("dir/{n}-file.toml")), t.into_bytes())
            })
            .collect()
    }

    #[test]
    fn compare_takes_the_reference_it_is_given() {
        let f = files(&["a", "b", "c"]);
        let names = |p: &Plan| -> Vec<String> {
            p.points.iter().map(|p| p.scenario.name.clone()).collect()
        };
        let plan = compare(&f, &[], None).unwrap();
        assert_eq!(
            (names(&plan), plan.name.as_str()),
            (vec!["a".into(), "b".into(), "c".into()], "a")
        );
        for choice in ["c", "dir/c-file.toml", "c-file"] {
            let plan = compare(&f, &[], Some(choice)).unwrap();
            assert_eq!(names(&plan), ["c", "a", "b"], "{choice}");
            assert_eq!(plan.name, "c");
            assert_eq!(plan.points[0].settings, ["c"]);
        }
        let usage = |e: PlanError| match e {
            PlanError::Usage(m) => m,
            other => panic!("not a usage error: {other}"),
        };
        let m = usage(compare(&f, &[], Some("d")).unwrap_err());
        assert!(
            m.contains("no scenario of this comparison is named d"),
            "{m}"
        );
        assert!(
            m.contains("a (dir/a-file.toml), b (dir/b-file.toml)"),
            "{m}"
        );
        let twice = files(&["a", "a", "b"]);
        let m = usage(compare(&twice, &[], Some("a")).unwrap_err());
        assert!(m.contains("2 scenarios match"), "{m}");
        // The fixed overrides are every point's, recorded once.
        let set = Override::parse("allocation.rule=talmud").unwrap();
        let plan = compare(&f, &[set], Some("b")).unwrap();
        assert_eq!(
            plan.fixed,
            [("allocation.rule".to_string(), "talmud".to_string())]
        );
        assert!(
            plan.points
                .iter()
                .all(|p| p.scenario.rule.name() == "talmud")
        );
    }

    #[test]
    fn a_sweep_reference_goes_first_in_every_knob() {
        let mut knobs = vec![
            Knob::parse("domestic.ratio=0.3,0.5,0.7").unwrap(),
            Knob::parse("allocation.rule=proportional,talmud").unwrap(),
        ];
        reference_first(&mut knobs, "0.50,talmud").unwrap();
        assert_eq!(knobs[0].values, ["0.5", "0.3", "0.7"]);
        assert_eq!(knobs[1].values, ["talmud", "proportional"]);
        let m = |r: &str| match reference_first(&mut knobs.clone(), r).unwrap_err() {
            PlanError::Usage(m) => m,
            other => panic!("{other}"),
        };
        assert!(
            m("0.5").contains("give one value for each knob"),
            "{}",
            m("0.5")
        );
        assert!(
            m("0.4,talmud")
                .contains("0.4 is not one of the values of domestic.ratio (0.5, 0.3, 0.7)")
        );
    }

    #[test]
    fn plans_record_fixed_overrides_and_the_scenarios_values() {
        let bytes = files(&["baseline"]).remove(0).1;
        let set = |t: &str| Override::parse(t).unwrap();
        let fixed = [
            set("allocation.rule=equal_awards"),
            set("domestic.ratio=0.4"),
        ];
        let plan = sensitivity(
            Path::new("b.toml"),
            &bytes,
            &fixed,
            &[
                Knob::parse("domestic.ratio=0.2,0.6").unwrap(),
                Knob::parse("rounds=3,5").unwrap(),
            ],
        )
        .unwrap();
        // The ratio is a knob: its fixed value is the reference's, in the knob's column.
        assert_eq!(
            plan.fixed,
            [("allocation.rule".to_string(), "equal_awards".to_string())]
        );
        assert_eq!(plan.scenario_values, ["0.4", "4"]);
        let plan = sweep(
            Path::new("b.toml"),
            &bytes,
            &fixed[..1],
            &[Knob::parse("domestic.ratio=0.2,0.6").unwrap()],
        )
        .unwrap();
        assert_eq!(plan.fixed.len(), 1);
        assert_eq!(plan.scenario_values, ["0.3"]);
    }
}
