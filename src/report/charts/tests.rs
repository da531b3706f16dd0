//! Drawing tests: every chart renders at the requested size, is not blank, renders the same bytes
//! twice, and needs no system font. Set ALLOCSIM_CHART_DIR to keep the PNGs for looking at.

use std::path::Path;

use super::{ChartOptions, render_all};
use crate::engine::{RunOptions, run};
use crate::report::RunInfo;
use crate::stats::Summary;

const THREE_FIRMS: &str = r#"
name = "three-firms"
description = "A small test run"
rounds = 3

[allocation]
rule = "proportional"

[approval]
probability = 0.7
batch = { dist = "triangular", min = 100000, mode = 300000, max = 500000 }

[domestic]
ratio = 0.3
supply = { dist = "triangular", min = 50000, mode = 100000, max = 200000 }
equivalence = 0.4

[[firm]]
name = "ByteDance"
orders = { dist = "triangular", min = 200000, mode = 450000, max = 800000 }

[[firm]]
name = "Alibaba"
orders = { dist = "triangular", min = 200000, mode = 400000, max = 700000 }

[[firm]]
name = "Tencent"
orders = { dist = "triangular", min = 150000, mode = 300000, max = 500000 }
"#;

/// Eight firms, some with long names, and domestic chips that do not count as imports
/// (equivalence 0: one domestic panel).
fn eight_firms() -> String {
    let names = [
        "ByteDance",
        "Alibaba",
        "Tencent",
        "Baidu",
        "Telecom-operators-and-state-backed-cloud",
        "Provincial-AI-compute-centres-consortium",
        "iFlytek",
        "Kuaishou-Technology-and-short-video-peers",
    ];
    let mut toml = String::from(
        "name = \"eight-firms-with-a-rather-long-scenario-name-for-titles\"\nrounds = 12\n\n[allocation]\nrule = \"proportional\"\n\n\
         [approval]\nprobability = 0.6\nbatch = { dist = \"triangular\", min = 100000, mode = 250000, max = 400000 }\n\n\
         [domestic]\nratio = 0.5\nsupply = { dist = \"triangular\", min = 20000, mode = 60000, max = 150000 }\n",
    );
    for (i, n) in names.iter().enumerate() {
        let mode = 100_000 + 40_000 * i as u64;
        toml += &format!(
            "\n[[firm]]\nname = \"{n}\"\norders = {{ dist = \"triangular\", min = {}, mode = {mode}, max = {} }}\neligible_from = {}\n",
            mode / 2,
            mode * 2,
            1 + i % 3
        );
    }
    toml
}

fn simulate(toml: &str, trials: u64) -> (RunInfo, Summary) {
    let scenario = match crate::scenario::parse(Path::new("t.toml"), toml.as_bytes(), &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario: {e}"),
    };
    let options = RunOptions {
        trials,
        seed: 1,
        ..Default::default()
    };
    let result = match run(&scenario, &options, &mut |_| {}, None) {
        Ok(r) => r,
        Err(e) => panic!("test run: {e}"),
    };
    (RunInfo::new(&scenario, trials, 1), result.summary)
}

/// Decodes a PNG into (width, height, RGB pixels).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a buffer size")];
    let frame = reader.next_frame(&mut pixels).expect("a PNG frame");
    assert_eq!(frame.color_type, png::ColorType::Rgb);
    pixels.truncate(frame.buffer_size());
    (frame.width, frame.height, pixels)
}

/// Checks every chart's size and that it holds a real picture; keeps the PNGs when asked.
fn check(
    info: &RunInfo,
    summary: &Summary,
    options: &ChartOptions,
    tag: &str,
) -> Vec<(&'static str, Vec<u8>)> {
    let charts = render_all(info, summary, options).expect("charts render");
    let names: Vec<&str> = charts.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "unmet.png",
            "exceedance.png",
            "deliveries.png",
            "domestic.png",
            "fill.png"
        ]
    );
    for (name, bytes) in &charts {
        let (w, h, pixels) = decode(bytes);
        assert_eq!((w, h), (options.width, options.height), "{name}");
        let mut colours: Vec<[u8; 3]> = pixels.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
        let inked = colours.iter().filter(|p| **p != [255, 255, 255]).count();
        colours.sort_unstable();
        colours.dedup();
        assert!(colours.len() > 50, "{name}: only {} colours", colours.len());
        let share = inked as f64 / (w * h) as f64;
        assert!(
            share > 0.03,
            "{name}: only {:.1}% of pixels drawn",
            share * 100.0
        );
        if let Some(dir) = std::env::var_os("ALLOCSIM_CHART_DIR") {
            let dir = Path::new(&dir).join(tag);
            std::fs::create_dir_all(&dir).expect("chart dir");
            std::fs::write(dir.join(name), bytes).expect("chart written");
        }
    }
    charts
}

#[test]
fn three_firms_render_at_default_and_small_sizes() {
    let (info, summary) = simulate(THREE_FIRMS, 2000);
    check(&info, &summary, &ChartOptions::default(), "three");
    check(
        &info,
        &summary,
        &ChartOptions {
            width: 800,
            height: 500,
        },
        "three-small",
    );
}

#[test]
fn eight_long_named_firms_render() {
    let (info, summary) = simulate(&eight_firms(), 2000);
    check(&info, &summary, &ChartOptions::default(), "eight");
    check(
        &info,
        &summary,
        &ChartOptions {
            width: 800,
            height: 500,
        },
        "eight-small",
    );
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let (info, summary) = simulate(THREE_FIRMS, 2000);
    let first = render_all(&info, &summary, &ChartOptions::default()).expect("charts render");
    // Through results.json, as `allocsim report` re-renders.
    let json = crate::report::results_json(&info, &summary);
    let (info2, summary2) = crate::report::read_results(&json).expect("results read back");
    let second = render_all(&info2, &summary2, &ChartOptions::default()).expect("charts render");
    assert_eq!(first, second);
}

#[test]
fn sizes_outside_the_limits_are_errors() {
    let (info, summary) = simulate(THREE_FIRMS, 50);
    let err = render_all(
        &info,
        &summary,
        &ChartOptions {
            width: 100,
            height: 80,
        },
    )
    .expect_err("too small");
    assert!(err.to_string().contains("100×80"), "{err}");
}

#[test]
fn text_renders_without_system_fonts() {
    // Re-run this test binary with an empty environment whose every font lookup path (HOME,
    // XDG_DATA_DIRS, fontconfig's files) is an empty directory: the bundled font must still draw.
    // A child process keeps the environment change away from the other tests' threads.
    let empty = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("test executable");
    let output = std::process::Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "report::charts::tests::title_text_is_drawn",
            "--test-threads=1",
        ])
        .env_clear()
        .env("HOME", empty.path())
        .env("XDG_DATA_DIRS", empty.path())
        .env("XDG_DATA_HOME", empty.path())
        .env("FONTCONFIG_FILE", empty.path().join("fonts.conf"))
        .env("FONTCONFIG_PATH", empty.path())
        .output()
        .expect("test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Run by [`text_renders_without_system_fonts`] in a fontless environment.
#[test]
#[ignore = "run by text_renders_without_system_fonts in an environment without fonts"]
fn title_text_is_drawn() {
    let (info, summary) = simulate(THREE_FIRMS, 200);
    let charts = render_all(&info, &summary, &ChartOptions::default()).expect("charts render");
    for (name, bytes) in &charts {
        let (w, _, pixels) = decode(bytes);
        // The title occupies the band y = 20..70 from x = 30: count dark pixels there.
        let dark = (20..70u32)
            .flat_map(|y| (30..800u32).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let i = ((y * w + x) * 3) as usize;
                pixels[i] < 100 && pixels[i + 1] < 100 && pixels[i + 2] < 100
            })
            .count();
        assert!(
            dark > 2000,
            "{name}: only {dark} text pixels in the title area"
        );
    }
}

#[test]
fn no_font_libraries_are_linked() {
    let exe = std::env::current_exe().expect("test executable");
    let output = match std::process::Command::new("ldd").arg(&exe).output() {
        Ok(o) if o.status.success() => o,
        _ => return, // no ldd (or a static binary): nothing to inspect
    };
    let libs = String::from_utf8_lossy(&output.stdout);
    assert!(
        !libs.contains("fontconfig") && !libs.contains("freetype"),
        "{libs}"
    );
}

/// Renders the shipped baseline into ALLOCSIM_CHART_DIR/baseline and times the charts of a
/// million-trial run (they depend on histograms, not on the trial count). Run with
/// `ALLOCSIM_CHART_DIR=/tmp/charts cargo test --release --lib baseline_charts -- --ignored --nocapture`.
#[test]
#[ignore = "slow in debug builds; for looking at the charts and timing them"]
fn baseline_charts() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let toml = std::fs::read_to_string(&path).expect("baseline scenario");
    let (info, summary) = simulate(&toml, 1_000_000);
    let start = std::time::Instant::now();
    let charts = check(&info, &summary, &ChartOptions::default(), "baseline");
    let elapsed = start.elapsed();
    let bytes: usize = charts.iter().map(|(_, b)| b.len()).sum();
    println!(
        "5 charts of a 1,000,000-trial baseline: {elapsed:?} (with the decode checks), {bytes} bytes"
    );
    let start = std::time::Instant::now();
    render_all(&info, &summary, &ChartOptions::default()).expect("charts render");
    println!("render_all alone: {:?}", start.elapsed());
}

/// What each run chart shows comes from the summary alone, before any drawing: one panel or
/// series per firm (and the total where the chart has one), each with the summary's own numbers.
#[test]
fn run_charts_are_prepared_apart_from_the_drawing() {
    use super::data;
    use crate::stats::Metric;
    let (info, summary) = simulate(THREE_FIRMS, 200);
    let firms = info.firms.len();
    let unmet = data::unmet_chart(&info, &summary);
    assert_eq!(unmet.panels.len(), firms);
    for (f, p) in unmet.panels.iter().enumerate() {
        assert_eq!(p.name, info.firms[f]);
        assert_eq!(p.p95, summary.tally(f, Metric::Unmet).quantile(0.95));
        assert!((0.0..=1.0).contains(&p.fully_served));
        assert!(p.p95 <= unmet.tail);
    }
    let exceedance = data::exceedance_chart(&info, &summary);
    assert_eq!(exceedance.series.len(), firms + 1);
    assert_eq!(exceedance.series[firms].name, data::TOTAL_NAME);
    for s in &exceedance.series {
        assert_eq!(s.curve.first().map(|p| p.1), Some(1.0), "{}", s.name);
        assert_eq!(s.curve.last().map(|p| p.1), Some(0.0), "{}", s.name);
    }
    let deliveries = data::deliveries_chart(&info, &summary);
    assert_eq!(deliveries.fan.len(), info.rounds as usize);
    assert_eq!(
        deliveries.orders,
        summary.tally(firms, Metric::Orders).mean()
    );
    let domestic = data::domestic_chart(&info, &summary);
    assert_eq!(domestic.effective, info.equivalence > 0.0);
    assert_eq!(
        domestic.panels.len(),
        if domestic.effective { 2 } else { 1 }
    );
    assert!(domestic.panels.iter().all(|p| p.spreads.len() == firms));
    let fill = data::fill_chart(&info, &summary);
    assert_eq!(
        fill.names.last().map(String::as_str),
        Some(data::TOTAL_NAME)
    );
    assert_eq!(fill.spreads.len(), firms + 1);
    assert!(
        fill.spreads
            .iter()
            .all(|s| (0.0..=1.0).contains(&s.p5) && (0.0..=1.0).contains(&s.p95))
    );
}

/// The shipped scenario `name`'s bytes.
fn shipped(name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let bytes = std::fs::read(&path).expect("a shipped scenario");
    (path, bytes)
}

/// The comparison of `plan`'s points over `trials` trials.
fn compared(plan: &crate::compare::Plan, trials: u64) -> crate::compare::Comparison {
    use crate::compare::{Comparison, PointsOptions, run_points};
    let scenarios: Vec<&crate::scenario::Scenario> =
        plan.points.iter().map(|p| &p.scenario).collect();
    let options = PointsOptions {
        trials,
        seed: 7,
        threads: 1,
        ..PointsOptions::default()
    };
    let result = run_points(&scenarios, &options, &mut |_| {}, None).expect("the points run");
    Comparison::new(plan, trials, 7, result)
}

/// A sweep of the baseline over `knobs` (`KEY=V1,V2,...`).
fn sweep(knobs: &[&str], trials: u64) -> crate::compare::Comparison {
    use crate::compare::{Knob, plan};
    let (path, bytes) = shipped("baseline");
    let knobs: Vec<Knob> = knobs
        .iter()
        .map(|k| Knob::parse(k).expect("a knob"))
        .collect();
    compared(
        &plan::sweep(&path, &bytes, &[], &knobs).expect("a plan"),
        trials,
    )
}

/// Renders every chart of `c` at the default and the smallest size and checks each one holds a
/// picture; keeps the PNGs in ALLOCSIM_CHART_DIR/`tag` when asked.
fn check_comparison(c: &crate::compare::Comparison, files: &[&str], tag: &str) {
    for options in [
        ChartOptions::default(),
        ChartOptions {
            width: super::MIN_SIZE.0,
            height: super::MIN_SIZE.1,
        },
    ] {
        let charts = super::compare::render_comparison(c, &options).expect("charts render");
        let names: Vec<&str> = charts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, files);
        for (name, bytes) in &charts {
            let (w, h, pixels) = decode(bytes);
            assert_eq!((w, h), (options.width, options.height), "{name}");
            let inked = pixels.chunks(3).filter(|p| *p != [255, 255, 255]).count();
            assert!(
                inked as f64 > 0.03 * f64::from(w * h),
                "{name}: nearly blank"
            );
            if let Some(dir) = std::env::var_os("ALLOCSIM_CHART_DIR") {
                let dir = Path::new(&dir).join(format!("{tag}-{w}"));
                std::fs::create_dir_all(&dir).expect("chart dir");
                std::fs::write(dir.join(name), bytes).expect("chart written");
            }
        }
    }
}

/// Issue 13, item 4: the heatmap's colours run from zero, not from the lowest cell, and each
/// cell prints its value and its difference from the reference.
#[test]
fn heatmap_colours_are_anchored_at_zero() {
    use super::compare::{HEAT_STATS, heatmap};
    let c = sweep(
        &[
            "domestic.ratio=0.3,0.6",
            "allocation.rule=proportional,talmud",
        ],
        300,
    );
    for stat in &HEAT_STATS {
        let map = heatmap(&c, stat);
        let cells: Vec<f64> = map.cells.iter().flatten().copied().collect();
        let (lo, hi) = cells
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        assert!(lo > 0.0 && hi > lo, "{cells:?}");
        assert_eq!(map.scale.lo, 0.0);
        assert_eq!(map.scale.hi, hi);
        assert_eq!(map.share(0.0), 0.0);
        assert_eq!(map.share(hi), 1.0);
        // The lowest cell is coloured by its level, not as the palest colour.
        assert!((map.share(lo) - lo / hi).abs() < 1e-12);
        assert!(map.share(lo) > 0.5, "{}", map.share(lo));
        assert!(map.scale.ticks.contains(&0.0));
        assert!(map.scale.ticks.iter().all(|&t| t <= hi));
        assert_eq!(map.cell_text(0, 0).1, "reference");
        let (value, diff) = map.cell_text(1, 0);
        assert_eq!(value, crate::report::format::units_label(map.cells[1][0]));
        let d = map.cells[1][0] - map.reference();
        assert!(
            diff.starts_with(&crate::report::format::signed_units(d)),
            "{diff}"
        );
        assert!(diff.ends_with("%)"), "{diff}");
    }
    check_comparison(
        &c,
        &[
            "sweep-domestic.ratio.png",
            "sweep-allocation.rule.png",
            "heatmap-mean.png",
            "heatmap-p95.png",
        ],
        "grid",
    );
}

/// Issue 13, item 7: a whole-number knob gets whole-number ticks, a decimal one decimal ticks and
/// a rule categories.
#[test]
fn knob_charts_get_ticks_of_their_kind() {
    use super::compare::{KnobScale, knob_chart};
    let c = sweep(
        &[
            "firm.Baidu.eligible_from=2,3",
            "domestic.ratio=0.3,0.6",
            "allocation.rule=proportional,talmud",
        ],
        100,
    );
    match knob_chart(&c, 0).scale {
        KnobScale::Numbers { axis, integer, .. } => {
            assert!(integer);
            assert_eq!(axis.ticks, [2.0, 3.0]);
        }
        other => panic!("eligible_from: {other:?}"),
    }
    match knob_chart(&c, 1).scale {
        KnobScale::Numbers { axis, integer, .. } => {
            assert!(!integer);
            assert!(axis.ticks.iter().any(|t| t.fract() != 0.0), "{axis:?}");
        }
        other => panic!("domestic.ratio: {other:?}"),
    }
    let rule = knob_chart(&c, 2);
    assert_eq!(rule.scale, KnobScale::Categories);
    assert_eq!(rule.labels.labels, ["proportional", "talmud"]);
}

/// Issue 13, item 6: two batch distributions that differ in their mode and max are labelled by
/// what differs, with what they share said once.
#[test]
fn distribution_knobs_are_labelled_by_what_differs() {
    use super::compare::{KnobScale, heatmap, knob_chart};
    let c = sweep(
        &[
            r#"approval.batch={dist="pert",min=100000,mode=200000,max=400000},{dist="pert",min=100000,mode=300000,max=500000}"#,
            "domestic.ratio=0.3,0.6",
        ],
        100,
    );
    let k = knob_chart(&c, 0);
    assert_eq!(k.scale, KnobScale::Categories);
    assert_eq!(
        k.labels.labels,
        ["mode=200000, max=400000", "mode=300000, max=500000"]
    );
    assert_eq!(k.labels.common, r#"dist="pert", min=100000"#);
    let map = heatmap(&c, &super::compare::HEAT_STATS[0]);
    assert_eq!(map.row_labels, k.labels);
    assert_eq!(map.col_labels.labels, ["0.3", "0.6"]);
    check_comparison(
        &c,
        &[
            "sweep-approval.batch.png",
            "sweep-domestic.ratio.png",
            "heatmap-mean.png",
            "heatmap-p95.png",
        ],
        "distributions",
    );
}

/// Issue 13, item 4: every panel of the paired differences is on one axis, which holds every
/// interval and 0.
#[test]
fn difference_panels_share_one_scale() {
    use super::compare::differences;
    let files: Vec<_> = [
        "baseline",
        "gradual-expansion",
        "renewed-tensions",
        "accelerated-domestic",
    ]
    .map(shipped)
    .to_vec();
    let c = compared(
        &crate::compare::plan::compare(&files, &[], None).expect("a plan"),
        200,
    );
    let d = differences(&c);
    assert_eq!(d.panels.len(), 3);
    assert_eq!(d.points, 3);
    let rows: Vec<_> = d
        .panels
        .iter()
        .flat_map(|p| p.rows.iter().filter_map(|r| r.paired()))
        .collect();
    assert_eq!(
        rows.len(),
        3 * 7,
        "the shipped scenarios list the same firms"
    );
    assert!(rows.iter().all(|r| d.axis.lo < r.lo && r.hi < d.axis.hi));
    assert!(d.axis.lo < 0.0 && d.axis.hi > 0.0 && d.axis.ticks.contains(&0.0));
    // The panels' own ranges differ by far more than a panel's: one scale shows that.
    let widest = |p: &super::compare::DiffPanel| {
        p.rows
            .iter()
            .filter_map(|r| r.paired())
            .map(|r| r.hi.abs().max(r.lo.abs()))
            .fold(0.0, f64::max)
    };
    let spans: Vec<f64> = d.panels.iter().map(widest).collect();
    assert!(
        spans.iter().any(|&s| s * 5.0 < d.axis.hi - d.axis.lo),
        "{spans:?}"
    );
    check_comparison(&c, &["differences.png"], "compare");
}

/// Issue 13, item 4: the tornado's axis is the change from the reference, so its bars start at
/// 0 and the axis says so.
#[test]
fn tornado_bars_start_at_the_reference() {
    use crate::compare::{Knob, plan};
    let (path, bytes) = shipped("baseline");
    let knobs = [
        Knob::parse("domestic.ratio=0.2,0.6").expect("a knob"),
        Knob::parse("approval.probability=0.5,0.9").expect("a knob"),
    ];
    let c = compared(
        &plan::sensitivity(&path, &bytes, &[], &knobs).expect("a plan"),
        200,
    );
    let t = super::compare::tornado(&c);
    assert_eq!(t.change(t.reference), 0.0);
    assert!(t.axis.ticks.contains(&0.0));
    for s in &t.swings {
        for mean in [s.low_mean, s.high_mean] {
            let change = t.change(mean);
            assert!(t.axis.lo < change && change < t.axis.hi, "{change}");
        }
    }
    assert!(t.axis.lo < 0.0 && t.axis.hi > 0.0, "{:?}", t.axis);
    // The ticks are round numbers over the changes (and 0), not the level's 1,350k, 1,400k, ….
    let changes: Vec<f64> = t
        .swings
        .iter()
        .flat_map(|s| [t.change(s.low_mean), t.change(s.high_mean)])
        .chain([0.0])
        .collect();
    let (lo, hi) = changes
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    assert!(
        t.axis
            .ticks
            .iter()
            .all(|&x| lo - t.axis.step <= x && x <= hi + t.axis.step),
        "{:?} for changes {lo}..{hi}",
        t.axis
    );
    check_comparison(&c, &["tornado.png"], "sensitivity");
}
