"""The component benchmarks still run: each on a tiny generated dataset, a couple of repeats.

Their numbers mean nothing here (timings belong in ``benchmarks/``, not in tests); this only
keeps the scripts from rotting as the code they measure changes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench-data") / "tiny"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/harness/gen_lp.py"), "--hosts", "10", "--interval", "60s",
         "--duration", "2h", "--field-type", "float", "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_datafusion_floor_runs(dataset):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/datafusion_floor.py"), "--data", str(dataset), "--repeats", "2"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["query", "rows", "read"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == ["SELECT", "max-1h-12h-1host", "mean-1m-8hosts-1h", "cpu-max-all-1"]
    rows_read = {line.split()[0]: int(line.split()[1]) for line in lines[2:]}
    assert rows_read["max-1h-12h-1host"] == 120  # one host, every minute of the 2 h
