"""Human-readable durations (``7d``, ``1h 30m``, ``500ms``) as InfluxDB 3 spells them.

InfluxDB 3 parses retention periods, ``every:`` schedules and server flags with Rust's
``humantime``: a sequence of ``<integer><unit>`` terms, optionally separated by spaces. The
same grammar is used here for both directions so the client and the server agree.
"""

from __future__ import annotations

import re

NS = 1
US = 1_000
MS = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 2_630_016 * SECOND  # humantime: 30.44 days
YEAR = 31_557_600 * SECOND  # humantime: 365.25 days

_UNITS = {
    "nsec": NS,
    "ns": NS,
    "usec": US,
    "us": US,
    "µs": US,
    "msec": MS,
    "ms": MS,
    "seconds": SECOND,
    "second": SECOND,
    "sec": SECOND,
    "secs": SECOND,
    "s": SECOND,
    "minutes": MINUTE,
    "minute": MINUTE,
    "min": MINUTE,
    "mins": MINUTE,
    "m": MINUTE,
    "hours": HOUR,
    "hour": HOUR,
    "hr": HOUR,
    "hrs": HOUR,
    "h": HOUR,
    "days": DAY,
    "day": DAY,
    "d": DAY,
    "weeks": WEEK,
    "week": WEEK,
    "w": WEEK,
    "months": MONTH,
    "month": MONTH,
    "M": MONTH,
    "years": YEAR,
    "year": YEAR,
    "y": YEAR,
}

_TERM = re.compile(r"\s*(\d+)\s*([A-Za-zµ]+)")


class DurationError(ValueError):
    """A duration string that humantime would reject."""


def parse_duration(text: str) -> int:
    """Parse a humantime duration into nanoseconds.

    >>> parse_duration("1h 30m") == 90 * MINUTE
    True
    >>> parse_duration("7d") // DAY
    7
    """
    s = text.strip()
    if not s:
        raise DurationError("value was empty")
    total = 0
    pos = 0
    while pos < len(s):
        m = _TERM.match(s, pos)
        if m is None:
            raise DurationError(f"invalid duration: {text!r}")
        unit = m.group(2)
        if unit not in _UNITS:
            raise DurationError(f"unknown time unit {unit!r} in {text!r}")
        total += int(m.group(1)) * _UNITS[unit]
        pos = m.end()
        while pos < len(s) and s[pos] == " ":
            pos += 1
    return total


def format_duration(ns: int) -> str:
    """Format nanoseconds the way humantime prints them (largest units first).

    >>> format_duration(90 * MINUTE)
    '1h 30m'
    >>> format_duration(7 * DAY)
    '7days'
    >>> format_duration(0)
    '0s'
    """
    if ns == 0:
        return "0s"
    parts = []
    rest = ns
    for unit, size in (
        ("years", YEAR),
        ("months", MONTH),
        ("days", DAY),
        ("h", HOUR),
        ("m", MINUTE),
        ("s", SECOND),
        ("ms", MS),
        ("us", US),
        ("ns", NS),
    ):
        count, rest = divmod(rest, size)
        if count:
            name = unit
            if unit in ("years", "months", "days") and count == 1:
                name = unit[:-1]
            parts.append(f"{count}{name}")
    return " ".join(parts)


def format_influxql_duration(ns: int) -> str:
    """Format a retention duration as InfluxQL ``SHOW RETENTION POLICIES`` does (``168h0m0s``).

    >>> format_influxql_duration(7 * DAY), format_influxql_duration(0)
    ('168h0m0s', '0s')
    """
    if ns == 0:
        return "0s"
    hours, rest = divmod(ns, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    seconds = rest / SECOND
    sec = f"{seconds:g}" if seconds != int(seconds) else str(int(seconds))
    return f"{hours}h{minutes}m{sec}s"
