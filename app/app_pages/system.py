"""System page: health and version, ``/metrics`` as charts, the slowest recent queries, Parquet files.

``/ping`` and ``/health`` give the server's identity; ``/metrics`` (parsed by the client into
name / labels / value / type) is charted two ways: one metric broken down by a label (bars), and
totals sampled on every refresh of this page and kept in the session, so counters show as rates
over time. ``system.queries`` gives the slowest recent queries, ``system.parquet_files`` the
persisted files of the selected database.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import streamlit as st

from app import _format
from app import _session as sess
from workbench.client import InfluxDBError

SAMPLES = "system.samples"
MAX_SAMPLES = 240


def _record(metrics: pl.DataFrame) -> pl.DataFrame:
    """Append this scrape's totals per metric to the session's samples; return all samples."""
    totals = (
        metrics.group_by("name", "type")
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(dt.datetime.now(dt.UTC)).alias("time"))
    )
    samples = st.session_state.get(SAMPLES)
    samples = totals if samples is None else pl.concat([samples, totals], how="vertical_relaxed")
    times = samples["time"].unique().sort()
    if times.len() > MAX_SAMPLES:
        samples = samples.filter(pl.col("time") >= times[-MAX_SAMPLES])
    st.session_state[SAMPLES] = samples
    return samples


def metrics_section(client) -> None:
    st.subheader("Metrics")
    auto = st.toggle("Sample every 5 s", value=False, key="system.auto")

    @st.fragment(run_every=5 if auto else None)
    def charts() -> None:
        metrics = sess.fetch("Cannot read /metrics", client.metrics)
        if metrics is None:
            return
        if metrics.height == 0:
            st.caption("The server exposes no metrics.")
            return
        samples = _record(metrics)
        names = sorted(metrics.filter(~pl.col("name").str.ends_with("_created"))["name"].unique().to_list())
        default = [n for n in names if n in ("http_requests_total", "influxdb3_write_lines_total")] or names[:1]
        chosen = st.multiselect("Metrics to follow", names, default=default, key="system.metrics")
        if chosen:
            series = samples.filter(pl.col("name").is_in(chosen)).sort("time")
            # counters grow forever: chart their rate between samples; gauges as they are
            series = series.with_columns(
                pl.when(pl.col("type") == "counter")
                .then(pl.col("value").diff().over("name") / pl.col("time").diff().over("name").dt.total_seconds())
                .otherwise(pl.col("value"))
                .alias("value")
            ).drop_nulls("value")
            if series["time"].n_unique() < 2:
                st.caption("Rates appear after the second sample: turn on sampling or refresh the page.")
            else:
                chart = (
                    alt.Chart(series)
                    .mark_line(point=True)
                    .encode(
                        x=alt.X("time:T", title=None),
                        y=alt.Y("value:Q", title="per second (counters)"),
                        color=alt.Color("name:N", legend=alt.Legend(orient="bottom")),
                        tooltip=["name", "value"],
                    )
                    .properties(height=220)
                )
                st.altair_chart(chart)
        c1, c2 = st.columns(2)
        one = c1.selectbox("Break down", names, index=names.index(default[0]) if default else 0, key="system.one")
        part = metrics.filter(pl.col("name") == one).unnest("labels", separator="·")
        labels = [c for c in part.columns if c.startswith("labels·") and part[c].null_count() < part.height]
        by = c2.selectbox(
            "by label", labels or ["(none)"], format_func=lambda c: c.removeprefix("labels·"), key="system.by"
        )
        if labels:
            grouped = part.group_by(by).agg(pl.col("value").sum()).rename({by: "label"}).sort("value", descending=True)
            bar = (
                alt.Chart(grouped)
                .mark_bar()
                .encode(
                    x=alt.X("value:Q", title=one),
                    y=alt.Y("label:N", sort="-x", title=by.removeprefix("labels·")),
                    tooltip=["label", "value"],
                )
            )
            st.altair_chart(bar.properties(height=max(120, 22 * grouped.height)))
        else:
            st.metric(one, f"{part['value'].sum():,.3f}")
        with st.expander("All samples of this scrape"):
            st.dataframe(_format.for_display(metrics), hide_index=True)

    charts()


def queries_section(client) -> None:
    st.subheader("Slowest recent queries")
    queries = sess.fetch("Cannot read system.queries", client.system_table, "queries")
    if queries is None:
        return
    if queries.height == 0 or "end2end_duration" not in queries.columns:
        st.caption("No queries recorded yet.")
        return
    wanted = [
        c
        for c in (
            "issue_time",
            "query_type",
            "database",
            "query_text",
            "end2end_duration",
            "plan_duration",
            "execute_duration",
            "rows",
            "parquet_files",
            "success",
        )
        if c in queries.columns
    ]
    slowest = queries.sort("end2end_duration", descending=True, nulls_last=True).head(20).select(wanted)
    st.dataframe(_format.for_display(slowest), hide_index=True)


def files_section(client, db: str) -> None:
    st.subheader(f"Parquet files of `{db}`")
    files = sess.fetch("Cannot read system.parquet_files", client.system_table, "parquet_files", db)
    if files is None:
        return
    if files.height == 0 or files.width == 0:
        st.caption("No Parquet files yet: recent data is still in the write buffer (WAL) until a snapshot.")
        return
    per_table = files.group_by("table_name").agg(
        pl.len().alias("files"), pl.col("size_bytes").sum(), pl.col("row_count").sum()
    )
    st.dataframe(
        per_table.with_columns(
            pl.col("size_bytes").map_elements(_format.human_bytes, return_dtype=pl.String).alias("size")
        ).drop("size_bytes"),
        hide_index=True,
    )
    st.dataframe(
        files.with_columns(
            pl.from_epoch("min_time", time_unit="ns").dt.replace_time_zone("UTC"),
            pl.from_epoch("max_time", time_unit="ns").dt.replace_time_zone("UTC"),
        ).sort("max_time", descending=True),
        hide_index=True,
    )


st.title("System")
client = sess.require_client()
c1, c2, c3 = st.columns(3)
try:
    ping = client.ping()
    healthy = client.health()
except InfluxDBError as exc:
    sess.show_error("The server does not answer", exc)
    st.stop()
c1.metric("Health", "OK" if healthy else "unhealthy")
c2.metric("Product", ping.product_name or "unknown")
c3.metric("Version", ping.version or "unknown", ping.revision, "off")
metrics_section(client)
queries_section(client)
db = sess.current_database()
if db:
    files_section(client, db)
