"""When schedule triggers fire, on the server's clock.

When a ``cron:`` or ``every:`` trigger fires is defined once, in ``workbench.plugins.runtime.spec``
(``schedule_for``, shared with the offline bench); late firings are not skipped, so a trigger that
fell behind catches up. ``sleep_until`` waits for a time on the ``Clock`` — polling, so a test's
``FakeClock`` moves schedules forward too.
"""

from __future__ import annotations

import asyncio

from workbench.plugins.runtime.spec import CronSchedule, EverySchedule, Schedule, schedule_for
from workbench.server.clock import Clock

__all__ = ["CronSchedule", "EverySchedule", "Schedule", "schedule_for", "sleep_until"]

POLL_SECONDS = 0.05


async def sleep_until(clock: Clock, when_ns: int) -> None:
    while True:
        remaining = when_ns - clock.now_ns()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining / 1e9, POLL_SECONDS))
