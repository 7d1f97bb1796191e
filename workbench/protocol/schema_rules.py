"""The schema rules a write is checked against, in InfluxDB 3's words.

Shared by the server's write validator and catalog, and by the offline plugin bench, which checks
a plugin's writes as the server would. Column kinds are the catalog's names: ``tag``, ``time``
and the field types ``float``, ``integer``, ``uinteger``, ``string``, ``boolean``.

>>> type_conflict("f", "integer", "float")
"invalid column type for column 'f', expected iox::column_type::field::integer, got iox::column_type::field::float"
"""

from __future__ import annotations

RESERVED_COLUMN_NAMES = ("time", "__chunk_order")
"""Names a new table may not give a tag or field."""


def column_type_name(kind: str) -> str:
    """The column kind as InfluxDB names it in conflict messages (``iox::column_type::field::float``)."""
    if kind == "tag":
        return "iox::column_type::tag"
    if kind == "time":
        return "iox::column_type::timestamp"
    return f"iox::column_type::field::{kind}"


def reserved_column(name: str) -> str:
    return f"'{name}' is a reserved column"


def type_conflict(name: str, expected: str, got: str) -> str:
    """The error for column ``name`` written as kind ``got`` where the schema has ``expected``."""
    return (
        f"invalid column type for column '{name}', expected {column_type_name(expected)}, got {column_type_name(got)}"
    )
