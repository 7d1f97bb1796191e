"""The processing engine against the real embedded server: plugin files, dry runs, triggers.

Those server features land after the client; until then every call must either succeed or raise
a clean ``APIError``. This module starts its own server with a plugin directory (skipped if the
server does not take ``--plugin-dir`` yet) so the success paths are checked as soon as they exist.
"""

from __future__ import annotations

import pytest
from client_fakes import column, needs_server, success_or_api_error

from workbench import launcher
from workbench.client import Client

pytestmark = needs_server

PLUGIN = """
def process_writes(influxdb3_local, table_batches, args=None):
    for batch in table_batches:
        rows = len(batch["rows"])
        influxdb3_local.info("rows", batch["table_name"], rows)
        influxdb3_local.write(LineBuilder("seen").tag("table", batch["table_name"]).int64_field("rows", rows))


def process_scheduled_call(influxdb3_local, call_time, args=None):
    influxdb3_local.info("tick", (args or {}).get("greeting", ""))


def process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):
    return {"hello": query_parameters.get("name", "world")}
"""


@pytest.fixture(scope="module")
def engine_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    try:
        server = launcher.start(root / "server", plugin_dir=root / "plugins", reuse=False)
    except launcher.LauncherError as exc:
        if "--plugin-dir" in str(exc):
            pytest.skip(f"the server does not take --plugin-dir yet: {exc}")
        raise
    yield server
    server.stop()


@pytest.fixture
def engine(engine_server, request) -> Client:
    database = "eng_" + request.node.name.removeprefix("test_")[:40]
    with Client(engine_server.url, token=engine_server.token, database=database) as client:
        client.write("cpu,host=a v=1i 1")  # creates the database
        yield client
        client.delete_database(database)


@pytest.mark.slow  # on the module's own server
def test_plugin_files_and_dry_runs(engine: Client):
    ok, _ = success_or_api_error("create_plugin_file", engine.create_plugin_file, "wb_test.py", PLUGIN)
    lines = "cpu,host=a v=1i\ncpu,host=b v=2i"
    ok_wal, result = success_or_api_error("test_wal_plugin", engine.test_wal_plugin, "wb_test.py", lines)
    if ok and ok_wal:
        assert result.ok, result.errors
        assert "INFO: rows cpu 2" in result.log_lines
        assert result.database_writes == {engine.database: ["seen,table=cpu rows=2i"]}
        assert engine.query_sql("SELECT count(*) AS n FROM cpu")["n"].item() == 1  # dry runs write nothing

    arguments = {"greeting": "hi"}
    ok_schedule, result = success_or_api_error(
        "test_schedule_plugin", engine.test_schedule_plugin, "wb_test.py", arguments=arguments
    )
    if ok and ok_schedule:
        assert result.ok, result.errors
        assert "INFO: tick hi" in result.log_lines and result.trigger_time is not None

    ok_request, result = success_or_api_error(
        "test_request_plugin",
        engine.test_request_plugin,
        "wb_test.py",
        method="GET",
        query_parameters={"name": "ada"},
    )
    if ok and ok_request:
        assert result.ok, result.errors
        assert (result.status, result.json()) == (200, {"hello": "ada"})


@pytest.mark.slow  # on the module's own server
def test_a_dry_run_of_a_missing_plugin_fails_cleanly(engine: Client):
    ok, result = success_or_api_error("test_wal_plugin", engine.test_wal_plugin, "nope.py", "cpu v=1i")
    assert not ok or result.errors


@pytest.mark.slow  # on the module's own server
def test_request_trigger_lifecycle(engine: Client):
    success_or_api_error("create_plugin_file", engine.create_plugin_file, "wb_test.py", PLUGIN)
    spec = "request:wbhello"
    ok, _ = success_or_api_error("create_trigger", engine.create_trigger, "hello_trigger", "wb_test.py", spec)
    if not ok:
        return
    assert "hello_trigger" in column(engine.list_triggers(), "trigger_name")
    answer = engine.call_request_trigger("wbhello", method="GET", params={"name": "ada"})
    assert answer.json() == {"hello": "ada"}

    moon = PLUGIN.replace("world", "moon")
    ok, _ = success_or_api_error("update_plugin_file", engine.update_plugin_file, "hello_trigger", moon)
    expected = {"hello": "moon"} if ok else {"hello": "world"}
    assert engine.call_request_trigger("wbhello", method="POST").json() == expected
    assert "hello_trigger" in column(engine.list_plugin_files(), "plugin_name")

    engine.disable_trigger("hello_trigger")
    engine.enable_trigger("hello_trigger")
    engine.disable_trigger("hello_trigger")
    engine.delete_trigger("hello_trigger")
    assert "hello_trigger" not in column(engine.list_triggers(), "trigger_name")


@pytest.mark.slow  # on the module's own server
def test_wal_and_schedule_triggers(engine: Client):
    success_or_api_error("create_plugin_file", engine.create_plugin_file, "wb_test.py", PLUGIN)
    for name, spec in (("on_cpu", "table:cpu"), ("every_sec", "every:1s")):
        ok, _ = success_or_api_error(
            "create_trigger", engine.create_trigger, name, "wb_test.py", spec, arguments={"greeting": "hi"}
        )
        if ok:
            success_or_api_error("delete_trigger", engine.delete_trigger, name, force=True)


@pytest.mark.slow  # on the module's own server
def test_trigger_errors_are_clean(engine: Client):
    success_or_api_error("create_trigger", engine.create_trigger, "bad", "wb_test.py", "sometimes")
    success_or_api_error("delete_trigger", engine.delete_trigger, "no_such_trigger")
    success_or_api_error("enable_trigger", engine.enable_trigger, "no_such_trigger")


@pytest.mark.slow  # on the module's own server
def test_plugin_directory_and_packages(engine: Client):
    files = {"__init__.py": "x = 1\n"}
    success_or_api_error("update_plugin_directory", engine.update_plugin_directory, "no_such_trigger", files)
    success_or_api_error("install_requirements", engine.install_requirements, "/nonexistent/requirements.txt")


def test_engine_calls_on_a_server_without_plugin_dir_fail_cleanly(wb: Client):
    wb.write("cpu v=1i 1")
    success_or_api_error("create_plugin_file", wb.create_plugin_file, "x.py", PLUGIN)
    success_or_api_error("test_wal_plugin", wb.test_wal_plugin, "x.py", "cpu v=1i")
    success_or_api_error("test_schedule_plugin", wb.test_schedule_plugin, "x.py")
    success_or_api_error("create_trigger", wb.create_trigger, "t", "x.py", "every:10s")
    success_or_api_error("call_request_trigger", wb.call_request_trigger, "nothing_here")
