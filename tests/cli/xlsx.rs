//! `--xlsx`: results.xlsx holds the CSV files' tables as sheets, every value the CSV's as a
//! number, and is byte-identical for the same run (threads, `report --xlsx`, merged shards).
//! The workbook is read back with `xlsx_read`, a reader written apart from the writer.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{
    Csv, data, read_csv, refused_quickly, run, run_ok, run_scenario, stderr, tempdir,
};
use crate::xlsx_read::{Cell, Workbook};

const STATS: [&str; 11] = [
    "mean", "sd", "se", "min", "p5", "p25", "p50", "p75", "p95", "p99", "max",
];

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn open(path: &Path) -> Workbook {
    Workbook::open(path).unwrap_or_else(|e| panic!("cannot open {e}"))
}

/// The workbook at `path`: its sheet names, in order.
fn sheet_names(path: &Path) -> Vec<String> {
    open(path).sheet_names()
}

/// Sheet `name` of the workbook at `path`, row by row (its header first).
fn sheet(path: &Path, name: &str) -> Vec<Vec<Cell>> {
    let rows = open(path)
        .sheet(name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .to_vec();
    // Its first row and its first column have a value: the table starts in A1.
    let has_value = |cell: &Cell| *cell != Cell::Empty;
    assert!(
        rows.first().is_some_and(|row| row.iter().any(has_value))
            && rows.iter().any(|row| has_value(&row[0])),
        "{name} starts in A1"
    );
    rows
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn header(rows: &[Vec<Cell>]) -> Vec<String> {
    rows[0].iter().map(text).collect()
}

/// A cell holds what a CSV field says: a number as a number (not as text) equal to the field's,
/// an empty field as an empty cell, other text as text.
fn assert_cell_is(cell: &Cell, field: &str, at: &str) {
    match field.parse::<f64>() {
        Ok(x) => match cell {
            Cell::Number(v) => assert_eq!(*v, x, "{at}: {v} in the sheet, {field} in the CSV"),
            other => panic!("{at}: the CSV's {field} is {other:?} in the sheet, not a number"),
        },
        Err(_) if field.is_empty() => assert_eq!(*cell, Cell::Empty, "{at}"),
        Err(_) => assert_eq!(*cell, Cell::Text(field.to_string()), "{at}"),
    }
}

/// A sheet with the same header and rows as a CSV file, cell for cell.
fn assert_sheet_is_csv(rows: &[Vec<Cell>], csv: &Csv, what: &str) {
    assert_eq!(header(rows), csv.header, "{what}'s header");
    assert_eq!(rows.len() - 1, csv.rows.len(), "{what}'s rows");
    for (r, (row, fields)) in rows[1..].iter().zip(&csv.rows).enumerate() {
        for (c, field) in fields.iter().enumerate() {
            let at = format!("{what} row {} column {}", r + 2, csv.header[c]);
            assert_cell_is(&row[c], field, &at);
        }
    }
}

/// A wide sheet (one row per `key` columns, firm and metric, one column per statistic) holds
/// exactly the long CSV's values (one row per statistic): every CSV row has its cell, and
/// every cell of a statistic is one CSV row.
fn assert_wide_sheet_is_long_csv(rows: &[Vec<Cell>], csv: &Csv, lead: &[&str], what: &str) {
    let head = header(rows);
    let mut expected: Vec<String> = lead.iter().map(|s| s.to_string()).collect();
    expected.extend(["firm", "metric", "label"].map(String::from));
    expected.extend(STATS.map(String::from));
    assert_eq!(head, expected, "{what}'s header");
    let keys = lead.len() + 2;
    let render = |cell: &Cell| match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(v) => v.to_string(),
        Cell::Empty => String::new(),
        other => panic!("{what}: unexpected {other:?}"),
    };
    // Row keys (point, knob values, firm, metric) as the CSV writes them.
    let mut by_key: HashMap<Vec<String>, &Vec<Cell>> = HashMap::new();
    for row in &rows[1..] {
        let key: Vec<String> = row[..keys].iter().map(render).collect();
        assert!(
            by_key.insert(key.clone(), row).is_none(),
            "{what} repeats {key:?}"
        );
        assert!(
            matches!(&row[keys], Cell::Text(l) if !l.is_empty()),
            "{what}: {key:?} has a label"
        );
    }
    assert_eq!(
        by_key.len() * STATS.len(),
        csv.rows.len(),
        "{what}: a row per firm and metric, a column per statistic"
    );
    let stat_col = csv.column("stat");
    let value_col = csv.column("value");
    for fields in &csv.rows {
        // The CSV's key fields, numbers as the sheet's reader renders them.
        let key: Vec<String> = fields[..keys]
            .iter()
            .map(|f| f.parse::<f64>().map_or(f.clone(), |x| x.to_string()))
            .collect();
        let row = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("{what} has no row {key:?}"));
        let stat = &fields[stat_col];
        let col = head
            .iter()
            .position(|h| h == stat)
            .unwrap_or_else(|| panic!("{what} has no column {stat}"));
        assert_cell_is(
            &row[col],
            &fields[value_col],
            &format!("{what} {key:?} {stat}"),
        );
    }
}

#[test]
fn a_run_workbook_holds_summary_and_rounds_as_numbers() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    run_scenario(&data("random.toml"), &out, &["--trials", "2000", "--xlsx"]);
    let book = out.join("results.xlsx");
    assert_eq!(sheet_names(&book), ["summary", "rounds", "about"]);

    let summary = read_csv(&out.join("summary.csv"));
    assert_wide_sheet_is_long_csv(&sheet(&book, "summary"), &summary, &[], "summary");
    let rounds = read_csv(&out.join("rounds.csv"));
    assert_sheet_is_csv(&sheet(&book, "rounds"), &rounds, "rounds");

    // The about sheet says what was run; the seed as text, as a spreadsheet holds only 2^53
    // exactly.
    let about: HashMap<String, Cell> = sheet(&book, "about")[1..]
        .iter()
        .map(|row| (text(&row[0]), row[1].clone()))
        .collect();
    assert!(text(&about["what"]).contains("'random'"), "{about:?}");
    assert_eq!(about["trials"], Cell::Text("2,000".into()));
    assert_eq!(about["seed"], Cell::Text("7".into()));
    assert_eq!(text(&about["allocation rule"]), "random_priority");

    // The marker lists it, so the next run may replace it; without --xlsx there is none.
    let marker = std::fs::read_to_string(out.join(".allocsim")).unwrap();
    assert!(marker.contains("\"results.xlsx\""), "{marker}");
    let plain = tmp.path().join("plain");
    run_scenario(&data("random.toml"), &plain, &["--trials", "200"]);
    assert!(!plain.join("results.xlsx").exists());
}

#[test]
fn the_same_run_gives_the_same_workbook_bytes() {
    let tmp = tempdir();
    let scenario = data("random.toml");
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    run_scenario(
        &scenario,
        &one,
        &["--trials", "3000", "--xlsx", "--threads", "1"],
    );
    // A workbook stamped with the time it was written would differ from the next second's.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run_scenario(
        &scenario,
        &two,
        &["--trials", "3000", "--xlsx", "--threads", "3"],
    );
    let bytes = std::fs::read(one.join("results.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip file");
    assert!(
        bytes == std::fs::read(two.join("results.xlsx")).unwrap(),
        "two runs of the same scenario and seed wrote different results.xlsx"
    );

    // `report --xlsx` writes the same workbook from results.json.
    let later = tmp.path().join("later");
    run_scenario(&scenario, &later, &["--trials", "3000", "--no-charts"]);
    run_ok(&["report", arg(&later), "--xlsx"]);
    assert!(bytes == std::fs::read(later.join("results.xlsx")).unwrap());
    let marker = std::fs::read_to_string(later.join(".allocsim")).unwrap();
    assert!(marker.contains("\"results.xlsx\""), "{marker}");

    // So does `merge --xlsx` of the run's shards.
    let parts: Vec<_> = (1..=2)
        .map(|k| {
            let part = tmp.path().join(format!("s{k}"));
            let spec = format!("{k}/2");
            run_scenario(&scenario, &part, &["--trials", "3000", "--shard", &spec]);
            part
        })
        .collect();
    let merged = tmp.path().join("merged");
    run_ok(&[
        "merge",
        arg(&parts[0]),
        arg(&parts[1]),
        "--out",
        arg(&merged),
        "--xlsx",
        "--no-charts",
        "--quiet",
    ]);
    assert!(bytes == std::fs::read(merged.join("results.xlsx")).unwrap());
}

#[test]
fn a_shard_has_no_workbook_to_write() {
    let tmp = tempdir();
    let out = tmp.path().join("s1");
    let res = run(&[
        "run",
        &data("random.toml"),
        "--shard",
        "1/2",
        "--xlsx",
        "--out",
        arg(&out),
    ]);
    assert_eq!(res.status.code(), Some(2));
    assert!(stderr(&res).contains("--xlsx"), "{}", stderr(&res));
    assert!(!out.exists());
}

#[test]
fn a_sweep_workbook_holds_comparison_and_differences_as_numbers() {
    let tmp = tempdir();
    let out = tmp.path().join("sweep");
    run_ok(&[
        "sweep",
        &data("random.toml"),
        "--set",
        "domestic.ratio=0.3,0.6",
        "--set",
        "allocation.rule=proportional,talmud",
        "--trials",
        "1500",
        "--out",
        arg(&out),
        "--no-charts",
        "--xlsx",
        "--quiet",
    ]);
    let book = out.join("results.xlsx");
    assert_eq!(sheet_names(&book), ["comparison", "differences", "about"]);
    let comparison = read_csv(&out.join("comparison.csv"));
    let rows = sheet(&book, "comparison");
    assert_wide_sheet_is_long_csv(
        &rows,
        &comparison,
        &["point", "domestic.ratio", "allocation.rule"],
        "comparison",
    );
    // Knob values that read as numbers are numbers.
    assert_eq!(rows[1][1], Cell::Number(0.3));
    assert_eq!(rows[1][2], Cell::Text("proportional".into()));
    let differences = read_csv(&out.join("differences.csv"));
    assert_sheet_is_csv(&sheet(&book, "differences"), &differences, "differences");
}

#[test]
fn a_sensitivity_workbook_has_the_ranked_swings() {
    let tmp = tempdir();
    let out = tmp.path().join("sens");
    run_ok(&[
        "sensitivity",
        &data("random.toml"),
        "--vary",
        "domestic.ratio=0.1,0.6",
        "--vary",
        "approval.probability=0.4,0.9",
        "--trials",
        "800",
        "--out",
        arg(&out),
        "--no-charts",
        "--xlsx",
        "--quiet",
    ]);
    let book = out.join("results.xlsx");
    assert_eq!(
        sheet_names(&book),
        ["comparison", "differences", "sensitivity", "about"]
    );
    let sensitivity = read_csv(&out.join("sensitivity.csv"));
    assert_sheet_is_csv(&sheet(&book, "sensitivity"), &sensitivity, "sensitivity");
    let differences = read_csv(&out.join("differences.csv"));
    assert_sheet_is_csv(&sheet(&book, "differences"), &differences, "differences");
}

#[test]
fn a_value_too_long_for_a_cell_is_refused_before_the_run() {
    // A point's knob value longer than an Excel cell holds: refused at once, exit status 2,
    // naming the knob and the point, and nothing written.
    let tmp = tempdir();
    let out = tmp.path().join("long");
    let padding = " ".repeat(33_000);
    let set = format!(
        "approval.batch={{dist=\"fixed\",value=200}},{{dist=\"fixed\",{padding}value=300}}"
    );
    let first = refused_quickly(&[
        "sweep",
        &data("random.toml"),
        "--set",
        &set,
        "--trials",
        crate::common::ENDLESS,
        "--out",
        arg(&out),
        "--xlsx",
    ]);
    assert!(
        first.contains("knob 'approval.batch' at point 2") && first.contains("32,767"),
        "{first}"
    );
    assert!(!out.exists());
}
