"""The server behind ``influxdb3_local``: queries, synchronous writes, write-back, WAL rows.

* ``ServerHost.query`` runs SQL on the query executor (from the plugin's thread) and turns the
  Arrow result into ``list[dict]`` with InfluxDB 3's type mapping: integers → ``int``, floats →
  ``float``, strings and tags → ``str``, booleans → ``bool``, timestamps → ``int`` nanoseconds,
  NULL → ``None``; other types raise ``ValueError("Unsupported data type: ...")``.
* ``ServerHost.write_sync`` hands line protocol to the writer on the event loop and waits.
* ``write_back`` applies a call's buffered writes after it returned (per database, all-or-nothing,
  nanosecond precision) and returns the error texts to log.
* ``table_batches`` builds ``process_writes``' argument from a flush's ``WriteOp``s: one entry per
  table, one dict per row with the columns present in that line (tags, fields, then ``time``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.plugins.runtime import QueryError
from workbench.protocol.precision import Precision
from workbench.server.catalog.catalog import Catalog
from workbench.server.catalog.model import ColumnType
from workbench.server.catalog.names import validate_db_name
from workbench.server.errors import InvalidName, ServerError
from workbench.server.query.executor import QueryExecutor
from workbench.server.wal.format import WriteOp
from workbench.server.write.validate import AbortWrite
from workbench.server.write.writer import Writer

_PLANNING = ("Error during planning", "SQL error", "Schema error")
_RUST_NAMES = {
    "date32[day]": "Date32",
    "date64[ms]": "Date64",
    "binary": "Binary",
    "large_binary": "LargeBinary",
    "binary_view": "BinaryView",
}


def _rust_type_name(t: pa.DataType) -> str:
    if pa.types.is_duration(t):
        unit = {"s": "Second", "ms": "Millisecond", "us": "Microsecond", "ns": "Nanosecond"}[t.unit]
        return f"Duration({unit})"
    if pa.types.is_decimal(t):
        return f"Decimal{t.bit_width}({t.precision}, {t.scale})"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"List({_rust_type_name(t.value_type)})"
    return _RUST_NAMES.get(str(t), str(t))


def _python_values(col: pa.ChunkedArray) -> list:
    t = col.type
    if pa.types.is_dictionary(t) and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)):
        return pc.cast(col, pa.string()).to_pylist()
    if pa.types.is_timestamp(t):
        return pc.cast(pc.cast(col, pa.timestamp("ns", t.tz)), pa.int64()).to_pylist()
    if (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_boolean(t)
        or pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_string_view(t)
        or pa.types.is_null(t)
    ):
        return col.to_pylist()
    raise ValueError(f"Unsupported data type: {_rust_type_name(t)}")


def arrow_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Query results as plugins see them (column name → Python value, one dict per row)."""
    names = table.column_names
    columns = [_python_values(table.column(i)) for i in range(table.num_columns)]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


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
            message = exc.message
            if message.startswith(_PLANNING):
                message = f"error while planning query: {message}"
            raise QueryError(f"error: {message} executing query on {database}: {sql}") from None
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


def _column_order(catalog: Catalog, db_name: str, table_name: str, present: Iterable[str]) -> list[str]:
    """Tags (series key order), fields (creation order), then ``time``: the order of a line."""
    present = set(present)
    table = catalog.table(db_name, table_name)
    if table is None:
        return sorted(present - {"time"}) + (["time"] if "time" in present else [])
    tags = [t for t in table.series_key if t in present]
    fields = [c.name for c in table.columns.values() if c.type.is_field and c.name in present]
    known = set(tags) | set(fields) | {"time"}
    rest = sorted(present - known)
    return tags + fields + rest + (["time"] if "time" in present else [])


def table_batches(ops: list[WriteOp], catalog: Catalog, table: str | None) -> list[dict[str, Any]]:
    """``process_writes``' ``table_batches`` for one database's ops of a flush (``table``: filter)."""
    grouped: dict[str, list[WriteOp]] = {}
    for op in ops:
        if table is None or op.table_name == table:
            grouped.setdefault(op.table_name, []).append(op)
    out = []
    for name, table_ops in grouped.items():
        rows: list[dict[str, Any]] = []
        for op in table_ops:
            batch = op.batch
            order = _column_order(catalog, op.db_name, name, batch.schema.names)
            columns = []
            for col in order:
                arr = batch.column(col)
                if arr.type == ColumnType.TIME.arrow_type:
                    arr = arr.cast(pa.int64())
                elif pa.types.is_dictionary(arr.type):
                    arr = arr.cast(pa.string())
                columns.append((col, arr.to_pylist()))
            for i in range(batch.num_rows):
                rows.append({col: values[i] for col, values in columns if values[i] is not None})
        out.append({"table_name": name, "rows": rows})
    return out
