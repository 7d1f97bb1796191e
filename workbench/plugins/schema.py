"""The schema of an offline database, and line protocol checked against it as InfluxDB 3 checks it.

A ``TableSchema`` is what the server's catalog knows of a table: its tags in series-key order
and its fields with their types, in creation order. ``check_lines`` parses line protocol with the
shared reference parser (``workbench.protocol.line_protocol``) and checks every line as a plugin
write is checked (all-or-nothing, nanosecond precision): parse errors, duplicate fields, type
conflicts with the schema or with earlier lines, reserved column names in a new table. It
returns the rows (values as ``table_batches`` holds them, keys in the catalog's order) and the
schema the write leaves behind, or raises ``WriteRejected`` with the first bad line, in
InfluxDB's words. The server's schema limits (tables, columns per table) are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.plugins.runtime.batches import column_order
from workbench.protocol.errors import WriteLineError, truncate_line
from workbench.protocol.line_protocol import LineParseError, format_line, parse_lines
from workbench.protocol.schema_rules import RESERVED_COLUMN_NAMES, reserved_column, type_conflict

TAG = "tag"
TIME = "time"


@dataclass
class TableSchema:
    name: str
    tags: list[str] = field(default_factory=list)  # series-key order
    fields: dict[str, str] = field(default_factory=dict)  # name -> kind, creation order

    def kind(self, column: str) -> str | None:
        if column == TIME:
            return TIME
        if column in self.tags:
            return TAG
        return self.fields.get(column)

    def copy(self) -> TableSchema:
        return TableSchema(self.name, list(self.tags), dict(self.fields))

    def to_json(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "fields": dict(self.fields)}

    @classmethod
    def from_json(cls, name: str, doc: Mapping[str, Any]) -> TableSchema:
        return cls(name, list(doc.get("tags", [])), dict(doc.get("fields", {})))


class WriteRejected(Exception):
    """A write the server would refuse as a whole; ``error`` is the first bad line."""

    def __init__(self, error: WriteLineError):
        super().__init__(f"line protocol parse failed: {error.error_message}")
        self.error = error


def _check_line(table: TableSchema, creating: bool, tags, fields) -> str | None:
    wanted = [(k, TAG) for k, _ in tags] + [(k, kind) for k, kind, _ in fields]
    staged: dict[str, str] = {}
    for name, kind in wanted:
        if creating and name in RESERVED_COLUMN_NAMES:
            return reserved_column(name)
        existing = staged.get(name) or table.kind(name)
        staged.setdefault(name, kind)
        if existing is not None and existing != kind:
            return type_conflict(name, existing, kind)
    return None


def check_lines(
    tables: Mapping[str, TableSchema], text: str, now_ns: int
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, TableSchema]]:
    """Check a write; ``([(table, row), ...], the tables after the write)`` or ``WriteRejected``."""
    after = {name: t.copy() for name, t in tables.items()}
    rows: list[tuple[str, dict[str, Any]]] = []
    for number, original, parsed in parse_lines(text):
        if isinstance(parsed, LineParseError):
            raise WriteRejected(
                WriteLineError(parsed.message, number, truncate_line(parsed.canonical_line or original))
            )
        creating = parsed.measurement not in after
        table = after.setdefault(parsed.measurement, TableSchema(parsed.measurement))
        problem = _check_line(table, creating, parsed.tags, parsed.fields)
        if problem is not None:
            raise WriteRejected(WriteLineError(problem, number, truncate_line(format_line(parsed))))
        for key, _ in parsed.tags:
            if key not in table.tags:
                table.tags.append(key)
        for key, kind, _ in parsed.fields:
            table.fields.setdefault(key, kind)
        values: dict[str, Any] = dict(parsed.tags)
        values.update((key, value) for key, _, value in parsed.fields)
        values[TIME] = now_ns if parsed.timestamp is None else parsed.timestamp
        order = column_order(table.tags, list(table.fields), values)
        rows.append((parsed.measurement, {k: values[k] for k in order}))
    return rows, after
