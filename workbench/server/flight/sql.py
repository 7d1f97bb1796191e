"""Flight SQL's statement query: the one command SQL clients (ADBC, JDBC, Grafana) run queries with.

A Flight SQL client sends ``GetFlightInfo`` with a command descriptor holding a protobuf ``Any``
that wraps ``arrow.flight.protocol.sql.CommandStatementQuery {string query = 1; bytes
transaction_id = 2}``, then ``DoGet`` with the ticket of the returned endpoint. The database comes
from a gRPC header (``database``, or ``bucket``, ``bucket-name``, ``iox-namespace-name``), as in
InfluxDB 3. This module reads those messages (the protobuf wire format, just the two
length-delimited fields each needs); the service answers with a JSON ticket of its own.
Metadata commands (``GetSqlInfo``, ``GetTables``, ...) and prepared statements are not served.
"""

from __future__ import annotations

STATEMENT_QUERY = "type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery"
DATABASE_HEADERS = ("database", "bucket", "bucket-name", "iox-namespace-name")


class NotAStatement(ValueError):
    """The command is not a CommandStatementQuery we can read."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise NotAStatement("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of a message by number (the last one wins); others skipped."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise NotAStatement("truncated field")
            out[number] = data[pos : pos + size]
            pos += size
        elif wire == 0:
            _, pos = _varint(data, pos)
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise NotAStatement(f"unsupported wire type {wire}")
    return out


def statement_query(command: bytes) -> str:
    """The SQL text of an ``Any``-wrapped CommandStatementQuery, or ``NotAStatement``.

    >>> any_ = b"\\x0a" + bytes([len(STATEMENT_QUERY)]) + STATEMENT_QUERY.encode() + b"\\x12\\x0a\\x0a\\x08SELECT 1"
    >>> statement_query(any_)
    'SELECT 1'
    """
    wrapper = _fields(command)
    type_url = wrapper.get(1, b"").decode("utf-8", "replace")
    if type_url != STATEMENT_QUERY:
        raise NotAStatement(type_url or "not a protobuf Any")
    try:
        return _fields(wrapper.get(2, b"")).get(1, b"").decode()
    except UnicodeDecodeError:
        raise NotAStatement("query is not UTF-8") from None


def database(headers: dict[str, list]) -> str | None:
    """The database a Flight SQL call names in its headers."""
    for name in DATABASE_HEADERS:
        values = headers.get(name)
        if values:
            value = values[0]
            return value.decode() if isinstance(value, bytes) else value
    return None
