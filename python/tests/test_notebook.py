"""examples/policy.ipynb runs end to end (CI installs nbclient; elsewhere the test is skipped
without it unless ALLOCSIM_REQUIRE_NOTEBOOK=1)."""

import os

import pytest

from conftest import ROOT


def test_the_policy_notebook_runs_and_plots(monkeypatch):
    if os.environ.get("ALLOCSIM_REQUIRE_NOTEBOOK") == "1":
        import matplotlib  # noqa: F401
        import nbclient
        import nbformat
    else:
        pytest.importorskip("matplotlib")
        nbclient = pytest.importorskip("nbclient")
        nbformat = pytest.importorskip("nbformat")
    # The kernel draws inline, as in Jupyter, unless a backend is forced on it.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    path = ROOT / "examples" / "policy.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # The plot of unmet demand per firm was drawn.
    assert any("image/png" in o.get("data", {}) for o in outputs)
