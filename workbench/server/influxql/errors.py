"""The InfluxQL engine's error tree: what went wrong, the message a client sees, and its HTTP status.

Every stage raises one of these; :func:`workbench.server.influxql.engine.plan` turns a
statement-level error into an error plan so that v1 ``/query`` can report it per statement,
and the HTTP layer answers ``/api/v3/query_influxql`` with :attr:`InfluxQLError.status` and
:meth:`InfluxQLError.wire_message` (InfluxDB 3 answers parse errors with 400, unsupported
statements with 405, an unknown database with 404).
"""

from __future__ import annotations

PARSE_PREFIX = "error in InfluxQL statement: parsing error: "
INTERNAL_PREFIX = "internal error in InfluxQL engine: "
NOT_IMPLEMENTED_PREFIX = "This feature is not implemented: "


class InfluxQLError(Exception):
    """Base class: ``str(e)`` is the detail, :meth:`wire_message` the text a client sees."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def wire_message(self) -> str:
        return self.message


class InfluxQLParseError(InfluxQLError):
    """A syntax error at a position, sqlglot-style: line, column and the offending token.

    >>> e = InfluxQLParseError("expected FROM", text="SELECT v FORM cpu", pos=9)
    >>> (e.line, e.col, e.token)
    (1, 10, 'FORM')
    >>> e.wire_message()
    'error in InfluxQL statement: parsing error: expected FROM at line 1, col 10: found "FORM"'
    """

    def __init__(self, message: str, *, text: str, pos: int, token: str | None = None):
        self.pos = pos
        self.line = text.count("\n", 0, pos) + 1
        self.col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        self.token = token if token is not None else _token_at(text, pos)
        found = f'found "{self.token}"' if self.token else "found end of input"
        line_text = text.splitlines()[self.line - 1] if text.strip() else ""
        self.context = f"{line_text}\n{' ' * (self.col - 1)}^"
        self.detail = message
        super().__init__(f"{message} at line {self.line}, col {self.col}: {found}")

    def wire_message(self) -> str:
        return PARSE_PREFIX + self.message


class InfluxQLQueryError(InfluxQLError):
    """A statement that parses but is not a valid query (InfluxDB's ``error::query``)."""


class InfluxQLUnsupported(InfluxQLError):
    """A statement or feature this engine does not implement (InfluxDB 3: HTTP 405)."""

    status = 405

    def wire_message(self) -> str:
        return NOT_IMPLEMENTED_PREFIX + self.message


class DatabaseNotFound(InfluxQLError):
    """The statement's database does not exist (HTTP 404 on the v3 endpoint)."""

    status = 404

    def __init__(self, db: str):
        super().__init__(f"database not found: {db}")
        self.db = db


class InfluxQLInternalError(InfluxQLError):
    """A bug in this engine, never the user's fault."""

    status = 500

    def wire_message(self) -> str:
        return INTERNAL_PREFIX + self.message


def _token_at(text: str, pos: int) -> str:
    """The word or symbol starting at ``pos`` (for error messages)."""
    if pos >= len(text):
        return ""
    end = pos
    if text[pos].isalnum() or text[pos] == "_":
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
    elif text[pos] in "'\"":
        end = text.find(text[pos], pos + 1)
        end = len(text) if end < 0 else end + 1
        newline = text.find("\n", pos)
        end = end if newline < 0 else min(end, newline)
    else:
        while end < len(text) and not text[end].isspace() and not text[end].isalnum() and end - pos < 2:
            end += 1
    return text[pos:end]
