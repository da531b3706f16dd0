//! Charts and report.html through the binary: every run draws them (unless --no-charts), at the
//! size asked for, and `allocsim report` redraws the same bytes from results.json alone.

use std::path::Path;

use crate::common::{data, run, run_ok, tempdir};

const CHARTS: [&str; 5] = [
    "unmet.png",
    "exceedance.png",
    "deliveries.png",
    "domestic.png",
    "fill.png",
];

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

#[test]
fn a_run_draws_every_chart_and_report_redraws_them_identically() {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    let out_str = out.to_str().unwrap();
    run_ok(&[
        "run",
        &data("random.toml"),
        "--trials",
        "3000",
        "--quiet",
        "--out",
        out_str,
    ]);
    let first: Vec<Vec<u8>> = CHARTS
        .iter()
        .map(|c| {
            assert_eq!(png_size(&out.join(c)), (1600, 1000), "{c}");
            std::fs::read(out.join(c)).unwrap()
        })
        .collect();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for c in CHARTS {
        assert!(
            html.contains(&format!("({c})</figcaption>")),
            "report.html shows {c}"
        );
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "report.html loads nothing from elsewhere"
    );

    // Redraw from the saved results: the same bytes, without simulating.
    for c in CHARTS {
        std::fs::remove_file(out.join(c)).unwrap();
    }
    run_ok(&["report", out_str]);
    for (c, before) in CHARTS.iter().zip(&first) {
        assert_eq!(
            &std::fs::read(out.join(c)).unwrap(),
            before,
            "{c} redraws identically"
        );
    }
}

#[test]
fn no_charts_then_report_and_chart_sizes() {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    let out_str = out.to_str().unwrap();
    run_ok(&[
        "run",
        &data("good.toml"),
        "--trials",
        "500",
        "--quiet",
        "--no-charts",
        "--out",
        out_str,
    ]);
    assert!(out.join("results.json").is_file());
    assert!(
        CHARTS.iter().all(|c| !out.join(c).exists()),
        "--no-charts draws nothing"
    );
    assert!(!out.join("report.html").exists());

    run_ok(&["report", out_str, "--chart-size", "800x500"]);
    for c in CHARTS {
        assert_eq!(png_size(&out.join(c)), (800, 500), "{c}");
    }
    assert!(out.join("report.html").is_file());

    let bad = run(&["report", out_str, "--chart-size", "big"]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = run(&["report", tmp.path().join("nothing").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("results.json"));
}
