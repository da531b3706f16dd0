//! `[regimes]` and `[[regime]]` (MODEL.md, "Regimes"): the regimes' names and factors, and the
//! initial and transition probabilities by name turned into rows by regime index.

use std::collections::HashSet;
use std::ops::Range;

use super::raw::{Entries, Field, Listed, Opt, RawInitial, RawProb, RawRegime, RawRegimes, RawRow};
use super::{Checked, MAX_REGIMES, NameKind, Regime, Regimes, Validator, check_name, messages};

/// How far a row's probabilities may sum from 1 (MODEL.md: "within 1e-9").
const TOLERANCE: f64 = 1e-9;

impl Validator<'_, '_> {
    /// The regimes (none without `[[regime]]`), every default filled in; `table` is `[regimes]`.
    pub(super) fn regimes(
        &mut self,
        table: Option<&RawRegimes>,
        list: &Listed<RawRegime>,
    ) -> Checked<Regimes> {
        let entries = match list {
            Listed::Invalid => return None,
            Listed::Given(e) if e.count > 0 => e,
            Listed::Absent | Listed::Given(_) => {
                return match table {
                    Some(t) => self.fail(
                        t.span.clone(),
                        "[regimes] needs at least one [[regime]]: a [[regime]] table for each \
                         state of the political environment, with its name and effects"
                            .to_string(),
                    ),
                    None => Some(Regimes::default()),
                };
            }
        };
        let names = self.regime_names(entries);
        let count = entries.count;
        let mut ok = names.is_some();
        let mut list = Vec::new();
        for (index, r) in entries.entries.iter().enumerate() {
            let own = names.as_ref().map(|n| n[index].as_str());
            match self.regime(r, index, count, names.as_deref(), own) {
                Some(regime) => list.push(regime),
                None => ok = false,
            }
        }
        let initial = match table.map(|t| &t.initial) {
            None | Some(Opt::Absent) => Some(unit(0, count)),
            Some(Opt::Invalid) => None,
            Some(Opt::Given(initial)) => {
                let field = Field::path("regimes.initial".into());
                match initial.get_ref() {
                    RawInitial::Name(name) => {
                        let name = name.trim();
                        match &names {
                            Some(names) => match names.iter().position(|n| n == name) {
                                Some(i) => Some(unit(i, count)),
                                None => {
                                    let names: Vec<&str> =
                                        names.iter().map(String::as_str).collect();
                                    let message = messages::unknown_name("regime", name, &names);
                                    self.fail(initial.span(), field.says(message))
                                }
                            },
                            None => None,
                        }
                    }
                    RawInitial::Row(row) => {
                        self.probabilities(&field, initial.span(), row, names.as_deref())
                    }
                }
            }
        };
        let initial = initial?;
        ok.then_some(Regimes { initial, list })
    }

    /// The regimes' names (trimmed), each checked and unique; None when one is missing, invalid
    /// or taken, or an entry is not a table (reported), so that names in rows are not checked
    /// against an incomplete list.
    fn regime_names(&mut self, entries: &Entries<RawRegime>) -> Option<Vec<String>> {
        let mut ok = entries.entries.len() == entries.count;
        if entries.count > MAX_REGIMES {
            self.problems.report(
                Some(entries.span.clone()),
                format!(
                    "{} regimes is more than the limit of {MAX_REGIMES}",
                    entries.count
                ),
            );
            ok = false;
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut names = Vec::new();
        for r in &entries.entries {
            let Some(n) = &r.name else {
                ok = false;
                continue;
            };
            let name = n.get_ref().trim().to_string();
            if let Err(m) = check_name(NameKind::Regime, &name) {
                self.problems.report(Some(n.span()), m.to_string());
                ok = false;
                continue;
            }
            if !seen.insert(name.clone()) {
                self.problems.report(
                    Some(n.span()),
                    format!("regime.name: two regimes are named \"{name}\"; names must be unique"),
                );
                ok = false;
                continue;
            }
            names.push(name);
        }
        ok.then_some(names)
    }

    /// One regime, at `index` of `count`; `names`, when known, resolve its transition row, and
    /// `own` is its own name.
    fn regime(
        &mut self,
        r: &RawRegime,
        index: usize,
        count: usize,
        names: Option<&[String]>,
        own: Option<&str>,
    ) -> Checked<Regime> {
        let field = |k: &str| r.field.key(k).to_string();
        let approval_factor = self.opt(
            &r.approval_factor,
            |_| 1.0,
            |v, x| v.non_negative(&field("approval_factor"), x),
        );
        let batch_factor = self.opt(
            &r.batch_factor,
            |_| 1.0,
            |v, x| v.non_negative(&field("batch_factor"), x),
        );
        let conversion_factor = self.opt(
            &r.conversion_factor,
            |_| 1.0,
            |v, x| v.probability(&field("conversion_factor"), x),
        );
        let domestic_ratio = self.opt(
            &r.domestic_ratio,
            |_| None,
            |v, x| v.ratio(&field("domestic_ratio"), x).map(Some),
        );
        let domestic_supply_factor = self.opt(
            &r.domestic_supply_factor,
            |_| 1.0,
            |v, x| v.non_negative(&field("domestic_supply_factor"), x),
        );
        let hold = self.opt(&r.hold, |_| false, |_, h| Some(*h.get_ref()));
        let transition = self.opt(
            &r.transition,
            // No row: the regime stays where it is.
            |_| Some(unit(index, count)),
            |v, row| {
                let field = r.field.key("transition");
                Some(v.probabilities(&field, row.span(), row.get_ref(), names))
            },
        );
        Some(Regime {
            name: own?.to_string(),
            approval_factor: approval_factor?,
            batch_factor: batch_factor?,
            conversion_factor: conversion_factor?,
            domestic_ratio: domestic_ratio?,
            domestic_supply_factor: domestic_supply_factor?,
            hold: hold?,
            transition: transition??,
        })
    }

    /// A row of probabilities by regime name (`field` names it): each name a regime's, listed
    /// once, each probability within [0, 1], and the sum 1 within 1e-9; a name left out has
    /// probability 0. An entry marked [`RawProb::Rest`] (the regime's `own` entry, after a
    /// `--set` of another entry of its row) is 1 minus the others, which must not exceed 1.
    /// `span` is the row's position.
    /// The values are checked even when `names` is not known; the row is then None.
    fn probabilities(
        &mut self,
        field: &Field,
        span: Range<usize>,
        row: &RawRow,
        names: Option<&[String]>,
    ) -> Checked<Vec<f64>> {
        let mut ok = true;
        let mut probabilities = vec![0.0; names.map_or(0, <[String]>::len)];
        let mut seen: HashSet<&str> = HashSet::new();
        let mut rest = None;
        let mut sum = 0.0;
        for (key, p) in &row.entries {
            let name = key.get_ref().trim();
            if !seen.insert(name) {
                self.problems.report(
                    Some(key.span()),
                    field.says(format!("\"{name}\" is listed twice")),
                );
                ok = false;
                continue;
            }
            let index = match names {
                Some(names) => match names.iter().position(|n| n == name) {
                    Some(i) => Some(i),
                    None => {
                        let names: Vec<&str> = names.iter().map(String::as_str).collect();
                        let message = messages::unknown_name("regime", name, &names);
                        self.problems.report(Some(key.span()), field.says(message));
                        ok = false;
                        continue;
                    }
                },
                None => None,
            };
            match *p.get_ref() {
                RawProb::Number(x) => {
                    if !(0.0..=1.0).contains(&x) {
                        self.problems.report(
                            Some(p.span()),
                            format!("{} must be within [0, 1], got {x}", field.key(name)),
                        );
                        ok = false;
                        continue;
                    }
                    sum += x;
                    if let Some(i) = index {
                        probabilities[i] = x;
                    }
                }
                RawProb::Rest => rest = Some((p.span(), index, name)),
            }
        }
        if !ok {
            return None;
        }
        match rest {
            Some((at, index, name)) => {
                let left = 1.0 - sum;
                if left < -TOLERANCE {
                    return self.fail(
                        at,
                        field.says(format!(
                            "the entries other than {name} sum to {sum}, more than 1, so {name} \
                             cannot take up the difference; lower one of them"
                        )),
                    );
                }
                if let Some(i) = index {
                    probabilities[i] = left.max(0.0);
                }
            }
            None => {
                if (sum - 1.0).abs() > TOLERANCE {
                    return self.fail(
                        span,
                        field.says(format!(
                            "the probabilities sum to {sum}, not 1 (a regime left out has \
                             probability 0)"
                        )),
                    );
                }
            }
        }
        names.map(|_| probabilities)
    }
}

/// Probability 1 at `index` of `count`.
fn unit(index: usize, count: usize) -> Vec<f64> {
    let mut row = vec![0.0; count];
    row[index] = 1.0;
    row
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Override, Regime, Scenario, parse};
    use super::*;

    const HEAD: &str = "name = \"t\"\nrounds = 3\n[allocation]\nrule = \"talmud\"\n[approval]\n\
                        probability = 0.5\nbatch = 10\n[[firm]]\nname = \"A\"\norders = 5\n";
    /// The line after HEAD.
    const LINE: usize = 11;

    fn with_sets(body: &str, sets: &[&str]) -> Result<Scenario, Vec<String>> {
        let toml = format!("{HEAD}{body}");
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        parse(Path::new("t.toml"), toml.as_bytes(), &overrides)
            .map_err(|e| e.errors().iter().map(ToString::to_string).collect())
    }

    fn with(body: &str) -> Result<Scenario, Vec<String>> {
        with_sets(body, &[])
    }

    /// MODEL.md's example.
    const THREE: &str = "[regimes]\ninitial = \"calm\"\n\
                         [[regime]]\nname = \"calm\"\ntransition = { calm = 0.9, tense = 0.1 }\n\
                         [[regime]]\nname = \"tense\"\napproval_factor = 0.5\nbatch_factor = 0.6\n\
                         conversion_factor = 0.9\ndomestic_ratio = 0.6\ndomestic_supply_factor = 1.0\n\
                         hold = false\ntransition = { calm = 0.3, tense = 0.6, frozen = 0.1 }\n\
                         [[regime]]\nname = \"frozen\"\nhold = true\n\
                         transition = { frozen = 0.75, tense = 0.25 }\n";

    fn plain(name: &str, transition: Vec<f64>) -> Regime {
        Regime::without_effects(name, transition)
    }

    #[test]
    fn without_regimes_there_are_none() {
        assert_eq!(with("").unwrap().regimes, Regimes::default());
    }

    #[test]
    fn every_field_and_default_is_filled_in() {
        let s = with(THREE).unwrap();
        assert_eq!(s.regimes.initial, [1.0, 0.0, 0.0]);
        assert_eq!(
            s.regimes.list,
            [
                plain("calm", vec![0.9, 0.1, 0.0]),
                Regime {
                    approval_factor: 0.5,
                    batch_factor: 0.6,
                    conversion_factor: 0.9,
                    domestic_ratio: Some(0.6),
                    ..plain("tense", vec![0.3, 0.6, 0.1])
                },
                Regime {
                    hold: true,
                    ..plain("frozen", vec![0.0, 0.25, 0.75])
                },
            ]
        );
        // Without [regimes], round 1 is in the first regime; a regime without a row stays.
        let s = with("[[regime]]\nname = \"a\"\n[[regime]]\nname = \" b \"\n").unwrap();
        assert_eq!(s.regimes.initial, [1.0, 0.0]);
        assert_eq!(
            s.regimes.list,
            [plain("a", vec![1.0, 0.0]), plain("b", vec![0.0, 1.0])]
        );
        // An initial table, with a name left out.
        let s = with(&THREE.replace(
            "initial = \"calm\"",
            "initial = { tense = 0.25, calm = 0.75 }",
        ))
        .unwrap();
        assert_eq!(s.regimes.initial, [0.75, 0.25, 0.0]);
        // Factors at their limits.
        let s = with(
            "[[regime]]\nname = \"z\"\napproval_factor = 0\nbatch_factor = 1e9\n\
             conversion_factor = 0\ndomestic_ratio = 1e6\ndomestic_supply_factor = 0\n",
        )
        .unwrap();
        let z = &s.regimes.list[0];
        assert_eq!(
            (z.approval_factor, z.batch_factor, z.conversion_factor),
            (0.0, 1e9, 0.0)
        );
        assert_eq!(
            (z.domestic_ratio, z.domestic_supply_factor),
            (Some(1e6), 0.0)
        );
    }

    #[test]
    fn regimes_without_a_regime_are_refused() {
        assert_eq!(
            with("[regimes]\ninitial = \"calm\"\n").unwrap_err(),
            [format!(
                "t.toml:{LINE}:1: [regimes] needs at least one [[regime]]: a [[regime]] table for \
                 each state of the political environment, with its name and effects"
            )]
        );
        assert!(with("regime = []\n[regimes]\n").is_err());
        // A [regime] table instead of an array is that mistake, not also the one above.
        assert_eq!(
            with("[regimes]\n[regime]\nname = \"a\"\n").unwrap_err(),
            [format!(
                "t.toml:{}:1: regime: expected an array of tables, got a table: write [[regime]] \
                 (double brackets) for each regime",
                LINE + 1
            )]
        );
    }

    #[test]
    fn bad_factors_are_named_with_their_regime() {
        let body = "[[regime]]\nname = \"tense\"\napproval_factor = -0.5\nbatch_factor = inf\n\
                    conversion_factor = 1.5\ndomestic_ratio = -1\ndomestic_supply_factor = nan\n\
                    hold = 1\n[[regime]]\ndomestic_ratio = 2e6\napproval_factr = 1\n";
        let l = LINE;
        assert_eq!(
            with(body).unwrap_err(),
            [
                format!(
                    "t.toml:{}:19: regime.tense.approval_factor must be a finite number >= 0, got -0.5",
                    l + 2
                ),
                format!(
                    "t.toml:{}:16: regime.tense.batch_factor must be a finite number >= 0, got inf",
                    l + 3
                ),
                format!(
                    "t.toml:{}:21: regime.tense.conversion_factor must be within [0, 1], got 1.5",
                    l + 4
                ),
                format!(
                    "t.toml:{}:18: regime.tense.domestic_ratio must be a finite number >= 0, got -1",
                    l + 5
                ),
                format!(
                    "t.toml:{}:26: regime.tense.domestic_supply_factor must be a finite number >= \
                     0, got NaN",
                    l + 6
                ),
                format!(
                    "t.toml:{}:8: regime.tense.hold: expected a boolean, got integer `1`",
                    l + 7
                ),
                format!(
                    "t.toml:{}:1: the 2nd [[regime]] (line {}): missing required key `name`",
                    l + 8,
                    l + 8
                ),
                format!(
                    "t.toml:{}:18: the 2nd [[regime]] (line {}): domestic_ratio must be at most \
                     10^6 (1000000 domestic chips per imported chip), got 2000000",
                    l + 9,
                    l + 8
                ),
                format!(
                    "t.toml:{}:1: the 2nd [[regime]] (line {}): approval_factr: unknown key (a \
                     typo?); did you mean `approval_factor`?",
                    l + 10,
                    l + 8
                ),
            ]
        );
    }

    #[test]
    fn names_follow_the_name_rules_and_are_unique() {
        let body = "[[regime]]\nname = \"calm\"\n[[regime]]\nname = \"calm\"\n\
                    [[regime]]\nname = \"very tense\"\n";
        assert_eq!(
            with(body).unwrap_err(),
            [
                format!(
                    "t.toml:{}:8: regime.name: two regimes are named \"calm\"; names must be unique",
                    LINE + 3
                ),
                format!(
                    "t.toml:{}:8: regime.name \"very tense\" has ' ', but names are made of \
                     letters, digits, '-' and '_' (e.g. \"very-tense\")",
                    LINE + 5
                ),
            ]
        );
        // Names in rows are not checked against a list with a bad name in it.
        let body = "[[regime]]\nname = \"a b\"\ntransition = { b = 1 }\n";
        assert_eq!(with(body).unwrap_err().len(), 1);
    }

    #[test]
    fn rows_name_known_regimes_once_with_probabilities_summing_to_one() {
        let body = "[regimes]\ninitial = \"calmm\"\n\
                    [[regime]]\nname = \"calm\"\ntransition = { calm = 0.9, tens = 0.1 }\n\
                    [[regime]]\nname = \"tense\"\ntransition = { calm = 0.5, tense = 0.4 }\n\
                    [[regime]]\nname = \"x\"\ntransition = { calm = 1.5, x = -0.5 }\n\
                    [[regime]]\nname = \"y\"\ntransition = { \"y\" = 0.5, \" y\" = 0.5 }\n\
                    [[regime]]\nname = \"z\"\ntransition = {}\n";
        let l = LINE;
        assert_eq!(
            with(body).unwrap_err(),
            [
                format!(
                    "t.toml:{}:11: regimes.initial: unknown regime \"calmm\"; did you mean \
                     \"calm\"? (expected one of calm, tense, x, y, z)",
                    l + 1
                ),
                format!(
                    "t.toml:{}:28: regime.calm.transition: unknown regime \"tens\"; did you mean \
                     \"tense\"? (expected one of calm, tense, x, y, z)",
                    l + 4
                ),
                format!(
                    "t.toml:{}:14: regime.tense.transition: the probabilities sum to 0.9, not 1 (a \
                     regime left out has probability 0)",
                    l + 7
                ),
                format!(
                    "t.toml:{}:23: regime.x.transition.calm must be within [0, 1], got 1.5",
                    l + 10
                ),
                format!(
                    "t.toml:{}:32: regime.x.transition.x must be within [0, 1], got -0.5",
                    l + 10
                ),
                format!(
                    "t.toml:{}:27: regime.y.transition: \"y\" is listed twice",
                    l + 13
                ),
                format!(
                    "t.toml:{}:14: regime.z.transition: the probabilities sum to 0, not 1 (a \
                     regime left out has probability 0)",
                    l + 16
                ),
            ]
        );
        // Within 1e-9 of 1 is 1.
        let row = |r: &str| {
            with(&format!(
                "[[regime]]\nname = \"a\"\n[[regime]]\nname = \"b\"\ntransition = {r}\n"
            ))
        };
        assert!(row("{ a = 0.3, b = 0.7000000005 }").is_ok());
        assert!(row("{ a = 0.3, b = 0.700000002 }").is_err());
        // Wrong types.
        assert_eq!(
            row("\"a\"").unwrap_err(),
            [format!(
                "t.toml:{}:14: regime.b.transition: expected a table of probabilities by regime \
                 name, such as {{ calm = 0.9, tense = 0.1 }}, got string \"a\"",
                LINE + 4
            )]
        );
        assert_eq!(
            row("{ a = \"all\" }").unwrap_err(),
            [format!(
                "t.toml:{}:20: regime.b.transition.a: expected a number, got string \"all\"",
                LINE + 4
            )]
        );
        assert_eq!(
            with("[regimes]\ninitial = 1\n[[regime]]\nname = \"a\"\n").unwrap_err(),
            [format!(
                "t.toml:{}:11: regimes.initial: expected a regime's name or a table of \
                 probabilities such as {{ calm = 0.8, tense = 0.2 }}, got integer `1`",
                LINE + 1
            )]
        );
        assert_eq!(
            with("[regimes]\nstart = \"a\"\n[[regime]]\nname = \"a\"\n").unwrap_err(),
            [format!(
                "t.toml:{}:1: regimes.start: unknown key (a typo?); expected `initial`",
                LINE + 1
            )]
        );
    }

    #[test]
    fn regimes_are_counted() {
        let body: String = (0..=MAX_REGIMES)
            .map(|i| format!("[[regime]]\nname = \"r{i}\"\n"))
            .collect();
        assert_eq!(
            with(&body).unwrap_err(),
            [format!(
                "t.toml:{LINE}:1: 51 regimes is more than the limit of 50"
            )]
        );
    }

    /// `regime.NAME.transition.OTHER=P` keeps the row summing to 1: the regime's own entry takes
    /// up the difference, once every override is applied.
    #[test]
    fn setting_one_entry_of_a_row_keeps_it_summing_to_one() {
        let tense =
            |sets: &[&str]| with_sets(THREE, sets).map(|s| s.regimes.list[1].transition.clone());
        assert_eq!(
            tense(&["regime.tense.transition.frozen=0.2"]).unwrap(),
            [0.3, 0.5, 0.2]
        );
        // Two entries of one row, in either order; the own entry ends where the last leaves it.
        for sets in [
            [
                "regime.tense.transition.frozen=0",
                "regime.tense.transition.calm=0.5",
            ],
            [
                "regime.tense.transition.calm=0.5",
                "regime.tense.transition.frozen=0",
            ],
        ] {
            assert_eq!(tense(&sets).unwrap(), [0.5, 0.5, 0.0]);
        }
        // A regime without a row (absorbing) gets one.
        let s = with_sets(
            "[[regime]]\nname = \"a\"\n[[regime]]\nname = \"b\"\n",
            &["regime.a.transition.b=0.25"],
        )
        .unwrap();
        assert_eq!(s.regimes.list[0].transition, [0.75, 0.25]);
        // All of it to another regime leaves 0.
        let s = with_sets(THREE, &["regime.calm.transition.tense=1"]).unwrap();
        assert_eq!(s.regimes.list[0].transition, [0.0, 1.0, 0.0]);
        // Too much is refused, naming the row.
        assert_eq!(
            tense(&["regime.tense.transition.frozen=0.8"]).unwrap_err(),
            [
                "--set regime.tense.transition.frozen=0.8: regime.tense.transition: the entries \
              other than tense sum to 1.1, more than 1, so tense cannot take up the difference; \
              lower one of them"
            ]
        );
        // A bad value is the override's.
        assert_eq!(
            tense(&["regime.tense.transition.frozen=-0.1"]).unwrap_err(),
            [
                "--set regime.tense.transition.frozen=-0.1: regime.tense.transition.frozen must be \
              within [0, 1], got -0.1"
            ]
        );
        assert_eq!(
            tense(&["regime.tense.transition.cold=0.1"]).unwrap_err(),
            [
                "--set regime.tense.transition.cold=0.1: regime.tense.transition: unknown regime \
              \"cold\"; expected one of calm, tense, frozen"
            ]
        );
        // The own entry is not set alone; the whole row is.
        assert_eq!(
            tense(&["regime.tense.transition.tense=0.5"]).unwrap_err(),
            [
                "--set regime.tense.transition.tense=0.5: regime.tense.transition.tense: a \
              regime's own entry takes up what the other entries leave when one of them is set, \
              so it cannot be set alone; set another entry (regime.tense.transition.NAME=P) or \
              the whole row (regime.tense.transition={ tense = 0.8, NAME = 0.2 })"
            ]
        );
        assert_eq!(
            tense(&["regime.tense.transition={ tense = 0.5, frozen = 0.5 }"]).unwrap(),
            [0.0, 0.5, 0.5]
        );
    }

    /// Every other field of a regime, and the initial regime, are set as any key is.
    #[test]
    fn regime_fields_and_the_initial_regime_can_be_set() {
        let s = with_sets(
            THREE,
            &[
                "regime.calm.approval_factor=0.3",
                "regime.calm.batch_factor=2",
                "regime.calm.conversion_factor=0.5",
                "regime.calm.domestic_ratio=0.1",
                "regime.calm.domestic_supply_factor=0.4",
                "regime.calm.hold=true",
                "regimes.initial=frozen",
            ],
        )
        .unwrap();
        assert_eq!(
            s.regimes.list[0],
            Regime {
                approval_factor: 0.3,
                batch_factor: 2.0,
                conversion_factor: 0.5,
                domestic_ratio: Some(0.1),
                domestic_supply_factor: 0.4,
                hold: true,
                ..plain("calm", vec![0.9, 0.1, 0.0])
            }
        );
        assert_eq!(s.regimes.initial, [0.0, 0.0, 1.0]);
        let s = with_sets(THREE, &["regimes.initial={ frozen = 0.5, calm = 0.5 }"]).unwrap();
        assert_eq!(s.regimes.initial, [0.5, 0.0, 0.5]);
        assert_eq!(
            with_sets(
                THREE,
                &["regime.calm.approval_factor=-1", "regime.calm.colour=1"]
            )
            .unwrap_err(),
            [
                "--set regime.calm.approval_factor=-1: regime.calm.approval_factor must be a \
                 finite number >= 0, got -1",
                "--set regime.calm.colour=1: regime.calm.colour: unknown key (a typo?); expected \
                 one of `name`, `approval_factor`, `batch_factor`, `conversion_factor`, \
                 `domestic_ratio`, `domestic_supply_factor`, `hold`, `transition`",
            ]
        );
        assert_eq!(
            with_sets(
                THREE,
                &[
                    "regime.cool.hold=true",
                    "regimes.initial.calm=1",
                    "regime.calm=1"
                ]
            )
            .unwrap_err(),
            [
                "--set regime.cool.hold=true: no regime named 'cool' (the scenario has: calm, \
                 tense, frozen)",
                "--set regimes.initial.calm=1: regimes.initial is set whole: a regime's name \
                 (regimes.initial=calm) or a table of probabilities (regimes.initial={ calm = \
                 0.8, tense = 0.2 })",
                "--set regime.calm=1: regime entries are set by name: use regime.NAME.KEY, e.g. \
                 regime.tense.approval_factor=0.5",
            ]
        );
        assert_eq!(
            with_sets(THREE, &["regimes.initial=cold"]).unwrap_err(),
            [
                "--set regimes.initial=cold: regimes.initial: unknown regime \"cold\"; expected one \
              of calm, tense, frozen"
            ]
        );
    }
}
