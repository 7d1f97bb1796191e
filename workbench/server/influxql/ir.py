"""The normalised SELECT that ``rewrite.py`` produces and ``translate.py`` consumes.

Everything the catalog can tell is settled here: measurements are concrete (regexes expanded,
missing ones dropped), wildcards are expanded into fields with their output names, each
measurement carries its column kinds and GROUP BY tags, the WHERE clause is split into a time
range and the remaining condition, and the projection is classified the way InfluxDB's planner
does it (raw, aggregate, selector, top/bottom, distinct, window).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ast

# Projection kinds (InfluxDB 3 planner: ProjectionType).
RAW = "raw"  # no functions
DISTINCT = "distinct"  # a single distinct(f)
TOP_BOTTOM = "top_bottom"  # top() or bottom()
SELECTOR = "selector"  # exactly one selector and no aggregate: the point's time is kept
AGGREGATE = "aggregate"  # aggregates and/or several selectors
WINDOW = "window"  # derivative, difference, moving_average ... (over raw values or aggregates)


@dataclass(frozen=True)
class TimeRange:
    """Inclusive bounds in ns since the epoch; None is unbounded."""

    lower: int | None = None
    upper: int | None = None

    def intersect(self, other: TimeRange) -> TimeRange:
        lows = [v for v in (self.lower, other.lower) if v is not None]
        highs = [v for v in (self.upper, other.upper) if v is not None]
        return TimeRange(max(lows) if lows else None, min(highs) if highs else None)

    @property
    def empty(self) -> bool:
        return self.lower is not None and self.upper is not None and self.lower > self.upper


@dataclass(frozen=True)
class OutField:
    """One output column: its (deduplicated) name, expression and InfluxQL result kind."""

    name: str
    expr: ast.Expr
    kind: str | None  # float, integer, uinteger, string, boolean, tag; None when unknown


@dataclass(frozen=True)
class Source:
    """One measurement to read: a catalog table, or the output of a subquery (``inner``)."""

    name: str
    columns: dict[str, str] = field(hash=False, compare=False)
    group_tags: tuple[str, ...]
    inner: SelectQuery | None = None


@dataclass(frozen=True)
class SelectQuery:
    db: str
    sources: tuple[Source, ...]
    fields: tuple[OutField, ...]
    kind: str
    condition: ast.Expr | None
    time_range: TimeRange
    interval: int | None  # GROUP BY time interval (ns)
    offset: int  # window origin (ns): the GROUP BY offset, shifted by the tz() zone offset
    fill: ast.Fill
    order_desc: bool
    limit: int | None
    offset_rows: int | None
    slimit: int | None
    soffset: int | None
    tz: str | None
    now_ns: int

    def window_start(self, t: int) -> int:
        """Start of the GROUP BY time window containing ``t``."""
        assert self.interval
        return t - (t - self.offset) % self.interval
