"""Offline runs of the example plugins in every mode: writes, logs, clock stepping, cache state, responses."""

from __future__ import annotations

import pytest
from conftest import BENCH, MINUTE, T0, cpu_hour

from workbench.plugins import Dataset, run_request, run_schedule, run_wal
from workbench.plugins.runtime.spec import SpecError

ALERTER_ARGS = {"measurement": "cpu", "field": "usage", "threshold": "90"}


def test_wal_downsampler_writes_window_averages():
    lp = [f"cpu,host=a usage={v} {T0 + i * 10**10}" for i, v in enumerate([10, 20, 30])]
    lp.append(f"cpu,host=b usage=5 {T0 + 61 * 10**9}")
    result = run_wal(BENCH / "downsampler.py", lp, args={"field": "usage"})
    assert result.ok
    assert result.writes == {
        "db": [
            f"cpu_1m,host=a usage_mean=20.0,usage_count=3i {T0}",
            f"cpu_1m,host=b usage_mean=5.0,usage_count=1i {T0 + MINUTE}",
        ]
    }
    messages = [log["message"] for log in result.logs]
    assert messages[0] == "starting execution of wal plugin."
    assert messages[1] == "downsampled 4 rows of cpu into 2 windows"
    assert messages[2].startswith("finished execution in ")
    assert result.runs[0].duration_ms > 0 and result.duration_ms == result.runs[0].duration_ms


def test_wal_table_filter_and_several_flushes():
    flushes = [f"cpu,host=a usage=1 {T0}\nmem,host=a usage=7 {T0}", f"mem,host=a usage=9 {T0 + 1}"]
    result = run_wal(BENCH / "downsampler.py", flushes=flushes, table="cpu", args={"field": "usage"})
    assert [r.index for r in result.runs] == [0, 1]
    assert result.runs[1].time_ns - result.runs[0].time_ns == 10**9  # one WAL flush interval later
    assert result.writes == {"db": [f"cpu_1m,host=a usage_mean=1.0,usage_count=1i {T0}"]}
    assert not result.runs[1].writes  # the second flush touched only mem: table_batches == []


def test_wal_rows_have_the_server_types_and_key_order(tmp_path):
    plugin = tmp_path / "echo.py"
    plugin.write_text(
        "def process_writes(influxdb3_local, table_batches, args=None):\n    influxdb3_local.info(table_batches)\n"
    )
    result = run_wal(plugin, ['m,t=x f=1.5,i=2i,u=3u,s="a",b=t 100', "m,t=y,z=q i=4i 200"], now=T0)
    assert result.logs[1]["message"] == (
        "[{'table_name': 'm', 'rows': [{'t': 'x', 'f': 1.5, 'i': 2, 'u': 3, 's': 'a', 'b': True, 'time': 100}, "
        "{'t': 'y', 'z': 'q', 'i': 4, 'time': 200}]}]"
    )


def test_wal_input_is_checked_against_the_schema():
    data = Dataset.from_lp(f"cpu,host=a usage=1.0 {T0}", "db")
    result = run_wal(BENCH / "downsampler.py", "cpu,host=a usage=1i", data=data, args={"field": "usage"})
    assert not result.ok and result.runs[0].logs == []
    (error,) = result.errors
    assert error["kind"] == "input"
    assert "invalid column type for column 'usage'" in error["message"]


def test_refused_plugin_writes_are_logged_and_reported(tmp_path):
    plugin = tmp_path / "bad_writer.py"
    plugin.write_text(
        "def process_writes(influxdb3_local, table_batches, args=None):\n"
        "    influxdb3_local.write(LineBuilder('cpu').int64_field('usage', 1))\n"
    )
    data = Dataset.from_lp(f"cpu,host=a usage=1.0 {T0}", "db")
    result = run_wal(plugin, "other v=1", data=data)
    assert result.ok  # the plugin itself did not raise
    assert result.writes == {"db": ["cpu usage=1i"]}
    (error,) = result.errors
    assert error["kind"] == "write" and error["line_number"] == 1 and error["original_line"] == "cpu usage=1i"
    assert result.logs[-1]["level"] == "ERROR"
    assert result.logs[-1]["message"].startswith("error running wal plugin: error writing back lines to db: ")


def test_write_sync_raises_at_call_time(tmp_path):
    plugin = tmp_path / "sync.py"
    plugin.write_text(
        "def process_writes(influxdb3_local, table_batches, args=None):\n"
        "    influxdb3_local.write_sync(LineBuilder('cpu').float64_field('usage', 2.0), False)\n"
        "    try:\n"
        "        influxdb3_local.write_sync(LineBuilder('cpu').string_field('usage', 'x'), True)\n"
        "    except Exception as exc:\n"
        "        influxdb3_local.warn(exc)\n"
        "    influxdb3_local.info(influxdb3_local.query('SELECT count(*) AS n FROM cpu'))\n"
    )
    result = run_wal(plugin, f"other v=1 {T0}")
    assert result.ok
    assert result.writes == {"db": ["cpu usage=2.0"]}
    warn = next(log["message"] for log in result.logs if log["level"] == "WARN")
    assert warn.startswith("error writing line protocol to db: line protocol parse failed: invalid column type")
    assert "[{'n': 1}]" in [log["message"] for log in result.logs]  # the sync write is queryable at once


def test_slow_wal_plugin_warns(tmp_path):
    plugin = tmp_path / "slow.py"
    plugin.write_text(
        "import time\ndef process_writes(influxdb3_local, table_batches, args=None):\n    time.sleep(0.02)\n"
    )
    assert run_wal(plugin, "m v=1").warnings == []
    (warning,) = run_wal(plugin, "m v=1", wal_flush_interval="10ms").warnings
    assert "of the WAL flush interval (10ms)" in warning and "run_async" in warning


def test_schedule_steps_the_clock_and_keeps_cache_state():
    data = Dataset.from_lp(cpu_hour(), "db")
    result = run_schedule(
        BENCH / "threshold_alerter.py",
        schedule="every:10m",
        start="2026-01-01T00:00:00Z",
        until="2026-01-01T01:00:00Z",
        data=data,
        args=ALERTER_ARGS,
    )
    assert result.ok
    assert [r.call_time for r in result.runs] == [f"2026-01-01T00:{m}:00Z" for m in ("10", "20", "30", "40", "50")] + [
        "2026-01-01T01:00:00Z"
    ]
    assert result.writes == {
        "db": [
            f'alerts,host=a,measurement=cpu state="firing",value=102.0 {T0 + 20 * MINUTE}',
            f'alerts,host=a,measurement=cpu state="resolved",value=51.0 {T0 + 40 * MINUTE}',
        ]
    }
    checks = [c for c in result.cache if c["op"] == "put" and c["key"] == "checks"]
    assert [c["value"] for c in checks] == ["1", "2", "3", "4", "5", "6"]  # state survives from call to call
    warnings = [(log["run"], log["message"]) for log in result.logs if log["level"] == "WARN"]
    assert warnings == [
        (1, "cpu.usage on a is 102.0 (firing, threshold 90.0)"),
        (3, "cpu.usage on a is 51.0 (resolved, threshold 90.0)"),
    ]
    (query,) = {q["sql"] for q in result.queries}
    assert "now() - INTERVAL '5 minutes'" in query
    assert all(q["rows"] == 2 and q["params"] is None and q["ms"] >= 0 for q in result.queries)


def test_schedule_cron_single_call_and_call_time(tmp_path):
    plugin = tmp_path / "tick.py"
    plugin.write_text(
        "def process_scheduled_call(influxdb3_local, call_time, args=None):\n"
        "    influxdb3_local.info(type(call_time).__name__, call_time.tzinfo)\n"
    )
    result = run_schedule(plugin, schedule="0 */15 * * * *", start="2026-01-01T00:00:00Z", until="2026-01-01T01:00:00Z")
    assert [r.call_time for r in result.runs][:2] == ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z"]
    assert len(result.runs) == 4
    assert result.logs[1]["message"] == "datetime None"  # naive, as InfluxDB 3 builds it
    assert result.logs[0]["message"] == "starting execution with scheduled time 2026-01-01 00:15:00 UTC"
    once = run_schedule(plugin, at="2026-01-01T12:00:00Z")
    assert [r.call_time for r in once.runs] == ["2026-01-01T12:00:00Z"]
    with pytest.raises(SpecError):
        run_schedule(plugin, schedule="every:0s", start=T0, until=T0 + MINUTE)


def test_cache_ttl_expires_on_the_fake_clock(tmp_path):
    plugin = tmp_path / "ttl.py"
    plugin.write_text(
        "def process_scheduled_call(influxdb3_local, call_time, args=None):\n"
        "    if influxdb3_local.cache.get('token') is None:\n"
        "        influxdb3_local.cache.put('token', call_time.minute, ttl=150)\n"
        "    influxdb3_local.info('token', influxdb3_local.cache.get('token'))\n"
    )
    result = run_schedule(plugin, schedule="every:1m", start=T0, until=T0 + 6 * MINUTE)
    tokens = [log["message"] for log in result.logs if log["message"].startswith("token")]
    assert [t.split()[1] for t in tokens] == ["1", "1", "1", "4", "4", "4"]  # put at 00:01, gone after 00:03:30


def test_schedule_hides_rows_after_the_clock_unless_asked(tmp_path):
    plugin = tmp_path / "latest.py"
    plugin.write_text(
        "def process_scheduled_call(influxdb3_local, call_time, args=None):\n"
        "    influxdb3_local.info(influxdb3_local.query('SELECT max(time) AS t FROM cpu')[0]['t'])\n"
    )
    data = Dataset.from_lp(cpu_hour(), "db")
    hidden = run_schedule(plugin, at=T0 + 10 * MINUTE, data=data)
    shown = run_schedule(plugin, at=T0 + 10 * MINUTE, data=data, hide_future=False)
    assert hidden.logs[1]["message"] == str(T0 + 10 * MINUTE)
    assert shown.logs[1]["message"] == str(T0 + 59 * MINUTE)


def test_request_returns_json_with_custom_status_and_headers():
    data = Dataset.from_lp(cpu_hour(), "db")
    args = {"measurement": "cpu"}
    ok = run_request(
        BENCH / "request_api.py", method="GET", query={"host": "a"}, headers={"X-Trace": "t1"}, data=data, args=args
    )
    assert ok.response["status"] == 200
    assert ok.response["headers"] == {"Content-Type": "application/json"}
    assert ok.response["body"] == '{"host": "a", "points": 60, "peak": 102.0, "trace": "t1"}'
    assert ok.queries[0]["params"] == {"host": "a"} and ok.queries[0]["rows"] == 1
    missing = run_request(BENCH / "request_api.py", method="GET", data=data, args=args)
    assert missing.response["status"] == 400 and "missing query parameter" in missing.response["body"]
    unknown = run_request(BENCH / "request_api.py", method="GET", query={"host": "zz"}, data=data, args=args)
    assert unknown.response["status"] == 404
    created = run_request(BENCH / "request_api.py", body='{"host": "c", "usage": 3}', data=data, args=args)
    assert created.response["status"] == 201
    assert created.response["headers"]["Location"] == "/api/v3/engine/points?host=c"
    assert created.writes == {"db": ["cpu,host=c usage=3.0"]}


def test_request_headers_as_the_server_passes_them(tmp_path):
    plugin = tmp_path / "headers.py"
    plugin.write_text(
        "def process_request(influxdb3_local, query_parameters, request_headers, request_body, args=None):\n"
        "    return {'headers': request_headers, 'body': request_body.decode()}\n"
    )
    result = run_request(plugin, headers={"X-One": "1", "Authorization": "Bearer secret"}, body="hi")
    assert result.response["body"] == '{"headers": {"x-one": "1"}, "body": "hi"}'
    with pytest.raises(ValueError, match="GET and POST only"):
        run_request(plugin, method="PUT")


def test_frames_become_a_wal_flush():
    import polars as pl

    frame = pl.DataFrame({"host": ["a", "a"], "usage": [1.0, 3.0], "time": [T0, T0 + 10**9]}).with_columns(
        pl.col("time").cast(pl.Datetime("ns", "UTC"))
    )
    result = run_wal(BENCH / "downsampler.py", frames={"cpu": frame}, args={"field": "usage"})
    assert result.writes == {"db": [f"cpu_1m,host=a usage_mean=2.0,usage_count=2i {T0}"]}


def test_package_plugins_run_as_packages(plugin_dir):
    result = run_request(plugin_dir / "package_plugin", query={"n": "21"})
    assert result.ok and result.response["body"].startswith('{"value": 42')
