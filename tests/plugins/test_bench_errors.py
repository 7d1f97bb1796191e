"""Failures in bench runs: full tracebacks naming the plugin's file and line, in every mode; query errors."""

from __future__ import annotations

from conftest import BENCH

from workbench.plugins import run_request, run_schedule, run_wal

RAISER = BENCH / "raiser.py"


def _raiser_line(text: str) -> int:
    return next(i for i, line in enumerate(RAISER.read_text().splitlines(), 1) if text in line)


def test_wal_failure_has_the_plugins_traceback_and_drops_buffered_writes():
    result = run_wal(RAISER, "cpu v=1")
    assert not result.ok
    (error,) = result.errors
    assert error["kind"] == "exception" and error["type"] == "ValueError"
    assert error["message"] == "ValueError: no value to check"
    assert error["file"] == str(RAISER.resolve()) and error["line"] == _raiser_line('raise ValueError("no value')
    tb = error["traceback"]
    assert tb.startswith("Traceback (most recent call last):")
    assert f'raiser.py", line {_raiser_line("    check(None)")}, in process_writes' in tb
    assert "workbench/plugins" not in tb  # the runtime's own frames are left out
    assert result.writes == {}  # buffered writes of a failed call are discarded
    assert [log["message"] for log in result.logs] == ["starting execution of wal plugin.", "about to fail"]


def test_schedule_and_request_failures():
    scheduled = run_schedule(RAISER)
    assert scheduled.errors[0]["line"] == _raiser_line('raise ValueError("no value')
    assert "in process_scheduled_call" in scheduled.errors[0]["traceback"]
    request = run_request(RAISER)
    assert request.errors[0]["message"] == "Python function call failed: ValueError: no value to check"
    assert request.response == {
        "status": 500,
        "headers": {"Content-Type": "application/json"},
        "body": '{"error":"Python function call failed: ValueError: no value to check"}',
    }


def test_missing_entry_point_and_syntax_errors(tmp_path):
    result = run_schedule(BENCH / "downsampler.py")
    (error,) = result.errors
    assert error["type"] == "PluginError"
    assert error["message"].startswith("the process_scheduled_call function is not present in the plugin.")
    broken = tmp_path / "broken.py"
    broken.write_text("def process_writes(influxdb3_local, table_batches, args=None):\n  x = (\n")
    (error,) = run_wal(broken, "m v=1").errors
    assert error["type"] == "SyntaxError"
    assert error["message"] == "SyntaxError: '(' was never closed (broken.py, line 2)"
    assert error["file"] == str(broken) and error["line"] == 2


def test_query_errors_are_traced_and_raise_query_error(tmp_path):
    plugin = tmp_path / "bad_query.py"
    plugin.write_text(
        "def process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):\n"
        "    try:\n"
        "        influxdb3_local.query('SELECT foo FROM not_here')\n"
        "    except Exception as exc:\n"
        "        return {'type': type(exc).__name__, 'text': str(exc)}\n"
    )
    result = run_request(plugin)
    assert result.response["body"] == (
        '{"type": "QueryError", "text": "error: error while planning query: Error during planning: '
        "table 'public.iox.not_here' not found executing query on db: SELECT foo FROM not_here\"}"
    )
    (query,) = result.queries
    assert query["rows"] is None and "not_here" in query["error"]
