"""The floor under a selective query: DataFusion's own time, over only the rows the query needs.

The embedded server answers SQL (and InfluxQL, translated to SQL as InfluxDB 3 does) with
DataFusion. For the query suite's selective queries this measures, in this process, what
DataFusion alone takes when it is handed *only* the rows the query reads (one host's rows in the
time range, as the server's series index hands them over) in a session with one partition:
plan (``ctx.sql``) and execute (``collect``), no HTTP, no JSON, no Python around it. ``SELECT 1``
is the floor of any query. No server built on DataFusion's Python bindings answers these
queries faster than this; compare it with InfluxDB 1.6.7's medians in ``make bench``'s report.

    .venv/bin/python benchmarks/datafusion_floor.py [--data /tmp/bench-data/large] [--repeats 300]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from datafusion import SessionConfig, SessionContext

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "harness"))

import query as harness  # noqa: E402  (the shared harness: dataset loader and query texts)

SELECTIVE = ("max-1h-12h-1host", "mean-1m-8hosts-1h", "cpu-max-all-1")


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="/tmp/bench-data/large", help="a dataset made by the harness's gen_lp.py")
    p.add_argument("--repeats", type=int, default=300)
    p.add_argument("--seed", type=int, default=1, help="as query.py's --seed: the same hosts and ranges")
    args = p.parse_args(argv)
    manifest = json.loads((Path(args.data) / "manifest.json").read_text())
    whole = harness.datafusion_ctx(args.data, manifest)
    queries = {q["name"]: q for q in harness.build_queries(manifest, args.seed)}
    print(f"{'query':22s} {'rows read':>9s} {'plan ms':>8s} {'plan+run ms':>12s}")
    one = SessionContext(SessionConfig().with_target_partitions(1))
    print(f"{'SELECT 1':22s} {0:9d} {median_ms(lambda: one.sql('SELECT 1'), args.repeats):8.2f} "
          f"{median_ms(lambda: one.sql('SELECT 1').collect(), args.repeats):12.2f}")  # fmt: skip
    for name in SELECTIVE:
        sql = queries[name]["sql"]
        where = re.search(r" WHERE (.*) GROUP BY ", sql)
        assert where, sql
        rows = whole.sql(f"SELECT * FROM cpu WHERE {where.group(1)}").collect()
        ctx = SessionContext(SessionConfig().with_target_partitions(1))
        ctx.register_record_batches("cpu", [rows])
        plan = median_ms(lambda sql=sql, ctx=ctx: ctx.sql(sql), args.repeats)
        total = median_ms(lambda sql=sql, ctx=ctx: ctx.sql(sql).collect(), args.repeats)
        print(f"{name:22s} {sum(b.num_rows for b in rows):9d} {plan:8.2f} {total:12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
