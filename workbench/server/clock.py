"""Time as the server sees it: ``SystemClock`` in production, ``ManualClock`` in tests.

Retention, cache TTLs, schedules, gen1 chunking and ``now()`` read time through a ``Clock`` so
tests can control it.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int: ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, now_ns: int = 0):
        self._now = now_ns
        self._lock = threading.Lock()

    def now_ns(self) -> int:
        with self._lock:
            return self._now

    def set(self, now_ns: int) -> None:
        with self._lock:
            self._now = now_ns

    def advance(self, ns: int) -> None:
        with self._lock:
            self._now += ns
