"""``/api/v3/query_sql`` (GET and POST): parse the request, run it, stream the formatted result.

The request shape, format negotiation and error texts follow reference section 5.1. json, jsonl
and csv bodies stream batch by batch; the first batch is produced before the status is sent, so
a query that fails at the start still gets its proper status code.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from workbench.protocol import routes
from workbench.protocol.formats import InvalidMimeType, QueryFormat, format_from_accept
from workbench.server.errors import BadRequest
from workbench.server.http import formatters
from workbench.server.http.request import missing, read_json, require
from workbench.server.query.executor import PreparedQuery, batches_to_table
from workbench.server.state import ServerState


@dataclass
class QueryRequest:
    db: str | None
    q: str
    format: QueryFormat
    params: dict | None


def params_object(raw) -> dict | None:
    """The ``params`` of a query (a JSON object, or its text), checked as InfluxDB 3 checks them."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise BadRequest(f"serde error: params must be a JSON object: {exc}") from None
    if not isinstance(raw, dict):
        raise BadRequest("serde error: params must be a JSON object")
    for k, v in raw.items():
        if isinstance(v, (list, dict)):
            raise BadRequest(f"serde error: unsupported value for parameter `{k}`: arrays and objects are not allowed")
    return raw


async def parse_query_request(request: Request, state: ServerState, *, db_required: bool) -> QueryRequest:
    accept = request.headers.get("accept")
    try:
        accepted = format_from_accept(accept)
    except InvalidMimeType as exc:
        raise BadRequest(str(exc)) from None
    if request.method == "GET":
        if not request.url.query:
            raise BadRequest("missing query parameters 'db' and 'q'")
        src = dict(request.query_params)
    else:
        body = await read_json(request, state.config.max_http_request_size, require_content_type=False)
        if not isinstance(body, dict):
            raise BadRequest("serde json error: invalid type: expected a JSON object")
        src = body
    db = src.get("db")
    if db is None and db_required:
        raise missing("db")
    q = require(src, "q")
    if not isinstance(q, str) or (db is not None and not isinstance(db, str)):
        raise BadRequest("serde json error: `db` and `q` must be strings")
    fmt = accepted if src.get("format") is None else parse_format(str(src["format"]))
    return QueryRequest(db, q, fmt, params_object(src.get("params")))


def parse_format(name: str) -> QueryFormat:
    """A ``format`` parameter, with InfluxDB 3's error for an unknown one."""
    try:
        return QueryFormat.parse(name)
    except ValueError as exc:
        raise BadRequest(f"serde error: {exc}") from None


def _next(it: Iterator[pa.RecordBatch]) -> pa.RecordBatch | None:
    return next(it, None)


@dataclass
class Result:
    """A query result ready to be rendered: its batches (lazy), and a faster Parquet path if any."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    success: Callable[[], bool]
    parquet: Callable[[], bytes | None] | None = None


Start = Callable[[], Result]


def sql_start(prepare: Callable[[], PreparedQuery]) -> Start:
    """Plan (in the worker thread); execution starts when the batches or the Parquet body are asked for."""

    def start() -> Result:
        p = prepare()
        return Result(p.schema, p.batches(), lambda: p.entry.success, p.parquet)

    return start


def table_start(make: Callable[[], pa.Table]) -> Start:
    """A result computed as a whole (InfluxQL) served like a streamed one."""

    def start() -> Result:
        table = make()
        return Result(table.schema, iter(table.to_batches()), lambda: True)

    return start


STREAM_AFTER_ROWS = 65_536  # smaller results are answered in one piece, with a Content-Length


class _Renderer:
    """json / jsonl / csv bodies, piece by piece (the same code for whole and streamed bodies)."""

    def __init__(self, fmt: QueryFormat):
        self.fmt = fmt
        self.started = False

    def head(self) -> bytes:
        return b"[" if self.fmt is QueryFormat.JSON else b""

    def piece(self, batch: pa.RecordBatch) -> bytes:
        if not batch.num_rows:
            return b""
        if self.fmt is QueryFormat.JSON:
            chunk = formatters.json_rows(batch)
            out = (b"," + chunk) if self.started else chunk
        elif self.fmt is QueryFormat.JSONL:
            out = formatters.jsonl_rows(batch)
        else:
            out = formatters.csv_rows(batch, header=not self.started)
        self.started = True
        return out

    def tail(self) -> bytes:
        return b"]" if self.fmt is QueryFormat.JSON else b""


def _begin(start: Start, fmt: QueryFormat) -> tuple[Result, list[pa.RecordBatch], bytes | None]:
    """In a worker thread: plan, run, and either render the whole (small) result or its start:
    (the result, its batches read so far, the whole body or None when the rest streams)."""
    result = start()
    if fmt is QueryFormat.PARQUET and result.parquet is not None:
        body = result.parquet()
        if body is not None:
            return result, [], body
    prefix: list[pa.RecordBatch] = []
    rows = 0
    whole = fmt in (QueryFormat.PRETTY, QueryFormat.PARQUET)
    while (batch := _next(result.batches)) is not None:
        prefix.append(batch)
        rows += batch.num_rows
        if not whole and rows >= STREAM_AFTER_ROWS:
            return result, prefix, None
    return result, prefix, render(prefix, result.schema, fmt)


def render(batches: list[pa.RecordBatch], schema: pa.Schema, fmt: QueryFormat) -> bytes:
    """A whole result as one body in ``fmt``."""
    if fmt is QueryFormat.PRETTY:
        return formatters.pretty(batches_to_table(batches, schema))
    if fmt is QueryFormat.PARQUET:
        return formatters.parquet(batches_to_table(batches, schema))
    r = _Renderer(fmt)
    return r.head() + b"".join(r.piece(b) for b in batches) + r.tail()


async def respond(start: Start, fmt: QueryFormat, state: ServerState, query_type: str) -> Response:
    """Run a query (``start`` is called in a worker thread) and answer in ``fmt``.

    Results up to ``STREAM_AFTER_ROWS`` rows (and every pretty or parquet result) are rendered
    in the same worker-thread trip as the query; larger json/jsonl/csv results stream.
    """
    started = time.perf_counter()
    try:
        result, prefix, whole = await asyncio.to_thread(_begin, start, fmt)
    except Exception:
        state.metrics.observe_query(query_type, False, time.perf_counter() - started)
        raise
    if whole is not None:
        state.metrics.observe_query(query_type, result.success(), time.perf_counter() - started)
        return Response(whole, media_type=fmt.content_type)

    async def body() -> AsyncIterator[bytes]:
        r = _Renderer(fmt)
        try:
            yield r.head() + b"".join(r.piece(b) for b in prefix)
            while (batch := await asyncio.to_thread(_next, result.batches)) is not None:
                yield r.piece(batch)
            yield r.tail()
        finally:
            state.metrics.observe_query(query_type, result.success(), time.perf_counter() - started)

    return StreamingResponse(body(), media_type=fmt.content_type)


async def query_sql(request: Request, state: ServerState) -> Response:
    req = await parse_query_request(request, state, db_required=True)
    start = sql_start(lambda: state.executor.prepare(req.db, req.q, req.params))
    return await respond(start, req.format, state, "sql")


ROUTES = [
    ("GET", routes.QUERY_SQL, query_sql),
    ("POST", routes.QUERY_SQL, query_sql),
]
