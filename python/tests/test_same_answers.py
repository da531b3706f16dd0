"""The package answers exactly what the CLI answers: the same tables, byte for byte, for the same
scenario, seed and overrides, whatever the thread count."""

import hashlib
import json

import pandas as pd
import pandas.testing as pdt
import pytest

import allocsim
from conftest import BASELINE, ROOT

TRIALS = 10_000


def test_summary_and_rounds_equal_the_cli_files(cli, baseline, tmp_path):
    out = tmp_path / "cli"
    cli("run", BASELINE, "--trials", TRIALS, "--seed", 7, "--set", "domestic.ratio=0.6",
        "--no-charts", "--quiet", "--out", out)
    result = allocsim.run(baseline.set("domestic.ratio", 0.6), trials=TRIALS, seed=7)
    for name in ("summary", "rounds"):
        expected = pd.read_csv(out / f"{name}.csv")
        pdt.assert_frame_equal(result.table(name), expected, check_exact=True)
        assert result.csv(name) == (out / f"{name}.csv").read_text()
    # Not trivially equal: another seed gives another summary.
    other = allocsim.run(baseline.set("domestic.ratio", 0.6), trials=TRIALS, seed=8)
    assert not other.summary.equals(result.summary)


def test_the_scenario_seed_and_trials_are_the_defaults(cli, tmp_path):
    scenario = ROOT / "tests" / "data" / "good.toml"
    out = tmp_path / "cli"
    cli("run", scenario, "--no-charts", "--quiet", "--out", out)
    result = allocsim.run(scenario)
    assert result.csv("summary") == (out / "summary.csv").read_text()
    assert result.n_trials == allocsim.load(scenario).trials


def test_trials_table_equals_trials_csv(cli, baseline, tmp_path):
    out = tmp_path / "cli"
    cli("run", BASELINE, "--trials", 500, "--trials-csv", "--no-charts", "--quiet", "--out", out)
    result = allocsim.run(baseline, trials=500, trials_table=True)
    pdt.assert_frame_equal(result.trials, pd.read_csv(out / "trials.csv"), check_exact=True)
    assert len(result.trials) == 500 * len(baseline.firms)
    with pytest.raises(allocsim.UsageError, match="trials_table=True"):
        allocsim.run(baseline, trials=10).trials


def test_thread_count_does_not_change_the_answer(baseline):
    one = allocsim.run(baseline, trials=4000, threads=1)
    two = allocsim.run(baseline, trials=4000, threads=2)
    assert one.csv("summary") == two.csv("summary")
    assert one.threads == 1 and two.threads == 2


def _digests(folder):
    """sha256 of every file of a folder but the two that hold wall time and the command line."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name not in ("manifest.json", "report.html")
    }


def test_save_writes_what_run_out_writes(cli, baseline, tmp_path):
    scenario = baseline.set("allocation.rule", "talmud")
    cli("run", BASELINE, "--trials", 3000, "--set", "allocation.rule=talmud", "--xlsx",
        "--trials-csv", "--quiet", "--out", tmp_path / "cli")
    result = allocsim.run(scenario, trials=3000, trials_table=True)
    saved = result.save(tmp_path / "py", xlsx=True)
    assert saved == tmp_path / "py"
    cli_files, py_files = _digests(tmp_path / "cli"), _digests(saved)
    assert "unmet.png" in py_files and "results.xlsx" in py_files and "trials.csv" in py_files
    assert py_files == cli_files
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["overrides"] == ["allocation.rule=talmud"]
    assert manifest["command_line"][:2] == ["allocsim (Python package)", "run"]
    html = (saved / "report.html").read_text()
    assert "allocsim (Python package)" in html


def test_sweep_tables_equal_the_cli(cli, baseline, tmp_path):
    out = tmp_path / "cli"
    cli("sweep", BASELINE, "--set", "domestic.ratio=0.3,0.5", "--set",
        "allocation.rule=proportional,talmud", "--trials", 2000, "--quiet", "--no-charts",
        "--out", out)
    sweep = allocsim.sweep(
        baseline,
        {"domestic.ratio": [0.3, 0.5], "allocation.rule": ["proportional", "talmud"]},
        trials=2000,
    )
    assert len(sweep.labels) == 4
    for name in ("comparison", "differences"):
        pdt.assert_frame_equal(sweep.table(name), pd.read_csv(out / f"{name}.csv"))
        assert sweep.csv(name) == (out / f"{name}.csv").read_text()
    saved = sweep.save(tmp_path / "py", charts=False)
    assert _digests(saved) == _digests(out)


def test_sweep_reference_picks_point_one(cli, baseline, tmp_path):
    out = tmp_path / "cli"
    cli("sweep", BASELINE, "--set", "domestic.ratio=0.3,0.5", "--reference", "0.5",
        "--trials", 1000, "--quiet", "--no-charts", "--out", out)
    sweep = allocsim.sweep(baseline, {"domestic.ratio": [0.3, 0.5]}, reference=[0.5], trials=1000)
    assert sweep.csv("differences") == (out / "differences.csv").read_text()
    assert sweep.comparison["domestic.ratio"].iloc[0] == 0.5


def test_compare_and_sensitivity_equal_the_cli(cli, tmp_path):
    futures = ROOT / "scenarios" / "futures.toml"
    cli("compare", BASELINE, futures, "--trials", 1000, "--quiet", "--no-charts",
        "--out", tmp_path / "cmp")
    compared = allocsim.compare([BASELINE, allocsim.load(futures)], trials=1000)
    assert compared.labels == ["baseline", "futures"]
    assert compared.csv("differences") == (tmp_path / "cmp" / "differences.csv").read_text()
    assert compared.csv("comparison") == (tmp_path / "cmp" / "comparison.csv").read_text()

    cli("sensitivity", BASELINE, "--vary", "domestic.ratio=0.3,0.6", "--trials", 1000,
        "--quiet", "--no-charts", "--out", tmp_path / "sens")
    sens = allocsim.sensitivity(BASELINE, {"domestic.ratio": [0.3, 0.6]}, trials=1000)
    pdt.assert_frame_equal(sens.sensitivity, pd.read_csv(tmp_path / "sens" / "sensitivity.csv"))


def test_importance_tail_and_trace_equal_the_cli(cli, baseline, tmp_path):
    cli("importance", BASELINE, "--trials", 200, "--quiet", "--no-charts", "--out", tmp_path / "imp")
    imp = allocsim.importance(baseline, trials=200)
    assert imp.csv("importance") == (tmp_path / "imp" / "importance.csv").read_text()
    assert imp.trials_run > imp.n_trials

    cli("tail", BASELINE, "--trials", 2000, "--firm", "Tencent", "--worst", "5%", "--quiet",
        "--out", tmp_path / "tail")
    t = allocsim.tail(baseline, trials=2000, firm="Tencent", worst="5%")
    pdt.assert_frame_equal(t.tail, pd.read_csv(tmp_path / "tail" / "tail.csv"))
    assert t.tail_trials == 100
    saved = t.save(tmp_path / "tail-py")
    assert _digests(saved) == _digests(tmp_path / "tail")

    worst_trial = t.worst_trials[0][0]
    printed = cli("trace", BASELINE, "--trial", worst_trial, "--csv").stdout
    traced = allocsim.trace(baseline, worst_trial)
    assert traced.csv("rounds") == printed
    assert str(traced) == cli("trace", BASELINE, "--trial", worst_trial).stdout
