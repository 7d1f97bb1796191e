"""Plugin calls on worker threads: a call past ``--plugin-timeout`` comes back as a failed outcome."""

from __future__ import annotations

import asyncio
import time

from workbench.plugins.runtime import CacheStore, CallContext, CallOutcome, PluginCache
from workbench.server.engine import threads
from workbench.server.engine.threads import PluginThreads

TIMEOUT_NS = 100_000_000


def _ctx() -> CallContext:
    return CallContext("db", None, lambda level, text: None, PluginCache(CacheStore(time.time_ns), "t"))


def _stuck(ctx: CallContext) -> CallOutcome:
    while True:
        time.sleep(0.005)


def _call(fn) -> CallOutcome:
    async def main() -> CallOutcome:
        pool = PluginThreads(TIMEOUT_NS, lambda name, level, text: None)
        try:
            return await pool.call(fn, _ctx(), "t")
        finally:
            await pool.stop()

    return asyncio.run(main())


def test_a_call_that_returns_gives_its_own_outcome():
    outcome = CallOutcome(elapsed_ns=7)
    assert _call(lambda ctx: outcome) is outcome


def test_a_call_past_the_timeout_is_a_failure_with_the_stack_it_was_stopped_at():
    failure = _call(_stuck).failure
    assert failure is not None and failure.message == "plugin call timed out after 100ms (--plugin-timeout)"
    assert failure.traceback.startswith("the plugin was stopped at:\n")
    assert "in _stuck" in failure.traceback


def test_a_timeout_without_a_stack_has_no_traceback(monkeypatch):
    monkeypatch.setattr(threads, "plugin_stack", lambda frame: "")
    failure = _call(_stuck).failure
    assert failure is not None and failure.message.startswith("plugin call timed out")
    assert failure.traceback is None
