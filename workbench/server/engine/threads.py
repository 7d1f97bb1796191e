"""Running plugin calls off the event loop, each bounded by ``--plugin-timeout``.

Every call runs on its own daemon thread; the event loop only awaits its result. A call that
outlives the timeout, or whose trigger is stopped meanwhile, is given up on:

1. the caller stops waiting and gets ``PluginTimeout`` (with the stack the plugin was stuck at),
   so the WAL listener, the trigger's queue and other triggers carry on; ``call`` turns it into
   the failed ``CallOutcome`` that triggers and dry runs report;
2. the call's ``influxdb3_local`` is closed (every further call on it raises) and its buffered
   writes are never applied;
3. ``PluginCancelled`` is raised inside the thread (``PyThreadState_SetAsyncExc``), repeatedly
   for a while, which stops any plugin running Python code (``while True: pass``, slow loops).

A thread blocked inside C code (a ``time.sleep(10**9)``, a socket without timeout) cannot be
stopped by any means short of ending the process; it is left to finish in the background, its
result discarded, and reported in ``system.processing_engine_logs``. Plugins run in the server's
process (as in InfluxDB 3) so that the cache can hold any Python object by reference.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar

import workbench
from workbench.plugins.runtime import CallContext, CallOutcome, PluginCancelled, PluginFailure
from workbench.protocol.durations import format_duration

log = logging.getLogger(__name__)
T = TypeVar("T")

CANCEL_ATTEMPTS = 20
CANCEL_INTERVAL_SECONDS = 0.25


class PluginTimeout(Exception):
    """The call ran past ``--plugin-timeout``; ``stack`` is where it was when given up on."""

    def __init__(self, timeout_ns: int, stack: str):
        super().__init__(f"plugin call timed out after {format_duration(timeout_ns)} (--plugin-timeout)")
        self.stack = stack


_HOST_FILES = (threading.__file__, str(Path(workbench.__file__).resolve().parent))


def plugin_stack(frame: FrameType | None) -> str:
    """Where a thread is, from the plugin's first frame on (the host's frames above it dropped)."""
    if frame is None:
        return ""
    frames = traceback.extract_stack(frame)
    for i, summary in enumerate(frames):
        if not summary.filename.startswith(_HOST_FILES):
            frames = frames[i:]
            break
    return "".join(traceback.format_list(frames)).rstrip("\n")


def _raise_in(thread: threading.Thread) -> None:
    if thread.ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(PluginCancelled))


class PluginThreads:
    """Starts call threads, enforces the timeout and keeps track of calls that could not be stopped."""

    def __init__(self, timeout_ns: int, report: Callable[[str, str, str], None]):
        self.timeout_ns = timeout_ns  # 0: no limit
        self._report = report  # (trigger name, level, text) -> system.processing_engine_logs
        self._reapers: set[asyncio.Task] = set()

    async def call(self, fn: Callable[[CallContext], CallOutcome], ctx: CallContext, name: str) -> CallOutcome:
        """``fn(ctx)`` on a plugin thread; a call that runs past the timeout is a failed outcome.

        The failure's message is the ``PluginTimeout`` text and its traceback the stack the plugin
        was stopped at (none when the thread's stack could not be read).
        """
        try:
            return await self.run(lambda: fn(ctx), ctx, name)
        except PluginTimeout as exc:
            where = f"the plugin was stopped at:\n{exc.stack}" if exc.stack else None
            return CallOutcome(failure=PluginFailure(str(exc), where))

    async def run(self, fn: Callable[[], T], ctx: CallContext, name: str) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def deliver(ok: bool, value) -> None:
            if not future.done():
                future.set_result(value) if ok else future.set_exception(value)

        def target() -> None:
            try:
                result = fn()
            except BaseException as exc:  # never let a plugin thread die with an unreported error
                outcome = (False, exc)
            else:
                outcome = (True, result)
            try:
                loop.call_soon_threadsafe(deliver, *outcome)
            except RuntimeError:  # the loop is closed: the server stopped while the plugin ran
                pass

        thread = threading.Thread(target=target, name=f"plugin:{name}", daemon=True)
        thread.start()
        try:
            if not self.timeout_ns:
                return await asyncio.shield(future)
            return await asyncio.wait_for(asyncio.shield(future), self.timeout_ns / 1e9)
        except TimeoutError:
            stack = plugin_stack(sys._current_frames().get(thread.ident or -1))
            self._abandon(thread, ctx, name)
            raise PluginTimeout(self.timeout_ns, stack) from None
        except asyncio.CancelledError:  # the trigger was stopped (disabled, deleted, server shutdown)
            if not future.done():
                self._abandon(thread, ctx, name)
            raise

    def _abandon(self, thread: threading.Thread, ctx: CallContext, name: str) -> None:
        """Stop waiting for a call: close its ``influxdb3_local``, stop its thread, watch it end."""
        ctx.cancel()
        _raise_in(thread)
        reaper = asyncio.get_running_loop().create_task(self._reap(thread, name))
        self._reapers.add(reaper)
        reaper.add_done_callback(self._reapers.discard)

    async def _reap(self, thread: threading.Thread, name: str) -> None:
        for _ in range(CANCEL_ATTEMPTS):
            await asyncio.sleep(CANCEL_INTERVAL_SECONDS)
            if not thread.is_alive():
                self._report(name, "INFO", "the abandoned plugin call has stopped")
                return
            _raise_in(thread)
        self._report(
            name,
            "WARN",
            "the abandoned plugin call could not be stopped (it is blocked outside Python code); "
            "it keeps running in the background and its results will be discarded",
        )
        log.warning("plugin thread %s could not be stopped", thread.name)

    async def stop(self) -> None:
        for task in list(self._reapers):
            task.cancel()
