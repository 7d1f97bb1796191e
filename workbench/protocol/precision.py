"""Write precisions: the names each endpoint accepts and their size in nanoseconds.

``/api/v3/write_lp`` defaults to ``auto`` (magnitude detection per line); the v1 and v2 write
endpoints default to nanoseconds and accept the v1 short forms, including ``m`` and ``h`` on
``/write``.
"""

from __future__ import annotations

import enum


class Precision(enum.Enum):
    AUTO = "auto"
    SECOND = "second"
    MILLISECOND = "millisecond"
    MICROSECOND = "microsecond"
    NANOSECOND = "nanosecond"
    MINUTE = "minute"  # v1 /write only
    HOUR = "hour"  # v1 /write only

    @property
    def nanos(self) -> int:
        """Nanoseconds per unit (``AUTO`` has no fixed unit and raises)."""
        if self is Precision.AUTO:
            raise ValueError("auto precision has no fixed unit")
        return _NANOS[self]

    @property
    def short(self) -> str:
        """The short form sent on the wire by the v1/v2 clients (``ns``, ``ms`` ...)."""
        return _SHORT[self]

    @classmethod
    def parse(cls, text: str, *, allow_auto: bool = True, allow_v1_units: bool = False) -> Precision:
        """Parse a precision name or alias.

        >>> Precision.parse("ms")
        <Precision.MILLISECOND: 'millisecond'>
        >>> Precision.parse("u").short
        'us'
        """
        key = text.strip()
        found = _ALIASES.get(key)
        if found is None or (found is Precision.AUTO and not allow_auto):
            raise ValueError(f"invalid precision: {text!r}")
        if found in (Precision.MINUTE, Precision.HOUR) and not allow_v1_units:
            raise ValueError(f"invalid precision: {text!r}")
        return found


_NANOS = {
    Precision.SECOND: 1_000_000_000,
    Precision.MILLISECOND: 1_000_000,
    Precision.MICROSECOND: 1_000,
    Precision.NANOSECOND: 1,
    Precision.MINUTE: 60_000_000_000,
    Precision.HOUR: 3_600_000_000_000,
}
_SHORT = {
    Precision.AUTO: "auto",
    Precision.SECOND: "s",
    Precision.MILLISECOND: "ms",
    Precision.MICROSECOND: "us",
    Precision.NANOSECOND: "ns",
    Precision.MINUTE: "m",
    Precision.HOUR: "h",
}
_ALIASES = {
    "auto": Precision.AUTO,
    "second": Precision.SECOND,
    "s": Precision.SECOND,
    "millisecond": Precision.MILLISECOND,
    "ms": Precision.MILLISECOND,
    "microsecond": Precision.MICROSECOND,
    "us": Precision.MICROSECOND,
    "u": Precision.MICROSECOND,
    "µ": Precision.MICROSECOND,
    "nanosecond": Precision.NANOSECOND,
    "ns": Precision.NANOSECOND,
    "n": Precision.NANOSECOND,
    "m": Precision.MINUTE,
    "h": Precision.HOUR,
}

# Auto precision: the magnitude thresholds InfluxDB 3 uses to guess the unit of a timestamp.
AUTO_SECONDS_BELOW = 5_000_000_000
AUTO_MILLIS_BELOW = 5_000_000_000_000
AUTO_MICROS_BELOW = 5_000_000_000_000_000


def auto_unit_nanos(value: int) -> int:
    """Nanoseconds per unit that auto precision picks for ``value``.

    >>> auto_unit_nanos(1_700_000_000), auto_unit_nanos(1_700_000_000_000_000_000)
    (1000000000, 1)
    """
    v = abs(value)
    if v < AUTO_SECONDS_BELOW:
        return 1_000_000_000
    if v < AUTO_MILLIS_BELOW:
        return 1_000_000
    if v < AUTO_MICROS_BELOW:
        return 1_000
    return 1
