"""Calling a plugin's entry points with InfluxDB 3's exact signatures, framing and error texts.

Each ``run_*`` function makes one call on the calling thread and never raises: it logs InfluxDB's
``starting execution ...`` line, loads the entry point from the ``PluginSource``, calls it
positionally, logs ``finished execution in <duration>`` on success, and returns a
``CallOutcome`` holding either the failure (message and traceback) or, for request plugins,
the ``HttpResponse``. Buffered writes stay in the ``CallContext`` for the host to apply.

* ``process_writes(influxdb3_local, table_batches, args)``
* ``process_scheduled_call(influxdb3_local, call_time, args)`` — ``call_time`` is a naive
  ``datetime`` in the local time zone, whole seconds, as InfluxDB 3 builds it.
* ``process_request(influxdb3_local, query_parameters, request_headers, request_body, args)`` —
  ``request_headers`` as ``request_headers()`` shapes them for every host.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from workbench.plugins.runtime.api import CallContext, InfluxDB3Local
from workbench.plugins.runtime.errors import (
    PROCESS_REQUEST,
    PROCESS_SCHEDULED_CALL,
    PROCESS_WRITES,
    PluginFailure,
)
from workbench.plugins.runtime.loader import PluginSource, install_builtins
from workbench.plugins.runtime.response import HttpResponse, ResponseError, to_http_response
from workbench.protocol.durations import format_duration

REQUEST_CALL_FAILED = "Python function call failed: "
FINISHED = "finished execution in "
FINISHED_DURATION = re.compile(f"({FINISHED}).*$")  # the duration in that log line, masked to compare runs


@dataclass
class CallOutcome:
    """How one call ended: ``failure`` is None on success; ``response`` for request plugins."""

    failure: PluginFailure | None = None
    response: HttpResponse | None = None
    elapsed_ns: int = 0

    @property
    def ok(self) -> bool:
        return self.failure is None


def schedule_time_text(scheduled_ns: int) -> str:
    """A schedule time as InfluxDB 3 logs it (chrono's UTC ``Display``).

    >>> schedule_time_text(1_750_165_355 * 10**9)
    '2025-06-17 13:02:35 UTC'
    >>> schedule_time_text(1_750_165_355_500_000_000)
    '2025-06-17 13:02:35.500 UTC'
    """
    seconds, nanos = divmod(scheduled_ns, 10**9)
    text = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if nanos:
        frac = f"{nanos:09d}"
        digits = 3 if frac[3:] == "000000" else 6 if frac[6:] == "000" else 9
        text += "." + frac[:digits]
    return text + " UTC"


def call_time_for(scheduled_ns: int) -> dt.datetime:
    """The ``call_time`` argument: naive local time, sub-second part dropped."""
    return dt.datetime.fromtimestamp(scheduled_ns // 10**9)


def _run(ctx: CallContext, start_line: str, call: Callable[[InfluxDB3Local], HttpResponse | None]) -> CallOutcome:
    install_builtins()
    ctx.log("INFO", start_line)
    t0 = time.perf_counter_ns()
    try:
        response = call(InfluxDB3Local(ctx))
    except BaseException as exc:  # a plugin failure of any kind (SystemExit too) is reported, never raised
        return CallOutcome(failure=_failure(exc), elapsed_ns=time.perf_counter_ns() - t0)
    elapsed = time.perf_counter_ns() - t0
    ctx.log("INFO", FINISHED + format_duration(elapsed))
    return CallOutcome(response=response, elapsed_ns=elapsed)


class _CallFailed(Exception):
    """Wraps an exception raised by the request entry point itself (InfluxDB prefixes those)."""


def _failure(exc: BaseException) -> PluginFailure:
    if isinstance(exc, _CallFailed):
        return PluginFailure.from_exception(exc.__cause__, REQUEST_CALL_FAILED)
    if isinstance(exc, ResponseError):
        return PluginFailure(str(exc))
    return PluginFailure.from_exception(exc)


def run_process_writes(
    source: PluginSource, ctx: CallContext, table_batches: list[dict], args: dict[str, str] | None
) -> CallOutcome:
    def call(local: InfluxDB3Local) -> None:
        source.entry(PROCESS_WRITES)(local, table_batches, args)

    return _run(ctx, "starting execution of wal plugin.", call)


def run_process_scheduled_call(
    source: PluginSource, ctx: CallContext, scheduled_ns: int, args: dict[str, str] | None
) -> CallOutcome:
    def call(local: InfluxDB3Local) -> None:
        source.entry(PROCESS_SCHEDULED_CALL)(local, call_time_for(scheduled_ns), args)

    return _run(ctx, f"starting execution with scheduled time {schedule_time_text(scheduled_ns)}", call)


def request_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as ``process_request`` receives them: lower-case names, the last value of a repeated
    name, no ``Authorization``.

    >>> request_headers([("X-One", "1"), ("x-one", "2"), ("Authorization", "Bearer t"), ("Accept", "*/*")])
    {'x-one': '2', 'accept': '*/*'}
    """
    headers: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        if name != "authorization":
            headers[name] = value
    return headers


def run_process_request(
    source: PluginSource,
    ctx: CallContext,
    query_parameters: dict[str, str],
    request_headers: dict[str, str],
    request_body: bytes,
    args: dict[str, str] | None,
) -> CallOutcome:
    def call(local: InfluxDB3Local) -> HttpResponse:
        fn = source.entry(PROCESS_REQUEST)
        try:
            result: Any = fn(local, query_parameters, request_headers, request_body, args)
        except BaseException as exc:
            raise _CallFailed() from exc
        return to_http_response(result)

    return _run(ctx, "starting execution of request plugin.", call)
