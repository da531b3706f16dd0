//! Command-line definitions (clap). Only the binary uses this; the library knows nothing of it.

use std::path::PathBuf;

use allocsim::engine::MAX_THREADS;
use allocsim::engine::Shard;
use allocsim::report::charts::{ChartOptions, MAX_SIZE, MIN_SIZE};
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};

/// Monte Carlo simulator of scarce supply split among claimants under regulatory approval
/// rounds: how many chips each firm gets, and how short it is left, under a policy.
#[derive(Debug, Parser)]
#[command(name = "allocsim", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's trials and write summary.csv, rounds.csv, charts and report.html.
    Run(RunArgs),
    /// Check scenario files without running them; every problem is reported with its position.
    Validate(ValidateArgs),
    /// Redraw the charts and report.html of a finished run, sweep, compare or sensitivity from its
    /// results.json or comparison.json, without simulating.
    Report(ReportArgs),
    /// Combine the partial.json files of `run --shard K/N` into the outputs of one unsharded run.
    Merge(MergeArgs),
    /// Run a grid of knob values on common random numbers and compare every point with the first.
    Sweep(SweepArgs),
    /// Run whole scenarios side by side on common random numbers against a reference (firms matched by name).
    Compare(CompareArgs),
    /// Move each knob from low to high, others as in the scenario, and rank them by their effect.
    Sensitivity(SensitivityArgs),
    /// Apportion the variance of each firm's unmet demand (or another metric) among the groups
    /// of random inputs: first-order and total Sobol indices with 95% intervals.
    Importance(ImportanceArgs),
    /// Tell one trial round by round: regime, events, approval, supply, each firm's claim,
    /// award, conversion and domestic chips, and the outcome.
    Trace(TraceArgs),
    /// Find the worst trials by unmet demand and what marks them: each input's median in them
    /// against all trials.
    Tail(TailArgs),
}

/// `--threads`: 0 (rayon's choice) or 1 to [`MAX_THREADS`]; clap's message states the range.
/// Bounded because rayon tries to start any number asked for, and tens of thousands of threads
/// abort the process.
fn threads() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(0..=MAX_THREADS as u64)
}

/// A chart size, `WIDTHxHEIGHT` in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    pub width: u32,
    pub height: u32,
}

impl std::str::FromStr for ChartSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected WIDTHxHEIGHT in pixels, e.g. 1600x1000, got '{s}'");
        let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
        let (width, height): (u32, u32) = (
            w.trim().parse().map_err(|_| bad())?,
            h.trim().parse().map_err(|_| bad())?,
        );
        if !ChartOptions::allowed(width, height) {
            return Err(format!(
                "chart size {width}x{height} is outside {}x{} to {}x{}",
                MIN_SIZE.0, MIN_SIZE.1, MAX_SIZE.0, MAX_SIZE.1
            ));
        }
        Ok(ChartSize { width, height })
    }
}

/// Chart options shared by `run` and `report`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Chart size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1600x1000")]
    pub chart_size: ChartSize,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A finished output folder: a run's (holding results.json) or a sweep's, compare's or
    /// sensitivity's (holding comparison.json), with its manifest.json.
    pub dir: PathBuf,
    /// Also write results.xlsx (the summary and rounds as Excel sheets) from results.json.
    #[arg(long)]
    pub xlsx: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Outputs go to output/<scenario name>/ unless --out says otherwise; with --set overrides, to
output/<scenario name>+KEY=VALUE+.../ (output/<scenario name>+N-overrides-HASH/ when a key or
value holds other characters than letters, digits, '.', '-' and '_', or the name would pass 80
characters), so a run with overrides never replaces the scenario's own results. The folder is
replaced as a whole when the run succeeds; a failed run leaves the previous results untouched. Only a
folder allocsim wrote (it carries a .allocsim marker listing its files) is replaced: one that
holds anything else is refused unless --force. A symbolic link as --out is followed.

Examples:
  allocsim run scenarios/baseline.toml
  allocsim run scenarios/baseline.toml --trials 1000000 --seed 7 --out /tmp/b
  allocsim run scenarios/baseline.toml --set allocation.rule=talmud --set domestic.ratio=0.6
  allocsim run scenarios/baseline.toml --set firm.Baidu.eligible_from=3
  allocsim run scenarios/baseline.toml --shard 2/4 --out parts/shard-2
  allocsim run scenarios/baseline.toml --precision total.unmet.p95=0.5% Tencent.unmet.mean=1000

With --shard K/N, only shard K's trials run and the folder (default
output/<scenario name>[+overrides]-shard-K-of-N) holds partial.json and manifest.json; `allocsim merge`
combines the N partials into the outputs of one run. See docs/cluster.md.")]
pub struct RunArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// Number of trials [default: the scenario's `trials`, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 0]. Same seed, same results.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 [default: RAYON_NUM_THREADS, else one per core]. Results do
    /// not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true, value_parser = threads())]
    pub threads: usize,
    /// Output folder [default: output/<scenario name>, with the overrides in its name when
    /// there are any].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds files allocsim did not write (they are
    /// deleted). A folder holding a file this command reads, or the current folder, is never
    /// replaced.
    #[arg(long)]
    pub force: bool,
    /// Override one scenario value by its dotted key, e.g. approval.probability=0.6,
    /// firm.Baidu.eligible_from=3, event.customs-hold.probability=0.1, or one parameter of a
    /// distribution, firm.Baidu.orders.max=500000. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Also write trials.csv, one row per trial and firm (memory grows with the trial count).
    #[arg(long)]
    pub trials_csv: bool,
    /// Also write results.xlsx: summary.csv and rounds.csv as formatted Excel sheets.
    #[arg(long, conflicts_with = "shard")]
    pub xlsx: bool,
    /// Print nothing but errors: no table, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip the PNG charts and report.html (results.json is still written; `allocsim report`
    /// draws them later).
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
    /// Run only shard K of N (1-based) of the trials, writing partial.json for `allocsim merge`
    /// (no summary, charts or report: a shard is not a result on its own).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Run until every target's 95% interval is narrow enough: FIRM.METRIC.STAT=TOLERANCE, the
    /// half-width of the interval in units (ByteDance.unmet.mean=1000) or relative to the value
    /// (total.unmet.p95=0.5%); STAT is mean or a percentile. Checked at 10,000 trials and each
    /// doubling (20,000, 40,000, ...), so the trials reached are the same on any machine.
    #[arg(long, value_name = "TARGET", num_args = 1.., conflicts_with_all = ["trials", "shard"])]
    pub precision: Vec<String>,
    /// With --precision: the most trials to run, the last checkpoint [default: 1,000,000,000].
    #[arg(long, value_name = "N", requires = "precision")]
    pub max_trials: Option<u64>,
    /// Go on from the trials that an interrupted run of this same command (Ctrl-C, SIGTERM)
    /// kept beside its output folder, running only the missing ones: the results are those of
    /// an uninterrupted run. Refused if there are none, or they are another run's. See
    /// docs/outputs.md.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Each DIR is the output folder of `allocsim run --shard K/N` (or its partial.json). The partials
must be every shard 1..=N of one run exactly once: same scenario file, --set overrides, seed,
trials and allocsim version. The outputs are those of one unsharded run (summary.csv and
rounds.csv byte for byte), in output/<scenario name>/ (with the run's overrides in the name, as
for `run`) unless --out says otherwise.

Example:
  allocsim merge parts/shard-1 parts/shard-2 parts/shard-3 parts/shard-4 --out results")]
pub struct MergeArgs {
    /// Shard output folders (or their partial.json files), in any order.
    #[arg(required = true, value_name = "DIR")]
    pub partials: Vec<PathBuf>,
    /// Output folder [default: output/<scenario name>, with the overrides in its name when
    /// there are any].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds files allocsim did not write (they are
    /// deleted). A folder holding a file this command reads, or the current folder, is never
    /// replaced.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors: no table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write results.xlsx: summary.csv and rounds.csv as formatted Excel sheets.
    #[arg(long)]
    pub xlsx: bool,
    /// Skip the PNG charts and report.html (results.json is still written).
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Overrides to check along with each file, as in `run --set`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
}

/// Options shared by `sweep`, `compare` and `sensitivity`.
#[derive(Debug, Args)]
pub struct PointsArgs {
    /// Trials per point [default: the (reference) scenario's `trials`, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed, the same for every point [default: the (reference) scenario's `seed`, else
    /// 0].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 [default: RAYON_NUM_THREADS, else one per core]. Results do
    /// not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true, value_parser = threads())]
    pub threads: usize,
    /// Output folder [default: output/<scenario name>-<command>; compare: the reference's
    /// name].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds files allocsim did not write (they are
    /// deleted). A folder holding a file this command reads, or the current folder, is never
    /// replaced.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors: no table, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write results.xlsx: comparison.csv, differences.csv (and sensitivity.csv) as
    /// formatted Excel sheets.
    #[arg(long)]
    pub xlsx: bool,
    /// Skip the PNG charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Every point runs the same trials on the same seed (common random numbers), so trial t sees the
same world everywhere and the differences against point 1 (the first value of every knob, or
the values --reference names) are the policy's effect, with paired 95% confidence intervals.
Values are split on commas outside {}, [] and quotes; a --set with one value applies to every
point, and comparison.csv, the charts and the report name it. Every point is validated before
any runs. Outputs go to output/<scenario name>-sweep/ unless --out says otherwise.

Examples:
  allocsim sweep scenarios/baseline.toml --set domestic.ratio=0.3,0.4,0.5,0.6
  allocsim sweep scenarios/baseline.toml --set domestic.ratio=0.3,0.4,0.5 --reference 0.4
  allocsim sweep scenarios/baseline.toml --set allocation.rule=proportional,talmud,equal_awards
  allocsim sweep scenarios/baseline.toml --set domestic.ratio=0.3,0.5 --set approval.probability=0.5,0.7,0.9
  allocsim sweep scenarios/baseline.toml --set 'approval.batch={dist=\"uniform\",min=1e5,max=3e5},{dist=\"fixed\",value=2e5}'")]
pub struct SweepArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// A knob and its values, KEY=V1,V2,... (keys as in `run --set`). Repeatable: the points are
    /// the cartesian grid of all values.
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub sets: Vec<String>,
    /// The reference point every other is compared with: one value of each knob, in the order
    /// of the --set options, comma-separated (e.g. 0.4 or 0.4,talmud). It becomes point 1
    /// [default: the first value of every knob].
    #[arg(long, value_name = "V1,V2,...")]
    pub reference: Option<String>,
    #[command(flatten)]
    pub common: PointsArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The reference is the scenario --reference names, else the first file; it becomes point 1 and
every other is compared with it, firm by firm. All scenarios run on the same seed (--seed, else
the reference's) and trial count. Each firm's random draws are keyed by its name, so a firm
that two scenarios both list sees the same world in both, wherever it is listed, and is compared
trial by trial; a firm only one of them lists is reported as such, with no paired difference,
and each total is over its own scenario's firms. Outputs go to output/<reference's
name>-compare/ unless --out says otherwise.

Examples:
  allocsim compare scenarios/baseline.toml scenarios/tighter-oversight.toml scenarios/gradual-expansion.toml
  allocsim compare scenarios/*.toml --reference baseline")]
pub struct CompareArgs {
    /// Scenario files; the first is the reference unless --reference names another.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// The reference scenario every other is compared with: its name, or its file as given
    /// [default: the first file].
    #[arg(long, value_name = "NAME")]
    pub reference: Option<String>,
    /// Override a value in every scenario, as in `run --set`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    #[command(flatten)]
    pub common: PointsArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Runs the scenario as written (the reference), then each knob at its LOW and at its HIGH value
with every other knob as written, all on common random numbers, and ranks the knobs by the swing
in mean total unmet demand (tornado.png). Outputs go to output/<scenario name>-sensitivity/
unless --out says otherwise.

Example:
  allocsim sensitivity scenarios/baseline.toml --vary domestic.ratio=0.2,0.6 \\
      --vary approval.probability=0.5,0.9 --vary event.customs-hold.probability=0,0.2")]
pub struct SensitivityArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// A knob and its low and high values, KEY=LOW,HIGH. Repeatable.
    #[arg(long = "vary", value_name = "KEY=LOW,HIGH", required = true)]
    pub vary: Vec<String>,
    /// Override a value in every point, as in `run --set`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    #[command(flatten)]
    pub common: PointsArgs,
}

/// `--metric` of `importance`: a metric of summary.csv's main list, by its name.
fn importance_metric(name: &str) -> Result<allocsim::stats::Metric, String> {
    use allocsim::stats::Metric;
    Metric::main().find(|m| m.name() == name).ok_or_else(|| {
        let names: Vec<&str> = Metric::main().map(Metric::name).collect();
        format!(
            "'{name}' is not a metric; choose one of {}",
            names.join(", ")
        )
    })
}

#[derive(Debug, Args)]
#[command(after_help = "\
For N base trials A (trials 0..N of `run`) and N independent trials B, and for each group i the
trials A_B^i (group i's random inputs from B, every other input from A), the first-order index
S_i (Saltelli et al. 2010) is the share of the variance of the metric that group i explains on
its own, and the total index S_Ti (Jansen 1999) the share it takes part in, with its
interactions. Each comes with a 95% interval. Cost: (groups + 2) × N trials. The groups are
those of the scenario's random inputs (orders, entry, ratio, regime, shock, approval, batch,
order, conversion, domestic); see docs/importance.md. Outputs go to
output/<scenario name>-importance/ (with --set overrides in the name as for `run`) unless --out
says otherwise.

Examples:
  allocsim importance scenarios/baseline.toml --trials 20000
  allocsim importance scenarios/baseline.toml --groups batch,approval,orders --metric fill_rate
  allocsim importance scenarios/baseline.toml --by-firm --set domestic.ratio=0.6")]
pub struct ImportanceArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// Base trials N [default: the scenario's `trials`, else 100000]; (groups + 2) × N trials run.
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 0]. Same seed, same results; A's trials
    /// are the run's trials under it.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 [default: RAYON_NUM_THREADS, else one per core]. Results do
    /// not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true, value_parser = threads())]
    pub threads: usize,
    /// The groups to analyse, comma-separated (e.g. batch,approval) [default: every group the
    /// scenario draws from].
    #[arg(long, value_name = "GROUP,...", value_delimiter = ',')]
    pub groups: Option<Vec<String>>,
    /// The metric whose variance is apportioned: delivered, unmet, domestic, effective_unmet or
    /// fill_rate.
    #[arg(long, value_name = "METRIC", default_value = "unmet", value_parser = importance_metric)]
    pub metric: allocsim::stats::Metric,
    /// Split the per-firm groups (orders, entry, conversion) into one group per firm
    /// (`orders:ByteDance`), and the copula's common factor of a correlated group into its own
    /// (`orders:common`).
    #[arg(long)]
    pub by_firm: bool,
    /// Override one scenario value by its dotted key, as in `run --set`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Output folder [default: output/<scenario name>-importance, with the overrides in its
    /// name when there are any].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds files allocsim did not write (they are
    /// deleted). A folder holding a file this command reads, or the current folder, is never
    /// replaced.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors: no table, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip importance.png and report.html.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Trial T is exactly trial T of `allocsim run` with the same scenario, seed and --set overrides:
trials are numbered from 0, as in run's trials.csv (`run --trials-csv`) and in what `allocsim
tail` lists. T may be past the scenario's trial count. The text goes to stdout; --csv writes a
tidy CSV instead (one row per round and firm, the round's columns on every row; each firm's
last row holds its outcome under trials.csv's names). See docs/tail-trace.md.

Examples:
  allocsim trace scenarios/baseline.toml --trial 17
  allocsim trace scenarios/baseline.toml --trial 17 --csv > trial-17.csv
  allocsim trace scenarios/baseline.toml --trial 3 --set allocation.rule=talmud")]
pub struct TraceArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// The trial to tell, from 0 as in trials.csv.
    #[arg(long, value_name = "T")]
    pub trial: u64,
    /// Random seed [default: the scenario's `seed`, else 0], as for `run`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override one scenario value by its dotted key, as in `run --set`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Write the trial as a tidy CSV on stdout instead of text.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Pass 1 plays every trial and keeps each one's unmet demand (of --firm, else the total; 8 bytes a
trial, so at most 100,000,000 trials); the tail is the ceil(X x N) trials with the most, ties at
the threshold going to the lower trial numbers. Pass 2 re-plays only those trials from their
keys. For each input (a firm's orders, entry round and mean conversion rate; approved rounds,
units approved, held rounds, rounds short of domestic chips, the halt round, rounds in each
regime) tail.csv gives its mean and median in the tail and over all trials, and d = (tail
median - overall median) / overall sd, as @RISK's scenario analysis does; |d| >= 0.5 is marked
significant. Outputs go to output/<scenario name>-tail/ (with the overrides in the name, as for
`run`) unless --out says otherwise: tail.csv, tail.png, report.html, manifest.json. See
docs/tail-trace.md.

Examples:
  allocsim tail scenarios/baseline.toml
  allocsim tail scenarios/baseline.toml --firm Tencent --worst 5%
  allocsim tail scenarios/futures.toml --trials 200000 --worst 1%")]
pub struct TailArgs {
    /// Scenario file (TOML; see docs/scenario-format.md).
    pub scenario: PathBuf,
    /// The firm whose unmet demand marks the worst trials [default: the total over all firms].
    #[arg(long, value_name = "FIRM")]
    pub firm: Option<String>,
    /// The share of trials in the tail, as a percentage.
    #[arg(long, value_name = "PERCENT", default_value = "10%")]
    pub worst: String,
    /// Number of trials [default: the scenario's `trials`, else 100000], at most 100000000.
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed [default: the scenario's `seed`, else 0]. Same seed, same results.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 [default: RAYON_NUM_THREADS, else one per core]. Results do
    /// not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true, value_parser = threads())]
    pub threads: usize,
    /// Override one scenario value by its dotted key, as in `run --set`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Output folder [default: output/<scenario name>-tail, with the overrides in its name when
    /// there are any].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if it holds files allocsim did not write (they are
    /// deleted). A folder holding a file this command reads, or the current folder, is never
    /// replaced.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors: no table, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip tail.png and report.html.
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub charts: ChartArgs,
}
