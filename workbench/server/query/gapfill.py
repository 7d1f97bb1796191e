"""Gap filling for ``date_bin_gapfill`` queries: add the missing time bins, then fill values.

The rewritten query (``sql_rewrite.py``) runs as a plain ``date_bin`` aggregation. Here the
result gets one row per bin of the WHERE clause's time range for every group (the other GROUP BY
columns), with NULL aggregates in the new rows, except columns wrapped in ``locf(...)`` (last
observation carried forward) or ``interpolate(...)`` (linear, between known points). Rows come
out ordered by group, then time, as InfluxDB 3's GapFill produces them.
"""

from __future__ import annotations

import datafusion as df
import polars as pl
import pyarrow as pa

from workbench.server.errors import ServerError
from workbench.server.query.pruning import NEG_INF, POS_INF, TimeRange
from workbench.server.query.sql_rewrite import GapFill


def _ts(ns: int) -> str:
    return f"arrow_cast({ns}, 'Timestamp(Nanosecond, None)')"


def bins(spec: GapFill, rng: TimeRange) -> pa.Array:
    if rng.lo == NEG_INF and rng.hi == POS_INF:
        raise ServerError(
            "Error during planning: gap-filling query is missing both upper and lower time bounds", status=400
        )
    if rng.lo == NEG_INF:
        raise ServerError("Error during planning: gap-filling query is missing lower time bound", status=400)
    if rng.hi == POS_INF:
        raise ServerError("Error during planning: gap-filling query is missing upper time bound", status=400)
    origin = f", {spec.origin_sql}" if spec.origin_sql else ""
    sql = (
        f"SELECT DISTINCT date_bin({spec.interval_sql}, value{origin}) AS b FROM generate_series("
        f"date_bin({spec.interval_sql}, {_ts(rng.lo)}{origin}), {_ts(rng.hi)}, {spec.interval_sql}) ORDER BY b"
    )
    try:
        return df.SessionContext().sql(sql).to_arrow_table().column("b").combine_chunks()
    except Exception as exc:
        raise ServerError(f"Error during planning: invalid date_bin_gapfill interval: {exc}", 400) from exc


def fill(result: pa.Table, spec: GapFill, rng: TimeRange) -> pa.Table:
    names = result.column_names
    time_name = names[spec.time_index]
    group_names = [names[i] for i in spec.group_indices]
    frame = pl.from_arrow(result)
    if not isinstance(frame, pl.DataFrame):
        frame = frame.to_frame()
    all_bins = pl.from_arrow(bins(spec, rng).cast(result.schema.field(time_name).type)).alias(time_name)
    grid = all_bins.to_frame()
    if group_names:
        grid = frame.select(group_names).unique(maintain_order=True).join(grid, how="cross")
    filled = grid.join(frame, on=[*group_names, time_name], how="left", nulls_equal=True)
    filled = filled.sort([*group_names, time_name], nulls_last=False)
    for index, how in spec.fill.items():
        col = names[index]
        expr = pl.col(col).forward_fill() if how == "locf" else pl.col(col).interpolate()
        filled = filled.with_columns(expr.over(group_names) if group_names else expr)
    out = filled.select(names).to_arrow()
    return pa.table([out.column(n).cast(result.schema.field(n).type) for n in names], schema=result.schema)
