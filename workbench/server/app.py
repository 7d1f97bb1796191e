"""The ASGI application: exact-path routing, authentication, error rendering, and serving.

Routes come from the ``ROUTES`` lists of the ``http`` modules; anything else is ``404 Not
found`` and ``OPTIONS`` is a CORS preflight answered before authentication, as in InfluxDB 3.
Every response carries ``cluster-uuid``; successful ones also ``Access-Control-Allow-Origin``.
``run(config)`` serves the app with uvicorn, with Arrow Flight on the same port (``flight/``),
and writes the bound address to ``--tcp-listener-file-path`` once it accepts connections.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable

import polars as pl
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from workbench.server.config import ServerConfig
from workbench.server.errors import ServerError
from workbench.server.flight.pipe import protocol_class
from workbench.server.flight.service import FlightService
from workbench.server.http import caches, configure, engine, health, influxql, plugins, query, tokens, write
from workbench.server.http.auth import Authenticator
from workbench.server.http.responses import error_response
from workbench.server.state import ServerState

log = logging.getLogger("workbench.server")

Handler = Callable[[Request, ServerState], Awaitable[Response]]
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"*"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-max-age", b"86400"),
]


class App:
    """The server's ASGI callable."""

    def __init__(self, state: ServerState):
        self.state = state
        self.auth = Authenticator(state.config, state.catalog, state.clock)
        self.routes: dict[tuple[str, str], Handler] = {}
        self.prefix_routes: list[tuple[str, frozenset[str], Handler]] = []
        for module in (write, query, influxql, configure, caches, tokens, health, engine, plugins):
            for method, path, handler in module.ROUTES:
                self.routes[(method, path)] = handler
        for prefix, methods, handler in engine.PREFIX_ROUTES:
            self.add_prefix_route(prefix, methods, handler)
        self.on_started: list[Callable[[], None]] = []
        self.on_stopping: list[Callable[[], None]] = []

    def add_prefix_route(self, prefix: str, methods: set[str], handler: Handler) -> None:
        self.prefix_routes.append((prefix, frozenset(methods), handler))

    def _find(self, method: str, path: str) -> tuple[Handler | None, str]:
        handler = self.routes.get((method, path))
        if handler is not None:
            return handler, path
        for prefix, methods, h in self.prefix_routes:
            if path.startswith(prefix) and method in methods:
                return h, prefix + "*"
        return None, "unmatched"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if method == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": CORS_HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return
        started = time.perf_counter()
        handler, route = self._find(method, path)
        ok = False
        if handler is None:
            response = Response(b"Not found", status_code=404)
        else:
            request = Request(scope, receive)
            try:
                scope["workbench.token"] = self.auth.authenticate(request)
                response = await handler(request, self.state)
                ok = True
            except ServerError as exc:
                response = error_response(exc, path)
            except Exception as exc:  # a bug: answer 500 with the reason, keep serving
                log.exception("unhandled error on %s %s", method, path)
                response = Response(f"internal error: {exc}".encode(), status_code=500)
        response.headers["cluster-uuid"] = self.state.catalog.uuid
        if ok:
            response.headers["access-control-allow-origin"] = "*"
        self.state.metrics.http_requests.labels(method, route, str(response.status_code)).inc()
        await response(scope, receive, send)
        self.state.metrics.http_latency.labels(method, route).observe(time.perf_counter() - started)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.state.start()
                    for callback in self.on_started:
                        callback()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for callback in self.on_stopping:
                    callback()
                await self.state.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: ServerConfig, clock=None) -> App:
    return App(ServerState(config, clock))


def _write_listener_file(path, address: str) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(address)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def run(config: ServerConfig) -> int:
    level = {"error": logging.ERROR, "warn": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}.get(
        config.log_filter.lower(), logging.INFO
    )
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The server's Polars frames (InfluxQL post-processing and rendering) are mostly small, and the
    # streaming engine's start-up cost is most of their time: 13.0 -> 9.6 ms for cpu-max-all-1.
    pl.Config.set_engine_affinity("in-memory")
    app = create_app(config)
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: responses are written as several small frames
    # (headers, streamed chunks), which Nagle + delayed ACK would stall by ~40 ms each.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((config.host, config.port))
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    address = f"{host}:{port}"
    flight: list[FlightService] = []  # the official clients' queries, served once the state is up

    def start_flight() -> None:
        try:
            flight.append(FlightService(app.state, app.auth))
        except Exception:  # HTTP serves on: only gRPC callers are turned away
            log.exception("the Flight server could not start")

    def stop_flight() -> None:
        for service in flight:
            service.shutdown()

    app.on_started.append(start_flight)
    app.on_stopping.append(stop_flight)
    # Start-up leaves a few hundred thousand long-lived objects (modules, the catalog, replayed
    # state). Every full collection walked them all: a 40-50 ms pause every ~100 requests.
    # Frozen once the server is up, a full collection takes well under 1 ms.
    app.on_started.append(gc.freeze)
    if config.tcp_listener_file_path is not None:
        app.on_started.append(lambda: _write_listener_file(config.tcp_listener_file_path, address))
    app.on_started.append(lambda: log.info("listening on http://%s", address))
    # uvloop (uvicorn's "auto" loop) and httptools (under flight.pipe's protocol), both installed with
    # uvicorn[standard], take about a third off the fixed cost of a request; proxy headers are not
    # trusted, as in InfluxDB.
    http = protocol_class(lambda: flight[0].path if flight else None)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            http=http,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
            proxy_headers=False,
        )
    )
    server.run(sockets=[sock])
    return 0
