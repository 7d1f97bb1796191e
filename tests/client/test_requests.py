"""Every client method builds the request of ``reference/influxdb3-behavior.md`` and decodes its answer.

The server is an ``httpx.MockTransport`` here: these tests pin the client's side of the wire
contract (routes, query strings, JSON bodies, headers, result decoding). The same methods run
against the real embedded server in ``test_live_*.py``.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import httpx
import polars as pl
import pyarrow as pa
import pytest
from client_fakes import HOST, TOKEN, parquet_body

from workbench.client import (
    APIError,
    ConfigError,
    ConnectError,
    LineBuilder,
    NotFound,
    PartialWriteError,
    ServerError,
)
from workbench.protocol import routes

EMPTY = httpx.Response(200)
NO_CONTENT = httpx.Response(204)


def query_answer(table: pa.Table):
    return httpx.Response(200, content=parquet_body(table), headers={"Content-Type": "application/vnd.apache.parquet"})


# -- writes -------------------------------------------------------------------------------------


def test_write_text(fake):
    fake.on("POST", routes.WRITE_LP, NO_CONTENT)
    assert fake.client().write("cpu,host=a v=1\ncpu,host=b v=2") == 2
    req = fake.last
    assert req.url.path == "/api/v3/write_lp"
    assert dict(req.url.params) == {"db": "db", "accept_partial": "true", "no_sync": "false"}
    assert req.content == b"cpu,host=a v=1\ncpu,host=b v=2"
    assert req.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Content-Encoding" not in req.headers


def test_write_options(fake):
    fake.on("POST", routes.WRITE_LP, NO_CONTENT)
    fake.client().write(b"cpu v=1 5", database="other", precision="s", accept_partial=False, no_sync=True)
    assert dict(fake.last.url.params) == {
        "db": "other",
        "accept_partial": "false",
        "no_sync": "true",
        "precision": "second",
    }


def test_write_gzip_explicit_and_by_threshold(fake):
    fake.on("POST", routes.WRITE_LP, NO_CONTENT)
    client = fake.client(gzip_threshold=10)
    client.write("cpu v=1")  # 7 bytes: below the threshold
    assert "Content-Encoding" not in fake.last.headers
    client.write("cpu v=12345678")
    assert fake.last.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(fake.last.content) == b"cpu v=12345678"
    client.write("cpu v=12345678", gzip=False)
    assert "Content-Encoding" not in fake.last.headers
    fake.client().write("c v=1", gzip=True)
    assert gzip.decompress(fake.last.content) == b"c v=1"


def test_write_line_builders_default_to_nanoseconds(fake):
    fake.on("POST", routes.WRITE_LP, NO_CONTENT)
    lines = [LineBuilder("cpu").tag("host", "a").float64_field("v", 1).time_ns(5), "cpu v=2 6"]
    assert fake.client().write(lines) == 2
    assert fake.last.url.params["precision"] == "nanosecond"
    assert fake.last.content == b"cpu,host=a v=1.0 5\ncpu v=2 6"
    fake.client().write(LineBuilder("m").int64_field("n", 1))
    assert fake.last.content == b"m n=1i"


def test_write_frame_in_batches(fake):
    fake.on("POST", routes.WRITE_LP, NO_CONTENT)
    df = pl.DataFrame(
        {
            "time": [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=i) for i in range(100)],
            "host": [f"h{i % 4}" for i in range(100)],
            "v": [float(i) for i in range(100)],
        }
    )
    assert fake.client(write_batch_bytes=500).write(df, measurement="cpu") == 100
    assert len(fake.requests) > 1
    assert all(len(r.content) <= 500 for r in fake.requests)
    assert all(r.url.params["precision"] == "nanosecond" for r in fake.requests)
    lines = b"\n".join(r.content for r in fake.requests).decode().splitlines()
    assert lines[0] == "cpu,host=h0 v=0.0 1704067200000000000"
    assert len(lines) == 100


def test_write_frame_needs_a_measurement_and_text_refuses_frame_options(fake):
    with pytest.raises(ValueError, match="measurement="):
        fake.client().write(pl.DataFrame({"v": [1]}))
    with pytest.raises(ValueError, match="frames only"):
        fake.client().write("cpu v=1", tags=["host"])
    assert fake.requests == []


def test_write_needs_a_database(fake):
    with pytest.raises(ConfigError, match="no database given"):
        fake.client(database=None).write("cpu v=1")


def _partial(request: httpx.Request) -> httpx.Response:
    """Reject every line whose text contains 'bad', numbering lines within the request."""
    lines = request.content.decode().split("\n")
    data = [
        {"error_message": "bad line", "line_number": i + 1, "original_line": line[:20]}
        for i, line in enumerate(lines)
        if "bad" in line
    ]
    if not data:
        return NO_CONTENT
    return httpx.Response(400, json={"error": "partial write of line protocol occurred", "data": data})


def test_partial_errors_are_numbered_across_batches(fake):
    fake.on("POST", routes.WRITE_LP, _partial)
    items = ["ok v=1", "bad v=2", "ok v=3", "ok v=4", "bad v=5", "ok v=6"]
    with pytest.raises(PartialWriteError) as info:
        fake.client(write_batch_bytes=14).write(items)  # two lines per batch
    assert len(fake.requests) == 3  # accept_partial: the other batches were still sent
    assert [(e.line_number, e.original_line) for e in info.value.line_errors] == [
        (2, "bad v=2"),
        (5, "bad v=5"),
    ]
    assert "2 of 6 lines rejected across 3 batches" in str(info.value)


def test_partial_error_in_one_request_is_raised_as_is(fake):
    fake.on("POST", routes.WRITE_LP, _partial)
    with pytest.raises(PartialWriteError) as info:
        fake.client().write("ok v=1\nbad v=2")
    assert str(info.value).startswith("write failed: 400 Bad Request")
    assert [e.line_number for e in info.value.line_errors] == [2]


def test_without_accept_partial_the_first_rejected_batch_stops_the_write(fake):
    fake.on("POST", routes.WRITE_LP, _partial)
    items = ["ok v=1", "ok v=2", "ok v=3", "bad v=4", "ok v=5", "ok v=6"]
    with pytest.raises(PartialWriteError) as info:
        fake.client(write_batch_bytes=14).write(items, accept_partial=False)
    assert len(fake.requests) == 2
    assert [e.line_number for e in info.value.line_errors] == [4]
    assert info.value.__notes__ == ["2 lines of the 1 earlier batch(es) were written"]


def test_a_failure_in_a_later_batch_says_what_was_written(fake):
    calls = []

    def flaky(request):
        calls.append(request)
        if len(calls) == 2:
            raise httpx.ConnectError("connection reset")
        return NO_CONTENT

    fake.on("POST", routes.WRITE_LP, flaky)
    with pytest.raises(ConnectError) as info:
        fake.client(write_batch_bytes=14).write(["a v=1", "b v=2", "c v=3", "d v=4"])
    assert len(calls) == 2  # not retried, not continued
    assert info.value.__notes__ == ["2 lines of the 1 earlier batch(es) were written"]


# -- queries ------------------------------------------------------------------------------------


def test_query_sql_request_and_result(fake):
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"n": [1, 2]})))
    df = fake.client().query_sql(
        "SELECT n FROM t WHERE host = $host AND time > $since",
        params={"host": "a", "since": datetime(2024, 1, 1), "limit": 3, "on": True, "none": None},
    )
    assert df["n"].to_list() == [1, 2]
    assert fake.last_json() == {
        "q": "SELECT n FROM t WHERE host = $host AND time > $since",
        "format": "parquet",
        "db": "db",
        "params": {"host": "a", "since": "2024-01-01T00:00:00+00:00", "limit": 3, "on": True, "none": None},
    }


def test_query_params_must_be_scalars(fake):
    with pytest.raises(TypeError, match=r"\$bad has type list"):
        fake.client().query_sql("SELECT $bad", params={"bad": [1]})
    assert fake.requests == []


def test_query_influxql_may_leave_the_database_to_the_statement(fake):
    fake.on("POST", routes.QUERY_INFLUXQL, query_answer(pa.table({"iox::measurement": ["cpu"]})))
    client = fake.client(database=None)
    df = client.query_influxql("SHOW MEASUREMENTS ON db1")
    assert df.columns == ["iox::measurement"]
    assert fake.last_json() == {"q": "SHOW MEASUREMENTS ON db1", "format": "parquet"}
    fake.client().query_influxql("SELECT * FROM cpu")
    assert fake.last_json()["db"] == "db"


def test_query_sql_needs_a_database(fake):
    with pytest.raises(ConfigError):
        fake.client(database=None).query_sql("SELECT 1")


def test_query_arrow_returns_a_table(fake):
    fake.on("POST", routes.QUERY_INFLUXQL, query_answer(pa.table({"x": [1.0]})))
    table = fake.client().query_arrow("SELECT x FROM m", language="influxql")
    assert isinstance(table, pa.Table) and table.column("x").to_pylist() == [1.0]
    with pytest.raises(ValueError, match="language"):
        fake.client().query_arrow("x", language="flux")


def test_iter_query_streams_json_lines(fake):
    body = "".join(f'{{"host":"h{i}","time":"2024-01-01T00:00:0{i}","v":{i}}}\n' for i in range(5))
    fake.on("POST", routes.QUERY_SQL, httpx.Response(200, content=body.encode()))
    frames = list(fake.client().iter_query("SELECT * FROM cpu", batch_size=2))
    assert [f.height for f in frames] == [2, 2, 1]
    assert fake.last_json()["format"] == "jsonl"
    assert pl.concat(frames)["time"].dtype == pl.Datetime("ns", "UTC")


def test_iter_query_sends_nothing_until_iterated(fake):
    fake.client().iter_query("SELECT 1")
    assert fake.requests == []


def test_explain_returns_the_plans_as_text(fake):
    plan = pa.table({"plan_type": ["logical_plan", "physical_plan"], "plan": ["Projection: x", "ProjectionExec"]})
    fake.on("POST", routes.QUERY_SQL, query_answer(plan))
    text = fake.client().explain("SELECT x FROM t")
    assert text == "logical_plan:\nProjection: x\n\nphysical_plan:\nProjectionExec"
    assert fake.last_json()["q"] == "EXPLAIN SELECT x FROM t"
    fake.client().explain("SELECT 1", analyze=True)
    assert fake.last_json()["q"] == "EXPLAIN ANALYZE SELECT 1"


# -- databases and tables -----------------------------------------------------------------------


def test_databases(fake):
    fake.on(
        "GET",
        routes.CONFIGURE_DATABASE,
        httpx.Response(200, json=[{"iox::database": "_internal"}, {"iox::database": "db"}]),
    )
    for method in ("POST", "PUT", "DELETE"):
        fake.on(method, routes.CONFIGURE_DATABASE, EMPTY)
    fake.on("DELETE", routes.CONFIGURE_DATABASE_RETENTION, NO_CONTENT)
    client = fake.client()

    assert client.list_databases() == ["_internal", "db"]
    assert dict(fake.last.url.params) == {"format": "json", "show_deleted": "false"}
    client.list_databases(show_deleted=True)
    assert fake.last.url.params["show_deleted"] == "true"

    client.create_database("metrics")
    assert fake.last_json() == {"db": "metrics"}
    client.create_database("metrics", retention_period="30d")
    assert fake.last_json() == {"db": "metrics", "retention_period": "30d"}
    client.create_database("metrics", retention_period=timedelta(hours=1, minutes=30))
    assert fake.last_json() == {"db": "metrics", "retention_period": "1h 30m"}

    client.update_database("metrics", retention_period="7d")
    assert (fake.last.method, fake.last_json()) == ("PUT", {"db": "metrics", "retention_period": "7d"})
    client.update_database("metrics", retention_period=None)
    assert fake.last_json() == {"db": "metrics", "retention_period": None}

    client.delete_database("metrics")
    assert dict(fake.last.url.params) == {"db": "metrics"}
    client.delete_database("metrics", hard_delete_at=datetime(2030, 1, 2, 3, 4, 5), data_only=True, remove_tables=True)
    assert dict(fake.last.url.params) == {
        "db": "metrics",
        "hard_delete_at": "2030-01-02T03:04:05Z",
        "data_only": "true",
        "remove_tables": "true",
    }
    client.delete_database("metrics", hard_delete_at="now")
    assert fake.last.url.params["hard_delete_at"] == "now"

    client.delete_database_retention("metrics")
    assert (fake.last.method, fake.last.url.path, dict(fake.last.url.params)) == (
        "DELETE",
        "/api/v3/configure/database/retention_period",
        {"db": "metrics"},
    )


def test_bad_durations_are_refused_before_sending(fake):
    with pytest.raises(ValueError, match="forever"):
        fake.client().create_database("x", retention_period="forever")
    assert fake.requests == []


def test_tables(fake):
    for method in ("POST", "PUT", "DELETE"):
        fake.on(method, routes.CONFIGURE_TABLE, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"table_name": ["cpu", "mem"]})))
    client = fake.client()

    client.create_table(
        "cpu",
        tags=["region", "host"],
        fields={"usage": float, "n": pl.UInt64, "note": "string", "ok": "bool"},
    )
    assert fake.last_json() == {
        "db": "db",
        "table": "cpu",
        "tags": ["region", "host"],
        "fields": [
            {"name": "usage", "type": "float64"},
            {"name": "n", "type": "uint64"},
            {"name": "note", "type": "utf8"},
            {"name": "ok", "type": "bool"},
        ],
    }
    client.create_table("m", tags=[], fields=[("v", "int64")], database="other", retention_period="1d")
    assert fake.last_json() == {
        "db": "other",
        "table": "m",
        "tags": [],
        "fields": [{"name": "v", "type": "int64"}],
        "retention_period": "1d",
    }
    with pytest.raises(ValueError, match="unknown type"):
        client.create_table("m", tags=[], fields={"v": "decimal"})

    client.update_table("cpu", retention_period="2d")
    assert (fake.last.method, fake.last_json()) == (
        "PUT",
        {"db": "db", "table": "cpu", "retention_period": "2d"},
    )

    client.delete_table("cpu", hard_delete_at="never", data_only=True)
    assert dict(fake.last.url.params) == {
        "db": "db",
        "table": "cpu",
        "hard_delete_at": "never",
        "data_only": "true",
    }

    assert client.list_tables() == ["cpu", "mem"]
    assert "information_schema.tables" in fake.last_json()["q"]


# -- caches -------------------------------------------------------------------------------------


def test_last_caches(fake):
    fake.on("POST", routes.CONFIGURE_LAST_CACHE, httpx.Response(201, json={"catalog_batch": {}}))
    fake.on("DELETE", routes.CONFIGURE_LAST_CACHE, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"host": ["a"]})))
    client = fake.client()

    client.create_last_cache("cpu")
    assert fake.last_json() == {"db": "db", "table": "cpu"}
    client.create_last_cache(
        "cpu", name="c", key_columns=["host"], value_columns=["usage"], count=3, ttl=timedelta(hours=1)
    )
    assert fake.last_json() == {
        "db": "db",
        "table": "cpu",
        "name": "c",
        "key_columns": ["host"],
        "value_columns": ["usage"],
        "count": 3,
        "ttl": 3600,
    }
    with pytest.raises(ValueError, match="whole number of seconds"):
        client.create_last_cache("cpu", ttl=1.5)

    client.delete_last_cache("cpu", "c")
    assert dict(fake.last.url.params) == {"db": "db", "table": "cpu", "name": "c"}

    client.list_last_caches()
    assert fake.last_json()["q"] == "SELECT * FROM system.last_caches"
    assert client.last_cache("cpu")["host"].to_list() == ["a"]
    assert fake.last_json()["q"] == "SELECT * FROM last_cache('cpu')"
    client.last_cache("it's", "c")
    assert fake.last_json()["q"] == "SELECT * FROM last_cache('it''s', 'c')"


def test_distinct_caches(fake):
    fake.on("POST", routes.CONFIGURE_DISTINCT_CACHE, httpx.Response(201, json={}))
    fake.on("DELETE", routes.CONFIGURE_DISTINCT_CACHE, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"host": ["a"]})))
    client = fake.client()

    client.create_distinct_cache("cpu", ["region", "host"], name="d", max_cardinality=10, max_age=60)
    assert fake.last_json() == {
        "db": "db",
        "table": "cpu",
        "columns": ["region", "host"],
        "name": "d",
        "max_cardinality": 10,
        "max_age": 60,
    }
    client.delete_distinct_cache("cpu", "d", database="x")
    assert dict(fake.last.url.params) == {"db": "x", "table": "cpu", "name": "d"}
    client.list_distinct_caches()
    assert fake.last_json()["q"] == "SELECT * FROM system.distinct_caches"
    client.distinct_cache("cpu", "d")
    assert fake.last_json()["q"] == "SELECT * FROM distinct_cache('cpu', 'd')"


# -- processing engine --------------------------------------------------------------------------


def test_triggers(fake):
    fake.on("POST", routes.CONFIGURE_TRIGGER, EMPTY)
    fake.on("DELETE", routes.CONFIGURE_TRIGGER, EMPTY)
    fake.on("POST", routes.CONFIGURE_TRIGGER_ENABLE, EMPTY)
    fake.on("POST", routes.CONFIGURE_TRIGGER_DISABLE, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"trigger_name": ["t"]})))
    client = fake.client()

    client.create_trigger("t", "wal.py", "table:cpu", arguments={"threshold": 5, "mode": "x"}, run_async=True)
    assert fake.last_json() == {
        "db": "db",
        "plugin_filename": "wal.py",
        "trigger_name": "t",
        "trigger_specification": "table:cpu",
        "trigger_settings": {"run_async": True, "error_behavior": "log"},
        "trigger_arguments": {"threshold": "5", "mode": "x"},
        "disabled": False,
    }
    client.create_trigger("t", "s.py", "every:10s", disabled=True, error_behavior="disable")
    assert fake.last_json()["trigger_arguments"] is None and fake.last_json()["disabled"] is True
    with pytest.raises(ValueError, match="error_behavior"):
        client.create_trigger("t", "s.py", "every:10s", error_behavior="Retry")
    with pytest.raises(TypeError, match="plugin argument 'x'"):
        client.create_trigger("t", "s.py", "every:10s", arguments={"x": [1]})

    client.delete_trigger("t", force=True)
    assert dict(fake.last.url.params) == {"db": "db", "trigger_name": "t", "force": "true"}
    client.enable_trigger("t")
    assert (fake.last.url.path, dict(fake.last.url.params)) == (
        routes.CONFIGURE_TRIGGER_ENABLE,
        {"db": "db", "trigger_name": "t"},
    )
    client.disable_trigger("t", database="x")
    assert (fake.last.url.path, fake.last.url.params["db"]) == (routes.CONFIGURE_TRIGGER_DISABLE, "x")
    assert client.list_triggers()["trigger_name"].to_list() == ["t"]
    assert fake.last_json()["q"] == "SELECT * FROM system.processing_engine_triggers"


def test_plugin_files_and_packages(fake):
    fake.on("POST", routes.PLUGIN_FILES, EMPTY)
    fake.on("PUT", routes.PLUGIN_FILES, EMPTY)
    fake.on("PUT", routes.PLUGIN_DIRECTORY, EMPTY)
    fake.on("POST", routes.INSTALL_PACKAGES, EMPTY)
    fake.on("POST", routes.INSTALL_REQUIREMENTS, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"plugin_name": ["t"]})))
    client = fake.client()

    client.create_plugin_file("alerts/wal.py", "def process_writes(a, b, args=None): pass\n")
    assert fake.last_json() == {
        "plugin_name": "alerts/wal.py",
        "content": "def process_writes(a, b, args=None): pass\n",
    }
    client.update_plugin_file("t", "x = 1\n")
    assert (fake.last.method, fake.last_json()) == ("PUT", {"plugin_name": "t", "content": "x = 1\n"})
    client.update_plugin_directory("t", {"__init__.py": "from .a import f\n", "a.py": "def f(): pass\n"})
    assert fake.last_json() == {
        "plugin_name": "t",
        "files": [
            {"relative_path": "__init__.py", "content": "from .a import f\n"},
            {"relative_path": "a.py", "content": "def f(): pass\n"},
        ],
    }
    client.install_packages(["requests", "numpy==2.1"])
    assert fake.last_json() == {"packages": ["requests", "numpy==2.1"]}
    client.install_packages("requests")
    assert fake.last_json() == {"packages": ["requests"]}
    client.install_requirements("/srv/plugins/requirements.txt")
    assert fake.last_json() == {"requirements_location": "/srv/plugins/requirements.txt"}
    client.list_plugin_files()
    assert fake.last_json() == {
        "q": "SELECT * FROM system.plugin_files",
        "format": "parquet",
        "db": "_internal",
    }


def test_wal_plugin_dry_run(fake):
    answer = {"log_lines": ["INFO: hi"], "database_writes": {"db": ["out v=1i"]}, "errors": []}
    fake.on("POST", routes.PLUGIN_TEST_WAL, httpx.Response(200, json=answer))
    result = fake.client().test_wal_plugin(
        "wal.py", [LineBuilder("cpu").int64_field("v", 1), "cpu v=2i"], arguments={"k": "v"}, cache_name="c"
    )
    assert fake.last_json() == {
        "filename": "wal.py",
        "database": "db",
        "input_lp": "cpu v=1i\ncpu v=2i",
        "cache_name": "c",
        "input_arguments": {"k": "v"},
    }
    assert result.ok and result.log_lines == ["INFO: hi"] and result.database_writes == {"db": ["out v=1i"]}


def test_schedule_plugin_dry_run(fake):
    answer = {
        "trigger_time": "2025-06-17T13:02:35Z",
        "log_lines": [],
        "database_writes": {},
        "errors": ["boom"],
    }
    fake.on("POST", routes.PLUGIN_TEST_SCHEDULE, httpx.Response(200, json=answer))
    result = fake.client().test_schedule_plugin("s.py", schedule="*/5 * * * * *")
    assert fake.last_json() == {
        "filename": "s.py",
        "database": "db",
        "schedule": "*/5 * * * * *",
        "cache_name": None,
        "input_arguments": None,
    }
    assert not result.ok and result.errors == ["boom"]
    assert result.trigger_time == datetime(2025, 6, 17, 13, 2, 35, tzinfo=UTC)


def test_request_plugin_dry_run(fake):
    answer = {
        "status": 201,
        "headers": {"Content-Type": "application/json"},
        "body": '{"a": 1}',
        "log_lines": [],
        "errors": [],
    }
    fake.on("POST", routes.PLUGIN_TEST_REQUEST, httpx.Response(200, json=answer))
    result = fake.client().test_request_plugin(
        "r.py", method="GET", path="hello", query_parameters={"q": "1"}, headers={"X-A": "b"}, body=b"{}"
    )
    assert fake.last_json() == {
        "filename": "r.py",
        "database": "db",
        "method": "GET",
        "path": "hello",
        "query_parameters": {"q": "1"},
        "headers": {"X-A": "b"},
        "body": "{}",
        "cache_name": None,
        "input_arguments": None,
    }
    assert result.status == 201 and result.json() == {"a": 1}


def test_dry_run_plugin_file_errors_are_server_errors(fake):
    msg = "Plugin error: reading plugin file: Plugin not found: /p/nope.py"
    fake.on("POST", routes.PLUGIN_TEST_WAL, httpx.Response(500, text=msg))
    with pytest.raises(ServerError) as info:
        fake.client().test_wal_plugin("nope.py", "cpu v=1")
    assert info.value.message == msg
    assert str(info.value).startswith("test_wal_plugin failed: 500 Internal Server Error for POST")


def test_request_triggers(fake):
    fake.on("POST", "/api/v3/engine/hello", httpx.Response(200, json={"status": "ok"}))
    fake.on("GET", "/api/v3/engine/hello", httpx.Response(418, text="teapot"))
    client = fake.client()
    response = client.call_request_trigger("hello", json={"x": 1}, params={"a": "b"})
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert json.loads(fake.last.content) == {"x": 1} and fake.last.url.params["a"] == "b"
    with pytest.raises(APIError) as info:
        client.call_request_trigger("hello", method="get")
    assert info.value.status_code == 418
    response = client.call_request_trigger("/hello", method="GET", raise_for_status=False)
    assert (response.status_code, response.text) == (418, "teapot")
    with pytest.raises(NotFound):
        client.call_request_trigger("missing")
    with pytest.raises(ValueError, match="GET and POST"):
        client.call_request_trigger("hello", method="PUT")


# -- tokens and server information --------------------------------------------------------------

TOKEN_BODY = {
    "id": 0,
    "name": "_admin",
    "token": "apiv3_secret",
    "hash": "ab" * 64,
    "created_at": "2025-04-18T14:02:45.331Z",
    "expiry": None,
}


def test_tokens(fake):
    fake.on("POST", routes.TOKEN_ADMIN, httpx.Response(201, json=TOKEN_BODY, headers={"Content-Type": "json"}))
    fake.on("POST", routes.TOKEN_ADMIN_REGENERATE, httpx.Response(201, json=TOKEN_BODY))
    named = {**TOKEN_BODY, "id": 3, "name": "ci", "expiry": "2030-01-01T00:00:00Z"}
    fake.on("POST", routes.TOKEN_NAMED_ADMIN, httpx.Response(201, json=named))
    fake.on("DELETE", routes.TOKEN, EMPTY)
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"name": ["_admin"]})))
    client = fake.client()

    info = client.create_admin_token()
    assert (info.id, info.name, info.token, info.expiry) == (0, "_admin", "apiv3_secret", None)
    assert info.created_at == datetime(2025, 4, 18, 14, 2, 45, 331000, tzinfo=UTC)
    assert "apiv3_secret" not in repr(info)
    assert client.regenerate_admin_token().token == "apiv3_secret"
    info = client.create_named_admin_token("ci", expiry=timedelta(days=1))
    assert fake.last_json() == {"token_name": "ci", "expiry_secs": 86400}
    assert info.expiry == datetime(2030, 1, 1, tzinfo=UTC)
    client.create_named_admin_token("forever")
    assert fake.last_json() == {"token_name": "forever"}
    client.delete_token("ci")
    assert dict(fake.last.url.params) == {"token_name": "ci"}
    client.list_tokens()
    assert fake.last_json()["db"] == "_internal" and fake.last_json()["q"] == "SELECT * FROM system.tokens"


def test_health_ping_metrics(fake):
    fake.on("GET", routes.HEALTH, httpx.Response(200, text="OK"))
    fake.on(
        "GET",
        routes.PING,
        httpx.Response(
            200,
            json={
                "product_name": "InfluxDB 3 Core",
                "version": "3.10.0",
                "revision": "abc",
                "process_id": "u-1",
            },
            headers={"X-Influxdb-Version": "3.10.0", "X-Influxdb-Build": "Core"},
        ),
    )
    metrics = (
        "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
        'http_requests_total{method="GET",path="/ping"} 3\nhttp_requests_total{method="POST",path="/x"} 1\n'
        "# TYPE lat histogram\n"
        'lat_bucket{le="0.1"} 2\nlat_bucket{le="+Inf"} 5\nlat_sum 1.5\nlat_count 5\n# EOF\n'
    )
    fake.on("GET", routes.METRICS, httpx.Response(200, text=metrics))
    client = fake.client()
    assert client.health() is True
    ping = client.ping()
    assert (ping.product_name, ping.version, ping.build) == ("InfluxDB 3 Core", "3.10.0", "Core")
    df = client.metrics()
    assert df.height == 6
    assert df.filter(pl.col("name") == "http_requests_total")["labels"].struct.field("method").to_list() == [
        "GET",
        "POST",
    ]
    assert df.filter(pl.col("name") == "lat_bucket")["type"].to_list() == ["histogram", "histogram"]
    assert df.filter(pl.col("name") == "lat_bucket")["value"].to_list() == [2.0, 5.0]
    assert df["help"][0] == "Requests."


def test_system_tables(fake):
    fake.on("POST", routes.QUERY_SQL, query_answer(pa.table({"table_name": ["queries", "parquet_files"]})))
    client = fake.client()
    client.system_table("queries", database="x")
    assert fake.last_json() == {"q": 'SELECT * FROM system."queries"', "format": "parquet", "db": "x"}
    assert client.list_system_tables() == ["queries", "parquet_files"]
    with pytest.raises(ValueError, match="not a system table name"):
        client.system_table("queries; DROP")


def test_methods_of_missing_endpoints_raise_the_servers_error(fake):
    # A server without the workbench's request-plugin dry run answers 404 "Not found".
    with pytest.raises(NotFound) as info:
        fake.client().test_request_plugin("r.py")
    assert str(info.value) == (
        f"test_request_plugin failed: 404 Not Found for POST {HOST}/api/v3/plugin_test/request: Not found"
    )
