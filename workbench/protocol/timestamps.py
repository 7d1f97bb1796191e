"""Timestamps as InfluxDB prints them in its own responses: RFC 3339 in UTC.

InfluxDB 1.x's v1 ``/query`` bodies and InfluxDB 3's trigger times write a nanosecond
timestamp with ``Z`` and only the fraction digits it needs (Go's ``time.RFC3339Nano``).
"""

from __future__ import annotations

import datetime as dt

_EPOCH = dt.datetime(1970, 1, 1)


def rfc3339(ns: int) -> str:
    """``ns`` (nanoseconds since the epoch) as RFC 3339 in UTC, fraction only when there is one.

    >>> rfc3339(1_750_165_355 * 10**9)
    '2025-06-17T13:02:35Z'
    >>> rfc3339(-1)
    '1969-12-31T23:59:59.999999999Z'
    >>> rfc3339(1_500_000_000)
    '1970-01-01T00:00:01.5Z'
    """
    seconds, nanos = divmod(ns, 10**9)
    text = (_EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"
