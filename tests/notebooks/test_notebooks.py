"""Every notebook runs top to bottom against the embedded server that ``workbench.connect()`` starts.

The notebooks get a fresh, temporary launcher directory (``WORKBENCH_DATA_DIR``) and no
``INFLUX_*`` variables, so ``workbench.connect()`` starts the embedded server as it would on a
fresh machine; the server is stopped afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbench import launcher

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def embedded_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("embedded")
    yield directory
    running = launcher.find_running(directory)
    if running is not None:
        running.stop()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, embedded_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(embedded_dir))
    monkeypatch.setenv("WORKBENCH_PROFILES", str(tmp_path / "no-profiles.toml"))
    for name in ("INFLUX_HOST", "INFLUX_TOKEN", "INFLUX_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=dict(os.environ))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"01_quickstart", "02_analysis", "03_admin"}
