"""``process_writes``' ``table_batches``: which rows a WAL trigger is handed, and in which order.

A host turns the lines of one WAL flush into rows (one dict per line, holding only the columns
that line has, values as plugins see them) and hands them here with the table they belong to.
``table_batches`` groups them per table (tables in first-seen order, rows in line order) and
applies a ``table:<name>`` trigger's filter; ``column_order`` is the key order of each row:
tags in series-key order, fields in the order the catalog created them, then ``time``.
The server builds rows from its WAL ops (``workbench.server.engine.host``), the offline bench from
parsed line protocol (``workbench.plugins.data``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def column_order(tags: Sequence[str], fields: Sequence[str], present: Iterable[str]) -> list[str]:
    """The order of a row's keys: known tags, known fields, other columns by name, then ``time``.

    >>> column_order(["host", "region"], ["usage", "idle"], ["time", "idle", "host", "usage", "x"])
    ['host', 'usage', 'idle', 'x', 'time']
    """
    present = set(present)
    ordered_tags = [t for t in tags if t in present]
    ordered_fields = [f for f in fields if f in present]
    known = set(ordered_tags) | set(ordered_fields) | {"time"}
    rest = sorted(present - known)
    return ordered_tags + ordered_fields + rest + (["time"] if "time" in present else [])


def table_batches(rows: Iterable[tuple[str, list[dict[str, Any]]]], table: str | None) -> list[dict[str, Any]]:
    """``[{"table_name": ..., "rows": [...]}]`` from ``(table name, rows)`` parts of one flush.

    >>> table_batches([("cpu", [{"v": 1}]), ("mem", [{"v": 2}]), ("cpu", [{"v": 3}])], None)
    [{'table_name': 'cpu', 'rows': [{'v': 1}, {'v': 3}]}, {'table_name': 'mem', 'rows': [{'v': 2}]}]
    >>> table_batches([("mem", [{"v": 2}])], "cpu")
    []
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for name, part in rows:
        if table is None or name == table:
            grouped.setdefault(name, []).extend(part)
    return [{"table_name": name, "rows": part} for name, part in grouped.items()]
