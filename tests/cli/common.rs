//! Helpers shared by the topic files: running the binary, reading its CSV and JSON outputs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The crate root; every test runs the binary from here so relative paths are stable.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture under tests/data/, as the relative path the tests pass to the binary.
pub fn data(name: &str) -> String {
    format!("tests/data/{name}")
}

/// The binary, started in the crate root, with no inherited RAYON_NUM_THREADS.
pub fn allocsim() -> Command {
    let mut cmd = Command::cargo_bin("allocsim").expect("the allocsim binary is built");
    cmd.current_dir(root()).env_remove("RAYON_NUM_THREADS");
    cmd
}

/// Runs the binary with `args` and returns its output, whatever the status.
pub fn run(args: &[&str]) -> Output {
    allocsim().args(args).output().expect("allocsim starts")
}

/// Runs the binary with `args` and panics with its stderr unless it succeeds.
pub fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "allocsim {args:?} failed with {}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `allocsim run SCENARIO --out OUT --quiet` plus `extra`, which must succeed.
pub fn run_scenario(scenario: &str, out: &Path, extra: &[&str]) -> Output {
    let out_arg = out.to_str().expect("temporary paths are UTF-8");
    let mut args = vec!["run", scenario, "--out", out_arg, "--quiet"];
    args.extend_from_slice(extra);
    run_ok(&args)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A CSV file: its header and its rows as strings.
#[derive(Debug)]
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    /// Position of column `name`; panics when there is none.
    pub fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }

    /// Row `row`'s value in column `name`, parsed as a number.
    pub fn number(&self, row: usize, name: &str) -> f64 {
        let text = &self.rows[row][self.column(name)];
        text.parse()
            .unwrap_or_else(|e| panic!("{name} = {text:?} in row {row} is not a number: {e}"))
    }
}

pub fn read_csv(path: &Path) -> Csv {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("a well-formed CSV row")
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    Csv { header, rows }
}

/// summary.csv as `(firm, metric, stat) -> value`, keeping the file order in `order`.
pub struct Summary {
    pub values: HashMap<(String, String, String), f64>,
    pub order: Vec<(String, String, String)>,
}

impl Summary {
    pub fn read(out: &Path) -> Summary {
        let csv = read_csv(&out.join("summary.csv"));
        assert_eq!(
            csv.header,
            ["firm", "metric", "stat", "value", "ci_low", "ci_high"]
        );
        let mut values = HashMap::new();
        let mut order = Vec::new();
        for (i, row) in csv.rows.iter().enumerate() {
            let key = (row[0].clone(), row[1].clone(), row[2].clone());
            let value = csv.number(i, "value");
            // The mean and the percentiles have a 95% interval around the value; the other
            // statistics none.
            if ["sd", "se", "min", "max"].contains(&row[2].as_str()) {
                assert!(row[4].is_empty() && row[5].is_empty(), "{key:?}: {row:?}");
            } else {
                let (low, high) = (csv.number(i, "ci_low"), csv.number(i, "ci_high"));
                assert!(low <= value && value <= high, "{key:?}: {row:?}");
            }
            assert!(
                values.insert(key.clone(), value).is_none(),
                "summary.csv repeats {key:?}"
            );
            order.push(key);
        }
        Summary { values, order }
    }

    /// The value of one statistic; panics when summary.csv lacks it.
    pub fn get(&self, firm: &str, metric: &str, stat: &str) -> f64 {
        *self
            .values
            .get(&(firm.to_string(), metric.to_string(), stat.to_string()))
            .unwrap_or_else(|| panic!("summary.csv has no {firm},{metric},{stat}"))
    }

    /// Firm names in file order, "total" included.
    pub fn firms(&self) -> Vec<String> {
        let mut firms: Vec<String> = Vec::new();
        for (firm, _, _) in &self.order {
            if firms.last() != Some(firm) {
                firms.push(firm.clone());
            }
        }
        firms
    }
}

/// manifest.json, parsed.
pub fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json exists");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Hex SHA-256 of a file's bytes.
pub fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).expect("readable file");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rewrites `file` with `edit` applied to its JSON and its checksum recomputed as
/// docs/cluster.md says: SHA-256 of the canonical JSON (keys sorted, no whitespace) of the
/// object without its checksum.
pub fn rewrite_partial(file: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    use sha2::Digest;
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    edit(&mut value);
    let map = value.as_object_mut().unwrap();
    map.remove("checksum");
    // serde_json's map sorts keys (no preserve_order in this build), so this is canonical.
    let canonical = serde_json::to_vec(&map).unwrap();
    let hex: String = sha2::Sha256::digest(&canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    map.insert("checksum".into(), format!("sha256:{hex}").into());
    std::fs::write(file, serde_json::to_vec(&value).unwrap()).unwrap();
}

/// Names of the entries of a folder, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A fresh temporary folder.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::TempDir::new().expect("a temporary folder")
}

/// More trials than could finish during the test: a command that simulates before failing
/// would time out.
pub const ENDLESS: &str = "1000000000000";

/// The binary, to be spawned (not waited on) from the crate root.
pub fn spawn(args: &[&str]) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("allocsim"))
        .args(args)
        .current_dir(root())
        .env_remove("RAYON_NUM_THREADS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("allocsim starts")
}

/// Waits for `child` at most `limit`; kills it and panics when it takes longer.
pub fn finish_within(mut child: Child, limit: Duration, what: &str) -> (Output, Duration) {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("the child can be polled").is_some() {
            let output = child.wait_with_output().expect("its output");
            return (output, started.elapsed());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `args`, which must be refused (status 2, no panic) within a few seconds; returns the
/// first line of stderr.
pub fn refused_quickly(args: &[&str]) -> String {
    let (out, _) = finish_within(spawn(args), Duration::from_secs(60), &format!("{args:?}"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err.lines().next().unwrap_or("").to_string()
}

/// Every file under `dir` (recursively, relative names) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, into);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                into.insert(path.strip_prefix(base).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Sends `signal` to `child` through kill(1).
#[cfg(unix)]
pub fn signal(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// A tmpfs mounted on a folder for the length of a test, unmounted when dropped: it stands for
/// a Docker bind mount or a Kubernetes volume root.
#[cfg(target_os = "linux")]
pub struct Tmpfs(PathBuf);

#[cfg(target_os = "linux")]
impl Tmpfs {
    /// Mounts a tmpfs with `options` on `dir`, or says why the test is skipped (mounting needs
    /// root, which CI has).
    pub fn mount(dir: &Path, options: &str) -> Option<Tmpfs> {
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        }
        mounted.then(|| Tmpfs(dir.to_path_buf()))
    }
}

#[cfg(target_os = "linux")]
impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}
