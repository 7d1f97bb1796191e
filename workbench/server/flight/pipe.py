"""One port for HTTP/1.1 and gRPC: connections opening with the HTTP/2 preface go to Flight.

InfluxDB 3 routes a request to gRPC when it is HTTP/2 (its clients speak h2c, HTTP/2 without
TLS, from the first byte). uvicorn speaks HTTP/1.1 only, so :func:`protocol_class` builds its
connection protocol with one change: when the first bytes of a connection are the HTTP/2 preface,
the connection is handed to a :class:`Pipe` that copies bytes both ways between the client and
the Flight server's Unix socket, with flow control in both directions. Any other connection
stays uvicorn's, untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class _Upstream(asyncio.Protocol):
    """The pipe's connection to the Flight server."""

    def __init__(self, pipe: Pipe):
        self.pipe = pipe

    def data_received(self, data: bytes) -> None:
        self.pipe.client.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pipe.close()

    def pause_writing(self) -> None:  # the Flight server reads slower than the client sends
        self.pipe.client.pause_reading()

    def resume_writing(self) -> None:
        self.pipe.client.resume_reading()


class Pipe(asyncio.Protocol):
    """A client connection copied to and from the Unix socket ``path``; it becomes the client
    transport's protocol."""

    def __init__(self, client: asyncio.Transport, path: str, connections: set, first: bytes):
        self.client = client
        self.connections = connections  # uvicorn's: a graceful shutdown closes what is in it
        self.pending = [first]
        self.upstream: asyncio.Transport | None = None
        connections.add(self)
        loop = asyncio.get_running_loop()
        self.connecting = loop.create_task(loop.create_unix_connection(lambda: _Upstream(self), path))
        self.connecting.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task) -> None:
        if task.cancelled() or task.exception() is not None:
            log.warning("cannot reach the Flight server: %s", None if task.cancelled() else task.exception())
            self.close()
            return
        self.upstream, _ = task.result()
        if self.client.is_closing():
            self.upstream.close()
            return
        self.upstream.write(b"".join(self.pending))
        self.pending = []

    def data_received(self, data: bytes) -> None:
        if self.upstream is None:
            self.pending.append(data)
        else:
            self.upstream.write(data)

    def eof_received(self) -> bool | None:
        if self.upstream is not None and self.upstream.can_write_eof():
            self.upstream.write_eof()
            return True  # keep our side open for the rest of the answer
        return None

    def pause_writing(self) -> None:  # the client reads slower than Flight answers
        if self.upstream is not None:
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: a gRPC connection has no request boundary to wait for."""
        self.close()

    def close(self) -> None:
        self.connections.discard(self)
        self.connecting.cancel()
        if self.upstream is not None:
            self.upstream.close()
        self.client.close()


def protocol_class(flight_path: Callable[[], str | None]) -> type[HttpToolsProtocol]:
    """uvicorn's HTTP protocol, routing HTTP/2 connections to the socket ``flight_path()`` (when not None)."""

    class HttpOrGrpc(HttpToolsProtocol):
        head = b""

        def data_received(self, data: bytes) -> None:
            if self.head is None:  # already known to be HTTP/1.1
                super().data_received(data)
                return
            head = self.head + data
            if len(head) < len(PREFACE) and PREFACE.startswith(head):
                self.head = head  # wait for the rest of the preface
                return
            self.head = None
            path = flight_path()
            if not head.startswith(PREFACE) or path is None:
                super().data_received(head)
                return
            self.connections.discard(self)
            self._unset_keepalive_if_required()
            self.transport.set_protocol(Pipe(self.transport, path, self.connections, head))

    return HttpOrGrpc
