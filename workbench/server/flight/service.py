"""Flight ``DoGet`` with InfluxDB 3's JSON tickets, answered by the same query paths as HTTP.

A ticket is ``{"database": <db>, "sql_query": <query>, "query_type": "sql" | "influxql",
"params": {...}}``; ``database`` may also be spelled ``namespace_name``, ``bucket`` or
``bucket-name``, and ``query_type`` defaults to SQL. SQL runs through ``QueryExecutor.prepare``
and streams its batches as DataFusion produces them; InfluxQL is one statement answered like
``/api/v3/query_influxql`` (``iox::measurement`` first). The caller is authenticated from the
``authorization`` header with the HTTP server's rules. Errors keep InfluxDB 3's texts (see
``flight_error`` for their gRPC status codes). Of Flight SQL (``sql.py``), statement queries and
the schema browser's listings are served: ``GetFlightInfo`` returns the result's schema and a JSON
ticket for ``DoGet``; other commands answer that they are not supported.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.flight as flight

from workbench import __version__
from workbench.protocol.sql_text import sql_identifier
from workbench.server.errors import ServerError
from workbench.server.flight import sql
from workbench.server.http.auth import Authenticator
from workbench.server.http.query import params_object
from workbench.server.query import influxql_runner
from workbench.server.state import ServerState

DATABASE_KEYS = ("database", "namespace_name", "bucket", "bucket-name")
INVALID_TICKET = "Invalid ticket"
SERVER_INFO: dict[int, str | bool] = {  # Flight SQL's SqlInfo codes
    0: "workbench (InfluxDB 3 compatible)",  # FLIGHT_SQL_SERVER_NAME
    1: __version__,  # FLIGHT_SQL_SERVER_VERSION
    2: pa.__version__,  # FLIGHT_SQL_SERVER_ARROW_VERSION
    3: True,  # FLIGHT_SQL_SERVER_READ_ONLY
    4: True,  # FLIGHT_SQL_SERVER_SQL
    5: False,  # FLIGHT_SQL_SERVER_SUBSTRAIT
    9: False,  # FLIGHT_SQL_SERVER_CANCEL
    504: '"',  # SQL_IDENTIFIER_QUOTE_CHAR
}
TABLES_QUERY = "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables"
FLIGHT_SQL_UNSUPPORTED = (
    "this Flight SQL command is not supported by this server: it answers statement queries, SqlInfo and "
    "the catalog, schema, table and table type listings, and DoGet with a JSON ticket as the InfluxDB 3 "
    "client libraries send"
)


def flight_error(exc: ServerError) -> flight.FlightError:
    """The Flight error for ``exc``, with InfluxDB 3's message.

    pyarrow's Flight server sends INVALID_ARGUMENT or NOT_FOUND only with the server's Python
    traceback appended to the message, so request errors go out as UNKNOWN with the message alone
    (see docs/compatibility.md); authentication errors are UNAUTHENTICATED / PERMISSION_DENIED and
    server faults INTERNAL, as in InfluxDB 3.
    """
    if exc.status == 401:
        return flight.FlightUnauthenticatedError(exc.message)
    if exc.status == 403:
        return flight.FlightUnauthorizedError(exc.message)
    if exc.status >= 500:
        return flight.FlightInternalError(exc.message)
    return flight.FlightServerError(exc.message)


def load_ticket(raw: bytes) -> dict:
    try:
        ticket = json.loads(raw)
    except ValueError:
        raise flight.FlightServerError(INVALID_TICKET) from None
    if not isinstance(ticket, dict):
        raise flight.FlightServerError(INVALID_TICKET)
    return ticket


def parse_ticket(ticket: dict) -> tuple[str, str, str, dict | None]:
    """(database, query, "sql" | "influxql", params) of a JSON ticket."""
    database = next((ticket[k] for k in DATABASE_KEYS if k in ticket), None)
    query = ticket.get("sql_query")
    if not isinstance(database, str) or not isinstance(query, str):
        raise flight.FlightServerError(INVALID_TICKET)
    kind = ticket.get("query_type") or "sql"
    if kind not in ("sql", "influxql"):
        raise flight.FlightServerError(f"unknown query type. Expected 'sql' or 'influxql', got {kind}'")
    try:
        params = params_object(ticket.get("params"))
    except ServerError as exc:
        raise flight_error(exc) from None
    return database, query, kind, params


class _Call(flight.ServerMiddleware):
    """What a call's handlers may read of its request: the headers."""

    def __init__(self, headers: dict[str, list]):
        self.headers = headers


class _Authentication(flight.ServerMiddlewareFactory):
    def __init__(self, authenticator: Authenticator):
        self.authenticator = authenticator

    def start_call(self, info, headers):
        values = headers.get("authorization") or [None]
        try:
            self.authenticator.authenticate_header(values[0])
        except ServerError as exc:
            raise flight.FlightUnauthenticatedError(exc.message) from None
        return _Call(headers)


class FlightService(flight.FlightServerBase):
    """The Flight server: listens on a Unix socket (``path``, in a directory only this user can
    enter) from construction to ``shutdown()``; no TCP port of its own."""

    def __init__(self, state: ServerState, authenticator: Authenticator):
        self.directory = tempfile.mkdtemp(prefix="workbench-flight-")
        self.path = os.path.join(self.directory, "flight.sock")
        location = flight.Location.for_grpc_unix(self.path)
        super().__init__(location, middleware={"auth": _Authentication(authenticator)})
        self.state = state

    def shutdown(self) -> None:
        super().shutdown()
        shutil.rmtree(self.directory, ignore_errors=True)

    def get_flight_info(self, context, descriptor):
        """A Flight SQL command (``sql.py``): its result's schema, and a JSON ticket to fetch it with."""
        try:
            command = sql.decode(descriptor.command or b"")
        except sql.NotSupported:
            raise flight.FlightServerError(FLIGHT_SQL_UNSUPPORTED) from None
        database = sql.database(context.get_middleware("auth").headers)
        if database is None and command.name != "CommandGetSqlInfo":
            raise flight.FlightServerError("database name must be given in the 'database' header")
        if command.name == "CommandStatementQuery":
            try:
                schema = self.state.executor.schema(database, command.query)
            except ServerError as exc:
                raise flight_error(exc) from None
            ticket = {"database": database, "sql_query": command.query, "query_type": "sql"}
        else:
            schema = sql.result_schema(command)
            ticket = {"database": database, "flight_sql": command.ticket()}
        endpoint = flight.FlightEndpoint(json.dumps(ticket).encode(), [])
        return flight.FlightInfo(schema, descriptor, [endpoint], -1, -1)

    def _metadata(self, database: str, spec: object) -> flight.FlightDataStream:
        """A Flight SQL metadata command's result, from ``information_schema.tables``."""
        try:
            command = sql.Command(**spec)  # type: ignore[arg-type]
        except TypeError:
            raise flight.FlightServerError(INVALID_TICKET) from None
        if command.name == "CommandGetSqlInfo":
            return flight.RecordBatchStream(sql.sql_info(command, SERVER_INFO))
        executor = self.state.executor
        try:
            tables = executor.query(database, TABLES_QUERY)
            result = sql.metadata(
                command,
                tables,
                lambda s, t: executor.schema(database, f"SELECT * FROM {sql_identifier(s)}.{sql_identifier(t)}"),
            )
        except ServerError as exc:
            raise flight_error(exc) from None
        return flight.RecordBatchStream(result)

    def do_get(self, context, ticket):
        spec = load_ticket(ticket.ticket)
        if isinstance(spec.get("flight_sql"), dict):
            return self._metadata(str(spec.get("database") or ""), spec["flight_sql"])
        database, query, kind, params = parse_ticket(spec)
        started = time.perf_counter()
        try:
            if kind == "influxql":
                table = influxql_runner.v3_table(self.state.catalog, self.state.executor, query,
                                                 database=database or None,  # "": the statement names it
                                                 now_ns=self.state.clock.now_ns(), params=params)  # fmt: skip
                self.state.metrics.observe_query("influxql", True, time.perf_counter() - started)
                return flight.RecordBatchStream(table)
            prepared = self.state.executor.prepare(database, query, params)
        except ServerError as exc:
            self.state.metrics.observe_query(kind, False, time.perf_counter() - started)
            raise flight_error(exc) from None
        batches = self._observed(prepared.batches(), started)
        first = next(batches, None)  # batches may be stricter about nulls than the plan's schema
        schema = prepared.schema if first is None else first.schema
        rest = itertools.chain([] if first is None else [first], batches)
        # a reader, not a GeneratorStream: pyarrow's generator stream sends no dictionaries (tags)
        return flight.RecordBatchStream(pa.RecordBatchReader.from_batches(schema, rest))

    def _observed(self, batches: Iterator[pa.RecordBatch], started: float) -> Iterator[pa.RecordBatch]:
        ok = False
        try:
            yield from batches
            ok = True
        except ServerError as exc:
            raise flight_error(exc) from None
        finally:
            self.state.metrics.observe_query("sql", ok, time.perf_counter() - started)
