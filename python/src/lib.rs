//! `allocsim._native`: the Python package's bindings to the allocsim library. Thin glue, as the
//! CLI's subcommands are: Python arguments become the library's option structs, the library
//! runs (on a worker thread, the GIL released, stopped by Ctrl-C) and its results come back as
//! the CSV text the CLI's own writers produce, so a DataFrame read from it holds exactly what
//! the CLI's file holds. `allocsim/__init__.py` is the public, documented layer over this.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use allocsim::analysis::importance::{self, Importance, ImportanceError, ImportanceOptions};
use allocsim::analysis::tail::{self, MAX_TAIL_TRIALS, Share, TailError, TailResult, Target};
use allocsim::compare::{self, Comparison, Knob, Plan, PlanError, PointsOptions, plan};
use allocsim::engine::{self, EngineError, RunOptions};
use allocsim::model::Outcome;
use allocsim::report::charts::ChartOptions;
use allocsim::report::partial::RunKey;
use allocsim::report::save::{self, SaveError, TailFolder, Workbook};
use allocsim::report::{self, Kind, Manifest, OutputDir, OutputError, OutputOptions, RunInfo};
use allocsim::scenario::{self, MAX_TRIALS, Override, ScenarioErrors, TOP_KEYS};
use allocsim::stats::{Metric, Summary};

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// How often the calling thread looks for Ctrl-C and reports progress while the library works.
const POLL: Duration = Duration::from_millis(100);

// ---------------------------------------------------------------------------------------------
// Errors: raised as the exception classes of `allocsim/errors.py`, so they carry attributes and
// docstrings written in Python.

/// An error as Python sees it.
enum Failure {
    /// The scenario (or an override) is invalid: `allocsim.ScenarioError`.
    Scenario {
        /// What the CLI prints (without its `error: ` prefixes).
        message: String,
        /// Each problem.
        errors: ScenarioErrors,
    },
    /// Arguments that cannot be honoured (trials out of range, an unknown firm):
    /// `allocsim.UsageError`.
    Usage(String),
    /// The output folder is refused or cannot be written: `allocsim.OutputError`.
    Output(String),
    /// A Rust panic, or a failure that is no one's input: `allocsim.InternalError`.
    Internal(String),
    /// Ctrl-C: the Python exception `check_signals` returned (KeyboardInterrupt).
    Signal(PyErr),
}

/// A result whose error Python will see.
type Fallible<T> = Result<T, Failure>;

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Interrupted { .. } => {
                Failure::Signal(PyKeyboardInterrupt::new_err(e.to_string()))
            }
            other => Failure::Output(other.to_string()),
        }
    }
}

impl From<SaveError> for Failure {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Output(e) => e.into(),
            SaveError::Chart(e) => Failure::Output(e.to_string()),
            SaveError::Workbook(e) => Failure::Output(e.to_string()),
        }
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Interrupted => {
                Failure::Signal(PyKeyboardInterrupt::new_err("interrupted"))
            }
            e if e.is_bad_input() => Failure::Usage(e.to_string()),
            e => Failure::Internal(e.to_string()),
        }
    }
}

impl From<ScenarioErrors> for Failure {
    fn from(errors: ScenarioErrors) -> Self {
        Failure::Scenario {
            message: errors.to_string(),
            errors,
        }
    }
}

impl From<scenario::ScenarioError> for Failure {
    fn from(e: scenario::ScenarioError) -> Self {
        ScenarioErrors::from(e).into()
    }
}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Scenario { what, source } => Failure::Scenario {
                // As the CLI prints it: the point, then the problems (anyhow's `{:#}`).
                message: format!("{what}: {source}"),
                errors: source,
            },
            other => Failure::Usage(other.to_string()),
        }
    }
}

/// The field a problem's message names first (`domestic.ratio must be ...`, `firm.A.orders:
/// ...`), if it starts with one.
fn field_of(message: &str) -> Option<String> {
    let token: String = message
        .chars()
        .take_while(|c| !matches!(c, ' ' | ':' | ','))
        .collect();
    let token = token.trim_matches('`');
    let plain = !token.is_empty()
        && token
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '[' | ']' | '"'));
    (plain && (token.contains('.') || TOP_KEYS.contains(&token))).then(|| token.to_string())
}

/// A problem's location, `path:line:column`, `path` or `--set KEY=VALUE`, as (file, line,
/// column, the override's key).
fn location_of(location: &str) -> (Option<String>, Option<u64>, Option<u64>, Option<String>) {
    if let Some(o) = location.strip_prefix("--set ") {
        let key = o.split_once('=').map(|(k, _)| k.trim().to_string());
        return (None, None, None, key);
    }
    let mut parts = location.rsplitn(3, ':');
    if let (Some(column), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next()) {
        if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
            return (Some(path.to_string()), Some(line), Some(column), None);
        }
    }
    (Some(location.to_string()), None, None, None)
}

impl Failure {
    /// The Python exception.
    fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let raise = |class: &str, args: Vec<Bound<'_, PyAny>>| -> PyErr {
            let made = (|| -> PyResult<PyErr> {
                let errors = py.import("allocsim.errors")?;
                let class = errors.getattr(class)?;
                let value = class.call1(PyList::new(py, args)?.to_tuple())?;
                Ok(PyErr::from_value(value))
            })();
            made.unwrap_or_else(|e| e)
        };
        match self {
            Failure::Signal(e) => e,
            Failure::Usage(m) => raise("UsageError", vec![m.into_pyobject(py).unwrap().into_any()]),
            Failure::Output(m) => {
                raise("OutputError", vec![m.into_pyobject(py).unwrap().into_any()])
            }
            Failure::Internal(m) => raise(
                "InternalError",
                vec![m.into_pyobject(py).unwrap().into_any()],
            ),
            Failure::Scenario { message, errors } => {
                let problems = (|| -> PyResult<Bound<'_, PyList>> {
                    let list = PyList::empty(py);
                    for e in errors.errors() {
                        let (file, line, column, key) = location_of(&e.location);
                        let d = PyDict::new(py);
                        d.set_item("location", &e.location)?;
                        d.set_item("file", file)?;
                        d.set_item("line", line)?;
                        d.set_item("column", column)?;
                        d.set_item("field", field_of(&e.message).or(key))?;
                        d.set_item("message", &e.message)?;
                        list.append(d)?;
                    }
                    Ok(list)
                })();
                match problems {
                    Ok(list) => raise(
                        "ScenarioError",
                        vec![
                            message.into_pyobject(py).unwrap().into_any(),
                            list.into_any(),
                            errors.omitted().into_pyobject(py).unwrap().into_any(),
                        ],
                    ),
                    Err(e) => e,
                }
            }
        }
    }
}

/// What a panic says, for the InternalError.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    format!("allocsim failed (a bug: please report it): {what}")
}

/// Runs `f` with the GIL held, a panic becoming an InternalError.
fn guarded<T>(py: Python<'_>, f: impl FnOnce() -> Fallible<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(failure)) => Err(failure.into_pyerr(py)),
        Err(payload) => Err(Failure::Internal(panic_message(&*payload)).into_pyerr(py)),
    }
}

/// Runs `work` on a worker thread with the GIL released. The calling thread wakes every
/// [`POLL`] to call `progress(done)` (with the count `work` stores) and to look for Ctrl-C: on
/// one it sets the cancel flag `work` is handed, waits for the worker to stop (the library
/// stops between trials), and raises the KeyboardInterrupt. A panic in `work` becomes an
/// InternalError.
fn detached<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&AtomicBool, &AtomicU64) -> Fallible<T> + Send,
) -> PyResult<T> {
    detached_with(py, progress, &AtomicBool::new(false), work)
}

/// [`detached`] with the cancel flag given.
fn detached_with<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    cancel: &AtomicBool,
    work: impl FnOnce(&AtomicBool, &AtomicU64) -> Fallible<T> + Send,
) -> PyResult<T> {
    let done = AtomicU64::new(0);
    let mut signal: Option<PyErr> = None;
    let mut callback_error: Option<PyErr> = None;
    let outcome = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        // Behind a mutex, so that the GIL-free closure may borrow it (a Receiver is not Sync).
        let rx = Mutex::new(rx);
        let done = &done;
        scope.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| work(cancel, done)));
            let _ = tx.send(result);
        });
        loop {
            let received = py.detach(|| match rx.lock() {
                Ok(rx) => rx.recv_timeout(POLL),
                Err(_) => Err(mpsc::RecvTimeoutError::Disconnected),
            });
            match received {
                Ok(result) => return Some(result),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if signal.is_none() {
                if let Err(e) = py.check_signals() {
                    signal = Some(e);
                    cancel.store(true, Ordering::SeqCst);
                }
            }
            if let (Some(callback), None, None) = (progress, &signal, &callback_error) {
                if let Err(e) = callback.call1((done.load(Ordering::Relaxed),)) {
                    // An exception in the progress callback stops the work, as Ctrl-C does.
                    callback_error = Some(e);
                    cancel.store(true, Ordering::SeqCst);
                }
            }
        }
    });
    if let Some(e) = signal {
        return Err(e);
    }
    if let Some(e) = callback_error {
        return Err(e);
    }
    match outcome {
        Some(Ok(Ok(value))) => {
            if let Some(callback) = progress {
                callback.call1((done.load(Ordering::Relaxed),))?;
            }
            Ok(value)
        }
        Some(Ok(Err(failure))) => Err(failure.into_pyerr(py)),
        Some(Err(payload)) => Err(Failure::Internal(panic_message(&*payload)).into_pyerr(py)),
        None => {
            Err(Failure::Internal("the worker thread ended without a result".into()).into_pyerr(py))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

/// A validated scenario: the file it was read from (path and bytes) and the `--set`-style
/// overrides applied to it, in order. Immutable: `with_overrides` returns a new one.
#[pyclass(module = "allocsim._native", frozen)]
struct Scenario {
    path: PathBuf,
    bytes: Vec<u8>,
    overrides: Vec<Override>,
    scenario: scenario::Scenario,
}

/// Parses `KEY=VALUE` texts as `--set` does.
fn parse_overrides(texts: &[String]) -> Fallible<Vec<Override>> {
    texts
        .iter()
        .map(|t| Override::parse(t).map_err(|e| usage(e.to_string())))
        .collect()
}

#[pymethods]
impl Scenario {
    /// Reads and validates the scenario file at `path`, as `allocsim validate` does.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Scenario> {
        guarded(py, || {
            let bytes = scenario::read_file(&path)?;
            let scenario = scenario::parse(&path, &bytes, &[])?;
            Ok(Scenario {
                path,
                bytes,
                overrides: Vec::new(),
                scenario,
            })
        })
    }

    /// This scenario with the overrides `texts` (each `KEY=VALUE`, as `--set` takes it) applied
    /// after its own, validated again from the file's bytes.
    fn with_overrides(&self, py: Python<'_>, texts: Vec<String>) -> PyResult<Scenario> {
        guarded(py, || {
            let mut overrides = self.overrides.clone();
            overrides.extend(parse_overrides(&texts)?);
            let scenario = scenario::parse(&self.path, &self.bytes, &overrides)?;
            Ok(Scenario {
                path: self.path.clone(),
                bytes: self.bytes.clone(),
                overrides,
                scenario,
            })
        })
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.scenario.name.clone()
    }

    /// The scenario's description ("" when it has none).
    #[getter]
    fn description(&self) -> String {
        self.scenario.description.clone()
    }

    /// The path it was read from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The overrides applied, in order, as `KEY=VALUE`.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.overrides.iter().map(ToString::to_string).collect()
    }

    /// The trials a run has unless told otherwise.
    #[getter]
    fn trials(&self) -> u64 {
        self.scenario.trials
    }

    /// The seed a run uses unless told otherwise.
    #[getter]
    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    /// The number of approval rounds.
    #[getter]
    fn rounds(&self) -> u32 {
        self.scenario.rounds
    }

    /// The allocation rule's name.
    #[getter]
    fn rule(&self) -> &'static str {
        self.scenario.rule.name()
    }

    /// The firms' names, in listed order.
    #[getter]
    fn firms(&self) -> Vec<String> {
        self.scenario.firms.iter().map(|f| f.name.clone()).collect()
    }

    /// The scenario as a run's title names it: its name and overrides.
    #[getter]
    fn title(&self) -> String {
        RunInfo::new(&self.scenario, 1, self.scenario.seed)
            .with_overrides(&self.overrides)
            .title()
    }
}

/// The trial count to run: `requested`, else the scenario's, within [1, MAX_TRIALS].
fn trials_of(requested: Option<u64>, default: u64) -> Fallible<u64> {
    let trials = requested.unwrap_or(default);
    if !(1..=MAX_TRIALS).contains(&trials) {
        return Err(usage(format!(
            "trials must be within [1, {MAX_TRIALS}], got {trials}"
        )));
    }
    Ok(trials)
}

/// Chart options from a `(width, height)`; None: no charts.
fn chart_options(charts: Option<(u32, u32)>) -> Option<ChartOptions> {
    charts.map(|(width, height)| ChartOptions { width, height })
}

/// Prepares the output folder `dir` of `kind` as the CLI does (docs/outputs.md), protecting
/// `inputs`, writes it with `fill`, and commits it whole; returns where it is. With the GIL
/// released, Ctrl-C stops it and leaves the previous folder as it was.
fn save_folder(
    py: Python<'_>,
    dir: &Path,
    kind: Kind,
    force: bool,
    inputs: &[PathBuf],
    fill: impl FnOnce(&OutputDir) -> Fallible<()> + Send,
) -> PyResult<PathBuf> {
    // The folder's writer takes a flag that lives as long as the process; one of 1 byte per
    // save is leaked for it, so that saves from several Python threads stop independently.
    let cancel: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    detached_with(py, None, cancel, |_, _| {
        let options = OutputOptions {
            kind,
            force,
            inputs,
            cancel: Some(cancel),
        };
        let out = OutputDir::prepare(dir, &options)?;
        fill(&out)?;
        Ok(out.commit()?)
    })
}

// ---------------------------------------------------------------------------------------------
// run

/// A finished run: its tallies and what its folder's manifest records.
#[pyclass(module = "allocsim._native", frozen)]
struct RunResult {
    path: PathBuf,
    bytes: Vec<u8>,
    overrides: Vec<Override>,
    equivalence: f64,
    info: RunInfo,
    summary: Summary,
    trials: Option<Vec<Outcome>>,
    seed: u64,
    threads: usize,
    wall_seconds: f64,
}

/// Runs `trials` trials (None: the scenario's) of `scenario` under `seed` (None: the
/// scenario's) on `threads` worker threads (0: one per core), keeping each trial's outcome when
/// `keep_trials`. `progress(done)` is called about ten times a second.
#[pyfunction]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=0, keep_trials=false, progress=None))]
fn run(
    py: Python<'_>,
    scenario: &Scenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    keep_trials: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<RunResult> {
    let trials = guarded(py, || trials_of(trials, scenario.scenario.trials))?;
    let seed = seed.unwrap_or(scenario.scenario.seed);
    let options = RunOptions {
        trials,
        seed,
        threads,
        keep_trials,
        ..RunOptions::default()
    };
    let s = &scenario.scenario;
    let (result, wall_seconds) = detached(py, progress.as_ref(), |cancel, done| {
        let started = Instant::now();
        let result = engine::run(
            s,
            &options,
            &mut |d| done.store(d, Ordering::Relaxed),
            Some(cancel),
        )?;
        Ok((result, started.elapsed().as_secs_f64()))
    })?;
    Ok(RunResult {
        path: scenario.path.clone(),
        bytes: scenario.bytes.clone(),
        overrides: scenario.overrides.clone(),
        equivalence: s.domestic.equivalence,
        info: RunInfo::new(s, trials, seed).with_overrides(&scenario.overrides),
        summary: result.summary,
        trials: keep_trials.then_some(result.trials),
        seed,
        threads: result.threads,
        wall_seconds,
    })
}

/// UTF-8 text of bytes a CSV writer produced.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

#[pymethods]
impl RunResult {
    /// summary.csv, as `allocsim run` writes it.
    fn summary_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(text(report::summary_csv(&self.summary))))
    }

    /// rounds.csv, as `allocsim run` writes it.
    fn rounds_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(text(report::rounds_csv(&self.summary))))
    }

    /// trials.csv, as `allocsim run --trials-csv` writes it; None unless the run kept its
    /// trials.
    fn trials_csv(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let Some(trials) = &self.trials else {
            return Ok(None);
        };
        guarded(py, || {
            let mut bytes = Vec::new();
            report::write_trials_csv(&mut bytes, &self.summary, self.equivalence, 0, trials)
                .map_err(|e| Failure::Internal(e.to_string()))?;
            Ok(Some(text(bytes)))
        })
    }

    /// The table `allocsim run` prints.
    fn table(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(report::console_table(&self.summary)))
    }

    /// The run's title: the scenario's name and overrides.
    #[getter]
    fn title(&self) -> String {
        self.info.title()
    }

    /// Trials run.
    #[getter]
    fn trials(&self) -> u64 {
        self.info.trials
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Worker threads used.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// Seconds the simulation took.
    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.wall_seconds
    }

    /// Writes the run's folder at `dir` as `allocsim run --out dir` does: summary.csv,
    /// rounds.csv, manifest.json, results.json, with `charts` (width, height) the charts and
    /// report.html, trials.csv when the run kept its trials, and results.xlsx with `xlsx`.
    /// `command_line` is what manifest.json records. Returns the folder.
    #[pyo3(signature = (dir, command_line, force=false, charts=Some((1600, 1000)), xlsx=false))]
    fn save(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        command_line: Vec<String>,
        force: bool,
        charts: Option<(u32, u32)>,
        xlsx: bool,
    ) -> PyResult<PathBuf> {
        let key = RunKey::new(
            &self.path,
            &self.bytes,
            &self.overrides,
            self.seed,
            self.info.trials,
        );
        let manifest = Manifest::of_run(
            &key,
            &self.info.name,
            self.threads,
            self.wall_seconds,
            command_line,
        );
        let manifest_json = report::format::pretty_json(&manifest);
        let charts = chart_options(charts);
        save_folder(
            py,
            &dir,
            Kind::Run,
            force,
            std::slice::from_ref(&self.path),
            |out| {
                if let Some(trials) = &self.trials {
                    out.write_with("trials.csv", |w| {
                        report::write_trials_csv(w, &self.summary, self.equivalence, 0, trials)
                    })?;
                }
                save::write_run(
                    out,
                    &self.info,
                    &self.summary,
                    &manifest_json,
                    charts.as_ref(),
                )?;
                if xlsx {
                    let workbook = report::run_xlsx(&self.info, &self.summary)
                        .map_err(|e| Failure::Output(e.to_string()))?;
                    out.write("results.xlsx", &workbook)?;
                }
                Ok(())
            },
        )
    }
}

// ---------------------------------------------------------------------------------------------
// sweep, compare, sensitivity

/// A finished sweep, compare or sensitivity.
#[pyclass(module = "allocsim._native", frozen)]
struct PointsResult {
    plan: Plan,
    sources: Vec<(PathBuf, Vec<u8>)>,
    fixed: Vec<Override>,
    comparison: Comparison,
    trials: u64,
    seed: u64,
    threads: usize,
    wall_seconds: f64,
}

/// Runs a plan's points on common random numbers.
#[allow(clippy::too_many_arguments)]
fn run_plan(
    py: Python<'_>,
    plan: Plan,
    sources: Vec<(PathBuf, Vec<u8>)>,
    fixed: Vec<Override>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<PointsResult> {
    let first = &plan.points[0].scenario;
    let trials = guarded(py, || trials_of(trials, first.trials))?;
    let seed = seed.unwrap_or(first.seed);
    guarded(py, || Ok(compare::check_memory(&plan, trials, threads)?))?;
    let options = PointsOptions {
        trials,
        seed,
        threads,
        ..PointsOptions::default()
    };
    let (result, wall_seconds) = detached(py, progress, |cancel, done| {
        let scenarios: Vec<_> = plan.points.iter().map(|p| &p.scenario).collect();
        let started = Instant::now();
        let result = compare::run_points(
            &scenarios,
            &options,
            &mut |d| done.store(d, Ordering::Relaxed),
            Some(cancel),
        )?;
        Ok((result, started.elapsed().as_secs_f64()))
    })?;
    let threads = result.threads;
    let comparison = Comparison::new(&plan, trials, seed, result);
    Ok(PointsResult {
        plan,
        sources,
        fixed,
        comparison,
        trials,
        seed,
        threads,
        wall_seconds,
    })
}

/// Sweeps `scenario` over the grid of `knobs` (each `KEY=V1,V2,...`, as `sweep --set` takes
/// it; a knob of one value applies to every point), with `reference` (comma-separated values,
/// one per knob) as point 1 when given.
#[pyfunction]
#[pyo3(signature = (scenario, knobs, reference=None, trials=None, seed=None, threads=0, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    scenario: &Scenario,
    knobs: Vec<String>,
    reference: Option<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PointsResult> {
    let (plan, fixed) = guarded(py, || {
        let mut grid = Vec::new();
        let mut fixed = scenario.overrides.clone();
        for text in &knobs {
            let knob = Knob::parse(text).map_err(|e| usage(e.to_string()))?;
            if knob.values.len() == 1 {
                fixed.push(Override {
                    key: knob.key,
                    value: knob.values[0].clone(),
                });
            } else {
                grid.push(knob);
            }
        }
        if let Some(reference) = &reference {
            plan::reference_first(&mut grid, reference)?;
        }
        let plan = plan::sweep(&scenario.path, &scenario.bytes, &fixed, &grid)?;
        Ok((plan, fixed))
    })?;
    let sources = vec![(scenario.path.clone(), scenario.bytes.clone())];
    run_plan(
        py,
        plan,
        sources,
        fixed,
        trials,
        seed,
        threads,
        progress.as_ref(),
    )
}

/// Varies each knob of `knobs` (`KEY=LOW,HIGH`) from low to high, the others as written.
#[pyfunction]
#[pyo3(signature = (scenario, knobs, trials=None, seed=None, threads=0, progress=None))]
fn sensitivity(
    py: Python<'_>,
    scenario: &Scenario,
    knobs: Vec<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PointsResult> {
    let fixed = scenario.overrides.clone();
    let plan = guarded(py, || {
        let knobs = knobs
            .iter()
            .map(|t| Knob::parse(t).map_err(|e| usage(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(plan::sensitivity(
            &scenario.path,
            &scenario.bytes,
            &fixed,
            &knobs,
        )?)
    })?;
    let sources = vec![(scenario.path.clone(), scenario.bytes.clone())];
    run_plan(
        py,
        plan,
        sources,
        fixed,
        trials,
        seed,
        threads,
        progress.as_ref(),
    )
}

/// Compares whole scenarios side by side; `fixed` (each `KEY=VALUE`) applies to every one, and
/// `reference` names the scenario that is point 1.
#[pyfunction(name = "compare")]
#[pyo3(signature = (scenarios, fixed, reference=None, trials=None, seed=None, threads=0, progress=None))]
#[allow(clippy::too_many_arguments)]
fn compare_scenarios(
    py: Python<'_>,
    scenarios: Vec<PyRef<'_, Scenario>>,
    fixed: Vec<String>,
    reference: Option<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PointsResult> {
    let sources: Vec<(PathBuf, Vec<u8>)> = scenarios
        .iter()
        .map(|s| (s.path.clone(), s.bytes.clone()))
        .collect();
    let (plan, fixed) = guarded(py, || {
        let fixed = parse_overrides(&fixed)?;
        Ok((
            plan::compare(&sources, &fixed, reference.as_deref())?,
            fixed,
        ))
    })?;
    run_plan(
        py,
        plan,
        sources,
        fixed,
        trials,
        seed,
        threads,
        progress.as_ref(),
    )
}

#[pymethods]
impl PointsResult {
    /// comparison.csv.
    fn comparison_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(text(report::comparison_csv(&self.comparison))))
    }

    /// differences.csv.
    fn differences_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(text(report::differences_csv(&self.comparison))))
    }

    /// sensitivity.csv; None unless this is a sensitivity.
    fn sensitivity_csv(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guarded(py, || {
            Ok((self.comparison.kind == compare::Kind::Sensitivity)
                .then(|| text(report::sensitivity_csv(&self.comparison))))
        })
    }

    /// The table the command prints.
    fn table(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(report::comparison_table(&self.comparison)))
    }

    /// "sweep", "compare" or "sensitivity".
    #[getter]
    fn kind(&self) -> &'static str {
        self.plan.kind.name()
    }

    /// The points' labels, point 1 (the reference) first.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.comparison.labels.clone()
    }

    /// Trials per point.
    #[getter]
    fn trials(&self) -> u64 {
        self.trials
    }

    /// The seed, the same for every point.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Seconds the simulation took.
    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.wall_seconds
    }

    /// Writes the folder at `dir` as the command's `--out dir` does. Returns the folder.
    #[pyo3(signature = (dir, command_line, force=false, charts=Some((1600, 1000)), xlsx=false))]
    fn save(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        command_line: Vec<String>,
        force: bool,
        charts: Option<(u32, u32)>,
        xlsx: bool,
    ) -> PyResult<PathBuf> {
        if xlsx {
            guarded(py, || {
                report::check_comparison_xlsx(&self.plan).map_err(|e| usage(e.to_string()))
            })?;
        }
        let files: Vec<(&Path, &[u8])> = self
            .sources
            .iter()
            .map(|(p, b)| (p.as_path(), b.as_slice()))
            .collect();
        let manifest = save::points_manifest(
            &self.plan,
            &files,
            &self.fixed,
            self.trials,
            self.seed,
            self.threads,
            self.wall_seconds,
            command_line,
        );
        let manifest_json = report::format::pretty_json(&manifest);
        let kind = match self.plan.kind {
            compare::Kind::Sweep => Kind::Sweep,
            compare::Kind::Compare => Kind::Compare,
            compare::Kind::Sensitivity => Kind::Sensitivity,
        };
        let inputs: Vec<PathBuf> = self.sources.iter().map(|(p, _)| p.clone()).collect();
        let charts = chart_options(charts);
        let workbook = if xlsx {
            Workbook::With
        } else {
            Workbook::Without
        };
        save_folder(py, &dir, kind, force, &inputs, |out| {
            save::write_comparison(
                out,
                &self.comparison,
                &manifest_json,
                charts.as_ref(),
                workbook,
            )?;
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// importance

/// A finished importance analysis.
#[pyclass(module = "allocsim._native", frozen)]
struct ImportanceResult {
    path: PathBuf,
    bytes: Vec<u8>,
    scenario: scenario::Scenario,
    overrides: Vec<Override>,
    info: RunInfo,
    result: Importance,
    trials: u64,
    seed: u64,
    wall_seconds: f64,
}

/// Variance-based importance of the scenario's groups of random inputs for `metric`.
#[pyfunction(name = "importance")]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=0, groups=None, metric="unmet", by_firm=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn importance_analysis(
    py: Python<'_>,
    scenario: &Scenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    groups: Option<Vec<String>>,
    metric: &str,
    by_firm: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<ImportanceResult> {
    let s = &scenario.scenario;
    let (options, trials, seed) = guarded(py, || {
        let trials = trials_of(trials, s.trials)?;
        if trials < 2 {
            return Err(usage(format!(
                "trials: importance needs at least 2 base trials, got {trials}"
            )));
        }
        let metric = Metric::main().find(|m| m.name() == metric).ok_or_else(|| {
            let names: Vec<&str> = Metric::main().map(Metric::name).collect();
            usage(format!(
                "metric: '{metric}' is not a metric; choose one of {}",
                names.join(", ")
            ))
        })?;
        let factors =
            importance::factors(s, groups.as_deref(), by_firm).map_err(|e| usage(e.to_string()))?;
        let seed = seed.unwrap_or(s.seed);
        let options = ImportanceOptions {
            trials,
            seed,
            threads,
            metric,
            factors,
            ..ImportanceOptions::default()
        };
        Ok((options, trials, seed))
    })?;
    let (result, wall_seconds) = detached(py, progress.as_ref(), |cancel, done| {
        let started = Instant::now();
        let result = importance::run(
            s,
            &options,
            &mut |d| done.store(d, Ordering::Relaxed),
            Some(cancel),
        )
        .map_err(|e| match e {
            ImportanceError::Engine(e) => e.into(),
            other if other.is_bad_input() => usage(other.to_string()),
            other => Failure::Internal(other.to_string()),
        })?;
        Ok((result, started.elapsed().as_secs_f64()))
    })?;
    Ok(ImportanceResult {
        path: scenario.path.clone(),
        bytes: scenario.bytes.clone(),
        scenario: s.clone(),
        overrides: scenario.overrides.clone(),
        info: RunInfo::new(s, trials, seed).with_overrides(&scenario.overrides),
        result,
        trials,
        seed,
        wall_seconds,
    })
}

#[pymethods]
impl ImportanceResult {
    /// importance.csv.
    fn importance_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(text(report::importance_csv(&self.result))))
    }

    /// The table the command prints.
    fn table(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || Ok(report::importance_table(&self.result)))
    }

    /// Base trials.
    #[getter]
    fn trials(&self) -> u64 {
        self.trials
    }

    /// Model trials run: (groups + 2) × base trials.
    #[getter]
    fn trials_run(&self) -> u64 {
        self.result.model_trials()
    }

    /// The seed of the base trials A.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Seconds the analysis took.
    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.wall_seconds
    }

    /// Writes the folder at `dir` as `allocsim importance --out dir` does. Returns the folder.
    #[pyo3(signature = (dir, command_line, force=false, charts=Some((1600, 1000))))]
    fn save(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        command_line: Vec<String>,
        force: bool,
        charts: Option<(u32, u32)>,
    ) -> PyResult<PathBuf> {
        let manifest = save::importance_manifest(
            &self.path,
            &self.bytes,
            &self.scenario,
            &self.overrides,
            self.trials,
            self.seed,
            &self.result,
            self.wall_seconds,
            command_line,
        );
        let manifest_json = report::format::pretty_json(&manifest);
        let charts = chart_options(charts);
        save_folder(
            py,
            &dir,
            Kind::Importance,
            force,
            std::slice::from_ref(&self.path),
            |out| {
                save::write_importance(
                    out,
                    &self.info,
                    &self.result,
                    &manifest_json,
                    charts.as_ref(),
                )?;
                Ok(())
            },
        )
    }
}

// ---------------------------------------------------------------------------------------------
// tail

/// A finished tail analysis.
#[pyclass(module = "allocsim._native", frozen)]
struct TailAnalysis {
    path: PathBuf,
    bytes: Vec<u8>,
    scenario: scenario::Scenario,
    overrides: Vec<Override>,
    info: RunInfo,
    result: TailResult,
    target: Target,
    worst: Share,
    seed: u64,
    seed_given: bool,
    wall_seconds: f64,
}

/// Finds the worst `worst` (a percentage, "10%") of trials by `firm`'s unmet demand (None or
/// "total": the total's) and what marks them.
#[pyfunction]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=0, firm=None, worst="10%", progress=None))]
#[allow(clippy::too_many_arguments)]
fn tail_analysis(
    py: Python<'_>,
    scenario: &Scenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    firm: Option<String>,
    worst: &str,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<TailAnalysis> {
    let s = &scenario.scenario;
    let (options, target, share) = guarded(py, || {
        let n = trials_of(trials, s.trials)?;
        if n > MAX_TAIL_TRIALS {
            return Err(usage(format!(
                "a tail analysis keeps 8 bytes a trial, so it runs at most {MAX_TAIL_TRIALS} \
                 trials; trials={n} asks for more"
            )));
        }
        let share = Share::parse_percent(worst).map_err(|e| usage(e.to_string()))?;
        let target = match firm.as_deref() {
            None | Some("total") => Target::Total,
            Some(name) => match s.firms.iter().position(|f| f.name == name) {
                Some(i) => Target::Firm(i),
                None => {
                    let names: Vec<&str> = s.firms.iter().map(|f| f.name.as_str()).collect();
                    return Err(usage(format!(
                        "firm: the scenario has no firm '{name}'; its firms are {} (or \
                         'total', the default)",
                        names.join(", ")
                    )));
                }
            },
        };
        let options = tail::TailOptions {
            trials: n,
            seed: seed.unwrap_or(s.seed),
            threads,
            target,
            worst: share,
            ..tail::TailOptions::default()
        };
        Ok((options, target, share))
    })?;
    let (result, wall_seconds) = detached(py, progress.as_ref(), |cancel, done| {
        let started = Instant::now();
        let result = tail::run(
            s,
            &options,
            &mut |d| done.store(d, Ordering::Relaxed),
            Some(cancel),
        )
        .map_err(|e| match e {
            TailError::Engine(e) => e.into(),
            other => usage(other.to_string()),
        })?;
        Ok((result, started.elapsed().as_secs_f64()))
    })?;
    Ok(TailAnalysis {
        path: scenario.path.clone(),
        bytes: scenario.bytes.clone(),
        scenario: s.clone(),
        overrides: scenario.overrides.clone(),
        info: RunInfo::new(s, options.trials, options.seed).with_overrides(&scenario.overrides),
        result,
        target,
        worst: share,
        seed: options.seed,
        seed_given: seed.is_some(),
        wall_seconds,
    })
}

#[pymethods]
impl TailAnalysis {
    /// tail.csv.
    fn tail_csv(&self, py: Python<'_>) -> PyResult<String> {
        guarded(py, || {
            Ok(text(report::tail_csv(&self.scenario, &self.result)))
        })
    }

    /// The worst trials, as (trial, unmet units), worst first.
    fn worst_trials(&self) -> Vec<(u64, u64)> {
        self.result.worst.clone()
    }

    /// Trials in the tail.
    #[getter]
    fn tail_trials(&self) -> u64 {
        self.result.tail_trials
    }

    /// The least unmet demand of a trial in the tail, in units.
    #[getter]
    fn threshold(&self) -> u64 {
        self.result.threshold
    }

    /// Trials run.
    #[getter]
    fn trials(&self) -> u64 {
        self.result.trials
    }

    /// The seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Seconds the analysis took.
    #[getter]
    fn wall_seconds(&self) -> f64 {
        self.wall_seconds
    }

    /// Writes the folder at `dir` as `allocsim tail --out dir` does. Returns the folder.
    #[pyo3(signature = (dir, command_line, force=false, charts=Some((1600, 1000))))]
    fn save(
        &self,
        py: Python<'_>,
        dir: PathBuf,
        command_line: Vec<String>,
        force: bool,
        charts: Option<(u32, u32)>,
    ) -> PyResult<PathBuf> {
        let key = RunKey::new(
            &self.path,
            &self.bytes,
            &self.overrides,
            self.seed,
            self.result.trials,
        );
        let manifest = save::tail_manifest(
            &key,
            &self.scenario,
            self.target,
            self.worst,
            &self.result,
            self.wall_seconds,
            command_line,
        );
        let manifest_json = report::format::pretty_json(&manifest);
        let trace_command = save::trace_command(
            &self.path.display().to_string(),
            self.seed_given.then_some(self.seed),
            &scenario::effective_overrides(&self.overrides),
        );
        let charts = chart_options(charts);
        save_folder(
            py,
            &dir,
            Kind::Tail,
            force,
            std::slice::from_ref(&self.path),
            |out| {
                let folder = TailFolder {
                    scenario: &self.scenario,
                    info: &self.info,
                    result: &self.result,
                    target: self.target,
                    worst: self.worst,
                    trace_command: &trace_command,
                    manifest_json: &manifest_json,
                };
                save::write_tail(out, &folder, charts.as_ref())?;
                Ok(())
            },
        )
    }
}

// ---------------------------------------------------------------------------------------------
// trace

/// One trial told round by round: `allocsim trace --csv`'s CSV and `allocsim trace`'s text.
#[pyfunction]
#[pyo3(signature = (scenario, trial, seed=None))]
fn trace(
    py: Python<'_>,
    scenario: &Scenario,
    trial: u64,
    seed: Option<u64>,
) -> PyResult<(String, String)> {
    guarded(py, || {
        if trial >= MAX_TRIALS {
            return Err(usage(format!(
                "trial must be below {MAX_TRIALS} (the most trials a run may have; trials are \
                 numbered from 0), got {trial}"
            )));
        }
        let s = &scenario.scenario;
        let seed = seed.unwrap_or(s.seed);
        let traced = allocsim::analysis::trace::trace(&allocsim::model::Model::new(s), seed, trial);
        let title = RunInfo::new(s, 1, seed)
            .with_overrides(&scenario.overrides)
            .title();
        Ok((
            text(report::trace_csv(s, &traced)),
            report::trace_text(s, &title, &traced),
        ))
    })
}

/// Panics on purpose, so the tests can check that a Rust panic reaches Python as an
/// `allocsim.InternalError` (on the calling thread when `on_worker` is false, else on a worker
/// thread with the GIL released), never as a crash.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, on_worker: bool) -> PyResult<()> {
    if on_worker {
        detached(py, None, |_, _| -> Fallible<()> {
            panic!("a planted panic")
        })
    } else {
        guarded(py, || -> Fallible<()> { panic!("a planted panic") })
    }
}

/// The allocsim version this module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// allocsim's native module: see the `allocsim` package for the documented API.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scenario>()?;
    m.add_class::<RunResult>()?;
    m.add_class::<PointsResult>()?;
    m.add_class::<ImportanceResult>()?;
    m.add_class::<TailAnalysis>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(compare_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(importance_analysis, m)?)?;
    m.add_function(wrap_pyfunction!(tail_analysis, m)?)?;
    m.add_function(wrap_pyfunction!(trace, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
