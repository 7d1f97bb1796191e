"""``make bench``: ingest and query benchmarks of the embedded server, side by side with the peers.

Runs the shared harness (``benchmarks/harness/run_baseline.sh``) with the ``workbench`` peer
(this checkout's ``.venv/bin/workbench serve``) and, when installed (``make bench-peers``),
InfluxDB 1.6.7 and VictoriaMetrics, on the same generated TSBS-like data in one run: ingest
lines/s through ``/api/v3/write_lp`` at concurrency 1/2/4, then the query suite as SQL and as
InfluxQL (``/query``). The report (Markdown) ends with the ratios ours ÷ each peer. Then the
component benchmarks run: line-protocol parsing, the client's query decoding paths, the caches,
and DataFusion's own time for the selective queries (the floor under any query on it).

    make bench                                   # everything (about 10 minutes)
    make bench ARGS="--datasets small --concs 2" # a quicker subset
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default="small large", help="harness datasets (small, large, iot)")
    p.add_argument("--concs", default="1 2 4", help="ingest concurrencies")
    p.add_argument("--peers", default="workbench influxdb1 victoriametrics")
    p.add_argument("--repeat", default="10", help="timed runs per query")
    p.add_argument("--skip-harness", action="store_true")
    p.add_argument("--skip-components", action="store_true")
    args = p.parse_args(argv)
    status = 0
    if not args.skip_harness:
        env = {
            **os.environ,
            "PEERS": args.peers,
            "DATASETS": args.datasets,
            "CONCS": args.concs,
            "QUERY_REPEAT": args.repeat,
            "WB_CHECKOUT": str(ROOT),
            "PYTHON": sys.executable,
            "SKIP_CEILING": os.environ.get("SKIP_CEILING", "1"),
            "SKIP_PARSE": os.environ.get("SKIP_PARSE", "1"),
            "BENCH_RESULTS": os.environ.get("BENCH_RESULTS", str(HERE / "results" / "latest")),
        }
        for peer, binary in (("influxdb1", "influxd"), ("victoriametrics", "victoria-metrics")):
            if peer in args.peers and shutil.which(binary) is None:
                print(f"note: {peer} is not installed ({binary}); `make bench-peers` installs it", file=sys.stderr)
        status = subprocess.call(["bash", str(HERE / "harness" / "run_baseline.sh")], env=env)
    if not args.skip_components:
        data = Path(os.environ.get("BENCH_DATA", "/tmp/bench-data"))
        for script, extra in (
            (
                "bench_parse.py",
                [arg for ds in ("small", "large") if (data / ds).exists() for arg in ("--data", str(data / ds))],
            ),
            ("client_query.py", []),
            ("bench_caches.py", []),
            ("datafusion_floor.py", ["--data", str(data / "large")] if (data / "large").exists() else []),
        ):
            path = HERE / script
            if script in ("bench_parse.py", "datafusion_floor.py") and not extra:
                print(f"note: {script} skipped (no generated dataset yet: run the harness first)")
                continue
            if path.exists():
                print(f"\n## {script}\n", flush=True)
                status = subprocess.call([sys.executable, str(path), *extra]) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
