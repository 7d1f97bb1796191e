"""The launcher's own logic (token file, listener wait, reuse, stop, startup errors).

The server here is ``fake_embedded_server.py``, which speaks the launcher's side of the contract
(flags, listener file, authenticated ``/health``); ``test_live_*.py`` start the real one.
"""

from __future__ import annotations

import gc
import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from workbench import launcher

FAKE = Path(__file__).with_name("fake_embedded_server.py")


@pytest.fixture(autouse=True)
def fake_server(monkeypatch):
    monkeypatch.setattr(launcher, "SERVER_COMMAND", (sys.executable, str(FAKE)))


@pytest.fixture
def started(tmp_path):
    servers = []

    def start(**kwargs):
        server = launcher.start(tmp_path / "wb", **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def argv(data_dir: Path) -> list[str]:
    return json.loads((data_dir / "argv.json").read_text())


def test_start_creates_the_token_and_waits_for_health(started, tmp_path):
    server = started()
    data_dir = tmp_path / "wb"
    token_file = data_dir / "admin-token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    record = json.loads(token_file.read_text())
    assert record == {"token": server.token, "name": "_admin", "expiry_millis": None}
    assert server.token.startswith("apiv3_") and len(server.token) == 92
    assert server.url.startswith("http://127.0.0.1:")
    assert httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {server.token}"}).text == "OK"
    assert httpx.get(server.url + "/health").status_code == 401
    assert argv(data_dir) == [
        "--http-bind", "127.0.0.1:0",
        "--tcp-listener-file-path", str(data_dir / "listener"),
        "--data-dir", str(data_dir / "data"),
        "--admin-token-file", str(token_file),
        "--plugin-dir", str(data_dir / "plugins"),  # the engine is on by default
    ]  # fmt: skip
    assert (data_dir / "plugins").is_dir()
    state = json.loads((data_dir / "server.json").read_text())
    assert (state["pid"], state["url"]) == (server.pid, server.url)
    assert stat.S_IMODE((data_dir / "server.json").stat().st_mode) == 0o600
    assert "fake server starting" in server.log_path.read_text()


def test_start_twice_reuses_the_running_server(started, tmp_path):
    first = started()
    second = launcher.start(tmp_path / "wb")
    assert (second.pid, second.url, second.token) == (first.pid, first.url, first.token)
    found = launcher.find_running(tmp_path / "wb")
    assert found is not None and found.pid == first.pid
    with pytest.raises(launcher.LauncherError, match="already runs on"):
        launcher.start(tmp_path / "wb", reuse=False)


def test_reuse_refuses_options_the_running_server_lacks(started, tmp_path):
    started()
    with pytest.raises(launcher.LauncherError, match="plugin_dir="):
        launcher.start(tmp_path / "wb", plugin_dir=tmp_path / "plugins")
    with pytest.raises(launcher.LauncherError, match="without_auth=True"):
        launcher.start(tmp_path / "wb", without_auth=True)


def test_options_reach_the_server(started, tmp_path):
    server = started(without_auth=True, plugin_dir=tmp_path / "plugins", extra_args=["--fake-note", "hi"])
    assert server.token is None
    args = argv(tmp_path / "wb")
    assert "--without-auth" in args and "--admin-token-file" not in args
    assert args[args.index("--plugin-dir") + 1] == str((tmp_path / "plugins").resolve())
    assert args[-2:] == ["--fake-note", "hi"]
    assert httpx.get(server.url + "/health").status_code == 200


def test_the_token_survives_restarts(tmp_path):
    with launcher.start(tmp_path / "wb") as first:
        token = first.token
    assert not (tmp_path / "wb" / "server.json").exists()
    with launcher.start(tmp_path / "wb") as second:
        assert second.token == token
        assert second.pid != first.pid


def test_stop_terminates_and_forgets(tmp_path):
    server = launcher.start(tmp_path / "wb")
    server.stop()
    assert not server.is_running()
    assert launcher.find_running(tmp_path / "wb") is None
    assert not (tmp_path / "wb" / "server.json").exists()


def test_stop_through_another_handle(tmp_path):
    started = launcher.start(tmp_path / "wb")
    found = launcher.find_running(tmp_path / "wb")
    found.stop(timeout=5)
    assert not found.is_running()
    started.stop()  # already gone: nothing to do


def test_stop_kills_a_server_that_ignores_sigterm(tmp_path):
    server = launcher.start(tmp_path / "wb", extra_args=["--fake-ignore-sigterm"])
    started = time.monotonic()
    server.stop(timeout=0.3)
    assert not server.is_running()
    assert time.monotonic() - started < 5


def test_a_stale_record_is_replaced(tmp_path):
    data_dir = tmp_path / "wb"
    data_dir.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid names no process now, as after a server crash
    record = {"pid": finished.pid, "url": "http://127.0.0.1:9"}
    (data_dir / "server.json").write_text(json.dumps(record))
    with launcher.start(data_dir) as server:
        assert server.pid != record["pid"] and server.is_running()


def test_dropping_a_handle_keeps_the_server_running(tmp_path):
    pid = launcher.start(tmp_path / "wb").pid
    gc.collect()
    server = launcher.find_running(tmp_path / "wb")
    assert server is not None and server.pid == pid
    server.stop()
    assert launcher.find_running(tmp_path / "wb") is None


def test_startup_failure_quotes_the_log(tmp_path):
    with pytest.raises(launcher.LauncherError) as info:
        launcher.start(tmp_path / "wb", extra_args=["--fake-exit", "3"])
    assert "exited with code 3 during startup" in str(info.value)
    assert "boom: cannot open the catalog" in str(info.value)
    assert not (tmp_path / "wb" / "server.json").exists()


def test_startup_timeout_stops_the_process_and_quotes_the_log(tmp_path):
    with pytest.raises(launcher.LauncherError) as info:
        launcher.start(tmp_path / "wb", extra_args=["--fake-no-listener"], timeout=1)
    message = str(info.value)
    assert "did not become ready within 1s (listener file: not written)" in message
    assert "fake server starting" in message
    assert launcher.find_running(tmp_path / "wb") is None


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "custom"))
    assert launcher.default_data_dir() == tmp_path / "custom"
    monkeypatch.delenv("WORKBENCH_DATA_DIR")
    assert launcher.default_data_dir() == Path("~/.local/share/workbench/embedded").expanduser()


def test_a_damaged_token_file_is_reported(tmp_path):
    (tmp_path / "admin-token.json").write_text('{"token": "nope"}')
    with pytest.raises(launcher.LauncherError, match="does not hold an apiv3_ token"):
        launcher.admin_token(tmp_path)
    (tmp_path / "admin-token.json").write_text("{")
    with pytest.raises(launcher.LauncherError, match="not an admin token file"):
        launcher.admin_token(tmp_path)


def test_find_running_on_a_missing_directory(tmp_path):
    assert launcher.find_running(tmp_path / "nothing") is None
