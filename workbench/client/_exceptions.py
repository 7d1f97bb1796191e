"""The client's one exception tree, and the single place that maps httpx and HTTP errors onto it.

Every error a :class:`~workbench.client.Client` method raises is an :class:`InfluxDBError`.
httpx exceptions (from the transport) and error responses (status >= 400, from the server) come
in; :func:`map_transport_errors` and :func:`api_error` turn them into the classes below, always
with ``raise ... from`` so the original stays on ``__cause__``::

    InfluxDBError
    ├── ConfigError            bad client configuration (arguments, environment, profiles file)
    ├── TransportError         no usable HTTP response (``.request``)
    │   ├── ConnectError       the server could not be reached (also a builtin ConnectionError)
    │   └── TimeoutError       a connect/read/write/pool timeout (also the builtin TimeoutError)
    ├── APIError               the server answered with an error status (``.status_code``,
    │   │                      ``.message``, ``.request``, ``.response``)
    │   ├── BadRequest         400
    │   ├── Unauthorized       401
    │   ├── Forbidden          403
    │   ├── NotFound           404
    │   ├── Conflict           409
    │   ├── PartialWriteError  400/422 with per-line errors (``.line_errors``)
    │   └── ServerError        5xx
    └── DecodeError            a 2xx body that could not be decoded (``.content_type``)

Messages follow httpx's ``raise_for_status``: what failed, the status, method and URL, then the
server's own text, e.g. ``query_sql failed: 404 Not Found for POST
http://127.0.0.1:8181/api/v3/query_sql: database not found: foo``.
"""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Iterator

import httpx

from workbench.protocol.errors import WriteLineError, error_message, line_errors

__all__ = [
    "APIError",
    "BadRequest",
    "ConfigError",
    "Conflict",
    "ConnectError",
    "DecodeError",
    "Forbidden",
    "InfluxDBError",
    "NotFound",
    "PartialWriteError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "Unauthorized",
]

# How many per-line errors a PartialWriteError message lists before "... and N more".
MESSAGE_LINE_ERRORS = 3


class InfluxDBError(Exception):
    """Base class of every error the client raises."""


class ConfigError(InfluxDBError, ValueError):
    """The client was configured wrongly (arguments, environment variables or profiles file)."""


class TransportError(InfluxDBError):
    """The request got no usable HTTP response (connection, timeout or protocol failure)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None):
        super().__init__(message)
        self.request = request


class ConnectError(TransportError, builtins.ConnectionError):
    """The server could not be reached (refused, DNS, TLS, reset before a response)."""


class TimeoutError(TransportError, builtins.TimeoutError):  # deliberately shadows: it *is* one
    """A connect, read, write or pool timeout expired."""


class DecodeError(InfluxDBError):
    """A successful response whose body could not be decoded (e.g. a truncated Parquet file)."""

    def __init__(self, message: str, *, content_type: str | None = None):
        super().__init__(message)
        self.content_type = content_type


class APIError(InfluxDBError):
    """The server answered with an error status; ``.message`` is the server's own text."""

    def __init__(
        self,
        text: str,
        *,
        status_code: int,
        message: str,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ):
        super().__init__(text)
        self.status_code = status_code
        self.message = message
        self.request = request
        self.response = response


class BadRequest(APIError):
    """400: the request was malformed or refused (bad SQL, bad name, bad parameter)."""


class Unauthorized(APIError):
    """401: the token is missing, unknown or expired."""


class Forbidden(APIError):
    """403: the token may not do this (or the server disabled the feature)."""


class NotFound(APIError):
    """404: the database, table, cache, trigger, token or route does not exist."""


class Conflict(APIError):
    """409: the resource already exists, or was already deleted."""


class ServerError(APIError):
    """5xx: the server failed (including InfluxDB's unmapped catalog errors, which are 500)."""


class PartialWriteError(APIError):
    """A write rejected some or all lines; ``.line_errors`` lists them (``WriteLineError``).

    With ``accept_partial=True`` (the default) the other lines *were* written.
    """

    def __init__(self, text: str, *, line_errors: list[WriteLineError], **kwargs):
        super().__init__(text, **kwargs)
        self.line_errors = line_errors


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


def _describe(operation: str, status: int, reason: str, request: httpx.Request) -> str:
    return f"{operation} failed: {status} {reason} for {request.method} {request.url}"


def api_error(operation: str, response: httpx.Response, body: bytes) -> APIError:
    """The exception for an error response (``body`` is the already-read response body)."""
    request = response.request
    status = response.status_code
    message = error_message(body)
    head = _describe(operation, status, response.reason_phrase, request)
    text = f"{head}: {message}" if message else head
    kwargs = {"status_code": status, "message": message, "request": request, "response": response}
    lines = line_errors(body) if status in (400, 422) else []
    if lines:
        shown = "; ".join(
            f"line {e.line_number}: {e.error_message} ({e.original_line!r})" for e in lines[:MESSAGE_LINE_ERRORS]
        )
        more = len(lines) - MESSAGE_LINE_ERRORS
        text += f" [{shown}{f'; ... and {more} more' if more > 0 else ''}]"
        return PartialWriteError(text, line_errors=lines, **kwargs)
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, APIError)
    return cls(text, **kwargs)


@contextlib.contextmanager
def map_transport_errors(operation: str, request: httpx.Request) -> Iterator[None]:
    """Re-raise httpx exceptions raised inside the block as the client's own, most specific first."""
    try:
        yield
    except httpx.TimeoutException as exc:
        kind = type(exc).__name__  # ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout
        raise TimeoutError(
            f"{operation} failed: {kind} for {request.method} {request.url}: {exc}", request=request
        ) from exc
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.NetworkError) as exc:
        raise ConnectError(
            f"{operation} failed: {type(exc).__name__} for {request.method} {request.url}: {exc}",
            request=request,
        ) from exc
    except httpx.TransportError as exc:
        raise TransportError(
            f"{operation} failed: {type(exc).__name__} for {request.method} {request.url}: {exc}",
            request=request,
        ) from exc
