"""``workbench plugin ...`` as CI uses it: one JSON object, exit 0 on a clean run and 1 on an exception."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import BENCH, T0, cpu_hour

from workbench.plugins.cli import main

KEYS = {"writes", "logs", "errors", "queries", "cache", "response", "runs", "duration_ms"}


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["run", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_wal_json(capsys):
    code, doc = run_json(
        capsys,
        str(BENCH / "downsampler.py"),
        "--wal",
        "--lp",
        f"cpu,host=a usage=2 {T0}",
        "--args",
        '{"field": "usage"}',
    )
    assert code == 0 and set(doc) >= KEYS
    assert doc["writes"] == {"db": [f"cpu_1m,host=a usage_mean=2.0,usage_count=1i {T0}"]}
    assert doc["logs"][0] == {"run": 0, "level": "INFO", "message": "starting execution of wal plugin."}
    assert doc["response"] is None and len(doc["runs"]) == 1 and doc["duration_ms"] > 0


def test_schedule_json_over_a_range_with_lp_data_and_stubs(tmp_path, capsys):
    data = tmp_path / "cpu.lp"
    data.write_text(cpu_hour())
    stubs = tmp_path / "stubs.json"
    stubs.write_text(json.dumps({"POST https://hooks.example.com/*": {"status": 204, "body": ""}}))
    args = '{"measurement": "cpu", "field": "usage", "threshold": 90, "notify_url": "https://hooks.example.com/a"}'
    argv = [str(BENCH / "threshold_alerter.py"), "--schedule", "--every", "15m", "--from", "2026-01-01T00:00:00Z"]
    argv += ["--until", "2026-01-01T01:00:00Z", "--data", str(data), "--args", args, "--stubs", str(stubs)]
    code, doc = run_json(capsys, *argv)
    assert code == 0
    assert [r["call_time"] for r in doc["runs"]] == [
        "2026-01-01T00:15:00Z",
        "2026-01-01T00:30:00Z",
        "2026-01-01T00:45:00Z",
        "2026-01-01T01:00:00Z",
    ]
    assert [n["status"] for n in doc["network"]] == [204, 204]
    assert doc["queries"][0]["rows"] == 2 and {c["op"] for c in doc["cache"]} == {"get", "put"}


def test_request_json_and_exit_status(capsys):
    argv = [str(BENCH / "request_api.py"), "--request", "--method", "POST", "--body", '{"host": "h", "usage": 1}']
    code, doc = run_json(capsys, *argv, "--args", '{"measurement": "cpu"}', "--header", "X-A=1")
    assert code == 0 and doc["response"]["status"] == 201
    code, doc = run_json(capsys, str(BENCH / "raiser.py"), "--request", "--query", "x=1")
    assert code == 1 and doc["response"]["status"] == 500
    (error,) = doc["errors"]
    assert error["type"] == "ValueError" and error["line"] and error["file"].endswith("raiser.py")
    assert "Traceback (most recent call last)" in error["traceback"]


def test_human_output_and_strict(capsys, tmp_path):
    argv = [str(BENCH / "raiser.py"), "--wal", "--lp", "m v=1"]
    assert main(["run", *argv]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and 'raise ValueError("no value to check")' in out
    plugin = tmp_path / "writer.py"
    plugin.write_text(
        "def process_writes(influxdb3_local, table_batches, args=None):\n"
        "    influxdb3_local.write(LineBuilder('m').string_field('v', 'text'))\n"
    )
    assert main(["run", str(plugin), "--wal", "--lp", "m v=1"]) == 0  # the refused write is reported, not fatal
    assert "error [0] write: error running wal plugin: error writing back lines" in capsys.readouterr().out
    assert main(["run", str(plugin), "--wal", "--lp", "m v=1", "--strict"]) == 1


def test_lint_and_usage_errors(capsys, tmp_path):
    assert main(["lint", str(BENCH / "downsampler.py")]) == 0
    assert main(["lint", str(BENCH / "threshold_alerter.py"), "--args", '{"field": "x"}', "--mode", "schedule"]) == 1
    out = capsys.readouterr().out
    assert "required-arg" in out
    assert main(["run", str(tmp_path / "missing.py"), "--wal"]) == 2
    assert "Plugin not found" in capsys.readouterr().err
    assert main(["run", str(BENCH / "raiser.py"), "--request", "--query", "novalue"]) == 2


def test_the_workbench_command_dispatches_here():
    out = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "plugin", "lint", str(BENCH / "raiser.py"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["problems"][0]["code"] == "metadata-missing"
