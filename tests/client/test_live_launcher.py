"""The launcher and connect() with the real server: reuse, restart durability, the embedded default."""

from __future__ import annotations

import pytest
from client_fakes import needs_server

from workbench import launcher
from workbench.client import Client, connect

pytestmark = [needs_server, pytest.mark.slow]  # each test starts its own server


def test_data_survives_a_restart(tmp_path):
    data_dir = tmp_path / "wb"
    with launcher.start(data_dir, reuse=False) as server:
        with Client(server.url, token=server.token, database="durable") as client:
            client.write("kept,host=a v=1i 1704067200", precision="s")
        assert launcher.start(data_dir).pid == server.pid  # reused
    with (
        launcher.start(data_dir) as again,
        Client(again.url, token=again.token, database="durable") as client,
    ):
        assert again.token == server.token
        assert client.query_sql("SELECT host, v FROM kept").rows() == [("a", 1)]


def test_connect_with_no_arguments_uses_the_embedded_server(tmp_path, monkeypatch):
    for name in ("INFLUX_HOST", "INFLUX_TOKEN", "INFLUX_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_PROFILES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "embedded"))
    try:
        with connect() as client:
            assert client.database == "demo"
            client.write("hello v=1i 1")
            assert client.query_sql("SELECT v FROM hello")["v"].to_list() == [1]
        with connect() as again:  # started twice: reused
            assert again.host == client.host
            assert again.query_sql("SELECT v FROM hello")["v"].to_list() == [1]
    finally:
        launcher.find_running(tmp_path / "embedded").stop()
