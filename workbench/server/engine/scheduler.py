"""When schedule triggers fire, on the server's clock.

``cron:`` fires at the first matching second strictly after the trigger starts, then at each
following match (UTC). ``every:<d>`` first fires at the next multiple of ``d`` since the Unix
epoch (millisecond arithmetic, as InfluxDB 3), then every ``d`` after the previous firing; late
firings are not skipped, so a trigger that fell behind catches up. ``sleep_until`` waits for a
time on the ``Clock`` — polling, so a test's ``ManualClock`` moves schedules forward too.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from workbench.protocol.durations import MS
from workbench.server.clock import Clock
from workbench.server.engine.cron import CronExpr
from workbench.server.engine.spec import TriggerSpec

POLL_SECONDS = 0.05


class Schedule(Protocol):
    def first(self, now_ns: int) -> int | None:
        """The first firing of a trigger started at ``now_ns``."""

    def after(self, fired_ns: int) -> int | None:
        """The firing after the one at ``fired_ns`` (None: the schedule is over)."""


class CronSchedule:
    def __init__(self, expr: CronExpr):
        self.expr = expr

    def first(self, now_ns: int) -> int | None:
        return self.expr.next_after(now_ns)

    def after(self, fired_ns: int) -> int | None:
        return self.expr.next_after(fired_ns)


class EverySchedule:
    def __init__(self, every_ns: int):
        self.every_ns = every_ns

    def first(self, now_ns: int) -> int | None:
        step_ms = self.every_ns // MS
        return (now_ns // MS // step_ms + 1) * step_ms * MS

    def after(self, fired_ns: int) -> int | None:
        return fired_ns + self.every_ns


def schedule_for(spec: TriggerSpec) -> Schedule:
    return CronSchedule(spec.cron()) if spec.kind == "cron" else EverySchedule(spec.every_ns)


async def sleep_until(clock: Clock, when_ns: int) -> None:
    while True:
        remaining = when_ns - clock.now_ns()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining / 1e9, POLL_SECONDS))
