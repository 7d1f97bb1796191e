"""Tokens, health, ping, metrics and system tables against the real embedded server."""

from __future__ import annotations

import pytest
from client_fakes import column, needs_server

from workbench import launcher
from workbench.client import APIError, Client, Conflict, Unauthorized

pytestmark = needs_server


def test_health_ping_metrics(live: Client):
    assert live.health() is True
    ping = live.ping()
    assert ping.version
    metrics = live.metrics()
    assert metrics.columns == ["name", "labels", "value", "type", "help"]
    assert metrics.height > 0


def test_requests_need_a_token(live_server):
    with Client(live_server.url) as anonymous, pytest.raises(Unauthorized) as info:
        anonymous.health()
    assert info.value.message == "the request was not authenticated"
    with Client(live_server.url, token="apiv3_wrong") as wrong, pytest.raises(Unauthorized):
        wrong.query_sql("SELECT 1", database="x")


def test_the_operator_token_exists_already(live: Client):
    with pytest.raises(Conflict) as info:
        live.create_admin_token()
    assert "_admin" in info.value.message


def test_named_admin_tokens(live: Client, live_server):
    info = live.create_named_admin_token("wb_ci", expiry=3600)
    assert info.name == "wb_ci" and info.token.startswith("apiv3_") and info.expiry is not None
    with Client(live_server.url, token=info.token) as ci:
        assert ci.health()
    assert "wb_ci" in column(live.list_tokens(), "name")
    with pytest.raises(Conflict):
        live.create_named_admin_token("wb_ci")
    live.delete_token("wb_ci")
    with Client(live_server.url, token=info.token) as ci, pytest.raises(Unauthorized):
        ci.health()
    with pytest.raises(APIError) as err:
        live.delete_token("_admin")
    assert err.value.status_code == 405


@pytest.mark.slow  # starts its own server
def test_regenerating_the_operator_token(tmp_path):
    with launcher.start(tmp_path / "server", reuse=False) as server:
        with Client(server.url, token=server.token) as old:
            new = old.regenerate_admin_token()
            assert new.token != server.token and new.name == "_admin"
            with pytest.raises(Unauthorized):
                old.health()
        with Client(server.url, token=new.token) as client:
            assert client.health()


def test_system_tables(wb: Client):
    wb.write("st v=1i 1")
    wb.query_sql("SELECT * FROM st")
    assert {"queries", "last_caches", "distinct_caches", "parquet_files"} <= set(wb.list_system_tables())
    queries = wb.system_table("queries")
    assert any("FROM st" in q for q in column(queries, "query_text"))
    assert column(wb.system_table("databases", database="_internal"), "database_name")
