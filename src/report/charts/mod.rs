//! The charts (PNG) as two tables: a run's ([`RUN_CHARTS`]: unmet demand, its exceedance curves,
//! the deliveries fan, the regimes by round, domestic chips and fill rates) and a comparison's ([`COMPARISON_CHARTS`]:
//! a chart per swept knob, the heatmaps of a two-knob grid, the sensitivity tornado and the
//! paired differences); `allocsim tail`'s one chart (tail.rs); and the one pipeline that draws
//! every chart of any of them. What a chart
//! shows is computed in [`data`] (and [`compare`]); its own file (unmet.rs, …, knob.rs, …) lays
//! it out with the drawing kit of kit.rs, in the bundled DejaVu Sans font so no system font or
//! library is needed.

pub mod alike;
pub mod compare;
pub mod data;
mod deliveries;
mod differences;
mod domestic;
mod exceedance;
mod fill;
mod heatmap;
pub mod importance;
mod kit;
mod knob;
mod regimes;
#[cfg(test)]
mod run_tests;
pub mod tail;
#[cfg(test)]
mod tests;
mod tornado;
mod unmet;

use std::sync::OnceLock;

use plotters::prelude::*;

use crate::compare::{Comparison, Kind};
use crate::report::RunInfo;
use crate::stats::Summary;

/// Chart size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ChartOptions {
    /// Whether a `width`×`height` chart is within [`MIN_SIZE`] to [`MAX_SIZE`]: the one size
    /// rule, which the command line also asks before it accepts `--chart-size`.
    pub fn allowed(width: u32, height: u32) -> bool {
        (MIN_SIZE.0..=MAX_SIZE.0).contains(&width) && (MIN_SIZE.1..=MAX_SIZE.1).contains(&height)
    }

    fn check(&self) -> Result<(), ChartError> {
        let (w, h) = (self.width, self.height);
        if ChartOptions::allowed(w, h) {
            return Ok(());
        }
        Err(ChartError {
            chart: "charts".to_string(),
            message: format!(
                "a chart size of {w}×{h} is outside {}×{} to {}×{} pixels",
                MIN_SIZE.0, MIN_SIZE.1, MAX_SIZE.0, MAX_SIZE.1
            ),
        })
    }
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
        }
    }
}

/// A chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct ChartError {
    /// The chart's file name, or "charts" for a failure before any chart.
    pub chart: String,
    /// What went wrong.
    pub message: String,
}

/// Smallest chart size (width, height) whose text stays legible.
pub const MIN_SIZE: (u32, u32) = (480, 300);
/// Largest chart size: a cap that keeps the pixel buffer sane (192 MB).
pub const MAX_SIZE: (u32, u32) = (8000, 8000);

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/LICENSE-DejaVu.txt), bundled so charts
/// render identically on machines with no fonts installed.
static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the bundled font as "sans-serif" once per process; later calls return the outcome.
fn register_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for (style, bytes) in [(FontStyle::Normal, REGULAR), (FontStyle::Bold, BOLD)] {
                plotters::style::register_font("sans-serif", style, bytes)
                    .map_err(|_| "the bundled DejaVu Sans font cannot be read".to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(|message| ChartError {
            chart: "charts".to_string(),
            message,
        })
}

/// One chart of a run's report: its file, the caption report.html shows under it, which runs
/// have it, and how to draw it: what it shows is prepared from the run in [`data`] (a struct per
/// chart) and handed to the chart's paint function, which reads nothing else. Adding a chart is
/// one entry here, its data in [`data`] and one paint function.
pub struct RunChart {
    /// The PNG's file name in the output folder.
    pub file: &'static str,
    /// The sentence report.html shows under it.
    pub caption: &'static str,
    /// Whether a run has this chart (most charts: every run).
    pub drawn_for: fn(&RunInfo, &Summary) -> bool,
    paint: fn(&kit::Area, &kit::Look, &RunInfo, &Summary) -> kit::Drawn,
}

/// For a chart every run has.
fn every_run(_: &RunInfo, _: &Summary) -> bool {
    true
}

/// The charts of a run, in the order they are drawn and shown.
pub const RUN_CHARTS: [RunChart; 6] = [
    RunChart {
        file: "unmet.png",
        drawn_for: every_run,
        caption: "Distribution of unmet demand per firm, with its median and 95th percentile; \
                  every panel on the same scales.",
        paint: |area, look, info, summary| {
            unmet::paint(area, look, &data::unmet_chart(info, summary))
        },
    },
    RunChart {
        file: "exceedance.png",
        drawn_for: every_run,
        caption: "Chance that unmet demand exceeds a given amount, per firm and in total; where \
                  a curve crosses 5% is its 1-in-20 shortfall.",
        paint: |area, look, info, summary| {
            exceedance::paint(area, look, &data::exceedance_chart(info, summary))
        },
    },
    RunChart {
        file: "deliveries.png",
        drawn_for: every_run,
        caption: "Cumulative deliveries to all firms by round: median and 50% / 90% bands.",
        paint: |area, look, info, summary| {
            deliveries::paint(area, look, &data::deliveries_chart(info, summary))
        },
    },
    RunChart {
        file: "regimes.png",
        drawn_for: |_, summary| !summary.regimes.is_empty(),
        caption: "Share of trials in each political regime, round by round, with each regime's \
                  share of all rounds.",
        paint: |area, look, info, summary| {
            regimes::paint(area, look, &data::regimes_chart(info, summary))
        },
    },
    RunChart {
        file: "domestic.png",
        drawn_for: every_run,
        caption: "Domestic chips bought per firm (and effective unmet demand when they count), \
                  both on one scale.",
        paint: |area, look, info, summary| {
            domestic::paint(area, look, &data::domestic_chart(info, summary))
        },
    },
    RunChart {
        file: "fill.png",
        drawn_for: every_run,
        caption: "Fill rate per firm and in total (delivered ÷ orders in each trial): its spread \
                  over trials, with its mean (the summary table's fill rate) and median.",
        paint: |area, look, info, summary| {
            fill::paint(area, look, &data::fill_chart(info, summary))
        },
    },
];

/// One kind of comparison chart: which of them a comparison has (its parts: a swept knob, a
/// statistic, or the one chart), each one's file and the caption report.html shows under it, and
/// how to draw it: what it shows is prepared from the comparison in [`compare`] (a struct per
/// chart) and handed to the chart's paint function, which reads nothing else. Adding a chart is
/// one entry here, its data in [`compare`] and one paint function.
pub struct ComparisonChart {
    /// The parts of comparison `c` that get a chart of this kind, in order; empty for none.
    pub parts: fn(&Comparison) -> Vec<usize>,
    /// The file name of part `p`'s chart.
    pub file: fn(&Comparison, usize) -> String,
    /// What part `p`'s chart shows, for its caption.
    pub caption: fn(&Comparison, usize) -> String,
    paint: fn(&kit::Area, &kit::Look, &Comparison, usize) -> kit::Drawn,
}

/// The one part of a comparison that is `kind`, else none.
fn one_if(c: &Comparison, kind: Kind) -> Vec<usize> {
    if c.kind == kind { vec![0] } else { Vec::new() }
}

/// The charts of a comparison, in the order they are drawn and shown.
pub const COMPARISON_CHARTS: [ComparisonChart; 4] = [
    ComparisonChart {
        parts: |c| match c.kind {
            Kind::Sweep => (0..c.knobs.len()).collect(),
            Kind::Compare | Kind::Sensitivity => Vec::new(),
        },
        file: |c, j| format!("sweep-{}.png", compare::knob_labels(&c.knobs)[j]),
        caption: |c, j| {
            format!(
                "Unmet demand, total and per firm, at each value of {}.",
                compare::knob_labels(&c.knobs)[j]
            )
        },
        paint: |area, look, c, j| knob::paint(area, look, &compare::knob_chart(c, j)),
    },
    ComparisonChart {
        parts: |c| {
            if compare::is_grid(c) {
                (0..compare::HEAT_STATS.len()).collect()
            } else {
                Vec::new()
            }
        },
        file: |_, s| format!("heatmap-{}.png", compare::HEAT_STATS[s].stat),
        caption: |_, s| {
            format!(
                "{} over the grid of the two knobs.",
                compare::HEAT_STATS[s].what
            )
        },
        paint: |area, look, c, s| {
            heatmap::paint(area, look, &compare::heatmap(c, &compare::HEAT_STATS[s]))
        },
    },
    ComparisonChart {
        parts: |c| one_if(c, Kind::Sensitivity),
        file: |_, _| "tornado.png".to_string(),
        caption: |_, _| {
            "Each knob moved from low to high, others at the scenario's values: mean total unmet \
             demand."
                .to_string()
        },
        paint: |area, look, c, _| tornado::paint(area, look, &compare::tornado(c)),
    },
    ComparisonChart {
        parts: |c| one_if(c, Kind::Compare),
        file: |_, _| "differences.png".to_string(),
        caption: |_, _| {
            "Paired difference in mean unmet demand against the reference, with 95% intervals."
                .to_string()
        },
        paint: |area, look, c, _| differences::paint(area, look, &compare::differences(c)),
    },
];

/// Every chart of a run as (file name, PNG bytes).
pub fn render_all(
    info: &RunInfo,
    summary: &Summary,
    options: &ChartOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, ChartError> {
    if summary.names.len() != info.firms.len() + 1 || summary.tallies.len() != summary.names.len() {
        return Err(ChartError {
            chart: "charts".to_string(),
            message: "the summary's firms do not match the run's".to_string(),
        });
    }
    render(
        RUN_CHARTS
            .iter()
            .filter(|chart| (chart.drawn_for)(info, summary))
            .map(|chart| {
                let paint: Paint =
                    Box::new(move |area, look| (chart.paint)(area, look, info, summary));
                (chart.file, paint)
            })
            .collect(),
        options,
    )
}

/// tail.png of a tail analysis ([`tail::tail_chart`]), as (file name, PNG bytes): the one
/// chart of `allocsim tail`, drawn by the pipeline every report uses.
pub fn render_tail(
    chart: &tail::TailChart,
    options: &ChartOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, ChartError> {
    let paint: Paint = Box::new(move |area, look| tail::paint(area, look, chart));
    render(vec![(tail::FILE, paint)], options)
}

/// How one chart is drawn on a bitmap already sized and cleared.
type Paint<'a> = Box<dyn Fn(&kit::Area, &kit::Look) -> kit::Drawn + 'a>;

/// Draws each chart at the size of `options` and encodes it as PNG: the one path every report
/// (a run's, a comparison's) goes through, so the size check, the bundled font and the encoding
/// are the same for all.
fn render<N: AsRef<str>>(
    charts: Vec<(N, Paint)>,
    options: &ChartOptions,
) -> Result<Vec<(N, Vec<u8>)>, ChartError> {
    options.check()?;
    register_fonts()?;
    let (w, h) = (options.width, options.height);
    charts
        .into_iter()
        .map(|(name, paint)| {
            let fail = |message: String| ChartError {
                chart: name.as_ref().to_string(),
                message,
            };
            let mut pixels = vec![255u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
                let look = kit::Look::new(w, h);
                paint(&root, &look).map_err(|e| fail(e.0))?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            let png = encode_png(&pixels, w, h).map_err(|e| fail(e.to_string()))?;
            Ok((name, png))
        })
        .collect()
}

/// PNG bytes of an RGB buffer (the png crate; plotters' own encoder would pull in `image`).
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}
