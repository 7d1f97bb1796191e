"""The time-range picker: relative (``last 1h``) or absolute (UTC), as bound query parameters.

:func:`picker` draws the widgets and returns a :class:`TimeRange`; its :meth:`TimeRange.params`
are ``$start`` and ``$end`` (RFC 3339 UTC) and ``$interval`` (a bucket width for ``date_bin``,
about :data:`TARGET_POINTS` buckets per range), which pages pass to the client as bound
parameters — never pasted into query text. Relative ranges end at "now" rounded up to
:data:`NOW_STEP_S` seconds, so repeated renders within a few seconds share cache entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

RELATIVE = {
    "5m": ("Last 5 minutes", 300),
    "15m": ("Last 15 minutes", 900),
    "1h": ("Last hour", 3600),
    "6h": ("Last 6 hours", 6 * 3600),
    "24h": ("Last 24 hours", 86400),
    "7d": ("Last 7 days", 7 * 86400),
    "30d": ("Last 30 days", 30 * 86400),
}
ABSOLUTE = "absolute"
NOW_STEP_S = 5
TARGET_POINTS = 240
_BUCKETS_S = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400]


def interval_text(seconds: int) -> str:
    """A bucket width as SQL interval text: ``30 seconds``, ``5 minutes``, ``1 hour``."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def bucket_seconds(span_s: float) -> int:
    """The smallest round bucket width giving at most ``TARGET_POINTS`` buckets."""
    for width in _BUCKETS_S:
        if span_s / width <= TARGET_POINTS:
            return width
    return _BUCKETS_S[-1]


@dataclass(frozen=True)
class TimeRange:
    start: dt.datetime
    end: dt.datetime
    label: str
    code: str | None = None
    """The RELATIVE key of a relative range (None for an absolute one)."""

    def refreshed(self) -> TimeRange:
        """The same choice evaluated now: relative ranges move, absolute ones stay."""
        return relative(self.code) if self.code else self

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def params(self) -> dict[str, str]:
        """``{"start", "end", "interval"}`` for ``$start``/``$end``/``$interval`` placeholders."""
        return {
            "start": self.start.isoformat().replace("+00:00", "Z"),
            "end": self.end.isoformat().replace("+00:00", "Z"),
            "interval": interval_text(bucket_seconds(self.seconds)),
        }


def relative(code: str, now: dt.datetime | None = None) -> TimeRange:
    """The range ``RELATIVE[code]`` ending at ``now`` rounded up to ``NOW_STEP_S`` seconds."""
    label, span = RELATIVE[code]
    now = now or dt.datetime.now(dt.UTC)
    end_s = -(-int(now.timestamp()) // NOW_STEP_S) * NOW_STEP_S
    end = dt.datetime.fromtimestamp(end_s, dt.UTC)
    return TimeRange(end - dt.timedelta(seconds=span), end, label, code)


def picker(key: str, default: str = "1h", *, container=None) -> TimeRange:
    """Draw the picker (a select box; date and time inputs for an absolute range)."""
    box = container or st
    options = [*RELATIVE, ABSOLUTE]
    choice = box.selectbox(
        "Time range",
        options,
        index=options.index(default) if default in options else options.index("1h"),
        format_func=lambda c: RELATIVE[c][0] if c in RELATIVE else "Absolute (UTC)…",
        key=f"{key}.range",
    )
    if choice != ABSOLUTE:
        return relative(choice)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cols = box.columns(2)
    start_d = cols[0].date_input("From (UTC)", now.date(), key=f"{key}.start_date")
    start_t = cols[0].time_input("From time", (now - dt.timedelta(hours=1)).time(), key=f"{key}.start_time", step=60)
    end_d = cols[1].date_input("To (UTC)", now.date(), key=f"{key}.end_date")
    end_t = cols[1].time_input("To time", now.time(), key=f"{key}.end_time", step=60)
    start = dt.datetime.combine(start_d, start_t, dt.UTC)
    end = dt.datetime.combine(end_d, end_t, dt.UTC)
    if end <= start:
        box.warning("The end of the range is before its start; showing the hour before the end instead.")
        start = end - dt.timedelta(hours=1)
    return TimeRange(start, end, f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC")
