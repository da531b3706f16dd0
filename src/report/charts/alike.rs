//! Which firms a scenario makes alike by construction: firms whose fill rate, or whose every
//! outcome, has the same distribution because of how the allocation rule treats them, read from
//! the firms' terms of [`RunInfo`]. Their boxes, panels or curves are then identical, which looks
//! like a bug unless the chart says why; this module finds them and words the note.
//!
//! Why firms come out alike (docs/model.md, "A trial"): a firm's own random inputs are its
//! orders (drawn from its `orders` distribution) and its conversion rates (one draw per round
//! from the scenario-wide `conversion` distribution), independent from firm to firm; everything
//! else (approvals, batches, shocks, domestic supply) is shared. So two firms are interchangeable
//! when their orders come from the same distribution, they claim from the same round with the
//! same cap, and the rule treats equal claims alike (every rule but `priority`; `weighted` when
//! their weights are equal). Under `proportional` each claim in a round gets the same share of
//! itself (and, in a domestic shortage, the same share of its domestic requirement), so any two
//! uncapped firms entering in the same round end with the same fill rate whatever their orders.
//! "The same" is up to the whole-unit rounding, whose ties go to the lower-listed firm (at most
//! a unit a round).

use crate::report::{FirmTerms, RunInfo};
use crate::scenario::Rule;

/// What firms have in common by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sameness {
    /// The distribution of the fill rate (delivered ÷ orders).
    FillRate,
    /// The distribution of every outcome: the firms are interchangeable.
    Everything,
}

/// Why the firms of a group are alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Uncapped firms entering in the same round under `proportional`: every claim gets the same
    /// share of itself, so they share the fill rate whatever they order.
    SameShare,
    /// Same orders distribution, entry round and cap (and weight, under `weighted`), under a rule
    /// that treats equal claims alike: everything they get is alike.
    Interchangeable,
}

/// Firms that are alike by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The firms' listed positions, in order (two or more).
    pub firms: Vec<usize>,
    /// The round from which they claim.
    pub entry: u32,
    /// Why they are alike.
    pub reason: Reason,
}

/// The groups of firms of the run `info` that share `sameness` by construction, in the order of
/// their first firm. Firms never eligible within the horizon are left out (they get nothing,
/// which their charts show plainly), and so is every firm when `info` has no terms (a
/// results.json written before they were saved) or a rule it does not know.
pub fn groups(info: &RunInfo, sameness: Sameness) -> Vec<Group> {
    let Some(rule) = Rule::ALL
        .iter()
        .find(|(_, name)| *name == info.rule)
        .map(|(rule, _)| *rule)
    else {
        return Vec::new();
    };
    if info.terms.len() != info.firms.len() {
        return Vec::new();
    }
    let keyed: Vec<Option<(u32, Reason, String)>> = info
        .terms
        .iter()
        .map(|t| key(rule, t, info.rounds, sameness))
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut taken = vec![false; keyed.len()];
    for i in 0..keyed.len() {
        let Some(k) = &keyed[i] else { continue };
        if taken[i] {
            continue;
        }
        let firms: Vec<usize> = (i..keyed.len())
            .filter(|&j| keyed[j].as_ref() == Some(k))
            .collect();
        if firms.len() > 1 {
            firms.iter().for_each(|&j| taken[j] = true);
            groups.push(Group {
                firms,
                entry: k.0,
                reason: k.1,
            });
        }
    }
    groups
}

/// What makes a firm alike to others: firms with equal keys share `sameness`; `None` for a firm
/// alike to no other whatever its terms.
fn key(
    rule: Rule,
    t: &FirmTerms,
    rounds: u32,
    sameness: Sameness,
) -> Option<(u32, Reason, String)> {
    if let Some(entry) = &t.entry_drawn {
        // Entry rounds drawn per trial: firms with the same terms are alike in distribution
        // (one firm's fill rate is not another's in each trial, so no shared share).
        return match rule {
            Rule::Priority => None,
            _ => {
                let mut k = format!("{} | cap {:?} | entry {entry}", t.orders, t.round_cap);
                if rule == Rule::Weighted {
                    k += &format!(" | weight {}", t.weight);
                }
                Some((0, Reason::Interchangeable, k))
            }
        };
    }
    let entry = t.eligible_from.max(1);
    if entry > rounds {
        return None;
    }
    match rule {
        // Claims are served in a fixed order, ties broken by listed position: no two firms are
        // treated alike.
        Rule::Priority => None,
        Rule::Proportional if sameness == Sameness::FillRate && t.round_cap.is_none() => {
            Some((entry, Reason::SameShare, String::new()))
        }
        _ => {
            let mut k = format!("{} | cap {:?}", t.orders, t.round_cap);
            if rule == Rule::Weighted {
                k += &format!(" | weight {}", t.weight);
            }
            Some((entry, Reason::Interchangeable, k))
        }
    }
}

/// "A", "A and B", "A, B and C".
fn names(info: &RunInfo, firms: &[usize]) -> String {
    let names: Vec<&str> = firms.iter().map(|&f| info.firms[f].as_str()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The note a chart showing `sameness` carries when some firms are alike by construction, or
/// none: which firms, and why. `consequence` says what the reader sees, completing "so …" (e.g.
/// "their boxes match").
pub fn note(info: &RunInfo, sameness: Sameness, consequence: &str) -> Option<String> {
    let groups = groups(info, sameness);
    if groups.is_empty() {
        return None;
    }
    let lead = match sameness {
        Sameness::FillRate => "Same fill rate by construction",
        Sameness::Everything => "Same by construction",
    };
    let listed: Vec<String> = groups
        .iter()
        .map(|g| format!("{} (from round {})", names(info, &g.firms), g.entry))
        .collect();
    let mut text = format!("{lead}: {}.", listed.join("; "));
    let has = |r: Reason| groups.iter().any(|g| g.reason == r);
    if has(Reason::SameShare) {
        text += " The proportional rule gives every claim in a round the same share of itself, so \
                 firms entering in the same round with no round cap end with the same fill rate, \
                 whatever they order";
        if has(Reason::Interchangeable) {
            text += ".";
        } else {
            text += &format!(": {consequence}.");
        }
    }
    if has(Reason::Interchangeable) {
        let weight = if info.rule == "weighted" {
            ", round cap and weight"
        } else {
            " and round cap"
        };
        text += &format!(
            " Firms with the same orders distribution, entry round{weight} are interchangeable \
             under the {} rule, which treats equal claims alike: {consequence}.",
            info.rule
        );
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(orders: &str, eligible_from: u32, round_cap: Option<u64>) -> FirmTerms {
        FirmTerms {
            orders: orders.to_string(),
            eligible_from,
            entry_drawn: None,
            round_cap,
            priority: 1,
            weight: 1.0,
        }
    }

    fn info(rule: &str, terms: Vec<FirmTerms>) -> RunInfo {
        RunInfo {
            name: "t".to_string(),
            description: String::new(),
            trials: 1,
            seed: 1,
            rounds: 4,
            rule: rule.to_string(),
            firms: (0..terms.len()).map(|i| format!("F{i}")).collect(),
            equivalence: 0.0,
            knobs: Vec::new(),
            overrides: Vec::new(),
            terms,
            regimes: Vec::new(),
        }
    }

    const BIG: &str = "pert(min 200000, mode 450000, max 800000)";
    const SMALL: &str = "pert(min 150000, mode 350000, max 600000)";

    /// The baseline's shape: three uncapped firms from round 1 with different orders, two from
    /// round 2, one capped from round 4.
    fn baseline_like(rule: &str) -> RunInfo {
        info(
            rule,
            vec![
                terms(BIG, 1, None),
                terms(SMALL, 1, None),
                terms("uniform(min 1, max 9)", 1, None),
                terms(SMALL, 2, None),
                terms(BIG, 2, None),
                terms(SMALL, 4, Some(20_000)),
            ],
        )
    }

    fn firms(groups: &[Group]) -> Vec<Vec<usize>> {
        groups.iter().map(|g| g.firms.clone()).collect()
    }

    #[test]
    fn proportional_shares_the_fill_rate_of_uncapped_firms_entering_together() {
        let i = baseline_like("proportional");
        let fill = groups(&i, Sameness::FillRate);
        assert_eq!(firms(&fill), vec![vec![0, 1, 2], vec![3, 4]]);
        assert_eq!((fill[0].entry, fill[1].entry), (1, 2));
        assert!(fill.iter().all(|g| g.reason == Reason::SameShare));
        // Different orders: nothing else is alike.
        assert_eq!(groups(&i, Sameness::Everything), Vec::new());
        let text = note(&i, Sameness::FillRate, "their boxes match").expect("a note");
        assert!(
            text.starts_with(
                "Same fill rate by construction: F0, F1 and F2 (from round 1); F3 and F4 (from \
                 round 2). The proportional rule"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("whatever they order: their boxes match."),
            "{text}"
        );
        assert_eq!(note(&i, Sameness::Everything, "x"), None);
    }

    #[test]
    fn a_cap_or_another_entry_round_breaks_the_proportional_likeness() {
        let mut i = baseline_like("proportional");
        i.terms[1].round_cap = Some(50_000);
        i.terms[4].eligible_from = 3;
        let fill = groups(&i, Sameness::FillRate);
        assert_eq!(firms(&fill), vec![vec![0, 2]]);
        // Capped firms are alike only when interchangeable: same orders and the same cap.
        i.terms[5] = terms(SMALL, 1, Some(50_000));
        let fill = groups(&i, Sameness::FillRate);
        assert_eq!(firms(&fill), vec![vec![0, 2], vec![1, 5]]);
        assert_eq!(fill[1].reason, Reason::Interchangeable);
        assert_eq!(firms(&groups(&i, Sameness::Everything)), vec![vec![1, 5]]);
        let text = note(&i, Sameness::FillRate, "their boxes match").expect("a note");
        assert!(
            text.contains("whatever they order. Firms with the same"),
            "{text}"
        );
        assert!(
            text.ends_with("treats equal claims alike: their boxes match."),
            "{text}"
        );
    }

    #[test]
    fn other_rules_need_interchangeable_firms() {
        for rule in [
            "equal_awards",
            "equal_losses",
            "talmud",
            "random_priority",
            "weighted",
        ] {
            let i = baseline_like(rule);
            assert_eq!(groups(&i, Sameness::FillRate), Vec::new(), "{rule}");
            let mut same = i.clone();
            same.terms[1].orders = BIG.to_string();
            for sameness in [Sameness::FillRate, Sameness::Everything] {
                let g = groups(&same, sameness);
                assert_eq!(firms(&g), vec![vec![0, 1]], "{rule}");
                assert_eq!(g[0].reason, Reason::Interchangeable);
            }
            let text = note(&same, Sameness::Everything, "their curves coincide").expect("a note");
            assert!(text.starts_with("Same by construction: F0 and F1 (from round 1). "));
            assert!(text.contains(&format!("under the {rule} rule")), "{text}");
        }
        // Unequal weights under `weighted` are not alike; they are under the rules that ignore
        // weights.
        let mut w = baseline_like("weighted");
        w.terms[1].orders = BIG.to_string();
        w.terms[1].weight = 2.0;
        assert_eq!(groups(&w, Sameness::Everything), Vec::new());
        w.rule = "equal_awards".to_string();
        assert_eq!(firms(&groups(&w, Sameness::Everything)), vec![vec![0, 1]]);
    }

    #[test]
    fn nothing_is_alike_under_priority_or_without_terms() {
        let mut i = baseline_like("priority");
        i.terms[1].orders = BIG.to_string();
        assert_eq!(groups(&i, Sameness::FillRate), Vec::new());
        assert_eq!(groups(&i, Sameness::Everything), Vec::new());
        let mut old = baseline_like("proportional");
        old.terms.clear();
        assert_eq!(groups(&old, Sameness::FillRate), Vec::new());
        let mut unknown = baseline_like("proportional");
        unknown.rule = "lottery".to_string();
        assert_eq!(groups(&unknown, Sameness::FillRate), Vec::new());
    }

    #[test]
    fn firms_never_eligible_are_left_out() {
        let mut i = baseline_like("proportional");
        i.terms[3].eligible_from = 5;
        i.terms[4].eligible_from = 9;
        assert_eq!(firms(&groups(&i, Sameness::FillRate)), vec![vec![0, 1, 2]]);
    }
}
