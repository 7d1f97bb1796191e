"""Last value / distinct value cache lookups vs the equivalent scans, and what the caches cost writes.

Uses the large TSBS-style dataset (1000 hosts, 10 s interval, 3 h: 1.08 M lines in 5000-line
batches; generated with ``benchmarks/harness/gen_lp.py`` if ``--data`` is missing). Steps:

1. ingest: a fresh ``workbench serve --without-auth`` (temp data dir, free port) loads every
   batch through ``/api/v3/write_lp`` from one sequential client, once without caches and once on
   another fresh server with an LVC (key ``hostname``) and a DVC (``region``, ``hostname``)
   created first: lines/s of each;
2. per-write cost in-process: the time ``LastCache.update`` / ``DistinctCache.update`` take for
   each 5000-line batch, next to the server's own parse + validate time for the same batch;
3. queries, on the server holding the caches, over HTTP (keep-alive, sequential), median and p90
   of ``--repeats`` requests, ``--rounds`` times interleaved:
   ``SELECT * FROM last_cache('cpu') WHERE hostname = 'host_42'`` vs
   ``SELECT * FROM cpu WHERE hostname = 'host_42' ORDER BY time DESC LIMIT 1``, distinct-cache
   lookups vs ``SELECT DISTINCT``, and ``SELECT 1`` (the floor of any query over HTTP).

The DVC gets a max_age long enough to cover the dataset's 2016 timestamps (it ages entries by
data time). Other processes may load the machine: run it more than once.

    .venv/bin/python benchmarks/bench_caches.py [--data /tmp/bd/large] [--rounds 3] [--repeats 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "host_42"
REGION = "us-west-1"
QUERIES = [
    ("LVC lookup, one host", f"SELECT * FROM last_cache('cpu') WHERE hostname = '{HOST}'"),
    ("scan, newest row of one host", f"SELECT * FROM cpu WHERE hostname = '{HOST}' ORDER BY time DESC LIMIT 1"),
    ("DVC, hosts of a region", f"SELECT hostname FROM distinct_cache('cpu') WHERE region = '{REGION}'"),
    ("SELECT DISTINCT, hosts of a region", f"SELECT DISTINCT hostname FROM cpu WHERE region = '{REGION}'"),
    ("DVC, all regions", "SELECT region FROM distinct_cache('cpu')"),
    ("SELECT DISTINCT, all regions", "SELECT DISTINCT region FROM cpu"),
    ("SELECT 1 (query floor)", "SELECT 1"),
]
PAIRS = [(0, 1), (2, 3), (4, 5)]
DVC_MAX_AGE_S = 20 * 365 * 24 * 3600


class Server:
    """``workbench serve --without-auth`` on a free port with a temporary data dir."""

    def __init__(self) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="bench-caches-")
        listener = Path(self.dir.name) / "listener"
        exe = Path(sys.executable).with_name("workbench")
        cmd = [str(exe), "serve", "--without-auth", "--http-bind", "127.0.0.1:0"]
        cmd += ["--tcp-listener-file-path", str(listener), "--data-dir", str(Path(self.dir.name) / "data")]
        self.log = open(Path(self.dir.name) / "server.log", "wb")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not (listener.exists() and listener.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start: " + (Path(self.dir.name) / "server.log").read_text())
            time.sleep(0.05)
        host, port = listener.read_text().strip().rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=300)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        return r.status, r.read()

    def post_json(self, path: str, doc: dict) -> None:
        status, body = self.request("POST", path, json.dumps(doc).encode(), {"Content-Type": "application/json"})
        if status >= 300:
            raise RuntimeError(f"{path}: {status} {body[:300]!r}")

    def query(self, sql: str) -> bytes:
        status, body = self.request("GET", "/api/v3/query_sql?" + urllib.parse.urlencode({"db": "bench", "q": sql}))
        if status != 200:
            raise RuntimeError(f"{sql}: {status} {body[:300]!r}")
        return body

    def close(self) -> None:
        self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        self.dir.cleanup()


def load_batches(data: Path) -> list[bytes]:
    if not (data / "manifest.json").exists():
        gen = ROOT / "benchmarks" / "harness" / "gen_lp.py"
        args = ["--hosts", "1000", "--interval", "10s", "--duration", "3h", "--seed", "123", "--batch-lines", "5000"]
        subprocess.run([sys.executable, str(gen), *args, "--out", str(data)], check=True)
    return [p.read_bytes() for p in sorted(data.glob("batch_*.lp"))]


def table_spec(first_batch: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """Tags and (field, type) of the dataset's first line."""
    series, fields = first_batch.split(b"\n", 1)[0].decode().split(" ")[:2]
    tags = [t.split("=")[0] for t in series.split(",")[1:]]
    pairs = [f.split("=") for f in fields.split(",")]
    return tags, [(k, "int64" if v.endswith("i") else "float64") for k, v in pairs]


def create_caches(server: Server, first_batch: bytes) -> None:
    """The table must exist before its caches: create it empty (writing its first line now would
    make that point a duplicate later, and duplicates slow every scan), then the caches."""
    tags, fields = table_spec(first_batch)
    types = [{"name": k, "type": t} for k, t in fields]
    server.post_json("/api/v3/configure/table", {"db": "bench", "table": "cpu", "tags": tags, "fields": types})
    server.post_json("/api/v3/configure/last_cache", {"db": "bench", "table": "cpu", "key_columns": ["hostname"]})
    server.post_json(
        "/api/v3/configure/distinct_cache",
        {"db": "bench", "table": "cpu", "columns": ["region", "hostname"], "max_age": DVC_MAX_AGE_S},
    )


def ingest(server: Server, batches: list[bytes]) -> float:
    """Lines per second of one sequential writer posting every batch."""
    lines = sum(b.count(b"\n") for b in batches)
    start = time.perf_counter()
    for body in batches:
        status, text = server.request("POST", "/api/v3/write_lp?db=bench&precision=nanosecond", body)
        if status != 204:
            raise RuntimeError(f"write failed: {status} {text[:300]!r}")
    return lines / (time.perf_counter() - start)


def write_path_costs(batches: list[bytes]) -> dict[str, float]:
    """Median ms per 5000-line batch: the server's parse + validate, and each cache's update."""
    from workbench.protocol.precision import Precision
    from workbench.server.cache.distinct_cache import DistinctCache
    from workbench.server.cache.last_cache import LastCache
    from workbench.server.catalog.catalog import Catalog
    from workbench.server.catalog.persist import FileCatalogStore
    from workbench.server.clock import SystemClock
    from workbench.server.write.lp_batch import parse_body
    from workbench.server.write.validate import validate

    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(
            FileCatalogStore(Path(tmp) / "catalog.json"), SystemClock(), db_limit=10, table_limit=10, column_limit=500
        )

        def parse(body: bytes):
            parsed = parse_body(body.decode())
            written = validate(
                parsed, catalog, "bench", precision=Precision.NANOSECOND, now_ns=time.time_ns(), accept_partial=True
            )
            return written.ops[0].batch

        parse(batches[0])
        series_key = catalog.table("bench", "cpu").series_key
        ttl = 4 * 3600 * 10**9
        caches = {
            "LVC key hostname": LastCache(["hostname"], None, 1, ttl),
            f"LVC key {len(series_key)} tags": LastCache(series_key, None, 1, ttl),
            "DVC region, hostname": DistinctCache(["region", "hostname"], 100_000, DVC_MAX_AGE_S * 10**9),
        }
        costs: dict[str, list[float]] = {"parse + validate": [], **{name: [] for name in caches}}
        for body in batches:
            t = time.perf_counter()
            batch = parse(body)
            costs["parse + validate"].append(time.perf_counter() - t)
            now = time.time_ns()
            for name, cache in caches.items():
                t = time.perf_counter()
                cache.update(batch, now)
                costs[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) * 1000 for k, v in costs.items()}


def in_process(batches: list[bytes], repeats: int) -> dict[str, float]:
    """Median ms without HTTP and JSON: ``QueryExecutor.query`` for each query, and the bare
    cache lookups, on a ``ServerState`` holding the dataset."""
    import asyncio

    from workbench.protocol.precision import Precision
    from workbench.server.catalog.model import ColumnType
    from workbench.server.config import ServerConfig
    from workbench.server.state import ServerState

    with tempfile.TemporaryDirectory() as tmp:
        state = ServerState(ServerConfig.for_tests(Path(tmp)))

        async def load() -> None:
            await state.start()
            tags, fields = table_spec(batches[0])
            types = [(k, ColumnType.from_api_name(t)) for k, t in fields]
            state.catalog.create_table("bench", "cpu", tags, types)
            state.caches.create_last_cache("bench", "cpu", None, ["hostname"], None, 1, 4 * 3600)
            state.caches.create_distinct_cache("bench", "cpu", None, ["region", "hostname"], 100_000, DVC_MAX_AGE_S)
            for body in batches:
                written = state.writer.parse_and_validate(
                    "bench", body.decode(), precision=Precision.NANOSECOND, accept_partial=True
                )
                await state.wal.write(written.ops)
            await state.stop()

        asyncio.run(load())
        out = {}
        for label, sql in QUERIES:
            out[label] = timed(lambda sql=sql: state.executor.query("bench", sql), repeats)
        db, table = state.catalog.require_table("bench", "cpu")
        (lvc_def,), (dvc_def,) = table.last_caches.values(), table.distinct_caches.values()
        lvc = state.caches.last_cache(db.id, table.id, lvc_def.id)
        dvc = state.caches.distinct_cache(db.id, table.id, dvc_def.id)
        from workbench.server.cache.functions import last_cache_schema

        schema = last_cache_schema(table, lvc)
        now = time.time_ns()
        out["bare LastCache.rows(host_42)"] = timed(lambda: lvc.rows((HOST,), schema, now), repeats)
        out["bare DistinctCache.table()"] = timed(lambda: dvc.table(now), repeats)
        return out


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure(server: Server, sql: str, repeats: int) -> tuple[float, float]:
    for _ in range(10):
        server.query(sql)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        server.query(sql)
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.9)] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/bd/large"))
    ap.add_argument("--rounds", type=int, default=3, help="query measurement rounds (interleaved)")
    ap.add_argument("--repeats", type=int, default=200, help="requests per query per round")
    ap.add_argument("--skip-ingest-baseline", action="store_true", help="do not ingest once without caches")
    ap.add_argument("--skip-in-process", action="store_true", help="do not time the engine without HTTP")
    args = ap.parse_args()
    batches = load_batches(args.data)
    lines = sum(b.count(b"\n") for b in batches)
    print(f"dataset: {args.data} ({len(batches)} batches, {lines:,} lines)")

    print("\nper 5000-line write, in-process (median ms):")
    for name, ms in write_path_costs(batches).items():
        print(f"  {name:<24} {ms:8.2f}")

    if not args.skip_ingest_baseline:
        plain = Server()
        try:
            plain_rate = ingest(plain, batches)
        finally:
            plain.close()
    server = Server()
    try:
        create_caches(server, batches[0])
        cached_rate = ingest(server, batches)
        print("\ningest over HTTP, one sequential writer:")
        if not args.skip_ingest_baseline:
            print(f"  without caches  {plain_rate:12,.0f} lines/s")
        print(f"  with LVC + DVC  {cached_rate:12,.0f} lines/s")
        for q in (QUERIES[0][1], QUERIES[2][1]):
            print(f"\n{q}\n  -> {server.query(q)[:160].decode()}")
        results: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(QUERIES))}
        for _ in range(args.rounds):
            for i, (_, sql) in enumerate(QUERIES):
                results[i].append(measure(server, sql, args.repeats))
        print(f"\nquery latency over HTTP, ms ({args.rounds} rounds x {args.repeats} requests each)")
        print(f"  {'query':<36} {'median':>8} {'p90':>8}   per-round medians")
        for i, (label, _) in enumerate(QUERIES):
            meds = [m for m, _ in results[i]]
            p90 = statistics.median(p for _, p in results[i])
            rounds = " ".join(f"{m:.2f}" for m in meds)
            print(f"  {label:<36} {statistics.median(meds):8.2f} {p90:8.2f}   {rounds}")
        print("\nspeed-up of the cache over the scan (ratio of medians):")
        for cache_i, scan_i in PAIRS:
            cache_ms = statistics.median(m for m, _ in results[cache_i])
            scan_ms = statistics.median(m for m, _ in results[scan_i])
            print(f"  {QUERIES[cache_i][0]:<36} {scan_ms / cache_ms:6.1f}x")
    finally:
        server.close()
    if not args.skip_in_process:
        print("\nin-process, no HTTP or JSON (QueryExecutor.query / bare lookups), median ms:")
        for label, ms in in_process(batches, args.repeats).items():
            print(f"  {label:<36} {ms:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
