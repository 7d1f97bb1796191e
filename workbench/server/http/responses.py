"""Response helpers shared by the handlers: JSON bodies, plain text, empty statuses."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from workbench.server.errors import ServerError


def json_response(
    content: Any, status: int = 200, headers: dict | None = None, media_type: str = "application/json"
) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type=media_type, headers=headers)


def empty(status: int = 200) -> Response:
    return Response(b"", status_code=status)


def error_response(exc: ServerError, path: str = "") -> Response:
    """An error as InfluxDB 3 renders it: ``{"error": msg}`` or the bare message."""
    if exc.status == 401 and path == "/query":
        return json_response({"error": "unauthorized access"}, 401)  # the v1 API's opaque message
    if exc.status == 401 or exc.message.startswith("Authorization header was malformed"):
        # InfluxDB hand-formats its authentication errors, with a space after the colon.
        return Response(
            b'{"error": ' + orjson.dumps(exc.message) + b"}", status_code=exc.status, media_type="application/json"
        )
    if exc.json_body:
        return json_response({"error": exc.message}, exc.status)
    return Response(exc.message.encode(), status_code=exc.status)
