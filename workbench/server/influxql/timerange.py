"""Time in WHERE clauses: literal parsing, ``now()`` arithmetic and the time-range split.

``rewrite.py`` and ``show.py`` call :func:`split_time_range` to pull every ``time <op> <expr>``
comparison out of a WHERE clause (also under ``OR``, as InfluxQL does) into one inclusive
:class:`~workbench.server.influxql.ir.TimeRange`; what is left has no time comparison and is
translated to SQL by ``translate.py``. Time expressions are RFC 3339 strings (or ``YYYY-MM-DD
[HH:MM:SS[.f]]``, read in the ``tz()`` zone), integers (ns), durations, ``now()`` and ``+``/``-``
between them.

>>> parse_time_string("2024-01-01T00:00:00.5Z")
1704067200500000000
>>> from workbench.server.influxql.parser import parse
>>> where = parse("SELECT v FROM m WHERE time >= '2024-01-01' AND time < now() - 1h AND v > 1")[0].condition
>>> r, rest = split_time_range(where, now_ns=7200 * 10**9)
>>> (r.lower, r.upper), ast.render(rest)
((1704067200000000000, 3599999999999), 'v > 1')
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import ast
from .errors import InfluxQLQueryError
from .ir import TimeRange

_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InfluxQLQueryError(f"unable to find time zone {name}") from e


def parse_time_string(s: str, tz: str | None = None) -> int:
    """Nanoseconds since the epoch for an InfluxQL time string."""
    m = _TIME_RE.match(s.strip())
    if not m:
        raise InfluxQLQueryError(f"invalid time string: {s!r}; expected an RFC3339 timestamp")
    year, month, day, hh, mm, ss, frac, offset = m.groups()
    try:
        base = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as e:
        raise InfluxQLQueryError(f"invalid time string: {s!r}; {e}") from e
    if offset == "Z" or (offset is None and tz is None):
        base = base.replace(tzinfo=UTC)
    elif offset is not None:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        base = (base - sign * delta).replace(tzinfo=UTC)
    else:
        base = base.replace(tzinfo=zone(tz)).astimezone(UTC)
    seconds = int((base - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
    return seconds * 10**9 + int((frac or "0").ljust(9, "0"))


MIN_TIME = -(2**63) + 2  # InfluxDB's models.MinNanoTime and MaxNanoTime: no point lies outside
MAX_TIME = 2**63 - 2


def eval_time(e: ast.Expr, now_ns: int, tz: str | None = None) -> int:
    """Evaluate a time expression to ns since the epoch (durations count as ns offsets), clamped
    to the times a point can have, so ``now() - 100000w`` means "since the earliest time"."""
    return min(max(_eval_time(e, now_ns, tz), MIN_TIME), MAX_TIME)


def _eval_time(e: ast.Expr, now_ns: int, tz: str | None) -> int:
    if isinstance(e, ast.StringLit):
        return parse_time_string(e.value, tz)
    if isinstance(e, ast.IntegerLit):
        return e.value
    if isinstance(e, ast.FloatLit):
        return int(e.value)
    if isinstance(e, ast.DurationLit):
        return e.ns
    if isinstance(e, ast.Call) and e.name == "now" and not e.args:
        return now_ns
    if isinstance(e, ast.UnaryExpr) and e.op == "-":
        return -_eval_time(e.expr, now_ns, tz)
    if isinstance(e, ast.BinaryExpr) and e.op in ("+", "-"):
        lhs, rhs = _eval_time(e.lhs, now_ns, tz), _eval_time(e.rhs, now_ns, tz)
        return lhs + rhs if e.op == "+" else lhs - rhs
    raise InfluxQLQueryError(f"invalid time comparison: {ast.render(e)} is not a time expression")


def is_time_ref(e: ast.Expr) -> bool:
    return isinstance(e, ast.VarRef) and e.name.lower() == "time"


def time_comparison(e: ast.Expr) -> tuple[str, ast.Expr] | None:
    """``(op, other side)`` with time on the left, for ``time <op> x`` or ``x <op> time``."""
    if not isinstance(e, ast.BinaryExpr) or e.op not in _FLIP:
        return None
    if is_time_ref(e.lhs):
        return e.op, e.rhs
    if is_time_ref(e.rhs):
        return _FLIP[e.op], e.lhs
    return None


def split_time_range(cond: ast.Expr | None, *, now_ns: int, tz: str | None = None) -> tuple[TimeRange, ast.Expr | None]:
    """Pull every time comparison out of ``cond`` into one TimeRange (their intersection).

    As in InfluxQL, a time comparison bounds the whole query wherever it appears, even under
    ``OR``; what is left of the condition keeps its other comparisons.
    """
    bounds = [TimeRange()]

    def walk(e: ast.Expr) -> ast.Expr | None:
        if isinstance(e, ast.BinaryExpr) and e.op in ("AND", "OR"):
            lhs, rhs = walk(e.lhs), walk(e.rhs)
            if lhs is None or rhs is None:
                return lhs if rhs is None else rhs
            return ast.BinaryExpr(e.op, lhs, rhs)
        cmp = time_comparison(e)
        if cmp is None:
            return e
        op, other = cmp
        if op == "!=":
            raise InfluxQLQueryError("invalid time comparison operator: !=")
        t = eval_time(other, now_ns, tz)
        lo = {">": t + 1, ">=": t, "=": t}.get(op)
        hi = {"<": t - 1, "<=": t, "=": t}.get(op)
        bounds[0] = bounds[0].intersect(TimeRange(lo, hi))
        return None

    if cond is None:
        return TimeRange(), None
    rest = walk(cond)
    return bounds[0], rest
