"""Post-processing of one measurement's SQL result into v1 series (polars).

``engine.py`` hands in the Arrow table from ``translate.py``'s SQL (and the raw points for
``integral``); this module does what InfluxQL means and SQL cannot say directly: ``mode``,
``integral`` (trapezoids with interpolation at window edges, as InfluxDB 1.x), ``fill`` (null,
none, previous, linear, a number) over every window of the time range, the transformations
(derivative, difference, moving_average, cumulative_sum, elapsed, non-negative variants) per
series, zipping columns computed separately by time, ordering, LIMIT/OFFSET per series, and
finally splitting rows into :class:`~workbench.server.influxql.result.Series`.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from . import ir
from .errors import InfluxQLQueryError
from .result import Series
from .translate import OutColumn, SelectPlan, SourcePlan

MAX_WINDOWS = 1_000_000  # per series, for fill(); InfluxDB 1.x calls this max-select-buckets
MAX_FILLED_ROWS = 20_000_000  # windows over all series of a measurement
_DEDUP_TRANSFORMS = frozenset({"derivative", "non_negative_derivative", "difference", "non_negative_difference"})


def source_series(plan: SelectPlan, src: SourcePlan, table: pa.Table, points: pa.Table | None) -> list[Series]:
    """The series one measurement contributes, in output order."""
    q = plan.query
    tags = list(src.group_tags)
    df = _normalise(table, tags)
    for col in plan.columns:
        if col.op is not None and col.op[0] == "mode" and df.schema[col.source] != pl.Null:
            modes = [
                _mode(v, t) for v, t in zip(df[col.source].to_list(), df[col.source + "_t"].to_list(), strict=True)
            ]
            df = df.with_columns(pl.Series(col.source, modes, dtype=df.schema[col.source].inner))
    integrals = [c for c in plan.columns if c.op is not None and c.op[0] == "integral"]
    if integrals and points is not None:
        df = _join_integrals(df, _normalise(points, tags), tags, integrals, q)
        if len(integrals) == len(plan.columns):  # only windows with an area appear
            df = df.filter(pl.any_horizontal([pl.col(c.source).is_not_null() for c in integrals]))
    if plan.fill:
        df = _fill(df, plan, tags)
    elif q.interval is not None:
        df = _nullify_empty_counts(df, plan.columns)
    sources = [c.source for c in plan.columns]
    if q.kind == ir.WINDOW:
        df, sources = _transform(df, plan, tags)
        if q.interval is not None and q.time_range.lower is not None:
            df = df.filter(pl.col("time") >= q.window_start(q.time_range.lower))
        if q.interval is not None and q.time_range.upper is not None:
            df = df.filter(pl.col("time") <= q.window_start(q.time_range.upper))
    if not plan.sql_ordered:
        df = df.sort([*tags, "time"], descending=[False] * len(tags) + [q.order_desc], maintain_order=True)
    if not plan.sql_limited and (q.limit is not None or q.offset_rows):
        df = _limit(df, tags, q.limit, q.offset_rows or 0)
    names = tuple(c.name for c in plan.columns)
    kinds = [f.kind for f in q.fields] if len(q.fields) == len(names) else [None] * len(names)
    return _split(df, src.name, tags, names, sources, kinds, q.tz)


def _normalise(table: pa.Table, tags: list[str]) -> pl.DataFrame:
    """The SQL result as Polars: time as int64 ns, tags as strings ("" for none), dictionaries
    decoded. The casts are done on the Arrow side: a Polars operation costs ~0.1 ms even on 3 rows."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if field.name == "time":
            column = column.cast(pa.int64())
        elif field.name in tags:
            column = pc.fill_null(column.cast(pa.string()), "")
        elif pa.types.is_dictionary(field.type):
            column = column.cast(pa.string())
        columns.append(column)
    df = pl.from_arrow(pa.table(columns, names=table.column_names))
    assert isinstance(df, pl.DataFrame)
    return df


def _over(expr: pl.Expr, tags: list[str]) -> pl.Expr:
    return expr.over(tags) if tags else expr


def _mode(values: list | None, times: list | None) -> object:
    """InfluxDB 1.x's mode: the most frequent value; among equally frequent ones, the value
    whose run (sorted by value, then time) starts no later than the current winner's last point."""
    if not values:
        return None
    most_freq, most_mode, most_time = 0, values[0], times[0]
    curr_freq, curr_mode, curr_time = 0, values[0], times[0]
    for v, t in zip(values, times, strict=True):
        if v != curr_mode:
            curr_freq, curr_mode, curr_time = 1, v, t
            continue
        curr_freq += 1
        if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
            continue
        most_freq, most_mode, most_time = curr_freq, v, t
    return most_mode


# -- integral --------------------------------------------------------------------------------------


def _join_integrals(
    df: pl.DataFrame, points: pl.DataFrame, tags: list[str], cols: list[OutColumn], q: ir.SelectQuery
) -> pl.DataFrame:
    for col in cols:
        rows: list[tuple] = []
        data = points.filter(pl.col(col.source).is_not_null())
        groups = data.partition_by(tags, maintain_order=True, as_dict=True) if tags else {(): data}
        for key, part in groups.items():
            if part.is_empty():
                continue
            for start, area in _integral(part["time"].to_list(), part[col.source].to_list(), col.op[1], q):
                rows.append((*key, start, area))
        schema = {**dict.fromkeys(tags, pl.Utf8), "time": pl.Int64, col.source: pl.Float64}
        result = pl.DataFrame(rows, schema=schema, orient="row")
        df = df.drop(col.source, strict=False).join(result, on=[*tags, "time"], how="left")
    return df


def _integral(times: list[int], values: list[float], unit: int, q: ir.SelectQuery) -> list[tuple[int, float]]:
    """InfluxDB's integral reducer: trapezoids between points, interpolated at window ends."""
    iv = q.interval
    const = q.time_range.lower or 0

    def window(t: int) -> int:
        return q.window_start(t) if iv else const

    areas: list[float | None] = [0.0]
    owners = [window(times[0])]
    last_t, last_v, last_idx = times[0], float(values[0]), 0
    end = window(times[0]) + iv if iv else None
    for i in range(1, len(times)):
        t, v = times[i], float(values[i])
        owners.append(window(t))
        if t == last_t:
            last_v = v
            areas.append(None)
            continue
        if end is not None and t >= end:
            if last_t != end:
                y = last_v + (v - last_v) * (end - last_t) / (t - last_t)
                areas[last_idx] = (areas[last_idx] or 0.0) + 0.5 * (y + last_v) * (end - last_t) / unit
                last_t, last_v = end, y
            end = window(t) + iv  # type: ignore[operator]
        areas.append(0.5 * (v + last_v) * (t - last_t) / unit)
        last_t, last_v, last_idx = t, v, i
    if iv and last_t == window(last_t):
        areas[last_idx] = None
    sums: dict[int, float] = {}
    for owner, area in zip(owners, areas, strict=True):
        if area is not None:
            sums[owner] = sums.get(owner, 0.0) + area
    return sorted(sums.items())


# -- fill --------------------------------------------------------------------------------------------


def _missing(col: OutColumn) -> pl.Expr:
    c = pl.col(col.source)
    return (c.is_null() | (c == 0)) if col.count_like else c.is_null()


def _nullify_empty_counts(df: pl.DataFrame, columns: tuple[OutColumn, ...]) -> pl.DataFrame:
    """fill(none): a count() of a field with no points in a window shows null, not 0."""
    fixes = [
        pl.when(pl.col(c.source) == 0).then(None).otherwise(pl.col(c.source)).alias(c.source)
        for c in _unique_sources(columns)
        if c.count_like and df.schema[c.source] != pl.Null
    ]
    return df.with_columns(fixes) if fixes else df


def _fill(df: pl.DataFrame, plan: SelectPlan, tags: list[str]) -> pl.DataFrame:
    q = plan.query
    iv = q.interval
    assert iv is not None
    upper = plan.read_range.upper if plan.read_range.upper is not None else q.now_ns
    end = q.window_start(upper)
    if df.is_empty():
        return df
    if plan.read_range.lower is not None:  # every series starts at the range's first window
        start = q.window_start(plan.read_range.lower)
        if tags:
            keys = df.select(tags).unique(maintain_order=True).with_columns(pl.lit(start, pl.Int64).alias("__start"))
        else:
            keys = pl.DataFrame({"__k": [0], "__start": [start]}, schema={"__k": pl.Int32, "__start": pl.Int64})
        windows = [max((end - start) // iv + 1, 0)] * keys.height
    else:
        keys = df.group_by(tags or pl.lit(0).alias("__k"), maintain_order=True).agg(
            pl.col("time").min().alias("__start")
        )
        windows = [max((end - s) // iv + 1, 0) for s in keys["__start"].to_list()]  # (Series ops cost more)
    for count, limit in ((max(windows), MAX_WINDOWS), (sum(windows), MAX_FILLED_ROWS)):
        if count > limit:
            raise InfluxQLQueryError(
                f"max-select-buckets limit exceeded: ({count}/{limit}); "
                "give the query a time range that covers fewer GROUP BY time() windows"
            )
    kind = q.fill.kind
    fills = []
    for col in _unique_sources(plan.columns):
        if (col.op is not None and col.op[0] == "integral") or df.schema[col.source] == pl.Null:
            continue  # InfluxDB never fills integral(), nor a field this measurement lacks
        c = pl.col(col.source)
        missing = _missing(col)
        dtype = df.schema[col.source]
        if kind == "null" and col.count_like:
            fills.append(c.fill_null(0))
        elif kind == "value":
            fills.append(pl.when(missing).then(_fill_value(q.fill.value, dtype)).otherwise(c))
        elif kind == "previous":  # previous in output order: the later window when descending
            known = pl.when(missing).then(None).otherwise(c)
            fills.append(_over(known.backward_fill() if q.order_desc else known.forward_fill(), tags))
        elif kind == "linear" and dtype.is_numeric():
            linear = pl.when(missing).then(None).otherwise(c).cast(pl.Float64).interpolate()
            fills.append(_over(linear, tags).cast(dtype))
        else:
            continue
        fills[-1] = fills[-1].alias(col.source)
    if kind == "null" and plan.read_range.lower is not None and df.height == sum(windows):
        times = df.get_column("time")
        if times.min() >= start and times.max() <= end:  # type: ignore[operator]
            # Every window of every series is present (a series has one row per window): there are
            # no windows to add, only fill(null)'s counts to apply. The common dashboard case.
            df = df.sort([*tags, "time"], maintain_order=True)
            return df.with_columns(fills) if fills else df
    return (  # one lazy plan: each eager step would cost Polars' fixed overhead again
        keys.lazy()
        .with_columns(pl.int_ranges(pl.col("__start"), end + iv, iv, dtype=pl.Int64).alias("time"))
        .explode("time")
        .drop("__start", "__k", strict=False)
        .drop_nulls("time")
        .join(df.lazy(), on=[*tags, "time"], how="left")
        .sort([*tags, "time"], maintain_order=True)
        .with_columns(fills)
        .collect()
    )


def _unique_sources(columns: tuple[OutColumn, ...]) -> list[OutColumn]:
    seen: dict[str, OutColumn] = {}
    for c in columns:
        seen.setdefault(c.source, c)
    return list(seen.values())


def _fill_value(value: int | float | None, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Utf8:
        return pl.lit("")
    if dtype == pl.Boolean:
        return pl.lit(False)
    if dtype.is_integer():
        return pl.lit(int(value or 0), dtype)
    return pl.lit(float(value or 0), pl.Float64)


# -- transformations --------------------------------------------------------------------------------


def _transform(df: pl.DataFrame, plan: SelectPlan, tags: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Each column on its own (transformations drop rows), then zipped by time and occurrence."""
    q = plan.query
    keys = [*tags, "time", "__occ"]
    parts: list[pl.DataFrame] = []
    for i, col in enumerate(plan.columns):
        part = df.select([*tags, "time", pl.col(col.source).alias(f"__v{i}")])
        if q.order_desc:  # InfluxDB runs transformations in output order
            part = part.sort([*tags, "time"], descending=[False] * len(tags) + [True], maintain_order=True)
        if col.op is not None:
            part = _apply(part.filter(pl.col(f"__v{i}").is_not_null()), f"__v{i}", col.op, tags, q)
        part = part.with_columns(_over(pl.int_range(pl.len()), [*tags, "time"]).alias("__occ"))
        parts.append(part)
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, on=keys, how="full", coalesce=True)
    values = [f"__v{i}" for i in range(len(plan.columns))]
    out = out.filter(pl.any_horizontal([pl.col(v).is_not_null() for v in values]))
    return out.sort(keys, maintain_order=True).drop("__occ"), values


def _apply(part: pl.DataFrame, v: str, op: tuple, tags: list[str], q: ir.SelectQuery) -> pl.DataFrame:
    _, name, param = op
    if part.schema[v] == pl.Null:  # the field is missing from this measurement
        return part.clear()
    if name in _DEDUP_TRANSFORMS:
        part = part.unique(subset=[*tags, "time"], keep="first", maintain_order=True)
    val, t = pl.col(v), pl.col("time")
    prev_v, prev_t = _over(val.shift(1), tags), _over(t.shift(1), tags)
    if name in ("derivative", "non_negative_derivative"):
        unit = param or q.interval or 10**9
        expr = (val - prev_v).cast(pl.Float64) / ((t - prev_t).abs().cast(pl.Float64) / unit)
    elif name in ("difference", "non_negative_difference"):
        expr = val - prev_v
    elif name == "elapsed":  # signed (negative when descending), truncated like Go's division
        step = t - prev_t
        expr = (step.abs() // (param or 1)) * step.sign()
    elif name == "moving_average":
        expr = _over(val.cast(pl.Float64).rolling_mean(param), tags)
    else:  # cumulative_sum
        expr = _over(val.cum_sum(), tags)
    part = part.with_columns(expr.alias(v)).filter(pl.col(v).is_not_null())
    if name.startswith("non_negative"):
        part = part.filter(pl.col(v) >= 0)
    return part


# -- ordering, limits, series ----------------------------------------------------------------------


def _limit(df: pl.DataFrame, tags: list[str], limit: int | None, offset: int) -> pl.DataFrame:
    idx = _over(pl.int_range(pl.len()), tags)
    cond = idx >= offset
    if limit is not None:
        cond = cond & (idx < offset + limit)
    return df.filter(cond)


def _stored(column: pa.Array, kind: str | None) -> pa.Array:
    if not (pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type)):
        return column
    text = column.cast(pa.string())
    return text.dictionary_encode() if kind == "tag" else text


def _split(
    df: pl.DataFrame,
    name: str,
    tags: list[str],
    names: tuple[str, ...],
    sources: list[str],
    kinds: list[str | None],
    tz: str | None,
) -> list[Series]:
    """Rows (sorted by tags) → one Series per tag set, each a row range of one Arrow table.

    Text columns leave Polars as ``large_string``; they are stored as InfluxDB 3 types them:
    a selected tag as ``Dictionary(Int32, Utf8)``, a string field as ``Utf8``."""
    if df.is_empty():
        return []
    columns = ("time", *names)
    time = df.get_column("time").to_arrow().cast(pa.int64()).cast(pa.timestamp("ns", tz=tz))
    values = [_stored(df.get_column(s).to_arrow(), kind) for s, kind in zip(sources, kinds, strict=True)]
    arrow = pa.table([time, *values], names=[f"c{i}" for i in range(len(columns))])
    if not tags:
        return [Series(name, (), columns, arrow)]
    groups = (
        df.select(tags)
        .with_row_index("__i")
        .group_by(tags, maintain_order=True)
        .agg(pl.col("__i").first().alias("__start"), pl.len().alias("__n"))
    )
    out = []
    for row in groups.iter_rows():
        key, start, n = row[: len(tags)], row[-2], row[-1]
        out.append(Series(name, tuple(zip(tags, key, strict=True)), columns, arrow, start, n))
    return out
