"""Bodies of v1 ``/query`` responses, rendered from :class:`~.result.StatementResult` lists.

Pure functions for the HTTP layer: :func:`render_json` (compact, or indented with ``pretty``),
:func:`render_chunks` (``chunked=true``: one JSON object per chunk, each followed by ``\\n`` —
InfluxDB 3 omits the separator, which no v1 client can split; 1.x sends it) and
:func:`render_csv`. Values follow InfluxDB: times are RFC 3339 in UTC with ``Z`` (or the
``tz()`` offset) and only the fraction digits needed, or integers in the ``epoch`` unit
(``ns u µ ms s m h d w``); floats as Go's ``encoding/json`` writes them (:func:`go_float`); NaN
is null; ±Inf fails the whole response with ``{"error":"json: unsupported value: +Inf"}``. Key order is InfluxDB's:
``statement_id, series, partial, error`` and ``name, tags, columns, values, partial``.

>>> import pyarrow as pa
>>> from workbench.server.influxql.result import Series, StatementResult
>>> t = pa.table({"c0": pa.array([1_500_000_000], pa.timestamp("ns")), "c1": [2.0]})
>>> render_json([StatementResult(0, [Series("cpu", (("host", "a"),), ("time", "v"), t)])])
b'{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["1970-01-01T00:00:01.5Z",2]]}]}]}'
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from workbench.protocol.timestamps import rfc3339

from .result import Series, StatementResult

EPOCHS = {"ns": 1, "u": 1_000, "µ": 1_000, "ms": 1_000_000, "s": 10**9}
EPOCHS_TRUNCATED = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
DEFAULT_CHUNK_SIZE = 10_000
SMALL_TABLE_ROWS = 2048  # rendered value by value below this: a Polars plan costs ~0.5-1 ms fixed


class _InfError(ValueError):
    pass


def check_epoch(epoch: str | None) -> str | None:
    """Validate a v1 ``epoch`` parameter (None for RFC 3339)."""
    if epoch is not None and epoch not in EPOCHS and epoch not in EPOCHS_TRUNCATED:
        raise ValueError(f"invalid epoch {epoch!r}: expected one of ns, u, µ, ms, s, m, h, d, w")
    return epoch


def _epoch(ns: int, epoch: str) -> int:
    if epoch in EPOCHS:
        return ns // EPOCHS[epoch]
    return int((ns // 10**9) / EPOCHS_TRUNCATED[epoch])


def _time_tokens(c: pl.Expr, dtype: pl.Datetime, epoch: str | None) -> pl.Expr:
    if epoch in EPOCHS:
        return (c.dt.epoch("ns") // EPOCHS[epoch]).cast(pl.Utf8)
    if epoch is not None:
        seconds = c.dt.epoch("ns") // 10**9
        return (seconds / EPOCHS_TRUNCATED[epoch]).cast(pl.Int64).cast(pl.Utf8)
    if dtype.time_zone is None:
        text = c.dt.strftime("%Y-%m-%dT%H:%M:%S%.f") + pl.lit("Z")
    else:
        text = c.dt.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").str.replace(r"\+00:00$", "Z")
    return pl.lit('"') + text.str.replace(r"(\.\d*?)0+(Z|[+-]\d\d:\d\d)$", "${1}${2}") + pl.lit('"')


def go_float(x: float) -> str:
    """A finite float as Go's ``encoding/json`` writes it (InfluxDB 1.x's bodies): the shortest
    digits that read back as ``x``, positional from 1e-6 up to 1e21 and an exponent outside it.

    >>> [go_float(x) for x in (2.0, -0.0, 0.1, 1.5e-6, 1e-7, 2.0**60, 1e21)]
    ['2', '-0', '0.1', '0.0000015', '1e-7', '1152921504606847000', '1e+21']
    """
    shortest = repr(x)
    size = abs(x)
    if size == 0:
        return "-0" if shortest[0] == "-" else "0"
    if size < 1e-6 or size >= 1e21:
        mantissa, _, exponent = shortest.partition("e")
        e = int(exponent)
        return f"{mantissa}e-{-e}" if e < 0 else f"{mantissa}e+{e:02d}"
    text = format(Decimal(shortest), "f") if "e" in shortest else shortest
    return text[:-2] if text.endswith(".0") else text


def _float_texts(col: pa.ChunkedArray) -> pa.Array:
    """:func:`go_float` of a whole column (``null`` for NULL and NaN): Polars writes the usual
    values the same way, the few it writes differently are redone one by one."""
    values = pl.Series(col).cast(pl.Float64)
    c = pl.col(values.name)
    texts = (
        values.to_frame()
        .select(
            pl.when(c.is_nan())
            .then(pl.lit("null"))
            .when((c == c.floor()) & (c.abs() < 2.0**53))
            .then(c.cast(pl.Int64).cast(pl.Utf8))
            .otherwise(c.cast(pl.Utf8))
            .fill_null("null")
        )
        .to_series()
    )
    raw = values.to_numpy()
    size = np.abs(raw)
    with np.errstate(invalid="ignore"):  # NaN compares false everywhere
        exponent_in_polars = (size >= 1e-6) & (size < 1e-5)  # Polars: 1.5e-6, Go: 0.0000015
        long_digits = (size >= 2.0**53) & np.isfinite(size)  # shortest digits, then zeros
        redo = exponent_in_polars | long_digits | ((raw == 0) & np.signbit(raw))
    if redo.any():
        idx = np.flatnonzero(redo)
        texts = texts.scatter(idx, [go_float(float(raw[i])) for i in idx])
    return texts.to_arrow()


def _check_finite(col: pa.ChunkedArray) -> None:
    infinite = col.filter(pc.is_inf(col))
    if len(infinite):
        raise _InfError("json: unsupported value: " + ("+Inf" if infinite[0].as_py() > 0 else "-Inf"))


def _dictionary_tokens(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """JSON texts of a dictionary (tag) column: encode each distinct value once."""
    chunks = []
    for chunk in col.chunks:
        words = pa.array([orjson.dumps(v).decode() for v in chunk.dictionary.to_pylist()], pa.utf8())
        chunks.append(pc.take(words, chunk.indices))
    return pa.chunked_array(chunks, pa.utf8())


def _json_rows(table: pa.Table, epoch: str | None) -> list:
    """Every row of ``table`` as something ``orjson`` writes as that row's JSON array, InfluxDB's
    value rules applied: a tuple of values (floats as ``orjson.Fragment`` texts), or a Fragment."""
    for field, col in zip(table.schema, table.columns, strict=True):
        if pat.is_floating(field.type):
            _check_finite(col)
    if table.num_rows <= SMALL_TABLE_ROWS:
        columns = _values_by_column(table, epoch)
        if columns is not None:
            return list(zip(*columns, strict=True))
    return [orjson.Fragment(row) for row in _json_rows_vectorised(table, epoch)]


def _rfc3339_texts(col: pa.ChunkedArray) -> list[str | None]:
    """:func:`~workbench.protocol.timestamps.rfc3339` of a ``timestamp[ns]`` column, the seconds
    formatted by numpy in one call.

    >>> t = [0, 1_500_000_000, -1, None]
    >>> _rfc3339_texts(pa.chunked_array([pa.array(t, pa.timestamp("ns"))])) == [*map(rfc3339, t[:3]), None]
    True
    """
    ns = col.cast(pa.int64()).to_numpy()  # nulls become NaN: such a column is left to rfc3339
    if ns.dtype != np.int64:
        return [None if v is None else rfc3339(v) for v in col.cast(pa.int64()).to_pylist()]
    seconds = np.datetime_as_string(ns.astype("datetime64[ns]"), unit="s").tolist()
    fractions = (ns % 10**9).tolist()
    return [s + "Z" if not f else f"{s}.{f:09d}".rstrip("0") + "Z" for s, f in zip(seconds, fractions, strict=True)]


def _values_by_column(table: pa.Table, epoch: str | None) -> list[list] | None:
    """Each column's values as orjson writes them right, value by value; None for a column type
    only the vectorised path knows."""
    out = []
    for field, col in zip(table.schema, table.columns, strict=True):
        t = field.type
        if pat.is_floating(t):
            values = [None if v is None or v != v else orjson.Fragment(go_float(v)) for v in col.to_pylist()]
        elif pat.is_timestamp(t) and t.tz is None and t.unit == "ns":
            if epoch is None:
                values = _rfc3339_texts(col)
            else:
                values = [None if v is None else _epoch(v, epoch) for v in col.cast(pa.int64()).to_pylist()]
        elif (
            pat.is_integer(t) or pat.is_boolean(t) or pat.is_null(t) or pat.is_string(t)
            or pat.is_large_string(t) or pat.is_dictionary(t)
        ):  # fmt: skip
            values = col.to_pylist()
        else:
            return None
        out.append(values)
    return out


def _json_rows_vectorised(table: pa.Table, epoch: str | None) -> list[str]:
    encoded = set()
    for i, field in enumerate(table.schema):
        if pat.is_dictionary(field.type):
            table = table.set_column(i, field.name, _dictionary_tokens(table.column(i)))
        elif pat.is_floating(field.type):
            table = table.set_column(i, field.name, _float_texts(table.column(i)))
        else:
            continue
        encoded.add(field.name)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    tokens = []
    for name, dtype in df.schema.items():
        c = pl.col(name)
        if name in encoded:
            tok = c
        elif isinstance(dtype, pl.Datetime):
            tok = _time_tokens(c, dtype, epoch)
        elif dtype.is_integer():
            tok = c.cast(pl.Utf8)
        elif dtype == pl.Boolean:
            tok = pl.when(c).then(pl.lit("true")).when(c.not_()).then(pl.lit("false"))
        elif dtype == pl.Null:
            tok = pl.lit("null")
        else:
            encoded_text = pl.struct(c.cast(pl.Utf8).alias("s")).struct.json_encode()
            tok = encoded_text.str.slice(5, encoded_text.str.len_chars() - 6)  # {"s":...}
        tokens.append(tok.fill_null("null"))
    row = pl.concat_str([pl.lit("["), pl.concat_str(tokens, separator=","), pl.lit("]")])
    return df.select(row.alias("r"))["r"].to_list()


class _Rows:
    """Rows of the series' tables, converted once per table (the series of a measurement share one)."""

    def __init__(self, convert):
        self.convert = convert
        self.cache: dict[int, tuple[pa.Table, list]] = {}

    def rows(self, s: Series) -> list:
        hit = self.cache.get(id(s.table))
        if hit is None or hit[0] is not s.table:
            hit = (s.table, self.convert(s.table))
            self.cache[id(s.table)] = hit
        return hit[1][s.start : s.start + s.num_rows]


def _csv_values(table: pa.Table, epoch: str | None) -> list[list]:
    cols = []
    for col in table.columns:
        if pat.is_timestamp(col.type):
            unit = epoch or "ns"
            cols.append([None if v is None else _epoch(v, unit) for v in col.cast(pa.int64()).to_pylist()])
        else:
            cols.append(col.to_pylist())
    return [list(r) for r in zip(*cols, strict=True)]


def series_dict(s: Series, rows: list, *, partial: bool = False) -> dict:
    """One v1 series object (``values`` omitted when empty); ``rows`` as ``_json_rows`` makes them."""
    out: dict = {}
    if s.name:
        out["name"] = s.name
    if s.tags:
        out["tags"] = dict(s.tags)
    out["columns"] = list(s.columns)
    if rows:
        out["values"] = rows
    if partial:
        out["partial"] = True
    return out


def result_dict(r: StatementResult, epoch: str | None = None) -> dict:
    """One entry of ``results``: ``{"statement_id", "series"?, "error"?}``."""
    out: dict = {"statement_id": r.statement_id}
    if r.error is not None:
        out["error"] = r.error.wire_message()
        return out
    if r.series:
        values = _Rows(lambda t: _json_rows(t, epoch))
        out["series"] = [series_dict(s, values.rows(s)) for s in r.series]
    return out


def _dumps(obj: dict, pretty: bool) -> bytes:
    compact = orjson.dumps(obj)
    if pretty:
        return json.dumps(json.loads(compact), indent=4, ensure_ascii=False).encode()
    return compact


def render_json(results: list[StatementResult], *, epoch: str | None = None, pretty: bool = False) -> bytes:
    """The whole (buffered) v1 JSON body."""
    try:
        body = {"results": [result_dict(r, epoch) for r in results]}
    except _InfError as e:
        return _dumps({"error": str(e)}, pretty)
    return _dumps(body, pretty)


def render_chunks(
    results: list[StatementResult],
    *,
    epoch: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    pretty: bool = False,
) -> Iterator[bytes]:
    """``chunked=true``: one object per series chunk of at most ``chunk_size`` rows, each
    followed by ``\\n``. Every object but a statement's last carries ``"partial":true``; a
    series split across objects carries its own ``"partial":true`` on all but its last piece."""
    size = max(1, chunk_size)
    for r in results:
        if r.error is not None or not r.series:
            yield _dumps({"results": [result_dict(r, epoch)]}, pretty) + b"\n"
            continue
        pieces: list[dict] = []
        values = _Rows(lambda t: _json_rows(t, epoch))
        try:
            for s in r.series:
                rows = values.rows(s)
                for start in range(0, max(len(rows), 1), size):
                    more = start + size < len(rows)
                    pieces.append(series_dict(s, rows[start : start + size], partial=more))
        except _InfError as e:
            yield _dumps({"error": str(e)}, pretty) + b"\n"
            return
        for i, piece in enumerate(pieces):
            entry: dict = {"statement_id": r.statement_id, "series": [piece]}
            if i < len(pieces) - 1:
                entry["partial"] = True
            yield _dumps({"results": [entry]}, pretty) + b"\n"


def _csv_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        text = "true" if v else "false"
    elif isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            text = "NaN" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        elif v == int(v):
            text = str(int(v))
        else:
            text = format(Decimal(repr(v)), "f") if "e" in repr(v) else repr(v)
    else:
        text = str(v)
    if "," in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def render_csv(results: list[StatementResult], *, epoch: str | None = None) -> bytes:
    """``Accept: application/csv``: ``name,tags,<columns>`` per statement, times as integers,
    statements separated by a blank line, statement errors left out (as InfluxDB does)."""
    out: list[str] = []
    for r in results:
        if r.error is not None or not r.series:
            continue
        if out:
            out.append("")
        out.append(",".join(["name", "tags", *r.series[0].columns]))
        values = _Rows(lambda t: _csv_values(t, epoch))
        for s in r.series:
            tags = _csv_cell(",".join(f"{k}={v}" for k, v in s.tags))
            name = _csv_cell(s.name)
            for row in values.rows(s):
                out.append(",".join([name, tags, *(_csv_cell(v) for v in row)]))
    return ("\n".join(out) + "\n").encode() if out else b""
