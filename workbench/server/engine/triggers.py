"""One running trigger: its queue of events, its calls, and what happens when a call fails.

Events arrive from the engine (a WAL flush for this trigger's database, an HTTP request) or from
the trigger's own schedule task. With ``run_async`` off they are handled strictly one after
another (a bounded queue; an event that does not fit is dropped and reported, never blocking the
WAL); with ``run_async`` on each is handled at once, up to ``ASYNC_CALL_LIMIT`` at a time.

A call runs on a plugin thread (``threads.py``); a successful call's buffered writes are then
applied (``host.write_back``). A failed call follows ``error_behavior``:

* ``log``: the error and the plugin's traceback go to ``system.processing_engine_logs``;
* ``retry``: up to ``RETRY_LIMIT`` more attempts with exponential backoff, then as ``log``
  (InfluxDB 3 retries forever, without pause, and logs nothing);
* ``disable``: logged, then the trigger is disabled in the catalog, so it stays disabled after a
  restart until enabled again (InfluxDB 3 only stops it until the next restart).

Request triggers always answer: the plugin's response, or a 500 ``{"error": ...}``.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.plugins.runtime import (
    CallContext,
    CallOutcome,
    HttpResponse,
    PluginCache,
    PluginFailure,
    PluginSource,
    run_process_request,
    run_process_scheduled_call,
    run_process_writes,
    trigger_namespace,
)
from workbench.plugins.runtime.dryrun import error_response
from workbench.server.catalog.model import TriggerDef
from workbench.server.engine.host import table_batches, write_back
from workbench.server.engine.scheduler import schedule_for, sleep_until
from workbench.server.engine.spec import SCHEDULE, TriggerSpec
from workbench.server.wal.format import WriteOp

if TYPE_CHECKING:
    from workbench.server.engine.manager import ProcessingEngine

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000
ASYNC_CALL_LIMIT = 32
RETRY_LIMIT = 5
RETRY_BASE_SECONDS = 0.1
TRACE = os.environ.get("WORKBENCH_TRACE_PLUGINS") == "1"


@dataclass
class WalEvent:
    ops: list[WriteOp]
    sequence: int


@dataclass
class ScheduleEvent:
    fire_ns: int


@dataclass
class RequestEvent:
    query_parameters: dict[str, str]
    headers: dict[str, str]
    body: bytes
    response: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


Event = WalEvent | ScheduleEvent | RequestEvent


class TriggerRunner:
    def __init__(
        self, engine: ProcessingEngine, db_id: int, trigger: TriggerDef, spec: TriggerSpec, source: PluginSource
    ):
        self.engine = engine
        self.db_id = db_id
        self.trigger = trigger
        self.spec = spec
        self.source = source
        self.name = trigger.name
        self._queue: asyncio.Queue[Event] | None = None
        self._tasks: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(ASYNC_CALL_LIMIT)
        self.stopped = False

    # ------------------------------------------------------------------ lifecycle

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def start(self) -> None:
        if not self.trigger.run_async and self.spec.plugin_type != SCHEDULE:
            self._queue = asyncio.Queue(QUEUE_LIMIT)
            self._spawn(self._consume())
        if self.spec.plugin_type == SCHEDULE:
            self._spawn(self._schedule())

    async def stop(self) -> None:
        self.stopped = True
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._queue is not None:
            while not self._queue.empty():
                self._answer(self._queue.get_nowait(), f"trigger {self.name} was stopped")
        self.engine.cache.drop(lambda ns: ns == trigger_namespace(self.db_id, self.name))

    # ------------------------------------------------------------------ events

    def submit(self, event: Event) -> bool:
        """Queue (or start) the handling of ``event``; False if the trigger cannot take it."""
        if self.stopped:
            return False
        if self._queue is None:
            self._spawn(self._bounded(event))
            return True
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            what = f"WAL flush {event.sequence}" if isinstance(event, WalEvent) else "a request"
            self.log("ERROR", f"dropped {what}: {QUEUE_LIMIT} events are already waiting for this trigger")
            return False
        return True

    @staticmethod
    def _answer(event: Event, message: str) -> None:
        """Make sure a request gets an answer, even when its handling was cut short."""
        if isinstance(event, RequestEvent) and not event.response.done():
            event.response.set_result(error_response(message))

    async def _bounded(self, event: Event) -> None:
        try:
            async with self._slots:
                await self._handle(event)
        finally:
            self._answer(event, f"trigger {self.name} was stopped")

    async def _consume(self) -> None:
        assert self._queue is not None
        while True:
            event = await self._queue.get()
            try:
                if not self.stopped:
                    await self._handle(event)
            finally:
                self._answer(event, f"trigger {self.name} was stopped")

    async def _schedule(self) -> None:
        clock = self.engine.clock
        schedule = schedule_for(self.spec)
        fire = schedule.first(clock.now_ns())
        while fire is not None and not self.stopped:
            await sleep_until(clock, fire)
            if self.trigger.run_async:
                self._spawn(self._bounded(ScheduleEvent(fire)))
            else:
                await self._handle(ScheduleEvent(fire))
            fire = schedule.after(fire)

    async def _handle(self, event: Event) -> None:
        try:
            if isinstance(event, RequestEvent):
                await self._handle_request(event)
            elif isinstance(event, ScheduleEvent):
                await self._with_policy("schedule plugin", self._schedule_call(event.fire_ns))
            else:
                await self._with_policy("wal plugin", self._wal_call(event.ops))
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in the engine: keep the trigger alive, say what happened
            log.exception("trigger %s failed to handle an event", self.name)
            self.log("ERROR", "internal error while running the trigger; see the server log")
            self._answer(event, "internal error while running the trigger; see the server log")

    # ------------------------------------------------------------------ calls

    def log(self, level: str, text: str) -> None:
        self.engine.logs.record(self.name, level, text)

    def _args(self) -> dict[str, str] | None:
        return None if self.trigger.arguments is None else dict(self.trigger.arguments)

    def _wal_call(self, ops: list[WriteOp]) -> Callable[[CallContext], CallOutcome]:
        catalog, table, args = self.engine.catalog, self.spec.table, self._args()
        return lambda ctx: run_process_writes(self.source, ctx, table_batches(ops, catalog, table), args)

    def _schedule_call(self, fire_ns: int) -> Callable[[CallContext], CallOutcome]:
        args = self._args()
        return lambda ctx: run_process_scheduled_call(self.source, ctx, fire_ns, args)

    async def _attempt(self, call: Callable[[CallContext], CallOutcome]) -> tuple[CallContext, CallOutcome]:
        engine = self.engine
        cache = PluginCache(engine.cache, trigger_namespace(self.db_id, self.name))
        ctx = CallContext(self.trigger.database, engine.host, engine.logs.sink(self.name), cache)
        if TRACE:
            log.info(
                "trigger %s (%s): calling %s with args %r",
                self.name,
                self.spec.string_rep(),
                self.source.path,
                self.trigger.arguments,
            )
        try:
            outcome = await engine.threads.call(call, ctx, self.name)
        except Exception as exc:
            outcome = CallOutcome(failure=PluginFailure.from_exception(exc))
        return ctx, outcome

    async def _with_policy(self, context: str, call: Callable[[CallContext], CallOutcome]) -> None:
        attempt = 1
        while True:
            ctx, outcome = await self._attempt(call)
            failure = outcome.failure
            if failure is None:
                for error in await write_back(self.engine.writer, ctx.writes):
                    self.log("ERROR", f"error running {context}: {error}")
                return
            behavior = self.trigger.error_behavior
            if behavior == "retry" and attempt <= RETRY_LIMIT:
                delay = RETRY_BASE_SECONDS * 2 ** (attempt - 1)
                self.log(
                    "WARN",
                    f"error executing {context}: {failure.message}; retrying in {delay:g}s "
                    f"(retry {attempt} of {RETRY_LIMIT})",
                )
                await asyncio.sleep(delay)
                attempt += 1
                continue
            gave_up = f" (gave up after {attempt} attempts)" if behavior == "retry" else ""
            self.log("ERROR", f"error executing {context}: {failure.message}{gave_up}" + _traceback(failure))
            if context == "schedule plugin":
                kind = "async scheduled" if self.trigger.run_async else "scheduled"
                self.log("ERROR", f"error running {kind} plugin: {failure.message}")
            if behavior == "disable":
                self.log("ERROR", f"trigger {self.name} disabled after an error (error_behavior: disable)")
                self.engine.disable_after_error(self)
            return

    async def _handle_request(self, event: RequestEvent) -> None:
        args = self._args()

        def call(ctx: CallContext) -> CallOutcome:
            return run_process_request(self.source, ctx, event.query_parameters, event.headers, event.body, args)

        ctx, outcome = await self._attempt(call)
        response: HttpResponse
        if outcome.failure is None:
            assert outcome.response is not None  # a successful request call always has one
            for error in await write_back(self.engine.writer, ctx.writes):
                self.log("ERROR", f"error running request plugin: {error}")
            response = outcome.response
        else:
            failure = outcome.failure
            self.log("ERROR", f"error running request plugin: {failure.message}" + _traceback(failure))
            response = error_response(failure.message)
        if not event.response.done():
            event.response.set_result(response)


def _traceback(failure: PluginFailure) -> str:
    return f"\n{failure.traceback}" if failure.traceback else ""
