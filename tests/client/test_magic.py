"""``%load_ext workbench`` and the ``%sql`` / ``%%sql`` magics (parameter binding, options, connection)."""

from __future__ import annotations

import httpx
import polars as pl
import pyarrow as pa
import pytest
from client_fakes import FakeServer, parquet_body
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from workbench.client import magic
from workbench.protocol import routes


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("workbench")
    yield ip
    InteractiveShell.clear_instance()


@pytest.fixture
def server(shell) -> FakeServer:
    fake = FakeServer()
    answer = httpx.Response(200, content=parquet_body(pa.table({"host": ["a"], "v": [1.5]})))
    fake.on("POST", routes.QUERY_SQL, answer)
    fake.on("POST", routes.QUERY_INFLUXQL, answer)
    shell.user_ns["wb"] = fake.client()
    return fake


def test_line_magic_binds_python_variables_as_parameters(shell, server):
    shell.user_ns["host"] = "a'; DROP TABLE cpu; --"
    df = shell.run_line_magic("sql", "-c wb SELECT * FROM cpu WHERE host = {host}")
    assert isinstance(df, pl.DataFrame) and df["v"].to_list() == [1.5]
    assert server.last_json() == {
        "q": "SELECT * FROM cpu WHERE host = $host",
        "format": "parquet",
        "db": "db",
        "params": {"host": "a'; DROP TABLE cpu; --"},
    }


def test_cell_magic_options(shell, server):
    shell.user_ns["since"] = "2024-01-01T00:00:00Z"
    shell.run_cell_magic("sql", "-c wb --database other -o result", "SELECT *\nFROM cpu\nWHERE time > {since}\n")
    assert shell.user_ns["result"]["host"].to_list() == ["a"]
    assert server.last_json()["db"] == "other"
    assert server.last_json()["q"] == "SELECT *\nFROM cpu\nWHERE time > $since"


def test_influxql(shell, server):
    shell.run_line_magic("sql", "-c wb --influxql SELECT * FROM cpu")
    assert server.last.url.path == routes.QUERY_INFLUXQL


def test_the_chosen_client_stays_current(shell, server):
    shell.run_line_magic("sql", "-c wb SELECT 1")
    shell.run_line_magic("sql", "SELECT 2")
    assert server.last_json()["q"] == "SELECT 2"


def test_first_use_connects(shell, server, monkeypatch):
    calls = []
    monkeypatch.setattr(magic, "connect", lambda: calls.append(1) or shell.user_ns["wb"])
    shell.run_line_magic("sql", "SELECT 1")
    shell.run_line_magic("sql", "SELECT 2")
    assert calls == [1]


def test_usage_errors(shell, server):
    with pytest.raises(UsageError, match="names no Python variable"):
        shell.run_line_magic("sql", "-c wb SELECT {nope}")
    with pytest.raises(UsageError, match="does not hold a workbench Client"):
        shell.run_line_magic("sql", "-c host SELECT 1")
    with pytest.raises(UsageError, match="no query"):
        shell.run_line_magic("sql", "-c wb")
    with pytest.raises(UsageError, match="only options"):
        shell.run_cell_magic("sql", "-c wb SELECT 1", "SELECT 2")
    with pytest.raises(UsageError, match="needs a value"):
        shell.run_line_magic("sql", "--database")


def test_query_errors_propagate(shell, server):
    server.on("POST", routes.QUERY_SQL, httpx.Response(400, text="Error during planning: table 'x' not found"))
    with pytest.raises(Exception, match="table 'x' not found"):
        shell.run_line_magic("sql", "-c wb SELECT * FROM x")


@pytest.mark.parametrize(
    ("query", "expected", "params"),
    [
        ("SELECT {a}, {b}", "SELECT $a, $b", {"a": 1, "b": "x"}),
        ("SELECT '{a}' AS s, \"{a}\"", "SELECT '{a}' AS s, \"{a}\"", {}),
        ("SELECT 'it''s {a}'", "SELECT 'it''s {a}'", {}),
        ("SELECT {{a}}", "SELECT {a}", {}),
        (
            "SELECT regexp_like(x, 'a{2}') -- {a}\n, {a}",
            "SELECT regexp_like(x, 'a{2}') -- {a}\n, $a",
            {"a": 1},
        ),
        ("SELECT /* {a} */ {a}", "SELECT /* {a} */ $a", {"a": 1}),
        ("SELECT { a }, {1}", "SELECT { a }, {1}", {}),
    ],
)
def test_bind_parameters(query, expected, params):
    assert magic.bind_parameters(query, {"a": 1, "b": "x"}) == (expected, params)
