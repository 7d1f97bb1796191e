"""Dry-run capture and the shape of ``/api/v3/plugin_test/*`` answers."""

from __future__ import annotations

from workbench.plugins.runtime import DryRun, PluginSource, run_process_request, run_process_writes


def test_writes_are_captured_sync_first_and_validated(plugin_dir, host, store):
    plugin = plugin_dir / "sync_then_buffered.py"
    plugin.write_text(
        "def process_writes(influxdb3_local, table_batches, args=None):\n"
        "    influxdb3_local.info('hi')\n"
        "    influxdb3_local.write(LineBuilder('b').int64_field('v', 1))\n"
        "    influxdb3_local.write_sync(LineBuilder('s').int64_field('v', 1), False)\n"
        "    influxdb3_local.write_sync_to_db('other', LineBuilder('s').int64_field('v', 2), True)\n"
    )
    run = DryRun("db", host.query, store)
    outcome = run_process_writes(PluginSource(plugin), run.context, [], None)
    seen = []
    report = run.report(outcome, lambda writes: seen.append(writes) or ["an error"])
    assert report["database_writes"] == {"db": ["s v=1i", "b v=1i"], "other": ["s v=2i"]}
    assert report["errors"] == ["an error"] and seen == [report["database_writes"]]
    assert report["log_lines"][:2] == ["INFO: starting execution of wal plugin.", "INFO: hi"]
    assert report["log_lines"][2].startswith("INFO: finished execution in ")
    assert host.sync_writes == []  # nothing reached the host


def test_a_failed_call_answers_like_influxdb_plus_the_traceback(plugin_dir, host, store):
    run = DryRun("db", host.query, store)
    outcome = run_process_writes(PluginSource(plugin_dir / "raises.py"), run.context, [], None)
    report = run.report(outcome, lambda writes: [])
    assert list(report) == ["log_lines", "database_writes", "errors", "traceback"]
    assert report["log_lines"] == [] and report["database_writes"] == {}
    assert report["errors"] == ["error executing plugin: ValueError: boom"]
    assert 'raises.py", line 6, in helper' in report["traceback"]


def test_request_report_carries_the_response(plugin_dir, host, store):
    run = DryRun("db", host.query, store, "my-cache")
    outcome = run_process_request(
        PluginSource(plugin_dir / "request_kinds.py"), run.context, {"kind": "tuple3"}, {}, b"", None
    )
    report = run.request_report(outcome, lambda writes: [])
    assert (report["status"], report["headers"], report["body"]) == (418, {"Content-Type": "text/x-tea"}, "teapot")
    failed = run.request_report(
        run_process_request(PluginSource(plugin_dir / "raises.py"), run.context, {}, {}, b"", None), lambda w: []
    )
    assert failed["status"] == 500
    assert failed["body"] == '{"error":"Python function call failed: ValueError: boom"}'
    assert failed["errors"] == ["error executing plugin: Python function call failed: ValueError: boom"]
