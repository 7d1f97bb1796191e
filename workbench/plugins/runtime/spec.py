"""Trigger specifications and when schedules fire: InfluxDB 3's grammar and timing, without a server.

``table:<name>`` and ``all_tables`` run ``process_writes`` on WAL flushes; ``cron:<expr>`` (six or
seven fields, seconds first, see ``cron.py``) and ``every:<duration>`` (humantime: ``30s``,
``5m``, ``1h 30m``, ``1d``, ``1w``, ``1M``, ``1y``; at most one year) run
``process_scheduled_call``; ``request:<path>`` serves ``/api/v3/engine/<path>`` with
``process_request``. Parse errors are ``SpecError`` reading ``failed to parse trigger from
<spec>[: <context>]`` (the server turns them into its 500).

Schedules: ``cron:`` fires at the first matching second strictly after the trigger starts, then
at each following match (UTC). ``every:<d>`` first fires at the next multiple of ``d`` since the
Unix epoch (millisecond arithmetic, as InfluxDB 3), then every ``d`` after the previous firing.
The server steps these on its clock (``workbench.server.engine.scheduler``); the offline bench
steps them over a simulated time range.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from workbench.plugins.runtime.cron import CronError, CronExpr
from workbench.protocol.durations import MS, SECOND, YEAR, DurationError, format_duration, parse_duration

WAL_ROWS = "WalRows"
SCHEDULE = "Schedule"
REQUEST = "Request"

EXPECTED_FORMS = (
    "expect one of the following forms: 'table:<TABLE_NAME>', 'all_tables', 'cron:<CRON_EXPRESSION>', "
    "'every:<DURATION>', or 'request:<PATH>'"
)


class SpecError(ValueError):
    """A trigger specification InfluxDB 3 would refuse (the message is its text)."""

    def __init__(self, spec: str, context: str | None = None):
        self.message = f"failed to parse trigger from {spec}" + (f": {context}" if context else "")
        super().__init__(self.message)


@dataclass(frozen=True)
class TriggerSpec:
    kind: str  # table | all_tables | cron | every | request
    value: str = ""  # table name, cron expression or request path
    every_ns: int = 0

    @property
    def plugin_type(self) -> str:
        if self.kind in ("table", "all_tables"):
            return WAL_ROWS
        return SCHEDULE if self.kind in ("cron", "every") else REQUEST

    @property
    def table(self) -> str | None:
        """The table a ``table:`` trigger watches (None: every table)."""
        return self.value if self.kind == "table" else None

    def cron(self) -> CronExpr:
        return CronExpr(self.value)

    def string_rep(self) -> str:
        """The canonical form stored in the catalog (``every:`` durations as humantime prints them)."""
        if self.kind == "all_tables":
            return "all_tables"
        if self.kind == "every":
            return f"every:{format_duration(self.every_ns)}"
        return f"{self.kind}:{self.value}"

    def system_json(self) -> str:
        """``trigger_specification`` in ``system.processing_engine_triggers`` (serde's JSON)."""
        if self.kind == "all_tables":
            return json.dumps("all_tables_wal_write")
        if self.kind == "table":
            doc: dict = {"single_table_wal_write": {"table_name": self.value}}
        elif self.kind == "cron":
            doc = {"schedule": {"schedule": self.value}}
        elif self.kind == "request":
            doc = {"request_path": {"path": self.value}}
        else:
            secs, nanos = divmod(self.every_ns, SECOND)
            doc = {"every": {"duration": {"secs": secs, "nanos": nanos}}}
        return json.dumps(doc, separators=(",", ":"))


def parse_trigger_spec(text: str) -> TriggerSpec:
    spec = text.strip()
    if spec.startswith("table:"):
        table = spec[len("table:") :].strip()
        if not table:
            raise SpecError(spec, "table name is empty")
        return TriggerSpec("table", table)
    if spec == "all_tables":
        return TriggerSpec("all_tables")
    if spec.startswith("cron:"):
        expr = spec[len("cron:") :].strip()
        try:
            CronExpr(expr)
        except CronError:
            raise SpecError(spec) from None
        return TriggerSpec("cron", expr)
    if spec.startswith("every:"):
        try:
            ns = parse_duration(spec[len("every:") :])
        except DurationError:
            raise SpecError(spec, "couldn't parse to duration") from None
        if ns > YEAR:
            raise SpecError(spec, "don't support every schedules of over 1 year")
        if ns < MS:
            raise SpecError(spec, "every schedules must be at least 1ms")
        return TriggerSpec("every", every_ns=ns)
    if spec.startswith("request:"):
        path = spec[len("request:") :].strip()
        if not path:
            raise SpecError(spec)
        return TriggerSpec("request", path)
    raise SpecError(spec, EXPECTED_FORMS)


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


def firings(schedule: Schedule, start_ns: int, until_ns: int) -> Iterator[int]:
    """The firings of a trigger started at ``start_ns``, up to and including ``until_ns``.

    >>> [t // 10**9 for t in firings(EverySchedule(5 * SECOND), 0, 12 * SECOND)]
    [5, 10]
    """
    fire = schedule.first(start_ns)
    while fire is not None and fire <= until_ns:
        yield fire
        fire = schedule.after(fire)


def next_fire(schedule: str, now_ns: int) -> int | None:
    """The first firing after ``now_ns`` of a cron expression (or, our extension, a ``cron:``/``every:`` spec).

    Raises ``CronError`` for a bad expression and ``SpecError`` for a bad ``every:`` spec.
    """
    text = schedule.strip()
    if text.startswith("every:"):
        return EverySchedule(parse_trigger_spec(text).every_ns).first(now_ns)
    return CronExpr(text.removeprefix("cron:").strip()).next_after(now_ns)
