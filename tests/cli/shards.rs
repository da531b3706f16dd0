//! Sharded runs: `run --shard K/N` writes a partial result, `merge` combines the N partials into
//! exactly the outputs of one unsharded run (MODEL.md "Randomness"), and refuses partials that
//! are not every shard of one run exactly once.

use std::path::{Path, PathBuf};

use crate::common::{
    allocsim, data, entries, manifest, rewrite_partial, run, run_ok, run_scenario, stderr, tempdir,
};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Runs shard `k` of `n` of `scenario` into `out` with `extra` arguments.
fn shard(scenario: &str, k: u64, n: u64, out: &Path, extra: &[&str]) {
    let spec = format!("{k}/{n}");
    let mut args = vec![
        "run",
        scenario,
        "--shard",
        &spec,
        "--out",
        arg(out),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
}

/// Shards 1..=n of random.toml with `trials` trials in `root`/s1 .. `root`/sN.
fn all_shards(root: &Path, trials: &str, n: u64, extra: &[&str]) -> Vec<PathBuf> {
    let mut args = vec!["--trials", trials];
    args.extend_from_slice(extra);
    (1..=n)
        .map(|k| {
            let out = root.join(format!("s{k}"));
            shard(&data("random.toml"), k, n, &out, &args);
            out
        })
        .collect()
}

/// `merge DIRS --out OUT --quiet` plus `extra`.
fn merge(dirs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = allocsim();
    cmd.arg("merge")
        .args(dirs)
        .args(["--out", arg(out), "--quiet"]);
    cmd.args(extra).output().expect("allocsim starts")
}

/// Asserts that `output` is a refusal (exit status 2, no output folder) whose message holds
/// every piece of `expected`.
fn assert_refused(output: &std::process::Output, out: &Path, expected: &[&str]) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected a refusal, got:\n{err}"
    );
    assert_eq!(err.lines().count(), 1, "one clear line:\n{err}");
    for piece in expected {
        assert!(err.contains(piece), "{piece:?} not in:\n{err}");
    }
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn four_shards_merged_equal_one_run_byte_for_byte() {
    let tmp = tempdir();
    let whole = tmp.path().join("whole");
    run_scenario(
        &data("random.toml"),
        &whole,
        &["--trials", "20000", "--no-charts", "--trials-csv"],
    );
    let parts = all_shards(tmp.path(), "20000", 4, &["--trials-csv"]);
    assert_eq!(
        entries(&parts[0]),
        [".allocsim", "manifest.json", "partial.json", "trials.csv"],
        "a shard writes its partial, not a summary of its own"
    );
    assert_eq!(manifest(&parts[1])["shard"]["first_trial"], 5000);
    assert_eq!(manifest(&parts[1])["trials"], 20000);

    let in_order = tmp.path().join("merged");
    let shuffled = tmp.path().join("shuffled");
    let ok = |o: std::process::Output| assert!(o.status.success(), "{}", stderr(&o));
    ok(merge(
        &[&parts[0], &parts[1], &parts[2], &parts[3]],
        &in_order,
        &["--no-charts"],
    ));
    ok(merge(
        &[&parts[2], &parts[0], &parts[3], &parts[1]],
        &shuffled,
        &["--no-charts"],
    ));
    for file in ["summary.csv", "rounds.csv", "results.json"] {
        let reference = read(&whole.join(file));
        assert!(reference.len() > 200, "{file} is nearly empty");
        assert!(
            read(&in_order.join(file)) == reference,
            "{file}: 4 shards merged differ from one run"
        );
        assert!(
            read(&shuffled.join(file)) == reference,
            "{file}: the merge depends on the order of the shards"
        );
    }
    assert_eq!(
        entries(&in_order),
        [
            ".allocsim",
            "manifest.json",
            "results.json",
            "rounds.csv",
            "summary.csv"
        ]
    );

    // Every trial's row carries its global index: the shards' trials.csv, headers dropped after
    // the first, are the whole run's.
    let mut joined = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        let text = String::from_utf8(read(&part.join("trials.csv"))).unwrap();
        let skip = usize::from(k > 0);
        for line in text.lines().skip(skip) {
            joined.extend_from_slice(line.as_bytes());
            joined.push(b'\n');
        }
    }
    assert!(
        joined == read(&whole.join("trials.csv")),
        "trials.csv of the shards"
    );

    let m = manifest(&in_order);
    assert_eq!(m["trials"], 20000);
    assert_eq!(m["seed"], 7);
    assert_eq!(m["name"], "random");
    let merged = m["merged_shards"].as_array().expect("merged_shards");
    let indices: Vec<u64> = merged
        .iter()
        .map(|s| s["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, [1, 2, 3, 4], "listed in shard order");
    assert_eq!(merged[3]["first_trial"], 15000);
    assert!(
        merged[0]["checksum"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn a_partial_does_not_depend_on_threads_and_merge_draws_the_same_report() {
    let tmp = tempdir();
    let whole = tmp.path().join("whole");
    run_scenario(&data("random.toml"), &whole, &["--trials", "3000"]);
    let parts = all_shards(tmp.path(), "3000", 2, &["--threads", "2"]);
    let one_thread = tmp.path().join("one-thread");
    shard(
        &data("random.toml"),
        2,
        2,
        &one_thread,
        &["--trials", "3000", "--threads", "1"],
    );
    assert!(
        read(&one_thread.join("partial.json")) == read(&parts[1].join("partial.json")),
        "partial.json depends on the thread count"
    );

    let merged = tmp.path().join("merged");
    let o = merge(&[&parts[1], &parts[0]], &merged, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        entries(&merged),
        entries(&whole),
        "merge writes what run writes"
    );
    for file in entries(&whole) {
        if file.ends_with(".png") || file.ends_with(".csv") || file == "results.json" {
            assert!(
                read(&merged.join(&file)) == read(&whole.join(&file)),
                "{file} differs between the merge and the run"
            );
        }
    }
}

#[test]
fn merge_prints_the_run_table() {
    let tmp = tempdir();
    let parts = all_shards(tmp.path(), "1000", 2, &[]);
    let out = tmp.path().join("merged");
    let o = allocsim()
        .arg("merge")
        .args(&parts)
        .args(["--out", arg(&out), "--no-charts"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("1000 trials merged from 2 shards, seed 7"),
        "{text}"
    );
    assert!(text.contains("Alpha") && text.contains("total"), "{text}");
}

#[test]
fn merge_refuses_missing_and_duplicated_shards() {
    let tmp = tempdir();
    let p = all_shards(tmp.path(), "2000", 4, &[]);
    let out = tmp.path().join("merged");
    let missing = merge(&[&p[0], &p[1], &p[3]], &out, &["--no-charts"]);
    assert_refused(
        &missing,
        &out,
        &[
            "missing shard 3 of 4",
            "every shard 1..=4 exactly once",
            "got 1, 2, 4",
        ],
    );
    let two_missing = merge(&[&p[1], &p[3]], &out, &["--no-charts"]);
    assert_refused(&two_missing, &out, &["missing shards 1, 3 of 4"]);

    let copy = tmp.path().join("copy-of-2");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(p[1].join("partial.json"), copy.join("partial.json")).unwrap();
    let duplicated = merge(&[&p[0], &p[1], &copy, &p[2], &p[3]], &out, &["--no-charts"]);
    assert_refused(
        &duplicated,
        &out,
        &[
            "copy-of-2/partial.json: shard 2 of 4 is also in",
            "s2/partial.json",
        ],
    );
    let same_folder_twice = merge(&[&p[0], &p[1], &p[2], &p[3], &p[0]], &out, &[]);
    assert_refused(&same_folder_twice, &out, &["shard 1 of 4 is also in"]);
}

#[test]
fn merge_refuses_shards_of_other_runs() {
    let tmp = tempdir();
    let p = all_shards(tmp.path(), "2000", 4, &[]);
    let out = tmp.path().join("merged");
    let other = |name: &str, scenario: &str, k: u64, n: u64, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let mut args = vec!["--trials", "2000"];
        args.extend_from_slice(extra);
        shard(scenario, k, n, &dir, &args);
        dir
    };

    let seed = other("seed", &data("random.toml"), 3, 4, &["--seed", "8"]);
    assert_refused(
        &merge(&[&p[0], &p[1], &seed, &p[3]], &out, &[]),
        &out,
        &[
            "seed/partial.json: seed 8 differs from 7 in",
            "s1/partial.json",
        ],
    );

    let trials = tmp.path().join("trials");
    shard(&data("random.toml"), 3, 4, &trials, &["--trials", "2001"]);
    assert_refused(
        &merge(&[&p[0], &p[1], &trials, &p[3]], &out, &[]),
        &out,
        &["trials/partial.json: trials 2001 differs from 2000 in"],
    );

    let count = other("three", &data("random.toml"), 3, 3, &[]);
    assert_refused(
        &merge(&[&p[0], &p[1], &count, &p[3]], &out, &[]),
        &out,
        &["three/partial.json: shard count N 3 differs from 4 in"],
    );

    let overridden = other(
        "set",
        &data("random.toml"),
        3,
        4,
        &["--set", "domestic.ratio=0.3"],
    );
    assert_refused(
        &merge(&[&p[0], &p[1], &overridden, &p[3]], &out, &[]),
        &out,
        &["set/partial.json: overrides (--set)", "domestic.ratio=0.3"],
    );

    // The same scenario, edited: a different file is a different run.
    let text = std::fs::read_to_string(crate::common::root().join(data("random.toml"))).unwrap();
    let edited = tmp.path().join("random.toml");
    std::fs::write(
        &edited,
        text.replace("probability = 0.7", "probability = 0.75"),
    )
    .unwrap();
    let scenario = other("edited", arg(&edited), 3, 4, &[]);
    let err = merge(&[&p[0], &p[1], &scenario, &p[3]], &out, &[]);
    assert_refused(
        &err,
        &out,
        &[
            "edited/partial.json: scenario_sha256 (the scenario file)",
            "differs from",
        ],
    );
}

#[test]
fn merge_refuses_damaged_and_foreign_partials() {
    let tmp = tempdir();
    let p = all_shards(tmp.path(), "2000", 2, &[]);
    let out = tmp.path().join("merged");

    // The checksum recomputed as documented matches the one allocsim wrote.
    let file = p[1].join("partial.json");
    let before = read(&file);
    rewrite_partial(&file, |_| {});
    let o = merge(&[&p[0], &p[1]], &out, &["--no-charts"]);
    assert!(
        o.status.success(),
        "re-checksummed as documented: {}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(
        String::from_utf8(read(&file)).unwrap().trim_end(),
        String::from_utf8(before.clone()).unwrap().trim_end(),
        "allocsim writes the canonical form"
    );

    // One digit of one number changed: still JSON, but not what was written.
    let text = String::from_utf8(before.clone()).unwrap();
    let at = text.find("\"max\":").expect("a max") + "\"max\":".len();
    let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let mut damaged = text.into_bytes();
    damaged[end - 1] = if damaged[end - 1] == b'9' {
        b'8'
    } else {
        damaged[end - 1] + 1
    };
    std::fs::write(&file, &damaged).unwrap();
    assert_refused(
        &merge(&[&p[0], &p[1]], &out, &[]),
        &out,
        &["s2/partial.json: checksum mismatch", "run this shard again"],
    );

    std::fs::write(&file, &before).unwrap();
    let newer = String::from_utf8(before.clone())
        .unwrap()
        .replace("\"version\":1", "\"version\":2");
    std::fs::write(&file, newer).unwrap();
    assert_refused(
        &merge(&[&p[0], &p[1]], &out, &[]),
        &out,
        &[
            "s2/partial.json: partial format version 2 cannot be read",
            "reads version 1",
        ],
    );

    std::fs::write(&file, &before).unwrap();
    rewrite_partial(&file, |v| v["allocsim_version"] = "0.0.1".into());
    assert_refused(
        &merge(&[&p[0], &p[1]], &out, &[]),
        &out,
        &["s2/partial.json: allocsim_version 0.0.1 differs from"],
    );
    assert_refused(
        &merge(&[&p[1], &p[0]], &out, &[]),
        &out,
        &["s2/partial.json: written by allocsim 0.0.1, but this is allocsim"],
    );

    // A shard that claims trials outside its slice.
    std::fs::write(&file, &before).unwrap();
    rewrite_partial(&file, |v| v["shard"]["first_trial"] = 999.into());
    assert_refused(
        &merge(&[&p[0], &p[1]], &out, &[]),
        &out,
        &["shard 2/2 of 2000 trials must cover trials 1000..2000"],
    );

    // A finished run's folder is not a partial.
    let whole = tmp.path().join("whole");
    run_scenario(
        &data("random.toml"),
        &whole,
        &["--trials", "100", "--no-charts"],
    );
    assert_refused(
        &merge(&[&p[0], &whole], &out, &[]),
        &out,
        &[
            "whole/partial.json",
            "output folder of `allocsim run --shard`",
        ],
    );
    let results = whole.join("results.json");
    assert_refused(
        &merge(&[&p[0], &results], &out, &[]),
        &out,
        &["not an allocsim partial result"],
    );
}

#[test]
fn bad_shard_arguments_are_usage_errors() {
    for (spec, message) in [
        ("3", "expected K/N"),
        ("a/b", "expected K/N"),
        ("0/4", "K must be within 1..=N, got 0/4"),
        ("5/4", "K must be within 1..=N, got 5/4"),
    ] {
        let o = run(&[
            "run",
            &data("random.toml"),
            "--shard",
            spec,
            "--out",
            "/nonexistent/x",
        ]);
        assert_eq!(o.status.code(), Some(2), "--shard {spec}");
        assert!(
            stderr(&o).contains(message),
            "--shard {spec}: {}",
            stderr(&o)
        );
    }
    let tmp = tempdir();
    let out = tmp.path().join("x");
    let o = run(&[
        "run",
        &data("random.toml"),
        "--trials",
        "3",
        "--shard",
        "1/4",
        "--out",
        arg(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--shard 1/4: N must be at most the run's 3 trials"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// A `--set` value with spaces: passed through the deploy scripts' arguments, it must reach
/// every shard as one argument.
const SPACED_SET: &str = "domestic.supply={ dist = \"uniform\", min = 30, max = 150 }";

/// `bash SCRIPT ARGS` in the crate root with `env`, the test build's binary as ALLOCSIM and no
/// inherited RAYON_NUM_THREADS or Slurm variables.
fn deploy_script(script: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let binary = assert_cmd::cargo::cargo_bin("allocsim");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(script)
        .args(args)
        .current_dir(crate::common::root())
        .env("ALLOCSIM", &binary)
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("ALLOCSIM_RUN_ARGS")
        .env_remove("ALLOCSIM_MERGE_ARGS");
    for (key, _) in std::env::vars() {
        if key.starts_with("SLURM_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("bash starts")
}

#[test]
fn local_simulation_script_runs_shards_and_merges() {
    let tmp = tempdir();
    // --threads and --quiet (which the script also passes) and a quoted --set value, as the
    // docs show them.
    let output = deploy_script(
        "deploy/local-shards.sh",
        &[
            &data("random.toml"),
            "3",
            arg(tmp.path()),
            "--threads",
            "1",
            "--quiet",
            "--set",
            SPACED_SET,
        ],
        &[
            ("ALLOCSIM_RUN_ARGS", "--trials 3000"),
            ("ALLOCSIM_MERGE_ARGS", "--no-charts --quiet"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let whole = tmp.path().join("whole");
    run_scenario(
        &data("random.toml"),
        &whole,
        &["--trials", "3000", "--no-charts", "--set", SPACED_SET],
    );
    for file in ["summary.csv", "rounds.csv"] {
        assert!(
            read(&tmp.path().join("merged").join(file)) == read(&whole.join(file)),
            "{file}: deploy/local-shards.sh differs from one run"
        );
    }

    let refused = tmp.path().join("refused");
    let output = deploy_script(
        "deploy/local-shards.sh",
        &[&data("random.toml"), "2", arg(&refused), "--out", "x"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--out is set by this script"),
        "{}",
        stderr(&output)
    );
    assert!(!refused.exists(), "a refused run made its folder");
}

/// The Slurm scripts run outside Slurm with the variables Slurm sets (the cluster itself is
/// .ci/run's deploy/slurm/check-recipe.sh): options after the script's name keep their
/// quoting, --threads and --quiet given there are not doubled, --out and --shard are refused.
#[test]
fn slurm_scripts_pass_run_options_through_and_merge() {
    let tmp = tempdir();
    let run_dir = tmp.path().join("run");
    let scenario = crate::common::root().join(data("random.toml"));
    let common = [
        ("SHARDS", "2"),
        ("SCENARIO", arg(&scenario)),
        ("RUN_DIR", arg(&run_dir)),
        ("SLURM_CPUS_PER_TASK", "2"),
        ("ALLOCSIM_RUN_ARGS", "--trials 2000"),
    ];
    let script = "deploy/slurm/allocsim-shards.sbatch";
    for (k, extra) in [
        ("1", &["--set", SPACED_SET][..]),
        ("2", &["--threads", "1", "--quiet", "--set", SPACED_SET][..]),
    ] {
        let mut env = common.to_vec();
        env.push(("SLURM_ARRAY_TASK_ID", k));
        let output = deploy_script(script, extra, &env);
        assert!(output.status.success(), "task {k}: {}", stderr(&output));
    }
    let output = deploy_script(
        "deploy/slurm/allocsim-merge.sbatch",
        &["--quiet"],
        &[
            ("SHARDS", "2"),
            ("RUN_DIR", arg(&run_dir)),
            ("ALLOCSIM_MERGE_ARGS", "--no-charts"),
        ],
    );
    assert!(output.status.success(), "merge: {}", stderr(&output));
    let whole = tmp.path().join("whole");
    run_scenario(
        &data("random.toml"),
        &whole,
        &["--trials", "2000", "--no-charts", "--set", SPACED_SET],
    );
    for file in ["summary.csv", "rounds.csv", "results.json"] {
        assert!(
            read(&run_dir.join("merged").join(file)) == read(&whole.join(file)),
            "{file}: the Slurm scripts' merge differs from one run"
        );
    }

    for bad in ["--out", "--shard"] {
        let mut env = common.to_vec();
        env.push(("SLURM_ARRAY_TASK_ID", "1"));
        let output = deploy_script(script, &[bad, "1/2"], &env);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{bad} is set by this script")),
            "{}",
            stderr(&output)
        );
    }
}

/// One Kubernetes manifest's text, read from deploy/kubernetes/.
fn manifest_text(name: &str) -> String {
    let path = crate::common::root().join("deploy/kubernetes").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value of the first `KEY: VALUE` line with this key (indentation ignored), unquoted and
/// without a trailing comment.
fn yaml_value(text: &str, key: &str) -> String {
    let prefix = format!("{key}:");
    let line = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {key}: line"));
    let value = line[prefix.len()..].split(" #").next().unwrap().trim();
    value.trim_matches('"').to_string()
}

/// The `value:` of the container env entry `- name: NAME`.
fn yaml_env(text: &str, name: &str) -> String {
    let at = text
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no env {name}"));
    yaml_value(&text[at..], "value")
}

/// The shell script of the container's `args: - |` literal block, dedented.
fn yaml_shell(text: &str) -> String {
    let mut lines = text.lines().skip_while(|l| l.trim() != "args:");
    assert_eq!(
        lines.nth(1).map(str::trim),
        Some("- |"),
        "args: is one literal block"
    );
    let body: Vec<&str> = lines.collect();
    let indent = body[0].len() - body[0].trim_start().len();
    let mut script = String::new();
    for line in body {
        if !line.trim().is_empty() && line.len() - line.trim_start().len() < indent {
            break;
        }
        script.push_str(line.get(indent..).unwrap_or(""));
        script.push('\n');
    }
    script
}

/// Kubernetes cannot run here (no cluster, no registry): check that each manifest holds
/// together as the docs require (N the same in all three places, every document a whole
/// object) and that the shell each pod runs, run with the variables Kubernetes would set, shards
/// and merges into one run's results.
#[test]
fn kubernetes_manifests_hold_together_and_their_shell_works() {
    let shards_yaml = manifest_text("allocsim-shards.yaml");
    let merge_yaml = manifest_text("allocsim-merge.yaml");
    for (name, text) in [
        ("allocsim-shards.yaml", &shards_yaml),
        ("allocsim-merge.yaml", &merge_yaml),
    ] {
        assert!(!text.contains('\t'), "{name}: a tab (YAML forbids them)");
        for doc in text.split("\n---\n") {
            for key in ["apiVersion:", "kind:", "metadata:", "spec:"] {
                assert!(
                    doc.lines().any(|l| l.starts_with(key)),
                    "{name}: a document without a top-level {key}"
                );
            }
        }
    }
    let completions = yaml_value(&shards_yaml, "completions");
    assert_eq!(yaml_value(&shards_yaml, "completionMode"), "Indexed");
    assert_eq!(yaml_env(&shards_yaml, "SHARDS"), completions);
    assert_eq!(
        yaml_env(&merge_yaml, "SHARDS"),
        completions,
        "the merge's SHARDS"
    );
    // The image the docs build (`docker build -t REGISTRY/allocsim:VERSION`) is the one pulled.
    let image = format!("REGISTRY/allocsim:{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(yaml_value(&shards_yaml, "image"), image);
    assert_eq!(yaml_value(&merge_yaml, "image"), image);
    let run_dir = yaml_env(&shards_yaml, "RUN_DIR");
    assert_eq!(yaml_env(&merge_yaml, "RUN_DIR"), run_dir);
    let n: u64 = completions.parse().expect("completions is a number");

    // The pods' shell, with this machine's paths for the volume, the scenario and the binary.
    let tmp = tempdir();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("allocsim"),
        bin.join("allocsim"),
    )
    .unwrap();
    let data_dir = tmp.path().join("data");
    let local_run_dir = format!("{}{}", arg(&data_dir), run_dir.trim_start_matches("/data"));
    let scenario = crate::common::root().join(data("random.toml"));
    let path = format!(
        "{}:{}",
        arg(&bin),
        std::env::var("PATH").unwrap_or_default()
    );
    let pod = |script: &str, index: Option<u64>| {
        let script = script.replace("/scenario/scenario.toml", arg(&scenario));
        let mut cmd = std::process::Command::new("/bin/sh");
        cmd.args(["-c", &script])
            .env("PATH", &path)
            .env("SHARDS", &completions)
            .env("RUN_DIR", &local_run_dir)
            .env_remove("RAYON_NUM_THREADS");
        if let Some(i) = index {
            cmd.env("JOB_COMPLETION_INDEX", i.to_string());
        }
        let output = cmd.output().expect("sh starts");
        assert!(output.status.success(), "{script}\n{}", stderr(&output));
    };
    let shard_script = yaml_shell(&shards_yaml);
    for i in 0..n {
        pod(&shard_script, Some(i));
    }
    pod(&yaml_shell(&merge_yaml), None);
    let whole = tmp.path().join("whole");
    run_scenario(&data("random.toml"), &whole, &["--no-charts"]);
    let merged = Path::new(&local_run_dir).join("merged");
    for file in ["summary.csv", "rounds.csv", "results.json"] {
        assert!(
            read(&merged.join(file)) == read(&whole.join(file)),
            "{file}: the Kubernetes pods' shell differs from one run"
        );
    }
}
