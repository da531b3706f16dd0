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
    /// The points in running order, at most [`MAX_POINTS`]; point 0 is the reference every other
    /// is paired against, and every point lists the same firms in the same order.
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
    /// The scenarios' firms differ, so their trials cannot be paired.
    #[error(transparent)]
    Firms(#[from] FirmsError),
    /// The arguments do not make a comparison.
    #[error("{0}")]
    Usage(String),
    /// Running the plan would need more memory than it may use.
    #[error(transparent)]
    Memory(#[from] super::memory::MemoryError),
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
    finish(Kind::Sweep, knobs, Vec::new(), points)
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
    finish(Kind::Sensitivity, knobs, ranges, points)
}

/// Whole scenarios side by side, each with `fixed` applied; the first is the reference. They
/// must list the same firms in the same order (see [`check_firms`]).
pub fn compare(files: &[(PathBuf, Vec<u8>)], fixed: &[Override]) -> Result<Plan, PlanError> {
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
    let names: Vec<(String, Vec<String>)> = files
        .iter()
        .zip(&points)
        .map(|((path, _), p)| (path.display().to_string(), firm_names(&p.scenario)))
        .collect();
    check_firms(&names).map_err(PlanError::Firms)?;
    let name = points[0].scenario.name.clone();
    Ok(Plan {
        kind: Kind::Compare,
        name,
        knobs: vec!["scenario".to_string()],
        ranges: Vec::new(),
        points,
    })
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
    knobs: &[Knob],
    ranges: Vec<(String, String)>,
    points: Vec<Point>,
) -> Result<Plan, PlanError> {
    let names: Vec<(String, Vec<String>)> = points
        .iter()
        .map(|p| (format!("point {}", p.label), firm_names(&p.scenario)))
        .collect();
    check_firms(&names).map_err(PlanError::Firms)?;
    Ok(Plan {
        kind,
        name: points[0].scenario.name.clone(),
        knobs: knobs.iter().map(|k| k.key.clone()).collect(),
        ranges,
        points,
    })
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

/// Checks that every `(source, firm names)` lists the same firms in the same order as the first.
/// The order matters, not only the set: trial t draws each firm's random inputs by its listed
/// position, so only the same order gives each firm the same world in every point.
pub fn check_firms(lists: &[(String, Vec<String>)]) -> Result<(), FirmsError> {
    let Some((first, reference)) = lists.first() else {
        return Ok(());
    };
    for (source, names) in &lists[1..] {
        if names == reference {
            continue;
        }
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
        return Err(FirmsError::Different(parts.join("; ")));
    }
    Ok(())
}

/// Scenarios whose firms cannot be compared trial by trial.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirmsError {
    /// The same firm names in a different order: their streams, keyed by position, would not
    /// match.
    #[error(
        "{scenario} lists the same firms as {first} in another order ({names} vs {reference}); list \
         them in the same order, since each firm's random draws are keyed by its position"
    )]
    Order {
        /// The source (file or point) whose order differs.
        scenario: String,
        /// The reference's source, the first in the list.
        first: String,
        /// The differing source's firm names, comma-separated, in its order.
        names: String,
        /// The reference's firm names, comma-separated, in its order.
        reference: String,
    },
    /// Which firms each side lacks.
    #[error("the scenarios must list the same firms to be compared trial by trial: {0}")]
    Different(String),
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
        let m = message(compare(&files, &[set("seed=3")]).unwrap_err());
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
}
