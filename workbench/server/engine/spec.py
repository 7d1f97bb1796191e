"""Trigger specifications on the server: the shared grammar, with the server's error type.

The grammar, canonical strings and system-table form live in ``workbench.plugins.runtime.spec``
(shared with the offline plugin bench); here a parse error becomes ``TriggerSpecError``, an
``InternalError`` (a 500, as in InfluxDB 3).
"""

from __future__ import annotations

from workbench.plugins.runtime.spec import REQUEST, SCHEDULE, WAL_ROWS, SpecError, TriggerSpec
from workbench.plugins.runtime.spec import parse_trigger_spec as _parse
from workbench.server.errors import InternalError

__all__ = ["REQUEST", "SCHEDULE", "WAL_ROWS", "TriggerSpec", "TriggerSpecError", "parse_trigger_spec"]


class TriggerSpecError(InternalError):
    """A trigger specification InfluxDB 3 would refuse (a 500)."""


def parse_trigger_spec(text: str) -> TriggerSpec:
    try:
        return _parse(text)
    except SpecError as exc:
        raise TriggerSpecError(exc.message) from None
