"""Trigger specifications: InfluxDB 3's grammar, canonical strings and system-table form.

``table:<name>`` and ``all_tables`` run ``process_writes`` on WAL flushes; ``cron:<expr>`` (six or
seven fields, seconds first, see ``cron.py``) and ``every:<duration>`` (humantime: ``30s``,
``5m``, ``1h 30m``, ``1d``, ``1w``, ``1M``, ``1y``; at most one year) run
``process_scheduled_call``; ``request:<path>`` serves ``/api/v3/engine/<path>`` with
``process_request``. Parse errors read ``failed to parse trigger from <spec>[: <context>]``
(a 500, as in InfluxDB 3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from workbench.protocol.durations import MS, SECOND, YEAR, DurationError, format_duration, parse_duration
from workbench.server.engine.cron import CronError, CronExpr
from workbench.server.errors import InternalError

WAL_ROWS = "WalRows"
SCHEDULE = "Schedule"
REQUEST = "Request"

EXPECTED_FORMS = (
    "expect one of the following forms: 'table:<TABLE_NAME>', 'all_tables', 'cron:<CRON_EXPRESSION>', "
    "'every:<DURATION>', or 'request:<PATH>'"
)


class TriggerSpecError(InternalError):
    def __init__(self, spec: str, context: str | None = None):
        super().__init__(f"failed to parse trigger from {spec}" + (f": {context}" if context else ""))


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
            raise TriggerSpecError(spec, "table name is empty")
        return TriggerSpec("table", table)
    if spec == "all_tables":
        return TriggerSpec("all_tables")
    if spec.startswith("cron:"):
        expr = spec[len("cron:") :].strip()
        try:
            CronExpr(expr)
        except CronError:
            raise TriggerSpecError(spec) from None
        return TriggerSpec("cron", expr)
    if spec.startswith("every:"):
        try:
            ns = parse_duration(spec[len("every:") :])
        except DurationError:
            raise TriggerSpecError(spec, "couldn't parse to duration") from None
        if ns > YEAR:
            raise TriggerSpecError(spec, "don't support every schedules of over 1 year")
        if ns < MS:
            raise TriggerSpecError(spec, "every schedules must be at least 1ms")
        return TriggerSpec("every", every_ns=ns)
    if spec.startswith("request:"):
        path = spec[len("request:") :].strip()
        if not path:
            raise TriggerSpecError(spec)
        return TriggerSpec("request", path)
    raise TriggerSpecError(spec, EXPECTED_FORMS)
