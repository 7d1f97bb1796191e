"""The processing engine in-process (Starlette TestClient, ``FakeClock``): triggers end to end.

Each test gets its own server with ``--plugin-dir`` holding a copy of ``tests/fixtures/plugins``.
"""

from __future__ import annotations

import gzip
import itertools
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench.plugins.clock import FakeClock
from workbench.protocol.durations import parse_duration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plugins"
START_NS = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
TRIGGER = "/api/v3/configure/processing_engine_trigger"


@dataclass
class Env:
    client: object
    state: object
    clock: FakeClock
    plugins: Path

    def create(self, name: str, plugin: str, spec: str, db: str = "d", **extra) -> object:
        body = {"db": db, "plugin_filename": plugin, "trigger_name": name, "trigger_specification": spec}
        settings = {k: extra.pop(k) for k in ("run_async", "error_behavior") if k in extra}
        if settings:
            body["trigger_settings"] = {"run_async": False, "error_behavior": "log", **settings}
        body.update(extra)
        return self.client.post(TRIGGER, json=body)

    def write(self, lp: str, db: str = "d") -> None:
        r = self.client.post("/api/v3/write_lp", params={"db": db, "precision": "nanosecond"}, content=lp)
        assert r.status_code == 204, r.text

    def sql(self, q: str, db: str = "d") -> list[dict]:
        """Rows of a query; no rows while the table does not exist yet."""
        r = self.client.get("/api/v3/query_sql", params={"db": db, "q": q, "format": "json"})
        if r.status_code in (400, 404) and "not found" in r.text:
            return []
        assert r.status_code == 200, r.text
        return r.json()

    def logs(self, trigger: str, level: str | None = None) -> list[str]:
        """What ``trigger`` logged (``system.processing_engine_logs``, read without SQL)."""
        entries = self.state.engine.logs.table().to_pylist()
        return [e["log_text"] for e in entries if e["trigger_name"] == trigger and level in (None, e["log_level"])]


def wait_for(check: Callable[[], object], timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.01)


def make_env(tmp_path, **config) -> Env:
    from starlette.testclient import TestClient

    from workbench.server.app import create_app
    from workbench.server.config import ServerConfig

    plugins = tmp_path / "plugins"
    shutil.copytree(FIXTURES, plugins)
    clock = FakeClock(START_NS)
    settings = {"plugin_dir": plugins, "plugin_timeout": parse_duration("5s"), **config}
    app = create_app(ServerConfig.for_tests(tmp_path / "data", **settings), clock=clock)
    client = TestClient(app, base_url="http://127.0.0.1")
    client.__enter__()
    env = Env(client, app.state, clock, plugins)
    env.close = lambda: client.__exit__(None, None, None)
    return env


@pytest.fixture
def env(tmp_path):
    e = make_env(tmp_path)
    assert e.client.post("/api/v3/configure/database", json={"db": "d"}).status_code == 200
    yield e
    e.close()


# ---------------------------------------------------------------------- WAL triggers


def test_wal_trigger_gets_rows_shaped_like_influxdb_and_its_writes_land(env):
    assert env.create("echo", "wal_echo.py", "all_tables", trigger_arguments={"target": "echo"}).status_code == 200
    env.write('cpu,host=a v=1,n=2i 100\ncpu,host=b v=2 200\nmem,host=a free=5u,ok=t,s="x" 300')
    rows = wait_for(lambda: env.sql("SELECT source, columns, time FROM echo ORDER BY time"))
    assert [(r["source"], r["columns"]) for r in rows] == [("cpu", 4), ("cpu", 3), ("mem", 5)]
    first = env.logs("echo")[1]
    assert first == (
        "table_batches [{'table_name': 'cpu', 'rows': [{'host': 'a', 'v': 1.0, 'n': 2, 'time': 100}, "
        "{'host': 'b', 'v': 2.0, 'time': 200}]}, {'table_name': 'mem', 'rows': [{'host': 'a', 'free': 5, "
        "'ok': True, 's': 'x', 'time': 300}]}] args {'target': 'echo'}"
    )
    assert env.logs("echo").count("starting execution of wal plugin.") == 2  # its own write re-triggered it once


def test_table_trigger_is_called_with_no_batches_for_other_tables(env):
    env.create("cpu_only", "wal_echo.py", "table:cpu")
    env.write("mem v=1 1")
    wait_for(lambda: any(t.startswith("table_batches [] ") for t in env.logs("cpu_only")))
    env.write("cpu v=1 1\nmem v=2 2")
    wait_for(lambda: env.sql("SELECT count(*) AS n FROM echo") == [{"n": 1}])
    assert any(t.startswith("table_batches [{'table_name': 'cpu', 'rows': [{'v': 1.0") for t in env.logs("cpu_only"))


def test_writes_to_other_databases_do_not_reach_the_trigger(env):
    env.create("echo", "wal_echo.py", "all_tables")
    env.write("cpu v=1 1", db="elsewhere")
    env.write("cpu v=1 1")
    wait_for(lambda: env.sql("SELECT count(*) AS n FROM echo") == [{"n": 1}])
    assert not any("elsewhere" in t for t in env.logs("echo"))


def test_plugin_write_methods(env):
    env.create("w", "writer.py", "request:w")
    c = env.client
    assert c.get("/api/v3/engine/w", params={"mode": "buffered", "v": "1"}).text == "ok"
    assert c.get("/api/v3/engine/w", params={"mode": "to_db", "db": "made_by_plugin"}).text == "ok"
    assert c.get("/api/v3/engine/w", params={"mode": "sync", "v": "2"}).text == "ok"
    bad = c.get("/api/v3/engine/w", params={"mode": "sync_to_db", "db": "bad name"}).json()
    assert bad["error"].startswith("error writing line protocol to bad name: invalid database name:")
    rows = env.sql("SELECT mode, v FROM written ORDER BY v")
    assert rows == [{"mode": "buffered", "v": 1.0}, {"mode": "sync", "v": 2.0}]
    assert env.sql("SELECT mode FROM written", db="made_by_plugin") == [{"mode": "to_db"}]
    assert c.get("/api/v3/engine/w", params={"mode": "conflict"}).text == "ok"
    errors = env.logs("w", "ERROR")
    assert errors == [
        "error running request plugin: error writing back lines to d: line protocol parse failed: invalid column "
        "type for column 'v', expected iox::column_type::field::float, got iox::column_type::field::string"
    ]


def test_query_from_a_plugin_maps_types_and_binds_parameters(env):
    env.create("q", "queries.py", "request:q")
    env.write('m,host=a u=7u,i=-1i,f=1.5,b=t,s="x" 5\nm,host=b i=2i 6')
    r = env.client.get("/api/v3/engine/q", params={"q": "SELECT * FROM m WHERE host = $h", "p_h": "a"})
    assert r.json() == {"rows": [{"b": True, "f": 1.5, "host": "a", "i": -1, "s": "x", "time": 5, "u": 7}]}
    r = env.client.get("/api/v3/engine/q", params={"q": "SELECT s FROM m WHERE host = 'b'"})
    assert r.json() == {"rows": [{"s": None}]}
    r = env.client.get("/api/v3/engine/q", params={"q": "SELECT * FROM nope"})
    assert r.status_code == 400
    assert r.json()["error"].startswith("QueryError: error: error while planning query: Error during planning:")
    assert r.json()["error"].endswith("executing query on d: SELECT * FROM nope")
    r = env.client.get("/api/v3/engine/q", params={"q": "SELECT arrow_cast(1, 'Date32') AS d"})
    assert r.json() == {"error": "ValueError: Unsupported data type: Date32"}
    r = env.client.get("/api/v3/engine/q", params={"q": "SELECT 1", "db": "bad name"})
    assert r.json()["error"].startswith("QueryError: invalid database name provided:")


def test_cache_is_per_trigger_with_a_global_namespace_and_dropped_when_the_trigger_stops(env):
    env.create("c1", "cache_user.py", "request:c1")
    env.create("c2", "cache_user.py", "request:c2")
    get = env.client.get
    assert get("/api/v3/engine/c1").json() == {"local": 1, "global": 1}
    assert get("/api/v3/engine/c1").json() == {"local": 2, "global": 2}
    assert get("/api/v3/engine/c2").json() == {"local": 1, "global": 3}
    env.client.post(f"{TRIGGER}/disable", params={"db": "d", "trigger_name": "c1"})
    env.client.post(f"{TRIGGER}/enable", params={"db": "d", "trigger_name": "c1"})
    assert get("/api/v3/engine/c1").json() == {"local": 1, "global": 4}


# ---------------------------------------------------------------------- schedules


def test_every_schedule_on_the_server_clock_catches_up(env):
    env.create("tick", "schedule_tick.py", "every:10s", trigger_arguments={"name": "e"})
    env.clock.advance(10 * 10**9)
    wait_for(lambda: env.sql("SELECT count(*) AS n FROM tick") == [{"n": 1}])
    env.clock.advance(30 * 10**9)  # three firings were missed: all of them run
    rows = wait_for(lambda: (r := env.sql("SELECT second, call_time FROM tick ORDER BY time")) and len(r) == 4 and r)
    assert [r["second"] for r in rows] == [10, 20, 30, 40]
    assert "starting execution with scheduled time 2026-01-01 00:00:10 UTC" in env.logs("tick")


def test_cron_schedule_with_seconds(env):
    env.create("cron", "schedule_tick.py", "cron:*/5 * * * * *")
    env.clock.advance(12 * 10**9)
    wait_for(lambda: env.sql("SELECT count(*) AS n FROM tick") == [{"n": 2}])
    assert env.logs("cron")[0] == "starting execution with scheduled time 2026-01-01 00:00:05 UTC"


# ---------------------------------------------------------------------- request triggers


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "body"),
    [
        ("str", 200, "text/html", b"<p>hello</p>"),
        ("dict", 200, "application/json", b'{"status": "ok"}'),
        ("tuple_status", 201, "text/html", b"created"),
        ("tuple3", 418, "text/x-tea", b"teapot"),
        ("other", 200, "text/plain", b"42"),
        ("generator", 200, "text/html", b"ab"),
        ("flask", 201, None, b"flask body"),
        ("bad_status", 500, "text/html", b"x"),
    ],
)
def test_request_trigger_return_values(env, kind, status, content_type, body):
    env.create("kinds", "request_kinds.py", "request:kinds")
    r = env.client.get("/api/v3/engine/kinds", params={"kind": kind})
    assert (r.status_code, r.headers.get("content-type"), r.content) == (status, content_type, body)
    assert r.headers["access-control-allow-origin"] == "*"


def test_request_trigger_inputs_and_errors(env):
    env.create("kinds", "request_kinds.py", "request:kinds")
    r = env.client.post(
        "/api/v3/engine/kinds?kind=echo&kind=echo",
        content=gzip.compress(b"zipped"),
        headers={"Content-Encoding": "gzip", "Authorization": "Bearer secret", "X-Two": "2"},
    )
    assert r.json() == {"body": "zipped"}
    assert "'authorization'" not in env.logs("kinds")[1] and "'x-two'" in env.logs("kinds")[1]
    missing = env.client.get("/api/v3/engine/nothing")
    assert (missing.status_code, missing.content) == (404, b'{error: "not found"}')
    assert env.client.put("/api/v3/engine/kinds").status_code == 404
    none = env.client.get("/api/v3/engine/kinds", params={"kind": "none"})
    assert (none.status_code, none.json()) == (500, {"error": "Unsupported return type from Python function"})


def test_request_plugin_exception_is_a_500_and_logged_with_traceback(env):
    env.create("boom", "raises.py", "request:boom")
    r = env.client.get("/api/v3/engine/boom")
    assert (r.status_code, r.json()) == (500, {"error": "Python function call failed: ValueError: boom"})
    (error,) = env.logs("boom", "ERROR")
    assert error.startswith("error running request plugin: Python function call failed: ValueError: boom\nTraceback")
    assert f'File "{env.plugins / "raises.py"}", line 19, in process_request' in error


def test_concurrent_request_calls_overlap_only_with_run_async(env):
    env.create("par", "slow.py", "request:par", run_async=True)
    env.create("seq", "slow.py", "request:seq")

    def spans(path: str) -> list[tuple[float, float]]:
        out: list = []
        threads = [
            threading.Thread(target=lambda: out.append(env.client.get(path, params={"s": "0.3"}).json()))
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sorted((r["start"], r["end"]) for r in out)

    par = spans("/api/v3/engine/par")
    assert par[-1][0] < par[0][1]  # the last one started before the first ended
    seq = spans("/api/v3/engine/seq")
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(seq))


def test_a_request_in_flight_is_answered_when_its_trigger_is_deleted(env):
    env.create("slow", "slow.py", "request:slow")
    result: list = []
    caller = threading.Thread(target=lambda: result.append(env.client.get("/api/v3/engine/slow", params={"s": "2"})))
    caller.start()
    wait_for(lambda: "starting execution of request plugin." in env.logs("slow"))
    started = time.monotonic()
    r = env.client.delete(TRIGGER, params={"db": "d", "trigger_name": "slow", "force": "true"})
    assert r.status_code == 200
    caller.join()
    assert time.monotonic() - started < 1.5
    assert (result[0].status_code, result[0].json()) == (500, {"error": "trigger slow was stopped"})


# ---------------------------------------------------------------------- failures


def test_error_behavior_log_keeps_the_traceback(env):
    env.create("flaky", "flaky.py", "all_tables", error_behavior="log")
    env.write("cpu v=1 1")
    error = wait_for(lambda: env.logs("flaky", "ERROR"))[0]
    assert error.startswith("error executing wal plugin: RuntimeError: failure 1\nTraceback (most recent call last):")
    assert f'File "{env.plugins / "flaky.py"}", line 9, in process_writes' in error


def test_error_behavior_retry_is_bounded_with_backoff(env, monkeypatch):
    monkeypatch.setattr("workbench.server.engine.triggers.RETRY_BASE_SECONDS", 0.01)
    env.create("flaky", "flaky.py", "table:cpu", error_behavior="Retry", trigger_arguments={"fail_times": "2"})
    env.write("cpu v=1 1")
    assert wait_for(lambda: env.sql("SELECT calls FROM flaky", db="results")) == [{"calls": 3}]
    assert [t.split(";")[1] for t in env.logs("flaky", "WARN")] == [
        " retrying in 0.01s (retry 1 of 5)",
        " retrying in 0.02s (retry 2 of 5)",
    ]
    env.create("hopeless", "flaky.py", "table:mem", error_behavior="retry")
    env.write("mem v=1 1")
    error = wait_for(lambda: env.logs("hopeless", "ERROR"))[0]
    assert error.startswith("error executing wal plugin: RuntimeError: failure 6 (gave up after 6 attempts)\n")


def test_error_behavior_disable_persists_in_the_catalog(env):
    env.create("fragile", "raises.py", "all_tables", error_behavior="disable")
    env.write("cpu v=1 1")
    wait_for(lambda: env.state.catalog.db("d").triggers["fragile"].disabled)
    rows = env.sql("SELECT trigger_name, disabled, error_behavior FROM system.processing_engine_triggers")
    assert rows == [{"trigger_name": "fragile", "disabled": True, "error_behavior": "disable"}]
    assert env.logs("fragile", "ERROR")[-1] == "trigger fragile disabled after an error (error_behavior: disable)"
    calls = env.logs("fragile").count("starting execution of wal plugin.")
    env.write("cpu v=2 2")
    time.sleep(0.1)
    assert env.logs("fragile").count("starting execution of wal plugin.") == calls
    assert env.client.post(f"{TRIGGER}/enable", params={"db": "d", "trigger_name": "fragile"}).status_code == 200
    env.write("cpu v=3 3")
    wait_for(lambda: env.logs("fragile").count("starting execution of wal plugin.") > calls)


def test_runaway_plugin_is_stopped_and_does_not_block_the_wal(tmp_path):
    env = make_env(tmp_path, plugin_timeout=parse_duration("3s"))
    try:
        env.client.post("/api/v3/configure/database", json={"db": "d"})
        env.create("runaway", "loops_forever.py", "table:cpu")
        env.create("echo", "wal_echo.py", "table:cpu")
        started = time.monotonic()
        env.write("cpu v=1 1")
        env.write("cpu v=2 2")
        if time.monotonic() - started < 2.5:  # (a busy plugin thread competes for the GIL on a loaded machine)
            assert env.logs("runaway", "ERROR") == []  # the writes returned while the plugin still runs
        wait_for(lambda: env.sql("SELECT count(*) AS n FROM echo") == [{"n": 2}], timeout=10)  # other triggers run
        error = wait_for(lambda: env.logs("runaway", "ERROR"), timeout=15)[0]
        assert error.startswith("error executing wal plugin: plugin call timed out after 3s (--plugin-timeout)\n")
        assert f'File "{env.plugins / "loops_forever.py"}", line' in error
        wait_for(lambda: "the abandoned plugin call has stopped" in env.logs("runaway"), timeout=15)
        wait_for(lambda: len(env.logs("runaway", "ERROR")) == 2, timeout=15)  # the next flush was handled too
        env.create("runaway_request", "loops_forever.py", "request:loop")
        r = env.client.get("/api/v3/engine/loop")
        assert (r.status_code, r.json()) == (500, {"error": "plugin call timed out after 3s (--plugin-timeout)"})
        wait_for(lambda: not [t for t in threading.enumerate() if t.name.startswith("plugin:")], timeout=15)
    finally:
        env.close()


def test_stopping_a_trigger_stops_its_runaway_call(tmp_path):
    env = make_env(tmp_path, plugin_timeout=0)
    try:
        env.client.post("/api/v3/configure/database", json={"db": "d"})
        env.create("runaway", "loops_forever.py", "table:cpu")
        env.write("cpu v=1 1")
        wait_for(lambda: "looping" in env.logs("runaway"))
        assert env.client.post(f"{TRIGGER}/disable", params={"db": "d", "trigger_name": "runaway"}).status_code == 200
        wait_for(lambda: "the abandoned plugin call has stopped" in env.logs("runaway"))
        wait_for(lambda: not [t for t in threading.enumerate() if t.name.startswith("plugin:")])
    finally:
        env.close()


def test_plugins_that_fail_to_import(env):
    env.create("broken", "broken_package", "all_tables")
    env.create("raises", "raises_on_import.py", "all_tables")
    env.write("cpu v=1 1")
    broken = wait_for(lambda: env.logs("broken", "ERROR"))[0]
    assert broken.startswith(
        "error executing wal plugin: Failed to import plugin module 'broken_package': ModuleNotFoundError: "
        "No module named 'broken_package.missing_module'\nHint: Check for syntax errors or missing dependencies"
    )
    raises = wait_for(lambda: env.logs("raises", "ERROR"))[0]
    assert raises.startswith("error executing wal plugin: ImportError: no module named 'not_installed'\nTraceback")
    assert env.client.get("/health").status_code == 200


# ---------------------------------------------------------------------- trigger management


def test_create_trigger_checks_in_influxdb_order(env):
    assert env.create("t", "nope.py", "all_tables").text == (
        f"Plugin error: reading plugin file: Plugin not found: {env.plugins / 'nope.py'}"
    )
    assert env.create("t", "wal_echo.py", "every:2y").status_code == 500
    assert env.create("t", "wal_echo.py", "all_tables", db="_internal").text == "cannot modify internal db"
    r = env.create("t", "wal_echo.py", "all_tables", db="nodb")
    assert (r.status_code, r.text) == (404, "Database not found nodb")
    assert env.create("t", "wal_echo.py", "all_tables").status_code == 200
    r = env.create("t", "wal_echo.py", "all_tables")
    assert (r.status_code, r.text) == (409, "attempted to create a resource that already exists")
    r = env.create("u", "wal_echo.py", "all_tables", error_behavior="sometimes")
    assert r.status_code == 400
    r = env.create("u", "wal_echo.py", "all_tables", trigger_arguments={"n": 1})
    assert r.status_code == 400


@pytest.mark.parametrize("name", ["../outside.py", "/etc/passwd", "sub/../../outside.py", "link/outside.py"])
def test_path_traversal_is_refused_everywhere(env, tmp_path, name):
    (tmp_path / "outside.py").write_text("def process_writes(a, b, c):\n    pass\n")
    (env.plugins / "link").symlink_to(tmp_path)
    message = f"Path traversal detected: plugin filename '{name}' attempts to access files outside the plugin directory"
    r = env.create("t", name, "all_tables")
    assert (r.status_code, r.text) == (500, f"Plugin error: {message}")
    r = env.client.post("/api/v3/plugin_test/wal", json={"filename": name, "database": "d", "input_lp": "m v=1"})
    assert (r.status_code, r.text) == (500, f"Plugin error: {message}")
    r = env.client.post("/api/v3/plugins/files", json={"plugin_name": name, "content": "x = 1"})
    assert (r.status_code, r.text) == (500, f"Processing engine error: plugin error: {message}")
    assert (tmp_path / "outside.py").read_text().startswith("def process_writes")


def test_disable_enable_and_delete_with_force(env):
    env.create("t", "wal_echo.py", "all_tables")
    r = env.client.delete(TRIGGER, params={"db": "d", "trigger_name": "t"})
    assert (r.status_code, r.text) == (500, "Cannot delete running plugin t. Disable it first or use --force.")
    assert env.client.post(f"{TRIGGER}/disable", params={"db": "d", "trigger_name": "t"}).status_code == 200
    assert env.client.post(f"{TRIGGER}/disable", params={"db": "d", "trigger_name": "t"}).status_code == 200
    env.write("cpu v=1 1")
    time.sleep(0.05)
    assert env.logs("t") == []
    assert env.client.post(f"{TRIGGER}/enable", params={"db": "d", "trigger_name": "t"}).status_code == 200
    env.write("cpu v=2 2")
    wait_for(lambda: env.logs("t"))
    r = env.client.delete(TRIGGER, params={"db": "d", "trigger_name": "t", "force": "true"})
    assert r.status_code == 200 and env.state.engine.runners == {}
    r = env.client.delete(TRIGGER, params={"db": "d", "trigger_name": "t"})
    assert (r.status_code, r.text) == (404, "the requested resource was not found: t")
    assert env.client.post(f"{TRIGGER}/enable", params={"db": "d"}).status_code == 400
    env.create("v", "wal_echo.py", "all_tables", disabled=True)
    assert env.client.request("DELETE", TRIGGER, json={"db": "d", "trigger_name": "v"}).status_code == 200


@pytest.mark.parametrize("hard_delete_at", ["default", "now"])
def test_deleting_the_database_stops_its_triggers(env, hard_delete_at):
    env.create("r", "request_kinds.py", "request:r")
    env.create("c", "cache_user.py", "request:c")
    assert env.client.get("/api/v3/engine/c").json() == {"local": 1, "global": 1}
    params = {"db": "d", "hard_delete_at": hard_delete_at}
    assert env.client.delete("/api/v3/configure/database", params=params).status_code == 200
    wait_for(lambda: env.client.get("/api/v3/engine/r").status_code == 404)
    wait_for(lambda: not env.state.engine.runners)
    assert env.state.engine.cache.get(("trigger", 1, "c"), "n") == (False, None)


def test_system_tables(env):
    env.create("a", "wal_echo.py", "table:cpu", trigger_arguments={"k2": "v2", "k1": "v1"})
    env.create("b", "schedule_tick.py", "every:1h", error_behavior="retry", disabled=True)
    rows = env.sql("SELECT * FROM system.processing_engine_triggers ORDER BY trigger_name")
    assert rows == [
        {
            "trigger_name": "a",
            "plugin_filename": "wal_echo.py",
            "trigger_specification": '{"single_table_wal_write":{"table_name":"cpu"}}',
            "disabled": False,
            "error_behavior": "log",
        },
        {
            "trigger_name": "b",
            "plugin_filename": "schedule_tick.py",
            "trigger_specification": '{"every":{"duration":{"secs":3600,"nanos":0}}}',
            "disabled": True,
            "error_behavior": "retry",
        },
    ]
    assert env.sql("SELECT * FROM system.processing_engine_trigger_arguments") == [
        {"trigger_name": "a", "argument_key": "k1", "argument_value": "v1"},
        {"trigger_name": "a", "argument_key": "k2", "argument_value": "v2"},
    ]
    env.write("cpu v=1 1")
    wait_for(lambda: env.sql("SELECT count(*) AS n FROM system.processing_engine_logs WHERE trigger_name = 'a'"))
    logs = env.sql("SELECT * FROM system.processing_engine_logs ORDER BY event_time LIMIT 1", db="_internal")
    assert logs == [
        {
            "event_time": "2026-01-01T00:00:00",
            "trigger_name": "a",
            "log_level": "INFO",
            "log_text": "starting execution of wal plugin.",
        }
    ]
    files = env.sql("SELECT plugin_name, file_name, size_bytes FROM system.plugin_files ORDER BY 1", db="_internal")
    assert [(f["plugin_name"], f["file_name"]) for f in files] == [("a", "wal_echo.py"), ("b", "schedule_tick.py")]


# ---------------------------------------------------------------------- plugin files


def test_plugin_file_endpoints_and_reload_on_change(env):
    c = env.client
    code = "def process_request(influxdb3_local, q, h, b, args=None):\n    return 'v1'\n"
    assert c.post("/api/v3/plugins/files", json={"plugin_name": "new/hello.py", "content": code}).status_code == 200
    env.create("hello", "new/hello.py", "request:hello")
    assert c.get("/api/v3/engine/hello").text == "v1"
    code2 = code.replace("v1", "v2")
    assert c.put("/api/v3/plugins/files", json={"plugin_name": "hello", "content": code2}).status_code == 200
    assert c.get("/api/v3/engine/hello").text == "v2"
    r = c.put("/api/v3/plugins/files", json={"plugin_name": "nobody", "content": code})
    assert (r.status_code, r.text) == (500, "Processing engine error: plugin error: Plugin not found: nobody")

    env.create("pkg", "package_plugin", "request:pkg")
    assert c.get("/api/v3/engine/pkg", params={"n": "2"}).json() == {"value": 4, "prefix": "pkg_"}
    files = [
        {"relative_path": "__init__.py", "content": "from .impl import answer as process_request\n"},
        {"relative_path": "impl.py", "content": "def answer(local, q, h, b, args=None):\n    return 'replaced'\n"},
    ]
    assert c.put("/api/v3/plugins/directory", json={"plugin_name": "pkg", "files": files}).status_code == 200
    assert c.get("/api/v3/engine/pkg").text == "replaced"
    assert sorted(p.name for p in (env.plugins / "package_plugin").iterdir() if p.suffix == ".py") == [
        "__init__.py",
        "impl.py",
    ]
    bad = [{"relative_path": "../escape.py", "content": "x"}]
    r = c.put("/api/v3/plugins/directory", json={"plugin_name": "pkg", "files": bad})
    assert r.status_code == 500 and "Path traversal detected" in r.text
    assert c.get("/api/v3/engine/pkg").text == "replaced"  # the old tree is untouched


# ---------------------------------------------------------------------- dry runs


def test_wal_dry_run_captures_writes_and_validates_them(env):
    env.write("echo,source=x columns=1.5 1")  # `columns` is a float here: the plugin's integer conflicts
    r = env.client.post(
        "/api/v3/plugin_test/wal",
        json={"filename": "wal_echo.py", "database": "d", "input_lp": "cpu,host=a v=1 7\nnew_table f=1i 8"},
    )
    body = r.json()
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert list(body) == ["log_lines", "database_writes", "errors"]
    assert body["log_lines"][0] == "INFO: starting execution of wal plugin."
    assert body["log_lines"][1].startswith("INFO: table_batches [{'table_name': 'cpu', 'rows': [{'host': 'a'")
    assert body["log_lines"][2].startswith("INFO: finished execution in ")
    assert body["database_writes"] == {"d": ["echo,source=cpu columns=3i 7", "echo,source=new_table columns=2i 8"]}
    assert body["errors"] == [
        'line protocol parse error on write to db d: WriteLineError { original_line: "echo,source=cpu colu", '
        "line_number: 1, error_message: \"invalid column type for column 'columns', expected "
        'iox::column_type::field::float, got iox::column_type::field::integer" }'
    ]
    assert env.state.catalog.table("d", "new_table") is None  # nothing was written or created
    assert env.sql("SELECT count(*) AS n FROM echo") == [{"n": 1}]


def test_wal_dry_run_errors(env):
    post = env.client.post
    r = post("/api/v3/plugin_test/wal", json={"filename": "raises.py", "database": "d", "input_lp": "m v=1"})
    body = r.json()
    assert body["log_lines"] == [] and body["database_writes"] == {}
    assert body["errors"] == ["error executing plugin: ValueError: boom"]
    assert 'raises.py", line 6, in helper' in body["traceback"]
    r = post("/api/v3/plugin_test/wal", json={"filename": "wal_echo.py", "database": "d", "input_lp": "m v="})
    assert r.json()["errors"][0].startswith("line protocol parse failed: ")
    r = post("/api/v3/plugin_test/wal", json={"filename": "missing.py", "database": "d", "input_lp": "m v=1"})
    assert (r.status_code, r.text) == (
        500,
        f"Plugin error: reading plugin file: Plugin not found: {env.plugins}/missing.py",
    )


def test_schedule_dry_run(env):
    post = env.client.post
    r = post("/api/v3/plugin_test/schedule", json={"filename": "schedule_tick.py", "database": "d"})
    body = r.json()
    assert list(body) == ["trigger_time", "log_lines", "database_writes", "errors"]
    assert body["trigger_time"] == "2026-01-01T00:00:01Z"
    assert body["database_writes"]["d"][0].startswith("tick,trigger=t second=1i,call_time=")
    assert body["errors"] == []
    r = post(
        "/api/v3/plugin_test/schedule",
        json={"filename": "schedule_tick.py", "database": "d", "schedule": "0 0 9 * * *"},
    )
    assert r.json()["trigger_time"] == "2026-01-01T09:00:00Z"
    r = post("/api/v3/plugin_test/schedule", json={"filename": "schedule_tick.py", "database": "nodb"})
    assert r.json() == {"trigger_time": None, "log_lines": [], "database_writes": {}, "errors": ["couldn't find db"]}
    r = post("/api/v3/plugin_test/schedule", json={"filename": "schedule_tick.py", "database": "d", "schedule": "* *"})
    assert r.json()["errors"][0].startswith("invalid cron syntax: ")
    r = post("/api/v3/plugin_test/schedule", json={"filename": "raises.py", "database": "d"})
    assert r.json()["trigger_time"] is None and r.json()["errors"] == ["error executing plugin: ValueError: boom"]
    assert env.state.catalog.table("d", "tick") is None


def test_request_dry_run_extension(env):
    r = env.client.post(
        "/api/v3/plugin_test/request",
        json={
            "filename": "request_kinds.py",
            "database": "d",
            "path": "/api/v3/engine/x?kind=tuple3",
            "headers": {"X-A": "1", "Authorization": "Token t"},
        },
    )
    body = r.json()
    assert (body["status"], body["headers"], body["body"]) == (418, {"Content-Type": "text/x-tea"}, "teapot")
    assert body["log_lines"][1] == "INFO: headers ['x-a']"
    r = env.client.post(
        "/api/v3/plugin_test/request",
        json={"filename": "writer.py", "database": "d", "query_parameters": {"mode": "to_db", "db": "bad name"}},
    )
    body = r.json()
    assert body["database_writes"] == {"bad name": ["written,mode=to_db v=1.0"]}
    assert body["errors"][0].startswith("database name bad name is invalid: ")
    r = env.client.post("/api/v3/plugin_test/request", json={"filename": "writer.py", "database": "d", "method": "PUT"})
    assert r.status_code == 400


# ---------------------------------------------------------------------- servers without the engine set up


def test_without_plugin_dir(inproc):
    client, _, _ = inproc
    client.post("/api/v3/configure/database", json={"db": "d"})
    body = {"db": "d", "plugin_filename": "x.py", "trigger_name": "t", "trigger_specification": "all_tables"}
    r = client.post(TRIGGER, json=body)
    assert (r.status_code, r.text) == (500, "Plugin error: Node not configured with plugin directory")
    r = client.post("/api/v3/plugin_test/wal", json={"filename": "x.py", "database": "d", "input_lp": "m v=1"})
    assert (r.status_code, r.text) == (500, "Plugin error: Node not configured with plugin directory")
    r = client.post("/api/v3/plugins/files", json={"plugin_name": "x.py", "content": ""})
    assert (r.status_code, r.text) == (500, "Processing engine error: plugin error: No plugin directory configured")
    r = client.post("/api/v3/configure/plugin_environment/install_packages", json={"packages": ["x"]})
    assert (r.status_code, r.text) == (
        500,
        "Processing engine error: error installing python packages: Plugin environment management is disabled",
    )


def test_package_installation_disabled(tmp_path):
    env = make_env(tmp_path, package_manager="disabled")
    try:
        r = env.client.post("/api/v3/configure/plugin_environment/install_packages", json={"packages": ["x"]})
        assert (r.status_code, r.text) == (
            403,
            "Package installation has been disabled. Contact your administrator for more information.",
        )
    finally:
        env.close()


def test_a_trigger_needs_a_name(env):
    r = env.client.post(
        TRIGGER,
        json={"db": "d", "plugin_filename": "wal_echo.py", "trigger_name": " ", "trigger_specification": "all_tables"},
    )
    assert (r.status_code, r.text) == (400, "trigger name cannot be empty")
