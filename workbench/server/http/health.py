"""``/health``, ``/api/v1/health``, ``/ping`` and ``/metrics`` (reference section 6.4)."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from workbench import __version__
from workbench.protocol import routes
from workbench.server.http.responses import json_response
from workbench.server.state import ServerState

PRODUCT_NAME = "InfluxDB 3 Core"
BUILD = "Core"
COMPATIBLE_VERSION = "3.10.0"  # the InfluxDB 3 API version this server implements


async def health(request: Request, state: ServerState) -> Response:
    return Response(b"OK", media_type="text/plain; charset=utf-8")


async def ping(request: Request, state: ServerState) -> Response:
    rid = str(uuid.uuid4())
    body = {
        "product_name": PRODUCT_NAME,
        "version": COMPATIBLE_VERSION,
        "revision": f"workbench-{__version__}",
        "process_id": state.process_id,
    }
    headers = {
        "Request-Id": rid,
        "X-Request-Id": rid,
        "X-Influxdb-Build": BUILD,
        "X-Influxdb-Version": COMPATIBLE_VERSION,
    }
    return json_response(body, headers=headers)


async def metrics(request: Request, state: ServerState) -> Response:
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


ROUTES = [
    ("GET", routes.HEALTH, health),
    ("GET", routes.HEALTH_V1, health),
    ("GET", routes.PING, ping),
    ("POST", routes.PING, ping),
    ("GET", routes.METRICS, metrics),
]
