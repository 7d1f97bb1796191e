"""InfluxQL over HTTP: ``/api/v3/query_influxql`` (tabular) and the v1 ``/query`` API (series JSON).

The v3 endpoint takes exactly one statement and answers like ``/api/v3/query_sql`` (same
formats, ``iox::measurement`` first). ``/query`` takes InfluxDB 1.x's parameters (``q``, ``db``,
``rp``, ``epoch``, ``pretty``, ``chunked``, ``chunk_size``, ``params``; GET, or POST with a form,
multipart or raw ``application/vnd.influxql`` body), runs every statement and reports
statement errors inside a 200 body, as InfluxDB does (reference section 5.3).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import time
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from workbench.protocol import routes
from workbench.server.errors import ServerError
from workbench.server.http.query import parse_query_request, respond, table_start
from workbench.server.http.request import param_bool, read_body
from workbench.server.influxql import v1_body
from workbench.server.query import influxql_runner
from workbench.server.state import ServerState


async def query_influxql(request: Request, state: ServerState) -> Response:
    req = await parse_query_request(request, state, db_required=False)

    def make():
        return influxql_runner.v3_table(state.catalog, state.executor, req.q, database=req.db,
                                        now_ns=state.clock.now_ns(), params=req.params)  # fmt: skip

    return await respond(table_start(make), req.format, state, "influxql")


def _v1_error(message: str, status: int = 400) -> ServerError:
    return ServerError(message, status=status, json_body=True)


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    if "boundary=" not in content_type:
        raise _v1_error("A boundary header is required for multipart upload")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True) or b""
            fields[name] = payload.decode("utf-8", errors="replace")
    return fields


async def _v1_params(request: Request, state: ServerState) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "GET":
        if not request.url.query:
            raise _v1_error("missing query parameters 'db' and 'q'")
        return params
    body = await read_body(request, state.config.max_http_request_size)
    full_type = request.headers.get("content-type", "")
    ctype = full_type.split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    elif ctype == "multipart/form-data":
        params.update(_multipart(full_type, body))
    elif ctype in ("", "application/vnd.influxql", "text/plain"):
        if "q" not in params and body.strip():
            params["q"] = body.decode("utf-8", errors="replace")
    else:
        raise _v1_error(f"unsupported content type: {full_type}")
    return params


def _v1_format(accept: str | None) -> str:
    """``json`` or ``csv`` from the Accept header (MessagePack is answered as JSON)."""
    if not accept:
        return "json"
    for media_range in accept.split(","):
        media = media_range.split(";", 1)[0].strip().lower()
        if media in ("application/csv", "text/csv"):
            return "csv"
        if media in ("application/json", "*/*", "application/x-msgpack"):
            return "json"
    raise _v1_error(f"invalid mime type ({accept})")


async def query_v1(request: Request, state: ServerState) -> Response:
    started = time.perf_counter()
    fmt = _v1_format(request.headers.get("accept"))
    params = await _v1_params(request, state)
    text = params.get("q")
    if not text or not text.strip():
        raise _v1_error("expected a query to be provided in the query string or body")
    try:
        epoch = v1_body.check_epoch(params.get("epoch") or None)
    except ValueError as exc:
        raise _v1_error(str(exc)) from None
    bind = None
    if params.get("params"):
        try:
            bind = json.loads(params["params"])
            if not isinstance(bind, dict):
                raise ValueError("expected a JSON object")
        except ValueError as exc:
            raise _v1_error(f"error decoding params from url: {exc}") from None
    pretty = param_bool(params.get("pretty"), "pretty")
    chunked = param_bool(params.get("chunked"), "chunked")
    try:
        chunk_size = int(params.get("chunk_size") or v1_body.DEFAULT_CHUNK_SIZE)
    except ValueError:
        raise _v1_error(f"invalid chunk_size: {params.get('chunk_size')}") from None

    def answer() -> tuple[bool, Response]:
        """Plan, run and render in one worker-thread trip; whether every statement succeeded."""
        plans = influxql_runner.plan(state.catalog, text, database=params.get("db") or None,
                                     now_ns=state.clock.now_ns(), params=bind,
                                     retention_policy=params.get("rp") or None)  # fmt: skip
        results = [influxql_runner.execute(state.executor, p, text) for p in plans]
        ok = all(r.error is None for r in results)
        if fmt == "csv":
            return ok, Response(v1_body.render_csv(results, epoch=epoch), media_type="application/csv")
        if chunked:
            chunks = list(v1_body.render_chunks(results, epoch=epoch, chunk_size=chunk_size, pretty=pretty))
            return ok, StreamingResponse(iter(chunks), media_type="application/json")
        return ok, Response(v1_body.render_json(results, epoch=epoch, pretty=pretty), media_type="application/json")

    ok, response = await asyncio.to_thread(answer)
    state.metrics.observe_query("influxql", ok, time.perf_counter() - started)
    return response


ROUTES = [
    ("GET", routes.QUERY_INFLUXQL, query_influxql),
    ("POST", routes.QUERY_INFLUXQL, query_influxql),
    ("GET", routes.QUERY_V1, query_v1),
    ("POST", routes.QUERY_V1, query_v1),
]
