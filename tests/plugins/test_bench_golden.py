"""Golden runs: saved, replayed, exported as a pytest module that fails when the plugin changes."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import T0, cpu_hour

from workbench.plugins import (
    Dataset,
    check_golden,
    export_pytest,
    replay_golden,
    run_request,
    run_schedule,
    run_wal,
    save_golden,
)
from workbench.plugins.cli import main

ALERTER_ARGS = {"measurement": "cpu", "field": "usage", "threshold": "90", "notify_url": "https://hooks.example.com/x"}


def _goldens(bench_dir, tmp_path):
    golden = tmp_path / "golden"
    wal = run_wal(
        bench_dir / "downsampler.py", f"cpu,host=a usage=1 {T0}\ncpu,host=a usage=3 {T0 + 1}", args={"field": "usage"}
    )
    save_golden(wal, golden / "downsampler.json")
    snapshot = Dataset.from_lp(cpu_hour(), "db").save(tmp_path / "snap", "db")
    schedule = run_schedule(
        bench_dir / "threshold_alerter.py",
        schedule="every:10m",
        start=T0,
        until=T0 + 3600 * 10**9,
        data=snapshot,
        args=ALERTER_ARGS,
        network={"POST https://hooks.example.com/*": {"ok": True}},
    )
    assert schedule.ok and len(schedule.runs) == 6
    save_golden(schedule, golden / "alerter.json")
    return golden


def test_golden_file_format_and_replay(bench_dir, tmp_path):
    golden = _goldens(bench_dir, tmp_path)
    doc = json.loads((golden / "alerter.json").read_text())
    assert doc["format"] == "workbench-plugin-golden/1" and doc["plugin"] == "../bench/threshold_alerter.py"
    assert doc["inputs"]["data"] == [{"snapshot": "../snap"}]
    assert doc["inputs"]["stubs"] == {
        "POST https://hooks.example.com/*": {"status": 200, "headers": {}, "body": {"ok": True}}
    }
    assert doc["expected"]["logs"][-1]["message"] == "finished execution in <duration>"
    assert len(doc["expected"]["runs"]) == 6 and "duration_ms" not in doc["expected"]["runs"][0]
    for path in golden.iterdir():
        assert replay_golden(path).ok
        check_golden(path)


def test_exported_test_passes_then_fails_when_the_plugin_changes(bench_dir, tmp_path):
    golden = _goldens(bench_dir, tmp_path)
    module = export_pytest(golden, tmp_path / "tests" / "test_plugin_goldens.py")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)]
    passed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "2 passed" in passed.stdout

    source = bench_dir / "downsampler.py"
    source.write_text(source.read_text().replace("sum(values) / len(values)", "max(values)"))
    failed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert failed.returncode == 1
    assert "1 failed, 1 passed" in failed.stdout
    assert '-  "cpu_1m,host=a usage_mean=2.0,usage_count=2i' in failed.stdout
    assert '+  "cpu_1m,host=a usage_mean=3.0,usage_count=2i' in failed.stdout


def test_cli_test_and_export(bench_dir, tmp_path, capsys):
    golden = _goldens(bench_dir, tmp_path)
    assert main(["test", str(golden)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    source = bench_dir / "threshold_alerter.py"
    source.write_text(source.read_text().replace('"firing" if alerting', '"FIRING" if alerting'))
    assert main(["test", str(golden)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 passed, 1 failed" in out and 'state=\\"FIRING\\"' in out
    assert main(["export", str(golden), "--out", str(tmp_path / "t" / "test_x.py")]) == 0
    assert (tmp_path / "t" / "test_x.py").read_text().count("HERE /") == 2
    assert main(["test", str(tmp_path / "nothing-here")]) == 2


def test_callable_stubs_cannot_be_saved(bench_dir, tmp_path):
    import pytest

    result = run_request(bench_dir / "raiser.py", network=lambda call: None)
    with pytest.raises(ValueError, match="stubs that are data"):
        save_golden(result, tmp_path / "x.json")
