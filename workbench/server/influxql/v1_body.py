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
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
import pyarrow as pa
import pyarrow.types as pat

from .result import Series, StatementResult
from .timerange import zone

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


def rfc3339(ns: int, tz: str | None = None) -> str:
    """RFC 3339 with only the needed fraction digits, ``Z`` for UTC.

    >>> rfc3339(0), rfc3339(1_123_000_000), rfc3339(10**9, "Asia/Kolkata")
    ('1970-01-01T00:00:00Z', '1970-01-01T00:00:01.123Z', '1970-01-01T05:30:01+05:30')
    """
    secs, frac = divmod(ns, 10**9)
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=secs)
    suffix = "Z"
    if tz is not None:
        when = when.astimezone(zone(tz))
        offset = when.strftime("%z")
        suffix = "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + suffix


def _column_values(col: pa.ChunkedArray, epoch: str | None, *, for_csv: bool) -> list:
    t = col.type
    if pat.is_timestamp(t):
        ints = col.cast(pa.int64()).to_pylist()
        if epoch is not None or for_csv:
            unit = epoch or "ns"
            return [None if v is None else _epoch(v, unit) for v in ints]
        return [None if v is None else rfc3339(v, t.tz) for v in ints]
    values = col.to_pylist()
    if pat.is_floating(t) and not for_csv:
        return [_float(v) for v in values]
    if pat.is_dictionary(t):
        return [None if v is None else str(v) for v in values]
    return values


def _float(v: float | None) -> float | int | None:
    if v is None or math.isnan(v):
        return None
    if math.isinf(v):
        raise _InfError("json: unsupported value: " + ("+Inf" if v > 0 else "-Inf"))
    if v == int(v) and abs(v) < 2**63:
        return int(v)
    return v


def _rows(s: Series, epoch: str | None, *, for_csv: bool = False) -> list[list]:
    cols = [_column_values(c, epoch, for_csv=for_csv) for c in s.table.columns]
    return [list(r) for r in zip(*cols, strict=True)]


def series_dict(
    s: Series, epoch: str | None = None, *, rows: list[list] | None = None, partial: bool = False
) -> dict:
    """One v1 series object (``values`` omitted when empty)."""
    out: dict = {}
    if s.name:
        out["name"] = s.name
    if s.tags:
        out["tags"] = dict(s.tags)
    out["columns"] = list(s.columns)
    values = _rows(s, epoch) if rows is None else rows
    if values:
        out["values"] = values
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
        out["series"] = [series_dict(s, epoch) for s in r.series]
    return out


def _dumps(obj: dict, pretty: bool) -> bytes:
    if pretty:
        return json.dumps(obj, indent=4, ensure_ascii=False).encode()
    return orjson.dumps(obj)


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
        try:
            for s in r.series:
                rows = _rows(s, epoch)
                for start in range(0, max(len(rows), 1), size):
                    more = start + size < len(rows)
                    pieces.append(series_dict(s, epoch, rows=rows[start : start + size], partial=more))
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
        for s in r.series:
            tags = _csv_cell(",".join(f"{k}={v}" for k, v in s.tags))
            name = _csv_cell(s.name)
            for row in _rows(s, epoch, for_csv=True):
                out.append(",".join([name, tags, *(_csv_cell(v) for v in row)]))
    return ("\n".join(out) + "\n").encode() if out else b""
