"""Query explorer: SQL and InfluxQL with a schema browser, a time range, charts, plans and exports.

The editor's text, the time range (bound as ``$start``/``$end``/``$interval``) and the language
go to the client when *Run* is pressed; the result frame, the automatic chart (``app._charts``)
and the CSV/Parquet exports come from the stored result, so widget changes never re-query.
*Explain* / *Explain analyze* show the server's plans. Every run is appended to this session's
history, from which a query can be restored. Errors show the server's message; InfluxQL parse
errors also point at the line and column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import polars as pl
import streamlit as st

from app import _charts, _format, _timerange
from app import _session as sess
from workbench.client import InfluxDBError, sql_identifier

Q = "explorer.q"
LANG = "explorer.lang"
HISTORY = "explorer.history"
RESULT = "explorer.result"
MAX_HISTORY = 50
_POSITION = re.compile(r"at line (\d+), col(?:umn)? (\d+)", re.IGNORECASE)


def starter_query(table: str, language: str) -> str:
    name = sql_identifier(table)
    if language == "influxql":
        return f"SELECT * FROM {name} WHERE time >= $start AND time < $end ORDER BY time DESC LIMIT 500"
    return f"SELECT *\nFROM {name}\nWHERE time >= $start AND time < $end\nORDER BY time DESC\nLIMIT 1000"


def _use_query(text: str, language: str) -> None:
    st.session_state[Q] = text
    st.session_state[LANG] = language


def _record(language: str, query: str, outcome: str, elapsed_ms: float) -> None:
    history = st.session_state.setdefault(HISTORY, [])
    history.insert(
        0,
        {
            "at": dt.datetime.now(dt.UTC).strftime("%H:%M:%S"),
            "language": language,
            "query": query,
            "outcome": outcome,
            "ms": round(elapsed_ms, 1),
        },
    )
    del history[MAX_HISTORY:]


def _show_position(query: str, exc: InfluxDBError) -> None:
    m = _POSITION.search(getattr(exc, "message", "") or "")
    if not m:
        return
    line_no, col = int(m.group(1)), int(m.group(2))
    lines = query.splitlines() or [""]
    if 1 <= line_no <= len(lines):
        st.caption(f"Error at line {line_no}, column {col}:")
        st.code(f"{lines[line_no - 1]}\n{' ' * max(col - 1, 0)}^", language=None)


def schema_browser(client) -> None:
    st.markdown("**Schema**")
    dbs = sess.fetch("Cannot list databases", sess.databases) or []
    current = sess.current_database()
    options = [d for d in dbs if d != "_internal"] + (["_internal"] if "_internal" in dbs else [])
    if not options:
        st.caption("No databases yet.")
        return
    db = st.selectbox(
        "Database",
        options,
        index=options.index(current) if current in options else 0,
        key="explorer.schema_db",
        label_visibility="collapsed",
    )
    cols = sess.fetch(f"Cannot read the columns of {db}", sess.columns, db)
    if cols is None:
        return
    if cols.height == 0:
        st.caption(f"`{db}` has no tables yet.")
        return
    for table, frame in cols.group_by("table_name", maintain_order=True):
        name = table[0]
        with st.expander(f"{name} · {frame.height} columns"):
            st.dataframe(
                frame.select(pl.col("column_name").alias("column"), pl.col("data_type").alias("type")),
                hide_index=True,
            )
            st.button(
                "Query this table",
                key=f"explorer.use.{db}.{name}",
                on_click=_use_query,
                args=(starter_query(name, st.session_state.get(LANG, "sql")), st.session_state.get(LANG, "sql")),
            )
    if db != sess.current_database():
        st.caption(f"Queries run against `{sess.current_database()}` (the sidebar's database).")


def run(client, language: str, query: str, params: dict, mode: str) -> None:
    bound = sess.bound_params(query, params) or None
    started = time.perf_counter()
    try:
        with st.spinner("Running…", show_time=True):
            if mode == "run":
                frame = (client.query_influxql if language == "influxql" else client.query_sql)(query, None, bound)
                outcome = f"{frame.height} rows"
            elif language == "influxql":
                prefix = "EXPLAIN ANALYZE " if mode == "analyze" else "EXPLAIN "
                plans = client.query_influxql(prefix + query, None, bound)
                frame = None
                outcome = "plan"
            else:
                plans = client.explain(query, None, bound, analyze=mode == "analyze")
                frame = None
                outcome = "plan"
    except InfluxDBError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        _record(language, query, f"error: {sess.summary(exc)}", elapsed)
        st.session_state[RESULT] = {"error": exc, "query": query, "language": language}
        return
    elapsed = (time.perf_counter() - started) * 1000
    _record(language, query, outcome, elapsed)
    st.session_state[RESULT] = {
        "frame": frame,
        "plans": None if frame is not None else plans,
        "query": query,
        "language": language,
        "ms": elapsed,
        "params": bound or {},
    }


def show_result() -> None:
    result = st.session_state.get(RESULT)
    if not result:
        return
    if "error" in result:
        sess.show_error("The query failed", result["error"])
        if result["language"] == "influxql":
            _show_position(result["query"], result["error"])
        return
    plans = result.get("plans")
    if plans is not None:
        st.subheader("Plan")
        if isinstance(plans, str):
            st.code(plans, language=None)
        else:
            for row in plans.iter_rows(named=True):
                st.caption(str(row.get("plan_type", "")))
                st.code(str(row.get("plan", row)), language=None)
        return
    frame: pl.DataFrame = result["frame"]
    st.caption(f"{frame.height:,} rows · {frame.width} columns · {result['ms']:.0f} ms")
    if frame.width == 0:
        st.info("The query returned no rows.")
        return
    charts = [(field, _charts.chart(part, height=220)) for field, part in _charts.per_field(frame)]
    charts = [(field, chart) for field, chart in charts if chart is not None]
    tab_names = ["Chart", "Table"] if charts else ["Table"]
    tabs = dict(zip(tab_names, st.tabs(tab_names), strict=True))
    if charts:
        with tabs["Chart"]:
            for field, chart in charts:
                if field:
                    st.caption(field)
                st.altair_chart(chart)
            if frame.height > _charts.MAX_ROWS:
                st.caption(
                    f"The chart shows the first {_charts.MAX_ROWS:,} rows; bin with `date_bin($interval, time)`."
                )
    shown = _format.for_display(frame)  # the table and the CSV export show the same text
    with tabs["Table"]:
        st.dataframe(shown, hide_index=True)
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download CSV",
        shown.write_csv(),
        file_name="query.csv",
        mime="text/csv",
        on_click="ignore",
        key="explorer.csv",
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    c2.download_button(
        "Download Parquet",
        buffer.getvalue(),
        file_name="query.parquet",
        mime="application/vnd.apache.parquet",
        on_click="ignore",
        key="explorer.parquet",
    )


def history() -> None:
    entries = st.session_state.get(HISTORY, [])
    with st.expander(f"History ({len(entries)})", expanded=False):
        if not entries:
            st.caption("Queries you run in this session appear here.")
            return
        st.dataframe(pl.DataFrame(entries), hide_index=True)
        labels = [f"{e['at']} · {e['language']} · {e['query'][:80]}" for e in entries]
        pick = st.selectbox("Restore", range(len(entries)), format_func=lambda i: labels[i], key="explorer.hist")
        st.button(
            "Restore into the editor",
            key="explorer.restore",
            on_click=_use_query,
            args=(entries[pick]["query"], entries[pick]["language"]),
        )


st.title("Query explorer")
client = sess.require_client()
left, main = st.columns([1, 3], gap="large")
with left:
    schema_browser(client)

with main:
    if Q not in st.session_state:
        tables = sess.fetch("Cannot list tables", sess.tables) or []
        st.session_state[Q] = starter_query(tables[0], "sql") if tables else "SELECT 1 AS one"
    top = st.columns([1, 2])
    language = top[0].segmented_control(
        "Language", ["sql", "influxql"], default="sql", key=LANG, format_func=str.upper, required=True
    )
    with top[1]:
        trange = _timerange.picker("explorer")
    query = st.text_area(
        "Query",
        key=Q,
        height=180,
        help="Use $start, $end and $interval for the time range: they are sent as bound parameters.",
    )
    params = trange.params()
    st.caption(
        f"Database `{sess.current_database() or '—'}` · " + " · ".join(f"`${k}` = {v}" for k, v in params.items())
    )
    b1, b2, b3, _ = st.columns([1, 1, 1.4, 3])
    mode = None
    if b1.button("Run", type="primary", key="explorer.run"):
        mode = "run"
    if b2.button("Explain", key="explorer.explain"):
        mode = "explain"
    if b3.button("Explain analyze", key="explorer.analyze"):
        mode = "analyze"
    if mode and not query.strip():
        st.warning("Write a query first.")
    elif mode:
        run(client, language, query, params, mode)
    show_result()
    history()
