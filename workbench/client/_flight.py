"""Queries over Arrow Flight: InfluxDB 3's ``DoGet`` with a JSON ticket, on the server's HTTP port.

With ``query_transport="flight"`` the query methods fetch their results this way instead of as
``format=parquet`` over HTTP. It is how InfluxDB 3's own client libraries query (and the only way
InfluxDB Cloud Serverless answers SQL): the batches arrive as Arrow IPC, typed, and stream, so
``iter_query`` keeps every column's type. ``http://`` hosts are reached as ``grpc+tcp``,
``https://`` as ``grpc+tls``. Flight's errors become the client's exceptions (``flight_error``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import httpx
import pyarrow as pa
import pyarrow.flight as flight

from workbench.client._config import ClientConfig
from workbench.client._exceptions import (
    APIError,
    BadRequest,
    ConnectError,
    Forbidden,
    InfluxDBError,
    NotFound,
    ServerError,
    TimeoutError,
    TransportError,
    Unauthorized,
)
from workbench.client._transport import TimeoutArg

_STATUS = {BadRequest: (400, "Bad Request"), Unauthorized: (401, "Unauthorized"), Forbidden: (403, "Forbidden"),
           NotFound: (404, "Not Found"), ServerError: (500, "Internal Server Error")}  # fmt: skip


def location(host: str) -> str:
    """The Flight location of an HTTP host (``http://h:8181`` → ``grpc+tcp://h:8181``)."""
    url = httpx.URL(host)
    tls = url.scheme == "https"
    return f"{'grpc+tls' if tls else 'grpc+tcp'}://{url.host}:{url.port or (443 if tls else 80)}"


def flight_error(operation: str, where: str, exc: Exception) -> InfluxDBError:
    """The client's exception for a Flight failure, with the server's text (without pyarrow's
    ``Detail:`` trailer)."""
    text = str(exc).split(". Detail:", 1)[0].split(". gRPC client debug context:", 1)[0]
    if isinstance(exc, flight.FlightTimedOutError):
        return TimeoutError(f"{operation} failed: timed out for Flight DoGet {where}: {text}")
    if isinstance(exc, flight.FlightUnavailableError):
        return ConnectError(f"{operation} failed: unavailable for Flight DoGet {where}: {text}")
    if isinstance(exc, flight.FlightUnauthenticatedError):
        cls: type[APIError] = Unauthorized
    elif isinstance(exc, flight.FlightUnauthorizedError):
        cls = Forbidden
    elif isinstance(exc, flight.FlightInternalError):
        cls = ServerError
    elif isinstance(exc, pa.ArrowKeyError) or "database not found" in text:  # the embedded server: UNKNOWN
        cls = NotFound
    elif isinstance(exc, (pa.ArrowInvalid, flight.FlightServerError, pa.ArrowNotImplementedError)):
        cls = BadRequest
    else:
        return TransportError(f"{operation} failed: {type(exc).__name__} for Flight DoGet {where}: {text}")
    status, reason = _STATUS[cls]
    return cls(f"{operation} failed: {status} {reason} for Flight DoGet {where}: {text}", status_code=status,
               message=text)  # fmt: skip


class FlightQueries:
    """One lazily opened Flight client for a :class:`ClientConfig`'s host."""

    def __init__(self, config: ClientConfig):
        self.config = config
        self.location = location(config.host)
        self._client: flight.FlightClient | None = None

    def _flight(self) -> flight.FlightClient:
        if self._client is None:
            options = {} if self.config.verify else {"disable_server_verification": True}
            self._client = flight.FlightClient(self.location, **options)
        return self._client

    def _options(self, timeout: TimeoutArg) -> flight.FlightCallOptions:
        headers = [(k.lower().encode(), v.encode()) for k, v in self.config.headers().items()]
        seconds = self.config.read_timeout if timeout is httpx.USE_CLIENT_DEFAULT else timeout
        return flight.FlightCallOptions(headers=headers, timeout=seconds)

    @contextlib.contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        try:
            yield
        except (flight.FlightError, pa.ArrowException) as exc:
            raise flight_error(operation, self.location, exc) from exc

    def batches(self, operation: str, ticket: dict, timeout: TimeoutArg) -> Iterator[pa.RecordBatch]:
        """The result's batches as the server streams them."""
        with self._errors(operation):
            reader = self._flight().do_get(flight.Ticket(json.dumps(ticket).encode()), self._options(timeout))
            for chunk in reader:
                yield chunk.data

    def table(self, operation: str, ticket: dict, timeout: TimeoutArg) -> pa.Table:
        with self._errors(operation):
            reader = self._flight().do_get(flight.Ticket(json.dumps(ticket).encode()), self._options(timeout))
            return reader.read_all()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
