"""The processing engine on the real server (a subprocess, auth on): every trigger type end to end,
restarts, and installing a real package into the plugin environment."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest
from serverproc import ServerProcess

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plugins"
TRIGGER = "/api/v3/configure/processing_engine_trigger"


def wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.05)


def rows(http, q: str, db: str = "d") -> list[dict]:
    r = http.get("/api/v3/query_sql", params={"db": db, "q": q, "format": "json"})
    return r.json() if r.status_code == 200 else []


def create(http, name: str, plugin: str, spec: str, db: str = "d", **extra) -> None:
    body = {"db": db, "plugin_filename": plugin, "trigger_name": name, "trigger_specification": spec, **extra}
    r = http.post(TRIGGER, json=body)
    assert r.status_code == 200, r.text


def plugin_dir(base: Path) -> Path:
    target = base / "plugins"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture(scope="module")
def engine_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("engine")
    proc = ServerProcess(base, "--wal-flush-interval", "10ms", "--plugin-dir", str(plugin_dir(base)))
    proc.start()
    with proc.client() as c:
        assert c.post("/api/v3/configure/database", json={"db": "d"}).status_code == 200
    yield proc
    proc.stop()


@pytest.fixture
def http(engine_server):
    with engine_server.client() as c:
        yield c


def test_wal_trigger(http):
    create(http, "echo", "wal_echo.py", "table:cpu", trigger_settings={"run_async": False, "error_behavior": "Log"})
    r = http.post(
        "/api/v3/write_lp", params={"db": "d", "precision": "nanosecond"}, content="cpu,host=a v=1 10\ncpu v=2 20"
    )
    assert r.status_code == 204
    assert wait_for(lambda: len(rows(http, "SELECT * FROM echo")) == 2)
    assert rows(http, "SELECT columns FROM echo ORDER BY time") == [{"columns": 3}, {"columns": 2}]


def test_cron_trigger_with_seconds_and_every_trigger(http):
    create(http, "cron", "schedule_tick.py", "cron:* * * * * *", trigger_arguments={"name": "cron"})
    create(http, "every", "schedule_tick.py", "every:1s", trigger_arguments={"name": "every"})
    q = "SELECT trigger, count(*) AS n FROM tick GROUP BY trigger ORDER BY trigger"
    got = wait_for(lambda: (r := rows(http, q)) and len(r) == 2 and all(x["n"] >= 2 for x in r) and r)
    assert [x["trigger"] for x in got] == ["cron", "every"]
    seconds = [r["second"] for r in rows(http, "SELECT second FROM tick WHERE trigger = 'cron' ORDER BY time")]
    assert len(set(seconds)) == len(seconds)  # one call per second, each with its own call time


@pytest.mark.parametrize(
    ("kind", "status", "content_type", "body", "header"),
    [
        ("str", 200, "text/html", b"<p>hello</p>", None),
        ("dict", 200, "application/json", b'{"status": "ok"}', None),
        ("list", 200, "application/json", b"[1, 2]", None),
        ("tuple_status", 201, "text/html", b"created", None),
        ("tuple_headers", 200, "application/json", b'{"a": 1}', ("x-custom", "v")),
        ("tuple3", 418, "text/x-tea", b"teapot", None),
        ("other", 200, "text/plain", b"42", None),
        ("generator", 200, "text/html", b"ab", None),
        ("bytes", 200, "text/html", b"", None),
        ("flask", 201, None, b"flask body", ("x-flask", "yes")),
        ("none", 500, "application/json", b'{"error":"Unsupported return type from Python function"}', None),
        ("no_content", 204, "text/html", b"", None),
    ],
)
def test_request_trigger_return_values(http, kind, status, content_type, body, header):
    if http.get("/api/v3/engine/kinds").status_code == 404:
        create(http, "kinds", "request_kinds.py", "request:kinds")
    r = http.get("/api/v3/engine/kinds", params={"kind": kind})
    assert (r.status_code, r.headers.get("content-type"), r.content) == (status, content_type, body)
    if header:
        assert r.headers[header[0]] == header[1]
    assert "cluster-uuid" in r.headers


def test_dry_run_on_the_real_server(http):
    r = http.post("/api/v3/write_lp", params={"db": "d", "precision": "nanosecond"}, content="dry columns=1.5 1")
    assert r.status_code == 204
    body = {"filename": "wal_echo.py", "database": "d", "input_lp": "cpu v=1 5", "input_arguments": {"target": "dry"}}
    answer = http.post("/api/v3/plugin_test/wal", json=body).json()
    assert answer["database_writes"] == {"d": ["dry,source=cpu columns=2i 5"]}
    assert answer["errors"] == [
        'line protocol parse error on write to db d: WriteLineError { original_line: "dry,source=cpu colum", '
        "line_number: 1, error_message: \"invalid column type for column 'columns', expected "
        'iox::column_type::field::float, got iox::column_type::field::integer" }'
    ]
    failing = http.post("/api/v3/plugin_test/schedule", json={"filename": "raises.py", "database": "d"}).json()
    assert failing["errors"] == ["error executing plugin: ValueError: boom"]
    assert 'raises.py", line 6, in helper' in failing["traceback"]
    assert rows(http, "SELECT count(*) AS n FROM dry") == [{"n": 1}]  # the dry run wrote nothing


def test_plugins_see_plugin_dir(engine_server, http):
    plugins = engine_server.data_dir / "plugins"
    (plugins / "env_probe.py").write_text(
        "import os\n\ndef process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):"
        "\n    return os.environ.get('PLUGIN_DIR', '')\n"
    )
    create(http, "probe", "env_probe.py", "request:probe")
    assert http.get("/api/v3/engine/probe").text == str(plugins)


def test_request_triggers_need_a_token(engine_server, http):
    create(http, "open", "request_kinds.py", "request:open")
    assert httpx.get(engine_server.url + "/api/v3/engine/open").status_code == 401
    assert http.get("/api/v3/engine/open").status_code == 200


def test_restart_keeps_triggers(fresh_server, tmp_path):
    plugins = plugin_dir(tmp_path)
    server = fresh_server("--wal-flush-interval", "10ms", "--plugin-dir", str(plugins))
    with server.client() as http:
        http.post("/api/v3/configure/database", json={"db": "d"})
        create(http, "echo", "wal_echo.py", "all_tables")
        create(http, "tick", "schedule_tick.py", "every:1s")
        create(http, "cache", "cache_user.py", "request:cache")
        create(http, "off", "request_kinds.py", "request:off", disabled=True)
        settings = {"run_async": False, "error_behavior": "disable"}
        create(http, "fragile", "raises.py", "table:cpu", trigger_settings=settings)
        http.post("/api/v3/write_lp", params={"db": "d"}, content="cpu v=1")
        disabled = "SELECT * FROM system.processing_engine_triggers WHERE trigger_name = 'fragile' AND disabled"
        wait_for(lambda: rows(http, disabled))
        assert http.get("/api/v3/engine/cache").json() == {"local": 1, "global": 1}
    server.restart()
    with server.client() as http:
        fragile_logs = "SELECT count(*) AS n FROM system.processing_engine_logs WHERE trigger_name = 'fragile'"
        assert rows(http, fragile_logs) == [{"n": 0}]  # the logs live in memory
        assert http.get("/api/v3/engine/cache").json() == {"local": 1, "global": 1}  # caches live in memory
        assert http.get("/api/v3/engine/off").status_code == 404
        states = rows(http, "SELECT trigger_name, disabled FROM system.processing_engine_triggers ORDER BY 1")
        assert states == [
            {"trigger_name": "cache", "disabled": False},
            {"trigger_name": "echo", "disabled": False},
            {"trigger_name": "fragile", "disabled": True},
            {"trigger_name": "off", "disabled": True},
            {"trigger_name": "tick", "disabled": False},
        ]
        before = rows(http, "SELECT count(*) AS n FROM echo")[0]["n"]
        http.post("/api/v3/write_lp", params={"db": "d"}, content="mem v=1")
        wait_for(lambda: rows(http, "SELECT count(*) AS n FROM echo")[0]["n"] > before)
        ticks = "SELECT count(*) AS n FROM system.processing_engine_logs WHERE trigger_name = 'tick'"
        wait_for(lambda: rows(http, ticks)[0]["n"])
        assert http.post(f"{TRIGGER}/enable", params={"db": "d", "trigger_name": "off"}).status_code == 200
        assert http.get("/api/v3/engine/off").status_code == 200


@pytest.mark.slow
def test_install_a_package_into_the_plugin_environment(fresh_server, tmp_path):
    plugins = plugin_dir(tmp_path)
    (plugins / "uses_tabulate.py").write_text(
        "import tabulate\n\n"
        "def process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):\n"
        "    return {'table': tabulate.tabulate([[1, 2]]), 'from': tabulate.__file__}\n"
    )
    server = fresh_server("--plugin-dir", str(plugins))
    with server.client(timeout=300) as http:
        http.post("/api/v3/configure/database", json={"db": "d"})
        install = "/api/v3/configure/plugin_environment/install_packages"
        assert http.post(install, json={"packages": ["tabulate"]}).status_code == 200
        create(http, "tab", "uses_tabulate.py", "request:tab")
        body = http.get("/api/v3/engine/tab").json()
        assert body["table"].splitlines()[1] == "1  2"
        assert body["from"].startswith(str(plugins / ".venv"))
        r = http.post(
            "/api/v3/configure/plugin_environment/install_requirements",
            json={"requirements_location": "does-not-exist.txt"},
        )
        assert r.status_code == 500
        assert r.text.startswith(
            "Processing engine error: error installing python packages: pip install failed (exit status 1):"
        )
        assert "does-not-exist.txt" in r.text
