"""Write inputs → line-protocol request bodies: vectorised Polars conversion and byte batching.

``Client.write`` accepts text, bytes, ``LineBuilder`` objects, lists of those, and Polars frames.
This module turns each into a sequence of :class:`Batch` bodies of at most
``write_batch_bytes`` (a single line larger than that travels alone). Frames are converted with
Polars expressions — one pass per column, no Python loop per row — following the line-protocol
rules InfluxDB 3 parses (``reference/influxdb3-behavior.md`` 4.3):

* measurement: ``\\``, ``,`` and space escaped; tag keys, tag values and field keys: ``\\``,
  ``,``, ``=`` and space escaped; string fields quoted with ``\\`` and ``"`` escaped. Outside
  string fields, newlines and tabs cannot be escaped and a trailing backslash is refused by
  InfluxDB's parser: such names and tag values raise ``ValueError`` (as does a measurement
  starting with ``#``, which would read as a comment).
* signed integers → ``<n>i``, unsigned → ``<n>u``, booleans → ``t``/``f``, floats → the
  shortest text that round-trips (``0.1``, ``2.0``, ``1e+20``); NaN and ±inf cannot be written
  and are skipped like nulls.
* a null (or empty tag value) omits that tag or field on that row; a row without any field is
  dropped; a null time omits the timestamp (the server then uses its clock).
* Datetime/Date time columns become integers in the requested precision (nanoseconds when the
  precision is ``auto``); integer time columns are sent as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import polars as pl

from workbench.protocol.line_builder import LineBuilder
from workbench.protocol.line_protocol import escape_field_key, escape_measurement, escape_tag_key
from workbench.protocol.precision import Precision

__all__ = ["to_line_protocol"]

ROWS_PER_CONVERSION = 262_144
"""Rows converted to text at a time, bounding the memory a large frame write needs."""

_EPOCH_UNIT = {
    Precision.NANOSECOND: "ns",
    Precision.MICROSECOND: "us",
    Precision.MILLISECOND: "ms",
    Precision.SECOND: "s",
}


@dataclass(frozen=True)
class Batch:
    """One write request body and how many lines it holds."""

    body: bytes
    lines: int


@dataclass(frozen=True)
class FramePlan:
    """How a frame's columns map onto line protocol (decided once, before any row is converted)."""

    measurement: str
    tags: tuple[str, ...]
    fields: tuple[str, ...]
    time: str | None
    precision: Precision


def _escape_key_expr(expr: pl.Expr) -> pl.Expr:
    for char in ("\\", ",", "=", " "):
        expr = expr.str.replace_all(char, "\\" + char, literal=True)
    return expr


_STRINGY = (pl.String, pl.Categorical, pl.Enum)
_TIMEY = (pl.Datetime, pl.Date)


def plan_frame(
    df: pl.DataFrame,
    measurement: str,
    *,
    tags: Sequence[str] | None,
    time: str | None,
    precision: Precision | None,
) -> FramePlan:
    """Resolve tags, fields, time column and wire precision for a frame (defaults documented above)."""
    escape_measurement(measurement)  # refuses what line protocol cannot carry
    schema = df.schema
    if time is None:
        candidates = [name for name, dtype in schema.items() if isinstance(dtype, _TIMEY)]
        if len(candidates) > 1:
            raise ValueError(f"several datetime columns {candidates}: say which is the time with time=...")
        time = candidates[0] if candidates else None
    elif time not in schema:
        raise ValueError(f"time column {time!r} is not in the frame (columns: {df.columns})")
    if time is not None and not (isinstance(schema[time], _TIMEY) or schema[time].is_integer()):
        raise TypeError(f"time column {time!r} has type {schema[time]}; expected a datetime, date or integer")
    if tags is None:
        tags = [name for name, dtype in schema.items() if name != time and isinstance(dtype, _STRINGY)]
    else:
        tags = list(tags)
        missing = [t for t in tags if t not in schema]
        if missing:
            raise ValueError(f"tag columns {missing} are not in the frame (columns: {df.columns})")
        if time in tags:
            raise ValueError(f"column {time!r} cannot be both the time and a tag")
    fields = [name for name in schema if name != time and name not in tags]
    if not fields:
        raise ValueError(f"no field columns: every line needs at least one field (tags: {tags}, time: {time!r})")
    for name in (*tags, *fields):
        escape_field_key(name)  # refuses what line protocol cannot carry (same rules for tag keys)
    for name in tags:
        if not isinstance(schema[name], _STRINGY):
            raise TypeError(f"tag column {name!r} has type {schema[name]}; tags must be strings or categoricals")
    for name in fields:
        _field_expr(name, schema[name])  # raises TypeError for unsupported types, before any work
    if precision is None or precision is Precision.AUTO:
        # Integer times are sent as they are, so the server's auto-detection applies to them;
        # datetimes go as nanoseconds (auto-detection would misread times near 1970).
        integer_time = time is not None and schema[time].is_integer()
        precision = Precision.AUTO if integer_time else Precision.NANOSECOND
    elif precision not in _EPOCH_UNIT:
        raise ValueError(f"precision {precision.value!r} cannot be used with /api/v3/write_lp")
    return FramePlan(measurement, tuple(tags), tuple(fields), time, precision)


def _field_expr(name: str, dtype: pl.DataType, *, escape: bool = True) -> pl.Expr:
    """``key=value`` for one field column, null where the value cannot be written.

    ``escape=False`` skips escaping a string column known to hold no ``\\`` or ``"``.
    """
    col = pl.col(name)
    key = pl.lit(escape_field_key(name) + "=")
    if dtype == pl.Boolean:
        value = pl.when(col).then(pl.lit("t")).when(~col).then(pl.lit("f"))  # null stays null
    elif dtype.is_float() or isinstance(dtype, pl.Decimal):
        # Polars prints the shortest round-trip text (``0.1``, ``2.0``, ``1e+20``, ``1.5e-7``),
        # all of which InfluxDB's float grammar accepts; NaN and inf it cannot carry.
        as_float = col.cast(pl.Float64) if isinstance(dtype, pl.Decimal) else col
        value = pl.when(as_float.is_finite()).then(as_float.cast(pl.String))
    elif dtype.is_signed_integer():
        value = col.cast(pl.String) + pl.lit("i")
    elif dtype.is_unsigned_integer():
        value = col.cast(pl.String) + pl.lit("u")
    elif isinstance(dtype, _STRINGY):
        text = col.cast(pl.String)
        if escape:
            text = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
        value = pl.lit('"') + text + pl.lit('"')
    else:
        raise TypeError(
            f"field column {name!r} has type {dtype}, which line protocol cannot carry "
            "(use integers, floats, booleans or strings; cast it first)"
        )
    return key + value


def _tag_expr(name: str, *, escape: bool) -> pl.Expr:
    col = pl.col(name).cast(pl.String)
    value = _escape_key_expr(col) if escape else col
    return pl.when(col.is_not_null() & (col != "")).then(pl.lit("," + escape_tag_key(name) + "=") + value)


def _time_expr(plan: FramePlan, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(plan.time)
    if dtype.is_integer():
        return col.cast(pl.Int64).cast(pl.String)
    return col.dt.epoch(_EPOCH_UNIT[plan.precision]).cast(pl.String)


def _scan_text_columns(df: pl.DataFrame, plan: FramePlan) -> dict[str, bool]:
    """One pass over the text columns: refuse unwritable tag values, and learn which columns need
    escaping at all (most do not, and escaping is the costliest part of the conversion)."""
    checks = []
    for name in plan.tags:
        col = pl.col(name).cast(pl.String)
        checks.append((col.str.contains(r"[\n\t]") | col.str.ends_with("\\")).any().alias(f"refuse:{name}"))
        checks.append(col.str.contains(r"[\\, =]").any().alias(name))
    for name in plan.fields:
        if isinstance(df.schema[name], _STRINGY):
            checks.append(pl.col(name).cast(pl.String).str.contains(r'[\\"]').any().alias(name))
    flags = df.select(checks).row(0, named=True) if checks else {}
    for name in plan.tags:
        if flags[f"refuse:{name}"]:
            raise ValueError(
                f"tag column {name!r} has a value with a line break or tab, or ending with a backslash, "
                "which line protocol cannot carry"
            )
    return flags


def frame_lines(df: pl.DataFrame, plan: FramePlan) -> pl.Series:
    """One line-protocol string per row that has at least one field (rows without are dropped)."""
    escape = _scan_text_columns(df, plan)
    series_key = pl.concat_str(
        [pl.lit(escape_measurement(plan.measurement)), *(_tag_expr(t, escape=escape[t]) for t in plan.tags)],
        separator="",
        ignore_nulls=True,
    )
    field_set = pl.concat_str(
        [_field_expr(f, df.schema[f], escape=escape.get(f, False)) for f in plan.fields],
        separator=",",
        ignore_nulls=True,
    ).alias("_fields")
    parts = [series_key, pl.lit(" "), pl.col("_fields")]
    if plan.time is not None:
        parts.append(pl.lit(" ") + _time_expr(plan, df.schema[plan.time]))
    return (
        df.lazy()
        .with_columns(field_set)
        .filter(pl.col("_fields") != "")
        .select(pl.concat_str(parts, separator="", ignore_nulls=True).alias("line"))
        .collect()
        .to_series()
    )


def _pack(lines: pl.Series, max_bytes: int, *, final: bool) -> tuple[list[Batch], pl.Series]:
    """Greedily pack lines into batches; unless ``final``, the last partial batch is returned unsent."""
    batches: list[Batch] = []
    if lines.len() == 0:
        return batches, lines
    ends = (lines.str.len_bytes().cast(pl.Int64) + 1).cum_sum()
    start, consumed, n = 0, 0, lines.len()
    while start < n:
        stop = max(int(ends.search_sorted(consumed + max_bytes + 1, side="right")), start + 1)
        if stop >= n and not final:
            break
        stop = min(stop, n)
        chunk = lines.slice(start, stop - start)
        batches.append(Batch(chunk.str.join("\n").item().encode(), stop - start))
        consumed = int(ends[stop - 1])
        start = stop
    return batches, lines.slice(start)


def frame_batches(df: pl.DataFrame, plan: FramePlan, max_bytes: int) -> Iterator[Batch]:
    """The frame as line-protocol bodies, converting ``ROWS_PER_CONVERSION`` rows at a time."""
    pending = pl.Series("line", [], dtype=pl.String)
    height = df.height
    for offset in range(0, height, ROWS_PER_CONVERSION):
        lines = frame_lines(df.slice(offset, ROWS_PER_CONVERSION), plan)
        final = offset + ROWS_PER_CONVERSION >= height
        batches, pending = _pack(pl.concat([pending, lines]), max_bytes, final=final)
        yield from batches


def count_lines(text: str | bytes) -> int:
    """Lines as InfluxDB numbers them: blank lines and ``#`` comments do not count.

    >>> count_lines("a v=1\\n\\n# note\\nb v=2\\n")
    2
    """
    lines = (text if isinstance(text, str) else text.decode("utf-8", "replace")).split("\n")
    return sum(1 for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _item_text(item: object) -> str:
    if isinstance(item, str):
        return item.rstrip("\n")
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item).decode("utf-8").rstrip("\n")
    if isinstance(item, LineBuilder):
        return item.build()
    raise TypeError(f"cannot write a {type(item).__name__}: expected str, bytes, LineBuilder or a polars frame")


def item_batches(items: Iterable[object], max_bytes: int) -> Iterator[Batch]:
    """Batches from a sequence of strings / bytes / LineBuilders (each item one or more lines)."""
    chunk: list[str] = []
    size = lines = 0
    for item in items:
        text = _item_text(item)
        if not text:
            continue
        n = len(text.encode())
        if chunk and size + n + 1 > max_bytes + 1:
            yield Batch("\n".join(chunk).encode(), lines)
            chunk, size, lines = [], 0, 0
        chunk.append(text)
        size += n + 1
        lines += count_lines(text)
    if chunk:
        yield Batch("\n".join(chunk).encode(), lines)


def to_line_protocol(
    df: pl.DataFrame | pl.LazyFrame,
    measurement: str,
    *,
    tags: Sequence[str] | None = None,
    time: str | None = None,
    precision: Precision | str = Precision.NANOSECOND,
) -> str:
    """The line protocol ``Client.write`` would send for a frame, as one string.

    >>> from datetime import datetime
    >>> df = pl.DataFrame({"host": ["a", None], "usage": [0.5, 2.0], "ok": [True, None],
    ...                    "time": [datetime(2024, 1, 1), datetime(2024, 1, 1, 0, 0, 1)]})
    >>> print(to_line_protocol(df, "cpu", precision="s"))
    cpu,host=a usage=0.5,ok=t 1704067200
    cpu usage=2.0 1704067201
    """
    frame = df.collect() if isinstance(df, pl.LazyFrame) else df
    wire = Precision.parse(precision) if isinstance(precision, str) else precision
    plan = plan_frame(frame, measurement, tags=tags, time=time, precision=wire)
    return "\n".join(frame_lines(frame, plan).to_list())
