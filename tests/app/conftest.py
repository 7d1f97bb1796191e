"""Fixtures for the app tests: a real server with the demo data, the app's environment, AppTest.

``app_server`` is one server for the app tests (auth on, like ``make run``), filled by
``workbench.demo.load_demo_data`` (one hour of ``airSensors`` and ``cpu``) and started with a
plugin directory when this server build has the ``--plugin-dir`` setting (detected from its
configuration, not assumed). ``app_env`` points the app at it through ``INFLUX_HOST`` /
``INFLUX_TOKEN`` / ``INFLUX_DATABASE``, hides any personal profiles file and gives the app a
private copy of the dashboards folder, so tests never edit the repository's files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from appserver import APP, DASHBOARDS, app_environment
from serverproc import ServerProcess

from workbench.client import Client
from workbench.demo import load_demo_data


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("app-server")
    (base / "plugins").mkdir()
    proc = ServerProcess(base, "--wal-flush-interval", "10ms", "--plugin-dir", str(base / "plugins"))
    proc.start()
    with Client(proc.url, token=proc.token, database="demo") as client:
        load_demo_data(client, hours=1)
    yield proc
    proc.stop()


@pytest.fixture
def dashboards_dir(tmp_path) -> Path:
    target = tmp_path / "dashboards"
    shutil.copytree(DASHBOARDS, target)
    return target


@pytest.fixture
def app_env(app_server, dashboards_dir, tmp_path, monkeypatch) -> dict[str, str]:
    env = app_environment(app_server, dashboards_dir, tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def app(app_env):
    """An AppTest of the whole app (entry point + navigation) against ``app_server``."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=60)
