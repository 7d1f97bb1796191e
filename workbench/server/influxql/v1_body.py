"""Bodies of v1 ``/query`` responses, rendered from :class:`~.result.StatementResult` lists.

Pure functions for the HTTP layer: :func:`render_json` (compact, or indented with ``pretty``),
:func:`render_chunks` (``chunked=true``: one JSON object per chunk, each followed by ``\\n`` —
InfluxDB 3 omits the separator, which no v1 client can split; 1.x sends it) and
:func:`render_csv`. Values follow InfluxDB: times are RFC 3339 in UTC with ``Z`` (or the
``tz()`` offset) and only the fraction digits needed, or integers in the ``epoch`` unit
(``ns u µ ms s m h d w``); floats with no fraction print as integers; NaN is null; ±Inf fails the
whole response with ``{"error":"json: unsupported value: +Inf"}``. Key order is InfluxDB's:
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

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from .result import Series, StatementResult

EPOCHS = {"ns": 1, "u": 1_000, "µ": 1_000, "ms": 1_000_000, "s": 10**9}
EPOCHS_TRUNCATED = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
DEFAULT_CHUNK_SIZE = 10_000


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


def _float_tokens(c: pl.Expr) -> pl.Expr:
    whole = (c == c.floor()) & (c.abs() < 2.0**63)
    return (
        pl.when(c.is_nan())
        .then(pl.lit("null"))
        .when(whole)
        .then(c.cast(pl.Int64).cast(pl.Utf8))
        .otherwise(c.cast(pl.Utf8))
    )


def _dictionary_tokens(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """JSON texts of a dictionary (tag) column: encode each distinct value once."""
    chunks = []
    for chunk in col.chunks:
        words = pa.array([orjson.dumps(v).decode() for v in chunk.dictionary.to_pylist()], pa.utf8())
        chunks.append(pc.take(words, chunk.indices))
    return pa.chunked_array(chunks, pa.utf8())


def _json_rows(table: pa.Table, epoch: str | None) -> list[str]:
    """Every row of ``table`` as the text of a JSON array, InfluxDB's value rules applied."""
    encoded = set()
    for i, field in enumerate(table.schema):
        if pat.is_dictionary(field.type):
            table = table.set_column(i, field.name, _dictionary_tokens(table.column(i)))
            encoded.add(field.name)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    tokens, infinities = [], []
    for name, dtype in df.schema.items():
        c = pl.col(name)
        if name in encoded:
            tok = c
        elif isinstance(dtype, pl.Datetime):
            tok = _time_tokens(c, dtype, epoch)
        elif dtype.is_float():
            infinities.append(c.filter(c.is_infinite()).first().alias(f"__inf{len(infinities)}"))
            tok = _float_tokens(c)
        elif dtype.is_integer():
            tok = c.cast(pl.Utf8)
        elif dtype == pl.Boolean:
            tok = pl.when(c).then(pl.lit("true")).when(c.not_()).then(pl.lit("false"))
        elif dtype == pl.Null:
            tok = pl.lit("null")
        else:
            encoded_text = pl.struct(c.cast(pl.Utf8).alias("s")).struct.json_encode()
            tok = encoded_text.str.slice(5, encoded_text.str.len_bytes() - 6)
        tokens.append(tok.fill_null("null"))
    row = pl.concat_str([pl.lit("["), pl.concat_str(tokens, separator=","), pl.lit("]")])
    out = df.select(row.alias("r"), *infinities)  # one pass: the rows and each float column's first ±Inf
    for i in range(len(infinities)):
        infinite = out[f"__inf{i}"][0] if out.height else None
        if infinite is not None:
            raise _InfError("json: unsupported value: " + ("+Inf" if infinite > 0 else "-Inf"))
    return out["r"].to_list()


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


def _json_values(rows: list[str]) -> orjson.Fragment:
    return orjson.Fragment(("[" + ",".join(rows) + "]").encode())


def _csv_values(table: pa.Table, epoch: str | None) -> list[list]:
    cols = []
    for col in table.columns:
        if pat.is_timestamp(col.type):
            unit = epoch or "ns"
            cols.append([None if v is None else _epoch(v, unit) for v in col.cast(pa.int64()).to_pylist()])
        else:
            cols.append(col.to_pylist())
    return [list(r) for r in zip(*cols, strict=True)]


def series_dict(s: Series, rows: list[str], *, partial: bool = False) -> dict:
    """One v1 series object (``values`` omitted when empty); ``rows`` are JSON array texts."""
    out: dict = {}
    if s.name:
        out["name"] = s.name
    if s.tags:
        out["tags"] = dict(s.tags)
    out["columns"] = list(s.columns)
    if rows:
        out["values"] = _json_values(rows)
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
