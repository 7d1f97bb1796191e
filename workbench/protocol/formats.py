"""Query result formats of ``/api/v3/query_sql`` and ``/api/v3/query_influxql``.

The format comes from ``format=`` (or the ``Accept`` header when absent); InfluxDB 3 checks the
``Accept`` header even when ``format=`` is given and rejects values it does not know.
"""

from __future__ import annotations

import enum


class QueryFormat(enum.Enum):
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    PRETTY = "pretty"
    PARQUET = "parquet"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]

    @classmethod
    def parse(cls, text: str) -> QueryFormat:
        """Parse a ``format=`` value (``json_lines`` is an alias of ``jsonl``).

        >>> QueryFormat.parse("json_lines")
        <QueryFormat.JSONL: 'jsonl'>
        """
        value = "jsonl" if text == "json_lines" else text
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"unknown variant `{text}`, expected one of `parquet`, `csv`, `pretty`, `json`, `jsonl`"
            ) from None


_CONTENT_TYPES = {
    QueryFormat.JSON: "application/json",
    QueryFormat.JSONL: "application/jsonl",
    QueryFormat.CSV: "text/csv",
    QueryFormat.PRETTY: "text/plain; charset=utf-8",
    QueryFormat.PARQUET: "application/vnd.apache.parquet",
}


class InvalidMimeType(ValueError):
    """An ``Accept`` header InfluxDB 3 would refuse."""


def format_from_accept(accept: str | None) -> QueryFormat:
    """The format an ``Accept`` header asks for.

    Media-type parameters are ignored (InfluxDB 3 rejects ``application/json; charset=utf-8``;
    see docs/compatibility.md), and the first known type of a list wins.

    >>> format_from_accept("text/csv")
    <QueryFormat.CSV: 'csv'>
    >>> format_from_accept("application/json; charset=utf-8")
    <QueryFormat.JSON: 'json'>
    >>> format_from_accept(None)
    <QueryFormat.JSON: 'json'>
    """
    if accept is None or not accept.strip():
        return QueryFormat.JSON
    for media_range in accept.split(","):
        media = media_range.split(";", 1)[0].strip().lower()
        found = _ACCEPT.get(media)
        if found is not None:
            return found
    raise InvalidMimeType(f"invalid mime type ({accept})")


_ACCEPT = {
    "application/json": QueryFormat.JSON,
    "*/*": QueryFormat.JSON,
    "text/html": QueryFormat.JSON,
    "application/jsonl": QueryFormat.JSONL,
    "application/x-ndjson": QueryFormat.JSONL,
    "text/csv": QueryFormat.CSV,
    "text/plain": QueryFormat.PRETTY,
    "application/vnd.apache.parquet": QueryFormat.PARQUET,
}
