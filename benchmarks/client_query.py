"""Client query benchmark: a 1,000,000-row result through ``query_sql`` → Polars, against the
``format=json`` (``pl.read_json``) and ``format=jsonl`` (``pl.read_ndjson``) paths, in one run.

What is timed (median of ``--repeat`` runs, same server, same query ``SELECT * FROM bench``):

* ``parquet end to end`` — ``Client.query_sql`` (request, server, transfer, decode, Polars);
* ``parquet fetch`` — the same request with the body read as bytes and not decoded: the server's
  time to produce the Parquet body plus the transfer (the server's own query time from
  ``system.queries`` is printed too when the server records it);
* ``parquet decode`` — the client side alone: those bytes → Arrow → Polars (``_results``);
* ``json end to end`` / ``jsonl end to end`` — the request with ``format=json`` / ``jsonl`` and
  ``pl.read_json`` / ``pl.read_ndjson`` on the body;
* ``flight end to end`` — ``Client.query_sql`` with ``query_transport="flight"`` (Arrow Flight
  ``DoGet`` on the same port).

Targets (from the issue): the Parquet path at least 3x faster than the JSON path, and the
client-side decode under 20% of the Parquet end-to-end time.

    .venv/bin/python benchmarks/client_query.py                      # starts the embedded server
    .venv/bin/python benchmarks/client_query.py --url URL --token T  # any InfluxDB 3
    .venv/bin/python benchmarks/client_query.py --decode-only        # client side only, no server

``--decode-only`` times the three decoders on bodies generated locally in the server's formats,
which needs no server at all.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import polars as pl
import pyarrow.parquet as pq

from workbench import launcher
from workbench.client import APIError, Client
from workbench.client import _results as results
from workbench.protocol import routes

DATABASE = "bench"
TABLE = "bench"
QUERY = f"SELECT * FROM {TABLE}"
SPEEDUP_TARGET = 3.0
DECODE_SHARE_TARGET = 0.20


def frame(rows: int) -> pl.DataFrame:
    """TSBS-like cpu rows: two tags, four fields, one timestamp per second."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    i = pl.int_range(rows, eager=True)
    return pl.DataFrame(
        {
            "time": pl.datetime_range(start, start + timedelta(seconds=rows - 1), "1s", eager=True),
            "host": ("host_" + (i % 100).cast(pl.String)),
            "region": ("region_" + (i % 5).cast(pl.String)),
            "usage_user": (i * 7 % 1000) / 10.0,
            "usage_system": (i * 13 % 1000) / 10.0,
            "usage_idle": (i * 17 % 1000) / 10.0,
            "requests": i * 3,
        }
    )


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls (after one warm-up call) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(rows: list[tuple[str, float, str]], title: str) -> None:
    print(f"\n### {title}\n")
    print("| path | median | note |")
    print("| --- | ---: | --- |")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds * 1000:,.1f} ms | {note} |")


def load(client: Client, rows: int) -> None:
    try:
        have = client.query_sql(f"SELECT count(*) AS n FROM {TABLE}")["n"].item()
    except APIError:  # no such database or table yet
        have = 0
    if have == rows:
        print(f"{TABLE} already holds {rows:,} rows")
        return
    if have:
        sys.exit(f"{DATABASE}.{TABLE} holds {have:,} rows, not {rows:,}: use an empty server or --rows {have}")
    print(f"loading {rows:,} rows into {DATABASE}.{TABLE} ...", flush=True)
    df = frame(rows)
    start = time.perf_counter()
    client.write(df, measurement=TABLE, tags=["host", "region"])
    elapsed = time.perf_counter() - start
    print(
        f"loaded {rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s through Client.write)",
        flush=True,
    )


def server_query_time(client: Client) -> str:
    sql = (
        "SELECT end2end_duration FROM system.queries WHERE query_text = $q AND success ORDER BY issue_time DESC LIMIT 5"
    )
    try:
        log = client.query_sql(sql, params={"q": QUERY})
    except APIError as exc:  # servers without system.queries
        return f"not recorded ({exc.status_code})"
    if log.height == 0 or "end2end_duration" not in log.columns:
        return "not recorded"
    durations = log["end2end_duration"].cast(pl.Int64) / 1e6
    return f"{statistics.median(durations.to_list()):,.1f} ms (system.queries end2end_duration, median)"


def against_server(client: Client, rows: int, repeat: int) -> dict:
    load(client, rows)
    http = client._transport.http
    url = client.host + routes.QUERY_SQL
    headers = client.config.headers()

    def fetch(fmt: str) -> bytes:
        response = http.post(url, json={"db": DATABASE, "q": QUERY, "format": fmt}, headers=headers, timeout=600)
        response.raise_for_status()
        return response.content

    e2e, df = timed(lambda: client.query_sql(QUERY), repeat)
    assert df.height == rows, f"expected {rows} rows, got {df.height}"
    fetch_s, body = timed(lambda: fetch("parquet"), repeat)
    server = server_query_time(client)  # now, while the newest log entries are these parquet requests
    decode_s, _ = timed(lambda: results.parquet_to_polars(body), repeat)
    json_s, json_df = timed(lambda: pl.read_json(io.BytesIO(fetch("json"))), repeat)
    jsonl_s, _ = timed(lambda: pl.read_ndjson(io.BytesIO(fetch("jsonl"))), repeat)
    assert json_df.height == rows
    flight = Client.from_config(dataclasses.replace(client.config, query_transport="flight"))
    with flight:
        flight_s, flight_df = timed(lambda: flight.query_sql(QUERY), repeat)
    assert flight_df.height == rows
    report(
        [
            ("parquet end to end (`query_sql`)", e2e, f"{len(body) / 1e6:,.1f} MB body"),
            ("parquet fetch (server + transfer)", fetch_s, f"server query time: {server}"),
            ("parquet decode (client side)", decode_s, f"{decode_s / e2e:.0%} of end to end"),
            ("json end to end (`pl.read_json`)", json_s, f"{json_s / e2e:.1f}x the parquet path"),
            ("jsonl end to end (`pl.read_ndjson`)", jsonl_s, f"{jsonl_s / e2e:.1f}x the parquet path"),
            ("flight end to end (`query_sql`, flight)", flight_s, f"{flight_s / e2e:.2f}x the parquet path"),
        ],
        f"{rows:,} rows, {client.host}",
    )
    outcome = {
        "rows": rows,
        "parquet_e2e_s": e2e,
        "parquet_fetch_s": fetch_s,
        "parquet_decode_s": decode_s,
        "json_e2e_s": json_s,
        "jsonl_e2e_s": jsonl_s,
        "flight_e2e_s": flight_s,
        "json_over_parquet": json_s / e2e,
        "decode_share": decode_s / e2e,
    }
    print(
        f"\nparquet vs json: {json_s / e2e:.1f}x (target >= {SPEEDUP_TARGET:g}x) — "
        f"{'met' if json_s / e2e >= SPEEDUP_TARGET else 'NOT met'}; "
        f"client decode share: {decode_s / e2e:.0%} (target < {DECODE_SHARE_TARGET:.0%}) — "
        f"{'met' if decode_s / e2e < DECODE_SHARE_TARGET else 'NOT met'}"
    )
    return outcome


def influx_json_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Times as InfluxDB 3 writes them in JSON (``2024-01-01T00:00:01``, no zone)."""
    return df.with_columns(pl.col("time").dt.replace_time_zone(None).dt.to_string("%Y-%m-%dT%H:%M:%S"))


def decode_only(rows: int, repeat: int) -> dict:
    df = frame(rows)
    table = df.with_columns(pl.col("time").dt.replace_time_zone(None)).to_arrow()
    tags = {name: table.column(name).dictionary_encode() for name in ("host", "region")}
    table = table.set_column(1, "host", tags["host"]).set_column(2, "region", tags["region"])
    sink = io.BytesIO()
    pq.write_table(table, sink)
    parquet = sink.getvalue()
    text = influx_json_frame(df)
    json_body = text.write_json().encode()
    jsonl_body = text.write_ndjson().encode()
    parquet_s, out = timed(lambda: results.parquet_to_polars(parquet), repeat)
    assert out.height == rows and out.schema["host"] == pl.String
    json_s, _ = timed(lambda: pl.read_json(io.BytesIO(json_body)), repeat)
    jsonl_s, _ = timed(lambda: pl.read_ndjson(io.BytesIO(jsonl_body)), repeat)
    report(
        [
            ("parquet → Polars (`_results`)", parquet_s, f"{len(parquet) / 1e6:,.1f} MB"),
            ("json → `pl.read_json`", json_s, f"{len(json_body) / 1e6:,.1f} MB, {json_s / parquet_s:.1f}x"),
            (
                "jsonl → `pl.read_ndjson`",
                jsonl_s,
                f"{jsonl_s / parquet_s:.1f}x",
            ),
        ],
        f"decode only, {rows:,} rows (bodies generated locally)",
    )
    return {"rows": rows, "parquet_decode_s": parquet_s, "json_decode_s": json_s, "jsonl_decode_s": jsonl_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an existing server (default: start the embedded one)")
    parser.add_argument("--token")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--decode-only", action="store_true", help="time the client-side decoders only")
    parser.add_argument("--json", dest="json_out", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    # A SIGTERM (e.g. from `timeout`) unwinds the with-blocks below, so a started server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if args.decode_only:
        outcome = decode_only(args.rows, args.repeat)
    elif args.url:
        with Client(args.url, token=args.token, database=DATABASE, read_timeout=600) as client:
            outcome = against_server(client, args.rows, args.repeat)
    else:
        with (
            tempfile.TemporaryDirectory(prefix="wb-bench-") as data_dir,
            launcher.start(data_dir, reuse=False) as server,
            Client(server.url, token=server.token, database=DATABASE, read_timeout=600) as client,
        ):
            outcome = against_server(client, args.rows, args.repeat)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(outcome, f, indent=2)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (launcher.LauncherError, httpx.HTTPError) as exc:
        raise SystemExit(f"benchmark failed: {exc}") from exc
