"""The bench against a real server: snapshots, the same run through the dry-run endpoints, the comparison."""

from __future__ import annotations

import json

import pytest
from conftest import BENCH, T0, cpu_hour

from workbench.client import Client
from workbench.plugins import Dataset, compare, run_live, run_request, run_wal, take_snapshot
from workbench.plugins.cli import main


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from serverproc import ServerProcess

    root = tmp_path_factory.mktemp("bench-live")
    proc = ServerProcess(root / "server", "--wal-flush-interval", "10ms", "--plugin-dir", str(root / "plugins"))
    proc.start()
    with Client(proc.url, token=proc.token, database="db") as client:
        client.write(cpu_hour())
        yield proc, client
    proc.stop()


def test_snapshot_round_trip(live, tmp_path):
    _, client = live
    path = take_snapshot(client, "db", tmp_path / "snap", since=None)
    manifest = json.loads((path / "snapshot.json").read_text())
    assert manifest["database"] == "db"
    assert manifest["tables"]["cpu"] == {
        "tags": ["host"],
        "fields": {"usage": "float"},
        "rows": 120,
        "file": "table-0000.parquet",
    }
    dataset = Dataset.load(path)
    table = dataset.tables("db")["cpu"]
    assert (
        table.num_rows == 120
        and str(table.schema.field("host").type) == "dictionary<values=string, indices=int32, ordered=0>"
    )
    offline = run_request(
        BENCH / "request_api.py", method="GET", query={"host": "a"}, data=path, args={"measurement": "cpu"}
    )
    server = run_live(
        client, BENCH / "request_api.py", "request", method="GET", query={"host": "a"}, args={"measurement": "cpu"}
    )
    assert server["response"]["status"] == 200
    comparison = compare(offline.to_json(), server)
    assert comparison.same, comparison.side_by_side()
    assert take_snapshot(client, "db", tmp_path / "recent", tables=["cpu"]).exists()  # default: the last hour


def test_wal_offline_and_on_the_server_agree(live):
    _, client = live
    lp = f"cpu,host=a usage=1 {T0}\ncpu,host=a usage=3 {T0 + 10**9}"
    offline = run_wal(BENCH / "downsampler.py", lp, args={"field": "usage"})
    server = run_live(client, BENCH / "downsampler.py", "wal", lp=lp, args={"field": "usage"})
    assert server["writes"] == offline.writes == {"db": [f"cpu_1m,host=a usage_mean=2.0,usage_count=2i {T0}"]}
    comparison = compare(offline.to_json(), server)
    assert comparison.same, comparison.side_by_side()
    assert "= INFO: downsampled 2 rows of cpu into 1 windows" in comparison.side_by_side()


def test_failures_compare_by_exception_type(live):
    _, client = live
    server = run_live(client, BENCH / "raiser.py", "schedule", schedule="every:1h")
    assert not server["ok"] and server["errors"][0]["type"] == "ValueError"
    from workbench.plugins import run_schedule

    comparison = compare(run_schedule(BENCH / "raiser.py").to_json(), server)
    assert comparison.sections["errors"] == (["exception ValueError"], ["exception ValueError"])


def test_cli_compare_and_server_runs(live, capsys, tmp_path):
    proc, _ = live
    argv = [
        "run",
        str(BENCH / "downsampler.py"),
        "--wal",
        "--lp",
        f"cpu,host=b usage=4 {T0}",
        "--args",
        '{"field": "usage"}',
    ]
    server = ["--server", proc.url, "--token", proc.token]
    assert main([*argv, *server, "--compare"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["offline", "|", "server"]
    assert "= db: cpu_1m,host=b usage_mean=4.0,usage_count=1i" in out
    assert main([*argv, *server, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["server"] == proc.url
    snap = ["snapshot", "--host", proc.url, "--token", proc.token, "--database", "db", "--since", "1000d"]
    assert main([*snap, str(tmp_path / "cli-snap")]) == 0
    assert "cpu: 120 rows" in capsys.readouterr().out
