//! What report.html says, read as a colleague receives it: one file that carries its charts,
//! opens with the key results (the numbers summary.csv and differences.csv have), folds its
//! manifest away; and `allocsim report` redraws a sweep's, compare's or sensitivity's charts and
//! page byte for byte from comparison.json.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Summary, data, entries, read_csv, run, run_ok, snapshot, stderr, tempdir};

/// RFC 4648 base64 decoding (padding required), written apart from allocsim's encoder.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("{:?} is not a base64 character", c as char),
        }
    };
    let bytes = text.as_bytes();
    assert_eq!(bytes.len() % 4, 0, "base64 comes in groups of four");
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for group in bytes.chunks(4) {
        let pad = group.iter().filter(|&&c| c == b'=').count();
        let n = group
            .iter()
            .map(|&c| if c == b'=' { 0 } else { value(c) })
            .fold(0u32, |n, v| n << 6 | v);
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    out
}

/// The images of a page in order, decoded; panics on any `src` that is not embedded.
fn embedded_images(html: &str) -> Vec<Vec<u8>> {
    const PREFIX: &str = "data:image/png;base64,";
    html.split("src=\"")
        .skip(1)
        .map(|rest| {
            let value = &rest[..rest.find('"').expect("a closed src")];
            assert!(
                value.starts_with(PREFIX),
                "an image that is not embedded: src=\"{}\"",
                &value[..value.len().min(60)]
            );
            base64_decode(&value[PREFIX.len()..])
        })
        .collect()
}

/// The text between the first `from` and the next `to` after it.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("{from} missing")) + from.len();
    let len = html[start..]
        .find(to)
        .unwrap_or_else(|| panic!("{to} missing after {from}"));
    &html[start..start + len]
}

/// Text of HTML: tags dropped, entities read.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The body rows of the first table in `html`, each as its cells' text.
fn rows(html: &str) -> Vec<Vec<String>> {
    let body = between(html, "<tbody>", "</table>");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| cell[..cell.find("</td>").unwrap()].replace("<br>", "\n"))
                .map(|cell| text(&format!("<td{cell}")))
                .map(|t| t.trim().to_string())
                .collect()
        })
        .collect()
}

/// The number a table shows: "1,234" → 1234, "44%" → 44, "−54" → −54.
fn shown(cell: &str) -> f64 {
    let cleaned: String = cell
        .replace('−', "-")
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    cleaned
        .parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a number"))
}

/// Whether `cell` shows `value` rounded to the digits it has.
fn shows(cell: &str, value: f64) -> bool {
    let decimals = cell
        .split('.')
        .nth(1)
        .map_or(0, |d| d.chars().filter(char::is_ascii_digit).count());
    (shown(cell) - value).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9
}

/// The PNG files of an output folder, by name.
fn pngs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    entries(dir)
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn a_run_page_carries_its_charts_and_opens_with_summary_csvs_numbers() {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    run_ok(&[
        "run",
        &data("random.toml"),
        "--trials",
        "3000",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();

    // Every chart is in the page, byte for byte the PNG beside it, in the order drawn.
    let images = embedded_images(&html);
    let files = pngs(&out);
    assert_eq!(images.len(), 5);
    for (name, png) in &files {
        assert!(images.contains(png), "{name} is not embedded as it is");
        assert!(html.contains(&format!("({name})</figcaption>")), "{name}");
    }
    assert!(!html.contains("href=") && !html.contains("url("));

    // Key results, then the charts, the tables, the assumptions, the manifest folded last.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("<h2>Key results</h2>") < at("<h2>Charts</h2>"));
    assert!(at("<h2>Charts</h2>") < at("<h2>Summary</h2>"));
    assert!(at("<h2>Rounds</h2>") < at("<h2>Key assumptions</h2>"));
    assert!(at("<h2>Key assumptions</h2>") < at("<details>"));

    // The key results are summary.csv's numbers: per firm and total, orders, delivered,
    // unmet mean and p95, fill rate.
    let summary = Summary::read(&out);
    let summary_csv = read_csv(&out.join("summary.csv"));
    let key = between(&html, "<h2>Key results</h2>", "<h2>Charts</h2>");
    let table = rows(key);
    assert_eq!(
        table.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        summary.firms()
    );
    for row in &table {
        let firm = &row[0];
        for (cell, (metric, stat, scale)) in row[1..].iter().zip([
            ("orders", "mean", 1.0),
            ("delivered", "mean", 1.0),
            ("unmet", "mean", 1.0),
            ("unmet", "p95", 1.0),
            ("fill_rate", "mean", 100.0),
        ]) {
            // A mean or p95 of units has its 95% interval under it: summary.csv's ci_low and
            // ci_high.
            let (value, interval) = cell.split_once('\n').unwrap_or((cell, ""));
            let expected = summary.get(firm, metric, stat) * scale;
            assert!(
                shows(value, expected),
                "{firm} {metric} {stat}: the page shows {value}, summary.csv has {expected}"
            );
            if metric == "delivered" || metric == "unmet" {
                let (low, high) = interval.trim().split_once('–').expect("an interval");
                let csv = summary_csv
                    .rows
                    .iter()
                    .find(|r| r[..3] == [firm, metric, stat]);
                let csv = csv.expect("the row in summary.csv");
                for (shown_value, column) in [(low, 4), (high, 5)] {
                    let expected: f64 = csv[column].parse().unwrap();
                    assert!(
                        shows(shown_value, expected),
                        "{firm} {metric} {stat}: {cell}"
                    );
                }
            } else {
                assert!(interval.is_empty(), "{firm} {metric} {stat}: {cell}");
            }
        }
    }
    // The 1-in-20 total shortfall leads.
    let lead = text(between(key, "<p class=\"lead\">", "</p>"));
    let p95 = summary.get("total", "unmet", "p95");
    let bold = text(between(key, "<strong>", "</strong>"));
    assert!(shows(&bold, p95), "{lead}");
    assert!(lead.contains("1 trial in 20"), "{lead}");

    // Orders are in the summary table, first.
    let detail = between(&html, "<h2>Summary</h2>", "<h2>Rounds</h2>");
    let orders = between(detail, "Orders (units)", "</tbody>");
    let total_row = between(orders, "<tr class=\"total\">", "</tr>");
    let mean = text(between(total_row, "<td class=\"n\">", "</td>"));
    assert!(
        shows(&mean, summary.get("total", "orders", "mean")),
        "{mean}"
    );
    assert!(at("Orders (units)") < at("Delivered (units)"));

    // Every table scrolls in its own box; the manifest is manifest.json, folded.
    assert_eq!(
        html.matches("<table>").count(),
        html.matches("<div class=\"scroll\"><table>").count()
    );
    let folded = between(&html, "<details>", "</details>");
    assert!(folded.contains("<summary>Manifest</summary>"));
    let json: serde_json::Value =
        serde_json::from_str(&text(between(folded, "<pre>", "</pre>"))).unwrap();
    assert_eq!(json, crate::common::manifest(&out));
    assert_eq!(
        html.matches("<pre>").count(),
        1,
        "the manifest appears once"
    );

    // Alone in another folder, the page still shows every chart: it names no file.
    let alone = tmp.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    std::fs::copy(out.join("report.html"), alone.join("report.html")).unwrap();
    let copied = std::fs::read_to_string(alone.join("report.html")).unwrap();
    assert_eq!(embedded_images(&copied), images);
}

/// A scenario like random.toml, approvals rarer: another scenario with the same firms.
fn stricter(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(crate::common::root().join(data("random.toml"))).unwrap();
    let changed = text.replacen("probability = 0.7", "probability = 0.4", 1);
    assert_ne!(text, changed);
    let path = dir.join("stricter.toml");
    std::fs::write(
        &path,
        changed.replacen("name = \"random\"", "name = \"stricter\"", 1),
    )
    .unwrap();
    path
}

/// The arguments of a sweep, a compare and a sensitivity of random.toml, small.
fn comparisons(dir: &Path) -> Vec<Vec<String>> {
    let strict = stricter(dir).display().to_string();
    let random = data("random.toml");
    let v = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&[
            "sweep",
            &random,
            "--set",
            "domestic.ratio=0.2,0.5",
            "--set",
            "allocation.rule=proportional,talmud",
        ]),
        v(&["compare", &random, &strict]),
        v(&[
            "sensitivity",
            &random,
            "--vary",
            "domestic.ratio=0.2,0.5",
            "--vary",
            "approval.probability=0.5,0.9",
        ]),
    ]
}

fn run_comparison(args: &[String], out: &Path, extra: &[&str]) {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--trials", "400", "--quiet", "--out", out.to_str().unwrap()]);
    all.extend(extra);
    run_ok(&all);
}

#[test]
fn report_redraws_a_comparisons_charts_and_page_byte_for_byte() {
    let tmp = tempdir();
    for args in comparisons(tmp.path()) {
        let kind = &args[0];
        let out = tmp.path().join(kind);
        run_comparison(&args, &out, &[]);
        let before = snapshot(&out);
        let marker: serde_json::Value =
            serde_json::from_slice(&before[Path::new(".allocsim")]).unwrap();
        assert!(
            marker["files"]
                .as_array()
                .unwrap()
                .contains(&"comparison.json".into()),
            "{kind}: the marker lists comparison.json"
        );
        let html = String::from_utf8(before[Path::new("report.html")].clone()).unwrap();
        let images = embedded_images(&html);
        let files = pngs(&out);
        assert!(!files.is_empty());
        assert_eq!(images.len(), files.len(), "{kind}: one image per chart");
        for (name, png) in &files {
            assert!(
                images.contains(png),
                "{kind}: {name} is not embedded as it is"
            );
        }

        // Redrawn in place: nothing changes.
        run_ok(&["report", out.to_str().unwrap()]);
        assert_eq!(snapshot(&out), before, "{kind} redrawn in place");

        // A copy without its charts and page gets them back, the same bytes.
        let copy = tmp.path().join(format!("{kind}-copy"));
        std::fs::create_dir(&copy).unwrap();
        for (name, bytes) in &before {
            let name = name.to_str().unwrap();
            if !(name.ends_with(".png") || name == "report.html") {
                std::fs::write(copy.join(name), bytes).unwrap();
            }
        }
        run_ok(&["report", copy.to_str().unwrap()]);
        assert_eq!(
            snapshot(&copy),
            before,
            "{kind} redrawn from comparison.json"
        );
    }
}

#[test]
fn a_comparison_without_charts_gets_them_from_report() {
    let tmp = tempdir();
    let args = &comparisons(tmp.path())[0];
    let with = tmp.path().join("with");
    let without = tmp.path().join("without");
    run_comparison(args, &with, &[]);
    run_comparison(args, &without, &["--no-charts"]);
    assert!(pngs(&without).is_empty());
    assert!(!without.join("report.html").exists());
    assert_eq!(
        std::fs::read(without.join("comparison.json")).unwrap(),
        std::fs::read(with.join("comparison.json")).unwrap(),
        "the saved comparison does not depend on the charts"
    );
    run_ok(&["report", without.to_str().unwrap()]);
    assert_eq!(pngs(&without), pngs(&with));
    let html = std::fs::read_to_string(without.join("report.html")).unwrap();
    assert_eq!(
        embedded_images(&html),
        embedded_images(&std::fs::read_to_string(with.join("report.html")).unwrap())
    );
}

#[test]
fn saved_results_of_another_version_or_none_are_refused() {
    let tmp = tempdir();
    let args = &comparisons(tmp.path())[1];
    let out = tmp.path().join("compare");
    run_comparison(args, &out, &[]);
    let file = out.join("comparison.json");
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    saved["version"] = 99.into();
    std::fs::write(&file, serde_json::to_vec(&saved).unwrap()).unwrap();
    let before = snapshot(&out);
    let refused = run(&["report", out.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    assert!(
        message.contains("comparison.json")
            && message
                .contains("format allocsim-comparison version 99 cannot be read by this allocsim")
            && message.contains("(it reads allocsim-comparison version 1 to 3)"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(snapshot(&out), before, "a refused report changes nothing");

    // A comparison folder from before comparison.json was saved says what to do.
    std::fs::remove_file(&file).unwrap();
    let old = run(&["report", out.to_str().unwrap()]);
    assert_eq!(old.status.code(), Some(2));
    assert!(
        stderr(&old).contains("holds a compare without its comparison.json")
            && stderr(&old).contains("run the compare again"),
        "{}",
        stderr(&old)
    );

    // A run's results.json of another version too.
    let run_out = tmp.path().join("run");
    crate::common::run_scenario(&data("good.toml"), &run_out, &["--trials", "50"]);
    let results = run_out.join("results.json");
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    saved["version"] = 3.into();
    std::fs::write(&results, serde_json::to_vec(&saved).unwrap()).unwrap();
    let refused = run(&["report", run_out.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused)
            .contains("format allocsim-results version 3 cannot be read by this allocsim"),
        "{}",
        stderr(&refused)
    );
}

/// differences.csv's rows of unmet demand: (point, firm) → (mean, ci_low, ci_high).
fn unmet_differences(out: &Path) -> BTreeMap<(usize, String), (f64, f64, f64)> {
    let csv = read_csv(&out.join("differences.csv"));
    (0..csv.rows.len())
        .filter(|&i| csv.rows[i][csv.column("metric")] == "unmet")
        .map(|i| {
            let point: usize = csv.rows[i][0].parse().unwrap();
            let firm = csv.rows[i][csv.column("firm")].clone();
            (
                (point, firm),
                (
                    csv.number(i, "mean_diff"),
                    csv.number(i, "ci_low"),
                    csv.number(i, "ci_high"),
                ),
            )
        })
        .collect()
}

/// The verdict differences.csv gives a (mean, low, high) difference in unmet demand.
fn verdict((_, low, high): (f64, f64, f64)) -> &'static str {
    if low > 0.0 {
        "loses"
    } else if high < 0.0 {
        "gains"
    } else {
        "no clear change"
    }
}

/// The page's name of differences.csv's firm.
fn series(firm: &str) -> &str {
    if firm == "total" {
        "All firms (total)"
    } else {
        firm
    }
}

#[test]
fn a_comparison_page_says_who_gains_and_who_loses_as_differences_csv_does() {
    let tmp = tempdir();
    // Few points: every point's difference per firm.
    let args = &comparisons(tmp.path())[2];
    let out = tmp.path().join("sensitivity");
    run_comparison(args, &out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let key = between(&html, "<h2>Key results</h2>", "<h2>Charts</h2>");
    let diffs = unmet_differences(&out);
    let table = rows(between(key, "<h3>Who gains and who loses</h3>", "</div>"));
    assert_eq!(table.len(), 4, "three firms and the total");
    let mut verdicts = std::collections::BTreeSet::new();
    for row in &table {
        let firm = diffs
            .keys()
            .map(|(_, f)| f.as_str())
            .find(|f| series(f) == row[0])
            .unwrap_or_else(|| panic!("no firm {}", row[0]));
        assert_eq!(row.len(), 1 + 4, "a column per point after the reference");
        for (p, cell) in (2..=5).zip(&row[1..]) {
            let d = diffs[&(p, firm.to_string())];
            let (word, number) = cell.split_once(": ").unwrap();
            assert_eq!(word, verdict(d), "{firm} at point {p}: {cell}");
            verdicts.insert(word.to_string());
            let mean = number.split(" (").next().unwrap();
            assert!(
                shows(mean, d.0),
                "{firm} at point {p}: {cell} against {d:?}"
            );
        }
    }
    assert!(
        verdicts.len() >= 2,
        "the fixture shows more than one verdict: {verdicts:?}"
    );
    assert!(key.contains("Least demand unmet in total of the other 4 points: point "));

    // Many points: per firm, how many points it gains and loses at.
    let out = tmp.path().join("sweep");
    let sweep = [
        "sweep",
        &data("random.toml"),
        "--set",
        "domestic.ratio=0.1,0.3,0.5",
        "--set",
        "allocation.rule=proportional,talmud",
    ]
    .map(String::from);
    run_comparison(&sweep, &out, &[]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let key = between(&html, "<h2>Key results</h2>", "<h2>Charts</h2>");
    let diffs = unmet_differences(&out);
    for row in rows(between(key, "<h3>Who gains and who loses</h3>", "</div>")) {
        let firm = diffs
            .keys()
            .map(|(_, f)| f.clone())
            .find(|f| series(f) == row[0])
            .unwrap();
        let count = |word: &str| {
            let n = (2..=6)
                .filter(|&p| verdict(diffs[&(p, firm.clone())]) == word)
                .count();
            if n == 0 {
                "none".to_string()
            } else {
                format!("{n} of 5 points")
            }
        };
        assert_eq!(
            [&row[1], &row[3], &row[5]],
            [&count("gains"), &count("loses"), &count("no clear change")],
            "{firm}"
        );
    }
}

#[test]
fn comparison_json_and_the_charts_do_not_depend_on_the_thread_count() {
    let tmp = tempdir();
    let args = &comparisons(tmp.path())[0];
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        // Past one chunk of trials (16,384), so that two workers share the points.
        all.extend([
            "--trials",
            "40000",
            "--threads",
            threads,
            "--quiet",
            "--out",
        ]);
        all.push(out.to_str().unwrap());
        run_ok(&all);
        outputs.push((
            std::fs::read(out.join("comparison.json")).unwrap(),
            pngs(&out),
        ));
    }
    assert!(outputs[0] == outputs[1], "--threads 2 differs");
}
