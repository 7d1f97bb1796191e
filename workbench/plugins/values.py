"""Arrow data as plugins see it: query results and WAL rows turned into Python values.

Shared by the server (``workbench.server.engine.host``) and the offline bench, so that
``influxdb3_local.query`` and ``table_batches`` hold the same values in both. Only pyarrow is
imported here (the stdlib-only runtime cannot hold it).

* ``arrow_rows`` — a query result as ``list[dict]`` with InfluxDB 3's type mapping: integers →
  ``int``, floats → ``float``, strings and tags → ``str``, booleans → ``bool``, timestamps →
  ``int`` nanoseconds, NULL → ``None``; other types raise ``ValueError("Unsupported data type:
  ...")`` naming the type as Rust's Arrow prints it.
* ``batch_rows`` — one WAL batch as ``table_batches`` rows: only the non-null columns of each
  row, in the order given (``runtime.batches.column_order``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_RUST_NAMES = {
    "date32[day]": "Date32",
    "date64[ms]": "Date64",
    "binary": "Binary",
    "large_binary": "LargeBinary",
    "binary_view": "BinaryView",
}


def rust_type_name(t: pa.DataType) -> str:
    """An Arrow type as arrow-rs ``Debug``-prints it (the text of ``Unsupported data type``)."""
    if pa.types.is_duration(t):
        unit = {"s": "Second", "ms": "Millisecond", "us": "Microsecond", "ns": "Nanosecond"}[t.unit]
        return f"Duration({unit})"
    if pa.types.is_decimal(t):
        return f"Decimal{t.bit_width}({t.precision}, {t.scale})"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"List({rust_type_name(t.value_type)})"
    return _RUST_NAMES.get(str(t), str(t))


def _python_values(col: pa.ChunkedArray | pa.Array) -> list:
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
    raise ValueError(f"Unsupported data type: {rust_type_name(t)}")


def arrow_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Query results as plugins see them (column name → Python value, one dict per row)."""
    names = table.column_names
    columns = [_python_values(table.column(i)) for i in range(table.num_columns)]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def batch_rows(batch: pa.RecordBatch, order: list[str]) -> list[dict[str, Any]]:
    """One WAL batch as ``table_batches`` rows: each row's non-null columns, in ``order``."""
    columns = [(name, _python_values(batch.column(name))) for name in order]
    return [{name: values[i] for name, values in columns if values[i] is not None} for i in range(batch.num_rows)]
