"""Caches page: last value and distinct value caches — list, create, delete, query, compare latency.

Listings come from ``system.last_caches`` / ``system.distinct_caches``, contents from the
``last_cache()`` / ``distinct_cache()`` table functions, changes from the client's
``/api/v3/configure/{last,distinct}_cache`` methods. A server without caches answers those
with "table not found" / 404: the page then says what is missing (``_session.missing_feature``)
instead of showing forms that cannot work. The latency comparison times the cache query and
the equivalent raw query on the same server (median of several runs).
"""

from __future__ import annotations

import statistics
import time

import polars as pl
import streamlit as st

from app import _format
from app import _session as sess
from workbench.client import InfluxDBError, sql_identifier, sql_string

RUNS = 5
KINDS = {"last": "Last value caches", "distinct": "Distinct value caches"}


def listing(client, kind: str) -> pl.DataFrame | None:
    """The caches of ``kind``, or None after telling the user why they are unavailable."""
    method = client.list_last_caches if kind == "last" else client.list_distinct_caches
    try:
        return method()
    except InfluxDBError as exc:
        missing = sess.missing_feature(exc)
        if missing:
            st.info(
                f"**{KINDS[kind]} are not available here:** {missing}. This page lights up when the server "
                "supports them (InfluxDB 3 Core/Enterprise and the embedded server do).",
                icon=":material/construction:",
            )
            with st.expander("What the server said"):
                st.code(str(exc), language=None, wrap_lines=True)
        else:
            sess.show_error(f"Cannot list the {KINDS[kind].lower()}", exc)
        return None


def schema_of(table: str) -> pl.DataFrame:
    return sess.columns().filter(pl.col("table_name") == table)


def create_last(client, tables: list[str]) -> None:
    st.markdown("**Create a last value cache** · defaults: key = the series key, count 1, TTL 4 h")
    table = st.selectbox("Table", tables, key="caches.last.table")
    with st.form("caches.create_last"):
        cols = schema_of(table)
        tags = cols.filter(pl.col("data_type").str.contains("Dictionary"))["column_name"].to_list()
        others = [c for c in cols["column_name"].to_list() if c not in tags and c != "time"]
        name = st.text_input("Name", placeholder="default: <table>_<keys>_last_cache")
        keys = st.multiselect("Key columns", tags + others, default=tags, help="Empty: the table's series key.")
        values = st.multiselect("Value columns", others, help="Empty: every column that is not a key.")
        c1, c2 = st.columns(2)
        count = c1.number_input("Count (rows kept per key)", 1, 10, 1)
        ttl = c2.number_input("TTL (seconds)", 1, 30 * 86400, 4 * 3600)
        if st.form_submit_button("Create last value cache", type="primary") and sess.act(
            "Cannot create the cache",
            client.create_last_cache,
            table,
            name=name.strip() or None,
            key_columns=keys or None,
            value_columns=values or None,
            count=int(count),
            ttl=int(ttl),
        ):
            sess.flash(f"Created a last value cache on {table}; it fills from new writes only.")
            st.rerun()


def create_distinct(client, tables: list[str]) -> None:
    st.markdown("**Create a distinct value cache** · defaults: 100,000 values, max age 1 day")
    table = st.selectbox("Table", tables, key="caches.distinct.table")
    with st.form("caches.create_distinct"):
        cols = schema_of(table)
        text_cols = cols.filter(pl.col("data_type").str.contains("Dictionary|Utf8"))["column_name"].to_list()
        name = st.text_input("Name", placeholder="default: <table>_<columns>_distinct_cache")
        columns = st.multiselect("Columns (tags or string fields, in hierarchy order)", text_cols)
        c1, c2 = st.columns(2)
        cardinality = c1.number_input("Max cardinality", 1, 10_000_000, 100_000)
        max_age = c2.number_input("Max age (seconds)", 1, 365 * 86400, 86400)
        if st.form_submit_button("Create distinct value cache", type="primary"):
            if not columns:
                st.error("Choose at least one column.")
            elif sess.act(
                "Cannot create the cache",
                client.create_distinct_cache,
                table,
                columns,
                name=name.strip() or None,
                max_cardinality=int(cardinality),
                max_age=int(max_age),
            ):
                sess.flash(f"Created a distinct value cache on {table}; it fills from new writes only.")
                st.rerun()


def _median_ms(fn) -> tuple[float, pl.DataFrame]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def raw_equivalent(kind: str, row: dict) -> str:
    """The plain SQL answering what the cache answers (latest ``count`` rows per key / distinct values)."""
    table = sql_identifier(row["table"])
    if kind == "last":
        keys = ", ".join(sql_identifier(k) for k in row.get("key_column_names") or [])
        partition = f"PARTITION BY {keys} " if keys else ""
        ttl = int(row.get("ttl") or 14400)
        return (
            f"SELECT * FROM (SELECT *, row_number() OVER ({partition}ORDER BY time DESC) AS _rank FROM {table} "
            f"WHERE time > now() - INTERVAL '{ttl} seconds') WHERE _rank <= {int(row['count'])}"
        )
    columns = ", ".join(sql_identifier(c) for c in row.get("column_names") or [])
    return (
        f"SELECT DISTINCT {columns} FROM {table} "
        f"WHERE time > now() - INTERVAL '{int(row.get('max_age_seconds') or 86400)} seconds' ORDER BY {columns}"
    )


def inspect(client, kind: str, caches: pl.DataFrame) -> None:
    labels = [f"{r['table']} · {r['name']}" for r in caches.iter_rows(named=True)]
    pick = st.selectbox("Cache", range(len(labels)), format_func=lambda i: labels[i], key=f"caches.{kind}.pick")
    row = caches.row(pick, named=True)
    function = "last_cache" if kind == "last" else "distinct_cache"
    cache_sql = f"SELECT * FROM {function}({sql_string(row['table'])}, {sql_string(row['name'])})"
    c1, c2 = st.columns(2)
    if c1.button("Query the cache", key=f"caches.{kind}.query"):
        df = sess.fetch("Cannot query the cache", client.query_sql, cache_sql)
        if df is not None:
            st.code(cache_sql, language="sql")
            st.dataframe(_format.for_display(df), hide_index=True)
            if df.height == 0:
                st.caption("Empty: caches fill from writes made after they were created.")
    if c2.button("Delete this cache", key=f"caches.{kind}.delete"):
        delete = client.delete_last_cache if kind == "last" else client.delete_distinct_cache
        if sess.act("Cannot delete the cache", delete, row["table"], row["name"]):
            sess.flash(f"Deleted cache {row['name']}.")
            st.rerun()
    with st.expander("Latency: cache vs raw query"):
        raw_sql = st.text_area("Raw query", raw_equivalent(kind, row), key=f"caches.{kind}.raw.{pick}", height=90)
        if st.button(f"Compare ({RUNS} runs each)", key=f"caches.{kind}.compare"):
            try:
                with st.spinner("Timing…"):
                    cache_ms, cached = _median_ms(lambda: client.query_sql(cache_sql))
                    raw_ms, raw = _median_ms(lambda: client.query_sql(raw_sql))
            except InfluxDBError as exc:
                sess.show_error("The comparison failed", exc)
                return
            m1, m2, m3 = st.columns(3)
            m1.metric("Cache (median)", f"{cache_ms:.1f} ms", f"{cached.height} rows", "off")
            m2.metric("Raw query (median)", f"{raw_ms:.1f} ms", f"{raw.height} rows", "off")
            m3.metric("Speed-up", f"{raw_ms / cache_ms:.1f}×" if cache_ms else "–")


st.title("Caches")
sess.show_flash()
client = sess.require_client()
tables = sess.fetch("Cannot list tables", sess.tables) or []
for kind in ("last", "distinct"):
    st.subheader(KINDS[kind])
    caches = listing(client, kind)
    if caches is None:
        continue
    if caches.height:
        st.dataframe(_format.for_display(caches), hide_index=True)
        inspect(client, kind, caches)
    else:
        st.caption("None yet.")
    if not tables:
        st.caption("Create a table (or write data) before creating a cache.")
    elif kind == "last":
        create_last(client, tables)
    else:
        create_distinct(client, tables)
