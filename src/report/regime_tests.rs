//! The outputs of regimes and drawn entry rounds (issue 14, item 7), on scenarios read as version
//! 1 and given their regimes and drawn entries in code (the reader of `[[regime]]` is another
//! module's): rounds.csv's regime shares, summary.csv's rounds in each regime and entry rounds,
//! results.json and partial.json carrying them (merged shards equal one run, on any number of
//! threads), the workbook's sheets, report.html's regimes section and regimes.png.

use std::path::Path;

use crate::dist::Dist;
use crate::engine::{RunOptions, run};
use crate::report::{RunInfo, read_results, results_json, rounds_csv, summary_csv};
use crate::scenario::{Entry, Regime, Regimes, Scenario, parse};
use crate::stats::{Summary, TrialMetric};

fn scenario(toml: &str) -> Scenario {
    match parse(Path::new("t.toml"), toml.as_bytes(), &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario: {e}\n{toml}"),
    }
}

/// A scenario of `rounds` rounds whose batches and orders are random, with firms A, B and C.
pub(super) fn base(rounds: u32) -> Scenario {
    scenario(&format!(
        "name = \"reg\"\nrounds = {rounds}\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 0.8\n\
         batch = {{ dist = \"triangular\", min = 100000, mode = 300000, max = 500000 }}\n\
         conversion = {{ dist = \"beta\", alpha = 8, beta = 2 }}\n\
         [domestic]\nratio = 0.3\nsupply = {{ dist = \"uniform\", min = 20000, max = 150000 }}\n\
         [[firm]]\nname = \"A\"\norders = {{ dist = \"pert\", min = 200000, mode = 450000, max = 800000 }}\n\
         [[firm]]\nname = \"B\"\norders = {{ dist = \"pert\", min = 200000, mode = 400000, max = 700000 }}\n\
         [[firm]]\nname = \"C\"\norders = {{ dist = \"pert\", min = 50000, mode = 100000, max = 200000 }}\n"
    ))
}

pub(super) fn regime(name: &str, transition: Vec<f64>) -> Regime {
    Regime::without_effects(name, transition)
}

/// A distribution as a scenario writes it (`{ dist = ... }`), read through the scenario reader.
pub(super) fn dist(spec: &str) -> Dist {
    let s = scenario(&format!(
        "name = \"d\"\nrounds = 1\n[allocation]\nrule = \"proportional\"\n\
         [approval]\nprobability = 1\nbatch = {spec}\n[[firm]]\nname = \"A\"\norders = 1\n"
    ));
    s.approval[0].batch.clone()
}

/// calm → tense → frozen → calm …, from calm: every trial's regimes are the same.
fn cycling(rounds: u32) -> Scenario {
    let mut s = base(rounds);
    let mut frozen = regime("frozen", vec![1.0, 0.0, 0.0]);
    frozen.hold = true;
    s.regimes = Regimes {
        initial: vec![1.0, 0.0, 0.0],
        list: vec![
            regime("calm", vec![0.0, 1.0, 0.0]),
            regime("tense", vec![0.0, 0.0, 1.0]),
            frozen,
        ],
    };
    s
}

/// Three regimes of a random chain, and B's entry drawn from {1, 3, 9} (9: never, in 4 rounds).
fn random(rounds: u32) -> Scenario {
    let mut s = base(rounds);
    let mut tense = regime("tense", vec![0.3, 0.6, 0.1]);
    tense.approval_factor = 0.5;
    tense.batch_factor = 0.6;
    tense.domestic_ratio = Some(0.6);
    let mut frozen = regime("frozen", vec![0.0, 0.25, 0.75]);
    frozen.hold = true;
    s.regimes = Regimes {
        initial: vec![0.8, 0.2, 0.0],
        list: vec![regime("calm", vec![0.9, 0.1, 0.0]), tense, frozen],
    };
    s.firms[1].eligible_from = Entry::Drawn(dist(
        "{ dist = \"discrete\", values = [1, 3, 9], weights = [1, 1, 2] }",
    ));
    s
}

fn simulate(s: &Scenario, trials: u64, threads: usize) -> (RunInfo, Summary) {
    simulate_part(s, 0, trials, threads)
}

fn simulate_part(s: &Scenario, first: u64, trials: u64, threads: usize) -> (RunInfo, Summary) {
    let options = RunOptions {
        trials,
        first_trial: first,
        seed: 11,
        threads,
        chunk: 64,
        ..RunOptions::default()
    };
    match run(s, &options, &mut |_| {}, None) {
        Ok(r) => (RunInfo::new(s, trials, 11), r.summary),
        Err(e) => panic!("test run: {e}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// summary.csv's value of (firm, metric, stat), if it has that row.
fn summary_value(csv: &str, firm: &str, metric: &str, stat: &str) -> Option<String> {
    csv.lines()
        .find(|l| l.starts_with(&format!("{firm},{metric},{stat},")))
        .map(|l| l.split(',').nth(3).unwrap_or("").to_string())
}

#[test]
fn a_deterministic_chain_gives_exact_shares_and_counts() {
    let s = cycling(5);
    let (_, summary) = simulate(&s, 300, 2);
    // Rounds 1..5 are calm, tense, frozen, calm, tense in every trial.
    let rounds = text(&rounds_csv(&summary));
    let mut lines = rounds.lines();
    let header = lines.next().unwrap_or("");
    assert!(
        header.ends_with(",delivered_p95,regime_calm_share,regime_tense_share,regime_frozen_share"),
        "{header}"
    );
    let ends: Vec<String> = lines
        .map(|l| l.split(',').skip(10).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(ends, ["1,0,0", "0,1,0", "0,0,1", "1,0,0", "0,1,0"]);
    // The frozen round 3 is a customs hold in every trial.
    assert_eq!(summary.rounds[2].approved, 0);
    assert_eq!(summary.rounds[2].regimes, vec![0, 0, 300]);

    let csv = text(&summary_csv(&summary));
    for (regime, count) in [("calm", "2"), ("tense", "2"), ("frozen", "1")] {
        let metric = format!("rounds_in_{regime}");
        for stat in ["mean", "min", "p5", "p50", "p95", "max"] {
            assert_eq!(
                summary_value(&csv, "total", &metric, stat).as_deref(),
                Some(count),
                "{metric} {stat}"
            );
        }
        assert_eq!(
            summary_value(&csv, "total", &metric, "sd").as_deref(),
            Some("0")
        );
        // Only on the total row.
        assert_eq!(summary_value(&csv, "A", &metric, "mean"), None);
    }
    // The regime rows follow the total's other metrics, in listed order.
    let metrics: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("total,") && l.contains(",mean,"))
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        metrics,
        [
            "delivered",
            "unmet",
            "domestic",
            "effective_unmet",
            "fill_rate",
            "orders",
            "rounds_in_calm",
            "rounds_in_tense",
            "rounds_in_frozen"
        ]
    );
    // No firm's entry is drawn: no entry rounds.
    assert!(!csv.contains("entry_round"));
}

#[test]
fn a_drawn_entry_round_is_reported_on_its_firms_rows_with_never_as_r_plus_one() {
    let mut s = base(4);
    // 2.6 rounds to 3 in every trial; 7 is past the 4 rounds: never eligible, reported as 5.
    s.firms[0].eligible_from = Entry::Drawn(dist("2.6"));
    s.firms[2].eligible_from = Entry::Drawn(dist("7"));
    let (_, summary) = simulate(&s, 200, 1);
    let csv = text(&summary_csv(&summary));
    for stat in ["mean", "min", "p50", "max"] {
        assert_eq!(
            summary_value(&csv, "A", "entry_round", stat).as_deref(),
            Some("3")
        );
        assert_eq!(
            summary_value(&csv, "C", "entry_round", stat).as_deref(),
            Some("5")
        );
    }
    // B's entry is the plain default (round 1): no row; nor the total.
    assert_eq!(summary_value(&csv, "B", "entry_round", "mean"), None);
    assert_eq!(summary_value(&csv, "total", "entry_round", "mean"), None);
    // C never claims, so it gets nothing.
    assert_eq!(
        summary_value(&csv, "C", "delivered", "max").as_deref(),
        Some("0")
    );
    // Without regimes, rounds.csv has no regime columns.
    assert!(
        text(&rounds_csv(&summary))
            .lines()
            .next()
            .unwrap_or("")
            .ends_with("delivered_p95")
    );

    // A random entry: its values and their shares as drawn, never above R + 1.
    s.firms[1].eligible_from = Entry::Drawn(dist(
        "{ dist = \"discrete\", values = [1, 3, 9], weights = [1, 1, 2] }",
    ));
    let (_, summary) = simulate(&s, 4000, 2);
    let t = summary
        .trial_tally(TrialMetric::EntryRound, 1)
        .expect("B's entry round");
    let counts: Vec<(u64, u64)> = t.exact_counts().expect("three values").collect();
    assert_eq!(counts.iter().map(|c| c.0).collect::<Vec<_>>(), [1, 3, 5]);
    // Shares 1/4, 1/4, 1/2 within 4 standard errors.
    for ((_, n), p) in counts.iter().zip([0.25, 0.25, 0.5]) {
        let share = *n as f64 / 4000.0;
        assert!(
            (share - p).abs() < 4.0 * (p * (1.0 - p) / 4000.0f64).sqrt(),
            "{counts:?}"
        );
    }
}

#[test]
fn regime_shares_follow_the_chain_and_counts_add_up() {
    let s = random(4);
    let (_, summary) = simulate(&s, 4000, 2);
    // Round 1 follows `initial`; round 2 is initial × the matrix: calm 0.8·0.9 + 0.2·0.3 = 0.78,
    // tense 0.8·0.1 + 0.2·0.6 = 0.2, frozen 0.2·0.1 = 0.02.
    let shares = crate::report::regime_shares(&summary);
    for (got, want) in shares[0].iter().zip([0.8, 0.2, 0.0]) {
        assert!((got - want).abs() < 4.0 * (want * (1.0 - want) / 4000.0f64).sqrt() + 1e-12);
    }
    for (got, want) in shares[1].iter().zip([0.78, 0.2, 0.02]) {
        assert!(
            (got - want).abs() < 4.0 * (want * (1.0 - want) / 4000.0f64).sqrt(),
            "{got} {want}"
        );
    }
    // Every round's regimes add up to the trials, and each trial's rounds in regimes to R.
    for round in &summary.rounds {
        assert_eq!(round.regimes.iter().sum::<u64>(), 4000);
    }
    let total: u128 = (0..3)
        .map(|k| {
            summary
                .trial_tally(TrialMetric::RoundsInRegime, k)
                .map_or(0, |t| t.sum())
        })
        .sum();
    assert_eq!(total, 4 * 4000);
    for k in 0..3 {
        let by_rounds: u64 = summary.rounds.iter().map(|r| r.regimes[k]).sum();
        let tally = summary.trial_tally(TrialMetric::RoundsInRegime, k);
        assert_eq!(tally.map(|t| t.sum()), Some(u128::from(by_rounds)));
    }
}

#[test]
fn results_do_not_depend_on_threads_and_shards_merge_to_one_run() {
    use crate::engine::{Shard, ShardInfo};
    use crate::report::partial::{RunKey, merge_partials, partial_json, read_partial};
    let s = random(4);
    let (info, one) = simulate(&s, 600, 1);
    let (_, three) = simulate(&s, 600, 3);
    let whole = results_json(&info, &one);
    assert_eq!(text(&results_json(&info, &three)), text(&whole));

    // Three shards through partial.json, merged in another order: the one run's results.
    let key = RunKey {
        allocsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: "t.toml".to_string(),
        scenario_sha256: "00".to_string(),
        overrides: Vec::new(),
        seed: 11,
        trials: 600,
    };
    let mut parts = Vec::new();
    for k in [3, 1, 2] {
        let shard = ShardInfo::new(Shard::new(k, 3).expect("shard"), 600).expect("shard");
        let (info, summary) = simulate_part(&s, shard.first_trial, shard.trials, 2);
        let bytes = partial_json(&key, &shard, &info, &summary);
        let partial = read_partial(&bytes).expect("a partial reads back");
        assert_eq!(
            partial.summary.per_trial.len(),
            4,
            "three regimes and B's entry"
        );
        parts.push((format!("p{k}"), partial));
    }
    let merged = merge_partials(parts).expect("merges");
    assert_eq!(merged.info, info);
    assert_eq!(
        text(&results_json(&merged.info, &merged.summary)),
        text(&whole)
    );
    assert_eq!(summary_csv(&merged.summary), summary_csv(&one));
    assert_eq!(rounds_csv(&merged.summary), rounds_csv(&one));
}

#[test]
fn results_json_carries_regimes_and_entry_rounds_and_reads_back() {
    let s = random(4);
    let (info, summary) = simulate(&s, 500, 2);
    let bytes = results_json(&info, &summary);
    // Version 2, since it has regimes; the bytes the format's structs give.
    assert!(bytes.starts_with(br#"{"format":"allocsim-results","version":2,"#));
    assert_eq!(
        text(&bytes),
        text(&crate::report::results::expected_bytes(&info, &summary))
    );
    let (read_info, read) = read_results(&bytes).expect("reads back");
    assert_eq!(read_info, info);
    assert_eq!(read_info.regimes[1].domestic_ratio, Some(0.6));
    assert_eq!(read_info.regimes[0].initial, 0.8);
    assert_eq!(read.regimes, ["calm", "tense", "frozen"]);
    assert_eq!(summary_csv(&read), summary_csv(&summary));
    assert_eq!(rounds_csv(&read), rounds_csv(&summary));
    assert_eq!(results_json(&read_info, &read), bytes);
    let xlsx = |i: &RunInfo, s: &Summary| crate::report::run_xlsx(i, s).expect("a workbook");
    assert_eq!(xlsx(&read_info, &read), xlsx(&info, &summary));

    // Counts that no run could produce are refused, naming the field.
    let original: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = original.clone();
        edit(&mut v);
        match read_results(&serde_json::to_vec(&v).expect("JSON")) {
            Ok(_) => "accepted".to_string(),
            Err(e) => e.to_string(),
        }
    };
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| {
                let n = v["rounds"][1]["regimes"][0].as_u64().unwrap_or(0);
                v["rounds"][1]["regimes"][0] = (n + 1).into();
            }),
            "rounds[1].regimes (round 2) add up to 501, but these results hold 500 trials",
        ),
        (
            Box::new(|v| v["rounds"][0]["regimes"] = serde_json::json!([500, 0])),
            "rounds[0].regimes (round 1) has 2 counts for the 3 regimes",
        ),
        (
            Box::new(|v| {
                let c = &mut v["rounds"][1]["regimes"];
                let (a, b) = (c[0].as_u64().unwrap_or(0), c[1].as_u64().unwrap_or(0));
                c[0] = (a - 1).into();
                c[1] = (b + 1).into();
            }),
            "per_trial[0] (rounds_in_regime of \"calm\").sum is",
        ),
        (
            Box::new(|v| v["per_trial"][3]["tally"]["max"] = 6.into()),
            "per_trial[3] (entry_round of \"B\"): values 1 to 6 lie outside 1 to 5",
        ),
        (
            Box::new(|v| v["per_trial"][3]["of"] = "Z".into()),
            "per_trial[3] (entry_round of \"Z\"): no such member",
        ),
        (
            Box::new(|v| {
                let first = v["per_trial"][0].clone();
                v["per_trial"][0] = v["per_trial"][1].clone();
                v["per_trial"][1] = first;
            }),
            "per_trial[1] (rounds_in_regime of \"calm\"): out of order",
        ),
        (
            Box::new(|v| {
                if let Some(list) = v["per_trial"].as_array_mut() {
                    list.remove(2);
                }
            }),
            "per_trial: rounds_in_regime has 2 members for the 3 regimes",
        ),
        (
            Box::new(|v| v["regimes"][2] = "ice".into()),
            "regimes [\"calm\", \"tense\", \"ice\"] are not the regimes info describes",
        ),
    ];
    for (edit, message) in cases {
        let err = edited(&*edit);
        assert!(
            err.starts_with(message),
            "{message:?} does not start {err:?}"
        );
    }
}

#[test]
fn without_regimes_or_drawn_entries_results_json_is_version_1_and_has_none_of_them() {
    let (info, summary) = simulate(&base(3), 200, 1);
    assert!(summary.per_trial.is_empty() && summary.regimes.is_empty());
    let bytes = text(&results_json(&info, &summary));
    assert!(bytes.starts_with(r#"{"format":"allocsim-results","version":1,"#));
    for absent in ["regimes", "per_trial"] {
        assert!(!bytes.contains(absent), "{absent}");
    }
    // A drawn entry alone makes it version 2.
    let mut s = base(3);
    s.firms[0].eligible_from = Entry::Drawn(dist("2"));
    let (info, summary) = simulate(&s, 200, 1);
    let bytes = text(&results_json(&info, &summary));
    assert!(bytes.starts_with(r#"{"format":"allocsim-results","version":2,"#));
    assert!(bytes.contains(r#""per_trial":[{"metric":"entry_round","of":"A","#));
    assert!(!bytes.contains("\"regimes\""));
    // A version this allocsim does not know is still refused.
    let other = bytes.replacen("\"version\":2", "\"version\":3", 1);
    let err = read_results(other.as_bytes()).unwrap_err().to_string();
    assert!(
        err.contains("version 3 cannot be read by this allocsim")
            && err.contains("(it reads allocsim-results version 1 to 2)"),
        "{err}"
    );
}

#[test]
fn report_html_shows_the_regimes_their_effects_and_the_chain() {
    let s = random(4);
    let (info, summary) = simulate(&s, 500, 1);
    let html = crate::report::report_html(&info, &summary, "{}", &[("regimes.png", b"png")]);
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} is not in report.html"))
    };
    assert!(at("<h2>Rounds</h2>") < at("<h2>Regimes</h2>"));
    assert!(at("<h2>Regimes</h2>") < at("<h2>Key assumptions</h2>"));
    // tense: approval × 0.5, batch × 0.6, the trial's conversion, ratio 0.6; frozen holds.
    assert!(html.contains(
        "<tr><td>tense</td><td class=\"n\">× 0.5</td><td class=\"n\">× 0.6</td>\
         <td class=\"n\">× 1</td><td class=\"n\">0.6</td><td class=\"n\">× 1</td><td>no</td></tr>"
    ));
    assert!(html.contains("<td>calm</td><td class=\"n\">× 1</td>"));
    assert!(html.contains("<td class=\"n\">the trial's</td>"));
    assert!(html.contains("<td>every round</td></tr>"));
    // The initial distribution, then the matrix: from tense, 30% calm, 60% tense, 10% frozen.
    assert!(html.contains(
        "<tr><th scope=\"row\">round 1 (initial)</th><td class=\"n\">80%</td>\
         <td class=\"n\">20%</td><td class=\"n\">–</td></tr>"
    ));
    assert!(html.contains(
        "<tr><th scope=\"row\">tense</th><td class=\"n\">30%</td><td class=\"n\">60%</td>\
         <td class=\"n\">10%</td></tr>"
    ));
    // The rounds table has a column per regime; round 1 is 80% calm within Monte Carlo error.
    assert!(html.contains(
        "<th class=\"n\">in calm</th><th class=\"n\">in tense</th><th class=\"n\">in frozen</th>"
    ));
    assert!(html.contains("<h3>Rounds spent in each regime, of 4</h3>"));
    // B's drawn entry round is in the summary table; 5 is "never".
    assert!(html.contains("<tr><th colspan=\"5\">Entry round (rounds)</th></tr>\n<tr><td>B</td>"));
    assert!(html.contains("5 means it never became eligible within the 4 rounds"));
    // Its chart is embedded with the table's caption.
    assert!(html.contains("Share of trials in each political regime, round by round"));

    // Without regimes: none of it.
    let (info, summary) = simulate(&base(4), 100, 1);
    let html = crate::report::report_html(&info, &summary, "{}", &[]);
    for absent in ["Regimes", "regime", "Entry round", "in calm"] {
        assert!(!html.contains(absent), "{absent}");
    }
}

#[test]
fn the_workbook_carries_the_regime_columns_rows_and_sheet() {
    let s = random(4);
    let (info, summary) = simulate(&s, 400, 1);
    let sheets = crate::report::xlsx::run_sheets(&info, &summary);
    let names: Vec<&str> = sheets.iter().map(|s| s.name).collect();
    assert_eq!(names, ["summary", "rounds", "regimes", "about"]);
    let rounds = &sheets[1];
    assert_eq!(
        rounds.header[rounds.header.len() - 3..],
        [
            "regime_calm_share",
            "regime_tense_share",
            "regime_frozen_share"
        ]
    );
    // Every round's shares are rounds.csv's.
    let csv = text(&rounds_csv(&summary));
    for (row, line) in rounds.rows.iter().zip(csv.lines().skip(1)) {
        let want: Vec<f64> = line
            .split(',')
            .skip(10)
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(crate::report::xlsx::numbers(&row[10..]), want);
    }
    // The summary sheet has summary.csv's rows, the regime and entry ones included.
    let summary_rows = &sheets[0].rows;
    let labels: Vec<String> = summary_rows
        .iter()
        .map(|r| crate::report::xlsx::texts(&r[..2]).join(","))
        .collect();
    assert!(labels.contains(&"B,entry_round".to_string()));
    assert!(labels.contains(&"total,rounds_in_frozen".to_string()));
    assert_eq!(
        summary_rows.len(),
        text(&summary_csv(&summary))
            .lines()
            .count()
            .saturating_sub(1)
            / crate::stats::STATS.len()
    );
    // The regimes sheet: effects, initial and transition row, as numbers.
    let regimes = &sheets[2];
    assert_eq!(
        regimes.header,
        [
            "regime",
            "approval_factor",
            "batch_factor",
            "conversion_factor",
            "domestic_ratio",
            "domestic_supply_factor",
            "hold",
            "initial",
            "to_calm",
            "to_tense",
            "to_frozen"
        ]
    );
    let tense = crate::report::xlsx::numbers(&regimes.rows[1][1..]);
    assert_eq!(tense[..5], [0.5, 0.6, 1.0, 0.6, 1.0]);
    assert_eq!(tense[6..], [0.2, 0.3, 0.6, 0.1]);
    assert!(tense[5].is_nan(), "hold is a text: no");
    // No regimes: no regimes sheet, no regime columns.
    let (info, summary) = simulate(&base(4), 100, 1);
    let sheets = crate::report::xlsx::run_sheets(&info, &summary);
    assert_eq!(
        sheets.iter().map(|s| s.name).collect::<Vec<_>>(),
        ["summary", "rounds", "about"]
    );
    assert!(
        sheets[1]
            .header
            .last()
            .is_some_and(|h| h == "delivered_p95")
    );
}

#[test]
fn regimes_png_is_drawn_only_with_regimes() {
    let options = crate::report::charts::ChartOptions {
        width: 800,
        height: 500,
    };
    let files = |s: &Scenario| {
        let (info, summary) = simulate(s, 200, 1);
        crate::report::charts::render_all(&info, &summary, &options)
            .expect("charts render")
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        files(&random(4)),
        [
            "unmet.png",
            "exceedance.png",
            "deliveries.png",
            "regimes.png",
            "domestic.png",
            "fill.png"
        ]
    );
    assert!(!files(&base(4)).contains(&"regimes.png"));
}

/// Draws regimes.png for 2 to 6 regimes and 4 to 40 rounds, and report.html for one, into
/// $ALLOCSIM_CHART_DIR (default /tmp/regime-charts), to look at.
#[test]
#[ignore]
fn regime_charts_for_inspection() {
    let dir = std::env::var("ALLOCSIM_CHART_DIR").unwrap_or("/tmp/regime-charts".to_string());
    std::fs::create_dir_all(&dir).expect("a folder for the charts");
    let names = [
        "calm",
        "tense",
        "frozen",
        "thaw",
        "sanctions",
        "détente-2026",
    ];
    for (regimes, rounds) in [(2, 4), (3, 12), (6, 40), (6, 4), (4, 20)] {
        let mut s = base(rounds);
        let k = regimes;
        s.regimes = Regimes {
            initial: (0..k).map(|i| if i == 0 { 1.0 } else { 0.0 }).collect(),
            list: (0..k)
                .map(|i| {
                    let row = (0..k)
                        .map(|j| if i == j { 0.7 } else { 0.3 / (k - 1) as f64 })
                        .collect();
                    regime(names[i], row)
                })
                .collect(),
        };
        s.regimes.list[k - 1].hold = true;
        let (info, summary) = simulate(&s, 5000, 2);
        let pngs = crate::report::charts::render_all(
            &info,
            &summary,
            &crate::report::charts::ChartOptions::default(),
        )
        .expect("charts render");
        for (file, png) in &pngs {
            if *file == "regimes.png" {
                let path = format!("{dir}/regimes-{k}x{rounds}.png");
                std::fs::write(&path, png).expect("written");
            }
        }
        if (k, rounds) == (3, 12) {
            let embedded: Vec<(&str, &[u8])> =
                pngs.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            let html = crate::report::report_html(&info, &summary, "{}", &embedded);
            std::fs::write(format!("{dir}/report.html"), html).expect("written");
            let mut drawn = s.clone();
            drawn.firms[2].eligible_from = Entry::Drawn(dist(
                "{ dist = \"discrete\", values = [2, 5, 20], weights = [1, 1, 1] }",
            ));
            let (info, summary) = simulate(&drawn, 2000, 2);
            for (file, bytes) in [
                ("rounds.csv", rounds_csv(&summary)),
                ("summary.csv", summary_csv(&summary)),
                (
                    "results.xlsx",
                    crate::report::run_xlsx(&info, &summary).expect("xlsx"),
                ),
            ] {
                std::fs::write(format!("{dir}/{file}"), bytes).expect("written");
            }
        }
    }
}

/// regimes.png at the smallest size allowed and a small one, to look at.
#[test]
#[ignore]
fn small_regime_charts_for_inspection() {
    let dir = std::env::var("ALLOCSIM_CHART_DIR").unwrap_or("/tmp/regime-charts".to_string());
    std::fs::create_dir_all(&dir).expect("a folder for the charts");
    let (info, summary) = simulate(&random(12), 2000, 2);
    for (w, h) in [(480, 300), (800, 500)] {
        let options = crate::report::charts::ChartOptions {
            width: w,
            height: h,
        };
        let pngs = crate::report::charts::render_all(&info, &summary, &options).expect("render");
        for (file, png) in &pngs {
            if *file == "regimes.png" {
                std::fs::write(format!("{dir}/regimes-{w}x{h}.png"), png).expect("written");
            }
        }
    }
}

#[test]
fn a_sweep_of_a_scenario_with_regimes_reports_them_per_point_and_saves_them() {
    use crate::compare::{Comparison, Knob, PointsOptions, plan, run_points};
    let toml = "name = \"sw\"\nrounds = 3\n[allocation]\nrule = \"proportional\"\n\
                [approval]\nprobability = 0.8\nbatch = { dist = \"uniform\", min = 100, max = 900 }\n\
                [domestic]\nratio = 0.3\nsupply = 300\n\
                [[firm]]\nname = \"A\"\norders = 1000\n[[firm]]\nname = \"B\"\norders = 600\n";
    let knobs = [Knob::parse("domestic.ratio=0.2,0.5").expect("a knob")];
    let mut plan = plan::sweep(Path::new("sw.toml"), toml.as_bytes(), &[], &knobs).expect("a plan");
    for point in &mut plan.points {
        let s = &mut point.scenario;
        s.regimes = Regimes {
            initial: vec![1.0, 0.0],
            list: vec![
                regime("calm", vec![0.0, 1.0]),
                regime("tense", vec![1.0, 0.0]),
            ],
        };
        s.firms[1].eligible_from = Entry::Drawn(dist("2"));
    }
    let scenarios: Vec<_> = plan.points.iter().map(|p| p.scenario.clone()).collect();
    let options = PointsOptions {
        trials: 50,
        seed: 1,
        ..PointsOptions::default()
    };
    let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("runs");
    let c = Comparison::new(&plan, 50, 1, result);
    // Each point's rows end with its per-trial metrics: calm, tense, calm gives 2 and 1 rounds.
    let csv = text(&crate::report::comparison_csv(&c));
    for point in ["1", "2"] {
        for (metric, mean) in [
            ("B,entry_round", "2"),
            ("total,rounds_in_calm", "2"),
            ("total,rounds_in_tense", "1"),
        ] {
            let row = format!(
                "{point},{},{metric},mean,{mean}",
                if point == "1" { "0.2" } else { "0.5" }
            );
            // Then the interval: a constant's is the value itself.
            let row = format!("{row},{mean},{mean}");
            assert!(csv.lines().any(|l| l == row), "{row} is not in\n{csv}");
        }
    }
    // comparison.json carries them (since version 2) and reads back to the same CSV.
    let json = crate::report::comparison_json(&c);
    assert!(text(&json).contains("\"version\":3,"));
    let read = crate::report::read_comparison(&json).expect("reads back");
    assert_eq!(text(&crate::report::comparison_csv(&read)), csv);
    // The workbook's comparison sheet has a row per CSV row group, as planned.
    let sheets = crate::report::xlsx::comparison_sheets(&c);
    assert_eq!(
        sheets[0].rows.len() as u64 + 1,
        crate::report::xlsx::planned_rows(2, 2, 2 * 3)[0].1
    );
    assert_eq!(
        (sheets[0].rows.len()) * crate::stats::STATS.len(),
        csv.lines().count() - 1
    );
    assert!(crate::report::check_comparison_xlsx(&plan).is_ok());
}
