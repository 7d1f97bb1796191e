"""The only place Arrow record batches become response bodies: json, jsonl, csv, pretty, parquet.

The output follows InfluxDB 3's Arrow writers: JSON rows omit NULL values, NaN and infinities
become ``null``, timestamps render as ``YYYY-MM-DDTHH:MM:SS`` with a 3/6/9-digit fraction only
when it is non-zero and no ``Z``, dictionary (tag) columns render as strings. An empty result is
``[]`` in JSON, an empty body in jsonl and csv, and a zero-row file (with the schema) in parquet.
json, jsonl and csv are produced batch by batch (``json_rows``, ``jsonl_rows``, ``csv_rows``) so
large results stream; pretty and parquet need the whole result.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.server.query.executor import PARQUET_COMPRESSION

NS_PER_S = 1_000_000_000
SMALL_ARRAY = 64
EPOCH = dt.datetime(1970, 1, 1)


def format_timestamps(arr: pa.Array) -> pa.Array:
    """Timestamps as InfluxDB 3 prints them (``1970-01-01T00:00:00.000000123``, ``2065-01-07T17:28:56``).

    That is chrono's ``%.f`` (a 3, 6 or 9-digit fraction, none when zero), which Polars uses too.
    Zoned timestamps are printed in UTC.
    """
    naive = arr.cast(pa.timestamp(arr.type.unit, "UTC")).cast(pa.timestamp(arr.type.unit)) if arr.type.tz else arr
    if len(naive) <= SMALL_ARRAY:  # Polars' fixed cost dominates a handful of values
        try:
            return pa.array([None if v is None else _timestamp_text(v) for v in _nanos(naive).to_pylist()], pa.string())
        except (OverflowError, ValueError):
            pass  # outside datetime's years 1-9999: Polars handles those
    return pl.from_arrow(naive).dt.strftime("%Y-%m-%dT%H:%M:%S%.f").to_arrow().cast(pa.string())


def _nanos(arr: pa.Array) -> pa.Array:
    ints = arr.cast(pa.int64())
    factor = {"s": NS_PER_S, "ms": 1_000_000, "us": 1_000, "ns": 1}[arr.type.unit]
    return ints if factor == 1 else pc.multiply(ints, factor)


def _timestamp_text(ns: int) -> str:
    """One timestamp, as ``format_timestamps`` prints it."""
    secs, frac = divmod(ns, NS_PER_S)
    base = (EPOCH + dt.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac == 0:
        return base
    if frac % 1_000_000 == 0:
        return f"{base}.{frac // 1_000_000:03d}"
    if frac % 1_000 == 0:
        return f"{base}.{frac // 1_000:06d}"
    return f"{base}.{frac:09d}"


def _duration_text(arr: pa.Array) -> pa.Array:
    """Durations as arrow prints them in JSON (ISO-8601 ``PT1.5S``)."""
    ns = arr.cast(pa.duration("ns")).cast(pa.int64()).to_pylist()
    out = []
    for v in ns:
        if v is None:
            out.append(None)
        else:
            secs = v / NS_PER_S
            out.append(f"PT{secs:.9f}".rstrip("0").rstrip(".") + "S")
    return pa.array(out, pa.string())


def _plain(arr: pa.Array) -> pa.Array:
    """A column with JSON/CSV-ready values: strings for timestamps, decoded dictionaries."""
    t = arr.type
    if pa.types.is_dictionary(t):
        return _plain(arr.cast(t.value_type))
    if pa.types.is_timestamp(t):
        return format_timestamps(arr)
    if pa.types.is_duration(t):
        return _duration_text(arr)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return arr.cast(pa.string())
    if pa.types.is_date(t) or pa.types.is_time(t) or pa.types.is_decimal(t):
        return arr.cast(pa.string())
    if pa.types.is_struct(t):
        children = [_plain(arr.field(i)) for i in range(t.num_fields)]
        return pa.StructArray.from_arrays(
            children, names=[t.field(i).name for i in range(t.num_fields)], mask=arr.is_null()
        )
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.ListArray.from_arrays(arr.offsets, _plain(arr.values), mask=arr.is_null())
    return arr


def _py_columns(batch: pa.RecordBatch) -> list[list]:
    cols = []
    for arr in batch.columns:
        if pa.types.is_dictionary(arr.type) and pa.types.is_string(arr.type.value_type):
            values = arr.to_pylist()  # decoded as it goes: casting first costs ~30 us a column
        else:
            values = _plain(arr).to_pylist()
        if pa.types.is_floating(arr.type):
            values = [None if v is not None and not math.isfinite(v) else v for v in values]
        cols.append(values)
    return cols


def _rows(batch: pa.RecordBatch) -> list[dict]:
    names = batch.schema.names
    cols = _py_columns(batch)
    if not any(arr.null_count for arr in batch.columns) and not any(
        pa.types.is_floating(a.type) for a in batch.columns
    ):
        return [dict(zip(names, vals, strict=True)) for vals in zip(*cols, strict=True)]
    return [{k: v for k, v in zip(names, vals, strict=True) if v is not None} for vals in zip(*cols, strict=True)]


COLUMNAR_MIN_ROWS = 512
_SIMPLE_TYPES = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean, pa.types.is_string,
                 pa.types.is_large_string, pa.types.is_timestamp, pa.types.is_dictionary)  # fmt: skip


def _columnar_frame(batch: pa.RecordBatch) -> pl.DataFrame | None:
    """The batch as a Polars frame of JSON-ready columns, when Polars can write it as we would:
    no NULLs (they are left out of a row, Polars writes ``null``), no NaN or infinities, and only
    plain column types. Polars serialises row-oriented JSON in native code, far faster than
    building one dict per row — once there are enough rows to pay for its fixed cost."""
    if batch.num_rows < COLUMNAR_MIN_ROWS:
        return None
    for arr in batch.columns:
        if arr.null_count or not any(is_type(arr.type) for is_type in _SIMPLE_TYPES):
            return None
        if pa.types.is_dictionary(arr.type) and not pa.types.is_string(arr.type.value_type):
            return None
        if pa.types.is_floating(arr.type) and not pc.all(pc.is_finite(arr)).as_py():
            return None
    return pl.from_arrow(pa.table([_plain(a) for a in batch.columns], names=batch.schema.names))


def json_rows(batch: pa.RecordBatch) -> bytes:
    """The batch's rows as comma-separated JSON objects (no brackets): a piece of a JSON array."""
    if not batch.num_rows:
        return b""
    frame = _columnar_frame(batch)
    if frame is not None:
        return frame.write_json()[1:-1].encode()
    return orjson.dumps(_rows(batch))[1:-1]


def jsonl_rows(batch: pa.RecordBatch) -> bytes:
    if not batch.num_rows:
        return b""
    frame = _columnar_frame(batch)
    if frame is not None:
        return frame.write_ndjson().encode()
    return b"".join(orjson.dumps(row) + b"\n" for row in _rows(batch))


def _text_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ("NaN" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    return str(v)


def csv_rows(batch: pa.RecordBatch, *, header: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(batch.schema.names)
    cols = [[_text_value(v) for v in _plain(a).to_pylist()] for a in batch.columns]
    w.writerows(zip(*cols, strict=True))
    return buf.getvalue().encode()


def pretty(table: pa.Table) -> bytes:
    """An ASCII table like Arrow's ``pretty_format_batches`` (``++`` / ``++`` when empty)."""
    if table.num_rows == 0:
        return b"++\n++"
    names = table.column_names
    cols = [
        [_text_value(v) for v in _plain(c.combine_chunks() if c.num_chunks else pa.array([], c.type)).to_pylist()]
        for c in table.columns
    ]
    widths = [max([len(n), *(len(v) for v in col)]) for n, col in zip(names, cols, strict=True)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [sep, "| " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + " |", sep]
    for row in zip(*cols, strict=True):
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    lines.append(sep)
    return ("\n".join(lines)).encode()


def parquet(table: pa.Table) -> bytes:
    """One Parquet file; an empty result is a zero-row file that still carries the schema."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression=PARQUET_COMPRESSION)  # the codec of the executor's own writer
    return buf.getvalue()
