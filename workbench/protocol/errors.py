"""Error bodies on the wire.

InfluxDB 3 answers most errors with ``{"error": "<message>"}`` (some with a plain-text body),
write errors with ``{"error": ..., "data": <line error or list of line errors>}``, and the v2
write endpoint with ``{"code": ..., "message": ...}``. The client parses all of them with
:func:`error_message`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

ORIGINAL_LINE_MAX_BYTES = 20

PARTIAL_WRITE = "partial write of line protocol occurred"
PARSING_ERROR = "line protocol parsing error"
NOT_AUTHENTICATED = "the request was not authenticated"
MALFORMED_AUTH = (
    "Authorization header was malformed, the request was not in the form of "
    "'Authorization: <auth-scheme> <token>', supported auth-schemes are Bearer, Token and Basic"
)


def truncate_line(line: str, limit: int = ORIGINAL_LINE_MAX_BYTES) -> str:
    """Cut a line to ``limit`` UTF-8 bytes on a character boundary, as InfluxDB does.

    >>> truncate_line("cpu,host=a usage=1 123456789")
    'cpu,host=a usage=1 1'
    >>> truncate_line("é" * 15)
    'éééééééééé'
    """
    raw = line.encode()
    if len(raw) <= limit:
        return line
    return raw[:limit].decode("utf-8", errors="ignore")


@dataclass(frozen=True)
class WriteLineError:
    """One rejected line of a write: the keys and key order of InfluxDB 3's ``data`` entries."""

    error_message: str
    line_number: int
    original_line: str

    def to_dict(self) -> dict:
        return {
            "error_message": self.error_message,
            "line_number": self.line_number,
            "original_line": self.original_line,
        }

    @classmethod
    def from_dict(cls, d: dict) -> WriteLineError:
        return cls(str(d.get("error_message", "")), int(d.get("line_number", 0)), str(d.get("original_line", "")))


def error_message(body: bytes | str) -> str:
    """The human message of any InfluxDB error body (JSON ``error``/``message`` or plain text).

    >>> error_message(b'{"error":"database not found: foo"}')
    'database not found: foo'
    >>> error_message(b'{"code":"invalid","message":"bad"}')
    'bad'
    >>> error_message("Not found")
    'Not found'
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        obj = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(obj, dict):
        for key in ("error", "message"):
            if isinstance(obj.get(key), str):
                return obj[key]
        results = obj.get("results")
        if isinstance(results, list):
            errs = [r.get("error") for r in results if isinstance(r, dict) and r.get("error")]
            if errs:
                return "; ".join(errs)
    return text.strip()


def line_errors(body: bytes | str) -> list[WriteLineError]:
    """The per-line errors of a write error body (``data`` is a list or a single object)."""
    try:
        obj = json.loads(body)
    except ValueError:
        return []
    data = obj.get("data") if isinstance(obj, dict) else None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return []
    return [WriteLineError.from_dict(d) for d in data if isinstance(d, dict)]
