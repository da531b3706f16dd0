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
