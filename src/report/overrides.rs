//! How the `--set` overrides of a run or a comparison are shown, so that nothing handed on
//! looks like the scenario file as written when it is not: the phrase titles and chart
//! subtitles carry ("baseline, with allocation.rule = talmud, domestic.ratio = 0.6", shortened
//! when long), the whole list the report gives, and the name of the default output folder.

/// Characters of overrides a title or subtitle shows before it says "and N more".
const SHORT_CHARS: usize = 60;
/// Characters of one value a title or subtitle shows before cutting it with "…".
const SHORT_VALUE_CHARS: usize = 24;
/// Longest folder name spelt out from the overrides; a longer one is named by a hash.
const FOLDER_CHARS: usize = 80;

/// `key = value` for each override, comma-separated, none cut: what the report lists whole.
pub fn listed(overrides: &[(String, String)]) -> String {
    overrides
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "with KEY = VALUE, ..." for a title or subtitle: values past 24 characters cut with "…", and
/// past 60 characters of overrides the rest counted ("and 2 more overrides"). Empty without
/// overrides.
pub fn with_phrase(overrides: &[(String, String)]) -> String {
    let mut shown: Vec<String> = Vec::new();
    let mut length = 0;
    for (k, v) in overrides {
        let value = if v.chars().count() > SHORT_VALUE_CHARS {
            format!(
                "{}…",
                v.chars().take(SHORT_VALUE_CHARS - 1).collect::<String>()
            )
        } else {
            v.clone()
        };
        let item = format!("{k} = {value}");
        // The first one always shows, however long.
        if !shown.is_empty() && length + item.chars().count() > SHORT_CHARS {
            break;
        }
        length += item.chars().count() + 2;
        shown.push(item);
    }
    if shown.is_empty() {
        return String::new();
    }
    let rest = overrides.len() - shown.len();
    let more = match rest {
        0 => String::new(),
        1 => " and 1 more override".to_string(),
        n => format!(" and {n} more overrides"),
    };
    format!("with {}{more}", shown.join(", "))
}

/// The scenario's name, followed by ", with ..." ([`with_phrase`]) when there are overrides:
/// the title of a run's report and the name its charts give.
pub fn titled(name: &str, overrides: &[(String, String)]) -> String {
    if overrides.is_empty() {
        name.to_string()
    } else {
        format!("{name}, {}", with_phrase(overrides))
    }
}

/// The default output folder's name for scenario `name` run with `overrides`: the name alone
/// without overrides; with them, the name and each `KEY=VALUE` joined by '+'
/// (`baseline+allocation.rule=talmud+domestic.ratio=0.6`) when every key and value is only
/// letters, digits, '.', '-' and '_' and the whole stays within 80 characters; otherwise the
/// name, the number of overrides and the first 8 hex digits of the SHA-256 of their
/// `KEY=VALUE` lines (`baseline+3-overrides-1f2e3d4c`), so different overrides never share a
/// folder and a rerun with the same ones finds its own.
pub fn folder_name(name: &str, overrides: &[(String, String)]) -> String {
    if overrides.is_empty() {
        return name.to_string();
    }
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    let spelt: Vec<String> = overrides.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let readable = format!("{name}+{}", spelt.join("+"));
    if overrides.iter().all(|(k, v)| plain(k) && plain(v)) && readable.len() <= FOLDER_CHARS {
        return readable;
    }
    let lines: String = spelt.iter().map(|s| format!("{s}\n")).collect();
    let hash = super::sha256_hex(lines.as_bytes());
    let count = match overrides.len() {
        1 => "1-override".to_string(),
        n => format!("{n}-overrides"),
    };
    format!("{name}+{count}-{}", &hash[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn titles_name_the_overrides_and_shorten_long_lists() {
        let two = pairs(&[("allocation.rule", "talmud"), ("domestic.ratio", "0.6")]);
        assert_eq!(
            titled("baseline", &two),
            "baseline, with allocation.rule = talmud, domestic.ratio = 0.6"
        );
        assert_eq!(titled("baseline", &[]), "baseline");
        assert_eq!(
            listed(&two),
            "allocation.rule = talmud, domestic.ratio = 0.6"
        );
        let many = pairs(&[
            ("allocation.rule", "talmud"),
            ("domestic.ratio", "0.6"),
            ("approval.probability", "0.5"),
            ("firm.Baidu.eligible_from", "3"),
        ]);
        assert_eq!(
            with_phrase(&many),
            "with allocation.rule = talmud, domestic.ratio = 0.6 and 2 more overrides"
        );
        let long = pairs(&[(
            "approval.batch",
            r#"{dist="uniform",min=100000,max=300000}"#,
        )]);
        assert_eq!(
            with_phrase(&long),
            r#"with approval.batch = {dist="uniform",min=100…"#
        );
        // The whole list is never cut.
        assert!(listed(&many).ends_with("firm.Baidu.eligible_from = 3"));
        assert!(listed(&long).ends_with("max=300000}"));
    }

    #[test]
    fn folders_spell_plain_overrides_and_hash_the_rest() {
        assert_eq!(folder_name("baseline", &[]), "baseline");
        let two = pairs(&[("allocation.rule", "talmud"), ("domestic.ratio", "0.6")]);
        assert_eq!(
            folder_name("baseline", &two),
            "baseline+allocation.rule=talmud+domestic.ratio=0.6"
        );
        let braces = pairs(&[("approval.batch", "{dist=\"fixed\",value=3}")]);
        let name = folder_name("baseline", &braces);
        assert!(name.starts_with("baseline+1-override-"), "{name}");
        assert_eq!(name.len(), "baseline+1-override-".len() + 8);
        let other = pairs(&[("approval.batch", "{dist=\"fixed\",value=4}")]);
        assert_ne!(folder_name("baseline", &other), name);
        // Spaces and slashes (a firm's name) never reach the file system.
        let spaced = pairs(&[("firm.Tencent Cloud/x.round_cap", "5")]);
        let n = folder_name("b", &spaced);
        assert!(!n.contains(' ') && !n.contains('/'), "{n}");
        let long: Vec<(String, String)> = (0..9)
            .map(|i| (format!("event.e{i}.probability"), "0.1".to_string()))
            .collect();
        assert!(folder_name("b", &long).starts_with("b+9-overrides-"));
    }

    fn baseline() -> (std::path::PathBuf, Vec<u8>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let bytes = std::fs::read(&path).expect("the baseline ships with the crate");
        (path, bytes)
    }

    /// Every run chart's subtitle names the overrides and the rule the run used; without
    /// overrides it reads as before.
    #[test]
    fn run_subtitles_name_the_overrides_and_the_rule_used() {
        use crate::report::RunInfo;
        use crate::report::charts::data::run_line;
        use crate::scenario::{self, Override};
        let (path, bytes) = baseline();
        let set: Vec<Override> = ["allocation.rule=talmud", "domestic.ratio=0.6"]
            .iter()
            .map(|t| Override::parse(t).unwrap())
            .collect();
        let s = scenario::parse(&path, &bytes, &set).unwrap();
        let info = RunInfo::new(&s, 2000, 7).with_overrides(&set);
        assert_eq!(
            run_line(&info),
            "Scenario \"baseline\", with allocation.rule = talmud, domestic.ratio = 0.6 · 2,000 \
             trials · seed 7 · talmud allocation · 4 rounds"
        );
        assert_eq!(
            info.title(),
            "baseline, with allocation.rule = talmud, domestic.ratio = 0.6"
        );
        let plain = RunInfo::new(&scenario::parse(&path, &bytes, &[]).unwrap(), 2000, 7);
        assert_eq!(
            run_line(&plain),
            "Scenario \"baseline\" · 2,000 trials · seed 7 · proportional allocation · 4 rounds"
        );
    }

    /// Every comparison chart's subtitle names the overrides its points share.
    #[test]
    fn comparison_subtitles_name_the_fixed_overrides() {
        use crate::compare::{self, Comparison, Knob, PointsOptions, plan};
        use crate::report::charts::compare::run_line;
        use crate::scenario::Override;
        let (path, bytes) = baseline();
        let comparison = |fixed: &[Override]| {
            let knobs = [Knob::parse("domestic.ratio=0.3,1").unwrap()];
            let plan = plan::sweep(&path, &bytes, fixed, &knobs).unwrap();
            let scenarios: Vec<_> = plan.points.iter().map(|p| &p.scenario).collect();
            let options = PointsOptions {
                trials: 20,
                threads: 1,
                ..PointsOptions::default()
            };
            let result = compare::run_points(&scenarios, &options, &mut |_| {}, None).unwrap();
            Comparison::new(&plan, 20, 0, result)
        };
        let fixed = [Override::parse("allocation.rule=equal_awards").unwrap()];
        assert_eq!(
            run_line(&comparison(&fixed)),
            "Sweep of scenario \"baseline\", with allocation.rule = equal_awards · 2 points · 20 \
             trials each · seed 0 · the same trials in every point"
        );
        assert!(
            run_line(&comparison(&[])).starts_with("Sweep of scenario \"baseline\" · 2 points")
        );
    }
}
