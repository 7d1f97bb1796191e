"""Differential check of the InfluxQL engine against a real InfluxDB 1.6.7 (``apt-get install influxdb``).

    .venv/bin/python benchmarks/influxql_differential.py              # our engine in-process
    .venv/bin/python benchmarks/influxql_differential.py --url http://127.0.0.1:8181 [--token T]
    .venv/bin/python benchmarks/influxql_differential.py --only gbt-mean,fill-linear --show

Starts its own ``influxd`` on loopback with a temp dir (stopped at exit), loads the same
deterministic dataset into both sides and compares the v1 ``/query`` JSON of every corpus case.
Exit status 0 when every case agrees.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.differential import corpus, runner
from tests.differential.sides import InfluxDB1, InProcess, OverHTTP, influxd_path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="a running workbench server (loopback) instead of the in-process engine")
    p.add_argument("--token", help="bearer token for --url")
    p.add_argument("--only", help="comma-separated case ids")
    p.add_argument("--show", action="store_true", help="print both answers of every selected case")
    args = p.parse_args(argv)
    if influxd_path() is None:
        print("influxd not found: apt-get install -y --no-install-recommends influxdb", file=sys.stderr)
        return 2
    cases = corpus.CASES
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c.id in keep]
    ours = OverHTTP(args.url, args.token) if args.url else InProcess()
    if args.show:
        from tests.differential import dataset

        points = dataset.generate()
        ours.load(points)
        with InfluxDB1() as peer:
            peer.load(points)
            for c in cases:
                print(f"## {c.id}: {c.q} {c.params or ''}")
                print("  1.6.7:", peer.query(c.q, c.params)[1].decode()[:3000])
                print("  ours: ", ours.query(c.q, c.params)[1].decode()[:3000])
        return 0
    outcomes = runner.run(ours, cases)
    print(runner.report(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
