"""Scenarios, errors, output folders, polars and progress as a Python user meets them."""

import subprocess
import sys

import pytest

import allocsim
from conftest import BAD, BASELINE


def test_set_returns_a_validated_copy(baseline):
    changed = baseline.set("domestic.ratio", 0.6).set("allocation.rule", "talmud")
    assert changed.overrides == ["domestic.ratio=0.6", "allocation.rule=talmud"]
    assert changed.rule == "talmud"
    assert baseline.overrides == [] and baseline.rule != "talmud"
    several = baseline.set({"carry_over": False, "approval.batch": {"dist": "uniform", "min": 1000, "max": 2000}})
    assert several.overrides == [
        "carry_over=false",
        'approval.batch={dist = "uniform", min = 1000, max = 2000}',
    ]
    assert changed.title == "baseline, with domestic.ratio = 0.6, allocation.rule = talmud"


def test_an_invalid_override_raises_scenario_error_like_the_cli(cli, baseline):
    with pytest.raises(allocsim.ScenarioError) as caught:
        baseline.set("domestic.ratio", -1)
    e = caught.value
    printed = cli("validate", BASELINE, "--set", "domestic.ratio=-1", check=False).stderr
    assert f"error: {e}\n" in printed
    assert isinstance(e, ValueError)
    assert e.file is None and e.line is None and e.column is None
    assert e.field == "domestic.ratio"
    assert e.message == "domestic.ratio must be a finite number >= 0, got -1"
    assert e.problems[0].location == "--set domestic.ratio=-1"


def test_an_invalid_file_raises_scenario_error_with_its_position(cli):
    bad = BAD / "domestic-ratio-negative.toml"
    with pytest.raises(allocsim.ScenarioError) as caught:
        allocsim.load(bad)
    e = caught.value
    printed = cli("validate", bad, check=False).stderr
    assert printed.startswith("".join(f"error: {line}\n" for line in str(e).splitlines()))
    assert (e.file, e.line, e.column) == (str(bad), 20, 9)
    assert e.field == "domestic.ratio"
    assert e.message.startswith("domestic.ratio must be a finite number >= 0")


def test_every_problem_is_listed():
    with pytest.raises(allocsim.ScenarioError) as caught:
        allocsim.load(BAD / "dependent-problems-skipped.toml")
    e = caught.value
    assert len(e.problems) == len(str(e).splitlines()) >= 3
    assert [p.field for p in e.problems[:1]] == ["rounds"]
    assert all(p.line for p in e.problems)


def test_bad_arguments_raise_usage_errors(baseline):
    with pytest.raises(allocsim.UsageError, match=r"trials must be within \[1, "):
        allocsim.run(baseline, trials=0)
    with pytest.raises(allocsim.UsageError, match="no firm 'Nobody'"):
        allocsim.tail(baseline, trials=100, firm="Nobody")
    with pytest.raises(allocsim.UsageError, match="not a metric"):
        allocsim.importance(baseline, trials=10, metric="happiness")
    with pytest.raises(allocsim.UsageError, match="threads"):
        allocsim.run(baseline, trials=10, threads=-1)
    with pytest.raises(allocsim.UsageError, match="same overrides"):
        allocsim.compare([baseline, baseline.set("domestic.ratio", 0.2)], trials=10)
    with pytest.raises(TypeError):
        baseline.set("domestic.ratio", object())


def test_save_never_replaces_a_folder_allocsim_did_not_write(baseline, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    notes = folder / "notes.txt"
    notes.write_text("mine")
    result = allocsim.run(baseline, trials=200)
    with pytest.raises(allocsim.OutputError, match="notes.txt"):
        result.save(folder, charts=False)
    assert notes.read_text() == "mine" and sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    # Its own folder it replaces; force replaces another's.
    result.save(tmp_path / "own", charts=False)
    result.save(tmp_path / "own", charts=False)
    result.save(folder, charts=False, force=True)
    assert not notes.exists() and (folder / "summary.csv").exists()


def test_a_rust_panic_becomes_internal_error():
    for on_worker in (False, True):
        with pytest.raises(allocsim.InternalError, match="a planted panic"):
            allocsim._native._panic_for_tests(on_worker)
    assert issubclass(allocsim.InternalError, RuntimeError)


def test_polars_frames_hold_the_same_table(baseline):
    pl = pytest.importorskip("polars")
    result = allocsim.run(baseline, trials=300)
    frame = result.summary_pl()
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == list(result.summary.columns)
    assert frame["value"].to_list() == pytest.approx(result.summary["value"].to_list(), nan_ok=True)
    assert isinstance(allocsim.run(baseline, trials=300, frame="polars").rounds, pl.DataFrame)


def test_polars_missing_says_how_to_get_it(baseline, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)
    result = allocsim.run(baseline, trials=100)
    with pytest.raises(ImportError, match="pip install polars"):
        result.summary_pl()
    assert len(result.summary) > 0  # pandas needs nothing more


def test_progress_is_reported_only_when_asked(baseline, capsys, monkeypatch):
    seen = []
    allocsim.run(baseline, trials=3000, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3000, 3000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    allocsim.run(baseline, trials=300)
    assert capsys.readouterr().err == ""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    allocsim.run(baseline, trials=300, progress=True)
    assert "300/300 trials" in capsys.readouterr().err


def test_an_exception_in_the_progress_callback_stops_the_run(baseline):
    def stop(done, total):
        raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        allocsim.run(baseline, trials=10_000_000, progress=stop)
