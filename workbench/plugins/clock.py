"""The bench's fake clock and the time texts its inputs use.

A run reads time only from its ``FakeClock``: the cache's TTLs, the default timestamp of lines
without one, ``now()`` in the plugin's SQL and the ``call_time`` of schedule calls. Schedule
simulations set the clock to each firing before the call, so a stateful plugin sees time pass.
``parse_time`` reads the ``--at``/``--from``/``--until``/``--now`` values: RFC 3339 / ISO 8601
(naive means UTC) or integer nanoseconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from workbench.protocol.durations import SECOND
from workbench.protocol.timestamps import rfc3339


class FakeClock:
    """A clock that moves only when told to (``set``, ``advance``); thread-safe."""

    def __init__(self, now_ns: int | None = None):
        self._now = (time.time_ns() // SECOND) * SECOND if now_ns is None else int(now_ns)
        self._lock = threading.Lock()

    def now_ns(self) -> int:
        with self._lock:
            return self._now

    def set(self, now_ns: int) -> None:
        with self._lock:
            self._now = int(now_ns)

    def advance(self, ns: int) -> None:
        with self._lock:
            self._now += int(ns)

    def __repr__(self) -> str:
        return f"FakeClock({rfc3339(self.now_ns())})"


def parse_time(text: str | int | dt.datetime) -> int:
    """Nanoseconds since the epoch from ISO 8601 text (naive = UTC), a ``datetime`` or an integer.

    >>> parse_time("2026-01-01T00:00:00Z")
    1767225600000000000
    >>> parse_time("2026-01-01 00:00:30")
    1767225630000000000
    >>> parse_time("1767225600000000000")
    1767225600000000000
    """
    if isinstance(text, int):
        return text
    if isinstance(text, str):
        stripped = text.strip()
        if stripped.lstrip("-").isdigit():
            return int(stripped)
        try:
            when = dt.datetime.fromisoformat(stripped.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"not a time: {text!r} (expected ISO 8601, e.g. 2026-01-01T00:00:00Z)") from None
    else:
        when = text
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    delta = when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds * 1_000
