"""Cron expressions as InfluxDB 3 reads them (Rust ``cron`` crate 0.15, default configuration).

Six or seven fields, seconds first: ``sec min hour day-of-month month day-of-week [year]``, or one
of ``@yearly``, ``@monthly``, ``@weekly``, ``@daily``, ``@hourly``. Each field is ``*`` (``?`` in
the day fields), a number or name, a range ``a-b``, a step ``*/n``, ``a/n`` or ``a-b/n``, or a
comma-separated list of these. Days of the week count **1 = Sunday … 7 = Saturday** (names
``SUN``–``SAT``), as the crate does — InfluxDB's documentation shows 0–6, which the server
rejects. Day of month also takes ``L`` (last day); day of week takes ``L`` (Saturday), ``xL`` (the
last ``x`` of the month) and ``x#n`` (the ``n``-th ``x``). When both day fields are restricted a
day must match both. Times are UTC; five-field crontab lines are rejected. Shared by the server
(``workbench.server.engine``) and the offline plugin bench (``workbench.plugins``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH_NAMES = {name: i + 1 for i, name in enumerate(MONTHS)}
MONTH_NAMES.update({calendar.month_name[i].lower(): i for i in range(1, 13)})
DAY_NAMES = {
    "sun": 1,
    "sunday": 1,
    "mon": 2,
    "monday": 2,
    "tue": 3,
    "tues": 3,
    "tuesday": 3,
    "wed": 4,
    "wednesday": 4,
    "thu": 5,
    "thurs": 5,
    "thursday": 5,
    "fri": 6,
    "friday": 6,
    "sat": 7,
    "saturday": 7,
}
YEARS = (1970, 2100)


class CronError(ValueError):
    """An expression the cron crate would refuse."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


SECONDS = _Field("Seconds", 0, 59)
MINUTES = _Field("Minutes", 0, 59)
HOURS = _Field("Hours", 0, 23)
DAYS_OF_MONTH = _Field("Days of Month", 1, 31)
MONTHS_FIELD = _Field("Months", 1, 12, MONTH_NAMES)
DAYS_OF_WEEK = _Field("Days of Week", 1, 7, DAY_NAMES)
YEARS_FIELD = _Field("Years", *YEARS)


def _value(text: str, field: _Field) -> int:
    text = text.strip()
    if text.isdigit():
        value = int(text)
    elif field.names is not None and text.lower() in field.names:
        value = field.names[text.lower()]
    else:
        raise CronError(f"'{text}' is not a valid value for {field.name}")
    if not field.low <= value <= field.high:
        raise CronError(f"{field.name} must be between {field.low} and {field.high}, got {value}")
    return value


def _range(text: str, field: _Field) -> tuple[int, int]:
    if text in ("*", "?"):
        return field.low, field.high
    if "-" in text:
        a, _, b = text.partition("-")
        lo, hi = _value(a, field), _value(b, field)
        if lo > hi:
            raise CronError(f"invalid range {text} for {field.name}: the start is after the end")
        return lo, hi
    value = _value(text, field)
    return value, value


@dataclass
class _DaySpec:
    days: set[int]
    last: bool = False  # day of month: L
    last_weekdays: frozenset[int] = frozenset()  # day of week: xL
    nth_weekdays: frozenset[tuple[int, int]] = frozenset()  # day of week: x#n
    restricted: bool = True


def _parse_list(text: str, field: _Field, *, any_ok: bool = False) -> tuple[set[int], bool]:
    """The values of a plain field; the flag says whether it is restricted (not ``*``/``?``)."""
    values: set[int] = set()
    items = text.split(",")
    if any(not item for item in items):
        raise CronError(f"empty item in '{text}' for {field.name}")
    if len(items) == 1 and (items[0] == "*" or (any_ok and items[0] == "?")):
        return set(range(field.low, field.high + 1)), False
    for item in items:
        if item == "?" and not any_ok:
            raise CronError(f"'?' is only allowed in the day fields, not in {field.name}")
        if "/" in item:
            start, _, step_text = item.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"invalid step '{step_text}' in {field.name}")
            if start not in ("*", "?") and "-" not in start and not start.isdigit():
                raise CronError(f"invalid step start '{start}' in {field.name}")
            lo, hi = _range(start, field)
            if "-" not in start and start not in ("*", "?"):
                hi = field.high
            values.update(range(lo, hi + 1, int(step_text)))
        else:
            lo, hi = _range(item, field)
            values.update(range(lo, hi + 1))
    return values, True


def _parse_dom(text: str) -> _DaySpec:
    items = text.split(",")
    plain = [i for i in items if i != "L"]
    for i in plain:
        if "W" in i.upper() or i.startswith("L"):
            raise CronError(f"'{i}' is not supported in Days of Month")
    if not plain:
        return _DaySpec(set(), last=True)
    days, restricted = _parse_list(",".join(plain), DAYS_OF_MONTH, any_ok=True)
    return _DaySpec(days, last=len(plain) != len(items), restricted=restricted or len(plain) != len(items))


def _parse_dow(text: str) -> _DaySpec:
    last: set[int] = set()
    nth: set[tuple[int, int]] = set()
    plain: list[str] = []
    for item in text.split(","):
        if "#" in item:
            day, _, n = item.partition("#")
            if not n.isdigit() or not 1 <= int(n) <= 5:
                raise CronError(f"Occurrence of a weekday must be between 1 and 5 inclusive. ('{n}' specified.)")
            nth.add((_value(day, DAYS_OF_WEEK), int(n)))
        elif item == "L":
            plain.append("7")
        elif len(item) > 1 and item.upper().endswith("L") and item[:-1].strip():
            last.add(_value(item[:-1], DAYS_OF_WEEK))
        else:
            plain.append(item)
    if not plain:
        return _DaySpec(set(), last_weekdays=frozenset(last), nth_weekdays=frozenset(nth))
    days, restricted = _parse_list(",".join(plain), DAYS_OF_WEEK, any_ok=True)
    extra = bool(last or nth)
    return _DaySpec(days, last_weekdays=frozenset(last), nth_weekdays=frozenset(nth), restricted=restricted or extra)


_SHORTHANDS = {
    "@yearly": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 1",
    "@daily": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}


class CronExpr:
    """A parsed expression; ``next_after(t_ns)`` is the first firing strictly after ``t_ns``."""

    def __init__(self, text: str):
        self.text = text
        expr = _SHORTHANDS.get(text.strip(), text)
        parts = expr.split()
        if len(parts) not in (6, 7):
            raise CronError(f"expected 6 or 7 fields (seconds first), found {len(parts)}")
        self.seconds = sorted(_parse_list(parts[0], SECONDS)[0])
        self.minutes = sorted(_parse_list(parts[1], MINUTES)[0])
        self.hours = sorted(_parse_list(parts[2], HOURS)[0])
        self.dom = _parse_dom(parts[3])
        self.months = sorted(_parse_list(parts[4], MONTHS_FIELD)[0])
        self.dow = _parse_dow(parts[5])
        self.years = sorted(_parse_list(parts[6], YEARS_FIELD)[0]) if len(parts) == 7 else None

    def _day_matches(self, day: dt.date) -> bool:
        last_day = calendar.monthrange(day.year, day.month)[1]
        if self.dom.restricted and not (day.day in self.dom.days or (self.dom.last and day.day == last_day)):
            return False
        if not self.dow.restricted:
            return True
        weekday = day.isoweekday() % 7 + 1  # Sunday = 1 … Saturday = 7
        if weekday in self.dow.days:
            return True
        if weekday in self.dow.last_weekdays and day.day > last_day - 7:
            return True
        return (weekday, (day.day - 1) // 7 + 1) in self.dow.nth_weekdays

    def _first_time(self, h0: int, m0: int, s0: int) -> tuple[int, int, int] | None:
        for h in self.hours:
            if h < h0:
                continue
            for m in self.minutes:
                if h == h0 and m < m0:
                    continue
                for s in self.seconds:
                    if h == h0 and m == m0 and s < s0:
                        continue
                    return h, m, s
        return None

    def next_after(self, t_ns: int) -> int | None:
        """Nanoseconds of the next firing after ``t_ns`` (UTC), or None if there is none."""
        start = dt.datetime.fromtimestamp(t_ns // 10**9 + 1, dt.UTC)
        years = self.years if self.years is not None else range(YEARS[0], YEARS[1] + 1)
        for year in years:
            if year < start.year:
                continue
            for month in self.months:
                if (year, month) < (start.year, start.month):
                    continue
                first = start.day if (year, month) == (start.year, start.month) else 1
                for d in range(first, calendar.monthrange(year, month)[1] + 1):
                    day = dt.date(year, month, d)
                    if not self._day_matches(day):
                        continue
                    lower = (start.hour, start.minute, start.second) if day == start.date() else (0, 0, 0)
                    hms = self._first_time(*lower)
                    if hms is not None:
                        when = dt.datetime(year, month, d, *hms, tzinfo=dt.UTC)
                        return int(when.timestamp()) * 10**9
        return None
