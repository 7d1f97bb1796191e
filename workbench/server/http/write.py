"""Write endpoints: ``/api/v3/write_lp``, v1 ``/write`` and v2 ``/api/v2/write``.

They differ only in parameter names, defaults and error bodies (reference section 4.1): v3
defaults to auto precision and partial writes; v1 and v2 default to nanoseconds and
all-or-nothing; v2 wraps errors as ``{"code", "message"}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from workbench.protocol import routes
from workbench.protocol.errors import PARSING_ERROR, PARTIAL_WRITE
from workbench.protocol.precision import Precision
from workbench.server.errors import BadRequest, ServerError
from workbench.server.http.request import param_bool, read_body, require
from workbench.server.http.responses import empty, json_response
from workbench.server.state import ServerState
from workbench.server.write.validate import AbortWrite, ValidatedWrite

_V2_CODES = {
    400: ("invalid", 400),
    405: ("invalid", 400),
    415: ("invalid", 400),
    422: ("invalid", 400),
    401: ("unauthorized", 401),
    403: ("forbidden", 403),
    404: ("not found", 404),
    413: ("request too large", 413),
}


def _precision(value: str | None, default: Precision, *, v1: bool) -> Precision:
    if value is None:
        return default
    try:
        return Precision.parse(value, allow_auto=not v1, allow_v1_units=v1)
    except ValueError:
        raise BadRequest(
            f"serde error: unknown variant `{value}`, expected one of `auto`, `second`, `millisecond`, "
            "`microsecond`, `nanosecond`"
        ) from None


async def _body_text(request: Request, state: ServerState) -> str:
    body = await read_body(request, state.config.max_http_request_size)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body content is not valid utf8: {exc}") from None


async def _write(
    request: Request, state: ServerState, db: str, precision: Precision, *, accept_partial: bool, no_sync: bool
) -> ValidatedWrite:
    """Run the write; raises ``AbortWrite`` when ``accept_partial`` is off and a line is bad."""
    text = await _body_text(request, state)
    state.metrics.write_bytes.inc(len(text))
    try:
        result = await state.writer.write_lp(
            db, text, precision=precision, accept_partial=accept_partial, no_sync=no_sync
        )
    except AbortWrite:
        state.metrics.write_lines_rejected.inc()
        raise
    state.metrics.write_lines.inc(result.line_count - len(result.errors))
    state.metrics.write_lines_rejected.inc(len(result.errors))
    return result


def _response(result: ValidatedWrite) -> Response:
    if not result.errors:
        return empty(204)
    status = 422 if result.limit_hit else 400
    return json_response({"error": PARTIAL_WRITE, "data": [e.to_dict() for e in result.errors]}, status)


def _aborted(exc: AbortWrite) -> Response:
    return json_response({"error": PARSING_ERROR, "data": exc.error.to_dict()}, 400)


async def write_v3(request: Request, state: ServerState) -> Response:
    q = request.query_params
    if not request.url.query:
        raise BadRequest("missing query parameter 'db'")
    db = require(q, "db")
    precision = _precision(q.get("precision"), Precision.AUTO, v1=False)
    accept_partial = param_bool(q.get("accept_partial"), "accept_partial", True)
    no_sync = param_bool(q.get("no_sync"), "no_sync", False)
    try:
        return _response(await _write(request, state, db, precision, accept_partial=accept_partial, no_sync=no_sync))
    except AbortWrite as exc:
        return _aborted(exc)


def v1_database(db: str, rp: str | None) -> str:
    """``db`` and ``rp`` as one InfluxDB 3 database name (``db/rp`` unless rp is the default)."""
    if rp is None or rp == "" or rp.lower() in ("autogen", "default"):
        return db
    return f"{db}/{rp.lower()}"


async def write_v1(request: Request, state: ServerState) -> Response:
    q = request.query_params
    db = require(q, "db")
    precision = _precision(q.get("precision"), Precision.NANOSECOND, v1=True)
    try:
        return _response(
            await _write(request, state, v1_database(db, q.get("rp")), precision, accept_partial=False, no_sync=False)
        )
    except AbortWrite as exc:
        return _aborted(exc)


async def write_v2(request: Request, state: ServerState) -> Response:
    q = request.query_params
    try:
        bucket = require(q, "bucket")
        precision = _precision(q.get("precision"), Precision.NANOSECOND, v1=False)
        if precision is Precision.AUTO:
            precision = Precision.NANOSECOND
        await _write(request, state, bucket, precision, accept_partial=False, no_sync=False)
    except AbortWrite as exc:
        return v2_error(400, f"write buffer error: line protocol parse failed: {exc.error.error_message}")
    except ServerError as exc:
        return v2_error(exc.status, exc.message)
    return empty(204)


def v2_error(status: int, message: str) -> Response:
    """The v2 write API's error body ``{"code", "message"}``."""
    code, status = _V2_CODES.get(status, ("internal error", 500))
    if status == 401:
        message = "unauthorized access"
    return json_response({"code": code, "message": message}, status)


ROUTES = [
    ("POST", routes.WRITE_LP, write_v3),
    ("POST", routes.WRITE_V1, write_v1),
    ("POST", routes.WRITE_V2, write_v2),
]
