"""Entry points: InfluxDB 3's signatures, framing log lines, error texts and tracebacks."""

from __future__ import annotations

import builtins
import datetime as dt

from workbench.plugins.runtime import (
    PluginSource,
    run_process_request,
    run_process_scheduled_call,
    run_process_writes,
)
from workbench.plugins.runtime.calls import call_time_for, schedule_time_text
from workbench.plugins.runtime.errors import MISSING_ENTRY_POINT


def test_process_writes_gets_batches_args_and_framing_lines(plugin_dir, call):
    batches = [{"table_name": "cpu", "rows": [{"host": "a", "v": 1.0, "time": 5}]}]
    outcome = run_process_writes(PluginSource(plugin_dir / "wal_echo.py"), call.ctx, batches, {"target": "t"})
    assert outcome.ok and outcome.response is None
    texts = call.texts("INFO")
    assert texts[0] == "starting execution of wal plugin."
    assert texts[1] == f"table_batches {batches} args {{'target': 't'}}"
    assert texts[2].startswith("finished execution in ")
    assert call.ctx.writes == {"db": ["t,source=cpu columns=3i 5"]}


def test_line_builder_is_a_builtin(plugin_dir, call):
    run_process_writes(PluginSource(plugin_dir / "wal_echo.py"), call.ctx, [], None)
    from workbench.protocol.line_builder import LineBuilder

    assert builtins.LineBuilder is LineBuilder


def test_scheduled_call_gets_naive_local_whole_seconds(plugin_dir, call):
    fire = 1_767_225_605_250_000_000
    outcome = run_process_scheduled_call(PluginSource(plugin_dir / "schedule_tick.py"), call.ctx, fire, None)
    assert outcome.ok
    assert call.texts()[0] == "starting execution with scheduled time 2026-01-01 00:00:05.250 UTC"
    expected = dt.datetime.fromtimestamp(1_767_225_605)
    assert call_time_for(fire) == expected and expected.tzinfo is None
    assert call.texts()[1] == f"tick at {expected.isoformat()}"


def test_schedule_time_text_matches_chrono():
    assert schedule_time_text(0) == "1970-01-01 00:00:00 UTC"
    assert schedule_time_text(1_500) == "1970-01-01 00:00:00.000001500 UTC"


def test_missing_entry_points_use_influxdb_messages(plugin_dir, call):
    source = PluginSource(plugin_dir / "no_entry_points.py")
    w = run_process_writes(source, call.ctx, [], None)
    s = run_process_scheduled_call(source, call.ctx, 0, None)
    r = run_process_request(source, call.ctx, {}, {}, b"", None)
    assert w.failure.message == MISSING_ENTRY_POINT["process_writes"]
    assert s.failure.message == MISSING_ENTRY_POINT["process_scheduled_call"]
    assert r.failure.message == MISSING_ENTRY_POINT["process_request"]
    assert w.failure.message.endswith("process_writes(influxdb3_local, table_batches, args=None)")
    assert w.failure.traceback is None
    assert "finished execution" not in " ".join(call.texts())


def test_exception_has_one_line_message_and_traceback_with_plugin_file_and_line(plugin_dir, call):
    path = plugin_dir / "raises.py"
    outcome = run_process_writes(PluginSource(path), call.ctx, [], None)
    assert outcome.failure.message == "ValueError: boom"
    tb = outcome.failure.traceback
    assert tb.startswith("Traceback (most recent call last):")
    assert f'File "{path}", line 11, in process_writes' in tb
    assert f'File "{path}", line 6, in helper' in tb
    assert tb.endswith("ValueError: boom")
    assert "workbench/plugins/runtime" not in tb  # the runtime's own frames are left out
    assert call.ctx.writes == {"db": ["never v=1i"]}  # buffered, but the host discards them


def test_request_exception_is_prefixed_like_influxdb(plugin_dir, call):
    outcome = run_process_request(PluginSource(plugin_dir / "raises.py"), call.ctx, {}, {}, b"", None)
    assert outcome.failure.message == "Python function call failed: ValueError: boom"
    assert "line 19, in process_request" in outcome.failure.traceback


def test_module_level_code_runs_on_every_call_in_fresh_globals(tmp_path, call):
    path = tmp_path / "counter.py"
    path.write_text(
        "import builtins\n"
        "builtins.module_runs = getattr(builtins, 'module_runs', 0) + 1\n"
        "seen = globals().get('seen', 0) + 1\n"
        "def process_writes(influxdb3_local, table_batches, args=None):\n"
        "    influxdb3_local.info(builtins.module_runs, seen, __name__)\n"
    )
    source = PluginSource(path)
    builtins.module_runs = 0
    try:
        run_process_writes(source, call.ctx, [], None)
        run_process_writes(source, call.ctx, [], None)
    finally:
        del builtins.module_runs
    assert [t for t in call.texts() if not t.startswith(("starting", "finished"))] == ["1 1 counter", "2 1 counter"]


def test_module_level_failure_and_syntax_error(plugin_dir, tmp_path, call):
    outcome = run_process_writes(PluginSource(plugin_dir / "raises_on_import.py"), call.ctx, [], None)
    assert outcome.failure.message == "ImportError: no module named 'not_installed'"
    assert 'raises_on_import.py", line 3, in <module>' in outcome.failure.traceback
    bad = tmp_path / "bad.py"
    bad.write_text("def process_writes(a, b, c):\n  x = 1\n    y = 2\n")
    outcome = run_process_writes(PluginSource(bad), call.ctx, [], None)
    assert outcome.failure.message == "IndentationError: unexpected indent (bad.py, line 3)"
    assert f'File "{bad}", line 3' in outcome.failure.traceback
    assert outcome.failure.traceback.endswith("IndentationError: unexpected indent")


def test_wrong_signature_is_reported_like_influxdb(tmp_path, call):
    path = tmp_path / "two_args.py"
    path.write_text("def process_writes(influxdb3_local, table_batches):\n    pass\n")
    outcome = run_process_writes(PluginSource(path), call.ctx, [], None)
    assert outcome.failure.message == "TypeError: process_writes() takes 2 positional arguments but 3 were given"


def test_system_exit_in_a_plugin_is_just_a_failure(tmp_path, call):
    path = tmp_path / "exits.py"
    path.write_text("import sys\ndef process_writes(influxdb3_local, table_batches, args=None):\n    sys.exit(3)\n")
    outcome = run_process_writes(PluginSource(path), call.ctx, [], None)
    assert outcome.failure.message == "SystemExit: 3"


def test_request_call_maps_the_return_value(plugin_dir, call):
    outcome = run_process_request(
        PluginSource(plugin_dir / "request_kinds.py"), call.ctx, {"kind": "echo"}, {"b": "1", "a": "2"}, b"hi", None
    )
    assert outcome.ok
    assert outcome.response.status == 200
    assert outcome.response.body == b'{"body": "hi"}'
    assert call.texts()[1] == "headers ['a', 'b']"


def test_unsupported_return_value_is_a_failure(plugin_dir, call):
    outcome = run_process_request(
        PluginSource(plugin_dir / "request_kinds.py"), call.ctx, {"kind": "none"}, {}, b"", None
    )
    assert outcome.failure.message == "Unsupported return type from Python function"
