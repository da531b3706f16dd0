//! Every shipped scenario in scenarios/ validates and runs, with outputs that add up.

use crate::common::{Summary, read_csv, root, run_ok, run_scenario, tempdir};

fn shipped() -> Vec<String> {
    let mut files: Vec<String> = crate::common::entries(&root().join("scenarios"))
        .into_iter()
        .filter(|f| f.ends_with(".toml"))
        .map(|f| format!("scenarios/{f}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "scenarios/ holds no scenario");
    files
}

#[test]
fn shipped_scenarios_validate() {
    let files = shipped();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = run_ok(&args);
    let stdout = crate::common::stdout(&out);
    for f in &files {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("ok: {f} ("))),
            "no ok line for {f}:\n{stdout}"
        );
    }
}

#[test]
fn shipped_scenarios_run_and_add_up() {
    for file in shipped() {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let doc: toml::Table = text.parse().unwrap();
        let rounds = doc["rounds"].as_integer().expect("rounds is an integer") as usize;

        let tmp = tempdir();
        let out = tmp.path().join("out");
        run_scenario(&file, &out, &["--trials", "2000"]);
        let summary = Summary::read(&out);

        let delivered = summary.get("total", "delivered", "mean");
        let orders = summary.get("total", "orders", "mean");
        assert!(
            delivered > 0.0 && delivered <= orders,
            "{file}: total delivered mean {delivered}, orders mean {orders}"
        );
        for firm in summary.firms() {
            let orders = summary.get(&firm, "orders", "mean");
            let delivered = summary.get(&firm, "delivered", "mean");
            let unmet = summary.get(&firm, "unmet", "mean");
            // Means are printed with 3 decimals: allow for that rounding on small values.
            let tolerance = (1e-6 * orders.abs()).max(1.1e-3);
            assert!(
                (unmet - (orders - delivered)).abs() <= tolerance,
                "{file} {firm}: unmet mean {unmet} != orders {orders} - delivered {delivered}"
            );
        }

        let rounds_csv = read_csv(&out.join("rounds.csv"));
        assert_eq!(rounds_csv.rows.len(), rounds, "{file}: rounds.csv rows");
        let mut previous = 0.0;
        for r in 0..rounds {
            assert_eq!(rounds_csv.number(r, "round"), (r + 1) as f64);
            let mean = rounds_csv.number(r, "delivered_mean");
            assert!(
                mean >= previous,
                "{file}: delivered_mean falls from {previous} to {mean} in round {}",
                r + 1
            );
            previous = mean;
        }
        // After the last round, the cumulative delivery is the total delivered.
        assert!(
            (previous - delivered).abs() <= 1.1e-3 + 1e-9 * delivered,
            "{file}: last round's delivered_mean {previous} != total delivered mean {delivered}"
        );
    }
}
