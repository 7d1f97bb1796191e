"""Flight SQL: the commands SQL clients (ADBC, JDBC, Grafana) query and browse the schema with.

A Flight SQL client sends ``GetFlightInfo`` with a command descriptor holding a protobuf ``Any``
that wraps one ``arrow.flight.protocol.sql.Command*`` message, then ``DoGet`` with the ticket of
the returned endpoint. The database comes from a gRPC header (``database``, or ``bucket``,
``bucket-name``, ``iox-namespace-name``), as in InfluxDB 3. Served:

* ``CommandStatementQuery {string query = 1}``: a SQL query;
* ``CommandGetCatalogs``, ``CommandGetDbSchemas {catalog = 1, db_schema_filter_pattern = 2}``,
  ``CommandGetTables {catalog = 1, db_schema_filter_pattern = 2, table_name_filter_pattern = 3,
  repeated table_types = 4, bool include_schema = 5}`` and ``CommandGetTableTypes``: the schema
  browser's lists, read from ``information_schema.tables``, patterns as SQL ``LIKE``;
* ``CommandGetSqlInfo {repeated uint32 info = 1}``: the server's name, versions and SQL traits.

This module reads those messages (the protobuf wire format, only what these need) into a
:class:`Command` and builds the metadata results in the shapes Flight SQL defines; the service
plans and runs them. The key and type listings and prepared statements are not served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

PREFIX = "type.googleapis.com/arrow.flight.protocol.sql."
DATABASE_HEADERS = ("database", "bucket", "bucket-name", "iox-namespace-name")
METADATA = (
    "CommandGetCatalogs",
    "CommandGetDbSchemas",
    "CommandGetTables",
    "CommandGetTableTypes",
    "CommandGetSqlInfo",
)

CATALOGS = pa.schema([pa.field("catalog_name", pa.string(), nullable=False)])
DB_SCHEMAS = pa.schema([pa.field("catalog_name", pa.string()), pa.field("db_schema_name", pa.string(), False)])
TABLES = pa.schema([
    pa.field("catalog_name", pa.string()),
    pa.field("db_schema_name", pa.string()),
    pa.field("table_name", pa.string(), nullable=False),
    pa.field("table_type", pa.string(), nullable=False),
])  # fmt: skip
TABLES_WITH_SCHEMA = TABLES.append(pa.field("table_schema", pa.binary(), nullable=False))
TABLE_TYPES = pa.schema([pa.field("table_type", pa.string(), nullable=False)])
_INFO_TYPES = [  # the dense union of SqlInfo values, in Flight SQL's order of type codes
    pa.field("string_value", pa.string()),
    pa.field("bool_value", pa.bool_()),
    pa.field("bigint_value", pa.int64()),
    pa.field("int32_bitmask", pa.int32()),
    pa.field("string_list", pa.list_(pa.string())),
    pa.field("int32_to_int32_list_map", pa.map_(pa.int32(), pa.list_(pa.int32()))),
]
SQL_INFO = pa.schema([
    pa.field("info_name", pa.uint32(), nullable=False),
    pa.field("value", pa.dense_union(_INFO_TYPES, list(range(len(_INFO_TYPES)))), nullable=False),
])  # fmt: skip


class NotSupported(ValueError):
    """The command is not one this server reads."""


@dataclass
class Command:
    """One decoded Flight SQL command: its name and its arguments."""

    name: str
    query: str = ""
    catalog: str | None = None
    schema_pattern: str | None = None
    table_pattern: str | None = None
    table_types: list[str] = field(default_factory=list)
    include_schema: bool = False
    info: list[int] = field(default_factory=list)

    def ticket(self) -> dict:
        """The command's part of the JSON ticket its ``DoGet`` gets back."""
        return {k: v for k, v in vars(self).items() if v not in (None, "", [], False)}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise NotSupported("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes) -> dict[int, list]:
    """Every field of a message by number, in order: bytes (length-delimited) or ints (varints)."""
    out: dict[int, list] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise NotSupported("truncated field")
            value: bytes | int = data[pos : pos + size]
            pos += size
        elif wire == 0:
            value, pos = _varint(data, pos)
        elif wire in (1, 5):
            value, pos = data[pos : pos + (8 if wire == 1 else 4)], pos + (8 if wire == 1 else 4)
        else:
            raise NotSupported(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _text(fields: dict[int, list], number: int) -> str | None:
    values = fields.get(number)
    if not values or not isinstance(values[-1], bytes):
        return None
    try:
        return values[-1].decode()
    except UnicodeDecodeError:
        raise NotSupported("a text field is not UTF-8") from None


def decode(command: bytes) -> Command:
    """The :class:`Command` in an ``Any``-wrapped Flight SQL message, or ``NotSupported``.

    >>> url = (PREFIX + "CommandStatementQuery").encode()
    >>> decode(b"\\x0a" + bytes([len(url)]) + url + b"\\x12\\x0a\\x0a\\x08SELECT 1").query
    'SELECT 1'
    """
    wrapper = _fields(command)
    type_url = _text(wrapper, 1) or ""
    name = type_url.removeprefix(PREFIX)
    if not type_url.startswith(PREFIX) or name not in ("CommandStatementQuery", *METADATA):
        raise NotSupported(name or "not a protobuf Any")
    values = wrapper.get(2) or [b""]
    body = _fields(values[-1]) if isinstance(values[-1], bytes) else {}
    if name == "CommandStatementQuery":
        return Command(name, query=_text(body, 1) or "")
    if name == "CommandGetSqlInfo":  # repeated uint32, packed or not
        codes: list[int] = []
        for value in body.get(1, []):
            if isinstance(value, int):
                codes.append(value)
            else:
                pos = 0
                while pos < len(value):
                    code, pos = _varint(value, pos)
                    codes.append(code)
        return Command(name, info=codes)
    include = body.get(5) or [0]
    return Command(
        name,
        catalog=_text(body, 1),
        schema_pattern=_text(body, 2),
        table_pattern=_text(body, 3) if name == "CommandGetTables" else None,
        table_types=[v.decode() for v in body.get(4, []) if isinstance(v, bytes)] if name == "CommandGetTables" else [],
        include_schema=name == "CommandGetTables" and bool(include[-1]),
    )


def database(headers: dict[str, list]) -> str | None:
    """The database a Flight SQL call names in its headers."""
    for name in DATABASE_HEADERS:
        values = headers.get(name)
        if values:
            value = values[0]
            return value.decode() if isinstance(value, bytes) else value
    return None


def _like(pattern: str | None) -> re.Pattern | None:
    """SQL ``LIKE`` (``%``, ``_``, ``\\`` escapes) as a regular expression; None matches all."""
    if pattern is None:
        return None
    out, escaped = [], False
    for ch in pattern:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def result_schema(command: Command) -> pa.Schema:
    return {
        "CommandGetCatalogs": CATALOGS,
        "CommandGetDbSchemas": DB_SCHEMAS,
        "CommandGetTables": TABLES_WITH_SCHEMA if command.include_schema else TABLES,
        "CommandGetTableTypes": TABLE_TYPES,
        "CommandGetSqlInfo": SQL_INFO,
    }[command.name]


def sql_info(command: Command, server_info: dict[int, str | bool]) -> pa.Table:
    """``CommandGetSqlInfo``: the requested codes among ``server_info`` (all when none are named)."""
    codes = [c for c in (command.info or sorted(server_info)) if c in server_info]
    strings = [server_info[c] for c in codes if isinstance(server_info[c], str)]
    bools = [server_info[c] for c in codes if isinstance(server_info[c], bool)]
    type_ids, offsets, seen = [], [], {0: 0, 1: 0}
    for c in codes:
        kind = 1 if isinstance(server_info[c], bool) else 0
        type_ids.append(kind)
        offsets.append(seen[kind])
        seen[kind] += 1
    children = [pa.array(strings, pa.string()), pa.array(bools, pa.bool_())]
    children += [pa.array([], f.type) for f in _INFO_TYPES[2:]]
    value = pa.UnionArray.from_dense(
        pa.array(type_ids, pa.int8()), pa.array(offsets, pa.int32()), children,
        [f.name for f in _INFO_TYPES], list(range(len(_INFO_TYPES))),
    )  # fmt: skip
    return pa.Table.from_arrays([pa.array(codes, pa.uint32()), value], schema=SQL_INFO)


def metadata(command: Command, tables: pa.Table, table_schema) -> pa.Table:
    """A metadata command's result, from ``information_schema.tables`` (``table_catalog``,
    ``table_schema``, ``table_name``, ``table_type``); ``table_schema(schema, table)`` gives a
    table's Arrow schema when the command asks for it."""
    rows = sorted(
        zip(*(tables.column(c).to_pylist() for c in ("table_catalog", "table_schema", "table_name", "table_type")),
            strict=True)
    )  # fmt: skip
    schema = result_schema(command)
    if command.name == "CommandGetTableTypes":
        return pa.table({"table_type": sorted({r[3] for r in rows})}, schema=schema)
    if command.catalog is not None:
        rows = [r for r in rows if r[0] == command.catalog]
    if command.name == "CommandGetCatalogs":
        return pa.table({"catalog_name": sorted({r[0] for r in rows})}, schema=schema)
    schemas = _like(command.schema_pattern)
    rows = [r for r in rows if schemas is None or schemas.fullmatch(r[1])]
    if command.name == "CommandGetDbSchemas":
        pairs = sorted({(r[0], r[1]) for r in rows})
        return pa.table({"catalog_name": [p[0] for p in pairs], "db_schema_name": [p[1] for p in pairs]}, schema=schema)
    names = _like(command.table_pattern)
    rows = [r for r in rows if (names is None or names.fullmatch(r[2])) and (not command.table_types or
                                                                             r[3] in command.table_types)]  # fmt: skip
    columns = {name: [r[i] for r in rows] for i, name in enumerate(TABLES.names)}
    if command.include_schema:
        columns["table_schema"] = [table_schema(r[1], r[2]).serialize().to_pybytes() for r in rows]
    return pa.table(columns, schema=schema)
