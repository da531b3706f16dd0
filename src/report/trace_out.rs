//! `allocsim trace`'s two layouts of one traced trial ([`Trace`]): text to read, round by round
//! (what happened at each step of MODEL.md's trial, then a table of the firms), and a tidy CSV
//! with one row per round and firm that carries the round's columns on every row. The CSV's
//! last round gives each firm's outcome under trials.csv's names and in its format.

use std::fmt::Write;

use crate::analysis::trace::{RoundState, RoundTrace, Trace};
use crate::report::csv_out::{finish, metric_value, write, writer};
use crate::report::format::{group_digits, number};
use crate::report::table::aligned;
use crate::scenario::{Effect, Scenario};
use crate::stats::{FirmInputs, METRICS, Metric, firm_metric_values, trial_metric_values};
use crate::units::Units;

/// Decimals of the rates and probabilities in the CSV.
const RATE_DECIMALS: usize = 9;

/// The trial as text: `title` (the scenario's name, with its overrides), the trial's start, each
/// round's steps and firms, and the outcome per firm and in total.
pub fn trace_text(s: &Scenario, title: &str, t: &Trace) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "{title}: trial {} with seed {}, exactly as `allocsim run` plays it (trials.csv's row \
         trial = {}; trials are numbered from 0).",
        t.trial, t.seed, t.trial
    );
    let drawn = if s.domestic.ratio.point_mass().is_none() {
        "drawn for this trial"
    } else {
        "the scenario's"
    };
    let _ = writeln!(
        h,
        "{} rounds, {} allocation; domestic ratio {} ({drawn}).\n",
        s.rounds,
        s.rule.name(),
        number(t.rho, 6),
    );
    let mut rows = vec![cells(&["firm", "orders", "entry round"])];
    for (i, f) in s.firms.iter().enumerate() {
        rows.push(vec![
            f.name.clone(),
            group_digits(t.outcome.orders[i]),
            entry_label(t.outcome.entry[i], s.rounds),
        ]);
    }
    indent(&mut h, &aligned(&rows, |c| c == 0));
    for r in &t.rounds {
        h.push('\n');
        round_text(&mut h, s, r);
    }
    h.push('\n');
    outcome_text(&mut h, s, t);
    h
}

fn cells(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

/// An entry round for people: "never" past the horizon.
fn entry_label(entry: u32, rounds: u32) -> String {
    if entry > rounds {
        "never".to_string()
    } else {
        entry.to_string()
    }
}

/// `text` with every line indented by two spaces.
fn indent(h: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(h, "  {line}");
    }
}

fn units(u: Units) -> String {
    group_digits(u)
}

fn percent(p: f64) -> String {
    number(p * 100.0, 2) + "%"
}

fn round_text(h: &mut String, s: &Scenario, r: &RoundTrace) {
    let regime = r
        .regime
        .map(|k| format!(" · regime {}", s.regimes.list[k].name))
        .unwrap_or_default();
    let _ = writeln!(h, "Round {} of {}{regime}", r.round, s.rounds);
    if r.events.is_empty() {
        // Once halted, no event is drawn any more.
        if r.state != RoundState::Halted {
            h.push_str("  No event fired.\n");
        }
    } else {
        let fired: Vec<String> = r
            .events
            .iter()
            .map(|&j| {
                let e = &s.events[j];
                let what = match e.effect {
                    Effect::Halt => "halt".to_string(),
                    Effect::Hold => "hold".to_string(),
                    Effect::Scale(f) => format!("scale × {}", number(f, 6)),
                };
                format!("{} ({what})", e.name)
            })
            .collect();
        let _ = writeln!(h, "  Fired: {}.", fired.join(", "));
    }
    let next = if r.round < s.rounds {
        format!("round {}", r.round + 1)
    } else {
        "no later round".to_string()
    };
    match r.state {
        RoundState::Halted => {
            let fired_here = r.events.iter().any(|&j| s.events[j].effect == Effect::Halt);
            if fired_here {
                let _ = writeln!(
                    h,
                    "  Halted: no new batch from now on, and the pool of {} units is lost.",
                    units(r.pool_in)
                );
            } else {
                h.push_str("  Halted (a halt fired earlier): nothing is supplied.\n");
            }
        }
        RoundState::Held => {
            let why = if r.regime.is_some_and(|k| s.regimes.list[k].hold) {
                "a customs hold (the regime holds every round in it)"
            } else {
                "a customs hold"
            };
            let waits = if r.round < s.rounds {
                format!("waits for {next}")
            } else {
                "is left over at the end".to_string()
            };
            let _ = writeln!(
                h,
                "  Held, {why}: nothing approved or delivered; the pool of {} units {waits}.",
                units(r.pool_in)
            );
        }
        RoundState::Open => open_round_text(h, s, r, &next),
    }
    let _ = writeln!(
        h,
        "  Delivered to all firms so far: {} units.",
        units(r.delivered_total)
    );
}

fn open_round_text(h: &mut String, s: &Scenario, r: &RoundTrace, next: &str) {
    let p = percent(r.probability.unwrap_or(0.0));
    if r.approved {
        let _ = writeln!(
            h,
            "  Approved (probability {p}): a batch of {} units.",
            units(r.batch)
        );
    } else {
        let _ = writeln!(h, "  Not approved (probability {p}): no new batch.");
    }
    let _ = writeln!(
        h,
        "  Supply {} units = batch {} + pool {}.",
        units(r.supply),
        units(r.batch),
        units(r.pool_in)
    );
    let mut rows = vec![cells(&[
        "firm",
        "claim",
        "award",
        "conversion",
        "taken",
        "domestic wanted",
        "bought",
        "kept",
        "delivered so far",
    ])];
    for (i, f) in r.firms.iter().enumerate() {
        rows.push(vec![
            s.firms[i].name.clone(),
            f.claim.map_or("–".to_string(), units),
            units(f.award),
            f.rate.map_or("–".to_string(), |k| format!("{k:.4}")),
            units(f.taken),
            units(f.wanted),
            units(f.bought),
            units(f.kept),
            units(f.delivered),
        ]);
    }
    indent(h, &aligned(&rows, |c| c == 0));
    let carried = if s.carry_over {
        if r.round < s.rounds {
            format!("{} units carried into {next}", units(r.pool_out))
        } else {
            format!("{} units left over at the end", units(r.pool_out))
        }
    } else {
        format!("{} units lapse (no carry-over)", units(r.supply - r.kept()))
    };
    if !r.split {
        let why = if r.supply == 0 {
            "no supply"
        } else {
            "no firm has a claim"
        };
        let _ = writeln!(h, "  Nothing to split ({why}); {carried}.");
        return;
    }
    let wanted = r.domestic_wanted();
    let rho = number(r.rho.unwrap_or(0.0), 6);
    let domestic = if wanted == 0 {
        format!("ratio {rho}, no domestic chips wanted")
    } else {
        match r.domestic_available {
            None => format!(
                "ratio {rho}, {} wanted; no supply the scenario can draw falls short of that, so \
                 none is drawn",
                units(wanted)
            ),
            Some(a) if r.domestic_short => format!(
                "ratio {rho}, {} wanted, {} available: short, so the chips are split by the rule \
                 and each firm keeps only the imports its chips cover",
                units(wanted),
                units(a)
            ),
            Some(a) => format!(
                "ratio {rho}, {} wanted, {} available: enough",
                units(wanted),
                units(a)
            ),
        }
    };
    let _ = writeln!(h, "  Domestic chips: {domestic}.");
    let _ = writeln!(
        h,
        "  Kept {} of the {} units supplied; {carried}.",
        units(r.kept()),
        units(r.supply)
    );
}

fn outcome_text(h: &mut String, s: &Scenario, t: &Trace) {
    let o = &t.outcome;
    h.push_str("Outcome\n");
    let mut rows = vec![cells(&[
        "firm",
        "orders",
        "delivered",
        "unmet",
        "domestic",
        "effective unmet",
        "fill rate",
        "entry round",
    ])];
    let row = |name: &str, v: &[u64], entry: String| {
        let mut cells = vec![name.to_string()];
        for m in [
            Metric::Orders,
            Metric::Delivered,
            Metric::Unmet,
            Metric::Domestic,
            Metric::EffectiveUnmet,
        ] {
            cells.push(units(v[m.index()]));
        }
        let fill = v[Metric::FillRate.index()] as f64 * Metric::FillRate.scale();
        cells.push(format!("{:.1}%", fill * 100.0));
        cells.push(entry);
        cells
    };
    let mut values = Vec::new();
    trial_metric_values(s.domestic.equivalence, o, |v| values.push(v));
    for (i, chunk) in values.chunks(Metric::COUNT).enumerate() {
        match s.firms.get(i) {
            Some(f) => rows.push(row(&f.name, chunk, entry_label(o.entry[i], s.rounds))),
            None => rows.push(row("total", chunk, String::new())),
        }
    }
    indent(h, &aligned(&rows, |c| c == 0));
    let approved = o.approved.iter().filter(|a| **a).count();
    let halt = o
        .halt_round
        .map_or("no halt".to_string(), |r| format!("halted in round {r}"));
    let _ = writeln!(
        h,
        "  {approved} of {} rounds approved; {halt}. Effective unmet counts a domestic chip as {} \
         of an imported one.",
        s.rounds,
        number(s.domestic.equivalence, 6)
    );
}

/// The columns of the trace CSV: the round's, then the firm's (its outcome so far under
/// trials.csv's metric names).
fn header() -> Vec<&'static str> {
    let mut h = vec![
        "trial",
        "round",
        "regime",
        "events",
        "halted",
        "held",
        "approval_probability",
        "approved",
        "batch",
        "pool_in",
        "supply",
        "domestic_ratio",
        "domestic_wanted_total",
        "domestic_available",
        "domestic_shortage",
        "pool_out",
        "delivered_total",
        "firm",
        "entry_round",
        "claim",
        "award",
        "conversion_rate",
        "taken",
        "domestic_wanted",
        "domestic_bought",
        "kept",
    ];
    h.extend(METRICS.iter().map(|m| m.name));
    h
}

/// The trial as a tidy CSV: one row per round and firm, the round's columns on every row, and
/// each firm's metrics by the end of the round (its last round's are the trial's outcome, as
/// trials.csv writes them). An empty cell is a step that did not happen: no claims in a halted
/// or held round, no rate for a firm awarded nothing, no domestic supply drawn.
pub fn trace_csv(s: &Scenario, t: &Trace) -> Vec<u8> {
    let mut w = writer();
    write(&mut w, header());
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in &t.rounds {
        let events: Vec<&str> = r
            .events
            .iter()
            .map(|&j| s.events[j].name.as_str())
            .collect();
        let round = vec![
            t.trial.to_string(),
            r.round.to_string(),
            opt(r.regime.map(|k| s.regimes.list[k].name.clone())),
            events.join(";"),
            flag(r.state == RoundState::Halted),
            flag(r.state == RoundState::Held),
            opt(r.probability.map(|p| number(p, RATE_DECIMALS))),
            flag(r.approved),
            r.batch.to_string(),
            r.pool_in.to_string(),
            r.supply.to_string(),
            opt(r.rho.map(|x| number(x, RATE_DECIMALS))),
            r.domestic_wanted().to_string(),
            opt(r.domestic_available.map(|a| a.to_string())),
            flag(r.domestic_short),
            r.pool_out.to_string(),
            r.delivered_total.to_string(),
        ];
        for (i, f) in r.firms.iter().enumerate() {
            let mut row = round.clone();
            row.extend([
                s.firms[i].name.clone(),
                t.outcome.entry[i].to_string(),
                opt(f.claim.map(|c| c.to_string())),
                f.award.to_string(),
                opt(f.rate.map(|k| number(k, RATE_DECIMALS))),
                f.taken.to_string(),
                f.wanted.to_string(),
                f.bought.to_string(),
                f.kept.to_string(),
            ]);
            let so_far = FirmInputs::new(
                s.domestic.equivalence,
                t.outcome.orders[i],
                f.delivered,
                f.domestic,
            );
            let values = firm_metric_values(&so_far);
            row.extend(
                METRICS
                    .iter()
                    .zip(&values)
                    .map(|(spec, &v)| metric_value(spec.metric, v)),
            );
            write(&mut w, &row);
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::analysis::trace::trace;
    use crate::model::Model;
    use crate::scenario::parse;

    fn hand_worked() -> Scenario {
        parse(
            Path::new("t.toml"),
            b"name = \"t\"\nrounds = 3\n[allocation]\nrule = \"proportional\"\n\
              [approval]\nprobability = 1.0\nbatch = 200\n\
              [domestic]\nratio = 0.5\nsupply = 40\nequivalence = 0.5\n\
              [[firm]]\nname = \"A\"\norders = 100\n[[firm]]\nname = \"B\"\norders = 300\n\
              [[event]]\nname = \"h\"\neffect = \"hold\"\nprobability = 1.0\nfrom_round = 2\nto_round = 2\n\
              [[event]]\nname = \"x\"\neffect = \"halt\"\nprobability = 1.0\nfrom_round = 3\n",
            &[],
        )
        .expect("valid")
    }

    /// The hand-worked trial of the analysis' test, told in text: round 1 splits, round 2 is
    /// held, round 3 halted; the outcome adds up.
    #[test]
    fn text_tells_each_step() {
        let s = hand_worked();
        let text = trace_text(&s, "t", &trace(&Model::new(&s), 0, 5));
        for expected in [
            "t: trial 5 with seed 0",
            "Round 1 of 3\n  No event fired.\n  Approved (probability 100%): a batch of 200 units.\n  \
             Supply 200 units = batch 200 + pool 0.",
            "ratio 0.5, 100 wanted, 40 available: short",
            "Kept 80 of the 200 units supplied; 120 units carried into round 2.",
            "Round 2 of 3\n  Fired: h (hold).\n  Held, a customs hold: nothing approved or \
             delivered; the pool of 120 units waits for round 3.",
            "Round 3 of 3\n  Fired: x (halt).\n  Halted: no new batch from now on, and the pool \
             of 120 units is lost.",
            "1 of 3 rounds approved; halted in round 3.",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // A: 20 delivered of 100, 10 domestic worth 5: effective unmet 75, fill 20%.
        let a = text
            .lines()
            .find(|l| l.trim_start().starts_with("A ") && l.contains('%'))
            .expect("A's outcome row");
        let cells: Vec<&str> = a.split_whitespace().collect();
        assert_eq!(cells, ["A", "100", "20", "80", "10", "75", "20.0%", "1"]);
    }

    /// One row per round and firm; the last round's metrics are the outcome, in trials.csv's
    /// format; empty cells where a step did not happen.
    #[test]
    fn csv_rows_carry_the_round_and_the_firm() {
        let s = hand_worked();
        let bytes = trace_csv(&s, &trace(&Model::new(&s), 0, 5));
        let text = String::from_utf8(bytes).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 3 * 2);
        assert_eq!(lines[0].split(',').count(), header().len());
        assert_eq!(
            lines[1],
            "5,1,,,false,false,1,true,200,0,200,0.5,100,40,true,120,80,A,1,100,50,1,50,25,10,20,\
             100,20,80,10,75,0.2"
        );
        // Round 2, held: no claim, no probability, no ratio.
        assert_eq!(
            lines[4],
            "5,2,,h,false,true,,false,0,120,0,,0,,false,120,80,B,1,,0,,0,0,0,0,300,60,240,30,225,0.2"
        );
        assert!(lines[6].starts_with("5,3,,x,true,false,,false,0,120,0,"));
    }
}
