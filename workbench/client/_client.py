"""``Client``: writes and queries, plus the management families mixed in from their modules.

Writes go text/``LineBuilder``/frame → ``_lineprotocol`` batches → ``POST /api/v3/write_lp``
(never retried). Queries go → ``POST /api/v3/query_sql`` or ``/api/v3/query_influxql`` with
``format=parquet`` → ``_results`` → ``polars.DataFrame`` (or ``pyarrow.Table``); ``iter_query``
streams ``format=jsonl`` instead. Databases, tables and caches live in ``_catalog.py``, the
processing engine in ``_engine.py``, tokens and server information in ``_admin.py``.
"""

from __future__ import annotations

import dataclasses
import gzip as gzip_module
from collections.abc import Iterable, Iterator, Sequence

import httpx
import polars as pl
import pyarrow as pa

from workbench.client import _lineprotocol, _results
from workbench.client._admin import AdminMixin
from workbench.client._base import BaseClient, Params, flag, flight_ticket
from workbench.client._catalog import CatalogMixin
from workbench.client._engine import EngineMixin
from workbench.client._exceptions import InfluxDBError, PartialWriteError
from workbench.client._transport import TimeoutArg
from workbench.protocol import routes
from workbench.protocol.errors import WriteLineError
from workbench.protocol.formats import QueryFormat
from workbench.protocol.line_builder import LineBuilder
from workbench.protocol.precision import Precision

__all__ = ["Client"]

WriteData = str | bytes | LineBuilder | Iterable[str | bytes | LineBuilder] | pl.DataFrame | pl.LazyFrame
DEFAULT_ITER_BATCH_ROWS = 10_000


def _precision(value: Precision | str | None) -> Precision | None:
    if value is None or isinstance(value, Precision):
        return value
    return Precision.parse(value)


class Client(CatalogMixin, EngineMixin, AdminMixin, BaseClient):
    """A connection to one InfluxDB 3 server (the embedded one, Core, or Enterprise).

    >>> client = Client("127.0.0.1:8181", token="apiv3_...", database="demo")
    >>> client
    <Client http://127.0.0.1:8181 database='demo'>

    Methods that take ``database=`` fall back to the client's default database.
    """

    # -- writes ---------------------------------------------------------------------------------

    def write(
        self,
        data: WriteData,
        *,
        database: str | None = None,
        precision: Precision | str | None = None,
        accept_partial: bool = True,
        no_sync: bool = False,
        gzip: bool | None = None,
        measurement: str | None = None,
        tags: Sequence[str] | None = None,
        time: str | None = None,
    ) -> int:
        """Write line protocol; returns the number of lines sent.

        ``data`` is line-protocol text or bytes (sent as one request, as given), a
        ``LineBuilder``, a list of those (batched), or a Polars frame (converted without a
        per-row Python loop and batched; needs ``measurement=``, takes ``tags=`` — default: its
        string/categorical columns — and ``time=`` — default: its datetime column).

        ``precision`` defaults to the server's ``auto`` for text, ``nanosecond`` for
        ``LineBuilder`` input (its ``time_ns``) and for frames with a datetime time column.
        ``gzip=None`` compresses bodies of at least ``gzip_threshold`` bytes.

        Rejected lines raise :class:`PartialWriteError` with ``.line_errors`` numbered across the
        whole input; with ``accept_partial=True`` the other lines were written. Writes are never
        retried: after an error in a later batch, the exception's notes say how many lines of
        earlier batches were written.
        """
        wire = _precision(precision)
        max_bytes = self.config.write_batch_bytes
        if isinstance(data, pl.DataFrame | pl.LazyFrame):
            if measurement is None:
                raise ValueError("writing a frame needs measurement=...")
            frame = data.collect() if isinstance(data, pl.LazyFrame) else data
            plan = _lineprotocol.plan_frame(frame, measurement, tags=tags, time=time, precision=wire)
            batches: Iterable[_lineprotocol.Batch] = _lineprotocol.frame_batches(frame, plan, max_bytes)
            wire = plan.precision
        else:
            if measurement is not None or tags is not None or time is not None:
                raise ValueError("measurement=, tags= and time= apply to frames only")
            if isinstance(data, str | bytes):
                body = data.encode() if isinstance(data, str) else data
                batches = [_lineprotocol.Batch(body, _lineprotocol.count_lines(body))]
            else:
                items = [data] if isinstance(data, LineBuilder) else list(data)
                if wire is None and any(isinstance(i, LineBuilder) for i in items):
                    wire = Precision.NANOSECOND
                batches = _lineprotocol.item_batches(items, max_bytes)
        params = {"db": self._db(database), "accept_partial": flag(accept_partial), "no_sync": flag(no_sync)}
        if wire is not None:
            params["precision"] = wire.value
        return self._write_batches(batches, params, accept_partial=accept_partial, gzip=gzip)

    def _write_batches(
        self,
        batches: Iterable[_lineprotocol.Batch],
        params: dict[str, str],
        *,
        accept_partial: bool,
        gzip: bool | None,
    ) -> int:
        sent = accepted = count = 0
        rejected: list[WriteLineError] = []
        first: PartialWriteError | None = None
        for batch in batches:
            count += 1
            try:
                self._post_lines(batch.body, params, gzip)
            except PartialWriteError as exc:
                # Renumber the batch's line errors so they count lines of the whole input.
                exc.line_errors = [dataclasses.replace(e, line_number=e.line_number + sent) for e in exc.line_errors]
                if not accept_partial:
                    self._note_progress(exc, accepted, count)
                    raise
                first = first or exc
                rejected.extend(exc.line_errors)
                accepted += batch.lines - len(exc.line_errors)
            except InfluxDBError as exc:
                self._note_progress(exc, accepted, count)
                raise
            else:
                accepted += batch.lines
            sent += batch.lines
        if first is not None and count == 1:
            raise first
        if first is not None:
            raise PartialWriteError(
                f"write failed: {len(rejected)} of {sent} lines rejected across {count} batches "
                f"(the others were written); first: {first}",
                line_errors=rejected,
                status_code=first.status_code,
                message=first.message,
                request=first.request,
                response=first.response,
            )
        return sent

    @staticmethod
    def _note_progress(exc: InfluxDBError, accepted: int, batch_number: int) -> None:
        if batch_number > 1:
            exc.add_note(f"{accepted} lines of the {batch_number - 1} earlier batch(es) were written")

    def _post_lines(self, body: bytes, params: dict[str, str], gzip: bool | None) -> None:
        threshold = self.config.gzip_threshold
        compress = gzip if gzip is not None else (threshold is not None and len(body) >= threshold)
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if compress:
            body = gzip_module.compress(body, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        self._transport.request(
            "write", "POST", routes.WRITE_LP, params=params, content=body, headers=headers, idempotent=False
        )

    # -- queries --------------------------------------------------------------------------------

    def query_sql(
        self,
        q: str,
        database: str | None = None,
        params: Params | None = None,
        *,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> pl.DataFrame:
        """Run SQL and return a frame (fetched as Parquet: types kept, times UTC, tags ``String``).

        ``params`` binds ``$name`` placeholders (str, int, float, bool, None, datetime, date).
        """
        return _results.arrow_to_polars(self._query_table("query_sql", q, database, params, timeout=timeout))

    def query_influxql(
        self,
        q: str,
        database: str | None = None,
        params: Params | None = None,
        *,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> pl.DataFrame:
        """Run one InfluxQL statement; the frame starts with InfluxDB's ``iox::measurement`` column.

        ``database`` may be omitted when the statement names it (``ON db`` / ``FROM db.rp.m``).
        """
        table = self._query_table("query_influxql", q, database, params, language="influxql", timeout=timeout)
        return _results.arrow_to_polars(table)

    def query_arrow(
        self,
        q: str,
        database: str | None = None,
        params: Params | None = None,
        *,
        language: str = "sql",
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> pa.Table:
        """Like :meth:`query_sql` (or InfluxQL with ``language="influxql"``) but a ``pyarrow.Table``."""
        table = self._query_table("query_arrow", q, database, params, language=language, timeout=timeout)
        return _results.normalize_arrow(table)

    def iter_query(
        self,
        q: str,
        database: str | None = None,
        params: Params | None = None,
        *,
        language: str = "sql",
        batch_size: int = DEFAULT_ITER_BATCH_ROWS,
        timeout: TimeoutArg = httpx.USE_CLIENT_DEFAULT,
    ) -> Iterator[pl.DataFrame]:
        """Stream a large result as frames of at most ``batch_size`` rows (``format=jsonl``, or
        Arrow batches with ``query_transport="flight"``).

        The request is sent when iteration starts. JSON carries fewer types than Parquet: the
        ``time`` column is parsed back to a UTC timestamp, other timestamp columns stay text, and
        a column that is null in every row of a batch gets the type it had in earlier batches.
        Over Flight every column keeps its type.
        """
        if self._flight is not None:  # typed batches: every column keeps its type
            body = self._query_body(q, database, params, QueryFormat.PARQUET, language)
            for batch in self._flight.batches("iter_query", flight_ticket(body, language), timeout):
                for start in range(0, batch.num_rows, batch_size):
                    yield _results.arrow_to_polars(pa.Table.from_batches([batch.slice(start, batch_size)]))
            return
        decoder = _results.JsonLinesDecoder(batch_size)
        body = self._query_body(q, database, params, QueryFormat.JSONL, language)
        route = self._query_route(language)
        with self._transport.stream(
            "iter_query", "POST", route, json=body, idempotent=True, timeout=timeout
        ) as response:
            yield from decoder.frames(self._transport.iter_lines("iter_query", response))

    def explain(
        self, q: str, database: str | None = None, params: Params | None = None, *, analyze: bool = False
    ) -> str:
        """The query plan of a SQL statement (``EXPLAIN [ANALYZE] q``) as text, one section per plan."""
        prefix = "EXPLAIN ANALYZE " if analyze else "EXPLAIN "
        df = _results.arrow_to_polars(self._query_table("explain", prefix + q, database, params))
        if not {"plan_type", "plan"} <= set(df.columns):
            return str(df)
        return "\n\n".join(f"{row['plan_type']}:\n{row['plan']}" for row in df.iter_rows(named=True))
