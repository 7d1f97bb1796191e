"""The server behind ``influxdb3_local``: queries, synchronous writes, write-back, WAL rows.

* ``ServerHost.query`` runs SQL on the query executor (from the plugin's thread) and turns the
  Arrow result into ``list[dict]`` with InfluxDB 3's type mapping (``workbench.plugins.values``,
  shared with the offline bench).
* ``ServerHost.write_sync`` hands line protocol to the writer on the event loop and waits.
* ``write_back`` applies a call's buffered writes after it returned (per database, all-or-nothing,
  nanosecond precision) and returns the error texts to log.
* ``table_batches`` builds ``process_writes``' argument from a flush's ``WriteOp``s: one entry per
  table, one dict per row with the columns present in that line (tags, fields, then ``time``);
  the row and grouping rules are ``workbench.plugins.runtime.batches``, shared with the bench.
"""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.plugins.runtime import QueryError
from workbench.plugins.runtime.batches import column_order
from workbench.plugins.runtime.batches import table_batches as group_batches
from workbench.plugins.runtime.errors import query_error
from workbench.plugins.values import arrow_rows, batch_rows
from workbench.protocol.precision import Precision
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.names import validate_db_name
from workbench.server.errors import InvalidName, ServerError
from workbench.server.query.executor import QueryExecutor
from workbench.server.wal.format import WriteOp
from workbench.server.write.validate import AbortWrite
from workbench.server.write.writer import Writer


def describe_write_error(exc: BaseException) -> str:
    if isinstance(exc, AbortWrite):
        return f"line protocol parse failed: {exc.error.error_message}"
    if isinstance(exc, ServerError):
        return exc.message
    return str(exc)


def _write_lp(writer: Writer, db: str, lines: str, no_sync: bool):
    return writer.write_lp(db, lines, precision=Precision.NANOSECOND, accept_partial=False, no_sync=no_sync)


class ServerHost:
    """``PluginHost`` for calls made by triggers (and the query side of dry runs)."""

    def __init__(self, executor: QueryExecutor, writer: Writer, loop: asyncio.AbstractEventLoop):
        self._executor = executor
        self._writer = writer
        self._loop = loop

    def query(self, database: str, sql: str, params: dict[str, str] | None) -> list[dict[str, Any]]:
        try:
            validate_db_name(database)
        except InvalidName as exc:
            raise QueryError(f"invalid database name provided: {exc.message}") from None
        try:
            table = self._executor.query(database, sql, params)
        except ServerError as exc:
            raise query_error(exc.message, database, sql) from None
        return arrow_rows(table)

    def write_sync(self, database: str, lines: str, no_sync: bool) -> None:
        try:
            validate_db_name(database)
        except InvalidName as exc:
            raise Exception(
                f"error writing line protocol to {database}: invalid database name: {exc.message}"
            ) from None
        future = asyncio.run_coroutine_threadsafe(_write_lp(self._writer, database, lines, no_sync), self._loop)
        while True:  # wait in short steps, so a cancelled plugin thread notices at once
            try:
                future.result(timeout=0.1)
                return
            except TimeoutError:
                continue
            except Exception as exc:
                raise Exception(f"error writing line protocol to {database}: {describe_write_error(exc)}") from None


async def write_back(writer: Writer, writes: dict[str, list[str]]) -> list[str]:
    """Apply a successful call's buffered writes; the problems, as InfluxDB 3 words them."""
    errors = []
    for db, lines in writes.items():
        try:
            validate_db_name(db)
        except InvalidName:
            errors.append(f"invalid database name: {db}")
            continue
        try:
            await _write_lp(writer, db, "\n".join(lines), False)
        except Exception as exc:
            errors.append(f"error writing back lines to {db}: {describe_write_error(exc)}")
    return errors


def table_batches(ops: list[WriteOp], catalog: Catalog, table: str | None) -> list[dict[str, Any]]:
    """``process_writes``' ``table_batches`` for one database's ops of a flush (``table``: filter)."""
    parts = []
    for op in ops:
        if table is not None and op.table_name != table:
            continue
        definition = catalog.table(op.db_name, op.table_name)
        tags: list[str] = list(definition.series_key) if definition is not None else []
        fields = [c.name for c in definition.columns.values() if c.type.is_field] if definition is not None else []
        parts.append((op.table_name, batch_rows(op.batch, column_order(tags, fields, op.batch.schema.names))))
    return group_batches(parts, None)  # already filtered by table
