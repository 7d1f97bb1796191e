"""Latency of the benchmark's InfluxQL queries through the engine, in process, on the large dataset.

    .venv/bin/python benchmarks/influxql_bench.py [--hosts 1000 --hours 3] [--repeat 10] [--show-sql]

Builds the TSBS devops cpu-only shape of ``gen_lp.py`` (10 tags, 10 integer fields, one row
per host every 10 s; ``--hosts 1000 --hours 3`` is the "large" set, 1.08 M rows) directly as an
Arrow table with the server's storage conventions, registers it with DataFusion, and runs the
InfluxQL texts of ``query.py``'s ``build_queries``: plan (parse, rewrite, translate) + execute
(DataFusion SQL + post-processing) + the v1 JSON body. Reports the median and the share spent
inside DataFusion, and checks every answer (series and row counts the dataset fixes).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from datafusion import SessionContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.server.influxql import engine, v1_body
from workbench.server.influxql.schema import DictSchema

NS = 10**9
HOUR = 3600 * NS
MINUTE = 60 * NS
START = 1_451_606_400 * NS  # 2016-01-01T00:00:00Z, gen_lp.py's default
FIELDS = [
    "usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
    "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice",
]  # fmt: skip
TAGS = {
    "region": ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"],
    "datacenter": ["a", "b", "c"],
    "rack": [str(i) for i in range(100)],
    "os": ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"],
    "arch": ["x64", "x86"],
    "team": ["SF", "NYC", "LON", "CHI"],
    "service": [str(i) for i in range(20)],
    "service_version": ["0", "1"],
    "service_environment": ["production", "staging", "test"],
}
_DICT = pa.dictionary(pa.int32(), pa.utf8())


def build_table(hosts: int, hours: int, seed: int = 123) -> pa.Table:
    rng = np.random.default_rng(seed)
    steps = hours * 360
    n = hosts * steps
    host_idx = np.tile(np.arange(hosts, dtype=np.int32), steps)  # time-major, as TSBS writes
    columns: dict[str, pa.Array] = {}
    for name, values in TAGS.items():
        per_host = rng.integers(0, len(values), hosts).astype(np.int32)
        columns[name] = pa.DictionaryArray.from_arrays(pa.array(per_host[host_idx]), pa.array(values))
    names = pa.array([f"host_{i}" for i in range(hosts)])
    columns["hostname"] = pa.DictionaryArray.from_arrays(pa.array(host_idx), names)
    for field in FIELDS:
        walk = rng.uniform(0, 100, hosts) + np.cumsum(rng.normal(0, 1, (steps, hosts)), axis=0)
        columns[field] = pa.array(np.clip(walk, 0, 100).astype(np.int64).reshape(n))
    times = START + np.repeat(np.arange(steps, dtype=np.int64) * 10 * NS, hosts)
    columns["time"] = pa.array(times, pa.timestamp("ns"))
    return pa.table({k: columns[k] for k in sorted(columns)})


def build_queries(hosts: int, hours: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    """query.py's InfluxQL texts (same seed logic for the host picks) and the answers to check."""
    rng = random.Random(seed)
    span = hours * HOUR
    names = [f"host_{i}" for i in range(hosts)]
    w12, w8 = min(12 * HOUR, span), min(8 * HOUR, span)
    t1 = START + ((span // 2) // HOUR) * HOUR

    def ts(ns: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ns // NS))

    host1 = names[rng.randrange(hosts)]
    host8 = rng.sample(names, min(8, hosts))
    hostor = " or ".join(f"hostname = '{h}'" for h in host8)
    max_all = ",".join(f"max({f})" for f in FIELDS)
    r12 = f"time >= '{ts(START)}' AND time < '{ts(START + w12)}'"
    r8 = f"time >= '{ts(START)}' AND time < '{ts(START + w8)}'"
    r1 = f"time >= '{ts(t1)}' AND time < '{ts(t1 + HOUR)}'"
    return [
        ("lastpoint", 'SELECT * FROM cpu GROUP BY "hostname" ORDER BY time DESC LIMIT 1', {"series": hosts}),
        (
            "max-1h-12h-1host",
            f"SELECT max(usage_user) FROM cpu WHERE hostname = '{host1}' AND {r12} GROUP BY time(1h)",
            {"rows": w12 // HOUR},
        ),
        (
            "mean-1m-8hosts-1h",
            f"SELECT mean(usage_user) FROM cpu WHERE ({hostor}) AND {r1} GROUP BY time(1m)",
            {"rows": 60},
        ),
        ("count-all", "SELECT count(*) FROM cpu", {"count": hosts * hours * 360}),
        ("show-tag-values", 'SHOW TAG VALUES FROM cpu WITH KEY = "hostname"', {"rows": hosts}),
        (
            "cpu-max-all-1",
            f"SELECT {max_all} FROM cpu WHERE hostname = '{host1}' AND {r8} GROUP BY time(1h)",
            {"rows": w8 // HOUR},
        ),
        (
            "double-groupby-1",
            f"SELECT mean(usage_user) FROM cpu WHERE time >= '{ts(START)}' AND time < '{ts(START + span)}' "
            "GROUP BY time(1h), hostname",
            {"series": hosts},
        ),
        ("high-cpu-all-1h", f"SELECT * FROM cpu WHERE usage_user > 90 AND {r1}", {}),
        (
            "groupby-orderby-limit",
            f"SELECT max(usage_user) FROM cpu WHERE time < '{ts(t1 + HOUR)}' GROUP BY time(1m) "
            "ORDER BY time DESC LIMIT 5",
            {"rows": 5},
        ),
    ]


def check(body: dict, expect: dict) -> str:
    res = body["results"][0]
    if "error" in res:
        return f"error: {res['error']}"
    series = res.get("series", [])
    rows = sum(len(s.get("values", [])) for s in series)
    if "series" in expect and len(series) != expect["series"]:
        return f"series {len(series)} != {expect['series']}"
    if "rows" in expect and rows != expect["rows"]:
        return f"rows {rows} != {expect['rows']}"
    if "count" in expect and any(v != expect["count"] for v in series[0]["values"][0][1:]):
        return f"count {series[0]['values'][0][1:]} != {expect['count']}"
    return "ok" if rows else "empty"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=1000)
    p.add_argument("--hours", type=int, default=3)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--only", help="comma-separated query names")
    p.add_argument("--show-sql", action="store_true")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    table = build_table(args.hosts, args.hours)
    ctx = SessionContext()
    ctx.register_record_batches("cpu", [table.to_batches(max_chunksize=65536)])
    kinds = {c: "integer" for c in FIELDS} | {t: "tag" for t in [*TAGS, "hostname"]} | {"time": "time"}
    schema = DictSchema({"bench": {"cpu": kinds}})
    print(f"{table.num_rows:,} rows built and registered in {time.perf_counter() - t0:.1f}s")

    sql_time = [0.0]

    def run_sql(sql: str, params: dict | None) -> pa.Table:
        start = time.perf_counter()
        try:
            return ctx.sql(sql).to_arrow_table()
        finally:
            sql_time[0] += time.perf_counter() - start

    failures = 0
    for name, q, expect in build_queries(args.hosts, args.hours):
        if args.only and name not in args.only.split(","):
            continue
        now = START + args.hours * HOUR
        totals, sqls = [], []
        status = ""
        for i in range(args.repeat + 1):
            sql_time[0] = 0.0
            start = time.perf_counter()
            plans = engine.plan(q, database="bench", schema=schema, now_ns=now)
            results = [engine.execute(pl, run_sql) for pl in plans]
            body = v1_body.render_json(results, epoch="ns")
            elapsed = time.perf_counter() - start
            if i == 0:
                status = check(json.loads(body), expect)
                if args.show_sql:
                    print("\n".join(plans[0].sql))
                continue
            totals.append(elapsed * 1000)
            sqls.append(sql_time[0] * 1000)
        failures += status not in ("ok",)
        print(
            f"{name:<24} median={statistics.median(totals):8.2f} ms  "
            f"datafusion={statistics.median(sqls):8.2f} ms  min={min(totals):8.2f} ms  {status}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
