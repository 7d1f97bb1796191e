"""Time as the server sees it: ``SystemClock`` in production; tests pass ``workbench.plugins.clock.FakeClock``.

Retention, cache TTLs, schedules, gen1 chunking and ``now()`` read time through a ``Clock`` so
tests can control it.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int: ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()
